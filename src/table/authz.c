/*
 * Relays and their allowed requesters, from an evaluation: a relay is a node
 * that receives a capability rule carrying tailscale.com/cap/relay, and the
 * nodes it admits are those with an address in that rule's sources
 * (rg_eval_has_cap with cap/relay, computed per rule instead of per pair).
 */
#include <stdlib.h>
#include <string.h>

#include "table/internal.h"
#include "util/map.h"

struct relay_rules {
	uint32_t *v;             /* the relay capability rules reaching one relay, ascending */
	size_t n;
};

static bool grants_relay(const struct rg_eval_rule *r)
{
	return r->is_cap && json_object_get(r->capmap, RG_CAP_RELAY) != NULL;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The relay capability rules node i receives, sorted and without repeats. */
static int rules_of(const struct rg_eval *e, size_t i, struct relay_rules *out)
{
	const struct rg_eval_node *n = &e->nodes[i];
	size_t k, m = 0;

	out->v = NULL;
	out->n = 0;
	for (k = 0; k < n->nitems; k++)
		m += grants_relay(&e->rules[n->items[k].rule]);
	if (!m)
		return 0;
	out->v = malloc(m * sizeof(*out->v));
	if (!out->v)
		return -1;
	for (k = 0; k < n->nitems; k++)
		if (grants_relay(&e->rules[n->items[k].rule]))
			out->v[out->n++] = n->items[k].rule;
	qsort(out->v, out->n, sizeof(*out->v), u32_cmp);
	for (k = 1, m = 1; k < out->n; k++)
		if (out->v[k] != out->v[m - 1])
			out->v[m++] = out->v[k];
	out->n = m;
	return 0;
}

/* Sets the bits of the rule's requesters in bits (done once per rule and class). */
static int add_requesters(const struct rg_eval *e, const struct rg_eval_rule *r, uint64_t *bits)
{
	uint32_t *nodes = NULL;
	size_t n = 0, k;

	if (r->src_any) {
		for (k = 0; k < e->nnodes; k++)
			bits[k / 64] |= (uint64_t)1 << (k % 64);
		return 0;
	}
	if (rg_eval_nodes_in(e, &r->src, false, &nodes, &n) < 0)
		return -1;
	for (k = 0; k < n; k++)
		bits[nodes[k] / 64] |= (uint64_t)1 << (nodes[k] % 64);
	free(nodes);
	return 0;
}

/* Assigns classes: relays with equal rule lists share one. */
static int classify(struct tbl_authz *a, const struct relay_rules *rr, const uint32_t **first,
		    size_t *nfirst)
{
	struct rg_map m;
	size_t i;
	int ret = -1;

	rg_map_init(&m);
	for (i = 0; i < a->nrelays; i++) {
		const struct relay_rules *x = &rr[a->relays[i]];
		void *v = rg_map_get(&m, (const char *)x->v, x->n * sizeof(uint32_t));

		if (v) {
			a->relay_class[i] = (uint32_t)((uintptr_t)v - 1);
			continue;
		}
		a->relay_class[i] = (uint32_t)a->nclasses;
		first[a->nclasses++] = x->v;
		nfirst[a->relay_class[i]] = x->n;
		if (rg_map_put(&m, (const char *)x->v, x->n * sizeof(uint32_t),
			       (void *)(uintptr_t)a->nclasses, NULL) < 0)
			goto out;
	}
	ret = 0;
out:
	rg_map_free(&m);
	return ret;
}

int tbl_authz_compute(const struct rg_eval *e, struct tbl_authz *a, struct rg_err *err)
{
	struct relay_rules *rr = NULL;
	const uint32_t **first = NULL;
	size_t *nfirst = NULL;
	size_t i, k;
	int ret = -1;

	memset(a, 0, sizeof(*a));
	a->words = (e->nnodes + 63) / 64;
	rr = calloc(e->nnodes ? e->nnodes : 1, sizeof(*rr));
	a->relays = malloc((e->nnodes ? e->nnodes : 1) * sizeof(*a->relays));
	if (!rr || !a->relays)
		goto oom;
	for (i = 0; i < e->nnodes; i++) {
		if (rules_of(e, i, &rr[i]) < 0)
			goto oom;
		if (rr[i].n)
			a->relays[a->nrelays++] = (uint32_t)i;
	}
	a->relay_class = malloc((a->nrelays ? a->nrelays : 1) * sizeof(*a->relay_class));
	first = malloc((a->nrelays ? a->nrelays : 1) * sizeof(*first));
	nfirst = malloc((a->nrelays ? a->nrelays : 1) * sizeof(*nfirst));
	if (!a->relay_class || !first || !nfirst || classify(a, rr, first, nfirst) < 0)
		goto oom;
	if (a->nclasses > TBL_MAX_CLASSES) {
		rg_err_set(err, "%zu distinct relay grants; a table holds at most %u", a->nclasses,
			   TBL_MAX_CLASSES);
		goto out;
	}
	a->allowed = calloc(a->nclasses * a->words + 1, sizeof(uint64_t));
	if (!a->allowed)
		goto oom;
	for (i = 0; i < a->nclasses; i++)
		for (k = 0; k < nfirst[i]; k++)
			if (add_requesters(e, &e->rules[first[i][k]], a->allowed + i * a->words) < 0)
				goto oom;
	ret = 0;
	goto out;
oom:
	rg_err_set(err, "out of memory");
out:
	for (i = 0; rr && i < e->nnodes; i++)
		free(rr[i].v);
	free(rr);
	free(first);
	free(nfirst);
	if (ret < 0)
		tbl_authz_free(a);
	return ret;
}

void tbl_authz_free(struct tbl_authz *a)
{
	free(a->relays);
	free(a->relay_class);
	free(a->allowed);
	memset(a, 0, sizeof(*a));
}

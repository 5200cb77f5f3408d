/*
 * Relays and their allowed requesters, from an evaluation: a relay is a node
 * that receives a capability rule carrying tailscale.com/cap/relay, and it
 * admits node R when rg_eval_node_has_cap(relay, R, cap/relay) holds - as in
 * Tailscale, for the one address pair nodeHasCap asks about. That is
 * computed per rule and per class of relays instead of per pair: a relay's
 * key is its list of relay rules, each tagged with the address families of
 * the relay whose first address the rule's destinations cover, and the
 * families the relay has (which decide R's address of the pair).
 */
#include <stdlib.h>
#include <string.h>

#include "table/internal.h"
#include "util/map.h"

#define COVER4 1u                /* the rule covers the relay's first IPv4 address */
#define COVER6 2u                /* ... its first IPv6 address */
#define FAMILIES 0xfffffff0u     /* first key word: FAMILIES | families the relay has */

struct relay_rules {
	uint32_t *v;             /* FAMILIES | fams, then (rule << 2 | cover), ascending */
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

/* The first address of the family (is6) of node n, or NULL. */
static const struct rg_addr *first_of(const struct rg_inv_node *n, bool is6)
{
	for (size_t i = 0; i < n->nips; i++)
		if (n->ips[i].is6 == is6)
			return &n->ips[i];
	return NULL;
}

static uint32_t cover_of(const struct rg_eval *e, const struct rg_eval_item *it,
			 const struct rg_inv_node *relay)
{
	const struct rg_addr *a4 = first_of(relay, false), *a6 = first_of(relay, true);

	return (a4 && rg_eval_item_covers(e, it, a4) ? COVER4 : 0) |
	       (a6 && rg_eval_item_covers(e, it, a6) ? COVER6 : 0);
}

/* Node i's key (see above), or none when no relay rule reaches it. */
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
	if (e->nrules > (FAMILIES >> 2))
		return -1;
	out->v = malloc((m + 1) * sizeof(*out->v));
	if (!out->v)
		return -1;
	for (k = 0; k < n->nitems; k++)
		if (grants_relay(&e->rules[n->items[k].rule]))
			out->v[out->n++] = n->items[k].rule << 2 | cover_of(e, &n->items[k], n->node);
	qsort(out->v, out->n, sizeof(*out->v), u32_cmp);
	/* One word per rule, its cover bits merged (a rule may reach i twice). */
	for (k = 1, m = 1; k < out->n; k++) {
		if (out->v[k] >> 2 == out->v[m - 1] >> 2)
			out->v[m - 1] |= out->v[k];
		else
			out->v[m++] = out->v[k];
	}
	memmove(out->v + 1, out->v, m * sizeof(*out->v));
	out->v[0] = FAMILIES | (first_of(n->node, false) ? COVER4 : 0) |
		    (first_of(n->node, true) ? COVER6 : 0);
	out->n = m + 1;
	return 0;
}

/* Whether node r passes rule word w of a relay with families fams: the
 * address of r that nodeHasCap pairs with the relay is in the rule's
 * sources, and the rule covers the relay's address of that family. */
static bool admits(const struct rg_eval_rule *rule, uint32_t w, uint32_t fams,
		   const struct rg_inv_node *r)
{
	for (size_t i = 0; i < r->nips; i++) {
		uint32_t fam = r->ips[i].is6 ? COVER6 : COVER4;

		if (!(fams & fam))
			continue;
		return (w & fam) && (rule->src_any || rg_ipset_contains(&rule->src, &r->ips[i]));
	}
	return false;
}

/* Sets the bits of the rule's requesters in bits (done once per rule and class). */
static int add_requesters(const struct rg_eval *e, uint32_t w, uint32_t fams, uint64_t *bits)
{
	const struct rg_eval_rule *r = &e->rules[w >> 2];
	uint32_t *nodes = NULL;
	size_t n = 0, k;

	if (!(w & fams & (COVER4 | COVER6)))
		return 0;
	if (r->src_any) {
		for (k = 0; k < e->nnodes; k++)
			if (admits(r, w, fams, e->nodes[k].node))
				bits[k / 64] |= (uint64_t)1 << (k % 64);
		return 0;
	}
	if (rg_eval_nodes_in(e, &r->src, false, &nodes, &n) < 0)
		return -1;
	for (k = 0; k < n; k++)
		if (admits(r, w, fams, e->nodes[nodes[k]].node))
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
		for (k = 1; k < nfirst[i]; k++)
			if (add_requesters(e, first[i][k], first[i][0] & (COVER4 | COVER6),
					   a->allowed + i * a->words) < 0)
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

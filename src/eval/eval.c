/* Building an evaluation, and the questions it answers (peers, reachability, caps). */
#include <stdlib.h>
#include <string.h>

#include "eval/internal.h"


/* Tailscale's address space: 100.64.0.0/10 without 100.115.92.0/23, and fd7a:115c:a1e0::/48. */
static int add_tailscale_space(struct rg_ipset *s)
{
	const rg_u128 ula = ((rg_u128)0xfd7a115ca1e0ULL) << 80;

	if (rg_ipset_add_v4(s, 0x64400000u, 0x64735bffu) < 0 ||  /* 100.64.0.0 - 100.115.91.255 */
	    rg_ipset_add_v4(s, 0x64735e00u, 0x647fffffu) < 0)    /* 100.115.94.0 - 100.127.255.255 */
		return -1;
	return rg_ipset_add_v6(s, ula, ula | ((((rg_u128)1) << 80) - 1));
}


int rg_eval_build(const struct rg_policy *p, const struct rg_inventory *inv, struct rg_eval **out,
		  struct rg_err *err)
{
	struct rg_eval *e = calloc(1, sizeof(*e));
	struct eval_priv *pv = calloc(1, sizeof(*pv));

	*out = NULL;
	if (!e || !pv) {
		free(e);
		free(pv);
		return rg_err_set(err, "out of memory");
	}
	rg_arena_init(&pv->arena);
	e->priv = pv;
	e->policy = p;
	e->inv = inv;
	rg_ipset_init(&e->star);
	rg_ipset_init(&e->internet);
	if (eval_index_build(e) < 0 || add_tailscale_space(&e->star) < 0 ||
	    rg_ipset_union(&e->star, &pv->subnet_routes) < 0 || eval_add_internet(&e->internet) < 0) {
		rg_err_set(err, "out of memory");
		goto fail;
	}
	rg_ipset_normalize(&e->star);
	rg_ipset_normalize(&e->internet);
	if (eval_compile(e, err) < 0)
		goto fail;
	*out = e;
	return 0;
fail:
	rg_eval_free(e);
	return -1;
}

int rg_eval_add_internet(struct rg_ipset *out)
{
	if (eval_add_internet(out) < 0)
		return -1;
	rg_ipset_normalize(out);
	return 0;
}

void rg_eval_free(struct rg_eval *e)
{
	struct eval_priv *pv;
	size_t i;

	if (!e)
		return;
	pv = e->priv;
	for (i = 0; i < e->nrules; i++) {
		rg_ipset_free(&e->rules[i].src);
		free(e->rules[i].entries);
		json_decref(e->rules[i].capmap);
	}
	free(e->rules);
	for (i = 0; i < e->nnodes; i++) {
		free(e->nodes[i].items);
		free(e->nodes[i].routes);
	}
	if (pv) {
		eval_index_free(e);
		for (i = 0; i < pv->nowned_sets; i++)
			rg_ipset_free(pv->owned_sets[i]);
		free(pv->owned_sets);
		rg_map_free(&pv->ipset_cache);
		if (pv->peer_src) {
			for (i = 0; i < e->nrules; i++) {
				rg_u32vec_free(&pv->peer_src[i]);
				rg_u32vec_free(&pv->peer_recv[i]);
			}
		}
		free(pv->peer_src);
		free(pv->peer_recv);
		for (i = 0; pv->peer_as_src && i < e->nnodes; i++)
			rg_u32vec_free(&pv->peer_as_src[i]);
		free(pv->peer_as_src);
		free(pv->peer_bits);
		free(pv->peer_out);
		rg_arena_free(&pv->arena);
		free(pv);
	}
	free(e->nodes);
	rg_ipset_free(&e->star);
	rg_ipset_free(&e->internet);
	free(e);
}

/* ---- peers ----------------------------------------------------------------
 *
 * Node A sees B when a rule A receives has B among its sources (B's address
 * or one of B's approved routes is in SrcIPs), or the other way round. Per
 * rule we keep its source nodes and its receivers; a node's peers are then
 * the union of those lists, gathered in a scratch bitmap one node at a time.
 */

static int peers_prepare(struct rg_eval *e)
{
	struct eval_priv *pv = eval_priv(e);
	size_t i, j, words = (e->nnodes + 63) / 64;

	pv->peer_src = calloc(e->nrules ? e->nrules : 1, sizeof(*pv->peer_src));
	pv->peer_recv = calloc(e->nrules ? e->nrules : 1, sizeof(*pv->peer_recv));
	pv->peer_as_src = calloc(e->nnodes ? e->nnodes : 1, sizeof(*pv->peer_as_src));
	pv->peer_bits = calloc(words ? words : 1, sizeof(uint64_t));
	pv->peer_out = malloc((e->nnodes ? e->nnodes : 1) * sizeof(uint32_t));
	if (!pv->peer_src || !pv->peer_recv || !pv->peer_as_src || !pv->peer_bits || !pv->peer_out)
		return -1;
	for (i = 0; i < e->nnodes; i++)
		for (j = 0; j < e->nodes[i].nitems; j++) {
			struct rg_u32vec *v = &pv->peer_recv[e->nodes[i].items[j].rule];

			if (!v->n || v->v[v->n - 1] != i)
				if (rg_u32vec_push(v, (uint32_t)i) < 0)
					return -1;
		}
	for (i = 0; i < e->nrules; i++) {
		const struct rg_eval_rule *r = &e->rules[i];
		uint32_t *nodes = NULL;
		size_t n = 0, k;

		if (!pv->peer_recv[i].n)
			continue;
		if (r->src_any) {
			for (k = 0; k < e->nnodes; k++)
				if (rg_u32vec_push(&pv->peer_src[i], (uint32_t)k) < 0)
					return -1;
		} else {
			if (rg_eval_nodes_in(e, &r->src, true, &nodes, &n) < 0)
				return -1;
			pv->peer_src[i] = (struct rg_u32vec){ nodes, n, n };
		}
		for (k = 0; k < pv->peer_src[i].n; k++)
			if (rg_u32vec_push(&pv->peer_as_src[pv->peer_src[i].v[k]], (uint32_t)i) < 0)
				return -1;
	}
	pv->peers_done = true;
	return 0;
}

static void mark_all(uint64_t *bits, const struct rg_u32vec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		bits[v->v[i] / 64] |= (uint64_t)1 << (v->v[i] % 64);
}

const uint32_t *rg_eval_peers(struct rg_eval *e, size_t a, size_t *n)
{
	struct eval_priv *pv = eval_priv(e);
	const struct rg_eval_node *node = &e->nodes[a];
	size_t i, words = (e->nnodes + 63) / 64, k = 0;

	*n = 0;
	if (!pv->peers_done && peers_prepare(e) < 0)
		return NULL;
	memset(pv->peer_bits, 0, words * sizeof(uint64_t));
	for (i = 0; i < node->nitems; i++)
		mark_all(pv->peer_bits, &pv->peer_src[node->items[i].rule]);
	for (i = 0; i < pv->peer_as_src[a].n; i++)
		mark_all(pv->peer_bits, &pv->peer_recv[pv->peer_as_src[a].v[i]]);
	pv->peer_bits[a / 64] &= ~((uint64_t)1 << (a % 64));
	for (i = 0; i < words; i++) {
		uint64_t w = pv->peer_bits[i];

		while (w) {
			pv->peer_out[k++] = (uint32_t)(i * 64 + (size_t)__builtin_ctzll(w));
			w &= w - 1;
		}
	}
	*n = k;
	return pv->peer_out;
}

/* ---- reachability and capabilities ------------------------------------- */

static bool entry_has(const struct rg_eval_entry *x, const struct rg_addr *a)
{
	rg_u128 v;

	if (x->any)
		return true;
	if (x->is6 != a->is6)
		return false;
	v = rg_addr_to_u128(a);
	return v >= x->lo && v <= x->hi;
}

static bool proto_ok(const struct rg_eval_rule *r, uint8_t proto)
{
	const uint8_t *p = r->nprotos ? r->protos : rg_proto_default;
	size_t n = r->nprotos ? r->nprotos : RG_PROTO_DEFAULT_COUNT, i;

	for (i = 0; i < n; i++)
		if (p[i] == proto)
			return true;
	return false;
}

bool rg_eval_allows(const struct rg_eval *e, const struct rg_addr *src, const struct rg_addr *dst,
		    uint8_t proto, uint16_t port)
{
	size_t i, k;

	for (i = 0; i < e->nrules; i++) {
		const struct rg_eval_rule *r = &e->rules[i];

		if (r->is_cap || !proto_ok(r, proto))
			continue;
		if (!r->src_any && !rg_ipset_contains(&r->src, src))
			continue;
		for (k = 0; k < r->nentries; k++)
			if (entry_has(&r->entries[k], dst) && port >= r->entries[k].ports.first &&
			    port <= r->entries[k].ports.last)
				return true;
	}
	return false;
}

bool rg_eval_cap_pair(const struct rg_inv_node *from, const struct rg_inv_node *to,
		      const struct rg_addr **src, const struct rg_addr **dst)
{
	for (size_t i = 0; i < from->nips; i++)
		for (size_t j = 0; j < to->nips; j++)
			if (from->ips[i].is6 == to->ips[j].is6) {
				*src = &from->ips[i];
				*dst = &to->ips[j];
				return true;
			}
	return false;
}

bool rg_eval_item_covers(const struct rg_eval *e, const struct rg_eval_item *it,
			 const struct rg_addr *a)
{
	const struct rg_eval_rule *r = &e->rules[it->rule];

	for (uint32_t k = it->first; k < it->first + it->count && k < r->nentries; k++)
		if (entry_has(&r->entries[k], a))
			return true;
	return false;
}

bool rg_eval_node_has_cap(const struct rg_eval *e, size_t to, size_t from, const char *cap)
{
	const struct rg_eval_node *n;
	const struct rg_addr *sa, *da;

	if (to >= e->nnodes || from >= e->nnodes ||
	    !rg_eval_cap_pair(e->nodes[from].node, e->nodes[to].node, &sa, &da))
		return false;
	n = &e->nodes[to];
	for (size_t i = 0; i < n->nitems; i++) {
		const struct rg_eval_rule *r = &e->rules[n->items[i].rule];

		if (!r->is_cap || !json_object_get(r->capmap, cap))
			continue;
		if ((r->src_any || rg_ipset_contains(&r->src, sa)) &&
		    rg_eval_item_covers(e, &n->items[i], da))
			return true;
	}
	return false;
}

bool rg_eval_has_cap(const struct rg_eval *e, size_t to, size_t from, const char *cap,
		     json_t *values)
{
	const struct rg_eval_node *n;
	const struct rg_inv_node *f;
	bool found = false;
	size_t i, j;

	/* No node, no capability (Go nodeHasCap: !src.Valid() || !dst.Valid()). */
	if (to >= e->nnodes || from >= e->nnodes)
		return false;
	n = &e->nodes[to];
	f = e->nodes[from].node;
	for (i = 0; i < n->nitems; i++) {
		const struct rg_eval_rule *r = &e->rules[n->items[i].rule];
		json_t *v;
		bool src_ok = r->src_any;

		if (!r->is_cap || !(v = json_object_get(r->capmap, cap)))
			continue;
		for (j = 0; !src_ok && j < f->nips; j++)
			src_ok = rg_ipset_contains(&r->src, &f->ips[j]);
		if (!src_ok)
			continue;
		found = true;
		if (!values)
			return true;
		if (json_is_array(v))
			json_array_extend(values, v);
	}
	return found;
}

/* Indexes over the inventory: nodes by owner, by tag, by address, by route. */
#include <stdlib.h>
#include <string.h>

#include "eval/internal.h"

int eval_add_node_ips(struct rg_ipset *s, const struct rg_inv_node *n)
{
	size_t i;

	for (i = 0; i < n->nips; i++)
		if (rg_ipset_add_addr(s, &n->ips[i]) < 0)
			return -1;
	return 0;
}

static struct rg_u32vec *map_vec(struct eval_priv *pv, struct rg_map *m, const char *key)
{
	struct rg_u32vec *v = rg_map_get(m, key, strlen(key));

	if (v)
		return v;
	v = rg_arena_alloc(&pv->arena, sizeof(*v));
	if (!v || rg_map_put(m, key, strlen(key), v, NULL) < 0)
		return NULL;
	return v;
}

const struct rg_u32vec *eval_user_nodes(const struct rg_eval *e, const char *login)
{
	return rg_map_get(&eval_priv(e)->user_nodes, login, strlen(login));
}

const struct rg_u32vec *eval_tag_nodes(const struct rg_eval *e, const char *tagkey)
{
	return rg_map_get(&eval_priv(e)->tag_nodes, tagkey, strlen(tagkey));
}

static int addr_cmp(const void *a, const void *b)
{
	const struct addr_ix *x = a, *y = b;

	if (x->is6 != y->is6)
		return x->is6 < y->is6 ? -1 : 1;
	return x->a < y->a ? -1 : x->a > y->a;
}

static int route_cmp(const void *a, const void *b)
{
	const struct route_ix *x = a, *y = b;

	if (x->is6 != y->is6)
		return x->is6 < y->is6 ? -1 : 1;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Whether approver selector s matches node n (for autoApprovers). */
static bool approver_matches(const struct rg_eval *e, const struct rg_selector *s,
			     const struct rg_eval_node *n)
{
	const struct rg_inv_node *in = n->node;
	size_t i;

	switch (s->kind) {
	case RG_SEL_TAG:
		for (i = 0; i < in->ntags; i++)
			if (strcmp(in->tag_keys[i], s->key) == 0)
				return true;
		return false;
	case RG_SEL_USER:
		return !n->tagged && in->user && strcmp(in->user, s->text) == 0;
	case RG_SEL_GROUP: {
		const struct rg_group *g = rg_policy_group(e->policy, s->text);

		if (!g || n->tagged || !in->user)
			return false;
		for (i = 0; i < g->n; i++)
			if (strcmp(g->members[i].text, in->user) == 0)
				return true;
		return false;
	}
	case RG_SEL_AUTOGROUP:
		if (s->autogroup == RG_AG_MEMBER || s->autogroup == RG_AG_MEMBERS)
			return !n->tagged;
		if (s->autogroup == RG_AG_TAGGED)
			return n->tagged;
		return false;
	default:
		return false;
	}
}

static bool auto_approved(const struct rg_eval *e, const struct rg_eval_node *n,
			  const struct rg_prefix *r)
{
	const struct rg_policy *p = e->policy;
	rg_u128 lo, hi;
	size_t i, j;

	/* Exit routes are approved by autoApprovers.exitNode only, never by routes. */
	if (r->bits == 0) {
		for (j = 0; j < p->nauto_exit; j++)
			if (approver_matches(e, &p->auto_exit[j], n))
				return true;
		return false;
	}
	rg_prefix_bounds(r, &lo, &hi);
	for (i = 0; i < p->nauto_routes; i++) {
		const struct rg_auto_route *ar = &p->auto_routes[i];
		rg_u128 alo, ahi;

		if (!ar->valid || ar->prefix.addr.is6 != r->addr.is6 || ar->prefix.bits > r->bits)
			continue;
		rg_prefix_bounds(&ar->prefix, &alo, &ahi);
		if (lo < alo || hi > ahi)
			continue;
		for (j = 0; j < ar->n; j++)
			if (approver_matches(e, &ar->approvers[j], n))
				return true;
	}
	return false;
}

static bool prefix_in(const struct rg_prefix *v, size_t n, const struct rg_prefix *x)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].bits == x->bits && rg_addr_cmp(&v[i].addr, &x->addr) == 0)
			return true;
	return false;
}

static int add_route(struct rg_eval *e, struct rg_u32vec *tmp, uint32_t node, const struct rg_prefix *r,
		     bool *has4, bool *has6)
{
	struct eval_priv *pv = eval_priv(e);
	struct rg_eval_node *n = &e->nodes[node];
	struct route_ix *ri;
	struct rg_prefix *np;
	rg_u128 lo, hi;

	(void)tmp;
	if (r->bits == 0) {
		if (r->addr.is6)
			*has6 = true;
		else
			*has4 = true;
		return 0;
	}
	rg_prefix_bounds(r, &lo, &hi);
	np = realloc(n->routes, (n->nroutes + 1) * sizeof(*np));
	if (!np)
		return -1;
	n->routes = np;
	np[n->nroutes++] = *r;
	ri = realloc(pv->routes, (pv->nroutes + 1) * sizeof(*ri));
	if (!ri)
		return -1;
	pv->routes = ri;
	ri[pv->nroutes++] = (struct route_ix){ lo, hi, r->addr.is6, node };
	return rg_ipset_add_prefix(&pv->subnet_routes, r);
}

int eval_index_build(struct rg_eval *e)
{
	struct eval_priv *pv = eval_priv(e);
	const struct rg_inventory *inv = e->inv;
	size_t i, j, k = 0;

	e->nodes = calloc(inv->nnodes ? inv->nnodes : 1, sizeof(*e->nodes));
	if (!e->nodes)
		return -1;
	e->nnodes = inv->nnodes;
	for (i = 0; i < inv->nnodes; i++) {
		const struct rg_inv_node *in = &inv->nodes[i];
		struct rg_eval_node *n = &e->nodes[i];

		n->node = in;
		n->tagged = in->ntags > 0;
		n->user = RG_EVAL_NONE;
		k += in->nips;
		if (!n->tagged && in->user) {
			struct rg_u32vec *v = map_vec(pv, &pv->user_nodes, in->user);
			void *ui = rg_map_get(&pv->user_index, in->user, strlen(in->user));

			if (!v || rg_u32vec_push(v, (uint32_t)i) < 0)
				return -1;
			if (!ui) {
				const char **u = realloc(pv->users, (pv->nusers + 1) * sizeof(*u));

				if (!u)
					return -1;
				pv->users = u;
				u[pv->nusers++] = in->user;
				ui = (void *)(uintptr_t)pv->nusers;
				if (rg_map_put(&pv->user_index, in->user, strlen(in->user), ui, NULL) < 0)
					return -1;
			}
			n->user = (uint32_t)((uintptr_t)ui - 1);
		}
		for (j = 0; j < in->ntags; j++) {
			struct rg_u32vec *v = map_vec(pv, &pv->tag_nodes, in->tag_keys[j]);

			if (!v || (v->n && v->v[v->n - 1] == i))
				continue; /* a tag listed twice on one node */
			if (rg_u32vec_push(v, (uint32_t)i) < 0)
				return -1;
		}
	}
	pv->addrs = malloc((k ? k : 1) * sizeof(*pv->addrs));
	if (!pv->addrs)
		return -1;
	for (i = 0; i < inv->nnodes; i++)
		for (j = 0; j < inv->nodes[i].nips; j++)
			pv->addrs[pv->naddrs++] = (struct addr_ix){ rg_addr_to_u128(&inv->nodes[i].ips[j]),
								    inv->nodes[i].ips[j].is6,
								    (uint32_t)i };
	if (pv->naddrs > 1)
		qsort(pv->addrs, pv->naddrs, sizeof(*pv->addrs), addr_cmp);

	/* Approved routes: as the inventory says, plus what autoApprovers approves. */
	for (i = 0; i < inv->nnodes; i++) {
		const struct rg_inv_node *in = &inv->nodes[i];
		bool v4 = false, v6 = false;

		for (j = 0; j < in->napproved; j++)
			if (in->approved[j].bits <= 128 &&
			    add_route(e, NULL, (uint32_t)i, &in->approved[j], &v4, &v6) < 0)
				return -1;
		for (j = 0; j < in->nroutable; j++) {
			const struct rg_prefix *r = &in->routable[j];

			if (r->bits > 128 || prefix_in(in->approved, in->napproved, r) ||
			    !auto_approved(e, &e->nodes[i], r))
				continue;
			if (add_route(e, NULL, (uint32_t)i, r, &v4, &v6) < 0)
				return -1;
		}
		e->nodes[i].exit_node = v4 || v6;
	}
	if (pv->nroutes > 1)
		qsort(pv->routes, pv->nroutes, sizeof(*pv->routes), route_cmp);
	rg_ipset_normalize(&pv->subnet_routes);
	return 0;
}

void eval_index_free(struct rg_eval *e)
{
	struct eval_priv *pv = eval_priv(e);
	struct rg_map_slot *s;
	size_t i = 0;

	while ((s = rg_map_next(&pv->user_nodes, &i)))
		rg_u32vec_free(s->val);
	i = 0;
	while ((s = rg_map_next(&pv->tag_nodes, &i)))
		rg_u32vec_free(s->val);
	rg_map_free(&pv->user_nodes);
	rg_map_free(&pv->tag_nodes);
	rg_map_free(&pv->user_index);
	free(pv->users);
	free(pv->addrs);
	free(pv->routes);
	rg_ipset_free(&pv->subnet_routes);
}

uint32_t rg_eval_node_by_addr(const struct rg_eval *e, const struct rg_addr *a)
{
	const struct eval_priv *pv = eval_priv(e);
	struct addr_ix key = { rg_addr_to_u128(a), a->is6, 0 };
	size_t lo = 0, hi = pv->naddrs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr_cmp(&pv->addrs[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < pv->naddrs && addr_cmp(&pv->addrs[lo], &key) == 0)
		return pv->addrs[lo].node;
	return RG_EVAL_NONE;
}

/* First index in addrs with (is6, a) >= (is6, v). */
static size_t addr_lower(const struct eval_priv *pv, uint8_t is6, rg_u128 v)
{
	struct addr_ix key = { v, is6, 0 };
	size_t lo = 0, hi = pv->naddrs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr_cmp(&pv->addrs[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int eval_each_node_in_range(const struct rg_eval *e, uint8_t is6, rg_u128 lo, rg_u128 hi,
			    int (*fn)(uint32_t node, void *arg), void *arg)
{
	const struct eval_priv *pv = eval_priv(e);
	size_t i;

	for (i = addr_lower(pv, is6, lo); i < pv->naddrs; i++) {
		if (pv->addrs[i].is6 != is6 || pv->addrs[i].a > hi)
			break;
		if (fn(pv->addrs[i].node, arg) < 0)
			return -1;
	}
	return 0;
}

int eval_each_route_overlap(const struct rg_eval *e, uint8_t is6, rg_u128 lo, rg_u128 hi,
			    int (*fn)(uint32_t node, void *arg), void *arg)
{
	const struct eval_priv *pv = eval_priv(e);
	size_t i;

	/* Routes are few; a scan keeps this simple and exact for nested prefixes. */
	for (i = 0; i < pv->nroutes; i++) {
		const struct route_ix *r = &pv->routes[i];

		if (r->is6 != is6 || r->hi < lo || r->lo > hi)
			continue;
		if (fn(r->node, arg) < 0)
			return -1;
	}
	return 0;
}

struct collect {
	struct rg_u32vec v;
};

static int collect_node(uint32_t node, void *arg)
{
	return rg_u32vec_push(&((struct collect *)arg)->v, node);
}

int rg_eval_nodes_in(const struct rg_eval *e, const struct rg_ipset *set, bool routes,
		     uint32_t **out, size_t *n)
{
	struct collect c = { { NULL, 0, 0 } };
	size_t i, k;

	for (i = 0; i < set->n4 + set->n6; i++) {
		bool is6 = i >= set->n4;
		rg_u128 lo = is6 ? set->v6[i - set->n4].lo : set->v4[i].lo;
		rg_u128 hi = is6 ? set->v6[i - set->n4].hi : set->v4[i].hi;

		if (eval_each_node_in_range(e, is6, lo, hi, collect_node, &c) < 0 ||
		    (routes && eval_each_route_overlap(e, is6, lo, hi, collect_node, &c) < 0)) {
			rg_u32vec_free(&c.v);
			return -1;
		}
	}
	if (c.v.n > 1) {
		qsort(c.v.v, c.v.n, sizeof(uint32_t), u32_cmp);
		for (i = 1, k = 1; i < c.v.n; i++)
			if (c.v.v[i] != c.v.v[k - 1])
				c.v.v[k++] = c.v.v[i];
		c.v.n = k;
	}
	*out = c.v.v;
	*n = c.v.n;
	return 0;
}

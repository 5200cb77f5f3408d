/*
 * Compiling policy rules into filter rules, and handing their entries to
 * the nodes that receive them (headscale's algorithm, aligned with the
 * SaaS captures; see spec/policy-format.md §6).
 */
#include <stdlib.h>
#include <string.h>

#include "eval/internal.h"

const uint8_t rg_proto_default[RG_PROTO_DEFAULT_COUNT] = { 1, 6, 17, 58 };


struct rule_vec {
	struct rg_eval_rule *v;
	size_t n, cap;
};

static struct rg_eval_rule *rule_new(struct rule_vec *rv)
{
	struct rg_eval_rule *r;

	if (rv->n == rv->cap) {
		size_t c = rv->cap ? rv->cap * 2 : 16;
		struct rg_eval_rule *p = realloc(rv->v, c * sizeof(*p));

		if (!p)
			return NULL;
		rv->v = p;
		rv->cap = c;
	}
	r = &rv->v[rv->n++];
	memset(r, 0, sizeof(*r));
	rg_ipset_init(&r->src);
	r->self_user = RG_EVAL_NONE;
	return r;
}

/* entries × port ranges, in that order (a node's entries stay contiguous). */
static int with_ports(const struct entry_vec *dst, const struct rg_ipproto *ip,
		      struct rg_eval_rule *r)
{
	size_t i, k, n = 0;

	if (!dst->n || !ip->nports)
		return 0;
	r->entries = malloc(dst->n * ip->nports * sizeof(*r->entries));
	if (!r->entries)
		return -1;
	for (i = 0; i < dst->n; i++)
		for (k = 0; k < ip->nports; k++) {
			r->entries[n] = dst->v[i];
			r->entries[n++].ports = ip->ports[k];
		}
	r->nentries = n;
	return 0;
}

static int copy_entries(const struct entry_vec *dst, struct rg_eval_rule *r)
{
	size_t i;

	if (!dst->n)
		return 0;
	r->entries = malloc(dst->n * sizeof(*r->entries));
	if (!r->entries)
		return -1;
	memcpy(r->entries, dst->v, dst->n * sizeof(*r->entries));
	for (i = 0; i < dst->n; i++)
		r->entries[i].ports = (struct rg_portrange){ 0, 65535 };
	r->nentries = dst->n;
	return 0;
}

/* The addresses of a list of entries ("*" gives the source wildcard set). */
static int entries_to_set(const struct rg_eval *e, const struct entry_vec *ev, struct rg_ipset *out)
{
	size_t i;

	for (i = 0; i < ev->n; i++) {
		const struct rg_eval_entry *x = &ev->v[i];

		if (x->any) {
			if (rg_ipset_union(out, &e->star) < 0)
				return -1;
		} else if (x->is6 ? rg_ipset_add_v6(out, x->lo, x->hi) < 0
				  : rg_ipset_add_v4(out, (uint32_t)x->lo, (uint32_t)x->hi) < 0) {
			return -1;
		}
	}
	rg_ipset_normalize(out);
	return 0;
}

static int add_companions(struct rg_eval *e, struct rule_vec *rv, const struct rg_rule *origin,
			  json_t *app, const struct rg_ipset *src, bool src_any,
			  const struct entry_vec *dst)
{
	static const char *const pairs[][2] = {
		{ RG_CAP_DRIVE, RG_CAP_DRIVE_SHARER },
		{ RG_CAP_RELAY, RG_CAP_RELAY_TARGET },
	};
	size_t i;

	for (i = 0; i < 2; i++) {
		struct rg_eval_rule *r;
		struct entry_vec ev = { NULL, 0, 0 };

		if (!json_object_get(app, pairs[i][0]))
			continue;
		r = rule_new(rv);
		if (!r)
			return -1;
		r->origin = origin;
		r->is_cap = true;
		r->companion = true;
		r->capmap = json_object();
		if (!r->capmap || json_object_set_new(r->capmap, pairs[i][1], json_null()) < 0)
			return -1;
		if (entries_to_set(e, dst, &r->src) < 0)
			return -1;
		if (src_any) {
			struct rg_eval_entry x;

			memset(&x, 0, sizeof(x));
			x.any = 1;
			x.owner = RG_EVAL_NONE;
			if (entry_push(&ev, &x) < 0)
				return -1;
		} else if (eval_entries_from_set(src, &ev) < 0) {
			free(ev.v);
			return -1;
		}
		r->entries = ev.v;
		r->nentries = ev.n;
		for (size_t k = 0; k < r->nentries; k++)
			r->entries[k].ports = (struct rg_portrange){ 0, 65535 };
	}
	return 0;
}

/* Emits the network rules and the cap rule for one (src, dst entries) pair. */
static int emit_rules(struct rg_eval *e, struct rule_vec *rv, const struct rg_rule *pr,
		      const struct rg_ipset *src, bool src_any, const struct entry_vec *dst,
		      uint32_t self_user)
{
	struct rg_eval_rule *r;
	size_t k;

	if (!dst->n)
		return 0;
	for (k = 0; k < pr->nip; k++) {
		if (!pr->ip[k].nports)
			continue;
		r = rule_new(rv);
		if (!r || rg_ipset_copy(&r->src, src) < 0)
			return -1;
		r->origin = pr;
		r->src_any = src_any;
		r->protos = pr->ip[k].protos;
		r->nprotos = pr->ip[k].nprotos;
		r->self_user = self_user;
		if (with_ports(dst, &pr->ip[k], r) < 0)
			return -1;
	}
	if (pr->app && pr->napp) {
		r = rule_new(rv);
		if (!r || rg_ipset_copy(&r->src, src) < 0)
			return -1;
		r->origin = pr;
		r->is_cap = true;
		r->src_any = src_any;
		r->self_user = self_user;
		r->capmap = json_incref(pr->app);
		if (copy_entries(dst, r) < 0)
			return -1;
		if (add_companions(e, rv, pr, pr->app, src, src_any, dst) < 0)
			return -1;
	}
	return 0;
}

static bool is_self(const struct rg_selector *s)
{
	return s->kind == RG_SEL_AUTOGROUP && s->autogroup == RG_AG_SELF;
}

static int compile_rule(struct rg_eval *e, struct rule_vec *rv, const struct rg_rule *pr,
			struct rg_err *err)
{
	struct eval_priv *pv = eval_priv(e);
	struct rg_ipset src, user_src, user_ips;
	struct entry_vec dst = { NULL, 0, 0 }, udst = { NULL, 0, 0 };
	bool src_any = false, any_dst = false, self = false;
	size_t i, u, first = rv->n;
	int ret = -1;

	rg_ipset_init(&src);
	rg_ipset_init(&user_src);
	rg_ipset_init(&user_ips);
	if (!pr->nsrc || !pr->ndst)
		return 0; /* src or dst [] yields nothing */
	for (i = 0; i < pr->nsrc; i++) {
		bool any;

		if (rg_eval_resolve_src(e, &pr->src[i], &src, &any, err) < 0)
			goto out;
		src_any = src_any || any;
	}
	rg_ipset_normalize(&src);
	for (i = 0; i < pr->ndst; i++) {
		if (is_self(&pr->dst[i])) {
			self = true;
			continue;
		}
		if (eval_dst_entries(e, &pr->dst[i], &dst, &any_dst, err) < 0)
			goto out;
	}
	if (emit_rules(e, rv, pr, &src, src_any, &dst, RG_EVAL_NONE) < 0)
		goto oom;
	/* autogroup:self: one instance per user, sources narrowed to that user's devices. */
	for (u = 0; self && u < pv->nusers; u++) {
		const struct rg_u32vec *nodes = eval_user_nodes(e, pv->users[u]);

		rg_ipset_clear(&user_ips);
		udst.n = 0;
		for (i = 0; nodes && i < nodes->n; i++) {
			const struct rg_inv_node *n = e->nodes[nodes->v[i]].node;

			if (eval_add_node_ips(&user_ips, n) < 0)
				goto oom;
			for (size_t j = 0; j < n->nips; j++) {
				struct rg_eval_entry x;

				memset(&x, 0, sizeof(x));
				x.is6 = n->ips[j].is6;
				x.lo = x.hi = rg_addr_to_u128(&n->ips[j]);
				x.owner = nodes->v[i];
				if (entry_push(&udst, &x) < 0)
					goto oom;
			}
		}
		rg_ipset_normalize(&user_ips);
		/* The user's devices are few: intersect starting from them. */
		if (rg_ipset_copy(&user_src, &user_ips) < 0 || rg_ipset_intersect(&user_src, &src) < 0)
			goto oom;
		if (rg_ipset_empty(&user_src))
			continue;
		if (emit_rules(e, rv, pr, &user_src, false, &udst, (uint32_t)u) < 0)
			goto oom;
	}
	(void)first;
	ret = 0;
	goto out;
oom:
	rg_err_set(err, "out of memory");
out:
	free(dst.v);
	free(udst.v);
	rg_ipset_free(&src);
	rg_ipset_free(&user_src);
	rg_ipset_free(&user_ips);
	return ret;
}

/* ---- receivers ----------------------------------------------------------- */

struct recv_ctx {
	struct rg_eval *e;
	uint32_t rule;
	uint32_t entry;
};

static int give(uint32_t node, void *arg)
{
	struct recv_ctx *c = arg;
	struct rg_eval_node *n = &c->e->nodes[node];
	struct rg_eval_item *last = n->nitems ? &n->items[n->nitems - 1] : NULL;

	if (last && last->rule == c->rule) {
		if (last->first + last->count == c->entry) {
			last->count++;
			return 0;
		}
		if (c->entry >= last->first && c->entry < last->first + last->count)
			return 0; /* already received (address and route both match) */
	}
	if (n->nitems == n->capitems) {
		size_t cap = n->capitems ? n->capitems * 2 : 4;
		struct rg_eval_item *p = realloc(n->items, cap * sizeof(*p));

		if (!p)
			return -1;
		n->items = p;
		n->capitems = cap;
	}
	n->items[n->nitems++] = (struct rg_eval_item){ c->rule, c->entry, 1 };
	return 0;
}

static bool inside_internet(const struct rg_eval *e, const struct rg_eval_entry *x)
{
	struct rg_ipset one;
	struct rg_iv4 v4;
	struct rg_iv6 v6;

	rg_ipset_init(&one);
	if (x->is6) {
		v6 = (struct rg_iv6){ x->lo, x->hi };
		one.v6 = &v6;
		one.n6 = 1;
	} else {
		v4 = (struct rg_iv4){ (uint32_t)x->lo, (uint32_t)x->hi };
		one.v4 = &v4;
		one.n4 = 1;
	}
	return rg_ipset_covers(&e->internet, &one);
}

static bool has_via_tag(const struct rg_inv_node *n, const struct rg_rule *pr)
{
	size_t i, j;

	for (i = 0; i < pr->nvia; i++)
		for (j = 0; j < n->ntags; j++)
			if (strcmp(n->tag_keys[j], pr->via[i].key) == 0)
				return true;
	return false;
}

struct via_ctx {
	struct recv_ctx rc;
	const struct rg_rule *pr;
};

static int give_via(uint32_t node, void *arg)
{
	struct via_ctx *c = arg;

	if (!has_via_tag(c->rc.e->nodes[node].node, c->pr))
		return 0;
	return give(node, &c->rc);
}

static int assign(struct rg_eval *e, uint32_t ri)
{
	const struct rg_eval_rule *r = &e->rules[ri];
	const struct rg_rule *pr = r->origin;
	bool via = pr && pr->has_via && pr->nvia && !r->companion;
	struct recv_ctx c = { e, ri, 0 };
	size_t k, i;

	for (k = 0; k < r->nentries; k++) {
		const struct rg_eval_entry *x = &r->entries[k];

		c.entry = (uint32_t)k;
		if (via) {
			struct via_ctx vc = { c, pr };

			if (!x->any && eval_each_route_overlap(e, x->is6, x->lo, x->hi, give_via, &vc) < 0)
				return -1;
			if (x->any || inside_internet(e, x))
				for (i = 0; i < e->nnodes; i++)
					if (e->nodes[i].exit_node && give_via((uint32_t)i, &vc) < 0)
						return -1;
			continue;
		}
		if (x->any) {
			for (i = 0; i < e->nnodes; i++)
				if (give((uint32_t)i, &c) < 0)
					return -1;
			continue;
		}
		if (x->owner != RG_EVAL_NONE) {
			if (give(x->owner, &c) < 0)
				return -1;
			continue;
		}
		if (eval_each_node_in_range(e, x->is6, x->lo, x->hi, give, &c) < 0)
			return -1;
		if (r->is_cap)
			continue; /* capability destinations are the node's own addresses */
		if (eval_each_route_overlap(e, x->is6, x->lo, x->hi, give, &c) < 0)
			return -1;
		if (inside_internet(e, x))
			for (i = 0; i < e->nnodes; i++)
				if (e->nodes[i].exit_node && give((uint32_t)i, &c) < 0)
					return -1;
	}
	return 0;
}

static int default_allow_all(struct rg_eval *e, struct rule_vec *rv)
{
	struct rg_eval_rule *r = rule_new(rv);

	if (!r || rg_ipset_copy(&r->src, &e->star) < 0)
		return -1;
	r->entries = calloc(1, sizeof(*r->entries));
	if (!r->entries)
		return -1;
	r->entries[0].any = 1;
	r->entries[0].owner = RG_EVAL_NONE;
	r->entries[0].ports = (struct rg_portrange){ 0, 65535 };
	r->nentries = 1;
	return 0;
}

int eval_compile(struct rg_eval *e, struct rg_err *err)
{
	const struct rg_policy *p = e->policy;
	struct rule_vec rv = { NULL, 0, 0 };
	size_t i;

	/* No grants and no acls at all: Tailscale's default allows everything. */
	if (!p->present[RG_SEC_GRANTS] && !p->present[RG_SEC_ACLS]) {
		if (default_allow_all(e, &rv) < 0)
			goto oom;
	}
	for (i = 0; i < p->nrules; i++)
		if (compile_rule(e, &rv, p->rules[i], err) < 0)
			goto fail;
	e->rules = rv.v;
	e->nrules = rv.n;
	for (i = 0; i < e->nrules; i++)
		if (assign(e, (uint32_t)i) < 0)
			return rg_err_set(err, "out of memory");
	return 0;
oom:
	rg_err_set(err, "out of memory");
fail:
	e->rules = rv.v;
	e->nrules = rv.n;
	return -1;
}

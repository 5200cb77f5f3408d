/* Selectors to addresses (sources) and to DstPorts/CapGrant entries (destinations). */
#include <stdlib.h>
#include <string.h>

#include "eval/internal.h"

int entry_push(struct entry_vec *ev, const struct rg_eval_entry *x)
{
	if (ev->n == ev->cap) {
		size_t c = ev->cap ? ev->cap * 2 : 8;
		struct rg_eval_entry *p = realloc(ev->v, c * sizeof(*p));

		if (!p)
			return -1;
		ev->v = p;
		ev->cap = c;
	}
	ev->v[ev->n++] = *x;
	return 0;
}

int eval_entries_from_set(const struct rg_ipset *set, struct entry_vec *out)
{
	size_t i;

	for (i = 0; i < set->n4 + set->n6; i++) {
		struct rg_eval_entry x;
		bool is6 = i >= set->n4;

		memset(&x, 0, sizeof(x));
		x.is6 = is6;
		x.lo = is6 ? set->v6[i - set->n4].lo : set->v4[i].lo;
		x.hi = is6 ? set->v6[i - set->n4].hi : set->v4[i].hi;
		x.owner = RG_EVAL_NONE;
		if (entry_push(out, &x) < 0)
			return -1;
	}
	return 0;
}

/* The nodes a principal selector stands for (users, groups, tags, autogroups). */
static int principal_nodes(struct rg_eval *e, const struct rg_selector *sel, struct rg_u32vec *out,
			   bool *handled, struct rg_err *err)
{
	struct eval_priv *pv = eval_priv(e);
	const struct rg_u32vec *v;
	size_t i, j;

	*handled = true;
	switch (sel->kind) {
	case RG_SEL_USER:
		v = eval_user_nodes(e, sel->text);
		for (i = 0; v && i < v->n; i++)
			if (rg_u32vec_push(out, v->v[i]) < 0)
				return -1;
		return 0;
	case RG_SEL_USER_DOMAIN:
		for (j = 0; j < pv->nusers; j++) {
			const char *at = strrchr(pv->users[j], '@');

			if (!at || strcmp(at + 1, sel->key) != 0)
				continue;
			v = eval_user_nodes(e, pv->users[j]);
			for (i = 0; v && i < v->n; i++)
				if (rg_u32vec_push(out, v->v[i]) < 0)
					return -1;
		}
		return 0;
	case RG_SEL_GROUP: {
		const struct rg_group *g = rg_policy_group(e->policy, sel->text);

		if (!g) {
			if (strchr(sel->text, '@'))
				return 0; /* a SCIM group: its members are not in the inventory */
			return rg_err_set(err, "group not found: \"%s\"", sel->text);
		}
		for (j = 0; j < g->n; j++) {
			if (g->members[j].kind != RG_SEL_USER)
				continue;
			v = eval_user_nodes(e, g->members[j].text);
			for (i = 0; v && i < v->n; i++)
				if (rg_u32vec_push(out, v->v[i]) < 0)
					return -1;
		}
		return 0;
	}
	case RG_SEL_TAG:
		if (!rg_policy_tag(e->policy, sel->key))
			return rg_err_set(err, "tag not found: \"%s\"", sel->text);
		v = eval_tag_nodes(e, sel->key);
		for (i = 0; v && i < v->n; i++)
			if (rg_u32vec_push(out, v->v[i]) < 0)
				return -1;
		return 0;
	case RG_SEL_AUTOGROUP:
		switch (sel->autogroup) {
		case RG_AG_MEMBER:
		case RG_AG_MEMBERS:
		case RG_AG_TAGGED:
			for (i = 0; i < e->nnodes; i++) {
				bool tagged = e->nodes[i].tagged;

				if (sel->autogroup == RG_AG_TAGGED ? !tagged
								   : (tagged || !e->nodes[i].node->user))
					continue;
				if (rg_u32vec_push(out, (uint32_t)i) < 0)
					return -1;
			}
			return 0;
		case RG_AG_SHARED:
		case RG_AG_ADMIN:
		case RG_AG_OWNER:
		case RG_AG_IT_ADMIN:
		case RG_AG_NETWORK_ADMIN:
		case RG_AG_BILLING_ADMIN:
		case RG_AG_AUDITOR:
			/* Roles and shares are not in the inventory: nobody. */
			return 0;
		default:
			break;
		}
		break;
	default:
		break;
	}
	*handled = false;
	return 0;
}

static int u32cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void u32vec_uniq(struct rg_u32vec *v)
{
	size_t i, k;

	if (v->n < 2)
		return;
	qsort(v->v, v->n, sizeof(uint32_t), u32cmp);
	for (i = 1, k = 1; i < v->n; i++)
		if (v->v[i] != v->v[k - 1])
			v->v[k++] = v->v[i];
	v->n = k;
}

int eval_add_internet(struct rg_ipset *out)
{
	static const struct {
		uint32_t lo, hi;
	} v4[] = {
		{ 0x00000000u, 0x09ffffffu }, { 0x0b000000u, 0x643fffffu },
		{ 0x64800000u, 0xa9fdffffu }, { 0xa9ff0000u, 0xac0fffffu },
		{ 0xac200000u, 0xc0a7ffffu }, { 0xc0a90000u, 0xffffffffu },
	};
	size_t i;

	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++)
		if (rg_ipset_add_v4(out, v4[i].lo, v4[i].hi) < 0)
			return -1;
	/* 2000::/3 */
	return rg_ipset_add_v6(out, (rg_u128)0x2000 << 112, ((rg_u128)0x4000 << 112) - 1);
}

int eval_ipset_def(struct rg_eval *e, const char *name, struct rg_ipset *out, unsigned depth,
		   struct rg_err *err)
{
	struct eval_priv *pv = eval_priv(e);
	const struct rg_ipset_def *d = rg_policy_ipset(e->policy, name);
	struct rg_ipset *cached = rg_map_get(&pv->ipset_cache, name, strlen(name));
	struct rg_ipset acc, one;
	size_t i;
	int ret = -1;

	if (cached)
		return rg_ipset_union(out, cached);
	if (!d)
		return rg_err_set(err, "ipset not found: \"%s\"", name);
	if (depth > RG_IPSET_MAX_DEPTH)
		return rg_err_set(err, "ipset \"%s\": circular reference (or nested more than %d deep)",
				  name, RG_IPSET_MAX_DEPTH);
	rg_ipset_init(&acc);
	rg_ipset_init(&one);
	for (i = 0; i < d->n; i++) {
		const struct rg_selector *t = &d->ops[i].target;
		const struct rg_host *h;

		rg_ipset_clear(&one);
		switch (t->kind) {
		case RG_SEL_PREFIX:
			if (rg_ipset_add_prefix(&one, &t->prefix) < 0)
				goto out;
			break;
		case RG_SEL_RANGE:
			if (rg_ipset_add_range(&one, &t->lo, &t->hi) < 0)
				goto out;
			break;
		case RG_SEL_HOSTREF:
			h = rg_policy_host(e->policy, t->key);
			if (!h || !h->valid) {
				rg_err_set(err, "host not found: \"%s\"", t->key);
				goto out;
			}
			if (rg_ipset_add_prefix(&one, &h->prefix) < 0)
				goto out;
			break;
		case RG_SEL_IPSET:
			if (eval_ipset_def(e, t->text, &one, depth + 1, err) < 0)
				goto out;
			break;
		case RG_SEL_AUTOGROUP:
			if (t->autogroup == RG_AG_INTERNET) {
				if (eval_add_internet(&one) < 0)
					goto out;
				break;
			}
			/* fall through */
		default:
			rg_err_set(err, "\"%s\" cannot be used in an IP set", t->text);
			goto out;
		}
		rg_ipset_normalize(&one);
		if ((d->ops[i].remove ? rg_ipset_subtract(&acc, &one) : rg_ipset_union(&acc, &one)) < 0)
			goto out;
	}
	cached = rg_arena_alloc(&pv->arena, sizeof(*cached));
	if (!cached)
		goto out;
	rg_ipset_init(cached);
	if (rg_ipset_copy(cached, &acc) < 0) {
		rg_ipset_free(cached);
		goto out;
	}
	{
		struct rg_ipset **owned = realloc(pv->owned_sets,
						  (pv->nowned_sets + 1) * sizeof(*owned));

		if (!owned) {
			rg_ipset_free(cached);
			goto out;
		}
		pv->owned_sets = owned;
		owned[pv->nowned_sets++] = cached;
	}
	if (rg_map_put(&pv->ipset_cache, d->name, strlen(d->name), cached, NULL) < 0)
		goto out;
	ret = rg_ipset_union(out, &acc);
out:
	rg_ipset_free(&acc);
	rg_ipset_free(&one);
	return ret;
}

int rg_eval_resolve_src(struct rg_eval *e, const struct rg_selector *sel, struct rg_ipset *out,
			bool *any, struct rg_err *err)
{
	struct rg_u32vec nodes = { NULL, 0, 0 };
	const struct rg_host *h;
	bool handled;
	size_t i;
	int ret = -1;

	*any = false;
	if (principal_nodes(e, sel, &nodes, &handled, err) < 0)
		goto out;
	if (handled) {
		for (i = 0; i < nodes.n; i++)
			if (eval_add_node_ips(out, e->nodes[nodes.v[i]].node) < 0)
				goto out;
		ret = 0;
		goto out;
	}
	switch (sel->kind) {
	case RG_SEL_WILDCARD:
		ret = rg_ipset_union(out, &e->star);
		break;
	case RG_SEL_PREFIX:
		ret = rg_ipset_add_prefix(out, &sel->prefix);
		break;
	case RG_SEL_RANGE:
		ret = rg_ipset_add_range(out, &sel->lo, &sel->hi);
		break;
	case RG_SEL_HOST:
		h = rg_policy_host(e->policy, sel->text);
		if (!h || !h->valid) {
			rg_err_set(err, "host not found: \"%s\"", sel->text);
			break;
		}
		ret = rg_ipset_add_prefix(out, &h->prefix);
		break;
	case RG_SEL_IPSET:
		ret = eval_ipset_def(e, sel->text, out, 0, err);
		break;
	case RG_SEL_SVC:
		ret = 0; /* service addresses are not in the inventory */
		break;
	case RG_SEL_AUTOGROUP:
		if (sel->autogroup == RG_AG_DANGER_ALL) {
			*any = true;
			if (rg_ipset_add_v4(out, 0, UINT32_MAX) < 0 ||
			    rg_ipset_add_v6(out, 0, ~(rg_u128)0) < 0)
				break;
			ret = 0;
		} else if (sel->autogroup == RG_AG_INTERNET) {
			ret = eval_add_internet(out);
		} else {
			rg_err_set(err, "\"%s\" cannot be a source", sel->text);
		}
		break;
	default:
		rg_err_set(err, "\"%s\": invalid address", sel->text);
		break;
	}
out:
	rg_u32vec_free(&nodes);
	return ret;
}

/*
 * Destination entries of one selector (ports are filled in by the caller).
 * Principals give one entry per node address, owned by that node; literal
 * addresses give their intervals; "*" gives one "any" entry.
 */
int eval_dst_entries(struct rg_eval *e, const struct rg_selector *sel, struct entry_vec *out,
		     bool *any_dst, struct rg_err *err)
{
	struct rg_u32vec nodes = { NULL, 0, 0 };
	struct rg_ipset set;
	bool handled, any;
	size_t i, j;
	int ret = -1;

	rg_ipset_init(&set);
	if (sel->kind == RG_SEL_WILDCARD) {
		struct rg_eval_entry x;

		memset(&x, 0, sizeof(x));
		x.any = 1;
		x.owner = RG_EVAL_NONE;
		*any_dst = true;
		ret = entry_push(out, &x);
		goto out;
	}
	if (principal_nodes(e, sel, &nodes, &handled, err) < 0)
		goto out;
	if (handled) {
		u32vec_uniq(&nodes);
		for (i = 0; i < nodes.n; i++) {
			const struct rg_inv_node *n = e->nodes[nodes.v[i]].node;

			for (j = 0; j < n->nips; j++) {
				struct rg_eval_entry x;

				memset(&x, 0, sizeof(x));
				x.is6 = n->ips[j].is6;
				x.lo = x.hi = rg_addr_to_u128(&n->ips[j]);
				x.owner = nodes.v[i];
				if (entry_push(out, &x) < 0)
					goto out;
			}
		}
		ret = 0;
		goto out;
	}
	if (sel->kind == RG_SEL_AUTOGROUP && sel->autogroup == RG_AG_DANGER_ALL) {
		rg_err_set(err, "cannot use autogroup:danger-all as a dst");
		goto out;
	}
	if (rg_eval_resolve_src(e, sel, &set, &any, err) < 0)
		goto out;
	rg_ipset_normalize(&set);
	ret = eval_entries_from_set(&set, out);
out:
	rg_u32vec_free(&nodes);
	rg_ipset_free(&set);
	return ret;
}

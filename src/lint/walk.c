/* Walking every selector and test name of a policy; small shared predicates. */
#include <string.h>

#include "lint/internal.h"

typedef void (*sel_fn)(struct lint_ctx *c, const struct rg_selector *s, enum lint_where w,
		       const struct rg_rule *rule, void *arg);

static void each(struct lint_ctx *c, const struct rg_selector *v, size_t n, enum lint_where w,
		 const struct rg_rule *rule, sel_fn fn, void *arg)
{
	size_t i;

	for (i = 0; i < n; i++)
		fn(c, &v[i], w, rule, arg);
}

void lint_each_selector(struct lint_ctx *c, sel_fn fn, void *arg)
{
	const struct rg_policy *p = c->p;
	size_t i, j;

	for (i = 0; i < p->ngrants; i++) {
		const struct rg_rule *r = &p->grants[i];

		each(c, r->src, r->nsrc, LW_RULE_SRC, r, fn, arg);
		each(c, r->dst, r->ndst, LW_RULE_DST, r, fn, arg);
		each(c, r->via, r->nvia, LW_VIA, r, fn, arg);
		each(c, r->src_posture, r->nsrc_posture, LW_POSTURE, r, fn, arg);
	}
	for (i = 0; i < p->nacls; i++) {
		const struct rg_acl *a = &p->acls[i];

		each(c, a->src, a->nsrc, LW_RULE_SRC, NULL, fn, arg);
		for (j = 0; j < a->ndst; j++)
			fn(c, &a->dst[j].sel, LW_RULE_DST, NULL, arg);
		each(c, a->src_posture, a->nsrc_posture, LW_POSTURE, NULL, fn, arg);
	}
	for (i = 0; i < p->ngroups; i++)
		each(c, p->groups[i].members, p->groups[i].n, LW_GROUP_MEMBER, NULL, fn, arg);
	for (i = 0; i < p->ntag_owners; i++)
		each(c, p->tag_owners[i].owners, p->tag_owners[i].n, LW_TAG_OWNER, NULL, fn, arg);
	for (i = 0; i < p->nipsets; i++)
		for (j = 0; j < p->ipsets[i].n; j++)
			fn(c, &p->ipsets[i].ops[j].target, LW_IPSET, NULL, arg);
	each(c, p->default_src_posture, p->ndefault_src_posture, LW_POSTURE, NULL, fn, arg);
	for (i = 0; i < p->nauto_routes; i++)
		each(c, p->auto_routes[i].approvers, p->auto_routes[i].n, LW_AUTO_APPROVER, NULL, fn,
		     arg);
	each(c, p->auto_exit, p->nauto_exit, LW_AUTO_APPROVER, NULL, fn, arg);
	for (i = 0; i < p->nauto_services; i++) {
		fn(c, &p->auto_services[i].key, LW_AUTO_APPROVER, NULL, arg);
		each(c, p->auto_services[i].approvers, p->auto_services[i].n, LW_AUTO_APPROVER, NULL,
		     fn, arg);
	}
	for (i = 0; i < p->nssh; i++) {
		const struct rg_ssh_rule *s = &p->ssh[i];

		each(c, s->src, s->nsrc, LW_SSH_SRC, NULL, fn, arg);
		each(c, s->dst, s->ndst, LW_SSH_DST, NULL, fn, arg);
		each(c, s->src_posture, s->nsrc_posture, LW_POSTURE, NULL, fn, arg);
		each(c, s->recorder, s->nrecorder, LW_RECORDER, NULL, fn, arg);
	}
	for (i = 0; i < p->nnode_attrs; i++)
		each(c, p->node_attrs[i].target, p->node_attrs[i].ntarget, LW_NODE_TARGET, NULL, fn,
		     arg);
}

typedef void (*name_fn)(struct lint_ctx *c, const char *s, size_t n, void *arg);

/* "host:port" -> "host" (the last colon; "[v6]:port" keeps the brackets off). */
static void dest_name(struct lint_ctx *c, const struct rg_str *d, name_fn fn, void *arg)
{
	const char *colon = memrchr(d->s, ':', d->len);
	size_t n = colon ? (size_t)(colon - d->s) : d->len;

	fn(c, d->s, n, arg);
}

static void dests(struct lint_ctx *c, const struct rg_str *v, size_t n, name_fn fn, void *arg)
{
	size_t i;

	for (i = 0; i < n; i++)
		dest_name(c, &v[i], fn, arg);
}

void lint_each_test_name(struct lint_ctx *c, name_fn fn, void *arg)
{
	const struct rg_policy *p = c->p;
	size_t i, j;

	for (i = 0; i < p->ntests; i++) {
		const struct rg_test *t = &p->tests[i];

		if (t->has_src)
			fn(c, t->src.s, t->src.len, arg);
		dests(c, t->accept, t->naccept, fn, arg);
		dests(c, t->deny, t->ndeny, fn, arg);
	}
	for (i = 0; i < p->nssh_tests; i++) {
		const struct rg_ssh_test *t = &p->ssh_tests[i];

		if (t->has_src)
			fn(c, t->src.s, t->src.len, arg);
		for (j = 0; j < t->ndst; j++)
			fn(c, t->dst[j].s, t->dst[j].len, arg);
	}
}

bool lint_is_relay_grant(const struct rg_rule *r)
{
	size_t i;

	if (r->origin != RG_ORIGIN_GRANT)
		return false;
	for (i = 0; i < r->napp; i++)
		if (r->app_names[i].len == sizeof(RG_CAP_RELAY) - 1 &&
		    memcmp(r->app_names[i].s, RG_CAP_RELAY, r->app_names[i].len) == 0)
			return true;
	return false;
}

bool lint_sel_is_everyone(const struct rg_selector *s)
{
	if (s->kind == RG_SEL_USER_DOMAIN)
		return true;
	if (s->kind != RG_SEL_AUTOGROUP)
		return false;
	return s->autogroup == RG_AG_MEMBER || s->autogroup == RG_AG_MEMBERS ||
	       s->autogroup == RG_AG_TAGGED || s->autogroup == RG_AG_DANGER_ALL;
}

/* IP sets one resolution may expand, so sets naming each other many times cannot blow up. */
#define IPSET_BUDGET 4096

static int addrs_of(const struct rg_policy *p, const struct rg_selector *s, struct rg_ipset *out,
		    unsigned *budget);

/* The ops of IP set name, in order, added to out; 0 when undefined or over budget. */
static int addrs_of_ipset(const struct rg_policy *p, const char *name, struct rg_ipset *out,
			  unsigned *budget)
{
	const struct rg_ipset_def *d = rg_policy_ipset(p, name);
	struct rg_ipset acc, one;
	size_t i;
	int ret = 1;

	if (!d || !*budget)
		return 0;
	(*budget)--;
	rg_ipset_init(&acc);
	rg_ipset_init(&one);
	for (i = 0; i < d->n; i++) {
		const struct rg_ipset_op *op = &d->ops[i];

		rg_ipset_clear(&one);
		if ((ret = addrs_of(p, &op->target, &one, budget)) != 1)
			break;
		rg_ipset_normalize(&one);
		if ((op->remove ? rg_ipset_subtract(&acc, &one) : rg_ipset_union(&acc, &one)) < 0) {
			ret = -1;
			break;
		}
	}
	if (ret == 1 && rg_ipset_union(out, &acc) < 0)
		ret = -1;
	rg_ipset_free(&acc);
	rg_ipset_free(&one);
	return ret;
}

static int add_host(const struct rg_host *h, struct rg_ipset *out)
{
	if (!h || !h->valid)
		return 0;
	return rg_ipset_add_prefix(out, &h->prefix) < 0 ? -1 : 1;
}

/* 1 with s's addresses added to out, 0 when s is no address or names nothing, -1 out of memory. */
static int addrs_of(const struct rg_policy *p, const struct rg_selector *s, struct rg_ipset *out,
		    unsigned *budget)
{
	switch (s->kind) {
	case RG_SEL_PREFIX:
		return rg_ipset_add_prefix(out, &s->prefix) < 0 ? -1 : 1;
	case RG_SEL_RANGE:
		return rg_ipset_add_range(out, &s->lo, &s->hi) < 0 ? -1 : 1;
	case RG_SEL_HOST:
		return add_host(rg_policy_host(p, s->text), out);
	case RG_SEL_HOSTREF:
		return add_host(rg_policy_host(p, s->key), out);
	case RG_SEL_IPSET:
		return addrs_of_ipset(p, s->text, out, budget);
	case RG_SEL_AUTOGROUP:
		/* autogroup:internet (IP sets) lies outside the tailnet ranges: nothing to add. */
		return s->autogroup == RG_AG_INTERNET ? 1 : 0;
	default:
		return 0;
	}
}

int lint_sel_addrs(struct lint_ctx *c, const struct rg_selector *s, struct rg_ipset *out)
{
	unsigned budget = IPSET_BUDGET;
	int ret = addrs_of(c->p, s, out, &budget);

	if (ret < 0)
		c->oom = true;
	rg_ipset_normalize(out);
	return ret;
}

/* 100.64.0.0/10 and fd7a:115c:a1e0::/48, Tailscale's address ranges: either is every device. */
bool lint_set_covers_tailnet(const struct rg_ipset *s)
{
	struct rg_iv4 v4 = { 0x64400000u, 0x647fffffu };
	struct rg_iv6 v6 = { (rg_u128)0xfd7a115ca1e0u << 80, 0 };
	struct rg_ipset t4 = { &v4, 1, 1, NULL, 0, 0, false };
	struct rg_ipset t6 = { NULL, 0, 0, &v6, 1, 1, false };

	v6.hi = v6.lo | (((rg_u128)1 << 80) - 1);
	return rg_ipset_covers(s, &t4) || rg_ipset_covers(s, &t6);
}

bool lint_sel_covers_tailnet(struct lint_ctx *c, const struct rg_selector *s)
{
	struct rg_ipset set;
	bool covers;

	rg_ipset_init(&set);
	covers = lint_sel_addrs(c, s, &set) == 1 && lint_set_covers_tailnet(&set);
	rg_ipset_free(&set);
	return covers;
}

const char *lint_everyone_desc(const struct rg_selector *s)
{
	if (s->kind == RG_SEL_USER_DOMAIN)
		return "every user of that domain";
	switch (s->autogroup) {
	case RG_AG_MEMBER:
	case RG_AG_MEMBERS: return "every member of the tailnet";
	case RG_AG_TAGGED: return "every tagged device";
	case RG_AG_DANGER_ALL: return "every IP address";
	default: return "everyone";
	}
}

size_t lint_group_size(const struct lint_ctx *c, const struct rg_selector *s)
{
	const struct rg_group *g;

	if (s->kind != RG_SEL_GROUP || !(g = rg_policy_group(c->p, s->text)))
		return 0;
	return g->n;
}

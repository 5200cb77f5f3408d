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

/* 100.64.0.0/10 and fd7a:115c:a1e0::/48, Tailscale's address ranges. */
static bool prefix_covers_tailnet(const struct rg_prefix *p)
{
	static const struct rg_prefix v4 = { { 0, { 100, 64 } }, 10 };
	static const struct rg_prefix v6 = {
		{ 1, { 0xfd, 0x7a, 0x11, 0x5c, 0xa1, 0xe0 } }, 48
	};
	const struct rg_prefix *t = p->addr.is6 ? &v6 : &v4;
	rg_u128 plo, phi, tlo, thi;

	rg_prefix_bounds(p, &plo, &phi);
	rg_prefix_bounds(t, &tlo, &thi);
	return plo <= tlo && thi <= phi;
}

bool lint_sel_covers_tailnet(const struct lint_ctx *c, const struct rg_selector *s)
{
	const struct rg_host *h;

	if (s->kind == RG_SEL_PREFIX)
		return prefix_covers_tailnet(&s->prefix);
	if (s->kind == RG_SEL_HOST && (h = rg_policy_host(c->p, s->text)) && h->valid)
		return prefix_covers_tailnet(&h->prefix);
	return false;
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

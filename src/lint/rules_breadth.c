/*
 * Breadth: allow-all, wildcard-src, app-wildcard-src, danger-all,
 * tag-owner-broad, ssh-broad.
 */
#include <string.h>

#include "lint/internal.h"

static bool has_wildcard(const struct rg_selector *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].kind == RG_SEL_WILDCARD)
			return true;
	return false;
}

/* Whether the ranges of v (in any order) cover every port from 1 to 65535. */
static bool ports_cover_all(const struct rg_portrange *v, size_t n)
{
	unsigned next = 1; /* first port not covered yet; port 0 carries nothing */
	bool grew = true;
	size_t i;

	while (grew && next <= 65535) {
		grew = false;
		for (i = 0; i < n; i++)
			if (v[i].first <= next && v[i].last >= next) {
				next = (unsigned)v[i].last + 1;
				grew = true;
			}
	}
	return next > 65535;
}

/* "*" in a grant's ip, or "1-65535": the default protocols, every port. */
static bool ip_is_any(const struct rg_ipproto *ip)
{
	return ip->nprotos == 0 && ports_cover_all(ip->ports, ip->nports);
}

static bool grant_allows_all(const struct rg_rule *r)
{
	size_t i;

	if (!has_wildcard(r->src, r->nsrc) || !has_wildcard(r->dst, r->ndst))
		return false;
	for (i = 0; i < r->nip; i++)
		if (ip_is_any(&r->ip[i]))
			return true;
	return false;
}

/* The destination through which ACL a lets everyone reach everything, or NULL. */
static const struct rg_acl_dst *acl_allows_all(const struct rg_acl *a)
{
	size_t i;

	if (!has_wildcard(a->src, a->nsrc))
		return NULL;
	for (i = 0; i < a->ndst; i++)
		if (a->dst[i].sel.kind == RG_SEL_WILDCARD && ip_is_any(&a->dst[i].ports))
			return &a->dst[i];
	return NULL;
}

/* The first "*" among the sources, for the caret. */
static const struct rg_selector *first_wildcard(const struct rg_selector *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].kind == RG_SEL_WILDCARD)
			return &v[i];
	return NULL;
}

static void grants(struct lint_ctx *c)
{
	size_t i;

	for (i = 0; i < c->p->ngrants; i++) {
		const struct rg_rule *r = &c->p->grants[i];
		const struct rg_selector *w = first_wildcard(r->src, r->nsrc);
		bool relay = lint_is_relay_grant(r);

		if (!w)
			continue;
		if (lint_on(c, RG_LINT_ALLOW_ALL) && grant_allows_all(r))
			lint_report(c, RG_LINT_ALLOW_ALL, r->span,
				    "grant lets every source reach every destination on every port");
		else if (relay && !r->nip)
			continue; /* relay-wildcard-src says it; only the "ip" part is ours */
		else if (r->napp && !relay)
			lint_report(c, RG_LINT_APP_WILDCARD_SRC, w->span,
				    "application capability granted to \"*\": every device, shared user "
				    "and subnet route receives it");
		else
			lint_report(c, RG_LINT_WILDCARD_SRC, w->span,
				    "\"*\" as a source: every device, shared user and approved subnet "
				    "route");
	}
}

static void acls(struct lint_ctx *c)
{
	size_t i;

	for (i = 0; i < c->p->nacls; i++) {
		const struct rg_acl *a = &c->p->acls[i];
		const struct rg_selector *w = first_wildcard(a->src, a->nsrc);
		const struct rg_acl_dst *all;

		if (!w)
			continue;
		if (lint_on(c, RG_LINT_ALLOW_ALL) && (all = acl_allows_all(a)))
			lint_report(c, RG_LINT_ALLOW_ALL, a->span,
				    "ACL lets every source reach every destination on every port "
				    "(\"*\" to \"%s\")", all->text.s);
		else
			lint_report(c, RG_LINT_WILDCARD_SRC, w->span,
				    "\"*\" as a source: every device, shared user and approved subnet "
				    "route");
	}
}

static void danger_all(struct lint_ctx *c, const struct rg_selector *s, enum lint_where w,
		       const struct rg_rule *rule, void *arg)
{
	(void)arg;
	if (s->kind != RG_SEL_AUTOGROUP || s->autogroup != RG_AG_DANGER_ALL)
		return;
	if (w == LW_RULE_SRC && rule && lint_is_relay_grant(rule))
		return; /* relay-broad-src says it */
	lint_report(c, RG_LINT_DANGER_ALL, s->span,
		    "autogroup:danger-all matches every IP address, including ones outside the "
		    "tailnet");
}

static void tag_owners(struct lint_ctx *c)
{
	size_t i, j;

	for (i = 0; i < c->p->ntag_owners; i++) {
		const struct rg_tag_owner *t = &c->p->tag_owners[i];

		for (j = 0; j < t->n; j++)
			if (lint_sel_is_everyone(&t->owners[j]))
				lint_report(c, RG_LINT_TAG_OWNER_BROAD, t->owners[j].span,
					    "%s can be applied by %s (%s)", t->name, t->owners[j].text,
					    lint_everyone_desc(&t->owners[j]));
	}
}

static bool has_user(const struct rg_ssh_rule *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nusers; i++)
		if (strcmp(r->users[i].s, name) == 0)
			return true;
	return false;
}

static bool only_self(const struct rg_ssh_rule *r)
{
	size_t i;

	for (i = 0; i < r->ndst; i++)
		if (r->dst[i].kind != RG_SEL_AUTOGROUP || r->dst[i].autogroup != RG_AG_SELF)
			return false;
	return true;
}

static void ssh_rules(struct lint_ctx *c)
{
	size_t i, j;

	for (i = 0; i < c->p->nssh; i++) {
		const struct rg_ssh_rule *r = &c->p->ssh[i];
		bool root = has_user(r, "root"), nonroot = has_user(r, "autogroup:nonroot");
		const char *as = root && nonroot ? "root and as any non-root user" :
				 root ? "root" : "any non-root user";

		if ((!root && !nonroot) || only_self(r))
			continue;
		for (j = 0; j < r->nsrc; j++) {
			const struct rg_selector *s = &r->src[j];
			size_t n = lint_group_size(c, s);

			if (lint_sel_is_everyone(s))
				lint_report(c, RG_LINT_SSH_BROAD, s->span, "SSH as %s from %s (%s)", as,
					    s->text, lint_everyone_desc(s));
			else if (n > c->cfg->relay_max_group_size)
				lint_report(c, RG_LINT_SSH_BROAD, s->span,
					    "SSH as %s from %s (%zu members, more than %u)", as, s->text,
					    n, c->cfg->relay_max_group_size);
		}
	}
}

void lint_rules_breadth(struct lint_ctx *c)
{
	grants(c);
	acls(c);
	if (lint_on(c, RG_LINT_DANGER_ALL))
		lint_each_selector(c, danger_all, NULL);
	if (lint_on(c, RG_LINT_TAG_OWNER_BROAD))
		tag_owners(c);
	if (lint_on(c, RG_LINT_SSH_BROAD))
		ssh_rules(c);
}

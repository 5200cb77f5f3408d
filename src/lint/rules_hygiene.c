/*
 * Hygiene: unused-group, unused-tag, unused-host, unused-ipset, empty-group,
 * legacy-acls, naming.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lint/internal.h"

struct used {
	bool *groups, *tags, *hosts, *ipsets;
};

static void mark(bool *flags, const void *base, const void *found, size_t elem)
{
	if (found)
		flags[((const char *)found - (const char *)base) / elem] = true;
}

static void mark_group(struct lint_ctx *c, struct used *u, const char *name)
{
	mark(u->groups, c->p->groups, rg_policy_group(c->p, name), sizeof(*c->p->groups));
}

static void mark_tag(struct lint_ctx *c, struct used *u, const char *name)
{
	mark(u->tags, c->p->tag_owners, rg_policy_tag(c->p, name), sizeof(*c->p->tag_owners));
}

static void mark_host(struct lint_ctx *c, struct used *u, const char *name)
{
	mark(u->hosts, c->p->hosts, rg_policy_host(c->p, name), sizeof(*c->p->hosts));
}

static void mark_sel(struct lint_ctx *c, const struct rg_selector *s, enum lint_where w,
		     const struct rg_rule *rule, void *arg)
{
	struct used *u = arg;

	(void)w;
	(void)rule;
	switch (s->kind) {
	case RG_SEL_GROUP:
		mark_group(c, u, s->text);
		break;
	case RG_SEL_TAG:
		mark_tag(c, u, s->key);
		break;
	case RG_SEL_HOST:
		mark_host(c, u, s->text);
		break;
	case RG_SEL_HOSTREF:
		mark_host(c, u, s->key);
		break;
	case RG_SEL_IPSET:
		mark(u->ipsets, c->p->ipsets, rg_policy_ipset(c->p, s->text),
		     sizeof(*c->p->ipsets));
		break;
	default:
		break;
	}
}

static void mark_test_name(struct lint_ctx *c, const char *s, size_t n, void *arg)
{
	char name[256];

	if (n >= sizeof(name))
		return;
	memcpy(name, s, n);
	name[n] = '\0';
	if (strncmp(name, "group:", 6) == 0)
		mark_group(c, arg, name);
	else if (strncmp(name, "tag:", 4) == 0)
		mark_tag(c, arg, name);
	else
		mark_host(c, arg, name);
}

static void report_unused(struct lint_ctx *c, const struct used *u)
{
	const struct rg_policy *p = c->p;
	size_t i;

	for (i = 0; i < p->ngroups; i++)
		if (!u->groups[i])
			lint_report(c, RG_LINT_UNUSED_GROUP, p->groups[i].key_span,
				    "%s is defined but never used", p->groups[i].name);
	for (i = 0; i < p->ntag_owners; i++)
		if (!u->tags[i])
			lint_report(c, RG_LINT_UNUSED_TAG, p->tag_owners[i].key_span,
				    "%s is defined in tagOwners but never used", p->tag_owners[i].name);
	for (i = 0; i < p->nhosts; i++)
		if (!u->hosts[i])
			lint_report(c, RG_LINT_UNUSED_HOST, p->hosts[i].key_span,
				    "host \"%s\" is defined but never used", p->hosts[i].name);
	for (i = 0; i < p->nipsets; i++)
		if (!u->ipsets[i])
			lint_report(c, RG_LINT_UNUSED_IPSET, p->ipsets[i].key_span,
				    "%s is defined but never used", p->ipsets[i].name);
}

static void unused(struct lint_ctx *c)
{
	const struct rg_policy *p = c->p;
	struct used u;

	u.groups = calloc(p->ngroups + 1, sizeof(bool));
	u.tags = calloc(p->ntag_owners + 1, sizeof(bool));
	u.hosts = calloc(p->nhosts + 1, sizeof(bool));
	u.ipsets = calloc(p->nipsets + 1, sizeof(bool));
	if (!u.groups || !u.tags || !u.hosts || !u.ipsets) {
		c->oom = true;
	} else {
		lint_each_selector(c, mark_sel, &u);
		lint_each_test_name(c, mark_test_name, &u);
		report_unused(c, &u);
	}
	free(u.groups);
	free(u.tags);
	free(u.hosts);
	free(u.ipsets);
}

static void empty_groups(struct lint_ctx *c)
{
	size_t i;

	for (i = 0; i < c->p->ngroups; i++)
		if (c->p->groups[i].n == 0)
			lint_report(c, RG_LINT_EMPTY_GROUP, c->p->groups[i].key_span,
				    "%s has no members: rules naming it match nobody",
				    c->p->groups[i].name);
}

static void legacy_acls(struct lint_ctx *c)
{
	if (c->p->present[RG_SEC_ACLS])
		lint_report(c, RG_LINT_LEGACY_ACLS, c->p->section_key[RG_SEC_ACLS],
			    "\"acls\" is the legacy rule syntax (%zu ACL%s): \"grants\" says the same "
			    "and more", c->p->nacls, c->p->nacls == 1 ? "" : "s");
}

/* ---- naming ------------------------------------------------------------ */

static void check_names(struct lint_ctx *c, enum rg_lint_name which, const char *kind,
			const void *base, size_t n, size_t elem, size_t name_off, size_t span_off)
{
	const struct rg_lint_pattern *pat = &c->cfg->naming[which];
	pcre2_match_data *md;
	size_t i;

	if (!pat->code || !n)
		return;
	md = pcre2_match_data_create_from_pattern(pat->code, NULL);
	if (!md) {
		c->oom = true;
		return;
	}
	for (i = 0; i < n; i++) {
		const char *e = (const char *)base + i * elem;
		const char *name = *(const char *const *)(e + name_off);
		const struct rg_span *span = (const struct rg_span *)(e + span_off);
		int rc = pcre2_match(pat->code, (PCRE2_SPTR)name, strlen(name), 0,
				     PCRE2_ANCHORED | PCRE2_ENDANCHORED, md, NULL);

		if (rc == PCRE2_ERROR_NOMATCH)
			lint_report(c, RG_LINT_NAMING, *span,
				    "%s name \"%s\" does not match the naming pattern \"%s\"", kind,
				    name, pat->text);
	}
	pcre2_match_data_free(md);
}

#define CHECK_NAMES(c, which, kind, arr, n)                                               \
	check_names((c), (which), (kind), (arr), (n), sizeof(*(arr)),                       \
		    offsetof(__typeof__(*(arr)), name), offsetof(__typeof__(*(arr)), key_span))

static void naming(struct lint_ctx *c)
{
	const struct rg_policy *p = c->p;

	CHECK_NAMES(c, RG_LINT_NAME_GROUP, "group", p->groups, p->ngroups);
	CHECK_NAMES(c, RG_LINT_NAME_TAG, "tag", p->tag_owners, p->ntag_owners);
	CHECK_NAMES(c, RG_LINT_NAME_HOST, "host", p->hosts, p->nhosts);
	CHECK_NAMES(c, RG_LINT_NAME_IPSET, "IP set", p->ipsets, p->nipsets);
	CHECK_NAMES(c, RG_LINT_NAME_POSTURE, "posture", p->postures, p->npostures);
}

void lint_rules_hygiene(struct lint_ctx *c)
{
	if (lint_on(c, RG_LINT_UNUSED_GROUP) || lint_on(c, RG_LINT_UNUSED_TAG) ||
	    lint_on(c, RG_LINT_UNUSED_HOST) || lint_on(c, RG_LINT_UNUSED_IPSET))
		unused(c);
	if (lint_on(c, RG_LINT_EMPTY_GROUP))
		empty_groups(c);
	if (lint_on(c, RG_LINT_LEGACY_ACLS))
		legacy_acls(c);
	if (lint_on(c, RG_LINT_NAMING))
		naming(c);
}

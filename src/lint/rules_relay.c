/*
 * Peer-relay grants (app carries tailscale.com/cap/relay): relay-wildcard-src,
 * relay-broad-src, relay-wildcard-dst, relay-dst-untagged, relay-with-ip,
 * relay-unmatched.
 */
#include <stdlib.h>

#include "lint/internal.h"

/* Nodes of the inventory a selector stands for; -1 when it cannot be resolved. */
static long node_count(struct lint_ctx *c, const struct rg_selector *s)
{
	struct rg_ipset set;
	struct rg_err err;
	uint32_t *nodes = NULL;
	size_t n = 0;
	bool any;
	long ret = -1;

	rg_ipset_init(&set);
	if (rg_eval_resolve_src(c->eval, s, &set, &any, &err) == 0) {
		rg_ipset_normalize(&set);
		if (rg_eval_nodes_in(c->eval, &set, false, &nodes, &n) < 0)
			c->oom = true;
		else
			ret = (long)n;
	}
	free(nodes);
	rg_ipset_free(&set);
	return ret;
}

static void unmatched(struct lint_ctx *c, const struct rg_selector *s, const char *side, long n)
{
	if (n == 0)
		lint_report(c, RG_LINT_RELAY_UNMATCHED, s->span,
			    "peer-relay %s %s matches no node of the inventory", side, s->text);
}

static void relay_src(struct lint_ctx *c, const struct rg_selector *s)
{
	unsigned max = c->cfg->relay_max_group_size;
	size_t members = lint_group_size(c, s);
	long n = -1;
	bool broad = true, sized;

	if (s->kind == RG_SEL_WILDCARD)
		lint_report(c, RG_LINT_RELAY_WILDCARD_SRC, s->span,
			    "peer-relay grant to \"*\": every device may allocate relay endpoints and "
			    "would try the relay");
	else if (lint_sel_is_everyone(s))
		lint_report(c, RG_LINT_RELAY_BROAD_SRC, s->span,
			    "peer-relay grant to %s (%s): all of them may allocate relay endpoints",
			    s->text, lint_everyone_desc(s));
	else if (lint_sel_covers_tailnet(c, s))
		lint_report(c, RG_LINT_RELAY_BROAD_SRC, s->span,
			    "peer-relay grant to %s, which covers the whole tailnet", s->text);
	else if (members > max)
		lint_report(c, RG_LINT_RELAY_BROAD_SRC, s->span,
			    "peer-relay grant to %s (%zu members, more than %u)", s->text, members, max);
	else
		broad = false;
	if (!c->eval)
		return;
	/* The limit is on groups: a tag names a role, however many devices carry it. */
	sized = !broad && s->kind == RG_SEL_GROUP;
	if (sized || lint_on(c, RG_LINT_RELAY_UNMATCHED))
		n = node_count(c, s);
	if (sized && n > (long)max)
		lint_report(c, RG_LINT_RELAY_BROAD_SRC, s->span,
			    "peer-relay grant to %s (%ld devices, more than %u)", s->text, n, max);
	unmatched(c, s, "source", n);
}

/*
 * Address selectors of v that cover the tailnet only together (two /11
 * halves): how many there are, *first the first of them. 0 when they do
 * not, or when one covers it alone (reported on its own).
 */
static size_t addrs_together(struct lint_ctx *c, const struct rg_selector *v, size_t n,
			     const struct rg_selector **first)
{
	struct rg_ipset all, one;
	size_t i, k = 0;
	bool alone = false;

	*first = NULL;
	rg_ipset_init(&all);
	rg_ipset_init(&one);
	for (i = 0; i < n && !alone && !c->oom; i++) {
		rg_ipset_clear(&one);
		if (lint_sel_addrs(c, &v[i], &one) != 1)
			continue;
		alone = lint_set_covers_tailnet(&one);
		if (rg_ipset_union(&all, &one) < 0)
			c->oom = true;
		if (!k++)
			*first = &v[i];
	}
	if (alone || c->oom || k < 2 || !lint_set_covers_tailnet(&all))
		k = 0;
	rg_ipset_free(&all);
	rg_ipset_free(&one);
	return k;
}

static void relay_srcs_together(struct lint_ctx *c, const struct rg_rule *r)
{
	const struct rg_selector *first;
	size_t k = addrs_together(c, r->src, r->nsrc, &first);

	if (k)
		lint_report(c, RG_LINT_RELAY_BROAD_SRC, first->span,
			    "peer-relay grant to %s and %zu more address source%s, which together "
			    "cover the whole tailnet", first->text, k - 1, k > 2 ? "s" : "");
}

static void relay_dst(struct lint_ctx *c, const struct rg_selector *s)
{
	switch (s->kind) {
	case RG_SEL_WILDCARD:
		lint_report(c, RG_LINT_RELAY_WILDCARD_DST, s->span,
			    "\"*\" as peer-relay destination: every device becomes a relay");
		return;
	case RG_SEL_AUTOGROUP:
		lint_report(c, RG_LINT_RELAY_WILDCARD_DST, s->span,
			    "%s as peer-relay destination: each of its devices becomes a relay",
			    s->text);
		return;
	case RG_SEL_USER:
	case RG_SEL_USER_DOMAIN:
	case RG_SEL_GROUP:
		lint_report(c, RG_LINT_RELAY_DST_UNTAGGED, s->span,
			    "peer relay named by user or group %s: every device of theirs becomes a "
			    "relay; use a tag", s->text);
		break;
	case RG_SEL_PREFIX:
	case RG_SEL_RANGE:
	case RG_SEL_HOST:
	case RG_SEL_IPSET:
		if (lint_sel_covers_tailnet(c, s)) {
			lint_report(c, RG_LINT_RELAY_WILDCARD_DST, s->span,
				    "%s as peer-relay destination covers the whole tailnet: every "
				    "device becomes a relay", s->text);
			return;
		}
		lint_report(c, RG_LINT_RELAY_DST_UNTAGGED, s->span,
			    "peer relay named by address %s: whatever device holds it is the relay; "
			    "use a tag", s->text);
		break;
	default:
		break;
	}
	if (c->eval && lint_on(c, RG_LINT_RELAY_UNMATCHED))
		unmatched(c, s, "destination", node_count(c, s));
}

static void relay_dsts_together(struct lint_ctx *c, const struct rg_rule *r)
{
	const struct rg_selector *first;
	size_t k = addrs_together(c, r->dst, r->ndst, &first);

	if (k)
		lint_report(c, RG_LINT_RELAY_WILDCARD_DST, first->span,
			    "peer-relay destinations %s and %zu more address%s together cover the "
			    "whole tailnet: every device becomes a relay", first->text, k - 1,
			    k > 2 ? "es" : "");
}

void lint_rules_relay(struct lint_ctx *c)
{
	size_t i, j;

	for (i = 0; i < c->p->ngrants; i++) {
		const struct rg_rule *r = &c->p->grants[i];

		if (!lint_is_relay_grant(r))
			continue;
		for (j = 0; j < r->nsrc; j++)
			relay_src(c, &r->src[j]);
		if (lint_on(c, RG_LINT_RELAY_BROAD_SRC))
			relay_srcs_together(c, r);
		for (j = 0; j < r->ndst; j++)
			relay_dst(c, &r->dst[j]);
		if (lint_on(c, RG_LINT_RELAY_WILDCARD_DST))
			relay_dsts_together(c, r);
		if (r->nip)
			lint_report(c, RG_LINT_RELAY_WITH_IP, r->ip_span,
				    "peer-relay grant also opens network access (\"ip\"): the relay "
				    "capability needs none; give network access its own grant");
	}
}

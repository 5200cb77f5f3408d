/*
 * Tailscale's semantic validation of a policy, with its messages.
 *
 * Messages marked [S] were observed from Tailscale's control plane (the
 * shared conformance captures); [H] are headscale's where Tailscale's were
 * not captured; [R] are our own wording for checks neither source shows.
 * The control plane reports only its first error; we report all of them,
 * section by section in the order Tailscale's decoder meets them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/internal.h"
#include "relaygate/inventory.h"

struct vctx {
	struct rg_policy *p;
	const struct rg_inventory *inv;
	struct rg_diags *diags;
	size_t errors;
};

static void err(struct vctx *v, struct rg_span span, const char *fmt, ...) RG_PRINTF(3, 4);

static void err(struct vctx *v, struct rg_span span, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rg_diag_add(v->diags, RG_RULE_INVALID, RG_SEV_ERROR, v->p->src, span, "%s", msg);
	v->errors++;
}

static bool is_role_autogroup(enum rg_autogroup ag)
{
	return ag == RG_AG_ADMIN || ag == RG_AG_OWNER || ag == RG_AG_IT_ADMIN ||
	       ag == RG_AG_NETWORK_ADMIN || ag == RG_AG_BILLING_ADMIN || ag == RG_AG_AUDITOR;
}

static bool scim_group(const struct rg_selector *s)
{
	return strchr(s->text, '@') != NULL;
}

/* user:*@domain and localpart:*@domain: the domain must be the tailnet's. [S] */
static void check_domain(struct vctx *v, const struct rg_selector *s, const char *prefix)
{
	const char *domain = s->key;

	if (!v->inv)
		return; /* the tailnet's domains are unknown without an inventory */
	if (strcmp(domain, "passkey") == 0 || rg_inventory_has_domain(v->inv, domain))
		return;
	err(v, s->span,
	    "%s%s is not associated with this Tailnet and cannot be used in user:*@<domain> expressions",
	    prefix, domain);
}

static void check_tag_defined(struct vctx *v, const struct rg_selector *s, const char *ctx)
{
	if (!rg_policy_tag(v->p, s->key))
		err(v, s->span, "%stag not found: \"%s\"", ctx, s->text); /* [S] */
}

/*
 * A src or dst selector of a grant or ACL. ctx prefixes "not found"
 * messages ("src=", "dst=\"tag:x\": "), as Tailscale does.
 */
static void check_rule_sel(struct vctx *v, const struct rg_selector *s, const char *ctx, bool is_src)
{
	switch (s->kind) {
	case RG_SEL_WILDCARD:
	case RG_SEL_PREFIX:
	case RG_SEL_USER:
		return;
	case RG_SEL_USER_DOMAIN:
		check_domain(v, s, "");
		return;
	case RG_SEL_TAG:
		check_tag_defined(v, s, ctx);
		return;
	case RG_SEL_GROUP:
		if (!scim_group(s) && !rg_policy_group(v->p, s->text))
			err(v, s->span, "%sgroup not found: \"%s\"", ctx, s->text); /* [R] */
		return;
	case RG_SEL_HOST:
		if (!rg_policy_host(v->p, s->text))
			err(v, s->span, "%shost not found: \"%s\"", ctx, s->text); /* [R] */
		return;
	case RG_SEL_IPSET:
		if (!rg_policy_ipset(v->p, s->text))
			err(v, s->span, "%sipset not found: \"%s\"", ctx, s->text); /* [R] */
		return;
	case RG_SEL_SVC:
		if (is_src)
			err(v, s->span, "\"%s\" not valid on the src side of a rule", s->text); /* [R] */
		return;
	case RG_SEL_AUTOGROUP:
		switch (s->autogroup) {
		case RG_AG_UNKNOWN:
			err(v, s->span, "%sautogroup not found: \"%s\"", ctx, s->text); /* [R] */
			return;
		case RG_AG_SELF:
			if (is_src)
				err(v, s->span, "\"autogroup:self\" not valid on the src side of a rule"); /* [S] */
			return;
		case RG_AG_DANGER_ALL:
			if (!is_src)
				err(v, s->span, "cannot use autogroup:danger-all as a dst"); /* [S] */
			return;
		case RG_AG_INTERNET:
			if (is_src)
				err(v, s->span, "autogroup:internet can only be used in ACL destinations"); /* [H] */
			return;
		case RG_AG_SHARED:
			if (!is_src)
				err(v, s->span, "autogroup:shared can only be used as a source"); /* [R] */
			return;
		case RG_AG_NONROOT:
			err(v, s->span, "autogroup:nonroot can only be used in SSH users"); /* [R] */
			return;
		default:
			return;
		}
	case RG_SEL_RANGE:
	case RG_SEL_HOSTREF:
	case RG_SEL_POSTURE:
	case RG_SEL_LOCALPART:
	case RG_SEL_INVALID:
		err(v, s->span, "%s\"%s\": invalid address", is_src ? "src=" : "dst=", s->text); /* [R] */
		return;
	}
}

/* Sources allowed with an autogroup:self destination. [S] */
static bool self_src_ok(const struct rg_selector *s, bool acl)
{
	switch (s->kind) {
	case RG_SEL_USER:
	case RG_SEL_USER_DOMAIN:
	case RG_SEL_GROUP:
		return true;
	case RG_SEL_WILDCARD:
		return acl; /* ACLs accept "*" -> autogroup:self, grants do not */
	case RG_SEL_AUTOGROUP:
		return s->autogroup == RG_AG_MEMBER || s->autogroup == RG_AG_MEMBERS ||
		       is_role_autogroup(s->autogroup);
	default:
		return false;
	}
}

static void check_self(struct vctx *v, const struct rg_selector *src, size_t nsrc, bool acl,
		       struct rg_span span)
{
	size_t i;

	for (i = 0; i < nsrc; i++)
		if (!self_src_ok(&src[i], acl)) {
			err(v, span, "autogroup:self can only be used with users, groups, or supported autogroups");
			return;
		}
}

static void check_posture_refs(struct vctx *v, const struct rg_selector *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i].kind != RG_SEL_POSTURE)
			err(v, s[i].span, "\"%s\": postures must start with 'posture:'", s[i].text); /* [R] */
		else if (!rg_policy_posture(v->p, s[i].text))
			err(v, s[i].span, "posture not found: \"%s\"", s[i].text); /* [R] */
	}
}

/* ---- sections -------------------------------------------------------- */

static void check_groups(struct vctx *v)
{
	size_t i, j;

	for (i = 0; i < v->p->ngroups; i++) {
		const struct rg_group *g = &v->p->groups[i];

		if (strncmp(g->name, "group:", 6) != 0) {
			err(v, g->key_span, "group must start with 'group:', got: \"%s\"", g->name); /* [H] */
			continue;
		}
		if (policy_name_match(POLICY_NAME_GROUP, g->name, strlen(g->name)) != 1)
			err(v, g->key_span, "groups[\"%s\"]: invalid group name", g->name); /* [R] */
		for (j = 0; j < g->n; j++) {
			const struct rg_selector *m = &g->members[j];

			if (m->kind == RG_SEL_GROUP)
				err(v, m->span, "groups[\"%s\"]: \"%s\": group members cannot be recursive",
				    g->name, m->text); /* [S] */
			else if (m->kind != RG_SEL_USER ||
				 policy_name_match(POLICY_NAME_LOGIN, m->text, strlen(m->text)) != 1)
				err(v, m->span, "groups[\"%s\"]: \"%s\": group members must be users",
				    g->name, m->text); /* [R] */
		}
	}
}

static void check_tag_name(struct vctx *v, const char *name, struct rg_span span, const char *ctx)
{
	size_t n = strlen(name);
	unsigned char c;

	if (policy_name_match(POLICY_NAME_TAG, name, n) == 1)
		return;
	if (strncmp(name, "tag:", 4) != 0) {
		err(v, span, "%s: tags must start with 'tag:'", ctx); /* client lib */
		return;
	}
	if (n == 4) {
		err(v, span, "%s: tag names must not be empty", ctx);
		return;
	}
	c = (unsigned char)name[4];
	if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		err(v, span, "%s: tag names must start with a letter, after 'tag:'", ctx); /* [S] */
	else
		err(v, span, "%s: tag names can only contain numbers, letters, or dashes", ctx);
}

static void check_tag_owners(struct vctx *v)
{
	size_t i, j;
	char ctx[512];

	for (i = 0; i < v->p->ntag_owners; i++) {
		const struct rg_tag_owner *t = &v->p->tag_owners[i];

		snprintf(ctx, sizeof(ctx), "tagOwners[\"%s\"]", t->name);
		check_tag_name(v, t->name, t->key_span, ctx);
		for (j = 0; j < t->n; j++) {
			const struct rg_selector *o = &t->owners[j];

			switch (o->kind) {
			case RG_SEL_USER:
				break;
			case RG_SEL_USER_DOMAIN:
				check_domain(v, o, "");
				break;
			case RG_SEL_TAG:
				if (!rg_policy_tag(v->p, o->key))
					err(v, o->span, "%s: tag not found: \"%s\"", ctx, o->text); /* [R] */
				break;
			case RG_SEL_GROUP:
				if (!scim_group(o) && !rg_policy_group(v->p, o->text))
					err(v, o->span, "%s: group not found: \"%s\"", ctx, o->text); /* [R] */
				break;
			case RG_SEL_AUTOGROUP:
				if (o->autogroup == RG_AG_MEMBER || o->autogroup == RG_AG_MEMBERS ||
				    o->autogroup == RG_AG_TAGGED || is_role_autogroup(o->autogroup))
					break;
				/* fall through */
			default:
				err(v, o->span, "%s: invalid tag owner \"%s\"", ctx, o->text); /* [R] */
			}
		}
	}
}

static void check_hosts(struct vctx *v)
{
	size_t i;

	for (i = 0; i < v->p->nhosts; i++) {
		const struct rg_host *h = &v->p->hosts[i];

		if (policy_name_match(POLICY_NAME_HOST, h->name, strlen(h->name)) != 1)
			err(v, h->key_span, "hosts[\"%s\"]: invalid host name", h->name); /* [R] */
		if (!h->valid)
			err(v, h->value.span, "hostname contains invalid IP address: hostname \"%s\" address \"%s\"",
			    h->name, h->value.s ? h->value.s : ""); /* [H] */
	}
}

/*
 * For every IP set, whether a circular reference (or a chain deeper than
 * RG_IPSET_MAX_DEPTH) is reachable from it: one
 * iterative depth-first walk over the references, linear in their number
 * (sets that name the same set many times cannot make it exponential, and
 * a long chain cannot exhaust the stack). NULL when out of memory.
 */
static bool *ipset_cycles(const struct rg_policy *p)
{
	struct frame {
		size_t set, op;
	} *stack = malloc((p->nipsets ? p->nipsets : 1) * sizeof(*stack));
	uint8_t *state = calloc(p->nipsets ? p->nipsets : 1, 1); /* 0 new, 1 open, 2 done */
	bool *bad = calloc(p->nipsets ? p->nipsets : 1, sizeof(*bad));

	if (!stack || !state || !bad) {
		free(bad);
		bad = NULL;
		goto out;
	}
	for (size_t root = 0; root < p->nipsets; root++) {
		size_t top = 0;

		if (state[root])
			continue;
		stack[top++] = (struct frame){ root, 0 };
		state[root] = 1;
		while (top) {
			struct frame *f = &stack[top - 1];
			const struct rg_ipset_def *d = &p->ipsets[f->set];
			const struct rg_ipset_def *ref = NULL;
			size_t j;

			while (f->op < d->n && !ref) {
				const struct rg_selector *t = &d->ops[f->op++].target;

				if (t->kind == RG_SEL_IPSET)
					ref = rg_policy_ipset(p, t->text);
			}
			if (!ref) {
				state[f->set] = 2;
				if (--top && bad[f->set])
					bad[stack[top - 1].set] = true;
				continue;
			}
			j = (size_t)(ref - p->ipsets);
			if (state[j] == 1 || top >= RG_IPSET_MAX_DEPTH)
				bad[f->set] = true; /* j reaches f->set: a cycle (or too deep) */
			else if (state[j] == 2)
				bad[f->set] |= bad[j];
			else {
				state[j] = 1;
				stack[top++] = (struct frame){ j, 0 };
			}
		}
	}
out:
	free(stack);
	free(state);
	return bad;
}

static void check_ipsets(struct vctx *v)
{
	bool *cycle = ipset_cycles(v->p);
	size_t i, j;

	if (!cycle && v->p->nipsets)
		v->diags->oom = 1;

	for (i = 0; i < v->p->nipsets; i++) {
		const struct rg_ipset_def *d = &v->p->ipsets[i];

		if (strncmp(d->name, "ipset:", 6) != 0)
			err(v, d->key_span, "ipsets[\"%s\"]: ipset names must start with 'ipset:'", d->name);
		for (j = 0; j < d->n; j++) {
			const struct rg_selector *t = &d->ops[j].target;

			switch (t->kind) {
			case RG_SEL_PREFIX:
			case RG_SEL_RANGE:
				break;
			case RG_SEL_HOSTREF:
				if (!rg_policy_host(v->p, t->key))
					err(v, t->span, "ipsets[\"%s\"]: host not found: \"%s\"", d->name, t->key);
				break;
			case RG_SEL_IPSET:
				if (!rg_policy_ipset(v->p, t->text))
					err(v, t->span, "ipsets[\"%s\"]: ipset not found: \"%s\"", d->name, t->text);
				break;
			case RG_SEL_AUTOGROUP:
				if (t->autogroup == RG_AG_INTERNET)
					break;
				/* fall through */
			default:
				err(v, t->span, "ipsets[\"%s\"]: \"%s\" cannot be used in an IP set", d->name,
				    d->ops[j].text.s);
			}
		}
		if (cycle && cycle[i])
			err(v, d->key_span, "ipsets[\"%s\"]: circular reference (or nested more than %d "
			    "deep)", d->name, RG_IPSET_MAX_DEPTH);
	}
	free(cycle);
}

static void check_postures(struct vctx *v)
{
	size_t i, j;

	for (i = 0; i < v->p->npostures; i++) {
		const struct rg_posture *d = &v->p->postures[i];

		if (strncmp(d->name, "posture:", 8) != 0)
			err(v, d->key_span, "postures[\"%s\"]: posture names must start with 'posture:'",
			    d->name);
		for (j = 0; j < d->n; j++)
			if (!d->conds[j].len)
				err(v, d->conds[j].span, "postures[\"%s\"]: empty condition", d->name);
	}
	check_posture_refs(v, v->p->default_src_posture, v->p->ndefault_src_posture);
}

static void check_acls(struct vctx *v)
{
	size_t i, j;
	char ctx[1024];

	for (i = 0; i < v->p->nacls; i++) {
		const struct rg_acl *a = &v->p->acls[i];
		bool self = false;

		if (!a->action.s || strcmp(a->action.s, "accept") != 0)
			err(v, a->action.len ? a->action.span : a->span, "action=\"%s\" is not supported",
			    a->action.s ? a->action.s : ""); /* [S] */
		for (j = 0; j < a->nsrc; j++)
			check_rule_sel(v, &a->src[j], "src=", true);
		for (j = 0; j < a->ndst; j++) {
			const struct rg_selector *s = &a->dst[j].sel;

			if (!a->dst[j].valid)
				continue; /* its "selector:ports" error is already reported */
			snprintf(ctx, sizeof(ctx), "dst=\"%s\": ", s->text);
			check_rule_sel(v, s, ctx, false);
			if (s->kind == RG_SEL_AUTOGROUP && s->autogroup == RG_AG_SELF)
				self = true;
		}
		if (self)
			check_self(v, a->src, a->nsrc, true, a->span);
		check_posture_refs(v, a->src_posture, a->nsrc_posture);
	}
}

/* tailscale.com capabilities users may grant. [S] + docs */
static bool builtin_cap(const char *name)
{
	static const char *const caps[] = {
		"drive", "relay", "webui", "kubernetes", "tsidp", "secrets", "tailsql", "golink",
	};
	const char *path = strchr(name, '/');
	size_t i;

	if (!path || strncmp(path, "/cap/", 5) != 0)
		return false;
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (strcmp(path + 5, caps[i]) == 0)
			return true;
	return false;
}

static void check_grants(struct vctx *v)
{
	size_t i, j;

	for (i = 0; i < v->p->ngrants; i++) {
		const struct rg_rule *g = &v->p->grants[i];
		bool self = false, internet = false;

		if (g->nip == 0 && g->napp == 0)
			err(v, g->span, "ip and app can not both be empty"); /* [S] */
		for (j = 0; j < g->nsrc; j++)
			check_rule_sel(v, &g->src[j], "src=", true);
		for (j = 0; j < g->ndst; j++) {
			const struct rg_selector *s = &g->dst[j];

			check_rule_sel(v, s, "dst=", false);
			if (s->kind == RG_SEL_PREFIX && s->prefix.bits == 0)
				err(v, s->span,
				    "dst \"%s\": to allow all IP addresses, use \"*\" or \"autogroup:internet\"",
				    s->text); /* [S] */
			if (s->kind == RG_SEL_AUTOGROUP && s->autogroup == RG_AG_SELF)
				self = true;
			if (s->kind == RG_SEL_AUTOGROUP && s->autogroup == RG_AG_INTERNET)
				internet = true;
		}
		if (self)
			check_self(v, g->src, g->nsrc, false, g->span);
		if (internet && g->napp)
			err(v, g->app_span, "cannot use app grants with autogroup:internet"); /* [S] */
		for (j = 0; j < g->napp; j++) {
			const struct rg_str *c = &g->app_names[j];

			if (policy_name_match(POLICY_NAME_CAP, c->s, c->len) != 1)
				err(v, c->span, "capability name must have the form {domain}/{path}"); /* [S] */
			else if ((strncmp(c->s, "tailscale.com/", 14) == 0 ||
				  strncmp(c->s, "tailscale.io/", 13) == 0) && !builtin_cap(c->s))
				err(v, c->span, "capability name must not be in the tailscale.com domain"); /* [S] */
		}
		for (j = 0; j < g->nvia; j++) {
			const struct rg_selector *s = &g->via[j];

			if (s->kind != RG_SEL_TAG)
				err(v, s->span, "via can only be a tag"); /* [S] */
			else if (!rg_policy_tag(v->p, s->key))
				err(v, s->span, "tag \"%s\" not found", s->text); /* [S] */
		}
		check_posture_refs(v, g->src_posture, g->nsrc_posture);
	}
}

static void check_ssh(struct vctx *v)
{
	size_t i, j;
	char msg[256];

	for (i = 0; i < v->p->nssh; i++) {
		struct rg_ssh_rule *r = &v->p->ssh[i];
		struct rg_selector act;
		bool tagged_src = false, user_dst = false;

		/* action, trimmed as Tailscale does [S] */
		policy_selector_parse(policy_arena(v->p), r->action_text.s ? r->action_text.s : "",
				      r->action_text.len, r->action_text.span, &act);
		if (!act.text || !*act.text)
			err(v, r->action_text.s ? r->action_text.span : r->span, "action must be specified");
		else if (strcmp(act.text, "accept") == 0)
			r->action = RG_SSH_ACCEPT;
		else if (strcmp(act.text, "check") == 0)
			r->action = RG_SSH_CHECK;
		else
			err(v, r->action_text.span, "\"%s\" is not a valid action", act.text);

		for (j = 0; j < r->nsrc; j++) {
			const struct rg_selector *s = &r->src[j];

			switch (s->kind) {
			case RG_SEL_USER:
				break;
			case RG_SEL_USER_DOMAIN:
				check_domain(v, s, "[ssh] ");
				break;
			case RG_SEL_GROUP:
				if (!scim_group(s) && !rg_policy_group(v->p, s->text))
					err(v, s->span, "src=group not found: \"%s\"", s->text);
				break;
			case RG_SEL_TAG:
				check_tag_defined(v, s, "src=");
				tagged_src = true;
				break;
			case RG_SEL_AUTOGROUP:
				if (s->autogroup == RG_AG_TAGGED)
					tagged_src = true;
				if (s->autogroup == RG_AG_MEMBER || s->autogroup == RG_AG_MEMBERS ||
				    s->autogroup == RG_AG_TAGGED || is_role_autogroup(s->autogroup))
					break;
				/* fall through */
			default:
				err(v, s->span, "invalid src \"%s\"", s->text); /* [R] */
			}
		}
		for (j = 0; j < r->ndst; j++) {
			const struct rg_selector *s = &r->dst[j];

			switch (s->kind) {
			case RG_SEL_TAG:
				check_tag_defined(v, s, "dst=");
				break;
			case RG_SEL_AUTOGROUP:
				if (s->autogroup == RG_AG_SELF || s->autogroup == RG_AG_MEMBER ||
				    s->autogroup == RG_AG_MEMBERS) {
					user_dst = true;
					break;
				}
				if (s->autogroup == RG_AG_TAGGED)
					break;
				err(v, s->span, "invalid dst \"%s\"", s->text); /* [R] */
				break;
			case RG_SEL_USER:
				user_dst = true;
				if (r->nsrc != 1 || r->src[0].kind != RG_SEL_USER ||
				    strcmp(r->src[0].text, s->text) != 0)
					err(v, s->span,
					    "user destination requires source to contain only that same user \"%s\"; use autogroup:self instead",
					    s->text); /* [H] */
				break;
			default:
				err(v, s->span, "invalid dst \"%s\"", s->text); /* [S] for hosts */
			}
		}
		if (tagged_src && user_dst)
			err(v, r->span, "tags in SSH source cannot access user-owned devices"); /* [H] */
		if (!r->nusers)
			err(v, r->has_users ? r->span : r->span, "users must be specified"); /* [S] */
		for (j = 0; j < r->nusers; j++) {
			const struct rg_str *u = &r->users[j];
			struct rg_selector us;

			if (!u->len) {
				err(v, u->span, "user \"\" is not valid"); /* [S] */
				continue;
			}
			if (u->len == 1 && u->s[0] == '*') {
				err(v, u->span, "user \"*\" is not valid"); /* [S] */
				continue;
			}
			policy_selector_parse(policy_arena(v->p), u->s, u->len, u->span, &us);
			if (us.kind == RG_SEL_LOCALPART)
				check_domain(v, &us, "");
		}
		if (r->check_period.len) {
			int64_t ns;

			if (strcmp(r->check_period.s, "always") == 0) {
				r->check_period_ns = INT64_MAX;
			} else if (policy_duration_parse(r->check_period.s, r->check_period.len, &ns, msg,
							 sizeof(msg)) < 0) {
				err(v, r->check_period.span, "%s", msg); /* [S] */
			} else {
				char d[64];

				policy_duration_format(ns, d, sizeof(d));
				if (ns < 0)
					err(v, r->check_period.span, "checkPeriod %s must be a positive duration", d);
				else if (ns > 168LL * 3600 * 1000000000LL)
					err(v, r->check_period.span, "checkPeriod %s is above the max (168h)", d);
				r->check_period_ns = ns;
			}
		}
		for (j = 0; j < r->naccept_env; j++)
			if (!r->accept_env[j].len)
				err(v, r->accept_env[j].span, "acceptEnv values cannot be empty"); /* [S] */
		check_posture_refs(v, r->src_posture, r->nsrc_posture);
		for (j = 0; j < r->nrecorder; j++)
			if (r->recorder[j].kind == RG_SEL_TAG)
				check_tag_defined(v, &r->recorder[j], "recorder=");
	}
}

static void check_node_attrs(struct vctx *v)
{
	static const struct rg_prefix cgnat = { { 0, { 100, 64 } }, 10 };
	static const struct rg_prefix reserved[] = {
		{ { 0, { 100, 100, 100, 0 } }, 24 },
		{ { 0, { 100, 115, 92, 0 } }, 23 },
	};
	size_t i, j, k;

	for (i = 0; i < v->p->nnode_attrs; i++) {
		const struct rg_node_attr *a = &v->p->node_attrs[i];

		for (j = 0; j < a->ntarget; j++) {
			const struct rg_selector *s = &a->target[j];

			switch (s->kind) {
			case RG_SEL_TAG:
				check_tag_defined(v, s, "");
				break;
			case RG_SEL_AUTOGROUP:
				if (s->autogroup == RG_AG_SELF)
					/* The control plane fails with HTTP 500 here. [S] */
					err(v, s->span, "autogroup:self is not a valid nodeAttrs target (the control plane answers: internal server error)");
				else if (s->autogroup == RG_AG_UNKNOWN)
					err(v, s->span, "\"%s\": invalid address", s->text);
				break;
			case RG_SEL_INVALID:
			case RG_SEL_RANGE:
			case RG_SEL_HOSTREF:
			case RG_SEL_LOCALPART:
			case RG_SEL_POSTURE:
			case RG_SEL_SVC:
				err(v, s->span, "\"%s\": invalid address", s->text); /* [S] */
				break;
			case RG_SEL_HOST:
				if (!rg_policy_host(v->p, s->text))
					err(v, s->span, "\"%s\": invalid address", s->text); /* [S] */
				break;
			case RG_SEL_GROUP:
				if (!scim_group(s) && !rg_policy_group(v->p, s->text))
					err(v, s->span, "group not found: \"%s\"", s->text);
				break;
			case RG_SEL_USER_DOMAIN:
				check_domain(v, s, "");
				break;
			default:
				break;
			}
		}
		for (j = 0; j < a->nip_pool; j++) {
			struct rg_prefix pfx;
			rg_u128 lo, hi, clo, chi;
			char txt[RG_PREFIX_STRLEN];

			if (rg_prefix_parse(a->ip_pool[j].s, a->ip_pool[j].len, false, &pfx) < 0) {
				err(v, a->ip_pool[j].span, "invalid IPPool \"%s\"", a->ip_pool[j].s);
				continue;
			}
			rg_prefix_format(&pfx, txt);
			rg_prefix_bounds(&pfx, &lo, &hi);
			rg_prefix_bounds(&cgnat, &clo, &chi);
			if (pfx.addr.is6 || lo < clo || hi > chi) {
				err(v, a->ip_pool[j].span, "IPPool(%s): network not within 100.64.0.0/10", txt);
				continue;
			}
			for (k = 0; k < 2; k++) {
				rg_u128 rlo, rhi;

				rg_prefix_bounds(&reserved[k], &rlo, &rhi);
				if (lo <= rhi && rlo <= hi) {
					err(v, a->ip_pool[j].span, "IPPool(%s): network within reserved range", txt); /* [S] */
					break;
				}
			}
		}
	}
}

static void check_approver(struct vctx *v, const struct rg_selector *s)
{
	switch (s->kind) {
	case RG_SEL_USER:
		break;
	case RG_SEL_USER_DOMAIN:
		check_domain(v, s, "");
		break;
	case RG_SEL_TAG:
		check_tag_defined(v, s, "");
		break;
	case RG_SEL_GROUP:
		if (!scim_group(s) && !rg_policy_group(v->p, s->text))
			err(v, s->span, "group not found: \"%s\"", s->text);
		break;
	case RG_SEL_AUTOGROUP:
		if (s->autogroup == RG_AG_MEMBER || s->autogroup == RG_AG_MEMBERS ||
		    s->autogroup == RG_AG_TAGGED || is_role_autogroup(s->autogroup))
			break;
		/* fall through */
	default:
		err(v, s->span, "autoApprovers: invalid approver \"%s\"", s->text); /* [R] */
	}
}

static void check_auto_approvers(struct vctx *v)
{
	size_t i, j;

	for (i = 0; i < v->p->nauto_routes; i++)
		for (j = 0; j < v->p->auto_routes[i].n; j++)
			check_approver(v, &v->p->auto_routes[i].approvers[j]);
	for (j = 0; j < v->p->nauto_exit; j++)
		check_approver(v, &v->p->auto_exit[j]);
	for (i = 0; i < v->p->nauto_services; i++) {
		const struct rg_auto_service *s = &v->p->auto_services[i];

		if (s->key.kind == RG_SEL_TAG)
			check_tag_defined(v, &s->key, "");
		else if (s->key.kind != RG_SEL_SVC)
			err(v, s->text.span, "autoApprovers: invalid service \"%s\"", s->text.s);
		for (j = 0; j < s->n; j++)
			check_approver(v, &s->approvers[j]);
	}
}

/* SSH test destinations: tags, users, hosts, bare IPs; not CIDRs or autogroups. [S] */
static void check_ssh_tests(struct vctx *v)
{
	size_t i, j;

	for (i = 0; i < v->p->nssh_tests; i++) {
		const struct rg_ssh_test *t = &v->p->ssh_tests[i];

		for (j = 0; j < t->ndst; j++) {
			struct rg_selector s;

			policy_selector_parse(policy_arena(v->p), t->dst[j].s, t->dst[j].len,
					      t->dst[j].span, &s);
			if (s.kind == RG_SEL_TAG && !rg_policy_tag(v->p, s.key))
				err(v, s.span, "SSH tests dst contains unknown tag \"%s\"", s.text);
			else if ((s.kind == RG_SEL_PREFIX &&
				  s.prefix.bits != rg_addr_bits(&s.prefix.addr)) ||
				 s.kind == RG_SEL_AUTOGROUP || s.kind == RG_SEL_WILDCARD)
				err(v, s.span, "SSH tests dst contains disallowed element \"%s\"", s.text);
		}
	}
}

static void check_misc(struct vctx *v)
{
	const struct rg_str *o = &v->p->one_cgnat_route;

	if (o->len && strcmp(o->s, "mac-always") != 0 && strcmp(o->s, "mac-never") != 0)
		err(v, o->span, "OneCGNATRoute: invalid value \"%s\" (want \"\", \"mac-always\" or \"mac-never\")",
		    o->s); /* [R] */
}

size_t rg_policy_validate(struct rg_policy *p, const struct rg_inventory *inv,
			  struct rg_diags *diags)
{
	struct vctx v = { p, inv, diags, 0 };

	check_groups(&v);
	check_tag_owners(&v);
	check_hosts(&v);
	check_ipsets(&v);
	check_postures(&v);
	check_acls(&v);
	check_grants(&v);
	check_ssh(&v);
	check_node_attrs(&v);
	check_auto_approvers(&v);
	check_ssh_tests(&v);
	check_misc(&v);
	return v.errors;
}

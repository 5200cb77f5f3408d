/*
 * tests and sshTests. Tailscale answers every failure with one message,
 * "test(s) failed", and a per-source list such as
 * `address "2.2.2.2:22": want: Drop, got: Accept`; we add the location.
 *
 * Shapes Tailscale refuses in a test (observed in the captures): a "*"
 * source or destination, CIDR destinations (even /32), port lists, ranges
 * and "*", ports above 65535, autogroup:self and autogroup:internet
 * destinations, names that resolve to no device, a missing or empty
 * source. sshTests refuse bare IPv6 destinations and empty user lists.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/internal.h"
#include "policy/internal.h"
#include "relaygate/policytest.h"

struct tctx {
	struct rg_policy *p;
	struct rg_eval *e;
	struct rg_diags *diags;
	struct rg_policytest_stats *st;
	long failed;
};

static void fail(struct tctx *t, struct rg_span span, const char *fmt, ...) RG_PRINTF(3, 4);

static void fail(struct tctx *t, struct rg_span span, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rg_diag_add(t->diags, RG_RULE_INVALID, RG_SEV_ERROR, t->p->src, span, "test(s) failed: %s", msg);
	t->failed++;
	if (t->st)
		t->st->failed++;
}

/* Addresses of a test source (a single selector string). */
static int test_src(struct tctx *t, const struct rg_str *s, struct rg_ipset *out, char *why,
		    size_t whylen)
{
	struct rg_selector sel;
	struct rg_err err;
	bool any;

	if (!s->s || !s->len) {
		snprintf(why, whylen, "missing src");
		return -1;
	}
	if (policy_selector_parse(policy_arena(t->p), s->s, s->len, s->span, &sel) < 0)
		return snprintf(why, whylen, "out of memory"), -1;
	switch (sel.kind) {
	case RG_SEL_USER:
	case RG_SEL_GROUP:
	case RG_SEL_TAG:
	case RG_SEL_HOST:
	case RG_SEL_USER_DOMAIN:
		break;
	case RG_SEL_PREFIX:
		if (sel.prefix.bits != rg_addr_bits(&sel.prefix.addr)) {
			snprintf(why, whylen, "src %s: must be a single address", sel.text);
			return -1;
		}
		break;
	case RG_SEL_AUTOGROUP:
		if (sel.autogroup == RG_AG_MEMBER || sel.autogroup == RG_AG_MEMBERS ||
		    sel.autogroup == RG_AG_TAGGED)
			break;
		/* fall through */
	default:
		snprintf(why, whylen, "src \"%s\" is not a valid test source", sel.text);
		return -1;
	}
	if (rg_eval_resolve_src(t->e, &sel, out, &any, &err) < 0) {
		snprintf(why, whylen, "src \"%s\": %.300s", sel.text, err.msg);
		return -1;
	}
	rg_ipset_normalize(out);
	if (rg_ipset_empty(out)) {
		snprintf(why, whylen, "src \"%s\" matches no device", sel.text);
		return -1;
	}
	return 0;
}

/* A test destination "host:port": the host's addresses and the port. */
static int test_dst(struct tctx *t, const struct rg_str *d, bool icmp, struct rg_ipset *out,
		    uint16_t *port, char *why, size_t whylen)
{
	const char *s = d->s ? d->s : "", *colon = NULL;
	size_t len = d->len, hl, k;
	struct rg_selector sel;
	struct rg_err err;
	unsigned long v = 0;
	bool any;

	for (k = len; k-- > 0;)
		if (s[k] == ':') {
			colon = s + k;
			break;
		}
	if (!colon) {
		snprintf(why, whylen, "destination %s must be host:port", s);
		return -1;
	}
	if (colon[1] == '\0') {
		snprintf(why, whylen, "destination %s: missing port", s);
		return -1;
	}
	for (k = 1; colon[k]; k++) {
		if (colon[k] < '0' || colon[k] > '9' || k > 6) {
			snprintf(why, whylen, "destination %s: the port must be a single number", s);
			return -1;
		}
		v = v * 10 + (unsigned long)(colon[k] - '0');
	}
	if (v > 65535 || (v == 0 && !icmp)) {
		snprintf(why, whylen, "destination %s: port out of range", s);
		return -1;
	}
	*port = (uint16_t)v;
	hl = (size_t)(colon - s);
	if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') {
		s++;
		hl -= 2;
	}
	if (policy_selector_parse(policy_arena(t->p), s, hl, d->span, &sel) < 0)
		return snprintf(why, whylen, "out of memory"), -1;
	switch (sel.kind) {
	case RG_SEL_PREFIX:
		if (memchr(s, '/', hl)) {
			snprintf(why, whylen, "destination %s must be a single host, not a CIDR range",
				 d->s);
			return -1;
		}
		break;
	case RG_SEL_HOST: {
		const struct rg_host *h = rg_policy_host(t->p, sel.text);

		if (h && h->valid && h->prefix.bits != rg_addr_bits(&h->prefix.addr)) {
			snprintf(why, whylen, "destination %s must be a single host, not a CIDR range",
				 d->s);
			return -1;
		}
		break;
	}
	case RG_SEL_USER:
	case RG_SEL_GROUP:
	case RG_SEL_TAG:
		break;
	default:
		snprintf(why, whylen, "destination %s is not a valid test destination", d->s);
		return -1;
	}
	if (rg_eval_resolve_src(t->e, &sel, out, &any, &err) < 0) {
		snprintf(why, whylen, "destination %s: %.300s", d->s, err.msg);
		return -1;
	}
	rg_ipset_normalize(out);
	if (rg_ipset_empty(out)) {
		snprintf(why, whylen, "destination %s matches no device", d->s);
		return -1;
	}
	return 0;
}

struct addr_list {
	struct rg_addr *v;
	size_t n;
};

static int set_addrs(const struct rg_ipset *s, struct addr_list *out)
{
	size_t i, total = 0;
	rg_u128 span;

	/* Test sets are node addresses and single hosts: small. Bound them anyway. */
	for (i = 0; i < s->n4 + s->n6; i++) {
		bool is6 = i >= s->n4;

		span = is6 ? s->v6[i - s->n4].hi - s->v6[i - s->n4].lo : s->v4[i].hi - s->v4[i].lo;
		if (span > 4096 || (total += (size_t)span + 1) > 65536)
			return -1;
	}
	out->v = malloc((total ? total : 1) * sizeof(*out->v));
	if (!out->v)
		return -1;
	out->n = 0;
	for (i = 0; i < s->n4 + s->n6; i++) {
		bool is6 = i >= s->n4;
		rg_u128 lo = is6 ? s->v6[i - s->n4].lo : s->v4[i].lo;
		rg_u128 hi = is6 ? s->v6[i - s->n4].hi : s->v4[i].hi, a;

		for (a = lo;; a++) {
			out->v[out->n++] = rg_addr_from_u128(a, is6);
			if (a == hi)
				break;
		}
	}
	return 0;
}

/* Reachable with the test's proto (empty: TCP or UDP). */
static bool reach(const struct rg_eval *e, const struct rg_addr *s, const struct rg_addr *d,
		  const uint8_t *protos, size_t np, uint16_t port)
{
	size_t i;

	for (i = 0; i < np; i++)
		if (rg_eval_allows(e, s, d, protos[i], port))
			return true;
	return false;
}

static void run_dsts(struct tctx *t, const struct rg_test *test, const struct rg_ipset *src,
		     const struct rg_str *dsts, size_t n, bool want, const uint8_t *protos, size_t np)
{
	struct addr_list sa = { NULL, 0 }, da = { NULL, 0 };
	struct rg_ipset dset;
	size_t i, a, b;
	char why[512];
	bool icmp = np == 1 && (protos[0] == 1 || protos[0] == 58);

	rg_ipset_init(&dset);
	if (set_addrs(src, &sa) < 0) {
		fail(t, test->src.span, "src \"%s\" is too large to test", test->src.s);
		goto out;
	}
	for (i = 0; i < n; i++) {
		uint16_t port = 0;
		bool ok = true, pairs = false;

		if (t->st)
			t->st->assertions++;
		rg_ipset_clear(&dset);
		free(da.v);
		da.v = NULL;
		if (test_dst(t, &dsts[i], icmp, &dset, &port, why, sizeof(why)) < 0) {
			fail(t, dsts[i].span, "%s", why);
			continue;
		}
		if (set_addrs(&dset, &da) < 0) {
			fail(t, dsts[i].span, "destination %s is too large to test", dsts[i].s);
			continue;
		}
		for (a = 0; a < sa.n && ok; a++)
			for (b = 0; b < da.n && ok; b++) {
				if (sa.v[a].is6 != da.v[b].is6)
					continue;
				pairs = true;
				if (reach(t->e, &sa.v[a], &da.v[b], protos, np, port) != want) {
					char sbuf[RG_ADDR_STRLEN], dbuf[RG_ADDR_STRLEN];

					rg_addr_format(&sa.v[a], sbuf);
					rg_addr_format(&da.v[b], dbuf);
					fail(t, dsts[i].span, "%s (%s): address \"%s%s%s:%u\": want: %s, got: %s",
					     test->src.s, sbuf, da.v[b].is6 ? "[" : "", dbuf,
					     da.v[b].is6 ? "]" : "", port, want ? "Accept" : "Drop",
					     want ? "Drop" : "Accept");
					ok = false;
				}
			}
		if (ok && !pairs)
			fail(t, dsts[i].span, "%s: no address of the destination %s has the source's address family",
			     test->src.s, dsts[i].s);
	}
out:
	free(sa.v);
	free(da.v);
	rg_ipset_free(&dset);
}

static void run_test(struct tctx *t, const struct rg_test *test)
{
	static const uint8_t tcp_udp[2] = { 6, 17 };
	struct rg_ipset src;
	uint8_t proto;
	const uint8_t *protos = tcp_udp;
	size_t np = 2;
	char why[512];

	rg_ipset_init(&src);
	if (t->st)
		t->st->tests++;
	if (!test->naccept && !test->ndeny) {
		fail(t, test->span, "test entry must have at least one of \"accept\" or \"deny\"");
		goto out;
	}
	if (test->proto.len) {
		if (policy_proto_parse(test->proto.s, test->proto.len, &proto, why, sizeof(why)) < 0) {
			fail(t, test->proto.span, "%s", why);
			goto out;
		}
		protos = &proto;
		np = 1;
	}
	if (test_src(t, &test->src, &src, why, sizeof(why)) < 0) {
		fail(t, test->has_src ? test->src.span : test->span, "%s", why);
		goto out;
	}
	run_dsts(t, test, &src, test->accept, test->naccept, true, protos, np);
	run_dsts(t, test, &src, test->deny, test->ndeny, false, protos, np);
out:
	rg_ipset_free(&src);
}

/* ---- sshTests -------------------------------------------------------------- */

struct node_list {
	uint32_t *v;
	size_t n;
};

/* Nodes a selector-like string stands for, for SSH tests. */
static int ssh_nodes(struct tctx *t, const struct rg_str *s, bool dst, struct node_list *out,
		     char *why, size_t whylen)
{
	struct rg_selector sel;
	struct rg_ipset set;
	struct rg_err err;
	bool any;
	int ret = -1;

	out->v = NULL;
	out->n = 0;
	rg_ipset_init(&set);
	if (!s->s || !s->len) {
		snprintf(why, whylen, "missing %s", dst ? "dst" : "src");
		return -1;
	}
	if (policy_selector_parse(policy_arena(t->p), s->s, s->len, s->span, &sel) < 0)
		return snprintf(why, whylen, "out of memory"), -1;
	if (sel.kind == RG_SEL_PREFIX && (sel.prefix.addr.is6 && dst)) {
		/* Tailscale parses a bare IPv6 destination, then its engine rejects it. */
		snprintf(why, whylen, "dst %s: IPv6 addresses are not supported here", sel.text);
		goto out;
	}
	if (!(sel.kind == RG_SEL_USER || sel.kind == RG_SEL_TAG || sel.kind == RG_SEL_HOST ||
	      sel.kind == RG_SEL_PREFIX || (!dst && sel.kind == RG_SEL_GROUP))) {
		snprintf(why, whylen, "%s \"%s\" is not valid in an SSH test", dst ? "dst" : "src",
			 sel.text);
		goto out;
	}
	if (rg_eval_resolve_src(t->e, &sel, &set, &any, &err) < 0) {
		snprintf(why, whylen, "%s \"%s\": %.300s", dst ? "dst" : "src", sel.text, err.msg);
		goto out;
	}
	rg_ipset_normalize(&set);
	if (rg_eval_nodes_in(t->e, &set, false, &out->v, &out->n) < 0) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	if (!out->n) {
		snprintf(why, whylen, "%s \"%s\" matches no device", dst ? "dst" : "src", sel.text);
		goto out;
	}
	ret = 0;
out:
	rg_ipset_free(&set);
	return ret;
}

static bool node_has_tag(const struct rg_inv_node *n, const char *key)
{
	size_t i;

	for (i = 0; i < n->ntags; i++)
		if (strcmp(n->tag_keys[i], key) == 0)
			return true;
	return false;
}

static bool ssh_src_match(struct tctx *t, const struct rg_ssh_rule *r, uint32_t sn)
{
	const struct rg_inv_node *n = t->e->nodes[sn].node;
	size_t i, j;

	for (i = 0; i < r->nsrc; i++) {
		struct rg_ipset set;
		struct rg_err err;
		bool any, hit = false;

		rg_ipset_init(&set);
		if (rg_eval_resolve_src(t->e, &r->src[i], &set, &any, &err) == 0) {
			rg_ipset_normalize(&set);
			for (j = 0; j < n->nips && !hit; j++)
				hit = rg_ipset_contains(&set, &n->ips[j]);
		}
		rg_ipset_free(&set);
		if (hit)
			return true;
	}
	return false;
}

static bool ssh_dst_match(struct tctx *t, const struct rg_ssh_rule *r, uint32_t sn, uint32_t dn)
{
	const struct rg_eval_node *s = &t->e->nodes[sn], *d = &t->e->nodes[dn];
	size_t i;

	for (i = 0; i < r->ndst; i++) {
		const struct rg_selector *x = &r->dst[i];

		switch (x->kind) {
		case RG_SEL_TAG:
			if (node_has_tag(d->node, x->key))
				return true;
			break;
		case RG_SEL_USER:
			if (!d->tagged && d->node->user && strcmp(d->node->user, x->text) == 0)
				return true;
			break;
		case RG_SEL_AUTOGROUP:
			if (x->autogroup == RG_AG_SELF && !d->tagged && !s->tagged && d->user != RG_EVAL_NONE &&
			    d->user == s->user)
				return true;
			if ((x->autogroup == RG_AG_MEMBER || x->autogroup == RG_AG_MEMBERS) && !d->tagged)
				return true;
			if (x->autogroup == RG_AG_TAGGED && d->tagged)
				return true;
			break;
		default:
			break;
		}
	}
	return false;
}

static bool ssh_user_match(struct tctx *t, const struct rg_ssh_rule *r, uint32_t sn, const char *u)
{
	const struct rg_eval_node *s = &t->e->nodes[sn];
	size_t i;

	for (i = 0; i < r->nusers; i++) {
		const char *x = r->users[i].s;

		if (strcmp(x, u) == 0)
			return true;
		if (strcmp(x, "autogroup:nonroot") == 0 && strcmp(u, "root") != 0)
			return true;
		if (strncmp(x, "localpart:*@", 12) == 0 && !s->tagged && s->node->user) {
			const char *login = s->node->user, *at = strrchr(login, '@');

			if (at && strcmp(at + 1, x + 12) == 0 && strlen(u) == (size_t)(at - login) &&
			    strncmp(login, u, (size_t)(at - login)) == 0)
				return true;
		}
	}
	return false;
}

/* The action of the first matching rule, check rules first (as Tailscale orders them). */
static enum rg_ssh_action ssh_action(struct tctx *t, uint32_t sn, uint32_t dn, const char *u)
{
	int pass;
	size_t i;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < t->p->nssh; i++) {
			const struct rg_ssh_rule *r = &t->p->ssh[i];

			if (r->action != (pass == 0 ? RG_SSH_CHECK : RG_SSH_ACCEPT))
				continue;
			if (ssh_src_match(t, r, sn) && ssh_dst_match(t, r, sn, dn) &&
			    ssh_user_match(t, r, sn, u))
				return r->action;
		}
	return RG_SSH_NONE;
}

static void run_ssh_users(struct tctx *t, const struct rg_ssh_test *st, const struct node_list *src,
			  const struct node_list *dst, const struct rg_str *dspec,
			  const struct rg_str *users, size_t n, const char *kind)
{
	size_t i, a, b;

	for (i = 0; i < n; i++) {
		bool ok = true;

		if (t->st)
			t->st->assertions++;
		if (!users[i].len) {
			fail(t, users[i].span, "%s: empty user name", st->src.s);
			continue;
		}
		for (a = 0; a < src->n && ok; a++)
			for (b = 0; b < dst->n && ok; b++) {
				enum rg_ssh_action act = ssh_action(t, src->v[a], dst->v[b], users[i].s);
				bool good = kind[0] == 'a' ? act != RG_SSH_NONE
					  : kind[0] == 'c' ? act == RG_SSH_CHECK
							   : act == RG_SSH_NONE;

				if (!good) {
					fail(t, users[i].span, "%s -> %s (%s) as \"%s\": want: %s, got: %s",
					     st->src.s, dspec->s, t->e->nodes[dst->v[b]].node->name,
					     users[i].s, kind,
					     act == RG_SSH_NONE ? "deny" : act == RG_SSH_CHECK ? "check" : "accept");
					ok = false;
				}
			}
	}
}

static void run_ssh_test(struct tctx *t, const struct rg_ssh_test *st)
{
	struct node_list src = { NULL, 0 }, dst = { NULL, 0 };
	char why[512];
	size_t i;

	if (t->st)
		t->st->ssh_tests++;
	if (!st->naccept && !st->ncheck && !st->ndeny) {
		fail(t, st->span, "SSH test entry must have at least one of \"accept\", \"check\" or \"deny\"");
		return;
	}
	if (ssh_nodes(t, &st->src, false, &src, why, sizeof(why)) < 0) {
		fail(t, st->has_src ? st->src.span : st->span, "%s", why);
		free(src.v);
		return;
	}
	if (!st->ndst)
		fail(t, st->span, "SSH test entry has no dst");
	for (i = 0; i < st->ndst; i++) {
		if (ssh_nodes(t, &st->dst[i], true, &dst, why, sizeof(why)) < 0) {
			fail(t, st->dst[i].span, "%s", why);
		} else {
			run_ssh_users(t, st, &src, &dst, &st->dst[i], st->accept, st->naccept, "accept");
			run_ssh_users(t, st, &src, &dst, &st->dst[i], st->check, st->ncheck, "check");
			run_ssh_users(t, st, &src, &dst, &st->dst[i], st->deny, st->ndeny, "deny");
		}
		free(dst.v);
		dst.v = NULL;
	}
	free(src.v);
}

long rg_policytest_run_eval(struct rg_policy *p, struct rg_eval *e, struct rg_diags *diags,
			    struct rg_policytest_stats *stats)
{
	struct tctx t = { p, e, diags, stats, 0 };
	size_t i;

	if (stats)
		memset(stats, 0, sizeof(*stats));
	for (i = 0; i < p->ntests; i++)
		run_test(&t, &p->tests[i]);
	for (i = 0; i < p->nssh_tests; i++)
		run_ssh_test(&t, &p->ssh_tests[i]);
	return diags->oom ? -1 : t.failed;
}

long rg_policytest_run(struct rg_policy *p, const struct rg_inventory *inv, struct rg_diags *diags)
{
	struct rg_eval *e = NULL;
	struct rg_err err;
	long r;

	if (!p->ntests && !p->nssh_tests)
		return 0;
	if (rg_eval_build(p, inv, &e, &err) < 0) {
		rg_diag_add(diags, RG_RULE_INVALID, RG_SEV_ERROR, p->src, (struct rg_span){ 0, 0 },
			    "cannot evaluate the policy: %s", err.msg);
		return -1;
	}
	r = rg_policytest_run_eval(p, e, diags, NULL);
	rg_eval_free(e);
	return r;
}

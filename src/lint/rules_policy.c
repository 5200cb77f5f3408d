/* Rules about the file as a whole: unknown-field, selector-whitespace. */
#include <ctype.h>
#include <string.h>

#include "lint/internal.h"

/* Every key the policy schema knows, at any level (for suggestions). */
static const char *const known_fields[] = {
	"grants", "acls", "ssh", "groups", "tagOwners", "hosts", "ipsets", "postures",
	"defaultSrcPosture", "autoApprovers", "nodeAttrs", "tests", "sshTests", "derpMap",
	"disableIPv4", "OneCGNATRoute", "randomizeClientPort", "attrConfig", "src", "dst", "ip",
	"app", "srcPosture", "via", "action", "proto", "users", "ports", "checkPeriod", "acceptEnv",
	"recorder", "enforceRecorder", "target", "attr", "ipPool", "accept", "deny", "check",
	"allow", "user", "srcPostureAttrs", "routes", "exitNode", "services",
};

#define MAX_NAME 64

/* Optimal string alignment distance, case-insensitive; > limit is reported as limit + 1. */
static size_t osa_distance(const char *a, size_t n, const char *b, size_t m, size_t limit)
{
	size_t d[3][MAX_NAME + 1], i, j;

	if (n > MAX_NAME || m > MAX_NAME)
		return limit + 1;
	for (j = 0; j <= m; j++)
		d[0][j] = j;
	for (i = 1; i <= n; i++) {
		size_t *cur = d[i % 3], *prev = d[(i - 1) % 3], *prev2 = d[(i + 1) % 3];

		cur[0] = i;
		for (j = 1; j <= m; j++) {
			int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
			size_t cost = ca != cb, v = prev[j] + 1;

			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (prev[j - 1] + cost < v)
				v = prev[j - 1] + cost;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb && prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
		}
	}
	return d[n % 3][m] > limit ? limit + 1 : d[n % 3][m];
}

/* The known field closest to name (at most 2 edits, fewer for short names), or NULL. */
static const char *suggest(const char *name, size_t n)
{
	size_t limit = n <= 4 ? 1 : 2, best = limit + 1, i, k;
	const char *pick = NULL;

	for (i = 0; i < sizeof(known_fields) / sizeof(known_fields[0]); i++) {
		k = osa_distance(name, n, known_fields[i], strlen(known_fields[i]), limit);
		if (k < best) {
			best = k;
			pick = known_fields[i];
		}
	}
	return pick;
}

static void unknown_fields(struct lint_ctx *c)
{
	const struct rg_policy *p = c->p;
	size_t i;

	for (i = 0; i < p->nunknown_fields; i++) {
		const struct rg_str *f = &p->unknown_fields[i];
		const char *s = suggest(f->s, f->len);

		if (s)
			lint_report(c, RG_LINT_UNKNOWN_FIELD, f->span,
				    "unknown field \"%s\": Tailscale ignores it (did you mean \"%s\"?)",
				    f->s, s);
		else
			lint_report(c, RG_LINT_UNKNOWN_FIELD, f->span,
				    "unknown field \"%s\": Tailscale ignores it", f->s);
	}
}

static void padded(struct lint_ctx *c, const struct rg_selector *s, enum lint_where w,
		   const struct rg_rule *rule, void *arg)
{
	(void)w;
	(void)rule;
	(void)arg;
	if (s->padded)
		lint_report(c, RG_LINT_SELECTOR_WHITESPACE, s->span,
			    "white space around selector \"%s\" (Tailscale trims it)", s->text);
}

void lint_rules_policy(struct lint_ctx *c)
{
	if (lint_on(c, RG_LINT_UNKNOWN_FIELD))
		unknown_fields(c);
	if (lint_on(c, RG_LINT_SELECTOR_WHITESPACE))
		lint_each_selector(c, padded, NULL);
}

/* Internals shared by the lint rule families (not installed). */
#ifndef RG_LINT_INTERNAL_H
#define RG_LINT_INTERNAL_H

#include "relaygate/eval.h"
#include "relaygate/ipset.h"
#include "relaygate/lint.h"
#include "relaygate/policy.h"

struct lint_ctx {
	struct rg_policy *p;
	const struct rg_lint_config *cfg;
	struct rg_diags *diags;
	const struct rg_inventory *inv;
	struct rg_eval *eval;    /* with an inventory and a policy Tailscale accepts */
	bool valid;              /* no syntax or validation error */
	bool oom;
};

static inline bool lint_on(const struct lint_ctx *c, enum rg_lint_rule_id r)
{
	return c->cfg->severity[r] != RG_SEV_NONE;
}

/* Adds a finding of rule r at span with the configured severity (none: nothing). */
void lint_report(struct lint_ctx *c, enum rg_lint_rule_id r, struct rg_span span,
		 const char *fmt, ...) RG_PRINTF(4, 5);

/* The rule families, in the order they run. */
void lint_rules_policy(struct lint_ctx *c);   /* unknown-field, selector-whitespace */
void lint_rules_breadth(struct lint_ctx *c);
void lint_rules_relay(struct lint_ctx *c);
void lint_rules_hygiene(struct lint_ctx *c);  /* unused-*, empty-group, legacy-acls, naming */
void lint_rules_overlap(struct lint_ctx *c);  /* duplicate-rule, shadowed-rule */

/*
 * Pragmas of src's comments applied to diags[base..n): marks what they
 * silence and reports the ones that silence nothing. -1 when out of memory.
 */
int lint_pragmas_apply(struct lint_ctx *c, size_t base);

/* ---- shared helpers ---------------------------------------------------- */

/* Whether grant r carries tailscale.com/cap/relay. */
bool lint_is_relay_grant(const struct rg_rule *r);

/* Where a selector stands, for the walker. */
enum lint_where {
	LW_RULE_SRC, LW_RULE_DST, LW_VIA, LW_POSTURE, LW_GROUP_MEMBER, LW_TAG_OWNER, LW_IPSET,
	LW_AUTO_APPROVER, LW_SSH_SRC, LW_SSH_DST, LW_RECORDER, LW_NODE_TARGET,
};

/*
 * Calls fn for every selector of the policy, in section order. rule is the
 * grant a selector of a grant belongs to (NULL elsewhere, ACLs included).
 */
void lint_each_selector(struct lint_ctx *c,
			void (*fn)(struct lint_ctx *c, const struct rg_selector *s,
				   enum lint_where w, const struct rg_rule *rule, void *arg),
			void *arg);

/*
 * Names the tests and sshTests refer to, as strings ("tag:db", "group:x",
 * "alice@example.com", a host alias), with the ":port" of test
 * destinations removed. fn gets the text and its length.
 */
void lint_each_test_name(struct lint_ctx *c,
			 void (*fn)(struct lint_ctx *c, const char *s, size_t n, void *arg),
			 void *arg);

/* A source so wide it is "everyone": member(s), tagged, danger-all, user:*@domain. */
bool lint_sel_is_everyone(const struct rg_selector *s);
/* "every member of the tailnet" for autogroup:member, and so on. */
const char *lint_everyone_desc(const struct rg_selector *s);
/* Members listed for a group selector (0 for anything else or an undefined group). */
size_t lint_group_size(const struct lint_ctx *c, const struct rg_selector *s);
/*
 * Adds the addresses of an address selector (prefix, range, host alias,
 * IP set, resolved through the policy) to out and normalizes it. 1 when s
 * is one, 0 when not (or it names nothing defined), -1 out of memory
 * (c->oom is set).
 */
int lint_sel_addrs(struct lint_ctx *c, const struct rg_selector *s, struct rg_ipset *out);
/* Whether s covers 100.64.0.0/10 or fd7a:115c:a1e0::/48, the tailnet ranges. */
bool lint_set_covers_tailnet(const struct rg_ipset *s);
/* An address selector covering a whole tailnet range. */
bool lint_sel_covers_tailnet(struct lint_ctx *c, const struct rg_selector *s);
/* Line of a byte offset in the linted source. */
unsigned lint_line(const struct lint_ctx *c, uint32_t off);

#endif

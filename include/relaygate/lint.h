/*
 * relaygate lint: risky-grant and hygiene rules over the policy model.
 *
 *   registry     every rule once: stable ID ("RG201"), stable slug
 *                ("relay-wildcard-src"), default severity, summary and
 *                documentation; feeds `relaygate rules`, `explain`,
 *                docs/rules/ and SARIF rule metadata
 *   config       effective severities, failure threshold, rule options,
 *                naming patterns; built from defaults, then the
 *                .relaygate.hujson file, then the environment, then flags
 *   rg_lint_source()
 *                syntax + Tailscale validation + every rule + pragmas for
 *                one source, findings appended to a struct rg_diags
 *
 * The rules print nothing: findings are struct rg_diag records whose rule
 * is the slug (static storage) and whose severity is the effective one.
 *
 * Ownership: the registry is static. A struct rg_lint_config is a plain
 * value; the naming patterns it points to belong to the struct
 * rg_lint_cfgfile they came from, which must outlive every copy.
 */
#ifndef RELAYGATE_LINT_H
#define RELAYGATE_LINT_H

#include <stdbool.h>
#include <stddef.h>

#include "relaygate/diag.h"
#include "relaygate/err.h"
#include "relaygate/inventory.h"
#include "relaygate/source.h"

/* Registry order; the IDs and slugs are in the registry table. */
enum rg_lint_rule_id {
	RG_LINT_SYNTAX,
	RG_LINT_INVALID,
	RG_LINT_UNKNOWN_FIELD,
	RG_LINT_UNUSED_SUPPRESSION,
	RG_LINT_SELECTOR_WHITESPACE,
	RG_LINT_ALLOW_ALL,
	RG_LINT_WILDCARD_SRC,
	RG_LINT_APP_WILDCARD_SRC,
	RG_LINT_DANGER_ALL,
	RG_LINT_TAG_OWNER_BROAD,
	RG_LINT_SSH_BROAD,
	RG_LINT_RELAY_WILDCARD_SRC,
	RG_LINT_RELAY_BROAD_SRC,
	RG_LINT_RELAY_WILDCARD_DST,
	RG_LINT_RELAY_DST_UNTAGGED,
	RG_LINT_RELAY_WITH_IP,
	RG_LINT_RELAY_UNMATCHED,
	RG_LINT_UNUSED_GROUP,
	RG_LINT_UNUSED_TAG,
	RG_LINT_UNUSED_HOST,
	RG_LINT_UNUSED_IPSET,
	RG_LINT_EMPTY_GROUP,
	RG_LINT_DUPLICATE_RULE,
	RG_LINT_SHADOWED_RULE,
	RG_LINT_LEGACY_ACLS,
	RG_LINT_NAMING,
	RG_LINT_RULE_COUNT
};

enum {
	RG_LINT_FIXED = 1 << 0,     /* cannot be suppressed, ignored or re-graded */
	RG_LINT_INVENTORY = 1 << 1, /* only runs with an inventory (and a valid policy) */
};

struct rg_lint_rule {
	enum rg_lint_rule_id rule;
	const char *id;             /* "RG201" */
	const char *slug;           /* "relay-wildcard-src" */
	enum rg_severity severity;  /* default */
	const char *category;       /* "policy", "breadth", "relay", "hygiene" */
	unsigned flags;
	const char *summary;        /* one line, no final period */
	const char *description;    /* Markdown paragraphs: what and why */
	const char *bad;            /* a HuJSON policy that triggers the rule */
	const char *good;           /* the same policy, fixed */
	const char *options;        /* Markdown, or NULL */
};

const struct rg_lint_rule *rg_lint_rule_get(enum rg_lint_rule_id r);
/* By ID (case-insensitive) or slug; NULL if unknown. */
const struct rg_lint_rule *rg_lint_rule_find(const char *id_or_slug);
/* Same for a name that is not NUL-terminated. */
const struct rg_lint_rule *rg_lint_rule_findn(const char *s, size_t n);
/* The ID of a slug ("syntax" -> "RG001"), or NULL. */
const char *rg_lint_rule_id_of(const char *slug);

/* Names the naming rule checks. */
enum rg_lint_name {
	RG_LINT_NAME_GROUP,
	RG_LINT_NAME_TAG,
	RG_LINT_NAME_HOST,
	RG_LINT_NAME_IPSET,
	RG_LINT_NAME_POSTURE,
	RG_LINT_NAME_COUNT
};

#define RG_LINT_DEFAULT_MAX_GROUP 25

struct rg_lint_pattern {
	const char *text;           /* as configured */
	const void *code;           /* pcre2_code_8 */
};

struct rg_lint_config {
	enum rg_severity severity[RG_LINT_RULE_COUNT]; /* RG_SEV_NONE = off */
	enum rg_severity fail_on;   /* RG_SEV_NONE: never fail on findings */
	bool pragmas;
	unsigned relay_max_group_size;
	struct rg_lint_pattern naming[RG_LINT_NAME_COUNT];
};

/* Defaults: registry severities, fail on warnings, pragmas on, 25. */
void rg_lint_config_init(struct rg_lint_config *c);

/*
 * One setting as the environment and the command line give it:
 *   fail-on               error|warning|info|none
 *   ignore                RULE[,RULE...]       (ID or slug)
 *   severity              RULE=LEVEL[,...]     (LEVEL: error|warning|info|none)
 *   pragmas               true|false
 *   relay-max-group-size  N
 * Returns -1 with a message in err when the key or value is wrong.
 */
int rg_lint_config_set(struct rg_lint_config *c, const char *key, const char *value,
		       struct rg_err *err);

/*
 * A .relaygate.hujson file (HuJSON):
 *   {"fail-on": "warning", "ignore": ["RG301", "legacy-acls"],
 *    "severity": {"relay-dst-untagged": "error"}, "pragmas": true,
 *    "relay-max-group-size": 25,
 *    "naming": {"group": "^group:[a-z][a-z0-9-]*$", "tag": ..., "host": ...,
 *               "ipset": ..., "posture": ...}}
 * Every key is optional. Errors (syntax, unknown key, wrong type, unknown
 * rule, bad pattern) are added to diags with their position (rule
 * "config", severity error) and make the load fail. The file borrows src.
 */
struct rg_lint_cfgfile;
int rg_lint_cfgfile_load(struct rg_source *src, struct rg_lint_cfgfile **out,
			 struct rg_diags *diags);
/* Applies the file's settings over c (patterns are borrowed from f). */
void rg_lint_cfgfile_apply(const struct rg_lint_cfgfile *f, struct rg_lint_config *c);
void rg_lint_cfgfile_free(struct rg_lint_cfgfile *f);

#define RG_RULE_CONFIG "config"

/*
 * Lints src: HuJSON syntax, Tailscale validation (with inv's domains when
 * given), every enabled rule, then the pragmas. Findings are appended to
 * diags, sorted by position. inv (may be NULL) enables the rules that need
 * one. Returns 0, or -1 when out of memory (err says so).
 */
int rg_lint_source(struct rg_source *src, const struct rg_inventory *inv,
		   const struct rg_lint_config *cfg, struct rg_diags *diags, struct rg_err *err);

/* Whether d counts toward the exit status under cfg (unsuppressed, at or above fail-on). */
bool rg_lint_fails(const struct rg_diag *d, const struct rg_lint_config *cfg);

#endif

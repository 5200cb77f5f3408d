/* duplicate-rule and shadowed-rule: units of rules and their coverage (internal). */
#ifndef RG_LINT_OVERLAP_H
#define RG_LINT_OVERLAP_H

#include "lint/internal.h"

/* A grant, or an ACL with its converted rule per destination. */
struct overlap_unit {
	struct rg_span span;
	bool acl;
	const struct rg_rule **rules;
	uint32_t nrules;
};

/* Whether every rule of b is covered by some rule of a. */
bool overlap_unit_covers(const struct lint_ctx *c, const struct overlap_unit *a,
			 const struct overlap_unit *b);
/* The name a selector is compared by (tags lower-cased). */
const char *overlap_key(const struct rg_selector *s);
/* autogroup:members is autogroup:member. */
enum rg_autogroup overlap_ag_norm(enum rg_autogroup ag);

#endif

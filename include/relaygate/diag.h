/*
 * Diagnostics: one record for every finding (syntax errors, Tailscale
 * validation errors, lint findings), rendered by the emitters.
 *
 * rule is the stable slug of the rule that produced it ("syntax",
 * "invalid", "relay-wildcard-src", ...); the lint registry maps slugs to
 * IDs, severities and documentation. The message of a "syntax" or
 * "invalid" diagnostic is Tailscale's own text.
 *
 * Ownership: a struct rg_diags owns its records and their messages; the
 * sources they point to are borrowed and must outlive the list.
 */
#ifndef RELAYGATE_DIAG_H
#define RELAYGATE_DIAG_H

#include <stdbool.h>
#include <stddef.h>

#include "relaygate/err.h"
#include "relaygate/source.h"

enum rg_severity {
	RG_SEV_NONE = 0,  /* disabled */
	RG_SEV_INFO,
	RG_SEV_WARNING,
	RG_SEV_ERROR,
};

#define RG_RULE_SYNTAX "syntax"
#define RG_RULE_INVALID "invalid"

struct rg_diag {
	const char *rule;         /* slug (static storage) */
	enum rg_severity severity;
	struct rg_source *src;    /* may be NULL for file-less findings */
	struct rg_span span;
	char *message;
	bool suppressed;          /* silenced by a pragma or config */
};

struct rg_diags {
	struct rg_diag *v;
	size_t n, cap;
	bool oom;                 /* a record could not be stored */
};

void rg_diags_init(struct rg_diags *d);
void rg_diags_free(struct rg_diags *d);
/* Adds a finding; returns -1 (and sets d->oom) when out of memory. */
int rg_diag_add(struct rg_diags *d, const char *rule, enum rg_severity sev,
		struct rg_source *src, struct rg_span span, const char *fmt, ...) RG_PRINTF(6, 7);
/*
 * Moves every record of src to the end of dst (src is left empty).
 * Returns -1 (and sets dst->oom; src keeps its records) when out of memory.
 */
int rg_diags_append(struct rg_diags *dst, struct rg_diags *src);
/* Count of unsuppressed diagnostics at or above sev. */
size_t rg_diags_count(const struct rg_diags *d, enum rg_severity sev);
/* Sorts by file, then offset, then rule (stable for equal keys). */
void rg_diags_sort(struct rg_diags *d);
const char *rg_severity_name(enum rg_severity s);
/* Parses "error", "warning", "info" (and "none"); -1 if unknown. */
int rg_severity_parse(const char *s, enum rg_severity *out);

#endif

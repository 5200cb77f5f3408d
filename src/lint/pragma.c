/*
 * Suppression pragmas in HuJSON comments:
 *
 *   // relaygate:ignore RG201, unused-tag -- reason     the next element
 *   // relaygate:file-ignore RG301                       the whole file
 *
 * Block comments work the same way. Rules are named by ID or slug,
 * separated by commas or spaces; "--" starts the reason. The next element
 * is the first value or object member that begins after the comment; a
 * finding is silenced when it starts inside that element.
 *
 * A pragma rule that silences nothing is reported (unused-suppression),
 * unless the rule is off in the configuration or could not run. Pragmas
 * naming unused-suppression itself apply to those reports, in a second pass.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lint/internal.h"

#define MAX_PRAGMA_RULES 32

struct pragma_rule {
	const struct rg_lint_rule *rule;  /* NULL: unknown name */
	struct rg_span span;              /* the name in the comment */
	bool used;
};

struct pragma {
	bool file;
	struct rg_span comment;
	bool has_elem;
	uint32_t elem_start, elem_end;
	struct pragma_rule rules[MAX_PRAGMA_RULES];
	size_t nrules;
	bool too_many;
};

static bool starts_word(const char *s, const char *end, const char *w)
{
	size_t n = strlen(w);

	return (size_t)(end - s) >= n && memcmp(s, w, n) == 0 &&
	       ((size_t)(end - s) == n || isspace((unsigned char)s[n]) || s[n] == ',');
}

/* Parses one comment; returns false when it is not a pragma. */
static bool parse_pragma(const char *data, struct rg_span cm, struct pragma *pg)
{
	const char *s = data + cm.start, *end = data + cm.end;

	if (end - s >= 4 && s[1] == '*')
		end -= 2; /* "* /" of a block comment */
	s += 2;
	while (s < end && isspace((unsigned char)*s))
		s++;
	memset(pg, 0, sizeof(*pg));
	pg->comment = cm;
	if (starts_word(s, end, "relaygate:ignore")) {
		s += strlen("relaygate:ignore");
	} else if (starts_word(s, end, "relaygate:file-ignore")) {
		s += strlen("relaygate:file-ignore");
		pg->file = true;
	} else {
		return false;
	}
	for (;;) {
		const char *t;

		while (s < end && (isspace((unsigned char)*s) || *s == ','))
			s++;
		if (s >= end || (end - s >= 2 && s[0] == '-' && s[1] == '-'))
			break;
		t = s;
		while (s < end && !isspace((unsigned char)*s) && *s != ',')
			s++;
		if (pg->nrules == MAX_PRAGMA_RULES) {
			pg->too_many = true;
			break;
		}
		pg->rules[pg->nrules].rule = rg_lint_rule_findn(t, (size_t)(s - t));
		pg->rules[pg->nrules].span = (struct rg_span){ (uint32_t)(t - data), (uint32_t)(s - data) };
		pg->nrules++;
	}
	return true;
}

static uint32_t elem_start(const struct rg_hj_node *n)
{
	return n->key ? n->key_span.start : n->span.start;
}

/* The first element (value or member) beginning at or after off. */
static void find_element(const struct rg_hujson_doc *doc, uint32_t off, struct pragma *pg)
{
	size_t lo = 0, hi = doc->nnodes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (elem_start(&doc->nodes[mid]) < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < doc->nnodes) {
		pg->has_elem = true;
		pg->elem_start = elem_start(&doc->nodes[lo]);
		pg->elem_end = doc->nodes[lo].span.end;
	}
}

/* Index of the first diag in [from, to) starting at or after off (diags sorted). */
static size_t first_at(const struct rg_diags *d, size_t from, size_t to, uint32_t off)
{
	while (from < to) {
		size_t mid = from + (to - from) / 2;

		if (d->v[mid].span.start < off)
			from = mid + 1;
		else
			to = mid;
	}
	return from;
}

static bool is_unused_rule(const struct rg_lint_rule *r)
{
	return r->rule == RG_LINT_UNUSED_SUPPRESSION;
}

/*
 * Silences diags [from, to) with the rules of pg; second_pass selects the
 * rules naming unused-suppression (else every other rule).
 */
static void apply(struct rg_diags *d, size_t from, size_t to, struct pragma *pg, bool second_pass)
{
	size_t i, k;

	for (k = 0; k < pg->nrules; k++) {
		struct pragma_rule *pr = &pg->rules[k];
		size_t a = from, b = to;

		if (!pr->rule || (pr->rule->flags & RG_LINT_FIXED) ||
		    is_unused_rule(pr->rule) != second_pass)
			continue;
		if (!pg->file) {
			if (!pg->has_elem)
				continue;
			a = first_at(d, from, to, pg->elem_start);
		}
		for (i = a; i < b; i++) {
			struct rg_diag *x = &d->v[i];

			if (!pg->file && x->span.start >= pg->elem_end)
				break;
			if (strcmp(x->rule, pr->rule->slug) == 0) {
				x->suppressed = true;
				pr->used = true;
			}
		}
	}
}

/*
 * Whether rule r ran on this source: the inventory rules need the
 * evaluator, which exists only with an inventory and a valid policy.
 */
static bool rule_ran(const struct lint_ctx *c, const struct rg_lint_rule *r)
{
	if (c->cfg->severity[r->rule] == RG_SEV_NONE)
		return false;
	return !(r->flags & RG_LINT_INVENTORY) || c->eval;
}

static void report_unused(struct lint_ctx *c, struct pragma *pg, bool second_pass)
{
	const char *what = pg->file ? "relaygate:file-ignore" : "relaygate:ignore";
	size_t k;

	if (!pg->nrules && !second_pass)
		lint_report(c, RG_LINT_UNUSED_SUPPRESSION, pg->comment, "%s names no rule", what);
	if (pg->too_many && !second_pass)
		lint_report(c, RG_LINT_UNUSED_SUPPRESSION, pg->comment,
			    "%s names more than %d rules; the rest are ignored", what,
			    MAX_PRAGMA_RULES);
	for (k = 0; k < pg->nrules; k++) {
		const struct pragma_rule *pr = &pg->rules[k];
		const char *name = c->p->src->data + pr->span.start;
		int len = (int)(pr->span.end - pr->span.start);

		if (!pr->rule) {
			if (!second_pass)
				lint_report(c, RG_LINT_UNUSED_SUPPRESSION, pr->span,
					    "unknown rule \"%.*s\" in %s", len, name, what);
			continue;
		}
		if (is_unused_rule(pr->rule) != second_pass || pr->used)
			continue;
		if (pr->rule->flags & RG_LINT_FIXED)
			lint_report(c, RG_LINT_UNUSED_SUPPRESSION, pr->span,
				    "%s %s cannot be suppressed", pr->rule->id, pr->rule->slug);
		else if (!rule_ran(c, pr->rule))
			continue; /* off, or not checked in this run: nothing to silence */
		else if (!pg->file && !pg->has_elem)
			lint_report(c, RG_LINT_UNUSED_SUPPRESSION, pr->span,
				    "%s %s: no element follows the pragma", what, pr->rule->id);
		else
			lint_report(c, RG_LINT_UNUSED_SUPPRESSION, pr->span,
				    "%s %s (%s) silences nothing%s", what, pr->rule->id, pr->rule->slug,
				    pg->file ? " in this file" : " on the next element");
	}
}

int lint_pragmas_apply(struct lint_ctx *c, size_t base)
{
	const struct rg_hujson_doc *doc = c->p->doc;
	struct pragma *pg = NULL;
	size_t i, n = 0, cap = 0, mid;

	for (i = 0; i < doc->ncomments; i++) {
		struct pragma one;

		if (!parse_pragma(c->p->src->data, doc->comments[i], &one))
			continue;
		if (!one.file)
			find_element(doc, one.comment.end, &one);
		if (n == cap) {
			size_t grown = cap ? cap * 2 : 8;
			struct pragma *v = realloc(pg, grown * sizeof(*pg));

			if (!v) {
				free(pg);
				return -1;
			}
			pg = v;
			cap = grown;
		}
		pg[n++] = one;
	}
	/* Pass 1: every rule but unused-suppression, over the sorted findings. */
	mid = c->diags->n;
	for (i = 0; i < n; i++)
		apply(c->diags, base, mid, &pg[i], false);
	for (i = 0; i < n; i++)
		report_unused(c, &pg[i], false);
	/* Pass 2: pragmas naming unused-suppression, over the reports of pass 1. */
	rg_diags_sort(c->diags);
	for (i = 0; i < n; i++)
		apply(c->diags, base, c->diags->n, &pg[i], true);
	for (i = 0; i < n; i++)
		report_unused(c, &pg[i], true);
	free(pg);
	return c->oom ? -1 : 0;
}

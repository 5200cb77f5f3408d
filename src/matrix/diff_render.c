/*
 * The access diff as text (one line per grant or revocation), JSON, or
 * Markdown ready to post as a pull request comment.
 */
#include <stdlib.h>
#include <string.h>

#include "matrix/render.h"
#include "matrix/text.h"

#define LIST_NAMES 10   /* names listed per change in text and Markdown before "+N more" */

typedef void (*esc_fn)(struct rg_buf *b, const char *s);

int rg_diff_format_parse(const char *name, enum rg_diff_format *out)
{
	if (strcmp(name, "human") == 0)
		*out = RG_DIFF_HUMAN;
	else if (strcmp(name, "json") == 0)
		*out = RG_DIFF_JSON;
	else if (strcmp(name, "markdown") == 0)
		*out = RG_DIFF_MARKDOWN;
	else
		return -1;
	return 0;
}

static void put_list(struct rg_buf *b, const char *const *v, size_t n, esc_fn esc)
{
	size_t i;

	for (i = 0; i < n && i < LIST_NAMES; i++) {
		if (i)
			rg_buf_puts(b, ", ");
		esc(b, v[i]);
	}
	if (n > LIST_NAMES)
		rg_buf_printf(b, " (+%zu more)", n - LIST_NAMES);
}

/* "OLD to NEW" with the view, as plain text. */
static void what(struct rg_buf *b, const struct rg_matrix_diff *d,
		 const struct rg_diff_render_opts *o)
{
	rg_buf_printf(b, "%s to %s", o->old_name ? o->old_name : "OLD",
		      o->new_name ? o->new_name : "NEW");
	if (d->cap)
		rg_buf_printf(b, " (%s only)", d->cap);
	rg_buf_puts(b, d->kind == RG_MATRIX_PRINCIPALS ? ", by principal" : ", by node");
}

static void summary(struct rg_buf *b, const struct rg_matrix_diff *d)
{
	size_t g = d->granted_pairs, r = d->revoked_pairs;

	if (g && r)
		rg_buf_printf(b, "%zu (source, destination) pair%s gain%s access, %zu lose%s some.", g,
			      g == 1 ? "" : "s", g == 1 ? "s" : "", r, r == 1 ? "s" : "");
	else
		rg_buf_printf(b, "%zu (source, destination) pair%s %s access.", g ? g : r,
			      (g ? g : r) == 1 ? "" : "s",
			      g ? (g == 1 ? "gains" : "gain") : (r == 1 ? "loses" : "lose"));
}

static size_t shown(const struct rg_matrix_diff *d, const struct rg_diff_render_opts *o)
{
	return o->limit && o->limit < d->nchanges ? o->limit : d->nchanges;
}

/* How one line of a change is laid out. */
struct line_fmt {
	const char *granted, *revoked;   /* lead of the line */
	const char *arrow, *colon, *end; /* between sources and destinations, before access, after */
	esc_fn esc;
};

static const struct line_fmt human_fmt = { "+ ", "- ", " -> ", ": ", "\n", text_sanitize };
static const struct line_fmt md_fmt = { "| **granted** | ", "| revoked | ", " | ", " | ", " |\n",
					esc_md };

static void change_line(struct rg_buf *b, const struct rg_matrix_change *c, const char *lead,
			const struct rg_matrix_access *a, const struct line_fmt *f)
{
	rg_buf_puts(b, lead);
	put_list(b, c->srcs, c->nsrcs, f->esc);
	rg_buf_puts(b, f->arrow);
	put_list(b, c->dsts, c->ndsts, f->esc);
	rg_buf_puts(b, f->colon);
	f->esc(b, a->text);
	rg_buf_puts(b, f->end);
}

/* The first n changes, a line per grant and per revocation. */
static void change_lines(struct rg_buf *b, const struct rg_matrix_diff *d, size_t n,
			 const struct line_fmt *f)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (d->changes[i].granted)
			change_line(b, &d->changes[i], f->granted, d->changes[i].granted, f);
		if (d->changes[i].revoked)
			change_line(b, &d->changes[i], f->revoked, d->changes[i].revoked, f);
	}
}

static void render_human(struct rg_buf *b, const struct rg_matrix_diff *d,
			 const struct rg_diff_render_opts *o)
{
	struct rg_buf t;
	size_t n = shown(d, o);

	rg_buf_init(&t, 0);
	what(&t, d, o);
	if (!d->nchanges) {
		rg_buf_puts(b, "No change in access from ");
		text_sanitize(b, t.data ? t.data : "");
		rg_buf_puts(b, ".\n");
		rg_buf_free(&t);
		return;
	}
	rg_buf_puts(b, "Access changes from ");
	text_sanitize(b, t.data ? t.data : "");
	rg_buf_puts(b, ":\n");
	rg_buf_free(&t);
	change_lines(b, d, n, &human_fmt);
	if (n < d->nchanges)
		rg_buf_printf(b, "... %zu more changes (--limit 0 or --format json shows all)\n",
			      d->nchanges - n);
	summary(b, d);
	rg_buf_putc(b, '\n');
}

static void render_markdown_diff(struct rg_buf *b, const struct rg_matrix_diff *d,
				 const struct rg_diff_render_opts *o)
{
	struct rg_buf t;
	size_t n = shown(d, o);

	rg_buf_init(&t, 0);
	what(&t, d, o);
	rg_buf_puts(b, "### relaygate: access changes\n\n");
	if (!d->nchanges) {
		rg_buf_puts(b, "No change in effective access from ");
		esc_md(b, t.data ? t.data : "");
		rg_buf_puts(b, ".\n");
		rg_buf_free(&t);
		return;
	}
	rg_buf_puts(b, "From ");
	esc_md(b, t.data ? t.data : "");
	rg_buf_puts(b, ": **");
	rg_buf_reset(&t);
	summary(&t, d);
	esc_md(b, t.data ? t.data : "");
	rg_buf_free(&t);
	rg_buf_puts(b, "**\n\n| change | sources | destinations | access |\n|---|---|---|---|\n");
	change_lines(b, d, n, &md_fmt);
	if (n < d->nchanges)
		rg_buf_printf(b, "\n%zu more changes not shown: `relaygate diff --format json` lists "
			      "them all.\n", d->nchanges - n);
}

static void json_names(struct rg_buf *b, const char *const *v, size_t n)
{
	size_t i;

	rg_buf_putc(b, '[');
	for (i = 0; i < n; i++) {
		if (i)
			rg_buf_puts(b, ", ");
		rg_buf_json_str(b, v[i], strlen(v[i]));
	}
	rg_buf_putc(b, ']');
}

static void json_opt_str(struct rg_buf *b, const char *s)
{
	if (s)
		rg_buf_json_str(b, s, strlen(s));
	else
		rg_buf_puts(b, "null");
}

static void render_json_diff(struct rg_buf *b, const struct rg_matrix_diff *d,
			     const struct rg_diff_render_opts *o)
{
	size_t i;

	rg_buf_printf(b, "{\n  \"version\": 1,\n  \"kind\": \"%s\",\n  \"cap\": ",
		      d->kind == RG_MATRIX_PRINCIPALS ? "principals" : "nodes");
	json_opt_str(b, d->cap);
	rg_buf_puts(b, ",\n  \"old\": ");
	json_opt_str(b, o->old_name);
	rg_buf_puts(b, ",\n  \"new\": ");
	json_opt_str(b, o->new_name);
	rg_buf_printf(b, ",\n  \"changed\": %s,\n  \"granted_pairs\": %zu,\n  \"revoked_pairs\": %zu,\n"
		      "  \"changes\": [", d->nchanges ? "true" : "false", d->granted_pairs,
		      d->revoked_pairs);
	for (i = 0; i < d->nchanges; i++) {
		const struct rg_matrix_change *c = &d->changes[i];

		rg_buf_puts(b, i ? ",\n    {\"src\": " : "\n    {\"src\": ");
		json_names(b, c->srcs, c->nsrcs);
		rg_buf_puts(b, ", \"dst\": ");
		json_names(b, c->dsts, c->ndsts);
		rg_buf_puts(b, ", \"granted\": ");
		if (c->granted)
			json_access(b, c->granted);
		else
			rg_buf_puts(b, "null");
		rg_buf_puts(b, ", \"revoked\": ");
		if (c->revoked)
			json_access(b, c->revoked);
		else
			rg_buf_puts(b, "null");
		rg_buf_putc(b, '}');
	}
	rg_buf_puts(b, d->nchanges ? "\n  ]\n}\n" : "]\n}\n");
}

int rg_matrix_diff_render(const struct rg_matrix_diff *d, enum rg_diff_format f,
			  const struct rg_diff_render_opts *o, char **out, size_t *len,
			  struct rg_err *err)
{
	struct rg_buf b;

	*out = NULL;
	*len = 0;
	rg_buf_init(&b, (size_t)2 << 30);
	if (f == RG_DIFF_JSON)
		render_json_diff(&b, d, o);
	else if (f == RG_DIFF_MARKDOWN)
		render_markdown_diff(&b, d, o);
	else
		render_human(&b, d, o);
	if (!(*out = rg_buf_take(&b, len))) {
		rg_buf_free(&b);
		return rg_err_set(err, "out of memory (or output over 2 GiB)");
	}
	return 0;
}

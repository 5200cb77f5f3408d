/* Rendering: dispatch, the view, the row cursor, title, legend and notes. */
#include <stdlib.h>
#include <string.h>

#include "matrix/render.h"

#define NOTE_NAMES 10   /* names listed in a note before "+N more" */

static const char *const format_names[] = {
	[RG_MATRIX_TABLE] = "table", [RG_MATRIX_CSV] = "csv", [RG_MATRIX_JSON] = "json",
	[RG_MATRIX_MARKDOWN] = "markdown", [RG_MATRIX_DOT] = "dot", [RG_MATRIX_HTML] = "html",
};

int rg_matrix_format_parse(const char *name, enum rg_matrix_format *out)
{
	size_t i;

	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (strcmp(name, format_names[i]) == 0) {
			*out = (enum rg_matrix_format)i;
			return 0;
		}
	return -1;
}

int rg_matrix_render(const struct rg_matrix *m, enum rg_matrix_format f,
		     const struct rg_matrix_render_opts *o, char **out, size_t *len,
		     struct rg_err *err)
{
	static int (*const fns[])(const struct view *, struct rg_buf *) = {
		[RG_MATRIX_TABLE] = render_table, [RG_MATRIX_CSV] = render_csv,
		[RG_MATRIX_JSON] = render_json, [RG_MATRIX_MARKDOWN] = render_markdown,
		[RG_MATRIX_DOT] = render_dot, [RG_MATRIX_HTML] = render_html,
	};
	struct view v = { m, o, m->nrows, m->ncols };
	struct rg_buf b;

	*out = NULL;
	*len = 0;
	if ((unsigned)f >= sizeof(fns) / sizeof(fns[0]))
		return rg_err_set(err, "unknown format");
	if (o->limit && f != RG_MATRIX_CSV && f != RG_MATRIX_JSON) {
		v.nrows = m->nrows < o->limit ? m->nrows : o->limit;
		v.ncols = m->ncols < o->limit ? m->ncols : o->limit;
	}
	rg_buf_init(&b, (size_t)2 << 30);
	if (fns[f](&v, &b) < 0 || !(*out = rg_buf_take(&b, len))) {
		rg_buf_free(&b);
		return rg_err_set(err, "out of memory (or output over 2 GiB)");
	}
	return 0;
}

int row_cursor_init(struct row_cursor *c, const struct view *v)
{
	c->m = v->m;
	c->ncols = v->ncols;
	c->next = 0;
	c->cells = calloc(v->ncols ? v->ncols : 1, sizeof(*c->cells));
	return c->cells ? 0 : -1;
}

void row_cursor_row(struct row_cursor *c, size_t row)
{
	const struct rg_matrix *m = c->m;

	memset(c->cells, 0, c->ncols * sizeof(*c->cells));
	while (c->next < m->ncells && m->cells[c->next].row < row)
		c->next++;
	for (; c->next < m->ncells && m->cells[c->next].row == row; c->next++)
		if (m->cells[c->next].col < c->ncols)
			c->cells[m->cells[c->next].col] = m->cells[c->next].access;
}

void row_cursor_free(struct row_cursor *c)
{
	free(c->cells);
	c->cells = NULL;
}

void view_title(const struct view *v, struct rg_buf *b)
{
	rg_buf_puts(b, "Effective grant matrix");
	if (v->m->cap)
		rg_buf_printf(b, " for %s", v->m->cap);
	if (v->o->title)
		rg_buf_printf(b, ": %s", v->o->title);
}

static bool has_routes(const struct rg_matrix *m)
{
	size_t i;

	for (i = 0; i < m->ncols; i++)
		if (m->cols[i].routes)
			return true;
	return false;
}

void view_legend(const struct view *v, struct rg_buf *b)
{
	const struct rg_matrix *m = v->m;
	const char *what = m->kind == RG_MATRIX_PRINCIPALS ? "principals"
			   : m->aggregated ? "nodes (merged when identical)" : "nodes";

	if (m->cap && strcmp(m->cap, RG_CAP_RELAY) == 0)
		rg_buf_printf(b, "Rows: %s that may allocate relay endpoints; columns: the relays.", what);
	else if (m->cap)
		rg_buf_printf(b, "Rows: %s granted %s; columns: %s granting it.", what, m->cap, what);
	else
		rg_buf_printf(b, "Rows: source %s; columns: destination %s%s; cells: ports and capabilities.",
			      what, what, has_routes(m) ? ", then addresses behind routers (\"... via ROUTER\")" : "");
}

static void names_note(struct rg_buf *b, const char *what, const char *const *names, size_t n)
{
	size_t i;

	rg_buf_printf(b, "%s (not shown): ", what);
	for (i = 0; i < n && i < NOTE_NAMES; i++)
		rg_buf_printf(b, "%s%s", i ? ", " : "", names[i]);
	if (n > NOTE_NAMES)
		rg_buf_printf(b, " (+%zu more)", n - NOTE_NAMES);
	rg_buf_putc(b, '.');
}

int view_notes(const struct view *v, int (*fn)(const char *note, void *arg), void *arg)
{
	const struct rg_matrix *m = v->m;
	const char *unit = m->kind == RG_MATRIX_PRINCIPALS ? "principal" : "node";
	struct rg_buf b;
	int ret = 0, k;

	rg_buf_init(&b, 0);
	for (k = 0; k < 4 && ret == 0; k++) {
		rg_buf_reset(&b);
		if (k == 0 && (v->nrows < m->nrows || v->ncols < m->ncols))
			rg_buf_printf(&b, "Showing the first %zu of %zu rows and %zu of %zu columns: "
				      "--limit 0 shows all; csv and json always do.",
				      v->nrows, m->nrows, v->ncols, m->ncols);
		else if (k == 1 && m->aggregated)
			rg_buf_printf(&b, "Lines stand for every %s with identical access, "
				      "\"first (+N)\"; --aggregate never lists each.", unit);
		else if (k == 2 && m->nidle_rows)
			names_note(&b, "Without access to anything", m->idle_rows, m->nidle_rows);
		else if (k == 3 && m->nidle_cols)
			names_note(&b, "Reachable by nobody", m->idle_cols, m->nidle_cols);
		else
			continue;
		if (rg_buf_failed(&b))
			ret = -1;
		else
			ret = fn(b.data, arg);
	}
	rg_buf_free(&b);
	return ret;
}

int access_level(const struct rg_matrix_access *a)
{
	if (!a || !a->weight)
		return 0;
	if (a->weight == 1)
		return 1;
	if (a->weight <= 10)
		return 2;
	if (a->weight <= 1000)
		return 3;
	return a->weight < 65536 ? 4 : 5;
}

void json_access(struct rg_buf *b, const struct rg_matrix_access *a)
{
	size_t i;

	rg_buf_puts(b, "{\"text\": ");
	rg_buf_json_str(b, a->text, strlen(a->text));
	rg_buf_puts(b, ", \"ports\": [");
	for (i = 0; i < a->nports; i++)
		rg_buf_printf(b, "%s{\"proto\": %u, \"first\": %u, \"last\": %u}", i ? ", " : "",
			      a->ports[i].proto, a->ports[i].first, a->ports[i].last);
	rg_buf_puts(b, "], \"caps\": [");
	for (i = 0; i < a->ncaps; i++) {
		if (i)
			rg_buf_puts(b, ", ");
		rg_buf_json_str(b, a->caps[i], strlen(a->caps[i]));
	}
	rg_buf_puts(b, "]}");
}

/*
 * A plain-text table that fits the terminal: no line is wider than the
 * width. Cells wrap at spaces (a word wider than its column is cut across
 * lines, never dropped); when the columns do not fit side by side, the
 * table is printed in bands of columns, each repeating the row labels.
 * Text is sanitized (no control characters reach the terminal).
 */
#include <stdlib.h>
#include <string.h>

#include "matrix/render.h"
#include "matrix/text.h"
#include "util/vec.h"

#define MIN_WIDTH 20
#define SEP " | "
#define SEP_W 3

struct seg {
	size_t off, len;
};

struct segs {
	struct seg *v;
	size_t n, cap;
};

struct table {
	const struct view *v;
	struct rg_buf *b;
	size_t width, lw;          /* terminal, label column */
	size_t *cw;                /* per shown column */
	struct rg_buf *s;          /* scratch: sanitized texts of one row (label + band cells) */
	struct segs *sg;           /* their wrapped lines */
	size_t nscratch;
};

static int seg_push(struct segs *g, size_t off, size_t len)
{
	if (rg_vec_grow(&g->v, &g->cap, g->n, sizeof(*g->v)) < 0)
		return -1;
	g->v[g->n++] = (struct seg){ off, len };
	return 0;
}

/* Lines of s[0..n) at most w columns wide: words joined while they fit, long words cut. */
static int wrap(const char *s, size_t n, size_t w, struct segs *out)
{
	size_t i = 0;

	out->n = 0;
	while (i < n) {
		size_t start, end, cols = 0, j;

		while (i < n && s[i] == ' ')
			i++;
		if (i == n)
			break;
		start = end = j = i;
		while (j < n) {
			size_t k = j, ww;

			while (k < n && s[k] != ' ')
				k++;
			ww = text_width(s + j, k - j);
			if (cols ? cols + 1 + ww > w : ww > w)
				break;
			cols += (cols ? 1 : 0) + ww;
			end = k;
			j = k < n ? k + 1 : k;
		}
		if (end == start)
			end = start + text_prefix(s + start, n - start, w);
		if (seg_push(out, start, end - start) < 0)
			return -1;
		i = end;
	}
	return out->n ? 0 : seg_push(out, 0, 0);
}

static void put_padded(struct rg_buf *b, const char *s, struct seg g, size_t w)
{
	size_t have = text_width(s + g.off, g.len);

	rg_buf_append(b, s + g.off, g.len);
	if (have < w)
		rg_buf_repeat(b, ' ', w - have);
}

static void trim_line(struct rg_buf *b)
{
	while (b->len && b->data[b->len - 1] == ' ')
		b->len--;
	if (b->data)
		b->data[b->len] = '\0';
	rg_buf_putc(b, '\n');
}

/* Prints a paragraph wrapped to the width, the first line after first, the rest after rest. */
static int paragraph(struct table *t, const char *text, const char *first, const char *rest)
{
	struct rg_buf s;
	struct segs g = { NULL, 0, 0 };
	size_t i, ind = strlen(first);
	int ret = -1;

	rg_buf_init(&s, 0);
	text_sanitize(&s, text);
	if (!rg_buf_failed(&s) && wrap(s.data ? s.data : "", s.len, t->width - ind, &g) == 0) {
		for (i = 0; i < g.n; i++) {
			rg_buf_puts(t->b, i ? rest : first);
			rg_buf_append(t->b, s.data + g.v[i].off, g.v[i].len);
			trim_line(t->b);
		}
		ret = 0;
	}
	free(g.v);
	rg_buf_free(&s);
	return ret;
}

/* One table row from the nc+1 texts in t->s (label first): wrapped, side by side. */
static int put_row(struct table *t, size_t c0, size_t nc)
{
	size_t k, j, height = 0;

	for (j = 0; j <= nc; j++) {
		struct rg_buf *s = &t->s[j];

		if (rg_buf_failed(s) ||
		    wrap(s->data ? s->data : "", s->len, j ? t->cw[c0 + j - 1] : t->lw, &t->sg[j]) < 0)
			return -1;
		if (t->sg[j].n > height)
			height = t->sg[j].n;
	}
	for (k = 0; k < height; k++) {
		for (j = 0; j <= nc; j++) {
			struct seg g = k < t->sg[j].n ? t->sg[j].v[k] : (struct seg){ 0, 0 };

			if (j)
				rg_buf_puts(t->b, SEP);
			put_padded(t->b, t->s[j].data ? t->s[j].data : "", g,
				   j ? t->cw[c0 + j - 1] : t->lw);
		}
		trim_line(t->b);
	}
	return (int)height;
}

static void put_rule(struct table *t, size_t c0, size_t nc)
{
	size_t j;

	rg_buf_repeat(t->b, '-', t->lw);
	for (j = 0; j < nc; j++) {
		rg_buf_puts(t->b, "-+-");
		rg_buf_repeat(t->b, '-', t->cw[c0 + j]);
	}
	rg_buf_putc(t->b, '\n');
}

static void set_text(struct rg_buf *s, const char *text)
{
	rg_buf_reset(s);
	text_sanitize(s, text);
}

/* Columns c0 .. c0+nc-1 with every row. */
static int put_band(struct table *t, size_t c0, size_t nc)
{
	const struct view *v = t->v;
	const struct rg_matrix *m = v->m;
	struct row_cursor c;
	size_t i, j, mark;
	bool tall = false;
	int h;

	if (row_cursor_init(&c, v) < 0)
		return -1;
	set_text(&t->s[0], "src \\ dst");
	for (j = 0; j < nc; j++)
		set_text(&t->s[j + 1], m->cols[c0 + j].label);
	if (put_row(t, c0, nc) < 0)
		goto fail;
	put_rule(t, c0, nc);
	mark = t->b->len;
	for (i = 0; i < v->nrows; i++) {
		row_cursor_row(&c, i);
		set_text(&t->s[0], m->rows[i].label);
		for (j = 0; j < nc; j++)
			set_text(&t->s[j + 1], c.cells[c0 + j] ? c.cells[c0 + j]->text : "-");
		if (tall && i)
			put_rule(t, c0, nc);
		if ((h = put_row(t, c0, nc)) < 0)
			goto fail;
		if (h > 1 && !tall) {
			/* Rows of several lines: start again with rules between rows. */
			tall = true;
			t->b->len = mark;
			i = (size_t)-1;
			c.next = 0;
		}
	}
	row_cursor_free(&c);
	return 0;
fail:
	row_cursor_free(&c);
	return -1;
}

/* Widths: the label column, then each column as wide as its widest text, within the terminal. */
static void layout(struct table *t)
{
	const struct view *v = t->v;
	const struct rg_matrix *m = v->m;
	struct rg_buf s;
	size_t i, maxl = strlen("src \\ dst"), cap;

	rg_buf_init(&s, 0);
	for (i = 0; i < v->nrows; i++) {
		set_text(&s, m->rows[i].label);
		if (text_width(s.data ? s.data : "", s.len) > maxl)
			maxl = text_width(s.data ? s.data : "", s.len);
	}
	cap = t->width / 3 > 8 ? t->width / 3 : 8;
	t->lw = maxl < cap ? maxl : cap;
	cap = t->width - t->lw - SEP_W;          /* one column must fit beside the labels */
	if (cap > 30)
		cap = 30;
	for (i = 0; i < v->ncols; i++) {
		set_text(&s, m->cols[i].label);
		t->cw[i] = text_width(s.data ? s.data : "", s.len);
	}
	for (i = 0; i < m->ncells; i++) {
		const struct rg_matrix_cell *c = &m->cells[i];
		size_t w;

		if (c->row >= v->nrows || c->col >= v->ncols)
			continue;
		set_text(&s, c->access->text);
		w = text_width(s.data ? s.data : "", s.len);
		if (w > t->cw[c->col])
			t->cw[c->col] = w;
	}
	for (i = 0; i < v->ncols; i++)
		t->cw[i] = t->cw[i] < 1 ? 1 : t->cw[i] > cap ? cap : t->cw[i];
	rg_buf_free(&s);
}

static int put_note(const char *note, void *arg)
{
	return paragraph(arg, note, "note: ", "      ");
}

static int put_all(struct table *t)
{
	const struct view *v = t->v;
	struct rg_buf title;
	size_t c0 = 0, nc, used;
	int ret = 0;

	rg_buf_init(&title, 0);
	view_title(v, &title);
	ret = paragraph(t, title.data ? title.data : "", "", "");
	rg_buf_reset(&title);
	view_legend(v, &title);
	if (ret == 0)
		ret = paragraph(t, title.data ? title.data : "", "", "");
	rg_buf_free(&title);
	rg_buf_putc(t->b, '\n');
	if (!v->nrows || !v->ncols)
		rg_buf_puts(t->b, "Nobody has access to anything.\n\n");
	while (ret == 0 && c0 < v->ncols) {
		for (nc = 0, used = t->lw; c0 + nc < v->ncols; nc++) {
			if (nc && used + SEP_W + t->cw[c0 + nc] > t->width)
				break;
			used += SEP_W + t->cw[c0 + nc];
		}
		if (nc == 1 && nc < v->ncols)
			rg_buf_printf(t->b, "column %zu of %zu:\n", c0 + 1, v->ncols);
		else if (nc < v->ncols)
			rg_buf_printf(t->b, "columns %zu-%zu of %zu:\n", c0 + 1, c0 + nc, v->ncols);
		ret = put_band(t, c0, nc);
		c0 += nc;
		rg_buf_putc(t->b, '\n');
	}
	if (ret == 0)
		ret = view_notes(v, put_note, t);
	return ret;
}

int render_table(const struct view *v, struct rg_buf *b)
{
	struct table t;
	size_t i;
	int ret = -1;

	memset(&t, 0, sizeof(t));
	t.v = v;
	t.b = b;
	t.width = v->o->width > MIN_WIDTH ? v->o->width : MIN_WIDTH;
	if (!v->o->width)
		t.width = 80;
	t.cw = calloc(v->ncols + 1, sizeof(*t.cw));
	t.nscratch = v->ncols + 1;
	t.s = calloc(t.nscratch, sizeof(*t.s));
	t.sg = calloc(t.nscratch, sizeof(*t.sg));
	if (t.cw && t.s && t.sg) {
		for (i = 0; i < t.nscratch; i++)
			rg_buf_init(&t.s[i], 0);
		layout(&t);
		ret = put_all(&t);
	}
	for (i = 0; t.s && i < t.nscratch; i++)
		rg_buf_free(&t.s[i]);
	for (i = 0; t.sg && i < t.nscratch; i++)
		free(t.sg[i].v);
	free(t.s);
	free(t.sg);
	free(t.cw);
	return ret == 0 && !rg_buf_failed(b) ? 0 : -1;
}

/* Markdown (GitHub): a heading, the legend, one table, the notes as a list. */
#include "matrix/render.h"
#include "matrix/text.h"

static int note(const char *s, void *arg)
{
	struct rg_buf *b = arg;

	rg_buf_puts(b, "- ");
	esc_md(b, s);
	rg_buf_putc(b, '\n');
	return 0;
}

int render_markdown(const struct view *v, struct rg_buf *b)
{
	const struct rg_matrix *m = v->m;
	struct rg_buf t;
	struct row_cursor c;
	size_t i, j;

	rg_buf_init(&t, 0);
	view_title(v, &t);
	rg_buf_puts(b, "### ");
	esc_md(b, t.data ? t.data : "");
	rg_buf_puts(b, "\n\n");
	rg_buf_reset(&t);
	view_legend(v, &t);
	esc_md(b, t.data ? t.data : "");
	rg_buf_puts(b, "\n\n");
	if (rg_buf_failed(&t)) {
		rg_buf_free(&t);
		return -1;
	}
	rg_buf_free(&t);
	if (!v->nrows || !v->ncols) {
		rg_buf_puts(b, "Nobody has access to anything.\n");
	} else {
		if (row_cursor_init(&c, v) < 0)
			return -1;
		rg_buf_puts(b, "| src → dst |");
		for (j = 0; j < v->ncols; j++) {
			rg_buf_putc(b, ' ');
			esc_md(b, m->cols[j].label);
			rg_buf_puts(b, " |");
		}
		rg_buf_puts(b, "\n|---|");
		for (j = 0; j < v->ncols; j++)
			rg_buf_puts(b, "---|");
		rg_buf_putc(b, '\n');
		for (i = 0; i < v->nrows; i++) {
			row_cursor_row(&c, i);
			rg_buf_puts(b, "| **");
			esc_md(b, m->rows[i].label);
			rg_buf_puts(b, "** |");
			for (j = 0; j < v->ncols; j++) {
				rg_buf_putc(b, ' ');
				if (c.cells[j])
					esc_md(b, c.cells[j]->text);
				rg_buf_puts(b, " |");
			}
			rg_buf_putc(b, '\n');
		}
		row_cursor_free(&c);
	}
	rg_buf_putc(b, '\n');
	if (view_notes(v, note, b) < 0)
		return -1;
	return rg_buf_failed(b) ? -1 : 0;
}

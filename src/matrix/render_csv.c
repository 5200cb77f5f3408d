/*
 * CSV (RFC 4180, CRLF): a header of destinations, then one record per
 * source: its label and one field per destination (empty: no access).
 * Every line is written whatever the limit.
 */
#include "matrix/render.h"
#include "matrix/text.h"

int render_csv(const struct view *v, struct rg_buf *b)
{
	const struct rg_matrix *m = v->m;
	struct row_cursor c;
	size_t i, j;

	if (row_cursor_init(&c, v) < 0)
		return -1;
	esc_csv(b, "src \\ dst");
	for (j = 0; j < v->ncols; j++) {
		rg_buf_putc(b, ',');
		esc_csv(b, m->cols[j].label);
	}
	rg_buf_puts(b, "\r\n");
	for (i = 0; i < v->nrows && !rg_buf_failed(b); i++) {
		row_cursor_row(&c, i);
		esc_csv(b, m->rows[i].label);
		for (j = 0; j < v->ncols; j++) {
			rg_buf_putc(b, ',');
			if (c.cells[j])
				esc_csv(b, c.cells[j]->text);
		}
		rg_buf_puts(b, "\r\n");
	}
	row_cursor_free(&c);
	return rg_buf_failed(b) ? -1 : 0;
}

/*
 * Matrix renderers (one file each) and what they share: the view (how
 * many rows and columns are shown), a cursor over the cells of one row,
 * the title and the notes.
 */
#ifndef RG_MATRIX_RENDER_H
#define RG_MATRIX_RENDER_H

#include "relaygate/matrix.h"
#include "util/buf.h"

struct view {
	const struct rg_matrix *m;
	const struct rg_matrix_render_opts *o;
	size_t nrows, ncols;        /* shown: the first ones, up to the limit */
};

/* The cells of one row as a dense array over the shown columns. */
struct row_cursor {
	const struct rg_matrix *m;
	size_t ncols;
	size_t next;                /* first cell not yet visited */
	const struct rg_matrix_access **cells;  /* NULL: empty */
};

int row_cursor_init(struct row_cursor *c, const struct view *v);
/* Rows must be asked for in increasing order. */
void row_cursor_row(struct row_cursor *c, size_t row);
void row_cursor_free(struct row_cursor *c);

/* "Effective grant matrix[ for CAP][: TITLE]" (plain text). */
void view_title(const struct view *v, struct rg_buf *b);
/* What rows and columns are (plain text). */
void view_legend(const struct view *v, struct rg_buf *b);
/* Calls fn with each note (plain text): limits, merged classes, lines left out. */
int view_notes(const struct view *v, int (*fn)(const char *note, void *arg), void *arg);
/* Heat level of an access, 0 (nothing) to 5. */
int access_level(const struct rg_matrix_access *a);

int render_table(const struct view *v, struct rg_buf *b);
int render_csv(const struct view *v, struct rg_buf *b);
int render_json(const struct view *v, struct rg_buf *b);
int render_markdown(const struct view *v, struct rg_buf *b);
int render_dot(const struct view *v, struct rg_buf *b);
int render_html(const struct view *v, struct rg_buf *b);

/* JSON of an access: {"text", "ports": [{"proto", "first", "last"}], "caps"}. */
void json_access(struct rg_buf *b, const struct rg_matrix_access *a);

#endif

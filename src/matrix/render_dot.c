/*
 * Graphviz DOT: one graph node per distinct line label (a node that is
 * both a source and a destination appears once), one edge per cell,
 * labelled with the access and thicker the more it grants.
 */
#include <stdlib.h>
#include <string.h>

#include "matrix/render.h"
#include "matrix/text.h"
#include "util/map.h"

struct ids {
	struct rg_map map;     /* label -> (uintptr_t)id + 1 */
	size_t n;
};

static int node_id(struct ids *ids, struct rg_buf *b, const char *label, size_t *id)
{
	void *v = rg_map_get(&ids->map, label, strlen(label));

	if (v) {
		*id = (size_t)((uintptr_t)v - 1);
		return 0;
	}
	*id = ids->n++;
	if (rg_map_put(&ids->map, label, strlen(label), (void *)(uintptr_t)(*id + 1), NULL) < 0)
		return -1;
	rg_buf_printf(b, "  n%zu [label=\"", *id);
	esc_dot(b, label);
	rg_buf_puts(b, "\"];\n");
	return 0;
}

static int note(const char *s, void *arg)
{
	struct rg_buf *b = arg;

	rg_buf_puts(b, "\\n");
	esc_dot(b, s);
	return 0;
}

int render_dot(const struct view *v, struct rg_buf *b)
{
	const struct rg_matrix *m = v->m;
	struct ids ids = { { NULL, 0, 0 }, 0 };
	size_t *row_id = calloc(v->nrows + 1, sizeof(*row_id));
	size_t *col_id = calloc(v->ncols + 1, sizeof(*col_id));
	struct rg_buf t;
	size_t i;
	int ret = -1;

	rg_buf_init(&t, 0);
	if (!row_id || !col_id)
		goto out;
	view_title(v, &t);
	rg_buf_puts(b, "digraph grants {\n  graph [rankdir=LR, labelloc=t, fontname=\"Helvetica\", "
		       "label=\"");
	esc_dot(b, t.data ? t.data : "");
	if (view_notes(v, note, b) < 0)
		goto out;
	rg_buf_puts(b, "\"];\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
		       "  edge [fontname=\"Helvetica\", fontsize=10];\n");
	for (i = 0; i < v->nrows; i++)
		if (node_id(&ids, b, m->rows[i].label, &row_id[i]) < 0)
			goto out;
	for (i = 0; i < v->ncols; i++)
		if (node_id(&ids, b, m->cols[i].label, &col_id[i]) < 0)
			goto out;
	for (i = 0; i < m->ncells; i++) {
		const struct rg_matrix_cell *c = &m->cells[i];

		if (c->row >= v->nrows || c->col >= v->ncols)
			continue;
		rg_buf_printf(b, "  n%zu -> n%zu [label=\"", row_id[c->row], col_id[c->col]);
		esc_dot(b, c->access->text);
		rg_buf_printf(b, "\", penwidth=%d];\n", access_level(c->access));
	}
	rg_buf_puts(b, "}\n");
	ret = rg_buf_failed(b) || rg_buf_failed(&t) ? -1 : 0;
out:
	rg_map_free(&ids.map);
	free(row_id);
	free(col_id);
	rg_buf_free(&t);
	return ret;
}

/*
 * The class grid: nodes grouped into source classes (nodes that are
 * sources of the same rules) and destination classes (nodes, and routed
 * pieces of address space behind routers, that receive the same access
 * from the same rules), and the access between classes.
 * Its size follows the number of distinct classes, not of nodes, so that
 * a tailnet of uniform nodes stays small however many there are.
 *
 * Ownership: the grid owns its arrays; accesses live in the pool given to
 * grid_build, which must outlive the grid.
 */
#ifndef RG_MATRIX_GRID_H
#define RG_MATRIX_GRID_H

#include "matrix/access.h"
#include "relaygate/eval.h"

struct grid_cell {
	uint32_t col;
	const struct rg_matrix_access *a;
};

/*
 * A routed piece: addresses lo..hi behind router node `router` (reached
 * through its approved routes) that receive the same access from the same
 * rules; a destination like a node, of destination class col.
 */
struct grid_piece {
	rg_u128 lo, hi;
	uint32_t router;
	uint32_t col;
	uint8_t is6;
};

struct grid {
	size_t nnodes;
	uint32_t *row_of, *col_of;    /* per node: its source / destination class */
	struct grid_piece *pieces;    /* by router, then address (IPv4 first); disjoint */
	size_t npieces;
	size_t nrowc, ncolc;
	size_t *row_start;            /* cells of row class r: [row_start[r], row_start[r + 1]) */
	struct grid_cell *cells;      /* sorted by column class within a row class */
	size_t ncells;
};

/* cap: only that capability (NULL: ports and every capability but the companions). */
int grid_build(const struct rg_eval *e, const char *cap, struct acc_pool *pool, struct grid *g,
	       struct rg_err *err);
void grid_free(struct grid *g);
/* The access from row class r to column class c, or NULL. */
const struct rg_matrix_access *grid_cell(const struct grid *g, uint32_t r, uint32_t c);

#endif

/*
 * The access diff of two matrices, compared by name.
 *
 * Every name (a node or a principal) sits on one row line of OLD and one
 * of NEW (or on none: no access). Names with the same pair of lines form
 * a refined class, and so for columns; the diff is computed once per pair
 * of refined classes that has a cell in OLD or NEW, so that merged classes
 * stay merged. Changes with equal access are then gathered: first the
 * destinations of one source class, then the source classes with equal
 * destinations.
 */
#include <stdlib.h>
#include <string.h>

#include "matrix/access.h"
#include "matrix/sig.h"
#include "util/buf.h"
#include "util/vec.h"

#define NONE UINT32_MAX

struct diff_priv {
	struct rg_arena arena;
	struct acc_pool pool;
};

/* Names of one side (rows or columns) refined over OLD and NEW. */
struct refine {
	const char **names;          /* every name, naturally sorted, distinct */
	size_t nnames;
	uint32_t *cls;               /* per name: its refined class */
	uint32_t (*lines)[2];        /* per class: its OLD and NEW line (or NONE) */
	size_t ncls;
	struct rg_u32vec *by_old, *by_new;  /* per line of OLD / NEW: the classes on it */
	struct rg_u32vec *members;   /* per class: its names */
};

/* Natural order: digit runs compare as numbers ("node-2" < "node-10"). */
static int nat_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			const char *x = a, *y = b;
			size_t lx, ly;
			int c;

			while (*x == '0' && x[1] >= '0' && x[1] <= '9')
				x++;
			while (*y == '0' && y[1] >= '0' && y[1] <= '9')
				y++;
			for (a = x; *a >= '0' && *a <= '9'; a++)
				;
			for (b = y; *b >= '0' && *b <= '9'; b++)
				;
			lx = (size_t)(a - x);
			ly = (size_t)(b - y);
			if (lx != ly)
				return lx < ly ? -1 : 1;
			if ((c = memcmp(x, y, lx)) != 0)
				return c;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}

static int name_cmp(const void *x, const void *y)
{
	const char *a = *(const char *const *)x, *b = *(const char *const *)y;
	int c = nat_cmp(a, b);

	return c ? c : strcmp(a, b);
}

static size_t name_index(const struct refine *r, const char *name)
{
	size_t lo = 0, hi = r->nnames;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = name_cmp(&r->names[mid], &name);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

static void refine_free(struct refine *r, size_t nold, size_t nnew)
{
	size_t i;

	for (i = 0; r->by_old && i < nold; i++)
		rg_u32vec_free(&r->by_old[i]);
	for (i = 0; r->by_new && i < nnew; i++)
		rg_u32vec_free(&r->by_new[i]);
	for (i = 0; r->members && i < r->ncls; i++)
		rg_u32vec_free(&r->members[i]);
	free(r->names);
	free(r->cls);
	free(r->lines);
	free(r->by_old);
	free(r->by_new);
	free(r->members);
	memset(r, 0, sizeof(*r));
}

static int add_names(const char **v, size_t *n, const struct rg_matrix_line *l, size_t nl,
		     const char *const *idle, size_t nidle)
{
	size_t i, k;

	for (i = 0; i < nl; i++)
		for (k = 0; k < l[i].nmembers; k++)
			v[(*n)++] = l[i].members[k];
	for (i = 0; i < nidle; i++)
		v[(*n)++] = idle[i];
	return 0;
}

static size_t count_names(const struct rg_matrix_line *l, size_t nl, size_t nidle)
{
	size_t i, n = nidle;

	for (i = 0; i < nl; i++)
		n += l[i].nmembers;
	return n;
}

/* Places the line's names: side 0 OLD, 1 NEW. */
static void mark_lines(struct refine *r, uint32_t (*pair)[2], int side,
		       const struct rg_matrix_line *l, size_t nl)
{
	size_t i, k;

	for (i = 0; i < nl; i++)
		for (k = 0; k < l[i].nmembers; k++) {
			size_t at = name_index(r, l[i].members[k]);

			if (at != SIZE_MAX)
				pair[at][side] = (uint32_t)i;
		}
}

static int refine_build(struct refine *r, const struct rg_matrix *old, const struct rg_matrix *new_,
			bool rows)
{
	const struct rg_matrix_line *ol = rows ? old->rows : old->cols;
	const struct rg_matrix_line *nl = rows ? new_->rows : new_->cols;
	size_t on = rows ? old->nrows : old->ncols, nn = rows ? new_->nrows : new_->ncols;
	size_t total = count_names(ol, on, rows ? old->nidle_rows : old->nidle_cols) +
		       count_names(nl, nn, rows ? new_->nidle_rows : new_->nidle_cols);
	uint32_t (*pair)[2] = NULL;
	struct sig_table sig;
	size_t i, k;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	sig_init(&sig);
	r->names = malloc((total + 1) * sizeof(*r->names));
	if (!r->names)
		goto out;
	add_names(r->names, &r->nnames, ol, on, rows ? old->idle_rows : old->idle_cols,
		  rows ? old->nidle_rows : old->nidle_cols);
	add_names(r->names, &r->nnames, nl, nn, rows ? new_->idle_rows : new_->idle_cols,
		  rows ? new_->nidle_rows : new_->nidle_cols);
	if (r->nnames > 1)
		qsort(r->names, r->nnames, sizeof(*r->names), name_cmp);
	for (i = 1, k = 0; i < r->nnames; i++)
		if (strcmp(r->names[i], r->names[k]) != 0)
			r->names[++k] = r->names[i];
	if (r->nnames)
		r->nnames = k + 1;
	pair = malloc((r->nnames + 1) * sizeof(*pair));
	r->cls = malloc((r->nnames + 1) * sizeof(*r->cls));
	r->by_old = calloc(on + 1, sizeof(*r->by_old));
	r->by_new = calloc(nn + 1, sizeof(*r->by_new));
	if (!pair || !r->cls || !r->by_old || !r->by_new)
		goto out;
	for (i = 0; i < r->nnames; i++)
		pair[i][0] = pair[i][1] = NONE;
	mark_lines(r, pair, 0, ol, on);
	mark_lines(r, pair, 1, nl, nn);
	for (i = 0; i < r->nnames; i++)
		if (sig_class(&sig, pair[i], sizeof(pair[i]), &r->cls[i]) < 0)
			goto out;
	r->ncls = sig.n;
	r->lines = malloc((r->ncls + 1) * sizeof(*r->lines));
	r->members = calloc(r->ncls + 1, sizeof(*r->members));
	if (!r->lines || !r->members)
		goto out;
	for (i = 0; i < r->nnames; i++) {
		uint32_t c = r->cls[i];

		if (r->members[c].n == 0) {
			r->lines[c][0] = pair[i][0];
			r->lines[c][1] = pair[i][1];
			if ((pair[i][0] != NONE && rg_u32vec_push(&r->by_old[pair[i][0]], c) < 0) ||
			    (pair[i][1] != NONE && rg_u32vec_push(&r->by_new[pair[i][1]], c) < 0))
				goto out;
		}
		if (rg_u32vec_push(&r->members[c], (uint32_t)i) < 0)
			goto out;
	}
	ret = 0;
out:
	free(pair);
	sig_free(&sig);
	return ret;
}

/* ---- pairs of classes --------------------------------------------------- */

struct change_raw {
	uint32_t row, col;           /* refined classes */
	const struct rg_matrix_access *g, *r;
};

struct ctx {
	const struct rg_matrix *old, *new_;
	struct rg_matrix_diff *d;
	struct diff_priv *pv;
	struct refine rows, cols;
	struct change_raw *raw;
	size_t nraw, capraw;
	struct acc_work w;
};

/* The cell of m at (row, col) lines, or NULL; cells are sorted. */
static const struct rg_matrix_access *cell_at(const struct rg_matrix *m, uint32_t row, uint32_t col)
{
	size_t lo = 0, hi = m->ncells;

	if (row == NONE || col == NONE)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct rg_matrix_cell *c = &m->cells[mid];

		if (c->row < row || (c->row == row && c->col < col))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < m->ncells && m->cells[lo].row == row && m->cells[lo].col == col)
		return m->cells[lo].access;
	return NULL;
}

/* a \ b, interned in the diff's pool (b may be NULL). */
static const struct rg_matrix_access *minus(struct ctx *c, const struct rg_matrix_access *a,
					    const struct rg_matrix_access *b)
{
	static const struct rg_matrix_access none = { NULL, 0, NULL, 0, "", 0 };

	if (acc_empty(a))
		return &c->pv->pool.empty;
	if (acc_subtract(a, b ? b : &none, &c->w) < 0)
		return NULL;
	return acc_pool_intern(&c->pv->pool, &c->w);
}

static int compare_pair(struct ctx *c, uint32_t rc, uint32_t cc)
{
	const uint32_t *rl = c->rows.lines[rc], *cl = c->cols.lines[cc];
	const struct rg_matrix_access *o = cell_at(c->old, rl[0], cl[0]);
	const struct rg_matrix_access *n = cell_at(c->new_, rl[1], cl[1]);
	const struct rg_matrix_access *g, *r;
	size_t pairs = c->rows.members[rc].n * c->cols.members[cc].n;

	if (!(g = minus(c, n, o)) || !(r = minus(c, o, n)))
		return -1;
	if (acc_empty(g) && acc_empty(r))
		return 0;
	if (rg_vec_grow(&c->raw, &c->capraw, c->nraw, sizeof(*c->raw)) < 0)
		return -1;
	c->raw[c->nraw++] = (struct change_raw){ rc, cc, acc_empty(g) ? NULL : g,
						 acc_empty(r) ? NULL : r };
	c->d->granted_pairs += acc_empty(g) ? 0 : pairs;
	c->d->revoked_pairs += acc_empty(r) ? 0 : pairs;
	return 0;
}

/* Every column class with a cell on row class rc in OLD or NEW. */
static int compare_row(struct ctx *c, uint32_t rc, uint32_t *stamp)
{
	const struct rg_matrix *ms[2] = { c->old, c->new_ };
	struct rg_u32vec *by[2] = { c->cols.by_old, c->cols.by_new };
	int side;

	for (side = 0; side < 2; side++) {
		uint32_t line = c->rows.lines[rc][side];
		size_t lo = 0, hi = ms[side]->ncells, k, j;

		if (line == NONE)
			continue;
		while (lo < hi) {   /* the first cell of the line */
			size_t mid = lo + (hi - lo) / 2;

			if (ms[side]->cells[mid].row < line)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (k = lo; k < ms[side]->ncells && ms[side]->cells[k].row == line; k++) {
			const struct rg_u32vec *v = &by[side][ms[side]->cells[k].col];

			for (j = 0; j < v->n; j++) {
				if (stamp[v->v[j]] == rc)
					continue;
				stamp[v->v[j]] = rc;
				if (compare_pair(c, rc, v->v[j]) < 0)
					return -1;
			}
		}
	}
	return 0;
}

/* ---- gathering ------------------------------------------------------------ */

static int raw_cmp(const void *x, const void *y)
{
	const struct change_raw *a = x, *b = y;

	if (a->row != b->row)
		return a->row < b->row ? -1 : 1;
	if (a->g != b->g)
		return (uintptr_t)a->g < (uintptr_t)b->g ? -1 : 1;
	if (a->r != b->r)
		return (uintptr_t)a->r < (uintptr_t)b->r ? -1 : 1;
	return a->col < b->col ? -1 : a->col > b->col;
}

static const char *const *names_of(struct ctx *c, const struct refine *r, const uint32_t *cls,
				   size_t ncls, size_t *n)
{
	const char **v;
	size_t i, k, total = 0;

	for (i = 0; i < ncls; i++)
		total += r->members[cls[i]].n;
	v = rg_arena_alloc(&c->pv->arena, (total + 1) * sizeof(*v));
	if (!v)
		return NULL;
	*n = 0;
	for (i = 0; i < ncls; i++)
		for (k = 0; k < r->members[cls[i]].n; k++)
			if (!(v[(*n)++] = acc_pool_str(&c->pv->pool, r->names[r->members[cls[i]].v[k]])))
				return NULL;
	if (*n > 1)
		qsort(v, *n, sizeof(*v), name_cmp);
	return v;
}

static int change_cmp(const void *x, const void *y)
{
	const struct rg_matrix_change *a = x, *b = y;
	int c = name_cmp(&a->srcs[0], &b->srcs[0]);

	if (c)
		return c;
	c = name_cmp(&a->dsts[0], &b->dsts[0]);
	if (c)
		return c;
	return (b->granted != NULL) - (a->granted != NULL); /* grants first */
}

/* A run of raw changes: one row class, equal access, its column classes. */
struct run {
	size_t first, n;
	uint32_t group;
};

/* The group of each run: equal access towards equal column classes. */
static int group_runs(struct ctx *c, struct sig_table *sig, struct run **runs, size_t *nruns)
{
	struct rg_buf key;
	size_t i = 0, j, k, cap = 0;
	int ret = -1;

	rg_buf_init(&key, RG_BUF_DEFAULT_MAX);
	*runs = NULL;
	*nruns = 0;
	while (i < c->nraw) {
		struct run r = { i, 0, 0 };

		for (j = i + 1; j < c->nraw && c->raw[j].row == c->raw[i].row &&
				c->raw[j].g == c->raw[i].g && c->raw[j].r == c->raw[i].r; j++)
			;
		rg_buf_reset(&key);
		rg_buf_append(&key, &c->raw[i].g, sizeof(c->raw[i].g));
		rg_buf_append(&key, &c->raw[i].r, sizeof(c->raw[i].r));
		for (k = i; k < j; k++)
			rg_buf_append(&key, &c->raw[k].col, sizeof(c->raw[k].col));
		r.n = j - i;
		if (rg_buf_failed(&key) || sig_class(sig, key.data, key.len, &r.group) < 0 ||
		    rg_vec_grow(runs, &cap, *nruns, sizeof(**runs)) < 0)
			goto out;
		(*runs)[(*nruns)++] = r;
		i = j;
	}
	ret = 0;
out:
	rg_buf_free(&key);
	return ret;
}

/* One change per group: the rows of its runs, the columns and access of its first run. */
static int make_change(struct ctx *c, const struct run *r0, const struct rg_u32vec *rows,
		       struct rg_matrix_change *ch)
{
	const struct change_raw *x = &c->raw[r0->first];
	uint32_t *cols = malloc((r0->n + 1) * sizeof(*cols));
	size_t j;

	if (!cols)
		return -1;
	for (j = 0; j < r0->n; j++)
		cols[j] = x[j].col;
	ch->srcs = names_of(c, &c->rows, rows->v, rows->n, &ch->nsrcs);
	ch->dsts = names_of(c, &c->cols, cols, r0->n, &ch->ndsts);
	ch->granted = x->g;
	ch->revoked = x->r;
	free(cols);
	return ch->srcs && ch->dsts ? 0 : -1;
}

/*
 * Runs of raw changes with one row and equal access become (row, columns)
 * groups; groups with equal columns and access are then joined by row.
 */
static int gather(struct ctx *c)
{
	struct sig_table sig;
	struct run *runs = NULL;
	struct rg_u32vec *rows = NULL;   /* per group: its row classes */
	size_t *first = NULL;            /* per group: its first run */
	size_t nruns = 0, i, k;
	int ret = -1;

	sig_init(&sig);
	if (c->nraw > 1)
		qsort(c->raw, c->nraw, sizeof(*c->raw), raw_cmp);
	if (group_runs(c, &sig, &runs, &nruns) < 0)
		goto out;
	rows = calloc(sig.n + 1, sizeof(*rows));
	first = malloc((sig.n + 1) * sizeof(*first));
	c->d->changes = rg_arena_alloc(&c->pv->arena, (sig.n + 1) * sizeof(*c->d->changes));
	if (!rows || !first || !c->d->changes)
		goto out;
	for (i = 0; i < nruns; i++) {
		if (!rows[runs[i].group].n)
			first[runs[i].group] = i;
		if (rg_u32vec_push(&rows[runs[i].group], c->raw[runs[i].first].row) < 0)
			goto out;
	}
	for (k = 0; k < sig.n; k++)
		if (make_change(c, &runs[first[k]], &rows[k], &c->d->changes[k]) < 0)
			goto out;
	c->d->nchanges = sig.n;
	if (sig.n > 1)
		qsort(c->d->changes, sig.n, sizeof(*c->d->changes), change_cmp);
	ret = 0;
out:
	for (k = 0; rows && k < sig.n; k++)
		rg_u32vec_free(&rows[k]);
	free(rows);
	free(first);
	free(runs);
	sig_free(&sig);
	return ret;
}

int rg_matrix_diff(const struct rg_matrix *old, const struct rg_matrix *new_,
		   struct rg_matrix_diff **out, struct rg_err *err)
{
	struct ctx c;
	uint32_t *stamp = NULL;
	size_t i;
	int ret = -1;

	*out = NULL;
	if (old->kind != new_->kind ||
	    (old->cap ? !new_->cap || strcmp(old->cap, new_->cap) != 0 : new_->cap != NULL))
		return rg_err_set(err, "the matrices are not of the same kind");
	memset(&c, 0, sizeof(c));
	c.old = old;
	c.new_ = new_;
	acc_work_init(&c.w);
	c.d = calloc(1, sizeof(*c.d));
	c.pv = calloc(1, sizeof(*c.pv));
	if (!c.d || !c.pv) {
		free(c.d);
		free(c.pv);
		return rg_err_set(err, "out of memory");
	}
	rg_arena_init(&c.pv->arena);
	acc_pool_init(&c.pv->pool);
	c.d->priv = c.pv;
	c.d->kind = old->kind;
	if (old->cap && !(c.d->cap = acc_pool_str(&c.pv->pool, old->cap)))
		goto out;
	if (refine_build(&c.rows, old, new_, true) < 0 || refine_build(&c.cols, old, new_, false) < 0)
		goto out;
	stamp = malloc((c.cols.ncls + 1) * sizeof(*stamp));
	if (!stamp)
		goto out;
	for (i = 0; i < c.cols.ncls; i++)
		stamp[i] = NONE;
	for (i = 0; i < c.rows.ncls; i++)
		if (compare_row(&c, (uint32_t)i, stamp) < 0)
			goto out;
	if (gather(&c) < 0)
		goto out;
	*out = c.d;
	c.d = NULL;
	ret = 0;
out:
	if (ret < 0)
		rg_err_set(err, "out of memory");
	rg_matrix_diff_free(c.d);
	refine_free(&c.rows, old->nrows, new_->nrows);
	refine_free(&c.cols, old->ncols, new_->ncols);
	free(stamp);
	free(c.raw);
	acc_work_free(&c.w);
	return ret;
}

void rg_matrix_diff_free(struct rg_matrix_diff *d)
{
	struct diff_priv *pv;

	if (!d)
		return;
	pv = d->priv;
	if (pv) {
		acc_pool_free(&pv->pool);
		rg_arena_free(&pv->arena);
		free(pv);
	}
	free(d);
}

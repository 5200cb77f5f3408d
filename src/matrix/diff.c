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
 *
 * Routed destinations (addresses behind a router) are compared by address,
 * not by name, since OLD and NEW may cut a router's addresses differently:
 * per router, the addresses on the same pair of (OLD, NEW) lines form a
 * refined class, named after its addresses. A change towards several
 * classes of one router names their addresses together.
 */
#include <stdlib.h>
#include <string.h>

#include "matrix/access.h"
#include "matrix/routes.h"
#include "matrix/sig.h"
#include "util/buf.h"
#include "util/vec.h"

#define NONE UINT32_MAX

struct diff_priv {
	struct rg_arena arena;
	struct acc_pool pool;
};

/* A router as OLD and NEW see it: its routes (both sides'), for names. */
struct router {
	const char *via;
	struct rg_prefix *routes;    /* malloc'd */
	size_t nroutes;
	bool exit_node;
};

/* A refined class of routed addresses: behind one router, on one pair of lines. */
struct rclass {
	const struct router *router;
	struct rg_ipset set;
};

/* Names of one side (rows or columns) refined over OLD and NEW. */
struct refine {
	const char **names;          /* every name, naturally sorted, distinct; then routed ones */
	size_t nnames;
	uint32_t *cls;               /* per name: its refined class */
	uint32_t (*lines)[2];        /* per class: its OLD and NEW line (or NONE) */
	size_t ncls;
	size_t nplain;               /* classes [nplain, ncls) are routed: rcls[k - nplain] */
	struct rclass *rcls;
	struct router *routers;
	size_t nrouters;
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
	for (i = 0; r->rcls && i < r->ncls - r->nplain; i++)
		rg_ipset_free(&r->rcls[i].set);
	for (i = 0; i < r->nrouters; i++)
		free(r->routers[i].routes);
	free(r->rcls);
	free(r->routers);
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
		for (k = 0; k < l[i].nmembers && !l[i].routes; k++)
			v[(*n)++] = l[i].members[k];
	for (i = 0; i < nidle; i++)
		v[(*n)++] = idle[i];
	return 0;
}

static size_t count_names(const struct rg_matrix_line *l, size_t nl, size_t nidle)
{
	size_t i, n = nidle;

	for (i = 0; i < nl; i++)
		n += l[i].routes ? 0 : l[i].nmembers;
	return n;
}

/* Places the line's names: side 0 OLD, 1 NEW. */
static void mark_lines(struct refine *r, uint32_t (*pair)[2], int side,
		       const struct rg_matrix_line *l, size_t nl)
{
	size_t i, k;

	for (i = 0; i < nl; i++)
		for (k = 0; k < l[i].nmembers && !l[i].routes; k++) {
			size_t at = name_index(r, l[i].members[k]);

			if (at != SIZE_MAX)
				pair[at][side] = (uint32_t)i;
		}
}

/* ---- routed destinations ------------------------------------------------ */

/* A range of a routed member of OLD (side 0) or NEW (side 1). */
struct rrange {
	const char *via;
	const struct rg_matrix_route *route;
	rg_u128 lo, hi;
	uint32_t line;
	uint8_t is6, side;
};

struct rrange_vec {
	struct rrange *v;
	size_t n, cap;
};

/* A routed class being built: its lines and addresses. */
struct rtmp {
	uint32_t pair[2];
	struct rclass rc;
};

struct rtmp_vec {
	struct rtmp *v;
	size_t n, cap;
};

static int collect_ranges(struct rrange_vec *out, const struct rg_matrix_line *l, size_t nl,
			  int side)
{
	size_t i, k, j;

	for (i = 0; i < nl; i++)
		for (k = 0; l[i].routes && k < l[i].nmembers; k++) {
			const struct rg_matrix_route *rt = &l[i].routes[k];

			for (j = 0; j < rt->nranges; j++) {
				if (rg_vec_grow(&out->v, &out->cap, out->n, sizeof(*out->v)) < 0)
					return -1;
				out->v[out->n++] = (struct rrange){ rt->via, rt, rt->ranges[j].lo,
								    rt->ranges[j].hi, (uint32_t)i,
								    rt->ranges[j].is6, (uint8_t)side };
			}
		}
	return 0;
}

/* By router, family, first address. */
static int rrange_cmp(const void *x, const void *y)
{
	const struct rrange *a = x, *b = y;
	int c = strcmp(a->via, b->via);

	if (c)
		return c;
	if (a->is6 != b->is6)
		return a->is6 < b->is6 ? -1 : 1;
	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

static int u128_cmp(const void *x, const void *y)
{
	rg_u128 a = *(const rg_u128 *)x, b = *(const rg_u128 *)y;

	return a < b ? -1 : a > b;
}

/* The router of ranges v[0..n) (one via): both sides' routes. */
static int router_of(struct router *rt, const struct rrange *v, size_t n)
{
	const struct rg_matrix_route *seen[2] = { NULL, NULL };
	size_t i, total = 0;

	memset(rt, 0, sizeof(*rt));
	rt->via = v[0].via;
	for (i = 0; i < n; i++)
		if (!seen[v[i].side]) {
			seen[v[i].side] = v[i].route;
			total += v[i].route->nroutes;
		}
	rt->routes = malloc((total + 1) * sizeof(*rt->routes));
	if (!rt->routes)
		return -1;
	for (i = 0; i < 2; i++)
		if (seen[i]) {
			memcpy(rt->routes + rt->nroutes, seen[i]->routes,
			       seen[i]->nroutes * sizeof(*rt->routes));
			rt->nroutes += seen[i]->nroutes;
			rt->exit_node |= seen[i]->exit_node;
		}
	return 0;
}

/* The class of (router, pair), among the router's classes from index first. */
static struct rtmp *rclass_of(struct rtmp_vec *out, size_t first, const struct router *rt,
			      const uint32_t pair[2])
{
	size_t i;

	for (i = first; i < out->n; i++)
		if (out->v[i].pair[0] == pair[0] && out->v[i].pair[1] == pair[1])
			return &out->v[i];
	if (rg_vec_grow(&out->v, &out->cap, out->n, sizeof(*out->v)) < 0)
		return NULL;
	out->v[out->n].pair[0] = pair[0];
	out->v[out->n].pair[1] = pair[1];
	out->v[out->n].rc.router = rt;
	rg_ipset_init(&out->v[out->n].rc.set);
	return &out->v[out->n++];
}

/*
 * One family of one router's ranges (v[0..n), sorted): the addresses cut
 * where the (OLD line, NEW line) pair changes, added to their classes.
 */
static int cut_family(const struct rrange *v, size_t n, const struct router *rt,
		      struct rtmp_vec *out, size_t first)
{
	const rg_u128 top = n && v[0].is6 ? ~(rg_u128)0 : 0xffffffffu;
	rg_u128 *pts = malloc((2 * n + 1) * sizeof(*pts));
	size_t i, k, np = 0, at[2] = { 0, 0 };
	int ret = -1;

	if (!pts)
		return -1;
	for (i = 0; i < n; i++) {
		pts[np++] = v[i].lo;
		if (v[i].hi < top)
			pts[np++] = v[i].hi + 1;
	}
	qsort(pts, np, sizeof(*pts), u128_cmp);
	for (i = 0; i < np; i++) {
		rg_u128 start = pts[i], end;
		uint32_t pair[2] = { NONE, NONE };
		struct rtmp *t;
		int side;

		if (i && pts[i - 1] == start)
			continue;
		for (k = i + 1; k < np && pts[k] == start; k++)
			;
		end = k < np ? pts[k] - 1 : top;
		/* Each side's ranges of one router are disjoint: at most one covers start. */
		for (side = 0; side < 2; side++) {
			for (k = at[side]; k < n; k++) {
				if (v[k].side != side)
					continue;
				if (v[k].hi >= start)
					break;
			}
			at[side] = k;
			if (k < n && v[k].lo <= start)
				pair[side] = v[k].line;
		}
		if (pair[0] == NONE && pair[1] == NONE)
			continue;
		if (!(t = rclass_of(out, first, rt, pair)) ||
		    (v[0].is6 ? rg_ipset_add_v6(&t->rc.set, start, end)
			      : rg_ipset_add_v4(&t->rc.set, (uint32_t)start, (uint32_t)end)) < 0)
			goto out;
	}
	ret = 0;
out:
	free(pts);
	return ret;
}

/* The routed classes of columns (appended to out); r->routers gets one router per via. */
static int routed_classes(struct refine *r, const struct rg_matrix *old,
			  const struct rg_matrix *new_, struct rtmp_vec *out)
{
	struct rrange_vec v = { NULL, 0, 0 };
	size_t i = 0, j, k, nvia = 0;
	int ret = -1;

	if (collect_ranges(&v, old->cols, old->ncols, 0) < 0 ||
	    collect_ranges(&v, new_->cols, new_->ncols, 1) < 0)
		goto out;
	if (v.n > 1)
		qsort(v.v, v.n, sizeof(*v.v), rrange_cmp);
	for (i = 0; i < v.n; i++)
		nvia += i == 0 || strcmp(v.v[i].via, v.v[i - 1].via) != 0;
	r->routers = calloc(nvia + 1, sizeof(*r->routers));
	if (!r->routers)
		goto out;
	for (i = 0; i < v.n; i = j) {
		struct router *rt = &r->routers[r->nrouters];
		size_t first = out->n;

		for (j = i + 1; j < v.n && strcmp(v.v[j].via, v.v[i].via) == 0; j++)
			;
		if (router_of(rt, v.v + i, j - i) < 0)
			goto out;
		r->nrouters++;
		for (k = i; k < j && !v.v[k].is6; k++)
			;
		if ((k > i && cut_family(v.v + i, k - i, rt, out, first) < 0) ||
		    (j > k && cut_family(v.v + k, j - k, rt, out, first) < 0))
			goto out;
	}
	ret = 0;
out:
	free(v.v);
	return ret;
}

/* "ADDRESSES via ROUTER" for set, in the diff's arena. */
static const char *routed_name(struct rg_arena *a, const struct router *rt, struct rg_ipset *set,
			       const struct rg_ipset *internet)
{
	struct rg_buf b;
	const char *s = NULL;

	rg_buf_init(&b, 0);
	rg_ipset_normalize(set);
	if (route_label(&b, set, rt->via, rt->routes, rt->nroutes, rt->exit_node, internet) == 0)
		s = rg_arena_strndup(a, b.data, b.len);
	rg_buf_free(&b);
	return s;
}

static int refine_build(struct refine *r, const struct rg_matrix *old, const struct rg_matrix *new_,
			bool rows, struct rg_arena *arena, const struct rg_ipset *internet)
{
	const struct rg_matrix_line *ol = rows ? old->rows : old->cols;
	const struct rg_matrix_line *nl = rows ? new_->rows : new_->cols;
	size_t on = rows ? old->nrows : old->ncols, nn = rows ? new_->nrows : new_->ncols;
	size_t total = count_names(ol, on, rows ? old->nidle_rows : old->nidle_cols) +
		       count_names(nl, nn, rows ? new_->nidle_rows : new_->nidle_cols);
	uint32_t (*pair)[2] = NULL;
	struct rtmp_vec routed = { NULL, 0, 0 };
	struct sig_table sig;
	size_t i, k, nplain;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	sig_init(&sig);
	if (!rows && routed_classes(r, old, new_, &routed) < 0)
		goto out;
	r->names = malloc((total + routed.n + 1) * sizeof(*r->names));
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
	r->cls = malloc((r->nnames + routed.n + 1) * sizeof(*r->cls));
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
	nplain = sig.n;
	r->lines = malloc((nplain + routed.n + 1) * sizeof(*r->lines));
	r->members = calloc(nplain + routed.n + 1, sizeof(*r->members));
	r->rcls = calloc(routed.n + 1, sizeof(*r->rcls));
	if (!r->lines || !r->members || !r->rcls)
		goto out;
	/* Routed classes after the named ones, one name each. */
	r->nplain = nplain;
	r->ncls = nplain + routed.n;
	for (i = 0; i < routed.n; i++) {
		r->rcls[i] = routed.v[i].rc;
		rg_ipset_init(&routed.v[i].rc.set); /* moved */
		r->cls[r->nnames] = (uint32_t)(nplain + i);
		r->lines[nplain + i][0] = routed.v[i].pair[0];
		r->lines[nplain + i][1] = routed.v[i].pair[1];
		if (!(r->names[r->nnames] = routed_name(arena, r->rcls[i].router, &r->rcls[i].set,
						       internet)) ||
		    rg_u32vec_push(&r->members[nplain + i], (uint32_t)r->nnames) < 0 ||
		    (routed.v[i].pair[0] != NONE &&
		     rg_u32vec_push(&r->by_old[routed.v[i].pair[0]], (uint32_t)(nplain + i)) < 0) ||
		    (routed.v[i].pair[1] != NONE &&
		     rg_u32vec_push(&r->by_new[routed.v[i].pair[1]], (uint32_t)(nplain + i)) < 0))
			goto out;
		r->nnames++;
	}
	for (i = 0; i < r->nnames && r->cls[i] < nplain; i++) { /* the routed names are done */
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
	for (i = 0; i < routed.n; i++)
		rg_ipset_free(&routed.v[i].rc.set);
	free(routed.v);
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
	struct rg_ipset internet;
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

	if (!(g = minus(c, n, o)) || !(r = minus(c, o, n)))
		return -1;
	if (acc_empty(g) && acc_empty(r))
		return 0;
	if (rg_vec_grow(&c->raw, &c->capraw, c->nraw, sizeof(*c->raw)) < 0)
		return -1;
	c->raw[c->nraw++] = (struct change_raw){ rc, cc, acc_empty(g) ? NULL : g,
						 acc_empty(r) ? NULL : r };
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

/*
 * The name of the routed classes cls[at..] of the router of cls[at] (one
 * name for all of them), marking them done.
 */
static const char *routed_names(struct ctx *c, const struct refine *r, const uint32_t *cls,
				size_t ncls, size_t at, bool *done)
{
	const struct router *rt = r->rcls[cls[at] - r->nplain].router;
	struct rg_ipset set;
	const char *name = NULL;
	size_t i, n = 0;

	rg_ipset_init(&set);
	for (i = at; i < ncls; i++) {
		if (cls[i] < r->nplain || r->rcls[cls[i] - r->nplain].router != rt)
			continue;
		done[i] = true;
		n++;
		if (rg_ipset_union(&set, &r->rcls[cls[i] - r->nplain].set) < 0)
			goto out;
	}
	if (n == 1)
		name = acc_pool_str(&c->pv->pool, r->names[r->members[cls[at]].v[0]]);
	else
		name = routed_name(&c->pv->arena, rt, &set, &c->internet);
out:
	rg_ipset_free(&set);
	return name;
}

static const char *const *names_of(struct ctx *c, const struct refine *r, const uint32_t *cls,
				   size_t ncls, size_t *n)
{
	const char **v;
	bool *done = calloc(ncls + 1, sizeof(*done));
	size_t i, k, total = 0;

	for (i = 0; i < ncls; i++)
		total += r->members[cls[i]].n;
	v = rg_arena_alloc(&c->pv->arena, (total + 1) * sizeof(*v));
	if (!v || !done) {
		free(done);
		return NULL;
	}
	*n = 0;
	for (i = 0; i < ncls; i++) {
		if (done[i])
			continue;
		if (cls[i] >= r->nplain) {
			if (!(v[(*n)++] = routed_names(c, r, cls, ncls, i, done)))
				goto oom;
			continue;
		}
		for (k = 0; k < r->members[cls[i]].n; k++)
			if (!(v[(*n)++] = acc_pool_str(&c->pv->pool, r->names[r->members[cls[i]].v[k]])))
				goto oom;
	}
	free(done);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), name_cmp);
	return v;
oom:
	free(done);
	return NULL;
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
	for (k = 0; k < sig.n; k++) {
		const struct rg_matrix_change *ch = &c->d->changes[k];

		c->d->granted_pairs += ch->granted ? ch->nsrcs * ch->ndsts : 0;
		c->d->revoked_pairs += ch->revoked ? ch->nsrcs * ch->ndsts : 0;
	}
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
	rg_ipset_init(&c.internet);
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
	if (rg_eval_add_internet(&c.internet) < 0 ||
	    refine_build(&c.rows, old, new_, true, &c.pv->arena, &c.internet) < 0 ||
	    refine_build(&c.cols, old, new_, false, &c.pv->arena, &c.internet) < 0)
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
	rg_ipset_free(&c.internet);
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

/* The matrix object, its lines, and the node matrix (one line per node or per class). */
#include <stdlib.h>
#include <string.h>

#include "matrix/internal.h"
#include "matrix/routes.h"
#include "matrix/sig.h"
#include "util/buf.h"
#include "util/vec.h"

struct rg_matrix *matrix_new(enum rg_matrix_kind kind, const char *cap)
{
	struct rg_matrix *m = calloc(1, sizeof(*m));
	struct matrix_priv *pv = calloc(1, sizeof(*pv));

	if (!m || !pv) {
		free(m);
		free(pv);
		return NULL;
	}
	rg_arena_init(&pv->arena);
	acc_pool_init(&pv->pool);
	m->priv = pv;
	m->kind = kind;
	if (cap && !(m->cap = rg_arena_strdup(&pv->arena, cap))) {
		rg_matrix_free(m);
		return NULL;
	}
	return m;
}

void rg_matrix_free(struct rg_matrix *m)
{
	struct matrix_priv *pv;

	if (!m)
		return;
	pv = m->priv;
	if (pv) {
		acc_pool_free(&pv->pool);
		rg_arena_free(&pv->arena);
		free(pv);
	}
	free(m->cells);
	free(m);
}

int matrix_add_cell(struct rg_matrix *m, size_t *cap, uint32_t row, uint32_t col,
		    const struct rg_matrix_access *a)
{
	if (rg_vec_grow(&m->cells, cap, m->ncells, sizeof(*m->cells)) < 0)
		return -1;
	m->cells[m->ncells++] = (struct rg_matrix_cell){ row, col, a };
	return 0;
}

static int cell_cmp(const void *x, const void *y)
{
	const struct rg_matrix_cell *a = x, *b = y;

	if (a->row != b->row)
		return a->row < b->row ? -1 : 1;
	return a->col < b->col ? -1 : a->col > b->col;
}

void matrix_sort_cells(struct rg_matrix *m)
{
	size_t i, k = 0;

	if (m->ncells < 2)
		return;
	qsort(m->cells, m->ncells, sizeof(*m->cells), cell_cmp);
	for (i = 1; i < m->ncells; i++)
		if (cell_cmp(&m->cells[i], &m->cells[k]) != 0)
			m->cells[++k] = m->cells[i];
	m->ncells = k + 1;
}

static const char *line_label(struct rg_arena *a, const char *first, size_t n)
{
	struct rg_buf b;
	const char *s;

	if (n == 1)
		return first;
	rg_buf_init(&b, 0);
	rg_buf_printf(&b, "%s (+%zu)", first, n - 1);
	s = rg_buf_failed(&b) ? NULL : rg_arena_strndup(a, b.data, b.len);
	rg_buf_free(&b);
	return s;
}

int matrix_lines(struct rg_matrix *m, const char *const *names,
		 const struct rg_matrix_route *const *routes, size_t nitems, const uint32_t *group_of,
		 size_t ngroups, bool rows, uint32_t **line_of_group)
{
	struct matrix_priv *pv = m->priv;
	struct rg_arena *ar = &pv->arena;
	size_t *count = calloc(ngroups + 1, sizeof(*count));
	uint32_t *lg = malloc((ngroups + 1) * sizeof(*lg));
	struct rg_matrix_line *lines = NULL;
	const char **idle = NULL;
	size_t i, nlines = 0, nidle = 0;

	*line_of_group = NULL;
	if (!count || !lg)
		goto oom;
	for (i = 0; i < ngroups; i++)
		lg[i] = UINT32_MAX;
	for (i = 0; i < nitems; i++) {
		if (group_of[i] == UINT32_MAX) {
			nidle++;
			continue;
		}
		if (lg[group_of[i]] == UINT32_MAX)
			lg[group_of[i]] = (uint32_t)nlines++;
		count[group_of[i]]++;
	}
	lines = rg_arena_alloc(ar, (nlines + 1) * sizeof(*lines));
	idle = rg_arena_alloc(ar, (nidle + 1) * sizeof(*idle));
	if (!lines || !idle)
		goto oom;
	for (i = 0; i < nitems; i++) {
		struct rg_matrix_line *l;

		if (group_of[i] == UINT32_MAX || count[group_of[i]] == 0)
			continue;
		l = &lines[lg[group_of[i]]];
		l->members = rg_arena_alloc(ar, count[group_of[i]] * sizeof(char *));
		if (routes && routes[i])
			l->routes = rg_arena_alloc(ar, count[group_of[i]] * sizeof(*l->routes));
		if (!l->members || (routes && routes[i] && !l->routes))
			goto oom;
		count[group_of[i]] = 0; /* allocated */
	}
	nidle = 0;
	for (i = 0; i < nitems; i++) {
		const char *name = rg_arena_strdup(ar, names[i]);
		struct rg_matrix_line *l;

		if (!name)
			goto oom;
		if (group_of[i] == UINT32_MAX) {
			idle[nidle++] = name;
			continue;
		}
		l = &lines[lg[group_of[i]]];
		if (l->routes)
			((struct rg_matrix_route *)l->routes)[l->nmembers] = *routes[i];
		((const char **)l->members)[l->nmembers++] = name;
	}
	for (i = 0; i < nlines; i++) {
		if (lines[i].routes)
			lines[i].kind = lines[i].nmembers > 1 ? "routes" : "route";
		else
			lines[i].kind = lines[i].nmembers > 1 ? "nodes" : "node";
		if (!(lines[i].label = line_label(ar, lines[i].members[0], lines[i].nmembers)))
			goto oom;
	}
	if (rows) {
		m->rows = lines, m->nrows = nlines;
		m->idle_rows = idle, m->nidle_rows = nidle;
	} else {
		m->cols = lines, m->ncols = nlines;
		m->idle_cols = idle, m->nidle_cols = nidle;
	}
	free(count);
	*line_of_group = lg;
	return 0;
oom:
	free(count);
	free(lg);
	return -1;
}

/* ---- node matrix -------------------------------------------------------------- */

struct nodes_ctx {
	struct rg_matrix *m;
	const struct rg_eval *e;
	struct grid g;
	bool *col_live;
	uint32_t *cgroup;                  /* per destination class: its content group */
	size_t ncgroups;
	struct matrix_dest *dests;
	size_t ndests;
	size_t ncols;                      /* column items: the nodes, then the dests */
	const char **col_names;
	const struct rg_matrix_route **col_routes;
	uint32_t *row_group, *col_group;   /* per node / per column item */
	uint32_t *row_line, *col_line;     /* per group */
	size_t cells_cap;
};

int matrix_content_groups(const struct grid *g, uint32_t **cgroup, size_t *ncgroups)
{
	struct rg_u32vec *col_rows = calloc(g->ncolc + 1, sizeof(*col_rows));
	struct sig_table sig;
	struct rg_buf key;
	size_t i, k;
	int ret = -1;

	sig_init(&sig);
	rg_buf_init(&key, RG_BUF_DEFAULT_MAX);
	*cgroup = malloc((g->ncolc + 1) * sizeof(**cgroup));
	if (!col_rows || !*cgroup)
		goto out;
	for (i = 0; i < g->nrowc; i++)
		for (k = g->row_start[i]; k < g->row_start[i + 1]; k++)
			if (rg_u32vec_push(&col_rows[g->cells[k].col], (uint32_t)i) < 0 ||
			    rg_u32vec_push(&col_rows[g->cells[k].col], (uint32_t)k) < 0)
				goto out;
	for (i = 0; i < g->ncolc; i++) {
		rg_buf_reset(&key);
		for (k = 0; k < col_rows[i].n; k += 2) {
			const struct rg_matrix_access *a = g->cells[col_rows[i].v[k + 1]].a;

			rg_buf_append(&key, &col_rows[i].v[k], sizeof(uint32_t));
			rg_buf_append(&key, &a, sizeof(a));
		}
		if (rg_buf_failed(&key) || sig_class(&sig, key.data, key.len, &(*cgroup)[i]) < 0)
			goto out;
	}
	*ncgroups = sig.n;
	ret = 0;
out:
	for (i = 0; col_rows && i < g->ncolc; i++)
		rg_u32vec_free(&col_rows[i]);
	free(col_rows);
	rg_buf_free(&key);
	sig_free(&sig);
	return ret;
}

static int dest_add_range(struct matrix_dest *d, const struct grid_piece *p)
{
	struct rg_matrix_range *last = d->nranges ? &d->ranges[d->nranges - 1] : NULL;

	if (last && last->is6 == (bool)p->is6 && last->hi + 1 == p->lo) {
		last->hi = p->hi;
		return 0;
	}
	if (rg_vec_grow(&d->ranges, &d->cap, d->nranges, sizeof(*d->ranges)) < 0)
		return -1;
	d->ranges[d->nranges++] = (struct rg_matrix_range){ p->lo, p->hi, p->is6 };
	return 0;
}

/* The routed destination's route (copied into the matrix) and name. */
static int dest_finish(struct rg_matrix *m, const struct rg_eval *e, const char *via,
		       struct matrix_dest *d)
{
	struct rg_arena *ar = &((struct matrix_priv *)m->priv)->arena;
	const struct rg_eval_node *en = &e->nodes[d->router];
	struct rg_matrix_range *ranges = rg_arena_alloc(ar, d->nranges * sizeof(*ranges));
	struct rg_prefix *routes = rg_arena_alloc(ar, (en->nroutes + 1) * sizeof(*routes));
	struct rg_ipset set;
	struct rg_buf b;
	int ret = -1;

	rg_ipset_init(&set);
	rg_buf_init(&b, 0);
	if (!ranges || !routes)
		goto out;
	memcpy(ranges, d->ranges, d->nranges * sizeof(*ranges));
	if (en->nroutes)
		memcpy(routes, en->routes, en->nroutes * sizeof(*routes));
	d->route = (struct rg_matrix_route){ rg_arena_strdup(ar, via), ranges, d->nranges, routes,
					     en->nroutes, en->exit_node };
	if (!d->route.via || route_ranges_to_set(ranges, d->nranges, &set) < 0 ||
	    route_label(&b, &set, d->route.via, routes, en->nroutes, en->exit_node, &e->internet) < 0 ||
	    !(d->name = rg_arena_strndup(ar, b.data, b.len)))
		goto out;
	ret = 0;
out:
	rg_ipset_free(&set);
	rg_buf_free(&b);
	return ret;
}

int matrix_dests(struct rg_matrix *m, const struct rg_eval *e, const struct grid *g,
		 const uint32_t *cgroup, size_t ncgroups, const bool *col_live,
		 const char *const *via, struct matrix_dest **out, size_t *n)
{
	uint32_t *at = malloc((ncgroups + 1) * sizeof(*at));   /* content group -> dest */
	size_t i, cap = 0, first = 0;
	int ret = -1;

	*out = NULL;
	*n = 0;
	if (!at)
		return -1;
	for (i = 0; i < ncgroups; i++)
		at[i] = UINT32_MAX;
	for (i = 0; i < g->npieces; i++) {
		const struct grid_piece *p = &g->pieces[i];
		uint32_t cg = cgroup[p->col];

		if (!col_live[p->col] || (via && !via[p->router]))
			continue;
		if (i == 0 || p->router != g->pieces[i - 1].router)
			first = *n; /* dests before this are another router's */
		if (at[cg] == UINT32_MAX || at[cg] < first) {
			if (rg_vec_grow(out, &cap, *n, sizeof(**out)) < 0)
				goto out;
			(*out)[*n] = (struct matrix_dest){ .router = p->router, .cgroup = cg, .col = p->col };
			at[cg] = (uint32_t)(*n)++;
		}
		if (dest_add_range(&(*out)[at[cg]], p) < 0)
			goto out;
	}
	for (i = 0; i < *n; i++)
		if (dest_finish(m, e, via ? via[(*out)[i].router] : e->nodes[(*out)[i].router].node->name,
				&(*out)[i]) < 0)
			goto out;
	ret = 0;
out:
	free(at);
	return ret;
}

void matrix_dests_free(struct matrix_dest *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(d[i].ranges);
	free(d);
}

/* Column items: the nodes, then the routed destinations. */
static int col_items(struct nodes_ctx *c)
{
	size_t i, n = c->e->nnodes;

	c->ncols = n + c->ndests;
	c->col_names = malloc((c->ncols + 1) * sizeof(*c->col_names));
	c->col_routes = malloc((c->ncols + 1) * sizeof(*c->col_routes));
	c->col_group = malloc((c->ncols + 1) * sizeof(*c->col_group));
	if (!c->col_names || !c->col_routes || !c->col_group)
		return -1;
	for (i = 0; i < n; i++) {
		c->col_names[i] = c->e->nodes[i].node->name;
		c->col_routes[i] = NULL;
	}
	for (i = 0; i < c->ndests; i++) {
		c->col_names[n + i] = c->dests[i].name;
		c->col_routes[n + i] = &c->dests[i].route;
	}
	return 0;
}

static int row_lines(struct nodes_ctx *c, size_t ngroups)
{
	const char **names = malloc((c->e->nnodes + 1) * sizeof(*names));
	size_t i;
	int ret;

	if (!names)
		return -1;
	for (i = 0; i < c->e->nnodes; i++)
		names[i] = c->e->nodes[i].node->name;
	ret = matrix_lines(c->m, names, NULL, c->e->nnodes, c->row_group, ngroups, true, &c->row_line);
	free(names);
	return ret;
}

/* The destination class of column item i. */
static uint32_t item_col(const struct nodes_ctx *c, size_t i)
{
	return i < c->e->nnodes ? c->g.col_of[i] : c->dests[i - c->e->nnodes].col;
}

/* One line per node: cells are copied from the classes to every pair of their nodes. */
static int one_per_node(struct nodes_ctx *c)
{
	const struct grid *g = &c->g;
	size_t *start = calloc(g->ncolc + 2, sizeof(*start));
	uint32_t *by_col = malloc((c->ncols ? c->ncols : 1) * sizeof(*by_col));
	size_t i, k, j;
	int ret = -1;

	if (!start || !by_col)
		goto out;
	for (i = 0; i < g->nnodes; i++) {
		bool rl = g->row_start[g->row_of[i] + 1] > g->row_start[g->row_of[i]];

		c->row_group[i] = rl ? (uint32_t)i : UINT32_MAX;
	}
	for (i = 0; i < c->ncols; i++) {
		c->col_group[i] = c->col_live[item_col(c, i)] ? (uint32_t)i : UINT32_MAX;
		start[item_col(c, i) + 2]++;
	}
	if (row_lines(c, g->nnodes) < 0 ||
	    matrix_lines(c->m, c->col_names, c->col_routes, c->ncols, c->col_group, c->ncols, false,
			 &c->col_line) < 0)
		goto out;
	/* Column items by destination class, in order. */
	for (i = 0; i < g->ncolc; i++)
		start[i + 2] += start[i + 1];
	for (i = 0; i < c->ncols; i++)
		by_col[start[item_col(c, i) + 1]++] = (uint32_t)i;
	for (i = 0; i < g->nnodes; i++) {
		uint32_t rc = g->row_of[i];

		if (c->row_group[i] == UINT32_MAX)
			continue;
		for (k = g->row_start[rc]; k < g->row_start[rc + 1]; k++) {
			uint32_t cc = g->cells[k].col;

			for (j = start[cc]; j < start[cc + 1]; j++)
				if (matrix_add_cell(c->m, &c->cells_cap, c->row_line[i],
						    c->col_line[c->col_group[by_col[j]]], g->cells[k].a) < 0)
					goto out;
		}
	}
	ret = 0;
out:
	free(start);
	free(by_col);
	return ret;
}

/*
 * Columns with equal contents form one line (nodes with nodes, routed
 * destinations with routed destinations); then rows with equal contents.
 */
static int aggregate(struct nodes_ctx *c)
{
	const struct grid *g = &c->g;
	const size_t ncg = c->ncgroups;
	uint32_t *rgroup = malloc((g->nrowc + 1) * sizeof(*rgroup));
	uint32_t *rep = NULL;
	struct sig_table sig;
	struct rg_buf key;
	size_t i, k, s;
	int ret = -1;

	sig_init(&sig);
	rg_buf_init(&key, RG_BUF_DEFAULT_MAX);
	if (!rgroup)
		goto out;
	for (i = 0; i < g->nnodes; i++)
		c->col_group[i] = c->col_live[g->col_of[i]] ? c->cgroup[g->col_of[i]] : UINT32_MAX;
	for (i = 0; i < c->ndests; i++)
		c->col_group[g->nnodes + i] = (uint32_t)(ncg + c->dests[i].cgroup);
	if (matrix_lines(c->m, c->col_names, c->col_routes, c->ncols, c->col_group, 2 * ncg, false,
			 &c->col_line) < 0)
		goto out;
	/* Row contents: (column line, access), sorted and distinct. */
	for (i = 0; i < g->nrowc; i++) {
		size_t n = g->row_start[i + 1] - g->row_start[i];

		rg_buf_reset(&key);
		for (k = 0; k < n; k++) {
			const struct grid_cell *gc = &g->cells[g->row_start[i] + k];

			for (s = 0; s < 2; s++) {
				uint32_t line = c->col_line[s * ncg + c->cgroup[gc->col]];

				if (line == UINT32_MAX)
					continue;
				rg_buf_append(&key, &line, sizeof(line));
				rg_buf_append(&key, &gc->a, sizeof(gc->a));
			}
		}
		if (rg_buf_failed(&key) || sig_class(&sig, key.data, key.len, &rgroup[i]) < 0)
			goto out;
	}
	for (i = 0; i < g->nnodes; i++) {
		uint32_t rc = g->row_of[i];

		c->row_group[i] = g->row_start[rc + 1] > g->row_start[rc] ? rgroup[rc] : UINT32_MAX;
	}
	if (row_lines(c, sig.n) < 0)
		goto out;
	/*
	 * Cells: from one row class of each row line (equal rows have equal
	 * cells). Column classes of one line repeat a cell; sorting drops them.
	 */
	rep = malloc((sig.n + 1) * sizeof(*rep));
	if (!rep)
		goto out;
	for (i = 0; i < sig.n; i++)
		rep[i] = UINT32_MAX;
	for (i = 0; i < g->nrowc; i++)
		if (rep[rgroup[i]] == UINT32_MAX)
			rep[rgroup[i]] = (uint32_t)i;
	for (i = 0; i < sig.n; i++) {
		uint32_t line = c->row_line[i];

		if (line == UINT32_MAX)
			continue;
		for (k = g->row_start[rep[i]]; k < g->row_start[rep[i] + 1]; k++)
			for (s = 0; s < 2; s++) {
				uint32_t col = c->col_line[s * ncg + c->cgroup[g->cells[k].col]];

				if (col != UINT32_MAX &&
				    matrix_add_cell(c->m, &c->cells_cap, line, col, g->cells[k].a) < 0)
					goto out;
			}
	}
	ret = 0;
out:
	free(rgroup);
	free(rep);
	rg_buf_free(&key);
	sig_free(&sig);
	return ret;
}

int rg_matrix_build(struct rg_eval *e, const struct rg_matrix_opts *o, struct rg_matrix **out,
		    struct rg_err *err)
{
	struct nodes_ctx c;
	struct matrix_priv *pv;
	size_t i, live_rows = 0, live_cols, thr = o->group_threshold ? o->group_threshold : 50;
	int ret = -1;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	c.e = e;
	c.m = matrix_new(RG_MATRIX_NODES, o->cap);
	if (!c.m)
		return rg_err_set(err, "out of memory");
	pv = c.m->priv;
	c.m->nnodes = e->nnodes;
	if (grid_build(e, o->cap, &pv->pool, &c.g, err) < 0)
		goto fail;
	c.col_live = calloc(c.g.ncolc + 1, sizeof(*c.col_live));
	c.row_group = malloc((e->nnodes + 1) * sizeof(*c.row_group));
	if (!c.col_live || !c.row_group)
		goto oom;
	for (i = 0; i < c.g.ncells; i++)
		c.col_live[c.g.cells[i].col] = true;
	if (matrix_content_groups(&c.g, &c.cgroup, &c.ncgroups) < 0 ||
	    matrix_dests(c.m, e, &c.g, c.cgroup, c.ncgroups, c.col_live, NULL, &c.dests, &c.ndests) < 0 ||
	    col_items(&c) < 0)
		goto oom;
	live_cols = c.ndests;
	for (i = 0; i < e->nnodes; i++) {
		live_rows += c.g.row_start[c.g.row_of[i] + 1] > c.g.row_start[c.g.row_of[i]];
		live_cols += c.col_live[c.g.col_of[i]];
	}
	c.m->aggregated = o->group == RG_MATRIX_GROUP_ALWAYS ||
			  (o->group == RG_MATRIX_GROUP_AUTO && (live_rows > thr || live_cols > thr));
	if ((c.m->aggregated ? aggregate(&c) : one_per_node(&c)) < 0)
		goto oom;
	matrix_sort_cells(c.m);
	*out = c.m;
	c.m = NULL;
	ret = 0;
	goto done;
oom:
	rg_err_set(err, "out of memory");
fail:
	rg_matrix_free(c.m);
done:
	grid_free(&c.g);
	free(c.col_live);
	free(c.cgroup);
	matrix_dests_free(c.dests, c.ndests);
	free(c.col_names);
	free(c.col_routes);
	free(c.row_group);
	free(c.col_group);
	free(c.row_line);
	free(c.col_line);
	return ret;
}

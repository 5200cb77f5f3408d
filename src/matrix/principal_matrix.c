/*
 * The principal matrix: one line per principal. A principal standing for
 * several representatives (a group, autogroup:member, "*") gets what holds
 * for every one of them: the intersection of their cells.
 */
#include <stdlib.h>
#include <string.h>

#include "matrix/internal.h"
#include "matrix/sig.h"
#include "util/vec.h"

/* The representative nodes of principal x under policy p. */
static int principal_nodes(const struct rg_principals *pr, const struct rg_policy *p,
			   const struct principal *x, struct rg_u32vec *out)
{
	const struct rg_group *g;
	size_t i;

	out->n = 0;
	switch (x->type) {
	case P_NODE:
		return rg_u32vec_push(out, x->node);
	case P_GROUP:
		g = rg_policy_group(p, x->key);
		for (i = 0; g && i < g->n; i++) {
			void *v = rg_map_get(&pr->logins, g->members[i].text, strlen(g->members[i].text));

			if (g->members[i].kind == RG_SEL_USER && v &&
			    rg_u32vec_push(out, (uint32_t)((uintptr_t)v - 1)) < 0)
				return -1;
		}
		return 0;
	case P_DOMAIN:
		for (i = 0; i < pr->nusers; i++) {
			const char *login = pr->inv->nodes[pr->users[i]].user;
			const char *at = login ? strrchr(login, '@') : NULL;

			if (at && strcmp(at + 1, x->key) == 0 && rg_u32vec_push(out, pr->users[i]) < 0)
				return -1;
		}
		return 0;
	case P_ALL:
		for (i = 0; i < pr->inv->nnodes; i++)
			if (rg_u32vec_push(out, (uint32_t)i) < 0)
				return -1;
		return 0;
	case P_MEMBER:
	case P_TAGGED:
	case P_WILDCARD:
		for (i = 0; x->type != P_TAGGED && i < pr->nusers; i++)
			if (rg_u32vec_push(out, pr->users[i]) < 0)
				return -1;
		for (i = 0; x->type != P_MEMBER && i < pr->ntags; i++)
			if (rg_u32vec_push(out, pr->tags[i]) < 0)
				return -1;
		return 0;
	}
	return 0;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The distinct classes (of_node[node]) of nodes, into out. */
static int classes(const struct rg_u32vec *nodes, const uint32_t *of_node, struct rg_u32vec *out)
{
	size_t i, k;

	out->n = 0;
	for (i = 0; i < nodes->n; i++)
		if (rg_u32vec_push(out, of_node[nodes->v[i]]) < 0)
			return -1;
	if (out->n < 2)
		return 0;
	qsort(out->v, out->n, sizeof(uint32_t), u32_cmp);
	for (i = 1, k = 1; i < out->n; i++)
		if (out->v[i] != out->v[k - 1])
			out->v[k++] = out->v[i];
	out->n = k;
	return 0;
}

/* What every (row class, column class) pair holds; NULL or empty when nothing. */
static const struct rg_matrix_access *meet(const struct grid *g, struct acc_pool *pool,
					   struct acc_work *w, const struct rg_u32vec *rc,
					   const struct rg_u32vec *cc, bool *oom)
{
	const struct rg_matrix_access *a = NULL;
	size_t i, j;

	for (i = 0; i < rc->n; i++)
		for (j = 0; j < cc->n; j++) {
			const struct rg_matrix_access *b = grid_cell(g, rc->v[i], cc->v[j]);

			if (acc_empty(b))
				return NULL;
			if (!a) {
				a = b;
				continue;
			}
			if (a == b)
				continue;
			if (acc_intersect(a, b, w) < 0 || !(a = acc_pool_intern(pool, w))) {
				*oom = true;
				return NULL;
			}
			if (acc_empty(a))
				return NULL;
		}
	return a;
}

/*
 * Lines for the principals marked live, then (columns) for the live routed
 * destinations (live[pr->n + d]); idle principals are listed by label.
 */
static int principal_lines(struct rg_matrix *m, const struct rg_principals *pr, const bool *live,
			   uint32_t *line_of, bool rows, const struct matrix_dest *dests,
			   size_t ndests)
{
	struct rg_arena *ar = &((struct matrix_priv *)m->priv)->arena;
	struct rg_matrix_line *lines = rg_arena_alloc(ar, (pr->n + ndests + 1) * sizeof(*lines));
	const char **idle = rg_arena_alloc(ar, (pr->n + 1) * sizeof(*idle));
	size_t i, n = 0, nidle = 0;

	if (!lines || !idle)
		return -1;
	for (i = 0; i < pr->n; i++) {
		const char *label = rg_arena_strdup(ar, pr->v[i].label);
		const char **members = rg_arena_alloc(ar, sizeof(*members));

		if (!label || !members)
			return -1;
		if (!live[i]) {
			idle[nidle++] = label;
			line_of[i] = UINT32_MAX;
			continue;
		}
		members[0] = label;
		lines[n] = (struct rg_matrix_line){ label, pr->v[i].kind, members, 1, NULL };
		line_of[i] = (uint32_t)n++;
	}
	for (i = 0; i < ndests; i++) {
		const char **members = rg_arena_alloc(ar, sizeof(*members));
		struct rg_matrix_route *route = rg_arena_alloc(ar, sizeof(*route));

		line_of[pr->n + i] = UINT32_MAX;
		if (!members || !route)
			return -1;
		if (!live[pr->n + i])
			continue;
		members[0] = dests[i].name;
		*route = dests[i].route; /* its arrays are in the matrix's arena already */
		lines[n] = (struct rg_matrix_line){ dests[i].name, "route", members, 1, route };
		line_of[pr->n + i] = (uint32_t)n++;
	}
	if (rows) {
		m->rows = lines, m->nrows = n;
		m->idle_rows = idle, m->nidle_rows = nidle;
	} else {
		m->cols = lines, m->ncols = n;
		m->idle_cols = idle, m->nidle_cols = nidle;
	}
	return 0;
}

struct pm {
	struct rg_matrix *m;
	struct grid g;
	struct rg_u32vec *rc, *cc;      /* per principal: its row / column classes */
	struct matrix_dest *dests;      /* routed destinations behind via tags */
	size_t ndests;
	bool *row_live, *col_live;      /* col_live: principals, then dests */
	uint32_t *row_line, *col_line;
	struct rg_matrix_cell *tmp;  /* cells by principal index */
	size_t ntmp, captmp;
	struct acc_work w;
};

/* Keeps cell (row, col) unless it grants nothing; -1 when out of memory. */
static int keep_cell(struct pm *x, size_t row, size_t col, const struct rg_matrix_access *a)
{
	if (acc_empty(a))
		return 0;
	if (rg_vec_grow(&x->tmp, &x->captmp, x->ntmp, sizeof(*x->tmp)) < 0)
		return -1;
	x->tmp[x->ntmp++] = (struct rg_matrix_cell){ (uint32_t)row, (uint32_t)col, a };
	x->row_live[row] = x->col_live[col] = true;
	return 0;
}

static int fill(struct pm *x, const struct rg_principals *pr, const struct rg_eval *e)
{
	struct matrix_priv *pv = x->m->priv;
	struct rg_u32vec nodes = { NULL, 0, 0 };
	size_t i, j, cap = 0;
	bool oom = false;
	int ret = -1;

	for (i = 0; i < pr->n; i++)
		if (principal_nodes(pr, e->policy, &pr->v[i], &nodes) < 0 ||
		    classes(&nodes, x->g.row_of, &x->rc[i]) < 0 ||
		    classes(&nodes, x->g.col_of, &x->cc[i]) < 0)
			goto out;
	for (i = 0; i < pr->n; i++)
		for (j = 0; x->rc[i].n && j < pr->n; j++) {
			const struct rg_matrix_access *a;

			if (!x->cc[j].n)
				continue;
			a = meet(&x->g, &pv->pool, &x->w, &x->rc[i], &x->cc[j], &oom);
			if (oom || keep_cell(x, i, j, a) < 0)
				goto out;
		}
	/* Routed destinations: what every source of the principal gets there. */
	for (i = 0; i < pr->n; i++)
		for (j = 0; x->rc[i].n && j < x->ndests; j++) {
			uint32_t col = x->dests[j].col;
			const struct rg_u32vec one = { &col, 1, 1 };
			const struct rg_matrix_access *a;

			a = meet(&x->g, &pv->pool, &x->w, &x->rc[i], &one, &oom);
			if (oom || keep_cell(x, i, pr->n + j, a) < 0)
				goto out;
		}
	if (principal_lines(x->m, pr, x->row_live, x->row_line, true, NULL, 0) < 0 ||
	    principal_lines(x->m, pr, x->col_live, x->col_line, false, x->dests, x->ndests) < 0)
		goto out;
	for (i = 0; i < x->ntmp; i++)
		if (matrix_add_cell(x->m, &cap, x->row_line[x->tmp[i].row], x->col_line[x->tmp[i].col],
				    x->tmp[i].access) < 0)
			goto out;
	ret = 0;
out:
	rg_u32vec_free(&nodes);
	return ret;
}

/*
 * The addresses behind via tags (their representatives route what the
 * via rules name; see principals.c), named "ADDRESSES via tag:x".
 */
static int routed_dests(struct pm *x, const struct rg_principals *pr, const struct rg_eval *e)
{
	const char **via = calloc(e->nnodes + 1, sizeof(*via));
	bool *live = calloc(x->g.ncolc + 1, sizeof(*live));
	uint32_t *cgroup = NULL;
	size_t i, ncg = 0;
	int ret = -1;

	if (!via || !live)
		goto out;
	if (!x->g.npieces) {
		ret = 0;
		goto out;
	}
	for (i = 0; i < pr->n; i++)
		if (pr->v[i].type == P_NODE && strcmp(pr->v[i].kind, "tag") == 0)
			via[pr->v[i].node] = pr->v[i].label;
	for (i = 0; i < x->g.ncells; i++)
		live[x->g.cells[i].col] = true;
	if (matrix_content_groups(&x->g, &cgroup, &ncg) < 0 ||
	    matrix_dests(x->m, e, &x->g, cgroup, ncg, live, via, &x->dests, &x->ndests) < 0)
		goto out;
	ret = 0;
out:
	free(via);
	free(live);
	free(cgroup);
	return ret;
}

int rg_matrix_build_principals(struct rg_eval *e, const struct rg_principals *pr,
			       const struct rg_matrix_opts *o, struct rg_matrix **out,
			       struct rg_err *err)
{
	struct pm x;
	size_t i, n = pr->n ? pr->n : 1;
	int ret = -1;

	*out = NULL;
	memset(&x, 0, sizeof(x));
	acc_work_init(&x.w);
	x.m = matrix_new(RG_MATRIX_PRINCIPALS, o->cap);
	if (!x.m)
		return rg_err_set(err, "out of memory");
	x.m->nnodes = pr->n;
	if (grid_build(e, o->cap, &((struct matrix_priv *)x.m->priv)->pool, &x.g, err) < 0)
		goto done;
	if (routed_dests(&x, pr, e) < 0) {
		rg_err_set(err, "out of memory");
		goto done;
	}
	x.rc = calloc(n, sizeof(*x.rc));
	x.cc = calloc(n, sizeof(*x.cc));
	x.row_live = calloc(n, sizeof(*x.row_live));
	x.col_live = calloc(n + x.ndests, sizeof(*x.col_live));
	x.row_line = calloc(n, sizeof(*x.row_line));
	x.col_line = calloc(n + x.ndests, sizeof(*x.col_line));
	if (!x.rc || !x.cc || !x.row_live || !x.col_live || !x.row_line || !x.col_line ||
	    fill(&x, pr, e) < 0) {
		rg_err_set(err, "out of memory");
		goto done;
	}
	matrix_sort_cells(x.m);
	*out = x.m;
	x.m = NULL;
	ret = 0;
done:
	rg_matrix_free(x.m);
	grid_free(&x.g);
	for (i = 0; i < pr->n && x.rc && x.cc; i++) {
		rg_u32vec_free(&x.rc[i]);
		rg_u32vec_free(&x.cc[i]);
	}
	free(x.rc);
	free(x.cc);
	free(x.row_live);
	free(x.col_live);
	free(x.row_line);
	free(x.col_line);
	free(x.tmp);
	matrix_dests_free(x.dests, x.ndests);
	acc_work_free(&x.w);
	return ret;
}

/*
 * The class grid, read off an evaluation.
 *
 * 1. Destination classes: each node's items give, per rule, the access the
 *    rule grants on that node (entries that contain one of its addresses,
 *    times the rule's protocols; or the rule's capabilities). Nodes with the
 *    same (rule, access) list form a class.
 * 2. Source classes: nodes that are sources of the same rules (among those
 *    some destination class uses) form a class. Rules from "*"
 *    (autogroup:danger-all) apply to every class and are left out of it.
 * 3. Cells: for each destination class, each of its rules adds its access to
 *    the source classes of that rule.
 */
#include <stdlib.h>
#include <string.h>

#include "matrix/grid.h"
#include "matrix/sig.h"
#include "util/buf.h"
#include "util/vec.h"

struct contrib {
	uint32_t rule;
	const struct rg_matrix_access *a;
};

struct contrib_vec {
	struct contrib *v;
	size_t n, cap;
};

struct triple {
	uint32_t row, col;
	const struct rg_matrix_access *a;
};

struct triple_vec {
	struct triple *v;
	size_t n, cap;
};

struct build {
	const struct rg_eval *e;
	const char *cap;
	struct acc_pool *pool;
	struct grid *g;
	struct acc_work w, u;
	struct contrib_vec *colc;     /* per destination class: its contributions */
	size_t ncolc_cap;
	bool *used;                   /* per rule: some destination class uses it */
	struct rg_u32vec *rule_rows;     /* per used rule: its source classes */
};

static int contrib_push(struct contrib_vec *v, uint32_t rule, const struct rg_matrix_access *a)
{
	if (rg_vec_grow(&v->v, &v->cap, v->n, sizeof(*v->v)) < 0)
		return -1;
	v->v[v->n++] = (struct contrib){ rule, a };
	return 0;
}

static int triple_push(struct triple_vec *v, uint32_t row, uint32_t col,
		       const struct rg_matrix_access *a)
{
	if (rg_vec_grow(&v->v, &v->cap, v->n, sizeof(*v->v)) < 0)
		return -1;
	v->v[v->n++] = (struct triple){ row, col, a };
	return 0;
}

static bool rule_counts(const struct rg_eval_rule *r, const char *cap)
{
	if (cap)
		return r->is_cap && json_object_get(r->capmap, cap) != NULL;
	return !r->is_cap || !r->companion;
}

/* Whether entry x covers one of node n's own addresses. */
static bool entry_hits(const struct rg_eval_entry *x, const struct rg_inv_node *n, bool inside)
{
	size_t i;

	if (x->any)
		return inside; /* "*" is the tailnet and its routes, not the addresses beyond */
	for (i = 0; i < n->nips; i++) {
		rg_u128 v = rg_addr_to_u128(&n->ips[i]);

		if (n->ips[i].is6 == x->is6 && v >= x->lo && v <= x->hi)
			return true;
	}
	return false;
}

/* What item it grants on node n, into b->w. */
static int item_access(struct build *b, const struct rg_eval_node *en,
		       const struct rg_eval_item *it, bool inside)
{
	const struct rg_eval_rule *r = &b->e->rules[it->rule];
	const uint8_t *protos = r->nprotos ? r->protos : rg_proto_default;
	size_t nprotos = r->nprotos ? r->nprotos : RG_PROTO_DEFAULT_COUNT, k, j;
	bool hit = false;

	acc_work_clear(&b->w);
	for (k = it->first; k < it->first + it->count; k++) {
		const struct rg_eval_entry *x = &r->entries[k];

		if (!entry_hits(x, en->node, inside))
			continue;
		hit = true;
		if (r->is_cap)
			break;
		for (j = 0; j < nprotos; j++)
			if (acc_work_add_ports(&b->w, protos[j], x->ports.first, x->ports.last) < 0)
				return -1;
	}
	if (!hit || !r->is_cap)
		return 0;
	if (b->cap)
		return acc_work_add_cap(&b->w, b->cap);
	{
		const char *name;
		json_t *v;

		json_object_foreach(r->capmap, name, v) {
			if (acc_work_add_cap(&b->w, name) < 0)
				return -1;
		}
	}
	return 0;
}

static bool node_inside(const struct rg_eval *e, const struct rg_inv_node *n)
{
	size_t i;

	for (i = 0; i < n->nips; i++)
		if (rg_ipset_contains(&e->star, &n->ips[i]))
			return true;
	return false;
}

/* Node i's contributions, into out (cleared). */
static int node_contribs(struct build *b, size_t i, struct contrib_vec *out)
{
	const struct rg_eval_node *en = &b->e->nodes[i];
	bool inside = node_inside(b->e, en->node);
	size_t k;

	out->n = 0;
	for (k = 0; k < en->nitems; k++) {
		const struct rg_eval_item *it = &en->items[k];
		const struct rg_matrix_access *a;

		if (!rule_counts(&b->e->rules[it->rule], b->cap))
			continue;
		if (item_access(b, en, it, inside) < 0)
			return -1;
		if (!b->w.n && !b->w.ncaps)
			continue;
		if (out->n && out->v[out->n - 1].rule == it->rule &&
		    acc_work_add(&b->w, out->v[out->n - 1].a) < 0)
			return -1;
		if (!(a = acc_pool_intern(b->pool, &b->w)))
			return -1;
		if (out->n && out->v[out->n - 1].rule == it->rule)
			out->v[out->n - 1].a = a;
		else if (contrib_push(out, it->rule, a) < 0)
			return -1;
	}
	return 0;
}

/* The signature of a contribution list (explicit bytes: structs have padding). */
static int contrib_key(const struct contrib_vec *v, struct rg_buf *key)
{
	size_t i;

	rg_buf_reset(key);
	for (i = 0; i < v->n; i++) {
		rg_buf_append(key, &v->v[i].rule, sizeof(v->v[i].rule));
		rg_buf_append(key, &v->v[i].a, sizeof(v->v[i].a));
	}
	return rg_buf_failed(key) ? -1 : 0;
}

static int dst_classes(struct build *b)
{
	struct grid *g = b->g;
	struct contrib_vec cur = { NULL, 0, 0 };
	struct sig_table sig;
	struct rg_buf key;
	size_t i;
	int ret = -1;

	sig_init(&sig);
	rg_buf_init(&key, RG_BUF_DEFAULT_MAX);
	for (i = 0; i < g->nnodes; i++) {
		size_t before = sig.n;
		uint32_t c;

		if (node_contribs(b, i, &cur) < 0 || contrib_key(&cur, &key) < 0 ||
		    sig_class(&sig, key.data, key.len, &c) < 0)
			goto out;
		g->col_of[i] = c;
		if (sig.n == before)
			continue; /* a known class */
		if (sig.n > b->ncolc_cap) {
			size_t cap = b->ncolc_cap ? b->ncolc_cap * 2 : 16;
			struct contrib_vec *p = realloc(b->colc, cap * sizeof(*p));

			if (!p)
				goto out;
			memset(p + b->ncolc_cap, 0, (cap - b->ncolc_cap) * sizeof(*p));
			b->colc = p;
			b->ncolc_cap = cap;
		}
		b->colc[c] = cur;
		memset(&cur, 0, sizeof(cur));
		for (size_t k = 0; k < b->colc[c].n; k++)
			b->used[b->colc[c].v[k].rule] = true;
	}
	g->ncolc = sig.n;
	ret = 0;
out:
	free(cur.v);
	rg_buf_free(&key);
	sig_free(&sig);
	return ret;
}

/* Source classes: per node the list of (used, not "*") rules it is a source of. */
static int src_classes(struct build *b)
{
	const struct rg_eval *e = b->e;
	struct grid *g = b->g;
	struct rg_u32vec *per_node = calloc(g->nnodes ? g->nnodes : 1, sizeof(*per_node));
	struct sig_table sig;
	uint32_t *stamp = NULL;
	size_t i, r;
	int ret = -1;

	sig_init(&sig);
	if (!per_node)
		return -1;
	for (r = 0; r < e->nrules; r++) {
		uint32_t *nodes = NULL;
		size_t n = 0;

		if (!b->used[r] || e->rules[r].src_any)
			continue;
		if (rg_eval_nodes_in(e, &e->rules[r].src, false, &nodes, &n) < 0)
			goto out;
		for (i = 0; i < n; i++)
			if (rg_u32vec_push(&per_node[nodes[i]], (uint32_t)r) < 0) {
				free(nodes);
				goto out;
			}
		free(nodes);
	}
	for (i = 0; i < g->nnodes; i++)
		if (sig_class(&sig, per_node[i].v, per_node[i].n * sizeof(uint32_t), &g->row_of[i]) < 0)
			goto out;
	g->nrowc = sig.n;
	/* Per rule, its source classes (each once). */
	stamp = malloc((g->nrowc ? g->nrowc : 1) * sizeof(*stamp));
	if (!stamp)
		goto out;
	for (i = 0; i < g->nrowc; i++)
		stamp[i] = UINT32_MAX;
	for (i = 0; i < g->nnodes; i++) {
		uint32_t rc = g->row_of[i];

		if (stamp[rc] != UINT32_MAX)
			continue; /* the class's rules were added from its first node */
		stamp[rc] = 0;
		for (size_t k = 0; k < per_node[i].n; k++)
			if (rg_u32vec_push(&b->rule_rows[per_node[i].v[k]], rc) < 0)
				goto out;
	}
	ret = 0;
out:
	for (i = 0; i < g->nnodes; i++)
		rg_u32vec_free(&per_node[i]);
	free(per_node);
	free(stamp);
	sig_free(&sig);
	return ret;
}

static int triple_cmp(const void *x, const void *y)
{
	const struct triple *a = x, *b = y;

	if (a->row != b->row)
		return a->row < b->row ? -1 : 1;
	return a->col < b->col ? -1 : a->col > b->col;
}

/* Adds one column's (row, access) pairs, merged per row, to out. */
static int flush_column(struct build *b, uint32_t col, struct triple_vec *pairs,
			struct triple_vec *out)
{
	size_t i = 0, j;

	if (pairs->n > 1)
		qsort(pairs->v, pairs->n, sizeof(*pairs->v), triple_cmp);
	while (i < pairs->n) {
		const struct rg_matrix_access *a = pairs->v[i].a;

		for (j = i + 1; j < pairs->n && pairs->v[j].row == pairs->v[i].row; j++)
			;
		if (j - i > 1) {
			acc_work_clear(&b->u);
			for (size_t k = i; k < j; k++)
				if (acc_work_add(&b->u, pairs->v[k].a) < 0)
					return -1;
			if (!(a = acc_pool_intern(b->pool, &b->u)))
				return -1;
		}
		if (triple_push(out, pairs->v[i].row, col, a) < 0)
			return -1;
		i = j;
	}
	return 0;
}

static int fill_cells(struct build *b)
{
	struct grid *g = b->g;
	struct triple_vec pairs = { NULL, 0, 0 }, all = { NULL, 0, 0 };
	size_t c, i, k;
	int ret = -1;

	for (c = 0; c < g->ncolc; c++) {
		pairs.n = 0;
		for (k = 0; k < b->colc[c].n; k++) {
			const struct contrib *x = &b->colc[c].v[k];

			if (b->e->rules[x->rule].src_any) {
				for (i = 0; i < g->nrowc; i++)
					if (triple_push(&pairs, (uint32_t)i, 0, x->a) < 0)
						goto out;
				continue;
			}
			for (i = 0; i < b->rule_rows[x->rule].n; i++)
				if (triple_push(&pairs, b->rule_rows[x->rule].v[i], 0, x->a) < 0)
					goto out;
		}
		if (flush_column(b, (uint32_t)c, &pairs, &all) < 0)
			goto out;
	}
	if (all.n > 1)
		qsort(all.v, all.n, sizeof(*all.v), triple_cmp);
	g->row_start = calloc(g->nrowc + 1, sizeof(*g->row_start));
	g->cells = malloc((all.n ? all.n : 1) * sizeof(*g->cells));
	if (!g->row_start || !g->cells)
		goto out;
	for (i = 0; i < all.n; i++) {
		g->cells[i] = (struct grid_cell){ all.v[i].col, all.v[i].a };
		g->row_start[all.v[i].row + 1]++;
	}
	for (i = 0; i < g->nrowc; i++)
		g->row_start[i + 1] += g->row_start[i];
	g->ncells = all.n;
	ret = 0;
out:
	free(pairs.v);
	free(all.v);
	return ret;
}

int grid_build(const struct rg_eval *e, const char *cap, struct acc_pool *pool, struct grid *g,
	       struct rg_err *err)
{
	struct build b;
	size_t i;
	int ret = -1;

	memset(g, 0, sizeof(*g));
	memset(&b, 0, sizeof(b));
	b.e = e;
	b.cap = cap;
	b.pool = pool;
	b.g = g;
	acc_work_init(&b.w);
	acc_work_init(&b.u);
	g->nnodes = e->nnodes;
	g->row_of = calloc(e->nnodes ? e->nnodes : 1, sizeof(*g->row_of));
	g->col_of = calloc(e->nnodes ? e->nnodes : 1, sizeof(*g->col_of));
	b.used = calloc(e->nrules ? e->nrules : 1, sizeof(*b.used));
	b.rule_rows = calloc(e->nrules ? e->nrules : 1, sizeof(*b.rule_rows));
	if (g->row_of && g->col_of && b.used && b.rule_rows && dst_classes(&b) == 0 &&
	    src_classes(&b) == 0 && fill_cells(&b) == 0)
		ret = 0;
	if (ret < 0) {
		grid_free(g);
		rg_err_set(err, "out of memory");
	}
	for (i = 0; i < b.ncolc_cap; i++)
		free(b.colc[i].v);
	free(b.colc);
	for (i = 0; i < e->nrules && b.rule_rows; i++)
		rg_u32vec_free(&b.rule_rows[i]);
	free(b.rule_rows);
	free(b.used);
	acc_work_free(&b.w);
	acc_work_free(&b.u);
	return ret;
}

void grid_free(struct grid *g)
{
	free(g->row_of);
	free(g->col_of);
	free(g->row_start);
	free(g->cells);
	memset(g, 0, sizeof(*g));
}

const struct rg_matrix_access *grid_cell(const struct grid *g, uint32_t r, uint32_t c)
{
	size_t lo = g->row_start[r], hi = g->row_start[r + 1];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (g->cells[mid].col < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < g->row_start[r + 1] && g->cells[lo].col == c)
		return g->cells[lo].a;
	return NULL;
}

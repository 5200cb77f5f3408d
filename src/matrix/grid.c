/*
 * The class grid, read off an evaluation.
 *
 * 1. Destination classes: each node's items give, per rule, the access the
 *    rule grants on that node (entries that contain one of its addresses,
 *    times the rule's protocols; or the rule's capabilities). Nodes with the
 *    same (rule, access) list form a class. A router's items also reach the
 *    addresses behind it: its entries clipped to its approved subnet routes
 *    (and, on an exit node, to the internet) are cut where the (rule,
 *    access) list changes, and each piece is a destination with a class of
 *    its own list. Capabilities are not routed (the control plane narrows
 *    them to the node's own addresses).
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

/* A routed entry: entry `entry` of rule `rule`, clipped to a router's routes. */
struct seg {
	rg_u128 lo, hi;
	uint32_t rule, entry;
};

struct rule_seg {
	uint32_t rule, seg;
};

/* Scratch for the routed pieces of one router. */
struct routed {
	struct rg_ipset scope;        /* what the router forwards to */
	struct seg *segs;
	size_t nsegs, capsegs;
	rg_u128 *pts;                 /* where pieces start */
	size_t npts, cappts;
	struct rule_seg *active;
	size_t nactive, capactive;
	size_t cappieces;
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
	struct sig_table dsig;        /* destination classes */
	struct rg_buf key;
	struct routed rt;
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

/* The destination class of contribution list cur; a new class takes cur over. */
static int dst_class(struct build *b, struct contrib_vec *cur, uint32_t *out)
{
	size_t before = b->dsig.n;
	uint32_t c;

	if (contrib_key(cur, &b->key) < 0 || sig_class(&b->dsig, b->key.data, b->key.len, &c) < 0)
		return -1;
	*out = c;
	if (b->dsig.n == before)
		return 0; /* a known class */
	if (b->dsig.n > b->ncolc_cap) {
		size_t cap = b->ncolc_cap ? b->ncolc_cap * 2 : 16;
		struct contrib_vec *p = realloc(b->colc, cap * sizeof(*p));

		if (!p)
			return -1;
		memset(p + b->ncolc_cap, 0, (cap - b->ncolc_cap) * sizeof(*p));
		b->colc = p;
		b->ncolc_cap = cap;
	}
	b->colc[c] = *cur;
	memset(cur, 0, sizeof(*cur));
	for (size_t k = 0; k < b->colc[c].n; k++)
		b->used[b->colc[c].v[k].rule] = true;
	return 0;
}

/* ---- routed pieces ----------------------------------------------------------- */

static int seg_push(struct routed *rt, rg_u128 lo, rg_u128 hi, uint32_t rule, uint32_t entry)
{
	if (rg_vec_grow(&rt->segs, &rt->capsegs, rt->nsegs, sizeof(*rt->segs)) < 0)
		return -1;
	rt->segs[rt->nsegs++] = (struct seg){ lo, hi, rule, entry };
	return 0;
}

static int pt_push(struct routed *rt, rg_u128 v)
{
	if (rg_vec_grow(&rt->pts, &rt->cappts, rt->npts, sizeof(*rt->pts)) < 0)
		return -1;
	rt->pts[rt->npts++] = v;
	return 0;
}

/* Entry x of rule ri clipped to the scope's intervals of family is6, as segments. */
static int clip_entry(struct routed *rt, const struct rg_eval_entry *x, uint32_t ri, uint32_t k,
		      bool is6)
{
	size_t i, n = is6 ? rt->scope.n6 : rt->scope.n4;

	if (!x->any && (bool)x->is6 != is6)
		return 0;
	for (i = 0; i < n; i++) {
		rg_u128 lo = is6 ? rt->scope.v6[i].lo : rt->scope.v4[i].lo;
		rg_u128 hi = is6 ? rt->scope.v6[i].hi : rt->scope.v4[i].hi;

		if (!x->any) {
			if (x->hi < lo || x->lo > hi)
				continue;
			lo = x->lo > lo ? x->lo : lo;
			hi = x->hi < hi ? x->hi : hi;
		}
		if (seg_push(rt, lo, hi, ri, k) < 0)
			return -1;
	}
	return 0;
}

static int seg_cmp(const void *x, const void *y)
{
	const struct seg *a = x, *b = y;

	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

static int u128_cmp(const void *x, const void *y)
{
	rg_u128 a = *(const rg_u128 *)x, b = *(const rg_u128 *)y;

	return a < b ? -1 : a > b;
}

static int rule_seg_cmp(const void *x, const void *y)
{
	const struct rule_seg *a = x, *b = y;

	if (a->rule != b->rule)
		return a->rule < b->rule ? -1 : 1;
	return a->seg < b->seg ? -1 : a->seg > b->seg;
}

/* The contributions of the active segments, by rule, into cur. */
static int active_contribs(struct build *b, struct contrib_vec *cur)
{
	struct routed *rt = &b->rt;
	size_t i = 0, j, p;

	cur->n = 0;
	if (rt->nactive > 1)
		qsort(rt->active, rt->nactive, sizeof(*rt->active), rule_seg_cmp);
	while (i < rt->nactive) {
		const struct rg_eval_rule *r = &b->e->rules[rt->active[i].rule];
		const uint8_t *protos = r->nprotos ? r->protos : rg_proto_default;
		size_t nprotos = r->nprotos ? r->nprotos : RG_PROTO_DEFAULT_COUNT;
		const struct rg_matrix_access *a;

		acc_work_clear(&b->w);
		for (j = i; j < rt->nactive && rt->active[j].rule == rt->active[i].rule; j++) {
			const struct rg_eval_entry *x = &r->entries[rt->segs[rt->active[j].seg].entry];

			for (p = 0; p < nprotos; p++)
				if (acc_work_add_ports(&b->w, protos[p], x->ports.first, x->ports.last) < 0)
					return -1;
		}
		if (!(a = acc_pool_intern(b->pool, &b->w)))
			return -1;
		if (!acc_empty(a) && contrib_push(cur, rt->active[i].rule, a) < 0)
			return -1;
		i = j;
	}
	return 0;
}

/* Sweeps the segments of one family (sorted by lo) into pieces of router `router`. */
static int sweep(struct build *b, uint32_t router, bool is6, struct contrib_vec *cur)
{
	struct routed *rt = &b->rt;
	struct grid *g = b->g;
	const rg_u128 top = is6 ? ~(rg_u128)0 : 0xffffffffu;
	size_t i, p, k, next = 0, last = SIZE_MAX;

	rt->npts = 0;
	for (i = 0; i < rt->nsegs; i++)
		if (pt_push(rt, rt->segs[i].lo) < 0 ||
		    (rt->segs[i].hi < top && pt_push(rt, rt->segs[i].hi + 1) < 0))
			return -1;
	qsort(rt->pts, rt->npts, sizeof(*rt->pts), u128_cmp);
	rt->nactive = 0;
	for (p = 0; p < rt->npts; p++) {
		rg_u128 start = rt->pts[p], end;
		uint32_t c;

		if (p && rt->pts[p - 1] == start)
			continue;
		for (k = p + 1; k < rt->npts && rt->pts[k] == start; k++)
			;
		end = k < rt->npts ? rt->pts[k] - 1 : top;
		for (i = 0, k = 0; i < rt->nactive; i++)
			if (rt->segs[rt->active[i].seg].hi >= start)
				rt->active[k++] = rt->active[i];
		rt->nactive = k;
		for (; next < rt->nsegs && rt->segs[next].lo <= start; next++) {
			if (rg_vec_grow(&rt->active, &rt->capactive, rt->nactive, sizeof(*rt->active)) < 0)
				return -1;
			rt->active[rt->nactive++] = (struct rule_seg){ rt->segs[next].rule, (uint32_t)next };
		}
		if (!rt->nactive) {
			last = SIZE_MAX;
			continue;
		}
		if (active_contribs(b, cur) < 0)
			return -1;
		if (!cur->n) {
			last = SIZE_MAX;
			continue;
		}
		if (dst_class(b, cur, &c) < 0)
			return -1;
		if (last != SIZE_MAX && g->pieces[last].col == c && g->pieces[last].hi + 1 == start) {
			g->pieces[last].hi = end;
			continue;
		}
		if (rg_vec_grow(&g->pieces, &rt->cappieces, g->npieces, sizeof(*g->pieces)) < 0)
			return -1;
		last = g->npieces++;
		g->pieces[last] = (struct grid_piece){ start, end, router, c, is6 };
	}
	return 0;
}

/* The pieces behind router i: its received entries, clipped to what it forwards to. */
static int router_pieces(struct build *b, size_t i, struct contrib_vec *cur)
{
	const struct rg_eval_node *en = &b->e->nodes[i];
	struct routed *rt = &b->rt;
	size_t k, j;
	int fam;

	if (!en->nroutes && !en->exit_node)
		return 0;
	rg_ipset_clear(&rt->scope);
	if (en->exit_node && rg_ipset_union(&rt->scope, &b->e->internet) < 0)
		return -1;
	for (k = 0; k < en->nroutes; k++)
		if (rg_ipset_add_prefix(&rt->scope, &en->routes[k]) < 0)
			return -1;
	rg_ipset_normalize(&rt->scope);
	for (fam = 0; fam < 2; fam++) {
		rt->nsegs = 0;
		for (k = 0; k < en->nitems; k++) {
			const struct rg_eval_item *it = &en->items[k];
			const struct rg_eval_rule *r = &b->e->rules[it->rule];

			if (r->is_cap || !rule_counts(r, b->cap))
				continue;
			for (j = it->first; j < it->first + it->count; j++)
				if (clip_entry(rt, &r->entries[j], it->rule, (uint32_t)j, fam) < 0)
					return -1;
		}
		if (!rt->nsegs)
			continue;
		qsort(rt->segs, rt->nsegs, sizeof(*rt->segs), seg_cmp);
		if (sweep(b, (uint32_t)i, fam, cur) < 0)
			return -1;
	}
	return 0;
}

static int dst_classes(struct build *b)
{
	struct grid *g = b->g;
	struct contrib_vec cur = { NULL, 0, 0 };
	size_t i;
	int ret = -1;

	for (i = 0; i < g->nnodes; i++)
		if (node_contribs(b, i, &cur) < 0 || dst_class(b, &cur, &g->col_of[i]) < 0)
			goto out;
	for (i = 0; i < g->nnodes; i++)
		if (router_pieces(b, i, &cur) < 0)
			goto out;
	g->ncolc = b->dsig.n;
	ret = 0;
out:
	free(cur.v);
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
	sig_init(&b.dsig);
	rg_buf_init(&b.key, RG_BUF_DEFAULT_MAX);
	rg_ipset_init(&b.rt.scope);
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
	sig_free(&b.dsig);
	rg_buf_free(&b.key);
	rg_ipset_free(&b.rt.scope);
	free(b.rt.segs);
	free(b.rt.pts);
	free(b.rt.active);
	return ret;
}

void grid_free(struct grid *g)
{
	free(g->row_of);
	free(g->col_of);
	free(g->row_start);
	free(g->cells);
	free(g->pieces);
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

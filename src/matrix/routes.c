/* Names of routed destinations. */
#include <stdlib.h>
#include <string.h>

#include "matrix/routes.h"

void route_put_interval(struct rg_buf *b, rg_u128 lo, rg_u128 hi, bool is6)
{
	char t[RG_INTERVAL_STRLEN];

	rg_interval_format(lo, hi, is6, t);
	rg_buf_puts(b, t);
}

int route_ranges_to_set(const struct rg_matrix_range *r, size_t n, struct rg_ipset *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((r[i].is6 ? rg_ipset_add_v6(out, r[i].lo, r[i].hi)
			      : rg_ipset_add_v4(out, (uint32_t)r[i].lo, (uint32_t)r[i].hi)) < 0)
			return -1;
	rg_ipset_normalize(out);
	return 0;
}

static size_t count(const struct rg_ipset *s)
{
	return s->n4 + s->n6;
}

/* The intervals of s, comma-separated, at most ROUTE_NAME_ITEMS of them. */
static void put_items(struct rg_buf *b, const struct rg_ipset *s)
{
	size_t i, n = count(s);

	for (i = 0; i < n && i < ROUTE_NAME_ITEMS; i++) {
		if (i)
			rg_buf_puts(b, ", ");
		if (i < s->n4)
			route_put_interval(b, s->v4[i].lo, s->v4[i].hi, false);
		else
			route_put_interval(b, s->v6[i - s->n4].lo, s->v6[i - s->n4].hi, true);
	}
	if (n > ROUTE_NAME_ITEMS)
		rg_buf_printf(b, " (+%zu more)", n - ROUTE_NAME_ITEMS);
}

/* Subnet routes, broadest first (IPv4 first), so that a route inside another is named by it. */
static int prefix_order(const void *x, const void *y)
{
	const struct rg_prefix *a = x, *b = y;
	rg_u128 alo, ahi, blo, bhi;

	if (a->addr.is6 != b->addr.is6)
		return a->addr.is6 < b->addr.is6 ? -1 : 1;
	if (a->bits != b->bits)
		return a->bits < b->bits ? -1 : 1;
	rg_prefix_bounds(a, &alo, &ahi);
	rg_prefix_bounds(b, &blo, &bhi);
	return alo < blo ? -1 : alo > blo;
}

struct namer {
	struct rg_buf *b;
	const struct rg_ipset *set;
	struct rg_ipset covered, f, s, r;
	bool first;
};

/*
 * The part of the set inside unit u (less what earlier units cover): the
 * unit's name when it is all of it, else its intervals, or "NAME except
 * ..." when that is shorter.
 */
static int name_unit(struct namer *n, const struct rg_ipset *u, const char *uname)
{
	rg_ipset_clear(&n->f);
	rg_ipset_clear(&n->s);
	rg_ipset_clear(&n->r);
	if (rg_ipset_union(&n->f, u) < 0 || rg_ipset_subtract(&n->f, &n->covered) < 0 ||
	    rg_ipset_union(&n->covered, u) < 0 || rg_ipset_union(&n->s, n->set) < 0 ||
	    rg_ipset_intersect(&n->s, &n->f) < 0)
		return -1;
	if (rg_ipset_empty(&n->s))
		return 0;
	if (!n->first)
		rg_buf_puts(n->b, ", ");
	n->first = false;
	if (rg_ipset_equal(&n->s, &n->f)) {
		rg_buf_puts(n->b, uname);
		return 0;
	}
	if (rg_ipset_union(&n->r, &n->f) < 0 || rg_ipset_subtract(&n->r, &n->s) < 0)
		return -1;
	if (count(&n->s) <= count(&n->r)) {
		put_items(n->b, &n->s);
		return 0;
	}
	rg_buf_printf(n->b, "%s except ", uname);
	if (count(&n->r) > 1)
		rg_buf_putc(n->b, '(');
	put_items(n->b, &n->r);
	if (count(&n->r) > 1)
		rg_buf_putc(n->b, ')');
	return 0;
}

int route_label(struct rg_buf *b, const struct rg_ipset *set, const char *via,
		const struct rg_prefix *routes, size_t nroutes, bool exit_node,
		const struct rg_ipset *internet)
{
	struct rg_prefix *sorted = malloc((nroutes ? nroutes : 1) * sizeof(*sorted));
	struct namer n;
	struct rg_ipset one;
	struct rg_buf name;
	size_t i;
	int ret = -1;

	memset(&n, 0, sizeof(n));
	n.b = b;
	n.set = set;
	n.first = true;
	rg_ipset_init(&n.covered);
	rg_ipset_init(&n.f);
	rg_ipset_init(&n.s);
	rg_ipset_init(&n.r);
	rg_ipset_init(&one);
	rg_buf_init(&name, 0);
	if (!sorted)
		goto out;
	if (nroutes)
		memcpy(sorted, routes, nroutes * sizeof(*sorted));
	if (nroutes > 1)
		qsort(sorted, nroutes, sizeof(*sorted), prefix_order);
	if (exit_node && name_unit(&n, internet, "internet") < 0)
		goto out;
	for (i = 0; i < nroutes; i++) {
		rg_u128 lo, hi;

		if (i && prefix_order(&sorted[i - 1], &sorted[i]) == 0)
			continue;
		rg_prefix_bounds(&sorted[i], &lo, &hi);
		rg_ipset_clear(&one);
		rg_buf_reset(&name);
		route_put_interval(&name, lo, hi, sorted[i].addr.is6);
		if ((sorted[i].addr.is6 ? rg_ipset_add_v6(&one, lo, hi)
					: rg_ipset_add_v4(&one, (uint32_t)lo, (uint32_t)hi)) < 0 ||
		    rg_buf_failed(&name))
			goto out;
		rg_ipset_normalize(&one);
		if (name_unit(&n, &one, name.data) < 0)
			goto out;
	}
	/* Anything outside the router's routes (not expected): as intervals. */
	rg_ipset_clear(&n.s);
	if (rg_ipset_union(&n.s, set) < 0 || rg_ipset_subtract(&n.s, &n.covered) < 0)
		goto out;
	if (!rg_ipset_empty(&n.s)) {
		if (!n.first)
			rg_buf_puts(b, ", ");
		put_items(b, &n.s);
	}
	rg_buf_printf(b, " via %s", via);
	ret = rg_buf_failed(b) ? -1 : 0;
out:
	free(sorted);
	rg_ipset_free(&n.covered);
	rg_ipset_free(&n.f);
	rg_ipset_free(&n.s);
	rg_ipset_free(&n.r);
	rg_ipset_free(&one);
	rg_buf_free(&name);
	return ret;
}

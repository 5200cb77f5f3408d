/*
 * Routed destinations: naming a set of addresses behind a router the way a
 * reader thinks of it, against the router's own routes ("10.33.0.0/16",
 * "internet", "internet except 8.8.8.0/24", "10.33.1.5, 10.33.2.0/24"),
 * and the address intervals these names are made of.
 */
#ifndef RG_MATRIX_ROUTES_H
#define RG_MATRIX_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

#include "relaygate/ipset.h"
#include "relaygate/matrix.h"
#include "util/buf.h"

/* Address intervals listed before "(+N more)" in a name. */
#define ROUTE_NAME_ITEMS 6

/* One interval as Tailscale writes it: "a", "a/n" or "a-b". */
void route_put_interval(struct rg_buf *b, rg_u128 lo, rg_u128 hi, bool is6);

/* The ranges as a set (appended to out, then normalized). */
int route_ranges_to_set(const struct rg_matrix_range *r, size_t n, struct rg_ipset *out);

/*
 * "ADDRESSES via ROUTER": set (addresses behind router `via`) named against
 * the router's approved subnet routes and, for an exit node, the internet.
 * internet is autogroup:internet (rg_eval_add_internet). -1: out of memory.
 */
int route_label(struct rg_buf *b, const struct rg_ipset *set, const char *via,
		const struct rg_prefix *routes, size_t nroutes, bool exit_node,
		const struct rg_ipset *internet);

#endif

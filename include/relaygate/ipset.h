/*
 * Sets of IP addresses as sorted, disjoint, non-adjacent intervals, one
 * list per family. All operations are linear in the number of intervals;
 * nothing is ever done per address.
 *
 * Ownership: a set owns its arrays; rg_ipset_free releases them (the
 * struct itself is the caller's). Operations that fail (out of memory)
 * return -1 and leave the output in a valid but unspecified state.
 */
#ifndef RELAYGATE_IPSET_H
#define RELAYGATE_IPSET_H

#include <stdbool.h>
#include <stddef.h>

#include "relaygate/netaddr.h"

struct rg_iv4 {
	uint32_t lo, hi;
};

struct rg_iv6 {
	rg_u128 lo, hi;
};

struct rg_ipset {
	struct rg_iv4 *v4;
	size_t n4, cap4;
	struct rg_iv6 *v6;
	size_t n6, cap6;
	bool dirty;   /* appended to since the last normalize */
};

void rg_ipset_init(struct rg_ipset *s);
void rg_ipset_free(struct rg_ipset *s);
void rg_ipset_clear(struct rg_ipset *s);
int rg_ipset_copy(struct rg_ipset *dst, const struct rg_ipset *src);

/* Appending is cheap; call rg_ipset_normalize before reading. */
int rg_ipset_add_range(struct rg_ipset *s, const struct rg_addr *lo, const struct rg_addr *hi);
int rg_ipset_add_prefix(struct rg_ipset *s, const struct rg_prefix *p);
int rg_ipset_add_addr(struct rg_ipset *s, const struct rg_addr *a);
int rg_ipset_add_v4(struct rg_ipset *s, uint32_t lo, uint32_t hi);
int rg_ipset_add_v6(struct rg_ipset *s, rg_u128 lo, rg_u128 hi);
/* Sorts and merges; idempotent. */
void rg_ipset_normalize(struct rg_ipset *s);

/* dst = dst ∪ src, dst ∩ src, dst \ src (both normalized). */
int rg_ipset_union(struct rg_ipset *dst, const struct rg_ipset *src);
int rg_ipset_intersect(struct rg_ipset *dst, const struct rg_ipset *src);
int rg_ipset_subtract(struct rg_ipset *dst, const struct rg_ipset *src);

bool rg_ipset_empty(const struct rg_ipset *s);
bool rg_ipset_contains(const struct rg_ipset *s, const struct rg_addr *a);
bool rg_ipset_overlaps(const struct rg_ipset *a, const struct rg_ipset *b);
/* Whether every address of sub is in s. */
bool rg_ipset_covers(const struct rg_ipset *s, const struct rg_ipset *sub);
bool rg_ipset_equal(const struct rg_ipset *a, const struct rg_ipset *b);
bool rg_ipset_overlaps_prefix(const struct rg_ipset *s, const struct rg_prefix *p);

/*
 * Calls fn for the minimal list of CIDR prefixes covering the set exactly,
 * in address order (IPv4 first). Stops and returns fn's value if non-zero.
 */
int rg_ipset_each_prefix(const struct rg_ipset *s,
			 int (*fn)(const struct rg_prefix *p, void *arg), void *arg);

#endif

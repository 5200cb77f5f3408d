/*
 * Access sets (what a cell grants) and the pool that interns them, so
 * that equal accesses share one pointer and compare by address.
 *
 * A work set is scratch: add ports and capabilities in any order, combine
 * interned accesses into it, then intern it. Ownership: the pool owns the
 * interned accesses and their strings; work sets own their arrays and
 * borrow capability names until interned (the pool copies them).
 */
#ifndef RG_MATRIX_ACCESS_H
#define RG_MATRIX_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

#include "relaygate/matrix.h"
#include "util/arena.h"
#include "util/map.h"

struct acc_work {
	struct rg_matrix_ports *p;
	size_t n, cap;
	const char **caps;
	size_t ncaps, capcaps;
};

struct acc_pool {
	struct rg_arena arena;
	struct rg_map accs;    /* canonical bytes -> struct rg_matrix_access* */
	struct rg_map names;   /* capability name -> pool copy */
	struct rg_matrix_access empty;
};

void acc_work_init(struct acc_work *w);
void acc_work_free(struct acc_work *w);
void acc_work_clear(struct acc_work *w);
int acc_work_add_ports(struct acc_work *w, uint8_t proto, uint16_t first, uint16_t last);
int acc_work_add_cap(struct acc_work *w, const char *name);
/* w ∪= a */
int acc_work_add(struct acc_work *w, const struct rg_matrix_access *a);

/* out = a ∩ b, a \ b (out is cleared first). */
int acc_intersect(const struct rg_matrix_access *a, const struct rg_matrix_access *b,
		  struct acc_work *out);
int acc_subtract(const struct rg_matrix_access *a, const struct rg_matrix_access *b,
		 struct acc_work *out);

static inline bool acc_empty(const struct rg_matrix_access *a)
{
	return !a || (a->nports == 0 && a->ncaps == 0);
}

void acc_pool_init(struct acc_pool *pool);
void acc_pool_free(struct acc_pool *pool);
/* The interned copy of w (normalizing w); &pool->empty when w is empty; NULL when out of memory. */
const struct rg_matrix_access *acc_pool_intern(struct acc_pool *pool, struct acc_work *w);
/* A copy of string s owned by the pool (interned). */
const char *acc_pool_str(struct acc_pool *pool, const char *s);

#endif

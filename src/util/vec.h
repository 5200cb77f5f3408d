/*
 * Growable arrays: the growth step shared by every (array, count, capacity)
 * triple, and a vector of uint32_t (indices).
 */
#ifndef RG_UTIL_VEC_H
#define RG_UTIL_VEC_H

#include <stddef.h>
#include <stdint.h>

/*
 * Makes room for one more element in the array *arrayp (any T **) that
 * holds n elements of elem bytes in *cap slots: doubles the capacity
 * (from 8) when full. Returns 0, or -1 (array unchanged) when out of memory.
 */
int rg_vec_grow(void *arrayp, size_t *cap, size_t n, size_t elem);

struct rg_u32vec {
	uint32_t *v;
	size_t n, cap;
};

int rg_u32vec_push(struct rg_u32vec *v, uint32_t x);
void rg_u32vec_free(struct rg_u32vec *v);

#endif

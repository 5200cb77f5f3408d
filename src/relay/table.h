/*
 * Fixed-capacity building blocks of the relay server, sized once at
 * creation so that lookups never allocate.
 *
 * rg_relay_index: linear-probing hash index from a 32-bit hash to entry
 * numbers (1-based; 0 = empty), at most half full, with backward-shift
 * deletion (no tombstones). Callers compare their keys themselves:
 *     for (e = rg_relay_index_first(x, h, &pos); e; e = rg_relay_index_next(x, h, &pos))
 *
 * rg_relay_pool: pointer slots numbered 1..cap with a free list.
 */
#ifndef RG_RELAY_TABLE_H
#define RG_RELAY_TABLE_H

#include <stdint.h>

struct rg_relay_index_slot {
	uint32_t hash;
	uint32_t ent;
};

struct rg_relay_index {
	struct rg_relay_index_slot *slots;
	uint32_t mask;
	uint32_t count;
	uint32_t limit;
};

int rg_relay_index_init(struct rg_relay_index *x, uint32_t max_entries);
void rg_relay_index_free(struct rg_relay_index *x);
uint32_t rg_relay_index_first(const struct rg_relay_index *x, uint32_t hash, uint32_t *pos);
uint32_t rg_relay_index_next(const struct rg_relay_index *x, uint32_t hash, uint32_t *pos);
/* -1 when max_entries are present. */
int rg_relay_index_add(struct rg_relay_index *x, uint32_t hash, uint32_t ent);
void rg_relay_index_del(struct rg_relay_index *x, uint32_t hash, uint32_t ent);

struct rg_relay_pool {
	void **items;    /* items[1..cap] */
	uint32_t *free;  /* stack of free slot numbers */
	uint32_t nfree;
	uint32_t cap;
};

int rg_relay_pool_init(struct rg_relay_pool *p, uint32_t cap);
void rg_relay_pool_free(struct rg_relay_pool *p);
/* Stores item in a free slot; returns its number, 0 when full. */
uint32_t rg_relay_pool_put(struct rg_relay_pool *p, void *item);
void rg_relay_pool_del(struct rg_relay_pool *p, uint32_t slot);
static inline void *rg_relay_pool_get(const struct rg_relay_pool *p, uint32_t slot)
{
	return slot && slot <= p->cap ? p->items[slot] : 0;
}
static inline uint32_t rg_relay_pool_count(const struct rg_relay_pool *p)
{
	return p->cap - p->nfree;
}

#endif

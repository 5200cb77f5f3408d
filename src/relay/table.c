/* Fixed-capacity hash index and slot pool. */
#include <stdlib.h>

#include "relay/table.h"

int rg_relay_index_init(struct rg_relay_index *x, uint32_t max_entries)
{
	uint32_t cap = 8;

	while (cap / 2 < max_entries) {
		if (cap > (UINT32_MAX >> 2))
			return -1;
		cap <<= 1;
	}
	x->slots = calloc(cap, sizeof(*x->slots));
	if (!x->slots)
		return -1;
	x->mask = cap - 1;
	x->count = 0;
	x->limit = max_entries;
	return 0;
}

void rg_relay_index_free(struct rg_relay_index *x)
{
	free(x->slots);
	x->slots = NULL;
}

/* Scans from *pos for the next entry with this hash; stops at an empty slot,
 * which exists because the index is at most half full. */
static uint32_t scan(const struct rg_relay_index *x, uint32_t hash, uint32_t *pos)
{
	for (uint32_t n = 0; n <= x->mask; n++) {
		const struct rg_relay_index_slot *s = &x->slots[*pos];

		if (!s->ent)
			return 0;
		*pos = (*pos + 1) & x->mask;
		if (s->hash == hash)
			return s->ent;
	}
	return 0;
}

uint32_t rg_relay_index_first(const struct rg_relay_index *x, uint32_t hash, uint32_t *pos)
{
	*pos = hash & x->mask;
	return scan(x, hash, pos);
}

uint32_t rg_relay_index_next(const struct rg_relay_index *x, uint32_t hash, uint32_t *pos)
{
	return scan(x, hash, pos);
}

int rg_relay_index_add(struct rg_relay_index *x, uint32_t hash, uint32_t ent)
{
	uint32_t i = hash & x->mask;

	if (x->count >= x->limit || !ent)
		return -1;
	while (x->slots[i].ent)
		i = (i + 1) & x->mask;
	x->slots[i].hash = hash;
	x->slots[i].ent = ent;
	x->count++;
	return 0;
}

void rg_relay_index_del(struct rg_relay_index *x, uint32_t hash, uint32_t ent)
{
	uint32_t i = hash & x->mask, j;

	for (uint32_t n = 0;; n++) {
		if (n > x->mask || !x->slots[i].ent)
			return; /* not present */
		if (x->slots[i].ent == ent)
			break;
		i = (i + 1) & x->mask;
	}
	/* Backward shift: pull later members of the probe run into the hole
	 * unless their home slot lies cyclically in (hole, j]. */
	j = i;
	for (;;) {
		uint32_t home;

		j = (j + 1) & x->mask;
		if (!x->slots[j].ent)
			break;
		home = x->slots[j].hash & x->mask;
		if (((j - home) & x->mask) >= ((j - i) & x->mask)) {
			x->slots[i] = x->slots[j];
			i = j;
		}
	}
	x->slots[i].ent = 0;
	x->slots[i].hash = 0;
	x->count--;
}

int rg_relay_pool_init(struct rg_relay_pool *p, uint32_t cap)
{
	p->items = calloc((size_t)cap + 1, sizeof(*p->items));
	p->free = calloc(cap ? cap : 1, sizeof(*p->free));
	p->cap = cap;
	p->nfree = 0;
	if (!p->items || !p->free) {
		rg_relay_pool_free(p);
		return -1;
	}
	/* Lowest numbers on top of the stack. */
	for (uint32_t s = cap; s >= 1; s--)
		p->free[p->nfree++] = s;
	return 0;
}

void rg_relay_pool_free(struct rg_relay_pool *p)
{
	free(p->items);
	free(p->free);
	p->items = NULL;
	p->free = NULL;
	p->cap = p->nfree = 0;
}

uint32_t rg_relay_pool_put(struct rg_relay_pool *p, void *item)
{
	uint32_t s;

	if (!p->nfree)
		return 0;
	s = p->free[--p->nfree];
	p->items[s] = item;
	return s;
}

void rg_relay_pool_del(struct rg_relay_pool *p, uint32_t slot)
{
	if (!slot || slot > p->cap || !p->items[slot])
		return;
	p->items[slot] = NULL;
	p->free[p->nfree++] = slot;
}

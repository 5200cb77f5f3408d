/*
 * Open-addressing hash map from byte strings to pointers.
 *
 * Keys are not copied: the caller keeps them alive as long as the map (they
 * usually live in an arena or in the source buffer). The hash is seeded per
 * process so crafted keys cannot force collisions (jansson CVE-2013-6401).
 * Never iterate a map to produce output: iteration order is not stable.
 */
#ifndef RG_UTIL_MAP_H
#define RG_UTIL_MAP_H

#include <stddef.h>
#include <stdint.h>

struct rg_map_slot {
	const char *key;
	size_t klen;
	uint64_t hash;
	void *val;
};

struct rg_map {
	struct rg_map_slot *slots;
	size_t cap;   /* power of two, or 0 */
	size_t count;
};

uint64_t rg_hash_bytes(const void *p, size_t n);

void rg_map_init(struct rg_map *m);
void rg_map_free(struct rg_map *m);
/* Returns the value stored under key, or NULL. */
void *rg_map_get(const struct rg_map *m, const char *key, size_t klen);
/* Inserts or replaces; *old (if non-NULL) receives the replaced value. */
int rg_map_put(struct rg_map *m, const char *key, size_t klen, void *val, void **old);
/* Iteration: start with *i = 0; returns NULL when done. */
struct rg_map_slot *rg_map_next(const struct rg_map *m, size_t *i);

#endif

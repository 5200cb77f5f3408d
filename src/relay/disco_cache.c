/* Set-associative cache of precomputed NaCl box keys. */
#include <string.h>

#include <sodium.h>

#include "relaygate/disco_cache.h"
#include "util/map.h"

struct entry {
	struct rg_disco_key peer;
	struct rg_disco_shared shared;
	uint64_t last_used; /* 0 = empty */
};

struct rg_disco_cache {
	struct rg_disco_private priv;
	struct rg_disco_key pub;
	struct rg_disco_cache_stats stats;
	uint64_t clock;
	size_t mask;
	size_t size; /* bytes, for sodium_free */
	struct entry entries[];
};

struct rg_disco_cache *rg_disco_cache_new(const struct rg_disco_private *priv, size_t capacity)
{
	struct rg_disco_cache *c;
	size_t cap = RG_DISCO_CACHE_WAYS, size;

	if (sodium_init() < 0)
		return NULL;
	while (cap < capacity && cap < ((size_t)1 << 24))
		cap <<= 1;
	/* sodium_malloc puts the end on a page boundary: keep the start aligned. */
	size = (sizeof(*c) + cap * sizeof(struct entry) + 15) & ~(size_t)15;
	c = sodium_malloc(size);
	if (!c)
		return NULL;
	memset(c, 0, size);
	c->size = size;
	c->mask = cap - 1;
	c->priv = *priv;
	if (rg_disco_private_public(priv, &c->pub) < 0) {
		sodium_free(c);
		return NULL;
	}
	return c;
}

void rg_disco_cache_free(struct rg_disco_cache *c)
{
	if (c)
		sodium_free(c); /* wipes */
}

const struct rg_disco_key *rg_disco_cache_public(const struct rg_disco_cache *c)
{
	return &c->pub;
}

const struct rg_disco_cache_stats *rg_disco_cache_stats(const struct rg_disco_cache *c)
{
	return &c->stats;
}

void rg_disco_cache_clear(struct rg_disco_cache *c)
{
	sodium_memzero(c->entries, (c->mask + 1) * sizeof(struct entry));
}

int rg_disco_cache_get(struct rg_disco_cache *c, const struct rg_disco_key *peer,
		       struct rg_disco_shared *out)
{
	size_t home = (size_t)rg_hash_bytes(peer->b, sizeof(peer->b)) & c->mask;
	struct entry *victim = NULL;

	c->clock++;
	for (size_t w = 0; w < RG_DISCO_CACHE_WAYS; w++) {
		struct entry *e = &c->entries[(home + w) & c->mask];

		if (e->last_used && rg_disco_key_equal(&e->peer, peer)) {
			e->last_used = c->clock;
			*out = e->shared;
			c->stats.hits++;
			return 0;
		}
		if (!victim || e->last_used < victim->last_used)
			victim = e;
	}
	c->stats.computations++;
	if (rg_disco_shared_compute(&c->priv, peer, out) < 0) {
		c->stats.failures++;
		return -1;
	}
	if (victim->last_used)
		c->stats.evictions++;
	victim->peer = *peer;
	victim->shared = *out;
	victim->last_used = c->clock;
	return 0;
}

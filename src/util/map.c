#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "util/map.h"

static uint64_t hash_seed;

static uint64_t seed_get(void)
{
	if (!hash_seed) {
		uint64_t s = 0;

		if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != (ssize_t)sizeof(s))
			s = (uint64_t)(uintptr_t)&s ^ 0x9e3779b97f4a7c15ULL;
		hash_seed = s | 1;
	}
	return hash_seed;
}

static inline uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

uint64_t rg_hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = seed_get() ^ (n * 0x9e3779b97f4a7c15ULL);

	while (n >= 8) {
		uint64_t w;

		memcpy(&w, s, 8);
		h = mix(h ^ w) + 0x9e3779b97f4a7c15ULL;
		s += 8;
		n -= 8;
	}
	if (n) {
		uint64_t w = 0;

		memcpy(&w, s, n);
		h = mix(h ^ w ^ ((uint64_t)n << 56));
	}
	return mix(h);
}

void rg_map_init(struct rg_map *m)
{
	m->slots = NULL;
	m->cap = 0;
	m->count = 0;
}

void rg_map_free(struct rg_map *m)
{
	free(m->slots);
	rg_map_init(m);
}

static struct rg_map_slot *find(const struct rg_map *m, const char *key, size_t klen, uint64_t h)
{
	size_t mask = m->cap - 1, i = (size_t)h & mask;

	for (;;) {
		struct rg_map_slot *s = &m->slots[i];

		if (!s->key)
			return s;
		if (s->hash == h && s->klen == klen && memcmp(s->key, key, klen) == 0)
			return s;
		i = (i + 1) & mask;
	}
}

void *rg_map_get(const struct rg_map *m, const char *key, size_t klen)
{
	struct rg_map_slot *s;

	if (!m->cap)
		return NULL;
	s = find(m, key, klen, rg_hash_bytes(key, klen));
	return s->key ? s->val : NULL;
}

static int grow(struct rg_map *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 16, i;
	struct rg_map_slot *old = m->slots, *ns;
	size_t ocap = m->cap;

	ns = calloc(ncap, sizeof(*ns));
	if (!ns)
		return -1;
	m->slots = ns;
	m->cap = ncap;
	for (i = 0; i < ocap; i++)
		if (old[i].key)
			*find(m, old[i].key, old[i].klen, old[i].hash) = old[i];
	free(old);
	return 0;
}

int rg_map_put(struct rg_map *m, const char *key, size_t klen, void *val, void **old)
{
	uint64_t h;
	struct rg_map_slot *s;

	if (old)
		*old = NULL;
	if ((m->count + 1) * 4 > m->cap * 3 && grow(m) < 0)
		return -1;
	h = rg_hash_bytes(key, klen);
	s = find(m, key, klen, h);
	if (s->key) {
		if (old)
			*old = s->val;
		s->val = val;
		return 0;
	}
	s->key = key;
	s->klen = klen;
	s->hash = h;
	s->val = val;
	m->count++;
	return 0;
}

struct rg_map_slot *rg_map_next(const struct rg_map *m, size_t *i)
{
	while (*i < m->cap) {
		struct rg_map_slot *s = &m->slots[(*i)++];

		if (s->key)
			return s;
	}
	return NULL;
}

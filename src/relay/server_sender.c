/*
 * Requester records: per-requester quota counters and the memory of recent
 * allocation generations. Pinned while the requester has endpoints; idle
 * ones are evicted least recently used when the table is full.
 */
#include <stdlib.h>

#include "relay/server_internal.h"
#include "util/map.h"

static uint32_t sender_hash(const struct rg_disco_key *k)
{
	return (uint32_t)rg_hash_bytes(k->b, sizeof(k->b));
}

struct rg_relay_sender *rg_relay_sender_find(const struct rg_relay_server *s,
					     const struct rg_disco_key *k)
{
	uint32_t h = sender_hash(k), pos, e;

	for (e = rg_relay_index_first(&s->by_sender, h, &pos); e;
	     e = rg_relay_index_next(&s->by_sender, h, &pos)) {
		struct rg_relay_sender *r = rg_relay_pool_get(&s->senders, e);

		if (r && rg_disco_key_equal(&r->key, k))
			return r;
	}
	return NULL;
}

/* Frees the least recently used record without endpoints; false if none. */
static bool evict_idle(struct rg_relay_server *s)
{
	struct rg_relay_sender *victim = NULL;

	for (uint32_t i = 1; i <= s->senders.cap; i++) {
		struct rg_relay_sender *r = rg_relay_pool_get(&s->senders, i);

		if (r && r->n_endpoints == 0 && (!victim || r->last_used < victim->last_used))
			victim = r;
	}
	if (!victim)
		return false;
	rg_relay_index_del(&s->by_sender, victim->hash, victim->slot);
	rg_relay_pool_del(&s->senders, victim->slot);
	free(victim);
	return true;
}

struct rg_relay_sender *rg_relay_sender_get(struct rg_relay_server *s,
					    const struct rg_disco_key *k, int64_t now)
{
	struct rg_relay_sender *r = rg_relay_sender_find(s, k);

	if (r) {
		r->last_used = now;
		return r;
	}
	if (s->senders.nfree == 0 && !evict_idle(s))
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->key = *k;
	r->hash = sender_hash(k);
	r->last_used = now;
	r->slot = rg_relay_pool_put(&s->senders, r);
	if (!r->slot || rg_relay_index_add(&s->by_sender, r->hash, r->slot) < 0) {
		rg_relay_pool_del(&s->senders, r->slot);
		free(r);
		return NULL;
	}
	return r;
}

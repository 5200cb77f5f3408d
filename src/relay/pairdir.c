/*
 * Pair directory (relay_pairdir.h): sorted client pair -> the server
 * holding its endpoint, shared by the servers sharding one relay.
 *
 * A linear-probing index (relay/table.h) over a fixed array of entries with
 * a free stack, all sized at creation: adding and removing never allocate.
 * One mutex guards everything; the servers take it on the allocation path
 * and when they close an endpoint (see server_alloc.c for the invariant),
 * never on the forwarding path.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "relay/server_internal.h"
#include "util/map.h"

struct rg_relay_pairdir {
	pthread_mutex_t mu;
	struct rg_relay_index index;          /* pair hash -> entry number */
	struct rg_relay_pairdir_entry *ents;  /* ents[1..cap] */
	uint32_t *free;                       /* stack of free entry numbers */
	uint32_t nfree;
	uint32_t cap;
};

struct rg_relay_pairdir *rg_relay_pairdir_new(uint32_t capacity, struct rg_err *err)
{
	struct rg_relay_pairdir *d;

	if (capacity < 1 || capacity > (1u << 25)) {
		rg_err_set(err, "relay: pair directory capacity must lie within 1..%u", 1u << 25);
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		rg_err_set(err, "relay: out of memory");
		return NULL;
	}
	d->cap = capacity;
	d->ents = calloc((size_t)capacity + 1, sizeof(*d->ents));
	d->free = calloc(capacity, sizeof(*d->free));
	if (!d->ents || !d->free || rg_relay_index_init(&d->index, capacity) < 0) {
		free(d->ents);
		free(d->free);
		free(d);
		rg_err_set(err, "relay: out of memory");
		return NULL;
	}
	/* Pop order 1, 2, ...: entries fill the array from the front. */
	for (uint32_t i = 0; i < capacity; i++)
		d->free[i] = capacity - i;
	d->nfree = capacity;
	pthread_mutex_init(&d->mu, NULL);
	return d;
}

void rg_relay_pairdir_free(struct rg_relay_pairdir *d)
{
	if (!d)
		return;
	pthread_mutex_destroy(&d->mu);
	rg_relay_index_free(&d->index);
	free(d->ents);
	free(d->free);
	free(d);
}

size_t rg_relay_pairdir_count(struct rg_relay_pairdir *d)
{
	size_t n;

	pthread_mutex_lock(&d->mu);
	n = d->cap - d->nfree;
	pthread_mutex_unlock(&d->mu);
	return n;
}

void rg_relay_pairdir_lock(struct rg_relay_pairdir *d)
{
	pthread_mutex_lock(&d->mu);
}

void rg_relay_pairdir_unlock(struct rg_relay_pairdir *d)
{
	pthread_mutex_unlock(&d->mu);
}

/* Keyed per process (rg_hash_bytes): requesters choose their peer key
 * freely, so they must not be able to aim pairs at one probe sequence. */
static uint32_t hash_pair(const struct rg_disco_key c[2])
{
	uint8_t both[2 * RG_DISCO_KEY_LEN];

	memcpy(both, c[0].b, RG_DISCO_KEY_LEN);
	memcpy(both + RG_DISCO_KEY_LEN, c[1].b, RG_DISCO_KEY_LEN);
	return (uint32_t)rg_hash_bytes(both, sizeof(both));
}

static uint32_t find(const struct rg_relay_pairdir *d, const struct rg_disco_key c[2],
		     uint32_t h)
{
	uint32_t pos, e;

	for (e = rg_relay_index_first(&d->index, h, &pos); e;
	     e = rg_relay_index_next(&d->index, h, &pos)) {
		const struct rg_relay_pairdir_entry *x = &d->ents[e];

		if (rg_disco_key_equal(&x->client[0], &c[0]) &&
		    rg_disco_key_equal(&x->client[1], &c[1]))
			return e;
	}
	return 0;
}

const struct rg_relay_pairdir_entry *rg_relay_pairdir_find(const struct rg_relay_pairdir *d,
							   const struct rg_disco_key c[2])
{
	uint32_t e = find(d, c, hash_pair(c));

	return e ? &d->ents[e] : NULL;
}

int rg_relay_pairdir_add(struct rg_relay_pairdir *d, const struct rg_relay_pairdir_entry *x)
{
	uint32_t h = hash_pair(x->client), e;

	if (d->nfree == 0 || find(d, x->client, h))
		return -1;
	e = d->free[d->nfree - 1];
	if (rg_relay_index_add(&d->index, h, e) < 0)
		return -1;
	d->nfree--;
	d->ents[e] = *x;
	return 0;
}

void rg_relay_pairdir_del(struct rg_relay_pairdir *d, const struct rg_disco_key c[2],
			  const void *owner, uint32_t vni)
{
	uint32_t h = hash_pair(c), e = find(d, c, h);

	if (!e || d->ents[e].owner != owner || d->ents[e].vni != vni)
		return;
	rg_relay_index_del(&d->index, h, e);
	memset(&d->ents[e], 0, sizeof(d->ents[e]));
	d->free[d->nfree++] = e;
}

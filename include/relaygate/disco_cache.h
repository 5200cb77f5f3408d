/*
 * Shared-key cache: NaCl box keys precomputed for one local private key and
 * many peers, so that steady-state opens never run X25519 (one X25519 costs
 * ~70x an afternm open; see reliability.md §7.0).
 *
 * Bounded and set-associative: a peer lives in one of RG_DISCO_CACHE_WAYS
 * slots after its (seeded) hash; a miss evicts the least recently used of
 * those. Callers must gate lookups on an authorization check (is the peer
 * known?) so that unknown keys never reach key agreement or evict entries.
 *
 * Ownership: the cache copies the private key and keeps it and the shared
 * keys in sodium_malloc'd memory, wiped by rg_disco_cache_free (NULL ok).
 * Not thread-safe.
 */
#ifndef RELAYGATE_DISCO_CACHE_H
#define RELAYGATE_DISCO_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "relaygate/disco_key.h"

#define RG_DISCO_CACHE_WAYS 8

struct rg_disco_cache;

struct rg_disco_cache_stats {
	uint64_t hits;
	uint64_t computations; /* X25519 runs (successful or not) */
	uint64_t failures;     /* weak key or crypto_box_beforenm refused */
	uint64_t evictions;
};

/* capacity is rounded up to a power of two, at least RG_DISCO_CACHE_WAYS. */
struct rg_disco_cache *rg_disco_cache_new(const struct rg_disco_private *priv, size_t capacity);
void rg_disco_cache_free(struct rg_disco_cache *c);
/* The local public key. */
const struct rg_disco_key *rg_disco_cache_public(const struct rg_disco_cache *c);
/*
 * Copies the shared key for peer into *out, computing and caching it on a
 * miss. -1 for a weak peer key or a libsodium refusal (nothing cached, *out
 * zeroed). The caller wipes *out when done.
 */
int rg_disco_cache_get(struct rg_disco_cache *c, const struct rg_disco_key *peer,
		       struct rg_disco_shared *out);
/* Drops every entry (e.g. after the authorization table changed). */
void rg_disco_cache_clear(struct rg_disco_cache *c);
const struct rg_disco_cache_stats *rg_disco_cache_stats(const struct rg_disco_cache *c);

#endif

/*
 * Pair directory: which server holds the endpoint of each client pair, when
 * several rg_relay_server objects shard one relay (relay_steer.h).
 *
 * Allocation requests are steered by the requester's key, so the two
 * clients of a pair may reach two different servers. Servers given the same
 * directory (rg_relay_config.pairdir) consult it when they hold no endpoint
 * for a requested pair: if another server holds one, the request is
 * answered with that endpoint (same VNI and LamportID) instead of creating a
 * second one, so a relay keeps at most one endpoint per sorted pair, as
 * Tailscale's server does.
 *
 * The directory is a fixed-capacity hash map from the sorted pair of disco
 * keys to {owning server, VNI, LamportID}, allocated once by
 * rg_relay_pairdir_new() and protected by one mutex. It is used on the
 * allocation path and when endpoints close, never on the forwarding or
 * handshake paths, which stay lock-free.
 *
 * Servers sharing a directory answer with each other's endpoints using
 * their own ServerDisco, addresses and lifetimes, so they must share those:
 * rg_relay_server_new() requires fixed_server_disco with a directory.
 *
 * Threads: any. The directory must outlive every server using it.
 * rg_relay_pairdir_free(NULL) is a no-op.
 */
#ifndef RELAYGATE_RELAY_PAIRDIR_H
#define RELAYGATE_RELAY_PAIRDIR_H

#include <stddef.h>
#include <stdint.h>

#include "relaygate/err.h"

struct rg_relay_pairdir;

/* Room for capacity pairs (1..2^25): at least the sum of the max_endpoints
 * of the servers sharing it, so that it never refuses an endpoint they
 * have room for (a full directory refuses with RG_RELAY_DROP_QUOTA_GLOBAL). */
struct rg_relay_pairdir *rg_relay_pairdir_new(uint32_t capacity, struct rg_err *err);
void rg_relay_pairdir_free(struct rg_relay_pairdir *d);
/* Pairs recorded (takes the lock). */
size_t rg_relay_pairdir_count(struct rg_relay_pairdir *d);

#endif

/*
 * Compiling the relay authorization table (the producer side of
 * relaygate/table.h): from an evaluated policy to signed table bytes.
 *
 * Relays are the nodes that receive a capability rule carrying
 * tailscale.com/cap/relay; a relay admits exactly the nodes for which
 * rg_eval_node_has_cap(e, relay, node, RG_CAP_RELAY) holds. Requesters are
 * indexed by their disco key: nodes without a usable one (none, all-zero or
 * of small order) cannot be authorized and are only counted.
 *
 * Ownership: *out is the caller's (free()).
 */
#ifndef RELAYGATE_TABLE_BUILD_H
#define RELAYGATE_TABLE_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "relaygate/err.h"
#include "relaygate/eval.h"
#include "relaygate/sign_key.h"

#define RG_TABLE_DIGEST_LEN 32

struct rg_table_build_opts {
	uint64_t serial;
	int64_t created;                             /* unix seconds */
	uint8_t policy_digest[RG_TABLE_DIGEST_LEN];
	uint8_t inventory_digest[RG_TABLE_DIGEST_LEN];
	const struct rg_sign_key *key;
};

struct rg_table_build_stats {
	uint32_t nrelays;
	uint32_t nclasses;        /* distinct allowed sets among the relays */
	uint32_t nnodes;          /* nodes indexed by disco key */
	uint32_t unkeyed;         /* nodes without a usable disco key */
	uint32_t unkeyed_allowed; /* ... of which the policy allows on some relay */
	uint64_t allowed_pairs;   /* (relay, keyed node) pairs allowed */
};

/*
 * Builds and signs a table. Fails (with a reason) when two nodes share a
 * disco key or the table would exceed the format's limits.
 */
int rg_table_build(const struct rg_eval *e, const struct rg_table_build_opts *o, uint8_t **out,
		   size_t *len, struct rg_table_build_stats *st, struct rg_err *err);

/* BLAKE2b-256 (libsodium crypto_generichash), as recorded for the inputs. */
void rg_table_digest(const void *data, size_t len, uint8_t out[RG_TABLE_DIGEST_LEN]);

#endif

/*
 * The compiled relay authorization table (the daemon's only view of policy).
 *
 * For every relay node (a node some grant gives tailscale.com/cap/relay on),
 * the set of nodes allowed to allocate relay endpoints on it, keyed by their
 * disco keys, plus node names for logs, the digests of the policy and the
 * inventory it was built from, its serial and creation time, and an Ed25519
 * signature over everything before it. The format is in docs/table-format.md.
 *
 * Consumer API (this block is the contract relaygated is written against):
 * a table is opened from a file (mapped read-only), every offset and count is
 * checked, and the signature is verified against one of the trusted keys
 * before any lookup is exposed. Lookups allocate nothing and take constant
 * time: one hash and one key comparison (a perfect hash, docs/table-format.md).
 *
 * Ownership: rg_table_open returns a table the caller closes with
 * rg_table_close (NULL is a no-op). Strings returned by accessors point into
 * the mapping and live as long as the table.
 */
#ifndef RELAYGATE_TABLE_H
#define RELAYGATE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relaygate/err.h"

#define RG_TABLE_NONE UINT32_MAX
#define RG_TABLE_KEY_LEN 32        /* disco keys and Ed25519 public keys */

struct rg_table;

struct rg_table_trust {
	const uint8_t (*keys)[RG_TABLE_KEY_LEN]; /* trusted Ed25519 public keys */
	size_t nkeys;                            /* 0: do not verify (table show only) */
	uint64_t min_serial;                     /* refuse a lower serial (rollback) */
	uint64_t max_age;                        /* seconds; 0 = no limit */
	int64_t now;                             /* unix seconds; 0 = time(NULL) */
};

struct rg_table_info {
	uint32_t version;
	uint64_t serial;
	int64_t created;                         /* unix seconds */
	uint8_t policy_digest[32];               /* BLAKE2b-256 of the policy bytes */
	uint8_t inventory_digest[32];            /* BLAKE2b-256 of the inventory bytes */
	uint8_t signer[RG_TABLE_KEY_LEN];        /* the signing public key */
	uint8_t digest[32];                      /* BLAKE2b-256 of the signature: names
						  * this table (the signature covers
						  * every other byte) */
	bool verified;                           /* signature checked against a trusted key */
	uint32_t nrelays;
	uint32_t nnodes;
};

/* Opens, checks and (with trust->nkeys) verifies a table. */
int rg_table_open(const char *path, const struct rg_table_trust *trust, struct rg_table **out,
		  struct rg_err *err);
/* Same over bytes the caller keeps alive as long as the table. */
int rg_table_open_mem(const void *data, size_t len, const struct rg_table_trust *trust,
		      struct rg_table **out, struct rg_err *err);
void rg_table_close(struct rg_table *t);
void rg_table_get_info(const struct rg_table *t, struct rg_table_info *out);

/* The relay with that node name, or RG_TABLE_NONE. */
uint32_t rg_table_relay_by_name(const struct rg_table *t, const char *name);
/* The relay's own disco key (zero-filled if the inventory had none). */
const uint8_t *rg_table_relay_key(const struct rg_table *t, uint32_t relay);
const char *rg_table_relay_name(const struct rg_table *t, uint32_t relay);

/*
 * The authorization question: may the node with this disco key allocate
 * endpoints on relay? No allocation, constant time, no branch on the key.
 */
bool rg_table_allowed(const struct rg_table *t, uint32_t relay, const uint8_t key[RG_TABLE_KEY_LEN]);
/* The name of the node with that disco key (for logs), or NULL. */
const char *rg_table_node_name(const struct rg_table *t, const uint8_t key[RG_TABLE_KEY_LEN]);

/*
 * Additions for tools and metrics (table show, tests). Nodes are the
 * requesters indexed by disco key (the nodes allowed on at least one relay:
 * rg_table_node_name knows no others), numbered 0 .. info.nnodes - 1;
 * relays 0 .. info.nrelays - 1. Out-of-range indexes give NULL, RG_TABLE_NONE or
 * false. rg_table_relay_key and rg_table_relay_name return NULL for them.
 */
/* The node with that disco key, or RG_TABLE_NONE. Constant time. */
uint32_t rg_table_node_find(const struct rg_table *t, const uint8_t key[RG_TABLE_KEY_LEN]);
const uint8_t *rg_table_node_key_at(const struct rg_table *t, uint32_t node);
const char *rg_table_node_name_at(const struct rg_table *t, uint32_t node);
/*
 * Relays of one group admit the same nodes (groups are numbered from 0);
 * RG_TABLE_NONE for an unknown relay.
 */
uint32_t rg_table_relay_group(const struct rg_table *t, uint32_t relay);
/* rg_table_allowed for a node index. */
bool rg_table_allowed_at(const struct rg_table *t, uint32_t relay, uint32_t node);
/* Inventory nodes left out of the table for want of a usable disco key. */
uint32_t rg_table_unkeyed(const struct rg_table *t);

#endif

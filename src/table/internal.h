/* Internals of the relay authorization table (not installed). */
#ifndef RG_TABLE_INTERNAL_H
#define RG_TABLE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "relaygate/err.h"
#include "relaygate/eval.h"
#include "relaygate/table.h"
#include "table/format.h"

/*
 * Who may allocate on which relay, from an evaluation (authz.c). Relays that
 * receive the same relay capability rules have the same allowed set, so the
 * sets are kept per class of relays, not per relay: a grant to "*" makes
 * every node a relay but yields one class.
 */
struct tbl_authz {
	uint32_t *relays;       /* eval node indices of the relays, ascending */
	uint32_t *relay_class;  /* per relay: its class */
	size_t nrelays, nclasses;
	uint64_t *allowed;      /* per class: words bits over eval nodes */
	size_t words;
};

int tbl_authz_compute(const struct rg_eval *e, struct tbl_authz *out, struct rg_err *err);
void tbl_authz_free(struct tbl_authz *a);

static inline bool tbl_authz_allows(const struct tbl_authz *a, size_t cls, size_t node)
{
	return a->allowed[cls * a->words + node / 64] >> (node % 64) & 1;
}

/*
 * The nodes indexed by disco key (index.c): table node i is eval node
 * order[i], and i is the slot the perfect hash gives its key (format.h).
 */
struct tbl_index {
	uint32_t *order;        /* table node -> eval node */
	uint32_t *id_of;        /* eval node -> table node, or TBL_NONE (not a keyed requester) */
	uint32_t *seeds;        /* nbuckets: each bucket's seed */
	uint32_t nnodes, nbuckets;
	uint32_t unkeyed;       /* eval nodes without a usable disco key */
	struct tbl_hashkey hk;
};

/* A disco key present, not zero and not of small order. */
bool tbl_usable_key(const struct rg_inv_node *n);
int tbl_index_build(const struct rg_eval *e, const struct tbl_authz *a, struct tbl_index *x,
		    struct rg_err *err);
void tbl_index_free(struct tbl_index *x);

/* The parsed view of a mapped table (load.c); lookups read it (lookup.c). */
struct rg_table {
	const uint8_t *data;
	size_t len;
	void *map;               /* the mapping to unmap, or NULL (rg_table_open_mem) */
	size_t maplen;
	const uint8_t *relays, *seeds, *keys, *grants, *nameidx;
	const char *strings;
	uint32_t strings_len;
	struct tbl_hashkey hk;
	uint32_t nnodes, nrelays, nclasses, nbuckets, stride, unkeyed;
	struct rg_table_info info;
};

/* Index of the node with that key, or TBL_NONE. */
uint32_t tbl_find(const struct rg_table *t, const uint8_t key[TBL_KEY_LEN]);

#endif

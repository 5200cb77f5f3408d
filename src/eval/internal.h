/* Internals of the evaluator (not installed). */
#ifndef RG_EVAL_INTERNAL_H
#define RG_EVAL_INTERNAL_H

#include "relaygate/eval.h"
#include "util/arena.h"
#include "util/map.h"
#include "util/vec.h"


struct addr_ix {
	rg_u128 a;
	uint8_t is6;
	uint32_t node;
};

struct route_ix {
	rg_u128 lo, hi;
	uint8_t is6;
	uint32_t node;
};

struct eval_priv {
	struct rg_arena arena;
	struct rg_map user_nodes;    /* owner login -> struct rg_u32vec* (untagged nodes) */
	struct rg_map tag_nodes;     /* lowercased tag -> struct rg_u32vec* */
	const char **users;          /* distinct owner logins, in first-seen order */
	size_t nusers;
	struct rg_map user_index;    /* login -> (uintptr_t)index + 1 */
	struct addr_ix *addrs;       /* every node address, sorted */
	size_t naddrs;
	struct route_ix *routes;     /* approved subnet routes, sorted by lo */
	size_t nroutes;
	struct rg_ipset subnet_routes;
	struct rg_map ipset_cache;   /* ipset name -> struct rg_ipset* */
	struct rg_ipset **owned_sets;
	size_t nowned_sets;
	/* peers, prepared on first use */
	bool peers_done;
	struct rg_u32vec *peer_src;     /* per rule: nodes among its sources */
	struct rg_u32vec *peer_recv;    /* per rule: nodes receiving it */
	struct rg_u32vec *peer_as_src;  /* per node: rules it is a source of */
	uint64_t *peer_bits;         /* scratch: one bit per node */
	uint32_t *peer_out;          /* the last answer of rg_eval_peers */
};

static inline struct eval_priv *eval_priv(const struct rg_eval *e)
{
	return e->priv;
}


/* index.c */
int eval_index_build(struct rg_eval *e);
void eval_index_free(struct rg_eval *e);
const struct rg_u32vec *eval_user_nodes(const struct rg_eval *e, const char *login);
const struct rg_u32vec *eval_tag_nodes(const struct rg_eval *e, const char *tagkey);
int eval_add_node_ips(struct rg_ipset *s, const struct rg_inv_node *n);

/* Calls fn for each node with an address in [lo, hi] (a node may repeat). */
int eval_each_node_in_range(const struct rg_eval *e, uint8_t is6, rg_u128 lo, rg_u128 hi,
			    int (*fn)(uint32_t node, void *arg), void *arg);
/* Calls fn for each node with an approved subnet route overlapping [lo, hi]. */
int eval_each_route_overlap(const struct rg_eval *e, uint8_t is6, rg_u128 lo, rg_u128 hi,
			    int (*fn)(uint32_t node, void *arg), void *arg);

/* resolve.c: selector -> addresses; destinations -> entries */
struct entry_vec {
	struct rg_eval_entry *v;
	size_t n, cap;
};
int entry_push(struct entry_vec *ev, const struct rg_eval_entry *x);
int eval_dst_entries(struct rg_eval *e, const struct rg_selector *sel, struct entry_vec *out,
		     bool *any_dst, struct rg_err *err);
int eval_ipset_def(struct rg_eval *e, const char *name, struct rg_ipset *out, unsigned depth,
		   struct rg_err *err);
/* autogroup:internet: public IPv4 (no RFC 1918, CGNAT, link-local) and 2000::/3. */
int eval_add_internet(struct rg_ipset *out);
/* Adds the entries covering set (owner NONE). */
int eval_entries_from_set(const struct rg_ipset *set, struct entry_vec *out);

/* compile.c */
int eval_compile(struct rg_eval *e, struct rg_err *err);

#endif

/*
 * Evaluation: what Tailscale's control plane sends each node.
 *
 * rg_eval_build() resolves every selector of a validated policy over an
 * inventory and compiles the rules once: each compiled rule holds its
 * source set (an interval set) and its destination entries (DstPorts for
 * network rules, CapGrant destinations for capability rules). Each node
 * then holds "items": which entries of which rules reach it, following
 * Tailscale's reduction (a node receives the entries that contain one of
 * its addresses, overlap one of its approved routes, or, on an exit node,
 * lie in the internet). Nothing is copied per node; nothing is done per
 * address.
 *
 * Ownership: the eval borrows the policy and the inventory (both must
 * outlive it) and owns everything else. rg_eval_free(NULL) is a no-op.
 */
#ifndef RELAYGATE_EVAL_H
#define RELAYGATE_EVAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relaygate/err.h"
#include "relaygate/inventory.h"
#include "relaygate/ipset.h"
#include "relaygate/policy.h"

#define RG_EVAL_NONE UINT32_MAX

/* Tailscale's default protocols when a rule names none. */
#define RG_PROTO_DEFAULT_COUNT 4
extern const uint8_t rg_proto_default[RG_PROTO_DEFAULT_COUNT]; /* ICMP, TCP, UDP, ICMPv6 */

#define RG_CAP_RELAY "tailscale.com/cap/relay"
#define RG_CAP_RELAY_TARGET "tailscale.com/cap/relay-target"
#define RG_CAP_DRIVE "tailscale.com/cap/drive"
#define RG_CAP_DRIVE_SHARER "tailscale.com/cap/drive-sharer"

struct rg_eval_entry {
	rg_u128 lo, hi;          /* inclusive address range */
	uint8_t is6;
	uint8_t any;             /* "*": every address */
	struct rg_portrange ports;
	uint32_t owner;          /* the node these addresses belong to, or RG_EVAL_NONE */
};

struct rg_eval_rule {
	const struct rg_rule *origin;
	bool is_cap;             /* a CapGrant rule (app capabilities) */
	bool companion;          /* added by the control plane (relay-target, drive-sharer) */
	bool src_any;            /* source "*" (autogroup:danger-all) */
	struct rg_ipset src;     /* normalized */
	const uint8_t *protos;   /* network rules; none = rg_proto_default */
	size_t nprotos;
	struct rg_eval_entry *entries;
	size_t nentries;
	json_t *capmap;          /* cap rules: cap name -> array or null (owned ref) */
	uint32_t self_user;      /* per-user instance of an autogroup:self rule, else NONE */
};

struct rg_eval_item {
	uint32_t rule;
	uint32_t first, count;   /* entries [first, first + count) of the rule */
};

struct rg_eval_node {
	const struct rg_inv_node *node;
	struct rg_eval_item *items;
	size_t nitems, capitems;
	bool exit_node;          /* approved for 0.0.0.0/0 and ::/0 */
	/* Approved subnet routes (the inventory's and what autoApprovers approves; exit routes are exit_node). */
	struct rg_prefix *routes;
	size_t nroutes;
	bool tagged;
	uint32_t user;           /* index of the owning user key, or NONE */
};

struct rg_eval {
	const struct rg_policy *policy;
	const struct rg_inventory *inv;
	struct rg_eval_rule *rules;
	size_t nrules;
	struct rg_eval_node *nodes;
	size_t nnodes;
	struct rg_ipset star;      /* what "*" means as a source */
	struct rg_ipset internet;  /* autogroup:internet */
	void *priv;
};

int rg_eval_build(const struct rg_policy *p, const struct rg_inventory *inv, struct rg_eval **out,
		  struct rg_err *err);
void rg_eval_free(struct rg_eval *e);

/*
 * Resolves a source selector to the addresses it stands for (as it would
 * be in SrcIPs). *any is set for autogroup:danger-all. Returns -1 when the
 * selector names nothing the policy defines (with a reason in err), or
 * out of memory.
 */
int rg_eval_resolve_src(struct rg_eval *e, const struct rg_selector *sel, struct rg_ipset *out,
			bool *any, struct rg_err *err);

/*
 * The peers of node i (indices into e->nodes, ascending, excluding i).
 * Computed on first use for all nodes; NULL on allocation failure.
 */
const uint32_t *rg_eval_peers(struct rg_eval *e, size_t i, size_t *n);

/* Whether the whole-tailnet filter lets src reach dst on proto/port. */
bool rg_eval_allows(const struct rg_eval *e, const struct rg_addr *src, const struct rg_addr *dst,
		    uint8_t proto, uint16_t port);

/*
 * Whether node `to` grants capability cap to node `from`: some cap rule
 * reaching `to` has cap in its capmap and one of from's addresses in its
 * sources. With values non-NULL, the JSON values found are appended to it.
 * An index that names no node (RG_EVAL_NONE, as rg_eval_node_by_addr
 * returns for an unknown address) has no capability: false. This is the
 * node-level union the grant matrix shows; for an authorization decision
 * use rg_eval_node_has_cap.
 */
bool rg_eval_has_cap(const struct rg_eval *e, size_t to, size_t from, const char *cap,
		     json_t *values);

/*
 * Tailscale's nodeHasCap(filter of to, src = from, dst = to, cap), the check
 * a peer relay makes before allocating: only one address pair is asked, the
 * first address of `from` for which `to` has an address of the same family,
 * with the first such address of `to`. A grant naming only the other family
 * (an IPv6 literal as source, say) does not count, as in Tailscale.
 */
bool rg_eval_node_has_cap(const struct rg_eval *e, size_t to, size_t from, const char *cap);

/*
 * The pair nodeHasCap asks about: the first address of from with a
 * same-family address in to, and the first such address of to. false when
 * they share no family.
 */
bool rg_eval_cap_pair(const struct rg_inv_node *from, const struct rg_inv_node *to,
		      const struct rg_addr **src, const struct rg_addr **dst);

/* Whether one of the entries of item it (of a node) covers address a. */
bool rg_eval_item_covers(const struct rg_eval *e, const struct rg_eval_item *it,
			 const struct rg_addr *a);

/* Adds autogroup:internet (what an exit node forwards) to out; -1 when out of memory. */
int rg_eval_add_internet(struct rg_ipset *out);

/* Index of the node with that address, or RG_EVAL_NONE. */
uint32_t rg_eval_node_by_addr(const struct rg_eval *e, const struct rg_addr *a);

/*
 * The nodes with an address (or, with routes, an approved route) in set,
 * as a sorted list; the caller frees it.
 */
int rg_eval_nodes_in(const struct rg_eval *e, const struct rg_ipset *set, bool routes,
		     uint32_t **out, size_t *n);

#endif

/*
 * The tailnet inventory: users and nodes, as the control plane knows them.
 *
 *   {"users": [{"id", "name", "email"}],
 *    "nodes": [{"name", "user", "tags", "ips", "routable_ips",
 *               "approved_routes", "disco_key"}],
 *    "domains": ["example.com"]}            (optional)
 *
 * user is the owner's login (null for tagged nodes); ips are the node's
 * Tailscale addresses; disco_key is "discokey:" + 64 hex. domains lists the
 * tailnet's own login domains (what user:*@domain may name); when absent,
 * the domain of the first user is taken, as that user is the tailnet's
 * creator in exports from the admin console. Unknown keys are ignored.
 *
 * Refused with located errors, besides malformed values: control characters
 * (C0, DEL, C1) in names, logins, emails and tags; one node name, Tailscale IP
 * or disco key on two nodes (weak keys such as the zero key excepted: no
 * table holds them); one email on two users; routes with host bits set.
 *
 * Ownership: the inventory owns its strings and arrays and borrows src.
 */
#ifndef RELAYGATE_INVENTORY_H
#define RELAYGATE_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relaygate/diag.h"
#include "relaygate/netaddr.h"
#include "relaygate/source.h"

struct rg_inv_user {
	const char *id;          /* as text, "" if absent */
	const char *name;
	const char *email;       /* NULL if null */
	struct rg_span span;
};

struct rg_inv_node {
	const char *name;
	const char *user;        /* login, or NULL for a tagged node */
	const char **tags;       /* as written */
	const char **tag_keys;   /* lowercased, for matching */
	size_t ntags;
	struct rg_addr *ips;
	size_t nips;
	struct rg_prefix *routable;
	size_t nroutable;
	struct rg_prefix *approved;
	size_t napproved;
	bool has_disco;
	uint8_t disco[32];
	struct rg_span span;
	size_t index;
};

struct rg_inventory {
	struct rg_source *src;
	struct rg_inv_user *users;
	size_t nusers;
	struct rg_inv_node *nodes;
	size_t nnodes;
	const char **domains;
	size_t ndomains;
	void *priv;
};

/* Returns 0 and the inventory, or -1 with located errors in diags. */
int rg_inventory_load(struct rg_source *src, struct rg_inventory **out, struct rg_diags *diags);
void rg_inventory_free(struct rg_inventory *inv);

const struct rg_inv_node *rg_inventory_node(const struct rg_inventory *inv, const char *name);
const struct rg_inv_user *rg_inventory_user(const struct rg_inventory *inv, const char *login);
/* Whether domain is one of the tailnet's domains (exact, case-sensitive). */
bool rg_inventory_has_domain(const struct rg_inventory *inv, const char *domain);

#endif

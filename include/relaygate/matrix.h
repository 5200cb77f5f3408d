/*
 * The effective grant matrix: who may reach whom, on which protocols and
 * ports, with which capabilities, and the access diff between two policies.
 *
 * The matrix is read off an evaluation (eval.h); nothing is re-evaluated.
 * A cell (src, dst) holds what the destination's packet filter accepts from
 * the source's addresses (destination entries that contain one of the
 * destination's own addresses) and the capabilities the destination grants
 * the source. Companion capabilities the control plane adds (relay-target,
 * drive-sharer) are left out unless asked for with opts.cap.
 *
 * Routed destinations: the node view also has a column for addresses a
 * router forwards to (its approved subnet routes; the internet, on an exit
 * node), "ADDRESSES via ROUTER": what the router's packet filter accepts
 * from the source towards those addresses (its entries clipped to its
 * routes, `via` rules included as the evaluator delivers them). A router's
 * addresses are split where the access differs, and joined where it is the
 * same for every source.
 *
 * Rows and columns ("lines") are either nodes of an inventory, possibly
 * merged into classes of nodes with identical rows (or columns), or the
 * principals of a policy (see rg_principals_build). A line that stands for
 * several nodes or principals shows what holds for every one of them (the
 * intersection). Lines without any access are left out and counted.
 *
 * Ownership: a matrix owns everything it points to (strings are copied);
 * once built it borrows nothing, so the eval, policy and inventory may be
 * freed. The same holds for a diff, which does not borrow its matrices.
 * Rendered text is malloc'd and belongs to the caller. *_free(NULL) is a
 * no-op.
 */
#ifndef RELAYGATE_MATRIX_H
#define RELAYGATE_MATRIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relaygate/err.h"
#include "relaygate/eval.h"
#include "relaygate/policy.h"

/* Ports [first, last] of one IP protocol (IANA number). */
struct rg_matrix_ports {
	uint8_t proto;
	uint16_t first, last;
};

/*
 * What one cell grants. Canonical: ports sorted by (proto, first),
 * disjoint and not adjacent; caps sorted (strcmp) and distinct. Two
 * accesses of one matrix are equal iff their pointers are equal.
 */
struct rg_matrix_access {
	const struct rg_matrix_ports *ports;
	size_t nports;
	const char *const *caps;
	size_t ncaps;
	/*
	 * Space-separated tokens: ports open on all of Tailscale's default
	 * protocols first, as in a grant ("22,443", "*"), then per protocol
	 * ("tcp:5432", "udp:*", "gre:*", "99:*"), then capability names.
	 */
	const char *text;
	uint64_t weight;       /* (protocol, port) pairs plus capabilities */
};

enum rg_matrix_kind { RG_MATRIX_NODES, RG_MATRIX_PRINCIPALS };

/* Addresses lo..hi (inclusive) of one family; IPv4 in the low 32 bits. */
struct rg_matrix_range {
	rg_u128 lo, hi;
	bool is6;
};

/*
 * A routed destination: addresses behind a router node, reached through
 * its approved routes.
 */
struct rg_matrix_route {
	const char *via;                       /* the router's node name */
	const struct rg_matrix_range *ranges;  /* sorted (IPv4 first), disjoint, not adjacent */
	size_t nranges;
	/* The router's approved subnet routes and whether it is an exit node (for names). */
	const struct rg_prefix *routes;
	size_t nroutes;
	bool exit_node;
};

struct rg_matrix_line {
	const char *label;     /* a node or principal name; a class: "first (+N)" */
	/* node, nodes, route, routes, user, group, tag, autogroup, wildcard, host, ipset, ip */
	const char *kind;
	/* The names this line stands for: nodes, routed destinations, or the principal itself. */
	const char *const *members;
	size_t nmembers;
	/* Routed destinations (kind route, routes): per member, its router and addresses; else NULL. */
	const struct rg_matrix_route *routes;
};

struct rg_matrix_cell {
	uint32_t row, col;
	const struct rg_matrix_access *access;   /* never empty */
};

struct rg_matrix {
	enum rg_matrix_kind kind;
	const char *cap;                /* the capability view, or NULL */
	bool aggregated;                /* node lines merged into classes */
	struct rg_matrix_line *rows;    /* sources */
	size_t nrows;
	struct rg_matrix_line *cols;    /* destinations */
	size_t ncols;
	struct rg_matrix_cell *cells;   /* non-empty cells, by row then column */
	size_t ncells;
	size_t nnodes;                  /* nodes (or principals) considered */
	/* Names left out: no access from them (rows) or to them (columns). */
	const char *const *idle_rows;
	size_t nidle_rows;
	const char *const *idle_cols;
	size_t nidle_cols;
	void *priv;
};

enum rg_matrix_group {
	RG_MATRIX_GROUP_AUTO,     /* merge when more than group_threshold lines */
	RG_MATRIX_GROUP_NEVER,
	RG_MATRIX_GROUP_ALWAYS,
};

struct rg_matrix_opts {
	const char *cap;              /* only this capability; ports are left out */
	enum rg_matrix_group group;   /* nodes only; principals are never merged */
	size_t group_threshold;       /* 0: 50 */
};

/* The node matrix of an evaluation. */
int rg_matrix_build(struct rg_eval *e, const struct rg_matrix_opts *o, struct rg_matrix **out,
		    struct rg_err *err);
void rg_matrix_free(struct rg_matrix *m);

/*
 * Principals: one representative node per user, tag, host, IP or CIDR and
 * ipset named by the policies (a synthetic inventory), and the lines built
 * on them (groups, autogroups and "*" are the sets of representatives they
 * contain). Give several policies (OLD and NEW of a diff) to place both on
 * one inventory. Build an eval of each policy on rg_principals_inventory(),
 * then the matrix with rg_matrix_build_principals().
 *
 * Ownership: the principals borrow the policies during the call only.
 */
struct rg_principals;

int rg_principals_build(const struct rg_policy *const *p, size_t np, struct rg_principals **out,
			struct rg_err *err);
const struct rg_inventory *rg_principals_inventory(const struct rg_principals *pr);
void rg_principals_free(struct rg_principals *pr);

/* e must be an evaluation over rg_principals_inventory(pr). */
int rg_matrix_build_principals(struct rg_eval *e, const struct rg_principals *pr,
			       const struct rg_matrix_opts *o, struct rg_matrix **out,
			       struct rg_err *err);

/* ---- rendering ------------------------------------------------------------ */

enum rg_matrix_format {
	RG_MATRIX_TABLE, RG_MATRIX_CSV, RG_MATRIX_JSON, RG_MATRIX_MARKDOWN, RG_MATRIX_DOT,
	RG_MATRIX_HTML,
};

/* "table", "csv", ...; -1 if unknown. */
int rg_matrix_format_parse(const char *name, enum rg_matrix_format *out);

struct rg_matrix_render_opts {
	unsigned width;      /* table: terminal columns (0: 80; at least 20 is used) */
	size_t limit;        /* table, markdown, dot, html: at most this many rows and
				columns, with a note (0: no limit); csv and json: all */
	const char *title;   /* e.g. the policy file name (may be NULL) */
};

/* Renders m; *out is NUL-terminated and the caller frees it. */
int rg_matrix_render(const struct rg_matrix *m, enum rg_matrix_format f,
		     const struct rg_matrix_render_opts *o, char **out, size_t *len,
		     struct rg_err *err);

/* ---- access diff ----------------------------------------------------------- */

/*
 * One change: every source in srcs gains `granted` (and loses `revoked`)
 * towards every destination in dsts. Names are line members (node names or
 * principals). Either access may be NULL (nothing).
 */
struct rg_matrix_change {
	const char *const *srcs;
	size_t nsrcs;
	const char *const *dsts;
	size_t ndsts;
	const struct rg_matrix_access *granted;
	const struct rg_matrix_access *revoked;
};

struct rg_matrix_diff {
	enum rg_matrix_kind kind;
	const char *cap;
	struct rg_matrix_change *changes;   /* sorted by first source, then first destination */
	size_t nchanges;
	size_t granted_pairs, revoked_pairs; /* (src, dst) pairs gaining / losing something */
	void *priv;
};

/*
 * Compares two matrices of the same kind pair by pair (by member name):
 * per (src, dst) the set of (protocol, port) and capabilities.
 */
int rg_matrix_diff(const struct rg_matrix *old, const struct rg_matrix *new_,
		   struct rg_matrix_diff **out, struct rg_err *err);
void rg_matrix_diff_free(struct rg_matrix_diff *d);

enum rg_diff_format { RG_DIFF_HUMAN, RG_DIFF_JSON, RG_DIFF_MARKDOWN };

int rg_diff_format_parse(const char *name, enum rg_diff_format *out);

struct rg_diff_render_opts {
	const char *old_name, *new_name;   /* file names for the heading (may be NULL) */
	size_t limit;                      /* human, markdown: at most this many changes (0: all) */
};

int rg_matrix_diff_render(const struct rg_matrix_diff *d, enum rg_diff_format f,
			  const struct rg_diff_render_opts *o, char **out, size_t *len,
			  struct rg_err *err);

#endif

/* Internals of the grant matrix shared by its files (not installed). */
#ifndef RG_MATRIX_INTERNAL_H
#define RG_MATRIX_INTERNAL_H

#include "matrix/access.h"
#include "matrix/grid.h"
#include "relaygate/matrix.h"
#include "util/arena.h"

struct matrix_priv {
	struct rg_arena arena;       /* lines, names, cells */
	struct acc_pool pool;        /* accesses */
};

/*
 * A principal: a line of the principal matrix. Users, tags and addresses
 * have one representative node; the others stand for sets of them, found
 * when the matrix is built (groups from the evaluated policy, since OLD and
 * NEW of a diff may define them differently).
 */
enum principal_type {
	P_NODE,        /* a user, a tag, an address: .node */
	P_GROUP,       /* the members of group .key */
	P_MEMBER,      /* every user */
	P_TAGGED,      /* every tag */
	P_WILDCARD,    /* every user and tag */
	P_ALL,         /* every representative (autogroup:danger-all) */
	P_DOMAIN,      /* the users of domain .key */
};

struct principal {
	const char *label;
	const char *kind;
	enum principal_type type;
	const char *key;
	uint32_t node;
};

struct rg_principals {
	struct rg_source *src;       /* the synthetic inventory's text */
	struct rg_inventory *inv;
	struct principal *v;
	size_t n;
	uint32_t *users, *tags;      /* representative nodes */
	size_t nusers, ntags;
	struct rg_map logins;        /* login -> (uintptr_t)node + 1 */
	struct rg_arena arena;
};

/* A fresh matrix with its arena and pool; NULL when out of memory. */
struct rg_matrix *matrix_new(enum rg_matrix_kind kind, const char *cap);

/*
 * The lines of groups of items (nodes, routed destinations): item i is
 * named names[i] and, when routes is given and routes[i] is not NULL, is a
 * routed destination; group_of[i] is its group (or UINT32_MAX: left out,
 * recorded as idle). A group holds items of one sort. Lines come in order
 * of their first item; *line_of_group maps each of ngroups groups to its
 * line (or UINT32_MAX), and the caller frees it.
 */
int matrix_lines(struct rg_matrix *m, const char *const *names,
		 const struct rg_matrix_route *const *routes, size_t nitems, const uint32_t *group_of,
		 size_t ngroups, bool rows, uint32_t **line_of_group);

/* Destination classes with the same cells (row class, access) get the same content group. */
int matrix_content_groups(const struct grid *g, uint32_t **cgroup, size_t *ncgroups);

/* A routed destination: the live pieces behind one router whose columns have the same content. */
struct matrix_dest {
	uint32_t router;                 /* node index */
	uint32_t cgroup;                 /* the content of its columns */
	uint32_t col;                    /* one destination class of it */
	struct rg_matrix_range *ranges;  /* malloc'd */
	size_t nranges, cap;
	struct rg_matrix_route route;    /* in m's arena */
	const char *name;                /* in m's arena */
};

/*
 * The routed destinations of grid g, by router, then first address. via
 * names each router (via[node]; NULL there: its pieces are left out); NULL:
 * the node names. Free with matrix_dests_free.
 */
int matrix_dests(struct rg_matrix *m, const struct rg_eval *e, const struct grid *g,
		 const uint32_t *cgroup, size_t ncgroups, const bool *col_live,
		 const char *const *via, struct matrix_dest **out, size_t *n);
void matrix_dests_free(struct matrix_dest *d, size_t n);

/* Sorts the cells (row, then column) and drops repeated (row, column) pairs. */
void matrix_sort_cells(struct rg_matrix *m);
int matrix_add_cell(struct rg_matrix *m, size_t *cap, uint32_t row, uint32_t col,
		    const struct rg_matrix_access *a);

#endif

/*
 * HuJSON (JWCC): RFC 8259 JSON plus comments and one trailing comma, with
 * exactly the grammar, error messages and error positions of Tailscale's
 * reference parser (github.com/tailscale/hujson).
 *
 * One deliberate deviation: invalid UTF-8 is rejected everywhere, inside
 * strings too ("invalid UTF-8 in string"); the reference accepts it there.
 * A nesting depth cap (RG_HUJSON_MAX_DEPTH) is the other addition: the
 * reference recurses without limit.
 *
 * With RG_HUJSON_TREE the parser also builds the value tree with jansson and
 * an index of source spans over it (struct rg_hj_node, in source order, one
 * per value). The index holds no values of its own: node->val points into
 * the jansson tree. Duplicate member names are kept in the index (the tree
 * keeps the last one, like Go) and listed as issues for the policy layer.
 *
 * Ownership: the doc borrows src (which must outlive it) and owns the tree
 * and the index; rg_hujson_doc_free(NULL) is a no-op. Borrow doc->root with
 * json_incref() to keep it past the doc.
 */
#ifndef RELAYGATE_HUJSON_H
#define RELAYGATE_HUJSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "relaygate/source.h"

#define RG_HUJSON_MAX_DEPTH 1000

enum {
	RG_HUJSON_TREE = 1 << 0, /* build the jansson tree and the span index */
};

enum rg_hj_kind {
	RG_HJ_NULL,
	RG_HJ_FALSE,
	RG_HJ_TRUE,
	RG_HJ_NUMBER,
	RG_HJ_STRING,
	RG_HJ_ARRAY,
	RG_HJ_OBJECT,
};

#define RG_HJ_NONE UINT32_MAX

struct rg_hj_node {
	json_t *val;            /* borrowed from the doc's tree */
	const char *key;        /* decoded member name (NUL-terminated), or NULL */
	uint32_t key_len;       /* may be shorter than strlen if the name holds NUL */
	uint32_t parent;        /* index of the parent node, RG_HJ_NONE for the root */
	struct rg_span key_span;/* object members: the quoted name */
	struct rg_span span;    /* the value */
	uint32_t nchildren;
	uint32_t *children;     /* node indices, in source order */
	uint8_t kind;           /* enum rg_hj_kind */
};

enum rg_hj_issue_kind {
	RG_HJ_ISSUE_DUPLICATE_KEY, /* node is the later member of the same name */
	RG_HJ_ISSUE_NUL_IN_KEY,    /* node's name contains U+0000 */
	RG_HJ_ISSUE_NUL_IN_STRING, /* node is a string value containing U+0000 */
	RG_HJ_ISSUE_NUMBER_RANGE,  /* node is a number a double cannot hold */
};

struct rg_hj_issue {
	enum rg_hj_issue_kind kind;
	uint32_t node;
	uint32_t other;            /* duplicate: the earlier member's node */
};

struct rg_hujson_error {
	size_t offset;             /* where the reference parser points */
	char msg[256];             /* without the "hujson: line L, column C: " prefix */
};

struct rg_hujson_doc {
	struct rg_source *src;
	json_t *root;                  /* RG_HUJSON_TREE only */
	struct rg_hj_node *nodes;      /* RG_HUJSON_TREE only; nodes[0] is the root */
	size_t nnodes;
	struct rg_span *comments;      /* every comment, markers included */
	size_t ncomments;
	uint32_t *commas;              /* offsets of trailing commas */
	size_t ncommas;
	struct rg_hj_issue *issues;    /* RG_HUJSON_TREE only */
	size_t nissues;
	void *priv;
};

/*
 * Parses src. Returns 0 and a doc, or -1 and err filled: err->offset is
 * meaningful for syntax errors; on allocation failure err->msg says so and
 * err->offset is 0.
 */
int rg_hujson_parse(struct rg_source *src, unsigned flags, struct rg_hujson_doc **out,
		    struct rg_hujson_error *err);
void rg_hujson_doc_free(struct rg_hujson_doc *doc);

/*
 * Standardized JSON: comments and trailing commas become spaces (CR, LF and
 * TAB inside comments are kept), so byte offsets are unchanged. Caller frees.
 */
char *rg_hujson_standardize(const struct rg_hujson_doc *doc, size_t *len);

/*
 * The canonical layout of a tree doc (relaygate fmt; see src/hujson/format.c):
 * comments kept, values copied byte for byte, idempotent. Caller frees;
 * NULL when out of memory.
 */
char *rg_hujson_format(const struct rg_hujson_doc *doc, size_t *len);

/* "hujson: line L, column C: msg", as the reference prints it. */
void rg_hujson_error_text(struct rg_source *src, const struct rg_hujson_error *err,
			  char *out, size_t outlen);

/* Index helpers (RG_HUJSON_TREE docs). */
static inline const struct rg_hj_node *rg_hj_child(const struct rg_hujson_doc *doc,
						   const struct rg_hj_node *n, size_t i)
{
	return &doc->nodes[n->children[i]];
}
static inline uint32_t rg_hj_index(const struct rg_hujson_doc *doc, const struct rg_hj_node *n)
{
	return (uint32_t)(n - doc->nodes);
}
/* Member of object node n named key (exact match, last one wins), or NULL. */
const struct rg_hj_node *rg_hj_member(const struct rg_hujson_doc *doc, const struct rg_hj_node *n,
				      const char *key);
const char *rg_hj_kind_name(enum rg_hj_kind k);

#endif

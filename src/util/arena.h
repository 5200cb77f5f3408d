/*
 * Bump allocator for objects that share one lifetime (a parsed policy, an
 * evaluation). rg_arena_free releases everything at once.
 */
#ifndef RG_UTIL_ARENA_H
#define RG_UTIL_ARENA_H

#include <stddef.h>

struct rg_arena_block;

struct rg_arena {
	struct rg_arena_block *head;
	size_t used;   /* bytes used in head */
	size_t total;  /* bytes handed out, for reporting */
};

void rg_arena_init(struct rg_arena *a);
void rg_arena_free(struct rg_arena *a);
/* Zeroed, aligned to 16 bytes; NULL on allocation failure. */
void *rg_arena_alloc(struct rg_arena *a, size_t n);
/* Copy of s[0..n) with a NUL added. */
char *rg_arena_strndup(struct rg_arena *a, const char *s, size_t n);
char *rg_arena_strdup(struct rg_arena *a, const char *s);
/* Array growth helper: a fresh array of ncap elements with old copied in. */
void *rg_arena_grow(struct rg_arena *a, void *old, size_t oldn, size_t newn, size_t elem);

#endif

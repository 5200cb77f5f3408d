#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"

#define ARENA_BLOCK 65536

struct rg_arena_block {
	struct rg_arena_block *next;
	size_t size;
	_Alignas(16) unsigned char data[];
};

void rg_arena_init(struct rg_arena *a)
{
	a->head = NULL;
	a->used = 0;
	a->total = 0;
}

void rg_arena_free(struct rg_arena *a)
{
	struct rg_arena_block *b = a->head;

	while (b) {
		struct rg_arena_block *n = b->next;

		free(b);
		b = n;
	}
	rg_arena_init(a);
}

void *rg_arena_alloc(struct rg_arena *a, size_t n)
{
	struct rg_arena_block *b;
	void *p;

	if (n > SIZE_MAX - 32)
		return NULL;
	n = (n + 15) & ~(size_t)15;
	if (!n)
		n = 16;
	if (!a->head || a->head->size - a->used < n) {
		size_t size = n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK;

		b = malloc(sizeof(*b) + size);
		if (!b)
			return NULL;
		b->size = size;
		if (n > ARENA_BLOCK / 4 && a->head) {
			/* Big allocations get their own block behind the current one. */
			b->next = a->head->next;
			a->head->next = b;
			memset(b->data, 0, n);
			a->total += n;
			return b->data;
		}
		b->next = a->head;
		a->head = b;
		a->used = 0;
	}
	p = a->head->data + a->used;
	a->used += n;
	a->total += n;
	memset(p, 0, n);
	return p;
}

char *rg_arena_strndup(struct rg_arena *a, const char *s, size_t n)
{
	char *p = rg_arena_alloc(a, n + 1);

	if (!p)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *rg_arena_strdup(struct rg_arena *a, const char *s)
{
	return rg_arena_strndup(a, s, strlen(s));
}

void *rg_arena_grow(struct rg_arena *a, void *old, size_t oldn, size_t newn, size_t elem)
{
	void *p;

	if (newn && elem > SIZE_MAX / newn)
		return NULL;
	p = rg_arena_alloc(a, newn * elem);
	if (p && old && oldn)
		memcpy(p, old, (oldn < newn ? oldn : newn) * elem);
	return p;
}

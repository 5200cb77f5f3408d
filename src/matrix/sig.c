/* Grouping by signature. */
#include <stdlib.h>
#include <string.h>

#include "matrix/sig.h"

void sig_init(struct sig_table *t)
{
	rg_arena_init(&t->arena);
	rg_map_init(&t->map);
	t->n = 0;
}

void sig_free(struct sig_table *t)
{
	rg_map_free(&t->map);
	rg_arena_free(&t->arena);
	t->n = 0;
}

int sig_class(struct sig_table *t, const void *key, size_t len, uint32_t *out)
{
	void *v;
	char *copy;

	if (!key)
		key = ""; /* an empty signature may come as NULL */
	v = rg_map_get(&t->map, key, len);
	if (v) {
		*out = (uint32_t)((uintptr_t)v - 1);
		return 0;
	}
	if (t->n >= UINT32_MAX - 1)
		return -1;
	copy = rg_arena_alloc(&t->arena, len ? len : 1);
	if (!copy)
		return -1;
	memcpy(copy, key, len);
	if (rg_map_put(&t->map, copy, len, (void *)(uintptr_t)(t->n + 1), NULL) < 0)
		return -1;
	*out = (uint32_t)t->n++;
	return 0;
}

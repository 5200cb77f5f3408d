/* Growable arrays. */
#include <stdlib.h>
#include <string.h>

#include "util/vec.h"

int rg_vec_grow(void *arrayp, size_t *cap, size_t n, size_t elem)
{
	void *p;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 8;
	if (c < *cap || c > SIZE_MAX / elem)
		return -1;
	memcpy(&p, arrayp, sizeof(p)); /* arrayp is a T **; its pointer, whatever T */
	p = realloc(p, c * elem);
	if (!p)
		return -1;
	memcpy(arrayp, &p, sizeof(p));
	*cap = c;
	return 0;
}

int rg_u32vec_push(struct rg_u32vec *v, uint32_t x)
{
	if (rg_vec_grow(&v->v, &v->cap, v->n, sizeof(*v->v)) < 0)
		return -1;
	v->v[v->n++] = x;
	return 0;
}

void rg_u32vec_free(struct rg_u32vec *v)
{
	free(v->v);
	v->v = NULL;
	v->n = v->cap = 0;
}

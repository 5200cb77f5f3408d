#include <stdlib.h>
#include <string.h>

#include "relaygate/ipset.h"

void rg_ipset_init(struct rg_ipset *s)
{
	memset(s, 0, sizeof(*s));
}

void rg_ipset_free(struct rg_ipset *s)
{
	free(s->v4);
	free(s->v6);
	rg_ipset_init(s);
}

void rg_ipset_clear(struct rg_ipset *s)
{
	s->n4 = s->n6 = 0;
	s->dirty = false;
}

static int reserve4(struct rg_ipset *s, size_t n)
{
	if (n > s->cap4) {
		size_t c = s->cap4 ? s->cap4 : 4;
		struct rg_iv4 *p;

		while (c < n)
			c *= 2;
		p = realloc(s->v4, c * sizeof(*p));
		if (!p)
			return -1;
		s->v4 = p;
		s->cap4 = c;
	}
	return 0;
}

static int reserve6(struct rg_ipset *s, size_t n)
{
	if (n > s->cap6) {
		size_t c = s->cap6 ? s->cap6 : 4;
		struct rg_iv6 *p;

		while (c < n)
			c *= 2;
		p = realloc(s->v6, c * sizeof(*p));
		if (!p)
			return -1;
		s->v6 = p;
		s->cap6 = c;
	}
	return 0;
}

int rg_ipset_copy(struct rg_ipset *dst, const struct rg_ipset *src)
{
	if (reserve4(dst, src->n4) < 0 || reserve6(dst, src->n6) < 0)
		return -1;
	if (src->n4)
		memcpy(dst->v4, src->v4, src->n4 * sizeof(*src->v4));
	if (src->n6)
		memcpy(dst->v6, src->v6, src->n6 * sizeof(*src->v6));
	dst->n4 = src->n4;
	dst->n6 = src->n6;
	dst->dirty = src->dirty;
	return 0;
}

int rg_ipset_add_v4(struct rg_ipset *s, uint32_t lo, uint32_t hi)
{
	if (reserve4(s, s->n4 + 1) < 0)
		return -1;
	s->v4[s->n4++] = (struct rg_iv4){ lo, hi };
	s->dirty = true;
	return 0;
}

int rg_ipset_add_v6(struct rg_ipset *s, rg_u128 lo, rg_u128 hi)
{
	if (reserve6(s, s->n6 + 1) < 0)
		return -1;
	s->v6[s->n6++] = (struct rg_iv6){ lo, hi };
	s->dirty = true;
	return 0;
}

int rg_ipset_add_range(struct rg_ipset *s, const struct rg_addr *lo, const struct rg_addr *hi)
{
	if (lo->is6)
		return rg_ipset_add_v6(s, rg_addr_to_u128(lo), rg_addr_to_u128(hi));
	return rg_ipset_add_v4(s, (uint32_t)rg_addr_to_u128(lo), (uint32_t)rg_addr_to_u128(hi));
}

int rg_ipset_add_prefix(struct rg_ipset *s, const struct rg_prefix *p)
{
	rg_u128 lo, hi;

	rg_prefix_bounds(p, &lo, &hi);
	if (p->addr.is6)
		return rg_ipset_add_v6(s, lo, hi);
	return rg_ipset_add_v4(s, (uint32_t)lo, (uint32_t)hi);
}

int rg_ipset_add_addr(struct rg_ipset *s, const struct rg_addr *a)
{
	return rg_ipset_add_range(s, a, a);
}

static int cmp4(const void *a, const void *b)
{
	const struct rg_iv4 *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static int cmp6(const void *a, const void *b)
{
	const struct rg_iv6 *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

void rg_ipset_normalize(struct rg_ipset *s)
{
	size_t i, o;

	if (!s->dirty)
		return;
	if (s->n4 > 1) {
		qsort(s->v4, s->n4, sizeof(*s->v4), cmp4);
		for (i = 1, o = 0; i < s->n4; i++) {
			if (s->v4[o].hi == UINT32_MAX || s->v4[i].lo <= s->v4[o].hi + 1) {
				if (s->v4[i].hi > s->v4[o].hi)
					s->v4[o].hi = s->v4[i].hi;
			} else {
				s->v4[++o] = s->v4[i];
			}
		}
		s->n4 = o + 1;
	}
	if (s->n6 > 1) {
		qsort(s->v6, s->n6, sizeof(*s->v6), cmp6);
		for (i = 1, o = 0; i < s->n6; i++) {
			if (s->v6[o].hi == ~(rg_u128)0 || s->v6[i].lo <= s->v6[o].hi + 1) {
				if (s->v6[i].hi > s->v6[o].hi)
					s->v6[o].hi = s->v6[i].hi;
			} else {
				s->v6[++o] = s->v6[i];
			}
		}
		s->n6 = o + 1;
	}
	s->dirty = false;
}

int rg_ipset_union(struct rg_ipset *dst, const struct rg_ipset *src)
{
	if (reserve4(dst, dst->n4 + src->n4) < 0 || reserve6(dst, dst->n6 + src->n6) < 0)
		return -1;
	if (src->n4)
		memcpy(dst->v4 + dst->n4, src->v4, src->n4 * sizeof(*src->v4));
	if (src->n6)
		memcpy(dst->v6 + dst->n6, src->v6, src->n6 * sizeof(*src->v6));
	dst->n4 += src->n4;
	dst->n6 += src->n6;
	dst->dirty = true;
	rg_ipset_normalize(dst);
	return 0;
}

/* One merge sweep per family: intersection (inter) or difference of sorted interval lists. */
#define SWEEP(T, V, NAME)                                                                   \
	static int NAME(T **va, size_t *na, size_t *capa, const T *vb, size_t nb, int inter)   \
	{                                                                                      \
		/* Either result has at most na + nb intervals. */                            \
		size_t i = 0, j = 0, o = 0, cap = *na + nb + 1;                                \
		T *out = malloc(cap * sizeof(T));                                              \
		const T *a = *va;                                                              \
		if (!out)                                                                      \
			return -1;                                                             \
		if (inter) {                                                                   \
			while (i < *na && j < nb) {                                            \
				if (vb[j].hi < a[i].lo && nb - j > 8) {                        \
					/* Gallop: a is much shorter (one user's devices). */   \
					size_t lo = j, hi = nb;                                \
					while (lo < hi) {                                      \
						size_t mid = lo + (hi - lo) / 2;               \
						if (vb[mid].hi < a[i].lo)                      \
							lo = mid + 1;                          \
						else                                           \
							hi = mid;                              \
					}                                                      \
					j = lo;                                                \
					if (j >= nb)                                           \
						break;                                         \
				}                                                              \
				V lo = a[i].lo > vb[j].lo ? a[i].lo : vb[j].lo;  \
				V hi = a[i].hi < vb[j].hi ? a[i].hi : vb[j].hi;  \
				if (lo <= hi)                                                  \
					out[o++] = (T){ lo, hi };                              \
				if (a[i].hi < vb[j].hi)                                        \
					i++;                                                   \
				else                                                           \
					j++;                                                   \
			}                                                                      \
		} else {                                                                       \
			for (i = 0; i < *na; i++) {                                            \
				V lo = a[i].lo, hi = a[i].hi;                \
				int alive = 1;                                                 \
				while (j < nb && vb[j].hi < lo)                                \
					j++;                                                   \
				while (j < nb && vb[j].lo <= hi) {                             \
					if (vb[j].lo > lo)                                     \
						out[o++] = (T){ lo, vb[j].lo - 1 };            \
					if (vb[j].hi >= hi) {                                  \
						alive = 0;                                     \
						break;                                         \
					}                                                      \
					lo = vb[j].hi + 1;                                     \
					j++;                                                   \
				}                                                              \
				if (alive)                                                     \
					out[o++] = (T){ lo, hi };                              \
			}                                                                      \
		}                                                                              \
		free(*va);                                                                     \
		*va = out;                                                                     \
		*na = o;                                                                       \
		*capa = cap;                                                                   \
		return 0;                                                                      \
	}

SWEEP(struct rg_iv4, uint32_t, sweep4)
SWEEP(struct rg_iv6, rg_u128, sweep6)

int rg_ipset_intersect(struct rg_ipset *dst, const struct rg_ipset *src)
{
	rg_ipset_normalize(dst);
	if (sweep4(&dst->v4, &dst->n4, &dst->cap4, src->v4, src->n4, 1) < 0 ||
	    sweep6(&dst->v6, &dst->n6, &dst->cap6, src->v6, src->n6, 1) < 0)
		return -1;
	return 0;
}

int rg_ipset_subtract(struct rg_ipset *dst, const struct rg_ipset *src)
{
	rg_ipset_normalize(dst);
	if (sweep4(&dst->v4, &dst->n4, &dst->cap4, src->v4, src->n4, 0) < 0 ||
	    sweep6(&dst->v6, &dst->n6, &dst->cap6, src->v6, src->n6, 0) < 0)
		return -1;
	return 0;
}

bool rg_ipset_empty(const struct rg_ipset *s)
{
	return s->n4 == 0 && s->n6 == 0;
}

bool rg_ipset_contains(const struct rg_ipset *s, const struct rg_addr *a)
{
	rg_u128 v = rg_addr_to_u128(a);
	size_t lo = 0, hi;

	if (a->is6) {
		hi = s->n6;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (s->v6[mid].hi < v)
				lo = mid + 1;
			else
				hi = mid;
		}
		return lo < s->n6 && s->v6[lo].lo <= v;
	}
	hi = s->n4;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v4[mid].hi < (uint32_t)v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n4 && s->v4[lo].lo <= (uint32_t)v;
}

bool rg_ipset_overlaps(const struct rg_ipset *a, const struct rg_ipset *b)
{
	size_t i = 0, j = 0;

	while (i < a->n4 && j < b->n4) {
		if (a->v4[i].hi < b->v4[j].lo)
			i++;
		else if (b->v4[j].hi < a->v4[i].lo)
			j++;
		else
			return true;
	}
	i = j = 0;
	while (i < a->n6 && j < b->n6) {
		if (a->v6[i].hi < b->v6[j].lo)
			i++;
		else if (b->v6[j].hi < a->v6[i].lo)
			j++;
		else
			return true;
	}
	return false;
}

bool rg_ipset_covers(const struct rg_ipset *s, const struct rg_ipset *sub)
{
	size_t i, j = 0;

	for (i = 0; i < sub->n4; i++) {
		while (j < s->n4 && s->v4[j].hi < sub->v4[i].lo)
			j++;
		if (j >= s->n4 || s->v4[j].lo > sub->v4[i].lo || s->v4[j].hi < sub->v4[i].hi)
			return false;
	}
	j = 0;
	for (i = 0; i < sub->n6; i++) {
		while (j < s->n6 && s->v6[j].hi < sub->v6[i].lo)
			j++;
		if (j >= s->n6 || s->v6[j].lo > sub->v6[i].lo || s->v6[j].hi < sub->v6[i].hi)
			return false;
	}
	return true;
}

bool rg_ipset_equal(const struct rg_ipset *a, const struct rg_ipset *b)
{
	return a->n4 == b->n4 && a->n6 == b->n6 &&
	       (!a->n4 || memcmp(a->v4, b->v4, a->n4 * sizeof(*a->v4)) == 0) &&
	       (!a->n6 || memcmp(a->v6, b->v6, a->n6 * sizeof(*a->v6)) == 0);
}

bool rg_ipset_overlaps_prefix(const struct rg_ipset *s, const struct rg_prefix *p)
{
	struct rg_iv6 iv6;
	struct rg_iv4 iv4;
	struct rg_ipset one;
	rg_u128 lo, hi;

	rg_prefix_bounds(p, &lo, &hi);
	rg_ipset_init(&one);
	if (p->addr.is6) {
		iv6 = (struct rg_iv6){ lo, hi };
		one.v6 = &iv6;
		one.n6 = 1;
	} else {
		iv4 = (struct rg_iv4){ (uint32_t)lo, (uint32_t)hi };
		one.v4 = &iv4;
		one.n4 = 1;
	}
	return rg_ipset_overlaps(s, &one);
}

/* Largest aligned block starting at lo that fits in [lo, hi]. */
static unsigned block_bits(rg_u128 lo, rg_u128 hi, unsigned width)
{
	unsigned host = 0;

	while (host < width) {
		rg_u128 size = (rg_u128)1 << (host + 1);

		if (host + 1 == 128) {
			if (lo == 0 && hi == ~(rg_u128)0)
				host++;
			break;
		}
		if ((lo & (size - 1)) != 0 || lo + size - 1 > hi || lo + size - 1 < lo)
			break;
		host++;
	}
	return width - host;
}

int rg_ipset_each_prefix(const struct rg_ipset *s,
			 int (*fn)(const struct rg_prefix *p, void *arg), void *arg)
{
	size_t i;
	int r;

	for (i = 0; i < s->n4 + s->n6; i++) {
		bool is6 = i >= s->n4;
		rg_u128 lo = is6 ? s->v6[i - s->n4].lo : s->v4[i].lo;
		rg_u128 hi = is6 ? s->v6[i - s->n4].hi : s->v4[i].hi;
		unsigned width = is6 ? 128 : 32;

		for (;;) {
			struct rg_prefix p;
			unsigned bits = block_bits(lo, hi, width);
			rg_u128 last;

			p.addr = rg_addr_from_u128(lo, is6);
			p.bits = (uint8_t)bits;
			if ((r = fn(&p, arg)) != 0)
				return r;
			last = bits == 0 ? ~(rg_u128)0 : lo + (((rg_u128)1 << (width - bits)) - 1);
			if (!is6 && bits == 0)
				last = 0xffffffffu;
			if (last >= hi)
				break;
			lo = last + 1;
		}
	}
	return 0;
}

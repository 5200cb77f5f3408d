/* Access sets: canonical form, set operations, interning and their text. */
#include <stdlib.h>
#include <string.h>

#include "matrix/access.h"
#include "util/buf.h"
#include "util/vec.h"

void acc_work_init(struct acc_work *w)
{
	memset(w, 0, sizeof(*w));
}

void acc_work_free(struct acc_work *w)
{
	free(w->p);
	free(w->caps);
	acc_work_init(w);
}

void acc_work_clear(struct acc_work *w)
{
	w->n = 0;
	w->ncaps = 0;
}

int acc_work_add_ports(struct acc_work *w, uint8_t proto, uint16_t first, uint16_t last)
{
	if (first > last)
		return 0;
	if (rg_vec_grow(&w->p, &w->cap, w->n, sizeof(*w->p)) < 0)
		return -1;
	w->p[w->n++] = (struct rg_matrix_ports){ proto, first, last };
	return 0;
}

int acc_work_add_cap(struct acc_work *w, const char *name)
{
	if (rg_vec_grow(&w->caps, &w->capcaps, w->ncaps, sizeof(*w->caps)) < 0)
		return -1;
	w->caps[w->ncaps++] = name;
	return 0;
}

int acc_work_add(struct acc_work *w, const struct rg_matrix_access *a)
{
	size_t i;

	for (i = 0; a && i < a->nports; i++)
		if (acc_work_add_ports(w, a->ports[i].proto, a->ports[i].first, a->ports[i].last) < 0)
			return -1;
	for (i = 0; a && i < a->ncaps; i++)
		if (acc_work_add_cap(w, a->caps[i]) < 0)
			return -1;
	return 0;
}

static int ports_cmp(const void *x, const void *y)
{
	const struct rg_matrix_ports *a = x, *b = y;

	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	return a->first < b->first ? -1 : a->first > b->first;
}

static int str_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Sorts and merges overlapping or adjacent ranges; sorts and dedups caps. */
static void normalize(struct acc_work *w)
{
	size_t i, k;

	if (w->n > 1)
		qsort(w->p, w->n, sizeof(*w->p), ports_cmp);
	for (i = 1, k = 0; i < w->n; i++) {
		struct rg_matrix_ports *last = &w->p[k];

		if (w->p[i].proto == last->proto && (uint32_t)w->p[i].first <= (uint32_t)last->last + 1) {
			if (w->p[i].last > last->last)
				last->last = w->p[i].last;
		} else {
			w->p[++k] = w->p[i];
		}
	}
	if (w->n)
		w->n = k + 1;
	if (w->ncaps > 1)
		qsort(w->caps, w->ncaps, sizeof(*w->caps), str_cmp);
	for (i = 1, k = 0; i < w->ncaps; i++)
		if (strcmp(w->caps[i], w->caps[k]) != 0)
			w->caps[++k] = w->caps[i];
	if (w->ncaps)
		w->ncaps = k + 1;
}

/* ---- set operations (on canonical accesses) ------------------------------ */

/* The ranges of one protocol: a slice of a canonical port list. */
struct slice {
	const struct rg_matrix_ports *p;
	size_t n;
};

static struct slice proto_slice(const struct rg_matrix_ports *p, size_t n, size_t from)
{
	size_t j;

	for (j = from; j < n && p[j].proto == p[from].proto; j++)
		;
	return (struct slice){ p + from, j - from };
}

/* out += x ∩ y as protocol proto (the slices' own protocols are ignored). */
static int intersect_ranges(struct slice x, struct slice y, uint8_t proto, struct acc_work *out)
{
	size_t i = 0, j = 0;

	while (i < x.n && j < y.n) {
		uint16_t lo = x.p[i].first > y.p[j].first ? x.p[i].first : y.p[j].first;
		uint16_t hi = x.p[i].last < y.p[j].last ? x.p[i].last : y.p[j].last;

		if (lo <= hi && acc_work_add_ports(out, proto, lo, hi) < 0)
			return -1;
		if (x.p[i].last < y.p[j].last)
			i++;
		else
			j++;
	}
	return 0;
}

int acc_intersect(const struct rg_matrix_access *a, const struct rg_matrix_access *b,
		  struct acc_work *out)
{
	size_t i = 0, j = 0;

	acc_work_clear(out);
	while (i < a->nports && j < b->nports) {
		struct slice x = proto_slice(a->ports, a->nports, i);
		struct slice y = proto_slice(b->ports, b->nports, j);

		if (x.p->proto < y.p->proto) {
			i += x.n;
		} else if (x.p->proto > y.p->proto) {
			j += y.n;
		} else {
			if (intersect_ranges(x, y, x.p->proto, out) < 0)
				return -1;
			i += x.n;
			j += y.n;
		}
	}
	for (i = 0, j = 0; i < a->ncaps && j < b->ncaps;) {
		int c = strcmp(a->caps[i], b->caps[j]);

		if (c == 0 && acc_work_add_cap(out, a->caps[i]) < 0)
			return -1;
		i += c <= 0;
		j += c >= 0;
	}
	return 0;
}

int acc_subtract(const struct rg_matrix_access *a, const struct rg_matrix_access *b,
		 struct acc_work *out)
{
	size_t i, j = 0;

	acc_work_clear(out);
	for (i = 0; i < a->nports; i++) {
		const struct rg_matrix_ports *x = &a->ports[i];
		uint32_t from = x->first;

		while (j < b->nports && (b->ports[j].proto < x->proto ||
					 (b->ports[j].proto == x->proto && b->ports[j].last < from)))
			j++;
		for (size_t k = j; k < b->nports && b->ports[k].proto == x->proto &&
				   b->ports[k].first <= x->last; k++) {
			if (b->ports[k].first > from &&
			    acc_work_add_ports(out, x->proto, (uint16_t)from,
					       (uint16_t)(b->ports[k].first - 1)) < 0)
				return -1;
			if ((uint32_t)b->ports[k].last + 1 > from)
				from = (uint32_t)b->ports[k].last + 1;
		}
		if (from <= x->last && acc_work_add_ports(out, x->proto, (uint16_t)from, x->last) < 0)
			return -1;
	}
	for (i = 0, j = 0; i < a->ncaps; i++) {
		while (j < b->ncaps && strcmp(b->caps[j], a->caps[i]) < 0)
			j++;
		if ((j == b->ncaps || strcmp(b->caps[j], a->caps[i]) != 0) &&
		    acc_work_add_cap(out, a->caps[i]) < 0)
			return -1;
	}
	return 0;
}

/* ---- text ------------------------------------------------------------------ */

static struct slice find_proto(const struct acc_work *w, uint8_t proto)
{
	size_t i = 0;

	while (i < w->n && w->p[i].proto < proto)
		i++;
	if (i == w->n || w->p[i].proto != proto)
		return (struct slice){ w->p + i, 0 };
	return proto_slice(w->p, w->n, i);
}

static void put_ranges(struct rg_buf *b, struct slice s)
{
	size_t i;

	if (s.n == 1 && s.p[0].first == 0 && s.p[0].last == 65535) {
		rg_buf_putc(b, '*');
		return;
	}
	for (i = 0; i < s.n; i++) {
		if (i)
			rg_buf_putc(b, ',');
		if (s.p[i].first == s.p[i].last)
			rg_buf_printf(b, "%u", s.p[i].first);
		else
			rg_buf_printf(b, "%u-%u", s.p[i].first, s.p[i].last);
	}
}

/* The ranges open on all four of Tailscale's default protocols, spread over each of them. */
static int default_common(const struct acc_work *w, struct acc_work *common)
{
	struct acc_work a, b;
	size_t k, i;
	int ret = -1;

	acc_work_init(&a);
	acc_work_init(&b);
	{
		struct slice s = find_proto(w, rg_proto_default[0]);

		for (i = 0; i < s.n; i++)
			if (acc_work_add_ports(&a, 0, s.p[i].first, s.p[i].last) < 0)
				goto out;
	}
	for (k = 1; k < RG_PROTO_DEFAULT_COUNT; k++) {
		acc_work_clear(&b);
		if (intersect_ranges((struct slice){ a.p, a.n }, find_proto(w, rg_proto_default[k]), 0,
				     &b) < 0)
			goto out;
		acc_work_clear(&a);
		for (i = 0; i < b.n; i++)
			if (acc_work_add_ports(&a, 0, b.p[i].first, b.p[i].last) < 0)
				goto out;
	}
	for (k = 0; k < RG_PROTO_DEFAULT_COUNT; k++)
		for (i = 0; i < a.n; i++)
			if (acc_work_add_ports(common, rg_proto_default[k], a.p[i].first, a.p[i].last) < 0)
				goto out;
	ret = 0;
out:
	acc_work_free(&a);
	acc_work_free(&b);
	return ret;
}

/* Canonical w as text (see struct rg_matrix_access). */
static int put_text(struct rg_buf *b, const struct acc_work *w)
{
	struct acc_work common, rest;
	struct rg_matrix_access all, com;
	size_t i;
	int ret = -1;

	acc_work_init(&common);
	acc_work_init(&rest);
	if (default_common(w, &common) < 0)
		goto out;
	if (common.n)
		put_ranges(b, find_proto(&common, rg_proto_default[0]));
	memset(&all, 0, sizeof(all));
	memset(&com, 0, sizeof(com));
	all.ports = w->p;
	all.nports = w->n;
	com.ports = common.p;
	com.nports = common.n;
	if (acc_subtract(&all, &com, &rest) < 0)
		goto out;
	for (i = 0; i < rest.n;) {
		struct slice s = proto_slice(rest.p, rest.n, i);
		const char *name = rg_proto_name(s.p->proto);

		if (b->len)
			rg_buf_putc(b, ' ');
		if (name)
			rg_buf_printf(b, "%s:", name);
		else
			rg_buf_printf(b, "%u:", s.p->proto);
		put_ranges(b, s);
		i += s.n;
	}
	for (i = 0; i < w->ncaps; i++) {
		if (b->len)
			rg_buf_putc(b, ' ');
		rg_buf_puts(b, w->caps[i]);
	}
	ret = 0;
out:
	acc_work_free(&common);
	acc_work_free(&rest);
	return ret;
}

/* ---- pool ----------------------------------------------------------------- */

void acc_pool_init(struct acc_pool *pool)
{
	memset(pool, 0, sizeof(*pool));
	rg_arena_init(&pool->arena);
	rg_map_init(&pool->accs);
	rg_map_init(&pool->names);
	pool->empty.text = "";
}

void acc_pool_free(struct acc_pool *pool)
{
	rg_map_free(&pool->accs);
	rg_map_free(&pool->names);
	rg_arena_free(&pool->arena);
}

const char *acc_pool_str(struct acc_pool *pool, const char *s)
{
	size_t n = strlen(s);
	char *c = rg_map_get(&pool->names, s, n);

	if (c)
		return c;
	c = rg_arena_strndup(&pool->arena, s, n);
	if (!c || rg_map_put(&pool->names, c, n, c, NULL) < 0)
		return NULL;
	return c;
}

/* The canonical bytes of w: 5 bytes per range, then each cap with its NUL. */
static int key_of(const struct acc_work *w, struct rg_buf *k)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		unsigned char r[5] = { w->p[i].proto, (unsigned char)(w->p[i].first >> 8),
				       (unsigned char)w->p[i].first, (unsigned char)(w->p[i].last >> 8),
				       (unsigned char)w->p[i].last };

		rg_buf_append(k, r, sizeof(r));
	}
	rg_buf_putc(k, '\0');
	for (i = 0; i < w->ncaps; i++)
		rg_buf_append(k, w->caps[i], strlen(w->caps[i]) + 1);
	return rg_buf_failed(k) ? -1 : 0;
}

const struct rg_matrix_access *acc_pool_intern(struct acc_pool *pool, struct acc_work *w)
{
	struct rg_matrix_access *a = NULL;
	struct rg_matrix_ports *ports;
	const char **caps;
	struct rg_buf k, text;
	char *key;
	size_t i;

	normalize(w);
	if (!w->n && !w->ncaps)
		return &pool->empty;
	rg_buf_init(&k, RG_BUF_DEFAULT_MAX);
	rg_buf_init(&text, RG_BUF_DEFAULT_MAX);
	if (key_of(w, &k) < 0)
		goto out;
	a = rg_map_get(&pool->accs, k.data, k.len);
	if (a)
		goto out;
	key = rg_arena_alloc(&pool->arena, k.len + 1);
	a = rg_arena_alloc(&pool->arena, sizeof(*a));
	ports = rg_arena_alloc(&pool->arena, (w->n + 1) * sizeof(*ports));
	caps = rg_arena_alloc(&pool->arena, (w->ncaps + 1) * sizeof(*caps));
	if (!key || !a || !ports || !caps || put_text(&text, w) < 0 || rg_buf_failed(&text)) {
		a = NULL;
		goto out;
	}
	memcpy(key, k.data, k.len);
	if (w->n)
		memcpy(ports, w->p, w->n * sizeof(*ports));
	a->ports = ports;
	a->nports = w->n;
	for (i = 0; i < w->n; i++)
		a->weight += (uint64_t)w->p[i].last - w->p[i].first + 1;
	for (i = 0; i < w->ncaps; i++)
		if (!(caps[i] = acc_pool_str(pool, w->caps[i]))) {
			a = NULL;
			goto out;
		}
	a->caps = caps;
	a->ncaps = w->ncaps;
	a->weight += w->ncaps;
	a->text = rg_arena_strndup(&pool->arena, text.data ? text.data : "", text.len);
	if (!a->text || rg_map_put(&pool->accs, key, k.len, a, NULL) < 0)
		a = NULL;
out:
	rg_buf_free(&k);
	rg_buf_free(&text);
	return a;
}

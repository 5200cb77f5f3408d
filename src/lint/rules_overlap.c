/*
 * duplicate-rule and shadowed-rule: a grant or ACL (a unit) covered by one
 * other unit (lint/overlap_cover.c says what covering means). Mutual
 * coverage is a duplicate and the later unit is reported; one-way coverage
 * is a shadow.
 *
 * Any unit covering B holds, on each side, B's first selector or one that
 * covers it. Units are indexed by the hashes of their source and of their
 * destination selectors (sorted arrays, no per-key allocation), plus lists
 * of the units holding selectors that cover others ("*", groups, prefixes,
 * autogroup:tagged). Every list is in unit order, so the candidates for B
 * are the intersection, computed by merging, of the units that may cover
 * its first source and those that may cover its first destination; only
 * those are compared selector by selector.
 */
#include <stdlib.h>
#include <string.h>

#include "lint/overlap.h"

struct unit {
	struct overlap_unit u;
	uint32_t stamp;        /* candidate de-duplication: the last B compared */
	uint32_t key[2][2];    /* [side]: the by_key run of the first selector */
	bool skip;             /* grants nothing, or holds an invalid selector */
};

#define FIRST 0x80000000u  /* in entry.unit: the unit's first selector of that side */
#define NONE UINT32_MAX

/* A unit holding a selector of that hash (or of that class, in the lists). */
struct entry {
	uint32_t h;
	uint32_t unit;
};

struct list {
	struct entry *v;
	size_t n;
};

enum { L_KEY, L_WILD, L_PREFIX, L_TAGGED, L_GROUP, L_COUNT };

/*
 * One side (sources or destinations): L_KEY holds every selector by hash,
 * sorted by hash once built; the others the units holding "*" or
 * autogroup:danger-all, prefixes or host aliases, autogroup:tagged, groups.
 */
struct side {
	struct list l[L_COUNT];
};

struct overlap {
	struct lint_ctx *c;
	struct unit *units;
	size_t nunits;
	struct side side[2];
};

static uint32_t fnv(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* ---- units and the index ---------------------------------------------------- */

static bool rule_is_void(const struct rg_rule *r)
{
	size_t i;

	if (!r->nsrc || !r->ndst || (!r->nip && !r->napp))
		return true;
	for (i = 0; i < r->nsrc; i++)
		if (r->src[i].kind == RG_SEL_INVALID)
			return true;
	for (i = 0; i < r->ndst; i++)
		if (r->dst[i].kind == RG_SEL_INVALID)
			return true;
	return false;
}

/* The class list (other than L_KEY) a selector also goes to, or L_KEY for none. */
static int class_of(const struct rg_selector *s)
{
	switch (s->kind) {
	case RG_SEL_WILDCARD: return L_WILD;
	case RG_SEL_PREFIX:
	case RG_SEL_HOST: return L_PREFIX;
	case RG_SEL_GROUP: return L_GROUP;
	case RG_SEL_AUTOGROUP:
		return s->autogroup == RG_AG_DANGER_ALL ? L_WILD :
		       s->autogroup == RG_AG_TAGGED ? L_TAGGED : L_KEY;
	default: return L_KEY;
	}
}

/*
 * Calls fn for each selector of unit ui with its side and whether it is
 * the first of that side (the converted rules of an ACL share its sources).
 */
static void each_sel(struct overlap *o, uint32_t ui,
		     void (*fn)(struct overlap *o, int side, uint32_t ui,
				const struct rg_selector *s, bool first))
{
	const struct unit *un = &o->units[ui];
	size_t i, k;

	for (i = 0; i < un->u.nrules; i++) {
		const struct rg_rule *r = un->u.rules[i];

		for (k = 0; i == 0 && k < r->nsrc; k++)
			fn(o, 0, ui, &r->src[k], k == 0);
		for (k = 0; k < r->ndst; k++)
			fn(o, 1, ui, &r->dst[k], i == 0 && k == 0);
	}
}

static void count_sel(struct overlap *o, int side, uint32_t ui, const struct rg_selector *s,
		      bool first)
{
	struct side *sd = &o->side[side];
	int cls = class_of(s);

	(void)ui;
	(void)first;
	sd->l[L_KEY].n++;
	if (cls != L_KEY)
		sd->l[cls].n++;
}

static void file_sel(struct overlap *o, int side, uint32_t ui, const struct rg_selector *s,
		     bool first)
{
	struct side *sd = &o->side[side];
	int cls = class_of(s);

	sd->l[L_KEY].v[sd->l[L_KEY].n++] = (struct entry){ fnv(overlap_key(s)),
							    ui | (first ? FIRST : 0) };
	/* A unit is listed once per class, in unit order. */
	if (cls != L_KEY && !(sd->l[cls].n && sd->l[cls].v[sd->l[cls].n - 1].unit == ui))
		sd->l[cls].v[sd->l[cls].n++] = (struct entry){ 0, ui };
}

/* Stable sort of a list by hash: four 8-bit radix passes through tmp. */
static void radix_sort(struct list *l, struct entry *tmp)
{
	struct entry *from = l->v, *to = tmp, *swap;
	size_t count[256], i, sum;
	unsigned shift;

	for (shift = 0; shift < 32; shift += 8) {
		memset(count, 0, sizeof(count));
		for (i = 0; i < l->n; i++)
			count[(from[i].h >> shift) & 0xff]++;
		for (i = 0, sum = 0; i < 256; i++) {
			size_t c = count[i];

			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < l->n; i++)
			to[count[(from[i].h >> shift) & 0xff]++] = from[i];
		swap = from;
		from = to;
		to = swap;
	}
	/* An even number of passes: the sorted entries are back in l->v. */
}

/* Sorts a side's keys and tells each unit where its first selector's run is. */
static int sort_side(struct overlap *o, int side)
{
	struct list *k = &o->side[side].l[L_KEY];
	struct entry *tmp = malloc((k->n + 1) * sizeof(*tmp));
	size_t i, j, start = 0;

	if (!tmp)
		return -1;
	radix_sort(k, tmp);
	free(tmp);
	for (i = 1; i <= k->n; i++) {
		if (i < k->n && k->v[i].h == k->v[start].h)
			continue;
		for (j = start; j < i; j++)
			if (k->v[j].unit & FIRST) {
				k->v[j].unit &= ~FIRST;
				o->units[k->v[j].unit].key[side][0] = (uint32_t)start;
				o->units[k->v[j].unit].key[side][1] = (uint32_t)i;
			}
		start = i;
	}
	return 0;
}

static int make_units(struct overlap *o)
{
	const struct rg_policy *p = o->c->p;
	size_t i, k;

	o->nunits = p->ngrants + p->nacls;
	if (o->nunits >= FIRST)
		return -1;
	o->units = calloc(o->nunits + 1, sizeof(*o->units));
	if (!o->units)
		return -1;
	for (i = 0; i < p->ngrants && i < p->nrules; i++) {
		o->units[i].u.span = p->grants[i].span;
		o->units[i].u.rules = (const struct rg_rule **)&p->rules[i];
		o->units[i].u.nrules = 1;
	}
	/* The converted ACL rules follow the grants in p->rules, ACL by ACL. */
	for (i = 0, k = p->ngrants; i < p->nacls; i++) {
		struct overlap_unit *un = &o->units[p->ngrants + i].u;

		un->span = p->acls[i].span;
		un->acl = true;
		/* An invalid policy may have ACLs and no rules at all (p->rules NULL). */
		if (!p->rules)
			continue;
		un->rules = (const struct rg_rule **)&p->rules[k];
		while (k < p->nrules && p->rules[k]->index == i)
			k++, un->nrules++;
	}
	for (i = 0; i < o->nunits; i++) {
		struct unit *un = &o->units[i];

		un->stamp = NONE;
		un->skip = un->u.nrules == 0;
		for (k = 0; k < un->u.nrules && !un->skip; k++)
			un->skip = rule_is_void(un->u.rules[k]);
	}
	return 0;
}

static int build_index(struct overlap *o)
{
	size_t i;
	int s, l;

	if (make_units(o) < 0)
		return -1;
	for (i = 0; i < o->nunits; i++)
		each_sel(o, (uint32_t)i, count_sel);
	for (s = 0; s < 2; s++)
		for (l = 0; l < L_COUNT; l++) {
			struct list *li = &o->side[s].l[l];

			li->v = malloc((li->n + 1) * sizeof(*li->v));
			if (!li->v)
				return -1;
			li->n = 0;
		}
	for (i = 0; i < o->nunits; i++)
		each_sel(o, (uint32_t)i, file_sel);
	return sort_side(o, 0) < 0 || sort_side(o, 1) < 0 ? -1 : 0;
}

/* ---- the search ----------------------------------------------------------- */

struct verdict {
	size_t dup, shadow;   /* unit indices, SIZE_MAX for none */
};

/* Compares candidate unit ai with unit bi. */
static void consider(struct overlap *o, size_t bi, size_t ai, struct verdict *vd)
{
	struct unit *a = &o->units[ai];
	const struct unit *b = &o->units[bi];

	if (ai == bi || a->stamp == bi || a->skip)
		return;
	a->stamp = (uint32_t)bi;
	if (!overlap_unit_covers(o->c, &a->u, &b->u))
		return;
	if (overlap_unit_covers(o->c, &b->u, &a->u)) {
		if (a->u.span.start < b->u.span.start &&
		    (vd->dup == SIZE_MAX || a->u.span.start < o->units[vd->dup].u.span.start))
			vd->dup = ai;
	} else if (vd->shadow == SIZE_MAX || a->u.span.start < o->units[vd->shadow].u.span.start) {
		vd->shadow = ai;
	}
}

struct slice {
	const struct entry *v;
	size_t n;
};

/*
 * The slices of a side holding every unit able to cover the first selector
 * s of unit u there: units holding s, the wildcards, and the class that
 * covers its kind.
 */
static void candidates(const struct overlap *o, int side, const struct unit *u,
		       const struct rg_selector *s, struct slice out[3])
{
	const struct list *l = o->side[side].l;
	int cls = s->kind == RG_SEL_PREFIX || s->kind == RG_SEL_HOST ? L_PREFIX :
		  s->kind == RG_SEL_TAG ? L_TAGGED : s->kind == RG_SEL_USER ? L_GROUP : L_KEY;

	out[0] = (struct slice){ l[L_KEY].v + u->key[side][0], u->key[side][1] - u->key[side][0] };
	out[1] = (struct slice){ l[L_WILD].v, l[L_WILD].n };
	out[2] = cls == L_KEY ? (struct slice){ NULL, 0 } : (struct slice){ l[cls].v, l[cls].n };
}

/* The smallest unit id at or after the cursors of three sorted slices, or SIZE_MAX. */
static size_t stream_peek(const struct slice sl[3], const size_t pos[3])
{
	size_t i, best = SIZE_MAX;

	for (i = 0; i < 3; i++)
		if (pos[i] < sl[i].n && sl[i].v[pos[i]].unit < best)
			best = sl[i].v[pos[i]].unit;
	return best;
}

/* Advances each cursor to the first unit id >= below, galloping: the lists can be long. */
static void stream_skip(const struct slice sl[3], size_t pos[3], size_t below)
{
	size_t i;

	for (i = 0; i < 3; i++) {
		size_t lo = pos[i], step = 1, hi;

		if (lo >= sl[i].n || sl[i].v[lo].unit >= below)
			continue;
		/* sl[i].v[lo] < below: find hi with v[hi] >= below (or the end) */
		while (lo + step < sl[i].n && sl[i].v[lo + step].unit < below) {
			lo += step;
			step *= 2;
		}
		hi = lo + step < sl[i].n ? lo + step : sl[i].n;
		while (lo + 1 < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (sl[i].v[mid].unit < below)
				lo = mid;
			else
				hi = mid;
		}
		pos[i] = hi;
	}
}

static void search(struct overlap *o, size_t bi)
{
	const struct overlap_unit *b = &o->units[bi].u;
	struct verdict vd = { SIZE_MAX, SIZE_MAX };
	struct slice src[3], dst[3];
	size_t ps[3] = { 0, 0, 0 }, pd[3] = { 0, 0, 0 };

	candidates(o, 0, &o->units[bi], &b->rules[0]->src[0], src);
	candidates(o, 1, &o->units[bi], &b->rules[0]->dst[0], dst);
	for (;;) {
		size_t x = stream_peek(src, ps), y = stream_peek(dst, pd);

		if (x == SIZE_MAX || y == SIZE_MAX)
			break;
		if (x == y) {
			consider(o, bi, x, &vd);
			x++;
		} else if (x < y) {
			x = y;
		}
		stream_skip(src, ps, x);
		stream_skip(dst, pd, x);
	}
	if (vd.dup != SIZE_MAX) {
		const struct overlap_unit *a = &o->units[vd.dup].u;

		lint_report(o->c, RG_LINT_DUPLICATE_RULE, b->span, "%s says the same as the %s at line %u",
			    b->acl ? "ACL" : "grant", a->acl ? "ACL" : "grant",
			    lint_line(o->c, a->span.start));
	} else if (vd.shadow != SIZE_MAX) {
		const struct overlap_unit *a = &o->units[vd.shadow].u;

		lint_report(o->c, RG_LINT_SHADOWED_RULE, b->span,
			    "%s is entirely covered by the %s at line %u and adds nothing",
			    b->acl ? "ACL" : "grant", a->acl ? "ACL" : "grant",
			    lint_line(o->c, a->span.start));
	}
}

static void side_free(struct side *sd)
{
	int l;

	for (l = 0; l < L_COUNT; l++)
		free(sd->l[l].v);
}

void lint_rules_overlap(struct lint_ctx *c)
{
	struct overlap o;
	size_t i;

	if (!lint_on(c, RG_LINT_DUPLICATE_RULE) && !lint_on(c, RG_LINT_SHADOWED_RULE))
		return;
	memset(&o, 0, sizeof(o));
	o.c = c;
	if (build_index(&o) < 0) {
		c->oom = true;
	} else {
		for (i = 0; i < o.nunits; i++)
			if (!o.units[i].skip)
				search(&o, i);
	}
	side_free(&o.side[0]);
	side_free(&o.side[1]);
	free(o.units);
}

/*
 * duplicate-rule and shadowed-rule: a grant or ACL (a "unit": one grant, or
 * one ACL with its converted rule per destination) covered by one other unit.
 *
 * Coverage is judged on the policy text, never by evaluation, and errs on
 * the side of "not covered": a rule is reported only when every source,
 * destination, protocol, port and capability value it grants is granted by
 * a single rule of the other unit. Candidates come from an index by
 * destination, so the work is proportional to the rules sharing one.
 */
#include <stdlib.h>
#include <string.h>

#include "lint/internal.h"
#include "util/map.h"

struct unit {
	struct rg_span span;
	bool acl;
	const struct rg_rule **rules;
	size_t nrules;
	uint64_t srcsig;      /* bits of the source keys; all ones if a source covers others */
	bool skip;            /* grants nothing, or holds an invalid selector */
	size_t stamp;         /* candidate de-duplication */
};

struct idxlist {
	uint32_t *v;
	size_t n, cap;
};

struct overlap {
	struct lint_ctx *c;
	struct unit *units;
	size_t nunits;
	struct rg_map by_dst;            /* atom key -> struct idxlist * */
	struct idxlist wild, prefixes, tagged, groups;
	struct idxlist **owned;
	size_t nowned;
};

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static const char *atom_key(const struct rg_selector *s)
{
	return s->kind == RG_SEL_TAG ? s->key : s->text;
}

static int idx_push(struct idxlist *l, uint32_t i)
{
	if (l->n && l->v[l->n - 1] == i)
		return 0;
	if (l->n == l->cap) {
		size_t c = l->cap ? l->cap * 2 : 4;
		uint32_t *v = realloc(l->v, c * sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = c;
	}
	l->v[l->n++] = i;
	return 0;
}

/* ---- coverage ------------------------------------------------------------ */

static bool sel_prefix(const struct lint_ctx *c, const struct rg_selector *s, struct rg_prefix *out)
{
	const struct rg_host *h;

	if (s->kind == RG_SEL_PREFIX) {
		*out = s->prefix;
		return true;
	}
	if (s->kind == RG_SEL_HOST && (h = rg_policy_host(c->p, s->text)) && h->valid) {
		*out = h->prefix;
		return true;
	}
	return false;
}

static bool group_has(const struct lint_ctx *c, const struct rg_selector *g, const char *user)
{
	const struct rg_group *grp = rg_policy_group(c->p, g->text);
	size_t i;

	for (i = 0; grp && i < grp->n; i++)
		if (strcmp(grp->members[i].text, user) == 0)
			return true;
	return false;
}

static enum rg_autogroup ag_norm(enum rg_autogroup ag)
{
	return ag == RG_AG_MEMBERS ? RG_AG_MEMBER : ag;
}

/* Whether selector a stands for everything b stands for. */
static bool sel_covers(const struct lint_ctx *c, const struct rg_selector *a,
		       const struct rg_selector *b)
{
	struct rg_prefix pa, pb;

	if (a->kind == RG_SEL_WILDCARD)
		return b->kind != RG_SEL_SVC &&
		       !(b->kind == RG_SEL_AUTOGROUP && (b->autogroup == RG_AG_DANGER_ALL ||
							  b->autogroup == RG_AG_INTERNET));
	if (a->kind == RG_SEL_AUTOGROUP && a->autogroup == RG_AG_DANGER_ALL)
		return true;
	if (a->kind == RG_SEL_AUTOGROUP && b->kind == RG_SEL_AUTOGROUP)
		return ag_norm(a->autogroup) == ag_norm(b->autogroup) && a->autogroup != RG_AG_UNKNOWN;
	if (a->kind == RG_SEL_AUTOGROUP && a->autogroup == RG_AG_TAGGED)
		return b->kind == RG_SEL_TAG;
	if (a->kind == RG_SEL_GROUP && b->kind == RG_SEL_USER)
		return group_has(c, a, b->text);
	if (sel_prefix(c, a, &pa) && sel_prefix(c, b, &pb)) {
		rg_u128 alo, ahi, blo, bhi;

		if (pa.addr.is6 != pb.addr.is6)
			return false;
		rg_prefix_bounds(&pa, &alo, &ahi);
		rg_prefix_bounds(&pb, &blo, &bhi);
		return alo <= blo && bhi <= ahi;
	}
	return a->kind == b->kind && strcmp(atom_key(a), atom_key(b)) == 0;
}

static bool sels_cover(const struct lint_ctx *c, const struct rg_selector *a, size_t na,
		       const struct rg_selector *b, size_t nb)
{
	size_t i, j;

	for (j = 0; j < nb; j++) {
		for (i = 0; i < na; i++)
			if (sel_covers(c, &a[i], &b[j]))
				break;
		if (i == na)
			return false;
	}
	return true;
}

static bool sels_equal(const struct lint_ctx *c, const struct rg_selector *a, size_t na,
		       const struct rg_selector *b, size_t nb)
{
	size_t i, j;

	/* Same set of keys, in any order (only exact matches count here). */
	for (j = 0; j < nb; j++) {
		for (i = 0; i < na; i++)
			if (a[i].kind == b[j].kind && strcmp(atom_key(&a[i]), atom_key(&b[j])) == 0)
				break;
		if (i == na)
			return false;
	}
	(void)c;
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb; j++)
			if (a[i].kind == b[j].kind && strcmp(atom_key(&a[i]), atom_key(&b[j])) == 0)
				break;
		if (j == nb)
			return false;
	}
	return true;
}

static bool proto_in(const struct rg_ipproto *ip, uint8_t proto)
{
	size_t i;

	if (!ip->nprotos) {
		for (i = 0; i < RG_PROTO_DEFAULT_COUNT; i++)
			if (rg_proto_default[i] == proto)
				return true;
		return false;
	}
	for (i = 0; i < ip->nprotos; i++)
		if (ip->protos[i] == proto)
			return true;
	return false;
}

static bool port_range_covered(const struct rg_ipproto *a, struct rg_portrange b)
{
	unsigned x = b.first;
	size_t i;
	bool moved = true;

	while (moved && x <= b.last) {
		moved = false;
		for (i = 0; i < a->nports; i++) {
			if (a->ports[i].first <= x && x <= a->ports[i].last) {
				x = (unsigned)a->ports[i].last + 1;
				moved = true;
				break;
			}
		}
	}
	return x > b.last;
}

static bool ip_covers(const struct rg_ipproto *a, const struct rg_ipproto *b)
{
	size_t i;

	if (b->nprotos) {
		for (i = 0; i < b->nprotos; i++)
			if (!proto_in(a, b->protos[i]))
				return false;
	} else {
		for (i = 0; i < RG_PROTO_DEFAULT_COUNT; i++)
			if (!proto_in(a, rg_proto_default[i]))
				return false;
	}
	for (i = 0; i < b->nports; i++)
		if (!port_range_covered(a, b->ports[i]))
			return false;
	return true;
}

static bool json_in(json_t *arr, json_t *v)
{
	size_t i;

	for (i = 0; json_is_array(arr) && i < json_array_size(arr); i++)
		if (json_equal(json_array_get(arr, i), v))
			return true;
	return false;
}

static bool app_covers(const struct rg_rule *a, const struct rg_rule *b)
{
	const char *cap;
	json_t *bv, *av;
	size_t i;

	if (!b->napp)
		return true;
	if (!a->app)
		return false;
	json_object_foreach(b->app, cap, bv) {
		av = json_object_get(a->app, cap);
		if (!av)
			return false;
		for (i = 0; json_is_array(bv) && i < json_array_size(bv); i++)
			if (!json_in(av, json_array_get(bv, i)))
				return false;
	}
	return true;
}

static bool rule_covers(const struct lint_ctx *c, const struct rg_rule *a, const struct rg_rule *b)
{
	size_t i, j;

	if (a->has_src_posture != b->has_src_posture ||
	    !sels_equal(c, a->src_posture, a->nsrc_posture, b->src_posture, b->nsrc_posture) ||
	    !sels_equal(c, a->via, a->nvia, b->via, b->nvia))
		return false;
	if (!sels_cover(c, a->src, a->nsrc, b->src, b->nsrc) ||
	    !sels_cover(c, a->dst, a->ndst, b->dst, b->ndst) || !app_covers(a, b))
		return false;
	for (j = 0; j < b->nip; j++) {
		for (i = 0; i < a->nip; i++)
			if (ip_covers(&a->ip[i], &b->ip[j]))
				break;
		if (i == a->nip)
			return false;
	}
	return true;
}

static bool unit_covers(const struct lint_ctx *c, const struct unit *a, const struct unit *b)
{
	size_t i, j;

	for (j = 0; j < b->nrules; j++) {
		for (i = 0; i < a->nrules; i++)
			if (rule_covers(c, a->rules[i], b->rules[j]))
				break;
		if (i == a->nrules)
			return false;
	}
	return true;
}

/* ---- units and the index ---------------------------------------------------- */

static bool covers_others(const struct rg_selector *s)
{
	return s->kind == RG_SEL_WILDCARD || s->kind == RG_SEL_GROUP || s->kind == RG_SEL_PREFIX ||
	       s->kind == RG_SEL_HOST ||
	       (s->kind == RG_SEL_AUTOGROUP &&
		(s->autogroup == RG_AG_DANGER_ALL || s->autogroup == RG_AG_TAGGED));
}

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

static void unit_finish(struct unit *u)
{
	size_t i, j;

	u->skip = u->nrules == 0;
	for (i = 0; i < u->nrules; i++) {
		const struct rg_rule *r = u->rules[i];

		if (rule_is_void(r))
			u->skip = true;
		for (j = 0; j < r->nsrc; j++)
			u->srcsig |= covers_others(&r->src[j]) ? ~(uint64_t)0
							       : (uint64_t)1 << (fnv(atom_key(&r->src[j])) & 63);
	}
}

static int index_dst(struct overlap *o, uint32_t ui, const struct rg_selector *s)
{
	struct idxlist *l;
	const char *k;

	switch (s->kind) {
	case RG_SEL_WILDCARD:
		return idx_push(&o->wild, ui);
	case RG_SEL_PREFIX:
	case RG_SEL_HOST:
		if (idx_push(&o->prefixes, ui) < 0)
			return -1;
		break;
	case RG_SEL_GROUP:
		if (idx_push(&o->groups, ui) < 0)
			return -1;
		break;
	case RG_SEL_AUTOGROUP:
		if (s->autogroup == RG_AG_TAGGED && idx_push(&o->tagged, ui) < 0)
			return -1;
		break;
	default:
		break;
	}
	k = atom_key(s);
	l = rg_map_get(&o->by_dst, k, strlen(k));
	if (!l) {
		struct idxlist **owned = realloc(o->owned, (o->nowned + 1) * sizeof(*owned));

		if (!owned)
			return -1;
		o->owned = owned;
		l = calloc(1, sizeof(*l));
		if (!l)
			return -1;
		owned[o->nowned++] = l;
		if (rg_map_put(&o->by_dst, k, strlen(k), l, NULL) < 0)
			return -1;
	}
	return idx_push(l, ui);
}

static int build_units(struct overlap *o)
{
	const struct rg_policy *p = o->c->p;
	size_t i, k = 0, u;

	o->nunits = p->ngrants + p->nacls;
	o->units = calloc(o->nunits + 1, sizeof(*o->units));
	if (!o->units)
		return -1;
	for (i = 0; i < p->ngrants; i++) {
		o->units[i].span = p->grants[i].span;
		o->units[i].rules = (const struct rg_rule **)&p->rules[i];
		o->units[i].nrules = 1;
	}
	/* The converted ACL rules follow the grants in p->rules, ACL by ACL. */
	for (i = 0, k = p->ngrants; i < p->nacls; i++) {
		struct unit *un = &o->units[p->ngrants + i];

		un->span = p->acls[i].span;
		un->acl = true;
		un->rules = (const struct rg_rule **)&p->rules[k];
		while (k < p->nrules && p->rules[k]->index == i)
			k++, un->nrules++;
	}
	for (u = 0; u < o->nunits; u++) {
		struct unit *un = &o->units[u];

		unit_finish(un);
		un->stamp = SIZE_MAX;
		for (i = 0; i < un->nrules; i++)
			for (k = 0; k < un->rules[i]->ndst; k++)
				if (index_dst(o, (uint32_t)u, &un->rules[i]->dst[k]) < 0)
					return -1;
	}
	return 0;
}

/* ---- the search ----------------------------------------------------------- */

struct verdict {
	size_t dup, shadow;   /* unit indices, SIZE_MAX for none */
};

static void consider(struct overlap *o, size_t bi, const struct idxlist *l, uint64_t bsig,
		     struct verdict *v)
{
	const struct unit *b = &o->units[bi];
	size_t k;

	for (k = 0; l && k < l->n; k++) {
		size_t ai = l->v[k];
		struct unit *a = &o->units[ai];

		if (ai == bi || a->stamp == bi || a->skip)
			continue;
		a->stamp = bi;
		if ((bsig & ~a->srcsig) || !unit_covers(o->c, a, b))
			continue;
		if (unit_covers(o->c, b, a)) {
			if (a->span.start < b->span.start &&
			    (v->dup == SIZE_MAX || a->span.start < o->units[v->dup].span.start))
				v->dup = ai;
		} else if (v->shadow == SIZE_MAX || a->span.start < o->units[v->shadow].span.start) {
			v->shadow = ai;
		}
	}
}

static void search(struct overlap *o, size_t bi)
{
	const struct unit *b = &o->units[bi];
	const struct rg_selector *d = &b->rules[0]->dst[0];
	const char *k = atom_key(d);
	struct verdict v = { SIZE_MAX, SIZE_MAX };
	uint64_t bsig = 0;
	size_t i, j;

	for (i = 0; i < b->nrules; i++)
		for (j = 0; j < b->rules[i]->nsrc; j++)
			bsig |= (uint64_t)1 << (fnv(atom_key(&b->rules[i]->src[j])) & 63);
	consider(o, bi, rg_map_get(&o->by_dst, k, strlen(k)), bsig, &v);
	consider(o, bi, &o->wild, bsig, &v);
	if (d->kind == RG_SEL_PREFIX || d->kind == RG_SEL_HOST)
		consider(o, bi, &o->prefixes, bsig, &v);
	if (d->kind == RG_SEL_TAG)
		consider(o, bi, &o->tagged, bsig, &v);
	if (d->kind == RG_SEL_USER)
		consider(o, bi, &o->groups, bsig, &v);
	if (v.dup != SIZE_MAX) {
		const struct unit *a = &o->units[v.dup];

		lint_report(o->c, RG_LINT_DUPLICATE_RULE, b->span, "%s says the same as the %s at line %u",
			    b->acl ? "ACL" : "grant", a->acl ? "ACL" : "grant",
			    lint_line(o->c, a->span.start));
	} else if (v.shadow != SIZE_MAX) {
		const struct unit *a = &o->units[v.shadow];

		lint_report(o->c, RG_LINT_SHADOWED_RULE, b->span,
			    "%s is entirely covered by the %s at line %u and adds nothing",
			    b->acl ? "ACL" : "grant", a->acl ? "ACL" : "grant",
			    lint_line(o->c, a->span.start));
	}
}

void lint_rules_overlap(struct lint_ctx *c)
{
	struct overlap o;
	size_t i;

	if (!lint_on(c, RG_LINT_DUPLICATE_RULE) && !lint_on(c, RG_LINT_SHADOWED_RULE))
		return;
	memset(&o, 0, sizeof(o));
	o.c = c;
	rg_map_init(&o.by_dst);
	if (build_units(&o) < 0) {
		c->oom = true;
	} else {
		for (i = 0; i < o.nunits; i++)
			if (!o.units[i].skip)
				search(&o, i);
	}
	for (i = 0; i < o.nowned; i++) {
		free(o.owned[i]->v);
		free(o.owned[i]);
	}
	free(o.owned);
	free(o.wild.v);
	free(o.prefixes.v);
	free(o.tagged.v);
	free(o.groups.v);
	rg_map_free(&o.by_dst);
	free(o.units);
}

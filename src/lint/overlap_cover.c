/*
 * Coverage of one rule by another, judged on the policy text (never by
 * evaluation) and erring on the side of "not covered": selector a covers
 * b when it stands for everything b stands for ("*" covers every selector
 * but autogroup:danger-all, autogroup:internet and services;
 * autogroup:danger-all covers everything; autogroup:tagged covers tags; a
 * group covers its members; a prefix or host alias covers the prefixes and
 * host aliases inside it; otherwise only the same selector).
 */
#include <string.h>

#include "lint/overlap.h"

const char *overlap_key(const struct rg_selector *s)
{
	return s->kind == RG_SEL_TAG ? s->key : s->text;
}

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

enum rg_autogroup overlap_ag_norm(enum rg_autogroup ag)
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
		return overlap_ag_norm(a->autogroup) == overlap_ag_norm(b->autogroup) && a->autogroup != RG_AG_UNKNOWN;
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
	return a->kind == b->kind && strcmp(overlap_key(a), overlap_key(b)) == 0;
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
			if (a[i].kind == b[j].kind && strcmp(overlap_key(&a[i]), overlap_key(&b[j])) == 0)
				break;
		if (i == na)
			return false;
	}
	(void)c;
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb; j++)
			if (a[i].kind == b[j].kind && strcmp(overlap_key(&a[i]), overlap_key(&b[j])) == 0)
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

/* Whether ports r of protocol proto are all in the union of a's entries carrying proto. */
static bool ports_covered(const struct rg_rule *a, uint8_t proto, struct rg_portrange r)
{
	unsigned x = r.first;
	bool moved = true;
	size_t i, k;

	while (moved && x <= r.last) {
		moved = false;
		for (i = 0; i < a->nip && !moved; i++) {
			if (!proto_in(&a->ip[i], proto))
				continue;
			for (k = 0; k < a->ip[i].nports; k++)
				if (a->ip[i].ports[k].first <= x && x <= a->ip[i].ports[k].last) {
					x = (unsigned)a->ip[i].ports[k].last + 1;
					moved = true;
					break;
				}
		}
	}
	return x > r.last;
}

/* Every (protocol, port) of entry b is granted by some entry of a. */
static bool ip_covered(const struct rg_rule *a, const struct rg_ipproto *b)
{
	const uint8_t *protos = b->nprotos ? b->protos : rg_proto_default;
	size_t n = b->nprotos ? b->nprotos : RG_PROTO_DEFAULT_COUNT, i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < b->nports; k++)
			if (!ports_covered(a, protos[i], b->ports[k]))
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
	size_t j;

	if (a->has_src_posture != b->has_src_posture ||
	    !sels_equal(c, a->src_posture, a->nsrc_posture, b->src_posture, b->nsrc_posture) ||
	    !sels_equal(c, a->via, a->nvia, b->via, b->nvia))
		return false;
	if (!sels_cover(c, a->src, a->nsrc, b->src, b->nsrc) ||
	    !sels_cover(c, a->dst, a->ndst, b->dst, b->ndst) || !app_covers(a, b))
		return false;
	for (j = 0; j < b->nip; j++)
		if (!ip_covered(a, &b->ip[j]))
			return false;
	return true;
}

bool overlap_unit_covers(const struct lint_ctx *c, const struct overlap_unit *a,
			 const struct overlap_unit *b)
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

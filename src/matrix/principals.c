/*
 * Principals of one or more policies, and the synthetic inventory that
 * stands for them: one node per user (owned by that login), one per tag
 * (tagged with it), one per address principal (a host, IP, CIDR, range or
 * ipset, placed on its first address; autogroup:internet on 192.0.2.1 and
 * 2001:db8::1), and, when "*", autogroup:member or user:*@domain appear,
 * one user the policies do not name ("(any other user)"). Users and tags
 * get Tailscale addresses that no small literal prefix of the policies
 * covers, so that a rule about 100.101.1.1 does not land on them.
 */
#include <stdlib.h>
#include <string.h>

#include "matrix/internal.h"
#include "relaygate/inventory.h"
#include "util/buf.h"
#include "util/vec.h"

#define ANON_LABEL "(any other user)"

struct pnode {
	const char *user;      /* login, or NULL */
	const char *tag;       /* tag, or NULL */
	struct rg_addr addr[2];
	size_t naddr;          /* address principals: their own addresses */
	/* A tag some `via` names: approved routes for the via rules' destinations. */
	struct rg_ipset routes;
	bool exit_node;
};

struct coll {
	struct rg_principals *pr;
	struct rg_arena *a;
	struct rg_map labels;  /* label -> (uintptr_t)index + 1 */
	size_t cap;
	struct pnode *nodes;
	size_t nnodes, capn;
	struct rg_map addrs;   /* address bytes -> (uintptr_t)node + 1 */
	struct rg_ipset avoid; /* small literal prefixes: no user or tag there */
	const char *domain;    /* of the anonymous user */
	bool need_anon;
	const struct rg_policy *p;
	struct rg_inventory *empty_inv;
	struct rg_eval *empty_eval;   /* of p, for ipsets */
	struct rg_err *err;
};

static int add_principal(struct coll *c, const char *label, const char *kind,
			 enum principal_type type, const char *key, uint32_t node)
{
	struct rg_principals *pr = c->pr;
	struct principal *x;

	if (rg_map_get(&c->labels, label, strlen(label)))
		return 0;
	if (rg_vec_grow(&pr->v, &c->cap, pr->n, sizeof(*pr->v)) < 0)
		return -1;
	x = &pr->v[pr->n];
	x->label = rg_arena_strdup(c->a, label);
	x->kind = kind;
	x->type = type;
	x->key = key ? rg_arena_strdup(c->a, key) : NULL;
	x->node = node;
	if (!x->label || (key && !x->key))
		return -1;
	pr->n++;
	return rg_map_put(&c->labels, x->label, strlen(x->label), (void *)(uintptr_t)pr->n, NULL);
}

static int new_node(struct coll *c, uint32_t *out)
{
	if (rg_vec_grow(&c->nodes, &c->capn, c->nnodes, sizeof(*c->nodes)) < 0)
		return -1;
	memset(&c->nodes[c->nnodes], 0, sizeof(c->nodes[0]));
	*out = (uint32_t)c->nnodes++;
	return 0;
}

static int user(struct coll *c, const char *login)
{
	const char *at = strrchr(login, '@');
	void *v = rg_map_get(&c->pr->logins, login, strlen(login));
	uint32_t n;

	if (!v) {
		const char *copy = rg_arena_strdup(c->a, login);

		if (!copy || new_node(c, &n) < 0)
			return -1;
		c->nodes[n].user = copy;
		if (rg_map_put(&c->pr->logins, copy, strlen(copy), (void *)(uintptr_t)(n + 1), NULL) < 0)
			return -1;
		if (!c->domain && at)
			c->domain = at + 1;
	} else {
		n = (uint32_t)((uintptr_t)v - 1);
	}
	return add_principal(c, login, "user", P_NODE, NULL, n);
}

static int tag(struct coll *c, const char *key)
{
	void *v = rg_map_get(&c->labels, key, strlen(key));
	uint32_t n;

	if (v)
		return 0;
	if (new_node(c, &n) < 0 || !(c->nodes[n].tag = rg_arena_strdup(c->a, key)))
		return -1;
	return add_principal(c, key, "tag", P_NODE, NULL, n);
}

/* The node standing at address a (one per distinct address). */
static int addr_node(struct coll *c, const struct rg_addr *a, const struct rg_addr *a6,
		     uint32_t *out)
{
	void *v = rg_map_get(&c->addrs, (const char *)a, sizeof(*a));
	char *key;

	if (v) {
		*out = (uint32_t)((uintptr_t)v - 1);
		return 0;
	}
	key = rg_arena_alloc(c->a, sizeof(*a));
	if (!key || new_node(c, out) < 0)
		return -1;
	memcpy(key, a, sizeof(*a));
	c->nodes[*out].addr[0] = *a;
	c->nodes[*out].naddr = 1;
	if (a6)
		c->nodes[*out].addr[c->nodes[*out].naddr++] = *a6;
	if (rg_ipset_add_addr(&c->avoid, a) < 0)
		return -1;
	return rg_map_put(&c->addrs, key, sizeof(*a), (void *)(uintptr_t)(*out + 1), NULL);
}

/* An address principal: set's first address; small sets are kept clear of users and tags. */
static int address(struct coll *c, const char *label, const char *kind, struct rg_ipset *set)
{
	struct rg_addr first;
	uint32_t n;
	size_t i;

	rg_ipset_normalize(set);
	if (rg_ipset_empty(set))
		return 0;
	first = set->n4 ? rg_addr_from_u128(set->v4[0].lo, false)
			: rg_addr_from_u128(set->v6[0].lo, true);
	for (i = 0; i < set->n4; i++)
		if (set->v4[i].hi - set->v4[i].lo < 65536 &&
		    rg_ipset_add_v4(&c->avoid, set->v4[i].lo, set->v4[i].hi) < 0)
			return -1;
	for (i = 0; i < set->n6; i++)
		if (set->v6[i].hi - set->v6[i].lo < ((rg_u128)1 << 64) &&
		    rg_ipset_add_v6(&c->avoid, set->v6[i].lo, set->v6[i].hi) < 0)
			return -1;
	if (addr_node(c, &first, NULL, &n) < 0)
		return -1;
	return add_principal(c, label, kind, P_NODE, NULL, n);
}

static int ipset(struct coll *c, const struct rg_selector *s)
{
	struct rg_ipset set;
	bool any;
	int ret = -1;

	if (!c->empty_eval && rg_eval_build(c->p, c->empty_inv, &c->empty_eval, c->err) < 0)
		return -1;
	rg_ipset_init(&set);
	if (rg_eval_resolve_src(c->empty_eval, s, &set, &any, c->err) == 0)
		ret = address(c, s->text, "ipset", &set);
	rg_ipset_free(&set);
	return ret;
}

static int internet(struct coll *c, const char *label)
{
	struct rg_addr v4, v6;
	uint32_t n;

	if (rg_addr_parse("192.0.2.1", 9, &v4) < 0 || rg_addr_parse("2001:db8::1", 11, &v6) < 0 ||
	    addr_node(c, &v4, &v6, &n) < 0)
		return -1;
	return add_principal(c, label, "autogroup", P_NODE, NULL, n);
}

static int autogroup(struct coll *c, const struct rg_selector *s)
{
	switch (s->autogroup) {
	case RG_AG_MEMBER:
	case RG_AG_MEMBERS:
		c->need_anon = true;
		return add_principal(c, s->text, "autogroup", P_MEMBER, NULL, 0);
	case RG_AG_TAGGED:
		return add_principal(c, s->text, "autogroup", P_TAGGED, NULL, 0);
	case RG_AG_DANGER_ALL:
		c->need_anon = true;
		return add_principal(c, s->text, "autogroup", P_ALL, NULL, 0);
	case RG_AG_INTERNET:
		return internet(c, s->text);
	default:
		return 0; /* self is each user's own row; roles and shares are nobody here */
	}
}

/* The addresses of a host, IP, CIDR or range selector, into set (appended). */
static int literal_set(struct coll *c, const struct rg_selector *s, struct rg_ipset *set)
{
	const struct rg_host *h;

	if (s->kind == RG_SEL_HOST) {
		h = rg_policy_host(c->p, s->text);
		return h && h->valid ? rg_ipset_add_prefix(set, &h->prefix) : 0;
	}
	if (s->kind == RG_SEL_PREFIX)
		return rg_ipset_add_prefix(set, &s->prefix);
	return rg_ipset_add_range(set, &s->lo, &s->hi);
}

static int selector(struct coll *c, const struct rg_selector *s)
{
	struct rg_ipset set;
	int ret;

	switch (s->kind) {
	case RG_SEL_USER:
		return user(c, s->text);
	case RG_SEL_USER_DOMAIN:
		c->need_anon = true;
		if (!c->domain)
			c->domain = s->key;
		return add_principal(c, s->text, "user", P_DOMAIN, s->key, 0);
	case RG_SEL_GROUP:
		return add_principal(c, s->text, "group", P_GROUP, s->text, 0);
	case RG_SEL_TAG:
		return tag(c, s->key);
	case RG_SEL_AUTOGROUP:
		return autogroup(c, s);
	case RG_SEL_WILDCARD:
		c->need_anon = true;
		return add_principal(c, "*", "wildcard", P_WILDCARD, NULL, 0);
	case RG_SEL_IPSET:
		return ipset(c, s);
	case RG_SEL_HOST:
	case RG_SEL_PREFIX:
	case RG_SEL_RANGE:
		rg_ipset_init(&set);
		ret = literal_set(c, s, &set);
		if (ret == 0)
			ret = address(c, s->text, s->kind == RG_SEL_HOST ? "host" : "ip", &set);
		rg_ipset_free(&set);
		return ret;
	default:
		return 0;
	}
}

/*
 * A rule with `via`: each via tag's representative routes the rule's
 * address destinations (approved subnet routes) and, for "*" or
 * autogroup:internet, the internet (an exit node), so that the evaluator
 * delivers the rule to it as it would to a real router with that tag.
 */
static int via_routes(struct coll *c, const struct rg_rule *r)
{
	struct rg_ipset set;
	size_t i, j;
	int ret = -1;

	rg_ipset_init(&set);
	for (i = 0; i < r->nvia; i++) {
		const struct rg_selector *v = &r->via[i];
		void *at;
		struct pnode *n;

		if (v->kind != RG_SEL_TAG || tag(c, v->key) < 0 ||
		    !(at = rg_map_get(&c->labels, v->key, strlen(v->key))))
			continue;
		n = &c->nodes[c->pr->v[(uintptr_t)at - 1].node];
		for (j = 0; j < r->ndst; j++) {
			const struct rg_selector *d = &r->dst[j];
			bool any;

			rg_ipset_clear(&set);
			if (d->kind == RG_SEL_WILDCARD ||
			    (d->kind == RG_SEL_AUTOGROUP && d->autogroup == RG_AG_INTERNET)) {
				n->exit_node = true;
				continue;
			}
			if (d->kind == RG_SEL_IPSET) {
				if (!c->empty_eval &&
				    rg_eval_build(c->p, c->empty_inv, &c->empty_eval, c->err) < 0)
					goto out;
				if (rg_eval_resolve_src(c->empty_eval, d, &set, &any, c->err) < 0)
					continue;
			} else if (d->kind == RG_SEL_HOST || d->kind == RG_SEL_PREFIX ||
				   d->kind == RG_SEL_RANGE) {
				if (literal_set(c, d, &set) < 0)
					goto out;
			} else {
				continue;
			}
			rg_ipset_normalize(&set);
			if (rg_ipset_union(&n->routes, &set) < 0)
				goto out;
		}
	}
	ret = 0;
out:
	rg_ipset_free(&set);
	return ret;
}

static int scan_policy(struct coll *c)
{
	const struct rg_policy *p = c->p;
	size_t i, j;

	for (i = 0; i < p->ngroups; i++) {
		if (add_principal(c, p->groups[i].name, "group", P_GROUP, p->groups[i].name, 0) < 0)
			return -1;
		for (j = 0; j < p->groups[i].n; j++)
			if (p->groups[i].members[j].kind == RG_SEL_USER &&
			    user(c, p->groups[i].members[j].text) < 0)
				return -1;
	}
	for (i = 0; i < p->ntag_owners; i++)
		if (tag(c, p->tag_owners[i].key) < 0)
			return -1;
	/* Neither grants nor acls: Tailscale allows everything, "*" to "*". */
	if (!p->present[RG_SEC_GRANTS] && !p->present[RG_SEC_ACLS]) {
		c->need_anon = true;
		if (add_principal(c, "*", "wildcard", P_WILDCARD, NULL, 0) < 0)
			return -1;
	}
	for (i = 0; i < p->nrules; i++) {
		const struct rg_rule *r = p->rules[i];

		for (j = 0; j < r->nsrc; j++)
			if (selector(c, &r->src[j]) < 0)
				return -1;
		for (j = 0; j < r->ndst; j++)
			if (selector(c, &r->dst[j]) < 0)
				return -1;
		if (r->has_via && r->nvia && via_routes(c, r) < 0)
			return -1;
	}
	for (i = 0; i < p->nhosts; i++) {
		struct rg_selector s;

		memset(&s, 0, sizeof(s));
		s.kind = RG_SEL_HOST;
		s.text = p->hosts[i].name;
		if (selector(c, &s) < 0)
			return -1;
	}
	return 0;
}

/* ---- the inventory text ------------------------------------------------- */

/* The next address from *next that no small literal prefix covers. */
static int free_addr(struct coll *c, rg_u128 *next, rg_u128 last, bool is6, struct rg_addr *out)
{
	for (; *next <= last; (*next)++) {
		*out = rg_addr_from_u128(*next, is6);
		if (!rg_ipset_contains(&c->avoid, out)) {
			(*next)++;
			return 0;
		}
	}
	return rg_err_set(c->err, "no free address left for the principals' representatives");
}

static void put_addr(struct rg_buf *b, const struct rg_addr *a, bool first)
{
	char s[RG_ADDR_STRLEN];

	rg_addr_format(a, s);
	rg_buf_printf(b, "%s\"%s\"", first ? "" : ", ", s);
}

struct route_out {
	struct rg_buf *b;
	bool first;
};

static int put_route(const struct rg_prefix *p, void *arg)
{
	struct route_out *o = arg;
	char s[RG_PREFIX_STRLEN];

	rg_prefix_format(p, s);
	rg_buf_printf(o->b, "%s\"%s\"", o->first ? "" : ", ", s);
	o->first = false;
	return 0;
}

/* A via tag's approved routes (none for other nodes). */
static void put_routes(struct rg_buf *b, struct pnode *n)
{
	struct route_out o = { b, !n->exit_node };

	rg_ipset_normalize(&n->routes);
	if (rg_ipset_empty(&n->routes) && !n->exit_node)
		return;
	rg_buf_puts(b, ", \"approved_routes\": [");
	if (n->exit_node)
		rg_buf_puts(b, "\"0.0.0.0/0\", \"::/0\"");
	rg_ipset_each_prefix(&n->routes, put_route, &o);
	rg_buf_putc(b, ']');
}

static int inventory_text(struct coll *c, struct rg_buf *b)
{
	const rg_u128 ula = ((rg_u128)0xfd7a115ca1e0ULL << 80) | ((rg_u128)0xab12 << 64);
	rg_u128 n4 = 0x64400001u, n6 = ula + 1;
	size_t i, k;

	rg_ipset_normalize(&c->avoid);
	rg_buf_puts(b, "{\"nodes\": [\n");
	for (i = 0; i < c->nnodes; i++) {
		struct pnode *n = &c->nodes[i];

		if (!n->naddr) {
			if (free_addr(c, &n4, 0x647fffffu, false, &n->addr[0]) < 0 ||
			    free_addr(c, &n6, ula | UINT64_MAX, true, &n->addr[1]) < 0)
				return -1;
			n->naddr = 2;
		}
		rg_buf_printf(b, "%s{\"name\": \"p%zu\", \"user\": ", i ? ",\n" : "", i);
		if (n->user)
			rg_buf_json_str(b, n->user, strlen(n->user));
		else
			rg_buf_puts(b, "null");
		rg_buf_puts(b, ", \"tags\": [");
		if (n->tag)
			rg_buf_json_str(b, n->tag, strlen(n->tag));
		rg_buf_puts(b, "], \"ips\": [");
		for (k = 0; k < n->naddr; k++)
			put_addr(b, &n->addr[k], k == 0);
		rg_buf_putc(b, ']');
		put_routes(b, n);
		rg_buf_putc(b, '}');
	}
	rg_buf_puts(b, "\n]}\n");
	return rg_buf_failed(b) ? rg_err_set(c->err, "out of memory") : 0;
}

/* ---- assembling --------------------------------------------------------- */

static const char *const kind_order[] = { "group", "user", "tag", "wildcard", "autogroup",
					  "host", "ipset", "ip" };
#define NKINDS (sizeof(kind_order) / sizeof(kind_order[0]))

static size_t rank(const struct principal *x)
{
	size_t i;

	for (i = 0; i < NKINDS; i++)
		if (strcmp(x->kind, kind_order[i]) == 0)
			return i;
	return NKINDS;
}

/* By kind (kind_order), then in order of discovery. */
static int sort_principals(struct rg_principals *pr)
{
	struct principal *tmp = malloc((pr->n ? pr->n : 1) * sizeof(*tmp));
	size_t i, k = 0, r;

	if (!tmp)
		return -1;
	for (r = 0; r <= NKINDS; r++)
		for (i = 0; i < pr->n; i++)
			if (rank(&pr->v[i]) == r)
				tmp[k++] = pr->v[i];
	memcpy(pr->v, tmp, pr->n * sizeof(*tmp));
	free(tmp);
	return 0;
}

static int rep_lists(struct coll *c)
{
	struct rg_principals *pr = c->pr;
	size_t i;

	pr->users = rg_arena_alloc(c->a, (c->nnodes + 1) * sizeof(uint32_t));
	pr->tags = rg_arena_alloc(c->a, (c->nnodes + 1) * sizeof(uint32_t));
	if (!pr->users || !pr->tags)
		return -1;
	for (i = 0; i < c->nnodes; i++) {
		if (c->nodes[i].user)
			pr->users[pr->nusers++] = (uint32_t)i;
		else if (c->nodes[i].tag)
			pr->tags[pr->ntags++] = (uint32_t)i;
	}
	return 0;
}

static int anon(struct coll *c)
{
	struct rg_buf b;
	uint32_t n;
	const char *login;

	rg_buf_init(&b, 0);
	rg_buf_printf(&b, "(other)@%s", c->domain ? c->domain : "example.com");
	login = rg_buf_failed(&b) ? NULL : rg_arena_strdup(c->a, b.data);
	rg_buf_free(&b);
	if (!login || new_node(c, &n) < 0)
		return -1;
	c->nodes[n].user = login;
	if (rg_map_put(&c->pr->logins, login, strlen(login), (void *)(uintptr_t)(n + 1), NULL) < 0)
		return -1;
	return add_principal(c, ANON_LABEL, "user", P_NODE, NULL, n);
}

static int load_inventory(struct coll *c, const char *text, size_t len,
			  struct rg_source **src, struct rg_inventory **inv)
{
	struct rg_diags d;
	int ret = 0;

	rg_diags_init(&d);
	*src = rg_source_from_mem("<principals>", text, len);
	if (!*src || rg_inventory_load(*src, inv, &d) < 0)
		ret = rg_err_set(c->err, "cannot build the principals' inventory");
	rg_diags_free(&d);
	return ret;
}

int rg_principals_build(const struct rg_policy *const *p, size_t np, struct rg_principals **out,
			struct rg_err *err)
{
	struct rg_principals *pr = calloc(1, sizeof(*pr));
	struct rg_source *esrc = NULL;
	struct coll c;
	struct rg_buf b;
	size_t i;
	int ret = -1;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	rg_buf_init(&b, 0);
	if (!pr)
		return rg_err_set(err, "out of memory");
	rg_arena_init(&pr->arena);
	rg_map_init(&pr->logins);
	c.pr = pr;
	c.a = &pr->arena;
	c.err = err;
	rg_ipset_init(&c.avoid);
	rg_map_init(&c.labels);
	rg_map_init(&c.addrs);
	err->msg[0] = '\0';
	if (load_inventory(&c, "{\"nodes\": []}", 13, &esrc, &c.empty_inv) < 0)
		goto out;
	for (i = 0; i < np; i++) {
		c.p = p[i];
		ret = scan_policy(&c);
		rg_eval_free(c.empty_eval);
		c.empty_eval = NULL;
		if (ret < 0)
			goto out;
	}
	ret = -1;
	if ((c.need_anon && anon(&c) < 0) || rep_lists(&c) < 0 || sort_principals(pr) < 0)
		goto out;
	if (inventory_text(&c, &b) < 0 || load_inventory(&c, b.data, b.len, &pr->src, &pr->inv) < 0)
		goto out;
	*out = pr;
	pr = NULL;
	ret = 0;
out:
	if (ret < 0 && !err->msg[0])
		rg_err_set(err, "out of memory");
	rg_principals_free(pr);
	rg_inventory_free(c.empty_inv);
	rg_source_free(esrc);
	rg_ipset_free(&c.avoid);
	rg_map_free(&c.labels);
	rg_map_free(&c.addrs);
	for (i = 0; i < c.nnodes; i++)
		rg_ipset_free(&c.nodes[i].routes);
	free(c.nodes);
	rg_buf_free(&b);
	return ret;
}

const struct rg_inventory *rg_principals_inventory(const struct rg_principals *pr)
{
	return pr->inv;
}

void rg_principals_free(struct rg_principals *pr)
{
	if (!pr)
		return;
	rg_inventory_free(pr->inv);
	rg_source_free(pr->src);
	free(pr->v);
	rg_map_free(&pr->logins);
	rg_arena_free(&pr->arena);
	free(pr);
}

/*
 * Policy structure: walks the HuJSON span index and fills the typed model.
 *
 * Decoding follows Go's encoding/json as Tailscale uses it: object keys
 * match field names case-insensitively, null leaves a field at its zero
 * value, unknown keys are ignored (and recorded for the linter). Where the
 * reference decoder would fail on a type mismatch we report Go's message.
 * Unlike Go, a key given twice (in any case) is an error, not "last wins".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/internal.h"

struct loader {
	struct rg_policy *p;
	struct policy_priv *priv;
	struct rg_hujson_doc *doc;
	struct rg_diags *diags;
	struct rg_arena *a;
	int oom;
};

typedef const struct rg_hj_node node_t;

static void invalid(struct loader *L, struct rg_span span, const char *fmt, ...)
	RG_PRINTF(3, 4);

static void invalid(struct loader *L, struct rg_span span, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (rg_diag_add(L->diags, RG_RULE_INVALID, RG_SEV_ERROR, L->p->src, span, "%s", msg) < 0)
		L->oom = 1;
}

static const char *json_kind(const node_t *n)
{
	switch (n->kind) {
	case RG_HJ_STRING: return "string";
	case RG_HJ_NUMBER: return "number";
	case RG_HJ_TRUE:
	case RG_HJ_FALSE: return "bool";
	case RG_HJ_ARRAY: return "array";
	case RG_HJ_OBJECT: return "object";
	default: return "null";
	}
}

/* Go: "json: cannot unmarshal string into Go value of type []string". */
static int type_error(struct loader *L, const node_t *n, const char *gotype)
{
	invalid(L, n->span, "json: cannot unmarshal %s into Go value of type %s", json_kind(n), gotype);
	return -1;
}

static void *alloc(struct loader *L, size_t n, size_t size)
{
	void *p;

	if (!n)
		return NULL;
	p = rg_arena_alloc(L->a, n * size);
	if (!p)
		L->oom = 1;
	return p;
}

static int load_str(struct loader *L, const node_t *n, struct rg_str *out)
{
	memset(out, 0, sizeof(*out));
	out->s = "";
	out->span = n->span;
	if (n->kind == RG_HJ_NULL)
		return 0;
	if (n->kind != RG_HJ_STRING)
		return type_error(L, n, "string");
	out->s = json_string_value(n->val);
	out->len = json_string_length(n->val);
	return 0;
}

static int load_bool(struct loader *L, const node_t *n, bool *out)
{
	if (n->kind == RG_HJ_NULL)
		return 0;
	if (n->kind != RG_HJ_TRUE && n->kind != RG_HJ_FALSE)
		return type_error(L, n, "bool");
	*out = n->kind == RG_HJ_TRUE;
	return 0;
}

static int load_sel(struct loader *L, const node_t *n, struct rg_selector *out)
{
	struct rg_str s;

	if (load_str(L, n, &s) < 0)
		return -1;
	if (policy_selector_parse(L->a, s.s, s.len, n->span, out) < 0) {
		L->oom = 1;
		return -1;
	}
	return 0;
}

/* A JSON array (or null) of strings, each decoded by one() into elem-sized slots. */
static int load_array(struct loader *L, const node_t *n, size_t elem, void **out, size_t *count,
		      int (*one)(struct loader *L, const node_t *n, void *slot))
{
	char *v;
	size_t i;

	*out = NULL;
	*count = 0;
	if (n->kind == RG_HJ_NULL)
		return 0;
	if (n->kind != RG_HJ_ARRAY)
		return type_error(L, n, "[]string");
	v = alloc(L, n->nchildren, elem);
	if (n->nchildren && !v)
		return -1;
	for (i = 0; i < n->nchildren; i++)
		if (one(L, rg_hj_child(L->doc, n, i), v + i * elem) < 0)
			return -1;
	*out = v;
	*count = n->nchildren;
	return 0;
}

static int load_str_slot(struct loader *L, const node_t *n, void *slot)
{
	return load_str(L, n, slot);
}

static int load_sel_slot(struct loader *L, const node_t *n, void *slot)
{
	return load_sel(L, n, slot);
}

static int load_strs(struct loader *L, const node_t *n, struct rg_str **out, size_t *count)
{
	return load_array(L, n, sizeof(**out), (void **)out, count, load_str_slot);
}

static int load_sels(struct loader *L, const node_t *n, struct rg_selector **out, size_t *count)
{
	return load_array(L, n, sizeof(**out), (void **)out, count, load_sel_slot);
}

/* ---- object field matching ------------------------------------------ */

struct field {
	const char *name;
	int id;
};

static void unknown_field(struct loader *L, const node_t *member)
{
	struct rg_policy *p = L->p;
	struct rg_str *v;

	v = rg_arena_grow(L->a, p->unknown_fields, p->nunknown_fields, p->nunknown_fields + 1,
			  sizeof(*v));
	if (!v) {
		L->oom = 1;
		return;
	}
	v[p->nunknown_fields].s = member->key;
	v[p->nunknown_fields].len = member->key_len;
	v[p->nunknown_fields].span = member->key_span;
	p->unknown_fields = v;
	p->nunknown_fields++;
}

/*
 * Matches each member of obj to a field (case-insensitively); calls fn for
 * known ones in source order. A field given twice is an error.
 */
static int each_field(struct loader *L, const node_t *obj, const struct field *fields,
		      size_t nfields, int (*fn)(struct loader *L, int id, const node_t *v, void *arg),
		      void *arg)
{
	const node_t *seen[32];
	size_t i, f;
	int ret = 0;

	if (nfields > 32)
		return -1;
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < obj->nchildren; i++) {
		const node_t *m = rg_hj_child(L->doc, obj, i);

		for (f = 0; f < nfields; f++)
			if (strlen(fields[f].name) == m->key_len &&
			    strncasecmp(fields[f].name, m->key, m->key_len) == 0)
				break;
		if (f == nfields) {
			unknown_field(L, m);
			continue;
		}
		if (seen[f]) {
			/* Exact duplicates are reported once, from the parser's issues. */
			if (strcmp(seen[f]->key, m->key) != 0)
				invalid(L, m->key_span, "duplicate key \"%s\" (same field as \"%s\")",
					m->key, seen[f]->key);
			continue;
		}
		seen[f] = m;
		if (fn(L, fields[f].id, m, arg) < 0)
			ret = -1;
		if (L->oom)
			return -1;
	}
	return ret;
}

/* ---- grants and ACLs ------------------------------------------------- */

enum { F_SRC, F_DST, F_IP, F_APP, F_SRCPOSTURE, F_VIA, F_ACTION, F_PROTO, F_USERS, F_PORTS };

static const struct field grant_fields[] = {
	{ "src", F_SRC }, { "dst", F_DST }, { "ip", F_IP }, { "app", F_APP },
	{ "srcPosture", F_SRCPOSTURE }, { "via", F_VIA },
};

static int load_app(struct loader *L, const node_t *n, struct rg_rule *r)
{
	size_t i;

	r->app_span = n->span;
	if (n->kind == RG_HJ_NULL)
		return 0;
	if (n->kind != RG_HJ_OBJECT)
		return type_error(L, n, "map[string][]json.RawMessage");
	r->app = n->val;
	r->app_names = alloc(L, n->nchildren, sizeof(*r->app_names));
	for (i = 0; i < n->nchildren && r->app_names; i++) {
		const node_t *c = rg_hj_child(L->doc, n, i);

		r->app_names[i] = (struct rg_str){ c->key, c->key_len, c->key_span };
		if (c->kind != RG_HJ_ARRAY && c->kind != RG_HJ_NULL)
			type_error(L, c, "[]json.RawMessage");
	}
	r->napp = n->nchildren;
	return 0;
}

static int grant_field(struct loader *L, int id, const node_t *v, void *arg)
{
	struct rg_rule *r = arg;
	struct rg_str *ips;
	size_t i, n;
	char msg[256];

	switch (id) {
	case F_SRC:
		return load_sels(L, v, &r->src, &r->nsrc);
	case F_DST:
		return load_sels(L, v, &r->dst, &r->ndst);
	case F_VIA:
		r->has_via = v->kind != RG_HJ_NULL;
		return load_sels(L, v, &r->via, &r->nvia);
	case F_SRCPOSTURE:
		r->has_src_posture = v->kind != RG_HJ_NULL;
		return load_sels(L, v, &r->src_posture, &r->nsrc_posture);
	case F_APP:
		return load_app(L, v, r);
	case F_IP:
		r->ip_span = v->span;
		if (load_strs(L, v, &ips, &n) < 0)
			return -1;
		r->ip = alloc(L, n, sizeof(*r->ip));
		if (n && !r->ip)
			return -1;
		for (i = 0; i < n; i++) {
			r->ip[i].text = ips[i];
			if (policy_ipproto_parse(L->a, ips[i].s, ips[i].len, &r->ip[i], msg,
						 sizeof(msg)) < 0) {
				invalid(L, ips[i].span, "%s", msg);
				r->ip[i].nports = 0;
			}
		}
		r->nip = n;
		return 0;
	}
	return 0;
}

static int load_grants(struct loader *L, const node_t *arr)
{
	struct rg_policy *p = L->p;
	size_t i;

	if (arr->kind == RG_HJ_NULL)
		return 0;
	if (arr->kind != RG_HJ_ARRAY)
		return type_error(L, arr, "[]tailcfg.Grant");
	p->grants = alloc(L, arr->nchildren, sizeof(*p->grants));
	if (arr->nchildren && !p->grants)
		return -1;
	p->ngrants = arr->nchildren;
	for (i = 0; i < arr->nchildren; i++) {
		const node_t *g = rg_hj_child(L->doc, arr, i);
		struct rg_rule *r = &p->grants[i];

		r->origin = RG_ORIGIN_GRANT;
		r->index = i;
		r->span = g->span;
		if (g->kind == RG_HJ_NULL)
			continue;
		if (g->kind != RG_HJ_OBJECT) {
			type_error(L, g, "Grant");
			continue;
		}
		each_field(L, g, grant_fields, sizeof(grant_fields) / sizeof(grant_fields[0]),
			   grant_field, r);
		if (L->oom)
			return -1;
	}
	return 0;
}

static const struct field acl_fields[] = {
	{ "action", F_ACTION }, { "src", F_SRC }, { "dst", F_DST }, { "proto", F_PROTO },
	{ "srcPosture", F_SRCPOSTURE }, { "users", F_USERS }, { "ports", F_PORTS },
};

struct acl_raw {
	struct rg_acl *acl;
	const node_t *dst, *ports;
	const node_t *src, *users;
};

static int acl_field(struct loader *L, int id, const node_t *v, void *arg)
{
	struct acl_raw *raw = arg;
	struct rg_acl *acl = raw->acl;

	switch (id) {
	case F_ACTION:
		return load_str(L, v, &acl->action);
	case F_SRC:
		raw->src = v;
		return 0;
	case F_USERS:
		raw->users = v;
		return 0;
	case F_DST:
		raw->dst = v;
		return 0;
	case F_PORTS:
		raw->ports = v;
		return 0;
	case F_PROTO:
		return load_str(L, v, &acl->proto);
	case F_SRCPOSTURE:
		acl->has_src_posture = v->kind != RG_HJ_NULL;
		return load_sels(L, v, &acl->src_posture, &acl->nsrc_posture);
	}
	return 0;
}

/* Concatenation of two optional selector arrays (src + legacy users). */
static int load_sels2(struct loader *L, const node_t *a, const node_t *b,
		      struct rg_selector **out, size_t *n)
{
	struct rg_selector *x = NULL, *y = NULL;
	size_t nx = 0, ny = 0;

	if ((a && load_sels(L, a, &x, &nx) < 0) || (b && load_sels(L, b, &y, &ny) < 0))
		return -1;
	*out = alloc(L, nx + ny, sizeof(**out));
	if (nx + ny && !*out)
		return -1;
	if (nx)
		memcpy(*out, x, nx * sizeof(*x));
	if (ny)
		memcpy(*out + nx, y, ny * sizeof(*y));
	*n = nx + ny;
	return 0;
}

static int load_acl_dsts(struct loader *L, struct rg_acl *acl, const node_t *a, const node_t *b)
{
	struct rg_str *x = NULL, *y = NULL, *all;
	size_t nx = 0, ny = 0, i;
	uint8_t proto = 0;
	bool has_proto = false;
	char msg[256];

	if ((a && load_strs(L, a, &x, &nx) < 0) || (b && load_strs(L, b, &y, &ny) < 0))
		return -1;
	all = alloc(L, nx + ny, sizeof(*all));
	acl->dst = alloc(L, nx + ny, sizeof(*acl->dst));
	if (nx + ny && (!all || !acl->dst))
		return -1;
	if (nx)
		memcpy(all, x, nx * sizeof(*x));
	if (ny)
		memcpy(all + nx, y, ny * sizeof(*y));
	if (acl->proto.len) {
		if (policy_proto_parse(acl->proto.s, acl->proto.len, &proto, msg, sizeof(msg)) < 0)
			invalid(L, acl->proto.span, "%s", msg);
		else
			has_proto = true;
	}
	for (i = 0; i < nx + ny; i++) {
		struct rg_acl_dst *d = &acl->dst[i];
		const char *s = all[i].s, *colon;
		size_t len = all[i].len;

		d->text = all[i];
		colon = NULL;
		for (size_t k = len; k-- > 0;)
			if (s[k] == ':') {
				colon = s + k;
				break;
			}
		if (!colon) {
			policy_selector_parse(L->a, s, len, all[i].span, &d->sel);
			invalid(L, all[i].span, "dst=\"%s\": hostport must contain a colon", s);
			continue;
		}
		{
			/* [v6addr]:port and [v6addr/len]:port */
			const char *h = s;
			size_t hl = (size_t)(colon - s);

			if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
				h++;
				hl -= 2;
			}
			if (policy_selector_parse(L->a, h, hl, all[i].span, &d->sel) < 0) {
				L->oom = 1;
				return -1;
			}
		}
		if (policy_ports_parse(L->a, colon + 1, len - (size_t)(colon - s) - 1, &d->ports, msg,
				       sizeof(msg)) < 0) {
			invalid(L, all[i].span, "dst=\"%s\": %s", s, msg);
			d->ports.nports = 0;
			continue;
		}
		if (has_proto) {
			d->ports.protos = alloc(L, 1, 1);
			if (!d->ports.protos)
				return -1;
			d->ports.protos[0] = proto;
			d->ports.nprotos = 1;
			if (!(d->ports.nports == 1 && d->ports.ports[0].first == 0 &&
			      d->ports.ports[0].last == 65535) &&
			    !policy_protos_take_ports(&proto, 1))
				invalid(L, all[i].span,
					"dst=\"%s\": protocol does not support specific ports: \"%s\", only \"*\" is allowed",
					s, acl->proto.s);
		}
		d->ports.text = all[i];
		d->valid = true;
	}
	acl->ndst = nx + ny;
	return 0;
}

static int load_acls(struct loader *L, const node_t *arr)
{
	struct rg_policy *p = L->p;
	size_t i;

	if (arr->kind == RG_HJ_NULL)
		return 0;
	if (arr->kind != RG_HJ_ARRAY)
		return type_error(L, arr, "[]ACL");
	p->acls = alloc(L, arr->nchildren, sizeof(*p->acls));
	if (arr->nchildren && !p->acls)
		return -1;
	p->nacls = arr->nchildren;
	for (i = 0; i < arr->nchildren; i++) {
		const node_t *g = rg_hj_child(L->doc, arr, i);
		struct acl_raw raw = { &p->acls[i], NULL, NULL, NULL, NULL };

		p->acls[i].span = g->span;
		p->acls[i].action.s = p->acls[i].proto.s = "";
		if (g->kind == RG_HJ_NULL)
			continue;
		if (g->kind != RG_HJ_OBJECT) {
			type_error(L, g, "ACL");
			continue;
		}
		each_field(L, g, acl_fields, sizeof(acl_fields) / sizeof(acl_fields[0]), acl_field,
			   &raw);
		if (L->oom)
			return -1;
		if (load_sels2(L, raw.src, raw.users, &p->acls[i].src, &p->acls[i].nsrc) < 0 ||
		    load_acl_dsts(L, &p->acls[i], raw.dst, raw.ports) < 0) {
			if (L->oom)
				return -1;
		}
	}
	return 0;
}

/* grants, then one rule per ACL destination (ip = that dst's proto:ports). */
static int build_rules(struct loader *L)
{
	struct rg_policy *p = L->p;
	size_t n = p->ngrants, i, j, k = 0;

	for (i = 0; i < p->nacls; i++)
		n += p->acls[i].ndst;
	p->rules = alloc(L, n, sizeof(*p->rules));
	if (n && !p->rules)
		return -1;
	for (i = 0; i < p->ngrants; i++)
		p->rules[k++] = &p->grants[i];
	for (i = 0; i < p->nacls; i++) {
		struct rg_acl *acl = &p->acls[i];

		for (j = 0; j < acl->ndst; j++) {
			struct rg_rule *r = alloc(L, 1, sizeof(*r));

			if (!r)
				return -1;
			r->origin = RG_ORIGIN_ACL;
			r->index = i;
			r->dst_index = j;
			r->span = acl->span;
			r->src = acl->src;
			r->nsrc = acl->nsrc;
			r->dst = &acl->dst[j].sel;
			r->ndst = 1;
			r->ip = &acl->dst[j].ports;
			r->nip = acl->dst[j].ports.nports ? 1 : 0;
			r->src_posture = acl->src_posture;
			r->nsrc_posture = acl->nsrc_posture;
			r->has_src_posture = acl->has_src_posture;
			p->rules[k++] = r;
		}
	}
	p->nrules = k;
	return 0;
}

/* ---- name maps ------------------------------------------------------- */

static int index_name(struct loader *L, struct rg_map *m, const char *key, void *val)
{
	if (rg_map_put(m, key, strlen(key), val, NULL) < 0) {
		L->oom = 1;
		return -1;
	}
	return 0;
}

static int check_object(struct loader *L, const node_t *n, const char *gotype)
{
	if (n->kind == RG_HJ_NULL)
		return 1;
	if (n->kind != RG_HJ_OBJECT) {
		type_error(L, n, gotype);
		return 1;
	}
	return 0;
}

static int load_groups(struct loader *L, const node_t *obj)
{
	struct rg_policy *p = L->p;
	size_t i;

	if (check_object(L, obj, "map[string][]string"))
		return 0;
	p->groups = alloc(L, obj->nchildren, sizeof(*p->groups));
	for (i = 0; i < obj->nchildren && p->groups; i++) {
		const node_t *m = rg_hj_child(L->doc, obj, i);
		struct rg_group *g = &p->groups[p->ngroups++];

		g->name = m->key;
		g->key_span = m->key_span;
		g->span = m->span;
		load_sels(L, m, &g->members, &g->n);
		index_name(L, &L->priv->groups, g->name, g);
	}
	return L->oom ? -1 : 0;
}

static int load_tag_owners(struct loader *L, const node_t *obj)
{
	struct rg_policy *p = L->p;
	size_t i, k;

	if (check_object(L, obj, "map[string][]string"))
		return 0;
	p->tag_owners = alloc(L, obj->nchildren, sizeof(*p->tag_owners));
	for (i = 0; i < obj->nchildren && p->tag_owners; i++) {
		const node_t *m = rg_hj_child(L->doc, obj, i);
		struct rg_tag_owner *t = &p->tag_owners[p->ntag_owners++];
		char *key = rg_arena_strndup(L->a, m->key, m->key_len);

		if (!key)
			return L->oom = 1, -1;
		for (k = 0; key[k]; k++)
			if (key[k] >= 'A' && key[k] <= 'Z')
				key[k] = (char)(key[k] - 'A' + 'a');
		t->name = m->key;
		t->key = key;
		t->key_span = m->key_span;
		t->span = m->span;
		load_sels(L, m, &t->owners, &t->n);
		index_name(L, &L->priv->tags, t->key, t);
	}
	return L->oom ? -1 : 0;
}

static int load_hosts(struct loader *L, const node_t *obj)
{
	struct rg_policy *p = L->p;
	size_t i;

	if (check_object(L, obj, "map[string]string"))
		return 0;
	p->hosts = alloc(L, obj->nchildren, sizeof(*p->hosts));
	for (i = 0; i < obj->nchildren && p->hosts; i++) {
		const node_t *m = rg_hj_child(L->doc, obj, i);
		struct rg_host *h = &p->hosts[p->nhosts++];

		h->name = m->key;
		h->key_span = m->key_span;
		h->span = m->span;
		if (load_str(L, m, &h->value) == 0)
			h->valid = rg_prefix_parse(h->value.s, h->value.len, true, &h->prefix) == 0;
		index_name(L, &L->priv->hosts, h->name, h);
	}
	return L->oom ? -1 : 0;
}

static int load_ipsets(struct loader *L, const node_t *obj)
{
	struct rg_policy *p = L->p;
	size_t i, j;

	if (check_object(L, obj, "map[string][]string"))
		return 0;
	p->ipsets = alloc(L, obj->nchildren, sizeof(*p->ipsets));
	for (i = 0; i < obj->nchildren && p->ipsets; i++) {
		const node_t *m = rg_hj_child(L->doc, obj, i);
		struct rg_ipset_def *d = &p->ipsets[p->nipsets++];
		struct rg_str *ops;
		size_t n;

		d->name = m->key;
		d->key_span = m->key_span;
		d->span = m->span;
		index_name(L, &L->priv->ipsets, d->name, d);
		if (load_strs(L, m, &ops, &n) < 0)
			continue;
		d->ops = alloc(L, n, sizeof(*d->ops));
		for (j = 0; j < n && d->ops; j++) {
			const char *s = ops[j].s;
			size_t len = ops[j].len;

			d->ops[j].text = ops[j];
			if (len > 4 && strncmp(s, "add ", 4) == 0) {
				s += 4;
				len -= 4;
			} else if (len > 7 && strncmp(s, "remove ", 7) == 0) {
				d->ops[j].remove = true;
				s += 7;
				len -= 7;
			}
			if (policy_selector_parse(L->a, s, len, ops[j].span, &d->ops[j].target) < 0)
				return L->oom = 1, -1;
		}
		d->n = n;
	}
	return L->oom ? -1 : 0;
}

static int load_postures(struct loader *L, const node_t *obj)
{
	struct rg_policy *p = L->p;
	size_t i;

	if (check_object(L, obj, "map[string][]string"))
		return 0;
	p->postures = alloc(L, obj->nchildren, sizeof(*p->postures));
	for (i = 0; i < obj->nchildren && p->postures; i++) {
		const node_t *m = rg_hj_child(L->doc, obj, i);
		struct rg_posture *d = &p->postures[p->npostures++];

		d->name = m->key;
		d->key_span = m->key_span;
		d->span = m->span;
		load_strs(L, m, &d->conds, &d->n);
		index_name(L, &L->priv->postures, d->name, d);
	}
	return L->oom ? -1 : 0;
}

/* ---- autoApprovers --------------------------------------------------- */

enum { F_ROUTES, F_EXITNODE, F_SERVICES };
static const struct field auto_fields[] = {
	{ "routes", F_ROUTES }, { "exitNode", F_EXITNODE }, { "services", F_SERVICES },
};

static int auto_field(struct loader *L, int id, const node_t *v, void *arg)
{
	struct rg_policy *p = L->p;
	size_t i;

	(void)arg;
	switch (id) {
	case F_EXITNODE:
		return load_sels(L, v, &p->auto_exit, &p->nauto_exit);
	case F_ROUTES:
		if (check_object(L, v, "map[netip.Prefix][]string"))
			return 0;
		p->auto_routes = alloc(L, v->nchildren, sizeof(*p->auto_routes));
		for (i = 0; i < v->nchildren && p->auto_routes; i++) {
			const node_t *m = rg_hj_child(L->doc, v, i);
			struct rg_auto_route *r = &p->auto_routes[p->nauto_routes++];

			r->text = (struct rg_str){ m->key, m->key_len, m->key_span };
			r->valid = rg_prefix_parse(m->key, m->key_len, false, &r->prefix) == 0;
			if (!r->valid)
				invalid(L, m->key_span, "autoApprovers: invalid route %s: not a CIDR prefix",
					m->key);
			load_sels(L, m, &r->approvers, &r->n);
		}
		return L->oom ? -1 : 0;
	case F_SERVICES:
		if (check_object(L, v, "map[string][]string"))
			return 0;
		p->auto_services = alloc(L, v->nchildren, sizeof(*p->auto_services));
		for (i = 0; i < v->nchildren && p->auto_services; i++) {
			const node_t *m = rg_hj_child(L->doc, v, i);
			struct rg_auto_service *s = &p->auto_services[p->nauto_services++];

			s->text = (struct rg_str){ m->key, m->key_len, m->key_span };
			if (policy_selector_parse(L->a, m->key, m->key_len, m->key_span, &s->key) < 0)
				return L->oom = 1, -1;
			load_sels(L, m, &s->approvers, &s->n);
		}
		return L->oom ? -1 : 0;
	}
	return 0;
}

/* ---- ssh ------------------------------------------------------------- */

enum { F_CHECKPERIOD = 20, F_ACCEPTENV, F_RECORDER, F_ENFORCERECORDER };
static const struct field ssh_fields[] = {
	{ "action", F_ACTION }, { "src", F_SRC }, { "dst", F_DST }, { "users", F_USERS },
	{ "checkPeriod", F_CHECKPERIOD }, { "acceptEnv", F_ACCEPTENV },
	{ "srcPosture", F_SRCPOSTURE }, { "recorder", F_RECORDER },
	{ "enforceRecorder", F_ENFORCERECORDER },
};

static int ssh_field(struct loader *L, int id, const node_t *v, void *arg)
{
	struct rg_ssh_rule *r = arg;

	switch (id) {
	case F_ACTION:
		return load_str(L, v, &r->action_text);
	case F_SRC:
		return load_sels(L, v, &r->src, &r->nsrc);
	case F_DST:
		return load_sels(L, v, &r->dst, &r->ndst);
	case F_USERS:
		r->has_users = v->kind != RG_HJ_NULL;
		return load_strs(L, v, &r->users, &r->nusers);
	case F_CHECKPERIOD:
		return load_str(L, v, &r->check_period);
	case F_ACCEPTENV:
		return load_strs(L, v, &r->accept_env, &r->naccept_env);
	case F_SRCPOSTURE:
		return load_sels(L, v, &r->src_posture, &r->nsrc_posture);
	case F_RECORDER:
		return load_sels(L, v, &r->recorder, &r->nrecorder);
	case F_ENFORCERECORDER:
		return load_bool(L, v, &r->enforce_recorder);
	}
	return 0;
}

/* ---- nodeAttrs, tests, sshTests -------------------------------------- */

enum { F_TARGET = 40, F_ATTR, F_IPPOOL, F_ACCEPT, F_DENY, F_CHECK, F_SRCPOSTUREATTRS };
static const struct field nodeattr_fields[] = {
	{ "target", F_TARGET }, { "attr", F_ATTR }, { "app", F_APP }, { "ipPool", F_IPPOOL },
};

static int nodeattr_field(struct loader *L, int id, const node_t *v, void *arg)
{
	struct rg_node_attr *a = arg;

	switch (id) {
	case F_TARGET:
		return load_sels(L, v, &a->target, &a->ntarget);
	case F_ATTR:
		return load_strs(L, v, &a->attr, &a->nattr);
	case F_APP:
		if (check_object(L, v, "map[string][]json.RawMessage"))
			return 0;
		a->app = v->val;
		return 0;
	case F_IPPOOL:
		return load_strs(L, v, &a->ip_pool, &a->nip_pool);
	}
	return 0;
}

static const struct field test_fields[] = {
	{ "src", F_SRC }, { "user", F_USERS }, { "proto", F_PROTO }, { "accept", F_ACCEPT },
	{ "allow", F_PORTS }, { "deny", F_DENY }, { "srcPostureAttrs", F_SRCPOSTUREATTRS },
};

static int append_strs(struct loader *L, const node_t *v, struct rg_str **out, size_t *n)
{
	struct rg_str *x, *all;
	size_t nx;

	if (load_strs(L, v, &x, &nx) < 0 || !nx)
		return L->oom ? -1 : 0;
	all = rg_arena_grow(L->a, *out, *n, *n + nx, sizeof(*all));
	if (!all)
		return L->oom = 1, -1;
	memcpy(all + *n, x, nx * sizeof(*x));
	*out = all;
	*n += nx;
	return 0;
}

static int test_field(struct loader *L, int id, const node_t *v, void *arg)
{
	struct rg_test *t = arg;

	switch (id) {
	case F_SRC:
	case F_USERS:
		t->has_src = t->has_src || v->kind != RG_HJ_NULL;
		return load_str(L, v, &t->src);
	case F_PROTO:
		return load_str(L, v, &t->proto);
	case F_ACCEPT:
	case F_PORTS:
		return append_strs(L, v, &t->accept, &t->naccept);
	case F_DENY:
		return load_strs(L, v, &t->deny, &t->ndeny);
	case F_SRCPOSTUREATTRS:
		if (check_object(L, v, "map[string]any"))
			return 0;
		t->src_posture_attrs = v->val;
		return 0;
	}
	return 0;
}

static const struct field sshtest_fields[] = {
	{ "src", F_SRC }, { "dst", F_DST }, { "accept", F_ACCEPT }, { "check", F_CHECK },
	{ "deny", F_DENY },
};

static int sshtest_field(struct loader *L, int id, const node_t *v, void *arg)
{
	struct rg_ssh_test *t = arg;

	switch (id) {
	case F_SRC:
		t->has_src = v->kind != RG_HJ_NULL;
		return load_str(L, v, &t->src);
	case F_DST:
		return load_strs(L, v, &t->dst, &t->ndst);
	case F_ACCEPT:
		return load_strs(L, v, &t->accept, &t->naccept);
	case F_CHECK:
		return load_strs(L, v, &t->check, &t->ncheck);
	case F_DENY:
		return load_strs(L, v, &t->deny, &t->ndeny);
	}
	return 0;
}

/* Loads an array of objects, calling fn on the fields of each element. */
static int load_objects(struct loader *L, const node_t *arr, const char *gotype, size_t elem,
			void **out, size_t *count, const struct field *fields, size_t nfields,
			int (*fn)(struct loader *, int, const node_t *, void *))
{
	size_t i;
	char *base;

	*out = NULL;
	*count = 0;
	if (arr->kind == RG_HJ_NULL)
		return 0;
	if (arr->kind != RG_HJ_ARRAY)
		return type_error(L, arr, gotype);
	base = alloc(L, arr->nchildren, elem);
	if (arr->nchildren && !base)
		return -1;
	for (i = 0; i < arr->nchildren; i++) {
		const node_t *o = rg_hj_child(L->doc, arr, i);

		/* Every element struct starts with its span. */
		memcpy(base + i * elem, &o->span, sizeof(o->span));
		if (o->kind == RG_HJ_NULL)
			continue;
		if (o->kind != RG_HJ_OBJECT) {
			type_error(L, o, gotype + 2);
			continue;
		}
		each_field(L, o, fields, nfields, fn, base + i * elem);
		if (L->oom)
			return -1;
	}
	*out = base;
	*count = arr->nchildren;
	return 0;
}

/* ---- top level ------------------------------------------------------- */

static const struct field top_fields[] = {
	{ "grants", RG_SEC_GRANTS }, { "acls", RG_SEC_ACLS }, { "ssh", RG_SEC_SSH },
	{ "groups", RG_SEC_GROUPS }, { "tagOwners", RG_SEC_TAGOWNERS }, { "hosts", RG_SEC_HOSTS },
	{ "ipsets", RG_SEC_IPSETS }, { "postures", RG_SEC_POSTURES },
	{ "defaultSrcPosture", RG_SEC_DEFAULTSRCPOSTURE }, { "autoApprovers", RG_SEC_AUTOAPPROVERS },
	{ "nodeAttrs", RG_SEC_NODEATTRS }, { "tests", RG_SEC_TESTS }, { "sshTests", RG_SEC_SSHTESTS },
	{ "derpMap", RG_SEC_DERPMAP }, { "disableIPv4", RG_SEC_DISABLEIPV4 },
	{ "OneCGNATRoute", RG_SEC_ONECGNATROUTE },
	{ "randomizeClientPort", RG_SEC_RANDOMIZECLIENTPORT }, { "attrConfig", RG_SEC_ATTRCONFIG },
};

const char *rg_section_name(enum rg_section s)
{
	size_t i;

	for (i = 0; i < sizeof(top_fields) / sizeof(top_fields[0]); i++)
		if (top_fields[i].id == (int)s)
			return top_fields[i].name;
	return "?";
}

static int top_field(struct loader *L, int id, const node_t *v, void *arg)
{
	struct rg_policy *p = L->p;

	(void)arg;
	p->present[id] = true;
	p->section_key[id] = ((const struct rg_hj_node *)v)->key_span;
	switch (id) {
	case RG_SEC_GRANTS: return load_grants(L, v);
	case RG_SEC_ACLS: return load_acls(L, v);
	case RG_SEC_GROUPS: return load_groups(L, v);
	case RG_SEC_TAGOWNERS: return load_tag_owners(L, v);
	case RG_SEC_HOSTS: return load_hosts(L, v);
	case RG_SEC_IPSETS: return load_ipsets(L, v);
	case RG_SEC_POSTURES: return load_postures(L, v);
	case RG_SEC_DEFAULTSRCPOSTURE:
		return load_sels(L, v, &p->default_src_posture, &p->ndefault_src_posture);
	case RG_SEC_AUTOAPPROVERS:
		if (check_object(L, v, "AutoApprovers"))
			return 0;
		return each_field(L, v, auto_fields, sizeof(auto_fields) / sizeof(auto_fields[0]),
				  auto_field, NULL);
	case RG_SEC_SSH:
		return load_objects(L, v, "[]SSHRule", sizeof(struct rg_ssh_rule), (void **)&p->ssh,
				    &p->nssh, ssh_fields, sizeof(ssh_fields) / sizeof(ssh_fields[0]),
				    ssh_field);
	case RG_SEC_NODEATTRS:
		return load_objects(L, v, "[]NodeAttrGrant", sizeof(struct rg_node_attr),
				    (void **)&p->node_attrs, &p->nnode_attrs, nodeattr_fields,
				    sizeof(nodeattr_fields) / sizeof(nodeattr_fields[0]), nodeattr_field);
	case RG_SEC_TESTS:
		return load_objects(L, v, "[]ACLTest", sizeof(struct rg_test), (void **)&p->tests,
				    &p->ntests, test_fields, sizeof(test_fields) / sizeof(test_fields[0]),
				    test_field);
	case RG_SEC_SSHTESTS:
		return load_objects(L, v, "[]SSHTest", sizeof(struct rg_ssh_test),
				    (void **)&p->ssh_tests, &p->nssh_tests, sshtest_fields,
				    sizeof(sshtest_fields) / sizeof(sshtest_fields[0]), sshtest_field);
	case RG_SEC_DERPMAP:
		if (check_object(L, v, "tailcfg.DERPMap"))
			return 0;
		p->derp_map = v->val;
		return 0;
	case RG_SEC_ATTRCONFIG:
		if (check_object(L, v, "map[string]AttrConfig"))
			return 0;
		p->attr_config = v->val;
		return 0;
	case RG_SEC_DISABLEIPV4: return load_bool(L, v, &p->disable_ipv4);
	case RG_SEC_RANDOMIZECLIENTPORT: return load_bool(L, v, &p->randomize_client_port);
	case RG_SEC_ONECGNATROUTE: return load_str(L, v, &p->one_cgnat_route);
	}
	return 0;
}

static void report_issues(struct loader *L)
{
	size_t i;

	for (i = 0; i < L->doc->nissues; i++) {
		const struct rg_hj_issue *is = &L->doc->issues[i];
		const node_t *n = &L->doc->nodes[is->node];

		switch (is->kind) {
		case RG_HJ_ISSUE_DUPLICATE_KEY:
			invalid(L, n->key_span, "duplicate key \"%s\"", n->key);
			break;
		case RG_HJ_ISSUE_NUL_IN_KEY:
			invalid(L, n->key_span, "object key contains U+0000");
			break;
		case RG_HJ_ISSUE_NUL_IN_STRING:
			/* Tailscale would compare the whole string and find no such
			 * name; C code would see it cut at the NUL. Refuse it. */
			invalid(L, n->span, "string contains U+0000");
			break;
		case RG_HJ_ISSUE_NUMBER_RANGE:
			invalid(L, n->span, "json: number %.*s out of range",
				(int)(n->span.end - n->span.start), L->p->src->data + n->span.start);
			break;
		}
	}
}

int rg_policy_parse(struct rg_source *src, struct rg_policy **out, struct rg_diags *diags)
{
	struct rg_hujson_error herr;
	struct rg_policy *p = NULL;
	struct policy_priv *priv = NULL;
	struct loader L;
	const node_t *root;
	char text[512];

	*out = NULL;
	p = calloc(1, sizeof(*p));
	priv = calloc(1, sizeof(*priv));
	if (!p || !priv) {
		free(p);
		free(priv);
		rg_diag_add(diags, RG_RULE_SYNTAX, RG_SEV_ERROR, src, (struct rg_span){ 0, 0 },
			    "out of memory");
		return -1;
	}
	rg_arena_init(&priv->arena);
	p->priv = priv;
	p->src = src;
	p->one_cgnat_route.s = "";
	if (rg_hujson_parse(src, RG_HUJSON_TREE, &p->doc, &herr) < 0) {
		struct rg_pos pos = rg_source_pos(src, herr.offset);

		(void)text;
		rg_diag_add(diags, RG_RULE_SYNTAX, RG_SEV_ERROR, src,
			    (struct rg_span){ (uint32_t)herr.offset, (uint32_t)herr.offset + 1 },
			    "hujson: line %u, column %u: %s", pos.line, pos.col, herr.msg);
		rg_policy_free(p);
		return -1;
	}
	memset(&L, 0, sizeof(L));
	L.p = p;
	L.priv = priv;
	L.doc = p->doc;
	L.diags = diags;
	L.a = &priv->arena;
	report_issues(&L);
	root = &p->doc->nodes[0];
	if (root->kind != RG_HJ_OBJECT) {
		type_error(&L, root, "ACLPolicy");
	} else {
		each_field(&L, root, top_fields, sizeof(top_fields) / sizeof(top_fields[0]), top_field,
			   NULL);
		if (!L.oom)
			build_rules(&L);
	}
	if (L.oom || diags->oom) {
		rg_diag_add(diags, RG_RULE_SYNTAX, RG_SEV_ERROR, src, (struct rg_span){ 0, 0 },
			    "out of memory");
		rg_policy_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

void rg_policy_free(struct rg_policy *p)
{
	struct policy_priv *priv;

	if (!p)
		return;
	priv = p->priv;
	if (priv) {
		rg_map_free(&priv->groups);
		rg_map_free(&priv->tags);
		rg_map_free(&priv->hosts);
		rg_map_free(&priv->ipsets);
		rg_map_free(&priv->postures);
		rg_arena_free(&priv->arena);
		free(priv);
	}
	rg_hujson_doc_free(p->doc);
	free(p);
}

const struct rg_group *rg_policy_group(const struct rg_policy *p, const char *name)
{
	return rg_map_get(&((struct policy_priv *)p->priv)->groups, name, strlen(name));
}

const struct rg_tag_owner *rg_policy_tag(const struct rg_policy *p, const char *name)
{
	char key[256];
	size_t n = strlen(name), i;

	if (n >= sizeof(key))
		return NULL;
	for (i = 0; i <= n; i++)
		key[i] = (char)((name[i] >= 'A' && name[i] <= 'Z') ? name[i] - 'A' + 'a' : name[i]);
	return rg_map_get(&((struct policy_priv *)p->priv)->tags, key, n);
}

const struct rg_host *rg_policy_host(const struct rg_policy *p, const char *name)
{
	return rg_map_get(&((struct policy_priv *)p->priv)->hosts, name, strlen(name));
}

const struct rg_ipset_def *rg_policy_ipset(const struct rg_policy *p, const char *name)
{
	return rg_map_get(&((struct policy_priv *)p->priv)->ipsets, name, strlen(name));
}

const struct rg_posture *rg_policy_posture(const struct rg_policy *p, const char *name)
{
	return rg_map_get(&((struct policy_priv *)p->priv)->postures, name, strlen(name));
}

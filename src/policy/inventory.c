/* Inventory loading: the tailnet's users and nodes, with located errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relaygate/disco_key.h"
#include "relaygate/hujson.h"
#include "relaygate/inventory.h"
#include "util/arena.h"
#include "util/keyfile.h"
#include "util/map.h"
#include "util/utf8.h"

struct inv_priv {
	struct rg_arena arena;
	struct rg_map nodes, users;
	struct rg_hujson_doc *doc;
};

struct iload {
	struct rg_inventory *inv;
	struct inv_priv *priv;
	struct rg_diags *diags;
	int errors;
	struct rg_map ips, discos;  /* address / disco key -> the node that has it */
};

typedef const struct rg_hj_node node_t;

static void bad(struct iload *L, struct rg_span span, const char *fmt, ...) RG_PRINTF(3, 4);

static void bad(struct iload *L, struct rg_span span, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rg_diag_add(L->diags, "inventory", RG_SEV_ERROR, L->inv->src, span, "%s", msg);
	L->errors++;
}

static const node_t *member(struct iload *L, node_t *obj, const char *key)
{
	return rg_hj_member(L->priv->doc, obj, key);
}

static unsigned line_of(struct iload *L, struct rg_span span)
{
	return rg_source_pos(L->inv->src, span.start).line;
}

/*
 * Names are printed by the CLI and logged by the daemon: a newline or an
 * escape sequence in one could forge another line or recolour the terminal.
 * Returns false (and reports) when the JSON string s holds a control character.
 */
static bool printable(struct iload *L, node_t *s, const char *what)
{
	const unsigned char *u = (const unsigned char *)json_string_value(s->val);
	size_t n = json_string_length(s->val), i = 0;

	while (i < n) {
		uint32_t cp = u[i];
		size_t l = u[i] < 0x80 ? 1 : rg_utf8_decode(u + i, n - i, &cp);

		if (l && rg_unicode_iscontrol(cp)) {
			bad(L, s->span, "\"%s\" must not contain control characters (U+%04X)", what,
			    (unsigned)cp);
			return false;
		}
		i += l ? l : 1;
	}
	return true;
}

/*
 * Records that owner has the key (stored in owner's arena, so not copied);
 * returns the node or user that had it first, or NULL.
 */
static const void *claim(struct iload *L, struct rg_map *m, const void *key, size_t len,
			 const void *owner, struct rg_span span)
{
	void *first = rg_map_get(m, key, len);

	if (first)
		return first;
	if (rg_map_put(m, key, len, (void *)owner, NULL) < 0)
		bad(L, span, "out of memory");
	return NULL;
}

/* A string member (NULL when absent or null; error when another type). */
static const char *str_member(struct iload *L, node_t *obj, const char *key, bool required)
{
	node_t *m = member(L, obj, key);

	if (!m || m->kind == RG_HJ_NULL) {
		if (required)
			bad(L, obj->span, "missing \"%s\"", key);
		return NULL;
	}
	if (m->kind == RG_HJ_NUMBER && strcmp(key, "id") == 0) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(m->val));
		return rg_arena_strdup(&L->priv->arena, buf);
	}
	if (m->kind != RG_HJ_STRING) {
		bad(L, m->span, "\"%s\" must be a string, not %s", key, rg_hj_kind_name(m->kind));
		return NULL;
	}
	if (!printable(L, m, key))
		return NULL;
	return json_string_value(m->val);
}

/* An array of strings member; calls fn on each. */
static int each_str(struct iload *L, node_t *obj, const char *key,
		    int (*fn)(struct iload *L, node_t *s, size_t i, void *arg), void *arg, size_t *n)
{
	node_t *m = member(L, obj, key);
	size_t i;

	*n = 0;
	if (!m || m->kind == RG_HJ_NULL)
		return 0;
	if (m->kind != RG_HJ_ARRAY) {
		bad(L, m->span, "\"%s\" must be an array of strings", key);
		return -1;
	}
	for (i = 0; i < m->nchildren; i++) {
		node_t *s = rg_hj_child(L->priv->doc, m, i);

		if (s->kind != RG_HJ_STRING) {
			bad(L, s->span, "\"%s\" entries must be strings", key);
			continue;
		}
		if (fn(L, s, (*n)++, arg) < 0)
			return -1;
	}
	return 0;
}

/* A second node with the same address would receive the first one's access. */
static int put_ip(struct iload *L, node_t *s, size_t i, void *arg)
{
	struct rg_inv_node *n = arg;
	const struct rg_inv_node *first;
	const char *t = json_string_value(s->val);

	if (rg_addr_parse(t, strlen(t), &n->ips[i]) < 0) {
		bad(L, s->span, "invalid IP address \"%s\"", t);
		memset(&n->ips[i], 0, sizeof(n->ips[i]));
		return 0;
	}
	first = claim(L, &L->ips, &n->ips[i], sizeof(n->ips[i]), n, s->span);
	if (first && first != n)
		bad(L, s->span, "IP address %s of node \"%s\" is already node \"%s\"'s (line %u)", t,
		    n->name, first->name, line_of(L, first->span));
	return 0;
}

/* Routes are prefixes: like netip.ParsePrefix callers in Tailscale, refuse host bits. */
static int put_prefix(struct iload *L, node_t *s, size_t i, void *arg)
{
	struct rg_prefix *v = arg;
	const char *t = json_string_value(s->val);

	if (rg_prefix_parse(t, strlen(t), true, &v[i]) < 0) {
		bad(L, s->span, "invalid route \"%s\"", t);
	} else if (!rg_prefix_is_masked(&v[i])) {
		struct rg_prefix p = v[i];
		char want[RG_PREFIX_STRLEN];
		rg_u128 lo, hi;

		rg_prefix_bounds(&p, &lo, &hi);
		p.addr = rg_addr_from_u128(lo, p.addr.is6);
		rg_prefix_format(&p, want);
		bad(L, s->span, "route \"%s\" has non-address bits set; expected \"%s\"", t, want);
	} else {
		return 0;
	}
	memset(&v[i], 0, sizeof(v[i]));
	v[i].bits = 255; /* marks an entry to skip */
	return 0;
}

static int put_tag(struct iload *L, node_t *s, size_t i, void *arg)
{
	struct rg_inv_node *n = arg;
	const char *t = json_string_value(s->val);
	char *k = rg_arena_strdup(&L->priv->arena, t);
	size_t j;

	if (!k)
		return -1;
	for (j = 0; k[j]; j++)
		if (k[j] >= 'A' && k[j] <= 'Z')
			k[j] = (char)(k[j] - 'A' + 'a');
	if (strncmp(t, "tag:", 4) != 0)
		bad(L, s->span, "invalid tag \"%s\": tags start with 'tag:'", t);
	else
		printable(L, s, "tags");
	n->tags[i] = t;
	n->tag_keys[i] = k;
	return 0;
}

/*
 * Relays know requesters by disco key alone: two nodes with one key would be
 * one requester. Weak keys (the all-zero key among them) never enter a
 * table, so sharing one gives nothing away.
 */
static void put_disco(struct iload *L, struct rg_span span, const char *dk, struct rg_inv_node *n)
{
	const struct rg_inv_node *first;
	struct rg_disco_key k;

	if (rg_hexkey_parse(dk, strlen(dk), "discokey:", n->disco) < 0) {
		bad(L, span, "invalid disco_key \"%s\": want \"discokey:\" and 64 hex digits", dk);
		return;
	}
	n->has_disco = true;
	memcpy(k.b, n->disco, sizeof(k.b));
	if (rg_disco_key_is_weak(&k))
		return;
	first = claim(L, &L->discos, n->disco, sizeof(n->disco), n, span);
	if (first)
		bad(L, span, "node \"%s\" has the disco key of node \"%s\" (line %u)", n->name,
		    first->name, line_of(L, first->span));
}

static size_t array_len(struct iload *L, node_t *obj, const char *key)
{
	node_t *m = member(L, obj, key);

	return m && m->kind == RG_HJ_ARRAY ? m->nchildren : 0;
}

/* The second of two nodes with one name would be unreachable by --node, table query and logs. */
static void put_node_name(struct iload *L, struct rg_inv_node *n, struct rg_span span)
{
	const struct rg_inv_node *first;

	first = claim(L, &L->priv->nodes, n->name, strlen(n->name), n, span);
	if (first)
		bad(L, span, "duplicate node name \"%s\" (first at line %u)", n->name,
		    line_of(L, first->span));
}

/* Nodes name their owner by login: two users with one login make ownership ambiguous. */
static void put_user(struct iload *L, struct rg_inv_user *u, struct rg_span span)
{
	const struct rg_inv_user *first = claim(L, &L->priv->users, u->email, strlen(u->email), u,
						span);

	if (first)
		bad(L, span, "duplicate user email \"%s\" (first at line %u)", u->email,
		    line_of(L, first->span));
}

static int load_node(struct iload *L, node_t *o, struct rg_inv_node *n)
{
	struct rg_arena *a = &L->priv->arena;
	const char *dk;
	size_t cap;

	n->span = o->span;
	n->name = str_member(L, o, "name", true);
	n->user = str_member(L, o, "user", false);
	if (n->name)
		put_node_name(L, n, member(L, o, "name")->span);
	else
		n->name = "";
	cap = array_len(L, o, "tags");
	n->tags = rg_arena_alloc(a, (cap + 1) * sizeof(*n->tags));
	n->tag_keys = rg_arena_alloc(a, (cap + 1) * sizeof(*n->tag_keys));
	n->ips = rg_arena_alloc(a, (array_len(L, o, "ips") + 1) * sizeof(*n->ips));
	n->routable = rg_arena_alloc(a, (array_len(L, o, "routable_ips") + 1) * sizeof(*n->routable));
	n->approved = rg_arena_alloc(a,
				     (array_len(L, o, "approved_routes") + 1) * sizeof(*n->approved));
	if (!n->tags || !n->tag_keys || !n->ips || !n->routable || !n->approved)
		return -1;
	if (each_str(L, o, "tags", put_tag, n, &n->ntags) < 0 && L->diags->oom)
		return -1;
	each_str(L, o, "ips", put_ip, n, &n->nips);
	each_str(L, o, "routable_ips", put_prefix, n->routable, &n->nroutable);
	each_str(L, o, "approved_routes", put_prefix, n->approved, &n->napproved);
	dk = str_member(L, o, "disco_key", false);
	if (dk)
		put_disco(L, member(L, o, "disco_key")->span, dk, n);
	return 0;
}

int rg_inventory_load(struct rg_source *src, struct rg_inventory **out, struct rg_diags *diags)
{
	struct rg_hujson_error herr;
	struct rg_inventory *inv = calloc(1, sizeof(*inv));
	struct inv_priv *priv = calloc(1, sizeof(*priv));
	struct iload L = { .inv = inv, .priv = priv, .diags = diags };
	node_t *root, *arr;
	size_t i;

	*out = NULL;
	if (!inv || !priv) {
		free(inv);
		free(priv);
		rg_diag_add(diags, "inventory", RG_SEV_ERROR, src, (struct rg_span){ 0, 0 },
			    "out of memory");
		return -1;
	}
	rg_arena_init(&priv->arena);
	inv->priv = priv;
	inv->src = src;
	if (rg_hujson_parse(src, RG_HUJSON_TREE, &priv->doc, &herr) < 0) {
		struct rg_pos pos = rg_source_pos(src, herr.offset);

		rg_diag_add(diags, RG_RULE_SYNTAX, RG_SEV_ERROR, src,
			    (struct rg_span){ (uint32_t)herr.offset, (uint32_t)herr.offset + 1 },
			    "hujson: line %u, column %u: %s", pos.line, pos.col, herr.msg);
		rg_inventory_free(inv);
		return -1;
	}
	for (i = 0; i < priv->doc->nissues; i++)
		if (priv->doc->issues[i].kind == RG_HJ_ISSUE_DUPLICATE_KEY)
			bad(&L, priv->doc->nodes[priv->doc->issues[i].node].key_span,
			    "duplicate key \"%s\"", priv->doc->nodes[priv->doc->issues[i].node].key);
	root = &priv->doc->nodes[0];
	if (root->kind != RG_HJ_OBJECT) {
		bad(&L, root->span, "an inventory is a JSON object with \"users\" and \"nodes\"");
		goto done;
	}
	arr = member(&L, root, "users");
	if (arr && arr->kind == RG_HJ_ARRAY) {
		inv->users = rg_arena_alloc(&priv->arena, (arr->nchildren + 1) * sizeof(*inv->users));
		for (i = 0; inv->users && i < arr->nchildren; i++) {
			node_t *o = rg_hj_child(priv->doc, arr, i);
			struct rg_inv_user *u = &inv->users[inv->nusers];

			if (o->kind != RG_HJ_OBJECT) {
				bad(&L, o->span, "a user is an object with \"name\" and \"email\"");
				continue;
			}
			u->span = o->span;
			u->id = str_member(&L, o, "id", false);
			u->name = str_member(&L, o, "name", false);
			u->email = str_member(&L, o, "email", false);
			if (!u->id)
				u->id = "";
			if (!u->name)
				u->name = "";
			inv->nusers++;
			if (u->email)
				put_user(&L, u, member(&L, o, "email")->span);
		}
	} else if (arr && arr->kind != RG_HJ_NULL) {
		bad(&L, arr->span, "\"users\" must be an array");
	}
	arr = member(&L, root, "nodes");
	if (!arr) {
		bad(&L, root->span, "missing \"nodes\"");
	} else if (arr->kind == RG_HJ_ARRAY) {
		inv->nodes = rg_arena_alloc(&priv->arena, (arr->nchildren + 1) * sizeof(*inv->nodes));
		for (i = 0; inv->nodes && i < arr->nchildren; i++) {
			node_t *o = rg_hj_child(priv->doc, arr, i);
			struct rg_inv_node *n = &inv->nodes[inv->nnodes];

			if (o->kind != RG_HJ_OBJECT) {
				bad(&L, o->span, "a node is an object with \"name\", \"user\", \"tags\" and \"ips\"");
				continue;
			}
			if (load_node(&L, o, n) < 0)
				break;
			n->index = inv->nnodes++;
		}
	} else if (arr->kind != RG_HJ_NULL) {
		bad(&L, arr->span, "\"nodes\" must be an array");
	}
	arr = member(&L, root, "domains");
	if (arr && arr->kind == RG_HJ_ARRAY) {
		inv->domains = rg_arena_alloc(&priv->arena, (arr->nchildren + 1) * sizeof(char *));
		for (i = 0; inv->domains && i < arr->nchildren; i++) {
			node_t *s = rg_hj_child(priv->doc, arr, i);

			if (s->kind == RG_HJ_STRING)
				inv->domains[inv->ndomains++] = json_string_value(s->val);
			else
				bad(&L, s->span, "\"domains\" entries must be strings");
		}
	} else if (inv->nusers && inv->users[0].email && strchr(inv->users[0].email, '@')) {
		inv->domains = rg_arena_alloc(&priv->arena, sizeof(char *));
		if (inv->domains)
			inv->domains[inv->ndomains++] = strchr(inv->users[0].email, '@') + 1;
	}
done:
	rg_map_free(&L.ips);
	rg_map_free(&L.discos);
	if (L.errors || diags->oom) {
		rg_inventory_free(inv);
		return -1;
	}
	*out = inv;
	return 0;
}

void rg_inventory_free(struct rg_inventory *inv)
{
	struct inv_priv *priv;

	if (!inv)
		return;
	priv = inv->priv;
	if (priv) {
		rg_map_free(&priv->nodes);
		rg_map_free(&priv->users);
		rg_hujson_doc_free(priv->doc);
		rg_arena_free(&priv->arena);
		free(priv);
	}
	free(inv);
}

const struct rg_inv_node *rg_inventory_node(const struct rg_inventory *inv, const char *name)
{
	struct inv_priv *priv = inv->priv;

	return rg_map_get(&priv->nodes, name, strlen(name));
}

const struct rg_inv_user *rg_inventory_user(const struct rg_inventory *inv, const char *login)
{
	struct inv_priv *priv = inv->priv;

	return rg_map_get(&priv->users, login, strlen(login));
}

bool rg_inventory_has_domain(const struct rg_inventory *inv, const char *domain)
{
	size_t i;

	for (i = 0; i < inv->ndomains; i++)
		if (strcmp(inv->domains[i], domain) == 0)
			return true;
	return false;
}

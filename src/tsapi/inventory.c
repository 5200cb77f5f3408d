/* From GET /devices?fields=all to relaygate's inventory (users and nodes). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tsapi/internal.h"

struct node {
	const char *name;   /* short name, owned by obj */
	const char *fqdn;   /* the MagicDNS name ("" if none), borrowed from the input */
	size_t index;       /* position in the API's list: the last tie-break */
	json_t *obj;
};

static int node_cmp(const void *a, const void *b)
{
	const struct node *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c == 0)
		c = strcmp(x->fqdn, y->fqdn);
	if (c == 0)
		c = x->index < y->index ? -1 : x->index > y->index;
	return c;
}

static size_t local_len(const char *login)
{
	const char *at = strchr(login, '@');

	return at ? (size_t)(at - login) : strlen(login);
}

static int login_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t lx = local_len(x), ly = local_len(y);
	int c = memcmp(x, y, lx < ly ? lx : ly);

	if (c == 0 && lx != ly)
		c = lx < ly ? -1 : 1;
	return c ? c : strcmp(x, y);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

/* A string member, "" when absent or null; -1 if it has another type. */
static int get_str(json_t *dev, const char *key, const char **out)
{
	json_t *v = json_object_get(dev, key);

	*out = "";
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	*out = json_string_value(v);
	return 0;
}

/* A copy of a list of strings (absent or null: empty), sorted and deduplicated if asked. */
static json_t *str_list(json_t *dev, const char *key, int sort, size_t di, struct rg_err *err)
{
	json_t *in = json_object_get(dev, key), *out, *v, **items = NULL;
	size_t i, n;

	if (in && !json_is_null(in) && !json_is_array(in)) {
		rg_err_set(err, "device %zu: '%s' is not a list", di, key);
		return NULL;
	}
	n = json_array_size(in);
	out = json_array();
	items = calloc(n ? n : 1, sizeof(*items));
	if (!out || !items) {
		rg_err_set(err, "out of memory");
		goto fail;
	}
	json_array_foreach(in, i, v) {
		if (!json_is_string(v)) {
			rg_err_set(err, "device %zu: '%s' holds a non-string", di, key);
			goto fail;
		}
		items[i] = v;
	}
	if (sort && n > 1)
		qsort(items, n, sizeof(*items), str_cmp);
	for (i = 0; i < n; i++) {
		if (sort && i > 0 && strcmp(json_string_value(items[i]),
					    json_string_value(items[i - 1])) == 0)
			continue;
		if (json_array_append(out, items[i]) < 0) {
			rg_err_set(err, "out of memory");
			goto fail;
		}
	}
	free(items);
	return out;
fail:
	free(items);
	json_decref(out);
	return NULL;
}

/* Adds key: value to obj, taking the reference; returns -1 (value freed) on failure. */
static int put(json_t *obj, const char *key, json_t *value)
{
	return value ? json_object_set_new(obj, key, value) : -1;
}

static json_t *make_node(json_t *dev, size_t di, const char **owner, struct rg_err *err)
{
	const char *fqdn, *host, *node_id, *user, *disco, *name;
	json_t *obj = NULL, *tags = NULL;
	size_t nlen;

	*owner = NULL;
	if (!json_is_object(dev) || get_str(dev, "name", &fqdn) < 0 ||
	    get_str(dev, "hostname", &host) < 0 || get_str(dev, "nodeId", &node_id) < 0 ||
	    get_str(dev, "user", &user) < 0 || get_str(dev, "discoKey", &disco) < 0) {
		rg_err_set(err, "device %zu is not an object of the expected shape", di);
		return NULL;
	}
	/* The MagicDNS name's first label; it is unique within the tailnet. */
	name = *fqdn ? fqdn : *host ? host : node_id;
	nlen = name == fqdn ? strcspn(fqdn, ".") : strlen(name);
	if (nlen == 0) {
		rg_err_set(err, "device %zu has no name, hostname or nodeId", di);
		return NULL;
	}
	tags = str_list(dev, "tags", 1, di, err);
	obj = json_object();
	if (!tags || !obj)
		goto fail;
	if (json_array_size(tags) == 0 && *user)
		*owner = user;
	if (put(obj, "name", json_stringn(name, nlen)) < 0 ||
	    put(obj, "user", *owner ? json_string(user) : json_null()) < 0 ||
	    put(obj, "tags", json_incref(tags)) < 0 ||
	    put(obj, "ips", str_list(dev, "addresses", 0, di, err)) < 0 ||
	    put(obj, "routable_ips", str_list(dev, "advertisedRoutes", 1, di, err)) < 0 ||
	    put(obj, "approved_routes", str_list(dev, "enabledRoutes", 1, di, err)) < 0 ||
	    (*disco && put(obj, "disco_key", json_string(disco)) < 0))
		goto fail;
	json_decref(tags);
	return obj;
fail:
	if (!err->msg[0])
		rg_err_set(err, "out of memory");
	json_decref(tags);
	json_decref(obj);
	return NULL;
}

static json_t *make_users(const char **logins, size_t n, struct rg_err *err)
{
	json_t *users = json_array();
	size_t i, id = 0;

	if (!users)
		goto oom;
	if (n > 1)
		qsort(logins, n, sizeof(*logins), login_cmp);
	for (i = 0; i < n; i++) {
		json_t *u;

		if (i > 0 && strcmp(logins[i], logins[i - 1]) == 0)
			continue;
		u = json_object();
		if (!u || json_array_append_new(users, u) < 0 ||
		    put(u, "id", json_integer((json_int_t)++id)) < 0 ||
		    put(u, "name", json_stringn(logins[i], local_len(logins[i]))) < 0 ||
		    put(u, "email", json_string(logins[i])) < 0)
			goto oom;
	}
	return users;
oom:
	rg_err_set(err, "out of memory");
	json_decref(users);
	return NULL;
}

int rg_tsapi_inventory_from_devices(const char *json, size_t len, char **out, size_t *outlen,
				    struct rg_err *err)
{
	json_t *root, *devs, *dev, *inv = NULL, *nodes = NULL, *users = NULL;
	struct node *ns = NULL;
	const char **logins = NULL;
	json_error_t jerr;
	size_t i, n, nlogins = 0;
	char *text = NULL;
	int ret = -1;

	*out = NULL;
	*outlen = 0;
	err->msg[0] = '\0';
	root = json_loadb(json, len, 0, &jerr);
	if (!root) {
		rg_err_set(err, "the devices answer is not JSON: line %d, column %d: %s", jerr.line,
			   jerr.column, jerr.text);
		return -1;
	}
	devs = json_object_get(root, "devices");
	if (!json_is_array(devs)) {
		rg_err_set(err, "the devices answer has no 'devices' list");
		goto out;
	}
	n = json_array_size(devs);
	ns = calloc(n ? n : 1, sizeof(*ns));
	logins = calloc(n ? n : 1, sizeof(*logins));
	nodes = json_array();
	inv = json_object();
	if (!ns || !logins || !nodes || !inv) {
		rg_err_set(err, "out of memory");
		goto out;
	}
	json_array_foreach(devs, i, dev) {
		const char *owner, *fqdn;

		ns[i].obj = make_node(dev, i, &owner, err);
		if (!ns[i].obj)
			goto out;
		ns[i].name = json_string_value(json_object_get(ns[i].obj, "name"));
		ns[i].fqdn = get_str(dev, "name", &fqdn) == 0 ? fqdn : "";
		ns[i].index = i;
		if (owner)
			logins[nlogins++] = owner;
	}
	if (n > 1)
		qsort(ns, n, sizeof(*ns), node_cmp);
	for (i = 0; i < n; i++) {
		if (json_array_append(nodes, ns[i].obj) < 0) {
			rg_err_set(err, "out of memory");
			goto out;
		}
	}
	users = make_users(logins, nlogins, err);
	if (!users || json_object_set(inv, "users", users) < 0 ||
	    json_object_set(inv, "nodes", nodes) < 0) {
		if (!err->msg[0])
			rg_err_set(err, "out of memory");
		goto out;
	}
	text = json_dumps(inv, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (text) {
		struct rg_buf b;

		rg_buf_init(&b, 0);
		rg_buf_puts(&b, text);
		rg_buf_putc(&b, '\n');
		*out = rg_buf_take(&b, outlen);
	}
	if (!*out) {
		rg_err_set(err, "out of memory");
		goto out;
	}
	ret = 0;
out:
	if (ns)
		for (i = 0; i < n; i++)
			json_decref(ns[i].obj);
	free(text);
	free(ns);
	free(logins);
	json_decref(users);
	json_decref(nodes);
	json_decref(inv);
	json_decref(root);
	return ret;
}

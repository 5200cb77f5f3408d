/* ServerEndpoint JSON (Tailscale's debug/status form); see relay_endpoint_json.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "policy/internal.h" /* Go duration text: policy_duration_parse/_format */
#include "relaygate/hujson.h"
#include "relaygate/relay_endpoint_json.h"

/* Go's time.Duration.String is at most 25 bytes ("-2562047h47m16.854775808s"). */
#define DURATION_TEXT_MAX 40

int rg_relay_endpoint_to_json(const struct rg_relay_endpoint_info *info, char *out, size_t cap,
			      size_t *len)
{
	char key[RG_DISCO_KEY_TEXT_LEN + 1], bind[DURATION_TEXT_MAX], steady[DURATION_TEXT_MAX];
	size_t n = 0;
	int r;

	*len = 0;
	if (cap)
		out[0] = '\0';
	if (info->n_addrs > RG_RELAY_MAX_ADDRS)
		return -1;
	rg_disco_key_format(&info->server_disco, key);
	policy_duration_format(info->bind_lifetime_ns, bind, sizeof(bind));
	policy_duration_format(info->steady_lifetime_ns, steady, sizeof(steady));

/* Appends with snprintf; fails once the text no longer fits. */
#define PUT(...)                                                                     \
	do {                                                                         \
		r = snprintf(out + n, n < cap ? cap - n : 0, __VA_ARGS__);           \
		if (r < 0 || (size_t)r >= (n < cap ? cap - n : 0))                   \
			goto toolong;                                                \
		n += (size_t)r;                                                      \
	} while (0)

	PUT("{\"ServerDisco\":\"%s\",\"LamportID\":%" PRIu64 ",\"AddrPorts\":", key,
	    info->lamport_id);
	if (info->n_addrs == 0) {
		PUT("null");
	} else {
		for (size_t i = 0; i < info->n_addrs; i++) {
			char a[RG_ADDRPORT_TEXT_MAX];

			rg_addrport_format(&info->addrs[i], a, sizeof(a));
			PUT("%c\"%s\"", i ? ',' : '[', a);
		}
		PUT("]");
	}
	PUT(",\"VNI\":%" PRIu32 ",\"BindLifetime\":\"%s\",\"SteadyStateLifetime\":\"%s\"}",
	    info->vni, bind, steady);
#undef PUT
	*len = n;
	return 0;
toolong:
	if (cap)
		out[0] = '\0';
	return -1;
}

enum field { F_SERVER_DISCO, F_LAMPORT_ID, F_ADDR_PORTS, F_VNI, F_BIND, F_STEADY, F_UNKNOWN };

static const char *const field_names[] = {
	[F_SERVER_DISCO] = "ServerDisco", [F_LAMPORT_ID] = "LamportID",
	[F_ADDR_PORTS] = "AddrPorts",     [F_VNI] = "VNI",
	[F_BIND] = "BindLifetime",        [F_STEADY] = "SteadyStateLifetime",
};

/* encoding/json matches member names to fields case-insensitively. */
static enum field field_of(const struct rg_hj_node *m)
{
	for (int f = 0; f < F_UNKNOWN; f++) {
		size_t n = strlen(field_names[f]);

		if (m->key_len == n && !memchr(m->key, '\0', n) &&
		    strncasecmp(m->key, field_names[f], n) == 0)
			return (enum field)f;
	}
	return F_UNKNOWN;
}

/* A JSON number's text as Go's strconv.ParseUint(text, 10, bits): digits only. */
static int parse_uint(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = (unsigned)(s[i] - '0');
		if (v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int type_error(struct rg_err *err, enum field f, const struct rg_hj_node *v,
		      const char *want)
{
	return rg_err_set(err, "%s: a %s where %s is expected", field_names[f],
			  rg_hj_kind_name((enum rg_hj_kind)v->kind), want);
}

/* The string value of v (length in *n), or NULL after reporting a type error. */
static const char *string_of(const struct rg_hj_node *v, enum field f, size_t *n,
			     struct rg_err *err)
{
	if (v->kind != RG_HJ_STRING) {
		type_error(err, f, v, "a string");
		return NULL;
	}
	*n = json_string_length(v->val);
	return json_string_value(v->val);
}

static int read_number(const struct rg_hujson_doc *doc, const struct rg_hj_node *v, enum field f,
		       uint64_t max, uint64_t *out, struct rg_err *err)
{
	const char *s = doc->src->data + v->span.start;
	size_t n = v->span.end - v->span.start;

	if (v->kind != RG_HJ_NUMBER)
		return type_error(err, f, v, "a number");
	if (parse_uint(s, n, max, out) < 0)
		return rg_err_set(err, "%s: %.*s is not an unsigned %d-bit integer", field_names[f],
				  (int)(n > 40 ? 40 : n), s, max == UINT64_MAX ? 64 : 32);
	return 0;
}

static int read_duration(const struct rg_hj_node *v, enum field f, int64_t *out,
			 struct rg_err *err)
{
	char msg[256];
	size_t n;
	const char *s = string_of(v, f, &n, err);

	if (!s)
		return -1;
	if (policy_duration_parse(s, n, out, msg, sizeof(msg)) < 0)
		return rg_err_set(err, "%s: %s", field_names[f], msg);
	return 0;
}

static int read_addrs(const struct rg_hujson_doc *doc, const struct rg_hj_node *v,
		      struct rg_relay_endpoint_info *out, struct rg_err *err)
{
	out->n_addrs = 0;
	if (v->kind == RG_HJ_NULL)
		return 0; /* Go: a nil slice */
	if (v->kind != RG_HJ_ARRAY)
		return type_error(err, F_ADDR_PORTS, v, "an array");
	if (v->nchildren > RG_RELAY_MAX_ADDRS)
		return rg_err_set(err, "AddrPorts: %u addresses, at most %d", v->nchildren,
				  RG_RELAY_MAX_ADDRS);
	for (uint32_t i = 0; i < v->nchildren; i++) {
		const struct rg_hj_node *e = rg_hj_child(doc, v, i);
		size_t n;
		const char *s = string_of(e, F_ADDR_PORTS, &n, err);

		if (!s)
			return -1;
		if (n == 0 || memchr(s, '\0', n) || rg_addrport_parse(s, &out->addrs[i]) < 0)
			return rg_err_set(err, "AddrPorts: \"%.*s\" is not an ip:port",
					  (int)(n > 64 ? 64 : n), s);
		out->n_addrs = i + 1;
	}
	return 0;
}

static int read_member(const struct rg_hujson_doc *doc, const struct rg_hj_node *v, enum field f,
		       struct rg_relay_endpoint_info *out, struct rg_err *err)
{
	uint64_t u;
	size_t n;
	const char *s;

	/* Go: null leaves a non-slice field as it is. */
	if (v->kind == RG_HJ_NULL && f != F_ADDR_PORTS)
		return 0;
	switch (f) {
	case F_SERVER_DISCO:
		if (!(s = string_of(v, f, &n, err)))
			return -1;
		if (rg_disco_key_parse(s, n, &out->server_disco) < 0)
			return rg_err_set(err, "ServerDisco: \"%.*s\" is not \"discokey:\" and 64 hex digits",
					  (int)(n > 80 ? 80 : n), s);
		return 0;
	case F_LAMPORT_ID:
		return read_number(doc, v, f, UINT64_MAX, &out->lamport_id, err);
	case F_ADDR_PORTS:
		return read_addrs(doc, v, out, err);
	case F_VNI:
		if (read_number(doc, v, f, UINT32_MAX, &u, err) < 0)
			return -1;
		out->vni = (uint32_t)u;
		return 0;
	case F_BIND:
		return read_duration(v, f, &out->bind_lifetime_ns, err);
	case F_STEADY:
		return read_duration(v, f, &out->steady_lifetime_ns, err);
	case F_UNKNOWN:
		break;
	}
	return 0;
}

int rg_relay_endpoint_from_json(const char *text, size_t len, struct rg_relay_endpoint_info *out,
				struct rg_err *err)
{
	struct rg_source *src;
	struct rg_hujson_doc *doc = NULL;
	struct rg_hujson_error herr;
	const struct rg_hj_node *root;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	src = rg_source_from_mem("endpoint", text, len);
	if (!src)
		return rg_err_set(err, "out of memory");
	if (rg_hujson_parse(src, RG_HUJSON_TREE, &doc, &herr) < 0) {
		rg_err_set(err, "invalid JSON at byte %zu: %s", herr.offset, herr.msg);
		goto out;
	}
	/* The HuJSON parser is JSON's plus these two; plain JSON has neither. */
	if (doc->ncomments || doc->ncommas) {
		rg_err_set(err, "invalid JSON: %s", doc->ncomments ? "comment" : "trailing comma");
		goto out;
	}
	root = &doc->nodes[0];
	if (root->kind != RG_HJ_OBJECT) {
		rg_err_set(err, "a %s where a ServerEndpoint object is expected",
			   rg_hj_kind_name((enum rg_hj_kind)root->kind));
		goto out;
	}
	/* Members in source order: the last of repeated names wins, as in Go. */
	for (uint32_t i = 0; i < root->nchildren; i++) {
		const struct rg_hj_node *m = rg_hj_child(doc, root, i);

		if (read_member(doc, m, field_of(m), out, err) < 0)
			goto out;
	}
	ret = 0;
out:
	if (ret < 0)
		memset(out, 0, sizeof(*out));
	rg_hujson_doc_free(doc);
	rg_source_free(src);
	return ret;
}

/*
 * relaygated options. The config file holds the same options, one per
 * line, without the leading dashes: "listen 0.0.0.0:3478", "require-both";
 * '#' starts a comment.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "util/err.h"
#include "util/file.h"

#define CONFIG_FILE_MAX (64 << 10)
#define CONFIG_LINES_MAX 256

const char rgd_usage[] =
	"usage: relaygated --listen ADDR:PORT [--listen ADDR:PORT] --key RELAY_KEY\n"
	"                  --table TABLE --trust SIGN_PUB [--trust SIGN_PUB]... --relay NODE_NAME\n"
	"                  [--metrics ADDR:PORT|off] [--sockets N] [--advertise ADDR:PORT]...\n"
	"                  [--user USER] [--require-both] [--config FILE] [-n]\n"
	"\n"
	"Enforcing UDP peer relay with Tailscale's peer-relay wire formats: it allocates\n"
	"endpoints only to nodes the signed authorization table allows on this relay.\n"
	"\n"
	"  --listen ADDR:PORT       UDP address to serve; at most one IPv4 and one IPv6\n"
	"  --key FILE               the relay's long-term disco private key\n"
	"  --table FILE             authorization table (relaygate compile); reloaded on SIGHUP\n"
	"  --trust FILE             file holding a trusted table-signing public key\n"
	"  --relay NAME             this relay's node name in the table\n"
	"  --metrics ADDR:PORT      Prometheus /metrics and /healthz (default " RGD_DEFAULT_METRICS
	")\n"
	"  --sockets N              sockets (and workers) per family (default: usable CPUs, <= 16)\n"
	"  --advertise ADDR:PORT    address named in allocation responses (repeatable)\n"
	"  --user USER              drop privileges to USER once the sockets are bound\n"
	"  --require-both           also require the other client of a pair to be allowed\n"
	"  --table-max-age SECONDS  refuse tables older than this (default: no limit)\n"
	"  --table-min-serial N     refuse tables with a lower serial, at start too (rollback)\n"
	"  --max-endpoints N        endpoints in total (default 16384)\n"
	"  --max-endpoints-per-node N  endpoints one node may hold (default 1024)\n"
	"  --max-connecting-per-node N unbound endpoints one node may hold (default 64)\n"
	"  --no-gso, --no-gro       do not use UDP segmentation / receive offload\n"
	"  --config FILE            read options from FILE (\"listen 0.0.0.0:3478\", one per line)\n"
	"  -n, --check              check the configuration and the table, then exit\n"
	"\n"
	"Exit status: 0 stopped cleanly (or -n: configuration OK), 1 runtime failure,\n"
	"2 usage, configuration, key, table or socket error at start.\n";

enum opt_kind { O_FLAG, O_VALUE };

struct opt {
	const char *name;
	enum opt_kind kind;
	int id;
};

enum {
	OPT_LISTEN, OPT_KEY, OPT_TABLE, OPT_TRUST, OPT_RELAY, OPT_METRICS, OPT_SOCKETS,
	OPT_ADVERTISE, OPT_USER, OPT_REQUIRE_BOTH, OPT_CONFIG, OPT_CHECK, OPT_MAX_AGE, OPT_MIN_SERIAL,
	OPT_MAX_EP, OPT_MAX_NODE, OPT_MAX_CONN, OPT_NO_GSO, OPT_NO_GRO, OPT_HELP, OPT_VERSION,
};

static const struct opt opts[] = {
	{ "listen", O_VALUE, OPT_LISTEN },
	{ "key", O_VALUE, OPT_KEY },
	{ "table", O_VALUE, OPT_TABLE },
	{ "trust", O_VALUE, OPT_TRUST },
	{ "relay", O_VALUE, OPT_RELAY },
	{ "metrics", O_VALUE, OPT_METRICS },
	{ "sockets", O_VALUE, OPT_SOCKETS },
	{ "advertise", O_VALUE, OPT_ADVERTISE },
	{ "user", O_VALUE, OPT_USER },
	{ "require-both", O_FLAG, OPT_REQUIRE_BOTH },
	{ "config", O_VALUE, OPT_CONFIG },
	{ "check", O_FLAG, OPT_CHECK },
	{ "table-max-age", O_VALUE, OPT_MAX_AGE },
	{ "table-min-serial", O_VALUE, OPT_MIN_SERIAL },
	{ "max-endpoints", O_VALUE, OPT_MAX_EP },
	{ "max-endpoints-per-node", O_VALUE, OPT_MAX_NODE },
	{ "max-connecting-per-node", O_VALUE, OPT_MAX_CONN },
	{ "no-gso", O_FLAG, OPT_NO_GSO },
	{ "no-gro", O_FLAG, OPT_NO_GRO },
	{ "help", O_FLAG, OPT_HELP },
	{ "version", O_FLAG, OPT_VERSION },
	{ NULL, O_FLAG, 0 },
};

void rgd_config_init(struct rgd_config *c)
{
	struct rg_relay_config rc;

	memset(c, 0, sizeof(*c));
	rg_relay_config_init(&rc);
	c->metrics_on = true;
	if (rg_addrport_parse(RGD_DEFAULT_METRICS, &c->metrics) < 0)
		abort();
	c->max_endpoints = rc.max_endpoints;
	c->max_per_node = rc.max_per_requester;
	c->max_connecting_per_node = rc.max_connecting_per_requester;
}

void rgd_config_free(struct rgd_config *c)
{
	for (size_t i = 0; i < c->nstrings; i++)
		free(c->strings[i]);
	c->nstrings = 0;
}

static const struct opt *find_opt(const char *name, size_t n)
{
	for (const struct opt *o = opts; o->name; o++)
		if (strlen(o->name) == n && memcmp(o->name, name, n) == 0)
			return o;
	return NULL;
}

static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (parse_u64(s, min, max, &v) < 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int family_of(const struct rg_addrport *a)
{
	return rg_addrport_is4(a) ? 0 : 1;
}

/* Where the value of one option came from, to let the command line
 * replace a list from the file. */
struct source {
	bool cli;
	bool cli_listen, cli_advertise, cli_trust;
};

static void set_list_start(bool *seen, bool cli, size_t *n, bool *flags, size_t nflags)
{
	if (cli && !*seen) {
		*seen = true;
		if (n)
			*n = 0;
		for (size_t i = 0; i < nflags; i++)
			flags[i] = false;
	}
}

static int apply(struct rgd_config *c, struct source *src, const struct opt *o, const char *v,
		 struct rg_err *err)
{
	struct rg_addrport a;
	uint32_t u;

	switch (o->id) {
	case OPT_LISTEN:
		set_list_start(&src->cli_listen, src->cli, NULL, c->have_listen, RGD_FAMILIES);
		if (rg_addrport_parse(v, &a) < 0)
			return rg_err_set(err, "--listen %s: not ADDR:PORT", v);
		if (c->have_listen[family_of(&a)])
			return rg_err_set(err, "--listen %s: at most one %s address (listen on the "
					  "wildcard and use --advertise on multi-homed hosts)", v,
					  family_of(&a) ? "IPv6" : "IPv4");
		c->have_listen[family_of(&a)] = true;
		c->listen[family_of(&a)] = a;
		return 0;
	case OPT_ADVERTISE:
		set_list_start(&src->cli_advertise, src->cli, &c->nadvertise, NULL, 0);
		if (rg_addrport_parse(v, &a) < 0 || a.port == 0 || rg_addrport_is_zero(&a))
			return rg_err_set(err, "--advertise %s: not ADDR:PORT with a port", v);
		if (c->nadvertise >= RG_RELAY_MAX_ADDRS)
			return rg_err_set(err, "--advertise: at most %d addresses", RG_RELAY_MAX_ADDRS);
		c->advertise[c->nadvertise++] = a;
		return 0;
	case OPT_TRUST:
		set_list_start(&src->cli_trust, src->cli, &c->ntrust, NULL, 0);
		if (c->ntrust >= RGD_MAX_TRUST)
			return rg_err_set(err, "--trust: at most %d keys", RGD_MAX_TRUST);
		c->trust_path[c->ntrust++] = v;
		return 0;
	case OPT_KEY:
		c->key_path = v;
		return 0;
	case OPT_TABLE:
		c->table_path = v;
		return 0;
	case OPT_RELAY:
		if (!*v)
			return rg_err_set(err, "--relay: empty node name");
		c->relay_name = v;
		return 0;
	case OPT_METRICS:
		if (strcmp(v, "off") == 0) {
			c->metrics_on = false;
			return 0;
		}
		if (rg_addrport_parse(v, &c->metrics) < 0)
			return rg_err_set(err, "--metrics %s: not ADDR:PORT or off", v);
		c->metrics_on = true;
		return 0;
	case OPT_SOCKETS:
		if (parse_u32(v, 1, RGD_MAX_SOCKETS, &u) < 0)
			return rg_err_set(err, "--sockets %s: not a number from 1 to %d", v,
					  RGD_MAX_SOCKETS);
		c->sockets = u;
		return 0;
	case OPT_USER:
		c->user = v;
		return 0;
	case OPT_MAX_AGE:
		if (parse_u64(v, 0, (uint64_t)1 << 40, &c->table_max_age) < 0)
			return rg_err_set(err, "--table-max-age %s: not a number of seconds", v);
		return 0;
	case OPT_MIN_SERIAL:
		if (parse_u64(v, 0, UINT64_MAX, &c->table_min_serial) < 0)
			return rg_err_set(err, "--table-min-serial %s: not a number", v);
		return 0;
	case OPT_MAX_EP:
		if (parse_u32(v, 1, 1u << 24, &c->max_endpoints) < 0)
			return rg_err_set(err, "--max-endpoints %s: not a number from 1 to %u", v,
					  1u << 24);
		return 0;
	case OPT_MAX_NODE:
		if (parse_u32(v, 1, 1u << 24, &c->max_per_node) < 0)
			return rg_err_set(err, "--max-endpoints-per-node %s: not a number", v);
		return 0;
	case OPT_MAX_CONN:
		if (parse_u32(v, 1, 1u << 24, &c->max_connecting_per_node) < 0)
			return rg_err_set(err, "--max-connecting-per-node %s: not a number", v);
		return 0;
	case OPT_REQUIRE_BOTH:
		c->require_both = true;
		return 0;
	case OPT_CHECK:
		c->check_only = true;
		return 0;
	case OPT_NO_GSO:
		c->no_gso = true;
		return 0;
	case OPT_NO_GRO:
		c->no_gro = true;
		return 0;
	default:
		return 0;
	}
}

static char *keep(struct rgd_config *c, const char *s, size_t n)
{
	char *p;

	if (c->nstrings >= sizeof(c->strings) / sizeof(c->strings[0]))
		return NULL;
	p = strndup(s, n);
	if (p)
		c->strings[c->nstrings++] = p;
	return p;
}

static int parse_file(struct rgd_config *c, const char *path, struct rg_err *err)
{
	struct source src = { .cli = false };
	char *data, *line, *next;
	size_t len;
	int lineno = 0, ret = -1;

	if (rg_file_read(path, CONFIG_FILE_MAX, &data, &len, err) < 0)
		return -1;
	if (memchr(data, '\0', len)) {
		rg_err_set(err, "%s: contains a NUL byte", path);
		goto out;
	}
	for (line = data; line && *line; line = next) {
		const char *name, *val = "";
		size_t nlen, vlen = 0;
		const struct opt *o;
		char *hash, *p, *v;
		struct rg_err e;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (++lineno > CONFIG_LINES_MAX) {
			rg_err_set(err, "%s: more than %d lines", path, CONFIG_LINES_MAX);
			goto out;
		}
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		name = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r')
			p++;
		nlen = (size_t)(p - name);
		if (nlen == 0)
			continue;
		while (*p == ' ' || *p == '\t')
			p++;
		val = p;
		vlen = strlen(val);
		while (vlen && (val[vlen - 1] == ' ' || val[vlen - 1] == '\t' || val[vlen - 1] == '\r'))
			vlen--;
		o = find_opt(name, nlen);
		if (!o || o->id == OPT_CONFIG || o->id == OPT_HELP || o->id == OPT_VERSION) {
			rg_err_set(err, "%s:%d: unknown option '%.*s'", path, lineno, (int)nlen, name);
			goto out;
		}
		if ((o->kind == O_VALUE) != (vlen > 0)) {
			rg_err_set(err, "%s:%d: '%s' %s", path, lineno, o->name,
				   o->kind == O_VALUE ? "needs a value" : "takes no value");
			goto out;
		}
		v = keep(c, val, vlen);
		if (!v) {
			rg_err_set(err, "%s:%d: too many options", path, lineno);
			goto out;
		}
		if (apply(c, &src, o, v, &e) < 0) {
			rg_err_set(err, "%s:%d: %s", path, lineno, e.msg);
			goto out;
		}
	}
	ret = 0;
out:
	free(data);
	return ret;
}

/* Splits "--name=value" / "--name value" / "-n". */
static int next_cli(int argc, char **argv, int *i, const struct opt **o, const char **val,
		    struct rg_err *err)
{
	const char *a = argv[*i], *eq;

	*val = NULL;
	if (strcmp(a, "-n") == 0) {
		*o = find_opt("check", 5);
		return 0;
	}
	if (strcmp(a, "-h") == 0) {
		*o = find_opt("help", 4);
		return 0;
	}
	if (strcmp(a, "-V") == 0) {
		*o = find_opt("version", 7);
		return 0;
	}
	if (strncmp(a, "--", 2) != 0)
		return rg_err_set(err, "unexpected argument '%s'", a);
	a += 2;
	eq = strchr(a, '=');
	*o = find_opt(a, eq ? (size_t)(eq - a) : strlen(a));
	if (!*o)
		return rg_err_set(err, "unknown option '%s'", argv[*i]);
	if ((*o)->kind == O_FLAG) {
		if (eq)
			return rg_err_set(err, "option '--%s' takes no value", (*o)->name);
		return 0;
	}
	if (eq) {
		*val = eq + 1;
		return 0;
	}
	if (*i + 1 >= argc)
		return rg_err_set(err, "option '--%s' needs a value", (*o)->name);
	*val = argv[++*i];
	return 0;
}

int rgd_config_parse(struct rgd_config *c, int argc, char **argv, struct rg_err *err)
{
	struct source src = { .cli = true };
	const struct opt *o;
	const char *v;

	/* The file first, so that the command line overrides it. */
	for (int i = 0; i < argc; i++) {
		if (next_cli(argc, argv, &i, &o, &v, err) < 0)
			return -1;
		if (o->id == OPT_HELP) {
			fputs(rgd_usage, stdout);
			return 1;
		}
		if (o->id == OPT_VERSION) {
			printf("relaygated %s\n", RG_VERSION);
			return 1;
		}
		if (o->id == OPT_CONFIG && parse_file(c, v, err) < 0)
			return -1;
	}
	for (int i = 0; i < argc; i++) {
		if (next_cli(argc, argv, &i, &o, &v, err) < 0)
			return -1;
		if (o->id != OPT_CONFIG && apply(c, &src, o, v, err) < 0)
			return -1;
	}
	return 0;
}

bool rgd_addr_is_wildcard(const struct rg_addrport *a)
{
	static const uint8_t any6[16];
	static const uint8_t any4[16] = { [10] = 0xff, [11] = 0xff };

	return memcmp(a->ip, any6, 16) == 0 || memcmp(a->ip, any4, 16) == 0;
}

int rgd_config_check(const struct rgd_config *c, struct rg_err *err)
{
	if (!c->have_listen[0] && !c->have_listen[1])
		return rg_err_set(err, "--listen is required");
	if (!c->key_path)
		return rg_err_set(err, "--key is required");
	if (!c->table_path)
		return rg_err_set(err, "--table is required");
	if (c->ntrust == 0)
		return rg_err_set(err, "--trust is required");
	if (!c->relay_name)
		return rg_err_set(err, "--relay is required");
	if (c->nadvertise == 0)
		for (int f = 0; f < RGD_FAMILIES; f++)
			if (c->have_listen[f] && rgd_addr_is_wildcard(&c->listen[f]))
				return rg_err_set(err, "a wildcard --listen address needs --advertise "
						  "(the address clients reach this relay at)");
	if (c->max_per_node > c->max_endpoints)
		return rg_err_set(err, "--max-endpoints-per-node exceeds --max-endpoints");
	return 0;
}


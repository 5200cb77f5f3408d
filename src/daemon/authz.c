/* Loading the trusted keys and the authorization table. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "daemon/authz.h"
#include "util/err.h"
#include "util/file.h"

#define TRUST_FILE_MAX 4096

int rgd_trust_parse(const char *text, uint8_t key[RG_TABLE_KEY_LEN])
{
	const char *p = text, *colon, *end;
	size_t n, bin = 0;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	for (end = p; *end && *end != '\n' && *end != '\r' && *end != ' ' && *end != '\t'; end++)
		;
	colon = memchr(p, ':', (size_t)(end - p));
	if (colon)
		p = colon + 1;
	n = (size_t)(end - p);
	if (n != 2 * RG_TABLE_KEY_LEN)
		return -1;
	if (sodium_hex2bin(key, RG_TABLE_KEY_LEN, p, n, NULL, &bin, NULL) != 0 ||
	    bin != RG_TABLE_KEY_LEN)
		return -1;
	/* Nothing but white space may follow. */
	for (p = end; *p; p++)
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			return -1;
	return 0;
}

int rgd_trust_load(const struct rgd_config *c, struct rgd_trust *t, struct rg_err *err)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < c->ntrust; i++) {
		char *data;
		size_t len;
		int r;

		if (rg_file_read(c->trust_path[i], TRUST_FILE_MAX, &data, &len, err) < 0)
			return -1;
		r = memchr(data, '\0', len) ? -1 : rgd_trust_parse(data, t->keys[t->n]);
		free(data);
		if (r < 0)
			return rg_err_set(err, "%s: not a signing public key (64 hex digits)",
					  c->trust_path[i]);
		t->n++;
	}
	return 0;
}

static double elapsed(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

int rgd_authz_open(const struct rgd_config *c, const struct rgd_trust *trust,
		   const struct rg_disco_key *relay_key, uint64_t min_serial,
		   struct rgd_authz **out, struct rg_err *err)
{
	static const uint8_t zero[RG_TABLE_KEY_LEN];
	struct rg_table_trust tt = {
		.keys = (const uint8_t(*)[RG_TABLE_KEY_LEN])trust->keys,
		.nkeys = trust->n,
		.min_serial = min_serial,
		.max_age = c->table_max_age,
	};
	struct rgd_authz *a;
	struct timespec t0;
	const uint8_t *k;
	struct rg_err e;

	*out = NULL;
	if (trust->n == 0)
		return rg_err_set(err, "no trusted signing key");
	a = calloc(1, sizeof(*a));
	if (!a)
		return rg_err_set(err, "out of memory");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (rg_table_open(c->table_path, &tt, &a->t, &e) < 0) {
		rg_err_set(err, "%s: %s", c->table_path, e.msg);
		goto fail;
	}
	rg_table_get_info(a->t, &a->info);
	if (!a->info.verified) {
		rg_err_set(err, "%s: signature not verified", c->table_path);
		goto fail;
	}
	a->relay = rg_table_relay_by_name(a->t, c->relay_name);
	if (a->relay == RG_TABLE_NONE) {
		rg_err_set(err, "%s: no relay named '%s' (no grant gives tailscale.com/cap/relay "
			   "on it)", c->table_path, c->relay_name);
		goto fail;
	}
	/* Clients seal requests to the key the inventory lists for the relay. */
	k = rg_table_relay_key(a->t, a->relay);
	if (sodium_memcmp(k, zero, RG_TABLE_KEY_LEN) != 0 &&
	    sodium_memcmp(k, relay_key->b, RG_TABLE_KEY_LEN) != 0) {
		struct rg_disco_key tk;
		char want[RG_DISCO_KEY_TEXT_LEN + 1], have[RG_DISCO_KEY_TEXT_LEN + 1];

		memcpy(tk.b, k, RG_TABLE_KEY_LEN);
		rg_disco_key_format(&tk, want);
		rg_disco_key_format(relay_key, have);
		rg_err_set(err, "%s: the inventory gives relay '%s' the disco key %s, but --key is "
			   "%s", c->table_path, c->relay_name, want, have);
		goto fail;
	}
	a->loaded_at = (int64_t)time(NULL);
	a->load_seconds = elapsed(&t0);
	*out = a;
	return 0;
fail:
	rgd_authz_free(a);
	return -1;
}

void rgd_authz_free(struct rgd_authz *a)
{
	if (!a)
		return;
	rg_table_close(a->t);
	free(a);
}

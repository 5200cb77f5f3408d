/*
 * TEST-ONLY stand-in for the relay authorization table (include/relaygate/
 * table.h), so that relaygated can be built and tested before the real
 * table lands. It is linked into build/tests/relaygated-fake and the
 * benchmark only, never into librelaygate.a or build/relaygated.
 *
 * Format (text, written by tests/daemon/fixture.c):
 *   relaygate-fake-table 1
 *   serial N
 *   created UNIX_SECONDS
 *   relay NAME DISCOKEY
 *   node NAME DISCOKEY
 *   allow RELAY_NAME NODE_NAME
 *   sig HEX(Ed25519 signature over every byte before this line)
 * Lookups are linear: fine for tests, not for production.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "relaygate/disco_key.h"
#include "relaygate/table.h"
#include "util/err.h"
#include "util/file.h"

#define MAX_ENTRIES 65536

struct entry {
	char *name;
	uint8_t key[RG_TABLE_KEY_LEN];
};

struct allow {
	uint32_t relay, node;
};

struct rg_table {
	struct rg_table_info info;
	struct entry *relays, *nodes;
	struct allow *allows;
	size_t nrelays, nnodes, nallows;
};

void rg_table_close(struct rg_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nrelays; i++)
		free(t->relays[i].name);
	for (size_t i = 0; i < t->nnodes; i++)
		free(t->nodes[i].name);
	free(t->relays);
	free(t->nodes);
	free(t->allows);
	free(t);
}

static int find(const struct entry *e, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(e[i].name) == len && memcmp(e[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

static int add_entry(struct entry **arr, size_t *n, const char *name, size_t nlen,
		     const char *key, size_t klen)
{
	struct rg_disco_key k;
	struct entry *e;

	if (*n >= MAX_ENTRIES || rg_disco_key_parse(key, klen, &k) < 0)
		return -1;
	e = realloc(*arr, (*n + 1) * sizeof(**arr));
	if (!e)
		return -1;
	*arr = e;
	e[*n].name = strndup(name, nlen);
	if (!e[*n].name)
		return -1;
	memcpy(e[*n].key, k.b, RG_TABLE_KEY_LEN);
	(*n)++;
	return 0;
}

/* "word rest" split of one line. */
static int parse_line(struct rg_table *t, const char *l, size_t n)
{
	const char *sp = memchr(l, ' ', n), *a, *b;
	size_t wl, al, bl;

	if (!sp)
		return -1;
	wl = (size_t)(sp - l);
	a = sp + 1;
	sp = memchr(a, ' ', n - wl - 1);
	al = sp ? (size_t)(sp - a) : n - wl - 1;
	b = sp ? sp + 1 : NULL;
	bl = sp ? n - wl - 1 - al - 1 : 0;
	if (wl == 6 && memcmp(l, "serial", 6) == 0 && !b) {
		t->info.serial = strtoull(a, NULL, 10);
		return 0;
	}
	if (wl == 7 && memcmp(l, "created", 7) == 0 && !b) {
		t->info.created = strtoll(a, NULL, 10);
		return 0;
	}
	if (!b)
		return -1;
	if (wl == 5 && memcmp(l, "relay", 5) == 0)
		return add_entry(&t->relays, &t->nrelays, a, al, b, bl);
	if (wl == 4 && memcmp(l, "node", 4) == 0)
		return add_entry(&t->nodes, &t->nnodes, a, al, b, bl);
	if (wl == 5 && memcmp(l, "allow", 5) == 0) {
		int r = find(t->relays, t->nrelays, a, al), nd = find(t->nodes, t->nnodes, b, bl);
		struct allow *x;

		if (r < 0 || nd < 0 || t->nallows >= MAX_ENTRIES)
			return -1;
		x = realloc(t->allows, (t->nallows + 1) * sizeof(*x));
		if (!x)
			return -1;
		t->allows = x;
		x[t->nallows++] = (struct allow){ (uint32_t)r, (uint32_t)nd };
		return 0;
	}
	return -1;
}

static int verify(const uint8_t *p, size_t len, size_t signed_len, const char *sighex,
		  const struct rg_table_trust *trust, struct rg_table *t)
{
	uint8_t sig[crypto_sign_BYTES];
	size_t bin = 0;

	if (sodium_hex2bin(sig, sizeof(sig), sighex, len - signed_len - 4, NULL, &bin, NULL) != 0 ||
	    bin != sizeof(sig))
		return -1;
	for (size_t i = 0; i < trust->nkeys; i++)
		if (crypto_sign_verify_detached(sig, p, signed_len, trust->keys[i]) == 0) {
			memcpy(t->info.signer, trust->keys[i], RG_TABLE_KEY_LEN);
			t->info.verified = true;
			return 0;
		}
	return -1;
}

int rg_table_open_mem(const void *data, size_t len, const struct rg_table_trust *trust,
		      struct rg_table **out, struct rg_err *err)
{
	static const char magic[] = "relaygate-fake-table 1\n";
	const char *p = data, *sigline = NULL;
	struct rg_table *t;
	size_t signed_len, end;
	int64_t now;

	*out = NULL;
	if (sodium_init() < 0)
		return rg_err_set(err, "libsodium");
	if (len < sizeof(magic) - 1 || memcmp(p, magic, sizeof(magic) - 1) != 0)
		return rg_err_set(err, "not a table");
	end = len;
	while (end > 0 && p[end - 1] == '\n')
		end--;
	for (size_t i = end; i > 0; i--)
		if (p[i - 1] == '\n') {
			sigline = p + i;
			break;
		}
	if (!sigline || end - (size_t)(sigline - p) < 5 || memcmp(sigline, "sig ", 4) != 0)
		return rg_err_set(err, "no signature");
	signed_len = (size_t)(sigline - p);
	t = calloc(1, sizeof(*t));
	if (!t)
		return rg_err_set(err, "out of memory");
	t->info.version = 1;
	if (trust->nkeys && verify(data, end, signed_len, sigline + 4, trust, t) < 0) {
		rg_table_close(t);
		return rg_err_set(err, "signature does not verify against any trusted key");
	}
	for (const char *l = p + sizeof(magic) - 1; l < sigline;) {
		const char *nl = memchr(l, '\n', (size_t)(sigline - l));
		size_t n = nl ? (size_t)(nl - l) : (size_t)(sigline - l);

		if (n && parse_line(t, l, n) < 0) {
			rg_table_close(t);
			return rg_err_set(err, "bad line '%.*s'", (int)(n > 60 ? 60 : n), l);
		}
		l += n + 1;
	}
	if (t->info.serial < trust->min_serial) {
		rg_err_set(err, "serial %llu is lower than %llu (rollback)",
			   (unsigned long long)t->info.serial, (unsigned long long)trust->min_serial);
		rg_table_close(t);
		return -1;
	}
	now = trust->now ? trust->now : (int64_t)time(NULL);
	if (trust->max_age && now - t->info.created > (int64_t)trust->max_age) {
		rg_table_close(t);
		return rg_err_set(err, "table is older than the maximum age");
	}
	t->info.nrelays = (uint32_t)t->nrelays;
	t->info.nnodes = (uint32_t)t->nnodes;
	crypto_generichash(t->info.policy_digest, 32, data, signed_len, NULL, 0);
	*out = t;
	return 0;
}

int rg_table_open(const char *path, const struct rg_table_trust *trust, struct rg_table **out,
		  struct rg_err *err)
{
	char *data;
	size_t len;
	int r;

	*out = NULL;
	if (rg_file_read(path, 16 << 20, &data, &len, err) < 0)
		return -1;
	r = rg_table_open_mem(data, len, trust, out, err);
	free(data);
	return r;
}

void rg_table_get_info(const struct rg_table *t, struct rg_table_info *out)
{
	*out = t->info;
}

uint32_t rg_table_relay_by_name(const struct rg_table *t, const char *name)
{
	int i = find(t->relays, t->nrelays, name, strlen(name));

	return i < 0 ? RG_TABLE_NONE : (uint32_t)i;
}

const uint8_t *rg_table_relay_key(const struct rg_table *t, uint32_t relay)
{
	return t->relays[relay].key;
}

const char *rg_table_relay_name(const struct rg_table *t, uint32_t relay)
{
	return t->relays[relay].name;
}

bool rg_table_allowed(const struct rg_table *t, uint32_t relay, const uint8_t key[RG_TABLE_KEY_LEN])
{
	for (size_t i = 0; i < t->nallows; i++)
		if (t->allows[i].relay == relay &&
		    memcmp(t->nodes[t->allows[i].node].key, key, RG_TABLE_KEY_LEN) == 0)
			return true;
	return false;
}

const char *rg_table_node_name(const struct rg_table *t, const uint8_t key[RG_TABLE_KEY_LEN])
{
	for (size_t i = 0; i < t->nnodes; i++)
		if (memcmp(t->nodes[i].key, key, RG_TABLE_KEY_LEN) == 0)
			return t->nodes[i].name;
	return NULL;
}

/*
 * The relay authorization table loader (src/table/load.c) and its lookups.
 *
 * A random byte string is almost never a table past the signature, so the
 * fuzzer starts from a valid one (coturn's "build valid messages from fuzz
 * bytes" technique): LLVMFuzzerInitialize compiles a policy and an
 * inventory of 40 nodes (6 relays in 3 classes, unkeyed nodes, more than
 * one names-index stride) into a table signed with a fixed key, under a
 * deterministic random source so that runs are reproducible. An input
 * that starts with the table magic is opened as it is; any other input is
 * a list of 3-byte mutations (offset low, offset high, x) applied to the
 * built table: x != 0 XORs x into the byte at offset (up to 64 bytes past
 * the end), x == 0 cuts or extends the table to offset bytes (past the
 * original: zeros, or what the XORs put there).
 *
 * Every candidate is opened (a) trusting the signing key, (b) without
 * verification (table show), also through a file with rg_table_open, and
 * (c) without verification but with a minimum serial and a maximum age.
 * Properties:
 *  - with verification, only the byte-identical original loads, verified;
 *    the original always loads and answers every (relay, requester) pair
 *    as the evaluator it came from;
 *  - the file and the memory opens agree;
 *  - (c) loads exactly when (b) does and serial and creation time pass;
 *  - a table that loads answers lookups for every relay and node, and for
 *    fixed keys, without reading outside its bytes: names and keys lie in
 *    the table, a name finds a relay of that name, a key finds a node with
 *    that key (or none), rg_table_allowed agrees with rg_table_allowed_at,
 *    and out-of-range indexes give NULL, RG_TABLE_NONE or false.
 *
 * RG_FUZZ_TABLE_OUT=path writes the built table there (the raw seed).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "relaygate/disco_key.h"
#include "relaygate/eval.h"
#include "relaygate/inventory.h"
#include "relaygate/policy.h"
#include "relaygate/table.h"
#include "relaygate/table_build.h"
#include "util/buf.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static void try_table(const uint8_t *p, size_t n);

#define NNODES 40
#define NUSERS 6
#define SERIAL 7
#define CREATED 1700000000
#define MIN_SERIAL 5
#define MAX_AGE 3600
#define NOW (CREATED + 100)
#define SKEW 300       /* the loader's allowance for a creation time in the future */
#define SLACK 64       /* bytes a mutation may extend the table by */

static const char policy_text[] =
	"{\"groups\": {\"group:eng\": [\"u0@example.com\", \"u1@example.com\", \"u2@example.com\"]},\n"
	" \"tagOwners\": {\"tag:relay\": [\"u0@example.com\"], \"tag:relay-eu\": [\"u0@example.com\"],\n"
	"               \"tag:srv\": [\"u0@example.com\"]},\n"
	" \"hosts\": {\"r1\": \"100.64.0.2\"},\n"
	" \"grants\": [\n"
	"  {\"src\": [\"autogroup:member\"], \"dst\": [\"tag:relay\"],\n"
	"   \"app\": {\"tailscale.com/cap/relay\": []}},\n"
	"  {\"src\": [\"group:eng\"], \"dst\": [\"tag:relay-eu\"], \"app\": {\"tailscale.com/cap/relay\": []}},\n"
	"  {\"src\": [\"tag:srv\"], \"dst\": [\"r1\"], \"app\": {\"tailscale.com/cap/relay\": []}},\n"
	"  {\"src\": [\"autogroup:member\"], \"dst\": [\"tag:srv\"], \"ip\": [\"tcp:443\"]}]}\n";

static struct rg_sign_key key;
static uint8_t *orig;
static size_t orig_len;
static int tmp_fd = -1;
static char tmp_path[64] = "/tmp/fuzz_table.XXXXXX";

/* What the evaluator says, for the byte-identical table. */
static struct expect {
	char name[32];
	bool relay;           /* receives cap/relay from someone */
	bool keyed;
	uint8_t disco[32];
	bool somewhere;       /* allowed on some relay */
	bool allowed[NNODES]; /* [requester]: may allocate on this node */
} want[NNODES];

/* ---- a deterministic random source (the table's hash key) ------------------ */

static uint64_t det_counter;

static const char *det_name(void)
{
	return "fuzz_table";
}

static void det_buf(void *p, size_t n)
{
	uint8_t seed[randombytes_SEEDBYTES] = { 0x5a };

	memcpy(seed + 8, &det_counter, sizeof(det_counter));
	det_counter++;
	randombytes_buf_deterministic(p, n, seed);
}

static uint32_t det_random(void)
{
	uint32_t v;

	det_buf(&v, sizeof(v));
	return v;
}

static struct randombytes_implementation det_impl = {
	det_name, det_random, NULL, NULL, det_buf, NULL,
};

/* ---- the table built once ----------------------------------------------- */

static void node_key(size_t i, uint8_t k[32])
{
	for (size_t j = 0; j < 32; j++)
		k[j] = (uint8_t)(i * 37 + j * 11 + 1);
}

/* Relays r0..r5 (r0-r3 tag:relay, r4-r5 tag:relay-eu; r3 unkeyed), then n6..n39. */
static void inventory_text(struct rg_buf *b)
{
	size_t i, j;

	rg_buf_puts(b, "{\"users\": [");
	for (i = 0; i < NUSERS; i++)
		rg_buf_printf(b, "%s{\"id\": %zu, \"name\": \"u%zu\", \"email\": \"u%zu@example.com\"}",
			      i ? ", " : "", i + 1, i, i);
	rg_buf_puts(b, "],\n \"nodes\": [\n");
	for (i = 0; i < NNODES; i++) {
		bool relay = i < 6, keyed = !(i == 3 || (i >= 6 && i % 7 == 0));
		uint8_t k[32];

		if (relay)
			rg_buf_printf(b, "  {\"name\": \"r%zu\", \"user\": null, \"tags\": [\"%s\"]", i,
				      i < 4 ? "tag:relay" : "tag:relay-eu");
		else if (i % 5 == 0)
			rg_buf_printf(b, "  {\"name\": \"n%zu\", \"user\": null, \"tags\": [\"tag:srv\"]", i);
		else
			rg_buf_printf(b, "  {\"name\": \"n%zu\", \"user\": \"u%zu@example.com\", \"tags\": []",
				      i, i % NUSERS);
		rg_buf_printf(b, ", \"ips\": [\"100.64.0.%zu\"]", i + 1);
		if (keyed) {
			node_key(i, k);
			rg_buf_puts(b, ", \"disco_key\": \"discokey:");
			for (j = 0; j < 32; j++)
				rg_buf_printf(b, "%02x", k[j]);
			rg_buf_puts(b, "\"");
		}
		rg_buf_printf(b, "}%s\n", i + 1 < NNODES ? "," : "");
	}
	rg_buf_puts(b, "]}\n");
}

static void build_table(void)
{
	struct rg_source *psrc, *isrc;
	struct rg_policy *policy = NULL;
	struct rg_inventory *inv = NULL;
	struct rg_table_build_opts o;
	struct rg_table_build_stats st;
	struct rg_eval *e = NULL;
	struct rg_diags d;
	struct rg_err err;
	struct rg_buf b;
	uint8_t seed[crypto_sign_SEEDBYTES];
	size_t r, a;

	rg_buf_init(&b, 0);
	inventory_text(&b);
	if (rg_buf_failed(&b))
		abort();
	rg_diags_init(&d);
	psrc = rg_source_from_mem("policy", policy_text, strlen(policy_text));
	isrc = rg_source_from_mem("inventory", b.data, b.len);
	if (!psrc || !isrc || rg_inventory_load(isrc, &inv, &d) < 0 ||
	    rg_policy_parse(psrc, &policy, &d) < 0 || rg_policy_validate(policy, inv, &d) ||
	    rg_diags_count(&d, RG_SEV_ERROR) || rg_eval_build(policy, inv, &e, &err) < 0 ||
	    e->nnodes != NNODES) {
		fprintf(stderr, "fuzz_table: the fixture does not load (%zu diagnostics)\n", d.n);
		for (r = 0; r < d.n; r++)
			fprintf(stderr, "  %s\n", d.v[r].message);
		abort();
	}
	memset(seed, 0x42, sizeof(seed));
	if (crypto_sign_seed_keypair(key.pk, key.sk, seed) != 0)
		abort();
	memset(&o, 0, sizeof(o));
	o.serial = SERIAL;
	o.created = CREATED;
	o.key = &key;
	rg_table_digest(psrc->data, psrc->len, o.policy_digest);
	rg_table_digest(isrc->data, isrc->len, o.inventory_digest);
	if (rg_table_build(e, &o, &orig, &orig_len, &st, &err) < 0) {
		fprintf(stderr, "fuzz_table: build: %s\n", err.msg);
		abort();
	}
	if (st.nrelays != 6 || st.nclasses != 3 || st.nnodes <= 16 || !st.unkeyed)
		abort(); /* the fixture no longer covers what it should */
	for (r = 0; r < NNODES; r++) {
		const struct rg_inv_node *n = e->nodes[r].node;
		struct rg_disco_key k;

		snprintf(want[r].name, sizeof(want[r].name), "%s", n->name);
		memcpy(k.b, n->disco, sizeof(k.b));
		want[r].keyed = n->has_disco && !rg_disco_key_is_weak(&k);
		memcpy(want[r].disco, n->disco, 32);
	}
	for (r = 0; r < NNODES; r++)
		for (a = 0; a < NNODES; a++) {
			bool w = rg_eval_node_has_cap(e, r, a, RG_CAP_RELAY);

			want[r].allowed[a] = w;
			want[r].relay |= w;
			want[a].somewhere |= w;
		}
	rg_eval_free(e);
	rg_policy_free(policy);
	rg_inventory_free(inv);
	rg_source_free(psrc);
	rg_source_free(isrc);
	rg_diags_free(&d);
	rg_buf_free(&b);
}

static void remove_tmp(void)
{
	unlink(tmp_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *out = getenv("RG_FUZZ_TABLE_OUT");

	(void)argc;
	(void)argv;
	/* Before sodium_init: the builder's hash key comes from here. */
	if (randombytes_set_implementation(&det_impl) != 0 || sodium_init() < 0)
		abort();
	build_table();
	/*
	 * The file the opens through a path read: unlinked at once and reached
	 * as /proc/self/fd/N, so that no run (not even a crash) leaves it behind.
	 */
	tmp_fd = mkstemp(tmp_path);
	if (tmp_fd < 0)
		abort();
	unlink(tmp_path);
	snprintf(tmp_path, sizeof(tmp_path), "/proc/self/fd/%d", tmp_fd);
	if (access(tmp_path, R_OK) != 0) {
		/* No /proc: a named file, removed at exit. */
		close(tmp_fd);
		snprintf(tmp_path, sizeof(tmp_path), "/tmp/fuzz_table.XXXXXX");
		tmp_fd = mkstemp(tmp_path);
		if (tmp_fd < 0 || atexit(remove_tmp) != 0)
			abort();
	}
	try_table(orig, orig_len); /* the fixture loads, verified, and matches the evaluator */
	if (out) {
		FILE *f = fopen(out, "wb");

		if (!f || fwrite(orig, 1, orig_len, f) != orig_len || fclose(f) != 0)
			abort();
	}
	return 0;
}

/* ---- checks ------------------------------------------------------------- */

static const uint8_t *lo, *hi; /* the candidate's bytes */

static void within(const void *p, size_t n)
{
	const uint8_t *q = p;

	if (!q || q < lo || n > (size_t)(hi - q))
		abort();
}

static void within_str(const char *s)
{
	within(s, 1);
	if (!memchr(s, '\0', (size_t)(hi - (const uint8_t *)s)))
		abort();
	within(s, strlen(s) + 1);
}

/* Lookups any table that loaded must answer sanely. */
static void check_lookups(const struct rg_table *t)
{
	static const uint8_t zero[32];
	struct rg_table_info info;
	uint8_t probe[32];
	uint32_t r, i, nr, nn, j;

	rg_table_get_info(t, &info);
	nr = info.nrelays;
	nn = info.nnodes;
	for (r = 0; r < nr; r++) {
		const char *name = rg_table_relay_name(t, r);
		uint32_t rb, g = rg_table_relay_group(t, r);

		within_str(name);
		within(rg_table_relay_key(t, r), 32);
		if (g == RG_TABLE_NONE || g >= info.nrelays)
			abort();
		rb = rg_table_relay_by_name(t, name);
		if (rb == RG_TABLE_NONE || rb > r || strcmp(rg_table_relay_name(t, rb), name) != 0)
			abort();
		j = rg_table_node_find(t, zero);
		if (rg_table_allowed(t, r, zero) != (j != RG_TABLE_NONE && rg_table_allowed_at(t, r, j)))
			abort();
		memcpy(probe, rg_table_relay_key(t, r), 32);
		j = rg_table_node_find(t, probe);
		if (rg_table_allowed(t, r, probe) != (j != RG_TABLE_NONE && rg_table_allowed_at(t, r, j)))
			abort();
	}
	for (i = 0; i < nn; i++) {
		const uint8_t *k = rg_table_node_key_at(t, i);
		const char *name = rg_table_node_name_at(t, i), *byk;

		within(k, 32);
		within_str(name);
		memcpy(probe, k, 32);
		j = rg_table_node_find(t, probe);
		if (j != RG_TABLE_NONE && (j >= info.nnodes ||
		    memcmp(rg_table_node_key_at(t, j), probe, 32) != 0))
			abort();
		byk = rg_table_node_name(t, probe);
		if (j == RG_TABLE_NONE ? byk != NULL : byk != rg_table_node_name_at(t, j))
			abort();
		for (r = 0; r < nr && r < 16; r++) /* every relay above; the first 16 here */
			if (rg_table_allowed(t, r, probe) !=
			    (j != RG_TABLE_NONE && rg_table_allowed_at(t, r, j)))
				abort();
	}
	if (rg_table_relay_name(t, info.nrelays) || rg_table_relay_key(t, info.nrelays) ||
	    rg_table_relay_group(t, info.nrelays) != RG_TABLE_NONE ||
	    rg_table_allowed(t, info.nrelays, zero) || rg_table_allowed_at(t, info.nrelays, 0) ||
	    rg_table_node_key_at(t, info.nnodes) || rg_table_node_name_at(t, info.nnodes) ||
	    rg_table_allowed_at(t, 0, info.nnodes) || rg_table_node_find(t, NULL) != RG_TABLE_NONE ||
	    rg_table_relay_by_name(t, NULL) != RG_TABLE_NONE)
		abort();
	(void)rg_table_unkeyed(t);
}

/* The original table against the evaluator (as tests/unit/table_fixture.h does). */
static void check_original(const struct rg_table *t)
{
	static const uint8_t zero[32];
	struct rg_table_info info;
	uint32_t relays = 0, requesters = 0;
	size_t r, a;

	rg_table_get_info(t, &info);
	if (info.serial != SERIAL || info.created != CREATED ||
	    memcmp(info.signer, key.pk, 32) != 0)
		abort();
	for (r = 0; r < NNODES; r++) {
		uint32_t ri = rg_table_relay_by_name(t, want[r].name);

		if ((ri != RG_TABLE_NONE) != want[r].relay)
			abort();
		if (ri != RG_TABLE_NONE) {
			relays++;
			if (strcmp(rg_table_relay_name(t, ri), want[r].name) != 0 ||
			    memcmp(rg_table_relay_key(t, ri), want[r].keyed ? want[r].disco : zero, 32))
				abort();
		}
		for (a = 0; a < NNODES; a++)
			if (want[a].keyed && want[r].allowed[a] !=
			    (ri != RG_TABLE_NONE && rg_table_allowed(t, ri, want[a].disco)))
				abort();
	}
	for (a = 0; a < NNODES; a++) {
		const char *name = rg_table_node_name(t, want[a].disco);

		if (want[a].keyed && want[a].somewhere) {
			requesters++;
			if (!name || strcmp(name, want[a].name) != 0)
				abort();
		} else if (name) {
			abort();
		}
	}
	if (info.nrelays != relays || info.nnodes != requesters)
		abort();
}

static bool same_info(const struct rg_table_info *a, const struct rg_table_info *b)
{
	return a->version == b->version && a->serial == b->serial && a->created == b->created &&
	       a->nrelays == b->nrelays && a->nnodes == b->nnodes && a->verified == b->verified &&
	       memcmp(a->signer, b->signer, 32) == 0 && memcmp(a->digest, b->digest, 32) == 0 &&
	       memcmp(a->policy_digest, b->policy_digest, 32) == 0 &&
	       memcmp(a->inventory_digest, b->inventory_digest, 32) == 0;
}

/* Opens the same bytes through a file (mode 0600, as the daemon wants). */
static int open_file(const uint8_t *p, size_t n, const struct rg_table_trust *trust,
		     struct rg_table **out, struct rg_err *err)
{
	if (ftruncate(tmp_fd, 0) != 0 || (n && pwrite(tmp_fd, p, n, 0) != (ssize_t)n))
		abort();
	return rg_table_open(tmp_path, trust, out, err);
}

static void try_table(const uint8_t *p, size_t n)
{
	const uint8_t (*trusted)[RG_TABLE_KEY_LEN] = (const uint8_t (*)[RG_TABLE_KEY_LEN])key.pk;
	const struct rg_table_trust verify = { trusted, 1, 0, 0, 0 };
	const struct rg_table_trust show = { NULL, 0, 0, 0, 0 };
	const struct rg_table_trust fresh = { NULL, 0, MIN_SERIAL, MAX_AGE, NOW };
	bool identical = n == orig_len && memcmp(p, orig, n) == 0;
	struct rg_table *t = NULL, *tf = NULL, *tc = NULL;
	struct rg_table_info info, finfo;
	struct rg_err err;
	int rc;

	lo = p;
	hi = p + n;
	/* (a) verified: only the original. */
	rc = rg_table_open_mem(p, n, &verify, &t, &err);
	if ((rc == 0) != identical || (rc == 0) != (t != NULL))
		abort();
	if (t) {
		rg_table_get_info(t, &info);
		if (!info.verified)
			abort();
		check_original(t);
		check_lookups(t);
		rg_table_close(t);
		t = NULL;
	}
	/* (b) unverified, from memory and from a file. */
	rc = rg_table_open_mem(p, n, &show, &t, &err);
	if ((rc == 0) != (t != NULL) || (identical && rc != 0))
		abort();
	if ((open_file(p, n, &show, &tf, &err) == 0) != (rc == 0))
		abort();
	if (t) {
		rg_table_get_info(t, &info);
		rg_table_get_info(tf, &finfo);
		if (info.verified || !same_info(&info, &finfo))
			abort();
		check_lookups(t);
	}
	rg_table_close(tf);
	/* (c) unverified with a minimum serial and a maximum age. */
	rc = rg_table_open_mem(p, n, &fresh, &tc, &err);
	if ((rc == 0) != (tc != NULL))
		abort();
	if (!t) {
		if (tc)
			abort();
	} else {
		int64_t c = info.created;
		bool ok = info.serial >= MIN_SERIAL &&
			  !(c > NOW && (uint64_t)c - (uint64_t)NOW > SKEW) &&
			  !(c < NOW && (uint64_t)NOW - (uint64_t)c > MAX_AGE);

		if (ok != (tc != NULL))
			abort();
	}
	rg_table_close(tc);
	rg_table_close(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *work, *cand;
	size_t cap = orig_len + SLACK, len = orig_len, i;

	if (size >= 8 && memcmp(data, "RGTABLE", 8) == 0) {
		try_table(data, size); /* libFuzzer's copy is exactly size bytes */
		return 0;
	}
	if (size > 3 * 4096)
		return 0;
	work = calloc(1, cap);
	if (!work)
		return 0;
	memcpy(work, orig, orig_len);
	for (i = 0; i + 3 <= size; i += 3) {
		size_t off = ((size_t)data[i] | (size_t)data[i + 1] << 8) % (cap + 1);

		if (data[i + 2])
			work[off % cap] ^= data[i + 2];
		else
			len = off;
	}
	/* An exact-size copy, so that ASan sees any read past the end. */
	cand = malloc(len ? len : 1);
	if (cand) {
		memcpy(cand, work, len);
		try_table(cand, len);
		free(cand);
	}
	free(work);
	return 0;
}

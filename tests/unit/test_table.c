/*
 * The relay authorization table: round trips over generated tailnets, and
 * the loader's refusals (corruption, truncation, untrusted signer,
 * rollback, age, hostile but validly signed layouts).
 */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "table/format.h"
#include "table_fixture.h"
#include "util/buf.h"
#include "util/file.h"

static struct rg_sign_key key_a, key_b;

static uint64_t rng_state;

static unsigned rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

#define NUSERS 6
#define NGROUPS 3
#define NTAGS 4

static void put_src(struct rg_buf *b, unsigned nodes)
{
	switch (rnd(10)) {
	case 0: rg_buf_puts(b, "\"*\""); break;
	case 9: rg_buf_puts(b, "\"autogroup:danger-all\""); break;
	case 1: rg_buf_puts(b, "\"autogroup:member\""); break;
	case 2: rg_buf_puts(b, "\"autogroup:tagged\""); break;
	case 3: rg_buf_printf(b, "\"group:g%u\"", rnd(NGROUPS)); break;
	case 4: rg_buf_printf(b, "\"tag:t%u\"", rnd(NTAGS)); break;
	case 5: rg_buf_printf(b, "\"u%u@example.com\"", rnd(NUSERS)); break;
	case 6: rg_buf_printf(b, "\"100.64.0.%u\"", 1 + rnd(nodes)); break;
	case 7: rg_buf_printf(b, "\"100.64.0.%u/28\"", 16 * rnd(4)); break;
	default: rg_buf_printf(b, "\"fd7a:115c:a1e0::%x\"", 1 + rnd(nodes)); break;
	}
}

static void put_dst(struct rg_buf *b, unsigned nodes)
{
	switch (rnd(6)) {
	case 0: rg_buf_puts(b, "\"*\""); break;
	case 1: rg_buf_puts(b, "\"autogroup:member\""); break;
	case 2: rg_buf_printf(b, "\"group:g%u\"", rnd(NGROUPS)); break;
	case 3: rg_buf_printf(b, "\"100.64.0.%u\"", 1 + rnd(nodes)); break;
	default: rg_buf_printf(b, "\"tag:t%u\"", rnd(NTAGS)); break;
	}
}

static void put_list(struct rg_buf *b, unsigned nodes, void (*put)(struct rg_buf *, unsigned))
{
	unsigned i, n = 1 + rnd(3);

	rg_buf_putc(b, '[');
	for (i = 0; i < n; i++) {
		if (i)
			rg_buf_puts(b, ", ");
		put(b, nodes);
	}
	rg_buf_putc(b, ']');
}

static void gen_policy(struct rg_buf *b, unsigned nodes)
{
	static const char *const apps[] = {
		"{\"tailscale.com/cap/relay\": []}",
		"{\"tailscale.com/cap/relay\": [{}], \"example.com/cap/x\": [{\"a\": 1}]}",
		"{\"example.com/cap/y\": []}",
		"{\"example.com/cap/z\": null, \"tailscale.com/cap/relay\": null}",
	};
	unsigned i, k, ngrants = 1 + rnd(6);

	rg_buf_puts(b, "{\"groups\": {");
	for (i = 0; i < NGROUPS; i++) {
		rg_buf_printf(b, "%s\"group:g%u\": [", i ? ", " : "", i);
		for (k = 0; k < 2; k++)
			rg_buf_printf(b, "%s\"u%u@example.com\"", k ? ", " : "", rnd(NUSERS));
		rg_buf_puts(b, "]");
	}
	rg_buf_puts(b, "}, \"tagOwners\": {");
	for (i = 0; i < NTAGS; i++)
		rg_buf_printf(b, "%s\"tag:t%u\": [\"group:g0\"]", i ? ", " : "", i);
	rg_buf_puts(b, "}, \"grants\": [");
	for (i = 0; i < ngrants; i++) {
		rg_buf_puts(b, i ? ", {\"src\": " : "{\"src\": ");
		put_list(b, nodes, put_src);
		rg_buf_puts(b, ", \"dst\": ");
		put_list(b, nodes, put_dst);
		if (rnd(4) == 0)
			rg_buf_puts(b, ", \"ip\": [\"*\"]}");
		else
			rg_buf_printf(b, ", \"app\": %s}", apps[rnd(4)]);
	}
	rg_buf_puts(b, "]}");
}

static void put_key(struct rg_buf *b)
{
	uint8_t k[32];
	char hex[65];
	unsigned i;

	for (i = 0; i < 32; i++)
		k[i] = (uint8_t)rnd(256);
	sodium_bin2hex(hex, sizeof(hex), k, sizeof(k));
	rg_buf_printf(b, ", \"disco_key\": \"discokey:%s\"", hex);
}

static void gen_inventory(struct rg_buf *b, unsigned nodes)
{
	unsigned i;

	rg_buf_puts(b, "{\"users\": [");
	for (i = 0; i < NUSERS; i++)
		rg_buf_printf(b, "%s{\"id\": %u, \"name\": \"u%u\", \"email\": \"u%u@example.com\"}",
			      i ? ", " : "", i + 1, i, i);
	rg_buf_puts(b, "], \"nodes\": [");
	for (i = 1; i <= nodes; i++) {
		rg_buf_printf(b, "%s{\"name\": \"n%u\", ", i > 1 ? ", " : "", i);
		if (rnd(2))
			rg_buf_printf(b, "\"user\": \"u%u@example.com\", \"tags\": []", rnd(NUSERS));
		else
			rg_buf_printf(b, "\"user\": null, \"tags\": [\"tag:t%u\"]", rnd(NTAGS));
		rg_buf_printf(b, ", \"ips\": [\"100.64.0.%u\", \"fd7a:115c:a1e0::%x\"]", i, i);
		switch (rnd(8)) {
		case 0: break; /* no disco key */
		case 1: rg_buf_printf(b, ", \"disco_key\": \"discokey:%064x\"", 0); break;
		default: put_key(b); break;
		}
		rg_buf_puts(b, "}");
	}
	rg_buf_puts(b, "]}");
}

/* A generated tailnet; -1 if its policy happens not to validate. */
static int gen_fixture(struct fixture *f, uint64_t seed, unsigned nodes)
{
	struct rg_buf p, inv;
	int r;

	rng_state = seed * 0x9e3779b97f4a7c15ull + 1;
	rg_buf_init(&p, 0);
	rg_buf_init(&inv, 0);
	gen_policy(&p, nodes);
	gen_inventory(&inv, nodes);
	assert_false(rg_buf_failed(&p) || rg_buf_failed(&inv));
	r = fixture_load(f, p.data, inv.data);
	rg_buf_free(&p);
	rg_buf_free(&inv);
	return r;
}

static void test_round_trip_generated(void **state)
{
	unsigned seed, valid = 0;
	size_t allowed = 0;

	(void)state;
	for (seed = 1; seed <= 300; seed++) {
		struct fixture f;

		if (gen_fixture(&f, seed, 8 + seed % 40) < 0)
			continue;
		valid++;
		allowed += fixture_round_trip(&f, seed % 2 ? &key_a : &key_b);
		fixture_free(&f);
	}
	print_message("%u generated tailnets, %zu allowed pairs\n", valid, allowed);
	assert_true(valid >= 200);
	assert_true(allowed > 1000);
}

/* ---- a fixed table for the refusal tests ---------------------------------- */

static const char small_policy[] =
	"{\"tagOwners\": {\"tag:relay\": [\"a@example.com\"], \"tag:srv\": [\"a@example.com\"]},\n"
	" \"grants\": [\n"
	"  {\"src\": [\"autogroup:member\"], \"dst\": [\"tag:relay\"],\n"
	"   \"app\": {\"tailscale.com/cap/relay\": []}},\n"
	"  {\"src\": [\"tag:srv\"], \"dst\": [\"r2\"], \"app\": {\"tailscale.com/cap/relay\": []}}],\n"
	" \"hosts\": {\"r2\": \"100.64.0.2\"}}\n";

static const char small_inventory[] =
	"{\"users\": [{\"id\": 1, \"name\": \"a\", \"email\": \"a@example.com\"},\n"
	"            {\"id\": 2, \"name\": \"b\", \"email\": \"b@example.com\"}],\n"
	" \"nodes\": [\n"
	"  {\"name\": \"r1\", \"user\": null, \"tags\": [\"tag:relay\"], \"ips\": [\"100.64.0.1\"],\n"
	"   \"disco_key\": \"discokey:0101010101010101010101010101010101010101010101010101010101010101\"},\n"
	"  {\"name\": \"r2\", \"user\": null, \"tags\": [\"tag:relay\"], \"ips\": [\"100.64.0.2\"]},\n"
	"  {\"name\": \"laptop-a\", \"user\": \"a@example.com\", \"tags\": [], \"ips\": [\"100.64.0.3\"],\n"
	"   \"disco_key\": \"discokey:0303030303030303030303030303030303030303030303030303030303030303\"},\n"
	"  {\"name\": \"laptop-b\", \"user\": \"b@example.com\", \"tags\": [], \"ips\": [\"100.64.0.4\"],\n"
	"   \"disco_key\": \"discokey:0404040404040404040404040404040404040404040404040404040404040404\"},\n"
	"  {\"name\": \"phone-b\", \"user\": \"b@example.com\", \"tags\": [], \"ips\": [\"100.64.0.5\"]},\n"
	"  {\"name\": \"srv\", \"user\": null, \"tags\": [\"tag:srv\"], \"ips\": [\"100.64.0.6\"],\n"
	"   \"disco_key\": \"discokey:0606060606060606060606060606060606060606060606060606060606060606\"}]}\n";

static uint8_t k3[32], k4[32], k6[32], k9[32];

static void small_table(uint64_t serial, int64_t created, const struct rg_sign_key *k, uint8_t **out,
			size_t *len)
{
	struct fixture f;
	struct rg_table_build_stats st;

	assert_int_equal(fixture_load(&f, small_policy, small_inventory), 0);
	fixture_compile(&f, k, serial, created, out, len, &st);
	assert_int_equal(st.nrelays, 2);
	assert_int_equal(st.nclasses, 2);
	assert_int_equal(st.nnodes, 3);   /* r1 is keyed but allowed nowhere */
	assert_int_equal(st.unkeyed, 2);
	assert_int_equal(st.unkeyed_allowed, 1);      /* phone-b */
	assert_int_equal(st.allowed_pairs, 2 + 3);   /* r1: both laptops; r2: laptops and srv */
	fixture_free(&f);
}

static struct rg_table_trust trust_of(const struct rg_sign_key *k)
{
	struct rg_table_trust t = { (const uint8_t (*)[RG_TABLE_KEY_LEN])k->pk, 1, 0, 0, 1700000000 };

	return t;
}

static void test_small_answers(void **state)
{
	struct rg_table_trust trust = trust_of(&key_a);
	struct rg_table_info info;
	struct rg_table *t;
	struct rg_err err;
	uint8_t *buf, zero[32] = { 0 };
	size_t len;
	uint32_t r1, r2;

	(void)state;
	small_table(7, 1700000000, &key_a, &buf, &len);
	assert_int_equal(rg_table_open_mem(buf, len, &trust, &t, &err), 0);
	rg_table_get_info(t, &info);
	assert_int_equal(info.version, 2);
	assert_int_equal(info.serial, 7);
	assert_int_equal(info.created, 1700000000);
	assert_true(info.verified);
	assert_memory_equal(info.signer, key_a.pk, 32);
	assert_int_equal(rg_table_unkeyed(t), 2);
	r1 = rg_table_relay_by_name(t, "r1");
	r2 = rg_table_relay_by_name(t, "r2");
	assert_int_not_equal(r1, RG_TABLE_NONE);
	assert_int_not_equal(r2, RG_TABLE_NONE);
	assert_int_equal(rg_table_relay_by_name(t, "laptop-a"), RG_TABLE_NONE);
	assert_int_equal(rg_table_relay_by_name(t, NULL), RG_TABLE_NONE);
	assert_int_not_equal(rg_table_relay_group(t, r1), rg_table_relay_group(t, r2));
	assert_true(rg_table_relay_group(t, r1) < 2 && rg_table_relay_group(t, r2) < 2);
	assert_int_equal(rg_table_relay_group(t, 2), RG_TABLE_NONE);
	assert_memory_equal(rg_table_relay_key(t, r2), zero, 32);
	assert_memory_equal(rg_table_relay_key(t, r1), (uint8_t[32]){ [0 ... 31] = 1 }, 32);
	assert_true(rg_table_allowed(t, r1, k3));
	assert_true(rg_table_allowed(t, r1, k4));
	assert_false(rg_table_allowed(t, r1, k6));
	assert_true(rg_table_allowed(t, r2, k6));
	assert_false(rg_table_allowed(t, r2, k9));
	assert_false(rg_table_allowed(t, 2, k3));
	assert_false(rg_table_allowed(t, RG_TABLE_NONE, k3));
	assert_false(rg_table_allowed(NULL, r1, k3));
	assert_false(rg_table_allowed(t, r1, NULL));
	assert_string_equal(rg_table_node_name(t, k6), "srv");
	assert_null(rg_table_node_name(t, k9));
	assert_null(rg_table_relay_name(t, 2));
	assert_null(rg_table_relay_key(t, 2));
	assert_null(rg_table_node_name(t, rg_table_relay_key(t, r1)));
	assert_null(rg_table_node_key_at(t, 3));
	assert_null(rg_table_node_name_at(t, 3));
	assert_false(rg_table_allowed_at(t, r1, 3));
	rg_table_close(t);
	rg_table_close(NULL);
	free(buf);
}

/* The slot the table's perfect hash gives key (format.h). */
static uint32_t slot_in(const uint8_t *buf, const uint8_t *key)
{
	const uint8_t *seeds = buf + tbl_le32(buf + H_SECTIONS + 8 * SEC_SEEDS);
	struct tbl_hashkey hk;
	uint64_t h;
	unsigned i;

	for (i = 0; i < 4; i++)
		hk.nh[i] = tbl_le64(buf + H_HASHKEY + 8 * i);
	for (i = 0; i < 2; i++)
		hk.mul[i] = tbl_le64(buf + H_MULKEY + 8 * i);
	h = tbl_hash(&hk, key);
	return tbl_slot(h, tbl_le32(seeds + 4 * tbl_bucket(h, tbl_le32(buf + H_NBUCKETS))),
			tbl_le32(buf + H_NNODES));
}

/*
 * The hash and slot functions against values computed from the formulas of
 * docs/table-format.md by an independent (Python) reading: a change here
 * changes the format.
 */
static void test_hash_vector(void **state)
{
	const struct tbl_hashkey hk = {
		{ 0x0123456789abcdefull, 0xfedcba9876543210ull, 0x0f1e2d3c4b5a6978ull,
		  0x8796a5b4c3d2e1f0ull },
		{ 0x9e3779b97f4a7c15ull, 0xc2b2ae3d27d4eb4full },
	};
	uint8_t key[32];
	uint64_t h;
	unsigned i;

	(void)state;
	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	h = tbl_hash(&hk, key);
	assert_int_equal(h, 0x80bf7ffcc61152e8ull);
	assert_int_equal(tbl_bucket(h, 7), 3);
	assert_int_equal(tbl_slot(h, 5, 29), 26);
}

/*
 * The perfect hash at sizes from one key to tens of thousands: every key at a
 * slot of its own (its node index) and allowed; foreign keys never.
 */
static void gen_many(struct rg_buf *inv, unsigned n, const uint8_t (*keys)[32])
{
	unsigned i;

	rg_buf_puts(inv, "{\"users\": [{\"id\": 1, \"name\": \"a\", \"email\": \"a@example.com\"}],"
		    " \"nodes\": [{\"name\": \"r\", \"user\": null, \"tags\": [\"tag:relay\"],"
		    " \"ips\": [\"100.127.255.254\"]}");
	for (i = 1; i <= n; i++) {
		rg_buf_printf(inv, ", {\"name\": \"n%u\", \"user\": \"a@example.com\", \"tags\": [],"
			      " \"ips\": [\"100.64.%u.%u\"]", i, i >> 8, i & 255);
		if (keys) {
			char hex[65];

			sodium_bin2hex(hex, sizeof(hex), keys[i - 1], 32);
			rg_buf_printf(inv, ", \"disco_key\": \"discokey:%s\"", hex);
		} else {
			put_key(inv);
		}
		rg_buf_putc(inv, '}');
	}
	rg_buf_puts(inv, "]}");
}

static const char many_policy[] =
	"{\"tagOwners\": {\"tag:relay\": [\"a@example.com\"]}, \"grants\": [{\"src\":"
	" [\"autogroup:member\"], \"dst\": [\"tag:relay\"], \"app\": {\"tailscale.com/cap/relay\": []}}]}";

/* Compiles the n nodes of gen_many; every key at its own slot and allowed, foreign ones never. */
static void check_many(unsigned n, const uint8_t (*keys)[32], bool round_trip)
{
	struct rg_table_trust trust = trust_of(&key_a);
	struct fixture f;
	struct rg_buf inv;
	struct rg_table *t;
	struct rg_table_build_stats st;
	uint8_t *buf, foreign[32];
	size_t len;
	uint32_t i;

	rg_buf_init(&inv, 0);
	gen_many(&inv, n, keys);
	assert_false(rg_buf_failed(&inv));
	assert_int_equal(fixture_load(&f, many_policy, inv.data), 0);
	rg_buf_free(&inv);
	if (round_trip)
		assert_int_equal(fixture_round_trip(&f, &key_a), n);
	fixture_compile(&f, &key_a, 1, 0, &buf, &len, &st);
	assert_int_equal(st.nnodes, n);
	assert_int_equal(rg_table_open_mem(buf, len, &trust, &t, NULL), 0);
	for (i = 0; i < n; i++) {
		const uint8_t *k = rg_table_node_key_at(t, i);

		assert_int_equal(slot_in(buf, k), i);
		assert_int_equal(rg_table_node_find(t, k), i);
		assert_true(rg_table_allowed(t, 0, k));
	}
	for (i = 0; i < 1000; i++) {
		randombytes_buf(foreign, sizeof(foreign));
		assert_false(rg_table_allowed(t, 0, foreign));
		assert_int_equal(rg_table_node_find(t, foreign), RG_TABLE_NONE);
	}
	rg_table_close(t);
	free(buf);
	fixture_free(&f);
}

static void test_index_sizes(void **state)
{
	static const unsigned sizes[] = { 1, 2, 3, 4, 5, 31, 257, 4099, 30000 };
	size_t z;

	(void)state;
	for (z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
		rng_state = 0x243f6a8885a308d3ull + z;
		check_many(sizes[z], NULL, sizes[z] <= 257);
	}
}

/*
 * Keys a node could pick to collide (disco keys are the nodes' own): pairs
 * one apart in a word, and a run of consecutive first words. Under NH's high
 * half alone, each pair shared its hash half the time and every build of
 * these failed; they must index like random keys, build after build.
 */
static void test_crafted_keys(void **state)
{
	uint8_t keys[80][32];
	unsigned i, w, build;

	(void)state;
	for (i = 0; i < 40; i += 2) {
		w = i / 2 % 4;
		randombytes_buf(keys[i], 32);
		memcpy(keys[i + 1], keys[i], 32);
		tbl_put64(keys[i + 1] + 8 * w, tbl_le64(keys[i] + 8 * w) + 1);
	}
	randombytes_buf(keys[40], 32);
	for (i = 41; i < 80; i++) {
		memcpy(keys[i], keys[40], 32);
		tbl_put64(keys[i], tbl_le64(keys[40]) + (i - 40));
	}
	for (build = 0; build < 20; build++)
		check_many(80, (const uint8_t (*)[32])keys, build == 0);
}

/* Every change of every byte: refused when verified; never a crash unverified. */
static void probe_unverified(const uint8_t *buf, size_t len)
{
	struct rg_table *t;
	struct rg_table_info info;
	uint32_t i, r;

	if (rg_table_open_mem(buf, len, NULL, &t, NULL) < 0)
		return;
	rg_table_get_info(t, &info);
	for (i = 0; i < info.nnodes; i++) {
		const uint8_t *k = rg_table_node_key_at(t, i);

		assert_non_null(rg_table_node_name_at(t, i));
		for (r = 0; r < info.nrelays; r++)
			(void)rg_table_allowed(t, r, k);
	}
	for (r = 0; r < info.nrelays; r++)
		assert_non_null(rg_table_relay_name(t, r));
	rg_table_close(t);
}

static void test_corruption(void **state)
{
	struct rg_table_trust trust = trust_of(&key_a);
	struct rg_table *t;
	uint8_t *buf;
	size_t len, i, refused = 0;
	unsigned x;

	(void)state;
	small_table(1, 1700000000, &key_a, &buf, &len);
	for (i = 0; i < len; i++) {
		for (x = 1; x < 256; x++) {
			buf[i] ^= (uint8_t)x;
			if (rg_table_open_mem(buf, len, &trust, &t, NULL) == 0)
				fail_msg("byte %zu ^ 0x%02x accepted", i, x);
			refused++;
			probe_unverified(buf, len);
			buf[i] ^= (uint8_t)x;
		}
	}
	assert_int_equal(rg_table_open_mem(buf, len, &trust, &t, NULL), 0);
	rg_table_close(t);
	print_message("%zu corruptions of a %zu-byte table refused\n", refused, len);
	free(buf);
}

/* Every value of every header byte, without a signature check: no crash. */
static void test_hostile_header_bytes(void **state)
{
	uint8_t *buf;
	size_t len, i;
	unsigned v;

	(void)state;
	small_table(1, 1700000000, &key_a, &buf, &len);
	for (i = 0; i < TBL_HEADER_SIZE; i++) {
		uint8_t saved = buf[i];

		for (v = 0; v < 256; v++) {
			buf[i] = (uint8_t)v;
			probe_unverified(buf, len);
		}
		buf[i] = saved;
	}
	free(buf);
}

static void test_truncation(void **state)
{
	struct rg_table_trust trust = trust_of(&key_a);
	struct rg_table *t;
	struct rg_err err;
	uint8_t *buf, *big;
	size_t len, n;

	(void)state;
	small_table(1, 1700000000, &key_a, &buf, &len);
	for (n = 0; n < len; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		assert_non_null(copy);
		memcpy(copy, buf, n);
		if (rg_table_open_mem(copy, n, &trust, &t, &err) == 0)
			fail_msg("%zu of %zu bytes accepted", n, len);
		if (rg_table_open_mem(copy, n, NULL, &t, NULL) == 0)
			fail_msg("%zu of %zu bytes accepted unverified", n, len);
		free(copy);
	}
	assert_int_equal(rg_table_open_mem(NULL, 0, &trust, &t, &err), -1);
	big = calloc(1, len + 8);
	assert_non_null(big);
	memcpy(big, buf, len);
	assert_int_equal(rg_table_open_mem(big, len + 8, &trust, &t, &err), -1);
	assert_non_null(strstr(err.msg, "header says"));
	free(big);
	free(buf);
}

static void test_signers(void **state)
{
	uint8_t both[2][RG_TABLE_KEY_LEN];
	struct rg_table_trust trust = trust_of(&key_a);
	struct rg_table_info info;
	struct rg_table *t;
	struct rg_err err;
	uint8_t *buf;
	size_t len;

	(void)state;
	small_table(1, 1700000000, &key_b, &buf, &len);
	assert_int_equal(rg_table_open_mem(buf, len, &trust, &t, &err), -1);
	assert_non_null(strstr(err.msg, "not a trusted key"));
	/* Rotation: either of two keys. */
	memcpy(both[0], key_a.pk, 32);
	memcpy(both[1], key_b.pk, 32);
	trust.keys = (const uint8_t (*)[RG_TABLE_KEY_LEN])both;
	trust.nkeys = 2;
	assert_int_equal(rg_table_open_mem(buf, len, &trust, &t, &err), 0);
	rg_table_close(t);
	/* A signer field naming a trusted key does not make another key's signature valid. */
	memcpy(buf + H_SIGNER, key_a.pk, 32);
	trust = trust_of(&key_a);
	assert_int_equal(rg_table_open_mem(buf, len, &trust, &t, &err), -1);
	assert_non_null(strstr(err.msg, "bad signature"));
	memcpy(buf + H_SIGNER, key_b.pk, 32);
	/* No trusted key: loads, unverified. */
	assert_int_equal(rg_table_open_mem(buf, len, NULL, &t, &err), 0);
	rg_table_get_info(t, &info);
	assert_false(info.verified);
	rg_table_close(t);
	free(buf);
}

static void test_rollback_and_age(void **state)
{
	struct rg_table_trust trust = trust_of(&key_a);
	struct rg_table *t;
	struct rg_err err;
	uint8_t *buf;
	size_t len;

	(void)state;
	small_table(41, 1700000000, &key_a, &buf, &len);
	trust.min_serial = 42;
	assert_int_equal(rg_table_open_mem(buf, len, &trust, &t, &err), -1);
	assert_non_null(strstr(err.msg, "rollback"));
	trust.min_serial = 41;
	assert_int_equal(rg_table_open_mem(buf, len, &trust, &t, &err), 0);
	rg_table_close(t);
	trust.max_age = 3600;
	trust.now = 1700000000 + 3601;
	assert_int_equal(rg_table_open_mem(buf, len, &trust, &t, &err), -1);
	assert_non_null(strstr(err.msg, "maximum age"));
	trust.now = 1700000000 + 3600;
	assert_int_equal(rg_table_open_mem(buf, len, &trust, &t, &err), 0);
	rg_table_close(t);
	trust.now = 1700000000 - 301;
	assert_int_equal(rg_table_open_mem(buf, len, &trust, &t, &err), -1);
	assert_non_null(strstr(err.msg, "future"));
	trust.now = 1700000000 - 300;
	assert_int_equal(rg_table_open_mem(buf, len, &trust, &t, &err), 0);
	rg_table_close(t);
	free(buf);
}

/* ---- validly signed but malformed layouts --------------------------------- */

static void resign(uint8_t *buf, size_t len)
{
	assert_int_equal(crypto_sign_detached(buf + len - 64, NULL, buf, len - 64, key_a.sk), 0);
}

static void expect_refused(uint8_t *buf, size_t len, const char *why)
{
	struct rg_table_trust trust = trust_of(&key_a);
	struct rg_table *t;
	struct rg_err err;

	resign(buf, len);
	if (rg_table_open_mem(buf, len, &trust, &t, &err) == 0)
		fail_msg("accepted a table with %s", why);
}

static size_t st_nodes(const uint8_t *buf)
{
	return tbl_le32(buf + H_NNODES);
}

/* Overwrites node k's key at key with one whose slot is another node's. */
static void misplace(uint8_t *buf, size_t key, size_t k)
{
	unsigned tries;

	for (tries = 0; tries < 64; tries++) {
		randombytes_buf(buf + key, 32);
		if (slot_in(buf, buf + key) != k)
			return;
	}
	fail_msg("no key has a slot other than %zu", k);
}

/*
 * Every lookup of a table whose seeds were rewritten: at most what the
 * original allows. Returns how many keys the new seeds moved.
 */
static size_t check_reseeded(const uint8_t *orig, uint8_t *buf, size_t len)
{
	struct rg_table_trust trust = trust_of(&key_a);
	struct rg_table *a, *b;
	size_t off = tbl_le32(orig + H_SECTIONS + 8 * SEC_KEYS), k, moved = 0;
	uint32_t r;

	resign(buf, len);
	assert_int_equal(rg_table_open_mem(orig, len, &trust, &a, NULL), 0);
	assert_int_equal(rg_table_open_mem(buf, len, &trust, &b, NULL), 0);
	for (k = 0; k < st_nodes(orig); k++) {
		moved += slot_in(buf, orig + off + 32 * k) != k;
		for (r = 0; r < 2; r++)
			if (rg_table_allowed(b, r, orig + off + 32 * k))
				assert_true(rg_table_allowed(a, r, orig + off + 32 * k));
	}
	rg_table_close(a);
	rg_table_close(b);
	return moved;
}

static void test_signed_but_malformed(void **state)
{
	uint8_t *orig, *buf;
	size_t len, off, k, moved;
	uint32_t x;

	(void)state;
	small_table(1, 1700000000, &key_a, &orig, &len);
	buf = malloc(len);
	assert_non_null(buf);
#define MUTATE(what, stmt)                 \
	do {                               \
		memcpy(buf, orig, len);    \
		stmt;                      \
		expect_refused(buf, len, what); \
	} while (0)
	MUTATE("a huge node count", tbl_put32(buf + H_NNODES, 0xffffffffu));
	MUTATE("one node more", tbl_put32(buf + H_NNODES, tbl_le32(buf + H_NNODES) + 1));
	MUTATE("one relay more", tbl_put32(buf + H_NRELAYS, 3));
	MUTATE("more classes than relays", tbl_put32(buf + H_NCLASSES, 3));
	MUTATE("no buckets", tbl_put32(buf + H_NBUCKETS, 0));
	MUTATE("the zero field", tbl_put32(buf + H_ZERO, 1));
	MUTATE("an even hash multiplier", buf[H_MULKEY] &= 0xfe);
	MUTATE("a section past the end", tbl_put32(buf + H_SECTIONS + 8 * SEC_STRINGS, 0x7fffffff));
	MUTATE("a strings size past the end",
	       tbl_put32(buf + H_SECTIONS + 8 * SEC_STRINGS + 4, 0x7fffffff));
	/* Any seed is in bounds: rewritten seeds misplace keys, which only denies. */
	off = tbl_le32(orig + H_SECTIONS + 8 * SEC_SEEDS);
	for (x = 1, moved = 0; x < 64 && !moved; x++) {
		memcpy(buf, orig, len);
		for (k = 0; k < tbl_le32(orig + H_NBUCKETS); k++)
			tbl_put32(buf + off + 4 * k, tbl_le32(orig + off + 4 * k) ^ x);
		moved = check_reseeded(orig, buf, len);
	}
	assert_true(moved > 0);
	off = tbl_le32(orig + H_SECTIONS + 8 * SEC_RELAYS);
	MUTATE("a relay node out of range", tbl_put32(buf + off + R_NODE, 77));
	MUTATE("a relay class out of range", tbl_put32(buf + off + R_CLASS, 2));
	MUTATE("a relay name out of range", tbl_put32(buf + off + R_NAME, 0x10000));
	off = tbl_le32(orig + H_SECTIONS + 8 * SEC_NAMEIDX);
	MUTATE("a wrong names index", tbl_put32(buf + off, 1));
	off = tbl_le32(orig + H_SECTIONS + 8 * SEC_STRINGS) +
	      tbl_le32(orig + H_SECTIONS + 8 * SEC_STRINGS + 4) - 1;
	MUTATE("unterminated strings", buf[off] = 'x');
	off = tbl_le32(orig + H_SECTIONS + 8 * SEC_GRANTS);
	MUTATE("a grant bit past the classes", buf[off] |= 0x80);
	/* A key off its slot is accepted but never found: it fails closed. */
	memcpy(buf, orig, len);
	off = tbl_le32(orig + H_SECTIONS + 8 * SEC_KEYS);
	for (k = 0; k < st_nodes(orig) && memcmp(buf + off + 32 * k, k3, 32) != 0; k++)
		;
	assert_true(k < st_nodes(orig));
	misplace(buf, off + 32 * k, k);
	resign(buf, len);
	{
		struct rg_table_trust trust = trust_of(&key_a);
		struct rg_table *t;
		uint32_t r;

		assert_int_equal(rg_table_open_mem(buf, len, &trust, &t, NULL), 0);
		for (r = 0; r < 2; r++)
			assert_false(rg_table_allowed(t, r, buf + off + 32 * k));
		rg_table_close(t);
	}
	/* The unchanged table still loads after re-signing. */
	memcpy(buf, orig, len);
	resign(buf, len);
	{
		struct rg_table_trust trust = trust_of(&key_a);
		struct rg_table *t;

		assert_int_equal(rg_table_open_mem(buf, len, &trust, &t, NULL), 0);
		rg_table_close(t);
	}
#undef MUTATE
	free(buf);
	free(orig);
}

/* ---- files ------------------------------------------------------------------ */

static void test_files(void **state)
{
	char dir[] = "/tmp/rg-tabletest-XXXXXX", path[128];
	struct rg_table_trust trust = trust_of(&key_a);
	struct rg_table *t;
	struct rg_err err;
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/relay.table", dir);
	small_table(3, 1700000000, &key_a, &buf, &len);
	assert_int_equal(rg_file_write_atomic(path, buf, len, 0644, 0, &err), 0);
	assert_int_equal(rg_table_open(path, &trust, &t, &err), 0);
	assert_true(rg_table_allowed(t, rg_table_relay_by_name(t, "r1"), k3));
	rg_table_close(t);
	assert_int_equal(chmod(path, 0664), 0);
	assert_int_equal(rg_table_open(path, &trust, &t, &err), -1);
	assert_non_null(strstr(err.msg, "writable by group"));
	assert_int_equal(rg_file_write_atomic(path, buf, 100, 0644, 0, &err), 0);
	assert_int_equal(rg_table_open(path, &trust, &t, &err), -1);
	assert_non_null(strstr(err.msg, "truncated"));
	assert_int_equal(rg_file_write_atomic(path, "", 0, 0644, 0, &err), 0);
	assert_int_equal(rg_table_open(path, &trust, &t, &err), -1);
	assert_int_equal(rg_table_open(dir, &trust, &t, &err), -1);
	assert_int_equal(rg_table_open("/nonexistent/table", &trust, &t, &err), -1);
	assert_non_null(strstr(err.msg, "cannot open"));
	unlink(path);
	rmdir(dir);
	free(buf);
}

/* ---- build-side cases -------------------------------------------------------- */

/*
 * The inventory loader refuses two nodes with one disco key (test_inventory);
 * the builder checks again, so the key is copied after loading.
 */
static void test_duplicate_keys(void **state)
{
	static const char inv[] =
		"{\"users\": [{\"id\": 1, \"name\": \"a\", \"email\": \"a@example.com\"}], \"nodes\": [\n"
		" {\"name\": \"x\", \"user\": \"a@example.com\", \"tags\": [], \"ips\": [\"100.64.0.1\"],\n"
		"  \"disco_key\": \"discokey:0909090909090909090909090909090909090909090909090909090909090909\"},\n"
		" {\"name\": \"y\", \"user\": \"a@example.com\", \"tags\": [], \"ips\": [\"100.64.0.2\"],\n"
		"  \"disco_key\": \"discokey:0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a\"}]}";
	static const char pol[] = "{\"grants\": [{\"src\": [\"*\"], \"dst\": [\"*\"], "
				  "\"app\": {\"tailscale.com/cap/relay\": []}}]}";
	struct rg_table_build_opts o;
	struct fixture f;
	struct rg_err err;
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_int_equal(fixture_load(&f, pol, inv), 0);
	memcpy(f.inv->nodes[1].disco, f.inv->nodes[0].disco, sizeof(f.inv->nodes[0].disco));
	memset(&o, 0, sizeof(o));
	assert_int_equal(rg_table_build(f.e, &o, &buf, &len, NULL, &err), -1);
	assert_string_equal(err.msg, "no signing key");
	o.key = &key_a;
	assert_int_equal(rg_table_build(f.e, &o, &buf, &len, NULL, &err), -1);
	assert_null(buf);
	assert_string_equal(err.msg, "nodes 'x' and 'y' have the same disco key");
	fixture_free(&f);
}

/* A grant to "*" makes every node a relay with one allowed set; no grant, no relays. */
static void test_classes(void **state)
{
	static const char star[] = "{\"grants\": [{\"src\": [\"*\"], \"dst\": [\"*\"], "
				   "\"app\": {\"tailscale.com/cap/relay\": []}}]}";
	static const char none[] = "{\"grants\": [{\"src\": [\"*\"], \"dst\": [\"*\"], "
				   "\"ip\": [\"*\"]}]}";
	struct rg_table_build_stats st;
	struct fixture f;
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_int_equal(fixture_load(&f, star, small_inventory), 0);
	fixture_compile(&f, &key_a, 1, 0, &buf, &len, &st);
	assert_int_equal(st.nrelays, 6);
	assert_int_equal(st.nclasses, 1);
	assert_int_equal(st.allowed_pairs, 6 * 4);
	assert_int_equal(fixture_round_trip(&f, &key_a), 6 * 4);
	free(buf);
	fixture_free(&f);
	assert_int_equal(fixture_load(&f, none, small_inventory), 0);
	fixture_compile(&f, &key_a, 1, 0, &buf, &len, &st);
	assert_int_equal(st.nrelays, 0);
	assert_int_equal(st.nclasses, 0);
	assert_int_equal(fixture_round_trip(&f, &key_a), 0);
	free(buf);
	fixture_free(&f);
}

static int setup(void **state)
{
	(void)state;
	memset(k3, 3, 32);
	memset(k4, 4, 32);
	memset(k6, 6, 32);
	memset(k9, 9, 32);
	return rg_sign_key_generate(&key_a) || rg_sign_key_generate(&key_b);
}

static int teardown(void **state)
{
	(void)state;
	rg_sign_key_wipe(&key_a);
	rg_sign_key_wipe(&key_b);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_generated),
		cmocka_unit_test(test_hash_vector),
		cmocka_unit_test(test_index_sizes),
		cmocka_unit_test(test_crafted_keys),
		cmocka_unit_test(test_small_answers),
		cmocka_unit_test(test_corruption),
		cmocka_unit_test(test_hostile_header_bytes),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_signers),
		cmocka_unit_test(test_rollback_and_age),
		cmocka_unit_test(test_signed_but_malformed),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_classes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

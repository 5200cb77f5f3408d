/* Disco keys: text forms, weak keys, derivation, key files, shared-key cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "hexutil.h"
#include "relaygate/disco_cache.h"
#include "relaygate/disco_key.h"

/* RFC 7748 §6.1 X25519 test keys. */
#define ALICE_SK "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"
#define ALICE_PK "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
#define BOB_SK "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"
#define BOB_PK "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
/* NaCl's "firstkey": crypto_box_beforenm(bob_pk, alice_sk). */
#define FIRSTKEY "1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389"

static void hex32(const char *hex, uint8_t out[32])
{
	assert_int_equal(hex_decode(hex, out, 32), 32);
}

static void test_text_form(void **state)
{
	static const char text[] =
		"discokey:50d20b455ecf12bc453f83c2cfdb2a24925d06cf2598dcaa54e91af82ce9f765";
	struct rg_disco_key k, want;
	char out[RG_DISCO_KEY_TEXT_LEN + 1], up[sizeof(text)];

	(void)state;
	hex32("50 d2 0b 45 5e cf 12 bc 45 3f 83 c2 cf db 2a 24 92 5d 06 cf 25 98 dc aa 54 e9 1a f8 "
	      "2c e9 f7 65", want.b);
	assert_int_equal(rg_disco_key_parse(text, strlen(text), &k), 0);
	assert_memory_equal(k.b, want.b, 32);
	rg_disco_key_format(&k, out);
	assert_string_equal(out, text);
	assert_int_equal(strlen(out), RG_DISCO_KEY_TEXT_LEN);
	/* Go's hex decoder takes upper case too; formatting is lower case. */
	memcpy(up, text, sizeof(text));
	for (size_t i = 9; up[i]; i++)
		if (up[i] >= 'a' && up[i] <= 'f')
			up[i] = (char)(up[i] - 'a' + 'A');
	assert_int_equal(rg_disco_key_parse(up, strlen(up), &k), 0);
	assert_memory_equal(k.b, want.b, 32);
	/* Wrong prefix, length, characters. */
	assert_int_equal(rg_disco_key_parse(text + 1, strlen(text) - 1, &k), -1);
	assert_int_equal(rg_disco_key_parse(text, strlen(text) - 1, &k), -1);
	assert_int_equal(rg_disco_key_parse(text, strlen(text) - 2, &k), -1);
	assert_int_equal(rg_disco_key_parse("nodekey:50d20b455ecf12bc453f83c2cfdb2a24925d06cf2598dcaa"
					    "54e91af82ce9f765", 72, &k), -1);
	memcpy(up, text, sizeof(text));
	up[20] = 'g';
	assert_int_equal(rg_disco_key_parse(up, strlen(up), &k), -1);
	up[20] = ' ';
	assert_int_equal(rg_disco_key_parse(up, strlen(up), &k), -1);
	assert_int_equal(rg_disco_key_parse("", 0, &k), -1);
}

static void test_short_string(void **state)
{
	struct rg_disco_key k;
	char out[RG_DISCO_KEY_SHORT_LEN + 1];

	(void)state;
	memset(&k, 0, sizeof(k));
	rg_disco_key_short(&k, out);
	assert_string_equal(out, "");
	hex32("50d20b455ecf12bc453f83c2cfdb2a24925d06cf2598dcaa54e91af82ce9f765", k.b);
	rg_disco_key_short(&k, out);
	assert_string_equal(out, "d:50d20b455ecf12bc");
}

static void test_sorted_pair_order(void **state)
{
	struct rg_disco_key a, b;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.b[0] = 1;
	b.b[0] = 2;
	assert_true(rg_disco_key_compare(&a, &b) < 0);
	assert_true(rg_disco_key_compare(&b, &a) > 0);
	assert_int_equal(rg_disco_key_compare(&a, &a), 0);
	/* Byte order, not little-endian number order (sodium_compare). */
	a.b[0] = 1;
	a.b[31] = 9;
	b.b[0] = 2;
	b.b[31] = 0;
	assert_true(rg_disco_key_compare(&a, &b) < 0);
	for (int i = 0; i < 2000; i++) {
		int want, got;

		randombytes_buf(a.b, 32);
		b = a;
		b.b[randombytes_uniform(32)] ^= (uint8_t)(1 + randombytes_uniform(255));
		want = memcmp(a.b, b.b, 32);
		got = rg_disco_key_compare(&a, &b);
		assert_true((want < 0 && got < 0) || (want > 0 && got > 0));
	}
}

/* Each listed encoding must make X25519 fail with any scalar: that is what
 * "small order" means, and it checks the table itself. */
static void test_weak_keys(void **state)
{
	struct rg_disco_private priv;
	struct rg_disco_shared sh;
	struct rg_disco_key k;
	uint8_t q[32];

	(void)state;
	assert_int_equal(rg_disco_private_generate(&priv), 0);
	for (size_t i = 0; i < RG_DISCO_WEAK_KEY_COUNT; i++) {
		rg_disco_weak_key(i, &k);
		assert_true(rg_disco_key_is_weak(&k));
		assert_int_equal(crypto_scalarmult(q, priv.b, k.b), -1);
		memset(sh.b, 0xaa, 32);
		assert_int_equal(rg_disco_shared_compute(&priv, &k, &sh), -1);
		assert_true(sodium_is_zero(sh.b, 32));
		/* libsodium refuses it on its own too (the return value we check). */
		assert_int_equal(crypto_box_beforenm(sh.b, k.b, priv.b), -1);
		for (size_t j = 0; j < i; j++) {
			struct rg_disco_key o;

			rg_disco_weak_key(j, &o);
			assert_memory_not_equal(k.b, o.b, 32);
		}
	}
	/* Neighbours of listed points are ordinary keys. */
	memset(k.b, 0, 32);
	k.b[0] = 2;
	assert_false(rg_disco_key_is_weak(&k));
	assert_int_equal(rg_disco_shared_compute(&priv, &k, &sh), 0);
	rg_disco_weak_key(4, &k);
	k.b[0] = 0xeb; /* p - 2 */
	assert_false(rg_disco_key_is_weak(&k));
	for (int i = 0; i < 100; i++) {
		randombytes_buf(k.b, 32);
		assert_false(rg_disco_key_is_weak(&k));
	}
	rg_disco_wipe(&priv, sizeof(priv));
}

static void test_derivation_and_agreement(void **state)
{
	struct rg_disco_private a, b;
	struct rg_disco_key apub, bpub, want;
	struct rg_disco_shared ab, ba, first;

	(void)state;
	hex32(ALICE_SK, a.b);
	hex32(BOB_SK, b.b);
	assert_int_equal(rg_disco_private_public(&a, &apub), 0);
	hex32(ALICE_PK, want.b);
	assert_memory_equal(apub.b, want.b, 32);
	assert_int_equal(rg_disco_private_public(&b, &bpub), 0);
	hex32(BOB_PK, want.b);
	assert_memory_equal(bpub.b, want.b, 32);
	/* Shared key symmetry (Go TestDiscoKey) and NaCl's known value. */
	assert_int_equal(rg_disco_shared_compute(&a, &bpub, &ab), 0);
	assert_int_equal(rg_disco_shared_compute(&b, &apub, &ba), 0);
	assert_memory_equal(ab.b, ba.b, 32);
	hex32(FIRSTKEY, first.b);
	assert_memory_equal(ab.b, first.b, 32);
	assert_true(rg_disco_key_equal(&apub, &apub));
	assert_false(rg_disco_key_equal(&apub, &bpub));
}

static void test_private_text(void **state)
{
	struct rg_disco_private k, k2;
	char text[RG_DISCO_PRIVATE_TEXT_LEN + 1];

	(void)state;
	hex32(ALICE_SK, k.b);
	rg_disco_private_format(&k, text);
	assert_string_equal(text, "privkey:" ALICE_SK);
	assert_int_equal(rg_disco_private_parse(text, strlen(text), &k2), 0);
	assert_memory_equal(k.b, k2.b, 32);
	assert_int_equal(rg_disco_private_parse(text, strlen(text) - 1, &k2), -1);
	/* A public key is not a private key. */
	assert_int_equal(rg_disco_private_parse("discokey:" ALICE_SK, 73, &k2), -1);
}

static char tmpdir[64];

static int tmpdir_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rg-keytest-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static void write_file(const char *path, const char *data, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(data, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_key_files(void **state)
{
	char path[128], other[128];
	struct rg_disco_private k, got;
	struct rg_err err;
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/disco.key", tmpdir);
	snprintf(other, sizeof(other), "%s/other.key", tmpdir);
	assert_int_equal(rg_disco_private_generate(&k), 0);
	assert_int_equal(rg_disco_private_store(path, &k, 1, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, RG_DISCO_PRIVATE_TEXT_LEN + 1);
	assert_int_equal(rg_disco_private_load(path, &got, &err), 0);
	assert_memory_equal(k.b, got.b, 32);
	/* Exclusive store refuses to replace a key. */
	assert_int_equal(rg_disco_private_store(path, &k, 1, &err), -1);
	/* Without the newline it loads too. */
	write_file(other, "privkey:" ALICE_SK, 0600);
	assert_int_equal(rg_disco_private_load(other, &got, &err), 0);
	hex32(ALICE_SK, k.b);
	assert_memory_equal(k.b, got.b, 32);
	/* Readable by others: refused. */
	write_file(other, "privkey:" ALICE_SK "\n", 0644);
	assert_int_equal(rg_disco_private_load(other, &got, &err), -1);
	assert_non_null(strstr(err.msg, "group or others"));
	/* Garbage, extra lines, CRLF, a public key: refused. */
	write_file(other, "privkey:" ALICE_SK "\n\n", 0600);
	assert_int_equal(rg_disco_private_load(other, &got, &err), -1);
	write_file(other, "privkey:" ALICE_SK "\r\n", 0600);
	assert_int_equal(rg_disco_private_load(other, &got, &err), -1);
	write_file(other, "discokey:" ALICE_PK "\n", 0600);
	assert_int_equal(rg_disco_private_load(other, &got, &err), -1);
	write_file(other, "", 0600);
	assert_int_equal(rg_disco_private_load(other, &got, &err), -1);
	write_file(other, "privkey:" ALICE_SK ALICE_SK ALICE_SK "\n", 0600);
	assert_int_equal(rg_disco_private_load(other, &got, &err), -1);
	assert_int_equal(rg_disco_private_load(tmpdir, &got, &err), -1);
	assert_int_equal(rg_disco_private_load("/nonexistent/key", &got, &err), -1);
	unlink(path);
	unlink(other);
}

static int tmpdir_teardown(void **state)
{
	(void)state;
	return rmdir(tmpdir);
}

static void random_key(struct rg_disco_key *k)
{
	struct rg_disco_private p;

	assert_int_equal(rg_disco_private_generate(&p), 0);
	assert_int_equal(rg_disco_private_public(&p, k), 0);
}

static void test_cache(void **state)
{
	struct rg_disco_private priv, peerpriv;
	struct rg_disco_key peer, keys[RG_DISCO_CACHE_WAYS + 1];
	struct rg_disco_shared got, want;
	struct rg_disco_cache *c;
	const struct rg_disco_cache_stats *st;

	(void)state;
	hex32(ALICE_SK, priv.b);
	hex32(BOB_SK, peerpriv.b);
	assert_int_equal(rg_disco_private_public(&peerpriv, &peer), 0);
	/* Capacity 1 rounds up to one set of RG_DISCO_CACHE_WAYS entries. */
	c = rg_disco_cache_new(&priv, 1);
	assert_non_null(c);
	st = rg_disco_cache_stats(c);
	hex32(ALICE_PK, want.b);
	assert_memory_equal(rg_disco_cache_public(c)->b, want.b, 32);
	hex32(FIRSTKEY, want.b);
	assert_int_equal(rg_disco_cache_get(c, &peer, &got), 0);
	assert_memory_equal(got.b, want.b, 32);
	assert_int_equal(rg_disco_cache_get(c, &peer, &got), 0);
	assert_memory_equal(got.b, want.b, 32);
	assert_int_equal(st->computations, 1);
	assert_int_equal(st->hits, 1);
	/* Weak keys: refused, counted, never cached. */
	for (size_t i = 0; i < RG_DISCO_WEAK_KEY_COUNT; i++) {
		struct rg_disco_key w;

		rg_disco_weak_key(i, &w);
		assert_int_equal(rg_disco_cache_get(c, &w, &got), -1);
		assert_true(sodium_is_zero(got.b, 32));
	}
	assert_int_equal(st->failures, RG_DISCO_WEAK_KEY_COUNT);
	assert_int_equal(rg_disco_cache_get(c, &peer, &got), 0);
	assert_int_equal(st->hits, 2);
	assert_int_equal(st->evictions, 0);
	/* Fill the set, touching peer so that keys[0] is the LRU victim. */
	for (size_t i = 0; i < RG_DISCO_CACHE_WAYS - 1; i++) {
		random_key(&keys[i]);
		assert_int_equal(rg_disco_cache_get(c, &keys[i], &got), 0);
	}
	assert_int_equal(rg_disco_cache_get(c, &peer, &got), 0);
	assert_int_equal(st->evictions, 0);
	random_key(&keys[RG_DISCO_CACHE_WAYS]);
	assert_int_equal(rg_disco_cache_get(c, &keys[RG_DISCO_CACHE_WAYS], &got), 0);
	assert_int_equal(st->evictions, 1);
	{
		uint64_t before = st->computations;

		assert_int_equal(rg_disco_cache_get(c, &peer, &got), 0);
		assert_int_equal(st->computations, before);
		assert_int_equal(rg_disco_cache_get(c, &keys[0], &got), 0);
		assert_int_equal(st->computations, before + 1);
	}
	rg_disco_cache_clear(c);
	assert_int_equal(rg_disco_cache_get(c, &peer, &got), 0);
	assert_memory_equal(got.b, want.b, 32);
	rg_disco_cache_free(c);
	rg_disco_cache_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_form),
		cmocka_unit_test(test_short_string),
		cmocka_unit_test(test_sorted_pair_order),
		cmocka_unit_test(test_weak_keys),
		cmocka_unit_test(test_derivation_and_agreement),
		cmocka_unit_test(test_private_text),
		cmocka_unit_test(test_key_files),
		cmocka_unit_test(test_cache),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}

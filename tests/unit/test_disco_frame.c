/* Disco framing: layout, libsodium mapping, tampering and truncation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "relaygate/disco.h"

struct pair {
	struct rg_disco_private a, b;
	struct rg_disco_key apub, bpub;
	struct rg_disco_shared k; /* a <-> b */
};

static void mk_pair(struct pair *p)
{
	assert_int_equal(rg_disco_private_generate(&p->a), 0);
	assert_int_equal(rg_disco_private_generate(&p->b), 0);
	assert_int_equal(rg_disco_private_public(&p->a, &p->apub), 0);
	assert_int_equal(rg_disco_private_public(&p->b, &p->bpub), 0);
	assert_int_equal(rg_disco_shared_compute(&p->a, &p->bpub, &p->k), 0);
}

static const uint8_t msg[] = "\x01\x00" "0123456789ab";

/* A fresh pair and msg sealed from a to b in frame. */
static size_t sealed(struct pair *p, uint8_t *frame, size_t cap)
{
	size_t len;

	mk_pair(p);
	assert_int_equal(rg_disco_seal(&p->apub, &p->k, msg, sizeof(msg) - 1, frame, cap, &len),
			 RG_DISCO_OK);
	return len;
}

static void test_layout_matches_crypto_box(void **state)
{
	struct pair p;
	uint8_t nonce[24], frame[256], box[256], plain[64];
	size_t len, plen;

	(void)state;
	mk_pair(&p);
	randombytes_buf(nonce, sizeof(nonce));
	assert_int_equal(rg_disco_seal_nonce(&p.apub, &p.k, nonce, msg, sizeof(msg) - 1, frame,
					     sizeof(frame), &len), RG_DISCO_OK);
	assert_int_equal(len, RG_DISCO_OVERHEAD + sizeof(msg) - 1);
	assert_memory_equal(frame, "TS\xf0\x9f\x92\xac", 6);
	assert_memory_equal(frame + 6, p.apub.b, 32);
	assert_memory_equal(frame + 38, nonce, 24);
	/* The box is exactly crypto_box_easy(recipient pk, sender sk). */
	assert_int_equal(crypto_box_easy(box, msg, sizeof(msg) - 1, nonce, p.bpub.b, p.a.b), 0);
	assert_memory_equal(frame + 62, box, 16 + sizeof(msg) - 1);
	/* The recipient opens it with its own precomputed key. */
	{
		struct rg_disco_shared kb;
		struct rg_disco_key sender;

		assert_int_equal(rg_disco_shared_compute(&p.b, &p.apub, &kb), 0);
		assert_true(rg_disco_looks_like(frame, len));
		assert_int_equal(rg_disco_frame_sender(frame, len, &sender), RG_DISCO_OK);
		assert_true(rg_disco_key_equal(&sender, &p.apub));
		assert_int_equal(rg_disco_open(&kb, frame, len, plain, sizeof(plain), &plen),
				 RG_DISCO_OK);
		assert_int_equal(plen, sizeof(msg) - 1);
		assert_memory_equal(plain, msg, plen);
	}
	/* Random nonces differ. */
	{
		uint8_t f2[256];
		size_t l2;

		assert_int_equal(rg_disco_seal(&p.apub, &p.k, msg, 2, frame, sizeof(frame), &len), 0);
		assert_int_equal(rg_disco_seal(&p.apub, &p.k, msg, 2, f2, sizeof(f2), &l2), 0);
		assert_memory_not_equal(frame + 38, f2 + 38, 24);
	}
}

static void test_tampering(void **state)
{
	struct pair p;
	uint8_t frame[256], plain[64];
	size_t len, plen;

	(void)state;
	len = sealed(&p, frame, sizeof(frame));
	/* Any bit of nonce, tag or ciphertext breaks authentication. */
	for (size_t i = 38; i < len; i++) {
		frame[i] ^= 0x01;
		memset(plain, 0x55, sizeof(plain));
		assert_int_equal(rg_disco_open(&p.k, frame, len, plain, sizeof(plain), &plen),
				 RG_DISCO_ERR_BOX);
		assert_int_equal(plen, 0);
		assert_true(sodium_is_zero(plain, sizeof(msg) - 1));
		frame[i] ^= 0x01;
	}
	/* The sender field only selects the key; it is not authenticated. */
	frame[10] ^= 0x01;
	assert_int_equal(rg_disco_open(&p.k, frame, len, plain, sizeof(plain), &plen), RG_DISCO_OK);
	frame[10] ^= 0x01;
	/* Magic. */
	frame[5] ^= 0x01;
	assert_false(rg_disco_looks_like(frame, len));
	assert_int_equal(rg_disco_open(&p.k, frame, len, plain, sizeof(plain), &plen),
			 RG_DISCO_ERR_MAGIC);
	frame[5] ^= 0x01;
	/* Another key. */
	{
		struct pair q;

		mk_pair(&q);
		assert_int_equal(rg_disco_open(&q.k, frame, len, plain, sizeof(plain), &plen),
				 RG_DISCO_ERR_BOX);
	}
	/* Output buffer one byte short. */
	assert_int_equal(rg_disco_open(&p.k, frame, len, plain, sizeof(msg) - 2, &plen),
			 RG_DISCO_ERR_SPACE);
	assert_int_equal(rg_disco_open(&p.k, frame, len, plain, sizeof(msg) - 1, &plen),
			 RG_DISCO_OK);
}

static void test_truncation(void **state)
{
	struct pair p;
	uint8_t frame[256], plain[64];
	size_t len, plen;

	(void)state;
	len = sealed(&p, frame, sizeof(frame));
	for (size_t n = 0; n < len; n++) {
		uint8_t *cp = test_malloc(n ? n : 1);
		struct rg_disco_key s;
		int want = n < RG_DISCO_HEADER_LEN || n < RG_DISCO_OVERHEAD ? RG_DISCO_ERR_SHORT
									    : RG_DISCO_ERR_BOX;

		memcpy(cp, frame, n);
		assert_int_equal(rg_disco_looks_like(cp, n), n >= RG_DISCO_HEADER_LEN);
		assert_int_equal(rg_disco_frame_sender(cp, n, &s),
				 n >= RG_DISCO_HEADER_LEN ? RG_DISCO_OK : RG_DISCO_ERR_SHORT);
		assert_int_equal(rg_disco_open(&p.k, cp, n, plain, sizeof(plain), &plen), want);
		test_free(cp);
	}
}

static void test_seal_space(void **state)
{
	struct pair p;
	uint8_t frame[128];
	size_t len = 7;

	(void)state;
	mk_pair(&p);
	assert_int_equal(rg_disco_seal(&p.apub, &p.k, msg, 10, frame, RG_DISCO_OVERHEAD + 9, &len),
			 RG_DISCO_ERR_SPACE);
	assert_int_equal(len, 0);
	assert_int_equal(rg_disco_seal(&p.apub, &p.k, msg, 0, frame, RG_DISCO_OVERHEAD - 1, &len),
			 RG_DISCO_ERR_SPACE);
	assert_int_equal(rg_disco_seal(&p.apub, &p.k, msg, 10, frame, RG_DISCO_OVERHEAD + 10, &len),
			 RG_DISCO_OK);
	assert_int_equal(len, RG_DISCO_OVERHEAD + 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_matches_crypto_box),
		cmocka_unit_test(test_tampering),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_seal_space),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

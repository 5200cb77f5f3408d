/* Disco key text forms, weak-key list, derivation and key agreement. */
#include <string.h>

#include <sodium.h>

#include "relaygate/disco_key.h"
#include "util/keyfile.h"

/*
 * The Curve25519 points of order 1, 2, 4 and 8 (libsodium's blacklist in
 * x25519_ref10.c): 0, 1, two points of order 8, p-1, p (= 0) and p+1 (= 1).
 * X25519 ignores bit 255, so each is also weak with that bit set.
 */
#define SMALL_ORDER_COUNT (RG_DISCO_WEAK_KEY_COUNT / 2)

static const uint8_t small_order[SMALL_ORDER_COUNT][RG_DISCO_KEY_LEN] = {
	{ 0 },
	{ 1 },
	{ 0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4,
	  0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49,
	  0xb8, 0x00 },
	{ 0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24, 0xb1, 0xd0, 0xb1, 0x55, 0x9c, 0x83, 0xef,
	  0x5b, 0x04, 0x44, 0x5c, 0xc4, 0x58, 0x1c, 0x8e, 0x86, 0xd8, 0x22, 0x4e, 0xdd, 0xd0, 0x9f,
	  0x11, 0x57 },
	{ 0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0x7f },
	{ 0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0x7f },
	{ 0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0x7f },
};

void rg_disco_weak_key(size_t i, struct rg_disco_key *out)
{
	memcpy(out->b, small_order[i % SMALL_ORDER_COUNT], RG_DISCO_KEY_LEN);
	if (i >= SMALL_ORDER_COUNT)
		out->b[RG_DISCO_KEY_LEN - 1] |= 0x80;
}

void rg_disco_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}

int rg_disco_key_parse(const char *s, size_t n, struct rg_disco_key *out)
{
	return rg_hexkey_parse(s, n, RG_DISCO_KEY_PREFIX, out->b);
}

void rg_disco_key_format(const struct rg_disco_key *k, char *out)
{
	rg_hexkey_format(k->b, RG_DISCO_KEY_PREFIX, out);
}

void rg_disco_key_short(const struct rg_disco_key *k, char out[RG_DISCO_KEY_SHORT_LEN + 1])
{
	if (rg_disco_key_is_zero(k)) {
		out[0] = '\0';
		return;
	}
	out[0] = 'd';
	out[1] = ':';
	sodium_bin2hex(out + 2, RG_DISCO_KEY_SHORT_LEN - 1, k->b, 8);
}

bool rg_disco_key_is_zero(const struct rg_disco_key *k)
{
	return sodium_is_zero(k->b, RG_DISCO_KEY_LEN) == 1;
}

bool rg_disco_key_is_weak(const struct rg_disco_key *k)
{
	uint8_t low[RG_DISCO_KEY_LEN];
	unsigned hit = 0;

	memcpy(low, k->b, sizeof(low));
	low[RG_DISCO_KEY_LEN - 1] &= 0x7f;
	for (size_t i = 0; i < SMALL_ORDER_COUNT; i++)
		hit |= (unsigned)(crypto_verify_32(low, small_order[i]) == 0);
	return hit != 0;
}

bool rg_disco_key_equal(const struct rg_disco_key *a, const struct rg_disco_key *b)
{
	return crypto_verify_32(a->b, b->b) == 0;
}

int rg_disco_key_compare(const struct rg_disco_key *a, const struct rg_disco_key *b)
{
	int r = 0;

	/* Walk backwards so the first differing byte decides, without branches. */
	for (size_t i = RG_DISCO_KEY_LEN; i-- > 0;) {
		int d = (int)a->b[i] - (int)b->b[i];
		int mask = -(int)(d != 0);

		r = (r & ~mask) | (d & mask);
	}
	return r;
}

int rg_disco_private_generate(struct rg_disco_private *out)
{
	if (sodium_init() < 0)
		return -1;
	randombytes_buf(out->b, sizeof(out->b));
	return 0;
}

int rg_disco_private_parse(const char *s, size_t n, struct rg_disco_private *out)
{
	return rg_hexkey_parse(s, n, RG_DISCO_PRIVATE_PREFIX, out->b);
}

void rg_disco_private_format(const struct rg_disco_private *k, char *out)
{
	rg_hexkey_format(k->b, RG_DISCO_PRIVATE_PREFIX, out);
}

int rg_disco_private_public(const struct rg_disco_private *k, struct rg_disco_key *pub)
{
	if (sodium_init() < 0 || crypto_scalarmult_base(pub->b, k->b) != 0) {
		sodium_memzero(pub->b, sizeof(pub->b));
		return -1;
	}
	return 0;
}

int rg_disco_shared_compute(const struct rg_disco_private *priv, const struct rg_disco_key *peer,
			    struct rg_disco_shared *out)
{
	if (rg_disco_key_is_weak(peer) || sodium_init() < 0 ||
	    crypto_box_beforenm(out->b, peer->b, priv->b) != 0) {
		sodium_memzero(out->b, sizeof(out->b));
		return -1;
	}
	return 0;
}

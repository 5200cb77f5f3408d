/* Disco framing: magic, sender key, nonce, NaCl box (libsodium afternm). */
#include <string.h>

#include <sodium.h>

#include "relaygate/disco.h"

bool rg_disco_looks_like(const uint8_t *p, size_t n)
{
	return n >= RG_DISCO_HEADER_LEN && memcmp(p, RG_DISCO_MAGIC, RG_DISCO_MAGIC_LEN) == 0;
}

int rg_disco_frame_sender(const uint8_t *p, size_t n, struct rg_disco_key *sender)
{
	if (n < RG_DISCO_HEADER_LEN)
		return RG_DISCO_ERR_SHORT;
	if (memcmp(p, RG_DISCO_MAGIC, RG_DISCO_MAGIC_LEN) != 0)
		return RG_DISCO_ERR_MAGIC;
	memcpy(sender->b, p + RG_DISCO_MAGIC_LEN, RG_DISCO_KEY_LEN);
	return RG_DISCO_OK;
}

int rg_disco_seal_nonce(const struct rg_disco_key *sender, const struct rg_disco_shared *key,
			const uint8_t nonce[RG_DISCO_NONCE_LEN], const uint8_t *msg, size_t mlen,
			uint8_t *out, size_t cap, size_t *len)
{
	uint8_t *box = out + RG_DISCO_HEADER_LEN;

	*len = 0;
	if (cap < RG_DISCO_OVERHEAD || mlen > cap - RG_DISCO_OVERHEAD)
		return RG_DISCO_ERR_SPACE;
	memcpy(out, RG_DISCO_MAGIC, RG_DISCO_MAGIC_LEN);
	memcpy(out + RG_DISCO_MAGIC_LEN, sender->b, RG_DISCO_KEY_LEN);
	memcpy(out + RG_DISCO_MAGIC_LEN + RG_DISCO_KEY_LEN, nonce, RG_DISCO_NONCE_LEN);
	if (crypto_box_easy_afternm(box, msg, mlen, nonce, key->b) != 0)
		return RG_DISCO_ERR_INVALID;
	*len = RG_DISCO_OVERHEAD + mlen;
	return RG_DISCO_OK;
}

int rg_disco_seal(const struct rg_disco_key *sender, const struct rg_disco_shared *key,
		  const uint8_t *msg, size_t mlen, uint8_t *out, size_t cap, size_t *len)
{
	uint8_t nonce[RG_DISCO_NONCE_LEN];

	randombytes_buf(nonce, sizeof(nonce));
	return rg_disco_seal_nonce(sender, key, nonce, msg, mlen, out, cap, len);
}

int rg_disco_open(const struct rg_disco_shared *key, const uint8_t *p, size_t n, uint8_t *out,
		  size_t cap, size_t *len)
{
	const uint8_t *nonce = p + RG_DISCO_MAGIC_LEN + RG_DISCO_KEY_LEN;
	size_t clen;

	*len = 0;
	if (n < RG_DISCO_HEADER_LEN)
		return RG_DISCO_ERR_SHORT;
	if (memcmp(p, RG_DISCO_MAGIC, RG_DISCO_MAGIC_LEN) != 0)
		return RG_DISCO_ERR_MAGIC;
	clen = n - RG_DISCO_HEADER_LEN;
	if (clen < RG_DISCO_TAG_LEN)
		return RG_DISCO_ERR_SHORT;
	if (clen - RG_DISCO_TAG_LEN > cap)
		return RG_DISCO_ERR_SPACE;
	if (crypto_box_open_easy_afternm(out, p + RG_DISCO_HEADER_LEN, clen, nonce, key->b) != 0) {
		sodium_memzero(out, clen - RG_DISCO_TAG_LEN);
		return RG_DISCO_ERR_BOX;
	}
	*len = clen - RG_DISCO_TAG_LEN;
	return RG_DISCO_OK;
}

/* Ed25519 signing keys: generation, text forms, key files. */
#include <sodium.h>

#include "relaygate/sign_key.h"
#include "util/keyfile.h"

_Static_assert(RG_SIGN_PUBLIC_LEN == RG_HEXKEY_LEN && crypto_sign_SEEDBYTES == RG_HEXKEY_LEN,
	       "keys are stored as 32-byte hex text");
_Static_assert(RG_SIGN_SECRET_LEN == crypto_sign_SECRETKEYBYTES &&
	       RG_SIGN_SIG_LEN == crypto_sign_BYTES, "libsodium sizes");

int rg_sign_key_generate(struct rg_sign_key *out)
{
	if (sodium_init() < 0 || crypto_sign_keypair(out->pk, out->sk) != 0) {
		rg_sign_key_wipe(out);
		return -1;
	}
	return 0;
}

int rg_sign_key_load(const char *path, struct rg_sign_key *out, struct rg_err *err)
{
	uint8_t seed[crypto_sign_SEEDBYTES];
	int ret = -1;

	if (sodium_init() < 0)
		return rg_err_set(err, "libsodium initialisation failed");
	if (rg_keyfile_load(path, RG_SIGN_PRIVATE_PREFIX, "signing private key", true, seed,
			    err) < 0)
		goto out;
	if (crypto_sign_seed_keypair(out->pk, out->sk, seed) != 0) {
		rg_err_set(err, "%s: cannot derive the signing key", path);
		goto out;
	}
	ret = 0;
out:
	sodium_memzero(seed, sizeof(seed));
	if (ret < 0)
		rg_sign_key_wipe(out);
	return ret;
}

int rg_sign_key_store(const char *path, const struct rg_sign_key *k, int exclusive,
		      struct rg_err *err)
{
	uint8_t seed[crypto_sign_SEEDBYTES];
	int ret;

	if (crypto_sign_ed25519_sk_to_seed(seed, k->sk) != 0)
		return rg_err_set(err, "%s: invalid signing key", path);
	ret = rg_keyfile_store(path, RG_SIGN_PRIVATE_PREFIX, seed, exclusive, err);
	sodium_memzero(seed, sizeof(seed));
	return ret;
}

void rg_sign_key_wipe(struct rg_sign_key *k)
{
	sodium_memzero(k, sizeof(*k));
}

void rg_sign_public_format(const uint8_t pk[RG_SIGN_PUBLIC_LEN], char *out)
{
	rg_hexkey_format(pk, "", out);
}

int rg_sign_public_parse(const char *s, size_t n, uint8_t pk[RG_SIGN_PUBLIC_LEN])
{
	return rg_hexkey_parse(s, n, "", pk);
}

int rg_sign_public_load(const char *path, uint8_t pk[RG_SIGN_PUBLIC_LEN], struct rg_err *err)
{
	return rg_keyfile_load(path, "", "signing public key", false, pk, err);
}

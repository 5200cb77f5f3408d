/*
 * Ed25519 keys that sign relay authorization tables (libsodium).
 *
 * Text forms:
 *   public   64 lowercase hex digits (what `relaygate keygen sign` prints and
 *            what a `--trust` file holds, with an optional trailing newline)
 *   private  "signpriv:" + 64 hex digits of the 32-byte seed; a private key
 *            file holds exactly that and an optional newline, mode 0600.
 *
 * Ownership: plain values. struct rg_sign_key holds a secret: wipe it with
 * rg_sign_key_wipe() when done.
 */
#ifndef RELAYGATE_SIGN_KEY_H
#define RELAYGATE_SIGN_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "relaygate/err.h"

#define RG_SIGN_PUBLIC_LEN 32
#define RG_SIGN_SECRET_LEN 64      /* libsodium's form: seed + public key */
#define RG_SIGN_SIG_LEN 64
#define RG_SIGN_PRIVATE_PREFIX "signpriv:"
#define RG_SIGN_PUBLIC_TEXT_LEN (2 * RG_SIGN_PUBLIC_LEN)

struct rg_sign_key {
	uint8_t sk[RG_SIGN_SECRET_LEN];
	uint8_t pk[RG_SIGN_PUBLIC_LEN];
};

/* A fresh random key pair. 0 or -1 (libsodium unavailable). */
int rg_sign_key_generate(struct rg_sign_key *out);
/* Reads a private key file (refused when group or others may access it). */
int rg_sign_key_load(const char *path, struct rg_sign_key *out, struct rg_err *err);
/* Writes the private key file atomically with mode 0600; exclusive: never replace. */
int rg_sign_key_store(const char *path, const struct rg_sign_key *k, int exclusive,
		      struct rg_err *err);
void rg_sign_key_wipe(struct rg_sign_key *k);

/* 64 lowercase hex digits and a NUL (RG_SIGN_PUBLIC_TEXT_LEN + 1 bytes). */
void rg_sign_public_format(const uint8_t pk[RG_SIGN_PUBLIC_LEN], char *out);
/* Exactly 64 hex digits (either case) in s[0..n). 0 or -1. */
int rg_sign_public_parse(const char *s, size_t n, uint8_t pk[RG_SIGN_PUBLIC_LEN]);
/* Reads a public key file (a --trust file): the text and an optional newline. */
int rg_sign_public_load(const char *path, uint8_t pk[RG_SIGN_PUBLIC_LEN], struct rg_err *err);

#endif

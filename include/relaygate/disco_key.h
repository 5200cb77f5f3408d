/*
 * Disco keys: Curve25519 key pairs used by Tailscale's discovery protocol
 * (Go types/key/disco.go), with libsodium.
 *
 * Text forms:
 *   public   "discokey:" + 64 hex digits (Tailscale's form; formatted in
 *            lowercase, parsed in either case like Go's hex decoder)
 *   private  "privkey:" + 64 hex digits, this project's form. A private key
 *            file (relaygate keygen disco) holds exactly that text and an
 *            optional trailing newline, mode 0600.
 *
 * Weak keys: the all-zero key and every other Curve25519 point of small
 * order (and their encodings with the ignored top bit set) give an all-zero
 * or attacker-predictable X25519 output. rg_disco_key_is_weak() rejects the
 * whole list; rg_disco_shared_compute() refuses them before calling
 * crypto_box_beforenm() and also checks its return value.
 *
 * Ownership: all types are plain values. Private and shared keys are
 * secrets: wipe them with rg_disco_wipe() when done. Comparisons of key
 * material are constant-time.
 */
#ifndef RELAYGATE_DISCO_KEY_H
#define RELAYGATE_DISCO_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relaygate/err.h"

#define RG_DISCO_KEY_LEN 32
#define RG_DISCO_KEY_PREFIX "discokey:"
#define RG_DISCO_PRIVATE_PREFIX "privkey:"
/* Text lengths without the NUL. */
#define RG_DISCO_KEY_TEXT_LEN (sizeof(RG_DISCO_KEY_PREFIX) - 1 + 2 * RG_DISCO_KEY_LEN)
#define RG_DISCO_PRIVATE_TEXT_LEN (sizeof(RG_DISCO_PRIVATE_PREFIX) - 1 + 2 * RG_DISCO_KEY_LEN)
/* "d:" + 16 hex digits (Go's DiscoPublic.ShortString). */
#define RG_DISCO_KEY_SHORT_LEN 18

struct rg_disco_key {
	uint8_t b[RG_DISCO_KEY_LEN];
};

struct rg_disco_private {
	uint8_t b[RG_DISCO_KEY_LEN];
};

/* The NaCl box key precomputed for one (local private, peer public) pair. */
struct rg_disco_shared {
	uint8_t b[RG_DISCO_KEY_LEN];
};

/* Number of encodings rg_disco_key_is_weak() rejects: 7 small-order points,
 * each with and without bit 255 set. */
#define RG_DISCO_WEAK_KEY_COUNT 14
/* Encoding i (< RG_DISCO_WEAK_KEY_COUNT) of the rejected list, for tests. */
void rg_disco_weak_key(size_t i, struct rg_disco_key *out);

/* Parses "discokey:<64 hex>" (exactly n bytes). 0 or -1. */
int rg_disco_key_parse(const char *s, size_t n, struct rg_disco_key *out);
/* Writes the text form and a NUL into out (RG_DISCO_KEY_TEXT_LEN + 1 bytes). */
void rg_disco_key_format(const struct rg_disco_key *k, char *out);
/* "d:" + hex of the first 8 bytes, or "" for the zero key (Go's ShortString). */
void rg_disco_key_short(const struct rg_disco_key *k, char out[RG_DISCO_KEY_SHORT_LEN + 1]);

bool rg_disco_key_is_zero(const struct rg_disco_key *k);
/* Zero or small-order: never usable for key agreement. */
bool rg_disco_key_is_weak(const struct rg_disco_key *k);
/* Constant-time equality. */
bool rg_disco_key_equal(const struct rg_disco_key *a, const struct rg_disco_key *b);
/* Lexicographic byte order (<0, 0, >0), constant-time; Tailscale sorts
 * client pairs this way (smaller key first). */
int rg_disco_key_compare(const struct rg_disco_key *a, const struct rg_disco_key *b);

/* Fresh random private key. 0 or -1 (libsodium unavailable). */
int rg_disco_private_generate(struct rg_disco_private *out);
/* Parses "privkey:<64 hex>" (exactly n bytes). 0 or -1. */
int rg_disco_private_parse(const char *s, size_t n, struct rg_disco_private *out);
/* Writes the text form and a NUL (RG_DISCO_PRIVATE_TEXT_LEN + 1 bytes). */
void rg_disco_private_format(const struct rg_disco_private *k, char *out);
/* Public key (X25519 base-point multiplication). 0 or -1. */
int rg_disco_private_public(const struct rg_disco_private *k, struct rg_disco_key *pub);

/*
 * Private key files. load accepts the text form with one optional trailing
 * "\n" and refuses files readable by group or others. store writes
 * atomically with mode 0600; with exclusive set an existing file is an error.
 */
int rg_disco_private_load(const char *path, struct rg_disco_private *out, struct rg_err *err);
int rg_disco_private_store(const char *path, const struct rg_disco_private *k, int exclusive,
			   struct rg_err *err);

/*
 * crypto_box_beforenm(peer, priv). -1 for a weak peer key or when libsodium
 * refuses (its result is then never used); out is zeroed on failure.
 */
int rg_disco_shared_compute(const struct rg_disco_private *priv, const struct rg_disco_key *peer,
			    struct rg_disco_shared *out);

/* sodium_memzero. */
void rg_disco_wipe(void *p, size_t n);

#endif

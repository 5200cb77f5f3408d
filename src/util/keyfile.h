/*
 * 32-byte keys as text ("prefix" + 64 hex digits) and key files holding
 * that text with one optional trailing newline.
 *
 * Private key files are written atomically with mode 0600 and refused when
 * group or others may access them; buffers that held key text are wiped.
 */
#ifndef RG_UTIL_KEYFILE_H
#define RG_UTIL_KEYFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relaygate/err.h"

#define RG_HEXKEY_LEN 32

/* prefix + exactly 64 hex digits (either case) in s[0..n) -> out. 0 or -1 (out zeroed). */
int rg_hexkey_parse(const char *s, size_t n, const char *prefix, uint8_t out[RG_HEXKEY_LEN]);
/* Writes prefix, 64 lowercase hex digits and a NUL (strlen(prefix) + 65 bytes). */
void rg_hexkey_format(const uint8_t in[RG_HEXKEY_LEN], const char *prefix, char *out);

/*
 * Reads a key file. With secret set, a file readable or writable by group
 * or others is refused. what names the key in messages ("disco private key").
 */
int rg_keyfile_load(const char *path, const char *prefix, const char *what, bool secret,
		    uint8_t out[RG_HEXKEY_LEN], struct rg_err *err);
/* Writes prefix + hex + "\n" atomically with mode 0600 (exclusive: never replace a file). */
int rg_keyfile_store(const char *path, const char *prefix, const uint8_t key[RG_HEXKEY_LEN],
		     int exclusive, struct rg_err *err);

#endif

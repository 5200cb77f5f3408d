/*
 * IP addresses, prefixes and ranges with Go netip's parsing rules (what
 * Tailscale's control plane uses): IPv4 dotted quads without leading
 * zeros, RFC 4291 IPv6 (embedded IPv4 allowed, no zones), "addr/bits".
 * Formatting is canonical (RFC 5952 for IPv6), as Go prints them.
 */
#ifndef RELAYGATE_NETADDR_H
#define RELAYGATE_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef unsigned __int128 rg_u128;

struct rg_addr {
	uint8_t is6;      /* 0: IPv4 in b[0..3]; 1: IPv6 in b[0..15] */
	uint8_t b[16];
};

struct rg_prefix {
	struct rg_addr addr;  /* as written (host bits may be set) */
	uint8_t bits;
};

#define RG_ADDR_STRLEN 64
#define RG_PREFIX_STRLEN 72

/* Parsers return 0 on success, -1 if s[0..n) is not that form. */
int rg_addr_parse(const char *s, size_t n, struct rg_addr *out);
/* "addr/bits"; with allow_bare, a lone address is a full-length prefix. */
int rg_prefix_parse(const char *s, size_t n, bool allow_bare, struct rg_prefix *out);
/* "a-b" with both ends of one family and a <= b. */
int rg_range_parse(const char *s, size_t n, struct rg_addr *lo, struct rg_addr *hi);

void rg_addr_format(const struct rg_addr *a, char out[RG_ADDR_STRLEN]);
/* An inclusive address interval as Tailscale writes it: "a", "a/n" or "a-b". */
#define RG_INTERVAL_STRLEN (2 * RG_ADDR_STRLEN)
void rg_interval_format(rg_u128 lo, rg_u128 hi, bool is6, char out[RG_INTERVAL_STRLEN]);
void rg_prefix_format(const struct rg_prefix *p, char out[RG_PREFIX_STRLEN]);

/* Addresses as integers: IPv4 in the low 32 bits. */
rg_u128 rg_addr_to_u128(const struct rg_addr *a);
struct rg_addr rg_addr_from_u128(rg_u128 v, bool is6);
/* First and last address of the prefix (host bits cleared / set). */
void rg_prefix_bounds(const struct rg_prefix *p, rg_u128 *lo, rg_u128 *hi);
static inline unsigned rg_addr_bits(const struct rg_addr *a) { return a->is6 ? 128 : 32; }
int rg_addr_cmp(const struct rg_addr *a, const struct rg_addr *b);
/* Whether the prefix has no host bits set. */
bool rg_prefix_is_masked(const struct rg_prefix *p);

#endif

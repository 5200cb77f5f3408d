/*
 * IP address and port, as the relay sees them on the wire.
 *
 * One representation for both families: 16 address bytes, IPv4 stored
 * IPv4-mapped (::ffff:a.b.c.d), which is also the disco wire encoding of an
 * endpoint record. IPv6 zones are not represented (the relay never uses
 * link-local addresses). Plain value type: no ownership, copy freely.
 */
#ifndef RELAYGATE_ADDRPORT_H
#define RELAYGATE_ADDRPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct rg_addrport {
	uint8_t ip[16];
	uint16_t port;
};

/* "255.255.255.255:65535" and "[ffff:...:ffff]:65535" fit. */
#define RG_ADDRPORT_TEXT_MAX 48

/* v4 is 4 bytes in network order. */
void rg_addrport_set4(struct rg_addrport *a, const uint8_t v4[4], uint16_t port);
void rg_addrport_set6(struct rg_addrport *a, const uint8_t v6[16], uint16_t port);
/* Whether the address is IPv4 (IPv4-mapped in ip[]). */
bool rg_addrport_is4(const struct rg_addrport *a);
bool rg_addrport_equal(const struct rg_addrport *a, const struct rg_addrport *b);
/* Whether both address and port are zero (an unset endpoint). */
bool rg_addrport_is_zero(const struct rg_addrport *a);
/* Formats like Go's netip.AddrPort.String(); out must hold RG_ADDRPORT_TEXT_MAX. */
void rg_addrport_format(const struct rg_addrport *a, char *out, size_t n);
/* Parses "a.b.c.d:port" or "[v6]:port" (no zones). 0 on success, -1 on error. */
int rg_addrport_parse(const char *s, struct rg_addrport *out);
/* A sockaddr_in for IPv4 (v4-mapped) addresses, else a sockaddr_in6; its length. */
socklen_t rg_addrport_to_sockaddr(const struct rg_addrport *a, struct sockaddr_storage *ss);
/* From an AF_INET or AF_INET6 address; -1 (and *a zeroed) for another family. */
int rg_addrport_from_sockaddr(const struct sockaddr_storage *ss, struct rg_addrport *a);

#endif

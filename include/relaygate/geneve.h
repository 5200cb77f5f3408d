/*
 * Geneve fixed header as used by Tailscale peer relays (Go
 * net/packet/geneve.go), and the classification of datagrams on a relay
 * port: the relay server's demux and the client's packetLooksLike.
 *
 *  byte 0: Ver (2 bits) | Opt Len (6)   byte 1: O (0x80) | C (0x40) | reserved (6)
 *  bytes 2-3: protocol (0x7A11 disco, 0x7A12 WireGuard)
 *  bytes 4-6: VNI (24 bits)   byte 7: reserved
 *
 * Plain value types; functions take explicit lengths and never read past
 * them.
 */
#ifndef RELAYGATE_GENEVE_H
#define RELAYGATE_GENEVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RG_GENEVE_HEADER_LEN 8
#define RG_GENEVE_PROTO_DISCO 0x7A11
#define RG_GENEVE_PROTO_WIREGUARD 0x7A12
#define RG_GENEVE_VNI_MAX 0xFFFFFFu

struct rg_geneve_header {
	uint8_t version;   /* 0..3 */
	uint8_t opt_len;   /* 0..63, in 4-byte words; Tailscale never sends options */
	bool control;      /* O bit: relay handshake messages only */
	bool critical;     /* C bit: never set by Tailscale */
	uint8_t reserved1; /* low 6 bits of byte 1 */
	uint16_t protocol;
	uint32_t vni;      /* 24 bits */
	uint8_t reserved2; /* byte 7 */
};

/*
 * Writes the 8 header bytes exactly as Go's GeneveHeader.Encode: version,
 * control, protocol and VNI; everything else zero. -1 if version > 3 or vni
 * does not fit 24 bits.
 */
int rg_geneve_encode(const struct rg_geneve_header *h, uint8_t out[RG_GENEVE_HEADER_LEN]);
/* Decodes every field (Go decodes only four; see rg_geneve_is_plain). -1 if n < 8. */
int rg_geneve_decode(const uint8_t *p, size_t n, struct rg_geneve_header *h);
/* Version 0, no options, C bit and reserved fields zero: what Tailscale sends. */
bool rg_geneve_is_plain(const struct rg_geneve_header *h);

/* Go stun.Is: ≥ 20 bytes, top two bits of byte 0 clear, magic cookie at 4..7. */
bool rg_stun_is(const uint8_t *p, size_t n);
/* stun.Is and byte 1 == 0x01 (binding request or success response), which a
 * Geneve header can never match (byte 1 bit 0 is reserved). */
bool rg_stun_is_binding(const uint8_t *p, size_t n);

/* Client-side demux (Go magicsock.packetLooksLike). */
enum rg_looks_like {
	RG_LOOKS_LIKE_WIREGUARD,
	RG_LOOKS_LIKE_DISCO,
	RG_LOOKS_LIKE_STUN_BINDING,
};
enum rg_looks_like rg_packet_looks_like(const uint8_t *p, size_t n, bool *geneve);

#endif

/* Geneve fixed header and packet classification. */
#include <string.h>

#include "relaygate/disco.h"
#include "relaygate/geneve.h"
#include "relay/wire.h"

static const uint8_t stun_cookie[4] = { 0x21, 0x12, 0xa4, 0x42 };

int rg_geneve_encode(const struct rg_geneve_header *h, uint8_t out[RG_GENEVE_HEADER_LEN])
{
	if (h->version > 3 || h->vni > RG_GENEVE_VNI_MAX)
		return -1;
	out[0] = (uint8_t)(h->version << 6);
	out[1] = h->control ? 0x80 : 0;
	rg_put16(out + 2, h->protocol);
	rg_put32(out + 4, h->vni << 8);
	return 0;
}

int rg_geneve_decode(const uint8_t *p, size_t n, struct rg_geneve_header *h)
{
	if (n < RG_GENEVE_HEADER_LEN)
		return -1;
	h->version = p[0] >> 6;
	h->opt_len = p[0] & 0x3f;
	h->control = (p[1] & 0x80) != 0;
	h->critical = (p[1] & 0x40) != 0;
	h->reserved1 = p[1] & 0x3f;
	h->protocol = rg_get16(p + 2);
	h->vni = rg_get32(p + 4) >> 8;
	h->reserved2 = p[7];
	return 0;
}

bool rg_geneve_is_plain(const struct rg_geneve_header *h)
{
	return h->version == 0 && h->opt_len == 0 && !h->critical && h->reserved1 == 0 &&
	       h->reserved2 == 0;
}

bool rg_stun_is(const uint8_t *p, size_t n)
{
	return n >= 20 && (p[0] & 0xc0) == 0 && memcmp(p + 4, stun_cookie, 4) == 0;
}

bool rg_stun_is_binding(const uint8_t *p, size_t n)
{
	return rg_stun_is(p, n) && p[1] == 0x01;
}

enum rg_looks_like rg_packet_looks_like(const uint8_t *p, size_t n, bool *geneve)
{
	struct rg_geneve_header h;

	*geneve = false;
	if (rg_stun_is_binding(p, n))
		return RG_LOOKS_LIKE_STUN_BINDING;
	if (n < RG_GENEVE_HEADER_LEN)
		return RG_LOOKS_LIKE_WIREGUARD;
	if (memcmp(p, RG_DISCO_MAGIC, RG_DISCO_MAGIC_LEN) == 0)
		return RG_LOOKS_LIKE_DISCO;
	/* Fields Tailscale always sends as zero; Go leaves the C bit (0x40) alone. */
	if ((p[0] & 0xc0) != 0 || (p[1] & 0x3f) != 0 || p[7] != 0)
		return RG_LOOKS_LIKE_WIREGUARD;
	if (rg_geneve_decode(p, n, &h) < 0)
		return RG_LOOKS_LIKE_WIREGUARD;
	switch (h.protocol) {
	case RG_GENEVE_PROTO_DISCO:
		if (n >= RG_GENEVE_HEADER_LEN + RG_DISCO_MAGIC_LEN + RG_DISCO_KEY_LEN &&
		    memcmp(p + RG_GENEVE_HEADER_LEN, RG_DISCO_MAGIC, RG_DISCO_MAGIC_LEN) == 0) {
			*geneve = true;
			return RG_LOOKS_LIKE_DISCO;
		}
		return RG_LOOKS_LIKE_WIREGUARD;
	case RG_GENEVE_PROTO_WIREGUARD:
		*geneve = true;
		return RG_LOOKS_LIKE_WIREGUARD;
	}
	return RG_LOOKS_LIKE_WIREGUARD;
}

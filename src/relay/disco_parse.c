/* Disco message parsing, after Go's disco.Parse. */
#include <string.h>

#include "relaygate/disco.h"
#include "relay/wire.h"

const char *rg_disco_strerror(int status)
{
	switch (status) {
	case RG_DISCO_OK: return "ok";
	case RG_DISCO_ERR_SHORT: return "short message";
	case RG_DISCO_ERR_UNKNOWN_TYPE: return "unknown message type";
	case RG_DISCO_ERR_SPACE: return "output buffer too small";
	case RG_DISCO_ERR_INVALID: return "message cannot be encoded";
	case RG_DISCO_ERR_MAGIC: return "not a disco packet";
	case RG_DISCO_ERR_BOX: return "box authentication failed";
	}
	return "unknown error";
}

void rg_disco_addrs_get(const struct rg_disco_addrs *a, size_t i, struct rg_addrport *out)
{
	const uint8_t *r;

	if (a->list) {
		*out = a->list[i];
		return;
	}
	r = a->raw + i * RG_DISCO_EP_LEN;
	/* IPv4-mapped is our IPv4 representation: Go's Unmap() is implicit. */
	rg_addrport_set6(out, r, rg_get16(r + 16));
}

static int parse_ping(const uint8_t *b, size_t n, struct rg_disco_ping *m)
{
	if (n < RG_DISCO_TXID_LEN)
		return RG_DISCO_ERR_SHORT;
	memcpy(m->txid, b, RG_DISCO_TXID_LEN);
	b += RG_DISCO_TXID_LEN;
	n -= RG_DISCO_TXID_LEN;
	/* Go: 32 or more bytes after the TxID are a node key, whatever they hold. */
	if (n >= RG_DISCO_KEY_LEN) {
		memcpy(m->node_key.b, b, RG_DISCO_KEY_LEN);
		n -= RG_DISCO_KEY_LEN;
	}
	m->padding = n;
	return RG_DISCO_OK;
}

static int parse_pong(const uint8_t *b, size_t n, struct rg_disco_pong *m)
{
	if (n < RG_DISCO_TXID_LEN + RG_DISCO_EP_LEN)
		return RG_DISCO_ERR_SHORT;
	memcpy(m->txid, b, RG_DISCO_TXID_LEN);
	b += RG_DISCO_TXID_LEN;
	rg_addrport_set6(&m->src, b, rg_get16(b + 16));
	return RG_DISCO_OK;
}

static void parse_call_me_maybe(const uint8_t *b, size_t n, uint8_t ver,
				struct rg_disco_msg *m)
{
	/* Go: a foreign version or a partial record yields an empty message, no error. */
	if (ver != 0 || n % RG_DISCO_EP_LEN != 0) {
		m->empty = true;
		return;
	}
	m->u.call_me_maybe.raw = n ? b : NULL;
	m->u.call_me_maybe.n = n / RG_DISCO_EP_LEN;
}

static int parse_bind(const uint8_t *b, size_t n, struct rg_disco_bind *m)
{
	if (n < RG_DISCO_BIND_BODY_LEN)
		return RG_DISCO_ERR_SHORT;
	m->vni = rg_get32(b);
	m->generation = rg_get32(b + 4);
	memcpy(m->remote.b, b + 8, RG_DISCO_KEY_LEN);
	memcpy(m->challenge, b + 8 + RG_DISCO_KEY_LEN, RG_DISCO_CHALLENGE_LEN);
	return RG_DISCO_OK;
}

/* Go UDPRelayEndpoint.decode: whole records only, at least one. */
static int parse_relay_ep(const uint8_t *b, size_t n, struct rg_disco_relay_ep *m)
{
	if (n < RG_DISCO_RELAY_EP_BODY_LEN + RG_DISCO_EP_LEN ||
	    (n - RG_DISCO_RELAY_EP_BODY_LEN) % RG_DISCO_EP_LEN != 0)
		return RG_DISCO_ERR_SHORT;
	memcpy(m->server.b, b, RG_DISCO_KEY_LEN);
	memcpy(m->client[0].b, b + 32, RG_DISCO_KEY_LEN);
	memcpy(m->client[1].b, b + 64, RG_DISCO_KEY_LEN);
	m->lamport_id = rg_get64(b + 96);
	m->vni = rg_get32(b + 104);
	m->bind_lifetime_ns = (int64_t)rg_get64(b + 108);
	m->steady_lifetime_ns = (int64_t)rg_get64(b + 116);
	m->addrs.raw = b + RG_DISCO_RELAY_EP_BODY_LEN;
	m->addrs.n = (n - RG_DISCO_RELAY_EP_BODY_LEN) / RG_DISCO_EP_LEN;
	return RG_DISCO_OK;
}

static int parse_alloc_request(const uint8_t *b, size_t n, struct rg_disco_alloc_request *m)
{
	if (n < RG_DISCO_ALLOC_REQ_BODY_LEN)
		return RG_DISCO_ERR_SHORT;
	memcpy(m->client[0].b, b, RG_DISCO_KEY_LEN);
	memcpy(m->client[1].b, b + 32, RG_DISCO_KEY_LEN);
	m->generation = rg_get32(b + 64);
	return RG_DISCO_OK;
}

static int parse_alloc_response(const uint8_t *b, size_t n, struct rg_disco_alloc_response *m)
{
	if (n < 4)
		return RG_DISCO_ERR_SHORT;
	m->generation = rg_get32(b);
	return parse_relay_ep(b + 4, n - 4, &m->ep);
}

int rg_disco_msg_parse(const uint8_t *p, size_t n, struct rg_disco_msg *m)
{
	const uint8_t *b = p + RG_DISCO_MSG_HEADER_LEN;
	size_t bl;

	memset(m, 0, sizeof(*m));
	if (n < RG_DISCO_MSG_HEADER_LEN)
		return RG_DISCO_ERR_SHORT;
	bl = n - RG_DISCO_MSG_HEADER_LEN;
	m->type = (enum rg_disco_type)p[0];
	m->version = p[1];
	/* Go parses versions other than 0 of Via and Allocate* as empty messages
	 * (the breaks below). */
	switch (p[0]) {
	case RG_DISCO_PING:
		return parse_ping(b, bl, &m->u.ping);
	case RG_DISCO_PONG:
		return parse_pong(b, bl, &m->u.pong);
	case RG_DISCO_CALL_ME_MAYBE:
		parse_call_me_maybe(b, bl, p[1], m);
		return RG_DISCO_OK;
	case RG_DISCO_BIND:
	case RG_DISCO_BIND_CHALLENGE:
	case RG_DISCO_BIND_ANSWER:
		return parse_bind(b, bl, &m->u.bind);
	case RG_DISCO_CALL_ME_MAYBE_VIA:
		if (p[1] != 0)
			break;
		return parse_relay_ep(b, bl, &m->u.via);
	case RG_DISCO_ALLOC_REQUEST:
		if (p[1] != 0)
			break;
		return parse_alloc_request(b, bl, &m->u.alloc_req);
	case RG_DISCO_ALLOC_RESPONSE:
		if (p[1] != 0)
			break;
		return parse_alloc_response(b, bl, &m->u.alloc_resp);
	default:
		return RG_DISCO_ERR_UNKNOWN_TYPE;
	}
	m->empty = true;
	return RG_DISCO_OK;
}

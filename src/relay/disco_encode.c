/* Disco message encoding, after Go's Message.AppendMarshal (version 0). */
#include <stdint.h>
#include <string.h>

#include "relaygate/disco.h"
#include "relay/wire.h"

/* 18n records; -1 when absurdly large (no datagram holds that many). */
static int records_size(size_t n, size_t *out)
{
	if (n > (SIZE_MAX / 4) / RG_DISCO_EP_LEN)
		return -1;
	*out = n * RG_DISCO_EP_LEN;
	return 0;
}

static int relay_ep_size(const struct rg_disco_relay_ep *ep, size_t *out)
{
	/* At least one record: Go's decoder refuses the message otherwise. */
	if (ep->addrs.n == 0 || records_size(ep->addrs.n, out) < 0)
		return -1;
	*out += RG_DISCO_RELAY_EP_BODY_LEN;
	return 0;
}

static int body_size(const struct rg_disco_msg *m, size_t *n)
{
	switch (m->type) {
	case RG_DISCO_PING:
		if (m->u.ping.padding > SIZE_MAX / 4)
			return -1;
		*n = RG_DISCO_TXID_LEN + m->u.ping.padding +
		     (rg_disco_key_is_zero(&m->u.ping.node_key) ? 0 : RG_DISCO_KEY_LEN);
		return 0;
	case RG_DISCO_PONG:
		*n = RG_DISCO_TXID_LEN + RG_DISCO_EP_LEN;
		return 0;
	case RG_DISCO_CALL_ME_MAYBE:
		return records_size(m->u.call_me_maybe.n, n);
	case RG_DISCO_BIND:
	case RG_DISCO_BIND_CHALLENGE:
	case RG_DISCO_BIND_ANSWER:
		*n = RG_DISCO_BIND_BODY_LEN;
		return 0;
	case RG_DISCO_CALL_ME_MAYBE_VIA:
		return relay_ep_size(&m->u.via, n);
	case RG_DISCO_ALLOC_REQUEST:
		*n = RG_DISCO_ALLOC_REQ_BODY_LEN;
		return 0;
	case RG_DISCO_ALLOC_RESPONSE:
		if (relay_ep_size(&m->u.alloc_resp.ep, n) < 0)
			return -1;
		*n += 4;
		return 0;
	}
	return -1;
}

size_t rg_disco_msg_size(const struct rg_disco_msg *m)
{
	size_t n;

	if (body_size(m, &n) < 0)
		return 0;
	return RG_DISCO_MSG_HEADER_LEN + n;
}

static uint8_t *put_records(uint8_t *p, const struct rg_disco_addrs *a)
{
	for (size_t i = 0; i < a->n; i++) {
		struct rg_addrport ap;

		rg_disco_addrs_get(a, i, &ap);
		memcpy(p, ap.ip, 16);
		rg_put16(p + 16, ap.port);
		p += RG_DISCO_EP_LEN;
	}
	return p;
}

static void put_relay_ep(uint8_t *p, const struct rg_disco_relay_ep *ep)
{
	memcpy(p, ep->server.b, RG_DISCO_KEY_LEN);
	memcpy(p + 32, ep->client[0].b, RG_DISCO_KEY_LEN);
	memcpy(p + 64, ep->client[1].b, RG_DISCO_KEY_LEN);
	rg_put64(p + 96, ep->lamport_id);
	rg_put32(p + 104, ep->vni);
	rg_put64(p + 108, (uint64_t)ep->bind_lifetime_ns);
	rg_put64(p + 116, (uint64_t)ep->steady_lifetime_ns);
	put_records(p + RG_DISCO_RELAY_EP_BODY_LEN, &ep->addrs);
}

static void put_bind(uint8_t *p, const struct rg_disco_bind *b)
{
	rg_put32(p, b->vni);
	rg_put32(p + 4, b->generation);
	memcpy(p + 8, b->remote.b, RG_DISCO_KEY_LEN);
	memcpy(p + 8 + RG_DISCO_KEY_LEN, b->challenge, RG_DISCO_CHALLENGE_LEN);
}

int rg_disco_msg_encode(const struct rg_disco_msg *m, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = rg_disco_msg_size(m);
	uint8_t *b = out + RG_DISCO_MSG_HEADER_LEN;

	*len = 0;
	if (n == 0)
		return RG_DISCO_ERR_INVALID;
	if (n > cap)
		return RG_DISCO_ERR_SPACE;
	memset(out, 0, n);
	out[0] = (uint8_t)m->type;
	out[1] = 0;
	switch (m->type) {
	case RG_DISCO_PING:
		memcpy(b, m->u.ping.txid, RG_DISCO_TXID_LEN);
		if (!rg_disco_key_is_zero(&m->u.ping.node_key))
			memcpy(b + RG_DISCO_TXID_LEN, m->u.ping.node_key.b, RG_DISCO_KEY_LEN);
		break; /* padding is the zeroed remainder */
	case RG_DISCO_PONG:
		memcpy(b, m->u.pong.txid, RG_DISCO_TXID_LEN);
		memcpy(b + RG_DISCO_TXID_LEN, m->u.pong.src.ip, 16);
		rg_put16(b + RG_DISCO_TXID_LEN + 16, m->u.pong.src.port);
		break;
	case RG_DISCO_CALL_ME_MAYBE:
		put_records(b, &m->u.call_me_maybe);
		break;
	case RG_DISCO_BIND:
	case RG_DISCO_BIND_CHALLENGE:
	case RG_DISCO_BIND_ANSWER:
		put_bind(b, &m->u.bind);
		break;
	case RG_DISCO_CALL_ME_MAYBE_VIA:
		put_relay_ep(b, &m->u.via);
		break;
	case RG_DISCO_ALLOC_REQUEST:
		memcpy(b, m->u.alloc_req.client[0].b, RG_DISCO_KEY_LEN);
		memcpy(b + 32, m->u.alloc_req.client[1].b, RG_DISCO_KEY_LEN);
		rg_put32(b + 64, m->u.alloc_req.generation);
		break;
	case RG_DISCO_ALLOC_RESPONSE:
		rg_put32(b, m->u.alloc_resp.generation);
		put_relay_ep(b + 4, &m->u.alloc_resp.ep);
		break;
	}
	*len = n;
	return RG_DISCO_OK;
}

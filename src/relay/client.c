/* Client side of a relay session (allocation, bind, disco through the relay). */
#include <string.h>

#include <sodium.h>

#include "relaygate/geneve.h"
#include "relaygate/relay_client.h"

int rg_relay_client_init(struct rg_relay_client *c, const struct rg_disco_private *priv,
			 const struct rg_disco_key *relay, const struct rg_disco_key *peer)
{
	memset(c, 0, sizeof(*c));
	c->priv = *priv;
	c->relay = *relay;
	c->peer = *peer;
	if (rg_disco_private_public(priv, &c->pub) < 0 ||
	    rg_disco_shared_compute(priv, relay, &c->k_relay) < 0 ||
	    rg_disco_shared_compute(priv, peer, &c->k_peer) < 0) {
		rg_relay_client_wipe(c);
		return -1;
	}
	return 0;
}

void rg_relay_client_wipe(struct rg_relay_client *c)
{
	sodium_memzero(c, sizeof(*c));
}

int rg_relay_client_set_server(struct rg_relay_client *c, const struct rg_disco_key *server)
{
	if (rg_disco_shared_compute(&c->priv, server, &c->k_server) < 0)
		return RG_DISCO_ERR_INVALID;
	c->server = *server;
	c->have_server = true;
	return RG_DISCO_OK;
}

/* Encodes m, zero-pads the plaintext to pad bytes and seals it. */
static int seal(const struct rg_disco_key *self, const struct rg_disco_shared *key,
		const struct rg_disco_msg *m, size_t pad, uint8_t *out, size_t cap, size_t *len)
{
	uint8_t plain[RG_RELAY_CLIENT_PACKET_MAX];
	size_t plen;
	int r;

	memset(plain, 0, sizeof(plain));
	r = rg_disco_msg_encode(m, plain, sizeof(plain), &plen);
	if (r != RG_DISCO_OK)
		return r;
	if (pad > sizeof(plain))
		return RG_DISCO_ERR_SPACE;
	if (pad > plen)
		plen = pad;
	r = rg_disco_seal(self, key, plain, plen, out, cap, len);
	sodium_memzero(plain, sizeof(plain));
	return r;
}

/* Opens a frame that must come from sender and parses it. */
static int open_from(const struct rg_disco_key *sender, const struct rg_disco_shared *key,
		     const uint8_t *p, size_t n, struct rg_disco_msg *m, uint8_t *plain,
		     size_t pcap)
{
	struct rg_disco_key who;
	size_t plen;
	int r = rg_disco_frame_sender(p, n, &who);

	if (r != RG_DISCO_OK)
		return r;
	if (!rg_disco_key_equal(&who, sender))
		return RG_DISCO_ERR_INVALID;
	r = rg_disco_open(key, p, n, plain, pcap, &plen);
	if (r != RG_DISCO_OK)
		return r;
	return rg_disco_msg_parse(plain, plen, m);
}

/* Geneve header for vni, then the sealed message. */
static int geneve_seal(const struct rg_disco_key *self, const struct rg_disco_shared *key,
		       bool control, uint32_t vni, const struct rg_disco_msg *m, uint8_t *out,
		       size_t cap, size_t *len)
{
	struct rg_geneve_header h = { .control = control, .protocol = RG_GENEVE_PROTO_DISCO,
				      .vni = vni };
	size_t flen;
	int r;

	*len = 0;
	if (cap < RG_GENEVE_HEADER_LEN || rg_geneve_encode(&h, out) < 0)
		return RG_DISCO_ERR_SPACE;
	r = seal(self, key, m, 0, out + RG_GENEVE_HEADER_LEN, cap - RG_GENEVE_HEADER_LEN, &flen);
	if (r == RG_DISCO_OK)
		*len = RG_GENEVE_HEADER_LEN + flen;
	return r;
}

/* The disco frame after a Geneve header of the expected kind and VNI. */
static int geneve_frame(const uint8_t *p, size_t n, bool control, uint32_t vni)
{
	struct rg_geneve_header h;

	if (rg_geneve_decode(p, n, &h) < 0)
		return RG_DISCO_ERR_SHORT;
	if (!rg_geneve_is_plain(&h) || h.control != control ||
	    h.protocol != RG_GENEVE_PROTO_DISCO || h.vni != vni)
		return RG_DISCO_ERR_INVALID;
	return RG_DISCO_OK;
}

int rg_relay_client_alloc_request_raw(const struct rg_relay_client *c,
				      const struct rg_disco_key *a, const struct rg_disco_key *b,
				      uint32_t generation, size_t plain_len, uint8_t *out,
				      size_t cap, size_t *len)
{
	struct rg_disco_msg m;

	memset(&m, 0, sizeof(m));
	m.type = RG_DISCO_ALLOC_REQUEST;
	m.u.alloc_req.client[0] = *a;
	m.u.alloc_req.client[1] = *b;
	m.u.alloc_req.generation = generation;
	return seal(&c->pub, &c->k_relay, &m, plain_len, out, cap, len);
}

int rg_relay_client_alloc_request(const struct rg_relay_client *c, uint32_t generation,
				  uint8_t *out, size_t cap, size_t *len)
{
	bool self_first = rg_disco_key_compare(&c->pub, &c->peer) < 0;

	return rg_relay_client_alloc_request_raw(c, self_first ? &c->pub : &c->peer,
						 self_first ? &c->peer : &c->pub, generation,
						 RG_RELAY_CLIENT_REQUEST_PLAIN, out, cap, len);
}

int rg_relay_client_alloc_response(struct rg_relay_client *c, const uint8_t *pkt, size_t n,
				   uint32_t generation, struct rg_relay_endpoint_info *info)
{
	uint8_t plain[RG_RELAY_CLIENT_PACKET_MAX];
	const struct rg_disco_relay_ep *ep;
	struct rg_disco_msg m;
	int r = open_from(&c->relay, &c->k_relay, pkt, n, &m, plain, sizeof(plain));

	if (r != RG_DISCO_OK)
		return r;
	ep = &m.u.alloc_resp.ep;
	if (m.type != RG_DISCO_ALLOC_RESPONSE || m.empty ||
	    m.u.alloc_resp.generation != generation || ep->addrs.n < 1 ||
	    ep->addrs.n > RG_RELAY_MAX_ADDRS)
		return RG_DISCO_ERR_INVALID;
	memset(info, 0, sizeof(*info));
	info->server_disco = ep->server;
	info->client[0] = ep->client[0];
	info->client[1] = ep->client[1];
	info->lamport_id = ep->lamport_id;
	info->vni = ep->vni;
	info->bind_lifetime_ns = ep->bind_lifetime_ns;
	info->steady_lifetime_ns = ep->steady_lifetime_ns;
	info->n_addrs = ep->addrs.n;
	for (size_t i = 0; i < ep->addrs.n; i++)
		rg_disco_addrs_get(&ep->addrs, i, &info->addrs[i]);
	sodium_memzero(plain, sizeof(plain));
	return rg_relay_client_set_server(c, &info->server_disco);
}

int rg_relay_client_bind(const struct rg_relay_client *c, enum rg_disco_type type, uint32_t vni,
			 uint32_t gen, const uint8_t *challenge, uint8_t *out, size_t cap,
			 size_t *len)
{
	struct rg_disco_msg m;

	*len = 0;
	if (!c->have_server || (type != RG_DISCO_BIND && type != RG_DISCO_BIND_ANSWER))
		return RG_DISCO_ERR_INVALID;
	memset(&m, 0, sizeof(m));
	m.type = type;
	m.u.bind.vni = vni;
	m.u.bind.generation = gen;
	m.u.bind.remote = c->peer;
	if (challenge)
		memcpy(m.u.bind.challenge, challenge, RG_DISCO_CHALLENGE_LEN);
	return geneve_seal(&c->pub, &c->k_server, true, vni, &m, out, cap, len);
}

int rg_relay_client_challenge(const struct rg_relay_client *c, const uint8_t *pkt, size_t n,
			      uint32_t vni, uint32_t gen, uint8_t challenge[RG_DISCO_CHALLENGE_LEN])
{
	uint8_t plain[RG_RELAY_CLIENT_PACKET_MAX];
	struct rg_disco_msg m;
	int r = c->have_server ? geneve_frame(pkt, n, true, vni) : RG_DISCO_ERR_INVALID;

	if (r == RG_DISCO_OK)
		r = open_from(&c->server, &c->k_server, pkt + RG_GENEVE_HEADER_LEN,
			      n - RG_GENEVE_HEADER_LEN, &m, plain, sizeof(plain));
	if (r != RG_DISCO_OK)
		return r;
	if (m.type != RG_DISCO_BIND_CHALLENGE || m.u.bind.vni != vni ||
	    m.u.bind.generation != gen || !rg_disco_key_equal(&m.u.bind.remote, &c->peer))
		return RG_DISCO_ERR_INVALID;
	memcpy(challenge, m.u.bind.challenge, RG_DISCO_CHALLENGE_LEN);
	return RG_DISCO_OK;
}

int rg_relay_client_data(const struct rg_relay_client *c, uint32_t vni,
			 const struct rg_disco_msg *m, uint8_t *out, size_t cap, size_t *len)
{
	return geneve_seal(&c->pub, &c->k_peer, false, vni, m, out, cap, len);
}

int rg_relay_client_open_data(const struct rg_relay_client *c, const uint8_t *pkt, size_t n,
			      uint32_t vni, struct rg_disco_msg *m, uint8_t *plain, size_t pcap)
{
	int r = geneve_frame(pkt, n, false, vni);

	if (r != RG_DISCO_OK)
		return r;
	return open_from(&c->peer, &c->k_peer, pkt + RG_GENEVE_HEADER_LEN,
			 n - RG_GENEVE_HEADER_LEN, m, plain, pcap);
}

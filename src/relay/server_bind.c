/*
 * The 3-way bind handshake (Tailscale net/udprelay, stricter on replays):
 * Bind -> Challenge (a keyed MAC, no per-challenge state) -> Answer binds
 * the leg to the address the Answer came from.
 */
#include <string.h>

#include <sodium.h>

#include "relay/server_internal.h"
#include "relay/wire.h"

/*
 * Challenge = BLAKE2b-256 keyed with the secret over VNI, LamportID,
 * generation, RemoteKey and the observed source address. Server-private:
 * clients echo it opaquely. LamportID ties it to this endpoint instance.
 */
static int challenge_mac(const uint8_t secret[RG_RELAY_MAC_LEN], const struct rg_relay_ep *ep,
			 uint32_t gen, const struct rg_disco_key *remote,
			 const struct rg_addrport *src, uint8_t out[RG_RELAY_MAC_LEN])
{
	uint8_t in[4 + 8 + 4 + RG_DISCO_KEY_LEN + 16 + 2];

	rg_put32(in, ep->vni);
	rg_put64(in + 4, ep->lamport);
	rg_put32(in + 12, gen);
	memcpy(in + 16, remote->b, RG_DISCO_KEY_LEN);
	memcpy(in + 16 + RG_DISCO_KEY_LEN, src->ip, 16);
	rg_put16(in + 32 + RG_DISCO_KEY_LEN, src->port);
	return crypto_generichash(out, RG_RELAY_MAC_LEN, in, sizeof(in), secret, RG_RELAY_MAC_LEN);
}

/*
 * Like Tailscale: lazily, at least one interval after the last rotation,
 * current becomes previous. Stricter: after two idle intervals both are
 * replaced, so no secret outlives three intervals.
 */
static void mac_maybe_rotate(struct rg_relay_server *s, int64_t now)
{
	int64_t iv = s->cfg.mac_rotation_ns;

	if (s->n_mac == 0 || rg_relay_older_than(now, s->mac_rotated_at, 2 * iv - 1)) {
		randombytes_buf(s->mac_secret[0], RG_RELAY_MAC_LEN);
		sodium_memzero(s->mac_secret[1], RG_RELAY_MAC_LEN);
		s->n_mac = 1;
	} else if (rg_relay_older_than(now, s->mac_rotated_at, iv - 1)) {
		memcpy(s->mac_secret[1], s->mac_secret[0], RG_RELAY_MAC_LEN);
		randombytes_buf(s->mac_secret[0], RG_RELAY_MAC_LEN);
		s->n_mac = 2;
	} else {
		return;
	}
	s->mac_rotated_at = now;
	s->counters.mac_rotations++;
}

static enum rg_relay_verdict on_bind(struct rg_relay_server *s, struct rg_relay_ep *ep, int si,
				     const struct rg_disco_bind *b, const struct rg_addrport *src,
				     size_t len, uint8_t *out, size_t cap,
				     struct rg_relay_action *act)
{
	struct rg_relay_leg *leg = &ep->leg[si];
	uint32_t newest = leg->pending_gen ? leg->pending_gen : leg->bound_gen;
	struct rg_geneve_header gh = { .control = true, .protocol = RG_GENEVE_PROTO_DISCO,
				       .vni = ep->vni };
	struct rg_disco_msg m;
	uint8_t plain[RG_DISCO_MSG_HEADER_LEN + RG_DISCO_BIND_BODY_LEN];
	size_t plen, slen;

	/* Retransmissions of the Bind in progress get a challenge; older or
	 * equal generations (replays) change nothing and get nothing. */
	if (!(leg->pending_gen && b->generation == leg->pending_gen) && newest &&
	    !rg_relay_gen_newer(b->generation, newest))
		return rg_relay_drop(s, act, RG_RELAY_DROP_STALE_GENERATION);
	memset(&m, 0, sizeof(m));
	m.type = RG_DISCO_BIND_CHALLENGE;
	m.u.bind.vni = ep->vni;
	m.u.bind.generation = b->generation;
	m.u.bind.remote = ep->client[1 - si];
	if (challenge_mac(s->mac_secret[0], ep, b->generation, &m.u.bind.remote, src,
			  m.u.bind.challenge) != 0 ||
	    rg_disco_msg_encode(&m, plain, sizeof(plain), &plen) != RG_DISCO_OK)
		return rg_relay_drop(s, act, RG_RELAY_DROP_NO_SPACE);
	/* Equal-size messages: a reply to an unvalidated address never exceeds
	 * the request (reliability.md R6). */
	if (RG_GENEVE_HEADER_LEN + RG_DISCO_OVERHEAD + plen > len)
		return rg_relay_drop(s, act, RG_RELAY_DROP_AMPLIFICATION);
	if (cap < RG_GENEVE_HEADER_LEN || rg_geneve_encode(&gh, out) < 0 ||
	    rg_disco_seal(&s->disco_pub, &ep->shared[si], plain, plen, out + RG_GENEVE_HEADER_LEN,
			  cap - RG_GENEVE_HEADER_LEN, &slen) != RG_DISCO_OK)
		return rg_relay_drop(s, act, RG_RELAY_DROP_NO_SPACE);
	leg->pending_gen = b->generation;
	s->counters.challenges++;
	act->verdict = RG_RELAY_REPLY;
	act->to = *src;
	act->len = RG_GENEVE_HEADER_LEN + slen;
	return RG_RELAY_REPLY;
}

static enum rg_relay_verdict on_answer(struct rg_relay_server *s, struct rg_relay_ep *ep, int si,
				       const struct rg_disco_bind *b,
				       const struct rg_addrport *src, int64_t now,
				       struct rg_relay_action *act)
{
	struct rg_relay_leg *leg = &ep->leg[si];
	uint8_t mac[RG_RELAY_MAC_LEN];
	bool ok = false;

	if (!leg->pending_gen || b->generation != leg->pending_gen)
		return rg_relay_drop(s, act, RG_RELAY_DROP_NO_HANDSHAKE);
	for (int i = 0; i < s->n_mac; i++)
		if (challenge_mac(s->mac_secret[i], ep, b->generation, &b->remote, src, mac) == 0)
			ok |= crypto_verify_32(mac, b->challenge) == 0;
	sodium_memzero(mac, sizeof(mac));
	if (!ok)
		return rg_relay_drop(s, act, RG_RELAY_DROP_BAD_CHALLENGE);
	leg->bound = true;
	leg->addr = *src;
	leg->bound_gen = b->generation;
	leg->pending_gen = 0;
	leg->last_seen = now;
	s->counters.binds++;
	if (ep->leg[1 - si].bound)
		rg_relay_ep_set_state(s, ep, RG_RELAY_EP_OPEN);
	act->verdict = RG_RELAY_CONSUMED;
	act->len = 0;
	return RG_RELAY_CONSUMED;
}

/* Opens and checks a control message; RG_RELAY_DROP_NONE if it may proceed. */
static enum rg_relay_drop open_control(const struct rg_relay_server *s, struct rg_relay_ep *ep,
				       const uint8_t *in, size_t ilen, int64_t now, int *si,
				       struct rg_disco_msg *m, uint8_t *plain, size_t pcap)
{
	struct rg_disco_key sender;
	size_t plen;
	int rc = rg_disco_frame_sender(in, ilen, &sender);

	if (rc != RG_DISCO_OK)
		return rc == RG_DISCO_ERR_MAGIC ? RG_RELAY_DROP_BAD_MAGIC : RG_RELAY_DROP_DISCO_SHORT;
	if (rg_disco_key_equal(&sender, &ep->client[0]))
		*si = 0;
	else if (rg_disco_key_equal(&sender, &ep->client[1]))
		*si = 1;
	else
		return RG_RELAY_DROP_NOT_CLIENT;
	if (rg_relay_ep_expired(s, ep, now))
		return RG_RELAY_DROP_EXPIRED;
	rc = rg_disco_open(&ep->shared[*si], in, ilen, plain, pcap, &plen);
	if (rc != RG_DISCO_OK)
		return rc == RG_DISCO_ERR_BOX ? RG_RELAY_DROP_BAD_BOX : RG_RELAY_DROP_DISCO_SHORT;
	if (rg_disco_msg_parse(plain, plen, m) != RG_DISCO_OK)
		return RG_RELAY_DROP_BAD_MESSAGE;
	if (m->type != RG_DISCO_BIND && m->type != RG_DISCO_BIND_ANSWER)
		return RG_RELAY_DROP_UNEXPECTED_TYPE;
	if (m->u.bind.vni != ep->vni)
		return RG_RELAY_DROP_WRONG_VNI;
	if (!rg_disco_key_equal(&m->u.bind.remote, &ep->client[1 - *si]))
		return RG_RELAY_DROP_WRONG_REMOTE;
	if (m->u.bind.generation == 0)
		return RG_RELAY_DROP_ZERO_GENERATION;
	return RG_RELAY_DROP_NONE;
}

enum rg_relay_verdict rg_relay_handle_control(struct rg_relay_server *s, struct rg_relay_ep *ep,
					      const struct rg_addrport *src, const uint8_t *pkt,
					      size_t len, int64_t now, uint8_t *out, size_t cap,
					      struct rg_relay_action *act)
{
	uint8_t plain[RG_RELAY_CONTROL_MAX];
	struct rg_disco_msg m;
	enum rg_relay_drop r;
	int si = 0;

	if (len > RG_RELAY_CONTROL_MAX)
		return rg_relay_drop(s, act, RG_RELAY_DROP_OVERSIZE);
	r = open_control(s, ep, pkt + RG_GENEVE_HEADER_LEN, len - RG_GENEVE_HEADER_LEN, now, &si,
			 &m, plain, sizeof(plain));
	if (r == RG_RELAY_DROP_NONE && rg_relay_is_own_addr(s, src))
		r = RG_RELAY_DROP_SRC_IS_RELAY;
	if (r == RG_RELAY_DROP_NONE && ep->leg[1 - si].bound &&
	    rg_addrport_equal(src, &ep->leg[1 - si].addr))
		r = RG_RELAY_DROP_ADDR_IN_USE;
	if (r != RG_RELAY_DROP_NONE)
		return rg_relay_drop(s, act, r);
	mac_maybe_rotate(s, now);
	if (m.type == RG_DISCO_BIND)
		return on_bind(s, ep, si, &m.u.bind, src, len, out, cap, act);
	return on_answer(s, ep, si, &m.u.bind, src, now, act);
}

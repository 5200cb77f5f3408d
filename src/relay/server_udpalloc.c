/*
 * Allocation over the relay's UDP port (this project's extension; stock
 * Tailscale allocates over DERP only): a naked disco
 * AllocateUDPRelayEndpointRequest sealed to a long-term key, answered with
 * the response sealed by the same key.
 *
 * Order: cheap checks, is_known() (no crypto for unknown senders), box
 * open with a cached shared key, request checks, anti-amplification,
 * authorization, replay memory, allocation.
 */
#include <string.h>

#include <sodium.h>

#include "relay/server_internal.h"

/* Opens the request with the first long-term key that authenticates it. */
static enum rg_relay_drop open_request(struct rg_relay_server *s,
				       const struct rg_disco_key *sender, const uint8_t *pkt,
				       size_t len, uint8_t *plain, size_t pcap, size_t *plen,
				       size_t *which, struct rg_disco_shared *key)
{
	enum rg_relay_drop r = RG_RELAY_DROP_BAD_BOX;

	for (size_t i = 0; i < s->n_longterm; i++) {
		uint64_t before = rg_disco_cache_stats(s->cache[i])->computations;
		int rc = rg_disco_cache_get(s->cache[i], sender, key);

		s->counters.key_agreements += rg_disco_cache_stats(s->cache[i])->computations - before;
		if (rc < 0) {
			r = RG_RELAY_DROP_KEY_AGREEMENT;
			break;
		}
		rc = rg_disco_open(key, pkt, len, plain, pcap, plen);
		if (rc == RG_DISCO_OK) {
			*which = i;
			return RG_RELAY_DROP_NONE;
		}
		if (rc != RG_DISCO_ERR_BOX) {
			r = RG_RELAY_DROP_DISCO_SHORT;
			break;
		}
	}
	sodium_memzero(key, sizeof(*key));
	return r;
}

static enum rg_relay_drop check_request(const struct rg_relay_server *s,
					const struct rg_disco_key *sender,
					const struct rg_disco_msg *m, size_t len, size_t cap)
{
	const struct rg_disco_alloc_request *q = &m->u.alloc_req;
	enum rg_relay_drop r;
	size_t resp;

	if (m->type != RG_DISCO_ALLOC_REQUEST)
		return RG_RELAY_DROP_UNEXPECTED_TYPE;
	if (m->empty)
		return RG_RELAY_DROP_BAD_VERSION;
	r = rg_relay_check_pair(s, sender, &q->client[0], &q->client[1]);
	if (r != RG_RELAY_DROP_NONE)
		return r;
	if (s->n_addrs == 0)
		return RG_RELAY_DROP_NOT_READY;
	/* The request pays for its answer: at least as long as the response. */
	resp = RG_DISCO_OVERHEAD + RG_DISCO_MSG_HEADER_LEN + 4 + RG_DISCO_RELAY_EP_BODY_LEN +
	       s->n_addrs * RG_DISCO_EP_LEN;
	if (len < resp)
		return RG_RELAY_DROP_AMPLIFICATION;
	if (cap < resp)
		return RG_RELAY_DROP_NO_SPACE;
	return RG_RELAY_DROP_NONE;
}

/*
 * Replay memory per requester: a (generation, address) seen within the bind
 * lifetime is a retransmission from that address and a replay from any
 * other; outside it, a request must carry a generation newer than every
 * one seen (clients count generations up).
 */
static enum rg_relay_drop check_replay(const struct rg_relay_server *s,
				       const struct rg_disco_key *sender, uint32_t gen,
				       const struct rg_addrport *src, int64_t now, bool *fresh)
{
	const struct rg_relay_sender *r = rg_relay_sender_find(s, sender);

	*fresh = true;
	if (!r)
		return RG_RELAY_DROP_NONE;
	for (int i = 0; i < RG_RELAY_RECENT; i++) {
		const struct rg_relay_recent *c = &r->recent[i];

		if (!c->used || c->gen != gen ||
		    rg_relay_older_than(now, c->at, s->cfg.bind_lifetime_ns))
			continue;
		*fresh = false;
		return rg_addrport_equal(&c->addr, src) ? RG_RELAY_DROP_NONE : RG_RELAY_DROP_REPLAY;
	}
	if (r->have_gen && !rg_relay_gen_newer(gen, r->max_gen))
		return RG_RELAY_DROP_STALE_GENERATION;
	return RG_RELAY_DROP_NONE;
}

static void remember(struct rg_relay_sender *r, uint32_t gen, const struct rg_addrport *src,
		     int64_t now)
{
	struct rg_relay_recent *slot = &r->recent[0];

	if (!r->have_gen || rg_relay_gen_newer(gen, r->max_gen))
		r->max_gen = gen;
	r->have_gen = true;
	for (int i = 1; i < RG_RELAY_RECENT && slot->used; i++)
		if (!r->recent[i].used || r->recent[i].at < slot->at)
			slot = &r->recent[i];
	slot->used = true;
	slot->gen = gen;
	slot->addr = *src;
	slot->at = now;
}

/* Checks the opened request up to and including the replay memory. */
static enum rg_relay_drop admit(struct rg_relay_server *s, const struct rg_disco_key *sender,
				const struct rg_disco_msg *m, const struct rg_addrport *src,
				size_t len, size_t cap, int64_t now)
{
	const struct rg_disco_alloc_request *q = &m->u.alloc_req;
	const struct rg_disco_key *peer;
	struct rg_relay_sender *rec;
	enum rg_relay_drop r = check_request(s, sender, m, len, cap);
	bool fresh;

	if (r != RG_RELAY_DROP_NONE)
		return r;
	peer = rg_disco_key_equal(sender, &q->client[0]) ? &q->client[1] : &q->client[0];
	if (!s->auth.allowed || !s->auth.allowed(s->auth.ctx, sender, peer))
		return RG_RELAY_DROP_NOT_ALLOWED;
	r = check_replay(s, sender, q->generation, src, now, &fresh);
	if (r != RG_RELAY_DROP_NONE)
		return r;
	rec = rg_relay_sender_get(s, sender, now);
	if (!rec)
		return RG_RELAY_DROP_QUOTA_GLOBAL;
	if (fresh)
		remember(rec, q->generation, src, now);
	return RG_RELAY_DROP_NONE;
}

static enum rg_relay_drop respond(struct rg_relay_server *s, const struct rg_disco_key *sender,
				  const struct rg_disco_msg *m, size_t which,
				  const struct rg_disco_shared *key, int64_t now, uint8_t *out,
				  size_t cap, size_t *olen)
{
	const struct rg_disco_alloc_request *q = &m->u.alloc_req;
	struct rg_relay_endpoint_info info;
	uint8_t plain[RG_RELAY_REPLY_MAX];
	size_t plen;
	enum rg_relay_drop r = rg_relay_alloc_core(s, sender, &q->client[0], &q->client[1], now,
						   &info);

	if (r != RG_RELAY_DROP_NONE)
		return r;
	if (rg_relay_encode_alloc_response(&info, q->generation, plain, sizeof(plain), &plen) !=
		    RG_DISCO_OK ||
	    rg_disco_seal(&s->longterm_pub[which], key, plain, plen, out, cap, olen) != RG_DISCO_OK)
		return RG_RELAY_DROP_NO_SPACE;
	return RG_RELAY_DROP_NONE;
}

enum rg_relay_verdict rg_relay_handle_alloc(struct rg_relay_server *s,
					    const struct rg_addrport *src, const uint8_t *pkt,
					    size_t len, int64_t now, uint8_t *out, size_t cap,
					    struct rg_relay_action *act)
{
	uint8_t plain[RG_RELAY_CONTROL_MAX];
	struct rg_disco_key sender;
	struct rg_disco_shared key;
	struct rg_disco_msg m;
	size_t plen = 0, which = 0, olen = 0;
	enum rg_relay_drop r;

	if (len > RG_RELAY_CONTROL_MAX)
		return rg_relay_drop(s, act, RG_RELAY_DROP_OVERSIZE);
	if (rg_disco_frame_sender(pkt, len, &sender) != RG_DISCO_OK)
		return rg_relay_drop(s, act, RG_RELAY_DROP_DISCO_SHORT);
	if (rg_disco_key_is_weak(&sender))
		return rg_relay_drop(s, act, RG_RELAY_DROP_WEAK_KEY);
	if (rg_relay_is_own_key(s, &sender))
		return rg_relay_drop(s, act, RG_RELAY_DROP_RELAY_KEY);
	if (!s->auth.is_known)
		return rg_relay_drop(s, act, RG_RELAY_DROP_ALLOC_DISABLED);
	if (!s->auth.is_known(s->auth.ctx, &sender))
		return rg_relay_drop(s, act, RG_RELAY_DROP_UNKNOWN_SENDER);
	r = open_request(s, &sender, pkt, len, plain, sizeof(plain), &plen, &which, &key);
	if (r != RG_RELAY_DROP_NONE)
		return rg_relay_drop(s, act, r);
	if (rg_disco_msg_parse(plain, plen, &m) != RG_DISCO_OK)
		r = RG_RELAY_DROP_BAD_MESSAGE;
	if (r == RG_RELAY_DROP_NONE)
		r = admit(s, &sender, &m, src, len, cap, now);
	if (r == RG_RELAY_DROP_NONE)
		r = respond(s, &sender, &m, which, &key, now, out, cap, &olen);
	sodium_memzero(&key, sizeof(key));
	if (r != RG_RELAY_DROP_NONE)
		return rg_relay_drop(s, act, r);
	s->counters.alloc_responses++;
	act->verdict = RG_RELAY_REPLY;
	act->to = *src;
	act->len = olen;
	return RG_RELAY_REPLY;
}

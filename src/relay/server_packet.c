/* Datagram demux and the forwarding decision (no allocation, no crypto). */
#include <string.h>

#include "relay/server_internal.h"

static enum rg_relay_transport transport(const struct rg_addrport *a)
{
	return rg_addrport_is4(a) ? RG_RELAY_UDP4 : RG_RELAY_UDP6;
}

/* rg_relay_drop for n datagrams at once. */
static enum rg_relay_verdict drop_n(struct rg_relay_server *s, struct rg_relay_action *act,
				    enum rg_relay_drop why, size_t n)
{
	s->counters.dropped[why] += n - 1;
	return rg_relay_drop(s, act, why);
}

/* Forwards n datagrams of len bytes in all (n = 1 but for runs). */
static enum rg_relay_verdict forward(struct rg_relay_server *s, struct rg_relay_ep *ep,
				     const struct rg_addrport *src, size_t n, size_t len,
				     int64_t now, struct rg_relay_action *act)
{
	struct rg_relay_leg *in;
	const struct rg_addrport *to;
	int i;

	if (ep->state != RG_RELAY_EP_OPEN)
		return drop_n(s, act, RG_RELAY_DROP_NOT_BOUND, n);
	if (rg_relay_ep_expired(s, ep, now))
		return drop_n(s, act, RG_RELAY_DROP_EXPIRED, n);
	/* Only the two bound addresses; the data path never learns addresses. */
	if (rg_addrport_equal(src, &ep->leg[0].addr))
		i = 0;
	else if (rg_addrport_equal(src, &ep->leg[1].addr))
		i = 1;
	else
		return drop_n(s, act, RG_RELAY_DROP_UNKNOWN_SRC, n);
	in = &ep->leg[i];
	to = &ep->leg[1 - i].addr;
	in->last_seen = now;
	in->packets += n;
	in->bytes += len;
	s->counters.forwarded_packets[transport(src)][transport(to)] += n;
	s->counters.forwarded_bytes[transport(src)][transport(to)] += len;
	act->verdict = RG_RELAY_FORWARD;
	act->to = *to;
	act->len = len;
	return RG_RELAY_FORWARD;
}

/* Header checks before the VNI lookup; Tailscale validates none of these
 * bits, but its clients never set them. */
static enum rg_relay_drop check_header(const struct rg_geneve_header *h)
{
	if (h->version != 0)
		return RG_RELAY_DROP_GENEVE_VERSION;
	if (h->opt_len != 0)
		return RG_RELAY_DROP_GENEVE_OPTIONS;
	if (!rg_geneve_is_plain(h))
		return RG_RELAY_DROP_GENEVE_RESERVED;
	if (h->vni == 0)
		return RG_RELAY_DROP_VNI_ZERO;
	if (h->control && h->protocol != RG_GENEVE_PROTO_DISCO)
		return RG_RELAY_DROP_CONTROL_PROTO;
	if (!h->control && h->protocol != RG_GENEVE_PROTO_DISCO &&
	    h->protocol != RG_GENEVE_PROTO_WIREGUARD)
		return RG_RELAY_DROP_DATA_PROTO;
	return RG_RELAY_DROP_NONE;
}

static void act_reset(struct rg_relay_action *act)
{
	act->verdict = RG_RELAY_DROP;
	act->reason = RG_RELAY_DROP_NONE;
	act->len = 0;
	memset(&act->to, 0, sizeof(act->to));
}

/* The endpoint a decoded header names, or NULL with the drop counted for
 * n datagrams. */
static struct rg_relay_ep *endpoint(struct rg_relay_server *s, const struct rg_geneve_header *h,
				    size_t n, struct rg_relay_action *act)
{
	enum rg_relay_drop r = check_header(h);
	struct rg_relay_ep *ep = NULL;

	if (r == RG_RELAY_DROP_NONE) {
		ep = rg_relay_ep_by_vni(s, h->vni);
		r = RG_RELAY_DROP_UNKNOWN_VNI;
	}
	if (!ep)
		drop_n(s, act, r, n);
	return ep;
}

enum rg_relay_verdict rg_relay_server_handle_packet(struct rg_relay_server *s,
						    const struct rg_addrport *src,
						    const uint8_t *pkt, size_t len, int64_t now,
						    uint8_t *out, size_t cap,
						    struct rg_relay_action *act)
{
	struct rg_geneve_header h;
	struct rg_relay_ep *ep;

	act_reset(act);
	/* 1. STUN binding: byte 1 == 0x01 can never be a Geneve header. */
	if (rg_stun_is_binding(pkt, len)) {
		s->counters.stun++;
		act->verdict = RG_RELAY_STUN;
		act->len = len;
		return RG_RELAY_STUN;
	}
	/* 2. Naked disco: byte 0 of the magic (0x54) is Geneve version 1,
	 * which no client sends. */
	if (len >= RG_DISCO_MAGIC_LEN && memcmp(pkt, RG_DISCO_MAGIC, RG_DISCO_MAGIC_LEN) == 0)
		return rg_relay_handle_alloc(s, src, pkt, len, now, out, cap, act);
	/* 3. Geneve. */
	if (rg_geneve_decode(pkt, len, &h) < 0)
		return rg_relay_drop(s, act, RG_RELAY_DROP_SHORT);
	ep = endpoint(s, &h, 1, act);
	if (!ep)
		return RG_RELAY_DROP;
	if (h.control)
		return rg_relay_handle_control(s, ep, src, pkt, len, now, out, cap, act);
	return forward(s, ep, src, 1, len, now, act);
}

/* Byte 1 zero: no control bit, no reserved bits, so neither a STUN binding
 * (0x01) nor the disco magic ('S'). */
bool rg_relay_run_eligible(const uint8_t *hdr, size_t n)
{
	return n >= RG_GENEVE_HEADER_LEN && hdr[1] == 0;
}

enum rg_relay_verdict rg_relay_server_handle_run(struct rg_relay_server *s,
						 const struct rg_addrport *src, const uint8_t *hdr,
						 size_t n, size_t total, int64_t now,
						 struct rg_relay_action *act)
{
	struct rg_geneve_header h;
	struct rg_relay_ep *ep;

	act_reset(act);
	/* The caller checked rg_relay_run_eligible: Geneve data, 8 bytes. */
	if (n == 0 || rg_geneve_decode(hdr, RG_GENEVE_HEADER_LEN, &h) < 0)
		return RG_RELAY_DROP;
	ep = endpoint(s, &h, n, act);
	if (!ep)
		return RG_RELAY_DROP;
	return forward(s, ep, src, n, total, now, act);
}

/*
 * Relay server test harness: a server with a fake clock and authorization
 * table, and simulated clients that speak the client side of the protocol
 * with the real codecs (like Tailscale's TestServer).
 */
#ifndef TESTS_RELAY_HARNESS_H
#define TESTS_RELAY_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "relaygate/geneve.h"
#include "relaygate/relay_server.h"

#define T0 ((int64_t)1000 * RG_RELAY_SECOND) /* arbitrary clock origin */

struct client {
	struct rg_disco_private priv;
	struct rg_disco_key pub;
	struct rg_disco_shared srv;   /* with the server disco key */
	struct rg_disco_shared lt;    /* with long-term key 0 */
	struct rg_addrport addr;
};

struct harness {
	struct rg_relay_server *s;
	struct rg_disco_private lt_priv;
	struct rg_disco_key lt_pub;
	struct client a, b, c;
	/* Authorization table: known keys; allowed unless deny is set. */
	struct rg_disco_key known[8];
	size_t nknown;
	bool deny;
	unsigned is_known_calls, allowed_calls;
	int64_t now;
	uint8_t out[RG_RELAY_REPLY_MAX];
	struct rg_relay_action act;
	struct rg_addrport relay_addr;
};

static inline bool h_is_known(void *ctx, const struct rg_disco_key *k)
{
	struct harness *h = ctx;

	h->is_known_calls++;
	for (size_t i = 0; i < h->nknown; i++)
		if (rg_disco_key_equal(&h->known[i], k))
			return true;
	return false;
}

static inline bool h_allowed(void *ctx, const struct rg_disco_key *req,
			     const struct rg_disco_key *peer)
{
	struct harness *h = ctx;

	(void)peer;
	h->allowed_calls++;
	return !h->deny && h_is_known(ctx, req);
}

static inline void addr4(struct rg_addrport *a, uint8_t last, uint16_t port)
{
	const uint8_t ip[4] = { 192, 0, 2, last };

	rg_addrport_set4(a, ip, port);
}

static inline void addr6(struct rg_addrport *a, uint8_t last, uint16_t port)
{
	uint8_t ip[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	ip[15] = last;
	rg_addrport_set6(a, ip, port);
}

static inline void client_init(struct harness *h, struct client *c, uint8_t last,
			       uint16_t port)
{
	assert_int_equal(rg_disco_private_generate(&c->priv), 0);
	assert_int_equal(rg_disco_private_public(&c->priv, &c->pub), 0);
	assert_int_equal(rg_disco_shared_compute(&c->priv, &h->lt_pub, &c->lt), 0);
	addr4(&c->addr, last, port);
}

/* The client learns ServerDisco (from a response) and precomputes. */
static inline void client_learn(struct harness *h, struct client *c)
{
	assert_int_equal(rg_disco_shared_compute(&c->priv, rg_relay_server_disco(h->s), &c->srv), 0);
}

static inline void h_start(struct harness *h, void (*tweak)(struct rg_relay_config *))
{
	struct rg_relay_config cfg;
	struct rg_err err;

	rg_relay_config_init(&cfg);
	assert_int_equal(rg_disco_private_generate(&h->lt_priv), 0);
	assert_int_equal(rg_disco_private_public(&h->lt_priv, &h->lt_pub), 0);
	cfg.longterm[0] = h->lt_priv;
	cfg.n_longterm = 1;
	cfg.auth.is_known = h_is_known;
	cfg.auth.allowed = h_allowed;
	cfg.auth.ctx = h;
	if (tweak)
		tweak(&cfg);
	h->s = rg_relay_server_new(&cfg, &err);
	rg_relay_config_wipe(&cfg);
	if (!h->s)
		fail_msg("%s", err.msg);
	addr4(&h->relay_addr, 1, 7777);
	assert_int_equal(rg_relay_server_set_addrs(h->s, &h->relay_addr, 1, &err), 0);
	h->now = T0;
	client_init(h, &h->a, 10, 1000);
	client_init(h, &h->b, 20, 2000);
	client_init(h, &h->c, 30, 3000);
	client_learn(h, &h->a);
	client_learn(h, &h->b);
	client_learn(h, &h->c);
	h->known[0] = h->a.pub;
	h->known[1] = h->b.pub;
	h->nknown = 2;
}

static inline struct harness *h_new(void (*tweak)(struct rg_relay_config *))
{
	struct harness *h = test_calloc(1, sizeof(*h));

	assert_non_null(h);
	h_start(h, tweak);
	return h;
}

static inline void h_free(struct harness *h)
{
	rg_relay_server_free(h->s);
	test_free(h);
}

static inline enum rg_relay_verdict h_send(struct harness *h, const struct rg_addrport *src,
				    const uint8_t *pkt, size_t len)
{
	memset(h->out, 0xcc, sizeof(h->out));
	return rg_relay_server_handle_packet(h->s, src, pkt, len, h->now, h->out,
					     sizeof(h->out), &h->act);
}

static inline void expect_drop(struct harness *h, const struct rg_addrport *src,
			       const uint8_t *pkt, size_t len, enum rg_relay_drop why)
{
	uint64_t before = rg_relay_server_counters(h->s)->dropped[why];

	if (h_send(h, src, pkt, len) != RG_RELAY_DROP || h->act.reason != why)
		fail_msg("expected drop %s, got verdict %d reason %s", rg_relay_drop_name(why),
			 h->act.verdict, rg_relay_drop_name(h->act.reason));
	assert_int_equal(h->act.len, 0);
	assert_int_equal(rg_relay_server_counters(h->s)->dropped[why], before + 1);
}

/* Allocates {a, b} on behalf of a (the DERP path); returns the VNI. */
static inline uint32_t h_alloc(struct harness *h, struct client *req, struct client *peer)
{
	struct rg_relay_endpoint_info info;

	assert_int_equal(rg_relay_server_allocate(h->s, &req->pub, &req->pub, &peer->pub, true,
						  h->now, &info), RG_RELAY_DROP_NONE);
	return info.vni;
}

/* Geneve(control, disco, vni) + frame sealed c -> server of a Bind-family message. */
static inline size_t build_control_msg(struct client *c, const struct rg_disco_msg *m,
				       uint32_t vni, uint8_t *pkt, size_t cap)
{
	struct rg_geneve_header gh = { .control = true, .protocol = RG_GENEVE_PROTO_DISCO,
				       .vni = vni };
	uint8_t plain[128];
	size_t plen, flen;

	assert_int_equal(rg_disco_msg_encode(m, plain, sizeof(plain), &plen), RG_DISCO_OK);
	assert_int_equal(rg_geneve_encode(&gh, pkt), 0);
	assert_int_equal(rg_disco_seal(&c->pub, &c->srv, plain, plen, pkt + 8, cap - 8, &flen),
			 RG_DISCO_OK);
	return 8 + flen;
}

static inline size_t build_control(struct client *c, enum rg_disco_type t, uint32_t vni,
				   uint32_t gen, const struct rg_disco_key *remote,
				   const uint8_t *challenge, uint8_t *pkt, size_t cap)
{
	struct rg_disco_msg m;

	memset(&m, 0, sizeof(m));
	m.type = t;
	m.u.bind.vni = vni;
	m.u.bind.generation = gen;
	m.u.bind.remote = *remote;
	if (challenge)
		memcpy(m.u.bind.challenge, challenge, 32);
	return build_control_msg(c, &m, vni, pkt, cap);
}

/* Checks the reply in h->out is a Challenge for c and returns it. */
static inline void open_challenge(struct harness *h, struct client *c, uint32_t vni,
			   struct rg_disco_bind *out)
{
	uint8_t hdr[8], plain[128];
	struct rg_geneve_header gh = { .control = true, .protocol = RG_GENEVE_PROTO_DISCO,
				       .vni = vni };
	struct rg_disco_key sender;
	struct rg_disco_msg m;
	size_t plen;

	assert_int_equal(h->act.verdict, RG_RELAY_REPLY);
	assert_int_equal(h->act.len, 160);
	assert_true(rg_addrport_equal(&h->act.to, &c->addr));
	assert_int_equal(rg_geneve_encode(&gh, hdr), 0);
	assert_memory_equal(h->out, hdr, 8);
	assert_int_equal(rg_disco_frame_sender(h->out + 8, h->act.len - 8, &sender), 0);
	assert_true(rg_disco_key_equal(&sender, rg_relay_server_disco(h->s)));
	assert_int_equal(rg_disco_open(&c->srv, h->out + 8, h->act.len - 8, plain, sizeof(plain),
				       &plen), RG_DISCO_OK);
	assert_int_equal(rg_disco_msg_parse(plain, plen, &m), RG_DISCO_OK);
	assert_int_equal(m.type, RG_DISCO_BIND_CHALLENGE);
	assert_int_equal(m.u.bind.vni, vni);
	*out = m.u.bind;
}

/* Bind from c at c->addr; returns the challenge. */
static inline void h_bind(struct harness *h, struct client *c, const struct client *other,
			  uint32_t vni, uint32_t gen, struct rg_disco_bind *ch)
{
	uint8_t pkt[256];
	size_t n = build_control(c, RG_DISCO_BIND, vni, gen, &other->pub, NULL, pkt, sizeof(pkt));

	assert_int_equal(n, 160);
	assert_int_equal(h_send(h, &c->addr, pkt, n), RG_RELAY_REPLY);
	open_challenge(h, c, vni, ch);
	assert_int_equal(ch->generation, gen);
	assert_true(rg_disco_key_equal(&ch->remote, &other->pub));
}

static inline size_t h_answer_pkt(struct client *c, const struct client *other, uint32_t vni,
			   const struct rg_disco_bind *ch, uint8_t *pkt, size_t cap)
{
	return build_control(c, RG_DISCO_BIND_ANSWER, vni, ch->generation, &other->pub,
			     ch->challenge, pkt, cap);
}

/* Full handshake of c's leg. */
static inline void h_handshake(struct harness *h, struct client *c, const struct client *other,
			uint32_t vni, uint32_t gen)
{
	struct rg_disco_bind ch;
	uint8_t pkt[256];
	size_t n;

	h_bind(h, c, other, vni, gen, &ch);
	n = h_answer_pkt(c, other, vni, &ch, pkt, sizeof(pkt));
	assert_int_equal(h_send(h, &c->addr, pkt, n), RG_RELAY_CONSUMED);
}

/* Geneve data packet (no control) with payload. */
static inline size_t build_data(uint32_t vni, uint16_t proto, const void *payload, size_t plen,
			 uint8_t *pkt)
{
	struct rg_geneve_header gh = { .protocol = proto, .vni = vni };

	assert_int_equal(rg_geneve_encode(&gh, pkt), 0);
	memcpy(pkt + 8, payload, plen);
	return 8 + plen;
}

static inline void session(struct harness *h, uint32_t vni, struct rg_relay_session *out)
{
	assert_int_equal(rg_relay_server_session(h->s, vni, out), 0);
}

#endif

/*
 * Relay server: the bind handshake and forwarding (Tailscale TestServer
 * flow), replays (R4), MAC rotation (R9) and every malformed class of R1 at
 * the library level: each must leave the endpoint untouched and send nothing.
 */
#include "relay_harness.h"

static const uint8_t wg_payload[3] = { 1, 2, 3 };

/* Asserts the endpoint state is byte-for-byte what it was. */
static void assert_session_same(struct harness *h, uint32_t vni, const struct rg_relay_session *a)
{
	struct rg_relay_session b;

	session(h, vni, &b);
	assert_memory_equal(a, &b, sizeof(b));
}

static void expect_forward(struct harness *h, const struct client *from, const struct client *to,
			   uint32_t vni, const void *payload, size_t plen)
{
	uint8_t pkt[64];
	size_t n = build_data(vni, RG_GENEVE_PROTO_WIREGUARD, payload, plen, pkt);

	assert_int_equal(h_send(h, &from->addr, pkt, n), RG_RELAY_FORWARD);
	assert_true(rg_addrport_equal(&h->act.to, &to->addr));
	assert_int_equal(h->act.len, n);
}

/* TestServer: allocate, both handshakes (twice each), data both ways,
 * re-binding from a new port with generation + 1. */
static void run_server_flow(struct harness *h)
{
	const struct rg_relay_counters *ct = rg_relay_server_counters(h->s);
	struct rg_relay_session ss;
	uint32_t vni = h_alloc(h, &h->a, &h->b);
	uint8_t pkt[64];
	size_t n;

	assert_int_equal(vni, 1);
	assert_int_equal(ct->endpoints[RG_RELAY_EP_CONNECTING], 1);
	h_handshake(h, &h->a, &h->b, vni, 1);
	h_handshake(h, &h->a, &h->b, vni, 2);
	session(h, vni, &ss);
	assert_int_equal(ss.state, RG_RELAY_EP_CONNECTING);
	/* Half-bound: nothing flows yet. */
	n = build_data(vni, RG_GENEVE_PROTO_WIREGUARD, wg_payload, 3, pkt);
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_NOT_BOUND);
	h_handshake(h, &h->b, &h->a, vni, 1);
	h_handshake(h, &h->b, &h->a, vni, 2);
	assert_int_equal(ct->endpoints[RG_RELAY_EP_CONNECTING], 0);
	assert_int_equal(ct->endpoints[RG_RELAY_EP_OPEN], 1);
	assert_int_equal(ct->binds, 4);
	expect_forward(h, &h->a, &h->b, vni, wg_payload, 3);
	expect_forward(h, &h->b, &h->a, vni, "\x04\x05\x06", 3);
	/* A moves to a new port and re-binds with generation + 1. */
	h->a.addr.port++;
	h_handshake(h, &h->a, &h->b, vni, 3);
	expect_forward(h, &h->a, &h->b, vni, "\x07\x08\x09", 3);
	h->a.addr.port--;
	n = build_data(vni, RG_GENEVE_PROTO_WIREGUARD, wg_payload, 3, pkt);
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_UNKNOWN_SRC);
	h->a.addr.port++;
	h->b.addr.port++;
	h_handshake(h, &h->b, &h->a, vni, 3);
	expect_forward(h, &h->b, &h->a, vni, "\x07\x08\x09", 3);
	session(h, vni, &ss);
	assert_int_equal(ss.state, RG_RELAY_EP_OPEN);
	assert_int_equal(ss.leg[0].packets + ss.leg[1].packets, 4);
	assert_int_equal(ss.leg[0].bytes + ss.leg[1].bytes, 4 * 11);
}

static void test_flow_ipv4(void **state)
{
	struct harness *h = h_new(NULL);
	const struct rg_relay_counters *ct = rg_relay_server_counters(h->s);

	(void)state;
	run_server_flow(h);
	assert_int_equal(ct->forwarded_packets[RG_RELAY_UDP4][RG_RELAY_UDP4], 4);
	assert_int_equal(ct->forwarded_bytes[RG_RELAY_UDP4][RG_RELAY_UDP4], 44);
	assert_int_equal(ct->forwarded_packets[RG_RELAY_UDP6][RG_RELAY_UDP6], 0);
	h_free(h);
}

static void test_flow_ipv6(void **state)
{
	struct harness *h = h_new(NULL);
	const struct rg_relay_counters *ct = rg_relay_server_counters(h->s);

	(void)state;
	addr6(&h->a.addr, 10, 1000);
	addr6(&h->b.addr, 20, 2000);
	run_server_flow(h);
	assert_int_equal(ct->forwarded_packets[RG_RELAY_UDP6][RG_RELAY_UDP6], 4);
	h_free(h);
}

static void test_flow_mixed_families(void **state)
{
	struct harness *h = h_new(NULL);
	const struct rg_relay_counters *ct = rg_relay_server_counters(h->s);

	(void)state;
	addr6(&h->b.addr, 20, 2000);
	run_server_flow(h);
	assert_int_equal(ct->forwarded_packets[RG_RELAY_UDP4][RG_RELAY_UDP6], 2);
	assert_int_equal(ct->forwarded_packets[RG_RELAY_UDP6][RG_RELAY_UDP4], 2);
	assert_int_equal(ct->forwarded_bytes[RG_RELAY_UDP4][RG_RELAY_UDP6], 22);
	h_free(h);
}

/* Client-to-client disco through the relay is forwarded verbatim too. */
static void test_forward_disco_data_verbatim(void **state)
{
	struct harness *h = h_new(NULL);
	uint32_t vni = h_alloc(h, &h->a, &h->b);
	uint8_t pkt[200], ping[120];

	(void)state;
	h_handshake(h, &h->a, &h->b, vni, 1);
	h_handshake(h, &h->b, &h->a, vni, 1);
	memcpy(ping, RG_DISCO_MAGIC, 6);
	randombytes_buf(ping + 6, sizeof(ping) - 6);
	assert_int_equal(h_send(h, &h->a.addr, pkt,
				build_data(vni, RG_GENEVE_PROTO_DISCO, ping, sizeof(ping), pkt)),
			 RG_RELAY_FORWARD);
	assert_int_equal(h->act.len, 8 + sizeof(ping));
	/* Other protocols on the data path are refused. */
	expect_drop(h, &h->a.addr, pkt, build_data(vni, 0x0800, ping, 20, pkt),
		    RG_RELAY_DROP_DATA_PROTO);
	h_free(h);
}

/* Tailscale: a Bind from any source gets a challenge bound to that source;
 * only the Answer from the same source binds. */
static void test_answer_from_other_address(void **state)
{
	struct harness *h = h_new(NULL);
	uint32_t vni = h_alloc(h, &h->a, &h->b);
	struct rg_relay_session before, after;
	struct rg_disco_bind ch;
	struct rg_addrport other;
	uint8_t pkt[256];
	size_t n;

	(void)state;
	h_bind(h, &h->a, &h->b, vni, 1, &ch);
	session(h, vni, &before);
	assert_int_equal(before.leg[0].pending_generation + before.leg[1].pending_generation, 1);
	n = h_answer_pkt(&h->a, &h->b, vni, &ch, pkt, sizeof(pkt));
	other = h->a.addr;
	other.port++;
	expect_drop(h, &other, pkt, n, RG_RELAY_DROP_BAD_CHALLENGE);
	addr6(&other, 10, 1000);
	expect_drop(h, &other, pkt, n, RG_RELAY_DROP_BAD_CHALLENGE);
	assert_session_same(h, vni, &before);
	/* A tampered challenge fails too. */
	ch.challenge[0] ^= 1;
	n = h_answer_pkt(&h->a, &h->b, vni, &ch, pkt, sizeof(pkt));
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_BAD_CHALLENGE);
	ch.challenge[0] ^= 1;
	/* The genuine one still works afterwards. */
	n = h_answer_pkt(&h->a, &h->b, vni, &ch, pkt, sizeof(pkt));
	assert_int_equal(h_send(h, &h->a.addr, pkt, n), RG_RELAY_CONSUMED);
	session(h, vni, &after);
	assert_true(after.leg[0].bound || after.leg[1].bound);
	h_free(h);
}

/* R4: recorded Bind and Answer replayed from the original and another
 * address, before and after completion; state never changes. */
static void test_replays(void **state)
{
	struct harness *h = h_new(NULL);
	uint32_t vni = h_alloc(h, &h->a, &h->b);
	struct rg_relay_session snap;
	struct rg_disco_bind ch1, ch2;
	struct rg_addrport attacker;
	uint8_t bind1[256], ans1[256], bind2[256];
	size_t nb1, na1, nb2;

	(void)state;
	addr4(&attacker, 99, 9999);
	nb1 = build_control(&h->a, RG_DISCO_BIND, vni, 5, &h->b.pub, NULL, bind1, sizeof(bind1));
	assert_int_equal(h_send(h, &h->a.addr, bind1, nb1), RG_RELAY_REPLY);
	open_challenge(h, &h->a, vni, &ch1);
	na1 = h_answer_pkt(&h->a, &h->b, vni, &ch1, ans1, sizeof(ans1));
	/* Retransmitted Bind (same generation) from the same address: a
	 * challenge again, identical MAC (stateless), no state change. */
	session(h, vni, &snap);
	assert_int_equal(h_send(h, &h->a.addr, bind1, nb1), RG_RELAY_REPLY);
	open_challenge(h, &h->a, vni, &ch2);
	assert_memory_equal(ch1.challenge, ch2.challenge, 32);
	assert_session_same(h, vni, &snap);
	/* Replayed Answer from elsewhere never binds. */
	for (int i = 0; i < 1000; i++)
		expect_drop(h, &attacker, ans1, na1, RG_RELAY_DROP_BAD_CHALLENGE);
	assert_session_same(h, vni, &snap);
	/* The genuine Answer binds. */
	assert_int_equal(h_send(h, &h->a.addr, ans1, na1), RG_RELAY_CONSUMED);
	session(h, vni, &snap);
	h->now += RG_RELAY_SECOND;
	/* After completion: the Answer, from anywhere, and the Bind (its
	 * generation is no longer newer) change nothing, not even timers. */
	for (int i = 0; i < 1000; i++) {
		expect_drop(h, &h->a.addr, ans1, na1, RG_RELAY_DROP_NO_HANDSHAKE);
		expect_drop(h, &attacker, ans1, na1, RG_RELAY_DROP_NO_HANDSHAKE);
		expect_drop(h, &h->a.addr, bind1, nb1, RG_RELAY_DROP_STALE_GENERATION);
		expect_drop(h, &attacker, bind1, nb1, RG_RELAY_DROP_STALE_GENERATION);
	}
	assert_session_same(h, vni, &snap);
	/* A new handshake is in progress; old Binds replayed at it never reset
	 * it (Tailscale would overwrite the in-progress generation). */
	nb2 = build_control(&h->a, RG_DISCO_BIND, vni, 7, &h->b.pub, NULL, bind2, sizeof(bind2));
	assert_int_equal(h_send(h, &h->a.addr, bind2, nb2), RG_RELAY_REPLY);
	open_challenge(h, &h->a, vni, &ch2);
	for (int i = 0; i < 100; i++)
		expect_drop(h, &attacker, bind1, nb1, RG_RELAY_DROP_STALE_GENERATION);
	{
		uint8_t ans2[256];
		size_t na2 = h_answer_pkt(&h->a, &h->b, vni, &ch2, ans2, sizeof(ans2));

		/* The old Answer does not match the generation in progress. */
		expect_drop(h, &h->a.addr, ans1, na1, RG_RELAY_DROP_NO_HANDSHAKE);
		assert_int_equal(h_send(h, &h->a.addr, ans2, na2), RG_RELAY_CONSUMED);
	}
	session(h, vni, &snap);
	assert_int_equal(snap.leg[0].generation + snap.leg[1].generation, 7);
	/* Generations older than in progress but newer than bound: stale too. */
	nb2 = build_control(&h->a, RG_DISCO_BIND, vni, 9, &h->b.pub, NULL, bind2, sizeof(bind2));
	assert_int_equal(h_send(h, &h->a.addr, bind2, nb2), RG_RELAY_REPLY);
	nb2 = build_control(&h->a, RG_DISCO_BIND, vni, 8, &h->b.pub, NULL, bind2, sizeof(bind2));
	expect_drop(h, &h->a.addr, bind2, nb2, RG_RELAY_DROP_STALE_GENERATION);
	h_free(h);
}

/* Keeps unbound endpoints alive across several rotation intervals. */
static void long_bind_lifetime(struct rg_relay_config *c)
{
	c->bind_lifetime_ns = 3600 * RG_RELAY_SECOND;
}

/* R9: the challenge secret rotates every 2 minutes; current and previous
 * secrets are accepted, older ones are not. */
static void test_mac_rotation(void **state)
{
	struct harness *h = h_new(long_bind_lifetime);
	uint32_t vni = h_alloc(h, &h->a, &h->b);
	const struct rg_relay_counters *ct = rg_relay_server_counters(h->s);
	int64_t iv = RG_RELAY_DEFAULT_MAC_ROTATION;
	struct rg_disco_bind ch1, again;
	uint8_t pkt[256];
	size_t n;

	(void)state;
	h_bind(h, &h->a, &h->b, vni, 1, &ch1); /* first secret at T0 */
	assert_int_equal(ct->mac_rotations, 1);
	/* 2 min - 1 ns: same secret, so the same challenge for the same Bind. */
	h->now = T0 + iv - 1;
	h_bind(h, &h->a, &h->b, vni, 1, &again);
	assert_memory_equal(again.challenge, ch1.challenge, 32);
	assert_int_equal(ct->mac_rotations, 1);
	/* 2 min: rotated; a new challenge, and the old one still verifies. */
	h->now = T0 + iv;
	h_bind(h, &h->a, &h->b, vni, 1, &again);
	assert_memory_not_equal(again.challenge, ch1.challenge, 32);
	assert_int_equal(ct->mac_rotations, 2);
	n = h_answer_pkt(&h->a, &h->b, vni, &ch1, pkt, sizeof(pkt));
	assert_int_equal(h_send(h, &h->a.addr, pkt, n), RG_RELAY_CONSUMED);
	/* B: challenge at T0 + 2 min, two more rotations, then refused. */
	h_bind(h, &h->b, &h->a, vni, 1, &ch1);
	h->now = T0 + 2 * iv;
	h_bind(h, &h->b, &h->a, vni, 1, &again); /* rotation 3: ch1 is previous */
	assert_int_equal(ct->mac_rotations, 3);
	h->now = T0 + 3 * iv;
	h_bind(h, &h->b, &h->a, vni, 1, &again); /* rotation 4: ch1 is gone */
	assert_int_equal(ct->mac_rotations, 4);
	n = h_answer_pkt(&h->b, &h->a, vni, &ch1, pkt, sizeof(pkt));
	expect_drop(h, &h->b.addr, pkt, n, RG_RELAY_DROP_BAD_CHALLENGE);
	/* The current one works. */
	n = h_answer_pkt(&h->b, &h->a, vni, &again, pkt, sizeof(pkt));
	assert_int_equal(h_send(h, &h->b.addr, pkt, n), RG_RELAY_CONSUMED);
	h_free(h);
}

/* After two idle intervals both secrets are replaced at once. */
static void test_mac_idle_expiry(void **state)
{
	struct harness *h = h_new(long_bind_lifetime);
	uint32_t vni = h_alloc(h, &h->a, &h->b);
	int64_t iv = RG_RELAY_DEFAULT_MAC_ROTATION;
	struct rg_disco_bind ch, other;
	uint8_t pkt[256];
	size_t n;

	(void)state;
	h_bind(h, &h->a, &h->b, vni, 1, &ch);
	h->now = T0 + 2 * iv;
	h_bind(h, &h->b, &h->a, vni, 1, &other);
	n = h_answer_pkt(&h->a, &h->b, vni, &ch, pkt, sizeof(pkt));
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_BAD_CHALLENGE);
	h_free(h);
}

/* R1 at the library level: each malformed control packet is dropped with
 * its reason, with no reply and no change to the endpoint. */
static void test_malformed_control(void **state)
{
	struct harness *h = h_new(NULL);
	uint32_t vni = h_alloc(h, &h->a, &h->b);
	struct rg_relay_session snap;
	struct rg_disco_key zero;
	struct rg_disco_msg m;
	uint8_t pkt[2048];
	size_t n;

	(void)state;
	memset(&zero, 0, sizeof(zero));
	h_handshake(h, &h->a, &h->b, vni, 1);
	session(h, vni, &snap);
	h->now += RG_RELAY_SECOND;
	/* Inner VNI differs from the header's. */
	n = build_control(&h->a, RG_DISCO_BIND, vni + 1, 2, &h->b.pub, NULL, pkt, sizeof(pkt));
	pkt[6] = (uint8_t)vni; /* header VNI back to the endpoint's */
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_WRONG_VNI);
	/* RemoteKey is not the other client (itself, a stranger, zero). */
	n = build_control(&h->a, RG_DISCO_BIND, vni, 2, &h->a.pub, NULL, pkt, sizeof(pkt));
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_WRONG_REMOTE);
	n = build_control(&h->a, RG_DISCO_BIND, vni, 2, &h->c.pub, NULL, pkt, sizeof(pkt));
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_WRONG_REMOTE);
	n = build_control(&h->a, RG_DISCO_BIND, vni, 2, &zero, NULL, pkt, sizeof(pkt));
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_WRONG_REMOTE);
	/* Generation 0. */
	n = build_control(&h->a, RG_DISCO_BIND, vni, 0, &h->b.pub, NULL, pkt, sizeof(pkt));
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_ZERO_GENERATION);
	/* A stranger's key (no shared key at all): no crypto attempted. */
	n = build_control(&h->c, RG_DISCO_BIND, vni, 2, &h->b.pub, NULL, pkt, sizeof(pkt));
	expect_drop(h, &h->c.addr, pkt, n, RG_RELAY_DROP_NOT_CLIENT);
	/* A client's key with a forged box. */
	n = build_control(&h->a, RG_DISCO_BIND, vni, 2, &h->b.pub, NULL, pkt, sizeof(pkt));
	pkt[n - 1] ^= 1;
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_BAD_BOX);
	/* Sealed with the wrong key (the client's long-term shared key). */
	{
		struct rg_disco_shared keep = h->a.srv;

		h->a.srv = h->a.lt;
		n = build_control(&h->a, RG_DISCO_BIND, vni, 2, &h->b.pub, NULL, pkt, sizeof(pkt));
		h->a.srv = keep;
		expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_BAD_BOX);
	}
	/* Message types the server does not take: Challenge, Ping. */
	n = build_control(&h->a, RG_DISCO_BIND_CHALLENGE, vni, 2, &h->b.pub, NULL, pkt,
			  sizeof(pkt));
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_UNEXPECTED_TYPE);
	memset(&m, 0, sizeof(m));
	m.type = RG_DISCO_PING;
	n = build_control_msg(&h->a, &m, vni, pkt, sizeof(pkt));
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_UNEXPECTED_TYPE);
	/* A Bind body one byte short (truncated inner message, valid box). */
	{
		uint8_t plain[80] = { RG_DISCO_BIND, 0 };
		struct rg_geneve_header gh = { .control = true, .protocol = RG_GENEVE_PROTO_DISCO,
					       .vni = vni };
		size_t fl;

		assert_int_equal(rg_geneve_encode(&gh, pkt), 0);
		assert_int_equal(rg_disco_seal(&h->a.pub, &h->a.srv, plain, 73, pkt + 8,
					       sizeof(pkt) - 8, &fl), 0);
		expect_drop(h, &h->a.addr, pkt, 8 + fl, RG_RELAY_DROP_BAD_MESSAGE);
		plain[0] = 0x42; /* unknown type */
		assert_int_equal(rg_disco_seal(&h->a.pub, &h->a.srv, plain, 74, pkt + 8,
					       sizeof(pkt) - 8, &fl), 0);
		expect_drop(h, &h->a.addr, pkt, 8 + fl, RG_RELAY_DROP_BAD_MESSAGE);
	}
	/* Truncation of a valid Bind at every length past the header. */
	n = build_control(&h->a, RG_DISCO_BIND, vni, 2, &h->b.pub, NULL, pkt, sizeof(pkt));
	for (size_t k = 8; k < n; k++)
		expect_drop(h, &h->a.addr, pkt, k,
			    k - 8 < RG_DISCO_OVERHEAD ? RG_RELAY_DROP_DISCO_SHORT : RG_RELAY_DROP_BAD_BOX);
	/* Bad magic. */
	pkt[8] ^= 0xff;
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_BAD_MAGIC);
	pkt[8] ^= 0xff;
	/* Oversized: the box is not even opened. */
	memset(pkt + n, 0, sizeof(pkt) - n);
	expect_drop(h, &h->a.addr, pkt, RG_RELAY_CONTROL_MAX + 1, RG_RELAY_DROP_OVERSIZE);
	/* Control bit on WireGuard. */
	pkt[3] = 0x12;
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_CONTROL_PROTO);
	pkt[3] = 0x11;
	/* A source that is one of the relay's own addresses (a loop). */
	expect_drop(h, &h->relay_addr, pkt, n, RG_RELAY_DROP_SRC_IS_RELAY);
	assert_session_same(h, vni, &snap);
	assert_int_equal(rg_relay_server_counters(h->s)->challenges, 1);
	h_free(h);
}

/* A leg may not bind the address the other leg is bound to. */
static void test_addr_in_use(void **state)
{
	struct harness *h = h_new(NULL);
	uint32_t vni = h_alloc(h, &h->a, &h->b);
	uint8_t pkt[256];
	size_t n;

	(void)state;
	h_handshake(h, &h->a, &h->b, vni, 1);
	n = build_control(&h->b, RG_DISCO_BIND, vni, 1, &h->a.pub, NULL, pkt, sizeof(pkt));
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_ADDR_IN_USE);
	h_free(h);
}

static void test_malformed_geneve(void **state)
{
	struct harness *h = h_new(NULL);
	uint32_t vni = h_alloc(h, &h->a, &h->b);
	uint8_t pkt[64];
	size_t n;

	(void)state;
	h_handshake(h, &h->a, &h->b, vni, 1);
	h_handshake(h, &h->b, &h->a, vni, 1);
	n = build_data(vni, RG_GENEVE_PROTO_WIREGUARD, wg_payload, 3, pkt);
	for (size_t k = 0; k < 8; k++)
		expect_drop(h, &h->a.addr, pkt, k, RG_RELAY_DROP_SHORT);
	pkt[0] = 0x40;
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_GENEVE_VERSION);
	pkt[0] = 0x01;
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_GENEVE_OPTIONS);
	pkt[0] = 0x3f; /* options past the end */
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_GENEVE_OPTIONS);
	pkt[0] = 0;
	pkt[1] = 0x40;
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_GENEVE_RESERVED);
	pkt[1] = 0x01; /* not STUN: no cookie */
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_GENEVE_RESERVED);
	pkt[1] = 0;
	pkt[7] = 1;
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_GENEVE_RESERVED);
	pkt[7] = 0;
	n = build_data(0, RG_GENEVE_PROTO_WIREGUARD, wg_payload, 3, pkt);
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_VNI_ZERO);
	n = build_data(vni + 1, RG_GENEVE_PROTO_WIREGUARD, wg_payload, 3, pkt);
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_UNKNOWN_VNI);
	n = build_data(0xFFFFFF, RG_GENEVE_PROTO_WIREGUARD, wg_payload, 3, pkt);
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_UNKNOWN_VNI);
	/* Data from an address that is not bound, e.g. a third party. */
	n = build_data(vni, RG_GENEVE_PROTO_WIREGUARD, wg_payload, 3, pkt);
	expect_drop(h, &h->c.addr, pkt, n, RG_RELAY_DROP_UNKNOWN_SRC);
	expect_drop(h, &h->relay_addr, pkt, n, RG_RELAY_DROP_UNKNOWN_SRC);
	assert_int_equal(rg_relay_server_counters(h->s)->forwarded_packets[0][0], 0);
	h_free(h);
}

static void test_stun_is_handed_out(void **state)
{
	struct harness *h = h_new(NULL);
	uint8_t stun[20] = { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42 };

	(void)state;
	assert_int_equal(h_send(h, &h->a.addr, stun, sizeof(stun)), RG_RELAY_STUN);
	assert_int_equal(h->act.len, sizeof(stun));
	stun[1] = 0x11; /* STUN-like, not a binding message: Geneve reserved bits */
	expect_drop(h, &h->a.addr, stun, sizeof(stun), RG_RELAY_DROP_GENEVE_RESERVED);
	assert_int_equal(rg_relay_server_counters(h->s)->stun, 1);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flow_ipv4),
		cmocka_unit_test(test_flow_ipv6),
		cmocka_unit_test(test_flow_mixed_families),
		cmocka_unit_test(test_forward_disco_data_verbatim),
		cmocka_unit_test(test_answer_from_other_address),
		cmocka_unit_test(test_replays),
		cmocka_unit_test(test_mac_rotation),
		cmocka_unit_test(test_mac_idle_expiry),
		cmocka_unit_test(test_malformed_control),
		cmocka_unit_test(test_addr_in_use),
		cmocka_unit_test(test_malformed_geneve),
		cmocka_unit_test(test_stun_is_handed_out),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Relay server: allocation requests on the UDP port (the extension). Unknown
 * senders cost no key agreement; refusals of R2/R3; anti-amplification (R6);
 * replayed requests (R4); responses sealed with the key the request used.
 */
#include "relay_harness.h"

/* Smallest request that pays for a response with one address. */
#define RESP1 (RG_DISCO_OVERHEAD + 2 + 4 + 124 + 18)

/* A naked request from c naming (k0, k1), its plaintext padded to plen. */
static size_t build_request(const struct client *c, const struct rg_disco_shared *key,
			    const struct rg_disco_key *k0, const struct rg_disco_key *k1,
			    uint32_t gen, size_t plen, uint8_t *pkt, size_t cap)
{
	struct rg_disco_msg m;
	uint8_t plain[RG_RELAY_CONTROL_MAX] = { 0 };
	size_t n, fl;

	memset(&m, 0, sizeof(m));
	m.type = RG_DISCO_ALLOC_REQUEST;
	m.u.alloc_req.client[0] = *k0;
	m.u.alloc_req.client[1] = *k1;
	m.u.alloc_req.generation = gen;
	assert_int_equal(rg_disco_msg_encode(&m, plain, sizeof(plain), &n), RG_DISCO_OK);
	if (plen < n)
		plen = n;
	assert_int_equal(rg_disco_seal(&c->pub, key, plain, plen, pkt, cap, &fl), RG_DISCO_OK);
	return fl;
}

/* A padded request from c for (c, peer). */
static size_t request(const struct client *c, const struct client *peer, uint32_t gen,
		      uint8_t *pkt, size_t cap)
{
	return build_request(c, &c->lt, &c->pub, &peer->pub, gen, RESP1 - RG_DISCO_OVERHEAD, pkt,
			     cap);
}

/* Opens the response in h->out with key and checks the envelope. */
static void open_response(struct harness *h, const struct client *c,
			  const struct rg_disco_shared *key, const struct rg_disco_key *sealer,
			  size_t req_len, struct rg_disco_msg *m, uint8_t *plain, size_t cap)
{
	struct rg_disco_key sender;
	size_t plen;

	assert_int_equal(h->act.verdict, RG_RELAY_REPLY);
	assert_true(rg_addrport_equal(&h->act.to, &c->addr));
	assert_true(h->act.len <= req_len); /* R6: never more than received */
	assert_int_equal(rg_disco_frame_sender(h->out, h->act.len, &sender), RG_DISCO_OK);
	assert_true(rg_disco_key_equal(&sender, sealer));
	assert_int_equal(rg_disco_open(key, h->out, h->act.len, plain, cap, &plen), RG_DISCO_OK);
	assert_int_equal(rg_disco_msg_parse(plain, plen, m), RG_DISCO_OK);
	assert_int_equal(m->type, RG_DISCO_ALLOC_RESPONSE);
}

static void test_allocate_over_udp(void **state)
{
	struct harness *h = h_new(NULL);
	struct rg_disco_msg m;
	const struct rg_disco_relay_ep *ep = &m.u.alloc_resp.ep;
	uint8_t pkt[512], plain[512];
	struct rg_addrport a0;
	size_t n;

	(void)state;
	n = request(&h->a, &h->b, 77, pkt, sizeof(pkt));
	assert_int_equal(n, RESP1);
	assert_int_equal(h_send(h, &h->a.addr, pkt, n), RG_RELAY_REPLY);
	assert_int_equal(h->act.len, RESP1);
	open_response(h, &h->a, &h->a.lt, &h->lt_pub, n, &m, plain, sizeof(plain));
	assert_int_equal(m.u.alloc_resp.generation, 77);
	/* It names the server disco key for binding, not the long-term key. */
	assert_true(rg_disco_key_equal(&ep->server, rg_relay_server_disco(h->s)));
	assert_false(rg_disco_key_equal(&ep->server, &h->lt_pub));
	assert_true(rg_disco_key_compare(&ep->client[0], &ep->client[1]) < 0);
	assert_int_equal(ep->vni, 1);
	assert_int_equal(ep->lamport_id, 1);
	assert_true(ep->bind_lifetime_ns == 30 * RG_RELAY_SECOND);
	assert_true(ep->steady_lifetime_ns == 300 * RG_RELAY_SECOND);
	/* relay-vectors.md §9: the defaults as they leave the server, big-endian
	 * nanoseconds at offsets 114 (BindLifetime) and 122 (SteadyStateLifetime)
	 * of the response plaintext. */
	{
		static const uint8_t b30s[8] = { 0x00, 0x00, 0x00, 0x06, 0xfc, 0x23, 0xac, 0x00 };
		static const uint8_t b5m[8] = { 0x00, 0x00, 0x00, 0x45, 0xd9, 0x64, 0xb8, 0x00 };

		assert_memory_equal(plain + 114, b30s, 8);
		assert_memory_equal(plain + 122, b5m, 8);
	}
	assert_int_equal(ep->addrs.n, 1);
	rg_disco_addrs_get(&ep->addrs, 0, &a0);
	assert_true(rg_addrport_equal(&a0, &h->relay_addr));
	/* The pair is sorted whatever the order in the request. */
	n = build_request(&h->b, &h->b.lt, &h->a.pub, &h->b.pub, 1, RESP1 - RG_DISCO_OVERHEAD,
			  pkt, sizeof(pkt));
	assert_int_equal(h_send(h, &h->b.addr, pkt, n), RG_RELAY_REPLY);
	open_response(h, &h->b, &h->b.lt, &h->lt_pub, n, &m, plain, sizeof(plain));
	assert_int_equal(ep->vni, 1);
	assert_true(rg_disco_key_compare(&ep->client[0], &ep->client[1]) < 0);
	/* Both can now bind with what they learnt. */
	h_handshake(h, &h->a, &h->b, 1, 1);
	h_handshake(h, &h->b, &h->a, 1, 1);
	assert_int_equal(rg_relay_server_counters(h->s)->alloc_responses, 2);
	h_free(h);
}

/* Unknown and weak senders are rejected before any key agreement. */
static void test_unknown_sender_no_crypto(void **state)
{
	struct harness *h = h_new(NULL);
	const struct rg_relay_counters *ct = rg_relay_server_counters(h->s);
	uint8_t pkt[512];
	size_t n;

	(void)state;
	n = request(&h->c, &h->a, 1, pkt, sizeof(pkt));
	for (int i = 0; i < 1000; i++)
		expect_drop(h, &h->c.addr, pkt, n, RG_RELAY_DROP_UNKNOWN_SENDER);
	assert_int_equal(ct->key_agreements, 0);
	/* Random sender keys with garbage boxes: the same. */
	for (int i = 0; i < 100; i++) {
		randombytes_buf(pkt + 6, n - 6);
		expect_drop(h, &h->c.addr, pkt, n, RG_RELAY_DROP_UNKNOWN_SENDER);
	}
	assert_int_equal(ct->key_agreements, 0);
	/* Weak keys never even reach is_known(). */
	h->is_known_calls = 0;
	for (size_t i = 0; i < RG_DISCO_WEAK_KEY_COUNT; i++) {
		struct rg_disco_key w;

		rg_disco_weak_key(i, &w);
		memcpy(pkt + 6, w.b, 32);
		expect_drop(h, &h->c.addr, pkt, n, RG_RELAY_DROP_WEAK_KEY);
	}
	assert_int_equal(h->is_known_calls, 0);
	/* Nor do the relay's own keys (reflection). */
	memcpy(pkt + 6, h->lt_pub.b, 32);
	expect_drop(h, &h->c.addr, pkt, n, RG_RELAY_DROP_RELAY_KEY);
	memcpy(pkt + 6, rg_relay_server_disco(h->s)->b, 32);
	expect_drop(h, &h->c.addr, pkt, n, RG_RELAY_DROP_RELAY_KEY);
	assert_int_equal(ct->key_agreements, 0);
	/* A known sender with a forged box costs one key agreement, once. */
	n = request(&h->a, &h->b, 1, pkt, sizeof(pkt));
	pkt[n - 1] ^= 1;
	for (int i = 0; i < 100; i++)
		expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_BAD_BOX);
	assert_int_equal(ct->key_agreements, 1);
	/* Steady state: a valid request is answered without new X25519 for the
	 * request (2 for the new endpoint's keys). */
	n = request(&h->a, &h->b, 1, pkt, sizeof(pkt));
	assert_int_equal(h_send(h, &h->a.addr, pkt, n), RG_RELAY_REPLY);
	assert_int_equal(ct->key_agreements, 3);
	for (uint32_t g = 2; g < 50; g++) {
		n = request(&h->a, &h->b, g, pkt, sizeof(pkt));
		assert_int_equal(h_send(h, &h->a.addr, pkt, n), RG_RELAY_REPLY);
	}
	assert_int_equal(ct->key_agreements, 3);
	h_free(h);
}

static void no_is_known(struct rg_relay_config *c)
{
	c->auth.is_known = NULL;
}

static void test_disabled(void **state)
{
	struct harness *h = h_new(no_is_known);
	uint8_t pkt[512];
	size_t n = request(&h->a, &h->b, 1, pkt, sizeof(pkt));

	(void)state;
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_ALLOC_DISABLED);
	h_free(h);
}

/* R2 classes over UDP; none allocates. */
static void test_refusals(void **state)
{
	struct harness *h = h_new(NULL);
	struct rg_disco_key weak;
	uint8_t pkt[512];
	size_t n, pl = RESP1 - RG_DISCO_OVERHEAD;

	(void)state;
	/* Sender not in the pair. */
	n = build_request(&h->a, &h->a.lt, &h->b.pub, &h->c.pub, 1, pl, pkt, sizeof(pkt));
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_NOT_PARTICIPANT);
	/* (X, X). */
	n = build_request(&h->a, &h->a.lt, &h->a.pub, &h->a.pub, 2, pl, pkt, sizeof(pkt));
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_SAME_PAIR);
	/* The relay's keys as the peer. */
	n = build_request(&h->a, &h->a.lt, &h->a.pub, &h->lt_pub, 3, pl, pkt, sizeof(pkt));
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_RELAY_KEY);
	n = build_request(&h->a, &h->a.lt, rg_relay_server_disco(h->s), &h->a.pub, 4, pl, pkt,
			  sizeof(pkt));
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_RELAY_KEY);
	/* Weak peer keys (tailscale#21273), in both slots. */
	for (size_t i = 0; i < RG_DISCO_WEAK_KEY_COUNT; i++) {
		rg_disco_weak_key(i, &weak);
		n = build_request(&h->a, &h->a.lt, &h->a.pub, &weak, 5, pl, pkt, sizeof(pkt));
		expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_WEAK_KEY);
		n = build_request(&h->a, &h->a.lt, &weak, &h->a.pub, 5, pl, pkt, sizeof(pkt));
		expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_WEAK_KEY);
	}
	/* Authorization refused. */
	h->deny = true;
	n = request(&h->a, &h->b, 6, pkt, sizeof(pkt));
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_NOT_ALLOWED);
	h->deny = false;
	/* A known key that is not allowed (the table knows C only as a peer). */
	h->known[2] = h->c.pub;
	h->nknown = 3;
	h->deny = true;
	n = request(&h->c, &h->a, 1, pkt, sizeof(pkt));
	expect_drop(h, &h->c.addr, pkt, n, RG_RELAY_DROP_NOT_ALLOWED);
	h->deny = false;
	/* Other message types and versions. */
	{
		uint8_t plain[200] = { RG_DISCO_PING, 0 };
		size_t fl;

		assert_int_equal(rg_disco_seal(&h->a.pub, &h->a.lt, plain, 170, pkt, sizeof(pkt),
					       &fl), 0);
		expect_drop(h, &h->a.addr, pkt, fl, RG_RELAY_DROP_UNEXPECTED_TYPE);
		plain[0] = RG_DISCO_ALLOC_REQUEST;
		plain[1] = 1;
		assert_int_equal(rg_disco_seal(&h->a.pub, &h->a.lt, plain, 170, pkt, sizeof(pkt),
					       &fl), 0);
		expect_drop(h, &h->a.addr, pkt, fl, RG_RELAY_DROP_BAD_VERSION);
		plain[0] = 0x77;
		plain[1] = 0;
		assert_int_equal(rg_disco_seal(&h->a.pub, &h->a.lt, plain, 170, pkt, sizeof(pkt),
					       &fl), 0);
		expect_drop(h, &h->a.addr, pkt, fl, RG_RELAY_DROP_BAD_MESSAGE);
	}
	assert_int_equal(rg_relay_server_endpoint_count(h->s), 0);
	h_free(h);
}

/* R6: the request must be at least as long as the response it gets. */
static void test_amplification(void **state)
{
	struct harness *h = h_new(NULL);
	struct rg_addrport two[2];
	struct rg_err err;
	uint8_t pkt[1400];
	size_t n;

	(void)state;
	/* Unpadded (148 bytes) against a 226-byte response. */
	n = build_request(&h->a, &h->a.lt, &h->a.pub, &h->b.pub, 1, 0, pkt, sizeof(pkt));
	assert_int_equal(n, RG_DISCO_OVERHEAD + 70);
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_AMPLIFICATION);
	n = build_request(&h->a, &h->a.lt, &h->a.pub, &h->b.pub, 2, RESP1 - RG_DISCO_OVERHEAD - 1,
			  pkt, sizeof(pkt));
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_AMPLIFICATION);
	assert_int_equal(rg_relay_server_endpoint_count(h->s), 0);
	/* More addresses, more padding needed. */
	two[0] = h->relay_addr;
	addr6(&two[1], 1, 7777);
	assert_int_equal(rg_relay_server_set_addrs(h->s, two, 2, &err), 0);
	n = request(&h->a, &h->b, 3, pkt, sizeof(pkt));
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_AMPLIFICATION);
	n = build_request(&h->a, &h->a.lt, &h->a.pub, &h->b.pub, 4,
			  RESP1 + 18 - RG_DISCO_OVERHEAD, pkt, sizeof(pkt));
	assert_int_equal(h_send(h, &h->a.addr, pkt, n), RG_RELAY_REPLY);
	assert_int_equal(h->act.len, n);
	/* Oversized requests are not opened. */
	n = build_request(&h->a, &h->a.lt, &h->a.pub, &h->b.pub, 5, RG_RELAY_CONTROL_MAX,
			  pkt, sizeof(pkt));
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_OVERSIZE);
	/* An out buffer too small for the response. */
	n = request(&h->a, &h->c, 6, pkt, sizeof(pkt));
	n = build_request(&h->a, &h->a.lt, &h->a.pub, &h->c.pub, 6, 300, pkt, sizeof(pkt));
	assert_int_equal(rg_relay_server_handle_packet(h->s, &h->a.addr, pkt, n, h->now, h->out,
						       100, &h->act), RG_RELAY_DROP);
	assert_int_equal(h->act.reason, RG_RELAY_DROP_NO_SPACE);
	assert_int_equal(rg_relay_server_endpoint_count(h->s), 1);
	h_free(h);
}

/* R4 for allocation: replays from another address get nothing; the same
 * address gets the same endpoint; stale generations get nothing. */
static void test_request_replay(void **state)
{
	struct harness *h = h_new(NULL);
	const struct rg_relay_counters *ct = rg_relay_server_counters(h->s);
	struct rg_addrport attacker;
	struct rg_disco_msg m;
	uint8_t req[512], plain[512], old[512];
	size_t n, no;

	(void)state;
	addr4(&attacker, 99, 9999);
	n = request(&h->a, &h->b, 10, req, sizeof(req));
	assert_int_equal(h_send(h, &h->a.addr, req, n), RG_RELAY_REPLY);
	for (int i = 0; i < 1000; i++)
		expect_drop(h, &attacker, req, n, RG_RELAY_DROP_REPLAY);
	/* The client's retransmission: the same endpoint. */
	h->now += 3 * RG_RELAY_SECOND;
	assert_int_equal(h_send(h, &h->a.addr, req, n), RG_RELAY_REPLY);
	open_response(h, &h->a, &h->a.lt, &h->lt_pub, n, &m, plain, sizeof(plain));
	assert_int_equal(m.u.alloc_resp.ep.vni, 1);
	assert_int_equal(m.u.alloc_resp.ep.lamport_id, 1);
	assert_int_equal(ct->allocations, 1);
	/* A newer generation for another peer; then older ones are stale. */
	no = request(&h->a, &h->b, 9, old, sizeof(old));
	n = request(&h->a, &h->c, 11, req, sizeof(req));
	assert_int_equal(h_send(h, &h->a.addr, req, n), RG_RELAY_REPLY);
	expect_drop(h, &h->a.addr, old, no, RG_RELAY_DROP_STALE_GENERATION);
	/* Once the endpoint expired, replaying the old request (even from the
	 * original address) does not create a new one. */
	n = request(&h->a, &h->b, 10, req, sizeof(req));
	h->now += 60 * RG_RELAY_SECOND;
	assert_int_equal(rg_relay_server_reclaim(h->s, h->now), 2);
	for (int i = 0; i < 1000; i++) {
		expect_drop(h, &h->a.addr, req, n, RG_RELAY_DROP_STALE_GENERATION);
		expect_drop(h, &attacker, req, n, RG_RELAY_DROP_STALE_GENERATION);
	}
	assert_int_equal(rg_relay_server_endpoint_count(h->s), 0);
	assert_int_equal(ct->allocations, 2);
	/* A fresh generation works. */
	n = request(&h->a, &h->b, 12, req, sizeof(req));
	assert_int_equal(h_send(h, &h->a.addr, req, n), RG_RELAY_REPLY);
	/* Generations are compared as serial numbers (wrap-around). */
	n = request(&h->a, &h->b, 0xfffffff0u, req, sizeof(req));
	expect_drop(h, &h->a.addr, req, n, RG_RELAY_DROP_STALE_GENERATION);
	h_free(h);
}

static void two_longterm(struct rg_relay_config *c)
{
	assert_int_equal(rg_disco_private_generate(&c->longterm[1]), 0);
	c->n_longterm = 2;
}

/* The response is sealed with the long-term key the request was sealed to. */
static void test_second_longterm_key(void **state)
{
	struct harness *h = h_new(two_longterm);
	const struct rg_disco_key *lt2 = rg_relay_server_longterm(h->s, 1);
	struct rg_disco_shared k2;
	struct rg_disco_msg m;
	uint8_t pkt[512], plain[512];
	size_t n;

	(void)state;
	assert_non_null(lt2);
	assert_null(rg_relay_server_longterm(h->s, 2));
	assert_int_equal(rg_disco_shared_compute(&h->a.priv, lt2, &k2), 0);
	n = build_request(&h->a, &k2, &h->a.pub, &h->b.pub, 1, RESP1 - RG_DISCO_OVERHEAD, pkt,
			  sizeof(pkt));
	assert_int_equal(h_send(h, &h->a.addr, pkt, n), RG_RELAY_REPLY);
	open_response(h, &h->a, &k2, lt2, n, &m, plain, sizeof(plain));
	/* And the first key still works. */
	n = request(&h->a, &h->b, 2, pkt, sizeof(pkt));
	assert_int_equal(h_send(h, &h->a.addr, pkt, n), RG_RELAY_REPLY);
	open_response(h, &h->a, &h->a.lt, &h->lt_pub, n, &m, plain, sizeof(plain));
	h_free(h);
}

static void test_truncated_requests(void **state)
{
	struct harness *h = h_new(NULL);
	uint8_t pkt[512];
	size_t n = request(&h->a, &h->b, 1, pkt, sizeof(pkt));

	(void)state;
	for (size_t k = RG_DISCO_MAGIC_LEN; k < n; k++) {
		uint8_t *cp = test_malloc(k);

		memcpy(cp, pkt, k);
		expect_drop(h, &h->a.addr, cp, k,
			    k < RG_DISCO_OVERHEAD ? RG_RELAY_DROP_DISCO_SHORT : RG_RELAY_DROP_BAD_BOX);
		test_free(cp);
	}
	assert_int_equal(rg_relay_server_endpoint_count(h->s), 0);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allocate_over_udp),
		cmocka_unit_test(test_unknown_sender_no_crypto),
		cmocka_unit_test(test_disabled),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_amplification),
		cmocka_unit_test(test_request_replay),
		cmocka_unit_test(test_second_longterm_key),
		cmocka_unit_test(test_truncated_requests),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Runs (GRO super-packets): rg_relay_server_handle_run does what the same
 * number of handle_packet calls would, verdict and counters alike. */
#include "relay_harness.h"

/* A bound session on a fresh harness; returns its VNI. */
static uint32_t bound(struct harness *h)
{
	uint32_t vni = h_alloc(h, &h->a, &h->b);

	h_handshake(h, &h->a, &h->b, vni, 1);
	h_handshake(h, &h->b, &h->a, vni, 1);
	return vni;
}

static void test_run_equals_packets(void **state)
{
	struct harness *h1 = h_new(NULL), *h2 = h_new(NULL);
	uint8_t pkt[64];
	struct rg_relay_session s1, s2;
	struct rg_relay_action act;
	uint32_t v1, v2;
	size_t n;

	(void)state;
	/* Same keys on both servers' clients do not matter: compare counters. */
	v1 = bound(h1);
	v2 = bound(h2);
	assert_int_equal(v1, v2);
	n = build_data(v1, RG_GENEVE_PROTO_WIREGUARD, "0123456789", 10, pkt);
	assert_true(rg_relay_run_eligible(pkt, n));
	for (int i = 0; i < 7; i++)
		assert_int_equal(h_send(h1, &h1->a.addr, pkt, n), RG_RELAY_FORWARD);
	assert_int_equal(rg_relay_server_handle_run(h2->s, &h2->a.addr, pkt, 7, 7 * n - 3, h2->now,
						    &act), RG_RELAY_FORWARD);
	assert_true(rg_addrport_equal(&act.to, &h2->b.addr));
	session(h1, v1, &s1);
	session(h2, v2, &s2);
	assert_int_equal(s2.leg[0].packets + s2.leg[1].packets, 7);
	assert_int_equal(s1.leg[0].packets + s1.leg[1].packets, 7);
	assert_int_equal(rg_relay_server_counters(h2->s)->forwarded_packets[0][0], 7);
	assert_int_equal(rg_relay_server_counters(h2->s)->forwarded_bytes[0][0], 7 * n - 3);
	/* From elsewhere: all dropped, counted once each. */
	assert_int_equal(rg_relay_server_handle_run(h2->s, &h2->c.addr, pkt, 5, 5 * n, h2->now, &act),
			 RG_RELAY_DROP);
	assert_int_equal(act.reason, RG_RELAY_DROP_UNKNOWN_SRC);
	assert_int_equal(rg_relay_server_counters(h2->s)->dropped[RG_RELAY_DROP_UNKNOWN_SRC], 5);
	/* An unknown VNI, a bad header: the same. */
	n = build_data(v1 + 1, RG_GENEVE_PROTO_WIREGUARD, "x", 1, pkt);
	assert_int_equal(rg_relay_server_handle_run(h2->s, &h2->a.addr, pkt, 3, 3 * n, h2->now, &act),
			 RG_RELAY_DROP);
	assert_int_equal(rg_relay_server_counters(h2->s)->dropped[RG_RELAY_DROP_UNKNOWN_VNI], 3);
	n = build_data(v1, 0x0800, "x", 1, pkt);
	assert_int_equal(rg_relay_server_handle_run(h2->s, &h2->a.addr, pkt, 2, 2 * n, h2->now, &act),
			 RG_RELAY_DROP);
	assert_int_equal(rg_relay_server_counters(h2->s)->dropped[RG_RELAY_DROP_DATA_PROTO], 2);
	/* Past the steady lifetime: expired, as single packets would be. */
	h2->now += RG_RELAY_DEFAULT_STEADY_LIFETIME + 1;
	n = build_data(v1, RG_GENEVE_PROTO_WIREGUARD, "x", 1, pkt);
	assert_int_equal(rg_relay_server_handle_run(h2->s, &h2->a.addr, pkt, 4, 4 * n, h2->now, &act),
			 RG_RELAY_DROP);
	assert_int_equal(act.reason, RG_RELAY_DROP_EXPIRED);
	assert_int_equal(rg_relay_server_counters(h2->s)->dropped[RG_RELAY_DROP_EXPIRED], 4);
	h_free(h1);
	h_free(h2);
}

/* Only Geneve data headers can be runs; control, STUN and disco cannot. */
static void test_eligibility(void **state)
{
	struct harness *h = h_new(NULL);
	uint8_t pkt[256];
	size_t n;

	(void)state;
	n = build_data(5, RG_GENEVE_PROTO_DISCO, "abc", 3, pkt);
	assert_true(rg_relay_run_eligible(pkt, n));
	n = build_control(&h->a, RG_DISCO_BIND, 5, 1, &h->b.pub, NULL, pkt, sizeof(pkt));
	assert_false(rg_relay_run_eligible(pkt, n));
	memcpy(pkt, RG_DISCO_MAGIC, RG_DISCO_MAGIC_LEN);
	assert_false(rg_relay_run_eligible(pkt, n));
	memset(pkt, 0, 20);
	pkt[1] = 0x01;
	pkt[4] = 0x21, pkt[5] = 0x12, pkt[6] = 0xa4, pkt[7] = 0x42;
	assert_false(rg_relay_run_eligible(pkt, 20));
	assert_false(rg_relay_run_eligible(pkt, 7));
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_equals_packets),
		cmocka_unit_test(test_eligibility),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

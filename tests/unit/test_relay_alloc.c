/*
 * Relay server: allocation (idempotency, pair rules, R2/R3 refusals), VNI
 * selection (Tailscale TestServer_getNextVNILocked), quotas (R8), lifetimes
 * with an injected clock (R9, TestServer_endpointGC), gauges, revalidation.
 */
#include "relay_harness.h"

static enum rg_relay_drop alloc3(struct harness *h, const struct rg_disco_key *req,
				 const struct rg_disco_key *a, const struct rg_disco_key *b,
				 bool allowed, struct rg_relay_endpoint_info *info)
{
	return rg_relay_server_allocate(h->s, req, a, b, allowed, h->now, info);
}

static void test_idempotent(void **state)
{
	struct harness *h = h_new(NULL);
	struct rg_relay_endpoint_info i1, i2, i3;
	const struct rg_disco_key *lo, *hi;

	(void)state;
	assert_int_equal(alloc3(h, &h->a.pub, &h->a.pub, &h->b.pub, true, &i1), 0);
	assert_true(i1.created);
	assert_int_equal(i1.vni, 1);
	assert_int_equal(i1.lamport_id, 1);
	assert_true(i1.bind_lifetime_ns == 30 * RG_RELAY_SECOND);
	assert_true(i1.steady_lifetime_ns == 300 * RG_RELAY_SECOND);
	assert_true(rg_disco_key_equal(&i1.server_disco, rg_relay_server_disco(h->s)));
	assert_false(rg_disco_key_equal(&i1.server_disco, &h->lt_pub));
	assert_int_equal(i1.n_addrs, 1);
	assert_true(rg_addrport_equal(&i1.addrs[0], &h->relay_addr));
	/* Sorted: lexicographically smaller key first, whatever the order given. */
	lo = rg_disco_key_compare(&h->a.pub, &h->b.pub) < 0 ? &h->a.pub : &h->b.pub;
	hi = lo == &h->a.pub ? &h->b.pub : &h->a.pub;
	assert_true(rg_disco_key_equal(&i1.client[0], lo));
	assert_true(rg_disco_key_equal(&i1.client[1], hi));
	/* Again, reversed, and by the other participant: the same endpoint. */
	h->now += 10 * RG_RELAY_SECOND;
	assert_int_equal(alloc3(h, &h->a.pub, &h->b.pub, &h->a.pub, true, &i2), 0);
	assert_int_equal(alloc3(h, &h->b.pub, &h->a.pub, &h->b.pub, true, &i3), 0);
	assert_false(i2.created);
	assert_false(i3.created);
	i2.created = i3.created = true;
	assert_memory_equal(&i1, &i2, sizeof(i1));
	assert_memory_equal(&i1, &i3, sizeof(i1));
	/* After a handshake too. */
	h_handshake(h, &h->a, &h->b, i1.vni, 1);
	h_handshake(h, &h->b, &h->a, i1.vni, 1);
	assert_int_equal(alloc3(h, &h->b.pub, &h->b.pub, &h->a.pub, true, &i2), 0);
	i2.created = true;
	assert_memory_equal(&i1, &i2, sizeof(i1));
	/* Re-allocation never extends the bind lifetime (allocatedAt is fixed)
	 * nor resets bindings. */
	{
		struct rg_relay_session ss;

		session(h, i1.vni, &ss);
		assert_true(ss.allocated_at == T0);
		assert_true(ss.leg[0].bound && ss.leg[1].bound);
		assert_true(rg_disco_key_equal(&ss.requester, &h->a.pub));
	}
	/* A new pair gets the next VNI and LamportID. */
	assert_int_equal(alloc3(h, &h->a.pub, &h->a.pub, &h->c.pub, true, &i2), 0);
	assert_int_equal(i2.vni, 2);
	assert_int_equal(i2.lamport_id, 2);
	assert_int_equal(rg_relay_server_counters(h->s)->allocations, 2);
	assert_int_equal(rg_relay_server_counters(h->s)->allocations_reused, 3);
	/* Candidate addresses are the current ones. */
	{
		struct rg_addrport two[2];
		struct rg_err err;

		addr6(&two[0], 1, 7777);
		two[1] = h->relay_addr;
		assert_int_equal(rg_relay_server_set_addrs(h->s, two, 2, &err), 0);
		assert_int_equal(alloc3(h, &h->a.pub, &h->a.pub, &h->b.pub, true, &i3), 0);
		assert_int_equal(i3.n_addrs, 2);
		assert_true(rg_addrport_equal(&i3.addrs[0], &two[0]));
		assert_int_equal(i3.vni, i1.vni);
	}
	h_free(h);
}

/* R2/R3 refusals: none of them allocates anything. */
static void test_refusals(void **state)
{
	struct harness *h = h_new(NULL);
	const struct rg_relay_counters *ct = rg_relay_server_counters(h->s);
	struct rg_relay_endpoint_info info;
	struct rg_disco_key weak;
	struct rg_err err;

	(void)state;
	/* Requester not in the pair. */
	assert_int_equal(alloc3(h, &h->c.pub, &h->a.pub, &h->b.pub, true, &info),
			 RG_RELAY_DROP_NOT_PARTICIPANT);
	/* (X, X). */
	assert_int_equal(alloc3(h, &h->a.pub, &h->a.pub, &h->a.pub, true, &info),
			 RG_RELAY_DROP_SAME_PAIR);
	/* A pair naming the relay's own keys. */
	assert_int_equal(alloc3(h, &h->a.pub, &h->a.pub, rg_relay_server_disco(h->s), true, &info),
			 RG_RELAY_DROP_RELAY_KEY);
	assert_int_equal(alloc3(h, &h->a.pub, &h->lt_pub, &h->a.pub, true, &info),
			 RG_RELAY_DROP_RELAY_KEY);
	/* Every weak key, in either slot, as peer or requester. */
	for (size_t i = 0; i < RG_DISCO_WEAK_KEY_COUNT; i++) {
		rg_disco_weak_key(i, &weak);
		assert_int_equal(alloc3(h, &h->a.pub, &h->a.pub, &weak, true, &info),
				 RG_RELAY_DROP_WEAK_KEY);
		assert_int_equal(alloc3(h, &h->a.pub, &weak, &h->a.pub, true, &info),
				 RG_RELAY_DROP_WEAK_KEY);
		assert_int_equal(alloc3(h, &weak, &weak, &h->a.pub, true, &info),
				 RG_RELAY_DROP_WEAK_KEY);
	}
	/* Authorization refused. */
	assert_int_equal(alloc3(h, &h->a.pub, &h->a.pub, &h->b.pub, false, &info),
			 RG_RELAY_DROP_NOT_ALLOWED);
	/* No candidate address: clients could not parse the response. */
	assert_int_equal(rg_relay_server_set_addrs(h->s, NULL, 0, &err), 0);
	assert_int_equal(alloc3(h, &h->a.pub, &h->a.pub, &h->b.pub, true, &info),
			 RG_RELAY_DROP_NOT_READY);
	assert_int_equal(rg_relay_server_endpoint_count(h->s), 0);
	assert_int_equal(ct->allocations, 0);
	assert_int_equal(ct->key_agreements, 0);
	assert_int_equal(ct->dropped[RG_RELAY_DROP_WEAK_KEY], 3 * RG_DISCO_WEAK_KEY_COUNT);
	/* Bad address lists are refused. */
	{
		struct rg_addrport many[RG_RELAY_MAX_ADDRS + 1], zero;

		memset(many, 0, sizeof(many));
		memset(&zero, 0, sizeof(zero));
		assert_int_equal(rg_relay_server_set_addrs(h->s, many, RG_RELAY_MAX_ADDRS + 1, &err),
				 -1);
		assert_int_equal(rg_relay_server_set_addrs(h->s, &zero, 1, &err), -1);
	}
	h_free(h);
}

static void small_vni_range(struct rg_relay_config *c)
{
	c->vni_min = 5;
	c->vni_max = 7;
}

/* TestServer_getNextVNILocked in a small range: sequential, never 0,
 * skips VNIs in use, wraps, reports exhaustion, recovers. */
static void test_vni_selection(void **state)
{
	struct harness *h = h_new(small_vni_range);
	struct rg_relay_endpoint_info info;
	struct client x[5];

	(void)state;
	for (int i = 0; i < 5; i++) {
		client_init(h, &x[i], (uint8_t)(40 + i), 4000);
		client_learn(h, &x[i]);
	}
	assert_int_equal(h_alloc(h, &x[0], &h->a), 5);
	assert_int_equal(h_alloc(h, &x[1], &h->a), 6);
	assert_int_equal(h_alloc(h, &x[2], &h->a), 7);
	assert_int_equal(alloc3(h, &x[3].pub, &x[3].pub, &h->a.pub, true, &info),
			 RG_RELAY_DROP_VNI_EXHAUSTED);
	/* Free VNI 6 (let its endpoint expire with the others alive). */
	h->now += 20 * RG_RELAY_SECOND;
	h_handshake(h, &x[0], &h->a, 5, 1);
	h_handshake(h, &h->a, &x[0], 5, 1);
	h_handshake(h, &x[2], &h->a, 7, 1);
	h_handshake(h, &h->a, &x[2], 7, 1);
	h->now = T0 + 30 * RG_RELAY_SECOND + 1;
	assert_int_equal(rg_relay_server_reclaim(h->s, h->now), 1);
	assert_int_equal(rg_relay_server_session(h->s, 6, &(struct rg_relay_session){ 0 }), -1);
	/* The counter had wrapped to 5: 5 is in use, 6 is free. */
	assert_int_equal(h_alloc(h, &x[3], &h->a), 6);
	assert_int_equal(alloc3(h, &x[4].pub, &x[4].pub, &h->a.pub, true, &info),
			 RG_RELAY_DROP_VNI_EXHAUSTED);
	h_free(h);
}

static void test_vni_default_range(void **state)
{
	struct harness *h = h_new(NULL);

	(void)state;
	/* Starts at 1, never 0. */
	assert_int_equal(h_alloc(h, &h->a, &h->b), 1);
	assert_int_equal(h_alloc(h, &h->a, &h->c), 2);
	h_free(h);
}

static _Atomic uint64_t shared_clock;

static void use_shared_clock(struct rg_relay_config *c)
{
	c->lamport_clock = &shared_clock;
}

/* Servers sharding one relay draw LamportIDs from one clock: unique and
 * increasing across them, so clients keeping the highest see the newest. */
static void test_shared_lamport_clock(void **state)
{
	struct harness *h1 = h_new(use_shared_clock), *h2 = h_new(use_shared_clock);
	struct rg_relay_endpoint_info info;

	(void)state;
	atomic_store(&shared_clock, 0);
	assert_int_equal(rg_relay_server_allocate(h1->s, &h1->a.pub, &h1->a.pub, &h1->b.pub, true,
						  h1->now, &info), RG_RELAY_DROP_NONE);
	assert_int_equal(info.lamport_id, 1);
	assert_int_equal(rg_relay_server_allocate(h2->s, &h2->a.pub, &h2->a.pub, &h2->b.pub, true,
						  h2->now, &info), RG_RELAY_DROP_NONE);
	assert_int_equal(info.lamport_id, 2);
	/* A repeat keeps its ID; the next new endpoint takes the next one. */
	assert_int_equal(rg_relay_server_allocate(h1->s, &h1->a.pub, &h1->a.pub, &h1->b.pub, true,
						  h1->now, &info), RG_RELAY_DROP_NONE);
	assert_int_equal(info.lamport_id, 1);
	assert_int_equal(rg_relay_server_allocate(h1->s, &h1->a.pub, &h1->a.pub, &h1->c.pub, true,
						  h1->now, &info), RG_RELAY_DROP_NONE);
	assert_int_equal(info.lamport_id, 3);
	assert_int_equal(atomic_load(&shared_clock), 3);
	h_free(h1);
	h_free(h2);
}

static void small_quotas(struct rg_relay_config *c)
{
	c->max_endpoints = 6;
	c->max_per_requester = 4;
	c->max_connecting_per_requester = 2;
}

/* R8: per-requester and global quotas. */
static void test_quotas(void **state)
{
	struct harness *h = h_new(small_quotas);
	const struct rg_relay_counters *ct = rg_relay_server_counters(h->s);
	struct rg_relay_endpoint_info info;
	struct client x[8];

	(void)state;
	for (int i = 0; i < 8; i++) {
		client_init(h, &x[i], (uint8_t)(40 + i), 4000);
		client_learn(h, &x[i]);
	}
	/* Two unbound endpoints for A, then the connecting quota. */
	assert_int_equal(h_alloc(h, &h->a, &x[0]), 1);
	assert_int_equal(h_alloc(h, &h->a, &x[1]), 2);
	assert_int_equal(alloc3(h, &h->a.pub, &h->a.pub, &x[2].pub, true, &info),
			 RG_RELAY_DROP_QUOTA_CONNECTING);
	/* Repeats of existing pairs are not charged. */
	assert_int_equal(alloc3(h, &h->a.pub, &h->a.pub, &x[1].pub, true, &info), 0);
	/* Once one is open, another may connect. */
	h_handshake(h, &h->a, &x[0], 1, 1);
	h_handshake(h, &x[0], &h->a, 1, 1);
	assert_int_equal(ct->endpoints[RG_RELAY_EP_OPEN], 1);
	assert_int_equal(h_alloc(h, &h->a, &x[2]), 3);
	h_handshake(h, &h->a, &x[1], 2, 1);
	h_handshake(h, &x[1], &h->a, 2, 1);
	assert_int_equal(h_alloc(h, &h->a, &x[3]), 4);
	/* Four endpoints charged to A: the per-requester quota. */
	assert_int_equal(alloc3(h, &h->a.pub, &h->a.pub, &x[4].pub, true, &info),
			 RG_RELAY_DROP_QUOTA_REQUESTER);
	/* Others may still allocate, up to the global quota of 6. */
	assert_int_equal(h_alloc(h, &h->b, &x[4]), 5);
	assert_int_equal(h_alloc(h, &h->b, &x[5]), 6);
	assert_int_equal(alloc3(h, &h->c.pub, &h->c.pub, &x[6].pub, true, &info),
			 RG_RELAY_DROP_QUOTA_GLOBAL);
	assert_int_equal(rg_relay_server_endpoint_count(h->s), 6);
	/* Everything unbound is reclaimed 30 s (+ 1 ns) after allocation. */
	h->now = T0 + 30 * RG_RELAY_SECOND + 1;
	assert_int_equal(rg_relay_server_reclaim(h->s, h->now), 4);
	assert_int_equal(rg_relay_server_endpoint_count(h->s), 2);
	assert_int_equal(ct->endpoints[RG_RELAY_EP_CONNECTING], 0);
	assert_int_equal(ct->endpoints[RG_RELAY_EP_OPEN], 2);
	assert_int_equal(h_alloc(h, &h->a, &x[4]), 7);
	assert_int_equal(ct->dropped[RG_RELAY_DROP_QUOTA_REQUESTER], 1);
	assert_int_equal(ct->dropped[RG_RELAY_DROP_QUOTA_CONNECTING], 1);
	assert_int_equal(ct->dropped[RG_RELAY_DROP_QUOTA_GLOBAL], 1);
	h_free(h);
}

/* TestServer_endpointGC, exactly at the boundaries. */
static void test_lifetimes(void **state)
{
	struct harness *h = h_new(NULL);
	const struct rg_relay_counters *ct = rg_relay_server_counters(h->s);
	struct rg_relay_endpoint_info info;
	struct rg_relay_session ss;
	uint8_t pkt[256];
	size_t n;
	uint32_t vni;

	(void)state;
	/* Unbound: alive at exactly 30 s, gone 1 ns later. */
	vni = h_alloc(h, &h->a, &h->b);
	h->now = T0 + 30 * RG_RELAY_SECOND;
	assert_int_equal(rg_relay_server_reclaim(h->s, h->now), 0);
	h_handshake(h, &h->a, &h->b, vni, 1); /* one leg only */
	h->now++;
	n = build_control(&h->b, RG_DISCO_BIND, vni, 1, &h->a.pub, NULL, pkt, sizeof(pkt));
	expect_drop(h, &h->b.addr, pkt, n, RG_RELAY_DROP_EXPIRED);
	assert_int_equal(rg_relay_server_reclaim(h->s, h->now), 1);
	assert_int_equal(ct->expired, 1);
	assert_int_equal(ct->endpoints[RG_RELAY_EP_CONNECTING], 0);
	/* A new allocation of the pair is a fresh endpoint. */
	assert_int_equal(alloc3(h, &h->a.pub, &h->a.pub, &h->b.pub, true, &info), 0);
	assert_true(info.created);
	assert_int_equal(info.vni, 2);
	assert_int_equal(info.lamport_id, 2);
	vni = info.vni;
	/* Bound: each leg must be heard from within 5 min. */
	h_handshake(h, &h->a, &h->b, vni, 1);
	h_handshake(h, &h->b, &h->a, vni, 1);
	n = build_data(vni, RG_GENEVE_PROTO_WIREGUARD, "x", 1, pkt);
	h->now += 300 * RG_RELAY_SECOND; /* both idle exactly 5 min: still open */
	assert_int_equal(rg_relay_server_reclaim(h->s, h->now), 0);
	assert_int_equal(h_send(h, &h->a.addr, pkt, n), RG_RELAY_FORWARD);
	h->now += 1; /* B idle 5 min + 1 ns: closed, although A just spoke */
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_EXPIRED);
	session(h, vni, &ss);
	assert_int_equal(ss.state, RG_RELAY_EP_OPEN);
	assert_int_equal(rg_relay_server_reclaim(h->s, h->now), 1);
	assert_int_equal(ct->endpoints[RG_RELAY_EP_OPEN], 0);
	assert_int_equal(rg_relay_server_endpoint_count(h->s), 0);
	/* Kept: traffic from both legs keeps it open indefinitely. */
	vni = h_alloc(h, &h->a, &h->b);
	h_handshake(h, &h->a, &h->b, vni, 1);
	h_handshake(h, &h->b, &h->a, vni, 1);
	n = build_data(vni, RG_GENEVE_PROTO_WIREGUARD, "x", 1, pkt);
	for (int i = 0; i < 10; i++) {
		h->now += 200 * RG_RELAY_SECOND;
		assert_int_equal(h_send(h, &h->a.addr, pkt, n), RG_RELAY_FORWARD);
		assert_int_equal(h_send(h, &h->b.addr, pkt, n), RG_RELAY_FORWARD);
		assert_int_equal(rg_relay_server_reclaim(h->s, h->now), 0);
	}
	/* The clock going backwards never expires anything. */
	assert_int_equal(rg_relay_server_reclaim(h->s, 0), 0);
	assert_int_equal(rg_relay_server_reclaim(h->s, INT64_MIN), 0);
	assert_int_equal(rg_relay_server_reclaim(h->s, INT64_MAX), 1);
	h_free(h);
}

/* Gauge transitions: closed -> connecting -> open -> closed. */
static void test_gauges(void **state)
{
	struct harness *h = h_new(NULL);
	const struct rg_relay_counters *ct = rg_relay_server_counters(h->s);
	uint32_t v1, v2;

	(void)state;
	v1 = h_alloc(h, &h->a, &h->b);
	v2 = h_alloc(h, &h->a, &h->c);
	assert_int_equal(ct->endpoints[RG_RELAY_EP_CONNECTING], 2);
	h_handshake(h, &h->a, &h->b, v1, 1);
	h_handshake(h, &h->b, &h->a, v1, 1);
	assert_int_equal(ct->endpoints[RG_RELAY_EP_CONNECTING], 1);
	assert_int_equal(ct->endpoints[RG_RELAY_EP_OPEN], 1);
	/* Re-binding an open leg keeps it open. */
	h_handshake(h, &h->b, &h->a, v1, 2);
	assert_int_equal(ct->endpoints[RG_RELAY_EP_OPEN], 1);
	(void)v2;
	h->now += 31 * RG_RELAY_SECOND;
	assert_int_equal(rg_relay_server_reclaim(h->s, h->now), 1);
	assert_int_equal(ct->endpoints[RG_RELAY_EP_CONNECTING], 0);
	assert_int_equal(ct->endpoints[RG_RELAY_EP_OPEN], 1);
	assert_string_equal(rg_relay_ep_state_name(RG_RELAY_EP_CONNECTING), "connecting");
	assert_string_equal(rg_relay_ep_state_name(RG_RELAY_EP_OPEN), "open");
	assert_string_equal(rg_relay_transport_name(RG_RELAY_UDP6), "udp6");
	h_free(h);
}

/* After a policy reload, endpoints whose requester lost the grant close. */
static void test_revalidate(void **state)
{
	struct harness *h = h_new(NULL);
	struct rg_relay_auth auth = { h_is_known, h_allowed, h };
	uint32_t vni;

	(void)state;
	vni = h_alloc(h, &h->a, &h->b);
	h_alloc(h, &h->b, &h->c);
	assert_int_equal(rg_relay_server_revalidate(h->s), 0);
	/* Revoke A (it disappears from the table). */
	h->known[0] = h->c.pub;
	rg_relay_server_set_auth(h->s, &auth);
	assert_int_equal(rg_relay_server_revalidate(h->s), 1);
	assert_int_equal(rg_relay_server_session(h->s, vni, &(struct rg_relay_session){ 0 }), -1);
	assert_int_equal(rg_relay_server_endpoint_count(h->s), 1);
	h->deny = true;
	assert_int_equal(rg_relay_server_revalidate(h->s), 1);
	assert_int_equal(rg_relay_server_counters(h->s)->revoked, 2);
	h_free(h);
}

static void test_drop_names(void **state)
{
	(void)state;
	for (int r = 0; r < RG_RELAY_DROP_COUNT; r++) {
		const char *n = rg_relay_drop_name((enum rg_relay_drop)r);

		assert_string_not_equal(n, "unknown");
		for (int q = 0; q < r; q++)
			assert_string_not_equal(n, rg_relay_drop_name((enum rg_relay_drop)q));
	}
	assert_string_equal(rg_relay_drop_name(RG_RELAY_DROP_COUNT), "unknown");
	assert_string_equal(rg_relay_drop_name(RG_RELAY_DROP_NOT_BOUND), "not_bound");
}

static void test_config_checks(void **state)
{
	struct rg_relay_config c;
	struct rg_err err;

	(void)state;
	rg_relay_config_init(&c);
	assert_null(rg_relay_server_new(&c, &err)); /* no long-term key */
	assert_int_equal(rg_disco_private_generate(&c.longterm[0]), 0);
	c.n_longterm = 1;
	c.vni_min = 0;
	assert_null(rg_relay_server_new(&c, &err));
	c.vni_min = 9;
	c.vni_max = 8;
	assert_null(rg_relay_server_new(&c, &err));
	c.vni_max = 0x1000000;
	assert_null(rg_relay_server_new(&c, &err));
	rg_relay_config_init(&c);
	assert_int_equal(rg_disco_private_generate(&c.longterm[0]), 0);
	c.n_longterm = 1;
	c.bind_lifetime_ns = 0;
	assert_null(rg_relay_server_new(&c, &err));
	c.bind_lifetime_ns = INT64_MAX;
	assert_null(rg_relay_server_new(&c, &err));
	c.bind_lifetime_ns = RG_RELAY_SECOND;
	c.max_endpoints = 0;
	assert_null(rg_relay_server_new(&c, &err));
	c.max_endpoints = 1;
	/* A fixed server disco key equal to the long-term key is refused. */
	c.fixed_server_disco = true;
	c.server_disco = c.longterm[0];
	assert_null(rg_relay_server_new(&c, &err));
	rg_relay_config_wipe(&c);
	rg_relay_server_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idempotent),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_vni_selection),
		cmocka_unit_test(test_vni_default_range),
		cmocka_unit_test(test_shared_lamport_clock),
		cmocka_unit_test(test_quotas),
		cmocka_unit_test(test_lifetimes),
		cmocka_unit_test(test_gauges),
		cmocka_unit_test(test_revalidate),
		cmocka_unit_test(test_drop_names),
		cmocka_unit_test(test_config_checks),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

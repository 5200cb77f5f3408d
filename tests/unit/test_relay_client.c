/* The sans-I/O client against the server state machine: allocate over
 * UDP, bind both legs, disco ping and pong through the relay. */
#include "relay_harness.h"

#include "relaygate/relay_client.h"

struct pair {
	struct rg_relay_client a, b;
};

static void pair_init(struct harness *h, struct pair *p)
{
	assert_int_equal(rg_relay_client_init(&p->a, &h->a.priv, &h->lt_pub, &h->b.pub), 0);
	assert_int_equal(rg_relay_client_init(&p->b, &h->b.priv, &h->lt_pub, &h->a.pub), 0);
}

static void allocate(struct harness *h, struct pair *p, uint32_t gen,
		     struct rg_relay_endpoint_info *info)
{
	uint8_t pkt[RG_RELAY_CLIENT_PACKET_MAX];
	size_t n;

	assert_int_equal(rg_relay_client_alloc_request(&p->a, gen, pkt, sizeof(pkt), &n), 0);
	/* Padded to pay for the largest response. */
	assert_int_equal(n, RG_RELAY_REPLY_MAX);
	assert_int_equal(h_send(h, &h->a.addr, pkt, n), RG_RELAY_REPLY);
	assert_int_equal(rg_relay_client_alloc_response(&p->a, h->out, h->act.len, gen + 1, info),
			 RG_DISCO_ERR_INVALID);
	assert_int_equal(rg_relay_client_alloc_response(&p->a, h->out, h->act.len, gen, info), 0);
	assert_true(rg_disco_key_equal(&info->server_disco, rg_relay_server_disco(h->s)));
	assert_int_equal(info->n_addrs, 1);
	assert_true(rg_addrport_equal(&info->addrs[0], &h->relay_addr));
}

static void bind_leg(struct harness *h, struct rg_relay_client *c, const struct rg_addrport *src,
		     uint32_t vni, uint32_t gen)
{
	uint8_t pkt[RG_RELAY_CLIENT_PACKET_MAX], ch[RG_DISCO_CHALLENGE_LEN];
	size_t n;

	assert_int_equal(rg_relay_client_bind(c, RG_DISCO_BIND, vni, gen, NULL, pkt, sizeof(pkt),
					      &n), 0);
	assert_int_equal(n, 160);
	assert_int_equal(h_send(h, src, pkt, n), RG_RELAY_REPLY);
	assert_int_equal(rg_relay_client_challenge(c, h->out, h->act.len, vni, gen + 1, ch),
			 RG_DISCO_ERR_INVALID);
	assert_int_equal(rg_relay_client_challenge(c, h->out, h->act.len, vni + 1, gen, ch),
			 RG_DISCO_ERR_INVALID);
	assert_int_equal(rg_relay_client_challenge(c, h->out, h->act.len, vni, gen, ch), 0);
	assert_int_equal(rg_relay_client_bind(c, RG_DISCO_BIND_ANSWER, vni, gen, ch, pkt,
					      sizeof(pkt), &n), 0);
	assert_int_equal(h_send(h, src, pkt, n), RG_RELAY_CONSUMED);
}

static void test_session(void **state)
{
	struct harness *h = h_new(NULL);
	struct rg_relay_endpoint_info info;
	struct rg_disco_msg m, got;
	uint8_t pkt[RG_RELAY_CLIENT_PACKET_MAX], plain[256];
	struct pair p;
	size_t n;

	(void)state;
	pair_init(h, &p);
	/* Before learning ServerDisco there is nothing to bind with. */
	assert_int_equal(rg_relay_client_bind(&p.a, RG_DISCO_BIND, 1, 1, NULL, pkt, sizeof(pkt),
					      &n), RG_DISCO_ERR_INVALID);
	allocate(h, &p, 9, &info);
	assert_int_equal(rg_relay_client_set_server(&p.b, &info.server_disco), 0);
	bind_leg(h, &p.a, &h->a.addr, info.vni, 1);
	bind_leg(h, &p.b, &h->b.addr, info.vni, 1);
	/* Ping a -> b through the relay, forwarded verbatim. */
	memset(&m, 0, sizeof(m));
	m.type = RG_DISCO_PING;
	randombytes_buf(m.u.ping.txid, sizeof(m.u.ping.txid));
	assert_int_equal(rg_relay_client_data(&p.a, info.vni, &m, pkt, sizeof(pkt), &n), 0);
	assert_int_equal(h_send(h, &h->a.addr, pkt, n), RG_RELAY_FORWARD);
	assert_true(rg_addrport_equal(&h->act.to, &h->b.addr));
	assert_int_equal(h->act.len, n);
	assert_int_equal(rg_relay_client_open_data(&p.b, pkt, n, info.vni, &got, plain,
						   sizeof(plain)), 0);
	assert_int_equal(got.type, RG_DISCO_PING);
	assert_memory_equal(got.u.ping.txid, m.u.ping.txid, sizeof(m.u.ping.txid));
	/* Not from the peer, or another VNI: refused. */
	assert_int_equal(rg_relay_client_open_data(&p.a, pkt, n, info.vni, &got, plain,
						   sizeof(plain)), RG_DISCO_ERR_INVALID);
	assert_int_equal(rg_relay_client_open_data(&p.b, pkt, n, info.vni + 1, &got, plain,
						   sizeof(plain)), RG_DISCO_ERR_INVALID);
	/* Pong b -> a. */
	m.type = RG_DISCO_PONG;
	memcpy(m.u.pong.txid, got.u.ping.txid, sizeof(m.u.pong.txid));
	m.u.pong.src = h->relay_addr;
	assert_int_equal(rg_relay_client_data(&p.b, info.vni, &m, pkt, sizeof(pkt), &n), 0);
	assert_int_equal(h_send(h, &h->b.addr, pkt, n), RG_RELAY_FORWARD);
	assert_true(rg_addrport_equal(&h->act.to, &h->a.addr));
	assert_int_equal(rg_relay_client_open_data(&p.a, pkt, n, info.vni, &got, plain,
						   sizeof(plain)), 0);
	assert_int_equal(got.type, RG_DISCO_PONG);
	assert_true(rg_addrport_equal(&got.u.pong.src, &h->relay_addr));
	rg_relay_client_wipe(&p.a);
	rg_relay_client_wipe(&p.b);
	h_free(h);
}

/* The raw builder reaches the server's refusals; short requests are
 * dropped (anti-amplification). */
static void test_raw_requests(void **state)
{
	struct harness *h = h_new(NULL);
	uint8_t pkt[RG_RELAY_CLIENT_PACKET_MAX];
	struct pair p;
	size_t n;

	(void)state;
	pair_init(h, &p);
	assert_int_equal(rg_relay_client_alloc_request_raw(&p.a, &h->a.pub, &h->b.pub, 1, 0, pkt,
							   sizeof(pkt), &n), 0);
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_AMPLIFICATION);
	assert_int_equal(rg_relay_client_alloc_request_raw(&p.a, &h->a.pub, &h->a.pub, 2,
							   RG_RELAY_CLIENT_REQUEST_PLAIN, pkt,
							   sizeof(pkt), &n), 0);
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_SAME_PAIR);
	assert_int_equal(rg_relay_client_alloc_request_raw(&p.a, &h->b.pub, &h->c.pub, 3,
							   RG_RELAY_CLIENT_REQUEST_PLAIN, pkt,
							   sizeof(pkt), &n), 0);
	expect_drop(h, &h->a.addr, pkt, n, RG_RELAY_DROP_NOT_PARTICIPANT);
	assert_int_equal(rg_relay_client_alloc_request_raw(&p.a, &h->a.pub, &h->b.pub, 4,
							   RG_RELAY_CLIENT_PACKET_MAX, pkt,
							   sizeof(pkt), &n), RG_DISCO_ERR_SPACE);
	rg_relay_client_wipe(&p.a);
	rg_relay_client_wipe(&p.b);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session),
		cmocka_unit_test(test_raw_requests),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The forwarding decision, and every drop on the way to it, performs no heap
 * allocation. Counts calls by interposing glibc's allocator, which
 * conflicts with ASan's: skipped (77) in the sanitizer build.
 */
#if defined(__SANITIZE_ADDRESS__)
int main(void)
{
	return 77;
}
#else
#include "relay_harness.h"
#include "alloc_count.h"

static void test_forwarding_does_not_allocate(void **state)
{
	struct harness *h = h_new(NULL);
	uint32_t vni = h_alloc(h, &h->a, &h->b);
	uint8_t pkt[1500], payload[1400], stranger[256];
	size_t n, ns;

	(void)state;
	h_handshake(h, &h->a, &h->b, vni, 1);
	h_handshake(h, &h->b, &h->a, vni, 1);
	memset(payload, 0x5a, sizeof(payload));
	n = build_data(vni, RG_GENEVE_PROTO_WIREGUARD, payload, sizeof(payload), pkt);
	ns = build_control(&h->c, RG_DISCO_BIND, vni, 1, &h->a.pub, NULL, stranger,
			   sizeof(stranger));
	assert_true(alloc_count_works());
	counting = true;
	for (int i = 0; i < 10000; i++) {
		bool ok = h_send(h, &h->a.addr, pkt, n) == RG_RELAY_FORWARD &&
			  h_send(h, &h->b.addr, pkt, n) == RG_RELAY_FORWARD &&
			  h_send(h, &h->c.addr, pkt, n) == RG_RELAY_DROP &&
			  h_send(h, &h->c.addr, pkt, 5) == RG_RELAY_DROP &&
			  h_send(h, &h->c.addr, stranger, ns) == RG_RELAY_DROP;

		if (!ok)
			break;
	}
	counting = false;
	assert_int_equal(allocations, 0);
	assert_int_equal(rg_relay_server_counters(h->s)->forwarded_packets[0][0], 20000);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forwarding_does_not_allocate),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
#endif

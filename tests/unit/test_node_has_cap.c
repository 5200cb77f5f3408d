/*
 * relay-vectors.md §8, Tailscale wgengine/magicsock Test_nodeHasCap,
 * through the evaluator: nodeHasCap(filter, src, dst, cap) is true iff the
 * packet filter grants cap from src's address to dst's address.
 *
 * Tailscale's test writes the filter rule directly. Here each case is the
 * policy and inventory that make the control plane send that rule, and the
 * question is asked of the evaluated policy:
 *
 *   Go filter rule on dst:  Srcs [S] -> CapMatch{Dst D, Cap C}
 *   here:                   rg_eval_node_has_cap(e, to = node D, from = node S, C)
 *
 * The relay-target rule (S = the relay, D = the client) is the companion the
 * control plane adds for a grant {src: client, dst: relay, app: cap/relay}:
 * the relay gets cap/relay from the client, the client gets relay-target
 * from the relay, which is what magicsock checks before using a relay.
 *
 * Nodes carry the vector's addresses: only IPv4 in match-v4, only IPv6 in
 * the others. Go decides on one pair, src's first single address that has
 * a dst address of the same family and that dst address, and so does
 * rg_eval_node_has_cap (the relay table's rule); rg_eval_has_cap (the
 * matrix's union) takes any address. With one address per node, as here,
 * they agree; test_first_pair shows where they part on dual-stack nodes.
 * A node that does not exist ("invalid node" in Go) is an
 * address that is in no inventory node: rg_eval_node_by_addr gives
 * RG_EVAL_NONE, which has no capability.
 *
 * Not reproduced, "unsigned-src": Go's nodeHasCap also refuses a src node
 * with UnsignedPeerAPIOnly set (a node from another tailnet, shared in,
 * whose node key is not signed by this tailnet's control plane). The
 * inventory has no such attribute and no foreign nodes: every node in it
 * belongs to the tailnet, so the case has no counterpart here.
 */
#include "table_fixture.h"

#define INGRESS "example.com/cap/ingress"

struct nhc_case {
	const char *name;
	const char *inventory;
	const char *policy;
	const char *src_addr, *dst_addr; /* the nodes asked about, by address */
	const char *cap;
	bool want;
};

/* Tagged nodes (no users needed); tag:relay is the relay, tag:client the requester. */
#define NODES_V4                                                                            \
	"{\"users\": [], \"nodes\": ["                                                       \
	"  {\"name\": \"relay\", \"user\": null, \"tags\": [\"tag:relay\"], \"ips\": [\"2.2.2.2\"]}," \
	"  {\"name\": \"client\", \"user\": null, \"tags\": [\"tag:client\"], \"ips\": [\"1.1.1.1\"]}]}"
#define NODES_V6                                                                            \
	"{\"users\": [], \"nodes\": ["                                                       \
	"  {\"name\": \"relay\", \"user\": null, \"tags\": [\"tag:relay\"], \"ips\": [\"::2\"]},"   \
	"  {\"name\": \"client\", \"user\": null, \"tags\": [\"tag:client\"], \"ips\": [\"::1\"]}," \
	"  {\"name\": \"other\", \"user\": null, \"tags\": [\"tag:other\"], \"ips\": [\"::3\"]}]}"
#define OWNERS "\"tagOwners\": {\"tag:relay\": [], \"tag:client\": [], \"tag:other\": []}"
/* cap/relay for `who` on the relay: the companion gives `who` relay-target from the relay. */
#define RELAY_GRANT(who)                                                                    \
	"{" OWNERS ", \"grants\": [{\"src\": [\"" who "\"], \"dst\": [\"tag:relay\"],"         \
	" \"app\": {\"tailscale.com/cap/relay\": []}}]}"

static const struct nhc_case cases[] = {
	/* 2.2.2.2/32 -> {1.1.1.1/32, relay-target} */
	{ "match-v4", NODES_V4, RELAY_GRANT("tag:client"), "2.2.2.2", "1.1.1.1", RG_CAP_RELAY_TARGET,
	  true },
	/* ::2/128 -> {::1/128, relay-target} */
	{ "match-v6", NODES_V6, RELAY_GRANT("tag:client"), "::2", "::1", RG_CAP_RELAY_TARGET, true },
	/* ::2/128 -> {::3/128, relay-target}: the rule is for another node. */
	{ "no-match-CapMatch-Dst", NODES_V6, RELAY_GRANT("tag:other"), "::2", "::1",
	  RG_CAP_RELAY_TARGET, false },
	/* ::2/128 -> {::1/128, ingress}: another capability. Tailscale's
	 * https://tailscale.com/cap/ingress is not a name a policy may grant,
	 * so a custom capability stands for it. */
	{ "no-match-peer-cap", NODES_V6,
	  "{" OWNERS ", \"grants\": [{\"src\": [\"tag:relay\"], \"dst\": [\"tag:client\"],"
	  " \"app\": {\"" INGRESS "\": []}}]}",
	  "::2", "::1", RG_CAP_RELAY_TARGET, false },
	/* The match-v4 rule; src (3.3.3.3) or dst (4.4.4.4) is no node. */
	{ "nil-src", NODES_V4, RELAY_GRANT("tag:client"), "3.3.3.3", "1.1.1.1", RG_CAP_RELAY_TARGET,
	  false },
	{ "nil-dst", NODES_V4, RELAY_GRANT("tag:client"), "2.2.2.2", "4.4.4.4", RG_CAP_RELAY_TARGET,
	  false },
};

static uint32_t node_at(const struct fixture *f, const char *text)
{
	struct rg_addr a;

	assert_int_equal(rg_addr_parse(text, strlen(text), &a), 0);
	return rg_eval_node_by_addr(f->e, &a);
}

static void test_node_has_cap(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct nhc_case *c = &cases[i];
		struct fixture f;
		uint32_t src, dst;
		bool got;

		if (fixture_load(&f, c->policy, c->inventory) < 0)
			fail_msg("%s: policy or inventory does not validate", c->name);
		src = node_at(&f, c->src_addr);
		dst = node_at(&f, c->dst_addr);
		/* "Invalid node" exactly in the nil cases. */
		assert_int_equal(src == RG_EVAL_NONE, strcmp(c->name, "nil-src") == 0);
		assert_int_equal(dst == RG_EVAL_NONE, strcmp(c->name, "nil-dst") == 0);
		got = rg_eval_node_has_cap(f.e, dst, src, c->cap);
		if (got != c->want)
			fail_msg("%s: got %d, want %d", c->name, got, c->want);
		assert_int_equal(rg_eval_has_cap(f.e, dst, src, c->cap, NULL), got);
		fixture_free(&f);
	}
}

/* The same worlds from the other side: what does hold, so that each false
 * above is for the reason the case names and not a broken fixture. */
static void test_controls(void **state)
{
	struct fixture f;
	uint32_t relay, client, other;

	(void)state;
	/* match-v4: the grant itself (client -> relay, cap/relay), not reversed. */
	assert_int_equal(fixture_load(&f, RELAY_GRANT("tag:client"), NODES_V4), 0);
	relay = node_at(&f, "2.2.2.2");
	client = node_at(&f, "1.1.1.1");
	assert_true(rg_eval_has_cap(f.e, relay, client, RG_CAP_RELAY, NULL));
	assert_false(rg_eval_has_cap(f.e, client, relay, RG_CAP_RELAY, NULL));
	assert_false(rg_eval_has_cap(f.e, relay, client, RG_CAP_RELAY_TARGET, NULL));
	/* Out-of-range indices are no node either. */
	assert_false(rg_eval_has_cap(f.e, client, f.e->nnodes, RG_CAP_RELAY_TARGET, NULL));
	assert_false(rg_eval_has_cap(f.e, f.e->nnodes, relay, RG_CAP_RELAY_TARGET, NULL));
	assert_false(rg_eval_has_cap(f.e, RG_EVAL_NONE, RG_EVAL_NONE, RG_CAP_RELAY_TARGET, NULL));
	fixture_free(&f);

	/* no-match-CapMatch-Dst: relay-target is there, for ::3. */
	assert_int_equal(fixture_load(&f, RELAY_GRANT("tag:other"), NODES_V6), 0);
	relay = node_at(&f, "::2");
	other = node_at(&f, "::3");
	assert_true(rg_eval_has_cap(f.e, other, relay, RG_CAP_RELAY_TARGET, NULL));
	fixture_free(&f);

	/* no-match-peer-cap: ::2 does hold the other capability on ::1. */
	assert_int_equal(fixture_load(&f,
				      "{" OWNERS ", \"grants\": [{\"src\": [\"tag:relay\"], \"dst\": [\"tag:client\"],"
				      " \"app\": {\"" INGRESS "\": []}}]}",
				      NODES_V6), 0);
	relay = node_at(&f, "::2");
	client = node_at(&f, "::1");
	assert_true(rg_eval_has_cap(f.e, client, relay, INGRESS, NULL));
	fixture_free(&f);
}

/*
 * Dual-stack nodes (IPv4 first, as the control plane lists them): Go asks
 * about the IPv4 pair only, so a relay grant naming the requester's IPv6
 * address, or the relay's, authorizes nothing; naming the IPv4 ones does.
 * The compiled table agrees with the evaluator on every pair.
 */
#define NODES_DUAL                                                                          \
	"{\"users\": [], \"nodes\": ["                                                       \
	"  {\"name\": \"relay\", \"user\": null, \"tags\": [\"tag:relay\"],"                   \
	"   \"ips\": [\"100.64.0.2\", \"fd7a:115c:a1e0::2\"], \"disco_key\": \"discokey:"          \
	"2222222222222222222222222222222222222222222222222222222222222222\"},"                   \
	"  {\"name\": \"client\", \"user\": null, \"tags\": [\"tag:client\"],"                 \
	"   \"ips\": [\"100.64.0.1\", \"fd7a:115c:a1e0::1\"], \"disco_key\": \"discokey:"          \
	"1111111111111111111111111111111111111111111111111111111111111111\"},"                   \
	"  {\"name\": \"v6only\", \"user\": null, \"tags\": [\"tag:other\"],"                  \
	"   \"ips\": [\"fd7a:115c:a1e0::3\"], \"disco_key\": \"discokey:"                         \
	"3333333333333333333333333333333333333333333333333333333333333333\"}]}"
#define GRANT(src, dst)                                                                     \
	"{" OWNERS ", \"grants\": [{\"src\": [\"" src "\"], \"dst\": [\"" dst "\"],"           \
	" \"app\": {\"tailscale.com/cap/relay\": []}}]}"

static void first_pair_case(const char *policy, bool client_ok, bool v6only_ok, bool union_ok)
{
	struct rg_sign_key k;
	struct fixture f;
	struct rg_table *t;
	struct rg_err err;
	uint8_t *buf;
	size_t len;
	uint32_t relay, client, v6only;

	assert_int_equal(fixture_load(&f, policy, NODES_DUAL), 0);
	relay = node_at(&f, "100.64.0.2");
	client = node_at(&f, "100.64.0.1");
	v6only = node_at(&f, "fd7a:115c:a1e0::3");
	assert_int_equal(rg_eval_node_has_cap(f.e, relay, client, RG_CAP_RELAY), client_ok);
	assert_int_equal(rg_eval_node_has_cap(f.e, relay, v6only, RG_CAP_RELAY), v6only_ok);
	assert_int_equal(rg_eval_has_cap(f.e, relay, client, RG_CAP_RELAY, NULL), union_ok);
	assert_int_equal(rg_sign_key_generate(&k), 0);
	fixture_compile(&f, &k, 1, 1767225600, &buf, &len, NULL);
	assert_int_equal(rg_table_open_mem(buf, len, &(struct rg_table_trust){ .keys = &k.pk,
										.nkeys = 1 },
					   &t, &err), 0);
	fixture_check(&f, t);
	rg_table_close(t);
	free(buf);
	rg_sign_key_wipe(&k);
	fixture_free(&f);
}

static void test_first_pair(void **state)
{
	(void)state;
	/* A tag: both addresses in the sources, the relay's in the destinations. */
	first_pair_case(GRANT("tag:client", "tag:relay"), true, false, true);
	/* The requester's IPv6 address only: Go asks about its IPv4 one. */
	first_pair_case(GRANT("fd7a:115c:a1e0::1", "tag:relay"), false, false, true);
	/* The requester's IPv4 address: that is the pair. */
	first_pair_case(GRANT("100.64.0.1", "tag:relay"), true, false, true);
	/* The relay's IPv6 address only as destination: not its IPv4 one. */
	first_pair_case(GRANT("tag:client", "fd7a:115c:a1e0::2"), false, false, true);
	/* An IPv6-only requester pairs with the relay's IPv6 address. */
	first_pair_case(GRANT("tag:other", "fd7a:115c:a1e0::2"), false, true, false);
	first_pair_case(GRANT("tag:other", "100.64.0.2"), false, false, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_has_cap),
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_first_pair),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

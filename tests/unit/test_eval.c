/* Evaluation: what each node receives, peers, capabilities, policy tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "relaygate/eval.h"
#include "relaygate/policytest.h"

/*
 * a, b: odin's laptops; c: thor's laptop; srv: tag:server; relay: tag:relay;
 * router: tag:router with an approved 10.33.0.0/16; exit: tag:exit, approved exit node.
 */
static const char inventory_text[] =
	"{\"users\": [{\"id\": 1, \"name\": \"odin\", \"email\": \"odin@example.com\"},"
	"             {\"id\": 2, \"name\": \"thor\", \"email\": \"thor@example.org\"}],"
	" \"nodes\": ["
	"  {\"name\": \"a\", \"user\": \"odin@example.com\", \"tags\": [], \"ips\": [\"100.64.0.1\", \"fd7a:115c:a1e0::1\"]},"
	"  {\"name\": \"b\", \"user\": \"odin@example.com\", \"tags\": [], \"ips\": [\"100.64.0.2\"]},"
	"  {\"name\": \"c\", \"user\": \"thor@example.org\", \"tags\": [], \"ips\": [\"100.64.0.3\"]},"
	"  {\"name\": \"srv\", \"user\": null, \"tags\": [\"tag:server\"], \"ips\": [\"100.64.0.4\"]},"
	"  {\"name\": \"relay\", \"user\": null, \"tags\": [\"tag:relay\"], \"ips\": [\"100.64.0.5\"]},"
	"  {\"name\": \"router\", \"user\": null, \"tags\": [\"tag:router\"], \"ips\": [\"100.64.0.6\"],"
	"   \"routable_ips\": [\"10.33.0.0/16\", \"10.44.0.0/16\"], \"approved_routes\": [\"10.33.0.0/16\"]},"
	"  {\"name\": \"exit\", \"user\": null, \"tags\": [\"tag:exit\"], \"ips\": [\"100.64.0.7\"],"
	"   \"routable_ips\": [\"0.0.0.0/0\", \"::/0\"], \"approved_routes\": [\"0.0.0.0/0\", \"::/0\"]}"
	"]}";

#define OWNERS "\"tagOwners\": {\"tag:server\": [], \"tag:relay\": [], \"tag:router\": [], \"tag:exit\": []}"

struct world {
	struct rg_source *ps, *is;
	struct rg_policy *p;
	struct rg_inventory *inv;
	struct rg_eval *e;
	struct rg_diags d;
};

static void load(struct world *w, const char *policy)
{
	struct rg_err err;

	memset(w, 0, sizeof(*w));
	rg_diags_init(&w->d);
	w->ps = rg_source_from_mem("p", policy, strlen(policy));
	w->is = rg_source_from_mem("i", inventory_text, strlen(inventory_text));
	assert_int_equal(rg_inventory_load(w->is, &w->inv, &w->d), 0);
	assert_int_equal(rg_policy_parse(w->ps, &w->p, &w->d), 0);
	if (rg_policy_validate(w->p, w->inv, &w->d))
		fail_msg("invalid policy: %s", w->d.v[0].message);
	if (rg_eval_build(w->p, w->inv, &w->e, &err) < 0)
		fail_msg("eval: %s", err.msg);
}

static void unload(struct world *w)
{
	rg_eval_free(w->e);
	rg_policy_free(w->p);
	rg_inventory_free(w->inv);
	rg_source_free(w->ps);
	rg_source_free(w->is);
	rg_diags_free(&w->d);
}

static size_t node(const struct world *w, const char *name)
{
	return rg_inventory_node(w->inv, name)->index;
}

static struct rg_addr ip(const char *s)
{
	struct rg_addr a;

	assert_int_equal(rg_addr_parse(s, strlen(s), &a), 0);
	return a;
}

/* Whether node `to` receives a network rule letting `from` reach `to` on tcp/port. */
static bool receives(const struct world *w, const char *to, const char *from, uint16_t port)
{
	const struct rg_eval_node *n = &w->e->nodes[node(w, to)];
	struct rg_addr fa = w->e->nodes[node(w, from)].node->ips[0];
	struct rg_addr ta = n->node->ips[0];
	size_t i, k;

	for (i = 0; i < n->nitems; i++) {
		const struct rg_eval_rule *r = &w->e->rules[n->items[i].rule];

		if (r->is_cap || (!r->src_any && !rg_ipset_contains(&r->src, &fa)))
			continue;
		for (k = n->items[i].first; k < n->items[i].first + n->items[i].count; k++) {
			const struct rg_eval_entry *x = &r->entries[k];
			rg_u128 v = rg_addr_to_u128(&ta);

			if ((x->any || (!x->is6 && v >= x->lo && v <= x->hi)) && port >= x->ports.first &&
			    port <= x->ports.last)
				return true;
		}
	}
	return false;
}

static bool is_peer(struct world *w, const char *a, const char *b)
{
	size_t n, i, x = node(w, a), y = node(w, b);
	const uint32_t *p = rg_eval_peers(w->e, x, &n);

	assert_non_null(p);
	for (i = 0; i < n; i++)
		if (p[i] == y)
			return true;
	return false;
}

static void test_default_and_empty(void **state)
{
	struct world w;

	(void)state;
	load(&w, "{" OWNERS "}");
	assert_true(receives(&w, "srv", "c", 12345)); /* no grants or acls: allow all */
	assert_true(is_peer(&w, "a", "exit"));
	unload(&w);
	load(&w, "{" OWNERS ", \"grants\": []}");
	assert_false(receives(&w, "srv", "c", 12345)); /* present but empty: deny all */
	assert_false(is_peer(&w, "a", "srv"));
	unload(&w);
}

static void test_wildcard_src_routes(void **state)
{
	struct world w;
	struct rg_addr sub = ip("10.33.1.1"), unapproved = ip("10.44.1.1");
	const struct rg_eval_rule *r;

	(void)state;
	load(&w, "{" OWNERS ", \"grants\": [{\"src\": [\"*\"], \"dst\": [\"tag:server\"], \"ip\": [\"tcp:22\"]}]}");
	assert_int_equal(w.e->nodes[node(&w, "srv")].nitems, 1);
	r = &w.e->rules[w.e->nodes[node(&w, "srv")].items[0].rule];
	/* "*" as a source: the tailnet ranges plus approved routes only. */
	assert_true(rg_ipset_contains(&r->src, &sub));
	assert_false(rg_ipset_contains(&r->src, &unapproved));
	assert_true(receives(&w, "srv", "c", 22));
	assert_false(receives(&w, "srv", "c", 23));
	assert_int_equal(w.e->nodes[node(&w, "a")].nitems, 0);
	/* The router is a peer of srv: srv accepts traffic from its subnet. */
	assert_true(is_peer(&w, "srv", "router"));
	assert_true(is_peer(&w, "srv", "a"));
	assert_false(is_peer(&w, "a", "b"));
	unload(&w);
}

static void test_self(void **state)
{
	struct world w;

	(void)state;
	load(&w, "{" OWNERS ", \"acls\": [{\"action\": \"accept\", \"src\": [\"autogroup:member\"], \"dst\": [\"autogroup:self:*\"]}]}");
	assert_true(receives(&w, "a", "b", 80));
	assert_true(receives(&w, "b", "a", 80));
	assert_false(receives(&w, "a", "c", 80));
	assert_false(receives(&w, "c", "a", 80));
	assert_true(is_peer(&w, "a", "b"));
	assert_false(is_peer(&w, "a", "c"));
	unload(&w);
}

static void test_subnet_and_via(void **state)
{
	struct world w;

	(void)state;
	load(&w, "{" OWNERS ", \"hosts\": {\"lan\": \"10.33.5.0/24\"},"
	     "\"grants\": [{\"src\": [\"odin@example.com\"], \"dst\": [\"lan\"], \"ip\": [\"tcp:443\"]},"
	     "             {\"src\": [\"thor@example.org\"], \"dst\": [\"10.33.0.0/16\"], \"ip\": [\"*\"], \"via\": [\"tag:exit\"]}]}");
	/* The router receives the entry for its subnet (kept whole). */
	assert_int_equal(w.e->nodes[node(&w, "router")].nitems, 1);
	assert_true(is_peer(&w, "a", "router"));
	/* The via grant goes only to via-tagged nodes routing the subnet: none here. */
	assert_int_equal(w.e->nodes[node(&w, "exit")].nitems, 0);
	assert_false(is_peer(&w, "c", "router"));
	unload(&w);
}

static void test_internet_exit(void **state)
{
	struct world w;

	(void)state;
	load(&w, "{" OWNERS ", \"grants\": [{\"src\": [\"autogroup:member\"], \"dst\": [\"autogroup:internet\"], \"ip\": [\"*\"]}]}");
	assert_int_equal(w.e->nodes[node(&w, "router")].nitems, 0);
	assert_true(w.e->nodes[node(&w, "exit")].nitems > 0);
	assert_true(w.e->nodes[node(&w, "exit")].exit_node);
	assert_true(is_peer(&w, "a", "exit"));
	assert_false(is_peer(&w, "a", "router"));
	unload(&w);
}

static void test_relay_caps(void **state)
{
	struct world w;
	size_t relay, a, c, i;
	bool target = false;

	(void)state;
	load(&w, "{" OWNERS ", \"grants\": [{\"src\": [\"odin@example.com\", \"tag:server\"], \"dst\": [\"tag:relay\"],"
	     " \"app\": {\"tailscale.com/cap/relay\": []}}]}");
	relay = node(&w, "relay");
	a = node(&w, "a");
	c = node(&w, "c");
	assert_true(rg_eval_has_cap(w.e, relay, a, RG_CAP_RELAY, NULL));
	assert_true(rg_eval_has_cap(w.e, relay, node(&w, "srv"), RG_CAP_RELAY, NULL));
	assert_false(rg_eval_has_cap(w.e, relay, c, RG_CAP_RELAY, NULL));
	assert_false(rg_eval_has_cap(w.e, a, relay, RG_CAP_RELAY, NULL));
	/* The companion: the requester gets relay-target from the relay. */
	assert_true(rg_eval_has_cap(w.e, a, relay, RG_CAP_RELAY_TARGET, NULL));
	assert_false(rg_eval_has_cap(w.e, c, relay, RG_CAP_RELAY_TARGET, NULL));
	for (i = 0; i < w.e->nrules; i++)
		target = target || w.e->rules[i].companion;
	assert_true(target);
	/* No network rule: a relay grant gives no packet access. */
	assert_false(receives(&w, "relay", "a", 22));
	assert_true(is_peer(&w, "a", "relay"));
	assert_false(is_peer(&w, "c", "relay"));
	unload(&w);
}

static void test_allows_and_tests(void **state)
{
	struct world w;
	struct rg_addr a = ip("100.64.0.1"), srv = ip("100.64.0.4");
	struct rg_policytest_stats st;
	size_t before;

	(void)state;
	load(&w, "{" OWNERS ", \"grants\": [{\"src\": [\"odin@example.com\"], \"dst\": [\"tag:server\"], \"ip\": [\"tcp:22\"]}],"
	     "\"tests\": [{\"src\": \"odin@example.com\", \"accept\": [\"tag:server:22\"], \"deny\": [\"tag:server:80\"]},"
	     "            {\"src\": \"thor@example.org\", \"accept\": [\"tag:server:22\"]},"
	     "            {\"src\": \"odin@example.com\", \"proto\": \"udp\", \"accept\": [\"tag:server:22\"]},"
	     "            {\"src\": \"odin@example.com\", \"accept\": [\"tag:server:22-23\", \"10.0.0.0/8:22\", \"tag:nope:22\"]}]}");
	assert_true(rg_eval_allows(w.e, &a, &srv, 6, 22));
	assert_false(rg_eval_allows(w.e, &a, &srv, 17, 22));
	assert_false(rg_eval_allows(w.e, &srv, &a, 6, 22));
	before = w.d.n;
	assert_int_equal(rg_policytest_run_eval(w.p, w.e, &w.d, &st), 5);
	assert_int_equal(st.tests, 4);
	assert_int_equal(st.assertions, 7);
	assert_int_equal(w.d.n - before, 5);
	assert_non_null(strstr(w.d.v[before].message, "test(s) failed: thor@example.org"));
	assert_non_null(strstr(w.d.v[before].message, "want: Accept, got: Drop"));
	unload(&w);
}

static void test_ssh_tests(void **state)
{
	struct world w;
	struct rg_policytest_stats st;

	(void)state;
	load(&w, "{" OWNERS ", \"ssh\": ["
	     " {\"action\": \"check\", \"src\": [\"odin@example.com\"], \"dst\": [\"tag:server\"], \"users\": [\"root\"]},"
	     " {\"action\": \"accept\", \"src\": [\"autogroup:member\"], \"dst\": [\"tag:server\"], \"users\": [\"autogroup:nonroot\", \"localpart:*@example.com\"]}],"
	     "\"sshTests\": ["
	     " {\"src\": \"odin@example.com\", \"dst\": [\"tag:server\"], \"check\": [\"root\"], \"accept\": [\"ubuntu\", \"odin\"]},"
	     " {\"src\": \"thor@example.org\", \"dst\": [\"tag:server\"], \"deny\": [\"root\"], \"accept\": [\"ubuntu\"]},"
	     " {\"src\": \"thor@example.org\", \"dst\": [\"tag:server\"], \"accept\": [\"root\"]},"
	     " {\"src\": \"odin@example.com\", \"dst\": [\"fd7a:115c:a1e0::1\"], \"accept\": [\"root\"]}]}");
	assert_int_equal(rg_policytest_run_eval(w.p, w.e, &w.d, &st), 2);
	assert_int_equal(st.ssh_tests, 4);
	unload(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_and_empty),
		cmocka_unit_test(test_wildcard_src_routes),
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_subnet_and_via),
		cmocka_unit_test(test_internet_exit),
		cmocka_unit_test(test_relay_caps),
		cmocka_unit_test(test_allows_and_tests),
		cmocka_unit_test(test_ssh_tests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Pair directory: servers sharding one relay keep at most one endpoint per
 * pair among them. A server without the pair answers with another's
 * endpoint (same VNI and LamportID, no quota charged); entries leave the
 * directory whenever their endpoint closes; two servers racing for the
 * same pairs end up with one endpoint each.
 */
#include <pthread.h>

#include "relay_harness.h"
#include "relaygate/relay_pairdir.h"

static _Atomic uint64_t clock_;
static struct rg_relay_pairdir *dir;
static struct rg_disco_private server_disco;

static void sharded(struct rg_relay_config *c)
{
	c->lamport_clock = &clock_;
	c->pairdir = dir;
	c->fixed_server_disco = true;
	c->server_disco = server_disco;
}

static void sharded_small(struct rg_relay_config *c)
{
	sharded(c);
	c->max_endpoints = 2;
}

/* Two servers sharing dir (of capacity cap); h2 plays h1's clients. */
static void two(uint32_t cap, void (*tweak)(struct rg_relay_config *), struct harness **h1,
		struct harness **h2)
{
	atomic_store(&clock_, 0);
	dir = rg_relay_pairdir_new(cap, NULL);
	assert_non_null(dir);
	assert_int_equal(rg_disco_private_generate(&server_disco), 0);
	*h1 = h_new(tweak);
	*h2 = h_new(tweak);
	assert_true(rg_disco_key_equal(rg_relay_server_disco((*h1)->s),
				       rg_relay_server_disco((*h2)->s)));
	(*h2)->a = (*h1)->a;
	(*h2)->b = (*h1)->b;
	(*h2)->c = (*h1)->c;
	memcpy((*h2)->known, (*h1)->known, sizeof((*h1)->known));
	(*h2)->nknown = (*h1)->nknown;
	(*h2)->known[(*h2)->nknown++] = (*h1)->c.pub;
	(*h1)->known[(*h1)->nknown++] = (*h1)->c.pub;
}

static void done(struct harness *h1, struct harness *h2)
{
	h_free(h1);
	h_free(h2);
	assert_int_equal(rg_relay_pairdir_count(dir), 0); /* servers leave as they go */
	rg_relay_pairdir_free(dir);
	dir = NULL;
	sodium_memzero(&server_disco, sizeof(server_disco));
}

static enum rg_relay_drop alloc(struct harness *h, const struct client *req,
				const struct client *peer, struct rg_relay_endpoint_info *info)
{
	return rg_relay_server_allocate(h->s, &req->pub, &req->pub, &peer->pub, true, h->now, info);
}

static void test_one_endpoint_per_pair(void **state)
{
	struct harness *h1, *h2;
	struct rg_relay_endpoint_info i1, i2;
	const struct rg_relay_counters *c1, *c2;

	(void)state;
	two(16, sharded, &h1, &h2);
	c1 = rg_relay_server_counters(h1->s);
	c2 = rg_relay_server_counters(h2->s);
	/* a's request reaches h1, b's reaches h2: one endpoint, on h1. */
	assert_int_equal(alloc(h1, &h1->a, &h1->b, &i1), RG_RELAY_DROP_NONE);
	assert_true(i1.created);
	assert_int_equal(alloc(h2, &h2->b, &h2->a, &i2), RG_RELAY_DROP_NONE);
	assert_false(i2.created);
	assert_int_equal(i2.vni, i1.vni);
	assert_int_equal(i2.lamport_id, i1.lamport_id);
	assert_true(rg_disco_key_equal(&i2.server_disco, &i1.server_disco));
	assert_true(rg_disco_key_equal(&i2.client[0], &i1.client[0]));
	assert_true(rg_disco_key_equal(&i2.client[1], &i1.client[1]));
	assert_int_equal(i2.n_addrs, 1);
	assert_int_equal(rg_relay_server_endpoint_count(h1->s), 1);
	assert_int_equal(rg_relay_server_endpoint_count(h2->s), 0);
	assert_int_equal(rg_relay_pairdir_count(dir), 1);
	assert_int_equal(c2->allocations, 0);
	assert_int_equal(c2->allocations_remote, 1);
	assert_int_equal(c2->allocations_reused, 1);
	assert_int_equal(c2->key_agreements, 0);
	assert_int_equal(c1->allocations_remote, 0);
	/* Repeats on either side: still the one endpoint. */
	assert_int_equal(alloc(h1, &h1->b, &h1->a, &i2), RG_RELAY_DROP_NONE);
	assert_int_equal(i2.vni, i1.vni);
	assert_int_equal(alloc(h2, &h2->a, &h2->b, &i2), RG_RELAY_DROP_NONE);
	assert_int_equal(i2.lamport_id, i1.lamport_id);
	/* Both clients bind on the owner with what they were told. */
	h_handshake(h1, &h1->a, &h1->b, i1.vni, 1);
	h_handshake(h1, &h1->b, &h1->a, i2.vni, 1);
	/* Another pair created on h2 is h2's, and answered by h1 from it. */
	assert_int_equal(alloc(h2, &h2->b, &h2->c, &i2), RG_RELAY_DROP_NONE);
	assert_true(i2.created);
	assert_int_equal(i2.lamport_id, 2);
	assert_int_equal(alloc(h1, &h1->c, &h1->b, &i1), RG_RELAY_DROP_NONE);
	assert_false(i1.created);
	assert_int_equal(i1.vni, i2.vni);
	assert_int_equal(rg_relay_pairdir_count(dir), 2);
	done(h1, h2);
}

/* Expiry, revocation and a full directory. */
static void test_entries_follow_endpoints(void **state)
{
	struct harness *h1, *h2;
	struct rg_relay_endpoint_info i1, i2;

	(void)state;
	two(2, sharded_small, &h1, &h2);
	assert_int_equal(alloc(h1, &h1->a, &h1->b, &i1), RG_RELAY_DROP_NONE);
	/* Reclaimed by its lifetime: the next request, on h2, creates anew. */
	h1->now = h2->now = T0 + RG_RELAY_DEFAULT_BIND_LIFETIME + 1;
	assert_int_equal(rg_relay_server_reclaim(h1->s, h1->now), 1);
	assert_int_equal(rg_relay_pairdir_count(dir), 0);
	assert_int_equal(alloc(h2, &h2->b, &h2->a, &i2), RG_RELAY_DROP_NONE);
	assert_true(i2.created);
	assert_int_equal(i2.lamport_id, i1.lamport_id + 1);
	assert_int_equal(alloc(h1, &h1->a, &h1->b, &i1), RG_RELAY_DROP_NONE);
	assert_false(i1.created);
	assert_int_equal(i1.vni, i2.vni);
	/* Expired but not yet reclaimed: found by its owner, closed and made
	 * anew there; the directory follows. */
	h1->now = h2->now += RG_RELAY_DEFAULT_BIND_LIFETIME + 1;
	assert_int_equal(alloc(h2, &h2->a, &h2->b, &i1), RG_RELAY_DROP_NONE);
	assert_true(i1.created);
	assert_int_equal(alloc(h1, &h1->b, &h1->a, &i2), RG_RELAY_DROP_NONE);
	assert_int_equal(i2.lamport_id, i1.lamport_id);
	/* The directory holds 2: a second pair fills it, a third is refused. */
	assert_int_equal(alloc(h1, &h1->a, &h1->c, &i1), RG_RELAY_DROP_NONE);
	assert_int_equal(rg_relay_pairdir_count(dir), 2);
	assert_int_equal(alloc(h1, &h1->b, &h1->c, &i1), RG_RELAY_DROP_QUOTA_GLOBAL);
	assert_int_equal(rg_relay_server_endpoint_count(h1->s), 1);
	/* Revoked on reload: gone from the directory too. */
	h2->deny = true;
	assert_int_equal(rg_relay_server_revalidate(h2->s), 1);
	assert_int_equal(rg_relay_pairdir_count(dir), 1);
	assert_int_equal(alloc(h1, &h1->b, &h1->c, &i1), RG_RELAY_DROP_NONE);
	assert_true(i1.created);
	done(h1, h2);
}

static void test_config(void **state)
{
	struct rg_relay_config cfg;
	struct rg_err err;
	struct rg_relay_pairdir *d = rg_relay_pairdir_new(4, NULL);

	(void)state;
	assert_non_null(d);
	assert_null(rg_relay_pairdir_new(0, &err));
	assert_null(rg_relay_pairdir_new((1u << 25) + 1, &err));
	rg_relay_config_init(&cfg);
	assert_int_equal(rg_disco_private_generate(&cfg.longterm[0]), 0);
	cfg.n_longterm = 1;
	cfg.pairdir = d;
	assert_null(rg_relay_server_new(&cfg, &err));
	assert_non_null(strstr(err.msg, "fixed server disco"));
	rg_relay_config_wipe(&cfg);
	rg_relay_pairdir_free(d);
	rg_relay_pairdir_free(NULL);
}

/* Two servers on two threads allocating the same pairs at once, in the
 * same order, one for each end of every pair. */
#define RACE_KEYS 24
#define RACE_PAIRS (RACE_KEYS / 2 * (RACE_KEYS - 1))

struct racer {
	struct rg_relay_server *s;
	const struct rg_disco_key *keys;
	bool second; /* requester: the second key of each pair */
	struct rg_relay_endpoint_info info[RACE_PAIRS];
	int failures;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	int p = 0;

	for (int i = 0; i < RACE_KEYS; i++)
		for (int j = i + 1; j < RACE_KEYS; j++, p++)
			if (rg_relay_server_allocate(r->s, &r->keys[r->second ? j : i], &r->keys[i],
						     &r->keys[j], true, T0, &r->info[p]) !=
			    RG_RELAY_DROP_NONE)
				r->failures++;
	return NULL;
}

static void test_race(void **state)
{
	struct harness *h1, *h2;
	struct rg_disco_key keys[RACE_KEYS];
	struct racer *r = test_calloc(2, sizeof(*r));
	pthread_t t[2];
	size_t created = 0;

	(void)state;
	assert_non_null(r);
	for (int i = 0; i < RACE_KEYS; i++) {
		struct rg_disco_private k;

		assert_int_equal(rg_disco_private_generate(&k), 0);
		assert_int_equal(rg_disco_private_public(&k, &keys[i]), 0);
	}
	two(RACE_PAIRS * 2, sharded, &h1, &h2);
	r[0] = (struct racer){ .s = h1->s, .keys = keys };
	r[1] = (struct racer){ .s = h2->s, .keys = keys, .second = true };
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(r[0].failures + r[1].failures, 0);
	for (int p = 0; p < RACE_PAIRS; p++) {
		assert_int_equal(r[0].info[p].vni, r[1].info[p].vni);
		assert_int_equal(r[0].info[p].lamport_id, r[1].info[p].lamport_id);
		assert_true(r[0].info[p].created != r[1].info[p].created);
		created += r[0].info[p].created;
	}
	assert_int_equal(rg_relay_server_endpoint_count(h1->s), created);
	assert_int_equal(rg_relay_server_endpoint_count(h2->s), RACE_PAIRS - created);
	assert_int_equal(rg_relay_pairdir_count(dir), RACE_PAIRS);
	assert_int_equal(atomic_load(&clock_), RACE_PAIRS);
	test_free(r);
	done(h1, h2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_endpoint_per_pair),
		cmocka_unit_test(test_entries_follow_endpoints),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_race),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Relay authorization table tests: a policy and an inventory from text,
 * their evaluation, a compiled table, and the round-trip check that the
 * table answers every (relay, requester) pair as the evaluator does.
 */
#ifndef TESTS_TABLE_FIXTURE_H
#define TESTS_TABLE_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "relaygate/disco_key.h"
#include "relaygate/eval.h"
#include "relaygate/inventory.h"
#include "relaygate/policy.h"
#include "relaygate/table.h"
#include "relaygate/table_build.h"

struct fixture {
	struct rg_source *psrc, *isrc;
	struct rg_policy *policy;
	struct rg_inventory *inv;
	struct rg_eval *e;
};

/* Loads and evaluates; returns -1 (nothing to free) when the inputs do not validate. */
static inline int fixture_load(struct fixture *f, const char *policy, const char *inventory)
{
	struct rg_diags d;
	struct rg_err err;
	int ret = -1;

	memset(f, 0, sizeof(*f));
	rg_diags_init(&d);
	f->psrc = rg_source_from_mem("policy", policy, strlen(policy));
	f->isrc = rg_source_from_mem("inventory", inventory, strlen(inventory));
	assert_non_null(f->psrc);
	assert_non_null(f->isrc);
	if (rg_inventory_load(f->isrc, &f->inv, &d) < 0 || rg_policy_parse(f->psrc, &f->policy, &d) < 0)
		goto out;
	if (rg_policy_validate(f->policy, f->inv, &d) || rg_diags_count(&d, RG_SEV_ERROR))
		goto out;
	assert_int_equal(rg_eval_build(f->policy, f->inv, &f->e, &err), 0);
	ret = 0;
out:
	rg_diags_free(&d);
	if (ret < 0) {
		rg_policy_free(f->policy);
		rg_inventory_free(f->inv);
		rg_source_free(f->psrc);
		rg_source_free(f->isrc);
		memset(f, 0, sizeof(*f));
	}
	return ret;
}

static inline void fixture_free(struct fixture *f)
{
	rg_eval_free(f->e);
	rg_policy_free(f->policy);
	rg_inventory_free(f->inv);
	rg_source_free(f->psrc);
	rg_source_free(f->isrc);
	memset(f, 0, sizeof(*f));
}

/* A table of f signed by k; the caller frees *out. */
static inline void fixture_compile(const struct fixture *f, const struct rg_sign_key *k,
				   uint64_t serial, int64_t created, uint8_t **out, size_t *len,
				   struct rg_table_build_stats *st)
{
	struct rg_table_build_opts o;
	struct rg_err err;

	memset(&o, 0, sizeof(o));
	o.serial = serial;
	o.created = created;
	o.key = k;
	rg_table_digest(f->psrc->data, f->psrc->len, o.policy_digest);
	rg_table_digest(f->isrc->data, f->isrc->len, o.inventory_digest);
	if (rg_table_build(f->e, &o, out, len, st, &err) < 0)
		fail_msg("build: %s", err.msg);
}

static inline bool fixture_keyed(const struct rg_inv_node *n)
{
	struct rg_disco_key k;

	memcpy(k.b, n->disco, sizeof(k.b));
	return n->has_disco && !rg_disco_key_is_weak(&k);
}

/*
 * Every pair (R, A) of nodes: the table allows A's key on R exactly when
 * the evaluator gives A cap/relay on R (A keyed). The table indexes exactly
 * the keyed nodes allowed on some relay, under their names; relays carry
 * their names and keys. Returns the number of allowed pairs.
 */
static inline size_t fixture_check(const struct fixture *f, const struct rg_table *t)
{
	const struct rg_eval *e = f->e;
	struct rg_table_info info;
	size_t r, a, allowed = 0, relays = 0, requesters = 0;
	bool *somewhere = calloc(e->nnodes + 1, sizeof(bool));

	assert_non_null(somewhere);
	rg_table_get_info(t, &info);
	for (r = 0; r < e->nnodes; r++) {
		const struct rg_inv_node *rn = e->nodes[r].node;
		uint32_t ri = rg_table_relay_by_name(t, rn->name);
		bool any = false;

		if (ri != RG_TABLE_NONE) {
			static const uint8_t zero[32];

			relays++;
			assert_string_equal(rg_table_relay_name(t, ri), rn->name);
			assert_memory_equal(rg_table_relay_key(t, ri),
					    fixture_keyed(rn) ? rn->disco : zero, 32);
		}
		for (a = 0; a < e->nnodes; a++) {
			const struct rg_inv_node *an = e->nodes[a].node;
			bool want = rg_eval_node_has_cap(e, r, a, RG_CAP_RELAY);

			any = any || want;
			somewhere[a] = somewhere[a] || want;
			if (!fixture_keyed(an))
				continue;
			if (want != (ri != RG_TABLE_NONE && rg_table_allowed(t, ri, an->disco)))
				fail_msg("relay %s, requester %s: evaluator says %d", rn->name,
					 an->name, want);
			allowed += want;
		}
		if (any)
			assert_int_not_equal(ri, RG_TABLE_NONE);
	}
	for (a = 0; a < e->nnodes; a++) {
		const struct rg_inv_node *n = e->nodes[a].node;

		if (!fixture_keyed(n) || !somewhere[a]) {
			if (n->has_disco)
				assert_int_equal(rg_table_node_find(t, n->disco), RG_TABLE_NONE);
			continue;
		}
		requesters++;
		assert_non_null(rg_table_node_name(t, n->disco));
		assert_string_equal(rg_table_node_name(t, n->disco), n->name);
	}
	assert_int_equal(info.nrelays, relays);
	assert_int_equal(info.nnodes, requesters);
	free(somewhere);
	return allowed;
}

/* Compiles f, opens the table with k trusted and checks every pair. */
static inline size_t fixture_round_trip(const struct fixture *f, const struct rg_sign_key *k)
{
	const uint8_t (*trusted)[RG_TABLE_KEY_LEN] = (const uint8_t (*)[RG_TABLE_KEY_LEN])k->pk;
	struct rg_table_trust trust = { trusted, 1, 0, 0, 0 };
	struct rg_table_build_stats st;
	struct rg_table *t = NULL;
	struct rg_err err;
	uint8_t *buf = NULL;
	size_t len = 0, n;

	fixture_compile(f, k, 1, 1700000000, &buf, &len, &st);
	if (rg_table_open_mem(buf, len, &trust, &t, &err) < 0)
		fail_msg("open: %s", err.msg);
	n = fixture_check(f, t);
	assert_int_equal(st.allowed_pairs, n);
	rg_table_close(t);
	free(buf);
	return n;
}

#endif

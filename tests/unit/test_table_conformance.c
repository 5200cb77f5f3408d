/*
 * Round trip over the conformance corpus (../shared/conformance, or
 * $RG_SHARED/conformance): for every case whose policy validates, compile
 * a table and check that it answers every (relay, requester) pair as the
 * evaluator does. The cases carry no disco keys, so each node gets a
 * synthetic one derived from the case id and its name. Skipped when the
 * corpus is absent; its data is read, never copied into this repository.
 */
#include <unistd.h>

#include <jansson.h>

#include "table_fixture.h"

#define CASES "/conformance/cases/tailscale-saas.jsonl"

static struct rg_sign_key key;
static char path[4096];

/* {"users": case.users, "nodes": case.nodes + synthetic disco keys} as text. */
static char *inventory_of(json_t *c, const char *id)
{
	json_t *inv = json_object(), *nodes = json_deep_copy(json_object_get(c, "nodes"));
	json_t *n;
	size_t i;
	char *text;

	assert_non_null(inv);
	assert_true(json_is_array(nodes));
	json_array_foreach(nodes, i, n) {
		const char *name = json_string_value(json_object_get(n, "name"));
		uint8_t k[32];
		char hex[65], dk[80];
		crypto_generichash_state st;

		assert_non_null(name);
		crypto_generichash_init(&st, NULL, 0, sizeof(k));
		crypto_generichash_update(&st, (const uint8_t *)id, strlen(id) + 1);
		crypto_generichash_update(&st, (const uint8_t *)name, strlen(name));
		crypto_generichash_final(&st, k, sizeof(k));
		sodium_bin2hex(hex, sizeof(hex), k, sizeof(k));
		snprintf(dk, sizeof(dk), "discokey:%s", hex);
		assert_int_equal(json_object_set_new(n, "disco_key", json_string(dk)), 0);
	}
	assert_int_equal(json_object_set(inv, "users", json_object_get(c, "users")), 0);
	assert_int_equal(json_object_set_new(inv, "nodes", nodes), 0);
	text = json_dumps(inv, JSON_COMPACT);
	assert_non_null(text);
	json_decref(inv);
	return text;
}

static void test_conformance_round_trip(void **state)
{
	size_t checked = 0, with_relays = 0, pairs = 0, lines = 0, cap = 0;
	char *line = NULL;
	FILE *f;

	(void)state;
	f = fopen(path, "r");
	assert_non_null(f);
	while (getline(&line, &cap, f) > 0) {
		json_error_t jerr;
		json_t *c = json_loads(line, 0, &jerr);
		const char *id = json_string_value(json_object_get(c, "id"));
		const char *policy = json_string_value(json_object_get(c, "policy"));
		struct fixture fx;
		char *inv;
		size_t n;

		lines++;
		if (!c || !id || !policy) {
			json_decref(c);
			continue;
		}
		inv = inventory_of(c, id);
		if (fixture_load(&fx, policy, inv) == 0) {
			checked++;
			n = fixture_round_trip(&fx, &key);
			pairs += n;
			with_relays += strstr(policy, RG_CAP_RELAY "\"") != NULL;
			fixture_free(&fx);
		}
		free(inv);
		json_decref(c);
	}
	free(line);
	fclose(f);
	print_message("%zu of %zu cases validate and round-trip (%zu with relay grants, "
		      "%zu allowed pairs)\n", checked, lines, with_relays, pairs);
	assert_true(checked > 0);
	assert_true(with_relays > 0);
	assert_true(pairs > 0);
}

static int setup(void **state)
{
	(void)state;
	return rg_sign_key_generate(&key);
}

static int teardown(void **state)
{
	(void)state;
	rg_sign_key_wipe(&key);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conformance_round_trip),
	};
	const char *shared = getenv("RG_SHARED") ? getenv("RG_SHARED") : "../shared";

	snprintf(path, sizeof(path), "%s%s", shared, CASES);
	if (access(path, R_OK) != 0) {
		printf("%s: absent, skipped\n", path);
		return 77;
	}

	return cmocka_run_group_tests(tests, setup, teardown);
}

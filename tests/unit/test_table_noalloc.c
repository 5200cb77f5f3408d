/*
 * Table lookups perform no heap allocation. Counts calls by interposing
 * glibc's allocator, which conflicts with ASan's: skipped (77) in the
 * sanitizer build.
 */
#if defined(__SANITIZE_ADDRESS__)
int main(void)
{
	return 77;
}
#else
#include "table_fixture.h"
#include "alloc_count.h"

static const char policy[] =
	"{\"grants\": [{\"src\": [\"autogroup:member\"], \"dst\": [\"*\"], "
	"\"app\": {\"tailscale.com/cap/relay\": []}}]}";

static const char inventory[] =
	"{\"users\": [{\"id\": 1, \"name\": \"a\", \"email\": \"a@example.com\"}], \"nodes\": [\n"
	" {\"name\": \"r\", \"user\": \"a@example.com\", \"tags\": [], \"ips\": [\"100.64.0.1\"],\n"
	"  \"disco_key\": \"discokey:0101010101010101010101010101010101010101010101010101010101010101\"},\n"
	" {\"name\": \"x\", \"user\": \"a@example.com\", \"tags\": [], \"ips\": [\"100.64.0.2\"],\n"
	"  \"disco_key\": \"discokey:0202020202020202020202020202020202020202020202020202020202020202\"}]}";

static void test_lookups_do_not_allocate(void **state)
{
	struct rg_sign_key k;
	struct fixture f;
	struct rg_table *t;
	struct rg_table_trust trust;
	uint8_t *buf, key[32], other[32];
	size_t len;
	unsigned i, yes = 0;

	(void)state;
	assert_int_equal(rg_sign_key_generate(&k), 0);
	assert_int_equal(fixture_load(&f, policy, inventory), 0);
	fixture_compile(&f, &k, 1, 0, &buf, &len, NULL);
	trust = (struct rg_table_trust){ (const uint8_t (*)[RG_TABLE_KEY_LEN])k.pk, 1, 0, 0, 0 };
	assert_int_equal(rg_table_open_mem(buf, len, &trust, &t, NULL), 0);
	memset(key, 2, sizeof(key));
	memset(other, 7, sizeof(other));
	assert_true(alloc_count_works());
	counting = true;
	for (i = 0; i < 1000; i++) {
		uint32_t r = rg_table_relay_by_name(t, i % 2 ? "r" : "x");

		yes += rg_table_allowed(t, r, i % 3 ? key : other);
		yes += rg_table_node_name(t, key) != NULL;
		yes += rg_table_node_find(t, other) != RG_TABLE_NONE;
	}
	counting = false;
	assert_int_equal(allocations, 0);
	assert_int_equal(yes, 666 + 1000);
	rg_table_close(t);
	free(buf);
	fixture_free(&f);
	rg_sign_key_wipe(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookups_do_not_allocate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
#endif

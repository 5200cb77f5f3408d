/* Relay tables: hash index with backward-shift deletion, slot pool. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "relay/table.h"

#define N 64

static bool present(const struct rg_relay_index *x, uint32_t hash, uint32_t ent)
{
	uint32_t pos, e;

	for (e = rg_relay_index_first(x, hash, &pos); e; e = rg_relay_index_next(x, hash, &pos))
		if (e == ent)
			return true;
	return false;
}

/* Random adds and deletes with heavily colliding hashes (including runs
 * that wrap past the end of the table), checked against a plain array. */
static void test_index_against_model(void **state)
{
	struct rg_relay_index x;
	uint32_t hash_of[N + 1];
	bool in[N + 1] = { false };
	unsigned seed = 12345;

	(void)state;
	assert_int_equal(rg_relay_index_init(&x, N), 0);
	assert_int_equal(x.mask + 1, 128);
	for (uint32_t e = 1; e <= N; e++) {
		seed = seed * 1103515245u + 12345u;
		/* Homes in {0..3} and {124..127}: long clusters across the wrap. */
		hash_of[e] = (seed >> 16) % 8;
		if (hash_of[e] >= 4)
			hash_of[e] += 120;
		hash_of[e] |= (seed & 0xff00u) << 8; /* high bits beyond the mask */
	}
	for (int step = 0; step < 20000; step++) {
		uint32_t e;

		seed = seed * 1103515245u + 12345u;
		e = 1 + (seed >> 16) % N;
		if (in[e]) {
			rg_relay_index_del(&x, hash_of[e], e);
			in[e] = false;
		} else {
			assert_int_equal(rg_relay_index_add(&x, hash_of[e], e), 0);
			in[e] = true;
		}
		if (step % 97 == 0)
			for (uint32_t k = 1; k <= N; k++)
				assert_int_equal(present(&x, hash_of[k], k), in[k]);
	}
	/* Full: the next add fails. */
	for (uint32_t k = 1; k <= N; k++)
		if (!in[k])
			assert_int_equal(rg_relay_index_add(&x, hash_of[k], k), 0);
	assert_int_equal(x.count, N);
	assert_int_equal(rg_relay_index_add(&x, 7, N + 1), -1);
	for (uint32_t k = 1; k <= N; k++)
		assert_true(present(&x, hash_of[k], k));
	/* Deleting what is absent changes nothing. */
	rg_relay_index_del(&x, 3, N + 5);
	assert_int_equal(x.count, N);
	rg_relay_index_free(&x);
}

static void test_pool(void **state)
{
	struct rg_relay_pool p;
	int items[4];

	(void)state;
	assert_int_equal(rg_relay_pool_init(&p, 3), 0);
	assert_int_equal(rg_relay_pool_put(&p, &items[0]), 1);
	assert_int_equal(rg_relay_pool_put(&p, &items[1]), 2);
	assert_int_equal(rg_relay_pool_put(&p, &items[2]), 3);
	assert_int_equal(rg_relay_pool_put(&p, &items[3]), 0);
	assert_int_equal(rg_relay_pool_count(&p), 3);
	rg_relay_pool_del(&p, 2);
	rg_relay_pool_del(&p, 2); /* twice: no-op */
	rg_relay_pool_del(&p, 0);
	rg_relay_pool_del(&p, 9);
	assert_int_equal(rg_relay_pool_count(&p), 2);
	assert_null(rg_relay_pool_get(&p, 2));
	assert_ptr_equal(rg_relay_pool_get(&p, 3), &items[2]);
	assert_null(rg_relay_pool_get(&p, 4));
	assert_int_equal(rg_relay_pool_put(&p, &items[3]), 2);
	rg_relay_pool_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_against_model),
		cmocka_unit_test(test_pool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Arena: small allocations share blocks; big ones get their own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/arena.h"

/*
 * Small allocations are carved from shared blocks, back to back: 160 KiB
 * in 16-byte pieces takes a handful of blocks, not one block per piece.
 */
static void test_small_allocations_share_blocks(void **state)
{
	struct rg_arena a;
	unsigned char *prev, *p;
	int i, switches = 0;

	(void)state;
	rg_arena_init(&a);
	prev = rg_arena_alloc(&a, 16);
	assert_non_null(prev);
	for (i = 0; i < 10000; i++) {
		p = rg_arena_alloc(&a, 16);
		assert_non_null(p);
		if (p != prev + 16)
			switches++;
		prev = p;
	}
	assert_true(switches <= 4);
	rg_arena_free(&a);
}

/* A big allocation does not end the block small ones are being cut from. */
static void test_big_allocation_keeps_the_current_block(void **state)
{
	struct rg_arena a;
	unsigned char *x, *big, *y;

	(void)state;
	rg_arena_init(&a);
	x = rg_arena_alloc(&a, 32);
	big = rg_arena_alloc(&a, 1 << 20);
	y = rg_arena_alloc(&a, 32);
	assert_non_null(x);
	assert_non_null(big);
	assert_non_null(y);
	assert_ptr_equal(y, x + 32);
	memset(big, 0xAB, 1 << 20);
	assert_int_equal(a.total, 64 + (1 << 20));
	rg_arena_free(&a);
}

static void test_grow_and_strndup(void **state)
{
	struct rg_arena a;
	int *v, *w;
	char *s;

	(void)state;
	rg_arena_init(&a);
	v = rg_arena_alloc(&a, 2 * sizeof(int));
	v[0] = 1;
	v[1] = 2;
	w = rg_arena_grow(&a, v, 2, 5, sizeof(int));
	assert_non_null(w);
	assert_int_equal(w[0], 1);
	assert_int_equal(w[1], 2);
	assert_int_equal(w[4], 0);
	s = rg_arena_strndup(&a, "abcdef", 3);
	assert_string_equal(s, "abc");
	rg_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_allocations_share_blocks),
		cmocka_unit_test(test_big_allocation_keeps_the_current_block),
		cmocka_unit_test(test_grow_and_strndup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The bump allocator: small allocations share blocks, big ones get their own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/arena.h"

static void test_small_share_blocks(void **state)
{
	struct rg_arena a;
	unsigned char *prev = NULL;
	size_t i, fresh = 0;

	(void)state;
	rg_arena_init(&a);
	/* 16-byte allocations: a new block only every 4096 of them, whatever came before. */
	for (i = 0; i < 20000; i++) {
		unsigned char *p = rg_arena_alloc(&a, 10);

		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		assert_int_equal(p[0] | p[9], 0);
		if (prev && p != prev + 16)
			fresh++;
		prev = p;
	}
	assert_int_equal(fresh, 20000 * 16 / 65536);
	assert_int_equal(a.total, 20000 * 16);
	rg_arena_free(&a);
}

static void test_big_beside(void **state)
{
	struct rg_arena a;
	unsigned char *x, *big, *y;

	(void)state;
	rg_arena_init(&a);
	x = rg_arena_alloc(&a, 16);
	big = rg_arena_alloc(&a, 100000);
	y = rg_arena_alloc(&a, 16);
	assert_non_null(big);
	memset(big, 0xaa, 100000);
	assert_ptr_equal(y, x + 16); /* the current block goes on after a big allocation */
	assert_non_null(rg_arena_strdup(&a, "abc"));
	assert_string_equal(rg_arena_strndup(&a, "abcdef", 3), "abc");
	rg_arena_free(&a);
	rg_arena_free(&a); /* idempotent on an empty arena */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_share_blocks),
		cmocka_unit_test(test_big_beside),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Counting heap allocations in a test program by interposing glibc's
 * allocator (not usable with ASan, which has its own: such tests exit 77
 * in the sanitizer build). Set counting around the code under test; the
 * sanity check shows the interposer sees a malloc.
 */
#ifndef TESTS_ALLOC_COUNT_H
#define TESTS_ALLOC_COUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);

static volatile bool counting;
static volatile unsigned long allocations;

void *malloc(size_t n)
{
	allocations += counting;
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
	allocations += counting;
	return __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
	allocations += counting;
	return __libc_realloc(p, n);
}

/* Whether the interposer counts (one malloc while counting); resets the count. */
static inline bool alloc_count_works(void)
{
	bool ok;

	allocations = 0;
	counting = true;
	{
		void *volatile p = malloc(16); /* volatile: not elided */

		free(p);
	}
	counting = false;
	ok = allocations == 1;
	allocations = 0;
	return ok;
}

#endif

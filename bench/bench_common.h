/* Shared by the benchmark programs: a clock and a deterministic generator. */
#ifndef RG_BENCH_COMMON_H
#define RG_BENCH_COMMON_H

#include <time.h>

/* Seconds on clock id (CLOCK_MONOTONIC for wall time, CLOCK_PROCESS_CPUTIME_ID for CPU). */
static inline double bench_seconds(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xorshift64: the same inputs on every run and machine. */
static unsigned long bench_rng = 88172645463325252UL;

static inline unsigned bench_rnd(unsigned n)
{
	bench_rng ^= bench_rng << 13;
	bench_rng ^= bench_rng >> 7;
	bench_rng ^= bench_rng << 17;
	return (unsigned)(bench_rng % n);
}

#endif

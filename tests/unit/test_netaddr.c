/* IP addresses, prefixes, ranges (Go netip rules) and interval sets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "relaygate/ipset.h"
#include "relaygate/netaddr.h"

static void roundtrip(const char *in, const char *want)
{
	struct rg_addr a;
	char out[RG_ADDR_STRLEN];

	assert_int_equal(rg_addr_parse(in, strlen(in), &a), 0);
	rg_addr_format(&a, out);
	assert_string_equal(out, want);
}

static void bad(const char *in)
{
	struct rg_addr a;

	assert_int_equal(rg_addr_parse(in, strlen(in), &a), -1);
}

static void test_addr(void **state)
{
	(void)state;
	roundtrip("100.64.0.1", "100.64.0.1");
	roundtrip("0.0.0.0", "0.0.0.0");
	roundtrip("255.255.255.255", "255.255.255.255");
	roundtrip("fd7a:115c:a1e0::1", "fd7a:115c:a1e0::1");
	roundtrip("FD7A:115C:A1E0:0:0:0:0:1", "fd7a:115c:a1e0::1");
	roundtrip("::", "::");
	roundtrip("::1", "::1");
	roundtrip("1::", "1::");
	roundtrip("1:0:0:1:0:0:0:1", "1:0:0:1::1");     /* longest zero run */
	roundtrip("1:0:0:2:0:0:3:4", "1::2:0:0:3:4");    /* first of equal runs */
	roundtrip("1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0"); /* a single zero is not compressed */
	roundtrip("::ffff:1.2.3.4", "::ffff:1.2.3.4");
	roundtrip("64:ff9b::1.2.3.4", "64:ff9b::102:304");
	bad("");
	bad("1.2.3");
	bad("1.2.3.4.5");
	bad("01.2.3.4");   /* leading zero */
	bad("256.1.1.1");
	bad("1.2.3.4 ");
	bad("1:2:3:4:5:6:7:8:9");
	bad("1::2::3");
	bad("12345::");
	bad(":1");
	bad("1:");
	bad("fe80::1%eth0"); /* zones are not addresses in a policy */
	bad("host");
}

static void test_prefix_range(void **state)
{
	struct rg_prefix p;
	struct rg_addr lo, hi;
	char out[RG_PREFIX_STRLEN];
	rg_u128 a, b;

	(void)state;
	assert_int_equal(rg_prefix_parse("10.0.0.0/8", 10, false, &p), 0);
	rg_prefix_format(&p, out);
	assert_string_equal(out, "10.0.0.0/8");
	rg_prefix_bounds(&p, &a, &b);
	assert_true(a == 0x0a000000u && b == 0x0affffffu);
	assert_int_equal(rg_prefix_parse("10.1.2.3/8", 10, false, &p), 0);
	assert_false(rg_prefix_is_masked(&p));
	assert_int_equal(rg_prefix_parse("10.0.0.0/33", 11, false, &p), -1);
	assert_int_equal(rg_prefix_parse("10.0.0.0/08", 11, false, &p), -1);
	assert_int_equal(rg_prefix_parse("10.0.0.0/", 9, false, &p), -1);
	assert_int_equal(rg_prefix_parse("10.0.0.1", 8, false, &p), -1);
	assert_int_equal(rg_prefix_parse("10.0.0.1", 8, true, &p), 0);
	assert_int_equal(p.bits, 32);
	assert_int_equal(rg_prefix_parse("::/0", 4, false, &p), 0);
	rg_prefix_bounds(&p, &a, &b);
	assert_true(a == 0 && b == ~(rg_u128)0);
	assert_int_equal(rg_range_parse("10.0.0.1-10.0.0.9", 17, &lo, &hi), 0);
	assert_int_equal(rg_range_parse("10.0.0.9-10.0.0.1", 17, &lo, &hi), -1);
	assert_int_equal(rg_range_parse("10.0.0.1-::1", 12, &lo, &hi), -1);
}

/* Sets over a small universe [0, 255] of IPv4, checked against bitmaps. */
static void from_bits(struct rg_ipset *s, const uint8_t *bits)
{
	unsigned i;

	rg_ipset_clear(s);
	for (i = 0; i < 256; i++)
		if (bits[i])
			assert_int_equal(rg_ipset_add_v4(s, i, i), 0);
	rg_ipset_normalize(s);
}

static void check_bits(const struct rg_ipset *s, const uint8_t *bits)
{
	unsigned i;
	size_t k;

	for (i = 0; i < 256; i++) {
		struct rg_addr a = rg_addr_from_u128(i, false);

		assert_int_equal(rg_ipset_contains(s, &a), bits[i] ? 1 : 0);
	}
	/* normalized: sorted, disjoint, not adjacent */
	for (k = 1; k < s->n4; k++)
		assert_true(s->v4[k].lo > s->v4[k - 1].hi + 1);
}

static int count_prefix(const struct rg_prefix *p, void *arg)
{
	uint8_t *bits = arg;
	rg_u128 lo, hi, v;

	rg_prefix_bounds(p, &lo, &hi);
	for (v = lo; v <= hi; v++) {
		assert_int_equal(bits[v], 0); /* prefixes do not overlap */
		bits[v] = 1;
	}
	return 0;
}

static void test_ipset_algebra(void **state)
{
	struct rg_ipset a, b, c;
	uint8_t x[256], y[256], z[256], w[256];
	unsigned seed = 12345, round, i;

	(void)state;
	rg_ipset_init(&a);
	rg_ipset_init(&b);
	rg_ipset_init(&c);
	for (round = 0; round < 300; round++) {
		unsigned density = 1 + round % 7;

		for (i = 0; i < 256; i++) {
			seed = seed * 1103515245u + 12345u;
			x[i] = ((seed >> 16) % 8) < density;
			seed = seed * 1103515245u + 12345u;
			y[i] = ((seed >> 16) % 8) < 8 - density;
		}
		from_bits(&a, x);
		from_bits(&b, y);
		check_bits(&a, x);

		assert_int_equal(rg_ipset_copy(&c, &a), 0);
		assert_int_equal(rg_ipset_union(&c, &b), 0);
		for (i = 0; i < 256; i++)
			z[i] = x[i] | y[i];
		check_bits(&c, z);

		assert_int_equal(rg_ipset_copy(&c, &a), 0);
		assert_int_equal(rg_ipset_intersect(&c, &b), 0);
		for (i = 0; i < 256; i++)
			z[i] = x[i] & y[i];
		check_bits(&c, z);
		assert_int_equal(rg_ipset_overlaps(&a, &b), memchr(z, 1, 256) != NULL);

		assert_int_equal(rg_ipset_copy(&c, &a), 0);
		assert_int_equal(rg_ipset_subtract(&c, &b), 0);
		for (i = 0; i < 256; i++)
			z[i] = x[i] & !y[i];
		check_bits(&c, z);
		assert_true(rg_ipset_covers(&a, &c));

		memset(w, 0, sizeof(w));
		assert_int_equal(rg_ipset_each_prefix(&a, count_prefix, w), 0);
		assert_memory_equal(w, x, 256);
	}
	rg_ipset_free(&a);
	rg_ipset_free(&b);
	rg_ipset_free(&c);
}

static void test_ipset_edges(void **state)
{
	struct rg_ipset a, b;
	struct rg_addr top = rg_addr_from_u128(~(rg_u128)0, true);

	(void)state;
	rg_ipset_init(&a);
	rg_ipset_init(&b);
	/* Full ranges do not overflow when merged. */
	assert_int_equal(rg_ipset_add_v4(&a, 0, UINT32_MAX), 0);
	assert_int_equal(rg_ipset_add_v4(&a, 5, 6), 0);
	assert_int_equal(rg_ipset_add_v6(&a, 0, ~(rg_u128)0), 0);
	assert_int_equal(rg_ipset_add_v6(&a, 7, 9), 0);
	rg_ipset_normalize(&a);
	assert_int_equal(a.n4, 1);
	assert_int_equal(a.n6, 1);
	assert_true(rg_ipset_contains(&a, &top));
	assert_int_equal(rg_ipset_add_v4(&b, 0, 0), 0);
	assert_int_equal(rg_ipset_add_v4(&b, UINT32_MAX, UINT32_MAX), 0);
	rg_ipset_normalize(&b);
	assert_int_equal(rg_ipset_subtract(&a, &b), 0);
	assert_int_equal(a.n4, 1);
	assert_true(a.v4[0].lo == 1 && a.v4[0].hi == UINT32_MAX - 1);
	rg_ipset_free(&a);
	rg_ipset_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_prefix_range),
		cmocka_unit_test(test_ipset_algebra),
		cmocka_unit_test(test_ipset_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

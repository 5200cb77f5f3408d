#include <stdio.h>
#include <string.h>

#include "relaygate/netaddr.h"
#include "util/hex.h"

static int parse_v4(const char *s, size_t n, uint8_t out[4])
{
	size_t i = 0;
	int field = 0;

	while (field < 4) {
		unsigned v = 0, digits = 0;

		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (digits == 1 && v == 0)
				return -1; /* leading zero */
			v = v * 10 + (unsigned)(s[i] - '0');
			if (v > 255)
				return -1;
			digits++;
			i++;
		}
		if (!digits)
			return -1;
		out[field++] = (uint8_t)v;
		if (field < 4) {
			if (i >= n || s[i] != '.')
				return -1;
			i++;
		}
	}
	return i == n ? 0 : -1;
}

static int parse_v6(const char *s, size_t n, uint8_t out[16])
{
	uint16_t groups[8];
	int ng = 0, ellipsis = -1;
	size_t i = 0;

	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		ellipsis = 0;
		i = 2;
		if (i == n)
			goto finish;
	}
	while (i < n) {
		size_t start = i;
		unsigned v = 0;
		int d;

		while (i < n && (d = rg_hex_digit(s[i])) >= 0 && i - start < 4) {
			v = v * 16 + (unsigned)d;
			i++;
		}
		if (i == start)
			return -1;
		if (i < n && s[i] == '.') {
			/* Embedded IPv4 in the last 32 bits. */
			uint8_t v4[4];

			if (ng > 6 || parse_v4(s + start, n - start, v4) < 0)
				return -1;
			groups[ng++] = (uint16_t)(v4[0] << 8 | v4[1]);
			groups[ng++] = (uint16_t)(v4[2] << 8 | v4[3]);
			i = n;
			break;
		}
		if (i < n && rg_hex_digit(s[i]) >= 0)
			return -1; /* more than 4 hex digits */
		if (ng >= 8)
			return -1;
		groups[ng++] = (uint16_t)v;
		if (i == n)
			break;
		if (s[i] != ':')
			return -1;
		i++;
		if (i < n && s[i] == ':') {
			if (ellipsis >= 0)
				return -1;
			ellipsis = ng;
			i++;
			if (i == n)
				break;
		} else if (i == n) {
			return -1; /* trailing single colon */
		}
	}
finish:
	if (ellipsis < 0) {
		if (ng != 8)
			return -1;
	} else {
		int fill = 8 - ng, k;

		if (fill < 1)
			return -1;
		memmove(groups + ellipsis + fill, groups + ellipsis,
			(size_t)(ng - ellipsis) * sizeof(groups[0]));
		for (k = 0; k < fill; k++)
			groups[ellipsis + k] = 0;
	}
	for (ng = 0; ng < 8; ng++) {
		out[2 * ng] = (uint8_t)(groups[ng] >> 8);
		out[2 * ng + 1] = (uint8_t)groups[ng];
	}
	return 0;
}

int rg_addr_parse(const char *s, size_t n, struct rg_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (memchr(s, ':', n)) {
		out->is6 = 1;
		return parse_v6(s, n, out->b);
	}
	return parse_v4(s, n, out->b);
}

int rg_prefix_parse(const char *s, size_t n, bool allow_bare, struct rg_prefix *out)
{
	const char *slash = memchr(s, '/', n);
	size_t i;
	unsigned bits = 0;

	memset(out, 0, sizeof(*out));
	if (!slash) {
		if (!allow_bare || rg_addr_parse(s, n, &out->addr) < 0)
			return -1;
		out->bits = (uint8_t)rg_addr_bits(&out->addr);
		return 0;
	}
	if (rg_addr_parse(s, (size_t)(slash - s), &out->addr) < 0)
		return -1;
	i = (size_t)(slash - s) + 1;
	if (i >= n || (s[i] == '0' && i + 1 < n))
		return -1;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		bits = bits * 10 + (unsigned)(s[i] - '0');
		if (bits > 128)
			return -1;
	}
	if (bits > rg_addr_bits(&out->addr))
		return -1;
	out->bits = (uint8_t)bits;
	return 0;
}

int rg_range_parse(const char *s, size_t n, struct rg_addr *lo, struct rg_addr *hi)
{
	const char *dash = memchr(s, '-', n);

	if (!dash)
		return -1;
	if (rg_addr_parse(s, (size_t)(dash - s), lo) < 0 ||
	    rg_addr_parse(dash + 1, n - (size_t)(dash - s) - 1, hi) < 0)
		return -1;
	if (lo->is6 != hi->is6 || rg_addr_cmp(lo, hi) > 0)
		return -1;
	return 0;
}

void rg_interval_format(rg_u128 lo, rg_u128 hi, bool is6, char out[RG_INTERVAL_STRLEN])
{
	char x[RG_ADDR_STRLEN], y[RG_ADDR_STRLEN];
	struct rg_addr a = rg_addr_from_u128(lo, is6), z = rg_addr_from_u128(hi, is6);
	rg_u128 m = hi - lo; /* a prefix iff m + 1 is a power of two and lo is aligned to it */

	rg_addr_format(&a, x);
	if (lo == hi) {
		snprintf(out, RG_INTERVAL_STRLEN, "%s", x);
	} else if (((m + 1) & m) == 0 && (lo & m) == 0) {
		unsigned host = (unsigned)(__builtin_popcountll((uint64_t)m) +
					   __builtin_popcountll((uint64_t)(m >> 64)));

		snprintf(out, RG_INTERVAL_STRLEN, "%s/%u", x, (is6 ? 128 : 32) - host);
	} else {
		rg_addr_format(&z, y);
		snprintf(out, RG_INTERVAL_STRLEN, "%s-%s", x, y);
	}
}

void rg_addr_format(const struct rg_addr *a, char out[RG_ADDR_STRLEN])
{
	uint16_t g[8];
	int i, best = -1, bestlen = 0, cur = -1, curlen = 0;
	size_t o = 0;
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (!a->is6) {
		snprintf(out, RG_ADDR_STRLEN, "%u.%u.%u.%u", a->b[0], a->b[1], a->b[2], a->b[3]);
		return;
	}
	if (memcmp(a->b, mapped, 12) == 0) {
		snprintf(out, RG_ADDR_STRLEN, "::ffff:%u.%u.%u.%u", a->b[12], a->b[13], a->b[14],
			 a->b[15]);
		return;
	}
	for (i = 0; i < 8; i++) {
		g[i] = (uint16_t)(a->b[2 * i] << 8 | a->b[2 * i + 1]);
		if (g[i] == 0) {
			if (cur < 0) {
				cur = i;
				curlen = 0;
			}
			if (++curlen > bestlen) {
				best = cur;
				bestlen = curlen;
			}
		} else {
			cur = -1;
		}
	}
	if (bestlen < 2)
		best = -1;
	for (i = 0; i < 8; i++) {
		if (i == best) {
			o += (size_t)snprintf(out + o, RG_ADDR_STRLEN - o, "::");
			i += bestlen - 1;
			continue;
		}
		if (i > 0 && i != best + bestlen)
			out[o++] = ':';
		o += (size_t)snprintf(out + o, RG_ADDR_STRLEN - o, "%x", g[i]);
	}
	out[o] = '\0';
}

void rg_prefix_format(const struct rg_prefix *p, char out[RG_PREFIX_STRLEN])
{
	char a[RG_ADDR_STRLEN];

	rg_addr_format(&p->addr, a);
	snprintf(out, RG_PREFIX_STRLEN, "%s/%u", a, p->bits);
}

rg_u128 rg_addr_to_u128(const struct rg_addr *a)
{
	rg_u128 v = 0;
	int i, n = a->is6 ? 16 : 4;

	for (i = 0; i < n; i++)
		v = (v << 8) | a->b[i];
	return v;
}

struct rg_addr rg_addr_from_u128(rg_u128 v, bool is6)
{
	struct rg_addr a;
	int i, n = is6 ? 16 : 4;

	memset(&a, 0, sizeof(a));
	a.is6 = is6;
	for (i = n - 1; i >= 0; i--) {
		a.b[i] = (uint8_t)v;
		v >>= 8;
	}
	return a;
}

void rg_prefix_bounds(const struct rg_prefix *p, rg_u128 *lo, rg_u128 *hi)
{
	unsigned width = rg_addr_bits(&p->addr), host = width - p->bits;
	rg_u128 v = rg_addr_to_u128(&p->addr), mask;

	mask = host >= 128 ? ~(rg_u128)0 : (((rg_u128)1 << host) - 1);
	*lo = v & ~mask;
	*hi = v | mask;
	if (width == 32) {
		*lo &= 0xffffffffu;
		*hi &= 0xffffffffu;
	}
}

int rg_addr_cmp(const struct rg_addr *a, const struct rg_addr *b)
{
	if (a->is6 != b->is6)
		return a->is6 < b->is6 ? -1 : 1;
	return memcmp(a->b, b->b, a->is6 ? 16 : 4);
}

bool rg_prefix_is_masked(const struct rg_prefix *p)
{
	rg_u128 lo, hi;

	rg_prefix_bounds(p, &lo, &hi);
	return lo == rg_addr_to_u128(&p->addr);
}

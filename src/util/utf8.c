#include "util/utf8.h"
#include "util/uniprint_table.h"

size_t rg_utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	unsigned char c = p[0];
	uint32_t v;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c < 0xC2)
		return 0;
	if (c < 0xE0) {
		len = 2;
		v = c & 0x1F;
	} else if (c < 0xF0) {
		len = 3;
		v = c & 0x0F;
	} else if (c < 0xF5) {
		len = 4;
		v = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3F);
	}
	if ((len == 3 && (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))) ||
	    (len == 4 && (v < 0x10000 || v > 0x10FFFF)))
		return 0;
	*cp = v;
	return len;
}

size_t rg_utf8_check(const unsigned char *p, size_t n)
{
	size_t i = 0;
	uint32_t cp;

	while (i < n) {
		size_t l;

		if (p[i] < 0x80) {
			i++;
			continue;
		}
		l = rg_utf8_decode(p + i, n - i, &cp);
		if (!l)
			return i;
		i += l;
	}
	return n;
}

size_t rg_utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

bool rg_unicode_isprint(uint32_t cp)
{
	size_t lo = 0, hi = sizeof(uniprint_ranges) / sizeof(uniprint_ranges[0]);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp < uniprint_ranges[mid][0])
			hi = mid;
		else if (cp > uniprint_ranges[mid][1])
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

size_t rg_utf8_count(const unsigned char *p, size_t n)
{
	size_t i = 0, count = 0;
	uint32_t cp;

	while (i < n) {
		size_t l = p[i] < 0x80 ? 1 : rg_utf8_decode(p + i, n - i, &cp);

		i += l ? l : 1;
		count++;
	}
	return count;
}

/* Escaping per format, and terminal-safe text. */
#include <stdbool.h>
#include <string.h>

#include "matrix/text.h"
#include "util/utf8.h"

void esc_html(struct rg_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': rg_buf_puts(b, "&amp;"); break;
		case '<': rg_buf_puts(b, "&lt;"); break;
		case '>': rg_buf_puts(b, "&gt;"); break;
		case '"': rg_buf_puts(b, "&quot;"); break;
		case '\'': rg_buf_puts(b, "&#39;"); break;
		default: rg_buf_putc(b, *s);
		}
	}
}

void esc_csv(struct rg_buf *b, const char *s)
{
	size_t n = strlen(s);
	bool formula = n && strchr("=+-@\t\r", s[0]);
	bool quote = formula || strpbrk(s, ",\"\r\n") || (n && (s[0] == ' ' || s[n - 1] == ' '));

	if (!quote) {
		rg_buf_append(b, s, n);
		return;
	}
	rg_buf_putc(b, '"');
	if (formula)
		rg_buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '"')
			rg_buf_putc(b, '"');
		rg_buf_putc(b, *s);
	}
	rg_buf_putc(b, '"');
}

void esc_md(struct rg_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n' || *s == '\r')
			rg_buf_putc(b, ' ');
		else if (strchr("\\`*_[]<>|~&$#!", *s))
			rg_buf_printf(b, "\\%c", *s);
		else
			rg_buf_putc(b, *s);
	}
}

void esc_dot(struct rg_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			rg_buf_putc(b, '\\');
		if (*s == '\n')
			rg_buf_puts(b, "\\n");
		else if (*s != '\r')
			rg_buf_putc(b, *s);
	}
}

void text_sanitize(struct rg_buf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;

	while (i < n) {
		uint32_t cp;
		size_t l = rg_utf8_decode(u + i, n - i, &cp);

		if (!l || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			rg_buf_putc(b, '?');
			i += l ? l : 1;
			continue;
		}
		rg_buf_append(b, u + i, l);
		i += l;
	}
}

/* Code point ranges, sorted, inclusive. */
struct cp_range {
	uint32_t lo, hi;
};

/* Combining marks, zero-width and invisible format characters: no column. */
static const struct cp_range zero_width[] = {
	{ 0x0300, 0x036f }, { 0x0483, 0x0489 }, { 0x0591, 0x05bd }, { 0x05bf, 0x05bf },
	{ 0x05c1, 0x05c2 }, { 0x05c4, 0x05c5 }, { 0x05c7, 0x05c7 }, { 0x0610, 0x061a },
	{ 0x064b, 0x065f }, { 0x0670, 0x0670 }, { 0x06d6, 0x06dc }, { 0x06df, 0x06e4 },
	{ 0x0e31, 0x0e31 }, { 0x0e34, 0x0e3a }, { 0x0e47, 0x0e4e }, { 0x1ab0, 0x1aff },
	{ 0x1dc0, 0x1dff }, { 0x200b, 0x200f }, { 0x202a, 0x202e }, { 0x2060, 0x2064 },
	{ 0x20d0, 0x20ff }, { 0xfe00, 0xfe0f }, { 0xfe20, 0xfe2f }, { 0xfeff, 0xfeff },
	{ 0xe0100, 0xe01ef },
};

/* East Asian Wide and Fullwidth blocks, and emoji: two columns. */
static const struct cp_range double_width[] = {
	{ 0x1100, 0x115f }, { 0x2e80, 0x303e }, { 0x3041, 0x33ff }, { 0x3400, 0x4dbf },
	{ 0x4e00, 0x9fff }, { 0xa000, 0xa4cf }, { 0xa960, 0xa97f }, { 0xac00, 0xd7a3 },
	{ 0xf900, 0xfaff }, { 0xfe10, 0xfe19 }, { 0xfe30, 0xfe6f }, { 0xff00, 0xff60 },
	{ 0xffe0, 0xffe6 }, { 0x1f300, 0x1f64f }, { 0x1f900, 0x1f9ff }, { 0x20000, 0x2fffd },
	{ 0x30000, 0x3fffd },
};

static bool in_ranges(const struct cp_range *r, size_t n, uint32_t cp)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp > r[mid].hi)
			lo = mid + 1;
		else if (cp < r[mid].lo)
			hi = mid;
		else
			return true;
	}
	return false;
}

/* Columns a terminal gives one code point (as wcwidth, without a locale). */
static size_t cp_width(uint32_t cp)
{
	if (cp < 0x300)
		return 1;
	if (in_ranges(zero_width, sizeof(zero_width) / sizeof(zero_width[0]), cp))
		return 0;
	return in_ranges(double_width, sizeof(double_width) / sizeof(double_width[0]), cp) ? 2 : 1;
}

/* Decodes the code point at s[i..n) into *cp; its length (1 for a stray byte). */
static size_t next_cp(const char *s, size_t n, size_t i, uint32_t *cp)
{
	size_t l = rg_utf8_decode((const unsigned char *)s + i, n - i, cp);

	if (!l) {
		*cp = '?';
		l = 1;
	}
	return l;
}

size_t text_width(const char *s, size_t n)
{
	size_t i = 0, cols = 0;

	while (i < n) {
		uint32_t cp;

		i += next_cp(s, n, i, &cp);
		cols += cp_width(cp);
	}
	return cols;
}

size_t text_prefix(const char *s, size_t n, size_t w)
{
	size_t i = 0, cols = 0;

	while (i < n) {
		uint32_t cp;
		size_t l = next_cp(s, n, i, &cp), cw = cp_width(cp);

		/* Never split a wide character; but always make progress. */
		if (cols + cw > w && i > 0)
			break;
		i += l;
		cols += cw;
		/* Marks that follow stay with their base character. */
		while (i < n && (l = next_cp(s, n, i, &cp)) && cp_width(cp) == 0)
			i += l;
		if (cols >= w)
			break;
	}
	return i;
}

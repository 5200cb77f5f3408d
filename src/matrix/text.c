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

size_t text_width(const char *s, size_t n)
{
	return rg_utf8_count((const unsigned char *)s, n);
}

size_t text_prefix(const char *s, size_t n, size_t w)
{
	size_t i = 0, cols = 0;

	while (i < n && cols < w) {
		i++;
		while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		cols++;
	}
	return i;
}

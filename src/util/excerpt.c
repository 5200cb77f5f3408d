#include <stdint.h>
#include <string.h>

#include "util/excerpt.h"
#include "util/utf8.h"

#define EXCERPT_MAX 240

void rg_excerpt_append(struct rg_buf *out, struct rg_source *src, struct rg_span span,
		       const char *indent, const char *color_on, const char *color_off)
{
	size_t llen, caret, ulen, i, from = 0, to;
	const char *line = rg_source_line(src, span.start, &llen);
	const unsigned char *u = (const unsigned char *)line;

	caret = (size_t)(src->data + (span.start > src->len ? src->len : span.start) - line);
	if (caret > llen)
		caret = llen;
	to = llen;
	if (llen > EXCERPT_MAX) {
		from = caret > EXCERPT_MAX / 2 ? caret - EXCERPT_MAX / 2 : 0;
		to = from + EXCERPT_MAX < llen ? from + EXCERPT_MAX : llen;
		/* Do not cut a UTF-8 sequence. */
		while (from > 0 && (u[from] & 0xC0) == 0x80)
			from--;
		while (to < llen && (u[to] & 0xC0) == 0x80)
			to++;
	}
	ulen = span.end > span.start ? span.end - span.start : 1;
	if (caret + ulen > to)
		ulen = to > caret ? to - caret : 1;

	rg_buf_puts(out, indent);
	if (from)
		rg_buf_puts(out, "...");
	/*
	 * Never echo control characters (C1 included) or broken UTF-8 to a
	 * terminal: '?' keeps the columns.
	 */
	for (i = from; i < to;) {
		uint32_t cp = u[i];
		size_t l = u[i] < 0x80 ? 1 : rg_utf8_decode(u + i, to - i, &cp);

		if (!l || (rg_unicode_iscontrol(cp) && cp != '\t')) {
			rg_buf_putc(out, '?');
			i += l ? l : 1;
			continue;
		}
		rg_buf_append(out, line + i, l);
		i += l;
	}
	if (to < llen)
		rg_buf_puts(out, "...");
	rg_buf_putc(out, '\n');
	rg_buf_puts(out, indent);
	if (from)
		rg_buf_puts(out, "   ");
	for (i = from; i < caret; i++) {
		if (line[i] == '\t')
			rg_buf_putc(out, '\t');
		else if ((u[i] & 0xC0) != 0x80)
			rg_buf_putc(out, ' ');
	}
	rg_buf_puts(out, color_on);
	rg_buf_putc(out, '^');
	/* One tilde per code point after the first. */
	if (ulen > 1)
		rg_buf_repeat(out, '~', rg_utf8_count(u + caret, ulen) - 1);
	rg_buf_puts(out, color_off);
	rg_buf_putc(out, '\n');
}

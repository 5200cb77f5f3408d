/* What every emitter needs: positions of a finding, counts, safe text. */
#include <string.h>

#include "diag/emit.h"
#include "util/utf8.h"

void rg_emit_locate(const struct rg_diag *d, struct rg_emit_loc *loc)
{
	struct rg_pos a, b;

	if (!d->src) {
		*loc = (struct rg_emit_loc){ 1, 1, 1, 2 };
		return;
	}
	a = rg_source_pos(d->src, d->span.start);
	b = rg_source_pos(d->src, d->span.end > d->span.start ? d->span.end : d->span.start);
	loc->line = a.line;
	loc->col = a.ucol;
	loc->end_line = b.line;
	loc->end_col = b.ucol;
	if (b.line < a.line || (b.line == a.line && b.ucol <= a.ucol)) {
		loc->end_line = a.line;
		loc->end_col = a.ucol + 1;
	}
}

void rg_emit_summarize(const struct rg_diags *d, size_t files, struct rg_emit_summary *s)
{
	size_t i;

	*s = (struct rg_emit_summary){ files, 0, 0, 0, 0 };
	for (i = 0; i < d->n; i++) {
		if (d->v[i].suppressed) {
			s->suppressed++;
			continue;
		}
		switch (d->v[i].severity) {
		case RG_SEV_ERROR: s->errors++; break;
		case RG_SEV_WARNING: s->warnings++; break;
		case RG_SEV_INFO: s->infos++; break;
		case RG_SEV_NONE: break;
		}
	}
}

void rg_emit_text(struct rg_buf *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, run = 0;

	while (i < n) {
		uint32_t cp = u[i];
		size_t l = u[i] < 0x80 ? 1 : rg_utf8_decode(u + i, n - i, &cp);

		/* C1 controls too (U+009B is a CSI): both of their bytes become \xNN. */
		if (l && !rg_unicode_iscontrol(cp)) {
			i += l;
			continue;
		}
		rg_buf_append(out, s + run, i - run);
		switch (u[i]) {
		case '\n': rg_buf_puts(out, "\\n"); break;
		case '\r': rg_buf_puts(out, "\\r"); break;
		case '\t': rg_buf_puts(out, "\\t"); break;
		default:
			rg_buf_puts(out, "\\x");
			rg_buf_putc(out, hex[u[i] >> 4]);
			rg_buf_putc(out, hex[u[i] & 15]);
		}
		run = ++i;
	}
	rg_buf_append(out, s + run, n - run);
}

void rg_emit_json_str(struct rg_buf *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, run = 0;

	rg_buf_putc(out, '"');
	while (i < n) {
		unsigned char c = u[i];
		const char *esc;
		char ctl[7];
		uint32_t cp;
		size_t l;

		if (c >= 0x80) {
			l = rg_utf8_decode(u + i, n - i, &cp);
			if (l) {
				i += l;
				continue;
			}
			esc = "\\ufffd"; /* not UTF-8, which JSON must be */
		} else if (c == '"') {
			esc = "\\\"";
		} else if (c == '\\') {
			esc = "\\\\";
		} else if (c == '\n') {
			esc = "\\n";
		} else if (c == '\r') {
			esc = "\\r";
		} else if (c == '\t') {
			esc = "\\t";
		} else if (c < 0x20) {
			ctl[0] = '\\';
			ctl[1] = 'u';
			ctl[2] = ctl[3] = '0';
			ctl[4] = hex[c >> 4];
			ctl[5] = hex[c & 15];
			ctl[6] = '\0';
			esc = ctl;
		} else {
			i++;
			continue;
		}
		rg_buf_append(out, s + run, i - run);
		rg_buf_puts(out, esc);
		run = ++i;
	}
	rg_buf_append(out, s + run, n - run);
	rg_buf_putc(out, '"');
}

/* What every emitter needs: positions of a finding, counts. */
#include "diag/emit.h"

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
	const char *run = s;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != 0x7f)
			continue;
		rg_buf_append(out, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '\n': rg_buf_puts(out, "\\n"); break;
		case '\r': rg_buf_puts(out, "\\r"); break;
		case '\t': rg_buf_puts(out, "\\t"); break;
		default:
			rg_buf_puts(out, "\\x");
			rg_buf_putc(out, hex[c >> 4]);
			rg_buf_putc(out, hex[c & 15]);
		}
	}
	rg_buf_append(out, run, (size_t)(s - run));
}

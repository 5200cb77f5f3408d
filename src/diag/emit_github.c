/*
 * GitHub Actions workflow commands:
 *   ::error file=F,line=L,endLine=L2,col=C,endColumn=C2,title=RG201 slug::message
 * warning for warnings, notice for info. Escaping follows the Actions
 * toolkit: data escapes % CR LF; property values also escape : and ,.
 */
#include <stdio.h>
#include <string.h>

#include "diag/emit.h"
#include "util/utf8.h"

static void escape(struct rg_buf *out, const char *s, bool property)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;

	while (i < n) {
		uint32_t cp;
		size_t l;

		switch (u[i]) {
		case '%': rg_buf_puts(out, "%25"); break;
		case '\r': rg_buf_puts(out, "%0D"); break;
		case '\n': rg_buf_puts(out, "%0A"); break;
		case ':': rg_buf_puts(out, property ? "%3A" : ":"); break;
		case ',': rg_buf_puts(out, property ? "%2C" : ","); break;
		default:
			if (u[i] < 0x80) {
				rg_buf_putc(out, (char)u[i]);
				break;
			}
			l = rg_utf8_decode(u + i, n - i, &cp);
			if (!l) {
				rg_buf_puts(out, "\xef\xbf\xbd"); /* U+FFFD: the log is UTF-8 */
				break;
			}
			rg_buf_append(out, s + i, l);
			i += l;
			continue;
		}
		i++;
	}
}

void rg_emit_github_data(struct rg_buf *out, const char *s)
{
	escape(out, s, false);
}

void rg_emit_github_property(struct rg_buf *out, const char *s)
{
	escape(out, s, true);
}

static const char *command(enum rg_severity s)
{
	switch (s) {
	case RG_SEV_ERROR: return "error";
	case RG_SEV_WARNING: return "warning";
	default: return "notice";
	}
}

void rg_emit_github(struct rg_buf *out, const struct rg_diags *d, const struct rg_emit_opts *o)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct rg_diag *x = &d->v[i];
		const char *id = o->rule_id ? o->rule_id(x->rule) : NULL;
		struct rg_emit_loc loc;
		char title[128];

		if (x->suppressed)
			continue;
		rg_emit_locate(x, &loc);
		rg_buf_printf(out, "::%s file=", command(x->severity));
		rg_emit_github_property(out, x->src ? x->src->name : "-");
		rg_buf_printf(out, ",line=%u,endLine=%u,col=%u", loc.line, loc.end_line, loc.col);
		/* A column range is only meaningful on one line. */
		if (loc.end_line == loc.line)
			rg_buf_printf(out, ",endColumn=%u", loc.end_col);
		snprintf(title, sizeof(title), "%s%s%s", id ? id : "", id ? " " : "", x->rule);
		rg_buf_puts(out, ",title=");
		rg_emit_github_property(out, title);
		rg_buf_puts(out, "::");
		rg_emit_github_data(out, x->message);
		rg_buf_putc(out, '\n');
	}
}

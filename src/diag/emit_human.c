#include "diag/emit.h"
#include "util/excerpt.h"

static const char *sev_color(enum rg_severity s)
{
	switch (s) {
	case RG_SEV_ERROR: return "\033[1;31m";
	case RG_SEV_WARNING: return "\033[1;35m";
	default: return "\033[1;36m";
	}
}

void rg_emit_human_one(struct rg_buf *out, const struct rg_diag *d, const struct rg_emit_opts *o)
{
	const char *bold = o->color ? "\033[1m" : "", *reset = o->color ? "\033[0m" : "";
	const char *id = o->rule_id ? o->rule_id(d->rule) : NULL;

	if (d->src) {
		struct rg_pos pos = rg_source_pos(d->src, d->span.start);

		rg_buf_printf(out, "%s%s:%u:%u:%s ", bold, d->src->name, pos.line, pos.ucol, reset);
	}
	rg_buf_printf(out, "%s%s:%s ", o->color ? sev_color(d->severity) : "",
		      rg_severity_name(d->severity), reset);
	rg_emit_text(out, d->message);
	if (id)
		rg_buf_printf(out, " [%s %s]", id, d->rule);
	rg_buf_putc(out, '\n');
	if (d->src && d->src->len)
		rg_excerpt_append(out, d->src, d->span, "    ", o->color ? "\033[1;32m" : "", reset);
}

void rg_emit_human(struct rg_buf *out, const struct rg_diags *d, const struct rg_emit_opts *o)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (!d->v[i].suppressed)
			rg_emit_human_one(out, &d->v[i], o);
}

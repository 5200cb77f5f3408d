/* gcc: one line per finding, as compilers print them (editors jump to it). */
#include "diag/emit.h"

void rg_emit_gcc(struct rg_buf *out, const struct rg_diags *d, const struct rg_emit_opts *o)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct rg_diag *x = &d->v[i];
		const char *id = o->rule_id ? o->rule_id(x->rule) : NULL;
		struct rg_emit_loc loc;

		if (x->suppressed)
			continue;
		rg_emit_locate(x, &loc);
		rg_buf_printf(out, "%s:%u:%u: %s: ", x->src ? x->src->name : "-", loc.line, loc.col,
			      x->severity == RG_SEV_INFO ? "note" : rg_severity_name(x->severity));
		rg_emit_text(out, x->message);
		if (id)
			rg_buf_printf(out, " [%s %s]", id, x->rule);
		rg_buf_putc(out, '\n');
	}
}

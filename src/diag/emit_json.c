/*
 * json: {"version": 1, "diagnostics": [{"rule", "name", "severity", "file",
 * "line", "column", "end_line", "end_column", "message"}], "summary":
 * {"files", "error", "warning", "info", "suppressed"}}. One diagnostic per
 * line. The field names are a contract; version changes if they do.
 */
#include "diag/emit.h"

static void str_field(struct rg_buf *out, const char *name, const char *v)
{
	rg_buf_printf(out, "\"%s\": ", name);
	if (v)
		rg_emit_json_str(out, v);
	else
		rg_buf_puts(out, "null");
}

void rg_emit_json(struct rg_buf *out, const struct rg_diags *d, size_t files,
		  const struct rg_emit_opts *o)
{
	struct rg_emit_summary s;
	bool first = true;
	size_t i;

	rg_buf_puts(out, "{\"version\": 1, \"diagnostics\": [");
	for (i = 0; i < d->n; i++) {
		const struct rg_diag *x = &d->v[i];
		struct rg_emit_loc loc;

		if (x->suppressed)
			continue;
		rg_emit_locate(x, &loc);
		rg_buf_puts(out, first ? "\n  {" : ",\n  {");
		first = false;
		str_field(out, "rule", o->rule_id ? o->rule_id(x->rule) : NULL);
		rg_buf_puts(out, ", ");
		str_field(out, "name", x->rule);
		rg_buf_puts(out, ", ");
		str_field(out, "severity", rg_severity_name(x->severity));
		rg_buf_puts(out, ", ");
		str_field(out, "file", x->src ? x->src->name : NULL);
		rg_buf_printf(out, ", \"line\": %u, \"column\": %u, \"end_line\": %u, \"end_column\": %u, ",
			      loc.line, loc.col, loc.end_line, loc.end_col);
		str_field(out, "message", x->message);
		rg_buf_putc(out, '}');
	}
	rg_emit_summarize(d, files, &s);
	rg_buf_printf(out, "%s], \"summary\": {\"files\": %zu, \"error\": %zu, \"warning\": %zu, "
		      "\"info\": %zu, \"suppressed\": %zu}}\n", first ? "" : "\n", s.files, s.errors,
		      s.warnings, s.infos, s.suppressed);
}

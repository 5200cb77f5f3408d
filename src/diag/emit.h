/*
 * Rendering diagnostics, one emitter per format:
 *
 *   human   file:line:col: severity: message [RG201 slug], source line, caret
 *   gcc     file:line:col: severity: message [RG201 slug]   (one line; info is "note")
 *   json    {"version":1,"diagnostics":[...],"summary":{...}}
 *   sarif   SARIF 2.1.0 as GitHub code scanning takes it
 *   github  GitHub Actions workflow commands (::error file=...::message)
 *
 * Lines and columns are 1-based; columns count Unicode code points; end
 * columns are exclusive. Suppressed findings are never rendered (json
 * counts them in its summary). Emitters append to a bounded buffer and
 * decide nothing: severities are already the effective ones.
 */
#ifndef RG_DIAG_EMIT_H
#define RG_DIAG_EMIT_H

#include <stdbool.h>

#include "relaygate/diag.h"
#include "util/buf.h"

struct rg_emit_opts {
	bool color;
	/* Maps a rule slug to its ID for "[RG201 slug]"; NULL prints no rule tag. */
	const char *(*rule_id)(const char *slug);
};

/* Where a finding starts and ends (end exclusive; at least one column wide). */
struct rg_emit_loc {
	unsigned line, col, end_line, end_col;
};
void rg_emit_locate(const struct rg_diag *d, struct rg_emit_loc *loc);

/*
 * A message on one line: control characters (C0, DEL, C1) and bytes that
 * are not UTF-8 become the escapes \n, \r, \t or \xNN (one per byte).
 */
void rg_emit_text(struct rg_buf *out, const char *s);
/* A JSON string literal of s; bytes that are not UTF-8 become U+FFFD. */
void rg_emit_json_str(struct rg_buf *out, const char *s);

struct rg_emit_summary {
	size_t files, errors, warnings, infos, suppressed;
};
void rg_emit_summarize(const struct rg_diags *d, size_t files, struct rg_emit_summary *s);

/* file:line:col: severity: message [ID slug], then the source line and a caret. */
void rg_emit_human_one(struct rg_buf *out, const struct rg_diag *d, const struct rg_emit_opts *o);
void rg_emit_human(struct rg_buf *out, const struct rg_diags *d, const struct rg_emit_opts *o);
void rg_emit_gcc(struct rg_buf *out, const struct rg_diags *d, const struct rg_emit_opts *o);
void rg_emit_github(struct rg_buf *out, const struct rg_diags *d, const struct rg_emit_opts *o);
void rg_emit_json(struct rg_buf *out, const struct rg_diags *d, size_t files,
		  const struct rg_emit_opts *o);
/* Every rule of the lint registry is listed in tool.driver.rules. */
void rg_emit_sarif(struct rg_buf *out, const struct rg_diags *d, const struct rg_emit_opts *o);

/* Escaping of GitHub workflow commands: message data, and property values. */
void rg_emit_github_data(struct rg_buf *out, const char *s);
void rg_emit_github_property(struct rg_buf *out, const char *s);

#endif

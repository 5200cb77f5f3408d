/* Rendering diagnostics (internal; the lint emitters build on this). */
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

/* file:line:col: severity: message [ID slug], then the source line and a caret. */
void rg_emit_human_one(struct rg_buf *out, const struct rg_diag *d, const struct rg_emit_opts *o);
void rg_emit_human(struct rg_buf *out, const struct rg_diags *d, const struct rg_emit_opts *o);

#endif

/* The source line under a diagnostic, with a caret and underline. */
#ifndef RG_UTIL_EXCERPT_H
#define RG_UTIL_EXCERPT_H

#include <stdbool.h>

#include "relaygate/source.h"
#include "util/buf.h"

/*
 * Appends "<indent><line>\n<indent>   ^~~~\n": the caret under span.start,
 * tildes to the end of the span or of the line. Tabs before the caret are
 * repeated so that it lines up in a terminal; the line is cut at 240 bytes
 * around the caret so that minified files stay readable.
 */
void rg_excerpt_append(struct rg_buf *out, struct rg_source *src, struct rg_span span,
		       const char *indent, const char *color_on, const char *color_off);

#endif

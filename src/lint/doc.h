/* Documentation of the rules, rendered from the registry (internal). */
#ifndef RG_LINT_DOC_H
#define RG_LINT_DOC_H

#include "relaygate/lint.h"
#include "util/buf.h"

/* The page of one rule: `relaygate explain`, docs/rules/<ID>.md, SARIF help.markdown. */
void rg_lint_doc_markdown(struct rg_buf *out, const struct rg_lint_rule *r);
/* The same content as plain text (SARIF help.text). */
void rg_lint_doc_text(struct rg_buf *out, const struct rg_lint_rule *r);
/* The index of every rule as a Markdown table (docs/rules/README.md). */
void rg_lint_doc_index(struct rg_buf *out);

#endif

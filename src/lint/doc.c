/*
 * Rule documentation from the registry. docs/rules/ is generated from
 * these functions (make rule-docs) and a test checks it is up to date.
 */
#include <string.h>

#include "lint/doc.h"

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static void suppressing(struct rg_buf *out, const struct rg_lint_rule *r)
{
	if (r->flags & RG_LINT_FIXED) {
		rg_buf_puts(out, "This finding cannot be suppressed, ignored or re-graded.\n");
		return;
	}
	rg_buf_printf(out,
		      "Before the element (the reason after `--` is for the reader):\n\n"
		      "```hujson\n// relaygate:ignore %s -- why this one is fine\n```\n\n"
		      "For the whole file: `// relaygate:file-ignore %s` anywhere in it. Everywhere: "
		      "`\"ignore\": [\"%s\"]` in `.relaygate.hujson`, `--ignore %s`, or "
		      "`RELAYGATE_IGNORE=%s`. The slug `%s` works wherever the ID does.\n",
		      r->id, r->id, r->id, r->id, r->id, r->slug);
}

void rg_lint_doc_markdown(struct rg_buf *out, const struct rg_lint_rule *r)
{
	rg_buf_printf(out, "# %s %s\n\n%s.\n\n", r->id, r->slug, r->summary);
	rg_buf_puts(out, "| severity | category | suppressible | needs `--inventory` |\n"
			 "|---|---|---|---|\n");
	rg_buf_printf(out, "| %s | %s | %s | %s |\n\n", rg_severity_name(r->severity), r->category,
		      yes_no(!(r->flags & RG_LINT_FIXED)), yes_no(r->flags & RG_LINT_INVENTORY));
	rg_buf_printf(out, "## Why\n\n%s\n\n", r->description);
	rg_buf_printf(out, "## Example\n\nReported:\n\n```hujson\n%s```\n\n", r->bad);
	rg_buf_printf(out, "Clean:\n\n```hujson\n%s```\n\n", r->good);
	if (r->options)
		rg_buf_printf(out, "## Options\n\n%s\n\n", r->options);
	rg_buf_puts(out, "## Suppressing\n\n");
	suppressing(out, r);
}

void rg_lint_doc_text(struct rg_buf *out, const struct rg_lint_rule *r)
{
	rg_buf_printf(out, "%s %s: %s.\n\n%s\n\n", r->id, r->slug, r->summary, r->description);
	rg_buf_printf(out, "Reported:\n\n%s\nClean:\n\n%s", r->bad, r->good);
	if (r->options)
		rg_buf_printf(out, "\nOptions: %s\n", r->options);
}

void rg_lint_doc_index(struct rg_buf *out)
{
	size_t i;

	rg_buf_puts(out, "# relaygate lint rules\n\n"
			 "Generated from the rule registry (`make rule-docs`); "
			 "`relaygate rules` prints the same list and `relaygate explain ID` one page.\n\n"
			 "| ID | slug | severity | summary |\n|---|---|---|---|\n");
	for (i = 0; i < RG_LINT_RULE_COUNT; i++) {
		const struct rg_lint_rule *r = rg_lint_rule_get(i);

		rg_buf_printf(out, "| [%s](%s.md) | `%s` | %s | %s |\n", r->id, r->id, r->slug,
			      rg_severity_name(r->severity), r->summary);
	}
}

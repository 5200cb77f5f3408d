/* relaygate rules and relaygate explain: the rule registry, for people and tools. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "lint/doc.h"
#include "relaygate/lint.h"

const char cmd_rules_usage[] =
	"usage: relaygate rules [--format text|json|markdown]\n"
	"\n"
	"List every lint rule: ID, slug, default severity and summary. json gives\n"
	"[{\"id\", \"name\", \"severity\", \"category\", \"summary\", \"suppressible\",\n"
	"\"needs_inventory\"}]; markdown is docs/rules/README.md.\n"
	"\n"
	"Exit status: 0 listed, 2 usage error.\n";

const char cmd_explain_usage[] =
	"usage: relaygate explain RULE\n"
	"\n"
	"Print the documentation of RULE (an ID such as RG201 or a slug such as\n"
	"relay-wildcard-src) in Markdown: what it reports, why it matters, an example\n"
	"that triggers it and its fix, options, and how to suppress it. The same text\n"
	"is docs/rules/<ID>.md.\n"
	"\n"
	"Exit status: 0 printed, 2 unknown rule or usage error.\n";

static const struct option rules_opts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void json_str(struct rg_buf *b, const char *s)
{
	rg_buf_json_str(b, s, strlen(s));
}

static void rules_json(struct rg_buf *b)
{
	size_t i;

	rg_buf_putc(b, '[');
	for (i = 0; i < RG_LINT_RULE_COUNT; i++) {
		const struct rg_lint_rule *r = rg_lint_rule_get(i);

		rg_buf_puts(b, i ? ",\n {\"id\": " : "\n {\"id\": ");
		json_str(b, r->id);
		rg_buf_puts(b, ", \"name\": ");
		json_str(b, r->slug);
		rg_buf_printf(b, ", \"severity\": \"%s\", \"category\": ", rg_severity_name(r->severity));
		json_str(b, r->category);
		rg_buf_puts(b, ", \"summary\": ");
		json_str(b, r->summary);
		rg_buf_printf(b, ", \"suppressible\": %s, \"needs_inventory\": %s}",
			      r->flags & RG_LINT_FIXED ? "false" : "true",
			      r->flags & RG_LINT_INVENTORY ? "true" : "false");
	}
	rg_buf_puts(b, "\n]\n");
}

static void rules_text(struct rg_buf *b)
{
	size_t i;

	for (i = 0; i < RG_LINT_RULE_COUNT; i++) {
		const struct rg_lint_rule *r = rg_lint_rule_get(i);

		rg_buf_printf(b, "%-6s %-20s %-8s %s\n", r->id, r->slug, rg_severity_name(r->severity),
			      r->summary);
	}
}

static int print(struct rg_buf *b)
{
	int ret = RG_EXIT_OK;

	if (rg_buf_failed(b)) {
		cli_error("rules", "out of memory");
		ret = RG_EXIT_INTERNAL;
	} else {
		fwrite(b->data, 1, b->len, stdout);
	}
	rg_buf_free(b);
	return ret;
}

int cmd_rules_main(int argc, char **argv)
{
	const struct cli_command *self = cli_find("rules");
	const char *format = "text";
	struct rg_buf b;
	int c;

	while ((c = getopt_long(argc, argv, "f:h", rules_opts, NULL)) != -1) {
		if (c != 'f')
			return cli_bad_usage(self, NULL);
		format = optarg;
	}
	if (optind != argc)
		return cli_bad_usage(self, "unexpected argument '%s'", argv[optind]);
	rg_buf_init(&b, 0);
	if (strcmp(format, "text") == 0)
		rules_text(&b);
	else if (strcmp(format, "json") == 0)
		rules_json(&b);
	else if (strcmp(format, "markdown") == 0)
		rg_lint_doc_index(&b);
	else {
		rg_buf_free(&b);
		return cli_bad_usage(self, "unknown --format '%s' (text, json or markdown)", format);
	}
	return print(&b);
}

int cmd_explain_main(int argc, char **argv)
{
	const struct cli_command *self = cli_find("explain");
	const struct rg_lint_rule *r;
	struct rg_buf b;

	if (argc == 2 && argv[1][0] == '-')
		return cli_bad_usage(self, "unknown option '%s'", argv[1]);
	if (argc != 2)
		return cli_bad_usage(self, "expected exactly one RULE");
	r = rg_lint_rule_find(argv[1]);
	if (!r) {
		cli_error("explain", "unknown rule '%s' (see 'relaygate rules')", argv[1]);
		return RG_EXIT_USAGE;
	}
	rg_buf_init(&b, 0);
	rg_lint_doc_markdown(&b, r);
	return print(&b);
}

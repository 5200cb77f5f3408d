/* The subcommand table. */
#include <stddef.h>

#include "cli/commands.h"

const struct cli_command cli_commands[] = {
	{ "lint", cmd_lint_main, "report risky grants, mistakes and what Tailscale would reject",
	  cmd_lint_usage },
	{ "fmt", cmd_fmt_main, "rewrite policies in the canonical HuJSON layout", cmd_fmt_usage },
	{ "rules", cmd_rules_main, "list the lint rules", cmd_rules_usage },
	{ "explain", cmd_explain_main, "document one lint rule", cmd_explain_usage },
	{ "validate", cmd_validate_main, "check a policy as Tailscale's control plane would",
	  cmd_validate_usage },
	{ "filters", cmd_filters_main, "print each node's packet filter, capabilities and peers",
	  cmd_filters_usage },
	{ "hujson", cmd_hujson_main, "check HuJSON syntax and print standard JSON",
	  cmd_hujson_usage },
	{ "api", cmd_api_main, "pull, validate or push the tailnet policy; list devices",
	  cmd_api_usage },
	{ NULL, NULL, NULL, NULL },
};

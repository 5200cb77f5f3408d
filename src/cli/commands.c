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
	{ "test", cmd_test_main, "run the policy's tests and sshTests against an inventory",
	  cmd_test_usage },
	{ "filters", cmd_filters_main, "print each node's packet filter, capabilities and peers",
	  cmd_filters_usage },
	{ "matrix", cmd_matrix_main, "print the effective grant matrix (who reaches whom, how)",
	  cmd_matrix_usage },
	{ "diff", cmd_diff_main, "show the access a policy change grants and revokes",
	  cmd_diff_usage },
	{ "hujson", cmd_hujson_main, "check HuJSON syntax and print standard JSON",
	  cmd_hujson_usage },
	{ "compile", cmd_compile_main, "compile the signed relay authorization table",
	  cmd_compile_usage },
	{ "table", cmd_table_main, "verify, show or query a compiled relay table",
	  cmd_table_usage },
	{ "keygen", cmd_keygen_main, "generate a table signing key or a disco key",
	  cmd_keygen_usage },
	{ "pubkey", cmd_pubkey_main, "print the public key of a private key file",
	  cmd_pubkey_usage },
	{ "api", cmd_api_main, "pull, validate or push the tailnet policy; list devices",
	  cmd_api_usage },
	{ "probe", cmd_probe_main, "run a relay session through relaygated and time it",
	  cmd_probe_usage },
	{ NULL, NULL, NULL, NULL },
};

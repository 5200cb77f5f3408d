/* Subcommand entry points (one file each, src/cli/cmd_*.c). */
#ifndef RG_CLI_COMMANDS_H
#define RG_CLI_COMMANDS_H

#include "cli/cli.h"

CLI_DECLARE(cmd_api_main);
CLI_DECLARE(cmd_hujson_main);
CLI_DECLARE(cmd_validate_main);
CLI_DECLARE(cmd_filters_main);
CLI_DECLARE(cmd_test_main);
CLI_DECLARE(cmd_matrix_main);
CLI_DECLARE(cmd_diff_main);
CLI_DECLARE(cmd_probe_main);
CLI_DECLARE(cmd_compile_main);
CLI_DECLARE(cmd_keygen_main);
CLI_DECLARE(cmd_pubkey_main);
CLI_DECLARE(cmd_table_main);
CLI_DECLARE(cmd_lint_main);
CLI_DECLARE(cmd_fmt_main);
CLI_DECLARE(cmd_rules_main);
CLI_DECLARE(cmd_explain_main);

extern const char cmd_api_usage[];
extern const char cmd_hujson_usage[];
extern const char cmd_validate_usage[];
extern const char cmd_filters_usage[];
extern const char cmd_test_usage[];
extern const char cmd_matrix_usage[];
extern const char cmd_diff_usage[];
extern const char cmd_probe_usage[];
extern const char cmd_compile_usage[];
extern const char cmd_keygen_usage[];
extern const char cmd_pubkey_usage[];
extern const char cmd_table_usage[];
extern const char cmd_lint_usage[];
extern const char cmd_fmt_usage[];
extern const char cmd_rules_usage[];
extern const char cmd_explain_usage[];

#endif

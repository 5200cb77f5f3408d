/* relaygate validate: placeholder until the policy model lands. */
#include "cli/commands.h"

const char cmd_validate_usage[] = "usage: relaygate validate [--inventory INV.json] POLICY\n";

int cmd_validate_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("validate", "not implemented yet");
	return RG_EXIT_INTERNAL;
}

/* relaygate: lint, validate and compile Tailscale tailnet policy files. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"

static const char *main_usage =
	"usage: relaygate COMMAND [options] [args]\n"
	"\n"
	"Lint, validate and compile Tailscale tailnet policy files (HuJSON) and\n"
	"the peer-relay authorization table that relaygated enforces.\n"
	"\n"
	"commands:\n";

static void print_main_usage(FILE *f)
{
	const struct cli_command *c;

	fputs(main_usage, f);
	for (c = cli_commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fputs("\nRun 'relaygate COMMAND --help' for the options of a command.\n"
	      "Exit status: 0 ok, 1 the input was judged and found wanting, 2 usage,\n"
	      "configuration or I/O error.\n", f);
}

const struct cli_command *cli_find(const char *name)
{
	const struct cli_command *c;

	for (c = cli_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

void cli_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "relaygate %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_usage(const struct cli_command *cmd, FILE *f)
{
	fputs(cmd->usage, f);
}

int cli_bad_usage(const struct cli_command *cmd, const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		fprintf(stderr, "relaygate %s: ", cmd->name);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	fprintf(stderr, "Try 'relaygate %s --help'.\n", cmd->name);
	return RG_EXIT_USAGE;
}

int cli_help_or_version(const struct cli_command *cmd, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			cli_usage(cmd, stdout);
			return fflush(stdout) == 0 ? RG_EXIT_OK : RG_EXIT_USAGE;
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("relaygate %s\n", RG_VERSION);
			return fflush(stdout) == 0 ? RG_EXIT_OK : RG_EXIT_USAGE;
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	const struct cli_command *cmd;
	int r;

	/* Options may follow operands in every command (a documented contract,
	 * scripts rely on it): keep GNU getopt permuting even when the caller's
	 * environment asks for POSIX order. */
	unsetenv("POSIXLY_CORRECT");
	if (argc < 2) {
		print_main_usage(stderr);
		return RG_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc > 2 && (cmd = cli_find(argv[2]))) {
			cli_usage(cmd, stdout);
			return RG_EXIT_OK;
		}
		print_main_usage(stdout);
		return RG_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0 ||
	    strcmp(argv[1], "version") == 0) {
		printf("relaygate %s\n", RG_VERSION);
		return RG_EXIT_OK;
	}
	cmd = cli_find(argv[1]);
	if (!cmd) {
		fprintf(stderr, "relaygate: unknown command '%s'\n", argv[1]);
		fprintf(stderr, "Try 'relaygate --help'.\n");
		return RG_EXIT_USAGE;
	}
	r = cli_help_or_version(cmd, argc - 1, argv + 1);
	if (r >= 0)
		return r;
	r = cmd->main(argc - 1, argv + 1);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "relaygate %s: error writing to standard output\n", cmd->name);
		return RG_EXIT_USAGE;
	}
	return r;
}

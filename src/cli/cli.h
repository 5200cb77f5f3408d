/*
 * The relaygate command line: one file per subcommand, one table of them.
 * Only the *_main functions choose exit codes, from this list.
 */
#ifndef RG_CLI_H
#define RG_CLI_H

#include <getopt.h>
#include <stdio.h>

enum {
	RG_EXIT_OK = 0,       /* success; nothing at or above the threshold */
	RG_EXIT_FINDINGS = 1, /* the input was judged and found wanting */
	RG_EXIT_USAGE = 2,    /* usage, configuration or I/O error */
	RG_EXIT_INTERNAL = 3, /* out of memory or a bug */
};

struct cli_command {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *summary;
	const char *usage;    /* full --help text */
};

extern const struct cli_command cli_commands[];

/* Prints "relaygate CMD: message" on stderr. */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Handles --help/-h and --version/-V for a subcommand; returns -1 if neither. */
int cli_help_or_version(const struct cli_command *cmd, int argc, char **argv);
const struct cli_command *cli_find(const char *name);
/* Prints the usage of cmd to f. */
void cli_usage(const struct cli_command *cmd, FILE *f);
/* Standard reaction to a bad option: a hint and RG_EXIT_USAGE. */
int cli_bad_usage(const struct cli_command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define CLI_DECLARE(fn) int fn(int argc, char **argv)

#endif

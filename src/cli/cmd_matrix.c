/* relaygate matrix: the effective grant matrix of a policy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/grant_matrix.h"

const char cmd_matrix_usage[] =
	"usage: relaygate matrix [options] POLICY\n"
	"\n"
	"Print the effective grant matrix of POLICY: who may reach whom, on which\n"
	"protocols and ports, with which capabilities. With --inventory, rows\n"
	"(sources) and columns (destinations) are the tailnet's nodes; without,\n"
	"the principals the policy names: groups, users, tags, autogroups, hosts,\n"
	"IPs and CIDRs. Lines without any access are left out (and listed).\n"
	"\n"
	"options:\n"
	"  -i, --inventory FILE  the tailnet's users and nodes (JSON)\n"
	"  -c, --cap NAME        only capability NAME; --cap tailscale.com/cap/relay\n"
	"                        shows who may allocate relay endpoints on which relay\n"
	"  -f, --format FMT      table (default), csv, json, markdown, dot or html\n"
	"  -a, --aggregate WHEN  merge nodes with identical access into one line:\n"
	"                        auto (when more than 50 lines), always or never\n"
	"  -l, --limit N         table, markdown, dot, html: at most N rows and columns\n"
	"                        (default 100, html 500; 0: all); csv and json show all\n"
	"  -w, --width N         table width (default: $COLUMNS, the terminal, or 80)\n"
	"  -o, --output FILE     write to FILE (atomically) instead of standard output\n"
	"  -h, --help            this help\n"
	"\n"
	"Exit status: 0 printed, 1 the policy is invalid, 2 usage or I/O error.\n";

static const struct option matrix_opts[] = {
	{ "inventory", required_argument, NULL, 'i' },
	{ "cap", required_argument, NULL, 'c' },
	{ "format", required_argument, NULL, 'f' },
	{ "aggregate", required_argument, NULL, 'a' },
	{ "limit", required_argument, NULL, 'l' },
	{ "width", required_argument, NULL, 'w' },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static unsigned terminal_width(void)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	long v;

	if (env && (v = cli_parse_count(env, 100000)) > 0)
		return (unsigned)v;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

static int parse_group(const char *s, enum rg_matrix_group *out)
{
	if (strcmp(s, "auto") == 0)
		*out = RG_MATRIX_GROUP_AUTO;
	else if (strcmp(s, "always") == 0)
		*out = RG_MATRIX_GROUP_ALWAYS;
	else if (strcmp(s, "never") == 0)
		*out = RG_MATRIX_GROUP_NEVER;
	else
		return -1;
	return 0;
}

int cmd_matrix_main(int argc, char **argv)
{
	const struct cli_command *self = cli_find("matrix");
	const char *inv_path = NULL, *output = NULL;
	struct rg_matrix_opts mo = { NULL, RG_MATRIX_GROUP_AUTO, 0 };
	struct rg_matrix_render_opts ro = { 0, 0, NULL };
	enum rg_matrix_format fmt = RG_MATRIX_TABLE;
	struct rg_matrix *m = NULL;
	struct rg_err err;
	long limit = -1, width = 0;
	char *text = NULL;
	size_t len;
	int c, ret;

	while ((c = getopt_long(argc, argv, "i:c:f:a:l:w:o:h", matrix_opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			inv_path = optarg;
			break;
		case 'c':
			mo.cap = optarg;
			break;
		case 'f':
			if (rg_matrix_format_parse(optarg, &fmt) < 0)
				return cli_bad_usage(self, "unknown --format '%s' (table, csv, json, "
						     "markdown, dot or html)", optarg);
			break;
		case 'a':
			if (parse_group(optarg, &mo.group) < 0)
				return cli_bad_usage(self, "--aggregate is auto, always or never");
			break;
		case 'l':
			if ((limit = cli_parse_count(optarg, 1000000)) < 0)
				return cli_bad_usage(self, "--limit wants a count");
			break;
		case 'w':
			if ((width = cli_parse_count(optarg, 100000)) <= 0)
				return cli_bad_usage(self, "--width wants a positive count");
			break;
		case 'o':
			output = optarg;
			break;
		default:
			return cli_bad_usage(self, NULL);
		}
	}
	if (optind != argc - 1)
		return cli_bad_usage(self, "expected exactly one POLICY");
	if (mo.cap && !*mo.cap)
		return cli_bad_usage(self, "--cap wants a capability name");
	ro.width = width ? (unsigned)width : terminal_width();
	ro.limit = limit >= 0 ? (size_t)limit : fmt == RG_MATRIX_HTML ? 500 : 100;
	ro.title = argv[optind];
	ret = cli_build_matrices("matrix", argv + optind, 1, inv_path, &mo, &m);
	if (ret != RG_EXIT_OK)
		return ret;
	if (rg_matrix_render(m, fmt, &ro, &text, &len, &err) < 0) {
		cli_error("matrix", "%s", err.msg);
		ret = RG_EXIT_INTERNAL;
	} else {
		ret = cli_write_output("matrix", output, text, len);
	}
	free(text);
	rg_matrix_free(m);
	return ret;
}

/* relaygate diff: what a policy change grants and revokes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/grant_matrix.h"

const char cmd_diff_usage[] =
	"usage: relaygate diff [options] OLD NEW\n"
	"\n"
	"Show what changing policy OLD into NEW grants and revokes: who gains or\n"
	"loses which ports, capabilities and relays. Access is compared, not text:\n"
	"per (source, destination) the protocols and port ranges and the\n"
	"capabilities. With --inventory, sources and destinations are the\n"
	"tailnet's nodes; without, the principals both policies name.\n"
	"\n"
	"options:\n"
	"  -i, --inventory FILE  the tailnet's users and nodes (JSON)\n"
	"  -c, --cap NAME        only capability NAME (e.g. tailscale.com/cap/relay)\n"
	"  -f, --format FMT      human (default), json, or markdown (a PR comment)\n"
	"  -l, --limit N         human, markdown: at most N changes (default 200; 0: all)\n"
	"  -o, --output FILE     write to FILE (atomically) instead of standard output\n"
	"  -h, --help            this help\n"
	"\n"
	"Exit status: 0 access unchanged, 1 changed, 2 errors (usage, I/O, an\n"
	"invalid policy).\n";

static const struct option diff_opts[] = {
	{ "inventory", required_argument, NULL, 'i' },
	{ "cap", required_argument, NULL, 'c' },
	{ "format", required_argument, NULL, 'f' },
	{ "limit", required_argument, NULL, 'l' },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_diff_main(int argc, char **argv)
{
	const struct cli_command *self = cli_find("diff");
	const char *inv_path = NULL, *output = NULL;
	struct rg_matrix_opts mo = { NULL, RG_MATRIX_GROUP_ALWAYS, 0 };
	struct rg_diff_render_opts ro = { NULL, NULL, 200 };
	enum rg_diff_format fmt = RG_DIFF_HUMAN;
	struct rg_matrix *m[2] = { NULL, NULL };
	struct rg_matrix_diff *d = NULL;
	struct rg_err err;
	char *text = NULL;
	size_t len;
	long limit;
	int c, ret;

	while ((c = getopt_long(argc, argv, "i:c:f:l:o:h", diff_opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			inv_path = optarg;
			break;
		case 'c':
			mo.cap = optarg;
			break;
		case 'f':
			if (rg_diff_format_parse(optarg, &fmt) < 0)
				return cli_bad_usage(self, "unknown --format '%s' (human, json or markdown)",
						     optarg);
			break;
		case 'l':
			if ((limit = cli_parse_count(optarg, 100000000)) < 0)
				return cli_bad_usage(self, "--limit wants a count");
			ro.limit = (size_t)limit;
			break;
		case 'o':
			output = optarg;
			break;
		default:
			return cli_bad_usage(self, NULL);
		}
	}
	if (optind != argc - 2)
		return cli_bad_usage(self, "expected OLD and NEW");
	if (mo.cap && !*mo.cap)
		return cli_bad_usage(self, "--cap wants a capability name");
	ro.old_name = argv[optind];
	ro.new_name = argv[optind + 1];
	/* Merged classes keep the diff linear in the distinct access, not in nodes squared. */
	ret = cli_build_matrices("diff", argv + optind, 2, inv_path, &mo, m);
	if (ret != RG_EXIT_OK)
		return RG_EXIT_USAGE; /* "2 errors": an invalid policy too */
	if (rg_matrix_diff(m[0], m[1], &d, &err) < 0 ||
	    rg_matrix_diff_render(d, fmt, &ro, &text, &len, &err) < 0) {
		cli_error("diff", "%s", err.msg);
		ret = RG_EXIT_USAGE; /* every error is 2 here: 1 means "changed" */
	} else {
		ret = cli_write_output("diff", output, text, len);
		if (ret == RG_EXIT_OK && d->nchanges)
			ret = RG_EXIT_FINDINGS;
	}
	free(text);
	rg_matrix_diff_free(d);
	rg_matrix_free(m[0]);
	rg_matrix_free(m[1]);
	return ret;
}

/* relaygate test: the policy's own tests and sshTests against an inventory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/load.h"
#include "relaygate/policytest.h"

const char cmd_test_usage[] =
	"usage: relaygate test --inventory INV.json POLICY\n"
	"\n"
	"Evaluate the policy's 'tests' (network reachability) and 'sshTests'\n"
	"(Tailscale SSH) against the tailnet in INV.json, as the control plane\n"
	"does when a policy is saved. Each failed assertion is printed with its\n"
	"location; a summary line follows on standard output.\n"
	"\n"
	"options:\n"
	"  -i, --inventory FILE  the tailnet's users and nodes (JSON; required)\n"
	"  -q, --quiet           no summary line\n"
	"  -h, --help            this help\n"
	"\n"
	"Exit status: 0 every assertion holds, 1 an assertion failed or the policy\n"
	"is invalid, 2 usage or I/O error.\n";

static const struct option test_opts[] = {
	{ "inventory", required_argument, NULL, 'i' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_test_main(int argc, char **argv)
{
	const struct cli_command *self = cli_find("test");
	const char *inv_path = NULL;
	struct cli_inputs in;
	struct rg_diags diags;
	struct rg_policytest_stats st = { 0, 0, 0, 0 };
	bool quiet = false, ran = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, "i:qh", test_opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			inv_path = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		default:
			return cli_bad_usage(self, NULL);
		}
	}
	if (optind != argc - 1)
		return cli_bad_usage(self, "expected exactly one POLICY");
	if (!inv_path)
		return cli_bad_usage(self, "--inventory is required");
	rg_diags_init(&diags);
	ret = cli_load_inputs("test", argv[optind], inv_path, &in, &diags);
	if (ret == RG_EXIT_OK && (rg_diags_count(&diags, RG_SEV_ERROR) ||
				  rg_policy_validate(in.policy, in.inv, &diags)))
		ret = RG_EXIT_FINDINGS;
	if (ret == RG_EXIT_OK) {
		ret = cli_run_policytests("test", &in, &diags, &st);
		ran = ret == RG_EXIT_OK;
		if (ran && st.failed)
			ret = RG_EXIT_FINDINGS;
	}
	if (cli_print_diags("test", &diags) < 0)
		ret = RG_EXIT_INTERNAL;
	if (ran && !quiet)
		printf("%s: %zu tests, %zu sshTests: %zu assertions checked, %zu failures\n",
		       in.src->name, st.tests, st.ssh_tests, st.assertions, st.failed);
	rg_diags_free(&diags);
	cli_free_inputs(&in);
	return ret;
}

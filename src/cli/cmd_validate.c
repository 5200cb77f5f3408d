/* relaygate validate: accept or reject a policy as Tailscale's control plane would. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/load.h"
#include "relaygate/policy.h"
#include "relaygate/policytest.h"

const char cmd_validate_usage[] =
	"usage: relaygate validate [--inventory INV.json] POLICY\n"
	"\n"
	"Check POLICY ('-' for standard input) as Tailscale's control plane does when a\n"
	"policy is saved: HuJSON syntax, structure, references, selector, port,\n"
	"protocol and capability grammar, placement rules. Rejections print\n"
	"Tailscale's own message with file:line:col and a caret.\n"
	"\n"
	"With --inventory, the policy's own 'tests' and 'sshTests' are evaluated\n"
	"against that tailnet (users and nodes) and must pass, and user:*@domain\n"
	"expressions are checked against the tailnet's domains.\n"
	"\n"
	"options:\n"
	"  -i, --inventory FILE  the tailnet's users and nodes (JSON)\n"
	"  -q, --quiet           print nothing on success\n"
	"  -h, --help            this help\n"
	"\n"
	"Exit status: 0 accepted, 1 rejected, 2 usage or I/O error.\n";

static const struct option validate_opts[] = {
	{ "inventory", required_argument, NULL, 'i' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_validate_main(int argc, char **argv)
{
	const struct cli_command *self = cli_find("validate");
	const char *inv_path = NULL;
	struct cli_inputs in;
	struct rg_diags diags;
	struct rg_policytest_stats st = { 0, 0, 0, 0 };
	bool quiet = false;
	int c, ret = RG_EXIT_USAGE;

	while ((c = getopt_long(argc, argv, "i:qh", validate_opts, NULL)) != -1) {
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
	rg_diags_init(&diags);
	ret = cli_load_inputs("validate", argv[optind], inv_path, &in, &diags);
	if (ret == RG_EXIT_OK) {
		rg_policy_validate(in.policy, in.inv, &diags);
		if (rg_diags_count(&diags, RG_SEV_ERROR) == 0) {
			if (in.inv && (in.policy->ntests || in.policy->nssh_tests))
				ret = cli_run_policytests("validate", &in, &diags, &st);
			else if ((in.policy->ntests || in.policy->nssh_tests) && !quiet) {
				fprintf(stderr, "relaygate validate: note: %zu tests and %zu sshTests not run "
					"(they need --inventory)\n", in.policy->ntests, in.policy->nssh_tests);
			}
		}
		if (ret == RG_EXIT_OK && rg_diags_count(&diags, RG_SEV_ERROR))
			ret = RG_EXIT_FINDINGS;
	}
	if (cli_print_diags("validate", &diags) < 0)
		ret = RG_EXIT_INTERNAL;
	if (ret == RG_EXIT_OK && !quiet) {
		if (st.tests || st.ssh_tests)
			printf("%s: ok (%zu tests and %zu sshTests passed: %zu assertions)\n",
			       in.src->name, st.tests, st.ssh_tests, st.assertions);
		else
			printf("%s: ok\n", in.src->name);
	}
	rg_diags_free(&diags);
	cli_free_inputs(&in);
	return ret;
}

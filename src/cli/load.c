#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/load.h"
#include "diag/emit.h"
#include "relaygate/policytest.h"
#include "util/file.h"

int cli_load_inputs(const char *cmd, const char *policy_path, const char *inv_path,
		    struct cli_inputs *in, struct rg_diags *diags)
{
	struct rg_err err;

	memset(in, 0, sizeof(*in));
	if (inv_path && strcmp(inv_path, "-") == 0 && strcmp(policy_path, "-") == 0) {
		cli_error(cmd, "the policy and the inventory cannot both be standard input");
		return RG_EXIT_USAGE;
	}
	in->src = rg_source_load(policy_path, RG_FILE_MAX_INPUT, &err);
	if (!in->src) {
		cli_error(cmd, "%s", err.msg);
		return RG_EXIT_USAGE;
	}
	if (inv_path && cli_load_inventory(cmd, inv_path, &in->inv_src, &in->inv) != RG_EXIT_OK)
		return RG_EXIT_USAGE;
	if (rg_policy_parse(in->src, &in->policy, diags) < 0)
		return diags->oom ? RG_EXIT_INTERNAL : RG_EXIT_FINDINGS;
	return RG_EXIT_OK;
}

int cli_load_inventory(const char *cmd, const char *path, struct rg_source **src,
		       struct rg_inventory **inv)
{
	struct rg_diags diags;
	struct rg_err err;
	int ret = RG_EXIT_OK;

	*src = rg_source_load(path, RG_FILE_MAX_INPUT, &err);
	if (!*src) {
		cli_error(cmd, "%s", err.msg);
		return RG_EXIT_USAGE;
	}
	rg_diags_init(&diags);
	if (rg_inventory_load(*src, inv, &diags) < 0) {
		cli_print_diags(cmd, &diags);
		cli_error(cmd, "%s: invalid inventory", (*src)->name);
		ret = RG_EXIT_USAGE;
	}
	rg_diags_free(&diags);
	return ret;
}

bool cli_color(int fd)
{
	const char *nc = getenv("NO_COLOR");

	return isatty(fd) && !(nc && *nc);
}

void cli_free_inputs(struct cli_inputs *in)
{
	rg_policy_free(in->policy);
	rg_inventory_free(in->inv);
	rg_source_free(in->src);
	rg_source_free(in->inv_src);
	memset(in, 0, sizeof(*in));
}

int cli_run_policytests(const char *cmd, struct cli_inputs *in, struct rg_diags *diags,
			struct rg_policytest_stats *stats)
{
	struct rg_eval *e = NULL;
	struct rg_err err;
	int ret = RG_EXIT_OK;

	if (rg_eval_build(in->policy, in->inv, &e, &err) < 0) {
		cli_error(cmd, "%s", err.msg);
		return RG_EXIT_INTERNAL;
	}
	if (rg_policytest_run_eval(in->policy, e, diags, stats) < 0) {
		cli_error(cmd, "out of memory");
		ret = RG_EXIT_INTERNAL;
	}
	rg_eval_free(e);
	return ret;
}

int cli_print_diags(const char *cmd, struct rg_diags *diags)
{
	struct rg_emit_opts eo = { cli_color(STDERR_FILENO), NULL };
	struct rg_buf b;
	int ret = 0;

	rg_diags_sort(diags);
	rg_buf_init(&b, 0);
	rg_emit_human(&b, diags, &eo);
	if (rg_buf_failed(&b) || diags->oom) {
		cli_error(cmd, "out of memory");
		ret = -1;
	} else if (b.len) {
		fwrite(b.data, 1, b.len, stderr);
	}
	rg_buf_free(&b);
	return ret;
}

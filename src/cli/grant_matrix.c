/* Policies (and an inventory) to grant matrices, shared by matrix and diff. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/grant_matrix.h"
#include "cli/load.h"
#include "diag/emit.h"
#include "util/file.h"

#define MAX_POLICIES 2

static void print_diags(const struct rg_diags *d)
{
	struct rg_emit_opts eo = { isatty(STDERR_FILENO) && !getenv("NO_COLOR"), NULL };
	struct rg_buf b;

	rg_buf_init(&b, 0);
	rg_emit_human(&b, d, &eo);
	if (!rg_buf_failed(&b) && b.len)
		fwrite(b.data, 1, b.len, stderr);
	rg_buf_free(&b);
}

/* Loads and validates policy i (the inventory comes with the first). */
static int load_one(const char *cmd, const char *path, const char *inv_path, struct cli_inputs *in,
		    const struct rg_inventory *inv)
{
	struct rg_diags d;
	int ret;

	rg_diags_init(&d);
	ret = cli_load_inputs(cmd, path, inv_path, in, &d);
	if (ret == RG_EXIT_OK && rg_policy_validate(in->policy, inv ? inv : in->inv, &d))
		ret = RG_EXIT_FINDINGS;
	if (ret == RG_EXIT_OK && rg_diags_count(&d, RG_SEV_ERROR))
		ret = RG_EXIT_FINDINGS;
	if (d.oom)
		ret = RG_EXIT_INTERNAL;
	print_diags(&d);
	rg_diags_free(&d);
	return ret;
}

int cli_build_matrices(const char *cmd, char *const *paths, size_t n, const char *inv_path,
		       const struct rg_matrix_opts *o, struct rg_matrix **out)
{
	struct cli_inputs in[MAX_POLICIES];
	const struct rg_policy *pols[MAX_POLICIES] = { NULL };
	struct rg_principals *pr = NULL;
	const struct rg_inventory *inv;
	struct rg_err err;
	size_t i, stdin_uses = inv_path && strcmp(inv_path, "-") == 0;
	int ret = RG_EXIT_OK;

	memset(in, 0, sizeof(in));
	for (i = 0; i < n; i++) {
		out[i] = NULL;
		stdin_uses += strcmp(paths[i], "-") == 0;
	}
	if (n > MAX_POLICIES || stdin_uses > 1) {
		cli_error(cmd, "standard input can be read only once");
		return RG_EXIT_USAGE;
	}
	for (i = 0; i < n && ret == RG_EXIT_OK; i++) {
		ret = load_one(cmd, paths[i], i ? NULL : inv_path, &in[i], in[0].inv);
		pols[i] = in[i].policy;
	}
	if (ret != RG_EXIT_OK)
		goto out;
	inv = in[0].inv;
	if (!inv) {
		if (rg_principals_build(pols, n, &pr, &err) < 0)
			goto internal;
		inv = rg_principals_inventory(pr);
	}
	for (i = 0; i < n; i++) {
		struct rg_eval *e = NULL;
		int r;

		if (rg_eval_build(pols[i], inv, &e, &err) < 0)
			goto internal;
		r = pr ? rg_matrix_build_principals(e, pr, o, &out[i], &err)
		       : rg_matrix_build(e, o, &out[i], &err);
		rg_eval_free(e);
		if (r < 0)
			goto internal;
	}
	goto out;
internal:
	cli_error(cmd, "%s", err.msg);
	ret = RG_EXIT_INTERNAL;
	for (i = 0; i < n; i++) {
		rg_matrix_free(out[i]);
		out[i] = NULL;
	}
out:
	rg_principals_free(pr);
	for (i = 0; i < n; i++)
		cli_free_inputs(&in[i]);
	return ret;
}

long cli_parse_count(const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max)
		return -1;
	return v;
}

int cli_write_output(const char *cmd, const char *path, const char *data, size_t len)
{
	struct rg_err err;

	if (!path || strcmp(path, "-") == 0)
		return fwrite(data, 1, len, stdout) == len ? RG_EXIT_OK : RG_EXIT_USAGE;
	if (rg_file_write_atomic(path, data, len, 0644, 0, &err) < 0) {
		cli_error(cmd, "%s", err.msg);
		return RG_EXIT_USAGE;
	}
	return RG_EXIT_OK;
}

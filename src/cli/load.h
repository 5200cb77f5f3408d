/* Loading a policy (and an optional inventory) for the commands that judge one. */
#ifndef RG_CLI_LOAD_H
#define RG_CLI_LOAD_H

#include "relaygate/diag.h"
#include "relaygate/inventory.h"
#include "relaygate/policy.h"

struct cli_inputs {
	struct rg_source *src;       /* the policy text */
	struct rg_policy *policy;    /* NULL after a syntax error */
	struct rg_source *inv_src;
	struct rg_inventory *inv;    /* NULL without --inventory */
};

/*
 * Loads policy_path and, if given, inv_path. Returns RG_EXIT_OK when the
 * policy parsed (structural errors may be in diags), RG_EXIT_FINDINGS on a
 * policy syntax error (in diags), RG_EXIT_USAGE on I/O errors or a bad
 * inventory (printed), RG_EXIT_INTERNAL when out of memory.
 */
int cli_load_inputs(const char *cmd, const char *policy_path, const char *inv_path,
		    struct cli_inputs *in, struct rg_diags *diags);
void cli_free_inputs(struct cli_inputs *in);
/* Loads an inventory; RG_EXIT_OK, or RG_EXIT_USAGE with the errors printed. */
int cli_load_inventory(const char *cmd, const char *path, struct rg_source **src,
		       struct rg_inventory **inv);
/* Whether to colour output on fd: a terminal, and NO_COLOR unset or empty. */
bool cli_color(int fd);

struct rg_policytest_stats;
/*
 * Evaluates in's policy over its inventory and runs its tests and sshTests,
 * adding failures to diags. Returns RG_EXIT_OK (see stats->failed) or
 * RG_EXIT_INTERNAL (reported).
 */
int cli_run_policytests(const char *cmd, struct cli_inputs *in, struct rg_diags *diags,
			struct rg_policytest_stats *stats);
/* Sorts diags and prints them on stderr (colour on a terminal, unless NO_COLOR). */
int cli_print_diags(const char *cmd, struct rg_diags *diags);

#endif

/*
 * The policy's own assertions: "tests" (network reachability) and
 * "sshTests" (Tailscale SSH), evaluated as the control plane does when a
 * policy is saved. Every failing assertion becomes an "invalid" diagnostic
 * whose message starts with Tailscale's "test(s) failed", located at the
 * assertion.
 */
#ifndef RELAYGATE_POLICYTEST_H
#define RELAYGATE_POLICYTEST_H

#include "relaygate/diag.h"
#include "relaygate/eval.h"
#include "relaygate/inventory.h"
#include "relaygate/policy.h"

struct rg_policytest_stats {
	size_t tests, ssh_tests;     /* entries evaluated */
	size_t assertions, failed;   /* individual accept/deny/check checks */
};

/*
 * Runs tests and sshTests of a validated policy. With e NULL an evaluation
 * is built (and freed) internally. Returns the number of failed
 * assertions, or -1 when out of memory.
 */
long rg_policytest_run_eval(struct rg_policy *p, struct rg_eval *e, struct rg_diags *diags,
			    struct rg_policytest_stats *stats);
long rg_policytest_run(struct rg_policy *p, const struct rg_inventory *inv, struct rg_diags *diags);

#endif

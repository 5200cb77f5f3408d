/* Inventory loading, then evaluation of a fixed policy over it (no crash, no leak). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relaygate/eval.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char policy_text[] =
	"{\"tagOwners\": {\"tag:server\": [], \"tag:relay\": []},"
	" \"grants\": [{\"src\": [\"autogroup:member\"], \"dst\": [\"tag:server\"], \"ip\": [\"tcp:22\"]},"
	"  {\"src\": [\"*\"], \"dst\": [\"tag:relay\"], \"app\": {\"tailscale.com/cap/relay\": []}},"
	"  {\"src\": [\"autogroup:member\"], \"dst\": [\"autogroup:self\", \"autogroup:internet\"], \"ip\": [\"*\"]}]}";

static struct rg_source *psrc;
static struct rg_policy *policy;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rg_source *src;
	struct rg_inventory *inv = NULL;
	struct rg_diags d;
	struct rg_eval *e = NULL;
	struct rg_err err;

	rg_diags_init(&d);
	if (!policy) {
		psrc = rg_source_from_mem("policy", policy_text, strlen(policy_text));
		if (!psrc || rg_policy_parse(psrc, &policy, &d) < 0)
			abort();
	}
	src = rg_source_from_mem("fuzz", (const char *)data, size);
	if (src && rg_inventory_load(src, &inv, &d) == 0) {
		if (rg_eval_build(policy, inv, &e, &err) < 0 && strcmp(err.msg, "out of memory"))
			abort();
		if (e && e->nnodes) {
			size_t n;

			(void)rg_eval_peers(e, 0, &n);
		}
	}
	rg_eval_free(e);
	rg_inventory_free(inv);
	rg_diags_free(&d);
	rg_source_free(src);
	return 0;
}

/*
 * Policy model, validation and evaluation over a fixed small tailnet.
 * Property: a policy that validates always evaluates (only running out of
 * memory may fail), its tests run, and every node's peer list is sorted,
 * free of duplicates and symmetric.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relaygate/eval.h"
#include "relaygate/policytest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char inventory_text[] =
	"{\"users\": [{\"id\": 1, \"name\": \"o\", \"email\": \"o@example.com\"}],"
	" \"nodes\": ["
	"  {\"name\": \"a\", \"user\": \"o@example.com\", \"tags\": [], \"ips\": [\"100.64.0.1\", \"fd7a:115c:a1e0::1\"]},"
	"  {\"name\": \"s\", \"user\": null, \"tags\": [\"tag:server\"], \"ips\": [\"100.64.0.2\"]},"
	"  {\"name\": \"r\", \"user\": null, \"tags\": [\"tag:router\"], \"ips\": [\"100.64.0.3\"],"
	"   \"routable_ips\": [\"10.0.0.0/8\", \"0.0.0.0/0\"], \"approved_routes\": [\"10.0.0.0/8\", \"0.0.0.0/0\"]}]}";

static struct rg_source *inv_src;
static struct rg_inventory *inv;

static int has_peer(struct rg_eval *e, size_t a, size_t b)
{
	size_t n, i;
	const uint32_t *p = rg_eval_peers(e, a, &n);

	for (i = 0; p && i < n; i++)
		if (p[i] == b)
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rg_source *src;
	struct rg_policy *p = NULL;
	struct rg_diags d;
	struct rg_eval *e = NULL;
	struct rg_err err;

	if (!inv) {
		struct rg_diags id;

		rg_diags_init(&id);
		inv_src = rg_source_from_mem("inv", inventory_text, strlen(inventory_text));
		if (!inv_src || rg_inventory_load(inv_src, &inv, &id) < 0)
			abort();
		rg_diags_free(&id);
	}
	src = rg_source_from_mem("fuzz", (const char *)data, size);
	if (!src)
		return 0;
	rg_diags_init(&d);
	if (rg_policy_parse(src, &p, &d) == 0 && rg_diags_count(&d, RG_SEV_ERROR) == 0 &&
	    rg_policy_validate(p, inv, &d) == 0) {
		if (rg_eval_build(p, inv, &e, &err) < 0) {
			if (strcmp(err.msg, "out of memory"))
				abort();
		} else {
			size_t a, b, n, i;

			rg_policytest_run_eval(p, e, &d, NULL);
			for (a = 0; a < e->nnodes; a++) {
				const uint32_t *peers = rg_eval_peers(e, a, &n);

				for (i = 0; peers && i < n; i++) {
					if (peers[i] == a || (i && peers[i] <= peers[i - 1]))
						abort();
				}
				for (b = 0; peers && b < e->nnodes; b++)
					if (has_peer(e, a, b) != has_peer(e, b, a))
						abort();
			}
		}
	}
	rg_eval_free(e);
	rg_policy_free(p);
	rg_diags_free(&d);
	rg_source_free(src);
	return 0;
}

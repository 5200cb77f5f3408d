/*
 * Evaluation at scale: synthetic tailnets of 1k, 10k and 50k nodes under a
 * 2k-grant policy. Reports parse+validate time, evaluation (compile and
 * per-node reception) time for the whole tailnet and per node, and the
 * time to compute every node's peer list.
 *
 * The policy is shaped like a large organisation's: groups of users reach
 * tagged services on a few ports, services reach each other, every user
 * reaches their own devices, and a few relay grants.
 *
 *   build/bench/bench_eval [NODES...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "relaygate/eval.h"
#include "relaygate/inventory.h"
#include "relaygate/policy.h"
#include "util/buf.h"

#include "bench_common.h"

#define NGROUPS 200
#define NTAGS 400
#define NGRANTS 2000

static void gen_policy(struct rg_buf *b, unsigned users)
{
	unsigned g, t, i, k;

	rg_buf_puts(b, "{\n\"groups\": {\n");
	for (g = 0; g < NGROUPS; g++) {
		rg_buf_printf(b, "%s\"group:g%u\": [", g ? ",\n" : "", g);
		for (k = 0; k < 10; k++)
			rg_buf_printf(b, "%s\"u%u@example.com\"", k ? ", " : "", bench_rnd(users));
		rg_buf_puts(b, "]");
	}
	rg_buf_puts(b, "},\n\"tagOwners\": {\n");
	for (t = 0; t < NTAGS; t++)
		rg_buf_printf(b, "%s\"tag:t%u\": [\"group:g%u\"]", t ? ",\n" : "", t, t % NGROUPS);
	rg_buf_puts(b, ",\n\"tag:relay\": [\"group:g0\"]},\n\"hosts\": {\"office\": \"192.168.0.0/16\"},\n");
	rg_buf_puts(b, "\"grants\": [\n");
	for (i = 0; i < NGRANTS; i++) {
		unsigned kind = i % 10;

		if (i)
			rg_buf_puts(b, ",\n");
		if (kind < 6)
			rg_buf_printf(b, "{\"src\": [\"group:g%u\"], \"dst\": [\"tag:t%u\"], \"ip\": [\"tcp:%u\", \"udp:%u\"]}",
				      bench_rnd(NGROUPS), bench_rnd(NTAGS), 1000 + bench_rnd(60000), 1000 + bench_rnd(60000));
		else if (kind < 8)
			rg_buf_printf(b, "{\"src\": [\"tag:t%u\"], \"dst\": [\"tag:t%u\", \"tag:t%u\"], \"ip\": [\"tcp:443\"]}",
				      bench_rnd(NTAGS), bench_rnd(NTAGS), bench_rnd(NTAGS));
		else if (kind == 8)
			rg_buf_printf(b, "{\"src\": [\"u%u@example.com\", \"office\"], \"dst\": [\"tag:t%u\"], \"ip\": [\"22\"]}",
				      bench_rnd(users), bench_rnd(NTAGS));
		else
			rg_buf_printf(b, "{\"src\": [\"group:g%u\", \"tag:t%u\"], \"dst\": [\"tag:relay\"], \"app\": {\"tailscale.com/cap/relay\": []}}",
				      bench_rnd(NGROUPS), bench_rnd(NTAGS));
	}
	rg_buf_puts(b, ",\n{\"src\": [\"autogroup:member\"], \"dst\": [\"autogroup:self\"], \"ip\": [\"*\"]}\n]}\n");
}

static void gen_inventory(struct rg_buf *b, unsigned nodes, unsigned users)
{
	unsigned i;

	rg_buf_puts(b, "{\"users\": [");
	for (i = 0; i < users; i++)
		rg_buf_printf(b, "%s{\"id\": %u, \"name\": \"u%u\", \"email\": \"u%u@example.com\"}",
			      i ? ", " : "", i + 1, i, i);
	rg_buf_puts(b, "],\n\"nodes\": [\n");
	for (i = 0; i < nodes; i++) {
		unsigned a = 0x64400000u + 1 + i; /* 100.64.0.1 ... */

		if (i)
			rg_buf_puts(b, ",\n");
		rg_buf_printf(b, "{\"name\": \"n%u\", ", i);
		if (i % 5 < 3)
			rg_buf_printf(b, "\"user\": \"u%u@example.com\", \"tags\": [], ", i % users);
		else if (i % 500 == 4)
			rg_buf_puts(b, "\"user\": null, \"tags\": [\"tag:relay\"], ");
		else
			rg_buf_printf(b, "\"user\": null, \"tags\": [\"tag:t%u\"], ", i % NTAGS);
		rg_buf_printf(b, "\"ips\": [\"%u.%u.%u.%u\", \"fd7a:115c:a1e0::%x:%x\"]}", a >> 24,
			      (a >> 16) & 255, (a >> 8) & 255, a & 255, (i >> 16) & 0xffff, i & 0xffff);
	}
	rg_buf_puts(b, "]}\n");
}

static int run(unsigned nodes)
{
	unsigned users = nodes / 4 ? nodes / 4 : 1;
	struct rg_buf pb, ib;
	struct rg_source *ps, *is;
	struct rg_policy *p = NULL;
	struct rg_inventory *inv = NULL;
	struct rg_diags d;
	struct rg_eval *e = NULL;
	struct rg_err err;
	double t0, t1, t2, t3;
	size_t i, items = 0, peers = 0;

	rg_buf_init(&pb, 0);
	rg_buf_init(&ib, 0);
	bench_rng = 88172645463325252UL;
	gen_policy(&pb, users);
	gen_inventory(&ib, nodes, users);
	if (rg_buf_failed(&pb) || rg_buf_failed(&ib))
		return -1;
	ps = rg_source_from_mem("bench-policy", pb.data, pb.len);
	is = rg_source_from_mem("bench-inventory", ib.data, ib.len);
	rg_diags_init(&d);
	t0 = bench_seconds(CLOCK_MONOTONIC);
	if (!ps || !is || rg_policy_parse(ps, &p, &d) < 0 || rg_inventory_load(is, &inv, &d) < 0 ||
	    rg_policy_validate(p, inv, &d) != 0) {
		fprintf(stderr, "bench_eval: generated input is invalid (%zu diagnostics): %s\n", d.n,
			d.n ? d.v[0].message : "");
		return -1;
	}
	t1 = bench_seconds(CLOCK_MONOTONIC);
	if (rg_eval_build(p, inv, &e, &err) < 0) {
		fprintf(stderr, "bench_eval: %s\n", err.msg);
		return -1;
	}
	t2 = bench_seconds(CLOCK_MONOTONIC);
	for (i = 0; i < e->nnodes; i++) {
		size_t n;

		items += e->nodes[i].nitems;
		if (!rg_eval_peers(e, i, &n))
			return -1;
		peers += n;
	}
	t3 = bench_seconds(CLOCK_MONOTONIC);
	printf("eval nodes=%u grants=%d policy=%.1fMB parse+validate=%.1fms evaluate=%.1fms "
	       "per_node=%.2fus peers_all=%.1fms rules=%zu items=%zu peer_pairs=%zu\n",
	       nodes, NGRANTS + 1, (double)pb.len / 1e6, (t1 - t0) * 1e3, (t2 - t1) * 1e3,
	       (t2 - t1) * 1e6 / nodes, (t3 - t2) * 1e3, e->nrules, items, peers);
	rg_eval_free(e);
	rg_inventory_free(inv);
	rg_policy_free(p);
	rg_diags_free(&d);
	rg_source_free(ps);
	rg_source_free(is);
	rg_buf_free(&pb);
	rg_buf_free(&ib);
	return 0;
}

int main(int argc, char **argv)
{
	static const unsigned sizes[] = { 1000, 10000, 50000 };
	int i;

	if (argc > 1) {
		for (i = 1; i < argc; i++)
			if (run((unsigned)strtoul(argv[i], NULL, 10)) < 0)
				return 1;
		return 0;
	}
	for (i = 0; i < 3; i++)
		if (run(sizes[i]) < 0)
			return 1;
	return 0;
}

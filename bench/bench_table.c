/*
 * The relay authorization table at scale: 100k nodes and 16 relays.
 *
 * Generates a tailnet (60% user devices across 25k users in 200 groups,
 * 40% tagged across 400 tags, 16 relays, every node with a disco key) and
 * a 2,001-grant policy whose relays receive what a large organisation's
 * would: monitoring and SSH grants, a relay grant for every member, and
 * relay grants from groups and tags to all relays or to one. Then:
 *
 *   build   evaluate, compile and sign the table
 *   load    rg_table_open of the written file: map, verify the Ed25519
 *           signature, check every section (median of 21 runs)
 *   lookup  rg_table_allowed on one core for random (relay, requester)
 *           pairs, beside the same questions answered by walking the
 *           evaluated policy (rg_eval_node_has_cap), with the answers compared
 *
 *   build/bench/bench_table [NODES [KEEP]]    KEEP: also write the table there
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "relaygate/eval.h"
#include "relaygate/table.h"
#include "relaygate/table_build.h"
#include "util/buf.h"
#include "util/file.h"

#include "bench_common.h"

#define NRELAYS 16
#define NGROUPS 200
#define NTAGS 400
#define NGRANTS 2000
#define NQUESTIONS (1u << 18)
#define NWALK 4000
#define REPS 5
#define LOAD_RUNS 21

static void gen_grant(struct rg_buf *b, unsigned i, unsigned users)
{
	unsigned kind = i % 20;

	if (kind < 11)
		rg_buf_printf(b, "{\"src\": [\"group:g%u\"], \"dst\": [\"tag:t%u\"], \"ip\": [\"tcp:%u\"]}",
			      bench_rnd(NGROUPS), bench_rnd(NTAGS), 1000 + bench_rnd(60000));
	else if (kind < 15)
		rg_buf_printf(b, "{\"src\": [\"tag:t%u\"], \"dst\": [\"tag:t%u\"], \"ip\": [\"tcp:443\"]}",
			      bench_rnd(NTAGS), bench_rnd(NTAGS));
	else if (kind == 15)
		rg_buf_printf(b, "{\"src\": [\"u%u@example.com\"], \"dst\": [\"tag:t%u\"], \"ip\": [\"22\"]}",
			      bench_rnd(users), bench_rnd(NTAGS));
	else if (kind == 16)
		rg_buf_printf(b, "{\"src\": [\"tag:t%u\"], \"dst\": [\"tag:relay\"], \"ip\": [\"tcp:%u\"]}",
			      bench_rnd(NTAGS), 9000 + bench_rnd(1000));
	else if (kind == 17)
		rg_buf_printf(b, "{\"src\": [\"group:g%u\"], \"dst\": [\"tag:relay\"], \"ip\": [\"tcp:22\"]}",
			      bench_rnd(NGROUPS));
	else if (kind == 18)
		rg_buf_printf(b, "{\"src\": [\"group:g%u\", \"tag:t%u\"], \"dst\": [\"tag:relay\"], "
			      "\"app\": {\"tailscale.com/cap/relay\": []}}", bench_rnd(NGROUPS), bench_rnd(NTAGS));
	else
		rg_buf_printf(b, "{\"src\": [\"tag:t%u\"], \"dst\": [\"tag:relay-%u\"], "
			      "\"app\": {\"tailscale.com/cap/relay\": []}}", bench_rnd(NTAGS), bench_rnd(NRELAYS));
}

static void gen_policy(struct rg_buf *b, unsigned users)
{
	unsigned g, t, i, k;

	rg_buf_puts(b, "{\"groups\": {\n");
	for (g = 0; g < NGROUPS; g++) {
		rg_buf_printf(b, "%s\"group:g%u\": [", g ? ",\n" : "", g);
		for (k = 0; k < 20; k++)
			rg_buf_printf(b, "%s\"u%u@example.com\"", k ? ", " : "", bench_rnd(users));
		rg_buf_puts(b, "]");
	}
	rg_buf_puts(b, "},\n\"tagOwners\": {\"tag:relay\": [\"group:g0\"]");
	for (t = 0; t < NTAGS; t++)
		rg_buf_printf(b, ",\n\"tag:t%u\": [\"group:g%u\"]", t, t % NGROUPS);
	for (t = 0; t < NRELAYS; t++)
		rg_buf_printf(b, ",\n\"tag:relay-%u\": [\"group:g0\"]", t);
	rg_buf_puts(b, "},\n\"grants\": [\n{\"src\": [\"autogroup:member\"], \"dst\": [\"tag:relay\"], "
		    "\"app\": {\"tailscale.com/cap/relay\": []}}");
	for (i = 0; i < NGRANTS; i++) {
		rg_buf_puts(b, ",\n");
		gen_grant(b, i, users);
	}
	rg_buf_puts(b, "]}\n");
}

static void gen_inventory(struct rg_buf *b, unsigned nodes, unsigned users)
{
	unsigned i, k, stride = nodes / NRELAYS;

	rg_buf_puts(b, "{\"users\": [");
	for (i = 0; i < users; i++)
		rg_buf_printf(b, "%s{\"id\": %u, \"name\": \"u%u\", \"email\": \"u%u@example.com\"}",
			      i ? ", " : "", i + 1, i, i);
	rg_buf_puts(b, "],\n\"nodes\": [\n");
	for (i = 0; i < nodes; i++) {
		unsigned a = 0x64400000u + 1 + i; /* 100.64.0.1 ... */

		if (i)
			rg_buf_puts(b, ",\n");
		if (i % stride == 7 && i / stride < NRELAYS)
			rg_buf_printf(b, "{\"name\": \"relay-%u\", \"user\": null, "
				      "\"tags\": [\"tag:relay\", \"tag:relay-%u\"], ", i / stride, i / stride);
		else if (i % 5 < 3)
			rg_buf_printf(b, "{\"name\": \"laptop-%u\", \"user\": \"u%u@example.com\", "
				      "\"tags\": [], ", i, i % users);
		else
			rg_buf_printf(b, "{\"name\": \"srv-%u\", \"user\": null, \"tags\": [\"tag:t%u\"], ",
				      i, i % NTAGS);
		rg_buf_printf(b, "\"ips\": [\"%u.%u.%u.%u\", \"fd7a:115c:a1e0::%x:%x\"], "
			      "\"disco_key\": \"discokey:", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
			      a & 255, (i >> 16) & 0xffff, i & 0xffff);
		for (k = 0; k < 4; k++)
			rg_buf_printf(b, "%016llx", (unsigned long long)bench_rng * (k + 1) + i);
		bench_rnd(2);
		rg_buf_puts(b, "\"}");
	}
	rg_buf_puts(b, "]}\n");
}

/* As the daemon has it: the requester's key at hand (in the request), not behind a pointer. */
struct question {
	uint8_t key[32];
	uint32_t relay;          /* table relay */
	uint32_t relay_node;     /* eval node of that relay */
	uint32_t node;           /* eval node of the requester */
	uint32_t pad;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median and fastest rg_table_open, with the signature checked or (nkeys 0) not. */
static int time_load(const char *path, const struct rg_sign_key *k, size_t nkeys, double *median,
		     double *best)
{
	struct rg_table_trust trust = { (const uint8_t (*)[RG_TABLE_KEY_LEN])k->pk, nkeys, 0, 0, 0 };
	double runs[LOAD_RUNS];
	struct rg_table *t;
	struct rg_err err;
	int i;

	for (i = 0; i < LOAD_RUNS; i++) {
		double t0 = bench_seconds(CLOCK_MONOTONIC);

		if (rg_table_open(path, &trust, &t, &err) < 0) {
			fprintf(stderr, "bench_table: %s\n", err.msg);
			return -1;
		}
		runs[i] = bench_seconds(CLOCK_MONOTONIC) - t0;
		rg_table_close(t);
	}
	qsort(runs, LOAD_RUNS, sizeof(runs[0]), cmp_double);
	*median = runs[LOAD_RUNS / 2];
	*best = runs[0];
	return 0;
}

/*
 * Random (relay, requester) questions, every node a requester; the best of
 * REPS rounds (other jobs share the machine). The walk's answers must
 * match the table's.
 */
static int lookups(const struct rg_eval *e, const struct rg_table *t, double *table_rate,
		   double *walk_rate, double *allowed_share)
{
	struct question *q = malloc(NQUESTIONS * sizeof(*q));
	uint32_t relay_node[NRELAYS], r;
	size_t i, rep, yes = 0;
	double t0, t1;

	if (!q)
		return -1;
	for (r = 0; r < NRELAYS; r++) {
		char name[32];

		snprintf(name, sizeof(name), "relay-%u", r);
		relay_node[r] = (uint32_t)(rg_inventory_node(e->inv, name)->index);
	}
	for (i = 0; i < NQUESTIONS; i++) {
		q[i].relay = rg_table_relay_by_name(t, e->nodes[relay_node[i % NRELAYS]].node->name);
		q[i].relay_node = relay_node[i % NRELAYS];
		q[i].node = bench_rnd((unsigned)e->nnodes);
		memcpy(q[i].key, e->nodes[q[i].node].node->disco, sizeof(q[i].key));
	}
	*table_rate = *walk_rate = 0;
	for (rep = 0; rep < REPS; rep++) {
		yes = 0;
		t0 = bench_seconds(CLOCK_MONOTONIC);
		for (i = 0; i < 4 * NQUESTIONS; i++)
			yes += rg_table_allowed(t, q[i % NQUESTIONS].relay, q[i % NQUESTIONS].key);
		t1 = bench_seconds(CLOCK_MONOTONIC);
		if (4 * NQUESTIONS / (t1 - t0) > *table_rate)
			*table_rate = 4 * NQUESTIONS / (t1 - t0);
	}
	*allowed_share = (double)yes / (4.0 * NQUESTIONS);
	for (rep = 0; rep < REPS; rep++) {
		t0 = bench_seconds(CLOCK_MONOTONIC);
		for (i = rep * NWALK; i < (rep + 1) * NWALK; i++) {
			bool want = rg_eval_node_has_cap(e, q[i].relay_node, q[i].node, RG_CAP_RELAY);

			if (want != rg_table_allowed(t, q[i].relay, q[i].key)) {
				fprintf(stderr, "bench_table: the table and the walk disagree\n");
				free(q);
				return -1;
			}
		}
		t1 = bench_seconds(CLOCK_MONOTONIC);
		if (NWALK / (t1 - t0) > *walk_rate)
			*walk_rate = NWALK / (t1 - t0);
	}
	free(q);
	return 0;
}

static int run(unsigned nodes, const char *path)
{
	unsigned users = nodes / 4 ? nodes / 4 : 1;
	struct rg_buf pb, ib;
	struct rg_source *ps = NULL, *is = NULL;
	struct rg_policy *p = NULL;
	struct rg_inventory *inv = NULL;
	struct rg_eval *e = NULL;
	struct rg_table *t = NULL;
	struct rg_table_trust trust;
	struct rg_table_build_opts o;
	struct rg_table_build_stats st;
	struct rg_sign_key key;
	struct rg_diags d;
	struct rg_err err;
	uint8_t *table = NULL;
	size_t len = 0;
	double t0, t1, t2, load, load_best, bare, bare_best, trate = 0, wrate = 0, share = 0;
	int ret = -1;

	rg_buf_init(&pb, 0);
	rg_buf_init(&ib, 0);
	rg_diags_init(&d);
	memset(&o, 0, sizeof(o));
	if (rg_sign_key_generate(&key) < 0)
		goto out;
	gen_policy(&pb, users);
	gen_inventory(&ib, nodes, users);
	ps = rg_source_from_mem("bench-policy", pb.data, pb.len);
	is = rg_source_from_mem("bench-inventory", ib.data, ib.len);
	if (rg_buf_failed(&pb) || rg_buf_failed(&ib) || !ps || !is ||
	    rg_policy_parse(ps, &p, &d) < 0 || rg_inventory_load(is, &inv, &d) < 0 ||
	    rg_policy_validate(p, inv, &d) != 0) {
		fprintf(stderr, "bench_table: generated input is invalid: %s\n",
			d.n ? d.v[0].message : "out of memory");
		goto out;
	}
	t0 = bench_seconds(CLOCK_MONOTONIC);
	if (rg_eval_build(p, inv, &e, &err) < 0)
		goto fail;
	t1 = bench_seconds(CLOCK_MONOTONIC);
	o.serial = 1;
	o.created = (int64_t)time(NULL);
	o.key = &key;
	if (rg_table_build(e, &o, &table, &len, &st, &err) < 0 ||
	    rg_file_write_atomic(path, table, len, 0644, 0, &err) < 0)
		goto fail;
	t2 = bench_seconds(CLOCK_MONOTONIC);
	trust = (struct rg_table_trust){ (const uint8_t (*)[RG_TABLE_KEY_LEN])key.pk, 1, 0, 0, 0 };
	if (time_load(path, &key, 1, &load, &load_best) < 0 ||
	    time_load(path, &key, 0, &bare, &bare_best) < 0 ||
	    rg_table_open(path, &trust, &t, &err) < 0 ||
	    lookups(e, t, &trate, &wrate, &share) < 0)
		goto out;
	printf("table nodes=%u requesters=%u relays=%u groups=%u grants=%d relay_items=%zu "
	       "evaluate=%.0fms build+sign+write=%.0fms size=%.2fMB allowed_pairs=%llu\n", nodes,
	       st.nnodes, st.nrelays, st.nclasses, NGRANTS + 1,
	       e->nodes[rg_inventory_node(inv, "relay-0")->index].nitems, (t1 - t0) * 1e3,
	       (t2 - t1) * 1e3, (double)len / 1e6, (unsigned long long)st.allowed_pairs);
	printf("table load=%.2fms (fastest %.2fms; without the signature check %.2fms, fastest %.2fms)\n",
	       load * 1e3, load_best * 1e3, bare * 1e3, bare_best * 1e3);
	printf("table lookups/s=%.1fM (%.1fns) walk/s=%.3fM (%.2fus) speedup=%.0fx allowed=%.0f%%\n",
	       trate / 1e6, 1e9 / trate, wrate / 1e6, 1e6 / wrate, trate / wrate, share * 100);
	ret = 0;
	goto out;
fail:
	fprintf(stderr, "bench_table: %s\n", err.msg);
out:
	rg_table_close(t);
	free(table);
	rg_sign_key_wipe(&key);
	rg_eval_free(e);
	rg_inventory_free(inv);
	rg_policy_free(p);
	rg_diags_free(&d);
	rg_source_free(ps);
	rg_source_free(is);
	rg_buf_free(&pb);
	rg_buf_free(&ib);
	return ret;
}

int main(int argc, char **argv)
{
	char path[] = "/tmp/rg-bench-table-XXXXXX";
	unsigned nodes = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 100000;

	bench_rng = 0x2545f4914f6cdd1dull; /* the seed the recorded figures used */
	int fd, r;

	if (nodes < 64 * NRELAYS) {
		fprintf(stderr, "usage: bench_table [NODES >= %d]\n", 64 * NRELAYS);
		return 2;
	}
	if (argc > 2) {
		r = run(nodes, argv[2]);
		return r < 0;
	}
	fd = mkstemp(path);
	if (fd < 0)
		return 1;
	close(fd);
	r = run(nodes, path);
	unlink(path);
	return r < 0;
}

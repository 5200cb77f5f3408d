/* relaygate compile: the signed relay authorization table relaygated enforces. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/load.h"
#include "diag/emit.h"
#include "relaygate/eval.h"
#include "relaygate/policytest.h"
#include "relaygate/table.h"
#include "relaygate/table_build.h"
#include "util/file.h"

const char cmd_compile_usage[] =
	"usage: relaygate compile POLICY --inventory INV --sign-key KEY -o TABLE [--serial N]\n"
	"\n"
	"Compile the relay authorization table that relaygated enforces: for every\n"
	"relay (a node that some grant gives tailscale.com/cap/relay on), the nodes\n"
	"allowed to allocate endpoints on it (those holding cap/relay on it in the\n"
	"evaluated policy), indexed by their disco keys, with node names, the digests\n"
	"of POLICY and INV, a serial and the creation time, signed with KEY.\n"
	"\n"
	"POLICY must validate as 'relaygate validate --inventory INV' would accept it\n"
	"(its tests included). Nodes without a disco key in INV cannot be authorized;\n"
	"they are counted. Requesters (nodes allowed on some relay) are indexed by disco\n"
	"key; other nodes are not in the table. TABLE is written atomically (mode 0644).\n"
	"\n"
	"options:\n"
	"  -i, --inventory FILE  the tailnet's users and nodes with disco keys (required)\n"
	"  -k, --sign-key FILE   Ed25519 private key from 'relaygate keygen sign' (required)\n"
	"  -o, --output FILE     the table to write (required)\n"
	"  -s, --serial N        the table's serial (default: the creation time in unix\n"
	"                        seconds, or one more than the serial of the table TABLE\n"
	"                        replaces if that is higher); loaders refuse serials below\n"
	"                        their minimum, so a serial not above TABLE's is refused\n"
	"  -q, --quiet           print nothing on success\n"
	"  -h, --help            this help\n"
	"\n"
	"SOURCE_DATE_EPOCH, when set, is the creation time (for reproducible tables).\n"
	"\n"
	"Exit status: 0 written, 1 the policy is invalid, 2 usage or I/O error.\n";

static const struct option compile_opts[] = {
	{ "inventory", required_argument, NULL, 'i' },
	{ "sign-key", required_argument, NULL, 'k' },
	{ "output", required_argument, NULL, 'o' },
	{ "serial", required_argument, NULL, 's' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

static int creation_time(int64_t *out)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	uint64_t v;

	if (!sde || !*sde) {
		*out = (int64_t)time(NULL);
		return 0;
	}
	if (parse_u64(sde, &v) < 0 || v > INT64_MAX)
		return -1;
	*out = (int64_t)v;
	return 0;
}

/* Validation as 'validate --inventory' does it, then the evaluation. */
static int check_and_evaluate(struct cli_inputs *in, struct rg_diags *diags, struct rg_eval **e)
{
	struct rg_policytest_stats st = { 0, 0, 0, 0 };
	struct rg_err err;

	if (rg_policy_validate(in->policy, in->inv, diags) || rg_diags_count(diags, RG_SEV_ERROR))
		return RG_EXIT_FINDINGS;
	if (rg_eval_build(in->policy, in->inv, e, &err) < 0) {
		cli_error("compile", "%s", err.msg);
		return RG_EXIT_INTERNAL;
	}
	if ((in->policy->ntests || in->policy->nssh_tests) &&
	    rg_policytest_run_eval(in->policy, *e, diags, &st) < 0)
		return RG_EXIT_INTERNAL;
	return rg_diags_count(diags, RG_SEV_ERROR) ? RG_EXIT_FINDINGS : RG_EXIT_OK;
}

/*
 * Serials only grow: loaders refuse a table whose serial is below the one
 * they hold, so a table replacing TABLE must carry a higher serial than it.
 * 0 and *old = 0 when there is no readable table at path.
 */
static int existing_serial(const char *path, uint64_t *old)
{
	static const struct rg_table_trust unchecked = { NULL, 0, 0, 0, 0 };
	struct rg_table_info info;
	struct rg_table *t;
	struct rg_err err;

	*old = 0;
	if (access(path, F_OK) != 0)
		return 0;
	if (rg_table_open(path, &unchecked, &t, &err) < 0) {
		fprintf(stderr, "relaygate compile: note: replacing %s, which is not a table "
			"(%s)\n", path, err.msg);
		return 0;
	}
	rg_table_get_info(t, &info);
	rg_table_close(t);
	*old = info.serial;
	return 0;
}

static void print_diags(const struct rg_diags *diags)
{
	struct rg_emit_opts eo = { isatty(STDERR_FILENO) && !getenv("NO_COLOR"), NULL };
	struct rg_buf b;

	rg_buf_init(&b, 0);
	rg_emit_human(&b, diags, &eo);
	if (!rg_buf_failed(&b) && b.len)
		fwrite(b.data, 1, b.len, stderr);
	rg_buf_free(&b);
}

static void report(const char *out, const struct rg_table_build_opts *o,
		   const struct rg_table_build_stats *st, size_t len)
{
	printf("%s: serial %llu, %u relays (%u distinct allowed sets), %u requesters by disco key, "
	       "%llu allowed pairs, %zu bytes\n", out, (unsigned long long)o->serial, st->nrelays,
	       st->nclasses, st->nnodes, (unsigned long long)st->allowed_pairs, len);
	if (st->unkeyed)
		fprintf(stderr, "relaygate compile: note: %u nodes have no usable disco key and "
			"cannot be authorized (%u of them are allowed on a relay by the policy)\n",
			st->unkeyed, st->unkeyed_allowed);
}

int cmd_compile_main(int argc, char **argv)
{
	const struct cli_command *self = cli_find("compile");
	const char *inv_path = NULL, *key_path = NULL, *out_path = NULL;
	struct rg_table_build_opts o;
	struct rg_table_build_stats st;
	struct rg_sign_key key;
	struct cli_inputs in;
	struct rg_diags diags;
	struct rg_eval *e = NULL;
	struct rg_err err;
	uint8_t *table = NULL;
	size_t len = 0;
	uint64_t old_serial;
	bool quiet = false, have_serial = false;
	int c, ret;

	memset(&o, 0, sizeof(o));
	while ((c = getopt_long(argc, argv, "i:k:o:s:qh", compile_opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			inv_path = optarg;
			break;
		case 'k':
			key_path = optarg;
			break;
		case 'o':
			out_path = optarg;
			break;
		case 's':
			if (parse_u64(optarg, &o.serial) < 0)
				return cli_bad_usage(self, "--serial wants a number, not '%s'", optarg);
			have_serial = true;
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
	if (!inv_path || !key_path || !out_path)
		return cli_bad_usage(self, "--inventory, --sign-key and -o are required");
	if (creation_time(&o.created) < 0) {
		cli_error("compile", "SOURCE_DATE_EPOCH is not a number of seconds");
		return RG_EXIT_USAGE;
	}
	existing_serial(out_path, &old_serial);
	if (!have_serial)
		o.serial = (uint64_t)o.created > old_serial ? (uint64_t)o.created : old_serial + 1;
	else if (old_serial && o.serial <= old_serial) {
		cli_error("compile", "%s has serial %llu: a table replacing it needs a higher one "
			  "(relaygated refuses rollbacks); write elsewhere to publish an older serial",
			  out_path, (unsigned long long)old_serial);
		return RG_EXIT_USAGE;
	}
	if (rg_sign_key_load(key_path, &key, &err) < 0) {
		cli_error("compile", "%s", err.msg);
		return RG_EXIT_USAGE;
	}
	o.key = &key;
	rg_diags_init(&diags);
	ret = cli_load_inputs("compile", argv[optind], inv_path, &in, &diags);
	if (ret == RG_EXIT_OK)
		ret = check_and_evaluate(&in, &diags, &e);
	print_diags(&diags);
	if (diags.oom)
		ret = RG_EXIT_INTERNAL;
	if (ret == RG_EXIT_FINDINGS)
		cli_error("compile", "%s: the policy does not validate; no table written",
			  in.src ? in.src->name : argv[optind]);
	if (ret != RG_EXIT_OK)
		goto out;
	rg_table_digest(in.src->data, in.src->len, o.policy_digest);
	rg_table_digest(in.inv_src->data, in.inv_src->len, o.inventory_digest);
	if (rg_table_build(e, &o, &table, &len, &st, &err) < 0 ||
	    rg_file_write_atomic(out_path, table, len, 0644, 0, &err) < 0) {
		cli_error("compile", "%s", err.msg);
		ret = RG_EXIT_USAGE;
		goto out;
	}
	if (!quiet)
		report(out_path, &o, &st, len);
out:
	rg_sign_key_wipe(&key);
	free(table);
	rg_eval_free(e);
	rg_diags_free(&diags);
	cli_free_inputs(&in);
	return ret;
}

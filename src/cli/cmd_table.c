/* relaygate table verify|show|query: check, print and ask a compiled relay table. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/commands.h"
#include "cli/table_cli.h"
#include "diag/emit.h"
#include "policy/internal.h"
#include "relaygate/disco_key.h"
#include "relaygate/sign_key.h"
#include "util/buf.h"

#define MAX_TRUST 16

const char cmd_table_usage[] =
	"usage: relaygate table verify TABLE --trust PUB [--trust PUB...] [--min-serial N]\n"
	"                              [--max-age AGE]\n"
	"       relaygate table show TABLE [--trust PUB...] [--format text|json]\n"
	"       relaygate table query TABLE --trust PUB [--trust PUB...] --relay NODE\n"
	"                             --key DISCOKEY\n"
	"\n"
	"Work with a relay authorization table written by 'relaygate compile'.\n"
	"\n"
	"  verify  check the table's structure and its signature by one of the trusted\n"
	"          keys, its serial against --min-serial and its age against --max-age\n"
	"  show    print the header and, for each group of relays admitting the same\n"
	"          nodes, the relays and the allowed nodes (names and disco keys); without\n"
	"          --trust the signature is not checked, and the output says so\n"
	"  query   may the node with disco key DISCOKEY allocate relay endpoints on relay\n"
	"          NODE? Answered by the lookup relaygated uses\n"
	"\n"
	"options:\n"
	"  -t, --trust PUB       a file holding a trusted signing public key (as printed by\n"
	"                        'relaygate keygen sign'); repeat to accept several keys\n"
	"                        while signing keys are rotated (at most 16)\n"
	"      --min-serial N    refuse a table whose serial is lower (rollback)\n"
	"      --max-age AGE     refuse a table older than AGE: seconds, or a duration\n"
	"                        such as 90m or 24h\n"
	"  -f, --format FMT      show: text (default) or json\n"
	"  -r, --relay NODE      query: the relay's node name\n"
	"  -k, --key DISCOKEY    query: the requester's disco key (discokey: + 64 hex)\n"
	"  -h, --help            this help\n"
	"\n"
	"Exit status:\n"
	"  verify  0 valid, 1 refused (corrupt, untrusted, too old, rolled back), 2 error\n"
	"  show    0 printed, 1 refused, 2 error\n"
	"  query   0 allowed, 1 denied, 2 anything else (a refused table included), so\n"
	"          that 1 always means denied\n";

enum { OPT_MIN_SERIAL = 256, OPT_MAX_AGE };

static const struct option table_opts[] = {
	{ "trust", required_argument, NULL, 't' },
	{ "min-serial", required_argument, NULL, OPT_MIN_SERIAL },
	{ "max-age", required_argument, NULL, OPT_MAX_AGE },
	{ "format", required_argument, NULL, 'f' },
	{ "relay", required_argument, NULL, 'r' },
	{ "key", required_argument, NULL, 'k' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct args {
	const char *cmd, *path, *format, *relay, *key;
	uint8_t trusted[MAX_TRUST][RG_TABLE_KEY_LEN];
	struct rg_table_trust trust;
};

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

/* Seconds, or a Go duration ("90m", "24h"). */
static int parse_age(const char *s, uint64_t *out)
{
	char msg[128];
	int64_t ns;

	if (parse_u64(s, out) == 0)
		return 0;
	if (policy_duration_parse(s, strlen(s), &ns, msg, sizeof(msg)) < 0 || ns < 0)
		return -1;
	*out = (uint64_t)(ns / 1000000000);
	return 0;
}

static int parse_args(const struct cli_command *self, int argc, char **argv, struct args *a)
{
	struct rg_err err;
	int c;

	while ((c = getopt_long(argc, argv, "t:f:r:k:h", table_opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (a->trust.nkeys == MAX_TRUST)
				return cli_bad_usage(self, "at most %d --trust keys", MAX_TRUST);
			if (rg_sign_public_load(optarg, a->trusted[a->trust.nkeys], &err) < 0) {
				cli_error("table", "%s", err.msg);
				return RG_EXIT_USAGE;
			}
			a->trust.nkeys++;
			break;
		case OPT_MIN_SERIAL:
			if (parse_u64(optarg, &a->trust.min_serial) < 0)
				return cli_bad_usage(self, "--min-serial wants a number, not '%s'", optarg);
			break;
		case OPT_MAX_AGE:
			if (parse_age(optarg, &a->trust.max_age) < 0 || !a->trust.max_age)
				return cli_bad_usage(self, "--max-age wants a positive number of seconds "
						     "or a duration like 24h, not '%s'", optarg);
			break;
		case 'f':
			a->format = optarg;
			break;
		case 'r':
			a->relay = optarg;
			break;
		case 'k':
			a->key = optarg;
			break;
		default:
			return cli_bad_usage(self, NULL);
		}
	}
	if (optind != argc - 1)
		return cli_bad_usage(self, "expected exactly one TABLE after '%s'", a->cmd);
	a->path = argv[optind];
	a->trust.keys = (const uint8_t (*)[RG_TABLE_KEY_LEN])a->trusted;
	return -1;
}

/* Opens the table; an I/O error is RG_EXIT_USAGE, a refused table `refused`. */
static int open_table(const struct args *a, int refused, struct rg_table **t)
{
	struct rg_err err;
	int fd = open(a->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		cli_error("table", "%s: cannot open: %s", a->path, strerror(errno));
		return RG_EXIT_USAGE;
	}
	close(fd);
	if (rg_table_open(a->path, &a->trust, t, &err) < 0) {
		cli_error("table", "%s", err.msg);
		return refused;
	}
	return RG_EXIT_OK;
}

static int do_verify(const struct cli_command *self, const struct args *a)
{
	struct rg_table *t;
	struct rg_table_info i;
	char hex[2 * RG_TABLE_KEY_LEN + 1];
	int ret;

	if (!a->trust.nkeys)
		return cli_bad_usage(self, "verify needs at least one --trust key");
	if (a->format || a->relay || a->key)
		return cli_bad_usage(self, "verify takes no --format, --relay or --key");
	ret = open_table(a, RG_EXIT_FINDINGS, &t);
	if (ret != RG_EXIT_OK)
		return ret;
	rg_table_get_info(t, &i);
	sodium_bin2hex(hex, sizeof(hex), i.signer, sizeof(i.signer));
	printf("%s: ok: serial %llu, signed by %s, %u relays, %u requesters\n", a->path,
	       (unsigned long long)i.serial, hex, i.nrelays, i.nnodes);
	rg_table_close(t);
	return RG_EXIT_OK;
}

static int do_show(const struct cli_command *self, const struct args *a)
{
	const char *fmt = a->format ? a->format : "text";
	struct rg_table *t;
	int ret;

	if (strcmp(fmt, "text") != 0 && strcmp(fmt, "json") != 0)
		return cli_bad_usage(self, "unknown --format '%s' (text or json)", fmt);
	if (a->relay || a->key)
		return cli_bad_usage(self, "show takes no --relay or --key");
	ret = open_table(a, RG_EXIT_FINDINGS, &t);
	if (ret != RG_EXIT_OK)
		return ret;
	ret = table_show(a->path, t, strcmp(fmt, "json") == 0);
	rg_table_close(t);
	return ret;
}

/* Names come from the table: escaped, so that none can forge a verdict line. */
static void print_verdict(bool ok, const char *who, const char *relay)
{
	struct rg_buf b;

	rg_buf_init(&b, RG_BUF_DEFAULT_MAX);
	rg_buf_puts(&b, ok ? "allowed: " : "denied: ");
	rg_emit_text(&b, who);
	rg_buf_puts(&b, ok ? " may allocate on " : " may not allocate on ");
	rg_emit_text(&b, relay);
	rg_buf_putc(&b, '\n');
	if (!rg_buf_failed(&b))
		fwrite(b.data, 1, b.len, stdout);
	rg_buf_free(&b);
}

static int do_query(const struct cli_command *self, const struct args *a)
{
	struct rg_disco_key key;
	struct rg_table *t;
	const char *who;
	uint32_t relay;
	bool ok;
	int ret;

	if (!a->trust.nkeys || !a->relay || !a->key)
		return cli_bad_usage(self, "query needs --trust, --relay and --key");
	if (a->format)
		return cli_bad_usage(self, "query takes no --format");
	if (rg_disco_key_parse(a->key, strlen(a->key), &key) < 0)
		return cli_bad_usage(self, "--key wants \"discokey:\" and 64 hex digits, not '%s'",
				     a->key);
	ret = open_table(a, RG_EXIT_USAGE, &t);
	if (ret != RG_EXIT_OK)
		return ret;
	relay = rg_table_relay_by_name(t, a->relay);
	if (relay == RG_TABLE_NONE) {
		cli_error("table", "%s: no relay named '%s' (no grant gives cap/relay on it)", a->path,
			  a->relay);
		rg_table_close(t);
		return RG_EXIT_USAGE;
	}
	ok = rg_table_allowed(t, relay, key.b);
	who = rg_table_node_name(t, key.b);
	if (who)
		print_verdict(ok, who, a->relay);
	else
		printf("denied: %s is not in the table\n", a->key);
	rg_table_close(t);
	return ok ? RG_EXIT_OK : RG_EXIT_FINDINGS;
}

int cmd_table_main(int argc, char **argv)
{
	const struct cli_command *self = cli_find("table");
	struct args a;
	int r;

	memset(&a, 0, sizeof(a));
	if (argc < 2)
		return cli_bad_usage(self, "expected verify, show or query");
	a.cmd = argv[1];
	r = parse_args(self, argc - 1, argv + 1, &a);
	if (r >= 0)
		return r;
	if (strcmp(a.cmd, "verify") == 0)
		return do_verify(self, &a);
	if (strcmp(a.cmd, "show") == 0)
		return do_show(self, &a);
	if (strcmp(a.cmd, "query") == 0)
		return do_query(self, &a);
	return cli_bad_usage(self, "unknown subcommand '%s' (verify, show or query)", a.cmd);
}

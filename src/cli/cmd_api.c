/* relaygate api: the tailnet policy file and devices through the Tailscale API. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/commands.h"
#include "relaygate/tsapi.h"
#include "util/file.h"

const char cmd_api_usage[] =
	"usage: relaygate api pull [-o FILE] [options]\n"
	"       relaygate api validate FILE [options]\n"
	"       relaygate api push FILE [--if-match ETAG] [options]\n"
	"       relaygate api devices [-o INV] [options]\n"
	"\n"
	"Talk to the Tailscale API (or a compatible server) about the tailnet policy\n"
	"file and the devices.\n"
	"\n"
	"  pull      fetch the policy as HuJSON, comments kept; write it byte for byte\n"
	"            to FILE (default: standard output) and print its ETag on standard\n"
	"            error\n"
	"  validate  have the control plane validate FILE and run its tests; nothing\n"
	"            is changed. Errors and warnings are printed per user; warnings\n"
	"            alone do not fail\n"
	"  push      replace the tailnet policy with FILE and print the new ETag on\n"
	"            standard error; with --if-match, only if the policy still has that\n"
	"            ETag (HTTP 412 otherwise)\n"
	"  devices   write the inventory JSON, {\"users\":[...],\"nodes\":[...]}, from the\n"
	"            device list; a node's name is the first label of its MagicDNS name\n"
	"\n"
	"FILE may be '-' for standard input. Outputs are written atomically, and not at\n"
	"all on failure.\n"
	"\n"
	"options (they may come before or after the arguments):\n"
	"  -o, --output FILE         where pull and devices write ('-': standard output)\n"
	"      --if-match ETAG       push only over this version of the policy, as printed\n"
	"                            by pull (quotes optional); ts-default: only over the\n"
	"                            untouched default policy\n"
	"      --tailnet NAME        the tailnet (default: $TS_TAILNET, else '-', the\n"
	"                            credential's own tailnet)\n"
	"      --base-url URL        scheme://host[:port] (default: " RG_TSAPI_DEFAULT_BASE_URL
	");\n"
	"                            plain http is refused but to a loopback address\n"
	"      --cacert FILE         trust the CA certificates in FILE (PEM) instead of\n"
	"                            the system's, e.g. for a self-hosted server\n"
	"      --connect-timeout S   seconds per connection attempt (default: 10)\n"
	"      --timeout S           seconds per request attempt, transfer included\n"
	"                            (default: 60)\n"
	"      --retries N           extra attempts after HTTP 429 or 5xx or a connection\n"
	"                            failure, with backoff, honouring Retry-After\n"
	"                            (default: 3, at most 10; 60 s of waiting at most)\n"
	"  -h, --help                show this help\n"
	"\n"
	"Credentials come from the environment only, never from the command line:\n"
	"  TS_API_KEY                an API key (tskey-api-...), or else\n"
	"  TS_OAUTH_CLIENT_ID        an OAuth client (scopes: policy_file, or\n"
	"  TS_OAUTH_CLIENT_SECRET    policy_file:read to pull and validate;\n"
	"                            devices:core:read for devices); the access token is\n"
	"                            fetched once per run and kept in memory only\n"
	"Setting both kinds is an error.\n"
	"\n"
	"Exit status: 0 success; 1 refused by the API (an HTTP error after the retries,\n"
	"412, failed validation), with its message and HTTP status; 2 usage, missing\n"
	"credentials, network or I/O error.\n";

enum {
	OPT_IF_MATCH = 256,
	OPT_TAILNET,
	OPT_BASE_URL,
	OPT_CACERT,
	OPT_CONNECT_TIMEOUT,
	OPT_TIMEOUT,
	OPT_RETRIES,
};

static const struct option api_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "if-match", required_argument, NULL, OPT_IF_MATCH },
	{ "tailnet", required_argument, NULL, OPT_TAILNET },
	{ "base-url", required_argument, NULL, OPT_BASE_URL },
	{ "cacert", required_argument, NULL, OPT_CACERT },
	{ "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

enum api_cmd { API_PULL, API_VALIDATE, API_PUSH, API_DEVICES };

static const struct {
	const char *name;
	int nargs;      /* positional arguments after the command */
	int output;     /* takes -o */
} api_cmds[] = {
	[API_PULL] = { "pull", 0, 1 },
	[API_VALIDATE] = { "validate", 1, 0 },
	[API_PUSH] = { "push", 1, 0 },
	[API_DEVICES] = { "devices", 0, 1 },
};

#define NCMDS (sizeof(api_cmds) / sizeof(api_cmds[0]))

struct api_args {
	enum api_cmd cmd;
	const char *label;    /* "api pull", for messages */
	const char *file;
	const char *output;
	const char *if_match;
};

/* Seconds (fractions allowed) to milliseconds, 1 ms to the library's maximum. */
static int parse_seconds(const char *s, long *ms)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (end == s || *end != '\0' || errno || !isfinite(d) || d <= 0 ||
	    d * 1000 > (double)RG_TSAPI_MAX_TIMEOUT_MS)
		return -1;
	*ms = (long)ceil(d * 1000);
	return 0;
}

static int parse_retries(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno || v < 0 || v > RG_TSAPI_MAX_RETRIES)
		return -1;
	*out = (int)v;
	return 0;
}

static void on_retry(void *ctx, const struct rg_tsapi_retry *r)
{
	fprintf(stderr, "relaygate %s: %s; retrying in %.1f s (attempt %d of %d)\n",
		(const char *)ctx, r->reason, (double)r->delay_ms / 1000, r->attempt + 1,
		r->max_attempts);
}

/* Parses argv into a and cfg; returns -1 after a usage message (exit 2). */
static int parse_args(const struct cli_command *self, int argc, char **argv, struct api_args *a,
		      struct rg_tsapi_config *cfg)
{
	const char *name;
	size_t i;
	int c;

	while ((c = getopt_long(argc, argv, "o:h", api_opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			a->output = optarg;
			break;
		case OPT_IF_MATCH:
			a->if_match = optarg;
			break;
		case OPT_TAILNET:
			cfg->tailnet = optarg;
			break;
		case OPT_BASE_URL:
			cfg->base_url = optarg;
			break;
		case OPT_CACERT:
			cfg->ca_file = optarg;
			break;
		case OPT_CONNECT_TIMEOUT:
		case OPT_TIMEOUT:
			if (parse_seconds(optarg, c == OPT_TIMEOUT ? &cfg->timeout_ms
								   : &cfg->connect_timeout_ms) < 0)
				return cli_bad_usage(self, "--%s: expected seconds (more than 0, "
						     "at most 3600)", c == OPT_TIMEOUT ? "timeout"
						     : "connect-timeout"), -1;
			break;
		case OPT_RETRIES:
			if (parse_retries(optarg, &cfg->retries) < 0)
				return cli_bad_usage(self, "--retries: expected 0 to %d",
						     RG_TSAPI_MAX_RETRIES), -1;
			break;
		default:
			return cli_bad_usage(self, NULL), -1;
		}
	}
	if (optind >= argc)
		return cli_bad_usage(self, "expected a command: pull, validate, push or devices"), -1;
	name = argv[optind++];
	for (i = 0; i < NCMDS && strcmp(name, api_cmds[i].name) != 0; i++)
		;
	if (i == NCMDS)
		return cli_bad_usage(self, "unknown command '%s'", name), -1;
	a->cmd = (enum api_cmd)i;
	if (argc - optind != api_cmds[i].nargs)
		return cli_bad_usage(self, api_cmds[i].nargs ? "%s: expected exactly one FILE"
							     : "%s: expected no arguments", name), -1;
	if (api_cmds[i].nargs)
		a->file = argv[optind];
	if (a->output && !api_cmds[i].output)
		return cli_bad_usage(self, "%s: -o is for pull and devices", name), -1;
	if (a->if_match && a->cmd != API_PUSH)
		return cli_bad_usage(self, "%s: --if-match is for push", name), -1;
	return 0;
}

/* Writes data to path atomically, or to standard output for NULL or "-". */
static int write_output(const char *label, const char *path, const void *data, size_t len)
{
	struct rg_err err;
	mode_t mask;

	if (!path || strcmp(path, "-") == 0) {
		/* Flushed here: the ETag printed next must mean the body arrived. */
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
			cli_error(label, "error writing to standard output");
			return -1;
		}
		return 0;
	}
	mask = umask(0);
	umask(mask);
	if (rg_file_write_atomic(path, data, len, 0666 & ~mask, 0, &err) < 0) {
		cli_error(label, "%s", err.msg);
		return -1;
	}
	return 0;
}

/* Prints a failure and picks the exit status: 1 if the API refused, else 2. */
static int report(const struct api_args *a, const struct rg_tsapi_error *err,
		  const struct rg_tsapi_reply *rep)
{
	if (err->kind == RG_TSAPI_FAIL_API)
		cli_error(a->label, "%s%srefused by the API: %s", a->file ? a->file : "",
			  a->file ? ": " : "", err->err.msg);
	else
		cli_error(a->label, "%s%s%s", a->file ? a->file : "", a->file ? ": " : "",
			  err->err.msg);
	if (rep->notes)
		fputs(rep->notes, stderr);
	return err->kind == RG_TSAPI_FAIL_API ? RG_EXIT_FINDINGS : RG_EXIT_USAGE;
}

static int run(struct rg_tsapi *api, const struct api_args *a, const char *input, size_t ilen,
	       struct rg_tsapi_reply *rep, struct rg_tsapi_error *err)
{
	struct rg_err ierr;
	char *inv = NULL;
	size_t invlen = 0;
	int ret = RG_EXIT_USAGE;

	switch (a->cmd) {
	case API_PULL:
		if (rg_tsapi_policy_get(api, rep, err) < 0)
			return report(a, err, rep);
		if (write_output(a->label, a->output, rep->body, rep->len) < 0)
			return RG_EXIT_USAGE;
		break;
	case API_VALIDATE:
		if (rg_tsapi_policy_validate(api, input, ilen, rep, err) < 0)
			return report(a, err, rep);
		if (rep->notes) {
			cli_error(a->label, "%s: valid, with warnings: %s", a->file,
				  rep->message ? rep->message : "");
			fputs(rep->notes, stderr);
		}
		return RG_EXIT_OK;
	case API_PUSH:
		if (rg_tsapi_policy_set(api, input, ilen, a->if_match, rep, err) < 0)
			return report(a, err, rep);
		break;
	case API_DEVICES:
		if (rg_tsapi_devices_get(api, rep, err) < 0)
			return report(a, err, rep);
		if (rg_tsapi_inventory_from_devices(rep->body, rep->len, &inv, &invlen, &ierr) < 0) {
			cli_error(a->label, "%s", ierr.msg);
			return RG_EXIT_USAGE;
		}
		ret = write_output(a->label, a->output, inv, invlen) < 0 ? RG_EXIT_USAGE
									 : RG_EXIT_OK;
		free(inv);
		return ret;
	}
	/* pull and push: the version now in force, for a later --if-match. */
	if (rep->etag)
		fprintf(stderr, "%s\n", rep->etag);
	else
		cli_error(a->label, "warning: the response carried no ETag");
	return RG_EXIT_OK;
}

int cmd_api_main(int argc, char **argv)
{
	const struct cli_command *self = cli_find("api");
	struct api_args a = { 0 };
	struct rg_tsapi_config cfg;
	struct rg_tsapi_error err = { 0 };
	struct rg_tsapi_reply rep = { 0 };
	struct rg_tsapi *api = NULL;
	struct rg_err ferr;
	char label[32];
	char *input = NULL;
	size_t ilen = 0;
	int ret = RG_EXIT_USAGE;

	rg_tsapi_config_init(&cfg);
	if (parse_args(self, argc, argv, &a, &cfg) < 0)
		return RG_EXIT_USAGE;
	snprintf(label, sizeof(label), "api %s", api_cmds[a.cmd].name);
	a.label = label;
	cfg.on_retry = on_retry;
	cfg.ctx = label;
	if (rg_tsapi_config_from_env(&cfg, &err) < 0 || rg_tsapi_new(&cfg, &api, &err) < 0) {
		cli_error(label, "%s", err.err.msg);
		goto out;
	}
	if (a.file && rg_file_read(a.file, RG_TSAPI_MAX_POLICY, &input, &ilen, &ferr) < 0) {
		cli_error(label, "%s", ferr.msg);
		goto out;
	}
	ret = run(api, &a, input, ilen, &rep, &err);
out:
	rg_tsapi_reply_clear(&rep);
	rg_tsapi_free(api);
	free(input);
	return ret;
}

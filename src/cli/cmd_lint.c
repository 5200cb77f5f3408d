/* relaygate lint: risky grants and hygiene, located, in five formats. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/lint_settings.h"
#include "cli/load.h"
#include "diag/emit.h"
#include "relaygate/lint.h"
#include "util/file.h"

const char cmd_lint_usage[] =
	"usage: relaygate lint [options] FILE...\n"
	"\n"
	"Check tailnet policy files ('-' for standard input) for syntax errors, what\n"
	"Tailscale's control plane would reject, risky grants (peer relays, wildcards,\n"
	"broad owners) and hygiene (unused names, duplicate and shadowed rules).\n"
	"'relaygate rules' lists the rules, 'relaygate explain RULE' documents one.\n"
	"\n"
	"options:\n"
	"  -f, --format FMT             human, gcc, json, sarif or github\n"
	"                               (default: human on a terminal, else gcc)\n"
	"      --fail-on LEVEL          error, warning (default), info or none\n"
	"      --ignore RULE[,RULE]     do not report these rules (ID or slug)\n"
	"      --severity RULE=LEVEL    report RULE as error, warning, info or none\n"
	"      --no-pragmas             ignore relaygate:ignore comments\n"
	"      --relay-max-group-size N groups with more than N members (or, with\n"
	"                               --inventory, devices) are broad relay\n"
	"                               sources (default 25)\n"
	"  -c, --config FILE            use FILE, not the nearest .relaygate.hujson\n"
	"      --no-config              use no configuration file\n"
	"  -i, --inventory FILE         the tailnet's users and nodes (relay-unmatched)\n"
	"      --stdin-filename NAME    the name of '-' in findings\n"
	"      --color WHEN             auto (default), always or never (human format)\n"
	"  -q, --quiet                  no summary line (human format)\n"
	"  -h, --help                   this help\n"
	"\n"
	"Settings come from the flags, then RELAYGATE_FORMAT, RELAYGATE_FAIL_ON,\n"
	"RELAYGATE_IGNORE, RELAYGATE_SEVERITY, RELAYGATE_NO_PRAGMAS,\n"
	"RELAYGATE_RELAY_MAX_GROUP_SIZE and RELAYGATE_CONFIG, then the\n"
	".relaygate.hujson found from each file's directory upwards. NO_COLOR is\n"
	"honoured.\n"
	"\n"
	"Exit status: 0 no finding at or above --fail-on, 1 findings, 2 usage,\n"
	"configuration or I/O error.\n";

enum { O_FAIL_ON = 256, O_IGNORE, O_SEVERITY, O_NO_PRAGMAS, O_MAX_GROUP, O_NO_CONFIG,
       O_STDIN_NAME, O_COLOR };

static const struct option lint_opts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "fail-on", required_argument, NULL, O_FAIL_ON },
	{ "ignore", required_argument, NULL, O_IGNORE },
	{ "severity", required_argument, NULL, O_SEVERITY },
	{ "no-pragmas", no_argument, NULL, O_NO_PRAGMAS },
	{ "relay-max-group-size", required_argument, NULL, O_MAX_GROUP },
	{ "config", required_argument, NULL, 'c' },
	{ "no-config", no_argument, NULL, O_NO_CONFIG },
	{ "inventory", required_argument, NULL, 'i' },
	{ "stdin-filename", required_argument, NULL, O_STDIN_NAME },
	{ "color", required_argument, NULL, O_COLOR },
	{ "colour", required_argument, NULL, O_COLOR },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

enum format { F_HUMAN, F_GCC, F_JSON, F_SARIF, F_GITHUB };

static int parse_format(const char *s, enum format *out)
{
	static const char *const names[] = { "human", "gcc", "json", "sarif", "github" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum format)i;
			return 0;
		}
	return -1;
}

struct lint_run {
	struct cli_lint_settings set;
	enum format format;
	bool have_format, quiet;
	int color;                   /* -1 auto, 0 never, 1 always */
	const char *inv_path, *stdin_name;
	struct rg_source *inv_src;
	struct rg_inventory *inv;
	struct rg_source **srcs;     /* kept alive for the findings */
	size_t nsrcs;
	struct rg_diags diags;
	size_t files;
	bool failed, io_error;
};

static int parse_args(struct lint_run *run, int argc, char **argv)
{
	const struct cli_command *self = cli_find("lint");
	const char *env_format = getenv("RELAYGATE_FORMAT");
	int c;

	if (env_format && *env_format) {
		if (parse_format(env_format, &run->format) < 0)
			return cli_bad_usage(self, "RELAYGATE_FORMAT: unknown format '%s'", env_format);
		run->have_format = true;
	}
	if (cli_settings_from_env(&run->set) < 0)
		return RG_EXIT_USAGE;
	while ((c = getopt_long(argc, argv, "f:c:i:qh", lint_opts, NULL)) != -1) {
		int r = 0;

		switch (c) {
		case 'f':
			if (parse_format(optarg, &run->format) < 0)
				return cli_bad_usage(self, "unknown --format '%s' (human, gcc, json, "
						     "sarif or github)", optarg);
			run->have_format = true;
			break;
		case O_FAIL_ON: r = cli_settings_add(&run->set, "--fail-on", "fail-on", optarg); break;
		case O_IGNORE: r = cli_settings_add(&run->set, "--ignore", "ignore", optarg); break;
		case O_SEVERITY: r = cli_settings_add(&run->set, "--severity", "severity", optarg); break;
		case O_NO_PRAGMAS:
			r = cli_settings_add(&run->set, "--no-pragmas", "pragmas", "false");
			break;
		case O_MAX_GROUP:
			r = cli_settings_add(&run->set, "--relay-max-group-size", "relay-max-group-size",
					     optarg);
			break;
		case 'c':
			run->set.config = optarg;
			run->set.no_config = false;
			break;
		case O_NO_CONFIG:
			run->set.no_config = true;
			break;
		case 'i': run->inv_path = optarg; break;
		case O_STDIN_NAME: run->stdin_name = optarg; break;
		case O_COLOR:
			if (strcmp(optarg, "auto") == 0)
				run->color = -1;
			else if (strcmp(optarg, "always") == 0)
				run->color = 1;
			else if (strcmp(optarg, "never") == 0)
				run->color = 0;
			else
				return cli_bad_usage(self, "unknown --color '%s' (auto, always or never)",
						     optarg);
			break;
		case 'q': run->quiet = true; break;
		default: return cli_bad_usage(self, NULL);
		}
		if (r < 0)
			return RG_EXIT_USAGE;
	}
	if (optind >= argc)
		return cli_bad_usage(self, "expected at least one FILE");
	if (!run->have_format)
		run->format = isatty(STDOUT_FILENO) ? F_HUMAN : F_GCC;
	return RG_EXIT_OK;
}

/* Lints one file; findings go to run->diags. */
static int lint_file(struct lint_run *run, const char *path, const struct rg_lint_cfgfile *file)
{
	struct rg_lint_config cfg;
	struct rg_source *src, **v;
	struct rg_err err;
	size_t base = run->diags.n, i;

	cli_settings_effective(&run->set, file, &cfg);
	src = rg_source_load(path, RG_FILE_MAX_INPUT, &err);
	if (!src) {
		cli_error("lint", "%s", err.msg);
		run->io_error = true;
		return RG_EXIT_OK;
	}
	if (strcmp(path, "-") == 0 && run->stdin_name) {
		char *name = strdup(run->stdin_name);

		if (!name) {
			rg_source_free(src);
			return RG_EXIT_INTERNAL;
		}
		free(src->name);
		src->name = name;
	}
	v = realloc(run->srcs, (run->nsrcs + 1) * sizeof(*v));
	if (!v) {
		rg_source_free(src);
		return RG_EXIT_INTERNAL;
	}
	run->srcs = v;
	v[run->nsrcs++] = src;
	run->files++;
	if (rg_lint_source(src, run->inv, &cfg, &run->diags, &err) < 0) {
		cli_error("lint", "%s: %s", src->name, err.msg);
		return RG_EXIT_INTERNAL;
	}
	for (i = base; i < run->diags.n; i++)
		if (rg_lint_fails(&run->diags.v[i], &cfg))
			run->failed = true;
	return RG_EXIT_OK;
}

static void human_summary(struct rg_buf *out, const struct lint_run *run)
{
	struct rg_emit_summary s;

	rg_emit_summarize(&run->diags, run->files, &s);
	if (!s.errors && !s.warnings && !s.infos && !s.suppressed)
		return;
	rg_buf_printf(out, "%zu error%s, %zu warning%s, %zu info in %zu file%s", s.errors,
		      s.errors == 1 ? "" : "s", s.warnings, s.warnings == 1 ? "" : "s", s.infos,
		      s.files, s.files == 1 ? "" : "s");
	if (s.suppressed)
		rg_buf_printf(out, " (%zu suppressed)", s.suppressed);
	rg_buf_putc(out, '\n');
}

static int emit(struct lint_run *run)
{
	struct rg_emit_opts eo = { false, rg_lint_rule_id_of };
	struct rg_buf out;
	int ret = RG_EXIT_OK;

	rg_buf_init(&out, 0);
	switch (run->format) {
	case F_HUMAN:
		eo.color = run->color < 0 ? cli_color(STDOUT_FILENO) : run->color == 1;
		rg_emit_human(&out, &run->diags, &eo);
		if (!run->quiet)
			human_summary(&out, run);
		break;
	case F_GCC: rg_emit_gcc(&out, &run->diags, &eo); break;
	case F_JSON: rg_emit_json(&out, &run->diags, run->files, &eo); break;
	case F_SARIF: rg_emit_sarif(&out, &run->diags, &eo); break;
	case F_GITHUB: rg_emit_github(&out, &run->diags, &eo); break;
	}
	if (rg_buf_failed(&out) || run->diags.oom) {
		cli_error("lint", "out of memory");
		ret = RG_EXIT_INTERNAL;
	} else if (out.len && fwrite(out.data, 1, out.len, stdout) != out.len) {
		ret = RG_EXIT_USAGE; /* main reports the write error */
	}
	rg_buf_free(&out);
	return ret;
}

int cmd_lint_main(int argc, char **argv)
{
	struct lint_run run;
	const struct rg_lint_cfgfile **files = NULL;
	int ret, i, nfiles, stdin_seen = 0;

	memset(&run, 0, sizeof(run));
	run.color = -1;
	cli_settings_init(&run.set);
	rg_diags_init(&run.diags);
	ret = parse_args(&run, argc, argv);
	if (ret != RG_EXIT_OK)
		goto out;
	nfiles = argc - optind; /* >= 1: parse_args checked */
	for (i = optind; i < argc; i++)
		stdin_seen += strcmp(argv[i], "-") == 0;
	if (stdin_seen > 1 || (stdin_seen && run.inv_path && strcmp(run.inv_path, "-") == 0)) {
		ret = cli_bad_usage(cli_find("lint"), "standard input ('-') can be read only once");
		goto out;
	}
	/* Every configuration first, so that a bad one stops the run before any output. */
	files = calloc((size_t)nfiles + 1, sizeof(*files));
	if (!files) {
		ret = RG_EXIT_INTERNAL;
		goto out;
	}
	for (i = 0; i < nfiles; i++)
		if (cli_settings_file_for(&run.set, argv[optind + i], &files[i]) < 0) {
			ret = RG_EXIT_USAGE;
			goto out;
		}
	if (run.inv_path &&
	    (ret = cli_load_inventory("lint", run.inv_path, &run.inv_src, &run.inv)) != RG_EXIT_OK)
		goto out;
	for (i = 0; i < nfiles; i++)
		if ((ret = lint_file(&run, argv[optind + i], files[i])) != RG_EXIT_OK)
			goto out;
	ret = emit(&run);
	if (ret == RG_EXIT_OK)
		ret = run.io_error ? RG_EXIT_USAGE : run.failed ? RG_EXIT_FINDINGS : RG_EXIT_OK;
out:
	free(files);
	rg_diags_free(&run.diags);
	for (size_t k = 0; k < run.nsrcs; k++)
		rg_source_free(run.srcs[k]);
	free(run.srcs);
	rg_inventory_free(run.inv);
	rg_source_free(run.inv_src);
	cli_settings_free(&run.set);
	return ret;
}

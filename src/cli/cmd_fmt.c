/* relaygate fmt: rewrite policies in the canonical HuJSON layout. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/commands.h"
#include "cli/lint_settings.h"
#include "cli/load.h"
#include "relaygate/hujson.h"
#include "util/file.h"

const char cmd_fmt_usage[] =
	"usage: relaygate fmt [--check] FILE...\n"
	"\n"
	"Rewrite each FILE in relaygate's canonical HuJSON layout: tab indentation,\n"
	"short objects and arrays on one line when they were written on one line,\n"
	"aligned member values, a comma after every element of a multi-line object\n"
	"or array, comments kept in place. Values are copied byte for byte, so the\n"
	"policy means exactly what it meant. A file is replaced (atomically) only\n"
	"when its content changes. '-' formats standard input to standard output.\n"
	"\n"
	"options:\n"
	"  -c, --check  change nothing: list the files that are not formatted\n"
	"  -h, --help   this help\n"
	"\n"
	"Exit status: 0 formatted (or already so), 1 a file is not valid HuJSON (or,\n"
	"with --check, not formatted), 2 a file cannot be read or written.\n";

static const struct option fmt_opts[] = {
	{ "check", no_argument, NULL, 'c' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Prints a syntax error the way lint does, with its line and caret. */
static void syntax_error(struct rg_source *src, const struct rg_hujson_error *herr)
{
	struct rg_pos pos = rg_source_pos(src, herr->offset);
	struct rg_diags d;

	rg_diags_init(&d);
	rg_diag_add(&d, RG_RULE_SYNTAX, RG_SEV_ERROR, src,
		    (struct rg_span){ (uint32_t)herr->offset, (uint32_t)herr->offset + 1 },
		    "hujson: line %u, column %u: %s", pos.line, pos.col, herr->msg);
	cli_print_diags("fmt", &d);
	rg_diags_free(&d);
}

/* Replaces path with data, keeping its permissions; a symbolic link's target is rewritten. */
static int rewrite(const char *path, const char *data, size_t len)
{
	char target[PATH_MAX];
	struct rg_err err;
	struct stat st;

	if (!realpath(path, target) || stat(target, &st) < 0) {
		cli_error("fmt", "%s: cannot resolve the path", path);
		return -1;
	}
	if (rg_file_write_atomic(target, data, len, st.st_mode & 07777, 0, &err) < 0) {
		cli_error("fmt", "%s", err.msg);
		return -1;
	}
	return 0;
}

/* Formats one file: RG_EXIT_OK, RG_EXIT_FINDINGS (--check, not formatted) or an error. */
static int fmt_file(const char *path, bool check)
{
	struct rg_hujson_error herr;
	struct rg_hujson_doc *doc = NULL;
	struct rg_source *src;
	struct rg_err err;
	char *out = NULL;
	size_t len = 0;
	bool stdio = strcmp(path, "-") == 0, same;
	int ret = RG_EXIT_USAGE;

	src = rg_source_load(path, RG_FILE_MAX_INPUT, &err);
	if (!src) {
		cli_error("fmt", "%s", err.msg);
		return RG_EXIT_USAGE;
	}
	if (rg_hujson_parse(src, RG_HUJSON_TREE, &doc, &herr) < 0) {
		/* A syntax error is the input judged and found wanting, as in lint. */
		if (herr.offset == 0 && strcmp(herr.msg, "out of memory") == 0) {
			ret = RG_EXIT_INTERNAL;
		} else {
			syntax_error(src, &herr);
			ret = RG_EXIT_FINDINGS;
		}
		goto out;
	}
	out = rg_hujson_format(doc, &len);
	if (!out) {
		cli_error("fmt", "%s: out of memory", src->name);
		ret = RG_EXIT_INTERNAL;
		goto out;
	}
	same = len == src->len && memcmp(out, src->data, len) == 0;
	if (check) {
		if (!same)
			printf("%s\n", src->name);
		ret = same ? RG_EXIT_OK : RG_EXIT_FINDINGS;
	} else if (stdio) {
		ret = fwrite(out, 1, len, stdout) == len ? RG_EXIT_OK : RG_EXIT_USAGE;
	} else {
		ret = same || rewrite(path, out, len) == 0 ? RG_EXIT_OK : RG_EXIT_USAGE;
	}
out:
	free(out);
	rg_hujson_doc_free(doc);
	rg_source_free(src);
	return ret;
}

int cmd_fmt_main(int argc, char **argv)
{
	const struct cli_command *self = cli_find("fmt");
	bool check = false;
	int c, i, ret = RG_EXIT_OK, stdin_seen = 0;

	while ((c = getopt_long(argc, argv, "ch", fmt_opts, NULL)) != -1) {
		if (c != 'c')
			return cli_bad_usage(self, NULL);
		check = true;
	}
	if (optind >= argc)
		return cli_bad_usage(self, "expected at least one FILE");
	for (i = optind; i < argc; i++)
		stdin_seen += strcmp(argv[i], "-") == 0;
	if (stdin_seen > 1)
		return cli_bad_usage(self, "standard input ('-') can be read only once");
	for (i = optind; i < argc; i++) {
		int r = fmt_file(argv[i], check);

		/* The worst outcome wins: internal > usage/I/O > not formatted. */
		if (r > ret)
			ret = r;
	}
	return ret;
}

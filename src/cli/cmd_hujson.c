/* relaygate hujson FILE: the syntax layer alone. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/commands.h"
#include "relaygate/hujson.h"
#include "util/buf.h"
#include "util/excerpt.h"
#include "util/file.h"

const char cmd_hujson_usage[] =
	"usage: relaygate hujson FILE\n"
	"\n"
	"Check FILE ('-' for standard input) against Tailscale's HuJSON grammar\n"
	"(JSON with comments and trailing commas). When it is valid, print the\n"
	"standardized JSON (comments and trailing commas blanked, so offsets are\n"
	"kept) and exit 0; otherwise print the reference parser's message\n"
	"('hujson: line L, column C: ...') with the location and exit 1.\n"
	"Unlike the reference, invalid UTF-8 is rejected inside strings too.\n"
	"\n"
	"Exit status: 0 valid, 1 invalid, 2 usage or I/O error.\n";

static const struct option hujson_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_hujson_main(int argc, char **argv)
{
	const struct cli_command *self = cli_find("hujson");
	struct rg_source *src = NULL;
	struct rg_hujson_doc *doc = NULL;
	struct rg_hujson_error herr;
	struct rg_err err;
	char *std = NULL;
	size_t slen;
	int c, ret = RG_EXIT_USAGE;

	while ((c = getopt_long(argc, argv, "h", hujson_opts, NULL)) != -1)
		return cli_bad_usage(self, NULL);
	if (optind != argc - 1)
		return cli_bad_usage(self, "expected exactly one FILE");
	src = rg_source_load(argv[optind], RG_FILE_MAX_INPUT, &err);
	if (!src) {
		cli_error("hujson", "%s", err.msg);
		goto out;
	}
	if (rg_hujson_parse(src, 0, &doc, &herr) < 0) {
		struct rg_pos pos = rg_source_pos(src, herr.offset);
		struct rg_buf b;
		char text[512];

		rg_hujson_error_text(src, &herr, text, sizeof(text));
		rg_buf_init(&b, 0);
		rg_buf_printf(&b, "%s:%u:%u: %s\n", src->name, pos.line, pos.col, text);
		rg_excerpt_append(&b, src, (struct rg_span){ (uint32_t)herr.offset,
							     (uint32_t)herr.offset + 1 },
				  "    ", "", "");
		if (!rg_buf_failed(&b))
			fputs(b.data, stderr);
		rg_buf_free(&b);
		ret = RG_EXIT_FINDINGS;
		goto out;
	}
	std = rg_hujson_standardize(doc, &slen);
	if (!std) {
		cli_error("hujson", "out of memory");
		ret = RG_EXIT_INTERNAL;
		goto out;
	}
	if (fwrite(std, 1, slen, stdout) != slen) {
		cli_error("hujson", "error writing to standard output");
		goto out;
	}
	ret = RG_EXIT_OK;
out:
	free(std);
	rg_hujson_doc_free(doc);
	rg_source_free(src);
	return ret;
}

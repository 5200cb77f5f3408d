/* Matrix renderers: escaping per format, the table within the width, structure of each format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "matrix/text.h"
#include "matrix_fixture.h"
#include "util/utf8.h"

/*
 * A node name that tries every format: terminal escape, CSV, HTML, Markdown,
 * DOT. The inventory loader refuses control characters, so the name is put
 * in after loading: the renderers must be safe on their own.
 */
#define EVIL "=ev\x1b[2Jil|<b>\"x\\y,*_"

static const char inventory[] =
	"{\"nodes\": [\n"
	"  {\"name\": \"=evil\", \"user\": \"alice@example.com\", \"ips\": [\"100.64.0.1\"]},\n"
	"  {\"name\": \"a-rather-long-laptop-name-for-wrapping\", \"user\": \"bob@example.com\",\n"
	"   \"ips\": [\"100.64.0.2\"]},\n"
	"  {\"name\": \"web\", \"user\": null, \"tags\": [\"tag:web\"], \"ips\": [\"100.64.1.1\"]},\n"
	"  {\"name\": \"db\", \"user\": null, \"tags\": [\"tag:db\"], \"ips\": [\"100.64.2.1\"]},\n"
	"  {\"name\": \"relay\", \"user\": null, \"tags\": [\"tag:relay\"],\n"
	"   \"ips\": [\"100.64.3.1\"]}\n"
	"]}\n";

static const char policy[] =
	"{\"tagOwners\": {\"tag:web\": [], \"tag:db\": [], \"tag:relay\": []},\n"
	" \"grants\": [\n"
	"  {\"src\": [\"alice@example.com\", \"bob@example.com\"],\n"
	"   \"dst\": [\"tag:web\", \"tag:db\"],\n"
	"   \"ip\": [\"tcp:22\", \"tcp:80\", \"tcp:443\", \"tcp:8000-8999\", \"udp:53\"]},\n"
	"  {\"src\": [\"tag:web\"], \"dst\": [\"tag:db\"], \"ip\": [\"tcp:5432\"]},\n"
	"  {\"src\": [\"*\"], \"dst\": [\"tag:relay\"], \"ip\": [\"*\"],\n"
	"   \"app\": {\"tailscale.com/cap/relay\": [],\n"
	"            \"example.com/cap/a-very-long-capability-name\": []}}\n"
	" ]}\n";

static void expect_esc(void (*fn)(struct rg_buf *, const char *), const char *in, const char *want)
{
	struct rg_buf b;

	rg_buf_init(&b, 0);
	fn(&b, in);
	assert_false(rg_buf_failed(&b));
	assert_string_equal(b.data ? b.data : "", want);
	rg_buf_free(&b);
}

static void test_escaping(void **state)
{
	(void)state;
	expect_esc(esc_csv, "plain", "plain");
	expect_esc(esc_csv, "a,b", "\"a,b\"");
	expect_esc(esc_csv, "say \"hi\"", "\"say \"\"hi\"\"\"");
	expect_esc(esc_csv, "two\nlines", "\"two\nlines\"");
	expect_esc(esc_csv, " pad", "\" pad\"");
	expect_esc(esc_csv, "=SUM(A1)", "\"'=SUM(A1)\"");
	expect_esc(esc_csv, "@x", "\"'@x\"");
	expect_esc(esc_csv, "", "");
	expect_esc(esc_html, "<a href=\"x\">&'", "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
	expect_esc(esc_md, "a|b*c_d`e[f]<g>~h&i$j\\",
		   "a\\|b\\*c\\_d\\`e\\[f\\]\\<g\\>\\~h\\&i\\$j\\\\");
	expect_esc(esc_md, "two\nlines", "two lines");
	expect_esc(esc_md, "db-1.example", "db-1.example");
	expect_esc(esc_dot, "a\"b\\c\nd", "a\\\"b\\\\c\\nd");
	expect_esc(text_sanitize, "a\x1b[31mb\x7f", "a?[31mb?");
	expect_esc(text_sanitize, "caf\xc3\xa9 \xff \xc2\x9b", "caf\xc3\xa9 ? ?");
}

static char *render(const struct rg_matrix *m, enum rg_matrix_format f, unsigned width,
		    size_t limit)
{
	struct rg_matrix_render_opts o = { width, limit, "policy.hujson" };
	struct rg_err err;
	char *out = NULL;
	size_t len;

	assert_int_equal(rg_matrix_render(m, f, &o, &out, &len, &err), 0);
	assert_int_equal(strlen(out), len);
	return out;
}

static struct rg_matrix *build(struct fx *f)
{
	struct rg_matrix_opts o = { NULL, RG_MATRIX_GROUP_NEVER, 0 };

	memset(f, 0, sizeof(*f));
	fx_inventory(f, inventory);
	assert_string_equal(f->inv->nodes[0].name, "=evil");
	f->inv->nodes[0].name = EVIL;
	fx_policy(f, 0, policy);
	return fx_matrix(f, 0, &o);
}

/* Every line at most width columns; returns the number of lines. */
static size_t check_width(const char *s, unsigned width)
{
	size_t lines = 0;

	while (*s) {
		const char *nl = strchr(s, '\n');

		assert_non_null(nl); /* ends with a newline */
		if (text_width(s, (size_t)(nl - s)) > width) {
			print_error("line wider than %u: %.*s\n", width, (int)(nl - s), s);
			fail();
		}
		lines++;
		s = nl + 1;
	}
	return lines;
}

static void test_table_widths(void **state)
{
	static const unsigned widths[] = { 20, 27, 33, 40, 57, 80, 101, 160 };
	struct fx f;
	struct rg_matrix *m = build(&f);
	size_t i, prev = SIZE_MAX;

	(void)state;
	for (i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
		char *t = render(m, RG_MATRIX_TABLE, widths[i], 0);
		size_t lines = check_width(t, widths[i]);

		assert_null(strchr(t, '\x1b'));
		assert_non_null(strstr(t, "tcp:5432"));
		assert_true(lines <= prev); /* wider, never longer */
		prev = lines;
		if (widths[i] >= 80) /* room for the widest cell */
			assert_non_null(strstr(t, "tcp:22,80,443,8000-8999 udp:53"));
		if (widths[i] >= 160) /* room for every column side by side */
			assert_null(strstr(t, " of 3:\n"));
		if (widths[i] == 20)
			assert_non_null(strstr(t, "column 1 of 3:"));
		free(t);
	}
	/* Below the minimum width, the minimum is used. */
	free(render(m, RG_MATRIX_TABLE, 5, 0));
	fx_free(&f);
}

static void test_formats_escape(void **state)
{
	struct fx f;
	struct rg_matrix *m = build(&f);
	char *t;

	(void)state;
	t = render(m, RG_MATRIX_CSV, 0, 0);
	/* Quoted, and the formula neutralized. */
	assert_non_null(strstr(t, "\r\n\"'=ev\x1b[2Jil|<b>\"\"x\\y,*_\","));
	free(t);
	t = render(m, RG_MATRIX_HTML, 0, 0);
	assert_non_null(strstr(t, "=ev\x1b[2Jil|&lt;b&gt;&quot;x\\y,*_</th>"));
	assert_null(strstr(t, "<b>"));
	free(t);
	t = render(m, RG_MATRIX_MARKDOWN, 0, 0);
	assert_non_null(strstr(t, "| **=ev\x1b\\[2Jil\\|\\<b\\>\"x\\\\y,\\*\\_** |"));
	free(t);
	t = render(m, RG_MATRIX_DOT, 0, 0);
	assert_non_null(strstr(t, "[label=\"=ev\x1b[2Jil|<b>\\\"x\\\\y,*_\"];"));
	free(t);
	t = render(m, RG_MATRIX_TABLE, 200, 0);
	assert_null(strchr(t, '\x1b'));
	assert_non_null(strstr(t, "=ev?[2Jil|<b>\"x\\y,*_"));
	free(t);
	fx_free(&f);
}

static void test_json(void **state)
{
	struct fx f;
	struct rg_matrix *m = build(&f);
	json_error_t je;
	json_t *j, *cells;
	char *t = render(m, RG_MATRIX_JSON, 0, 1); /* the limit does not apply to json */

	(void)state;
	j = json_loads(t, 0, &je);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "kind")), "nodes");
	assert_true(json_is_null(json_object_get(j, "cap")));
	assert_int_equal(json_array_size(json_object_get(j, "rows")), m->nrows);
	assert_int_equal(json_array_size(json_object_get(j, "cols")), m->ncols);
	cells = json_object_get(j, "cells");
	assert_int_equal(json_array_size(cells), m->ncells);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(j, "rows"), 0), "label")),
			    "=ev\x1b[2Jil|<b>\"x\\y,*_");
	assert_true(json_is_array(json_object_get(json_object_get(json_array_get(cells, 0), "access"),
						  "ports")));
	json_decref(j);
	free(t);
	fx_free(&f);
}

static void test_limit_and_notes(void **state)
{
	struct fx f;
	struct rg_matrix *m = build(&f);
	char *t;

	(void)state;
	t = render(m, RG_MATRIX_MARKDOWN, 0, 2);
	assert_non_null(strstr(t, "Showing the first 2 of 5 rows and 2 of 3 columns"));
	assert_null(strstr(t, "| relay |")); /* the third column is cut */
	free(t);
	t = render(m, RG_MATRIX_CSV, 0, 2);
	assert_non_null(strstr(t, ",relay\r\n"));
	free(t);
	t = render(m, RG_MATRIX_HTML, 0, 0);
	assert_non_null(strstr(t, "position:sticky"));
	assert_non_null(strstr(t, "<input id=\"filter\""));
	assert_non_null(strstr(t, "name=\"viewport\""));
	assert_null(strstr(t, "src=")); /* nothing fetched */
	assert_null(strstr(t, "http"));
	assert_non_null(strstr(t, "<td class=\"h5\">")); /* "*" to the relay */
	assert_non_null(strstr(t, "Reachable by nobody (not shown)"));
	free(t);
	fx_free(&f);
}

/* Terminal columns, not code points: wide CJK, combining and zero-width marks. */
static void test_display_width(void **state)
{
	static const char wide[] = "\xe6\x95\xb0\xe6\x8d\xae"; /* two CJK characters */
	static const char inv[] =
		"{\"nodes\": [\n"
		"  {\"name\": \"\xe6\x95\xb0\xe6\x8d\xae\xe5\xba\x93\xe6\x9c\x8d\xe5\x8a\xa1\xe5\x99\xa8-1\","
		"   \"user\": null, \"tags\": [\"tag:db\"], \"ips\": [\"100.64.2.1\"]},\n"
		"  {\"name\": \"cafe\xcc\x81-\xe2\x80\x8bweb\", \"user\": null, \"tags\": [\"tag:web\"],"
		"   \"ips\": [\"100.64.1.1\"]}\n"
		"]}\n";
	static const char pol[] =
		"{\"tagOwners\": {\"tag:web\": [], \"tag:db\": []},\n"
		" \"grants\": [{\"src\": [\"tag:web\"], \"dst\": [\"tag:db\"],"
		" \"ip\": [\"tcp:5432\", \"tcp:8000-8999\", \"udp:53\"]}]}\n";
	struct rg_matrix_opts o = { NULL, RG_MATRIX_GROUP_NEVER, 0 };
	struct fx f;
	struct rg_matrix *m;

	(void)state;
	assert_int_equal(text_width(wide, strlen(wide)), 4);
	assert_int_equal(text_width("cafe\xcc\x81", 6), 4);          /* e + combining acute */
	assert_int_equal(text_width("a\xe2\x80\x8b" "b", 5), 2);      /* zero-width space */
	/* A wide character is not split, and a too-narrow limit still advances. */
	assert_int_equal(text_prefix(wide, strlen(wide), 3), 3);
	assert_int_equal(text_prefix(wide, strlen(wide), 1), 3);
	assert_int_equal(text_prefix("cafe\xcc\x81x", 7, 4), 6);     /* the mark stays */
	m = fx_one(&f, inv, pol, &o);
	for (unsigned w = 20; w <= 80; w += 7) {
		char *t = render(m, RG_MATRIX_TABLE, w, 0);

		check_width(t, w);
		assert_non_null(strstr(t, "tcp:5432"));
		free(t);
	}
	fx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_table_widths),
		cmocka_unit_test(test_formats_escape),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_limit_and_notes),
		cmocka_unit_test(test_display_width),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

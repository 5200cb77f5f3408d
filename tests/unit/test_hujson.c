/* HuJSON parser: verdicts, messages, positions, spans, comments, issues. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "relaygate/hujson.h"

static struct rg_source *mk(const char *s)
{
	struct rg_source *src = rg_source_from_mem("t", s, strlen(s));

	assert_non_null(src);
	return src;
}

/* Parses s; returns NULL and fills text with the full message if invalid. */
static struct rg_hujson_doc *parse(struct rg_source *src, unsigned flags, char *text, size_t n)
{
	struct rg_hujson_doc *doc = NULL;
	struct rg_hujson_error err;

	if (rg_hujson_parse(src, flags, &doc, &err) < 0) {
		rg_hujson_error_text(src, &err, text, n);
		return NULL;
	}
	text[0] = '\0';
	return doc;
}

static void expect_error(const char *in, const char *msg)
{
	struct rg_source *src = mk(in);
	char text[512];
	struct rg_hujson_doc *doc = parse(src, RG_HUJSON_TREE, text, sizeof(text));

	assert_null(doc);
	assert_string_equal(text, msg);
	/* Same verdict and message without the tree. */
	doc = parse(src, 0, text, sizeof(text));
	assert_null(doc);
	assert_string_equal(text, msg);
	rg_source_free(src);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("", "hujson: line 1, column 1: parsing value: unexpected EOF");
	expect_error(" \n\t ", "hujson: line 2, column 3: parsing value: unexpected EOF");
	expect_error("{,}", "hujson: line 1, column 2: invalid character ',' at start of value");
	expect_error("{\"a\":1,,}", "hujson: line 1, column 8: invalid character ',' at start of value");
	expect_error("{},", "hujson: line 1, column 3: invalid character ',' after top-level value");
	expect_error("{} // c", "hujson: line 1, column 4: parsing comment: unexpected EOF");
	expect_error("/*/ {}", "hujson: line 1, column 1: parsing comment: unexpected EOF");
	expect_error("{a: 1}", "hujson: line 1, column 2: invalid literal: a");
	expect_error("{1: 1}", "hujson: line 1, column 2: invalid character '1' at start of object name");
	expect_error("{'a': 1}", "hujson: line 1, column 2: invalid character '\\'' at start of value");
	expect_error("\xef\xbb\xbf{}", "hujson: line 1, column 1: invalid character '\\ufeff' at start of value");
	expect_error("{}\f", "hujson: line 1, column 3: invalid character '\\u000c' after top-level value");
	expect_error(" \xff", "hujson: line 1, column 2: invalid character '\\xff' at start of value");
	expect_error("// \xff\n{}", "hujson: line 1, column 1: invalid UTF-8 in comment");
	expect_error("{\"a\": [1}", "hujson: line 1, column 9: invalid character '}' after array value (expecting ',' or ']')");
	expect_error("{\"k\"", "hujson: line 1, column 5: parsing object after name: unexpected EOF");
	expect_error("{\"a\": \"x}", "hujson: line 1, column 10: parsing string: unexpected EOF");
	expect_error("{\"a\": 01}", "hujson: line 1, column 7: invalid literal: 01");
	/* Deviation: invalid UTF-8 inside a string. */
	expect_error("{\"a\": \"\xff\"}", "hujson: line 1, column 8: invalid UTF-8 in string");
	/* Positions count bytes and LF-separated lines. */
	expect_error("{\n  \"a\": 1\n  \"b\": 2}", "hujson: line 3, column 3: invalid character '\"' after object value (expecting ',' or '}')");
}

static void test_depth(void **state)
{
	size_t n = 100000, i;
	char *s = malloc(n + 1);
	struct rg_source *src;
	struct rg_hujson_doc *doc;
	char text[512];

	(void)state;
	assert_non_null(s);
	for (i = 0; i < n; i++)
		s[i] = '[';
	s[n] = '\0';
	src = mk(s);
	doc = parse(src, RG_HUJSON_TREE, text, sizeof(text));
	assert_null(doc);
	assert_non_null(strstr(text, "column 1001: nesting depth exceeds the limit of 1000"));
	rg_source_free(src);
	/* 1000 levels are fine. */
	for (i = 0; i < 1000; i++)
		s[i] = '[';
	for (i = 0; i < 1000; i++)
		s[1000 + i] = ']';
	s[2000] = '\0';
	src = mk(s);
	doc = parse(src, RG_HUJSON_TREE, text, sizeof(text));
	assert_non_null(doc);
	rg_hujson_doc_free(doc);
	rg_source_free(src);
	free(s);
}

static void test_tree_and_spans(void **state)
{
	const char *in = "// head\n{\n  \"a\": [1, \"x\\u00e9\", true,], /* c */\n  \"b\": {\"c\": null},\n  \"a\": 2,\n}\n";
	struct rg_source *src = mk(in);
	char text[512];
	struct rg_hujson_doc *doc = parse(src, RG_HUJSON_TREE, text, sizeof(text));
	const struct rg_hj_node *root, *a, *b, *x;
	char *std;
	size_t len;

	(void)state;
	assert_non_null(doc);
	root = &doc->nodes[0];
	assert_int_equal(root->kind, RG_HJ_OBJECT);
	assert_int_equal(root->nchildren, 3);
	a = rg_hj_child(doc, root, 0);
	assert_string_equal(a->key, "a");
	assert_int_equal(a->kind, RG_HJ_ARRAY);
	assert_int_equal(a->nchildren, 3);
	x = rg_hj_child(doc, a, 1);
	assert_string_equal(json_string_value(x->val), "x\xc3\xa9");
	assert_memory_equal(in + x->span.start, "\"x\\u00e9\"", x->span.end - x->span.start);
	b = rg_hj_member(doc, root, "b");
	assert_non_null(b);
	assert_int_equal(rg_hj_child(doc, b, 0)->kind, RG_HJ_NULL);
	/* Duplicate "a": the tree keeps the last value, the index both, an issue names it. */
	assert_int_equal(json_integer_value(json_object_get(doc->root, "a")), 2);
	assert_int_equal(doc->nissues, 1);
	assert_int_equal(doc->issues[0].kind, RG_HJ_ISSUE_DUPLICATE_KEY);
	assert_int_equal(doc->issues[0].node, root->children[2]);
	assert_int_equal(doc->issues[0].other, root->children[0]);
	/* The earlier value is still readable through its node. */
	assert_int_equal(json_array_size(a->val), 3);
	assert_int_equal(doc->ncomments, 2);
	assert_int_equal(doc->ncommas, 2);
	std = rg_hujson_standardize(doc, &len);
	assert_non_null(std);
	assert_int_equal(len, strlen(in));
	assert_string_equal(std, "       \n{\n  \"a\": [1, \"x\\u00e9\", true ],        \n  \"b\": {\"c\": null},\n  \"a\": 2 \n}\n");
	free(std);
	rg_hujson_doc_free(doc);
	rg_source_free(src);
}

static void test_surrogates_and_nul(void **state)
{
	struct rg_source *src = mk("{\"k\\u0000\": \"\\ud800\\ud83d\\ude00\", \"n\": 1e400}");
	char text[512];
	struct rg_hujson_doc *doc = parse(src, RG_HUJSON_TREE, text, sizeof(text));
	const struct rg_hj_node *k;

	(void)state;
	assert_non_null(doc);
	k = rg_hj_child(doc, &doc->nodes[0], 0);
	assert_int_equal(k->key_len, 2);
	assert_string_equal(json_string_value(k->val), "\xef\xbf\xbd\xf0\x9f\x98\x80");
	assert_int_equal(doc->nissues, 2);
	assert_int_equal(doc->issues[0].kind, RG_HJ_ISSUE_NUL_IN_KEY);
	assert_int_equal(doc->issues[1].kind, RG_HJ_ISSUE_NUMBER_RANGE);
	rg_hujson_doc_free(doc);
	rg_source_free(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_tree_and_spans),
		cmocka_unit_test(test_surrogates_and_nul),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

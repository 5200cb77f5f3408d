/* Diagnostic text on a terminal: messages and source excerpts never carry control characters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag/emit.h"
#include "util/buf.h"
#include "util/excerpt.h"

/* C1 controls included: U+009B is a CSI on some terminals, U+0085 a line break. */
static void test_emit_text(void **state)
{
	static const struct {
		const char *in, *want;
	} v[] = {
		{ "plain caf\xc3\xa9", "plain caf\xc3\xa9" },
		{ "a\nb\rc\td", "a\\nb\\rc\\td" },
		{ "x\x1b[31m\x7f", "x\\x1b[31m\\x7f" },
		{ "csi\xc2\x9b" "31m nel\xc2\x85", "csi\\xc2\\x9b31m nel\\xc2\\x85" },
		{ "nbsp\xc2\xa0 bad\xff", "nbsp\xc2\xa0 bad\\xff" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct rg_buf b;

		rg_buf_init(&b, 0);
		rg_buf_puts(&b, "");
		rg_emit_text(&b, v[i].in);
		assert_false(rg_buf_failed(&b));
		assert_string_equal(b.data, v[i].want);
		rg_buf_free(&b);
	}
}

/* One '?' per control character keeps the caret under the right column. */
static void test_excerpt(void **state)
{
	static const char text[] = "{\"name\": \"a\xc2\x9b" "2J\x7f\", \"x\": \"\xff\"}";
	struct rg_source *src = rg_source_from_mem("i", text, strlen(text));
	struct rg_span span = { (uint32_t)(strchr(text, 'x') - text - 1), 0 };
	struct rg_buf b;

	(void)state;
	assert_non_null(src);
	span.end = span.start + 3;
	rg_buf_init(&b, 0);
	rg_excerpt_append(&b, src, span, "  ", "", "");
	assert_false(rg_buf_failed(&b));
	assert_string_equal(b.data, "  {\"name\": \"a?2J?\", \"x\": \"?\"}\n"
				    "                    ^~~\n");
	rg_buf_free(&b);
	rg_source_free(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_emit_text),
		cmocka_unit_test(test_excerpt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

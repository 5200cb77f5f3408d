/* Inventory loading: what is refused, where, and what is not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "relaygate/inventory.h"
#include "util/buf.h"

#define USERS "\"users\": [{\"id\": 1, \"name\": \"a\", \"email\": \"a@example.com\"}]"
#define KEY_A "\"discokey:a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1\""
#define KEY_0 "\"discokey:0000000000000000000000000000000000000000000000000000000000000000\""

/* Node line: name (JSON-escaped), then the rest of the members. */
#define NODE(name, rest) "{\"name\": \"" name "\", \"user\": null, \"tags\": [\"tag:x\"], " rest "}"

/* Loads text; returns "" or its errors as "line:col: message" joined by '\n' (caller frees). */
static char *load(const char *text)
{
	struct rg_source *src = rg_source_from_mem("i", text, strlen(text));
	struct rg_inventory *inv = NULL;
	struct rg_diags d;
	struct rg_buf b;
	size_t i;
	int r;

	assert_non_null(src);
	rg_diags_init(&d);
	rg_buf_init(&b, 0);
	r = rg_inventory_load(src, &inv, &d);
	assert_int_equal(r, d.n ? -1 : 0);
	assert_true(r < 0 ? inv == NULL : inv != NULL);
	rg_buf_puts(&b, "");
	for (i = 0; i < d.n; i++) {
		struct rg_pos pos = rg_source_pos(src, d.v[i].span.start);

		rg_buf_printf(&b, "%s%u:%u: %s", i ? "\n" : "", pos.line, pos.col, d.v[i].message);
	}
	assert_false(rg_buf_failed(&b));
	rg_diags_free(&d);
	rg_inventory_free(inv);
	rg_source_free(src);
	return rg_buf_take(&b, NULL);
}

static const struct {
	const char *inventory;
	const char *want; /* "" = accepted */
} cases[] = {
	/* accepted */
	{ "{" USERS ", \"nodes\": [\n"
	  NODE("caf\\u00e9 \\u00a0x", "\"ips\": [\"100.64.0.1\", \"100.64.0.1\"], "
	       "\"routable_ips\": [\"10.0.0.0/8\", \"192.168.1.1\", \"fd00::/64\"], "
	       "\"approved_routes\": [\"0.0.0.0/0\", \"::/0\"], \"disco_key\": " KEY_0) ",\n"
	  NODE("b", "\"ips\": [\"100.64.0.2\"], \"disco_key\": " KEY_0) ",\n"
	  NODE("c", "\"ips\": [\"100.64.0.3\"], \"disco_key\": " KEY_A) "]}",
	  "" },
	{ "{\"users\": [{\"name\": \"x\", \"email\": null}, {\"name\": \"y\", \"email\": null}], "
	  "\"nodes\": []}",
	  "" },
	/* control characters: C0, DEL, C1, NUL; in every name that is printed */
	{ "{" USERS ", \"nodes\": [\n"
	  NODE("evil\\nallowed: x\\u001b[31m", "\"ips\": [\"100.64.0.1\"]") "]}",
	  "2:10: \"name\" must not contain control characters (U+000A)" },
	{ "{" USERS ", \"nodes\": [\n"
	  NODE("a\\u007f", "\"ips\": []") ",\n"
	  NODE("b\\u009b31m", "\"ips\": []") ",\n"
	  NODE("c\\u0000d", "\"ips\": []") ",\n"
	  NODE("d\\u0080", "\"ips\": []") "]}",
	  "2:10: \"name\" must not contain control characters (U+007F)\n"
	  "3:10: \"name\" must not contain control characters (U+009B)\n"
	  "4:10: \"name\" must not contain control characters (U+0000)\n"
	  "5:10: \"name\" must not contain control characters (U+0080)" },
	{ "{\"users\": [\n"
	  "{\"name\": \"a\\tb\", \"email\": \"a@example.com\"},\n"
	  "{\"name\": \"b\", \"email\": \"b\\r@example.com\"}],\n"
	  "\"nodes\": [{\"name\": \"n\", \"user\": \"a\\u0085@example.com\", \"tags\": [], \"ips\": []},\n"
	  "{\"name\": \"t\", \"user\": null, \"tags\": [\"tag:a\\u001b\"], \"ips\": []}]}",
	  "2:10: \"name\" must not contain control characters (U+0009)\n"
	  "3:24: \"email\" must not contain control characters (U+000D)\n"
	  "4:33: \"user\" must not contain control characters (U+0085)\n"
	  "5:38: \"tags\" must not contain control characters (U+001B)" },
	/* one address, disco key, name or login on two nodes or users */
	{ "{" USERS ", \"nodes\": [\n"
	  NODE("a", "\"ips\": [\"100.64.0.1\", \"fd7a:115c:a1e0::1\"]") ",\n"
	  NODE("b", "\"ips\": [\"fd7a:115c:a1e0:0::1\", \"100.64.0.1\"]") "]}",
	  "3:56: IP address fd7a:115c:a1e0:0::1 of node \"b\" is already node \"a\"'s (line 2)\n"
	  "3:79: IP address 100.64.0.1 of node \"b\" is already node \"a\"'s (line 2)" },
	{ "{" USERS ", \"nodes\": [\n"
	  NODE("relay", "\"ips\": [\"100.64.0.1\"], \"disco_key\": " KEY_A) ",\n"
	  NODE("other", "\"ips\": [\"100.64.0.2\"],\n \"disco_key\": " KEY_A) "]}",
	  "4:15: node \"other\" has the disco key of node \"relay\" (line 2)" },
	{ "{" USERS ", \"nodes\": [\n"
	  NODE("a", "\"ips\": [\"100.64.0.1\"]") ",\n"
	  NODE("b", "\"ips\": [\"100.64.0.2\"]") ",\n"
	  NODE("a", "\"ips\": [\"100.64.0.3\"]") "]}",
	  "4:10: duplicate node name \"a\" (first at line 2)" },
	{ "{\"users\": [\n"
	  "{\"id\": 1, \"name\": \"a\", \"email\": \"a@example.com\"},\n"
	  "{\"id\": 2, \"name\": \"a\", \"email\": \"a@example.com\"}], \"nodes\": []}",
	  "3:33: duplicate user email \"a@example.com\" (first at line 2)" },
	/* routes are prefixes */
	{ "{" USERS ", \"nodes\": [\n"
	  NODE("r", "\"ips\": [],\n"
	       "\"routable_ips\": [\"10.0.0.1/8\", \"10.0.0.0/8\"],\n"
	       "\"approved_routes\": [\"fd00::1/64\", \"10.0.0.0/33\"]") "]}",
	  "3:18: route \"10.0.0.1/8\" has non-address bits set; expected \"10.0.0.0/8\"\n"
	  "4:21: route \"fd00::1/64\" has non-address bits set; expected \"fd00::/64\"\n"
	  "4:35: invalid route \"10.0.0.0/33\"" },
};

static void test_load(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = load(cases[i].inventory);

		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu:\n%s\n got: %s\nwant: %s", i, cases[i].inventory, got,
				 cases[i].want);
		free(got);
	}
}

/* Lookups by name and by login. */
static void test_lookups(void **state)
{
	static const char text[] =
		"{" USERS ", \"nodes\": [" NODE("a", "\"ips\": [\"100.64.0.1\"]") "]}";
	struct rg_source *src = rg_source_from_mem("i", text, strlen(text));
	struct rg_inventory *inv = NULL;
	struct rg_diags d;

	(void)state;
	rg_diags_init(&d);
	assert_int_equal(rg_inventory_load(src, &inv, &d), 0);
	assert_ptr_equal(rg_inventory_node(inv, "a"), &inv->nodes[0]);
	assert_null(rg_inventory_node(inv, "b"));
	assert_ptr_equal(rg_inventory_user(inv, "a@example.com"), &inv->users[0]);
	rg_inventory_free(inv);
	rg_source_free(src);
	rg_diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_lookups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

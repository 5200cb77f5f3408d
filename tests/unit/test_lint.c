/*
 * relaygate lint: the registry (unique IDs, every example behaves as it
 * says), configuration files and settings (located errors, precedence),
 * pragmas (next element, whole file, unused, unknown, fixed rules).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "relaygate/inventory.h"
#include "relaygate/lint.h"
#include "util/file.h"

/* Findings of src under cfg (and inv), rendered "line:col slug" one per line, unsuppressed only. */
static char *lint(const char *text, const struct rg_lint_config *cfg,
		  const struct rg_inventory *inv, size_t *suppressed)
{
	struct rg_source *src = rg_source_from_mem("t.hujson", text, strlen(text));
	struct rg_diags d;
	struct rg_err err;
	char *out = calloc(1, 8192);
	size_t i, len = 0;

	assert_non_null(src);
	assert_non_null(out);
	rg_diags_init(&d);
	assert_int_equal(rg_lint_source(src, inv, cfg, &d, &err), 0);
	if (suppressed)
		*suppressed = 0;
	for (i = 0; i < d.n; i++) {
		struct rg_pos pos = rg_source_pos(src, d.v[i].span.start);

		if (d.v[i].suppressed) {
			if (suppressed)
				(*suppressed)++;
			continue;
		}
		len += (size_t)snprintf(out + len, 8192 - len, "%u:%u %s\n", pos.line, pos.col,
					d.v[i].rule);
		assert_true(len < 8192);
	}
	rg_diags_free(&d);
	rg_source_free(src);
	return out;
}

static struct rg_lint_cfgfile *cfgfile(const char *text, struct rg_source **src, char *errs,
				       size_t n)
{
	struct rg_lint_cfgfile *f = NULL;
	struct rg_diags d;
	size_t i, len = 0;

	*src = rg_source_from_mem(".relaygate.hujson", text, strlen(text));
	assert_non_null(*src);
	rg_diags_init(&d);
	errs[0] = '\0';
	if (rg_lint_cfgfile_load(*src, &f, &d) < 0) {
		assert_null(f);
		assert_true(d.n > 0);
	}
	for (i = 0; i < d.n; i++) {
		struct rg_pos pos = rg_source_pos(*src, d.v[i].span.start);

		assert_string_equal(d.v[i].rule, RG_RULE_CONFIG);
		len += (size_t)snprintf(errs + len, n - len, "%u:%u %s\n", pos.line, pos.col,
					d.v[i].message);
		assert_true(len < n);
	}
	rg_diags_free(&d);
	return f;
}

/* ---- registry ------------------------------------------------------------ */

static void test_registry_ids(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < RG_LINT_RULE_COUNT; i++) {
		const struct rg_lint_rule *r = rg_lint_rule_get(i);

		assert_int_equal(r->rule, i);
		assert_int_equal(strlen(r->id), 5);
		assert_memory_equal(r->id, "RG", 2);
		assert_true(r->summary[0] && r->summary[strlen(r->summary) - 1] != '.');
		assert_non_null(r->description);
		assert_non_null(r->bad);
		assert_non_null(r->good);
		assert_ptr_equal(rg_lint_rule_find(r->id), r);
		assert_ptr_equal(rg_lint_rule_find(r->slug), r);
		assert_string_equal(rg_lint_rule_id_of(r->slug), r->id);
		for (j = 0; j < i; j++) {
			assert_string_not_equal(r->id, rg_lint_rule_get(j)->id);
			assert_string_not_equal(r->slug, rg_lint_rule_get(j)->slug);
		}
	}
	assert_ptr_equal(rg_lint_rule_find("rg201"), rg_lint_rule_find("relay-wildcard-src"));
	assert_null(rg_lint_rule_find("RG999"));
	assert_null(rg_lint_rule_find("Relay-Wildcard-Src"));
	assert_string_equal(rg_lint_rule_id_of("syntax"), "RG001");
	assert_string_equal(rg_lint_rule_id_of("invalid"), "RG002");
}

/*
 * Every rule's "bad" example reports it, every "good" one lints clean
 * (with the example inventory for the rules that need one).
 */
static void test_registry_examples(void **state)
{
	struct rg_source *inv_src, *cfg_src;
	struct rg_inventory *inv = NULL;
	struct rg_lint_cfgfile *naming;
	struct rg_lint_config cfg;
	struct rg_diags d;
	struct rg_err err;
	char errs[512];
	size_t i, failures = 0;

	(void)state;
	inv_src = rg_source_load("examples/inventory.json", RG_FILE_MAX_INPUT, &err);
	assert_non_null(inv_src);
	rg_diags_init(&d);
	assert_int_equal(rg_inventory_load(inv_src, &inv, &d), 0);
	rg_diags_free(&d);
	naming = cfgfile("{\"naming\": {\"tag\": \"^tag:[a-z][a-z0-9-]*$\"}}", &cfg_src, errs,
			 sizeof(errs));
	assert_non_null(naming);
	rg_lint_config_init(&cfg);
	rg_lint_cfgfile_apply(naming, &cfg);
	for (i = 0; i < RG_LINT_RULE_COUNT; i++) {
		const struct rg_lint_rule *r = rg_lint_rule_get(i);
		const struct rg_inventory *with = r->flags & RG_LINT_INVENTORY ? inv : NULL;
		char *bad = lint(r->bad, &cfg, with, NULL), *good = lint(r->good, &cfg, with, NULL);
		char want[64];

		snprintf(want, sizeof(want), " %s\n", r->slug);
		if (!strstr(bad, want)) {
			print_error("%s: the bad example does not report it:\n%s", r->id, bad);
			failures++;
		}
		if (good[0]) {
			print_error("%s: the good example is not clean:\n%s", r->id, good);
			failures++;
		}
		free(bad);
		free(good);
	}
	rg_lint_cfgfile_free(naming);
	rg_source_free(cfg_src);
	rg_inventory_free(inv);
	rg_source_free(inv_src);
	assert_int_equal(failures, 0);
}

/* ---- configuration -------------------------------------------------------- */

static void expect_cfg_error(const char *text, const char *want)
{
	struct rg_source *src;
	char errs[1024];

	assert_null(cfgfile(text, &src, errs, sizeof(errs)));
	assert_string_equal(errs, want);
	rg_source_free(src);
}

static void test_config_errors_are_located(void **state)
{
	(void)state;
	expect_cfg_error("{\"ignore\": [\"RG999\"]}", "1:13 ignore: unknown rule \"RG999\"\n");
	expect_cfg_error("{\n  \"fail-on\": \"loud\"\n}",
			 "2:14 fail-on: unknown severity \"loud\" (error, warning, info or none)\n");
	expect_cfg_error("{\"severity\": {\"RG002\": \"info\"}}",
			 "1:15 severity: rule RG002 (invalid) cannot be ignored or re-graded\n");
	expect_cfg_error("{\"severity\": {\"naming\": \"loud\"}}",
			 "1:25 severity: unknown level \"loud\" (error, warning, info or none)\n");
	expect_cfg_error("{\"naming\": {\"tag\": \"^tag:(\"}}",
			 "1:20 naming.tag: missing closing parenthesis at offset 6 of the pattern\n");
	expect_cfg_error("{\"naming\": {\"group\": 1, \"tags\": \"x\"}}",
			 "1:22 naming: expected a string, not number\n"
			 "1:25 naming: unknown kind \"tags\" (group, tag, host, ipset or posture)\n");
	expect_cfg_error("{\"grnats\": 1, \"pragmas\": \"yes\", \"relay-max-group-size\": -1}",
			 "1:2 unknown key \"grnats\" (fail-on, ignore, severity, pragmas, "
			 "relay-max-group-size or naming)\n"
			 "1:26 pragmas: expected true or false\n"
			 "1:57 relay-max-group-size: expected a number from 0 to 1000000\n");
	expect_cfg_error("{\"ignore\": []",
			 "1:14 hujson: line 1, column 14: parsing object after value: unexpected EOF\n");
	expect_cfg_error("[]", "1:1 expected an object at the top level\n");
	expect_cfg_error("{\"ignore\": [], \"ignore\": []}", "1:16 duplicate key \"ignore\"\n");
}

/* File, then settings in the order given: the last word on a rule wins. */
static void test_config_precedence(void **state)
{
	struct rg_lint_config cfg;
	struct rg_source *src;
	struct rg_lint_cfgfile *f;
	struct rg_err err;
	char errs[256];

	(void)state;
	f = cfgfile("// team settings\n{\"fail-on\": \"error\", \"ignore\": [\"unused-tag\", \"RG301\"],"
		    " \"severity\": {\"legacy-acls\": \"warning\"}, \"pragmas\": false,"
		    " \"relay-max-group-size\": 5,}", &src, errs, sizeof(errs));
	assert_non_null(f);
	rg_lint_config_init(&cfg);
	assert_int_equal(cfg.fail_on, RG_SEV_WARNING);
	assert_int_equal(cfg.severity[RG_LINT_LEGACY_ACLS], RG_SEV_INFO);
	rg_lint_cfgfile_apply(f, &cfg);
	assert_int_equal(cfg.fail_on, RG_SEV_ERROR);
	assert_int_equal(cfg.severity[RG_LINT_UNUSED_TAG], RG_SEV_NONE);
	assert_int_equal(cfg.severity[RG_LINT_UNUSED_GROUP], RG_SEV_NONE);
	assert_int_equal(cfg.severity[RG_LINT_LEGACY_ACLS], RG_SEV_WARNING);
	assert_false(cfg.pragmas);
	assert_int_equal(cfg.relay_max_group_size, 5);
	/* the environment, then the flags */
	assert_int_equal(rg_lint_config_set(&cfg, "severity", "unused-tag=error", &err), 0);
	assert_int_equal(rg_lint_config_set(&cfg, "fail-on", "info", &err), 0);
	assert_int_equal(rg_lint_config_set(&cfg, "pragmas", "true", &err), 0);
	assert_int_equal(rg_lint_config_set(&cfg, "ignore", " RG305 , naming,", &err), 0);
	assert_int_equal(rg_lint_config_set(&cfg, "relay-max-group-size", "40", &err), 0);
	assert_int_equal(cfg.severity[RG_LINT_UNUSED_TAG], RG_SEV_ERROR);
	assert_int_equal(cfg.severity[RG_LINT_EMPTY_GROUP], RG_SEV_NONE);
	assert_int_equal(cfg.severity[RG_LINT_NAMING], RG_SEV_NONE);
	assert_int_equal(cfg.fail_on, RG_SEV_INFO);
	assert_true(cfg.pragmas);
	assert_int_equal(cfg.relay_max_group_size, 40);
	assert_int_equal(rg_lint_config_set(&cfg, "ignore", "syntax", &err), -1);
	assert_string_equal(err.msg, "rule RG001 (syntax) cannot be ignored or re-graded");
	assert_int_equal(rg_lint_config_set(&cfg, "severity", "RG201", &err), -1);
	assert_string_equal(err.msg, "\"RG201\": expected RULE=LEVEL");
	assert_int_equal(rg_lint_config_set(&cfg, "relay-max-group-size", "-3", &err), -1);
	assert_int_equal(rg_lint_config_set(&cfg, "colour", "x", &err), -1);
	assert_string_equal(err.msg, "unknown setting \"colour\"");
	rg_lint_cfgfile_free(f);
	rg_source_free(src);
}

/* ---- pragmas ---------------------------------------------------------------- */

static const char pragma_policy[] =
	"// relaygate:file-ignore legacy-acls\n"                                  /* 1 */
	"{\n"                                                                     /* 2 */
	"\t\"tagOwners\": {\"tag:db\": [], \"tag:web\": []},\n"                /* 3 */
	"\t\"grants\": [\n"                                                      /* 4 */
	"\t\t// relaygate:ignore RG102 -- the db is public\n"                    /* 5 */
	"\t\t{\"src\": [\"*\"], \"dst\": [\"tag:db\"], \"ip\": [\"tcp:5432\"]},\n" /* 6 */
	"\t\t{\"src\": [\"*\"], \"dst\": [\"tag:web\"], \"ip\": [\"tcp:443\"]},\n" /* 7 */
	"\t\t/* relaygate:ignore unused-tag, RG999 */\n"                         /* 8 */
	"\t\t{\"src\": [\"tag:db\"], \"dst\": [\"tag:web\"], \"ip\": [\"tcp:80\"]},\n" /* 9 */
	"\t\t// relaygate:ignore syntax\n"                                       /* 10 */
	"\t],\n"                                                                  /* 11 */
	"\t\"acls\": [{\"action\": \"accept\", \"src\": [\"tag:db\"], \"dst\": [\"tag:web:81\"]}],\n"
	"}\n";

static void test_pragmas(void **state)
{
	struct rg_lint_config cfg;
	size_t suppressed;
	char *out;

	(void)state;
	rg_lint_config_init(&cfg);
	out = lint(pragma_policy, &cfg, NULL, &suppressed);
	assert_string_equal(out, "7:12 wildcard-src\n"
				 "8:23 unused-suppression\n"
				 "8:35 unused-suppression\n"
				 "10:23 unused-suppression\n");
	assert_int_equal(suppressed, 2);
	free(out);

	/* --no-pragmas: nothing silenced, nothing reported about pragmas */
	cfg.pragmas = false;
	out = lint(pragma_policy, &cfg, NULL, &suppressed);
	assert_string_equal(out, "6:12 wildcard-src\n7:12 wildcard-src\n12:2 legacy-acls\n");
	assert_int_equal(suppressed, 0);
	free(out);

	/* a rule switched off in the configuration: its pragma is not "unused" */
	rg_lint_config_init(&cfg);
	cfg.severity[RG_LINT_UNUSED_TAG] = RG_SEV_NONE;
	out = lint(pragma_policy, &cfg, NULL, NULL);
	assert_string_equal(out, "7:12 wildcard-src\n8:35 unused-suppression\n10:23 unused-suppression\n");
	free(out);
}

static void test_pragma_on_unused_suppression(void **state)
{
	static const char text[] =
		"// relaygate:file-ignore unused-suppression -- generated file\n"
		"{\"grants\": [\n"
		"\t// relaygate:ignore RG101\n"
		"\t{\"src\": [\"autogroup:member\"], \"dst\": [\"autogroup:self\"], \"ip\": [\"*\"]},\n"
		"]}\n";
	static const char trailing[] =
		"{\"hosts\": {\"a\": \"10.0.0.1\"}} // relaygate:ignore unused-host\n";
	struct rg_lint_config cfg;
	size_t suppressed;
	char *out;

	(void)state;
	rg_lint_config_init(&cfg);
	out = lint(text, &cfg, NULL, &suppressed);
	assert_string_equal(out, "");
	assert_int_equal(suppressed, 1);
	free(out);
	out = lint(trailing, &cfg, NULL, NULL);
	assert_string_equal(out, "1:12 unused-host\n1:50 unused-suppression\n");
	free(out);
}

static struct rg_inventory *example_inventory(struct rg_source **src)
{
	struct rg_inventory *inv = NULL;
	struct rg_diags d;
	struct rg_err err;

	*src = rg_source_load("examples/inventory.json", RG_FILE_MAX_INPUT, &err);
	assert_non_null(*src);
	rg_diags_init(&d);
	assert_int_equal(rg_inventory_load(*src, &inv, &d), 0);
	rg_diags_free(&d);
	return inv;
}

/* A pragma of a rule that needs an inventory is unused only when the rule ran. */
static void test_pragma_inventory_rule(void **state)
{
#define RELAY_POLICY(owners)                                                              \
	"{\"tagOwners\": {" owners "},\n"                                                   \
	"\"grants\": [\n"                                                                   \
	"// relaygate:ignore RG206\n"                                                       \
	"{\"src\": [\"tag:azure\"], \"dst\": [\"tag:relay\"], "                           \
	"\"app\": {\"tailscale.com/cap/relay\": []}}]}\n"
	static const char valid[] = RELAY_POLICY("\"tag:azure\": [], \"tag:relay\": []");
	static const char invalid[] = RELAY_POLICY("\"tag:azure\": []");
	struct rg_source *inv_src;
	struct rg_inventory *inv = example_inventory(&inv_src);
	struct rg_lint_config cfg;
	char *out;

	(void)state;
	rg_lint_config_init(&cfg);
	out = lint(valid, &cfg, NULL, NULL); /* no inventory */
	assert_string_equal(out, "");
	free(out);
	out = lint(invalid, &cfg, inv, NULL); /* no evaluator */
	assert_string_equal(out, "4:32 invalid\n");
	free(out);
	out = lint(valid, &cfg, inv, NULL); /* checked: both match nodes */
	assert_string_equal(out, "3:21 unused-suppression\n");
	free(out);
	rg_inventory_free(inv);
	rg_source_free(inv_src);
#undef RELAY_POLICY
}

/* ---- rules ------------------------------------------------------------------ */

#define RELAY_FROM(ipsets, src) \
	"{\"tagOwners\": {\"tag:relay\": []}, \"ipsets\": {" ipsets "}, " \
	"\"grants\": [{\"src\": [" src "], \"dst\": [\"tag:relay\"], " \
	"\"app\": {\"tailscale.com/cap/relay\": []}}]}"

/* Sources that are addresses are resolved, even where Tailscale would refuse them. */
static void test_relay_broad_addresses(void **state)
{
	struct rg_lint_config cfg;
	char *out;

	(void)state;
	rg_lint_config_init(&cfg);
	/* a range written in the grant (invalid there); IP sets naming each other */
	out = lint(RELAY_FROM("\"ipset:a\": [\"ipset:b\"], \"ipset:b\": [\"ipset:a\"]",
			      "\"100.64.0.0-100.127.255.255\", \"ipset:a\""), &cfg, NULL, NULL);
	assert_string_equal(out, "1:45 invalid\n1:69 invalid\n1:114 invalid\n1:114 relay-broad-src\n");
	free(out);
	/* three quarters of the tailnet, then all of it in three pieces */
	out = lint(RELAY_FROM("\"ipset:q\": [\"100.64.0.0/10\", \"remove 100.112.0.0/12\"]",
			      "\"ipset:q\""), &cfg, NULL, NULL);
	assert_string_equal(out, "");
	free(out);
	out = lint(RELAY_FROM("\"ipset:q\": [\"100.64.0.0/10\", \"remove 100.112.0.0/12\"]",
			      "\"ipset:q\", \"tag:relay\", \"100.112.0.0/13\", \"100.120.0.0/13\""),
		   &cfg, NULL, NULL);
	assert_string_equal(out, "1:121 relay-broad-src\n");
	free(out);
}

/*
 * An inventory of 30 tag:natted devices and 2 users with 15 devices each:
 * past the default limit of 25 is only the group of the two users.
 */
static void test_relay_broad_device_counts(void **state)
{
	static const char policy[] =
		"{\"groups\": {\"group:pair\": [\"a@example.com\", \"b@example.com\"]},\n"
		"\"tagOwners\": {\"tag:relay\": [], \"tag:natted\": []},\n"
		"\"grants\": [{\"src\": [\"tag:natted\", \"group:pair\", \"a@example.com\"], "
		"\"dst\": [\"tag:relay\"], \"app\": {\"tailscale.com/cap/relay\": []}}]}\n";
	static const char *const owner[] = {
		"null, \"tags\": [\"tag:natted\"]", "\"a@example.com\", \"tags\": []",
		"\"b@example.com\", \"tags\": []",
	};
	char *text = malloc(16384), *out;
	struct rg_inventory *inv = NULL;
	struct rg_lint_config cfg;
	struct rg_source *src;
	struct rg_diags d;
	size_t len, i, j, k = 0;

	(void)state;
	assert_non_null(text);
	len = (size_t)snprintf(text, 16384, "{\"nodes\": [{\"name\": \"relay\", \"user\": null, "
			       "\"tags\": [\"tag:relay\"], \"ips\": [\"100.64.0.1\"]}");
	for (i = 0; i < 3; i++)
		for (j = 0; j < (i ? 15u : 30u); j++, k++)
			len += (size_t)snprintf(text + len, 16384 - len,
						", {\"name\": \"n%zu\", \"user\": %s, "
						"\"ips\": [\"100.65.0.%zu\"]}", k, owner[i], k + 1);
	len += (size_t)snprintf(text + len, 16384 - len, "]}");
	assert_true(len < 16384);
	src = rg_source_from_mem("inv.json", text, len);
	assert_non_null(src);
	rg_diags_init(&d);
	assert_int_equal(rg_inventory_load(src, &inv, &d), 0);
	rg_diags_free(&d);
	rg_lint_config_init(&cfg);
	out = lint(policy, &cfg, inv, NULL);
	assert_string_equal(out, "3:35 relay-broad-src\n");
	free(out);
	rg_inventory_free(inv);
	rg_source_free(src);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry_ids),
		cmocka_unit_test(test_registry_examples),
		cmocka_unit_test(test_config_errors_are_located),
		cmocka_unit_test(test_config_precedence),
		cmocka_unit_test(test_pragmas),
		cmocka_unit_test(test_pragma_on_unused_suppression),
		cmocka_unit_test(test_pragma_inventory_rule),
		cmocka_unit_test(test_relay_broad_addresses),
		cmocka_unit_test(test_relay_broad_device_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

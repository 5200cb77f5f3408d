/* Policy model and Tailscale validation: structure, selectors, grammar, messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy/internal.h"
#include "relaygate/inventory.h"
#include "relaygate/policy.h"

static const char inventory_text[] =
	"{\"users\": [{\"id\": 1, \"name\": \"odin\", \"email\": \"odin@example.com\"},"
	"             {\"id\": 2, \"name\": \"thor\", \"email\": \"thor@example.org\"}],"
	" \"nodes\": [{\"name\": \"a\", \"user\": \"odin@example.com\", \"tags\": [], \"ips\": [\"100.64.0.1\"]}]}";

/* Parses and validates text; returns all messages joined by '\n' (caller frees). */
static char *check(const char *text, bool with_inventory)
{
	struct rg_source *src = rg_source_from_mem("p", text, strlen(text));
	struct rg_source *isrc = rg_source_from_mem("i", inventory_text, strlen(inventory_text));
	struct rg_policy *p = NULL;
	struct rg_inventory *inv = NULL;
	struct rg_diags d;
	size_t i, len = 1;
	char *out;

	rg_diags_init(&d);
	assert_int_equal(rg_inventory_load(isrc, &inv, &d), 0);
	if (rg_policy_parse(src, &p, &d) == 0)
		rg_policy_validate(p, with_inventory ? inv : NULL, &d);
	for (i = 0; i < d.n; i++)
		len += strlen(d.v[i].message) + 1;
	out = calloc(1, len);
	assert_non_null(out);
	for (i = 0; i < d.n; i++) {
		strcat(out, d.v[i].message);
		if (i + 1 < d.n)
			strcat(out, "\n");
	}
	rg_diags_free(&d);
	rg_policy_free(p);
	rg_inventory_free(inv);
	rg_source_free(src);
	rg_source_free(isrc);
	return out;
}

#define TAGS "\"tagOwners\": {\"tag:server\": [\"odin@example.com\"]}"

static const struct {
	const char *policy;
	const char *want; /* "" = accepted */
} cases[] = {
	/* accepted, including shapes a strict linter might wrongly reject */
	{ "{}", "" },
	{ "{\"grants\": [{\"src\": [], \"dst\": [], \"ip\": [\"*\"]}]}", "" },
	{ "{\"grants\": [{\"src\": [\"*\"], \"dst\": [\"*\"], \"ip\": [\"22\", \"80-443\", \"tcp:443\", \"icmp:*\", \"6\"]}]}", "" },
	{ "{\"ACLs\": [{\"action\": \"accept\", \"src\": [\"*\"], \"dst\": [\"*:*\"]}]}", "" },
	{ "{" TAGS ", \"grants\": [{\"src\": [\" tag:server \"], \"dst\": [\"tag:Server\"], \"ip\": [\"*\"]}]}", "" },
	{ "{\"acls\": [{\"action\": \"accept\", \"src\": [\"*\"], \"dst\": [\"autogroup:self:*\"]}]}", "" },
	{ "{\"grants\": [{\"src\": [\"*\"], \"dst\": [\"*\"], \"app\": {\"tailscale.com/cap/relay\": []}}]}", "" },
	{ "{\"tagOwners\": {\"tag:a\": [\"tag:b\"], \"tag:b\": [\"tag:a\"]}}", "" },
	{ "{\"acls\": null, \"groups\": null}", "" },
	/* observed Tailscale messages */
	{ "{\"acls\": [{\"action\": \"deny\", \"src\": [\"*\"], \"dst\": [\"*:*\"]}]}",
	  "action=\"deny\" is not supported" },
	{ "{\"acls\": [{\"action\": \"accept\", \"src\": [\"autogroup:self\"], \"dst\": [\"*:*\"]}]}",
	  "\"autogroup:self\" not valid on the src side of a rule" },
	{ "{\"acls\": [{\"action\": \"accept\", \"src\": [\"*\"], \"dst\": [\"autogroup:self\"]}]}",
	  "dst=\"autogroup:self\": port range \"self\": invalid first integer" },
	{ "{\"acls\": [{\"action\": \"accept\", \"src\": [\"tag:nope\"], \"dst\": [\"*:*\"]}]}",
	  "src=tag not found: \"tag:nope\"" },
	{ "{\"acls\": [{\"action\": \"accept\", \"src\": [\"*\"], \"dst\": [\"tag:nope:22\"]}]}",
	  "dst=\"tag:nope\": tag not found: \"tag:nope\"" },
	{ "{\"acls\": [{\"action\": \"accept\", \"src\": [\"*\"], \"dst\": [\"tag:server:0\"]}]," TAGS "}",
	  "dst=\"tag:server:0\": port range \"0\": first port must be >0, or use '*' for wildcard" },
	{ "{" TAGS ", \"acls\": [{\"action\": \"accept\", \"src\": [\"tag:server\"], \"dst\": [\"autogroup:self:*\"]}]}",
	  "autogroup:self can only be used with users, groups, or supported autogroups" },
	{ "{\"grants\": [{\"src\": [\"*\"], \"dst\": [\"autogroup:self\"], \"ip\": [\"*\"]}]}",
	  "autogroup:self can only be used with users, groups, or supported autogroups" },
	{ "{\"grants\": [{\"src\": [\"*\"], \"dst\": [\"*\"], \"app\": {\"https://tailscale.com/cap/x\": [{}]}}]}",
	  "capability name must have the form {domain}/{path}" },
	{ "{\"grants\": [{\"src\": [\"*\"], \"dst\": [\"*\"], \"app\": {\"tailscale.com/cap/relay-target\": [{}]}}]}",
	  "capability name must not be in the tailscale.com domain" },
	{ "{\"grants\": [{\"src\": [\"*\"], \"dst\": [\"*\"]}]}", "ip and app can not both be empty" },
	{ "{\"grants\": [{\"src\": [\"*\"], \"dst\": [\"*\"], \"ip\": []}]}", "ip and app can not both be empty" },
	{ "{\"grants\": [{\"src\": [\"*\"], \"dst\": [\"10.0.0.0/8\"], \"ip\": [\"*\"], \"via\": [\"autogroup:tagged\"]}]}",
	  "via can only be a tag" },
	{ "{\"grants\": [{\"src\": [\"*\"], \"dst\": [\"10.0.0.0/8\"], \"ip\": [\"*\"], \"via\": [\"tag:nope\"]}]}",
	  "tag \"tag:nope\" not found" },
	{ "{\"grants\": [{\"src\": [\"*\"], \"dst\": [\"tag:x\"], \"ip\": [\"icmp\"]}], \"tagOwners\": {\"tag:x\": []}}",
	  "port range \"icmp\": invalid first integer" },
	{ "{\"grants\": [{\"src\": [\"*\"], \"dst\": [\"autogroup:danger-all\"], \"ip\": [\"*\"]}]}",
	  "cannot use autogroup:danger-all as a dst" },
	{ "{\"grants\": [{\"src\": [\"*\"], \"dst\": [\"autogroup:internet\"], \"app\": {\"example.com/cap/x\": []}}]}",
	  "cannot use app grants with autogroup:internet" },
	{ "{\"grants\": [{\"src\": [\"*\"], \"dst\": [\"::/0\"], \"ip\": [\"*\"]}]}",
	  "dst \"::/0\": to allow all IP addresses, use \"*\" or \"autogroup:internet\"" },
	{ "{\"groups\": {\"group:a\": [\"x@example.com\"], \"group:b\": [\"group:a\"]}}",
	  "groups[\"group:b\"]: \"group:a\": group members cannot be recursive" },
	{ "{\"tagOwners\": {\"tag:\xd1\x81\": []}}",
	  "tagOwners[\"tag:\xd1\x81\"]: tag names must start with a letter, after 'tag:'" },
	{ "{\"ssh\": [{\"action\": \"\", \"src\": [\"autogroup:member\"], \"dst\": [\"autogroup:self\"], \"users\": [\"root\"]}]}",
	  "action must be specified" },
	{ "{\"ssh\": [{\"action\": \"ACCEPT\", \"src\": [\"autogroup:member\"], \"dst\": [\"autogroup:self\"], \"users\": [\"root\"]}]}",
	  "\"ACCEPT\" is not a valid action" },
	{ "{\"ssh\": [{\"action\": \"accept\", \"src\": [\"autogroup:member\"], \"dst\": [\"autogroup:self\"], \"users\": []}]}",
	  "users must be specified" },
	{ "{\"ssh\": [{\"action\": \"accept\", \"src\": [\"autogroup:member\"], \"dst\": [\"autogroup:self\"], \"users\": [\"root\", \"*\"]}]}",
	  "user \"*\" is not valid" },
	{ "{\"ssh\": [{\"action\": \"check\", \"checkPeriod\": \"-1m\", \"src\": [\"autogroup:member\"], \"dst\": [\"autogroup:self\"], \"users\": [\"root\"]}]}",
	  "checkPeriod -1m0s must be a positive duration" },
	{ "{\"ssh\": [{\"action\": \"check\", \"checkPeriod\": \"168h0m1s\", \"src\": [\"autogroup:member\"], \"dst\": [\"autogroup:self\"], \"users\": [\"root\"]}]}",
	  "checkPeriod 168h0m1s is above the max (168h)" },
	{ "{\"ssh\": [{\"action\": \"check\", \"checkPeriod\": \"abc\", \"src\": [\"autogroup:member\"], \"dst\": [\"autogroup:self\"], \"users\": [\"root\"]}]}",
	  "time: invalid duration \"abc\"" },
	{ "{\"hosts\": {\"netblock\": \"10.0.0.0/8\"}, \"ssh\": [{\"action\": \"accept\", \"src\": [\"x@example.com\"], \"dst\": [\"netblock\"], \"users\": [\"root\"]}]}",
	  "invalid dst \"netblock\"" },
	{ "{\"nodeAttrs\": [{\"target\": [\"%bogus%\"], \"attr\": [\"funnel\"]}]}", "\"%bogus%\": invalid address" },
	{ "{\"nodeAttrs\": [{\"target\": [\"*\"], \"ipPool\": [\"100.100.100.0/24\"]}]}",
	  "IPPool(100.100.100.0/24): network within reserved range" },
	/* structure (Go's decoder; duplicates are our stricter rule) */
	{ "{\"groups\": \"x\"}", "json: cannot unmarshal string into Go value of type map[string][]string" },
	{ "{\"acls\": [], \"ACLs\": []}", "duplicate key \"ACLs\" (same field as \"acls\")" },
	{ "{\"hosts\": {\"a\": \"10.0.0.1\", \"a\": \"10.0.0.2\"}}", "duplicate key \"a\"" },
	{ "[]", "json: cannot unmarshal array into Go value of type ACLPolicy" },
	{ "{\"randomizeClientPort\": 1e400}", "json: number 1e400 out of range\njson: cannot unmarshal number into Go value of type bool" },
};

static void test_validation_messages(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = check(cases[i].policy, false);

		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: %s\n got: %s\nwant: %s", i, cases[i].policy, got, cases[i].want);
		free(got);
	}
}

static void test_domains(void **state)
{
	const char *ok = "{\"grants\": [{\"src\": [\"user:*@example.com\"], \"dst\": [\"*\"], \"ip\": [\"*\"]}]}";
	const char *foreign = "{\"ssh\": [{\"action\": \"accept\", \"src\": [\"user:*@example.org\"], \"dst\": [\"autogroup:self\"], \"users\": [\"root\"]}]}";
	char *got;

	(void)state;
	got = check(ok, true);
	assert_string_equal(got, "");
	free(got);
	got = check(foreign, true);
	assert_string_equal(got, "[ssh] example.org is not associated with this Tailnet and cannot be used in user:*@<domain> expressions");
	free(got);
	/* Without an inventory the tailnet's domains are unknown: no verdict. */
	got = check(foreign, false);
	assert_string_equal(got, "");
	free(got);
}

static void test_selector_classes(void **state)
{
	static const struct {
		const char *text;
		enum rg_sel_kind kind;
	} sel[] = {
		{ "*", RG_SEL_WILDCARD }, { "10.0.0.0/8", RG_SEL_PREFIX }, { "fd7a::1", RG_SEL_PREFIX },
		{ "a@b.com", RG_SEL_USER }, { "user:*@b.com", RG_SEL_USER_DOMAIN },
		{ "group:x", RG_SEL_GROUP }, { "group:x@b.com", RG_SEL_GROUP }, { "tag:x", RG_SEL_TAG },
		{ "autogroup:member", RG_SEL_AUTOGROUP }, { "ipset:x", RG_SEL_IPSET },
		{ "svc:web", RG_SEL_SVC }, { "posture:x", RG_SEL_POSTURE }, { "host:db", RG_SEL_HOSTREF },
		{ "localpart:*@b.com", RG_SEL_LOCALPART }, { "db-server", RG_SEL_HOST },
		{ "10.0.0.1-10.0.0.5", RG_SEL_RANGE }, { "foo:bar", RG_SEL_INVALID },
		{ "user:bob@b.com", RG_SEL_INVALID },
	};
	struct rg_arena a;
	size_t i;

	(void)state;
	rg_arena_init(&a);
	for (i = 0; i < sizeof(sel) / sizeof(sel[0]); i++) {
		struct rg_selector s;

		assert_int_equal(policy_selector_parse(&a, sel[i].text, strlen(sel[i].text),
						       (struct rg_span){ 0, 0 }, &s), 0);
		if (s.kind != sel[i].kind)
			fail_msg("%s: kind %d, want %d", sel[i].text, s.kind, sel[i].kind);
	}
	rg_arena_free(&a);
}

static void test_durations(void **state)
{
	static const struct {
		const char *in, *out;
	} d[] = {
		{ "0", "0s" }, { "30s", "30s" }, { "1h", "1h0m0s" }, { "168h0m1s", "168h0m1s" },
		{ "-1m", "-1m0s" }, { "1.5h", "1h30m0s" }, { "90m", "1h30m0s" }, { "1500ms", "1.5s" },
		{ "2us", "2\xc2\xb5s" }, { "100ns", "100ns" }, { "1h2m3.5s", "1h2m3.5s" },
	};
	static const char *bad[] = { "", "abc", "1", "1x", "h", "-", ".s", "9999999999999999999h" };
	char out[64], msg[128];
	int64_t ns;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		assert_int_equal(policy_duration_parse(d[i].in, strlen(d[i].in), &ns, msg, sizeof(msg)), 0);
		policy_duration_format(ns, out, sizeof(out));
		assert_string_equal(out, d[i].out);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(policy_duration_parse(bad[i], strlen(bad[i]), &ns, msg, sizeof(msg)), -1);
}

static void test_ip_entries(void **state)
{
	struct rg_arena a;
	struct rg_ipproto ip;
	char msg[256];

	(void)state;
	rg_arena_init(&a);
	assert_int_equal(policy_ipproto_parse(&a, "tcp:80-443,8080", 15, &ip, msg, sizeof(msg)), 0);
	assert_int_equal(ip.nprotos, 1);
	assert_int_equal(ip.protos[0], 6);
	assert_int_equal(ip.nports, 2);
	assert_int_equal(ip.ports[0].first, 80);
	assert_int_equal(ip.ports[1].last, 8080);
	assert_int_equal(policy_ipproto_parse(&a, "*", 1, &ip, msg, sizeof(msg)), 0);
	assert_int_equal(ip.nprotos, 0);
	assert_int_equal(policy_ipproto_parse(&a, "icmp:22", 7, &ip, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "protocol does not support specific ports: \"icmp\", only \"*\" is allowed");
	assert_int_equal(policy_ipproto_parse(&a, "tcp:1:2", 7, &ip, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "expected only one colon in Internet protocol and port type");
	assert_int_equal(policy_ipproto_parse(&a, "*:22", 4, &ip, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "proto name \"*\" not known; use protocol number 0-255 or protocol name (icmp, tcp, udp, etc.)");
	assert_int_equal(policy_ipproto_parse(&a, "65536", 5, &ip, msg, sizeof(msg)), -1);
	assert_int_equal(policy_ipproto_parse(&a, "90-80", 5, &ip, msg, sizeof(msg)), -1);
	rg_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validation_messages),
		cmocka_unit_test(test_domains),
		cmocka_unit_test(test_selector_classes),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_ip_entries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * ServerEndpoint JSON (relay-vectors.md §6, Tailscale
 * net/udprelay/endpoint/endpoint_test.go): the valid example read and
 * written back byte for byte, each invalid variant refused, the round trip
 * at LamportID 2^64-1; then Go's encoding/json and time.Duration rules
 * around them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hexutil.h"
#include "relaygate/relay_endpoint_json.h"

/* §6, verbatim. */
static const char valid[] =
	"{\"ServerDisco\":\"discokey:003cd7453e04a653eb0e7a18f206fc353180efadb2facfd05ebd6982a1392c7f\","
	"\"LamportID\":18446744073709551615,\"AddrPorts\":[\"127.0.0.1:1\",\"127.0.0.2:2\"],"
	"\"VNI\":16777215,\"BindLifetime\":\"30s\",\"SteadyStateLifetime\":\"5m0s\"}";

static const char server_disco_hex[] =
	"003cd7453e04a653eb0e7a18f206fc353180efadb2facfd05ebd6982a1392c7f";

/* The valid example with member `field`'s value replaced by `value`. */
static void variant(const char *field, const char *value, char *out, size_t cap)
{
	char key[64];
	const char *at, *end;

	snprintf(key, sizeof(key), "\"%s\":", field);
	at = strstr(valid, key);
	assert_non_null(at);
	at += strlen(key);
	/* The value runs to the next top-level ',' or the closing '}'. */
	end = at;
	if (*end == '[')
		end = strchr(end, ']') + 1;
	else if (*end == '"')
		end = strchr(end + 1, '"') + 1;
	else
		end += strcspn(end, ",}");
	assert_true((size_t)(at - valid) + strlen(value) + strlen(end) < cap);
	snprintf(out, cap, "%.*s%s%s", (int)(at - valid), valid, value, end);
}

static int from(const char *text, struct rg_relay_endpoint_info *info, struct rg_err *err)
{
	return rg_relay_endpoint_from_json(text, strlen(text), info, err);
}

static void addr(const char *s, struct rg_addrport *a)
{
	assert_int_equal(rg_addrport_parse(s, a), 0);
}

static void assert_info_equal(const struct rg_relay_endpoint_info *a,
			      const struct rg_relay_endpoint_info *b)
{
	assert_memory_equal(a->server_disco.b, b->server_disco.b, 32);
	assert_true(a->lamport_id == b->lamport_id);
	assert_int_equal(a->vni, b->vni);
	assert_true(a->bind_lifetime_ns == b->bind_lifetime_ns);
	assert_true(a->steady_lifetime_ns == b->steady_lifetime_ns);
	assert_int_equal(a->n_addrs, b->n_addrs);
	for (size_t i = 0; i < a->n_addrs; i++)
		assert_true(rg_addrport_equal(&a->addrs[i], &b->addrs[i]));
}

static void test_valid_vector(void **state)
{
	struct rg_relay_endpoint_info info;
	struct rg_addrport a;
	struct rg_err err;
	uint8_t key[32];
	char out[RG_RELAY_ENDPOINT_JSON_MAX];
	size_t len;

	(void)state;
	if (from(valid, &info, &err) < 0)
		fail_msg("valid example refused: %s", err.msg);
	assert_int_equal(hex_decode(server_disco_hex, key, sizeof(key)), 32);
	assert_memory_equal(info.server_disco.b, key, 32);
	assert_true(info.lamport_id == UINT64_MAX);
	assert_int_equal(info.vni, 16777215);
	assert_true(info.bind_lifetime_ns == RG_RELAY_DEFAULT_BIND_LIFETIME);
	assert_true(info.steady_lifetime_ns == RG_RELAY_DEFAULT_STEADY_LIFETIME);
	assert_int_equal(info.n_addrs, 2);
	addr("127.0.0.1:1", &a);
	assert_true(rg_addrport_equal(&info.addrs[0], &a));
	addr("127.0.0.2:2", &a);
	assert_true(rg_addrport_equal(&info.addrs[1], &a));
	/* Not in the form: left zero. */
	assert_true(rg_disco_key_is_zero(&info.client[0]));
	assert_true(rg_disco_key_is_zero(&info.client[1]));
	assert_false(info.created);
	/* Written back: the example's exact text, member order included. */
	assert_int_equal(rg_relay_endpoint_to_json(&info, out, sizeof(out), &len), 0);
	assert_string_equal(out, valid);
	assert_int_equal(len, strlen(valid));
}

static void test_invalid_vectors(void **state)
{
	/* §6: each differs from the valid example in one member. */
	static const char *const bad[][2] = {
		{ "ServerDisco", "\"1\"" },
		{ "LamportID", "1.1" },
		{ "AddrPorts", "[\"127.0.0.1.1:1\",\"127.0.0.2:2\"]" },
		{ "VNI", "18446744073709551615" },
		{ "BindLifetime", "\"5\"" },
		{ "SteadyStateLifetime", "\"5\"" },
	};
	char text[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rg_relay_endpoint_info info;
		struct rg_err err;

		variant(bad[i][0], bad[i][1], text, sizeof(text));
		assert_string_not_equal(text, valid);
		memset(&info, 0xa5, sizeof(info));
		if (from(text, &info, &err) == 0)
			fail_msg("accepted: %s", text);
		/* The message names the member; nothing half-read is left. */
		assert_non_null(strstr(err.msg, bad[i][0]));
		assert_int_equal(info.n_addrs, 0);
		assert_true(info.lamport_id == 0);
	}
}

/* §6 round trip: LamportID 2^64-1, VNI 16777215, 30 s, 5 m, two addresses. */
static void test_round_trip(void **state)
{
	struct rg_relay_endpoint_info in, back;
	struct rg_err err;
	char out[RG_RELAY_ENDPOINT_JSON_MAX];
	size_t len;

	(void)state;
	memset(&in, 0, sizeof(in));
	assert_int_equal(hex_decode(server_disco_hex, in.server_disco.b, 32), 32);
	in.lamport_id = UINT64_MAX;
	in.vni = 16777215;
	in.bind_lifetime_ns = 30 * RG_RELAY_SECOND;
	in.steady_lifetime_ns = 5 * 60 * RG_RELAY_SECOND;
	in.n_addrs = 2;
	addr("127.0.0.1:1", &in.addrs[0]);
	addr("127.0.0.2:2", &in.addrs[1]);
	assert_int_equal(rg_relay_endpoint_to_json(&in, out, sizeof(out), &len), 0);
	if (rg_relay_endpoint_from_json(out, len, &back, &err) < 0)
		fail_msg("%s: %s", out, err.msg);
	assert_info_equal(&in, &back);
	assert_string_equal(out, valid);
}

/* Go's time.Duration.String and time.ParseDuration, through the lifetimes. */
static void test_durations(void **state)
{
	static const struct {
		int64_t ns;
		const char *text;
	} out_cases[] = {
		{ 0, "0s" },
		{ 1, "1ns" },
		{ 1500, "1.5\xc2\xb5s" },
		{ 2000000, "2ms" },
		{ 1000000000, "1s" },
		{ 1500000000, "1.5s" },
		{ 30 * RG_RELAY_SECOND, "30s" },
		{ 60 * RG_RELAY_SECOND, "1m0s" },
		{ 300 * RG_RELAY_SECOND, "5m0s" },
		{ 3600 * RG_RELAY_SECOND, "1h0m0s" },
		{ 3600 * RG_RELAY_SECOND + 61 * RG_RELAY_SECOND + 1, "1h1m1.000000001s" },
		{ -RG_RELAY_SECOND, "-1s" },
		{ INT64_MAX, "2562047h47m16.854775807s" },
		{ INT64_MIN, "-2562047h47m16.854775808s" },
	};
	static const struct {
		const char *text;
		int64_t ns;
	} in_cases[] = {
		{ "0", 0 },
		{ "-0", 0 },
		{ "+5s", 5 * RG_RELAY_SECOND },
		{ "1h30m", 5400 * RG_RELAY_SECOND },
		{ "1.5h", 5400 * RG_RELAY_SECOND },
		{ "90m", 5400 * RG_RELAY_SECOND },
		{ "300s", 300 * RG_RELAY_SECOND },
		{ "1ms500us", 1500000 },
		{ "2\xc2\xb5s", 2000 },  /* U+00B5 micro sign */
		{ "2\xce\xbcs", 2000 },  /* U+03BC Greek mu */
		{ "7ns", 7 },
		{ ".5s", 500000000 },
		{ "1.s", RG_RELAY_SECOND },
		{ "9223372036854775807ns", INT64_MAX },
		{ "-9223372036854775808ns", INT64_MIN },
	};
	static const char *const bad[] = {
		"5", "", "-", "s", ".s", "1x", "1S", "1 s", "1h 30m", "9223372036854775808ns",
		"2562048h", "1e3s",
	};
	struct rg_relay_endpoint_info info, back;
	struct rg_err err;
	char text[2048], want[256];
	size_t len;

	(void)state;
	memset(&info, 0, sizeof(info));
	for (size_t i = 0; i < sizeof(out_cases) / sizeof(out_cases[0]); i++) {
		info.bind_lifetime_ns = out_cases[i].ns;
		info.steady_lifetime_ns = out_cases[i].ns;
		assert_int_equal(rg_relay_endpoint_to_json(&info, text, sizeof(text), &len), 0);
		snprintf(want, sizeof(want), "\"BindLifetime\":\"%s\",\"SteadyStateLifetime\":\"%s\"}",
			 out_cases[i].text, out_cases[i].text);
		assert_string_equal(text + len - strlen(want), want);
		assert_int_equal(rg_relay_endpoint_from_json(text, len, &back, &err), 0);
		assert_true(back.bind_lifetime_ns == out_cases[i].ns);
		assert_true(back.steady_lifetime_ns == out_cases[i].ns);
	}
	for (size_t i = 0; i < sizeof(in_cases) / sizeof(in_cases[0]); i++) {
		snprintf(want, sizeof(want), "\"%s\"", in_cases[i].text);
		variant("BindLifetime", want, text, sizeof(text));
		if (from(text, &info, &err) < 0)
			fail_msg("%s refused: %s", in_cases[i].text, err.msg);
		assert_true(info.bind_lifetime_ns == in_cases[i].ns);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), "\"%s\"", bad[i]);
		variant("SteadyStateLifetime", want, text, sizeof(text));
		if (from(text, &info, &err) == 0)
			fail_msg("duration %s accepted", bad[i]);
		assert_non_null(strstr(err.msg, "SteadyStateLifetime: time: "));
	}
	/* A number is not a duration string (Go: type error). */
	variant("BindLifetime", "30000000000", text, sizeof(text));
	assert_int_equal(from(text, &info, &err), -1);
}

/* Unsigned integers as Go reads them into uint64 / uint32, from the text. */
static void test_numbers(void **state)
{
	static const struct {
		const char *field, *value;
		int ok;
		uint64_t want;
	} cases[] = {
		{ "LamportID", "0", 1, 0 },
		{ "LamportID", "9007199254740993", 1, 9007199254740993ULL }, /* not a double */
		{ "LamportID", "9223372036854775808", 1, 9223372036854775808ULL }, /* > json_int_t */
		{ "LamportID", "18446744073709551615", 1, UINT64_MAX },
		{ "LamportID", "18446744073709551616", 0, 0 },
		{ "LamportID", "99999999999999999999999", 0, 0 },
		{ "LamportID", "-1", 0, 0 },
		{ "LamportID", "-0", 0, 0 },
		{ "LamportID", "1e3", 0, 0 },
		{ "LamportID", "1.0", 0, 0 },
		{ "LamportID", "\"1\"", 0, 0 },
		{ "LamportID", "true", 0, 0 },
		{ "LamportID", "01", 0, 0 }, /* not JSON */
		{ "VNI", "0", 1, 0 },
		{ "VNI", "4294967295", 1, 4294967295ULL },
		{ "VNI", "4294967296", 0, 0 },
		{ "VNI", "-1", 0, 0 },
		{ "VNI", "1E2", 0, 0 },
		{ "VNI", "[1]", 0, 0 },
	};
	char text[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rg_relay_endpoint_info info;
		struct rg_err err;
		int rc;

		variant(cases[i].field, cases[i].value, text, sizeof(text));
		rc = from(text, &info, &err);
		if ((rc == 0) != cases[i].ok)
			fail_msg("%s %s: got %d (%s)", cases[i].field, cases[i].value, rc,
				 rc ? err.msg : "");
		if (rc == 0)
			assert_true((cases[i].field[0] == 'V' ? info.vni : info.lamport_id) ==
				    cases[i].want);
	}
}

/* The rest of encoding/json's behaviour into a struct, and our limits. */
static void test_json_rules(void **state)
{
	struct rg_relay_endpoint_info info;
	struct rg_err err;
	char text[4096];
	size_t n;

	(void)state;
	/* Names match case-insensitively; unknown members are ignored. */
	assert_int_equal(from("{\"vni\":7,\"LAMPORTID\":9,\"addrports\":[\"[::1]:5\"],"
			      "\"bindlifetime\":\"1s\",\"Extra\":{\"a\":[1,{}]},\"ClientDisco\":null}",
			      &info, &err), 0);
	assert_int_equal(info.vni, 7);
	assert_true(info.lamport_id == 9);
	assert_int_equal(info.n_addrs, 1);
	assert_true(info.bind_lifetime_ns == RG_RELAY_SECOND);
	assert_true(info.steady_lifetime_ns == 0);
	/* The last of repeated members wins; null leaves a field as it is,
	 * except AddrPorts, which it empties (a nil slice). */
	assert_int_equal(from("{\"VNI\":1,\"vni\":2,\"VNI\":null,\"AddrPorts\":[\"1.2.3.4:5\"],"
			      "\"AddrPorts\":null}", &info, &err), 0);
	assert_int_equal(info.vni, 2);
	assert_int_equal(info.n_addrs, 0);
	/* Missing members stay zero; {} is an endpoint of zeros. */
	assert_int_equal(from("{}", &info, &err), 0);
	assert_int_equal(info.vni, 0);
	assert_true(rg_disco_key_is_zero(&info.server_disco));
	/* No addresses are written as null, like Go's nil slice; [] reads as none. */
	assert_int_equal(rg_relay_endpoint_to_json(&info, text, sizeof(text), &n), 0);
	assert_non_null(strstr(text, "\"AddrPorts\":null,"));
	assert_int_equal(from("{\"AddrPorts\":[]}", &info, &err), 0);
	assert_int_equal(info.n_addrs, 0);
	/* Whitespace is fine; escapes in strings are decoded. */
	assert_int_equal(from(" {\n\t\"VNI\" : 3 ,\"BindLifetime\":\"\\u0033s\"}\r\n", &info, &err), 0);
	assert_int_equal(info.vni, 3);
	assert_true(info.bind_lifetime_ns == 3 * RG_RELAY_SECOND);
	/* Upper-case hex in the key is accepted (Go's hex decoder). */
	assert_int_equal(from("{\"ServerDisco\":\"discokey:003CD7453E04A653EB0E7A18F206FC353180EFADB2FACFD05EBD6982A1392C7F\"}",
			      &info, &err), 0);
	assert_int_equal(info.server_disco.b[1], 0x3c);

	/* Refused. */
	{
		static const char *const bad[] = {
			"", "null", "[]", "\"x\"", "1", "{", "{\"VNI\":1,}", "{/* c */}",
			"{\"VNI\":1} {}", "{\"VNI\":1}x",
			"{\"ServerDisco\":\"discokey:003cd7453e04a653eb0e7a18f206fc353180efadb2facfd05ebd6982a1392c7\"}",
			"{\"ServerDisco\":\"nodekey:003cd7453e04a653eb0e7a18f206fc353180efadb2facfd05ebd6982a1392c7f\"}",
			"{\"ServerDisco\":7}",
			"{\"AddrPorts\":\"127.0.0.1:1\"}",
			"{\"AddrPorts\":[1]}",
			"{\"AddrPorts\":[null]}",
			"{\"AddrPorts\":[\"\"]}",
			"{\"AddrPorts\":[\"127.0.0.1\"]}",
			"{\"AddrPorts\":[\"127.0.0.1:65536\"]}",
			"{\"AddrPorts\":[\"::1:5\"]}",
			"{\"AddrPorts\":[\"[127.0.0.1]:5\"]}",
			"{\"AddrPorts\":[\"[fe80::1%eth0]:5\"]}",
			"{\"AddrPorts\":[\"1.2.3.4:5\\u0000\"]}",
			"{\"BindLifetime\":null,\"SteadyStateLifetime\":\"1d\"}",
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			memset(&info, 0x5a, sizeof(info));
			if (from(bad[i], &info, &err) == 0)
				fail_msg("accepted: %s", bad[i]);
			assert_int_equal(info.n_addrs, 0);
		}
	}
	/* At most RG_RELAY_MAX_ADDRS addresses. */
	n = (size_t)snprintf(text, sizeof(text), "{\"AddrPorts\":[");
	for (int i = 0; i <= RG_RELAY_MAX_ADDRS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\"10.0.0.%d:1\"", i ? "," : "", i);
	snprintf(text + n, sizeof(text) - n, "]}");
	assert_int_equal(from(text, &info, &err), -1);
	assert_non_null(strstr(err.msg, "AddrPorts"));
	/* Text with a NUL inside is not JSON. */
	assert_int_equal(rg_relay_endpoint_from_json("{}\0{}", 5, &info, &err), -1);
}

/* The longest form fits RG_RELAY_ENDPOINT_JSON_MAX; a short buffer fails cleanly. */
static void test_sizes(void **state)
{
	struct rg_relay_endpoint_info in, back;
	struct rg_err err;
	char out[RG_RELAY_ENDPOINT_JSON_MAX];
	size_t len, len2;

	(void)state;
	memset(&in, 0xff, sizeof(in));
	in.created = false;
	in.lamport_id = UINT64_MAX;
	in.vni = UINT32_MAX;
	in.bind_lifetime_ns = INT64_MIN;
	in.steady_lifetime_ns = INT64_MIN;
	in.n_addrs = RG_RELAY_MAX_ADDRS;
	for (size_t i = 0; i < RG_RELAY_MAX_ADDRS; i++) {
		memset(in.addrs[i].ip, 0xff, 16);
		in.addrs[i].ip[15] = (uint8_t)i;
		in.addrs[i].port = 65535;
	}
	assert_int_equal(rg_relay_endpoint_to_json(&in, out, sizeof(out), &len), 0);
	assert_int_equal(strlen(out), len);
	assert_true(len < RG_RELAY_ENDPOINT_JSON_MAX);
	if (rg_relay_endpoint_from_json(out, len, &back, &err) < 0)
		fail_msg("%s: %s", out, err.msg);
	assert_info_equal(&in, &back);
	/* Exactly enough room (text and NUL), then one byte less. */
	assert_int_equal(rg_relay_endpoint_to_json(&in, out, len + 1, &len2), 0);
	assert_int_equal(len2, len);
	assert_int_equal(rg_relay_endpoint_to_json(&in, out, len, &len2), -1);
	assert_int_equal(len2, 0);
	assert_string_equal(out, "");
	assert_int_equal(rg_relay_endpoint_to_json(&in, out, 0, &len2), -1);
	in.n_addrs = RG_RELAY_MAX_ADDRS + 1;
	assert_int_equal(rg_relay_endpoint_to_json(&in, out, sizeof(out), &len2), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_vector),
		cmocka_unit_test(test_invalid_vectors),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_json_rules),
		cmocka_unit_test(test_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Tailscale API client: the parts that need no server (tests/api covers the wire). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "relaygate/tsapi.h"
#include "tsapi/internal.h"

static void url_ok(const char *in, const char *want)
{
	char out[TSAPI_BASE_MAX];
	struct rg_err err;

	if (rg_tsapi_base_url_check(in, out, sizeof(out), &err) < 0)
		fail_msg("'%s' refused: %s", in, err.msg);
	assert_string_equal(out, want);
}

static void url_bad(const char *in, const char *why)
{
	char out[TSAPI_BASE_MAX];
	struct rg_err err;

	if (rg_tsapi_base_url_check(in, out, sizeof(out), &err) == 0)
		fail_msg("'%s' accepted as '%s'", in, out);
	assert_non_null(strstr(err.msg, why));
}

static void test_base_url(void **state)
{
	(void)state;
	url_ok("https://api.tailscale.com", "https://api.tailscale.com");
	url_ok("https://api.tailscale.com/", "https://api.tailscale.com");
	url_ok("HTTPS://headscale.example:8443", "https://headscale.example:8443");
	url_ok("http://127.0.0.1:8080/", "http://127.0.0.1:8080");
	url_ok("http://127.9.8.7", "http://127.9.8.7");
	url_ok("http://localhost:1", "http://localhost:1");
	url_ok("http://[::1]:9", "http://[::1]:9");
	url_bad("http://example.com", "loopback");
	url_bad("http://10.0.0.1", "loopback");
	url_bad("http://128.0.0.1", "loopback");
	url_bad("http://[::2]:9", "loopback");
	url_bad("http://[::ffff:127.0.0.1]", "loopback");
	url_bad("http://localhost.example.com", "loopback");
	url_bad("ftp://127.0.0.1", "scheme");
	url_bad("file:///etc/passwd", "scheme");
	url_bad("https://api.tailscale.com/api/v2", "without user, path");
	url_bad("https://user:pw@api.tailscale.com", "without user");
	url_bad("https://api.tailscale.com?x", "query");
	url_bad("https://api.tailscale.com#f", "fragment");
	url_bad("api.tailscale.com", "expected scheme://host");
	url_bad("", "expected scheme://host");
	url_bad("https://exa mple.com", "expected scheme://host");
	url_bad("https://example.com\r\nX: y", "expected scheme://host");
}

static void etag(const char *in, const char *want)
{
	char out[300];
	struct rg_err err;
	int r = rg_tsapi_etag_quote(in, out, sizeof(out), &err);

	if (!want) {
		assert_int_equal(r, -1);
		assert_non_null(strstr(err.msg, "--if-match"));
		return;
	}
	assert_int_equal(r, 0);
	assert_string_equal(out, want);
}

static void test_etag_quote(void **state)
{
	char big[300], small[300];

	(void)state;
	etag("\"abc\"", "\"abc\"");
	etag("abc", "\"abc\"");
	etag("ts-default", "\"ts-default\"");
	etag("W/\"x\"", "W/\"x\"");
	etag("\"\"", "\"\"");
	etag("\"abc", NULL);
	etag("abc\"", NULL);
	etag("\"a\"b\"", NULL);
	etag("a b", NULL);
	etag("a\r\nX-Evil: 1", NULL);
	etag("caf\xc3\xa9", NULL);
	etag("", NULL);
	memset(big, 'a', 257);
	big[257] = '\0';
	etag(big, NULL);
	big[256] = '\0';
	assert_int_equal(rg_tsapi_etag_quote(big, small, sizeof(big), NULL), 0);
	assert_int_equal(strlen(small), 258);
	assert_int_equal(rg_tsapi_etag_quote(big, small, 20, NULL), -1); /* out too small */
}

static void test_retry_after(void **state)
{
	time_t now = 1700000000; /* Tue, 14 Nov 2023 22:13:20 GMT */

	(void)state;
	assert_int_equal(rg_tsapi_retry_after_ms("0", now), 0);
	assert_int_equal(rg_tsapi_retry_after_ms("7", now), 7000);
	assert_int_equal(rg_tsapi_retry_after_ms(" 12 ", now), 12000);
	assert_int_equal(rg_tsapi_retry_after_ms("99999999999999999999", now), 86400L * 1000);
	assert_int_equal(rg_tsapi_retry_after_ms("Tue, 14 Nov 2023 22:13:50 GMT", now), 30000);
	assert_int_equal(rg_tsapi_retry_after_ms("Tue, 14 Nov 2023 22:00:00 GMT", now), 0);
	assert_int_equal(rg_tsapi_retry_after_ms("Fri, 14 Nov 2025 22:00:00 GMT", now),
			 86400L * 1000);
	assert_int_equal(rg_tsapi_retry_after_ms(NULL, now), -1);
	assert_int_equal(rg_tsapi_retry_after_ms("", now), -1);
	assert_int_equal(rg_tsapi_retry_after_ms("-5", now), -1);
	assert_int_equal(rg_tsapi_retry_after_ms("5s", now), -1);
	assert_int_equal(rg_tsapi_retry_after_ms("1.5", now), -1);
	assert_int_equal(rg_tsapi_retry_after_ms("tomorrow", now), -1);
	assert_int_equal(rg_tsapi_retry_after_ms("Tue, 14 Nov 2023 22:13:50 GMT junk", now), -1);
}

static void test_backoff(void **state)
{
	int a;

	(void)state;
	for (a = 1; a <= 12; a++) {
		long lo = tsapi_backoff_ms(a, 0);
		uint32_t r;

		/* Half fixed, half jitter: within [lo, 2 lo], lo doubling up to the cap. */
		assert_true(lo >= 500 && lo <= 15000);
		if (a > 1 && a < 6)
			assert_int_equal(lo, 2 * tsapi_backoff_ms(a - 1, 0));
		assert_int_equal(tsapi_backoff_ms(a, (uint32_t)lo), 2 * lo);
		for (r = 1; r < 4000000000u; r += 77777777u) {
			long d = tsapi_backoff_ms(a, r);

			assert_true(d >= lo && d <= 2 * lo);
		}
	}
	assert_int_equal(tsapi_backoff_ms(1, 0), 500);
	assert_int_equal(tsapi_backoff_ms(30, 0), 15000);
	assert_true(tsapi_status_retryable(429));
	assert_true(tsapi_status_retryable(500));
	assert_true(tsapi_status_retryable(503));
	assert_false(tsapi_status_retryable(501));
	assert_false(tsapi_status_retryable(400));
	assert_false(tsapi_status_retryable(412));
	assert_false(tsapi_status_retryable(200));
	assert_true(tsapi_curl_retryable(CURLE_OPERATION_TIMEDOUT));
	assert_false(tsapi_curl_retryable(CURLE_PEER_FAILED_VERIFICATION));
	assert_false(tsapi_curl_retryable(CURLE_COULDNT_RESOLVE_HOST));
}

static char *inventory(const char *json, char *errmsg, size_t n)
{
	struct rg_err err;
	char *out = NULL;
	size_t len = 0;

	if (rg_tsapi_inventory_from_devices(json, strlen(json), &out, &len, &err) < 0) {
		snprintf(errmsg, n, "%s", err.msg);
		assert_null(out);
		return NULL;
	}
	assert_int_equal(strlen(out), len);
	assert_int_equal(out[len - 1], '\n');
	return out;
}

static void test_inventory(void **state)
{
	char msg[RG_ERR_MAX];
	char *out;
	json_t *inv, *want;
	json_error_t jerr;

	(void)state;
	out = inventory("{\"devices\":["
			"{\"name\":\"b.t.ts.net\",\"user\":\"x@e.com\",\"addresses\":[\"100.64.0.2\"]},"
			"{\"name\":\"\",\"hostname\":\"\",\"nodeId\":\"nABC\",\"user\":\"\"},"
			"{\"name\":\"a.t.ts.net\",\"user\":\"y@e.com\",\"tags\":[\"tag:z\"]},"
			"{\"name\":\"a.u.ts.net\",\"user\":\"x@e.com\",\"discoKey\":\"\"}"
			"],\"extra\":1}",
			msg, sizeof(msg));
	assert_non_null(out);
	inv = json_loads(out, 0, &jerr);
	want = json_loads(
		"{\"users\":[{\"id\":1,\"name\":\"x\",\"email\":\"x@e.com\"}],"
		"\"nodes\":["
		"{\"name\":\"a\",\"user\":null,\"tags\":[\"tag:z\"],\"ips\":[],\"routable_ips\":[],"
		"\"approved_routes\":[]},"
		"{\"name\":\"a\",\"user\":\"x@e.com\",\"tags\":[],\"ips\":[],\"routable_ips\":[],"
		"\"approved_routes\":[]},"
		"{\"name\":\"b\",\"user\":\"x@e.com\",\"tags\":[],\"ips\":[\"100.64.0.2\"],"
		"\"routable_ips\":[],\"approved_routes\":[]},"
		"{\"name\":\"nABC\",\"user\":null,\"tags\":[],\"ips\":[],\"routable_ips\":[],"
		"\"approved_routes\":[]}]}",
		0, &jerr);
	assert_non_null(inv);
	assert_non_null(want);
	if (!json_equal(inv, want))
		fail_msg("unexpected inventory:\n%s", out);
	json_decref(inv);
	json_decref(want);
	free(out);

	assert_null(inventory("", msg, sizeof(msg)));
	assert_non_null(strstr(msg, "not JSON"));
	assert_null(inventory("[]", msg, sizeof(msg)));
	assert_non_null(strstr(msg, "no 'devices' list"));
	assert_null(inventory("{\"devices\":[1]}", msg, sizeof(msg)));
	assert_string_equal(msg, "device 0 is not an object of the expected shape");
	assert_null(inventory("{\"devices\":[{\"name\":\"a\"},{\"name\":\"b\",\"user\":7}]}", msg,
			      sizeof(msg)));
	assert_string_equal(msg, "device 1 is not an object of the expected shape");
	assert_null(inventory("{\"devices\":[{\"name\":\".x\"}]}", msg, sizeof(msg)));
	assert_string_equal(msg, "device 0 has no name, hostname or nodeId");
	assert_null(inventory("{\"devices\":[{\"name\":\"a\",\"tags\":{}}]}", msg, sizeof(msg)));
	assert_string_equal(msg, "device 0: 'tags' is not a list");
	assert_null(inventory("{\"devices\":[{\"name\":\"a\",\"enabledRoutes\":[1]}]}", msg,
			      sizeof(msg)));
	assert_string_equal(msg, "device 0: 'enabledRoutes' holds a non-string");
}

static void test_explain(void **state)
{
	struct rg_tsapi_reply rep = { 0 };
	struct rg_buf b;
	size_t ne, nw, i;
	char *big;

	(void)state;
	rep.body = strdup("{\"message\":\"m\\u001b[0m\",\"data\":[{\"user\":\"u\",\"errors\":[\"e1\","
			  "5,\"e2\"],\"warnings\":[\"w\"]},{\"errors\":[\"bare\"]},7,"
			  "{\"user\":\"quiet\"}]}");
	rep.len = strlen(rep.body);
	assert_int_equal(tsapi_explain(&rep, &ne, &nw), 0);
	assert_int_equal(ne, 3);
	assert_int_equal(nw, 1);
	assert_string_equal(rep.message, "m\\x1b[0m");
	assert_string_equal(rep.notes, "  for u:\n    error: e1\n    error: e2\n    warning: w\n"
				       "  error: bare\n");
	rg_tsapi_reply_clear(&rep);

	rep.body = strdup("not json");
	rep.len = strlen(rep.body);
	assert_int_equal(tsapi_explain(&rep, &ne, &nw), -1);
	assert_null(rep.notes);
	rg_tsapi_reply_clear(&rep);

	/* A flood of entries is cut, not allowed to grow without bound. */
	rg_buf_init(&b, 0);
	rg_buf_puts(&b, "{\"data\":[");
	for (i = 0; i < 20000; i++)
		rg_buf_printf(&b, "%s{\"user\":\"user%zu@example.com\",\"errors\":[\"an error\"]}",
			      i ? "," : "", i);
	rg_buf_puts(&b, "]}");
	assert_false(rg_buf_failed(&b));
	big = rg_buf_take(&b, &rep.len);
	rep.body = big;
	assert_int_equal(tsapi_explain(&rep, &ne, &nw), 0);
	assert_non_null(rep.notes);
	assert_true(strlen(rep.notes) <= TSAPI_NOTES_MAX);
	assert_non_null(strstr(rep.notes, "more entries not shown"));
	rg_tsapi_reply_clear(&rep);
}

static void test_sanitize(void **state)
{
	struct rg_buf b;

	(void)state;
	rg_buf_init(&b, 0);
	tsapi_put_sanitized(&b, "a\x1b" "b\x7f" "c\xc2\x9b" "d\xc3\xa9" "\n\xc2", 12);
	assert_string_equal(b.data, "a\\x1bb\\x7fc\\u009bd\xc3\xa9\\x0a\xc2");
	rg_buf_free(&b);
}

static void set_env(const char *key, const char *id, const char *secret)
{
	if (key)
		setenv(RG_TSAPI_ENV_API_KEY, key, 1);
	else
		unsetenv(RG_TSAPI_ENV_API_KEY);
	if (id)
		setenv(RG_TSAPI_ENV_CLIENT_ID, id, 1);
	else
		unsetenv(RG_TSAPI_ENV_CLIENT_ID);
	if (secret)
		setenv(RG_TSAPI_ENV_CLIENT_SECRET, secret, 1);
	else
		unsetenv(RG_TSAPI_ENV_CLIENT_SECRET);
}

static void test_config_env(void **state)
{
	struct rg_tsapi_config cfg;
	struct rg_tsapi_error err;

	(void)state;
	unsetenv(RG_TSAPI_ENV_TAILNET);
	unsetenv(RG_TSAPI_ENV_DELAY_SCALE);
	rg_tsapi_config_init(&cfg);
	set_env("k", NULL, NULL);
	assert_int_equal(rg_tsapi_config_from_env(&cfg, &err), 0);
	assert_string_equal(cfg.api_key, "k");
	assert_null(cfg.oauth_client_id);
	assert_null(cfg.tailnet);
	assert_true(cfg.delay_scale == 1.0);

	rg_tsapi_config_init(&cfg);
	set_env("", "id", "sec");
	setenv(RG_TSAPI_ENV_TAILNET, "example.com", 1);
	setenv(RG_TSAPI_ENV_DELAY_SCALE, "0.25", 1);
	assert_int_equal(rg_tsapi_config_from_env(&cfg, &err), 0);
	assert_null(cfg.api_key);
	assert_string_equal(cfg.oauth_client_id, "id");
	assert_string_equal(cfg.oauth_client_secret, "sec");
	assert_string_equal(cfg.tailnet, "example.com");
	assert_true(cfg.delay_scale == 0.25);

	cfg.tailnet = "flag";
	assert_int_equal(rg_tsapi_config_from_env(&cfg, &err), 0);
	assert_string_equal(cfg.tailnet, "flag");

	setenv(RG_TSAPI_ENV_DELAY_SCALE, "2", 1);
	assert_int_equal(rg_tsapi_config_from_env(&cfg, &err), -1);
	assert_non_null(strstr(err.err.msg, RG_TSAPI_ENV_DELAY_SCALE));
	unsetenv(RG_TSAPI_ENV_DELAY_SCALE);

	set_env("k", "id", NULL);
	assert_int_equal(rg_tsapi_config_from_env(&cfg, &err), -1);
	assert_int_equal(err.kind, RG_TSAPI_FAIL_LOCAL);
	assert_non_null(strstr(err.err.msg, "set only one"));
	set_env(NULL, NULL, "sec");
	assert_int_equal(rg_tsapi_config_from_env(&cfg, &err), -1);
	assert_string_equal(err.err.msg, "TS_OAUTH_CLIENT_SECRET is set but TS_OAUTH_CLIENT_ID is not");
	set_env(NULL, NULL, NULL);
	assert_int_equal(rg_tsapi_config_from_env(&cfg, &err), -1);
	assert_non_null(strstr(err.err.msg, "no credentials"));
	unsetenv(RG_TSAPI_ENV_TAILNET);
}

static void new_fails(struct rg_tsapi_config *cfg, const char *why)
{
	struct rg_tsapi *api = (struct rg_tsapi *)1;
	struct rg_tsapi_error err;

	assert_int_equal(rg_tsapi_new(cfg, &api, &err), -1);
	assert_null(api);
	assert_int_equal(err.kind, RG_TSAPI_FAIL_LOCAL);
	if (!strstr(err.err.msg, why))
		fail_msg("'%s' does not say '%s'", err.err.msg, why);
	assert_null(strstr(err.err.msg, "s3cret"));
	rg_tsapi_config_init(cfg);
	cfg->api_key = "s3cret";
}

static void test_new(void **state)
{
	struct rg_tsapi_config cfg;
	struct rg_tsapi_error err;
	struct rg_tsapi *api = NULL;

	(void)state;
	rg_tsapi_config_init(&cfg);
	cfg.api_key = "s3cret";
	assert_int_equal(rg_tsapi_new(&cfg, &api, &err), 0);
	assert_non_null(api);
	assert_string_equal(api->base, RG_TSAPI_DEFAULT_BASE_URL);
	assert_string_equal(api->tailnet_esc, "-");
	rg_tsapi_free(api);
	rg_tsapi_free(NULL);

	cfg.tailnet = "";
	new_fails(&cfg, "--tailnet");
	cfg.tailnet = "a\nb";
	new_fails(&cfg, "--tailnet");
	cfg.timeout_ms = 0;
	new_fails(&cfg, "timeouts");
	cfg.connect_timeout_ms = RG_TSAPI_MAX_TIMEOUT_MS + 1;
	new_fails(&cfg, "timeouts");
	cfg.retries = RG_TSAPI_MAX_RETRIES + 1;
	new_fails(&cfg, "--retries");
	cfg.base_url = "http://example.com";
	new_fails(&cfg, "loopback");
	cfg.api_key = "s3cret\r\nX: y";
	new_fails(&cfg, "TS_API_KEY is malformed");
	cfg.api_key = NULL;
	cfg.oauth_client_id = "id";
	new_fails(&cfg, "TS_OAUTH_CLIENT_SECRET is empty");
	cfg.oauth_client_id = "id";
	new_fails(&cfg, "not both");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_url),
		cmocka_unit_test(test_etag_quote),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_inventory),
		cmocka_unit_test(test_explain),
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_config_env),
		cmocka_unit_test(test_new),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

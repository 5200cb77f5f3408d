/* The metrics listener's request parser: accepts plain requests, refuses
 * everything else with the right status, never reads past its bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <stdio.h>

#include "util/http_req.h"

#define MAX 4096

static int parse(const char *s, struct rg_http_req *r)
{
	return rg_http_req_parse(s, strlen(s), MAX, r);
}

static void test_accepts(void **state)
{
	struct rg_http_req r;
	const char *req = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9090\r\n"
			  "User-Agent: Prometheus/2.0\r\nAccept: text/plain;q=0.9\r\n\r\n";

	(void)state;
	assert_int_equal(parse(req, &r), RG_HTTP_OK);
	assert_string_equal(r.method, "GET");
	assert_string_equal(r.path, "/metrics");
	assert_int_equal(r.minor, 1);
	assert_int_equal(r.head_len, strlen(req));
	/* Bare LF, HTTP/1.0, a query, HEAD, no headers at all. */
	assert_int_equal(parse("HEAD /healthz?verbose=1 HTTP/1.0\n\n", &r), RG_HTTP_OK);
	assert_string_equal(r.method, "HEAD");
	assert_string_equal(r.path, "/healthz");
	assert_int_equal(r.minor, 0);
	/* Other methods parse; the server answers them 405. */
	assert_int_equal(parse("POST / HTTP/1.1\r\n\r\n", &r), RG_HTTP_OK);
	assert_string_equal(r.method, "POST");
	/* Bytes after the head (a body or a pipelined request) are not read. */
	assert_int_equal(parse("GET / HTTP/1.1\r\n\r\nGARBAGE\x01", &r), RG_HTTP_OK);
	assert_int_equal(r.head_len, 18);
}

/*
 * A complete head's verdict does not depend on the bytes after it: a NUL or
 * a bare CR in a body or a pipelined request, read together with the head,
 * used to turn a valid request into 400 (found by fuzz_http_req).
 */
static void test_after_head_ignored(void **state)
{
	static const char req[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nA\0B\rC";
	size_t head = (size_t)(strstr(req, "\r\n\r\n") - req) + 4, n = sizeof(req) - 1;
	struct rg_http_req r;

	(void)state;
	for (size_t len = head; len <= n; len++) {
		assert_int_equal(rg_http_req_parse(req, len, MAX, &r), RG_HTTP_OK);
		assert_int_equal(r.head_len, head);
		assert_string_equal(r.path, "/metrics");
	}
	/* Before the head is complete they are still refused at once. */
	assert_int_equal(rg_http_req_parse("GET /\0", 6, MAX, &r), RG_HTTP_BAD_REQUEST);
	assert_int_equal(rg_http_req_parse("GET /\rx", 7, MAX, &r), RG_HTTP_BAD_REQUEST);
}

static void test_incomplete_prefixes(void **state)
{
	const char *req = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
	struct rg_http_req r;
	size_t n = strlen(req);

	(void)state;
	for (size_t i = 0; i < n; i++)
		assert_int_equal(rg_http_req_parse(req, i, MAX, &r), RG_HTTP_INCOMPLETE);
	assert_int_equal(rg_http_req_parse(req, n, MAX, &r), RG_HTTP_OK);
}

static void test_refuses(void **state)
{
	static const struct {
		const char *req;
		int want;
	} cases[] = {
		{ "get /metrics HTTP/1.1\r\n\r\n", RG_HTTP_BAD_REQUEST },
		{ "GET metrics HTTP/1.1\r\n\r\n", RG_HTTP_BAD_REQUEST },
		{ "GET http://x/metrics HTTP/1.1\r\n\r\n", RG_HTTP_BAD_REQUEST },
		{ "GET  /metrics HTTP/1.1\r\n\r\n", RG_HTTP_BAD_REQUEST },
		{ "GET /metrics\r\n\r\n", RG_HTTP_BAD_REQUEST },
		{ "GET /metrics HTTP/1.1 \r\n\r\n", RG_HTTP_BAD_REQUEST },
		{ "GET /metrics HTTP/1\r\n\r\n", RG_HTTP_BAD_REQUEST },
		{ "GET /metrics HTTP/2.0\r\n\r\n", RG_HTTP_BAD_VERSION },
		{ "GET /metrics HTTP/0.9\r\n\r\n", RG_HTTP_BAD_VERSION },
		{ "GET /me\ttrics HTTP/1.1\r\n\r\n", RG_HTTP_BAD_REQUEST },
		{ "GET /metrics HTTP/1.1\r\nHost x\r\n\r\n", RG_HTTP_BAD_REQUEST },
		{ "GET /metrics HTTP/1.1\r\n: x\r\n\r\n", RG_HTTP_BAD_REQUEST },
		{ "GET /metrics HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", RG_HTTP_BAD_REQUEST },
		{ "GET /metrics HTTP/1.1\r\nHost: a\x01z\r\n\r\n", RG_HTTP_BAD_REQUEST },
		{ "GET /metrics HTTP/1.1\r\nHo st: x\r\n\r\n", RG_HTTP_BAD_REQUEST },
		{ "GET /metrics HTTP/1.1\rHost: x\r\n\r\n", RG_HTTP_BAD_REQUEST },
		{ "ABCDEFGHIJKLMNOPQ / HTTP/1.1\r\n\r\n", RG_HTTP_BAD_REQUEST },
		{ "\r\n\r\n", RG_HTTP_BAD_REQUEST },
	};
	struct rg_http_req r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (parse(cases[i].req, &r) != cases[i].want)
			fail_msg("case %zu: %s", i, cases[i].req);
	/* A NUL byte anywhere. */
	assert_int_equal(rg_http_req_parse("GET /\0 HTTP/1.1\r\n\r\n", 20, MAX, &r),
			 RG_HTTP_BAD_REQUEST);
}

static void test_bounds(void **state)
{
	struct rg_http_req r;
	char *big = malloc(MAX * 2);
	size_t n;

	(void)state;
	assert_non_null(big);
	/* A head that does not end within max bytes. */
	memcpy(big, "GET / HTTP/1.1\r\n", 16);
	memset(big + 16, 'a', MAX * 2 - 16);
	assert_int_equal(rg_http_req_parse(big, MAX * 2, MAX, &r), RG_HTTP_TOO_LARGE);
	assert_int_equal(rg_http_req_parse(big, MAX - 1, MAX, &r), RG_HTTP_INCOMPLETE);
	/* A path over the limit. */
	memcpy(big, "GET /", 5);
	memset(big + 5, 'p', RG_HTTP_PATH_MAX);
	n = 5 + RG_HTTP_PATH_MAX; /* "/" and 256 more */
	memcpy(big + n, " HTTP/1.1\r\n\r\n", 13);
	assert_int_equal(rg_http_req_parse(big, n + 13, MAX, &r), RG_HTTP_URI_TOO_LONG);
	/* The longest accepted path. */
	memcpy(big + n - 1, " HTTP/1.1\r\n\r\n", 13);
	assert_int_equal(rg_http_req_parse(big, n + 12, MAX, &r), RG_HTTP_OK);
	assert_int_equal(strlen(r.path), RG_HTTP_PATH_MAX);
	/* Too many headers. */
	n = 0;
	n += (size_t)sprintf(big, "GET / HTTP/1.1\r\n");
	for (int i = 0; i <= RG_HTTP_MAX_HEADERS; i++)
		n += (size_t)sprintf(big + n, "X: %d\r\n", i);
	n += (size_t)sprintf(big + n, "\r\n");
	assert_int_equal(rg_http_req_parse(big, n, MAX, &r), RG_HTTP_BAD_REQUEST);
	free(big);
}

/* Random bytes and mutations of a valid request: any result, no crash
 * (ASan reports reads past the end). */
static void test_noise(void **state)
{
	const char *req = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
	size_t n = strlen(req);
	unsigned seed = 7;

	(void)state;
	for (int i = 0; i < 50000; i++) {
		char *b = malloc(n);
		struct rg_http_req r;
		int res;

		assert_non_null(b);
		memcpy(b, req, n);
		seed = seed * 1103515245u + 12345u;
		b[(seed >> 8) % n] = (char)(seed >> 20);
		seed = seed * 1103515245u + 12345u;
		res = rg_http_req_parse(b, (seed >> 8) % (n + 1), MAX, &r);
		assert_true(res == 0 || res >= 200);
		if (res == RG_HTTP_OK)
			assert_true(r.head_len <= n && r.path[0] == '/');
		free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts),
		cmocka_unit_test(test_after_head_ignored),
		cmocka_unit_test(test_incomplete_prefixes),
		cmocka_unit_test(test_refuses),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_noise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

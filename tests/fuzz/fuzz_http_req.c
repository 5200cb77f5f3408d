/*
 * The metrics listener's HTTP request-head parser (util/http_req.c) over
 * arbitrary bytes, with the daemon's bound (RGD_HTTP_HEAD_MAX) and with a
 * smaller one taken from the input.
 * Properties: parsing is deterministic; a request that parses has an
 * uppercase method and a query-less origin-form path that both lie in the
 * request line of the input, HTTP/1.x, and a head ending in a blank line
 * within the bytes considered; any shorter prefix of that head is
 * incomplete (the daemon reads it in pieces), the head alone parses the
 * same, and a smaller bound either gives the same answer or refuses.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/http_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HEAD_MAX 4096 /* RGD_HTTP_HEAD_MAX, the daemon's connection buffer */

static bool same(const struct rg_http_req *a, const struct rg_http_req *b)
{
	return strcmp(a->method, b->method) == 0 && strcmp(a->path, b->path) == 0 &&
	       a->minor == b->minor && a->head_len == b->head_len;
}

static bool valid_status(int st)
{
	return st == RG_HTTP_INCOMPLETE || st == RG_HTTP_OK || st == RG_HTTP_BAD_REQUEST ||
	       st == RG_HTTP_URI_TOO_LONG || st == RG_HTTP_TOO_LARGE || st == RG_HTTP_BAD_VERSION;
}

/* The parsed request against the bytes it came from. */
static void check_ok(const char *buf, size_t considered, const struct rg_http_req *r)
{
	size_t m = strlen(r->method), p = strlen(r->path), i;

	if (m == 0 || m > RG_HTTP_METHOD_MAX || p == 0 || p > RG_HTTP_PATH_MAX)
		abort();
	if (r->head_len == 0 || r->head_len > considered || buf[r->head_len - 1] != '\n')
		abort();
	if (r->minor < 0 || r->minor > 9)
		abort();
	for (i = 0; i < m; i++)
		if (r->method[i] < 'A' || r->method[i] > 'Z')
			abort();
	if (r->path[0] != '/' || strchr(r->path, '?'))
		abort();
	for (i = 0; i < p; i++)
		if (r->path[i] <= 0x20 || r->path[i] >= 0x7f)
			abort();
	/* "METHOD SP path[?query] SP HTTP/1.x" starts the input. */
	if (m + 1 + p > r->head_len || memcmp(buf, r->method, m) != 0 || buf[m] != ' ' ||
	    memcmp(buf + m + 1, r->path, p) != 0 ||
	    (buf[m + 1 + p] != ' ' && buf[m + 1 + p] != '?'))
		abort();
	if (!memchr(buf, '\n', r->head_len) ||
	    (size_t)((const char *)memchr(buf, '\n', r->head_len) - buf) < m + 1 + p + 9)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct rg_http_req a, b;
	size_t considered = size < HEAD_MAX ? size : HEAD_MAX, small;
	int st, st2;

	st = rg_http_req_parse(buf, size, HEAD_MAX, &a);
	if (!valid_status(st))
		abort();
	st2 = rg_http_req_parse(buf, size, HEAD_MAX, &b);
	if (st2 != st || !same(&a, &b))
		abort();
	if (st == RG_HTTP_TOO_LARGE && size < HEAD_MAX)
		abort();
	if (st == RG_HTTP_OK) {
		check_ok(buf, considered, &a);
		/* The head alone, and every shorter read of it. */
		if (rg_http_req_parse(buf, a.head_len, HEAD_MAX, &b) != RG_HTTP_OK || !same(&a, &b))
			abort();
		if (rg_http_req_parse(buf, a.head_len - 1, HEAD_MAX, &b) != RG_HTTP_INCOMPLETE)
			abort();
		if (rg_http_req_parse(buf, a.head_len / 2, HEAD_MAX, &b) != RG_HTTP_INCOMPLETE)
			abort();
	}
	/* A smaller bound: the same answer, or a refusal (too large or a prefix's verdict). */
	small = size ? (size_t)data[0] * 8 + 1 : 1;
	st2 = rg_http_req_parse(buf, size, small, &b);
	if (!valid_status(st2))
		abort();
	if (st2 == RG_HTTP_OK) {
		check_ok(buf, small < size ? small : size, &b);
		if (b.head_len <= considered && (st != RG_HTTP_OK || !same(&a, &b)))
			abort();
	}
	if (st == RG_HTTP_OK && a.head_len <= small && (st2 != RG_HTTP_OK || !same(&a, &b)))
		abort();
	return 0;
}

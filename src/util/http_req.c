/* Bounded HTTP/1.x request-head parser. */
#include <stdbool.h>
#include <string.h>

#include "util/http_req.h"

/* Offset just past the blank line ending the head, or 0. */
static size_t find_head_end(const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (b[i] != '\n')
			continue;
		if (i + 1 < n && b[i + 1] == '\n')
			return i + 2;
		if (i + 2 < n && b[i + 1] == '\r' && b[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* Line [p, end) without its terminator; *next = start of the next line. */
static size_t line_len(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t n;

	if (!nl)
		nl = end;
	*next = nl < end ? nl + 1 : end;
	n = (size_t)(nl - p);
	if (n > 0 && p[n - 1] == '\r')
		n--;
	return n;
}

static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

static int parse_request_line(const char *p, size_t n, struct rg_http_req *out)
{
	size_t i = 0, m = 0, t0;

	while (i < n && p[i] >= 'A' && p[i] <= 'Z' && m < RG_HTTP_METHOD_MAX)
		out->method[m++] = p[i++];
	out->method[m] = '\0';
	if (m == 0 || i >= n || p[i] != ' ')
		return RG_HTTP_BAD_REQUEST;
	t0 = ++i;
	if (i >= n || p[i] != '/')
		return RG_HTTP_BAD_REQUEST;
	while (i < n && p[i] > 0x20 && p[i] < 0x7f)
		i++;
	if (i >= n || p[i] != ' ')
		return RG_HTTP_BAD_REQUEST;
	{
		const char *q = memchr(p + t0, '?', i - t0);
		size_t plen = (q ? (size_t)(q - p) : i) - t0;

		if (i - t0 > 4 * RG_HTTP_PATH_MAX || plen > RG_HTTP_PATH_MAX)
			return RG_HTTP_URI_TOO_LONG;
		memcpy(out->path, p + t0, plen);
		out->path[plen] = '\0';
	}
	i++;
	if (n - i != 8 || memcmp(p + i, "HTTP/", 5) != 0 || p[i + 6] != '.' ||
	    p[i + 5] < '0' || p[i + 5] > '9' || p[i + 7] < '0' || p[i + 7] > '9')
		return RG_HTTP_BAD_REQUEST;
	if (p[i + 5] != '1')
		return RG_HTTP_BAD_VERSION;
	out->minor = p[i + 7] - '0';
	return RG_HTTP_OK;
}

/* "name: value" with a token name and no control characters. */
static bool header_ok(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && is_tchar(p[i]))
		i++;
	if (i == 0 || i >= n || p[i] != ':')
		return false; /* also refuses obsolete line folding */
	for (i++; i < n; i++)
		if ((unsigned char)p[i] < 0x20 && p[i] != '\t')
			return false;
		else if (p[i] == 0x7f)
			return false;
	return true;
}

int rg_http_req_parse(const char *buf, size_t len, size_t max, struct rg_http_req *out)
{
	const char *p = buf, *end, *next;
	size_t head, n, scan;
	int r, lines = 0;

	memset(out, 0, sizeof(*out));
	if (len > max)
		len = max;
	head = find_head_end(buf, len);
	/*
	 * NUL and bare CR never belong in a head; refuse them early, before the
	 * head is complete. Bytes after a complete head (a body or a pipelined
	 * request) are not the head's: they must not change its verdict, which
	 * would then depend on how the stream was split into reads.
	 */
	scan = head ? head : len;
	for (size_t i = 0; i < scan; i++)
		if (buf[i] == '\0' || (buf[i] == '\r' && (i + 1 < scan && buf[i + 1] != '\n')))
			return RG_HTTP_BAD_REQUEST;
	if (!head)
		return len >= max ? RG_HTTP_TOO_LARGE : RG_HTTP_INCOMPLETE;
	end = buf + head;
	n = line_len(p, end, &next);
	r = parse_request_line(p, n, out);
	if (r != RG_HTTP_OK)
		return r;
	for (p = next; p < end; p = next) {
		n = line_len(p, end, &next);
		if (n == 0)
			break;
		if (++lines > RG_HTTP_MAX_HEADERS || !header_ok(p, n))
			return RG_HTTP_BAD_REQUEST;
	}
	out->head_len = head;
	return RG_HTTP_OK;
}

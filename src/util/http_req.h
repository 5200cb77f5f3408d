/*
 * A bounded HTTP/1.x request-head parser for the metrics listener: the
 * request line and the shape of each header line, nothing more (no body,
 * no header values kept). It never allocates, reads at most max bytes, and
 * refuses anything it does not fully understand. It sees bytes from any
 * local process (or further, if the listener is exposed): it is fuzzed.
 */
#ifndef RG_UTIL_HTTP_REQ_H
#define RG_UTIL_HTTP_REQ_H

#include <stddef.h>

#define RG_HTTP_METHOD_MAX 16
#define RG_HTTP_PATH_MAX 256
#define RG_HTTP_MAX_HEADERS 100

/* Results: 0 = need more bytes; otherwise an HTTP status to answer with. */
enum {
	RG_HTTP_INCOMPLETE = 0,
	RG_HTTP_OK = 200,
	RG_HTTP_BAD_REQUEST = 400,
	RG_HTTP_URI_TOO_LONG = 414,
	RG_HTTP_TOO_LARGE = 431,      /* no end of head within max bytes */
	RG_HTTP_BAD_VERSION = 505,
};

struct rg_http_req {
	char method[RG_HTTP_METHOD_MAX + 1]; /* uppercase token */
	char path[RG_HTTP_PATH_MAX + 1];     /* origin-form, query removed */
	int minor;                           /* HTTP/1.minor */
	size_t head_len;                     /* bytes up to and including the blank line */
};

/* Parses buf[0..len); considers at most max bytes of it. */
int rg_http_req_parse(const char *buf, size_t len, size_t max, struct rg_http_req *out);

#endif

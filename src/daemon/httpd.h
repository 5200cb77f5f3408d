/*
 * The metrics listener: HTTP/1.1 on TCP, GET/HEAD of /metrics and
 * /healthz (/livez and /readyz as aliases), one request per connection.
 * Driven by the main thread's poll loop; each connection has a bounded
 * buffer and a deadline, and the number of connections is bounded.
 */
#ifndef RGD_HTTPD_H
#define RGD_HTTPD_H

#include <poll.h>
#include <stdint.h>

#include "relaygate/addrport.h"
#include "relaygate/err.h"

#define RGD_HTTP_CONNS 16
#define RGD_HTTP_HEAD_MAX 4096
#define RGD_HTTP_DEADLINE_NS (5LL * 1000 * 1000 * 1000)

struct rgd_daemon;

struct rgd_http_conn {
	int fd;
	size_t len;
	int64_t deadline;
	char buf[RGD_HTTP_HEAD_MAX];
};

struct rgd_httpd {
	int lfd;
	struct rgd_http_conn conns[RGD_HTTP_CONNS];
};

int rgd_httpd_open(struct rgd_httpd *h, const struct rg_addrport *addr, struct rg_addrport *bound,
		   struct rg_err *err);
void rgd_httpd_close(struct rgd_httpd *h);
/* Adds the descriptors to watch; returns how many were added (<= cap). */
size_t rgd_httpd_pollfds(const struct rgd_httpd *h, struct pollfd *p, size_t cap);
/* Handles what poll reported in p[0..n) and expires slow connections. */
void rgd_httpd_step(struct rgd_httpd *h, const struct pollfd *p, size_t n,
		    const struct rgd_daemon *d);

#endif

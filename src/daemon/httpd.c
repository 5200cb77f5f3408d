/* Minimal HTTP/1.1 server for /metrics and /healthz. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "daemon/httpd.h"
#include "daemon/metrics.h"
#include "util/err.h"
#include "util/http_req.h"

#define WRITE_TIMEOUT_S 2

int rgd_httpd_open(struct rgd_httpd *h, const struct rg_addrport *addr, struct rg_addrport *bound,
		   struct rg_err *err)
{
	struct sockaddr_storage ss;
	socklen_t len = rg_addrport_to_sockaddr(addr, &ss);
	char text[RG_ADDRPORT_TEXT_MAX];
	int one = 1;

	memset(h, 0, sizeof(*h));
	for (size_t i = 0; i < RGD_HTTP_CONNS; i++)
		h->conns[i].fd = -1;
	rg_addrport_format(addr, text, sizeof(text));
	h->lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->lfd < 0)
		return rg_err_errno(err, errno, "metrics %s: socket", text);
	if (setsockopt(h->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (ss.ss_family == AF_INET6 &&
	     setsockopt(h->lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
	    bind(h->lfd, (struct sockaddr *)&ss, len) < 0 || listen(h->lfd, 16) < 0) {
		rg_err_errno(err, errno, "metrics %s: bind", text);
		close(h->lfd);
		h->lfd = -1;
		return -1;
	}
	len = sizeof(ss);
	if (getsockname(h->lfd, (struct sockaddr *)&ss, &len) < 0) {
		rg_err_errno(err, errno, "metrics %s: getsockname", text);
		rgd_httpd_close(h);
		return -1;
	}
	rg_addrport_from_sockaddr(&ss, bound);
	return 0;
}

static void conn_close(struct rgd_http_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->len = 0;
}

void rgd_httpd_close(struct rgd_httpd *h)
{
	for (size_t i = 0; i < RGD_HTTP_CONNS; i++)
		conn_close(&h->conns[i]);
	if (h->lfd >= 0)
		close(h->lfd);
	h->lfd = -1;
}

static size_t active(const struct rgd_httpd *h)
{
	size_t n = 0;

	for (size_t i = 0; i < RGD_HTTP_CONNS; i++)
		n += h->conns[i].fd >= 0;
	return n;
}

size_t rgd_httpd_pollfds(const struct rgd_httpd *h, struct pollfd *p, size_t cap)
{
	size_t n = 0;

	if (h->lfd < 0)
		return 0;
	/* Not listening while full: the backlog waits, poll does not spin. */
	if (n < cap && active(h) < RGD_HTTP_CONNS)
		p[n++] = (struct pollfd){ .fd = h->lfd, .events = POLLIN };
	for (size_t i = 0; i < RGD_HTTP_CONNS && n < cap; i++)
		if (h->conns[i].fd >= 0)
			p[n++] = (struct pollfd){ .fd = h->conns[i].fd, .events = POLLIN };
	return n;
}

static const char *reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 414:
		return "URI Too Long";
	case 431:
		return "Request Header Fields Too Large";
	case 503:
		return "Service Unavailable";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return "Internal Server Error";
	}
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void respond(struct rgd_http_conn *c, int status, const char *ctype, const char *body,
		    size_t blen, bool head_only)
{
	struct timeval tv = { .tv_sec = WRITE_TIMEOUT_S };
	char hdr[512];
	int n;

	/* Blocking with a timeout from here: a slow reader costs at most that. */
	if (fcntl(c->fd, F_SETFL, 0) < 0 ||
	    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return;
	n = snprintf(hdr, sizeof(hdr),
		     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
		     "Connection: close\r\n\r\n",
		     status, reason(status), ctype, blen,
		     status == 405 ? "Allow: GET, HEAD\r\n" : "");
	if (n <= 0 || (size_t)n >= sizeof(hdr))
		return;
	write_all(c->fd, hdr, (size_t)n);
	if (!head_only)
		write_all(c->fd, body, blen);
}

static void serve(struct rgd_http_conn *c, const struct rgd_daemon *d)
{
	static const char text[] = "text/plain; charset=utf-8";
	struct rg_http_req req;
	int st = rg_http_req_parse(c->buf, c->len, sizeof(c->buf), &req);
	bool head = st == RG_HTTP_OK && strcmp(req.method, "HEAD") == 0;

	if (st == RG_HTTP_INCOMPLETE)
		return;
	if (st != RG_HTTP_OK) {
		char msg[64];
		int n = snprintf(msg, sizeof(msg), "%s\n", reason(st));

		respond(c, st, text, msg, (size_t)n, false);
	} else if (strcmp(req.method, "GET") != 0 && !head) {
		respond(c, 405, text, "method not allowed\n", 19, false);
	} else if (strcmp(req.path, "/metrics") == 0) {
		struct rg_buf b;

		rg_buf_init(&b, RGD_METRICS_MAX);
		rgd_metrics_render(d, &b);
		if (rg_buf_failed(&b))
			respond(c, 500, text, "metrics page too large\n", 23, head);
		else
			respond(c, 200, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len,
				head);
		rg_buf_free(&b);
	} else if (strcmp(req.path, "/healthz") == 0 || strcmp(req.path, "/livez") == 0 ||
		   strcmp(req.path, "/readyz") == 0) {
		if (atomic_load(&d->failed))
			respond(c, 503, text, "worker failed\n", 14, head);
		else
			respond(c, 200, text, "ok\n", 3, head);
	} else {
		respond(c, 404, text, "not found\n", 10, head);
	}
	conn_close(c);
}

static void accept_one(struct rgd_httpd *h)
{
	int fd = accept4(h->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (size_t i = 0; i < RGD_HTTP_CONNS; i++)
		if (h->conns[i].fd < 0) {
			h->conns[i].fd = fd;
			h->conns[i].len = 0;
			h->conns[i].deadline = rgd_mono_ns() + RGD_HTTP_DEADLINE_NS;
			return;
		}
	close(fd);
}

static void readable(struct rgd_http_conn *c, const struct rgd_daemon *d)
{
	ssize_t n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c);
		return;
	}
	c->len += (size_t)n;
	serve(c, d);
}

void rgd_httpd_step(struct rgd_httpd *h, const struct pollfd *p, size_t n,
		    const struct rgd_daemon *d)
{
	int64_t now = rgd_mono_ns();

	for (size_t i = 0; i < n; i++) {
		if (!p[i].revents)
			continue;
		if (p[i].fd == h->lfd) {
			accept_one(h);
			continue;
		}
		for (size_t k = 0; k < RGD_HTTP_CONNS; k++)
			if (h->conns[k].fd == p[i].fd) {
				readable(&h->conns[k], d);
				break;
			}
	}
	for (size_t k = 0; k < RGD_HTTP_CONNS; k++)
		if (h->conns[k].fd >= 0 && now > h->conns[k].deadline)
			conn_close(&h->conns[k]);
}

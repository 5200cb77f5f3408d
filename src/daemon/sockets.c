/* Opening and configuring the relay's UDP sockets. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "daemon/config.h"
#include "daemon/sockets.h"
#include "util/err.h"
#include "util/udp_offload.h"

#ifndef SO_ATTACH_REUSEPORT_CBPF
#define SO_ATTACH_REUSEPORT_CBPF 51
#endif

/* A send blocks at most this long when the socket buffer is full. */
#define SEND_TIMEOUT_US 20000

static int set_int(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v));
}

/* 7 MiB like Tailscale: the FORCE variants pass rmem_max (CAP_NET_ADMIN). */
static void size_buffers(struct rgd_sock *s)
{
	socklen_t len = sizeof(int);

	if (set_int(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, RGD_SOCKBUF) < 0)
		(void)set_int(s->fd, SOL_SOCKET, SO_RCVBUF, RGD_SOCKBUF);
	if (set_int(s->fd, SOL_SOCKET, SO_SNDBUFFORCE, RGD_SOCKBUF) < 0)
		(void)set_int(s->fd, SOL_SOCKET, SO_SNDBUF, RGD_SOCKBUF);
	if (getsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &s->rcvbuf, &len) < 0)
		s->rcvbuf = 0;
	len = sizeof(int);
	if (getsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &s->sndbuf, &len) < 0)
		s->sndbuf = 0;
}

static void offloads(struct rgd_sock *s, bool want_gso, bool want_gro)
{
	int v = 0;
	socklen_t len = sizeof(v);

	s->gro = want_gro && set_int(s->fd, IPPROTO_UDP, UDP_GRO, 1) == 0;
	s->gso = want_gso && getsockopt(s->fd, IPPROTO_UDP, UDP_SEGMENT, &v, &len) == 0;
}

static int open_one(const struct rg_addrport *addr, bool wildcard, bool want_gso, bool want_gro,
		    struct rgd_sock *s, struct rg_addrport *bound, struct rg_err *err)
{
	struct sockaddr_storage ss;
	socklen_t len = rg_addrport_to_sockaddr(addr, &ss);
	struct timeval tv = { .tv_sec = 0, .tv_usec = SEND_TIMEOUT_US };
	int v = 0;
	socklen_t vlen = sizeof(v);
	char text[RG_ADDRPORT_TEXT_MAX];

	memset(s, 0, sizeof(*s));
	s->family = ss.ss_family;
	s->fd = socket(s->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	rg_addrport_format(addr, text, sizeof(text));
	if (s->fd < 0)
		return rg_err_errno(err, errno, "udp %s: socket", text);
	if ((s->family == AF_INET6 && set_int(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, 1) < 0) ||
	    set_int(s->fd, SOL_SOCKET, SO_REUSEPORT, 1) < 0 ||
	    setsockopt(s->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0) {
		rg_err_errno(err, errno, "udp %s: setsockopt", text);
		goto fail;
	}
	if (bind(s->fd, (struct sockaddr *)&ss, len) < 0) {
		rg_err_errno(err, errno, "udp %s: bind", text);
		goto fail;
	}
	if (getsockopt(s->fd, SOL_SOCKET, SO_REUSEPORT, &v, &vlen) < 0 || v != 1) {
		rg_err_set(err, "udp %s: SO_REUSEPORT did not stick", text);
		goto fail;
	}
	len = sizeof(ss);
	if (getsockname(s->fd, (struct sockaddr *)&ss, &len) < 0) {
		rg_err_errno(err, errno, "udp %s: getsockname", text);
		goto fail;
	}
	rg_addrport_from_sockaddr(&ss, bound);
	size_buffers(s);
	offloads(s, want_gso, want_gro);
	(void)set_int(s->fd, SOL_SOCKET, SO_RXQ_OVFL, 1);
	if (wildcard) {
		s->pktinfo = s->family == AF_INET
				     ? set_int(s->fd, IPPROTO_IP, IP_PKTINFO, 1) == 0
				     : set_int(s->fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1) == 0;
		if (!s->pktinfo) {
			rg_err_errno(err, errno, "udp %s: cannot receive local addresses", text);
			goto fail;
		}
	}
	return 0;
fail:
	close(s->fd);
	s->fd = -1;
	return -1;
}

int rgd_sockets_open(const struct rg_addrport *addr, unsigned n, bool want_gso, bool want_gro,
		     struct rgd_sock *out, struct rg_addrport *bound, struct rg_err *err)
{
	struct rg_addrport a = *addr, got;
	bool wildcard = rgd_addr_is_wildcard(addr);

	for (unsigned i = 0; i < n; i++) {
		if (open_one(&a, wildcard, want_gso, want_gro, &out[i], &got, err) < 0) {
			rgd_sockets_close(out, i);
			return -1;
		}
		if (i == 0) {
			*bound = got;
			a.port = got.port;
		}
	}
	return 0;
}

int rgd_sockets_steer(const struct rgd_sock *s, const struct rg_relay_steer *st,
		      struct rg_err *err)
{
	struct sock_filter prog[RG_RELAY_STEER_BPF_LEN];
	struct sock_fprog fp = { .len = RG_RELAY_STEER_BPF_LEN, .filter = prog };

	rg_relay_steer_bpf(st, prog);
	if (setsockopt(s->fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &fp, sizeof(fp)) < 0)
		return rg_err_errno(err, errno, "SO_ATTACH_REUSEPORT_CBPF");
	return 0;
}

void rgd_sockets_close(struct rgd_sock *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (s[i].fd >= 0) {
			close(s[i].fd);
			s[i].fd = -1;
		}
}

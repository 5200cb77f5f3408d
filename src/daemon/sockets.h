/*
 * The relay's UDP sockets: per address family, N sockets bound to one port
 * with SO_REUSEPORT (IPv6 ones v6-only), 7 MiB buffers, UDP GRO and GSO
 * where the kernel has them, kernel drop counts (SO_RXQ_OVFL), the local
 * address of each datagram on wildcard sockets (so that replies leave from
 * the address the request was sent to), and the steering program that
 * sends each datagram to the socket of the shard owning it.
 */
#ifndef RGD_SOCKETS_H
#define RGD_SOCKETS_H

#include <stdbool.h>
#include <sys/socket.h>

#include "relaygate/addrport.h"
#include "relaygate/err.h"
#include "relaygate/relay_steer.h"

#define RGD_SOCKBUF (7 << 20)

struct rgd_sock {
	int fd;
	int family;      /* AF_INET or AF_INET6 */
	bool gro, gso;
	bool pktinfo;    /* wildcard: datagrams carry their local address */
	int rcvbuf, sndbuf;
};

/*
 * Opens n sockets on addr; socket 0 binds addr's port (0: the kernel
 * picks) and the others bind the port it got. *bound = address and port.
 */
int rgd_sockets_open(const struct rg_addrport *addr, unsigned n, bool want_gso, bool want_gro,
		     struct rgd_sock *out, struct rg_addrport *bound, struct rg_err *err);
/* Attaches the steering program to the group of s (any of its sockets). */
int rgd_sockets_steer(const struct rgd_sock *s, const struct rg_relay_steer *st,
		      struct rg_err *err);
void rgd_sockets_close(struct rgd_sock *s, unsigned n);


#endif

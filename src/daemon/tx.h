/*
 * Send batches, one per worker and address family. Forwarded datagrams are
 * queued as pointers into the receive buffers (no copy) and sent with one
 * sendmmsg; with UDP GSO, datagrams to one destination coalesce into one
 * super-packet (equal sizes, a shorter one last), so the segments of a GRO
 * super-packet from one sender go back out as one, split where the VNI (so
 * the destination) changes. Per destination order is kept.
 */
#ifndef RGD_TX_H
#define RGD_TX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "relaygate/addrport.h"
#include "daemon/sockets.h"

#define RGD_TX_MSGS 256
#define RGD_TX_SEGS 1024
#define RGD_GSO_MAX_SEGS 64
#define RGD_GSO_MAX_BYTES 65000
/* How many recent messages a forward looks back through for its destination. */
#define RGD_TX_LOOKBACK 8

struct rgd_tx_stats {
	uint64_t packets;     /* datagrams (segments) handed to the kernel */
	uint64_t msgs;        /* sendmmsg messages */
	uint64_t gso_msgs;    /* of which super-packets */
	uint64_t errors;      /* messages the kernel refused */
	uint64_t dropped;     /* datagrams lost to errors or a full socket buffer */
	uint64_t gso_off;     /* times GSO was switched off (EIO) */
};

struct rgd_tx_seg {
	const uint8_t *p;
	uint32_t len;
	int32_t next;
};

struct rgd_tx_msg {
	struct rg_addrport dst;
	struct rg_addrport local; /* reply source, when has_local */
	int32_t first, last;
	uint32_t bytes;
	uint16_t seg_size, nseg;
	bool closed;
	bool has_local;
};

union rgd_tx_ctl {
	char buf[CMSG_SPACE(sizeof(uint16_t)) + CMSG_SPACE(sizeof(struct in6_pktinfo))];
	struct cmsghdr align;
};

struct rgd_tx {
	struct rgd_sock *sock;
	struct rgd_tx_stats *st;
	size_t nmsgs, nsegs;
	struct rgd_tx_msg msgs[RGD_TX_MSGS];
	struct rgd_tx_seg segs[RGD_TX_SEGS];
	struct mmsghdr mh[RGD_TX_MSGS];
	struct iovec iov[RGD_TX_SEGS];
	struct sockaddr_storage names[RGD_TX_MSGS];
	union rgd_tx_ctl ctl[RGD_TX_MSGS];
};

void rgd_tx_init(struct rgd_tx *t, struct rgd_sock *sock, struct rgd_tx_stats *st);
/* Whether one more datagram fits without a flush. */
static inline bool rgd_tx_has_room(const struct rgd_tx *t)
{
	return t->nmsgs < RGD_TX_MSGS && t->nsegs < RGD_TX_SEGS;
}
/* Queues p[0..n) (which must stay valid until the flush) for dst. */
void rgd_tx_forward(struct rgd_tx *t, const struct rg_addrport *dst, const uint8_t *p,
		    size_t n);
/* n datagrams of seg bytes (the last may be shorter), contiguous at p,
 * total bytes in all, for dst: one entry per super-packet, not per datagram. */
void rgd_tx_forward_run(struct rgd_tx *t, const struct rg_addrport *dst, const uint8_t *p,
			size_t seg, size_t total);
/* A reply, sent from local when given (wildcard sockets). */
void rgd_tx_reply(struct rgd_tx *t, const struct rg_addrport *dst,
		  const struct rg_addrport *local, const uint8_t *p, size_t n);
void rgd_tx_flush(struct rgd_tx *t);

#endif

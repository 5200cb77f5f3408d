/* Send batches: coalescing per destination, sendmmsg, GSO and its fallback. */
#include <errno.h>
#include <netinet/udp.h>
#include <string.h>

#include "daemon/tx.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

void rgd_tx_init(struct rgd_tx *t, struct rgd_sock *sock, struct rgd_tx_stats *st)
{
	memset(t, 0, sizeof(*t));
	t->sock = sock;
	t->st = st;
}

static struct rgd_tx_msg *new_msg(struct rgd_tx *t, const struct rg_addrport *dst,
				  const uint8_t *p, size_t n)
{
	struct rgd_tx_msg *m = &t->msgs[t->nmsgs++];
	int32_t s = (int32_t)t->nsegs++;

	t->segs[s] = (struct rgd_tx_seg){ .p = p, .len = (uint32_t)n, .next = -1 };
	m->dst = *dst;
	m->first = m->last = s;
	m->bytes = (uint32_t)n;
	m->seg_size = (uint16_t)n;
	m->nseg = 1;
	m->closed = false;
	m->has_local = false;
	return m;
}

void rgd_tx_forward(struct rgd_tx *t, const struct rg_addrport *dst, const uint8_t *p,
		    size_t n)
{
	if (t->sock->gso && n <= UINT16_MAX) {
		size_t stop = t->nmsgs > RGD_TX_LOOKBACK ? t->nmsgs - RGD_TX_LOOKBACK : 0;

		for (size_t i = t->nmsgs; i-- > stop;) {
			struct rgd_tx_msg *m = &t->msgs[i];
			int32_t s;

			if (!rg_addrport_equal(&m->dst, dst))
				continue;
			/* The latest message to dst: append or start a new one. */
			if (m->closed || n > m->seg_size || m->nseg >= RGD_GSO_MAX_SEGS ||
			    m->bytes + n > RGD_GSO_MAX_BYTES)
				break;
			s = (int32_t)t->nsegs++;
			t->segs[s] = (struct rgd_tx_seg){ .p = p, .len = (uint32_t)n, .next = -1 };
			t->segs[m->last].next = s;
			m->last = s;
			m->nseg++;
			m->bytes += (uint32_t)n;
			m->closed = n < m->seg_size;
			return;
		}
	}
	new_msg(t, dst, p, n)->closed = !t->sock->gso;
}

void rgd_tx_reply(struct rgd_tx *t, const struct rg_addrport *dst,
		  const struct rg_addrport *local, const uint8_t *p, size_t n)
{
	struct rgd_tx_msg *m = new_msg(t, dst, p, n);

	m->closed = true;
	if (local) {
		m->has_local = true;
		m->local = *local;
	}
}

static size_t put_cmsgs(const struct rgd_tx *t, const struct rgd_tx_msg *m, union rgd_tx_ctl *c)
{
	struct cmsghdr *h = (struct cmsghdr *)c->buf;
	size_t len = 0;

	memset(c, 0, sizeof(*c));
	if (m->nseg > 1) {
		uint16_t gso = m->seg_size;

		h->cmsg_level = IPPROTO_UDP;
		h->cmsg_type = UDP_SEGMENT;
		h->cmsg_len = CMSG_LEN(sizeof(gso));
		memcpy(CMSG_DATA(h), &gso, sizeof(gso));
		len += CMSG_SPACE(sizeof(gso));
		h = (struct cmsghdr *)(c->buf + len);
	}
	if (m->has_local && t->sock->family == AF_INET) {
		struct in_pktinfo pi;

		memset(&pi, 0, sizeof(pi));
		memcpy(&pi.ipi_spec_dst, m->local.ip + 12, 4);
		h->cmsg_level = IPPROTO_IP;
		h->cmsg_type = IP_PKTINFO;
		h->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(h), &pi, sizeof(pi));
		len += CMSG_SPACE(sizeof(pi));
	} else if (m->has_local) {
		struct in6_pktinfo pi;

		memset(&pi, 0, sizeof(pi));
		memcpy(&pi.ipi6_addr, m->local.ip, 16);
		h->cmsg_level = IPPROTO_IPV6;
		h->cmsg_type = IPV6_PKTINFO;
		h->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(h), &pi, sizeof(pi));
		len += CMSG_SPACE(sizeof(pi));
	}
	return len;
}

/* Lays message i out as msghdr i; adjacent segments share an iovec. */
static size_t build(struct rgd_tx *t, size_t i, size_t iov0)
{
	struct rgd_tx_msg *m = &t->msgs[i];
	struct msghdr *h = &t->mh[i].msg_hdr;
	size_t k = iov0;

	for (int32_t s = m->first; s >= 0; s = t->segs[s].next) {
		const struct rgd_tx_seg *g = &t->segs[s];

		if (k > iov0 && (const uint8_t *)t->iov[k - 1].iov_base + t->iov[k - 1].iov_len == g->p)
			t->iov[k - 1].iov_len += g->len;
		else
			t->iov[k++] = (struct iovec){ .iov_base = (void *)g->p, .iov_len = g->len };
	}
	memset(h, 0, sizeof(*h));
	h->msg_name = &t->names[i];
	h->msg_namelen = rg_addrport_to_sockaddr(&m->dst, &t->names[i]);
	h->msg_iov = &t->iov[iov0];
	h->msg_iovlen = k - iov0;
	h->msg_controllen = put_cmsgs(t, m, &t->ctl[i]);
	h->msg_control = h->msg_controllen ? t->ctl[i].buf : NULL;
	return k;
}

/* A super-packet the kernel refused, one datagram at a time. */
static void send_split(struct rgd_tx *t, size_t i)
{
	struct rgd_tx_msg *m = &t->msgs[i];
	struct msghdr h = t->mh[i].msg_hdr;

	h.msg_control = NULL;
	h.msg_controllen = 0;
	for (int32_t s = m->first; s >= 0; s = t->segs[s].next) {
		struct iovec v = { .iov_base = (void *)t->segs[s].p, .iov_len = t->segs[s].len };

		h.msg_iov = &v;
		h.msg_iovlen = 1;
		if (sendmsg(t->sock->fd, &h, 0) < 0) {
			t->st->dropped++;
		} else {
			t->st->packets++;
			t->st->msgs++;
		}
	}
}

static void sent(struct rgd_tx *t, size_t from, size_t n)
{
	for (size_t i = from; i < from + n; i++) {
		t->st->packets += t->msgs[i].nseg;
		t->st->msgs++;
		t->st->gso_msgs += t->msgs[i].nseg > 1;
	}
}

void rgd_tx_flush(struct rgd_tx *t)
{
	size_t n = t->nmsgs, i = 0, iov = 0;

	for (size_t k = 0; k < n; k++)
		iov = build(t, k, iov);
	/* Each pass sends at least one message or gives one up. */
	for (size_t pass = 0; i < n && pass <= n; pass++) {
		int r = sendmmsg(t->sock->fd, &t->mh[i], (unsigned)(n - i), 0);

		if (r > 0) {
			sent(t, i, (size_t)r);
			i += (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* The socket buffer stayed full for the send timeout. */
			for (; i < n; i++)
				t->st->dropped += t->msgs[i].nseg;
			break;
		}
		t->st->errors++;
		if (t->msgs[i].nseg > 1 && (errno == EIO || errno == EINVAL)) {
			/* EIO: no GSO on this path; EINVAL: a segment over the MTU. */
			if (errno == EIO && t->sock->gso) {
				t->sock->gso = false;
				t->st->gso_off++;
			}
			send_split(t, i);
		} else {
			t->st->dropped += t->msgs[i].nseg;
		}
		i++;
	}
	t->nmsgs = 0;
	t->nsegs = 0;
}

/* Send batches: coalescing per destination, sendmmsg, GSO and its fallback. */
#include <errno.h>
#include <netinet/udp.h>
#include <string.h>

#include "daemon/tx.h"
#include "util/udp_offload.h"

void rgd_tx_init(struct rgd_tx *t, struct rgd_sock *sock, struct rgd_tx_stats *st)
{
	memset(t, 0, sizeof(*t));
	t->sock = sock;
	t->st = st;
}

/* Appends p[0..n), nseg datagrams of m->seg_size (the last may be shorter). */
static void append(struct rgd_tx *t, struct rgd_tx_msg *m, const uint8_t *p, size_t n,
		   uint16_t nseg)
{
	int32_t s = (int32_t)t->nsegs++;

	t->segs[s] = (struct rgd_tx_seg){ .p = p, .len = (uint32_t)n, .next = -1 };
	if (m->first < 0)
		m->first = s;
	else
		t->segs[m->last].next = s;
	m->last = s;
	m->nseg += nseg;
	m->bytes += (uint32_t)n;
	m->closed = n % m->seg_size != 0;
}

static struct rgd_tx_msg *new_msg(struct rgd_tx *t, const struct rg_addrport *dst,
				  const uint8_t *p, size_t n, size_t seg)
{
	struct rgd_tx_msg *m = &t->msgs[t->nmsgs++];

	m->dst = *dst;
	m->first = m->last = -1;
	m->bytes = 0;
	m->seg_size = (uint16_t)seg;
	m->nseg = 0;
	m->has_local = false;
	append(t, m, p, n, (uint16_t)((n + seg - 1) / seg));
	return m;
}

/* The latest message to dst among the recent ones, or NULL. */
static struct rgd_tx_msg *latest(struct rgd_tx *t, const struct rg_addrport *dst)
{
	size_t stop = t->nmsgs > RGD_TX_LOOKBACK ? t->nmsgs - RGD_TX_LOOKBACK : 0;

	for (size_t i = t->nmsgs; i-- > stop;)
		if (rg_addrport_equal(&t->msgs[i].dst, dst))
			return &t->msgs[i];
	return NULL;
}

void rgd_tx_forward(struct rgd_tx *t, const struct rg_addrport *dst, const uint8_t *p,
		    size_t n)
{
	struct rgd_tx_msg *m;

	if (n == 0 || n > UINT16_MAX)
		return; /* the server never forwards either */
	m = t->sock->gso ? latest(t, dst) : NULL;
	/* Append to the latest message to dst (a shorter datagram closes it),
	 * or start a new one. */
	if (m && !m->closed && n <= m->seg_size && m->nseg < RGD_GSO_MAX_SEGS &&
	    m->bytes + n <= RGD_GSO_MAX_BYTES) {
		append(t, m, p, n, 1);
		return;
	}
	new_msg(t, dst, p, n, n)->closed = !t->sock->gso;
}

void rgd_tx_forward_run(struct rgd_tx *t, const struct rg_addrport *dst, const uint8_t *p,
			size_t seg, size_t total)
{
	if (!t->sock->gso || seg == 0 || seg > UINT16_MAX) {
		for (size_t off = 0; seg && off < total; off += seg) {
			if (!rgd_tx_has_room(t))
				rgd_tx_flush(t);
			rgd_tx_forward(t, dst, p + off, total - off < seg ? total - off : seg);
		}
		return;
	}
	while (total > 0) {
		struct rgd_tx_msg *m = latest(t, dst);
		size_t room, k, chunk;

		if (!rgd_tx_has_room(t)) {
			rgd_tx_flush(t);
			m = NULL;
		}
		if (!m || m->closed || m->seg_size != seg || m->nseg >= RGD_GSO_MAX_SEGS ||
		    m->bytes + seg > RGD_GSO_MAX_BYTES) {
			k = RGD_GSO_MAX_BYTES / seg;
			if (k > RGD_GSO_MAX_SEGS)
				k = RGD_GSO_MAX_SEGS;
			chunk = k * seg < total ? k * seg : total;
			new_msg(t, dst, p, chunk, seg);
		} else {
			room = (RGD_GSO_MAX_BYTES - m->bytes) / seg;
			k = RGD_GSO_MAX_SEGS - m->nseg;
			if (room < k)
				k = room;
			chunk = k * seg < total ? k * seg : total;
			append(t, m, p, chunk, (uint16_t)((chunk + seg - 1) / seg));
		}
		p += chunk;
		total -= chunk;
	}
}

void rgd_tx_reply(struct rgd_tx *t, const struct rg_addrport *dst,
		  const struct rg_addrport *local, const uint8_t *p, size_t n)
{
	struct rgd_tx_msg *m;

	if (n == 0 || n > UINT16_MAX)
		return;
	m = new_msg(t, dst, p, n, n);

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
	for (; i < n; i++) /* only if interrupted over and over */
		t->st->dropped += t->msgs[i].nseg;
	t->nmsgs = 0;
	t->nsegs = 0;
}

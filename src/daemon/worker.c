/*
 * A worker: one shard's server, socket i of each family, one thread.
 *
 * Loop: take a newer table if the main thread published one (and close
 * endpoints it no longer allows), wait for datagrams, receive them in
 * batches, split GRO super-packets, hand each datagram to the server, queue
 * what it says to send, send the batch, reclaim expired endpoints once a
 * second, publish counters. Nothing on the forwarding path locks or
 * allocates. Only allocation requests and endpoint closes (reclamation,
 * revocation) take a lock: the pair directory's, shared by the shards
 * (relay_pairdir.h).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "relaygate/disco.h"
#include "relaygate/geneve.h"
#include "daemon/daemon.h"
#include "util/err.h"
#include "util/udp_offload.h"

/* Rounds of recvmmsg per socket per wakeup before looking at the others. */
#define RX_ROUNDS 8

int64_t rgd_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* --- authorization callbacks (called by the server, on this thread) --- */

static bool cb_is_known(void *ctx, const struct rg_disco_key *k)
{
	const struct rgd_worker *w = ctx;

	return rgd_authz_allowed(w->authz, k);
}

static bool cb_allowed(void *ctx, const struct rg_disco_key *req, const struct rg_disco_key *peer)
{
	struct rgd_worker *w = ctx;

	if (!rgd_authz_allowed(w->authz, req)) {
		w->denial = RGD_DENY_NO_GRANT;
		return false;
	}
	if (w->d->cfg.require_both && !rgd_authz_allowed(w->authz, peer)) {
		w->denial = RGD_DENY_PEER_NO_GRANT;
		return false;
	}
	return true;
}

/* --- allocation outcomes: counters and rate-limited log lines --- */

static int denial_of(enum rg_relay_drop r)
{
	switch (r) {
	case RG_RELAY_DROP_WEAK_KEY:
	case RG_RELAY_DROP_KEY_AGREEMENT:
		return RGD_DENY_WEAK_KEY;
	case RG_RELAY_DROP_RELAY_KEY:
		return RGD_DENY_RELAY_KEY;
	case RG_RELAY_DROP_NOT_PARTICIPANT:
		return RGD_DENY_NOT_PARTICIPANT;
	case RG_RELAY_DROP_SAME_PAIR:
		return RGD_DENY_SAME_PAIR;
	case RG_RELAY_DROP_REPLAY:
		return RGD_DENY_REPLAY;
	case RG_RELAY_DROP_STALE_GENERATION:
		return RGD_DENY_STALE_GENERATION;
	case RG_RELAY_DROP_AMPLIFICATION:
		return RGD_DENY_SHORT_REQUEST;
	case RG_RELAY_DROP_QUOTA_GLOBAL:
		return RGD_DENY_QUOTA_GLOBAL;
	case RG_RELAY_DROP_QUOTA_REQUESTER:
		return RGD_DENY_QUOTA_NODE;
	case RG_RELAY_DROP_QUOTA_CONNECTING:
		return RGD_DENY_QUOTA_CONNECTING;
	case RG_RELAY_DROP_VNI_EXHAUSTED:
		return RGD_DENY_VNI_EXHAUSTED;
	case RG_RELAY_DROP_NOT_READY:
		return RGD_DENY_NOT_READY;
	case RG_RELAY_DROP_NO_MEMORY:
		return RGD_DENY_NO_MEMORY;
	default:
		return -1; /* malformed, not a decision: counted as a drop only */
	}
}

static const char *node_or_key(const struct rgd_worker *w, const struct rg_disco_key *k,
			       char *buf)
{
	const char *name = rg_table_node_name(w->authz->t, k->b);

	if (name)
		return name;
	rg_disco_key_short(k, buf);
	return buf;
}

static void note_denial(struct rgd_worker *w, const uint8_t *pkt, size_t len,
			const struct rg_addrport *src, enum rg_relay_drop r, int64_t now)
{
	struct rg_disco_key sender;
	char src_text[RG_ADDRPORT_TEXT_MAX], kb[RG_DISCO_KEY_SHORT_LEN + 1], v[160];
	uint64_t suppressed;
	int d;

	if (rg_disco_frame_sender(pkt, len, &sender) != RG_DISCO_OK)
		return;
	if (r == RG_RELAY_DROP_UNKNOWN_SENDER)
		d = rg_table_node_name(w->authz->t, sender.b) ? RGD_DENY_NO_GRANT
							      : RGD_DENY_UNKNOWN_KEY;
	else if (r == RG_RELAY_DROP_NOT_ALLOWED)
		d = (int)w->denial;
	else
		d = denial_of(r);
	if (d < 0)
		return;
	w->st.denied[d]++;
	if (!rgd_ratelimit_allow(&w->rl_deny, now, &suppressed))
		return;
	w->st.log_suppressed += suppressed;
	rg_addrport_format(src, src_text, sizeof(src_text));
	rgd_log(RGD_WARN, "allocation denied", "reason=%s node=%s src=%s suppressed=%llu",
		rgd_denial_name((enum rgd_denial)d),
		rgd_log_value(node_or_key(w, &sender, kb), v, sizeof(v)), src_text,
		(unsigned long long)suppressed);
}

static void note_allowed(struct rgd_worker *w, const uint8_t *pkt, size_t len,
			 const struct rg_addrport *src, bool created, int64_t now)
{
	struct rg_disco_key sender;
	char src_text[RG_ADDRPORT_TEXT_MAX], kb[RG_DISCO_KEY_SHORT_LEN + 1], v[160];
	uint64_t suppressed;

	if (created)
		w->st.allowed_new++;
	else
		w->st.allowed_existing++;
	if (!created || rg_disco_frame_sender(pkt, len, &sender) != RG_DISCO_OK ||
	    !rgd_ratelimit_allow(&w->rl_alloc, now, &suppressed))
		return;
	w->st.log_suppressed += suppressed;
	rg_addrport_format(src, src_text, sizeof(src_text));
	rgd_log(RGD_INFO, "endpoint allocated", "node=%s src=%s shard=%u endpoints=%zu",
		rgd_log_value(node_or_key(w, &sender, kb), v, sizeof(v)), src_text, w->id,
		rg_relay_server_endpoint_count(w->srv));
}

/* --- the packet path --- */

static int family_of(const struct rg_addrport *a)
{
	return rg_addrport_is4(a) ? 0 : 1;
}

static void publish(struct rgd_worker *w);

/* Counters first: whoever sees a packet of this batch also sees it counted. */
static void flush_all(struct rgd_worker *w)
{
	publish(w);
	for (int f = 0; f < RGD_FAMILIES; f++)
		if (w->tx[f] && w->tx[f]->nmsgs)
			rgd_tx_flush(w->tx[f]);
	w->nreply = 0;
}

static bool is_naked_disco(const uint8_t *p, size_t n)
{
	return n >= RG_DISCO_MAGIC_LEN && memcmp(p, RG_DISCO_MAGIC, RG_DISCO_MAGIC_LEN) == 0;
}

static void process(struct rgd_worker *w, const struct rg_addrport *src,
		    const struct rg_addrport *local, const uint8_t *p, size_t n, int64_t now,
		    bool steered)
{
	struct rgd_daemon *d = w->d;
	struct rg_relay_action act;
	enum rg_relay_verdict v;
	uint64_t allocs;
	uint8_t *out;
	int f;

	w->st.rx_datagrams++;
	if (steered && d->nshards > 1) {
		uint32_t owner = rg_relay_steer_shard(&d->steer, p, n);

		if (owner != RG_RELAY_STEER_ANY && owner != w->id) {
			if (rgd_inbox_push(&d->workers[owner].inbox, src, local, p, n))
				w->st.handoff_out++;
			else
				w->st.handoff_dropped++;
			return;
		}
	}
	/* Room for whatever the server answers, without a flush in between. */
	if (w->nreply >= RGD_REPLY_SLOTS || (w->tx[0] && !rgd_tx_has_room(w->tx[0])) ||
	    (w->tx[1] && !rgd_tx_has_room(w->tx[1])))
		flush_all(w);
	out = w->reply[w->nreply];
	allocs = rg_relay_server_counters(w->srv)->allocations;
	v = rg_relay_server_handle_packet(w->srv, src, p, n, now, out, RG_RELAY_REPLY_MAX, &act);
	switch (v) {
	case RG_RELAY_FORWARD:
		f = family_of(&act.to);
		if (w->tx[f])
			rgd_tx_forward(w->tx[f], &act.to, p, n);
		break;
	case RG_RELAY_REPLY:
		f = family_of(&act.to);
		if (w->tx[f]) {
			w->nreply++;
			rgd_tx_reply(w->tx[f], &act.to, local, out, act.len);
		}
		if (is_naked_disco(p, n))
			note_allowed(w, p, n, src,
				     rg_relay_server_counters(w->srv)->allocations != allocs, now);
		break;
	case RG_RELAY_DROP:
		if (is_naked_disco(p, n))
			note_denial(w, p, n, src, act.reason, now);
		break;
	default:
		/* STUN (no STUN client here) and consumed Answers: nothing to send. */
		break;
	}
}

/* A run of n datagrams of seg bytes (the last may be shorter), total in
 * all, with identical Geneve data headers: one decision for all of them. */
static void process_run(struct rgd_worker *w, const struct rg_addrport *src, const uint8_t *p,
			size_t n, size_t seg, size_t total, int64_t now)
{
	struct rgd_daemon *d = w->d;
	struct rg_relay_action act;
	uint32_t owner = d->nshards > 1 ? rg_relay_steer_shard(&d->steer, p, total) : w->id;
	int f;

	if (owner != RG_RELAY_STEER_ANY && owner != w->id) {
		for (size_t off = 0; off < total; off += seg)
			process(w, src, NULL, p + off, total - off < seg ? total - off : seg, now, true);
		return;
	}
	w->st.rx_datagrams += n;
	if (rg_relay_server_handle_run(w->srv, src, p, n, total, now, &act) != RG_RELAY_FORWARD)
		return;
	f = family_of(&act.to);
	if (w->tx[f])
		rgd_tx_forward_run(w->tx[f], &act.to, p, seg, total);
}

/* A GRO super-packet: its segments split into runs where the header (so
 * the VNI, so the destination) changes. */
static void process_super(struct rgd_worker *w, const struct rg_addrport *src,
			  const struct rg_addrport *local, const uint8_t *p, size_t len, size_t seg,
			  int64_t now)
{
	size_t off = 0;

	while (off < len) {
		size_t first = len - off < seg ? len - off : seg, end = off + first, n = 1;
		const uint8_t *q = p + off;

		if (rg_relay_run_eligible(q, first))
			while (end < len && len - end >= RG_GENEVE_HEADER_LEN &&
			       memcmp(p + end, q, RG_GENEVE_HEADER_LEN) == 0) {
				end += len - end < seg ? len - end : seg;
				n++;
			}
		if (n == 1)
			process(w, src, local, q, first, now, true);
		else
			process_run(w, src, q, n, seg, end - off, now);
		off = end;
	}
}

/* The local address of a datagram on a wildcard socket, the GRO segment
 * size and the kernel's drop counter, from the control messages. */
static void parse_cmsgs(struct rgd_worker *w, int f, struct msghdr *h, struct rg_addrport *local,
			bool *has_local, size_t *seg)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
		if (c->cmsg_level == IPPROTO_UDP && c->cmsg_type == UDP_GRO) {
			int g;

			memcpy(&g, CMSG_DATA(c), sizeof(g));
			if (g > 0)
				*seg = (size_t)g;
		} else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
			uint32_t o;

			memcpy(&o, CMSG_DATA(c), sizeof(o));
			w->st.rx_overflow += (uint32_t)(o - w->last_ovfl[f]);
			w->last_ovfl[f] = o;
		} else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			rg_addrport_set4(local, (const uint8_t *)&pi.ipi_addr, 0);
			*has_local = true;
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			rg_addrport_set6(local, (const uint8_t *)&pi.ipi6_addr, 0);
			*has_local = true;
		}
	}
}

static void rx_prepare(struct rgd_worker *w, size_t i)
{
	struct msghdr *h = &w->rx_mh[i].msg_hdr;

	w->rx_iov[i].iov_base = w->rxbuf + i * RGD_RX_BUF;
	w->rx_iov[i].iov_len = RGD_RX_BUF;
	memset(h, 0, sizeof(*h));
	h->msg_name = &w->rx_names[i];
	h->msg_namelen = sizeof(w->rx_names[i]);
	h->msg_iov = &w->rx_iov[i];
	h->msg_iovlen = 1;
	h->msg_control = w->rx_ctl[i].buf;
	h->msg_controllen = sizeof(w->rx_ctl[i].buf);
}

/* Returns the number of datagrams received, 0 when drained, -1 on a fatal
 * socket error. */
static int rx_batch(struct rgd_worker *w, int f)
{
	int n, fd = w->sock[f]->fd;
	int64_t now;

	for (size_t i = 0; i < RGD_RX_BATCH; i++)
		rx_prepare(w, i);
	do
		n = recvmmsg(fd, w->rx_mh, RGD_RX_BATCH, MSG_DONTWAIT, NULL);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		switch (errno) {
		case EAGAIN:
#if EAGAIN != EWOULDBLOCK
		case EWOULDBLOCK:
#endif
		case ECONNREFUSED:
		case EHOSTUNREACH:
		case ENETUNREACH:
		case ENOMEM:
		case ENOBUFS:
			return 0;
		default:
			return -1;
		}
	}
	now = rgd_mono_ns();
	w->st.rx_batches++;
	for (int i = 0; i < n; i++) {
		struct msghdr *h = &w->rx_mh[i].msg_hdr;
		size_t len = w->rx_mh[i].msg_len, seg = len;
		const uint8_t *p = w->rxbuf + (size_t)i * RGD_RX_BUF;
		struct rg_addrport src, local;
		bool has_local = false;

		if (h->msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
			w->st.rx_truncated++;
			continue;
		}
		parse_cmsgs(w, f, h, &local, &has_local, &seg);
		rg_addrport_from_sockaddr(&w->rx_names[i], &src);
		if (seg == 0 || seg >= len) {
			process(w, &src, has_local ? &local : NULL, p, len, now, true);
			continue;
		}
		w->st.rx_gro++;
		process_super(w, &src, has_local ? &local : NULL, p, len, seg, now);
	}
	flush_all(w);
	return n;
}

/* Datagrams other workers received for this shard. */
static void drain_inbox(struct rgd_worker *w)
{
	struct rgd_inbox_item tmp;
	uint64_t v;
	int64_t now = rgd_mono_ns();
	size_t n = 0;

	if (read(w->evfd, &v, sizeof(v)) < 0) {
		/* Nothing pending (EAGAIN): fine. */
	}
	if (w->d->nshards < 2)
		return;
	for (const struct rgd_inbox_item *it; n < RGD_INBOX_SLOTS && (it = rgd_inbox_peek(&w->inbox));
	     n++) {
		/* Copy into the receive area: the slot is the producers' again. */
		uint8_t *p = w->rxbuf + (n % RGD_RX_BATCH) * RGD_RX_BUF;

		tmp = *it;
		memcpy(p, it->data, it->len);
		rgd_inbox_release(&w->inbox);
		w->st.handoff_in++;
		process(w, &tmp.src, tmp.has_local ? &tmp.local : NULL, p, tmp.len, now, false);
		if (n % RGD_RX_BATCH == RGD_RX_BATCH - 1)
			flush_all(w);
	}
	flush_all(w);
}

static void publish(struct rgd_worker *w)
{
	uint64_t words[RGD_SRV_WORDS > RGD_W_WORDS ? RGD_SRV_WORDS : RGD_W_WORDS];

	memcpy(words, rg_relay_server_counters(w->srv), sizeof(struct rg_relay_counters));
	for (size_t i = 0; i < RGD_SRV_WORDS; i++)
		atomic_store_explicit(&w->pub_srv[i], words[i], memory_order_relaxed);
	memcpy(words, &w->st, sizeof(w->st));
	for (size_t i = 0; i < RGD_W_WORDS; i++)
		atomic_store_explicit(&w->pub_w[i], words[i], memory_order_relaxed);
}

void rgd_worker_read(const struct rgd_worker *w, struct rg_relay_counters *srv,
		     struct rgd_wstats *st)
{
	uint64_t words[RGD_SRV_WORDS > RGD_W_WORDS ? RGD_SRV_WORDS : RGD_W_WORDS];

	for (size_t i = 0; i < RGD_SRV_WORDS; i++)
		words[i] = atomic_load_explicit(&w->pub_srv[i], memory_order_relaxed);
	memcpy(srv, words, sizeof(*srv));
	for (size_t i = 0; i < RGD_W_WORDS; i++)
		words[i] = atomic_load_explicit(&w->pub_w[i], memory_order_relaxed);
	memcpy(st, words, sizeof(*st));
}

/* A newer table: use it from now on and close what it no longer allows. */
static void take_table(struct rgd_worker *w)
{
	uint64_t e = atomic_load_explicit(&w->d->epoch, memory_order_acquire);
	size_t closed;

	if (e == w->epoch)
		return;
	w->authz = atomic_load_explicit(&w->d->authz, memory_order_acquire);
	w->epoch = e;
	closed = rg_relay_server_revalidate(w->srv);
	if (closed)
		rgd_log(RGD_INFO, "endpoints revoked", "shard=%u closed=%zu", w->id, closed);
	atomic_store_explicit(&w->ack_epoch, e, memory_order_release);
}

static void *run(void *arg)
{
	struct rgd_worker *w = arg;
	struct epoll_event ev[RGD_FAMILIES + 1];

	while (!atomic_load_explicit(&w->d->stop, memory_order_acquire)) {
		int64_t now = rgd_mono_ns(), wait_ms;
		int n;

		take_table(w);
		if (now >= w->next_reclaim) {
			rg_relay_server_reclaim(w->srv, now);
			w->next_reclaim = now + RGD_RECLAIM_NS;
		}
		publish(w);
		wait_ms = (w->next_reclaim - now) / 1000000 + 1;
		n = epoll_wait(w->epfd, ev, RGD_FAMILIES + 1, (int)wait_ms);
		if (n < 0 && errno != EINTR)
			goto fatal;
		for (int i = 0; i < n; i++) {
			int f = (int)ev[i].data.u32;

			if (f == RGD_FAMILIES) {
				drain_inbox(w);
				continue;
			}
			/* Until the socket is drained (under load that saves an
			 * epoll_wait per batch), a bounded number of times. */
			for (int round = 0; round < RX_ROUNDS; round++) {
				int r = rx_batch(w, f);

				if (r < 0)
					goto fatal;
				if (r == 0)
					break;
			}
		}
	}
	publish(w);
	return NULL;
fatal:
	rgd_log(RGD_ERR, "worker stopped", "shard=%u error=%s", w->id, strerror(errno));
	atomic_store(&w->d->failed, true);
	{
		uint64_t one = 1;

		if (write(w->d->main_evfd, &one, sizeof(one)) < 0) {
			/* The main thread also polls the flag on its timer. */
		}
	}
	publish(w);
	return NULL;
}

/* --- lifecycle --- */

static int add_fd(struct rgd_worker *w, int fd, uint32_t tag, struct rg_err *err)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };

	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return rg_err_errno(err, errno, "epoll_ctl");
	return 0;
}

static int server_new(struct rgd_daemon *d, struct rgd_worker *w, struct rg_err *err)
{
	struct rg_relay_config rc;
	uint32_t per_shard = d->shard_endpoints;
	uint64_t cache = 2ULL * d->authz->info.nnodes / d->nshards;
	struct rg_err e;

	rg_relay_config_init(&rc);
	rc.longterm[0] = d->key;
	rc.n_longterm = 1;
	rc.fixed_server_disco = true;
	rc.server_disco = d->server_disco;
	rc.auth.is_known = cb_is_known;
	rc.auth.allowed = cb_allowed;
	rc.auth.ctx = w;
	rg_relay_steer_vnis(&d->steer, w->id, &rc.vni_min, &rc.vni_max);
	rc.max_endpoints = per_shard;
	/* A node's requests all reach one shard: its quotas are exact. */
	rc.max_per_requester = d->cfg.max_per_node < per_shard ? d->cfg.max_per_node : per_shard;
	rc.max_connecting_per_requester = d->cfg.max_connecting_per_node;
	/* Room for every allowed node of this shard, so that a flood of forged
	 * requests under known keys cannot evict them into new key agreements. */
	rc.key_cache_size = (uint32_t)(cache < 1024 ? 1024 : cache > 65536 ? 65536 : cache);
	rc.lamport_clock = &d->lamport;
	rc.pairdir = d->pairdir; /* NULL with one shard */
	w->srv = rg_relay_server_new(&rc, &e);
	rg_relay_config_wipe(&rc);
	if (!w->srv)
		return rg_err_set(err, "%s", e.msg);
	if (rg_relay_server_set_addrs(w->srv, d->addrs, d->naddrs, &e) < 0)
		return rg_err_set(err, "%s", e.msg);
	return 0;
}

int rgd_worker_init(struct rgd_daemon *d, struct rgd_worker *w, uint32_t id, struct rg_err *err)
{
	size_t rxlen = (size_t)RGD_RX_BATCH * RGD_RX_BUF;

	memset(w, 0, sizeof(*w));
	w->d = d;
	w->id = id;
	w->epfd = w->evfd = -1;
	w->authz = d->authz;
	w->epoch = atomic_load(&d->epoch);
	w->denial = RGD_DENY_NO_GRANT;
	rgd_ratelimit_init(&w->rl_deny, 5, 20);
	rgd_ratelimit_init(&w->rl_alloc, 10, 50);
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	w->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->epfd < 0 || w->evfd < 0)
		return rg_err_errno(err, errno, "shard %u: epoll/eventfd", id);
	if (rgd_inbox_init(&w->inbox, w->evfd) < 0)
		return rg_err_set(err, "shard %u: out of memory", id);
	/* Receive buffers mapped and touched now, so that memory stays flat
	 * under traffic. */
	w->rxbuf = mmap(NULL, rxlen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w->rxbuf == MAP_FAILED) {
		w->rxbuf = NULL;
		return rg_err_errno(err, errno, "shard %u: receive buffers", id);
	}
	memset(w->rxbuf, 0, rxlen);
	w->reply = calloc(RGD_REPLY_SLOTS, sizeof(*w->reply));
	if (!w->reply)
		return rg_err_set(err, "shard %u: out of memory", id);
	for (int f = 0; f < RGD_FAMILIES; f++) {
		if (!d->socks[f])
			continue;
		w->sock[f] = &d->socks[f][id];
		w->tx[f] = calloc(1, sizeof(*w->tx[f]));
		if (!w->tx[f])
			return rg_err_set(err, "shard %u: out of memory", id);
		rgd_tx_init(w->tx[f], w->sock[f], &w->st.tx);
		if (add_fd(w, w->sock[f]->fd, (uint32_t)f, err) < 0)
			return -1;
	}
	if (add_fd(w, w->evfd, RGD_FAMILIES, err) < 0)
		return -1;
	if (server_new(d, w, err) < 0)
		return -1;
	atomic_store(&w->ack_epoch, w->epoch);
	publish(w);
	return 0;
}

int rgd_worker_start(struct rgd_worker *w, struct rg_err *err)
{
	int r = pthread_create(&w->thread, NULL, run, w);

	if (r != 0)
		return rg_err_errno(err, r, "shard %u: thread", w->id);
	w->started = true;
	return 0;
}

void rgd_worker_wake(struct rgd_worker *w)
{
	uint64_t one = 1;

	if (w->evfd >= 0 && write(w->evfd, &one, sizeof(one)) < 0) {
		/* Saturated counter: the worker is awake anyway. */
	}
}

void rgd_worker_join(struct rgd_worker *w)
{
	if (w->started)
		pthread_join(w->thread, NULL);
	w->started = false;
}

void rgd_worker_free(struct rgd_worker *w)
{
	rg_relay_server_free(w->srv);
	w->srv = NULL;
	rgd_inbox_free(&w->inbox);
	if (w->rxbuf)
		munmap(w->rxbuf, (size_t)RGD_RX_BATCH * RGD_RX_BUF);
	w->rxbuf = NULL;
	free(w->reply);
	w->reply = NULL;
	for (int f = 0; f < RGD_FAMILIES; f++) {
		free(w->tx[f]);
		w->tx[f] = NULL;
	}
	if (w->epfd >= 0)
		close(w->epfd);
	if (w->evfd >= 0)
		close(w->evfd);
	w->epfd = w->evfd = -1;
}

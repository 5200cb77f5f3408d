/*
 * make bench: relaygated's forwarding rate beside a minimal
 * recvmmsg/sendmmsg forwarder, in the same run on the same machine, and
 * its allocation rate.
 *
 * Data path: a sender thread (client A) blasts Geneve data datagrams of a
 * given size at the forwarder; a receiver thread (client B) counts what
 * arrives. The minimal forwarder (a child process, one socket, batches of
 * 64, every datagram to B) and relaygated (a child process, one socket
 * per family so that both are one thread) get the same traffic. "gso"
 * rows: the sender sends UDP GSO super-packets and both forwarders use GRO
 * in and GSO out (relaygated always does when the kernel offers them; a
 * third column runs it with --no-gso --no-gro).
 *
 * Allocations: requesters allowed by the table ask for endpoints for
 * distinct pairs (new endpoints: two X25519 each), then again (existing).
 *
 * $RELAYGATED is the daemon (build/relaygated) and $RELAYGATE the CLI that
 * compiles its table (build/relaygate); BENCH_SECONDS sets the time per measurement (default 2);
 * BENCH_ONLY=SIZE/SENDERS (e.g. 1200/gso) runs one row and no allocations.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "relaygate/geneve.h"
#include "../tests/daemon/fixture.h"
#include "util/udp_offload.h"

#include "bench_common.h"

#define BATCH 64
#define ROUNDS 3
#define ALLOC_REQUESTERS 200
#define ALLOC_PEERS 20 /* pairs per requester */
#define ALLOC_WINDOW 64

static void die(const char *what)
{
	fprintf(stderr, "relay_forward: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void set_int(int fd, int level, int name, int v)
{
	if (setsockopt(fd, level, name, &v, sizeof(v)) < 0 && name != SO_RCVBUFFORCE &&
	    name != SO_SNDBUFFORCE)
		die("setsockopt");
}

typedef union {
	char b[CMSG_SPACE(sizeof(int))];
	struct cmsghdr a;
} gro_ctl;

/* A receive batch over bufs, with room for the GRO segment size. */
static void prepare_rx(struct mmsghdr *m, struct iovec *iov, uint8_t (*bufs)[65536], gro_ctl *ctl,
		       bool with_ctl)
{
	for (int i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){ bufs[i], sizeof(bufs[i]) };
		m[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i], .msg_iovlen = 1,
						 .msg_control = with_ctl ? ctl[i].b : NULL,
						 .msg_controllen = with_ctl ? sizeof(ctl[i].b) : 0 };
	}
}

/* The GRO segment size of a received message, or 0. */
static int gro_size(struct msghdr *h)
{
	struct cmsghdr *c = h->msg_controllen ? CMSG_FIRSTHDR(h) : NULL;
	int seg = 0;

	if (c && c->cmsg_level == IPPROTO_UDP && c->cmsg_type == UDP_GRO)
		memcpy(&seg, CMSG_DATA(c), sizeof(seg));
	return seg;
}

/* --- the minimal forwarder --- */

static volatile sig_atomic_t fwd_stop;

static void on_term(int sig)
{
	(void)sig;
	fwd_stop = 1;
}

/* Every datagram to dst; with gso, GRO super-packets go out as they came. */
static void forwarder(int fd, const struct rg_addrport *dst, bool gso)
{
	static uint8_t bufs[BATCH][65536];
	static gro_ctl ctl[BATCH];
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_storage to;
	socklen_t tolen = rg_addrport_to_sockaddr(dst, &to);
	struct timeval tv = { .tv_usec = 200000 };

	signal(SIGTERM, on_term);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (gso)
		set_int(fd, IPPROTO_UDP, UDP_GRO, 1);
	while (!fwd_stop) {
		int n;

		prepare_rx(m, iov, bufs, ctl, gso);
		/* What is there, at least one: as any forwarder that minds latency. */
		n = recvmmsg(fd, m, BATCH, MSG_WAITFORONE, NULL);
		if (n <= 0)
			continue;
		for (int i = 0; i < n; i++) {
			struct msghdr *h = &m[i].msg_hdr;
			struct cmsghdr *c;
			int seg = gso ? gro_size(h) : 0;

			iov[i].iov_len = m[i].msg_len;
			h->msg_name = &to;
			h->msg_namelen = tolen;
			h->msg_controllen = 0;
			h->msg_control = NULL;
			if (seg > 0 && (unsigned)seg < m[i].msg_len) {
				uint16_t s = (uint16_t)seg;

				c = (struct cmsghdr *)ctl[i].b;
				h->msg_control = ctl[i].b;
				h->msg_controllen = CMSG_SPACE(sizeof(uint16_t));
				c->cmsg_level = IPPROTO_UDP;
				c->cmsg_type = UDP_SEGMENT;
				c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
				memcpy(CMSG_DATA(c), &s, sizeof(s));
			}
		}
		for (int i = 0; i < n;) {
			int r = sendmmsg(fd, m + i, (unsigned)(n - i), 0);

			if (r <= 0)
				break;
			i += r;
		}
	}
	_exit(0);
}

static pid_t start_forwarder(struct rg_addrport *listen, const struct rg_addrport *dst, bool gso)
{
	int fd = fx_udp_socket(AF_INET, listen);
	pid_t pid;

	if (fd < 0)
		die("forwarder socket");
	set_int(fd, SOL_SOCKET, SO_RCVBUFFORCE, 7 << 20);
	set_int(fd, SOL_SOCKET, SO_SNDBUFFORCE, 7 << 20);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		forwarder(fd, dst, gso);
	close(fd);
	return pid;
}

/* --- traffic --- */

struct traffic {
	int tx, rx;              /* A's and B's sockets */
	struct rg_addrport to;   /* forwarder or relay */
	uint32_t vni;
	size_t size;
	bool gso;
	atomic_bool stop;
	atomic_ullong packets, bytes;
};

static void *sender(void *arg)
{
	struct traffic *t = arg;
	static uint8_t pkt[65536];
	struct rg_geneve_header h = { .protocol = RG_GENEVE_PROTO_WIREGUARD, .vni = t->vni };
	struct sockaddr_storage ss;
	socklen_t len = rg_addrport_to_sockaddr(&t->to, &ss);
	size_t segs = t->gso ? 64 : 1;
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	union {
		char b[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr a;
	} ctl;
	uint16_t s = (uint16_t)t->size;

	while (segs * t->size > 65000)
		segs--;
	memset(pkt, 0x5a, sizeof(pkt));
	for (size_t i = 0; i < segs; i++)
		if (rg_geneve_encode(&h, pkt + i * t->size) < 0)
			return NULL;
	memset(&ctl, 0, sizeof(ctl));
	ctl.a.cmsg_level = IPPROTO_UDP;
	ctl.a.cmsg_type = UDP_SEGMENT;
	ctl.a.cmsg_len = CMSG_LEN(sizeof(s));
	memcpy(CMSG_DATA(&ctl.a), &s, sizeof(s));
	for (int i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){ pkt, segs * t->size };
		m[i].msg_hdr = (struct msghdr){ .msg_name = &ss, .msg_namelen = len, .msg_iov = &iov[i],
						 .msg_iovlen = 1, .msg_control = t->gso ? ctl.b : NULL,
						 .msg_controllen = t->gso ? sizeof(ctl.b) : 0 };
	}
	while (!atomic_load_explicit(&t->stop, memory_order_relaxed))
		if (sendmmsg(t->tx, m, t->gso ? 4 : BATCH, 0) < 0 && errno != EAGAIN &&
		    errno != ENOBUFS && errno != EINTR)
			break;
	return NULL;
}

static void *receiver(void *arg)
{
	struct traffic *t = arg;
	static uint8_t bufs[BATCH][65536];
	static gro_ctl ctl[BATCH];
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	struct timeval tv = { .tv_usec = 100000 };

	setsockopt(t->rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (!atomic_load_explicit(&t->stop, memory_order_relaxed)) {
		unsigned long long p = 0, b = 0;
		int n;

		prepare_rx(m, iov, bufs, ctl, true);
		n = recvmmsg(t->rx, m, BATCH, MSG_WAITFORONE, NULL);
		for (int i = 0; i < n; i++) {
			int seg = gro_size(&m[i].msg_hdr);

			p += seg > 0 ? (m[i].msg_len + (unsigned)seg - 1) / (unsigned)seg : 1;
			b += m[i].msg_len;
		}
		atomic_fetch_add_explicit(&t->packets, p, memory_order_relaxed);
		atomic_fetch_add_explicit(&t->bytes, b, memory_order_relaxed);
	}
	return NULL;
}

struct rate {
	double pps, gbps;
};

/* Runs the traffic for the measurement time after a warm-up. */
static struct rate measure(struct traffic *t, double secs)
{
	pthread_t s, r;
	unsigned long long p0, b0, p1, b1;
	double t0, t1;
	struct rate out;

	atomic_store(&t->stop, false);
	atomic_store(&t->packets, 0);
	atomic_store(&t->bytes, 0);
	if (pthread_create(&r, NULL, receiver, t) != 0 || pthread_create(&s, NULL, sender, t) != 0)
		die("pthread_create");
	nanosleep(&(struct timespec){ .tv_nsec = 300 * 1000 * 1000 }, NULL);
	p0 = atomic_load(&t->packets);
	b0 = atomic_load(&t->bytes);
	t0 = bench_seconds(CLOCK_MONOTONIC);
	nanosleep(&(struct timespec){ .tv_sec = (time_t)secs,
				      .tv_nsec = (long)((secs - (double)(time_t)secs) * 1e9) }, NULL);
	p1 = atomic_load(&t->packets);
	b1 = atomic_load(&t->bytes);
	t1 = bench_seconds(CLOCK_MONOTONIC);
	atomic_store(&t->stop, true);
	pthread_join(s, NULL);
	pthread_join(r, NULL);
	out.pps = (double)(p1 - p0) / (t1 - t0);
	out.gbps = (double)(b1 - b0) * 8 / (t1 - t0) / 1e9;
	return out;
}

static void client_buffers(int fd)
{
	set_int(fd, SOL_SOCKET, SO_RCVBUFFORCE, 7 << 20);
	set_int(fd, SOL_SOCKET, SO_SNDBUFFORCE, 7 << 20);
}

static void stop_child(pid_t pid)
{
	int st;

	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
}

static int cmp_rate(const void *a, const void *b)
{
	double x = ((const struct rate *)a)->pps, y = ((const struct rate *)b)->pps;

	return (x > y) - (x < y);
}

/* A session through a relaygated started with args; its clients set up
 * for the traffic. */
static bool relay_session(struct fx_env *e, const char *const *args, struct fx_daemon *d,
			  struct fx_client *a, struct fx_client *b, struct traffic *t)
{
	struct rg_relay_endpoint_info info;

	if (fx_daemon_start(d, e, args, NULL) < 0)
		return false;
	if (fx_client_init(a, e, &e->nodes[0], &e->nodes[1], &d->udp[0]) < 0 ||
	    fx_client_init(b, e, &e->nodes[1], &e->nodes[0], &d->udp[0]) < 0 ||
	    fx_allocate(a, 1, &info, 3000) < 0 ||
	    rg_relay_client_set_server(&b->c, &info.server_disco) != 0 ||
	    fx_bind(a, info.vni, 1, 3000) < 0 || fx_bind(b, info.vni, 1, 3000) < 0 ||
	    (fx_ping(a, b, info.vni, 1000) < 0 && fx_ping(a, b, info.vni, 1000) < 0)) {
		fprintf(stderr, "relay_forward: no session through relaygated\n");
		fx_daemon_stop(d);
		return false;
	}
	client_buffers(a->fd);
	client_buffers(b->fd);
	if (t->gso)
		set_int(b->fd, IPPROTO_UDP, UDP_GRO, 1);
	t->tx = a->fd;
	t->rx = b->fd;
	t->vni = info.vni;
	t->to = d->udp[0];
	return true;
}

static void relay_end(struct fx_daemon *d, struct fx_client *a, struct fx_client *b)
{
	fx_daemon_stop(d);
	free(d->log);
	fx_client_free(a);
	fx_client_free(b);
}

/* One row: the minimal forwarder, relaygated, and relaygated without
 * offloads (--no-gso --no-gro), ROUNDS alternating runs each, medians. */
static bool row(struct fx_env *e, size_t size, bool gso, double secs)
{
	const char *on[] = { "--listen", "127.0.0.1:0", "--sockets", "1", "--metrics", "off",
			     NULL };
	const char *off[] = { "--listen", "127.0.0.1:0", "--sockets", "1", "--metrics", "off",
			      "--no-gso", "--no-gro", NULL };
	struct rate min[ROUNDS], rel[ROUNDS], bare[ROUNDS];
	struct fx_daemon d1, d2;
	struct fx_client a1, b1, a2, b2;
	struct traffic t1, t2;
	double ratio;

	memset(&t1, 0, sizeof(t1));
	t1.size = size;
	t1.gso = gso;
	t2 = t1;
	if (!relay_session(e, on, &d1, &a1, &b1, &t1))
		return false;
	if (!relay_session(e, off, &d2, &a2, &b2, &t2)) {
		relay_end(&d1, &a1, &b1);
		return false;
	}
	for (int i = 0; i < ROUNDS; i++) {
		struct rg_addrport fl, relay = t1.to;
		pid_t f = start_forwarder(&fl, &b1.addr, gso);

		t1.to = fl;
		min[i] = measure(&t1, secs);
		stop_child(f);
		t1.to = relay;
		rel[i] = measure(&t1, secs);
		bare[i] = measure(&t2, secs);
	}
	relay_end(&d1, &a1, &b1);
	relay_end(&d2, &a2, &b2);
	qsort(min, ROUNDS, sizeof(min[0]), cmp_rate);
	qsort(rel, ROUNDS, sizeof(rel[0]), cmp_rate);
	qsort(bare, ROUNDS, sizeof(bare[0]), cmp_rate);
	ratio = rel[ROUNDS / 2].pps / min[ROUNDS / 2].pps;
	printf("forward size=%zu senders=%-5s minimal %.0f pps %.2f Gbit/s | relaygated %.0f pps "
	       "%.2f Gbit/s, ratio %.2f (target 0.80: %s) | relaygated --no-gso --no-gro %.0f pps "
	       "%.2f Gbit/s, ratio %.2f\n",
	       size, gso ? "gso" : "plain", min[ROUNDS / 2].pps, min[ROUNDS / 2].gbps,
	       rel[ROUNDS / 2].pps, rel[ROUNDS / 2].gbps, ratio, ratio >= 0.8 ? "met" : "missed",
	       bare[ROUNDS / 2].pps, bare[ROUNDS / 2].gbps,
	       bare[ROUNDS / 2].pps / min[ROUNDS / 2].pps);
	fflush(stdout);
	return true;
}

/* Sends request i of c[0, n) with generation base + i / ALLOC_REQUESTERS
 * (increasing per requester), keeping at most ALLOC_WINDOW unanswered. */
static void alloc_round(struct fx_client *c, unsigned n, uint32_t base, int fd, unsigned *lost)
{
	unsigned sent = 0, got = 0;
	uint8_t pkt[RG_RELAY_CLIENT_PACKET_MAX];

	while (got < n) {
		while (sent < n && sent - got < ALLOC_WINDOW) {
			size_t len;

			if (rg_relay_client_alloc_request(&c[sent].c, base + sent / ALLOC_REQUESTERS, pkt, sizeof(pkt), &len) != 0 ||
			    fx_send(fd, &c[sent].relay, pkt, len) < 0)
				die("allocation request");
			sent++;
		}
		if (fx_recv(fd, pkt, sizeof(pkt), 500, NULL) < 0) {
			*lost += sent - got;
			got = sent;
			continue;
		}
		got++;
	}
}

static void allocations(struct fx_env *e)
{
	const char *args[] = { "--listen", "127.0.0.1:0", "--metrics", "off", NULL };
	unsigned n = ALLOC_REQUESTERS * ALLOC_PEERS, lost = 0;
	struct fx_client *c = calloc(n, sizeof(*c));
	struct fx_daemon d;
	double t0, t_new, t_old;
	int fd;

	if (!c || fx_daemon_start(&d, e, args, NULL) < 0)
		die("relaygated");
	fd = fx_udp_socket(AF_INET, NULL);
	if (fd < 0)
		die("socket");
	client_buffers(fd);
	/* Requester i asks for {i, i + 1 + k}: distinct pairs. */
	for (unsigned k = 0; k < ALLOC_PEERS; k++)
		for (unsigned i = 0; i < ALLOC_REQUESTERS; i++) {
			struct fx_client *x = &c[k * ALLOC_REQUESTERS + i];
			const struct fx_node *peer = &e->nodes[2 + (i + 1 + k) % ALLOC_REQUESTERS];

			x->fd = -1;
			x->relay = d.udp[0];
			if (rg_relay_client_init(&x->c, &e->nodes[2 + i].priv, &e->relay_pub,
						 &peer->pub) < 0)
				die("client");
		}
	t0 = bench_seconds(CLOCK_MONOTONIC);
	alloc_round(c, n, 1, fd, &lost);
	t_new = bench_seconds(CLOCK_MONOTONIC) - t0;
	t0 = bench_seconds(CLOCK_MONOTONIC);
	alloc_round(c, n, 1 + ALLOC_PEERS, fd, &lost);
	t_old = bench_seconds(CLOCK_MONOTONIC) - t0;
	printf("allocate new endpoints: %.0f/s  existing: %.0f/s  (%u requests each, %u requesters, "
	       "%u unanswered, relaygated with %u sockets)\n",
	       (double)n / t_new, (double)n / t_old, n, ALLOC_REQUESTERS, lost, d.sockets);
	for (unsigned i = 0; i < n; i++)
		rg_relay_client_wipe(&c[i].c);
	free(c);
	close(fd);
	fx_daemon_stop(&d);
	free(d.log);
}

int main(void)
{
	struct fx_env e;
	bool *allowed;
	const char *s = getenv("BENCH_SECONDS"), *only = getenv("BENCH_ONLY");
	double secs = s ? atof(s) : 2.0;
	static const size_t sizes[] = { 100, 1200 };

	if (!fx_daemon_binary()) {
		fprintf(stderr, "relay_forward: set RELAYGATED (make bench does)\n");
		return 1;
	}
	if (secs <= 0 || secs > 60)
		secs = 2.0;
	if (fx_env_init(&e) < 0)
		return 1;
	allowed = calloc(FX_MAX_NODES, sizeof(*allowed));
	if (!allowed)
		return 1;
	for (unsigned i = 0; i < 2 + ALLOC_REQUESTERS; i++) {
		char name[16];

		snprintf(name, sizeof(name), "n%u", i);
		if (!fx_node_add(&e, name))
			return 1;
		allowed[i] = true;
	}
	if (fx_table_write(&e, e.table, 1, allowed, NULL) < 0)
		return 1;
	printf("# %.1f s per measurement, median of %d alternating runs; one worker thread each\n",
	       secs, ROUNDS);
	for (int g = 0; g < 2; g++)
		for (size_t i = 0; i < 2; i++) {
			char name[32];

			snprintf(name, sizeof(name), "%zu/%s", sizes[i], g ? "gso" : "plain");
			if (only && strcmp(only, name) != 0)
				continue;
			if (!row(&e, sizes[i], g, secs))
				return 1;
		}
	if (!only)
		allocations(&e);
	free(allowed);
	fx_env_free(&e);
	return 0;
}

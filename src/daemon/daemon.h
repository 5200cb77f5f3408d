/*
 * relaygated's shared state.
 *
 * Threads. The main thread owns configuration, signals, reloads, the
 * metrics listener and sd_notify. Each worker thread owns one shard: one
 * rg_relay_server (single-threaded by design), socket i of every address
 * family, its buffers and its counters. The kernel steers every datagram
 * to the socket of the shard that owns its VNI or its requester
 * (relay_steer.h), so the packet path takes no lock and shares no
 * writable memory. What crosses threads: the table pointer (published by
 * the main thread, acquired by workers between batches), the reload epoch
 * and its acknowledgements, the rare handed-over datagram (inbox.h), the
 * LamportID clock (one atomic add per new endpoint), the pair directory
 * (relay_pairdir.h: one mutex, taken only when a shard allocates or closes
 * an endpoint, so that both clients of a pair get the same endpoint
 * whichever shards their requests reach) and the counters each worker
 * publishes after every batch for the metrics page.
 */
#ifndef RGD_DAEMON_H
#define RGD_DAEMON_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "relaygate/relay_pairdir.h"
#include "relaygate/relay_server.h"
#include "relaygate/relay_steer.h"
#include "daemon/authz.h"
#include "daemon/config.h"
#include "daemon/inbox.h"
#include "daemon/log.h"
#include "daemon/sockets.h"
#include "daemon/tx.h"
#include "util/cpus.h"

#define RGD_RX_BATCH 64
#define RGD_RX_BUF 65536
#define RGD_REPLY_SLOTS 64
#define RGD_RECLAIM_NS (1000LL * 1000 * 1000)

/* Why an allocation request was refused (the reason label). */
enum rgd_denial {
	RGD_DENY_UNKNOWN_KEY,      /* sender not in the table at all */
	RGD_DENY_NO_GRANT,         /* sender known, not allowed on this relay */
	RGD_DENY_PEER_NO_GRANT,    /* --require-both: the other client is not allowed */
	RGD_DENY_WEAK_KEY,
	RGD_DENY_RELAY_KEY,
	RGD_DENY_NOT_PARTICIPANT,
	RGD_DENY_SAME_PAIR,
	RGD_DENY_REPLAY,
	RGD_DENY_STALE_GENERATION,
	RGD_DENY_SHORT_REQUEST,    /* shorter than its response: anti-amplification */
	RGD_DENY_QUOTA_GLOBAL,
	RGD_DENY_QUOTA_NODE,
	RGD_DENY_QUOTA_CONNECTING,
	RGD_DENY_VNI_EXHAUSTED,
	RGD_DENY_NOT_READY,
	RGD_DENY_NO_MEMORY,
	RGD_DENY_COUNT
};

const char *rgd_denial_name(enum rgd_denial d);

/* Per-worker counters beyond the server's own (published with them). */
struct rgd_wstats {
	uint64_t rx_datagrams;  /* datagrams, GRO segments counted one by one */
	uint64_t rx_batches;
	uint64_t rx_gro;        /* super-packets received */
	uint64_t rx_truncated;
	uint64_t rx_overflow;   /* kernel queue drops (SO_RXQ_OVFL) */
	uint64_t handoff_out, handoff_in, handoff_dropped;
	uint64_t allowed_new, allowed_existing;
	uint64_t denied[RGD_DENY_COUNT];
	uint64_t log_suppressed;
	struct rgd_tx_stats tx;
};

#define RGD_SRV_WORDS (sizeof(struct rg_relay_counters) / sizeof(uint64_t))
#define RGD_W_WORDS (sizeof(struct rgd_wstats) / sizeof(uint64_t))

struct rgd_daemon;

struct rgd_worker {
	struct rgd_daemon *d;
	uint32_t id;
	pthread_t thread;
	bool started;
	int epfd, evfd;
	struct rgd_sock *sock[RGD_FAMILIES]; /* NULL for a family not served */
	struct rg_relay_server *srv;
	const struct rgd_authz *authz;       /* as of epoch */
	uint64_t epoch;
	enum rgd_denial denial;              /* set by the allowed() callback */
	int64_t next_reclaim;
	uint32_t last_ovfl[RGD_FAMILIES];
	struct rgd_ratelimit rl_deny, rl_alloc;
	struct rgd_wstats st;
	struct rgd_inbox inbox;
	/* receive batch */
	uint8_t *rxbuf;                      /* RGD_RX_BATCH * RGD_RX_BUF */
	struct mmsghdr rx_mh[RGD_RX_BATCH];
	struct iovec rx_iov[RGD_RX_BATCH];
	struct sockaddr_storage rx_names[RGD_RX_BATCH];
	union {
		char buf[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(uint32_t)) +
			 CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} rx_ctl[RGD_RX_BATCH];
	/* send batches and reply buffers */
	struct rgd_tx *tx[RGD_FAMILIES];
	uint8_t (*reply)[RG_RELAY_REPLY_MAX];
	size_t nreply;
	/* published for the main thread */
	_Alignas(64) _Atomic uint64_t pub_srv[RGD_SRV_WORDS];
	_Atomic uint64_t pub_w[RGD_W_WORDS];
	_Atomic uint64_t ack_epoch;
};

struct rgd_reload_stats {
	uint64_t ok, failed;
	bool last_ok;
	int64_t last_success;   /* unix seconds */
	uint64_t revoked;       /* endpoints closed by reloads */
};

struct rgd_daemon {
	struct rgd_config cfg;
	struct rgd_trust trust;
	struct rg_disco_private key;
	struct rg_disco_key key_pub;
	struct rg_disco_private server_disco;
	struct rg_relay_steer steer;
	struct rg_cpus cpus;
	const char *sockets_source;            /* "cpus" or "flag" */
	uint32_t nshards;
	uint32_t shard_endpoints;              /* max_endpoints of each shard */
	struct rg_relay_pairdir *pairdir;      /* with nshards > 1, else NULL */
	struct rgd_sock *socks[RGD_FAMILIES];  /* nshards each, or NULL */
	struct rg_addrport bound[RGD_FAMILIES];
	bool gso_at_start[RGD_FAMILIES];
	struct rg_addrport addrs[RG_RELAY_MAX_ADDRS]; /* advertised */
	size_t naddrs;
	struct rgd_worker *workers;
	_Atomic(struct rgd_authz *) authz;
	_Atomic uint64_t epoch;
	_Atomic bool stop;
	_Atomic bool failed;                   /* a worker hit a fatal socket error */
	_Atomic uint64_t lamport;
	int main_evfd;                         /* workers wake the main thread */
	int64_t start_time;
	struct rgd_reload_stats reload;
	struct rgd_authz *pending_free;
};

int64_t rgd_mono_ns(void);

/* worker.c */
int rgd_worker_init(struct rgd_daemon *d, struct rgd_worker *w, uint32_t id,
		    struct rg_err *err);
int rgd_worker_start(struct rgd_worker *w, struct rg_err *err);
void rgd_worker_wake(struct rgd_worker *w);
void rgd_worker_join(struct rgd_worker *w);
void rgd_worker_free(struct rgd_worker *w);
/* A consistent-enough copy of what the worker published. */
void rgd_worker_read(const struct rgd_worker *w, struct rg_relay_counters *srv,
		     struct rgd_wstats *st);

/* reload.c */
int rgd_reload(struct rgd_daemon *d);

#endif

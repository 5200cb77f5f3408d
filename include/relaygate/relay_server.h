/*
 * Peer relay server state machine (Tailscale net/udprelay.Server), without
 * sockets: the daemon reads a datagram, calls rg_relay_server_handle_packet()
 * and does what the returned action says.
 *
 * Keys. The server holds the relay's long-term disco key(s) (the key
 * clients seal naked allocation requests to; up to RG_RELAY_MAX_LONGTERM so
 * that a key can be rolled over) and a separate "server disco" key, fresh
 * per server object unless configured, used for the bind handshake and
 * advertised as ServerDisco, as Tailscale does.
 *
 * Packets on the relay port (see docs/relay-protocol.md):
 *   STUN binding (byte 1 == 0x01)  -> RG_RELAY_STUN, for a STUN client (relaygated
 *                                     has none: it counts and drops them)
 *   naked disco (magic at byte 0)  -> allocation request (this project's
 *                                     allocation-over-UDP extension)
 *   Geneve, control bit, disco     -> Bind / Answer handshake
 *   Geneve, no control bit         -> forwarded between the two bound addresses
 *   anything else                  -> dropped, with a counted reason
 *
 * Authorization is not decided here: allocation asks the callbacks in
 * struct rg_relay_auth (or takes an 'allowed' flag). Unknown senders of naked
 * disco packets are rejected by is_known() before any key agreement.
 *
 * Time: every entry point takes 'now', nanoseconds on a monotonic clock; the
 * server never reads a clock. Expiry is checked exactly at use and by
 * rg_relay_server_reclaim(), which the daemon calls periodically.
 *
 * Threads: none. One server object must not be used concurrently. The only
 * state servers may share is the LamportID clock (an atomic) and the pair
 * directory (a mutex taken on the allocation path and when endpoints close,
 * never on the forwarding path); see struct rg_relay_config.
 * Ownership: rg_relay_server_new() copies the config (keys included: wipe
 * yours with rg_relay_config_wipe()); the auth context is borrowed and must
 * outlive its use. rg_relay_server_free(NULL) is a no-op.
 */
#ifndef RELAYGATE_RELAY_SERVER_H
#define RELAYGATE_RELAY_SERVER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relaygate/disco.h"
#include "relaygate/err.h"
#include "relaygate/addrport.h"

#define RG_RELAY_SECOND 1000000000LL
#define RG_RELAY_DEFAULT_BIND_LIFETIME (30 * RG_RELAY_SECOND)
#define RG_RELAY_DEFAULT_STEADY_LIFETIME (300 * RG_RELAY_SECOND)
#define RG_RELAY_DEFAULT_MAC_ROTATION (120 * RG_RELAY_SECOND)

#define RG_RELAY_MAX_LONGTERM 2
/* Candidate addresses advertised per endpoint. */
#define RG_RELAY_MAX_ADDRS 16
/* Largest control datagram or allocation request processed; larger ones are
 * dropped before any crypto (Tailscale's are 160 bytes). */
#define RG_RELAY_CONTROL_MAX 1280
/* Largest reply the server writes: an allocation response with every
 * address. An out buffer of this size never fails for lack of room. */
#define RG_RELAY_REPLY_MAX (RG_DISCO_OVERHEAD + RG_DISCO_MSG_HEADER_LEN + 4 + \
			    RG_DISCO_RELAY_EP_BODY_LEN + RG_RELAY_MAX_ADDRS * RG_DISCO_EP_LEN)

enum rg_relay_verdict {
	RG_RELAY_DROP,     /* nothing to send; see reason */
	RG_RELAY_REPLY,    /* send out[0..len) to 'to' */
	RG_RELAY_FORWARD,  /* send the input datagram unchanged to 'to' */
	RG_RELAY_STUN,     /* a STUN binding message (for a STUN client; relaygated drops it) */
	RG_RELAY_CONSUMED, /* processed, nothing to send (a successful Answer) */
};

/* Why a datagram or an allocation was refused. Names: rg_relay_drop_name(). */
enum rg_relay_drop {
	RG_RELAY_DROP_NONE,
	/* demux */
	RG_RELAY_DROP_SHORT,            /* under 8 bytes */
	RG_RELAY_DROP_OVERSIZE,         /* control/allocation datagram over RG_RELAY_CONTROL_MAX */
	RG_RELAY_DROP_GENEVE_VERSION,   /* Geneve version not 0 */
	RG_RELAY_DROP_GENEVE_OPTIONS,   /* Geneve options present */
	RG_RELAY_DROP_GENEVE_RESERVED,  /* C bit, reserved bits or byte 7 set */
	RG_RELAY_DROP_VNI_ZERO,
	RG_RELAY_DROP_UNKNOWN_VNI,
	RG_RELAY_DROP_CONTROL_PROTO,    /* control bit on a non-disco protocol */
	RG_RELAY_DROP_DATA_PROTO,       /* data with neither disco nor WireGuard protocol */
	/* data path */
	RG_RELAY_DROP_NOT_BOUND,        /* endpoint not bound on both legs */
	RG_RELAY_DROP_UNKNOWN_SRC,      /* source is neither bound address */
	RG_RELAY_DROP_EXPIRED,          /* endpoint past its lifetime */
	/* disco frame */
	RG_RELAY_DROP_DISCO_SHORT,      /* shorter than a disco frame */
	RG_RELAY_DROP_BAD_MAGIC,
	RG_RELAY_DROP_WEAK_KEY,         /* zero or small-order key */
	RG_RELAY_DROP_UNKNOWN_SENDER,   /* naked disco from a key is_known() refuses */
	RG_RELAY_DROP_NOT_CLIENT,       /* control packet from neither client of the endpoint */
	RG_RELAY_DROP_KEY_AGREEMENT,    /* crypto_box_beforenm refused */
	RG_RELAY_DROP_BAD_BOX,          /* authentication failed */
	RG_RELAY_DROP_BAD_MESSAGE,      /* plaintext does not parse */
	RG_RELAY_DROP_BAD_VERSION,      /* a version Go parses as an empty message */
	RG_RELAY_DROP_UNEXPECTED_TYPE,  /* a message the server does not take here */
	/* handshake */
	RG_RELAY_DROP_WRONG_VNI,        /* message VNI differs from the header's */
	RG_RELAY_DROP_WRONG_REMOTE,     /* RemoteKey is not the other client */
	RG_RELAY_DROP_ZERO_GENERATION,
	RG_RELAY_DROP_STALE_GENERATION, /* replayed or superseded Bind / allocation */
	RG_RELAY_DROP_NO_HANDSHAKE,     /* Answer without a matching Bind in progress */
	RG_RELAY_DROP_BAD_CHALLENGE,    /* Answer MAC mismatch (other source, old secret) */
	RG_RELAY_DROP_SRC_IS_RELAY,     /* source is one of the relay's own addresses */
	RG_RELAY_DROP_ADDR_IN_USE,      /* source is bound to the other leg */
	RG_RELAY_DROP_AMPLIFICATION,    /* reply would be larger than the request */
	RG_RELAY_DROP_NO_SPACE,         /* caller's out buffer too small */
	/* allocation */
	RG_RELAY_DROP_ALLOC_DISABLED,   /* no is_known callback: UDP allocation is off */
	RG_RELAY_DROP_NOT_READY,        /* no candidate address to advertise */
	RG_RELAY_DROP_NOT_PARTICIPANT,  /* requester is not one of the two clients */
	RG_RELAY_DROP_SAME_PAIR,        /* both clients are the same key */
	RG_RELAY_DROP_RELAY_KEY,        /* a client key is one of the relay's keys */
	RG_RELAY_DROP_NOT_ALLOWED,      /* authorization refused */
	RG_RELAY_DROP_REPLAY,           /* known (sender, generation) from another address */
	RG_RELAY_DROP_QUOTA_GLOBAL,
	RG_RELAY_DROP_QUOTA_REQUESTER,  /* endpoints per requester */
	RG_RELAY_DROP_QUOTA_CONNECTING, /* unbound endpoints per requester */
	RG_RELAY_DROP_VNI_EXHAUSTED,
	RG_RELAY_DROP_NO_MEMORY,
	RG_RELAY_DROP_COUNT
};

enum rg_relay_ep_state {
	RG_RELAY_EP_CONNECTING, /* allocated, not bound on both legs */
	RG_RELAY_EP_OPEN,       /* bound on both legs: forwarding */
	RG_RELAY_EP_STATES
};

/* Transport families for the forwarded counters. */
enum rg_relay_transport { RG_RELAY_UDP4, RG_RELAY_UDP6, RG_RELAY_TRANSPORTS };

struct rg_relay_action {
	enum rg_relay_verdict verdict;
	enum rg_relay_drop reason; /* RG_RELAY_DROP */
	struct rg_addrport to;     /* RG_RELAY_REPLY, RG_RELAY_FORWARD */
	size_t len;                /* bytes to send */
};

struct rg_relay_auth {
	/* Whether key appears in the authorization table at all. Gates every
	 * naked disco packet before any crypto. NULL disables UDP allocation. */
	bool (*is_known)(void *ctx, const struct rg_disco_key *key);
	/* Whether requester may allocate an endpoint shared with peer. NULL
	 * refuses every allocation made through handle_packet. */
	bool (*allowed)(void *ctx, const struct rg_disco_key *requester,
			const struct rg_disco_key *peer);
	void *ctx;
};

struct rg_relay_config {
	struct rg_disco_private longterm[RG_RELAY_MAX_LONGTERM];
	size_t n_longterm;                  /* 1..RG_RELAY_MAX_LONGTERM */
	bool fixed_server_disco;            /* use server_disco instead of a fresh key */
	struct rg_disco_private server_disco;
	struct rg_relay_auth auth;
	int64_t bind_lifetime_ns;           /* unbound endpoint lifetime (30 s) */
	int64_t steady_lifetime_ns;         /* idle limit per leg once bound (5 min) */
	int64_t mac_rotation_ns;            /* challenge secret rotation (2 min) */
	uint32_t vni_min, vni_max;          /* 1..0xFFFFFF */
	uint32_t max_endpoints;             /* global quota (16384) */
	uint32_t max_per_requester;         /* endpoints charged to one requester (1024) */
	uint32_t max_connecting_per_requester; /* of which not yet open (64) */
	uint32_t max_idle_senders;          /* requesters remembered without endpoints (4096) */
	uint32_t key_cache_size;            /* per long-term key (1024) */
	/* Counter LamportIDs are drawn from when several servers shard one relay
	 * (they share ServerDisco, so IDs must be unique and increase across
	 * them: clients keep the highest per ServerDisco). NULL: own counter. */
	_Atomic uint64_t *lamport_clock;
	/* Directory shared by the servers sharding one relay, so that a pair
	 * has at most one endpoint among them (relay_pairdir.h; needs
	 * fixed_server_disco). NULL: this server alone answers for its pairs.
	 * Borrowed: it must outlive the server. */
	struct rg_relay_pairdir *pairdir;
};

struct rg_relay_counters {
	uint64_t dropped[RG_RELAY_DROP_COUNT];
	uint64_t forwarded_packets[RG_RELAY_TRANSPORTS][RG_RELAY_TRANSPORTS]; /* [in][out] */
	uint64_t forwarded_bytes[RG_RELAY_TRANSPORTS][RG_RELAY_TRANSPORTS];   /* incl. Geneve */
	uint64_t endpoints[RG_RELAY_EP_STATES]; /* gauge */
	uint64_t stun;               /* STUN datagrams handed out */
	uint64_t challenges;         /* Challenges sent */
	uint64_t binds;              /* legs bound by a valid Answer */
	uint64_t allocations;        /* endpoints created */
	uint64_t allocations_reused; /* idempotent repeats, allocations_remote included */
	uint64_t allocations_remote; /* answered with another server's endpoint (pairdir) */
	uint64_t alloc_responses;    /* responses sent on the relay port */
	uint64_t expired;            /* endpoints closed by their lifetimes */
	uint64_t revoked;            /* endpoints closed by rg_relay_server_revalidate */
	uint64_t key_agreements;     /* X25519 runs (caches and endpoints) */
	uint64_t mac_rotations;
};

/* One endpoint as advertised (AllocateUDPRelayEndpointResponse body). */
struct rg_relay_endpoint_info {
	struct rg_disco_key server_disco;
	struct rg_disco_key client[2]; /* sorted */
	uint64_t lamport_id;
	uint32_t vni;
	int64_t bind_lifetime_ns;
	int64_t steady_lifetime_ns;
	size_t n_addrs;
	struct rg_addrport addrs[RG_RELAY_MAX_ADDRS];
	bool created;                  /* false: the existing endpoint of the pair */
};

/* Debug status of one endpoint (Tailscale status.ServerSession). */
struct rg_relay_session {
	uint32_t vni;
	uint64_t lamport_id;
	enum rg_relay_ep_state state;
	int64_t allocated_at;
	struct rg_disco_key requester;
	struct {
		struct rg_disco_key key;
		bool bound;
		struct rg_addrport addr;
		uint32_t generation;         /* of the binding */
		uint32_t pending_generation; /* Bind in progress, 0 = none */
		int64_t last_seen;
		uint64_t packets, bytes;     /* received from this leg and forwarded */
	} leg[2];
};

struct rg_relay_server;
struct rg_relay_pairdir;

/* Defaults for everything but the keys and the auth callbacks. */
void rg_relay_config_init(struct rg_relay_config *c);
void rg_relay_config_wipe(struct rg_relay_config *c);

struct rg_relay_server *rg_relay_server_new(const struct rg_relay_config *c, struct rg_err *err);
void rg_relay_server_free(struct rg_relay_server *s);

/* The ServerDisco key advertised for binding, and long-term key i. */
const struct rg_disco_key *rg_relay_server_disco(const struct rg_relay_server *s);
const struct rg_disco_key *rg_relay_server_longterm(const struct rg_relay_server *s, size_t i);
/* Replaces the auth callbacks (after a policy reload); see revalidate. */
void rg_relay_server_set_auth(struct rg_relay_server *s, const struct rg_relay_auth *auth);
/* Candidate addresses advertised from now on (static first, then discovered).
 * -1 if n > RG_RELAY_MAX_ADDRS or an address is zero. */
int rg_relay_server_set_addrs(struct rg_relay_server *s, const struct rg_addrport *addrs,
			      size_t n, struct rg_err *err);

/*
 * Classifies and processes one datagram received from src. Replies are
 * written to out[0..cap) (RG_RELAY_REPLY_MAX always suffices) and never
 * exceed len. The data path does no allocation and no crypto.
 */
enum rg_relay_verdict rg_relay_server_handle_packet(struct rg_relay_server *s,
						    const struct rg_addrport *src,
						    const uint8_t *pkt, size_t len, int64_t now,
						    uint8_t *out, size_t cap,
						    struct rg_relay_action *act);

/*
 * Runs: n datagrams received together from src (a UDP GRO super-packet)
 * that all start with the same 8 bytes hdr, total bytes in all. When
 * rg_relay_run_eligible(hdr) (byte 1 zero: a Geneve header without the
 * control or reserved bits, so neither STUN nor naked disco), and every
 * datagram is at least 8 bytes, rg_relay_server_handle_run() does exactly
 * what n calls of rg_relay_server_handle_packet() would (one verdict for
 * all: forward every datagram to act->to, or drop them all, counted n
 * times), with one lookup. The data path is the same, so is its cost per
 * run rather than per datagram.
 */
bool rg_relay_run_eligible(const uint8_t *hdr, size_t n);
enum rg_relay_verdict rg_relay_server_handle_run(struct rg_relay_server *s,
						 const struct rg_addrport *src, const uint8_t *hdr,
						 size_t n, size_t total, int64_t now,
						 struct rg_relay_action *act);

/*
 * Allocates (or returns the existing) endpoint for the pair {a, b} on behalf
 * of an already-authenticated requester, which must be a or b. 'allowed' is
 * the authorization decision. RG_RELAY_DROP_NONE on success (*out filled);
 * otherwise the reason, also counted. For the daemon's DERP path.
 */
enum rg_relay_drop rg_relay_server_allocate(struct rg_relay_server *s,
					    const struct rg_disco_key *requester,
					    const struct rg_disco_key *a, const struct rg_disco_key *b,
					    bool allowed, int64_t now,
					    struct rg_relay_endpoint_info *out);
/* Encodes info as an AllocateUDPRelayEndpointResponse plaintext. */
int rg_relay_encode_alloc_response(const struct rg_relay_endpoint_info *info,
				   uint32_t generation, uint8_t *out, size_t cap, size_t *len);

/* Closes endpoints past their lifetimes; returns how many. */
size_t rg_relay_server_reclaim(struct rg_relay_server *s, int64_t now);
/* Closes endpoints whose requester is no longer allowed with its peer under
 * the current auth callbacks; returns how many. */
size_t rg_relay_server_revalidate(struct rg_relay_server *s);

size_t rg_relay_server_endpoint_count(const struct rg_relay_server *s);
/* Status of the endpoint with this VNI: 0, or -1 if there is none. */
int rg_relay_server_session(const struct rg_relay_server *s, uint32_t vni,
			    struct rg_relay_session *out);
const struct rg_relay_counters *rg_relay_server_counters(const struct rg_relay_server *s);

/* Metric label values: "not_bound", ...; "connecting"/"open"; "udp4"/"udp6". */
const char *rg_relay_drop_name(enum rg_relay_drop r);
const char *rg_relay_ep_state_name(enum rg_relay_ep_state st);
const char *rg_relay_transport_name(enum rg_relay_transport t);

#endif

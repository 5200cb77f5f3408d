/* Relay server internals shared by the server_*.c files. */
#ifndef RG_RELAY_SERVER_INTERNAL_H
#define RG_RELAY_SERVER_INTERNAL_H

#include "relaygate/disco_cache.h"
#include "relaygate/geneve.h"
#include "relaygate/relay_pairdir.h"
#include "relaygate/relay_server.h"
#include "relay/table.h"

#define RG_RELAY_MAC_LEN 32
/* (generation, address) pairs remembered per requester for allocation
 * retransmissions. */
#define RG_RELAY_RECENT 4

struct rg_relay_leg {
	bool bound;
	struct rg_addrport addr;
	uint32_t bound_gen;   /* generation of the current binding */
	uint32_t pending_gen; /* Bind in progress, 0 = none */
	int64_t last_seen;
	uint64_t packets, bytes;
};

struct rg_relay_ep {
	uint32_t slot;        /* in s->eps */
	uint32_t vni;
	uint64_t lamport;
	int64_t allocated_at;
	enum rg_relay_ep_state state;
	uint32_t pair_hash;
	uint32_t requester;   /* slot in s->senders charged for this endpoint */
	struct rg_disco_key client[2];     /* sorted */
	struct rg_disco_shared shared[2];  /* box keys client[i] <-> server disco */
	struct rg_relay_leg leg[2];
};

struct rg_relay_recent {
	uint32_t gen;
	struct rg_addrport addr;
	int64_t at;
	bool used;
};

/* A requester: quota counters and allocation replay memory. */
struct rg_relay_sender {
	uint32_t slot;
	uint32_t hash;
	struct rg_disco_key key;
	uint32_t n_endpoints;
	uint32_t n_connecting;
	bool have_gen;
	uint32_t max_gen;
	struct rg_relay_recent recent[RG_RELAY_RECENT];
	int64_t last_used;
};

struct rg_relay_server {
	struct rg_relay_config cfg; /* keys wiped; lifetimes etc. resolved */
	struct rg_relay_auth auth;
	struct rg_disco_private disco_priv;
	struct rg_disco_key disco_pub;
	size_t n_longterm;
	struct rg_disco_key longterm_pub[RG_RELAY_MAX_LONGTERM];
	struct rg_disco_cache *cache[RG_RELAY_MAX_LONGTERM];

	struct rg_addrport addrs[RG_RELAY_MAX_ADDRS];
	size_t n_addrs;

	uint64_t lamport;
	uint32_t next_vni;
	uint32_t vni_seed;

	uint8_t mac_secret[2][RG_RELAY_MAC_LEN]; /* [0] current, [1] previous */
	int n_mac;
	int64_t mac_rotated_at;

	struct rg_relay_pool eps;
	struct rg_relay_index by_vni;
	struct rg_relay_index by_pair;
	struct rg_relay_pool senders;
	struct rg_relay_index by_sender;

	struct rg_relay_counters counters;
};

static inline uint32_t rg_relay_vni_hash(const struct rg_relay_server *s, uint32_t vni)
{
	uint32_t h = vni ^ s->vni_seed;

	h ^= h >> 16;
	h *= 0x7feb352dU;
	h ^= h >> 15;
	h *= 0x846ca68bU;
	return h ^ (h >> 16);
}

/* now - t > limit, without signed overflow whatever the inputs. */
static inline bool rg_relay_older_than(int64_t now, int64_t t, int64_t limit)
{
	return now > t && (uint64_t)now - (uint64_t)t > (uint64_t)limit;
}

/* Serial-number order (RFC 1982) on generations: a is newer than b. */
static inline bool rg_relay_gen_newer(uint32_t a, uint32_t b)
{
	return (uint32_t)(a - b) - 1u < 0x7fffffffu;
}

/* Counts and returns a drop. */
static inline enum rg_relay_verdict rg_relay_drop(struct rg_relay_server *s,
						  struct rg_relay_action *act,
						  enum rg_relay_drop why)
{
	s->counters.dropped[why]++;
	act->verdict = RG_RELAY_DROP;
	act->reason = why;
	act->len = 0;
	return RG_RELAY_DROP;
}

/* server_ep.c */
struct rg_relay_ep *rg_relay_ep_by_vni(const struct rg_relay_server *s, uint32_t vni);
bool rg_relay_ep_expired(const struct rg_relay_server *s, const struct rg_relay_ep *ep,
			 int64_t now);
void rg_relay_ep_close(struct rg_relay_server *s, struct rg_relay_ep *ep);
void rg_relay_ep_set_state(struct rg_relay_server *s, struct rg_relay_ep *ep,
			   enum rg_relay_ep_state st);
bool rg_relay_is_own_key(const struct rg_relay_server *s, const struct rg_disco_key *k);
bool rg_relay_is_own_addr(const struct rg_relay_server *s, const struct rg_addrport *a);
void rg_relay_ep_info(const struct rg_relay_server *s, const struct rg_relay_ep *ep,
		      struct rg_relay_endpoint_info *out);
/* The same for an endpoint known by its pair, VNI and LamportID (one of
 * another server sharing the pair directory, hence ServerDisco). */
void rg_relay_info_fill(const struct rg_relay_server *s, const struct rg_disco_key client[2],
			uint32_t vni, uint64_t lamport, struct rg_relay_endpoint_info *out);

/* server_sender.c */
struct rg_relay_sender *rg_relay_sender_find(const struct rg_relay_server *s,
					     const struct rg_disco_key *k);
struct rg_relay_sender *rg_relay_sender_get(struct rg_relay_server *s,
					    const struct rg_disco_key *k, int64_t now);

/* server_alloc.c: allocation after every request-level check. */
enum rg_relay_drop rg_relay_alloc_core(struct rg_relay_server *s,
				       const struct rg_disco_key *requester,
				       const struct rg_disco_key *a, const struct rg_disco_key *b,
				       int64_t now, struct rg_relay_endpoint_info *out);
enum rg_relay_drop rg_relay_check_pair(const struct rg_relay_server *s,
				       const struct rg_disco_key *requester,
				       const struct rg_disco_key *a, const struct rg_disco_key *b);

/* pairdir.c: what the directory records per pair. Every function but
 * lock/unlock expects the caller to hold the lock. */
struct rg_relay_pairdir_entry {
	struct rg_disco_key client[2]; /* sorted */
	const struct rg_relay_server *owner;
	uint32_t vni;
	uint64_t lamport;
};

void rg_relay_pairdir_lock(struct rg_relay_pairdir *d);
void rg_relay_pairdir_unlock(struct rg_relay_pairdir *d);
/* The entry of the sorted pair c, or NULL; valid until the unlock. */
const struct rg_relay_pairdir_entry *rg_relay_pairdir_find(const struct rg_relay_pairdir *d,
							   const struct rg_disco_key c[2]);
/* -1 when full or when the pair already has an entry. */
int rg_relay_pairdir_add(struct rg_relay_pairdir *d, const struct rg_relay_pairdir_entry *x);
/* Removes the entry of c if it names owner and vni. */
void rg_relay_pairdir_del(struct rg_relay_pairdir *d, const struct rg_disco_key c[2],
			  const void *owner, uint32_t vni);

/* server_bind.c */
enum rg_relay_verdict rg_relay_handle_control(struct rg_relay_server *s, struct rg_relay_ep *ep,
					      const struct rg_addrport *src, const uint8_t *pkt,
					      size_t len, int64_t now, uint8_t *out, size_t cap,
					      struct rg_relay_action *act);

/* server_udpalloc.c */
enum rg_relay_verdict rg_relay_handle_alloc(struct rg_relay_server *s,
					    const struct rg_addrport *src, const uint8_t *pkt,
					    size_t len, int64_t now, uint8_t *out, size_t cap,
					    struct rg_relay_action *act);

#endif

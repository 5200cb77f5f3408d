/*
 * Tailscale disco packets (Go disco/disco.go), byte-exact.
 *
 * Framing (what goes in a UDP datagram or DERP packet):
 *   magic "TS\xf0\x9f\x92\xac" (6) | sender public key (32) | nonce (24) |
 *   NaCl box: Poly1305 tag (16) | XSalsa20 ciphertext of the message
 * sealed with crypto_box_easy_afternm under the precomputed key of
 * (sender, recipient); see disco_key.h and disco_cache.h.
 *
 * Messages (the plaintext): type (1) | version (1) | body; big-endian
 * integers; endpoint records are 16 IP bytes (IPv4-mapped for IPv4) and a
 * port. Parsing follows Go exactly: trailing bytes are ignored where Go
 * ignores them (Ping, Pong, Bind*, AllocateRequest, CallMeMaybe records),
 * UDPRelayEndpoint bodies must be an exact multiple of records, and
 * CallMeMaybe/CallMeMaybeVia/Allocate* with a version other than 0 (and a
 * CallMeMaybe with a partial record) parse as an empty message: RG_DISCO_OK
 * with msg->empty set, like Go.
 *
 * Ownership: parsers never allocate; a parsed message may point into the
 * input (address lists, see struct rg_disco_addrs), which must outlive it.
 * Every function takes explicit lengths and never reads or writes past them.
 */
#ifndef RELAYGATE_DISCO_H
#define RELAYGATE_DISCO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relaygate/disco_key.h"
#include "relaygate/addrport.h"

#define RG_DISCO_MAGIC "TS\xf0\x9f\x92\xac"
#define RG_DISCO_MAGIC_LEN 6
#define RG_DISCO_NONCE_LEN 24
#define RG_DISCO_TAG_LEN 16
/* magic + sender key + nonce: the minimum that "looks like disco". */
#define RG_DISCO_HEADER_LEN (RG_DISCO_MAGIC_LEN + RG_DISCO_KEY_LEN + RG_DISCO_NONCE_LEN)
/* Frame size minus message size. */
#define RG_DISCO_OVERHEAD (RG_DISCO_HEADER_LEN + RG_DISCO_TAG_LEN)

#define RG_DISCO_MSG_HEADER_LEN 2
#define RG_DISCO_EP_LEN 18        /* one endpoint record */
#define RG_DISCO_TXID_LEN 12
#define RG_DISCO_CHALLENGE_LEN 32
#define RG_DISCO_BIND_BODY_LEN 72 /* VNI, generation, remote key, challenge */
#define RG_DISCO_RELAY_EP_BODY_LEN 124 /* UDPRelayEndpoint without records */
#define RG_DISCO_ALLOC_REQ_BODY_LEN 68

/* Error codes (negative) returned by the functions below. */
enum rg_disco_status {
	RG_DISCO_OK = 0,
	RG_DISCO_ERR_SHORT = -1,        /* truncated message or frame ("short message") */
	RG_DISCO_ERR_UNKNOWN_TYPE = -2, /* unknown message type */
	RG_DISCO_ERR_SPACE = -3,        /* output buffer too small */
	RG_DISCO_ERR_INVALID = -4,      /* message cannot be encoded (e.g. no addresses) */
	RG_DISCO_ERR_MAGIC = -5,        /* frame does not start with the magic */
	RG_DISCO_ERR_BOX = -6,          /* authentication failed */
};

enum rg_disco_type {
	RG_DISCO_PING = 0x01,
	RG_DISCO_PONG = 0x02,
	RG_DISCO_CALL_ME_MAYBE = 0x03,
	RG_DISCO_BIND = 0x04,           /* BindUDPRelayEndpoint */
	RG_DISCO_BIND_CHALLENGE = 0x05, /* BindUDPRelayEndpointChallenge */
	RG_DISCO_BIND_ANSWER = 0x06,    /* BindUDPRelayEndpointAnswer */
	RG_DISCO_CALL_ME_MAYBE_VIA = 0x07,
	RG_DISCO_ALLOC_REQUEST = 0x08,  /* AllocateUDPRelayEndpointRequest */
	RG_DISCO_ALLOC_RESPONSE = 0x09, /* AllocateUDPRelayEndpointResponse */
};

/*
 * A list of endpoint records. For encoding set list (n entries); a parsed
 * list has raw pointing at n 18-byte records inside the parsed input and
 * list NULL. Read entries with rg_disco_addrs_get() either way.
 */
struct rg_disco_addrs {
	size_t n;
	const struct rg_addrport *list;
	const uint8_t *raw;
};

struct rg_disco_ping {
	uint8_t txid[RG_DISCO_TXID_LEN];
	struct rg_disco_key node_key; /* all zero = absent (Go: NodeKey.IsZero) */
	size_t padding;               /* zero bytes after TxID and the optional key */
};

struct rg_disco_pong {
	uint8_t txid[RG_DISCO_TXID_LEN];
	struct rg_addrport src;
};

/* Bind, BindChallenge and BindAnswer share this body. */
struct rg_disco_bind {
	uint32_t vni;
	uint32_t generation;
	struct rg_disco_key remote; /* the other client of the endpoint */
	uint8_t challenge[RG_DISCO_CHALLENGE_LEN];
};

/* UDPRelayEndpoint: body of CallMeMaybeVia and AllocateUDPRelayEndpointResponse. */
struct rg_disco_relay_ep {
	struct rg_disco_key server;    /* ServerDisco */
	struct rg_disco_key client[2]; /* sorted, smaller first */
	uint64_t lamport_id;
	uint32_t vni;
	int64_t bind_lifetime_ns;      /* Go time.Duration */
	int64_t steady_lifetime_ns;
	struct rg_disco_addrs addrs;   /* at least one */
};

struct rg_disco_alloc_request {
	struct rg_disco_key client[2];
	uint32_t generation;
};

struct rg_disco_alloc_response {
	uint32_t generation;
	struct rg_disco_relay_ep ep;
};

struct rg_disco_msg {
	enum rg_disco_type type;
	uint8_t version;  /* as parsed; always encoded as 0 */
	bool empty;       /* Go discarded the body ("empty message"), see above */
	union {
		struct rg_disco_ping ping;
		struct rg_disco_pong pong;
		struct rg_disco_addrs call_me_maybe;
		struct rg_disco_bind bind; /* BIND, BIND_CHALLENGE, BIND_ANSWER */
		struct rg_disco_relay_ep via;
		struct rg_disco_alloc_request alloc_req;
		struct rg_disco_alloc_response alloc_resp;
	} u;
};

/* Short name of a status code ("short message", ...). */
const char *rg_disco_strerror(int status);

/* Entry i (< a->n) of an address list, IPv4 un-mapped as Go does. */
void rg_disco_addrs_get(const struct rg_disco_addrs *a, size_t i, struct rg_addrport *out);

/* Parses a plaintext message. RG_DISCO_OK or a negative status. */
int rg_disco_msg_parse(const uint8_t *p, size_t n, struct rg_disco_msg *m);
/* Size rg_disco_msg_encode() writes for m, or 0 if m cannot be encoded. */
size_t rg_disco_msg_size(const struct rg_disco_msg *m);
/* Encodes m into out[0..cap); *len = bytes written. */
int rg_disco_msg_encode(const struct rg_disco_msg *m, uint8_t *out, size_t cap, size_t *len);

/* At least RG_DISCO_HEADER_LEN bytes and the magic (Go LooksLikeDiscoWrapper). */
bool rg_disco_looks_like(const uint8_t *p, size_t n);
/* The sender key of a frame that looks like disco (no crypto). */
int rg_disco_frame_sender(const uint8_t *p, size_t n, struct rg_disco_key *sender);
/*
 * Seals msg[0..mlen) into a frame in out[0..cap): magic, sender, a fresh
 * random nonce, box under key. *len = RG_DISCO_OVERHEAD + mlen.
 */
int rg_disco_seal(const struct rg_disco_key *sender, const struct rg_disco_shared *key,
		  const uint8_t *msg, size_t mlen, uint8_t *out, size_t cap, size_t *len);
/* Same with a caller-chosen nonce (tests, fuzz builders). */
int rg_disco_seal_nonce(const struct rg_disco_key *sender, const struct rg_disco_shared *key,
			const uint8_t nonce[RG_DISCO_NONCE_LEN], const uint8_t *msg, size_t mlen,
			uint8_t *out, size_t cap, size_t *len);
/*
 * Opens frame p[0..n) with key into out[0..cap); *len = plaintext size.
 * RG_DISCO_ERR_MAGIC/_SHORT for a frame that does not look like disco or
 * lacks a tag, _SPACE when out is too small, _BOX when authentication fails
 * (out is then zeroed).
 */
int rg_disco_open(const struct rg_disco_shared *key, const uint8_t *p, size_t n, uint8_t *out,
		  size_t cap, size_t *len);

#endif

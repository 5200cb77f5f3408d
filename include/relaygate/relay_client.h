/*
 * The client side of a relay session, without sockets: what `relaygate
 * probe`, the daemon tests and the benchmark use, and what a client built on
 * this library needs to use relaygated.
 *
 *   1. allocate: a naked AllocateUDPRelayEndpointRequest sealed to the
 *      relay's long-term disco key, padded so that it is at least as long as
 *      any response (relaygated drops shorter ones: anti-amplification);
 *      the response, sealed with the same key, names ServerDisco, the VNI
 *      and the relay's addresses;
 *   2. bind: Bind -> Challenge -> Answer, Geneve control packets sealed to
 *      ServerDisco, from the address the leg will use;
 *   3. talk: Geneve data packets (disco or WireGuard) to the relay address,
 *      which forwards them to the other bound leg; disco Ping/Pong between
 *      the two clients are sealed with their own keys.
 *
 * Return values: RG_DISCO_OK or a negative RG_DISCO_ERR_* status;
 * RG_DISCO_ERR_INVALID also means "not the packet expected here" (another
 * sender, type, VNI or generation).
 *
 * Ownership: the struct holds private and shared keys; wipe it with
 * rg_relay_client_wipe().
 */
#ifndef RELAYGATE_RELAY_CLIENT_H
#define RELAYGATE_RELAY_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relaygate/disco.h"
#include "relaygate/relay_server.h"

/* Plaintext length of a request that pays for the largest response. */
#define RG_RELAY_CLIENT_REQUEST_PLAIN (RG_RELAY_REPLY_MAX - RG_DISCO_OVERHEAD)
/* Largest packet these functions write. */
#define RG_RELAY_CLIENT_PACKET_MAX RG_RELAY_CONTROL_MAX

struct rg_relay_client {
	struct rg_disco_private priv;
	struct rg_disco_key pub;
	struct rg_disco_key relay;    /* long-term key requests are sealed to */
	struct rg_disco_shared k_relay;
	struct rg_disco_key peer;     /* the other client of the pair */
	struct rg_disco_shared k_peer;
	struct rg_disco_key server;   /* ServerDisco, once learnt */
	struct rg_disco_shared k_server;
	bool have_server;
};

/* -1 for a weak key or a libsodium refusal. */
int rg_relay_client_init(struct rg_relay_client *c, const struct rg_disco_private *priv,
			 const struct rg_disco_key *relay, const struct rg_disco_key *peer);
void rg_relay_client_wipe(struct rg_relay_client *c);
/* Learns ServerDisco from a response, or from the allocator (CallMeMaybeVia). */
int rg_relay_client_set_server(struct rg_relay_client *c, const struct rg_disco_key *server);

/*
 * Generations: a relay refuses an allocation or Bind generation that is not
 * newer (serial arithmetic) than the last it saw from the same key, so a
 * client that restarts with a persistent key must not count from 1 again;
 * derive generations from a clock (relaygate probe uses 4 ms steps).
 */

/* A request for {self, peer}, sorted, padded to RG_RELAY_CLIENT_REQUEST_PLAIN. */
int rg_relay_client_alloc_request(const struct rg_relay_client *c, uint32_t generation,
				  uint8_t *out, size_t cap, size_t *len);
/* Any request (tests): the pair as given, the plaintext padded to plain_len. */
int rg_relay_client_alloc_request_raw(const struct rg_relay_client *c,
				      const struct rg_disco_key *a, const struct rg_disco_key *b,
				      uint32_t generation, size_t plain_len, uint8_t *out,
				      size_t cap, size_t *len);
/* Opens the response to the request of that generation, copies the endpoint
 * into *info and learns ServerDisco. */
int rg_relay_client_alloc_response(struct rg_relay_client *c, const uint8_t *pkt, size_t n,
				   uint32_t generation, struct rg_relay_endpoint_info *info);

/* Bind (challenge NULL) or Answer for the endpoint vni, generation gen. */
int rg_relay_client_bind(const struct rg_relay_client *c, enum rg_disco_type type, uint32_t vni,
			 uint32_t gen, const uint8_t *challenge, uint8_t *out, size_t cap,
			 size_t *len);
/* Opens a Challenge for (vni, gen); copies its 32 bytes. */
int rg_relay_client_challenge(const struct rg_relay_client *c, const uint8_t *pkt, size_t n,
			      uint32_t vni, uint32_t gen, uint8_t challenge[RG_DISCO_CHALLENGE_LEN]);

/* Geneve data packet carrying message m sealed to the peer. */
int rg_relay_client_data(const struct rg_relay_client *c, uint32_t vni,
			 const struct rg_disco_msg *m, uint8_t *out, size_t cap, size_t *len);
/* Opens a Geneve data packet sealed by the peer; m may point into plain. */
int rg_relay_client_open_data(const struct rg_relay_client *c, const uint8_t *pkt, size_t n,
			      uint32_t vni, struct rg_disco_msg *m, uint8_t *plain, size_t pcap);

#endif

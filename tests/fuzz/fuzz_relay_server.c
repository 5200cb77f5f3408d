/*
 * The relay server state machine driven by a fuzzed sequence of events on
 * a fake clock: raw datagrams, and well-formed sealed messages built by
 * the harness (allocation requests, Binds, Answers echoing the last
 * Challenge, data packets) from known and unknown clients and addresses.
 *
 * Properties checked after every event:
 *  - a reply is never larger than the datagram that caused it (no
 *    amplification);
 *  - a datagram is forwarded only between the two bound addresses of its
 *    endpoint, and only by an endpoint that is open;
 *  - unknown senders never cost a key agreement;
 *  - reclamation closes everything once the clock passes every lifetime.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "relaygate/geneve.h"
#include "relaygate/relay_server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NCLIENTS 3 /* 0 and 1 are allowed, 2 is unknown */

static struct rg_disco_private relay_priv, client_priv[NCLIENTS];
static struct rg_disco_key relay_pub, client_pub[NCLIENTS];

static bool is_known(void *ctx, const struct rg_disco_key *key)
{
	(void)ctx;
	return sodium_memcmp(key->b, client_pub[0].b, 32) == 0 ||
	       sodium_memcmp(key->b, client_pub[1].b, 32) == 0;
}

static bool allowed(void *ctx, const struct rg_disco_key *r, const struct rg_disco_key *p)
{
	(void)p;
	return is_known(ctx, r);
}

static void setup(void)
{
	int i;

	memset(relay_priv.b, 0x42, 32);
	if (rg_disco_private_public(&relay_priv, &relay_pub) < 0)
		abort();
	for (i = 0; i < NCLIENTS; i++) {
		memset(client_priv[i].b, 0x10 + i, 32);
		if (rg_disco_private_public(&client_priv[i], &client_pub[i]) < 0)
			abort();
	}
}

static struct rg_addrport addr(unsigned i)
{
	struct rg_addrport a;
	uint8_t v4[4] = { 192, 0, 2, (uint8_t)(1 + i % 4) };

	rg_addrport_set4(&a, v4, (uint16_t)(40000 + i % 2));
	return a;
}

/*
 * Seals message m from client c to key `to`, with pad zero bytes after the
 * message inside the box (how clients pad allocation requests); returns the
 * frame length or 0.
 */
static size_t seal(const struct rg_disco_msg *m, unsigned c, const struct rg_disco_key *to,
		   size_t pad, uint8_t *out, size_t cap)
{
	struct rg_disco_shared sh;
	uint8_t plain[1024];
	size_t plen, flen;

	memset(plain, 0, sizeof(plain));
	if (rg_disco_msg_encode(m, plain, sizeof(plain) - pad, &plen) != RG_DISCO_OK ||
	    rg_disco_shared_compute(&client_priv[c], to, &sh) < 0 ||
	    rg_disco_seal(&client_pub[c], &sh, plain, plen + pad, out, cap, &flen) != RG_DISCO_OK)
		return 0;
	return flen;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct rg_relay_config cfg;
	struct rg_relay_server *s;
	struct rg_err err;
	struct rg_addrport relay_addr;
	uint8_t pkt[2048], out[RG_RELAY_REPLY_MAX];
	uint8_t last_challenge[RG_DISCO_CHALLENGE_LEN] = { 0 };
	uint32_t last_vni = 1, last_gen = 0;
	int64_t now = 1000 * RG_RELAY_SECOND;
	size_t i = 0;
	uint64_t agreements_before;
	const struct rg_relay_counters *ctr;

	if (!ready) {
		setup();
		ready = 1;
	}
	rg_relay_config_init(&cfg);
	cfg.longterm[0] = relay_priv;
	cfg.n_longterm = 1;
	cfg.auth.is_known = is_known;
	cfg.auth.allowed = allowed;
	cfg.vni_min = 1;
	cfg.vni_max = 64;
	cfg.max_endpoints = 16;
	cfg.max_per_requester = 8;
	cfg.max_connecting_per_requester = 4;
	cfg.key_cache_size = 8;
	s = rg_relay_server_new(&cfg, &err);
	if (!s)
		abort();
	{
		uint8_t v4[4] = { 198, 51, 100, 1 };

		rg_addrport_set4(&relay_addr, v4, 7000);
		if (rg_relay_server_set_addrs(s, &relay_addr, 1, &err) < 0)
			abort();
	}
	ctr = rg_relay_server_counters(s);
	while (i + 2 <= size) {
		uint8_t op = data[i++], arg = data[i++];
		unsigned c = arg % NCLIENTS;
		struct rg_addrport src = addr(arg >> 2);
		struct rg_disco_msg m;
		struct rg_relay_action act;
		size_t len = 0;

		memset(&m, 0, sizeof(m));
		switch (op % 7) {
		case 0: /* a raw datagram */
			len = i < size ? data[i++] : 0;
			if (len > size - i)
				len = size - i;
			memcpy(pkt, data + i, len);
			i += len;
			break;
		case 1: /* allocation request, padded to its response size */
			m.type = RG_DISCO_ALLOC_REQUEST;
			m.u.alloc_req.client[0] = client_pub[c];
			m.u.alloc_req.client[1] = client_pub[(c + 1 + (arg >> 6)) % NCLIENTS];
			m.u.alloc_req.generation = ++last_gen;
			/* Clients pad to the response size; most of these do. */
			len = seal(&m, c, &relay_pub, (arg & 2) ? 0 : 200, pkt, sizeof(pkt));
			break;
		case 2: /* Bind or Answer to the server disco key for the last VNI */
			m.type = (arg & 1) ? RG_DISCO_BIND_ANSWER : RG_DISCO_BIND;
			m.u.bind.vni = last_vni;
			m.u.bind.generation = 1 + (arg >> 5);
			m.u.bind.remote = client_pub[(c + 1) % 2];
			memcpy(m.u.bind.challenge, last_challenge, sizeof(last_challenge));
			{
				struct rg_geneve_header h = { 0 };

				h.control = true;
				h.protocol = RG_GENEVE_PROTO_DISCO;
				h.vni = last_vni;
				if (rg_geneve_encode(&h, pkt) < 0)
					break;
				len = seal(&m, c % 2, rg_relay_server_disco(s), 0, pkt + RG_GENEVE_HEADER_LEN,
					   sizeof(pkt) - RG_GENEVE_HEADER_LEN);
				if (len)
					len += RG_GENEVE_HEADER_LEN;
			}
			break;
		case 3: /* data for the last VNI */
		{
			struct rg_geneve_header h = { 0 };

			h.protocol = RG_GENEVE_PROTO_WIREGUARD;
			h.vni = last_vni;
			if (rg_geneve_encode(&h, pkt) < 0)
				break;
			len = RG_GENEVE_HEADER_LEN + (arg & 63);
			memset(pkt + RG_GENEVE_HEADER_LEN, arg, arg & 63);
			break;
		}
		case 4:
			now += (int64_t)arg * RG_RELAY_SECOND;
			continue;
		case 5:
			rg_relay_server_reclaim(s, now);
			continue;
		case 6:
			last_vni = 1 + arg % 64;
			continue;
		}
		if (!len)
			continue;
		agreements_before = ctr->key_agreements;
		rg_relay_server_handle_packet(s, &src, pkt, len, now, out, sizeof(out), &act);
		if (c == 2 && op % 7 == 1 && ctr->key_agreements != agreements_before)
			abort(); /* X25519 for an unknown sender */
		if (act.verdict == RG_RELAY_REPLY) {
			struct rg_disco_shared sh;
			uint8_t plain[RG_RELAY_REPLY_MAX];
			size_t plen;
			struct rg_disco_msg reply;

			if (act.len > len)
				abort(); /* amplification */
			/* Remember the challenge sent to us, to answer it later. */
			if (act.len > RG_GENEVE_HEADER_LEN &&
			    rg_disco_shared_compute(&client_priv[c % 2], rg_relay_server_disco(s), &sh) == 0 &&
			    rg_disco_open(&sh, out + RG_GENEVE_HEADER_LEN, act.len - RG_GENEVE_HEADER_LEN,
					  plain, sizeof(plain), &plen) == RG_DISCO_OK &&
			    rg_disco_msg_parse(plain, plen, &reply) == RG_DISCO_OK &&
			    reply.type == RG_DISCO_BIND_CHALLENGE)
				memcpy(last_challenge, reply.u.bind.challenge, sizeof(last_challenge));
			if (rg_disco_shared_compute(&client_priv[c], &relay_pub, &sh) == 0 &&
			    rg_disco_open(&sh, out, act.len, plain, sizeof(plain), &plen) == RG_DISCO_OK &&
			    rg_disco_msg_parse(plain, plen, &reply) == RG_DISCO_OK &&
			    reply.type == RG_DISCO_ALLOC_RESPONSE)
				last_vni = reply.u.alloc_resp.ep.vni;
		} else if (act.verdict == RG_RELAY_FORWARD) {
			struct rg_geneve_header h;
			struct rg_relay_session ss;

			if (rg_geneve_decode(pkt, len, &h) < 0 ||
			    rg_relay_server_session(s, h.vni, &ss) < 0 || ss.state != RG_RELAY_EP_OPEN ||
			    !((rg_addrport_equal(&src, &ss.leg[0].addr) && rg_addrport_equal(&act.to, &ss.leg[1].addr)) ||
			      (rg_addrport_equal(&src, &ss.leg[1].addr) && rg_addrport_equal(&act.to, &ss.leg[0].addr))))
				abort();
		}
	}
	if (getenv("FUZZ_RELAY_DEBUG"))
		fprintf(stderr, "allocations=%llu challenges=%llu binds=%llu forwarded=%llu\n",
			(unsigned long long)ctr->allocations, (unsigned long long)ctr->challenges,
			(unsigned long long)ctr->binds,
			(unsigned long long)ctr->forwarded_packets[0][0]);
	rg_relay_server_reclaim(s, now + 3600 * RG_RELAY_SECOND);
	if (rg_relay_server_endpoint_count(s) != 0)
		abort();
	rg_relay_server_free(s);
	return 0;
}

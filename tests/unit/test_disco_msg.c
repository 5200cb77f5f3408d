/*
 * Disco message codecs: every vector of relay-vectors.md §1 encoded byte for
 * byte and parsed back; the lifetime encodings of §9 at their offsets;
 * truncation at every length; trailing bytes; versions; unknown types;
 * encoder refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "disco_vectors.h"
#include "hexutil.h"
#include "relaygate/disco.h"
#include "relaygate/relay_server.h"

static const uint8_t txid[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
static const uint8_t k_node[] = { 1, 2, 30, 31 };
static const uint8_t k_c0[] = { 1, 2, 3, 30, 31 };
static const uint8_t k_c1[] = { 1, 2, 4, 30, 31 };

static struct rg_addrport ap4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
	struct rg_addrport ap;
	const uint8_t v4[4] = { a, b, c, d };

	rg_addrport_set4(&ap, v4, port);
	return ap;
}

static struct rg_addrport ap6(const char *hex16, uint16_t port)
{
	struct rg_addrport ap;
	uint8_t ip[16];

	assert_int_equal(hex_decode(hex16, ip, sizeof(ip)), 16);
	rg_addrport_set6(&ap, ip, port);
	return ap;
}

/* [1.2.3.4:567, [2001::3456]:789] */
static struct rg_addrport two_addrs[2];

static void set_two_addrs(void)
{
	two_addrs[0] = ap4(1, 2, 3, 4, 567);
	two_addrs[1] = ap6("20010000000000000000000000003456", 789);
}

static void set_relay_ep(struct rg_disco_relay_ep *ep)
{
	set_two_addrs();
	key_with(ep->server.b, k_node, sizeof(k_node));
	key_with(ep->client[0].b, k_c0, sizeof(k_c0));
	key_with(ep->client[1].b, k_c1, sizeof(k_c1));
	ep->lamport_id = 123;
	ep->vni = 456;
	ep->bind_lifetime_ns = 1000000000LL;
	ep->steady_lifetime_ns = 60LL * 1000000000LL;
	ep->addrs.n = 2;
	ep->addrs.list = two_addrs;
}

static void b_ping(struct rg_disco_msg *m)
{
	m->type = RG_DISCO_PING;
	memcpy(m->u.ping.txid, txid, 12);
}

static void b_ping_key(struct rg_disco_msg *m)
{
	b_ping(m);
	key_with(m->u.ping.node_key.b, k_node, sizeof(k_node));
}

static void b_ping_pad(struct rg_disco_msg *m)
{
	b_ping(m);
	m->u.ping.padding = 3;
}

static void b_ping_pad_key(struct rg_disco_msg *m)
{
	b_ping_key(m);
	m->u.ping.padding = 3;
}

static void b_pong(struct rg_disco_msg *m)
{
	m->type = RG_DISCO_PONG;
	memcpy(m->u.pong.txid, txid, 12);
	m->u.pong.src = ap4(2, 3, 4, 5, 1234);
}

static void b_pong6(struct rg_disco_msg *m)
{
	m->type = RG_DISCO_PONG;
	memcpy(m->u.pong.txid, txid, 12);
	m->u.pong.src = ap6("fed00000000000000000000000000012", 6666);
}

static void b_cmm(struct rg_disco_msg *m)
{
	m->type = RG_DISCO_CALL_ME_MAYBE;
}

static void b_cmm_eps(struct rg_disco_msg *m)
{
	set_two_addrs();
	m->type = RG_DISCO_CALL_ME_MAYBE;
	m->u.call_me_maybe.n = 2;
	m->u.call_me_maybe.list = two_addrs;
}

static void b_bind_common(struct rg_disco_msg *m, enum rg_disco_type t)
{
	m->type = t;
	m->u.bind.vni = 1;
	m->u.bind.generation = 2;
	key_with(m->u.bind.remote.b, k_node, sizeof(k_node));
	for (int i = 0; i < 32; i++)
		m->u.bind.challenge[i] = (uint8_t)i;
}

static void b_bind(struct rg_disco_msg *m) { b_bind_common(m, RG_DISCO_BIND); }
static void b_challenge(struct rg_disco_msg *m) { b_bind_common(m, RG_DISCO_BIND_CHALLENGE); }
static void b_answer(struct rg_disco_msg *m) { b_bind_common(m, RG_DISCO_BIND_ANSWER); }

static void b_via(struct rg_disco_msg *m)
{
	m->type = RG_DISCO_CALL_ME_MAYBE_VIA;
	set_relay_ep(&m->u.via);
}

static void b_alloc_req(struct rg_disco_msg *m)
{
	m->type = RG_DISCO_ALLOC_REQUEST;
	key_with(m->u.alloc_req.client[0].b, k_c0, sizeof(k_c0));
	key_with(m->u.alloc_req.client[1].b, k_c1, sizeof(k_c1));
	m->u.alloc_req.generation = 1;
}

static void b_alloc_resp(struct rg_disco_msg *m)
{
	m->type = RG_DISCO_ALLOC_RESPONSE;
	m->u.alloc_resp.generation = 1;
	set_relay_ep(&m->u.alloc_resp.ep);
}

struct builder {
	const char *name;
	void (*build)(struct rg_disco_msg *m);
};

/* The inputs of relay-vectors.md §1.1, by vector name. */
static const struct builder builders[] = {
	{ "ping", b_ping },
	{ "ping_with_nodekey_src", b_ping_key },
	{ "ping_with_padding", b_ping_pad },
	{ "ping_with_padding_and_nodekey_src", b_ping_pad_key },
	{ "pong", b_pong },
	{ "pongv6", b_pong6 },
	{ "call_me_maybe", b_cmm },
	{ "call_me_maybe_endpoints", b_cmm_eps },
	{ "bind_udp_relay_endpoint", b_bind },
	{ "bind_udp_relay_endpoint_challenge", b_challenge },
	{ "bind_udp_relay_endpoint_answer", b_answer },
	{ "call_me_maybe_via", b_via },
	{ "allocate_udp_relay_endpoint_request", b_alloc_req },
	{ "allocate_udp_relay_endpoint_response", b_alloc_resp },
};

#define NVEC (sizeof(disco_vectors) / sizeof(disco_vectors[0]))

static void (*builder_for(const char *name))(struct rg_disco_msg *)
{
	for (size_t i = 0; i < sizeof(builders) / sizeof(builders[0]); i++)
		if (strcmp(builders[i].name, name) == 0)
			return builders[i].build;
	fail_msg("no builder for vector %s", name);
	return NULL;
}

static size_t want_bytes(const struct disco_vector *v, uint8_t *out, size_t cap)
{
	size_t n = hex_decode(v->hex, out, cap);

	assert_int_not_equal(n, (size_t)-1);
	return n;
}

static void assert_addrs_equal(const struct rg_disco_addrs *a, const struct rg_disco_addrs *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		struct rg_addrport x, y;

		rg_disco_addrs_get(a, i, &x);
		rg_disco_addrs_get(b, i, &y);
		assert_true(rg_addrport_equal(&x, &y));
	}
}

static void assert_relay_ep_equal(const struct rg_disco_relay_ep *a, const struct rg_disco_relay_ep *b)
{
	assert_memory_equal(a->server.b, b->server.b, 32);
	assert_memory_equal(a->client[0].b, b->client[0].b, 32);
	assert_memory_equal(a->client[1].b, b->client[1].b, 32);
	assert_true(a->lamport_id == b->lamport_id);
	assert_int_equal(a->vni, b->vni);
	assert_true(a->bind_lifetime_ns == b->bind_lifetime_ns);
	assert_true(a->steady_lifetime_ns == b->steady_lifetime_ns);
	assert_addrs_equal(&a->addrs, &b->addrs);
}

/* Deep equality of the fields that the type defines (Go's reflect.DeepEqual). */
static void assert_msg_equal(const struct rg_disco_msg *a, const struct rg_disco_msg *b)
{
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->empty, b->empty);
	switch (a->type) {
	case RG_DISCO_PING:
		assert_memory_equal(a->u.ping.txid, b->u.ping.txid, 12);
		assert_memory_equal(a->u.ping.node_key.b, b->u.ping.node_key.b, 32);
		assert_int_equal(a->u.ping.padding, b->u.ping.padding);
		break;
	case RG_DISCO_PONG:
		assert_memory_equal(a->u.pong.txid, b->u.pong.txid, 12);
		assert_true(rg_addrport_equal(&a->u.pong.src, &b->u.pong.src));
		break;
	case RG_DISCO_CALL_ME_MAYBE:
		assert_addrs_equal(&a->u.call_me_maybe, &b->u.call_me_maybe);
		break;
	case RG_DISCO_BIND:
	case RG_DISCO_BIND_CHALLENGE:
	case RG_DISCO_BIND_ANSWER:
		assert_int_equal(a->u.bind.vni, b->u.bind.vni);
		assert_int_equal(a->u.bind.generation, b->u.bind.generation);
		assert_memory_equal(a->u.bind.remote.b, b->u.bind.remote.b, 32);
		assert_memory_equal(a->u.bind.challenge, b->u.bind.challenge, 32);
		break;
	case RG_DISCO_CALL_ME_MAYBE_VIA:
		assert_relay_ep_equal(&a->u.via, &b->u.via);
		break;
	case RG_DISCO_ALLOC_REQUEST:
		assert_memory_equal(a->u.alloc_req.client[0].b, b->u.alloc_req.client[0].b, 32);
		assert_memory_equal(a->u.alloc_req.client[1].b, b->u.alloc_req.client[1].b, 32);
		assert_int_equal(a->u.alloc_req.generation, b->u.alloc_req.generation);
		break;
	case RG_DISCO_ALLOC_RESPONSE:
		assert_int_equal(a->u.alloc_resp.generation, b->u.alloc_resp.generation);
		assert_relay_ep_equal(&a->u.alloc_resp.ep, &b->u.alloc_resp.ep);
		break;
	default:
		fail_msg("unexpected type %d", a->type);
	}
}

/* Go's TestMarshalAndParse: append after "foo", compare, parse back. */
static void test_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < NVEC; i++) {
		const struct disco_vector *v = &disco_vectors[i];
		uint8_t want[256], buf[3 + 256], again[256];
		struct rg_disco_msg m, parsed;
		size_t wn = want_bytes(v, want, sizeof(want)), len = 0, len2 = 0;

		memset(&m, 0, sizeof(m));
		builder_for(v->name)(&m);
		memcpy(buf, "foo", 3);
		assert_int_equal(rg_disco_msg_size(&m), wn);
		assert_int_equal(rg_disco_msg_encode(&m, buf + 3, sizeof(buf) - 3, &len), RG_DISCO_OK);
		assert_memory_equal(buf, "foo", 3);
		if (len != wn || memcmp(buf + 3, want, wn) != 0)
			fail_msg("%s: encoding differs from the vector", v->name);
		assert_int_equal(rg_disco_msg_parse(want, wn, &parsed), RG_DISCO_OK);
		assert_int_equal(parsed.version, 0);
		assert_msg_equal(&m, &parsed);
		/* The parsed form (raw address views) re-encodes identically. */
		assert_int_equal(rg_disco_msg_encode(&parsed, again, sizeof(again), &len2), RG_DISCO_OK);
		assert_int_equal(len2, wn);
		assert_memory_equal(again, want, wn);
		/* One byte short of room: refused, nothing claimed written. */
		assert_int_equal(rg_disco_msg_encode(&m, again, wn - 1, &len2), RG_DISCO_ERR_SPACE);
		assert_int_equal(len2, 0);
	}
}

/*
 * relay-vectors.md §9: lifetimes are Go time.Duration (signed nanoseconds)
 * written as big-endian 64-bit integers. The test vectors use 1 s and 1 min;
 * the server defaults (RG_RELAY_DEFAULT_*, as Tailscale's server) are 30 s
 * and 5 min. Each value, encoded in a CallMeMaybeVia (BindLifetime at
 * offset 110, SteadyStateLifetime at 118) and an AllocateUDPRelayEndpoint-
 * Response (114, 122), must appear as these literal bytes.
 */
static const struct {
	const char *what;
	int64_t ns;
	const char *hex;
} lifetimes[] = {
	{ "1 s (test)", 1000000000LL, "00 00 00 00 3b 9a ca 00" },
	{ "1 min (test)", 60LL * 1000000000LL, "00 00 00 0d f8 47 58 00" },
	{ "30 s (default bind)", RG_RELAY_DEFAULT_BIND_LIFETIME, "00 00 00 06 fc 23 ac 00" },
	{ "5 min (default steady)", RG_RELAY_DEFAULT_STEADY_LIFETIME, "00 00 00 45 d9 64 b8 00" },
};

#define VIA_BIND_OFF 110
#define VIA_STEADY_OFF 118
#define RESP_BIND_OFF 114
#define RESP_STEADY_OFF 122

static void lifetime_bytes(size_t i, uint8_t out[8])
{
	assert_int_equal(hex_decode(lifetimes[i].hex, out, 8), 8);
}

static void check_lifetimes_at(const uint8_t *p, size_t bind_off, size_t steady_off,
			       size_t bind_i, size_t steady_i)
{
	uint8_t b[8], s[8];

	lifetime_bytes(bind_i, b);
	lifetime_bytes(steady_i, s);
	if (memcmp(p + bind_off, b, 8) != 0)
		fail_msg("BindLifetime %s: wrong bytes at offset %zu", lifetimes[bind_i].what,
			 bind_off);
	if (memcmp(p + steady_off, s, 8) != 0)
		fail_msg("SteadyStateLifetime %s: wrong bytes at offset %zu",
			 lifetimes[steady_i].what, steady_off);
}

static void test_lifetime_encodings(void **state)
{
	const size_t n = sizeof(lifetimes) / sizeof(lifetimes[0]);

	(void)state;
	/* The §1 vectors carry 1 s and 1 min at exactly these offsets. */
	for (size_t v = 0; v < NVEC; v++) {
		uint8_t want[256];

		if (strcmp(disco_vectors[v].name, "call_me_maybe_via") == 0) {
			assert_int_equal(want_bytes(&disco_vectors[v], want, sizeof(want)), 162);
			check_lifetimes_at(want, VIA_BIND_OFF, VIA_STEADY_OFF, 0, 1);
		} else if (strcmp(disco_vectors[v].name, "allocate_udp_relay_endpoint_response") == 0) {
			assert_int_equal(want_bytes(&disco_vectors[v], want, sizeof(want)), 166);
			check_lifetimes_at(want, RESP_BIND_OFF, RESP_STEADY_OFF, 0, 1);
		}
	}
	/* Every value in either field of either message, and back. */
	for (size_t bi = 0; bi < n; bi++) {
		for (size_t si = 0; si < n; si++) {
			struct rg_disco_msg m, p;
			uint8_t buf[256];
			size_t len;

			memset(&m, 0, sizeof(m));
			b_via(&m);
			m.u.via.bind_lifetime_ns = lifetimes[bi].ns;
			m.u.via.steady_lifetime_ns = lifetimes[si].ns;
			assert_int_equal(rg_disco_msg_encode(&m, buf, sizeof(buf), &len), RG_DISCO_OK);
			assert_int_equal(len, 162);
			check_lifetimes_at(buf, VIA_BIND_OFF, VIA_STEADY_OFF, bi, si);
			assert_int_equal(rg_disco_msg_parse(buf, len, &p), RG_DISCO_OK);
			assert_true(p.u.via.bind_lifetime_ns == lifetimes[bi].ns);
			assert_true(p.u.via.steady_lifetime_ns == lifetimes[si].ns);

			memset(&m, 0, sizeof(m));
			b_alloc_resp(&m);
			m.u.alloc_resp.ep.bind_lifetime_ns = lifetimes[bi].ns;
			m.u.alloc_resp.ep.steady_lifetime_ns = lifetimes[si].ns;
			assert_int_equal(rg_disco_msg_encode(&m, buf, sizeof(buf), &len), RG_DISCO_OK);
			assert_int_equal(len, 166);
			check_lifetimes_at(buf, RESP_BIND_OFF, RESP_STEADY_OFF, bi, si);
			assert_int_equal(rg_disco_msg_parse(buf, len, &p), RG_DISCO_OK);
			assert_true(p.u.alloc_resp.ep.bind_lifetime_ns == lifetimes[bi].ns);
			assert_true(p.u.alloc_resp.ep.steady_lifetime_ns == lifetimes[si].ns);
		}
	}
}

/* The server's defaults, through the encoder the server uses for its
 * responses (rg_relay_encode_alloc_response): 30 s and 5 min on the wire. */
static void test_default_lifetimes_response(void **state)
{
	struct rg_relay_endpoint_info info;
	struct rg_relay_config c;
	uint8_t buf[256];
	size_t len;

	(void)state;
	rg_relay_config_init(&c);
	assert_true(c.bind_lifetime_ns == RG_RELAY_DEFAULT_BIND_LIFETIME);
	assert_true(c.steady_lifetime_ns == RG_RELAY_DEFAULT_STEADY_LIFETIME);
	memset(&info, 0, sizeof(info));
	key_with(info.server_disco.b, k_node, sizeof(k_node));
	key_with(info.client[0].b, k_c0, sizeof(k_c0));
	key_with(info.client[1].b, k_c1, sizeof(k_c1));
	info.lamport_id = 123;
	info.vni = 456;
	info.bind_lifetime_ns = c.bind_lifetime_ns;
	info.steady_lifetime_ns = c.steady_lifetime_ns;
	set_two_addrs();
	info.n_addrs = 2;
	memcpy(info.addrs, two_addrs, sizeof(two_addrs));
	assert_int_equal(rg_relay_encode_alloc_response(&info, 1, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 166);
	check_lifetimes_at(buf, RESP_BIND_OFF, RESP_STEADY_OFF, 2, 3);
	/* Everything else is the §1 vector's bytes. */
	{
		uint8_t want[256];
		size_t v;

		for (v = 0; strcmp(disco_vectors[v].name, "allocate_udp_relay_endpoint_response"); v++)
			;
		assert_int_equal(want_bytes(&disco_vectors[v], want, sizeof(want)), 166);
		assert_memory_equal(buf, want, RESP_BIND_OFF);
		assert_memory_equal(buf + RESP_STEADY_OFF + 8, want + RESP_STEADY_OFF + 8,
				    166 - RESP_STEADY_OFF - 8);
	}
	rg_relay_config_wipe(&c);
}

/* What Go's parser returns for the first n bytes of a vector. */
static int expected_prefix_status(enum rg_disco_type t, size_t n)
{
	if (n < 2)
		return RG_DISCO_ERR_SHORT;
	switch (t) {
	case RG_DISCO_PING: return n < 14 ? RG_DISCO_ERR_SHORT : RG_DISCO_OK;
	case RG_DISCO_PONG: return n < 32 ? RG_DISCO_ERR_SHORT : RG_DISCO_OK;
	case RG_DISCO_CALL_ME_MAYBE: return RG_DISCO_OK;
	case RG_DISCO_BIND:
	case RG_DISCO_BIND_CHALLENGE:
	case RG_DISCO_BIND_ANSWER: return n < 74 ? RG_DISCO_ERR_SHORT : RG_DISCO_OK;
	case RG_DISCO_CALL_ME_MAYBE_VIA:
		return n >= 2 + 124 + 18 && (n - 126) % 18 == 0 ? RG_DISCO_OK : RG_DISCO_ERR_SHORT;
	case RG_DISCO_ALLOC_REQUEST: return n < 70 ? RG_DISCO_ERR_SHORT : RG_DISCO_OK;
	case RG_DISCO_ALLOC_RESPONSE:
		return n >= 6 + 124 + 18 && (n - 130) % 18 == 0 ? RG_DISCO_OK : RG_DISCO_ERR_SHORT;
	}
	return RG_DISCO_ERR_UNKNOWN_TYPE;
}

static void test_truncation(void **state)
{
	(void)state;
	for (size_t i = 0; i < NVEC; i++) {
		uint8_t want[256];
		size_t wn = want_bytes(&disco_vectors[i], want, sizeof(want));
		enum rg_disco_type t = (enum rg_disco_type)want[0];

		for (size_t n = 0; n < wn; n++) {
			struct rg_disco_msg m;
			/* A heap copy of exactly n bytes: ASan catches any overread. */
			uint8_t *p = test_malloc(n ? n : 1);
			int rc;

			memcpy(p, want, n);
			rc = rg_disco_msg_parse(p, n, &m);
			if (rc != expected_prefix_status(t, n))
				fail_msg("%s truncated to %zu: got %d", disco_vectors[i].name, n, rc);
			if (rc == RG_DISCO_OK && t == RG_DISCO_PING) {
				/* Go: bytes after the TxID are a key once there are 32 of them. */
				size_t rest = n - 14;

				assert_int_equal(m.u.ping.padding, rest >= 32 ? rest - 32 : rest);
			}
			if (rc == RG_DISCO_OK && t == RG_DISCO_CALL_ME_MAYBE) {
				assert_int_equal(m.empty, (n - 2) % 18 != 0);
				assert_int_equal(m.u.call_me_maybe.n, m.empty ? 0 : (n - 2) / 18);
			}
			test_free(p);
		}
	}
}

static void test_trailing_bytes(void **state)
{
	(void)state;
	for (size_t i = 0; i < NVEC; i++) {
		uint8_t buf[256 + 20];
		size_t wn = want_bytes(&disco_vectors[i], buf, 256);
		struct rg_disco_msg base, m;
		enum rg_disco_type t = (enum rg_disco_type)buf[0];
		int rc;

		memset(buf + wn, 0xee, 20);
		assert_int_equal(rg_disco_msg_parse(buf, wn, &base), RG_DISCO_OK);
		rc = rg_disco_msg_parse(buf, wn + 5, &m);
		switch (t) {
		case RG_DISCO_CALL_ME_MAYBE_VIA:
		case RG_DISCO_ALLOC_RESPONSE:
			/* Whole records only. */
			assert_int_equal(rc, RG_DISCO_ERR_SHORT);
			break;
		case RG_DISCO_CALL_ME_MAYBE:
			/* A partial record: Go returns an empty CallMeMaybe, no error. */
			assert_int_equal(rc, RG_DISCO_OK);
			assert_true(m.empty);
			assert_int_equal(m.u.call_me_maybe.n, 0);
			break;
		case RG_DISCO_PING:
			assert_int_equal(rc, RG_DISCO_OK);
			assert_memory_equal(m.u.ping.txid, txid, 12);
			break;
		default:
			/* Ignored, like Go ("always ignore bytes at the end"). */
			assert_int_equal(rc, RG_DISCO_OK);
			assert_msg_equal(&base, &m);
		}
		/* One extra whole record is an extra address. */
		if (t == RG_DISCO_CALL_ME_MAYBE_VIA || t == RG_DISCO_ALLOC_RESPONSE ||
		    t == RG_DISCO_CALL_ME_MAYBE) {
			assert_int_equal(rg_disco_msg_parse(buf, wn + 18, &m), RG_DISCO_OK);
			if (t == RG_DISCO_CALL_ME_MAYBE)
				assert_int_equal(m.u.call_me_maybe.n, base.u.call_me_maybe.n + 1);
			else if (t == RG_DISCO_CALL_ME_MAYBE_VIA)
				assert_int_equal(m.u.via.addrs.n, 3);
			else
				assert_int_equal(m.u.alloc_resp.ep.addrs.n, 3);
		}
	}
}

static void test_versions(void **state)
{
	(void)state;
	for (size_t i = 0; i < NVEC; i++) {
		uint8_t buf[256];
		size_t wn = want_bytes(&disco_vectors[i], buf, sizeof(buf));
		struct rg_disco_msg m;
		enum rg_disco_type t = (enum rg_disco_type)buf[0];
		bool empty_in_go = t == RG_DISCO_CALL_ME_MAYBE || t == RG_DISCO_CALL_ME_MAYBE_VIA ||
				   t == RG_DISCO_ALLOC_REQUEST || t == RG_DISCO_ALLOC_RESPONSE;

		buf[1] = 1;
		assert_int_equal(rg_disco_msg_parse(buf, wn, &m), RG_DISCO_OK);
		assert_int_equal(m.version, 1);
		assert_int_equal(m.type, t);
		assert_int_equal(m.empty, empty_in_go);
		/* Even a short body is fine once Go has decided the message is empty. */
		if (empty_in_go)
			assert_int_equal(rg_disco_msg_parse(buf, 2, &m), RG_DISCO_OK);
	}
}

static void test_unknown_types(void **state)
{
	static const uint8_t types[] = { 0x00, 0x0a, 0x10, 0x7f, 0x80, 0xff };
	uint8_t buf[80] = { 0 };
	struct rg_disco_msg m;

	(void)state;
	for (size_t i = 0; i < sizeof(types); i++) {
		buf[0] = types[i];
		assert_int_equal(rg_disco_msg_parse(buf, sizeof(buf), &m), RG_DISCO_ERR_UNKNOWN_TYPE);
		assert_int_equal(rg_disco_msg_parse(buf, 2, &m), RG_DISCO_ERR_UNKNOWN_TYPE);
	}
	assert_int_equal(rg_disco_msg_parse(buf, 0, &m), RG_DISCO_ERR_SHORT);
	assert_int_equal(rg_disco_msg_parse(buf, 1, &m), RG_DISCO_ERR_SHORT);
	assert_string_equal(rg_disco_strerror(RG_DISCO_ERR_SHORT), "short message");
}

static void test_encode_refusals(void **state)
{
	struct rg_disco_msg m;
	uint8_t buf[512];
	size_t len = 99;

	(void)state;
	/* No address: Go would encode it, but no decoder would accept it. */
	memset(&m, 0, sizeof(m));
	b_via(&m);
	m.u.via.addrs.n = 0;
	assert_int_equal(rg_disco_msg_size(&m), 0);
	assert_int_equal(rg_disco_msg_encode(&m, buf, sizeof(buf), &len), RG_DISCO_ERR_INVALID);
	assert_int_equal(len, 0);
	memset(&m, 0, sizeof(m));
	b_alloc_resp(&m);
	m.u.alloc_resp.ep.addrs.n = 0;
	assert_int_equal(rg_disco_msg_encode(&m, buf, sizeof(buf), &len), RG_DISCO_ERR_INVALID);
	/* Absurd counts do not overflow the size computation. */
	memset(&m, 0, sizeof(m));
	b_cmm(&m);
	m.u.call_me_maybe.n = SIZE_MAX / 2;
	assert_int_equal(rg_disco_msg_encode(&m, buf, sizeof(buf), &len), RG_DISCO_ERR_INVALID);
	memset(&m, 0, sizeof(m));
	b_ping(&m);
	m.u.ping.padding = SIZE_MAX - 10;
	assert_int_equal(rg_disco_msg_encode(&m, buf, sizeof(buf), &len), RG_DISCO_ERR_INVALID);
	memset(&m, 0, sizeof(m));
	m.type = (enum rg_disco_type)0x42;
	assert_int_equal(rg_disco_msg_encode(&m, buf, sizeof(buf), &len), RG_DISCO_ERR_INVALID);
}

/* Go's parser takes 32 padding bytes as a (zero) node key: encoding a
 * keyless ping with 40 bytes of padding reads back as key + 8 padding. */
static void test_ping_padding_quirk(void **state)
{
	struct rg_disco_msg m, p;
	uint8_t buf[128];
	size_t len;

	(void)state;
	memset(&m, 0, sizeof(m));
	b_ping(&m);
	m.u.ping.padding = 40;
	assert_int_equal(rg_disco_msg_encode(&m, buf, sizeof(buf), &len), RG_DISCO_OK);
	assert_int_equal(len, 54);
	assert_int_equal(rg_disco_msg_parse(buf, len, &p), RG_DISCO_OK);
	assert_true(rg_disco_key_is_zero(&p.u.ping.node_key));
	assert_int_equal(p.u.ping.padding, 8);
}

static void test_addr_unmapping(void **state)
{
	struct rg_disco_msg m;
	uint8_t buf[64];
	struct rg_addrport a;
	char text[RG_ADDRPORT_TEXT_MAX];

	(void)state;
	/* Pong vectors: v4 arrives mapped and reads as plain IPv4. */
	assert_int_equal(want_bytes(&disco_vectors[4], buf, sizeof(buf)), 32);
	assert_int_equal(rg_disco_msg_parse(buf, 32, &m), RG_DISCO_OK);
	assert_true(rg_addrport_is4(&m.u.pong.src));
	rg_addrport_format(&m.u.pong.src, text, sizeof(text));
	assert_string_equal(text, "2.3.4.5:1234");
	assert_int_equal(want_bytes(&disco_vectors[5], buf, sizeof(buf)), 32);
	assert_int_equal(rg_disco_msg_parse(buf, 32, &m), RG_DISCO_OK);
	assert_false(rg_addrport_is4(&m.u.pong.src));
	rg_addrport_format(&m.u.pong.src, text, sizeof(text));
	assert_string_equal(text, "[fed0::12]:6666");
	assert_int_equal(rg_addrport_parse("[fed0::12]:6666", &a), 0);
	assert_true(rg_addrport_equal(&a, &m.u.pong.src));
	/* IPv6 text as Go's netip writes it (RFC 5952), never a dotted quad. */
	{
		static const char *const v6[][2] = {
			{ "[::102:304]:5", "[::102:304]:5" },   /* inet_ntop: ::1.2.3.4 */
			{ "[::1:2]:5", "[::1:2]:5" },           /* inet_ntop: ::0.1.0.2 */
			{ "[::1]:5", "[::1]:5" },
			{ "[::]:0", "[::]:0" },
			{ "[1:0:0:2:0:0:0:3]:5", "[1:0:0:2::3]:5" },
			{ "[1:0:0:2:0:0:3:4]:5", "[1::2:0:0:3:4]:5" },  /* first longest run */
			{ "[2001:db8:0:1:0:0:0:0]:5", "[2001:db8:0:1::]:5" },
			{ "[1:2:3:4:5:6:0:8]:5", "[1:2:3:4:5:6:0:8]:5" }, /* a lone zero stays */
			{ "[FE80:0:0:0:0ABC:0:0:1]:5", "[fe80::abc:0:0:1]:5" },
		};

		for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
			assert_int_equal(rg_addrport_parse(v6[i][0], &a), 0);
			rg_addrport_format(&a, text, sizeof(text));
			assert_string_equal(text, v6[i][1]);
		}
	}
	assert_int_equal(rg_addrport_parse("1.2.3.4:65536", &a), -1);
	assert_int_equal(rg_addrport_parse("1.2.3.4", &a), -1);
	assert_int_equal(rg_addrport_parse("[::1]", &a), -1);
	assert_int_equal(rg_addrport_parse("1.2.3.4:", &a), -1);
}

/* Socket addresses round-trip; IPv4 becomes a sockaddr_in, never mapped. */
static void test_sockaddr(void **state)
{
	static const char *const texts[] = { "1.2.3.4:5", "[fed0::12]:6666", "0.0.0.0:0",
					     "[::1]:65535" };
	struct sockaddr_storage ss;
	struct rg_addrport a, b;

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		socklen_t len;

		assert_int_equal(rg_addrport_parse(texts[i], &a), 0);
		len = rg_addrport_to_sockaddr(&a, &ss);
		assert_int_equal(ss.ss_family, rg_addrport_is4(&a) ? AF_INET : AF_INET6);
		assert_int_equal(len, rg_addrport_is4(&a) ? sizeof(struct sockaddr_in)
							  : sizeof(struct sockaddr_in6));
		assert_int_equal(rg_addrport_from_sockaddr(&ss, &b), 0);
		assert_true(rg_addrport_equal(&a, &b));
	}
	assert_int_equal(rg_addrport_to_sockaddr(&a, &ss), sizeof(struct sockaddr_in6));
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), 65535);
	ss.ss_family = AF_UNIX;
	assert_int_equal(rg_addrport_from_sockaddr(&ss, &b), -1);
	assert_true(rg_addrport_is_zero(&b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_lifetime_encodings),
		cmocka_unit_test(test_default_lifetimes_response),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_trailing_bytes),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_unknown_types),
		cmocka_unit_test(test_encode_refusals),
		cmocka_unit_test(test_ping_padding_quirk),
		cmocka_unit_test(test_addr_unmapping),
		cmocka_unit_test(test_sockaddr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

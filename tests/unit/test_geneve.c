/* Geneve header (relay-vectors.md §2), STUN test (§10.1), packetLooksLike (§3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hexutil.h"
#include "relaygate/disco.h"
#include "relaygate/geneve.h"

static void expect_encoding(uint8_t ver, bool control, uint16_t proto, uint32_t vni,
			    const char *hex)
{
	struct rg_geneve_header h = { .version = ver, .control = control, .protocol = proto,
				      .vni = vni }, d;
	uint8_t want[8], got[8];

	assert_int_equal(hex_decode(hex, want, sizeof(want)), 8);
	assert_int_equal(rg_geneve_encode(&h, got), 0);
	assert_memory_equal(got, want, 8);
	assert_int_equal(rg_geneve_decode(got, 8, &d), 0);
	assert_int_equal(d.version, ver);
	assert_int_equal(d.control, control);
	assert_int_equal(d.protocol, proto);
	assert_int_equal(d.vni, vni);
	assert_int_equal(d.opt_len, 0);
	assert_false(d.critical);
	assert_int_equal(d.reserved1, 0);
	assert_int_equal(d.reserved2, 0);
	assert_int_equal(rg_geneve_is_plain(&d), ver == 0);
}

static void test_vectors(void **state)
{
	(void)state;
	/* §2.1 TestGeneveHeader. */
	expect_encoding(3, true, RG_GENEVE_PROTO_DISCO, 0xFFFFFF, "c0 80 7a 11 ff ff ff 00");
	/* §2.3. */
	expect_encoding(0, true, RG_GENEVE_PROTO_DISCO, 1, "00 80 7a 11 00 00 01 00");
	expect_encoding(0, false, RG_GENEVE_PROTO_WIREGUARD, 1, "00 00 7a 12 00 00 01 00");
	expect_encoding(0, false, RG_GENEVE_PROTO_DISCO, 1, "00 00 7a 11 00 00 01 00");
	expect_encoding(0, false, RG_GENEVE_PROTO_WIREGUARD, 0xABCDEF, "00 00 7a 12 ab cd ef 00");
	expect_encoding(0, false, RG_GENEVE_PROTO_WIREGUARD, 0, "00 00 7a 12 00 00 00 00");
}

static void test_encode_refusals(void **state)
{
	struct rg_geneve_header h = { .protocol = RG_GENEVE_PROTO_DISCO };
	uint8_t out[8];

	(void)state;
	/* Go masks VNI.Set(MaxUint32) to 24 bits; an encoder here refuses instead
	 * of silently writing another endpoint's VNI. */
	h.vni = 0x1000000;
	assert_int_equal(rg_geneve_encode(&h, out), -1);
	h.vni = 0xFFFFFFFF;
	assert_int_equal(rg_geneve_encode(&h, out), -1);
	h.vni = 0xFFFFFF;
	h.version = 4;
	assert_int_equal(rg_geneve_encode(&h, out), -1);
	/* Fields Go does not encode stay zero whatever the struct says. */
	h.version = 0;
	h.opt_len = 5;
	h.critical = true;
	h.reserved1 = 0x3f;
	h.reserved2 = 0xff;
	assert_int_equal(rg_geneve_encode(&h, out), 0);
	assert_memory_equal(out, "\x00\x00\x7a\x11\xff\xff\xff\x00", 8);
}

static void test_decode(void **state)
{
	static const uint8_t all[8] = { 0xff, 0xff, 0x12, 0x34, 0xab, 0xcd, 0xef, 0x99 };
	struct rg_geneve_header h;

	(void)state;
	for (size_t n = 0; n < 8; n++) {
		uint8_t *p = test_malloc(n ? n : 1);

		memcpy(p, all, n);
		assert_int_equal(rg_geneve_decode(p, n, &h), -1);
		test_free(p);
	}
	assert_int_equal(rg_geneve_decode(all, 8, &h), 0);
	assert_int_equal(h.version, 3);
	assert_int_equal(h.opt_len, 0x3f);
	assert_true(h.control);
	assert_true(h.critical);
	assert_int_equal(h.reserved1, 0x3f);
	assert_int_equal(h.protocol, 0x1234);
	assert_int_equal(h.vni, 0xabcdef);
	assert_int_equal(h.reserved2, 0x99);
	assert_false(rg_geneve_is_plain(&h));
	/* Each non-plain field on its own. */
	{
		static const uint8_t bad[][8] = {
			{ 0x40, 0x00, 0x7a, 0x12, 0, 0, 1, 0 }, /* version 1 */
			{ 0x01, 0x00, 0x7a, 0x12, 0, 0, 1, 0 }, /* opt len 1 */
			{ 0x00, 0x40, 0x7a, 0x12, 0, 0, 1, 0 }, /* C bit */
			{ 0x00, 0x01, 0x7a, 0x12, 0, 0, 1, 0 }, /* reserved bit */
			{ 0x00, 0x00, 0x7a, 0x12, 0, 0, 1, 1 }, /* reserved byte */
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			assert_int_equal(rg_geneve_decode(bad[i], 8, &h), 0);
			assert_false(rg_geneve_is_plain(&h));
			assert_int_equal(h.vni, 1);
		}
	}
}

struct stun_case {
	const char *hex;
	bool want;
};

static void test_stun_is(void **state)
{
	static const struct stun_case cases[] = {
		{ "", false },
		{ "0000000000000000000000000000000000000000", false },
		{ "000000002112a4420000000000000000000000", false },
		{ "000000002112a442000000000000000000000000", true },
		{ "000000002112a442000000000000000000000000666f6f", true },
		{ "f00000002112a442000000000000000000000000", false },
		{ "400000002112a442000000000000000000000000", false },
		{ "200000002112a442000000000000000000000000", true },
	};
	uint8_t buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = hex_decode(cases[i].hex, buf, sizeof(buf));

		assert_int_not_equal(n, (size_t)-1);
		assert_int_equal(rg_stun_is(buf, n), cases[i].want);
		/* None of these has byte 1 == 0x01. */
		assert_false(rg_stun_is_binding(buf, n));
	}
	/* google-1 binding success response (§10.2). */
	assert_int_equal(hex_decode("0101000c2112a4422360b11e3ec68ffa93e08007002000080001c786695785"
				    "6f", buf, sizeof(buf)), 32);
	assert_true(rg_stun_is_binding(buf, 32));
	buf[1] = 0x11;
	assert_true(rg_stun_is(buf, 32));
	assert_false(rg_stun_is_binding(buf, 32));
}

/* The 38-byte "disco" blob of Test_packetLooksLike: magic + K{1:1,30:30,31:31}. */
static size_t disco_blob(uint8_t *out)
{
	static const uint8_t idx[] = { 1, 30, 31 };

	memcpy(out, RG_DISCO_MAGIC, 6);
	key_with(out + 6, idx, sizeof(idx));
	return 38;
}

static size_t geneve_blob(const char *hdr, uint8_t *out)
{
	assert_int_equal(hex_decode(hdr, out, 8), 8);
	return 8 + disco_blob(out + 8);
}

static void expect_looks(const uint8_t *p, size_t n, enum rg_looks_like want, bool want_geneve)
{
	bool geneve = !want_geneve;

	assert_int_equal(rg_packet_looks_like(p, n, &geneve), want);
	assert_int_equal(geneve, want_geneve);
}

static void test_packet_looks_like(void **state)
{
	uint8_t b[128];
	size_t n;

	(void)state;
	/* STUN-binding-success-response */
	n = hex_decode("0101000c2112a4422360b11e3ec68ffa93e08007002000080001c7866957856f", b,
		       sizeof(b));
	expect_looks(b, n, RG_LOOKS_LIKE_STUN_BINDING, false);
	/* naked-disco */
	n = disco_blob(b);
	expect_looks(b, n, RG_LOOKS_LIKE_DISCO, false);
	/* geneve-encap-disco */
	n = geneve_blob("00 80 7a 11 00 00 01 00", b);
	assert_int_equal(n, 46);
	expect_looks(b, n, RG_LOOKS_LIKE_DISCO, true);
	/* geneve-encap-too-short-disco: last 32 bytes removed */
	expect_looks(b, n - 32, RG_LOOKS_LIKE_WIREGUARD, false);
	/* nonzero version, reserved bits, VNI LSB */
	n = geneve_blob("40 80 7a 11 00 00 01 00", b);
	expect_looks(b, n, RG_LOOKS_LIKE_WIREGUARD, false);
	n = geneve_blob("00 bf 7a 11 00 00 01 00", b);
	expect_looks(b, n, RG_LOOKS_LIKE_WIREGUARD, false);
	n = geneve_blob("00 80 7a 11 00 00 01 ff", b);
	expect_looks(b, n, RG_LOOKS_LIKE_WIREGUARD, false);
	/* geneve-encap-wireguard (Control bit set in this vector) */
	memset(b, 0, sizeof(b));
	assert_int_equal(hex_decode("00 80 7a 12 00 00 01 00 01", b, 9), 9);
	expect_looks(b, 46, RG_LOOKS_LIKE_WIREGUARD, true);
	/* naked WireGuard, types 1..4 (little-endian u32), 46 bytes */
	for (uint8_t t = 1; t <= 4; t++) {
		memset(b, 0, sizeof(b));
		b[0] = t;
		expect_looks(b, 46, RG_LOOKS_LIKE_WIREGUARD, false);
	}
	/* Under 8 bytes: WireGuard (even with the magic's first bytes). */
	memcpy(b, RG_DISCO_MAGIC, 6);
	expect_looks(b, 6, RG_LOOKS_LIKE_WIREGUARD, false);
	/* Geneve with an unknown protocol: not encapsulated. */
	n = geneve_blob("00 00 12 34 00 00 01 00", b);
	expect_looks(b, n, RG_LOOKS_LIKE_WIREGUARD, false);
}

/* What the relay sends (a Challenge: Geneve control + disco) is seen by a
 * client as Geneve-encapsulated disco. */
static void test_relay_output_classifies(void **state)
{
	struct rg_geneve_header h = { .control = true, .protocol = RG_GENEVE_PROTO_DISCO,
				      .vni = 0x123456 };
	uint8_t b[160] = { 0 };

	(void)state;
	assert_int_equal(rg_geneve_encode(&h, b), 0);
	memcpy(b + 8, RG_DISCO_MAGIC, 6);
	expect_looks(b, sizeof(b), RG_LOOKS_LIKE_DISCO, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_encode_refusals),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_stun_is),
		cmocka_unit_test(test_packet_looks_like),
		cmocka_unit_test(test_relay_output_classifies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

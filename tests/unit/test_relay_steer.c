/* Shard steering: the BPF program the kernel runs agrees with the C
 * function the workers use, and the VNI ranges partition the space. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "relaygate/disco.h"
#include "relaygate/geneve.h"
#include "relaygate/relay_steer.h"

/* The subset of classic BPF the program uses, with the kernel's rules: a
 * load past the end ends the program with 0; division by zero too. */
static uint32_t run_bpf(const struct sock_filter *f, size_t n, const uint8_t *p, size_t len)
{
	uint32_t a = 0;

	for (size_t pc = 0; pc < n; pc++) {
		const struct sock_filter *i = &f[pc];

		switch (i->code) {
		case BPF_LD | BPF_W | BPF_LEN:
			a = (uint32_t)len;
			break;
		case BPF_LD | BPF_B | BPF_ABS:
			if (i->k >= len)
				return 0;
			a = p[i->k];
			break;
		case BPF_LD | BPF_W | BPF_ABS:
			if ((size_t)i->k + 4 > len)
				return 0;
			a = (uint32_t)p[i->k] << 24 | (uint32_t)p[i->k + 1] << 16 |
			    (uint32_t)p[i->k + 2] << 8 | p[i->k + 3];
			break;
		case BPF_ALU | BPF_RSH | BPF_K:
			a >>= i->k;
			break;
		case BPF_ALU | BPF_SUB | BPF_K:
			a -= i->k;
			break;
		case BPF_ALU | BPF_DIV | BPF_K:
			if (!i->k)
				return 0;
			a /= i->k;
			break;
		case BPF_ALU | BPF_MOD | BPF_K:
			if (!i->k)
				return 0;
			a %= i->k;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += a >= i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == i->k ? i->jt : i->jf;
			break;
		case BPF_RET | BPF_K:
			return i->k;
		case BPF_RET | BPF_A:
			return a;
		default:
			fail_msg("unexpected BPF opcode %#x", i->code);
		}
	}
	fail_msg("program fell off the end");
	return 0;
}

/* What the kernel does with the program's answer. */
static uint32_t kernel_pick(uint32_t r, uint32_t nshards)
{
	return r < nshards ? r : RG_RELAY_STEER_ANY;
}

static void check_agree(const struct rg_relay_steer *st, const struct sock_filter *prog,
			const uint8_t *p, size_t n)
{
	uint32_t c = rg_relay_steer_shard(st, p, n);
	uint32_t k = kernel_pick(run_bpf(prog, RG_RELAY_STEER_BPF_LEN, p, n), st->nshards);

	/* Disco datagrams of 8 or 9 bytes: the kernel says socket 0 (load past
	 * the end), C says anywhere; every shard drops them as short. */
	if (n >= 8 && n < 10 && p[0] == 0x54) {
		assert_int_equal(c, RG_RELAY_STEER_ANY);
		assert_int_equal(k, 0);
		return;
	}
	assert_int_equal(c, k);
}

static void test_ranges_partition(void **state)
{
	(void)state;
	for (uint32_t n = 1; n <= RG_RELAY_STEER_MAX; n++) {
		struct rg_relay_steer st;
		uint32_t prev_max = 0;

		assert_int_equal(rg_relay_steer_init(&st, n), 0);
		for (uint32_t i = 0; i < n; i++) {
			uint32_t lo, hi;
			uint8_t pkt[8] = { 0 };

			rg_relay_steer_vnis(&st, i, &lo, &hi);
			assert_int_equal(lo, prev_max + 1);
			assert_true(hi >= lo && hi <= RG_GENEVE_VNI_MAX);
			prev_max = hi;
			/* Both ends of the range land on shard i. */
			pkt[4] = (uint8_t)(lo >> 16), pkt[5] = (uint8_t)(lo >> 8), pkt[6] = (uint8_t)lo;
			assert_int_equal(rg_relay_steer_shard(&st, pkt, 8), i);
			pkt[4] = (uint8_t)(hi >> 16), pkt[5] = (uint8_t)(hi >> 8), pkt[6] = (uint8_t)hi;
			assert_int_equal(rg_relay_steer_shard(&st, pkt, 8), i);
		}
		/* At most n - 1 VNIs at the top are left unused. */
		assert_true(RG_GENEVE_VNI_MAX - prev_max < n);
	}
	{
		struct rg_relay_steer st;

		assert_int_equal(rg_relay_steer_init(&st, 0), -1);
		assert_int_equal(rg_relay_steer_init(&st, RG_RELAY_STEER_MAX + 1), -1);
	}
}

static void test_bpf_agrees(void **state)
{
	static const uint32_t counts[] = { 1, 2, 3, 4, 7, 16, 64 };
	uint8_t p[96];

	(void)state;
	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		struct rg_relay_steer st;
		struct sock_filter prog[RG_RELAY_STEER_BPF_LEN];

		assert_int_equal(rg_relay_steer_init(&st, counts[c]), 0);
		rg_relay_steer_bpf(&st, prog);
		for (int i = 0; i < 20000; i++) {
			size_t n = randombytes_uniform(sizeof(p) + 1);

			randombytes_buf(p, sizeof(p));
			if (i % 3 == 0)
				p[0] = 0x54; /* naked disco */
			else if (i % 3 == 1)
				p[0] = 0;    /* Geneve */
			check_agree(&st, prog, p, n);
		}
		/* Edge VNIs: 0, 1, the top. */
		memset(p, 0, sizeof(p));
		check_agree(&st, prog, p, 8);
		p[6] = 1;
		check_agree(&st, prog, p, 8);
		p[4] = p[5] = p[6] = 0xff;
		check_agree(&st, prog, p, 8);
	}
}

/* Naked disco from one sender key always lands on one shard. */
static void test_disco_by_sender(void **state)
{
	struct rg_relay_steer st;
	uint8_t p[RG_DISCO_HEADER_LEN + 16];
	uint32_t s;

	(void)state;
	assert_int_equal(rg_relay_steer_init(&st, 5), 0);
	memcpy(p, RG_DISCO_MAGIC, RG_DISCO_MAGIC_LEN);
	randombytes_buf(p + RG_DISCO_MAGIC_LEN, sizeof(p) - RG_DISCO_MAGIC_LEN);
	s = rg_relay_steer_shard(&st, p, sizeof(p));
	assert_true(s < 5);
	for (int i = 0; i < 100; i++) {
		randombytes_buf(p + RG_DISCO_HEADER_LEN - RG_DISCO_NONCE_LEN, RG_DISCO_NONCE_LEN + 16);
		assert_int_equal(rg_relay_steer_shard(&st, p, sizeof(p)), s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ranges_partition),
		cmocka_unit_test(test_bpf_agrees),
		cmocka_unit_test(test_disco_by_sender),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

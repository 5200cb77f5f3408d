/* Shard selection for a relay split over several server objects. */
#include <string.h>

#include "relaygate/disco.h"
#include "relaygate/geneve.h"
#include "relaygate/relay_steer.h"
#include "relay/wire.h"

/* Byte 0 of the disco magic; as a Geneve header it would be version 1. */
#define DISCO_BYTE0 0x54
/* Requesters are placed after 4 bytes of their key (the sender key starts
 * after the magic); keys are uniformly random. */
#define KEY_OFF RG_DISCO_MAGIC_LEN

int rg_relay_steer_init(struct rg_relay_steer *st, uint32_t nshards)
{
	if (nshards < 1 || nshards > RG_RELAY_STEER_MAX)
		return -1;
	st->nshards = nshards;
	st->range = RG_GENEVE_VNI_MAX / nshards;
	return 0;
}

void rg_relay_steer_vnis(const struct rg_relay_steer *st, uint32_t i, uint32_t *min,
			 uint32_t *max)
{
	*min = 1 + i * st->range;
	*max = (i + 1) * st->range;
}

uint32_t rg_relay_steer_shard(const struct rg_relay_steer *st, const uint8_t *p, size_t n)
{
	uint32_t vni, s;

	if (n < RG_GENEVE_HEADER_LEN)
		return RG_RELAY_STEER_ANY;
	if (p[0] == DISCO_BYTE0) {
		if (n < KEY_OFF + 4)
			return RG_RELAY_STEER_ANY;
		return rg_get32(p + KEY_OFF) % st->nshards;
	}
	vni = rg_get32(p + 4) >> 8;
	s = (vni - 1) / st->range; /* VNI 0 wraps to a huge quotient */
	return s < st->nshards ? s : RG_RELAY_STEER_ANY;
}

void rg_relay_steer_bpf(const struct rg_relay_steer *st,
			struct sock_filter out[RG_RELAY_STEER_BPF_LEN])
{
	/* The kernel runs the program with the UDP payload at offset 0; a
	 * return value past the last socket falls back to its hash. */
	const struct sock_filter prog[RG_RELAY_STEER_BPF_LEN] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, RG_GENEVE_HEADER_LEN, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, RG_RELAY_STEER_ANY),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, DISCO_BYTE0, 5, 0),
		/* Geneve: (VNI - 1) / range; out of range means the hash. */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
		BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 8),
		BPF_STMT(BPF_ALU | BPF_SUB | BPF_K, 1),
		BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, st->range),
		BPF_STMT(BPF_RET | BPF_A, 0),
		/* Naked disco: sender key bytes 0..3 modulo the shard count (a
		 * datagram too short for the load makes the program return 0). */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, KEY_OFF),
		BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, st->nshards),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};

	memcpy(out, prog, sizeof(prog));
}

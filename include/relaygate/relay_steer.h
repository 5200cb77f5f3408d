/*
 * Sharding one relay over several single-threaded server objects, with the
 * kernel steering each datagram to the socket of the shard that owns it.
 *
 * Shard i owns a contiguous VNI range, so every Geneve packet of an
 * endpoint (both legs, control and data) reaches the one thread that holds
 * the endpoint; and it owns the requesters whose disco key hashes to it, so
 * a requester's quota counters and replay memory live in one place and its
 * allocations land in that shard's VNI range. No lock and no shared state
 * on the packet path.
 *
 * rg_relay_steer_bpf() emits a classic BPF program for
 * SO_ATTACH_REUSEPORT_CBPF that returns the same shard as
 * rg_relay_steer_shard(): the index of the socket in its SO_REUSEPORT group
 * (sockets are numbered in bind order). Datagrams either function cannot
 * place (too short, VNI 0, beyond the last range) are dropped by whichever
 * shard gets them, identically.
 */
#ifndef RELAYGATE_RELAY_STEER_H
#define RELAYGATE_RELAY_STEER_H

#include <stddef.h>
#include <stdint.h>

#include <linux/filter.h>

#define RG_RELAY_STEER_MAX 64
/* "No particular shard": the kernel's hash picks the socket. */
#define RG_RELAY_STEER_ANY UINT32_MAX
/* Instructions in the BPF program. */
#define RG_RELAY_STEER_BPF_LEN 13

struct rg_relay_steer {
	uint32_t nshards; /* 1..RG_RELAY_STEER_MAX */
	uint32_t range;   /* VNIs per shard */
};

/* -1 if nshards is out of range. */
int rg_relay_steer_init(struct rg_relay_steer *st, uint32_t nshards);
/* The VNI range [*min, *max] of shard i (< nshards). */
void rg_relay_steer_vnis(const struct rg_relay_steer *st, uint32_t i, uint32_t *min,
			 uint32_t *max);
/* The shard that owns datagram p[0..n), or RG_RELAY_STEER_ANY. */
uint32_t rg_relay_steer_shard(const struct rg_relay_steer *st, const uint8_t *p, size_t n);
/* Writes the program (RG_RELAY_STEER_BPF_LEN instructions) into out. */
void rg_relay_steer_bpf(const struct rg_relay_steer *st,
			struct sock_filter out[RG_RELAY_STEER_BPF_LEN]);

#endif

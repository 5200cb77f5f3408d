/*
 * A worker's inbox: datagrams another worker received for a VNI or a
 * requester this worker owns. The kernel's steering makes this rare (a GRO
 * super-packet mixing VNIs from one sender, datagrams that arrived before
 * the steering program was attached), so it is a bounded lock-free
 * multi-producer, single-consumer ring (Vyukov's bounded queue) with
 * preallocated slots: full means dropped and counted.
 */
#ifndef RGD_INBOX_H
#define RGD_INBOX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relaygate/addrport.h"

#define RGD_INBOX_SLOTS 256
#define RGD_INBOX_DATA 2048 /* larger datagrams are not handed over */

struct rgd_inbox_item {
	struct rg_addrport src;
	struct rg_addrport local;  /* valid if has_local */
	bool has_local;
	uint16_t len;
	uint8_t data[RGD_INBOX_DATA];
};

struct rgd_inbox_slot {
	_Atomic size_t seq;
	struct rgd_inbox_item item;
};

struct rgd_inbox {
	struct rgd_inbox_slot *slots;
	_Alignas(64) _Atomic size_t head; /* producers */
	_Alignas(64) size_t tail;         /* the consumer */
	int evfd;                         /* woken after a push; owned by the worker */
};

int rgd_inbox_init(struct rgd_inbox *q, int evfd);
void rgd_inbox_free(struct rgd_inbox *q);
/* false when full or the datagram is too large. */
bool rgd_inbox_push(struct rgd_inbox *q, const struct rg_addrport *src,
		    const struct rg_addrport *local, const uint8_t *p, size_t n);
/* The oldest item or NULL; release it with rgd_inbox_release. */
const struct rgd_inbox_item *rgd_inbox_peek(struct rgd_inbox *q);
void rgd_inbox_release(struct rgd_inbox *q);

#endif

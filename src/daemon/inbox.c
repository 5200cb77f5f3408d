/* Bounded MPSC ring (after Dmitry Vyukov's bounded MPMC queue). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/inbox.h"

#define MASK (RGD_INBOX_SLOTS - 1)
/* Producers retry a lost race at most this often before giving up. */
#define PUSH_TRIES 64

int rgd_inbox_init(struct rgd_inbox *q, int evfd)
{
	memset(q, 0, sizeof(*q));
	q->evfd = evfd;
	q->slots = calloc(RGD_INBOX_SLOTS, sizeof(*q->slots));
	if (!q->slots)
		return -1;
	for (size_t i = 0; i < RGD_INBOX_SLOTS; i++)
		atomic_init(&q->slots[i].seq, i);
	atomic_init(&q->head, 0);
	return 0;
}

void rgd_inbox_free(struct rgd_inbox *q)
{
	free(q->slots);
	q->slots = NULL;
}

bool rgd_inbox_push(struct rgd_inbox *q, const struct rg_addrport *src,
		    const struct rg_addrport *local, const uint8_t *p, size_t n)
{
	size_t pos = atomic_load_explicit(&q->head, memory_order_relaxed);
	struct rgd_inbox_slot *s = NULL;
	uint64_t one = 1;

	if (n > RGD_INBOX_DATA)
		return false;
	for (int tries = 0; tries < PUSH_TRIES; tries++) {
		size_t seq;
		intptr_t diff;

		s = &q->slots[pos & MASK];
		seq = atomic_load_explicit(&s->seq, memory_order_acquire);
		diff = (intptr_t)seq - (intptr_t)pos;
		if (diff < 0)
			return false; /* full */
		if (diff == 0 &&
		    atomic_compare_exchange_weak_explicit(&q->head, &pos, pos + 1,
							  memory_order_relaxed,
							  memory_order_relaxed))
			break;
		if (diff > 0)
			pos = atomic_load_explicit(&q->head, memory_order_relaxed);
		s = NULL;
	}
	if (!s)
		return false;
	s->item.src = *src;
	s->item.has_local = local != NULL;
	if (local)
		s->item.local = *local;
	s->item.len = (uint16_t)n;
	memcpy(s->item.data, p, n);
	atomic_store_explicit(&s->seq, pos + 1, memory_order_release);
	/* The consumer may be asleep in epoll_wait. */
	if (write(q->evfd, &one, sizeof(one)) < 0) {
		/* The counter only saturates; the consumer drains anyway. */
	}
	return true;
}

const struct rgd_inbox_item *rgd_inbox_peek(struct rgd_inbox *q)
{
	struct rgd_inbox_slot *s = &q->slots[q->tail & MASK];

	if (atomic_load_explicit(&s->seq, memory_order_acquire) != q->tail + 1)
		return NULL;
	return &s->item;
}

void rgd_inbox_release(struct rgd_inbox *q)
{
	struct rgd_inbox_slot *s = &q->slots[q->tail & MASK];

	atomic_store_explicit(&s->seq, q->tail + RGD_INBOX_SLOTS, memory_order_release);
	q->tail++;
}

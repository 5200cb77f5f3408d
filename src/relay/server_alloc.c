/* Endpoint allocation: pair checks, VNI selection, quotas, idempotency (also
 * across the servers sharing a pair directory). */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "relay/server_internal.h"
#include "util/map.h"

enum rg_relay_drop rg_relay_check_pair(const struct rg_relay_server *s,
				       const struct rg_disco_key *requester,
				       const struct rg_disco_key *a, const struct rg_disco_key *b)
{
	if (!rg_disco_key_equal(requester, a) && !rg_disco_key_equal(requester, b))
		return RG_RELAY_DROP_NOT_PARTICIPANT;
	if (rg_disco_key_equal(a, b))
		return RG_RELAY_DROP_SAME_PAIR;
	if (rg_relay_is_own_key(s, a) || rg_relay_is_own_key(s, b))
		return RG_RELAY_DROP_RELAY_KEY;
	/* The peer key is chosen freely by the requester (tailscale#21273). */
	if (rg_disco_key_is_weak(a) || rg_disco_key_is_weak(b))
		return RG_RELAY_DROP_WEAK_KEY;
	return RG_RELAY_DROP_NONE;
}

static uint32_t pair_hash(const struct rg_disco_key c[2])
{
	uint8_t both[2 * RG_DISCO_KEY_LEN];

	memcpy(both, c[0].b, RG_DISCO_KEY_LEN);
	memcpy(both + RG_DISCO_KEY_LEN, c[1].b, RG_DISCO_KEY_LEN);
	return (uint32_t)rg_hash_bytes(both, sizeof(both));
}

static struct rg_relay_ep *find_pair(const struct rg_relay_server *s,
				     const struct rg_disco_key c[2], uint32_t h)
{
	uint32_t pos, e;

	for (e = rg_relay_index_first(&s->by_pair, h, &pos); e;
	     e = rg_relay_index_next(&s->by_pair, h, &pos)) {
		struct rg_relay_ep *ep = rg_relay_pool_get(&s->eps, e);

		if (ep && rg_disco_key_equal(&ep->client[0], &c[0]) &&
		    rg_disco_key_equal(&ep->client[1], &c[1]))
			return ep;
	}
	return NULL;
}

/*
 * RFC 6056 "traditional BSD" selection like Tailscale: sequential from
 * next_vni, wrapping, skipping VNIs in use; 0 when every VNI is in use. At
 * most max_endpoints are in use, so the loop ends after that many skips.
 */
static uint32_t next_vni(struct rg_relay_server *s)
{
	uint64_t range = (uint64_t)s->cfg.vni_max - s->cfg.vni_min + 1;

	for (uint64_t i = 0; i < range; i++) {
		uint32_t c = s->next_vni;

		s->next_vni = c >= s->cfg.vni_max ? s->cfg.vni_min : c + 1;
		if (!rg_relay_ep_by_vni(s, c))
			return c;
	}
	return 0;
}

static enum rg_relay_drop check_quotas(const struct rg_relay_server *s,
				       const struct rg_relay_sender *rec)
{
	if (!rec || rg_relay_pool_count(&s->eps) >= s->cfg.max_endpoints)
		return RG_RELAY_DROP_QUOTA_GLOBAL;
	if (rec->n_endpoints >= s->cfg.max_per_requester)
		return RG_RELAY_DROP_QUOTA_REQUESTER;
	if (rec->n_connecting >= s->cfg.max_connecting_per_requester)
		return RG_RELAY_DROP_QUOTA_CONNECTING;
	return RG_RELAY_DROP_NONE;
}

/*
 * Creates the endpoint's bookkeeping: VNI, slot, indexes, LamportID and,
 * with a pair directory, its entry (the caller holds the directory's lock).
 * The box keys are computed afterwards by endpoint_keys(), outside the
 * lock.
 */
static enum rg_relay_drop new_endpoint(struct rg_relay_server *s, struct rg_relay_sender *rec,
				       const struct rg_disco_key c[2], uint32_t h, int64_t now,
				       struct rg_relay_ep **out)
{
	struct rg_relay_ep *ep;
	uint32_t vni = next_vni(s);

	if (!vni)
		return RG_RELAY_DROP_VNI_EXHAUSTED;
	ep = calloc(1, sizeof(*ep));
	if (!ep)
		return RG_RELAY_DROP_NO_MEMORY;
	ep->client[0] = c[0];
	ep->client[1] = c[1];
	ep->vni = vni;
	ep->pair_hash = h;
	ep->allocated_at = now;
	ep->state = RG_RELAY_EP_CONNECTING;
	ep->requester = rec->slot;
	/* The quota check left room in the pool and both indexes (and the
	 * directory is sized for every server's pool): no failure is expected
	 * below, but undo cleanly if there is one. */
	ep->slot = rg_relay_pool_put(&s->eps, ep);
	if (!ep->slot || rg_relay_index_add(&s->by_vni, rg_relay_vni_hash(s, vni), ep->slot) < 0)
		goto fail;
	if (rg_relay_index_add(&s->by_pair, h, ep->slot) < 0)
		goto fail_vni;
	ep->lamport = s->cfg.lamport_clock ? atomic_fetch_add(s->cfg.lamport_clock, 1) + 1
					   : ++s->lamport;
	if (s->cfg.pairdir) {
		struct rg_relay_pairdir_entry x = { .client = { c[0], c[1] }, .owner = s,
						    .vni = vni, .lamport = ep->lamport };

		if (rg_relay_pairdir_add(s->cfg.pairdir, &x) < 0) {
			rg_relay_index_del(&s->by_pair, h, ep->slot);
			goto fail_vni;
		}
	}
	rec->n_endpoints++;
	rec->n_connecting++;
	s->counters.endpoints[RG_RELAY_EP_CONNECTING]++;
	*out = ep;
	return RG_RELAY_DROP_NONE;
fail_vni:
	rg_relay_index_del(&s->by_vni, rg_relay_vni_hash(s, vni), ep->slot);
fail:
	rg_relay_pool_del(&s->eps, ep->slot);
	sodium_memzero(ep, sizeof(*ep));
	free(ep);
	return RG_RELAY_DROP_QUOTA_GLOBAL;
}

/* The two X25519 agreements of a new endpoint; closes it if one fails. */
static enum rg_relay_drop endpoint_keys(struct rg_relay_server *s, struct rg_relay_ep *ep)
{
	s->counters.key_agreements += 2;
	if (rg_disco_shared_compute(&s->disco_priv, &ep->client[0], &ep->shared[0]) < 0 ||
	    rg_disco_shared_compute(&s->disco_priv, &ep->client[1], &ep->shared[1]) < 0) {
		rg_relay_ep_close(s, ep);
		return RG_RELAY_DROP_KEY_AGREEMENT;
	}
	return RG_RELAY_DROP_NONE;
}

/*
 * The pair directory (relay_pairdir.h), when servers shard one relay.
 *
 * Invariant: a server holds an endpoint for a pair if and only if the
 * directory's entry for that pair names this server and that endpoint's
 * VNI. Hence at most one endpoint per pair among the servers. It holds
 * because:
 *  - an entry is added only by the server creating the endpoint, in the
 *    same critical section in which it found the pair absent: of two
 *    servers allocating one pair at once, the second to take the lock finds
 *    the first one's entry and answers with it;
 *  - an entry is removed only by its owner, under the lock, when it closes
 *    the endpoint (rg_relay_ep_close), before the endpoint disappears;
 *  - a server asks the directory before creating an endpoint. It finds its
 *    own endpoints without the lock (find_pair): only its own thread adds or
 *    removes them and their entries.
 * Under the lock: the lookup, the quota checks and the bookkeeping of a new
 * endpoint. Its two X25519 agreements come after the unlock; meanwhile
 * another server may already answer with the endpoint, but no packet can
 * use it yet: its VNI's datagrams are handled by this server's thread,
 * which is busy here.
 * An entry may name an endpoint its owner is about to close (expired but
 * not yet reclaimed, or closed just after another server read the entry):
 * the client's Bind then fails and it allocates again, as with Tailscale.
 * Answering with another server's endpoint charges no quota (nothing is
 * created); the requester's replay memory stays where its request landed.
 * The forwarding path never takes the lock.
 */
static bool remote_endpoint(struct rg_relay_server *s, const struct rg_disco_key c[2],
			    struct rg_relay_endpoint_info *out)
{
	const struct rg_relay_pairdir_entry *x = rg_relay_pairdir_find(s->cfg.pairdir, c);

	if (!x)
		return false;
	if (x->owner == s) {
		/* Impossible by the invariant (find_pair found nothing): drop
		 * the stale entry rather than advertise a missing endpoint. */
		rg_relay_pairdir_del(s->cfg.pairdir, c, s, x->vni);
		return false;
	}
	rg_relay_info_fill(s, c, x->vni, x->lamport, out);
	s->counters.allocations_reused++;
	s->counters.allocations_remote++;
	return true;
}

enum rg_relay_drop rg_relay_alloc_core(struct rg_relay_server *s,
				       const struct rg_disco_key *requester,
				       const struct rg_disco_key *a, const struct rg_disco_key *b,
				       int64_t now, struct rg_relay_endpoint_info *out)
{
	struct rg_disco_key c[2];
	struct rg_relay_ep *ep;
	struct rg_relay_sender *rec;
	struct rg_relay_pairdir *dir = s->cfg.pairdir;
	enum rg_relay_drop r;
	uint32_t h;

	/* Clients cannot parse an endpoint without an address (Go ErrServerNotReady). */
	if (s->n_addrs == 0)
		return RG_RELAY_DROP_NOT_READY;
	c[0] = *a;
	c[1] = *b;
	if (rg_disco_key_compare(a, b) > 0) {
		c[0] = *b;
		c[1] = *a;
	}
	h = pair_hash(c);
	ep = find_pair(s, c, h);
	if (ep && rg_relay_ep_expired(s, ep, now)) {
		rg_relay_ep_close(s, ep);
		s->counters.expired++;
		ep = NULL;
	}
	if (ep) {
		/* Idempotent: same VNI, LamportID and timers; current addresses. */
		rg_relay_ep_info(s, ep, out);
		s->counters.allocations_reused++;
		return RG_RELAY_DROP_NONE;
	}
	rec = rg_relay_sender_get(s, requester, now);
	if (dir) {
		rg_relay_pairdir_lock(dir);
		if (remote_endpoint(s, c, out)) {
			rg_relay_pairdir_unlock(dir);
			return RG_RELAY_DROP_NONE;
		}
	}
	r = check_quotas(s, rec);
	if (r == RG_RELAY_DROP_NONE)
		r = new_endpoint(s, rec, c, h, now, &ep);
	if (dir)
		rg_relay_pairdir_unlock(dir);
	if (r == RG_RELAY_DROP_NONE)
		r = endpoint_keys(s, ep);
	if (r != RG_RELAY_DROP_NONE)
		return r;
	s->counters.allocations++;
	rg_relay_ep_info(s, ep, out);
	out->created = true;
	return RG_RELAY_DROP_NONE;
}

enum rg_relay_drop rg_relay_server_allocate(struct rg_relay_server *s,
					    const struct rg_disco_key *requester,
					    const struct rg_disco_key *a, const struct rg_disco_key *b,
					    bool allowed, int64_t now,
					    struct rg_relay_endpoint_info *out)
{
	enum rg_relay_drop r = rg_relay_check_pair(s, requester, a, b);

	if (r == RG_RELAY_DROP_NONE && !allowed)
		r = RG_RELAY_DROP_NOT_ALLOWED;
	if (r == RG_RELAY_DROP_NONE)
		r = rg_relay_alloc_core(s, requester, a, b, now, out);
	if (r != RG_RELAY_DROP_NONE)
		s->counters.dropped[r]++;
	return r;
}

int rg_relay_encode_alloc_response(const struct rg_relay_endpoint_info *info,
				   uint32_t generation, uint8_t *out, size_t cap, size_t *len)
{
	struct rg_disco_msg m;
	struct rg_disco_relay_ep *ep = &m.u.alloc_resp.ep;

	memset(&m, 0, sizeof(m));
	m.type = RG_DISCO_ALLOC_RESPONSE;
	m.u.alloc_resp.generation = generation;
	ep->server = info->server_disco;
	ep->client[0] = info->client[0];
	ep->client[1] = info->client[1];
	ep->lamport_id = info->lamport_id;
	ep->vni = info->vni;
	ep->bind_lifetime_ns = info->bind_lifetime_ns;
	ep->steady_lifetime_ns = info->steady_lifetime_ns;
	ep->addrs.n = info->n_addrs;
	ep->addrs.list = info->addrs;
	return rg_disco_msg_encode(&m, out, cap, len);
}

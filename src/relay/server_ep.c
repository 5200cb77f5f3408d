/* Relay endpoints: lookup, lifetimes, state, closing, reclamation. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "relay/server_internal.h"

struct rg_relay_ep *rg_relay_ep_by_vni(const struct rg_relay_server *s, uint32_t vni)
{
	uint32_t h = rg_relay_vni_hash(s, vni), pos, e;

	for (e = rg_relay_index_first(&s->by_vni, h, &pos); e;
	     e = rg_relay_index_next(&s->by_vni, h, &pos)) {
		struct rg_relay_ep *ep = rg_relay_pool_get(&s->eps, e);

		if (ep && ep->vni == vni)
			return ep;
	}
	return NULL;
}

bool rg_relay_ep_expired(const struct rg_relay_server *s, const struct rg_relay_ep *ep,
			 int64_t now)
{
	/* Tailscale: unbound endpoints live bindLifetime from allocation (never
	 * extended); bound ones close when either leg is idle too long. */
	if (ep->state != RG_RELAY_EP_OPEN)
		return rg_relay_older_than(now, ep->allocated_at, s->cfg.bind_lifetime_ns);
	return rg_relay_older_than(now, ep->leg[0].last_seen, s->cfg.steady_lifetime_ns) ||
	       rg_relay_older_than(now, ep->leg[1].last_seen, s->cfg.steady_lifetime_ns);
}

void rg_relay_ep_set_state(struct rg_relay_server *s, struct rg_relay_ep *ep,
			   enum rg_relay_ep_state st)
{
	struct rg_relay_sender *req = rg_relay_pool_get(&s->senders, ep->requester);

	if (ep->state == st)
		return;
	s->counters.endpoints[ep->state]--;
	s->counters.endpoints[st]++;
	if (req && ep->state == RG_RELAY_EP_CONNECTING)
		req->n_connecting--;
	else if (req && st == RG_RELAY_EP_CONNECTING)
		req->n_connecting++;
	ep->state = st;
}

void rg_relay_ep_close(struct rg_relay_server *s, struct rg_relay_ep *ep)
{
	struct rg_relay_sender *req = rg_relay_pool_get(&s->senders, ep->requester);

	/* Whatever closes it (lifetimes, revalidation, free, a failed key
	 * agreement), the endpoint leaves the directory first, so that the next
	 * request for the pair, on any server, creates a new one. */
	if (s->cfg.pairdir) {
		rg_relay_pairdir_lock(s->cfg.pairdir);
		rg_relay_pairdir_del(s->cfg.pairdir, ep->client, s, ep->vni);
		rg_relay_pairdir_unlock(s->cfg.pairdir);
	}
	rg_relay_index_del(&s->by_vni, rg_relay_vni_hash(s, ep->vni), ep->slot);
	rg_relay_index_del(&s->by_pair, ep->pair_hash, ep->slot);
	rg_relay_pool_del(&s->eps, ep->slot);
	s->counters.endpoints[ep->state]--;
	if (req) {
		req->n_endpoints--;
		if (ep->state == RG_RELAY_EP_CONNECTING)
			req->n_connecting--;
	}
	sodium_memzero(ep, sizeof(*ep));
	free(ep);
}

bool rg_relay_is_own_key(const struct rg_relay_server *s, const struct rg_disco_key *k)
{
	bool own = rg_disco_key_equal(k, &s->disco_pub);

	for (size_t i = 0; i < s->n_longterm; i++)
		own |= rg_disco_key_equal(k, &s->longterm_pub[i]);
	return own;
}

bool rg_relay_is_own_addr(const struct rg_relay_server *s, const struct rg_addrport *a)
{
	for (size_t i = 0; i < s->n_addrs; i++)
		if (rg_addrport_equal(a, &s->addrs[i]))
			return true;
	return false;
}

void rg_relay_ep_info(const struct rg_relay_server *s, const struct rg_relay_ep *ep,
		      struct rg_relay_endpoint_info *out)
{
	rg_relay_info_fill(s, ep->client, ep->vni, ep->lamport, out);
}

void rg_relay_info_fill(const struct rg_relay_server *s, const struct rg_disco_key client[2],
			uint32_t vni, uint64_t lamport, struct rg_relay_endpoint_info *out)
{
	memset(out, 0, sizeof(*out));
	out->server_disco = s->disco_pub;
	out->client[0] = client[0];
	out->client[1] = client[1];
	out->lamport_id = lamport;
	out->vni = vni;
	out->bind_lifetime_ns = s->cfg.bind_lifetime_ns;
	out->steady_lifetime_ns = s->cfg.steady_lifetime_ns;
	/* The current candidates, like Tailscale (they may change over time). */
	out->n_addrs = s->n_addrs;
	if (s->n_addrs)
		memcpy(out->addrs, s->addrs, s->n_addrs * sizeof(s->addrs[0]));
}

size_t rg_relay_server_reclaim(struct rg_relay_server *s, int64_t now)
{
	size_t n = 0;

	for (uint32_t i = 1; i <= s->eps.cap; i++) {
		struct rg_relay_ep *ep = rg_relay_pool_get(&s->eps, i);

		if (ep && rg_relay_ep_expired(s, ep, now)) {
			rg_relay_ep_close(s, ep);
			s->counters.expired++;
			n++;
		}
	}
	return n;
}

size_t rg_relay_server_revalidate(struct rg_relay_server *s)
{
	size_t n = 0;

	for (uint32_t i = 1; i <= s->eps.cap; i++) {
		struct rg_relay_ep *ep = rg_relay_pool_get(&s->eps, i);
		const struct rg_relay_sender *req;
		const struct rg_disco_key *peer;

		if (!ep)
			continue;
		req = rg_relay_pool_get(&s->senders, ep->requester);
		peer = req && rg_disco_key_equal(&req->key, &ep->client[0]) ? &ep->client[1]
									    : &ep->client[0];
		if (req && s->auth.allowed && s->auth.allowed(s->auth.ctx, &req->key, peer))
			continue;
		rg_relay_ep_close(s, ep);
		s->counters.revoked++;
		n++;
	}
	return n;
}

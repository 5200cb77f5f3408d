/* Relay server: construction, configuration and status. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "relay/server_internal.h"
#include "util/err.h"

void rg_relay_config_init(struct rg_relay_config *c)
{
	memset(c, 0, sizeof(*c));
	c->bind_lifetime_ns = RG_RELAY_DEFAULT_BIND_LIFETIME;
	c->steady_lifetime_ns = RG_RELAY_DEFAULT_STEADY_LIFETIME;
	c->mac_rotation_ns = RG_RELAY_DEFAULT_MAC_ROTATION;
	c->vni_min = 1;
	c->vni_max = RG_GENEVE_VNI_MAX;
	c->max_endpoints = 16384;
	c->max_per_requester = 1024;
	c->max_connecting_per_requester = 64;
	c->max_idle_senders = 4096;
	c->key_cache_size = 1024;
}

void rg_relay_config_wipe(struct rg_relay_config *c)
{
	sodium_memzero(c->longterm, sizeof(c->longterm));
	sodium_memzero(&c->server_disco, sizeof(c->server_disco));
}

#define MAX_LIFETIME (366LL * 86400 * RG_RELAY_SECOND)

static int check_config(const struct rg_relay_config *c, struct rg_err *err)
{
	if (c->n_longterm < 1 || c->n_longterm > RG_RELAY_MAX_LONGTERM)
		return rg_err_set(err, "relay: need 1 to %d long-term disco keys, got %zu",
				  RG_RELAY_MAX_LONGTERM, c->n_longterm);
	if (c->bind_lifetime_ns <= 0 || c->steady_lifetime_ns <= 0 || c->mac_rotation_ns <= 0 ||
	    c->bind_lifetime_ns > MAX_LIFETIME || c->steady_lifetime_ns > MAX_LIFETIME ||
	    c->mac_rotation_ns > MAX_LIFETIME)
		return rg_err_set(err, "relay: lifetimes must lie within 1 ns..1 year");
	if (c->vni_min < 1 || c->vni_max > RG_GENEVE_VNI_MAX || c->vni_min > c->vni_max)
		return rg_err_set(err, "relay: VNI range must lie within 1..%u", RG_GENEVE_VNI_MAX);
	if (c->max_endpoints < 1 || c->max_endpoints > (1u << 24) || c->max_per_requester < 1 ||
	    c->max_connecting_per_requester < 1 || c->max_idle_senders > (1u << 24))
		return rg_err_set(err, "relay: endpoint quotas must lie within 1..%u", 1u << 24);
	/* Servers answer with each other's endpoints: one ServerDisco for all. */
	if (c->pairdir && !c->fixed_server_disco)
		return rg_err_set(err, "relay: a shared pair directory needs a fixed server disco key");
	return 0;
}

static int setup_keys(struct rg_relay_server *s, const struct rg_relay_config *c,
		      struct rg_err *err)
{
	if (c->fixed_server_disco)
		s->disco_priv = c->server_disco;
	else if (rg_disco_private_generate(&s->disco_priv) < 0)
		return rg_err_set(err, "relay: cannot initialise libsodium");
	if (rg_disco_private_public(&s->disco_priv, &s->disco_pub) < 0 ||
	    rg_disco_key_is_weak(&s->disco_pub))
		return rg_err_set(err, "relay: unusable server disco key");
	s->n_longterm = c->n_longterm;
	for (size_t i = 0; i < c->n_longterm; i++) {
		s->cache[i] = rg_disco_cache_new(&c->longterm[i], c->key_cache_size);
		if (!s->cache[i])
			return rg_err_set(err, "relay: cannot set up long-term key %zu", i);
		s->longterm_pub[i] = *rg_disco_cache_public(s->cache[i]);
		if (rg_disco_key_is_weak(&s->longterm_pub[i]) ||
		    rg_disco_key_equal(&s->longterm_pub[i], &s->disco_pub))
			return rg_err_set(err, "relay: unusable long-term key %zu", i);
	}
	return 0;
}

struct rg_relay_server *rg_relay_server_new(const struct rg_relay_config *c, struct rg_err *err)
{
	struct rg_relay_server *s;
	uint32_t nsend;

	if (sodium_init() < 0) {
		rg_err_set(err, "relay: cannot initialise libsodium");
		return NULL;
	}
	if (check_config(c, err) < 0)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		rg_err_set(err, "relay: out of memory");
		return NULL;
	}
	s->cfg = *c;
	rg_relay_config_wipe(&s->cfg);
	s->auth = c->auth;
	s->next_vni = c->vni_min;
	s->vni_seed = randombytes_random();
	nsend = c->max_endpoints + c->max_idle_senders;
	if (setup_keys(s, c, err) < 0)
		goto fail;
	if (rg_relay_pool_init(&s->eps, c->max_endpoints) < 0 ||
	    rg_relay_index_init(&s->by_vni, c->max_endpoints) < 0 ||
	    rg_relay_index_init(&s->by_pair, c->max_endpoints) < 0 ||
	    rg_relay_pool_init(&s->senders, nsend) < 0 ||
	    rg_relay_index_init(&s->by_sender, nsend) < 0) {
		rg_err_set(err, "relay: out of memory");
		goto fail;
	}
	return s;
fail:
	rg_relay_server_free(s);
	return NULL;
}

void rg_relay_server_free(struct rg_relay_server *s)
{
	if (!s)
		return;
	for (uint32_t i = 1; i <= s->eps.cap; i++) {
		struct rg_relay_ep *ep = rg_relay_pool_get(&s->eps, i);

		if (ep)
			rg_relay_ep_close(s, ep); /* also leaves the pair directory */
	}
	for (uint32_t i = 1; i <= s->senders.cap; i++)
		free(rg_relay_pool_get(&s->senders, i));
	rg_relay_pool_free(&s->eps);
	rg_relay_pool_free(&s->senders);
	rg_relay_index_free(&s->by_vni);
	rg_relay_index_free(&s->by_pair);
	rg_relay_index_free(&s->by_sender);
	for (size_t i = 0; i < RG_RELAY_MAX_LONGTERM; i++)
		rg_disco_cache_free(s->cache[i]);
	sodium_memzero(s, sizeof(*s));
	free(s);
}

const struct rg_disco_key *rg_relay_server_disco(const struct rg_relay_server *s)
{
	return &s->disco_pub;
}

const struct rg_disco_key *rg_relay_server_longterm(const struct rg_relay_server *s, size_t i)
{
	return i < s->n_longterm ? &s->longterm_pub[i] : NULL;
}

void rg_relay_server_set_auth(struct rg_relay_server *s, const struct rg_relay_auth *auth)
{
	s->auth = *auth;
}

int rg_relay_server_set_addrs(struct rg_relay_server *s, const struct rg_addrport *addrs,
			      size_t n, struct rg_err *err)
{
	if (n > RG_RELAY_MAX_ADDRS)
		return rg_err_set(err, "relay: at most %d candidate addresses", RG_RELAY_MAX_ADDRS);
	for (size_t i = 0; i < n; i++)
		if (rg_addrport_is_zero(&addrs[i]) || addrs[i].port == 0)
			return rg_err_set(err, "relay: candidate address %zu has no address or port", i);
	if (n)
		memcpy(s->addrs, addrs, n * sizeof(*addrs));
	s->n_addrs = n;
	return 0;
}

size_t rg_relay_server_endpoint_count(const struct rg_relay_server *s)
{
	return rg_relay_pool_count(&s->eps);
}

const struct rg_relay_counters *rg_relay_server_counters(const struct rg_relay_server *s)
{
	return &s->counters;
}

int rg_relay_server_session(const struct rg_relay_server *s, uint32_t vni,
			    struct rg_relay_session *out)
{
	const struct rg_relay_ep *ep = rg_relay_ep_by_vni(s, vni);
	const struct rg_relay_sender *req;

	if (!ep)
		return -1;
	memset(out, 0, sizeof(*out));
	out->vni = ep->vni;
	out->lamport_id = ep->lamport;
	out->state = ep->state;
	out->allocated_at = ep->allocated_at;
	req = rg_relay_pool_get(&s->senders, ep->requester);
	if (req)
		out->requester = req->key;
	for (int i = 0; i < 2; i++) {
		out->leg[i].key = ep->client[i];
		out->leg[i].bound = ep->leg[i].bound;
		out->leg[i].addr = ep->leg[i].addr;
		out->leg[i].generation = ep->leg[i].bound_gen;
		out->leg[i].pending_generation = ep->leg[i].pending_gen;
		out->leg[i].last_seen = ep->leg[i].last_seen;
		out->leg[i].packets = ep->leg[i].packets;
		out->leg[i].bytes = ep->leg[i].bytes;
	}
	return 0;
}

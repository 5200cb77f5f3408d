/*
 * Metrics. Tailscale's relay series keep their names, labels and help
 * texts (net/udprelay/metrics.go); relaygated_* adds the authorization
 * decisions, drops by reason, sockets, table and reload state. Every label
 * value comes from a fixed set: no keys, names or addresses.
 */
#include <stddef.h>
#include <string.h>

#include <sodium.h>

#include "daemon/metrics.h"

const char *rgd_denial_name(enum rgd_denial d)
{
	static const char *const names[RGD_DENY_COUNT] = {
		[RGD_DENY_UNKNOWN_KEY] = "unknown_key",
		[RGD_DENY_NO_GRANT] = "no_grant",
		[RGD_DENY_PEER_NO_GRANT] = "peer_no_grant",
		[RGD_DENY_WEAK_KEY] = "weak_key",
		[RGD_DENY_RELAY_KEY] = "relay_key",
		[RGD_DENY_NOT_PARTICIPANT] = "not_participant",
		[RGD_DENY_SAME_PAIR] = "same_pair",
		[RGD_DENY_REPLAY] = "replay",
		[RGD_DENY_STALE_GENERATION] = "stale_generation",
		[RGD_DENY_SHORT_REQUEST] = "short_request",
		[RGD_DENY_QUOTA_GLOBAL] = "quota_global",
		[RGD_DENY_QUOTA_NODE] = "quota_node",
		[RGD_DENY_QUOTA_CONNECTING] = "quota_connecting",
		[RGD_DENY_VNI_EXHAUSTED] = "vni_exhausted",
		[RGD_DENY_NOT_READY] = "not_ready",
		[RGD_DENY_NO_MEMORY] = "no_memory",
	};

	return (unsigned)d < RGD_DENY_COUNT ? names[d] : "unknown";
}

struct totals {
	struct rg_relay_counters srv;
	struct rgd_wstats st;
	uint64_t rx_by_shard[RGD_MAX_SOCKETS];
};

static void add_words(uint64_t *dst, const uint64_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] += src[i];
}

static void collect(const struct rgd_daemon *d, struct totals *t)
{
	memset(t, 0, sizeof(*t));
	for (uint32_t i = 0; i < d->nshards; i++) {
		struct rg_relay_counters srv;
		struct rgd_wstats st;
		uint64_t a[RGD_SRV_WORDS], b[RGD_W_WORDS];

		rgd_worker_read(&d->workers[i], &srv, &st);
		memcpy(a, &srv, sizeof(a));
		memcpy(b, &st, sizeof(b));
		add_words((uint64_t *)&t->srv, a, RGD_SRV_WORDS);
		add_words((uint64_t *)&t->st, b, RGD_W_WORDS);
		t->rx_by_shard[i] = st.rx_datagrams;
	}
}

static void family(struct rg_buf *b, const char *name, const char *type, const char *help)
{
	rg_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample(struct rg_buf *b, const char *name, const char *labels, uint64_t v)
{
	rg_buf_printf(b, "%s%s%s%s %llu\n", name, labels ? "{" : "", labels ? labels : "",
		      labels ? "}" : "", (unsigned long long)v);
}

static void one(struct rg_buf *b, const char *name, const char *type, const char *help,
		uint64_t v)
{
	family(b, name, type, help);
	sample(b, name, NULL, v);
}

static void tailscale_series(struct rg_buf *b, const struct totals *t)
{
	static const char *const fam[] = {
		"tailscaled_peer_relay_forwarded_bytes_total",
		"tailscaled_peer_relay_forwarded_packets_total",
	};
	static const char *const help[] = {
		"Number of bytes forwarded via Peer Relay",
		"Number of packets forwarded via Peer Relay",
	};

	family(b, "tailscaled_peer_relay_endpoints", "gauge",
	       "Number of allocated Peer Relay endpoints");
	for (int s = 0; s < RG_RELAY_EP_STATES; s++) {
		char l[64];

		snprintf(l, sizeof(l), "state=\"%s\"", rg_relay_ep_state_name(s));
		sample(b, "tailscaled_peer_relay_endpoints", l, t->srv.endpoints[s]);
	}
	for (int k = 0; k < 2; k++) {
		family(b, fam[k], "counter", help[k]);
		for (int i = 0; i < RG_RELAY_TRANSPORTS; i++)
			for (int o = 0; o < RG_RELAY_TRANSPORTS; o++) {
				char l[96];

				snprintf(l, sizeof(l), "transport_in=\"%s\",transport_out=\"%s\"",
					 rg_relay_transport_name(i), rg_relay_transport_name(o));
				sample(b, fam[k], l,
				       k == 0 ? t->srv.forwarded_bytes[i][o]
					      : t->srv.forwarded_packets[i][o]);
			}
	}
}

static void decisions(struct rg_buf *b, const struct totals *t)
{
	const char *n = "relaygated_allocations_total";

	family(b, n, "counter", "Allocation requests by authorization decision");
	sample(b, n, "result=\"allowed\",reason=\"existing\"", t->st.allowed_existing);
	sample(b, n, "result=\"allowed\",reason=\"new\"", t->st.allowed_new);
	for (int i = 0; i < RGD_DENY_COUNT; i++) {
		char l[96];

		snprintf(l, sizeof(l), "result=\"denied\",reason=\"%s\"", rgd_denial_name(i));
		sample(b, n, l, t->st.denied[i]);
	}
	n = "relaygated_dropped_packets_total";
	family(b, n, "counter", "Datagrams dropped, by reason");
	for (int r = 1; r < RG_RELAY_DROP_COUNT; r++) {
		char l[96];

		snprintf(l, sizeof(l), "reason=\"%s\"", rg_relay_drop_name(r));
		sample(b, n, l, t->srv.dropped[r]);
	}
	sample(b, n, "reason=\"handoff_full\"", t->st.handoff_dropped);
	sample(b, n, "reason=\"truncated\"", t->st.rx_truncated);
}

/* Plain counters: name, help, where in struct totals. */
static const struct {
	const char *name, *help;
	size_t off;
} io_counters[] = {
	{ "relaygated_received_gro_batches_total", "UDP GRO super-packets received",
	  offsetof(struct totals, st.rx_gro) },
	{ "relaygated_rxq_overflow_packets_total",
	  "Datagrams the kernel dropped for lack of socket buffer (SO_RXQ_OVFL)",
	  offsetof(struct totals, st.rx_overflow) },
	{ "relaygated_sent_packets_total", "Datagrams sent", offsetof(struct totals, st.tx.packets) },
	{ "relaygated_sent_gso_messages_total", "UDP GSO super-packets sent",
	  offsetof(struct totals, st.tx.gso_msgs) },
	{ "relaygated_send_errors_total", "Messages the kernel refused to send",
	  offsetof(struct totals, st.tx.errors) },
	{ "relaygated_send_dropped_packets_total", "Datagrams not sent (errors, socket buffer full)",
	  offsetof(struct totals, st.tx.dropped) },
	{ "relaygated_handoff_packets_total",
	  "Datagrams a worker received for another shard and handed over",
	  offsetof(struct totals, st.handoff_out) },
	{ "relaygated_key_agreements_total",
	  "X25519 key agreements (never for senders outside the table)",
	  offsetof(struct totals, srv.key_agreements) },
	{ "relaygated_stun_packets_total", "STUN binding messages received (dropped: no STUN client)",
	  offsetof(struct totals, srv.stun) },
	{ "relaygated_challenges_total", "Bind challenges sent",
	  offsetof(struct totals, srv.challenges) },
	{ "relaygated_binds_total", "Endpoint legs bound", offsetof(struct totals, srv.binds) },
	{ "relaygated_endpoints_expired_total", "Endpoints closed by their lifetimes",
	  offsetof(struct totals, srv.expired) },
	{ "relaygated_endpoints_revoked_total",
	  "Endpoints closed because a reloaded table no longer allows them",
	  offsetof(struct totals, srv.revoked) },
	{ "relaygated_log_lines_suppressed_total", "Per-packet log lines dropped by the rate limiter",
	  offsetof(struct totals, st.log_suppressed) },
};

static void io_series(struct rg_buf *b, const struct rgd_daemon *d, const struct totals *t)
{
	const char *n = "relaygated_received_packets_total";

	family(b, n, "counter", "Datagrams received, by shard (worker)");
	for (uint32_t i = 0; i < d->nshards; i++) {
		char l[32];

		snprintf(l, sizeof(l), "shard=\"%u\"", i);
		sample(b, n, l, t->rx_by_shard[i]);
	}
	for (size_t i = 0; i < sizeof(io_counters) / sizeof(io_counters[0]); i++) {
		uint64_t v;

		memcpy(&v, (const char *)t + io_counters[i].off, sizeof(v));
		one(b, io_counters[i].name, "counter", io_counters[i].help, v);
	}
}

static void socket_series(struct rg_buf *b, const struct rgd_daemon *d, const struct totals *t)
{
	const char *n = "relaygated_sockets";

	family(b, n, "gauge", "Sockets (and workers) per address family, and how the count "
	       "was chosen");
	for (int f = 0; f < RGD_FAMILIES; f++) {
		char l[96];

		snprintf(l, sizeof(l), "family=\"%s\",source=\"%s\"", f ? "udp6" : "udp4",
			 d->sockets_source);
		sample(b, n, l, d->socks[f] ? d->nshards : 0);
	}
	one(b, "relaygated_cpus", "gauge",
	    "Container-aware CPU count (affinity mask and cgroup CPU limit)", d->cpus.count);
	n = "relaygated_offload_enabled";
	family(b, n, "gauge", "UDP GSO/GRO in use per family (GSO turns off if the kernel "
	       "refuses it)");
	for (int f = 0; f < RGD_FAMILIES; f++) {
		char l[64];
		bool on = d->socks[f] != NULL;

		snprintf(l, sizeof(l), "family=\"%s\",feature=\"gro\"", f ? "udp6" : "udp4");
		sample(b, n, l, on && d->socks[f][0].gro);
		snprintf(l, sizeof(l), "family=\"%s\",feature=\"gso\"", f ? "udp6" : "udp4");
		sample(b, n, l, on && d->gso_at_start[f] && t->st.tx.gso_off == 0);
	}
	n = "relaygated_endpoint_limit";
	family(b, n, "gauge", "Configured endpoint quotas");
	sample(b, n, "scope=\"global\"", d->cfg.max_endpoints);
	sample(b, n, "scope=\"per_node\"", d->cfg.max_per_node);
	sample(b, n, "scope=\"connecting_per_node\"", d->cfg.max_connecting_per_node);
}

static void table_series(struct rg_buf *b, const struct rgd_daemon *d)
{
	const struct rgd_authz *a = atomic_load(&d->authz);
	char td[65], pd[65], id[65], sg[65];

	sodium_bin2hex(td, sizeof(td), a->info.digest, 32);
	sodium_bin2hex(pd, sizeof(pd), a->info.policy_digest, 32);
	sodium_bin2hex(id, sizeof(id), a->info.inventory_digest, 32);
	sodium_bin2hex(sg, sizeof(sg), a->info.signer, 32);
	family(b, "relaygated_table_info", "gauge", "The loaded authorization table");
	rg_buf_printf(b, "relaygated_table_info{serial=\"%llu\",digest=\"%s\",policy_digest=\"%s\","
		      "inventory_digest=\"%s\",signer=\"%s\"} 1\n",
		      (unsigned long long)a->info.serial, td, pd, id, sg);
	one(b, "relaygated_table_serial", "gauge", "Serial of the loaded table", a->info.serial);
	one(b, "relaygated_table_created_timestamp_seconds", "gauge",
	    "When the loaded table was compiled",
	    (uint64_t)(a->info.created > 0 ? a->info.created : 0));
	one(b, "relaygated_table_loaded_timestamp_seconds", "gauge",
	    "When the loaded table was loaded", (uint64_t)a->loaded_at);
	family(b, "relaygated_table_load_duration_seconds", "gauge",
	       "Time to open and verify the loaded table");
	rg_buf_printf(b, "relaygated_table_load_duration_seconds %.6f\n", a->load_seconds);
	one(b, "relaygated_table_nodes", "gauge", "Nodes in the loaded table", a->info.nnodes);
	one(b, "relaygated_config_last_reload_successful", "gauge",
	    "Whether the last reload succeeded (1 until a reload fails)", d->reload.last_ok);
	one(b, "relaygated_config_last_reload_success_timestamp_seconds", "gauge",
	    "When a table was last loaded successfully", (uint64_t)d->reload.last_success);
	family(b, "relaygated_config_reloads_total", "counter", "Reloads by result");
	sample(b, "relaygated_config_reloads_total", "result=\"failure\"", d->reload.failed);
	sample(b, "relaygated_config_reloads_total", "result=\"success\"", d->reload.ok);
	family(b, "relaygated_build_info", "gauge", "relaygated version");
	rg_buf_printf(b, "relaygated_build_info{version=\"%s\"} 1\n", RG_VERSION);
	one(b, "relaygated_start_time_seconds", "gauge", "When relaygated started",
	    (uint64_t)d->start_time);
}

void rgd_metrics_render(const struct rgd_daemon *d, struct rg_buf *b)
{
	struct totals t;

	collect(d, &t);
	tailscale_series(b, &t);
	decisions(b, &t);
	io_series(b, d, &t);
	socket_series(b, d, &t);
	table_series(b, d);
}

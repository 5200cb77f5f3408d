/*
 * relaygated: an enforcing UDP peer relay speaking Tailscale's peer-relay
 * wire formats. See docs/relay.md and relaygated(8).
 *
 * Start: options, relay key, trusted keys, table (fail closed: any error
 * exits 2 before a socket is opened), CPU count, sockets and their
 * steering, metrics listener, sd_notify socket, privilege drop, one worker
 * per shard, READY=1. Then the main thread waits for signals (SIGHUP
 * reloads; SIGTERM/SIGINT stop) and serves the metrics listener.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "daemon/daemon.h"
#include "daemon/httpd.h"
#include "daemon/notify.h"
#include "daemon/privdrop.h"
#include "util/err.h"

static const char *const fam_name[RGD_FAMILIES] = { "udp4", "udp6" };

static void log_error(const char *msg, const char *detail)
{
	char v[RG_ERR_MAX + 16];

	rgd_log(RGD_ERR, msg, "error=%s", rgd_log_value(detail, v, sizeof(v)));
}

/* Keys and the first table: everything -n checks. */
static int load(struct rgd_daemon *d, struct rg_err *err)
{
	struct rgd_authz *a;

	if (rg_disco_private_load(d->cfg.key_path, &d->key, err) < 0)
		return -1;
	if (rg_disco_private_public(&d->key, &d->key_pub) < 0 || rg_disco_key_is_weak(&d->key_pub))
		return rg_err_set(err, "%s: unusable key", d->cfg.key_path);
	if (rgd_trust_load(&d->cfg, &d->trust, err) < 0)
		return -1;
	if (rgd_authz_open(&d->cfg, &d->trust, &d->key_pub, d->cfg.table_min_serial, &a, err) < 0)
		return -1;
	atomic_store(&d->authz, a);
	d->reload.last_ok = true;
	d->reload.last_success = a->loaded_at;
	return 0;
}

static void choose_socket_count(struct rgd_daemon *d)
{
	const char *root = getenv("RELAYGATED_CGROUP_ROOT");
	const char *proc = getenv("RELAYGATED_PROC_CGROUP");

	rg_cpus_detect(root ? root : RG_CPUS_CGROUP_ROOT, proc ? proc : RG_CPUS_PROC_CGROUP, 0,
		       &d->cpus);
	if (d->cfg.sockets) {
		d->nshards = d->cfg.sockets;
		d->sockets_source = "flag";
	} else {
		d->nshards = d->cpus.count < RGD_AUTO_SOCKETS_MAX ? d->cpus.count
								  : RGD_AUTO_SOCKETS_MAX;
		d->sockets_source = d->cpus.source;
	}
	rgd_log(RGD_INFO, "socket count", "sockets=%u source=%s cpus=%u affinity=%u "
		"cgroup_quota_us=%lld cgroup_period_us=%lld", d->nshards, d->sockets_source,
		d->cpus.count, d->cpus.affinity, d->cpus.quota, d->cpus.period);
}

static void close_sockets(struct rgd_daemon *d)
{
	for (int f = 0; f < RGD_FAMILIES; f++) {
		if (d->socks[f])
			rgd_sockets_close(d->socks[f], d->nshards);
		free(d->socks[f]);
		d->socks[f] = NULL;
	}
}

static int open_sockets(struct rgd_daemon *d, struct rg_err *err)
{
	for (int f = 0; f < RGD_FAMILIES; f++) {
		if (!d->cfg.have_listen[f])
			continue;
		d->socks[f] = calloc(d->nshards, sizeof(*d->socks[f]));
		if (!d->socks[f])
			return rg_err_set(err, "out of memory");
		if (rgd_sockets_open(&d->cfg.listen[f], d->nshards, !d->cfg.no_gso, !d->cfg.no_gro,
				     d->socks[f], &d->bound[f], err) < 0) {
			free(d->socks[f]);
			d->socks[f] = NULL;
			return -1;
		}
	}
	return 0;
}

/* Sockets per family; with several, the kernel must steer by shard or
 * every datagram would cross threads: without steering, one socket. */
static int bind_sockets(struct rgd_daemon *d, struct rg_err *err)
{
	if (rg_relay_steer_init(&d->steer, d->nshards) < 0)
		return rg_err_set(err, "bad socket count %u", d->nshards);
	if (open_sockets(d, err) < 0)
		return -1;
	for (int f = 0; f < RGD_FAMILIES && d->nshards > 1; f++) {
		struct rg_err e;

		if (!d->socks[f] || rgd_sockets_steer(&d->socks[f][0], &d->steer, &e) == 0)
			continue;
		log_error("reuseport steering unavailable, using one socket per family", e.msg);
		close_sockets(d);
		d->nshards = 1;
		if (rg_relay_steer_init(&d->steer, 1) < 0 || open_sockets(d, err) < 0)
			return -1;
		break;
	}
	for (int f = 0; f < RGD_FAMILIES; f++) {
		const struct rgd_sock *s = d->socks[f];
		char a[RG_ADDRPORT_TEXT_MAX];

		if (!s)
			continue;
		d->gso_at_start[f] = s[0].gso;
		rg_addrport_format(&d->bound[f], a, sizeof(a));
		rgd_log(RGD_INFO, "listening", "family=%s addr=%s sockets=%u gso=%d gro=%d "
			"rcvbuf=%d sndbuf=%d", fam_name[f], a, d->nshards, s[0].gso, s[0].gro,
			s[0].rcvbuf, s[0].sndbuf);
	}
	return 0;
}

/* Without --advertise, every non-wildcard listen address (its bound port). */
static void choose_addrs(struct rgd_daemon *d)
{
	if (d->cfg.nadvertise) {
		memcpy(d->addrs, d->cfg.advertise, d->cfg.nadvertise * sizeof(d->addrs[0]));
		d->naddrs = d->cfg.nadvertise;
		return;
	}
	for (int f = 0; f < RGD_FAMILIES; f++)
		if (d->socks[f] && !rgd_addr_is_wildcard(&d->cfg.listen[f]))
			d->addrs[d->naddrs++] = d->bound[f];
}

static int start_workers(struct rgd_daemon *d, struct rg_err *err)
{
	d->shard_endpoints = (d->cfg.max_endpoints + d->nshards - 1) / d->nshards;
	/* Several shards: the pair directory keeps one endpoint per pair among
	 * them (allocation path only). Room for every shard's endpoints. */
	if (d->nshards > 1) {
		d->pairdir = rg_relay_pairdir_new(d->shard_endpoints * d->nshards, err);
		if (!d->pairdir)
			return -1;
	}
	d->workers = calloc(d->nshards, sizeof(*d->workers));
	if (!d->workers)
		return rg_err_set(err, "out of memory");
	for (uint32_t i = 0; i < d->nshards; i++) {
		d->workers[i].epfd = d->workers[i].evfd = -1;
		if (rgd_worker_init(d, &d->workers[i], i, err) < 0)
			return -1;
	}
	for (uint32_t i = 0; i < d->nshards; i++)
		if (rgd_worker_start(&d->workers[i], err) < 0)
			return -1;
	return 0;
}

static void stop_workers(struct rgd_daemon *d)
{
	if (!d->workers)
		return;
	atomic_store(&d->stop, true);
	for (uint32_t i = 0; i < d->nshards; i++)
		rgd_worker_wake(&d->workers[i]);
	for (uint32_t i = 0; i < d->nshards; i++)
		rgd_worker_join(&d->workers[i]);
	for (uint32_t i = 0; i < d->nshards; i++)
		rgd_worker_free(&d->workers[i]);
	free(d->workers);
	d->workers = NULL;
	/* After every shard's server: they leave it as they close endpoints. */
	rg_relay_pairdir_free(d->pairdir);
	d->pairdir = NULL;
}

static void log_ready(const struct rgd_daemon *d, const struct rg_addrport *metrics)
{
	const struct rgd_authz *a = atomic_load(&d->authz);
	char key[RG_DISCO_KEY_TEXT_LEN + 1], sd[RG_DISCO_KEY_TEXT_LEN + 1];
	char adv[RG_RELAY_MAX_ADDRS * (RG_ADDRPORT_TEXT_MAX + 1)] = "", m[RG_ADDRPORT_TEXT_MAX];
	struct rg_disco_key sdpub;

	for (size_t i = 0; i < d->naddrs; i++) {
		char t[RG_ADDRPORT_TEXT_MAX];

		rg_addrport_format(&d->addrs[i], t, sizeof(t));
		if (i)
			strcat(adv, ",");
		strcat(adv, t);
	}
	if (rg_disco_private_public(&d->server_disco, &sdpub) < 0)
		memset(&sdpub, 0, sizeof(sdpub));
	rg_disco_key_format(&d->key_pub, key);
	rg_disco_key_format(&sdpub, sd);
	if (metrics) {
		rg_addrport_format(metrics, m, sizeof(m));
		rgd_log(RGD_INFO, "metrics listening", "addr=%s", m);
	}
	rgd_log(RGD_INFO, "table loaded", "serial=%llu nodes=%u relays=%u load_s=%.6f",
		(unsigned long long)a->info.serial, a->info.nnodes, a->info.nrelays,
		a->load_seconds);
	rgd_log(RGD_INFO, "ready", "relay=%s key=%s server_disco=%s advertise=%s shards=%u%s",
		d->cfg.relay_name, key, sd, adv, d->nshards,
		d->cfg.require_both ? " require_both=1" : "");
}

static int setup_signals(sigset_t *set, struct rg_err *err)
{
	int fd;

	sigemptyset(set);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	signal(SIGPIPE, SIG_IGN);
	/* Blocked before any thread starts, so that every thread inherits it
	 * and only the signalfd sees them. */
	if (pthread_sigmask(SIG_BLOCK, set, NULL) != 0)
		return rg_err_set(err, "cannot block signals");
	fd = signalfd(-1, set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return rg_err_errno(err, errno, "signalfd");
	return fd;
}

/* Returns the exit status. */
static int serve(struct rgd_daemon *d, int sigfd, struct rgd_httpd *http)
{
	for (;;) {
		struct pollfd p[2 + RGD_HTTP_CONNS + 1];
		size_t n = 0, nh;
		struct signalfd_siginfo si;

		p[n++] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = d->main_evfd, .events = POLLIN };
		nh = http ? rgd_httpd_pollfds(http, p + n, RGD_HTTP_CONNS + 1) : 0;
		if (poll(p, n + nh, 1000) < 0 && errno != EINTR) {
			log_error("poll failed", strerror(errno));
			return RGD_EXIT_RUNTIME;
		}
		if (atomic_load(&d->failed))
			return RGD_EXIT_RUNTIME;
		if (http)
			rgd_httpd_step(http, p + n, nh, d);
		while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			if (si.ssi_signo == SIGHUP) {
				rgd_reload(d);
				continue;
			}
			rgd_log(RGD_INFO, "stopping", "signal=%s",
				si.ssi_signo == SIGTERM ? "TERM" : "INT");
			return RGD_EXIT_OK;
		}
	}
}

static int run(struct rgd_daemon *d)
{
	struct rgd_httpd http = { .lfd = -1 };
	struct rg_addrport mbound;
	struct rg_err err;
	sigset_t set;
	int sigfd = -1, rc = RGD_EXIT_CONFIG;

	d->main_evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (d->main_evfd < 0) {
		log_error("cannot start", strerror(errno));
		return RGD_EXIT_INTERNAL;
	}
	sigfd = setup_signals(&set, &err);
	if (sigfd < 0)
		goto fail;
	choose_socket_count(d);
	if (bind_sockets(d, &err) < 0)
		goto fail;
	choose_addrs(d);
	if (d->cfg.metrics_on && rgd_httpd_open(&http, &d->cfg.metrics, &mbound, &err) < 0)
		goto fail;
	/* As libsystemd does: an unusable NOTIFY_SOCKET (inherited by a shell,
	 * say) is no reason not to serve; under Type=notify systemd reports the
	 * missing READY=1 itself. */
	if (rgd_notify_open(&err) < 0) {
		char v[RGD_LOG_LINE_MAX];

		rgd_log(RGD_WARN, "sd_notify disabled", "error=%s",
			rgd_log_value(err.msg, v, sizeof(v)));
	}
	if (d->cfg.user && rgd_drop_privileges(d->cfg.user, &err) < 0)
		goto fail;
	if (rg_disco_private_generate(&d->server_disco) < 0) {
		rg_err_set(&err, "cannot generate the server disco key");
		goto fail;
	}
	if (start_workers(d, &err) < 0) {
		rc = RGD_EXIT_INTERNAL;
		goto fail;
	}
	log_ready(d, d->cfg.metrics_on ? &mbound : NULL);
	rgd_notify("READY=1\nSTATUS=serving relay %s, table serial %llu", d->cfg.relay_name,
		   (unsigned long long)atomic_load(&d->authz)->info.serial);
	rc = serve(d, sigfd, d->cfg.metrics_on ? &http : NULL);
	rgd_notify("STOPPING=1");
	goto out;
fail:
	log_error("cannot start", err.msg);
out:
	stop_workers(d);
	if (d->cfg.metrics_on)
		rgd_httpd_close(&http);
	close_sockets(d);
	rgd_notify_close();
	if (sigfd >= 0)
		close(sigfd);
	close(d->main_evfd);
	return rc;
}

int main(int argc, char **argv)
{
	struct rgd_daemon *d;
	struct rg_err err;
	int r, rc;

	rgd_log_init();
	if (sodium_init() < 0) {
		log_error("cannot start", "libsodium initialisation failed");
		return RGD_EXIT_INTERNAL;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return RGD_EXIT_INTERNAL;
	rgd_config_init(&d->cfg);
	d->start_time = (int64_t)time(NULL);
	r = rgd_config_parse(&d->cfg, argc - 1, argv + 1, &err);
	if (r == 0)
		r = rgd_config_check(&d->cfg, &err);
	if (r > 0) {
		rc = fflush(stdout) == 0 ? RGD_EXIT_OK : RGD_EXIT_CONFIG;
		goto out;
	}
	if (r < 0) {
		fprintf(stderr, "relaygated: %s\nTry 'relaygated --help'.\n", err.msg);
		rc = RGD_EXIT_CONFIG;
		goto out;
	}
	if (load(d, &err) < 0) {
		log_error("configuration error", err.msg);
		rc = RGD_EXIT_CONFIG;
		goto out;
	}
	if (d->cfg.check_only) {
		printf("configuration OK\n");
		rc = fflush(stdout) == 0 ? RGD_EXIT_OK : RGD_EXIT_CONFIG;
		goto out;
	}
	rc = run(d);
out:
	rgd_authz_free(atomic_load(&d->authz));
	rgd_authz_free(d->pending_free);
	rgd_config_free(&d->cfg);
	sodium_memzero(&d->key, sizeof(d->key));
	sodium_memzero(&d->server_disco, sizeof(d->server_disco));
	free(d);
	return rc;
}

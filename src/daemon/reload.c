/*
 * SIGHUP: load the table again (and the trusted keys), verify it, publish
 * it, wait until every worker has taken it and closed the endpoints it no
 * longer allows, then free the old one. On any failure the old table stays
 * and keeps being enforced.
 */
#include <string.h>
#include <time.h>

#include "daemon/daemon.h"
#include "daemon/notify.h"
#include "util/err.h"

/* Workers take a new table within one batch; this is a safety net. */
#define ACK_TIMEOUT_NS (10LL * 1000 * 1000 * 1000)

static void status(const struct rgd_daemon *d, const struct rgd_authz *a)
{
	rgd_notify("READY=1\nSTATUS=serving relay %s, table serial %llu%s", d->cfg.relay_name,
		   (unsigned long long)a->info.serial,
		   d->reload.last_ok ? "" : " (last reload failed)");
}

/* Whether every worker acknowledged epoch e. */
static bool wait_acks(struct rgd_daemon *d, uint64_t e)
{
	int64_t deadline = rgd_mono_ns() + ACK_TIMEOUT_NS;

	for (;;) {
		bool all = true;

		for (uint32_t i = 0; i < d->nshards && all; i++)
			all = atomic_load_explicit(&d->workers[i].ack_epoch, memory_order_acquire) >= e;
		if (all)
			return true;
		if (rgd_mono_ns() > deadline || atomic_load(&d->failed))
			return false;
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
}

static void failed(struct rgd_daemon *d, const struct rgd_authz *old, const char *why)
{
	char v[RG_ERR_MAX + 16];

	d->reload.failed++;
	d->reload.last_ok = false;
	rgd_log(RGD_ERR, "table reload failed, keeping the loaded table",
		"serial=%llu error=%s", (unsigned long long)old->info.serial,
		rgd_log_value(why, v, sizeof(v)));
	status(d, old);
}

int rgd_reload(struct rgd_daemon *d)
{
	struct rgd_authz *old = atomic_load(&d->authz), *fresh = NULL;
	int64_t t0 = rgd_mono_ns();
	struct rgd_trust trust;
	struct rg_err err;
	uint64_t e, old_serial = old->info.serial;

	rgd_notify_reloading();
	if (rgd_trust_load(&d->cfg, &trust, &err) < 0 ||
	    rgd_authz_open(&d->cfg, &trust, &d->key_pub, old->info.serial, &fresh, &err) < 0) {
		failed(d, old, err.msg);
		return -1;
	}
	d->trust = trust;
	atomic_store_explicit(&d->authz, fresh, memory_order_release);
	e = atomic_fetch_add_explicit(&d->epoch, 1, memory_order_acq_rel) + 1;
	for (uint32_t i = 0; i < d->nshards; i++)
		rgd_worker_wake(&d->workers[i]);
	if (wait_acks(d, e)) {
		rgd_authz_free(old);
	} else {
		/* A worker that never answers might still read it: keep it. */
		rgd_log(RGD_WARN, "a worker did not take the new table; the old one is kept "
			"in memory", NULL);
		rgd_authz_free(d->pending_free);
		d->pending_free = old;
	}
	d->reload.ok++;
	d->reload.last_ok = true;
	d->reload.last_success = (int64_t)time(NULL);
	rgd_log(RGD_INFO, "table reloaded",
		"serial=%llu previous_serial=%llu nodes=%u duration_s=%.6f",
		(unsigned long long)fresh->info.serial, (unsigned long long)old_serial,
		fresh->info.nnodes, (double)(rgd_mono_ns() - t0) / 1e9);
	status(d, fresh);
	return 0;
}

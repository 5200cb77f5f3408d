/*
 * sd_notify(3) without libsystemd: datagrams on $NOTIFY_SOCKET (a path, or
 * "@name" for the abstract namespace). Unset: every call is a no-op. The
 * socket is connected once at start, before privileges are dropped.
 */
#ifndef RGD_NOTIFY_H
#define RGD_NOTIFY_H

#include "relaygate/err.h"

/* -1 with err if NOTIFY_SOCKET is set but unusable. */
int rgd_notify_open(struct rg_err *err);
void rgd_notify_close(void);
/* Sends one message, e.g. "READY=1\nSTATUS=serving". */
void rgd_notify(const char *fmt, ...) RG_PRINTF(1, 2);
/* RELOADING=1 with MONOTONIC_USEC (systemctl reload waits for READY=1). */
void rgd_notify_reloading(void);

#endif

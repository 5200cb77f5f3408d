/* The Prometheus text page (format 0.0.4), rendered on the main thread from
 * what the workers published. */
#ifndef RGD_METRICS_H
#define RGD_METRICS_H

#include "daemon/daemon.h"
#include "util/buf.h"

/* Largest page; far above what the fixed set of series needs. */
#define RGD_METRICS_MAX (1 << 20)

/* Appends the page to b; check rg_buf_failed(b). */
void rgd_metrics_render(const struct rgd_daemon *d, struct rg_buf *b);

#endif

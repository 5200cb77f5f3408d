/*
 * relaygated logging: one line per event on stderr, logfmt key=value
 * ("ts=... level=info msg=\"table reloaded\" serial=4 ..."). Under systemd
 * (JOURNAL_STREAM set) the timestamp is left to the journal and the line
 * starts with the kernel-style priority "<6>". Each line is one write(2),
 * so threads never interleave within a line; no lock is taken.
 */
#ifndef RGD_LOG_H
#define RGD_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "relaygate/err.h"

enum rgd_level { RGD_ERR = 3, RGD_WARN = 4, RGD_INFO = 6, RGD_DEBUG = 7 };

#define RGD_LOG_LINE_MAX 1024

void rgd_log_init(void);
/* msg is the event; kv (printf format) the key=value pairs, or NULL. */
void rgd_log(enum rgd_level lvl, const char *msg, const char *kv, ...) RG_PRINTF(3, 4);

/* A logfmt value: bare when it needs no quoting, else quoted and escaped.
 * Returns out. */
const char *rgd_log_value(const char *s, char *out, size_t n);

/*
 * Token bucket for per-packet events (denials): at most `burst` lines at
 * once and `per_sec` lines per second after that; what it suppresses is
 * counted and reported on the next line it lets through. One per thread.
 */
struct rgd_ratelimit {
	uint32_t per_sec, burst;
	uint64_t tokens_milli;
	int64_t last_ns;
	uint64_t suppressed;
};

void rgd_ratelimit_init(struct rgd_ratelimit *r, uint32_t per_sec, uint32_t burst);
/* Whether to log now; *suppressed = lines dropped since the last allowed. */
int rgd_ratelimit_allow(struct rgd_ratelimit *r, int64_t now_ns, uint64_t *suppressed);

#endif

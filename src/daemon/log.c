/* logfmt lines on stderr, one write(2) each; a token bucket for floods. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/log.h"

static bool journal;

void rgd_log_init(void)
{
	journal = getenv("JOURNAL_STREAM") != NULL;
}

static const char *level_name(enum rgd_level l)
{
	switch (l) {
	case RGD_ERR:
		return "error";
	case RGD_WARN:
		return "warn";
	case RGD_INFO:
		return "info";
	default:
		return "debug";
	}
}

const char *rgd_log_value(const char *s, char *out, size_t n)
{
	bool bare = *s != '\0';
	size_t j = 0;

	for (const char *p = s; *p && bare; p++)
		if ((unsigned char)*p <= ' ' || *p == '"' || *p == '=' || *p == '\\' ||
		    (unsigned char)*p >= 0x7f)
			bare = false;
	if (n == 0)
		return out;
	if (bare) {
		snprintf(out, n, "%s", s);
		return out;
	}
	if (j + 1 < n)
		out[j++] = '"';
	for (const char *p = s; *p && j + 3 < n; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"' || c == '\\') {
			out[j++] = '\\';
			out[j++] = (char)c;
		} else if (c == '\n') {
			out[j++] = '\\';
			out[j++] = 'n';
		} else if (c < ' ' || c == 0x7f) {
			out[j++] = '?';
		} else {
			out[j++] = (char)c;
		}
	}
	if (j + 1 < n)
		out[j++] = '"';
	out[j < n ? j : n - 1] = '\0';
	return out;
}

void rgd_log(enum rgd_level lvl, const char *msg, const char *kv, ...)
{
	char line[RGD_LOG_LINE_MAX], mv[256];
	size_t n = 0;
	int r;

	if (journal) {
		r = snprintf(line, sizeof(line), "<%d>", (int)lvl);
	} else {
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		r = snprintf(line, sizeof(line), "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ ",
			     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			     tm.tm_sec, ts.tv_nsec / 1000000);
	}
	n = r > 0 ? (size_t)r : 0;
	r = snprintf(line + n, sizeof(line) - n, "level=%s msg=%s", level_name(lvl),
		     rgd_log_value(msg, mv, sizeof(mv)));
	n += r > 0 ? (size_t)r : 0;
	if (kv && n + 1 < sizeof(line)) {
		va_list ap;

		line[n++] = ' ';
		va_start(ap, kv);
		r = vsnprintf(line + n, sizeof(line) - n, kv, ap);
		va_end(ap);
		n += r > 0 ? (size_t)r : 0;
	}
	if (n >= sizeof(line) - 1)
		n = sizeof(line) - 2; /* truncated: still one line */
	line[n++] = '\n';
	for (size_t off = 0; off < n;) {
		ssize_t w = write(STDERR_FILENO, line + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
}

void rgd_ratelimit_init(struct rgd_ratelimit *r, uint32_t per_sec, uint32_t burst)
{
	memset(r, 0, sizeof(*r));
	r->per_sec = per_sec;
	r->burst = burst;
	r->tokens_milli = (uint64_t)burst * 1000;
}

int rgd_ratelimit_allow(struct rgd_ratelimit *r, int64_t now_ns, uint64_t *suppressed)
{
	if (now_ns > r->last_ns) {
		uint64_t dt_ms = (uint64_t)(now_ns - r->last_ns) / 1000000;
		uint64_t cap = (uint64_t)r->burst * 1000;

		/* Saturating refill: a long silence refills to the burst. */
		if (r->last_ns == 0 || dt_ms > cap)
			r->tokens_milli = cap;
		else
			r->tokens_milli += dt_ms * r->per_sec;
		if (r->tokens_milli > cap)
			r->tokens_milli = cap;
		if (dt_ms > 0 || r->last_ns == 0)
			r->last_ns = now_ns;
	}
	if (r->tokens_milli < 1000) {
		r->suppressed++;
		return 0;
	}
	r->tokens_milli -= 1000;
	*suppressed = r->suppressed;
	r->suppressed = 0;
	return 1;
}

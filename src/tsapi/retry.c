/* When to try again, and how long to wait first. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tsapi/internal.h"

#define BACKOFF_BASE_MS 1000L
#define BACKOFF_CAP_MS 30000L
/* A Retry-After beyond a day is nonsense; clamp so the arithmetic stays small. */
#define RETRY_AFTER_CLAMP_MS (86400L * 1000)

int tsapi_status_retryable(long status)
{
	/* 501 and 505 will not change by asking again. */
	return status == 429 || (status >= 500 && status <= 599 && status != 501 && status != 505);
}

int tsapi_curl_retryable(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		/* Resolution, TLS verification, URL and local errors are not transient. */
		return 0;
	}
}

/* Exponential with "equal jitter": half fixed, half random, so clients spread out. */
long tsapi_backoff_ms(int attempt, uint32_t rnd)
{
	long d = BACKOFF_BASE_MS;
	int i;

	for (i = 1; i < attempt && d < BACKOFF_CAP_MS; i++)
		d *= 2;
	if (d > BACKOFF_CAP_MS)
		d = BACKOFF_CAP_MS;
	return d / 2 + (long)(rnd % (uint32_t)(d / 2 + 1));
}

long rg_tsapi_retry_after_ms(const char *value, time_t now)
{
	const char *p = value;
	struct tm tm;
	char *end;

	if (!value)
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p >= '0' && *p <= '9') {
		unsigned long long s;

		errno = 0;
		s = strtoull(p, &end, 10);
		while (*end == ' ' || *end == '\t')
			end++;
		if (*end != '\0')
			return -1;
		if (errno == ERANGE || s > RETRY_AFTER_CLAMP_MS / 1000)
			return RETRY_AFTER_CLAMP_MS;
		return (long)s * 1000;
	}
	/* IMF-fixdate, the only date form servers are told to send (RFC 9110 5.6.7). */
	memset(&tm, 0, sizeof(tm));
	end = strptime(p, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (!end) {
		return -1;
	} else {
		time_t at = timegm(&tm);
		double diff;

		while (*end == ' ' || *end == '\t')
			end++;
		if (*end != '\0' || at == (time_t)-1)
			return -1;
		diff = difftime(at, now);
		if (diff <= 0)
			return 0;
		if (diff > RETRY_AFTER_CLAMP_MS / 1000)
			return RETRY_AFTER_CLAMP_MS;
		return (long)diff * 1000;
	}
}

uint64_t tsapi_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void tsapi_sleep_ms(double ms)
{
	struct timespec ts, rem;

	if (!(ms > 0))
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000) * 1e6);
	if (ts.tv_nsec >= 1000000000L)
		ts.tv_nsec = 999999999L;
	/* Bounded by the remaining time, which only shrinks. */
	while (nanosleep(&ts, &rem) < 0 && errno == EINTR)
		ts = rem;
}

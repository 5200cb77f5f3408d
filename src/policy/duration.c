/* Go's time.ParseDuration and time.Duration.String, for SSH checkPeriod. */
#include <stdio.h>
#include <string.h>

#include "policy/internal.h"

static const struct {
	const char *unit;
	int64_t ns;
} units[] = {
	{ "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 }, { "\xce\xbcs", 1000 },
	{ "ms", 1000000 }, { "s", 1000000000LL }, { "m", 60000000000LL },
	{ "h", 3600000000000LL },
};

int policy_duration_parse(const char *s, size_t n, int64_t *ns, char *msg, size_t msglen)
{
	size_t i = 0;
	bool neg = false;
	unsigned __int128 total = 0;
	const unsigned __int128 limit = (unsigned __int128)INT64_MAX + 1;

	if (i < n && (s[i] == '-' || s[i] == '+')) {
		neg = s[i] == '-';
		i++;
	}
	if (n - i == 1 && s[i] == '0') {
		*ns = 0;
		return 0;
	}
	if (i == n)
		goto bad;
	while (i < n) {
		unsigned __int128 whole = 0, frac = 0, scale = 1;
		bool digits = false;
		size_t u, ulen = 0, k;
		int64_t unit = 0;

		while (i < n && s[i] >= '0' && s[i] <= '9') {
			whole = whole * 10 + (unsigned)(s[i++] - '0');
			digits = true;
			if (whole > limit)
				goto overflow;
		}
		if (i < n && s[i] == '.') {
			i++;
			while (i < n && s[i] >= '0' && s[i] <= '9') {
				if (scale < (unsigned __int128)1e18) {
					frac = frac * 10 + (unsigned)(s[i] - '0');
					scale *= 10;
				}
				i++;
				digits = true;
			}
		}
		if (!digits)
			goto bad;
		u = i;
		while (i < n && s[i] != '.' && (s[i] < '0' || s[i] > '9'))
			i++;
		ulen = i - u;
		if (!ulen) {
			snprintf(msg, msglen, "time: missing unit in duration \"%.*s\"", (int)n, s);
			return -1;
		}
		for (k = 0; k < sizeof(units) / sizeof(units[0]); k++)
			if (strlen(units[k].unit) == ulen && memcmp(units[k].unit, s + u, ulen) == 0)
				unit = units[k].ns;
		if (!unit) {
			snprintf(msg, msglen, "time: unknown unit \"%.*s\" in duration \"%.*s\"",
				 (int)ulen, s + u, (int)n, s);
			return -1;
		}
		total += whole * (unsigned __int128)unit + frac * (unsigned __int128)unit / scale;
		if (total > limit)
			goto overflow;
	}
	if (!neg && total > (unsigned __int128)INT64_MAX)
		goto overflow;
	*ns = neg ? -(int64_t)(total - 1) - 1 : (int64_t)total;
	return 0;
overflow:
	snprintf(msg, msglen, "time: invalid duration \"%.*s\"", (int)n, s);
	return -1;
bad:
	snprintf(msg, msglen, "time: invalid duration \"%.*s\"", (int)n, s);
	return -1;
}

/* Formats the fraction v/10^prec without trailing zeros into buf ending at w. */
static size_t fmt_frac(char *buf, size_t w, uint64_t v, int prec, uint64_t *rest)
{
	bool print = false;
	int i;

	for (i = 0; i < prec; i++) {
		unsigned digit = (unsigned)(v % 10);

		print = print || digit != 0;
		if (print)
			buf[--w] = (char)('0' + digit);
		v /= 10;
	}
	if (print)
		buf[--w] = '.';
	*rest = v;
	return w;
}

static size_t fmt_int(char *buf, size_t w, uint64_t v)
{
	if (v == 0)
		buf[--w] = '0';
	while (v > 0) {
		buf[--w] = (char)('0' + v % 10);
		v /= 10;
	}
	return w;
}

void policy_duration_format(int64_t d, char *out, size_t outlen)
{
	char buf[40];
	size_t w = sizeof(buf);
	uint64_t u = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
	bool neg = d < 0;

	if (u < 1000000000ULL) {
		int prec = 0;

		buf[--w] = 's';
		w--;
		if (u == 0) {
			snprintf(out, outlen, "0s");
			return;
		} else if (u < 1000ULL) {
			buf[w] = 'n';
		} else if (u < 1000000ULL) {
			prec = 3;
			/* U+00B5 MICRO SIGN, as Go prints it */
			buf[w--] = (char)0xb5;
			buf[w] = (char)0xc2;
		} else {
			prec = 6;
			buf[w] = 'm';
		}
		w = fmt_frac(buf, w, u, prec, &u);
		w = fmt_int(buf, w, u);
	} else {
		buf[--w] = 's';
		w = fmt_frac(buf, w, u, 9, &u);
		w = fmt_int(buf, w, u % 60);
		u /= 60;
		if (u > 0) {
			buf[--w] = 'm';
			w = fmt_int(buf, w, u % 60);
			u /= 60;
			if (u > 0) {
				buf[--w] = 'h';
				w = fmt_int(buf, w, u);
			}
		}
	}
	if (neg)
		buf[--w] = '-';
	snprintf(out, outlen, "%.*s", (int)(sizeof(buf) - w), buf + w);
}

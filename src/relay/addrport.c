#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relaygate/addrport.h"

static const uint8_t v4mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

void rg_addrport_set4(struct rg_addrport *a, const uint8_t v4[4], uint16_t port)
{
	memcpy(a->ip, v4mapped_prefix, sizeof(v4mapped_prefix));
	memcpy(a->ip + 12, v4, 4);
	a->port = port;
}

void rg_addrport_set6(struct rg_addrport *a, const uint8_t v6[16], uint16_t port)
{
	memcpy(a->ip, v6, 16);
	a->port = port;
}

bool rg_addrport_is4(const struct rg_addrport *a)
{
	return memcmp(a->ip, v4mapped_prefix, sizeof(v4mapped_prefix)) == 0;
}

bool rg_addrport_equal(const struct rg_addrport *a, const struct rg_addrport *b)
{
	return a->port == b->port && memcmp(a->ip, b->ip, 16) == 0;
}

bool rg_addrport_is_zero(const struct rg_addrport *a)
{
	static const uint8_t zero[16];

	return a->port == 0 && memcmp(a->ip, zero, 16) == 0;
}

/*
 * IPv6 text as Go's netip.Addr.String (RFC 5952): lowercase hex groups
 * without leading zeros, the first longest run of two or more zero groups
 * written "::". Unlike glibc's inet_ntop, never a dotted quad: inet_ntop
 * writes ::102:304 as "::1.2.3.4" (the deprecated IPv4-compatible form).
 */
static void format6(const uint8_t ip[16], char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned w[8];
	int zs = -1, ze = -1;
	char *o = out;

	for (int i = 0; i < 8; i++)
		w[i] = (unsigned)ip[2 * i] << 8 | ip[2 * i + 1];
	for (int i = 0; i < 8; i++) {
		int j = i;

		while (j < 8 && w[j] == 0)
			j++;
		if (j - i >= 2 && j - i > ze - zs) {
			zs = i;
			ze = j;
		}
	}
	for (int i = 0; i < 8; i++) {
		bool lead = true;

		if (i == zs) {
			*o++ = ':';
			*o++ = ':';
			i = ze;
			if (i >= 8)
				break;
		} else if (i > 0) {
			*o++ = ':';
		}
		for (int sh = 12; sh >= 0; sh -= 4) {
			unsigned d = (w[i] >> sh) & 0xf;

			if (lead && d == 0 && sh > 0)
				continue;
			lead = false;
			*o++ = hex[d];
		}
	}
	*o = '\0';
}

void rg_addrport_format(const struct rg_addrport *a, char *out, size_t n)
{
	char ip[INET6_ADDRSTRLEN];

	if (rg_addrport_is4(a)) {
		if (!inet_ntop(AF_INET, a->ip + 12, ip, sizeof(ip)))
			ip[0] = '\0';
		snprintf(out, n, "%s:%u", ip, (unsigned)a->port);
	} else {
		format6(a->ip, ip);
		snprintf(out, n, "[%s]:%u", ip, (unsigned)a->port);
	}
}

static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoul(s, &end, 10);
	if (*end || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int rg_addrport_parse(const char *s, struct rg_addrport *out)
{
	char host[INET6_ADDRSTRLEN];
	const char *colon;
	size_t hl;
	uint8_t b[16];
	uint16_t port;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return -1;
		hl = (size_t)(close - s - 1);
		if (hl == 0 || hl >= sizeof(host))
			return -1;
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		if (parse_port(close + 2, &port) < 0 || inet_pton(AF_INET6, host, b) != 1)
			return -1;
		rg_addrport_set6(out, b, port);
		return 0;
	}
	colon = strchr(s, ':');
	if (!colon)
		return -1;
	hl = (size_t)(colon - s);
	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (parse_port(colon + 1, &port) < 0 || inet_pton(AF_INET, host, b) != 1)
		return -1;
	rg_addrport_set4(out, b, port);
	return 0;
}

socklen_t rg_addrport_to_sockaddr(const struct rg_addrport *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (rg_addrport_is4(a)) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(a->port);
		memcpy(&s4->sin_addr, a->ip + 12, 4);
		return sizeof(*s4);
	}
	{
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(a->port);
		memcpy(&s6->sin6_addr, a->ip, 16);
		return sizeof(*s6);
	}
}

int rg_addrport_from_sockaddr(const struct sockaddr_storage *ss, struct rg_addrport *a)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		rg_addrport_set4(a, (const uint8_t *)&s4->sin_addr, ntohs(s4->sin_port));
		return 0;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		rg_addrport_set6(a, (const uint8_t *)&s6->sin6_addr, ntohs(s6->sin6_port));
		return 0;
	}
	memset(a, 0, sizeof(*a));
	return -1;
}

/* Ports, protocols and grant "ip" entries, with Tailscale's messages. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "policy/internal.h"

static const struct {
	const char *name;
	uint8_t num;
} proto_names[] = {
	{ "icmp", 1 }, { "igmp", 2 }, { "ipv4", 4 }, { "ip-in-ip", 4 }, { "tcp", 6 },
	{ "egp", 8 }, { "igp", 9 }, { "udp", 17 }, { "gre", 47 }, { "esp", 50 },
	{ "ah", 51 }, { "ipv6-icmp", 58 }, { "sctp", 132 }, { "fc", 133 },
};

const char *rg_proto_name(unsigned proto)
{
	size_t i;

	for (i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]); i++)
		if (proto_names[i].num == proto)
			return proto_names[i].name;
	return NULL;
}

/* strconv.ParseUint(s, 10, 16) */
static int parse_u16(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	if (!n)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
		if (v > 65535)
			return -1;
	}
	*out = v;
	return 0;
}

static int port_part(const char *s, size_t n, struct rg_portrange *out, char *msg, size_t msglen)
{
	const char *dash = memchr(s, '-', n);
	unsigned first, last;

	if (n == 1 && s[0] == '*') {
		*out = (struct rg_portrange){ 0, 65535 };
		return 0;
	}
	if (parse_u16(s, dash ? (size_t)(dash - s) : n, &first) < 0) {
		snprintf(msg, msglen, "port range \"%.*s\": invalid first integer", (int)n, s);
		return -1;
	}
	last = first;
	if (dash && parse_u16(dash + 1, n - (size_t)(dash - s) - 1, &last) < 0) {
		snprintf(msg, msglen, "port range \"%.*s\": invalid last integer", (int)n, s);
		return -1;
	}
	if (first == 0) {
		snprintf(msg, msglen,
			 "port range \"%.*s\": first port must be >0, or use '*' for wildcard", (int)n, s);
		return -1;
	}
	if (first > last) {
		snprintf(msg, msglen, "port range \"%.*s\": first port must be <= last port", (int)n, s);
		return -1;
	}
	*out = (struct rg_portrange){ (uint16_t)first, (uint16_t)last };
	return 0;
}

int policy_ports_parse(struct rg_arena *a, const char *s, size_t n, struct rg_ipproto *out,
		       char *msg, size_t msglen)
{
	size_t count = 1, i, k = 0, start = 0;

	for (i = 0; i < n; i++)
		if (s[i] == ',')
			count++;
	out->ports = rg_arena_alloc(a, count * sizeof(*out->ports));
	if (!out->ports) {
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != ',')
			continue;
		if (port_part(s + start, i - start, &out->ports[k++], msg, msglen) < 0)
			return -1;
		start = i + 1;
	}
	out->nports = k;
	return 0;
}

int policy_proto_parse(const char *s, size_t n, uint8_t *out, char *msg, size_t msglen)
{
	size_t i;
	unsigned v = 0;

	if (n && s[0] >= '0' && s[0] <= '9') {
		for (i = 0; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				goto unknown;
			v = v * 10 + (unsigned)(s[i] - '0');
			if (v > 255) {
				snprintf(msg, msglen, "protocol number out of range (0-255): \"%.*s\"",
					 (int)n, s);
				return -1;
			}
		}
		if (s[0] == '0') {
			snprintf(msg, msglen, "leading 0 not permitted in protocol number: \"%.*s\"",
				 (int)n, s);
			return -1;
		}
		*out = (uint8_t)v;
		return 0;
	}
	for (i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]); i++) {
		if (strlen(proto_names[i].name) == n && strncasecmp(proto_names[i].name, s, n) == 0) {
			*out = proto_names[i].num;
			return 0;
		}
	}
unknown:
	snprintf(msg, msglen,
		 "proto name \"%.*s\" not known; use protocol number 0-255 or protocol name (icmp, tcp, udp, etc.)",
		 (int)n, s);
	return -1;
}

bool policy_protos_take_ports(const uint8_t *protos, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (protos[i] != 6 && protos[i] != 17 && protos[i] != 132)
			return false;
	return true;
}

static bool ports_are_any(const struct rg_ipproto *ip)
{
	return ip->nports == 1 && ip->ports[0].first == 0 && ip->ports[0].last == 65535;
}

int policy_ipproto_parse(struct rg_arena *a, const char *s, size_t n, struct rg_ipproto *out,
			 char *msg, size_t msglen)
{
	const char *colon = memchr(s, ':', n);
	size_t plen;

	out->protos = NULL;
	out->nprotos = 0;
	if (!colon)
		return policy_ports_parse(a, s, n, out, msg, msglen);
	if (memchr(colon + 1, ':', n - (size_t)(colon - s) - 1)) {
		snprintf(msg, msglen, "expected only one colon in Internet protocol and port type");
		return -1;
	}
	plen = (size_t)(colon - s);
	out->protos = rg_arena_alloc(a, 1);
	if (!out->protos) {
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	if (policy_proto_parse(s, plen, out->protos, msg, msglen) < 0)
		return -1;
	out->nprotos = 1;
	if (policy_ports_parse(a, colon + 1, n - plen - 1, out, msg, msglen) < 0)
		return -1;
	if (!ports_are_any(out) && !policy_protos_take_ports(out->protos, 1)) {
		snprintf(msg, msglen, "protocol does not support specific ports: \"%.*s\", only \"*\" is allowed",
			 (int)plen, s);
		return -1;
	}
	return 0;
}

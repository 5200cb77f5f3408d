/* Internals shared by the policy modules (not installed). */
#ifndef RG_POLICY_INTERNAL_H
#define RG_POLICY_INTERNAL_H

#include "relaygate/policy.h"
#include "util/arena.h"
#include "util/map.h"

struct policy_priv {
	struct rg_arena arena;
	struct rg_map groups, tags, hosts, ipsets, postures;
};

static inline struct rg_arena *policy_arena(const struct rg_policy *p)
{
	return &((struct policy_priv *)p->priv)->arena;
}

/*
 * Classifies text[0..len) as Tailscale does. text is a piece of a
 * NUL-terminated string of the policy's document (text[len] is readable):
 * when it is the whole string it is borrowed, else copied into the arena.
 * Returns -1 only when out of memory.
 */
int policy_selector_parse(struct rg_arena *a, const char *text, size_t len, struct rg_span span,
			  struct rg_selector *out);
enum rg_autogroup policy_autogroup_lookup(const char *name, size_t len);

/*
 * Grammar of ports and protocols (Tailscale's messages). On error, msg
 * receives the text and -1 is returned.
 */
int policy_ports_parse(struct rg_arena *a, const char *s, size_t n, struct rg_ipproto *out,
		       char *msg, size_t msglen);
/* A protocol name or number as in an ACL "proto" or a grant "proto:ports". */
int policy_proto_parse(const char *s, size_t n, uint8_t *out, char *msg, size_t msglen);
/* Grant "ip" entry: "*", ports, "proto:*", "proto:ports". */
int policy_ipproto_parse(struct rg_arena *a, const char *s, size_t n, struct rg_ipproto *out,
			 char *msg, size_t msglen);
/* Whether the protocols all allow specific ports (TCP, UDP, SCTP; or none given). */
bool policy_protos_take_ports(const uint8_t *protos, size_t n);

/* Go time.ParseDuration; returns -1 with Go's message on error. */
int policy_duration_parse(const char *s, size_t n, int64_t *ns, char *msg, size_t msglen);
/* Go's time.Duration.String(). */
void policy_duration_format(int64_t ns, char *out, size_t outlen);

/* PCRE2-backed name checks, compiled once (JIT where available). */
enum policy_name {
	POLICY_NAME_TAG,         /* tag:[A-Za-z][A-Za-z0-9-]* */
	POLICY_NAME_CAP,         /* {domain}/{path} */
	POLICY_NAME_LOGIN,       /* local@domain, no spaces */
	POLICY_NAME_HOST,        /* hosts alias */
	POLICY_NAME_GROUP,       /* group:name */
	POLICY_NAME_COUNT
};
/* 1 match, 0 no match, -1 internal error (pattern failed to compile). */
int policy_name_match(enum policy_name which, const char *s, size_t n);

#endif

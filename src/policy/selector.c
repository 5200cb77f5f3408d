/* Selector classification, in the order Tailscale applies it. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "policy/internal.h"
#include "util/utf8.h"

static const struct {
	const char *name;
	enum rg_autogroup ag;
} autogroups[] = {
	{ "internet", RG_AG_INTERNET },
	{ "self", RG_AG_SELF },
	{ "member", RG_AG_MEMBER },
	{ "members", RG_AG_MEMBERS },
	{ "tagged", RG_AG_TAGGED },
	{ "shared", RG_AG_SHARED },
	{ "danger-all", RG_AG_DANGER_ALL },
	{ "admin", RG_AG_ADMIN },
	{ "owner", RG_AG_OWNER },
	{ "it-admin", RG_AG_IT_ADMIN },
	{ "network-admin", RG_AG_NETWORK_ADMIN },
	{ "billing-admin", RG_AG_BILLING_ADMIN },
	{ "auditor", RG_AG_AUDITOR },
	{ "nonroot", RG_AG_NONROOT },
};

enum rg_autogroup policy_autogroup_lookup(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(autogroups) / sizeof(autogroups[0]); i++)
		if (strlen(autogroups[i].name) == len && memcmp(autogroups[i].name, name, len) == 0)
			return autogroups[i].ag;
	return RG_AG_UNKNOWN;
}

const char *rg_autogroup_name(enum rg_autogroup ag)
{
	size_t i;

	for (i = 0; i < sizeof(autogroups) / sizeof(autogroups[0]); i++)
		if (autogroups[i].ag == ag)
			return autogroups[i].name;
	return "unknown";
}

/* Go's unicode.IsSpace, which strings.TrimSpace uses. */
static size_t space_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t l;

	if (!n)
		return 0;
	if (s[0] < 0x80)
		return (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')) ? 1 : 0;
	l = rg_utf8_decode(s, n, &cp);
	if (!l)
		return 0;
	if (cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
	    cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000)
		return l;
	return 0;
}

/* Length of trailing white space ending at s + n. */
static size_t space_len_back(const unsigned char *s, size_t n)
{
	size_t back;

	for (back = 1; back <= 3 && back <= n; back++) {
		if (back > 1 && (s[n - back] & 0xC0) == 0x80)
			continue;
		return space_len(s + n - back, back) == back ? back : 0;
	}
	return 0;
}

static bool has_prefix(const char *s, size_t n, const char *pfx)
{
	size_t l = strlen(pfx);

	return n >= l && memcmp(s, pfx, l) == 0;
}

int policy_selector_parse(struct rg_arena *a, const char *text, size_t len, struct rg_span span,
			  struct rg_selector *out)
{
	const unsigned char *u = (const unsigned char *)text;
	size_t l, start = 0, end = len;
	const char *t;

	memset(out, 0, sizeof(*out));
	out->span = span;
	while (start < end && (l = space_len(u + start, end - start)))
		start += l;
	while (end > start && (l = space_len_back(u + start, end - start)))
		end -= l;
	out->padded = start != 0 || end != len;
	t = text + start;
	/*
	 * The text is borrowed when it already is the whole NUL-terminated
	 * string (callers pass strings of the policy's own document, which
	 * lives as long as the policy); otherwise copied.
	 */
	if (!out->padded && text[len] == '\0') {
		out->text = text;
	} else {
		out->text = rg_arena_strndup(a, t, end - start);
		if (!out->text)
			return -1;
	}
	len = end - start;
	out->key = out->text;

	if (len && (rg_prefix_parse(t, len, true, &out->prefix) == 0)) {
		out->kind = RG_SEL_PREFIX;
	} else if (len == 1 && t[0] == '*') {
		out->kind = RG_SEL_WILDCARD;
	} else if (has_prefix(t, len, "group:")) {
		out->kind = RG_SEL_GROUP;
	} else if (has_prefix(t, len, "tag:")) {
		size_t i;

		out->kind = RG_SEL_TAG;
		/* Tailscale parses tag names as lower case. */
		for (i = 0; i < len && !(t[i] >= 'A' && t[i] <= 'Z'); i++)
			;
		if (i < len) {
			char *k = rg_arena_strndup(a, t, len);

			if (!k)
				return -1;
			for (; i < len; i++)
				k[i] = (char)tolower((unsigned char)k[i]);
			out->key = k;
		}
	} else if (has_prefix(t, len, "autogroup:")) {
		out->kind = RG_SEL_AUTOGROUP;
		out->autogroup = policy_autogroup_lookup(t + 10, len - 10);
	} else if (has_prefix(t, len, "ipset:")) {
		out->kind = RG_SEL_IPSET;
	} else if (has_prefix(t, len, "svc:")) {
		out->kind = RG_SEL_SVC;
	} else if (has_prefix(t, len, "posture:")) {
		out->kind = RG_SEL_POSTURE;
	} else if (has_prefix(t, len, "host:")) {
		out->kind = RG_SEL_HOSTREF;
		out->key = out->text + 5;
	} else if (has_prefix(t, len, "user:")) {
		/* Only user:*@domain exists; anything else is invalid. */
		out->kind = has_prefix(t, len, "user:*@") ? RG_SEL_USER_DOMAIN : RG_SEL_INVALID;
		out->key = out->text + (out->kind == RG_SEL_USER_DOMAIN ? 7 : 0);
	} else if (has_prefix(t, len, "localpart:")) {
		out->kind = has_prefix(t, len, "localpart:*@") ? RG_SEL_LOCALPART : RG_SEL_INVALID;
		out->key = out->text + (out->kind == RG_SEL_LOCALPART ? 12 : 0);
	} else if (memchr(t, '@', len)) {
		out->kind = RG_SEL_USER;
	} else if (len && !memchr(t, ':', len)) {
		const char *dash = memchr(t, '-', len);

		if (dash && rg_range_parse(t, len, &out->lo, &out->hi) == 0)
			out->kind = RG_SEL_RANGE;
		else
			out->kind = RG_SEL_HOST;
	} else if (len && rg_range_parse(t, len, &out->lo, &out->hi) == 0) {
		out->kind = RG_SEL_RANGE;  /* IPv6 range */
	} else {
		out->kind = RG_SEL_INVALID;
	}
	return 0;
}

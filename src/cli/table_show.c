/*
 * relaygate table show: the header, then the relays grouped by the set of
 * nodes they admit (relays with the same relay grants share one), with
 * nodes sorted by name so that the output does not depend on the table's
 * hash order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "cli/cli.h"
#include "cli/table_cli.h"
#include "relaygate/disco_key.h"
#include "util/buf.h"

struct show {
	const struct rg_table *t;
	struct rg_table_info info;
	struct rg_buf b;
	bool json;
	uint32_t *nodes;           /* node indexes sorted by name */
	uint32_t *relays;          /* relay indexes sorted by group, then name */
};

static const struct rg_table *sort_table;

static int node_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int c = strcmp(rg_table_node_name_at(sort_table, x), rg_table_node_name_at(sort_table, y));

	return c ? c : memcmp(rg_table_node_key_at(sort_table, x), rg_table_node_key_at(sort_table, y),
			      RG_TABLE_KEY_LEN);
}

static int relay_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	uint32_t gx = rg_table_relay_group(sort_table, x), gy = rg_table_relay_group(sort_table, y);

	if (gx != gy)
		return gx < gy ? -1 : 1;
	return strcmp(rg_table_relay_name(sort_table, x), rg_table_relay_name(sort_table, y));
}

static void put_time(struct rg_buf *b, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char s[64];

	if (gmtime_r(&tt, &tm) && strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm))
		rg_buf_puts(b, s);
	else
		rg_buf_printf(b, "@%lld", (long long)t);
}

static void put_hex(struct rg_buf *b, const uint8_t *p, size_t n)
{
	char hex[2 * 64 + 1];

	sodium_bin2hex(hex, sizeof(hex), p, n);
	rg_buf_puts(b, hex);
}

/* Names come from the table: control characters are escaped in text too. */
static void put_str(struct show *s, const char *str)
{
	if (s->json) {
		rg_buf_json_str(&s->b, str, strlen(str));
		return;
	}
	for (; *str; str++) {
		unsigned char c = (unsigned char)*str;
		/* A C1 control (U+0080..U+009F, e.g. a lone CSI) is 0xc2 then 0x80..0x9f. */
		bool c1 = c == 0xc2 && (unsigned char)str[1] >= 0x80 && (unsigned char)str[1] <= 0x9f;

		if (c < 0x20 || c == 0x7f || c == '\\' || c1) {
			rg_buf_printf(&s->b, "\\x%02x", c);
			if (c1)
				rg_buf_printf(&s->b, "\\x%02x", (unsigned char)*++str);
		} else {
			rg_buf_putc(&s->b, (char)c);
		}
	}
}

/* A disco key in text form, "(no disco key)" / null for the zero key. */
static void put_key(struct show *s, const uint8_t *k)
{
	struct rg_disco_key dk;
	char text[RG_DISCO_KEY_TEXT_LEN + 1];

	memcpy(dk.b, k, sizeof(dk.b));
	if (rg_disco_key_is_zero(&dk)) {
		rg_buf_puts(&s->b, s->json ? "null" : "(no disco key)");
		return;
	}
	rg_disco_key_format(&dk, text);
	rg_buf_printf(&s->b, s->json ? "\"%s\"" : "%s", text);
}

static void put_header(struct show *s, const char *path)
{
	const struct rg_table_info *i = &s->info;
	struct rg_buf *b = &s->b;
	const char *sig = i->verified ? "verified against a trusted key" :
			  "not checked (no --trust given)";

	if (s->json) {
		rg_buf_puts(b, "{\"table\": ");
		put_str(s, path);
		rg_buf_printf(b, ", \"version\": %u, \"serial\": %llu, \"created\": \"", i->version,
			      (unsigned long long)i->serial);
		put_time(b, i->created);
		rg_buf_printf(b, "\", \"created_unix\": %lld, \"signature\": \"%s\", \"signer\": \"",
			      (long long)i->created, i->verified ? "verified" : "not checked");
		put_hex(b, i->signer, sizeof(i->signer));
		rg_buf_puts(b, "\", \"digest\": \"");
		put_hex(b, i->digest, sizeof(i->digest));
		rg_buf_puts(b, "\", \"policy_blake2b\": \"");
		put_hex(b, i->policy_digest, sizeof(i->policy_digest));
		rg_buf_puts(b, "\", \"inventory_blake2b\": \"");
		put_hex(b, i->inventory_digest, sizeof(i->inventory_digest));
		rg_buf_printf(b, "\", \"requesters\": %u, \"nodes_without_disco_key\": %u, \"relays\": %u, "
			      "\"groups\": [", i->nnodes, rg_table_unkeyed(s->t), i->nrelays);
		return;
	}
	rg_buf_printf(b, "table:      %s\nsignature:  %s\nsigner:     ", path, sig);
	put_hex(b, i->signer, sizeof(i->signer));
	rg_buf_puts(b, "\ndigest:     blake2b-256:");
	put_hex(b, i->digest, sizeof(i->digest));
	rg_buf_printf(b, "\nversion:    %u\nserial:     %llu\ncreated:    ", i->version,
		      (unsigned long long)i->serial);
	put_time(b, i->created);
	rg_buf_puts(b, "\npolicy:     blake2b-256:");
	put_hex(b, i->policy_digest, sizeof(i->policy_digest));
	rg_buf_puts(b, "\ninventory:  blake2b-256:");
	put_hex(b, i->inventory_digest, sizeof(i->inventory_digest));
	rg_buf_printf(b, "\nrequesters: %u by disco key (%u nodes without one left out)\n"
		      "relays:     %u\n", i->nnodes, rg_table_unkeyed(s->t), i->nrelays);
}

/* One relay or node: {"name": ..., "disco_key": ...}, or a text line. */
static void put_entry(struct show *s, bool first, const char *label, const char *name,
		      const uint8_t *key)
{
	if (s->json)
		rg_buf_puts(&s->b, first ? "{\"name\": " : ", {\"name\": ");
	else
		rg_buf_printf(&s->b, "  %-8s", label);
	put_str(s, name);
	rg_buf_puts(&s->b, s->json ? ", \"disco_key\": " : " ");
	put_key(s, key);
	rg_buf_puts(&s->b, s->json ? "}" : "\n");
}

/* One group: relays [first, end) of s->relays and the nodes their first one admits. */
static void put_group(struct show *s, uint32_t g, size_t first, size_t end)
{
	struct rg_buf *b = &s->b;
	uint32_t rep = s->relays[first], n, allowed = 0;
	size_t k;

	for (n = 0; n < s->info.nnodes; n++)
		allowed += rg_table_allowed_at(s->t, rep, s->nodes[n]);
	if (s->json)
		rg_buf_puts(b, g ? ", {\"relays\": [" : "{\"relays\": [");
	else
		rg_buf_printf(b, "\ngroup %u: %zu relay%s, %u allowed node%s\n", g + 1, end - first,
			      end - first == 1 ? "" : "s", allowed, allowed == 1 ? "" : "s");
	for (k = first; k < end; k++)
		put_entry(s, k == first, "relay", rg_table_relay_name(s->t, s->relays[k]),
			  rg_table_relay_key(s->t, s->relays[k]));
	if (s->json)
		rg_buf_puts(b, "], \"allowed\": [");
	for (n = 0, k = 0; n < s->info.nnodes; n++) {
		uint32_t node = s->nodes[n];

		if (!rg_table_allowed_at(s->t, rep, node))
			continue;
		put_entry(s, k++ == 0, "allowed", rg_table_node_name_at(s->t, node),
			  rg_table_node_key_at(s->t, node));
	}
	if (s->json)
		rg_buf_puts(b, "]}");
}

int table_show(const char *path, const struct rg_table *t, bool json)
{
	struct show s;
	uint32_t i;
	size_t first, k, groups = 0;
	int ret = RG_EXIT_INTERNAL;

	memset(&s, 0, sizeof(s));
	s.t = t;
	s.json = json;
	rg_table_get_info(t, &s.info);
	rg_buf_init(&s.b, (size_t)4 << 30);
	s.nodes = malloc(((size_t)s.info.nnodes + 1) * sizeof(*s.nodes));
	s.relays = malloc(((size_t)s.info.nrelays + 1) * sizeof(*s.relays));
	if (!s.nodes || !s.relays)
		goto out;
	for (i = 0; i < s.info.nnodes; i++)
		s.nodes[i] = i;
	for (i = 0; i < s.info.nrelays; i++)
		s.relays[i] = i;
	sort_table = t;
	qsort(s.nodes, s.info.nnodes, sizeof(*s.nodes), node_cmp);
	qsort(s.relays, s.info.nrelays, sizeof(*s.relays), relay_cmp);
	put_header(&s, path);
	for (first = 0; first < s.info.nrelays; first = k) {
		uint32_t g = rg_table_relay_group(t, s.relays[first]);

		for (k = first + 1; k < s.info.nrelays && rg_table_relay_group(t, s.relays[k]) == g; k++)
			;
		put_group(&s, (uint32_t)groups++, first, k);
	}
	if (json)
		rg_buf_puts(&s.b, "]}\n");
	if (rg_buf_failed(&s.b))
		goto out;
	ret = fwrite(s.b.data, 1, s.b.len, stdout) == s.b.len ? RG_EXIT_OK : RG_EXIT_USAGE;
out:
	if (ret == RG_EXIT_INTERNAL)
		fprintf(stderr, "relaygate table: out of memory\n");
	free(s.nodes);
	free(s.relays);
	rg_buf_free(&s.b);
	return ret;
}

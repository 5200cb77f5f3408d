/* relaygate filters: each node's packet filter, capabilities and peers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/load.h"
#include "diag/emit.h"
#include "relaygate/eval.h"
#include "util/buf.h"

const char cmd_filters_usage[] =
	"usage: relaygate filters --inventory INV.json [--format json|human] [--node NAME] POLICY\n"
	"\n"
	"Print what Tailscale's control plane sends each node of the inventory for\n"
	"POLICY: its packet filter (sources, protocols, destination ports), its\n"
	"capability grants (including the relay-target and drive-sharer companions\n"
	"Tailscale adds) and its peers.\n"
	"\n"
	"options:\n"
	"  -i, --inventory FILE  the tailnet's users and nodes (JSON; required)\n"
	"  -f, --format FMT      json (default) or human\n"
	"  -n, --node NAME       only this node\n"
	"  -h, --help            this help\n"
	"\n"
	"JSON: {\"nodes\": {NAME: {\"filter\": [RULE...], \"peers\": [NAME...]}}} where RULE is\n"
	"{\"src\": [ADDR...], \"proto\": [N...], \"dst\": [{\"ip\": ADDR, \"ports\": [FIRST, LAST]}]}\n"
	"or {\"src\": [ADDR...], \"caps\": [{\"dsts\": [ADDR...], \"capmap\": {CAP: VALUE}}]}.\n"
	"\n"
	"Exit status: 0 printed, 1 the policy is invalid, 2 usage or I/O error.\n";

static const struct option filters_opts[] = {
	{ "inventory", required_argument, NULL, 'i' },
	{ "format", required_argument, NULL, 'f' },
	{ "node", required_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* One address interval as Tailscale writes them: "a", "a/n" or "a-b". */
static void put_interval(struct rg_buf *b, rg_u128 lo, rg_u128 hi, bool is6)
{
	char t[RG_INTERVAL_STRLEN];

	rg_interval_format(lo, hi, is6, t);
	rg_buf_puts(b, t);
}

/* A rule's sources; in text an empty set is said, not left as a gap before "->". */
static void put_set(struct rg_buf *b, const struct rg_ipset *s, bool any, bool json)
{
	size_t i;

	if (any) {
		rg_buf_puts(b, json ? "\"*\"" : "*");
		return;
	}
	if (!json && s->n4 + s->n6 == 0) {
		rg_buf_puts(b, "(no source)");
		return;
	}
	for (i = 0; i < s->n4 + s->n6; i++) {
		bool is6 = i >= s->n4;

		if (i)
			rg_buf_puts(b, json ? ", " : ", ");
		if (json)
			rg_buf_putc(b, '"');
		if (is6)
			put_interval(b, s->v6[i - s->n4].lo, s->v6[i - s->n4].hi, true);
		else
			put_interval(b, s->v4[i].lo, s->v4[i].hi, false);
		if (json)
			rg_buf_putc(b, '"');
	}
}

static void put_entry_ip(struct rg_buf *b, const struct rg_eval_entry *x)
{
	if (x->any)
		rg_buf_putc(b, '*');
	else
		put_interval(b, x->lo, x->hi, x->is6);
}

/* A cap rule's destinations on node n: its own addresses within the entries. */
static void put_cap_dsts(struct rg_buf *b, const struct rg_eval_node *n, const struct rg_eval_rule *r,
			 const struct rg_eval_item *it, bool json)
{
	const struct rg_inv_node *in = n->node;
	size_t i, k, out = 0;

	for (i = 0; i < in->nips; i++) {
		rg_u128 v = rg_addr_to_u128(&in->ips[i]);
		bool hit = false;

		for (k = it->first; k < it->first + it->count && !hit; k++) {
			const struct rg_eval_entry *x = &r->entries[k];

			hit = x->any || (x->is6 == in->ips[i].is6 && v >= x->lo && v <= x->hi);
		}
		if (!hit)
			continue;
		if (out++)
			rg_buf_puts(b, ", ");
		if (json)
			rg_buf_putc(b, '"');
		put_interval(b, v, v, in->ips[i].is6);
		rg_buf_printf(b, "/%u", in->ips[i].is6 ? 128 : 32);
		if (json)
			rg_buf_putc(b, '"');
	}
}

static void put_rule_json(struct rg_buf *b, const struct rg_eval *e, const struct rg_eval_node *n,
			  const struct rg_eval_item *it)
{
	const struct rg_eval_rule *r = &e->rules[it->rule];
	size_t k;

	rg_buf_puts(b, "{\"src\": [");
	put_set(b, &r->src, r->src_any, true);
	rg_buf_puts(b, "]");
	if (r->is_cap) {
		char *cm = json_dumps(r->capmap, JSON_COMPACT | JSON_SORT_KEYS);

		rg_buf_puts(b, ", \"caps\": [{\"dsts\": [");
		put_cap_dsts(b, n, r, it, true);
		rg_buf_printf(b, "], \"capmap\": %s}]}", cm ? cm : "{}");
		free(cm);
		return;
	}
	if (r->nprotos) {
		rg_buf_puts(b, ", \"proto\": [");
		for (k = 0; k < r->nprotos; k++)
			rg_buf_printf(b, "%s%u", k ? ", " : "", r->protos[k]);
		rg_buf_puts(b, "]");
	}
	rg_buf_puts(b, ", \"dst\": [");
	for (k = it->first; k < it->first + it->count; k++) {
		const struct rg_eval_entry *x = &r->entries[k];

		rg_buf_puts(b, k > it->first ? ", {\"ip\": \"" : "{\"ip\": \"");
		put_entry_ip(b, x);
		rg_buf_printf(b, "\", \"ports\": [%u, %u]}", x->ports.first, x->ports.last);
	}
	rg_buf_puts(b, "]}");
}

static void put_node_json(struct rg_buf *b, struct rg_eval *e, size_t i, bool first)
{
	const struct rg_eval_node *n = &e->nodes[i];
	const uint32_t *peers;
	size_t np, k;

	if (!first)
		rg_buf_puts(b, ",\n");
	rg_buf_puts(b, "  ");
	rg_buf_json_str(b, n->node->name, strlen(n->node->name));
	rg_buf_puts(b, ": {\"filter\": [");
	for (k = 0; k < n->nitems; k++) {
		rg_buf_puts(b, k ? ",\n    " : "\n    ");
		put_rule_json(b, e, n, &n->items[k]);
	}
	rg_buf_puts(b, n->nitems ? "\n  ], \"peers\": [" : "], \"peers\": [");
	peers = rg_eval_peers(e, i, &np);
	if (!peers)
		b->failed = true;
	for (k = 0; peers && k < np; k++) {
		const char *name = e->nodes[peers[k]].node->name;

		if (k)
			rg_buf_puts(b, ", ");
		rg_buf_json_str(b, name, strlen(name));
	}
	rg_buf_puts(b, "]}");
}

static const char *proto_label(uint8_t p, char *buf, size_t n)
{
	const char *name = rg_proto_name(p);

	if (name)
		return name;
	snprintf(buf, n, "%u", p);
	return buf;
}

static void put_node_human(struct rg_buf *b, struct rg_eval *e, size_t i)
{
	const struct rg_eval_node *n = &e->nodes[i];
	const struct rg_inv_node *in = n->node;
	const uint32_t *peers;
	size_t np, k, j;
	char pb[8];

	/* Names are escaped so that none can forge a line of this output. */
	rg_emit_text(b, in->name);
	rg_buf_puts(b, " (");
	rg_emit_text(b, n->tagged ? "tagged" : in->user ? in->user : "no owner");
	for (k = 0; k < in->nips; k++) {
		rg_u128 v = rg_addr_to_u128(&in->ips[k]);

		rg_buf_puts(b, k ? ", " : "; ");
		put_interval(b, v, v, in->ips[k].is6);
	}
	rg_buf_printf(b, ")%s\n", n->exit_node ? " exit node" : "");
	for (k = 0; k < n->nitems; k++) {
		const struct rg_eval_item *it = &n->items[k];
		const struct rg_eval_rule *r = &e->rules[it->rule];

		if (r->is_cap) {
			const char *cap;
			json_t *v;

			json_object_foreach(r->capmap, cap, v) {
				rg_buf_puts(b, "  cap   ");
				rg_emit_text(b, cap);
				rg_buf_puts(b, " on ");
				put_cap_dsts(b, n, r, it, false);
				rg_buf_puts(b, " from ");
				put_set(b, &r->src, r->src_any, false);
				rg_buf_putc(b, '\n');
			}
			continue;
		}
		rg_buf_puts(b, "  allow ");
		put_set(b, &r->src, r->src_any, false);
		rg_buf_puts(b, " -> ");
		for (j = it->first; j < it->first + it->count; j++) {
			const struct rg_eval_entry *x = &r->entries[j];

			if (j > it->first)
				rg_buf_puts(b, ", ");
			if (x->is6 && !x->any)
				rg_buf_putc(b, '[');
			put_entry_ip(b, x);
			if (x->is6 && !x->any)
				rg_buf_putc(b, ']');
			if (x->ports.first == 0 && x->ports.last == 65535)
				rg_buf_puts(b, ":*");
			else if (x->ports.first == x->ports.last)
				rg_buf_printf(b, ":%u", x->ports.first);
			else
				rg_buf_printf(b, ":%u-%u", x->ports.first, x->ports.last);
		}
		if (r->nprotos) {
			rg_buf_puts(b, " proto ");
			for (j = 0; j < r->nprotos; j++)
				rg_buf_printf(b, "%s%s", j ? "," : "", proto_label(r->protos[j], pb, sizeof(pb)));
		}
		rg_buf_putc(b, '\n');
	}
	peers = rg_eval_peers(e, i, &np);
	rg_buf_printf(b, "  peers (%zu):", peers ? np : 0);
	for (k = 0; peers && k < np; k++) {
		rg_buf_putc(b, ' ');
		rg_emit_text(b, e->nodes[peers[k]].node->name);
	}
	rg_buf_puts(b, "\n\n");
}

int cmd_filters_main(int argc, char **argv)
{
	const struct cli_command *self = cli_find("filters");
	const char *inv_path = NULL, *format = "json", *only = NULL;
	struct cli_inputs in;
	struct rg_diags diags;
	struct rg_eval *e = NULL;
	struct rg_err err;
	struct rg_buf out;
	bool json, first = true;
	size_t i;
	int c, ret;

	while ((c = getopt_long(argc, argv, "i:f:n:h", filters_opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			inv_path = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'n':
			only = optarg;
			break;
		default:
			return cli_bad_usage(self, NULL);
		}
	}
	if (optind != argc - 1)
		return cli_bad_usage(self, "expected exactly one POLICY");
	if (!inv_path)
		return cli_bad_usage(self, "--inventory is required");
	if (strcmp(format, "json") != 0 && strcmp(format, "human") != 0)
		return cli_bad_usage(self, "unknown --format '%s' (json or human)", format);
	json = strcmp(format, "json") == 0;
	rg_diags_init(&diags);
	rg_buf_init(&out, (size_t)4 << 30);
	ret = cli_load_inputs("filters", argv[optind], inv_path, &in, &diags);
	if (ret == RG_EXIT_OK && rg_policy_validate(in.policy, in.inv, &diags))
		ret = RG_EXIT_FINDINGS;
	if (ret == RG_EXIT_OK && rg_diags_count(&diags, RG_SEV_ERROR))
		ret = RG_EXIT_FINDINGS;
	if (ret != RG_EXIT_OK) {
		cli_print_diags("filters", &diags);
		goto done;
	}
	if (only && !rg_inventory_node(in.inv, only)) {
		cli_error("filters", "%s: no node named '%s'", in.inv_src->name, only);
		ret = RG_EXIT_USAGE;
		goto done;
	}
	if (rg_eval_build(in.policy, in.inv, &e, &err) < 0) {
		cli_error("filters", "%s", err.msg);
		ret = RG_EXIT_INTERNAL;
		goto done;
	}
	if (json)
		rg_buf_puts(&out, "{\"nodes\": {\n");
	for (i = 0; i < e->nnodes; i++) {
		if (only && strcmp(e->nodes[i].node->name, only) != 0)
			continue;
		if (json)
			put_node_json(&out, e, i, first);
		else
			put_node_human(&out, e, i);
		first = false;
	}
	if (json)
		rg_buf_puts(&out, "\n}}\n");
	if (rg_buf_failed(&out)) {
		cli_error("filters", "out of memory");
		ret = RG_EXIT_INTERNAL;
		goto done;
	}
	if (fwrite(out.data, 1, out.len, stdout) != out.len)
		ret = RG_EXIT_USAGE;
done:
	rg_eval_free(e);
	rg_buf_free(&out);
	rg_diags_free(&diags);
	cli_free_inputs(&in);
	return ret;
}

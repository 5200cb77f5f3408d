/*
 * Lint configuration: a .relaygate.hujson file (rg_lint_cfgfile_load over
 * the input) and one environment/flag setting (rg_lint_config_set with the
 * input split as KEY=VALUE at its first '=').
 * Properties: loading fails exactly when it reports an error (or runs out
 * of memory); every report is a "config" error on the input with a span
 * inside it; a file that loads, applied over the defaults, leaves every
 * severity and the failure threshold a known level, fixed rules at their
 * default, the group size within 0..1000000 and each naming pattern with
 * its text; the effective configuration then lints a fixed policy with
 * findings on known rules. A setting, accepted or not, leaves the same
 * bounds, and a refused one says why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relaygate/lint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_GROUP_SIZE 1000000u /* documented bound of relay-max-group-size */

/* Names of every kind the naming patterns check, and relay grants for the relay rules. */
static const char policy_text[] =
	"{\"groups\": {\"group:eng\": [\"a@example.com\"], \"group:Ops_Team\": []},\n"
	" \"tagOwners\": {\"tag:relay\": [\"group:eng\"], \"tag:web-server\": []},\n"
	" \"hosts\": {\"db1\": \"100.64.0.9\"},\n"
	" \"ipsets\": {\"ipset:office\": [\"10.0.0.0/8\"]},\n"
	" \"postures\": {\"posture:latest\": [\"node:tsVersion >= '1.60'\"]},\n"
	" \"grants\": [\n"
	"  {\"src\": [\"*\"], \"dst\": [\"tag:relay\"], \"app\": {\"tailscale.com/cap/relay\": []}},\n"
	"  {\"src\": [\"group:eng\"], \"dst\": [\"db1\", \"ipset:office\"], \"ip\": [\"tcp:5432\"],\n"
	"   \"srcPosture\": [\"posture:latest\"]}],\n"
	" // relaygate:ignore unused-tag\n"
	" \"acls\": [{\"action\": \"accept\", \"src\": [\"*\"], \"dst\": [\"*:*\"]}]}\n";

static struct rg_source *psrc;

static void check_bounds(const struct rg_lint_config *c)
{
	size_t i;

	if (c->fail_on > RG_SEV_ERROR || c->relay_max_group_size > MAX_GROUP_SIZE)
		abort();
	for (i = 0; i < RG_LINT_RULE_COUNT; i++) {
		const struct rg_lint_rule *r = rg_lint_rule_get((enum rg_lint_rule_id)i);

		if (c->severity[i] > RG_SEV_ERROR)
			abort();
		if ((r->flags & RG_LINT_FIXED) && c->severity[i] != r->severity)
			abort();
	}
	for (i = 0; i < RG_LINT_NAME_COUNT; i++)
		if (c->naming[i].code && !c->naming[i].text)
			abort();
}

static void lint_with(const struct rg_lint_config *cfg)
{
	struct rg_diags d;
	struct rg_err err;
	size_t i;

	rg_diags_init(&d);
	if (rg_lint_source(psrc, NULL, cfg, &d, &err) == 0)
		for (i = 0; i < d.n; i++)
			if (!rg_lint_rule_find(d.v[i].rule) || d.v[i].src != psrc)
				abort();
	rg_diags_free(&d);
}

static void fuzz_file(const uint8_t *data, size_t size)
{
	struct rg_lint_cfgfile *f = NULL;
	struct rg_lint_config cfg;
	struct rg_source *src;
	struct rg_diags d;
	size_t i;
	int ret;

	src = rg_source_from_mem(".relaygate.hujson", (const char *)data, size);
	if (!src)
		return;
	rg_diags_init(&d);
	ret = rg_lint_cfgfile_load(src, &f, &d);
	if ((ret == 0) != (f != NULL))
		abort();
	if (ret == 0 ? d.n != 0 : d.n == 0 && !d.oom)
		abort();
	for (i = 0; i < d.n; i++) {
		const struct rg_diag *x = &d.v[i];

		if (strcmp(x->rule, RG_RULE_CONFIG) != 0 || x->severity != RG_SEV_ERROR ||
		    x->src != src || !x->message || !*x->message || x->span.start > size ||
		    x->span.end < x->span.start || x->span.end > size + 1)
			abort();
	}
	if (f) {
		rg_lint_config_init(&cfg);
		rg_lint_cfgfile_apply(f, &cfg);
		check_bounds(&cfg);
		lint_with(&cfg);
	}
	rg_lint_cfgfile_free(f);
	rg_diags_free(&d);
	rg_source_free(src);
}

static void fuzz_setting(const uint8_t *data, size_t size)
{
	struct rg_lint_config cfg;
	struct rg_err err;
	char *s, *eq;

	if (size > 4096 || !(s = malloc(size + 1)))
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	eq = strchr(s, '=');
	if (eq) {
		*eq = '\0';
		rg_lint_config_init(&cfg);
		err.msg[0] = '\0';
		if (rg_lint_config_set(&cfg, s, eq + 1, &err) < 0 && !err.msg[0])
			abort();
		check_bounds(&cfg);
	}
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!psrc && !(psrc = rg_source_from_mem("policy.hujson", policy_text, strlen(policy_text))))
		abort();
	fuzz_file(data, size);
	fuzz_setting(data, size);
	return 0;
}

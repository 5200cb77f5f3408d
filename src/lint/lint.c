/* The lint driver: parse, validate, run the rule families, apply pragmas. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "lint/internal.h"

void lint_report(struct lint_ctx *c, enum rg_lint_rule_id r, struct rg_span span,
		 const char *fmt, ...)
{
	enum rg_severity sev = c->cfg->severity[r];
	char msg[1024];
	va_list ap;

	if (sev == RG_SEV_NONE)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (rg_diag_add(c->diags, rg_lint_rule_get(r)->slug, sev, c->p->src, span, "%s", msg) < 0)
		c->oom = true;
}

unsigned lint_line(const struct lint_ctx *c, uint32_t off)
{
	return rg_source_pos(c->p->src, off).line;
}

static bool inventory_rules_on(const struct rg_lint_config *cfg)
{
	size_t i;

	for (i = 0; i < RG_LINT_RULE_COUNT; i++)
		if ((rg_lint_rule_get(i)->flags & RG_LINT_INVENTORY) && cfg->severity[i] != RG_SEV_NONE)
			return true;
	/* Group sizes of relay-broad-src come from the inventory as well. */
	return cfg->severity[RG_LINT_RELAY_BROAD_SRC] != RG_SEV_NONE;
}

int rg_lint_source(struct rg_source *src, const struct rg_inventory *inv,
		   const struct rg_lint_config *cfg, struct rg_diags *diags, struct rg_err *err)
{
	struct rg_diags local;
	struct lint_ctx c = { NULL, cfg, &local, inv, NULL, false, false };
	int ret = -1;

	rg_diags_init(&local);
	if (rg_policy_parse(src, &c.p, &local) < 0) {
		/* A syntax error is a finding; nothing else can be checked. */
		if (local.oom)
			goto oom;
		goto done;
	}
	rg_policy_validate(c.p, inv, &local);
	c.valid = rg_diags_count(&local, RG_SEV_ERROR) == 0;
	if (inv && c.valid && inventory_rules_on(cfg) && rg_eval_build(c.p, inv, &c.eval, err) < 0)
		goto out;
	lint_rules_policy(&c);
	lint_rules_breadth(&c);
	lint_rules_relay(&c);
	lint_rules_hygiene(&c);
	lint_rules_overlap(&c);
	if (c.oom || local.oom)
		goto oom;
	rg_diags_sort(&local);
	if (cfg->pragmas) {
		if (lint_pragmas_apply(&c, 0) < 0 || local.oom)
			goto oom;
		rg_diags_sort(&local);
	}
done:
	if (rg_diags_append(diags, &local) < 0)
		goto oom;
	ret = 0;
	goto out;
oom:
	rg_err_set(err, "out of memory");
out:
	rg_eval_free(c.eval);
	rg_policy_free(c.p);
	rg_diags_free(&local);
	return ret;
}

bool rg_lint_fails(const struct rg_diag *d, const struct rg_lint_config *cfg)
{
	return !d->suppressed && cfg->fail_on != RG_SEV_NONE && d->severity != RG_SEV_NONE &&
	       d->severity >= cfg->fail_on;
}

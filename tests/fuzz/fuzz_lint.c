/*
 * relaygate lint over arbitrary input, with pragmas on.
 * Properties: linting fails only when out of memory; every finding names a
 * rule of the registry (or syntax/invalid) and a span inside the source;
 * the json and sarif reports are valid JSON with one entry per unsuppressed
 * finding.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "diag/emit.h"
#include "relaygate/lint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t json_results(const char *text, size_t len, int sarif)
{
	json_error_t jerr;
	json_t *j = json_loadb(text, len, 0, &jerr), *list;
	size_t n;

	if (!j)
		abort(); /* an emitter wrote invalid JSON */
	list = sarif ? json_object_get(json_array_get(json_object_get(j, "runs"), 0), "results")
		     : json_object_get(j, "diagnostics");
	if (!json_is_array(list))
		abort();
	n = json_array_size(list);
	json_decref(j);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rg_emit_opts eo = { false, rg_lint_rule_id_of };
	struct rg_lint_config cfg;
	struct rg_source *src;
	struct rg_diags d;
	struct rg_err err;
	struct rg_buf b;
	size_t i, shown = 0;

	src = rg_source_from_mem("fuzz.hujson", (const char *)data, size);
	if (!src)
		return 0;
	rg_lint_config_init(&cfg);
	cfg.severity[RG_LINT_LEGACY_ACLS] = RG_SEV_WARNING;
	rg_diags_init(&d);
	if (rg_lint_source(src, NULL, &cfg, &d, &err) < 0)
		goto out; /* out of memory */
	for (i = 0; i < d.n; i++) {
		const struct rg_diag *x = &d.v[i];

		if (!rg_lint_rule_find(x->rule) || x->src != src || x->span.start > src->len + 1 ||
		    x->span.end < x->span.start || x->span.end > src->len + 1)
			abort();
		shown += !x->suppressed;
	}
	rg_buf_init(&b, 0);
	rg_emit_json(&b, &d, 1, &eo);
	if (!rg_buf_failed(&b) && json_results(b.data, b.len, 0) != shown)
		abort();
	rg_buf_reset(&b);
	rg_emit_sarif(&b, &d, &eo);
	if (!rg_buf_failed(&b) && json_results(b.data, b.len, 1) != shown)
		abort();
	rg_buf_reset(&b);
	rg_emit_human(&b, &d, &eo);
	rg_emit_gcc(&b, &d, &eo);
	rg_emit_github(&b, &d, &eo);
	rg_buf_free(&b);
out:
	rg_diags_free(&d);
	rg_source_free(src);
	return 0;
}

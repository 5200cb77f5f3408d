/*
 * Lint configuration: defaults, settings from the environment and the
 * command line (rg_lint_config_set), and .relaygate.hujson files.
 * Precedence is the caller's: it applies the file, then the environment,
 * then the flags, each over the previous.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "relaygate/hujson.h"
#include "relaygate/lint.h"

#define MAX_GROUP_SIZE_LIMIT 1000000u

void rg_lint_config_init(struct rg_lint_config *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < RG_LINT_RULE_COUNT; i++)
		c->severity[i] = rg_lint_rule_get(i)->severity;
	c->fail_on = RG_SEV_WARNING;
	c->pragmas = true;
	c->relay_max_group_size = RG_LINT_DEFAULT_MAX_GROUP;
}

static int set_rule(struct rg_lint_config *c, const char *name, size_t n, enum rg_severity sev,
		    struct rg_err *err)
{
	const struct rg_lint_rule *r = rg_lint_rule_findn(name, n);

	if (!r)
		return rg_err_set(err, "unknown rule \"%.*s\"", (int)n, name);
	if (r->flags & RG_LINT_FIXED)
		return rg_err_set(err, "rule %s (%s) cannot be ignored or re-graded", r->id, r->slug);
	c->severity[r->rule] = sev;
	return 0;
}

/* Calls fn on each item of a comma-separated list (blank items skipped). */
static int each_item(struct rg_lint_config *c, const char *list, struct rg_err *err,
		     int (*fn)(struct rg_lint_config *c, const char *s, size_t n, struct rg_err *err))
{
	const char *s = list;

	while (*s) {
		const char *e = strchr(s, ',');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		const char *t = s;

		while (n && (*t == ' ' || *t == '\t'))
			t++, n--;
		while (n && (t[n - 1] == ' ' || t[n - 1] == '\t'))
			n--;
		if (n && fn(c, t, n, err) < 0)
			return -1;
		if (!e)
			break;
		s = e + 1;
	}
	return 0;
}

static int ignore_item(struct rg_lint_config *c, const char *s, size_t n, struct rg_err *err)
{
	return set_rule(c, s, n, RG_SEV_NONE, err);
}

static int severity_item(struct rg_lint_config *c, const char *s, size_t n, struct rg_err *err)
{
	const char *eq = memchr(s, '=', n);
	char level[16];
	enum rg_severity sev;
	size_t ln;

	if (!eq)
		return rg_err_set(err, "\"%.*s\": expected RULE=LEVEL", (int)n, s);
	ln = n - (size_t)(eq - s) - 1;
	if (ln >= sizeof(level))
		return rg_err_set(err, "\"%.*s\": unknown severity", (int)n, s);
	memcpy(level, eq + 1, ln);
	level[ln] = '\0';
	if (rg_severity_parse(level, &sev) < 0)
		return rg_err_set(err, "unknown severity \"%s\" (error, warning, info or none)", level);
	return set_rule(c, s, (size_t)(eq - s), sev, err);
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "yes") ||
	    !strcasecmp(v, "on"))
		*out = true;
	else if (!strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "no") ||
		 !strcasecmp(v, "off"))
		*out = false;
	else
		return -1;
	return 0;
}

static int parse_size(const char *v, unsigned *out)
{
	char *end;
	unsigned long x;

	errno = 0;
	if (!*v || *v == '-' || *v == '+')
		return -1;
	x = strtoul(v, &end, 10);
	if (errno || *end || x > MAX_GROUP_SIZE_LIMIT)
		return -1;
	*out = (unsigned)x;
	return 0;
}

int rg_lint_config_set(struct rg_lint_config *c, const char *key, const char *value,
		       struct rg_err *err)
{
	if (strcmp(key, "fail-on") == 0) {
		if (rg_severity_parse(value, &c->fail_on) < 0)
			return rg_err_set(err, "fail-on: unknown severity \"%s\" (error, warning, info or "
					  "none)", value);
		return 0;
	}
	if (strcmp(key, "ignore") == 0)
		return each_item(c, value, err, ignore_item);
	if (strcmp(key, "severity") == 0)
		return each_item(c, value, err, severity_item);
	if (strcmp(key, "pragmas") == 0) {
		if (parse_bool(value, &c->pragmas) < 0)
			return rg_err_set(err, "pragmas: expected true or false, not \"%s\"", value);
		return 0;
	}
	if (strcmp(key, "relay-max-group-size") == 0) {
		if (parse_size(value, &c->relay_max_group_size) < 0)
			return rg_err_set(err, "relay-max-group-size: expected a number from 0 to %u, "
					  "not \"%s\"", MAX_GROUP_SIZE_LIMIT, value);
		return 0;
	}
	return rg_err_set(err, "unknown setting \"%s\"", key);
}

/* ---- .relaygate.hujson ------------------------------------------------------ */

struct sev_op {
	enum rg_lint_rule_id rule;
	enum rg_severity sev;
};

struct rg_lint_cfgfile {
	struct rg_source *src;
	bool has_fail_on, has_pragmas, has_max;
	enum rg_severity fail_on;
	bool pragmas;
	unsigned max;
	struct sev_op *ops;
	size_t nops;
	struct rg_lint_pattern naming[RG_LINT_NAME_COUNT];
	char *naming_text[RG_LINT_NAME_COUNT];
	struct rg_diags *diags;
	size_t errors;
};

static const char *const name_kinds[RG_LINT_NAME_COUNT] = {
	"group", "tag", "host", "ipset", "posture",
};

static void cfg_error(struct rg_lint_cfgfile *f, struct rg_span span, const char *fmt, ...)
	RG_PRINTF(3, 4);

static void cfg_error(struct rg_lint_cfgfile *f, struct rg_span span, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rg_diag_add(f->diags, RG_RULE_CONFIG, RG_SEV_ERROR, f->src, span, "%s", msg);
	f->errors++;
}

typedef const struct rg_hj_node node_t;

static const char *want_string(struct rg_lint_cfgfile *f, node_t *n, const char *what)
{
	if (n->kind != RG_HJ_STRING) {
		cfg_error(f, n->span, "%s: expected a string, not %s", what, rg_hj_kind_name(n->kind));
		return NULL;
	}
	return json_string_value(n->val);
}

static int add_op(struct rg_lint_cfgfile *f, node_t *n, const char *name, enum rg_severity sev,
		  const char *what)
{
	const struct rg_lint_rule *r = rg_lint_rule_find(name);
	struct sev_op *v;

	if (!r) {
		cfg_error(f, n->key ? n->key_span : n->span, "%s: unknown rule \"%s\"", what, name);
		return 0;
	}
	if (r->flags & RG_LINT_FIXED) {
		cfg_error(f, n->key ? n->key_span : n->span,
			  "%s: rule %s (%s) cannot be ignored or re-graded", what, r->id, r->slug);
		return 0;
	}
	v = realloc(f->ops, (f->nops + 1) * sizeof(*v));
	if (!v)
		return -1;
	f->ops = v;
	v[f->nops++] = (struct sev_op){ r->rule, sev };
	return 0;
}

static int load_ignore(struct rg_lint_cfgfile *f, const struct rg_hujson_doc *doc, node_t *n)
{
	size_t i;

	if (n->kind != RG_HJ_ARRAY) {
		cfg_error(f, n->span, "ignore: expected an array of rule IDs or slugs");
		return 0;
	}
	for (i = 0; i < n->nchildren; i++) {
		node_t *e = rg_hj_child(doc, n, i);
		const char *s = want_string(f, e, "ignore");

		if (s && add_op(f, e, s, RG_SEV_NONE, "ignore") < 0)
			return -1;
	}
	return 0;
}

static int load_severity(struct rg_lint_cfgfile *f, const struct rg_hujson_doc *doc, node_t *n)
{
	size_t i;

	if (n->kind != RG_HJ_OBJECT) {
		cfg_error(f, n->span, "severity: expected an object {RULE: LEVEL}");
		return 0;
	}
	for (i = 0; i < n->nchildren; i++) {
		node_t *e = rg_hj_child(doc, n, i);
		const char *s = want_string(f, e, "severity");
		enum rg_severity sev;

		if (!s)
			continue;
		if (rg_severity_parse(s, &sev) < 0) {
			cfg_error(f, e->span, "severity: unknown level \"%s\" (error, warning, info or "
				  "none)", s);
			continue;
		}
		if (add_op(f, e, e->key, sev, "severity") < 0)
			return -1;
	}
	return 0;
}

static int compile_pattern(struct rg_lint_cfgfile *f, node_t *e, enum rg_lint_name which)
{
	const char *s = want_string(f, e, "naming");
	PCRE2_SIZE off;
	int code;
	pcre2_code *re;

	if (!s)
		return 0;
	re = pcre2_compile((PCRE2_SPTR)s, json_string_length(e->val), PCRE2_UTF, &code, &off, NULL);
	if (!re) {
		PCRE2_UCHAR msg[256];

		if (pcre2_get_error_message(code, msg, sizeof(msg)) < 0)
			strcpy((char *)msg, "invalid pattern");
		cfg_error(f, e->span, "naming.%s: %s at offset %zu of the pattern", name_kinds[which],
			  (const char *)msg, (size_t)off);
		return 0;
	}
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* optional: matching works without it */
	pcre2_code_free((pcre2_code *)f->naming[which].code);
	free(f->naming_text[which]);
	f->naming_text[which] = strdup(s);
	if (!f->naming_text[which]) {
		pcre2_code_free(re);
		f->naming[which].code = NULL;
		return -1;
	}
	f->naming[which].code = re;
	f->naming[which].text = f->naming_text[which];
	return 0;
}

static int load_naming(struct rg_lint_cfgfile *f, const struct rg_hujson_doc *doc, node_t *n)
{
	size_t i, k;

	if (n->kind != RG_HJ_OBJECT) {
		cfg_error(f, n->span, "naming: expected an object {KIND: PATTERN}");
		return 0;
	}
	for (i = 0; i < n->nchildren; i++) {
		node_t *e = rg_hj_child(doc, n, i);

		for (k = 0; k < RG_LINT_NAME_COUNT; k++)
			if (strcmp(e->key, name_kinds[k]) == 0)
				break;
		if (k == RG_LINT_NAME_COUNT) {
			cfg_error(f, e->key_span, "naming: unknown kind \"%s\" (group, tag, host, ipset "
				  "or posture)", e->key);
			continue;
		}
		if (compile_pattern(f, e, (enum rg_lint_name)k) < 0)
			return -1;
	}
	return 0;
}

static int load_key(struct rg_lint_cfgfile *f, const struct rg_hujson_doc *doc, node_t *e)
{
	const char *s;

	if (strcmp(e->key, "fail-on") == 0) {
		if ((s = want_string(f, e, "fail-on")) && rg_severity_parse(s, &f->fail_on) < 0)
			cfg_error(f, e->span, "fail-on: unknown severity \"%s\" (error, warning, info or "
				  "none)", s);
		f->has_fail_on = s != NULL;
	} else if (strcmp(e->key, "ignore") == 0) {
		return load_ignore(f, doc, e);
	} else if (strcmp(e->key, "severity") == 0) {
		return load_severity(f, doc, e);
	} else if (strcmp(e->key, "naming") == 0) {
		return load_naming(f, doc, e);
	} else if (strcmp(e->key, "pragmas") == 0) {
		if (e->kind != RG_HJ_TRUE && e->kind != RG_HJ_FALSE)
			cfg_error(f, e->span, "pragmas: expected true or false");
		f->has_pragmas = true;
		f->pragmas = e->kind == RG_HJ_TRUE;
	} else if (strcmp(e->key, "relay-max-group-size") == 0) {
		json_int_t v = json_is_integer(e->val) ? json_integer_value(e->val) : -1;

		if (v < 0 || v > (json_int_t)MAX_GROUP_SIZE_LIMIT)
			cfg_error(f, e->span, "relay-max-group-size: expected a number from 0 to %u",
				  MAX_GROUP_SIZE_LIMIT);
		f->has_max = true;
		f->max = (unsigned)(v < 0 ? 0 : v);
	} else {
		cfg_error(f, e->key_span, "unknown key \"%s\" (fail-on, ignore, severity, pragmas, "
			  "relay-max-group-size or naming)", e->key);
	}
	return 0;
}

int rg_lint_cfgfile_load(struct rg_source *src, struct rg_lint_cfgfile **out,
			 struct rg_diags *diags)
{
	struct rg_lint_cfgfile *f = calloc(1, sizeof(*f));
	struct rg_hujson_doc *doc = NULL;
	struct rg_hujson_error herr;
	size_t i;
	int ret = -1;

	*out = NULL;
	if (!f) {
		diags->oom = true;
		return -1;
	}
	f->src = src;
	f->diags = diags;
	if (rg_hujson_parse(src, RG_HUJSON_TREE, &doc, &herr) < 0) {
		struct rg_pos pos = rg_source_pos(src, herr.offset);

		cfg_error(f, (struct rg_span){ (uint32_t)herr.offset, (uint32_t)herr.offset + 1 },
			  "hujson: line %u, column %u: %s", pos.line, pos.col, herr.msg);
		goto out;
	}
	if (doc->nodes[0].kind != RG_HJ_OBJECT) {
		cfg_error(f, doc->nodes[0].span, "expected an object at the top level");
		goto out;
	}
	for (i = 0; i < doc->nissues; i++)
		if (doc->issues[i].kind == RG_HJ_ISSUE_DUPLICATE_KEY)
			cfg_error(f, doc->nodes[doc->issues[i].node].key_span, "duplicate key \"%s\"",
				  doc->nodes[doc->issues[i].node].key);
	for (i = 0; i < doc->nodes[0].nchildren; i++)
		if (load_key(f, doc, rg_hj_child(doc, &doc->nodes[0], i)) < 0) {
			diags->oom = true;
			goto out;
		}
	if (!f->errors && !diags->oom) {
		*out = f;
		f = NULL;
		ret = 0;
	}
out:
	rg_hujson_doc_free(doc);
	rg_lint_cfgfile_free(f);
	return ret;
}

void rg_lint_cfgfile_apply(const struct rg_lint_cfgfile *f, struct rg_lint_config *c)
{
	size_t i;

	if (f->has_fail_on)
		c->fail_on = f->fail_on;
	if (f->has_pragmas)
		c->pragmas = f->pragmas;
	if (f->has_max)
		c->relay_max_group_size = f->max;
	for (i = 0; i < f->nops; i++)
		c->severity[f->ops[i].rule] = f->ops[i].sev;
	for (i = 0; i < RG_LINT_NAME_COUNT; i++)
		if (f->naming[i].code)
			c->naming[i] = f->naming[i];
}

void rg_lint_cfgfile_free(struct rg_lint_cfgfile *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < RG_LINT_NAME_COUNT; i++) {
		pcre2_code_free((pcre2_code *)f->naming[i].code);
		free(f->naming_text[i]);
	}
	free(f->ops);
	free(f);
}

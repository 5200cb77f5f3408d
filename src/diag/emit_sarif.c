/*
 * SARIF 2.1.0 for GitHub code scanning. What GitHub requires is always
 * present: $schema, version, runs[].tool.driver.{name, rules[]}, each rule's
 * id, shortDescription, fullDescription and help; each result's
 * message.text, locations[] (artifactLocation.uri relative to %SRCROOT% for
 * relative paths, region with start/end line/column) and
 * partialFingerprints.primaryLocationLineHash (rule, trimmed source line
 * and occurrence, so that alerts survive lines moving). Every rule of the
 * registry is listed, so ruleIndex is the registry index.
 */
#include <stdlib.h>
#include <string.h>

#include "diag/emit.h"
#include "lint/doc.h"

static void jstr(struct rg_buf *out, const char *s)
{
	rg_emit_json_str(out, s);
}

static const char *level(enum rg_severity s)
{
	switch (s) {
	case RG_SEV_ERROR: return "error";
	case RG_SEV_WARNING: return "warning";
	default: return "note";
	}
}

static bool security(const struct rg_lint_rule *r)
{
	return strcmp(r->category, "breadth") == 0 || strcmp(r->category, "relay") == 0;
}

static void rule_meta(struct rg_buf *out, const struct rg_lint_rule *r)
{
	struct rg_buf doc;

	rg_buf_init(&doc, 0);
	rg_buf_puts(out, "{\"id\": ");
	jstr(out, r->id);
	rg_buf_puts(out, ", \"name\": ");
	jstr(out, r->slug);
	rg_buf_puts(out, ", \"shortDescription\": {\"text\": ");
	jstr(out, r->summary);
	rg_buf_puts(out, "}, \"fullDescription\": {\"text\": ");
	jstr(out, r->description);
	rg_buf_puts(out, "}, \"help\": {\"text\": ");
	rg_lint_doc_text(&doc, r);
	rg_buf_json_str(out, doc.data ? doc.data : "", doc.len);
	rg_buf_reset(&doc);
	rg_buf_puts(out, ", \"markdown\": ");
	rg_lint_doc_markdown(&doc, r);
	rg_buf_json_str(out, doc.data ? doc.data : "", doc.len);
	if (rg_buf_failed(&doc))
		out->failed = true;
	rg_buf_free(&doc);
	rg_buf_printf(out, "}, \"defaultConfiguration\": {\"level\": \"%s\"}", level(r->severity));
	rg_buf_printf(out, ", \"properties\": {\"tags\": [\"%s\"%s], \"precision\": \"very-high\", "
		      "\"problem.severity\": \"%s\"",
		      r->category, security(r) ? ", \"security\"" : "",
		      r->severity == RG_SEV_INFO ? "recommendation" : level(r->severity));
	if (security(r))
		rg_buf_printf(out, ", \"security-severity\": \"%s\"",
			      r->severity == RG_SEV_ERROR ? "8.0" : "5.0");
	rg_buf_puts(out, "}}");
}

/* Percent-encodes a path for a URI (RFC 3986 unreserved and "/" kept). */
static void uri_path(struct rg_buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
			rg_buf_putc(out, (char)c);
		} else {
			rg_buf_putc(out, '%');
			rg_buf_putc(out, hex[c >> 4]);
			rg_buf_putc(out, hex[c & 15]);
		}
	}
}

static void artifact(struct rg_buf *out, const char *name)
{
	rg_buf_puts(out, "\"artifactLocation\": {\"uri\": \"");
	if (name[0] == '/') {
		rg_buf_puts(out, "file://");
		uri_path(out, name);
		rg_buf_puts(out, "\"}");
		return;
	}
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	uri_path(out, name);
	rg_buf_puts(out, "\", \"uriBaseId\": \"%SRCROOT%\"}");
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ull;
	return h;
}

/* Hash of the rule and the finding's source line without surrounding blanks. */
static uint64_t line_hash(const struct rg_diag *d)
{
	uint64_t h = fnv(1469598103934665603ull, d->rule, strlen(d->rule) + 1);
	const char *line;
	size_t n;

	if (!d->src)
		return h;
	line = rg_source_line(d->src, d->span.start, &n);
	while (n && (*line == ' ' || *line == '\t'))
		line++, n--;
	while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	return fnv(h, line, n);
}

struct fp {
	const struct rg_source *src;
	uint64_t hash;
	size_t idx;
};

static int fp_cmp(const void *a, const void *b)
{
	const struct fp *x = a, *y = b;

	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Occurrence numbers of equal (file, hash) pairs, in output order. */
static size_t *occurrences(const struct rg_diags *d, uint64_t *hashes)
{
	struct fp *v = malloc((d->n + 1) * sizeof(*v));
	size_t *occ = calloc(d->n + 1, sizeof(*occ));
	size_t i, k;

	if (!v || !occ) {
		free(v);
		free(occ);
		return NULL;
	}
	for (i = 0; i < d->n; i++) {
		hashes[i] = line_hash(&d->v[i]);
		v[i] = (struct fp){ d->v[i].src, hashes[i], i };
	}
	qsort(v, d->n, sizeof(*v), fp_cmp);
	for (i = 0, k = 0; i < d->n; i++) {
		k = i && v[i].src == v[i - 1].src && v[i].hash == v[i - 1].hash ? k + 1 : 1;
		occ[v[i].idx] = k;
	}
	free(v);
	return occ;
}

static void result(struct rg_buf *out, const struct rg_diag *x, uint64_t hash, size_t occ)
{
	const struct rg_lint_rule *r = rg_lint_rule_find(x->rule);
	struct rg_emit_loc loc;

	rg_emit_locate(x, &loc);
	rg_buf_puts(out, "{\"ruleId\": ");
	jstr(out, r ? r->id : x->rule);
	if (r)
		rg_buf_printf(out, ", \"ruleIndex\": %d", (int)r->rule);
	rg_buf_printf(out, ", \"level\": \"%s\", \"message\": {\"text\": ", level(x->severity));
	jstr(out, x->message);
	rg_buf_puts(out, "}, \"locations\": [{\"physicalLocation\": {");
	artifact(out, x->src ? x->src->name : "-");
	rg_buf_printf(out, ", \"region\": {\"startLine\": %u, \"startColumn\": %u, \"endLine\": %u, "
		      "\"endColumn\": %u}}}], ", loc.line, loc.col, loc.end_line, loc.end_col);
	rg_buf_printf(out, "\"partialFingerprints\": {\"primaryLocationLineHash\": \"%016llx:%zu\"}}",
		      (unsigned long long)hash, occ);
}

void rg_emit_sarif(struct rg_buf *out, const struct rg_diags *d, const struct rg_emit_opts *o)
{
	uint64_t *hashes = calloc(d->n + 1, sizeof(*hashes));
	size_t *occ = hashes ? occurrences(d, hashes) : NULL;
	bool first = true;
	size_t i;

	(void)o;
	if (!occ) {
		out->failed = true; /* reported by the caller as out of memory */
		free(hashes);
		return;
	}
	rg_buf_puts(out, "{\"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\", "
			 "\"version\": \"2.1.0\", \"runs\": [{\n");
	rg_buf_puts(out, "\"tool\": {\"driver\": {\"name\": \"relaygate\", \"version\": \"" RG_VERSION
			 "\", \"semanticVersion\": \"" RG_VERSION "\", \"rules\": [");
	for (i = 0; i < RG_LINT_RULE_COUNT; i++) {
		rg_buf_puts(out, i ? ",\n  " : "\n  ");
		rule_meta(out, rg_lint_rule_get(i));
	}
	rg_buf_puts(out, "\n]}},\n\"columnKind\": \"unicodeCodePoints\",\n\"results\": [");
	for (i = 0; i < d->n; i++) {
		if (d->v[i].suppressed)
			continue;
		rg_buf_puts(out, first ? "\n  " : ",\n  ");
		first = false;
		result(out, &d->v[i], hashes[i], occ[i]);
	}
	rg_buf_puts(out, first ? "]}]}\n" : "\n]}]}\n");
	free(hashes);
	free(occ);
}

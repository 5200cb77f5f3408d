#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relaygate/diag.h"

void rg_diags_init(struct rg_diags *d)
{
	memset(d, 0, sizeof(*d));
}

void rg_diags_free(struct rg_diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->v[i].message);
	free(d->v);
	rg_diags_init(d);
}

int rg_diag_add(struct rg_diags *d, const char *rule, enum rg_severity sev,
		struct rg_source *src, struct rg_span span, const char *fmt, ...)
{
	struct rg_diag *x;
	va_list ap;
	char *msg = NULL;
	int n;

	if (d->n == d->cap) {
		size_t c = d->cap ? d->cap * 2 : 8;
		struct rg_diag *v = realloc(d->v, c * sizeof(*v));

		if (!v) {
			d->oom = true;
			return -1;
		}
		d->v = v;
		d->cap = c;
	}
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0) {
		d->oom = true;
		return -1;
	}
	x = &d->v[d->n++];
	x->rule = rule;
	x->severity = sev;
	x->src = src;
	x->span = span;
	x->message = msg;
	x->suppressed = false;
	return 0;
}

int rg_diags_append(struct rg_diags *dst, struct rg_diags *src)
{
	if (!src->n)
		return 0;
	if (dst->cap - dst->n < src->n) {
		size_t c = dst->n + src->n;
		struct rg_diag *v = realloc(dst->v, c * sizeof(*v));

		if (!v) {
			dst->oom = true;
			return -1;
		}
		dst->v = v;
		dst->cap = c;
	}
	memcpy(dst->v + dst->n, src->v, src->n * sizeof(*src->v));
	dst->n += src->n;
	dst->oom = dst->oom || src->oom;
	free(src->v);
	rg_diags_init(src);
	return 0;
}

size_t rg_diags_count(const struct rg_diags *d, enum rg_severity sev)
{
	size_t i, n = 0;

	for (i = 0; i < d->n; i++)
		if (!d->v[i].suppressed && d->v[i].severity >= sev && d->v[i].severity != RG_SEV_NONE)
			n++;
	return n;
}

struct diag_ref {
	struct rg_diag d;
	size_t seq;
};

/* File, offset, rule; ties keep insertion order (qsort is not stable). */
static int diag_cmp(const void *a, const void *b)
{
	const struct diag_ref *x = a, *y = b;
	int c = 0;

	if (x->d.src != y->d.src)
		c = strcmp(x->d.src ? x->d.src->name : "", y->d.src ? y->d.src->name : "");
	if (!c && x->d.span.start != y->d.span.start)
		c = x->d.span.start < y->d.span.start ? -1 : 1;
	if (!c)
		c = strcmp(x->d.rule, y->d.rule);
	if (!c)
		c = x->seq < y->seq ? -1 : x->seq > y->seq;
	return c;
}

void rg_diags_sort(struct rg_diags *d)
{
	struct diag_ref *tmp;
	size_t i;

	if (d->n < 2)
		return;
	tmp = malloc(d->n * sizeof(*tmp));
	if (!tmp)
		return; /* unsorted output is still correct output */
	for (i = 0; i < d->n; i++)
		tmp[i] = (struct diag_ref){ d->v[i], i };
	qsort(tmp, d->n, sizeof(*tmp), diag_cmp);
	for (i = 0; i < d->n; i++)
		d->v[i] = tmp[i].d;
	free(tmp);
}

const char *rg_severity_name(enum rg_severity s)
{
	switch (s) {
	case RG_SEV_ERROR: return "error";
	case RG_SEV_WARNING: return "warning";
	case RG_SEV_INFO: return "info";
	case RG_SEV_NONE: return "none";
	}
	return "none";
}

int rg_severity_parse(const char *s, enum rg_severity *out)
{
	if (strcmp(s, "error") == 0)
		*out = RG_SEV_ERROR;
	else if (strcmp(s, "warning") == 0)
		*out = RG_SEV_WARNING;
	else if (strcmp(s, "info") == 0 || strcmp(s, "note") == 0)
		*out = RG_SEV_INFO;
	else if (strcmp(s, "none") == 0 || strcmp(s, "off") == 0)
		*out = RG_SEV_NONE;
	else
		return -1;
	return 0;
}

/*
 * JSON: every line and every non-empty cell, whatever the limit.
 *
 * {"version": 1, "kind": "nodes"|"principals", "cap": null|NAME, "aggregated": BOOL,
 *  "rows": [LINE...], "cols": [LINE...], "cells": [{"src": I, "dst": J, "access": ACCESS}],
 *  "idle": {"rows": [NAME...], "cols": [NAME...]}}
 * LINE = {"label", "kind", "members": [NAME...]}, and for routed destinations
 * (kind "route", "routes") "routes": [{"via": NODE, "addresses": [INTERVAL...]}]
 * per member; ACCESS: see json_access.
 */
#include <string.h>

#include "matrix/render.h"
#include "matrix/routes.h"

static void put_str(struct rg_buf *b, const char *s)
{
	rg_buf_json_str(b, s, strlen(s));
}

static void put_names(struct rg_buf *b, const char *const *v, size_t n)
{
	size_t i;

	rg_buf_putc(b, '[');
	for (i = 0; i < n; i++) {
		if (i)
			rg_buf_puts(b, ", ");
		put_str(b, v[i]);
	}
	rg_buf_putc(b, ']');
}

static void put_routes(struct rg_buf *b, const struct rg_matrix_route *r, size_t n)
{
	size_t i, k;

	rg_buf_puts(b, ", \"routes\": [");
	for (i = 0; i < n; i++) {
		rg_buf_puts(b, i ? ", {\"via\": " : "{\"via\": ");
		put_str(b, r[i].via);
		rg_buf_puts(b, ", \"addresses\": [");
		for (k = 0; k < r[i].nranges; k++) {
			rg_buf_puts(b, k ? ", \"" : "\"");
			route_put_interval(b, r[i].ranges[k].lo, r[i].ranges[k].hi, r[i].ranges[k].is6);
			rg_buf_putc(b, '"');
		}
		rg_buf_puts(b, "]}");
	}
	rg_buf_putc(b, ']');
}

static void put_lines(struct rg_buf *b, const char *name, const struct rg_matrix_line *l, size_t n)
{
	size_t i;

	rg_buf_printf(b, "  \"%s\": [", name);
	for (i = 0; i < n; i++) {
		rg_buf_puts(b, i ? ",\n    {\"label\": " : "\n    {\"label\": ");
		put_str(b, l[i].label);
		rg_buf_puts(b, ", \"kind\": ");
		put_str(b, l[i].kind);
		rg_buf_puts(b, ", \"members\": ");
		put_names(b, l[i].members, l[i].nmembers);
		if (l[i].routes)
			put_routes(b, l[i].routes, l[i].nmembers);
		rg_buf_putc(b, '}');
	}
	rg_buf_puts(b, n ? "\n  ],\n" : "],\n");
}

int render_json(const struct view *v, struct rg_buf *b)
{
	const struct rg_matrix *m = v->m;
	size_t i;

	rg_buf_printf(b, "{\n  \"version\": 1,\n  \"kind\": \"%s\",\n  \"cap\": ",
		      m->kind == RG_MATRIX_PRINCIPALS ? "principals" : "nodes");
	if (m->cap)
		put_str(b, m->cap);
	else
		rg_buf_puts(b, "null");
	rg_buf_printf(b, ",\n  \"aggregated\": %s,\n", m->aggregated ? "true" : "false");
	put_lines(b, "rows", m->rows, m->nrows);
	put_lines(b, "cols", m->cols, m->ncols);
	rg_buf_puts(b, "  \"cells\": [");
	for (i = 0; i < m->ncells; i++) {
		rg_buf_printf(b, "%s    {\"src\": %u, \"dst\": %u, \"access\": ", i ? ",\n" : "\n",
			      m->cells[i].row, m->cells[i].col);
		json_access(b, m->cells[i].access);
		rg_buf_putc(b, '}');
	}
	rg_buf_puts(b, m->ncells ? "\n  ],\n  \"idle\": {\"rows\": " : "],\n  \"idle\": {\"rows\": ");
	put_names(b, m->idle_rows, m->nidle_rows);
	rg_buf_puts(b, ", \"cols\": ");
	put_names(b, m->idle_cols, m->nidle_cols);
	rg_buf_puts(b, "}\n}\n");
	return rg_buf_failed(b) ? -1 : 0;
}

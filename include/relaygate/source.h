/*
 * A named input buffer and its line map.
 *
 * Every diagnostic points into a struct rg_source by byte offset; line and
 * column are computed on demand from a lazily built index of line starts.
 * Lines end at LF only (as in Tailscale's HuJSON error positions).
 *
 * Ownership: rg_source_load/rg_source_from_mem copy what they are given;
 * rg_source_free releases everything (and accepts NULL).
 */
#ifndef RELAYGATE_SOURCE_H
#define RELAYGATE_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "relaygate/err.h"

struct rg_source {
	char *name;       /* as given by the user; "<stdin>" for "-" */
	char *data;       /* NUL-terminated */
	size_t len;
	uint32_t *lines;  /* offsets of line starts, built on first use */
	size_t nlines;
};

struct rg_pos {
	unsigned line;    /* 1-based */
	unsigned col;     /* 1-based byte column */
	unsigned ucol;    /* 1-based column in code points */
};

struct rg_span {
	uint32_t start;   /* byte offset of the first byte */
	uint32_t end;     /* byte offset one past the last byte */
};

struct rg_source *rg_source_load(const char *path, size_t max, struct rg_err *err);
struct rg_source *rg_source_from_mem(const char *name, const char *data, size_t len);
void rg_source_free(struct rg_source *src);

/* Position of byte offset off (clamped to len). */
struct rg_pos rg_source_pos(struct rg_source *src, size_t off);
/* The line containing off, without its LF (and without a CR before it). */
const char *rg_source_line(struct rg_source *src, size_t off, size_t *len);

#endif

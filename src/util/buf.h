/*
 * Bounded growable byte buffer (after curl's dynbuf).
 *
 * Every buffer has a maximum size fixed at init; an append past it, or a
 * failed allocation, marks the buffer failed, frees its storage and makes
 * every later append a no-op. Check rg_buf_failed() (or the return of
 * rg_buf_take()) once at the end instead of after each append.
 * The data is always NUL-terminated (the NUL is not counted in len).
 */
#ifndef RG_UTIL_BUF_H
#define RG_UTIL_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "relaygate/err.h"

#define RG_BUF_DEFAULT_MAX ((size_t)256 << 20)

struct rg_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
	bool failed;
};

void rg_buf_init(struct rg_buf *b, size_t max);
void rg_buf_free(struct rg_buf *b);
void rg_buf_reset(struct rg_buf *b);
int rg_buf_reserve(struct rg_buf *b, size_t extra);
int rg_buf_append(struct rg_buf *b, const void *p, size_t n);
int rg_buf_puts(struct rg_buf *b, const char *s);
int rg_buf_putc(struct rg_buf *b, char c);
int rg_buf_printf(struct rg_buf *b, const char *fmt, ...) RG_PRINTF(2, 3);
int rg_buf_vprintf(struct rg_buf *b, const char *fmt, va_list ap) RG_PRINTF(2, 0);
int rg_buf_repeat(struct rg_buf *b, char c, size_t n);
/* Appends s as a JSON string literal (quotes included). */
int rg_buf_json_str(struct rg_buf *b, const char *s, size_t n);
static inline bool rg_buf_failed(const struct rg_buf *b) { return b->failed; }
/* Hands the storage to the caller (free() it); NULL if the buffer failed. */
char *rg_buf_take(struct rg_buf *b, size_t *len);

#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

void rg_buf_init(struct rg_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : RG_BUF_DEFAULT_MAX;
	b->failed = false;
}

void rg_buf_free(struct rg_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void rg_buf_reset(struct rg_buf *b)
{
	b->len = 0;
	b->failed = false;
	if (b->data)
		b->data[0] = '\0';
}

static int buf_fail(struct rg_buf *b)
{
	rg_buf_free(b);
	b->failed = true;
	return -1;
}

int rg_buf_reserve(struct rg_buf *b, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (b->failed)
		return -1;
	if (extra > b->max || b->len > b->max - extra)
		return buf_fail(b);
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > ((size_t)-1) / 2 ? need : ncap * 2;
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	p = realloc(b->data, ncap);
	if (!p)
		return buf_fail(b);
	b->data = p;
	b->cap = ncap;
	return 0;
}

int rg_buf_append(struct rg_buf *b, const void *p, size_t n)
{
	if (rg_buf_reserve(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int rg_buf_puts(struct rg_buf *b, const char *s)
{
	return rg_buf_append(b, s, strlen(s));
}

int rg_buf_putc(struct rg_buf *b, char c)
{
	return rg_buf_append(b, &c, 1);
}

int rg_buf_repeat(struct rg_buf *b, char c, size_t n)
{
	if (rg_buf_reserve(b, n) < 0)
		return -1;
	memset(b->data + b->len, c, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int rg_buf_vprintf(struct rg_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	if (b->failed)
		return -1;
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return buf_fail(b);
	if (rg_buf_reserve(b, (size_t)n) < 0)
		return -1;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int rg_buf_printf(struct rg_buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = rg_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

int rg_buf_json_str(struct rg_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	rg_buf_putc(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[7];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		rg_buf_append(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		default:
			u[0] = '\\'; u[1] = 'u'; u[2] = '0'; u[3] = '0';
			u[4] = hex[c >> 4]; u[5] = hex[c & 15]; u[6] = '\0';
			esc = u;
		}
		rg_buf_puts(b, esc);
	}
	rg_buf_append(b, s + run, n - run);
	return rg_buf_putc(b, '"');
}

char *rg_buf_take(struct rg_buf *b, size_t *len)
{
	char *p;

	if (b->failed)
		return NULL;
	if (!b->data && rg_buf_reserve(b, 0) < 0)
		return NULL;
	p = b->data;
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

/*
 * HuJSON parser. The control flow mirrors tailscale/hujson's parse.go so
 * that verdicts, messages and positions match it byte for byte:
 *
 *   value    := extra (object | array | string | literal)
 *   extra    := (ws | "//" ... LF | "/" "*" ... "*" "/")*, valid UTF-8
 *   literal  := longest run of [-+.0-9A-Za-z], then checked as JSON
 *   string   := '"' ... '"' (backslash skips one byte), then checked as JSON
 *
 * Errors point at the start of the offending token, comment or literal;
 * "unexpected EOF" errors point at the end of the input, except for an
 * unterminated comment, which points at the comment. "invalid UTF-8 in
 * comment" points at the start of the whitespace run holding the comment.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relaygate/hujson.h"
#include "util/hex.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/utf8.h"

struct parser {
	const unsigned char *b;
	size_t len;
	bool tree;          /* building nodes and jansson values */
	unsigned notree;    /* > 0 while parsing a non-string object name */
	unsigned depth;
	bool oom;
	struct rg_hujson_error *err;

	struct rg_span *comments;
	size_t ncomments, capcomments;
	uint32_t *commas;
	size_t ncommas, capcommas;

	struct rg_hj_node *nodes;
	size_t nnodes, capnodes;
	uint32_t *stack;     /* child indices of the open containers */
	size_t nstack, capstack;
	struct rg_hj_issue *issues;
	size_t nissues, capissues;
	json_t **held;       /* values replaced by a later duplicate member */
	size_t nheld, capheld;

	struct rg_arena *arena;
	struct rg_buf scratch;
};

struct doc_priv {
	struct rg_arena arena;
	json_t **held;
	size_t nheld;
};

/* Byte classes for the string scanner: 0 = ordinary ASCII. */
enum { C_PLAIN = 0, C_QUOTE, C_BSLASH, C_CTRL, C_HIGH };
static unsigned char str_class[256];
static bool literal_char[256];

static void tables_init(void)
{
	static bool done;
	int c;

	if (done)
		return;
	for (c = 0; c < 256; c++) {
		str_class[c] = c < 0x20 ? C_CTRL : c >= 0x80 ? C_HIGH : C_PLAIN;
		literal_char[c] = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
				  (c >= 'A' && c <= 'Z') || c == '-' || c == '+' || c == '.';
	}
	str_class['"'] = C_QUOTE;
	str_class['\\'] = C_BSLASH;
	done = true;
}

#define GROW(p, arr, n, cap, type)                                                       \
	((n) < (cap) ? 0 : grow_array((p), (void **)&(arr), &(cap), sizeof(type)))

static int grow_array(struct parser *p, void **arr, size_t *cap, size_t elem)
{
	size_t ncap = *cap ? *cap * 2 : 16;
	void *q = realloc(*arr, ncap * elem);

	if (!q) {
		p->oom = true;
		return -1;
	}
	*arr = q;
	*cap = ncap;
	return 0;
}

static int fail(struct parser *p, size_t off, const char *fmt, ...) RG_PRINTF(3, 4);

static int fail(struct parser *p, size_t off, const char *fmt, ...)
{
	va_list ap;

	p->err->offset = off;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int fail_oom(struct parser *p)
{
	p->oom = true;
	p->err->offset = 0;
	snprintf(p->err->msg, sizeof(p->err->msg), "out of memory");
	return -1;
}

/* The offending rune as the reference quotes it: 'x', '\xNN', '\uNNNN', '\UNNNNNNNN'. */
static void quote_rune(const unsigned char *s, size_t n, char *out, size_t outlen)
{
	uint32_t cp;
	size_t l = rg_utf8_decode(s, n, &cp);

	if (!l)
		snprintf(out, outlen, "'\\x%02x'", s[0]);
	else if (cp == '\'')
		snprintf(out, outlen, "'\\''");
	else if (rg_unicode_isprint(cp))
		snprintf(out, outlen, "'%.*s'", (int)l, (const char *)s);
	else if (cp <= 0xFFFF)
		snprintf(out, outlen, "'\\u%04x'", cp);
	else
		snprintf(out, outlen, "'\\U%08x'", cp);
}

static int fail_char(struct parser *p, size_t n, const char *where)
{
	char q[16];

	quote_rune(p->b + n, p->len - n, q, sizeof(q));
	return fail(p, n, "invalid character %s %s", q, where);
}

static int fail_eof(struct parser *p, const char *what)
{
	return fail(p, p->len, "%s: unexpected EOF", what);
}

static size_t skip_ws(const struct parser *p, size_t n)
{
	while (n < p->len) {
		unsigned char c = p->b[n];

		if (c != ' ' && c != '\n' && c != '\t' && c != '\r')
			break;
		n++;
	}
	return n;
}

/* Whitespace and comments. */
static int p_extra(struct parser *p, size_t *np)
{
	size_t n = *np, n0 = n, first = p->ncomments, i;

	for (;;) {
		n = skip_ws(p, n);
		if (n + 1 < p->len && p->b[n] == '/' && p->b[n + 1] == '/') {
			const unsigned char *nl = memchr(p->b + n + 2, '\n', p->len - n - 2);

			if (!nl)
				return fail(p, n, "parsing comment: unexpected EOF");
			if (GROW(p, p->comments, p->ncomments, p->capcomments, struct rg_span) < 0)
				return fail_oom(p);
			p->comments[p->ncomments++] = (struct rg_span){ (uint32_t)n,
									(uint32_t)(nl - p->b) };
			n = (size_t)(nl - p->b) + 1;
		} else if (n + 1 < p->len && p->b[n] == '/' && p->b[n + 1] == '*') {
			const unsigned char *end = NULL, *s = p->b + n + 2;
			size_t left = p->len - n - 2;

			while (left >= 2) {
				const unsigned char *star = memchr(s, '*', left - 1);

				if (!star)
					break;
				if (star[1] == '/') {
					end = star + 2;
					break;
				}
				left -= (size_t)(star + 1 - s);
				s = star + 1;
			}
			if (!end)
				return fail(p, n, "parsing comment: unexpected EOF");
			if (GROW(p, p->comments, p->ncomments, p->capcomments, struct rg_span) < 0)
				return fail_oom(p);
			p->comments[p->ncomments++] = (struct rg_span){ (uint32_t)n,
									(uint32_t)(end - p->b) };
			n = (size_t)(end - p->b);
		} else {
			break;
		}
	}
	for (i = first; i < p->ncomments; i++) {
		const struct rg_span *c = &p->comments[i];

		if (rg_utf8_check(p->b + c->start, c->end - c->start) != c->end - c->start)
			return fail(p, n0, "invalid UTF-8 in comment");
	}
	*np = n;
	return 0;
}

static bool building(const struct parser *p)
{
	return p->tree && !p->notree;
}

static int node_new(struct parser *p, enum rg_hj_kind kind, size_t start, uint32_t *idx)
{
	struct rg_hj_node *nd;

	if (GROW(p, p->nodes, p->nnodes, p->capnodes, struct rg_hj_node) < 0)
		return fail_oom(p);
	if (p->nnodes >= RG_HJ_NONE)
		return fail_oom(p);
	nd = &p->nodes[p->nnodes];
	memset(nd, 0, sizeof(*nd));
	nd->kind = (uint8_t)kind;
	nd->parent = RG_HJ_NONE;
	nd->span.start = (uint32_t)start;
	*idx = (uint32_t)p->nnodes++;
	return 0;
}

static int issue_add(struct parser *p, enum rg_hj_issue_kind kind, uint32_t node, uint32_t other)
{
	if (GROW(p, p->issues, p->nissues, p->capissues, struct rg_hj_issue) < 0)
		return fail_oom(p);
	p->issues[p->nissues++] = (struct rg_hj_issue){ kind, node, other };
	return 0;
}

static uint32_t hex4(const unsigned char *s)
{
	return (uint32_t)(rg_hex_digit(s[0]) << 12 | rg_hex_digit(s[1]) << 8 | rg_hex_digit(s[2]) << 4 | rg_hex_digit(s[3]));
}

/*
 * Decodes the (already validated) string literal b[start..end) into
 * p->scratch. Lone surrogates become U+FFFD, as Go's decoder does.
 */
static int decode_string(struct parser *p, size_t start, size_t end)
{
	const unsigned char *s = p->b + start + 1, *e = p->b + end - 1;

	rg_buf_reset(&p->scratch);
	while (s < e) {
		const unsigned char *run = s;
		char u8[4];
		uint32_t cp;

		while (s < e && *s != '\\')
			s++;
		rg_buf_append(&p->scratch, run, (size_t)(s - run));
		if (s >= e)
			break;
		s++;
		switch (*s++) {
		case '"': rg_buf_putc(&p->scratch, '"'); break;
		case '\\': rg_buf_putc(&p->scratch, '\\'); break;
		case '/': rg_buf_putc(&p->scratch, '/'); break;
		case 'b': rg_buf_putc(&p->scratch, '\b'); break;
		case 'f': rg_buf_putc(&p->scratch, '\f'); break;
		case 'n': rg_buf_putc(&p->scratch, '\n'); break;
		case 'r': rg_buf_putc(&p->scratch, '\r'); break;
		case 't': rg_buf_putc(&p->scratch, '\t'); break;
		case 'u':
			cp = hex4(s);
			s += 4;
			if (cp >= 0xD800 && cp <= 0xDBFF && e - s >= 6 && s[0] == '\\' &&
			    s[1] == 'u' && rg_hex_digit(s[2]) >= 0 && rg_hex_digit(s[3]) >= 0 &&
			    rg_hex_digit(s[4]) >= 0 && rg_hex_digit(s[5]) >= 0) {
				uint32_t lo = hex4(s + 2);

				if (lo >= 0xDC00 && lo <= 0xDFFF) {
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					s += 6;
				} else {
					cp = 0xFFFD;
				}
			} else if (cp >= 0xD800 && cp <= 0xDFFF) {
				cp = 0xFFFD;
			}
			rg_buf_append(&p->scratch, u8, rg_utf8_encode(cp, u8));
			break;
		default:
			break; /* unreachable: validated */
		}
	}
	if (rg_buf_failed(&p->scratch))
		return fail_oom(p);
	if (!p->scratch.data && rg_buf_reserve(&p->scratch, 0) < 0)
		return fail_oom(p);
	return 0;
}

/*
 * Finds the end of the string at n (which is '"'), checks it as JSON and
 * as UTF-8. On success *np is one past the closing quote and *escaped says
 * whether decoding is needed.
 */
static int scan_string(struct parser *p, size_t *np, bool *escaped)
{
	size_t n0 = *np, n = n0 + 1, bad_utf8 = (size_t)-1;
	bool invalid = false, esc = false;

	for (;;) {
		unsigned char c;

		while (n < p->len && str_class[p->b[n]] == C_PLAIN)
			n++;
		if (n >= p->len)
			return fail_eof(p, "parsing string");
		c = p->b[n];
		switch (str_class[c]) {
		case C_QUOTE:
			n++;
			goto done;
		case C_BSLASH:
			esc = true;
			if (n + 1 >= p->len) {
				n = p->len;
				return fail_eof(p, "parsing string");
			}
			switch (p->b[n + 1]) {
			case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
				break;
			case 'u':
				if (n + 6 > p->len || rg_hex_digit(p->b[n + 2]) < 0 || rg_hex_digit(p->b[n + 3]) < 0 ||
				    rg_hex_digit(p->b[n + 4]) < 0 || rg_hex_digit(p->b[n + 5]) < 0)
					invalid = true;
				break;
			default:
				invalid = true;
			}
			n += 2;
			break;
		case C_CTRL:
			invalid = true;
			n++;
			break;
		case C_HIGH: {
			uint32_t cp;
			size_t l = rg_utf8_decode(p->b + n, p->len - n, &cp);

			if (!l) {
				if (bad_utf8 == (size_t)-1)
					bad_utf8 = n;
				l = 1;
			}
			n += l;
			break;
		}
		}
	}
done:
	if (invalid)
		return fail(p, n0, "invalid literal: %.*s", (int)(n - n0), (const char *)p->b + n0);
	if (bad_utf8 != (size_t)-1)
		return fail(p, bad_utf8, "invalid UTF-8 in string");
	*np = n;
	*escaped = esc;
	return 0;
}

static bool valid_number(const unsigned char *s, size_t n, bool *integer)
{
	size_t i = 0;

	*integer = true;
	if (i < n && s[i] == '-')
		i++;
	if (i >= n)
		return false;
	if (s[i] == '0') {
		i++;
	} else if (s[i] >= '1' && s[i] <= '9') {
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	} else {
		return false;
	}
	if (i < n && s[i] == '.') {
		*integer = false;
		i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return false;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		*integer = false;
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return false;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return i == n;
}

static json_t *make_number(struct parser *p, const unsigned char *s, size_t n, bool integer,
			   bool *range_error)
{
	char tmp[64], *heap = NULL, *txt = tmp;
	json_t *v = NULL;

	*range_error = false;
	if (n >= sizeof(tmp)) {
		heap = malloc(n + 1);
		if (!heap)
			return NULL;
		txt = heap;
	}
	memcpy(txt, s, n);
	txt[n] = '\0';
	if (integer) {
		long long ll;

		errno = 0;
		ll = strtoll(txt, NULL, 10);
		if (errno == 0) {
			v = json_integer((json_int_t)ll);
			goto out;
		}
	}
	{
		double d;

		errno = 0;
		d = strtod(txt, NULL);
		if (isinf(d) || isnan(d)) {
			*range_error = true;
			v = json_null();
		} else {
			v = json_real(d);
		}
	}
out:
	free(heap);
	(void)p;
	return v;
}

static int p_value(struct parser *p, size_t *np, uint32_t *out);

static int child_push(struct parser *p, uint32_t idx)
{
	if (GROW(p, p->stack, p->nstack, p->capstack, uint32_t) < 0)
		return fail_oom(p);
	p->stack[p->nstack++] = idx;
	return 0;
}

/* Moves the children pushed since base into node idx. */
static int children_close(struct parser *p, uint32_t idx, size_t base)
{
	size_t k = p->nstack - base;
	struct rg_hj_node *nd = &p->nodes[idx];

	nd->nchildren = (uint32_t)k;
	if (k) {
		nd->children = rg_arena_alloc(p->arena, k * sizeof(uint32_t));
		if (!nd->children)
			return fail_oom(p);
		memcpy(nd->children, p->stack + base, k * sizeof(uint32_t));
	}
	p->nstack = base;
	return 0;
}

static int depth_enter(struct parser *p, size_t n)
{
	if (++p->depth > RG_HUJSON_MAX_DEPTH)
		return fail(p, n, "nesting depth exceeds the limit of %d", RG_HUJSON_MAX_DEPTH);
	return 0;
}

static int add_member(struct parser *p, uint32_t obj, size_t base, uint32_t child, const char *key,
		      size_t klen)
{
	json_t *o = p->nodes[obj].val, *old;
	struct rg_hj_node *c = &p->nodes[child];

	old = json_object_getn(o, key, klen);
	if (old) {
		size_t i;

		/* Keep the earlier value alive: its node still points at it. */
		if (GROW(p, p->held, p->nheld, p->capheld, json_t *) < 0)
			return fail_oom(p);
		p->held[p->nheld++] = json_incref(old);
		for (i = p->nstack; i-- > base;) {
			const struct rg_hj_node *prev = &p->nodes[p->stack[i]];

			if (p->stack[i] != child && prev->key && prev->key_len == klen &&
			    memcmp(prev->key, key, klen) == 0) {
				if (issue_add(p, RG_HJ_ISSUE_DUPLICATE_KEY, child, p->stack[i]) < 0)
					return -1;
				break;
			}
		}
	}
	if (memchr(key, '\0', klen) && issue_add(p, RG_HJ_ISSUE_NUL_IN_KEY, child, 0) < 0)
		return -1;
	c->parent = obj; /* the object owns the value from here on */
	if (json_object_setn_new(o, key, klen, c->val) < 0)
		return fail_oom(p);
	return 0;
}

/*
 * After an object member or array element: a ',' (a trailing one when the
 * closing bracket follows it) or the closing bracket. Returns 1 when the
 * container is closed, 0 when another value follows, -1 on error.
 */
static int p_after_value(struct parser *p, size_t *np, char close, const char *eof_what,
			 const char *char_where)
{
	size_t n = *np;

	if (p_extra(p, &n) < 0)
		return -1;
	if (n >= p->len)
		return fail_eof(p, eof_what);
	if (p->b[n] == ',') {
		size_t comma = n++;

		if (p_extra(p, &n) < 0)
			return -1;
		if (n < p->len && p->b[n] == close) {
			if (GROW(p, p->commas, p->ncommas, p->capcommas, uint32_t) < 0)
				return fail_oom(p);
			p->commas[p->ncommas++] = (uint32_t)comma;
			*np = n + 1;
			return 1;
		}
		*np = n;
		return 0;
	}
	if (p->b[n] == close) {
		*np = n + 1;
		return 1;
	}
	return fail_char(p, n, char_where);
}

static int p_object(struct parser *p, size_t *np, uint32_t self)
{
	size_t n = *np + 1, base = p->nstack;
	bool build = building(p);

	if (depth_enter(p, *np) < 0)
		return -1;
	for (;;) {
		size_t name_start, key_end;
		bool escaped = false;
		const char *key = NULL;
		size_t klen = 0;
		uint32_t child = RG_HJ_NONE;
		int r;

		if (p_extra(p, &n) < 0)
			return -1;
		if (n < p->len && p->b[n] == '}') {
			n++;
			break;
		}
		/* The name: parsed as any value, then required to be a string. */
		name_start = n;
		if (n < p->len && p->b[n] == '"') {
			if (scan_string(p, &n, &escaped) < 0)
				return -1;
		} else {
			uint32_t ignored;

			p->notree++;
			if (p_value(p, &n, &ignored) < 0)
				return -1;
			p->notree--;
			return fail_char(p, name_start, "at start of object name");
		}
		key_end = n;
		if (build) {
			if (escaped) {
				if (decode_string(p, name_start, key_end) < 0)
					return -1;
				key = rg_arena_strndup(p->arena, p->scratch.data, p->scratch.len);
				klen = p->scratch.len;
			} else {
				klen = key_end - name_start - 2;
				key = rg_arena_strndup(p->arena, (const char *)p->b + name_start + 1, klen);
			}
			if (!key)
				return fail_oom(p);
		}
		if (p_extra(p, &n) < 0)
			return -1;
		if (n >= p->len)
			return fail_eof(p, "parsing object after name");
		if (p->b[n] != ':')
			return fail_char(p, n, "after object name");
		n++;
		if (p_extra(p, &n) < 0)
			return -1;
		if (p_value(p, &n, &child) < 0)
			return -1;
		if (build) {
			struct rg_hj_node *c = &p->nodes[child];

			c->key = key;
			c->key_len = (uint32_t)klen;
			c->key_span = (struct rg_span){ (uint32_t)name_start, (uint32_t)key_end };
			if (child_push(p, child) < 0 || add_member(p, self, base, child, key, klen) < 0)
				return -1;
		}
		r = p_after_value(p, &n, '}', "parsing object after value",
				  "after object value (expecting ',' or '}')");
		if (r < 0)
			return -1;
		if (r == 1)
			break;
	}
	p->depth--;
	if (build && children_close(p, self, base) < 0)
		return -1;
	*np = n;
	return 0;
}

static int p_array(struct parser *p, size_t *np, uint32_t self)
{
	size_t n = *np + 1, base = p->nstack;
	bool build = building(p);

	if (depth_enter(p, *np) < 0)
		return -1;
	for (;;) {
		uint32_t child = RG_HJ_NONE;
		int r;

		if (p_extra(p, &n) < 0)
			return -1;
		if (n < p->len && p->b[n] == ']') {
			n++;
			break;
		}
		if (p_value(p, &n, &child) < 0)
			return -1;
		if (build) {
			if (child_push(p, child) < 0)
				return -1;
			p->nodes[child].parent = self; /* the array owns it now */
			if (json_array_append_new(p->nodes[self].val, p->nodes[child].val) < 0)
				return fail_oom(p);
		}
		r = p_after_value(p, &n, ']', "parsing array after value",
				  "after array value (expecting ',' or ']')");
		if (r < 0)
			return -1;
		if (r == 1)
			break;
	}
	p->depth--;
	if (build && children_close(p, self, base) < 0)
		return -1;
	*np = n;
	return 0;
}

/* A value at *np (no leading whitespace). In tree mode *out is its node. */
static int p_value(struct parser *p, size_t *np, uint32_t *out)
{
	size_t n = *np, n0 = n;
	bool build = building(p);
	uint32_t idx = RG_HJ_NONE;
	json_t *v = NULL;
	enum rg_hj_kind kind;

	if (n >= p->len)
		return fail_eof(p, "parsing value");
	switch (p->b[n]) {
	case '{':
		if (build) {
			if (node_new(p, RG_HJ_OBJECT, n0, &idx) < 0)
				return -1;
			p->nodes[idx].val = json_object();
			if (!p->nodes[idx].val)
				return fail_oom(p);
		}
		if (p_object(p, &n, idx) < 0)
			return -1;
		break;
	case '[':
		if (build) {
			if (node_new(p, RG_HJ_ARRAY, n0, &idx) < 0)
				return -1;
			p->nodes[idx].val = json_array();
			if (!p->nodes[idx].val)
				return fail_oom(p);
		}
		if (p_array(p, &n, idx) < 0)
			return -1;
		break;
	case '"': {
		bool escaped;

		if (scan_string(p, &n, &escaped) < 0)
			return -1;
		if (!build)
			break;
		if (node_new(p, RG_HJ_STRING, n0, &idx) < 0)
			return -1;
		if (escaped) {
			if (decode_string(p, n0, n) < 0)
				return -1;
			v = json_stringn_nocheck(p->scratch.data, p->scratch.len);
			/* Only an escape can put U+0000 in a string; C sees it end there. */
			if (memchr(p->scratch.data, '\0', p->scratch.len) &&
			    issue_add(p, RG_HJ_ISSUE_NUL_IN_STRING, idx, 0) < 0) {
				json_decref(v);
				return -1;
			}
		} else {
			v = json_stringn_nocheck((const char *)p->b + n0 + 1, n - n0 - 2);
		}
		if (!v)
			return fail_oom(p);
		p->nodes[idx].val = v;
		break;
	}
	default: {
		const unsigned char *s = p->b + n;
		bool integer = false, range_error = false;
		size_t l;

		while (n < p->len && literal_char[p->b[n]])
			n++;
		if (n == n0)
			return fail_char(p, n, "at start of value");
		l = n - n0;
		if (l == 4 && memcmp(s, "true", 4) == 0) {
			kind = RG_HJ_TRUE;
			v = json_true();
		} else if (l == 5 && memcmp(s, "false", 5) == 0) {
			kind = RG_HJ_FALSE;
			v = json_false();
		} else if (l == 4 && memcmp(s, "null", 4) == 0) {
			kind = RG_HJ_NULL;
			v = json_null();
		} else if (valid_number(s, l, &integer)) {
			kind = RG_HJ_NUMBER;
			v = NULL;
		} else {
			return fail(p, n0, "invalid literal: %.*s", (int)l, (const char *)s);
		}
		if (!build)
			break;
		if (node_new(p, kind, n0, &idx) < 0)
			return -1;
		if (kind == RG_HJ_NUMBER) {
			v = make_number(p, s, l, integer, &range_error);
			if (!v)
				return fail_oom(p);
			if (range_error && issue_add(p, RG_HJ_ISSUE_NUMBER_RANGE, idx, 0) < 0)
				return -1;
		}
		p->nodes[idx].val = v;
		break;
	}
	}
	if (build)
		p->nodes[idx].span.end = (uint32_t)n;
	*out = idx;
	*np = n;
	return 0;
}

static void parser_release(struct parser *p)
{
	size_t i;

	free(p->comments);
	free(p->commas);
	for (i = 0; i < p->nnodes; i++)
		if (p->nodes[i].parent == RG_HJ_NONE && p->nodes[i].val)
			json_decref(p->nodes[i].val); /* values no container took */
	free(p->nodes);
	free(p->stack);
	free(p->issues);
	for (i = 0; i < p->nheld; i++)
		json_decref(p->held[i]);
	free(p->held);
	rg_buf_free(&p->scratch);
}

int rg_hujson_parse(struct rg_source *src, unsigned flags, struct rg_hujson_doc **out,
		    struct rg_hujson_error *err)
{
	struct parser p;
	struct rg_hujson_doc *doc = NULL;
	struct doc_priv *priv = NULL;
	size_t n = 0;
	uint32_t root = RG_HJ_NONE;
	int ret = -1;

	tables_init();
	memset(&p, 0, sizeof(p));
	*out = NULL;
	err->offset = 0;
	err->msg[0] = '\0';
	if (src->len >= UINT32_MAX) {
		snprintf(err->msg, sizeof(err->msg), "input too large");
		return -1;
	}
	doc = calloc(1, sizeof(*doc));
	priv = calloc(1, sizeof(*priv));
	if (!doc || !priv) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		goto out;
	}
	rg_arena_init(&priv->arena);
	p.b = (const unsigned char *)src->data;
	p.len = src->len;
	p.tree = flags & RG_HUJSON_TREE;
	p.err = err;
	p.arena = &priv->arena;
	rg_buf_init(&p.scratch, 0);
	if (p.tree) {
		/*
		 * Policies hold a value every 8 bytes or so: reserving that many
		 * nodes up front spares copying a large index while doubling it
		 * (pages that stay unused are never touched).
		 */
		p.capnodes = src->len / 8 + 16;
		p.nodes = malloc(p.capnodes * sizeof(*p.nodes));
		if (!p.nodes)
			p.capnodes = 0;
	}

	if (p_extra(&p, &n) < 0 || p_value(&p, &n, &root) < 0 || p_extra(&p, &n) < 0)
		goto out;
	if (n < p.len) {
		fail_char(&p, n, "after top-level value");
		goto out;
	}
	doc->src = src;
	doc->comments = p.comments;
	doc->ncomments = p.ncomments;
	doc->commas = p.commas;
	doc->ncommas = p.ncommas;
	p.comments = NULL;
	p.commas = NULL;
	if (p.tree) {
		doc->root = p.nodes[root].val;
		doc->nodes = p.nodes;
		doc->nnodes = p.nnodes;
		doc->issues = p.issues;
		doc->nissues = p.nissues;
		p.nodes = NULL;
		p.nnodes = 0;
		p.issues = NULL;
		priv->held = p.held;
		priv->nheld = p.nheld;
		p.held = NULL;
		p.nheld = 0;
	}
	doc->priv = priv;
	priv = NULL;
	*out = doc;
	doc = NULL;
	ret = 0;
out:
	if (p.oom && ret < 0) {
		err->offset = 0;
		snprintf(err->msg, sizeof(err->msg), "out of memory");
	}
	parser_release(&p);
	if (priv)
		rg_arena_free(&priv->arena);
	free(priv);
	free(doc);
	return ret;
}

void rg_hujson_doc_free(struct rg_hujson_doc *doc)
{
	struct doc_priv *priv;
	size_t i;

	if (!doc)
		return;
	priv = doc->priv;
	json_decref(doc->root);
	if (priv) {
		for (i = 0; i < priv->nheld; i++)
			json_decref(priv->held[i]);
		free(priv->held);
		rg_arena_free(&priv->arena);
		free(priv);
	}
	free(doc->nodes);
	free(doc->comments);
	free(doc->commas);
	free(doc->issues);
	free(doc);
}

char *rg_hujson_standardize(const struct rg_hujson_doc *doc, size_t *len)
{
	const struct rg_source *src = doc->src;
	char *out = malloc(src->len + 1);
	size_t i, j;

	if (!out)
		return NULL;
	memcpy(out, src->data, src->len);
	out[src->len] = '\0';
	for (i = 0; i < doc->ncomments; i++)
		for (j = doc->comments[i].start; j < doc->comments[i].end; j++)
			if (out[j] != '\n' && out[j] != '\r' && out[j] != '\t')
				out[j] = ' ';
	for (i = 0; i < doc->ncommas; i++)
		out[doc->commas[i]] = ' ';
	*len = src->len;
	return out;
}

void rg_hujson_error_text(struct rg_source *src, const struct rg_hujson_error *err, char *out,
			  size_t outlen)
{
	struct rg_pos pos = rg_source_pos(src, err->offset);

	snprintf(out, outlen, "hujson: line %u, column %u: %s", pos.line, pos.col, err->msg);
}

const struct rg_hj_node *rg_hj_member(const struct rg_hujson_doc *doc, const struct rg_hj_node *n,
				      const char *key)
{
	size_t klen = strlen(key), i;

	if (n->kind != RG_HJ_OBJECT)
		return NULL;
	for (i = n->nchildren; i-- > 0;) {
		const struct rg_hj_node *c = rg_hj_child(doc, n, i);

		if (c->key_len == klen && memcmp(c->key, key, klen) == 0)
			return c;
	}
	return NULL;
}

const char *rg_hj_kind_name(enum rg_hj_kind k)
{
	switch (k) {
	case RG_HJ_NULL: return "null";
	case RG_HJ_FALSE:
	case RG_HJ_TRUE: return "boolean";
	case RG_HJ_NUMBER: return "number";
	case RG_HJ_STRING: return "string";
	case RG_HJ_ARRAY: return "array";
	case RG_HJ_OBJECT: return "object";
	}
	return "value";
}

/*
 * The canonical HuJSON layout (relaygate fmt).
 *
 *   - tabs for indentation, LF line ends, exactly one final newline;
 *   - an object or array stays on one line ("{"a": 1, "b": [2, 3]}") when
 *     it was written on one line, holds no comment and fits in 120 columns
 *     (tabs count 8); otherwise each element goes on its own line and
 *     every element, the last included, is followed by a comma;
 *   - in a multi-line object, the values of consecutive one-line members
 *     are aligned (a blank line, a comment or a multi-line member ends
 *     the run);
 *   - one blank line is kept where the source had one or more between
 *     elements or comments, none after an opening or before a closing
 *     bracket;
 *   - every comment is kept, in the same order relative to the values: a
 *     comment on the line of the previous element stays there, after its
 *     comma; any other comment goes on a line of its own before the next
 *     element; line comments lose trailing blanks, block comments are
 *     copied as written;
 *   - strings, numbers and literals are copied byte for byte, so escapes
 *     and number spellings (hence the values) never change.
 *
 * The layout depends only on the values, the comments, and where the
 * source had line breaks and blank lines, all of which it reproduces, so
 * formatting formatted text changes nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "relaygate/hujson.h"
#include "util/buf.h"
#include "util/utf8.h"

#define WIDTH 120
#define TAB 8

typedef const struct rg_hj_node node_t;

struct fmt {
	const struct rg_hujson_doc *doc;
	const char *s;
	struct rg_buf out;
};

/* ---- source scanning ---------------------------------------------------- */

/* Index of the first comment starting at or after off. */
static size_t comment_at(const struct fmt *f, size_t off)
{
	size_t lo = 0, hi = f->doc->ncomments;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->doc->comments[mid].start < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool has_comment(const struct fmt *f, size_t a, size_t b)
{
	size_t i = comment_at(f, a);

	return i < f->doc->ncomments && f->doc->comments[i].start < b;
}

/* Line breaks in s[a, b), a range without comments. */
static unsigned newlines(const struct fmt *f, size_t a, size_t b)
{
	unsigned n = 0;

	for (; a < b; a++)
		n += f->s[a] == '\n';
	return n;
}

static bool is_line_comment(const struct fmt *f, size_t i)
{
	return f->s[f->doc->comments[i].start + 1] == '/';
}

static void put_comment(struct fmt *f, size_t i)
{
	struct rg_span c = f->doc->comments[i];
	size_t end = c.end;

	if (is_line_comment(f, i))
		while (end > c.start + 2 && (f->s[end - 1] == ' ' || f->s[end - 1] == '\t' ||
					     f->s[end - 1] == '\r'))
			end--;
	rg_buf_append(&f->out, f->s + c.start, end - c.start);
}

static void indent(struct fmt *f, unsigned depth)
{
	rg_buf_repeat(&f->out, '\t', depth);
}

static size_t elem_start(node_t *n)
{
	return n->key ? n->key_span.start : n->span.start;
}

static size_t cols(const struct fmt *f, struct rg_span sp)
{
	return rg_utf8_count((const unsigned char *)f->s + sp.start, sp.end - sp.start);
}

/* ---- one-line rendering -------------------------------------------------- */

static bool is_container(node_t *n)
{
	return n->kind == RG_HJ_OBJECT || n->kind == RG_HJ_ARRAY;
}

/*
 * Width of n on one line, or more than limit when it does not fit, was
 * written over several lines, or holds a comment (it cannot be one line).
 */
static size_t inline_width(const struct fmt *f, node_t *n, size_t limit)
{
	size_t w = 2, i;

	if (!is_container(n))
		return cols(f, n->span);
	if (memchr(f->s + n->span.start, '\n', n->span.end - n->span.start) ||
	    has_comment(f, n->span.start, n->span.end))
		return limit + 1;
	for (i = 0; i < n->nchildren && w <= limit; i++) {
		node_t *c = rg_hj_child(f->doc, n, i);

		w += (i ? 2 : 0) + (c->key ? cols(f, c->key_span) + 2 : 0);
		w += inline_width(f, c, limit - (w < limit ? w : limit));
	}
	return w;
}

static void put_inline(struct fmt *f, node_t *n)
{
	size_t i;

	if (!is_container(n)) {
		rg_buf_append(&f->out, f->s + n->span.start, n->span.end - n->span.start);
		return;
	}
	rg_buf_putc(&f->out, n->kind == RG_HJ_OBJECT ? '{' : '[');
	for (i = 0; i < n->nchildren; i++) {
		node_t *c = rg_hj_child(f->doc, n, i);

		if (i)
			rg_buf_puts(&f->out, ", ");
		if (c->key) {
			rg_buf_append(&f->out, f->s + c->key_span.start, c->key_span.end - c->key_span.start);
			rg_buf_puts(&f->out, ": ");
		}
		put_inline(f, c);
	}
	rg_buf_putc(&f->out, n->kind == RG_HJ_OBJECT ? '}' : ']');
}

/* Whether n goes on one line when it starts at column col. */
static bool fits(const struct fmt *f, node_t *n, size_t col)
{
	size_t room = col < WIDTH ? WIDTH - col : 0;

	return !is_container(n) || inline_width(f, n, room) <= room;
}

/* ---- multi-line rendering -------------------------------------------------- */

static void put_value(struct fmt *f, node_t *n, unsigned depth, size_t col);

/*
 * A gap between two tokens of a multi-line container: comments [c0, ct)
 * sit on the line of the token before the gap, [ct, c1) on lines of their
 * own; after is where the same-line part ends in the source.
 */
struct gap {
	size_t c0, ct, c1;
	size_t after;
};

static void gap_split(const struct fmt *f, size_t a, size_t b, struct gap *g)
{
	size_t x = a;

	g->c0 = comment_at(f, a);
	g->c1 = comment_at(f, b);
	g->ct = g->c0;
	while (g->ct < g->c1 && !newlines(f, x, f->doc->comments[g->ct].start)) {
		x = f->doc->comments[g->ct].end;
		g->ct++;
	}
	g->after = x;
}

/* Same-line comments, after the token that ends the current line. */
static void put_trailing(struct fmt *f, const struct gap *g)
{
	size_t i;

	for (i = g->c0; i < g->ct; i++) {
		rg_buf_putc(&f->out, ' ');
		put_comment(f, i);
	}
}

/*
 * The own-line comments of a gap, each on its line at depth; blank lines
 * where the source had them (never as the first line, when first is set).
 * Returns the source offset where the last of them ends.
 */
static size_t put_own_lines(struct fmt *f, const struct gap *g, unsigned depth, bool first)
{
	size_t prev = g->after, i;

	for (i = g->ct; i < g->c1; i++) {
		struct rg_span c = f->doc->comments[i];

		if (!first && newlines(f, prev, c.start) > 1)
			rg_buf_putc(&f->out, '\n');
		indent(f, depth);
		put_comment(f, i);
		rg_buf_putc(&f->out, '\n');
		prev = c.end;
		first = false;
	}
	return prev;
}

/* Comments between a member's name and its value (rare): kept after the colon. */
static bool inner_comments(const struct fmt *f, node_t *c)
{
	return c->key && has_comment(f, c->key_span.end, c->span.start);
}

/* The value of member c at depth (its name is already out), starting at column col. */
static void put_member_value(struct fmt *f, node_t *c, unsigned depth, size_t col)
{
	size_t i = comment_at(f, c->key_span.end), end = comment_at(f, c->span.start);
	bool fresh_line = false;

	for (; i < end; i++) {
		if (fresh_line)
			indent(f, depth + 1);
		else
			rg_buf_putc(&f->out, ' ');
		put_comment(f, i);
		fresh_line = is_line_comment(f, i);
		if (fresh_line)
			rg_buf_putc(&f->out, '\n');
	}
	if (fresh_line) {
		indent(f, depth + 1);
		put_value(f, c, depth + 1, (depth + 1) * TAB);
	} else {
		rg_buf_putc(&f->out, ' ');
		put_value(f, c, depth, col);
	}
}

/*
 * Value columns of the members of a multi-line object at depth: members
 * whose value fits on their line form runs, broken by comments on lines of
 * their own and blank lines; in a run of two or more, values start one
 * space after the widest name. 0 for members that are not aligned.
 */
static size_t *align_columns(const struct fmt *f, node_t *n, unsigned depth)
{
	size_t *col = calloc(n->nchildren + 1, sizeof(*col)), i, a, k, w;
	bool *single = calloc(n->nchildren + 1, sizeof(bool));
	size_t key_col = (size_t)(depth + 1) * TAB;

	if (!col || !single) {
		free(col);
		free(single);
		return NULL;
	}
	for (i = 0; i < n->nchildren; i++) {
		node_t *c = rg_hj_child(f->doc, n, i);

		single[i] = !inner_comments(f, c) && fits(f, c, key_col + cols(f, c->key_span) + 2);
	}
	for (a = 0; a < n->nchildren; a = k) {
		/* [a, k): one run */
		for (k = a + 1; k < n->nchildren && single[k - 1] && single[k]; k++) {
			struct gap g;
			node_t *d = rg_hj_child(f->doc, n, k);

			gap_split(f, rg_hj_child(f->doc, n, k - 1)->span.end, elem_start(d), &g);
			if (g.ct < g.c1 || newlines(f, g.after, elem_start(d)) > 1)
				break;
		}
		if (k - a < 2)
			continue;
		for (i = a, w = 0; i < k; i++)
			if (cols(f, rg_hj_child(f->doc, n, i)->key_span) > w)
				w = cols(f, rg_hj_child(f->doc, n, i)->key_span);
		for (i = a; i < k; i++)
			col[i] = w;
	}
	free(single);
	return col;
}

static void put_multiline(struct fmt *f, node_t *n, unsigned depth)
{
	size_t open = n->span.start, close = n->span.end - 1, i, prev_end;
	size_t *align = NULL;
	struct gap g;

	rg_buf_putc(&f->out, n->kind == RG_HJ_OBJECT ? '{' : '[');
	gap_split(f, open + 1, n->nchildren ? elem_start(rg_hj_child(f->doc, n, 0)) : close, &g);
	put_trailing(f, &g);
	rg_buf_putc(&f->out, '\n');
	if (n->kind == RG_HJ_OBJECT && n->nchildren && !(align = align_columns(f, n, depth))) {
		f->out.failed = true;
		return;
	}
	for (i = 0; i < n->nchildren; i++) {
		node_t *c = rg_hj_child(f->doc, n, i);
		size_t key_col = (size_t)(depth + 1) * TAB;

		prev_end = put_own_lines(f, &g, depth + 1, i == 0);
		if ((i > 0 || g.ct < g.c1) && newlines(f, prev_end, elem_start(c)) > 1)
			rg_buf_putc(&f->out, '\n');
		indent(f, depth + 1);
		if (c->key) {
			size_t kw = cols(f, c->key_span);

			rg_buf_append(&f->out, f->s + c->key_span.start, c->key_span.end - c->key_span.start);
			rg_buf_putc(&f->out, ':');
			if (align[i]) {
				/*
				 * Aligned values were judged to fit without the padding:
				 * keep them on their line whatever the padding costs, so
				 * that the decision does not depend on the run.
				 */
				rg_buf_repeat(&f->out, ' ', align[i] - kw + 1);
				put_inline(f, c);
			} else {
				put_member_value(f, c, depth + 1, key_col + kw + 2);
			}
		} else {
			put_value(f, c, depth + 1, key_col);
		}
		rg_buf_putc(&f->out, ',');
		gap_split(f, c->span.end,
			  i + 1 < n->nchildren ? elem_start(rg_hj_child(f->doc, n, i + 1)) : close, &g);
		put_trailing(f, &g);
		rg_buf_putc(&f->out, '\n');
	}
	free(align);
	put_own_lines(f, &g, depth + 1, n->nchildren == 0);
	indent(f, depth);
	rg_buf_putc(&f->out, n->kind == RG_HJ_OBJECT ? '}' : ']');
}

static void put_value(struct fmt *f, node_t *n, unsigned depth, size_t col)
{
	if (fits(f, n, col))
		put_inline(f, n);
	else
		put_multiline(f, n, depth);
}

/* ---- the document ---------------------------------------------------------- */

char *rg_hujson_format(const struct rg_hujson_doc *doc, size_t *len)
{
	struct fmt f = { doc, doc->src->data, { NULL, 0, 0, 0, false } };
	node_t *root;
	struct gap g;
	size_t end;

	if (!doc->nnodes)
		return NULL;
	root = &doc->nodes[0];
	rg_buf_init(&f.out, 0);
	/* Comments before the value, each on its line. */
	g.c0 = g.ct = 0;
	g.c1 = comment_at(&f, root->span.start);
	g.after = 0;
	end = put_own_lines(&f, &g, 0, true);
	if (g.c1 && newlines(&f, end, root->span.start) > 1)
		rg_buf_putc(&f.out, '\n');
	put_value(&f, root, 0, 0);
	gap_split(&f, root->span.end, doc->src->len, &g);
	put_trailing(&f, &g);
	rg_buf_putc(&f.out, '\n');
	put_own_lines(&f, &g, 0, false);
	return rg_buf_take(&f.out, len);
}

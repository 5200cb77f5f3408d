/*
 * Escaping for each output format, and terminal-safe text. Names come from
 * policies and inventories under review, so every format escapes them.
 */
#ifndef RG_MATRIX_TEXT_H
#define RG_MATRIX_TEXT_H

#include <stddef.h>

#include "util/buf.h"

/* HTML text and attribute values: & < > " ' as character references. */
void esc_html(struct rg_buf *b, const char *s);
/*
 * One RFC 4180 field: quoted when it holds a comma, quote, CR or LF, or
 * starts or ends with a space; a leading = + - @ TAB or CR (a spreadsheet
 * formula) is neutralized with a leading apostrophe.
 */
void esc_csv(struct rg_buf *b, const char *s);
/* Inline Markdown (GitHub): formatting punctuation is backslash-escaped, newlines become spaces. */
void esc_md(struct rg_buf *b, const char *s);
/* The inside of a DOT double-quoted string: \ and " escaped, newlines as \n. */
void esc_dot(struct rg_buf *b, const char *s);
/*
 * Terminal-safe copy: control characters (C0, DEL, C1) and invalid UTF-8
 * become '?', so that names cannot move the cursor or change colours.
 */
void text_sanitize(struct rg_buf *b, const char *s);
/* Display width of sanitized text in terminal columns: two for East Asian
 * wide characters and emoji, none for combining marks and zero-width ones. */
size_t text_width(const char *s, size_t n);
/* Bytes of the longest prefix of s[0..n) that is at most w columns wide
 * (at least one character, so that wrapping always progresses). */
size_t text_prefix(const char *s, size_t n, size_t w);

#endif

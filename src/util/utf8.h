/* Strict UTF-8 (as Go's utf8 package: no surrogates, no overlongs, <= U+10FFFF). */
#ifndef RG_UTIL_UTF8_H
#define RG_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decodes one code point at p (n bytes available). Returns its length in
 * bytes and stores it in *cp, or returns 0 for an invalid sequence (as Go's
 * RuneError with width 1). n must be > 0.
 */
size_t rg_utf8_decode(const unsigned char *p, size_t n, uint32_t *cp);
/* Offset of the first invalid byte, or n when all of p is valid. */
size_t rg_utf8_check(const unsigned char *p, size_t n);
/* Encodes cp (must be a valid scalar value) into out[4]; returns the length. */
size_t rg_utf8_encode(uint32_t cp, char *out);
/* Go's unicode.IsControl: C0 (U+0000..U+001F), DEL and C1 (U+007F..U+009F). */
static inline bool rg_unicode_iscontrol(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
}
/* Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols, U+0020. */
bool rg_unicode_isprint(uint32_t cp);
/* Number of code points in p[0..n) (invalid bytes count one each). */
size_t rg_utf8_count(const unsigned char *p, size_t n);

#endif

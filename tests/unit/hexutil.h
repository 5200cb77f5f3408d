/* Test helpers: hex in the "% x" notation of relay-vectors.md, and keys. */
#ifndef TESTS_HEXUTIL_H
#define TESTS_HEXUTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Decodes "01 02 ab" or "0102ab" into out; returns the byte count, or
 * (size_t)-1 on a stray character or overflow. */
static inline size_t hex_decode(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int v;

		if (*s == ' ' || *s == '\n')
			continue;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else
			return (size_t)-1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == cap)
			return (size_t)-1;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? n : (size_t)-1;
}

/* The vectors' K{i:v,...} notation: zero except the listed bytes. */
static inline void key_with(uint8_t k[32], const uint8_t *idx, size_t n)
{
	memset(k, 0, 32);
	for (size_t i = 0; i < n; i++)
		k[idx[i]] = idx[i];
}

#endif

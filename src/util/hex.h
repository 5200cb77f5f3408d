/* One hexadecimal digit, for parsers that scan text byte by byte. */
#ifndef RG_UTIL_HEX_H
#define RG_UTIL_HEX_H

/* The value of hex digit c (either case), or -1. */
static inline int rg_hex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif

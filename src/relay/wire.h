/* Big-endian field access by bytes: never casts input to wider types. */
#ifndef RG_RELAY_WIRE_H
#define RG_RELAY_WIRE_H

#include <stdint.h>

static inline uint16_t rg_get16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t rg_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t rg_get64(const uint8_t *p)
{
	return (uint64_t)rg_get32(p) << 32 | rg_get32(p + 4);
}

static inline void rg_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void rg_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void rg_put64(uint8_t *p, uint64_t v)
{
	rg_put32(p, (uint32_t)(v >> 32));
	rg_put32(p + 4, (uint32_t)v);
}

#endif

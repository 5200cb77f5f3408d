/*
 * Lookups over a loaded table. The loader has checked every offset and
 * count these functions follow, so they only bound their arguments.
 */
#include <string.h>

#include "table/internal.h"

static inline uint64_t word(const uint8_t *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}

uint32_t tbl_find(const struct rg_table *t, const uint8_t key[TBL_KEY_LEN])
{
	uint32_t b = tbl_bucket(t->hk, key, t->nbuckets);
	uint32_t i = tbl_le32(t->buckets + 4 * (size_t)b);
	uint32_t end = tbl_le32(t->buckets + 4 * (size_t)b + 4);
	/* The question's words once, in registers. Disco keys are public, so
	 * the comparison need not be constant-time. */
	uint64_t k0 = word(key), k1 = word(key + 8), k2 = word(key + 16), k3 = word(key + 24);

	/* At most TBL_MAX_BUCKET keys (checked at load). */
	for (; i < end; i++) {
		const uint8_t *c = t->keys + (size_t)i * TBL_KEY_LEN;

		if (((word(c) ^ k0) | (word(c + 8) ^ k1) | (word(c + 16) ^ k2) |
		     (word(c + 24) ^ k3)) == 0)
			return i;
	}
	return TBL_NONE;
}

static inline const uint8_t *relay_rec(const struct rg_table *t, uint32_t relay)
{
	return t->relays + (size_t)relay * TBL_RELAY_SIZE;
}

bool rg_table_allowed_at(const struct rg_table *t, uint32_t relay, uint32_t node)
{
	uint32_t cls;

	if (!t || relay >= t->nrelays || node >= t->nnodes)
		return false;
	cls = tbl_le32(relay_rec(t, relay) + R_CLASS);
	return t->grants[(size_t)node * t->stride + cls / 8] >> (cls % 8) & 1;
}

bool rg_table_allowed(const struct rg_table *t, uint32_t relay, const uint8_t key[RG_TABLE_KEY_LEN])
{
	if (!t || !key || relay >= t->nrelays)
		return false;
	return rg_table_allowed_at(t, relay, tbl_find(t, key));
}

uint32_t rg_table_node_find(const struct rg_table *t, const uint8_t key[RG_TABLE_KEY_LEN])
{
	return t && key ? tbl_find(t, key) : RG_TABLE_NONE;
}

const uint8_t *rg_table_node_key_at(const struct rg_table *t, uint32_t node)
{
	return t && node < t->nnodes ? t->keys + (size_t)node * TBL_KEY_LEN : NULL;
}

const char *rg_table_node_name_at(const struct rg_table *t, uint32_t node)
{
	size_t pos;
	uint32_t k;

	if (!t || node >= t->nnodes)
		return NULL;
	pos = tbl_le32(t->nameidx + 4 * (size_t)(node / TBL_NAME_STRIDE));
	for (k = 0; k < node % TBL_NAME_STRIDE; k++)
		pos += strlen(t->strings + pos) + 1;
	return t->strings + pos;
}

const char *rg_table_node_name(const struct rg_table *t, const uint8_t key[RG_TABLE_KEY_LEN])
{
	return rg_table_node_name_at(t, rg_table_node_find(t, key));
}

uint32_t rg_table_relay_by_name(const struct rg_table *t, const char *name)
{
	uint32_t r;

	for (r = 0; t && name && r < t->nrelays; r++)
		if (strcmp(t->strings + tbl_le32(relay_rec(t, r) + R_NAME), name) == 0)
			return r;
	return RG_TABLE_NONE;
}

const uint8_t *rg_table_relay_key(const struct rg_table *t, uint32_t relay)
{
	return t && relay < t->nrelays ? relay_rec(t, relay) + R_KEY : NULL;
}

uint32_t rg_table_relay_group(const struct rg_table *t, uint32_t relay)
{
	return t && relay < t->nrelays ? tbl_le32(relay_rec(t, relay) + R_CLASS) : RG_TABLE_NONE;
}

const char *rg_table_relay_name(const struct rg_table *t, uint32_t relay)
{
	return t && relay < t->nrelays ? t->strings + tbl_le32(relay_rec(t, relay) + R_NAME) : NULL;
}

void rg_table_get_info(const struct rg_table *t, struct rg_table_info *out)
{
	memcpy(out, &t->info, sizeof(*out));
}

uint32_t rg_table_unkeyed(const struct rg_table *t)
{
	return t ? t->unkeyed : 0;
}

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

/* The slot of a key: the only place it can be (nnodes > 0). */
static inline uint32_t slot_of(const struct rg_table *t, const uint8_t key[TBL_KEY_LEN])
{
	uint64_t h = tbl_hash(&t->hk, key);

	return tbl_slot(h, tbl_le32(t->seeds + 4 * (size_t)tbl_bucket(h, t->nbuckets)), t->nnodes);
}

/* Disco keys are public, so the comparison need not be constant-time. */
static inline bool same_key(const uint8_t *a, const uint8_t *b)
{
	return ((word(a) ^ word(b)) | (word(a + 8) ^ word(b + 8)) | (word(a + 16) ^ word(b + 16)) |
		(word(a + 24) ^ word(b + 24))) == 0;
}

uint32_t tbl_find(const struct rg_table *t, const uint8_t key[TBL_KEY_LEN])
{
	uint32_t i;

	if (!t->nnodes)
		return TBL_NONE;
	i = slot_of(t, key);
	return same_key(t->keys + (size_t)i * TBL_KEY_LEN, key) ? i : TBL_NONE;
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

/*
 * The hot path: the grant bit of the key's slot, and-ed with whether the key
 * is the one there. Neither the key nor the answer steers a branch, so a
 * relay answering many requests pays no mispredictions.
 */
bool rg_table_allowed(const struct rg_table *t, uint32_t relay, const uint8_t key[RG_TABLE_KEY_LEN])
{
	uint32_t i, cls;

	if (!t || !key || relay >= t->nrelays || !t->nnodes)
		return false;
	i = slot_of(t, key);
	cls = tbl_le32(relay_rec(t, relay) + R_CLASS);
	return same_key(t->keys + (size_t)i * TBL_KEY_LEN, key) &
	       (t->grants[(size_t)i * t->stride + cls / 8] >> (cls % 8) & 1);
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

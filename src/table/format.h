/*
 * The on-disk layout of the relay authorization table (docs/table-format.md),
 * shared by the writer and the loader. Every integer is little-endian and
 * read through memcpy, so the mapping needs no alignment.
 */
#ifndef RG_TABLE_FORMAT_H
#define RG_TABLE_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define TBL_MAGIC "RGTABLE"       /* and a NUL: 8 bytes */
#define TBL_MAGIC_LEN 8
#define TBL_VERSION 2
#define TBL_HEADER_SIZE 256
#define TBL_SIG_LEN 64
#define TBL_RELAY_SIZE 48
#define TBL_KEY_LEN 32
#define TBL_NAME_STRIDE 16        /* the names index holds every 16th node name's offset */
#define TBL_BUCKET_LOAD 4         /* keys per seed bucket on average (the writer's choice) */
#define TBL_MAX_BUCKET 32         /* the writer's bound on a seed bucket (bounds its search) */
#define TBL_MAX_NODES (1u << 24)
#define TBL_MAX_CLASSES (1u << 16)
#define TBL_MAX_SIZE ((uint64_t)1 << 30)
#define TBL_NONE UINT32_MAX

/* Header field offsets. */
enum {
	H_MAGIC = 0,
	H_VERSION = 8,
	H_HEADER_SIZE = 12,
	H_FILE_SIZE = 16,
	H_SERIAL = 24,
	H_CREATED = 32,
	H_POLICY = 40,
	H_INVENTORY = 72,
	H_SIGNER = 104,
	H_HASHKEY = 136,
	H_NNODES = 168,
	H_NRELAYS = 172,
	H_NCLASSES = 176,
	H_NBUCKETS = 180,
	H_ZERO = 184,              /* u32 zero (was the longest bucket in version 1) */
	H_UNKEYED = 188,
	H_SECTIONS = 192,          /* SEC_COUNT x (u32 offset, u32 size) */
	H_MULKEY = 240,            /* two u64, the first odd: the multiply-shift key */
};

/* Relay record field offsets. */
enum { R_KEY = 0, R_NAME = 32, R_NODE = 36, R_CLASS = 40, R_RESERVED = 44 };

enum { SEC_RELAYS, SEC_SEEDS, SEC_KEYS, SEC_GRANTS, SEC_NAMEIDX, SEC_STRINGS, SEC_COUNT };

struct tbl_counts {
	uint32_t nnodes, nrelays, nclasses, nbuckets;
};

static inline uint32_t tbl_le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

static inline uint64_t tbl_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static inline void tbl_put32(uint8_t *p, uint32_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	memcpy(p, &v, sizeof(v));
}

static inline void tbl_put64(uint8_t *p, uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	memcpy(p, &v, sizeof(v));
}

static inline uint64_t tbl_align8(uint64_t n)
{
	return (n + 7) & ~(uint64_t)7;
}

/* Bytes of grant bits per node: one bit per relay class. */
static inline uint32_t tbl_stride(uint32_t nclasses)
{
	return (nclasses + 7) / 8;
}

/*
 * The key index is a minimal perfect hash ("hash and displace"): every key
 * the table holds has a slot of its own in [0, nnodes), and its node index
 * is that slot. A key's 64-bit hash picks a bucket with its high half; the
 * bucket's seed, chosen by the writer so that the bucket's keys land on
 * free slots, is mixed with the low half (MurmurHash3's 64-bit finalizer, a
 * bijection) to give the slot. A lookup is one hash, one seed and one key
 * comparison: no probing, no loop, no branch on the key. Any seed gives a
 * slot in range, so a hostile table can only misplace keys, which makes
 * them miss (deny).
 *
 * The hash is NH (the UMAC hash, 2^-64-almost-universal on its 128-bit
 * output) followed by multiply-shift to 64 bits by an odd 128-bit
 * multiplier (2^-63-almost-universal), both keyed afresh for every table.
 * The composition is almost-universal on its whole output and on the low
 * half the slots use, so keys chosen without knowing the hash key (a node
 * picks its own disco key) collide about as rarely as random ones. NH's
 * high half alone is not: keys one apart in a word share it half the time.
 */
struct tbl_hashkey {
	uint64_t nh[4];            /* NH key (header hash_key) */
	uint64_t mul[2];           /* multiplier, low word first; mul[0] odd */
};

static inline uint64_t tbl_hash(const struct tbl_hashkey *k, const uint8_t key[TBL_KEY_LEN])
{
	unsigned __int128 a = (unsigned __int128)(uint64_t)(tbl_le64(key) + k->nh[0]) *
			      (uint64_t)(tbl_le64(key + 8) + k->nh[1]);
	unsigned __int128 b = (unsigned __int128)(uint64_t)(tbl_le64(key + 16) + k->nh[2]) *
			      (uint64_t)(tbl_le64(key + 24) + k->nh[3]);
	unsigned __int128 n = a + b;
	uint64_t lo = (uint64_t)n, hi = (uint64_t)(n >> 64);

	/* Bits 64..127 of mul * n mod 2^128. */
	return (uint64_t)(((unsigned __int128)k->mul[0] * lo) >> 64) + k->mul[0] * hi + k->mul[1] * lo;
}

static inline uint32_t tbl_bucket(uint64_t h, uint32_t nbuckets)
{
	return (uint32_t)(((h >> 32) * nbuckets) >> 32);
}

/* The slot of a key of hash h in a bucket of that seed; nnodes > 0. */
static inline uint32_t tbl_slot(uint64_t h, uint32_t seed, uint32_t nnodes)
{
	uint64_t z = (h & 0xffffffffu) | (uint64_t)seed << 32;

	z ^= z >> 33;
	z *= 0xff51afd7ed558ccdull;
	z ^= z >> 33;
	z *= 0xc4ceb9fe1a85ec53ull;
	z ^= z >> 33;
	return (uint32_t)(((z >> 32) * nnodes) >> 32);
}

/* Expected size of every section but the string table (which the header gives). */
static inline void tbl_section_sizes(const struct tbl_counts *c, uint64_t size[SEC_COUNT])
{
	size[SEC_RELAYS] = (uint64_t)c->nrelays * TBL_RELAY_SIZE;
	size[SEC_SEEDS] = (uint64_t)c->nbuckets * 4;
	size[SEC_KEYS] = (uint64_t)c->nnodes * TBL_KEY_LEN;
	size[SEC_GRANTS] = (uint64_t)c->nnodes * tbl_stride(c->nclasses);
	size[SEC_NAMEIDX] = ((uint64_t)c->nnodes + TBL_NAME_STRIDE - 1) / TBL_NAME_STRIDE * 4;
	size[SEC_STRINGS] = 0;
}

#endif

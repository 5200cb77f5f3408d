/*
 * The key index of a table being built: which nodes it holds (requesters:
 * nodes with a usable disco key that may allocate on some relay) and where:
 * a minimal perfect hash under a fresh random hash key (format.h), whose
 * slot for a node's key is the node's index in the table.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "relaygate/disco_key.h"
#include "table/internal.h"

/* Hash keys tried before giving up. */
#define MAX_ATTEMPTS 16

struct ent {
	uint64_t h;
	uint32_t node;           /* eval node */
	uint32_t slot;
	const uint8_t *key;
};

/* Scratch space of one build, sized for n entries and nb buckets. */
struct work {
	uint32_t *start;         /* nb + 1: first member of each bucket */
	uint32_t *member;        /* n: entries grouped by bucket */
	uint32_t *by_size;       /* nb: buckets, largest first */
	uint64_t *taken;         /* n bits: slots in use */
};

/* Whether node i may allocate on the relays of some class. */
static bool requester(const struct tbl_authz *a, size_t i)
{
	size_t c;

	for (c = 0; c < a->nclasses; c++)
		if (tbl_authz_allows(a, c, i))
			return true;
	return false;
}

bool tbl_usable_key(const struct rg_inv_node *n)
{
	struct rg_disco_key k;

	if (!n->has_disco)
		return false;
	memcpy(k.b, n->disco, sizeof(k.b));
	return !rg_disco_key_is_weak(&k);
}

/*
 * Hashes every entry under a fresh hash key and groups the entries by
 * bucket, the buckets by size; false if a bucket grows past TBL_MAX_BUCKET.
 */
static bool spread(struct tbl_index *x, struct ent *ents, struct work *w)
{
	uint32_t i, b, r, count[TBL_MAX_BUCKET + 2] = { 0 };

	randombytes_buf(&x->hk, sizeof(x->hk));
	x->hk.mul[0] |= 1;
	memset(w->start, 0, ((size_t)x->nbuckets + 1) * sizeof(*w->start));
	for (i = 0; i < x->nnodes; i++) {
		ents[i].h = tbl_hash(&x->hk, ents[i].key);
		b = tbl_bucket(ents[i].h, x->nbuckets);
		if (++w->start[b + 1] > TBL_MAX_BUCKET)
			return false;
	}
	for (b = 0; b < x->nbuckets; b++) {
		count[TBL_MAX_BUCKET - w->start[b + 1] + 1]++;
		w->start[b + 1] += w->start[b];
	}
	/* Rank 32 - size, so largest first: count[r] becomes the first place of rank r. */
	for (r = 1; r <= TBL_MAX_BUCKET + 1; r++)
		count[r] += count[r - 1];
	for (b = 0; b < x->nbuckets; b++)
		w->by_size[count[TBL_MAX_BUCKET - (w->start[b + 1] - w->start[b])]++] = b;
	/* Members in entry order: start[b] is advanced while filling, then restored. */
	for (i = 0; i < x->nnodes; i++)
		w->member[w->start[tbl_bucket(ents[i].h, x->nbuckets)]++] = i;
	for (b = x->nbuckets; b > 0; b--)
		w->start[b] = w->start[b - 1];
	w->start[0] = 0;
	return true;
}

static bool taken(const uint64_t *t, uint32_t slot)
{
	return t[slot / 64] >> (slot % 64) & 1;
}

static void flip(uint64_t *t, uint32_t slot)
{
	t[slot / 64] ^= (uint64_t)1 << (slot % 64);
}

/*
 * Finds the first seed that puts every member of bucket b on a free slot,
 * and takes those slots. 1 placed; 0 no seed within the bound (try another
 * hash key); -1 two members with one key (err set).
 */
static int place_bucket(const struct rg_eval *e, struct tbl_index *x, struct ent *ents,
			struct work *w, uint32_t b, struct rg_err *err)
{
	const uint32_t *m = w->member + w->start[b];
	uint32_t k = w->start[b + 1] - w->start[b], i, j, seed;
	/* Expected tries are nnodes / free slots: bounded generously, then rehash. */
	uint64_t tries, limit = 32 * (uint64_t)x->nnodes + 4096;

	/* Members whose hashes agree in the low half never part: same key or rehash. */
	for (i = 0; i < k; i++)
		for (j = i + 1; j < k; j++)
			if ((uint32_t)ents[m[i]].h == (uint32_t)ents[m[j]].h) {
				if (memcmp(ents[m[i]].key, ents[m[j]].key, TBL_KEY_LEN) != 0)
					return 0;
				rg_err_set(err, "nodes '%s' and '%s' have the same disco key",
					   e->nodes[ents[m[i]].node].node->name,
					   e->nodes[ents[m[j]].node].node->name);
				return -1;
			}
	for (tries = 0, seed = 0; tries < limit && k; tries++, seed++) {
		for (i = 0; i < k; i++) {
			uint32_t s = tbl_slot(ents[m[i]].h, seed, x->nnodes);

			if (taken(w->taken, s))
				break;
			flip(w->taken, s);
			ents[m[i]].slot = s;
		}
		if (i == k) {
			x->seeds[b] = seed;
			return 1;
		}
		while (i-- > 0)
			flip(w->taken, ents[m[i]].slot);
	}
	return k ? 0 : 1;
}

/* Places every entry, largest buckets first: 1 done, 0 try another hash key, -1 error. */
static int place(const struct rg_eval *e, struct tbl_index *x, struct ent *ents, struct work *w,
		 struct rg_err *err)
{
	uint32_t i;
	int r = 1;

	memset(w->taken, 0, ((size_t)x->nnodes + 63) / 64 * sizeof(*w->taken));
	memset(x->seeds, 0, (size_t)x->nbuckets * sizeof(*x->seeds));
	for (i = 0; i < x->nbuckets && r == 1; i++)
		r = place_bucket(e, x, ents, w, w->by_size[i], err);
	return r;
}

int tbl_index_build(const struct rg_eval *e, const struct tbl_authz *a, struct tbl_index *x,
		    struct rg_err *err)
{
	struct ent *ents = NULL;
	struct work w = { NULL, NULL, NULL, NULL };
	size_t i, n = 0;
	int attempt, r = 0, ret = -1;

	memset(x, 0, sizeof(*x));
	if (sodium_init() < 0)
		return rg_err_set(err, "libsodium initialisation failed");
	for (i = 0; i < e->nnodes; i++) {
		bool keyed = tbl_usable_key(e->nodes[i].node);

		x->unkeyed += !keyed;
		n += keyed && requester(a, i);
	}
	if (n > TBL_MAX_NODES)
		return rg_err_set(err, "%zu nodes with disco keys; a table holds at most %u", n,
				  TBL_MAX_NODES);
	x->nnodes = (uint32_t)n;
	x->nbuckets = x->nnodes ? (x->nnodes + TBL_BUCKET_LOAD - 1) / TBL_BUCKET_LOAD : 1;
	ents = malloc((n ? n : 1) * sizeof(*ents));
	x->order = malloc((n ? n : 1) * sizeof(*x->order));
	x->id_of = malloc((e->nnodes ? e->nnodes : 1) * sizeof(*x->id_of));
	x->seeds = malloc(x->nbuckets * sizeof(*x->seeds));
	w.start = malloc(((size_t)x->nbuckets + 1) * sizeof(*w.start));
	w.member = malloc((n ? n : 1) * sizeof(*w.member));
	w.by_size = malloc(x->nbuckets * sizeof(*w.by_size));
	w.taken = malloc((n + 63) / 64 * sizeof(*w.taken) + sizeof(*w.taken));
	if (!ents || !x->order || !x->id_of || !x->seeds || !w.start || !w.member || !w.by_size ||
	    !w.taken) {
		rg_err_set(err, "out of memory");
		goto out;
	}
	for (i = 0, n = 0; i < e->nnodes; i++) {
		x->id_of[i] = TBL_NONE;
		if (tbl_usable_key(e->nodes[i].node) && requester(a, i))
			ents[n++] = (struct ent){ 0, (uint32_t)i, 0, e->nodes[i].node->disco };
	}
	for (attempt = 0; attempt < MAX_ATTEMPTS && r == 0; attempt++)
		if (spread(x, ents, &w))
			r = place(e, x, ents, &w, err);
	if (r < 0)
		goto out;
	if (r == 0) {
		rg_err_set(err, "cannot index the disco keys (no perfect hash under %d hash keys)",
			   MAX_ATTEMPTS);
		goto out;
	}
	for (i = 0; i < n; i++) {
		x->order[ents[i].slot] = ents[i].node;
		x->id_of[ents[i].node] = ents[i].slot;
	}
	ret = 0;
out:
	free(ents);
	free(w.start);
	free(w.member);
	free(w.by_size);
	free(w.taken);
	if (ret < 0)
		tbl_index_free(x);
	return ret;
}

void tbl_index_free(struct tbl_index *x)
{
	free(x->order);
	free(x->id_of);
	free(x->seeds);
	memset(x, 0, sizeof(*x));
}

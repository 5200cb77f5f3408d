/*
 * The key index of a table being built: which nodes it holds (requesters:
 * nodes with a usable disco key that may allocate on some relay), their
 * order (by bucket under a fresh random hash key, then by key), and the
 * bucket directory.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "relaygate/disco_key.h"
#include "table/internal.h"

/* Hash keys tried before giving up on keeping every bucket short. */
#define MAX_ATTEMPTS 16

struct ent {
	uint32_t bucket;
	uint32_t node;           /* eval node */
	const uint8_t *key;
};

static int ent_cmp(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;

	if (x->bucket != y->bucket)
		return x->bucket < y->bucket ? -1 : 1;
	/* Disco keys are public: an ordinary comparison is fine. */
	return memcmp(x->key, y->key, TBL_KEY_LEN);
}

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

/* Buckets every entry under a fresh hash key; false if one grows too long. */
static bool spread(struct tbl_index *x, struct ent *ents, uint32_t *count)
{
	uint32_t i;

	randombytes_buf(x->hk, sizeof(x->hk));
	memset(count, 0, x->nbuckets * sizeof(*count));
	x->max_bucket = 0;
	for (i = 0; i < x->nnodes; i++) {
		ents[i].bucket = tbl_bucket(x->hk, ents[i].key, x->nbuckets);
		if (++count[ents[i].bucket] > TBL_MAX_BUCKET)
			return false;
		if (count[ents[i].bucket] > x->max_bucket)
			x->max_bucket = count[ents[i].bucket];
	}
	return true;
}

static int check_unique(const struct rg_eval *e, const struct ent *ents, uint32_t n,
			struct rg_err *err)
{
	uint32_t i;

	for (i = 1; i < n; i++)
		if (ents[i].bucket == ents[i - 1].bucket &&
		    memcmp(ents[i].key, ents[i - 1].key, TBL_KEY_LEN) == 0)
			return rg_err_set(err, "nodes '%s' and '%s' have the same disco key",
					  e->nodes[ents[i - 1].node].node->name,
					  e->nodes[ents[i].node].node->name);
	return 0;
}

int tbl_index_build(const struct rg_eval *e, const struct tbl_authz *a, struct tbl_index *x,
		    struct rg_err *err)
{
	struct ent *ents = NULL;
	uint32_t *count = NULL;
	size_t i, n = 0;
	int attempt, ret = -1;

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
	count = malloc(x->nbuckets * sizeof(*count));
	x->order = malloc((n ? n : 1) * sizeof(*x->order));
	x->id_of = malloc((e->nnodes ? e->nnodes : 1) * sizeof(*x->id_of));
	x->buckets = malloc(((size_t)x->nbuckets + 1) * sizeof(*x->buckets));
	if (!ents || !count || !x->order || !x->id_of || !x->buckets) {
		rg_err_set(err, "out of memory");
		goto out;
	}
	for (i = 0, n = 0; i < e->nnodes; i++) {
		x->id_of[i] = TBL_NONE;
		if (tbl_usable_key(e->nodes[i].node) && requester(a, i))
			ents[n++] = (struct ent){ 0, (uint32_t)i, e->nodes[i].node->disco };
	}
	for (attempt = 0; !spread(x, ents, count); attempt++) {
		if (attempt + 1 == MAX_ATTEMPTS) {
			rg_err_set(err, "cannot spread the disco keys over the index "
				   "(more than %u in one bucket under %d hash keys)",
				   TBL_MAX_BUCKET, MAX_ATTEMPTS);
			goto out;
		}
	}
	qsort(ents, n, sizeof(*ents), ent_cmp);
	if (check_unique(e, ents, x->nnodes, err) < 0)
		goto out;
	x->buckets[0] = 0;
	for (i = 0; i < x->nbuckets; i++)
		x->buckets[i + 1] = x->buckets[i] + count[i];
	for (i = 0; i < n; i++) {
		x->order[i] = ents[i].node;
		x->id_of[ents[i].node] = (uint32_t)i;
	}
	ret = 0;
out:
	free(ents);
	free(count);
	if (ret < 0)
		tbl_index_free(x);
	return ret;
}

void tbl_index_free(struct tbl_index *x)
{
	free(x->order);
	free(x->id_of);
	free(x->buckets);
	memset(x, 0, sizeof(*x));
}

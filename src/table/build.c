/* Serializing and signing a relay authorization table (docs/table-format.md). */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "relaygate/table_build.h"
#include "table/internal.h"

struct layout {
	struct tbl_counts c;
	uint64_t off[SEC_COUNT], size[SEC_COUNT];
	uint64_t sig_off, total;
};

void rg_table_digest(const void *data, size_t len, uint8_t out[RG_TABLE_DIGEST_LEN])
{
	crypto_generichash(out, RG_TABLE_DIGEST_LEN, data, len, NULL, 0);
}

static int plan(const struct rg_eval *e, const struct tbl_authz *a, const struct tbl_index *x,
		struct layout *l, struct rg_err *err)
{
	uint64_t off = TBL_HEADER_SIZE, strings = 0;
	size_t i;

	memset(l, 0, sizeof(*l));
	if (a->nrelays > TBL_MAX_NODES)
		return rg_err_set(err, "%zu relays; a table holds at most %u", a->nrelays,
				  TBL_MAX_NODES);
	l->c = (struct tbl_counts){ x->nnodes, (uint32_t)a->nrelays, (uint32_t)a->nclasses,
				    x->nbuckets };
	for (i = 0; i < x->nnodes; i++)
		strings += strlen(e->nodes[x->order[i]].node->name) + 1;
	for (i = 0; i < a->nrelays; i++)
		strings += strlen(e->nodes[a->relays[i]].node->name) + 1;
	tbl_section_sizes(&l->c, l->size);
	l->size[SEC_STRINGS] = strings ? strings : 1;
	for (i = 0; i < SEC_COUNT; i++) {
		l->off[i] = off;
		off = tbl_align8(off + l->size[i]);
	}
	l->sig_off = off;
	l->total = off + TBL_SIG_LEN;
	if (l->total > TBL_MAX_SIZE)
		return rg_err_set(err, "the table would take %llu bytes; the limit is %llu",
				  (unsigned long long)l->total, (unsigned long long)TBL_MAX_SIZE);
	return 0;
}

static void put_header(uint8_t *h, const struct layout *l, const struct tbl_index *x,
		       const struct rg_table_build_opts *o, uint32_t unkeyed)
{
	size_t i;

	memcpy(h + H_MAGIC, TBL_MAGIC, TBL_MAGIC_LEN);
	tbl_put32(h + H_VERSION, TBL_VERSION);
	tbl_put32(h + H_HEADER_SIZE, TBL_HEADER_SIZE);
	tbl_put64(h + H_FILE_SIZE, l->total);
	tbl_put64(h + H_SERIAL, o->serial);
	tbl_put64(h + H_CREATED, (uint64_t)o->created);
	memcpy(h + H_POLICY, o->policy_digest, RG_TABLE_DIGEST_LEN);
	memcpy(h + H_INVENTORY, o->inventory_digest, RG_TABLE_DIGEST_LEN);
	memcpy(h + H_SIGNER, o->key->pk, RG_SIGN_PUBLIC_LEN);
	for (i = 0; i < 4; i++)
		tbl_put64(h + H_HASHKEY + 8 * i, x->hk.nh[i]);
	for (i = 0; i < 2; i++)
		tbl_put64(h + H_MULKEY + 8 * i, x->hk.mul[i]);
	tbl_put32(h + H_NNODES, l->c.nnodes);
	tbl_put32(h + H_NRELAYS, l->c.nrelays);
	tbl_put32(h + H_NCLASSES, l->c.nclasses);
	tbl_put32(h + H_NBUCKETS, l->c.nbuckets);
	tbl_put32(h + H_UNKEYED, unkeyed);
	for (i = 0; i < SEC_COUNT; i++) {
		tbl_put32(h + H_SECTIONS + 8 * i, (uint32_t)l->off[i]);
		tbl_put32(h + H_SECTIONS + 8 * i + 4, (uint32_t)l->size[i]);
	}
}

/* Node names in table order (every 16th indexed), then relay names. */
static void put_names(uint8_t *buf, const struct layout *l, const struct rg_eval *e,
		      const struct tbl_authz *a, const struct tbl_index *x)
{
	uint8_t *idx = buf + l->off[SEC_NAMEIDX], *s = buf + l->off[SEC_STRINGS];
	uint32_t pos = 0;
	size_t i;

	for (i = 0; i < x->nnodes; i++) {
		const char *name = e->nodes[x->order[i]].node->name;
		size_t n = strlen(name) + 1;

		if (i % TBL_NAME_STRIDE == 0)
			tbl_put32(idx + 4 * (i / TBL_NAME_STRIDE), pos);
		memcpy(s + pos, name, n);
		pos += (uint32_t)n;
	}
	for (i = 0; i < a->nrelays; i++) {
		const struct rg_inv_node *n = e->nodes[a->relays[i]].node;
		uint8_t *r = buf + l->off[SEC_RELAYS] + (uint64_t)i * TBL_RELAY_SIZE;
		uint32_t id = x->id_of[a->relays[i]];
		size_t len = strlen(n->name) + 1;

		if (tbl_usable_key(n))
			memcpy(r + R_KEY, n->disco, TBL_KEY_LEN);
		tbl_put32(r + R_NAME, pos);
		tbl_put32(r + R_NODE, id);
		tbl_put32(r + R_CLASS, a->relay_class[i]);
		memcpy(s + pos, n->name, len);
		pos += (uint32_t)len;
	}
}

/* Grant bits (one per class and keyed node); counts what the stats report. */
static void put_grants(uint8_t *buf, const struct layout *l, const struct rg_eval *e,
		       const struct tbl_authz *a, const struct tbl_index *x,
		       struct rg_table_build_stats *st, uint64_t *keyed_per_class)
{
	uint8_t *g = buf + l->off[SEC_GRANTS];
	uint32_t stride = tbl_stride(l->c.nclasses);
	size_t c, w, i;

	for (c = 0; c < a->nclasses; c++) {
		for (w = 0; w < a->words; w++) {
			uint64_t bits = a->allowed[c * a->words + w];

			while (bits) {
				size_t node = w * 64 + (size_t)__builtin_ctzll(bits);
				uint32_t id = x->id_of[node];

				bits &= bits - 1;
				if (id == TBL_NONE)
					continue;
				g[(uint64_t)id * stride + c / 8] |= (uint8_t)(1u << (c % 8));
				keyed_per_class[c]++;
			}
		}
	}
	for (i = 0; i < e->nnodes; i++) {
		if (x->id_of[i] != TBL_NONE)
			continue;
		for (c = 0; c < a->nclasses && !tbl_authz_allows(a, c, i); c++)
			;
		st->unkeyed_allowed += c < a->nclasses;
	}
	for (i = 0; i < a->nrelays; i++)
		st->allowed_pairs += keyed_per_class[a->relay_class[i]];
}

int rg_table_build(const struct rg_eval *e, const struct rg_table_build_opts *o, uint8_t **out,
		   size_t *len, struct rg_table_build_stats *st, struct rg_err *err)
{
	struct tbl_authz a;
	struct tbl_index x;
	struct layout l;
	struct rg_table_build_stats dummy;
	uint64_t *per_class = NULL;
	uint8_t *buf = NULL;
	size_t i;
	int ret = -1;

	*out = NULL;
	*len = 0;
	if (!st)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	if (!o || !o->key)
		return rg_err_set(err, "no signing key");
	if (sodium_init() < 0)
		return rg_err_set(err, "libsodium initialisation failed");
	if (tbl_authz_compute(e, &a, err) < 0)
		return -1;
	if (tbl_index_build(e, &a, &x, err) < 0)
		goto out_authz;
	if (plan(e, &a, &x, &l, err) < 0)
		goto out;
	buf = calloc(1, l.total);
	per_class = calloc(a.nclasses + 1, sizeof(*per_class));
	if (!buf || !per_class) {
		rg_err_set(err, "out of memory");
		goto out;
	}
	st->nrelays = l.c.nrelays;
	st->nclasses = l.c.nclasses;
	st->nnodes = l.c.nnodes;
	st->unkeyed = x.unkeyed;
	put_header(buf, &l, &x, o, st->unkeyed);
	for (i = 0; i < x.nbuckets; i++)
		tbl_put32(buf + l.off[SEC_SEEDS] + 4 * i, x.seeds[i]);
	for (i = 0; i < x.nnodes; i++)
		memcpy(buf + l.off[SEC_KEYS] + TBL_KEY_LEN * i, e->nodes[x.order[i]].node->disco,
		       TBL_KEY_LEN);
	put_names(buf, &l, e, &a, &x);
	put_grants(buf, &l, e, &a, &x, st, per_class);
	if (crypto_sign_detached(buf + l.sig_off, NULL, buf, l.sig_off, o->key->sk) != 0) {
		rg_err_set(err, "signing failed");
		goto out;
	}
	*out = buf;
	*len = l.total;
	buf = NULL;
	ret = 0;
out:
	free(buf);
	free(per_class);
	tbl_index_free(&x);
out_authz:
	tbl_authz_free(&a);
	return ret;
}

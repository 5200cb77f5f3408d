/*
 * Loading a relay authorization table: map it, check the header, verify the
 * signature against a trusted key, then check every section, offset and
 * count before any lookup can read them (docs/table-format.md).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "table/internal.h"
#include "util/file.h"

/* How far in the future a table's creation time may lie when a maximum age is set. */
#define CLOCK_SKEW 300

static const char *const section_name[SEC_COUNT] = {
	"relays", "seeds", "keys", "grants", "names index", "strings",
};

static int bad(struct rg_err *err, const char *name, const char *fmt, ...) RG_PRINTF(3, 4);

static int bad(struct rg_err *err, const char *name, const char *fmt, ...)
{
	char msg[RG_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return rg_err_set(err, "%s: %s", name, msg);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	while (n--)
		acc |= *p++;
	return acc == 0;
}

static int check_header(struct rg_table *t, const char *name, struct rg_err *err)
{
	const uint8_t *h = t->data;
	uint32_t version;
	size_t i;

	if (t->len < TBL_HEADER_SIZE + TBL_SIG_LEN ||
	    memcmp(h + H_MAGIC, TBL_MAGIC, TBL_MAGIC_LEN) != 0)
		return bad(err, name, t->len >= TBL_MAGIC_LEN &&
			   memcmp(h + H_MAGIC, TBL_MAGIC, TBL_MAGIC_LEN) == 0 ?
			   "truncated (%zu bytes)" : "not a relaygate table (%zu bytes)", t->len);
	version = tbl_le32(h + H_VERSION);
	if (version != TBL_VERSION)
		return bad(err, name, "unsupported format version %u (this build reads %u)", version,
			   TBL_VERSION);
	if (tbl_le32(h + H_HEADER_SIZE) != TBL_HEADER_SIZE)
		return bad(err, name, "bad header size %u", tbl_le32(h + H_HEADER_SIZE));
	if (tbl_le64(h + H_FILE_SIZE) != t->len)
		return bad(err, name, "size is %zu bytes but the header says %llu (truncated?)", t->len,
			   (unsigned long long)tbl_le64(h + H_FILE_SIZE));
	t->info.version = version;
	t->info.serial = tbl_le64(h + H_SERIAL);
	t->info.created = (int64_t)tbl_le64(h + H_CREATED);
	memcpy(t->info.policy_digest, h + H_POLICY, 32);
	memcpy(t->info.inventory_digest, h + H_INVENTORY, 32);
	memcpy(t->info.signer, h + H_SIGNER, RG_TABLE_KEY_LEN);
	crypto_generichash(t->info.digest, sizeof(t->info.digest), t->data + t->len - TBL_SIG_LEN,
			   TBL_SIG_LEN, NULL, 0);
	for (i = 0; i < 4; i++)
		t->hk.nh[i] = tbl_le64(h + H_HASHKEY + 8 * i);
	for (i = 0; i < 2; i++)
		t->hk.mul[i] = tbl_le64(h + H_MULKEY + 8 * i);
	t->nnodes = tbl_le32(h + H_NNODES);
	t->nrelays = tbl_le32(h + H_NRELAYS);
	t->nclasses = tbl_le32(h + H_NCLASSES);
	t->nbuckets = tbl_le32(h + H_NBUCKETS);
	t->unkeyed = tbl_le32(h + H_UNKEYED);
	t->stride = tbl_stride(t->nclasses);
	t->info.nrelays = t->nrelays;
	t->info.nnodes = t->nnodes;
	return 0;
}

static int check_signature(struct rg_table *t, const struct rg_table_trust *trust,
			   const char *name, struct rg_err *err)
{
	size_t i, body = t->len - TBL_SIG_LEN;
	int trusted = 0;
	char hex[2 * RG_TABLE_KEY_LEN + 1];

	for (i = 0; i < trust->nkeys; i++)
		trusted |= sodium_memcmp(trust->keys[i], t->info.signer, RG_TABLE_KEY_LEN) == 0;
	if (!trusted) {
		sodium_bin2hex(hex, sizeof(hex), t->info.signer, RG_TABLE_KEY_LEN);
		return bad(err, name, "signed by %s, which is not a trusted key", hex);
	}
	if (crypto_sign_verify_detached(t->data + body, t->data, body, t->info.signer) != 0)
		return bad(err, name, "bad signature");
	t->info.verified = true;
	return 0;
}

static int check_counts(const struct rg_table *t, const char *name, struct rg_err *err)
{
	const uint8_t *h = t->data;

	if (t->nnodes > TBL_MAX_NODES || t->nrelays > TBL_MAX_NODES)
		return bad(err, name, "too many nodes (%u) or relays (%u)", t->nnodes, t->nrelays);
	if (t->nclasses > TBL_MAX_CLASSES || t->nclasses > t->nrelays ||
	    (t->nrelays && !t->nclasses))
		return bad(err, name, "bad relay class count %u for %u relays", t->nclasses,
			   t->nrelays);
	if (t->nbuckets < 1 || t->nbuckets > TBL_MAX_NODES)
		return bad(err, name, "bad bucket count %u", t->nbuckets);
	if (!(t->hk.mul[0] & 1))
		return bad(err, name, "the hash multiplier is even");
	if (!all_zero(h + H_ZERO, 4))
		return bad(err, name, "reserved header bytes are not zero");
	return 0;
}

/* Sections follow the header in order, each at the next multiple of 8, padding zero. */
static int check_sections(struct rg_table *t, const char *name, struct rg_err *err)
{
	struct tbl_counts c = { t->nnodes, t->nrelays, t->nclasses, t->nbuckets };
	uint64_t want[SEC_COUNT], pos = TBL_HEADER_SIZE, end = t->len - TBL_SIG_LEN;
	const uint8_t *base[SEC_COUNT];
	size_t i;

	tbl_section_sizes(&c, want);
	for (i = 0; i < SEC_COUNT; i++) {
		uint64_t off = tbl_le32(t->data + H_SECTIONS + 8 * i);
		uint64_t size = tbl_le32(t->data + H_SECTIONS + 8 * i + 4);

		if (off != pos)
			return bad(err, name, "%s section at offset %llu, expected %llu",
				   section_name[i], (unsigned long long)off, (unsigned long long)pos);
		if (i == SEC_STRINGS ? size < 1 : size != want[i])
			return bad(err, name, "%s section of %llu bytes, expected %llu",
				   section_name[i], (unsigned long long)size,
				   (unsigned long long)want[i]);
		if (size > end - off || tbl_align8(off + size) > end)
			return bad(err, name, "%s section runs past the end (truncated?)",
				   section_name[i]);
		if (!all_zero(t->data + off + size, (size_t)(tbl_align8(off + size) - off - size)))
			return bad(err, name, "padding after the %s section is not zero",
				   section_name[i]);
		base[i] = t->data + off;
		pos = tbl_align8(off + size);
		if (i == SEC_STRINGS)
			t->strings_len = (uint32_t)size;
	}
	if (pos != end)
		return bad(err, name, "%llu stray bytes before the signature",
			   (unsigned long long)(end - pos));
	t->relays = base[SEC_RELAYS];
	t->seeds = base[SEC_SEEDS];
	t->keys = base[SEC_KEYS];
	t->grants = base[SEC_GRANTS];
	t->nameidx = base[SEC_NAMEIDX];
	t->strings = (const char *)base[SEC_STRINGS];
	return 0;
}

/* Node names: nnodes NUL-terminated strings from offset 0, every 16th indexed. */
static int check_names(const struct rg_table *t, const char *name, struct rg_err *err)
{
	size_t pos = 0;
	uint32_t i;

	if (t->strings[t->strings_len - 1] != '\0')
		return bad(err, name, "the string table does not end with a NUL");
	for (i = 0; i < t->nnodes; i++) {
		const char *nul;

		if (i % TBL_NAME_STRIDE == 0 &&
		    tbl_le32(t->nameidx + 4 * (size_t)(i / TBL_NAME_STRIDE)) != pos)
			return bad(err, name, "the names index is wrong at node %u", i);
		nul = memchr(t->strings + pos, '\0', t->strings_len - pos);
		if (!nul)
			return bad(err, name, "node names run past the string table");
		pos = (size_t)(nul - t->strings) + 1;
	}
	return 0;
}

static int check_relays(const struct rg_table *t, const char *name, struct rg_err *err)
{
	uint32_t r;

	for (r = 0; r < t->nrelays; r++) {
		const uint8_t *rec = t->relays + (size_t)r * TBL_RELAY_SIZE;
		uint32_t node = tbl_le32(rec + R_NODE);

		if (tbl_le32(rec + R_NAME) >= t->strings_len)
			return bad(err, name, "relay %u: name out of bounds", r);
		if (tbl_le32(rec + R_CLASS) >= t->nclasses || tbl_le32(rec + R_RESERVED) != 0)
			return bad(err, name, "relay %u: bad class", r);
		if (node != TBL_NONE && (node >= t->nnodes ||
		    memcmp(t->keys + (size_t)node * TBL_KEY_LEN, rec + R_KEY, TBL_KEY_LEN) != 0))
			return bad(err, name, "relay %u: key and node disagree", r);
	}
	return 0;
}

/* Bits past the last class are zero. */
static int check_grants(const struct rg_table *t, const char *name, struct rg_err *err)
{
	uint8_t mask, acc = 0;
	uint32_t i;

	if (t->nclasses % 8 == 0)
		return 0;
	mask = (uint8_t)(0xff << (t->nclasses % 8));
	for (i = 0; i < t->nnodes; i++)
		acc |= t->grants[(size_t)i * t->stride + t->stride - 1] & mask;
	return acc ? bad(err, name, "grant bits set past the last relay class") : 0;
}

static int check_fresh(const struct rg_table *t, const struct rg_table_trust *trust,
		       const char *name, struct rg_err *err)
{
	int64_t now = trust->now ? trust->now : (int64_t)time(NULL);
	int64_t created = t->info.created;

	if (t->info.serial < trust->min_serial)
		return bad(err, name, "serial %llu is below the minimum %llu (a rollback?)",
			   (unsigned long long)t->info.serial, (unsigned long long)trust->min_serial);
	if (!trust->max_age)
		return 0;
	if (created > now && (uint64_t)created - (uint64_t)now > CLOCK_SKEW)
		return bad(err, name, "created %llu s in the future",
			   (unsigned long long)((uint64_t)created - (uint64_t)now));
	if (created < now && (uint64_t)now - (uint64_t)created > trust->max_age)
		return bad(err, name, "created %llu s ago, more than the maximum age of %llu s",
			   (unsigned long long)((uint64_t)now - (uint64_t)created),
			   (unsigned long long)trust->max_age);
	return 0;
}

static int parse(struct rg_table *t, const struct rg_table_trust *trust, const char *name,
		 struct rg_err *err)
{
	static const struct rg_table_trust none = { NULL, 0, 0, 0, 0 };

	if (!trust)
		trust = &none;
	if (check_header(t, name, err) < 0)
		return -1;
	if (trust->nkeys && check_signature(t, trust, name, err) < 0)
		return -1;
	/*
	 * The seeds need no check: any seed gives a slot below nnodes. Where keys
	 * sit is not checked either: a key off its slot is never found, which
	 * denies (fails closed); the round-trip tests check the writer's placement.
	 */
	if (check_counts(t, name, err) < 0 || check_sections(t, name, err) < 0 ||
	    check_names(t, name, err) < 0 ||
	    check_relays(t, name, err) < 0 || check_grants(t, name, err) < 0)
		return -1;
	return check_fresh(t, trust, name, err);
}

int rg_table_open_mem(const void *data, size_t len, const struct rg_table_trust *trust,
		      struct rg_table **out, struct rg_err *err)
{
	struct rg_table *t;

	*out = NULL;
	if (sodium_init() < 0)
		return rg_err_set(err, "libsodium initialisation failed");
	t = calloc(1, sizeof(*t));
	if (!t)
		return rg_err_set(err, "out of memory");
	t->data = data;
	t->len = len;
	if ((!data && len) || parse(t, trust, "table", err) < 0) {
		if (!data && len)
			rg_err_set(err, "table: no data");
		free(t);
		return -1;
	}
	*out = t;
	return 0;
}

int rg_table_open(const char *path, const struct rg_table_trust *trust, struct rg_table **out,
		  struct rg_err *err)
{
	struct rg_table *t = NULL;
	struct stat st;
	void *map = MAP_FAILED;
	int fd, ret = -1;

	*out = NULL;
	if (sodium_init() < 0)
		return rg_err_set(err, "libsodium initialisation failed");
	fd = rg_file_open_regular(path, &st, err);
	if (fd < 0)
		return -1;
	/* The table is checked once and then read in place: nobody else may rewrite it. */
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		rg_err_set(err, "%s: writable by group or others (mode %04o)", path,
			   (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if (st.st_size < TBL_HEADER_SIZE + TBL_SIG_LEN || (uint64_t)st.st_size > TBL_MAX_SIZE) {
		rg_err_set(err, "%s: %s (%lld bytes)", path,
			   st.st_size < TBL_HEADER_SIZE + TBL_SIG_LEN ? "truncated" : "too large",
			   (long long)st.st_size);
		goto out;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	if (map == MAP_FAILED) {
		rg_err_errno(err, errno, "%s: cannot map", path);
		goto out;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		rg_err_set(err, "out of memory");
		goto out;
	}
	t->data = map;
	t->len = (size_t)st.st_size;
	t->map = map;
	t->maplen = t->len;
	if (parse(t, trust, path, err) < 0)
		goto out;
	*out = t;
	t = NULL;
	map = MAP_FAILED;
	ret = 0;
out:
	free(t);
	if (map != MAP_FAILED)
		munmap(map, (size_t)st.st_size);
	close(fd);
	return ret;
}

void rg_table_close(struct rg_table *t)
{
	if (!t)
		return;
	if (t->map)
		munmap(t->map, t->maplen);
	free(t);
}

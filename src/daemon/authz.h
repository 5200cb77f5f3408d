/*
 * The loaded authorization table, as the workers consult it. An authz is
 * immutable once published: a reload builds a new one, publishes it with
 * one atomic pointer store, and frees the old one only after every worker
 * has moved past it (see reload.c).
 */
#ifndef RGD_AUTHZ_H
#define RGD_AUTHZ_H

#include <stdbool.h>
#include <stdint.h>

#include "relaygate/disco_key.h"
#include "relaygate/table.h"
#include "daemon/config.h"

struct rgd_trust {
	uint8_t keys[RGD_MAX_TRUST][RG_TABLE_KEY_LEN];
	size_t n;
};

struct rgd_authz {
	struct rg_table *t;
	uint32_t relay;
	struct rg_table_info info;
	int64_t loaded_at;    /* unix seconds */
	double load_seconds;
};

/* Reads the --trust files: one public key each, 64 hex digits, with or
 * without a "name:" prefix. */
int rgd_trust_load(const struct rgd_config *c, struct rgd_trust *t, struct rg_err *err);
/* Parses the text of one trust file. */
int rgd_trust_parse(const char *text, uint8_t key[RG_TABLE_KEY_LEN]);

/*
 * Opens and verifies the table, refusing a serial below min_serial, and
 * checks that it names this relay (and, if it records one, this relay's
 * disco key).
 */
int rgd_authz_open(const struct rgd_config *c, const struct rgd_trust *trust,
		   const struct rg_disco_key *relay_key, uint64_t min_serial,
		   struct rgd_authz **out, struct rg_err *err);
void rgd_authz_free(struct rgd_authz *a);

/* May the node with this disco key allocate on this relay? */
static inline bool rgd_authz_allowed(const struct rgd_authz *a, const struct rg_disco_key *k)
{
	return rg_table_allowed(a->t, a->relay, k->b);
}

#endif

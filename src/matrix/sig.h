/*
 * Grouping by signature: things whose signatures (byte strings) are equal
 * get the same class number, numbered in order of first appearance.
 *
 * Ownership: the signature table copies keys into its arena.
 */
#ifndef RG_MATRIX_SIG_H
#define RG_MATRIX_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/map.h"
#include "util/vec.h"

struct sig_table {
	struct rg_arena arena;
	struct rg_map map;     /* key -> (uintptr_t)class + 1 */
	size_t n;              /* classes so far */
};

void sig_init(struct sig_table *t);
void sig_free(struct sig_table *t);
/* The class of key[0..len) (a new one if unseen); -1 when out of memory. */
int sig_class(struct sig_table *t, const void *key, size_t len, uint32_t *out);

#endif

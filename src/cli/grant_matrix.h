/* Loading policies (and an inventory) into grant matrices, for matrix and diff. */
#ifndef RG_CLI_GRANT_MATRIX_H
#define RG_CLI_GRANT_MATRIX_H

#include <stddef.h>

#include "relaygate/matrix.h"

/*
 * Loads and validates each of the n policies and builds its matrix into
 * out[i]: of the inventory's nodes, or without inv_path, of the principals
 * of all the policies together (so that OLD and NEW share their lines).
 * Diagnostics and errors are printed. Returns RG_EXIT_OK, RG_EXIT_FINDINGS
 * (a policy is invalid), RG_EXIT_USAGE (I/O, bad inventory) or
 * RG_EXIT_INTERNAL. On failure no matrix is returned.
 */
int cli_build_matrices(const char *cmd, char *const *paths, size_t n, const char *inv_path,
		       const struct rg_matrix_opts *o, struct rg_matrix **out);

/* A decimal count in [0, max]; -1 when s is not one. */
long cli_parse_count(const char *s, long max);

/* Writes data to path atomically ("-": standard output); returns an exit code. */
int cli_write_output(const char *cmd, const char *path, const char *data, size_t len);

#endif

/* Reading inputs with a size cap and writing outputs atomically. */
#ifndef RG_UTIL_FILE_H
#define RG_UTIL_FILE_H

#include <stddef.h>
#include <sys/types.h>

#include "relaygate/err.h"

/* Largest input file accepted by default (policies, inventories, configs). */
#define RG_FILE_MAX_INPUT ((size_t)64 << 20)

/*
 * Reads all of path ("-" = stdin) into a fresh NUL-terminated buffer that
 * the caller frees. Refuses directories and inputs over max bytes.
 */
int rg_file_read(const char *path, size_t max, char **out, size_t *len, struct rg_err *err);

/*
 * Writes data to path atomically: a temporary file in the same directory,
 * fsync, chmod to mode, rename over path. On failure path is untouched.
 * With exclusive set, an existing path is an error (EEXIST), checked with a
 * hard link so that a concurrent writer cannot be overwritten either.
 */
int rg_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
			 int exclusive, struct rg_err *err);

struct stat;
/*
 * Opens path read-only and fills st; refuses anything but a regular file.
 * Returns the descriptor (the caller closes it) or -1 with the reason in err.
 */
int rg_file_open_regular(const char *path, struct stat *st, struct rg_err *err);

/* Whether the contents of path equal data (false when unreadable). */
int rg_file_equals(const char *path, const void *data, size_t len);

#endif

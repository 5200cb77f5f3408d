/*
 * relaygate error record.
 *
 * Library functions that can fail return int (0 on success, -1 on failure)
 * and, when given a non-NULL struct rg_err *, describe the failure there.
 * The text never ends with a newline; callers add file names and positions.
 */
#ifndef RELAYGATE_ERR_H
#define RELAYGATE_ERR_H

#include <stdarg.h>
#include <stddef.h>

#define RG_ERR_MAX 1024

struct rg_err {
	char msg[RG_ERR_MAX];
};

#if defined(__GNUC__)
#define RG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define RG_PRINTF(a, b)
#endif

/* Sets the message (no-op when e is NULL). Always returns -1 for tail calls. */
int rg_err_set(struct rg_err *e, const char *fmt, ...) RG_PRINTF(2, 3);
int rg_err_vset(struct rg_err *e, const char *fmt, va_list ap) RG_PRINTF(2, 0);
/* Same, appending strerror(errnum). */
int rg_err_errno(struct rg_err *e, int errnum, const char *fmt, ...) RG_PRINTF(3, 4);

#endif

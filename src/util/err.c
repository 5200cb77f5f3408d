#include <stdio.h>
#include <string.h>

#include "util/err.h"

int rg_err_vset(struct rg_err *e, const char *fmt, va_list ap)
{
	if (e)
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	return -1;
}

int rg_err_set(struct rg_err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rg_err_vset(e, fmt, ap);
	va_end(ap);
	return -1;
}

int rg_err_errno(struct rg_err *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	if (n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(errnum));
	return -1;
}

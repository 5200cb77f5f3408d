/* Error text carried from library code up to main, which alone picks exit codes. */
#ifndef RG_UTIL_ERR_H
#define RG_UTIL_ERR_H

#include <stdarg.h>
#include <stddef.h>

#include "relaygate/err.h"

#endif

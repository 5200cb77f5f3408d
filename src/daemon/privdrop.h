/* --user: switch to an unprivileged user once the sockets are bound. */
#ifndef RGD_PRIVDROP_H
#define RGD_PRIVDROP_H

#include "relaygate/err.h"

/* Supplementary groups, gid, uid; then checks root cannot be regained. */
int rgd_drop_privileges(const char *user, struct rg_err *err);

#endif

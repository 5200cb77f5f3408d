/* relaygate table: shared by its subcommands (cmd_table.c) and the printer (table_show.c). */
#ifndef RG_CLI_TABLE_CLI_H
#define RG_CLI_TABLE_CLI_H

#include <stdbool.h>

#include "relaygate/table.h"

/* Prints the table (text or JSON) on stdout; an exit status. */
int table_show(const char *path, const struct rg_table *t, bool json);

#endif

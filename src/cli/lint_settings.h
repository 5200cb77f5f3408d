/*
 * The settings of relaygate lint: flags beat the environment, which beats
 * the .relaygate.hujson file found for each linted file (or --config).
 */
#ifndef RG_CLI_LINT_SETTINGS_H
#define RG_CLI_LINT_SETTINGS_H

#include <stdbool.h>

#include "relaygate/lint.h"

#define CLI_CONFIG_NAME ".relaygate.hujson"

struct cli_setting {
	const char *origin;      /* "--ignore", "RELAYGATE_IGNORE" */
	const char *key;         /* rg_lint_config_set key */
	const char *value;       /* borrowed from argv or the environment */
};

struct cli_cfg_entry {
	char *path;
	struct rg_source *src;
	struct rg_lint_cfgfile *file;
};

struct cli_lint_settings {
	struct cli_setting *ops; /* environment first, then flags, in order */
	size_t nops;
	const char *config;      /* --config or RELAYGATE_CONFIG */
	bool no_config;
	struct cli_cfg_entry *cache;
	size_t ncache;
};




void cli_settings_init(struct cli_lint_settings *s);
void cli_settings_free(struct cli_lint_settings *s);
/*
 * Adds one setting after checking it (an error is printed and -1
 * returned). Settings apply in the order they are added.
 */
int cli_settings_add(struct cli_lint_settings *s, const char *origin, const char *key,
		     const char *value);
/* Adds the settings of the RELAYGATE_* variables that are set. -1 on error (printed). */
int cli_settings_from_env(struct cli_lint_settings *s);
/*
 * The configuration file governing path ("-": the working directory):
 * --config if given, else the first .relaygate.hujson found from the
 * file's directory upwards, stopping at a directory holding .git. *out is
 * NULL when there is none. -1 when it cannot be read or is invalid (the
 * located errors are printed).
 */
int cli_settings_file_for(struct cli_lint_settings *s, const char *path,
			  const struct rg_lint_cfgfile **out);
/* Defaults, then file (may be NULL), then every setting. */
void cli_settings_effective(const struct cli_lint_settings *s, const struct rg_lint_cfgfile *file,
			    struct rg_lint_config *out);

#endif

/* Settings of relaygate lint and discovery of .relaygate.hujson. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/lint_settings.h"
#include "cli/load.h"
#include "diag/emit.h"
#include "util/file.h"

void cli_settings_init(struct cli_lint_settings *s)
{
	memset(s, 0, sizeof(*s));
}

void cli_settings_free(struct cli_lint_settings *s)
{
	size_t i;

	for (i = 0; i < s->ncache; i++) {
		rg_lint_cfgfile_free(s->cache[i].file);
		rg_source_free(s->cache[i].src);
		free(s->cache[i].path);
	}
	free(s->cache);
	free(s->ops);
	cli_settings_init(s);
}

int cli_settings_add(struct cli_lint_settings *s, const char *origin, const char *key,
		     const char *value)
{
	struct rg_lint_config scratch;
	struct cli_setting *v;
	struct rg_err err;

	rg_lint_config_init(&scratch);
	if (rg_lint_config_set(&scratch, key, value, &err) < 0) {
		cli_error("lint", "%s: %s", origin, err.msg);
		return -1;
	}
	v = realloc(s->ops, (s->nops + 1) * sizeof(*v));
	if (!v) {
		cli_error("lint", "out of memory");
		return -1;
	}
	s->ops = v;
	v[s->nops++] = (struct cli_setting){ origin, key, value };
	return 0;
}

static const struct {
	const char *var, *key;
} env_settings[] = {
	{ "RELAYGATE_FAIL_ON", "fail-on" },
	{ "RELAYGATE_IGNORE", "ignore" },
	{ "RELAYGATE_SEVERITY", "severity" },
	{ "RELAYGATE_RELAY_MAX_GROUP_SIZE", "relay-max-group-size" },
};

int cli_settings_from_env(struct cli_lint_settings *s)
{
	const char *v;
	size_t i;

	for (i = 0; i < sizeof(env_settings) / sizeof(env_settings[0]); i++)
		if ((v = getenv(env_settings[i].var)) && *v &&
		    cli_settings_add(s, env_settings[i].var, env_settings[i].key, v) < 0)
			return -1;
	if ((v = getenv("RELAYGATE_NO_PRAGMAS")) && *v && strcmp(v, "0") != 0 &&
	    cli_settings_add(s, "RELAYGATE_NO_PRAGMAS", "pragmas", "false") < 0)
		return -1;
	if ((v = getenv("RELAYGATE_CONFIG")) && *v)
		s->config = v;
	return 0;
}

static bool exists(const char *dir, const char *name, bool regular)
{
	char path[PATH_MAX];
	struct stat st;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return false;
	return stat(path, &st) == 0 && (!regular || S_ISREG(st.st_mode));
}

/* The directory a linted path lives in, absolute; false when unknown. */
static bool start_dir(const char *path, char dir[PATH_MAX])
{
	char tmp[PATH_MAX], *slash;

	if (strcmp(path, "-") == 0)
		return getcwd(dir, PATH_MAX) != NULL;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s", path) >= sizeof(tmp))
		return false;
	slash = strrchr(tmp, '/');
	if (!slash)
		strcpy(tmp, ".");
	else if (slash == tmp)
		tmp[1] = '\0';
	else
		*slash = '\0';
	return realpath(tmp, dir) != NULL;
}

/* found relative to the working directory when it lies below it (shorter messages). */
static char *display_path(const char *found)
{
	char cwd[PATH_MAX];
	size_t n;

	if (getcwd(cwd, sizeof(cwd)) && (n = strlen(cwd)) > 1 && strncmp(found, cwd, n) == 0 &&
	    found[n] == '/')
		return strdup(found + n + 1);
	return strdup(found);
}

/* The nearest .relaygate.hujson above path, or NULL (malloc'ed). */
static char *discover(const char *path)
{
	char dir[PATH_MAX], found[PATH_MAX];
	size_t depth;

	if (!start_dir(path, dir))
		return NULL;
	for (depth = 0; depth < PATH_MAX / 2; depth++) {
		char *slash;

		if (exists(dir, CLI_CONFIG_NAME, true)) {
			if ((size_t)snprintf(found, sizeof(found), "%s/%s", strcmp(dir, "/") ? dir : "",
					     CLI_CONFIG_NAME) >= sizeof(found))
				return NULL;
			return display_path(found);
		}
		if (exists(dir, ".git", false) || strcmp(dir, "/") == 0)
			return NULL;
		slash = strrchr(dir, '/');
		if (!slash)
			return NULL;
		if (slash == dir)
			dir[1] = '\0';
		else
			*slash = '\0';
	}
	return NULL;
}

static int load_entry(struct cli_lint_settings *s, char *path, const struct rg_lint_cfgfile **out)
{
	struct cli_cfg_entry *v, *e;
	struct rg_diags diags;
	struct rg_err err;
	size_t i;

	for (i = 0; i < s->ncache; i++)
		if (strcmp(s->cache[i].path, path) == 0) {
			free(path);
			*out = s->cache[i].file;
			return 0;
		}
	v = realloc(s->cache, (s->ncache + 1) * sizeof(*v));
	if (!v) {
		free(path);
		cli_error("lint", "out of memory");
		return -1;
	}
	s->cache = v;
	e = &v[s->ncache++];
	memset(e, 0, sizeof(*e));
	e->path = path;
	e->src = rg_source_load(path, RG_FILE_MAX_INPUT, &err);
	if (!e->src) {
		cli_error("lint", "config: %s", err.msg);
		return -1;
	}
	rg_diags_init(&diags);
	if (rg_lint_cfgfile_load(e->src, &e->file, &diags) < 0) {
		cli_print_diags("lint", &diags);
		rg_diags_free(&diags);
		return -1;
	}
	rg_diags_free(&diags);
	*out = e->file;
	return 0;
}

int cli_settings_file_for(struct cli_lint_settings *s, const char *path,
			  const struct rg_lint_cfgfile **out)
{
	char *cfg;

	*out = NULL;
	if (s->no_config)
		return 0;
	if (s->config)
		cfg = strdup(s->config);
	else if (!(cfg = discover(path)))
		return 0;
	if (!cfg) {
		cli_error("lint", "out of memory");
		return -1;
	}
	return load_entry(s, cfg, out);
}

void cli_settings_effective(const struct cli_lint_settings *s, const struct rg_lint_cfgfile *file,
			    struct rg_lint_config *out)
{
	size_t i;

	rg_lint_config_init(out);
	if (file)
		rg_lint_cfgfile_apply(file, out);
	for (i = 0; i < s->nops; i++)
		rg_lint_config_set(out, s->ops[i].key, s->ops[i].value, NULL); /* checked when added */
}

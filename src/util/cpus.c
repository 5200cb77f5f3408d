/* Container-aware CPU count: affinity mask and cgroup v2/v1 CPU limits. */
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cpus.h"
#include "util/file.h"

#define SMALL_FILE 4096
#define MAX_DEPTH 64

unsigned rg_cpus_affinity(void)
{
	cpu_set_t set;
	long n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 && n < INT_MAX ? (unsigned)n : 1;
}

static char *read_small(const char *path)
{
	char *data;
	size_t len;

	if (rg_file_read(path, SMALL_FILE, &data, &len, NULL) < 0)
		return NULL;
	return data;
}

/* A positive decimal that fits; -1 otherwise (including "max", "-1"). */
static long long parse_num(const char *s, char **end)
{
	long long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoll(s, end, 10);
	return v > 0 && v < LLONG_MAX ? v : -1;
}

/* cgroup v2 cpu.max: "max 100000" or "QUOTA PERIOD". */
static bool read_v2(const char *dir, long long *quota, long long *period)
{
	char path[PATH_MAX], *data, *end;
	bool ok = false;

	if (snprintf(path, sizeof(path), "%s/cpu.max", dir) >= (int)sizeof(path))
		return false;
	data = read_small(path);
	if (!data)
		return false;
	*quota = parse_num(data, &end);
	if (*quota > 0 && *end == ' ') {
		*period = parse_num(end + 1, &end);
		ok = *period > 0;
	}
	free(data);
	return ok;
}

static long long read_v1_value(const char *dir, const char *file)
{
	char path[PATH_MAX], *data, *end;
	long long v;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return -1;
	data = read_small(path);
	if (!data)
		return -1;
	v = parse_num(data, &end);
	free(data);
	return v;
}

/* cgroup v1: cpu.cfs_quota_us (-1 = none) and cpu.cfs_period_us. */
static bool read_v1(const char *dir, long long *quota, long long *period)
{
	*quota = read_v1_value(dir, "cpu.cfs_quota_us");
	if (*quota <= 0)
		return false;
	*period = read_v1_value(dir, "cpu.cfs_period_us");
	return *period > 0;
}

static unsigned ceil_div(long long q, long long p)
{
	long long n = q / p + (q % p != 0);

	return n > (long long)UINT_MAX ? UINT_MAX : (unsigned)n;
}

/*
 * Walks base + path and every ancestor up to base, keeping the smallest
 * limit. Returns whether any level had one.
 */
static bool walk(const char *base, const char *cgpath,
		 bool (*read)(const char *, long long *, long long *), struct rg_cpus *out)
{
	char dir[PATH_MAX];
	bool found = false;
	int n = snprintf(dir, sizeof(dir), "%s%s", base, cgpath);
	size_t blen = strlen(base);

	if (n < 0 || (size_t)n >= sizeof(dir))
		return false;
	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		long long q, p;
		char *slash;

		if (read(dir, &q, &p)) {
			unsigned lim = ceil_div(q, p);

			if (!found || lim < out->limit) {
				out->limit = lim;
				out->quota = q;
				out->period = p;
			}
			found = true;
		}
		if (strlen(dir) <= blen)
			break;
		slash = strrchr(dir + blen, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
	return found;
}

/* Whether token appears in the comma-separated list s[0..n). */
static bool has_token(const char *s, size_t n, const char *token)
{
	size_t tl = strlen(token);

	while (n > 0) {
		const char *comma = memchr(s, ',', n);
		size_t len = comma ? (size_t)(comma - s) : n;

		if (len == tl && memcmp(s, token, tl) == 0)
			return true;
		if (!comma)
			break;
		n -= len + 1;
		s = comma + 1;
	}
	return false;
}

static bool try_v1(const char *root, const char *ctrl, size_t clen, const char *path,
		   struct rg_cpus *out)
{
	static const char *const dirs[] = { "cpu,cpuacct", "cpuacct,cpu", "cpu" };
	char base[PATH_MAX];

	if (snprintf(base, sizeof(base), "%s/%.*s", root, (int)clen, ctrl) < (int)sizeof(base) &&
	    walk(base, path, read_v1, out))
		return true;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (snprintf(base, sizeof(base), "%s/%s", root, dirs[i]) < (int)sizeof(base) &&
		    walk(base, path, read_v1, out))
			return true;
	return false;
}

/* One line of /proc/self/cgroup: "ID:CONTROLLERS:PATH". */
static bool try_line(const char *root, char *line, struct rg_cpus *out)
{
	char *c1 = strchr(line, ':'), *c2, *path;

	if (!c1 || !(c2 = strchr(c1 + 1, ':')))
		return false;
	path = c2 + 1;
	if (*path != '/' || strstr(path, "/..") || strlen(path) >= PATH_MAX / 2)
		return false;
	if (strcmp(path, "/") == 0)
		path = "";
	if (c2 == c1 + 1 && strncmp(line, "0:", 2) == 0) {
		if (walk(root, path, read_v2, out) || (*path && walk(root, "", read_v2, out))) {
			out->source = "cgroup2";
			return true;
		}
		return false;
	}
	if (has_token(c1 + 1, (size_t)(c2 - c1 - 1), "cpu") &&
	    (try_v1(root, c1 + 1, (size_t)(c2 - c1 - 1), path, out) ||
	     (*path && try_v1(root, c1 + 1, (size_t)(c2 - c1 - 1), "", out)))) {
		out->source = "cgroup1";
		return true;
	}
	return false;
}

void rg_cpus_detect(const char *root, const char *proc_cgroup, unsigned affinity,
		    struct rg_cpus *out)
{
	char *data = read_small(proc_cgroup), *line, *save = NULL;
	bool found = false;

	memset(out, 0, sizeof(*out));
	out->affinity = affinity ? affinity : rg_cpus_affinity();
	out->source = "affinity";
	/* v2 before v1, whatever the line order (hybrid hierarchies list both). */
	for (int pass = 0; data && pass < 2 && !found; pass++) {
		char *copy = strdup(data);

		if (!copy)
			break;
		for (line = strtok_r(copy, "\n", &save); line && !found;
		     line = strtok_r(NULL, "\n", &save))
			if ((strncmp(line, "0::", 3) == 0) == (pass == 0))
				found = try_line(root, line, out);
		free(copy);
	}
	free(data);
	out->count = out->affinity;
	if (found && out->limit < out->count)
		out->count = out->limit;
	if (out->count < 1)
		out->count = 1;
}

/* Container-aware CPU count against fake cgroup trees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/cpus.h"

struct tree {
	char root[64];
	char proc[96];
};

static void put(const struct tree *t, const char *rel, const char *content)
{
	char path[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", t->root, rel);
	for (p = path + strlen(t->root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	assert_int_equal(fclose(f), 0);
}

static struct tree *new_tree(const char *proc_cgroup)
{
	struct tree *t = calloc(1, sizeof(*t));
	FILE *f;

	assert_non_null(t);
	strcpy(t->root, "/tmp/rg-cpus-XXXXXX");
	assert_non_null(mkdtemp(t->root));
	snprintf(t->proc, sizeof(t->proc), "%s.cgroup", t->root);
	f = fopen(t->proc, "w");
	assert_non_null(f);
	fputs(proc_cgroup, f);
	assert_int_equal(fclose(f), 0);
	return t;
}

static void free_tree(struct tree *t)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", t->root, t->proc);
	assert_int_equal(system(cmd), 0);
	free(t);
}

static void detect(const struct tree *t, unsigned affinity, struct rg_cpus *c)
{
	rg_cpus_detect(t->root, t->proc, affinity, c);
}

static void test_v2_quota_rounds_up(void **state)
{
	struct tree *t = new_tree("0::/system.slice/relaygated.service\n");
	struct rg_cpus c;

	(void)state;
	put(t, "system.slice/relaygated.service/cpu.max", "150000 100000\n");
	detect(t, 8, &c);
	assert_int_equal(c.limit, 2);
	assert_int_equal(c.count, 2);
	assert_string_equal(c.source, "cgroup2");
	assert_int_equal(c.quota, 150000);
	assert_int_equal(c.period, 100000);
	/* The affinity mask binds when it is smaller. */
	detect(t, 1, &c);
	assert_int_equal(c.count, 1);
	free_tree(t);
}

static void test_v2_unlimited(void **state)
{
	struct tree *t = new_tree("0::/a\n");
	struct rg_cpus c;

	(void)state;
	put(t, "a/cpu.max", "max 100000\n");
	detect(t, 6, &c);
	assert_int_equal(c.limit, 0);
	assert_int_equal(c.count, 6);
	assert_string_equal(c.source, "affinity");
	free_tree(t);
}

/* A parent's limit binds the child; the smallest level wins. */
static void test_v2_parent_limit(void **state)
{
	struct tree *t = new_tree("0::/kubepods/pod1/ctr\n");
	struct rg_cpus c;

	(void)state;
	put(t, "kubepods/cpu.max", "max 100000\n");
	put(t, "kubepods/pod1/cpu.max", "100000 100000\n");
	put(t, "kubepods/pod1/ctr/cpu.max", "400000 100000\n");
	detect(t, 16, &c);
	assert_int_equal(c.count, 1);
	free_tree(t);
}

/* Without a cgroup namespace the host path is not under the mount; the
 * mount root is the container's own cgroup. */
static void test_v2_no_namespace(void **state)
{
	struct tree *t = new_tree("0::/docker/0123abcd\n");
	struct rg_cpus c;

	(void)state;
	put(t, "cpu.max", "250000 100000\n");
	detect(t, 32, &c);
	assert_int_equal(c.count, 3);
	assert_string_equal(c.source, "cgroup2");
	free_tree(t);
}

static void test_v1_fallback(void **state)
{
	struct tree *t = new_tree("12:memory:/kubepods/pod1\n"
				  "4:cpu,cpuacct:/kubepods/pod1\n"
				  "0::/\n");
	struct rg_cpus c;

	(void)state;
	put(t, "cpu,cpuacct/kubepods/pod1/cpu.cfs_quota_us", "250000\n");
	put(t, "cpu,cpuacct/kubepods/pod1/cpu.cfs_period_us", "100000\n");
	detect(t, 8, &c);
	assert_int_equal(c.count, 3);
	assert_string_equal(c.source, "cgroup1");
	/* -1 means no quota. */
	put(t, "cpu,cpuacct/kubepods/pod1/cpu.cfs_quota_us", "-1\n");
	detect(t, 8, &c);
	assert_int_equal(c.count, 8);
	assert_string_equal(c.source, "affinity");
	free_tree(t);
}

/* v1 mounted as plain "cpu" with the controller listed with others. */
static void test_v1_plain_cpu_dir(void **state)
{
	struct tree *t = new_tree("3:cpuacct,cpu:/\n");
	struct rg_cpus c;

	(void)state;
	put(t, "cpu/cpu.cfs_quota_us", "50000\n");
	put(t, "cpu/cpu.cfs_period_us", "100000\n");
	detect(t, 4, &c);
	assert_int_equal(c.count, 1);
	assert_string_equal(c.source, "cgroup1");
	free_tree(t);
}

static void test_garbage_and_missing(void **state)
{
	struct tree *t = new_tree("0::/x\n");
	struct rg_cpus c;

	(void)state;
	put(t, "x/cpu.max", "lots 100000\n");
	detect(t, 5, &c);
	assert_int_equal(c.count, 5);
	put(t, "x/cpu.max", "100000 0\n");
	detect(t, 5, &c);
	assert_int_equal(c.count, 5);
	put(t, "x/cpu.max", "100000\n");
	detect(t, 5, &c);
	assert_int_equal(c.count, 5);
	put(t, "x/cpu.max", "99999999999999999999999 1\n");
	detect(t, 5, &c);
	assert_int_equal(c.count, 5);
	/* Path traversal in /proc/self/cgroup is not followed. */
	free_tree(t);
	t = new_tree("0::/../../etc\n");
	detect(t, 3, &c);
	assert_int_equal(c.count, 3);
	free_tree(t);
	rg_cpus_detect("/nonexistent", "/nonexistent/cgroup", 7, &c);
	assert_int_equal(c.count, 7);
	assert_string_equal(c.source, "affinity");
	/* The real process: at least one CPU. */
	rg_cpus_detect(RG_CPUS_CGROUP_ROOT, RG_CPUS_PROC_CGROUP, 0, &c);
	assert_true(c.count >= 1 && c.count <= c.affinity);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v2_quota_rounds_up),
		cmocka_unit_test(test_v2_unlimited),
		cmocka_unit_test(test_v2_parent_limit),
		cmocka_unit_test(test_v2_no_namespace),
		cmocka_unit_test(test_v1_fallback),
		cmocka_unit_test(test_v1_plain_cpu_dir),
		cmocka_unit_test(test_garbage_and_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Container-aware CPU count (what Go >= 1.25 uses for GOMAXPROCS, and so
 * what sizes Tailscale's relay): the CPUs in the affinity mask, lowered to
 * ceil(quota / period) when a cgroup CPU limit applies. cgroup v2 cpu.max
 * first, v1 cpu.cfs_quota_us / cpu.cfs_period_us as a fallback; every level
 * from the process's cgroup up to the mount root is read and the smallest
 * limit wins (a parent's limit binds its children). When the path from
 * /proc/self/cgroup does not exist under the mount (a container without a
 * cgroup namespace), the mount root itself still counts.
 *
 * The cgroup mount root and the /proc/self/cgroup path are parameters so
 * that tests can point them at a fake tree.
 */
#ifndef RG_UTIL_CPUS_H
#define RG_UTIL_CPUS_H

#include "relaygate/err.h"

#define RG_CPUS_CGROUP_ROOT "/sys/fs/cgroup"
#define RG_CPUS_PROC_CGROUP "/proc/self/cgroup"

struct rg_cpus {
	unsigned affinity;    /* CPUs the process may run on */
	unsigned limit;       /* ceil(quota / period); 0 = no cgroup limit */
	long long quota;      /* of the binding level, microseconds; 0 = none */
	long long period;
	const char *source;   /* "affinity", "cgroup2" or "cgroup1" */
	unsigned count;       /* min(affinity, limit), at least 1 */
};

/*
 * Fills *out. affinity = 0 reads the process's affinity mask; a missing or
 * unreadable cgroup tree means no limit. Never fails.
 */
void rg_cpus_detect(const char *root, const char *proc_cgroup, unsigned affinity,
		    struct rg_cpus *out);
/* The affinity mask's CPU count (at least 1). */
unsigned rg_cpus_affinity(void);

#endif

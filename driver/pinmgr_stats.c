// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device's counters: leases pinned, unpinned, expired and revoked, and
 * PINs that failed by cause. Each CPU counts in its own copy, so the pin
 * path writes no cache line that another CPU's pin path writes; a report
 * adds the CPUs up (the sum may trail a concurrent PIN by a count).
 */
#include <linux/errno.h>
#include <linux/percpu.h>

#include "pinmgr.h"

struct pinmgr_counters {
	u64 n[PINMGR_NR_STATS];
};

static DEFINE_PER_CPU(struct pinmgr_counters, pinmgr_counters);

atomic_long_t pinmgr_files;
atomic_long_t pinmgr_ended_leases;

void pinmgr_count(enum pinmgr_stat stat)
{
	this_cpu_inc(pinmgr_counters.n[stat]);
}

/* A PIN failed with @err: count it under its cause. */
void pinmgr_count_failure(int err)
{
	switch (err) {
	case -EDQUOT:
		pinmgr_count(PINMGR_STAT_FAIL_MEMLOCK);
		break;
	case -EFBIG:
		pinmgr_count(PINMGR_STAT_FAIL_LEASE_PAGES);
		break;
	case -EMFILE:
		pinmgr_count(PINMGR_STAT_FAIL_LEASES);
		break;
	case -ENOSPC:
		pinmgr_count(PINMGR_STAT_FAIL_DEVICE_PAGES);
		break;
	case -EFAULT:
		pinmgr_count(PINMGR_STAT_FAIL_FAULT);
		break;
	case -EOPNOTSUPP:
		pinmgr_count(PINMGR_STAT_FAIL_FILE);
		break;
	case -EINTR:
		pinmgr_count(PINMGR_STAT_FAIL_INTERRUPTED);
		break;
	case -ENOMEM:
		pinmgr_count(PINMGR_STAT_FAIL_NOMEM);
		break;
	}
}

u64 pinmgr_stat_read(enum pinmgr_stat stat)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(pinmgr_counters.n[stat], cpu);
	return sum;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device's figures, one per line of PINMGR_STATS() (pinmgr_tables.h):
 * counters of leases pinned, unpinned, expired and revoked and of PINs
 * that failed by cause; gauges the driver keeps; and the tunables.
 *
 * Each CPU counts in its own copy, so the pin path writes no cache line
 * that another CPU's pin path writes; a report adds the CPUs up (the sum
 * may trail a concurrent PIN by a count).
 */
#include <linux/errno.h>
#include <linux/percpu.h>

#include "pinmgr.h"

struct pinmgr_counters {
	u64 n[PINMGR_NR_FIGURES];
};

static DEFINE_PER_CPU(struct pinmgr_counters, pinmgr_counters);

atomic_long_t pinmgr_files;
atomic_long_t pinmgr_ended_leases;

void pinmgr_count(enum pinmgr_figure fig)
{
	this_cpu_inc(pinmgr_counters.n[fig]);
}

/* A PIN failed with @err: count it under its cause. */
void pinmgr_count_failure(int err)
{
	switch (err) {
	case -EDQUOT:
		pinmgr_count(PINMGR_FIG_FAIL_MEMLOCK);
		break;
	case -EXFULL:
	case -ELOOP:
		pinmgr_count(PINMGR_FIG_FAIL_BUDGET);
		break;
	case -EFBIG:
		pinmgr_count(PINMGR_FIG_FAIL_LEASE_PAGES);
		break;
	case -EMFILE:
		pinmgr_count(PINMGR_FIG_FAIL_LEASES);
		break;
	case -ENOSPC:
		pinmgr_count(PINMGR_FIG_FAIL_DEVICE_PAGES);
		break;
	case -EFAULT:
		pinmgr_count(PINMGR_FIG_FAIL_FAULT);
		break;
	case -EOPNOTSUPP:
		pinmgr_count(PINMGR_FIG_FAIL_FILE);
		break;
	case -EINTR:
		pinmgr_count(PINMGR_FIG_FAIL_INTERRUPTED);
		break;
	case -ENOMEM:
		pinmgr_count(PINMGR_FIG_FAIL_NOMEM);
		break;
	}
}

static u64 pinmgr_counter_sum(enum pinmgr_figure fig)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(pinmgr_counters.n[fig], cpu);
	return sum;
}

/* The gauges: a lease counts as live from its pin to its end. */
static u64 pinmgr_gauge_leases(void)
{
	long n = pinmgr_device_leases() -
		 atomic_long_read(&pinmgr_ended_leases);

	return n > 0 ? n : 0;
}

static u64 pinmgr_gauge_ended_leases(void)
{
	return atomic_long_read(&pinmgr_ended_leases);
}

static u64 pinmgr_gauge_files(void)
{
	return atomic_long_read(&pinmgr_files);
}

static u64 pinmgr_gauge_pinned_pages(void)
{
	return atomic_long_read(&pinmgr_device_pages);
}

/*
 * Checked as the module builds: the table lists the spec's figures
 * (linux/pinmgr_netlink.h, generated from it) in their order, all of them,
 * around the one pad attribute.
 */
#define PINMGR_FIG_IN_ORDER(name, attr, ...)				\
	static_assert(PINMGR_FIG_##attr + 1 +				\
		      (PINMGR_FIG_##attr + 1 >= PINMGR_A_STATS_PAD) ==	\
		      PINMGR_A_STATS_##attr);

PINMGR_STATS(PINMGR_FIG_IN_ORDER)
static_assert(PINMGR_NR_FIGURES + 1 == PINMGR_A_STATS_MAX);

#define PINMGR_READ_COUNTER(name, fig)	pinmgr_counter_sum(fig)
#define PINMGR_READ_GAUGE(name, fig)	pinmgr_gauge_##name()
#define PINMGR_READ_TUNABLE(name, fig)	READ_ONCE(pinmgr_##name)
#define PINMGR_READ_CASE(name, attr, src, unit, dir, file, prom, label, help) \
	case PINMGR_FIG_##attr:						\
		return PINMGR_READ_##src(name, PINMGR_FIG_##attr);

u64 pinmgr_figure_read(enum pinmgr_figure fig)
{
	switch (fig) {
	PINMGR_STATS(PINMGR_READ_CASE)
	case PINMGR_NR_FIGURES:
		break;
	}
	return 0;
}

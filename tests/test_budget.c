// SPDX-License-Identifier: GPL-2.0-only
/*
 * Budgets per cgroup v2 directory (netlink budget-set, budget-clear and
 * budget-get): a PIN over the budget of any cgroup on the pinner's path
 * fails with EXFULL and charges nothing; charges stay with the lease when
 * its task moves and outlive an rmdir; a sufficient budget stands in for
 * RLIMIT_MEMLOCK; only CAP_SYS_ADMIN sets budgets. Needs cgroup2 mounted
 * at /sys/fs/cgroup (the guest mounts it); each test makes cgroups of its
 * own under it and moves itself back to the root before removing them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "harness.h"
#include "nl_client.h"

/* The family, where cgroup2 and budgets are there; else skip, or fail. */
static struct pm_nl *b_need(void)
{
	struct pm_nl *nl;

	pm_need_cgroup2();
	if (!pm_feature(PINMGR_FEATURE_BUDGETS))
		pm_skip_feature(PINMGR_FEATURE_BUDGETS, "budgets");
	nl = pm_nl_open();
	ASSERT_NE(nl, NULL);
	return nl;
}

/* The budget of cgroup @path as budget-get shows it; false if none. */
static bool b_find(struct pm_nl *nl, const char *path, struct pm_nl_budget *b)
{
	struct pm_nl_budget *all;
	bool found = false;
	size_t nr, i;

	ASSERT_EQ(pm_nl_budgets(nl, &all, &nr), 0);
	for (i = 0; i < nr && !found; i++) {
		if (!strcmp(all[i].cgroup, path)) {
			*b = all[i];
			found = true;
		}
	}
	free(all);
	return found;
}

static __u64 b_usage(struct pm_nl *nl, const char *path)
{
	struct pm_nl_budget b;

	if (!b_find(nl, path, &b))
		FAIL("no budget of %s in budget-get", path);
	return b.usage;
}

static unsigned long long b_failures(void)
{
	unsigned long long n;

	ASSERT_EQ(pm_sysfs_read("failures/budget", &n), 0);
	return n;
}

TEST(budget_bounds_the_pins_of_a_cgroup)
{
	struct pm_nl *nl = b_need();
	size_t ps = pm_page_size();
	unsigned long long fail0;
	struct pinmgr_query q;
	struct pm_nl_budget b;
	long long pins0;
	__u64 id, set_id, h;
	char *p;
	int fd;

	id = pm_cgroup_make("pmt-bound");
	ASSERT_EQ(pm_nl_budget_set(nl, "/pmt-bound", 16 * ps + 1, 0, &set_id),
		  0);
	ASSERT_EQ(set_id, id);
	pm_cgroup_enter("pmt-bound");
	fd = pm_open();
	p = pm_map_anon(17 * ps);
	fail0 = b_failures();
	pins0 = pm_outstanding_pins();

	/* Over it: refused, with nothing pinned or charged. */
	ASSERT_ERRNO(pm_pin(fd, p, 17 * ps, PINMGR_PIN_LONGTERM, 0, NULL),
		     EXFULL);
	ASSERT_EQ(pm_outstanding_pins(), pins0);
	ASSERT_EQ(b_usage(nl, "/pmt-bound"), 0);
	/* Up to it, rounded down to pages: pinned, and charged. */
	h = PIN_OK(fd, p, 16 * ps, PINMGR_PIN_LONGTERM);
	ASSERT_EQ(b_usage(nl, "/pmt-bound"), 16 * ps);
	ASSERT_ERRNO(pm_pin(fd, p, ps, PINMGR_PIN_LONGTERM, 0, NULL), EXFULL);
	ASSERT_EQ(b_failures(), fail0 + 2);
	ASSERT_TRUE(b_find(nl, "/pmt-bound", &b));
	ASSERT_EQ(b.hits, 2);
	ASSERT_EQ(b.limit, 16 * ps);
	ASSERT_EQ(b.cgroup_id, id);
	ASSERT_FALSE(b.removed);
	/* The lease names its cgroup. */
	ASSERT_EQ(pm_query(fd, h, &q), 0);
	ASSERT_EQ(q.out_cgroup_id, id);

	ASSERT_EQ(pm_unpin(fd, h), 0);
	ASSERT_EQ(b_usage(nl, "/pmt-bound"), 0);
	ASSERT_EQ(pm_outstanding_pins(), pins0);
	close(fd);
	pm_cgroup_enter("");
	ASSERT_EQ(pm_nl_budget_clear(nl, "/pmt-bound"), 0);
	ASSERT_FALSE(b_find(nl, "/pmt-bound", &b));
	ASSERT_EQ(pm_nl_budget_clear(nl, "/pmt-bound"), -ENOENT);
	pm_cgroup_remove("pmt-bound");
	pm_unmap(p, 17 * ps);
	pm_nl_close(nl);
}

/* Every budgeted ancestor is charged, and the tightest one bounds. */
TEST(budget_nested_levels_each_bound)
{
	struct pm_nl *nl = b_need();
	size_t ps = pm_page_size();
	__u64 h1, h2;
	char *p;
	int fd;

	pm_cgroup_make("pmt-a");
	pm_cgroup_make("pmt-a/b");
	pm_cgroup_make("pmt-a/b/c");
	ASSERT_EQ(pm_nl_budget_set(nl, "/pmt-a", 32 * ps, 0, NULL), 0);
	ASSERT_EQ(pm_nl_budget_set(nl, "/pmt-a/b", 100 * ps, 0, NULL), 0);
	ASSERT_EQ(pm_nl_budget_set(nl, "/pmt-a/b/c", 24 * ps, 0, NULL), 0);
	pm_cgroup_enter("pmt-a/b/c");
	fd = pm_open();
	p = pm_map_anon(32 * ps);

	h1 = PIN_OK(fd, p, 24 * ps, 0);
	ASSERT_ERRNO(pm_pin(fd, p, ps, 0, 0, NULL), EXFULL);
	ASSERT_EQ(b_usage(nl, "/pmt-a"), 24 * ps);
	ASSERT_EQ(b_usage(nl, "/pmt-a/b"), 24 * ps);
	ASSERT_EQ(b_usage(nl, "/pmt-a/b/c"), 24 * ps);
	/* Without the innermost, the outermost bounds. */
	ASSERT_EQ(pm_nl_budget_clear(nl, "/pmt-a/b/c"), 0);
	h2 = PIN_OK(fd, p, 8 * ps, 0);
	ASSERT_ERRNO(pm_pin(fd, p, ps, 0, 0, NULL), EXFULL);
	ASSERT_EQ(b_usage(nl, "/pmt-a"), 32 * ps);
	ASSERT_EQ(b_usage(nl, "/pmt-a/b"), 32 * ps);

	/* A budget cleared while charged is uncharged all the same. */
	ASSERT_EQ(pm_unpin(fd, h1), 0);
	ASSERT_EQ(b_usage(nl, "/pmt-a"), 8 * ps);
	ASSERT_EQ(pm_unpin(fd, h2), 0);
	ASSERT_EQ(b_usage(nl, "/pmt-a"), 0);
	ASSERT_EQ(b_usage(nl, "/pmt-a/b"), 0);
	close(fd);
	pm_cgroup_enter("");
	ASSERT_EQ(pm_nl_budget_clear(nl, "/pmt-a/b"), 0);
	ASSERT_EQ(pm_nl_budget_clear(nl, "/pmt-a"), 0);
	pm_cgroup_remove("pmt-a/b/c");
	pm_cgroup_remove("pmt-a/b");
	pm_cgroup_remove("pmt-a");
	pm_unmap(p, 32 * ps);
	pm_nl_close(nl);
}

/*
 * A pin walks at most 16 budgeted cgroups (PINMGR_BUDGET_DEPTH): one more
 * on its path is refused with ELOOP, counted as a budget failure, and
 * charges nothing; at 16 it pins and charges them all.
 */
TEST(budget_more_levels_than_a_pin_walks_eloop)
{
	struct pm_nl *nl = b_need();
	size_t ps = pm_page_size();
	char rel[17][96], path[128];
	unsigned long long fail0;
	long long pins0;
	int fd, i;
	__u64 h;
	char *p;

	for (i = 0; i < 17; i++) {
		strcpy(rel[i], i ? rel[i - 1] : "pmt-deep");
		if (i)
			sprintf(rel[i] + strlen(rel[i]), "/l%d", i);
		pm_cgroup_make(rel[i]);
		snprintf(path, sizeof(path), "/%s", rel[i]);
		ASSERT_EQ(pm_nl_budget_set(nl, path, 64 * ps, 0, NULL), 0);
	}
	p = pm_map_anon(ps);
	pins0 = pm_outstanding_pins();
	/* 16 budgets on the path: each charged. */
	pm_cgroup_enter(rel[15]);
	fd = pm_open();
	h = PIN_OK(fd, p, ps, 0);
	ASSERT_EQ(b_usage(nl, "/pmt-deep"), ps);
	snprintf(path, sizeof(path), "/%s", rel[15]);
	ASSERT_EQ(b_usage(nl, path), ps);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	close(fd);
	/* 17: refused before anything is pinned or charged. */
	pm_cgroup_enter(rel[16]);
	fd = pm_open();
	fail0 = b_failures();
	ASSERT_ERRNO(pm_pin(fd, p, ps, 0, 0, NULL), ELOOP);
	ASSERT_EQ(b_failures(), fail0 + 1);
	ASSERT_EQ(pm_outstanding_pins(), pins0);
	ASSERT_EQ(b_usage(nl, "/pmt-deep"), 0);
	close(fd);
	pm_cgroup_enter("");
	for (i = 16; i >= 0; i--) {
		snprintf(path, sizeof(path), "/%s", rel[i]);
		ASSERT_EQ(pm_nl_budget_clear(nl, path), 0);
		pm_cgroup_remove(rel[i]);
	}
	pm_unmap(p, ps);
	pm_nl_close(nl);
}

/*
 * A lease stays charged where it was pinned when its task moves (as memcg's
 * charges do); after rmdir its cgroup's budget stays, marked removed,
 * until the last lease charged to it ends.
 */
TEST(budget_charge_stays_when_the_task_moves_and_the_cgroup_goes)
{
	struct pm_nl *nl = b_need();
	size_t ps = pm_page_size();
	struct pm_nl_budget b;
	struct pinmgr_query q;
	__u64 id, h;
	char *p;
	int fd;

	id = pm_cgroup_make("pmt-from");
	pm_cgroup_make("pmt-to");
	ASSERT_EQ(pm_nl_budget_set(nl, "/pmt-from", 8 * ps, 0, NULL), 0);
	ASSERT_EQ(pm_nl_budget_set(nl, "/pmt-to", 8 * ps, 0, NULL), 0);
	pm_cgroup_enter("pmt-from");
	fd = pm_open();
	p = pm_map_anon(8 * ps);
	h = PIN_OK(fd, p, 8 * ps, 0);

	pm_cgroup_enter("pmt-to");
	ASSERT_EQ(b_usage(nl, "/pmt-from"), 8 * ps);
	ASSERT_EQ(b_usage(nl, "/pmt-to"), 0);
	/* The new cgroup bounds the next pin. */
	PIN_OK(fd, p, 8 * ps, 0);
	ASSERT_EQ(b_usage(nl, "/pmt-to"), 8 * ps);
	ASSERT_EQ(pm_query(fd, h, &q), 0);
	ASSERT_EQ(q.out_cgroup_id, id);

	pm_cgroup_enter("");
	pm_cgroup_remove("pmt-from");
	ASSERT_TRUE(b_find(nl, "/pmt-from", &b));
	ASSERT_TRUE(b.removed);
	ASSERT_EQ(b.usage, 8 * ps);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	/* The entry goes with the last charge (in the driver's workqueue). */
	for (int i = 0; i < 500 && b_find(nl, "/pmt-from", &b); i++)
		pm_msleep(10);
	ASSERT_FALSE(b_find(nl, "/pmt-from", &b));

	close(fd);
	ASSERT_EQ(b_usage(nl, "/pmt-to"), 0);
	ASSERT_EQ(pm_nl_budget_clear(nl, "/pmt-to"), 0);
	pm_cgroup_remove("pmt-to");
	pm_unmap(p, 8 * ps);
	pm_nl_close(nl);
}

/* A budget lowered below its usage takes nothing back; new pins fail. */
TEST(budget_lowered_below_usage_takes_nothing_back)
{
	struct pm_nl *nl = b_need();
	size_t ps = pm_page_size();
	struct pinmgr_query q;
	__u64 h;
	char *p;
	int fd;

	pm_cgroup_make("pmt-lower");
	ASSERT_EQ(pm_nl_budget_set(nl, "/pmt-lower", 16 * ps, 0, NULL), 0);
	pm_cgroup_enter("pmt-lower");
	fd = pm_open();
	p = pm_map_anon(16 * ps);
	h = PIN_OK(fd, p, 16 * ps, 0);
	ASSERT_EQ(pm_nl_budget_set(nl, "/pmt-lower", 4 * ps, 0, NULL), 0);
	ASSERT_EQ(pm_query(fd, h, &q), 0);
	ASSERT_EQ(q.out_state, PINMGR_LEASE_ACTIVE);
	ASSERT_EQ(b_usage(nl, "/pmt-lower"), 16 * ps);
	ASSERT_ERRNO(pm_pin(fd, p, ps, 0, 0, NULL), EXFULL);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	PIN_OK(fd, p, 4 * ps, 0);
	close(fd);
	pm_cgroup_enter("");
	ASSERT_EQ(pm_nl_budget_clear(nl, "/pmt-lower"), 0);
	pm_cgroup_remove("pmt-lower");
	pm_unmap(p, 16 * ps);
	pm_nl_close(nl);
}

/* In the cgroup, as nobody with a memlock limit of one page, pin @pages. */
static void b_pin_as_nobody(const char *rel, size_t pages, int want)
{
	struct rlimit rl = { pm_page_size(), pm_page_size() };
	size_t len = pages * pm_page_size();
	char *p = pm_map_anon(len);
	pid_t pid;
	int fd;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		pm_cgroup_enter(rel);
		ASSERT_EQ(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
		ASSERT_EQ(pm_become_nobody(), 0);
		fd = pm_open();
		ASSERT_GE(fd, 0);
		if (want)
			ASSERT_ERRNO(pm_pin(fd, p, len, 0, 0, NULL), want);
		else
			PIN_OK(fd, p, len, 0);
		_exit(PM_EXIT_PASS);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	pm_unmap(p, len);
}

/*
 * A sufficient budget stands in for RLIMIT_MEMLOCK, for the processes
 * inside it only; a plain one adds to it.
 */
TEST(budget_sufficient_stands_in_for_memlock)
{
	struct pm_nl *nl = b_need();
	size_t ps = pm_page_size();

	pm_cgroup_make("pmt-suff");
	ASSERT_EQ(pm_nl_budget_set(nl, "/pmt-suff", 32 * ps, 0, NULL), 0);
	b_pin_as_nobody("pmt-suff", 32, EDQUOT);
	ASSERT_EQ(pm_nl_budget_set(nl, "/pmt-suff", 32 * ps,
				   PINMGR_BUDGET_SUFFICIENT, NULL), 0);
	b_pin_as_nobody("pmt-suff", 32, 0);
	/* Still bounded by the budget itself. */
	b_pin_as_nobody("pmt-suff", 33, EXFULL);
	/* Outside it, memlock as ever. */
	b_pin_as_nobody("", 32, EDQUOT);
	ASSERT_EQ(b_usage(nl, "/pmt-suff"), 0);
	ASSERT_EQ(pm_nl_budget_clear(nl, "/pmt-suff"), 0);
	pm_cgroup_remove("pmt-suff");
	pm_nl_close(nl);
}

/*
 * A refused pin is told to the monitor group: the budget it met (named by
 * its path, with its usage before the pin) and who asked for how much,
 * from a cgroup below the budgeted one.
 */
TEST(budget_hit_is_told_to_the_monitor)
{
	struct pm_nl *nl = b_need(), *mon = pm_nl_open();
	size_t ps = pm_page_size();
	struct pm_nl_lease ev;
	__u64 outer, inner, h;
	int fd, n = 0, r;
	char *p;

	ASSERT_NE(mon, NULL);
	pm_nl_monitor_or_skip(mon);
	outer = pm_cgroup_make("pmt-hit");
	inner = pm_cgroup_make("pmt-hit/in");
	ASSERT_EQ(pm_nl_budget_set(nl, "/pmt-hit", 4 * ps, 0, NULL), 0);
	pm_cgroup_enter("pmt-hit/in");
	fd = pm_open();
	p = pm_map_anon(8 * ps);
	h = PIN_OK(fd, p, ps, 0);
	ASSERT_ERRNO(pm_pin(fd, p, 4 * ps, 0, 0, NULL), EXFULL);

	/* The pin's own event first, then the hit. */
	do {
		r = pm_nl_event(mon, 2000, &ev);
		ASSERT_EQ(r, 1);
	} while (ev.cmd != PINMGR_NL_CMD_BUDGET_HIT_NTF && ++n < 8);
	ASSERT_EQ(ev.cmd, PINMGR_NL_CMD_BUDGET_HIT_NTF);
	ASSERT_EQ(strcmp(ev.budget.cgroup, "/pmt-hit"), 0);
	ASSERT_EQ(ev.budget.cgroup_id, outer);
	ASSERT_EQ(ev.budget.limit, 4 * ps);
	ASSERT_EQ(ev.budget.usage, ps);
	ASSERT_EQ(ev.budget.hits, 1);
	ASSERT_EQ(ev.tgid, (__u32)getpid());
	ASSERT_EQ(ev.uid, (__u32)getuid());
	ASSERT_EQ(ev.pages, 4);
	ASSERT_EQ(ev.length, 4 * ps);
	ASSERT_EQ(ev.cgroup_id, inner);
	ASSERT_FALSE(PM_NL_HAS(&ev, PINMGR_A_HANDLE));
	/* Nothing more: a hit is one event. */
	ASSERT_EQ(pm_nl_event(mon, 200, &ev), 0);

	ASSERT_EQ(pm_unpin(fd, h), 0);
	close(fd);
	pm_cgroup_enter("");
	ASSERT_EQ(pm_nl_budget_clear(nl, "/pmt-hit"), 0);
	pm_cgroup_remove("pmt-hit/in");
	pm_cgroup_remove("pmt-hit");
	pm_unmap(p, 8 * ps);
	pm_nl_close(mon);
	pm_nl_close(nl);
}

/*
 * Only CAP_SYS_ADMIN sets budgets; anyone else sees those of its own
 * cgroup, its ancestors and descendants, and no other.
 */
TEST(budget_set_needs_cap_sys_admin_and_shows_only_ones_own)
{
	struct pm_nl *nl = b_need();
	size_t ps = pm_page_size();
	pid_t pid;

	pm_cgroup_make("pmt-own");
	pm_cgroup_make("pmt-own/in");
	pm_cgroup_make("pmt-other");
	ASSERT_EQ(pm_nl_budget_set(nl, "/pmt-own", 8 * ps, 0, NULL), 0);
	ASSERT_EQ(pm_nl_budget_set(nl, "/pmt-own/in", 8 * ps, 0, NULL), 0);
	ASSERT_EQ(pm_nl_budget_set(nl, "/pmt-other", 8 * ps, 0, NULL), 0);
	ASSERT_EQ(pm_nl_budget_set(nl, "/pmt-none", 8 * ps, 0, NULL), -ENOENT);
	ASSERT_EQ(pm_nl_budget_set(nl, "/pmt-own", 8 * ps, 1u << 9, NULL),
		  -EOPNOTSUPP);

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct pm_nl *mine;
		struct pm_nl_budget b;

		pm_cgroup_enter("pmt-own");
		ASSERT_EQ(pm_become_nobody(), 0);
		mine = pm_nl_open();
		ASSERT_NE(mine, NULL);
		ASSERT_EQ(pm_nl_budget_set(mine, "/pmt-own", 64 * ps, 0, NULL),
			  -EPERM);
		ASSERT_EQ(pm_nl_budget_clear(mine, "/pmt-own"), -EPERM);
		ASSERT_TRUE(b_find(mine, "/pmt-own", &b));
		ASSERT_EQ(b.limit, 8 * ps);
		ASSERT_TRUE(b_find(mine, "/pmt-own/in", &b));
		ASSERT_FALSE(b_find(mine, "/pmt-other", &b));
		pm_nl_close(mine);
		_exit(PM_EXIT_PASS);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	ASSERT_EQ(pm_nl_budget_clear(nl, "/pmt-own/in"), 0);
	ASSERT_EQ(pm_nl_budget_clear(nl, "/pmt-own"), 0);
	ASSERT_EQ(pm_nl_budget_clear(nl, "/pmt-other"), 0);
	pm_cgroup_remove("pmt-own/in");
	pm_cgroup_remove("pmt-own");
	pm_cgroup_remove("pmt-other");
	pm_nl_close(nl);
}

/*
 * A delegated subtree, as a container manager hands one to an unprivileged
 * user: its owner makes a cgroup in it, moves itself there and pins up to
 * the budget above it, no further; it reads its usage but can neither
 * raise the budget nor set one of its own.
 */
TEST(budget_binds_an_unprivileged_owner_of_a_delegated_subtree)
{
	static const char *const delegated[] = {
		"", "/cgroup.procs", "/cgroup.subtree_control", "/cgroup.threads",
	};
	struct pm_nl *nl = b_need();
	size_t ps = pm_page_size(), i;
	char path[256];
	pid_t pid;

	pm_cgroup_make("pmt-deleg");
	for (i = 0; i < ARRAY_SIZE(delegated); i++) {
		snprintf(path, sizeof(path), PM_CGROUP_ROOT "/pmt-deleg%s",
			 delegated[i]);
		ASSERT_EQ(chown(path, 65534, 65534), 0);
	}
	ASSERT_EQ(pm_nl_budget_set(nl, "/pmt-deleg", 8 * ps, 0, NULL), 0);

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct pm_nl *mine;
		struct pm_nl_budget b;
		__u64 h;
		char *p;
		int fd;

		pm_cgroup_enter("pmt-deleg");
		ASSERT_EQ(pm_become_nobody(), 0);
		/* The owner's own cgroup, made and entered without privilege. */
		pm_cgroup_make("pmt-deleg/job");
		pm_cgroup_enter("pmt-deleg/job");
		fd = pm_open();
		ASSERT_GE(fd, 0);
		p = pm_map_anon(9 * ps);
		h = PIN_OK(fd, p, 8 * ps, 0);
		ASSERT_ERRNO(pm_pin(fd, p + 8 * ps, ps, 0, 0, NULL), EXFULL);

		mine = pm_nl_open();
		ASSERT_NE(mine, NULL);
		ASSERT_TRUE(b_find(mine, "/pmt-deleg", &b));
		ASSERT_EQ(b.usage, 8 * ps);
		ASSERT_EQ(b.hits, 1);
		ASSERT_EQ(pm_nl_budget_set(mine, "/pmt-deleg", 64 * ps, 0, NULL),
			  -EPERM);
		ASSERT_EQ(pm_nl_budget_set(mine, "/pmt-deleg/job", 64 * ps, 0,
					   NULL), -EPERM);
		ASSERT_EQ(pm_nl_budget_clear(mine, "/pmt-deleg"), -EPERM);
		ASSERT_FALSE(b_find(mine, "/pmt-deleg/job", &b));
		pm_nl_close(mine);

		ASSERT_EQ(pm_unpin(fd, h), 0);
		close(fd);
		pm_cgroup_enter("pmt-deleg");
		pm_cgroup_remove("pmt-deleg/job");
		_exit(PM_EXIT_PASS);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	ASSERT_EQ(b_usage(nl, "/pmt-deleg"), 0);
	ASSERT_EQ(pm_nl_budget_clear(nl, "/pmt-deleg"), 0);
	pm_cgroup_remove("pmt-deleg");
	pm_nl_close(nl);
}

/*
 * Charges race the budget's changes: two processes in the cgroup pin and
 * unpin one page as fast as they can while the budget is set, changed,
 * cleared and set again (an entry freed by its last uncharge or by its
 * clear, whichever comes last). Each PIN either pins or meets the budget;
 * at the end nothing is charged, nothing pinned, and the budget, set once
 * more, starts from nothing. KASAN on the debug kernel watches the entries'
 * lifetime.
 */
TEST_TIMEOUT(budget_charges_race_set_and_clear, 300)
{
	struct pm_nl *nl = b_need();
	size_t ps = pm_page_size();
	long long pins0 = pm_outstanding_pins();
	unsigned int i, sets = 0, clears = 0;
	/* PINs that pinned, and that met the budget, by both pinners. */
	unsigned long *done = mmap(NULL, 2 * sizeof(*done),
				   PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t kids[2];
	__u64 limit;
	time_t end;

	ASSERT_NE(done, MAP_FAILED);
	pm_cgroup_make("pmt-race");
	for (i = 0; i < 2; i++) {
		kids[i] = fork();
		ASSERT_GE(kids[i], 0);
		if (kids[i] == 0) {
			char *p = pm_map_anon(ps);
			struct pinmgr_pin pin;
			int fd;

			pm_cgroup_enter("pmt-race");
			fd = pm_open();
			ASSERT_GE(fd, 0);
			for (;;) {
				if (pm_pin(fd, p, ps, 0, 0, &pin) == 0) {
					ASSERT_EQ(pm_unpin(fd, pin.out_handle),
						  0);
					__atomic_add_fetch(&done[0], 1,
							   __ATOMIC_RELAXED);
				} else if (errno == EXFULL) {
					__atomic_add_fetch(&done[1], 1,
							   __ATOMIC_RELAXED);
				} else {
					FAIL("PIN under a changing budget: %s",
					     strerror(errno));
				}
			}
		}
	}
	/* Limits of 0 to 2 pages: the two pinners meet them often. */
	end = time(NULL) + 3;
	for (i = 0; time(NULL) < end; i++) {
		if (i % 3 == 2) {
			int r = pm_nl_budget_clear(nl, "/pmt-race");

			ASSERT_TRUE(r == 0 || r == -ENOENT);
			clears += !r;
			continue;
		}
		limit = (i % 3) * ps;
		ASSERT_EQ(pm_nl_budget_set(nl, "/pmt-race", limit,
					   i & 4 ? PINMGR_BUDGET_SUFFICIENT : 0,
					   NULL), 0);
		sets++;
	}
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(kill(kids[i], SIGKILL), 0);
		ASSERT_EQ(pm_wait(kids[i]), 128 + SIGKILL);
	}
	pm_diag("%u sets and %u clears raced %lu pins and %lu refusals",
		sets, clears, done[0], done[1]);
	ASSERT_GT(clears, 10);
	ASSERT_GT(done[0], 0);
	ASSERT_GT(done[1], 0);
	/* The leases ended with their files: nothing pinned, nothing charged. */
	ASSERT_EQ(pm_await_outstanding_pins(pins0), pins0);
	ASSERT_EQ(pm_nl_budget_set(nl, "/pmt-race", ps, 0, NULL), 0);
	ASSERT_EQ(b_usage(nl, "/pmt-race"), 0);
	ASSERT_EQ(pm_nl_budget_clear(nl, "/pmt-race"), 0);
	pm_cgroup_remove("pmt-race");
	munmap(done, 2 * sizeof(*done));
	pm_nl_close(nl);
}

#define B_MANY	10000

/*
 * Ten thousand budgets: each set, all dumped once, a pin charged in one of
 * them (its charge walks its own path, not the table), and all cleared.
 */
TEST_TIMEOUT(budget_ten_thousand_cgroups, 600)
{
	struct pm_nl *nl = b_need();
	size_t ps = pm_page_size(), nr, i, seen = 0;
	struct pm_nl_budget *all;
	char rel[64];
	__u64 h;
	char *p;
	int fd;

	pm_cgroup_make("pmt-many");
	for (i = 0; i < B_MANY; i++) {
		snprintf(rel, sizeof(rel), "pmt-many/c%zu", i);
		pm_cgroup_make(rel);
		snprintf(rel, sizeof(rel), "/pmt-many/c%zu", i);
		ASSERT_EQ(pm_nl_budget_set(nl, rel, (i + 1) * ps, 0, NULL), 0);
	}
	ASSERT_EQ(pm_nl_budgets(nl, &all, &nr), 0);
	for (i = 0; i < nr; i++)
		seen += !strncmp(all[i].cgroup, "/pmt-many/c", 11);
	free(all);
	ASSERT_EQ(seen, B_MANY);

	pm_cgroup_enter("pmt-many/c4999");
	fd = pm_open();
	p = pm_map_anon(5001 * ps);
	ASSERT_ERRNO(pm_pin(fd, p, 5001 * ps, 0, 0, NULL), EXFULL);
	h = PIN_OK(fd, p, 5000 * ps, 0);
	ASSERT_EQ(b_usage(nl, "/pmt-many/c4999"), 5000 * ps);
	ASSERT_EQ(b_usage(nl, "/pmt-many/c5000"), 0);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	close(fd);
	pm_unmap(p, 5001 * ps);
	pm_cgroup_enter("");

	for (i = 0; i < B_MANY; i++) {
		snprintf(rel, sizeof(rel), "/pmt-many/c%zu", i);
		ASSERT_EQ(pm_nl_budget_clear(nl, rel), 0);
		snprintf(rel, sizeof(rel), "pmt-many/c%zu", i);
		pm_cgroup_remove(rel);
	}
	pm_cgroup_remove("pmt-many");
	pm_nl_close(nl);
}

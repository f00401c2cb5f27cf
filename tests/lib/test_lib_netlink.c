// SPDX-License-Identifier: GPL-2.0-only
/*
 * libpinctl: every lease on the device through the pinmgr generic netlink
 * family: stats, get, dump with filters, revoke, and the monitor group.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include "libtest.h"

#define MIB	(1024ULL * 1024)

TEST(lib_nl_stats)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	PINCTL_OPTS(pinctl_stats, s0);
	PINCTL_OPTS(pinctl_stats, s1);
	void *buf = pm_map_anon(2 * MIB);
	unsigned long long v;
	uint64_t h1, h2;

	NEED_NETLINK();
	ASSERT_RET(pinctl_nl_stats(ctx, &s0), 0);
	ASSERT_RET(pinctl_pin(dev, buf, MIB, NULL, &h1), 0);
	ASSERT_RET(pinctl_pin(dev, (char *)buf + MIB, MIB, NULL, &h2), 0);
	ASSERT_RET(pinctl_nl_stats(ctx, &s1), 0);
	ASSERT_EQ(s1.leases, 2);
	ASSERT_EQ(s1.pinned_pages, 2 * MIB / pm_page_size());
	ASSERT_EQ(s1.pins, s0.pins + 2);
	ASSERT_GE(s1.files, 1);
	ASSERT_EQ(pm_param_read("max_leases", &v), 0);
	ASSERT_EQ(s1.max_leases, v);
	ASSERT_EQ(pm_param_read("break_time_ms", &v), 0);
	ASSERT_EQ(s1.break_time_ms, v);
	ASSERT_EQ(pm_param_read("max_events", &v), 0);
	ASSERT_EQ(s1.max_events, v);
	ASSERT_RET(pinctl_unpin(dev, h1), 0);
	ASSERT_RET(pinctl_nl_stats(ctx, &s1), 0);
	ASSERT_EQ(s1.unpins, s0.unpins + 1);
	ASSERT_EQ(s1.leases, 1);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

TEST(lib_nl_lease_get)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	PINCTL_OPTS(pinctl_pin_opts, po, .flags = PINCTL_PIN_WRITE, .cookie = 42,
		    .duration_ns = 600000 * PM_MS);
	PINCTL_OPTS(pinctl_lease, q);
	PINCTL_OPTS(pinctl_lease, n);
	void *buf = pm_map_anon(MIB);
	uint64_t h;

	NEED_NETLINK();
	ASSERT_EQ(prctl(PR_SET_NAME, "nl-get-test"), 0);
	ASSERT_RET(pinctl_pin(dev, buf, MIB, &po, &h), 0);
	ASSERT_RET(pinctl_query(dev, h, &q), 0);
	ASSERT_RET(pinctl_nl_lease_get(ctx, h, &n), 0);
	ASSERT_EQ(n.handle, h);
	ASSERT_NE(n.file_id, 0);
	ASSERT_EQ(n.tgid, getpid());
	ASSERT_EQ(n.uid, getuid());
	ASSERT_EQ(strcmp(n.comm, "nl-get-test"), 0);
	ASSERT_EQ(n.addr, q.addr);
	ASSERT_EQ(n.length, q.length);
	ASSERT_EQ(n.nr_pages, q.nr_pages);
	ASSERT_EQ(n.nr_runs, q.nr_runs);
	ASSERT_EQ(n.metadata_bytes, q.metadata_bytes);
	ASSERT_EQ(n.flags, PINCTL_PIN_WRITE);
	ASSERT_EQ(n.state, PINCTL_LEASE_ACTIVE);
	ASSERT_EQ(n.cookie, 42);
	ASSERT_EQ(n.create_time_ns, q.create_time_ns);
	/* Each report converts from CLOCK_BOOTTIME: equal to within 1 ms. */
	ASSERT_LT(n.expire_time_ns - q.expire_time_ns + PM_MS, 2 * PM_MS);
	ASSERT_RET(pinctl_nl_lease_get(ctx, 987654321, &n), -ENOENT);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

struct seen {
	uint64_t handles[64];
	unsigned int nr;
	unsigned int stop_after;
};

static int collect(const struct pinctl_lease *l, void *data)
{
	struct seen *s = data;

	if (s->nr < 64)
		s->handles[s->nr] = l->handle;
	s->nr++;
	if (s->stop_after && s->nr == s->stop_after)
		return 1234;
	return 0;
}

static bool has(const struct seen *s, uint64_t h)
{
	unsigned int i;

	for (i = 0; i < s->nr && i < 64; i++)
		if (s->handles[i] == h)
			return true;
	return false;
}

TEST(lib_nl_dump_filters)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	PINCTL_OPTS(pinctl_pin_opts, po, .cookie = 555);
	PINCTL_OPTS(pinctl_lease_filter, f);
	size_t page = pm_page_size();
	char *buf = pm_map_anon(8 * page);
	uint64_t h[8];
	struct seen s;
	unsigned int i;

	NEED_NETLINK();
	ASSERT_EQ(prctl(PR_SET_NAME, "dump-test"), 0);
	for (i = 0; i < 8; i++) {
		po.cookie = i < 3 ? 555 : 0;
		ASSERT_RET(pinctl_pin(dev, buf + i * page, page, &po, &h[i]), 0);
	}
	memset(&s, 0, sizeof(s));
	ASSERT_RET(pinctl_nl_lease_dump(ctx, NULL, collect, &s), 0);
	ASSERT_EQ(s.nr, 8);
	for (i = 0; i < 8; i++)
		ASSERT_TRUE(has(&s, h[i]));

	memset(&s, 0, sizeof(s));
	f.flags = PINCTL_FILTER_TGID;
	f.tgid = getpid();
	ASSERT_RET(pinctl_nl_lease_dump(ctx, &f, collect, &s), 0);
	ASSERT_EQ(s.nr, 8);
	memset(&s, 0, sizeof(s));
	f.tgid = getppid();
	ASSERT_RET(pinctl_nl_lease_dump(ctx, &f, collect, &s), 0);
	ASSERT_EQ(s.nr, 0);

	memset(&s, 0, sizeof(s));
	f.flags = PINCTL_FILTER_UID;
	f.uid = getuid();
	ASSERT_RET(pinctl_nl_lease_dump(ctx, &f, collect, &s), 0);
	ASSERT_EQ(s.nr, 8);
	memset(&s, 0, sizeof(s));
	f.uid = 4242;
	ASSERT_RET(pinctl_nl_lease_dump(ctx, &f, collect, &s), 0);
	ASSERT_EQ(s.nr, 0);

	memset(&s, 0, sizeof(s));
	f.flags = PINCTL_FILTER_COOKIE;
	f.cookie = 555;
	ASSERT_RET(pinctl_nl_lease_dump(ctx, &f, collect, &s), 0);
	ASSERT_EQ(s.nr, 3);
	ASSERT_TRUE(has(&s, h[0]) && has(&s, h[1]) && has(&s, h[2]));

	memset(&s, 0, sizeof(s));
	f.flags = 0;
	f.comm = "dump-test";
	ASSERT_RET(pinctl_nl_lease_dump(ctx, &f, collect, &s), 0);
	ASSERT_EQ(s.nr, 8);
	memset(&s, 0, sizeof(s));
	f.comm = "dump-tes";
	ASSERT_RET(pinctl_nl_lease_dump(ctx, &f, collect, &s), 0);
	ASSERT_EQ(s.nr, 0);

	/* The callback stops the dump, and its value comes back. */
	memset(&s, 0, sizeof(s));
	s.stop_after = 2;
	ASSERT_RET(pinctl_nl_lease_dump(ctx, NULL, collect, &s), 1234);
	ASSERT_EQ(s.nr, 2);
	f.comm = NULL;
	f.flags = 1u << 9;
	ASSERT_RET(pinctl_nl_lease_dump(ctx, &f, collect, &s), -EOPNOTSUPP);
	ASSERT_RET(pinctl_nl_lease_dump(ctx, NULL, NULL, NULL), -EINVAL);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

/* Many leases: the dump spans many messages and reports each once. */
TEST(lib_nl_dump_many)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	size_t page = pm_page_size(), i, n = 3000;
	char *buf = pm_map_anon(n * page);
	struct seen s;
	uint64_t h;

	NEED_NETLINK();
	for (i = 0; i < n; i++)
		ASSERT_RET(pinctl_pin(dev, buf + i * page, page, NULL, &h), 0);
	memset(&s, 0, sizeof(s));
	ASSERT_RET(pinctl_nl_lease_dump(ctx, NULL, collect, &s), 0);
	ASSERT_EQ(s.nr, n);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

TEST(lib_nl_revoke)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	PINCTL_OPTS(pinctl_revoke_opts, now, .flags = PINCTL_REVOKE_NOW);
	PINCTL_OPTS(pinctl_lease, l);
	void *buf = pm_map_anon(2 * MIB);
	uint64_t h1, h2, deadline = 0, t0 = pm_realtime_ns();
	unsigned long long bt;
	pid_t pid;

	NEED_NETLINK();
	ASSERT_EQ(pm_param_read("break_time_ms", &bt), 0);
	ASSERT_RET(pinctl_pin(dev, buf, MIB, NULL, &h1), 0);
	ASSERT_RET(pinctl_pin(dev, (char *)buf + MIB, MIB, NULL, &h2), 0);
	ASSERT_RET(pinctl_nl_revoke(ctx, h1, NULL, &deadline), 0);
	ASSERT_GE(deadline, t0 + bt * PM_MS - 1000 * PM_MS);
	ASSERT_RET(pinctl_query(dev, h1, &l), 0);
	ASSERT_EQ(l.state, PINCTL_LEASE_BREAKING);
	ASSERT_LT(l.break_deadline_ns - deadline + PM_MS, 2 * PM_MS);
	ASSERT_RET(pinctl_nl_revoke(ctx, h1, NULL, NULL), -EBUSY);
	ASSERT_RET(pinctl_nl_revoke(ctx, h2, &now, &deadline), 0);
	ASSERT_RET(pinctl_query(dev, h2, &l), 0);
	ASSERT_EQ(l.state, PINCTL_LEASE_REVOKED);
	ASSERT_RET(pinctl_nl_revoke(ctx, 987654321, NULL, NULL), -ENOENT);

	pid = fork();
	if (pid == 0) {
		ASSERT_EQ(pm_become_nobody(), 0);
		ASSERT_RET(pinctl_nl_revoke(ctx, h1, &now, NULL), -EPERM);
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	ASSERT_RET(pinctl_unpin(dev, h1), 0);
	ASSERT_RET(pinctl_unpin(dev, h2), -EKEYREVOKED);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

/* An unprivileged reader sees only its own uid's leases. */
TEST(lib_nl_visibility)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	void *buf = pm_map_anon(2 * MIB);
	uint64_t root_h;
	pid_t pid;

	NEED_NETLINK();
	ASSERT_RET(pinctl_pin(dev, buf, MIB, NULL, &root_h), 0);
	pid = fork();
	if (pid == 0) {
		struct pinctl_dev *d2;
		PINCTL_OPTS(pinctl_lease, l);
		struct seen s;
		uint64_t h;

		ASSERT_EQ(pm_become_nobody(), 0);
		ASSERT_RET(pinctl_dev_open(ctx, NULL, &d2), 0);
		ASSERT_RET(pinctl_pin(d2, (char *)buf + MIB, 64 * 1024, NULL, &h), 0);
		memset(&s, 0, sizeof(s));
		ASSERT_RET(pinctl_nl_lease_dump(ctx, NULL, collect, &s), 0);
		ASSERT_EQ(s.nr, 1);
		ASSERT_EQ(s.handles[0], h);
		ASSERT_RET(pinctl_nl_lease_get(ctx, h, &l), 0);
		ASSERT_EQ(l.uid, PM_NOBODY);
		ASSERT_RET(pinctl_nl_lease_get(ctx, root_h, &l), -ENOENT);
		pinctl_dev_unref(d2);
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

/* The one lease a dump reports, and how many. */
struct dump_one {
	struct pinctl_lease l;
	unsigned int n;
};

static int dump_one_cb(const struct pinctl_lease *l, void *data)
{
	struct dump_one *d = data;

	d->l = *l;
	d->n++;
	return 0;
}

static void expect_ntf(struct pinctl_monitor *mon, uint32_t type, uint64_t handle,
		       struct pinctl_lease *l)
{
	struct pollfd p = { .fd = pinctl_monitor_get_fd(mon), .events = POLLIN };
	uint32_t t;
	int ret, tries;

	for (tries = 0; tries < 200; tries++) {
		ret = pinctl_monitor_read(mon, &t, l);
		if (ret == -EAGAIN) {
			ASSERT_GE(poll(&p, 1, 5000), 0);
			continue;
		}
		ASSERT_RET(ret, 0);
		if (l->handle != handle)
			continue;
		if (t == type)
			return;
		FAIL("lease %llu: notification %s, expected %s",
		     (unsigned long long)handle, pinctl_ntf_name(t), pinctl_ntf_name(type));
	}
	FAIL("no %s notification of lease %llu", pinctl_ntf_name(type),
	     (unsigned long long)handle);
}

TEST(lib_nl_monitor)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	PINCTL_OPTS(pinctl_pin_opts, po, .cookie = 9, .duration_ns = 100 * PM_MS);
	PINCTL_OPTS(pinctl_revoke_opts, now, .flags = PINCTL_REVOKE_NOW);
	PINCTL_OPTS(pinctl_lease, l);
	struct pinctl_monitor *mon;
	size_t page = pm_page_size();
	char *buf = pm_map_anon(8 * page);
	uint64_t h1, h2, h3;
	uint32_t t;
	pid_t pid;

	NEED_NETLINK();
	if (!pm_feature(PINCTL_FEATURE_NL_MONITOR)) {
		ASSERT_RET(pinctl_monitor_new(ctx, NULL, &mon), -EOPNOTSUPP);
		pm_skip_feature(PINCTL_FEATURE_NL_MONITOR,
				"the netlink monitor (PINCTL_FEATURE_NL_MONITOR)");
	}
	ASSERT_EQ(pm_param_write("break_time_ms", 100), 0);
	ASSERT_RET(pinctl_monitor_new(ctx, NULL, &mon), 0);
	ASSERT_TRUE(fcntl(pinctl_monitor_get_fd(mon), F_GETFD) & FD_CLOEXEC);
	ASSERT_RET(pinctl_monitor_read(mon, &t, &l), -EAGAIN);

	ASSERT_RET(pinctl_pin(dev, buf, page, NULL, &h1), 0);
	expect_ntf(mon, PINCTL_NTF_PINNED, h1, &l);
	ASSERT_EQ(l.tgid, getpid());
	ASSERT_EQ(l.length, page);
	ASSERT_RET(pinctl_unpin(dev, h1), 0);
	expect_ntf(mon, PINCTL_NTF_UNPINNED, h1, &l);

	ASSERT_RET(pinctl_pin(dev, buf + page, page, &po, &h2), 0);
	expect_ntf(mon, PINCTL_NTF_PINNED, h2, &l);
	ASSERT_EQ(l.cookie, 9);
	expect_ntf(mon, PINCTL_NTF_EXPIRED, h2, &l);
	ASSERT_EQ(l.state, PINCTL_LEASE_EXPIRED);

	ASSERT_RET(pinctl_pin(dev, buf + 2 * page, page, NULL, &h3), 0);
	expect_ntf(mon, PINCTL_NTF_PINNED, h3, &l);
	ASSERT_RET(pinctl_nl_revoke(ctx, h3, NULL, NULL), 0);
	expect_ntf(mon, PINCTL_NTF_BREAKING, h3, &l);
	ASSERT_NE(l.break_deadline_ns, 0);
	expect_ntf(mon, PINCTL_NTF_REVOKED, h3, &l);
	(void)now;

	ASSERT_EQ(pinctl_monitor_ref(mon), mon);
	pinctl_monitor_unref(mon);
	pinctl_monitor_unref(mon);

	pid = fork();
	if (pid == 0) {
		ASSERT_EQ(pm_become_nobody(), 0);
		ASSERT_RET(pinctl_monitor_new(ctx, NULL, &mon), -EPERM);
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

/*
 * A pin refused over a budget reaches a monitor that asked for budget hits,
 * with the budget it met and the refused pin; a monitor that did not ask
 * never sees it.
 */
TEST(lib_nl_monitor_budget_hits)
{
	struct pinctl_ctx *ctx = lt_ctx();
	PINCTL_OPTS(pinctl_monitor_opts, mo,
		    .flags = PINCTL_MONITOR_BUDGET_HITS);
	PINCTL_OPTS(pinctl_monitor_opts, bad, .flags = 1ULL << 40);
	PINCTL_OPTS(pinctl_budget, b);
	PINCTL_OPTS(pinctl_lease, l);
	struct pinctl_monitor *plain, *hits;
	size_t page = pm_page_size();
	__u64 outer, inner;
	uint32_t t;
	pid_t pid;

	NEED_NETLINK();
	pm_need_cgroup2();
	if (!pm_feature(PINCTL_FEATURE_NL_MONITOR))
		pm_skip_feature(PINCTL_FEATURE_NL_MONITOR,
				"the netlink monitor (PINCTL_FEATURE_NL_MONITOR)");
	if (!pm_feature(PINCTL_FEATURE_BUDGETS))
		pm_skip_feature(PINCTL_FEATURE_BUDGETS, "budgets");
	ASSERT_RET(pinctl_monitor_new(ctx, &bad, &hits), -EINVAL);
	ASSERT_RET(pinctl_monitor_new(ctx, NULL, &plain), 0);
	ASSERT_RET(pinctl_monitor_new(ctx, &mo, &hits), 0);
	outer = pm_cgroup_make("pmt-lhit");
	inner = pm_cgroup_make("pmt-lhit/in");
	ASSERT_RET(pinctl_budget_set(ctx, "/pmt-lhit", 4 * page, 0), 0);

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct pinctl_dev *own;
		uint64_t h;

		pm_cgroup_enter("pmt-lhit/in");
		ASSERT_RET(pinctl_dev_open(ctx, NULL, &own), 0);
		ASSERT_RET(pinctl_pin(own, pm_map_anon(8 * page), 8 * page,
				      NULL, &h), -EXFULL);
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);

	expect_ntf(hits, PINCTL_NTF_BUDGET_HIT, 0, &l);
	ASSERT_EQ(strcmp(pinctl_ntf_name(PINCTL_NTF_BUDGET_HIT), "budget-hit"),
		  0);
	ASSERT_EQ(l.tgid, pid);
	ASSERT_EQ(l.uid, getuid());
	ASSERT_EQ(l.length, 8 * page);
	ASSERT_EQ(l.nr_pages, 8);
	ASSERT_EQ(l.cgroup_id, inner);
	ASSERT_EQ(l.state, 0);
	ASSERT_RET(pinctl_monitor_budget(hits, &b), 0);
	ASSERT_EQ(strcmp(b.cgroup, "/pmt-lhit"), 0);
	ASSERT_EQ(b.cgroup_id, outer);
	ASSERT_EQ(b.limit, 4 * page);
	ASSERT_EQ(b.usage, 0);
	ASSERT_EQ(b.hits, 1);
	ASSERT_RET(pinctl_monitor_read(hits, &t, &l), -EAGAIN);
	/* The plain monitor skipped it: it has nothing, and no budget. */
	ASSERT_RET(pinctl_monitor_read(plain, &t, &l), -EAGAIN);
	ASSERT_RET(pinctl_monitor_budget(plain, &b), -ENOENT);

	pinctl_monitor_unref(plain);
	pinctl_monitor_unref(hits);
	ASSERT_RET(pinctl_budget_clear(ctx, "/pmt-lhit"), 0);
	pm_cgroup_remove("pmt-lhit/in");
	pm_cgroup_remove("pmt-lhit");
	pinctl_unref(ctx);
}

/*
 * A watched lease that goes stale: the monitor's notification and the dump
 * carry the reason, the part that changed and the slot.
 */
TEST(lib_nl_stale)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	PINCTL_OPTS(pinctl_pin_opts, po, .flags = PINCTL_PIN_WATCH, .cookie = 0x57a1e);
	PINCTL_OPTS(pinctl_lease_filter, f, .flags = PINCTL_FILTER_COOKIE,
		    .cookie = 0x57a1e);
	PINCTL_OPTS(pinctl_pinned, pd);
	PINCTL_OPTS(pinctl_lease, l);
	struct pinctl_monitor *mon = NULL;
	struct dump_one d = { 0 };
	size_t page = pm_page_size();
	char *buf = pm_map_anon(4 * page);

	NEED_NETLINK();
	lt_need_watch(dev);
	if (pm_feature(PINCTL_FEATURE_NL_MONITOR))
		ASSERT_RET(pinctl_monitor_new(ctx, NULL, &mon), 0);
	ASSERT_RET(pinctl_pin_lease(dev, buf, 4 * page, &po, &pd), 0);
	ASSERT_EQ(madvise(buf + page, 2 * page, MADV_DONTNEED), 0);
	if (mon) {
		expect_ntf(mon, PINCTL_NTF_PINNED, pd.handle, &l);
		ASSERT_EQ(l.watch_slot, pd.watch_slot);
		expect_ntf(mon, PINCTL_NTF_STALE, pd.handle, &l);
		ASSERT_EQ(l.state, PINCTL_LEASE_STALE);
		ASSERT_EQ(l.stale_reason, PINCTL_STALE_DISCARD);
		ASSERT_EQ(l.stale_addr, (uintptr_t)buf + page);
		ASSERT_EQ(l.stale_length, 2 * page);
		pinctl_monitor_unref(mon);
	}
	ASSERT_RET(pinctl_nl_lease_dump(ctx, &f, dump_one_cb, &d), 0);
	ASSERT_EQ(d.n, 1);
	ASSERT_EQ(d.l.handle, pd.handle);
	ASSERT_EQ(d.l.state, PINCTL_LEASE_STALE);
	ASSERT_EQ(d.l.stale_reason, PINCTL_STALE_DISCARD);
	ASSERT_EQ(d.l.stale_addr, (uintptr_t)buf + page);
	ASSERT_EQ(d.l.stale_length, 2 * page);
	ASSERT_EQ(d.l.watch_slot, pd.watch_slot);
	ASSERT_TRUE(d.l.flags & PINCTL_PIN_WATCH);
	ASSERT_RET(pinctl_unpin(dev, pd.handle), 0);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The `pinmgr` generic netlink family, spoken with libnl-genl-3 as any
 * client would (nl_client.c): every operation and filter, what root, an
 * unprivileged user, a reader in a child pid namespace and one in a child
 * user namespace see, strict policies and their extack, a user's
 * locked_vm, revocation, the monitor group's events in order, and dumps of
 * 20,000 leases that return each exactly once, also while other processes
 * pin and unpin.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <linux/capability.h>

#include "harness.h"
#include "nl_client.h"

#define NL_TIMEOUT_MS	5000
#define MANY		20000

static struct pm_nl *nl_open(void)
{
	struct pm_nl *nl = pm_nl_open();

	if (!nl)
		FAIL("cannot open the pinmgr netlink family: %s",
		     strerror(errno));
	return nl;
}

/* The request failed with -@err, and its extack says so as expected. */
static void expect_nl_error(struct pm_nl *nl, int ret, int err,
			    const char *msg, int bad_attr, int miss_attr)
{
	const struct pm_nl_error *e = pm_nl_last_error(nl);

	if (ret != -err)
		FAIL("expected -%s, got %d (%s); extack \"%s\"",
		     strerrorname_np(err), ret,
		     ret < 0 ? strerrorname_np(-ret) : "success", e->msg);
	if (msg && !strstr(e->msg, msg))
		FAIL("extack \"%s\" does not say \"%s\"", e->msg, msg);
	ASSERT_EQ(e->bad_attr, bad_attr);
	/*
	 * An extack names a missing attribute since Linux 6.0; before, the
	 * driver says it in words (compat.h), which newer kernels never do.
	 */
	if (miss_attr && !e->miss_attr &&
	    strstr(e->msg, "a required attribute is missing"))
		miss_attr = 0;
	ASSERT_EQ(e->miss_attr, miss_attr);
}

static void my_comm(char comm[16])
{
	memset(comm, 0, 16);
	ASSERT_EQ(prctl(PR_GET_NAME, comm), 0);
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* The dump holds each of @handles exactly once, and nothing else of @cookie. */
static void expect_each_once(const struct pm_nl_lease *leases, size_t nr,
			     const __u64 *handles, size_t n, __u64 cookie)
{
	__u64 *want = malloc(n * sizeof(*want)), *got;
	size_t i, ngot = 0;

	ASSERT_NE(want, NULL);
	got = malloc((nr ? nr : 1) * sizeof(*got));
	ASSERT_NE(got, NULL);
	memcpy(want, handles, n * sizeof(*want));
	qsort(want, n, sizeof(*want), cmp_u64);
	for (i = 0; i < nr; i++)
		if (leases[i].cookie == cookie)
			got[ngot++] = leases[i].handle;
	qsort(got, ngot, sizeof(*got), cmp_u64);
	for (i = 1; i < ngot; i++)
		if (got[i] == got[i - 1])
			FAIL("handle %llu came twice in one dump",
			     (unsigned long long)got[i]);
	if (ngot != n)
		FAIL("the dump returned %zu leases of cookie %llu, expected %zu",
		     ngot, (unsigned long long)cookie, n);
	for (i = 0; i < n; i++)
		if (got[i] != want[i])
			FAIL("the dump returned handle %llu where %llu was expected",
			     (unsigned long long)got[i],
			     (unsigned long long)want[i]);
	free(got);
	free(want);
}

/* No handle is in the dump twice. */
static void expect_no_handle_twice(const struct pm_nl_lease *leases, size_t nr)
{
	__u64 *all = malloc((nr ? nr : 1) * sizeof(*all));
	size_t i;

	ASSERT_NE(all, NULL);
	for (i = 0; i < nr; i++)
		all[i] = leases[i].handle;
	qsort(all, nr, sizeof(*all), cmp_u64);
	for (i = 1; i < nr; i++)
		if (all[i] == all[i - 1])
			FAIL("handle %llu came twice in one dump",
			     (unsigned long long)all[i]);
	free(all);
}

/* The lease in @leases with @handle, or NULL. */
static const struct pm_nl_lease *find_lease(const struct pm_nl_lease *leases,
					    size_t nr, __u64 handle)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (leases[i].handle == handle)
			return &leases[i];
	return NULL;
}

/* Run @fn in a child that is uid 65534 without capabilities; its status. */
static int as_nobody(void (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		ASSERT_EQ(pm_become_nobody(), 0);
		ASSERT_FALSE(pm_have_cap(CAP_SYS_ADMIN));
		fn(arg);
		_exit(0);
	}
	return pm_wait(pid);
}

/* ---- The family -------------------------------------------------------- */

TEST(netlink_family_and_monitor_group_resolve)
{
	struct pm_nl *nl = nl_open();

	ASSERT_GT(pm_nl_family(nl), 0);
	ASSERT_EQ(pm_nl_monitor(nl), pm_nl_monitor_expect(0));
	pm_nl_close(nl);
}

/* stats-get: every figure, as sysfs, the INFO ioctl and the pins say. */
TEST(netlink_stats_match_sysfs_and_info)
{
	static const struct { int attr; const char *file; } files[] = {
		{ PINMGR_A_STATS_LEASES, "leases" },
		{ PINMGR_A_STATS_ENDED_LEASES, "ended_leases" },
		{ PINMGR_A_STATS_FILES, "files" },
		{ PINMGR_A_STATS_PINNED_PAGES, "pinned_pages" },
		{ PINMGR_A_STATS_PINS, "pins" },
		{ PINMGR_A_STATS_UNPINS, "unpins" },
		{ PINMGR_A_STATS_EXPIRIES, "expiries" },
		{ PINMGR_A_STATS_REVOCATIONS, "revocations" },
		{ PINMGR_A_STATS_FAIL_MEMLOCK, "failures/memlock" },
		{ PINMGR_A_STATS_FAIL_LEASE_PAGES, "failures/lease_pages" },
		{ PINMGR_A_STATS_FAIL_LEASES, "failures/leases" },
		{ PINMGR_A_STATS_FAIL_DEVICE_PAGES, "failures/device_pages" },
		{ PINMGR_A_STATS_FAIL_FAULT, "failures/fault" },
		{ PINMGR_A_STATS_FAIL_FILE, "failures/file" },
		{ PINMGR_A_STATS_FAIL_INTERRUPTED, "failures/interrupted" },
		{ PINMGR_A_STATS_FAIL_NOMEM, "failures/nomem" },
		{ PINMGR_A_STATS_MAX_LEASE_PAGES, "max_lease_pages" },
		{ PINMGR_A_STATS_MAX_LEASES, "max_leases" },
		{ PINMGR_A_STATS_MAX_DEVICE_PAGES, "max_device_pages" },
		{ PINMGR_A_STATS_BREAK_TIME_MS, "break_time_ms" },
		{ PINMGR_A_STATS_MAX_EVENTS, "max_events" },
		{ PINMGR_A_STATS_RENEWALS, "renewals" },
	};
	__u64 before[PINMGR_A_STATS_MAX + 1], st[PINMGR_A_STATS_MAX + 1];
	size_t ps = pm_page_size(), i;
	struct pm_nl *nl = nl_open();
	struct pinmgr_info info;
	char *buf = pm_map_anon(8 * ps);
	int fd = pm_open(), fd2 = pm_open();
	__u64 h[3];
	int a;

	ASSERT_NE(buf, NULL);
	ASSERT_GE(fd, 0);
	ASSERT_GE(fd2, 0);
	ASSERT_EQ(pm_nl_stats(nl, before), 0);
	/* Every attribute of the nest is there. */
	for (a = 1; a <= PINMGR_A_STATS_MAX; a++)
		if (a != PINMGR_A_STATS_PAD && before[a] == ~0ULL)
			FAIL("stats-get lacks attribute %d", a);
	ASSERT_EQ(before[PINMGR_A_STATS_LEASES], 0);
	ASSERT_EQ(before[PINMGR_A_STATS_PINNED_PAGES], 0);
	ASSERT_GE(before[PINMGR_A_STATS_FILES], 2);

	h[0] = PIN_OK(fd, buf, ps, 0);
	h[1] = PIN_OK(fd, buf + ps, 3 * ps, PINMGR_PIN_WRITE);
	h[2] = PIN_OK(fd2, buf + 4 * ps, 4 * ps, PINMGR_PIN_LONGTERM);
	ASSERT_EQ(pm_unpin(fd, h[0]), 0);
	ASSERT_EQ(pm_nl_stats(nl, st), 0);
	ASSERT_EQ(st[PINMGR_A_STATS_LEASES], 2);
	ASSERT_EQ(st[PINMGR_A_STATS_PINNED_PAGES], 7);
	ASSERT_EQ(st[PINMGR_A_STATS_PINS] - before[PINMGR_A_STATS_PINS], 3);
	ASSERT_EQ(st[PINMGR_A_STATS_UNPINS] - before[PINMGR_A_STATS_UNPINS], 1);
	ASSERT_EQ(st[PINMGR_A_STATS_FILES], before[PINMGR_A_STATS_FILES]);

	/* The same facts through the INFO ioctl ... */
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.device_leases, st[PINMGR_A_STATS_LEASES]);
	ASSERT_EQ(info.device_pinned_pages, st[PINMGR_A_STATS_PINNED_PAGES]);
	ASSERT_EQ(info.max_lease_pages, st[PINMGR_A_STATS_MAX_LEASE_PAGES]);
	ASSERT_EQ(info.max_leases, st[PINMGR_A_STATS_MAX_LEASES]);
	ASSERT_EQ(info.max_device_pages, st[PINMGR_A_STATS_MAX_DEVICE_PAGES]);
	ASSERT_EQ(info.break_time_ns,
		  st[PINMGR_A_STATS_BREAK_TIME_MS] * 1000000ULL);
	ASSERT_EQ(info.max_events, st[PINMGR_A_STATS_MAX_EVENTS]);
	/* ... and through sysfs, file by file. */
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		unsigned long long v;

		ASSERT_EQ(pm_sysfs_read(files[i].file, &v), 0);
		if (v != st[files[i].attr])
			FAIL("sysfs %s is %llu, netlink says %llu",
			     files[i].file, v,
			     (unsigned long long)st[files[i].attr]);
	}
	ASSERT_EQ(pm_unpin(fd, h[1]), 0);
	ASSERT_EQ(pm_unpin(fd2, h[2]), 0);
	close(fd);
	close(fd2);
	pm_nl_close(nl);
}

/* lease-get: every attribute, as QUERY and fdinfo describe the lease. */
TEST(netlink_lease_get_matches_query)
{
	size_t ps = pm_page_size();
	struct pm_nl *nl = nl_open();
	char *buf = pm_map_anon(4 * ps), comm[16];
	int fd = pm_open();
	struct pinmgr_query q;
	struct pinmgr_pin pin;
	struct pm_nl_lease l;
	__u64 t0, t1;

	ASSERT_NE(buf, NULL);
	ASSERT_GE(fd, 0);
	my_comm(comm);
	t0 = pm_realtime_ns();
	memset(&pin, 0, sizeof(pin));
	pin.size = sizeof(pin);
	pin.flags = PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM;
	pin.addr = (uintptr_t)(buf + ps);
	pin.length = 3 * ps;
	pin.cookie = 0xc0ffee;
	pin.duration_ns = 3600 * 1000 * PM_MS;
	ASSERT_EQ(ioctl(fd, PINMGR_IOC_PIN, &pin), 0);
	t1 = pm_realtime_ns();

	ASSERT_EQ(pm_nl_lease_get(nl, pin.out_handle, &l), 0);
	ASSERT_EQ(pm_query(fd, pin.out_handle, &q), 0);
	ASSERT_EQ(l.cmd, PINMGR_NL_CMD_LEASE_GET);
	ASSERT_EQ(l.handle, pin.out_handle);
	ASSERT_EQ(l.file_id, pm_fdinfo_value(fd, "pinmgr-file-id"));
	ASSERT_EQ(l.tgid, getpid());
	ASSERT_EQ(l.uid, getuid());
	ASSERT_EQ(strcmp(l.comm, comm), 0);
	ASSERT_EQ(l.addr, (uintptr_t)(buf + ps));
	ASSERT_EQ(l.length, 3 * ps);
	ASSERT_EQ(l.pages, 3);
	ASSERT_EQ(l.runs, q.out_nr_runs);
	ASSERT_EQ(l.metadata_bytes, q.out_metadata_bytes);
	ASSERT_EQ(l.flags, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM);
	ASSERT_EQ(l.state, PINMGR_LEASE_ACTIVE);
	ASSERT_EQ(l.cookie, 0xc0ffee);
	ASSERT_EQ(l.create_time, q.out_create_time_ns);
	ASSERT_TRUE(l.create_time >= t0 && l.create_time <= t1);
	/* Converted from the boot clock at each read: the same to 50 ms. */
	ASSERT_LT(l.expire_time > q.out_expire_time_ns ?
		  l.expire_time - q.out_expire_time_ns :
		  q.out_expire_time_ns - l.expire_time, 50 * PM_MS);
	ASSERT_GT(l.expire_time, t1 + 3500 * 1000 * PM_MS);
	ASSERT_EQ(l.break_deadline, 0);
	ASSERT_EQ(l.end_time, 0);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	/* Gone with its handle. */
	expect_nl_error(nl, pm_nl_lease_get(nl, pin.out_handle, &l), ENOENT,
			"no lease", PINMGR_A_HANDLE, 0);
	close(fd);
	pm_nl_close(nl);
}

/* ---- Strict policies and extack ---------------------------------------- */

TEST(netlink_bad_requests_fail_with_extack)
{
	struct pm_nl *nl = nl_open();
	struct nl_msg *msg;

	/* lease-get without a handle. */
	msg = pm_nl_msg(nl, PINMGR_NL_CMD_LEASE_GET, 0);
	ASSERT_NE(msg, NULL);
	expect_nl_error(nl, pm_nl_request(nl, msg, NULL), EINVAL, NULL, 0,
			PINMGR_A_HANDLE);

	/* A handle of the wrong size. */
	msg = pm_nl_msg(nl, PINMGR_NL_CMD_LEASE_GET, 0);
	ASSERT_NE(msg, NULL);
	ASSERT_EQ(nla_put_u32(msg, PINMGR_A_HANDLE, 1), 0);
	expect_nl_error(nl, pm_nl_request(nl, msg, NULL), EINVAL,
			"invalid attribute length", PINMGR_A_HANDLE, 0);

	/* An attribute the family does not have. */
	msg = pm_nl_msg(nl, PINMGR_NL_CMD_LEASE_GET, 0);
	ASSERT_NE(msg, NULL);
	ASSERT_EQ(nla_put_u64(msg, PINMGR_A_HANDLE, 1), 0);
	ASSERT_EQ(nla_put_u32(msg, PINMGR_A_MAX + 7, 1), 0);
	expect_nl_error(nl, pm_nl_request(nl, msg, NULL), EINVAL,
			"Unknown attribute type", PINMGR_A_MAX + 7, 0);

	/* One it has, but not as a request attribute. */
	msg = pm_nl_msg(nl, PINMGR_NL_CMD_LEASE_GET, 0);
	ASSERT_NE(msg, NULL);
	ASSERT_EQ(nla_put_u64(msg, PINMGR_A_HANDLE, 1), 0);
	ASSERT_EQ(nla_put_u64(msg, PINMGR_A_ADDR, 4096), 0);
	expect_nl_error(nl, pm_nl_request(nl, msg, NULL), EINVAL,
			"Unsupported attribute", PINMGR_A_ADDR, 0);

	/* A filter of the wrong size, in a dump. */
	msg = pm_nl_msg(nl, PINMGR_NL_CMD_LEASE_GET, NLM_F_DUMP);
	ASSERT_NE(msg, NULL);
	ASSERT_EQ(nla_put_u64(msg, PINMGR_A_TGID, getpid()), 0);
	expect_nl_error(nl, pm_nl_request(nl, msg, NULL), EINVAL,
			"invalid attribute length", PINMGR_A_TGID, 0);

	/* A command the family does not have, and a dump of a do-only one. */
	msg = pm_nl_msg(nl, PINMGR_NL_CMD_MAX + 10, 0);
	ASSERT_NE(msg, NULL);
	expect_nl_error(nl, pm_nl_request(nl, msg, NULL), EOPNOTSUPP, NULL,
			0, 0);
	msg = pm_nl_msg(nl, PINMGR_NL_CMD_STATS_GET, NLM_F_DUMP);
	ASSERT_NE(msg, NULL);
	expect_nl_error(nl, pm_nl_request(nl, msg, NULL), EOPNOTSUPP, NULL,
			0, 0);
	/* Notifications are not requests. */
	msg = pm_nl_msg(nl, PINMGR_NL_CMD_LEASE_PINNED_NTF, 0);
	ASSERT_NE(msg, NULL);
	expect_nl_error(nl, pm_nl_request(nl, msg, NULL), EOPNOTSUPP, NULL,
			0, 0);

	/* lease-revoke: a handle that names nothing. */
	expect_nl_error(nl, pm_nl_revoke(nl, ~0ULL, 0, NULL), ENOENT,
			"no such live lease", PINMGR_A_HANDLE, 0);
	pm_nl_close(nl);
}

/* ---- Dumps and filters ------------------------------------------------- */

struct child_pins {
	int ready[2];		/* the child says "pinned" */
	int done[2];		/* the parent says "unpin and go" */
	__u64 cookie;
	__u64 handles[4];
};

/* A child that pins 4 leases with @cookie and holds them until told. */
static pid_t start_pinning_child(struct child_pins *cp, int nobody)
{
	pid_t pid;
	char c;

	ASSERT_EQ(pipe2(cp->ready, O_CLOEXEC), 0);
	ASSERT_EQ(pipe2(cp->done, O_CLOEXEC), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		size_t ps = pm_page_size();
		char *buf;
		int fd;

		if (nobody)
			ASSERT_EQ(pm_become_nobody(), 0);
		buf = pm_map_anon(4 * ps);
		fd = pm_open();
		ASSERT_NE(buf, NULL);
		ASSERT_GE(fd, 0);
		pm_pin_many(fd, buf, 4, 4, cp->cookie, cp->handles);
		ASSERT_EQ(write(cp->ready[1], cp->handles, sizeof(cp->handles)),
			  (ssize_t)sizeof(cp->handles));
		ASSERT_EQ(read(cp->done[0], &c, 1), 1);
		_exit(0);
	}
	ASSERT_EQ(read(cp->ready[0], cp->handles, sizeof(cp->handles)),
		  (ssize_t)sizeof(cp->handles));
	return pid;
}

static void stop_pinning_child(struct child_pins *cp, pid_t pid)
{
	ASSERT_EQ(write(cp->done[1], "x", 1), 1);
	ASSERT_EQ(pm_wait(pid), 0);
	close(cp->ready[0]);
	close(cp->ready[1]);
	close(cp->done[0]);
	close(cp->done[1]);
}

static size_t dump_count(struct pm_nl *nl, const struct pm_nl_filter *f,
			 struct pm_nl_lease **out)
{
	struct pm_nl_lease *leases;
	size_t nr;

	ASSERT_EQ(pm_nl_dump(nl, f, &leases, &nr), 0);
	if (out)
		*out = leases;
	else
		free(leases);
	return nr;
}

TEST(netlink_dump_filters_by_tgid_uid_and_cookie)
{
	struct child_pins a = { .cookie = 111 }, b = { .cookie = 222 };
	size_t ps = pm_page_size();
	struct pm_nl *nl = nl_open();
	struct pm_nl_lease *leases;
	struct pm_nl_filter f;
	char *buf = pm_map_anon(2 * ps);
	int fd = pm_open();
	pid_t pa, pb;
	__u64 mine[2];
	size_t nr, i;

	ASSERT_NE(buf, NULL);
	ASSERT_GE(fd, 0);
	pm_pin_many(fd, buf, 2, 2, 333, mine);
	pa = start_pinning_child(&a, 0);
	pb = start_pinning_child(&b, 1);

	/* Root sees all 10, each once, with its owner. */
	nr = dump_count(nl, NULL, &leases);
	ASSERT_EQ(nr, 10);
	expect_each_once(leases, nr, mine, 2, 333);
	expect_each_once(leases, nr, a.handles, 4, 111);
	expect_each_once(leases, nr, b.handles, 4, 222);
	for (i = 0; i < nr; i++) {
		__u32 tgid = leases[i].cookie == 333 ? (__u32)getpid() :
			     leases[i].cookie == 111 ? (__u32)pa : (__u32)pb;
		__u32 uid = leases[i].cookie == 222 ? PM_NOBODY : 0;

		ASSERT_EQ(leases[i].tgid, tgid);
		ASSERT_EQ(leases[i].uid, uid);
		ASSERT_EQ(leases[i].pages, 1);
	}
	free(leases);

	memset(&f, 0, sizeof(f));
	f.has = PM_NL_F_TGID;
	f.tgid = (__u32)pa;
	nr = dump_count(nl, &f, &leases);
	expect_each_once(leases, nr, a.handles, 4, 111);
	ASSERT_EQ(nr, 4);
	free(leases);

	f.has = PM_NL_F_UID;
	f.uid = PM_NOBODY;
	nr = dump_count(nl, &f, &leases);
	expect_each_once(leases, nr, b.handles, 4, 222);
	ASSERT_EQ(nr, 4);
	free(leases);

	f.has = PM_NL_F_UID;
	f.uid = 0;
	ASSERT_EQ(dump_count(nl, &f, NULL), 6);

	f.has = PM_NL_F_COOKIE;
	f.cookie = 333;
	nr = dump_count(nl, &f, &leases);
	expect_each_once(leases, nr, mine, 2, 333);
	ASSERT_EQ(nr, 2);
	free(leases);

	/* Filters together: all must match. */
	f.has = PM_NL_F_TGID | PM_NL_F_COOKIE;
	f.tgid = (__u32)pa;
	f.cookie = 222;
	ASSERT_EQ(dump_count(nl, &f, NULL), 0);
	f.cookie = 111;
	ASSERT_EQ(dump_count(nl, &f, NULL), 4);
	f.has = PM_NL_F_TGID | PM_NL_F_UID | PM_NL_F_COOKIE;
	f.tgid = (__u32)pb;
	f.uid = PM_NOBODY;
	f.cookie = 222;
	ASSERT_EQ(dump_count(nl, &f, NULL), 4);

	stop_pinning_child(&a, pa);
	stop_pinning_child(&b, pb);
	/* Their leases went with their files. */
	ASSERT_EQ(dump_count(nl, NULL, NULL), 2);
	close(fd);
	ASSERT_EQ(dump_count(nl, NULL, NULL), 0);
	pm_nl_close(nl);
}

/* ---- Who sees what ----------------------------------------------------- */

struct nobody_view {
	__u64 root_handle;
	__u64 own_handle;
};

static void nobody_looks(void *arg)
{
	struct nobody_view *v = arg;
	size_t ps = pm_page_size();
	__u64 st[PINMGR_A_STATS_MAX + 1];
	struct pm_nl *nl = nl_open();
	struct pm_nl_lease *leases, l;
	struct pm_nl_filter f;
	char *buf = pm_map_anon(ps);
	int fd = pm_open();
	size_t nr;

	ASSERT_NE(buf, NULL);
	ASSERT_GE(fd, 0);
	v->own_handle = PIN_OK(fd, buf, ps, 0);

	/* Only its own lease, whatever the filter asks. */
	nr = dump_count(nl, NULL, &leases);
	ASSERT_EQ(nr, 1);
	ASSERT_EQ(leases[0].handle, v->own_handle);
	ASSERT_EQ(leases[0].uid, PM_NOBODY);
	ASSERT_EQ(leases[0].addr, (uintptr_t)buf);
	free(leases);
	memset(&f, 0, sizeof(f));
	f.has = PM_NL_F_UID;
	f.uid = 0;
	ASSERT_EQ(dump_count(nl, &f, NULL), 0);
	ASSERT_EQ(pm_nl_lease_get(nl, v->own_handle, &l), 0);
	expect_nl_error(nl, pm_nl_lease_get(nl, v->root_handle, &l), ENOENT,
			"no lease", PINMGR_A_HANDLE, 0);

	/* The figures are everyone's; revoking and monitoring are not. */
	ASSERT_EQ(pm_nl_stats(nl, st), 0);
	ASSERT_EQ(st[PINMGR_A_STATS_LEASES], 2);
	expect_nl_error(nl, pm_nl_revoke(nl, v->own_handle, 1, NULL), EPERM,
			NULL, 0, 0);
	expect_nl_error(nl, pm_nl_revoke(nl, v->root_handle, 1, NULL), EPERM,
			NULL, 0, 0);
	ASSERT_EQ(pm_nl_monitor(nl), pm_nl_monitor_expect(-EPERM));
	ASSERT_EQ(pm_unpin(fd, v->own_handle), 0);
	close(fd);
	pm_nl_close(nl);
}

TEST(netlink_unprivileged_user_sees_only_its_own_leases)
{
	size_t ps = pm_page_size();
	struct nobody_view v;
	struct pinmgr_query q;
	char *buf = pm_map_anon(ps);
	int fd = pm_open();

	if (geteuid() != 0)
		SKIP("needs root to become uid %d", PM_NOBODY);
	ASSERT_NE(buf, NULL);
	ASSERT_GE(fd, 0);
	memset(&v, 0, sizeof(v));
	v.root_handle = PIN_OK(fd, buf, ps, 0);
	ASSERT_EQ(as_nobody(nobody_looks, &v), 0);
	/* Root's lease went through it all untouched. */
	ASSERT_EQ(pm_query(fd, v.root_handle, &q), 0);
	ASSERT_EQ(q.out_state, PINMGR_LEASE_ACTIVE);
	ASSERT_EQ(pm_unpin(fd, v.root_handle), 0);
	close(fd);
}

/*
 * A reader in a child pid namespace sees leases of the processes visible
 * there, with their pids as seen there, and no other; the same in debugfs
 * (the opener's namespace) and in a lease-get by handle.
 */
static void pidns_reader(void *outside)
{
	__u64 outside_handle = *(__u64 *)outside;
	size_t ps = pm_page_size();
	struct pm_nl *nl = nl_open();
	struct pm_nl_lease *leases, l;
	struct pm_nl_filter f;
	char *buf = pm_map_anon(2 * ps);
	int fd = pm_open();
	__u64 h[2];
	size_t nr;

	ASSERT_EQ(getpid(), 1);
	ASSERT_NE(buf, NULL);
	ASSERT_GE(fd, 0);
	pm_pin_many(fd, buf, 2, 2, 77, h);
	nr = dump_count(nl, NULL, &leases);
	ASSERT_EQ(nr, 2);
	expect_each_once(leases, nr, h, 2, 77);
	ASSERT_EQ(leases[0].tgid, 1);
	ASSERT_EQ(leases[1].tgid, 1);
	free(leases);
	memset(&f, 0, sizeof(f));
	f.has = PM_NL_F_TGID;
	f.tgid = 1;
	ASSERT_EQ(dump_count(nl, &f, NULL), 2);
	expect_nl_error(nl, pm_nl_lease_get(nl, outside_handle, &l), ENOENT,
			"no lease", PINMGR_A_HANDLE, 0);
	ASSERT_EQ(pm_nl_lease_get(nl, h[0], &l), 0);
	ASSERT_EQ(l.tgid, 1);
	close(fd);
	pm_nl_close(nl);
}

TEST(netlink_reader_in_child_pid_namespace)
{
	size_t ps = pm_page_size();
	char *buf = pm_map_anon(ps);
	int fd = pm_open();
	__u64 outside;

	if (geteuid() != 0)
		SKIP("needs root for a pid namespace");
	ASSERT_NE(buf, NULL);
	ASSERT_GE(fd, 0);
	outside = PIN_OK(fd, buf, ps, 0);
	ASSERT_EQ(pm_in_new_pid_namespace(pidns_reader, &outside), 0);
	ASSERT_EQ(pm_unpin(fd, outside), 0);
	close(fd);
}

static void write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "we");

	ASSERT_NE(f, NULL);
	ASSERT_GE(fputs(s, f), 0);
	ASSERT_EQ(fclose(f), 0);
}

/*
 * A reader in a child user namespace, where root is uid 5: root's leases
 * show uid 5; it has CAP_SYS_ADMIN only in its own namespace, so it is no
 * administrator: nobody's leases stay hidden and revoking is refused.
 */
TEST(netlink_reader_in_child_user_namespace)
{
	struct child_pins other = { .cookie = 222 };
	size_t ps = pm_page_size();
	char *buf = pm_map_anon(ps);
	int fd = pm_open();
	__u64 mine;
	pid_t pid, po;

	if (geteuid() != 0)
		SKIP("needs root");
	ASSERT_NE(buf, NULL);
	ASSERT_GE(fd, 0);
	mine = PIN_OK(fd, buf, ps, 0);
	po = start_pinning_child(&other, 1);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct pm_nl_lease *leases, l;
		struct pm_nl *nl;
		size_t nr;

		if (unshare(CLONE_NEWUSER))
			_exit(PM_EXIT_SKIP);
		write_file("/proc/self/setgroups", "deny");
		write_file("/proc/self/uid_map", "5 0 1");
		write_file("/proc/self/gid_map", "5 0 1");
		ASSERT_EQ(getuid(), 5);
		nl = nl_open();
		nr = dump_count(nl, NULL, &leases);
		ASSERT_EQ(nr, 1);
		ASSERT_EQ(leases[0].handle, mine);
		ASSERT_EQ(leases[0].uid, 5);
		free(leases);
		/*
		 * user-get in the same namespace: its own real uid as 5;
		 * uids not mapped there are no uids.
		 */
		memset(&l, 0, sizeof(l));
		ASSERT_EQ(pm_nl_user_get(nl, 5, &l), 0);
		ASSERT_EQ(l.uid, 5);
		ASSERT_TRUE(PM_NL_HAS(&l, PINMGR_A_LOCKED_VM_PAGES));
		expect_nl_error(nl, pm_nl_user_get(nl, 0, NULL), EINVAL,
				"not mapped", PINMGR_A_UID, 0);
		expect_nl_error(nl, pm_nl_user_get(nl, PM_NOBODY, NULL),
				EINVAL, "not mapped", PINMGR_A_UID, 0);
		expect_nl_error(nl, pm_nl_revoke(nl, mine, 1, NULL), EPERM,
				NULL, 0, 0);
		ASSERT_EQ(pm_nl_monitor(nl), pm_nl_monitor_expect(-EPERM));
		pm_nl_close(nl);
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	stop_pinning_child(&other, po);
	ASSERT_EQ(pm_unpin(fd, mine), 0);
	close(fd);
}

/* ---- A user's locked_vm ------------------------------------------------ */

#define UG_UID		4321	/* no other process of the VM has it */
#define UG_NONE		4322	/* nor this one */
#define UG_PAGES	24

struct ug_child {
	int ready[2];		/* the child's user_pinned_pages, once pinned */
	int done[2];		/* the parent says "unpin and go" */
};

/*
 * A child that becomes uid UG_UID (with RLIMIT_MEMLOCK room for its
 * pins), pins UG_PAGES one-page leases, says what GET_INFO gives as its
 * user's pinned pages, and holds them until told; then it unpins them and
 * exits.
 */
static pid_t start_uid_child(struct ug_child *c)
{
	__u64 pinned;
	pid_t pid;

	ASSERT_EQ(pipe2(c->ready, O_CLOEXEC), 0);
	ASSERT_EQ(pipe2(c->done, O_CLOEXEC), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct rlimit rl = { .rlim_cur = 4 * UG_PAGES * pm_page_size(),
				     .rlim_max = 4 * UG_PAGES * pm_page_size() };
		size_t ps = pm_page_size(), i;
		__u64 handles[UG_PAGES];
		struct pinmgr_info info;
		char *buf, x;
		int fd;

		close(c->ready[0]);
		close(c->done[1]);
		ASSERT_EQ(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
		ASSERT_EQ(setgroups(0, NULL), 0);
		ASSERT_EQ(setgid(UG_UID), 0);
		ASSERT_EQ(setuid(UG_UID), 0);
		ASSERT_EQ(getuid(), UG_UID);
		ASSERT_FALSE(pm_have_cap(CAP_IPC_LOCK));
		buf = pm_map_anon(UG_PAGES * ps);
		ASSERT_NE(buf, NULL);
		fd = pm_open();
		ASSERT_GE(fd, 0);
		pm_pin_many(fd, buf, UG_PAGES, UG_PAGES, 4321, handles);
		ASSERT_EQ(pm_get_info(fd, &info), 0);
		ASSERT_EQ(write(c->ready[1], &info.user_pinned_pages,
				sizeof(info.user_pinned_pages)),
			  (ssize_t)sizeof(info.user_pinned_pages));
		ASSERT_EQ(read(c->done[0], &x, 1), 1);
		for (i = 0; i < UG_PAGES; i++)
			ASSERT_EQ(pm_unpin(fd, handles[i]), 0);
		ASSERT_EQ(pm_get_info(fd, &info), 0);
		ASSERT_EQ(info.user_pinned_pages, 0);
		close(fd);
		_exit(0);
	}
	/* A child that fails before it pinned closes the pipe: no hang. */
	close(c->ready[1]);
	close(c->done[0]);
	ASSERT_EQ(read(c->ready[0], &pinned, sizeof(pinned)),
		  (ssize_t)sizeof(pinned));
	/* Its user's locked_vm is pinmgr's charge alone. */
	ASSERT_EQ(pinned, UG_PAGES);
	return pid;
}

static void stop_uid_child(struct ug_child *c, pid_t pid)
{
	ASSERT_EQ(write(c->done[1], "x", 1), 1);
	ASSERT_EQ(pm_wait(pid), 0);
	close(c->ready[0]);
	close(c->done[1]);
}

/*
 * user-get answers a user's locked_vm, which pinmgr charges (as io_uring
 * and others do): exactly the child's pins, what its own GET_INFO says.
 * A uid that no process has is ENOENT, once its last process is gone too;
 * a uid that is no uid is EINVAL, a request without one too.
 */
TEST(netlink_user_get_reports_locked_vm)
{
	struct pm_nl *nl = nl_open();
	struct pinmgr_info before, after;
	struct pm_nl_lease l;
	struct ug_child c;
	struct nl_msg *msg;
	int fd = pm_open(), tries;
	pid_t pid;

	if (geteuid() != 0)
		SKIP("needs root to become uid %d", UG_UID);
	ASSERT_GE(fd, 0);
	expect_nl_error(nl, pm_nl_user_get(nl, UG_UID, NULL), ENOENT,
			"no process has this real uid", PINMGR_A_UID, 0);

	pid = start_uid_child(&c);
	memset(&l, 0, sizeof(l));
	ASSERT_EQ(pm_nl_user_get(nl, UG_UID, &l), 0);
	ASSERT_EQ(l.cmd, PINMGR_NL_CMD_USER_GET);
	ASSERT_TRUE(PM_NL_HAS(&l, PINMGR_A_UID));
	ASSERT_TRUE(PM_NL_HAS(&l, PINMGR_A_LOCKED_VM_PAGES));
	ASSERT_EQ(l.uid, UG_UID);
	ASSERT_EQ(l.locked_vm_pages, UG_PAGES);
	stop_uid_child(&c, pid);
	/* Its last process gone, the user is found through nothing. */
	expect_nl_error(nl, pm_nl_user_get(nl, UG_UID, NULL), ENOENT,
			"no process has this real uid", PINMGR_A_UID, 0);
	expect_nl_error(nl, pm_nl_user_get(nl, UG_NONE, NULL), ENOENT,
			"no process has this real uid", PINMGR_A_UID, 0);

	/*
	 * Root's own, as GET_INFO says it: read between two equal GET_INFOs,
	 * should some other root process charge meanwhile.
	 */
	for (tries = 0; tries < 10; tries++) {
		ASSERT_EQ(pm_get_info(fd, &before), 0);
		memset(&l, 0, sizeof(l));
		ASSERT_EQ(pm_nl_user_get(nl, 0, &l), 0);
		ASSERT_EQ(pm_get_info(fd, &after), 0);
		if (before.user_pinned_pages == after.user_pinned_pages)
			break;
	}
	ASSERT_EQ(before.user_pinned_pages, after.user_pinned_pages);
	ASSERT_EQ(l.uid, 0);
	ASSERT_EQ(l.locked_vm_pages, before.user_pinned_pages);

	/* (uid_t)-1 is no uid in any namespace. */
	expect_nl_error(nl, pm_nl_user_get(nl, (__u32)-1, NULL), EINVAL,
			"not mapped", PINMGR_A_UID, 0);
	/* Without a uid, or one of the wrong size. */
	msg = pm_nl_msg(nl, PINMGR_NL_CMD_USER_GET, 0);
	ASSERT_NE(msg, NULL);
	expect_nl_error(nl, pm_nl_request(nl, msg, NULL), EINVAL, NULL, 0,
			PINMGR_A_UID);
	msg = pm_nl_msg(nl, PINMGR_NL_CMD_USER_GET, 0);
	ASSERT_NE(msg, NULL);
	ASSERT_EQ(nla_put_u64(msg, PINMGR_A_UID, UG_UID), 0);
	expect_nl_error(nl, pm_nl_request(nl, msg, NULL), EINVAL,
			"invalid attribute length", PINMGR_A_UID, 0);
	/* A do-only operation. */
	msg = pm_nl_msg(nl, PINMGR_NL_CMD_USER_GET, NLM_F_DUMP);
	ASSERT_NE(msg, NULL);
	expect_nl_error(nl, pm_nl_request(nl, msg, NULL), EOPNOTSUPP, NULL,
			0, 0);
	close(fd);
	pm_nl_close(nl);
}

/* ---- Revocation -------------------------------------------------------- */

TEST(netlink_revoke_breaks_then_ends_as_the_ioctl_does)
{
	__u64 before[PINMGR_A_STATS_MAX + 1], st[PINMGR_A_STATS_MAX + 1];
	size_t ps = pm_page_size();
	struct pm_nl *nl = nl_open();
	struct pinmgr_event ev;
	struct pm_nl_lease l;
	char *buf = pm_map_anon(2 * ps);
	int fd = pm_open();
	__u64 h, deadline, now;

	ASSERT_NE(buf, NULL);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(pm_nl_stats(nl, before), 0);
	h = PIN_OK(fd, buf, 2 * ps, PINMGR_PIN_WRITE);

	/* A break: the owner is told, the pages stay until the deadline. */
	now = pm_realtime_ns();
	ASSERT_EQ(pm_nl_revoke(nl, h, 0, &deadline), 0);
	ASSERT_GT(deadline, now + (before[PINMGR_A_STATS_BREAK_TIME_MS] - 1000) *
		  PM_MS);
	pm_expect_event(fd, PINMGR_EVENT_BREAKING, h, NL_TIMEOUT_MS, &ev);
	ASSERT_EQ(ev.deadline_ns, deadline);
	ASSERT_EQ(pm_nl_lease_get(nl, h, &l), 0);
	ASSERT_EQ(l.state, PINMGR_LEASE_BREAKING);
	ASSERT_EQ(l.break_deadline, deadline);
	ASSERT_GE(l.runs, 1);
	ASSERT_GT(pm_outstanding_pins(), 0);

	/* A second break is refused; an immediate revocation ends it. */
	expect_nl_error(nl, pm_nl_revoke(nl, h, 0, NULL), EBUSY,
			"a break is under way", PINMGR_A_HANDLE, 0);
	ASSERT_EQ(pm_nl_revoke(nl, h, 1, NULL), 0);
	pm_expect_event(fd, PINMGR_EVENT_REVOKED, h, NL_TIMEOUT_MS, &ev);
	ASSERT_EQ(pm_nl_lease_get(nl, h, &l), 0);
	ASSERT_EQ(l.state, PINMGR_LEASE_REVOKED);
	ASSERT_EQ(l.runs, 0);
	ASSERT_NE(l.end_time, 0);
	ASSERT_EQ(pm_nl_stats(nl, st), 0);
	ASSERT_EQ(st[PINMGR_A_STATS_LEASES], 0);
	ASSERT_EQ(st[PINMGR_A_STATS_ENDED_LEASES], 1);
	ASSERT_EQ(st[PINMGR_A_STATS_PINNED_PAGES], 0);
	ASSERT_EQ(st[PINMGR_A_STATS_REVOCATIONS] -
		  before[PINMGR_A_STATS_REVOCATIONS], 1);
	expect_nl_error(nl, pm_nl_revoke(nl, h, 1, NULL), EKEYREVOKED,
			"ended already", PINMGR_A_HANDLE, 0);

	/* The owner acknowledges; then the handle names nothing. */
	ASSERT_ERRNO(pm_unpin(fd, h), EKEYREVOKED);
	ASSERT_EQ(pm_nl_stats(nl, st), 0);
	ASSERT_EQ(st[PINMGR_A_STATS_ENDED_LEASES], 0);
	ASSERT_EQ(st[PINMGR_A_STATS_UNPINS], before[PINMGR_A_STATS_UNPINS]);
	expect_nl_error(nl, pm_nl_revoke(nl, h, 1, NULL), ENOENT,
			"no such live lease", PINMGR_A_HANDLE, 0);
	close(fd);
	pm_nl_close(nl);
}

/* ---- The monitor group ------------------------------------------------- */

/* The next event must be @cmd of @handle; returns it. */
static struct pm_nl_lease next_event(struct pm_nl *mon, __u8 cmd, __u64 handle)
{
	struct pm_nl_lease ev;
	int r = pm_nl_event(mon, NL_TIMEOUT_MS, &ev);

	if (r != 1)
		FAIL("expected event %u of handle %llu, got %s", cmd,
		     (unsigned long long)handle,
		     r ? strerror(-r) : "nothing in time");
	if (ev.cmd != cmd || ev.handle != handle)
		FAIL("expected event %u of handle %llu, got event %u of handle %llu",
		     cmd, (unsigned long long)handle, ev.cmd,
		     (unsigned long long)ev.handle);
	ASSERT_EQ(ev.tgid, getpid());
	ASSERT_EQ(ev.uid, getuid());
	return ev;
}

TEST(netlink_monitor_events_in_order)
{
	size_t ps = pm_page_size();
	struct pm_nl *mon = nl_open(), *nl = nl_open();
	struct pm_nl_lease ev;
	char *buf = pm_map_anon(4 * ps);
	int fd = pm_open(), fd2 = pm_open();
	struct pinmgr_pin pin;
	__u64 a, b, c, d, deadline;

	ASSERT_NE(buf, NULL);
	ASSERT_GE(fd, 0);
	ASSERT_GE(fd2, 0);
	pm_nl_monitor_or_skip(mon);

	/* Pinned, then unpinned by its owner. */
	a = PIN_OK(fd, buf, 2 * ps, PINMGR_PIN_WRITE);
	ev = next_event(mon, PINMGR_NL_CMD_LEASE_PINNED_NTF, a);
	ASSERT_EQ(ev.state, PINMGR_LEASE_ACTIVE);
	ASSERT_EQ(ev.pages, 2);
	ASSERT_EQ(ev.addr, (uintptr_t)buf);
	ASSERT_EQ(ev.flags, PINMGR_PIN_WRITE);
	ASSERT_EQ(pm_unpin(fd, a), 0);
	next_event(mon, PINMGR_NL_CMD_LEASE_UNPINNED_NTF, a);

	/* Pinned for 50 ms: expired. */
	ASSERT_EQ(pm_pin_for(fd, buf, ps, 0, 50 * PM_MS, &pin), 0);
	b = pin.out_handle;
	next_event(mon, PINMGR_NL_CMD_LEASE_PINNED_NTF, b);
	ev = next_event(mon, PINMGR_NL_CMD_LEASE_EXPIRED_NTF, b);
	ASSERT_EQ(ev.state, PINMGR_LEASE_EXPIRED);
	ASSERT_EQ(ev.runs, 0);
	ASSERT_NE(ev.end_time, 0);
	/* Acknowledging an ended lease is no event. */
	ASSERT_ERRNO(pm_unpin(fd, b), EKEYEXPIRED);

	/* Revoked with a break, then unpinned by its owner in time. */
	c = PIN_OK(fd, buf + ps, ps, 0);
	next_event(mon, PINMGR_NL_CMD_LEASE_PINNED_NTF, c);
	ASSERT_EQ(pm_nl_revoke(nl, c, 0, &deadline), 0);
	ev = next_event(mon, PINMGR_NL_CMD_LEASE_BREAKING_NTF, c);
	ASSERT_EQ(ev.state, PINMGR_LEASE_BREAKING);
	ASSERT_EQ(ev.break_deadline, deadline);
	ASSERT_EQ(pm_unpin(fd, c), 0);
	next_event(mon, PINMGR_NL_CMD_LEASE_UNPINNED_NTF, c);

	/* Revoked at once. */
	d = PIN_OK(fd2, buf + 2 * ps, ps, 0);
	next_event(mon, PINMGR_NL_CMD_LEASE_PINNED_NTF, d);
	ASSERT_EQ(pm_nl_revoke(nl, d, 1, NULL), 0);
	ev = next_event(mon, PINMGR_NL_CMD_LEASE_REVOKED_NTF, d);
	ASSERT_EQ(ev.state, PINMGR_LEASE_REVOKED);
	ASSERT_ERRNO(pm_unpin(fd2, d), EKEYREVOKED);

	/* A closed file's live leases are unpinned. */
	a = PIN_OK(fd2, buf + 3 * ps, ps, 0);
	next_event(mon, PINMGR_NL_CMD_LEASE_PINNED_NTF, a);
	close(fd2);
	next_event(mon, PINMGR_NL_CMD_LEASE_UNPINNED_NTF, a);

	/* And nothing else came. */
	ASSERT_EQ(pm_nl_event(mon, 200, &ev), 0);
	close(fd);
	pm_nl_close(nl);
	pm_nl_close(mon);
}

/*
 * A burst of events four times the driver's queue of them (1,024): two
 * processes each pin 2,048 leases with PIN_VEC and unpin them one by one,
 * at once, while the listener reads. Every event arrives, each lease's
 * PINNED before its UNPINNED, and none is lost: a full queue is drained
 * by the thread that finds it full, not dropped.
 */
#define BURST_KIDS	2
#define BURST_LEASES	2048

struct burst_ev {
	__u32 tgid;
	__u64 handle;
	__u32 seq;
	__u8 cmd;
};

static int burst_cmp(const void *a, const void *b)
{
	const struct burst_ev *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->handle != y->handle)
		return x->handle < y->handle ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void burst_kid(void)
{
	size_t ps = pm_page_size(), i;
	__u64 *h = calloc(BURST_LEASES, sizeof(*h));
	char *buf = pm_map_anon(16 * ps);
	int fd = pm_open();

	ASSERT_NE(h, NULL);
	ASSERT_NE(buf, NULL);
	ASSERT_GE(fd, 0);
	pm_pin_many(fd, buf, 16, BURST_LEASES, 5150, h);
	for (i = 0; i < BURST_LEASES; i++)
		ASSERT_EQ(pm_unpin(fd, h[i]), 0);
	close(fd);
	_exit(0);
}

TEST_TIMEOUT(netlink_monitor_burst_loses_nothing, 600)
{
	const size_t want = BURST_KIDS * BURST_LEASES * 2;
	struct burst_ev *evs = calloc(want, sizeof(*evs));
	struct pm_nl *mon = nl_open();
	pid_t kids[BURST_KIDS];
	struct pm_nl_lease ev;
	size_t n = 0, i, k;
	int r, status;

	ASSERT_NE(evs, NULL);
	pm_nl_monitor_or_skip(mon);
	/* Room for the whole burst: an overrun of the socket is not ours. */
	ASSERT_EQ(pm_nl_rcvbuf(mon, 64 << 20), 0);
	for (k = 0; k < BURST_KIDS; k++) {
		kids[k] = fork();
		ASSERT_GE(kids[k], 0);
		if (!kids[k])
			burst_kid();
	}
	while (n < want) {
		r = pm_nl_event(mon, 10000, &ev);
		if (r != 1)
			FAIL("after %zu of %zu events: %s", n, want,
			     r ? strerror(-r) : "no more in 10 s");
		for (k = 0; k < BURST_KIDS; k++)
			if (ev.tgid == (__u32)kids[k])
				break;
		if (k == BURST_KIDS)
			continue;
		evs[n] = (struct burst_ev){ .tgid = ev.tgid,
					    .handle = ev.handle,
					    .seq = (__u32)n, .cmd = ev.cmd };
		n++;
	}
	for (k = 0; k < BURST_KIDS; k++) {
		ASSERT_EQ(waitpid(kids[k], &status, 0), kids[k]);
		ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	/* Each lease: its PINNED, then its UNPINNED, and nothing else. */
	qsort(evs, n, sizeof(*evs), burst_cmp);
	for (i = 0; i < n; i += 2) {
		ASSERT_EQ(evs[i].cmd, PINMGR_NL_CMD_LEASE_PINNED_NTF);
		ASSERT_EQ(evs[i + 1].cmd, PINMGR_NL_CMD_LEASE_UNPINNED_NTF);
		ASSERT_EQ(evs[i + 1].tgid, evs[i].tgid);
		ASSERT_EQ(evs[i + 1].handle, evs[i].handle);
	}
	/* And nothing after the burst. */
	ASSERT_EQ(pm_nl_event(mon, PM_NL_EV_SOON_MS, &ev), 0);
	free(evs);
	pm_nl_close(mon);
}

/* ---- Large dumps ------------------------------------------------------- */

TEST_TIMEOUT(netlink_dump_of_20000_leases_returns_each_once, 600)
{
	size_t ps = pm_page_size();
	struct pm_nl *nl = nl_open();
	struct pm_nl_lease *leases;
	const struct pm_nl_lease *l;
	__u64 *h = calloc(MANY, sizeof(*h));
	char *buf = pm_map_anon(16 * ps);
	int fd = pm_open();
	size_t nr, i;

	ASSERT_NE(h, NULL);
	ASSERT_NE(buf, NULL);
	ASSERT_GE(fd, 0);
	pm_pin_many(fd, buf, 16, MANY, 20000, h);
	nr = dump_count(nl, NULL, &leases);
	ASSERT_EQ(nr, MANY);
	expect_each_once(leases, nr, h, MANY, 20000);
	/* Each record is its own lease's. */
	for (i = 0; i < MANY; i += 997) {
		l = find_lease(leases, nr, h[i]);
		ASSERT_NE(l, NULL);
		ASSERT_EQ(l->addr, (uintptr_t)buf + i % 16 * ps);
		ASSERT_EQ(l->pages, 1);
		ASSERT_EQ(l->state, PINMGR_LEASE_ACTIVE);
	}
	free(leases);
	close(fd);
	ASSERT_EQ(dump_count(nl, NULL, NULL), 0);
	free(h);
	pm_nl_close(nl);
}

/*
 * Leases come and go (pins, unpins, expiries, closes) in other processes
 * while three dumps run: each lease that lives through a dump is in it
 * exactly once, and no lease is in a dump twice.
 */
TEST_TIMEOUT(netlink_dump_returns_each_once_while_leases_churn, 900)
{
	size_t ps = pm_page_size();
	struct pm_nl *nl = nl_open();
	struct pm_nl_lease *leases;
	struct pm_churn churn;
	__u64 *h = calloc(MANY, sizeof(*h));
	char *buf = pm_map_anon(16 * ps);
	int fd = pm_open(), round;
	size_t nr;

	ASSERT_NE(h, NULL);
	ASSERT_NE(buf, NULL);
	ASSERT_GE(fd, 0);
	pm_pin_many(fd, buf, 16, MANY, 20000, h);
	pm_churn_start(&churn, 17, 64, 16, 0, 99);
	for (round = 0; round < 3; round++) {
		nr = dump_count(nl, NULL, &leases);
		expect_each_once(leases, nr, h, MANY, 20000);
		expect_no_handle_twice(leases, nr);
		free(leases);
	}
	pm_churn_stop(&churn);
	close(fd);
	free(h);
	pm_nl_close(nl);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * libpinctl: a function per ioctl, against the real driver.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "libtest.h"

#define MIB	(1024ULL * 1024)

TEST(lib_dev_open_cloexec_and_fd)
{
	struct pinctl_ctx *ctx = lt_ctx();
	PINCTL_OPTS(pinctl_dev_opts, o, .flags = PINCTL_DEV_NONBLOCK);
	struct pinctl_dev *dev;
	int fd;

	dev = lt_dev(ctx);
	fd = pinctl_dev_get_fd(dev);
	ASSERT_GE(fd, 0);
	ASSERT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	ASSERT_FALSE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	ASSERT_EQ(pinctl_dev_ref(dev), dev);
	pinctl_dev_unref(dev);
	/* One reference left: the fd is still open. */
	ASSERT_GE(fcntl(fd, F_GETFD), 0);
	pinctl_dev_unref(dev);

	ASSERT_RET(pinctl_dev_open(ctx, &o, &dev), 0);
	ASSERT_TRUE(fcntl(pinctl_dev_get_fd(dev), F_GETFL) & O_NONBLOCK);
	/* The device keeps the context alive. */
	pinctl_unref(ctx);
	pinctl_dev_unref(dev);

	ctx = lt_ctx();
	o.flags = 1u << 30;
	ASSERT_RET(pinctl_dev_open(ctx, &o, &dev), -EOPNOTSUPP);
	pinctl_unref(ctx);
}

TEST(lib_dev_info)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	PINCTL_OPTS(pinctl_info, info);
	struct pinmgr_info k;
	unsigned long long v;
	void *buf = pm_map_anon(MIB);
	uint64_t h;

	ASSERT_RET(pinctl_pin(dev, buf, MIB, NULL, &h), 0);
	ASSERT_RET(pinctl_dev_info(dev, &info), 0);
	ASSERT_EQ(pm_get_info(pinctl_dev_get_fd(dev), &k), 0);
	ASSERT_EQ(info.abi_version, PINMGR_ABI_VERSION);
	ASSERT_EQ(info.page_size, pm_page_size());
	ASSERT_EQ(info.features, k.features);
	ASSERT_TRUE(info.features & PINCTL_FEATURE_EVENTS);
	ASSERT_TRUE(info.flags & PINCTL_INFO_OWNER_MM);
	ASSERT_EQ(info.dev_leases, 1);
	ASSERT_EQ(info.dev_pinned_pages, MIB / pm_page_size());
	ASSERT_EQ(info.device_leases, k.device_leases);
	ASSERT_EQ(info.memlock_limit_pages, k.memlock_limit_pages);
	ASSERT_EQ(pm_param_read("max_lease_pages", &v), 0);
	ASSERT_EQ(info.max_lease_pages, v);
	ASSERT_EQ(pm_param_read("max_leases", &v), 0);
	ASSERT_EQ(info.max_leases, v);
	ASSERT_EQ(pm_param_read("break_time_ms", &v), 0);
	ASSERT_EQ(info.break_time_ns, v * PM_MS);
	ASSERT_RET(pinctl_unpin(dev, h), 0);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

TEST(lib_pin_query_unpin)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	PINCTL_OPTS(pinctl_pin_opts, po, .flags = PINCTL_PIN_WRITE | PINCTL_PIN_LONGTERM,
		    .cookie = 0xc0ffee);
	PINCTL_OPTS(pinctl_lease, l);
	char *buf = pm_map_anon(4 * MIB);
	uint64_t h = 0, t0 = pm_realtime_ns();

	ASSERT_RET(pinctl_pin(dev, buf, 4 * MIB, &po, &h), 0);
	ASSERT_NE(h, 0);
	ASSERT_RET(pinctl_query(dev, h, &l), 0);
	ASSERT_EQ(l.handle, h);
	ASSERT_EQ(l.addr, (uintptr_t)buf);
	ASSERT_EQ(l.length, 4 * MIB);
	ASSERT_EQ(l.nr_pages, 4 * MIB / pm_page_size());
	ASSERT_GE(l.nr_runs, 1);
	ASSERT_GT(l.metadata_bytes, 0);
	ASSERT_EQ(l.cookie, 0xc0ffee);
	ASSERT_EQ(l.flags, PINCTL_PIN_WRITE | PINCTL_PIN_LONGTERM);
	ASSERT_EQ(l.state, PINCTL_LEASE_ACTIVE);
	ASSERT_EQ(l.tgid, getpid());
	ASSERT_EQ(l.uid, getuid());
	ASSERT_GE(l.create_time_ns, t0 - 1000 * PM_MS);
	ASSERT_EQ(l.expire_time_ns, 0);
	ASSERT_EQ(l.file_id, pm_fdinfo_value(pinctl_dev_get_fd(dev), "pinmgr-file-id"));
	ASSERT_GT(strlen(l.comm), 0);
	ASSERT_RET(pinctl_unpin(dev, h), 0);
	ASSERT_RET(pinctl_unpin(dev, h), -ENOENT);
	ASSERT_RET(pinctl_query(dev, h, &l), -ENOENT);

	/* Bad input comes back as the driver's errno. */
	ASSERT_RET(pinctl_pin(dev, buf + 1, MIB, NULL, &h), -EINVAL);
	ASSERT_RET(pinctl_pin(dev, buf, 0, NULL, &h), -EINVAL);
	po.flags = 1u << 20;
	ASSERT_RET(pinctl_pin(dev, buf, MIB, &po, &h), -EOPNOTSUPP);
	ASSERT_RET(pinctl_pin(dev, buf, MIB, NULL, NULL), -EINVAL);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

/* pinctl_lease_export(): a dma-buf of the lease, counted by QUERY. */
TEST(lib_lease_export)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	PINCTL_OPTS(pinctl_pin_opts, po, .flags = PINCTL_PIN_WRITE | PINCTL_PIN_LONGTERM);
	PINCTL_OPTS(pinctl_lease, l);
	char *buf = pm_map_anon(MIB), *map;
	uint64_t h = 0;
	int dbuf;

	ASSERT_RET(pinctl_pin(dev, buf, MIB, &po, &h), 0);
	memset(buf, 0x5a, MIB);
	dbuf = pinctl_lease_export(dev, h);
	if (dbuf == -ENOTTY || dbuf == -EOPNOTSUPP)
		SKIP("no EXPORT: an older module, or a kernel without dma-bufs");
	ASSERT_GE(dbuf, 0);
	ASSERT_EQ(fcntl(dbuf, F_GETFD), FD_CLOEXEC);
	ASSERT_RET(pinctl_query(dev, h, &l), 0);
	ASSERT_EQ(l.exports, 1);
	ASSERT_EQ(l.export_holds, 0);
	map = mmap(NULL, MIB, PROT_READ, MAP_SHARED, dbuf, 0);
	ASSERT_NE(map, MAP_FAILED);
	ASSERT_ALL_BYTES(map, MIB, 0x5a);
	munmap(map, MIB);
	close(dbuf);
	ASSERT_RET(pinctl_query(dev, h, &l), 0);
	ASSERT_EQ(l.exports, 0);
	ASSERT_RET(pinctl_lease_export(dev, h + (1ULL << 40)), -ENOENT);
	ASSERT_RET(pinctl_lease_export(NULL, h), -EINVAL);
	ASSERT_RET(pinctl_unpin(dev, h), 0);
	ASSERT_RET(pinctl_lease_export(dev, h), -ENOENT);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

/*
 * A lease its owner unpinned while a dma-buf of it is open is HELD: an
 * administrator revokes it at once (-ESRCH for a break: no owner to warn).
 */
TEST(lib_revoke_of_a_held_lease)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	PINCTL_OPTS(pinctl_pin_opts, po, .flags = PINCTL_PIN_WRITE | PINCTL_PIN_LONGTERM);
	PINCTL_OPTS(pinctl_revoke_opts, now, .flags = PINCTL_REVOKE_NOW);
	PINCTL_OPTS(pinctl_lease, l);
	char *buf = pm_map_anon(MIB);
	uint64_t h = 0;
	int dbuf;

	ASSERT_RET(pinctl_pin(dev, buf, MIB, &po, &h), 0);
	dbuf = pinctl_lease_export(dev, h);
	if (dbuf == -ENOTTY || dbuf == -EOPNOTSUPP)
		SKIP("no EXPORT: an older module, or a kernel without dma-bufs");
	ASSERT_GE(dbuf, 0);
	ASSERT_RET(pinctl_unpin(dev, h), 0);
	ASSERT_RET(pinctl_query(dev, h, &l), 0);
	ASSERT_EQ(l.state, PINCTL_LEASE_HELD);
	ASSERT_RET(pinctl_revoke(dev, h, NULL, NULL), -ESRCH);
	ASSERT_RET(pinctl_query(dev, h, &l), 0);
	ASSERT_EQ(l.state, PINCTL_LEASE_HELD);
	ASSERT_RET(pinctl_revoke(dev, h, &now, NULL), 0);
	ASSERT_RET(pinctl_query(dev, h, &l), -ENOENT);
	ASSERT_RET(pinctl_revoke(dev, h, &now, NULL), -EKEYREVOKED);
	close(dbuf);
	ASSERT_RET(pinctl_revoke(dev, h, &now, NULL), -ENOENT);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

/*
 * pinctl_pin_lease() hands back what the driver's reply to the pin said,
 * equal to what a QUERY says after it, with no second request.
 */
TEST(lib_pin_lease)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	PINCTL_OPTS(pinctl_pin_opts, po, .flags = PINCTL_PIN_WRITE, .cookie = 9);
	PINCTL_OPTS(pinctl_pinned, pd);
	PINCTL_OPTS(pinctl_lease, l);
	char *buf = pm_map_anon(2 * MIB);
	struct pinctl_pinned small;

	ASSERT_RET(pinctl_pin_lease(dev, buf, 2 * MIB, &po, &pd), 0);
	ASSERT_NE(pd.handle, 0);
	ASSERT_RET(pinctl_query(dev, pd.handle, &l), 0);
	ASSERT_EQ(pd.nr_pages, l.nr_pages);
	ASSERT_EQ(pd.nr_pages, 2 * MIB / pm_page_size());
	ASSERT_EQ(pd.nr_runs, l.nr_runs);
	ASSERT_GE(pd.nr_runs, 1);
	ASSERT_EQ(pd.flags, l.flags);
	ASSERT_EQ(pd.flags & PINCTL_PIN_WRITE, PINCTL_PIN_WRITE);
	ASSERT_RET(pinctl_unpin(dev, pd.handle), 0);

	/* A bad size is refused before anything is pinned. */
	memset(&small, 0, sizeof(small));
	small.sz = 4;
	ASSERT_RET(pinctl_pin_lease(dev, buf, MIB, NULL, &small), -EINVAL);
	ASSERT_RET(pinctl_pin_lease(dev, buf, MIB, NULL, NULL), -EINVAL);
	ASSERT_EQ(pm_fdinfo_value(pinctl_dev_get_fd(dev), "pinmgr-leases"), 0);
	/* A failed pin is the driver's errno, and nothing is written. */
	ASSERT_RET(pinctl_pin_lease(dev, buf + 1, MIB, NULL, &pd), -EINVAL);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

/* A short-term read pin with the defaults (no options). */
TEST(lib_pin_defaults)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	PINCTL_OPTS(pinctl_lease, l);
	void *buf = pm_map_anon(MIB);
	uint64_t h;

	ASSERT_RET(pinctl_pin(dev, buf, MIB, NULL, &h), 0);
	ASSERT_RET(pinctl_query(dev, h, &l), 0);
	ASSERT_EQ(l.flags, 0);
	ASSERT_EQ(l.cookie, 0);
	ASSERT_EQ(l.expire_time_ns, 0);
	pinctl_dev_unref(dev);	/* closing ends the lease */
	pinctl_unref(ctx);
}

TEST(lib_list)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	size_t page = pm_page_size(), nr = 99, i;
	char *buf = pm_map_anon(100 * page);
	uint64_t h[100], *list = (uint64_t *)1;

	ASSERT_RET(pinctl_list(dev, &list, &nr), 0);
	ASSERT_EQ(nr, 0);
	ASSERT_EQ(list, NULL);
	for (i = 0; i < 100; i++)
		ASSERT_RET(pinctl_pin(dev, buf + i * page, page, NULL, &h[i]), 0);
	ASSERT_RET(pinctl_list(dev, &list, &nr), 0);
	ASSERT_EQ(nr, 100);
	for (i = 0; i < 100; i++)
		ASSERT_EQ(list[i], h[i]);	/* oldest first */
	free(list);
	ASSERT_RET(pinctl_list(dev, NULL, &nr), -EINVAL);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

TEST(lib_access)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	PINCTL_OPTS(pinctl_pin_opts, wr, .flags = PINCTL_PIN_WRITE);
	size_t page = pm_page_size();
	char *buf = pm_map_anon(4 * page), in[64], out[64];
	uint64_t hw, hr;

	ASSERT_RET(pinctl_pin(dev, buf, 2 * page, &wr, &hw), 0);
	ASSERT_RET(pinctl_pin(dev, buf + 2 * page, 2 * page, NULL, &hr), 0);
	memset(in, 'x', sizeof(in));
	ASSERT_RET(pinctl_access_write(dev, hw, page - 8, in, sizeof(in)), 0);
	ASSERT_EQ(memcmp(buf + page - 8, in, sizeof(in)), 0);
	ASSERT_RET(pinctl_access_read(dev, hw, page - 8, out, sizeof(out)), 0);
	ASSERT_EQ(memcmp(out, in, sizeof(out)), 0);
	memset(buf + 2 * page, 'r', 16);
	ASSERT_RET(pinctl_access_read(dev, hr, 0, out, 16), 0);
	ASSERT_ALL_BYTES(out, 16, 'r');
	ASSERT_RET(pinctl_access_write(dev, hr, 0, in, 16), -EACCES);
	ASSERT_RET(pinctl_access_read(dev, hw, 2 * page - 8, out, 16), -EINVAL);
	ASSERT_RET(pinctl_access_read(dev, 12345678, 0, out, 16), -ENOENT);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

TEST(lib_get_segments)
{
	pid_t pid;
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	PINCTL_OPTS(pinctl_lease, l);
	size_t page = pm_page_size(), nr = 0, i;
	char *buf = pm_map_small_pages(64 * page);
	struct pinctl_segment *segs = NULL;
	uint64_t h, total = 0;

	ASSERT_NE(buf, NULL);
	ASSERT_RET(pinctl_pin(dev, buf, 64 * page, NULL, &h), 0);
	ASSERT_RET(pinctl_query(dev, h, &l), 0);
	ASSERT_RET(pinctl_get_segments(dev, h, &segs, &nr), 0);
	ASSERT_EQ(nr, l.nr_runs);
	for (i = 0; i < nr; i++) {
		ASSERT_EQ(segs[i].phys_addr % page, 0);
		total += segs[i].length;
	}
	ASSERT_EQ(total, 64 * page);
	free(segs);
	pid = fork();
	if (pid == 0) {
		/* Without CAP_SYS_ADMIN: EPERM. */
		ASSERT_EQ(pm_become_nobody(), 0);
		ASSERT_RET(pinctl_get_segments(dev, h, &segs, &nr), -EPERM);
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

TEST(lib_pin_vec)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	PINCTL_OPTS(pinctl_lease, l);
	size_t page = pm_page_size(), i, bad = 99;
	char *buf = pm_map_anon(16 * page);
	struct pinctl_range r[8];
	struct {
		struct pinctl_range r;
		uint64_t future;
	} big[2];
	PINCTL_OPTS(pinctl_pin_vec_opts, vo, .range_sz = sizeof(big[0]));

	memset(r, 0, sizeof(r));
	for (i = 0; i < 8; i++) {
		r[i].addr = buf + 2 * i * page;
		r[i].length = page;
		r[i].cookie = 100 + i;
		r[i].flags = i % 2 ? PINCTL_PIN_WRITE : 0;
	}
	ASSERT_RET(pinctl_pin_vec(dev, r, 8, NULL, &bad), 0);
	for (i = 0; i < 8; i++) {
		ASSERT_NE(r[i].handle, 0);
		ASSERT_RET(pinctl_query(dev, r[i].handle, &l), 0);
		ASSERT_EQ(l.cookie, 100 + i);
		ASSERT_EQ(l.addr, (uintptr_t)buf + 2 * i * page);
		ASSERT_EQ(l.flags, i % 2 ? PINCTL_PIN_WRITE : 0);
		ASSERT_RET(pinctl_unpin(dev, r[i].handle), 0);
	}

	/* All or nothing, naming the range that failed. */
	r[5].addr = buf + 1;
	ASSERT_RET(pinctl_pin_vec(dev, r, 8, NULL, &bad), -EINVAL);
	ASSERT_EQ(bad, 5);
	{
		uint64_t *list;
		size_t nr;

		ASSERT_RET(pinctl_list(dev, &list, &nr), 0);
		ASSERT_EQ(nr, 0);
	}
	ASSERT_RET(pinctl_pin_vec(dev, r, 0, NULL, &bad), -EINVAL);

	/* A caller with a longer range struct: its stride, a zero tail. */
	memset(big, 0, sizeof(big));
	big[0].r.addr = buf;
	big[0].r.length = page;
	big[1].r.addr = buf + 4 * page;
	big[1].r.length = 2 * page;
	ASSERT_RET(pinctl_pin_vec(dev, &big[0].r, 2, &vo, NULL), 0);
	ASSERT_RET(pinctl_query(dev, big[1].r.handle, &l), 0);
	ASSERT_EQ(l.length, 2 * page);
	big[1].future = 1;
	ASSERT_RET(pinctl_pin_vec(dev, &big[0].r, 2, &vo, NULL), -E2BIG);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

TEST(lib_renew_and_expiry)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	PINCTL_OPTS(pinctl_pin_opts, po, .duration_ns = 60000 * PM_MS);
	PINCTL_OPTS(pinctl_lease, l);
	void *buf = pm_map_anon(MIB);
	uint64_t h, t0 = pm_realtime_ns();
	int i;

	ASSERT_RET(pinctl_pin(dev, buf, MIB, &po, &h), 0);
	ASSERT_RET(pinctl_query(dev, h, &l), 0);
	ASSERT_GE(l.expire_time_ns, t0 + 59000 * PM_MS);
	ASSERT_RET(pinctl_renew(dev, h, 0), 0);
	ASSERT_RET(pinctl_query(dev, h, &l), 0);
	ASSERT_EQ(l.expire_time_ns, 0);
	ASSERT_RET(pinctl_renew(dev, h, 50 * PM_MS), 0);
	/*
	 * However slow the kernel, within ten seconds. While its pages are
	 * being released the lease already reads EXPIRED, with no end time
	 * until they are gone: wait for both.
	 */
	for (i = 0; i < 1000; i++) {
		ASSERT_RET(pinctl_query(dev, h, &l), 0);
		if (l.state != PINCTL_LEASE_ACTIVE && l.end_time_ns)
			break;
		pm_msleep(10);
	}
	ASSERT_EQ(l.state, PINCTL_LEASE_EXPIRED);
	ASSERT_NE(l.end_time_ns, 0);
	ASSERT_RET(pinctl_renew(dev, h, 0), -EKEYEXPIRED);
	ASSERT_RET(pinctl_unpin(dev, h), -EKEYEXPIRED);
	ASSERT_RET(pinctl_unpin(dev, h), -ENOENT);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

TEST(lib_revoke)
{
	pid_t pid;
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx), *admin = lt_dev(ctx);
	PINCTL_OPTS(pinctl_revoke_opts, now, .flags = PINCTL_REVOKE_NOW);
	PINCTL_OPTS(pinctl_lease, l);
	void *buf = pm_map_anon(2 * MIB);
	uint64_t h1, h2, deadline = 0, t0 = pm_realtime_ns();
	unsigned long long bt;

	ASSERT_EQ(pm_param_read("break_time_ms", &bt), 0);
	ASSERT_RET(pinctl_pin(dev, buf, MIB, NULL, &h1), 0);
	ASSERT_RET(pinctl_pin(dev, (char *)buf + MIB, MIB, NULL, &h2), 0);

	/* A break, from another open file. */
	ASSERT_RET(pinctl_revoke(admin, h1, NULL, &deadline), 0);
	ASSERT_GE(deadline, t0 + bt * PM_MS - 1000 * PM_MS);
	ASSERT_RET(pinctl_query(dev, h1, &l), 0);
	ASSERT_EQ(l.state, PINCTL_LEASE_BREAKING);
	/* Each report converts from CLOCK_BOOTTIME: equal to within 1 ms. */
	ASSERT_LT(l.break_deadline_ns - deadline + PM_MS, 2 * PM_MS);
	ASSERT_RET(pinctl_revoke(admin, h1, NULL, NULL), -EBUSY);
	ASSERT_RET(pinctl_renew(dev, h1, 0), -EBUSY);
	ASSERT_RET(pinctl_unpin(dev, h1), 0);	/* the owner gives in */

	/* At once. */
	ASSERT_RET(pinctl_revoke(admin, h2, &now, NULL), 0);
	ASSERT_RET(pinctl_query(dev, h2, &l), 0);
	ASSERT_EQ(l.state, PINCTL_LEASE_REVOKED);
	ASSERT_RET(pinctl_unpin(dev, h2), -EKEYREVOKED);
	ASSERT_RET(pinctl_revoke(admin, h2, NULL, NULL), -ENOENT);
	now.flags = 1u << 7;
	ASSERT_RET(pinctl_revoke(admin, h2, &now, NULL), -EOPNOTSUPP);

	pid = fork();
	if (pid == 0) {
		ASSERT_EQ(pm_become_nobody(), 0);
		ASSERT_RET(pinctl_revoke(admin, 1, NULL, NULL), -EPERM);
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	pinctl_dev_unref(admin);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

/* A forked child shares the device object but not the address space. */
TEST(lib_foreign_mm)
{
	pid_t pid;
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	PINCTL_OPTS(pinctl_info, info);
	PINCTL_OPTS(pinctl_lease, l);
	void *buf = pm_map_anon(MIB);
	uint64_t h;

	ASSERT_RET(pinctl_pin(dev, buf, MIB, NULL, &h), 0);
	pid = fork();
	if (pid == 0) {
		ASSERT_RET(pinctl_pin(dev, buf, MIB, NULL, &h), -EPERM);
		ASSERT_RET(pinctl_unpin(dev, h), -EPERM);
		ASSERT_RET(pinctl_query(dev, h, &l), 0);
		ASSERT_RET(pinctl_dev_info(dev, &info), 0);
		ASSERT_FALSE(info.flags & PINCTL_INFO_OWNER_MM);
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

/* ---- Watched leases ------------------------------------------------------ */

/*
 * A watched lease: its slot and generation from the pin, the status area
 * mapped once and read-only, and a munmap(2) that the slot, QUERY and the
 * netlink family all see by the time it returns; the pages stay pinned.
 */
TEST(lib_watch_pin_and_area)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	PINCTL_OPTS(pinctl_pin_opts, po, .flags = PINCTL_PIN_WATCH | PINCTL_PIN_WRITE);
	PINCTL_OPTS(pinctl_pinned, pd);
	PINCTL_OPTS(pinctl_lease, l);
	PINCTL_OPTS(pinctl_info, info);
	const volatile uint64_t *area = NULL, *again = NULL;
	size_t page = pm_page_size();
	char *buf, line[512], want[64];
	uint64_t pinned;
	FILE *maps;
	bool found = false;

	lt_need_watch(dev);
	buf = pm_map_anon(8 * page);
	ASSERT_RET(pinctl_pin_lease(dev, buf, 8 * page, &po, &pd), 0);
	ASSERT_NE(pd.watch_slot, 0);
	ASSERT_LT(pd.watch_slot, PINCTL_WATCH_SLOTS_MAX);
	ASSERT_TRUE(pd.flags & PINCTL_PIN_WATCH);
	ASSERT_RET(pinctl_watch_area(dev, &area), 0);
	ASSERT_NE(area, NULL);
	ASSERT_RET(pinctl_watch_area(dev, &again), 0);
	ASSERT_EQ(again, area);
	ASSERT_RET(pinctl_watch_area(dev, NULL), -EINVAL);
	ASSERT_EQ(pinctl_watch_changed(area, pd.watch_slot, pd.watch_gen), 0);

	/* Mapped shared and read-only, once. */
	snprintf(want, sizeof(want), "%lx-", (unsigned long)(uintptr_t)area);
	maps = fopen("/proc/self/maps", "re");
	ASSERT_NE(maps, NULL);
	while (fgets(line, sizeof(line), maps))
		if (!strncmp(line, want, strlen(want))) {
			ASSERT_CONTAINS(line, " r--s ");
			found = true;
		}
	fclose(maps);
	ASSERT_TRUE(found);

	ASSERT_RET(pinctl_query(dev, pd.handle, &l), 0);
	ASSERT_EQ(l.state, PINCTL_LEASE_ACTIVE);
	ASSERT_EQ(l.watch_slot, pd.watch_slot);
	ASSERT_EQ(l.flags, pd.flags);
	ASSERT_EQ(l.stale_reason, 0);
	ASSERT_EQ(l.stale_length, 0);
	ASSERT_RET(pinctl_dev_info(dev, &info), 0);
	pinned = info.dev_pinned_pages;
	ASSERT_EQ(pinned, 8);

	/* Part of the range goes: known before munmap() returns. */
	ASSERT_EQ(munmap(buf + 2 * page, 3 * page), 0);
	ASSERT_EQ(pinctl_watch_changed(area, pd.watch_slot, pd.watch_gen), 1);
	ASSERT_RET(pinctl_query(dev, pd.handle, &l), 0);
	ASSERT_EQ(l.state, PINCTL_LEASE_STALE);
	ASSERT_EQ(l.stale_reason, PINCTL_STALE_UNMAP);
	ASSERT_EQ(l.stale_addr, (uintptr_t)buf + 2 * page);
	ASSERT_EQ(l.stale_length, 3 * page);
	ASSERT_EQ(l.watch_slot, pd.watch_slot);
	ASSERT_EQ(strcmp(pinctl_lease_state_name(l.state), "stale"), 0);
	ASSERT_EQ(strcmp(pinctl_stale_reason_name(l.stale_reason), "unmap"), 0);
	/* A stale lease keeps its pages, and is unpinned as any other. */
	ASSERT_RET(pinctl_dev_info(dev, &info), 0);
	ASSERT_EQ(info.dev_pinned_pages, pinned);
	ASSERT_RET(pinctl_access_read(dev, pd.handle, 2 * page, line, 8), 0);
	if (lt_have_netlink()) {
		PINCTL_OPTS(pinctl_lease, n);

		ASSERT_RET(pinctl_nl_lease_get(ctx, pd.handle, &n), 0);
		ASSERT_EQ(n.state, PINCTL_LEASE_STALE);
		ASSERT_EQ(n.stale_reason, l.stale_reason);
		ASSERT_EQ(n.stale_addr, l.stale_addr);
		ASSERT_EQ(n.stale_length, l.stale_length);
		ASSERT_EQ(n.watch_slot, l.watch_slot);
	}
	ASSERT_RET(pinctl_unpin(dev, pd.handle), 0);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

/* Release-on-stale: the driver releases the pages; UNPIN acknowledges. */
TEST(lib_watch_release_on_stale)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	PINCTL_OPTS(pinctl_pin_opts, po, .flags = PINCTL_PIN_WATCH |
		    PINCTL_PIN_RELEASE_ON_STALE);
	PINCTL_OPTS(pinctl_pinned, pd);
	PINCTL_OPTS(pinctl_lease, l);
	PINCTL_OPTS(pinctl_info, info);
	const volatile uint64_t *area;
	size_t page = pm_page_size();
	char *buf, b[8];
	int ret;

	lt_need_watch(dev);
	buf = pm_map_anon(4 * page);
	ASSERT_RET(pinctl_pin_lease(dev, buf, 4 * page, &po, &pd), 0);
	ASSERT_RET(pinctl_watch_area(dev, &area), 0);
	ASSERT_EQ(madvise(buf + page, page, MADV_DONTNEED), 0);
	ASSERT_EQ(pinctl_watch_changed(area, pd.watch_slot, pd.watch_gen), 1);
	/* The pages go after the call; the STALE event says they are gone. */
	ASSERT_EQ(poll(&(struct pollfd){ .fd = pinctl_dev_get_fd(dev),
					 .events = POLLIN }, 1, 10000), 1);
	ASSERT_RET(pinctl_query(dev, pd.handle, &l), 0);
	ASSERT_EQ(l.state, PINCTL_LEASE_INVALIDATED);
	ASSERT_EQ(l.stale_reason, PINCTL_STALE_DISCARD);
	ASSERT_EQ(strcmp(pinctl_lease_state_name(l.state), "invalidated"), 0);
	ASSERT_RET(pinctl_dev_info(dev, &info), 0);
	ASSERT_EQ(info.dev_pinned_pages, 0);
	ret = pinctl_access_read(dev, pd.handle, 0, b, 1);
	ASSERT_RET(ret, -ESTALE);
	ASSERT_CONTAINS(lt_strerror(dev, ret, PINCTL_OP_ACCESS, 0, 0, 1, pd.handle),
			"was released when its range stopped mapping its pages");
	ASSERT_RET(pinctl_renew(dev, pd.handle, 0), -ESTALE);
	ASSERT_RET(pinctl_unpin(dev, pd.handle), -ESTALE);
	ASSERT_RET(pinctl_unpin(dev, pd.handle), -ENOENT);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

/* Watch-only: nothing pinned, no physical pages; the flags' rules. */
TEST(lib_watch_only_and_flag_rules)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	PINCTL_OPTS(pinctl_pin_opts, po, .flags = PINCTL_PIN_WATCH_ONLY);
	PINCTL_OPTS(pinctl_pinned, pd);
	PINCTL_OPTS(pinctl_info, info);
	const volatile uint64_t *area;
	struct pinctl_segment *segs;
	size_t page = pm_page_size(), nr;
	char *buf;
	uint64_t h;
	int ret;

	lt_need_watch(dev);
	buf = pm_map_anon(4 * page);
	ASSERT_RET(pinctl_pin_lease(dev, buf, 4 * page, &po, &pd), 0);
	ASSERT_NE(pd.watch_slot, 0);
	ASSERT_RET(pinctl_dev_info(dev, &info), 0);
	ASSERT_EQ(info.dev_pinned_pages, 0);
	ret = pinctl_get_segments(dev, pd.handle, &segs, &nr);
	ASSERT_RET(ret, -EINVAL);
	ASSERT_CONTAINS(lt_strerror(dev, ret, PINCTL_OP_GET_SEGMENTS, 0, 0, 0,
				    pd.handle), "watch-only");
	ASSERT_RET(pinctl_watch_area(dev, &area), 0);
	ASSERT_EQ(munmap(buf, page), 0);
	ASSERT_EQ(pinctl_watch_changed(area, pd.watch_slot, pd.watch_gen), 1);
	ASSERT_RET(pinctl_unpin(dev, pd.handle), 0);

	/* Flags that do not combine, in words that name the rule. */
	po.flags = PINCTL_PIN_RELEASE_ON_STALE;
	ret = pinctl_pin(dev, buf + page, page, &po, &h);
	ASSERT_RET(ret, -EINVAL);
	ASSERT_CONTAINS(lt_strerror(dev, ret, PINCTL_OP_PIN, po.flags,
				    (uintptr_t)buf + page, page, 0),
			"release-on-stale needs watch");
	po.flags = PINCTL_PIN_WATCH_ONLY | PINCTL_PIN_LONGTERM;
	ASSERT_RET(pinctl_pin(dev, buf + page, page, &po, &h), -EINVAL);
	po.flags = PINCTL_PIN_WATCH_ONLY | PINCTL_PIN_RELEASE_ON_STALE;
	ASSERT_RET(pinctl_pin(dev, buf + page, page, &po, &h), -EINVAL);
	ASSERT_EQ(pm_fdinfo_value(pinctl_dev_get_fd(dev), "pinmgr-leases"), 0);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

/* PIN_VEC: the watch fields for a caller whose ranges have them. */
TEST(lib_watch_pin_vec)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	PINCTL_OPTS(pinctl_pin_vec_opts, vo, .range_sz = sizeof(struct pinctl_range));
	const volatile uint64_t *area;
	struct pinctl_range r[3];
	size_t page = pm_page_size(), i;
	char *buf;

	lt_need_watch(dev);
	buf = pm_map_anon(6 * page);
	memset(r, 0, sizeof(r));
	for (i = 0; i < 3; i++) {
		r[i].addr = buf + 2 * i * page;
		r[i].length = page;
		r[i].flags = i ? PINCTL_PIN_WATCH : 0;
	}
	ASSERT_RET(pinctl_pin_vec(dev, r, 3, &vo, NULL), 0);
	ASSERT_RET(pinctl_watch_area(dev, &area), 0);
	ASSERT_EQ(r[0].watch_slot, 0);
	ASSERT_EQ(r[0].watch_gen, 0);
	for (i = 1; i < 3; i++) {
		ASSERT_NE(r[i].watch_slot, 0);
		ASSERT_EQ(pinctl_watch_changed(area, r[i].watch_slot, r[i].watch_gen), 0);
	}
	ASSERT_NE(r[1].watch_slot, r[2].watch_slot);
	for (i = 0; i < 3; i++)
		ASSERT_RET(pinctl_unpin(dev, r[i].handle), 0);
	/* An unpinned lease's slot has moved on too. */
	ASSERT_EQ(pinctl_watch_changed(area, r[1].watch_slot, r[1].watch_gen), 1);

	/* __reserved2 is checked where the stride covers it. */
	r[1].__reserved2 = 1;
	ASSERT_RET(pinctl_pin_vec(dev, r, 3, &vo, NULL), -EINVAL);
	/*
	 * A caller that knows the first version: its ranges end at the
	 * handle, and the library writes nothing past them.
	 */
	{
		size_t v1 = offsetofend(struct pinctl_range, handle);
		unsigned char raw[2 * 48 + 16] __attribute__((aligned(8)));
		struct pinctl_range *x0 = (void *)raw, *x1 = (void *)(raw + v1);
		PINCTL_OPTS(pinctl_pin_vec_opts, o1, .range_sz = v1);

		ASSERT_EQ(v1, 48);
		memset(raw, 0xee, sizeof(raw));
		memset(raw, 0, 2 * v1);
		x0->addr = buf;
		x0->length = page;
		x0->flags = PINCTL_PIN_WATCH;
		x1->addr = buf + 2 * page;
		x1->length = page;
		ASSERT_RET(pinctl_pin_vec(dev, x0, 2, &o1, NULL), 0);
		ASSERT_NE(x0->handle, 0);
		ASSERT_NE(x1->handle, 0);
		ASSERT_ALL_BYTES(raw + 2 * v1, 16, 0xee);
	}
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The limits PIN enforces, one errno each: max_lease_pages (EFBIG),
 * max_leases (EMFILE), max_device_pages (ENOSPC) and RLIMIT_MEMLOCK without
 * CAP_IPC_LOCK (EDQUOT). The runner restores the module parameters after
 * every test, whatever its outcome.
 */
#define _GNU_SOURCE
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include <linux/capability.h>

#include "harness.h"

#define MEMLOCK_BYTES	(64 << 10)

/* Nothing of a refused pin shows in the counters. */
#define ASSERT_USAGE(fd, leases, pages)					\
	do {								\
		struct pinmgr_info _i;					\
		ASSERT_EQ(pm_get_info((fd), &_i), 0);			\
		ASSERT_EQ(_i.ctx_leases, (leases));			\
		ASSERT_EQ(_i.ctx_pinned_pages, (pages));		\
	} while (0)

static void set_param(const char *name, unsigned long long val)
{
	unsigned long long now;

	if (pm_param_write(name, val))
		FAIL("cannot set module parameter %s=%llu: %s", name, val,
		     strerror(errno));
	ASSERT_EQ(pm_param_read(name, &now), 0);
	ASSERT_EQ(now, val);
}

static void set_memlock(rlim_t bytes)
{
	struct rlimit rl = { bytes, bytes };

	ASSERT_EQ(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
}

TEST(limit_lease_pages_efbig)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(17 * ps);
	struct pinmgr_info info;
	struct pinmgr_pin pin;
	long long base;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	set_param("max_lease_pages", 16);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.max_lease_pages, 16);

	base = pm_outstanding_pins();
	ASSERT_ERRNO(pm_pin(fd, p, 17 * ps, 0, 0, NULL), EFBIG);
	ASSERT_ERRNO(pm_pin(fd, p, 17 * ps,
			    PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM, 0, NULL),
		     EFBIG);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	ASSERT_USAGE(fd, 0, 0);

	ASSERT_EQ(pm_pin(fd, p, 16 * ps, 0, 0, &pin), 0);
	ASSERT_EQ(pin.out_nr_pages, 16);
	ASSERT_EQ(pm_outstanding_pins() - base, 16);
	/* The limit is per lease: a second lease of 16 is fine too. */
	PIN_OK(fd, p + ps, 16 * ps, 0);
	ASSERT_USAGE(fd, 2, 32);
	close(fd);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	pm_unmap(p, 17 * ps);
}

TEST(limit_max_leases_emfile)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(ps);
	struct pinmgr_info info;
	__u64 h[3];
	long long base;
	unsigned int i;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	set_param("max_leases", 3);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.max_leases, 3);

	base = pm_outstanding_pins();
	for (i = 0; i < 3; i++)
		h[i] = PIN_OK(fd, p, ps, 0);
	ASSERT_ERRNO(pm_pin(fd, p, ps, 0, 0, NULL), EMFILE);
	ASSERT_ERRNO(pm_pin(fd, p, ps, 0, 0, NULL), EMFILE);
	ASSERT_EQ(pm_outstanding_pins() - base, 3);
	ASSERT_EQ(pm_vmpin_kb(), (long long)(3 * ps / 1024));
	ASSERT_USAGE(fd, 3, 3);

	/* Ending one makes room for exactly one. */
	ASSERT_EQ(pm_unpin(fd, h[1]), 0);
	h[1] = PIN_OK(fd, p, ps, 0);
	ASSERT_ERRNO(pm_pin(fd, p, ps, 0, 0, NULL), EMFILE);
	ASSERT_USAGE(fd, 3, 3);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(pm_unpin(fd, h[i]), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	close(fd);
	pm_unmap(p, ps);
}

TEST(limit_max_leases_is_per_context)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(ps);
	int fd1 = pm_open(), fd2 = pm_open();

	ASSERT_GE(fd1, 0);
	ASSERT_GE(fd2, 0);
	ASSERT_NE(p, NULL);
	set_param("max_leases", 2);
	PIN_OK(fd1, p, ps, 0);
	PIN_OK(fd1, p, ps, 0);
	ASSERT_ERRNO(pm_pin(fd1, p, ps, 0, 0, NULL), EMFILE);
	PIN_OK(fd2, p, ps, 0);
	PIN_OK(fd2, p, ps, 0);
	ASSERT_ERRNO(pm_pin(fd2, p, ps, 0, 0, NULL), EMFILE);
	ASSERT_USAGE(fd1, 2, 2);
	ASSERT_USAGE(fd2, 2, 2);
	close(fd1);
	close(fd2);
	pm_unmap(p, ps);
}

TEST(limit_device_pages_enospc)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(32 * ps);
	int fd1 = pm_open(), fd2 = pm_open();
	struct pinmgr_info info;
	long long base;
	__u64 h1;

	ASSERT_GE(fd1, 0);
	ASSERT_GE(fd2, 0);
	ASSERT_NE(p, NULL);
	set_param("max_device_pages", 32);
	base = pm_outstanding_pins();

	h1 = PIN_OK(fd1, p, 20 * ps, 0);
	ASSERT_ERRNO(pm_pin(fd2, p, 13 * ps, 0, 0, NULL), ENOSPC);
	PIN_OK(fd2, p + 20 * ps, 12 * ps, PINMGR_PIN_WRITE);
	/* Full: the 33rd page fails in either context. */
	ASSERT_ERRNO(pm_pin(fd2, p, ps, 0, 0, NULL), ENOSPC);
	ASSERT_ERRNO(pm_pin(fd1, p, ps, PINMGR_PIN_LONGTERM, 0, NULL), ENOSPC);
	ASSERT_EQ(pm_get_info(fd2, &info), 0);
	ASSERT_EQ(info.max_device_pages, 32);
	ASSERT_EQ(info.device_pinned_pages, 32);
	ASSERT_EQ(info.device_leases, 2);
	ASSERT_EQ(info.mm_pinned_pages, 32);
	ASSERT_EQ(pm_outstanding_pins() - base, 32);
	ASSERT_EQ(pm_vmpin_kb(), (long long)(32 * ps / 1024));
	ASSERT_USAGE(fd1, 1, 20);
	ASSERT_USAGE(fd2, 1, 12);

	/* Room again once fd1's lease ends. */
	ASSERT_EQ(pm_unpin(fd1, h1), 0);
	PIN_OK(fd2, p, 20 * ps, 0);
	ASSERT_ERRNO(pm_pin(fd1, p, ps, 0, 0, NULL), ENOSPC);
	close(fd1);
	close(fd2);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	pm_unmap(p, 32 * ps);
}

/* Lowering a limit below what is in use keeps the leases, refuses more. */
TEST(limit_lowered_below_usage)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(8 * ps);
	long long base;
	__u64 h[4];
	unsigned int i;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	base = pm_outstanding_pins();
	for (i = 0; i < 4; i++)
		h[i] = PIN_OK(fd, p + 2 * i * ps, 2 * ps, 0);
	set_param("max_device_pages", 4);
	set_param("max_leases", 2);
	set_param("max_lease_pages", 1);
	ASSERT_ERRNO(pm_pin(fd, p, 2 * ps, 0, 0, NULL), EFBIG);
	ASSERT_ERRNO(pm_pin(fd, p, ps, 0, 0, NULL), EMFILE);
	ASSERT_USAGE(fd, 4, 8);
	ASSERT_EQ(pm_outstanding_pins() - base, 8);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(pm_unpin(fd, h[i]), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	PIN_OK(fd, p, ps, 0);
	close(fd);
	pm_unmap(p, 8 * ps);
}

TEST(limit_info_reports_new_limits)
{
	struct pinmgr_info info;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	set_param("max_lease_pages", 12345);
	set_param("max_leases", 77);
	set_param("max_device_pages", 54321);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.max_lease_pages, 12345);
	ASSERT_EQ(info.max_leases, 77);
	ASSERT_EQ(info.max_device_pages, 54321);
	close(fd);
}

/* 0 means "no limit" for every parameter once the module is loaded. */
TEST(limit_zero_is_unlimited)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(64 * ps);
	long long base;
	unsigned int i;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	set_param("max_leases", 2);
	set_param("max_lease_pages", 8);
	set_param("max_device_pages", 16);
	base = pm_outstanding_pins();
	PIN_OK(fd, p, ps, 0);
	PIN_OK(fd, p, ps, 0);
	ASSERT_ERRNO(pm_pin(fd, p, ps, 0, 0, NULL), EMFILE);
	set_param("max_leases", 0);
	for (i = 0; i < 6; i++)
		PIN_OK(fd, p, ps, 0);
	ASSERT_ERRNO(pm_pin(fd, p, 9 * ps, 0, 0, NULL), EFBIG);
	set_param("max_lease_pages", 0);
	ASSERT_ERRNO(pm_pin(fd, p, 9 * ps, 0, 0, NULL), ENOSPC);
	set_param("max_device_pages", 0);
	PIN_OK(fd, p, 64 * ps, 0);
	ASSERT_USAGE(fd, 9, 72);
	ASSERT_EQ(pm_outstanding_pins() - base, 72);
	close(fd);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	pm_unmap(p, 64 * ps);
}

/* ---- RLIMIT_MEMLOCK --------------------------------------------------- */

TEST(memlock_without_cap_ipc_lock_edquot)
{
	size_t ps = pm_page_size(), n = MEMLOCK_BYTES / ps;
	char *p = pm_map_anon((n + 1) * ps);
	struct pinmgr_info info;
	long long base;
	__u64 h;
	int fd;

	ASSERT_NE(p, NULL);
	if (geteuid() != 0)
		SKIP("needs root");
	ASSERT_EQ(pm_drop_cap(CAP_IPC_LOCK), 0);
	set_memlock(MEMLOCK_BYTES);
	fd = pm_open();
	ASSERT_GE(fd, 0);

	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.memlock_limit_pages, n);
	ASSERT_EQ(info.out_flags & PINMGR_INFO_CAP_IPC_LOCK, 0);
	ASSERT_EQ(info.out_flags & PINMGR_INFO_OWNER_MM, PINMGR_INFO_OWNER_MM);

	base = pm_outstanding_pins();
	/* One page too many, all at once. */
	ASSERT_ERRNO(pm_pin(fd, p, (n + 1) * ps, 0, 0, NULL), EDQUOT);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	ASSERT_USAGE(fd, 0, 0);
	/* Exactly the limit. */
	h = PIN_OK(fd, p, n * ps, PINMGR_PIN_WRITE);
	ASSERT_EQ(pm_vmpin_kb(), MEMLOCK_BYTES / 1024);
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)n);
	/* Then one more page. */
	ASSERT_ERRNO(pm_pin(fd, p + n * ps, ps, 0, 0, NULL), EDQUOT);
	ASSERT_ERRNO(pm_pin(fd, p, ps, PINMGR_PIN_LONGTERM, 0, NULL), EDQUOT);
	ASSERT_EQ(pm_vmpin_kb(), MEMLOCK_BYTES / 1024);
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)n);
	ASSERT_USAGE(fd, 1, n);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.mm_pinned_pages, n);

	/* Unpinning gives the room back. */
	ASSERT_EQ(pm_unpin(fd, h), 0);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	PIN_OK(fd, p + n * ps, ps, 0);
	ASSERT_EQ(pm_vmpin_kb(), (long long)(ps / 1024));
	close(fd);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	pm_unmap(p, (n + 1) * ps);
}

/* The limit is on the mm: every context of the process counts. */
TEST(memlock_shared_by_contexts_of_one_mm)
{
	size_t ps = pm_page_size(), n = MEMLOCK_BYTES / ps;
	char *p = pm_map_anon(n * ps);
	struct pinmgr_info info;
	int fd1, fd2;

	ASSERT_NE(p, NULL);
	if (geteuid() != 0)
		SKIP("needs root");
	ASSERT_EQ(pm_drop_cap(CAP_IPC_LOCK), 0);
	set_memlock(MEMLOCK_BYTES);
	fd1 = pm_open();
	fd2 = pm_open();
	ASSERT_GE(fd1, 0);
	ASSERT_GE(fd2, 0);

	PIN_OK(fd1, p, (n - 6) * ps, 0);
	PIN_OK(fd2, p, 6 * ps, 0);
	ASSERT_ERRNO(pm_pin(fd2, p, ps, 0, 0, NULL), EDQUOT);
	ASSERT_ERRNO(pm_pin(fd1, p, ps, 0, 0, NULL), EDQUOT);
	ASSERT_EQ(pm_get_info(fd1, &info), 0);
	ASSERT_EQ(info.mm_pinned_pages, n);
	ASSERT_EQ(info.ctx_pinned_pages, n - 6);
	ASSERT_EQ(pm_vmpin_kb(), MEMLOCK_BYTES / 1024);

	/* Closing one context frees its share for the other. */
	close(fd2);
	ASSERT_EQ(pm_vmpin_kb(), (long long)((n - 6) * ps / 1024));
	PIN_OK(fd1, p, 6 * ps, 0);
	ASSERT_ERRNO(pm_pin(fd1, p, ps, 0, 0, NULL), EDQUOT);
	close(fd1);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	pm_unmap(p, n * ps);
}

/* Capability and limit are checked at each PIN, not at open. */
TEST(memlock_checked_at_pin_time)
{
	size_t ps = pm_page_size(), n = MEMLOCK_BYTES / ps;
	char *p = pm_map_anon(2 * n * ps);
	struct pinmgr_info info;
	int fd;

	ASSERT_NE(p, NULL);
	if (geteuid() != 0)
		SKIP("needs root");
	fd = pm_open();
	ASSERT_GE(fd, 0);
	set_memlock(MEMLOCK_BYTES);
	/* With CAP_IPC_LOCK, twice the limit. */
	PIN_OK(fd, p, 2 * n * ps, 0);
	ASSERT_EQ(pm_drop_cap(CAP_IPC_LOCK), 0);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.out_flags & PINMGR_INFO_CAP_IPC_LOCK, 0);
	/* Already over: nothing more without the capability. */
	ASSERT_ERRNO(pm_pin(fd, p, ps, 0, 0, NULL), EDQUOT);
	ASSERT_EQ(pm_vmpin_kb(), (long long)(2 * n * ps / 1024));
	close(fd);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	pm_unmap(p, 2 * n * ps);
}

TEST(memlock_unprivileged_user)
{
	size_t ps = pm_page_size(), n = MEMLOCK_BYTES / ps;
	char *p = pm_map_anon((n + 1) * ps);
	struct pinmgr_info info;
	__u64 h;
	int fd;

	ASSERT_NE(p, NULL);
	if (geteuid() != 0)
		SKIP("needs root to become uid %d", PM_NOBODY);
	set_memlock(MEMLOCK_BYTES);
	ASSERT_EQ(pm_become_nobody(), 0);
	ASSERT_FALSE(pm_have_cap(CAP_IPC_LOCK));
	fd = pm_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.out_flags & PINMGR_INFO_CAP_IPC_LOCK, 0);
	ASSERT_EQ(info.out_flags & PINMGR_INFO_OWNER_MM, PINMGR_INFO_OWNER_MM);
	ASSERT_EQ(info.memlock_limit_pages, n);

	ASSERT_ERRNO(pm_pin(fd, p, (n + 1) * ps, 0, 0, NULL), EDQUOT);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	h = PIN_OK(fd, p, n * ps, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM);
	ASSERT_EQ(pm_vmpin_kb(), MEMLOCK_BYTES / 1024);
	ASSERT_ERRNO(pm_pin(fd, p + n * ps, ps, 0, 0, NULL), EDQUOT);
	ASSERT_EQ(pm_vmpin_kb(), MEMLOCK_BYTES / 1024);
	ASSERT_USAGE(fd, 1, n);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	close(fd);
	pm_unmap(p, (n + 1) * ps);
}

TEST(memlock_cap_ipc_lock_ignores_rlimit)
{
	size_t ps = pm_page_size(), n = MEMLOCK_BYTES / ps;
	char *p = pm_map_anon(n * ps);
	struct pinmgr_info info;
	long long base;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	if (!pm_have_cap(CAP_IPC_LOCK))
		SKIP("needs CAP_IPC_LOCK");
	set_memlock(0);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.memlock_limit_pages, 0);
	ASSERT_EQ(info.out_flags & PINMGR_INFO_CAP_IPC_LOCK,
		  PINMGR_INFO_CAP_IPC_LOCK);
	base = pm_outstanding_pins();
	PIN_OK(fd, p, n * ps, 0);
	PIN_OK(fd, p, ps, PINMGR_PIN_WRITE);
	ASSERT_EQ(pm_vmpin_kb(), (long long)((n + 1) * ps / 1024));
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)(n + 1));
	close(fd);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	pm_unmap(p, n * ps);
}

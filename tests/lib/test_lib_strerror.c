// SPDX-License-Identifier: GPL-2.0-only
/*
 * libpinctl: pinctl_strerror() names the limit or the rule and the numbers,
 * for every errno of the uapi DOC: block; the limits are hit for real.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include <linux/capability.h>

#include "libtest.h"

#define MIB	(1024ULL * 1024)

static void *map_untouched(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(p, MAP_FAILED);
	return p;
}

TEST(lib_strerror_memlock)
{
	struct rlimit rl = { 8 * MIB, 8 * MIB };
	struct pinctl_ctx *ctx;
	struct pinctl_dev *dev;
	void *small = pm_map_anon(4 * MIB), *big = map_untouched(64 * MIB);
	uint64_t h;
	int ret;

	ASSERT_EQ(pm_drop_cap(CAP_IPC_LOCK), 0);
	ASSERT_EQ(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
	ctx = lt_ctx();
	dev = lt_dev(ctx);
	ASSERT_RET(pinctl_pin(dev, small, 4 * MIB, NULL, &h), 0);
	ret = pinctl_pin(dev, big, 64 * MIB, NULL, &h);
	ASSERT_RET(ret, -EDQUOT);
	/* RLIMIT_MEMLOCK bounds the user, in all of its processes. */
	ASSERT_EQ(strcmp(lt_strerror(dev, ret, PINCTL_OP_PIN, 0, (uintptr_t)big,
				     64 * MIB, 0),
			 "pinning 64 MiB would take the memory this user has "
			 "locked (in all of its processes) to 68 MiB, over "
			 "RLIMIT_MEMLOCK of 8 MiB; raise `ulimit -l` or grant "
			 "CAP_IPC_LOCK"), 0);
	/* Without the device: from getrlimit() and /proc/self/status. */
	ASSERT_EQ(strcmp(lt_strerror(NULL, ret, PINCTL_OP_PIN, 0, (uintptr_t)big,
				     64 * MIB, 0),
			 "pinning 64 MiB would take VmPin to 68 MiB, over "
			 "RLIMIT_MEMLOCK of 8 MiB; raise `ulimit -l` or grant "
			 "CAP_IPC_LOCK"), 0);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

TEST(lib_strerror_lease_pages)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	void *buf = pm_map_anon(2 * MIB);
	unsigned long long pages = MIB / pm_page_size();
	char want[256];
	uint64_t h;
	int ret;

	ASSERT_EQ(pm_param_write("max_lease_pages", pages), 0);
	ret = pinctl_pin(dev, buf, 2 * MIB, NULL, &h);
	ASSERT_RET(ret, -EFBIG);
	snprintf(want, sizeof(want), "pinning 2 MiB (%llu pages) as one lease is "
		 "over max_lease_pages of %llu pages (1 MiB); pin it as several "
		 "leases or raise /sys/module/pinmgr/parameters/max_lease_pages",
		 2 * pages, pages);
	ASSERT_EQ(strcmp(lt_strerror(dev, ret, PINCTL_OP_PIN, 0, (uintptr_t)buf,
				     2 * MIB, 0), want), 0);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

TEST(lib_strerror_leases)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	size_t page = pm_page_size();
	char *buf = pm_map_anon(3 * page);
	uint64_t h;
	int ret;

	ASSERT_EQ(pm_param_write("max_leases", 2), 0);
	ASSERT_RET(pinctl_pin(dev, buf, page, NULL, &h), 0);
	ASSERT_RET(pinctl_pin(dev, buf + page, page, NULL, &h), 0);
	ret = pinctl_pin(dev, buf + 2 * page, page, NULL, &h);
	ASSERT_RET(ret, -EMFILE);
	ASSERT_EQ(strcmp(lt_strerror(dev, ret, PINCTL_OP_PIN, 0, 0, page, 0),
			 "this open file of /dev/pinmgr already holds 2 leases, "
			 "the max_leases limit of 2; unpin some, pin through "
			 "another open file, or raise "
			 "/sys/module/pinmgr/parameters/max_leases"), 0);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

TEST(lib_strerror_device_pages)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	unsigned long long pages = MIB / pm_page_size();
	void *buf = pm_map_anon(2 * MIB);
	char want[256];
	uint64_t h;
	int ret;

	ASSERT_EQ(pm_param_write("max_device_pages", pages), 0);
	ret = pinctl_pin(dev, buf, 2 * MIB, NULL, &h);
	ASSERT_RET(ret, -ENOSPC);
	snprintf(want, sizeof(want), "pinning 2 MiB would take the pages pinned "
		 "on the device to 2 MiB, over max_device_pages of %llu pages "
		 "(1 MiB); wait for other pins to end or raise "
		 "/sys/module/pinmgr/parameters/max_device_pages", pages);
	ASSERT_EQ(strcmp(lt_strerror(dev, ret, PINCTL_OP_PIN, 0, 0, 2 * MIB, 0),
			 want), 0);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

TEST(lib_strerror_fault_and_bad_ranges)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	PINCTL_OPTS(pinctl_pin_opts, wr, .flags = PINCTL_PIN_WRITE);
	PINCTL_OPTS(pinctl_pin_opts, bad, .flags = 1u << 20);
	size_t page = pm_page_size();
	char *none = mmap(NULL, MIB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *ro = mmap(NULL, MIB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *buf = pm_map_anon(MIB);
	const char *s;
	uint64_t h;
	int ret;

	ret = pinctl_pin(dev, none, MIB, NULL, &h);
	ASSERT_RET(ret, -EFAULT);
	s = lt_strerror(dev, ret, PINCTL_OP_PIN, 0, (uintptr_t)none, MIB, 0);
	ASSERT_CONTAINS(s, "cannot pin 1 MiB at 0x");
	ASSERT_CONTAINS(s, "unmapped or PROT_NONE");

	ret = pinctl_pin(dev, ro, MIB, &wr, &h);
	ASSERT_RET(ret, -EFAULT);
	s = lt_strerror(dev, ret, PINCTL_OP_PIN, PINCTL_PIN_WRITE, (uintptr_t)ro, MIB, 0);
	ASSERT_CONTAINS(s, "read-only while this is a write pin");
	s = lt_strerror(dev, ret, PINCTL_OP_PIN, PINCTL_PIN_WRITE | PINCTL_PIN_LONGTERM,
			(uintptr_t)ro, MIB, 0);
	ASSERT_CONTAINS(s, "shared mapping of an ordinary file");

	/*
	 * Every EINVAL of a pin reads the same: the sentence names the range
	 * and the rule, and leaves which part broke it to the driver.
	 */
	ret = pinctl_pin(dev, buf + 100, page, NULL, &h);
	ASSERT_RET(ret, -EINVAL);
	s = lt_strerror(dev, ret, PINCTL_OP_PIN, 0, (uintptr_t)buf + 100, page, 0);
	ASSERT_CONTAINS(s, "the driver refused the range 0x");
	ASSERT_CONTAINS(s, "+ 4096 bytes: a pin takes whole pages");
	ASSERT_CONTAINS(s, "multiples of 4 KiB");
	ret = pinctl_pin(dev, buf, 0, NULL, &h);
	ASSERT_RET(ret, -EINVAL);
	ASSERT_CONTAINS(lt_strerror(dev, ret, PINCTL_OP_PIN, 0, (uintptr_t)buf, 0, 0),
			"+ 0 bytes: a pin takes whole pages");
	ret = pinctl_pin(dev, buf, page + 1, NULL, &h);
	ASSERT_RET(ret, -EINVAL);
	ASSERT_CONTAINS(lt_strerror(dev, ret, PINCTL_OP_PIN, 0, (uintptr_t)buf,
				    page + 1, 0),
			"+ 4097 bytes: a pin takes whole pages");
	/* No rule of the library's own: address 0 is the driver's to judge. */
	ret = pinctl_pin(dev, NULL, page, NULL, &h);
	ASSERT_TRUE(ret == -EFAULT || ret == -EINVAL);
	ASSERT_FALSE(strstr(lt_strerror(dev, ret, PINCTL_OP_PIN, 0, 0, page, 0),
		       "address 0"));

	ret = pinctl_pin(dev, buf, page, &bad, &h);
	ASSERT_RET(ret, -EOPNOTSUPP);
	ASSERT_EQ(strcmp(lt_strerror(dev, ret, PINCTL_OP_PIN, 1u << 20,
				     (uintptr_t)buf, page, 0),
			 "pin flags 0x100000 have bits libpinctl does not know "
			 "(it knows 0x1f)"), 0);
	/* fsdax cannot be made here: the sentence alone. */
	ASSERT_CONTAINS(lt_strerror(dev, -EOPNOTSUPP, PINCTL_OP_PIN,
				    PINCTL_PIN_LONGTERM, 0x200000, MIB, 0),
			"fsdax mapping, which the kernel cannot pin long-term");
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

TEST(lib_strerror_lease_rules)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx), *admin = lt_dev(ctx);
	PINCTL_OPTS(pinctl_revoke_opts, now, .flags = PINCTL_REVOKE_NOW);
	PINCTL_OPTS(pinctl_pin_opts, po, .duration_ns = 20 * PM_MS);
	size_t page = pm_page_size();
	char *buf = pm_map_anon(4 * page), b[8], want[256];
	uint64_t h1, h2, h3;
	pid_t pid;
	int ret;

	ASSERT_RET(pinctl_pin(dev, buf, page, NULL, &h1), 0);
	ASSERT_RET(pinctl_pin(dev, buf + page, page, &po, &h2), 0);
	ASSERT_RET(pinctl_pin(dev, buf + 2 * page, page, NULL, &h3), 0);

	ret = pinctl_access_write(dev, h1, 0, "x", 1);
	ASSERT_RET(ret, -EACCES);
	snprintf(want, sizeof(want), "lease %llu is not a write pin: only write "
		 "pins can be written through", (unsigned long long)h1);
	ASSERT_EQ(strcmp(lt_strerror(dev, ret, PINCTL_OP_ACCESS, 1, 0, 1, h1), want), 0);
	ret = pinctl_access_read(dev, h1, page, b, 1);
	ASSERT_RET(ret, -EINVAL);
	ASSERT_CONTAINS(lt_strerror(dev, ret, PINCTL_OP_ACCESS, 0, 0, 1, h1),
			"reach beyond lease");

	ret = pinctl_unpin(dev, 987654321);
	ASSERT_RET(ret, -ENOENT);
	ASSERT_EQ(strcmp(lt_strerror(dev, ret, PINCTL_OP_UNPIN, 0, 0, 0, 987654321),
			 "no lease 987654321 in this open file of /dev/pinmgr "
			 "(never pinned, already unpinned or acknowledged, or "
			 "another file's)"), 0);
	ret = pinctl_revoke(admin, 987654321, NULL, NULL);
	ASSERT_RET(ret, -ENOENT);
	ASSERT_CONTAINS(lt_strerror(dev, ret, PINCTL_OP_REVOKE, 0, 0, 0, 987654321),
			"no lease 987654321 on the device");

	/* h2 runs out: the file's EXPIRED event says so, however late. */
	ASSERT_EQ(poll(&(struct pollfd){ .fd = pinctl_dev_get_fd(dev),
					 .events = POLLIN }, 1, 10000), 1);
	ret = pinctl_renew(dev, h2, 0);
	ASSERT_RET(ret, -EKEYEXPIRED);
	snprintf(want, sizeof(want), "lease %llu expired and its pages were "
		 "released; unpinning it acknowledges that", (unsigned long long)h2);
	ASSERT_EQ(strcmp(lt_strerror(dev, ret, PINCTL_OP_RENEW, 0, 0, 0, h2), want), 0);

	ASSERT_RET(pinctl_revoke(admin, h1, NULL, NULL), 0);
	ret = pinctl_renew(dev, h1, 0);
	ASSERT_RET(ret, -EBUSY);
	ASSERT_CONTAINS(lt_strerror(dev, ret, PINCTL_OP_RENEW, 0, 0, 0, h1),
			"is under a break (an administrator revoked it)");
	ret = pinctl_revoke(admin, h1, NULL, NULL);
	ASSERT_RET(ret, -EBUSY);
	ASSERT_CONTAINS(lt_strerror(dev, ret, PINCTL_OP_REVOKE, 0, 0, 0, h1),
			"is already under a break; revoke it now");

	ASSERT_RET(pinctl_revoke(admin, h3, &now, NULL), 0);
	ret = pinctl_access_read(dev, h3, 0, b, 1);
	ASSERT_RET(ret, -EKEYREVOKED);
	snprintf(want, sizeof(want), "lease %llu was revoked by an administrator "
		 "and its pages were released; unpinning it acknowledges that",
		 (unsigned long long)h3);
	ASSERT_EQ(strcmp(lt_strerror(dev, ret, PINCTL_OP_ACCESS, 0, 0, 1, h3), want), 0);

	pid = fork();
	if (pid == 0) {
		ret = pinctl_pin(dev, buf + 3 * page, page, NULL, &h1);
		ASSERT_RET(ret, -EPERM);
		ASSERT_CONTAINS(lt_strerror(dev, ret, PINCTL_OP_PIN, 0, 0, page, 0),
				"only the opener's address space can be pinned");
		ASSERT_EQ(pm_become_nobody(), 0);
		ret = pinctl_revoke(admin, h3, NULL, NULL);
		ASSERT_RET(ret, -EPERM);
		ASSERT_CONTAINS(lt_strerror(dev, ret, PINCTL_OP_REVOKE, 0, 0, 0, h3),
				"revoking a lease needs CAP_SYS_ADMIN");
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	pinctl_dev_unref(admin);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

/*
 * Every errno of the DOC: block has a sentence of its own (not libc's
 * words), for the operation it belongs to.
 */
TEST(lib_strerror_every_errno)
{
	static const struct { int err; uint32_t op; const char *words; } all[] = {
		{ ENOTTY, PINCTL_OP_PIN, "module is older than libpinctl" },
		{ EFAULT, PINCTL_OP_PIN, "unmapped or PROT_NONE" },
		{ EFAULT, PINCTL_OP_LIST, "cannot be accessed" },
		{ EINVAL, PINCTL_OP_QUERY, "reserved field" },
		{ EINVAL, PINCTL_OP_PIN_VEC, "1 to 16384 ranges" },
		{ EINVAL, PINCTL_OP_EVENT_READ, "smaller than one event" },
		{ E2BIG, PINCTL_OP_PIN, "fields the loaded pinmgr module does not know" },
		{ EOPNOTSUPP, PINCTL_OP_REVOKE, "flags the loaded pinmgr module does not know" },
		{ EPERM, PINCTL_OP_UNPIN, "only its opener may unpin" },
		{ EPERM, PINCTL_OP_GET_SEGMENTS, "physical addresses need CAP_SYS_ADMIN" },
		{ EPERM, PINCTL_OP_REVOKE, "CAP_SYS_ADMIN (and CAP_NET_ADMIN" },
		{ EPERM, PINCTL_OP_NETLINK, "needs CAP_SYS_ADMIN" },
		{ EPERM, PINCTL_OP_MODULE_LOAD, "CAP_SYS_MODULE" },
		{ EACCES, PINCTL_OP_ACCESS, "is not a write pin" },
		{ EACCES, PINCTL_OP_OPEN, "install the udev rule" },
		{ ENOENT, PINCTL_OP_QUERY, "in this open file of /dev/pinmgr" },
		{ ENOENT, PINCTL_OP_OPEN, "the pinmgr module is not loaded" },
		{ ENOENT, PINCTL_OP_NETLINK, "no visible lease 7 on the device" },
		{ ENOENT, PINCTL_OP_MODULE_LOAD, "no pinmgr module for this kernel" },
		{ ENOENT, PINCTL_OP_MODULE_UNLOAD, "is not loaded" },
		{ EKEYEXPIRED, PINCTL_OP_QUERY, "expired and its pages were released" },
		{ EKEYREVOKED, PINCTL_OP_RENEW, "was revoked by an administrator" },
		{ ESTALE, PINCTL_OP_UNPIN, "lease 7 was released when its range stopped mapping its pages" },
		{ ESTALE, PINCTL_OP_ACCESS, "unpinning it acknowledges that" },
		{ ESTALE, PINCTL_OP_RENEW, "(release-on-stale)" },
		{ ESTALE, PINCTL_OP_GET_SEGMENTS, "release-on-stale" },
		{ ESTALE, PINCTL_OP_QUERY, "release-on-stale" },
		{ ESTALE, PINCTL_OP_REVOKE, "lease 7 has already ended" },
		{ EINVAL, PINCTL_OP_GET_SEGMENTS, "may be watch-only" },
		{ ENOMEM, PINCTL_OP_PIN, "ran out of memory for pinning 1 MiB" },
		{ ENOMEM, PINCTL_OP_LIST, "ran out of memory" },
		{ EINTR, PINCTL_OP_PIN, "a fatal signal arrived while pinning 1 MiB; nothing stays pinned" },
		{ EBUSY, PINCTL_OP_RENEW, "under a break" },
		{ EBUSY, PINCTL_OP_REVOKE, "already under a break" },
		{ ESRCH, PINCTL_OP_REVOKE, "held by its dma-bufs alone" },
		{ EBUSY, PINCTL_OP_MODULE_UNLOAD, "in use" },
		{ EDQUOT, PINCTL_OP_PIN, "over RLIMIT_MEMLOCK" },
		{ EFBIG, PINCTL_OP_PIN, "over max_lease_pages" },
		{ EMFILE, PINCTL_OP_PIN, "the max_leases limit" },
		{ ENOSPC, PINCTL_OP_PIN, "over max_device_pages" },
		{ EXFULL, PINCTL_OP_PIN, "pinning 1 MiB is over the budget of a cgroup" },
		{ ELOOP, PINCTL_OP_PIN, "more than 16 cgroups on this process's path have budgets" },
		{ EAGAIN, PINCTL_OP_EVENT_READ, "no event is waiting" },
		{ EEXIST, PINCTL_OP_MODULE_LOAD, "already loaded" },
		{ ENOBUFS, PINCTL_OP_NETLINK, "notifications were lost" },
	};
	char buf[16];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(all); i++) {
		const char *s = lt_strerror(NULL, -all[i].err, all[i].op, 0, 0x200000,
					    1024 * 1024, 7);

		ASSERT_CONTAINS(s, all[i].words);
		ASSERT_NE(strcmp(s, strerror(all[i].err)), 0);
	}
	ASSERT_CONTAINS(lt_strerror(NULL, -ENOENT, PINCTL_OP_NETLINK, 0, 0, 0, 0),
			"family is not registered: the loaded pinmgr module is older");
	/* Positive errnos too; others in libc's words. */
	ASSERT_CONTAINS(lt_strerror(NULL, EDQUOT, PINCTL_OP_PIN, 0, 0, 4096, 0),
			"RLIMIT_MEMLOCK");
	ASSERT_EQ(strcmp(lt_strerror(NULL, -EXDEV, PINCTL_OP_PIN, 0, 0, 4096, 0),
			 strerror(EXDEV)), 0);
	/* A pin with watch flags: the watch rules and limits too. */
	ASSERT_CONTAINS(lt_strerror(NULL, -EINVAL, PINCTL_OP_PIN,
				    PINCTL_PIN_RELEASE_ON_STALE, 0x200000, 4096, 0),
			"release-on-stale needs watch, and watch-only goes with "
			"neither longterm nor release-on-stale");
	ASSERT_CONTAINS(lt_strerror(NULL, -EINVAL, PINCTL_OP_PIN,
				    PINCTL_PIN_WATCH_ONLY | PINCTL_PIN_LONGTERM,
				    0x200000, 4096, 0), "with flags 0x12");
	ASSERT_FALSE(strstr(lt_strerror(NULL, -EINVAL, PINCTL_OP_PIN, 0, 0x200000,
					4096, 0), "watch"));
	ASSERT_CONTAINS(lt_strerror(NULL, -EMFILE, PINCTL_OP_PIN, PINCTL_PIN_WATCH,
				    0x200000, 4096, 0), "and 262144 watched ones; one of "
			"the two is reached");
	ASSERT_CONTAINS(lt_strerror(NULL, -EOPNOTSUPP, PINCTL_OP_PIN,
				    PINCTL_PIN_WATCH, 0x200000, 4096, 0),
			"cannot watch ranges (PINCTL_FEATURE_WATCH is absent");
	ASSERT_CONTAINS(lt_strerror(NULL, -EOPNOTSUPP, PINCTL_OP_PIN,
				    PINCTL_PIN_WATCH, 0x200000, 4096, 0),
			"or 4 KiB at 0x200000 is an fsdax mapping");
	ASSERT_FALSE(strstr(lt_strerror(NULL, -EOPNOTSUPP, PINCTL_OP_PIN,
					PINCTL_PIN_WATCH_ONLY, 0x200000, 4096, 0),
			    "fsdax"));
	/* Each sentence of a watched pin fits in 256 bytes. */
	{
		static const uint32_t flags[] = {
			PINCTL_PIN_WATCH, PINCTL_PIN_RELEASE_ON_STALE,
			PINCTL_PIN_WATCH | PINCTL_PIN_RELEASE_ON_STALE,
			PINCTL_PIN_WATCH_ONLY | PINCTL_PIN_LONGTERM,
		};
		static const int errs[] = {
			EDQUOT, EFBIG, EMFILE, ENOSPC, EFAULT, EINVAL, EOPNOTSUPP,
			EPERM, EINTR, ENOMEM, ESTALE,
		};
		char b[256];
		unsigned int f, e2;
		PINCTL_OPTS(pinctl_err_opts, eo, .op = PINCTL_OP_PIN,
			    .addr = 0x7fffffffe000ULL, .length = 1ULL << 40);

		for (f = 0; f < ARRAY_SIZE(flags); f++)
			for (e2 = 0; e2 < ARRAY_SIZE(errs); e2++) {
				eo.flags = flags[f];
				ASSERT_RET(pinctl_strerror(NULL, -errs[e2], &eo, b,
							   sizeof(b)), 0);
			}
	}
	/* Cut to fit, still a string. */
	ASSERT_RET(pinctl_strerror(NULL, -EDQUOT, NULL, buf, sizeof(buf)), -ERANGE);
	ASSERT_EQ(strlen(buf), sizeof(buf) - 1);
	ASSERT_RET(pinctl_strerror(NULL, -EDQUOT, NULL, buf, 0), -EINVAL);
}

/* max_leases hit by a watched pin: both limits that give EMFILE, named. */
TEST(lib_strerror_watch_leases)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	PINCTL_OPTS(pinctl_pin_opts, po, .flags = PINCTL_PIN_WATCH);
	size_t page = pm_page_size();
	char *buf = pm_map_anon(3 * page);
	uint64_t h;
	int ret;

	lt_need_watch(dev);
	ASSERT_EQ(pm_param_write("max_leases", 2), 0);
	ASSERT_RET(pinctl_pin(dev, buf, page, &po, &h), 0);
	ASSERT_RET(pinctl_pin(dev, buf + page, page, &po, &h), 0);
	ret = pinctl_pin(dev, buf + 2 * page, page, &po, &h);
	ASSERT_RET(ret, -EMFILE);
	ASSERT_EQ(strcmp(lt_strerror(dev, ret, PINCTL_OP_PIN, po.flags, 0, page, 0),
			 "this open file of /dev/pinmgr holds 2 leases (max_leases: "
			 "2), and 262144 watched ones; one of the two is reached: "
			 "unpin some, pin through another open file, or raise "
			 "/sys/module/pinmgr/parameters/max_leases"), 0);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

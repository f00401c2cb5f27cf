// SPDX-License-Identifier: GPL-2.0-only
/*
 * A small TAP test harness for pinmgr.
 *
 * TEST(name) { ... } defines a test; the runner forks one child per test,
 * waits for it with a timeout and then checks invariants that every test
 * must keep (kernel pin counters balanced, device empty). A failed ASSERT_*
 * prints where and why and ends the child with status 1; SKIP() ends it with
 * status 77 and a reason.
 */
#ifndef PINMGR_TESTS_HARNESS_H
#define PINMGR_TESTS_HARNESS_H

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/pinmgr.h>

#define PM_DEFAULT_TIMEOUT	60

#ifndef offsetofend
#define offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))
#endif

/* The first version of each structure: the smallest size the ABI takes. */
#define PM_INFO_SIZE_V1		offsetofend(struct pinmgr_info, device_pinned_pages)
#define PM_PIN_SIZE_V1		offsetofend(struct pinmgr_pin, out_nr_runs)
#define PM_QUERY_SIZE_V1	offsetofend(struct pinmgr_query, out_owner_comm)
#define PM_RANGE_SIZE_V1	offsetofend(struct pinmgr_pin_range, out_handle)

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define PM_EXIT_PASS	0
#define PM_EXIT_FAIL	1
#define PM_EXIT_SKIP	77

struct pm_test {
	const char *name;
	const char *file;
	int line;
	unsigned int timeout;
	void (*fn)(void);
	struct pm_test *next;
};

void pm_register(struct pm_test *test);

/*
 * The constructor only links the test in; main() sorts by file and line, so
 * the order does not depend on how the toolchain orders constructors.
 */
#define TEST_TIMEOUT(_name, _secs)					\
	static void pm_fn_##_name(void);				\
	static struct pm_test pm_test_##_name = {			\
		.name = #_name,						\
		.file = __FILE__,					\
		.line = __LINE__,					\
		.timeout = (_secs),					\
		.fn = pm_fn_##_name,					\
	};								\
	static void __attribute__((constructor)) pm_reg_##_name(void)	\
	{								\
		pm_register(&pm_test_##_name);				\
	}								\
	static void pm_fn_##_name(void)

#define TEST(_name)	TEST_TIMEOUT(_name, PM_DEFAULT_TIMEOUT)

/* Diagnostics: one "# " line, written in one go so processes don't mix. */
void pm_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void pm_fail_cmp(const char *file, int line, const char *expr,
		 const char *op, int a_signed, unsigned long long a,
		 int b_signed, unsigned long long b)
	__attribute__((noreturn));
void pm_fail_errno(const char *file, int line, const char *expr,
		   int want, long long ret, int got)
	__attribute__((noreturn));
void pm_fail_msg(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));
void pm_skip(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

/* Integer or pointer operand: is its type signed? (evaluates nothing) */
#define PM_SIGNED(x)	((__typeof__(x))-1LL < (__typeof__(x))1LL)
#define PM_WIDE(x)							\
	(PM_SIGNED(x) ? (__int128)(long long)(x)			\
		      : (__int128)(unsigned long long)(x))

/* Both sides are evaluated once and compared without sign surprises. */
#define PM_ASSERT_CMP(a, b, op)						\
	do {								\
		__typeof__(a) _pm_a = (a);				\
		__typeof__(b) _pm_b = (b);				\
		if (!(PM_WIDE(_pm_a) op PM_WIDE(_pm_b)))		\
			pm_fail_cmp(__FILE__, __LINE__,			\
				    #a " " #op " " #b, #op,		\
				    PM_SIGNED(_pm_a),			\
				    (unsigned long long)_pm_a,		\
				    PM_SIGNED(_pm_b),			\
				    (unsigned long long)_pm_b);		\
	} while (0)

#define ASSERT_EQ(a, b)	PM_ASSERT_CMP(a, b, ==)
#define ASSERT_NE(a, b)	PM_ASSERT_CMP(a, b, !=)
#define ASSERT_LT(a, b)	PM_ASSERT_CMP(a, b, <)
#define ASSERT_LE(a, b)	PM_ASSERT_CMP(a, b, <=)
#define ASSERT_GT(a, b)	PM_ASSERT_CMP(a, b, >)
#define ASSERT_GE(a, b)	PM_ASSERT_CMP(a, b, >=)

#define ASSERT_TRUE(x)							\
	do {								\
		if (!(x))						\
			pm_fail_msg(__FILE__, __LINE__,			\
				    "%s expected true got false", #x);	\
	} while (0)

#define ASSERT_FALSE(x)							\
	do {								\
		if (x)							\
			pm_fail_msg(__FILE__, __LINE__,			\
				    "%s expected false got true", #x);	\
	} while (0)

#define ASSERT_STREQ(a, b)						\
	do {								\
		const char *_pm_sa = (a), *_pm_sb = (b);		\
		if (strcmp(_pm_sa, _pm_sb))				\
			pm_fail_msg(__FILE__, __LINE__,			\
				    "%s == %s expected \"%s\" got \"%s\"", \
				    #a, #b, _pm_sb, _pm_sa);		\
	} while (0)

/* @expr must fail with -1 and set errno to exactly @err. */
#define ASSERT_ERRNO(expr, err)						\
	do {								\
		long long _pm_r;					\
		int _pm_e;						\
		errno = 0;						\
		_pm_r = (long long)(expr);				\
		_pm_e = errno;						\
		if (_pm_r != -1 || _pm_e != (err))			\
			pm_fail_errno(__FILE__, __LINE__, #expr, (err),	\
				      _pm_r, _pm_e);			\
	} while (0)

#define FAIL(...)	pm_fail_msg(__FILE__, __LINE__, __VA_ARGS__)
#define SKIP(...)	pm_skip(__VA_ARGS__)

/*
 * What the machine was set up for: PINMGR_REQUIRE lists capabilities
 * (separated by spaces or commas) of the PM_CAPS below. A test needs a
 * capability when its name starts with it and "_" (failnth_open needs
 * failnth), or once it called pm_require() with it. A test that needs a
 * capability the machine declares may not skip: its SKIP() is a failure,
 * since the machinery it wanted is there and a skip could only hide a
 * regression. Elsewhere SKIP() is a skip as before.
 */
#define PM_CAPS		"failnth", "movable", "extfs", "netlink", "fuse", \
			"userfaultfd", "vgem", "vivid", "edu", "cgroup2", \
			"tracefs", "perf", "rxe"

/* The running test needs @cap (one of PM_CAPS; anything else fails). */
void pm_require(const char *cap);
/* Does PINMGR_REQUIRE declare @cap? */
int pm_required(const char *cap);

/* SKIP() for want of @cap: a failure where the machine declares @cap. */
#define SKIP_NEEDS(cap, ...)						\
	do {								\
		pm_require(cap);					\
		pm_skip(__VA_ARGS__);					\
	} while (0)

/*
 * Does the loaded driver report PINMGR_FEATURE_@bit in GET_INFO? Tests of a
 * feature that a kernel cannot have skip by this, never by version: where
 * the bit is set the feature must work, and where it is not the test first
 * asserts that the feature is absent, as documented.
 */
int pm_feature(__u64 bit);

/*
 * Skip for want of a feature whose bit GET_INFO does not report, even
 * where PINMGR_REQUIRE declares what the test needs; fails where the bit is
 * set. Call it only after asserting that the feature is indeed absent.
 */
void pm_skip_feature(__u64 bit, const char *what) __attribute__((noreturn));

/* Page size of the running kernel. */
size_t pm_page_size(void);

/* Device: open (O_RDWR | O_CLOEXEC); -1 and errno on failure. */
int pm_open(void);

/*
 * ioctl wrappers: fill @size (and the inputs), call the ioctl and return its
 * result. The output structures are zeroed first.
 */
int pm_get_info(int fd, struct pinmgr_info *info);
int pm_pin(int fd, const void *addr, size_t len, __u32 flags, __u64 cookie,
	   struct pinmgr_pin *out);
int pm_unpin(int fd, __u64 handle);
/* PIN_VEC of @nr ranges laid out @range_size bytes apart. */
int pm_pin_vec(int fd, void *ranges, __u32 nr, __u32 range_size,
	       struct pinmgr_pin_vec *out);
int pm_query(int fd, __u64 handle, struct pinmgr_query *q);
/* EXPORT: the dma-buf's fd, or -1 and errno. */
int pm_export(int fd, __u64 handle);
int pm_list(int fd, __u64 *handles, __u32 nr_handles, struct pinmgr_list *out);

/* PIN with a duration (nanoseconds; 0: none). */
int pm_pin_for(int fd, const void *addr, size_t len, __u32 flags,
	       __u64 duration_ns, struct pinmgr_pin *out);
int pm_renew(int fd, __u64 handle, __u64 duration_ns);
/* REVOKE (flags: PINMGR_REVOKE_NOW or 0); *deadline_ns may be NULL. */
int pm_revoke(int fd, __u64 handle, __u32 flags, __u64 *deadline_ns);

/*
 * Read one event, waiting up to @timeout_ms for it (0: only what is there).
 * 1 with *ev filled, 0 if none came, -1 with errno on error.
 */
int pm_read_event(int fd, struct pinmgr_event *ev, unsigned int timeout_ms);

/* Wait for the event @type of @handle (others are skipped); asserts. */
void pm_expect_event(int fd, __u16 type, __u64 handle,
		     unsigned int timeout_ms, struct pinmgr_event *ev);

/* CLOCK_REALTIME, CLOCK_MONOTONIC and CLOCK_BOOTTIME now, in nanoseconds. */
__u64 pm_realtime_ns(void);
__u64 pm_monotonic_ns(void);
__u64 pm_boottime_ns(void);

#define PM_MS	1000000ULL	/* nanoseconds */

/*
 * @n one-page leases of @fd with @cookie, over the @buf_pages pages at @buf
 * in turn, through PIN_VEC; their handles in @handles. Asserts.
 */
void pm_pin_many(int fd, void *buf, size_t buf_pages, size_t n, __u64 cookie,
		 __u64 *handles);

/*
 * Leases that come and go in two other processes, for tests that read
 * them meanwhile: in round r, process k pins 1 + (k * @step + r) % @max
 * leases with @cookie and one that expires by itself, revokes the first
 * with a break if @revoke, unpins the others, and every @reopen rounds
 * closes its file (ending what is left) and opens another; until
 * pm_churn_stop(), which asserts that both went on without a failure.
 */
struct pm_churn {
	atomic_int *stop;
	pid_t pids[2];
};

void pm_churn_start(struct pm_churn *c, unsigned int step, unsigned int max,
		    unsigned int reopen, int revoke, __u64 cookie);
void pm_churn_stop(struct pm_churn *c);

/* The number after "@key:" in /proc/self/fdinfo/@fd, or -1. */
long long pm_fdinfo_value(int fd, const char *key);

/* Pin and assert success; returns the handle. */
#define PIN_OK(fd, addr, len, flags) ({					\
	struct pinmgr_pin _pm_p;					\
	ASSERT_EQ(pm_pin((fd), (addr), (len), (flags), 0, &_pm_p), 0);	\
	ASSERT_NE(_pm_p.out_handle, 0);					\
	_pm_p.out_handle;						\
})

/* Counters. All return -1 when the value cannot be read. */
long long pm_vmstat(const char *name);
long long pm_outstanding_pins(void);	/* nr_foll_pin_acquired - released */
/* Wait up to 5 s for the driver's workqueue to settle at @want pins. */
long long pm_await_outstanding_pins(long long want);
long long pm_vmpin_kb(void);		/* VmPin of this process */
long long pm_anon_huge_kb(void);	/* AnonHugePages of this process */
long long pm_anon_huge_kb_at(const void *addr);	/* ... of addr's mapping */
void pm_vmstat_refresh(void);		/* fold per-CPU deltas (root only) */

/* The first line of @path, without its newline; 0 or -1 with errno. */
int pm_read_line(const char *path, char *buf, size_t len);

/* A file of /sys/class/misc/pinmgr/ (e.g. "leases", "failures/fault"). */
int pm_sysfs_read(const char *name, unsigned long long *val);

/* Module parameters; the runner restores them after every test. */
int pm_param_read(const char *name, unsigned long long *val);
int pm_param_write(const char *name, unsigned long long val);

/*
 * Privileges. Both return 0 or -1 with errno. pm_drop_cap() drops @cap
 * (CAP_*) from every set, the bounding set included, for good.
 */
int pm_drop_cap(int cap);
int pm_become_nobody(void);
int pm_have_cap(int cap);		/* in the effective set */

#define PM_NOBODY	65534

/*
 * Memory: anonymous private read/write mappings, every page written, or
 * NULL. pm_map_thp() aligns to 2 MiB and asks for huge pages;
 * pm_map_thp_untouched() does too but leaves every page unfaulted.
 */
void *pm_map_anon(size_t len);
void *pm_map_thp(size_t len);
void *pm_map_thp_untouched(size_t len);
void pm_unmap(void *addr, size_t len);

/*
 * Pass @fd and a 64-bit value over a unix socket (SCM_RIGHTS): 0 or -1.
 * pm_recv_fd() returns the received descriptor (O_CLOEXEC), or -1.
 */
int pm_send_fd(int sock, int fd, __u64 val);
int pm_recv_fd(int sock, __u64 *val);

/* Wait for a child; its exit status, 128 + signal, or -1. */
int pm_wait(pid_t pid);

/*
 * Run @fn(@arg) as pid 1 of a new pid namespace (needs root): its exit
 * status, 0 if @fn returned, as pm_wait() gives it.
 */
int pm_in_new_pid_namespace(void (*fn)(void *), void *arg);

/* Bind the calling thread to the CPU it runs on; 0 or -1 with errno. */
int pm_stay_on_one_cpu(void);

/* Sleep for @ms milliseconds. */
void pm_msleep(unsigned int ms);

/*
 * cgroup v2, mounted at PM_CGROUP_ROOT (the guest mounts it). A test that
 * needs it calls pm_need_cgroup2(): a skip, or a failure where the machine
 * declares "cgroup2". @rel is a path under the root, "" for the root.
 * pm_cgroup_make() makes it afresh and returns its ID (the directory's
 * inode number); pm_cgroup_enter() moves the calling process into it.
 */
#define PM_CGROUP_ROOT	"/sys/fs/cgroup"
void pm_need_cgroup2(void);
__u64 pm_cgroup_make(const char *rel);
void pm_cgroup_remove(const char *rel);
void pm_cgroup_enter(const char *rel);

/* ---- Data through pins --------------------------------------------- */

/* Running kernel as major * 1000 + minor (uname -r), 0 if unknown. */
int pm_kver(void);
#define PM_KV(major, minor)	((major) * 1000 + (minor))

/*
 * A byte pattern that differs from byte to byte and seed to seed: byte @i
 * of it, and [p, p + len) filled with it as seen from offset @base.
 */
unsigned char pm_pattern_byte(size_t i, unsigned int seed);
void pm_fill(void *p, size_t len, size_t base, unsigned int seed);

/* First offset where @a and @b differ, or (size_t)-1. */
size_t pm_memdiff(const void *a, const void *b, size_t len);

#define ASSERT_MEMEQ(a, b, len)						\
	do {								\
		const unsigned char *_ma = (const void *)(a);		\
		const unsigned char *_mb = (const void *)(b);		\
		size_t _ml = (len), _mo = pm_memdiff(_ma, _mb, _ml);	\
		if (_mo != (size_t)-1)					\
			FAIL("%s and %s differ at byte %zu of %zu: 0x%02x vs 0x%02x", \
			     #a, #b, _mo, _ml, _ma[_mo], _mb[_mo]);	\
	} while (0)

/* Every byte of [p, p + len) is @c. */
#define ASSERT_ALL_BYTES(p, len, c)					\
	do {								\
		const unsigned char *_bp = (const void *)(p);		\
		size_t _bl = (len), _bi;				\
		for (_bi = 0; _bi < _bl; _bi++)				\
			if (_bp[_bi] != (unsigned char)(c))		\
				FAIL("%s: byte %zu of %zu is 0x%02x, expected 0x%02x", \
				     #p, _bi, _bl, _bp[_bi],		\
				     (unsigned char)(c));		\
	} while (0)

/* [p, p + len) holds the pattern with @seed as seen from offset @base. */
#define ASSERT_PATTERN(p, len, base, seed)				\
	do {								\
		size_t _pl = (len);					\
		char *_want = malloc(_pl ? _pl : 1);			\
		ASSERT_NE(_want, NULL);					\
		pm_fill(_want, _pl, (base), (seed));			\
		ASSERT_MEMEQ((p), _want, _pl);				\
		free(_want);						\
	} while (0)

/* ioctl(ACCESS); ACCESS_READ / ACCESS_WRITE name the direction. */
int pm_access(int fd, __u64 handle, __u64 offset, __u64 length,
	      const void *buf, __u32 flags);
#define ACCESS_READ(fd, h, off, len, buf)				\
	pm_access((fd), (h), (off), (len), (buf), 0)
#define ACCESS_WRITE(fd, h, off, len, buf)				\
	pm_access((fd), (h), (off), (len), (buf), PINMGR_ACCESS_WRITE)

/* Every segment of a lease (asserting success; free() it); *nr: count. */
struct pinmgr_segment *pm_all_segments(int fd, __u64 handle, __u32 *nr);

/* The PFN /proc/self/pagemap shows for @addr (root only), or -1. */
long long pm_pagemap_pfn(const void *addr);

/* Private anonymous read/write memory that uses 4 KiB pages only. */
char *pm_map_small_pages(size_t len);

/*
 * @len bytes (a multiple of PM_HUGE) of private hugetlb memory, reserving
 * the huge pages first (the runner restores nr_hugepages); skips where
 * the kernel has no hugetlb pages.
 */
#define PM_HUGE		(2UL << 20)
char *pm_map_hugetlb(size_t len);

#endif /* PINMGR_TESTS_HARNESS_H */

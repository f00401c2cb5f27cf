// SPDX-License-Identifier: GPL-2.0-only
/*
 * ACCESS and GET_SEGMENTS: reading and writing a lease's pinned pages
 * themselves (as a device would by DMA), listing their physical runs, and
 * how a lease stores those runs.
 *
 * Kernel facts these tests lean on (Documentation/core-api/pin_user_pages.rst
 * and mm/gup.c of 6.12):
 *  - FOLL_PIN of the shared zero page is only pretended since Linux 6.5
 *    ("mm: Don't pin ZERO_PAGE in pin_user_pages()"): try_grab_folio() and
 *    gup_put_folio() skip it, so nr_foll_pin_acquired does not move.
 *    Mainline 6.1 counted it; Debian's 6.1 (6.1.0-56) behaves like 6.12
 *    here, so on kernels before 6.5 either is accepted.
 *  - A read-only FOLL_LONGTERM pin in a private writable ("COW") mapping of
 *    a page that is not an exclusive anonymous page (the zero page, page
 *    cache) breaks COW first since Linux 6.2 (gup_must_unshare(), "mm/gup:
 *    reliable R/O long-term pinning in COW mappings"), so the pin stays
 *    coherent with later writes of the process. 6.1 pins the zero page
 *    itself, and a later write of the process is not seen through the pin.
 *  - A shared mapping of a file is never COW: a read-only pin of it pins the
 *    page cache on every kernel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include <linux/capability.h>

#include "harness.h"

#define MiB		(1UL << 20)
#define THP_SIZE	(2UL << 20)
#define SEG_BYTES	8	/* a run: 40-bit frame number, 24-bit length */

/* ---- Helpers --------------------------------------------------------- */

static int ta_segments(int fd, __u64 handle, struct pinmgr_segment *segs,
		       __u32 nr, struct pinmgr_get_segments *out)
{
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->handle = handle;
	out->segments = (__u64)(uintptr_t)segs;
	out->nr_segments = nr;
	return ioctl(fd, PINMGR_IOC_GET_SEGMENTS, out);
}

/*
 * Fault the pages of [p, p + len) in from the last to the first, so that
 * the page allocator is unlikely to hand out ascending frames: many runs.
 */
static void ta_touch_reverse(char *p, size_t len)
{
	size_t ps = pm_page_size(), off = len;

	while (off) {
		off -= ps;
		((volatile char *)p)[off] = 1;
	}
}

/*
 * @n pins of the zero page moved nr_foll_pin_acquired by 0 (since 6.5 the
 * kernel only pretends to pin it: pin_user_pages.rst, "Tracking dma-pinned
 * pages"; Debian's 6.1 has that change too, as observed) or, on an older
 * kernel without it, by @n.
 */
static void ta_assert_zero_page_pins(long long base, long long n)
{
	long long d = pm_outstanding_pins() - base;

	if (pm_kver() >= PM_KV(6, 5)) {
		ASSERT_EQ(d, 0);
		return;
	}
	if (d != 0 && d != n)
		FAIL("zero page pins moved the pin counters by %lld, expected 0 or %lld",
		     d, n);
	pm_diag("this kernel %s pins of the zero page", d ? "counts" : "does not count");
}

/* A lease over @n pattern-filled pages; the usual start of a test. */
#define ACCESS_SETUP(n, pin_flags)					\
	size_t ps = pm_page_size(), len = (n) * ps;			\
	char *p = pm_map_anon(len);					\
	int fd = pm_open();						\
	long long base = pm_outstanding_pins();				\
	__u64 h;							\
	ASSERT_GE(fd, 0);						\
	ASSERT_NE(p, NULL);						\
	ASSERT_GE(base, 0);						\
	pm_fill(p, len, 0, 1);						\
	h = PIN_OK(fd, p, len, (pin_flags))

#define ACCESS_TEARDOWN()						\
	do {								\
		ASSERT_EQ(pm_unpin(fd, h), 0);				\
		ASSERT_EQ(pm_outstanding_pins() - base, 0);		\
		close(fd);						\
		pm_unmap(p, len);					\
	} while (0)

/* ---- ACCESS: reading ------------------------------------------------- */

/* The whole lease reads back exactly what was written before pinning. */
TEST(access_read_whole_lease)
{
	char *buf;
	ACCESS_SETUP(64, 0);

	buf = malloc(len);
	ASSERT_NE(buf, NULL);
	memset(buf, 0xee, len);
	ASSERT_EQ(ACCESS_READ(fd, h, 0, len, buf), 0);
	ASSERT_MEMEQ(buf, p, len);
	free(buf);

	/* The same through a long-term write pin of the same pages. */
	{
		__u64 h2 = PIN_OK(fd, p, len,
				  PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM);

		buf = calloc(1, len);
		ASSERT_NE(buf, NULL);
		ASSERT_EQ(ACCESS_READ(fd, h2, 0, len, buf), 0);
		ASSERT_MEMEQ(buf, p, len);
		free(buf);
		ASSERT_EQ(pm_unpin(fd, h2), 0);
	}
	ACCESS_TEARDOWN();
}

/* Small reads at offsets inside single pages, including first/last byte. */
TEST(access_read_within_page)
{
	static const struct { size_t page, off, len; } cases[] = {
		{ 0, 0, 1 }, { 0, 1, 1 }, { 0, 100, 200 }, { 1, 0, 4095 },
		{ 2, 4095, 1 }, { 3, 17, 3000 }, { 5, 2048, 2048 },
		{ 7, 0, 4096 },
	};
	unsigned char buf[4096 + 16];
	unsigned int i;
	ACCESS_SETUP(8, 0);

	ASSERT_EQ(ps, 4096);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t off = cases[i].page * ps + cases[i].off;

		memset(buf, 0xa5, sizeof(buf));
		ASSERT_EQ(ACCESS_READ(fd, h, off, cases[i].len, buf), 0);
		ASSERT_MEMEQ(buf, p + off, cases[i].len);
		/* Not one byte more than asked. */
		ASSERT_ALL_BYTES(buf + cases[i].len, 16, 0xa5);
	}
	ACCESS_TEARDOWN();
}

/* Reads that cross one or more page boundaries. */
TEST(access_read_across_pages)
{
	static const struct { size_t off, len; } cases[] = {
		{ 4096 - 3, 6 }, { 4096 - 1, 2 }, { 2 * 4096 - 100, 4096 + 200 },
		{ 1, 16 * 4096 - 2 }, { 5 * 4096 + 123, 7 * 4096 + 1 },
		{ 15 * 4096 - 1, 4096 + 1 },
	};
	unsigned int i;
	char *buf;
	ACCESS_SETUP(16, PINMGR_PIN_LONGTERM);

	ASSERT_EQ(ps, 4096);
	buf = malloc(len + 16);
	ASSERT_NE(buf, NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(buf, 0x5a, len + 16);
		ASSERT_EQ(ACCESS_READ(fd, h, cases[i].off, cases[i].len, buf),
			  0);
		ASSERT_MEMEQ(buf, p + cases[i].off, cases[i].len);
		ASSERT_ALL_BYTES(buf + cases[i].len, 16, 0x5a);
	}
	free(buf);
	ACCESS_TEARDOWN();
}

/*
 * Reads across run boundaries. Mapping one shmem page at two adjacent
 * addresses makes a lease whose frames go Q, R, Q: at least two runs on any
 * machine, so the walk from one run to the next must be right.
 */
TEST(access_read_across_runs_same_page_twice)
{
	size_t ps = pm_page_size();
	struct pinmgr_pin pin;
	char *win, *buf, *want;
	int fd = pm_open(), mfd;
	long long base = pm_outstanding_pins();
	size_t off, l;

	ASSERT_GE(fd, 0);
	mfd = memfd_create("pinmgr-runs", MFD_CLOEXEC);
	ASSERT_GE(mfd, 0);
	ASSERT_EQ(ftruncate(mfd, 2 * ps), 0);
	win = mmap(NULL, 3 * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(win, MAP_FAILED);
	/* File pages 1, 0, 1 at win, win + ps, win + 2 ps. */
	ASSERT_EQ(mmap(win, ps, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		       mfd, ps), win);
	ASSERT_EQ(mmap(win + ps, ps, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_FIXED, mfd, 0), win + ps);
	ASSERT_EQ(mmap(win + 2 * ps, ps, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_FIXED, mfd, ps), win + 2 * ps);
	pm_fill(win + ps, ps, 0, 7);		/* file page 0 */
	pm_fill(win, ps, ps, 7);		/* file page 1 */
	ASSERT_MEMEQ(win, win + 2 * ps, ps);

	ASSERT_EQ(pm_pin(fd, win, 3 * ps, 0, 0, &pin), 0);
	ASSERT_EQ(pin.out_nr_pages, 3);
	ASSERT_GE(pin.out_nr_runs, 2);
	ASSERT_LE(pin.out_nr_runs, 3);

	want = malloc(3 * ps);
	buf = malloc(3 * ps);
	ASSERT_NE(want, NULL);
	ASSERT_NE(buf, NULL);
	memcpy(want, win, 3 * ps);
	for (off = 0; off < 3 * ps; off += ps / 2 - 5) {
		for (l = 1; off + l <= 3 * ps; l = l * 3 + ps / 3) {
			memset(buf, 0, 3 * ps);
			ASSERT_EQ(ACCESS_READ(fd, pin.out_handle, off, l, buf),
				  0);
			ASSERT_MEMEQ(buf, want + off, l);
		}
	}
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	free(want);
	free(buf);
	munmap(win, 3 * ps);
	close(mfd);
	close(fd);
}

/*
 * Many runs from 4 KiB pages faulted in backwards: every run boundary that
 * GET_SEGMENTS reports is read across, and the whole lease at an odd offset.
 */
TEST(access_read_across_runs_many)
{
	size_t ps = pm_page_size(), n = 256, len = n * ps, at = 0, off;
	struct pinmgr_segment *segs;
	struct pinmgr_pin pin;
	char *p = pm_map_small_pages(len), *buf;
	int fd = pm_open();
	long long base = pm_outstanding_pins();
	__u32 nr, i;

	ASSERT_GE(fd, 0);
	if (!pm_have_cap(CAP_SYS_ADMIN))
		SKIP("needs CAP_SYS_ADMIN for GET_SEGMENTS");
	ta_touch_reverse(p, len);
	pm_fill(p, len, 0, 3);
	ASSERT_EQ(pm_pin(fd, p, len, 0, 0, &pin), 0);
	segs = pm_all_segments(fd, pin.out_handle, &nr);
	ASSERT_EQ(nr, pin.out_nr_runs);
	pm_diag("256 pages faulted backwards form %u runs", nr);

	buf = malloc(len);
	ASSERT_NE(buf, NULL);
	for (i = 0; i < nr; i++) {
		at += segs[i].length;
		if (i + 1 == nr)
			break;
		/* 100 bytes either side of the boundary after run i. */
		off = at - 100;
		ASSERT_EQ(ACCESS_READ(fd, pin.out_handle, off, 200, buf), 0);
		ASSERT_MEMEQ(buf, p + off, 200);
	}
	ASSERT_EQ(at, len);
	ASSERT_EQ(ACCESS_READ(fd, pin.out_handle, 777, len - 777 - 333, buf),
		  0);
	ASSERT_MEMEQ(buf, p + 777, len - 777 - 333);
	free(buf);
	free(segs);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	close(fd);
	pm_unmap(p, len);
}

/* ---- ACCESS: writing ------------------------------------------------- */

/* Writing into a write pin lands in the pages the process has mapped. */
TEST(access_write_visible_in_mapping)
{
	static const __u32 flags[] = {
		PINMGR_PIN_WRITE, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM,
	};
	size_t ps = pm_page_size(), n = 16, len = n * ps;
	size_t off = 3 * ps - 77, wlen = 5 * ps + 150;
	char *p = pm_map_anon(len), *want, *src;
	int fd = pm_open();
	long long base = pm_outstanding_pins();
	unsigned int i;
	__u64 h;

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	want = malloc(len);
	src = malloc(wlen);
	ASSERT_NE(want, NULL);
	ASSERT_NE(src, NULL);
	for (i = 0; i < 2; i++) {
		pm_fill(p, len, 0, 10 + i);
		memcpy(want, p, len);
		h = PIN_OK(fd, p, len, flags[i]);
		pm_fill(src, wlen, 0, 20 + i);
		ASSERT_EQ(ACCESS_WRITE(fd, h, off, wlen, src), 0);
		memcpy(want + off, src, wlen);
		/* Exactly [off, off + wlen) changed, as the mapping sees it. */
		ASSERT_MEMEQ(p, want, len);
		ASSERT_EQ(pm_unpin(fd, h), 0);
		/* Still there after the lease ended. */
		ASSERT_MEMEQ(p, want, len);
	}
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	free(want);
	free(src);
	close(fd);
	pm_unmap(p, len);
}

/* A read-only pin cannot be written through: EACCES, nothing changes. */
TEST(access_write_readonly_pin_eacces)
{
	static const __u32 flags[] = { 0, PINMGR_PIN_LONGTERM };
	size_t ps = pm_page_size(), len = 4 * ps;
	char *p = pm_map_anon(len), *want, *src, *buf;
	int fd = pm_open();
	long long base = pm_outstanding_pins();
	unsigned int i;
	__u64 h;

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	pm_fill(p, len, 0, 4);
	want = malloc(len);
	src = malloc(len);
	buf = malloc(len);
	ASSERT_TRUE(want && src && buf);
	memcpy(want, p, len);
	memset(src, 0x77, len);
	for (i = 0; i < 2; i++) {
		h = PIN_OK(fd, p, len, flags[i]);
		ASSERT_ERRNO(ACCESS_WRITE(fd, h, 0, len, src), EACCES);
		ASSERT_ERRNO(ACCESS_WRITE(fd, h, ps + 1, 10, src), EACCES);
		ASSERT_MEMEQ(p, want, len);
		ASSERT_EQ(ACCESS_READ(fd, h, 0, len, buf), 0);
		ASSERT_MEMEQ(buf, want, len);
		ASSERT_EQ(pm_unpin(fd, h), 0);
	}
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	free(want);
	free(src);
	free(buf);
	close(fd);
	pm_unmap(p, len);
}

/* ---- ACCESS: refused requests ---------------------------------------- */

/* offset + length must lie within the lease. */
TEST(access_beyond_lease_einval)
{
	unsigned char buf[64];
	ACCESS_SETUP(4, PINMGR_PIN_WRITE);

	memset(buf, 0xc3, sizeof(buf));
	ASSERT_ERRNO(ACCESS_READ(fd, h, 0, len + 1, p), EINVAL);
	ASSERT_ERRNO(ACCESS_READ(fd, h, len, 1, buf), EINVAL);
	ASSERT_ERRNO(ACCESS_READ(fd, h, len - 1, 2, buf), EINVAL);
	ASSERT_ERRNO(ACCESS_READ(fd, h, len - 10, 64, buf), EINVAL);
	ASSERT_ERRNO(ACCESS_READ(fd, h, 1ULL << 40, 1, buf), EINVAL);
	ASSERT_ERRNO(ACCESS_READ(fd, h, len + 1, 0, buf), EINVAL);
	ASSERT_ALL_BYTES(buf, sizeof(buf), 0xc3);
	ASSERT_ERRNO(ACCESS_WRITE(fd, h, len - 10, 64, buf), EINVAL);
	ASSERT_ERRNO(ACCESS_WRITE(fd, h, len, 1, buf), EINVAL);
	/* A refused write changed nothing, not even the bytes in range. */
	{
		char *want = malloc(len);

		ASSERT_NE(want, NULL);
		pm_fill(want, len, 0, 1);
		ASSERT_MEMEQ(p, want, len);
		free(want);
	}
	/* Exactly up to the end is fine. */
	ASSERT_EQ(ACCESS_READ(fd, h, len - 64, 64, buf), 0);
	ASSERT_MEMEQ(buf, p + len - 64, 64);
	ACCESS_TEARDOWN();
}

/* offset + length wrapping around 2^64 is refused, not truncated. */
TEST(access_offset_length_overflow_einval)
{
	unsigned char buf[64];
	ACCESS_SETUP(4, PINMGR_PIN_WRITE);

	memset(buf, 0x3c, sizeof(buf));
	ASSERT_ERRNO(ACCESS_READ(fd, h, ~0ULL, 1, buf), EINVAL);
	ASSERT_ERRNO(ACCESS_READ(fd, h, 1, ~0ULL, buf), EINVAL);
	ASSERT_ERRNO(ACCESS_READ(fd, h, ~0ULL - 15, 32, buf), EINVAL);
	ASSERT_ERRNO(ACCESS_READ(fd, h, 1ULL << 63, 1ULL << 63, buf), EINVAL);
	ASSERT_ERRNO(ACCESS_WRITE(fd, h, ~0ULL - 15, 32, buf), EINVAL);
	ASSERT_ERRNO(ACCESS_WRITE(fd, h, 16, ~0ULL - 15, buf), EINVAL);
	ASSERT_ALL_BYTES(buf, sizeof(buf), 0x3c);
	ACCESS_TEARDOWN();
}

/* A zero length does nothing and succeeds, whatever the buffer. */
TEST(access_zero_length_noop)
{
	char *want;
	ACCESS_SETUP(4, PINMGR_PIN_WRITE);

	ASSERT_EQ(ACCESS_READ(fd, h, 0, 0, NULL), 0);
	ASSERT_EQ(ACCESS_READ(fd, h, ps + 7, 0, NULL), 0);
	ASSERT_EQ(ACCESS_READ(fd, h, len, 0, NULL), 0);
	ASSERT_EQ(ACCESS_WRITE(fd, h, 0, 0, NULL), 0);
	ASSERT_EQ(ACCESS_WRITE(fd, h, 2 * ps, 0, (void *)16), 0);
	want = malloc(len);
	ASSERT_NE(want, NULL);
	pm_fill(want, len, 0, 1);
	ASSERT_MEMEQ(p, want, len);
	free(want);
	ACCESS_TEARDOWN();
}

/* A buffer the kernel cannot read or write: EFAULT; a read buffer stays untouched. */
TEST(access_bad_buffer_efault)
{
	void *kaddr = (void *)0xffff888000000000UL;
	char *ro, *none;
	ACCESS_SETUP(4, PINMGR_PIN_WRITE);

	ro = mmap(NULL, ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	none = mmap(NULL, ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(ro, MAP_FAILED);
	ASSERT_NE(none, MAP_FAILED);

	ASSERT_ERRNO(ACCESS_READ(fd, h, 0, 16, NULL), EFAULT);
	ASSERT_ERRNO(ACCESS_READ(fd, h, 0, 16, ro), EFAULT);
	ASSERT_ERRNO(ACCESS_READ(fd, h, 0, 16, none), EFAULT);
	ASSERT_ERRNO(ACCESS_READ(fd, h, 0, 16, kaddr), EFAULT);
	ASSERT_ALL_BYTES(ro, ps, 0);

	ASSERT_ERRNO(ACCESS_WRITE(fd, h, 0, 16, NULL), EFAULT);
	ASSERT_ERRNO(ACCESS_WRITE(fd, h, ps, 2 * ps, none), EFAULT);
	ASSERT_ERRNO(ACCESS_WRITE(fd, h, 0, 16, kaddr), EFAULT);

	munmap(ro, ps);
	munmap(none, ps);
	ACCESS_TEARDOWN();
}

/*
 * A write whose source buffer faults must not destroy what the lease holds
 * beyond the bytes it actually copied: the pages are memory a device may be
 * using, and the caller supplied nothing for them. (copy_from_user() pads
 * its destination with zeroes on a fault; the destination here is the pinned
 * page itself.) Each case starts from the pattern and checks the bytes the
 * failed request could not have copied.
 */
TEST(access_failed_write_leaves_pages_unchanged)
{
	void *kaddr = (void *)0xffff888000000000UL;
	char *want, *none, *half;
	ACCESS_SETUP(4, PINMGR_PIN_WRITE);

	want = malloc(len);
	ASSERT_NE(want, NULL);
	pm_fill(want, len, 0, 1);
	none = mmap(NULL, ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(none, MAP_FAILED);
	/* One readable page followed by an inaccessible one. */
	half = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(half, MAP_FAILED);
	memset(half, 0x4d, ps);
	ASSERT_EQ(mprotect(half + ps, ps, PROT_NONE), 0);

	ASSERT_ERRNO(ACCESS_WRITE(fd, h, 0, 16, NULL), EFAULT);
	ASSERT_MEMEQ(p, want, len);
	ASSERT_ERRNO(ACCESS_WRITE(fd, h, 100, 16, kaddr), EFAULT);
	ASSERT_MEMEQ(p, want, len);
	ASSERT_ERRNO(ACCESS_WRITE(fd, h, ps + 8, 2 * ps, none), EFAULT);
	ASSERT_MEMEQ(p, want, len);
	/*
	 * The first page's worth may be copied (the driver documents that
	 * bytes before the fault are); the second lease page must not change.
	 */
	ASSERT_ERRNO(ACCESS_WRITE(fd, h, 0, 2 * ps, half), EFAULT);
	ASSERT_MEMEQ(p + ps, want + ps, len - ps);

	munmap(none, ps);
	munmap(half, 2 * ps);
	free(want);
	ACCESS_TEARDOWN();
}

TEST(access_unknown_flags_eopnotsupp)
{
	static const __u32 bad[] = {
		1U << 1, 1U << 2, 1U << 31, PINMGR_ACCESS_WRITE | (1U << 7),
	};
	unsigned char buf[32];
	unsigned int i;
	ACCESS_SETUP(2, PINMGR_PIN_WRITE);

	memset(buf, 0x99, sizeof(buf));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ASSERT_ERRNO(pm_access(fd, h, 0, sizeof(buf), buf, bad[i]),
			     EOPNOTSUPP);
	ASSERT_ALL_BYTES(buf, sizeof(buf), 0x99);
	{
		char want[64];

		pm_fill(want, sizeof(want), 0, 1);
		ASSERT_MEMEQ(p, want, sizeof(want));
	}
	ACCESS_TEARDOWN();
}

/* ACCESS grows at its tail like every other structure. */
TEST(access_struct_size_rules)
{
	struct {
		struct pinmgr_access a;
		__u64 tail[2];
	} big;
	unsigned char buf[32];
	ACCESS_SETUP(1, 0);

	memset(&big, 0, sizeof(big));
	big.a.size = offsetof(struct pinmgr_access, buf);
	big.a.handle = h;
	big.a.length = sizeof(buf);
	big.a.buf = (__u64)(uintptr_t)buf;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_ACCESS, &big), EINVAL);

	big.a.size = sizeof(big);
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(ioctl(fd, PINMGR_IOC_ACCESS, &big), 0);
	ASSERT_MEMEQ(buf, p, sizeof(buf));

	big.tail[1] = 1;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_ACCESS, &big), E2BIG);
	ACCESS_TEARDOWN();
}

/* A handle that is no lease of this context: ENOENT. */
TEST(access_stale_handle_enoent)
{
	unsigned char buf[16];
	int fd2 = pm_open();
	__u64 h2;
	ACCESS_SETUP(2, PINMGR_PIN_WRITE);

	ASSERT_GE(fd2, 0);
	ASSERT_ERRNO(ACCESS_READ(fd, 0, 0, 1, buf), ENOENT);
	ASSERT_ERRNO(ACCESS_READ(fd, ~0ULL, 0, 1, buf), ENOENT);
	ASSERT_ERRNO(ACCESS_READ(fd, h + 1000, 0, 1, buf), ENOENT);

	/* Another context's lease, through this context: ENOENT. */
	h2 = PIN_OK(fd2, p, ps, PINMGR_PIN_WRITE);
	ASSERT_ERRNO(ACCESS_READ(fd, h2, 0, 1, buf), ENOENT);
	ASSERT_ERRNO(ACCESS_WRITE(fd, h2, 0, 1, buf), ENOENT);
	ASSERT_EQ(ACCESS_READ(fd2, h2, 0, 1, buf), 0);
	ASSERT_EQ(pm_unpin(fd2, h2), 0);
	ASSERT_ERRNO(ACCESS_READ(fd2, h2, 0, 1, buf), ENOENT);
	close(fd2);

	/* The lease once unpinned. */
	ASSERT_EQ(pm_unpin(fd, h), 0);
	ASSERT_ERRNO(ACCESS_READ(fd, h, 0, 1, buf), ENOENT);
	ASSERT_ERRNO(ACCESS_WRITE(fd, h, 0, 1, buf), ENOENT);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	close(fd);
	pm_unmap(p, len);
}

/* A forked child holds the file but not the mm: EPERM both ways. */
TEST(access_forked_child_eperm)
{
	unsigned char buf[64];
	pid_t pid;
	ACCESS_SETUP(4, PINMGR_PIN_WRITE);

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		memset(buf, 0x44, sizeof(buf));
		ASSERT_ERRNO(ACCESS_READ(fd, h, 0, sizeof(buf), buf), EPERM);
		ASSERT_ALL_BYTES(buf, sizeof(buf), 0x44);
		ASSERT_ERRNO(ACCESS_WRITE(fd, h, 0, sizeof(buf), buf), EPERM);
		ASSERT_ERRNO(ACCESS_READ(fd, h, 0, 0, NULL), EPERM);
		/*
		 * GET_SEGMENTS is not bound to the mm (the uapi names EPERM
		 * for a foreign mm only for PIN, UNPIN and ACCESS): with
		 * CAP_SYS_ADMIN the child may list the runs.
		 */
		if (pm_have_cap(CAP_SYS_ADMIN)) {
			struct pinmgr_segment *segs;
			__u32 nr;

			segs = pm_all_segments(fd, h, &nr);
			ASSERT_GE(nr, 1);
			ASSERT_EQ(segs[0].phys_addr % ps, 0);
			free(segs);
		}
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	/* The child's attempt wrote nothing into the parent's pages. */
	{
		char *want = malloc(len);

		ASSERT_NE(want, NULL);
		pm_fill(want, len, 0, 1);
		ASSERT_MEMEQ(p, want, len);
		ASSERT_EQ(ACCESS_READ(fd, h, 0, sizeof(buf), buf), 0);
		ASSERT_MEMEQ(buf, want, sizeof(buf));
		free(want);
	}
	ACCESS_TEARDOWN();
}

/* ---- ACCESS: pages the process cannot write either -------------------- */

/*
 * Untouched private anonymous memory, pinned for reading, is the shared zero
 * page: it reads zeroes and a read pin can never write it. GET_SEGMENTS shows
 * the same frame for both pages. Since 6.5 the kernel does not count pins of
 * the zero page (nr_foll_pin_acquired stays); mainline 6.1 did, Debian's 6.1
 * does not (see ta_assert_zero_page_pins()).
 */
TEST(access_zero_page_readonly)
{
	size_t ps = pm_page_size(), len = 2 * ps;
	char *p = pm_map_small_pages(len), *buf = malloc(len);
	struct pinmgr_segment *segs;
	struct pinmgr_pin pin;
	int fd = pm_open();
	long long base = pm_outstanding_pins();
	__u32 nr;

	ASSERT_GE(fd, 0);
	ASSERT_NE(buf, NULL);
	ASSERT_EQ(pm_pin(fd, p, len, 0, 0, &pin), 0);
	ASSERT_EQ(pin.out_nr_pages, 2);
	ta_assert_zero_page_pins(base, 2);
	ASSERT_EQ(pm_vmpin_kb(), (long long)(len / 1024));

	memset(buf, 0xff, len);
	ASSERT_EQ(ACCESS_READ(fd, pin.out_handle, 0, len, buf), 0);
	ASSERT_ALL_BYTES(buf, len, 0);
	memset(buf, 0x5e, len);
	ASSERT_ERRNO(ACCESS_WRITE(fd, pin.out_handle, 0, len, buf), EACCES);
	ASSERT_ERRNO(ACCESS_WRITE(fd, pin.out_handle, 10, 1, buf), EACCES);
	ASSERT_ALL_BYTES(p, len, 0);

	if (pm_have_cap(CAP_SYS_ADMIN)) {
		/* One frame twice: two runs that are the same page. */
		segs = pm_all_segments(fd, pin.out_handle, &nr);
		ASSERT_EQ(nr, 2);
		ASSERT_EQ(pin.out_nr_runs, 2);
		ASSERT_EQ(segs[0].phys_addr, segs[1].phys_addr);
		ASSERT_EQ(segs[0].length, ps);
		free(segs);
	}
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	/* The zero page is still all zeroes for everyone. */
	ASSERT_ALL_BYTES(p, len, 0);
	free(buf);
	close(fd);
	pm_unmap(p, len);
}

/*
 * The same with FOLL_LONGTERM, where 6.1 and 6.12 differ. Since 6.2 a
 * read-only long-term pin in a COW mapping unshares the zero page: the
 * lease holds fresh zeroed anonymous pages that the process maps, and a
 * later write by the process is seen through the lease. 6.1 pins the zero
 * page itself; the process's write then COWs away from it and the lease
 * keeps reading zeroes. Both read zeroes and refuse writes at first.
 */
TEST(access_zero_page_longterm_readonly)
{
	size_t ps = pm_page_size(), len = 2 * ps;
	char *z = pm_map_small_pages(ps);
	char *p = pm_map_small_pages(len), *buf = malloc(len);
	struct pinmgr_segment *segs;
	struct pinmgr_pin pin;
	int fd = pm_open();
	long long base = pm_outstanding_pins();
	int unshares = pm_kver() >= PM_KV(6, 2);
	__u64 zero_phys;
	__u32 nr;

	ASSERT_GE(fd, 0);
	ASSERT_NE(buf, NULL);
	if (!pm_have_cap(CAP_SYS_ADMIN))
		SKIP("needs CAP_SYS_ADMIN for GET_SEGMENTS");

	/* The zero page's frame, from a short-term pin. */
	ASSERT_EQ(pm_pin(fd, z, ps, 0, 0, &pin), 0);
	segs = pm_all_segments(fd, pin.out_handle, &nr);
	ASSERT_EQ(nr, 1);
	zero_phys = segs[0].phys_addr;
	free(segs);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);

	ASSERT_EQ(pm_pin(fd, p, len, PINMGR_PIN_LONGTERM, 0, &pin), 0);
	memset(buf, 0xff, len);
	ASSERT_EQ(ACCESS_READ(fd, pin.out_handle, 0, len, buf), 0);
	ASSERT_ALL_BYTES(buf, len, 0);
	ASSERT_ERRNO(ACCESS_WRITE(fd, pin.out_handle, 0, len, buf), EACCES);
	segs = pm_all_segments(fd, pin.out_handle, &nr);
	ASSERT_EQ(nr, pin.out_nr_runs);
	if (unshares) {
		__u32 i;

		for (i = 0; i < nr; i++)
			ASSERT_TRUE(zero_phys < segs[i].phys_addr ||
				    zero_phys >= segs[i].phys_addr +
						 segs[i].length);
		ASSERT_EQ(pm_outstanding_pins() - base, 2);
	} else {
		ASSERT_EQ(nr, 2);
		ASSERT_EQ(segs[0].phys_addr, zero_phys);
		ASSERT_EQ(segs[1].phys_addr, zero_phys);
		ta_assert_zero_page_pins(base, 2);
	}
	free(segs);

	/* The process writes its memory; does the lease see it? */
	memset(p, 0x6b, len);
	ASSERT_EQ(ACCESS_READ(fd, pin.out_handle, 0, len, buf), 0);
	if (unshares)
		ASSERT_ALL_BYTES(buf, len, 0x6b);
	else
		ASSERT_ALL_BYTES(buf, len, 0);

	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	free(buf);
	close(fd);
	pm_unmap(p, len);
	pm_unmap(z, ps);
}

/*
 * A read-only pin of a file's page cache through a shared read-only mapping
 * (never COW, so the page cache itself on every kernel): reads the file's
 * bytes, follows later writes to the file (it is the page cache page), and
 * can never be written through the lease.
 */
static void ta_pagecache_readonly(const char *dir)
{
	size_t ps = pm_page_size(), len = 8 * ps;
	static const __u32 flags[] = { 0, PINMGR_PIN_LONGTERM };
	char path[512], *want, *buf, *m;
	int fd = pm_open(), wfd, rfd;
	long long base = pm_outstanding_pins();
	struct pinmgr_pin pin;
	unsigned int i;

	ASSERT_GE(fd, 0);
	snprintf(path, sizeof(path), "%s/pinmgr-access-%d", dir, getpid());
	wfd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_GE(wfd, 0);
	rfd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_GE(rfd, 0);
	ASSERT_EQ(unlink(path), 0);
	want = malloc(len);
	buf = malloc(len);
	ASSERT_TRUE(want && buf);
	pm_fill(want, len, 0, 33);
	ASSERT_EQ(pwrite(wfd, want, len, 0), (ssize_t)len);
	ASSERT_EQ(fsync(wfd), 0);

	m = mmap(NULL, len, PROT_READ, MAP_SHARED, rfd, 0);
	ASSERT_NE(m, MAP_FAILED);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(pm_pin(fd, m, len, flags[i], 0, &pin), 0);
		ASSERT_EQ(pin.out_nr_pages, 8);
		memset(buf, 0, len);
		ASSERT_EQ(ACCESS_READ(fd, pin.out_handle, 0, len, buf), 0);
		ASSERT_MEMEQ(buf, want, len);

		memset(buf, 0xd1, len);
		ASSERT_ERRNO(ACCESS_WRITE(fd, pin.out_handle, 0, len, buf),
			     EACCES);
		ASSERT_ERRNO(ACCESS_WRITE(fd, pin.out_handle, ps - 1, 2, buf),
			     EACCES);
		ASSERT_EQ(pread(rfd, buf, len, 0), (ssize_t)len);
		ASSERT_MEMEQ(buf, want, len);

		/* The lease holds the page cache: a write(2) shows through. */
		pm_fill(want + 2 * ps + 5, 100, 0, 40 + i);
		ASSERT_EQ(pwrite(wfd, want + 2 * ps + 5, 100, 2 * ps + 5), 100);
		ASSERT_EQ(ACCESS_READ(fd, pin.out_handle, 0, len, buf), 0);
		ASSERT_MEMEQ(buf, want, len);
		ASSERT_MEMEQ(m, want, len);
		ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	}
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	munmap(m, len);
	close(rfd);
	close(wfd);
	close(fd);
	free(want);
	free(buf);
}

TEST(access_pagecache_tmpfs_readonly)
{
	ta_pagecache_readonly("/dev/shm");
}

TEST(access_pagecache_extfs_readonly)
{
	const char *dir = getenv("PINMGR_EXTFS");

	if (!dir || !*dir)
		SKIP_NEEDS("extfs", "PINMGR_EXTFS is not set (no ext2/ext4 file system mounted)");
	ta_pagecache_readonly(dir);
}

/* ---- GET_SEGMENTS ----------------------------------------------------- */

/*
 * As root: out_total is the lease's run count, the runs cover the lease
 * exactly, are page aligned and maximal (no run continues the previous one),
 * and expanded page by page they are the frames /proc/self/pagemap shows for
 * the pinned range, in address order.
 */
TEST(segments_describe_the_lease)
{
	size_t ps = pm_page_size(), n = 128, len = n * ps, total = 0, pg = 0;
	struct pinmgr_segment *segs;
	struct pinmgr_query q;
	struct pinmgr_pin pin;
	char *p = pm_map_small_pages(len);
	int fd = pm_open();
	__u32 nr, i;
	__u64 k;

	ASSERT_GE(fd, 0);
	if (!pm_have_cap(CAP_SYS_ADMIN))
		SKIP("needs CAP_SYS_ADMIN");
	/* Forward in the first half (longer runs), backwards in the rest. */
	memset(p, 0x21, len / 2);
	ta_touch_reverse(p + len / 2, len / 2);
	ASSERT_EQ(pm_pin(fd, p, len, PINMGR_PIN_WRITE, 0, &pin), 0);
	ASSERT_EQ(pm_query(fd, pin.out_handle, &q), 0);
	segs = pm_all_segments(fd, pin.out_handle, &nr);
	ASSERT_EQ(nr, q.out_nr_runs);
	ASSERT_EQ(nr, pin.out_nr_runs);
	for (i = 0; i < nr; i++) {
		ASSERT_EQ(segs[i].phys_addr % ps, 0);
		ASSERT_EQ(segs[i].length % ps, 0);
		ASSERT_GT(segs[i].length, 0);
		if (i)
			ASSERT_NE(segs[i - 1].phys_addr + segs[i - 1].length,
				  segs[i].phys_addr);
		total += segs[i].length;
		for (k = 0; k < segs[i].length / ps; k++, pg++)
			ASSERT_EQ(pm_pagemap_pfn(p + pg * ps),
				  (long long)(segs[i].phys_addr / ps + k));
	}
	ASSERT_EQ(total, len);
	ASSERT_EQ(total, q.out_length);
	free(segs);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	close(fd);
	pm_unmap(p, len);
}

/* A smaller array gets the first entries and no more; out_total is all. */
TEST(segments_capacity_smaller_than_total)
{
	size_t ps = pm_page_size(), len = 64 * ps;
	struct pinmgr_segment *all, part[8];
	struct pinmgr_get_segments g;
	char *p = pm_map_small_pages(len);
	int fd = pm_open();
	__u32 nr, cap, i;
	__u64 h;

	ASSERT_GE(fd, 0);
	if (!pm_have_cap(CAP_SYS_ADMIN))
		SKIP("needs CAP_SYS_ADMIN");
	ta_touch_reverse(p, len);
	h = PIN_OK(fd, p, len, 0);
	all = pm_all_segments(fd, h, &nr);
	if (nr < 2)
		SKIP("the 64 pages formed a single run: nothing to truncate");
	for (cap = 1; cap < nr && cap < 8; cap++) {
		memset(part, 0xab, sizeof(part));
		ASSERT_EQ(ta_segments(fd, h, part, cap, &g), 0);
		ASSERT_EQ(g.nr_segments, cap);
		ASSERT_EQ(g.out_total, nr);
		for (i = 0; i < cap; i++) {
			ASSERT_EQ(part[i].phys_addr, all[i].phys_addr);
			ASSERT_EQ(part[i].length, all[i].length);
		}
		/* Nothing written past the capacity. */
		ASSERT_ALL_BYTES(&part[cap], (8 - cap) * sizeof(part[0]), 0xab);
	}
	/* A larger array than needed: exactly the runs. */
	{
		struct pinmgr_segment *big = calloc(nr + 4, sizeof(*big));

		ASSERT_NE(big, NULL);
		memset(big, 0xcd, (nr + 4) * sizeof(*big));
		ASSERT_EQ(ta_segments(fd, h, big, nr + 4, &g), 0);
		ASSERT_EQ(g.nr_segments, nr);
		ASSERT_EQ(g.out_total, nr);
		ASSERT_ALL_BYTES(&big[nr], 4 * sizeof(*big), 0xcd);
		free(big);
	}
	free(all);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	close(fd);
	pm_unmap(p, len);
}

/* segments = 0 and nr_segments = 0: only the count. */
TEST(segments_total_only)
{
	struct pinmgr_get_segments g;
	struct pinmgr_query q;
	ACCESS_SETUP(16, 0);

	if (!pm_have_cap(CAP_SYS_ADMIN))
		SKIP("needs CAP_SYS_ADMIN");
	ASSERT_EQ(pm_query(fd, h, &q), 0);
	memset(&g, 0, sizeof(g));
	g.size = sizeof(g);
	g.handle = h;
	g.nr_segments = 0;
	g.out_total = 12345;
	ASSERT_EQ(ioctl(fd, PINMGR_IOC_GET_SEGMENTS, &g), 0);
	ASSERT_EQ(g.nr_segments, 0);
	ASSERT_EQ(g.out_total, q.out_nr_runs);
	ASSERT_GE(g.out_total, 1);
	ACCESS_TEARDOWN();
}

/* A capacity with no array, or an array the kernel cannot write: EFAULT. */
TEST(segments_bad_array_efault)
{
	struct pinmgr_get_segments g;
	char *ro;
	ACCESS_SETUP(4, 0);

	if (!pm_have_cap(CAP_SYS_ADMIN))
		SKIP("needs CAP_SYS_ADMIN");
	ASSERT_ERRNO(ta_segments(fd, h, NULL, 4, &g), EFAULT);
	ro = mmap(NULL, ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(ro, MAP_FAILED);
	ASSERT_ERRNO(ta_segments(fd, h, (void *)ro, 4, &g), EFAULT);
	ASSERT_ALL_BYTES(ro, ps, 0);
	munmap(ro, ps);
	ACCESS_TEARDOWN();
}

TEST(segments_unknown_flags_eopnotsupp)
{
	struct pinmgr_segment segs[4];
	struct pinmgr_get_segments g;
	ACCESS_SETUP(4, 0);

	memset(&g, 0, sizeof(g));
	g.size = sizeof(g);
	g.handle = h;
	g.segments = (__u64)(uintptr_t)segs;
	g.nr_segments = 4;
	g.flags = 1;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_GET_SEGMENTS, &g), EOPNOTSUPP);
	g.flags = 1U << 31;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_GET_SEGMENTS, &g), EOPNOTSUPP);
	ACCESS_TEARDOWN();
}

TEST(segments_reserved_nonzero_einval)
{
	struct pinmgr_segment segs[4];
	struct pinmgr_get_segments g;
	ACCESS_SETUP(4, 0);

	memset(&g, 0, sizeof(g));
	g.size = sizeof(g);
	g.handle = h;
	g.segments = (__u64)(uintptr_t)segs;
	g.nr_segments = 4;
	g.__reserved = 1;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_GET_SEGMENTS, &g), EINVAL);
	g.__reserved = 0x80000000U;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_GET_SEGMENTS, &g), EINVAL);
	ACCESS_TEARDOWN();
}

TEST(segments_stale_handle_enoent)
{
	struct pinmgr_segment segs[4];
	struct pinmgr_get_segments g;
	ACCESS_SETUP(4, 0);

	if (!pm_have_cap(CAP_SYS_ADMIN))
		SKIP("needs CAP_SYS_ADMIN");
	ASSERT_ERRNO(ta_segments(fd, 0, segs, 4, &g), ENOENT);
	ASSERT_ERRNO(ta_segments(fd, h + 1000, segs, 4, &g), ENOENT);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	ASSERT_ERRNO(ta_segments(fd, h, segs, 4, &g), ENOENT);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	close(fd);
	pm_unmap(p, len);
}

/*
 * Root without CAP_SYS_ADMIN (dropped from the effective and permitted
 * sets) may not see physical addresses, even of its own lease, while
 * everything else still works.
 */
TEST(segments_without_cap_sys_admin_eperm)
{
	struct pinmgr_segment segs[4];
	struct pinmgr_get_segments g;
	struct pinmgr_query q;
	unsigned char buf[64];
	ACCESS_SETUP(4, 0);

	if (!pm_have_cap(CAP_SYS_ADMIN))
		SKIP("needs CAP_SYS_ADMIN to drop it");
	ASSERT_EQ(pm_drop_cap(CAP_SYS_ADMIN), 0);
	ASSERT_FALSE(pm_have_cap(CAP_SYS_ADMIN));
	memset(segs, 0x11, sizeof(segs));
	ASSERT_ERRNO(ta_segments(fd, h, segs, 4, &g), EPERM);
	ASSERT_ERRNO(ta_segments(fd, h, NULL, 0, &g), EPERM);
	ASSERT_ALL_BYTES(segs, sizeof(segs), 0x11);
	/* The rest of the lease's interface is not privileged. */
	ASSERT_EQ(pm_query(fd, h, &q), 0);
	ASSERT_EQ(ACCESS_READ(fd, h, 0, sizeof(buf), buf), 0);
	ASSERT_MEMEQ(buf, p, sizeof(buf));
	/* A lease pinned after the drop is no different. */
	{
		__u64 h2 = PIN_OK(fd, p, ps, 0);

		ASSERT_ERRNO(ta_segments(fd, h2, segs, 4, &g), EPERM);
		ASSERT_EQ(pm_unpin(fd, h2), 0);
	}
	ACCESS_TEARDOWN();
}

/* An ordinary user has no CAP_SYS_ADMIN: EPERM. */
TEST(segments_unprivileged_user_eperm)
{
	size_t ps = pm_page_size();
	struct pinmgr_segment segs[4];
	struct pinmgr_get_segments g;
	unsigned char buf[32];
	char *p = pm_map_anon(2 * ps);
	int fd;
	__u64 h;

	ASSERT_NE(p, NULL);
	if (geteuid() != 0)
		SKIP("needs root to become uid %d", PM_NOBODY);
	pm_fill(p, 2 * ps, 0, 9);
	ASSERT_EQ(pm_become_nobody(), 0);
	ASSERT_FALSE(pm_have_cap(CAP_SYS_ADMIN));
	fd = pm_open();
	ASSERT_GE(fd, 0);
	h = PIN_OK(fd, p, 2 * ps, PINMGR_PIN_WRITE);
	ASSERT_ERRNO(ta_segments(fd, h, segs, 4, &g), EPERM);
	ASSERT_ERRNO(ta_segments(fd, h, NULL, 0, &g), EPERM);
	/* ACCESS needs no privilege. */
	ASSERT_EQ(ACCESS_READ(fd, h, ps - 16, sizeof(buf), buf), 0);
	ASSERT_MEMEQ(buf, p + ps - 16, sizeof(buf));
	ASSERT_EQ(pm_unpin(fd, h), 0);
	close(fd);
	pm_unmap(p, 2 * ps);
}

/* ---- How runs are stored ---------------------------------------------- */

/*
 * 64 MiB backed by transparent huge pages, pinned long-term: one run per
 * 2 MiB page at most (32), each run 2 MiB aligned, and the bookkeeping a
 * small array of runs, not one entry per 4 KiB page (16384).
 */
TEST_TIMEOUT(runs_thp_64m_longterm_few_runs, 300)
{
	size_t len = 64 * MiB, npages = len / pm_page_size();
	long long thp0 = pm_anon_huge_kb(), thp_kb;
	struct pinmgr_query q;
	struct pinmgr_pin pin;
	char *p, *buf;
	int fd = pm_open();
	long long base = pm_outstanding_pins();

	ASSERT_GE(fd, 0);
	p = pm_map_thp(len);
	ASSERT_NE(p, NULL);
	thp_kb = pm_anon_huge_kb() - (thp0 > 0 ? thp0 : 0);
	if (thp_kb <= 0)
		SKIP("no AnonHugePages for the 64 MiB range (THP unavailable)");
	if (thp_kb < (long long)(len / 1024))
		SKIP("only %lld of %zu kB backed by huge pages: run count would measure fragmentation",
		     thp_kb, len / 1024);
	pm_fill(p + 3 * MiB - 50, 100, 0, 5);

	ASSERT_EQ(pm_pin(fd, p, len, PINMGR_PIN_LONGTERM, 0, &pin), 0);
	ASSERT_EQ(pin.out_nr_pages, npages);
	ASSERT_GE(pin.out_nr_runs, 1);
	ASSERT_LE(pin.out_nr_runs, 64);
	ASSERT_EQ(pm_query(fd, pin.out_handle, &q), 0);
	ASSERT_EQ(q.out_nr_runs, pin.out_nr_runs);
	ASSERT_GT(q.out_metadata_bytes, 0);
	ASSERT_LE(q.out_metadata_bytes, 4096 + 64 * SEG_BYTES);
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)npages);
	pm_diag("64 MiB of THP: %llu runs, %llu bytes of metadata",
		(unsigned long long)q.out_nr_runs,
		(unsigned long long)q.out_metadata_bytes);

	if (pm_have_cap(CAP_SYS_ADMIN)) {
		struct pinmgr_segment *segs;
		__u32 nr, i;

		segs = pm_all_segments(fd, pin.out_handle, &nr);
		ASSERT_EQ(nr, pin.out_nr_runs);
		for (i = 0; i < nr; i++) {
			ASSERT_EQ(segs[i].phys_addr % THP_SIZE, 0);
			ASSERT_EQ(segs[i].length % THP_SIZE, 0);
		}
		free(segs);
	}
	/* Reads across a huge page boundary come from the right pages. */
	buf = malloc(100);
	ASSERT_NE(buf, NULL);
	ASSERT_EQ(ACCESS_READ(fd, pin.out_handle, 3 * MiB - 50, 100, buf), 0);
	ASSERT_MEMEQ(buf, p + 3 * MiB - 50, 100);
	ASSERT_EQ(ACCESS_READ(fd, pin.out_handle, 4 * MiB - 50, 100, buf), 0);
	ASSERT_MEMEQ(buf, p + 4 * MiB - 50, 100);
	free(buf);

	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	close(fd);
	pm_unmap(p, len);
}

/*
 * 4 MiB of 4 KiB pages (MADV_NOHUGEPAGE), faulted backwards so that they
 * form many runs: the bookkeeping grows with the runs (at least one 8-byte
 * entry per run) and stays within a factor of two of that, plus a constant.
 */
TEST_TIMEOUT(runs_4k_metadata_proportional, 120)
{
	size_t len = 4 * MiB, npages = len / pm_page_size();
	struct pinmgr_query q;
	struct pinmgr_pin pin;
	char *p = pm_map_small_pages(len);
	int fd = pm_open();
	long long base = pm_outstanding_pins();
	__u64 cap;

	ASSERT_GE(fd, 0);
	ta_touch_reverse(p, len);
	ASSERT_EQ(pm_pin(fd, p, len, PINMGR_PIN_WRITE, 0, &pin), 0);
	ASSERT_EQ(pin.out_nr_pages, npages);
	ASSERT_GE(pin.out_nr_runs, 1);
	ASSERT_LE(pin.out_nr_runs, npages);
	ASSERT_EQ(pm_query(fd, pin.out_handle, &q), 0);
	ASSERT_EQ(q.out_nr_runs, pin.out_nr_runs);
	pm_diag("4 MiB of 4 KiB pages: %llu runs, %llu bytes of metadata",
		(unsigned long long)q.out_nr_runs,
		(unsigned long long)q.out_metadata_bytes);
	ASSERT_GE(q.out_metadata_bytes, q.out_nr_runs * SEG_BYTES);
	cap = q.out_nr_runs < 16 ? 16 : q.out_nr_runs;
	ASSERT_LE(q.out_metadata_bytes, 4096 + 2 * cap * SEG_BYTES);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	close(fd);
	pm_unmap(p, len);
}

/* ---- ACCESS racing its own file's UNPIN ---------------------------------- */

struct x_race {
	int fd;
	__u64 h;
	char *dst;
	size_t len;
	int ret, err;
};

static void *x_race_access(void *arg)
{
	struct x_race *r = arg;

	r->ret = ACCESS_READ(r->fd, r->h, 0, r->len, r->dst);
	r->err = errno;
	return NULL;
}

/*
 * ACCESS racing an UNPIN of the same lease from another thread: it copies
 * the lease's bytes, or fails with ENOENT once the owner has let go of it
 * mid-way, when the pages go at once (a watched lease) or to a dma-buf of
 * it (HELD). It never succeeds with bytes that are not the lease's: it
 * did, for those two, with its bounce buffer's stale or uninitialised
 * bytes in place of the pages it could no longer have.
 */
TEST_TIMEOUT(access_racing_unpin_copies_the_lease_or_fails, 300)
{
	size_t len = 64 * pm_page_size();
	bool watch = pm_feature(PINMGR_FEATURE_WATCH);
	bool export = pm_feature(PINMGR_FEATURE_EXPORT);
	int fd = pm_open(), round, lost = 0, dbuf;
	char *buf = pm_map_small_pages(len), *dst = malloc(len);
	struct x_race r = { .fd = fd, .dst = dst, .len = len };
	pthread_t thread;
	volatile unsigned int spin;
	unsigned int i;

	ASSERT_NE(dst, NULL);
	if (!watch && !export)
		pm_skip_feature(PINMGR_FEATURE_WATCH, "watched or exported leases");
	for (round = 0; round < 300; round++) {
		__u32 flags = PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM;
		bool exported = export && (!watch || round % 2);

		if (!exported)
			flags |= PINMGR_PIN_WATCH;
		pm_fill(buf, len, 0, round);
		r.h = PIN_OK(fd, buf, len, flags);
		dbuf = exported ? pm_export(fd, r.h) : -1;
		ASSERT_EQ(exported, dbuf >= 0);
		memset(dst, 0, len);
		ASSERT_EQ(pthread_create(&thread, NULL, x_race_access, &r), 0);
		for (spin = 0, i = 0; i < (unsigned int)round * 7919 % 2000000; i++)
			spin++;
		ASSERT_EQ(pm_unpin(fd, r.h), 0);
		ASSERT_EQ(pthread_join(thread, NULL), 0);
		if (r.ret) {
			ASSERT_EQ(r.err, ENOENT);
			lost++;
		} else {
			ASSERT_PATTERN(dst, len, 0, round);
		}
		if (dbuf >= 0)
			close(dbuf);
	}
	pm_diag("%d of %d ACCESSes lost the race to UNPIN", lost, round);
	free(dst);
	pm_unmap(buf, len);
	close(fd);
}

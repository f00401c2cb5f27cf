// SPDX-License-Identifier: GPL-2.0-only
/*
 * PIN_VEC: many ranges in one call, each its own lease, all or nothing; and
 * when it fails, the index of the range at fault.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include <linux/capability.h>

#include "harness.h"

/* What a failed PIN_VEC may leave behind: nothing at all. */
#define ASSERT_VEC_LEFT_NOTHING(fd, base)				\
	do {								\
		struct pinmgr_info _i;					\
		ASSERT_EQ(pm_outstanding_pins() - (base), 0);		\
		ASSERT_EQ(pm_vmpin_kb(), 0);				\
		ASSERT_EQ(pm_get_info((fd), &_i), 0);			\
		ASSERT_EQ(_i.ctx_leases, 0);				\
		ASSERT_EQ(_i.ctx_pinned_pages, 0);			\
		ASSERT_EQ(_i.device_leases, 0);				\
		ASSERT_EQ(_i.device_pinned_pages, 0);			\
	} while (0)

/* @n ranges of @pages pages each, back to back from @p, flags varying. */
static struct pinmgr_pin_range *tv_ranges(char *p, unsigned int n,
					  size_t pages)
{
	size_t len = pages * pm_page_size();
	struct pinmgr_pin_range *r = calloc(n, sizeof(*r));
	unsigned int i;

	ASSERT_NE(r, NULL);
	for (i = 0; i < n; i++) {
		r[i].addr = (__u64)(uintptr_t)(p + i * len);
		r[i].length = len;
		r[i].cookie = 0xc0de0000ull + i;
		r[i].flags = i % 4 == 1 ? PINMGR_PIN_WRITE :
			     i % 4 == 2 ? PINMGR_PIN_LONGTERM :
			     i % 4 == 3 ? PINMGR_PIN_WRITE |
					  PINMGR_PIN_LONGTERM : 0;
	}
	return r;
}

/* PIN_VEC expected to fail with @err at range @index, leaving nothing. */
#define ASSERT_VEC_FAILS(fd, r, n, err, index)				\
	do {								\
		struct pinmgr_pin_vec _v;				\
		ASSERT_ERRNO(pm_pin_vec((fd), (r), (n), sizeof(*(r)), &_v), \
			     (err));					\
		ASSERT_EQ(_v.out_error_index, (index));			\
	} while (0)

TEST(pin_vec_each_range_its_own_lease)
{
	unsigned int n = 256, i;
	size_t ps = pm_page_size(), pages = 16;
	char *p = pm_map_anon(n * pages * ps);
	struct pinmgr_pin_range *r = tv_ranges(p, n, pages);
	__u64 *listed = calloc(n, sizeof(*listed));
	struct pinmgr_pin_vec v;
	struct pinmgr_query q;
	struct pinmgr_info info;
	struct pinmgr_list l;
	int fd = pm_open();
	long long base = pm_outstanding_pins();

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	ASSERT_NE(listed, NULL);
	ASSERT_EQ(pm_pin_vec(fd, r, n, sizeof(*r), &v), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)(n * pages));
	ASSERT_EQ(pm_vmpin_kb(), (long long)(n * pages * ps / 1024));
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.ctx_leases, n);
	ASSERT_EQ(info.ctx_pinned_pages, n * pages);

	for (i = 0; i < n; i++) {
		ASSERT_NE(r[i].out_handle, 0);
		ASSERT_EQ(pm_query(fd, r[i].out_handle, &q), 0);
		ASSERT_EQ(q.out_addr, r[i].addr);
		ASSERT_EQ(q.out_length, r[i].length);
		ASSERT_EQ(q.out_cookie, r[i].cookie);
		ASSERT_EQ(q.out_pin_flags, r[i].flags);
		ASSERT_EQ(q.out_nr_pages, pages);
	}
	/* Created in the order of the ranges, and each handle once. */
	ASSERT_EQ(pm_list(fd, listed, n, &l), 0);
	ASSERT_EQ(l.out_total, n);
	for (i = 0; i < n; i++)
		ASSERT_EQ(listed[i], r[i].out_handle);

	/* Independent leases: ending one leaves the others. */
	ASSERT_EQ(pm_unpin(fd, r[7].out_handle), 0);
	ASSERT_ERRNO(pm_query(fd, r[7].out_handle, &q), ENOENT);
	ASSERT_EQ(pm_query(fd, r[8].out_handle, &q), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)((n - 1) * pages));
	for (i = 0; i < n; i++)
		if (i != 7)
			ASSERT_EQ(pm_unpin(fd, r[i].out_handle), 0);
	ASSERT_VEC_LEFT_NOTHING(fd, base);
	free(listed);
	free(r);
	close(fd);
	pm_unmap(p, n * pages * ps);
}

/* Data written through the mapping is what each lease holds. */
TEST(pin_vec_leases_hold_their_ranges)
{
	unsigned int n = 8, i;
	size_t ps = pm_page_size(), pages = 3;
	char *p = pm_map_anon(n * pages * ps), *buf = malloc(pages * ps);
	struct pinmgr_pin_range *r = tv_ranges(p, n, pages);
	struct pinmgr_pin_vec v;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(buf, NULL);
	pm_fill(p, n * pages * ps, 0, 33);
	ASSERT_EQ(pm_pin_vec(fd, r, n, sizeof(*r), &v), 0);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(ACCESS_READ(fd, r[i].out_handle, 0, pages * ps, buf),
			  0);
		ASSERT_PATTERN(buf, pages * ps, i * pages * ps, 33);
	}
	free(buf);
	free(r);
	close(fd);
	pm_unmap(p, n * pages * ps);
}

/* A caller with a bigger range structure: zero tails pass, stride is kept. */
TEST(pin_vec_larger_range_size)
{
	struct big_range {
		struct pinmgr_pin_range r;
		__u64 future[3];
	} big[4];
	size_t ps = pm_page_size();
	char *p = pm_map_anon(4 * ps);
	struct pinmgr_pin_vec v;
	unsigned int i;
	int fd = pm_open();
	long long base = pm_outstanding_pins();

	ASSERT_GE(fd, 0);
	memset(big, 0, sizeof(big));
	for (i = 0; i < 4; i++) {
		big[i].r.addr = (__u64)(uintptr_t)(p + i * ps);
		big[i].r.length = ps;
	}
	ASSERT_EQ(pm_pin_vec(fd, big, 4, sizeof(big[0]), &v), 0);
	for (i = 0; i < 4; i++) {
		ASSERT_NE(big[i].r.out_handle, 0);
		/* Nothing written past the kernel's structure. */
		ASSERT_EQ(big[i].future[0] | big[i].future[1] |
			  big[i].future[2], 0);
		ASSERT_EQ(pm_unpin(fd, big[i].r.out_handle), 0);
	}

	/* A non-zero tail is a field this kernel does not know. */
	big[2].future[1] = 1;
	ASSERT_ERRNO(pm_pin_vec(fd, big, 4, sizeof(big[0]), &v), E2BIG);
	ASSERT_EQ(v.out_error_index, 2);
	ASSERT_VEC_LEFT_NOTHING(fd, base);
	close(fd);
	pm_unmap(p, 4 * ps);
}

/* Every defect of one range fails the call at that range's index. */
TEST(pin_vec_bad_range_fails_at_its_index)
{
	unsigned int n = 6;
	size_t ps = pm_page_size();
	char *p = pm_map_anon(n * ps);
	struct pinmgr_pin_range *r = tv_ranges(p, n, 1), keep;
	int fd = pm_open();
	long long base = pm_outstanding_pins();

	ASSERT_GE(fd, 0);
	keep = r[4];
	r[4].flags = 1u << 7;
	ASSERT_VEC_FAILS(fd, r, n, EOPNOTSUPP, 4);
	r[4] = keep;
	r[4].__reserved = 1;
	ASSERT_VEC_FAILS(fd, r, n, EINVAL, 4);
	r[4] = keep;
	r[4].length = 0;
	ASSERT_VEC_FAILS(fd, r, n, EINVAL, 4);
	r[4] = keep;
	r[4].addr += 8;
	ASSERT_VEC_FAILS(fd, r, n, EINVAL, 4);
	r[4] = keep;
	r[4].length = ps + 1;
	ASSERT_VEC_FAILS(fd, r, n, EINVAL, 4);
	r[4] = keep;
	r[4].addr = 0xfffffffffffff000ull;
	r[4].length = 2 * ps;
	ASSERT_VEC_FAILS(fd, r, n, EINVAL, 4);
	r[4] = keep;
	r[4].addr = 0xffff800000000000ull;
	ASSERT_VEC_FAILS(fd, r, n, EFAULT, 4);
	r[4] = keep;
	/* The first bad range is the one reported. */
	r[1].flags = 1u << 9;
	r[3].length = 0;
	ASSERT_VEC_FAILS(fd, r, n, EOPNOTSUPP, 1);
	ASSERT_VEC_LEFT_NOTHING(fd, base);
	free(r);
	close(fd);
	pm_unmap(p, n * ps);
}

/*
 * A range that the kernel refuses only while pinning (a hole, PROT_NONE, a
 * write pin of read-only memory), after earlier ranges were pinned: those
 * are undone and the index names the refused range.
 */
TEST(pin_vec_pin_failure_undoes_earlier_ranges)
{
	unsigned int n = 40;
	size_t ps = pm_page_size(), pages = 4;
	char *p = pm_map_anon(n * pages * ps);
	struct pinmgr_pin_range *r = tv_ranges(p, n, pages);
	int fd = pm_open();
	long long base = pm_outstanding_pins();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(mprotect(p + 30 * pages * ps, pages * ps, PROT_READ), 0);
	r[30].flags = PINMGR_PIN_WRITE;
	ASSERT_VEC_FAILS(fd, r, n, EFAULT, 30);
	ASSERT_VEC_LEFT_NOTHING(fd, base);
	r[30].flags = 0;
	ASSERT_EQ(mprotect(p + 21 * pages * ps, ps, PROT_NONE), 0);
	ASSERT_VEC_FAILS(fd, r, n, EFAULT, 21);
	ASSERT_VEC_LEFT_NOTHING(fd, base);
	ASSERT_EQ(munmap(p + 39 * pages * ps + ps, ps), 0);
	ASSERT_EQ(mprotect(p + 21 * pages * ps, ps, PROT_READ | PROT_WRITE), 0);
	ASSERT_VEC_FAILS(fd, r, n, EFAULT, 39);
	ASSERT_VEC_LEFT_NOTHING(fd, base);
	free(r);
	close(fd);
	pm_unmap(p, 39 * pages * ps + ps);
	pm_unmap(p + 39 * pages * ps + 2 * ps, 2 * ps);
}

/* The per-context lease limit and RLIMIT_MEMLOCK, reached mid-vector. */
TEST(pin_vec_limits_fail_at_the_range_over)
{
	unsigned int n = 10;
	size_t ps = pm_page_size();
	char *p = pm_map_anon(n * ps);
	struct pinmgr_pin_range *r = tv_ranges(p, n, 1);
	struct rlimit rl = { 6 * ps, 6 * ps };
	int fd = pm_open();
	long long base = pm_outstanding_pins();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(pm_param_write("max_leases", 7), 0);
	ASSERT_VEC_FAILS(fd, r, n, EMFILE, 7);
	ASSERT_VEC_LEFT_NOTHING(fd, base);
	ASSERT_EQ(pm_param_write("max_leases", 0), 0);

	ASSERT_EQ(pm_drop_cap(CAP_IPC_LOCK), 0);
	ASSERT_EQ(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
	ASSERT_VEC_FAILS(fd, r, n, EDQUOT, 6);
	ASSERT_VEC_LEFT_NOTHING(fd, base);
	free(r);
	close(fd);
	pm_unmap(p, n * ps);
}

/* Handles that cannot be written back: nothing is pinned. */
TEST(pin_vec_readonly_ranges_efault)
{
	unsigned int n = 4, i;
	size_t ps = pm_page_size();
	char *p = pm_map_anon(n * ps);
	struct pinmgr_pin_range *src = tv_ranges(p, n, 1), *r;
	struct pinmgr_pin_vec v;
	int fd = pm_open();
	long long base = pm_outstanding_pins();

	ASSERT_GE(fd, 0);
	r = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(r, MAP_FAILED);
	memcpy(r, src, n * sizeof(*r));
	ASSERT_EQ(mprotect(r, ps, PROT_READ), 0);
	ASSERT_ERRNO(pm_pin_vec(fd, r, n, sizeof(*r), &v), EFAULT);
	/* Read, pinned, then the first handle could not be written. */
	ASSERT_EQ(v.out_error_index, 0);
	ASSERT_VEC_LEFT_NOTHING(fd, base);
	for (i = 0; i < n; i++)
		ASSERT_EQ(r[i].out_handle, 0);
	munmap(r, ps);
	free(src);
	close(fd);
	pm_unmap(p, n * ps);
}

/* Defects of the call itself: index nr_ranges, or no reply at all. */
TEST(pin_vec_bad_call)
{
	unsigned int n = 3;
	size_t ps = pm_page_size();
	char *p = pm_map_anon(n * ps);
	struct pinmgr_pin_range *r = tv_ranges(p, n, 1);
	struct pinmgr_pin_vec v;
	int fd = pm_open();
	long long base = pm_outstanding_pins();

	ASSERT_GE(fd, 0);
	ASSERT_ERRNO(pm_pin_vec(fd, r, 0, sizeof(*r), &v), EINVAL);
	ASSERT_EQ(v.out_error_index, 0);
	ASSERT_ERRNO(pm_pin_vec(fd, r, PINMGR_PIN_VEC_MAX + 1, sizeof(*r), &v),
		     EINVAL);
	ASSERT_EQ(v.out_error_index, PINMGR_PIN_VEC_MAX + 1);
	ASSERT_ERRNO(pm_pin_vec(fd, r, n, PM_RANGE_SIZE_V1 - 8, &v), EINVAL);
	ASSERT_EQ(v.out_error_index, n);
	ASSERT_ERRNO(pm_pin_vec(fd, NULL, n, sizeof(*r), &v), EFAULT);
	ASSERT_EQ(v.out_error_index, 0);

	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	v.ranges = (__u64)(uintptr_t)r;
	v.nr_ranges = n;
	v.range_size = sizeof(*r);
	v.flags = 1;
	v.out_error_index = 77;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_PIN_VEC, &v), EOPNOTSUPP);
	ASSERT_EQ(v.out_error_index, n);
	v.flags = 0;
	v.__reserved = 1;
	v.out_error_index = 77;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_PIN_VEC, &v), EINVAL);
	ASSERT_EQ(v.out_error_index, n);
	v.__reserved = 0;
	v.size = offsetof(struct pinmgr_pin_vec, __reserved);
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_PIN_VEC, &v), EINVAL);
	ASSERT_VEC_LEFT_NOTHING(fd, base);
	free(r);
	close(fd);
	pm_unmap(p, n * ps);
}

/* A forked child shares the file but not the mm: EPERM, nothing pinned. */
TEST(pin_vec_foreign_mm_eperm)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(2 * ps);
	struct pinmgr_pin_range *r = tv_ranges(p, 2, 1);
	int fd = pm_open();
	long long base = pm_outstanding_pins();
	pid_t pid;

	ASSERT_GE(fd, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct pinmgr_pin_vec v;

		if (pm_pin_vec(fd, r, 2, sizeof(*r), &v) != -1 ||
		    errno != EPERM || v.out_error_index != 2)
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	ASSERT_VEC_LEFT_NOTHING(fd, base);
	free(r);
	close(fd);
	pm_unmap(p, 2 * ps);
}

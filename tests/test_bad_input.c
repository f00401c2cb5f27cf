// SPDX-License-Identifier: GPL-2.0-only
/*
 * Requests the driver must refuse, each with the errno the ABI names, and
 * with nothing left pinned, charged or recorded afterwards.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "harness.h"

#define MiB	(1UL << 20)

/* The ABI's promise: no failed request leaves anything behind. */
#define ASSERT_NOTHING_PINNED(fd, base)					\
	do {								\
		struct pinmgr_info _i;					\
		struct pinmgr_list _l;					\
		ASSERT_EQ(pm_outstanding_pins() - (base), 0);		\
		ASSERT_EQ(pm_vmpin_kb(), 0);				\
		ASSERT_EQ(pm_get_info((fd), &_i), 0);			\
		ASSERT_EQ(_i.ctx_leases, 0);				\
		ASSERT_EQ(_i.ctx_pinned_pages, 0);			\
		ASSERT_EQ(_i.mm_pinned_pages, 0);			\
		ASSERT_EQ(_i.device_leases, 0);				\
		ASSERT_EQ(_i.device_pinned_pages, 0);			\
		ASSERT_EQ(pm_list((fd), NULL, 0, &_l), 0);		\
		ASSERT_EQ(_l.out_total, 0);				\
	} while (0)

/* Set up fd, p (n touched pages) and base for a PIN test. */
#define PIN_SETUP(n)							\
	size_t ps = pm_page_size();					\
	char *p = pm_map_anon((n) * ps);				\
	int fd = pm_open();						\
	long long base = pm_outstanding_pins();				\
	ASSERT_GE(fd, 0);						\
	ASSERT_NE(p, NULL);						\
	ASSERT_GE(base, 0)

/* ---- PIN ------------------------------------------------------------- */

TEST(pin_zero_length_einval)
{
	PIN_SETUP(1);
	ASSERT_ERRNO(pm_pin(fd, p, 0, 0, 0, NULL), EINVAL);
	ASSERT_ERRNO(pm_pin(fd, p, 0, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM,
			    0, NULL), EINVAL);
	ASSERT_NOTHING_PINNED(fd, base);
	close(fd);
	pm_unmap(p, ps);
}

TEST(pin_unaligned_addr_einval)
{
	PIN_SETUP(3);
	ASSERT_ERRNO(pm_pin(fd, p + 1, ps, 0, 0, NULL), EINVAL);
	ASSERT_ERRNO(pm_pin(fd, p + ps / 2, ps, 0, 0, NULL), EINVAL);
	ASSERT_ERRNO(pm_pin(fd, p + ps - 1, ps, PINMGR_PIN_WRITE, 0, NULL),
		     EINVAL);
	ASSERT_NOTHING_PINNED(fd, base);
	close(fd);
	pm_unmap(p, 3 * ps);
}

TEST(pin_unaligned_length_einval)
{
	PIN_SETUP(3);
	ASSERT_ERRNO(pm_pin(fd, p, 1, 0, 0, NULL), EINVAL);
	ASSERT_ERRNO(pm_pin(fd, p, ps - 1, 0, 0, NULL), EINVAL);
	ASSERT_ERRNO(pm_pin(fd, p, ps + 1, 0, 0, NULL), EINVAL);
	ASSERT_ERRNO(pm_pin(fd, p, 2 * ps + 8, PINMGR_PIN_LONGTERM, 0, NULL),
		     EINVAL);
	ASSERT_NOTHING_PINNED(fd, base);
	close(fd);
	pm_unmap(p, 3 * ps);
}

TEST(pin_wrapping_range_einval)
{
	struct pinmgr_pin pin;
	PIN_SETUP(1);

	memset(&pin, 0, sizeof(pin));
	pin.size = sizeof(pin);
	pin.addr = 0xfffffffffffff000ull;
	pin.length = 2 * ps;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_PIN, &pin), EINVAL);
	/* Ends exactly at 2^64, i.e. wraps to 0. */
	pin.addr = (__u64)(uintptr_t)p;
	pin.length = -(__u64)(uintptr_t)p;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_PIN, &pin), EINVAL);
	pin.length = ~(__u64)(ps - 1);
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_PIN, &pin), EINVAL);
	ASSERT_NOTHING_PINNED(fd, base);
	close(fd);
	pm_unmap(p, ps);
}

TEST(pin_beyond_user_space_efault)
{
	static const __u64 addrs[] = {
		0xffff800000000000ull, 0xffffffff81000000ull,
		0x8000000000000000ull,
	};
	struct pinmgr_pin pin;
	unsigned int i;
	PIN_SETUP(1);

	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		memset(&pin, 0, sizeof(pin));
		pin.size = sizeof(pin);
		pin.addr = addrs[i];
		pin.length = ps;
		ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_PIN, &pin), EFAULT);
		pin.flags = PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM;
		ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_PIN, &pin), EFAULT);
	}
	/*
	 * A user range that runs past the top of user space, with 4- or
	 * 5-level page tables alike.
	 */
	memset(&pin, 0, sizeof(pin));
	pin.size = sizeof(pin);
	pin.addr = (__u64)(uintptr_t)p;
	pin.length = (1ull << 57) - pin.addr;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_PIN, &pin), EFAULT);
	ASSERT_NOTHING_PINNED(fd, base);
	close(fd);
	pm_unmap(p, ps);
}

TEST(pin_unmapped_efault)
{
	PIN_SETUP(4);
	ASSERT_EQ(munmap(p, 4 * ps), 0);
	ASSERT_ERRNO(pm_pin(fd, p, 4 * ps, 0, 0, NULL), EFAULT);
	ASSERT_ERRNO(pm_pin(fd, p, ps, PINMGR_PIN_LONGTERM, 0, NULL), EFAULT);
	ASSERT_ERRNO(pm_pin(fd, p + 3 * ps, ps, PINMGR_PIN_WRITE, 0, NULL),
		     EFAULT);
	ASSERT_NOTHING_PINNED(fd, base);
	close(fd);
}

TEST(pin_prot_none_efault)
{
	static const __u32 combos[] = {
		0, PINMGR_PIN_WRITE, PINMGR_PIN_LONGTERM,
		PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM,
	};
	unsigned int i;
	char *q;
	PIN_SETUP(4);

	/* Populated pages made inaccessible, and never-touched ones. */
	ASSERT_EQ(mprotect(p, 4 * ps, PROT_NONE), 0);
	q = mmap(NULL, 4 * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(q, MAP_FAILED);
	for (i = 0; i < 4; i++) {
		ASSERT_ERRNO(pm_pin(fd, p, 4 * ps, combos[i], 0, NULL), EFAULT);
		ASSERT_ERRNO(pm_pin(fd, q, 4 * ps, combos[i], 0, NULL), EFAULT);
	}
	ASSERT_NOTHING_PINNED(fd, base);
	munmap(q, 4 * ps);
	close(fd);
	pm_unmap(p, 4 * ps);
}

/*
 * 4 MiB of which the last 1 MiB is gone: several batches get pinned before
 * the hole, and all of them must be released.
 */
TEST(pin_second_half_unmapped_efault)
{
	static const __u32 combos[] = {
		0, PINMGR_PIN_WRITE, PINMGR_PIN_LONGTERM,
		PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM,
	};
	char *p = pm_map_anon(4 * MiB);
	int fd = pm_open();
	long long base = pm_outstanding_pins();
	unsigned int i;

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	ASSERT_EQ(munmap(p + 3 * MiB, MiB), 0);
	for (i = 0; i < 4; i++) {
		ASSERT_ERRNO(pm_pin(fd, p, 4 * MiB, combos[i], 0, NULL), EFAULT);
		ASSERT_NOTHING_PINNED(fd, base);
	}
	/* The part that is there can still be pinned, whole. */
	PIN_OK(fd, p, 3 * MiB, PINMGR_PIN_LONGTERM);
	ASSERT_EQ(pm_outstanding_pins() - base,
		  (long long)(3 * MiB / pm_page_size()));
	close(fd);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	pm_unmap(p, 3 * MiB);
}

/* A one-page hole in the middle of a batch, not at a batch boundary. */
TEST(pin_hole_mid_batch_efault)
{
	PIN_SETUP(1024);
	ASSERT_EQ(munmap(p + 700 * ps, ps), 0);
	ASSERT_ERRNO(pm_pin(fd, p, 1024 * ps, 0, 0, NULL), EFAULT);
	ASSERT_NOTHING_PINNED(fd, base);
	ASSERT_ERRNO(pm_pin(fd, p, 1024 * ps,
			    PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM, 0, NULL),
		     EFAULT);
	ASSERT_NOTHING_PINNED(fd, base);
	/* A PROT_NONE page in the middle does the same. */
	ASSERT_EQ(mprotect(p + 300 * ps, ps, PROT_NONE), 0);
	ASSERT_ERRNO(pm_pin(fd, p, 700 * ps, PINMGR_PIN_WRITE, 0, NULL),
		     EFAULT);
	ASSERT_NOTHING_PINNED(fd, base);
	close(fd);
	pm_unmap(p, 700 * ps);
	pm_unmap(p + 701 * ps, 323 * ps);
}

TEST(pin_write_of_readonly_mapping_efault)
{
	struct pinmgr_pin pin;
	PIN_SETUP(8);

	ASSERT_EQ(mprotect(p, 8 * ps, PROT_READ), 0);
	ASSERT_ERRNO(pm_pin(fd, p, 8 * ps, PINMGR_PIN_WRITE, 0, NULL), EFAULT);
	ASSERT_ERRNO(pm_pin(fd, p, 8 * ps,
			    PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM, 0, NULL),
		     EFAULT);
	ASSERT_NOTHING_PINNED(fd, base);
	/* Only the write is refused: reading works. */
	ASSERT_EQ(pm_pin(fd, p, 8 * ps, 0, 0, &pin), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 8);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_NOTHING_PINNED(fd, base);
	close(fd);
	pm_unmap(p, 8 * ps);
}

TEST(pin_unknown_flags_eopnotsupp)
{
	static const __u32 flags[] = {
		1u << 5, 1u << 6, 1u << 31, 0xfffffffcu, 0xffffffffu,
		PINMGR_PIN_WRITE | (1u << 8),
	};
	unsigned int i;
	PIN_SETUP(1);

	for (i = 0; i < ARRAY_SIZE(flags); i++)
		ASSERT_ERRNO(pm_pin(fd, p, ps, flags[i], 0, NULL), EOPNOTSUPP);
	ASSERT_NOTHING_PINNED(fd, base);
	close(fd);
	pm_unmap(p, ps);
}

TEST(pin_short_size_einval)
{
	static const __u32 sizes[] = {
		0, 8, offsetof(struct pinmgr_pin, out_handle),
		PM_PIN_SIZE_V1 - 8, PM_PIN_SIZE_V1 - 1,
	};
	struct pinmgr_pin pin;
	unsigned int i;
	PIN_SETUP(1);

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		memset(&pin, 0, sizeof(pin));
		pin.size = sizes[i];
		pin.addr = (__u64)(uintptr_t)p;
		pin.length = ps;
		ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_PIN, &pin), EINVAL);
		ASSERT_EQ(pin.out_handle, 0);
	}
	ASSERT_NOTHING_PINNED(fd, base);
	close(fd);
	pm_unmap(p, ps);
}

/*
 * A caller built against the first version of the structure (no duration)
 * pins as before: a lease without an end, and nothing written past its
 * structure.
 */
TEST(pin_first_version_size_accepted)
{
	struct {
		struct pinmgr_pin pin;
		__u64 canary;
	} buf;
	struct pinmgr_query q;
	PIN_SETUP(1);

	memset(&buf, 0, sizeof(buf));
	buf.pin.size = PM_PIN_SIZE_V1;
	buf.pin.addr = (__u64)(uintptr_t)p;
	buf.pin.length = ps;
	/* Where the next version's field is: beyond the caller's size. */
	buf.pin.duration_ns = 0x5a5a5a5a5a5a5a5aull;
	buf.canary = 0xa5a5a5a5a5a5a5a5ull;
	ASSERT_EQ(ioctl(fd, PINMGR_IOC_PIN, &buf), 0);
	ASSERT_NE(buf.pin.out_handle, 0);
	ASSERT_EQ(buf.pin.duration_ns, 0x5a5a5a5a5a5a5a5aull);
	ASSERT_EQ(buf.canary, 0xa5a5a5a5a5a5a5a5ull);
	ASSERT_EQ(pm_query(fd, buf.pin.out_handle, &q), 0);
	ASSERT_EQ(q.out_expire_time_ns, 0);
	ASSERT_EQ(pm_unpin(fd, buf.pin.out_handle), 0);
	ASSERT_NOTHING_PINNED(fd, base);
	close(fd);
	pm_unmap(p, ps);
}

TEST(pin_nonzero_tail_e2big)
{
	struct {
		struct pinmgr_pin pin;
		__u64 tail[4];
	} buf;
	unsigned int i;
	PIN_SETUP(1);

	for (i = 0; i < 4; i++) {
		memset(&buf, 0, sizeof(buf));
		buf.pin.size = sizeof(buf);
		buf.pin.addr = (__u64)(uintptr_t)p;
		buf.pin.length = ps;
		buf.tail[i] = 1ull << (i * 16);
		ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_PIN, &buf), E2BIG);
		ASSERT_EQ(buf.pin.out_handle, 0);
	}
	ASSERT_NOTHING_PINNED(fd, base);
	close(fd);
	pm_unmap(p, ps);
}

TEST(pin_null_arg_efault)
{
	PIN_SETUP(1);
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_PIN, NULL), EFAULT);
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_PIN, 0xffff800000000000ul), EFAULT);
	ASSERT_NOTHING_PINNED(fd, base);
	close(fd);
	pm_unmap(p, ps);
}

/*
 * The request is readable but its page is read-only, so the reply (and the
 * handle) cannot be delivered: the lease must be undone, not leaked.
 */
TEST(pin_reply_copy_fails_efault)
{
	struct pinmgr_query q;
	struct pinmgr_list l;
	struct pinmgr_pin *req;
	__u64 h, r, x, handles[4];
	char *page;
	PIN_SETUP(64);

	/*
	 * On one CPU handles grow: the failed request's handle, whatever it
	 * was, lies between the leases before and after it.
	 */
	ASSERT_EQ(pm_stay_on_one_cpu(), 0);
	h = PIN_OK(fd, p, ps, 0);
	page = pm_map_anon(ps);
	ASSERT_NE(page, NULL);
	req = (struct pinmgr_pin *)page;
	memset(req, 0, sizeof(*req));
	req->size = sizeof(*req);
	req->flags = PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM;
	req->addr = (__u64)(uintptr_t)(p + ps);
	req->length = 63 * ps;
	ASSERT_EQ(mprotect(page, ps, PROT_READ), 0);
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_PIN, req), EFAULT);
	ASSERT_EQ(req->out_handle, 0);

	/* Only the first lease is left, and only its one page. */
	ASSERT_EQ(pm_outstanding_pins() - base, 1);
	ASSERT_EQ(pm_vmpin_kb(), (long long)(ps / 1024));
	ASSERT_EQ(pm_list(fd, handles, 4, &l), 0);
	ASSERT_EQ(l.out_total, 1);
	ASSERT_EQ(handles[0], h);

	/* The same request from writable memory works. */
	ASSERT_EQ(mprotect(page, ps, PROT_READ | PROT_WRITE), 0);
	ASSERT_EQ(ioctl(fd, PINMGR_IOC_PIN, req), 0);
	r = req->out_handle;
	ASSERT_GT(r, h);
	ASSERT_LE(r - h, 4096);
	for (x = h + 1; x < r; x++) {
		ASSERT_ERRNO(pm_query(fd, x, &q), ENOENT);
		ASSERT_ERRNO(pm_unpin(fd, x), ENOENT);
	}
	ASSERT_EQ(pm_outstanding_pins() - base, 64);
	ASSERT_EQ(pm_unpin(fd, r), 0);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	ASSERT_NOTHING_PINNED(fd, base);
	close(fd);
	pm_unmap(page, ps);
	pm_unmap(p, 64 * ps);
}

/* A size that reaches into an inaccessible page cannot be checked. */
TEST(pin_struct_tail_unreadable_efault)
{
	struct pinmgr_pin *req;
	char *page;
	PIN_SETUP(1);

	page = pm_map_anon(2 * ps);
	ASSERT_NE(page, NULL);
	ASSERT_EQ(mprotect(page + ps, ps, PROT_NONE), 0);
	req = (struct pinmgr_pin *)(page + ps - sizeof(*req));
	memset(req, 0, sizeof(*req));
	req->size = sizeof(*req) + 8;
	req->addr = (__u64)(uintptr_t)p;
	req->length = ps;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_PIN, req), EFAULT);
	ASSERT_NOTHING_PINNED(fd, base);
	/* The exact size, ending at the page end, is fine. */
	req->size = sizeof(*req);
	ASSERT_EQ(ioctl(fd, PINMGR_IOC_PIN, req), 0);
	ASSERT_EQ(pm_unpin(fd, req->out_handle), 0);
	ASSERT_NOTHING_PINNED(fd, base);
	close(fd);
	pm_unmap(page, 2 * ps);
	pm_unmap(p, ps);
}

/*
 * PIN's reply has two parts: the handle, pages and runs, then the flags as
 * pinned. With the second in a read-only page, the first is written and
 * the pin is undone: the caller never learned of a lease that stays.
 */
TEST(pin_struct_pin_flags_unwritable_efault)
{
	const size_t at = offsetof(struct pinmgr_pin, out_pin_flags);
	unsigned long long before, after;
	struct pinmgr_pin *req;
	char *page;
	PIN_SETUP(1);

	page = pm_map_anon(2 * ps);
	ASSERT_NE(page, NULL);
	/* The page boundary falls just before out_pin_flags. */
	req = (struct pinmgr_pin *)(page + ps - at);
	memset(req, 0, sizeof(*req));
	req->size = sizeof(*req);
	req->addr = (__u64)(uintptr_t)p;
	req->length = ps;
	ASSERT_EQ(mprotect(page + ps, ps, PROT_READ), 0);
	ASSERT_EQ(pm_sysfs_read("failures/fault", &before), 0);
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_PIN, req), EFAULT);
	ASSERT_NE(req->out_handle, 0);
	ASSERT_EQ(req->out_nr_pages, 1);
	ASSERT_ERRNO(pm_unpin(fd, req->out_handle), ENOENT);
	ASSERT_NOTHING_PINNED(fd, base);
	ASSERT_EQ(pm_sysfs_read("failures/fault", &after), 0);
	ASSERT_EQ(after, before + 1);
	/* A caller whose structure stops before the field is not told. */
	req->size = at;
	ASSERT_EQ(ioctl(fd, PINMGR_IOC_PIN, req), 0);
	ASSERT_EQ(pm_unpin(fd, req->out_handle), 0);
	ASSERT_NOTHING_PINNED(fd, base);
	close(fd);
	pm_unmap(page, 2 * ps);
	pm_unmap(p, ps);
}

/* ---- UNPIN ----------------------------------------------------------- */

TEST(unpin_handle_zero_enoent)
{
	PIN_SETUP(1);
	ASSERT_ERRNO(pm_unpin(fd, 0), ENOENT);
	PIN_OK(fd, p, ps, 0);
	ASSERT_ERRNO(pm_unpin(fd, 0), ENOENT);
	ASSERT_EQ(pm_outstanding_pins() - base, 1);
	close(fd);
	pm_unmap(p, ps);
}

TEST(unpin_unknown_handle_enoent)
{
	static const __u64 handles[] = {
		1, 0xdeadbeef12345678ull, ~0ull, 1ull << 63,
	};
	unsigned int i;
	__u64 h;
	PIN_SETUP(1);

	for (i = 0; i < ARRAY_SIZE(handles); i++)
		ASSERT_ERRNO(pm_unpin(fd, handles[i]), ENOENT);
	h = PIN_OK(fd, p, ps, 0);
	/* Neighbours of a live handle are not leases either. */
	ASSERT_ERRNO(pm_unpin(fd, h + 1), ENOENT);
	ASSERT_ERRNO(pm_unpin(fd, h + 1000), ENOENT);
	ASSERT_EQ(pm_outstanding_pins() - base, 1);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	ASSERT_NOTHING_PINNED(fd, base);
	close(fd);
	pm_unmap(p, ps);
}

TEST(unpin_twice_enoent)
{
	struct pinmgr_query q;
	__u64 h;
	PIN_SETUP(2);

	h = PIN_OK(fd, p, 2 * ps, PINMGR_PIN_WRITE);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	ASSERT_ERRNO(pm_unpin(fd, h), ENOENT);
	ASSERT_ERRNO(pm_unpin(fd, h), ENOENT);
	ASSERT_ERRNO(pm_query(fd, h, &q), ENOENT);
	ASSERT_NOTHING_PINNED(fd, base);
	close(fd);
	pm_unmap(p, 2 * ps);
}

TEST(unpin_unknown_flags_eopnotsupp)
{
	struct pinmgr_unpin u;
	struct pinmgr_query q;
	__u64 h;
	PIN_SETUP(1);

	h = PIN_OK(fd, p, ps, 0);
	memset(&u, 0, sizeof(u));
	u.size = sizeof(u);
	u.handle = h;
	u.flags = 1;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_UNPIN, &u), EOPNOTSUPP);
	u.flags = 0x80000000u;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_UNPIN, &u), EOPNOTSUPP);
	/* The lease is untouched. */
	ASSERT_EQ(pm_query(fd, h, &q), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 1);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	ASSERT_NOTHING_PINNED(fd, base);
	close(fd);
	pm_unmap(p, ps);
}

TEST(unpin_bad_size_leaves_lease)
{
	struct {
		struct pinmgr_unpin u;
		__u64 tail;
	} buf;
	struct pinmgr_query q;
	__u64 h;
	PIN_SETUP(1);

	h = PIN_OK(fd, p, ps, 0);
	memset(&buf, 0, sizeof(buf));
	buf.u.handle = h;
	buf.u.size = sizeof(buf.u) - 1;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_UNPIN, &buf), EINVAL);
	buf.u.size = 8;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_UNPIN, &buf), EINVAL);
	buf.u.size = sizeof(buf);
	buf.tail = 1;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_UNPIN, &buf), E2BIG);
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_UNPIN, NULL), EFAULT);
	ASSERT_EQ(pm_query(fd, h, &q), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 1);
	/* Zero tail: accepted. */
	buf.tail = 0;
	ASSERT_EQ(ioctl(fd, PINMGR_IOC_UNPIN, &buf), 0);
	ASSERT_NOTHING_PINNED(fd, base);
	close(fd);
	pm_unmap(p, ps);
}

TEST(unpin_other_context_handle_enoent)
{
	struct pinmgr_query q;
	int fd2 = pm_open();
	__u64 h;
	PIN_SETUP(1);

	ASSERT_GE(fd2, 0);
	h = PIN_OK(fd, p, ps, 0);
	ASSERT_ERRNO(pm_unpin(fd2, h), ENOENT);
	ASSERT_ERRNO(pm_query(fd2, h, &q), ENOENT);
	/* Still there, and still its owner's. */
	ASSERT_EQ(pm_query(fd, h, &q), 0);
	ASSERT_EQ(q.out_nr_pages, 1);
	ASSERT_EQ(pm_outstanding_pins() - base, 1);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	ASSERT_NOTHING_PINNED(fd, base);
	close(fd2);
	close(fd);
	pm_unmap(p, ps);
}

/* ---- QUERY ----------------------------------------------------------- */

TEST(query_stale_handle_enoent)
{
	struct pinmgr_query q;
	__u64 h;
	PIN_SETUP(1);

	ASSERT_ERRNO(pm_query(fd, 0, &q), ENOENT);
	ASSERT_ERRNO(pm_query(fd, ~0ull, &q), ENOENT);
	h = PIN_OK(fd, p, ps, 0);
	ASSERT_EQ(pm_query(fd, h, &q), 0);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.handle = h;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_QUERY, &q), ENOENT);
	/* Nothing was written back. */
	ASSERT_EQ(q.out_nr_pages, 0);
	ASSERT_EQ(q.out_state, 0);
	ASSERT_NOTHING_PINNED(fd, base);
	close(fd);
	pm_unmap(p, ps);
}

TEST(query_unknown_flags_eopnotsupp)
{
	struct pinmgr_query q;
	__u64 h;
	PIN_SETUP(1);

	h = PIN_OK(fd, p, ps, 0);
	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.handle = h;
	q.flags = 1;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_QUERY, &q), EOPNOTSUPP);
	q.flags = 0x40000000u;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_QUERY, &q), EOPNOTSUPP);
	ASSERT_EQ(q.out_nr_pages, 0);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	ASSERT_NOTHING_PINNED(fd, base);
	close(fd);
	pm_unmap(p, ps);
}

TEST(query_bad_size_and_pointer)
{
	unsigned char buf[sizeof(struct pinmgr_query) + 16] __attribute__((aligned(8)));
	struct pinmgr_query *q = (struct pinmgr_query *)buf;
	struct pinmgr_query *ro;
	__u64 h;
	PIN_SETUP(1);

	h = PIN_OK(fd, p, ps, 0);
	memset(buf, 0, sizeof(buf));
	q->handle = h;
	q->size = offsetof(struct pinmgr_query, out_owner_comm);
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_QUERY, q), EINVAL);
	q->size = sizeof(buf);
	buf[sizeof(buf) - 1] = 0x80;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_QUERY, q), E2BIG);
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_QUERY, NULL), EFAULT);

	/* A reply that cannot be written. */
	ro = pm_map_anon(ps);
	ASSERT_NE(ro, NULL);
	memset(ro, 0, sizeof(*ro));
	ro->size = sizeof(*ro);
	ro->handle = h;
	ASSERT_EQ(mprotect(ro, ps, PROT_READ), 0);
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_QUERY, ro), EFAULT);

	/* None of it touched the lease. */
	ASSERT_EQ(pm_query(fd, h, q), 0);
	ASSERT_EQ(q->out_nr_pages, 1);
	ASSERT_EQ(pm_outstanding_pins() - base, 1);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	ASSERT_NOTHING_PINNED(fd, base);
	pm_unmap(ro, ps);
	close(fd);
	pm_unmap(p, ps);
}

/* ---- LIST ------------------------------------------------------------ */

TEST(list_unknown_flags_eopnotsupp)
{
	struct pinmgr_list l;
	__u64 handles[2];
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.handles = (__u64)(uintptr_t)handles;
	l.nr_handles = 2;
	l.flags = 1;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_LIST, &l), EOPNOTSUPP);
	l.flags = 0x80000000u;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_LIST, &l), EOPNOTSUPP);
	close(fd);
}

TEST(list_reserved_nonzero_einval)
{
	struct pinmgr_list l;
	__u64 handles[2];
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.handles = (__u64)(uintptr_t)handles;
	l.nr_handles = 2;
	l.__reserved = 1;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_LIST, &l), EINVAL);
	l.__reserved = 0x80000000u;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_LIST, &l), EINVAL);
	ASSERT_EQ(l.out_total, 0);
	close(fd);
}

TEST(list_short_size_einval)
{
	struct pinmgr_list l;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	memset(&l, 0, sizeof(l));
	l.size = offsetof(struct pinmgr_list, out_total);
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_LIST, &l), EINVAL);
	l.size = 0;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_LIST, &l), EINVAL);
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_LIST, NULL), EFAULT);
	close(fd);
}

TEST(list_null_handles_efault)
{
	struct pinmgr_list l;
	PIN_SETUP(1);

	/* Refused even when there is nothing to write. */
	ASSERT_ERRNO(pm_list(fd, NULL, 1, &l), EFAULT);
	PIN_OK(fd, p, ps, 0);
	ASSERT_ERRNO(pm_list(fd, NULL, 1, &l), EFAULT);
	ASSERT_ERRNO(pm_list(fd, NULL, 0xffffffffu, &l), EFAULT);
	ASSERT_EQ(pm_outstanding_pins() - base, 1);
	close(fd);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	pm_unmap(p, ps);
}

TEST(list_bad_handles_efault)
{
	struct pinmgr_list l;
	__u64 *ro, *gone;
	__u64 h;
	PIN_SETUP(1);

	h = PIN_OK(fd, p, ps, 0);
	gone = pm_map_anon(ps);
	ASSERT_NE(gone, NULL);
	ASSERT_EQ(munmap(gone, ps), 0);
	ASSERT_ERRNO(pm_list(fd, gone, 4, &l), EFAULT);
	ASSERT_ERRNO(pm_list(fd, (__u64 *)0xffff800000000000ul, 4, &l),
		     EFAULT);
	ro = pm_map_anon(ps);
	ASSERT_NE(ro, NULL);
	ASSERT_EQ(mprotect(ro, ps, PROT_READ), 0);
	ASSERT_ERRNO(pm_list(fd, ro, 4, &l), EFAULT);
	/* The lease is fine, and a good array still works. */
	ASSERT_EQ(mprotect(ro, ps, PROT_READ | PROT_WRITE), 0);
	ASSERT_EQ(pm_list(fd, ro, 4, &l), 0);
	ASSERT_EQ(ro[0], h);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	ASSERT_NOTHING_PINNED(fd, base);
	pm_unmap(ro, ps);
	close(fd);
	pm_unmap(p, ps);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a pin guarantees (Documentation/core-api/pin_user_pages.rst): the
 * pinned pages stay the ones the lease names, whatever the owner's page
 * tables do afterwards (fork, munmap, MADV_DONTNEED); data written through
 * the pin reaches the file behind a shared mapping; which mappings can be
 * pinned long-term and for writing (mm/gup.c: check_vma_flags(),
 * writable_file_mapping_allowed()); ranges over several VMAs, holes and
 * failures half-way; and FOLL_LONGTERM moving pages out of ZONE_MOVABLE.
 *
 * Where 6.1 and 6.12 differ, the test says so and asserts what each kernel
 * documents; the version comes from uname -r.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/utsname.h>

#include <linux/capability.h>

#include "harness.h"

#define MiB		(1UL << 20)
#define THP_SIZE	(2UL << 20)
#define HUGETLBFS_MAGIC	0x958458f6

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

/* ---- Helpers --------------------------------------------------------- */

/* What the lease holds at [off, off + len) is the pattern (seed, base). */
#define ASSERT_LEASE_PATTERN(fd, h, off, len, base, seed)		\
	do {								\
		size_t _ll = (len);					\
		char *_got = malloc(_ll ? _ll : 1);			\
		ASSERT_NE(_got, NULL);					\
		memset(_got, 0, _ll);					\
		ASSERT_EQ(ACCESS_READ((fd), (h), (off), _ll, _got), 0);	\
		ASSERT_PATTERN(_got, _ll, (base), (seed));		\
		free(_got);						\
	} while (0)

/* A counted snapshot of everything a pin request could leave behind. */
struct ts_usage {
	long long pins;
	long long vmpin_kb;
	struct pinmgr_info info;
};

static void ts_usage(int fd, struct ts_usage *u)
{
	u->pins = pm_outstanding_pins();
	u->vmpin_kb = pm_vmpin_kb();
	ASSERT_GE(u->pins, 0);
	ASSERT_GE(u->vmpin_kb, 0);
	ASSERT_EQ(pm_get_info(fd, &u->info), 0);
}

/* Nothing changed since @a: the ABI's "no failed request leaves anything". */
#define ASSERT_USAGE_UNCHANGED(fd, a)					\
	do {								\
		struct ts_usage _b;					\
		ts_usage((fd), &_b);					\
		ASSERT_EQ(_b.pins, (a)->pins);				\
		ASSERT_EQ(_b.vmpin_kb, (a)->vmpin_kb);			\
		ASSERT_EQ(_b.info.ctx_leases, (a)->info.ctx_leases);	\
		ASSERT_EQ(_b.info.ctx_pinned_pages,			\
			  (a)->info.ctx_pinned_pages);			\
		ASSERT_EQ(_b.info.mm_pinned_pages,			\
			  (a)->info.mm_pinned_pages);			\
		ASSERT_EQ(_b.info.device_leases,			\
			  (a)->info.device_leases);			\
		ASSERT_EQ(_b.info.device_pinned_pages,			\
			  (a)->info.device_pinned_pages);		\
	} while (0)

/* A file of @len bytes holding pattern @seed in @dir, already unlinked. */
static int ts_pattern_file(const char *dir, size_t len, unsigned int seed)
{
	char path[512], *buf = malloc(len);
	int fd;

	ASSERT_NE(buf, NULL);
	snprintf(path, sizeof(path), "%s/pinmgr-sem-%d", dir, getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		FAIL("open %s: %s", path, strerror(errno));
	ASSERT_EQ(unlink(path), 0);
	pm_fill(buf, len, 0, seed);
	ASSERT_EQ(pwrite(fd, buf, len, 0), (ssize_t)len);
	ASSERT_EQ(fsync(fd), 0);
	free(buf);
	return fd;
}

/* The file holds pattern @seed at [off, off + len). */
#define ASSERT_FILE_PATTERN(ffd, off, len, seed)			\
	do {								\
		size_t _fl = (len);					\
		char *_fb = malloc(_fl);				\
		ASSERT_NE(_fb, NULL);					\
		ASSERT_EQ(pread((ffd), _fb, _fl, (off)), (ssize_t)_fl);	\
		ASSERT_PATTERN(_fb, _fl, (off), (seed));		\
		free(_fb);						\
	} while (0)

static const char *ts_extfs(void)
{
	const char *dir = getenv("PINMGR_EXTFS");

	if (!dir || !*dir)
		SKIP_NEEDS("extfs", "PINMGR_EXTFS is not set (no ext2/ext4 file system mounted)");
	return dir;
}

/* ---- fork after a pin ------------------------------------------------ */

/*
 * The parent pins a private anonymous range and forks. Since Linux 5.9
 * ("mm: Do early cow for pinned pages during fork() for ptes") fork()
 * copies pinned anonymous pages for the child at once instead of sharing
 * them copy-on-write (copy_present_pte(): a maybe-DMA-pinned, exclusive
 * anonymous page cannot be shared), so the pinned pages stay the
 * parent's: the child's writes go to its copies, the parent's later writes
 * go straight into the pinned pages. 6.1 and 6.12 behave alike.
 */
static void ts_fork_after_pin(__u32 pin_flags, char *p, size_t len)
{
	size_t ps = pm_page_size();
	long long base = pm_outstanding_pins();
	struct pinmgr_segment *segs = NULL;
	int fd = pm_open(), root = pm_have_cap(CAP_SYS_ADMIN);
	__u32 nr = 0;
	pid_t pid;
	__u64 h;

	ASSERT_GE(fd, 0);
	pm_fill(p, len, 0, 1);
	h = PIN_OK(fd, p, len, pin_flags);
	if (root)
		segs = pm_all_segments(fd, h, &nr);

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		size_t pg = 0;
		__u32 i;
		__u64 k;

		/* The child starts with the parent's data ... */
		ASSERT_PATTERN(p, len, 0, 1);
		/* ... in frames of its own, not the pinned ones. */
		for (i = 0; i < nr; i++)
			for (k = 0; k < segs[i].length / ps; k++, pg++)
				ASSERT_NE(pm_pagemap_pfn(p + pg * ps),
					  (long long)(segs[i].phys_addr / ps + k));
		pm_fill(p, len, 0, 2);
		ASSERT_PATTERN(p, len, 0, 2);
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);

	/* The child's writes did not reach the pinned pages. */
	ASSERT_LEASE_PATTERN(fd, h, 0, len, 0, 1);
	ASSERT_PATTERN(p, len, 0, 1);
	/* The parent still maps the pinned pages: its writes show. */
	pm_fill(p, len, 0, 3);
	ASSERT_LEASE_PATTERN(fd, h, 0, len, 0, 3);
	if (root) {
		size_t pg = 0;
		__u32 i;
		__u64 k;

		for (i = 0; i < nr; i++)
			for (k = 0; k < segs[i].length / ps; k++, pg++)
				ASSERT_EQ(pm_pagemap_pfn(p + pg * ps),
					  (long long)(segs[i].phys_addr / ps + k));
	}
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)(len / ps));
	ASSERT_EQ(pm_unpin(fd, h), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	free(segs);
	close(fd);
}

TEST(fork_after_write_pin_pages_stay_parents)
{
	size_t len = 16 * pm_page_size();
	char *p = pm_map_small_pages(len);

	ts_fork_after_pin(PINMGR_PIN_WRITE, p, len);
	pm_unmap(p, len);
}

TEST(fork_after_readonly_pin_pages_stay_parents)
{
	size_t len = 16 * pm_page_size();
	char *p = pm_map_small_pages(len);

	ts_fork_after_pin(0, p, len);
	pm_unmap(p, len);
}

/*
 * The same for a PMD-mapped transparent huge page: fork cannot share a
 * pinned THP either (copy_huge_pmd() splits the PMD and the pages are
 * copied one by one for the child).
 */
TEST_TIMEOUT(fork_after_write_pin_thp_pages_stay_parents, 120)
{
	size_t len = 2 * THP_SIZE;
	long long thp0 = pm_anon_huge_kb();
	char *p = pm_map_thp(len);

	ASSERT_NE(p, NULL);
	if (pm_anon_huge_kb() - thp0 < (long long)(len / 1024))
		SKIP("the range is not backed by transparent huge pages");
	ts_fork_after_pin(PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM, p, len);
	pm_unmap(p, len);
}

/* ---- The owner's page tables change; the lease does not --------------- */

/*
 * munmap does not end a pin (pin_user_pages.rst, case 1/2: "No special
 * synchronization with ... munmap() is provided"): the pages stay pinned
 * and hold their data until UNPIN, even when new memory is mapped at the
 * same address.
 */
TEST(munmap_after_pin_keeps_data)
{
	size_t ps = pm_page_size(), n = 32, len = n * ps;
	char *p = pm_map_small_pages(len), *q;
	int fd = pm_open();
	long long base = pm_outstanding_pins();
	__u64 h;

	ASSERT_GE(fd, 0);
	pm_fill(p, len, 0, 11);
	h = PIN_OK(fd, p, len, PINMGR_PIN_WRITE);
	ASSERT_EQ(munmap(p, len), 0);
	ASSERT_LEASE_PATTERN(fd, h, 0, len, 0, 11);
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)n);
	ASSERT_EQ(pm_vmpin_kb(), (long long)(len / 1024));

	/* New memory at the same address is not what the lease holds. */
	q = mmap(p, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	ASSERT_EQ(q, p);
	pm_fill(q, len, 0, 12);
	ASSERT_LEASE_PATTERN(fd, h, 0, len, 0, 11);
	/* And writing through the lease does not reach it. */
	{
		char *src = malloc(len);

		ASSERT_NE(src, NULL);
		pm_fill(src, len, 0, 13);
		ASSERT_EQ(ACCESS_WRITE(fd, h, 0, len, src), 0);
		free(src);
	}
	ASSERT_PATTERN(q, len, 0, 12);
	ASSERT_LEASE_PATTERN(fd, h, 0, len, 0, 13);

	ASSERT_EQ(pm_outstanding_pins() - base, (long long)n);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	close(fd);
	pm_unmap(q, len);
}

/*
 * MADV_DONTNEED zaps the owner's page tables: the mapping reads zeroes from
 * then on, but the pinned pages are not freed and keep the old data.
 */
TEST(dontneed_after_pin_keeps_data)
{
	static const __u32 flags[] = { 0, PINMGR_PIN_WRITE };
	size_t ps = pm_page_size(), n = 32, len = n * ps;
	char *p = pm_map_small_pages(len);
	int fd = pm_open();
	long long base = pm_outstanding_pins();
	unsigned int i;
	__u64 h;

	ASSERT_GE(fd, 0);
	for (i = 0; i < 2; i++) {
		pm_fill(p, len, 0, 20 + i);
		h = PIN_OK(fd, p, len, flags[i]);
		ASSERT_EQ(madvise(p, len, MADV_DONTNEED), 0);
		ASSERT_ALL_BYTES(p, len, 0);
		ASSERT_LEASE_PATTERN(fd, h, 0, len, 0, 20 + i);
		ASSERT_EQ(pm_outstanding_pins() - base, (long long)n);

		/* The mapping and the lease are separate pages now. */
		pm_fill(p, len, 0, 30 + i);
		ASSERT_LEASE_PATTERN(fd, h, 0, len, 0, 20 + i);
		if (flags[i] & PINMGR_PIN_WRITE) {
			char *src = calloc(1, len);

			ASSERT_NE(src, NULL);
			ASSERT_EQ(ACCESS_WRITE(fd, h, 0, len, src), 0);
			free(src);
			ASSERT_PATTERN(p, len, 0, 30 + i);
		}
		ASSERT_EQ(pm_unpin(fd, h), 0);
		ASSERT_EQ(pm_outstanding_pins() - base, 0);
		ASSERT_EQ(pm_vmpin_kb(), 0);
	}
	close(fd);
	pm_unmap(p, len);
}

/* ---- Shared memory: writes through the pin reach the file ------------- */

/*
 * shmem (memfd, /dev/shm) needs no dirty tracking, so a long-term write pin
 * of a shared mapping is allowed on every kernel (writable_file_mapping_
 * allowed() / gup_fast_folio_allowed() let shmem through). What is written
 * through the lease is in the file after UNPIN.
 */
static void ts_shmem_write_reaches_file(int mfd, size_t len)
{
	static const __u32 flags[] = {
		PINMGR_PIN_WRITE, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM,
	};
	size_t ps = pm_page_size(), off = ps / 2 + 3, wlen = 3 * ps;
	long long base = pm_outstanding_pins();
	int fd = pm_open();
	unsigned int i;
	char *m, *src;
	__u64 h;

	ASSERT_GE(fd, 0);
	src = malloc(wlen);
	ASSERT_NE(src, NULL);
	for (i = 0; i < 2; i++) {
		/* Start from pattern 40 + i everywhere. */
		{
			char *all = malloc(len);

			ASSERT_NE(all, NULL);
			pm_fill(all, len, 0, 40 + i);
			ASSERT_EQ(pwrite(mfd, all, len, 0), (ssize_t)len);
			free(all);
		}
		m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
		ASSERT_NE(m, MAP_FAILED);
		h = PIN_OK(fd, m, len, flags[i]);
		ASSERT_LEASE_PATTERN(fd, h, 0, len, 0, 40 + i);
		pm_fill(src, wlen, off, 50 + i);
		ASSERT_EQ(ACCESS_WRITE(fd, h, off, wlen, src), 0);
		/* The shared mapping sees it at once: same page cache. */
		ASSERT_PATTERN(m + off, wlen, off, 50 + i);
		ASSERT_EQ(pm_unpin(fd, h), 0);
		ASSERT_EQ(munmap(m, len), 0);

		ASSERT_FILE_PATTERN(mfd, 0, off, 40 + i);
		ASSERT_FILE_PATTERN(mfd, off, wlen, 50 + i);
		ASSERT_FILE_PATTERN(mfd, off + wlen, len - off - wlen, 40 + i);
	}
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	free(src);
	close(fd);
}

TEST(memfd_shared_write_pin_reaches_file)
{
	size_t len = 16 * pm_page_size();
	int mfd = memfd_create("pinmgr-sem", MFD_CLOEXEC);

	ASSERT_GE(mfd, 0);
	ASSERT_EQ(ftruncate(mfd, len), 0);
	ts_shmem_write_reaches_file(mfd, len);
	close(mfd);
}

TEST(devshm_shared_write_pin_reaches_file)
{
	size_t len = 16 * pm_page_size();
	struct statfs sfs;
	int mfd;

	if (statfs("/dev/shm", &sfs) || sfs.f_type != 0x01021994)
		SKIP("/dev/shm is not a tmpfs");
	mfd = ts_pattern_file("/dev/shm", len, 0);
	ts_shmem_write_reaches_file(mfd, len);
	close(mfd);
}

/* ---- Ordinary files (ext2 through the ext4 driver) ------------------- */

/* Reading needs no dirty tracking: a long-term read pin works anywhere. */
TEST(extfs_shared_readonly_longterm_pin)
{
	const char *dir = ts_extfs();
	size_t ps = pm_page_size(), len = 16 * ps;
	int ffd = ts_pattern_file(dir, len, 60), fd = pm_open();
	long long base = pm_outstanding_pins();
	struct pinmgr_pin pin;
	char *m;

	ASSERT_GE(fd, 0);
	m = mmap(NULL, len, PROT_READ, MAP_SHARED, ffd, 0);
	ASSERT_NE(m, MAP_FAILED);
	ASSERT_EQ(pm_pin(fd, m, len, PINMGR_PIN_LONGTERM, 0, &pin), 0);
	ASSERT_EQ(pin.out_nr_pages, 16);
	ASSERT_EQ(pm_outstanding_pins() - base, 16);
	ASSERT_LEASE_PATTERN(fd, pin.out_handle, 0, len, 0, 60);
	ASSERT_ERRNO(ACCESS_WRITE(fd, pin.out_handle, 0, 1, m), EACCES);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	ASSERT_FILE_PATTERN(ffd, 0, len, 60);
	munmap(m, len);
	close(ffd);
	close(fd);
}

/*
 * A long-term write pin of a shared mapping of a file that needs dirty
 * tracking (ext4 has ->page_mkwrite) is refused with EFAULT since Linux 6.5
 * (check_vma_flags() -> writable_file_mapping_allowed(), commit "mm/gup:
 * disallow FOLL_LONGTERM GUP-nonfast writing to file-backed mappings", and
 * gup_fast_folio_allowed() for the fast path). 6.1 allows it. Refused or
 * not, nothing may be left pinned on failure.
 */
TEST(extfs_shared_write_longterm_pin_by_version)
{
	const char *dir = ts_extfs();
	size_t ps = pm_page_size(), len = 16 * ps;
	int ffd = ts_pattern_file(dir, len, 61), fd = pm_open();
	struct pinmgr_pin pin;
	struct ts_usage u;
	char *m;

	ASSERT_GE(fd, 0);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, ffd, 0);
	ASSERT_NE(m, MAP_FAILED);
	ts_usage(fd, &u);
	if (pm_kver() >= PM_KV(6, 5)) {
		ASSERT_ERRNO(pm_pin(fd, m, len,
				    PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM, 0,
				    &pin), EFAULT);
		ASSERT_USAGE_UNCHANGED(fd, &u);
		/* Also when the pages are already faulted in and dirty. */
		memset(m, 0x5c, 2 * ps);
		ASSERT_ERRNO(pm_pin(fd, m, len,
				    PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM, 0,
				    &pin), EFAULT);
		ASSERT_USAGE_UNCHANGED(fd, &u);
		/* Read-only long-term, or write short-term, is fine. */
		pin.out_handle = PIN_OK(fd, m, len, PINMGR_PIN_LONGTERM);
		ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	} else {
		char *src = malloc(ps);

		ASSERT_NE(src, NULL);
		ASSERT_EQ(pm_pin(fd, m, len,
				 PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM, 0,
				 &pin), 0);
		ASSERT_EQ(pin.out_nr_pages, 16);
		ASSERT_EQ(pm_outstanding_pins() - u.pins, 16);
		pm_fill(src, ps, 5 * ps, 62);
		ASSERT_EQ(ACCESS_WRITE(fd, pin.out_handle, 5 * ps, ps, src), 0);
		ASSERT_FILE_PATTERN(ffd, 5 * ps, ps, 62);
		ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
		free(src);
	}
	ASSERT_USAGE_UNCHANGED(fd, &u);
	munmap(m, len);
	close(ffd);
	close(fd);
}

/*
 * A short-term write pin (FOLL_PIN without FOLL_LONGTERM, the direct I/O
 * case of pin_user_pages.rst) of the same shared file mapping is allowed on
 * every kernel, and the written data is in the file.
 */
TEST(extfs_shared_write_shortterm_pin)
{
	const char *dir = ts_extfs();
	size_t ps = pm_page_size(), len = 16 * ps, off = 3 * ps + 100;
	size_t wlen = 2 * ps;
	int ffd = ts_pattern_file(dir, len, 63), fd = pm_open();
	long long base = pm_outstanding_pins();
	struct pinmgr_pin pin;
	char *m, *src;

	ASSERT_GE(fd, 0);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, ffd, 0);
	ASSERT_NE(m, MAP_FAILED);
	ASSERT_EQ(pm_pin(fd, m, len, PINMGR_PIN_WRITE, 0, &pin), 0);
	ASSERT_EQ(pin.out_nr_pages, 16);
	ASSERT_EQ(pm_outstanding_pins() - base, 16);
	ASSERT_LEASE_PATTERN(fd, pin.out_handle, 0, len, 0, 63);
	src = malloc(wlen);
	ASSERT_NE(src, NULL);
	pm_fill(src, wlen, off, 64);
	ASSERT_EQ(ACCESS_WRITE(fd, pin.out_handle, off, wlen, src), 0);
	ASSERT_PATTERN(m + off, wlen, off, 64);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	ASSERT_EQ(munmap(m, len), 0);
	ASSERT_EQ(fsync(ffd), 0);
	ASSERT_FILE_PATTERN(ffd, 0, off, 63);
	ASSERT_FILE_PATTERN(ffd, off, wlen, 64);
	ASSERT_FILE_PATTERN(ffd, off + wlen, len - off - wlen, 63);
	free(src);
	close(ffd);
	close(fd);
}

/*
 * "Marked dirty at unpin" (uapi, PINMGR_PIN_WRITE): the page is written
 * back while pinned (fsync cleans it and write-protects the mapping), then
 * written only through the lease, as a device would, and the lease ends.
 * Only UNPIN's dirtying (unpin_user_page_range_dirty_lock()) tells the file
 * system the page changed; after fsync and eviction of the page cache the
 * file read back from the disk must hold the new data. Both kernels.
 */
TEST(extfs_write_pin_dirty_at_unpin_reaches_disk)
{
	const char *dir = ts_extfs();
	size_t ps = pm_page_size(), len = 8 * ps, off = 2 * ps + 40;
	size_t wlen = ps + 100;
	int ffd = ts_pattern_file(dir, len, 110), fd = pm_open();
	long long base = pm_outstanding_pins();
	struct pinmgr_pin pin;
	unsigned char vec[8];
	char *m, *src;
	unsigned int i;

	ASSERT_GE(fd, 0);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, ffd, 0);
	ASSERT_NE(m, MAP_FAILED);
	ASSERT_EQ(pm_pin(fd, m, len, PINMGR_PIN_WRITE, 0, &pin), 0);
	/* The write fault of the pin dirtied the pages: clean them. */
	ASSERT_EQ(fsync(ffd), 0);
	src = malloc(wlen);
	ASSERT_NE(src, NULL);
	pm_fill(src, wlen, off, 111);
	ASSERT_EQ(ACCESS_WRITE(fd, pin.out_handle, off, wlen, src), 0);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	ASSERT_EQ(munmap(m, len), 0);

	ASSERT_EQ(fsync(ffd), 0);
	ASSERT_EQ(posix_fadvise(ffd, 0, len, POSIX_FADV_DONTNEED), 0);
	m = mmap(NULL, len, PROT_READ, MAP_SHARED, ffd, 0);
	ASSERT_NE(m, MAP_FAILED);
	ASSERT_EQ(mincore(m, len, vec), 0);
	for (i = 0; i < 8; i++)
		if (vec[i] & 1)
			SKIP("page %u of the file stayed in the page cache: cannot read it back from disk", i);
	ASSERT_FILE_PATTERN(ffd, 0, off, 110);
	ASSERT_FILE_PATTERN(ffd, off, wlen, 111);
	ASSERT_FILE_PATTERN(ffd, off + wlen, len - off - wlen, 110);
	munmap(m, len);
	free(src);
	close(ffd);
	close(fd);
}

/*
 * A private writable mapping of the file is a COW mapping: FOLL_WRITE
 * breaks COW and pins anonymous copies, which may be pinned long-term on
 * every kernel. Writes through the lease reach the mapping, never the file.
 */
TEST(extfs_private_write_longterm_pin_cow)
{
	const char *dir = ts_extfs();
	size_t ps = pm_page_size(), len = 16 * ps;
	int ffd = ts_pattern_file(dir, len, 65), fd = pm_open();
	long long base = pm_outstanding_pins();
	struct pinmgr_pin pin;
	char *m, *src;

	ASSERT_GE(fd, 0);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, ffd, 0);
	ASSERT_NE(m, MAP_FAILED);
	ASSERT_EQ(pm_pin(fd, m, len, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM,
			 0, &pin), 0);
	ASSERT_EQ(pin.out_nr_pages, 16);
	ASSERT_EQ(pm_outstanding_pins() - base, 16);
	ASSERT_LEASE_PATTERN(fd, pin.out_handle, 0, len, 0, 65);
	src = malloc(len);
	ASSERT_NE(src, NULL);
	pm_fill(src, len, 0, 66);
	ASSERT_EQ(ACCESS_WRITE(fd, pin.out_handle, 0, len, src), 0);
	ASSERT_PATTERN(m, len, 0, 66);
	ASSERT_FILE_PATTERN(ffd, 0, len, 65);
	/* A write(2) to the file no longer shows in the private copies. */
	pm_fill(src, ps, 0, 67);
	ASSERT_EQ(pwrite(ffd, src, ps, 0), (ssize_t)ps);
	ASSERT_LEASE_PATTERN(fd, pin.out_handle, 0, len, 0, 66);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	free(src);
	munmap(m, len);
	close(ffd);
	close(fd);
}

/* ---- hugetlbfs ------------------------------------------------------- */

static long long ts_read_ll(const char *path)
{
	long long v = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static int ts_write_ll(const char *path, long long v)
{
	FILE *f = fopen(path, "we");
	int ret;

	if (!f)
		return -1;
	ret = fprintf(f, "%lld\n", v) < 0;
	ret |= fclose(f) != 0;
	return ret ? -1 : 0;
}

static long long ts_meminfo(const char *key)
{
	size_t klen = strlen(key);
	long long v = -1;
	char line[256];
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) &&
		    sscanf(line + klen, "%lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

#define NR_HUGEPAGES	"/proc/sys/vm/nr_hugepages"
#define TS_NR_HUGE	4

/*
 * Reserve TS_NR_HUGE more huge pages, run @body in a child (so that a
 * failing assertion cannot skip the clean-up), free the pages again and
 * pass the child's result on.
 */
static void ts_with_hugepages(void (*body)(size_t hpage), const char *path)
{
	long long old = ts_read_ll(NR_HUGEPAGES), now, hkb;
	pid_t pid;
	int st;

	if (old < 0)
		SKIP("cannot read %s", NR_HUGEPAGES);
	hkb = ts_meminfo("Hugepagesize:");
	if (hkb <= 0)
		SKIP("no hugetlb support");
	if (ts_write_ll(NR_HUGEPAGES, old + TS_NR_HUGE))
		SKIP("cannot write %s: %s", NR_HUGEPAGES, strerror(errno));
	if (ts_meminfo("HugePages_Free:") < TS_NR_HUGE) {
		ts_write_ll(NR_HUGEPAGES, old);
		SKIP("could not reserve %d huge pages", TS_NR_HUGE);
	}

	fflush(stdout);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		body((size_t)hkb * 1024);
		fflush(stdout);
		_exit(PM_EXIT_PASS);
	}
	st = pm_wait(pid);
	if (path)
		unlink(path);
	if (ts_write_ll(NR_HUGEPAGES, old))
		FAIL("cannot restore %s to %lld", NR_HUGEPAGES, old);
	now = ts_read_ll(NR_HUGEPAGES);
	ASSERT_EQ(now, old);
	if (st == PM_EXIT_PASS)
		return;
	/* A SKIP's reason is already where the runner reads it. */
	fflush(stdout);
	if (st == PM_EXIT_SKIP)
		_exit(PM_EXIT_SKIP);
	FAIL("the hugetlb part of the test failed (status %d)", st);
}

/*
 * Pin [m, m + TS_NR_HUGE huge pages) WRITE|LONGTERM (hugetlb pages need no
 * dirty tracking and are long-term pinnable, on both kernels): at most one
 * run per huge page, each huge-page aligned; data round-trips.
 */
static void ts_hugetlb_pin(char *m, size_t hpage)
{
	size_t len = TS_NR_HUGE * hpage, ps = pm_page_size();
	long long base = pm_outstanding_pins();
	int fd = pm_open();
	struct pinmgr_pin pin;
	char *src;

	ASSERT_GE(fd, 0);
	pm_fill(m, len, 0, 70);
	ASSERT_EQ(pm_pin(fd, m, len, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM,
			 0, &pin), 0);
	ASSERT_EQ(pin.out_nr_pages, len / ps);
	ASSERT_GE(pin.out_nr_runs, 1);
	ASSERT_LE(pin.out_nr_runs, TS_NR_HUGE);
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)(len / ps));
	if (pm_have_cap(CAP_SYS_ADMIN)) {
		struct pinmgr_segment *segs;
		__u32 nr, i;

		segs = pm_all_segments(fd, pin.out_handle, &nr);
		ASSERT_EQ(nr, pin.out_nr_runs);
		for (i = 0; i < nr; i++) {
			ASSERT_EQ(segs[i].phys_addr % hpage, 0);
			ASSERT_EQ(segs[i].length % hpage, 0);
		}
		free(segs);
	}
	ASSERT_LEASE_PATTERN(fd, pin.out_handle, 0, len, 0, 70);
	/* Across the boundary between the first two huge pages. */
	src = malloc(2 * ps);
	ASSERT_NE(src, NULL);
	pm_fill(src, 2 * ps, hpage - ps, 71);
	ASSERT_EQ(ACCESS_WRITE(fd, pin.out_handle, hpage - ps, 2 * ps, src), 0);
	ASSERT_PATTERN(m + hpage - ps, 2 * ps, hpage - ps, 71);
	free(src);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	close(fd);
}

static void ts_hugetlb_anon_body(size_t hpage)
{
	size_t len = TS_NR_HUGE * hpage;
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);

	if (m == MAP_FAILED)
		FAIL("mmap MAP_HUGETLB of %zu bytes: %s", len, strerror(errno));
	ts_hugetlb_pin(m, hpage);
	munmap(m, len);
}

TEST_TIMEOUT(hugetlb_anon_write_longterm_pin, 120)
{
	ts_with_hugepages(ts_hugetlb_anon_body, NULL);
}

static char ts_huge_path[256];

static void ts_hugetlb_file_body(size_t hpage)
{
	size_t len = TS_NR_HUGE * hpage;
	char *m, *buf;
	int hfd = open(ts_huge_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
		       0600);

	ASSERT_GE(hfd, 0);
	ASSERT_EQ(unlink(ts_huge_path), 0);
	ASSERT_EQ(ftruncate(hfd, len), 0);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, hfd, 0);
	if (m == MAP_FAILED)
		FAIL("mmap of a hugetlbfs file: %s", strerror(errno));
	ts_hugetlb_pin(m, hpage);
	/* What was written is in the file: map it a second time. */
	buf = mmap(NULL, len, PROT_READ, MAP_SHARED, hfd, 0);
	ASSERT_NE(buf, MAP_FAILED);
	ASSERT_PATTERN(buf + hpage - pm_page_size(), 2 * pm_page_size(),
		       hpage - pm_page_size(), 71);
	ASSERT_PATTERN(buf + 2 * hpage, hpage, 2 * hpage, 70);
	munmap(buf, len);
	munmap(m, len);
	close(hfd);
}

TEST_TIMEOUT(hugetlb_file_write_longterm_pin, 120)
{
	struct statfs sfs;

	if (statfs("/dev/hugepages", &sfs) || sfs.f_type != HUGETLBFS_MAGIC)
		SKIP("no hugetlbfs mounted at /dev/hugepages");
	snprintf(ts_huge_path, sizeof(ts_huge_path),
		 "/dev/hugepages/pinmgr-sem-%d", getpid());
	ts_with_hugepages(ts_hugetlb_file_body, ts_huge_path);
}

/* ---- Transparent huge pages ------------------------------------------ */

/* A write pin of THP-backed memory: ACCESS across the 2 MiB boundary. */
TEST_TIMEOUT(thp_write_pin_access_across_huge_pages, 120)
{
	size_t len = 2 * THP_SIZE, off = THP_SIZE - 300, wlen = 600;
	long long thp0 = pm_anon_huge_kb();
	char *p = pm_map_thp(len), *src;
	int fd = pm_open();
	long long base = pm_outstanding_pins();
	struct pinmgr_pin pin;

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	if (pm_anon_huge_kb() - thp0 < (long long)(len / 1024))
		SKIP("the range is not backed by transparent huge pages");
	pm_fill(p, len, 0, 80);
	ASSERT_EQ(pm_pin(fd, p, len, PINMGR_PIN_WRITE, 0, &pin), 0);
	ASSERT_LE(pin.out_nr_runs, 2);
	ASSERT_LEASE_PATTERN(fd, pin.out_handle, 0, len, 0, 80);
	src = malloc(wlen);
	ASSERT_NE(src, NULL);
	pm_fill(src, wlen, off, 81);
	ASSERT_EQ(ACCESS_WRITE(fd, pin.out_handle, off, wlen, src), 0);
	ASSERT_PATTERN(p + off, wlen, off, 81);
	ASSERT_PATTERN(p, off, 0, 80);
	ASSERT_PATTERN(p + off + wlen, len - off - wlen, off + wlen, 80);
	free(src);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	close(fd);
	pm_unmap(p, len);
}

/*
 * A THP range whose middle page is made read-only: the VMA splits in three
 * and the PMD is split into PTEs, but the frames stay those of the huge
 * pages. A read pin of the whole works and stays a run or two; a write pin
 * fails on the read-only page with nothing left pinned.
 */
TEST_TIMEOUT(thp_range_split_by_mprotect, 120)
{
	size_t ps = pm_page_size(), len = 2 * THP_SIZE, ro = THP_SIZE + 5 * ps;
	long long thp0 = pm_anon_huge_kb();
	char *p = pm_map_thp(len);
	int fd = pm_open();
	struct pinmgr_pin pin;
	struct ts_usage u;

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	if (pm_anon_huge_kb() - thp0 < (long long)(len / 1024))
		SKIP("the range is not backed by transparent huge pages");
	pm_fill(p, len, 0, 82);
	ASSERT_EQ(mprotect(p + ro, ps, PROT_READ), 0);
	ts_usage(fd, &u);
	ASSERT_ERRNO(pm_pin(fd, p, len, PINMGR_PIN_WRITE, 0, NULL), EFAULT);
	ASSERT_USAGE_UNCHANGED(fd, &u);
	ASSERT_ERRNO(pm_pin(fd, p, len, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM,
			    0, NULL), EFAULT);
	ASSERT_USAGE_UNCHANGED(fd, &u);

	ASSERT_EQ(pm_pin(fd, p, len, PINMGR_PIN_LONGTERM, 0, &pin), 0);
	ASSERT_EQ(pin.out_nr_pages, len / ps);
	ASSERT_LE(pin.out_nr_runs, 2);
	ASSERT_LEASE_PATTERN(fd, pin.out_handle, 0, len, 0, 82);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_USAGE_UNCHANGED(fd, &u);
	close(fd);
	pm_unmap(p, len);
}

/*
 * Untouched THP-enabled memory read-faults to the huge zero page (with
 * transparent_hugepage/use_zero_page, on by default): a short-term read
 * pin of 4 MiB pins it twice, two runs of the same 2 MiB frame. Unlike the
 * small zero page, the huge zero page is pinned for real and counted in
 * nr_foll_pin_acquired, on every kernel of the matrix.
 *
 * A read-only long-term pin differs per kernel:
 *  - before 6.2 it pins the huge zero page too;
 *  - since 6.2 ("mm/gup: reliable R/O long-term pinning in COW mappings")
 *    it unshares first, and until 6.13 the unshare splits the huge zero
 *    PMD and fills it with 4 KiB pages (AnonHugePages stays 0);
 *  - since 6.14 ("mm: allocate THP on hugezeropage wp-fault") the unshare
 *    allocates a THP, so the lease is one or two runs of real huge pages.
 * Either way, since 6.2 later writes of the process are seen through it.
 */
TEST_TIMEOUT(thp_readonly_pins_of_huge_zero_page_by_version, 120)
{
	size_t ps = pm_page_size(), len = 2 * THP_SIZE;
	char *p = pm_map_thp_untouched(len), *buf = malloc(len);
	long long base;
	struct pinmgr_segment *segs;
	struct pinmgr_pin pin;
	int fd = pm_open(), kv = pm_kver();
	__u64 hzp;
	__u32 nr, i;

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	ASSERT_NE(buf, NULL);
	if (!pm_have_cap(CAP_SYS_ADMIN))
		SKIP("needs CAP_SYS_ADMIN for GET_SEGMENTS");
	if (ts_read_ll("/sys/kernel/mm/transparent_hugepage/use_zero_page") != 1)
		SKIP("this kernel does not map the huge zero page");

	base = pm_outstanding_pins();
	ASSERT_EQ(pm_pin(fd, p, len, 0, 0, &pin), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)(len / ps));
	segs = pm_all_segments(fd, pin.out_handle, &nr);
	ASSERT_EQ(nr, 2);
	ASSERT_EQ(segs[0].phys_addr, segs[1].phys_addr);
	ASSERT_EQ(segs[0].length, THP_SIZE);
	ASSERT_EQ(segs[0].phys_addr % THP_SIZE, 0);
	hzp = segs[0].phys_addr;
	free(segs);
	ASSERT_EQ(ACCESS_READ(fd, pin.out_handle, 0, len, buf), 0);
	ASSERT_ALL_BYTES(buf, len, 0);
	ASSERT_ERRNO(ACCESS_WRITE(fd, pin.out_handle, 0, 1, buf), EACCES);
	/* The huge zero page is not anonymous memory of the process. */
	ASSERT_EQ(pm_anon_huge_kb_at(p), 0);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);

	ASSERT_EQ(pm_pin(fd, p, len, PINMGR_PIN_LONGTERM, 0, &pin), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)(len / ps));
	segs = pm_all_segments(fd, pin.out_handle, &nr);
	if (kv < PM_KV(6, 2)) {
		ASSERT_EQ(nr, 2);
		ASSERT_EQ(segs[0].phys_addr, hzp);
		ASSERT_EQ(segs[1].phys_addr, hzp);
	} else {
		for (i = 0; i < nr; i++)
			ASSERT_TRUE(hzp >= segs[i].phys_addr + segs[i].length ||
				    hzp + THP_SIZE <= segs[i].phys_addr);
		if (kv >= PM_KV(6, 14)) {
			ASSERT_LE(nr, 2);
			ASSERT_EQ(pm_anon_huge_kb_at(p),
				  (long long)(len / 1024));
		} else {
			ASSERT_EQ(pm_anon_huge_kb_at(p), 0);
		}
	}
	free(segs);
	memset(p, 0x6c, len);
	ASSERT_EQ(ACCESS_READ(fd, pin.out_handle, 0, len, buf), 0);
	ASSERT_ALL_BYTES(buf, len, kv < PM_KV(6, 2) ? 0 : 0x6c);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	free(buf);
	close(fd);
	pm_unmap(p, len);
}

/* ---- Ranges over several VMAs ----------------------------------------- */

/* How many lines of /proc/self/maps overlap [p, p + len). */
static int ts_count_vmas(const void *p, size_t len)
{
	uintptr_t s = (uintptr_t)p, e = s + len;
	unsigned long a, b;
	char line[512];
	int n = 0;
	FILE *f = fopen("/proc/self/maps", "re");

	ASSERT_NE(f, NULL);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &a, &b) == 2 && a < e && b > s)
			n++;
	fclose(f);
	return n;
}

/*
 * One range, three VMAs (read/write, read-only, read+exec) made by
 * mprotect: a read pin, short- or long-term, takes them all as one lease
 * and ACCESS reads across the VMA boundaries; a write pin is refused on the
 * read-only parts (check_vma_flags(): FOLL_WRITE needs VM_WRITE).
 */
TEST(vma_three_protections_one_lease)
{
	static const __u32 rflags[] = { 0, PINMGR_PIN_LONGTERM };
	size_t ps = pm_page_size(), n = 3 * 64, len = n * ps;
	char *p = pm_map_small_pages(len);
	int fd = pm_open();
	struct pinmgr_pin pin;
	struct ts_usage u;
	unsigned int i;

	ASSERT_GE(fd, 0);
	pm_fill(p, len, 0, 90);
	ASSERT_EQ(mprotect(p + 64 * ps, 64 * ps, PROT_READ), 0);
	ASSERT_EQ(mprotect(p + 128 * ps, 64 * ps, PROT_READ | PROT_EXEC), 0);
	ASSERT_EQ(ts_count_vmas(p, len), 3);
	ts_usage(fd, &u);

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(pm_pin(fd, p, len, rflags[i], 0, &pin), 0);
		ASSERT_EQ(pin.out_nr_pages, n);
		ASSERT_EQ(pm_outstanding_pins() - u.pins, (long long)n);
		ASSERT_LEASE_PATTERN(fd, pin.out_handle, 0, len, 0, 90);
		ASSERT_LEASE_PATTERN(fd, pin.out_handle, 64 * ps - 10, 20,
				     64 * ps - 10, 90);
		ASSERT_LEASE_PATTERN(fd, pin.out_handle, 128 * ps - 10, 20,
				     128 * ps - 10, 90);
		ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	}
	ASSERT_ERRNO(pm_pin(fd, p, len, PINMGR_PIN_WRITE, 0, NULL), EFAULT);
	ASSERT_USAGE_UNCHANGED(fd, &u);
	close(fd);
	pm_unmap(p, len);
}

/*
 * Three VMAs of different kinds in one lease: private anonymous, a shared
 * memfd mapping in the middle, private anonymous. Pinned WRITE|LONGTERM
 * (all three allowed on both kernels); writes through the lease land in the
 * right VMA, the middle one in the memfd.
 */
TEST(vma_mixed_kinds_one_lease)
{
	size_t ps = pm_page_size(), n = 48, len = n * ps, mid = 16 * ps;
	char *p = pm_map_small_pages(len), *m, *src;
	int fd = pm_open(), mfd = memfd_create("pinmgr-mixed", MFD_CLOEXEC);
	struct pinmgr_pin pin;
	struct ts_usage u;

	ASSERT_GE(fd, 0);
	ASSERT_GE(mfd, 0);
	ASSERT_EQ(ftruncate(mfd, mid), 0);
	m = mmap(p + mid, mid, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 mfd, 0);
	ASSERT_EQ(m, p + mid);
	ASSERT_EQ(ts_count_vmas(p, len), 3);
	pm_fill(p, len, 0, 91);
	ts_usage(fd, &u);

	ASSERT_EQ(pm_pin(fd, p, len, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM,
			 0, &pin), 0);
	ASSERT_EQ(pin.out_nr_pages, n);
	ASSERT_LEASE_PATTERN(fd, pin.out_handle, 0, len, 0, 91);
	src = malloc(len);
	ASSERT_NE(src, NULL);
	pm_fill(src, len, 0, 92);
	ASSERT_EQ(ACCESS_WRITE(fd, pin.out_handle, 0, len, src), 0);
	ASSERT_PATTERN(p, len, 0, 92);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_USAGE_UNCHANGED(fd, &u);
	{
		/* The middle VMA is file offset 0: lease offset mid. */
		char *f = malloc(mid);

		ASSERT_NE(f, NULL);
		ASSERT_EQ(pread(mfd, f, mid, 0), (ssize_t)mid);
		ASSERT_MEMEQ(f, src + mid, mid);
		free(f);
	}
	free(src);
	close(mfd);
	close(fd);
	pm_unmap(p, len);
}

static const __u32 ts_all_flags[] = {
	0, PINMGR_PIN_WRITE, PINMGR_PIN_LONGTERM,
	PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM,
};

/* A PROT_NONE VMA in the middle: EFAULT for every flag, nothing pinned. */
TEST(vma_prot_none_middle_efault)
{
	size_t ps = pm_page_size(), len = 3 * 64 * ps;
	char *p = pm_map_small_pages(len);
	int fd = pm_open();
	struct ts_usage u;
	unsigned int i;

	ASSERT_GE(fd, 0);
	memset(p, 0x42, len);
	ASSERT_EQ(mprotect(p + 64 * ps, 64 * ps, PROT_NONE), 0);
	ASSERT_EQ(ts_count_vmas(p, len), 3);
	ts_usage(fd, &u);
	for (i = 0; i < 4; i++) {
		ASSERT_ERRNO(pm_pin(fd, p, len, ts_all_flags[i], 0, NULL),
			     EFAULT);
		ASSERT_USAGE_UNCHANGED(fd, &u);
	}
	/* The parts on either side are fine alone. */
	ASSERT_EQ(pm_unpin(fd, PIN_OK(fd, p, 64 * ps, PINMGR_PIN_WRITE)), 0);
	ASSERT_EQ(pm_unpin(fd, PIN_OK(fd, p + 128 * ps, 64 * ps,
				      PINMGR_PIN_WRITE)), 0);
	ASSERT_USAGE_UNCHANGED(fd, &u);
	close(fd);
	pm_unmap(p, len);
}

/* A one-page hole (munmap) in the middle: EFAULT, nothing pinned. */
TEST(vma_guard_gap_efault)
{
	size_t ps = pm_page_size(), len = 129 * ps;
	char *p = pm_map_small_pages(len);
	int fd = pm_open();
	struct ts_usage u;
	unsigned int i;

	ASSERT_GE(fd, 0);
	memset(p, 0x43, len);
	ASSERT_EQ(munmap(p + 64 * ps, ps), 0);
	ASSERT_EQ(ts_count_vmas(p, len), 2);
	ts_usage(fd, &u);
	for (i = 0; i < 4; i++) {
		ASSERT_ERRNO(pm_pin(fd, p, len, ts_all_flags[i], 0, NULL),
			     EFAULT);
		ASSERT_USAGE_UNCHANGED(fd, &u);
		/* A range that starts in the hole. */
		ASSERT_ERRNO(pm_pin(fd, p + 64 * ps, 2 * ps, ts_all_flags[i],
				    0, NULL), EFAULT);
		ASSERT_USAGE_UNCHANGED(fd, &u);
	}
	close(fd);
	pm_unmap(p, 64 * ps);
	pm_unmap(p + 65 * ps, 64 * ps);
}

/*
 * A guard region (madvise(MADV_GUARD_INSTALL), Linux 6.13: "mm: madvise:
 * implement lightweight guard page mechanism") is a page that faults like
 * an unmapped one while its VMA stays whole: a range over it is EFAULT for
 * every flag, nothing pinned, and after MADV_GUARD_REMOVE the same range
 * pins. Kernels before 6.13 refuse the advice with EINVAL.
 */
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL	102
#define MADV_GUARD_REMOVE	103
#endif
TEST(vma_guard_region_efault_by_version)
{
	size_t ps = pm_page_size(), len = 64 * ps;
	char *p = pm_map_small_pages(len);
	int fd = pm_open();
	struct ts_usage u;
	unsigned int i;

	ASSERT_GE(fd, 0);
	memset(p, 0x44, len);
	if (pm_kver() < PM_KV(6, 13)) {
		ASSERT_ERRNO(madvise(p + 32 * ps, ps, MADV_GUARD_INSTALL),
			     EINVAL);
		close(fd);
		pm_unmap(p, len);
		return;
	}
	ASSERT_EQ(madvise(p + 32 * ps, ps, MADV_GUARD_INSTALL), 0);
	ASSERT_EQ(ts_count_vmas(p, len), 1);
	ts_usage(fd, &u);
	for (i = 0; i < 4; i++) {
		ASSERT_ERRNO(pm_pin(fd, p, len, ts_all_flags[i], 0, NULL),
			     EFAULT);
		ASSERT_USAGE_UNCHANGED(fd, &u);
	}
	/* Up to the guard page is fine; the guard page itself is not. */
	ASSERT_EQ(pm_unpin(fd, PIN_OK(fd, p, 32 * ps, PINMGR_PIN_WRITE)), 0);
	ASSERT_ERRNO(pm_pin(fd, p + 32 * ps, ps, 0, 0, NULL), EFAULT);
	ASSERT_EQ(madvise(p + 32 * ps, ps, MADV_GUARD_REMOVE), 0);
	ASSERT_EQ(pm_unpin(fd, PIN_OK(fd, p, len, PINMGR_PIN_WRITE |
						  PINMGR_PIN_LONGTERM)), 0);
	ASSERT_USAGE_UNCHANGED(fd, &u);
	close(fd);
	pm_unmap(p, len);
}

/* Read/write then read-only VMAs, pinned for writing: EFAULT. */
TEST(vma_readonly_part_write_pin_efault)
{
	static const __u32 wflags[] = {
		PINMGR_PIN_WRITE, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM,
	};
	size_t ps = pm_page_size(), len = 2 * 64 * ps;
	char *p = pm_map_small_pages(len);
	int fd = pm_open();
	struct ts_usage u;
	unsigned int i;

	ASSERT_GE(fd, 0);
	pm_fill(p, len, 0, 93);
	ASSERT_EQ(mprotect(p + 64 * ps, 64 * ps, PROT_READ), 0);
	ts_usage(fd, &u);
	for (i = 0; i < 2; i++) {
		ASSERT_ERRNO(pm_pin(fd, p, len, wflags[i], 0, NULL), EFAULT);
		ASSERT_USAGE_UNCHANGED(fd, &u);
		/* Also with the read-only part first. */
		ASSERT_EQ(mprotect(p, 64 * ps, PROT_READ), 0);
		ASSERT_EQ(mprotect(p + 64 * ps, 64 * ps,
				   PROT_READ | PROT_WRITE), 0);
		ASSERT_ERRNO(pm_pin(fd, p, len, wflags[i], 0, NULL), EFAULT);
		ASSERT_USAGE_UNCHANGED(fd, &u);
		ASSERT_EQ(mprotect(p, 64 * ps, PROT_READ | PROT_WRITE), 0);
		ASSERT_EQ(mprotect(p + 64 * ps, 64 * ps, PROT_READ), 0);
	}
	/* A refused write pin changed nothing: no COW was broken for good. */
	ASSERT_PATTERN(p, len, 0, 93);
	close(fd);
	pm_unmap(p, len);
}

/* ---- Failure half-way through a request ------------------------------ */

/*
 * 20 MiB of which the part after 10 MiB is gone (unmapped or PROT_NONE):
 * five 512-page batches are pinned before the hole is hit, and all of them
 * must be released. An unrelated lease held meanwhile stays as it was.
 */
static void ts_midfail(int hole_kind, const __u32 *flags, unsigned int nflags)
{
	size_t ps = pm_page_size(), len = 20 * MiB, half = 10 * MiB;
	char *p = pm_map_small_pages(len), *other = pm_map_small_pages(ps);
	int fd = pm_open();
	struct ts_usage u;
	unsigned int i;
	__u64 keep;

	ASSERT_GE(fd, 0);
	memset(p, 0x17, half);
	memset(other, 1, ps);
	if (hole_kind == 0)
		ASSERT_EQ(munmap(p + half, len - half), 0);
	else
		ASSERT_EQ(mprotect(p + half, len - half, PROT_NONE), 0);
	keep = PIN_OK(fd, other, ps, PINMGR_PIN_WRITE);
	ts_usage(fd, &u);
	ASSERT_EQ(u.info.ctx_leases, 1);
	ASSERT_EQ(u.info.ctx_pinned_pages, 1);

	for (i = 0; i < nflags; i++) {
		ASSERT_ERRNO(pm_pin(fd, p, len, flags[i], 0, NULL), EFAULT);
		ASSERT_USAGE_UNCHANGED(fd, &u);
	}
	/* The part before the hole pins whole, as a check of the setup. */
	ASSERT_EQ(pm_unpin(fd, PIN_OK(fd, p, half, flags[0])), 0);
	ASSERT_USAGE_UNCHANGED(fd, &u);
	ASSERT_EQ(pm_unpin(fd, keep), 0);
	close(fd);
	pm_unmap(p, hole_kind == 0 ? half : len);
	pm_unmap(other, ps);
}

TEST_TIMEOUT(midfail_unmapped_tail_nothing_pinned, 180)
{
	static const __u32 flags[] = { 0, PINMGR_PIN_WRITE };

	ts_midfail(0, flags, 2);
}

TEST_TIMEOUT(midfail_prot_none_tail_nothing_pinned, 180)
{
	static const __u32 flags[] = { 0, PINMGR_PIN_WRITE };

	ts_midfail(1, flags, 2);
}

TEST_TIMEOUT(midfail_longterm_nothing_pinned, 240)
{
	static const __u32 flags[] = {
		PINMGR_PIN_LONGTERM, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM,
	};

	ts_midfail(0, flags, 2);
	ts_midfail(1, flags, 2);
}

/* ---- ZONE_MOVABLE ---------------------------------------------------- */

struct ts_zone {
	unsigned long long start_pfn, spanned, present;
};

/* The Movable zone of node 0 from /proc/zoneinfo; 0 if there is one. */
static int ts_movable_zone(struct ts_zone *z)
{
	char line[256], zone[32];
	unsigned long long v;
	int node, in = 0, found = 0;
	FILE *f = fopen("/proc/zoneinfo", "re");

	memset(z, 0, sizeof(*z));
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %d, zone %31s", &node, zone) == 2) {
			in = !strcmp(zone, "Movable") && node == 0;
			found |= in;
			continue;
		}
		if (!in)
			continue;
		if (sscanf(line, " spanned %llu", &v) == 1)
			z->spanned = v;
		else if (sscanf(line, " present %llu", &v) == 1)
			z->present = v;
		else if (sscanf(line, " start_pfn: %llu", &v) == 1)
			z->start_pfn = v;
	}
	fclose(f);
	return found ? 0 : -1;
}

static void ts_need_movable(struct ts_zone *z)
{
	if (ts_movable_zone(z) || !z->present || !z->spanned)
		SKIP_NEEDS("movable", "no ZONE_MOVABLE (boot with movablecore=)");
	if (!pm_have_cap(CAP_SYS_ADMIN))
		SKIP("needs CAP_SYS_ADMIN for GET_SEGMENTS");
}

/* Bytes of the lease's segments that lie in the zone. */
static unsigned long long ts_bytes_in_zone(int fd, __u64 h,
					   const struct ts_zone *z)
{
	unsigned long long zs = z->start_pfn * pm_page_size();
	unsigned long long ze = (z->start_pfn + z->spanned) * pm_page_size();
	unsigned long long in = 0, s, e;
	struct pinmgr_segment *segs = NULL;
	__u32 nr, i;

	segs = pm_all_segments(fd, h, &nr);
	for (i = 0; i < nr; i++) {
		s = segs[i].phys_addr;
		e = s + segs[i].length;
		if (s < zs)
			s = zs;
		if (e > ze)
			e = ze;
		if (e > s)
			in += e - s;
	}
	free(segs);
	return in;
}

/* The mapping's frames are the lease's, page for page (pagemap). */
static void ts_assert_mapping_is_lease(int fd, __u64 h, const char *p)
{
	size_t ps = pm_page_size(), pg = 0;
	struct pinmgr_segment *segs;
	__u32 nr, i;
	__u64 k;

	segs = pm_all_segments(fd, h, &nr);
	for (i = 0; i < nr; i++)
		for (k = 0; k < segs[i].length / ps; k++, pg++)
			ASSERT_EQ(pm_pagemap_pfn(p + pg * ps),
				  (long long)(segs[i].phys_addr / ps + k));
	free(segs);
}

/*
 * Memory the process touched comes (mostly) from ZONE_MOVABLE; a
 * short-term pin leaves it there. FOLL_LONGTERM must not pin movable pages:
 * it migrates them out first (check_and_migrate_movable_pages()), so no
 * segment of the long-term lease lies in ZONE_MOVABLE, the contents moved
 * with the pages, and the process's mapping now maps the pinned copies.
 * Before Linux 5.13 only CMA pages move: where GET_INFO lacks
 * PINMGR_FEATURE_LONGTERM_MOVES_MOVABLE, the long-term lease keeps the
 * movable pages, which the test asserts instead (the rest holds alike).
 */
static void ts_movable_longterm(__u32 lt_flags)
{
	size_t ps = pm_page_size(), len = 32 * MiB, npages = len / ps;
	unsigned long long in;
	struct ts_zone z;
	struct pinmgr_pin pin;
	char *p;
	int fd;
	long long base;

	ts_need_movable(&z);
	fd = pm_open();
	ASSERT_GE(fd, 0);
	base = pm_outstanding_pins();
	p = pm_map_small_pages(len);
	pm_fill(p, len, 0, 100);

	ASSERT_EQ(pm_pin(fd, p, len, 0, 0, &pin), 0);
	in = ts_bytes_in_zone(fd, pin.out_handle, &z);
	pm_diag("short-term pin: %llu of %zu kB in ZONE_MOVABLE (pfn %llu+%llu)",
		in / 1024, len / 1024, z.start_pfn, z.spanned);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	if (!in)
		SKIP("none of the process's pages came from ZONE_MOVABLE: nothing to migrate");
	ASSERT_GT(in, len / 2);

	ASSERT_EQ(pm_pin(fd, p, len, lt_flags, 0, &pin), 0);
	ASSERT_EQ(pin.out_nr_pages, npages);
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)npages);
	in = ts_bytes_in_zone(fd, pin.out_handle, &z);
	if (pm_feature(PINMGR_FEATURE_LONGTERM_MOVES_MOVABLE)) {
		ASSERT_EQ(in, 0);
	} else {
		pm_diag("long-term pin: %llu kB stay in ZONE_MOVABLE, as before 5.13",
			in / 1024);
		ASSERT_GT(in, len / 2);
	}
	ASSERT_LEASE_PATTERN(fd, pin.out_handle, 0, len, 0, 100);
	ASSERT_PATTERN(p, len, 0, 100);
	ts_assert_mapping_is_lease(fd, pin.out_handle, p);

	if (lt_flags & PINMGR_PIN_WRITE) {
		char *src = malloc(3 * ps);

		/* Coherent both ways with the process's mapping. */
		ASSERT_NE(src, NULL);
		pm_fill(src, 3 * ps, 7 * MiB - ps, 101);
		ASSERT_EQ(ACCESS_WRITE(fd, pin.out_handle, 7 * MiB - ps,
				       3 * ps, src), 0);
		ASSERT_PATTERN(p + 7 * MiB - ps, 3 * ps, 7 * MiB - ps, 101);
		pm_fill(p + 20 * MiB, MiB, 20 * MiB, 102);
		ASSERT_LEASE_PATTERN(fd, pin.out_handle, 20 * MiB, MiB,
				     20 * MiB, 102);
		free(src);
	}
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	close(fd);
	pm_unmap(p, len);
}

TEST_TIMEOUT(movable_longterm_pin_migrates_out, 300)
{
	ts_movable_longterm(PINMGR_PIN_LONGTERM);
}

TEST_TIMEOUT(movable_longterm_write_pin_migrates_out_coherent, 300)
{
	ts_movable_longterm(PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM);
}

/* Pages of [p, p + len) whose frame lies in the zone (pagemap, as root). */
static size_t ts_pages_in_zone(const char *p, size_t len,
			       const struct ts_zone *z)
{
	size_t ps = pm_page_size(), i, in = 0;
	long long pfn;

	for (i = 0; i < len / ps; i++) {
		pfn = pm_pagemap_pfn(p + i * ps);
		ASSERT_GT(pfn, 0);
		if ((unsigned long long)pfn >= z->start_pfn &&
		    (unsigned long long)pfn < z->start_pfn + z->spanned)
			in++;
	}
	return in;
}

/*
 * A watch-only lease holds no pin: it must not keep its pages from moving.
 * A long-term pin of the same range migrates them out of ZONE_MOVABLE
 * while the watch-only lease watches (which stays live: the data is where
 * it was), and then holds them: a compaction run leaves the pinned frames
 * where they are.
 */
TEST_TIMEOUT(movable_watch_only_does_not_block_migration, 300)
{
	size_t ps = pm_page_size(), len = 16 * MiB;
	struct pinmgr_pin w, lt;
	struct pinmgr_query q;
	struct ts_zone z;
	char *p, buf[64];
	int fd, cfd;

	if (!pm_feature(PINMGR_FEATURE_WATCH))
		pm_skip_feature(PINMGR_FEATURE_WATCH, "watched leases");
	if (!pm_feature(PINMGR_FEATURE_LONGTERM_MOVES_MOVABLE))
		pm_skip_feature(PINMGR_FEATURE_LONGTERM_MOVES_MOVABLE,
				"long-term pins that move pages out of ZONE_MOVABLE");
	ts_need_movable(&z);
	fd = pm_open();
	ASSERT_GE(fd, 0);
	p = pm_map_small_pages(len);
	pm_fill(p, len, 0, 110);
	if (ts_pages_in_zone(p, len, &z) < len / ps / 2)
		SKIP("the process's pages did not come from ZONE_MOVABLE");

	ASSERT_EQ(pm_pin(fd, p, len, PINMGR_PIN_WATCH_ONLY, 0, &w), 0);
	ASSERT_EQ(pm_pin(fd, p, len, PINMGR_PIN_LONGTERM, 0, &lt), 0);
	/* Moved, despite the watch-only lease. */
	ASSERT_EQ(ts_pages_in_zone(p, len, &z), 0);
	ASSERT_EQ(ts_bytes_in_zone(fd, lt.out_handle, &z), 0);
	ts_assert_mapping_is_lease(fd, lt.out_handle, p);
	/* A move keeps the data at its address: the watch stays live. */
	ASSERT_EQ(pm_query(fd, w.out_handle, &q), 0);
	ASSERT_EQ(q.out_state, PINMGR_LEASE_ACTIVE);
	ASSERT_EQ(ACCESS_READ(fd, w.out_handle, 5 * MiB, sizeof(buf), buf), 0);
	ASSERT_PATTERN(buf, sizeof(buf), 5 * MiB, 110);

	/* The long-term pin holds its frames through a compaction run. */
	cfd = open("/proc/sys/vm/compact_memory", O_WRONLY | O_CLOEXEC);
	if (cfd >= 0) {
		ASSERT_EQ(write(cfd, "1", 1), 1);
		close(cfd);
	}
	ts_assert_mapping_is_lease(fd, lt.out_handle, p);
	ASSERT_LEASE_PATTERN(fd, lt.out_handle, 0, len, 0, 110);
	ASSERT_EQ(pm_unpin(fd, lt.out_handle), 0);
	ASSERT_EQ(pm_unpin(fd, w.out_handle), 0);
	close(fd);
	pm_unmap(p, len);
}

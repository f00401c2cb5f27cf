// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinmgr-bench: the memory under test. Each measurement gets a mapping of
 * exactly its size on one backing, written before any timing, and the
 * backing is confirmed from /proc/self/smaps rather than assumed: THP can
 * fall back to 4 KiB pages and hugetlb can run out of reserved pages.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"

#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << MAP_HUGE_SHIFT)
#endif

const char *backing_id(enum backing b)
{
	static const char *const ids[NR_BACKINGS] = {
		[BACKING_4K] = "4k", [BACKING_THP] = "thp",
		[BACKING_HUGETLB] = "hugetlb",
	};

	return ids[b];
}

const char *backing_label(enum backing b)
{
	static const char *const labels[NR_BACKINGS] = {
		[BACKING_4K] = "4 KiB pages (MADV_NOHUGEPAGE)",
		[BACKING_THP] = "THP (2 MiB aligned, MADV_HUGEPAGE)",
		[BACKING_HUGETLB] = "hugetlb (MAP_HUGETLB, 2 MiB)",
	};

	return labels[b];
}

size_t backing_page_size(enum backing b)
{
	return b == BACKING_4K ? BASE_PAGE : HUGE_PAGE;
}

/* Write every base page, so that the timed pins never fault. */
static void region_touch(const struct region *r)
{
	volatile unsigned char *p = r->addr;
	size_t off;

	for (off = 0; off < r->length; off += BASE_PAGE)
		p[off] = (unsigned char)(off >> 12 | 1);
}

int region_map(struct region *r, enum backing b, size_t length)
{
	int prot = PROT_READ | PROT_WRITE;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	size_t span = length;
	char *p, *aligned;

	r->addr = NULL;
	r->length = length;
	r->backing = b;

	switch (b) {
	case BACKING_4K:
		p = mmap(NULL, length, prot, flags, -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		if (madvise(p, length, MADV_NOHUGEPAGE)) {
			int err = -errno;

			munmap(p, length);
			return err;
		}
		r->addr = p;
		break;
	case BACKING_THP:
		/* Map 2 MiB more and trim, so the range is 2 MiB aligned. */
		span = length + HUGE_PAGE;
		p = mmap(NULL, span, prot, flags, -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		aligned = (char *)(((uintptr_t)p + HUGE_PAGE - 1) &
				   ~(uintptr_t)(HUGE_PAGE - 1));
		if (aligned > p)
			munmap(p, aligned - p);
		if (aligned + length < p + span)
			munmap(aligned + length, p + span - (aligned + length));
		if (madvise(aligned, length, MADV_HUGEPAGE)) {
			int err = -errno;

			munmap(aligned, length);
			return err;
		}
		r->addr = aligned;
		break;
	case BACKING_HUGETLB:
		p = mmap(NULL, length, prot,
			 flags | MAP_HUGETLB | MAP_HUGE_2MB, -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		r->addr = p;
		break;
	default:
		return -EINVAL;
	}
	region_touch(r);
	return 0;
}

void region_unmap(struct region *r)
{
	if (r->addr)
		munmap(r->addr, r->length);
	r->addr = NULL;
}

static int parse_vma_header(const char *line, uintptr_t *start,
			    uintptr_t *end)
{
	unsigned long s, e;

	if (sscanf(line, "%lx-%lx ", &s, &e) != 2)
		return -1;
	*start = s;
	*end = e;
	return 0;
}

int smaps_lookup(const void *addr, struct smaps_info *info)
{
	uintptr_t a = (uintptr_t)addr, start, end;
	unsigned long kb, shared_hugetlb = 0, private_hugetlb = 0;
	char line[512];
	int in_vma = 0, found = 0;
	FILE *f;

	memset(info, 0, sizeof(*info));
	f = fopen("/proc/self/smaps", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!parse_vma_header(line, &start, &end)) {
			if (in_vma)
				break;
			in_vma = a >= start && a < end;
			found |= in_vma;
			continue;
		}
		if (!in_vma)
			continue;
		if (sscanf(line, "Size: %lu kB", &kb) == 1)
			info->size_kb = kb;
		else if (sscanf(line, "Rss: %lu kB", &kb) == 1)
			info->rss_kb = kb;
		else if (sscanf(line, "KernelPageSize: %lu kB", &kb) == 1)
			info->kernel_page_kb = kb;
		else if (sscanf(line, "AnonHugePages: %lu kB", &kb) == 1)
			info->anon_huge_kb = kb;
		else if (sscanf(line, "Shared_Hugetlb: %lu kB", &kb) == 1)
			shared_hugetlb = kb;
		else if (sscanf(line, "Private_Hugetlb: %lu kB", &kb) == 1)
			private_hugetlb = kb;
	}
	fclose(f);
	info->hugetlb_kb = shared_hugetlb + private_hugetlb;
	return found ? 0 : -ENOENT;
}

int region_confirm(const struct region *r, char *why, size_t len)
{
	unsigned long want_kb = r->length / KIB;
	struct smaps_info s;
	int ret;

	ret = smaps_lookup(r->addr, &s);
	if (ret) {
		snprintf(why, len, "no smaps entry for the mapping (%s)",
			 strerror(-ret));
		return -1;
	}
	switch (r->backing) {
	case BACKING_4K:
		if (s.anon_huge_kb || s.kernel_page_kb != 4 ||
		    s.rss_kb < want_kb) {
			snprintf(why, len,
				 "smaps: Rss %lu kB, AnonHugePages %lu kB, KernelPageSize %lu kB for %lu kB of 4 KiB pages",
				 s.rss_kb, s.anon_huge_kb, s.kernel_page_kb,
				 want_kb);
			return -1;
		}
		break;
	case BACKING_THP:
		if (s.anon_huge_kb < want_kb) {
			snprintf(why, len,
				 "smaps: AnonHugePages %lu kB of %lu kB (THP fell back to 4 KiB pages)",
				 s.anon_huge_kb, want_kb);
			return -1;
		}
		break;
	case BACKING_HUGETLB:
		if (s.kernel_page_kb != HUGE_PAGE / KIB ||
		    s.hugetlb_kb < want_kb) {
			snprintf(why, len,
				 "smaps: KernelPageSize %lu kB, Private+Shared_Hugetlb %lu kB of %lu kB",
				 s.kernel_page_kb, s.hugetlb_kb, want_kb);
			return -1;
		}
		break;
	default:
		snprintf(why, len, "unknown backing");
		return -1;
	}
	return 0;
}

static long read_long_file(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

static int write_long_file(const char *path, long value)
{
	char buf[32];
	int fd, len, ok;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%ld\n", value);
	ok = write(fd, buf, len) == len;
	close(fd);
	return ok ? 0 : -EIO;
}

static long meminfo_value(const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	long v = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = strtol(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

#define NR_HUGEPAGES "/proc/sys/vm/nr_hugepages"

int hugetlb_reserve(struct hugetlb_reservation *res, long pages)
{
	long free_before;
	int ret;

	res->old_nr = -1;
	res->free_pages = 0;
	if (meminfo_value("Hugepagesize") != (long)(HUGE_PAGE / KIB))
		return -EOPNOTSUPP;
	free_before = meminfo_value("HugePages_Free");
	res->old_nr = read_long_file(NR_HUGEPAGES);
	if (res->old_nr < 0 || free_before < 0)
		return -ENOENT;
	if (free_before < pages) {
		ret = write_long_file(NR_HUGEPAGES,
				      res->old_nr + pages - free_before);
		if (ret) {
			res->old_nr = -1;
			return ret;
		}
	}
	res->free_pages = meminfo_value("HugePages_Free");
	return 0;
}

void hugetlb_restore(struct hugetlb_reservation *res)
{
	if (res->old_nr >= 0)
		write_long_file(NR_HUGEPAGES, res->old_nr);
	res->old_nr = -1;
	res->free_pages = 0;
}

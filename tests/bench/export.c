// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinmgr-bench: handing memory to a device as a dma-buf. pinmgr's way is
 * PIN + EXPORT of the range; udmabuf's, the kernel's reference exporter of
 * user memory, is UDMABUF_CREATE on a sealed memfd. Both are measured on
 * the same memfd (4 KiB pages, shmem THP, hugetlb), with the same importer
 * steps after them: the test importer attaches the dma-buf to QEMU's edu
 * device dynamically, as an RDMA driver would, maps it through the IOMMU,
 * and lets go again. One cycle is the whole registration and its undoing;
 * the figures also give each exporter's scatterlist entries (since 7.3 an
 * importer sees only the DMA segments: both counts are then those).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/pinmgr.h>
#include <linux/udmabuf.h>

#include "../importer/pinmgr_importer.h"
#include "bench.h"

#define IMPORTER_PATH "/dev/pinmgr_importer"
#define UDMABUF_PATH "/dev/udmabuf"
#define SHMEM_THP_PATH "/sys/kernel/mm/transparent_hugepage/shmem_enabled"

struct export_env {
	int pinmgr_fd;
	int importer_fd;
	int udmabuf_fd;
	int memfd;
	void *addr;
	size_t size;
};

static const size_t export_sizes[EXPORT_SIZES] = {
	4 * KIB, 2 * MIB, 64 * MIB, GIB,
};

/* The importer's part: attach, map, unmap, detach. */
static int import_once(struct export_env *e, int dbuf,
		       struct export_cell *c, enum export_row row)
{
	struct pmi_probe p = { .fd = dbuf, .flags = PMI_DYNAMIC,
			       .dir = PMI_BIDIRECTIONAL };

	if (ioctl(e->importer_fd, PMI_IOC_PROBE, &p))
		return -errno;
	c->sg_entries[row] = p.out_sg_nents;
	c->dma_segments[row] = p.out_nents;
	return 0;
}

static int pinmgr_export_cycle(struct export_env *e, struct export_cell *c)
{
	struct pinmgr_export x = { .size = sizeof(x) };
	uint64_t handle;
	int ret, ret2;

	ret = pinmgr_pin(e->pinmgr_fd, e->addr, e->size,
			 PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM, &handle);
	if (ret)
		return ret;
	x.handle = handle;
	if (ioctl(e->pinmgr_fd, PINMGR_IOC_EXPORT, &x)) {
		ret = -errno;
	} else {
		ret = import_once(e, x.out_fd, c, EXPORT_PINMGR);
		close(x.out_fd);
	}
	ret2 = pinmgr_unpin(e->pinmgr_fd, handle);
	return ret ? ret : ret2;
}

static int udmabuf_cycle(struct export_env *e, struct export_cell *c)
{
	struct udmabuf_create u = {
		.memfd = e->memfd, .flags = UDMABUF_FLAGS_CLOEXEC,
		.offset = 0, .size = e->size,
	};
	int dbuf, ret;

	dbuf = ioctl(e->udmabuf_fd, UDMABUF_CREATE, &u);
	if (dbuf < 0)
		return -errno;
	ret = import_once(e, dbuf, c, EXPORT_UDMABUF);
	close(dbuf);
	return ret;
}

static int export_cycle(struct export_env *e, struct export_cell *c,
			enum export_row row)
{
	return row == EXPORT_PINMGR ? pinmgr_export_cycle(e, c) :
				      udmabuf_cycle(e, c);
}

/*
 * @fd mapped shared at a 2 MiB boundary, where shmem can map huge pages:
 * a reservation of 2 MiB more, trimmed.
 */
static void *map_aligned(int fd, size_t size)
{
	char *res, *p;
	size_t head;

	res = mmap(NULL, size + HUGE_PAGE, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED)
		return MAP_FAILED;
	p = (char *)(((uintptr_t)res + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1));
	head = p - res;
	if (head)
		munmap(res, head);
	munmap(p + size, HUGE_PAGE - head);
	res = mmap(p, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		   fd, 0);
	if (res == MAP_FAILED)
		munmap(p, size);
	return res;
}

/* A sealed memfd of @c's size and backing, mapped and faulted in. */
static int memfd_map(struct export_env *e, struct export_cell *c)
{
	unsigned int flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
	int ret;

	if (c->backing == BACKING_HUGETLB)
		flags |= MFD_HUGETLB;
	e->memfd = memfd_create("pinmgr-bench-export", flags);
	if (e->memfd < 0)
		return -errno;
	e->size = c->size;
	e->addr = MAP_FAILED;
	if (ftruncate(e->memfd, c->size) ||
	    fcntl(e->memfd, F_ADD_SEALS, F_SEAL_SHRINK))
		goto fail;
	e->addr = map_aligned(e->memfd, c->size);
	if (e->addr == MAP_FAILED)
		goto fail;
	/* shmem gives huge pages where shmem_enabled is "advise" and asked. */
	if (c->backing != BACKING_HUGETLB &&
	    madvise(e->addr, c->size, c->backing == BACKING_THP ?
				      MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		goto fail;
	memset(e->addr, 0x5a, c->size);
	return 0;
fail:
	ret = -errno;
	if (e->addr != MAP_FAILED)
		munmap(e->addr, c->size);
	close(e->memfd);
	e->memfd = -1;
	return ret;
}

static void memfd_unmap(struct export_env *e)
{
	munmap(e->addr, e->size);
	close(e->memfd);
	e->memfd = -1;
}

/*
 * Samples of each row in turn, each of enough cycles to last about the
 * budget's sample time.
 */
static void measure_cell(struct export_env *e, const struct options *o,
			 struct export_cell *c)
{
	unsigned int n = o->quick ? 3 : 11, k[NR_EXPORT_ROWS], i, j, row;
	double v[NR_EXPORT_ROWS][11];
	int64_t t0, t;
	int ret;

	/* The fastest of three probes sets the batch: the first is cold. */
	for (row = 0; row < NR_EXPORT_ROWS; row++) {
		int64_t best = INT64_MAX;

		for (j = 0, ret = 0; j < 3 && !ret; j++) {
			t0 = now_ns();
			ret = export_cycle(e, c, row);
			t = now_ns() - t0;
			if (t < best)
				best = t;
		}
		t = best;
		c->err[row] = ret;
		if (ret)
			snprintf(c->row_why[row], WHY_LEN, "%s",
				 strerror(-ret));
		k[row] = t > 0 && t < o->budget.sample_ns ?
			 (unsigned int)(o->budget.sample_ns / t) : 1;
	}
	ret = 0;
	for (i = 0; i < n; i++) {
		for (row = 0; row < NR_EXPORT_ROWS; row++) {
			if (c->err[row])
				continue;
			t0 = now_ns();
			for (j = 0; j < k[row] && !ret; j++)
				ret = export_cycle(e, c, row);
			v[row][i] = (double)(now_ns() - t0) / k[row];
			if (ret) {
				c->err[row] = ret;
				snprintf(c->row_why[row], WHY_LEN, "%s",
					 strerror(-ret));
				ret = 0;
			}
		}
	}
	for (row = 0; row < NR_EXPORT_ROWS; row++) {
		if (c->err[row])
			continue;
		stats_compute(&c->st[row], v[row], n);
		c->st[row].cycles_per_sample = k[row];
	}
	if (!c->err[EXPORT_PINMGR] && !c->err[EXPORT_UDMABUF])
		c->ratio = c->st[EXPORT_PINMGR].median /
			   c->st[EXPORT_UDMABUF].median;
}

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, s, strlen(s)) < 0)
			fprintf(stderr, "pinmgr-bench: %s: %s\n", path,
				strerror(errno));
		close(fd);
	}
}

void run_export(struct bench_env *env, const struct options *o,
		struct export_result *r)
{
	struct export_env e = { .pinmgr_fd = env->pinmgr_fd, .memfd = -1 };
	struct hugetlb_reservation hres;
	unsigned int b, s, nr_sizes = o->quick ? 2 : EXPORT_SIZES;
	struct export_cell *c;
	char size[32];
	int ret;

	memset(r, 0, sizeof(*r));
	r->measured = true;
	fprintf(stderr, "pinmgr-bench: exported leases against udmabuf\n");
	e.importer_fd = open(IMPORTER_PATH, O_RDWR | O_CLOEXEC);
	if (e.importer_fd < 0) {
		r->err = -errno;
		snprintf(r->why, WHY_LEN, "%s: %s (run-vm -e)", IMPORTER_PATH,
			 strerror(errno));
		return;
	}
	e.udmabuf_fd = open(UDMABUF_PATH, O_RDWR | O_CLOEXEC);
	if (e.udmabuf_fd < 0) {
		r->err = -errno;
		snprintf(r->why, WHY_LEN, "%s: %s", UDMABUF_PATH,
			 strerror(errno));
		close(e.importer_fd);
		return;
	}
	write_file(SHMEM_THP_PATH, "advise");

	for (b = 0; b < NR_BACKINGS; b++) {
		for (s = 0; s < nr_sizes; s++) {
			c = &r->cells[r->nr_cells++];
			c->backing = b;
			c->size = export_sizes[s];
			if (c->size < backing_page_size(b)) {
				c->status = CELL_SKIPPED;
				snprintf(c->why, WHY_LEN, "below the page size");
				continue;
			}
			fprintf(stderr, "pinmgr-bench:   %s, %s\n",
				backing_label(b),
				size_str(c->size, size, sizeof(size)));
			ret = 0;
			if (b == BACKING_HUGETLB)
				ret = hugetlb_reserve(&hres, c->size / HUGE_PAGE);
			if (!ret)
				ret = memfd_map(&e, c);
			if (ret) {
				c->status = CELL_NOT_BACKED;
				snprintf(c->why, WHY_LEN, "memfd: %s",
					 strerror(-ret));
			} else {
				measure_cell(&e, o, c);
				memfd_unmap(&e);
			}
			if (b == BACKING_HUGETLB)
				hugetlb_restore(&hres);
		}
	}
	close(e.udmabuf_fd);
	close(e.importer_fd);
}

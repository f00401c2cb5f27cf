// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exported leases used by a device that does DMA through an IOMMU: QEMU's
 * edu device, driven by the test importer (tests/importer), which attaches
 * and maps the dma-buf for edu as any driver would and has edu copy
 * between the lease and its own buffer. run-vm --edu sets the machine up;
 * where PINMGR_REQUIRE says "edu" these tests may not skip.
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

#include "harness.h"
#include "importer/pinmgr_importer.h"

#define E_PAGES		16

/* The importer's file, once the machine has it and an IOMMU under it. */
static int e_open(void)
{
	struct pmi_info info;
	int imp;

	if (!pm_feature(PINMGR_FEATURE_EXPORT))
		pm_skip_feature(PINMGR_FEATURE_EXPORT, "exported leases");
	imp = open("/dev/pinmgr_importer", O_RDWR | O_CLOEXEC);
	if (imp < 0)
		SKIP("no test importer (run-vm --edu loads it): %s",
		     strerror(errno));
	ASSERT_EQ(ioctl(imp, PMI_IOC_INFO, &info), 0);
	if (!info.out_iommu)
		FAIL("edu's DMA does not go through an IOMMU");
	return imp;
}

static __u32 e_attach(int imp, int dbuf, __u32 flags)
{
	struct pmi_attach a = { .fd = dbuf, .flags = flags };

	if (ioctl(imp, PMI_IOC_ATTACH, &a))
		FAIL("attach the export to edu: %s", strerror(errno));
	return a.out_id;
}

static int e_map(int imp, __u32 id, __u32 dir, struct pmi_map *m)
{
	memset(m, 0, sizeof(*m));
	m->id = id;
	m->dir = dir;
	return ioctl(imp, PMI_IOC_MAP, m);
}

/* edu copies @len bytes at @off of the dma-buf to or from @data. */
static int e_xfer(int imp, __u32 id, size_t off, void *data, size_t len,
		  bool to_memory)
{
	struct pmi_xfer x = {
		.id = id, .to_memory = to_memory, .offset = off, .len = len,
		.data = (__u64)(uintptr_t)data,
	};

	return ioctl(imp, PMI_IOC_XFER, &x);
}

static struct pmi_state e_state(int imp, __u32 id)
{
	struct pmi_state s = { .id = id };

	ASSERT_EQ(ioctl(imp, PMI_IOC_STATE, &s), 0);
	return s;
}

static void e_detach(int imp, __u32 id)
{
	ASSERT_EQ(ioctl(imp, PMI_IOC_DETACH, &id), 0);
}

static struct pinmgr_query e_query(int fd, __u64 h)
{
	struct pinmgr_query q;

	ASSERT_EQ(pm_query(fd, h, &q), 0);
	return q;
}

/* The pins of ended leases go in the driver's workqueue: wait a little. */
static void e_expect_pins(long long want)
{
	ASSERT_EQ(pm_await_outstanding_pins(want), want);
}

/*
 * The exporter's table has one entry per run, and the IOMMU merges them
 * into no more segments. Since 7.3 an importer is handed a table of the
 * DMA segments alone, and sees no more of the exporter's.
 */
static void e_expect_entries(const struct pmi_map *m, __u64 runs)
{
	if (m->out_sg_nents != runs) {
		ASSERT_EQ(m->out_sg_nents, m->out_nents);
		pm_diag("the importer sees the DMA segments only");
	}
	ASSERT_LE(m->out_nents, runs);
}

/*
 * E_PAGES pages of 4 KiB at *@bufp holding pattern @seed, pinned with
 * @flags and exported: the lease's handle, and the dma-buf in *@dbuf.
 */
static __u64 e_pin_export(int fd, char **bufp, __u32 flags, unsigned int seed,
			  int *dbuf)
{
	size_t len = E_PAGES * pm_page_size();
	__u64 h;

	*bufp = pm_map_small_pages(len);
	pm_fill(*bufp, len, 0, seed);
	h = PIN_OK(fd, *bufp, len, flags);
	*dbuf = pm_export(fd, h);
	ASSERT_GE(*dbuf, 0);
	return h;
}

/*
 * After a revocation edu let go of: the owner's memory is as it was, the
 * last dma-buf goes, the owner acknowledges the end, and its file closes.
 */
static void e_end_revoked(int fd, __u64 h, int dbuf, char *buf,
			  unsigned int seed)
{
	size_t len = E_PAGES * pm_page_size();

	ASSERT_PATTERN(buf, len, 0, seed);
	close(dbuf);
	ASSERT_EQ(e_query(fd, h).out_exports, 0);
	ASSERT_ERRNO(pm_unpin(fd, h), EKEYREVOKED);
	pm_unmap(buf, len);
	close(fd);
}

/*
 * A write pin of pattern @seed, exported, attached to edu dynamically and
 * mapped; then its owner unpins and exits (closes its file, drops the
 * dma-buf and the memory): edu's mapping alone keeps the pages (*@h: the
 * lease). Return: edu's attachment.
 */
static __u32 e_held_by_edu(int imp, unsigned int seed, long long pins0,
			   __u64 *h)
{
	int fd = pm_open(), dbuf;
	struct pmi_map m;
	char *buf;
	__u32 id;

	*h = e_pin_export(fd, &buf, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM,
			  seed, &dbuf);
	id = e_attach(imp, dbuf, PMI_DYNAMIC);
	ASSERT_EQ(e_map(imp, id, PMI_BIDIRECTIONAL, &m), 0);
	ASSERT_EQ(pm_unpin(fd, *h), 0);
	close(fd);
	close(dbuf);
	pm_unmap(buf, E_PAGES * pm_page_size());
	pm_vmstat_refresh();
	ASSERT_EQ(pm_outstanding_pins(), pins0 + E_PAGES);
	return id;
}

/*
 * Pin @buf (@len bytes holding pattern @seed), export it, map it for edu
 * with one scatterlist entry per run, and have edu read three pages of it
 * and write two.
 */
static void e_read_and_write(int imp, int fd, const char *what, char *buf,
			     size_t len, unsigned int seed)
{
	size_t ps = pm_page_size(), offs[3] = { 0, (len / 2) & ~(ps - 1),
						len - ps };
	long long pins0 = pm_outstanding_pins();
	struct pinmgr_query q;
	struct pmi_map m;
	char page[PMI_XFER_MAX];
	int dbuf, i;
	__u32 id;
	__u64 h;

	ASSERT_EQ(ps, sizeof(page));
	pm_fill(buf, len, 0, seed);
	h = PIN_OK(fd, buf, len, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM);
	q = e_query(fd, h);
	dbuf = pm_export(fd, h);
	ASSERT_GE(dbuf, 0);
	id = e_attach(imp, dbuf, 0);
	ASSERT_EQ(e_map(imp, id, PMI_BIDIRECTIONAL, &m), 0);
	pm_diag("%s: %zu bytes, %llu runs, %u scatterlist entries, %u DMA segments",
		what, len, (unsigned long long)q.out_nr_runs, m.out_sg_nents,
		m.out_nents);
	ASSERT_EQ(m.out_size, len);
	e_expect_entries(&m, q.out_nr_runs);
	ASSERT_GE(e_query(fd, h).out_export_holds, 1);

	for (i = 0; i < 3; i++) {
		memset(page, 0, sizeof(page));
		ASSERT_EQ(e_xfer(imp, id, offs[i], page, ps, false), 0);
		ASSERT_PATTERN(page, ps, offs[i], seed);
	}
	for (i = 1; i < 3; i++) {
		pm_fill(page, ps, offs[i], seed + 1);
		ASSERT_EQ(e_xfer(imp, id, offs[i], page, ps, true), 0);
		ASSERT_PATTERN(buf + offs[i], ps, offs[i], seed + 1);
	}
	/* What edu did not write is as it was. */
	ASSERT_PATTERN(buf, ps, 0, seed);

	e_detach(imp, id);
	ASSERT_EQ(e_query(fd, h).out_export_holds, 0);
	close(dbuf);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	e_expect_pins(pins0);
}

TEST(edu_reads_and_writes_leases_of_every_backing)
{
	size_t len = E_PAGES * pm_page_size();
	int imp = e_open(), fd = pm_open(), mfd;
	char *buf;

	buf = pm_map_small_pages(len);
	e_read_and_write(imp, fd, "4 KiB pages", buf, len, 11);
	pm_unmap(buf, len);

	buf = pm_map_thp(PM_HUGE);
	ASSERT_NE(buf, NULL);
	e_read_and_write(imp, fd, "transparent huge page", buf, PM_HUGE, 12);
	pm_unmap(buf, PM_HUGE);

	if (access("/proc/sys/vm/nr_hugepages", F_OK) == 0) {
		buf = pm_map_hugetlb(PM_HUGE);
		e_read_and_write(imp, fd, "hugetlb page", buf, PM_HUGE, 13);
		pm_unmap(buf, PM_HUGE);
	} else {
		pm_diag("no hugetlb pages on this kernel");
	}

	/* Shared memory: a memfd mapped shared, as udmabuf would take it. */
	mfd = memfd_create("pinmgr-edu", MFD_CLOEXEC);
	ASSERT_GE(mfd, 0);
	ASSERT_EQ(ftruncate(mfd, len), 0);
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	ASSERT_NE(buf, MAP_FAILED);
	e_read_and_write(imp, fd, "shmem", buf, len, 14);
	pm_unmap(buf, len);
	close(mfd);
	close(fd);
	close(imp);
}

/* Transfers until one fails, as a device's queue would run. */
struct e_stream {
	int imp;
	__u32 id;
	size_t len;
	unsigned int done;	/* transfers that succeeded */
	int err;		/* errno of the one that failed */
};

static void *e_stream_run(void *arg)
{
	struct e_stream *s = arg;
	size_t ps = pm_page_size();
	char page[PMI_XFER_MAX];
	unsigned int i;

	for (i = 0;; i++) {
		if (e_xfer(s->imp, s->id, (i * ps) % s->len, page, ps, false)) {
			s->err = errno;
			return NULL;
		}
		__atomic_store_n(&s->done, i + 1, __ATOMIC_RELEASE);
	}
}

/*
 * A revocation while edu streams from a dynamic attachment: the importer
 * is told (move_notify, once) and unmaps, the DMA in flight finishes
 * first, the next transfer finds no mapping and the next map is refused;
 * the pages are released at once, since no device holds them.
 */
TEST(edu_revoke_mid_stream_reaches_a_dynamic_importer)
{
	size_t len = E_PAGES * pm_page_size();
	long long pins0 = pm_outstanding_pins();
	int imp = e_open(), fd = pm_open(), dbuf;
	struct e_stream s = { .imp = imp, .len = len };
	struct pinmgr_event ev;
	struct pmi_state st;
	struct pmi_map m;
	__u64 h, deadline;
	pthread_t thread;
	char *buf;
	int i;

	h = e_pin_export(fd, &buf, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM, 21,
			 &dbuf);
	s.id = e_attach(imp, dbuf, PMI_DYNAMIC);
	ASSERT_EQ(e_map(imp, s.id, PMI_BIDIRECTIONAL, &m), 0);
	ASSERT_GE(e_query(fd, h).out_export_holds, 1);
	st = e_state(imp, s.id);
	ASSERT_EQ(st.out_mapped, 1);
	ASSERT_EQ(st.out_moves, 0);

	ASSERT_EQ(pthread_create(&thread, NULL, e_stream_run, &s), 0);
	for (i = 0; i < 1000 && !__atomic_load_n(&s.done, __ATOMIC_ACQUIRE); i++)
		pm_msleep(10);
	ASSERT_GT(__atomic_load_n(&s.done, __ATOMIC_ACQUIRE), 0);
	ASSERT_EQ(pm_revoke(fd, h, PINMGR_REVOKE_NOW, &deadline), 0);
	pm_expect_event(fd, PINMGR_EVENT_REVOKED, h, 5000, &ev);
	ASSERT_EQ(pthread_join(thread, NULL), 0);
	pm_diag("%u transfers before the revocation", s.done);
	ASSERT_EQ(s.err, ENXIO);

	st = e_state(imp, s.id);
	ASSERT_EQ(st.out_moves, 1);
	ASSERT_EQ(st.out_mapped, 0);
	ASSERT_EQ(e_query(fd, h).out_export_holds, 0);
	ASSERT_EQ(e_query(fd, h).out_state, PINMGR_LEASE_REVOKED);
	e_expect_pins(pins0);
	/* The next map sees the lease as it is now: gone. */
	ASSERT_ERRNO(e_map(imp, s.id, PMI_BIDIRECTIONAL, &m), ENODEV);
	ASSERT_ERRNO(e_map(imp, s.id, PMI_TO_DEVICE, &m), ENODEV);
	e_detach(imp, s.id);
	e_end_revoked(fd, h, dbuf, buf, 21);
	close(imp);
}

/*
 * A read-only export is read-only for the device too: a mapping that lets
 * it write is refused, and the IOMMU keeps a device that tries anyway
 * through a read mapping from changing a byte.
 */
TEST(edu_read_only_export_keeps_the_device_from_writing)
{
	size_t len = E_PAGES * pm_page_size(), ps = pm_page_size();
	long long pins0 = pm_outstanding_pins();
	int imp = e_open(), fd = pm_open(), dbuf;
	char page[PMI_XFER_MAX];
	struct pmi_map m;
	char *buf;
	__u32 id;
	__u64 h;

	h = e_pin_export(fd, &buf, PINMGR_PIN_LONGTERM, 31, &dbuf);
	ASSERT_EQ(fcntl(dbuf, F_GETFL) & O_ACCMODE, O_RDONLY);
	id = e_attach(imp, dbuf, PMI_DYNAMIC);
	ASSERT_ERRNO(e_map(imp, id, PMI_BIDIRECTIONAL, &m), EACCES);
	ASSERT_ERRNO(e_map(imp, id, PMI_FROM_DEVICE, &m), EACCES);
	ASSERT_EQ(e_map(imp, id, PMI_TO_DEVICE, &m), 0);

	ASSERT_EQ(e_xfer(imp, id, 2 * ps, page, ps, false), 0);
	ASSERT_PATTERN(page, ps, 2 * ps, 31);
	/* edu is told to write: the IOMMU drops the write. */
	memset(page, 0x5a, ps);
	ASSERT_EQ(e_xfer(imp, id, 2 * ps, page, ps, true), 0);
	ASSERT_PATTERN(buf, len, 0, 31);

	e_detach(imp, id);
	close(dbuf);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	e_expect_pins(pins0);
	pm_unmap(buf, len);
	close(fd);
	close(imp);
}

/*
 * The owner unpins and exits while edu has the lease mapped: the pages
 * stay, edu still reads the owner's data, and they go with the mapping.
 */
TEST(edu_keeps_reading_after_the_owner_unpins)
{
	long long pins0 = pm_outstanding_pins();
	size_t ps = pm_page_size();
	char page[PMI_XFER_MAX];
	int imp = e_open();
	__u32 id;
	__u64 h;

	id = e_held_by_edu(imp, 41, pins0, &h);
	ASSERT_EQ(e_xfer(imp, id, (E_PAGES - 1) * ps, page, ps, false), 0);
	ASSERT_PATTERN(page, ps, (E_PAGES - 1) * ps, 41);
	e_detach(imp, id);
	e_expect_pins(pins0);
	close(imp);
}

/*
 * A device that pins the dma-buf besides mapping it (as RDMA's pinned
 * memory regions do), and unmaps when told. Where the kernel says which
 * importers do so (PINMGR_FEATURE_EXPORT_REVOCABLE_PINS), a revocation
 * takes the pages from it at once; elsewhere its pin keeps them, HELD,
 * until it lets go. Either way no new pin of the ended lease is taken.
 */
TEST(edu_revoke_and_an_importer_that_pins)
{
	size_t ps = pm_page_size();
	bool revocable = pm_feature(PINMGR_FEATURE_EXPORT_REVOCABLE_PINS);
	long long pins0 = pm_outstanding_pins();
	int imp = e_open(), fd = pm_open(), dbuf;
	unsigned long long held0, held1;
	struct pmi_attach again = { .flags = PMI_DYNAMIC | PMI_PINNED };
	char page[PMI_XFER_MAX];
	struct pinmgr_event ev;
	struct pmi_state st;
	struct pmi_map m;
	__u64 h, deadline;
	char *buf;
	__u32 id;

	ASSERT_EQ(pm_sysfs_read("export_held_ends", &held0), 0);
	h = e_pin_export(fd, &buf, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM, 51,
			 &dbuf);
	id = e_attach(imp, dbuf, PMI_DYNAMIC | PMI_PINNED);
	ASSERT_EQ(e_map(imp, id, PMI_BIDIRECTIONAL, &m), 0);
	ASSERT_EQ(e_xfer(imp, id, 3 * ps, page, ps, false), 0);
	ASSERT_PATTERN(page, ps, 3 * ps, 51);
	/*
	 * The mapping holds the pages; the pins too (the importer's, and the
	 * core's for the mapping without CONFIG_DMABUF_MOVE_NOTIFY), unless
	 * the kernel says this importer unmaps when told.
	 */
	if (revocable)
		ASSERT_EQ(e_query(fd, h).out_export_holds, 1);
	else
		ASSERT_GE(e_query(fd, h).out_export_holds, 2);

	ASSERT_EQ(pm_revoke(fd, h, PINMGR_REVOKE_NOW, &deadline), 0);
	pm_expect_event(fd, PINMGR_EVENT_REVOKED, h, 5000, &ev);
	st = e_state(imp, id);
	ASSERT_EQ(st.out_moves, 1);
	ASSERT_EQ(st.out_mapped, 0);
	ASSERT_ERRNO(e_map(imp, id, PMI_BIDIRECTIONAL, &m), ENODEV);
	/* A new pinned attachment of the ended lease is refused. */
	again.fd = dbuf;
	ASSERT_ERRNO(ioctl(imp, PMI_IOC_ATTACH, &again), ENODEV);
	ASSERT_EQ(pm_sysfs_read("export_held_ends", &held1), 0);
	if (revocable) {
		pm_diag("the pin of an importer that unmaps when told holds nothing");
		ASSERT_EQ(held1, held0);
		ASSERT_EQ(e_query(fd, h).out_export_holds, 0);
		e_expect_pins(pins0);
	} else {
		pm_diag("the importer's pin keeps the pages until it lets go");
		pm_expect_event(fd, PINMGR_EVENT_HELD, h, 5000, &ev);
		ASSERT_EQ(held1, held0 + 1);
		ASSERT_EQ(e_query(fd, h).out_export_holds, 1);
		pm_vmstat_refresh();
		ASSERT_EQ(pm_outstanding_pins(), pins0 + E_PAGES);
	}
	e_detach(imp, id);
	e_expect_pins(pins0);
	ASSERT_EQ(e_query(fd, h).out_export_holds, 0);
	ASSERT_EQ(e_query(fd, h).out_state, PINMGR_LEASE_REVOKED);
	e_end_revoked(fd, h, dbuf, buf, 51);
	close(imp);
}

/*
 * The owner unpins and exits while edu has the lease mapped; an
 * administrator revokes the HELD lease: the dynamic importer is told and
 * unmaps, the pages go though edu keeps its attachment, and the next map
 * is refused.
 */
TEST(edu_revoke_of_a_held_lease_reaches_the_device)
{
	long long pins0 = pm_outstanding_pins();
	int imp = e_open(), admin;
	struct pmi_state st;
	struct pmi_map m;
	__u64 h, deadline;
	__u32 id;

	id = e_held_by_edu(imp, 71, pins0, &h);
	admin = pm_open();
	ASSERT_ERRNO(pm_revoke(admin, h, 0, &deadline), ESRCH);
	ASSERT_EQ(e_state(imp, id).out_mapped, 1);
	ASSERT_EQ(pm_revoke(admin, h, PINMGR_REVOKE_NOW, &deadline), 0);
	st = e_state(imp, id);
	ASSERT_EQ(st.out_moves, 1);
	ASSERT_EQ(st.out_mapped, 0);
	e_expect_pins(pins0);
	ASSERT_ERRNO(e_map(imp, id, PMI_BIDIRECTIONAL, &m), ENODEV);
	ASSERT_ERRNO(pm_revoke(admin, h, PINMGR_REVOKE_NOW, &deadline),
		     EKEYREVOKED);
	e_detach(imp, id);
	/* The last reference to the dma-buf went with the attachment. */
	ASSERT_ERRNO(pm_revoke(admin, h, PINMGR_REVOKE_NOW, &deadline), ENOENT);
	close(admin);
	close(imp);
}

/* The importer's kernel mapping of @dbuf: one copy of @len bytes. */
static int e_vmap_copy(int imp, int dbuf, size_t off, void *data, size_t len,
		       bool write)
{
	struct pmi_vmap v = {
		.fd = dbuf, .write = write, .offset = off, .len = len,
		.data = (__u64)(uintptr_t)data,
	};

	return ioctl(imp, PMI_IOC_VMAP, &v);
}

/*
 * A CPU-side importer's kernel mapping of an export (vmap, as V4L2's
 * vmalloc buffers and DRM's shadow planes make it): it reads the owner's
 * data and writes into the owner's memory; a read-only export has none.
 * Once the lease has ended, a new one maps a blank page of the driver's:
 * it reads zeros, and what is written there reaches no one.
 */
TEST(edu_importer_vmap_reads_and_writes_the_lease)
{
	size_t len = E_PAGES * pm_page_size(), ps = pm_page_size();
	long long pins0 = pm_outstanding_pins();
	int imp = e_open(), fd = pm_open(), dbuf, ro;
	char page[PMI_XFER_MAX], *buf, *rbuf;
	struct pinmgr_event ev;
	__u64 h, rh, deadline;

	h = e_pin_export(fd, &buf, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM, 81,
			 &dbuf);
	ASSERT_EQ(e_vmap_copy(imp, dbuf, 5 * ps, page, ps, false), 0);
	ASSERT_PATTERN(page, ps, 5 * ps, 81);
	memset(page, 0x3c, ps);
	ASSERT_EQ(e_vmap_copy(imp, dbuf, 2 * ps, page, ps, true), 0);
	ASSERT_ALL_BYTES(buf + 2 * ps, ps, 0x3c);
	/* Beyond the end: the importer's own check. */
	ASSERT_ERRNO(e_vmap_copy(imp, dbuf, len - ps + 1, page, ps, false),
		     EINVAL);
	ASSERT_EQ(e_query(fd, h).out_export_holds, 0);

	rh = e_pin_export(fd, &rbuf, PINMGR_PIN_LONGTERM, 82, &ro);
	ASSERT_NE(e_vmap_copy(imp, ro, 0, page, ps, false), 0);
	pm_diag("vmap of a read-only export: %s", strerror(errno));
	close(ro);
	ASSERT_EQ(pm_unpin(fd, rh), 0);
	pm_unmap(rbuf, len);

	ASSERT_EQ(pm_revoke(fd, h, PINMGR_REVOKE_NOW, &deadline), 0);
	pm_expect_event(fd, PINMGR_EVENT_REVOKED, h, 5000, &ev);
	e_expect_pins(pins0);
	ASSERT_EQ(e_vmap_copy(imp, dbuf, 5 * ps, page, ps, false), 0);
	ASSERT_ALL_BYTES(page, ps, 0);
	memset(page, 0x77, ps);
	ASSERT_EQ(e_vmap_copy(imp, dbuf, 5 * ps, page, ps, true), 0);
	ASSERT_EQ(e_query(fd, h).out_export_holds, 0);
	/* The owner's memory has what the live mapping wrote, nothing else. */
	ASSERT_ALL_BYTES(buf + 2 * ps, ps, 0x3c);
	pm_fill(buf + 2 * ps, ps, 2 * ps, 81);
	e_end_revoked(fd, h, dbuf, buf, 81);
	close(imp);
}

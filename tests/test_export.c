// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exported leases: PINMGR_IOC_EXPORT and the dma-buf it makes. The
 * dma-buf is used as other programs would: mmap(2) of its file, DRM's vgem
 * importing it (PRIME) and mapping it through the import, V4L2's vivid
 * capturing into it and its output device reading from it. Its lifetime
 * (after UNPIN, after the owner exits), what a revocation does to it with
 * and without a device holding it, and the requests that must fail are
 * here too.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <drm.h>
#include <linux/videodev2.h>

#include "harness.h"

#define X_PAGES		16

static void x_need(void)
{
	if (!pm_feature(PINMGR_FEATURE_EXPORT))
		pm_skip_feature(PINMGR_FEATURE_EXPORT, "exported leases");
}

static int x_export(int fd, __u64 handle, struct pinmgr_export *out)
{
	struct pinmgr_export e = { .size = sizeof(e), .handle = handle };
	int r = ioctl(fd, PINMGR_IOC_EXPORT, &e);

	if (out)
		*out = e;
	return r < 0 ? -1 : e.out_fd;
}

static int x_export_ok(int fd, __u64 handle)
{
	int buf = x_export(fd, handle, NULL);

	if (buf < 0)
		FAIL("EXPORT of lease %llu: %s", (unsigned long long)handle,
		     strerror(errno));
	return buf;
}

static struct pinmgr_query x_query(int fd, __u64 handle)
{
	struct pinmgr_query q;

	ASSERT_EQ(pm_query(fd, handle, &q), 0);
	return q;
}

/* A write pin of X_PAGES anonymous pages holding pattern @seed. */
static __u64 x_pin_pattern(int fd, char **bufp, __u32 flags, unsigned int seed)
{
	size_t len = X_PAGES * pm_page_size();
	char *buf = pm_map_anon(len);

	pm_fill(buf, len, 0, seed);
	*bufp = buf;
	return PIN_OK(fd, buf, len, flags);
}

TEST(export_mmap_shares_the_pinned_pages)
{
	size_t len = X_PAGES * pm_page_size();
	int fd = pm_open(), dbuf;
	struct pinmgr_query q;
	char *buf, *map;
	__u64 h;

	x_need();
	h = x_pin_pattern(fd, &buf, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM, 7);
	dbuf = x_export_ok(fd, h);
	ASSERT_EQ(fcntl(dbuf, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	ASSERT_EQ(fcntl(dbuf, F_GETFL) & O_ACCMODE, O_RDWR);
	ASSERT_EQ(lseek(dbuf, 0, SEEK_END), (off_t)len);
	q = x_query(fd, h);
	ASSERT_EQ(q.out_exports, 1);
	ASSERT_EQ(q.out_export_holds, 0);

	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, dbuf, 0);
	ASSERT_NE(map, MAP_FAILED);
	ASSERT_PATTERN(map, len, 0, 7);
	/* The same pages both ways. */
	pm_fill(map, len, 0, 8);
	ASSERT_PATTERN(buf, len, 0, 8);
	munmap(map, len);
	/* A part of it, from an offset. */
	map = mmap(NULL, 2 * pm_page_size(), PROT_READ, MAP_SHARED, dbuf,
		   3 * pm_page_size());
	ASSERT_NE(map, MAP_FAILED);
	ASSERT_PATTERN(map, 2 * pm_page_size(), 3 * pm_page_size(), 8);
	munmap(map, 2 * pm_page_size());
	/* Nothing past the end. */
	ASSERT_ERRNO(mmap(NULL, len + pm_page_size(), PROT_READ, MAP_SHARED,
			  dbuf, 0) == MAP_FAILED ? -1 : 0, EINVAL);
	ASSERT_ERRNO(mmap(NULL, pm_page_size(), PROT_READ, MAP_SHARED, dbuf,
			  len) == MAP_FAILED ? -1 : 0, EINVAL);

	close(dbuf);
	q = x_query(fd, h);
	ASSERT_EQ(q.out_exports, 0);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	close(fd);
}

TEST(export_of_a_read_pin_is_read_only)
{
	size_t len = X_PAGES * pm_page_size();
	int fd = pm_open(), dbuf;
	char *buf, *map;
	__u64 h;

	x_need();
	h = x_pin_pattern(fd, &buf, PINMGR_PIN_LONGTERM, 3);
	dbuf = x_export_ok(fd, h);
	ASSERT_EQ(fcntl(dbuf, F_GETFL) & O_ACCMODE, O_RDONLY);
	ASSERT_ERRNO(mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, dbuf,
			  0) == MAP_FAILED ? -1 : 0, EACCES);
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, dbuf, 0);
	ASSERT_NE(map, MAP_FAILED);
	ASSERT_PATTERN(map, len, 0, 3);
	ASSERT_ERRNO(mprotect(map, len, PROT_READ | PROT_WRITE), EACCES);
	munmap(map, len);
	close(dbuf);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	close(fd);
}

/*
 * @dbuf, the last of a lease of X_PAGES pages holding pattern @seed, still
 * shows the pattern; closing it takes the pins back to @pins0.
 */
static void x_last_of_dma_buf(int dbuf, unsigned int seed, long long pins0)
{
	size_t len = X_PAGES * pm_page_size();
	char *map = mmap(NULL, len, PROT_READ, MAP_SHARED, dbuf, 0);

	ASSERT_NE(map, MAP_FAILED);
	ASSERT_PATTERN(map, len, 0, seed);
	munmap(map, len);
	close(dbuf);
	pm_vmstat_refresh();
	ASSERT_EQ(pm_outstanding_pins(), pins0);
}

/* The pages stay pinned and charged while the dma-buf lives. */
TEST(export_outlives_unpin)
{
	size_t len = X_PAGES * pm_page_size();
	long long pins0 = pm_outstanding_pins(), vmpin0 = pm_vmpin_kb();
	unsigned long long dev_pages, dev_leases;
	int fd = pm_open(), dbuf;
	struct pinmgr_query q;
	struct pinmgr_list l;
	__u64 h, deadline;
	char *buf, c;

	x_need();
	h = x_pin_pattern(fd, &buf, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM |
			  PINMGR_PIN_WATCH, 5);
	dbuf = x_export_ok(fd, h);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	/* HELD: to be seen, not to be used. */
	q = x_query(fd, h);
	ASSERT_EQ(q.out_state, PINMGR_LEASE_HELD);
	ASSERT_EQ(q.out_exports, 1);
	ASSERT_GE(q.out_nr_runs, 1);
	ASSERT_ERRNO(x_export(fd, h, NULL), ENOENT);
	ASSERT_ERRNO(pm_unpin(fd, h), ENOENT);
	ASSERT_ERRNO(pm_renew(fd, h, 0), ENOENT);
	ASSERT_ERRNO(ACCESS_READ(fd, h, 0, 1, &c), ENOENT);
	/* A break has no owner to warn (see export_revoke_of_a_held_lease). */
	ASSERT_ERRNO(pm_revoke(fd, h, 0, &deadline), ESRCH);
	ASSERT_EQ(pm_list(fd, NULL, 0, &l), 0);
	ASSERT_EQ(l.out_total, 0);
	ASSERT_EQ(pm_sysfs_read("leases", &dev_leases), 0);
	ASSERT_EQ(dev_leases, 1);
	pm_vmstat_refresh();
	ASSERT_EQ(pm_outstanding_pins(), pins0 + X_PAGES);
	ASSERT_EQ(pm_vmpin_kb(), vmpin0 + (long long)(len >> 10));
	ASSERT_EQ(pm_sysfs_read("pinned_pages", &dev_pages), 0);
	ASSERT_EQ(dev_pages, X_PAGES);

	/* The owner's own mapping goes too: the dma-buf has the pages. */
	pm_unmap(buf, len);
	x_last_of_dma_buf(dbuf, 5, pins0);
	ASSERT_EQ(pm_vmpin_kb(), vmpin0);
	ASSERT_ERRNO(pm_query(fd, h, &q), ENOENT);
	ASSERT_EQ(pm_sysfs_read("leases", &dev_leases), 0);
	ASSERT_EQ(dev_leases, 0);
	close(fd);
}

/* debugfs's listing has lease @h in @state ("held"), or, with NULL, not. */
static void x_expect_debugfs_state(__u64 h, const char *state)
{
	char line[512], want[32];
	bool found = false;
	FILE *f = fopen("/sys/kernel/debug/pinmgr/leases", "re");

	if (!f)
		SKIP("no debugfs listing: %s", strerror(errno));
	snprintf(want, sizeof(want), "%llu ", (unsigned long long)h);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line + strspn(line, " "), want, strlen(want))) {
			found = true;
			if (state && !strstr(line, state))
				FAIL("lease %llu is not %s: %s",
				     (unsigned long long)h, state, line);
		}
	fclose(f);
	ASSERT_EQ(found, state != NULL);
}

TEST(export_outlives_its_owner)
{
	long long pins0 = pm_outstanding_pins();
	int sv[2], dbuf, status;
	__u64 val;
	pid_t pid;

	x_need();
	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd = pm_open();
		char *buf;
		__u64 h = x_pin_pattern(fd, &buf, PINMGR_PIN_WRITE |
					PINMGR_PIN_LONGTERM, 11);

		_exit(pm_send_fd(sv[1], x_export_ok(fd, h), h) ? 1 : 0);
	}
	dbuf = pm_recv_fd(sv[0], &val);
	ASSERT_GE(dbuf, 0);
	status = pm_wait(pid);
	ASSERT_EQ(status, 0);
	pm_vmstat_refresh();
	ASSERT_EQ(pm_outstanding_pins(), pins0 + X_PAGES);
	/* The administrator's listing shows it, held. */
	x_expect_debugfs_state(val, " held");
	x_last_of_dma_buf(dbuf, 11, pins0);
	close(sv[0]);
	close(sv[1]);
}

TEST(export_bad_requests)
{
	struct pinmgr_export e = { .size = sizeof(e) };
	int fd = pm_open(), other = pm_open(), status;
	__u64 h, hw;
	char *buf;
	pid_t pid;

	x_need();
	h = x_pin_pattern(fd, &buf, PINMGR_PIN_WRITE, 1);
	e.handle = h;
	e.flags = 1;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_EXPORT, &e), EOPNOTSUPP);
	e.flags = 0;
	e.__reserved = 1;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_EXPORT, &e), EINVAL);
	e.__reserved = 0;
	e.size = offsetof(struct pinmgr_export, out_fd);
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_EXPORT, &e), EINVAL);
	ASSERT_ERRNO(x_export(fd, 0, NULL), ENOENT);
	ASSERT_ERRNO(x_export(fd, h + (1ULL << 40), NULL), ENOENT);
	/* Another file's lease is not this file's to give. */
	ASSERT_ERRNO(x_export(other, h, NULL), ENOENT);
	/* Nor is any lease another process's, with the file inherited. */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(x_export(fd, h, NULL) < 0 && errno == EPERM ? 0 : 1);
	status = pm_wait(pid);
	ASSERT_EQ(status, 0);
	/* A watch-only lease has no pages to give. */
	if (pm_feature(PINMGR_FEATURE_WATCH)) {
		hw = PIN_OK(fd, buf, pm_page_size(), PINMGR_PIN_WATCH_ONLY);
		ASSERT_ERRNO(x_export(fd, hw, NULL), EINVAL);
		ASSERT_EQ(pm_unpin(fd, hw), 0);
	}
	ASSERT_EQ(x_query(fd, h).out_exports, 0);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	close(other);
	close(fd);
}

TEST(export_of_ended_breaking_or_stale_leases_fails)
{
	size_t ps = pm_page_size();
	int fd = pm_open();
	struct pinmgr_event ev;
	struct pinmgr_pin p;
	__u64 h, deadline;
	char *buf;

	x_need();
	buf = pm_map_anon(4 * ps);
	/* Under a break. */
	h = PIN_OK(fd, buf, ps, PINMGR_PIN_WRITE);
	ASSERT_EQ(pm_revoke(fd, h, 0, &deadline), 0);
	ASSERT_ERRNO(x_export(fd, h, NULL), EBUSY);
	/* Revoked. */
	ASSERT_EQ(pm_revoke(fd, h, PINMGR_REVOKE_NOW, &deadline), 0);
	ASSERT_ERRNO(x_export(fd, h, NULL), EKEYREVOKED);
	ASSERT_ERRNO(pm_unpin(fd, h), EKEYREVOKED);
	/* Expired. */
	ASSERT_EQ(pm_pin_for(fd, buf + ps, ps, PINMGR_PIN_WRITE, 1000000, &p),
		  0);
	h = p.out_handle;
	pm_expect_event(fd, PINMGR_EVENT_EXPIRED, h, 5000, &ev);
	ASSERT_ERRNO(x_export(fd, h, NULL), EKEYEXPIRED);
	ASSERT_ERRNO(pm_unpin(fd, h), EKEYEXPIRED);
	/* Stale. */
	if (pm_feature(PINMGR_FEATURE_WATCH)) {
		h = PIN_OK(fd, buf + 2 * ps, ps, PINMGR_PIN_WATCH);
		ASSERT_EQ(madvise(buf + 2 * ps, ps, MADV_DONTNEED), 0);
		ASSERT_EQ(x_query(fd, h).out_state, PINMGR_LEASE_STALE);
		ASSERT_ERRNO(x_export(fd, h, NULL), ESTALE);
		ASSERT_EQ(pm_unpin(fd, h), 0);
	}
	pm_unmap(buf, 4 * ps);
	close(fd);
}

static sigjmp_buf x_jmp;

static void x_on_sigbus(int sig)
{
	siglongjmp(x_jmp, sig);
}

/* Reads @p; true if that raised SIGBUS. */
static bool x_read_faults(const volatile char *p)
{
	struct sigaction sa = { .sa_handler = x_on_sigbus }, old;
	bool faulted;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(x_jmp, 1)) {
		faulted = true;
	} else {
		(void)*p;
		faulted = false;
	}
	sigaction(SIGBUS, &old, NULL);
	return faulted;
}

/* A revocation takes the CPU mappings away and releases the pages. */
TEST(export_revoke_takes_mappings_away)
{
	size_t len = X_PAGES * pm_page_size();
	long long pins0 = pm_outstanding_pins();
	int fd = pm_open(), dbuf;
	struct pinmgr_event ev;
	struct pinmgr_query q;
	__u64 h, deadline;
	char *buf, *map;

	x_need();
	h = x_pin_pattern(fd, &buf, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM, 2);
	dbuf = x_export_ok(fd, h);
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, dbuf, 0);
	ASSERT_NE(map, MAP_FAILED);
	ASSERT_PATTERN(map, len, 0, 2);
	ASSERT_EQ(pm_revoke(fd, h, PINMGR_REVOKE_NOW, &deadline), 0);
	pm_expect_event(fd, PINMGR_EVENT_REVOKED, h, 5000, &ev);
	ASSERT_TRUE(x_read_faults(map));
	ASSERT_TRUE(x_read_faults(map + len - 1));
	q = x_query(fd, h);
	ASSERT_EQ(q.out_state, PINMGR_LEASE_REVOKED);
	ASSERT_EQ(q.out_exports, 1);
	ASSERT_EQ(q.out_export_holds, 0);
	/* Nothing held it: the pages went with the revocation. */
	pm_vmstat_refresh();
	ASSERT_EQ(pm_outstanding_pins(), pins0);
	/* And no new mapping reaches them. */
	munmap(map, len);
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, dbuf, 0);
	ASSERT_NE(map, MAP_FAILED);
	ASSERT_TRUE(x_read_faults(map));
	munmap(map, len);
	close(dbuf);
	ASSERT_ERRNO(pm_unpin(fd, h), EKEYREVOKED);
	close(fd);
}

/*
 * An administrator revokes a lease whose owner let go of it while a
 * dma-buf of it stays open (HELD): at once only, there being no owner to
 * warn. The dma-buf's mappings go, and so do the pages, with the dma-buf
 * still open; the listings show the lease revoked until it closes.
 */
TEST(export_revoke_of_a_held_lease)
{
	size_t len = X_PAGES * pm_page_size();
	long long pins0 = pm_outstanding_pins();
	unsigned long long held0, held1;
	int fd = pm_open(), dbuf;
	struct pinmgr_query q;
	__u64 h, deadline;
	char *buf, *m;

	x_need();
	h = x_pin_pattern(fd, &buf, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM, 61);
	dbuf = x_export_ok(fd, h);
	m = mmap(NULL, len, PROT_READ, MAP_SHARED, dbuf, 0);
	ASSERT_NE(m, MAP_FAILED);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	pm_unmap(buf, len);
	ASSERT_EQ(x_query(fd, h).out_state, PINMGR_LEASE_HELD);
	ASSERT_PATTERN(m, len, 0, 61);

	/* No break: it has no owner to warn. Nothing changes. */
	ASSERT_ERRNO(pm_revoke(fd, h, 0, &deadline), ESRCH);
	ASSERT_EQ(x_query(fd, h).out_state, PINMGR_LEASE_HELD);
	ASSERT_PATTERN(m, len, 0, 61);

	ASSERT_EQ(pm_sysfs_read("export_held_ends", &held0), 0);
	ASSERT_EQ(pm_revoke(fd, h, PINMGR_REVOKE_NOW, &deadline), 0);
	/* The pages go though the dma-buf is open; its mapping is gone. */
	ASSERT_EQ(pm_await_outstanding_pins(pins0), pins0);
	ASSERT_TRUE(x_read_faults(m));
	/* A CPU mapping is no device hold: this end was not a held one. */
	ASSERT_EQ(pm_sysfs_read("export_held_ends", &held1), 0);
	ASSERT_EQ(held1, held0);
	ASSERT_ERRNO(pm_query(fd, h, &q), ENOENT);
	x_expect_debugfs_state(h, " revoked");
	ASSERT_ERRNO(pm_revoke(fd, h, PINMGR_REVOKE_NOW, &deadline),
		     EKEYREVOKED);
	/* A new mapping of the dma-buf reaches nothing either. */
	munmap(m, len);
	m = mmap(NULL, len, PROT_READ, MAP_SHARED, dbuf, 0);
	ASSERT_NE(m, MAP_FAILED);
	ASSERT_TRUE(x_read_faults(m));
	munmap(m, len);

	close(dbuf);
	x_expect_debugfs_state(h, NULL);
	ASSERT_ERRNO(pm_revoke(fd, h, PINMGR_REVOKE_NOW, &deadline), ENOENT);
	close(fd);
}

/* ---- DRM vgem: a PRIME importer ---------------------------------------- */

/* The vgem device's file, or -1. */
static int x_open_vgem(void)
{
	char path[300], name[32];
	struct dirent *de;
	DIR *dir = opendir("/dev/dri");
	int fd = -1;

	while (dir && (de = readdir(dir))) {
		struct drm_version v = { .name = name,
					 .name_len = sizeof(name) - 1 };

		if (strncmp(de->d_name, "card", 4))
			continue;
		snprintf(path, sizeof(path), "/dev/dri/%s", de->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(name, 0, sizeof(name));
		if (!ioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(name, "vgem"))
			break;
		close(fd);
		fd = -1;
	}
	if (dir)
		closedir(dir);
	return fd;
}

static int x_need_vgem(void)
{
	int card;

	x_need();
	card = x_open_vgem();
	if (card < 0)
		SKIP_NEEDS("vgem", "no vgem device (modprobe vgem)");
	return card;
}

/* Import @dbuf into vgem: a GEM handle. */
static __u32 x_vgem_import(int card, int dbuf)
{
	struct drm_prime_handle p = { .fd = dbuf };

	if (ioctl(card, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p))
		FAIL("vgem PRIME import: %s", strerror(errno));
	return p.handle;
}

static void x_gem_close(int card, __u32 handle)
{
	struct drm_gem_close c = { .handle = handle };

	ASSERT_EQ(ioctl(card, DRM_IOCTL_GEM_CLOSE, &c), 0);
}

/*
 * The import as vgem gives it out again (PRIME export of the GEM handle):
 * DRM refuses a mapping of an imported object through its own file, and
 * hands out the dma-buf it imported instead.
 */
static int x_gem_export(int card, __u32 handle)
{
	struct drm_prime_handle p = { .handle = handle,
				      .flags = DRM_CLOEXEC | DRM_RDWR };

	if (ioctl(card, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p))
		FAIL("vgem PRIME export of the import: %s", strerror(errno));
	return p.fd;
}

TEST(export_vgem_import_shares_the_lease)
{
	size_t len = X_PAGES * pm_page_size();
	int fd = pm_open(), card = x_need_vgem(), dbuf, again;
	struct stat st1, st2;
	struct pinmgr_query q;
	char *buf, *map;
	__u32 gem;
	__u64 h;

	h = x_pin_pattern(fd, &buf, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM, 21);
	dbuf = x_export_ok(fd, h);
	gem = x_vgem_import(card, dbuf);
	/*
	 * Older vgem maps the import for its device at once (a hold); newer
	 * vgem attaches only.
	 */
	q = x_query(fd, h);
	ASSERT_EQ(q.out_exports, 1);
	pm_diag("vgem's import holds the lease %u time(s)", q.out_export_holds);
	/* The import keeps the dma-buf: its file can go. */
	ASSERT_EQ(fstat(dbuf, &st1), 0);
	close(dbuf);
	ASSERT_EQ(x_query(fd, h).out_exports, 1);
	/* What vgem gives out for the import is the lease's dma-buf. */
	again = x_gem_export(card, gem);
	ASSERT_EQ(fstat(again, &st2), 0);
	ASSERT_EQ(st1.st_ino, st2.st_ino);
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, again, 0);
	ASSERT_NE(map, MAP_FAILED);
	ASSERT_PATTERN(map, len, 0, 21);
	pm_fill(map, len, 0, 22);
	ASSERT_PATTERN(buf, len, 0, 22);
	munmap(map, len);
	close(again);
	x_gem_close(card, gem);
	q = x_query(fd, h);
	ASSERT_EQ(q.out_exports, 0);
	ASSERT_EQ(q.out_export_holds, 0);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	close(card);
	close(fd);
}

/* ---- V4L2 vivid: a capture device writes frames into the lease ------- */

/*
 * A vivid node with @caps (a streaming capture or output device); with
 * @bus, of that instance only. Return: its fd, or -1.
 */
static int x_open_vivid(__u32 caps, const char *bus)
{
	struct v4l2_capability cap;
	char path[32];
	int i, vfd;

	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "/dev/video%d", i);
		vfd = open(path, O_RDWR | O_CLOEXEC);
		if (vfd < 0)
			continue;
		if (!ioctl(vfd, VIDIOC_QUERYCAP, &cap) &&
		    !strcmp((char *)cap.driver, "vivid") &&
		    (!bus || !strcmp((char *)cap.bus_info, bus)) &&
		    (cap.device_caps & caps) == caps)
			return vfd;
		close(vfd);
	}
	return -1;
}

static int x_open_vivid_capture(void)
{
	return x_open_vivid(V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING, NULL);
}

/* vivid's capture device, set to 640x360 YUYV frames of *@sizeimage bytes. */
static int x_need_vivid(size_t *sizeimage)
{
	struct v4l2_format f = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	int vfd;

	x_need();
	vfd = x_open_vivid_capture();
	if (vfd < 0)
		SKIP_NEEDS("vivid", "no vivid capture device (modprobe vivid)");
	ASSERT_EQ(ioctl(vfd, VIDIOC_G_FMT, &f), 0);
	f.fmt.pix.width = 640;
	f.fmt.pix.height = 360;
	f.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	f.fmt.pix.field = V4L2_FIELD_NONE;
	ASSERT_EQ(ioctl(vfd, VIDIOC_S_FMT, &f), 0);
	ASSERT_GT(f.fmt.pix.sizeimage, 0);
	*sizeimage = f.fmt.pix.sizeimage;
	return vfd;
}

static size_t x_page_round(size_t n)
{
	return (n + pm_page_size() - 1) & ~(pm_page_size() - 1);
}

/*
 * Two capture buffers, both dma-bufs of lease @h (older kernels' vivid
 * streams only with two queued). Return: 0, or the errno of the QBUF.
 */
static int x_vivid_queue(int vfd, int fd, __u64 h, size_t sizeimage,
			 int dbuf[2])
{
	struct v4l2_requestbuffers rb = {
		.count = 2, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
	};
	struct v4l2_buffer vb = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
	};
	unsigned int i;

	ASSERT_EQ(ioctl(vfd, VIDIOC_REQBUFS, &rb), 0);
	ASSERT_EQ(rb.count, 2);
	for (i = 0; i < 2; i++) {
		dbuf[i] = x_export_ok(fd, h);
		vb.index = i;
		vb.m.fd = dbuf[i];
		vb.length = sizeimage;
		if (ioctl(vfd, VIDIOC_QBUF, &vb))
			return errno;
	}
	return 0;
}

/* vivid lets go of every buffer; the dma-bufs are closed. */
static void x_vivid_free(int vfd, int dbuf[2])
{
	struct v4l2_requestbuffers rb = {
		.count = 0, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
	};

	ASSERT_EQ(ioctl(vfd, VIDIOC_REQBUFS, &rb), 0);
	close(dbuf[0]);
	close(dbuf[1]);
}

/*
 * Capture one frame into lease @h of @buf, and check that vivid wrote it:
 * the poison the test put there is gone from most of the frame, and what
 * is there is no constant.
 */
static void x_vivid_capture(int vfd, int fd, __u64 h, char *buf,
			    size_t sizeimage)
{
	struct v4l2_buffer vb = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
	};
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE, dbuf[2], err;
	struct pollfd pfd = { .fd = vfd, .events = POLLIN };
	size_t i, changed = 0, distinct = 0;
	bool seen[256] = { false };

	memset(buf, 0xa5, sizeimage);
	err = x_vivid_queue(vfd, fd, h, sizeimage, dbuf);
	if (err)
		FAIL("VIDIOC_QBUF of the exported lease: %s", strerror(err));
	ASSERT_EQ(x_query(fd, h).out_exports, 2);
	ASSERT_EQ(ioctl(vfd, VIDIOC_STREAMON, &type), 0);
	if (poll(&pfd, 1, 10000) != 1)
		FAIL("no frame within 10 s");
	if (ioctl(vfd, VIDIOC_DQBUF, &vb))
		FAIL("VIDIOC_DQBUF: %s", strerror(errno));
	ASSERT_EQ(ioctl(vfd, VIDIOC_STREAMOFF, &type), 0);
	ASSERT_EQ(vb.bytesused, sizeimage);
	for (i = 0; i < sizeimage; i++) {
		changed += (unsigned char)buf[i] != 0xa5;
		if (!seen[(unsigned char)buf[i]]) {
			seen[(unsigned char)buf[i]] = true;
			distinct++;
		}
	}
	pm_diag("vivid wrote %zu of %zu bytes, %zu distinct values", changed,
		sizeimage, distinct);
	ASSERT_GE(changed, sizeimage / 2);
	ASSERT_GE(distinct, 4);
	x_vivid_free(vfd, dbuf);
	/* vivid let go of it: no hold is left. */
	ASSERT_EQ(x_query(fd, h).out_export_holds, 0);
	ASSERT_EQ(x_query(fd, h).out_exports, 0);
}

/* Pin @len bytes at @buf, capture into the lease, unpin and unmap. */
static void x_vivid_capture_into(int vfd, int fd, char *buf, size_t len,
				 size_t sizeimage)
{
	__u64 h = PIN_OK(fd, buf, len, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM);

	pm_diag("a lease of %llu runs for %zu bytes",
		(unsigned long long)x_query(fd, h).out_nr_runs, len);
	x_vivid_capture(vfd, fd, h, buf, sizeimage);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	pm_unmap(buf, len);
}

TEST(export_vivid_captures_into_anonymous_thp_and_hugetlb_leases)
{
	int fd = pm_open(), vfd;
	size_t sizeimage, len, huge;

	vfd = x_need_vivid(&sizeimage);
	len = x_page_round(sizeimage);
	huge = (len + PM_HUGE - 1) & ~(size_t)(PM_HUGE - 1);
	/* 4 KiB pages; transparent huge pages, where the machine has them. */
	x_vivid_capture_into(vfd, fd, pm_map_small_pages(len), len, sizeimage);
	x_vivid_capture_into(vfd, fd, pm_map_thp(huge), huge, sizeimage);
	/* A hugetlb page (the harness restores nr_hugepages). */
	x_vivid_capture_into(vfd, fd, pm_map_hugetlb(huge), huge, sizeimage);
	close(vfd);
	close(fd);
}

/* vivid refuses a read-only export: it writes into its buffers. */
TEST(export_vivid_refuses_a_read_only_export)
{
	int fd = pm_open(), vfd, dbuf[2] = { -1, -1 }, err;
	size_t sizeimage, len;
	char *buf;
	__u64 h;

	vfd = x_need_vivid(&sizeimage);
	len = x_page_round(sizeimage);
	buf = pm_map_small_pages(len);
	h = PIN_OK(fd, buf, len, PINMGR_PIN_LONGTERM);
	err = x_vivid_queue(vfd, fd, h, sizeimage, dbuf);
	pm_diag("QBUF of a read-only export: %s", strerror(err));
	ASSERT_NE(err, 0);
	x_vivid_free(vfd, dbuf);
	ASSERT_EQ(x_query(fd, h).out_export_holds, 0);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	close(vfd);
	close(fd);
}

/*
 * A revocation while vivid holds the lease (its buffers queued, mapped
 * into the kernel): the owner learns of the end on time and that a device
 * holds the pages; they stay pinned until vivid lets go, then go. A
 * revoked export cannot be queued again.
 */
TEST(export_revoke_while_a_device_holds_it)
{
	long long pins0 = pm_outstanding_pins();
	unsigned long long held0, held1;
	int fd = pm_open(), vfd, dbuf[2], err;
	struct pinmgr_event ev;
	struct pinmgr_query q;
	size_t sizeimage, len;
	__u64 h, deadline;
	char *buf;

	vfd = x_need_vivid(&sizeimage);
	len = x_page_round(sizeimage);
	ASSERT_EQ(pm_sysfs_read("export_held_ends", &held0), 0);
	buf = pm_map_small_pages(len);
	h = PIN_OK(fd, buf, len, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM);
	err = x_vivid_queue(vfd, fd, h, sizeimage, dbuf);
	if (err)
		FAIL("VIDIOC_QBUF of the exported lease: %s", strerror(err));
	ASSERT_GE(x_query(fd, h).out_export_holds, 2);

	ASSERT_EQ(pm_revoke(fd, h, PINMGR_REVOKE_NOW, &deadline), 0);
	pm_expect_event(fd, PINMGR_EVENT_REVOKED, h, 5000, &ev);
	pm_expect_event(fd, PINMGR_EVENT_HELD, h, 5000, &ev);
	ASSERT_EQ(pm_sysfs_read("export_held_ends", &held1), 0);
	ASSERT_EQ(held1, held0 + 1);
	q = x_query(fd, h);
	ASSERT_EQ(q.out_state, PINMGR_LEASE_REVOKED);
	ASSERT_GE(q.out_export_holds, 2);
	pm_vmstat_refresh();
	ASSERT_EQ(pm_outstanding_pins(), pins0 + (long long)(len / pm_page_size()));

	x_vivid_free(vfd, dbuf);
	/* The release runs in the driver's workqueue. */
	ASSERT_EQ(pm_await_outstanding_pins(pins0), pins0);
	q = x_query(fd, h);
	ASSERT_EQ(q.out_export_holds, 0);
	ASSERT_EQ(q.out_exports, 0);
	ASSERT_ERRNO(pm_unpin(fd, h), EKEYREVOKED);
	close(vfd);
	close(fd);
}

/*
 * A revoked export reaches no page of the lease: a device that is given
 * it now is refused, or (kernels whose importers map only when they use
 * it) writes into a blank page of the driver's instead.
 */
TEST(export_revoked_reaches_nothing)
{
	struct v4l2_buffer vb = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
	};
	int fd = pm_open(), vfd, dbuf[2], err, type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	struct pollfd pfd = { .events = POLLIN };
	struct pinmgr_event ev;
	size_t sizeimage, len;
	__u64 h, deadline;
	char *buf;

	vfd = x_need_vivid(&sizeimage);
	len = x_page_round(sizeimage);
	buf = pm_map_small_pages(len);
	memset(buf, 0xa5, len);
	h = PIN_OK(fd, buf, len, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM);
	ASSERT_EQ(pm_revoke(fd, h, PINMGR_REVOKE_NOW, &deadline), 0);
	pm_expect_event(fd, PINMGR_EVENT_REVOKED, h, 5000, &ev);
	/* EXPORT itself refuses it; a dma-buf made before is what is left. */
	ASSERT_ERRNO(x_export(fd, h, NULL), EKEYREVOKED);
	ASSERT_ERRNO(pm_unpin(fd, h), EKEYREVOKED);
	h = PIN_OK(fd, buf, len, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM);
	dbuf[0] = x_export_ok(fd, h);
	dbuf[1] = x_export_ok(fd, h);
	ASSERT_EQ(pm_revoke(fd, h, PINMGR_REVOKE_NOW, &deadline), 0);
	pm_expect_event(fd, PINMGR_EVENT_REVOKED, h, 5000, &ev);
	{
		struct v4l2_requestbuffers rb = {
			.count = 2, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
			.memory = V4L2_MEMORY_DMABUF,
		};
		unsigned int i;

		ASSERT_EQ(ioctl(vfd, VIDIOC_REQBUFS, &rb), 0);
		for (err = 0, i = 0; i < 2 && !err; i++) {
			vb.index = i;
			vb.m.fd = dbuf[i];
			vb.length = sizeimage;
			err = ioctl(vfd, VIDIOC_QBUF, &vb) ? errno : 0;
		}
	}
	if (err) {
		pm_diag("QBUF of a revoked export: %s", strerror(err));
	} else {
		ASSERT_EQ(ioctl(vfd, VIDIOC_STREAMON, &type), 0);
		pfd.fd = vfd;
		if (poll(&pfd, 1, 10000) != 1)
			FAIL("no frame within 10 s");
		ASSERT_EQ(ioctl(vfd, VIDIOC_DQBUF, &vb), 0);
		ASSERT_EQ(ioctl(vfd, VIDIOC_STREAMOFF, &type), 0);
		pm_diag("a revoked export was queued and captured into");
	}
	/* Not a byte of the owner's memory changed. */
	ASSERT_ALL_BYTES(buf, len, 0xa5);
	ASSERT_EQ(x_query(fd, h).out_export_holds, 0);
	x_vivid_free(vfd, dbuf);
	ASSERT_EQ(x_query(fd, h).out_exports, 0);
	ASSERT_ERRNO(pm_unpin(fd, h), EKEYREVOKED);
	close(vfd);
	close(fd);
}

/* ---- vivid's output device reads a frame the test wrote into a lease -- */

/* The index and name of the first HDMI input (or output) of @vfd, or -1. */
static int x_vivid_hdmi(int vfd, bool output, char name[32])
{
	struct v4l2_output out = { 0 };
	struct v4l2_input in = { 0 };

	for (;; in.index++, out.index++) {
		if (output) {
			if (ioctl(vfd, VIDIOC_ENUMOUTPUT, &out))
				return -1;
			if (out.capabilities & V4L2_OUT_CAP_DV_TIMINGS) {
				memcpy(name, out.name, 32);
				return out.index;
			}
		} else {
			if (ioctl(vfd, VIDIOC_ENUMINPUT, &in))
				return -1;
			if (in.capabilities & V4L2_IN_CAP_DV_TIMINGS) {
				memcpy(name, in.name, 32);
				return in.index;
			}
		}
	}
}

/*
 * The control of capture device @cfd that loops output @out into the
 * current input @in, and the value that does it: before Linux 6.9 the
 * boolean "Loop Video", since then a menu per input, "<in> Is Connected
 * To", whose items name the outputs. Return: false if there is none.
 */
static bool x_vivid_loop_control(int cfd, const char *in, const char *out,
				 struct v4l2_control *ctrl)
{
	struct v4l2_query_ext_ctrl qc = { .id = V4L2_CTRL_FLAG_NEXT_CTRL };
	struct v4l2_querymenu qm;
	char want[80];
	__s64 i;

	snprintf(want, sizeof(want), "%s Is Connected To", in);
	while (!ioctl(cfd, VIDIOC_QUERY_EXT_CTRL, &qc)) {
		ctrl->id = qc.id;
		if (!strcmp(qc.name, "Loop Video")) {
			ctrl->value = 1;
			return true;
		}
		if (qc.type == V4L2_CTRL_TYPE_MENU && !strcmp(qc.name, want)) {
			snprintf(want, sizeof(want), "Output %s", out);
			for (i = qc.minimum; i <= qc.maximum; i++) {
				qm = (struct v4l2_querymenu){ .id = qc.id,
							      .index = i };
				if (!ioctl(cfd, VIDIOC_QUERYMENU, &qm) &&
				    !strcmp((char *)qm.name, want)) {
					ctrl->value = i;
					return true;
				}
			}
			return false;
		}
		qc.id |= V4L2_CTRL_FLAG_NEXT_CTRL;
	}
	return false;
}

static void x_vivid_set_fmt(int vfd, __u32 type, __u32 width, __u32 height,
			    struct v4l2_format *f)
{
	*f = (struct v4l2_format){ .type = type };
	ASSERT_EQ(ioctl(vfd, VIDIOC_G_FMT, f), 0);
	if (width) {
		f->fmt.pix.width = width;
		f->fmt.pix.height = height;
	}
	f->fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	f->fmt.pix.field = V4L2_FIELD_NONE;
	ASSERT_EQ(ioctl(vfd, VIDIOC_S_FMT, f), 0);
}

/* Bytes of @frame from byte @from on that equal the pattern @seed. */
static size_t x_frame_matches(const unsigned char *frame, size_t len,
			      size_t from, unsigned int seed)
{
	size_t i, same = 0;

	for (i = from; i < len; i++)
		same += frame[i] == pm_pattern_byte(i, seed);
	return same;
}

#define X_OUT_SEED	0x7e57u
#define X_CAP_BUFS	4
#define X_TRIES		3

/*
 * The loop: capture @cfd's HDMI input @in is connected to output @ofd's
 * HDMI output @out by control @loop, and both sides carry frames of the
 * same size and format (vivid compares them for every frame).
 */
struct x_vivid_loop {
	int cfd, ofd, in, out;
	struct v4l2_control loop;
	struct v4l2_format of, cf;
};

/* Set the loop up: again before a retry, in case something undid it. */
static void x_vivid_loop_set(struct x_vivid_loop *l)
{
	ASSERT_EQ(ioctl(l->cfd, VIDIOC_S_INPUT, &l->in), 0);
	ASSERT_EQ(ioctl(l->ofd, VIDIOC_S_OUTPUT, &l->out), 0);
	ASSERT_EQ(ioctl(l->cfd, VIDIOC_S_CTRL, &l->loop), 0);
	x_vivid_set_fmt(l->ofd, V4L2_BUF_TYPE_VIDEO_OUTPUT, 0, 0, &l->of);
	x_vivid_set_fmt(l->cfd, V4L2_BUF_TYPE_VIDEO_CAPTURE,
			l->of.fmt.pix.width, l->of.fmt.pix.height, &l->cf);
	ASSERT_EQ(l->cf.fmt.pix.width, l->of.fmt.pix.width);
	ASSERT_EQ(l->cf.fmt.pix.height, l->of.fmt.pix.height);
	ASSERT_EQ(l->cf.fmt.pix.bytesperline, l->of.fmt.pix.bytesperline);
	ASSERT_EQ(l->cf.fmt.pix.sizeimage, l->of.fmt.pix.sizeimage);
}

/*
 * What decides whether vivid loops its output into its capture, on one
 * line: input, output, the loop control, both formats, both sides'
 * timings and the capture's crop and compose rectangles. Printed when a
 * stream showed no frame of the lease.
 */
static void x_vivid_why(const struct x_vivid_loop *l)
{
	struct v4l2_dv_timings ct = { 0 }, ot = { 0 };
	struct v4l2_selection crop = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.target = V4L2_SEL_TGT_CROP,
	};
	struct v4l2_selection compose = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.target = V4L2_SEL_TGT_COMPOSE,
	};
	struct v4l2_format of = { .type = V4L2_BUF_TYPE_VIDEO_OUTPUT };
	struct v4l2_format cf = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct v4l2_control loop = { .id = l->loop.id, .value = -1 };
	int in = -1, out = -1;

	ioctl(l->cfd, VIDIOC_G_INPUT, &in);
	ioctl(l->ofd, VIDIOC_G_OUTPUT, &out);
	ioctl(l->cfd, VIDIOC_G_CTRL, &loop);
	ioctl(l->ofd, VIDIOC_G_FMT, &of);
	ioctl(l->cfd, VIDIOC_G_FMT, &cf);
	ioctl(l->cfd, VIDIOC_G_DV_TIMINGS, &ct);
	ioctl(l->ofd, VIDIOC_G_DV_TIMINGS, &ot);
	ioctl(l->cfd, VIDIOC_G_SELECTION, &crop);
	ioctl(l->cfd, VIDIOC_G_SELECTION, &compose);
	pm_diag("input %d (want %d), output %d (want %d), loop %d (want %d); "
		"formats out %ux%u %.4s field %u, cap %ux%u %.4s field %u; "
		"timings in %ux%u, out %ux%u; crop %ux%u@%d,%d, compose %ux%u@%d,%d",
		in, l->in, out, l->out, loop.value, l->loop.value,
		of.fmt.pix.width, of.fmt.pix.height,
		(char *)&of.fmt.pix.pixelformat, of.fmt.pix.field,
		cf.fmt.pix.width, cf.fmt.pix.height,
		(char *)&cf.fmt.pix.pixelformat, cf.fmt.pix.field,
		ct.bt.width, ct.bt.height, ot.bt.width, ot.bt.height,
		crop.r.width, crop.r.height, crop.r.left, crop.r.top,
		compose.r.width, compose.r.height, compose.r.left,
		compose.r.top);
}

/*
 * One stream: queue dma-bufs @dbuf on output @ofd, capture up to 120
 * frames into buffers of @cfd's own and compare each from byte @from on
 * with the pattern. Return: the most bytes of a frame that matched.
 */
static size_t x_vivid_stream(int fd, __u64 h, int cfd, int ofd,
			     const int dbuf[2], __u32 size, size_t from)
{
	int otype = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	int ctype = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	struct v4l2_requestbuffers rb;
	void *frames[X_CAP_BUFS];
	unsigned int i, seen = 0;
	struct v4l2_buffer vb;
	size_t best = 0;

	rb = (struct v4l2_requestbuffers){ .count = 2, .type = otype,
					   .memory = V4L2_MEMORY_DMABUF };
	ASSERT_EQ(ioctl(ofd, VIDIOC_REQBUFS, &rb), 0);
	ASSERT_EQ(rb.count, 2);
	for (i = 0; i < 2; i++) {
		vb = (struct v4l2_buffer){ .type = otype, .index = i,
					   .memory = V4L2_MEMORY_DMABUF,
					   .bytesused = size, .length = size };
		vb.m.fd = dbuf[i];
		ASSERT_EQ(ioctl(ofd, VIDIOC_QBUF, &vb), 0);
	}
	rb = (struct v4l2_requestbuffers){ .count = X_CAP_BUFS, .type = ctype,
					   .memory = V4L2_MEMORY_MMAP };
	ASSERT_EQ(ioctl(cfd, VIDIOC_REQBUFS, &rb), 0);
	ASSERT_EQ(rb.count, X_CAP_BUFS);
	for (i = 0; i < X_CAP_BUFS; i++) {
		vb = (struct v4l2_buffer){ .type = ctype, .index = i,
					   .memory = V4L2_MEMORY_MMAP };
		ASSERT_EQ(ioctl(cfd, VIDIOC_QUERYBUF, &vb), 0);
		frames[i] = mmap(NULL, vb.length, PROT_READ, MAP_SHARED, cfd,
				 vb.m.offset);
		ASSERT_NE(frames[i], MAP_FAILED);
		ASSERT_EQ(ioctl(cfd, VIDIOC_QBUF, &vb), 0);
	}
	ASSERT_EQ(ioctl(ofd, VIDIOC_STREAMON, &otype), 0);
	ASSERT_EQ(ioctl(cfd, VIDIOC_STREAMON, &ctype), 0);
	/* The output device maps the lease: a device holds its pages. */
	ASSERT_GE(x_query(fd, h).out_export_holds, 1);

	while (best < size - from && seen < 120) {
		struct pollfd pfd[2] = {
			{ .fd = cfd, .events = POLLIN },
			{ .fd = ofd, .events = POLLOUT },
		};
		size_t same;

		if (poll(pfd, 2, 10000) < 1)
			FAIL("vivid made no frame within 10 s");
		if (pfd[1].revents & POLLOUT) {
			/* Shown: queue it again, the same dma-buf. */
			vb = (struct v4l2_buffer){ .type = otype,
					.memory = V4L2_MEMORY_DMABUF };
			ASSERT_EQ(ioctl(ofd, VIDIOC_DQBUF, &vb), 0);
			vb.m.fd = dbuf[vb.index];
			vb.bytesused = size;
			vb.length = size;
			ASSERT_EQ(ioctl(ofd, VIDIOC_QBUF, &vb), 0);
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		vb = (struct v4l2_buffer){ .type = ctype,
					   .memory = V4L2_MEMORY_MMAP };
		ASSERT_EQ(ioctl(cfd, VIDIOC_DQBUF, &vb), 0);
		seen++;
		same = x_frame_matches(frames[vb.index], size, from,
				       X_OUT_SEED);
		best = same > best ? same : best;
		ASSERT_EQ(ioctl(cfd, VIDIOC_QBUF, &vb), 0);
	}
	pm_diag("%u frames captured; the best matched %zu of %zu bytes", seen,
		best, size - from);

	ASSERT_EQ(ioctl(cfd, VIDIOC_STREAMOFF, &ctype), 0);
	ASSERT_EQ(ioctl(ofd, VIDIOC_STREAMOFF, &otype), 0);
	for (i = 0; i < X_CAP_BUFS; i++)
		munmap(frames[i], size);
	rb = (struct v4l2_requestbuffers){ .count = 0, .type = ctype,
					   .memory = V4L2_MEMORY_MMAP };
	ASSERT_EQ(ioctl(cfd, VIDIOC_REQBUFS, &rb), 0);
	rb = (struct v4l2_requestbuffers){ .count = 0, .type = otype,
					   .memory = V4L2_MEMORY_DMABUF };
	ASSERT_EQ(ioctl(ofd, VIDIOC_REQBUFS, &rb), 0);
	return best;
}

/*
 * Show the frame in lease memory @buf (@len bytes, a @kind lease) on the
 * output of loop @l, from two dma-bufs of one lease, and look for it among
 * the frames of the capture, which vivid loops the output into. A frame
 * equal to the pattern the test wrote shows that vivid read the lease's
 * pages through the dma-buf; its test pattern generator never makes it.
 * The rows that vivid writes its status text over are left out. A stream
 * in which no frame matched (twice in all `make check` runs so far, cause
 * not found) is tried again with the loop set up anew, and what vivid's
 * loop depends on is printed.
 */
static void x_vivid_show(int fd, struct x_vivid_loop *l, char *buf,
			 size_t len, const char *kind)
{
	__u32 size = l->of.fmt.pix.sizeimage;
	size_t from, best = 0;
	unsigned int try;
	int dbuf[2];
	__u64 h;

	pm_fill(buf, len, 0, X_OUT_SEED);
	h = PIN_OK(fd, buf, len, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM);
	pm_diag("a lease of %s, %llu runs for %zu bytes", kind,
		(unsigned long long)x_query(fd, h).out_nr_runs, len);
	dbuf[0] = x_export_ok(fd, h);
	dbuf[1] = x_export_ok(fd, h);

	/* vivid's status text covers the top rows: the lower half counts. */
	from = (size_t)l->cf.fmt.pix.bytesperline * (l->cf.fmt.pix.height / 2);
	for (try = 0; try < X_TRIES; try++) {
		if (try)
			x_vivid_loop_set(l);
		best = x_vivid_stream(fd, h, l->cfd, l->ofd, dbuf, size, from);
		if (best == size - from)
			break;
		x_vivid_why(l);
	}
	if (best != size - from)
		FAIL("%u streams from a lease of %s: no captured frame was the "
		     "lease's; the best matched %zu of %zu bytes", X_TRIES,
		     kind, best, size - from);

	close(dbuf[0]);
	close(dbuf[1]);
	/* vivid let go; it read, never wrote: the lease is as it was. */
	ASSERT_EQ(x_query(fd, h).out_export_holds, 0);
	ASSERT_EQ(x_query(fd, h).out_exports, 0);
	ASSERT_PATTERN(buf, len, 0, X_OUT_SEED);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	pm_unmap(buf, len);
}

/* vivid's output device shows leases of 4 KiB pages, a THP and hugetlb. */
TEST(export_vivid_output_reads_frames_from_the_lease)
{
	int fd = pm_open(), cfd, ofd, in0, out0;
	char in_name[32], out_name[32];
	struct v4l2_capability cap;
	struct v4l2_control loop0;
	struct x_vivid_loop l;
	size_t len, huge;

	x_need();
	cfd = x_open_vivid_capture();
	if (cfd < 0)
		SKIP_NEEDS("vivid", "no vivid capture device (modprobe vivid)");
	ASSERT_EQ(ioctl(cfd, VIDIOC_QUERYCAP, &cap), 0);
	ofd = x_open_vivid(V4L2_CAP_VIDEO_OUTPUT | V4L2_CAP_STREAMING,
			   (char *)cap.bus_info);
	if (ofd < 0)
		SKIP_NEEDS("vivid", "vivid has no output device");
	l.cfd = cfd;
	l.ofd = ofd;
	l.in = x_vivid_hdmi(cfd, false, in_name);
	l.out = x_vivid_hdmi(ofd, true, out_name);
	if (l.in < 0 || l.out < 0)
		SKIP_NEEDS("vivid", "vivid has no HDMI input and output");
	ASSERT_EQ(ioctl(cfd, VIDIOC_G_INPUT, &in0), 0);
	ASSERT_EQ(ioctl(ofd, VIDIOC_G_OUTPUT, &out0), 0);
	ASSERT_EQ(ioctl(cfd, VIDIOC_S_INPUT, &l.in), 0);
	if (!x_vivid_loop_control(cfd, in_name, out_name, &l.loop))
		FAIL("vivid has no control that loops %s into %s", out_name,
		     in_name);
	loop0 = (struct v4l2_control){ .id = l.loop.id };
	ASSERT_EQ(ioctl(cfd, VIDIOC_G_CTRL, &loop0), 0);
	/* The same frame size and format on both sides, or vivid won't loop. */
	x_vivid_loop_set(&l);
	pm_diag("%s -> %s: %ux%u, %u bytes", out_name, in_name,
		l.of.fmt.pix.width, l.of.fmt.pix.height,
		l.of.fmt.pix.sizeimage);

	len = x_page_round(l.of.fmt.pix.sizeimage);
	huge = (len + PM_HUGE - 1) & ~(size_t)(PM_HUGE - 1);
	x_vivid_show(fd, &l, pm_map_small_pages(len), len, "4 KiB pages");
	x_vivid_show(fd, &l, pm_map_thp(huge), huge, "a THP");
	x_vivid_show(fd, &l, pm_map_hugetlb(huge), huge, "hugetlb");

	/* Leave vivid as the other tests expect it. */
	ASSERT_EQ(ioctl(cfd, VIDIOC_S_CTRL, &loop0), 0);
	ASSERT_EQ(ioctl(cfd, VIDIOC_S_INPUT, &in0), 0);
	ASSERT_EQ(ioctl(ofd, VIDIOC_S_OUTPUT, &out0), 0);
	close(ofd);
	close(cfd);
	close(fd);
}

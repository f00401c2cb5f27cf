// SPDX-License-Identifier: GPL-2.0-only
/*
 * The census tests' machine, shared by the library's and pinctl's: what
 * /proc says of a process, an io_uring ring with registered buffers, and
 * other processes that pin as other users in other cgroups.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <linux/kcmp.h>

#include "census_scene.h"

/* A figure of /proc/@pid/status ("VmPin:", "VmLck:") in bytes; asserts. */
uint64_t cs_status_bytes(pid_t pid, const char *key)
{
	char path[64], line[256];
	long long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	ASSERT_NE(f, NULL);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) &&
		    sscanf(line + strlen(key), "%lld", &kb) == 1)
			break;
	fclose(f);
	if (kb < 0)
		FAIL("no %s in %s", key, path);
	return (uint64_t)kb * 1024;
}

/* The cgroup v2 path of @pid ("0::" of /proc/PID/cgroup), or "". */
void cs_cgroup_of(pid_t pid, char *buf, size_t size)
{
	char path[64], line[512];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(buf, size, "%s", line + 3);
		break;
	}
	fclose(f);
}

bool cs_have_cgroup2(void)
{
	return !access(PM_CGROUP_ROOT "/cgroup.controllers", F_OK);
}

/* Pages from floor(@addr) to ceil(@addr + @len): what io_uring pins. */
uint64_t cs_span_pages(const void *addr, size_t len)
{
	uintptr_t page = pm_page_size(), a = (uintptr_t)addr;

	return ((a + len + page - 1) / page) - a / page;
}

bool cs_have_kcmp(void)
{
	pid_t self = getpid();

	return syscall(SYS_kcmp, self, self, KCMP_FILE, 0, 0) >= 0 ||
	       errno != ENOSYS;
}

/* io_uring, or a skip where the kernel has none or refuses it. */
void cs_need_io_uring(void)
{
	struct io_uring ring;
	int ret = io_uring_queue_init(4, &ring, 0);

	if (ret)
		SKIP("no io_uring here: %s", strerror(-ret));
	io_uring_queue_exit(&ring);
}

/*
 * A ring with two registered buffers, the second off a page boundary by
 * 100 bytes so that it spans a page more than its length; on small pages
 * (io_uring would fold a huge page's pins into one). RING_PAGES; asserts.
 */
void cs_ring_start(struct io_uring *ring)
{
	size_t page = pm_page_size();
	struct iovec iov[2];
	char *ubuf;

	ubuf = pm_map_small_pages(8 * page);
	ASSERT_NE(ubuf, NULL);
	iov[0].iov_base = ubuf;
	iov[0].iov_len = 2 * page;
	iov[1].iov_base = ubuf + 4 * page + 100;
	iov[1].iov_len = 2 * page;
	ASSERT_EQ(cs_span_pages(iov[0].iov_base, iov[0].iov_len) +
		  cs_span_pages(iov[1].iov_base, iov[1].iov_len), RING_PAGES);
	ASSERT_RET(io_uring_queue_init(4, ring, 0), 0);
	ASSERT_RET(io_uring_register_buffers(ring, iov, 2), 0);
}

/* Unregistering is synchronous; the ring's own end is not. */
void cs_ring_end(struct io_uring *ring, long long out0)
{
	ASSERT_RET(io_uring_unregister_buffers(ring), 0);
	io_uring_queue_exit(ring);
	ASSERT_EQ(pm_await_outstanding_pins(out0), out0);
}

/* Become @uid (and its gid) for good, root's memlock limit raised first. */
void cs_become(uid_t uid)
{
	struct rlimit rl = { 16 << 20, 16 << 20 };

	ASSERT_EQ(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
	ASSERT_EQ(setgroups(0, NULL), 0);
	ASSERT_EQ(setresgid(uid, uid, uid), 0);
	ASSERT_EQ(setresuid(uid, uid, uid), 0);
}

/*
 * A process that pins @pages pages through pinmgr as @uid (0: as the
 * caller), named @comm, in cgroup @cg if not NULL; it has pinned when this
 * returns, and ends when *@hold is closed.
 */
pid_t cs_start_pinner(uid_t uid, const char *comm, const char *cg,
		      size_t pages, int *hold)
{
	int ready[2], held[2];
	char c;
	pid_t pid;

	ASSERT_EQ(pipe2(ready, O_CLOEXEC), 0);
	ASSERT_EQ(pipe2(held, O_CLOEXEC), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct pinctl_ctx *ctx;
		struct pinctl_dev *dev;
		size_t len = pages * pm_page_size();
		uint64_t h;

		close(ready[0]);
		close(held[1]);
		if (cg)
			pm_cgroup_enter(cg);
		ASSERT_EQ(prctl(PR_SET_NAME, comm), 0);
		if (uid)
			cs_become(uid);
		/* A device file of its own: the leases are its alone. */
		ctx = lt_ctx();
		dev = lt_dev(ctx);
		ASSERT_RET(pinctl_pin(dev, pm_map_anon(len), len, NULL, &h), 0);
		ASSERT_EQ(write(ready[1], "r", 1), 1);
		while (read(held[0], &c, 1) > 0)
			;
		_exit(PM_EXIT_PASS);
	}
	close(ready[1]);
	close(held[0]);
	if (read(ready[0], &c, 1) != 1)
		FAIL("the pinner (pid %d) ended before it pinned: status %d",
		     pid, pm_wait(pid));
	close(ready[0]);
	*hold = held[1];
	return pid;
}

/* Let the pinner go and check it ended well. */
void cs_end_pinner(pid_t pid, int hold)
{
	close(hold);
	ASSERT_EQ(pm_wait(pid), 0);
}

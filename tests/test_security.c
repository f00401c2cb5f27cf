// SPDX-License-Identifier: GPL-2.0-only
/*
 * What an unprivileged user (uid 65534, no capabilities, device node 0666)
 * can and cannot do: RLIMIT_MEMLOCK holds exactly, also across fds and
 * threads; physical addresses stay hidden; another user's leases cannot be
 * reached by guessing handles; a file received from another process (fork or
 * SCM_RIGHTS) cannot pin, unpin or access that process's memory; read-only
 * pins never write; module parameters are root's; netlink user-get answers
 * a user's own locked_vm and no other user's. Watched leases: a
 * context's status area is mapped by its owner only, never writable, and
 * shows only that context's leases; watch-only leases charge nothing.
 *
 * Each test forks a child that drops to nobody and opens the device only
 * afterwards; the root parent checks what must not have changed.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <linux/capability.h>

#include "harness.h"
#include "nl_client.h"

#define MEMLOCK_PAGES	16

/* ---- Helpers ----------------------------------------------------------- */

static void need_root(void)
{
	if (geteuid() != 0)
		SKIP("needs root to become uid %d", PM_NOBODY);
}

static void become_nobody(void)
{
	ASSERT_EQ(pm_become_nobody(), 0);
	ASSERT_FALSE(pm_have_cap(CAP_IPC_LOCK));
	ASSERT_FALSE(pm_have_cap(CAP_SYS_ADMIN));
}

static void set_memlock(rlim_t bytes)
{
	struct rlimit rl = { bytes, bytes };

	ASSERT_EQ(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
}

static void put_u64(int fd, __u64 v)
{
	ASSERT_EQ(write(fd, &v, sizeof(v)), (ssize_t)sizeof(v));
}

static __u64 get_u64(int fd)
{
	__u64 v;

	ASSERT_EQ(read(fd, &v, sizeof(v)), (ssize_t)sizeof(v));
	return v;
}

static int access_ioc(int fd, __u64 h, __u32 flags, __u64 off, __u64 len,
		      void *buf)
{
	struct pinmgr_access a = {
		.size = sizeof(a), .flags = flags, .handle = h,
		.offset = off, .length = len, .buf = (uintptr_t)buf,
	};

	return ioctl(fd, PINMGR_IOC_ACCESS, &a);
}

static int segments_ioc(int fd, __u64 h, struct pinmgr_segment *segs,
			__u32 nr, struct pinmgr_get_segments *out)
{
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->handle = h;
	out->segments = (uintptr_t)segs;
	out->nr_segments = nr;
	return ioctl(fd, PINMGR_IOC_GET_SEGMENTS, out);
}

static void fill(char *p, size_t len, int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (char)(i * 31 + seed);
}

static void expect_filled(const char *p, size_t len, int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (char)(i * 31 + seed))
			FAIL("byte %zu is 0x%02x, expected 0x%02x", i,
			     (unsigned char)p[i], (unsigned char)(i * 31 + seed));
}

/* ---- RLIMIT_MEMLOCK ---------------------------------------------------- */

/* Tell the root parent where we are and wait until it has looked. */
static void checkpoint(int tx, int rx, __u64 pages)
{
	put_u64(tx, pages);
	ASSERT_EQ(get_u64(rx), pages);
}

TEST(security_memlock_exact_two_fds)
{
	size_t ps = pm_page_size(), n = MEMLOCK_PAGES;
	int up[2], down[2], st;
	long long base;
	pid_t pid;
	__u64 pages;

	need_root();
	ASSERT_EQ(pipe(up), 0);
	ASSERT_EQ(pipe(down), 0);
	base = pm_outstanding_pins();
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char *p = pm_map_anon((n + 8) * ps);
		struct pinmgr_info info;
		__u64 h1, h2, h3;
		int fd1, fd2;

		ASSERT_NE(p, NULL);
		set_memlock(n * ps);
		become_nobody();
		fd1 = pm_open();
		fd2 = pm_open();
		ASSERT_GE(fd1, 0);
		ASSERT_GE(fd2, 0);
		ASSERT_EQ(pm_get_info(fd1, &info), 0);
		ASSERT_EQ(info.memlock_limit_pages, n);
		ASSERT_EQ(info.out_flags & PINMGR_INFO_CAP_IPC_LOCK, 0);

		/* 10 + 6 = the limit, over two fds. */
		h1 = PIN_OK(fd1, p, 10 * ps, PINMGR_PIN_WRITE);
		h2 = PIN_OK(fd2, p + 10 * ps, 6 * ps, PINMGR_PIN_LONGTERM);
		ASSERT_EQ(pm_vmpin_kb(), (long long)(n * ps / 1024));
		/* One page more, through either fd, with any flags. */
		ASSERT_ERRNO(pm_pin(fd1, p, ps, 0, 0, NULL), EDQUOT);
		ASSERT_ERRNO(pm_pin(fd2, p + n * ps, ps, PINMGR_PIN_WRITE |
				    PINMGR_PIN_LONGTERM, 0, NULL), EDQUOT);
		ASSERT_ERRNO(pm_pin(fd2, p, 8 * ps, 0, 0, NULL), EDQUOT);
		ASSERT_EQ(pm_get_info(fd2, &info), 0);
		ASSERT_EQ(info.mm_pinned_pages, n);
		ASSERT_EQ(info.ctx_pinned_pages, 6);
		ASSERT_EQ(info.ctx_leases, 1);
		ASSERT_EQ(pm_vmpin_kb(), (long long)(n * ps / 1024));
		checkpoint(up[1], down[0], n);

		/* Room for exactly what was given back, not a page more. */
		ASSERT_EQ(pm_unpin(fd2, h2), 0);
		ASSERT_ERRNO(pm_pin(fd1, p, 7 * ps, 0, 0, NULL), EDQUOT);
		h3 = PIN_OK(fd1, p, 6 * ps, 0);
		ASSERT_ERRNO(pm_pin(fd2, p, ps, 0, 0, NULL), EDQUOT);
		checkpoint(up[1], down[0], n);

		ASSERT_EQ(pm_unpin(fd1, h3), 0);
		ASSERT_EQ(pm_unpin(fd1, h1), 0);
		ASSERT_EQ(pm_vmpin_kb(), 0);
		/* Exactly the limit in one lease; one page more in one lease. */
		ASSERT_ERRNO(pm_pin(fd2, p, (n + 1) * ps, 0, 0, NULL), EDQUOT);
		ASSERT_EQ(pm_vmpin_kb(), 0);
		PIN_OK(fd2, p, n * ps, PINMGR_PIN_WRITE);
		ASSERT_ERRNO(pm_pin(fd1, p, ps, 0, 0, NULL), EDQUOT);
		checkpoint(up[1], down[0], n);
		/* Closing a fd gives its share back. */
		ASSERT_EQ(close(fd2), 0);
		ASSERT_EQ(pm_vmpin_kb(), 0);
		PIN_OK(fd1, p, n * ps, 0);
		close(fd1);
		ASSERT_EQ(pm_vmpin_kb(), 0);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	for (;;) {
		if (read(up[0], &pages, sizeof(pages)) != sizeof(pages))
			break;
		/* Refused pins left nothing pinned in the kernel either. */
		ASSERT_EQ(pm_outstanding_pins() - base, (long long)pages);
		put_u64(down[1], pages);
	}
	st = pm_wait(pid);
	ASSERT_EQ(st, 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	close(up[0]);
	close(down[1]);
}

/* Threads racing at the limit: held pages never exceed it. */
#define RACE_THREADS	4
#define RACE_LIMIT	64

struct race {
	int fd[2];
	char *p;
	atomic_long held;
	atomic_long over;
	atomic_int bad_errno;
	atomic_int stop;
	atomic_long pins, refused;
};

static void *race_fn(void *arg)
{
	struct race *r = arg;
	size_t ps = pm_page_size();
	unsigned int seed = (unsigned int)(uintptr_t)&seed;
	struct pinmgr_pin pin;
	struct { int fd; __u64 h; long n; } mine[8];
	int nmine = 0, i;
	long n, now;

	while (!atomic_load(&r->stop)) {
		if (nmine == 8 || (nmine && rand_r(&seed) % 2)) {
			i = rand_r(&seed) % nmine;
			/* Drop it from the count first: we only under-count. */
			atomic_fetch_sub(&r->held, mine[i].n);
			if (pm_unpin(mine[i].fd, mine[i].h))
				atomic_store(&r->bad_errno, errno);
			mine[i] = mine[--nmine];
			continue;
		}
		n = 1 + rand_r(&seed) % 16;
		i = rand_r(&seed) % 2;
		if (pm_pin(r->fd[i], r->p, n * ps, rand_r(&seed) % 4, 0,
			   &pin)) {
			if (errno != EDQUOT)
				atomic_store(&r->bad_errno, errno);
			atomic_fetch_add(&r->refused, 1);
			continue;
		}
		atomic_fetch_add(&r->pins, 1);
		now = atomic_fetch_add(&r->held, n) + n;
		if (now > RACE_LIMIT)
			atomic_fetch_add(&r->over, 1);
		mine[nmine].fd = r->fd[i];
		mine[nmine].h = pin.out_handle;
		mine[nmine].n = n;
		nmine++;
	}
	for (i = 0; i < nmine; i++) {
		atomic_fetch_sub(&r->held, mine[i].n);
		if (pm_unpin(mine[i].fd, mine[i].h))
			atomic_store(&r->bad_errno, errno);
	}
	return NULL;
}

TEST_TIMEOUT(security_memlock_concurrent_no_overshoot, 120)
{
	size_t ps = pm_page_size();
	long long base;
	pid_t pid;

	need_root();
	base = pm_outstanding_pins();
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		static struct race r;
		pthread_t th[RACE_THREADS];
		int i;

		r.p = pm_map_anon(16 * ps);
		ASSERT_NE(r.p, NULL);
		set_memlock(RACE_LIMIT * ps);
		become_nobody();
		r.fd[0] = pm_open();
		r.fd[1] = pm_open();
		ASSERT_GE(r.fd[0], 0);
		ASSERT_GE(r.fd[1], 0);
		for (i = 0; i < RACE_THREADS; i++)
			ASSERT_EQ(pthread_create(&th[i], NULL, race_fn, &r), 0);
		pm_msleep(3000);
		atomic_store(&r.stop, 1);
		for (i = 0; i < RACE_THREADS; i++)
			ASSERT_EQ(pthread_join(th[i], NULL), 0);
		long pins = atomic_load(&r.pins), over = atomic_load(&r.over);
		long refused = atomic_load(&r.refused);
		int bad = atomic_load(&r.bad_errno);

		pm_diag("%ld pins, %ld refused with EDQUOT", pins, refused);
		if (bad)
			FAIL("PIN or UNPIN failed with %s (only EDQUOT expected)",
			     strerrorname_np(bad) ?: "?");
		if (over)
			FAIL("%ld times the pages held by successful pins exceeded RLIMIT_MEMLOCK (%d pages)",
			     over, RACE_LIMIT);
		ASSERT_GT(pins, 0);
		ASSERT_GT(refused, 0);
		ASSERT_EQ(pm_vmpin_kb(), 0);
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
}

/* ---- Physical addresses ------------------------------------------------ */

TEST(security_get_segments_eperm)
{
	size_t ps = pm_page_size();
	struct pinmgr_get_segments g;
	struct pinmgr_segment segs[4];
	char *p = pm_map_anon(4 * ps);
	int sv[2], fd = pm_open();
	pid_t pid;
	__u64 h;

	ASSERT_NE(p, NULL);
	ASSERT_GE(fd, 0);
	need_root();
	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	h = PIN_OK(fd, p, 4 * ps, PINMGR_PIN_WRITE);
	/* Root sees them. */
	ASSERT_EQ(segments_ioc(fd, h, segs, 4, &g), 0);
	ASSERT_GE(g.out_total, 1);

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		__u64 rh, own;
		int rfd, mine;

		close(fd);
		become_nobody();
		mine = pm_open();
		ASSERT_GE(mine, 0);
		own = PIN_OK(mine, p, 2 * ps, 0);
		memset(segs, 0, sizeof(segs));
		/* Not for its own lease, however asked. */
		ASSERT_ERRNO(segments_ioc(mine, own, segs, 4, &g), EPERM);
		ASSERT_ERRNO(segments_ioc(mine, own, NULL, 0, &g), EPERM);
		ASSERT_EQ(g.out_total, 0);
		/* No oracle either: the same for a handle that is no lease. */
		ASSERT_ERRNO(segments_ioc(mine, own + 1000, segs, 4, &g),
			     EPERM);
		ASSERT_EQ(segs[0].phys_addr, 0);
		/* Not through root's fd: the opener's privilege is not ours. */
		rfd = pm_recv_fd(sv[1], &rh);
		ASSERT_GE(rfd, 0);
		ASSERT_ERRNO(segments_ioc(rfd, rh, segs, 4, &g), EPERM);
		ASSERT_ERRNO(segments_ioc(rfd, rh, NULL, 0, &g), EPERM);
		ASSERT_EQ(segs[0].phys_addr, 0);
		ASSERT_EQ(segs[0].length, 0);
		_exit(0);
	}
	ASSERT_EQ(pm_send_fd(sv[0], fd, h), 0);
	ASSERT_EQ(pm_wait(pid), 0);
	ASSERT_EQ(segments_ioc(fd, h, segs, 4, &g), 0);
	close(fd);
	close(sv[0]);
	close(sv[1]);
	pm_unmap(p, 4 * ps);
}

/* ---- Other users' leases ----------------------------------------------- */

TEST(security_cannot_reach_other_users_lease)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(4 * ps);
	struct pinmgr_query q0, q1;
	int hp[2], fd, fd2;
	long long base;
	pid_t pid;
	__u64 h, h2;

	ASSERT_NE(p, NULL);
	need_root();
	ASSERT_EQ(pipe(hp), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct pinmgr_get_segments g;
		struct pinmgr_query q;
		struct pinmgr_list l;
		char *mine = pm_map_anon(4 * ps);
		char buf[64];
		__u64 handles[8], guess[9], own;
		unsigned int i;
		int my;

		ASSERT_NE(mine, NULL);
		become_nobody();
		my = pm_open();
		ASSERT_GE(my, 0);
		h = get_u64(hp[0]);
		own = PIN_OK(my, mine, ps, PINMGR_PIN_WRITE);
		/* Root's handle, its neighbours (live or not), and others. */
		guess[0] = h;
		guess[1] = h - 1;
		guess[2] = h + 1;
		guess[3] = h - 2;
		guess[4] = h + 2;
		guess[5] = h + 1000;
		guess[6] = 0;
		guess[7] = ~0ULL;
		guess[8] = 0x5eed5eed5eedULL;
		for (i = 0; i < sizeof(guess) / sizeof(guess[0]); i++) {
			if (guess[i] == own)
				continue;
			ASSERT_ERRNO(pm_query(my, guess[i], &q), ENOENT);
			ASSERT_ERRNO(pm_unpin(my, guess[i]), ENOENT);
			ASSERT_ERRNO(access_ioc(my, guess[i], 0, 0, 16, buf),
				     ENOENT);
			ASSERT_ERRNO(access_ioc(my, guess[i],
						PINMGR_ACCESS_WRITE, 0, 16,
						buf), ENOENT);
			ASSERT_ERRNO(segments_ioc(my, guess[i], NULL, 0, &g),
				     EPERM);
			ASSERT_ERRNO(pm_renew(my, guess[i], 1000000), ENOENT);
			/* Revoking is the administrator's, whoever owns it. */
			ASSERT_ERRNO(pm_revoke(my, guess[i], PINMGR_REVOKE_NOW,
					       NULL), EPERM);
			ASSERT_ERRNO(pm_revoke(my, guess[i], 0, NULL), EPERM);
		}
		ASSERT_ERRNO(pm_revoke(my, own, 0, NULL), EPERM);
		/* Its own fd lists only its own lease. */
		ASSERT_EQ(pm_list(my, handles, 8, &l), 0);
		ASSERT_EQ(l.out_total, 1);
		ASSERT_EQ(handles[0], own);
		_exit(0);
	}
	close(hp[0]);
	fd = pm_open();
	ASSERT_GE(fd, 0);
	fill(p, 4 * ps, 7);
	h = PIN_OK(fd, p, 4 * ps, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM);
	/* Most likely handle + 1: a live lease of another of root's fds. */
	fd2 = pm_open();
	ASSERT_GE(fd2, 0);
	h2 = PIN_OK(fd2, p, ps, 0);
	ASSERT_EQ(pm_query(fd, h, &q0), 0);
	base = pm_outstanding_pins();
	put_u64(hp[1], h);
	ASSERT_EQ(pm_wait(pid), 0);
	/* Root's lease is there, unchanged, and still pinned. */
	ASSERT_EQ(pm_query(fd, h, &q1), 0);
	ASSERT_EQ(q1.out_nr_pages, 4);
	ASSERT_EQ(q1.out_addr, q0.out_addr);
	ASSERT_EQ(q1.out_create_time_ns, q0.out_create_time_ns);
	ASSERT_EQ(q1.out_owner_uid, 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	expect_filled(p, 4 * ps, 7);
	ASSERT_EQ(pm_query(fd2, h2, &q1), 0);
	ASSERT_EQ(pm_unpin(fd2, h2), 0);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	close(fd);
	close(fd2);
	close(hp[1]);
	pm_unmap(p, 4 * ps);
}

/* ---- Files that came from another process ------------------------------ */

/*
 * In a process that got @fd from its owner: nothing that pins (PIN or
 * PIN_VEC), unpins or moves data works, whatever memory it names; looking
 * works.
 */
static void foreign_fd_checks(int fd, __u64 h, char *owners_addr)
{
	size_t ps = pm_page_size();
	char *mine = pm_map_anon(2 * ps);
	struct pinmgr_info info;
	struct pinmgr_query q;
	char buf[256];

	ASSERT_NE(mine, NULL);
	/* Its own memory, and the same address as the owner's buffer. */
	ASSERT_ERRNO(pm_pin(fd, mine, ps, 0, 0, NULL), EPERM);
	ASSERT_ERRNO(pm_pin(fd, mine, 2 * ps, PINMGR_PIN_WRITE |
			    PINMGR_PIN_LONGTERM, 0, NULL), EPERM);
	if (owners_addr)
		ASSERT_ERRNO(pm_pin(fd, owners_addr, ps, PINMGR_PIN_WRITE, 0,
				    NULL), EPERM);
	{
		struct pinmgr_pin_range r[2] = {
			{ .addr = (uintptr_t)mine, .length = ps },
			{ .addr = (uintptr_t)(owners_addr ? owners_addr : mine),
			  .length = ps, .flags = PINMGR_PIN_WRITE },
		};

		ASSERT_ERRNO(pm_pin_vec(fd, r, 2, sizeof(r[0]), NULL), EPERM);
		ASSERT_EQ(r[0].out_handle, 0);
		ASSERT_EQ(r[1].out_handle, 0);
	}
	ASSERT_ERRNO(pm_unpin(fd, h), EPERM);
	ASSERT_ERRNO(pm_renew(fd, h, 1000000), EPERM);
	memset(buf, 0x5a, sizeof(buf));
	ASSERT_ERRNO(access_ioc(fd, h, PINMGR_ACCESS_WRITE, 0, sizeof(buf),
				buf), EPERM);
	memset(buf, 0, sizeof(buf));
	ASSERT_ERRNO(access_ioc(fd, h, 0, 0, sizeof(buf), buf), EPERM);
	ASSERT_ERRNO(access_ioc(fd, h, 0, 0, 0, buf), EPERM);
	/* Nothing of the owner's data came through. */
	ASSERT_EQ(buf[0], 0);
	ASSERT_EQ(buf[255], 0);
	/* Looking is allowed, and says it is not ours. */
	ASSERT_EQ(pm_query(fd, h, &q), 0);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.out_flags & PINMGR_INFO_OWNER_MM, 0);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	pm_unmap(mine, 2 * ps);
}

TEST(security_inherited_fd_cannot_pin_or_access)
{
	size_t ps = pm_page_size();
	long long base;
	pid_t pid;

	need_root();
	base = pm_outstanding_pins();
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char *p = pm_map_anon(4 * ps);
		struct pinmgr_query q;
		pid_t child;
		__u64 h;
		int fd;

		ASSERT_NE(p, NULL);
		become_nobody();
		fd = pm_open();
		ASSERT_GE(fd, 0);
		fill(p, 4 * ps, 3);
		h = PIN_OK(fd, p, 4 * ps, PINMGR_PIN_WRITE);
		child = fork();
		ASSERT_GE(child, 0);
		if (child == 0) {
			foreign_fd_checks(fd, h, p);
			_exit(0);
		}
		ASSERT_EQ(pm_wait(child), 0);
		/* The owner's lease and data are untouched. */
		ASSERT_EQ(pm_query(fd, h, &q), 0);
		ASSERT_EQ(q.out_nr_pages, 4);
		expect_filled(p, 4 * ps, 3);
		ASSERT_EQ(pm_vmpin_kb(), (long long)(4 * ps / 1024));
		close(fd);
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
}

TEST(security_scm_rights_fd_cannot_pin_or_access)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(4 * ps);
	struct pinmgr_query q;
	int sv[2], fd;
	long long base;
	pid_t pid;
	__u64 h;

	ASSERT_NE(p, NULL);
	need_root();
	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		__u64 rh;
		int rfd;

		become_nobody();
		rfd = pm_recv_fd(sv[1], &rh);
		ASSERT_GE(rfd, 0);
		foreign_fd_checks(rfd, rh, p);
		/* Closing the received file ends nothing of the sender's. */
		ASSERT_EQ(close(rfd), 0);
		_exit(0);
	}
	/* Opened after the fork: the child can only have it by message. */
	fd = pm_open();
	ASSERT_GE(fd, 0);
	fill(p, 4 * ps, 9);
	h = PIN_OK(fd, p, 4 * ps, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM);
	base = pm_outstanding_pins();
	ASSERT_EQ(pm_send_fd(sv[0], fd, h), 0);
	ASSERT_EQ(pm_wait(pid), 0);
	ASSERT_EQ(pm_query(fd, h, &q), 0);
	ASSERT_EQ(q.out_owner_uid, 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	expect_filled(p, 4 * ps, 9);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	close(fd);
	close(sv[0]);
	close(sv[1]);
	pm_unmap(p, 4 * ps);
}

/* ---- Lease ends and events ------------------------------------------- */

/*
 * Events belong to the file that pinned: another user's file never sees
 * them, and cannot make the lease end (no REVOKE without CAP_SYS_ADMIN,
 * RENEW only of its own leases).
 */
TEST(security_events_and_ends_stay_with_the_owner)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(ps);
	struct pinmgr_event ev;
	struct pinmgr_pin pin;
	long long base;
	int hp[2], fd;
	pid_t pid;

	ASSERT_NE(p, NULL);
	need_root();
	ASSERT_EQ(pipe(hp), 0);
	fd = pm_open();
	ASSERT_GE(fd, 0);
	base = pm_outstanding_pins();
	ASSERT_EQ(pm_pin_for(fd, p, ps, 0, 400 * PM_MS, &pin), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int my;

		close(fd);
		become_nobody();
		my = pm_open();
		ASSERT_GE(my, 0);
		ASSERT_ERRNO(pm_renew(my, pin.out_handle, 0), ENOENT);
		ASSERT_ERRNO(pm_revoke(my, pin.out_handle, PINMGR_REVOKE_NOW,
				       NULL), EPERM);
		/* The owner's lease expires; this file hears nothing of it. */
		ASSERT_EQ(pm_read_event(my, &ev, 1500), 0);
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	pm_expect_event(fd, PINMGR_EVENT_EXPIRED, pin.out_handle, 5000, &ev);
	ASSERT_ERRNO(pm_unpin(fd, pin.out_handle), EKEYEXPIRED);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	close(hp[0]);
	close(hp[1]);
	close(fd);
	pm_unmap(p, ps);
}

/* ---- Read-only pins ---------------------------------------------------- */

TEST(security_readonly_pin_not_writable)
{
	size_t ps = pm_page_size();
	char tmpl[] = "/tmp/pinmgr-sec-XXXXXX";
	char *content = pm_map_anon(ps);
	long long base;
	pid_t pid;
	int tfd;

	ASSERT_NE(content, NULL);
	need_root();
	/* A file root owns and nobody may only read. */
	tfd = mkstemp(tmpl);
	ASSERT_GE(tfd, 0);
	fill(content, ps, 11);
	ASSERT_EQ(write(tfd, content, ps), (ssize_t)ps);
	ASSERT_EQ(fchmod(tfd, 0644), 0);
	ASSERT_EQ(fsync(tfd), 0);
	base = pm_outstanding_pins();

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char *zero, *ro, *shared, *priv, *buf = pm_map_anon(ps);
		__u64 hz, hr, hs, hp;
		int fd, ffd;

		ASSERT_NE(buf, NULL);
		close(tfd);
		become_nobody();
		fd = pm_open();
		ASSERT_GE(fd, 0);
		ASSERT_ERRNO(open(tmpl, O_RDWR), EACCES);
		ffd = open(tmpl, O_RDONLY);
		ASSERT_GE(ffd, 0);
		memset(buf, 0x77, ps);

		/* The shared zero page: a read pin of untouched memory. */
		zero = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(zero, MAP_FAILED);
		ASSERT_EQ(zero[0], 0);
		hz = PIN_OK(fd, zero, ps, 0);
		ASSERT_ERRNO(access_ioc(fd, hz, PINMGR_ACCESS_WRITE, 0, ps,
					buf), EACCES);
		ASSERT_ERRNO(access_ioc(fd, hz, PINMGR_ACCESS_WRITE, 0, 1,
					buf), EACCES);
		/* Zero stays zero, here and in any other untouched page. */
		ASSERT_EQ(zero[0], 0);
		ASSERT_EQ(zero[ps], 0);

		/* A read-only mapping: a write pin is refused. */
		ro = pm_map_anon(ps);
		ASSERT_NE(ro, NULL);
		fill(ro, ps, 5);
		ASSERT_EQ(mprotect(ro, ps, PROT_READ), 0);
		ASSERT_ERRNO(pm_pin(fd, ro, ps, PINMGR_PIN_WRITE, 0, NULL),
			     EFAULT);
		ASSERT_ERRNO(pm_pin(fd, ro, ps, PINMGR_PIN_WRITE |
				    PINMGR_PIN_LONGTERM, 0, NULL), EFAULT);
		hr = PIN_OK(fd, ro, ps, PINMGR_PIN_LONGTERM);
		ASSERT_ERRNO(access_ioc(fd, hr, PINMGR_ACCESS_WRITE, 0, ps,
					buf), EACCES);
		expect_filled(ro, ps, 5);

		/* Root's file, mapped shared read-only: page cache. */
		shared = mmap(NULL, ps, PROT_READ, MAP_SHARED, ffd, 0);
		ASSERT_NE(shared, MAP_FAILED);
		ASSERT_ERRNO(pm_pin(fd, shared, ps, PINMGR_PIN_WRITE, 0, NULL),
			     EFAULT);
		hs = PIN_OK(fd, shared, ps, 0);
		ASSERT_ERRNO(access_ioc(fd, hs, PINMGR_ACCESS_WRITE, 0, ps,
					buf), EACCES);
		ASSERT_ERRNO(access_ioc(fd, hs, PINMGR_ACCESS_WRITE, 100, 8,
					buf), EACCES);

		/* Mapped private and writable: a write pin copies first. */
		priv = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE,
			    ffd, 0);
		ASSERT_NE(priv, MAP_FAILED);
		hp = PIN_OK(fd, priv, ps, PINMGR_PIN_WRITE |
			    PINMGR_PIN_LONGTERM);
		ASSERT_EQ(access_ioc(fd, hp, PINMGR_ACCESS_WRITE, 0, ps, buf),
			  0);
		ASSERT_EQ(priv[0], 0x77);
		ASSERT_EQ(priv[ps - 1], 0x77);
		/* ... and the file's own page never saw it. */
		expect_filled(shared, ps, 11);
		ASSERT_EQ(access_ioc(fd, hs, 0, 0, ps, buf), 0);
		expect_filled(buf, ps, 11);
		close(fd);
		close(ffd);
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	memset(content, 0, ps);
	ASSERT_EQ(pread(tfd, content, ps, 0), (ssize_t)ps);
	expect_filled(content, ps, 11);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	close(tfd);
	unlink(tmpl);
	pm_unmap(content, ps);
}

/* ---- Module parameters ------------------------------------------------- */

TEST(security_module_params_root_only)
{
	static const char *const names[] = {
		"max_lease_pages", "max_leases", "max_device_pages",
	};
	unsigned long long before[3], after;
	unsigned int i;
	pid_t pid;

	need_root();
	for (i = 0; i < 3; i++)
		ASSERT_EQ(pm_param_read(names[i], &before[i]), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char path[128];
		unsigned long long v;
		int fd, err;

		become_nobody();
		for (i = 0; i < 3; i++) {
			/* Readable by all, as the 0644 mode says. */
			ASSERT_EQ(pm_param_read(names[i], &v), 0);
			ASSERT_EQ(v, before[i]);
			errno = 0;
			ASSERT_EQ(pm_param_write(names[i], 0), -1);
			err = errno;
			if (err != EACCES && err != EPERM)
				FAIL("writing %s as nobody: expected EACCES or EPERM got %s",
				     names[i], strerrorname_np(err) ?: "?");
			snprintf(path, sizeof(path),
				 "/sys/module/pinmgr/parameters/%s", names[i]);
			fd = open(path, O_RDWR);
			err = errno;
			ASSERT_EQ(fd, -1);
			if (err != EACCES && err != EPERM)
				FAIL("opening %s for writing as nobody: %s",
				     path, strerrorname_np(err) ?: "?");
		}
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(pm_param_read(names[i], &after), 0);
		ASSERT_EQ(after, before[i]);
	}
}

/* ---- Who a lease belongs to -------------------------------------------- */

TEST(security_query_shows_nobody_uid)
{
	size_t ps = pm_page_size();
	struct pinmgr_query q;
	int sv[2], go[2], rfd;
	pid_t pid;
	__u64 h;

	need_root();
	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	ASSERT_EQ(pipe(go), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char *p = pm_map_anon(ps);
		__u64 own;
		int fd;

		ASSERT_NE(p, NULL);
		ASSERT_EQ(prctl(PR_SET_NAME, "pm-nobody", 0, 0, 0), 0);
		become_nobody();
		fd = pm_open();
		ASSERT_GE(fd, 0);
		own = PIN_OK(fd, p, ps, 0);
		ASSERT_EQ(pm_query(fd, own, &q), 0);
		ASSERT_EQ(q.out_owner_uid, PM_NOBODY);
		ASSERT_EQ(q.out_owner_tgid, (__u32)getpid());
		ASSERT_EQ(strncmp(q.out_owner_comm, "pm-nobody", 16), 0);
		ASSERT_EQ(pm_send_fd(sv[1], fd, own), 0);
		/* Stay alive until root has looked. */
		get_u64(go[0]);
		_exit(0);
	}
	rfd = pm_recv_fd(sv[0], &h);
	ASSERT_GE(rfd, 0);
	/* Root sees the same owner through the passed file. */
	ASSERT_EQ(pm_query(rfd, h, &q), 0);
	ASSERT_EQ(q.out_owner_uid, PM_NOBODY);
	ASSERT_EQ(q.out_owner_tgid, (__u32)pid);
	ASSERT_EQ(strncmp(q.out_owner_comm, "pm-nobody", 16), 0);
	put_u64(go[1], 1);
	ASSERT_EQ(pm_wait(pid), 0);
	/* The lease lives on in root's copy of the file: still nobody's. */
	ASSERT_EQ(pm_query(rfd, h, &q), 0);
	ASSERT_EQ(q.out_owner_uid, PM_NOBODY);
	close(rfd);
	close(sv[0]);
	close(sv[1]);
}

/*
 * netlink user-get as a user: its own locked_vm, as its GET_INFO says;
 * any other user's is refused (EPERM, whether or not that user has a
 * process: a refusal tells nothing about it).
 */
TEST(security_user_get_only_of_own_uid)
{
	pid_t pid;

	need_root();
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		size_t ps = pm_page_size();
		char *p = pm_map_anon(6 * ps);
		struct pinmgr_info info;
		struct pm_nl_lease l;
		struct pm_nl *nl;
		int fd;

		ASSERT_NE(p, NULL);
		set_memlock(MEMLOCK_PAGES * ps);
		become_nobody();
		fd = pm_open();
		ASSERT_GE(fd, 0);
		PIN_OK(fd, p, 6 * ps, 0);
		nl = pm_nl_open();
		if (!nl)
			FAIL("cannot open the pinmgr netlink family: %s",
			     strerror(errno));
		ASSERT_EQ(pm_get_info(fd, &info), 0);
		ASSERT_GE(info.user_pinned_pages, 6);
		memset(&l, 0, sizeof(l));
		ASSERT_EQ(pm_nl_user_get(nl, PM_NOBODY, &l), 0);
		ASSERT_EQ(l.uid, PM_NOBODY);
		ASSERT_TRUE(PM_NL_HAS(&l, PINMGR_A_LOCKED_VM_PAGES));
		ASSERT_EQ(l.locked_vm_pages, info.user_pinned_pages);
		/* Root has processes; 4321 has none: both refused alike. */
		ASSERT_EQ(pm_nl_user_get(nl, 0, NULL), -EPERM);
		ASSERT_EQ(pm_nl_user_get(nl, 4321, NULL), -EPERM);
		ASSERT_EQ(pm_nl_user_get(nl, (__u32)-1, NULL), -EINVAL);
		pm_nl_close(nl);
		close(fd);
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);
}

/* ---- Watched leases and the status area -------------------------------- */

static void need_watch(void)
{
	if (!pm_feature(PINMGR_FEATURE_WATCH))
		pm_skip_feature(PINMGR_FEATURE_WATCH, "watched leases");
}

static const volatile __u64 *map_area(int fd)
{
	void *a = mmap(NULL, pm_page_size(), PROT_READ, MAP_SHARED, fd,
		       PINMGR_WATCH_MMAP_OFFSET);

	if (a == MAP_FAILED)
		FAIL("mmap of the status area: %s", strerror(errno));
	return a;
}

static __u64 word_at(const volatile __u64 *area, __u32 slot)
{
	ASSERT_LT(slot, pm_page_size() / sizeof(__u64));
	return __atomic_load_n(&area[slot], __ATOMIC_ACQUIRE);
}

/* mmap of @fd's status area, read-only or not, fails with EPERM. */
static void expect_area_refused(int fd)
{
	size_t ps = pm_page_size();

	ASSERT_ERRNO(mmap(NULL, ps, PROT_READ, MAP_SHARED, fd,
			  PINMGR_WATCH_MMAP_OFFSET) == MAP_FAILED ? -1 : 0,
		     EPERM);
	ASSERT_ERRNO(mmap(NULL, ps, PROT_READ, MAP_PRIVATE, fd,
			  PINMGR_WATCH_MMAP_OFFSET) == MAP_FAILED ? -1 : 0,
		     EPERM);
	ASSERT_ERRNO(mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			  PINMGR_WATCH_MMAP_OFFSET) == MAP_FAILED ? -1 : 0,
		     EPERM);
}

/*
 * The owner's own mapping is read-only, whatever it tries: no writable
 * mapping, shared or private, no mprotect() to writable, no write through
 * /proc/self/mem (FOLL_FORCE): the words are the kernel's alone.
 */
static void expect_area_read_only(int fd, const volatile __u64 *area,
				  __u32 slot)
{
	size_t ps = pm_page_size();
	__u64 before = word_at(area, slot), forged = before + 1000;
	const volatile __u64 *priv;
	int mem;

	ASSERT_ERRNO(mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			  PINMGR_WATCH_MMAP_OFFSET) == MAP_FAILED ? -1 : 0,
		     EPERM);
	ASSERT_ERRNO(mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd,
			  PINMGR_WATCH_MMAP_OFFSET) == MAP_FAILED ? -1 : 0,
		     EPERM);
	ASSERT_ERRNO(mprotect((void *)area, ps, PROT_READ | PROT_WRITE),
		     EACCES);
	/* A private mapping may not become a writable copy either. */
	priv = mmap(NULL, ps, PROT_READ, MAP_PRIVATE, fd,
		    PINMGR_WATCH_MMAP_OFFSET);
	ASSERT_NE(priv, MAP_FAILED);
	ASSERT_ERRNO(mprotect((void *)priv, ps, PROT_READ | PROT_WRITE),
		     EACCES);
	/* Not even by FOLL_FORCE, as a debugger writes (our own mem file). */
	ASSERT_EQ(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
	mem = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	ASSERT_GE(mem, 0);
	ASSERT_EQ(pwrite(mem, &forged, sizeof(forged),
			 (off_t)(uintptr_t)&area[slot]), -1);
	ASSERT_EQ(pwrite(mem, &forged, sizeof(forged),
			 (off_t)(uintptr_t)&priv[slot]), -1);
	close(mem);
	ASSERT_EQ(word_at(area, slot), before);
	ASSERT_EQ(word_at(priv, slot), before);
	munmap((void *)priv, ps);
}

/*
 * Another process's context: its status area names that process's leases,
 * so neither a forked child (inheriting the file) nor a process that got
 * the file over SCM_RIGHTS may map it, however privileged.
 */
TEST(security_watch_area_of_another_process)
{
	size_t ps = pm_page_size();
	int sv[2], fd, st;
	struct pinmgr_pin pin;
	const volatile __u64 *area;
	char *p;
	pid_t pid;
	__u64 h;

	need_root();
	need_watch();
	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char *mine = pm_map_anon(ps);
		pid_t child;
		int my, rfd;
		__u64 rh;

		ASSERT_NE(mine, NULL);
		become_nobody();
		/* Root's file, received: not nobody's to map. */
		rfd = pm_recv_fd(sv[1], &rh);
		ASSERT_GE(rfd, 0);
		expect_area_refused(rfd);
		close(rfd);

		/* Its own file: mapped read-only, and only by itself. */
		my = pm_open();
		ASSERT_GE(my, 0);
		ASSERT_EQ(pm_pin(my, mine, ps, PINMGR_PIN_WATCH, 0, &pin), 0);
		area = map_area(my);
		ASSERT_EQ(word_at(area, pin.out_watch_slot), pin.out_watch_gen);
		expect_area_read_only(my, area, pin.out_watch_slot);
		child = fork();
		ASSERT_GE(child, 0);
		if (child == 0) {
			/* The inherited file: not the child's mm. */
			expect_area_refused(my);
			_exit(0);
		}
		ASSERT_EQ(pm_wait(child), 0);
		/* Passed on to root: not root's to map either. */
		ASSERT_EQ(pm_send_fd(sv[1], my, pin.out_handle), 0);
		ASSERT_EQ(get_u64(sv[1]), 1);
		ASSERT_EQ(word_at(area, pin.out_watch_slot), pin.out_watch_gen);
		_exit(0);
	}
	p = pm_map_anon(ps);
	ASSERT_NE(p, NULL);
	/* Opened after the fork: the child can only have it by message. */
	fd = pm_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(pm_pin(fd, p, ps, PINMGR_PIN_WATCH, 0, &pin), 0);
	area = map_area(fd);
	ASSERT_EQ(pm_send_fd(sv[0], fd, pin.out_handle), 0);
	{
		int nfd = pm_recv_fd(sv[0], &h);

		ASSERT_GE(nfd, 0);
		/* CAP_SYS_ADMIN does not make another's area ours. */
		expect_area_refused(nfd);
		close(nfd);
	}
	put_u64(sv[0], 1);
	st = pm_wait(pid);
	ASSERT_EQ(st, 0);
	/* Root's lease and word are as they were. */
	ASSERT_EQ(word_at(area, pin.out_watch_slot), pin.out_watch_gen);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	munmap((void *)area, ps);
	close(fd);
	close(sv[0]);
	close(sv[1]);
	pm_unmap(p, ps);
}

/*
 * A watch-only lease pins nothing, so it charges nothing: with a limit of
 * a few pages, watch-only leases of many times that succeed while a pin
 * (watched or not) of the same size fails with EDQUOT; nothing shows in
 * VmPin, the user's charge or the kernel's pin counters.
 */
TEST(security_watch_only_charges_nothing)
{
	size_t ps = pm_page_size(), n = 4 * MEMLOCK_PAGES;
	long long base;
	pid_t pid;

	need_root();
	need_watch();
	base = pm_outstanding_pins();
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char *p = pm_map_anon(n * ps), buf[64];
		struct pinmgr_info info;
		struct pinmgr_pin pin;
		__u64 h[4], full;
		int fd, fd2, i;

		ASSERT_NE(p, NULL);
		set_memlock(MEMLOCK_PAGES * ps);
		become_nobody();
		fd = pm_open();
		fd2 = pm_open();
		ASSERT_GE(fd, 0);
		ASSERT_GE(fd2, 0);
		ASSERT_ERRNO(pm_pin(fd, p, n * ps, 0, 0, NULL), EDQUOT);
		ASSERT_ERRNO(pm_pin(fd, p, n * ps, PINMGR_PIN_WATCH, 0, NULL),
			     EDQUOT);
		ASSERT_ERRNO(pm_pin(fd, p, n * ps, PINMGR_PIN_WATCH |
				    PINMGR_PIN_RELEASE_ON_STALE, 0, NULL),
			     EDQUOT);
		/* Four times the limit, four times over, on two files. */
		for (i = 0; i < 4; i++) {
			ASSERT_EQ(pm_pin(i & 1 ? fd2 : fd, p, n * ps,
					 PINMGR_PIN_WATCH_ONLY |
					 (i & 2 ? PINMGR_PIN_WRITE : 0), 0,
					 &pin), 0);
			ASSERT_EQ(pin.out_nr_pages, n);
			h[i] = pin.out_handle;
		}
		ASSERT_EQ(pm_get_info(fd, &info), 0);
		ASSERT_EQ(info.memlock_limit_pages, MEMLOCK_PAGES);
		ASSERT_EQ(info.user_pinned_pages, 0);
		ASSERT_EQ(info.mm_pinned_pages, 0);
		ASSERT_EQ(info.ctx_pinned_pages, 0);
		ASSERT_EQ(info.ctx_leases, 2);
		ASSERT_EQ(pm_vmpin_kb(), 0);
		/* The whole limit is still there for real pins, to the page. */
		full = PIN_OK(fd, p, MEMLOCK_PAGES * ps,
			      PINMGR_PIN_WATCH | PINMGR_PIN_WRITE);
		ASSERT_ERRNO(pm_pin(fd2, p, ps, PINMGR_PIN_LONGTERM, 0, NULL),
			     EDQUOT);
		/* ... and watch-only leases go on working at the limit. */
		PIN_OK(fd2, p + ps, ps, PINMGR_PIN_WATCH_ONLY);
		ASSERT_EQ(pm_get_info(fd, &info), 0);
		ASSERT_EQ(info.user_pinned_pages, MEMLOCK_PAGES);
		ASSERT_EQ(pm_vmpin_kb(), (long long)(MEMLOCK_PAGES * ps / 1024));
		/* A watch-only write lease writes its owner's memory only. */
		memset(buf, 0x6b, sizeof(buf));
		ASSERT_EQ(access_ioc(fd2, h[3], PINMGR_ACCESS_WRITE, 3 * ps,
				     sizeof(buf), buf), 0);
		ASSERT_EQ(p[3 * ps], 0x6b);
		ASSERT_ERRNO(access_ioc(fd, h[0], PINMGR_ACCESS_WRITE, 0,
					sizeof(buf), buf), EACCES);
		ASSERT_EQ(pm_unpin(fd, full), 0);
		ASSERT_EQ(pm_vmpin_kb(), 0);
		for (i = 0; i < 4; i++)
			ASSERT_EQ(pm_unpin(i & 1 ? fd2 : fd, h[i]), 0);
		close(fd);
		close(fd2);
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
}

/*
 * Another user's watched lease cannot be reached: not by QUERY of its
 * handle, nor as a slot of one's own status area, which belongs to one's
 * own context.
 */
TEST(security_watched_lease_of_other_user_unseen)
{
	size_t ps = pm_page_size();
	const volatile __u64 *area;
	struct pinmgr_pin pin;
	struct pinmgr_query q;
	int hp[2], done[2], fd;
	char *p;
	pid_t pid;

	need_root();
	need_watch();
	ASSERT_EQ(pipe(hp), 0);
	ASSERT_EQ(pipe(done), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		const volatile __u64 *mine;
		char *buf = pm_map_anon(ps);
		struct pinmgr_list l;
		__u64 h, slot, handles[4];
		int my;

		ASSERT_NE(buf, NULL);
		become_nobody();
		my = pm_open();
		ASSERT_GE(my, 0);
		h = get_u64(hp[0]);
		slot = get_u64(hp[0]);
		ASSERT_ERRNO(pm_query(my, h, &q), ENOENT);
		ASSERT_ERRNO(pm_unpin(my, h), ENOENT);
		ASSERT_ERRNO(access_ioc(my, h, 0, 0, 8, buf), ENOENT);
		ASSERT_ERRNO(pm_renew(my, h, 0), ENOENT);
		ASSERT_EQ(pm_list(my, handles, 4, &l), 0);
		ASSERT_EQ(l.out_total, 0);
		/*
		 * Its own area at root's slot holds nothing of root's lease:
		 * a fresh context's words are all 0, its count of stale
		 * leases (slot 0) too.
		 */
		mine = map_area(my);
		ASSERT_EQ(word_at(mine, (__u32)slot), 0);
		ASSERT_EQ(word_at(mine, 0), 0);
		ASSERT_EQ(pm_pin(my, buf, ps, PINMGR_PIN_WATCH, 0, &pin), 0);
		ASSERT_EQ(word_at(mine, pin.out_watch_slot), pin.out_watch_gen);
		/* Root's lease going stale moves nothing here. */
		put_u64(done[1], 1);
		ASSERT_EQ(get_u64(hp[0]), 2);
		ASSERT_EQ(word_at(mine, pin.out_watch_slot), pin.out_watch_gen);
		ASSERT_EQ(word_at(mine, 0), 0);
		ASSERT_ERRNO(pm_query(my, h, &q), ENOENT);
		close(my);
		_exit(0);
	}
	fd = pm_open();
	ASSERT_GE(fd, 0);
	p = pm_map_anon(2 * ps);
	ASSERT_NE(p, NULL);
	ASSERT_EQ(pm_pin(fd, p, 2 * ps, PINMGR_PIN_WATCH | PINMGR_PIN_WRITE,
			 0, &pin), 0);
	area = map_area(fd);
	put_u64(hp[1], pin.out_handle);
	put_u64(hp[1], pin.out_watch_slot);
	ASSERT_EQ(get_u64(done[0]), 1);
	/* Root's lease goes stale; the child's area does not see it. */
	ASSERT_EQ(word_at(area, 0), 0);
	ASSERT_EQ(munmap(p + ps, ps), 0);
	ASSERT_NE(word_at(area, pin.out_watch_slot), pin.out_watch_gen);
	ASSERT_EQ(word_at(area, 0), 1);
	put_u64(hp[1], 2);
	ASSERT_EQ(pm_wait(pid), 0);
	ASSERT_EQ(pm_query(fd, pin.out_handle, &q), 0);
	ASSERT_EQ(q.out_state, PINMGR_LEASE_STALE);
	ASSERT_EQ(q.out_owner_uid, 0);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	munmap((void *)area, ps);
	close(fd);
	close(hp[0]);
	close(hp[1]);
	close(done[0]);
	close(done[1]);
	pm_unmap(p, ps);
}

/*
 * Each context has its own status area, also within one process: a
 * second file's slot 0 (its count of stale leases) and the slot of the
 * first file's lease keep their own words while the first file's lease
 * comes, goes stale and ends; and the other way round.
 */
TEST(security_watch_area_is_per_context)
{
	size_t ps = pm_page_size();
	pid_t pid;

	need_root();
	need_watch();
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		const volatile __u64 *aa, *ab;
		struct pinmgr_pin la, lb;
		char *p = pm_map_anon(4 * ps);
		__u64 b0, bs;
		int a, b;

		ASSERT_NE(p, NULL);
		become_nobody();
		a = pm_open();
		b = pm_open();
		ASSERT_GE(a, 0);
		ASSERT_GE(b, 0);
		aa = map_area(a);
		ab = map_area(b);
		/* Fresh contexts: every word 0, slot 0 included. */
		ASSERT_EQ(word_at(aa, 0), 0);
		ASSERT_EQ(word_at(ab, 0), 0);
		ASSERT_EQ(pm_pin(b, p + 2 * ps, ps, PINMGR_PIN_WATCH, 0, &lb),
			  0);
		ASSERT_EQ(pm_pin(a, p, 2 * ps, PINMGR_PIN_WATCH_ONLY, 0, &la),
			  0);
		ASSERT_GE(la.out_watch_slot, 1);
		ASSERT_GE(lb.out_watch_slot, 1);
		ASSERT_EQ(word_at(aa, la.out_watch_slot), la.out_watch_gen);
		ASSERT_EQ(word_at(ab, lb.out_watch_slot), lb.out_watch_gen);
		b0 = word_at(ab, 0);
		bs = word_at(ab, la.out_watch_slot);
		/* a's lease goes stale, then ends: b's words stay. */
		ASSERT_EQ(madvise(p, ps, MADV_DONTNEED), 0);
		ASSERT_NE(word_at(aa, la.out_watch_slot), la.out_watch_gen);
		ASSERT_EQ(word_at(aa, 0), 1);
		ASSERT_EQ(word_at(ab, 0), b0);
		ASSERT_EQ(word_at(ab, la.out_watch_slot), bs);
		ASSERT_EQ(pm_unpin(a, la.out_handle), 0);
		ASSERT_EQ(word_at(ab, 0), b0);
		ASSERT_EQ(word_at(ab, la.out_watch_slot), bs);
		ASSERT_EQ(word_at(ab, lb.out_watch_slot), lb.out_watch_gen);
		/* And the other way round. */
		ASSERT_EQ(pm_pin(a, p, ps, PINMGR_PIN_WATCH, 0, &la), 0);
		ASSERT_EQ(munmap(p + 2 * ps, ps), 0);
		ASSERT_NE(word_at(ab, lb.out_watch_slot), lb.out_watch_gen);
		ASSERT_EQ(word_at(ab, 0), b0 + 1);
		ASSERT_EQ(word_at(aa, la.out_watch_slot), la.out_watch_gen);
		ASSERT_EQ(word_at(aa, 0), 1);
		/* Neither file knows the other's handle. */
		ASSERT_ERRNO(pm_unpin(a, lb.out_handle), ENOENT);
		ASSERT_ERRNO(pm_unpin(b, la.out_handle), ENOENT);
		ASSERT_EQ(pm_unpin(a, la.out_handle), 0);
		ASSERT_EQ(pm_unpin(b, lb.out_handle), 0);
		close(a);
		close(b);
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);
}

/*
 * An unprivileged user's exports: its own leases only, and never a way
 * around RLIMIT_MEMLOCK. The pages a dma-buf keeps after UNPIN, or after
 * its owner's exit, stay charged to the user that pinned them, so the user
 * cannot pin them again on top, nor pass the dma-buf on and start afresh.
 */
TEST(security_export_stays_within_memlock)
{
	size_t ps = pm_page_size();
	long long base;
	int sv[2];
	pid_t pid;

	need_root();
	if (!pm_feature(PINMGR_FEATURE_EXPORT))
		pm_skip_feature(PINMGR_FEATURE_EXPORT, "exported leases");
	base = pm_outstanding_pins();
	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char *p = pm_map_anon(2 * MEMLOCK_PAGES * ps);
		struct pinmgr_export e = { .size = sizeof(e) };
		struct pinmgr_info info;
		int fd, other, dbuf;
		__u64 h, hr;

		ASSERT_NE(p, NULL);
		set_memlock(MEMLOCK_PAGES * ps);
		/* A lease of root's file: not ours to give through our file. */
		other = pm_open();
		hr = PIN_OK(other, p, ps, PINMGR_PIN_WRITE);
		become_nobody();
		fd = pm_open();
		h = PIN_OK(fd, p, MEMLOCK_PAGES * ps,
			   PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM);
		e.handle = hr;
		ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_EXPORT, &e), ENOENT);
		e.handle = h;
		ASSERT_EQ(ioctl(fd, PINMGR_IOC_EXPORT, &e), 0);
		dbuf = e.out_fd;
		ASSERT_EQ(pm_unpin(fd, h), 0);
		/* Still charged: nothing more may be pinned. */
		ASSERT_EQ(pm_get_info(fd, &info), 0);
		ASSERT_EQ(info.user_pinned_pages, MEMLOCK_PAGES);
		ASSERT_ERRNO(pm_pin(fd, p + MEMLOCK_PAGES * ps, ps,
				    PINMGR_PIN_LONGTERM, 0, NULL), EDQUOT);
		/* Passed on and this process gone: still charged to nobody. */
		ASSERT_EQ(pm_send_fd(sv[1], dbuf, 0), 0);
		close(dbuf);
		close(fd);
		_exit(0);
	}
	{
		struct pinmgr_info info;
		long long pinned;
		int dbuf, fd, st;
		__u64 v;

		dbuf = pm_recv_fd(sv[0], &v);
		ASSERT_GE(dbuf, 0);
		st = pm_wait(pid);
		ASSERT_EQ(st, 0);
		pm_vmstat_refresh();
		pinned = pm_outstanding_pins() - base;
		ASSERT_EQ(pinned, MEMLOCK_PAGES);
		/* Another process of nobody's is held to what is left: none. */
		pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0) {
			char *p = pm_map_anon(ps);

			set_memlock(MEMLOCK_PAGES * ps);
			become_nobody();
			fd = pm_open();
			ASSERT_EQ(pm_get_info(fd, &info), 0);
			ASSERT_EQ(info.user_pinned_pages, MEMLOCK_PAGES);
			ASSERT_ERRNO(pm_pin(fd, p, ps, PINMGR_PIN_LONGTERM, 0,
					    NULL), EDQUOT);
			_exit(0);
		}
		ASSERT_EQ(pm_wait(pid), 0);
		close(dbuf);
		pm_vmstat_refresh();
		ASSERT_EQ(pm_outstanding_pins() - base, 0);
	}
	close(sv[0]);
	close(sv[1]);
}

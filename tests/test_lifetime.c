// SPDX-License-Identifier: GPL-2.0-only
/*
 * How long leases live: until the context's file is released, whoever holds
 * it; and who may use a context: PIN and UNPIN only from the mm it was
 * opened in, QUERY and LIST from anywhere the file goes.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "harness.h"

#define MiB	(1UL << 20)

/* ---- Helpers --------------------------------------------------------- */

static void sync_send(int fd)
{
	ASSERT_EQ(write(fd, "x", 1), 1);
}

static void sync_wait(int fd)
{
	char c;

	ASSERT_EQ(read(fd, &c, 1), 1);
}

static void assert_device_empty(void)
{
	struct pinmgr_info info;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.device_leases, 0);
	ASSERT_EQ(info.device_pinned_pages, 0);
	close(fd);
}

/*
 * In a process that is not the context's owner: PIN and UNPIN are refused,
 * looking is allowed.
 */
static void check_not_owner(int fd, __u64 h, size_t npages, pid_t owner)
{
	size_t ps = pm_page_size();
	char *mine = pm_map_anon(ps);
	struct pinmgr_info info;
	struct pinmgr_query q;
	struct pinmgr_list l;
	__u64 handles[4];

	ASSERT_NE(mine, NULL);
	ASSERT_ERRNO(pm_pin(fd, mine, ps, 0, 0, NULL), EPERM);
	ASSERT_ERRNO(pm_pin(fd, mine, ps,
			    PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM, 0, NULL),
		     EPERM);
	ASSERT_ERRNO(pm_unpin(fd, h), EPERM);
	ASSERT_EQ(pm_query(fd, h, &q), 0);
	ASSERT_EQ(q.out_nr_pages, npages);
	ASSERT_EQ(q.out_state, PINMGR_LEASE_ACTIVE);
	if (owner)
		ASSERT_EQ(q.out_owner_tgid, (__u32)owner);
	ASSERT_EQ(pm_list(fd, handles, 4, &l), 0);
	ASSERT_EQ(l.out_total, 1);
	ASSERT_EQ(handles[0], h);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.out_flags & PINMGR_INFO_OWNER_MM, 0);
	ASSERT_EQ(info.ctx_leases, 1);
	ASSERT_EQ(info.ctx_pinned_pages, npages);
	/* Reported for the context's mm, not ours. */
	ASSERT_EQ(info.mm_pinned_pages, npages);
	/* Our own mm has nothing pinned. */
	ASSERT_EQ(pm_vmpin_kb(), 0);
	pm_unmap(mine, ps);
}

/* ---- Release --------------------------------------------------------- */

TEST(close_releases_every_lease)
{
	size_t ps = pm_page_size();
	char *a = pm_map_anon(ps), *b = pm_map_anon(16 * ps);
	char *c = pm_map_anon(MiB);
	long long base;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(a, NULL);
	ASSERT_NE(b, NULL);
	ASSERT_NE(c, NULL);
	base = pm_outstanding_pins();
	PIN_OK(fd, a, ps, 0);
	PIN_OK(fd, b, 16 * ps, PINMGR_PIN_WRITE);
	PIN_OK(fd, c, MiB, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM);
	ASSERT_EQ(pm_outstanding_pins() - base,
		  (long long)(17 + MiB / ps));
	ASSERT_EQ(close(fd), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	assert_device_empty();
	pm_unmap(a, ps);
	pm_unmap(b, 16 * ps);
	pm_unmap(c, MiB);
}

TEST(exit_without_close_releases)
{
	long long base = pm_outstanding_pins();
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char *p = pm_map_anon(MiB);
		int fd = pm_open();

		ASSERT_GE(fd, 0);
		ASSERT_NE(p, NULL);
		PIN_OK(fd, p, MiB, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM);
		PIN_OK(fd, p, MiB, 0);
		ASSERT_EQ(pm_outstanding_pins() - base,
			  (long long)(2 * MiB / pm_page_size()));
		_exit(0);	/* no close, no munmap */
	}
	ASSERT_EQ(pm_wait(pid), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	assert_device_empty();
}

TEST(killed_owner_releases)
{
	long long base = pm_outstanding_pins();
	int sync[2];
	pid_t pid;

	ASSERT_EQ(pipe(sync), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char *p = pm_map_anon(MiB);
		int fd = pm_open();

		ASSERT_GE(fd, 0);
		ASSERT_NE(p, NULL);
		PIN_OK(fd, p, MiB, PINMGR_PIN_LONGTERM);
		sync_send(sync[1]);
		pause();
		_exit(0);
	}
	sync_wait(sync[0]);
	ASSERT_EQ(pm_outstanding_pins() - base,
		  (long long)(MiB / pm_page_size()));
	ASSERT_EQ(kill(pid, SIGKILL), 0);
	ASSERT_EQ(pm_wait(pid), 128 + SIGKILL);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	assert_device_empty();
	close(sync[0]);
	close(sync[1]);
}

/* ---- Who may use a context ------------------------------------------- */

TEST(fork_child_cannot_pin_or_unpin)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(4 * ps);
	struct pinmgr_query q;
	long long base;
	pid_t pid, parent = getpid();
	__u64 h;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	base = pm_outstanding_pins();
	h = PIN_OK(fd, p, 4 * ps, PINMGR_PIN_WRITE);

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		check_not_owner(fd, h, 4, parent);
		/* Even the inherited copy of the pinned range. */
		ASSERT_ERRNO(pm_pin(fd, p, 4 * ps, 0, 0, NULL), EPERM);
		close(fd);
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);

	/* The parent's lease is intact. */
	ASSERT_EQ(pm_query(fd, h, &q), 0);
	ASSERT_EQ(q.out_nr_pages, 4);
	ASSERT_EQ(pm_outstanding_pins() - base, 4);
	ASSERT_EQ(pm_vmpin_kb(), (long long)(4 * ps / 1024));
	ASSERT_EQ(pm_unpin(fd, h), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	close(fd);
	pm_unmap(p, 4 * ps);
}

/* A forked child opening the device gets a context of its own mm. */
TEST(fork_child_own_context)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(8 * ps);
	struct pinmgr_info info;
	long long base;
	pid_t pid;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	base = pm_outstanding_pins();
	PIN_OK(fd, p, 2 * ps, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int cfd = pm_open();

		ASSERT_GE(cfd, 0);
		PIN_OK(cfd, p, 3 * ps, PINMGR_PIN_WRITE);
		ASSERT_EQ(pm_get_info(cfd, &info), 0);
		ASSERT_EQ(info.out_flags & PINMGR_INFO_OWNER_MM,
			  PINMGR_INFO_OWNER_MM);
		ASSERT_EQ(info.mm_pinned_pages, 3);
		ASSERT_EQ(info.ctx_pinned_pages, 3);
		ASSERT_EQ(info.device_leases, 2);
		ASSERT_EQ(info.device_pinned_pages, 5);
		ASSERT_EQ(pm_vmpin_kb(), (long long)(3 * ps / 1024));
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.mm_pinned_pages, 2);
	ASSERT_EQ(info.device_leases, 1);
	ASSERT_EQ(info.device_pinned_pages, 2);
	ASSERT_EQ(pm_outstanding_pins() - base, 2);
	ASSERT_EQ(pm_vmpin_kb(), (long long)(2 * ps / 1024));
	close(fd);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	pm_unmap(p, 8 * ps);
}

TEST(scm_rights_receiver_cannot_pin)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(2 * ps);
	struct pinmgr_query q;
	int sv[2], fd;
	pid_t pid, parent = getpid();
	long long base;
	__u64 h;

	ASSERT_NE(p, NULL);
	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	/* The child exists before the file does: it can only receive it. */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		__u64 hh;
		int rfd;

		close(sv[0]);
		rfd = pm_recv_fd(sv[1], &hh);
		ASSERT_GE(rfd, 0);
		check_not_owner(rfd, hh, 2, parent);
		close(rfd);
		sync_send(sv[1]);
		_exit(0);
	}
	close(sv[1]);
	fd = pm_open();
	ASSERT_GE(fd, 0);
	base = pm_outstanding_pins();
	h = PIN_OK(fd, p, 2 * ps, 0);
	ASSERT_EQ(pm_send_fd(sv[0], fd, h), 0);
	sync_wait(sv[0]);
	ASSERT_EQ(pm_wait(pid), 0);
	ASSERT_EQ(pm_query(fd, h, &q), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 2);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	close(fd);
	close(sv[0]);
	pm_unmap(p, 2 * ps);
}

/* A dup()ed descriptor is the same context. */
TEST(dup_shares_context)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(ps);
	struct pinmgr_query q;
	long long base;
	__u64 h;
	int fd = pm_open(), fd2;

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	base = pm_outstanding_pins();
	h = PIN_OK(fd, p, ps, 0);
	fd2 = dup(fd);
	ASSERT_GE(fd2, 0);
	ASSERT_EQ(pm_query(fd2, h, &q), 0);
	ASSERT_EQ(close(fd), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 1);
	ASSERT_EQ(pm_unpin(fd2, h), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	close(fd2);
	pm_unmap(p, ps);
}

/* ---- Leases outlive descriptors and owners ---------------------------- */

TEST(leases_live_while_file_referenced)
{
	size_t ps = pm_page_size(), n = 16;
	char *p = pm_map_anon(n * ps);
	struct pinmgr_info info;
	int go[2], done[2], fd = pm_open();
	long long base;
	pid_t pid;

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	ASSERT_EQ(pipe(go), 0);
	ASSERT_EQ(pipe(done), 0);
	base = pm_outstanding_pins();
	PIN_OK(fd, p, n * ps, PINMGR_PIN_WRITE);
	PIN_OK(fd, p, ps, 0);

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* Keep the inherited descriptor until told. */
		sync_wait(go[0]);
		close(fd);
		sync_send(done[1]);
		sync_wait(go[0]);
		_exit(0);
	}
	ASSERT_EQ(close(fd), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)(n + 1));
	ASSERT_EQ(pm_vmpin_kb(), (long long)((n + 1) * ps / 1024));
	fd = pm_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.device_leases, 2);
	ASSERT_EQ(info.device_pinned_pages, n + 1);
	close(fd);

	/* The child's close is the last: that ends the leases. */
	sync_send(go[1]);
	sync_wait(done[0]);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	assert_device_empty();
	sync_send(go[1]);
	ASSERT_EQ(pm_wait(pid), 0);
	close(go[0]);
	close(go[1]);
	close(done[0]);
	close(done[1]);
	pm_unmap(p, n * ps);
}

/*
 * The owner exits while another process holds its context: the pages stay
 * pinned, and charged to the pinner's user (not to an mm that no longer
 * runs), until that process closes the file. The lease shows no pid any
 * more: the number may be another process's by now.
 */
TEST(owner_exits_file_held_elsewhere)
{
	size_t npages = MiB / pm_page_size();
	struct pinmgr_info info;
	long long base = pm_outstanding_pins();
	__u64 h, user;
	int sv[2], fd;
	pid_t pid;

	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char *p = pm_map_anon(MiB);
		int ofd = pm_open();
		__u64 oh;

		ASSERT_GE(ofd, 0);
		ASSERT_NE(p, NULL);
		oh = PIN_OK(ofd, p, MiB, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM);
		ASSERT_EQ(pm_send_fd(sv[1], ofd, oh), 0);
		_exit(0);	/* the owner goes away, mm and all */
	}
	fd = pm_recv_fd(sv[0], &h);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(pm_wait(pid), 0);

	ASSERT_EQ(pm_outstanding_pins() - base, (long long)npages);
	check_not_owner(fd, h, npages, 0);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.device_pinned_pages, npages);
	/* Root's user, which we are too. */
	ASSERT_GE(info.user_pinned_pages, npages);
	user = info.user_pinned_pages;
	{
		struct pinmgr_query q;

		ASSERT_EQ(pm_query(fd, h, &q), 0);
		ASSERT_EQ(q.out_owner_tgid, 0);
	}

	/* The last reference goes: unpin, uncharge the user, drop the mm. */
	ASSERT_EQ(close(fd), 0);
	fd = pm_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.user_pinned_pages, user - npages);
	close(fd);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	assert_device_empty();
	close(sv[0]);
	close(sv[1]);
}

/* ---- Concurrency ----------------------------------------------------- */

struct churn {
	int fd;
	char *addr;
	size_t len;
	unsigned int iterations;
	int failed_at;
	int err;
};

static void *churn_fn(void *arg)
{
	struct churn *c = arg;
	struct pinmgr_pin pin;
	unsigned int i;

	for (i = 0; i < c->iterations; i++) {
		if (pm_pin(c->fd, c->addr, c->len, i % 4, i, &pin) ||
		    pm_unpin(c->fd, pin.out_handle)) {
			c->err = errno;
			c->failed_at = i;
			return NULL;
		}
	}
	c->failed_at = -1;
	return NULL;
}

TEST_TIMEOUT(threads_pin_unpin_same_fd, 180)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(8 * ps);
	struct churn c[2];
	pthread_t th[2];
	struct pinmgr_info info;
	long long base;
	unsigned int i;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	base = pm_outstanding_pins();
	for (i = 0; i < 2; i++) {
		c[i] = (struct churn){
			.fd = fd, .addr = p + i * 4 * ps, .len = 4 * ps,
			.iterations = 500,
		};
		ASSERT_EQ(pthread_create(&th[i], NULL, churn_fn, &c[i]), 0);
	}
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(pthread_join(th[i], NULL), 0);
		if (c[i].failed_at >= 0)
			FAIL("thread %u failed at iteration %d: %s", i,
			     c[i].failed_at, strerror(c[i].err));
	}
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.ctx_leases, 0);
	ASSERT_EQ(info.ctx_pinned_pages, 0);
	ASSERT_EQ(info.mm_pinned_pages, 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	close(fd);
	pm_unmap(p, 8 * ps);
}

struct looker {
	int fd;
	atomic_int stop;
	unsigned long queries, lists;
	int bad;
};

/* LIST and QUERY while leases come and go: ENOENT is the only failure. */
static void *looker_fn(void *arg)
{
	struct looker *lk = arg;
	struct pinmgr_query q;
	struct pinmgr_list l;
	__u64 handles[8];
	__u32 i;

	while (!atomic_load(&lk->stop)) {
		if (pm_list(lk->fd, handles, 8, &l)) {
			lk->bad = errno;
			return NULL;
		}
		lk->lists++;
		for (i = 0; i < l.nr_handles; i++) {
			if (pm_query(lk->fd, handles[i], &q)) {
				if (errno != ENOENT) {
					lk->bad = errno;
					return NULL;
				}
				continue;
			}
			if (q.out_state != PINMGR_LEASE_ACTIVE ||
			    q.out_nr_pages != 4 || q.handle != handles[i]) {
				lk->bad = -1;
				return NULL;
			}
			lk->queries++;
		}
	}
	return NULL;
}

TEST_TIMEOUT(threads_query_list_during_churn, 180)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(8 * ps);
	struct looker lk = { 0 };
	struct churn c[2];
	pthread_t th[2], lt;
	long long base;
	unsigned int i;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	base = pm_outstanding_pins();
	lk.fd = fd;
	ASSERT_EQ(pthread_create(&lt, NULL, looker_fn, &lk), 0);
	for (i = 0; i < 2; i++) {
		c[i] = (struct churn){
			.fd = fd, .addr = p + i * 4 * ps, .len = 4 * ps,
			.iterations = 300,
		};
		ASSERT_EQ(pthread_create(&th[i], NULL, churn_fn, &c[i]), 0);
	}
	for (i = 0; i < 2; i++)
		ASSERT_EQ(pthread_join(th[i], NULL), 0);
	atomic_store(&lk.stop, 1);
	ASSERT_EQ(pthread_join(lt, NULL), 0);
	for (i = 0; i < 2; i++)
		if (c[i].failed_at >= 0)
			FAIL("thread %u failed at iteration %d: %s", i,
			     c[i].failed_at, strerror(c[i].err));
	if (lk.bad)
		FAIL("LIST/QUERY thread: %s", lk.bad > 0 ? strerror(lk.bad) :
		     "inconsistent QUERY reply");
	ASSERT_GT(lk.lists, 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	close(fd);
	pm_unmap(p, 8 * ps);
}

struct closer_victim {
	int fd;
	char *addr;
	size_t len;
	atomic_int started;
	unsigned long pins;
	int err;
};

static void *pin_until_error_fn(void *arg)
{
	struct closer_victim *v = arg;
	struct pinmgr_pin pin;

	for (;;) {
		if (pm_pin(v->fd, v->addr, v->len, 0, 0, &pin))
			break;
		v->pins++;
		atomic_store(&v->started, 1);
		/* Leave every other lease for release to clean up. */
		if (v->pins & 1)
			pm_unpin(v->fd, pin.out_handle);
	}
	v->err = errno;
	return NULL;
}

/* Closing the descriptor while another thread pins through it. */
TEST(close_while_other_thread_pins)
{
	size_t ps = pm_page_size();
	struct closer_victim v = { 0 };
	long long base;
	pthread_t th;

	v.len = 64 * ps;
	v.addr = pm_map_anon(v.len);
	ASSERT_NE(v.addr, NULL);
	/* No limit may stop the loop before the close does. */
	ASSERT_EQ(pm_param_write("max_leases", 0), 0);
	ASSERT_EQ(pm_param_write("max_device_pages", 0), 0);
	v.fd = pm_open();
	ASSERT_GE(v.fd, 0);
	base = pm_outstanding_pins();
	ASSERT_EQ(pthread_create(&th, NULL, pin_until_error_fn, &v), 0);
	while (!atomic_load(&v.started))
		pm_msleep(1);
	pm_msleep(50);
	ASSERT_EQ(close(v.fd), 0);
	ASSERT_EQ(pthread_join(th, NULL), 0);
	ASSERT_EQ(v.err, EBADF);
	ASSERT_GT(v.pins, 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	assert_device_empty();
	pm_unmap(v.addr, v.len);
}

/* SIGKILL lands while a child pins (and unpins) a large range in a loop. */
TEST_TIMEOUT(sigkill_while_pinning, 300)
{
	size_t len = 512 * MiB;
	long long base;
	int sync[2];
	pid_t pid;

	/* 512 MiB may exceed the default device limit (half of RAM). */
	ASSERT_EQ(pm_param_write("max_device_pages", 0), 0);
	ASSERT_EQ(pipe(sync), 0);
	base = pm_outstanding_pins();
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char *p = pm_map_thp(len);
		struct pinmgr_pin pin;
		unsigned int i;
		int fd = pm_open();

		ASSERT_GE(fd, 0);
		ASSERT_NE(p, NULL);
		for (i = 0;; i++) {
			ASSERT_EQ(pm_pin(fd, p, len, i & 1 ?
					 PINMGR_PIN_LONGTERM : PINMGR_PIN_WRITE,
					 0, &pin), 0);
			if (i == 0)
				sync_send(sync[1]);
			ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
		}
	}
	sync_wait(sync[0]);
	/* Let it get into the next pin. */
	pm_msleep(200);
	ASSERT_EQ(kill(pid, SIGKILL), 0);
	ASSERT_EQ(pm_wait(pid), 128 + SIGKILL);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	assert_device_empty();
	close(sync[0]);
	close(sync[1]);
}

/* ---- Module lifetime ------------------------------------------------- */

TEST(rmmod_refused_while_open)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(ps);
	struct pinmgr_query q;
	long r;
	__u64 h;
	int fd = pm_open(), err;

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	if (geteuid() != 0)
		SKIP("delete_module needs root");
	h = PIN_OK(fd, p, ps, 0);
	r = syscall(SYS_delete_module, "pinmgr", O_NONBLOCK);
	err = errno;
	if (r == 0)
		FAIL("delete_module(\"pinmgr\") succeeded with %s open: the module is gone",
		     PINMGR_DEVICE_PATH);
	ASSERT_EQ(r, -1);
	if (err != EBUSY && err != EAGAIN)
		FAIL("delete_module expected EBUSY or EAGAIN got %s",
		     strerror(err));
	/* Nothing happened to the open context. */
	ASSERT_EQ(pm_query(fd, h, &q), 0);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	close(fd);
	pm_unmap(p, ps);
}

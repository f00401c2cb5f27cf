// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stress: pinning, unpinning, looking, closing and reopening fds, forking
 * (children pin on their own fds and exit without closing, or are killed),
 * threads that pin and exit, all against each other for a bounded time
 * (PINMGR_STRESS_SECS, default 20 s). Every call must end as the ABI says
 * for what may have happened concurrently, and at the end nothing may be
 * left pinned, charged or leased.
 *
 * And two kill tests: SIGKILL in the middle of one PIN of 1 GiB (262144
 * small pages) and processes that die, by SIGKILL or by exiting from one of
 * their threads, while their other threads pin and unpin.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "harness.h"

#define MiB		(1UL << 20)
#define GiB		(1UL << 30)
#define ST_MAX_SECS	900

static double st_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned int st_secs(void)
{
	const char *v = getenv("PINMGR_STRESS_SECS");
	long s = v && *v ? strtol(v, NULL, 0) : 20;

	if (s < 1)
		s = 1;
	if (s > ST_MAX_SECS)
		s = ST_MAX_SECS;
	return (unsigned int)s;
}

static void st_device_empty(void)
{
	struct pinmgr_info info;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.device_leases, 0);
	ASSERT_EQ(info.device_pinned_pages, 0);
	close(fd);
}

static long long st_meminfo_kb(const char *key)
{
	char line[256];
	long long v = -1;
	size_t klen = strlen(key);
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

/* ---- Everything against everything ------------------------------------- */

#define ST_FIXED	2		/* fds never closed during the run */
#define ST_RECYC	2		/* fds closed and reopened all the time */
#define ST_SLOTS	(ST_FIXED + ST_RECYC)
#define ST_POOL		256
#define ST_REGION	(8 * MiB)

struct st_entry {
	int slot;
	__u64 handle;
};

struct st_shared {
	int fixed[ST_FIXED];
	atomic_int recyc[ST_RECYC];
	char *region;
	size_t ps;
	atomic_int stop;

	pthread_mutex_t lock;
	struct st_entry pool[ST_POOL];
	unsigned int npool;

	atomic_ulong pins, unpins, looks, closes, forks, kills, threads;
	atomic_ulong ebadf, enoent, dontneed;
};

static struct st_shared st;

#define st_fail(...)	FAIL(__VA_ARGS__)

static int st_fd(int slot)
{
	return slot < ST_FIXED ? st.fixed[slot] :
				 atomic_load(&st.recyc[slot - ST_FIXED]);
}

/*
 * What a call on @slot may fail with: nothing on a fixed fd beyond @ok1/@ok2;
 * on a recycled one also EBADF (closed meanwhile) and ENOENT (the number
 * now names a newer file).
 */
static void st_result(const char *what, int slot, int ret, int err, int ok1,
		      int ok2)
{
	if (!ret)
		return;
	if (ret == -1 && ((ok1 && err == ok1) || (ok2 && err == ok2))) {
		if (err == ENOENT)
			atomic_fetch_add(&st.enoent, 1);
		return;
	}
	if (ret == -1 && slot >= ST_FIXED && (err == EBADF || err == ENOENT)) {
		atomic_fetch_add(err == EBADF ? &st.ebadf : &st.enoent, 1);
		return;
	}
	st_fail("%s on %s fd slot %d: %d/%s", what,
		slot < ST_FIXED ? "fixed" : "recycled", slot, ret,
		strerrorname_np(err) ?: "?");
}

static void st_pool_put(int slot, __u64 h)
{
	struct st_entry victim = { .slot = -1 };
	int ret;

	pthread_mutex_lock(&st.lock);
	if (st.npool == ST_POOL) {
		victim = st.pool[0];
		st.pool[0] = st.pool[--st.npool];
	}
	st.pool[st.npool].slot = slot;
	st.pool[st.npool].handle = h;
	st.npool++;
	pthread_mutex_unlock(&st.lock);
	if (victim.slot >= 0) {
		errno = 0;
		ret = pm_unpin(st_fd(victim.slot), victim.handle);
		st_result("UNPIN", victim.slot, ret, errno, 0, 0);
		atomic_fetch_add(&st.unpins, 1);
	}
}

static int st_pool_take(unsigned int r, struct st_entry *e)
{
	int found = 0;

	pthread_mutex_lock(&st.lock);
	if (st.npool) {
		r %= st.npool;
		*e = st.pool[r];
		st.pool[r] = st.pool[--st.npool];
		found = 1;
	}
	pthread_mutex_unlock(&st.lock);
	return found;
}

static int st_pool_peek(unsigned int r, struct st_entry *e)
{
	int found = 0;

	pthread_mutex_lock(&st.lock);
	if (st.npool) {
		*e = st.pool[r % st.npool];
		found = 1;
	}
	pthread_mutex_unlock(&st.lock);
	return found;
}

static void st_pin_one(unsigned int *seed)
{
	int slot = rand_r(seed) % ST_SLOTS, ret, err;
	size_t npages = 1 + rand_r(seed) % 64;
	size_t first = rand_r(seed) % (ST_REGION / st.ps - npages);
	struct pinmgr_pin pin;

	errno = 0;
	ret = pm_pin(st_fd(slot), st.region + first * st.ps, npages * st.ps,
		     rand_r(seed) % 4, 0, &pin);
	err = errno;
	st_result("PIN", slot, ret, err, 0, 0);
	if (ret)
		return;
	if (!pin.out_handle || pin.out_nr_pages != npages)
		st_fail("PIN returned handle %llu with %llu pages for %zu",
			(unsigned long long)pin.out_handle,
			(unsigned long long)pin.out_nr_pages, npages);
	atomic_fetch_add(&st.pins, 1);
	st_pool_put(slot, pin.out_handle);
}

static void st_unpin_one(unsigned int *seed)
{
	struct st_entry e;
	int ret;

	if (!st_pool_take(rand_r(seed), &e))
		return;
	errno = 0;
	ret = pm_unpin(st_fd(e.slot), e.handle);
	/* Each pool entry is taken once: on a fixed fd it must still exist. */
	st_result("UNPIN", e.slot, ret, errno, 0, 0);
	atomic_fetch_add(&st.unpins, 1);
}

static void st_look_one(unsigned int *seed)
{
	struct pinmgr_query q;
	struct pinmgr_list l;
	struct pinmgr_info info;
	struct st_entry e;
	__u64 handles[64];
	int slot, ret, err;

	atomic_fetch_add(&st.looks, 1);
	switch (rand_r(seed) % 3) {
	case 0:
		if (!st_pool_peek(rand_r(seed), &e))
			return;
		errno = 0;
		ret = pm_query(st_fd(e.slot), e.handle, &q);
		err = errno;
		/* Another thread may have taken and unpinned it. */
		st_result("QUERY", e.slot, ret, err, ENOENT, 0);
		if (!ret && (q.out_state != PINMGR_LEASE_ACTIVE ||
			     !q.out_nr_pages || q.out_nr_pages > 64))
			st_fail("QUERY: state %u, %llu pages", q.out_state,
				(unsigned long long)q.out_nr_pages);
		return;
	case 1:
		slot = rand_r(seed) % ST_SLOTS;
		errno = 0;
		ret = pm_list(st_fd(slot), handles, 64, &l);
		st_result("LIST", slot, ret, errno, 0, 0);
		return;
	default:
		slot = rand_r(seed) % ST_SLOTS;
		errno = 0;
		ret = pm_get_info(st_fd(slot), &info);
		st_result("GET_INFO", slot, ret, errno, 0, 0);
		if (!ret && info.abi_version != PINMGR_ABI_VERSION)
			st_fail("GET_INFO abi_version %u", info.abi_version);
	}
}

static void *st_pinner_fn(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg * 7919 + 1, r;

	while (!atomic_load(&st.stop)) {
		r = rand_r(&seed) % 100;
		if (r < 55)
			st_pin_one(&seed);
		else if (r < 85)
			st_unpin_one(&seed);
		else if (r < 99)
			st_look_one(&seed);
		else {
			/* Pinned pages stay pinned; new faults get new ones. */
			size_t off = rand_r(&seed) % (ST_REGION / st.ps - 64);

			if (madvise(st.region + off * st.ps, 64 * st.ps,
				    MADV_DONTNEED))
				st_fail("madvise: %s", strerror(errno));
			atomic_fetch_add(&st.dontneed, 1);
		}
	}
	return NULL;
}

/* Close and reopen the recycled fds, each time with leases on them. */
static void *st_closer_fn(void *arg)
{
	unsigned int seed = 4242, i, n;
	int slot, fd, old;

	(void)arg;
	while (!atomic_load(&st.stop)) {
		slot = rand_r(&seed) % ST_RECYC;
		fd = pm_open();
		if (fd < 0)
			st_fail("open: %s", strerror(errno));
		n = rand_r(&seed) % 4;
		for (i = 0; i < n; i++)
			PIN_OK(fd, st.region + (rand_r(&seed) % 1024) * st.ps,
			       st.ps * (1 + rand_r(&seed) % 16),
			       rand_r(&seed) % 4);
		old = atomic_exchange(&st.recyc[slot], fd);
		/* Another thread may be in an ioctl on it right now. */
		if (close(old))
			st_fail("close: %s", strerror(errno));
		atomic_fetch_add(&st.closes, 1);
		pm_msleep(rand_r(&seed) % 5);
	}
	return NULL;
}

/* A forked child: its own context, the parent's fds are no use to it. */
static __attribute__((noreturn)) void st_child(unsigned int seed, int wait)
{
	struct pinmgr_pin pin;
	struct pinmgr_query q;
	unsigned int i, n = 1 + rand_r(&seed) % 3;
	struct st_entry e;
	int fd = pm_open();

	if (fd < 0)
		_exit(20);
	for (i = 0; i < n; i++) {
		size_t npages = 1 + rand_r(&seed) % 32;

		/* Write pins break copy-on-write sharing with the parent. */
		if (pm_pin(fd, st.region + (rand_r(&seed) % 1024) * st.ps,
			   npages * st.ps, rand_r(&seed) % 4, 0, &pin) ||
		    !pin.out_handle)
			_exit(21);
	}
	if (pm_pin(st.fixed[rand_r(&seed) % ST_FIXED], st.region, st.ps, 0, 0,
		   NULL) != -1 || errno != EPERM)
		_exit(22);
	/* A snapshot of the pool, read without its lock (it may be torn). */
	if (st.npool) {
		e = st.pool[rand_r(&seed) % ST_POOL];
		if (e.slot >= 0 && e.slot < ST_FIXED &&
		    pm_query(st.fixed[e.slot], e.handle, &q) &&
		    errno != ENOENT)
			_exit(23);
		if (e.slot >= 0 && e.slot < ST_FIXED &&
		    (pm_unpin(st.fixed[e.slot], e.handle) != -1 ||
		     errno != EPERM))
			_exit(24);
	}
	if (wait)
		for (;;)
			pause();
	/* Exit with everything open and pinned. */
	_exit(0);
}

static void *st_forker_fn(void *arg)
{
	unsigned int seed = 777, mode;
	pid_t pid;
	int st_;

	(void)arg;
	while (!atomic_load(&st.stop)) {
		mode = rand_r(&seed) % 3;
		pid = fork();
		if (pid < 0)
			st_fail("fork: %s", strerror(errno));
		if (pid == 0)
			st_child(rand_r(&seed), mode == 2);
		atomic_fetch_add(&st.forks, 1);
		if (mode) {
			/* Kill it whatever it is doing, or once it waits. */
			pm_msleep(rand_r(&seed) % 20);
			kill(pid, SIGKILL);
			atomic_fetch_add(&st.kills, 1);
		}
		st_ = pm_wait(pid);
		if (st_ != 0 && !(mode && st_ == 128 + SIGKILL))
			st_fail("forked child (mode %u) ended with status %d (20 open, 21 own PIN, 22 PIN through the parent's fd, 23 QUERY, 24 UNPIN)",
				mode, st_);
	}
	return NULL;
}

static void *st_short_fn(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;

	/* Pin and leave: the lease belongs to the fd, not the thread. */
	st_pin_one(&seed);
	if (rand_r(&seed) % 2)
		st_unpin_one(&seed);
	atomic_fetch_add(&st.threads, 1);
	return NULL;
}

static void *st_exiter_fn(void *arg)
{
	uintptr_t n = 1;
	pthread_t t;

	(void)arg;
	while (!atomic_load(&st.stop)) {
		if (pthread_create(&t, NULL, st_short_fn, (void *)(n++ * 31)))
			st_fail("pthread_create: %s", strerror(errno));
		if (pthread_join(t, NULL))
			st_fail("pthread_join");
	}
	return NULL;
}

TEST_TIMEOUT(stress_pin_unpin_close_fork_exit, ST_MAX_SECS + 300)
{
	unsigned int secs = st_secs(), i;
	pthread_t pinners[3], closer, forker, exiter;
	struct st_entry e;
	long long base;
	double t0;
	int ret;

	st.ps = pm_page_size();
	st.region = pm_map_anon(ST_REGION);
	ASSERT_NE(st.region, NULL);
	ASSERT_EQ(pthread_mutex_init(&st.lock, NULL), 0);
	for (i = 0; i < ST_FIXED; i++) {
		st.fixed[i] = pm_open();
		ASSERT_GE(st.fixed[i], 0);
	}
	for (i = 0; i < ST_RECYC; i++) {
		ret = pm_open();
		ASSERT_GE(ret, 0);
		atomic_store(&st.recyc[i], ret);
	}
	base = pm_outstanding_pins();
	pm_diag("stress for %u s (PINMGR_STRESS_SECS)", secs);

	t0 = st_now();
	for (i = 0; i < 3; i++)
		ASSERT_EQ(pthread_create(&pinners[i], NULL, st_pinner_fn,
					 (void *)(uintptr_t)i), 0);
	ASSERT_EQ(pthread_create(&closer, NULL, st_closer_fn, NULL), 0);
	ASSERT_EQ(pthread_create(&forker, NULL, st_forker_fn, NULL), 0);
	ASSERT_EQ(pthread_create(&exiter, NULL, st_exiter_fn, NULL), 0);
	while (st_now() - t0 < secs)
		pm_msleep(100);
	atomic_store(&st.stop, 1);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(pthread_join(pinners[i], NULL), 0);
	ASSERT_EQ(pthread_join(closer, NULL), 0);
	ASSERT_EQ(pthread_join(forker, NULL), 0);
	ASSERT_EQ(pthread_join(exiter, NULL), 0);

	pm_diag("%.0f s: %lu pins, %lu unpins, %lu looks, %lu fd closes, %lu forks (%lu killed), %lu short-lived threads, %lu MADV_DONTNEED",
		st_now() - t0, atomic_load(&st.pins), atomic_load(&st.unpins),
		atomic_load(&st.looks), atomic_load(&st.closes),
		atomic_load(&st.forks), atomic_load(&st.kills),
		atomic_load(&st.threads), atomic_load(&st.dontneed));
	pm_diag("tolerated on recycled fds: %lu EBADF, %lu ENOENT",
		atomic_load(&st.ebadf), atomic_load(&st.enoent));
	ASSERT_GT(atomic_load(&st.pins), 0);
	ASSERT_GT(atomic_load(&st.closes), 0);
	ASSERT_GT(atomic_load(&st.forks), 0);

	/* What is left on the fixed fds must all still be there. */
	while (st_pool_take(0, &e)) {
		errno = 0;
		ret = pm_unpin(st_fd(e.slot), e.handle);
		st_result("final UNPIN", e.slot, ret, errno, 0, 0);
	}
	for (i = 0; i < ST_FIXED; i++) {
		struct pinmgr_info info;

		ASSERT_EQ(pm_get_info(st.fixed[i], &info), 0);
		ASSERT_EQ(info.ctx_leases, 0);
		ASSERT_EQ(info.ctx_pinned_pages, 0);
		ASSERT_EQ(close(st.fixed[i]), 0);
	}
	for (i = 0; i < ST_RECYC; i++)
		ASSERT_EQ(close(atomic_load(&st.recyc[i])), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	st_device_empty();
	pm_unmap(st.region, ST_REGION);
}

/* ---- SIGKILL in the middle of one 1 GiB PIN ---------------------------- */

TEST_TIMEOUT(stress_kill_mid_1g_pin, 1200)
{
	size_t ps = pm_page_size(), len = GiB, npages;
	long long avail = st_meminfo_kb("MemAvailable:"), base, seen = 0;
	unsigned int attempt;
	int partial = 0;

	ASSERT_GT(avail, 0);
	/* The child's 1 GiB plus room for everything else. */
	if ((unsigned long long)avail * 1024 < len + 384 * MiB) {
		len = ((unsigned long long)avail * 1024 - 384 * MiB) &
		      ~(64 * MiB - 1);
		if ((long long)len < (long long)(128 * MiB))
			SKIP("only %lld kB available", avail);
		pm_diag("MemAvailable %lld kB: pinning %zu MiB instead of 1 GiB",
			avail, len / MiB);
	}
	npages = len / ps;
	/* 1 GiB may be more than the default device limit (half of RAM). */
	ASSERT_EQ(pm_param_write("max_device_pages", 0), 0);
	base = pm_outstanding_pins();

	for (attempt = 1; attempt <= 3 && !partial; attempt++) {
		double t0, deadline;
		char c = 0;
		int sync[2], st_;
		pid_t pid;

		ASSERT_EQ(pipe2(sync, O_CLOEXEC), 0);
		pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0) {
			/* Small pages: 262144 of them for 1 GiB. */
			char *p = pm_map_small_pages(len);
			struct pinmgr_pin pin;
			size_t off;
			int fd = pm_open();

			ASSERT_GE(fd, 0);
			for (off = 0; off < len; off += ps)
				p[off] = (char)off;
			ASSERT_EQ(write(sync[1], "s", 1), 1);
			ASSERT_EQ(pm_pin(fd, p, len, PINMGR_PIN_LONGTERM |
					 (attempt & 1 ? 0 : PINMGR_PIN_WRITE),
					 0, &pin), 0);
			ASSERT_EQ(write(sync[1], "d", 1), 1);
			for (;;)
				pause();
		}
		close(sync[1]);
		ASSERT_EQ(read(sync[0], &c, 1), 1);
		ASSERT_EQ(c, 's');
		/* Kill as soon as the first pins show. */
		t0 = st_now();
		deadline = t0 + 300;
		for (;;) {
			seen = pm_outstanding_pins() - base;
			if (seen > 0 || st_now() > deadline)
				break;
		}
		ASSERT_EQ(kill(pid, SIGKILL), 0);
		st_ = pm_wait(pid);
		c = 0;
		ASSERT_EQ(fcntl(sync[0], F_SETFL, O_NONBLOCK), 0);
		if (read(sync[0], &c, 1) != 1)
			c = 0;
		close(sync[0]);
		if (st_ != 128 + SIGKILL)
			FAIL("the pinning child ended with status %d, not by SIGKILL",
			     st_);
		partial = seen > 0 && seen < (long long)npages && c != 'd';
		pm_diag("attempt %u: killed %.2f s into the PIN of %zu pages with %lld pinned%s",
			attempt, st_now() - t0, npages, seen,
			c == 'd' ? " (the PIN had completed)" :
			partial ? " (mid-pin)" : "");
		/* Whatever it had pinned is released; no lease is left. */
		ASSERT_EQ(pm_outstanding_pins() - base, 0);
		st_device_empty();
	}
	if (!partial)
		FAIL("could not kill the child while its PIN was under way in 3 attempts");
}

/* ---- Processes dying while their threads pin --------------------------- */

#define KD_CHILDREN	3
#define KD_THREADS	3
#define KD_REGION	(16 * MiB)

struct kd_counters {
	atomic_ulong pins, unpins, reopens;
	atomic_int started;
};

struct kd_child {
	struct kd_counters *c;
	char *region;
	atomic_int fd[2];
	unsigned int seed;
};

static void *kd_thread_fn(void *arg)
{
	struct kd_child *k = arg;
	size_t ps = pm_page_size(), npages, first;
	unsigned int seed = k->seed + (unsigned int)(uintptr_t)&seed;
	struct { int fd; __u64 h; } mine[16];
	struct pinmgr_pin pin;
	int n = 0, i, fd, old;

	for (;;) {
		switch (rand_r(&seed) % 10) {
		case 0:
			/* Close a fd with leases on it, open a new one. */
			i = rand_r(&seed) % 2;
			fd = pm_open();
			ASSERT_GE(fd, 0);
			old = atomic_exchange(&k->fd[i], fd);
			close(old);
			atomic_fetch_add(&k->c->reopens, 1);
			/* Its leases ended with it. */
			for (i = n; i-- > 0;)
				if (mine[i].fd == old)
					mine[i] = mine[--n];
			break;
		case 1:
		case 2:
		case 3:
			if (!n)
				break;
			i = rand_r(&seed) % n;
			errno = 0;
			if (pm_unpin(mine[i].fd, mine[i].h) &&
			    errno != ENOENT && errno != EBADF)
				FAIL("UNPIN: %s", strerror(errno));
			mine[i] = mine[--n];
			atomic_fetch_add(&k->c->unpins, 1);
			break;
		default:
			if (n == 16)
				break;
			npages = 1 + rand_r(&seed) % (rand_r(&seed) % 8 ?
						     64 : 1024);
			first = rand_r(&seed) % (KD_REGION / ps - npages);
			fd = atomic_load(&k->fd[rand_r(&seed) % 2]);
			errno = 0;
			if (pm_pin(fd, k->region + first * ps, npages * ps,
				   rand_r(&seed) % 4, 0, &pin)) {
				/*
				 * Only a fd closed meanwhile may fail it, or
				 * the device limit in a small VM.
				 */
				if (errno != EBADF && errno != ENOSPC)
					FAIL("PIN of %zu pages: %s", npages,
					     strerror(errno));
				break;
			}
			mine[n].fd = fd;
			mine[n].h = pin.out_handle;
			n++;
			atomic_fetch_add(&k->c->pins, 1);
			atomic_store(&k->c->started, 1);
		}
	}
	return NULL;
}

static __attribute__((noreturn)) void kd_child(struct kd_counters *c,
					       unsigned int seed, int self_exit)
{
	static struct kd_child k;
	pthread_t th[KD_THREADS];
	int i;

	k.c = c;
	k.seed = seed;
	k.region = pm_map_anon(KD_REGION);
	ASSERT_NE(k.region, NULL);
	for (i = 0; i < 2; i++) {
		int fd = pm_open();

		ASSERT_GE(fd, 0);
		atomic_store(&k.fd[i], fd);
	}
	for (i = 0; i < KD_THREADS; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, kd_thread_fn, &k), 0);
	if (self_exit) {
		/* exit_group() from here, while the threads pin. */
		pm_msleep(50 + seed % 400);
		_exit(0);
	}
	for (;;)
		pause();
}

TEST_TIMEOUT(stress_kill_during_many_pins, ST_MAX_SECS + 300)
{
	unsigned int secs = st_secs(), seed = 99, rounds = 0, i, self = 0;
	struct kd_counters *c;
	pid_t pid[KD_CHILDREN];
	int mode[KD_CHILDREN], st_;
	long long base;
	double t0, wait_until;

	c = mmap(NULL, KD_CHILDREN * sizeof(*c), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(c, MAP_FAILED);
	base = pm_outstanding_pins();
	t0 = st_now();
	while (st_now() - t0 < secs || !rounds) {
		for (i = 0; i < KD_CHILDREN; i++) {
			atomic_store(&c[i].started, 0);
			mode[i] = rand_r(&seed) % 3 == 0;
			pid[i] = fork();
			ASSERT_GE(pid[i], 0);
			if (pid[i] == 0)
				kd_child(&c[i], rand_r(&seed), mode[i]);
		}
		/* Once every child pins, kill them one after the other. */
		wait_until = st_now() + 120;
		for (i = 0; i < KD_CHILDREN; i++)
			while (!atomic_load(&c[i].started) && !mode[i] &&
			       st_now() < wait_until)
				pm_msleep(1);
		for (i = 0; i < KD_CHILDREN; i++) {
			if (!mode[i] && !atomic_load(&c[i].started))
				FAIL("child %u never pinned", i);
			pm_msleep(rand_r(&seed) % 40);
			if (!mode[i])
				kill(pid[i], SIGKILL);
		}
		for (i = 0; i < KD_CHILDREN; i++) {
			st_ = pm_wait(pid[i]);
			if (mode[i] ? st_ != 0 && st_ != 128 + SIGKILL :
				      st_ != 128 + SIGKILL)
				FAIL("child %u (%s) ended with status %d", i,
				     mode[i] ? "exits itself" : "killed", st_);
			self += mode[i];
		}
		/* Everything the dead pinned is released, at once. */
		ASSERT_EQ(pm_outstanding_pins() - base, 0);
		st_device_empty();
		rounds++;
	}
	{
		unsigned long pins = 0, unpins = 0, reopens = 0;

		for (i = 0; i < KD_CHILDREN; i++) {
			pins += atomic_load(&c[i].pins);
			unpins += atomic_load(&c[i].unpins);
			reopens += atomic_load(&c[i].reopens);
		}
		pm_diag("%u rounds of %d processes in %.0f s (%u exited by themselves): %lu pins, %lu unpins, %lu fd reopens",
			rounds, KD_CHILDREN, st_now() - t0, self, pins, unpins,
			reopens);
		ASSERT_GT(pins, 0);
	}
	ASSERT_EQ(pm_vmpin_kb(), 0);
	munmap(c, KD_CHILDREN * sizeof(*c));
}

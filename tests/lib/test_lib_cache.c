// SPDX-License-Identifier: GPL-2.0-only
/*
 * libpinctl: the registration cache against the real driver. Hits make no
 * system call; a range the application unmapped is never a hit again, even
 * where a new mapping took its address; unused leases stay within the
 * bounds, oldest first; entries in use outlive their cache.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "libtest.h"

struct cache_env {
	struct pinctl_ctx *ctx;
	struct pinctl_dev *dev;
	struct pinctl_cache *cache;
	size_t page;
};

static void env_open(struct cache_env *t, const struct pinctl_cache_opts *o)
{
	t->page = pm_page_size();
	t->ctx = lt_ctx();
	t->dev = lt_dev(t->ctx);
	lt_need_watch(t->dev);
	t->cache = NULL;
	ASSERT_RET(pinctl_cache_new(t->dev, o, &t->cache), 0);
	ASSERT_NE(t->cache, NULL);
}

static void env_close(struct cache_env *t)
{
	pinctl_cache_unref(t->cache);
	pinctl_dev_unref(t->dev);
	pinctl_unref(t->ctx);
}

static struct pinctl_cache_stats stats_of(struct pinctl_cache *cache)
{
	PINCTL_OPTS(pinctl_cache_stats, s);

	ASSERT_RET(pinctl_cache_stats(cache, &s), 0);
	return s;
}

static uint64_t dev_leases(struct pinctl_dev *dev)
{
	PINCTL_OPTS(pinctl_info, info);

	ASSERT_RET(pinctl_dev_info(dev, &info), 0);
	return info.dev_leases;
}

static const struct pinctl_cache_entry *get_ok(struct pinctl_cache *cache,
					       const void *addr, uint64_t len,
					       uint32_t flags)
{
	const struct pinctl_cache_entry *e = NULL;

	ASSERT_RET(pinctl_cache_get(cache, addr, len, flags, &e), 0);
	ASSERT_NE(e, NULL);
	ASSERT_LE(e->addr, (uintptr_t)addr);
	ASSERT_GE(e->addr + e->length, (uintptr_t)addr + len);
	ASSERT_EQ(e->flags & flags, flags);
	ASSERT_TRUE(e->flags & PINCTL_PIN_WATCH);
	return e;
}

/* ---- A hit, with ioctl(2) and mmap(2) refused ---------------------------- */

struct nosys {
	struct pinctl_cache *cache;
	const void *addr;
	uint64_t len;
	int filtered, ret;
	const struct pinctl_cache_entry *e;
};

/* In this thread only: ioctl(2), mmap(2) and read(2) fail with ENOSYS. */
static int refuse_device_calls(void)
{
#ifdef __x86_64__
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_read, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(f), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return 0;
	/* Without SECCOMP_FILTER_FLAG_TSYNC: this thread alone. */
	return !syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
#else
	return 0;
#endif
}

static void *get_without_syscalls(void *arg)
{
	struct nosys *n = arg;

	n->filtered = refuse_device_calls();
	n->ret = pinctl_cache_get(n->cache, n->addr, n->len, 0, &n->e);
	if (!n->ret)
		pinctl_cache_put(n->cache, n->e);
	return NULL;
}

TEST(lib_cache_hit_without_syscall)
{
	struct cache_env t;
	const struct pinctl_cache_entry *e, *e2;
	struct pinctl_cache_stats s;
	struct nosys n = { 0 };
	PINCTL_OPTS(pinctl_lease, l);
	pthread_t th;
	char *buf;

	env_open(&t, NULL);
	buf = pm_map_anon(8 * t.page);
	ASSERT_EQ(dev_leases(t.dev), 0);

	/* A miss: the page-aligned cover, pinned and watched. */
	e = get_ok(t.cache, buf + 100, 2 * t.page, 0);
	ASSERT_EQ(e->addr, (uintptr_t)buf);
	ASSERT_EQ(e->length, 3 * t.page);
	ASSERT_EQ(dev_leases(t.dev), 1);
	ASSERT_RET(pinctl_query(t.dev, e->handle, &l), 0);
	ASSERT_EQ(l.state, PINCTL_LEASE_ACTIVE);
	ASSERT_TRUE(l.flags & PINCTL_PIN_WATCH);
	ASSERT_NE(l.watch_slot, 0);
	pinctl_cache_put(t.cache, e);
	s = stats_of(t.cache);
	ASSERT_EQ(s.misses, 1);
	ASSERT_EQ(s.hits, 0);
	ASSERT_EQ(s.entries, 1);
	ASSERT_EQ(s.bytes, 3 * t.page);

	/* Hits: the same lease, nothing new pinned. */
	e2 = get_ok(t.cache, buf, t.page, 0);
	ASSERT_EQ(e2, e);
	pinctl_cache_put(t.cache, e2);
	n.cache = t.cache;
	n.addr = buf + t.page;
	n.len = 2 * t.page;
	ASSERT_EQ(pthread_create(&th, NULL, get_without_syscalls, &n), 0);
	ASSERT_EQ(pthread_join(th, NULL), 0);
	ASSERT_RET(n.ret, 0);
	ASSERT_EQ(n.e, e);
	if (!n.filtered)
		pm_diag("no seccomp here: the hit was not made without ioctl(2)");
	s = stats_of(t.cache);
	ASSERT_EQ(s.hits, 2);
	ASSERT_EQ(s.misses, 1);
	ASSERT_EQ(s.invalidations, 0);
	ASSERT_EQ(dev_leases(t.dev), 1);
	env_close(&t);
}

/* A lease serves every range it covers with the flags it has, no other. */
TEST(lib_cache_cover_and_flags)
{
	struct cache_env t;
	const struct pinctl_cache_entry *big, *e, *w;
	char *buf;

	env_open(&t, NULL);
	buf = pm_map_anon(16 * t.page);
	big = get_ok(t.cache, buf, 8 * t.page, 0);
	/* Inside it: the same lease, while in use too. */
	e = get_ok(t.cache, buf + 3 * t.page + 5, 100, 0);
	ASSERT_EQ(e, big);
	pinctl_cache_put(t.cache, e);
	/* Reaching beyond it: a lease of its own. */
	e = get_ok(t.cache, buf + 7 * t.page, 2 * t.page, 0);
	ASSERT_NE(e, big);
	ASSERT_EQ(e->addr, (uintptr_t)buf + 7 * t.page);
	ASSERT_EQ(e->length, 2 * t.page);
	pinctl_cache_put(t.cache, e);
	/* A write pin is not a read pin's to give ... */
	w = get_ok(t.cache, buf + t.page, t.page, PINCTL_PIN_WRITE);
	ASSERT_NE(w, big);
	ASSERT_TRUE(w->flags & PINCTL_PIN_WRITE);
	pinctl_cache_put(t.cache, w);
	/* ... but a write pin serves a read and a write. */
	e = get_ok(t.cache, buf + t.page, 16, PINCTL_PIN_WRITE);
	ASSERT_EQ(e, w);
	pinctl_cache_put(t.cache, e);
	pinctl_cache_put(t.cache, big);
	ASSERT_EQ(stats_of(t.cache).misses, 3);
	ASSERT_EQ(stats_of(t.cache).hits, 2);
	ASSERT_EQ(dev_leases(t.dev), 3);
	env_close(&t);
}

/*
 * The registration cache's classic bug: the application unmaps a buffer,
 * a new mapping lands at the same address, and a stale registration is
 * handed out. Here the old lease is dropped and a new one pins the new
 * pages.
 */
TEST(lib_cache_munmap_then_get)
{
	struct cache_env t;
	const struct pinctl_cache_entry *e;
	struct pinctl_cache_stats s;
	PINCTL_OPTS(pinctl_lease, l);
	uint64_t old;
	char *buf, *again, got[64];

	env_open(&t, NULL);
	buf = pm_map_anon(4 * t.page);
	e = get_ok(t.cache, buf, 4 * t.page, 0);
	old = e->handle;
	pinctl_cache_put(t.cache, e);

	ASSERT_EQ(munmap(buf, 4 * t.page), 0);
	/* The driver knew before munmap() returned. */
	ASSERT_RET(pinctl_query(t.dev, old, &l), 0);
	ASSERT_EQ(l.state, PINCTL_LEASE_STALE);
	ASSERT_EQ(l.stale_reason, PINCTL_STALE_UNMAP);
	again = mmap(buf, 4 * t.page, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ(again, buf);
	memset(again, 'n', 4 * t.page);

	e = get_ok(t.cache, buf + t.page, 64, 0);
	ASSERT_NE(e->handle, old);
	s = stats_of(t.cache);
	ASSERT_EQ(s.hits, 0);
	ASSERT_EQ(s.misses, 2);
	ASSERT_EQ(s.invalidations, 1);
	ASSERT_EQ(s.entries, 1);
	/* The old lease was unpinned; the new one holds the new pages. */
	ASSERT_RET(pinctl_query(t.dev, old, &l), -ENOENT);
	ASSERT_RET(pinctl_access_read(t.dev, e->handle, (uintptr_t)buf + t.page -
				      e->addr, got, sizeof(got)), 0);
	ASSERT_ALL_BYTES(got, sizeof(got), 'n');
	pinctl_cache_put(t.cache, e);
	ASSERT_EQ(dev_leases(t.dev), 1);
	env_close(&t);
}

TEST(lib_cache_lru_entries)
{
	PINCTL_OPTS(pinctl_cache_opts, o, .max_entries = 3);
	const struct pinctl_cache_entry *e;
	struct pinctl_cache_stats s;
	struct cache_env t;
	uint64_t h[5];
	char *buf;
	int i;

	env_open(&t, &o);
	buf = pm_map_anon(10 * t.page);
	for (i = 0; i < 5; i++) {
		e = get_ok(t.cache, buf + 2 * i * t.page, t.page, 0);
		h[i] = e->handle;
		pinctl_cache_put(t.cache, e);
	}
	s = stats_of(t.cache);
	ASSERT_EQ(s.evictions, 2);
	ASSERT_EQ(s.entries, 3);
	ASSERT_EQ(dev_leases(t.dev), 3);
	/* The two least recently used went; the newest are hits. */
	e = get_ok(t.cache, buf + 8 * t.page, t.page, 0);
	ASSERT_EQ(e->handle, h[4]);
	pinctl_cache_put(t.cache, e);
	e = get_ok(t.cache, buf + 4 * t.page, t.page, 0);
	ASSERT_EQ(e->handle, h[2]);
	pinctl_cache_put(t.cache, e);
	e = get_ok(t.cache, buf, t.page, 0);
	ASSERT_NE(e->handle, h[0]);
	/* The bound is on unused leases: one in use is not on the list. */
	s = stats_of(t.cache);
	ASSERT_EQ(s.evictions, 2);
	ASSERT_EQ(s.entries, 4);
	/* Once unused, it is the newest, and h[3], now the oldest, goes. */
	pinctl_cache_put(t.cache, e);
	s = stats_of(t.cache);
	ASSERT_EQ(s.evictions, 3);
	ASSERT_EQ(s.entries, 3);
	e = get_ok(t.cache, buf + 6 * t.page, t.page, 0);
	ASSERT_NE(e->handle, h[3]);
	pinctl_cache_put(t.cache, e);
	s = stats_of(t.cache);
	ASSERT_EQ(s.evictions, 4);	/* h[4] */
	ASSERT_EQ(s.entries, 3);
	ASSERT_EQ(s.hits, 2);
	ASSERT_EQ(s.misses, 7);
	env_close(&t);
}

TEST(lib_cache_lru_bytes)
{
	struct cache_env t;
	PINCTL_OPTS(pinctl_cache_opts, o);
	const struct pinctl_cache_entry *e;
	struct pinctl_cache_stats s;
	char *buf;
	int i;

	o.max_bytes = 4 * pm_page_size();
	env_open(&t, &o);
	buf = pm_map_anon(16 * t.page);
	for (i = 0; i < 3; i++) {
		e = get_ok(t.cache, buf + 2 * i * t.page, 2 * t.page, 0);
		pinctl_cache_put(t.cache, e);
	}
	s = stats_of(t.cache);
	ASSERT_EQ(s.evictions, 1);
	ASSERT_EQ(s.entries, 2);
	ASSERT_EQ(s.bytes, 4 * t.page);
	/* In use, a lease may be larger than the bound ... */
	e = get_ok(t.cache, buf + 8 * t.page, 8 * t.page, 0);
	ASSERT_EQ(stats_of(t.cache).bytes, 12 * t.page);
	/* ... and unused, it does not stay, nor what is older. */
	pinctl_cache_put(t.cache, e);
	s = stats_of(t.cache);
	ASSERT_EQ(s.evictions, 4);
	ASSERT_EQ(s.entries, 0);
	ASSERT_EQ(s.bytes, 0);
	ASSERT_EQ(dev_leases(t.dev), 0);
	env_close(&t);
}

/*
 * A lease found changed at put is dropped from the cache at once, while
 * another user still holds it; it is unpinned with its last user.
 */
TEST(lib_cache_put_stale)
{
	struct cache_env t;
	const struct pinctl_cache_entry *a, *b, *c;
	PINCTL_OPTS(pinctl_lease, l);
	struct pinctl_cache_stats s;
	char *buf;

	env_open(&t, NULL);
	buf = pm_map_anon(4 * t.page);
	a = get_ok(t.cache, buf, 4 * t.page, 0);
	b = get_ok(t.cache, buf, 4 * t.page, 0);
	ASSERT_EQ(a, b);
	/* Discarded, not unmapped: the address still maps (new) memory. */
	ASSERT_EQ(madvise(buf, t.page, MADV_DONTNEED), 0);
	pinctl_cache_put(t.cache, a);
	s = stats_of(t.cache);
	ASSERT_EQ(s.invalidations, 1);
	/* Still pinned for b's user, but no get finds it. */
	ASSERT_RET(pinctl_query(t.dev, b->handle, &l), 0);
	ASSERT_EQ(l.state, PINCTL_LEASE_STALE);
	ASSERT_EQ(l.stale_reason, PINCTL_STALE_DISCARD);
	ASSERT_EQ(l.stale_addr, (uintptr_t)buf);
	ASSERT_GE(l.stale_length, t.page);
	ASSERT_LE(l.stale_length, 4 * t.page);
	c = get_ok(t.cache, buf + t.page, t.page, 0);
	ASSERT_NE(c->handle, b->handle);
	ASSERT_EQ(dev_leases(t.dev), 2);
	s = stats_of(t.cache);
	ASSERT_EQ(s.entries, 2);
	pinctl_cache_put(t.cache, b);
	ASSERT_RET(pinctl_query(t.dev, l.handle, &l), -ENOENT);
	ASSERT_EQ(dev_leases(t.dev), 1);
	s = stats_of(t.cache);
	ASSERT_EQ(s.invalidations, 1);
	ASSERT_EQ(s.entries, 1);
	pinctl_cache_put(t.cache, c);
	env_close(&t);
}

/*
 * The last reference unpins what is unused at once; an entry in use stays
 * pinned and usable until it is put, and the cache keeps its device object
 * (and so the file that holds the lease) open until then.
 */
TEST(lib_cache_unref_ordering)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	const struct pinctl_cache_entry *used, *e;
	struct pinctl_cache *cache = NULL;
	size_t page = pm_page_size();
	char *buf = pm_map_anon(4 * page), got[8];
	int fd;

	lt_need_watch(dev);
	ASSERT_RET(pinctl_cache_new(dev, NULL, &cache), 0);
	ASSERT_EQ(pinctl_cache_ref(cache), cache);
	pinctl_cache_unref(cache);
	used = get_ok(cache, buf, page, 0);
	e = get_ok(cache, buf + 2 * page, page, 0);
	pinctl_cache_put(cache, e);
	ASSERT_EQ(dev_leases(dev), 2);
	fd = pinctl_dev_get_fd(dev);

	/* The application lets go of the device object, then of the cache. */
	pinctl_dev_unref(dev);
	pinctl_cache_unref(cache);
	/* The unused lease is gone; the one in use is pinned and readable. */
	ASSERT_EQ(pm_fdinfo_value(fd, "pinmgr-leases"), 1);
	memset(buf, 'u', page);
	ASSERT_EQ(ACCESS_READ(fd, used->handle, 0, sizeof(got), got), 0);
	ASSERT_ALL_BYTES(got, sizeof(got), 'u');
	/* Its put unpins it and lets the cache, and the file, go. */
	pinctl_cache_put(cache, used);
	ASSERT_EQ(fcntl(fd, F_GETFD), -1);
	ASSERT_EQ(errno, EBADF);
	pinctl_unref(ctx);
}

/* Bad arguments are refused before anything is pinned. */
TEST(lib_cache_bad_input)
{
	struct cache_env t;
	PINCTL_OPTS(pinctl_cache_opts, bad, .pin_flags = 1u << 20);
	struct {
		struct pinctl_cache_opts o;
		uint64_t future;
	} big = { .o.sz = sizeof(big), .future = 1 };
	const struct pinctl_cache_entry *e = NULL;
	struct pinctl_cache *c = NULL;
	struct pinctl_cache_stats small;
	char *buf;
	int ret;

	env_open(&t, NULL);
	buf = pm_map_anon(t.page);
	ASSERT_RET(pinctl_cache_new(t.dev, &bad, &c), -EOPNOTSUPP);
	ASSERT_RET(pinctl_cache_new(t.dev, &big.o, &c), -E2BIG);
	ASSERT_RET(pinctl_cache_new(NULL, NULL, &c), -EINVAL);
	ASSERT_RET(pinctl_cache_new(t.dev, NULL, NULL), -EINVAL);
	ASSERT_EQ(c, NULL);
	ASSERT_RET(pinctl_cache_get(t.cache, buf, 0, 0, &e), -EINVAL);
	ASSERT_RET(pinctl_cache_get(t.cache, (void *)(uintptr_t)-t.page,
				    2 * t.page, 0, &e), -EINVAL);
	ASSERT_RET(pinctl_cache_get(t.cache, buf, t.page, PINCTL_PIN_WATCH_ONLY, &e),
		   -EOPNOTSUPP);
	ASSERT_RET(pinctl_cache_get(t.cache, buf, t.page, 0, NULL), -EINVAL);
	/* A pin the driver refuses is its errno, and nothing is kept. */
	ret = pinctl_cache_get(t.cache, NULL, t.page, 0, &e);
	ASSERT_TRUE(ret == -EFAULT || ret == -EINVAL);
	ASSERT_EQ(e, NULL);
	small.sz = 3;
	ASSERT_RET(pinctl_cache_stats(t.cache, &small), -EINVAL);
	ASSERT_EQ(stats_of(t.cache).entries, 0);
	ASSERT_EQ(dev_leases(t.dev), 0);
	pinctl_cache_put(t.cache, NULL);
	env_close(&t);
}

/*
 * With PINCTL_PIN_RELEASE_ON_STALE the driver releases a changed lease's
 * pages itself: the cache's unpin only acknowledges it (-ESTALE), quietly.
 */
TEST(lib_cache_release_on_stale)
{
	struct cache_env t;
	PINCTL_OPTS(pinctl_cache_opts, o, .pin_flags = PINCTL_PIN_RELEASE_ON_STALE);
	const struct pinctl_cache_entry *e;
	PINCTL_OPTS(pinctl_lease, l);
	uint64_t old;
	char *buf;

	env_open(&t, &o);
	buf = pm_map_anon(2 * t.page);
	e = get_ok(t.cache, buf, 2 * t.page, 0);
	ASSERT_TRUE(e->flags & PINCTL_PIN_RELEASE_ON_STALE);
	old = e->handle;
	pinctl_cache_put(t.cache, e);
	ASSERT_EQ(madvise(buf, 2 * t.page, MADV_DONTNEED), 0);
	/* Released after the call: its STALE event says when. */
	ASSERT_EQ(poll(&(struct pollfd){ .fd = pinctl_dev_get_fd(t.dev),
					 .events = POLLIN }, 1, 10000), 1);
	ASSERT_RET(pinctl_query(t.dev, old, &l), 0);
	ASSERT_EQ(l.state, PINCTL_LEASE_INVALIDATED);
	lt_log_clear();
	e = get_ok(t.cache, buf, t.page, 0);
	ASSERT_NE(e->handle, old);
	ASSERT_EQ(stats_of(t.cache).invalidations, 1);
	ASSERT_RET(pinctl_query(t.dev, old, &l), -ENOENT);
	ASSERT_EQ(strstr(lt_log_text(), "cache: unpinning"), NULL);
	pinctl_cache_put(t.cache, e);
	env_close(&t);
}

/* ---- Threads -------------------------------------------------------------- */

#define CACHE_THREADS	4
#define CACHE_ROUNDS	400
#define CACHE_PAGES	64

struct shared {
	struct cache_env *t;
	char *buf;
	atomic_uint next;
};

static void *cache_worker(void *arg)
{
	struct shared *s = arg;
	unsigned int seed = atomic_fetch_add(&s->next, 1) * 7919 + 1, i, bad = 0;
	size_t page = s->t->page;

	for (i = 0; i < CACHE_ROUNDS; i++) {
		const struct pinctl_cache_entry *e;
		size_t off = (rand_r(&seed) % (CACHE_PAGES - 8)) * page +
			     rand_r(&seed) % page;
		uint64_t len = 1 + rand_r(&seed) % (4 * page);
		uint32_t flags = rand_r(&seed) % 2 ? PINCTL_PIN_WRITE : 0;
		char b;

		if (pinctl_cache_get(s->t->cache, s->buf + off, len, flags, &e)) {
			bad++;
			continue;
		}
		if (e->addr > (uintptr_t)s->buf + off ||
		    e->addr + e->length < (uintptr_t)s->buf + off + len ||
		    (e->flags & flags) != flags)
			bad++;
		/* A live lease of this file, with the pages of the range. */
		if (i % 16 == 0 &&
		    (pinctl_access_read(s->t->dev, e->handle,
					(uintptr_t)s->buf + off - e->addr, &b, 1) ||
		     b != s->buf[off]))
			bad++;
		pinctl_cache_put(s->t->cache, e);
	}
	return (void *)(uintptr_t)bad;
}

TEST(lib_cache_threads)
{
	PINCTL_OPTS(pinctl_cache_opts, o, .max_entries = 16);
	struct cache_env t;
	struct shared s = { .t = &t };
	struct pinctl_cache_stats st;
	pthread_t th[CACHE_THREADS];
	unsigned int i;
	void *bad;

	env_open(&t, &o);
	s.buf = pm_map_anon(CACHE_PAGES * t.page);
	for (i = 0; i < CACHE_PAGES * t.page; i++)
		s.buf[i] = (char)i;
	atomic_init(&s.next, 0);
	for (i = 0; i < CACHE_THREADS; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, cache_worker, &s), 0);
	for (i = 0; i < CACHE_THREADS; i++) {
		ASSERT_EQ(pthread_join(th[i], &bad), 0);
		ASSERT_EQ((uintptr_t)bad, 0);
	}
	st = stats_of(t.cache);
	pm_diag("%llu hits, %llu misses, %llu evictions",
		(unsigned long long)st.hits, (unsigned long long)st.misses,
		(unsigned long long)st.evictions);
	ASSERT_EQ(st.hits + st.misses, CACHE_THREADS * CACHE_ROUNDS);
	ASSERT_GT(st.hits, 0);
	ASSERT_EQ(st.invalidations, 0);
	ASSERT_LE(st.entries, 16);
	ASSERT_EQ(st.entries, dev_leases(t.dev));
	pinctl_cache_unref(t.cache);
	ASSERT_EQ(dev_leases(t.dev), 0);
	t.cache = NULL;
	env_close(&t);
}

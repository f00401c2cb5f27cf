// SPDX-License-Identifier: GPL-2.0-only
/*
 * Watched leases: PINMGR_PIN_WATCH, PINMGR_PIN_RELEASE_ON_STALE and
 * PINMGR_PIN_WATCH_ONLY. Each way a range can stop mapping a lease's pages
 * is made to happen once, and the lease must be stale when the call that
 * did it returns (its status word), show the reason and the part that
 * changed (QUERY), and tell its owner (the event); each operation that
 * leaves the pages mapped must leave the lease alone. The status area's
 * mapping rules, slot reuse and bad requests are here too; the random
 * sequences are test_watch_torture.c's.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/capability.h>

#include "harness.h"
#include "nl_client.h"

#define W_WAIT_MS	30000

static void w_need(void)
{
	if (!pm_feature(PINMGR_FEATURE_WATCH))
		pm_skip_feature(PINMGR_FEATURE_WATCH, "watched leases");
}

/* The context's status area, mapped read-only. */
static const volatile __u64 *w_area(int fd)
{
	void *p = mmap(NULL, PINMGR_WATCH_SLOTS_MAX * sizeof(__u64), PROT_READ,
		       MAP_SHARED, fd, PINMGR_WATCH_MMAP_OFFSET);

	if (p == MAP_FAILED)
		FAIL("mmap of the status area: %s", strerror(errno));
	return p;
}

static void w_unmap_area(const volatile __u64 *area)
{
	munmap((void *)area, PINMGR_WATCH_SLOTS_MAX * sizeof(__u64));
}

static __u64 w_word(const volatile __u64 *area, __u32 slot)
{
	return __atomic_load_n(&area[slot], __ATOMIC_ACQUIRE);
}

/* A watched lease of [p, p + len), with its slot and generation. */
static void w_pin(int fd, const void *p, size_t len, __u32 flags,
		  struct pinmgr_pin *pin)
{
	if (pm_pin(fd, p, len, flags | PINMGR_PIN_WATCH, 7, pin))
		FAIL("watched PIN of %zu bytes: %s", len, strerror(errno));
	ASSERT_NE(pin->out_watch_gen + 1, 0);
}

static void w_expect_state(int fd, __u64 handle, __u32 state, __u32 reason,
			   const void *addr, size_t len)
{
	struct pinmgr_query q;

	ASSERT_EQ(pm_query(fd, handle, &q), 0);
	ASSERT_EQ(q.out_state, state);
	ASSERT_EQ(q.out_stale_reason, reason);
	if (reason) {
		ASSERT_EQ(q.out_stale_addr, (uintptr_t)addr);
		ASSERT_EQ(q.out_stale_length, len);
	} else {
		ASSERT_EQ(q.out_stale_length, 0);
	}
}

/* The stale event of @handle: its reason and the part that changed. */
static void w_expect_event(int fd, __u64 handle, __u32 reason,
			   const void *addr, size_t len)
{
	struct pinmgr_event ev;

	pm_expect_event(fd, PINMGR_EVENT_STALE, handle, W_WAIT_MS, &ev);
	ASSERT_EQ(ev.size, sizeof(ev));
	ASSERT_EQ(ev.reason, reason);
	ASSERT_EQ(ev.addr, (uintptr_t)addr);
	ASSERT_EQ(ev.length, len);
	ASSERT_EQ(ev.cookie, 7);
}

/*
 * The call that changed [addr, addr + len) has returned: the lease's word
 * moved (no system call asked), QUERY and the event say why and where.
 */
static void w_expect_stale_now(int fd, const volatile __u64 *area,
			       const struct pinmgr_pin *pin, __u32 reason,
			       const void *addr, size_t len)
{
	ASSERT_NE(w_word(area, pin->out_watch_slot), pin->out_watch_gen);
	w_expect_state(fd, pin->out_handle, PINMGR_LEASE_STALE, reason, addr,
		       len);
	w_expect_event(fd, pin->out_handle, reason, addr, len);
}

/* No event is queued: the context's queue is empty right now. */
static void w_expect_no_event(int fd)
{
	struct pinmgr_event ev;

	ASSERT_EQ(pm_read_event(fd, &ev, 0), 0);
}

/*
 * A watched write pin of @npages fresh pages; @change unmaps or discards
 * [off, off + len) of it; the lease must be stale when @change returns,
 * with @reason, and still hold (and show through ACCESS) the old pages.
 */
static void w_stale_case(size_t npages, size_t off, size_t len, __u32 reason,
			 void (*change)(char *p, size_t off, size_t len))
{
	size_t ps = pm_page_size(), size = npages * ps;
	long long base = pm_outstanding_pins();
	const volatile __u64 *area;
	struct pinmgr_pin pin;
	char *p, *back;
	int fd;

	w_need();
	fd = pm_open();
	ASSERT_GE(fd, 0);
	area = w_area(fd);
	p = pm_map_small_pages(size);
	pm_fill(p, size, 0, 3);
	w_pin(fd, p, size, PINMGR_PIN_WRITE, &pin);
	ASSERT_EQ(w_word(area, pin.out_watch_slot), pin.out_watch_gen);
	w_expect_state(fd, pin.out_handle, PINMGR_LEASE_ACTIVE, 0, NULL, 0);

	change(p, off, len);
	w_expect_stale_now(fd, area, &pin, reason, p + off, len);

	/* The pages stay pinned until the owner unpins: the old data. */
	back = malloc(size);
	ASSERT_NE(back, NULL);
	ACCESS_READ(fd, pin.out_handle, 0, size, back);
	ASSERT_PATTERN(back, size, 0, 3);
	free(back);
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)npages);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	w_unmap_area(area);
	close(fd);
	munmap(p, size);
}

static void w_munmap(char *p, size_t off, size_t len)
{
	ASSERT_EQ(munmap(p + off, len), 0);
}

TEST(watch_munmap_whole_range)
{
	w_stale_case(4, 0, 4 * pm_page_size(), PINMGR_STALE_UNMAP, w_munmap);
}

TEST(watch_munmap_one_page_inside)
{
	size_t ps = pm_page_size();

	w_stale_case(4, 2 * ps, ps, PINMGR_STALE_UNMAP, w_munmap);
}

static void w_mremap_move(char *p, size_t off, size_t len)
{
	void *to = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);

	ASSERT_NE(to, MAP_FAILED);
	ASSERT_EQ(mremap(p + off, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, to),
		  to);
	munmap(to, len);
}

TEST(watch_mremap_move)
{
	w_stale_case(4, 0, 4 * pm_page_size(), PINMGR_STALE_UNMAP,
		     w_mremap_move);
}

static void w_mremap_shrink(char *p, size_t off, size_t len)
{
	ASSERT_EQ(mremap(p, off + len, off, 0), p);
}

TEST(watch_mremap_shrink)
{
	size_t ps = pm_page_size();

	w_stale_case(4, ps, 3 * ps, PINMGR_STALE_UNMAP, w_mremap_shrink);
}

static void w_map_fixed(char *p, size_t off, size_t len)
{
	ASSERT_EQ(mmap(p + off, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
		  p + off);
}

TEST(watch_mmap_fixed_over)
{
	size_t ps = pm_page_size();

	w_stale_case(4, ps, 2 * ps, PINMGR_STALE_UNMAP, w_map_fixed);
}

static void w_dontneed(char *p, size_t off, size_t len)
{
	ASSERT_EQ(madvise(p + off, len, MADV_DONTNEED), 0);
}

TEST(watch_madv_dontneed)
{
	size_t ps = pm_page_size();

	w_stale_case(4, ps, ps, PINMGR_STALE_DISCARD, w_dontneed);
}

/* MADV_REMOVE punches a hole in shared memory: its pages are gone. */
TEST(watch_madv_remove_shared)
{
	size_t ps = pm_page_size(), size = 4 * ps;
	const volatile __u64 *area;
	struct pinmgr_pin pin;
	char *p;
	int fd;

	w_need();
	fd = pm_open();
	ASSERT_GE(fd, 0);
	area = w_area(fd);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(p, MAP_FAILED);
	memset(p, 1, size);
	w_pin(fd, p, size, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM, &pin);
	ASSERT_EQ(madvise(p + ps, ps, MADV_REMOVE), 0);
	w_expect_stale_now(fd, area, &pin, PINMGR_STALE_DISCARD, p + ps, ps);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	w_unmap_area(area);
	close(fd);
	munmap(p, size);
}

/*
 * Another process truncates a file the owner maps: the pages leave the
 * owner's range in a task whose page tables the driver cannot read, so it
 * decides from the mapping. @private: the owner's mapping is private and
 * written, so the lease holds anonymous copies, which a truncation takes
 * away all the same (the owner would get SIGBUS there now).
 */
static void w_foreign_truncate_case(bool private)
{
	size_t ps = pm_page_size(), size = 4 * ps;
	const volatile __u64 *area;
	struct pinmgr_pin pin;
	int fd, mfd;
	pid_t pid;
	char *p;

	w_need();
	mfd = memfd_create("pinmgr-watch", MFD_CLOEXEC);
	ASSERT_GE(mfd, 0);
	ASSERT_EQ(ftruncate(mfd, size), 0);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 private ? MAP_PRIVATE : MAP_SHARED, mfd, 0);
	ASSERT_NE(p, MAP_FAILED);
	memset(p, 4, size);
	fd = pm_open();
	ASSERT_GE(fd, 0);
	area = w_area(fd);
	w_pin(fd, p, size, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM, &pin);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(ftruncate(mfd, 0) ? 1 : 0);
	ASSERT_EQ(pm_wait(pid), 0);
	w_expect_stale_now(fd, area, &pin, PINMGR_STALE_DISCARD, p, size);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	w_unmap_area(area);
	close(fd);
	munmap(p, size);
	close(mfd);
}

TEST(watch_foreign_truncate_shared)
{
	w_foreign_truncate_case(false);
}

TEST(watch_foreign_truncate_private_copy)
{
	w_foreign_truncate_case(true);
}

TEST(watch_shmdt)
{
	size_t ps = pm_page_size(), size = 4 * ps;
	const volatile __u64 *area;
	struct pinmgr_pin pin;
	int fd, id;
	char *p;

	w_need();
	id = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
	if (id < 0 && errno == ENOSYS)
		SKIP("no System V shared memory in this kernel");
	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(p, (void *)-1);
	ASSERT_EQ(shmctl(id, IPC_RMID, NULL), 0);
	memset(p, 2, size);
	fd = pm_open();
	ASSERT_GE(fd, 0);
	area = w_area(fd);
	w_pin(fd, p, size, PINMGR_PIN_LONGTERM, &pin);
	ASSERT_EQ(shmdt(p), 0);
	w_expect_stale_now(fd, area, &pin, PINMGR_STALE_UNMAP, p, size);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	w_unmap_area(area);
	close(fd);
}

/*
 * The owner's address space goes away while its file lives on elsewhere:
 * a child pins and passes its file to the parent, then exits.
 */
TEST(watch_owner_exit)
{
	size_t ps = pm_page_size();
	struct pinmgr_event ev;
	struct pinmgr_query q;
	__u64 handle = 0;
	int sv[2], fd;
	pid_t pid;

	w_need();
	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct pinmgr_pin pin;
		char *p = pm_map_anon(4 * ps);
		int cfd = pm_open();

		if (!p || cfd < 0 ||
		    pm_pin(cfd, p, 4 * ps, PINMGR_PIN_WATCH, 7, &pin) ||
		    pm_send_fd(sv[1], cfd, pin.out_handle))
			_exit(1);
		_exit(0);
	}
	close(sv[1]);
	fd = pm_recv_fd(sv[0], &handle);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(pm_wait(pid), 0);
	pm_expect_event(fd, PINMGR_EVENT_STALE, handle, W_WAIT_MS, &ev);
	ASSERT_EQ(ev.reason, PINMGR_STALE_EXIT);
	ASSERT_EQ(pm_query(fd, handle, &q), 0);
	ASSERT_EQ(q.out_state, PINMGR_LEASE_STALE);
	ASSERT_EQ(q.out_stale_reason, PINMGR_STALE_EXIT);
	close(fd);
	close(sv[0]);
}

/*
 * Operations that leave the same pages mapped: the lease stays active, its
 * word unchanged, no event.
 */
static void w_benign_case(const char *what,
			  void (*op)(char *p, size_t size))
{
	size_t ps = pm_page_size(), size = 8 * ps;
	const volatile __u64 *area;
	struct pinmgr_pin pin;
	char *p;
	int fd;

	w_need();
	fd = pm_open();
	ASSERT_GE(fd, 0);
	area = w_area(fd);
	p = pm_map_small_pages(size);
	pm_fill(p, size, 0, 5);
	w_pin(fd, p, size, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM, &pin);
	op(p, size);
	if (w_word(area, pin.out_watch_slot) != pin.out_watch_gen)
		FAIL("%s made the lease stale", what);
	w_expect_state(fd, pin.out_handle, PINMGR_LEASE_ACTIVE, 0, NULL, 0);
	w_expect_no_event(fd);
	ASSERT_PATTERN(p, size, 0, 5);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	w_unmap_area(area);
	close(fd);
	munmap(p, size);
}

static void w_mprotect_round_trip(char *p, size_t size)
{
	ASSERT_EQ(mprotect(p, size, PROT_READ), 0);
	ASSERT_EQ(mprotect(p, size, PROT_NONE), 0);
	ASSERT_EQ(mprotect(p, size, PROT_READ | PROT_WRITE), 0);
}

TEST(watch_mprotect_is_benign)
{
	w_benign_case("mprotect", w_mprotect_round_trip);
}

/* MADV_FREE: a pinned page is never discarded, so it stays mapped. */
static void w_madv_free(char *p, size_t size)
{
	ASSERT_EQ(madvise(p, size, MADV_FREE), 0);
}

TEST(watch_madv_free_of_pinned_is_benign)
{
	w_benign_case("MADV_FREE", w_madv_free);
}

/* Reclaim in the owner's own task: a pinned page is not paged out. */
static void w_madv_pageout(char *p, size_t size)
{
	if (madvise(p, size, MADV_PAGEOUT) && errno != EINVAL)
		FAIL("MADV_PAGEOUT: %s", strerror(errno));
}

TEST(watch_madv_pageout_is_benign)
{
	w_benign_case("MADV_PAGEOUT", w_madv_pageout);
}

static void w_fork_writes(char *p, size_t size)
{
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		memset(p, 9, size);
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	/* The parent's own writes go to the pinned pages. */
	pm_fill(p, size, 0, 5);
}

TEST(watch_fork_is_benign)
{
	w_benign_case("fork with writes on both sides", w_fork_writes);
}

static void w_clear_soft_dirty(char *p, size_t size)
{
	int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);

	(void)p;
	(void)size;
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, "4", 1), 1);
	close(fd);
}

TEST(watch_clear_soft_dirty_is_benign)
{
	w_benign_case("clearing soft-dirty bits", w_clear_soft_dirty);
}

/* move_pages() of pinned pages to the node they are on, and back. */
static void w_move_pages(char *p, size_t size)
{
	size_t ps = pm_page_size(), n = size / ps, i;
	void *pages[16];
	int nodes[16], status[16];

	ASSERT_LE(n, ARRAY_SIZE(pages));
	for (i = 0; i < n; i++) {
		pages[i] = p + i * ps;
		nodes[i] = access("/sys/devices/system/node/node1", F_OK) ?
			   0 : (int)(i & 1);
	}
	/* Pinned pages refuse to move: a failure per page is fine. */
	syscall(SYS_move_pages, 0, n, pages, nodes, status, 2 /* MPOL_MF_MOVE_ALL */);
}

TEST(watch_move_pages_is_benign)
{
	w_benign_case("move_pages", w_move_pages);
}

/* Stale by RELEASE_ON_STALE: the pages go, the lease ends as INVALIDATED. */
TEST(watch_release_on_stale)
{
	size_t ps = pm_page_size(), size = 4 * ps;
	long long base = pm_outstanding_pins();
	const volatile __u64 *area;
	struct pinmgr_info info;
	struct pinmgr_pin pin;
	char buf[8];
	char *p;
	int fd;

	w_need();
	fd = pm_open();
	ASSERT_GE(fd, 0);
	area = w_area(fd);
	p = pm_map_anon(size);
	w_pin(fd, p, size, PINMGR_PIN_RELEASE_ON_STALE, &pin);
	ASSERT_EQ(pm_outstanding_pins() - base, 4);
	ASSERT_EQ(munmap(p + ps, ps), 0);
	ASSERT_NE(w_word(area, pin.out_watch_slot), pin.out_watch_gen);
	/* The event comes once the pages are gone. */
	w_expect_event(fd, pin.out_handle, PINMGR_STALE_UNMAP, p + ps, ps);
	w_expect_state(fd, pin.out_handle, PINMGR_LEASE_INVALIDATED,
		       PINMGR_STALE_UNMAP, p + ps, ps);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.ctx_pinned_pages, 0);
	ASSERT_EQ(info.ctx_leases, 1);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	ASSERT_ERRNO(pm_access(fd, pin.out_handle, 0, sizeof(buf), buf, 0),
		     ESTALE);
	ASSERT_ERRNO(pm_renew(fd, pin.out_handle, 0), ESTALE);
	/* UNPIN acknowledges it once. */
	ASSERT_ERRNO(pm_unpin(fd, pin.out_handle), ESTALE);
	ASSERT_ERRNO(pm_unpin(fd, pin.out_handle), ENOENT);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.ctx_leases, 0);
	w_unmap_area(area);
	close(fd);
	munmap(p, size);
}

/* A slot is reused by a later lease, with a generation never handed out. */
TEST(watch_slot_reuse_moves_generation_on)
{
	size_t ps = pm_page_size();
	const volatile __u64 *area;
	struct pinmgr_pin a, b;
	char *p;
	int fd;

	w_need();
	fd = pm_open();
	ASSERT_GE(fd, 0);
	area = w_area(fd);
	p = pm_map_anon(ps);
	w_pin(fd, p, ps, 0, &a);
	ASSERT_EQ(pm_unpin(fd, a.out_handle), 0);
	/* Ended: the old generation no longer matches. */
	ASSERT_NE(w_word(area, a.out_watch_slot), a.out_watch_gen);
	w_pin(fd, p, ps, 0, &b);
	ASSERT_EQ(b.out_watch_slot, a.out_watch_slot);
	ASSERT_GT(b.out_watch_gen, a.out_watch_gen);
	ASSERT_EQ(w_word(area, b.out_watch_slot), b.out_watch_gen);
	ASSERT_EQ(pm_unpin(fd, b.out_handle), 0);
	w_unmap_area(area);
	close(fd);
	munmap(p, ps);
}

/* Every watched lease has its own slot; an unwatched one has none. */
TEST(watch_slots_are_distinct)
{
	size_t ps = pm_page_size();
	struct pinmgr_pin pins[8], plain;
	struct pinmgr_query q;
	unsigned int i, j;
	char *p;
	int fd;

	w_need();
	fd = pm_open();
	ASSERT_GE(fd, 0);
	p = pm_map_anon(8 * ps);
	for (i = 0; i < 8; i++) {
		w_pin(fd, p + i * ps, ps, 0, &pins[i]);
		for (j = 0; j < i; j++)
			ASSERT_NE(pins[i].out_watch_slot, pins[j].out_watch_slot);
		ASSERT_EQ(pm_query(fd, pins[i].out_handle, &q), 0);
		ASSERT_EQ(q.out_watch_slot, pins[i].out_watch_slot);
		ASSERT_TRUE(q.out_pin_flags & PINMGR_PIN_WATCH);
	}
	ASSERT_EQ(pm_pin(fd, p, ps, 0, 0, &plain), 0);
	ASSERT_EQ(plain.out_watch_slot, 0);
	ASSERT_EQ(plain.out_watch_gen, 0);
	ASSERT_EQ(pm_query(fd, plain.out_handle, &q), 0);
	ASSERT_EQ(q.out_watch_slot, 0);
	ASSERT_FALSE(q.out_pin_flags & PINMGR_PIN_WATCH);
	close(fd);
	munmap(p, 8 * ps);
}

TEST(watch_pin_vec_reports_slots)
{
	size_t ps = pm_page_size();
	const volatile __u64 *area;
	struct pinmgr_pin_range r[3];
	unsigned int i;
	char *p;
	int fd;

	w_need();
	fd = pm_open();
	ASSERT_GE(fd, 0);
	area = w_area(fd);
	p = pm_map_anon(3 * ps);
	memset(r, 0, sizeof(r));
	for (i = 0; i < 3; i++) {
		r[i].addr = (uintptr_t)(p + i * ps);
		r[i].length = ps;
		r[i].flags = i == 1 ? 0 : PINMGR_PIN_WATCH;
		r[i].out_watch_slot = 99;
	}
	ASSERT_EQ(pm_pin_vec(fd, r, 3, sizeof(r[0]), NULL), 0);
	ASSERT_EQ(r[1].out_watch_slot, 0);
	ASSERT_NE(r[0].out_watch_slot, r[2].out_watch_slot);
	ASSERT_EQ(w_word(area, r[2].out_watch_slot), r[2].out_watch_gen);
	ASSERT_EQ(munmap(p + 2 * ps, ps), 0);
	ASSERT_NE(w_word(area, r[2].out_watch_slot), r[2].out_watch_gen);
	ASSERT_EQ(w_word(area, r[0].out_watch_slot), r[0].out_watch_gen);
	w_unmap_area(area);
	close(fd);
	munmap(p, 2 * ps);
}

/* A watch-only lease: nothing pinned or charged; ACCESS goes to the mapping. */
TEST(watch_only_pins_nothing)
{
	size_t ps = pm_page_size(), size = 4 * ps;
	long long base = pm_outstanding_pins(), vmpin = pm_vmpin_kb();
	const volatile __u64 *area;
	struct pinmgr_info info;
	struct pinmgr_query q;
	struct pinmgr_pin pin;
	struct pinmgr_get_segments g;
	char *p, buf[64];
	int fd;

	w_need();
	fd = pm_open();

	ASSERT_GE(fd, 0);
	area = w_area(fd);
	p = pm_map_anon(size);
	pm_fill(p, size, 0, 11);
	w_pin(fd, p, size, PINMGR_PIN_WATCH_ONLY | PINMGR_PIN_WRITE, &pin);
	ASSERT_EQ(pin.out_nr_runs, 0);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.ctx_leases, 1);
	ASSERT_EQ(info.ctx_pinned_pages, 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	ASSERT_EQ(pm_vmpin_kb(), vmpin);
	ASSERT_EQ(pm_query(fd, pin.out_handle, &q), 0);
	ASSERT_EQ(q.out_pin_flags, PINMGR_PIN_WATCH | PINMGR_PIN_WATCH_ONLY |
				   PINMGR_PIN_WRITE);
	ASSERT_EQ(q.out_nr_runs, 0);

	/* ACCESS reads and writes what the mapping holds now. */
	ACCESS_READ(fd, pin.out_handle, ps + 5, sizeof(buf), buf);
	ASSERT_PATTERN(buf, sizeof(buf), ps + 5, 11);
	memset(buf, 0x5a, sizeof(buf));
	ACCESS_WRITE(fd, pin.out_handle, 2 * ps - 32, sizeof(buf), buf);
	ASSERT_ALL_BYTES(p + 2 * ps - 32, sizeof(buf), 0x5a);
	/* No stable physical pages to hand out. */
	if (pm_have_cap(CAP_SYS_ADMIN)) {
		memset(&g, 0, sizeof(g));
		g.size = sizeof(g);
		g.handle = pin.out_handle;
		ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_GET_SEGMENTS, &g), EINVAL);
	}

	ASSERT_EQ(madvise(p + 3 * ps, ps, MADV_DONTNEED), 0);
	w_expect_stale_now(fd, area, &pin, PINMGR_STALE_DISCARD, p + 3 * ps, ps);
	/* A discarded page reads as zeroes through the mapping, and so here. */
	ACCESS_READ(fd, pin.out_handle, 3 * ps, sizeof(buf), buf);
	ASSERT_ALL_BYTES(buf, sizeof(buf), 0);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	w_unmap_area(area);
	close(fd);
	munmap(p, size);
}

/* A watch-only lease is not stale for what leaves pages mapped. */
TEST(watch_only_benign_ops)
{
	size_t ps = pm_page_size(), size = 4 * ps;
	const volatile __u64 *area;
	struct pinmgr_pin pin;
	char *p;
	int fd;

	w_need();
	fd = pm_open();
	ASSERT_GE(fd, 0);
	area = w_area(fd);
	p = pm_map_anon(size);
	w_pin(fd, p, size, PINMGR_PIN_WATCH_ONLY, &pin);
	w_mprotect_round_trip(p, size);
	w_clear_soft_dirty(p, size);
	w_fork_writes(p, size);
	ASSERT_EQ(w_word(area, pin.out_watch_slot), pin.out_watch_gen);
	w_expect_no_event(fd);
	ASSERT_EQ(munmap(p, size), 0);
	ASSERT_NE(w_word(area, pin.out_watch_slot), pin.out_watch_gen);
	w_expect_event(fd, pin.out_handle, PINMGR_STALE_UNMAP, p, size);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	w_unmap_area(area);
	close(fd);
}

TEST(watch_bad_flags)
{
	size_t ps = pm_page_size();
	long long base = pm_outstanding_pins();
	struct pinmgr_info info;
	struct pinmgr_pin pin;
	char *p;
	int fd;

	w_need();
	fd = pm_open();
	ASSERT_GE(fd, 0);
	p = pm_map_anon(ps);
	ASSERT_ERRNO(pm_pin(fd, p, ps, PINMGR_PIN_RELEASE_ON_STALE, 0, NULL),
		     EINVAL);
	ASSERT_ERRNO(pm_pin(fd, p, ps, PINMGR_PIN_WATCH_ONLY |
			    PINMGR_PIN_LONGTERM, 0, NULL), EINVAL);
	ASSERT_ERRNO(pm_pin(fd, p, ps, PINMGR_PIN_WATCH_ONLY |
			    PINMGR_PIN_RELEASE_ON_STALE | PINMGR_PIN_WATCH,
			    0, NULL), EINVAL);
	ASSERT_ERRNO(pm_pin(fd, p, ps, 1U << 5, 0, NULL), EOPNOTSUPP);
	memset(&pin, 0, sizeof(pin));
	pin.size = sizeof(pin);
	pin.flags = PINMGR_PIN_WATCH;
	pin.addr = (uintptr_t)p;
	pin.length = ps;
	pin.__reserved2 = 1;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_PIN, &pin), EINVAL);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.ctx_leases, 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	close(fd);
	munmap(p, ps);
}

/* The area is read-only, from offset 0, within its size, for the owner. */
TEST(watch_area_mapping_rules)
{
	size_t ps = pm_page_size(), len = PINMGR_WATCH_SLOTS_MAX * 8;
	void *a;
	int fd, status;
	pid_t pid;

	w_need();
	fd = pm_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
		  MAP_FAILED);
	ASSERT_EQ(errno, EPERM);
	ASSERT_EQ(mmap(NULL, ps, PROT_READ, MAP_SHARED, fd, ps), MAP_FAILED);
	ASSERT_EQ(errno, EINVAL);
	ASSERT_EQ(mmap(NULL, len + ps, PROT_READ, MAP_SHARED, fd, 0),
		  MAP_FAILED);
	ASSERT_EQ(errno, EINVAL);
	a = mmap(NULL, ps, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(a, MAP_FAILED);
	/* Never writable later either. */
	ASSERT_ERRNO(mprotect(a, ps, PROT_READ | PROT_WRITE), EACCES);
	/* Never grown beyond what was mapped. */
	ASSERT_EQ(mremap(a, ps, 2 * ps, MREMAP_MAYMOVE), MAP_FAILED);
	/* A new slot's word reads 0; the mapping sees later slots' words. */
	ASSERT_EQ(*(volatile __u64 *)a, 0);
	munmap(a, ps);

	/* Another address space may not map it (its slots name our leases). */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(mmap(NULL, ps, PROT_READ, MAP_SHARED, fd, 0) ==
		      MAP_FAILED && errno == EPERM ? 0 : 1);
	status = pm_wait(pid);
	ASSERT_EQ(status, 0);
	close(fd);
}

/*
 * The mapping holds the file, as any mapping does: after close() the
 * context and its lease live on until the area is unmapped too.
 */
TEST(watch_area_holds_the_file)
{
	size_t ps = pm_page_size();
	long long base = pm_outstanding_pins();
	const volatile __u64 *area;
	struct pinmgr_pin pin;
	char *p;
	int fd;

	w_need();
	fd = pm_open();
	ASSERT_GE(fd, 0);
	area = w_area(fd);
	p = pm_map_anon(ps);
	w_pin(fd, p, ps, 0, &pin);
	close(fd);
	ASSERT_EQ(w_word(area, pin.out_watch_slot), pin.out_watch_gen);
	ASSERT_EQ(pm_outstanding_pins() - base, 1);
	/* Still watched: an unmap still shows. */
	ASSERT_EQ(munmap(p, ps), 0);
	ASSERT_NE(w_word(area, pin.out_watch_slot), pin.out_watch_gen);
	w_unmap_area(area);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
}

/* Slot 0 is no lease's: it counts the context's leases gone stale. */
TEST(watch_slot_0_counts_stale_leases)
{
	size_t ps = pm_page_size();
	const volatile __u64 *area;
	struct pinmgr_pin a, b;
	char *p;
	int fd;

	w_need();
	fd = pm_open();
	ASSERT_GE(fd, 0);
	area = w_area(fd);
	p = pm_map_anon(4 * ps);
	w_pin(fd, p, ps, 0, &a);
	w_pin(fd, p + 2 * ps, ps, 0, &b);
	ASSERT_NE(a.out_watch_slot, 0);
	ASSERT_NE(b.out_watch_slot, 0);
	ASSERT_EQ(w_word(area, 0), 0);
	ASSERT_EQ(munmap(p, ps), 0);
	ASSERT_EQ(w_word(area, 0), 1);
	/* Once per lease: a second change of a stale lease is not counted. */
	ASSERT_EQ(munmap(p + ps, 2 * ps), 0);
	ASSERT_EQ(w_word(area, 0), 2);
	ASSERT_EQ(munmap(p + 3 * ps, ps), 0);
	ASSERT_EQ(w_word(area, 0), 2);
	/* Unpinning is not a change of the mapping. */
	ASSERT_EQ(pm_unpin(fd, a.out_handle), 0);
	ASSERT_EQ(w_word(area, 0), 2);
	ASSERT_EQ(pm_unpin(fd, b.out_handle), 0);
	w_unmap_area(area);
	close(fd);
}

/*
 * A range unmapped by another thread while it is being pinned: the lease
 * may be made, but then it is stale or sees the unmap, never silently
 * holding pages the range no longer maps.
 */
struct w_race {
	char *p;
	size_t size;
	volatile int go;
};

static void *w_race_unmap(void *arg)
{
	struct w_race *r = arg;

	while (!r->go)
		;
	munmap(r->p, r->size);
	return NULL;
}

TEST(watch_unmap_racing_pin)
{
	size_t ps = pm_page_size(), size = 64 * ps;
	const volatile __u64 *area;
	unsigned int i, stale = 0, failed = 0;
	int fd;

	w_need();
	fd = pm_open();
	ASSERT_GE(fd, 0);
	area = w_area(fd);
	for (i = 0; i < 50; i++) {
		struct w_race r = { .size = size };
		struct pinmgr_pin pin;
		pthread_t t;

		r.p = pm_map_anon(size);
		ASSERT_NE(r.p, NULL);
		ASSERT_EQ(pthread_create(&t, NULL, w_race_unmap, &r), 0);
		r.go = 1;
		if (pm_pin(fd, r.p, size, PINMGR_PIN_WATCH, 7, &pin)) {
			failed++;
		} else {
			pthread_join(t, NULL);
			/* Joined: the unmap has returned, so the word moved. */
			ASSERT_NE(w_word(area, pin.out_watch_slot),
				  pin.out_watch_gen);
			stale++;
			ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
			continue;
		}
		pthread_join(t, NULL);
	}
	pm_diag("watch race: %u leases made and found stale, %u pins failed",
		stale, failed);
	w_unmap_area(area);
	close(fd);
}

struct w_query_race {
	int fd;
	__u64 handle, nr_runs;
	volatile int go, done;
	volatile unsigned int seen, wrong;
};

/* QUERY the lease until it is gone: each answer whole, or ENOENT. */
static void *w_race_query(void *arg)
{
	struct w_query_race *r = arg;
	struct pinmgr_query q;

	while (!r->go)
		;
	while (!pm_query(r->fd, r->handle, &q)) {
		r->seen++;
		if (q.out_state != PINMGR_LEASE_ACTIVE ||
		    q.out_nr_runs != r->nr_runs)
			r->wrong++;
	}
	if (errno != ENOENT)
		r->wrong++;
	r->done = 1;
	return NULL;
}

/*
 * QUERY racing the UNPIN of a watched lease, which releases the pages
 * before it returns even while another thread holds the lease: an answer
 * shows it whole, never active without its pages.
 */
TEST(watch_query_racing_unpin)
{
	size_t ps = pm_page_size(), size = 8 * ps;
	unsigned int i, seen = 0;
	char *p;
	int fd;

	w_need();
	fd = pm_open();
	ASSERT_GE(fd, 0);
	p = pm_map_small_pages(size);
	pm_fill(p, size, 0, 6);
	for (i = 0; i < 300; i++) {
		struct w_query_race r = { .fd = fd };
		struct pinmgr_pin pin;
		pthread_t t;

		w_pin(fd, p, size, PINMGR_PIN_WRITE, &pin);
		r.handle = pin.out_handle;
		r.nr_runs = pin.out_nr_runs;
		ASSERT_EQ(pthread_create(&t, NULL, w_race_query, &r), 0);
		r.go = 1;
		while (!r.seen && !r.done)
			;
		ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
		pthread_join(t, NULL);
		if (r.wrong)
			FAIL("QUERY racing UNPIN: %u of %u answers showed an active lease without its %llu runs, or failed otherwise",
			     r.wrong, r.seen, (unsigned long long)r.nr_runs);
		seen += r.seen;
	}
	pm_diag("QUERY racing UNPIN: %u answers, all whole", seen);
	close(fd);
	munmap(p, size);
}

/* The monitor group and lease-get tell of a stale lease, with its fields. */
TEST(watch_netlink_stale)
{
	size_t ps = pm_page_size();
	struct pm_nl *mon, *nl;
	struct pm_nl_lease ev, got;
	struct pinmgr_pin pin;
	char *p;
	int fd, r;

	w_need();
	mon = pm_nl_open();
	nl = pm_nl_open();
	ASSERT_NE(mon, NULL);
	ASSERT_NE(nl, NULL);
	pm_nl_monitor_or_skip(mon);
	fd = pm_open();
	ASSERT_GE(fd, 0);
	p = pm_map_anon(4 * ps);
	w_pin(fd, p, 4 * ps, PINMGR_PIN_WRITE, &pin);
	ASSERT_EQ(pm_nl_event(mon, W_WAIT_MS, &ev), 1);
	ASSERT_EQ(ev.cmd, PINMGR_NL_CMD_LEASE_PINNED_NTF);
	ASSERT_EQ(ev.watch_slot, pin.out_watch_slot);
	ASSERT_EQ(ev.stale_reason, 0);

	ASSERT_EQ(munmap(p + ps, ps), 0);
	r = pm_nl_event(mon, W_WAIT_MS, &ev);
	ASSERT_EQ(r, 1);
	ASSERT_EQ(ev.cmd, PINMGR_NL_CMD_LEASE_STALE_NTF);
	ASSERT_EQ(ev.handle, pin.out_handle);
	ASSERT_EQ(ev.state, PINMGR_LEASE_STALE);
	ASSERT_EQ(ev.stale_reason, PINMGR_STALE_UNMAP);
	ASSERT_EQ(ev.stale_addr, (uintptr_t)(p + ps));
	ASSERT_EQ(ev.stale_length, ps);
	/* Its pages are still held. */
	ASSERT_EQ(ev.runs > 0, 1);

	ASSERT_EQ(pm_nl_lease_get(nl, pin.out_handle, &got), 0);
	ASSERT_EQ(got.state, PINMGR_LEASE_STALE);
	ASSERT_EQ(got.stale_reason, PINMGR_STALE_UNMAP);
	ASSERT_EQ(got.stale_addr, (uintptr_t)(p + ps));
	ASSERT_EQ(got.watch_slot, pin.out_watch_slot);
	ASSERT_TRUE(got.flags & PINMGR_PIN_WATCH);

	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_EQ(pm_nl_event(mon, W_WAIT_MS, &ev), 1);
	ASSERT_EQ(ev.cmd, PINMGR_NL_CMD_LEASE_UNPINNED_NTF);
	close(fd);
	munmap(p, 4 * ps);
	pm_nl_close(nl);
	pm_nl_close(mon);
}

/* The device's count of leases gone stale, in sysfs. */
TEST(watch_stale_leases_counted)
{
	size_t ps = pm_page_size();
	unsigned long long before, after;
	struct pinmgr_pin pin;
	struct pinmgr_event ev;
	char *p;
	int fd;

	w_need();
	ASSERT_EQ(pm_sysfs_read("stale_leases", &before), 0);
	fd = pm_open();
	ASSERT_GE(fd, 0);
	p = pm_map_anon(ps);
	w_pin(fd, p, ps, 0, &pin);
	ASSERT_EQ(munmap(p, ps), 0);
	pm_expect_event(fd, PINMGR_EVENT_STALE, pin.out_handle, W_WAIT_MS, &ev);
	ASSERT_EQ(pm_sysfs_read("stale_leases", &after), 0);
	ASSERT_EQ(after - before, 1);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	close(fd);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_ioctls: a seeded random sequence of valid and invalid calls of every
 * pinmgr ioctl, over several threads and several shared file descriptors,
 * interleaved with munmap, mprotect, MADV_DONTNEED of the fuzzer's own
 * memory, fd close/reopen and fork.
 *
 * Two runs at once: root's, in the test process, and an unprivileged one,
 * in a child that became nobody with a small RLIMIT_MEMLOCK, each with
 * half of the operations. The unprivileged run's model knows what its
 * caller may not do: REVOKE and GET_SEGMENTS fail with EPERM, its
 * short-term pins are made long-term, and PIN fails with EDQUOT when the user's pinned pages would pass the
 * limit. EDQUOT is accepted only where the pages charged to the user
 * could have been that many (see struct fz_quota).
 *
 * Each thread draws from its own PRNG, seeded from the run's seed and the
 * thread index, so a thread's sequence of operations is reproducible
 * (PINMGR_FUZZ_SEED=... replays it; the interleaving of threads is not).
 * PINMGR_FUZZ_OPS sets the total number of operations (default 150000,
 * which take about as long as 100000 on four threads of one run did).
 *
 * Four kinds of operations, each with its own assertions:
 *  - valid calls, whose outcome is predicted exactly from what the thread
 *    knows (its leases, the state of every page of its arena);
 *  - calls with exactly one defect, which must fail with exactly the errno
 *    the ABI documents for that defect;
 *  - chaotic calls (random command, size, pointer and fields), which must
 *    succeed or fail with one of the documented errnos, and whose successful
 *    PINs must return a new non-zero handle;
 *  - memory, fd and process events (munmap, mprotect, MADV_DONTNEED, remap,
 *    close and reopen, fork: the child must get EPERM for PIN, UNPIN and
 *    ACCESS through every inherited fd), and the close of a file all
 *    threads use while they use it: their calls fail with EBADF until a new
 *    file takes its number, and its leases end, whoever pinned them.
 * At the end every fd is closed and nothing may stay pinned or charged.
 *
 * Where the driver has watched leases (PINMGR_FEATURE_WATCH), PIN and
 * PIN_VEC also ask for them: one lease in four is watched (a quarter of
 * those released on stale), one in eight watch-only, which pins and
 * charges nothing (so the model's pinned pages and the memlock budget
 * leave it out) and whose ACCESS goes through the arena's mapping as it is;
 * bad combinations must fail with EINVAL. The arena operations make
 * watched leases stale, and the model does not predict which: a lease
 * released on stale may end by itself (ESTALE), as one with a duration
 * may expire. What it does check: QUERY's stale fields agree with the
 * state, the status area maps read-only for the owner only (EPERM
 * otherwise, EACCES for mprotect), and a live lease's word is at its
 * generation exactly while QUERY says it is active: never a moved word
 * with an active lease, never a stale lease with its word unmoved.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "harness.h"
#include "importer/pinmgr_importer.h"

#define FZ_THREADS	4
#define FZ_DEFAULT_OPS	150000UL
#define FZ_SHARED	3		/* fds every thread uses */
#define FZ_PRIV		2		/* fds of one thread only */
#define FZ_SLOTS	(FZ_SHARED + FZ_PRIV)
#define FZ_ARENA_PAGES	1024		/* 4 MiB, 2 MiB aligned */
#define FZ_THP_PAGES	512
#define FZ_MAX_LEASES	32
#define FZ_STALE	64
#define FZ_ARG_BYTES	(72UL << 10)	/* room for size 65536 at any offset */
#define FZ_IO_PAGES	64
#define FZ_HANDLES	512		/* one page of __u64, then a guard */
#define FZ_SEGS		256		/* one page of segments, then a guard */
#define FZ_NR_CMDS	11
#define FZ_VEC		8		/* ranges of one PIN_VEC at most */
#define FZ_BAD		FZ_NR_CMDS	/* counter slot of non-pinmgr numbers */
#define FZ_HSET_BITS	18
#define FZ_KERNEL_PTR	0xffffffff81000000ULL
#define FZ_DIRECT_MAP	0xffff888000000000ULL
#define FZ_FD_TOP	1000		/* shared fds sit just below */
#define FZ_MEMLOCK	1024		/* the unprivileged run's limit, pages */
#define FZ_AREA_PAGES	8		/* of the status area mapped at most */
#define FZ_WATCH_FLAGS	(PINMGR_PIN_WATCH | PINMGR_PIN_RELEASE_ON_STALE | \
			 PINMGR_PIN_WATCH_ONLY)

enum fz_state { FZ_RW, FZ_RO, FZ_NONE, FZ_UNMAPPED };

struct fz_lease {
	int slot;
	__u32 flags;
	__u64 handle;
	__u64 addr;
	__u64 npages;
	__u64 nruns;
	__u64 cookie;
	int may_end;		/* it has a duration or was revoked */
	__u64 charged;		/* pages pinned and charged: 0 if watch-only */
	int in_arena;		/* its range lies in the thread's arena */
	int wknown;		/* a watched lease whose slot and gen we know */
	__u32 wslot;		/* its slot in the status area */
	__u64 wgen;		/* its generation there */
};

struct fz_thread {
	pthread_t tid;
	unsigned int idx;
	uint64_t rng;
	unsigned long nops;
	unsigned long op;
	size_t ps;
	int priv_fd[FZ_PRIV];

	char *arena;
	unsigned char state[FZ_ARENA_PAGES];
	char *argbuf;			/* FZ_ARG_BYTES, then a PROT_NONE page */
	char *arg_guard;
	__u64 *hbuf;			/* FZ_HANDLES entries, then a guard */
	struct pinmgr_segment *sbuf;	/* FZ_SEGS entries, then a guard */
	char *iobuf;			/* FZ_IO_PAGES pages, then a guard */
	char *io_guard;
	char *iobuf2;
	char *ropage;			/* read-only page of prepared requests */
	char *rotarget;			/* one page that stays mapped RW */
	char *hole;			/* a page nothing ever maps */
	struct pinmgr_pin_range *vbuf;	/* FZ_VEC ranges, then a guard */
	char *areares;			/* FZ_AREA_PAGES reserved for the area */

	struct fz_lease leases[FZ_MAX_LEASES];
	unsigned int nleases;
	__u64 stale[FZ_STALE];
	unsigned int nstale;
	unsigned long pinned;
	unsigned long budget;

	__u64 t0, t1;			/* CLOCK_BOOTTIME around the last call */

	unsigned long ok[FZ_NR_CMDS + 1];
	unsigned long fail[FZ_NR_CMDS + 1];
	unsigned long forks, arena_ops, reopens, closes, steals, absorbed;
	unsigned long edquot;
	unsigned long watched, stales, invalidated, area_maps, words;
	unsigned long device_maps;	/* exports mapped for edu */
	char desc[320];
};

/* The run of this process: root's, or the unprivileged one. */
struct fz_run {
	const char *name;
	int unpriv;
	unsigned int first_thread;	/* index of its first thread */
	__u64 limit;			/* RLIMIT_MEMLOCK, pages (unprivileged) */
	int upgrade;			/* short-term pins made long-term */
};

static struct fz_run fz_run = { .name = "root" };
/* Whether the driver pins unprivileged short-term pins long-term. */
static int fz_upgrade;
/* Whether the driver has watched leases (PINMGR_FEATURE_WATCH). */
static int fz_watch;
/* The last event type a file may read (GET_INFO's features). */
static unsigned int fz_last_event;
static unsigned long long fz_seed;
static __u64 fz_max_lease_pages, fz_max_device_pages;
/* Shared fds live at fixed numbers that open() never hands out. */
static int fz_shared_base;

/*
 * The unprivileged run's view of its user's charge, shared with the
 * children it forks. Every call that may charge pages adds them to @asked
 * before the call and to @answered after it: pages charged by calls still
 * under way are at most asked - answered. So if a call reads the user's
 * charge C (GET_INFO) after reading @answered as A0, and @asked is A1 after
 * the call, the charge it met was at most C + A1 - A0 (its own pages
 * included): EDQUOT is possible only when that is over the limit.
 */
struct fz_quota {
	_Atomic unsigned long asked;
	_Atomic unsigned long answered;
};
static struct fz_quota *fz_quota;

/* One call's window on the charge. */
struct fz_qwin {
	unsigned long pages;
	unsigned long answered;
	__u64 charged;
};

/* Every handle a PIN ever returned in this run. */
static pthread_mutex_t fz_hset_lock = PTHREAD_MUTEX_INITIALIZER;
static __u64 *fz_hset;

static const char *const fz_names[FZ_NR_CMDS + 1] = {
	"GET_INFO", "PIN", "UNPIN", "QUERY", "LIST", "ACCESS",
	"GET_SEGMENTS", "PIN_VEC", "RENEW", "REVOKE", "EXPORT", "bad number",
};

static const size_t fz_sizes[FZ_NR_CMDS] = {
	sizeof(struct pinmgr_info), sizeof(struct pinmgr_pin),
	sizeof(struct pinmgr_unpin), sizeof(struct pinmgr_query),
	sizeof(struct pinmgr_list), sizeof(struct pinmgr_access),
	sizeof(struct pinmgr_get_segments), sizeof(struct pinmgr_pin_vec),
	sizeof(struct pinmgr_renew), sizeof(struct pinmgr_revoke),
	sizeof(struct pinmgr_export),
};

/* The first version of each: anything smaller is EINVAL. */
static const size_t fz_min_sizes[FZ_NR_CMDS] = {
	PM_INFO_SIZE_V1, PM_PIN_SIZE_V1, sizeof(struct pinmgr_unpin),
	PM_QUERY_SIZE_V1, sizeof(struct pinmgr_list),
	sizeof(struct pinmgr_access), sizeof(struct pinmgr_get_segments),
	sizeof(struct pinmgr_pin_vec), sizeof(struct pinmgr_renew),
	sizeof(struct pinmgr_revoke), sizeof(struct pinmgr_export),
};

union fz_any {
	struct pinmgr_info info;
	struct pinmgr_pin pin;
	struct pinmgr_unpin unpin;
	struct pinmgr_query query;
	struct pinmgr_list list;
	struct pinmgr_access access;
	struct pinmgr_get_segments segs;
	struct pinmgr_pin_vec vec;
	struct pinmgr_renew renew;
	struct pinmgr_revoke revoke;
	struct pinmgr_export export;
	char bytes[128];
};

/* ---- PRNG and failure reports ----------------------------------------- */

static uint64_t fz_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd(struct fz_thread *th)
{
	return fz_next(&th->rng);
}

/* Uniform enough in [0, n). */
static unsigned long rndn(struct fz_thread *th, unsigned long n)
{
	return n ? (unsigned long)(rnd(th) % n) : 0;
}

static const char *fz_errname(int err)
{
	return err ? (strerrorname_np(err) ?: "?") : "0";
}

#define fz_fail(th, ...)	fz_fail_at(th, __LINE__, __VA_ARGS__)

static __attribute__((noreturn, format(printf, 3, 4)))
void fz_fail_at(struct fz_thread *th, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pm_diag("fuzz: %s run, thread %u, operation %lu of %lu, seed 0x%llx",
		fz_run.name, th->idx, th->op, th->nops, fz_seed);
	pm_diag("fuzz: operation: %s", th->desc);
	pm_fail_msg(__FILE__, line, "%s", msg);
}

#define fz_desc(th, ...)	snprintf((th)->desc, sizeof((th)->desc), __VA_ARGS__)

/* @want 0: must succeed; otherwise must fail with exactly @want. */
#define fz_expect(th, ret, err, want)					\
	do {								\
		int _w = (want);					\
		if (_w ? ((ret) != -1 || (err) != _w) : (ret) != 0)	\
			fz_fail(th, "expected %s got %d/%s",		\
				_w ? fz_errname(_w) : "success", (ret),	\
				(ret) ? fz_errname(err) : "-");		\
	} while (0)

static int fz_documented(int err)
{
	switch (err) {
	case ENOTTY: case EFAULT: case EINVAL: case E2BIG: case EOPNOTSUPP:
	case EPERM: case ENOENT: case ENOMEM: case EACCES: case EFBIG:
	case EKEYEXPIRED: case EKEYREVOKED: case EBUSY: case ESTALE:
	case EMFILE: case ENOSPC: case EDQUOT: case EINTR: case ESRCH:
		return 1;
	}
	return 0;
}

/* ---- Bookkeeping ------------------------------------------------------- */

/*
 * A lease that may have ended answers with how it ended: one with a
 * duration or revoked, EKEYEXPIRED or EKEYREVOKED; one released on stale,
 * ESTALE, whenever its range changed.
 */
static int fz_ended(const struct fz_lease *l, int ret, int err)
{
	if (ret != -1)
		return 0;
	if (l->may_end && (err == EKEYEXPIRED || err == EKEYREVOKED))
		return 1;
	return (l->flags & PINMGR_PIN_RELEASE_ON_STALE) && err == ESTALE;
}

/* May the lease have lost its pages by itself? */
static int fz_may_lose_pages(const struct fz_lease *l)
{
	return l->may_end || (l->flags & PINMGR_PIN_RELEASE_ON_STALE);
}

/*
 * The flags a lease asked for with @flags has: a watch-only lease is a
 * watched one and, pinning nothing, is never made long-term.
 */
static __u32 fz_lease_flags(__u32 flags)
{
	if (flags & PINMGR_PIN_WATCH_ONLY)
		return flags | PINMGR_PIN_WATCH;
	return fz_run.upgrade ? flags | PINMGR_PIN_LONGTERM : flags;
}

/*
 * Flags of a PIN or of a PIN_VEC range: WRITE and LONGTERM at random and,
 * with watched leases, one in four watched (a quarter of those released on
 * stale) and one in eight watch-only; some of them in combinations that
 * must fail (with @valid only good ones).
 */
static __u32 fz_pick_flags(struct fz_thread *th, int valid)
{
	__u32 flags = (__u32)rndn(th, 4);
	unsigned int k;

	if (!fz_watch)
		return flags;
	k = (unsigned int)rndn(th, 32);
	if (k < 4) {
		flags = (flags & PINMGR_PIN_WRITE) | PINMGR_PIN_WATCH_ONLY;
		/* Implied; said or not. */
		if (rndn(th, 2))
			flags |= PINMGR_PIN_WATCH;
		if (!valid && !rndn(th, 8))
			flags |= PINMGR_PIN_LONGTERM;
		if (!valid && !rndn(th, 8))
			flags |= PINMGR_PIN_RELEASE_ON_STALE;
	} else if (k < 12) {
		flags |= PINMGR_PIN_WATCH;
		if (!rndn(th, 4))
			flags |= PINMGR_PIN_RELEASE_ON_STALE;
	} else if (k == 12 && !valid && rndn(th, 2)) {
		/* Release with nothing watched. */
		flags |= PINMGR_PIN_RELEASE_ON_STALE;
	}
	return flags;
}

/* The errno of @flags' combination, checked before anything is pinned. */
static int fz_flags_errno(__u32 flags)
{
	if ((flags & PINMGR_PIN_RELEASE_ON_STALE) &&
	    !(flags & PINMGR_PIN_WATCH))
		return EINVAL;
	if ((flags & PINMGR_PIN_WATCH_ONLY) &&
	    (flags & (PINMGR_PIN_LONGTERM | PINMGR_PIN_RELEASE_ON_STALE)))
		return EINVAL;
	return 0;
}

/* The flag bits PIN knows: WRITE, LONGTERM, and the three watch flags. */
static unsigned int fz_pin_flag_bits(void)
{
	return fz_watch ? 5 : 2;
}

/* Pages a PIN of @n pages with @flags pins and charges, if it succeeds. */
static unsigned long fz_pin_pages(__u32 flags, unsigned long n)
{
	return fz_flags_errno(flags) || (flags & PINMGR_PIN_WATCH_ONLY) ? 0 : n;
}

/* A duration for a lease: mostly none, some that run out during the run. */
static __u64 fz_duration(struct fz_thread *th)
{
	unsigned int k = rndn(th, 8);

	if (k == 0)
		return 1 + rndn(th, 50) * 1000000ULL;
	if (k == 1)
		return 3600ULL * 1000000000ULL;
	return 0;
}

/* A context for the fuzzer: reads of its events never wait. */
static int fz_open(void)
{
	int fd = pm_open();

	if (fd >= 0 && fcntl(fd, F_SETFL, O_NONBLOCK))
		FAIL("fcntl O_NONBLOCK: %s", strerror(errno));
	return fd;
}

static int fz_fd(struct fz_thread *th, int slot)
{
	return slot < FZ_SHARED ? fz_shared_base + slot :
				  th->priv_fd[slot - FZ_SHARED];
}

static int fz_private(int slot)
{
	return slot >= FZ_SHARED;
}

/* Another thread closed the shared file of @slot: the call did nothing. */
static int fz_closed(int slot, int ret, int err)
{
	return !fz_private(slot) && ret == -1 && err == EBADF;
}

/*
 * A lease on the shared file of @slot is not there: another thread ended
 * it, or closed the file (then it may live a little longer in a forked
 * child's copy, where REVOKE still finds it).
 */
static int fz_lost(int slot, int ret, int err)
{
	return fz_closed(slot, ret, err) ||
	       (!fz_private(slot) && ret == -1 && err == ENOENT);
}

/* ioctl through the counters; errno in *err. */
static int fz_ioctl(struct fz_thread *th, int fd, unsigned long cmd, void *arg,
		    int *err)
{
	unsigned int nr = _IOC_NR(cmd), k;
	int ret;

	k = (cmd == _IO(PINMGR_TYPE, nr) && nr < FZ_NR_CMDS) ? nr : FZ_BAD;
	th->t0 = pm_boottime_ns();
	errno = 0;
	ret = ioctl(fd, cmd, arg);
	*err = errno;
	th->t1 = pm_boottime_ns();
	if (ret == 0)
		th->ok[k]++;
	else
		th->fail[k]++;
	if (ret != 0 && ret != -1)
		fz_fail(th, "%s returned %d", fz_names[k], ret);
	return ret;
}

/* Pages a call may charge: asked for before it, answered after it. */
static void fz_quota_ask(unsigned long pages)
{
	if (fz_quota)
		atomic_fetch_add(&fz_quota->asked, pages);
}

static void fz_quota_answer(unsigned long pages)
{
	if (fz_quota)
		atomic_fetch_add(&fz_quota->answered, pages);
}

/* Before a PIN or PIN_VEC that may charge @pages: the charge as it is. */
static void fz_quota_begin(struct fz_thread *th, struct fz_qwin *w,
			   unsigned long pages)
{
	struct pinmgr_info info;
	int ret, err;

	w->pages = pages;
	if (!fz_quota)
		return;
	w->answered = atomic_load(&fz_quota->answered);
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	ret = fz_ioctl(th, th->priv_fd[0], PINMGR_IOC_GET_INFO, &info, &err);
	fz_expect(th, ret, err, 0);
	w->charged = info.user_pinned_pages;
	fz_quota_ask(pages);
}

/*
 * After the call: 1 if an EDQUOT it got is explained (the charge it met
 * could have been over the limit), 0 if not. For root's run always 0.
 */
static int fz_quota_end(struct fz_thread *th, const struct fz_qwin *w,
			int ret, int err)
{
	unsigned long most;

	if (!fz_quota)
		return 0;
	most = w->charged + atomic_load(&fz_quota->asked) - w->answered;
	fz_quota_answer(w->pages);
	if (ret != -1 || err != EDQUOT)
		return 0;
	if (most <= fz_run.limit)
		fz_fail(th, "EDQUOT, but at most %lu of the limit's %llu pages were charged",
			most, (unsigned long long)fz_run.limit);
	th->edquot++;
	return 1;
}

static int fz_cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* A handle that a successful PIN returned must be non-zero and new. */
static void fz_new_handle(struct fz_thread *th, __u64 h)
{
	unsigned long mask = (1UL << FZ_HSET_BITS) - 1, i;

	if (!h)
		fz_fail(th, "PIN succeeded with handle 0");
	pthread_mutex_lock(&fz_hset_lock);
	for (i = (h * 0x9e3779b97f4a7c15ULL) >> (64 - FZ_HSET_BITS);;
	     i = (i + 1) & mask) {
		if (fz_hset[i] == h) {
			pthread_mutex_unlock(&fz_hset_lock);
			fz_fail(th, "PIN handle %llu returned twice",
				(unsigned long long)h);
		}
		if (!fz_hset[i]) {
			fz_hset[i] = h;
			break;
		}
	}
	pthread_mutex_unlock(&fz_hset_lock);
}

static void fz_add_stale(struct fz_thread *th, __u64 h)
{
	th->stale[th->nstale++ % FZ_STALE] = h;
}

static int fz_was_ours(const struct fz_thread *th, __u64 h)
{
	unsigned int i;

	for (i = 0; i < FZ_STALE && i < th->nstale; i++)
		if (th->stale[i] == h)
			return 1;
	return 0;
}

/* Forget lease @i without calling its handle dead. */
static void fz_forget(struct fz_thread *th, unsigned int i)
{
	th->pinned -= th->leases[i].charged;
	th->leases[i] = th->leases[--th->nleases];
}

static void fz_drop(struct fz_thread *th, unsigned int i)
{
	fz_add_stale(th, th->leases[i].handle);
	fz_forget(th, i);
}

static int fz_find(struct fz_thread *th, __u64 h)
{
	unsigned int i;

	for (i = 0; i < th->nleases; i++)
		if (th->leases[i].handle == h)
			return (int)i;
	return -1;
}

static void fz_slot_usage(struct fz_thread *th, int slot, __u64 *leases,
			  __u64 *pages)
{
	unsigned int i;

	*leases = *pages = 0;
	for (i = 0; i < th->nleases; i++) {
		if (th->leases[i].slot != slot)
			continue;
		(*leases)++;
		*pages += th->leases[i].charged;
	}
}

/* UNPIN a recorded lease: strict on private fds, ENOENT allowed on shared. */
static void fz_unpin_rec(struct fz_thread *th, unsigned int i)
{
	struct fz_lease *l = &th->leases[i];
	struct pinmgr_unpin u = { .size = sizeof(u), .handle = l->handle };
	int ret, err;

	fz_desc(th, "UNPIN slot %d handle %llu", l->slot,
		(unsigned long long)l->handle);
	ret = fz_ioctl(th, fz_fd(th, l->slot), PINMGR_IOC_UNPIN, &u, &err);
	if (fz_lost(l->slot, ret, err)) {
		fz_forget(th, i);
		return;
	}
	/* An ended lease is acknowledged by this UNPIN, and gone after it. */
	if (!fz_ended(l, ret, err))
		fz_expect(th, ret, err, 0);
	fz_drop(th, i);
}

/* Make room for @npages more pages and one more lease. */
static int fz_make_room(struct fz_thread *th, unsigned long npages)
{
	while (th->nleases && (th->nleases >= FZ_MAX_LEASES ||
			       th->pinned + npages > th->budget))
		fz_unpin_rec(th, rndn(th, th->nleases));
	return th->pinned + npages <= th->budget;
}

/*
 * Record a lease a PIN created, or end it at once if there is no room.
 * @wknown: the reply's out_watch_slot and out_watch_gen were written.
 */
static void fz_record(struct fz_thread *th, int slot,
		      const struct pinmgr_pin *p, int wknown)
{
	__u32 flags = fz_lease_flags(p->flags);
	int watched = !!(flags & PINMGR_PIN_WATCH);
	int watch_only = !!(flags & PINMGR_PIN_WATCH_ONLY);
	__u64 arena = (uintptr_t)th->arena;
	struct fz_lease *l;
	unsigned int i;

	fz_new_handle(th, p->out_handle);
	if (p->out_nr_pages != p->length / th->ps)
		fz_fail(th, "PIN out_nr_pages %llu for %llu bytes",
			(unsigned long long)p->out_nr_pages,
			(unsigned long long)p->length);
	/* A watch-only lease holds no pages, so no runs of them. */
	if (watch_only ? p->out_nr_runs != 0 :
	    p->out_nr_runs < 1 || p->out_nr_runs > p->out_nr_pages)
		fz_fail(th, "PIN out_nr_runs %llu for %llu pages, flags %u",
			(unsigned long long)p->out_nr_runs,
			(unsigned long long)p->out_nr_pages, p->flags);
	/* A PIN (not a range of PIN_VEC) reports the flags it pinned with. */
	if (p->size >= offsetofend(struct pinmgr_pin, out_pin_flags) &&
	    p->out_pin_flags != flags)
		fz_fail(th, "PIN out_pin_flags %u for flags %u",
			p->out_pin_flags, p->flags);
	/* Slot 0 is the context's count of stale leases, no lease's. */
	if (wknown && (watched ? !p->out_watch_slot ||
			       p->out_watch_slot >= PINMGR_WATCH_SLOTS_MAX :
		       p->out_watch_slot || p->out_watch_gen))
		fz_fail(th, "PIN with flags %u: watch slot %u generation %llu",
			p->flags, p->out_watch_slot,
			(unsigned long long)p->out_watch_gen);
	/* A private file's records are all its leases: each its own slot. */
	for (i = 0; wknown && watched && fz_private(slot) &&
		    i < th->nleases; i++)
		if (th->leases[i].slot == slot && th->leases[i].wknown &&
		    th->leases[i].wslot == p->out_watch_slot)
			fz_fail(th, "new lease %llu got slot %u of live lease %llu",
				(unsigned long long)p->out_handle,
				p->out_watch_slot,
				(unsigned long long)th->leases[i].handle);
	l = &th->leases[th->nleases++];
	l->slot = slot;
	l->flags = flags;
	l->handle = p->out_handle;
	l->addr = p->addr;
	l->npages = p->out_nr_pages;
	l->nruns = p->out_nr_runs;
	l->cookie = p->cookie;
	l->may_end = p->duration_ns != 0;
	l->charged = watch_only ? 0 : l->npages;
	l->in_arena = l->addr >= arena && l->addr + l->npages * th->ps <=
			arena + FZ_ARENA_PAGES * th->ps;
	l->wknown = wknown && watched;
	l->wslot = l->wknown ? p->out_watch_slot : 0;
	l->wgen = l->wknown ? p->out_watch_gen : 0;
	th->watched += watched;
	th->pinned += l->charged;
	if (th->nleases >= FZ_MAX_LEASES || th->pinned > th->budget)
		fz_unpin_rec(th, th->nleases - 1);
}

/*
 * Record the leases of a successful PIN_VEC of th->vbuf on @slot, with
 * their run counts from QUERY (PIN_VEC does not report them); @wknown:
 * the range size covered the watch outputs.
 */
static void fz_record_vec(struct fz_thread *th, int slot, __u32 nr,
			  int wknown)
{
	struct pinmgr_query q;
	struct pinmgr_pin p;
	int ret, err;
	__u32 i;

	for (i = 0; i < nr; i++) {
		memset(&q, 0, sizeof(q));
		q.size = sizeof(q);
		q.handle = th->vbuf[i].out_handle;
		ret = fz_ioctl(th, fz_fd(th, slot), PINMGR_IOC_QUERY, &q, &err);
		if (fz_lost(slot, ret, err)) {
			/* Another thread ended it already, through LIST or close. */
			fz_new_handle(th, q.handle);
			continue;
		}
		fz_expect(th, ret, err, 0);
		if (q.out_addr != th->vbuf[i].addr ||
		    q.out_length != th->vbuf[i].length ||
		    q.out_cookie != th->vbuf[i].cookie ||
		    q.out_pin_flags != fz_lease_flags(th->vbuf[i].flags))
			fz_fail(th, "PIN_VEC range %u: QUERY says addr 0x%llx length %llu cookie 0x%llx flags %u",
				i, (unsigned long long)q.out_addr,
				(unsigned long long)q.out_length,
				(unsigned long long)q.out_cookie,
				q.out_pin_flags);
		if (wknown && q.out_watch_slot != th->vbuf[i].out_watch_slot)
			fz_fail(th, "PIN_VEC range %u: slot %u, QUERY says %u",
				i, th->vbuf[i].out_watch_slot,
				q.out_watch_slot);
		/*
		 * Ended before we looked: its runs are gone; keep a sane
		 * count. A watch-only lease never has any.
		 */
		if (!q.out_nr_runs &&
		    !(th->vbuf[i].flags & PINMGR_PIN_WATCH_ONLY))
			q.out_nr_runs = 1;
		memset(&p, 0, sizeof(p));
		p.flags = th->vbuf[i].flags;
		p.addr = th->vbuf[i].addr;
		p.length = th->vbuf[i].length;
		p.cookie = th->vbuf[i].cookie;
		p.out_handle = th->vbuf[i].out_handle;
		p.duration_ns = th->vbuf[i].duration_ns;
		p.out_nr_pages = q.out_nr_pages;
		p.out_nr_runs = q.out_nr_runs;
		p.out_watch_slot = th->vbuf[i].out_watch_slot;
		p.out_watch_gen = th->vbuf[i].out_watch_gen;
		fz_record(th, slot, &p, wknown);
	}
}

/* On a private fd nothing but our records may exist. */
static void fz_check_private_usage(struct fz_thread *th, int slot)
{
	struct pinmgr_info info, seen;
	__u64 leases, pages, ending = 0;
	unsigned int i;
	int ret, err, ms;

	if (!fz_private(slot))
		return;
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	ret = fz_ioctl(th, fz_fd(th, slot), PINMGR_IOC_GET_INFO, &info, &err);
	fz_expect(th, ret, err, 0);
	fz_slot_usage(th, slot, &leases, &pages);
	/*
	 * Leases that may have ended (expired, revoked, released on stale)
	 * keep their record, not their pages.
	 */
	for (i = 0; i < th->nleases; i++)
		if (th->leases[i].slot == slot &&
		    fz_may_lose_pages(&th->leases[i]))
			ending += th->leases[i].charged;
	if (info.ctx_leases == leases && info.ctx_pinned_pages <= pages &&
	    info.ctx_pinned_pages + ending >= pages)
		return;
	/*
	 * A failure either way; but say whether the figures come right on
	 * their own a little later: then something held on to a lease (or
	 * its pages) after the call that ended it returned.
	 */
	seen = info;
	for (ms = 0; ms < 2000; ms += 10) {
		pm_msleep(10);
		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		if (ioctl(fz_fd(th, slot), PINMGR_IOC_GET_INFO, &info))
			break;
		if (info.ctx_leases == leases && info.ctx_pinned_pages <= pages &&
		    info.ctx_pinned_pages + ending >= pages)
			fz_fail(th, "private fd slot %d holds %llu leases / %llu pages, expected %llu / %llu (%llu of them may have ended); %d ms later it was right: a lease outlived the call that ended it",
				slot, (unsigned long long)seen.ctx_leases,
				(unsigned long long)seen.ctx_pinned_pages,
				(unsigned long long)leases,
				(unsigned long long)pages,
				(unsigned long long)ending, ms + 10);
	}
	fz_fail(th, "private fd slot %d holds %llu leases / %llu pages, expected %llu / %llu (%llu of them may have ended)",
		slot, (unsigned long long)seen.ctx_leases,
		(unsigned long long)seen.ctx_pinned_pages,
		(unsigned long long)leases, (unsigned long long)pages,
		(unsigned long long)ending);
}

/* ---- Arena ------------------------------------------------------------- */

/* What a PIN of arena pages [first, first + n) must return: 0 or EFAULT. */
static int fz_range_expect(struct fz_thread *th, unsigned long first,
			   unsigned long n, __u32 flags)
{
	unsigned long i;

	for (i = first; i < first + n; i++) {
		if (th->state[i] == FZ_NONE || th->state[i] == FZ_UNMAPPED)
			return EFAULT;
		if (th->state[i] == FZ_RO && (flags & PINMGR_PIN_WRITE))
			return EFAULT;
	}
	return 0;
}

static void fz_remap(struct fz_thread *th, unsigned long first,
		     unsigned long n, int touch)
{
	char *a = th->arena + first * th->ps;
	unsigned long i;

	if (mmap(a, n * th->ps, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != a)
		fz_fail(th, "remap of the arena: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		th->state[first + i] = FZ_RW;
		if (touch)
			a[i * th->ps] = (char)(th->idx + i);
	}
}

static void fz_op_arena(struct fz_thread *th)
{
	unsigned long n = 1 + rndn(th, 16), first, i;
	unsigned int kind = rndn(th, 100);
	char *a;
	int prot, mapped = 1;

	th->arena_ops++;
	if (kind < 2) {
		fz_desc(th, "remap the whole arena");
		fz_remap(th, 0, FZ_ARENA_PAGES, rndn(th, 2));
		return;
	}
	if (kind >= 60)
		n = 1 + rndn(th, 64);
	first = rndn(th, FZ_ARENA_PAGES - n + 1);
	a = th->arena + first * th->ps;
	for (i = first; i < first + n; i++)
		if (th->state[i] == FZ_UNMAPPED)
			mapped = 0;

	if (kind < 20) {
		fz_desc(th, "munmap arena pages %lu+%lu", first, n);
		if (munmap(a, n * th->ps))
			fz_fail(th, "munmap: %s", strerror(errno));
		memset(th->state + first, FZ_UNMAPPED, n);
	} else if (kind < 40) {
		fz_desc(th, "remap arena pages %lu+%lu", first, n);
		fz_remap(th, first, n, rndn(th, 2));
	} else if (kind < 60) {
		if (!mapped)
			return;
		prot = (int)rndn(th, 3);
		fz_desc(th, "mprotect arena pages %lu+%lu to %d", first, n,
			prot);
		if (mprotect(a, n * th->ps, prot == 0 ? PROT_READ | PROT_WRITE :
			     prot == 1 ? PROT_READ : PROT_NONE))
			fz_fail(th, "mprotect: %s", strerror(errno));
		memset(th->state + first, prot == 0 ? FZ_RW :
		       prot == 1 ? FZ_RO : FZ_NONE, n);
	} else {
		if (!mapped)
			return;
		fz_desc(th, "MADV_DONTNEED arena pages %lu+%lu", first, n);
		if (madvise(a, n * th->ps, MADV_DONTNEED))
			fz_fail(th, "madvise: %s", strerror(errno));
	}
}

/* ---- Placing a request ------------------------------------------------- */

enum fz_ptr {
	FZ_P_VALID, FZ_P_ODD, FZ_P_NULL, FZ_P_KERNEL, FZ_P_GUARD, FZ_P_HOLE,
	FZ_P_STRADDLE, FZ_P_RO, FZ_P_NR,
};

enum fz_tail { FZ_T_ZERO, FZ_T_NONZERO };

/*
 * Copy the request @s (@exact bytes, its size field already set to the
 * caller's choice @usize) where @ptr says, call, copy back what the kernel
 * wrote for the pointer kinds that we own, and leave argbuf all zero again.
 */
static int fz_call(struct fz_thread *th, int fd, unsigned long cmd,
		   union fz_any *s, size_t exact, __u32 usize,
		   enum fz_ptr ptr, enum fz_tail tail, int *err)
{
	size_t span = exact, off = 0, tpos = 0;
	char *at;
	int ret;

	s->pin.size = usize;
	switch (ptr) {
	case FZ_P_VALID:
	case FZ_P_ODD:
		off = ptr == FZ_P_ODD ? 1 + rndn(th, 7) : 0;
		at = th->argbuf + off;
		memcpy(at, s, exact);
		if (usize > exact && tail == FZ_T_NONZERO) {
			tpos = exact + rndn(th, usize - exact);
			if (off + tpos < FZ_ARG_BYTES)
				at[tpos] = (char)(1 + rndn(th, 255));
			span = tpos + 1;
		}
		ret = fz_ioctl(th, fd, cmd, at, err);
		memcpy(s, at, exact);
		memset(at, 0, span < FZ_ARG_BYTES - off ? span :
		       FZ_ARG_BYTES - off);
		return ret;
	case FZ_P_STRADDLE:
		/* The first half readable, the rest in the guard page. */
		off = (exact / 2) & ~7UL;
		at = th->arg_guard - off;
		memcpy(at, s, off);
		ret = fz_ioctl(th, fd, cmd, at, err);
		memset(at, 0, off);
		return ret;
	case FZ_P_NULL:
		return fz_ioctl(th, fd, cmd, NULL, err);
	case FZ_P_KERNEL:
		return fz_ioctl(th, fd, cmd,
				(void *)(uintptr_t)(rndn(th, 2) ? FZ_KERNEL_PTR :
						    FZ_DIRECT_MAP), err);
	case FZ_P_GUARD:
		return fz_ioctl(th, fd, cmd, th->arg_guard, err);
	case FZ_P_HOLE:
		return fz_ioctl(th, fd, cmd, th->hole, err);
	case FZ_P_RO:
	default:
		return fz_ioctl(th, fd, cmd,
				th->ropage + _IOC_NR(cmd) % FZ_NR_CMDS * 128,
				err);
	}
}

/* ---- Valid calls ------------------------------------------------------- */

static void fz_pick_range(struct fz_thread *th, unsigned long *first,
			  unsigned long *n)
{
	if (!rndn(th, 48)) {
		*n = FZ_THP_PAGES;
		*first = rndn(th, 2) * FZ_THP_PAGES;
	} else {
		*n = 1 + rndn(th, 64);
		*first = rndn(th, FZ_ARENA_PAGES - *n + 1);
	}
}

/*
 * What a PIN of arena pages [first, first + n) with @flags must return: a
 * bad combination of flags first, then what pinning meets (a watch-only
 * lease pins nothing, so it meets nothing).
 */
static int fz_pin_expect(struct fz_thread *th, unsigned long first,
			 unsigned long n, __u32 flags)
{
	int err = fz_flags_errno(flags);

	if (err || (flags & PINMGR_PIN_WATCH_ONLY))
		return err;
	return fz_range_expect(th, first, n, flags);
}

static void fz_op_pin(struct fz_thread *th)
{
	int slot = (int)rndn(th, FZ_SLOTS), ret, err, want, quota = 0;
	__u32 flags = fz_pick_flags(th, 0), usize = sizeof(struct pinmgr_pin);
	unsigned long first, n, charge;
	struct fz_qwin w;
	union fz_any s;

	fz_pick_range(th, &first, &n);
	charge = fz_pin_pages(flags, n);
	if (!fz_make_room(th, charge))
		return;
	memset(&s, 0, sizeof(s));
	s.pin.flags = flags;
	s.pin.addr = (uintptr_t)(th->arena + first * th->ps);
	s.pin.length = n * th->ps;
	s.pin.cookie = rnd(th);
	s.pin.duration_ns = fz_duration(th);
	/* Sometimes as a caller from before watched leases: no slot told. */
	if (fz_watch && !rndn(th, 8))
		usize = offsetof(struct pinmgr_pin, out_watch_slot);
	want = fz_pin_expect(th, first, n, flags);
	fz_desc(th, "PIN slot %d arena pages %lu+%lu flags %u for %llu ns, size %u",
		slot, first, n, flags, (unsigned long long)s.pin.duration_ns,
		usize);
	/* Nothing to charge, so never EDQUOT: a bad request, watch-only. */
	if (charge)
		fz_quota_begin(th, &w, charge);
	ret = fz_call(th, fz_fd(th, slot), PINMGR_IOC_PIN, &s,
		      sizeof(s.pin), usize, FZ_P_VALID, FZ_T_ZERO, &err);
	if (charge)
		quota = fz_quota_end(th, &w, ret, err);
	if (fz_closed(slot, ret, err))
		return;
	if (!quota)
		fz_expect(th, ret, err, want);
	if (ret == 0)
		fz_record(th, slot, &s.pin,
			  usize >= offsetofend(struct pinmgr_pin, out_watch_gen));
	else if (!rndn(th, 4))
		fz_check_private_usage(th, slot);
}

/*
 * PIN_VEC of up to FZ_VEC arena ranges: its outcome is that of the first
 * range whose PIN would fail, at that range's index, or all leases.
 */
static void fz_op_pin_vec(struct fz_thread *th)
{
	int slot = (int)rndn(th, FZ_SLOTS), ret, err, want = 0, quota = 0;
	int check_err = 0, pin_err = 0;
	__u32 nr = 1 + (__u32)rndn(th, FZ_VEC), i, bad = nr;
	__u32 check_bad = nr, pin_bad = nr;
	unsigned long first, n, total = 0;
	struct fz_qwin w;
	union fz_any s;

	memset(th->vbuf, 0, FZ_VEC * sizeof(*th->vbuf));
	for (i = 0; i < nr; i++) {
		__u32 flags = fz_pick_flags(th, 0);

		fz_pick_range(th, &first, &n);
		if (n > 16)
			n = 1 + n % 16;
		th->vbuf[i].addr = (uintptr_t)(th->arena + first * th->ps);
		th->vbuf[i].length = n * th->ps;
		th->vbuf[i].flags = flags;
		th->vbuf[i].cookie = rnd(th);
		th->vbuf[i].duration_ns = fz_duration(th);
		/* Every range is checked before the first is pinned. */
		if (!check_err && fz_flags_errno(flags)) {
			check_err = fz_flags_errno(flags);
			check_bad = i;
		}
		if (!pin_err && !(flags & PINMGR_PIN_WATCH_ONLY)) {
			pin_err = fz_range_expect(th, first, n, flags);
			if (pin_err)
				pin_bad = i;
		}
		total += fz_pin_pages(flags, n);
	}
	want = check_err ? check_err : pin_err;
	bad = check_err ? check_bad : pin_bad;
	/* A range that fails its check fails the call before any charge. */
	if (check_err)
		total = 0;
	/* Room for all of them, on top of what is pinned. */
	while (th->nleases && (th->nleases + nr > FZ_MAX_LEASES ||
			       th->pinned + total > th->budget))
		fz_unpin_rec(th, rndn(th, th->nleases));
	if (th->nleases + nr > FZ_MAX_LEASES || th->pinned + total > th->budget)
		return;

	memset(&s, 0, sizeof(s));
	s.vec.ranges = (uintptr_t)th->vbuf;
	s.vec.nr_ranges = nr;
	s.vec.range_size = sizeof(*th->vbuf);
	fz_desc(th, "PIN_VEC slot %d of %u ranges, %lu pages", slot, nr, total);
	if (total)
		fz_quota_begin(th, &w, total);
	ret = fz_call(th, fz_fd(th, slot), PINMGR_IOC_PIN_VEC, &s,
		      sizeof(s.vec), sizeof(s.vec), FZ_P_VALID, FZ_T_ZERO,
		      &err);
	if (total)
		quota = fz_quota_end(th, &w, ret, err);
	if (fz_closed(slot, ret, err))
		return;
	/*
	 * The ranges are pinned in turn: the charge of any of them may
	 * fail, but only of one that charges something.
	 */
	if (quota && s.vec.out_error_index <= bad) {
		if (s.vec.out_error_index >= nr ||
		    !fz_pin_pages(th->vbuf[s.vec.out_error_index].flags, 1))
			fz_fail(th, "PIN_VEC: EDQUOT at range %u, which charges nothing",
				s.vec.out_error_index);
		fz_check_private_usage(th, slot);
		return;
	}
	fz_expect(th, ret, err, want);
	if (ret) {
		if (s.vec.out_error_index != bad)
			fz_fail(th, "PIN_VEC failed at range %u, expected %u",
				s.vec.out_error_index, bad);
		fz_check_private_usage(th, slot);
		return;
	}
	fz_record_vec(th, slot, nr, 1);
}

static void fz_op_unpin(struct fz_thread *th)
{
	struct pinmgr_query q;
	unsigned int i;
	__u64 h;
	int ret, err, slot;

	if (!th->nleases)
		return;
	i = rndn(th, th->nleases);
	h = th->leases[i].handle;
	fz_unpin_rec(th, i);
	/* Gone for good, from every fd. */
	if (!rndn(th, 4)) {
		memset(&q, 0, sizeof(q));
		q.size = sizeof(q);
		q.handle = h;
		fz_desc(th, "QUERY of just unpinned handle %llu",
			(unsigned long long)h);
		slot = (int)rndn(th, FZ_SLOTS);
		ret = fz_ioctl(th, fz_fd(th, slot), PINMGR_IOC_QUERY, &q, &err);
		if (!fz_closed(slot, ret, err))
			fz_expect(th, ret, err, ENOENT);
	}
}

/*
 * What QUERY says of a lease's watch agrees with itself and with the
 * lease: its slot; a stale reason and subrange exactly when it changed
 * (stale, or released on stale, or ended otherwise after it changed), the
 * subrange inside the lease; STALE only for a watched lease, INVALIDATED
 * only for one released on stale. The owner is alive, so never EXIT.
 */
static void fz_check_query_watch(struct fz_thread *th, struct fz_lease *l,
				 const struct pinmgr_query *q)
{
	int watched = !!(l->flags & PINMGR_PIN_WATCH);
	__u64 end = l->addr + l->npages * th->ps;

	if (!watched) {
		if (q->out_watch_slot || q->out_stale_reason ||
		    q->out_stale_addr || q->out_stale_length ||
		    q->out_state == PINMGR_LEASE_STALE ||
		    q->out_state == PINMGR_LEASE_INVALIDATED)
			fz_fail(th, "QUERY of unwatched lease %llu: slot %u state %u stale reason %u at 0x%llx+%llu",
				(unsigned long long)l->handle,
				q->out_watch_slot, q->out_state,
				q->out_stale_reason,
				(unsigned long long)q->out_stale_addr,
				(unsigned long long)q->out_stale_length);
		return;
	}
	if (l->wknown && q->out_watch_slot != l->wslot)
		fz_fail(th, "QUERY of lease %llu: slot %u, PIN said %u",
			(unsigned long long)l->handle, q->out_watch_slot,
			l->wslot);
	if (!q->out_watch_slot || q->out_watch_slot >= PINMGR_WATCH_SLOTS_MAX)
		fz_fail(th, "QUERY of lease %llu: slot %u",
			(unsigned long long)l->handle, q->out_watch_slot);
	if (q->out_state == PINMGR_LEASE_INVALIDATED &&
	    !(l->flags & PINMGR_PIN_RELEASE_ON_STALE))
		fz_fail(th, "lease %llu with flags %u was released on stale",
			(unsigned long long)l->handle, l->flags);
	if (!q->out_stale_reason) {
		if (q->out_stale_addr || q->out_stale_length ||
		    q->out_state == PINMGR_LEASE_STALE ||
		    q->out_state == PINMGR_LEASE_INVALIDATED)
			fz_fail(th, "QUERY of lease %llu: state %u with no stale reason, stale 0x%llx+%llu",
				(unsigned long long)l->handle, q->out_state,
				(unsigned long long)q->out_stale_addr,
				(unsigned long long)q->out_stale_length);
		return;
	}
	if ((q->out_stale_reason != PINMGR_STALE_UNMAP &&
	     q->out_stale_reason != PINMGR_STALE_DISCARD) ||
	    q->out_state == PINMGR_LEASE_ACTIVE ||
	    !q->out_stale_length || q->out_stale_addr < l->addr ||
	    q->out_stale_length > end - q->out_stale_addr ||
	    q->out_stale_addr % th->ps || q->out_stale_length % th->ps)
		fz_fail(th, "QUERY of lease %llu (0x%llx, %llu pages): state %u, stale reason %u at 0x%llx+%llu",
			(unsigned long long)l->handle,
			(unsigned long long)l->addr,
			(unsigned long long)l->npages, q->out_state,
			q->out_stale_reason,
			(unsigned long long)q->out_stale_addr,
			(unsigned long long)q->out_stale_length);
	if (q->out_state == PINMGR_LEASE_STALE)
		th->stales++;
	else if (q->out_state == PINMGR_LEASE_INVALIDATED)
		th->invalidated++;
}

static void fz_op_query(struct fz_thread *th)
{
	struct pinmgr_query q;
	struct fz_lease *l;
	unsigned int i;
	int ret, err;

	if (!th->nleases)
		return;
	i = rndn(th, th->nleases);
	l = &th->leases[i];
	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.handle = l->handle;
	fz_desc(th, "QUERY slot %d handle %llu", l->slot,
		(unsigned long long)l->handle);
	ret = fz_ioctl(th, fz_fd(th, l->slot), PINMGR_IOC_QUERY, &q, &err);
	if (fz_lost(l->slot, ret, err)) {
		/* Another thread unpinned it through LIST, or closed the file. */
		fz_forget(th, i);
		return;
	}
	fz_expect(th, ret, err, 0);
	fz_check_query_watch(th, l, &q);
	/* Stale, it holds its pages still (checked just now it may be). */
	if (q.out_state == PINMGR_LEASE_STALE)
		q.out_state = PINMGR_LEASE_ACTIVE;
	/* Released on stale (checked it may be), its runs went with it. */
	if (q.out_state == PINMGR_LEASE_INVALIDATED) {
		if (q.out_nr_runs == 0)
			q.out_nr_runs = l->nruns;
		q.out_state = PINMGR_LEASE_ACTIVE;
	}
	/* One that may have ended shows how far it got; its runs go with it. */
	if (l->may_end && q.out_state >= PINMGR_LEASE_ACTIVE &&
	    q.out_state <= PINMGR_LEASE_REVOKED) {
		if (q.out_state >= PINMGR_LEASE_EXPIRED && q.out_nr_runs == 0)
			q.out_nr_runs = l->nruns;
		q.out_state = PINMGR_LEASE_ACTIVE;
	}
	if (q.out_addr != l->addr || q.out_nr_pages != l->npages ||
	    q.out_length != l->npages * th->ps ||
	    q.out_nr_runs != l->nruns || q.out_cookie != l->cookie ||
	    q.out_pin_flags != l->flags ||
	    q.out_state != PINMGR_LEASE_ACTIVE ||
	    q.out_owner_tgid != (__u32)getpid() || q.out_owner_uid != getuid())
		fz_fail(th, "QUERY says addr 0x%llx pages %llu runs %llu cookie 0x%llx flags %u state %u tgid %u uid %u; pinned addr 0x%llx pages %llu runs %llu cookie 0x%llx flags %u",
			(unsigned long long)q.out_addr,
			(unsigned long long)q.out_nr_pages,
			(unsigned long long)q.out_nr_runs,
			(unsigned long long)q.out_cookie, q.out_pin_flags,
			q.out_state, q.out_owner_tgid, q.out_owner_uid,
			(unsigned long long)l->addr,
			(unsigned long long)l->npages,
			(unsigned long long)l->nruns,
			(unsigned long long)l->cookie, l->flags);
}

static void fz_op_list(struct fz_thread *th)
{
	int slot = (int)rndn(th, FZ_SLOTS), ret, err, idx;
	__u64 leases, pages, i;
	struct pinmgr_list l;
	struct pinmgr_unpin u;

	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.handles = (uintptr_t)th->hbuf;
	l.nr_handles = FZ_HANDLES;
	fz_desc(th, "LIST slot %d", slot);
	ret = fz_ioctl(th, fz_fd(th, slot), PINMGR_IOC_LIST, &l, &err);
	if (fz_closed(slot, ret, err))
		return;
	fz_expect(th, ret, err, 0);
	if (l.nr_handles != (l.out_total < FZ_HANDLES ? l.out_total :
			     FZ_HANDLES))
		fz_fail(th, "LIST wrote %u of %llu handles into %u entries",
			l.nr_handles, (unsigned long long)l.out_total,
			FZ_HANDLES);
	/* Handles are not ordered across CPUs, but never listed twice. */
	qsort(th->hbuf, l.nr_handles, sizeof(*th->hbuf), fz_cmp_u64);
	for (i = 1; i < l.nr_handles; i++)
		if (th->hbuf[i] == th->hbuf[i - 1])
			fz_fail(th, "LIST returned handle %llu twice",
				(unsigned long long)th->hbuf[i]);
	for (i = 0; i < l.nr_handles; i++)
		if (!th->hbuf[i])
			fz_fail(th, "LIST returned handle 0");

	if (fz_private(slot)) {
		fz_slot_usage(th, slot, &leases, &pages);
		if (l.out_total != leases)
			fz_fail(th, "LIST of a private fd: %llu leases, expected %llu",
				(unsigned long long)l.out_total,
				(unsigned long long)leases);
		for (i = 0; i < l.nr_handles; i++) {
			idx = fz_find(th, th->hbuf[i]);
			if (idx < 0 || th->leases[idx].slot != slot)
				fz_fail(th, "LIST of a private fd names handle %llu, not ours",
					(unsigned long long)th->hbuf[i]);
		}
		return;
	}
	/* Sometimes end a lease found this way: possibly another thread's. */
	if (!l.nr_handles || rndn(th, 3))
		return;
	th->steals++;
	memset(&u, 0, sizeof(u));
	u.size = sizeof(u);
	u.handle = th->hbuf[rndn(th, l.nr_handles)];
	fz_desc(th, "UNPIN slot %d handle %llu found by LIST", slot,
		(unsigned long long)u.handle);
	ret = fz_ioctl(th, fz_fd(th, slot), PINMGR_IOC_UNPIN, &u, &err);
	idx = fz_find(th, u.handle);
	/*
	 * Gone since the LIST: another thread ended it, or closed the file
	 * listed (its leases end with it).
	 */
	if (fz_lost(slot, ret, err)) {
		if (idx >= 0)
			fz_forget(th, (unsigned int)idx);
		return;
	}
	/* Another thread's lease may have ended: UNPIN acknowledges it. */
	if (ret && err != EKEYEXPIRED && err != EKEYREVOKED && err != ESTALE)
		fz_expect(th, ret, err, 0);
	if (idx >= 0) {
		if (ret && !fz_ended(&th->leases[idx], ret, err))
			fz_fail(th, "own lease %llu listed but UNPIN says %s",
				(unsigned long long)u.handle, fz_errname(err));
		fz_drop(th, (unsigned int)idx);
	}
}

static int fz_access(struct fz_thread *th, int fd, __u64 handle, __u32 flags,
		     __u64 off, __u64 len, void *buf, int *err)
{
	struct pinmgr_access a = {
		.size = sizeof(a), .flags = flags, .handle = handle,
		.offset = off, .length = len, .buf = (uintptr_t)buf,
	};

	return fz_ioctl(th, fd, PINMGR_IOC_ACCESS, &a, err);
}

/*
 * What ACCESS of [off, off + len) through watch-only lease @l must return:
 * it goes through the mapping as it is now, so a page unmapped or
 * PROT_NONE is EFAULT, and so is writing a read-only one. -1 for a lease
 * outside the arena (a chaotic one), whose mapping we do not follow:
 * 0 or EFAULT.
 */
static int fz_watch_only_expect(struct fz_thread *th, const struct fz_lease *l,
				__u64 off, __u64 len, int write)
{
	unsigned long first;

	if (!len)
		return 0;
	if (!l->in_arena)
		return -1;
	first = (l->addr - (uintptr_t)th->arena) / th->ps + off / th->ps;
	return fz_range_expect(th, first,
			       (off + len - 1) / th->ps - off / th->ps + 1,
			       write ? PINMGR_PIN_WRITE : 0);
}

/*
 * May this thread write through lease @l? A watch-only lease writes
 * through the mapping as it is now. Outside our arena (a range of the
 * chaotic requests, which starts by a guard page and runs on for up to
 * 2 MiB) that can be another thread's arena or buffers, whose contents
 * that thread checks.
 */
static int fz_owns_memory(const struct fz_lease *l)
{
	return !(l->flags & PINMGR_PIN_WATCH_ONLY) || l->in_arena;
}

/* The ACCESS of a watch-only lease returned as the mapping says. */
static void fz_expect_watch_only(struct fz_thread *th, int ret, int err,
				 int want)
{
	if (want < 0 && ret && err == EFAULT)
		return;
	fz_expect(th, ret, err, want < 0 ? 0 : want);
}

/*
 * A read back differs from what was written: say how, for the next reader
 * of the log. Which bytes, what they hold (zeros: a page replaced; bytes
 * that step by 7: another ACCESS write landed there), and whether a second
 * read agrees (if so, the memory changed; if not, our buffer did).
 */
static __attribute__((noreturn)) void
fz_read_back_differs(struct fz_thread *th, const struct fz_lease *l, int fd,
		     __u64 off, __u64 len)
{
	__u64 i, first = len, last = 0, n = 0, zeros = 0, again = 0, steps = 0;
	char bytes[16 * 3 + 1] = "";
	int ret, err;

	for (i = 0; i < len; i++) {
		if (th->iobuf[i] == th->iobuf2[i])
			continue;
		if (first == len)
			first = i;
		last = i;
		n++;
		zeros += !th->iobuf2[i];
	}
	for (i = first; i <= last && i < first + 16; i++)
		snprintf(bytes + 3 * (i - first), 4, " %02x",
			 (unsigned char)th->iobuf2[i]);
	for (i = first + 1; i <= last && i < first + 64; i++)
		steps += (unsigned char)(th->iobuf2[i] - th->iobuf2[i - 1]) == 7;
	ret = fz_access(th, fd, l->handle, 0, off, len, th->iobuf2, &err);
	for (i = 0; !ret && i < len; i++)
		again += th->iobuf[i] != th->iobuf2[i];
	pm_diag("fuzz: lease flags 0x%x at 0x%llx, %llu pages%s: %llu bytes differ from byte %llu to %llu, %llu read 0",
		l->flags, (unsigned long long)l->addr,
		(unsigned long long)l->npages,
		l->in_arena ? " in the arena" : "", (unsigned long long)n,
		(unsigned long long)(off + first),
		(unsigned long long)(off + last), (unsigned long long)zeros);
	pm_diag("fuzz: read from there:%s; %llu of the next 63 step by 7; a second read: %s, %llu bytes differ",
		bytes, (unsigned long long)steps,
		ret ? fz_errname(err) : "ok", (unsigned long long)again);
	fz_fail(th, "ACCESS read back differs from what ACCESS wrote");
}

static void fz_op_access(struct fz_thread *th)
{
	size_t iosz = FZ_IO_PAGES * th->ps;
	__u64 bytes, off, len, i;
	struct fz_lease *l;
	unsigned int k;
	int ret, err, fd, watch_only, want_w = 0, want_r = 0;

	if (!th->nleases)
		return;
	k = rndn(th, th->nleases);
	l = &th->leases[k];
	fd = fz_fd(th, l->slot);
	bytes = l->npages * th->ps;
	off = rndn(th, bytes + 1);
	len = rndn(th, (bytes - off < iosz ? bytes - off : iosz) + 1);
	watch_only = !!(l->flags & PINMGR_PIN_WATCH_ONLY);
	if (watch_only) {
		want_w = fz_watch_only_expect(th, l, off, len, 1);
		want_r = fz_watch_only_expect(th, l, off, len, 0);
	}

	if (!(l->flags & PINMGR_PIN_WRITE)) {
		fz_desc(th, "ACCESS write to read pin slot %d handle %llu",
			l->slot, (unsigned long long)l->handle);
		ret = fz_access(th, fd, l->handle, PINMGR_ACCESS_WRITE, off,
				len, th->iobuf, &err);
		if (fz_lost(l->slot, ret, err)) {
			fz_forget(th, k);
			return;
		}
		if (fz_ended(l, ret, err))
			return;
		fz_expect(th, ret, err, EACCES);
	}
	/* A read pin, or memory that is not ours to write: read only. */
	if (!(l->flags & PINMGR_PIN_WRITE) || !fz_owns_memory(l)) {
		fz_desc(th, "ACCESS read slot %d handle %llu %llu+%llu%s",
			l->slot, (unsigned long long)l->handle,
			(unsigned long long)off, (unsigned long long)len,
			watch_only ? ", watch-only" : "");
		ret = fz_access(th, fd, l->handle, 0, off, len, th->iobuf,
				&err);
		if (fz_lost(l->slot, ret, err)) {
			fz_forget(th, k);
			return;
		}
		if (fz_ended(l, ret, err))
			return;
		fz_expect_watch_only(th, ret, err, want_r);
		return;
	}

	/* Write pins: what ACCESS writes, ACCESS reads back. */
	for (i = 0; i < len; i++)
		th->iobuf[i] = (char)(i * 7 + th->op);
	fz_desc(th, "ACCESS write slot %d handle %llu %llu+%llu%s", l->slot,
		(unsigned long long)l->handle, (unsigned long long)off,
		(unsigned long long)len, watch_only ? ", watch-only" : "");
	ret = fz_access(th, fd, l->handle, PINMGR_ACCESS_WRITE, off, len,
			th->iobuf, &err);
	if (fz_lost(l->slot, ret, err)) {
		fz_forget(th, k);
		return;
	}
	if (fz_ended(l, ret, err))
		return;
	fz_expect_watch_only(th, ret, err, want_w);
	if (ret)
		return;
	memset(th->iobuf2, 0, len);
	fz_desc(th, "ACCESS read back slot %d handle %llu %llu+%llu%s",
		l->slot, (unsigned long long)l->handle,
		(unsigned long long)off, (unsigned long long)len,
		watch_only ? ", watch-only" : "");
	ret = fz_access(th, fd, l->handle, 0, off, len, th->iobuf2, &err);
	if (fz_lost(l->slot, ret, err)) {
		fz_forget(th, k);
		return;
	}
	if (fz_ended(l, ret, err))
		return;
	/* What the mapping let us write, it lets us read. */
	fz_expect(th, ret, err, 0);
	/* Only this thread writes to its private fds' leases. */
	if (fz_private(l->slot) && memcmp(th->iobuf, th->iobuf2, len))
		fz_read_back_differs(th, l, fd, off, len);
}

static void fz_op_segments(struct fz_thread *th)
{
	struct pinmgr_get_segments g;
	struct fz_lease *l;
	__u64 sum = 0, i;
	unsigned int k;
	__u32 cap;
	int ret, err;

	if (!th->nleases)
		return;
	k = rndn(th, th->nleases);
	l = &th->leases[k];
	memset(&g, 0, sizeof(g));
	g.size = sizeof(g);
	g.handle = l->handle;
	g.segments = (uintptr_t)th->sbuf;
	g.nr_segments = cap = (__u32)rndn(th, FZ_SEGS + 1);
	fz_desc(th, "GET_SEGMENTS slot %d handle %llu capacity %u", l->slot,
		(unsigned long long)l->handle, g.nr_segments);
	ret = fz_ioctl(th, fz_fd(th, l->slot), PINMGR_IOC_GET_SEGMENTS, &g,
		       &err);
	if (fz_closed(l->slot, ret, err))
		return;
	/* Physical addresses are the administrator's, whatever the lease. */
	if (fz_run.unpriv) {
		fz_expect(th, ret, err, EPERM);
		return;
	}
	if (fz_lost(l->slot, ret, err)) {
		fz_forget(th, k);
		return;
	}
	/* No pages that stay where they are, ended or not. */
	if (l->flags & PINMGR_PIN_WATCH_ONLY) {
		fz_expect(th, ret, err, EINVAL);
		return;
	}
	if (fz_ended(l, ret, err))
		return;
	fz_expect(th, ret, err, 0);
	if (g.out_total != l->nruns)
		fz_fail(th, "GET_SEGMENTS out_total %llu, PIN said %llu runs",
			(unsigned long long)g.out_total,
			(unsigned long long)l->nruns);
	if (g.nr_segments != (g.out_total < cap ? g.out_total : cap))
		fz_fail(th, "GET_SEGMENTS wrote %u of %llu segments into %u entries",
			g.nr_segments, (unsigned long long)g.out_total, cap);
	for (i = 0; i < g.nr_segments; i++) {
		if (!th->sbuf[i].length || th->sbuf[i].length % th->ps ||
		    th->sbuf[i].phys_addr % th->ps)
			fz_fail(th, "segment %llu: phys 0x%llx length %llu",
				(unsigned long long)i,
				(unsigned long long)th->sbuf[i].phys_addr,
				(unsigned long long)th->sbuf[i].length);
		sum += th->sbuf[i].length;
	}
	if (g.nr_segments == g.out_total && sum != l->npages * th->ps)
		fz_fail(th, "segments add up to %llu bytes, the lease has %llu",
			(unsigned long long)sum,
			(unsigned long long)(l->npages * th->ps));
	if (sum > l->npages * th->ps)
		fz_fail(th, "segments add up to %llu bytes, more than the lease's %llu",
			(unsigned long long)sum,
			(unsigned long long)(l->npages * th->ps));
}

/* RENEW one of our leases: a new end, none, or an answer that it ended. */
static void fz_op_renew(struct fz_thread *th)
{
	struct pinmgr_renew r;
	struct fz_lease *l;
	unsigned int k;
	int ret, err;

	if (!th->nleases)
		return;
	k = rndn(th, th->nleases);
	l = &th->leases[k];
	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.handle = l->handle;
	r.duration_ns = fz_duration(th);
	fz_desc(th, "RENEW slot %d handle %llu for %llu ns", l->slot,
		(unsigned long long)l->handle,
		(unsigned long long)r.duration_ns);
	ret = fz_ioctl(th, fz_fd(th, l->slot), PINMGR_IOC_RENEW, &r, &err);
	if (fz_lost(l->slot, ret, err)) {
		fz_forget(th, k);
		return;
	}
	/* Under a break only if we revoked it ourselves. */
	if (fz_ended(l, ret, err) || (l->may_end && ret && err == EBUSY))
		return;
	fz_expect(th, ret, err, 0);
	if (r.duration_ns)
		l->may_end = 1;
}

/*
 * Forks wait for open dma-bufs to be closed: a child's copy would keep a
 * lease's pages pinned past the UNPIN the bookkeeping counts.
 */
static pthread_rwlock_t fz_fork_lock = PTHREAD_RWLOCK_INITIALIZER;

static void fz_op_export_locked(struct fz_thread *th, struct fz_lease *l,
				unsigned int k);
static void fz_export_to_device(struct fz_thread *th, struct fz_lease *l,
				int dbuf);
static void fz_area_unmap(struct fz_thread *th);

/*
 * EXPORT one of our leases, read a page through the dma-buf where the
 * lease cannot lose its pages meanwhile, and close it again: a dma-buf
 * kept open would keep pages pinned past the UNPINs the bookkeeping
 * counts.
 */
static void fz_op_export(struct fz_thread *th)
{
	unsigned int k;

	if (!th->nleases)
		return;
	k = rndn(th, th->nleases);
	pthread_rwlock_rdlock(&fz_fork_lock);
	fz_op_export_locked(th, &th->leases[k], k);
	pthread_rwlock_unlock(&fz_fork_lock);
}

static void fz_op_export_locked(struct fz_thread *th, struct fz_lease *l,
				unsigned int k)
{
	struct pinmgr_export e;
	int ret, err;
	char *m;

	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	e.handle = l->handle;
	fz_desc(th, "EXPORT slot %d handle %llu", l->slot,
		(unsigned long long)l->handle);
	ret = fz_ioctl(th, fz_fd(th, l->slot), PINMGR_IOC_EXPORT, &e, &err);
	if (fz_lost(l->slot, ret, err)) {
		fz_forget(th, k);
		return;
	}
	if (fz_ended(l, ret, err) || (l->may_end && ret && err == EBUSY))
		return;
	if (l->flags & PINMGR_PIN_WATCH_ONLY) {
		fz_expect(th, ret, err, EINVAL);
		return;
	}
	/* A watched lease whose range changed cannot be exported. */
	if ((l->flags & PINMGR_PIN_WATCH) && ret && err == ESTALE)
		return;
	fz_expect(th, ret, err, 0);
	if (ret)
		return;
	if (fcntl(e.out_fd, F_GETFD) != FD_CLOEXEC)
		fz_fail(th, "EXPORT's dma-buf is not close-on-exec");
	/*
	 * Into the thread's reserved area, as the status area goes: a page
	 * the kernel picked could be in a hole of another thread's arena,
	 * which that thread may unmap at any moment.
	 */
	if (!fz_may_lose_pages(l) && l->npages && rndn(th, 2)) {
		m = mmap(th->areares, th->ps, PROT_READ, MAP_SHARED | MAP_FIXED,
			 e.out_fd, rndn(th, l->npages) * th->ps);
		if (m != th->areares)
			fz_fail(th, "mmap of an exported lease: %s",
				strerror(errno));
		else
			(void)*(volatile char *)m;
		fz_area_unmap(th);
	}
	if (rndn(th, 2))
		fz_export_to_device(th, l, e.out_fd);
	close(e.out_fd);
}

/*
 * Where the machine has the test importer (run-vm -e): attach the dma-buf
 * to edu, statically, dynamically or dynamically and pinned, map it for
 * the device and let go, while other threads unpin, revoke and close. A
 * lease that may have ended may be refused (ENODEV); a read-only one only
 * in a direction that lets the device write (EACCES), which a static
 * attachment of kernels that map at attach time asks for.
 */
static void fz_export_to_device(struct fz_thread *th, struct fz_lease *l,
				int dbuf)
{
	static const char *const kinds[] = { "static", "dynamic", "pinned" };
	static const __u32 kind_flags[] = { 0, PMI_DYNAMIC,
					    PMI_DYNAMIC | PMI_PINNED };
	bool ro = !(l->flags & PINMGR_PIN_WRITE);
	unsigned int kind = rndn(th, 3);
	bool dynamic = kind_flags[kind] & PMI_DYNAMIC;
	struct pmi_attach at = { .fd = dbuf, .flags = kind_flags[kind] };
	struct pmi_map m = { .dir = ro ? PMI_TO_DEVICE : rndn(th, 3) };
	int imp, err;

	imp = open("/dev/pinmgr_importer", O_RDWR | O_CLOEXEC);
	if (imp < 0)
		return;
	fz_desc(th, "device %s attach of slot %d handle %llu", kinds[kind],
		l->slot, (unsigned long long)l->handle);
	if (ioctl(imp, PMI_IOC_ATTACH, &at)) {
		err = errno;
		if (!(fz_may_lose_pages(l) && err == ENODEV) &&
		    !(ro && !dynamic && err == EACCES))
			fz_fail(th, "attach of an export to edu: %s",
				strerror(err));
		goto out;
	}
	m.id = at.out_id;
	if (ioctl(imp, PMI_IOC_MAP, &m)) {
		err = errno;
		if (!(fz_may_lose_pages(l) && err == ENODEV) &&
		    !(ro && !dynamic && err == EACCES))
			fz_fail(th, "map of an export for edu: %s",
				strerror(err));
	} else if (m.out_size != (__u64)l->npages * th->ps) {
		fz_fail(th, "map of an export for edu: %llu bytes of %llu",
			(unsigned long long)m.out_size,
			(unsigned long long)l->npages * th->ps);
	} else {
		th->device_maps++;
	}
	if (ioctl(imp, PMI_IOC_DETACH, &m.id))
		fz_fail(th, "detach from edu: %s", strerror(errno));
out:
	close(imp);
}

/* REVOKE one of our own leases: a short break, or at once. */
static void fz_op_revoke(struct fz_thread *th)
{
	struct pinmgr_revoke r;
	struct fz_lease *l;
	unsigned int k;
	int ret, err, slot;

	if (!th->nleases)
		return;
	k = rndn(th, th->nleases);
	l = &th->leases[k];
	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.handle = l->handle;
	r.flags = rndn(th, 2) ? PINMGR_REVOKE_NOW : 0;
	slot = (int)rndn(th, FZ_SLOTS);
	fz_desc(th, "REVOKE%s slot %d handle %llu through slot %d",
		r.flags ? " now" : "", l->slot, (unsigned long long)l->handle,
		slot);
	/* From any fd: revocation is device-wide. */
	ret = fz_ioctl(th, fz_fd(th, slot), PINMGR_IOC_REVOKE, &r, &err);
	if (fz_closed(slot, ret, err))
		return;
	/* The administrator's power, even over one's own lease. */
	if (fz_run.unpriv) {
		fz_expect(th, ret, err, EPERM);
		return;
	}
	/*
	 * Device-wide: ENOENT means the lease is gone for good; ESRCH that
	 * its owner let go of it while a dma-buf of it is open (HELD), a
	 * break having no one to warn, so it is gone for its owner.
	 */
	if (ret && !fz_private(l->slot) && err == ENOENT) {
		fz_drop(th, k);
		return;
	}
	if (ret && err == ESRCH && !r.flags) {
		fz_drop(th, k);
		return;
	}
	if (fz_ended(l, ret, err) || (l->may_end && ret && err == EBUSY)) {
		l->may_end = 1;
		return;
	}
	fz_expect(th, ret, err, 0);
	l->may_end = 1;
	if (!r.out_deadline_ns)
		fz_fail(th, "REVOKE gave no deadline");
}

/* Read whatever events a file has, without waiting; each is well formed. */
static void fz_op_events(struct fz_thread *th)
{
	int slot = (int)rndn(th, FZ_SLOTS), fd = fz_fd(th, slot);
	struct pinmgr_event ev[8];
	ssize_t n, i;

	fz_desc(th, "read events of slot %d", slot);
	/* Every fuzzer fd is O_NONBLOCK: an empty queue is EAGAIN. */
	n = read(fd, ev, rndn(th, 2) ? sizeof(ev) : sizeof(ev[0]));
	if (n < 0) {
		if (errno == EAGAIN || fz_closed(slot, -1, errno))
			return;
		fz_fail(th, "read of events: %s", fz_errname(errno));
	}
	if (n == 0 || n % sizeof(ev[0]))
		fz_fail(th, "read of events returned %zd bytes", n);
	for (i = 0; i < n / (ssize_t)sizeof(ev[0]); i++) {
		int stale = ev[i].type == PINMGR_EVENT_STALE;

		if (ev[i].size != sizeof(ev[i]) || !ev[i].time_ns ||
		    ev[i].type < PINMGR_EVENT_EXPIRED ||
		    ev[i].type > fz_last_event ||
		    (ev[i].type == PINMGR_EVENT_OVERFLOW) != !ev[i].handle ||
		    (ev[i].type == PINMGR_EVENT_OVERFLOW) != !!ev[i].lost ||
		    (ev[i].type == PINMGR_EVENT_BREAKING) != !!ev[i].deadline_ns ||
		    /* A stale event says how and where; no other does. */
		    stale != !!ev[i].reason || stale != !!ev[i].length ||
		    (!stale && ev[i].addr) ||
		    ev[i].reason > PINMGR_STALE_EXIT ||
		    ev[i].addr % th->ps || ev[i].length % th->ps ||
		    ev[i].__reserved || ev[i].__reserved2)
			fz_fail(th, "event: size %u type %u handle %llu lost %llu deadline %llu reason %u at 0x%llx+%llu",
				ev[i].size, ev[i].type,
				(unsigned long long)ev[i].handle,
				(unsigned long long)ev[i].lost,
				(unsigned long long)ev[i].deadline_ns,
				ev[i].reason,
				(unsigned long long)ev[i].addr,
				(unsigned long long)ev[i].length);
	}
}

static void fz_op_info(struct fz_thread *th)
{
	int slot = (int)rndn(th, FZ_SLOTS), ret, err;
	struct pinmgr_info info;

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	fz_desc(th, "GET_INFO slot %d", slot);
	ret = fz_ioctl(th, fz_fd(th, slot), PINMGR_IOC_GET_INFO, &info, &err);
	if (fz_closed(slot, ret, err))
		return;
	fz_expect(th, ret, err, 0);
	if (info.abi_version != PINMGR_ABI_VERSION ||
	    info.page_size != th->ps ||
	    !(info.out_flags & PINMGR_INFO_OWNER_MM) ||
	    !!(info.out_flags & PINMGR_INFO_CAP_IPC_LOCK) == fz_run.unpriv)
		fz_fail(th, "GET_INFO abi %u page_size %u out_flags 0x%x",
			info.abi_version, info.page_size, info.out_flags);
	/* No sequence of calls takes a user past its RLIMIT_MEMLOCK. */
	if (fz_run.unpriv && (info.memlock_limit_pages != fz_run.limit ||
			      info.user_pinned_pages > fz_run.limit))
		fz_fail(th, "GET_INFO: the user has %llu pages pinned, its limit is %llu (RLIMIT_MEMLOCK %llu)",
			(unsigned long long)info.user_pinned_pages,
			(unsigned long long)info.memlock_limit_pages,
			(unsigned long long)fz_run.limit);
	fz_check_private_usage(th, slot);
}

/* ---- The status area ---------------------------------------------------- */

/*
 * A mapping of the status area that must be refused with @want: if it
 * was not, it is unmapped before the failure is reported.
 */
static void fz_area_refused(struct fz_thread *th, int slot, void *m,
			    size_t len, int err, int want)
{
	if (m != MAP_FAILED) {
		munmap(m, len);
		fz_fail(th, "the mapping was made, %s expected",
			fz_errname(want));
	}
	if (fz_closed(slot, -1, err))
		return;
	fz_expect(th, -1, err, want);
}

/*
 * The first @pages pages of the status area of @slot's file, read-only,
 * over the thread's reservation (never where another thread's arena may
 * be mapped again); NULL if the shared file was closed meanwhile.
 */
static const volatile __u64 *fz_area_map(struct fz_thread *th, int slot,
					 size_t pages)
{
	void *a = mmap(th->areares, pages * th->ps, PROT_READ,
		       MAP_SHARED | MAP_FIXED, fz_fd(th, slot),
		       PINMGR_WATCH_MMAP_OFFSET);

	if (a == MAP_FAILED) {
		/* Bad file descriptors are refused before anything moves. */
		if (fz_closed(slot, -1, errno))
			return NULL;
		fz_fail(th, "mmap of the status area: %s",
			fz_errname(errno));
	}
	if (a != th->areares)
		fz_fail(th, "the status area was mapped at %p, not at %p", a,
			(void *)th->areares);
	return a;
}

/* Put the reservation back in place of the area. */
static void fz_area_unmap(struct fz_thread *th)
{
	if (mmap(th->areares, FZ_AREA_PAGES * th->ps, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
		 -1, 0) != th->areares)
		fz_fail(th, "restoring the area's reservation: %s",
			strerror(errno));
}

/*
 * The word of our watched lease @i, read around a QUERY of it: a live
 * lease maps what it holds exactly while its word is at the generation
 * PIN returned, so the word moved only if QUERY no longer says ACTIVE,
 * and a lease QUERY calls stale or released on stale has its word moved
 * (before the call that changed its range returned: the changes to our
 * arena are all this thread's own, done). While the lease lives the word
 * only grows. -1 if the lease is gone (and forgotten), else whether it
 * went stale (by QUERY: after it, another thread may end a lease of a
 * shared file, which moves its word too).
 */
static int fz_check_word(struct fz_thread *th, unsigned int i,
			 const volatile __u64 *area)
{
	struct fz_lease *l = &th->leases[i];
	struct pinmgr_query q;
	__u64 w1, w2;
	int ret, err;

	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.handle = l->handle;
	fz_desc(th, "word of slot %u of lease %llu on slot %d, and QUERY",
		l->wslot, (unsigned long long)l->handle, l->slot);
	w1 = __atomic_load_n(&area[l->wslot], __ATOMIC_ACQUIRE);
	ret = fz_ioctl(th, fz_fd(th, l->slot), PINMGR_IOC_QUERY, &q, &err);
	w2 = __atomic_load_n(&area[l->wslot], __ATOMIC_ACQUIRE);
	if (fz_lost(l->slot, ret, err)) {
		fz_forget(th, i);
		return -1;
	}
	fz_expect(th, ret, err, 0);
	fz_check_query_watch(th, l, &q);
	th->words++;
	if (w1 < l->wgen || w2 < w1 ||
	    (w1 != l->wgen && q.out_state == PINMGR_LEASE_ACTIVE) ||
	    (w2 == l->wgen && (q.out_state == PINMGR_LEASE_STALE ||
			       q.out_state == PINMGR_LEASE_INVALIDATED)))
		fz_fail(th, "lease %llu: word %llu then %llu, generation %llu, QUERY says state %u (stale reason %u)",
			(unsigned long long)l->handle,
			(unsigned long long)w1, (unsigned long long)w2,
			(unsigned long long)l->wgen, q.out_state,
			q.out_stale_reason);
	return q.out_stale_reason != 0;
}

/* Map the first @pages pages of @slot's area: its words agree with ours. */
static void fz_check_area(struct fz_thread *th, int slot, size_t pages)
{
	__u32 span = pages * th->ps / sizeof(__u64);
	const volatile __u64 *area;
	unsigned int i, moved = 0;
	__u64 count;

	fz_desc(th, "map %zu pages of slot %d's status area", pages, slot);
	area = fz_area_map(th, slot, pages);
	if (!area)
		return;
	th->area_maps++;
	if (!rndn(th, 4)) {
		fz_desc(th, "mprotect of slot %d's status area to writable",
			slot);
		if (mprotect((void *)area, pages * th->ps,
			     PROT_READ | PROT_WRITE) != -1 || errno != EACCES)
			fz_fail(th, "mprotect of the status area to writable: %s",
				fz_errname(errno));
	}
	for (i = th->nleases; i-- > 0;) {
		struct fz_lease *l = &th->leases[i];

		if (l->slot == slot && l->wknown && l->wslot < span &&
		    fz_check_word(th, i, area) > 0)
			moved++;
	}
	/*
	 * Slot 0 counts the context's leases that ever went stale: at least
	 * those of ours that QUERY found stale (counted right after their
	 * word moved, in our own calls, all returned).
	 */
	count = __atomic_load_n(&area[0], __ATOMIC_ACQUIRE);
	if (count < moved)
		fz_fail(th, "slot %d's area counts %llu stale leases, %u of ours are",
			slot, (unsigned long long)count, moved);
	fz_area_unmap(th);
}

/*
 * The status areas of our files: never writable, only from the start and
 * within the size; mapped, their words agree with our leases.
 */
static void fz_op_watch(struct fz_thread *th)
{
	int slot = (int)rndn(th, FZ_SLOTS), fd = fz_fd(th, slot);
	unsigned int kind = rndn(th, 8);
	size_t len;
	off_t off;
	void *m;

	if (!fz_watch)
		return;
	if (kind == 0) {
		int shared = (int)rndn(th, 2);

		fz_desc(th, "mmap of slot %d's status area writable, %s",
			slot, shared ? "shared" : "private");
		m = mmap(NULL, th->ps, PROT_READ | PROT_WRITE,
			 shared ? MAP_SHARED : MAP_PRIVATE, fd,
			 PINMGR_WATCH_MMAP_OFFSET);
		fz_area_refused(th, slot, m, th->ps, errno, EPERM);
		return;
	}
	if (kind == 1) {
		if (rndn(th, 2)) {
			len = th->ps;
			off = (off_t)(th->ps * (1 + rndn(th, 16)));
		} else {
			len = (size_t)PINMGR_WATCH_SLOTS_MAX * sizeof(__u64) +
			      th->ps * (1 + rndn(th, 4));
			off = PINMGR_WATCH_MMAP_OFFSET;
		}
		fz_desc(th, "mmap of slot %d's status area, %zu bytes at %lld",
			slot, len, (long long)off);
		m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, off);
		fz_area_refused(th, slot, m, len, errno, EINVAL);
		return;
	}
	for (slot = 0; slot < FZ_SLOTS; slot++)
		fz_check_area(th, slot, 1 + rndn(th, FZ_AREA_PAGES));
}

/* ---- Requests with exactly one defect ---------------------------------- */

/* A well-formed request of command @nr on @slot, using a lease if any. */
static void fz_valid_request(struct fz_thread *th, unsigned int nr, int slot,
			     union fz_any *s, struct fz_lease **lp)
{
	struct fz_lease *l = NULL;
	unsigned int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < th->nleases; i++) {
		if (th->leases[i].slot == slot) {
			l = &th->leases[i];
			if (!rndn(th, 2))
				break;
		}
	}
	*lp = l;
	switch (nr) {
	case PINMGR_CMD_PIN:
		/*
		 * rotarget is always mapped read-write. Never watch-only:
		 * the defects of pinning (PROT_NONE, the device's limit)
		 * would not bite.
		 */
		s->pin.addr = (uintptr_t)th->rotarget;
		s->pin.length = th->ps;
		s->pin.flags = fz_pick_flags(th, 1) & ~PINMGR_PIN_WATCH_ONLY;
		break;
	case PINMGR_CMD_UNPIN:
		s->unpin.handle = l ? l->handle : 0;
		break;
	case PINMGR_CMD_QUERY:
		s->query.handle = l ? l->handle : 0;
		break;
	case PINMGR_CMD_LIST:
		s->list.handles = (uintptr_t)th->hbuf;
		s->list.nr_handles = FZ_HANDLES;
		break;
	case PINMGR_CMD_ACCESS:
		s->access.handle = l ? l->handle : 0;
		s->access.length = l ? rndn(th, th->ps + 1) : 0;
		s->access.buf = (uintptr_t)th->iobuf;
		break;
	case PINMGR_CMD_GET_SEGMENTS:
		s->segs.handle = l ? l->handle : 0;
		s->segs.segments = (uintptr_t)th->sbuf;
		s->segs.nr_segments = FZ_SEGS;
		break;
	case PINMGR_CMD_PIN_VEC:
		/* One or two pages of rotarget, always mapped read-write. */
		memset(th->vbuf, 0, FZ_VEC * sizeof(*th->vbuf));
		s->vec.nr_ranges = 1 + (__u32)rndn(th, 2);
		for (i = 0; i < s->vec.nr_ranges; i++) {
			th->vbuf[i].addr = (uintptr_t)th->rotarget;
			th->vbuf[i].length = th->ps;
			th->vbuf[i].flags = fz_pick_flags(th, 1) &
					    ~PINMGR_PIN_WATCH_ONLY;
		}
		s->vec.ranges = (uintptr_t)th->vbuf;
		s->vec.range_size = sizeof(*th->vbuf);
		break;
	case PINMGR_CMD_RENEW:
		s->renew.handle = l ? l->handle : 0;
		s->renew.duration_ns = rndn(th, 2) ? 3600000000000ULL : 0;
		break;
	case PINMGR_CMD_REVOKE:
		s->revoke.handle = l ? l->handle : 0;
		break;
	case PINMGR_CMD_EXPORT:
		s->export.handle = l ? l->handle : 0;
		break;
	}
}

/*
 * A handle that names no lease of any fd we can reach (or, with @other_fd,
 * one of ours on another fd: dead for every command but REVOKE).
 */
static __u64 fz_dead_handle_of(struct fz_thread *th, int slot, int other_fd)
{
	unsigned int i, kind = rndn(th, 4);

	if (kind == 2 && !other_fd)
		kind = 3;
	switch (kind) {
	case 0:
		return 0;
	case 1:
		if (th->nstale)
			return th->stale[rndn(th, th->nstale < FZ_STALE ?
						   th->nstale : FZ_STALE)];
		return 0;
	case 2:
		/* A live lease, but of another fd. */
		for (i = 0; i < th->nleases; i++)
			if (th->leases[i].slot != slot)
				return th->leases[i].handle;
		return 0;
	default:
		return rnd(th) | (1ULL << 63);
	}
}

static __u64 fz_dead_handle(struct fz_thread *th, int slot)
{
	return fz_dead_handle_of(th, slot, 1);
}

/* After a request that failed: a private fd holds only what we recorded. */
static void fz_after_defect(struct fz_thread *th, unsigned int nr, int slot)
{
	if (nr == PINMGR_CMD_PIN || nr == PINMGR_CMD_UNPIN ||
	    nr == PINMGR_CMD_PIN_VEC || !rndn(th, 8))
		fz_check_private_usage(th, slot);
}

static void fz_op_defect(struct fz_thread *th)
{
	unsigned int nr = rndn(th, FZ_NR_CMDS), kind = rndn(th, 12);
	int slot = (int)rndn(th, FZ_SLOTS), fd = fz_fd(th, slot);
	size_t exact = fz_sizes[nr];
	enum fz_ptr ptr = FZ_P_VALID;
	enum fz_tail tail = FZ_T_ZERO;
	unsigned long cmd = _IO(PINMGR_TYPE, nr);
	__u32 usize = (__u32)exact;
	struct fz_lease *l;
	union fz_any s;
	int want, ret, err, quota;
	const char *what = "";
	__u32 vec_index = ~0U;	/* the range a PIN_VEC defect must name */
	unsigned long charge = 0;	/* pages charged before the defect bites */
	struct fz_qwin w;

	fz_valid_request(th, nr, slot, &s, &l);
	switch (kind) {
	case 0: {
		static const unsigned int types[] = { 0xB8, 0xBA, 0x39, 0xB9 };
		unsigned int t = types[rndn(th, 4)];

		what = "bad ioctl number";
		switch (rndn(th, 4)) {
		case 0:
			cmd = _IO(t, t == PINMGR_TYPE ? FZ_NR_CMDS +
				  rndn(th, 256 - FZ_NR_CMDS) : nr);
			break;
		case 1:
			cmd = _IOC(_IOC_WRITE, t, nr, exact);
			break;
		case 2:
			cmd = _IOC(_IOC_READ, t, nr, exact);
			break;
		default:
			cmd = _IOC(_IOC_READ | _IOC_WRITE, t, nr,
				   rndn(th, 1 << _IOC_SIZEBITS));
			if (cmd == _IO(PINMGR_TYPE, nr))
				cmd |= 1UL << _IOC_SIZESHIFT;
			break;
		}
		want = ENOTTY;
		break;
	}
	case 1: {
		static const __u32 small[] = { 0, 1, 4, 8 };

		what = "size too small";
		usize = rndn(th, 2) ? small[rndn(th, 4)] :
			(__u32)fz_min_sizes[nr] - 1 -
			(__u32)rndn(th, 8);
		want = EINVAL;
		break;
	}
	case 2: {
		static const __u32 big[] = { 0, 4096, 65536 };
		__u32 b = big[rndn(th, 3)];

		what = "non-zero tail";
		usize = b ? b : (__u32)exact + 8;
		tail = FZ_T_NONZERO;
		want = E2BIG;
		break;
	}
	case 3:
		what = "unknown flag";
		s.pin.flags |= 1U << (fz_pin_flag_bits() +
				      rndn(th, 32 - fz_pin_flag_bits()));
		if (nr != PINMGR_CMD_PIN && rndn(th, 2))
			s.pin.flags = 1U << rndn(th, 32);
		if (nr == PINMGR_CMD_ACCESS && s.pin.flags == PINMGR_ACCESS_WRITE)
			s.pin.flags = 2;
		if (nr == PINMGR_CMD_REVOKE && s.pin.flags == PINMGR_REVOKE_NOW)
			s.pin.flags = 2;
		/* A PIN_VEC's own defect belongs to no single range. */
		if (nr == PINMGR_CMD_PIN_VEC)
			vec_index = s.vec.nr_ranges;
		want = EOPNOTSUPP;
		break;
	case 4: {
		static const enum fz_ptr bad[] = {
			FZ_P_NULL, FZ_P_KERNEL, FZ_P_GUARD, FZ_P_STRADDLE,
		};

		what = "bad argument pointer";
		ptr = bad[rndn(th, 4)];
		want = EFAULT;
		break;
	}
	case 5:
		/* Prepared in a read-only page: the reply cannot be written. */
		what = "read-only argument";
		ptr = FZ_P_RO;
		/* A PIN pins its page before the reply cannot be written. */
		if (nr == PINMGR_CMD_PIN)
			charge = 1;
		if (nr == PINMGR_CMD_UNPIN)
			want = ENOENT;
		else if (nr == PINMGR_CMD_GET_INFO || nr == PINMGR_CMD_PIN ||
			 nr == PINMGR_CMD_LIST || nr == PINMGR_CMD_PIN_VEC)
			want = EFAULT;
		else if (nr == PINMGR_CMD_RENEW)
			want = ENOENT;	/* handle 0; RENEW writes nothing back */
		else if (nr == PINMGR_CMD_REVOKE)
			want = EFAULT;	/* the reply comes before the revocation */
		else
			return;
		break;
	case 6:
		what = "non-zero reserved field";
		if (nr == PINMGR_CMD_GET_INFO) {
			s.info.__reserved = 1U << rndn(th, 32);
		} else if (nr == PINMGR_CMD_LIST) {
			s.list.__reserved = 1U << rndn(th, 32);
		} else if (nr == PINMGR_CMD_GET_SEGMENTS) {
			s.segs.__reserved = 1U << rndn(th, 32);
		} else if (nr == PINMGR_CMD_EXPORT) {
			s.export.__reserved = 1U << rndn(th, 32);
		} else if (nr == PINMGR_CMD_PIN_VEC) {
			s.vec.__reserved = 1U << rndn(th, 32);
			vec_index = s.vec.nr_ranges;
		} else if (nr == PINMGR_CMD_PIN) {
			if (fz_watch && rndn(th, 2))
				s.pin.__reserved2 = 1U << rndn(th, 32);
			else
				s.pin.__reserved = 1U << rndn(th, 32);
		} else {
			return;
		}
		want = EINVAL;
		break;
	case 7:
		what = "dead handle";
		if (nr == PINMGR_CMD_UNPIN)
			s.unpin.handle = fz_dead_handle(th, slot);
		else if (nr == PINMGR_CMD_QUERY)
			s.query.handle = fz_dead_handle(th, slot);
		else if (nr == PINMGR_CMD_ACCESS)
			s.access.handle = fz_dead_handle(th, slot);
		else if (nr == PINMGR_CMD_GET_SEGMENTS)
			s.segs.handle = fz_dead_handle(th, slot);
		else if (nr == PINMGR_CMD_RENEW)
			s.renew.handle = fz_dead_handle(th, slot);
		else if (nr == PINMGR_CMD_REVOKE)
			s.revoke.handle = fz_dead_handle_of(th, slot, 0);
		else if (nr == PINMGR_CMD_EXPORT)
			s.export.handle = fz_dead_handle(th, slot);
		else
			return;
		want = ENOENT;
		break;
	default:
		/* Command-specific defects. */
		if (nr == PINMGR_CMD_PIN) {
			__u64 ps = th->ps;

			switch (rndn(th, fz_watch ? 12 : 9)) {
			case 9:
				what = "RELEASE_ON_STALE without WATCH";
				s.pin.flags = (s.pin.flags & ~FZ_WATCH_FLAGS) |
					      PINMGR_PIN_RELEASE_ON_STALE;
				want = EINVAL;
				break;
			case 10:
				what = "WATCH_ONLY with LONGTERM";
				s.pin.flags = (s.pin.flags & PINMGR_PIN_WRITE) |
					      PINMGR_PIN_WATCH_ONLY |
					      PINMGR_PIN_LONGTERM |
					      (rndn(th, 2) ? PINMGR_PIN_WATCH : 0);
				want = EINVAL;
				break;
			case 11:
				what = "WATCH_ONLY with RELEASE_ON_STALE";
				s.pin.flags = (s.pin.flags & PINMGR_PIN_WRITE) |
					      PINMGR_PIN_WATCH_ONLY |
					      PINMGR_PIN_RELEASE_ON_STALE |
					      (rndn(th, 2) ? PINMGR_PIN_WATCH : 0);
				want = EINVAL;
				break;
			case 0:
				what = "zero length";
				s.pin.length = 0;
				want = EINVAL;
				break;
			case 1:
				what = "unaligned address";
				s.pin.addr += 1 + rndn(th, ps - 1);
				want = EINVAL;
				break;
			case 2:
				what = "unaligned length";
				s.pin.length += 1 + rndn(th, ps - 1);
				want = EINVAL;
				break;
			case 3:
				what = "wrapping range";
				s.pin.addr = -(ps * (1 + rndn(th, 4)));
				s.pin.length = ps * (8 + rndn(th, 8));
				want = EINVAL;
				break;
			case 4:
				what = "range beyond user space";
				s.pin.addr = rndn(th, 2) ? FZ_DIRECT_MAP :
					     (1ULL << 47) - ps;
				s.pin.length = 2 * ps;
				want = EFAULT;
				break;
			case 5:
				what = "PROT_NONE page";
				s.pin.addr = (uintptr_t)th->arg_guard;
				charge = 1;
				want = EFAULT;
				break;
			case 6:
				what = "range running into PROT_NONE";
				s.pin.addr = (uintptr_t)th->io_guard -
					     ps * (1 + rndn(th, 4));
				s.pin.length = ps * 8;
				charge = 8;
				want = EFAULT;
				break;
			case 7:
				if (!fz_max_lease_pages ||
				    fz_max_lease_pages > (1ULL << 34))
					return;
				what = "more pages than max_lease_pages";
				s.pin.addr = 1ULL << 30;
				s.pin.length = (fz_max_lease_pages + 1 +
						rndn(th, 4)) * ps;
				want = EFBIG;
				break;
			default:
				/* One lease bigger than the device may pin. */
				if (!fz_max_device_pages ||
				    fz_max_device_pages > (1ULL << 34) ||
				    (fz_max_lease_pages &&
				     fz_max_lease_pages <= fz_max_device_pages))
					return;
				what = "more pages than max_device_pages";
				s.pin.addr = 1ULL << 30;
				s.pin.length = (fz_max_device_pages + 1) * ps;
				want = ENOSPC;
				break;
			}
		} else if (nr == PINMGR_CMD_ACCESS && l) {
			__u64 bytes = l->npages * th->ps;

			switch (rndn(th, 4)) {
			case 0:
				what = "ACCESS beyond the lease";
				s.access.offset = bytes - rndn(th, 2);
				s.access.length = 1 + rndn(th, 2) +
						  (bytes - s.access.offset);
				want = EINVAL;
				break;
			case 1:
				what = "ACCESS offset + length wraps";
				s.access.offset = ~0ULL - rndn(th, 16);
				s.access.length = 17 + rndn(th, 64);
				want = EINVAL;
				break;
			case 2:
				if (l->flags & PINMGR_PIN_WRITE)
					return;
				what = "ACCESS write to a read pin";
				s.access.flags = PINMGR_ACCESS_WRITE;
				s.access.length = rndn(th, bytes + 1);
				want = EACCES;
				break;
			default:
				what = "ACCESS with a bad buffer";
				s.access.buf = rndn(th, 2) ? 0 :
					       (uintptr_t)th->io_guard;
				s.access.offset = 0;
				s.access.length = 1 + rndn(th, bytes);
				want = EFAULT;
				break;
			}
		} else if (nr == PINMGR_CMD_LIST && fz_private(slot) && l) {
			what = "LIST into a bad array";
			s.list.handles = rndn(th, 2) ? 0 :
					 (uintptr_t)th->io_guard;
			s.list.nr_handles = 1 + (__u32)rndn(th, 8);
			want = EFAULT;
		} else if (nr == PINMGR_CMD_PIN_VEC) {
			__u32 k = (__u32)rndn(th, s.vec.nr_ranges);

			vec_index = k;
			switch (rndn(th, fz_watch ? 8 : 7)) {
			case 7:
				what = "PIN_VEC range with a bad watch combination";
				th->vbuf[k].flags = rndn(th, 2) ?
					PINMGR_PIN_RELEASE_ON_STALE :
					PINMGR_PIN_WATCH_ONLY |
					(rndn(th, 2) ? PINMGR_PIN_LONGTERM :
					 PINMGR_PIN_RELEASE_ON_STALE |
					 PINMGR_PIN_WATCH);
				want = EINVAL;
				break;
			case 0:
				what = "PIN_VEC range of zero length";
				th->vbuf[k].length = 0;
				want = EINVAL;
				break;
			case 1:
				what = "PIN_VEC range with an unknown flag";
				th->vbuf[k].flags |= 1U <<
					(fz_pin_flag_bits() +
					 rndn(th, 32 - fz_pin_flag_bits()));
				want = EOPNOTSUPP;
				break;
			case 2:
				what = "PIN_VEC range with a reserved field";
				if (fz_watch && rndn(th, 2))
					th->vbuf[k].__reserved2 =
						1 + (__u32)rndn(th, 9);
				else
					th->vbuf[k].__reserved =
						1 + (__u32)rndn(th, 9);
				want = EINVAL;
				break;
			case 3:
				what = "PIN_VEC range over PROT_NONE";
				th->vbuf[k].addr = (uintptr_t)th->arg_guard;
				charge = s.vec.nr_ranges;
				want = EFAULT;
				break;
			case 4:
				what = "PIN_VEC with a short range size";
				s.vec.range_size = (__u32)rndn(th,
							       PM_RANGE_SIZE_V1);
				vec_index = s.vec.nr_ranges;
				want = EINVAL;
				break;
			case 5:
				what = "PIN_VEC of no or too many ranges";
				s.vec.nr_ranges = rndn(th, 2) ? 0 :
					PINMGR_PIN_VEC_MAX + 1 +
					(__u32)rndn(th, 1000);
				vec_index = s.vec.nr_ranges;
				want = EINVAL;
				break;
			default:
				what = "PIN_VEC of an unreadable range array";
				s.vec.ranges = rndn(th, 2) ? 0 :
					       (uintptr_t)th->io_guard;
				vec_index = 0;
				want = EFAULT;
				break;
			}
		} else if (nr == PINMGR_CMD_GET_SEGMENTS && l) {
			what = "GET_SEGMENTS into a bad array";
			s.segs.segments = rndn(th, 2) ? 0 :
					  (uintptr_t)th->io_guard;
			s.segs.nr_segments = 1 + (__u32)rndn(th, 8);
			/*
			 * A watch-only lease has none to write there; but no
			 * array at all is refused before the lease is looked
			 * up.
			 */
			want = (l->flags & PINMGR_PIN_WATCH_ONLY) &&
			       s.segs.segments ? EINVAL : EFAULT;
		} else {
			return;
		}
		break;
	}

	/*
	 * Unprivileged, REVOKE and GET_SEGMENTS stop at EPERM once the
	 * request is read and its flags and reserved fields checked.
	 */
	if (fz_run.unpriv && (nr == PINMGR_CMD_REVOKE ||
			      nr == PINMGR_CMD_GET_SEGMENTS) &&
	    (kind == 5 || kind >= 7))
		want = EPERM;
	fz_desc(th, "%s: cmd 0x%lx (%s) slot %d size %u ptr %d", what, cmd,
		fz_names[nr], slot, usize, ptr);
	if (charge)
		fz_quota_begin(th, &w, charge);
	ret = fz_call(th, fd, cmd, &s, exact, usize, ptr, tail, &err);
	/* A charge that fails comes before the defect that would have. */
	quota = charge ? fz_quota_end(th, &w, ret, err) : 0;
	if (fz_closed(slot, ret, err) ||
	    (quota && (vec_index == ~0U || s.vec.out_error_index <= vec_index)))
		return;
	if (ret && want == ENOENT && err == ENOENT)
		return;
	/* EPERM comes before the lease is looked up. */
	if (ret && !fz_private(slot) && l && err == ENOENT &&
	    want != ENOENT && want != EPERM) {
		/* Our lease on a shared fd went away meanwhile. */
		return;
	}
	/* The lease ended meanwhile: that answer comes before the defect's. */
	if (l && want != EPERM && fz_ended(l, ret, err))
		return;
	fz_expect(th, ret, err, want);
	if (vec_index != ~0U && s.vec.out_error_index != vec_index)
		fz_fail(th, "PIN_VEC failed at range %u, expected %u",
			s.vec.out_error_index, vec_index);
	fz_after_defect(th, nr, slot);
}

/* ---- Chaotic requests -------------------------------------------------- */

static __u64 fz_any_handle(struct fz_thread *th, int slot)
{
	if (th->nleases && rndn(th, 2))
		return th->leases[rndn(th, th->nleases)].handle;
	if (!rndn(th, 8))
		return rnd(th) & 0xffffff;
	return fz_dead_handle(th, slot);
}

static __u32 fz_any_flags(struct fz_thread *th)
{
	switch (rndn(th, 6)) {
	case 0:
	case 1:
		return 0;
	case 2:
		return (__u32)rndn(th, 1U << fz_pin_flag_bits());
	case 3:
		return 1U << rndn(th, 32);
	case 4:
		return ~0U;
	default:
		return (__u32)rnd(th);
	}
}

static void fz_any_range(struct fz_thread *th, __u64 *addr, __u64 *len)
{
	__u64 ps = th->ps;
	unsigned long first, n;

	fz_pick_range(th, &first, &n);
	*addr = (uintptr_t)(th->arena + first * ps);
	*len = n * ps;
	switch (rndn(th, 10)) {
	case 0:
		*addr += rndn(th, ps);
		break;
	case 1:
		*len += rndn(th, ps);
		break;
	case 2:
		*addr = -(ps * (1 + rndn(th, 8)));
		break;
	case 3:
		*addr = rndn(th, 2) ? FZ_KERNEL_PTR : 0;
		break;
	case 4:
		*addr = (uintptr_t)th->hole;
		break;
	case 5:
		*len = rndn(th, 2) ? 0 : rnd(th) & ~(ps - 1);
		break;
	case 6:
		*addr = (uintptr_t)th->arg_guard - ps * rndn(th, 3);
		break;
	default:
		break;
	}
}

/* A pointer for a buffer the kernel writes into or reads from. */
static __u64 fz_any_buf(struct fz_thread *th, void *good)
{
	switch (rndn(th, 8)) {
	case 0:
		return 0;
	case 1:
		return FZ_KERNEL_PTR;
	case 2:
		return (uintptr_t)th->io_guard;
	case 3:
		return (uintptr_t)th->ropage;
	case 4:
		return (uintptr_t)th->hole;
	default:
		return (uintptr_t)good;
	}
}

/*
 * The most a chaotic request @s may charge, for the quota: what the ranges
 * it names add up to, or the whole limit when it is hard to tell.
 */
static unsigned long fz_chaos_pages(struct fz_thread *th, unsigned long cmd,
				    const union fz_any *s, enum fz_ptr ptr)
{
	unsigned long pages = 0;
	__u32 v;

	if (!fz_quota || (cmd != PINMGR_IOC_PIN && cmd != PINMGR_IOC_PIN_VEC))
		return 0;
	/* The prepared PIN of a read-only page pins one page. */
	if (ptr == FZ_P_RO)
		return cmd == PINMGR_IOC_PIN;
	if (ptr != FZ_P_VALID && ptr != FZ_P_ODD)
		return 0;
	if (cmd == PINMGR_IOC_PIN)
		pages = s->pin.length / th->ps + 1;
	else if (s->vec.ranges != (uintptr_t)th->vbuf ||
		 s->vec.range_size != sizeof(*th->vbuf))
		pages = fz_run.limit;
	else
		for (v = 0; v < s->vec.nr_ranges && v < FZ_VEC; v++)
			pages += th->vbuf[v].length / th->ps + 1;
	return pages < fz_run.limit ? pages : fz_run.limit;
}

static void fz_op_chaos(struct fz_thread *th)
{
	static const __u32 sizes[] = { 0, 1, 4, 4096, 65536 };
	unsigned int nr = rndn(th, FZ_NR_CMDS), v;
	int slot = (int)rndn(th, FZ_SLOTS), ret, err, idx;
	unsigned long charge;
	unsigned long cmd = _IO(PINMGR_TYPE, nr);
	size_t exact = fz_sizes[nr];
	enum fz_ptr ptr;
	enum fz_tail tail = rndn(th, 2) ? FZ_T_ZERO : FZ_T_NONZERO;
	union fz_any s;
	__u32 usize;

	if (!rndn(th, 16)) {
		cmd = _IOC(rndn(th, 4), PINMGR_TYPE - 1 + rndn(th, 3),
			   rndn(th, 16), rndn(th, 1 << _IOC_SIZEBITS));
		/* A real command gets the structure it expects. */
		if (cmd == _IO(PINMGR_TYPE, _IOC_NR(cmd)) &&
		    _IOC_NR(cmd) < FZ_NR_CMDS)
			cmd = _IO(PINMGR_TYPE, nr);
	}
	v = rndn(th, 10);
	usize = v < 5 ? (__u32)exact : v < 7 ? (__u32)exact + 8 :
		v < 8 ? (__u32)exact - 1 : sizes[rndn(th, 5)];
	v = rndn(th, 16);
	ptr = v < 9 ? FZ_P_VALID : (enum fz_ptr)rndn(th, FZ_P_NR);

	memset(&s, 0, sizeof(s));
	s.pin.flags = fz_any_flags(th);
	switch (nr) {
	case PINMGR_CMD_GET_INFO:
		if (!rndn(th, 4))
			s.info.__reserved = (__u32)rnd(th);
		s.info.abi_version = (__u32)rnd(th);
		break;
	case PINMGR_CMD_PIN:
		fz_any_range(th, &s.pin.addr, &s.pin.length);
		s.pin.cookie = rnd(th);
		s.pin.out_handle = rnd(th);
		break;
	case PINMGR_CMD_UNPIN:
		s.unpin.handle = fz_any_handle(th, slot);
		break;
	case PINMGR_CMD_QUERY:
		s.query.handle = fz_any_handle(th, slot);
		s.query.out_addr = rnd(th);
		break;
	case PINMGR_CMD_LIST:
		s.list.handles = fz_any_buf(th, th->hbuf);
		s.list.nr_handles = rndn(th, 4) ? (__u32)rndn(th, 600) :
				    (__u32)rnd(th);
		if (!rndn(th, 8))
			s.list.__reserved = (__u32)rnd(th);
		break;
	case PINMGR_CMD_ACCESS:
		s.access.handle = fz_any_handle(th, slot);
		s.access.offset = rndn(th, 4) ? rndn(th, 3 * th->ps) : rnd(th);
		s.access.length = rndn(th, 4) ? rndn(th, 3 * th->ps) : rnd(th);
		s.access.buf = fz_any_buf(th, th->iobuf);
		/*
		 * Write only into our own leases, of our own memory: another
		 * thread's may pin pages whose content that thread checks.
		 */
		idx = fz_find(th, s.access.handle);
		if (idx < 0 || !fz_owns_memory(&th->leases[idx]))
			s.access.flags &= ~PINMGR_ACCESS_WRITE;
		break;
	case PINMGR_CMD_GET_SEGMENTS:
		s.segs.handle = fz_any_handle(th, slot);
		s.segs.segments = fz_any_buf(th, th->sbuf);
		s.segs.nr_segments = rndn(th, 4) ? (__u32)rndn(th, 300) :
				     (__u32)rnd(th);
		if (!rndn(th, 8))
			s.segs.__reserved = (__u32)rnd(th);
		break;
	case PINMGR_CMD_RENEW:
		/* Never another thread's lease: its end is its own business. */
		idx = th->nleases && rndn(th, 2) ? (int)rndn(th, th->nleases) : -1;
		s.renew.handle = idx >= 0 ? th->leases[idx].handle :
				 fz_dead_handle(th, slot);
		s.renew.duration_ns = rndn(th, 4) ? fz_duration(th) : rnd(th);
		break;
	case PINMGR_CMD_REVOKE:
		idx = th->nleases && rndn(th, 2) ? (int)rndn(th, th->nleases) : -1;
		s.revoke.handle = idx >= 0 ? th->leases[idx].handle :
				  fz_dead_handle_of(th, slot, 0);
		break;
	case PINMGR_CMD_PIN_VEC:
		memset(th->vbuf, 0, FZ_VEC * sizeof(*th->vbuf));
		for (v = 0; v < FZ_VEC; v++) {
			fz_any_range(th, &th->vbuf[v].addr,
				     &th->vbuf[v].length);
			th->vbuf[v].flags = fz_any_flags(th);
			th->vbuf[v].cookie = rnd(th);
			if (!rndn(th, 16))
				th->vbuf[v].__reserved = (__u32)rnd(th);
		}
		s.vec.ranges = fz_any_buf(th, th->vbuf);
		s.vec.nr_ranges = rndn(th, 4) ? 1 + (__u32)rndn(th, FZ_VEC) :
				  (__u32)rnd(th);
		s.vec.range_size = rndn(th, 4) ? sizeof(*th->vbuf) :
				   (__u32)rndn(th, 64);
		if (!rndn(th, 8))
			s.vec.__reserved = (__u32)rnd(th);
		break;
	}

	fz_desc(th, "chaos: cmd 0x%lx slot %d size %u ptr %d tail %d flags 0x%x handle/addr 0x%llx",
		cmd, slot, usize, ptr, tail, s.pin.flags,
		(unsigned long long)s.pin.addr);
	if (nr == PINMGR_CMD_PIN && cmd == PINMGR_IOC_PIN &&
	    s.pin.length / th->ps <= FZ_THP_PAGES &&
	    !fz_make_room(th, s.pin.length / th->ps))
		return;
	if (cmd == PINMGR_IOC_PIN_VEC) {
		/* Room for every range that could succeed. */
		while (th->nleases &&
		       (th->nleases + FZ_VEC > FZ_MAX_LEASES ||
			th->pinned + FZ_VEC * FZ_THP_PAGES > th->budget))
			fz_unpin_rec(th, rndn(th, th->nleases));
		if (th->nleases + FZ_VEC > FZ_MAX_LEASES ||
		    th->pinned + FZ_VEC * FZ_THP_PAGES > th->budget)
			return;
	}
	charge = fz_chaos_pages(th, cmd, &s, ptr);
	fz_quota_ask(charge);
	ret = fz_call(th, fz_fd(th, slot), cmd, &s, exact, usize, ptr, tail,
		      &err);
	fz_quota_answer(charge);
	if (fz_closed(slot, ret, err))
		return;
	if (ret) {
		if (!fz_documented(err))
			fz_fail(th, "failed with undocumented errno %s",
				fz_errname(err));
		/* An UNPIN that says how a lease ended also acknowledged it. */
		idx = cmd == PINMGR_IOC_UNPIN ? fz_find(th, s.unpin.handle) : -1;
		if (idx >= 0 && th->leases[idx].slot == slot &&
		    fz_ended(&th->leases[idx], ret, err))
			fz_drop(th, (unsigned int)idx);
		return;
	}
	if (cmd == PINMGR_IOC_PIN) {
		if (ptr != FZ_P_VALID && ptr != FZ_P_ODD)
			fz_fail(th, "PIN succeeded with an argument the reply cannot reach");
		if (s.pin.length > (__u64)FZ_THP_PAGES * th->ps)
			fz_fail(th, "PIN of %llu bytes succeeded",
				(unsigned long long)s.pin.length);
		if (fz_flags_errno(s.pin.flags))
			fz_fail(th, "PIN with flags %u succeeded", s.pin.flags);
		fz_record(th, slot, &s.pin,
			  s.pin.size >= offsetofend(struct pinmgr_pin,
						    out_watch_gen));
	} else if (cmd == PINMGR_IOC_UNPIN) {
		idx = fz_find(th, s.unpin.handle);
		if (idx >= 0 && th->leases[idx].slot != slot)
			fz_fail(th, "UNPIN of handle %llu succeeded on slot %d; it was pinned on slot %d",
				(unsigned long long)s.unpin.handle, slot,
				th->leases[idx].slot);
		if (idx < 0 && fz_private(slot))
			fz_fail(th, "UNPIN of handle %llu succeeded on private slot %d; not a lease of it",
				(unsigned long long)s.unpin.handle, slot);
		/* idx < 0 on a shared fd: another thread's lease. */
		if (idx >= 0)
			fz_drop(th, (unsigned int)idx);
	} else if (cmd == PINMGR_IOC_PIN_VEC) {
		if (s.vec.ranges != (uintptr_t)th->vbuf ||
		    s.vec.nr_ranges > FZ_VEC)
			fz_fail(th, "PIN_VEC of %u ranges at 0x%llx succeeded",
				s.vec.nr_ranges,
				(unsigned long long)s.vec.ranges);
		for (v = 0; v < s.vec.nr_ranges; v++)
			if (th->vbuf[v].length > (__u64)FZ_THP_PAGES * th->ps ||
			    fz_flags_errno(th->vbuf[v].flags))
				fz_fail(th, "PIN_VEC range of %llu bytes with flags %u succeeded",
					(unsigned long long)th->vbuf[v].length,
					th->vbuf[v].flags);
		fz_record_vec(th, slot, s.vec.nr_ranges,
			      s.vec.range_size >=
			      offsetofend(struct pinmgr_pin_range,
					  out_watch_gen));
	} else if (cmd == PINMGR_IOC_RENEW || cmd == PINMGR_IOC_REVOKE) {
		/* It acted on one of ours (or on nothing): it may end now. */
		idx = fz_find(th, s.renew.handle);
		if (cmd == PINMGR_IOC_REVOKE && fz_run.unpriv)
			fz_fail(th, "an unprivileged REVOKE succeeded");
		/*
		 * Or on one we let go of while another thread's dma-buf of it
		 * was open (HELD): REVOKE, device-wide, still finds that.
		 */
		if (idx < 0 && cmd == PINMGR_IOC_REVOKE &&
		    fz_was_ours(th, s.revoke.handle))
			return;
		if (idx < 0)
			fz_fail(th, "%s of handle %llu, not ours, succeeded",
				fz_names[nr], (unsigned long long)s.renew.handle);
		if (cmd == PINMGR_IOC_REVOKE || s.renew.duration_ns)
			th->leases[idx].may_end = 1;
	} else if (cmd == PINMGR_IOC_GET_SEGMENTS && fz_run.unpriv) {
		fz_fail(th, "an unprivileged GET_SEGMENTS succeeded");
	}
}

/* ---- Process and fd events --------------------------------------------- */

/*
 * Is @fd open in this forked child? A shared one may have been closed by
 * another thread of the parent when it forked; the child alone uses its
 * copy of the table, so the answer holds.
 */
static int fz_child_has(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* In a forked child: nothing of the parent's contexts may be changed. */
static __attribute__((noreturn)) void fz_child(struct fz_thread *th)
{
	int slot = (int)rndn(th, FZ_SLOTS), fd = fz_fd(th, slot), own, r;
	struct pinmgr_access a;
	struct pinmgr_query q;
	struct pinmgr_info info;
	struct pinmgr_pin p;
	struct pinmgr_unpin u;
	struct fz_lease *l;

	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.flags = fz_pick_flags(th, 1);
	p.addr = (uintptr_t)th->iobuf;
	p.length = th->ps * (1 + rndn(th, FZ_IO_PAGES));
	if (fz_child_has(fd)) {
		if (ioctl(fd, PINMGR_IOC_PIN, &p) != -1 || errno != EPERM)
			_exit(10);
		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		if (ioctl(fd, PINMGR_IOC_GET_INFO, &info) ||
		    (info.out_flags & PINMGR_INFO_OWNER_MM))
			_exit(11);
		/* The status area names the parent's leases: not ours to map. */
		if (fz_watch &&
		    (mmap(NULL, th->ps, PROT_READ, MAP_SHARED, fd,
			  PINMGR_WATCH_MMAP_OFFSET) != MAP_FAILED ||
		     errno != EPERM))
			_exit(19);
	}
	l = th->nleases ? &th->leases[rndn(th, th->nleases)] : NULL;
	if (l && fz_child_has(fz_fd(th, l->slot))) {
		fd = fz_fd(th, l->slot);
		memset(&u, 0, sizeof(u));
		u.size = sizeof(u);
		u.handle = l->handle;
		if (ioctl(fd, PINMGR_IOC_UNPIN, &u) != -1 || errno != EPERM)
			_exit(12);
		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.handle = l->handle;
		a.length = rndn(th, th->ps + 1);
		a.buf = (uintptr_t)th->iobuf;
		a.flags = (__u32)rndn(th, 2);
		if (ioctl(fd, PINMGR_IOC_ACCESS, &a) != -1 || errno != EPERM)
			_exit(13);
		{
			struct pinmgr_renew r = {
				.size = sizeof(r), .handle = l->handle,
				.duration_ns = 1,
			};

			if (ioctl(fd, PINMGR_IOC_RENEW, &r) != -1 ||
			    errno != EPERM)
				_exit(18);
		}
		memset(&q, 0, sizeof(q));
		q.size = sizeof(q);
		q.handle = l->handle;
		if (ioctl(fd, PINMGR_IOC_QUERY, &q)) {
			/* Only a shared fd's lease can go away meanwhile. */
			if (fz_private(l->slot) || errno != ENOENT)
				_exit(14);
		} else if (q.out_nr_pages != l->npages ||
			   q.out_owner_tgid != (__u32)getppid()) {
			_exit(15);
		}
	}
	/*
	 * Its own context works, and dies with it unclosed. Unprivileged, a
	 * short-term pin needs a duration, and our user's limit applies.
	 */
	own = pm_open();
	if (own < 0)
		_exit(16);
	p.size = sizeof(p);
	p.length = th->ps;
	fz_quota_ask(1);
	r = ioctl(own, PINMGR_IOC_PIN, &p);
	fz_quota_answer(1);
	/* A watch-only lease charges nothing: never EDQUOT. */
	if (r ? !fz_run.unpriv || errno != EDQUOT ||
		(p.flags & PINMGR_PIN_WATCH_ONLY) : !p.out_handle)
		_exit(17);
	/*
	 * Our own area we may map; a watched lease's word is at its
	 * generation. Then we die with it mapped, the lease watched.
	 */
	if (fz_watch) {
		const volatile __u64 *area = mmap(NULL, th->ps, PROT_READ,
						  MAP_SHARED, own,
						  PINMGR_WATCH_MMAP_OFFSET);

		if (area == MAP_FAILED)
			_exit(20);
		if (!r && (p.flags & (PINMGR_PIN_WATCH |
				      PINMGR_PIN_WATCH_ONLY)) &&
		    (p.out_watch_slot >= th->ps / sizeof(__u64) ||
		     __atomic_load_n(&area[p.out_watch_slot],
				     __ATOMIC_ACQUIRE) != p.out_watch_gen))
			_exit(20);
	}
	_exit(0);
}

static void fz_op_fork(struct fz_thread *th)
{
	pid_t pid;
	int st;

	th->forks++;
	fz_desc(th, "fork");
	pthread_rwlock_wrlock(&fz_fork_lock);
	pid = fork();
	if (pid != 0)
		pthread_rwlock_unlock(&fz_fork_lock);
	if (pid < 0)
		fz_fail(th, "fork: %s", strerror(errno));
	if (pid == 0)
		fz_child(th);
	st = pm_wait(pid);
	if (st != 0)
		fz_fail(th, "forked child failed its check %d (10 PIN, 11 GET_INFO, 12 UNPIN, 13 ACCESS, 14-15 QUERY, 16-17 own context, 18 RENEW, 19 mmap of the parent's status area, 20 its own)",
			st);
}

static void fz_op_reopen(struct fz_thread *th)
{
	int k = (int)rndn(th, FZ_PRIV), slot = FZ_SHARED + k;
	unsigned int i;

	th->reopens++;
	fz_desc(th, "close and reopen private fd slot %d", slot);
	if (close(th->priv_fd[k]))
		fz_fail(th, "close: %s", strerror(errno));
	/*
	 * Not dead yet, device-wide: a child another thread forked may still
	 * hold the file, and REVOKE finds its leases until the child exits.
	 */
	for (i = th->nleases; i-- > 0;)
		if (th->leases[i].slot == slot)
			fz_forget(th, i);
	th->priv_fd[k] = fz_open();
	if (th->priv_fd[k] < 0)
		fz_fail(th, "open: %s", strerror(errno));
	fz_check_private_usage(th, slot);
}

/*
 * Close a file that every thread uses, while they use it: until a new file
 * takes its number their calls fail with EBADF; a call under way keeps the
 * old file until it returns. Then every lease of the old file ends,
 * whichever thread pinned it: the others learn so from ENOENT.
 */
static void fz_op_close_shared(struct fz_thread *th)
{
	int slot = (int)rndn(th, FZ_SHARED), fd;
	unsigned int i;

	th->closes++;
	fz_desc(th, "close shared fd slot %d while other threads use it",
		slot);
	/* Another thread may have closed it a moment ago. */
	if (close(fz_fd(th, slot)) && errno != EBADF)
		fz_fail(th, "close: %s", strerror(errno));
	/* As for a private file: a forked child may still hold it. */
	for (i = th->nleases; i-- > 0;)
		if (th->leases[i].slot == slot)
			fz_forget(th, i);
	fd = fz_open();
	if (fd < 0 || dup3(fd, fz_fd(th, slot), O_CLOEXEC) < 0)
		fz_fail(th, "reopen: %s", strerror(errno));
	close(fd);
}

/* ---- Threads ----------------------------------------------------------- */

static char *fz_map(size_t len, int prot)
{
	char *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* A mapping of @len bytes followed by a PROT_NONE guard page. */
static char *fz_map_guarded(size_t len, char **guard)
{
	size_t ps = pm_page_size();
	char *p = fz_map(len + ps, PROT_READ | PROT_WRITE);

	ASSERT_NE(p, NULL);
	ASSERT_EQ(mprotect(p + len, ps, PROT_NONE), 0);
	memset(p, 0, len);
	if (guard)
		*guard = p + len;
	return p;
}

static void fz_thread_setup(struct fz_thread *th)
{
	size_t ps = pm_page_size();
	union fz_any *s;
	int k;

	th->ps = ps;
	th->arena = pm_map_thp(FZ_ARENA_PAGES * ps);
	ASSERT_NE(th->arena, NULL);
	memset(th->state, FZ_RW, sizeof(th->state));
	th->argbuf = fz_map_guarded(FZ_ARG_BYTES, &th->arg_guard);
	th->hbuf = (__u64 *)fz_map_guarded(FZ_HANDLES * sizeof(__u64), NULL);
	/* At the end of its page: the range after the last one faults. */
	th->vbuf = (struct pinmgr_pin_range *)
		(fz_map_guarded(ps, NULL) + ps -
		 FZ_VEC * sizeof(struct pinmgr_pin_range));
	th->sbuf = (struct pinmgr_segment *)
		fz_map_guarded(FZ_SEGS * sizeof(struct pinmgr_segment), NULL);
	th->iobuf = fz_map_guarded(FZ_IO_PAGES * ps, &th->io_guard);
	th->iobuf2 = fz_map_guarded(FZ_IO_PAGES * ps, NULL);
	th->rotarget = pm_map_anon(ps);
	ASSERT_NE(th->rotarget, NULL);
	/* Where this thread maps status areas, and nothing else ever. */
	th->areares = fz_map(FZ_AREA_PAGES * ps, PROT_NONE);
	ASSERT_NE(th->areares, NULL);
	/*
	 * Below vm.mmap_min_addr: a hole that no later mmap of another thread
	 * can fill (a freshly unmapped page could be).
	 */
	th->hole = (char *)(uintptr_t)(2 * ps);

	/* Well-formed requests whose replies cannot be written. */
	th->ropage = fz_map(ps, PROT_READ | PROT_WRITE);
	ASSERT_NE(th->ropage, NULL);
	for (k = 0; k < FZ_NR_CMDS; k++) {
		s = (union fz_any *)(th->ropage + k * 128);
		s->pin.size = (__u32)fz_sizes[k];
	}
	s = (union fz_any *)(th->ropage + PINMGR_CMD_PIN * 128);
	s->pin.addr = (uintptr_t)th->rotarget;
	s->pin.length = ps;
	/* Long-term: an unprivileged short-term pin would need an end. */
	s->pin.flags = PINMGR_PIN_WRITE |
		       (fz_run.unpriv ? PINMGR_PIN_LONGTERM : 0);
	ASSERT_EQ(mprotect(th->ropage, ps, PROT_READ), 0);

	for (k = 0; k < FZ_PRIV; k++) {
		th->priv_fd[k] = fz_open();
		ASSERT_GE(th->priv_fd[k], 0);
	}
}

static void *fz_thread_fn(void *arg)
{
	struct fz_thread *th = arg;
	unsigned int r;

	for (th->op = 0; th->op < th->nops; th->op++) {
		r = rndn(th, 1000);
		if (r < 130)
			fz_op_pin(th);
		else if (r < 150)
			fz_op_pin_vec(th);
		else if (r < 230)
			fz_op_unpin(th);
		else if (r < 290)
			fz_op_query(th);
		else if (r < 330)
			fz_op_list(th);
		else if (r < 390)
			fz_op_access(th);
		else if (r < 420)
			fz_op_segments(th);
		else if (r < 440)
			fz_op_info(th);
		else if (r < 455)
			fz_op_renew(th);
		else if (r < 465)
			fz_op_revoke(th);
		else if (r < 480)
			fz_op_events(th);
		else if (r < 690)
			fz_op_defect(th);
		else if (r < 900)
			fz_op_chaos(th);
		else if (r < 910)
			fz_op_export(th);
		else if (r < 920)
			fz_op_watch(th);
		else if (r < 990)
			fz_op_arena(th);
		else if (r < 991)
			fz_op_fork(th);
		else if (r < 996)
			fz_op_reopen(th);
		else
			fz_op_close_shared(th);
	}
	/* End what is left, as any user would; close() does the rest. */
	while (th->nleases)
		fz_unpin_rec(th, th->nleases - 1);
	return NULL;
}

static unsigned long long fz_env_ull(const char *name, unsigned long long def)
{
	const char *v = getenv(name);
	char *end;
	unsigned long long x;

	if (!v || !*v)
		return def;
	errno = 0;
	x = strtoull(v, &end, 0);
	if (errno || *end)
		FAIL("cannot parse %s=%s", name, v);
	return x;
}

/*
 * This process's run: FZ_THREADS threads doing @total operations over the
 * shared files and their own. Ends with every file closed and nothing of
 * this process pinned.
 */
static void fz_run_threads(unsigned long long total)
{
	static struct fz_thread threads[FZ_THREADS];
	unsigned long long ok[FZ_NR_CMDS + 1] = { 0 };
	unsigned long long fail[FZ_NR_CMDS + 1] = { 0 };
	unsigned long long forks = 0, arena = 0, reopens = 0, closes = 0;
	unsigned long long steals = 0, edquot = 0, calls = 0;
	unsigned long long watched = 0, stale = 0, invalidated = 0;
	unsigned long long area_maps = 0, words = 0, device_maps = 0;
	struct pinmgr_info info;
	struct timespec ts;
	struct rlimit rl;
	double t0;
	unsigned int i, k;
	int fd;

	fz_hset = calloc(1UL << FZ_HSET_BITS, sizeof(*fz_hset));
	ASSERT_NE(fz_hset, NULL);
	/* Far above what open() hands out, which is the lowest free number. */
	ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
	fz_shared_base = (rl.rlim_cur < FZ_FD_TOP ? (int)rl.rlim_cur :
			  FZ_FD_TOP) - FZ_SHARED;
	ASSERT_GT(fz_shared_base, 256);
	for (k = 0; k < FZ_SHARED; k++) {
		fd = fz_open();
		ASSERT_GE(fd, 0);
		ASSERT_EQ(dup3(fd, fz_shared_base + (int)k, O_CLOEXEC),
			  fz_shared_base + (int)k);
		ASSERT_EQ(close(fd), 0);
	}
	ASSERT_EQ(pm_get_info(fz_shared_base, &info), 0);
	fz_max_lease_pages = info.max_lease_pages;
	fz_max_device_pages = info.max_device_pages;

	for (i = 0; i < FZ_THREADS; i++) {
		struct fz_thread *th = &threads[i];

		th->idx = fz_run.first_thread + i;
		th->rng = fz_seed ^ (0x5851f42d4c957f2dULL * (th->idx + 1));
		th->nops = total / FZ_THREADS + (i < total % FZ_THREADS);
		/*
		 * Stay well below the device limit, with both runs' threads:
		 * ENOSPC is never expected. Each unprivileged thread may fill
		 * its user's limit alone: EDQUOT is expected.
		 */
		th->budget = fz_run.unpriv ? fz_run.limit : 8192;
		if (fz_max_device_pages &&
		    th->budget > fz_max_device_pages / (8 * FZ_THREADS))
			th->budget = fz_max_device_pages / (8 * FZ_THREADS);
		fz_thread_setup(th);
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = ts.tv_sec + ts.tv_nsec / 1e9;
	for (i = 0; i < FZ_THREADS; i++)
		ASSERT_EQ(pthread_create(&threads[i].tid, NULL, fz_thread_fn,
					 &threads[i]), 0);
	for (i = 0; i < FZ_THREADS; i++)
		ASSERT_EQ(pthread_join(threads[i].tid, NULL), 0);

	for (i = 0; i < FZ_THREADS; i++) {
		for (k = 0; k <= FZ_NR_CMDS; k++) {
			ok[k] += threads[i].ok[k];
			fail[k] += threads[i].fail[k];
			calls += threads[i].ok[k] + threads[i].fail[k];
		}
		forks += threads[i].forks;
		arena += threads[i].arena_ops;
		reopens += threads[i].reopens;
		closes += threads[i].closes;
		steals += threads[i].steals;
		edquot += threads[i].edquot;
		watched += threads[i].watched;
		stale += threads[i].stales;
		invalidated += threads[i].invalidated;
		area_maps += threads[i].area_maps;
		words += threads[i].words;
		device_maps += threads[i].device_maps;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	pm_diag("fuzz: %s: %llu operations done in %.0f s: %llu ioctls, %llu memory events, %llu forks, %llu fd reopens, %llu shared fds closed in use, %llu LIST-found unpins and %llu PINs refused with EDQUOT",
		fz_run.name, total, ts.tv_sec + ts.tv_nsec / 1e9 - t0, calls,
		arena, forks, reopens, closes, steals, edquot);
	for (k = 0; k <= FZ_NR_CMDS; k++)
		pm_diag("fuzz: %s: %-12s %7llu succeeded %7llu failed",
			fz_run.name, fz_names[k], ok[k], fail[k]);
	if (!access("/dev/pinmgr_importer", F_OK))
		pm_diag("fuzz: %s: %llu exports mapped for edu", fz_run.name,
			device_maps);
	if (fz_watch)
		pm_diag("fuzz: %s: %llu watched leases made; QUERY found %llu stale and %llu released on stale; %llu status area mappings, %llu words checked",
			fz_run.name, watched, stale, invalidated, area_maps,
			words);

	/* Every lease left is on a shared fd that a thread ended; close all. */
	for (k = 0; k < FZ_SHARED; k++)
		ASSERT_EQ(close(fz_shared_base + (int)k), 0);
	for (i = 0; i < FZ_THREADS; i++)
		for (k = 0; k < FZ_PRIV; k++)
			ASSERT_EQ(close(threads[i].priv_fd[k]), 0);
	/*
	 * Nothing stays charged to us, nor to the user (the only nobody
	 * around); pages whose last hold was a dma-buf's go in the driver's
	 * workqueue, a moment after the close that let them go.
	 */
	fd = pm_open();
	ASSERT_GE(fd, 0);
	for (i = 0; i < 500; i++) {
		ASSERT_EQ(pm_get_info(fd, &info), 0);
		if (!pm_vmpin_kb() && !info.mm_pinned_pages &&
		    (!fz_run.unpriv || !info.user_pinned_pages))
			break;
		pm_msleep(10);
	}
	ASSERT_EQ(pm_vmpin_kb(), 0);
	ASSERT_EQ(info.mm_pinned_pages, 0);
	if (fz_run.unpriv)
		ASSERT_EQ(info.user_pinned_pages, 0);
	close(fd);
	free(fz_hset);
}

/*
 * The unprivileged bounds, exactly, before the threads start: with
 * @charged pages of our user pinned and nothing else of it pinning, what
 * is left of RLIMIT_MEMLOCK may be pinned and a page more may not; a
 * short-term pin is made long-term.
 */
static void fz_unpriv_probe(int fd, __u64 charged)
{
	size_t ps = pm_page_size(), left;
	struct pinmgr_pin pin;
	char *p;

	ASSERT_LE(charged, FZ_MEMLOCK);
	left = FZ_MEMLOCK - charged;
	p = pm_map_anon((left + 1) * ps);
	ASSERT_NE(p, NULL);
	ASSERT_ERRNO(pm_pin(fd, p, (left + 1) * ps, PINMGR_PIN_LONGTERM, 0,
			    NULL), EDQUOT);
	if (left) {
		ASSERT_EQ(pm_pin(fd, p, left * ps, PINMGR_PIN_LONGTERM, 0, &pin),
			  0);
		ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	}
	if (fz_run.upgrade) {
		struct pinmgr_query q;

		ASSERT_EQ(pm_pin(fd, p, ps, PINMGR_PIN_WRITE, 0, &pin), 0);
		ASSERT_EQ(pm_query(fd, pin.out_handle, &q), 0);
		ASSERT_EQ(q.out_pin_flags, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM);
		ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	}
	pm_unmap(p, (left + 1) * ps);
}

/* The unprivileged run, in a child: nobody, with a small RLIMIT_MEMLOCK. */
static void fz_unprivileged(unsigned long long total)
{
	size_t ps = pm_page_size();
	struct rlimit rl = {
		.rlim_cur = FZ_MEMLOCK * ps, .rlim_max = FZ_MEMLOCK * ps,
	};
	struct pinmgr_info info;
	int fd, i;

	ASSERT_EQ(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
	ASSERT_EQ(pm_become_nobody(), 0);
	fz_quota = mmap(NULL, sizeof(*fz_quota), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(fz_quota, MAP_FAILED);
	fd = pm_open();
	ASSERT_GE(fd, 0);
	/* What an earlier test's dma-bufs held may be going in the workqueue. */
	for (i = 0; i < 500; i++) {
		ASSERT_EQ(pm_get_info(fd, &info), 0);
		if (!info.user_pinned_pages)
			break;
		pm_msleep(10);
	}
	ASSERT_EQ(info.memlock_limit_pages, FZ_MEMLOCK);
	ASSERT_FALSE(info.out_flags & PINMGR_INFO_CAP_IPC_LOCK);
	fz_run = (struct fz_run) {
		.name = "nobody", .unpriv = 1, .first_thread = FZ_THREADS,
		.limit = FZ_MEMLOCK, .upgrade = fz_upgrade,
	};
	fz_unpriv_probe(fd, info.user_pinned_pages);
	ASSERT_EQ(close(fd), 0);
	fz_run_threads(total);
}

TEST_TIMEOUT(fuzz_ioctls, 1500)
{
	unsigned long long total;
	struct pinmgr_info info;
	struct timespec ts;
	long long base;
	pid_t pid;
	int fd;

	clock_gettime(CLOCK_REALTIME, &ts);
	fz_seed = fz_env_ull("PINMGR_FUZZ_SEED",
			     ((unsigned long long)ts.tv_nsec << 20) ^
			     (unsigned long long)ts.tv_sec ^
			     ((unsigned long long)getpid() << 40));
	total = fz_env_ull("PINMGR_FUZZ_OPS", FZ_DEFAULT_OPS);
	pm_diag("fuzz seed 0x%llx (replay: PINMGR_FUZZ_SEED=0x%llx), %llu operations over %d threads as root and %d as nobody",
		fz_seed, fz_seed, total, FZ_THREADS, FZ_THREADS);

	/* Breaks that run out during the run, and a queue that overflows. */
	ASSERT_EQ(pm_param_write("break_time_ms", 20), 0);
	ASSERT_EQ(pm_param_write("max_events", 64), 0);
	fd = pm_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.device_leases, 0);
	close(fd);
	/* With per-user limits, unprivileged short-term pins are long-term. */
	fz_upgrade = !!(info.features & PINMGR_FEATURE_USER_LIMITS);
	/* Watched leases only where the driver has them. */
	fz_watch = !!(info.features & PINMGR_FEATURE_WATCH);
	/*
	 * A lease that ends while edu maps one of its exports (the test
	 * importer) is HELD after its end's own event.
	 */
	fz_last_event = info.features & PINMGR_FEATURE_EXPORT ?
			PINMGR_EVENT_HELD : fz_watch ? PINMGR_EVENT_STALE :
			PINMGR_EVENT_OVERFLOW;
	if (!fz_watch)
		pm_diag("fuzz: no watched leases on this kernel (GET_INFO's feature bits)");
	base = pm_outstanding_pins();
	ASSERT_GE(base, 0);

	fflush(stdout);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		fz_unprivileged(total / 2);
		fflush(stdout);
		_exit(PM_EXIT_PASS);
	}
	fz_run_threads(total - total / 2);
	ASSERT_EQ(pm_wait(pid), 0);

	ASSERT_EQ(pm_await_outstanding_pins(base), base);
	fd = pm_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.device_leases, 0);
	ASSERT_EQ(info.device_pinned_pages, 0);
	close(fd);
}

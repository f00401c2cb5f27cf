// SPDX-License-Identifier: GPL-2.0-only
/*
 * The watch torture: a registration cache over watched leases, as MPI and
 * UCX keep one, under a seeded random sequence of everything that changes
 * an address space and of what only seems to.
 *
 * The cache is built here from the raw ioctls (the suite does not link
 * libpinctl): leases pinned with PINMGR_PIN_WATCH, found by address; a hit
 * is a lease whose word in the context's status area (mapped read-only)
 * still holds the generation PIN returned. Three threads get random
 * subranges of live regions from it, in batches; between batches one
 * thread changes the address space: mmap of 4 KiB pages and of 2 MiB
 * aligned THP, munmap whole and in part, mremap (a move to a fixed
 * address, grow, shrink), mmap MAP_FIXED over, MADV_DONTNEED, MADV_FREE,
 * MADV_REMOVE of shared memory, malloc, realloc and free of blocks above
 * glibc's mmap threshold, shmat and shmdt of SysV shared memory, fork
 * with writes on both sides, mprotect round trips, move_pages() to the
 * other NUMA node (where there is one), and PINs racing a change of their
 * own range in another thread.
 *
 * The oracles:
 *  - STALE HIT: every get writes a fresh token into each page of its range
 *    through the process's mapping and reads the range back through
 *    ACCESS, which reads the lease's pinned pages themselves: a hit whose
 *    lease no longer holds what the address maps reads something else.
 *  - FALSE INVALIDATION: a lease whose word moved though no operation
 *    that changes mappings (munmap, mremap, MAP_FIXED, DONTNEED, REMOVE,
 *    free, shmdt) touched its range since it was pinned. Checked after
 *    every operation: get batches, mprotect round trips, fork, migration
 *    attempts and MADV_FREE of pinned memory must move nothing.
 *  - MISSED INVALIDATION: when such an operation returns, the word of
 *    every lease whose range it touched has moved (the ABI's promise),
 *    and a PIN that raced a munmap of its range and succeeded is stale.
 * Along the way: QUERY agrees with the word, a slot comes back only with
 * a larger generation, UNPIN moves the word, every STALE event names a
 * lease whose word had moved, once (and every lease still held whose word
 * moved got one), a lease released on stale acknowledges with ESTALE, and the
 * context's leases, pinned pages and VmPin are what the cache holds
 * (figures that lag behind an UNPIN are waited for, up to 2 s, and
 * reported as LAGGING COUNTS). The test fails on any stale hit, false or
 * missed invalidation.
 *
 * watch_torture_watch_only runs the same sequence over
 * PINMGR_PIN_WATCH_ONLY leases, which pin nothing. ACCESS then reads
 * through the page tables, so the tokens only check ACCESS itself, and the
 * oracle is the word: it must move under the same real changes, and must
 * not under mprotect round trips, get batches or fork (before the parent
 * writes: a write after fork may copy a page, a real change for a lease
 * that pins nothing, as are migration and MADV_FREE, which are not judged
 * there). Unpinned pages may also move on their own (khugepaged,
 * compaction); a word that moved counts as false only if
 * /proc/self/pagemap still shows the pages it was pinned over.
 *
 * PINMGR_TORTURE_SEED replays a sequence (the threads' interleaving
 * aside); PINMGR_TORTURE_OPS sets the number of operations (default
 * WT_DEFAULT_OPS and WT_DEFAULT_OPS_WO: 20-35 s each on 6.12 in a
 * two-CPU TCG guest, which ran 90-200 and 160-260 operations a second as
 * the host was more or less busy; fork copies every pinned page to the
 * child). Without it a slower kernel (the debug one) stops after
 * WT_DEFAULT_SECS. Each failure is counted by the
 * operation that showed it and the kind of region its lease is in.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "harness.h"

#ifndef MPOL_MF_MOVE
#define MPOL_MF_MOVE		(1 << 1)
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif

#define KiB		1024UL
#define MiB		(1024 * KiB)
#define WT_HUGE		(2 * MiB)
#define WT_THREADS	3
#define WT_GETS		4		/* gets of each thread in a batch */
#define WT_MAX_REGIONS	40
#define WT_REGION_BYTES	(32 * MiB)	/* the regions together, about */
#define WT_MAX_ENTRIES	256
#define WT_CACHE_BYTES	(32 * MiB)	/* the cached leases' ranges */
#define WT_MAX_GET	512		/* pages of one get */
#define WT_MAX_MOVE	128		/* pages of one move_pages() */
#define WT_LOG		12		/* operations shown with a failure */
#define WT_DIAGS	6		/* reports of each kind, at most */
#define WT_HASH_BITS	17
#define WT_HASH_SIZE	(1U << WT_HASH_BITS)
#define WT_MAX_EVENTS	65536
#define WT_SPIN		20000		/* a racer's random head start */
#define WT_DEFAULT_OPS	3000UL		/* pinning leases: fork copies them */
#define WT_DEFAULT_OPS_WO 5000UL	/* watch-only leases */
#define WT_DEFAULT_SECS	90
#define WT_TALLY	24		/* operation and region pairs counted */

enum wt_kind {
	WT_ANON,	/* private anonymous, 4 KiB pages (MADV_NOHUGEPAGE) */
	WT_THP,		/* private anonymous, 2 MiB aligned, MADV_HUGEPAGE */
	WT_SHARED,	/* MAP_SHARED | MAP_ANONYMOUS: shmem */
	WT_MALLOC,	/* the whole pages inside a malloc() block */
	WT_SHM,		/* SysV shared memory, removed once attached */
	WT_NR_KINDS,
};

#define K(kind)		(1U << (kind))
#define WT_ALL		(K(WT_NR_KINDS) - 1)
#define WT_MAPPED	(K(WT_ANON) | K(WT_THP) | K(WT_SHARED))
#define WT_PRIVATE	(K(WT_ANON) | K(WT_THP) | K(WT_MALLOC))
#define WT_SHMEM	(K(WT_SHARED) | K(WT_SHM))

static const char *const wt_kinds[WT_NR_KINDS] = {
	"anon", "thp", "shared", "malloc", "shm",
};

struct wt_region {
	bool used;
	char *addr;
	size_t len;
	enum wt_kind kind;
	void *block;		/* WT_MALLOC: what malloc() returned */
	size_t bsize;		/* ... and its size */
};

/* A cached lease. */
struct wt_entry {
	__u64 addr, len, handle, gen;
	__u32 slot, flags;
	unsigned int users;
	unsigned long last_use;
	bool touched;		/* a change reached its range since the pin */
	bool must_change;	/* ... one that certainly moves its word */
	bool judged;		/* its word moved, and that was counted */
	bool dead;		/* out of the table; its last user unpins */
	const char *cause;	/* what touched it last */
	__u64 *pfns;		/* pagemap frames at pin time; NULL: unknown */
};

/* Every handle a PIN returned: for the events' cross-checks. */
struct wt_hrec {
	__u64 handle;
	bool changed;		/* its word moved while the cache held it */
	bool evented;		/* a STALE event named it */
	bool held;
};

enum wt_job_type { WT_JOB_GET, WT_JOB_RACE };

struct wt_job {
	enum wt_job_type type;
	unsigned int region;
	size_t off, len;	/* the range asked for, in the region */
	size_t woff, wlen;	/* what a miss pins */
	__u32 flags;
	uint64_t seed;		/* its tokens */
	unsigned int spin;
	/* WT_JOB_RACE: the PIN's outcome */
	int ret, err;
	struct pinmgr_pin pin;
};

enum wt_race { WT_RACE_MUNMAP, WT_RACE_DONTNEED, WT_RACE_MPROTECT,
	       WT_RACE_FREE, WT_NR_RACES };

static const char *const wt_races[WT_NR_RACES] = {
	"munmap", "MADV_DONTNEED", "mprotect round trip", "MADV_FREE",
};

struct wt_race_ctx {
	enum wt_race change;
	char *addr;
	size_t len;
	unsigned int spin;
};

struct wt_op {
	const char *name;
	bool (*fn)(void);
	unsigned int weight;		/* pinning leases */
	unsigned int weight_wo;		/* watch-only leases */
	unsigned long done;
};

static struct {
	bool watch_only;
	bool wo_strict;		/* a watch-only PIN of no mapping fails */
	int wo_unmapped_err;	/* ... with this */
	int fd;
	const __u64 *area;
	int pagemap;
	size_t ps;
	uint64_t seed, rng;
	__u64 t0;
	unsigned long step;
	const char *op;
	bool have_shm, have_node1, have_free, have_populate, have_pfns;

	struct wt_region regions[WT_MAX_REGIONS];
	pthread_mutex_t rlock[WT_MAX_REGIONS];	/* one token check at a time */
	unsigned int nregions;
	size_t region_bytes;

	pthread_mutex_t lock;	/* the cache, the records, the counts */
	struct wt_entry *ent[WT_MAX_ENTRIES];
	unsigned int nent;
	size_t cache_bytes;
	unsigned long tick;
	__u64 *slot_gen;	/* per slot: the largest generation PIN gave */
	struct wt_hrec *hash;
	unsigned int nhash;
	bool hash_full;

	pthread_t th[WT_THREADS];
	pthread_barrier_t start, done;
	atomic_int stop;
	struct wt_job jobs[WT_THREADS][WT_GETS];
	unsigned int njobs[WT_THREADS];
	unsigned char *buf[WT_THREADS];

	/* what happened */
	unsigned long gets, hits, misses, invalidations, evictions, flushed;
	unsigned long stale_hits, false_inval, missed, expected, spontaneous;
	unsigned long events, dup_events, overflows, refused, races,
		      race_refused, moved_pages, unmoved_pages, settles;
	unsigned long count_lags;	/* figures behind UNPIN, for a while */
	__u64 max_lag_ms;
	struct wt_tally {
		const char *what, *op, *kind;
		unsigned long n;
	} tally[WT_TALLY];
	bool overflow;

	char log[WT_LOG][192];
	unsigned int nlog;
} wt;

/* ---- PRNG, log, failures ------------------------------------------------- */

static uint64_t wt_mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The sequence's numbers: the main thread's alone. */
static uint64_t rnd(void)
{
	return wt_mix(&wt.rng);
}

static size_t rndn(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

static void wt_logf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* What the main thread did, the last WT_LOG operations of it. */
static void wt_logf(const char *fmt, ...)
{
	char *line = wt.log[wt.nlog++ % WT_LOG];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(wt.log[0]), "step %lu: ", wt.step);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(wt.log[0]) - n, fmt, ap);
	va_end(ap);
}

static void wt_dump_log(void)
{
	unsigned int i = wt.nlog > WT_LOG ? wt.nlog - WT_LOG : 0;

	pm_diag("watch torture (%s), seed 0x%llx (PINMGR_TORTURE_SEED), step %lu (%s), %.1f s in; the last operations:",
		wt.watch_only ? "watch-only" : "pinning",
		(unsigned long long)wt.seed, wt.step, wt.op ?: "-",
		(pm_monotonic_ns() - wt.t0) / 1e9);
	for (; i < wt.nlog; i++)
		pm_diag("  %s", wt.log[i % WT_LOG]);
}

#define WT_FAIL(...)							\
	do {								\
		wt_dump_log();						\
		FAIL(__VA_ARGS__);					\
	} while (0)

/* The kind of region that holds [addr, addr + len), or where it was. */
static const char *wt_kind_at(__u64 addr, __u64 len)
{
	const struct wt_region *r;
	unsigned int i;

	for (i = 0; i < WT_MAX_REGIONS; i++) {
		r = &wt.regions[i];
		if (r->used && (uintptr_t)r->addr <= addr &&
		    addr + len <= (uintptr_t)r->addr + r->len)
			return wt_kinds[r->kind];
	}
	return "unmapped";
}

/* One more @what after the current operation, in a lease of @kind. */
static void wt_count(const char *what, const char *kind)
{
	struct wt_tally *t;
	unsigned int i;

	for (i = 0; i < WT_TALLY; i++) {
		t = &wt.tally[i];
		if (!t->what) {
			*t = (struct wt_tally){ what, wt.op ?: "-", kind, 0 };
		} else if (strcmp(t->what, what) || strcmp(t->op, wt.op ?: "-") ||
			   strcmp(t->kind, kind)) {
			continue;
		}
		t->n++;
		return;
	}
}

static void wt_show_tally(void)
{
	char line[640];
	unsigned int i;
	size_t n = 0;

	for (i = 0; i < WT_TALLY && wt.tally[i].what; i++)
		n += snprintf(line + n, n < sizeof(line) ? sizeof(line) - n : 0,
			      "%s%s after %s in %s: %lu", i ? "; " : "",
			      wt.tally[i].what, wt.tally[i].op,
			      wt.tally[i].kind, wt.tally[i].n);
	if (i)
		pm_diag("by operation and region: %s", line);
}

/* ---- Memory -------------------------------------------------------------- */

static void wt_write_pages(char *p, size_t len, unsigned char v)
{
	size_t off;

	for (off = 0; off < len; off += wt.ps)
		((volatile char *)p)[off] = (char)v;
}

/* Frames of [addr, addr + npages pages), 0 for none; NULL if unknown. */
static __u64 *wt_pfns(__u64 addr, size_t npages)
{
	__u64 *f;
	size_t i;

	if (!wt.have_pfns)
		return NULL;
	f = malloc(npages * sizeof(*f));
	ASSERT_NE(f, NULL);
	if (pread(wt.pagemap, f, npages * sizeof(*f),
		  (off_t)(addr / wt.ps * sizeof(*f))) !=
	    (ssize_t)(npages * sizeof(*f))) {
		free(f);
		return NULL;
	}
	for (i = 0; i < npages; i++)
		f[i] = f[i] & (1ULL << 63) ? f[i] & ((1ULL << 55) - 1) : 0;
	return f;
}

/* Does @e's range map the frames it mapped when it was pinned? */
static bool wt_same_pages(const struct wt_entry *e)
{
	size_t n = e->len / wt.ps, i;
	__u64 *now;
	bool same;

	if (!e->pfns)
		return false;
	now = wt_pfns(e->addr, n);
	if (!now)
		return false;
	same = true;
	for (i = 0; i < n && same; i++)
		same = now[i] && now[i] == e->pfns[i];
	free(now);
	return same;
}

/* A PROT_NONE placeholder of @len bytes aligned to @align, to move to. */
static char *wt_reserve(size_t len, size_t align)
{
	char *p = mmap(NULL, len + align, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t a;

	ASSERT_NE(p, MAP_FAILED);
	a = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	if ((uintptr_t)p + len + align > a + len)
		munmap((char *)a + len, (uintptr_t)p + len + align - (a + len));
	return (char *)a;
}

/* ---- Regions ------------------------------------------------------------- */

static int wt_region_add(char *addr, size_t len, enum wt_kind kind,
			 void *block, size_t bsize)
{
	unsigned int i;

	for (i = 0; i < WT_MAX_REGIONS; i++) {
		struct wt_region *r = &wt.regions[i];

		if (r->used)
			continue;
		*r = (struct wt_region){ .used = true, .addr = addr,
					 .len = len, .kind = kind,
					 .block = block, .bsize = bsize };
		wt.nregions++;
		wt.region_bytes += len;
		return (int)i;
	}
	WT_FAIL("no free region slot");
}

static void wt_region_del(unsigned int i)
{
	wt.regions[i].used = false;
	wt.nregions--;
	wt.region_bytes -= wt.regions[i].len;
}

static unsigned int wt_free_slots(void)
{
	return WT_MAX_REGIONS - wt.nregions;
}

/* Region @i lost [off, off + len): what is left either side stays. */
static void wt_region_cut(unsigned int i, size_t off, size_t len)
{
	struct wt_region r = wt.regions[i];

	wt_region_del(i);
	if (off)
		wt_region_add(r.addr, off, r.kind, NULL, 0);
	if (off + len < r.len)
		wt_region_add(r.addr + off + len, r.len - off - len, r.kind,
			      NULL, 0);
}

/* A random live region of one of @kinds, or -1. */
static int wt_pick(unsigned int kinds)
{
	unsigned int idx[WT_MAX_REGIONS], n = 0, i;

	for (i = 0; i < WT_MAX_REGIONS; i++)
		if (wt.regions[i].used && (kinds & K(wt.regions[i].kind)))
			idx[n++] = i;
	return n ? (int)idx[rndn(n)] : -1;
}

/* A random piece of @r of at most @max pages: now and then whole huge pages. */
static void wt_piece(const struct wt_region *r, size_t max, size_t *off,
		     size_t *len)
{
	size_t pages = r->len / wt.ps, n;

	if (r->kind == WT_THP && r->len >= WT_HUGE && !rndn(3)) {
		size_t huge = r->len / WT_HUGE;

		n = 1 + rndn(huge);
		*off = rndn(huge - n + 1) * WT_HUGE;
		*len = n * WT_HUGE;
		return;
	}
	n = 1 + rndn(max < pages ? max : pages);
	*off = rndn(pages - n + 1) * wt.ps;
	*len = n * wt.ps;
}

/* ---- The cache ----------------------------------------------------------- */

static __u64 wt_word(const struct wt_entry *e)
{
	return __atomic_load_n(&wt.area[e->slot], __ATOMIC_ACQUIRE);
}

static bool wt_overlaps(const struct wt_entry *e, __u64 a, __u64 len)
{
	return e->addr < a + len && a < e->addr + e->len;
}

static struct wt_hrec *wt_hrec(__u64 handle, bool add)
{
	unsigned int i = (unsigned int)((handle * 0x9e3779b97f4a7c15ULL) >>
					(64 - WT_HASH_BITS));

	for (;; i = (i + 1) & (WT_HASH_SIZE - 1)) {
		if (wt.hash[i].handle == handle)
			return &wt.hash[i];
		if (wt.hash[i].handle)
			continue;
		if (!add || wt.nhash >= WT_HASH_SIZE / 4 * 3) {
			wt.hash_full |= add;
			return NULL;
		}
		wt.nhash++;
		wt.hash[i].handle = handle;
		return &wt.hash[i];
	}
}

static void wt_show_entry(const char *what, const struct wt_entry *e)
{
	struct pinmgr_query q;
	int ret = pm_query(wt.fd, e->handle, &q);

	pm_diag("%s: lease %llu [0x%llx, +%llu) in %s, flags 0x%x slot %u gen %llu, word now %llu; touched: %s; QUERY: %s state %u reason %u stale [0x%llx, +%llu); %s",
		what, (unsigned long long)e->handle,
		(unsigned long long)e->addr, (unsigned long long)e->len,
		wt_kind_at(e->addr, e->len),
		e->flags, e->slot, (unsigned long long)e->gen,
		(unsigned long long)wt_word(e),
		e->touched ? e->cause : "no", ret ? strerror(errno) : "ok",
		ret ? 0 : q.out_state, ret ? 0 : q.out_stale_reason,
		ret ? 0ULL : (unsigned long long)q.out_stale_addr,
		ret ? 0ULL : (unsigned long long)q.out_stale_length,
		!e->pfns ? "pages unknown" : wt_same_pages(e) ?
		"its range still maps the pages it was pinned over" :
		"its range maps other pages now");
}

/*
 * @e's word moved, seen by @where: a change that was allowed, one the
 * kernel made on its own (watch-only), or a false invalidation. Under
 * wt.lock.
 */
static void wt_judge(struct wt_entry *e, const char *where)
{
	bool released = e->flags & PINMGR_PIN_RELEASE_ON_STALE;
	struct pinmgr_query q;
	struct wt_hrec *h;

	if (e->judged)
		return;
	e->judged = true;
	h = wt_hrec(e->handle, false);
	if (h)
		h->changed = true;
	if (pm_query(wt.fd, e->handle, &q))
		WT_FAIL("QUERY of lease %llu, whose word moved: %s",
			(unsigned long long)e->handle, strerror(errno));
	/* Released on stale: its pages are gone once the event is read. */
	if ((q.out_state != PINMGR_LEASE_STALE &&
	     (!released || q.out_state != PINMGR_LEASE_INVALIDATED)) ||
	    (q.out_stale_reason != PINMGR_STALE_UNMAP &&
	     q.out_stale_reason != PINMGR_STALE_DISCARD) ||
	    !q.out_stale_length || q.out_stale_addr < e->addr ||
	    q.out_stale_addr + q.out_stale_length > e->addr + e->len ||
	    q.out_watch_slot != e->slot) {
		wt_show_entry("QUERY disagrees with the word", e);
		WT_FAIL("lease %llu: its word moved (seen by %s), but QUERY says state %u reason %u stale [0x%llx, +%llu) slot %u",
			(unsigned long long)e->handle, where, q.out_state,
			q.out_stale_reason,
			(unsigned long long)q.out_stale_addr,
			(unsigned long long)q.out_stale_length,
			q.out_watch_slot);
	}
	if (e->touched) {
		wt.expected++;
		return;
	}
	/*
	 * The range maps other pages than it was pinned over: a change, not
	 * a false notice, whatever the operation was. Unpinned pages move
	 * on their own (watch-only); before Linux 5.19, a write to a pinned
	 * anonymous page that fork, mprotect or soft-dirty tracking made
	 * read-only copies it away from the pin.
	 */
	if (e->pfns && !wt_same_pages(e)) {
		wt.spontaneous++;
		return;
	}
	wt_count("false invalidation", wt_kind_at(e->addr, e->len));
	if (++wt.false_inval <= WT_DIAGS) {
		pm_diag("FALSE INVALIDATION after %s (seen by %s), though nothing that changes mappings touched its range:",
			wt.op, where);
		wt_show_entry("  ", e);
		if (wt.false_inval == 1)
			wt_dump_log();
	}
}

/* End @e's lease; nobody uses it. Under wt.lock. */
static void wt_unpin(struct wt_entry *e)
{
	bool moved = wt_word(e) != e->gen;
	struct wt_hrec *h = wt_hrec(e->handle, false);
	int ret, err;

	if (moved)
		wt_judge(e, "UNPIN");
	errno = 0;
	ret = pm_unpin(wt.fd, e->handle);
	err = errno;
	if (moved && (e->flags & PINMGR_PIN_RELEASE_ON_STALE)) {
		/* Released once its event can be read; maybe before. */
		if ((ret != -1 || err != ESTALE) &&
		    (ret || (h && h->evented)))
			WT_FAIL("UNPIN of lease %llu, released on stale: %d/%s, expected ESTALE",
				(unsigned long long)e->handle, ret,
				strerrorname_np(err) ?: "0");
	} else if (ret) {
		WT_FAIL("UNPIN of lease %llu: %s", (unsigned long long)e->handle,
			strerror(err));
	}
	if (wt_word(e) == e->gen)
		WT_FAIL("the word of lease %llu (slot %u) still holds %llu after UNPIN",
			(unsigned long long)e->handle, e->slot,
			(unsigned long long)e->gen);
	if (h)
		h->held = false;
	free(e->pfns);
	free(e);
}

/* Take entry @i out of the table; unpin now or by its last user. */
static void wt_table_del(unsigned int i)
{
	struct wt_entry *e = wt.ent[i];

	wt.ent[i] = wt.ent[--wt.nent];
	wt.cache_bytes -= e->len;
	if (e->users)
		e->dead = true;
	else
		wt_unpin(e);
}

/* Room for @len more bytes: the least recently used go. */
static void wt_make_room(size_t len)
{
	unsigned int i, lru;

	while (wt.nent >= WT_MAX_ENTRIES ||
	       (wt.nent && wt.cache_bytes + len > WT_CACHE_BYTES)) {
		lru = WT_MAX_ENTRIES;
		for (i = 0; i < wt.nent; i++)
			if (!wt.ent[i]->users &&
			    (lru == WT_MAX_ENTRIES ||
			     wt.ent[i]->last_use < wt.ent[lru]->last_use))
				lru = i;
		if (lru == WT_MAX_ENTRIES)
			return;
		wt_table_del(lru);
		wt.evictions++;
	}
}

static struct wt_entry *wt_entry_new(const struct pinmgr_pin *pin,
				     __u64 addr, size_t len, __u32 flags)
{
	struct wt_entry *e = calloc(1, sizeof(*e));

	ASSERT_NE(e, NULL);
	if (!pin->out_handle || !pin->out_watch_slot ||
	    pin->out_watch_slot >= PINMGR_WATCH_SLOTS_MAX)
		WT_FAIL("watched PIN returned handle %llu, slot %u",
			(unsigned long long)pin->out_handle,
			pin->out_watch_slot);
	e->addr = addr;
	e->len = len;
	e->handle = pin->out_handle;
	e->slot = pin->out_watch_slot;
	e->gen = pin->out_watch_gen;
	e->flags = flags;
	e->pfns = wt_pfns(addr, len / wt.ps);
	return e;
}

/* Into the table (under wt.lock). */
static void wt_insert(struct wt_entry *e)
{
	struct wt_hrec *h;

	if (wt.slot_gen[e->slot] && e->gen <= wt.slot_gen[e->slot])
		WT_FAIL("slot %u came back with generation %llu, not above %llu",
			e->slot, (unsigned long long)e->gen,
			(unsigned long long)wt.slot_gen[e->slot]);
	wt.slot_gen[e->slot] = e->gen;
	h = wt_hrec(e->handle, true);
	if (h) {
		if (h->held || h->changed)
			WT_FAIL("PIN returned handle %llu a second time",
				(unsigned long long)e->handle);
		h->held = true;
	}
	wt_make_room(e->len);
	e->last_use = ++wt.tick;
	wt.ent[wt.nent++] = e;
	wt.cache_bytes += e->len;
}

/* A watch-only lease is made over mapped pages, or it could miss a change. */
static void wt_populate(unsigned int region, char *a, size_t len)
{
	size_t off;

	if (wt.have_populate && !madvise(a, len, MADV_POPULATE_WRITE))
		return;
	if (wt.have_populate && errno != EINVAL)
		WT_FAIL("MADV_POPULATE_WRITE: %s", strerror(errno));
	/* An old kernel: write each page with what it holds, alone. */
	pthread_mutex_lock(&wt.rlock[region]);
	for (off = 0; off < len; off += wt.ps)
		((volatile char *)a)[off] = ((volatile char *)a)[off];
	pthread_mutex_unlock(&wt.rlock[region]);
}

/*
 * Get [a, a + job's len): the first cached lease that covers it and whose
 * word has not moved, or a new lease of the job's window.
 */
static struct wt_entry *wt_get(struct wt_job *j, char *a, bool *hit)
{
	struct wt_region *r = &wt.regions[j->region];
	char *wa = r->addr + j->woff;
	struct pinmgr_pin pin;
	struct wt_entry *e;
	unsigned int i;

	pthread_mutex_lock(&wt.lock);
	wt.gets++;
	for (i = 0; i < wt.nent; i++) {
		e = wt.ent[i];
		if (e->addr > (uintptr_t)a ||
		    (uintptr_t)a + j->len > e->addr + e->len)
			continue;
		if (wt_word(e) != e->gen) {
			wt_judge(e, "a get");
			wt.invalidations++;
			wt_table_del(i--);
			continue;
		}
		e->users++;
		e->last_use = ++wt.tick;
		wt.hits++;
		pthread_mutex_unlock(&wt.lock);
		*hit = true;
		return e;
	}
	wt.misses++;
	pthread_mutex_unlock(&wt.lock);

	if (wt.watch_only)
		wt_populate(j->region, wa, j->wlen);
	if (pm_pin(wt.fd, wa, j->wlen, j->flags, wt.step, &pin))
		WT_FAIL("PIN (flags 0x%x) of [%p, +%zu) in %s region [%p, +%zu): %s",
			j->flags, (void *)wa, j->wlen, wt_kinds[r->kind],
			(void *)r->addr, r->len, strerror(errno));
	e = wt_entry_new(&pin, (uintptr_t)wa, j->wlen, j->flags);
	pthread_mutex_lock(&wt.lock);
	wt_insert(e);
	e->users = 1;
	pthread_mutex_unlock(&wt.lock);
	*hit = false;
	return e;
}

static void wt_put(struct wt_entry *e)
{
	pthread_mutex_lock(&wt.lock);
	if (!--e->users && e->dead)
		wt_unpin(e);
	pthread_mutex_unlock(&wt.lock);
}

/* ---- The content oracle -------------------------------------------------- */

static uint64_t wt_token(uint64_t seed, size_t page)
{
	uint64_t s = seed ^ (page * 0x2545f4914f6cdd1dULL);

	return wt_mix(&s) | 1;
}

static size_t wt_token_off(uint64_t tok)
{
	return (size_t)(tok >> 32) % (wt.ps / 8) * 8;
}

/*
 * A fresh token into each page of [a, a + len) through the mapping, then
 * the range read through @e's lease: the first page whose token did not
 * come back, -1 if all did, -2 with *err if ACCESS failed.
 */
static long wt_check(unsigned char *buf, const struct wt_entry *e, char *a,
		     size_t len, uint64_t seed, int *err)
{
	size_t n = len / wt.ps, i;
	uint64_t tok, got;

	for (i = 0; i < n; i++) {
		tok = wt_token(seed, i);
		*(volatile uint64_t *)(a + i * wt.ps + wt_token_off(tok)) = tok;
	}
	if (ACCESS_READ(wt.fd, e->handle, (uintptr_t)a - e->addr, len, buf)) {
		*err = errno;
		return -2;
	}
	for (i = 0; i < n; i++) {
		tok = wt_token(seed, i);
		memcpy(&got, buf + i * wt.ps + wt_token_off(tok), sizeof(got));
		if (got != tok)
			return (long)i;
	}
	return -1;
}

static void wt_stale_hit(const struct wt_entry *e, const char *a, size_t len,
			 long page, int err, const char *how)
{
	unsigned long n;

	pthread_mutex_lock(&wt.lock);
	n = ++wt.stale_hits;
	wt_count(how, wt_kind_at(e->addr, e->len));
	if (n <= WT_DIAGS) {
		if (page == -2)
			pm_diag("STALE HIT (%s): [%p, +%zu): ACCESS through the lease failed: %s",
				how, (const void *)a, len, strerror(err));
		else
			pm_diag("STALE HIT (%s): [%p, +%zu): page %ld reads through the lease other than what the address maps",
				how, (const void *)a, len, page);
		wt_show_entry("  ", e);
		if (n == 1)
			wt_dump_log();
	}
	pthread_mutex_unlock(&wt.lock);
}

/* ---- The threads --------------------------------------------------------- */

static void wt_spin(unsigned int n)
{
	volatile unsigned int i;

	for (i = 0; i < n; i++)
		;
}

static void wt_job_get(unsigned int t, struct wt_job *j)
{
	char *a = wt.regions[j->region].addr + j->off;
	struct wt_entry *e;
	long page;
	bool hit;
	int err = 0;

	e = wt_get(j, a, &hit);
	pthread_mutex_lock(&wt.rlock[j->region]);
	page = wt_check(wt.buf[t], e, a, j->len, j->seed, &err);
	pthread_mutex_unlock(&wt.rlock[j->region]);
	/*
	 * The check's own write may replace a page (before Linux 5.19, a
	 * write to a read-only pinned page copies it away from the pin): if
	 * the word moved meanwhile, the kernel said so in time.
	 */
	if (page != -1 && hit && wt_word(e) != e->gen) {
		pthread_mutex_lock(&wt.lock);
		wt_count("changed during the check", wt_kind_at(e->addr, e->len));
		pthread_mutex_unlock(&wt.lock);
		page = -1;
	}
	if (page != -1) {
		if (!hit) {
			wt_show_entry("a lease just pinned", e);
			WT_FAIL("a new lease of [%p, +%zu) does not read what the address maps (page %ld; %s)",
				(void *)a, j->len, page,
				page == -2 ? strerror(err) : "tokens differ");
		}
		wt_stale_hit(e, a, j->len, page, err, "stale hit of a cache get");
	}
	wt_put(e);
}

static void wt_job_race(struct wt_job *j)
{
	char *a = wt.regions[j->region].addr + j->off;

	wt_spin(j->spin);
	if (wt.watch_only && wt.have_populate)
		madvise(a, j->len, MADV_POPULATE_WRITE);
	errno = 0;
	j->ret = pm_pin(wt.fd, a, j->len, j->flags, wt.step, &j->pin);
	j->err = errno;
}

static void *wt_worker(void *arg)
{
	unsigned int t = (unsigned int)(uintptr_t)arg, k;

	for (;;) {
		pthread_barrier_wait(&wt.start);
		if (atomic_load(&wt.stop))
			return NULL;
		for (k = 0; k < wt.njobs[t]; k++) {
			if (wt.jobs[t][k].type == WT_JOB_RACE)
				wt_job_race(&wt.jobs[t][k]);
			else
				wt_job_get(t, &wt.jobs[t][k]);
		}
		pthread_barrier_wait(&wt.done);
	}
}

/* The threads run their jobs; the main thread runs @during meanwhile. */
static void wt_batch(void (*during)(void *), void *arg)
{
	pthread_barrier_wait(&wt.start);
	if (during)
		during(arg);
	pthread_barrier_wait(&wt.done);
}

/* ---- After each operation ------------------------------------------------ */

static void wt_event(const struct pinmgr_event *ev)
{
	struct wt_entry *e = NULL;
	struct wt_hrec *h;
	unsigned int i;

	if (ev->type == PINMGR_EVENT_OVERFLOW) {
		wt.overflow = true;
		wt.overflows++;
		return;
	}
	if (ev->type != PINMGR_EVENT_STALE)
		WT_FAIL("event of type %u for lease %llu", ev->type,
			(unsigned long long)ev->handle);
	wt.events++;
	if (ev->reason != PINMGR_STALE_UNMAP &&
	    ev->reason != PINMGR_STALE_DISCARD)
		WT_FAIL("STALE event of lease %llu with reason %u",
			(unsigned long long)ev->handle, ev->reason);
	h = wt_hrec(ev->handle, false);
	if (!h && !wt.hash_full)
		WT_FAIL("STALE event for handle %llu (cookie: step %llu), which no PIN of this test returned",
			(unsigned long long)ev->handle,
			(unsigned long long)ev->cookie);
	if (h) {
		wt.dup_events += h->evented;
		h->evented = true;
	}
	for (i = 0; i < wt.nent && !e; i++)
		if (wt.ent[i]->handle == ev->handle)
			e = wt.ent[i];
	if (e) {
		if (!ev->length || ev->addr < e->addr ||
		    ev->addr + ev->length > e->addr + e->len)
			WT_FAIL("STALE event of lease %llu [0x%llx, +%llu) names [0x%llx, +%llu)",
				(unsigned long long)e->handle,
				(unsigned long long)e->addr,
				(unsigned long long)e->len,
				(unsigned long long)ev->addr,
				(unsigned long long)ev->length);
		if (wt_word(e) == e->gen) {
			wt_show_entry("STALE event, word unmoved", e);
			WT_FAIL("a STALE event of lease %llu was read while its word still says it maps its range",
				(unsigned long long)e->handle);
		}
		wt_judge(e, "its STALE event");
		if (e->flags & PINMGR_PIN_RELEASE_ON_STALE) {
			struct pinmgr_query q;

			ASSERT_EQ(pm_query(wt.fd, e->handle, &q), 0);
			if (q.out_state != PINMGR_LEASE_INVALIDATED)
				WT_FAIL("lease %llu, released on stale, is in state %u when its STALE event is read",
					(unsigned long long)e->handle,
					q.out_state);
		}
	} else if (h && !h->changed && !h->held && !wt.watch_only) {
		WT_FAIL("STALE event of lease %llu, whose word had not moved when it was unpinned",
			(unsigned long long)ev->handle);
	}
}

static void wt_drain(unsigned int timeout_ms)
{
	struct pinmgr_event ev;
	int r;

	while ((r = pm_read_event(wt.fd, &ev, timeout_ms)) == 1) {
		timeout_ms = 0;
		pthread_mutex_lock(&wt.lock);
		wt_event(&ev);
		pthread_mutex_unlock(&wt.lock);
	}
	if (r < 0)
		WT_FAIL("reading events: %s", strerror(errno));
}

/* The context's leases that the cache does not hold, each with QUERY. */
static void wt_show_extra_leases(void)
{
	struct pinmgr_list l;
	struct pinmgr_query q;
	__u64 *h = calloc(4096, sizeof(*h));
	unsigned int i, k, shown = 0;

	ASSERT_NE(h, NULL);
	ASSERT_EQ(pm_list(wt.fd, h, 4096, &l), 0);
	pthread_mutex_lock(&wt.lock);
	for (i = 0; i < l.nr_handles && shown < WT_DIAGS; i++) {
		for (k = 0; k < wt.nent; k++)
			if (wt.ent[k]->handle == h[i])
				break;
		if (k < wt.nent)
			continue;
		shown++;
		if (pm_query(wt.fd, h[i], &q)) {
			pm_diag("  the context's lease %llu, not the cache's: QUERY: %s",
				(unsigned long long)h[i], strerror(errno));
			continue;
		}
		pm_diag("  the context's lease %llu, not the cache's: [0x%llx, +%llu) %llu pages, flags 0x%x, state %u, reason %u, cookie (step) %llu, record %s",
			(unsigned long long)h[i],
			(unsigned long long)q.out_addr,
			(unsigned long long)q.out_length,
			(unsigned long long)q.out_nr_pages, q.out_pin_flags,
			q.out_state, q.out_stale_reason,
			(unsigned long long)q.out_cookie,
			!wt_hrec(h[i], false) ? "none" :
			wt_hrec(h[i], false)->held ? "held" : "unpinned");
	}
	pthread_mutex_unlock(&wt.lock);
	free(h);
}

/* Do the context's figures and VmPin agree with the cache's? */
static bool wt_counts_agree(__u64 leases, __u64 pages, __u64 maybe,
			    struct pinmgr_info *info, long long *vmpin)
{
	__u64 kb = wt.ps / 1024;

	ASSERT_EQ(pm_get_info(wt.fd, info), 0);
	*vmpin = pm_vmpin_kb();
	return info->ctx_leases == leases && info->ctx_pinned_pages >= pages &&
	       info->ctx_pinned_pages <= pages + maybe &&
	       (*vmpin < 0 || ((__u64)*vmpin >= pages * kb &&
			       (__u64)*vmpin <= (pages + maybe) * kb));
}

/*
 * The context holds what the cache holds: leases, pinned pages, VmPin.
 * Figures that lag behind UNPIN (a lease the driver still ends after
 * UNPIN returned) are waited for and counted; figures that never agree
 * fail.
 */
static void wt_check_counts(void)
{
	__u64 leases = 0, pages = 0, maybe = 0, start, waited;
	struct pinmgr_info info;
	struct wt_hrec *h;
	struct wt_entry *e;
	long long vmpin;
	unsigned int i;

	pthread_mutex_lock(&wt.lock);
	for (i = 0; i < wt.nent; i++) {
		e = wt.ent[i];
		leases++;
		if (wt.watch_only)
			continue;
		if (!(e->flags & PINMGR_PIN_RELEASE_ON_STALE) ||
		    wt_word(e) == e->gen) {
			pages += e->len / wt.ps;
			continue;
		}
		/* Released: surely once its event was read. */
		h = wt_hrec(e->handle, false);
		if (!h || !h->evented)
			maybe += e->len / wt.ps;
	}
	pthread_mutex_unlock(&wt.lock);
	if (wt_counts_agree(leases, pages, maybe, &info, &vmpin))
		return;
	if (++wt.count_lags <= WT_DIAGS) {
		pm_diag("LAGGING COUNTS after %s: the context holds %llu leases and %llu pinned pages, VmPin %lld kB; the cache %llu leases and %llu pages (+%llu being released)",
			wt.op, (unsigned long long)info.ctx_leases,
			(unsigned long long)info.ctx_pinned_pages, vmpin,
			(unsigned long long)leases, (unsigned long long)pages,
			(unsigned long long)maybe);
		wt_show_extra_leases();
	}
	start = pm_monotonic_ns();
	do {
		pm_msleep(10);
		waited = (pm_monotonic_ns() - start) / PM_MS;
		if (wt_counts_agree(leases, pages, maybe, &info, &vmpin)) {
			if (waited > wt.max_lag_ms)
				wt.max_lag_ms = waited;
			return;
		}
	} while (waited < 2000);
	WT_FAIL("for 2 s, the context holds %llu leases and %llu pinned pages, VmPin %lld kB; the cache %llu leases and %llu pages (+%llu being released)",
		(unsigned long long)info.ctx_leases,
		(unsigned long long)info.ctx_pinned_pages, vmpin,
		(unsigned long long)leases, (unsigned long long)pages,
		(unsigned long long)maybe);
}

/*
 * After an operation (or a part of one): every word that moved is judged,
 * every lease a real change touched must have moved, and events are read.
 */
static void wt_settle(const char *what)
{
	struct wt_entry *e;
	unsigned int i;

	pthread_mutex_lock(&wt.lock);
	for (i = 0; i < wt.nent; i++) {
		e = wt.ent[i];
		if (wt_word(e) != e->gen) {
			wt_judge(e, what);
		} else if (e->must_change) {
			wt_count("missed invalidation",
				 wt_kind_at(e->addr, e->len));
			if (++wt.missed <= WT_DIAGS) {
				pm_diag("MISSED INVALIDATION: %s returned, and the word still says the lease maps its range:",
					e->cause);
				wt_show_entry("  ", e);
				if (wt.missed == 1)
					wt_dump_log();
			}
		}
		e->must_change = false;
	}
	/* A cache reading its events drops these now: ours drops half. */
	for (i = 0; i < wt.nent; i++) {
		if (wt.ent[i]->judged && !wt.ent[i]->users && rndn(2)) {
			wt.invalidations++;
			wt_table_del(i--);
		}
	}
	pthread_mutex_unlock(&wt.lock);
	wt_drain(0);
	if (++wt.settles % 16 == 0)
		wt_check_counts();
}

/*
 * [a, a + len) is changing. A real change (@must) moves the word of every
 * lease over it that had not moved yet, by the time the call returns;
 * any other change (a write after fork, a migration of pages a watch-only
 * lease does not pin) may: those leases are judged no more.
 */
static void wt_touch(const char *a, size_t len, bool must, const char *why)
{
	struct wt_entry *e;
	unsigned int i;

	pthread_mutex_lock(&wt.lock);
	for (i = 0; i < wt.nent; i++) {
		e = wt.ent[i];
		if (!wt_overlaps(e, (uintptr_t)a, len))
			continue;
		if (must && !e->touched && !e->judged)
			e->must_change = true;
		e->touched = true;
		e->cause = why;
	}
	pthread_mutex_unlock(&wt.lock);
}

/* ---- Operations ---------------------------------------------------------- */

static __u32 wt_flags(void)
{
	__u32 f;

	if (wt.watch_only)
		return PINMGR_PIN_WATCH_ONLY |
		       (rndn(2) ? PINMGR_PIN_WATCH : 0) |
		       (rndn(2) ? PINMGR_PIN_WRITE : 0);
	f = PINMGR_PIN_WRITE | PINMGR_PIN_WATCH;
	if (rndn(2))
		f |= PINMGR_PIN_LONGTERM;
	if (!rndn(4))
		f |= PINMGR_PIN_RELEASE_ON_STALE;
	return f;
}

/* What a miss pins: the range, or the aligned window around it. */
static void wt_window(struct wt_job *j, const struct wt_region *r)
{
	size_t g = r->kind == WT_THP ? WT_HUGE : 64 * KiB, end;

	if (rndn(10) < 3) {
		j->woff = j->off;
		j->wlen = j->len;
		return;
	}
	j->woff = j->off / g * g;
	end = (j->off + j->len + g - 1) / g * g;
	j->wlen = (end < r->len ? end : r->len) - j->woff;
}

/* Half of the gets reuse what the cache holds, as applications do. */
static bool wt_get_cached(struct wt_job *j)
{
	unsigned int tries, i, k;
	struct wt_entry *e;
	struct wt_region *r;
	size_t epages, n;

	if (!wt.nent)
		return false;
	for (tries = 0; tries < 8; tries++) {
		e = wt.ent[rndn(wt.nent)];
		if (e->judged)
			continue;
		for (k = 0; k < WT_MAX_REGIONS; k++) {
			r = &wt.regions[k];
			if (r->used && (uintptr_t)r->addr <= e->addr &&
			    e->addr + e->len <= (uintptr_t)r->addr + r->len)
				break;
		}
		if (k == WT_MAX_REGIONS)
			continue;
		epages = e->len / wt.ps;
		n = 1 + rndn(epages < WT_MAX_GET ? epages : WT_MAX_GET);
		i = (unsigned int)rndn(epages - n + 1);
		j->region = k;
		j->off = e->addr - (uintptr_t)r->addr + i * wt.ps;
		j->len = n * wt.ps;
		wt_window(j, r);
		return true;
	}
	return false;
}

static void wt_make_get(struct wt_job *j)
{
	static const size_t classes[] = { 1, 16, 128, WT_MAX_GET };
	struct wt_region *r;
	size_t pages, n, c;

	memset(j, 0, sizeof(*j));
	j->type = WT_JOB_GET;
	j->seed = rnd();
	j->flags = wt_flags();
	if (rndn(2) && wt_get_cached(j))
		return;
	j->region = (unsigned int)wt_pick(WT_ALL);
	r = &wt.regions[j->region];
	pages = r->len / wt.ps;
	c = rndn(20);
	c = classes[c < 7 ? 0 : c < 14 ? 1 : c < 18 ? 2 : 3];
	n = 1 + rndn(c < pages ? c : pages);
	j->off = rndn(pages - n + 1) * wt.ps;
	j->len = n * wt.ps;
	wt_window(j, r);
}

static bool wt_op_gets(void)
{
	unsigned int t, k;

	if (!wt.nregions)
		return false;
	for (t = 0; t < WT_THREADS; t++) {
		wt.njobs[t] = WT_GETS;
		for (k = 0; k < WT_GETS; k++)
			wt_make_get(&wt.jobs[t][k]);
	}
	wt_logf("gets");
	wt_batch(NULL, NULL);
	return true;
}

static bool wt_op_map(void)
{
	enum wt_kind kind;
	void *block = NULL;
	size_t len, bsize = 0;
	uintptr_t s, end;
	char *p;
	int id;

	if (!wt_free_slots() || wt.region_bytes >= WT_REGION_BYTES)
		return false;
	switch (rndn(10)) {
	case 0: case 1: case 2: case 3: kind = WT_ANON; break;
	case 4: case 5: kind = WT_THP; break;
	case 6: case 7: kind = WT_SHARED; break;
	case 8: kind = WT_MALLOC; break;
	default: kind = wt.have_shm ? WT_SHM : WT_MALLOC; break;
	}
	len = (4 + rndn(253)) * wt.ps;
	switch (kind) {
	case WT_ANON:
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(p, MAP_FAILED);
		/* Kernels without THP refuse the advice. */
		madvise(p, len, MADV_NOHUGEPAGE);
		break;
	case WT_THP:
		len = (1 + rndn(2)) * WT_HUGE;
		p = pm_map_thp_untouched(len);
		ASSERT_NE(p, NULL);
		break;
	case WT_SHARED:
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(p, MAP_FAILED);
		break;
	case WT_MALLOC:
		/* Above the mmap threshold: a mapping of its own. */
		bsize = 160 * KiB + rndn(864 * KiB) + rndn(wt.ps);
		block = malloc(bsize);
		ASSERT_NE(block, NULL);
		s = ((uintptr_t)block + wt.ps - 1) & ~(uintptr_t)(wt.ps - 1);
		end = ((uintptr_t)block + bsize) & ~(uintptr_t)(wt.ps - 1);
		p = (char *)s;
		len = end - s;
		break;
	default:
		id = shmget(IPC_PRIVATE, len, IPC_CREAT | 0600);
		ASSERT_GE(id, 0);
		p = shmat(id, NULL, 0);
		ASSERT_NE(p, (void *)-1);
		/* Gone with its last detach. */
		ASSERT_EQ(shmctl(id, IPC_RMID, NULL), 0);
		break;
	}
	wt_write_pages(p, len, 0x5a);
	wt_region_add(p, len, kind, block, bsize);
	wt_logf("map %s [%p, +%zu)", wt_kinds[kind], (void *)p, len);
	return true;
}

static bool wt_op_munmap(void)
{
	int i = wt_pick(WT_MAPPED);
	struct wt_region *r;
	size_t off, len;

	if (i < 0)
		return false;
	r = &wt.regions[i];
	if (!rndn(3) || !wt_free_slots()) {
		off = 0;
		len = r->len;
	} else {
		wt_piece(r, r->len / wt.ps, &off, &len);
	}
	wt_logf("munmap [%p, +%zu) of %s [%p, +%zu)", (void *)(r->addr + off),
		len, wt_kinds[r->kind], (void *)r->addr, r->len);
	wt_touch(r->addr + off, len, true, "munmap");
	ASSERT_EQ(munmap(r->addr + off, len), 0);
	wt_region_cut(i, off, len);
	return true;
}

static bool wt_op_move(void)
{
	int i = wt_pick(WT_MAPPED);
	struct wt_region *r;
	size_t off, len;
	char *dest, *q;
	int err;

	if (i < 0 || wt_free_slots() < 2)
		return false;
	r = &wt.regions[i];
	if (rndn(2)) {
		off = 0;
		len = r->len;
	} else {
		wt_piece(r, 256, &off, &len);
	}
	dest = wt_reserve(len, r->kind == WT_THP ? WT_HUGE : wt.ps);
	wt_logf("mremap move [%p, +%zu) of %s to %p", (void *)(r->addr + off),
		len, wt_kinds[r->kind], (void *)dest);
	q = mremap(r->addr + off, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
		   dest);
	if (q == MAP_FAILED) {
		/* A range over two mappings is refused; nothing moved. */
		err = errno;
		munmap(dest, len);
		if (err != EFAULT && err != EINVAL)
			WT_FAIL("mremap move: %s", strerror(err));
		wt.refused++;
		return true;
	}
	ASSERT_EQ(q, dest);
	wt_touch(r->addr + off, len, true, "mremap move");
	{
		enum wt_kind kind = r->kind;

		wt_region_cut(i, off, len);
		wt_region_add(dest, len, kind, NULL, 0);
	}
	return true;
}

static bool wt_op_grow(void)
{
	int i = wt_pick(K(WT_ANON) | K(WT_THP));
	struct wt_region *r;
	size_t extra;
	char *q;

	if (i < 0 || wt.region_bytes >= WT_REGION_BYTES)
		return false;
	r = &wt.regions[i];
	extra = r->kind == WT_THP ? WT_HUGE : (1 + rndn(64)) * wt.ps;
	wt_logf("mremap grow %s [%p, +%zu) by %zu", wt_kinds[r->kind],
		(void *)r->addr, r->len, extra);
	q = mremap(r->addr, r->len, r->len + extra, MREMAP_MAYMOVE);
	if (q == MAP_FAILED) {
		if (errno != EFAULT && errno != ENOMEM)
			WT_FAIL("mremap grow: %s", strerror(errno));
		wt.refused++;
		return true;
	}
	/* In place, what was mapped stays; moved, it is all gone. */
	if (q != r->addr)
		wt_touch(r->addr, r->len, true, "mremap grow (moved)");
	r->addr = q;
	r->len += extra;
	wt.region_bytes += extra;
	return true;
}

static bool wt_op_shrink(void)
{
	int i = wt_pick(WT_MAPPED);
	struct wt_region *r;
	size_t keep;

	if (i < 0 || wt.regions[i].len < 2 * wt.ps)
		return false;
	r = &wt.regions[i];
	keep = (1 + rndn(r->len / wt.ps - 1)) * wt.ps;
	wt_logf("mremap shrink %s [%p, +%zu) to %zu", wt_kinds[r->kind],
		(void *)r->addr, r->len, keep);
	wt_touch(r->addr + keep, r->len - keep, true, "mremap shrink");
	ASSERT_EQ(mremap(r->addr, r->len, keep, 0), r->addr);
	wt.region_bytes -= r->len - keep;
	r->len = keep;
	return true;
}

static bool wt_op_fixed(void)
{
	int i = wt_pick(WT_MAPPED);
	struct wt_region *r;
	size_t off, len;
	char *a;

	if (i < 0 || wt_free_slots() < 2)
		return false;
	r = &wt.regions[i];
	wt_piece(r, 128, &off, &len);
	a = r->addr + off;
	wt_logf("mmap MAP_FIXED over [%p, +%zu) of %s", (void *)a, len,
		wt_kinds[r->kind]);
	wt_touch(a, len, true, "mmap MAP_FIXED");
	ASSERT_EQ(mmap(a, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), a);
	wt_write_pages(a, len, 0x6b);
	wt_region_cut(i, off, len);
	wt_region_add(a, len, WT_ANON, NULL, 0);
	return true;
}

static bool wt_op_madvise(unsigned int kinds, int advice, const char *name,
			  bool real)
{
	int i = wt_pick(kinds);
	struct wt_region *r;
	size_t off, len;

	if (i < 0)
		return false;
	r = &wt.regions[i];
	wt_piece(r, 256, &off, &len);
	wt_logf("%s [%p, +%zu) of %s", name, (void *)(r->addr + off), len,
		wt_kinds[r->kind]);
	/*
	 * MADV_DONTNEED of shared memory drops the entries but not the
	 * pages: a fault maps the same page again, so a lease may or may not
	 * be stale (it is unless another thread faulted the page back first).
	 */
	if (real || wt.watch_only)
		wt_touch(r->addr + off, len,
			 real && !(advice == MADV_DONTNEED &&
				   (K(r->kind) & WT_SHMEM)), name);
	if (madvise(r->addr + off, len, advice)) {
		if (advice == MADV_FREE && errno == EINVAL) {
			wt.have_free = false;
			return true;
		}
		WT_FAIL("%s of [%p, +%zu): %s", name, (void *)(r->addr + off),
			len, strerror(errno));
	}
	return true;
}

static bool wt_op_dontneed(void)
{
	return wt_op_madvise(WT_ALL, MADV_DONTNEED, "MADV_DONTNEED", true);
}

/* Pinned pages stay mapped: benign, and watch-only leases are not judged. */
static bool wt_op_free(void)
{
	return wt.have_free &&
	       wt_op_madvise(WT_PRIVATE, MADV_FREE, "MADV_FREE", false);
}

static bool wt_op_remove(void)
{
	return wt_op_madvise(WT_SHMEM, MADV_REMOVE, "MADV_REMOVE", true);
}

static bool wt_op_free_block(void)
{
	int i = wt_pick(K(WT_MALLOC));
	struct wt_region *r;

	if (i < 0)
		return false;
	r = &wt.regions[i];
	wt_logf("free %zu bytes at %p", r->bsize, r->block);
	wt_touch(r->addr, r->len, true, "free");
	free(r->block);
	wt_region_del(i);
	return true;
}

static bool wt_op_realloc(void)
{
	int i = wt_pick(K(WT_MALLOC));
	struct wt_region *r;
	uintptr_t s, end;
	size_t nsize;
	void *nb;

	if (i < 0 || wt.region_bytes >= WT_REGION_BYTES)
		return false;
	r = &wt.regions[i];
	nsize = r->bsize + 64 * KiB + rndn(448 * KiB);
	nb = realloc(r->block, nsize);
	ASSERT_NE(nb, NULL);
	wt_logf("realloc %zu bytes at %p to %zu: %p", r->bsize, r->block,
		nsize, nb);
	/* glibc grows a mapped block with mremap(), moving it or not. */
	if (nb != r->block)
		wt_touch(r->addr, r->len, true, "realloc (moved)");
	s = ((uintptr_t)nb + wt.ps - 1) & ~(uintptr_t)(wt.ps - 1);
	end = ((uintptr_t)nb + nsize) & ~(uintptr_t)(wt.ps - 1);
	wt.region_bytes += (end - s) - r->len;
	r->addr = (char *)s;
	r->len = end - s;
	r->block = nb;
	r->bsize = nsize;
	return true;
}

static bool wt_op_shmdt(void)
{
	int i = wt_pick(K(WT_SHM));
	struct wt_region *r;

	if (i < 0)
		return false;
	r = &wt.regions[i];
	wt_logf("shmdt [%p, +%zu)", (void *)r->addr, r->len);
	wt_touch(r->addr, r->len, true, "shmdt");
	ASSERT_EQ(shmdt(r->addr), 0);
	wt_region_del(i);
	return true;
}

struct wt_piece {
	char *a;
	size_t len;
};

static unsigned int wt_pieces(struct wt_piece *p, unsigned int max)
{
	unsigned int n = 1 + (unsigned int)rndn(max), k;
	size_t off;
	int i;

	for (k = 0; k < n; k++) {
		i = wt_pick(WT_ALL);
		if (i < 0)
			return 0;
		wt_piece(&wt.regions[i], 32, &off, &p[k].len);
		p[k].a = wt.regions[i].addr + off;
	}
	return n;
}

/* The child writes and exits; then the parent writes. */
static bool wt_op_fork(void)
{
	struct wt_piece child[4], parent[4];
	unsigned int nc, np, k;
	pid_t pid;

	nc = wt_pieces(child, 4);
	np = wt_pieces(parent, 4);
	if (!nc)
		return false;
	wt_logf("fork; the child writes %u pieces, the parent %u", nc, np);
	fflush(stdout);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		for (k = 0; k < nc; k++)
			wt_write_pages(child[k].a, child[k].len, 0xc5);
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	wt_settle("fork");
	for (k = 0; k < np; k++) {
		/* A write may copy a page the child shared: real unpinned. */
		if (wt.watch_only)
			wt_touch(parent[k].a, parent[k].len, false,
				 "a write after fork");
		wt_write_pages(parent[k].a, parent[k].len, 0x3c);
	}
	return true;
}

static bool wt_op_mprotect(void)
{
	int i = wt_pick(WT_ALL);
	struct wt_region *r;
	size_t off, len;
	bool none = !rndn(3);

	if (i < 0)
		return false;
	r = &wt.regions[i];
	wt_piece(r, 256, &off, &len);
	wt_logf("mprotect [%p, +%zu) of %s: PROT_READ%s, then back",
		(void *)(r->addr + off), len, wt_kinds[r->kind],
		none ? ", PROT_NONE" : "");
	ASSERT_EQ(mprotect(r->addr + off, len, PROT_READ), 0);
	wt_settle("mprotect PROT_READ");
	if (none) {
		ASSERT_EQ(mprotect(r->addr + off, len, PROT_NONE), 0);
		wt_settle("mprotect PROT_NONE");
	}
	ASSERT_EQ(mprotect(r->addr + off, len, PROT_READ | PROT_WRITE), 0);
	return true;
}

static bool wt_op_migrate(void)
{
	void *pages[WT_MAX_MOVE];
	int nodes[WT_MAX_MOVE], status[WT_MAX_MOVE];
	struct wt_region *r;
	size_t off, len, n, k;
	long ret;
	int i;

	if (!wt.have_node1)
		return false;
	i = wt_pick(WT_ALL);
	if (i < 0)
		return false;
	r = &wt.regions[i];
	wt_piece(r, WT_MAX_MOVE, &off, &len);
	n = len / wt.ps;
	if (n > WT_MAX_MOVE)
		n = WT_MAX_MOVE;
	for (k = 0; k < n; k++)
		pages[k] = r->addr + off + k * wt.ps;
	/* Where they are, then each to the other node. */
	ASSERT_EQ(syscall(SYS_move_pages, 0, n, pages, NULL, status, 0), 0);
	for (k = 0; k < n; k++)
		nodes[k] = status[k] == 1 ? 0 : 1;
	wt_logf("move_pages of [%p, +%zu) of %s", (void *)(r->addr + off),
		n * wt.ps, wt_kinds[r->kind]);
	if (wt.watch_only)
		wt_touch(r->addr + off, n * wt.ps, false, "move_pages");
	ret = syscall(SYS_move_pages, 0, n, pages, nodes, status, MPOL_MF_MOVE);
	if (ret < 0 && errno != ENOENT && errno != EBUSY && errno != ENOMEM &&
	    errno != EACCES)
		WT_FAIL("move_pages: %s", strerror(errno));
	for (k = 0; k < n; k++) {
		if (ret >= 0 && status[k] == nodes[k])
			wt.moved_pages++;
		else
			wt.unmoved_pages++;
	}
	return true;
}

static bool wt_op_flush(void)
{
	unsigned int i;

	if (!wt.nent)
		return false;
	wt_logf("flush a quarter of the cache");
	pthread_mutex_lock(&wt.lock);
	for (i = 0; i < wt.nent; i++) {
		if (!wt.ent[i]->users && !rndn(4)) {
			wt.flushed++;
			wt_table_del(i--);
		}
	}
	pthread_mutex_unlock(&wt.lock);
	return true;
}

static void wt_race_change(void *arg)
{
	struct wt_race_ctx *c = arg;
	int ret = 0;

	wt_spin(c->spin);
	switch (c->change) {
	case WT_RACE_MUNMAP:
		ret = munmap(c->addr, c->len);
		break;
	case WT_RACE_DONTNEED:
		ret = madvise(c->addr, c->len, MADV_DONTNEED);
		break;
	case WT_RACE_MPROTECT:
		ret = mprotect(c->addr, c->len, PROT_READ) ||
		      mprotect(c->addr, c->len, PROT_READ | PROT_WRITE);
		break;
	default:
		ret = madvise(c->addr, c->len, MADV_FREE);
		break;
	}
	if (ret)
		WT_FAIL("%s racing a PIN: %s", wt_races[c->change],
			strerror(errno));
}

/*
 * One thread PINs a range while the main thread changes it. A PIN that
 * succeeded holds what the range maps, or is stale by now: after a
 * munmap it can only be stale; after DONTNEED its tokens must come back
 * unless it is; after a benign change it must not be.
 */
static bool wt_op_race(void)
{
	static const unsigned int kinds[WT_NR_RACES] = {
		[WT_RACE_MUNMAP] = WT_MAPPED, [WT_RACE_DONTNEED] = WT_ALL,
		[WT_RACE_MPROTECT] = WT_ALL, [WT_RACE_FREE] = WT_PRIVATE,
	};
	struct wt_race_ctx c;
	struct wt_job *j = &wt.jobs[0][0];
	struct wt_entry *e;
	struct wt_region *r;
	size_t off, len;
	bool moved;
	int i, err = 0;
	long page;

	c.change = (enum wt_race)rndn(WT_NR_RACES);
	if (c.change == WT_RACE_FREE && !wt.have_free)
		c.change = WT_RACE_MPROTECT;
	i = wt_pick(kinds[c.change]);
	if (i < 0 || (c.change == WT_RACE_MUNMAP && !wt_free_slots()))
		return false;
	r = &wt.regions[i];
	wt_piece(r, 64, &off, &len);
	memset(j, 0, sizeof(*j));
	j->type = WT_JOB_RACE;
	j->region = (unsigned int)i;
	j->off = j->woff = off;
	j->len = j->wlen = len;
	j->flags = wt_flags();
	j->spin = (unsigned int)rndn(WT_SPIN);
	wt.njobs[0] = 1;
	wt.njobs[1] = wt.njobs[2] = 0;
	c.addr = r->addr + off;
	c.len = len;
	c.spin = (unsigned int)rndn(WT_SPIN);
	wt_logf("PIN (flags 0x%x) racing %s of [%p, +%zu) of %s", j->flags,
		wt_races[c.change], (void *)c.addr, len, wt_kinds[r->kind]);
	wt.races++;
	wt_batch(wt_race_change, &c);
	if (c.change == WT_RACE_MUNMAP)
		wt_touch(c.addr, len, true, "munmap");
	/*
	 * The racing PIN faults the range back in: a watch-only lease, which
	 * has no pages to compare, may see pages there again when the
	 * discarding call is done (a limit docs/design.md names).
	 */
	else if (c.change == WT_RACE_DONTNEED)
		wt_touch(c.addr, len,
			 !(K(r->kind) & WT_SHMEM) && !wt.watch_only,
			 "MADV_DONTNEED");
	else if (c.change == WT_RACE_FREE && wt.watch_only)
		wt_touch(c.addr, len, false, "MADV_FREE");

	if (j->ret) {
		/* Only an unmapped or (for a moment) read-only range fails it. */
		if ((j->err != EFAULT && (!wt.watch_only ||
					  j->err != wt.wo_unmapped_err)) ||
		    (c.change != WT_RACE_MUNMAP &&
		     c.change != WT_RACE_MPROTECT))
			WT_FAIL("PIN racing %s: %s", wt_races[c.change],
				strerror(j->err));
		wt.race_refused++;
	} else {
		e = wt_entry_new(&j->pin, (uintptr_t)c.addr, len, j->flags);
		moved = wt_word(e) != e->gen;
		switch (c.change) {
		case WT_RACE_MUNMAP:
			e->touched = true;
			e->cause = "munmap racing its PIN";
			if (!moved && (!wt.watch_only || wt.wo_strict))
				wt_count("missed invalidation (a PIN racing munmap)",
					 wt_kinds[r->kind]);
			if (!moved && (!wt.watch_only || wt.wo_strict) &&
			    ++wt.missed <= WT_DIAGS) {
				pm_diag("MISSED INVALIDATION: a PIN racing munmap of its range succeeded, and its word says it maps the range:");
				wt_show_entry("  ", e);
				if (wt.missed == 1)
					wt_dump_log();
			}
			break;
		case WT_RACE_DONTNEED:
			/* Pinned after the discard, it holds the new pages. */
			e->touched = moved || wt.watch_only;
			e->cause = "MADV_DONTNEED racing its PIN";
			if (e->touched)
				break;
			/* The check's buffer holds WT_MAX_GET pages. */
			page = wt_check(wt.buf[0], e, c.addr,
					len < WT_MAX_GET * wt.ps ? len :
					WT_MAX_GET * wt.ps, rnd(), &err);
			if (page != -1) {
				wt_stale_hit(e, c.addr, len, page, err,
					     "stale hit of a PIN racing MADV_DONTNEED");
				e->touched = true;
			}
			break;
		case WT_RACE_FREE:
			if (wt.watch_only) {
				e->touched = true;
				e->cause = "MADV_FREE racing its PIN";
			}
			break;
		default:
			break;
		}
		pthread_mutex_lock(&wt.lock);
		wt_insert(e);
		pthread_mutex_unlock(&wt.lock);
	}
	if (c.change == WT_RACE_MUNMAP)
		wt_region_cut(i, off, len);
	return true;
}

static struct wt_op wt_ops[] = {
	{ "gets",		wt_op_gets,		30, 30, 0 },
	{ "race",		wt_op_race,		 5,  5, 0 },
	{ "map",		wt_op_map,		 9,  9, 0 },
	{ "munmap",		wt_op_munmap,		 6,  6, 0 },
	{ "mremap move",	wt_op_move,		 3,  3, 0 },
	{ "mremap grow",	wt_op_grow,		 2,  2, 0 },
	{ "mremap shrink",	wt_op_shrink,		 2,  2, 0 },
	{ "mmap MAP_FIXED",	wt_op_fixed,		 3,  3, 0 },
	{ "MADV_DONTNEED",	wt_op_dontneed,		 5,  5, 0 },
	{ "MADV_FREE",		wt_op_free,		 4,  2, 0 },
	{ "MADV_REMOVE",	wt_op_remove,		 3,  3, 0 },
	{ "free",		wt_op_free_block,	 2,  2, 0 },
	{ "realloc",		wt_op_realloc,		 2,  2, 0 },
	{ "shmdt",		wt_op_shmdt,		 2,  2, 0 },
	{ "fork",		wt_op_fork,		 3,  3, 0 },
	{ "mprotect",		wt_op_mprotect,		 5,  5, 0 },
	{ "move_pages",		wt_op_migrate,		 3,  2, 0 },
	{ "flush",		wt_op_flush,		 2,  2, 0 },
};

static struct wt_op *wt_pick_op(void)
{
	unsigned int total = 0, i, w;
	size_t x;

	/* Too few regions to work on: make some. */
	if (wt.nregions < 6)
		return &wt_ops[2];
	for (i = 0; i < ARRAY_SIZE(wt_ops); i++)
		total += wt.watch_only ? wt_ops[i].weight_wo : wt_ops[i].weight;
	x = rndn(total);
	for (i = 0; i < ARRAY_SIZE(wt_ops); i++) {
		w = wt.watch_only ? wt_ops[i].weight_wo : wt_ops[i].weight;
		if (x < w)
			break;
		x -= w;
	}
	return &wt_ops[i];
}

/* ---- The run ------------------------------------------------------------- */

static unsigned long long wt_env(const char *name, unsigned long long def,
				 bool *given)
{
	const char *v = getenv(name);
	unsigned long long x;
	char *end;

	*given = v && *v;
	if (!*given)
		return def;
	errno = 0;
	x = strtoull(v, &end, 0);
	if (errno || *end)
		FAIL("cannot parse %s=%s", name, v);
	return x;
}

/* Skip by the feature bit, once a watched PIN was refused as it says. */
static void wt_need_watch(void)
{
	size_t ps = pm_page_size();
	char *p;
	int fd;

	if (pm_feature(PINMGR_FEATURE_WATCH)) {
		if (geteuid())
			SKIP("needs root (pagemap frames, RLIMIT_MEMLOCK, move_pages)");
		return;
	}
	fd = pm_open();
	ASSERT_GE(fd, 0);
	p = pm_map_anon(ps);
	ASSERT_NE(p, NULL);
	ASSERT_ERRNO(pm_pin(fd, p, ps, PINMGR_PIN_WRITE | PINMGR_PIN_WATCH, 0,
			    NULL), EOPNOTSUPP);
	ASSERT_ERRNO(pm_pin(fd, p, ps, PINMGR_PIN_WATCH_ONLY, 0, NULL),
		     EOPNOTSUPP);
	close(fd);
	pm_unmap(p, ps);
	pm_skip_feature(PINMGR_FEATURE_WATCH,
			"watched leases (PINMGR_FEATURE_WATCH)");
}

/* What this kernel and machine have. */
static void wt_probe(void)
{
	struct pinmgr_event ev;
	struct pinmgr_pin pin;
	char *p;
	int id;

	wt.have_free = wt.have_populate = true;
	id = shmget(IPC_PRIVATE, wt.ps, IPC_CREAT | 0600);
	wt.have_shm = id >= 0;
	if (id >= 0)
		ASSERT_EQ(shmctl(id, IPC_RMID, NULL), 0);
	else
		pm_diag("no SysV shared memory here (%s): no shmat/shmdt",
			strerror(errno));
	wt.have_node1 = !access("/sys/devices/system/node/node1", F_OK);
	if (!wt.have_node1)
		pm_diag("one NUMA node: no migration between nodes");
	/* Frames in pagemap need CAP_SYS_ADMIN; zeros otherwise. */
	wt.pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	p = pm_map_anon(wt.ps);
	ASSERT_NE(p, NULL);
	wt.have_pfns = wt.pagemap >= 0 && pm_pagemap_pfn(p) > 0;
	/* Does a watch-only PIN of no mapping fail? Then racing is judged. */
	pm_unmap(p, wt.ps);
	errno = 0;
	if (!pm_pin(wt.fd, p, wt.ps, PINMGR_PIN_WATCH_ONLY, 0, &pin)) {
		ASSERT_EQ(pm_unpin(wt.fd, pin.out_handle), 0);
		wt.wo_strict = false;
	} else {
		wt.wo_unmapped_err = errno;
		wt.wo_strict = true;
	}
	while (pm_read_event(wt.fd, &ev, 0) == 1)
		;
}

static void wt_setup(bool watch_only)
{
	struct timespec ts;
	bool given;
	unsigned int t;
	int fd;

	memset(&wt, 0, sizeof(wt));
	wt.watch_only = watch_only;
	wt.ps = pm_page_size();
	clock_gettime(CLOCK_REALTIME, &ts);
	wt.seed = wt_env("PINMGR_TORTURE_SEED",
			 ((unsigned long long)ts.tv_nsec << 20) ^
			 (unsigned long long)ts.tv_sec ^
			 ((unsigned long long)getpid() << 40), &given);
	wt.rng = wt.seed ^ (watch_only ? 0x5bd1e995ULL : 0);
	/* Blocks above 128 KiB get mappings of their own, always. */
	ASSERT_EQ(mallopt(M_MMAP_THRESHOLD, 128 * 1024), 1);
	/* Room for every STALE event: the queue is sized when first used. */
	ASSERT_EQ(pm_param_write("max_events", WT_MAX_EVENTS), 0);
	fd = pm_open();
	ASSERT_GE(fd, 0);
	wt.fd = fd;
	wt.area = mmap(NULL, PINMGR_WATCH_SLOTS_MAX * sizeof(__u64), PROT_READ,
		       MAP_SHARED, fd, PINMGR_WATCH_MMAP_OFFSET);
	ASSERT_NE(wt.area, MAP_FAILED);
	wt.slot_gen = calloc(PINMGR_WATCH_SLOTS_MAX, sizeof(*wt.slot_gen));
	wt.hash = calloc(WT_HASH_SIZE, sizeof(*wt.hash));
	ASSERT_NE(wt.slot_gen, NULL);
	ASSERT_NE(wt.hash, NULL);
	ASSERT_EQ(pthread_mutex_init(&wt.lock, NULL), 0);
	for (t = 0; t < WT_MAX_REGIONS; t++)
		ASSERT_EQ(pthread_mutex_init(&wt.rlock[t], NULL), 0);
	wt_probe();
	ASSERT_EQ(pthread_barrier_init(&wt.start, NULL, WT_THREADS + 1), 0);
	ASSERT_EQ(pthread_barrier_init(&wt.done, NULL, WT_THREADS + 1), 0);
	for (t = 0; t < WT_THREADS; t++) {
		wt.buf[t] = malloc(WT_MAX_GET * wt.ps);
		ASSERT_NE(wt.buf[t], NULL);
		ASSERT_EQ(pthread_create(&wt.th[t], NULL, wt_worker,
					 (void *)(uintptr_t)t), 0);
	}
}

/* Every lease still held whose word moved has had its STALE event. */
static unsigned long wt_held_without_event(void)
{
	unsigned long n = 0;
	struct wt_hrec *h;
	unsigned int i;

	pthread_mutex_lock(&wt.lock);
	for (i = 0; i < wt.nent; i++) {
		h = wt_hrec(wt.ent[i]->handle, false);
		if (h && wt.ent[i]->judged && !h->evented)
			n++;
	}
	pthread_mutex_unlock(&wt.lock);
	return n;
}

static void wt_teardown(void)
{
	struct pinmgr_info info;
	struct wt_region *r;
	unsigned int t;

	atomic_store(&wt.stop, 1);
	pthread_barrier_wait(&wt.start);
	for (t = 0; t < WT_THREADS; t++) {
		ASSERT_EQ(pthread_join(wt.th[t], NULL), 0);
		free(wt.buf[t]);
	}
	pthread_barrier_destroy(&wt.start);
	pthread_barrier_destroy(&wt.done);
	wt.op = "the end";
	wt_settle("the end");
	wt_check_counts();

	pthread_mutex_lock(&wt.lock);
	while (wt.nent)
		wt_table_del(0);
	pthread_mutex_unlock(&wt.lock);
	/* Nothing held: the context must come to no lease and no page. */
	wt_check_counts();
	ASSERT_EQ(pm_get_info(wt.fd, &info), 0);
	ASSERT_EQ(info.ctx_leases, 0);
	ASSERT_EQ(info.ctx_pinned_pages, 0);
	wt_drain(0);

	for (t = 0; t < WT_MAX_REGIONS; t++) {
		r = &wt.regions[t];
		if (!r->used)
			continue;
		if (r->kind == WT_MALLOC)
			free(r->block);
		else if (r->kind == WT_SHM)
			ASSERT_EQ(shmdt(r->addr), 0);
		else
			ASSERT_EQ(munmap(r->addr, r->len), 0);
		wt_region_del(t);
	}
	munmap((void *)wt.area, PINMGR_WATCH_SLOTS_MAX * sizeof(__u64));
	close(wt.fd);
	if (wt.pagemap >= 0)
		close(wt.pagemap);
	free(wt.slot_gen);
	free(wt.hash);
}

static void wt_run(bool watch_only)
{
	unsigned long long nops;
	unsigned long unevented = 0, k;
	long long base;
	struct wt_op *op;
	double t0, secs;
	bool given;
	__u64 end;

	wt_need_watch();
	base = pm_outstanding_pins();
	ASSERT_GE(base, 0);
	wt_setup(watch_only);
	nops = wt_env("PINMGR_TORTURE_OPS",
		      watch_only ? WT_DEFAULT_OPS_WO : WT_DEFAULT_OPS, &given);
	pm_diag("watch torture (%s leases): seed 0x%llx (replay: PINMGR_TORTURE_SEED=0x%llx), %llu operations (PINMGR_TORTURE_OPS), %d threads",
		watch_only ? "watch-only" : "pinning",
		(unsigned long long)wt.seed, (unsigned long long)wt.seed,
		nops, WT_THREADS);
	for (k = 0; k < ARRAY_SIZE(wt_ops); k++)
		wt_ops[k].done = 0;

	t0 = pm_monotonic_ns() / 1e9;
	wt.t0 = pm_monotonic_ns();
	for (wt.step = 0; wt.step < nops; wt.step++) {
		if (!given && pm_monotonic_ns() / 1e9 - t0 > WT_DEFAULT_SECS) {
			pm_diag("a slow kernel: stopping after %d s, at operation %lu",
				WT_DEFAULT_SECS, wt.step);
			break;
		}
		for (k = 0; k < 8; k++) {
			op = wt_pick_op();
			wt.op = op->name;
			if (op->fn())
				break;
		}
		if (k == 8) {
			op = &wt_ops[0];
			wt.op = op->name;
			op->fn();
		}
		op->done++;
		wt_settle(op->name);
	}
	secs = pm_monotonic_ns() / 1e9 - t0;

	/* Stragglers: the events of leases still held whose word moved. */
	end = pm_monotonic_ns() + 5000 * PM_MS;
	while (!wt.overflow && !wt.hash_full &&
	       (unevented = wt_held_without_event()) &&
	       pm_monotonic_ns() < end)
		wt_drain(100);
	if (wt.overflow || wt.hash_full)
		unevented = 0;
	wt_teardown();

	pm_diag("%lu operations in %.1f s (%.0f/s): %lu gets, %lu hits, %lu misses; %lu stale hits, %lu false invalidations, %lu missed invalidations",
		wt.step, secs, wt.step / (secs > 0 ? secs : 1), wt.gets,
		wt.hits, wt.misses, wt.stale_hits, wt.false_inval, wt.missed);
	pm_diag("words moved as expected %lu times; %lu STALE events (%lu repeated, %lu overflow records); %lu invalidated on lookup, %lu evicted, %lu flushed",
		wt.expected, wt.events, wt.dup_events, wt.overflows, wt.invalidations,
		wt.evictions, wt.flushed);
	if (wt.watch_only)
		pm_diag("watch-only: %lu words moved with their pages (khugepaged, compaction); racing PIN %s judged",
			wt.spontaneous, wt.wo_strict ? "is" : "is not");
	else
		pm_diag("%lu words moved with pages the kernel replaced under the pin (a write copying a pinned page, before 5.19)",
			wt.spontaneous);
	pm_diag("%lu races (%lu PINs refused), %lu mremaps refused, move_pages: %lu pages moved, %lu not",
		wt.races, wt.race_refused, wt.refused, wt.moved_pages,
		wt.unmoved_pages);
	wt_show_tally();
	if (wt.count_lags)
		pm_diag("LAGGING COUNTS %lu times: GET_INFO and VmPin still counted leases after their UNPIN returned, for up to %llu ms",
			wt.count_lags, (unsigned long long)wt.max_lag_ms);
	{
		char line[512];
		size_t n = 0;

		for (k = 0; k < ARRAY_SIZE(wt_ops); k++)
			n += snprintf(line + n, sizeof(line) - n, "%s%s %lu",
				      k ? ", " : "operations: ",
				      wt_ops[k].name, wt_ops[k].done);
		pm_diag("%s", line);
	}

	/* Closed: every pin is released, at most a moment later. */
	end = pm_monotonic_ns() + 2000 * PM_MS;
	while (pm_outstanding_pins() != base && pm_monotonic_ns() < end)
		pm_msleep(10);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	if (unevented)
		FAIL("%lu leases still held whose word moved never had a STALE event",
		     unevented);
	if (wt.dup_events)
		FAIL("%lu STALE events repeated one a lease had had (PINMGR_TORTURE_SEED=0x%llx)",
		     wt.dup_events, (unsigned long long)wt.seed);
	if (wt.stale_hits || wt.false_inval || wt.missed)
		FAIL("%lu stale hits, %lu false invalidations, %lu missed invalidations in %lu operations (PINMGR_TORTURE_SEED=0x%llx)",
		     wt.stale_hits, wt.false_inval, wt.missed, wt.step,
		     (unsigned long long)wt.seed);
}

TEST_TIMEOUT(watch_torture, 900)
{
	wt_run(false);
}

TEST_TIMEOUT(watch_torture_watch_only, 900)
{
	wt_run(true);
}

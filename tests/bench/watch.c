// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinmgr-bench: watched leases, what they cost and what they save.
 *
 * A registration cache (what MPI, UCX and libfabric keep) looks a buffer
 * up among the leases it holds and, with watched leases, checks the
 * lease's word in the status area instead of trusting hooks on munmap():
 * a hit is that lookup and one acquire load, no system call. Beside it,
 * in the same rounds, what a hit saves: io_uring's register+unregister
 * and PIN+UNPIN of the same 4 KiB page. Then what a watch costs: PIN+UNPIN
 * with PINMGR_PIN_WATCH and without, of that page and of the run's
 * largest range on THP (1 GiB, as the cells); munmap() of a page with no
 * lease, with one, and with a watched one (the notifier's share). Last,
 * how long after munmap() returns its owner has read the STALE event
 * (poll(2), then read(2)). The rows alternate as the floor's do.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/pinmgr.h>

#include "bench.h"

#define WATCH_PIN_FLAGS	(PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM)
#define STALE_WAIT_MS	1000
#define AREA_BYTES	(PINMGR_WATCH_SLOTS_MAX * sizeof(uint64_t))

/* A lease as a registration cache keeps it. */
struct wcache_ent {
	uintptr_t addr;
	size_t len;
	uint64_t handle;
	uint64_t gen;
	uint32_t slot;
};

/* What the rows share: the file, its status area and the cache. */
static struct {
	int fd;
	const uint64_t *area;
	struct wcache_ent ent[WATCH_CACHE_ENTRIES];	/* by address */
	unsigned int n;
	uint64_t sink;
} wb = { .fd = -1 };

static int wpin(int fd, const void *addr, size_t len, uint32_t flags,
		struct pinmgr_pin *pin)
{
	memset(pin, 0, sizeof(*pin));
	pin->size = sizeof(*pin);
	pin->flags = flags;
	pin->addr = (uintptr_t)addr;
	pin->length = len;
	return ioctl(fd, PINMGR_IOC_PIN, pin) ? -errno : 0;
}

static int wunpin(int fd, uint64_t handle)
{
	struct pinmgr_unpin u = { .size = sizeof(u), .handle = handle };

	return ioctl(fd, PINMGR_IOC_UNPIN, &u) ? -errno : 0;
}

/* The cached lease over [a, a + len) whose word says it still maps it. */
static const struct wcache_ent *wcache_get(uintptr_t a, size_t len)
{
	unsigned int lo = 0, hi = wb.n, mid;
	const struct wcache_ent *e;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (wb.ent[mid].addr <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	e = &wb.ent[lo - 1];
	if (a + len > e->addr + e->len)
		return NULL;
	if (__atomic_load_n(&wb.area[e->slot], __ATOMIC_ACQUIRE) != e->gen)
		return NULL;
	return e;
}

/* WATCH_HIT_BATCH hits in a row; the figure is one's share. */
static int hit_cycle(struct bench_env *env, const struct region *r,
		     struct cycle_result *res)
{
	const struct wcache_ent *e;
	uint64_t sum = 0;
	int64_t t0, t;
	unsigned int i;

	(void)env;
	t0 = now_ns();
	for (i = 0; i < WATCH_HIT_BATCH; i++) {
		/* Each lookup from scratch, as separate calls would be. */
		__asm__ __volatile__("" : : : "memory");
		e = wcache_get((uintptr_t)r->addr, r->length);
		if (!e)
			return -ESTALE;
		sum += e->handle;
	}
	t = now_ns() - t0;
	wb.sink += sum;
	res->ns = (t + WATCH_HIT_BATCH / 2) / WATCH_HIT_BATCH;
	res->pin_ns = res->ns;
	res->unpin_ns = 0;
	return 0;
}

static int pin_cycle(const struct region *r, uint32_t flags,
		     struct cycle_result *res)
{
	struct pinmgr_pin pin;
	int64_t t0, t1;
	int ret;

	t0 = now_ns();
	ret = wpin(wb.fd, r->addr, r->length, flags, &pin);
	t1 = now_ns();
	if (ret)
		return ret;
	ret = wunpin(wb.fd, pin.out_handle);
	res->pin_ns = t1 - t0;
	res->unpin_ns = now_ns() - t1;
	res->ns = res->pin_ns + res->unpin_ns;
	return ret;
}

static int pin_plain_cycle(struct bench_env *env, const struct region *r,
			   struct cycle_result *res)
{
	(void)env;
	return pin_cycle(r, WATCH_PIN_FLAGS, res);
}

static int pin_watch_cycle(struct bench_env *env, const struct region *r,
			   struct cycle_result *res)
{
	(void)env;
	return pin_cycle(r, WATCH_PIN_FLAGS | PINMGR_PIN_WATCH, res);
}

/* Read what munmap() of watched pages queued; never timed. */
static void drain(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct pinmgr_event ev[16];

	while (poll(&pfd, 1, 0) == 1 && read(fd, ev, sizeof(ev)) > 0)
		;
}

/*
 * munmap() of a written page, alone timed: with no lease (@flags 0 and
 * !@lease), with a lease pinned with @flags.
 */
static int munmap_cycle(bool lease, uint32_t flags, struct cycle_result *res)
{
	struct pinmgr_pin pin;
	int64_t t0, t;
	int ret = 0;
	char *p;

	p = mmap(NULL, BASE_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	*(volatile char *)p = 1;
	if (lease) {
		ret = wpin(wb.fd, p, BASE_PAGE, flags, &pin);
		if (ret) {
			munmap(p, BASE_PAGE);
			return ret;
		}
	}
	t0 = now_ns();
	if (munmap(p, BASE_PAGE))
		ret = -errno;
	t = now_ns() - t0;
	/* A watched lease is stale by now; UNPIN ends it as any other. */
	if (lease && wunpin(wb.fd, pin.out_handle) && !ret)
		ret = -errno;
	if (flags & PINMGR_PIN_WATCH)
		drain(wb.fd);
	res->ns = res->pin_ns = t;
	res->unpin_ns = 0;
	return ret;
}

static int munmap_plain_cycle(struct bench_env *env, const struct region *r,
			      struct cycle_result *res)
{
	(void)env;
	(void)r;
	return munmap_cycle(false, 0, res);
}

static int munmap_lease_cycle(struct bench_env *env, const struct region *r,
			      struct cycle_result *res)
{
	(void)env;
	(void)r;
	return munmap_cycle(true, WATCH_PIN_FLAGS, res);
}

static int munmap_watched_cycle(struct bench_env *env, const struct region *r,
				struct cycle_result *res)
{
	(void)env;
	(void)r;
	return munmap_cycle(true, WATCH_PIN_FLAGS | PINMGR_PIN_WATCH, res);
}

static const struct iface watch_ifaces[NR_WATCH_ROWS] = {
	[WATCH_HIT] = { .id = "watch-cache-hit",
			.label = "cache hit (lookup + word)",
			.cycle = hit_cycle },
	[WATCH_PIN] = { .id = "watch-pin-plain", .label = "PIN+UNPIN (W|LT)",
			.cycle = pin_plain_cycle },
	[WATCH_PIN_WATCH] = { .id = "watch-pin-watch",
			      .label = "PIN+UNPIN (W|LT|WATCH)",
			      .cycle = pin_watch_cycle },
	[WATCH_PIN_THP] = { .id = "watch-pin-plain-thp",
			    .label = "PIN+UNPIN (W|LT), THP",
			    .cycle = pin_plain_cycle },
	[WATCH_PIN_WATCH_THP] = { .id = "watch-pin-watch-thp",
				  .label = "PIN+UNPIN (W|LT|WATCH), THP",
				  .cycle = pin_watch_cycle },
	[WATCH_MUNMAP] = { .id = "watch-munmap",
			   .label = "munmap(), no lease",
			   .cycle = munmap_plain_cycle },
	[WATCH_MUNMAP_LEASE] = { .id = "watch-munmap-lease",
				 .label = "munmap(), a lease",
				 .cycle = munmap_lease_cycle },
	[WATCH_MUNMAP_WATCHED] = { .id = "watch-munmap-watched",
				   .label = "munmap(), a watched lease",
				   .cycle = munmap_watched_cycle },
};

/*
 * @n times: a watched lease of a fresh page, munmap() of the page, then
 * poll(2) and read(2) of its STALE event; from munmap()'s return to
 * read()'s. Counts the events already queued when munmap() returned.
 */
static int stale_latency(unsigned int n, struct watch_result *r)
{
	double *v = calloc(n ? n : 1, sizeof(*v));
	struct pinmgr_event ev;
	struct pinmgr_pin pin;
	struct pollfd pfd;
	int64_t back;
	unsigned int i;
	int fd, ret = 0, ready;
	char *p;

	if (!v)
		return -ENOMEM;
	fd = open(PINMGR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		free(v);
		return ret;
	}
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	for (i = 0; i < n && !ret; i++) {
		p = mmap(NULL, BASE_PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			ret = -errno;
			break;
		}
		*(volatile char *)p = 1;
		ret = wpin(fd, p, BASE_PAGE, WATCH_PIN_FLAGS | PINMGR_PIN_WATCH,
			   &pin);
		if (ret) {
			munmap(p, BASE_PAGE);
			break;
		}
		munmap(p, BASE_PAGE);
		back = now_ns();
		ready = poll(&pfd, 1, 0);
		if (ready == 1)
			r->stale_ready++;
		else if (poll(&pfd, 1, STALE_WAIT_MS) != 1)
			ret = -ETIME;
		errno = 0;
		if (!ret && read(fd, &ev, sizeof(ev)) != sizeof(ev))
			ret = errno ? -errno : -EPROTO;
		if (!ret) {
			v[i] = (double)(now_ns() - back);
			if (ev.type != PINMGR_EVENT_STALE ||
			    ev.handle != pin.out_handle ||
			    ev.reason != PINMGR_STALE_UNMAP)
				ret = -EPROTO;
		}
		if (wunpin(fd, pin.out_handle) && !ret)
			ret = -errno;
	}
	if (!ret)
		stats_compute(&r->stale, v, n);
	close(fd);
	free(v);
	return ret;
}

static void watch_fail(struct watch_result *r, int err, const char *what)
{
	r->err = err;
	snprintf(r->why, WHY_LEN, "%s: %s", what, strerror(-err));
}

/* The cache: a watched lease of each page of @cached, in address order. */
static int fill_cache(const struct region *cached)
{
	struct pinmgr_pin pin;
	unsigned int k;
	char *p;
	int ret;

	for (k = 0; k < WATCH_CACHE_ENTRIES; k++) {
		p = (char *)cached->addr + (size_t)k * BASE_PAGE;
		ret = wpin(wb.fd, p, BASE_PAGE,
			   WATCH_PIN_FLAGS | PINMGR_PIN_WATCH, &pin);
		if (ret)
			return ret;
		wb.ent[wb.n++] = (struct wcache_ent){
			.addr = (uintptr_t)p, .len = BASE_PAGE,
			.handle = pin.out_handle, .gen = pin.out_watch_gen,
			.slot = pin.out_watch_slot,
		};
		if (!pin.out_watch_slot ||
		    pin.out_watch_slot >= PINMGR_WATCH_SLOTS_MAX)
			return -EPROTO;
	}
	return 0;
}

static bool thp_row(unsigned int row)
{
	return row == WATCH_PIN_THP || row == WATCH_PIN_WATCH_THP;
}

/* Per round: @num's median over @den's. */
static void round_ratios(const struct watch_result *r, unsigned int num,
			 unsigned int den, struct stats *st)
{
	double v[MAX_ROUNDS];
	unsigned int i;

	for (i = 0; i < r->rounds; i++)
		v[i] = r->res[den][i].st.median > 0 ?
		       r->res[num][i].st.median / r->res[den][i].st.median : 0;
	stats_compute(st, v, r->rounds);
}

void run_watch(struct bench_env *env, const struct options *o,
	       struct watch_result *r)
{
	const struct iface *ifc[NR_WATCH_ROWS];
	struct region cached = { 0 }, thp = { 0 }, page;
	unsigned int i, n, row;
	void *area;
	int ret;

	memset(r, 0, sizeof(*r));
	r->measured = true;
	n = o->watch_rounds < MAX_ROUNDS ? o->watch_rounds : MAX_ROUNDS;
	for (row = 0; row < NR_WATCH_ROWS; row++)
		ifc[row] = row == WATCH_URING ? iface_find(URING_IFACE_ID) :
						&watch_ifaces[row];
	fprintf(stderr, "pinmgr-bench: watched leases\n");
	wb.n = 0;
	wb.area = NULL;
	wb.fd = open(PINMGR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (wb.fd < 0) {
		watch_fail(r, -errno, "open");
		return;
	}
	area = mmap(NULL, AREA_BYTES, PROT_READ, MAP_SHARED, wb.fd,
		    PINMGR_WATCH_MMAP_OFFSET);
	if (area == MAP_FAILED) {
		watch_fail(r, -errno, "mmap of the status area");
		goto out;
	}
	wb.area = area;
	ret = region_map(&cached, BACKING_4K,
			 WATCH_CACHE_ENTRIES * BASE_PAGE);
	if (ret) {
		watch_fail(r, ret, "mmap");
		goto out;
	}
	if (region_confirm(&cached, r->why, WHY_LEN)) {
		r->err = -EINVAL;
		goto out;
	}
	ret = fill_cache(&cached);
	if (ret) {
		watch_fail(r, ret, "a watched PIN (W|LT|WATCH) for the cache");
		goto out;
	}
	/* A page in the middle of the cache's. */
	page = (struct region){
		.addr = (char *)cached.addr +
			WATCH_CACHE_ENTRIES / 3 * BASE_PAGE,
		.length = BASE_PAGE, .backing = BACKING_4K,
	};

	/* THP: the run's largest size, mapped and confirmed as a cell's. */
	r->thp_size = largest_size(o);
	if (r->thp_size < HUGE_PAGE || r->thp_size % HUGE_PAGE) {
		r->thp_status = CELL_SKIPPED;
		snprintf(r->thp_why, WHY_LEN,
			 "the largest size is not a multiple of 2 MiB");
	} else if ((ret = region_map(&thp, BACKING_THP, r->thp_size))) {
		r->thp_status = CELL_NOT_BACKED;
		snprintf(r->thp_why, WHY_LEN, "mmap: %s", strerror(-ret));
		thp.addr = NULL;
	} else if (region_confirm(&thp, r->thp_why, WHY_LEN)) {
		r->thp_status = CELL_NOT_BACKED;
	} else {
		r->thp_status = CELL_OK;
	}

	for (i = 0; i < n; i++) {
		for (row = 0; row < NR_WATCH_ROWS; row++) {
			struct iface_result *res = &r->res[row][i];

			if (thp_row(row) && r->thp_status != CELL_OK)
				continue;
			measure(env, ifc[row], thp_row(row) ? &thp : &page,
				&o->budget, res);
			/* Without io_uring the rest still says something. */
			if (res->err && row != WATCH_URING) {
				r->err = res->err;
				snprintf(r->why, WHY_LEN, "%s", res->why);
				goto out;
			}
		}
		r->rounds++;
	}
	r->uring_ok = true;
	for (i = 0; i < n; i++)
		if (!iface_ok(&r->res[WATCH_URING][i]))
			r->uring_ok = false;
	for (row = 0; row < NR_WATCH_ROWS; row++) {
		if ((row == WATCH_URING && !r->uring_ok) ||
		    (thp_row(row) && r->thp_status != CELL_OK))
			continue;
		rounds_figure(r->res[row], n, &r->f[row]);
	}
	round_ratios(r, WATCH_PIN_WATCH, WATCH_PIN, &r->ratio_4k);
	if (r->thp_status == CELL_OK)
		round_ratios(r, WATCH_PIN_WATCH_THP, WATCH_PIN_THP,
			     &r->ratio_thp);

	fprintf(stderr, "pinmgr-bench: munmap() to the STALE event\n");
	ret = stale_latency(o->stale_samples, r);
	if (ret) {
		r->stale_err = ret;
		snprintf(r->stale_why, WHY_LEN,
			 "munmap() to the STALE event's read(): %s",
			 strerror(-ret));
	}
out:
	while (wb.n)
		wunpin(wb.fd, wb.ent[--wb.n].handle);
	if (thp.addr)
		region_unmap(&thp);
	if (cached.addr)
		region_unmap(&cached);
	if (wb.area)
		munmap((void *)wb.area, AREA_BYTES);
	wb.area = NULL;
	close(wb.fd);
	wb.fd = -1;
}

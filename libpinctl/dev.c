// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The device: one open file of /dev/pinmgr per struct pinctl_dev, a function
 * per ioctl, and the event stream read from the file.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/pinmgr.h>

#include "libpinctl-private.h"
#include "pinmgr_tables.h"

/* The library's values are the ABI's: checked once, here. */
_Static_assert((int)PINCTL_PIN_WRITE == (int)PINMGR_PIN_WRITE, "pin flags");
_Static_assert((int)PINCTL_BUDGET_SUFFICIENT == (int)PINMGR_BUDGET_SUFFICIENT,
	       "budget flags");
_Static_assert((int)PINCTL_PIN_LONGTERM == (int)PINMGR_PIN_LONGTERM, "pin flags");
_Static_assert((int)PINCTL_PIN_WATCH == (int)PINMGR_PIN_WATCH, "pin flags");
_Static_assert((int)PINCTL_PIN_RELEASE_ON_STALE == (int)PINMGR_PIN_RELEASE_ON_STALE,
	       "pin flags");
_Static_assert((int)PINCTL_PIN_WATCH_ONLY == (int)PINMGR_PIN_WATCH_ONLY, "pin flags");
_Static_assert((int)PINCTL_REVOKE_NOW == (int)PINMGR_REVOKE_NOW, "revoke flags");
_Static_assert((int)PINCTL_LEASE_REVOKED == (int)PINMGR_LEASE_REVOKED, "lease states");
_Static_assert((int)PINCTL_LEASE_STALE == (int)PINMGR_LEASE_STALE, "lease states");
_Static_assert((int)PINCTL_LEASE_HELD == (int)PINMGR_LEASE_HELD, "states");
_Static_assert((int)PINCTL_LEASE_INVALIDATED == (int)PINMGR_LEASE_INVALIDATED,
	       "lease states");
_Static_assert((int)PINCTL_STALE_UNMAP == (int)PINMGR_STALE_UNMAP, "stale reasons");
_Static_assert((int)PINCTL_STALE_DISCARD == (int)PINMGR_STALE_DISCARD, "stale reasons");
_Static_assert((int)PINCTL_STALE_EXIT == (int)PINMGR_STALE_EXIT, "stale reasons");
_Static_assert((int)PINCTL_EVENT_OVERFLOW == (int)PINMGR_EVENT_OVERFLOW, "event types");
_Static_assert((int)PINCTL_EVENT_STALE == (int)PINMGR_EVENT_STALE, "event types");
_Static_assert((int)PINCTL_EVENT_HELD == (int)PINMGR_EVENT_HELD, "event types");
_Static_assert((int)PINCTL_FEATURE_EVENTS == (int)PINMGR_FEATURE_EVENTS, "features");
_Static_assert((int)PINCTL_FEATURE_USER_LIMITS == (int)PINMGR_FEATURE_USER_LIMITS, "features");
_Static_assert((int)PINCTL_FEATURE_NL_MONITOR == (int)PINMGR_FEATURE_NL_MONITOR, "features");
_Static_assert((int)PINCTL_FEATURE_LONGTERM_MOVES_MOVABLE ==
	       (int)PINMGR_FEATURE_LONGTERM_MOVES_MOVABLE, "features");
_Static_assert((int)PINCTL_FEATURE_WATCH == (int)PINMGR_FEATURE_WATCH, "features");
_Static_assert((int)PINCTL_FEATURE_EXPORT == (int)PINMGR_FEATURE_EXPORT, "features");
_Static_assert((int)PINCTL_FEATURE_EXPORT_REVOCABLE_PINS ==
	       (int)PINMGR_FEATURE_EXPORT_REVOCABLE_PINS, "features");
_Static_assert((int)PINCTL_FEATURE_BUDGETS == (int)PINMGR_FEATURE_BUDGETS,
	       "features");
_Static_assert(PINCTL_WATCH_SLOTS_MAX == PINMGR_WATCH_SLOTS_MAX, "status area");
_Static_assert((int)PINCTL_INFO_OWNER_MM == (int)PINMGR_INFO_OWNER_MM, "info flags");
_Static_assert((int)PINCTL_PIN_VEC_MAX == (int)PINMGR_PIN_VEC_MAX, "pin_vec max");
_Static_assert(PINCTL_COMM_LEN >= PINMGR_COMM_LEN, "comm length");
_Static_assert(sizeof(struct pinctl_segment) == sizeof(struct pinmgr_segment),
	       "segments are passed through");

/* Events read from the file and not yet handed out. */
#define PINCTL_EVBUF_SIZE	4096

/* The status area, as one mapping of the whole of it. */
#define PINCTL_WATCH_AREA_SIZE	((size_t)PINMGR_WATCH_SLOTS_MAX * sizeof(__u64))

struct pinctl_dev {
	atomic_int refcount;
	struct pinctl_ctx *ctx;
	int fd;
	/*
	 * The status area, mapped by the first pinctl_watch_area() (under
	 * watch_lock) and published with release ordering, so that later
	 * callers take it without the lock. NULL until then.
	 */
	_Atomic(const volatile uint64_t *) watch_area;
	pthread_mutex_t watch_lock;
	/* Protects the event buffer: pinctl_event_read() hands out one at a time. */
	pthread_mutex_t ev_lock;
	size_t ev_len, ev_pos;
	unsigned char ev_buf[PINCTL_EVBUF_SIZE];
};

static int pinctl_ioctl(struct pinctl_dev *dev, unsigned long cmd, void *arg)
{
	if (ioctl(dev->fd, cmd, arg) < 0)
		return -errno;
	return 0;
}

PINCTL_API int pinctl_dev_open(struct pinctl_ctx *ctx,
			       const struct pinctl_dev_opts *opts,
			       struct pinctl_dev **devp)
{
	struct pinctl_dev_opts o;
	struct pinctl_dev *dev;
	int ret, oflags = O_RDWR;

	if (!ctx || !devp)
		return -EINVAL;
	ret = OPTS_GET(o, opts);
	if (ret)
		return ret;
	if (o.flags & ~(uint32_t)PINCTL_DEV_NONBLOCK)
		return -EOPNOTSUPP;
	if (o.flags & PINCTL_DEV_NONBLOCK)
		oflags |= O_NONBLOCK;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->fd = open(ctx->device_path, oflags | O_CLOEXEC);
	if (dev->fd < 0) {
		ret = -errno;
		err(ctx, "open %s: %s\n", ctx->device_path, strerror(-ret));
		free(dev);
		return ret;
	}
	ret = pthread_mutex_init(&dev->ev_lock, NULL);
	if (ret) {
		close(dev->fd);
		free(dev);
		return -ret;
	}
	ret = pthread_mutex_init(&dev->watch_lock, NULL);
	if (ret) {
		pthread_mutex_destroy(&dev->ev_lock);
		close(dev->fd);
		free(dev);
		return -ret;
	}
	atomic_init(&dev->watch_area, NULL);
	atomic_init(&dev->refcount, 1);
	dev->ctx = pinctl_ref(ctx);
	dbg(ctx, "opened %s as fd %d\n", ctx->device_path, dev->fd);
	*devp = dev;
	return 0;
}

PINCTL_API struct pinctl_dev *pinctl_dev_ref(struct pinctl_dev *dev)
{
	if (dev)
		atomic_fetch_add(&dev->refcount, 1);
	return dev;
}

PINCTL_API struct pinctl_dev *pinctl_dev_unref(struct pinctl_dev *dev)
{
	const volatile uint64_t *area;

	if (!dev || atomic_fetch_sub(&dev->refcount, 1) != 1)
		return NULL;
	area = atomic_load_explicit(&dev->watch_area, memory_order_acquire);
	/* The mapping holds the file open too: it goes first. */
	if (area)
		munmap((void *)(uintptr_t)area, PINCTL_WATCH_AREA_SIZE);
	close(dev->fd);
	pthread_mutex_destroy(&dev->watch_lock);
	pthread_mutex_destroy(&dev->ev_lock);
	pinctl_unref(dev->ctx);
	free(dev);
	return NULL;
}

PINCTL_API int pinctl_dev_get_fd(const struct pinctl_dev *dev)
{
	return dev->fd;
}

struct pinctl_ctx *pinctl_dev_ctx(const struct pinctl_dev *dev)
{
	return dev->ctx;
}

PINCTL_API int pinctl_dev_info(struct pinctl_dev *dev, struct pinctl_info *info)
{
	struct pinmgr_info k = { .size = sizeof(k) };
	struct pinctl_info r = { .sz = sizeof(r) };
	int ret;

	ret = pinctl_out_check(info);
	if (ret)
		return ret;
	ret = pinctl_ioctl(dev, PINMGR_IOC_GET_INFO, &k);
	if (ret)
		return ret;
	r.abi_version = k.abi_version;
	r.page_size = k.page_size;
	r.features = k.features;
	r.flags = k.out_flags;
	r.max_lease_pages = k.max_lease_pages;
	r.max_leases = k.max_leases;
	r.max_device_pages = k.max_device_pages;
	r.memlock_limit_pages = k.memlock_limit_pages;
	r.mm_pinned_pages = k.mm_pinned_pages;
	r.dev_leases = k.ctx_leases;
	r.dev_pinned_pages = k.ctx_pinned_pages;
	r.device_leases = k.device_leases;
	r.device_pinned_pages = k.device_pinned_pages;
	r.break_time_ns = k.break_time_ns;
	r.max_events = k.max_events;
	r.user_pinned_pages = k.user_pinned_pages;
	OUT_PUT(info, r);
	return 0;
}

/* One PIN, its reply in @p. */
static int pin_one(struct pinctl_dev *dev, void *addr, uint64_t length,
		   const struct pinctl_pin_opts *opts, struct pinmgr_pin *p)
{
	struct pinctl_pin_opts o;
	int ret;

	ret = OPTS_GET(o, opts);
	if (ret)
		return ret;
	*p = (struct pinmgr_pin){
		.size = sizeof(*p),
		.flags = o.flags,
		.addr = (uintptr_t)addr,
		.length = length,
		.cookie = o.cookie,
		.duration_ns = o.duration_ns,
	};
	ret = pinctl_ioctl(dev, PINMGR_IOC_PIN, p);
	if (ret)
		dbg(dev->ctx, "PIN %p+%#llx flags %#x: %s\n", addr,
		    (unsigned long long)length, o.flags, strerror(-ret));
	return ret;
}

PINCTL_API int pinctl_pin(struct pinctl_dev *dev, void *addr, uint64_t length,
			  const struct pinctl_pin_opts *opts, uint64_t *handle)
{
	struct pinmgr_pin p;
	int ret;

	if (!handle)
		return -EINVAL;
	ret = pin_one(dev, addr, length, opts, &p);
	if (!ret)
		*handle = p.out_handle;
	return ret;
}

PINCTL_API int pinctl_pin_lease(struct pinctl_dev *dev, void *addr,
				uint64_t length,
				const struct pinctl_pin_opts *opts,
				struct pinctl_pinned *pinned)
{
	struct pinctl_pinned r = { .sz = sizeof(r) };
	struct pinmgr_pin p;
	int ret;

	ret = pinctl_out_check(pinned);
	if (ret)
		return ret;
	ret = pin_one(dev, addr, length, opts, &p);
	if (ret)
		return ret;
	r.handle = p.out_handle;
	r.nr_pages = p.out_nr_pages;
	r.nr_runs = p.out_nr_runs;
	/*
	 * The driver only ever adds to the requested flags; a module older
	 * than out_pin_flags leaves it 0, and the request is then all it said.
	 */
	r.flags = p.out_pin_flags | p.flags;
	r.watch_slot = p.out_watch_slot;
	r.watch_gen = p.out_watch_gen;
	OUT_PUT(pinned, r);
	return 0;
}

/* The first version of struct pinctl_range, which ended at the handle. */
#define PINCTL_RANGE_SZ_V1	offsetofend(struct pinctl_range, handle)
/* The version with the watch fields. */
#define PINCTL_RANGE_SZ_WATCH	offsetofend(struct pinctl_range, watch_gen)

/*
 * PIN_VEC of @nr ranges @opts->range_sz apart, or @default_sz apart: the
 * size of struct pinctl_range in the header the caller was built with.
 */
static int pin_vec(struct pinctl_dev *dev, struct pinctl_range *ranges,
		   size_t nr, const struct pinctl_pin_vec_opts *opts,
		   size_t *error_index, size_t default_sz)
{
	struct pinctl_pin_vec_opts o;
	struct pinmgr_pin_vec v = { .size = sizeof(v) };
	struct pinmgr_pin_range *k;
	size_t i, stride;
	int ret;

	ret = OPTS_GET(o, opts);
	if (ret)
		return ret;
	stride = o.range_sz ? o.range_sz : default_sz;
	if (stride < PINCTL_RANGE_SZ_V1 || !ranges || nr == 0 ||
	    nr > PINCTL_PIN_VEC_MAX)
		return -EINVAL;
	for (i = 0; i < nr; i++) {
		const unsigned char *r = (const unsigned char *)ranges + i * stride;
		size_t b;

		for (b = sizeof(struct pinctl_range); b < stride; b++)
			if (r[b])
				return -E2BIG;
	}
	k = calloc(nr, sizeof(*k));
	if (!k)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		const struct pinctl_range *r =
			(const void *)((const char *)ranges + i * stride);

		if (r->__reserved ||
		    (stride >= PINCTL_RANGE_SZ_WATCH && r->__reserved2)) {
			free(k);
			return -EINVAL;
		}
		k[i].addr = (uintptr_t)r->addr;
		k[i].length = r->length;
		k[i].cookie = r->cookie;
		k[i].flags = r->flags;
		k[i].duration_ns = r->duration_ns;
	}
	v.ranges = (uintptr_t)k;
	v.nr_ranges = (uint32_t)nr;
	v.range_size = sizeof(*k);
	ret = pinctl_ioctl(dev, PINMGR_IOC_PIN_VEC, &v);
	if (ret) {
		if (error_index)
			*error_index = v.out_error_index;
		dbg(dev->ctx, "PIN_VEC of %zu ranges: %s at range %u\n", nr,
		    strerror(-ret), v.out_error_index);
	} else {
		for (i = 0; i < nr; i++) {
			struct pinctl_range *r =
				(void *)((char *)ranges + i * stride);

			r->handle = k[i].out_handle;
			/* Only a caller whose ranges have the watch fields. */
			if (stride >= PINCTL_RANGE_SZ_WATCH) {
				r->watch_slot = k[i].out_watch_slot;
				r->watch_gen = k[i].out_watch_gen;
			}
		}
	}
	free(k);
	return ret;
}

/*
 * Two versions of pinctl_pin_vec(), which differ only in the stride that a
 * zero &pinctl_pin_vec_opts.range_sz (or no options) stands for: programs
 * built before struct pinctl_range grew its watch fields call
 * pinctl_pin_vec@LIBPINCTL_1 and mean the first version's size; programs
 * built since call pinctl_pin_vec@@LIBPINCTL_3 and mean the size they know.
 * libpinctl.sym names pinctl_pin_vec in both nodes.
 */
__asm__(".symver pinctl_pin_vec_v1, pinctl_pin_vec@LIBPINCTL_1");
__asm__(".symver pinctl_pin_vec_v3, pinctl_pin_vec@@LIBPINCTL_3");

int pinctl_pin_vec_v1(struct pinctl_dev *dev, struct pinctl_range *ranges,
		      size_t nr, const struct pinctl_pin_vec_opts *opts,
		      size_t *error_index);
int pinctl_pin_vec_v3(struct pinctl_dev *dev, struct pinctl_range *ranges,
		      size_t nr, const struct pinctl_pin_vec_opts *opts,
		      size_t *error_index);

PINCTL_API int pinctl_pin_vec_v1(struct pinctl_dev *dev,
				 struct pinctl_range *ranges, size_t nr,
				 const struct pinctl_pin_vec_opts *opts,
				 size_t *error_index)
{
	return pin_vec(dev, ranges, nr, opts, error_index, PINCTL_RANGE_SZ_V1);
}

PINCTL_API int pinctl_pin_vec_v3(struct pinctl_dev *dev,
				 struct pinctl_range *ranges, size_t nr,
				 const struct pinctl_pin_vec_opts *opts,
				 size_t *error_index)
{
	return pin_vec(dev, ranges, nr, opts, error_index,
		       sizeof(struct pinctl_range));
}

PINCTL_API int pinctl_unpin(struct pinctl_dev *dev, uint64_t handle)
{
	struct pinmgr_unpin u = { .size = sizeof(u), .handle = handle };

	return pinctl_ioctl(dev, PINMGR_IOC_UNPIN, &u);
}

PINCTL_API int pinctl_lease_export(struct pinctl_dev *dev, uint64_t handle)
{
	struct pinmgr_export e = { .size = sizeof(e), .handle = handle };
	int ret;

	if (!dev)
		return -EINVAL;
	ret = pinctl_ioctl(dev, PINMGR_IOC_EXPORT, &e);
	return ret ? ret : e.out_fd;
}

/* A lease field from QUERY's reply, by its type in PINMGR_LEASE_FIELDS(). */
#define QUERY_U64(dst, src)	((dst) = (src))
#define QUERY_U32(dst, src)	((dst) = (src))
#define QUERY_STR(dst, src)	snprintf(dst, sizeof(dst), "%.*s", (int)sizeof(src), src)
#define LEASE_FROM_QUERY(name, attr, type, kind, query) \
	QUERY_##type(r.name, q.query);

PINCTL_API int pinctl_query(struct pinctl_dev *dev, uint64_t handle,
			    struct pinctl_lease *lease)
{
	struct pinmgr_query q = { .size = sizeof(q), .handle = handle };
	struct pinctl_lease r = { .sz = sizeof(r) };
	int ret;

	ret = pinctl_out_check(lease);
	if (ret)
		return ret;
	ret = pinctl_ioctl(dev, PINMGR_IOC_QUERY, &q);
	if (ret)
		return ret;
	PINMGR_LEASE_FIELDS(LEASE_FROM_QUERY)
	OUT_PUT(lease, r);
	return 0;
}

PINCTL_API int pinctl_list(struct pinctl_dev *dev, uint64_t **handles,
			   size_t *nr)
{
	struct pinmgr_list l;
	uint64_t *buf = NULL, *nbuf;
	uint32_t cap = 0;
	int ret;

	if (!handles || !nr)
		return -EINVAL;
	for (;;) {
		memset(&l, 0, sizeof(l));
		l.size = sizeof(l);
		l.handles = (uintptr_t)buf;
		l.nr_handles = cap;
		ret = pinctl_ioctl(dev, PINMGR_IOC_LIST, &l);
		if (ret) {
			free(buf);
			return ret;
		}
		if (l.out_total <= cap)
			break;
		if (l.out_total > UINT32_MAX / 2) {
			free(buf);
			return -EOVERFLOW;
		}
		/* Room for leases pinned meanwhile by other threads. */
		cap = (uint32_t)l.out_total + 16;
		nbuf = realloc(buf, cap * sizeof(*buf));
		if (!nbuf) {
			free(buf);
			return -ENOMEM;
		}
		buf = nbuf;
	}
	if (l.nr_handles == 0) {
		free(buf);
		buf = NULL;
	}
	*handles = buf;
	*nr = l.nr_handles;
	return 0;
}

static int pinctl_access(struct pinctl_dev *dev, uint64_t handle,
			 uint64_t offset, const void *buf, size_t length,
			 uint32_t flags)
{
	struct pinmgr_access a = {
		.size = sizeof(a),
		.flags = flags,
		.handle = handle,
		.offset = offset,
		.length = length,
		.buf = (uintptr_t)buf,
	};

	return pinctl_ioctl(dev, PINMGR_IOC_ACCESS, &a);
}

PINCTL_API int pinctl_access_read(struct pinctl_dev *dev, uint64_t handle,
				  uint64_t offset, void *buf, size_t length)
{
	return pinctl_access(dev, handle, offset, buf, length, 0);
}

PINCTL_API int pinctl_access_write(struct pinctl_dev *dev, uint64_t handle,
				   uint64_t offset, const void *buf,
				   size_t length)
{
	return pinctl_access(dev, handle, offset, buf, length,
			     PINMGR_ACCESS_WRITE);
}

PINCTL_API int pinctl_get_segments(struct pinctl_dev *dev, uint64_t handle,
				   struct pinctl_segment **segs, size_t *nr)
{
	struct pinmgr_get_segments g;
	struct pinctl_segment *buf = NULL, *nbuf;
	uint32_t cap = 0;
	int ret;

	if (!segs || !nr)
		return -EINVAL;
	for (;;) {
		memset(&g, 0, sizeof(g));
		g.size = sizeof(g);
		g.handle = handle;
		g.segments = (uintptr_t)buf;
		g.nr_segments = cap;
		ret = pinctl_ioctl(dev, PINMGR_IOC_GET_SEGMENTS, &g);
		if (ret) {
			free(buf);
			return ret;
		}
		if (g.out_total <= cap)
			break;
		if (g.out_total > UINT32_MAX / 2) {
			free(buf);
			return -EOVERFLOW;
		}
		cap = (uint32_t)g.out_total;
		nbuf = realloc(buf, cap * sizeof(*buf));
		if (!nbuf) {
			free(buf);
			return -ENOMEM;
		}
		buf = nbuf;
	}
	*segs = buf;
	*nr = g.nr_segments;
	return 0;
}

PINCTL_API int pinctl_renew(struct pinctl_dev *dev, uint64_t handle,
			    uint64_t duration_ns)
{
	struct pinmgr_renew r = {
		.size = sizeof(r),
		.handle = handle,
		.duration_ns = duration_ns,
	};

	return pinctl_ioctl(dev, PINMGR_IOC_RENEW, &r);
}

PINCTL_API int pinctl_revoke(struct pinctl_dev *dev, uint64_t handle,
			     const struct pinctl_revoke_opts *opts,
			     uint64_t *deadline_ns)
{
	struct pinctl_revoke_opts o;
	struct pinmgr_revoke r = { .size = sizeof(r), .handle = handle };
	int ret;

	ret = OPTS_GET(o, opts);
	if (ret)
		return ret;
	r.flags = o.flags;
	ret = pinctl_ioctl(dev, PINMGR_IOC_REVOKE, &r);
	if (!ret && deadline_ns)
		*deadline_ns = r.out_deadline_ns;
	return ret;
}

PINCTL_API int pinctl_event_read(struct pinctl_dev *dev, struct pinctl_event *ev)
{
	struct pinctl_event r = { .sz = sizeof(r) };
	struct pinmgr_event k;
	uint32_t ksize;
	ssize_t n;
	int ret;

	ret = pinctl_out_check(ev);
	if (ret)
		return ret;
	pthread_mutex_lock(&dev->ev_lock);
	if (dev->ev_pos >= dev->ev_len) {
		dev->ev_pos = dev->ev_len = 0;
		n = read(dev->fd, dev->ev_buf, sizeof(dev->ev_buf));
		if (n < 0) {
			ret = -errno;
			goto out_unlock;
		}
		dev->ev_len = (size_t)n;
	}
	/* Records follow at the kernel's stride; fields it lacks read as 0. */
	memset(&k, 0, sizeof(k));
	ksize = 0;
	if (dev->ev_len - dev->ev_pos >= sizeof(ksize))
		memcpy(&ksize, dev->ev_buf + dev->ev_pos, sizeof(ksize));
	if (ksize < offsetofend(struct pinmgr_event, lost) ||
	    ksize > dev->ev_len - dev->ev_pos) {
		err(dev->ctx, "event record of %u bytes in %zu read\n", ksize,
		    dev->ev_len - dev->ev_pos);
		dev->ev_pos = dev->ev_len = 0;
		ret = -EIO;
		goto out_unlock;
	}
	memcpy(&k, dev->ev_buf + dev->ev_pos, MIN(ksize, sizeof(k)));
	dev->ev_pos += ksize;
	r.type = k.type;
	r.handle = k.handle;
	r.cookie = k.cookie;
	r.time_ns = k.time_ns;
	r.deadline_ns = k.deadline_ns;
	r.nr_pages = k.nr_pages;
	r.lost = k.lost;
	r.addr = k.addr;
	r.length = k.length;
	r.reason = k.reason;
	OUT_PUT(ev, r);
out_unlock:
	pthread_mutex_unlock(&dev->ev_lock);
	return ret;
}

PINCTL_API int pinctl_watch_area(struct pinctl_dev *dev,
				 const volatile uint64_t **area)
{
	const volatile uint64_t *a;
	void *p;
	int ret = 0;

	if (!dev || !area)
		return -EINVAL;
	a = atomic_load_explicit(&dev->watch_area, memory_order_acquire);
	if (a) {
		*area = a;
		return 0;
	}
	pthread_mutex_lock(&dev->watch_lock);
	a = atomic_load_explicit(&dev->watch_area, memory_order_relaxed);
	if (a)
		goto out_unlock;
	p = mmap(NULL, PINCTL_WATCH_AREA_SIZE, PROT_READ, MAP_SHARED, dev->fd,
		 PINMGR_WATCH_MMAP_OFFSET);
	if (p == MAP_FAILED) {
		ret = -errno;
		/* A module without mmap(2) on its files: no status area. */
		if (ret == -ENODEV)
			ret = -EOPNOTSUPP;
		dbg(dev->ctx, "mapping the status area: %s\n", strerror(-ret));
		goto out_unlock;
	}
	a = p;
	atomic_store_explicit(&dev->watch_area, a, memory_order_release);
out_unlock:
	pthread_mutex_unlock(&dev->watch_lock);
	if (!ret)
		*area = a;
	return ret;
}

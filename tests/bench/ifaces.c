// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinmgr-bench: the interfaces compared, as tables. A new interface is one
 * more entry: a single-range cycle in ifaces[], a many-buffer pair in
 * multi_ifaces[], a per-thread loop in scale_ifaces[].
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/pinmgr.h>

#include "bench.h"
#include "gup-test-abi.h"

#define GUP_TEST_PATH "/sys/kernel/debug/gup_test"

int env_open(struct bench_env *env)
{
	env->gup_fd = -1;
	env->gup_errno = 0;
	env->ring_err = -ENODEV;
	env->pinmgr_fd = open(PINMGR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (env->pinmgr_fd < 0)
		return -errno;
	env->gup_fd = open(GUP_TEST_PATH, O_RDWR | O_CLOEXEC);
	if (env->gup_fd < 0)
		env->gup_errno = errno;
	env->ring_err = io_uring_queue_init(4, &env->ring, 0);
	return 0;
}

void env_close(struct bench_env *env)
{
	if (!env->ring_err)
		io_uring_queue_exit(&env->ring);
	env->ring_err = -ENODEV;
	if (env->gup_fd >= 0)
		close(env->gup_fd);
	env->gup_fd = -1;
	if (env->pinmgr_fd >= 0)
		close(env->pinmgr_fd);
	env->pinmgr_fd = -1;
}

/* ---- pinmgr ---- */

int pinmgr_pin(int fd, const void *addr, size_t len, uint32_t flags,
	       uint64_t *handle)
{
	struct pinmgr_pin pin = {
		.size = sizeof(pin),
		.flags = flags,
		.addr = (uintptr_t)addr,
		.length = len,
	};

	if (ioctl(fd, PINMGR_IOC_PIN, &pin))
		return -errno;
	*handle = pin.out_handle;
	return 0;
}

int pinmgr_unpin(int fd, uint64_t handle)
{
	struct pinmgr_unpin unpin = { .size = sizeof(unpin), .handle = handle };

	return ioctl(fd, PINMGR_IOC_UNPIN, &unpin) ? -errno : 0;
}

static int pinmgr_cycle_fd(int fd, const struct region *r, uint32_t flags)
{
	uint64_t handle = 0;
	int ret;

	ret = pinmgr_pin(fd, r->addr, r->length, flags, &handle);
	if (ret)
		return ret;
	return pinmgr_unpin(fd, handle);
}

static int pinmgr_cycle(struct bench_env *env, const struct region *r,
			uint32_t flags, struct cycle_result *res)
{
	uint64_t handle = 0;
	int64_t t0, t1;
	int ret;

	t0 = now_ns();
	ret = pinmgr_pin(env->pinmgr_fd, r->addr, r->length, flags, &handle);
	t1 = now_ns();
	if (ret)
		return ret;
	ret = pinmgr_unpin(env->pinmgr_fd, handle);
	res->pin_ns = t1 - t0;
	res->unpin_ns = now_ns() - t1;
	res->ns = res->pin_ns + res->unpin_ns;
	return ret;
}

static int pinmgr_wl_cycle(struct bench_env *env, const struct region *r,
			   struct cycle_result *res)
{
	return pinmgr_cycle(env, r, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM,
			    res);
}

static int pinmgr_r_cycle(struct bench_env *env, const struct region *r,
			  struct cycle_result *res)
{
	return pinmgr_cycle(env, r, 0, res);
}

int pinmgr_query_lease(int fd, const struct region *r, uint64_t *metadata,
		       uint64_t *runs, uint64_t *pages)
{
	struct pinmgr_query q = { .size = sizeof(q) };
	uint64_t handle = 0;
	int ret, ret2;

	ret = pinmgr_pin(fd, r->addr, r->length,
			 PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM, &handle);
	if (ret)
		return ret;
	q.handle = handle;
	if (ioctl(fd, PINMGR_IOC_QUERY, &q)) {
		ret = -errno;
	} else {
		*metadata = q.out_metadata_bytes;
		*runs = q.out_nr_runs;
		*pages = q.out_nr_pages;
	}
	ret2 = pinmgr_unpin(fd, handle);
	return ret ? ret : ret2;
}

/* ---- io_uring: one fixed buffer registered and unregistered ---- */

static int uring_cycle_ring(struct io_uring *ring, const struct region *r)
{
	struct iovec iov = { .iov_base = r->addr, .iov_len = r->length };
	int ret;

	ret = io_uring_register_buffers(ring, &iov, 1);
	if (ret)
		return ret;
	return io_uring_unregister_buffers(ring);
}

static int uring_cycle(struct bench_env *env, const struct region *r,
		       struct cycle_result *res)
{
	struct iovec iov = { .iov_base = r->addr, .iov_len = r->length };
	int64_t t0, t1;
	int ret;

	if (env->ring_err)
		return env->ring_err;
	t0 = now_ns();
	ret = io_uring_register_buffers(&env->ring, &iov, 1);
	t1 = now_ns();
	if (ret)
		return ret;
	ret = io_uring_unregister_buffers(&env->ring);
	res->pin_ns = t1 - t0;
	res->unpin_ns = now_ns() - t1;
	res->ns = res->pin_ns + res->unpin_ns;
	return ret;
}

/* ---- mlock ---- */

static int mlock_cycle(struct bench_env *env, const struct region *r,
		       struct cycle_result *res)
{
	int64_t t0, t1;

	(void)env;
	t0 = now_ns();
	if (mlock(r->addr, r->length))
		return -errno;
	t1 = now_ns();
	if (munlock(r->addr, r->length))
		return -errno;
	res->pin_ns = t1 - t0;
	res->unpin_ns = now_ns() - t1;
	res->ns = res->pin_ns + res->unpin_ns;
	return 0;
}

/*
 * ---- the floor: two system calls that do nothing ----
 *
 * Any PIN+UNPIN pair through ioctl() pays for two system calls and the
 * way to the driver; these two cycles measure that much and no more, so
 * that what an interface costs above it can be told from what no design
 * of a two-call interface can avoid.
 */

static int getppid_pair_cycle(struct bench_env *env, const struct region *r,
			      struct cycle_result *res)
{
	int64_t t0, t1;

	(void)env;
	(void)r;
	t0 = now_ns();
	syscall(SYS_getppid);
	t1 = now_ns();
	syscall(SYS_getppid);
	res->pin_ns = t1 - t0;
	res->unpin_ns = now_ns() - t1;
	res->ns = res->pin_ns + res->unpin_ns;
	return 0;
}

/* A command number the driver has no entry for: it answers ENOTTY. */
#define PINMGR_IOC_NONE _IO(PINMGR_TYPE, 0xff)

static int null_ioctl(int fd)
{
	if (ioctl(fd, PINMGR_IOC_NONE, NULL) != -1 || errno != ENOTTY)
		return -EPROTO;
	return 0;
}

static int null_ioctl_pair_cycle(struct bench_env *env, const struct region *r,
				 struct cycle_result *res)
{
	int64_t t0, t1;
	int ret;

	(void)r;
	t0 = now_ns();
	ret = null_ioctl(env->pinmgr_fd);
	t1 = now_ns();
	if (ret)
		return ret;
	ret = null_ioctl(env->pinmgr_fd);
	res->pin_ns = t1 - t0;
	res->unpin_ns = now_ns() - t1;
	res->ns = res->pin_ns + res->unpin_ns;
	return ret;
}

const struct iface floor_ifaces[] = {
	{ .id = "getppid-pair", .label = "2 x getppid()",
	  .cycle = getppid_pair_cycle },
	{ .id = NULL_IOCTL_IFACE_ID, .label = "2 x ioctl() /dev/pinmgr: ENOTTY",
	  .cycle = null_ioctl_pair_cycle },
};

const unsigned int nr_floor_ifaces =
	sizeof(floor_ifaces) / sizeof(floor_ifaces[0]);

/* ---- gup_test: the kernel's own in-kernel pin and unpin times ---- */

static int gup_cycle(struct bench_env *env, const struct region *r,
		     unsigned long cmd, unsigned int gup_flags,
		     unsigned int per_call, struct cycle_result *res)
{
	struct gupt_args a = {
		.addr = (uintptr_t)r->addr,
		.size = r->length,
		.nr_pages_per_call = per_call,
		.gup_flags = gup_flags,
	};
	int64_t t0;
	int ret;

	if (env->gup_fd < 0)
		return -env->gup_errno;
	t0 = now_ns();
	ret = ioctl(env->gup_fd, cmd, &a);
	res->wall_ns = now_ns() - t0;
	if (ret)
		return -errno;
	/* A short pin (a fault in the range) is reported as a shorter size. */
	if (a.size != r->length)
		return -EFAULT;
	res->pin_ns = (int64_t)a.get_usec * 1000;
	res->unpin_ns = (int64_t)a.put_usec * 1000;
	res->ns = res->pin_ns + res->unpin_ns;
	return 0;
}

static int gup_fast_cycle(struct bench_env *env, const struct region *r,
			  struct cycle_result *res)
{
	return gup_cycle(env, r, GUPT_IOC_PIN_FAST,
			 env->foll_write | env->foll_longterm, env->gup_batch,
			 res);
}

/* The same in one call for the whole range: does the batch size matter? */
static int gup_fast_one_call_cycle(struct bench_env *env,
				   const struct region *r,
				   struct cycle_result *res)
{
	return gup_cycle(env, r, GUPT_IOC_PIN_FAST,
			 env->foll_write | env->foll_longterm,
			 r->length / BASE_PAGE, res);
}

static int gup_longterm_cycle(struct bench_env *env, const struct region *r,
			      struct cycle_result *res)
{
	/* PIN_LONGTERM adds FOLL_LONGTERM itself. */
	return gup_cycle(env, r, GUPT_IOC_PIN_LONGTERM, env->foll_write,
			 env->gup_batch, res);
}

const struct iface ifaces[] = {
	{ .id = "gup-pin-fast", .raw = true, .needs_gup = true,
	  .label = "raw: gup_test PIN_FAST (W|LT)",
	  .cycle = gup_fast_cycle },
	{ .id = "gup-pin-fast-1call", .raw = true, .needs_gup = true,
	  .label = "raw: PIN_FAST, 1 call/range",
	  .cycle = gup_fast_one_call_cycle },
	{ .id = "gup-pin-longterm", .raw = true, .needs_gup = true,
	  .label = "raw: gup_test PIN_LONGTERM (W)",
	  .cycle = gup_longterm_cycle },
	{ .id = PINMGR_IFACE_ID, .label = "pinmgr PIN+UNPIN (W|LT)",
	  .cycle = pinmgr_wl_cycle },
	{ .id = "pinmgr-r", .label = "pinmgr PIN+UNPIN (read)",
	  .cycle = pinmgr_r_cycle },
	{ .id = URING_IFACE_ID, .label = "io_uring register+unreg",
	  .cycle = uring_cycle },
	{ .id = "mlock", .label = "mlock+munlock", .cycle = mlock_cycle },
};

const unsigned int nr_ifaces = sizeof(ifaces) / sizeof(ifaces[0]);

const struct iface *iface_find(const char *id)
{
	unsigned int i;

	for (i = 0; i < nr_ifaces; i++)
		if (!strcmp(ifaces[i].id, id))
			return &ifaces[i];
	for (i = 0; i < nr_floor_ifaces; i++)
		if (!strcmp(floor_ifaces[i].id, id))
			return &floor_ifaces[i];
	return NULL;
}

/* ---- many buffers at once ---- */

struct uring_multi {
	struct iovec *iov;
};

static int uring_multi_prepare(struct bench_env *env, const struct region *bufs,
			       unsigned int n, void **state)
{
	struct uring_multi *m;
	unsigned int i;

	if (env->ring_err)
		return env->ring_err;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->iov = calloc(n, sizeof(*m->iov));
	if (!m->iov) {
		free(m);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		m->iov[i].iov_base = bufs[i].addr;
		m->iov[i].iov_len = bufs[i].length;
	}
	*state = m;
	return 0;
}

static int uring_multi_reg(struct bench_env *env, void *state, unsigned int n)
{
	struct uring_multi *m = state;

	return io_uring_register_buffers(&env->ring, m->iov, n);
}

static int uring_multi_unreg(struct bench_env *env, void *state,
			     unsigned int n)
{
	(void)state;
	(void)n;
	return io_uring_unregister_buffers(&env->ring);
}

static void uring_multi_release(void *state)
{
	struct uring_multi *m = state;

	free(m->iov);
	free(m);
}

struct pinmgr_multi {
	const struct region *bufs;
	uint64_t *handles;
	unsigned int nr_pinned;
};

static int pinmgr_multi_prepare(struct bench_env *env,
				const struct region *bufs, unsigned int n,
				void **state)
{
	struct pinmgr_multi *m;

	(void)env;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->handles = calloc(n, sizeof(*m->handles));
	if (!m->handles) {
		free(m);
		return -ENOMEM;
	}
	m->bufs = bufs;
	*state = m;
	return 0;
}

static int pinmgr_multi_unreg(struct bench_env *env, void *state,
			      unsigned int n)
{
	struct pinmgr_multi *m = state;
	int ret = 0, r;

	(void)n;
	while (m->nr_pinned) {
		r = pinmgr_unpin(env->pinmgr_fd, m->handles[--m->nr_pinned]);
		if (r && !ret)
			ret = r;
	}
	return ret;
}

static int pinmgr_multi_reg(struct bench_env *env, void *state, unsigned int n)
{
	struct pinmgr_multi *m = state;
	unsigned int i;
	int ret;

	m->nr_pinned = 0;
	for (i = 0; i < n; i++) {
		ret = pinmgr_pin(env->pinmgr_fd, m->bufs[i].addr,
				 m->bufs[i].length,
				 PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM,
				 &m->handles[i]);
		if (ret) {
			/* all or nothing, as io_uring's registration */
			pinmgr_multi_unreg(env, m, n);
			return ret;
		}
		m->nr_pinned++;
	}
	return 0;
}

static void pinmgr_multi_release(void *state)
{
	struct pinmgr_multi *m = state;

	free(m->handles);
	free(m);
}

/* PIN_VEC: every buffer a lease of its own, in one call, all or nothing. */
struct pinmgr_vec {
	struct pinmgr_multi m;
	struct pinmgr_pin_range *ranges;
};

static int pinmgr_vec_prepare(struct bench_env *env, const struct region *bufs,
			      unsigned int n, void **state)
{
	struct pinmgr_vec *v;
	unsigned int i;

	(void)env;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->m.handles = calloc(n, sizeof(*v->m.handles));
	v->ranges = calloc(n, sizeof(*v->ranges));
	if (!v->m.handles || !v->ranges) {
		free(v->m.handles);
		free(v->ranges);
		free(v);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		v->ranges[i].addr = (uintptr_t)bufs[i].addr;
		v->ranges[i].length = bufs[i].length;
		v->ranges[i].flags = PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM;
	}
	v->m.bufs = bufs;
	*state = v;
	return 0;
}

static int pinmgr_vec_reg(struct bench_env *env, void *state, unsigned int n)
{
	struct pinmgr_vec *v = state;
	struct pinmgr_pin_vec vec = {
		.size = sizeof(vec),
		.ranges = (uintptr_t)v->ranges,
		.nr_ranges = n,
		.range_size = sizeof(*v->ranges),
	};
	unsigned int i;

	if (ioctl(env->pinmgr_fd, PINMGR_IOC_PIN_VEC, &vec))
		return -errno;
	for (i = 0; i < n; i++)
		v->m.handles[i] = v->ranges[i].out_handle;
	v->m.nr_pinned = n;
	return 0;
}

static int pinmgr_vec_unreg(struct bench_env *env, void *state, unsigned int n)
{
	struct pinmgr_vec *v = state;

	return pinmgr_multi_unreg(env, &v->m, n);
}

static void pinmgr_vec_release(void *state)
{
	struct pinmgr_vec *v = state;

	free(v->ranges);
	pinmgr_multi_release(&v->m);
}

const struct multi_iface multi_ifaces[] = {
	{ .id = URING_IFACE_ID,
	  .label = "io_uring: 1 register call, 1 unregister",
	  .prepare = uring_multi_prepare, .reg = uring_multi_reg,
	  .unreg = uring_multi_unreg, .release = uring_multi_release },
	{ .id = PINMGR_IFACE_ID,
	  .label = "pinmgr: a PIN (W|LT) per buffer, an UNPIN per buffer",
	  .prepare = pinmgr_multi_prepare, .reg = pinmgr_multi_reg,
	  .unreg = pinmgr_multi_unreg, .release = pinmgr_multi_release },
	{ .id = PINMGR_VEC_IFACE_ID,
	  .label = "pinmgr: 1 PIN_VEC (W|LT), an UNPIN per buffer",
	  .prepare = pinmgr_vec_prepare, .reg = pinmgr_vec_reg,
	  .unreg = pinmgr_vec_unreg, .release = pinmgr_vec_release },
};

const unsigned int nr_multi_ifaces =
	sizeof(multi_ifaces) / sizeof(multi_ifaces[0]);

/* ---- scaling: each thread its own file or ring ---- */

static int pinmgr_scale_open(void **state)
{
	int *fd = malloc(sizeof(*fd));

	if (!fd)
		return -ENOMEM;
	*fd = open(PINMGR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (*fd < 0) {
		int err = -errno;

		free(fd);
		return err;
	}
	*state = fd;
	return 0;
}

static int pinmgr_scale_cycle(void *state, const struct region *r)
{
	return pinmgr_cycle_fd(*(int *)state, r,
			       PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM);
}

static void pinmgr_scale_close(void *state)
{
	close(*(int *)state);
	free(state);
}

static int uring_scale_open(void **state)
{
	struct io_uring *ring = malloc(sizeof(*ring));
	int ret;

	if (!ring)
		return -ENOMEM;
	ret = io_uring_queue_init(4, ring, 0);
	if (ret) {
		free(ring);
		return ret;
	}
	*state = ring;
	return 0;
}

static int uring_scale_cycle(void *state, const struct region *r)
{
	return uring_cycle_ring(state, r);
}

static void uring_scale_close(void *state)
{
	io_uring_queue_exit(state);
	free(state);
}

const struct scale_iface scale_ifaces[] = {
	{ .id = PINMGR_IFACE_ID, .label = "pinmgr PIN+UNPIN (W|LT), own fd",
	  .open = pinmgr_scale_open, .cycle = pinmgr_scale_cycle,
	  .close = pinmgr_scale_close },
	{ .id = URING_IFACE_ID, .label = "io_uring register+unreg, own ring",
	  .open = uring_scale_open, .cycle = uring_scale_cycle,
	  .close = uring_scale_close },
};

const unsigned int nr_scale_ifaces =
	sizeof(scale_ifaces) / sizeof(scale_ifaces[0]);

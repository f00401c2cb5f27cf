// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exhaustive allocation-failure walks with the per-task fail-nth of the
 * kernel's fault injection (Documentation/fault-injection/fault-injection.rst,
 * "Systematic faults using fail-nth"): for each call that allocates, fail its
 * 1st, 2nd, ... fault point until the call gets through without reaching the
 * n-th one. Every injected failure must come back as -1 with ENOMEM (or
 * ENOBUFS, netlink's word for it), EFAULT (the kernel has fail_usercopy) or
 * EINTR, and leave nothing behind: no lease, no pin, no charge. A fault that the kernel absorbs (an allocation
 * with a fallback) may let the call succeed; then the call's result must be
 * complete and correct.
 *
 * fail-nth counts every fault point the task reaches, for every fault type
 * (failslab, fail_page_alloc, fail_usercopy, ...), and takes precedence over
 * their probability, interval and times; only the per-type filters apply. So
 * each walk sets failslab and fail_page_alloc to fail sleeping allocations
 * too (ignore-gfp-wait N; for pages also ignore-gfp-highmem N and min-order
 * 0), silences every type (verbose 0: no stack dump per injected fault), and
 * puts everything back at the end. The walk itself runs in a child so that
 * the settings are restored even when an assertion ends it.
 *
 * A single failure is often absorbed: kvrealloc() and the xarray retry a
 * failed allocation once, so with fail-nth alone the driver's unwinding
 * after a failed runs-array growth is never reached. The failnth_sticky_*
 * walks therefore also fail every allocation after the n-th one, until the
 * call returns: failslab and fail_page_alloc with task-filter Y, probability
 * 100, times -1, and /proc/thread-self/make-it-fail set around the call
 * (fail-nth counts down first; once it has fired, the task filter applies).
 * Their leases stay below one page of runs, so that kvmalloc() never falls
 * back to vmalloc(), whose failures print a stack trace.
 *
 * Every walk must inject at least one failure, and every test must walk:
 * a fail-nth that stopped firing would otherwise pass as a call that
 * reaches no fault point.
 *
 * Kernels without fault injection (Debian's) have no fail-nth: the tests
 * skip there, and fail where PINMGR_REQUIRE declares failnth (the debug
 * kernel). Injected allocation failures in vmalloc make the kernel print
 * "vmalloc error: ..." with a stack trace (warn_alloc); each walk writes
 * "pinmgr-failnth: begin NAME" and "end NAME" lines to /dev/kmsg so that
 * those reports can be told from real ones in the console log.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "harness.h"
#include "importer/pinmgr_importer.h"
#include "nl_client.h"

#define MiB		(1UL << 20)
#define FN_MAX_POINTS	2000
#define FN_FAIL_NTH	"/proc/thread-self/fail-nth"
#define FN_MAKE_IT_FAIL	"/proc/thread-self/make-it-fail"
#define FN_DEBUGFS	"/sys/kernel/debug/"

/* ---- Fault-injection settings ------------------------------------------ */

struct fn_knob {
	const char *path;
	const char *value;
	int sticky_only;
	char saved[32];
	int have;
};

static struct fn_knob fn_knobs[] = {
	{ .path = FN_DEBUGFS "failslab/ignore-gfp-wait", .value = "N" },
	{ .path = FN_DEBUGFS "failslab/verbose", .value = "0" },
	{ .path = FN_DEBUGFS "fail_page_alloc/ignore-gfp-wait", .value = "N" },
	{ .path = FN_DEBUGFS "fail_page_alloc/ignore-gfp-highmem", .value = "N" },
	{ .path = FN_DEBUGFS "fail_page_alloc/min-order", .value = "0" },
	{ .path = FN_DEBUGFS "fail_page_alloc/verbose", .value = "0" },
	{ .path = FN_DEBUGFS "fail_usercopy/verbose", .value = "0" },
	{ .path = FN_DEBUGFS "fail_futex/verbose", .value = "0" },
	/*
	 * Sticky walks: every allocation after the n-th fails too, but only
	 * in a task with make-it-fail set. The order matters: the task filter
	 * is on before the probability is raised, and the knobs are restored
	 * in reverse order, or for a moment every allocation of the system
	 * fails, including the ones needed to write the next knob.
	 */
#define FN_STICKY(f, k, v) \
	{ .path = FN_DEBUGFS f "/" k, .value = v, .sticky_only = 1 }
	FN_STICKY("failslab", "task-filter", "Y"),
	FN_STICKY("fail_page_alloc", "task-filter", "Y"),
	FN_STICKY("failslab", "space", "0"),
	FN_STICKY("fail_page_alloc", "space", "0"),
	FN_STICKY("failslab", "interval", "1"),
	FN_STICKY("fail_page_alloc", "interval", "1"),
	FN_STICKY("failslab", "times", "-1"),
	FN_STICKY("fail_page_alloc", "times", "-1"),
	FN_STICKY("failslab", "probability", "100"),
	FN_STICKY("fail_page_alloc", "probability", "100"),
};
#define FN_NR_KNOBS	(sizeof(fn_knobs) / sizeof(fn_knobs[0]))

static int fn_write_file(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = write(fd, val, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/* Sticky mode of the walks of this test. */
static int fn_sticky;

/*
 * Shared with the parent that reports a failure: where the walk is, and how
 * many walks of the test got to their end.
 */
#define FN_WHERE_LEN	256
struct fn_shared {
	char where[FN_WHERE_LEN];
	unsigned int walks;
};
static struct fn_shared *fn_shared;
static char *fn_where;

static void fn_knobs_restore(void);

/*
 * A sticky knob other than a task filter is written only once the task
 * filter of the same fault type is on.
 */
static int fn_filter_on(const struct fn_knob *k)
{
	const char *slash = strrchr(k->path, '/');
	size_t dirlen = slash - k->path;
	unsigned int j;

	if (!strcmp(slash + 1, "task-filter"))
		return 1;
	for (j = 0; j < FN_NR_KNOBS; j++)
		if (fn_knobs[j].have &&
		    !strncmp(fn_knobs[j].path, k->path, dirlen + 1) &&
		    !strcmp(fn_knobs[j].path + dirlen + 1, "task-filter"))
			return 1;
	return 0;
}

static void fn_knobs_set(void)
{
	unsigned int i;

	for (i = 0; i < FN_NR_KNOBS; i++)
		fn_knobs[i].have = 0;
	for (i = 0; i < FN_NR_KNOBS; i++) {
		struct fn_knob *k = &fn_knobs[i];

		if (k->sticky_only && !fn_sticky)
			continue;
		if (pm_read_line(k->path, k->saved, sizeof(k->saved)))
			continue;
		if (k->sticky_only && !fn_filter_on(k))
			continue;
		if (fn_write_file(k->path, k->value)) {
			int err = errno;

			fn_knobs_restore();
			FAIL("cannot write %s to %s: %s", k->value, k->path,
			     strerror(err));
		}
		k->have = 1;
	}
	if (!fn_knobs[0].have && !fn_sticky)
		pm_diag("no %sfailslab: only faults that ignore the GFP flags are walked",
			FN_DEBUGFS);
}

/* In reverse order: the probability goes back to 0 before the filter. */
static void fn_knobs_restore(void)
{
	unsigned int i;

	for (i = FN_NR_KNOBS; i-- > 0;) {
		struct fn_knob *k = &fn_knobs[i];

		if (k->have && fn_write_file(k->path, k->saved))
			pm_diag("cannot restore %s to %s: %s", k->path,
				k->saved, strerror(errno));
		k->have = 0;
	}
}

static void fn_kmsg(const char *what, const char *name)
{
	char line[128];
	int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	snprintf(line, sizeof(line), "pinmgr-failnth: %s %s\n", what, name);
	if (write(fd, line, strlen(line)) < 0) {
		/* Only a marker for whoever reads the console. */
	}
	close(fd);
}

/*
 * Run @body in a child with fault injection set up, and put the settings
 * back whatever happens to it.
 */
static void fn_run(const char *name, void (*body)(void), int sticky)
{
	pid_t pid;
	int st;

	pm_require("failnth");
	if (access(FN_FAIL_NTH, F_OK))
		SKIP("kernel without fail-nth");
	if (geteuid() != 0)
		SKIP("fault injection settings need root");
	fn_sticky = sticky;
	if (sticky && (access(FN_MAKE_IT_FAIL, F_OK) ||
		       access(FN_DEBUGFS "failslab/task-filter", F_OK)))
		SKIP("no make-it-fail or %sfailslab/task-filter", FN_DEBUGFS);
	/* Without failslab the walks reach only a few fault points. */
	if (pm_required("failnth") && access(FN_DEBUGFS "failslab", F_OK))
		FAIL("no %sfailslab on a kernel set up for fail-nth",
		     FN_DEBUGFS);
	fn_shared = mmap(NULL, sizeof(*fn_shared), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(fn_shared, MAP_FAILED);
	fn_where = fn_shared->where;
	fn_knobs_set();
	fn_kmsg("begin", name);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		body();
		fflush(stdout);
		_exit(0);
	}
	st = pid > 0 ? pm_wait(pid) : -1;
	fn_kmsg("end", name);
	fn_knobs_restore();
	if (pid < 0)
		FAIL("fork: %s", strerror(errno));
	if (st != 0) {
		fn_where[FN_WHERE_LEN - 1] = '\0';
		FAIL("the fail-nth walk ended with status %d at: %s", st,
		     fn_where[0] ? fn_where : "(before the first call)");
	}
	if (!fn_shared->walks)
		FAIL("%s: no fail-nth walk ran", name);
}

/* ---- fail-nth ----------------------------------------------------------- */

static int fn_fd = -1, fn_mif_fd = -1;

static void fn_open(void)
{
	fn_fd = open(FN_FAIL_NTH, O_RDWR | O_CLOEXEC);
	if (fn_fd < 0)
		FAIL("open %s: %s", FN_FAIL_NTH, strerror(errno));
	if (!fn_sticky)
		return;
	fn_mif_fd = open(FN_MAKE_IT_FAIL, O_RDWR | O_CLOEXEC);
	if (fn_mif_fd < 0)
		FAIL("open %s: %s", FN_MAKE_IT_FAIL, strerror(errno));
}

/*
 * In sticky mode: the task filter lets every allocation of ours fail. The
 * write's copy from user space may be the n-th fault point (EFAULT) of a
 * walk whose call did not reach it; then fail-nth is 0 and a retry works.
 */
static void fn_make_it_fail(int on)
{
	const char *v = on ? "1" : "0";

	if (!fn_sticky)
		return;
	if (pwrite(fn_mif_fd, v, 1, 0) == 1)
		return;
	if (errno != EFAULT || pwrite(fn_mif_fd, v, 1, 0) != 1)
		FAIL("writing %s to %s: %s", v, FN_MAKE_IT_FAIL,
		     strerror(errno));
}

/* Fail the n-th fault point from now on, in this thread. */
static void fn_arm(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (write(fn_fd, buf, len) != len) {
		int err = errno;

		fn_make_it_fail(0);
		FAIL("arming fail-nth with %u: %s", n, strerror(err));
	}
}

/*
 * Was the fault injected since fn_arm()? The first thing after the call. A
 * read returns the count left before the read's own copy to user space,
 * which may itself be the n-th fault point (EFAULT): then the call before
 * it did not reach it.
 */
static int fn_injected(void)
{
	char buf[16] = "";
	ssize_t r;

	r = pread(fn_fd, buf, sizeof(buf) - 1, 0);
	if (r < 0 && errno != EFAULT)
		FAIL("reading fail-nth: %s", strerror(errno));
	return r > 0 && atoi(buf) == 0;
}

static void fn_disarm(void)
{
	char buf[16] = "";

	/* Writing may take the last count too; either way it ends at 0. */
	if (write(fn_fd, "0", 1) != 1 && errno != EFAULT)
		FAIL("disarming fail-nth: %s", strerror(errno));
	memset(buf, 0, sizeof(buf));
	if (pread(fn_fd, buf, sizeof(buf) - 1, 0) <= 0 || atoi(buf) != 0)
		FAIL("fail-nth still armed (%s) after writing 0", buf);
}

/* ---- The walk ----------------------------------------------------------- */

struct fn_op {
	const char *name;
	void *arg;
	/* Disarmed, before each attempt. */
	void (*prepare)(void *arg);
	/* Armed: exactly the call under test; its result. */
	long (*call)(void *arg);
	/* Disarmed, after the call failed with @err. */
	void (*failed)(void *arg, int err);
	/* Disarmed, after the call returned @ret >= 0; undoes it. */
	void (*succeeded)(void *arg, long ret, int injected);
};

static void fn_walk(const struct fn_op *op)
{
	unsigned int n, nomem = 0, fault = 0, intr = 0, absorbed = 0;
	int injected, err;
	long r;

	if (fn_fd < 0)
		fn_open();
	for (n = 1;; n++) {
		if (n > FN_MAX_POINTS)
			FAIL("%s: still reaching fault points after %u: a loop that never ends?",
			     op->name, FN_MAX_POINTS);
		snprintf(fn_where, FN_WHERE_LEN, "%s%s, fault point %u",
			 fn_sticky ? "sticky " : "", op->name, n);
		if (op->prepare)
			op->prepare(op->arg);
		fn_make_it_fail(1);
		fn_arm(n);
		errno = 0;
		r = op->call(op->arg);
		err = errno;
		injected = fn_injected();
		fn_make_it_fail(0);
		fn_disarm();
		snprintf(fn_where, FN_WHERE_LEN,
			 "%s%s, fault point %u: returned %ld%s%s, fault %s",
			 fn_sticky ? "sticky " : "", op->name, n, r,
			 r == -1 ? "/" : "",
			 r == -1 ? strerrorname_np(err) ?: "?" : "",
			 injected ? "injected" : "not reached");
		if (r < -1)
			FAIL("%s: returned %ld", op->name, r);
		if (r == -1) {
			if (!injected)
				FAIL("%s: failed with %s but fault point %u was never reached",
				     op->name, strerrorname_np(err) ?: "?", n);
			switch (err) {
			case ENOMEM:
				nomem++;
				break;
			case EFAULT:
				fault++;
				break;
			case EINTR:
				intr++;
				break;
			case ENOBUFS:
				/* netlink: no room for a message or its ack. */
				nomem++;
				break;
			default:
				FAIL("%s: fault point %u: expected -1/ENOMEM, ENOBUFS, EFAULT or EINTR got -1/%s",
				     op->name, n, strerrorname_np(err) ?: "?");
			}
			op->failed(op->arg, err);
			continue;
		}
		op->succeeded(op->arg, r, injected);
		if (!injected)
			break;
		absorbed++;
	}
	pm_diag("failnth: %s%s: %u fault points walked: %u ENOMEM, %u EFAULT, %u EINTR, %u absorbed (call succeeded)",
		fn_sticky ? "sticky " : "", op->name, n - 1, nomem, fault,
		intr, absorbed);
	/* Each of those counted a fault that fail-nth says it injected. */
	if (!(nomem + fault + intr + absorbed))
		FAIL("%s%s: the walk injected no failure (fail-nth never fired)",
		     fn_sticky ? "sticky " : "", op->name);
	fn_shared->walks++;
}

/* ---- Checks ------------------------------------------------------------- */

/*
 * The device, the process and the kernel hold exactly @leases leases of
 * @pages pages, all of them on @fd.
 */
static void fn_expect_usage(int fd, __u64 leases, __u64 pages, long long base)
{
	size_t ps = pm_page_size();
	struct pinmgr_info info;
	struct pinmgr_list l;
	__u64 handles[16];

	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.ctx_leases, leases);
	ASSERT_EQ(info.ctx_pinned_pages, pages);
	ASSERT_EQ(info.mm_pinned_pages, pages);
	ASSERT_EQ(info.device_leases, leases);
	ASSERT_EQ(info.device_pinned_pages, pages);
	ASSERT_EQ(pm_list(fd, handles, 16, &l), 0);
	ASSERT_EQ(l.out_total, leases);
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)pages);
	ASSERT_EQ(pm_vmpin_kb(), (long long)(pages * ps / 1024));
}

static void fn_check_errno_only(void *arg, int err)
{
	(void)arg;
	(void)err;
}

/* ---- open() ------------------------------------------------------------- */

struct fn_open_arg {
	int nfds;
	long long base;
};

static int fn_count_fds(void)
{
	struct dirent *d;
	int n = 0;
	DIR *dir = opendir("/proc/self/fd");

	ASSERT_NE(dir, NULL);
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

static void fn_open_prepare(void *arg)
{
	struct fn_open_arg *a = arg;

	a->nfds = fn_count_fds();
}

static long fn_open_call(void *arg)
{
	(void)arg;
	return open(PINMGR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
}

static void fn_open_failed(void *arg, int err)
{
	struct fn_open_arg *a = arg;
	struct pinmgr_info info;
	int fd;

	(void)err;
	ASSERT_EQ(fn_count_fds(), a->nfds);
	fd = pm_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.device_leases, 0);
	close(fd);
}

static void fn_open_succeeded(void *arg, long ret, int injected)
{
	struct fn_open_arg *a = arg;
	size_t ps = pm_page_size();
	char *p = pm_map_anon(ps);
	struct pinmgr_info info;
	int fd = (int)ret;

	(void)injected;
	ASSERT_NE(p, NULL);
	ASSERT_EQ(fn_count_fds(), a->nfds + 1);
	/* A complete context: it answers and it pins. */
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.abi_version, PINMGR_ABI_VERSION);
	ASSERT_EQ(info.out_flags & PINMGR_INFO_OWNER_MM, PINMGR_INFO_OWNER_MM);
	PIN_OK(fd, p, ps, PINMGR_PIN_WRITE);
	ASSERT_EQ(close(fd), 0);
	ASSERT_EQ(pm_outstanding_pins() - a->base, 0);
	pm_unmap(p, ps);
}

static void fn_open_body(void)
{
	struct fn_open_arg a = { .base = pm_outstanding_pins() };
	struct fn_op op = {
		.name = "open(" PINMGR_DEVICE_PATH ")", .arg = &a,
		.prepare = fn_open_prepare, .call = fn_open_call,
		.failed = fn_open_failed, .succeeded = fn_open_succeeded,
	};

	fn_walk(&op);
}

TEST_TIMEOUT(failnth_open, 600)
{
	fn_run("open", fn_open_body, 0);
}

TEST_TIMEOUT(failnth_sticky_open, 600)
{
	fn_run("sticky_open", fn_open_body, 1);
}

/* ---- GET_INFO ----------------------------------------------------------- */

struct fn_info_arg {
	int fd;
	struct pinmgr_info info;
};

static void fn_info_prepare(void *arg)
{
	struct fn_info_arg *a = arg;

	memset(&a->info, 0, sizeof(a->info));
	a->info.size = sizeof(a->info);
}

static long fn_info_call(void *arg)
{
	struct fn_info_arg *a = arg;

	return ioctl(a->fd, PINMGR_IOC_GET_INFO, &a->info);
}

static void fn_info_succeeded(void *arg, long ret, int injected)
{
	struct fn_info_arg *a = arg;

	(void)injected;
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(a->info.abi_version, PINMGR_ABI_VERSION);
	ASSERT_EQ(a->info.page_size, pm_page_size());
	ASSERT_EQ(a->info.ctx_leases, 1);
}

static void fn_info_body(void)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(ps);
	struct fn_info_arg a = { .fd = pm_open() };
	struct fn_op op = {
		.name = "GET_INFO", .arg = &a, .prepare = fn_info_prepare,
		.call = fn_info_call, .failed = fn_check_errno_only,
		.succeeded = fn_info_succeeded,
	};

	ASSERT_GE(a.fd, 0);
	ASSERT_NE(p, NULL);
	PIN_OK(a.fd, p, ps, 0);
	fn_walk(&op);
	close(a.fd);
}

TEST_TIMEOUT(failnth_get_info, 600)
{
	fn_run("get_info", fn_info_body, 0);
}

/* ---- PIN ---------------------------------------------------------------- */

struct fn_pin_arg {
	int fd;
	char *p;
	size_t npages;
	__u32 flags;
	long long base;
	struct pinmgr_pin pin;
	__u64 cookie;
	__u64 runs;
};

static void fn_pin_prepare(void *arg)
{
	struct fn_pin_arg *a = arg;

	memset(&a->pin, 0, sizeof(a->pin));
	a->pin.size = sizeof(a->pin);
	a->pin.flags = a->flags;
	a->pin.addr = (uintptr_t)a->p;
	a->pin.length = a->npages * pm_page_size();
	a->pin.cookie = ++a->cookie;
}

static long fn_pin_call(void *arg)
{
	struct fn_pin_arg *a = arg;

	return ioctl(a->fd, PINMGR_IOC_PIN, &a->pin);
}

static void fn_pin_failed(void *arg, int err)
{
	struct fn_pin_arg *a = arg;

	(void)err;
	/* Nothing of the failed request: no lease, no pin, no charge. */
	fn_expect_usage(a->fd, 0, 0, a->base);
}

static void fn_pin_succeeded(void *arg, long ret, int injected)
{
	struct fn_pin_arg *a = arg;
	struct pinmgr_query q;

	(void)injected;
	ASSERT_EQ(ret, 0);
	ASSERT_NE(a->pin.out_handle, 0);
	ASSERT_EQ(a->pin.out_nr_pages, a->npages);
	ASSERT_GE(a->pin.out_nr_runs, 1);
	ASSERT_LE(a->pin.out_nr_runs, a->npages);
	ASSERT_EQ(pm_query(a->fd, a->pin.out_handle, &q), 0);
	ASSERT_EQ(q.out_addr, (uintptr_t)a->p);
	ASSERT_EQ(q.out_nr_pages, a->npages);
	ASSERT_EQ(q.out_nr_runs, a->pin.out_nr_runs);
	ASSERT_EQ(q.out_pin_flags, a->flags);
	ASSERT_EQ(q.out_cookie, a->cookie);
	ASSERT_EQ(q.out_state, PINMGR_LEASE_ACTIVE);
	a->runs = q.out_nr_runs;
	fn_expect_usage(a->fd, 1, a->npages, a->base);
	ASSERT_EQ(pm_unpin(a->fd, a->pin.out_handle), 0);
	fn_expect_usage(a->fd, 0, 0, a->base);
}

static void fn_pin_walks(const char *what, char *p, size_t npages)
{
	static const __u32 combos[] = {
		0, PINMGR_PIN_WRITE, PINMGR_PIN_LONGTERM,
		PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM,
	};
	struct fn_pin_arg a = { .p = p, .npages = npages };
	struct fn_op op = {
		.arg = &a, .prepare = fn_pin_prepare, .call = fn_pin_call,
		.failed = fn_pin_failed, .succeeded = fn_pin_succeeded,
	};
	char name[96];
	unsigned int i;

	ASSERT_NE(p, NULL);
	a.fd = pm_open();
	ASSERT_GE(a.fd, 0);
	a.base = pm_outstanding_pins();
	for (i = 0; i < 4; i++) {
		a.flags = combos[i];
		snprintf(name, sizeof(name), "PIN %s%s%s", what,
			 combos[i] & PINMGR_PIN_WRITE ? " WRITE" : "",
			 combos[i] & PINMGR_PIN_LONGTERM ? " LONGTERM" : "");
		op.name = name;
		fn_walk(&op);
	}
	pm_diag("failnth: the lease of %s has %llu physically contiguous runs",
		what, (unsigned long long)a.runs);
	close(a.fd);
	ASSERT_EQ(pm_outstanding_pins() - a.base, 0);
}

static void fn_pin_1_page_body(void)
{
	size_t ps = pm_page_size();

	fn_pin_walks("1 page", pm_map_anon(ps), 1);
}

TEST_TIMEOUT(failnth_pin_1_page, 900)
{
	fn_run("pin_1_page", fn_pin_1_page_body, 0);
}

/*
 * @npages small pages that are hardly ever physically adjacent: touched in
 * turn with the pages of another mapping, so that the allocator hands out
 * every other frame to each. The lease then has about @npages runs and its
 * runs array grows several times.
 */
static char *fn_map_scattered(size_t npages)
{
	size_t ps = pm_page_size(), i;
	char *a = mmap(NULL, npages * ps, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *b = mmap(NULL, npages * ps, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(a, MAP_FAILED);
	ASSERT_NE(b, MAP_FAILED);
	if (madvise(a, npages * ps, MADV_NOHUGEPAGE) ||
	    madvise(b, npages * ps, MADV_NOHUGEPAGE)) {
		/* No THP: small pages anyway. */
	}
	for (i = 0; i < npages; i++) {
		a[i * ps] = (char)(i + 1);
		b[i * ps] = (char)(i + 2);
	}
	munmap(b, npages * ps);
	return a;
}

/* At most one page of runs (16 bytes each): kvmalloc() stays in kmalloc(). */
#define FN_SCATTERED	200

static void fn_pin_scattered_body(void)
{
	fn_pin_walks("200 scattered pages", fn_map_scattered(FN_SCATTERED),
		     FN_SCATTERED);
}

TEST_TIMEOUT(failnth_pin_scattered, 900)
{
	fn_run("pin_scattered", fn_pin_scattered_body, 0);
}

TEST_TIMEOUT(failnth_sticky_pin_1_page, 900)
{
	fn_run("sticky_pin_1_page", fn_pin_1_page_body, 1);
}

TEST_TIMEOUT(failnth_sticky_pin_scattered, 900)
{
	fn_run("sticky_pin_scattered", fn_pin_scattered_body, 1);
}

/* Two batches of the GUP layer: 512 pages, then 1. */
static void fn_pin_513_body(void)
{
	size_t ps = pm_page_size();

	fn_pin_walks("513 pages", pm_map_anon(513 * ps), 513);
}

TEST_TIMEOUT(failnth_pin_513_pages, 900)
{
	fn_run("pin_513_pages", fn_pin_513_body, 0);
}

static void fn_pin_4m_body(void)
{
	size_t ps = pm_page_size();
	char *p = mmap(NULL, 4 * MiB, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t off;

	ASSERT_NE(p, MAP_FAILED);
	/* Small pages: as many runs as the allocator makes. */
	if (madvise(p, 4 * MiB, MADV_NOHUGEPAGE)) {
		/* No THP: small pages anyway. */
	}
	for (off = 0; off < 4 * MiB; off += ps)
		p[off] = (char)off;
	fn_pin_walks("4 MiB", p, 4 * MiB / ps);
}

TEST_TIMEOUT(failnth_pin_4m, 1200)
{
	fn_run("pin_4m", fn_pin_4m_body, 0);
}

static void fn_pin_4m_thp_body(void)
{
	size_t ps = pm_page_size();
	char *p = pm_map_thp(4 * MiB);
	long long thp = pm_anon_huge_kb();

	if (thp < 4096)
		pm_diag("only %lld kB of the 4 MiB are huge pages", thp);
	fn_pin_walks("4 MiB THP", p, 4 * MiB / ps);
}

TEST_TIMEOUT(failnth_pin_4m_thp, 1200)
{
	fn_run("pin_4m_thp", fn_pin_4m_thp_body, 0);
}

/* ---- PIN_VEC ------------------------------------------------------------ */

/* Ranges of 20 scattered pages: each lease outgrows its inline runs. */
#define FN_VEC_RANGES	6
#define FN_VEC_PAGES	20

struct fn_vec_arg {
	int fd;
	char *p;
	long long base;
	struct pinmgr_pin_range r[FN_VEC_RANGES];
	struct pinmgr_pin_vec v;
};

static void fn_vec_prepare(void *arg)
{
	struct fn_vec_arg *a = arg;
	size_t len = FN_VEC_PAGES * pm_page_size();
	unsigned int i;

	memset(a->r, 0, sizeof(a->r));
	for (i = 0; i < FN_VEC_RANGES; i++) {
		a->r[i].addr = (uintptr_t)(a->p + i * len);
		a->r[i].length = len;
		a->r[i].cookie = i + 1;
		a->r[i].flags = i & 3;
	}
	memset(&a->v, 0, sizeof(a->v));
	a->v.size = sizeof(a->v);
	a->v.ranges = (uintptr_t)a->r;
	a->v.nr_ranges = FN_VEC_RANGES;
	a->v.range_size = sizeof(a->r[0]);
}

static long fn_vec_call(void *arg)
{
	struct fn_vec_arg *a = arg;

	return ioctl(a->fd, PINMGR_IOC_PIN_VEC, &a->v);
}

static void fn_vec_failed(void *arg, int err)
{
	struct fn_vec_arg *a = arg;

	(void)err;
	/* All or nothing: not one of the ranges stays pinned. */
	ASSERT_LE(a->v.out_error_index, FN_VEC_RANGES);
	fn_expect_usage(a->fd, 0, 0, a->base);
}

static void fn_vec_succeeded(void *arg, long ret, int injected)
{
	struct fn_vec_arg *a = arg;
	struct pinmgr_query q;
	unsigned int i;

	(void)injected;
	ASSERT_EQ(ret, 0);
	fn_expect_usage(a->fd, FN_VEC_RANGES, FN_VEC_RANGES * FN_VEC_PAGES,
			a->base);
	for (i = 0; i < FN_VEC_RANGES; i++) {
		ASSERT_EQ(pm_query(a->fd, a->r[i].out_handle, &q), 0);
		ASSERT_EQ(q.out_cookie, i + 1);
		ASSERT_EQ(q.out_nr_pages, FN_VEC_PAGES);
		ASSERT_EQ(pm_unpin(a->fd, a->r[i].out_handle), 0);
	}
	fn_expect_usage(a->fd, 0, 0, a->base);
}

static void fn_pin_vec_body(void)
{
	struct fn_vec_arg a = {
		.p = fn_map_scattered(FN_VEC_RANGES * FN_VEC_PAGES),
	};
	struct fn_op op = {
		.name = "PIN_VEC 6 x 20 scattered pages", .arg = &a,
		.prepare = fn_vec_prepare, .call = fn_vec_call,
		.failed = fn_vec_failed, .succeeded = fn_vec_succeeded,
	};

	a.fd = pm_open();
	ASSERT_GE(a.fd, 0);
	a.base = pm_outstanding_pins();
	fn_walk(&op);
	close(a.fd);
	ASSERT_EQ(pm_outstanding_pins() - a.base, 0);
}

TEST_TIMEOUT(failnth_pin_vec, 900)
{
	fn_run("pin_vec", fn_pin_vec_body, 0);
}

TEST_TIMEOUT(failnth_sticky_pin_vec, 900)
{
	fn_run("sticky_pin_vec", fn_pin_vec_body, 1);
}

/* ---- Calls on existing leases ------------------------------------------- */

#define FN_LEASES	3

struct fn_lease_arg {
	int fd;
	char *p;
	size_t npages;			/* per lease */
	__u64 h[FN_LEASES];
	unsigned int nleases;
	long long base;
	union {
		struct pinmgr_list list;
		struct pinmgr_query query;
		struct pinmgr_get_segments segs;
		struct pinmgr_access access;
		struct pinmgr_unpin unpin;
		struct pinmgr_export export;
	} u;
	__u64 handles[8];
	struct pinmgr_segment segs[4096];
	char *buf;
	size_t off, len;
	int write;
	__u64 runs;
};

/* The leases are exactly as set up, untouched by the failed call. */
static void fn_leases_intact(struct fn_lease_arg *a)
{
	struct pinmgr_query q;
	struct pinmgr_list l;
	__u64 handles[8];
	unsigned int i;

	fn_expect_usage(a->fd, a->nleases, a->nleases * a->npages, a->base);
	ASSERT_EQ(pm_list(a->fd, handles, 8, &l), 0);
	ASSERT_EQ(l.out_total, a->nleases);
	for (i = 0; i < a->nleases; i++) {
		ASSERT_EQ(handles[i], a->h[i]);
		ASSERT_EQ(pm_query(a->fd, a->h[i], &q), 0);
		ASSERT_EQ(q.out_nr_pages, a->npages);
		ASSERT_EQ(q.out_addr, (uintptr_t)(a->p + i * a->npages *
						  pm_page_size()));
	}
}

static void fn_leases_failed(void *arg, int err)
{
	(void)err;
	fn_leases_intact(arg);
}

static void fn_leases_setup(struct fn_lease_arg *a, unsigned int nleases,
			    size_t npages, __u32 flags)
{
	size_t ps = pm_page_size();
	struct pinmgr_pin pin;
	unsigned int i;

	a->fd = pm_open();
	ASSERT_GE(a->fd, 0);
	a->npages = npages;
	a->nleases = nleases;
	a->p = pm_map_anon(nleases * npages * ps);
	ASSERT_NE(a->p, NULL);
	a->base = pm_outstanding_pins();
	for (i = 0; i < nleases; i++) {
		ASSERT_EQ(pm_pin(a->fd, a->p + i * npages * ps, npages * ps,
				 flags, i, &pin), 0);
		a->h[i] = pin.out_handle;
		a->runs = pin.out_nr_runs;
	}
}

static void fn_leases_teardown(struct fn_lease_arg *a)
{
	ASSERT_EQ(close(a->fd), 0);
	ASSERT_EQ(pm_outstanding_pins() - a->base, 0);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	pm_unmap(a->p, a->nleases * a->npages * pm_page_size());
}

/* ---- Leases with an end: PIN with a duration, RENEW, REVOKE ------------ */

/*
 * Each attempt starts from a fresh file, so that the allocation of its event
 * queue (made by the first call that may need it) is walked every time.
 */
struct fn_end_arg {
	int fd;
	char *p;
	long long base;
	__u64 h;
	int pre_pin;		/* a lease without an end exists before the call */
	__u32 revoke_flags;
	union {
		struct pinmgr_pin pin;
		struct pinmgr_renew renew;
		struct pinmgr_revoke revoke;
	} u;
};

static void fn_end_prepare(void *arg)
{
	struct fn_end_arg *a = arg;

	if (a->fd >= 0)
		ASSERT_EQ(close(a->fd), 0);
	a->fd = pm_open();
	ASSERT_GE(a->fd, 0);
	a->h = a->pre_pin ? PIN_OK(a->fd, a->p, pm_page_size(), 0) : 0;
	memset(&a->u, 0, sizeof(a->u));
}

static long fn_pin_for_call(void *arg)
{
	struct fn_end_arg *a = arg;

	a->u.pin.size = sizeof(a->u.pin);
	a->u.pin.addr = (uintptr_t)a->p;
	a->u.pin.length = pm_page_size();
	a->u.pin.duration_ns = 3600000000000ULL;
	return ioctl(a->fd, PINMGR_IOC_PIN, &a->u.pin);
}

static void fn_pin_for_failed(void *arg, int err)
{
	struct fn_end_arg *a = arg;

	(void)err;
	fn_expect_usage(a->fd, 0, 0, a->base);
}

static void fn_pin_for_succeeded(void *arg, long ret, int injected)
{
	struct fn_end_arg *a = arg;
	struct pinmgr_query q;

	(void)injected;
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(pm_query(a->fd, a->u.pin.out_handle, &q), 0);
	ASSERT_NE(q.out_expire_time_ns, 0);
	fn_expect_usage(a->fd, 1, 1, a->base);
	ASSERT_EQ(pm_unpin(a->fd, a->u.pin.out_handle), 0);
}

static long fn_renew_call(void *arg)
{
	struct fn_end_arg *a = arg;

	a->u.renew.size = sizeof(a->u.renew);
	a->u.renew.handle = a->h;
	a->u.renew.duration_ns = 3600000000000ULL;
	return ioctl(a->fd, PINMGR_IOC_RENEW, &a->u.renew);
}

/* A failed RENEW or REVOKE left the lease as it was: live, no end, silent. */
static void fn_end_untouched(void *arg, int err)
{
	struct fn_end_arg *a = arg;
	struct pinmgr_event ev;
	struct pinmgr_query q;

	(void)err;
	ASSERT_EQ(pm_query(a->fd, a->h, &q), 0);
	ASSERT_EQ(q.out_state, PINMGR_LEASE_ACTIVE);
	ASSERT_EQ(q.out_expire_time_ns, 0);
	ASSERT_EQ(q.out_break_deadline_ns, 0);
	ASSERT_EQ(pm_read_event(a->fd, &ev, 0), 0);
	fn_expect_usage(a->fd, 1, 1, a->base);
}

static void fn_renew_succeeded(void *arg, long ret, int injected)
{
	struct fn_end_arg *a = arg;
	struct pinmgr_query q;

	(void)injected;
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(pm_query(a->fd, a->h, &q), 0);
	ASSERT_NE(q.out_expire_time_ns, 0);
	ASSERT_EQ(pm_unpin(a->fd, a->h), 0);
}

static long fn_revoke_call(void *arg)
{
	struct fn_end_arg *a = arg;

	a->u.revoke.size = sizeof(a->u.revoke);
	a->u.revoke.handle = a->h;
	a->u.revoke.flags = a->revoke_flags;
	return ioctl(a->fd, PINMGR_IOC_REVOKE, &a->u.revoke);
}

static void fn_revoke_succeeded(void *arg, long ret, int injected)
{
	struct fn_end_arg *a = arg;
	struct pinmgr_event ev;
	struct pinmgr_query q;

	(void)injected;
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(pm_read_event(a->fd, &ev, 5000), 1);
	ASSERT_EQ(ev.handle, a->h);
	ASSERT_EQ(pm_query(a->fd, a->h, &q), 0);
	if (a->revoke_flags & PINMGR_REVOKE_NOW) {
		ASSERT_EQ(ev.type, PINMGR_EVENT_REVOKED);
		ASSERT_EQ(q.out_state, PINMGR_LEASE_REVOKED);
		fn_expect_usage(a->fd, 1, 0, a->base);
		ASSERT_ERRNO(pm_unpin(a->fd, a->h), EKEYREVOKED);
	} else {
		ASSERT_EQ(ev.type, PINMGR_EVENT_BREAKING);
		ASSERT_EQ(q.out_state, PINMGR_LEASE_BREAKING);
		ASSERT_EQ(pm_unpin(a->fd, a->h), 0);
	}
	fn_expect_usage(a->fd, 0, 0, a->base);
}

static void fn_end_body(const char *name, long (*call)(void *),
			void (*failed)(void *, int),
			void (*succeeded)(void *, long, int), int pre_pin,
			__u32 revoke_flags)
{
	struct fn_end_arg a = {
		.fd = -1, .p = pm_map_anon(pm_page_size()),
		.pre_pin = pre_pin, .revoke_flags = revoke_flags,
	};
	struct fn_op op = {
		.name = name, .arg = &a, .prepare = fn_end_prepare,
		.call = call, .failed = failed, .succeeded = succeeded,
	};

	ASSERT_NE(a.p, NULL);
	/* An hour: no break runs out during the walk. */
	ASSERT_EQ(pm_param_write("break_time_ms", 3600000), 0);
	a.base = pm_outstanding_pins();
	fn_walk(&op);
	ASSERT_EQ(close(a.fd), 0);
	ASSERT_EQ(pm_outstanding_pins() - a.base, 0);
	pm_unmap(a.p, pm_page_size());
}

static void fn_pin_for_body(void)
{
	fn_end_body("PIN with a duration, new file", fn_pin_for_call,
		    fn_pin_for_failed, fn_pin_for_succeeded, 0, 0);
}

static void fn_renew_body(void)
{
	fn_end_body("RENEW with a duration, new file", fn_renew_call,
		    fn_end_untouched, fn_renew_succeeded, 1, 0);
}

static void fn_revoke_body(void)
{
	fn_end_body("REVOKE (break), new file", fn_revoke_call,
		    fn_end_untouched, fn_revoke_succeeded, 1, 0);
	fn_end_body("REVOKE now, new file", fn_revoke_call,
		    fn_end_untouched, fn_revoke_succeeded, 1,
		    PINMGR_REVOKE_NOW);
}

TEST_TIMEOUT(failnth_pin_with_duration, 900)
{
	fn_run("pin_with_duration", fn_pin_for_body, 0);
}

TEST_TIMEOUT(failnth_renew, 900)
{
	fn_run("renew", fn_renew_body, 0);
}

TEST_TIMEOUT(failnth_revoke, 900)
{
	fn_run("revoke", fn_revoke_body, 0);
}

TEST_TIMEOUT(failnth_sticky_revoke, 900)
{
	fn_run("sticky_revoke", fn_revoke_body, 1);
}

/* ---- Watched leases ----------------------------------------------------- */

/*
 * PIN with PINMGR_PIN_WATCH, PINMGR_PIN_WATCH_ONLY or with
 * PINMGR_PIN_RELEASE_ON_STALE, and mmap(2) of the status area, each on a
 * new file per attempt: the first watch of a context makes the context's
 * watch (its status area and an mmu_notifier on the opener's mm), and only
 * a fresh file reaches those allocations every time. What belongs to the
 * mm itself (its notifier subscriptions, made by the first notifier ever
 * registered on it) is made once per process and walked once.
 */
#define FN_WATCH_PAGES	4

static void fn_need_watch(void)
{
	if (!pm_feature(PINMGR_FEATURE_WATCH))
		pm_skip_feature(PINMGR_FEATURE_WATCH, "watched leases");
}

/* The status area of @fd, one page of it (slot 0 to ps / 8 - 1), or NULL. */
static const volatile __u64 *fn_area_map(int fd)
{
	void *a = mmap(NULL, pm_page_size(), PROT_READ, MAP_SHARED, fd,
		       PINMGR_WATCH_MMAP_OFFSET);

	return a == MAP_FAILED ? NULL : a;
}

static void fn_area_unmap(const volatile __u64 *area)
{
	ASSERT_EQ(munmap((void *)area, pm_page_size()), 0);
}

static __u64 fn_word(const volatile __u64 *area, __u32 slot)
{
	ASSERT_LT(slot, pm_page_size() / sizeof(__u64));
	return __atomic_load_n(&area[slot], __ATOMIC_ACQUIRE);
}

/* Mappings of the device in this process (/proc/self/maps). */
static int fn_device_mappings(void)
{
	char line[512];
	int n = 0;
	FILE *f = fopen("/proc/self/maps", "re");

	ASSERT_NE(f, NULL);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, PINMGR_DEVICE_PATH))
			n++;
	fclose(f);
	return n;
}

/*
 * A watched lease of @fd just made by @pin with @flags over @npages pages
 * at @p: as asked, with its slot, and its word (in @area) at its
 * generation.
 */
static void fn_watch_lease_check(int fd, const struct pinmgr_pin *pin,
				 const char *p, size_t npages, __u32 flags,
				 long long base, const volatile __u64 *area)
{
	int watch_only = !!(flags & PINMGR_PIN_WATCH_ONLY);
	struct pinmgr_query q;

	ASSERT_NE(pin->out_handle, 0);
	ASSERT_EQ(pin->out_nr_pages, npages);
	if (watch_only) {
		ASSERT_EQ(pin->out_nr_runs, 0);
	} else {
		ASSERT_GE(pin->out_nr_runs, 1);
		ASSERT_LE(pin->out_nr_runs, npages);
	}
	/* Slot 0 is the context's own, its count of stale leases. */
	ASSERT_GE(pin->out_watch_slot, 1);
	ASSERT_LT(pin->out_watch_slot, PINMGR_WATCH_SLOTS_MAX);
	ASSERT_EQ(pm_query(fd, pin->out_handle, &q), 0);
	ASSERT_EQ(q.out_addr, (uintptr_t)p);
	ASSERT_EQ(q.out_nr_pages, npages);
	ASSERT_EQ(q.out_pin_flags, flags | PINMGR_PIN_WATCH);
	ASSERT_EQ(q.out_state, PINMGR_LEASE_ACTIVE);
	ASSERT_EQ(q.out_watch_slot, pin->out_watch_slot);
	ASSERT_EQ(q.out_stale_reason, 0);
	ASSERT_EQ(q.out_stale_length, 0);
	/* The lease maps what it holds: its word is at its generation. */
	ASSERT_EQ(fn_word(area, pin->out_watch_slot), pin->out_watch_gen);
	/* A watch-only lease pins and charges nothing. */
	fn_expect_usage(fd, 1, watch_only ? 0 : npages, base);
}

/* The same; then unpinned, its word moves on and nothing is left. */
static void fn_watch_lease_ok(int fd, const struct pinmgr_pin *pin,
			      const char *p, size_t npages, __u32 flags,
			      long long base, const volatile __u64 *area)
{
	const volatile __u64 *mine = area ? area : fn_area_map(fd);

	ASSERT_NE(mine, NULL);
	fn_watch_lease_check(fd, pin, p, npages, flags, base, mine);
	ASSERT_EQ(pm_unpin(fd, pin->out_handle), 0);
	ASSERT_NE(fn_word(mine, pin->out_watch_slot), pin->out_watch_gen);
	fn_expect_usage(fd, 0, 0, base);
	if (!area)
		fn_area_unmap(mine);
}

/*
 * The context that a failed call left (its watch perhaps half made, or
 * made and unused) works: a watched lease of it is as it should be.
 */
static void fn_watch_ctx_works(int fd, const char *p, size_t npages,
			       __u32 flags, long long base)
{
	struct pinmgr_pin pin;

	ASSERT_EQ(pm_pin(fd, p, npages * pm_page_size(), flags, 1, &pin), 0);
	fn_watch_lease_ok(fd, &pin, p, npages, flags, base, NULL);
}

struct fn_watch_arg {
	int fd;
	char *p;
	size_t npages;
	__u32 flags;
	long long base;
	struct pinmgr_pin pin;
	void *map;
	unsigned int invalidated;
};

static void fn_watch_prepare(void *arg)
{
	struct fn_watch_arg *a = arg;

	if (a->fd >= 0)
		ASSERT_EQ(close(a->fd), 0);
	a->fd = pm_open();
	ASSERT_GE(a->fd, 0);
	memset(&a->pin, 0, sizeof(a->pin));
	a->pin.size = sizeof(a->pin);
	a->pin.flags = a->flags;
	a->pin.addr = (uintptr_t)a->p;
	a->pin.length = a->npages * pm_page_size();
	a->pin.cookie = 7;
}

static long fn_watch_pin_call(void *arg)
{
	struct fn_watch_arg *a = arg;

	return ioctl(a->fd, PINMGR_IOC_PIN, &a->pin);
}

static void fn_watch_pin_failed(void *arg, int err)
{
	struct fn_watch_arg *a = arg;

	(void)err;
	/* Nothing of the failed request: no lease, no pin, no charge. */
	fn_expect_usage(a->fd, 0, 0, a->base);
	ASSERT_EQ(fn_device_mappings(), 0);
	fn_watch_ctx_works(a->fd, a->p, a->npages, a->flags, a->base);
}

/*
 * A lease released on stale: its range discarded, the driver releases the
 * pages itself; the owner hears of it, and UNPIN acknowledges with ESTALE.
 */
static void fn_watch_invalidate(struct fn_watch_arg *a,
				const struct pinmgr_pin *pin,
				const volatile __u64 *area)
{
	size_t len = a->npages * pm_page_size();
	__u64 handle = pin->out_handle;
	struct pinmgr_event ev;
	struct pinmgr_query q;

	ASSERT_EQ(fn_word(area, 0), 0);
	ASSERT_EQ(madvise(a->p, len, MADV_DONTNEED), 0);
	/* Told before madvise() returned, and counted in slot 0. */
	ASSERT_NE(fn_word(area, pin->out_watch_slot), pin->out_watch_gen);
	ASSERT_EQ(fn_word(area, 0), 1);
	pm_expect_event(a->fd, PINMGR_EVENT_STALE, handle, 10000, &ev);
	ASSERT_EQ(ev.reason, PINMGR_STALE_DISCARD);
	ASSERT_EQ(pm_query(a->fd, handle, &q), 0);
	ASSERT_EQ(q.out_state, PINMGR_LEASE_INVALIDATED);
	ASSERT_EQ(q.out_stale_reason, PINMGR_STALE_DISCARD);
	fn_expect_usage(a->fd, 1, 0, a->base);
	ASSERT_ERRNO(pm_unpin(a->fd, handle), ESTALE);
	fn_expect_usage(a->fd, 0, 0, a->base);
	/* The next attempt pins what the range maps again. */
	memset(a->p, 0x3c, len);
	a->invalidated++;
}

static void fn_watch_pin_succeeded(void *arg, long ret, int injected)
{
	struct fn_watch_arg *a = arg;
	const volatile __u64 *area;

	(void)injected;
	ASSERT_EQ(ret, 0);
	if (!(a->flags & PINMGR_PIN_RELEASE_ON_STALE)) {
		fn_watch_lease_ok(a->fd, &a->pin, a->p, a->npages, a->flags,
				  a->base, NULL);
		return;
	}
	/* What was made under fault injection is released on stale. */
	area = fn_area_map(a->fd);
	ASSERT_NE(area, NULL);
	fn_watch_lease_check(a->fd, &a->pin, a->p, a->npages, a->flags,
			     a->base, area);
	fn_watch_invalidate(a, &a->pin, area);
	fn_area_unmap(area);
}

static void fn_pin_watch_walks(void)
{
	static const struct {
		__u32 flags;
		const char *name;
	} walks[] = {
		{ PINMGR_PIN_WATCH | PINMGR_PIN_WRITE,
		  "PIN WATCH WRITE, new file" },
		{ PINMGR_PIN_WATCH_ONLY,
		  "PIN WATCH_ONLY, new file" },
		{ PINMGR_PIN_WATCH | PINMGR_PIN_RELEASE_ON_STALE |
		  PINMGR_PIN_WRITE,
		  "PIN WATCH RELEASE_ON_STALE WRITE, new file" },
	};
	size_t ps = pm_page_size();
	struct fn_watch_arg a = {
		.fd = -1, .p = pm_map_anon(FN_WATCH_PAGES * ps),
		.npages = FN_WATCH_PAGES,
	};
	struct fn_op op = {
		.arg = &a, .prepare = fn_watch_prepare,
		.call = fn_watch_pin_call, .failed = fn_watch_pin_failed,
		.succeeded = fn_watch_pin_succeeded,
	};
	unsigned int i;

	ASSERT_NE(a.p, NULL);
	a.base = pm_outstanding_pins();
	for (i = 0; i < ARRAY_SIZE(walks); i++) {
		a.flags = walks[i].flags;
		op.name = walks[i].name;
		fn_walk(&op);
	}
	/* The release walk made a lease released on stale at least once. */
	ASSERT_GE(a.invalidated, 1);
	ASSERT_EQ(close(a.fd), 0);
	ASSERT_EQ(pm_outstanding_pins() - a.base, 0);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	pm_unmap(a.p, FN_WATCH_PAGES * ps);
}

TEST_TIMEOUT(failnth_pin_watch, 900)
{
	fn_need_watch();
	fn_run("pin_watch", fn_pin_watch_walks, 0);
}

static void fn_pin_watch_sticky_body(void)
{
	size_t ps = pm_page_size();
	struct fn_watch_arg a = {
		.fd = -1, .p = pm_map_anon(FN_WATCH_PAGES * ps),
		.npages = FN_WATCH_PAGES,
		.flags = PINMGR_PIN_WATCH | PINMGR_PIN_WRITE,
	};
	struct fn_op op = {
		.name = "PIN WATCH WRITE, new file", .arg = &a,
		.prepare = fn_watch_prepare, .call = fn_watch_pin_call,
		.failed = fn_watch_pin_failed,
		.succeeded = fn_watch_pin_succeeded,
	};

	ASSERT_NE(a.p, NULL);
	a.base = pm_outstanding_pins();
	fn_walk(&op);
	ASSERT_EQ(close(a.fd), 0);
	ASSERT_EQ(pm_outstanding_pins() - a.base, 0);
	pm_unmap(a.p, FN_WATCH_PAGES * ps);
}

TEST_TIMEOUT(failnth_sticky_pin_watch, 900)
{
	fn_need_watch();
	fn_run("sticky_pin_watch", fn_pin_watch_sticky_body, 1);
}

/*
 * mmap(2) of the status area of a new file (which makes the context's
 * watch): it succeeds, or fails with ENOMEM and leaves no mapping and a
 * file whose area and leases work.
 */
static long fn_watch_mmap_call(void *arg)
{
	struct fn_watch_arg *a = arg;
	void *m = mmap(NULL, pm_page_size(), PROT_READ, MAP_SHARED, a->fd,
		       PINMGR_WATCH_MMAP_OFFSET);

	if (m == MAP_FAILED)
		return -1;
	a->map = m;
	return 0;
}

static void fn_watch_mmap_failed(void *arg, int err)
{
	struct fn_watch_arg *a = arg;

	if (err != ENOMEM)
		FAIL("mmap of the status area failed with %s, not ENOMEM",
		     strerrorname_np(err) ?: "?");
	ASSERT_EQ(fn_device_mappings(), 0);
	fn_expect_usage(a->fd, 0, 0, a->base);
	fn_watch_ctx_works(a->fd, a->p, a->npages,
			   PINMGR_PIN_WATCH | PINMGR_PIN_WRITE, a->base);
	ASSERT_EQ(fn_device_mappings(), 0);
}

static void fn_watch_mmap_succeeded(void *arg, long ret, int injected)
{
	struct fn_watch_arg *a = arg;
	const volatile __u64 *area = a->map;
	struct pinmgr_pin pin;

	(void)injected;
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(fn_device_mappings(), 1);
	/* Never writable, whatever the walk did to it. */
	ASSERT_ERRNO(mprotect(a->map, pm_page_size(), PROT_READ | PROT_WRITE),
		     EACCES);
	/* A fresh area: no lease of the context has been stale. */
	ASSERT_EQ(fn_word(area, 0), 0);
	/* The mapping sees the words of leases made after it. */
	ASSERT_EQ(pm_pin(a->fd, a->p, a->npages * pm_page_size(),
			 PINMGR_PIN_WATCH | PINMGR_PIN_WRITE, 1, &pin), 0);
	fn_watch_lease_ok(a->fd, &pin, a->p, a->npages,
			  PINMGR_PIN_WATCH | PINMGR_PIN_WRITE, a->base, area);
	fn_area_unmap(area);
	a->map = NULL;
	ASSERT_EQ(fn_device_mappings(), 0);
}

static void fn_watch_mmap_body(void)
{
	size_t ps = pm_page_size();
	struct fn_watch_arg a = {
		.fd = -1, .p = pm_map_anon(FN_WATCH_PAGES * ps),
		.npages = FN_WATCH_PAGES,
	};
	struct fn_op op = {
		.name = "mmap of the status area, new file", .arg = &a,
		.prepare = fn_watch_prepare, .call = fn_watch_mmap_call,
		.failed = fn_watch_mmap_failed,
		.succeeded = fn_watch_mmap_succeeded,
	};

	ASSERT_NE(a.p, NULL);
	a.base = pm_outstanding_pins();
	fn_walk(&op);
	ASSERT_EQ(close(a.fd), 0);
	ASSERT_EQ(pm_outstanding_pins() - a.base, 0);
	pm_unmap(a.p, FN_WATCH_PAGES * ps);
}

TEST_TIMEOUT(failnth_watch_mmap, 900)
{
	fn_need_watch();
	fn_run("watch_mmap", fn_watch_mmap_body, 0);
}

/* LIST */

static void fn_list_prepare(void *arg)
{
	struct fn_lease_arg *a = arg;

	memset(a->handles, 0, sizeof(a->handles));
	memset(&a->u.list, 0, sizeof(a->u.list));
	a->u.list.size = sizeof(a->u.list);
	a->u.list.handles = (uintptr_t)a->handles;
	a->u.list.nr_handles = 8;
}

static long fn_list_call(void *arg)
{
	struct fn_lease_arg *a = arg;

	return ioctl(a->fd, PINMGR_IOC_LIST, &a->u.list);
}

static void fn_list_succeeded(void *arg, long ret, int injected)
{
	struct fn_lease_arg *a = arg;
	unsigned int i;

	(void)injected;
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(a->u.list.out_total, a->nleases);
	ASSERT_EQ(a->u.list.nr_handles, a->nleases);
	for (i = 0; i < a->nleases; i++)
		ASSERT_EQ(a->handles[i], a->h[i]);
	fn_leases_intact(a);
}

static void fn_list_body(void)
{
	static struct fn_lease_arg a;
	struct fn_op op = {
		.name = "LIST of 3 leases", .arg = &a,
		.prepare = fn_list_prepare, .call = fn_list_call,
		.failed = fn_leases_failed, .succeeded = fn_list_succeeded,
	};

	fn_leases_setup(&a, FN_LEASES, 2, 0);
	fn_walk(&op);
	fn_leases_teardown(&a);
}

TEST_TIMEOUT(failnth_list, 600)
{
	fn_run("list", fn_list_body, 0);
}

/* QUERY */

static void fn_query_prepare(void *arg)
{
	struct fn_lease_arg *a = arg;

	memset(&a->u.query, 0, sizeof(a->u.query));
	a->u.query.size = sizeof(a->u.query);
	a->u.query.handle = a->h[1];
}

static long fn_query_call(void *arg)
{
	struct fn_lease_arg *a = arg;

	return ioctl(a->fd, PINMGR_IOC_QUERY, &a->u.query);
}

static void fn_query_succeeded(void *arg, long ret, int injected)
{
	struct fn_lease_arg *a = arg;

	(void)injected;
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(a->u.query.out_addr,
		  (uintptr_t)(a->p + a->npages * pm_page_size()));
	ASSERT_EQ(a->u.query.out_nr_pages, a->npages);
	ASSERT_EQ(a->u.query.out_cookie, 1);
	ASSERT_EQ(a->u.query.out_owner_tgid, (__u32)getpid());
	ASSERT_EQ(a->u.query.out_state, PINMGR_LEASE_ACTIVE);
	fn_leases_intact(a);
}

static void fn_query_body(void)
{
	static struct fn_lease_arg a;
	struct fn_op op = {
		.name = "QUERY", .arg = &a, .prepare = fn_query_prepare,
		.call = fn_query_call, .failed = fn_leases_failed,
		.succeeded = fn_query_succeeded,
	};

	fn_leases_setup(&a, FN_LEASES, 2, PINMGR_PIN_LONGTERM);
	fn_walk(&op);
	fn_leases_teardown(&a);
}

TEST_TIMEOUT(failnth_query, 600)
{
	fn_run("query", fn_query_body, 0);
}

/* GET_SEGMENTS, of a 4 MiB lease of small pages (many runs). */

static void fn_segs_prepare(void *arg)
{
	struct fn_lease_arg *a = arg;

	memset(&a->u.segs, 0, sizeof(a->u.segs));
	a->u.segs.size = sizeof(a->u.segs);
	a->u.segs.handle = a->h[0];
	a->u.segs.segments = (uintptr_t)a->segs;
	a->u.segs.nr_segments = 4096;
}

static long fn_segs_call(void *arg)
{
	struct fn_lease_arg *a = arg;

	return ioctl(a->fd, PINMGR_IOC_GET_SEGMENTS, &a->u.segs);
}

static void fn_segs_succeeded(void *arg, long ret, int injected)
{
	struct fn_lease_arg *a = arg;
	__u64 sum = 0;
	unsigned int i;

	(void)injected;
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(a->u.segs.out_total, a->runs);
	ASSERT_EQ(a->u.segs.nr_segments, a->runs);
	for (i = 0; i < a->u.segs.nr_segments; i++)
		sum += a->segs[i].length;
	ASSERT_EQ(sum, a->npages * pm_page_size());
	fn_leases_intact(a);
}

static void fn_segs_body(void)
{
	static struct fn_lease_arg a;
	struct fn_op op = {
		.name = "GET_SEGMENTS", .arg = &a, .prepare = fn_segs_prepare,
		.call = fn_segs_call, .failed = fn_leases_failed,
		.succeeded = fn_segs_succeeded,
	};

	fn_leases_setup(&a, 1, 4 * MiB / pm_page_size(), PINMGR_PIN_WRITE);
	pm_diag("GET_SEGMENTS of a lease of %llu runs",
		(unsigned long long)a.runs);
	fn_walk(&op);
	fn_leases_teardown(&a);
}

TEST_TIMEOUT(failnth_get_segments, 600)
{
	fn_run("get_segments", fn_segs_body, 0);
}

/*
 * EXPORT of a 4 MiB lease: a failure leaves no descriptor and no export;
 * a success gives a dma-buf of the whole lease, whose close ends it.
 */

static int fn_export_fds;

static void fn_export_prepare(void *arg)
{
	struct fn_lease_arg *a = arg;

	memset(&a->u.export, 0, sizeof(a->u.export));
	a->u.export.size = sizeof(a->u.export);
	a->u.export.handle = a->h[0];
	a->u.export.out_fd = -1;
	fn_export_fds = fn_count_fds();
}

static long fn_export_call(void *arg)
{
	struct fn_lease_arg *a = arg;

	return ioctl(a->fd, PINMGR_IOC_EXPORT, &a->u.export);
}

static void fn_export_none(struct fn_lease_arg *a)
{
	struct pinmgr_query q;

	ASSERT_EQ(fn_count_fds(), fn_export_fds);
	ASSERT_EQ(pm_query(a->fd, a->h[0], &q), 0);
	ASSERT_EQ(q.out_exports, 0);
	fn_leases_intact(a);
}

static void fn_export_failed(void *arg, int err)
{
	(void)err;
	fn_export_none(arg);
}

static void fn_export_succeeded(void *arg, long ret, int injected)
{
	struct fn_lease_arg *a = arg;
	struct pinmgr_query q;

	(void)injected;
	ASSERT_EQ(ret, 0);
	ASSERT_GE(a->u.export.out_fd, 0);
	ASSERT_EQ(lseek(a->u.export.out_fd, 0, SEEK_END),
		  (off_t)(a->npages * pm_page_size()));
	ASSERT_EQ(pm_query(a->fd, a->h[0], &q), 0);
	ASSERT_EQ(q.out_exports, 1);
	close(a->u.export.out_fd);
	fn_export_none(a);
}

static void fn_export_body(void)
{
	static struct fn_lease_arg a;
	struct fn_op op = {
		.name = "EXPORT", .arg = &a, .prepare = fn_export_prepare,
		.call = fn_export_call, .failed = fn_export_failed,
		.succeeded = fn_export_succeeded,
	};

	if (!pm_feature(PINMGR_FEATURE_EXPORT))
		pm_skip_feature(PINMGR_FEATURE_EXPORT, "exported leases");
	fn_leases_setup(&a, 1, 4 * MiB / pm_page_size(), PINMGR_PIN_WRITE);
	fn_walk(&op);
	fn_leases_teardown(&a);
}

/*
 * A device's map of an export (the test importer's dynamic attachment to
 * edu, through the IOMMU): a failure leaves no mapping and no hold; a
 * success maps the whole lease, and its unmap lets go of it.
 */

struct fn_map_arg {
	struct fn_lease_arg lease;
	int imp, dbuf;
	__u32 id;
	struct pmi_map map;
};

static __u32 fn_map_holds(struct fn_map_arg *m)
{
	struct pinmgr_query q;

	ASSERT_EQ(pm_query(m->lease.fd, m->lease.h[0], &q), 0);
	ASSERT_EQ(q.out_exports, 1);
	return q.out_export_holds;
}

static void fn_map_prepare(void *arg)
{
	struct fn_map_arg *m = arg;

	memset(&m->map, 0, sizeof(m->map));
	m->map.id = m->id;
	m->map.dir = PMI_BIDIRECTIONAL;
}

static long fn_map_call(void *arg)
{
	struct fn_map_arg *m = arg;

	return ioctl(m->imp, PMI_IOC_MAP, &m->map);
}

static void fn_map_none(struct fn_map_arg *m)
{
	struct pmi_state st = { .id = m->id };

	ASSERT_EQ(ioctl(m->imp, PMI_IOC_STATE, &st), 0);
	ASSERT_EQ(st.out_mapped, 0);
	ASSERT_EQ(fn_map_holds(m), 0);
	fn_leases_intact(&m->lease);
}

static void fn_map_failed(void *arg, int err)
{
	(void)err;
	fn_map_none(arg);
}

static void fn_map_succeeded(void *arg, long ret, int injected)
{
	struct fn_map_arg *m = arg;

	(void)injected;
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(m->map.out_size, m->lease.npages * pm_page_size());
	/* One entry per run, or (7.3 on) the DMA segments only. */
	ASSERT_LE(m->map.out_nents, m->lease.runs);
	ASSERT_GE(fn_map_holds(m), 1);
	ASSERT_EQ(ioctl(m->imp, PMI_IOC_UNMAP, &m->id), 0);
	fn_map_none(m);
}

static void fn_export_map_body(void)
{
	static struct fn_map_arg m;
	struct fn_op op = {
		.name = "importer MAP of an export", .arg = &m,
		.prepare = fn_map_prepare, .call = fn_map_call,
		.failed = fn_map_failed, .succeeded = fn_map_succeeded,
	};
	struct pmi_attach at = { .flags = PMI_DYNAMIC };

	if (!pm_feature(PINMGR_FEATURE_EXPORT))
		pm_skip_feature(PINMGR_FEATURE_EXPORT, "exported leases");
	m.imp = open("/dev/pinmgr_importer", O_RDWR | O_CLOEXEC);
	if (m.imp < 0)
		SKIP_NEEDS("edu", "no test importer (run-vm -e loads it)");
	fn_leases_setup(&m.lease, 1, 4 * MiB / pm_page_size(),
			PINMGR_PIN_WRITE);
	m.dbuf = pm_export(m.lease.fd, m.lease.h[0]);
	ASSERT_GE(m.dbuf, 0);
	at.fd = m.dbuf;
	ASSERT_EQ(ioctl(m.imp, PMI_IOC_ATTACH, &at), 0);
	m.id = at.out_id;
	fn_walk(&op);
	ASSERT_EQ(ioctl(m.imp, PMI_IOC_DETACH, &m.id), 0);
	close(m.imp);
	close(m.dbuf);
	fn_leases_teardown(&m.lease);
}

TEST_TIMEOUT(failnth_export_map, 600)
{
	fn_run("export map", fn_export_map_body, 0);
}

TEST_TIMEOUT(failnth_sticky_export_map, 600)
{
	fn_run("export map", fn_export_map_body, 1);
}

TEST_TIMEOUT(failnth_export, 600)
{
	fn_run("export", fn_export_body, 0);
}

TEST_TIMEOUT(failnth_sticky_export, 600)
{
	fn_run("export", fn_export_body, 1);
}

/* ACCESS, writing then reading 5 pages at an odd offset of a write pin. */

static void fn_access_prepare(void *arg)
{
	struct fn_lease_arg *a = arg;
	size_t i;

	for (i = 0; i < a->len; i++)
		a->buf[i] = a->write ? (char)(i * 13 + 5) : 0;
	memset(&a->u.access, 0, sizeof(a->u.access));
	a->u.access.size = sizeof(a->u.access);
	a->u.access.flags = a->write ? PINMGR_ACCESS_WRITE : 0;
	a->u.access.handle = a->h[0];
	a->u.access.offset = a->off;
	a->u.access.length = a->len;
	a->u.access.buf = (uintptr_t)a->buf;
}

static long fn_access_call(void *arg)
{
	struct fn_lease_arg *a = arg;

	return ioctl(a->fd, PINMGR_IOC_ACCESS, &a->u.access);
}

static void fn_access_succeeded(void *arg, long ret, int injected)
{
	struct fn_lease_arg *a = arg;
	size_t i;

	(void)injected;
	ASSERT_EQ(ret, 0);
	/* The pinned pages are still the mapped ones: look through both. */
	for (i = 0; i < a->len; i++) {
		if (a->write)
			ASSERT_EQ(a->p[a->off + i], (char)(i * 13 + 5));
		else
			ASSERT_EQ(a->buf[i], a->p[a->off + i]);
	}
	fn_leases_intact(a);
}

static void fn_access_body(void)
{
	static struct fn_lease_arg a;
	size_t ps = pm_page_size();
	struct fn_op op = {
		.arg = &a, .prepare = fn_access_prepare,
		.call = fn_access_call, .failed = fn_leases_failed,
		.succeeded = fn_access_succeeded,
	};

	fn_leases_setup(&a, 1, 8, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM);
	a.buf = pm_map_anon(8 * ps);
	ASSERT_NE(a.buf, NULL);
	a.off = 100;
	a.len = 5 * ps;
	a.write = 1;
	op.name = "ACCESS write of 5 pages";
	fn_walk(&op);
	a.write = 0;
	op.name = "ACCESS read of 5 pages";
	fn_walk(&op);
	fn_leases_teardown(&a);
	pm_unmap(a.buf, 8 * ps);
}

TEST_TIMEOUT(failnth_access, 600)
{
	fn_run("access", fn_access_body, 0);
}

/* UNPIN: a failed UNPIN leaves the lease; a successful one ends it. */

static void fn_unpin_prepare(void *arg)
{
	struct fn_lease_arg *a = arg;
	size_t ps = pm_page_size();
	struct pinmgr_pin pin;

	if (!a->nleases) {
		ASSERT_EQ(pm_pin(a->fd, a->p, a->npages * ps,
				 PINMGR_PIN_WRITE, 0, &pin), 0);
		a->h[0] = pin.out_handle;
		a->nleases = 1;
	}
	memset(&a->u.unpin, 0, sizeof(a->u.unpin));
	a->u.unpin.size = sizeof(a->u.unpin);
	a->u.unpin.handle = a->h[0];
}

static long fn_unpin_call(void *arg)
{
	struct fn_lease_arg *a = arg;

	return ioctl(a->fd, PINMGR_IOC_UNPIN, &a->u.unpin);
}

static void fn_unpin_succeeded(void *arg, long ret, int injected)
{
	struct fn_lease_arg *a = arg;
	struct pinmgr_query q;

	(void)injected;
	ASSERT_EQ(ret, 0);
	ASSERT_ERRNO(pm_query(a->fd, a->h[0], &q), ENOENT);
	a->nleases = 0;
	fn_expect_usage(a->fd, 0, 0, a->base);
}

static void fn_unpin_body(void)
{
	static struct fn_lease_arg a;
	struct fn_op op = {
		.name = "UNPIN of 513 pages", .arg = &a,
		.prepare = fn_unpin_prepare, .call = fn_unpin_call,
		.failed = fn_leases_failed, .succeeded = fn_unpin_succeeded,
	};

	fn_leases_setup(&a, 1, 513, PINMGR_PIN_WRITE);
	fn_walk(&op);
	a.nleases = 1;
	fn_leases_teardown(&a);
}

TEST_TIMEOUT(failnth_unpin, 600)
{
	fn_run("unpin", fn_unpin_body, 0);
}

/* close() of a context with leases: whatever fails inside, all ends. */

struct fn_close_arg {
	int fd;
	char *p;
	long long base;
};

static void fn_close_prepare(void *arg)
{
	struct fn_close_arg *a = arg;
	size_t ps = pm_page_size();

	a->fd = pm_open();
	ASSERT_GE(a->fd, 0);
	PIN_OK(a->fd, a->p, 513 * ps, PINMGR_PIN_WRITE);
	PIN_OK(a->fd, a->p, ps, PINMGR_PIN_LONGTERM);
}

static long fn_close_call(void *arg)
{
	struct fn_close_arg *a = arg;

	return close(a->fd);
}

static void fn_close_failed(void *arg, int err)
{
	(void)arg;
	FAIL("close() failed with %s", strerrorname_np(err) ?: "?");
}

static void fn_close_succeeded(void *arg, long ret, int injected)
{
	struct fn_close_arg *a = arg;
	struct pinmgr_info info;
	int fd = pm_open();

	(void)injected;
	ASSERT_EQ(ret, 0);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.device_leases, 0);
	ASSERT_EQ(info.device_pinned_pages, 0);
	ASSERT_EQ(info.mm_pinned_pages, 0);
	close(fd);
	ASSERT_EQ(pm_outstanding_pins() - a->base, 0);
	ASSERT_EQ(pm_vmpin_kb(), 0);
}

static void fn_close_body(void)
{
	size_t ps = pm_page_size();
	struct fn_close_arg a = { .p = pm_map_anon(513 * ps) };
	struct fn_op op = {
		.name = "close() with 2 leases", .arg = &a,
		.prepare = fn_close_prepare, .call = fn_close_call,
		.failed = fn_close_failed, .succeeded = fn_close_succeeded,
	};

	ASSERT_NE(a.p, NULL);
	a.base = pm_outstanding_pins();
	fn_walk(&op);
}

TEST_TIMEOUT(failnth_close_with_leases, 600)
{
	fn_run("close_with_leases", fn_close_body, 0);
}

/* ---- The netlink family ------------------------------------------------- */

/*
 * Requests go through a raw socket, so that a fault injected anywhere on
 * the way (the request's buffer, the family's parsing, the reply, the ack,
 * each message of a dump, the copies to and from user space) comes back as
 * the errno of send() or recv() and not as a library's code.
 */
#define FN_NL_LEASES	300

struct fn_nl_arg {
	int sock;
	int family;
	__u32 seq;
	__u8 cmd;
	__u16 flags;
	unsigned char attrs[64];
	size_t attrs_len;
	/* What the answer held. */
	size_t replies;
	__u64 handles[FN_NL_LEASES + 8];
	__u64 value;			/* the first u64 attribute asked for */
	int value_attr;
	int nested;			/* value_attr is in the stats nest */
	int revoke_now;			/* lease-revoke with the now flag */
	/* The leases the requests are about, one page each. */
	int fd;
	char *p;
	__u64 h[FN_NL_LEASES];
	size_t nleases;
	long long base;
};

static union {
	struct nlmsghdr h;
	char bytes[1 << 16];
} fn_nl_buf;

static int fn_cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

static void fn_nl_socket(struct fn_nl_arg *a)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 10 };

	if (a->sock >= 0)
		close(a->sock);
	a->sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	ASSERT_GE(a->sock, 0);
	/* Bound now, not by the first send under fault injection. */
	ASSERT_EQ(bind(a->sock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	/* A lost answer would hang the walk: it is a failure instead. */
	ASSERT_EQ(setsockopt(a->sock, SOL_SOCKET, SO_RCVTIMEO, &tv,
			     sizeof(tv)), 0);
}

static void fn_nl_put(struct fn_nl_arg *a, int type, const void *v,
		      size_t len)
{
	struct nlattr *nla = (struct nlattr *)(a->attrs + a->attrs_len);

	nla->nla_type = (__u16)type;
	nla->nla_len = (__u16)(NLA_HDRLEN + len);
	memcpy((char *)nla + NLA_HDRLEN, v, len);
	a->attrs_len += NLA_ALIGN(nla->nla_len);
}

static void fn_nl_put_u64(struct fn_nl_arg *a, int type, __u64 v)
{
	fn_nl_put(a, type, &v, sizeof(v));
}

/* The u64 attribute @type among the attributes at @nla, or ~0. */
static __u64 fn_nl_find_u64(const struct nlattr *nla, int len, int type,
			    int nested)
{
	for (; len >= NLA_HDRLEN && nla->nla_len >= NLA_HDRLEN &&
	       nla->nla_len <= len;
	     len -= NLA_ALIGN(nla->nla_len),
	     nla = (const void *)((const char *)nla + NLA_ALIGN(nla->nla_len))) {
		int t = nla->nla_type & NLA_TYPE_MASK;
		__u64 v;

		if (nested && t == PINMGR_A_STATS)
			return fn_nl_find_u64((const void *)((const char *)nla +
							     NLA_HDRLEN),
					      nla->nla_len - NLA_HDRLEN, type,
					      0);
		if (!nested && t == type && nla->nla_len == NLA_HDRLEN + 8) {
			memcpy(&v, (const char *)nla + NLA_HDRLEN, sizeof(v));
			return v;
		}
	}
	return ~0ULL;
}

static void fn_nl_reply(struct fn_nl_arg *a, const struct nlmsghdr *h)
{
	const struct nlattr *attrs = (const void *)((const char *)NLMSG_DATA(h) +
						    GENL_HDRLEN);
	int len = (int)h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

	if (a->replies < ARRAY_SIZE(a->handles))
		a->handles[a->replies] = fn_nl_find_u64(attrs, len,
							PINMGR_A_HANDLE, 0);
	if (!a->replies)
		a->value = fn_nl_find_u64(attrs, len, a->value_attr,
					  a->nested);
	a->replies++;
}

/* One request and its whole answer: replies counted, or -1 and errno. */
static long fn_nl_call(void *arg)
{
	struct fn_nl_arg *a = arg;
	struct {
		struct nlmsghdr h;
		struct genlmsghdr g;
		unsigned char attrs[64];
	} req;
	struct nlmsghdr *h;
	ssize_t r;
	int len;

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN + a->attrs_len);
	req.h.nlmsg_type = (__u16)a->family;
	req.h.nlmsg_flags = NLM_F_REQUEST | a->flags;
	req.h.nlmsg_seq = ++a->seq;
	req.g.cmd = a->cmd;
	req.g.version = PINMGR_FAMILY_VERSION;
	memcpy(req.attrs, a->attrs, a->attrs_len);
	a->replies = 0;
	if (send(a->sock, &req, req.h.nlmsg_len, 0) < 0)
		return -1;
	for (;;) {
		r = recv(a->sock, &fn_nl_buf, sizeof(fn_nl_buf), 0);
		if (r < 0)
			return -1;
		len = (int)r;
		for (h = &fn_nl_buf.h; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != a->seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				if (!e->error)
					return (long)a->replies;
				errno = -e->error;
				return -1;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				int err = *(const int *)NLMSG_DATA(h);

				if (!err)
					return (long)a->replies;
				errno = -err;
				return -1;
			}
			fn_nl_reply(a, h);
			if (!(h->nlmsg_flags & NLM_F_MULTI) &&
			    !(a->flags & NLM_F_ACK))
				return (long)a->replies;
		}
	}
}

static void fn_nl_prepare(void *arg)
{
	fn_nl_socket(arg);
}

static void fn_nl_setup(struct fn_nl_arg *a)
{
	struct pm_nl *nl = pm_nl_open();

	ASSERT_NE(nl, NULL);
	a->family = pm_nl_family(nl);
	pm_nl_close(nl);
	a->sock = -1;
	a->fd = -1;
	a->p = pm_map_anon(4 * pm_page_size());
	ASSERT_NE(a->p, NULL);
	a->base = pm_outstanding_pins();
}

/* A new file with @n one-page leases. */
static void fn_nl_leases(struct fn_nl_arg *a, size_t n)
{
	if (a->fd >= 0)
		ASSERT_EQ(close(a->fd), 0);
	a->fd = pm_open();
	ASSERT_GE(a->fd, 0);
	a->nleases = n;
	if (n)
		pm_pin_many(a->fd, a->p, 4, n, 42, a->h);
}

static void fn_nl_teardown(struct fn_nl_arg *a)
{
	if (a->sock >= 0)
		close(a->sock);
	ASSERT_EQ(close(a->fd), 0);
	ASSERT_EQ(pm_outstanding_pins() - a->base, 0);
	pm_unmap(a->p, 4 * pm_page_size());
}

/* Reading changes nothing, and keeps no reference to a lease. */
static void fn_nl_read_failed(void *arg, int err)
{
	struct fn_nl_arg *a = arg;

	(void)err;
	fn_expect_usage(a->fd, a->nleases, a->nleases, a->base);
}

static void fn_nl_stats_succeeded(void *arg, long ret, int injected)
{
	struct fn_nl_arg *a = arg;

	(void)injected;
	ASSERT_EQ(ret, 1);
	ASSERT_EQ(a->value, a->nleases);	/* leases */
	fn_nl_read_failed(a, 0);
}

static void fn_nl_get_succeeded(void *arg, long ret, int injected)
{
	struct fn_nl_arg *a = arg;

	(void)injected;
	ASSERT_EQ(ret, 1);
	ASSERT_EQ(a->handles[0], a->h[1]);
	ASSERT_EQ(a->value, 1);		/* pages */
	fn_nl_read_failed(a, 0);
}

/* user-get of this process's user: what GET_INFO says of it. */
static void fn_nl_user_succeeded(void *arg, long ret, int injected)
{
	struct pinmgr_info info = { .size = sizeof(info) };
	struct fn_nl_arg *a = arg;

	(void)injected;
	ASSERT_EQ(ret, 1);
	ASSERT_EQ(ioctl(a->fd, PINMGR_IOC_GET_INFO, &info), 0);
	ASSERT_EQ(a->value, info.user_pinned_pages);
	ASSERT_GE(a->value, a->nleases);
	fn_nl_read_failed(a, 0);
}

static void fn_nl_dump_succeeded(void *arg, long ret, int injected)
{
	struct fn_nl_arg *a = arg;
	__u64 got[FN_NL_LEASES], want[FN_NL_LEASES];
	size_t i;

	(void)injected;
	ASSERT_EQ(ret, FN_NL_LEASES);
	memcpy(got, a->handles, sizeof(got));
	memcpy(want, a->h, sizeof(want));
	qsort(got, FN_NL_LEASES, sizeof(got[0]), fn_cmp_u64);
	qsort(want, FN_NL_LEASES, sizeof(want[0]), fn_cmp_u64);
	for (i = 0; i < FN_NL_LEASES; i++)
		ASSERT_EQ(got[i], want[i]);
	fn_nl_read_failed(a, 0);
}

static void fn_nl_read_body(void)
{
	static struct fn_nl_arg a;
	__u32 uid;
	struct fn_op op = {
		.arg = &a, .prepare = fn_nl_prepare, .call = fn_nl_call,
		.failed = fn_nl_read_failed,
	};

	fn_nl_setup(&a);
	fn_nl_leases(&a, 2);

	op.name = "netlink stats-get";
	op.succeeded = fn_nl_stats_succeeded;
	a.cmd = PINMGR_NL_CMD_STATS_GET;
	a.flags = 0;
	a.attrs_len = 0;
	a.value_attr = PINMGR_A_STATS_LEASES;
	a.nested = 1;
	fn_walk(&op);

	op.name = "netlink lease-get";
	op.succeeded = fn_nl_get_succeeded;
	a.cmd = PINMGR_NL_CMD_LEASE_GET;
	a.attrs_len = 0;
	fn_nl_put_u64(&a, PINMGR_A_HANDLE, a.h[1]);
	a.value_attr = PINMGR_A_PAGES;
	a.nested = 0;
	fn_walk(&op);

	op.name = "netlink user-get";
	op.succeeded = fn_nl_user_succeeded;
	a.cmd = PINMGR_NL_CMD_USER_GET;
	a.attrs_len = 0;
	uid = getuid();
	fn_nl_put(&a, PINMGR_A_UID, &uid, sizeof(uid));
	a.value_attr = PINMGR_A_LOCKED_VM_PAGES;
	fn_walk(&op);

	/* Many messages: a fault can strike any of them. */
	fn_nl_leases(&a, FN_NL_LEASES);
	op.name = "netlink lease-get dump of 300 leases";
	op.succeeded = fn_nl_dump_succeeded;
	a.cmd = PINMGR_NL_CMD_LEASE_GET;
	a.flags = NLM_F_DUMP;
	a.attrs_len = 0;
	fn_walk(&op);
	fn_nl_teardown(&a);
}

TEST_TIMEOUT(failnth_netlink_reads, 1200)
{
	fn_run("netlink_reads", fn_nl_read_body, 0);
}

/*
 * lease-revoke: a refused request changes nothing; one whose reply was
 * lost on the way back (the copy to user space, the ack) may have acted,
 * and then did so completely: a break with its deadline and the owner's
 * event, or the end at once.
 */
static void fn_nl_revoke_prepare(void *arg)
{
	struct fn_nl_arg *a = arg;

	fn_nl_socket(a);
	/* A new file each time: its event queue is made by the revocation. */
	fn_nl_leases(a, 1);
	a->attrs_len = 0;
	fn_nl_put_u64(a, PINMGR_A_HANDLE, a->h[0]);
	if (a->revoke_now) {
		struct nlattr *now = (struct nlattr *)(a->attrs + a->attrs_len);

		now->nla_type = PINMGR_A_NOW;
		now->nla_len = NLA_HDRLEN;
		a->attrs_len += NLA_HDRLEN;
	}
}

/* The lease is either untouched or revoked completely. */
static void fn_nl_revoke_check(struct fn_nl_arg *a, int must_have_acted)
{
	struct pinmgr_event ev;
	struct pinmgr_query q;
	int now = a->revoke_now;

	ASSERT_EQ(pm_query(a->fd, a->h[0], &q), 0);
	if (q.out_state == PINMGR_LEASE_ACTIVE && !must_have_acted) {
		ASSERT_EQ(q.out_break_deadline_ns, 0);
		ASSERT_EQ(pm_read_event(a->fd, &ev, 0), 0);
		ASSERT_EQ(pm_unpin(a->fd, a->h[0]), 0);
		return;
	}
	ASSERT_EQ(q.out_state, now ? PINMGR_LEASE_REVOKED :
		  PINMGR_LEASE_BREAKING);
	if (!now)
		ASSERT_NE(q.out_break_deadline_ns, 0);
	ASSERT_EQ(pm_read_event(a->fd, &ev, 5000), 1);
	ASSERT_EQ(ev.handle, a->h[0]);
	ASSERT_EQ(ev.type, now ? PINMGR_EVENT_REVOKED : PINMGR_EVENT_BREAKING);
	if (now)
		ASSERT_ERRNO(pm_unpin(a->fd, a->h[0]), EKEYREVOKED);
	else
		ASSERT_EQ(pm_unpin(a->fd, a->h[0]), 0);
}

static void fn_nl_revoke_failed(void *arg, int err)
{
	(void)err;
	fn_nl_revoke_check(arg, 0);
}

static void fn_nl_revoke_succeeded(void *arg, long ret, int injected)
{
	(void)injected;
	ASSERT_EQ(ret, 1);
	fn_nl_revoke_check(arg, 1);
}

static void fn_nl_revoke_body(void)
{
	static struct fn_nl_arg a;
	struct fn_op op = {
		.arg = &a, .prepare = fn_nl_revoke_prepare,
		.call = fn_nl_call, .failed = fn_nl_revoke_failed,
		.succeeded = fn_nl_revoke_succeeded,
	};

	/* An hour: no break runs out during the walk. */
	ASSERT_EQ(pm_param_write("break_time_ms", 3600000), 0);
	fn_nl_setup(&a);
	a.cmd = PINMGR_NL_CMD_LEASE_REVOKE;
	op.name = "netlink lease-revoke (break)";
	fn_walk(&op);
	op.name = "netlink lease-revoke now";
	a.revoke_now = 1;
	fn_walk(&op);
	fn_nl_teardown(&a);
}

TEST_TIMEOUT(failnth_netlink_revoke, 900)
{
	fn_run("netlink_revoke", fn_nl_revoke_body, 0);
}

/*
 * PIN with a monitor listener: an event that cannot be built never fails
 * the PIN; the listener gets it, or learns of the loss (ENOBUFS).
 */
struct fn_mon_arg {
	struct pm_nl *mon;
	int fd;
	char *p;
	long long base;
	struct pinmgr_pin pin;
};

static long fn_mon_call(void *arg)
{
	struct fn_mon_arg *a = arg;

	return pm_pin(a->fd, a->p, pm_page_size(), 0, 0, &a->pin);
}

/* The listener has @cmd of @handle next, or a loss. */
static void fn_mon_expect(struct fn_mon_arg *a, __u8 cmd, __u64 handle)
{
	struct pm_nl_lease ev;
	int r = pm_nl_event(a->mon, 5000, &ev);

	if (r == -ENOBUFS)
		return;
	if (r != 1)
		FAIL("waiting for event %u of %llu: %s", cmd,
		     (unsigned long long)handle, r ? strerror(-r) : "none");
	ASSERT_EQ(ev.cmd, cmd);
	ASSERT_EQ(ev.handle, handle);
}

static void fn_mon_failed(void *arg, int err)
{
	struct fn_mon_arg *a = arg;
	struct pm_nl_lease ev;
	int r;

	(void)err;
	fn_expect_usage(a->fd, 0, 0, a->base);
	/* No lease, so no event; at most a loss reported. */
	r = pm_nl_event(a->mon, PM_NL_EV_SOON_MS, &ev);
	if (r != -ENOBUFS && r != 0)
		FAIL("after a failed PIN, the listener got %s",
		     r > 0 ? "an event" : strerror(-r));
}

static void fn_mon_succeeded(void *arg, long ret, int injected)
{
	struct fn_mon_arg *a = arg;

	(void)injected;
	ASSERT_EQ(ret, 0);
	fn_expect_usage(a->fd, 1, 1, a->base);
	fn_mon_expect(a, PINMGR_NL_CMD_LEASE_PINNED_NTF, a->pin.out_handle);
	ASSERT_EQ(pm_unpin(a->fd, a->pin.out_handle), 0);
	fn_mon_expect(a, PINMGR_NL_CMD_LEASE_UNPINNED_NTF, a->pin.out_handle);
}

static void fn_mon_body(void)
{
	static struct fn_mon_arg a;
	struct fn_op op = {
		.name = "PIN with a monitor listener", .arg = &a,
		.call = fn_mon_call, .failed = fn_mon_failed,
		.succeeded = fn_mon_succeeded,
	};

	a.mon = pm_nl_open();
	ASSERT_NE(a.mon, NULL);
	pm_nl_monitor_or_skip(a.mon);
	a.fd = pm_open();
	ASSERT_GE(a.fd, 0);
	a.p = pm_map_anon(pm_page_size());
	ASSERT_NE(a.p, NULL);
	a.base = pm_outstanding_pins();
	fn_walk(&op);
	ASSERT_EQ(close(a.fd), 0);
	ASSERT_EQ(pm_outstanding_pins() - a.base, 0);
	pm_nl_close(a.mon);
}

TEST_TIMEOUT(failnth_pin_with_monitor_listener, 900)
{
	fn_run("pin_with_monitor", fn_mon_body, 0);
}

/* ---- Budgets ------------------------------------------------------------ */

/*
 * Budgets on five levels, so that the lease keeps the two beyond its
 * inline three in an array of their own: the walk fails every allocation
 * of a PIN through them, and a failed PIN charges none of them.
 */
#define FN_BUDGET_LEVELS	5

static const char *const fn_budget_levels[FN_BUDGET_LEVELS] = {
	"pmt-fnb", "pmt-fnb/1", "pmt-fnb/1/2", "pmt-fnb/1/2/3",
	"pmt-fnb/1/2/3/4",
};

struct fn_budget_arg {
	struct pm_nl *nl;
	struct pm_nl *mon;
	int fd;
	char *p;
	long long base;
	__u64 hits;
	struct pinmgr_pin pin;
};

/* Every level's budget is charged @pages pages. */
static void fn_budget_expect(struct fn_budget_arg *a, __u64 pages)
{
	struct pm_nl_budget *all;
	size_t nr, i, seen = 0;

	ASSERT_EQ(pm_nl_budgets(a->nl, &all, &nr), 0);
	for (i = 0; i < nr; i++) {
		if (strncmp(all[i].cgroup, "/pmt-fnb", 8))
			continue;
		ASSERT_EQ(all[i].usage, pages * pm_page_size());
		seen++;
	}
	free(all);
	ASSERT_EQ(seen, FN_BUDGET_LEVELS);
}

static void fn_budget_setup(struct fn_budget_arg *a, __u64 innermost)
{
	char path[64];
	int i;

	a->nl = pm_nl_open();
	ASSERT_NE(a->nl, NULL);
	for (i = 0; i < FN_BUDGET_LEVELS; i++) {
		pm_cgroup_make(fn_budget_levels[i]);
		snprintf(path, sizeof(path), "/%s", fn_budget_levels[i]);
		ASSERT_EQ(pm_nl_budget_set(a->nl, path,
					   i == FN_BUDGET_LEVELS - 1 ?
					   innermost : 64 * MiB, 0, NULL), 0);
	}
	pm_cgroup_enter(fn_budget_levels[FN_BUDGET_LEVELS - 1]);
	a->fd = pm_open();
	ASSERT_GE(a->fd, 0);
	a->p = pm_map_anon(2 * pm_page_size());
	ASSERT_NE(a->p, NULL);
	a->base = pm_outstanding_pins();
}

/* After the walk's child is gone: no budget, no cgroup left. */
static void fn_budget_cleanup(void)
{
	struct pm_nl *nl = pm_nl_open();
	char path[64];
	int i;

	ASSERT_NE(nl, NULL);
	for (i = FN_BUDGET_LEVELS - 1; i >= 0; i--) {
		snprintf(path, sizeof(path), "/%s", fn_budget_levels[i]);
		pm_nl_budget_clear(nl, path);
		snprintf(path, sizeof(path), PM_CGROUP_ROOT "/%s",
			 fn_budget_levels[i]);
		rmdir(path);
	}
	pm_nl_close(nl);
}

static void fn_budget_need(void)
{
	pm_need_cgroup2();
	if (!pm_feature(PINMGR_FEATURE_BUDGETS))
		pm_skip_feature(PINMGR_FEATURE_BUDGETS, "budgets");
}

static long fn_budget_pin_call(void *arg)
{
	struct fn_budget_arg *a = arg;

	return pm_pin(a->fd, a->p, pm_page_size(), 0, 0, &a->pin);
}

static void fn_budget_pin_failed(void *arg, int err)
{
	struct fn_budget_arg *a = arg;

	(void)err;
	fn_expect_usage(a->fd, 0, 0, a->base);
	fn_budget_expect(a, 0);
}

static void fn_budget_pin_succeeded(void *arg, long ret, int injected)
{
	struct fn_budget_arg *a = arg;

	(void)injected;
	ASSERT_EQ(ret, 0);
	fn_expect_usage(a->fd, 1, 1, a->base);
	fn_budget_expect(a, 1);
	ASSERT_EQ(pm_unpin(a->fd, a->pin.out_handle), 0);
	fn_budget_expect(a, 0);
}

static void fn_budget_pin_body(void)
{
	static struct fn_budget_arg a;
	struct fn_op op = {
		.name = "PIN through 5 budgeted cgroups", .arg = &a,
		.call = fn_budget_pin_call, .failed = fn_budget_pin_failed,
		.succeeded = fn_budget_pin_succeeded,
	};

	fn_budget_setup(&a, 64 * MiB);
	fn_walk(&op);
	ASSERT_EQ(close(a.fd), 0);
	ASSERT_EQ(pm_outstanding_pins() - a.base, 0);
	pm_cgroup_enter("");
	pm_nl_close(a.nl);
}

TEST_TIMEOUT(failnth_pin_budgeted, 900)
{
	fn_budget_need();
	fn_run("pin_budgeted", fn_budget_pin_body, 0);
	fn_budget_cleanup();
}

TEST_TIMEOUT(failnth_sticky_pin_budgeted, 900)
{
	fn_budget_need();
	fn_run("pin_budgeted", fn_budget_pin_body, 1);
	fn_budget_cleanup();
}

/*
 * A PIN over a budget, with a monitor listening: the refusal is EXFULL
 * whatever allocation fails on the way to telling the listener, which
 * gets the budget-hit event or learns of its loss; the budget counts the
 * hit and is charged nothing. The call returns 0 for the expected EXFULL.
 */
static long fn_budget_hit_call(void *arg)
{
	struct fn_budget_arg *a = arg;
	long r = pm_pin(a->fd, a->p, 2 * pm_page_size(), 0, 0, &a->pin);

	if (r == -1 && errno == EXFULL)
		return 0;
	return r == 0 ? 1 : r;
}

/* Nothing pinned or charged, and the innermost budget's hits as counted. */
static void fn_budget_expect_refused(struct fn_budget_arg *a)
{
	struct pm_nl_budget *all;
	size_t nr, i;

	fn_expect_usage(a->fd, 0, 0, a->base);
	fn_budget_expect(a, 0);
	ASSERT_EQ(pm_nl_budgets(a->nl, &all, &nr), 0);
	for (i = 0; i < nr; i++)
		if (!strcmp(all[i].cgroup, "/pmt-fnb/1/2/3/4"))
			ASSERT_EQ(all[i].hits, a->hits);
	free(all);
}

/* Failed before the budget was reached (the request's copy): no hit. */
static void fn_budget_hit_failed(void *arg, int err)
{
	struct fn_budget_arg *a = arg;
	struct pm_nl_lease ev;
	int r;

	(void)err;
	fn_budget_expect_refused(a);
	r = pm_nl_event(a->mon, PM_NL_EV_SOON_MS, &ev);
	if (r != -ENOBUFS && r != 0)
		FAIL("after a PIN that failed before its budget, the listener got %s",
		     r > 0 ? "an event" : strerror(-r));
}

static void fn_budget_hit_succeeded(void *arg, long ret, int injected)
{
	struct fn_budget_arg *a = arg;
	struct pm_nl_lease ev;
	int r;

	(void)injected;
	ASSERT_EQ(ret, 0);
	a->hits++;
	fn_budget_expect_refused(a);
	r = pm_nl_event(a->mon, 5000, &ev);
	if (r == -ENOBUFS)
		return;
	ASSERT_EQ(r, 1);
	ASSERT_EQ(ev.cmd, PINMGR_NL_CMD_BUDGET_HIT_NTF);
	ASSERT_EQ(strcmp(ev.budget.cgroup, "/pmt-fnb/1/2/3/4"), 0);
	ASSERT_EQ(ev.budget.hits, a->hits);
	ASSERT_EQ(ev.pages, 2);
}

static void fn_budget_hit_body(void)
{
	static struct fn_budget_arg a;
	struct fn_op op = {
		.name = "PIN over a budget, with a monitor listener", .arg = &a,
		.call = fn_budget_hit_call, .failed = fn_budget_hit_failed,
		.succeeded = fn_budget_hit_succeeded,
	};

	a.mon = pm_nl_open();
	ASSERT_NE(a.mon, NULL);
	pm_nl_monitor_or_skip(a.mon);
	fn_budget_setup(&a, pm_page_size());
	fn_walk(&op);
	ASSERT_EQ(close(a.fd), 0);
	pm_cgroup_enter("");
	pm_nl_close(a.mon);
	pm_nl_close(a.nl);
}

TEST_TIMEOUT(failnth_budget_hit_with_monitor_listener, 900)
{
	fn_budget_need();
	fn_run("budget_hit", fn_budget_hit_body, 0);
	fn_budget_cleanup();
}

/*
 * budget-set: a refused request sets nothing; one whose reply was lost on
 * the way back may have acted, and then completely.
 */
static void fn_nl_put_budget(struct fn_nl_arg *a, const char *cgroup,
			     __u64 limit)
{
	struct nlattr *nest = (struct nlattr *)(a->attrs + a->attrs_len);
	struct nlattr *str;
	size_t len = strlen(cgroup) + 1;

	nest->nla_type = PINMGR_A_BUDGET | NLA_F_NESTED;
	a->attrs_len += NLA_HDRLEN;
	str = (struct nlattr *)(a->attrs + a->attrs_len);
	str->nla_type = PINMGR_A_BUDGET_CGROUP;
	str->nla_len = (__u16)(NLA_HDRLEN + len);
	memcpy((char *)str + NLA_HDRLEN, cgroup, len);
	a->attrs_len += NLA_ALIGN(str->nla_len);
	fn_nl_put_u64(a, PINMGR_A_BUDGET_LIMIT, limit);
	nest->nla_len = (__u16)((unsigned char *)(a->attrs + a->attrs_len) -
				(unsigned char *)nest);
}

static void fn_nl_budget_prepare(void *arg)
{
	struct fn_nl_arg *a = arg;
	struct pm_nl *nl = pm_nl_open();

	ASSERT_NE(nl, NULL);
	pm_nl_budget_clear(nl, "/pmt-fns");
	pm_nl_close(nl);
	fn_nl_socket(a);
	a->attrs_len = 0;
	fn_nl_put_budget(a, "/pmt-fns", 32 * pm_page_size());
}

/* The budget of /pmt-fns: none, or exactly the one asked for. */
static void fn_nl_budget_check(int must_have_acted)
{
	struct pm_nl *nl = pm_nl_open();
	struct pm_nl_budget *all;
	size_t nr, i, found = 0;

	ASSERT_NE(nl, NULL);
	ASSERT_EQ(pm_nl_budgets(nl, &all, &nr), 0);
	for (i = 0; i < nr; i++) {
		if (strcmp(all[i].cgroup, "/pmt-fns"))
			continue;
		ASSERT_EQ(all[i].limit, 32 * pm_page_size());
		ASSERT_EQ(all[i].usage, 0);
		found++;
	}
	free(all);
	pm_nl_close(nl);
	ASSERT_LE(found, 1);
	if (must_have_acted)
		ASSERT_EQ(found, 1);
}

static void fn_nl_budget_failed(void *arg, int err)
{
	(void)arg;
	(void)err;
	fn_nl_budget_check(0);
}

static void fn_nl_budget_succeeded(void *arg, long ret, int injected)
{
	(void)arg;
	(void)injected;
	ASSERT_EQ(ret, 1);
	fn_nl_budget_check(1);
}

static void fn_nl_budget_body(void)
{
	static struct fn_nl_arg a;
	struct fn_op op = {
		.name = "netlink budget-set", .arg = &a,
		.prepare = fn_nl_budget_prepare, .call = fn_nl_call,
		.failed = fn_nl_budget_failed,
		.succeeded = fn_nl_budget_succeeded,
	};

	fn_nl_setup(&a);
	a.cmd = PINMGR_NL_CMD_BUDGET_SET;
	a.flags = NLM_F_ACK;
	fn_walk(&op);
	if (a.sock >= 0)
		close(a.sock);
	pm_unmap(a.p, 4 * pm_page_size());
}

TEST_TIMEOUT(failnth_netlink_budget_set, 900)
{
	struct pm_nl *nl;

	fn_budget_need();
	pm_cgroup_make("pmt-fns");
	fn_run("netlink_budget_set", fn_nl_budget_body, 0);
	nl = pm_nl_open();
	ASSERT_NE(nl, NULL);
	pm_nl_budget_clear(nl, "/pmt-fns");
	pm_nl_close(nl);
	pm_cgroup_remove("pmt-fns");
}

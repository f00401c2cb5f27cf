// SPDX-License-Identifier: GPL-2.0-only
/*
 * The test runner and the helpers tests share. See harness.h.
 *
 * Each test runs in a forked child that leads its own process group; the
 * runner is a child subreaper, so whatever the test forks comes back to it
 * and is killed and reaped before the invariants are checked.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <linux/capability.h>

#include "harness.h"

#define PM_PARAM_DIR	"/sys/module/pinmgr/parameters/"
#define PM_SYSFS_DIR	"/sys/class/misc/pinmgr/"
#define PM_THP_SIZE	(2UL << 20)
#define PM_REASON_LEN	512
#define PM_NEEDS_LEN	128

static struct pm_test *pm_tests;
static unsigned int pm_nr_tests;

/*
 * Shared with the test child and whatever it forks: the reason of a SKIP,
 * and the capabilities the test declared it needs (pm_require()).
 */
struct pm_shared {
	char reason[PM_REASON_LEN];
	char needs[PM_NEEDS_LEN];
	int by_feature;		/* skipped by pm_skip_feature() */
};
static struct pm_shared *pm_shared;

void pm_register(struct pm_test *test)
{
	test->next = pm_tests;
	pm_tests = test;
	pm_nr_tests++;
}

/* ---- Output ---------------------------------------------------------- */

static void pm_vdiag(const char *fmt, va_list ap)
{
	char buf[1024];
	size_t len;
	int n;

	memcpy(buf, "# ", 2);
	n = vsnprintf(buf + 2, sizeof(buf) - 3, fmt, ap);
	if (n < 0)
		n = 0;
	len = 2 + ((size_t)n < sizeof(buf) - 3 ? (size_t)n : sizeof(buf) - 4);
	buf[len++] = '\n';
	/* One write() per line: tests print from several processes. */
	fflush(stdout);
	if (write(STDOUT_FILENO, buf, len) < 0)
		return;
}

void pm_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pm_vdiag(fmt, ap);
	va_end(ap);
}

static const char *pm_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static __attribute__((noreturn)) void pm_exit(int status)
{
	fflush(stdout);
	_exit(status);
}

static void pm_fmt_val(char *buf, size_t len, int is_signed,
		       unsigned long long v)
{
	if (is_signed)
		snprintf(buf, len, "%lld", (long long)v);
	else if (v > 0xffff)
		snprintf(buf, len, "%llu (0x%llx)", v, v);
	else
		snprintf(buf, len, "%llu", v);
}

void pm_fail_cmp(const char *file, int line, const char *expr,
		 const char *op, int a_signed, unsigned long long a,
		 int b_signed, unsigned long long b)
{
	const char *rel = strcmp(op, "==") ? op : "";
	char av[96], bv[64];
	int err = errno;

	pm_fmt_val(av, sizeof(av), a_signed, a);
	pm_fmt_val(bv, sizeof(bv), b_signed, b);
	/* A system call that failed: say why. */
	if (a_signed && (long long)a == -1 && err)
		snprintf(av + strlen(av), sizeof(av) - strlen(av), " (%s)",
			 strerrorname_np(err) ?: "?");
	pm_diag("%s:%d: %s expected %s%s%s got %s", pm_basename(file), line,
		expr, rel, *rel ? " " : "", bv, av);
	pm_exit(PM_EXIT_FAIL);
}

void pm_fail_errno(const char *file, int line, const char *expr, int want,
		   long long ret, int got)
{
	pm_diag("%s:%d: %s expected -1/%s got %lld/%s", pm_basename(file),
		line, expr, strerrorname_np(want) ?: "?", ret,
		got ? (strerrorname_np(got) ?: "?") : "0");
	pm_exit(PM_EXIT_FAIL);
}

void pm_fail_msg(const char *file, int line, const char *fmt, ...)
{
	char buf[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pm_diag("%s:%d: %s", pm_basename(file), line, buf);
	pm_exit(PM_EXIT_FAIL);
}

void pm_skip(const char *fmt, ...)
{
	va_list ap;

	if (pm_shared) {
		va_start(ap, fmt);
		vsnprintf(pm_shared->reason, PM_REASON_LEN, fmt, ap);
		va_end(ap);
	}
	pm_exit(PM_EXIT_SKIP);
}

/* ---- Capabilities the machine was set up for ------------------------- */

static const char *const pm_caps[] = { PM_CAPS };

static int pm_known_cap(const char *cap, size_t len)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pm_caps); i++)
		if (strlen(pm_caps[i]) == len && !strncmp(pm_caps[i], cap, len))
			return 1;
	return 0;
}

/* Is @cap (@len bytes) a word of @list (words split by spaces or commas)? */
static int pm_in_list(const char *list, const char *cap, size_t len)
{
	const char *w = list;
	size_t n;

	while (w && *w) {
		w += strspn(w, " ,\t\n");
		n = strcspn(w, " ,\t\n");
		if (n && n == len && !strncmp(w, cap, len))
			return 1;
		w += n;
	}
	return 0;
}

int pm_required(const char *cap)
{
	return pm_in_list(getenv("PINMGR_REQUIRE"), cap, strlen(cap));
}

void pm_require(const char *cap)
{
	size_t len = strlen(cap), used;

	if (!pm_known_cap(cap, len))
		FAIL("unknown capability \"%s\" (not one of PM_CAPS)", cap);
	if (!pm_shared || pm_in_list(pm_shared->needs, cap, len))
		return;
	used = strlen(pm_shared->needs);
	if (used + len + 2 > PM_NEEDS_LEN)
		FAIL("no room for capability \"%s\"", cap);
	snprintf(pm_shared->needs + used, PM_NEEDS_LEN - used, " %s", cap);
}

/*
 * The first capability that @t needs and the machine declares, or NULL: by
 * its name, or by what it declared while it ran.
 */
static const char *pm_required_need(const struct pm_test *t)
{
	unsigned int i;
	size_t len;

	for (i = 0; i < ARRAY_SIZE(pm_caps); i++) {
		len = strlen(pm_caps[i]);
		if (!pm_required(pm_caps[i]))
			continue;
		if ((!strncmp(t->name, pm_caps[i], len) && t->name[len] == '_') ||
		    pm_in_list(pm_shared->needs, pm_caps[i], len))
			return pm_caps[i];
	}
	return NULL;
}

/* Every word of PINMGR_REQUIRE is a known capability; 0 if so. */
static int pm_check_required(void)
{
	const char *w = getenv("PINMGR_REQUIRE");
	size_t n;

	while (w && *w) {
		w += strspn(w, " ,\t\n");
		n = strcspn(w, " ,\t\n");
		if (n && !pm_known_cap(w, n)) {
			/* A misspelt word would quietly require nothing. */
			printf("Bail out! PINMGR_REQUIRE: unknown capability \"%.*s\"\n",
			       (int)n, w);
			return -1;
		}
		w += n;
	}
	return 0;
}

/* ---- Small helpers --------------------------------------------------- */

size_t pm_page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

int pm_stay_on_one_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return -1;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

void pm_msleep(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static double pm_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int pm_wait(pid_t pid)
{
	int status;
	pid_t r;

	do {
		r = waitpid(pid, &status, 0);
	} while (r < 0 && errno == EINTR);
	if (r != pid)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

int pm_in_new_pid_namespace(void (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		pid_t inner;

		/* The caller's next child is the namespace's first process. */
		if (unshare(CLONE_NEWPID))
			_exit(126);
		inner = fork();
		if (inner < 0)
			_exit(126);
		if (inner == 0) {
			fn(arg);
			_exit(0);
		}
		_exit(pm_wait(inner));
	}
	return pm_wait(pid);
}

/* ---- Device ---------------------------------------------------------- */

int pm_open(void)
{
	return open(PINMGR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
}

int pm_get_info(int fd, struct pinmgr_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return ioctl(fd, PINMGR_IOC_GET_INFO, info);
}

void pm_skip_feature(__u64 bit, const char *what)
{
	if (pm_feature(bit))
		FAIL("GET_INFO reports %s, but the test found it missing", what);
	if (pm_shared)
		pm_shared->by_feature = 1;
	pm_skip("%s: not on this kernel (GET_INFO's feature bits)", what);
}

int pm_feature(__u64 bit)
{
	struct pinmgr_info info;
	int fd = pm_open();

	if (fd < 0 || pm_get_info(fd, &info))
		FAIL("GET_INFO, to learn the driver's features: %s", strerror(errno));
	close(fd);
	return !!(info.features & bit);
}

int pm_pin(int fd, const void *addr, size_t len, __u32 flags, __u64 cookie,
	   struct pinmgr_pin *out)
{
	struct pinmgr_pin local, *p = out ? out : &local;

	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	p->flags = flags;
	p->addr = (__u64)(uintptr_t)addr;
	p->length = len;
	p->cookie = cookie;
	return ioctl(fd, PINMGR_IOC_PIN, p);
}

int pm_pin_vec(int fd, void *ranges, __u32 nr, __u32 range_size,
	       struct pinmgr_pin_vec *out)
{
	struct pinmgr_pin_vec local, *v = out ? out : &local;

	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v);
	v->ranges = (__u64)(uintptr_t)ranges;
	v->nr_ranges = nr;
	v->range_size = range_size;
	return ioctl(fd, PINMGR_IOC_PIN_VEC, v);
}

void pm_pin_many(int fd, void *buf, size_t buf_pages, size_t n, __u64 cookie,
		 __u64 *handles)
{
	size_t ps = pm_page_size(), done, i, batch;
	struct pinmgr_pin_range *r;

	r = calloc(PINMGR_PIN_VEC_MAX, sizeof(*r));
	ASSERT_NE(r, NULL);
	for (done = 0; done < n; done += batch) {
		batch = n - done < PINMGR_PIN_VEC_MAX ? n - done :
			PINMGR_PIN_VEC_MAX;
		memset(r, 0, batch * sizeof(*r));
		for (i = 0; i < batch; i++) {
			r[i].addr = (__u64)(uintptr_t)buf +
				    (done + i) % buf_pages * ps;
			r[i].length = ps;
			r[i].cookie = cookie;
		}
		ASSERT_EQ(pm_pin_vec(fd, r, (__u32)batch, sizeof(*r), NULL), 0);
		for (i = 0; i < batch; i++)
			handles[done + i] = r[i].out_handle;
	}
	free(r);
}

static void pm_churn(atomic_int *stop, unsigned int seed, unsigned int max,
		     unsigned int reopen, int revoke, __u64 cookie)
{
	size_t ps = pm_page_size();
	char *buf = pm_map_anon(8 * ps);
	__u64 *h = calloc(max, sizeof(*h));
	unsigned int round, i, n;
	struct pinmgr_pin pin;
	int fd = pm_open();

	ASSERT_NE(buf, NULL);
	ASSERT_NE(h, NULL);
	ASSERT_GE(fd, 0);
	for (round = 0; !atomic_load(stop); round++) {
		n = 1 + (seed + round) % max;
		pm_pin_many(fd, buf, 8, n, cookie, h);
		ASSERT_EQ(pm_pin_for(fd, buf, ps, 0, PM_MS, &pin), 0);
		/* A break that the unpin below ends in time. */
		if (revoke)
			ASSERT_EQ(pm_revoke(fd, h[0], 0, NULL), 0);
		for (i = 0; i < n; i++)
			ASSERT_EQ(pm_unpin(fd, h[i]), 0);
		if (round % reopen == reopen - 1) {
			close(fd);
			fd = pm_open();
			ASSERT_GE(fd, 0);
		}
	}
	close(fd);
	free(h);
	pm_unmap(buf, 8 * ps);
}

void pm_churn_start(struct pm_churn *c, unsigned int step, unsigned int max,
		    unsigned int reopen, int revoke, __u64 cookie)
{
	unsigned int k;

	c->stop = mmap(NULL, sizeof(*c->stop), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(c->stop, MAP_FAILED);
	atomic_store(c->stop, 0);
	for (k = 0; k < 2; k++) {
		c->pids[k] = fork();
		ASSERT_GE(c->pids[k], 0);
		if (c->pids[k] == 0) {
			pm_churn(c->stop, k * step, max, reopen, revoke, cookie);
			_exit(0);
		}
	}
}

void pm_churn_stop(struct pm_churn *c)
{
	unsigned int k;

	atomic_store(c->stop, 1);
	for (k = 0; k < 2; k++)
		ASSERT_EQ(pm_wait(c->pids[k]), 0);
	munmap(c->stop, sizeof(*c->stop));
}

long long pm_fdinfo_value(int fd, const char *key)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = strtoll(line + klen + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

int pm_pin_for(int fd, const void *addr, size_t len, __u32 flags,
	       __u64 duration_ns, struct pinmgr_pin *out)
{
	struct pinmgr_pin local, *p = out ? out : &local;

	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	p->flags = flags;
	p->addr = (__u64)(uintptr_t)addr;
	p->length = len;
	p->duration_ns = duration_ns;
	return ioctl(fd, PINMGR_IOC_PIN, p);
}

int pm_renew(int fd, __u64 handle, __u64 duration_ns)
{
	struct pinmgr_renew r = {
		.size = sizeof(r),
		.handle = handle,
		.duration_ns = duration_ns,
	};

	return ioctl(fd, PINMGR_IOC_RENEW, &r);
}

int pm_revoke(int fd, __u64 handle, __u32 flags, __u64 *deadline_ns)
{
	struct pinmgr_revoke r = {
		.size = sizeof(r),
		.flags = flags,
		.handle = handle,
	};
	int ret = ioctl(fd, PINMGR_IOC_REVOKE, &r);

	if (!ret && deadline_ns)
		*deadline_ns = r.out_deadline_ns;
	return ret;
}

int pm_read_event(int fd, struct pinmgr_event *ev, unsigned int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int r;

	r = poll(&pfd, 1, (int)timeout_ms);
	if (r < 0)
		return -1;
	if (r == 0)
		return 0;
	n = read(fd, ev, sizeof(*ev));
	if (n < 0)
		return -1;
	if (n != sizeof(*ev)) {
		errno = EPROTO;
		return -1;
	}
	return 1;
}

void pm_expect_event(int fd, __u16 type, __u64 handle,
		     unsigned int timeout_ms, struct pinmgr_event *ev)
{
	__u64 end = pm_monotonic_ns() + timeout_ms * PM_MS, now;
	int r;

	for (;;) {
		now = pm_monotonic_ns();
		if (now >= end)
			FAIL("no event %u of handle %llu within %u ms", type,
			     (unsigned long long)handle, timeout_ms);
		r = pm_read_event(fd, ev, (unsigned int)((end - now) / PM_MS) + 1);
		if (r < 0)
			FAIL("reading events: %s", strerror(errno));
		if (r == 1 && ev->type == type && ev->handle == handle)
			return;
	}
}

static __u64 pm_clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

__u64 pm_realtime_ns(void)
{
	return pm_clock_ns(CLOCK_REALTIME);
}

__u64 pm_monotonic_ns(void)
{
	return pm_clock_ns(CLOCK_MONOTONIC);
}

__u64 pm_boottime_ns(void)
{
	return pm_clock_ns(CLOCK_BOOTTIME);
}

int pm_unpin(int fd, __u64 handle)
{
	struct pinmgr_unpin u = {
		.size = sizeof(u),
		.handle = handle,
	};

	return ioctl(fd, PINMGR_IOC_UNPIN, &u);
}

int pm_query(int fd, __u64 handle, struct pinmgr_query *q)
{
	memset(q, 0, sizeof(*q));
	q->size = sizeof(*q);
	q->handle = handle;
	return ioctl(fd, PINMGR_IOC_QUERY, q);
}

int pm_export(int fd, __u64 handle)
{
	struct pinmgr_export e = { .size = sizeof(e), .handle = handle };

	return ioctl(fd, PINMGR_IOC_EXPORT, &e) < 0 ? -1 : e.out_fd;
}

int pm_list(int fd, __u64 *handles, __u32 nr_handles, struct pinmgr_list *out)
{
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->handles = (__u64)(uintptr_t)handles;
	out->nr_handles = nr_handles;
	return ioctl(fd, PINMGR_IOC_LIST, out);
}

/* ---- Counters -------------------------------------------------------- */

void pm_vmstat_refresh(void)
{
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	/* Folds every CPU's pending deltas into the global counters. */
	if (write(fd, "1\n", 2) < 0) {
		/* Not root: the counters may lag by a per-CPU threshold. */
	}
	close(fd);
}

/* The number after "@key" (followed by @sep) on a line of @path. */
static long long pm_read_keyed(const char *path, const char *key)
{
	size_t klen = strlen(key);
	long long val = -1;
	char line[256];
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen))
			continue;
		if (sscanf(line + klen, "%lld", &val) != 1)
			val = -1;
		break;
	}
	fclose(f);
	return val;
}

long long pm_vmstat(const char *name)
{
	char key[128];

	snprintf(key, sizeof(key), "%s ", name);
	return pm_read_keyed("/proc/vmstat", key);
}

long long pm_outstanding_pins(void)
{
	long long acq, rel;

	pm_vmstat_refresh();
	acq = pm_vmstat("nr_foll_pin_acquired");
	rel = pm_vmstat("nr_foll_pin_released");
	if (acq < 0 || rel < 0)
		return -1;
	return acq - rel;
}

/*
 * Pages whose last hold went in a dma-buf's release or a notifier's work
 * are let go in the driver's workqueue: a moment after the call that
 * started it. Return: the outstanding pins when they reached @want, or
 * after 5 s.
 */
long long pm_await_outstanding_pins(long long want)
{
	long long now = pm_outstanding_pins();
	int i;

	for (i = 0; i < 500 && now != want; i++) {
		pm_msleep(10);
		now = pm_outstanding_pins();
	}
	return now;
}

void pm_need_cgroup2(void)
{
	if (access(PM_CGROUP_ROOT "/cgroup.controllers", F_OK))
		SKIP_NEEDS("cgroup2", "cgroup2 is not mounted at " PM_CGROUP_ROOT);
}

__u64 pm_cgroup_make(const char *rel)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), PM_CGROUP_ROOT "/%s", rel);
	rmdir(path);
	if (mkdir(path, 0755) || stat(path, &st))
		FAIL("cannot make cgroup %s: %s", path, strerror(errno));
	return st.st_ino;
}

void pm_cgroup_remove(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), PM_CGROUP_ROOT "/%s", rel);
	if (rmdir(path))
		FAIL("cannot remove cgroup %s: %s", path, strerror(errno));
}

void pm_cgroup_enter(const char *rel)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), PM_CGROUP_ROOT "/%s%scgroup.procs", rel,
		 *rel ? "/" : "");
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "0", 1) != 1)
		FAIL("cannot enter cgroup %s: %s", path, strerror(errno));
	close(fd);
}

long long pm_vmpin_kb(void)
{
	return pm_read_keyed("/proc/self/status", "VmPin:");
}

long long pm_anon_huge_kb(void)
{
	return pm_read_keyed("/proc/self/smaps_rollup", "AnonHugePages:");
}

long long pm_anon_huge_kb_at(const void *addr)
{
	unsigned long start, end, a = (unsigned long)addr;
	long long val = -1;
	char line[512];
	int inside = 0;
	FILE *f;

	f = fopen("/proc/self/smaps", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		/* A mapping's first line is "start-end perms ..."; no key is. */
		if (sscanf(line, "%lx-%lx", &start, &end) == 2) {
			inside = a >= start && a < end;
			continue;
		}
		if (inside && sscanf(line, "AnonHugePages: %lld", &val) == 1)
			break;
	}
	fclose(f);
	return val;
}

/* ---- Module parameters ----------------------------------------------- */

static int pm_read_u64_file(const char *path, unsigned long long *val)
{
	char buf[64];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "%llu", val) != 1) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int pm_param_read(const char *name, unsigned long long *val)
{
	char path[256];

	snprintf(path, sizeof(path), PM_PARAM_DIR "%s", name);
	return pm_read_u64_file(path, val);
}

int pm_sysfs_read(const char *name, unsigned long long *val)
{
	char path[256];

	snprintf(path, sizeof(path), PM_SYSFS_DIR "%s", name);
	return pm_read_u64_file(path, val);
}

int pm_param_write(const char *name, unsigned long long val)
{
	char path[256], buf[32];
	int fd, len, saved;
	ssize_t n;

	snprintf(path, sizeof(path), PM_PARAM_DIR "%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = snprintf(buf, sizeof(buf), "%llu\n", val);
	n = write(fd, buf, len);
	saved = errno;
	close(fd);
	errno = saved;
	return n == len ? 0 : -1;
}

/* ---- Privileges ------------------------------------------------------ */

static int pm_capget(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};

	return syscall(SYS_capget, &hdr, data);
}

int pm_have_cap(int cap)
{
	struct __user_cap_data_struct data[2];

	if (pm_capget(data))
		return 0;
	return !!(data[CAP_TO_INDEX(cap)].effective & CAP_TO_MASK(cap));
}

int pm_drop_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	int i = CAP_TO_INDEX(cap);
	__u32 mask = CAP_TO_MASK(cap);

	/* The bounding set first: that needs CAP_SETPCAP, which we keep. */
	if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
		return -1;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) &&
	    errno != EINVAL)
		return -1;
	if (pm_capget(data))
		return -1;
	data[i].effective &= ~mask;
	data[i].permitted &= ~mask;
	data[i].inheritable &= ~mask;
	if (syscall(SYS_capset, &hdr, data))
		return -1;
	if (pm_have_cap(cap)) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

int pm_become_nobody(void)
{
	if (setgroups(0, NULL) || setgid(PM_NOBODY) || setuid(PM_NOBODY))
		return -1;
	if (getuid() != PM_NOBODY || geteuid() != PM_NOBODY) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* ---- Passing files --------------------------------------------------- */

int pm_send_fd(int sock, int fd, __u64 val)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &val, .iov_len = sizeof(val) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == sizeof(val) ? 0 : -1;
}

int pm_recv_fd(int sock, __u64 *val)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = val, .iov_len = sizeof(*val) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != sizeof(*val))
		return -1;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_level != SOL_SOCKET ||
	    cmsg->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

/* ---- Memory ---------------------------------------------------------- */

static void pm_touch(void *addr, size_t len)
{
	size_t ps = pm_page_size(), off;

	/* A write gives every page its own frame, never the zero page. */
	for (off = 0; off < len; off += ps)
		((volatile char *)addr)[off] = (char)(1 + (off / ps) % 251);
}

void *pm_map_anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	pm_touch(p, len);
	return p;
}

void *pm_map_thp_untouched(size_t len)
{
	size_t full = len + PM_THP_SIZE;
	uintptr_t start, aligned;
	char *p;

	p = mmap(NULL, full, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	start = (uintptr_t)p;
	aligned = (start + PM_THP_SIZE - 1) & ~(uintptr_t)(PM_THP_SIZE - 1);
	/* Trim to exactly [aligned, aligned + len). */
	if (aligned > start)
		munmap(p, aligned - start);
	if (start + full > aligned + len)
		munmap((void *)(aligned + len), start + full - (aligned + len));
	if (madvise((void *)aligned, len, MADV_HUGEPAGE)) {
		/* No THP support: a plain mapping still works. */
	}
	return (void *)aligned;
}

void *pm_map_thp(size_t len)
{
	char *p = pm_map_thp_untouched(len);

	if (p)
		pm_touch(p, len);
	return p;
}

void pm_unmap(void *addr, size_t len)
{
	if (addr)
		munmap(addr, len);
}

/* ---- Data through pins ------------------------------------------------ */

int pm_kver(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return 0;
	return PM_KV(major, minor);
}

unsigned char pm_pattern_byte(size_t i, unsigned int seed)
{
	uint32_t x = (uint32_t)i * 2654435761u + seed * 40503u + 0x9e37u;

	x ^= x >> 15;
	x *= 0x2c1b3c6dU;
	x ^= x >> 12;
	return (unsigned char)x;
}

void pm_fill(void *p, size_t len, size_t base, unsigned int seed)
{
	unsigned char *c = p;
	size_t i;

	for (i = 0; i < len; i++)
		c[i] = pm_pattern_byte(base + i, seed);
}

size_t pm_memdiff(const void *a, const void *b, size_t len)
{
	const unsigned char *x = a, *y = b;
	size_t i;

	if (!memcmp(a, b, len))
		return (size_t)-1;
	for (i = 0; i < len; i++)
		if (x[i] != y[i])
			return i;
	return (size_t)-1;
}

int pm_access(int fd, __u64 handle, __u64 offset, __u64 length,
	      const void *buf, __u32 flags)
{
	struct pinmgr_access a = {
		.size = sizeof(a),
		.flags = flags,
		.handle = handle,
		.offset = offset,
		.length = length,
		.buf = (__u64)(uintptr_t)buf,
	};

	return ioctl(fd, PINMGR_IOC_ACCESS, &a);
}

struct pinmgr_segment *pm_all_segments(int fd, __u64 handle, __u32 *nr)
{
	struct pinmgr_get_segments g = { .size = sizeof(g), .handle = handle };
	struct pinmgr_segment *segs;

	ASSERT_EQ(ioctl(fd, PINMGR_IOC_GET_SEGMENTS, &g), 0);
	ASSERT_GT(g.out_total, 0);
	segs = calloc(g.out_total, sizeof(*segs));
	ASSERT_NE(segs, NULL);
	g.segments = (__u64)(uintptr_t)segs;
	g.nr_segments = g.out_total;
	ASSERT_EQ(ioctl(fd, PINMGR_IOC_GET_SEGMENTS, &g), 0);
	ASSERT_EQ(g.nr_segments, g.out_total);
	*nr = g.nr_segments;
	return segs;
}

long long pm_pagemap_pfn(const void *addr)
{
	uint64_t ent;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	off_t off = (off_t)((uintptr_t)addr / pm_page_size()) * 8;
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, &ent, sizeof(ent), off);
	close(fd);
	if (n != sizeof(ent) || !(ent & (1ULL << 63)))
		return -1;
	return (long long)(ent & ((1ULL << 55) - 1));
}

char *pm_map_small_pages(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(p, MAP_FAILED);
	/* Kernels without THP (Debian's PREEMPT_RT) refuse the advice. */
	if (madvise(p, len, MADV_NOHUGEPAGE))
		ASSERT_EQ(access("/sys/kernel/mm/transparent_hugepage", F_OK), -1);
	return p;
}

char *pm_map_hugetlb(size_t len)
{
	unsigned long long nr;
	char line[32];
	FILE *f;
	char *p;

	if (pm_read_line("/proc/sys/vm/nr_hugepages", line, sizeof(line)))
		SKIP("no hugetlb pages");
	nr = strtoull(line, NULL, 10) + len / PM_HUGE;
	f = fopen("/proc/sys/vm/nr_hugepages", "we");
	if (!f || fprintf(f, "%llu\n", nr) < 0 || fclose(f))
		FAIL("cannot reserve %zu bytes of huge pages", len);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (p == MAP_FAILED)
		FAIL("mmap MAP_HUGETLB of %zu bytes: %s", len, strerror(errno));
	return p;
}

/* ---- The runner ------------------------------------------------------ */

/*
 * Knobs a test may turn, put back after every test whether it passed, failed
 * or hung: the module parameters, huge page reservations and the fault
 * injection attributes of the fail-nth tests. Restored in this order, so
 * that a fault attribute's probability drops before its task filter does:
 * the other way round, every allocation of the machine could fail.
 */
static const char *const pm_knob_paths[] = {
	PM_PARAM_DIR "max_lease_pages",
	PM_PARAM_DIR "max_leases",
	PM_PARAM_DIR "max_device_pages",
	PM_PARAM_DIR "break_time_ms",
	PM_PARAM_DIR "max_events",
	"/proc/sys/vm/nr_hugepages",
	"/sys/kernel/debug/failslab/probability",
	"/sys/kernel/debug/failslab/times",
	"/sys/kernel/debug/failslab/ignore-gfp-wait",
	"/sys/kernel/debug/failslab/verbose",
	"/sys/kernel/debug/failslab/task-filter",
	"/sys/kernel/debug/fail_page_alloc/probability",
	"/sys/kernel/debug/fail_page_alloc/times",
	"/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait",
	"/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem",
	"/sys/kernel/debug/fail_page_alloc/min-order",
	"/sys/kernel/debug/fail_page_alloc/verbose",
	"/sys/kernel/debug/fail_page_alloc/task-filter",
};
#define PM_NR_KNOBS	(ARRAY_SIZE(pm_knob_paths))
#define PM_KNOB_LEN	64

struct pm_knobs {
	int ok[PM_NR_KNOBS];
	char val[PM_NR_KNOBS][PM_KNOB_LEN];
};

int pm_read_line(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static void pm_knobs_save(struct pm_knobs *k)
{
	unsigned int i;

	for (i = 0; i < PM_NR_KNOBS; i++)
		k->ok[i] = !pm_read_line(pm_knob_paths[i], k->val[i], PM_KNOB_LEN);
}

static void pm_knobs_restore(const struct pm_knobs *k)
{
	char now[PM_KNOB_LEN];
	unsigned int i;
	ssize_t n;
	int fd;

	for (i = 0; i < PM_NR_KNOBS; i++) {
		if (!k->ok[i])
			continue;
		if (!pm_read_line(pm_knob_paths[i], now, PM_KNOB_LEN) &&
		    !strcmp(now, k->val[i]))
			continue;
		fd = open(pm_knob_paths[i], O_WRONLY | O_CLOEXEC);
		n = fd < 0 ? -1 : write(fd, k->val[i], strlen(k->val[i]));
		if (n < 0)
			pm_diag("cannot restore %s to %s: %s", pm_knob_paths[i],
				k->val[i], strerror(errno));
		if (fd >= 0)
			close(fd);
	}
}

static int pm_cmp_tests(const void *a, const void *b)
{
	const struct pm_test *x = *(const struct pm_test *const *)a;
	const struct pm_test *y = *(const struct pm_test *const *)b;
	int c = strcmp(pm_basename(x->file), pm_basename(y->file));

	return c ? c : x->line - y->line;
}

/* Reap whatever descendants came back to us; give up after a while. */
static void pm_reap_all(void)
{
	double deadline = pm_now() + 10;
	pid_t r;

	for (;;) {
		r = waitpid(-1, NULL, WNOHANG);
		if (r > 0)
			continue;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return;		/* ECHILD: none left */
		if (pm_now() > deadline) {
			pm_diag("descendants of the test still alive after 10 s");
			return;
		}
		pm_msleep(5);
	}
}

/* Fork, run, wait with a timeout. Returns the child's wait status or -1. */
/* Where each process of a hung test waits: its state, wchan and stack. */
static void pm_show_stuck(pid_t pgid)
{
	char path[64], stat[512], wchan[128], stack[1024], *p;
	struct dirent *d;
	DIR *dir = opendir("/proc");
	pid_t pid;
	FILE *f;
	size_t n;

	if (!dir)
		return;
	while ((d = readdir(dir))) {
		pid = (pid_t)atoi(d->d_name);
		if (pid <= 0 || getpgid(pid) != pgid)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		stat[0] = wchan[0] = stack[0] = '\0';
		if ((f = fopen(path, "re"))) {
			n = fread(stat, 1, sizeof(stat) - 1, f);
			stat[n] = '\0';
			fclose(f);
		}
		snprintf(path, sizeof(path), "/proc/%d/wchan", pid);
		if ((f = fopen(path, "re"))) {
			n = fread(wchan, 1, sizeof(wchan) - 1, f);
			wchan[n] = '\0';
			fclose(f);
		}
		snprintf(path, sizeof(path), "/proc/%d/stack", pid);
		if ((f = fopen(path, "re"))) {
			n = fread(stack, 1, sizeof(stack) - 1, f);
			stack[n] = '\0';
			fclose(f);
		}
		for (p = stack; (p = strchr(p, '\n'));)
			*p = '|';
		stat[strcspn(stat, "\n")] = '\0';
		pm_diag("stuck: %.60s wchan %s stack %s", stat, wchan, stack);
	}
	closedir(dir);
}

/*
 * A test's time limit: its own, or PINMGR_TEST_TIMEOUT seconds if that is
 * longer (a long torture run by hand).
 */
static unsigned int pm_test_timeout(const struct pm_test *t)
{
	const char *v = getenv("PINMGR_TEST_TIMEOUT");
	unsigned long secs = v ? strtoul(v, NULL, 10) : 0;

	return secs > t->timeout && secs < UINT_MAX ? (unsigned int)secs :
						      t->timeout;
}

static int pm_run_child(const struct pm_test *t, int *timed_out)
{
	double deadline = pm_now() + pm_test_timeout(t);
	unsigned int nap = 1;
	siginfo_t si;
	int status;
	pid_t pid;

	*timed_out = 0;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		pm_diag("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		prctl(PR_SET_NAME, "pinmgr-test", 0, 0, 0);
		t->fn();
		pm_exit(PM_EXIT_PASS);
	}
	setpgid(pid, pid);

	/* WNOWAIT keeps the zombie, so its pid (our pgid) stays reserved. */
	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT)) {
			if (errno == EINTR)
				continue;
			pm_diag("waitid: %s", strerror(errno));
			break;
		}
		if (si.si_pid == pid)
			break;
		if (pm_now() > deadline) {
			*timed_out = 1;
			pm_show_stuck(pid);
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			deadline = pm_now() + 3600;
		}
		pm_msleep(nap);
		if (nap < 20)
			nap *= 2;
	}
	/* Nothing the test started may outlive it. */
	kill(-pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid)
		status = -1;
	pm_reap_all();
	return status;
}

/* Check what every test must leave behind; 0 if all holds. */
static int pm_check_invariants(long long acq0, long long rel0)
{
	struct pinmgr_info info;
	long long acq1, rel1;
	int broken = 0, fd;

	pm_vmstat_refresh();
	acq1 = pm_vmstat("nr_foll_pin_acquired");
	rel1 = pm_vmstat("nr_foll_pin_released");
	if (acq0 < 0 || rel0 < 0 || acq1 < 0 || rel1 < 0) {
		pm_diag("invariant: cannot read nr_foll_pin_* from /proc/vmstat");
		broken = 1;
	} else if (acq1 - acq0 != rel1 - rel0) {
		pm_diag("invariant broken: nr_foll_pin_acquired +%lld but nr_foll_pin_released +%lld (%lld pins left)",
			acq1 - acq0, rel1 - rel0,
			(acq1 - acq0) - (rel1 - rel0));
		broken = 1;
	}

	fd = pm_open();
	if (fd < 0) {
		pm_diag("invariant: cannot open %s: %s", PINMGR_DEVICE_PATH,
			strerror(errno));
		return 1;
	}
	if (pm_get_info(fd, &info)) {
		pm_diag("invariant: GET_INFO: %s", strerror(errno));
		broken = 1;
	} else if (info.device_leases || info.device_pinned_pages) {
		pm_diag("invariant broken: device_leases %llu device_pinned_pages %llu after the test",
			(unsigned long long)info.device_leases,
			(unsigned long long)info.device_pinned_pages);
		broken = 1;
	}
	close(fd);
	return broken;
}

enum pm_result { PM_PASS, PM_FAIL, PM_SKIP };

static enum pm_result pm_run_one(const struct pm_test *t, unsigned int nr)
{
	enum pm_result res = PM_FAIL;
	struct pm_knobs knobs;
	long long acq0, rel0;
	const char *need;
	int status, timed_out;

	pm_knobs_save(&knobs);
	pm_vmstat_refresh();
	acq0 = pm_vmstat("nr_foll_pin_acquired");
	rel0 = pm_vmstat("nr_foll_pin_released");
	memset(pm_shared, 0, sizeof(*pm_shared));

	status = pm_run_child(t, &timed_out);
	if (timed_out) {
		pm_diag("%s: timed out after %u s, killed", t->name,
			pm_test_timeout(t));
	} else if (status == -1) {
		pm_diag("%s: lost the test process", t->name);
	} else if (WIFSIGNALED(status)) {
		pm_diag("%s: killed by signal %d (%s)", t->name,
			WTERMSIG(status), strsignal(WTERMSIG(status)));
	} else if (WIFEXITED(status)) {
		switch (WEXITSTATUS(status)) {
		case PM_EXIT_PASS:
			res = PM_PASS;
			break;
		case PM_EXIT_SKIP:
			res = PM_SKIP;
			break;
		case PM_EXIT_FAIL:
			break;
		default:
			pm_diag("%s: exit status %d", t->name,
				WEXITSTATUS(status));
		}
	}

	pm_knobs_restore(&knobs);
	if (pm_check_invariants(acq0, rel0))
		res = PM_FAIL;
	pm_shared->reason[PM_REASON_LEN - 1] = '\0';
	pm_shared->needs[PM_NEEDS_LEN - 1] = '\0';
	/* The driver's word that a feature is absent outranks the set-up. */
	need = res == PM_SKIP && !pm_shared->by_feature ? pm_required_need(t) : NULL;
	if (need) {
		pm_diag("%s: skipped, but this machine is set up for %s (PINMGR_REQUIRE): %s",
			t->name, need, pm_shared->reason[0] ? pm_shared->reason :
			"no reason given");
		res = PM_FAIL;
	}

	switch (res) {
	case PM_PASS:
		printf("ok %u %s\n", nr, t->name);
		break;
	case PM_SKIP:
		printf("ok %u %s # SKIP %s\n", nr, t->name,
		       pm_shared->reason[0] ? pm_shared->reason :
		       "no reason given");
		break;
	case PM_FAIL:
		printf("not ok %u %s\n", nr, t->name);
		break;
	}
	fflush(stdout);
	return res;
}

/* Excluded names, from -x (up to a handful). */
#define PM_MAX_EXCLUDES	16
static const char *pm_excludes[PM_MAX_EXCLUDES];
static int pm_nr_excludes;

static int pm_selected(const struct pm_test *t, int nfilters, char **filters)
{
	int i;

	for (i = 0; i < pm_nr_excludes; i++)
		if (strstr(t->name, pm_excludes[i]))
			return 0;
	if (!nfilters)
		return 1;
	for (i = 0; i < nfilters; i++)
		if (strstr(t->name, filters[i]))
			return 1;
	return 0;
}

static void pm_usage(FILE *f, const char *argv0)
{
	fprintf(f, "usage: %s [-l] [-x EXCLUDE]... [FILTER...]\n"
		"  -l          list the tests and exit\n"
		"  -x EXCLUDE  skip tests whose name contains EXCLUDE\n"
		"  FILTER      run only tests whose name contains one of them\n",
		argv0);
}

int main(int argc, char **argv)
{
	unsigned int i, nr_sel = 0, passed = 0, failed = 0, skipped = 0;
	struct pm_test **all, **sel, *t;
	int opt, list = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "lhx:")) != -1) {
		switch (opt) {
		case 'l':
			list = 1;
			break;
		case 'x':
			if (pm_nr_excludes == PM_MAX_EXCLUDES) {
				fprintf(stderr, "too many -x options\n");
				return 2;
			}
			pm_excludes[pm_nr_excludes++] = optarg;
			break;
		case 'h':
			pm_usage(stdout, argv[0]);
			return 0;
		default:
			pm_usage(stderr, argv[0]);
			return 2;
		}
	}

	all = calloc(pm_nr_tests + 1, sizeof(*all));
	sel = calloc(pm_nr_tests + 1, sizeof(*sel));
	if (!all || !sel) {
		perror("calloc");
		return 1;
	}
	for (i = 0, t = pm_tests; t; t = t->next)
		all[i++] = t;
	qsort(all, pm_nr_tests, sizeof(*all), pm_cmp_tests);
	for (i = 0; i < pm_nr_tests; i++)
		if (pm_selected(all[i], argc - optind, argv + optind))
			sel[nr_sel++] = all[i];

	if (list) {
		for (i = 0; i < nr_sel; i++)
			printf("%s\n", sel[i]->name);
		return 0;
	}

	if (pm_check_required())
		return 2;
	pm_shared = mmap(NULL, sizeof(*pm_shared), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (pm_shared == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	/* Orphans of a test come back to us, to be killed and reaped. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))
		pm_diag("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);

	printf("TAP version 13\n");
	printf("1..%u\n", nr_sel);
	if (getenv("PINMGR_REQUIRE"))
		pm_diag("PINMGR_REQUIRE=%s: tests that need these may not skip",
			getenv("PINMGR_REQUIRE"));
	if (access(PINMGR_DEVICE_PATH, F_OK))
		pm_diag("%s: %s (is the module loaded?)", PINMGR_DEVICE_PATH,
			strerror(errno));

	for (i = 0; i < nr_sel; i++) {
		switch (pm_run_one(sel[i], i + 1)) {
		case PM_PASS:
			passed++;
			break;
		case PM_FAIL:
			failed++;
			break;
		case PM_SKIP:
			skipped++;
			break;
		}
	}
	printf("# %u passed, %u failed, %u skipped\n", passed, failed, skipped);
	fflush(stdout);
	free(all);
	free(sel);
	return failed ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The driver's tracepoints (events/pinmgr/ in tracefs): each fires where it
 * says, with its fields, and the fields' layout is the same on every
 * kernel. The tests read a trace instance of their own, so that nothing
 * else tracing on the machine is disturbed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "harness.h"

#define T_TRACEFS	"/sys/kernel/tracing"
/* The host's perf, copied in by run-vm -x; pinctl, the workload. */
#define T_PERF		"/pinmgr/bin/perf"
#define T_PINCTL	"/pinmgr/bin/pinctl"
#define T_BUF		(256 * 1024)

struct t_trace {
	char dir[128];
	char record_cmd[4];
	char *buf;
};

static void t_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		FAIL("open %s: %s", path, strerror(errno));
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		FAIL("write %s to %s: %s", val, path, strerror(errno));
	close(fd);
}

/* The whole of @path into @buf (@len bytes, NUL-terminated). */
static void t_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;
	ssize_t r;

	if (fd < 0)
		FAIL("open %s: %s", path, strerror(errno));
	while (got < len - 1 && (r = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)r;
	buf[got] = '\0';
	close(fd);
}

/* tracefs, mounted by the guest's init, or here; a skip without it. */
static void t_need_tracefs(void)
{
	if (!access(T_TRACEFS "/events", F_OK))
		return;
	if (mount("tracefs", T_TRACEFS, "tracefs", 0, NULL) ||
	    access(T_TRACEFS "/events", F_OK))
		SKIP_NEEDS("tracefs", "no tracefs at " T_TRACEFS " (%s)",
			   strerror(errno));
}

/*
 * A trace instance with every pinmgr event enabled. Root only: tracefs is
 * the administrator's.
 *
 * record-cmd (a top-level option that instances inherit) goes off first:
 * with it on, enabling any event hooks sched_switch, which live-patches a
 * static branch inside __schedule() while every CPU runs through it. A 7.3
 * guest under TCG once died there of a stray int3; the pinmgr events need
 * no comm, so the tests patch only the module's own text.
 */
static void t_start(struct t_trace *t)
{
	char path[192];

	if (geteuid())
		SKIP("tracefs needs root");
	t_need_tracefs();
	if (access(T_TRACEFS "/events/pinmgr", F_OK))
		FAIL("no events/pinmgr in tracefs with the module loaded");
	t_read(T_TRACEFS "/options/record-cmd", t->record_cmd,
	       sizeof(t->record_cmd));
	t_write(T_TRACEFS "/options/record-cmd", "0");
	snprintf(t->dir, sizeof(t->dir), T_TRACEFS "/instances/pinmgr-test-%d",
		 (int)getpid());
	if (mkdir(t->dir, 0700) && errno != EEXIST)
		FAIL("mkdir %s: %s", t->dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/events/pinmgr/enable", t->dir);
	t_write(path, "1");
	t->buf = malloc(T_BUF);
	ASSERT_NE(t->buf, NULL);
}

static void t_stop(struct t_trace *t)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/events/pinmgr/enable", t->dir);
	t_write(path, "0");
	ASSERT_EQ(rmdir(t->dir), 0);
	t_write(T_TRACEFS "/options/record-cmd", t->record_cmd);
	free(t->buf);
}

/*
 * The line of event @name whose text has @needle after the event's name,
 * from the instance's trace; NULL if none. Valid until the next call.
 */
static const char *t_find(struct t_trace *t, const char *name,
			  const char *needle)
{
	char path[192], key[64];
	char *line, *save;

	snprintf(path, sizeof(path), "%s/trace", t->dir);
	t_read(path, t->buf, T_BUF);
	snprintf(key, sizeof(key), " %s: ", name);
	for (line = strtok_r(t->buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *at = strstr(line, key);

		if (at && strstr(at + strlen(key), needle))
			return at + strlen(key);
	}
	return NULL;
}

/* The event of @name for lease @h, asserted; its text after the name. */
static const char *t_expect(struct t_trace *t, const char *name, __u64 h)
{
	char needle[48];
	const char *ev;

	snprintf(needle, sizeof(needle), "handle=%llu ", (unsigned long long)h);
	ev = t_find(t, name, needle);
	if (!ev)
		FAIL("no %s event for lease %llu in the trace", name,
		     (unsigned long long)h);
	pm_diag("%s: %s", name, ev);
	return ev;
}

/* The value after "@key=" in @ev, as a number. */
static unsigned long long t_field(const char *ev, const char *key)
{
	char k[32];
	const char *at;

	/* The first field has no blank before it. */
	snprintf(k, sizeof(k), " %s=", key);
	at = !strncmp(ev, k + 1, strlen(k + 1)) ? ev - 1 : strstr(ev, k);
	if (!at)
		FAIL("no %s in \"%s\"", key, ev);
	return strtoull(at + strlen(k), NULL, 0);
}

/* The text after "@key=" in @ev, up to a blank. */
static void t_word(const char *ev, const char *key, char *out, size_t len)
{
	char k[32];
	const char *at;
	size_t n;

	snprintf(k, sizeof(k), " %s=", key);
	at = strstr(ev, k);
	if (!at)
		FAIL("no %s in \"%s\"", key, ev);
	at += strlen(k);
	n = strcspn(at, " ");
	if (n >= len)
		n = len - 1;
	memcpy(out, at, n);
	out[n] = '\0';
}

/* The lease events' fields: one layout, the same on every kernel. */
static const char *const t_lease_fields[] = {
	"u64 handle; size:8; signed:0; at:0",
	"u64 pages; size:8; signed:0; at:8",
	"u64 runs; size:8; signed:0; at:16",
	"u64 duration_ns; size:8; signed:0; at:24",
	"pid_t tgid; size:4; signed:1; at:32",
	"u32 flags; size:4; signed:0; at:36",
	NULL,
};

static const char *const t_fail_fields[] = {
	"u64 addr; size:8; signed:0; at:0",
	"u64 pages; size:8; signed:0; at:8",
	"pid_t tgid; size:4; signed:1; at:16",
	"u32 flags; size:4; signed:0; at:20",
	"int err; size:4; signed:1; at:24",
	NULL,
};

/*
 * Event @name's own fields, from its format file, as "type name; size:N;
 * signed:S; at:OFFSET" with OFFSET counted from the first of them: the
 * common fields before them differ between kernels (PREEMPT_RT adds one).
 */
static void t_check_format(const char *name, const char *const *want)
{
	char path[160], *buf = malloc(8192), *line, *save;
	unsigned int n = 0;
	long first = -1;

	ASSERT_NE(buf, NULL);
	snprintf(path, sizeof(path), T_TRACEFS "/events/pinmgr/%s/format", name);
	t_read(path, buf, 8192);
	if (strstr(buf, "PINMGR_"))
		FAIL("%s's print format names an enum the kernel did not resolve",
		     name);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char decl[64], got[128];
		long off, size, sgn;
		char *f = strstr(line, "field:");

		if (!f || strstr(line, "common_"))
			continue;
		if (sscanf(f, "field:%63[^;]; offset:%ld; size:%ld; signed:%ld;",
			   decl, &off, &size, &sgn) != 4)
			FAIL("%s: cannot read \"%s\"", name, line);
		if (first < 0)
			first = off;
		snprintf(got, sizeof(got), "%s; size:%ld; signed:%ld; at:%ld",
			 decl, size, sgn, off - first);
		if (!want[n])
			FAIL("%s: a field more than expected: %s", name, got);
		if (strcmp(got, want[n]))
			FAIL("%s: field %u is \"%s\", not \"%s\"", name, n, got,
			     want[n]);
		n++;
	}
	if (want[n])
		FAIL("%s: field \"%s\" is missing", name, want[n]);
	free(buf);
}

TEST(trace_formats_are_the_same_on_every_kernel)
{
	static const char *const lease_events[] = {
		"pinmgr_pin", "pinmgr_unpin", "pinmgr_expire", "pinmgr_break",
		"pinmgr_revoke", "pinmgr_stale", "pinmgr_invalidate",
		"pinmgr_export",
	};
	unsigned int i;

	if (geteuid())
		SKIP("tracefs needs root");
	t_need_tracefs();
	for (i = 0; i < sizeof(lease_events) / sizeof(lease_events[0]); i++)
		t_check_format(lease_events[i], t_lease_fields);
	t_check_format("pinmgr_pin_fail", t_fail_fields);
}

TEST(trace_pin_and_unpin_carry_the_lease)
{
	size_t ps = pm_page_size();
	int fd = pm_open();
	char flags[64], *p = pm_map_small_pages(2 * ps);
	struct t_trace t;
	const char *ev;
	__u64 h;

	ASSERT_GE(fd, 0);
	t_start(&t);
	h = PIN_OK(fd, p, 2 * ps, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM);
	ev = t_expect(&t, "pinmgr_pin", h);
	ASSERT_EQ(t_field(ev, "tgid"), (unsigned long long)getpid());
	ASSERT_EQ(t_field(ev, "pages"), 2);
	ASSERT_GE(t_field(ev, "runs"), 1);
	ASSERT_LE(t_field(ev, "runs"), 2);
	ASSERT_GT(t_field(ev, "duration_ns"), 0);
	t_word(ev, "flags", flags, sizeof(flags));
	ASSERT_STREQ(flags, "write|longterm");
	ASSERT_EQ(t_find(&t, "pinmgr_unpin", ""), NULL);

	ASSERT_EQ(pm_unpin(fd, h), 0);
	ev = t_expect(&t, "pinmgr_unpin", h);
	ASSERT_EQ(t_field(ev, "tgid"), (unsigned long long)getpid());
	ASSERT_EQ(t_field(ev, "pages"), 2);
	t_stop(&t);
	close(fd);
	pm_unmap(p, 2 * ps);
}

/* The pinmgr_pin_fail event of our PIN of @pages at @addr: @err, @why. */
static void t_expect_fail(struct t_trace *t, const void *addr,
			  unsigned int pages, int err, const char *why)
{
	char needle[64], got[32];
	const char *ev;

	snprintf(needle, sizeof(needle), "addr=%p pages=%u ", addr, pages);
	ev = t_find(t, "pinmgr_pin_fail", needle);
	if (!ev)
		FAIL("no pinmgr_pin_fail event for the PIN of %u pages at %p",
		     pages, addr);
	pm_diag("pinmgr_pin_fail: %s", ev);
	ASSERT_EQ(t_field(ev, "tgid"), (unsigned long long)getpid());
	t_word(ev, "err", got, sizeof(got));
	ASSERT_EQ((int)strtol(got, NULL, 10), -err);
	t_word(ev, "why", got, sizeof(got));
	ASSERT_STREQ(got, why);
}

/* A refused PIN: the errno, and the limit it met by name. */
TEST(trace_pin_fail_names_the_limit)
{
	size_t ps = pm_page_size();
	int fd = pm_open();
	char *p = pm_map_small_pages(4 * ps);
	unsigned long long max_lease_pages;
	struct pinmgr_pin pin;
	struct t_trace t;

	ASSERT_GE(fd, 0);
	t_start(&t);
	ASSERT_EQ(pm_param_read("max_lease_pages", &max_lease_pages), 0);
	ASSERT_EQ(pm_param_write("max_lease_pages", 2), 0);
	ASSERT_ERRNO(pm_pin(fd, p, 4 * ps, PINMGR_PIN_WRITE, 0, &pin), EFBIG);
	t_expect_fail(&t, p, 4, EFBIG, "max_lease_pages");

	/* Unmapped memory: a fault, no limit. */
	ASSERT_EQ(pm_param_write("max_lease_pages", max_lease_pages), 0);
	pm_unmap(p + 2 * ps, 2 * ps);
	ASSERT_ERRNO(pm_pin(fd, p, 2 * ps + ps, 0, 0, &pin), EFAULT);
	t_expect_fail(&t, p, 3, EFAULT, "fault");
	t_stop(&t);
	close(fd);
	pm_unmap(p, 2 * ps);
}

/* Every end but the owner's, and the break that comes before a revoke. */
TEST(trace_expire_break_and_revoke)
{
	size_t ps = pm_page_size();
	int fd = pm_open();
	char *p = pm_map_small_pages(ps);
	struct pinmgr_event ev;
	struct pinmgr_pin pin;
	struct t_trace t;
	__u64 deadline, h;

	ASSERT_GE(fd, 0);
	t_start(&t);
	ASSERT_EQ(pm_pin_for(fd, p, ps, 0, 20 * PM_MS, &pin), 0);
	pm_expect_event(fd, PINMGR_EVENT_EXPIRED, pin.out_handle, 5000, &ev);
	ASSERT_GE(t_field(t_expect(&t, "pinmgr_expire", pin.out_handle),
			  "duration_ns"), 20 * PM_MS);
	ASSERT_ERRNO(pm_unpin(fd, pin.out_handle), EKEYEXPIRED);

	h = PIN_OK(fd, p, ps, PINMGR_PIN_LONGTERM);
	ASSERT_EQ(pm_revoke(fd, h, 0, &deadline), 0);
	pm_expect_event(fd, PINMGR_EVENT_BREAKING, h, 5000, &ev);
	t_expect(&t, "pinmgr_break", h);
	ASSERT_EQ(t_find(&t, "pinmgr_revoke", ""), NULL);
	ASSERT_EQ(pm_revoke(fd, h, PINMGR_REVOKE_NOW, NULL), 0);
	pm_expect_event(fd, PINMGR_EVENT_REVOKED, h, 5000, &ev);
	t_expect(&t, "pinmgr_revoke", h);
	ASSERT_ERRNO(pm_unpin(fd, h), EKEYREVOKED);
	t_stop(&t);
	close(fd);
	pm_unmap(p, ps);
}

/* A watched lease's mapping goes: stale; with the flag, ended as well. */
TEST(trace_stale_and_invalidate)
{
	size_t ps = pm_page_size();
	int fd = pm_open();
	struct pinmgr_event ev;
	struct t_trace t;
	char *p, *q;
	__u64 h, g;

	ASSERT_GE(fd, 0);
	if (!pm_feature(PINMGR_FEATURE_WATCH))
		SKIP("no watched leases on this kernel");
	p = pm_map_small_pages(ps);
	q = pm_map_small_pages(ps);
	t_start(&t);
	h = PIN_OK(fd, p, ps, PINMGR_PIN_WATCH);
	g = PIN_OK(fd, q, ps, PINMGR_PIN_WATCH | PINMGR_PIN_RELEASE_ON_STALE);
	pm_unmap(p, ps);
	pm_expect_event(fd, PINMGR_EVENT_STALE, h, 5000, &ev);
	t_expect(&t, "pinmgr_stale", h);
	ASSERT_EQ(t_find(&t, "pinmgr_invalidate", ""), NULL);
	pm_unmap(q, ps);
	pm_expect_event(fd, PINMGR_EVENT_STALE, g, 5000, &ev);
	t_expect(&t, "pinmgr_invalidate", g);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	t_stop(&t);
	close(fd);
}

TEST(trace_export)
{
	size_t ps = pm_page_size();
	int fd = pm_open(), dbuf;
	char *p = pm_map_small_pages(ps);
	struct t_trace t;
	__u64 h;

	ASSERT_GE(fd, 0);
	if (!pm_feature(PINMGR_FEATURE_EXPORT))
		SKIP("no dma-buf export on this kernel");
	t_start(&t);
	h = PIN_OK(fd, p, ps, PINMGR_PIN_WRITE);
	ASSERT_EQ(t_find(&t, "pinmgr_export", ""), NULL);
	dbuf = pm_export(fd, h);
	ASSERT_GE(dbuf, 0);
	ASSERT_EQ(t_field(t_expect(&t, "pinmgr_export", h), "pages"), 1);
	close(dbuf);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	t_stop(&t);
	close(fd);
	pm_unmap(p, ps);
}

/*
 * @argv run to its end, its stdout and stderr in @out (@len bytes, NUL
 * terminated); its exit status.
 */
static int t_run(char *out, size_t len, char *const argv[])
{
	char path[] = "/tmp/pinmgr-trace-run-XXXXXX";
	int fd = mkstemp(path), status;
	ssize_t n;
	pid_t pid;

	ASSERT_GE(fd, 0);
	unlink(path);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_EQ(lseek(fd, 0, SEEK_SET), 0);
	n = read(fd, out, len - 1);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The count perf stat -x, gave @event in @out. */
static unsigned long long t_perf_count(const char *out, const char *event)
{
	const char *line = out;
	char key[64];

	snprintf(key, sizeof(key), ",pinmgr:%s,", event);
	while (line && *line) {
		const char *end = strchr(line, '\n');
		const char *at = strstr(line, key);

		if (at && (!end || at < end))
			return strtoull(line, NULL, 10);
		line = end ? end + 1 : NULL;
	}
	FAIL("perf stat printed no count for pinmgr:%s:\n%s", event, out);
	return 0;
}

/*
 * perf, as an engineer runs it: perf stat counts the events of a
 * workload (pinctl pinning 16 KiB for 200 ms: one pin, one expiry), and
 * perf record and perf script read the fields through libtraceevent from
 * the driver's format files, not from the tests' own parser.
 */
TEST(trace_perf_counts_and_reads_fields)
{
	static char out[64 * 1024];
	char data[] = "/tmp/pinmgr-perf-XXXXXX";
	char *stat_argv[] = {
		T_PERF, "stat", "-a", "-x", ",", "-e", "pinmgr:pinmgr_pin",
		"-e", "pinmgr:pinmgr_expire", "-e", "pinmgr:pinmgr_pin_fail",
		"--", T_PINCTL, "pin", "16K", "for", "200ms", NULL,
	};
	char *record_argv[] = {
		T_PERF, "record", "-q", "-a", "-e", "pinmgr:pinmgr_pin",
		"-o", data, "--", T_PINCTL, "pin", "16K", "for", "200ms", NULL,
	};
	char *script_argv[] = {
		T_PERF, "script", "-i", data, "-F", "pid,event,trace", NULL,
	};
	const char *ev, *line;
	unsigned long pid;
	int fd;

	if (geteuid())
		SKIP("perf's tracepoints need root");
	t_need_tracefs();
	if (access(T_PERF, X_OK))
		SKIP_NEEDS("perf", "no perf in /pinmgr/bin (run-vm -x)");
	if (t_run(out, sizeof(out), stat_argv))
		FAIL("perf stat failed:\n%s", out);
	pm_diag("perf stat: %s", out);
	ASSERT_EQ(t_perf_count(out, "pinmgr_pin"), 1);
	ASSERT_EQ(t_perf_count(out, "pinmgr_expire"), 1);
	ASSERT_EQ(t_perf_count(out, "pinmgr_pin_fail"), 0);

	fd = mkstemp(data);
	ASSERT_GE(fd, 0);
	close(fd);
	if (t_run(out, sizeof(out), record_argv))
		FAIL("perf record failed:\n%s", out);
	if (t_run(out, sizeof(out), script_argv))
		FAIL("perf script failed:\n%s", out);
	unlink(data);
	pm_diag("perf script: %s", out);
	/* "  PID pinmgr:pinmgr_pin: handle=N tgid=PID pages=4 ..." */
	ev = strstr(out, "pinmgr:pinmgr_pin:");
	if (!ev)
		FAIL("perf script shows no pinmgr_pin event:\n%s", out);
	ASSERT_EQ(strstr(ev + 1, "pinmgr:pinmgr_pin:"), NULL);
	for (line = ev; line > out && line[-1] != '\n'; line--)
		;
	pid = strtoul(line, NULL, 10);
	ASSERT_GT(pid, 0);
	ASSERT_EQ(t_field(ev, "tgid"), pid);
	ASSERT_EQ(t_field(ev, "pages"), 4);
	ASSERT_GT(t_field(ev, "handle"), 0);
	ASSERT_GT(t_field(ev, "duration_ns"), 0);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The text views of the device and what they must agree with: sysfs (its
 * figures follow pins and ends, its failures count each cause, its
 * tunables are the module parameters with the same rules), debugfs
 * pinmgr/leases and fdinfo (the same facts as netlink, each reader seeing
 * what it may, whole rows while leases come and go).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "harness.h"
#include "nl_client.h"

#define DEBUGFS_DIR	"/sys/kernel/debug"
#define DEBUGFS_LEASES	DEBUGFS_DIR "/pinmgr/leases"
#define SYSFS_DIR	"/sys/class/misc/pinmgr/"

static unsigned long long sysfs(const char *name)
{
	unsigned long long v;

	if (pm_sysfs_read(name, &v))
		FAIL("cannot read %s%s: %s", SYSFS_DIR, name, strerror(errno));
	return v;
}

/* Write @val to a sysfs file or a module parameter; 0 or an errno. */
static int write_knob(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;
	ssize_t n;

	if (fd < 0)
		return errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		err = errno;
	close(fd);
	return err;
}

/* ---- Rows of debugfs and fdinfo ------------------------------------------ */

struct row {
	unsigned long long handle, addr, length, pages, runs, age_ms;
	long long tgid;
	unsigned int uid;
	char comm[17], flags[8], expires[24], state[16];
};

#define ROW_HEADER	"handle "

/* One lease row; asserts that it is whole. */
static void parse_row(const char *line, struct row *r)
{
	int n = sscanf(line, "%llu %lld %16s %u %llx %llu %llu %llu %7s %llu %23s %15s",
		       &r->handle, &r->tgid, r->comm, &r->uid, &r->addr,
		       &r->length, &r->pages, &r->runs, r->flags, &r->age_ms,
		       r->expires, r->state);

	if (n != 12 || !strchr(line, '\n'))
		FAIL("a torn or malformed row (%d fields): \"%s\"", n, line);
	if (strcmp(r->state, "active") && strcmp(r->state, "breaking") &&
	    strcmp(r->state, "expired") && strcmp(r->state, "revoked"))
		FAIL("row of handle %llu has state \"%s\"", r->handle,
		     r->state);
	if (r->length != r->pages * pm_page_size())
		FAIL("row of handle %llu: %llu bytes for %llu pages", r->handle,
		     r->length, r->pages);
}

/*
 * The rows of a text view, read @chunk bytes at a time (small reads make
 * seq_file stop and start again often); *nr rows, malloc()ed. The header
 * must come first, once.
 */
static struct row *read_rows(int fd, size_t chunk, size_t *nr)
{
	size_t len = 0, cap = 1 << 16, n = 0, rcap = 64;
	struct row *rows = malloc(rcap * sizeof(*rows));
	char *text = malloc(cap), *line, *next;
	int header = 0;
	ssize_t r;

	ASSERT_NE(rows, NULL);
	ASSERT_NE(text, NULL);
	for (;;) {
		if (len + chunk + 1 > cap) {
			cap *= 2;
			text = realloc(text, cap);
			ASSERT_NE(text, NULL);
		}
		r = read(fd, text + len, chunk);
		ASSERT_GE(r, 0);
		if (!r)
			break;
		len += (size_t)r;
	}
	text[len] = '\0';
	for (line = text; *line; line = next) {
		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		if (!strncmp(line, "pinmgr-", 7) || !strncmp(line, "pos:", 4) ||
		    !strncmp(line, "flags:", 6) || !strncmp(line, "mnt_id:", 7) ||
		    !strncmp(line, "ino:", 4))
			continue;	/* fdinfo's own lines */
		if (!strncmp(line, ROW_HEADER, strlen(ROW_HEADER))) {
			if (header++ || n)
				FAIL("the header is not first, or comes twice");
			continue;
		}
		if (n == rcap) {
			rcap *= 2;
			rows = realloc(rows, rcap * sizeof(*rows));
			ASSERT_NE(rows, NULL);
		}
		{
			char save = *next;

			*next = '\0';
			parse_row(line, &rows[n++]);
			*next = save;
		}
	}
	ASSERT_EQ(header, 1);
	free(text);
	*nr = n;
	return rows;
}

static struct row *read_debugfs(size_t chunk, size_t *nr)
{
	int fd = open(DEBUGFS_LEASES, O_RDONLY | O_CLOEXEC);
	struct row *rows;

	if (fd < 0)
		FAIL("open %s: %s", DEBUGFS_LEASES, strerror(errno));
	rows = read_rows(fd, chunk, nr);
	close(fd);
	return rows;
}

static struct row *read_fdinfo(pid_t pid, int fd, size_t *nr)
{
	char path[64];
	struct row *rows;
	int f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		FAIL("open %s: %s", path, strerror(errno));
	rows = read_rows(f, 4096, nr);
	close(f);
	return rows;
}

static const struct row *find_row(const struct row *rows, size_t nr,
				  unsigned long long handle)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (rows[i].handle == handle)
			return &rows[i];
	return NULL;
}

/* The row says what netlink says of the same lease. */
static void expect_row_matches(const struct row *r, struct pm_nl *nl)
{
	static const char *const states[] = {
		[PINMGR_LEASE_ACTIVE] = "active",
		[PINMGR_LEASE_BREAKING] = "breaking",
		[PINMGR_LEASE_EXPIRED] = "expired",
		[PINMGR_LEASE_REVOKED] = "revoked",
	};
	struct pm_nl_lease l;
	char flags[3];
	size_t i;

	ASSERT_EQ(pm_nl_lease_get(nl, r->handle, &l), 0);
	ASSERT_EQ(r->tgid, l.tgid);
	/* The text views show blanks and controls of the name as '?'. */
	for (i = 0; l.comm[i]; i++)
		if (!isgraph((unsigned char)l.comm[i]))
			l.comm[i] = '?';
	ASSERT_EQ(strcmp(r->comm, l.comm), 0);
	ASSERT_EQ(r->uid, l.uid);
	ASSERT_EQ(r->addr, l.addr);
	ASSERT_EQ(r->length, l.length);
	ASSERT_EQ(r->pages, l.pages);
	ASSERT_EQ(r->runs, l.runs);
	flags[0] = l.flags & PINMGR_PIN_WRITE ? 'w' : 'r';
	flags[1] = l.flags & PINMGR_PIN_LONGTERM ? 'l' : 's';
	flags[2] = '\0';
	ASSERT_EQ(strcmp(r->flags, flags), 0);
	ASSERT_EQ(strcmp(r->state, states[l.state]), 0);
	ASSERT_LE(r->age_ms, (pm_realtime_ns() - l.create_time) / PM_MS + 1);
}

/* Let another uid through the debugfs mount point, for the test's time. */
static mode_t open_debugfs(void)
{
	struct stat st;

	ASSERT_EQ(stat(DEBUGFS_DIR, &st), 0);
	ASSERT_EQ(chmod(DEBUGFS_DIR, 0755), 0);
	return st.st_mode & 07777;
}

/* ---- sysfs ------------------------------------------------------------- */

TEST(sysfs_figures_follow_pins_and_ends)
{
	unsigned long long pins = sysfs("pins"), unpins = sysfs("unpins");
	unsigned long long expiries = sysfs("expiries");
	unsigned long long revocations = sysfs("revocations");
	unsigned long long renewals = sysfs("renewals");
	unsigned long long files = sysfs("files");
	size_t ps = pm_page_size();
	struct pinmgr_event ev;
	struct pinmgr_pin pin;
	char *buf = pm_map_anon(4 * ps);
	int fd = pm_open();
	__u64 a, b;

	ASSERT_NE(buf, NULL);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(sysfs("files"), files + 1);
	ASSERT_EQ(sysfs("leases"), 0);
	ASSERT_EQ(sysfs("pinned_pages"), 0);

	a = PIN_OK(fd, buf, 3 * ps, 0);
	/* Long enough to be live when counted, however slow the kernel. */
	ASSERT_EQ(pm_pin_for(fd, buf + 3 * ps, ps, 0, 600000 * PM_MS, &pin), 0);
	b = pin.out_handle;
	ASSERT_EQ(sysfs("pins"), pins + 2);
	ASSERT_EQ(sysfs("leases"), 2);
	ASSERT_EQ(sysfs("pinned_pages"), 4);

	/* b runs out: ended, not live, its page released. */
	ASSERT_EQ(pm_renew(fd, b, 20 * PM_MS), 0);
	ASSERT_EQ(sysfs("renewals"), renewals + 1);
	pm_expect_event(fd, PINMGR_EVENT_EXPIRED, b, 5000, &ev);
	/* A refused RENEW is none. */
	ASSERT_ERRNO(pm_renew(fd, b, 20 * PM_MS), EKEYEXPIRED);
	ASSERT_EQ(sysfs("renewals"), renewals + 1);
	ASSERT_EQ(sysfs("expiries"), expiries + 1);
	ASSERT_EQ(sysfs("leases"), 1);
	ASSERT_EQ(sysfs("ended_leases"), 1);
	ASSERT_EQ(sysfs("pinned_pages"), 3);

	/* a is revoked at once. */
	ASSERT_EQ(pm_revoke(fd, a, PINMGR_REVOKE_NOW, NULL), 0);
	ASSERT_EQ(sysfs("revocations"), revocations + 1);
	ASSERT_EQ(sysfs("leases"), 0);
	ASSERT_EQ(sysfs("ended_leases"), 2);
	ASSERT_EQ(sysfs("pinned_pages"), 0);

	/* Acknowledging ends is no unpin. */
	ASSERT_ERRNO(pm_unpin(fd, a), EKEYREVOKED);
	ASSERT_ERRNO(pm_unpin(fd, b), EKEYEXPIRED);
	ASSERT_EQ(sysfs("ended_leases"), 0);
	ASSERT_EQ(sysfs("unpins"), unpins);

	/* An unpin, and a close with a live lease, are. */
	a = PIN_OK(fd, buf, ps, 0);
	ASSERT_EQ(pm_unpin(fd, a), 0);
	PIN_OK(fd, buf, ps, 0);
	close(fd);
	ASSERT_EQ(sysfs("unpins"), unpins + 2);
	ASSERT_EQ(sysfs("pins"), pins + 4);
	ASSERT_EQ(sysfs("files"), files);
	ASSERT_EQ(sysfs("leases"), 0);
}

/* PIN refused by a limit: its failures/ file counts it, and only it. */
static const char *const failure_files[] = {
	"memlock", "lease_pages", "leases", "device_pages", "fault", "file",
	"interrupted", "nomem",
};
#define NR_FAILURES	ARRAY_SIZE(failure_files)

static void read_failures(unsigned long long v[NR_FAILURES])
{
	char name[64];
	size_t i;

	for (i = 0; i < NR_FAILURES; i++) {
		snprintf(name, sizeof(name), "failures/%s", failure_files[i]);
		v[i] = sysfs(name);
	}
}

static void expect_failure_counted(const unsigned long long before[NR_FAILURES],
				   const char *cause)
{
	unsigned long long now[NR_FAILURES];
	size_t i;
	int bad = 0;

	read_failures(now);
	/* Every figure that moved wrongly is told, not only the first. */
	for (i = 0; i < NR_FAILURES; i++) {
		unsigned long long want = before[i] +
			!strcmp(failure_files[i], cause);

		if (now[i] == want)
			continue;
		pm_diag("failures/%s went from %llu to %llu after a %s failure",
			failure_files[i], before[i], now[i], cause);
		bad = 1;
	}
	if (bad)
		FAIL("the failure figures do not show one %s failure", cause);
}

TEST(sysfs_failures_count_each_cause)
{
	unsigned long long before[NR_FAILURES];
	size_t ps = pm_page_size();
	struct pinmgr_pin pin;
	struct pinmgr_info info;
	char *buf = pm_map_anon(4 * ps), *gone;
	int fd = pm_open();
	pid_t pid;
	__u64 h;

	ASSERT_NE(buf, NULL);
	ASSERT_GE(fd, 0);

	read_failures(before);
	ASSERT_EQ(pm_param_write("max_lease_pages", 2), 0);
	ASSERT_ERRNO(pm_pin(fd, buf, 3 * ps, 0, 0, &pin), EFBIG);
	expect_failure_counted(before, "lease_pages");
	ASSERT_EQ(pm_param_write("max_lease_pages", 0), 0);

	read_failures(before);
	ASSERT_EQ(pm_param_write("max_leases", 1), 0);
	h = PIN_OK(fd, buf, ps, 0);
	ASSERT_ERRNO(pm_pin(fd, buf, ps, 0, 0, &pin), EMFILE);
	expect_failure_counted(before, "leases");
	ASSERT_EQ(pm_unpin(fd, h), 0);
	ASSERT_EQ(pm_param_write("max_leases", 0), 0);

	read_failures(before);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(pm_param_write("max_device_pages",
				 info.device_pinned_pages + 1), 0);
	ASSERT_ERRNO(pm_pin(fd, buf, 2 * ps, 0, 0, &pin), ENOSPC);
	expect_failure_counted(before, "device_pages");
	ASSERT_EQ(pm_param_write("max_device_pages", 0), 0);

	read_failures(before);
	gone = pm_map_anon(ps);
	ASSERT_NE(gone, NULL);
	pm_unmap(gone, ps);
	ASSERT_ERRNO(pm_pin(fd, gone, ps, 0, 0, &pin), EFAULT);
	expect_failure_counted(before, "fault");

	/* RLIMIT_MEMLOCK binds an unprivileged user. */
	if (geteuid() == 0) {
		read_failures(before);
		pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0) {
			struct rlimit rl = { ps, ps };
			int nfd;

			ASSERT_EQ(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
			ASSERT_EQ(pm_become_nobody(), 0);
			nfd = pm_open();
			ASSERT_GE(nfd, 0);
			ASSERT_ERRNO(pm_pin(nfd, buf, 2 * ps, 0, 0, &pin),
				     EDQUOT);
			_exit(0);
		}
		ASSERT_EQ(pm_wait(pid), 0);
		expect_failure_counted(before, "memlock");
	}
	close(fd);
}

/*
 * A long-term write pin of a shared writable ext4 mapping is refused since
 * Linux 6.5 with EFAULT, as memory that is not there would be; the counter
 * tells the two apart.
 */
TEST(sysfs_failures_tell_a_refused_file_mapping_from_a_fault)
{
	const char *dir = getenv("PINMGR_EXTFS");
	unsigned long long before[NR_FAILURES];
	size_t ps = pm_page_size(), len = 4 * ps;
	struct pinmgr_pin pin;
	char path[256], *m;
	int ffd, fd = pm_open();

	if (!dir)
		SKIP_NEEDS("extfs", "no ext file system (PINMGR_EXTFS)");
	if (pm_kver() < PM_KV(6, 5))
		SKIP("Linux before 6.5 pins writable shared file mappings");
	ASSERT_GE(fd, 0);
	snprintf(path, sizeof(path), "%s/inspect-file", dir);
	ffd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_GE(ffd, 0);
	ASSERT_EQ(ftruncate(ffd, (off_t)len), 0);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, ffd, 0);
	ASSERT_NE(m, MAP_FAILED);
	memset(m, 1, len);

	read_failures(before);
	ASSERT_ERRNO(pm_pin(fd, m, len, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM,
			    0, &pin), EFAULT);
	expect_failure_counted(before, "file");
	/* Short-term, the same mapping pins. */
	pin.out_handle = PIN_OK(fd, m, len, PINMGR_PIN_WRITE);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	munmap(m, len);
	close(ffd);
	unlink(path);
	close(fd);
}

/*
 * A fatal signal while the pin waits for a page: userfaultfd holds the
 * fault of the second page until the process is killed. The child hands
 * its userfaultfd over, and the parent reads the fault's message before
 * the kill, so that the kill comes once the pin waits in the fault, not
 * after a guess at how long the pin takes to get there. (A poll() alone
 * was such a guess: on a blocking userfaultfd it returns POLLERR at once,
 * and one kill in five on a busy 7.2 came before the PIN.)
 */
TEST(sysfs_failures_count_a_pin_ended_by_a_fatal_signal)
{
	unsigned long long before[NR_FAILURES];
	size_t ps = pm_page_size();
	struct pollfd pfd = { .events = POLLIN };
	unsigned long long pins0, pins1;
	struct uffd_msg msg;
	int sock[2], status;
	__u64 val;
	pid_t pid;

	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock), 0);
	read_failures(before);
	ASSERT_EQ(pm_sysfs_read("pins", &pins0), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct uffdio_api api = { .api = UFFD_API };
		struct uffdio_register reg;
		struct pinmgr_pin pin;
		int uffd, fd = pm_open();
		char *m;

		/* Non-blocking: poll() on a blocking one says POLLERR at once. */
		uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
		if (uffd < 0)
			_exit(PM_EXIT_SKIP);
		ASSERT_EQ(ioctl(uffd, UFFDIO_API, &api), 0);
		m = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(m, MAP_FAILED);
		m[0] = 1;
		memset(&reg, 0, sizeof(reg));
		reg.range.start = (uintptr_t)m;
		reg.range.len = 2 * ps;
		reg.mode = UFFDIO_REGISTER_MODE_MISSING;
		ASSERT_EQ(ioctl(uffd, UFFDIO_REGISTER, &reg), 0);
		ASSERT_EQ(pm_send_fd(sock[1], uffd, (uintptr_t)(m + ps)), 0);
		/* Blocks on the second page until killed. */
		pm_pin(fd, m, 2 * ps, PINMGR_PIN_WRITE, 0, &pin);
		_exit(3);
	}
	close(sock[1]);
	pfd.fd = pm_recv_fd(sock[0], &val);
	if (pfd.fd < 0) {
		status = pm_wait(pid);
		if (status == PM_EXIT_SKIP)
			SKIP_NEEDS("userfaultfd", "no userfaultfd");
		FAIL("the child sent no userfaultfd (exit %d)", status);
	}
	/* The pin's fault of the second page is queued: the pin waits in it. */
	ASSERT_EQ(poll(&pfd, 1, 30000), 1);
	ASSERT_EQ(pfd.revents, POLLIN);
	ASSERT_EQ(read(pfd.fd, &msg, sizeof(msg)), (ssize_t)sizeof(msg));
	ASSERT_EQ(msg.event, UFFD_EVENT_PAGEFAULT);
	ASSERT_EQ(msg.arg.pagefault.address & ~(__u64)(ps - 1), (__u64)val);
	ASSERT_EQ(kill(pid, SIGKILL), 0);
	ASSERT_EQ(pm_wait(pid), 128 + SIGKILL);
	/* Killed in the middle: counted as such, and no lease made. */
	expect_failure_counted(before, "interrupted");
	ASSERT_EQ(pm_sysfs_read("pins", &pins1), 0);
	ASSERT_EQ(pins1, pins0);
	close(pfd.fd);
	close(sock[0]);
}

/*
 * Each tunable, written as a sysfs file or as a module parameter: one
 * value, the same rules, and a refused write changes nothing.
 */
TEST(sysfs_tunables_are_the_module_parameters)
{
	static const struct {
		const char *name;
		const char *good, *bad_range;
	} knobs[] = {
		{ "max_lease_pages", "4096", "18446744073709551616" },
		{ "max_leases", "77", "4294967296" },
		{ "max_device_pages", "123456", "18446744073709551616" },
		{ "break_time_ms", "86400000", "86400001" },
		{ "max_events", "1048576", "0" },
	};
	char sys[128], param[128], want[32];
	unsigned long long v, p, old;
	size_t i;

	if (geteuid() != 0)
		SKIP("needs root");
	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		snprintf(sys, sizeof(sys), SYSFS_DIR "%s", knobs[i].name);
		snprintf(param, sizeof(param),
			 "/sys/module/pinmgr/parameters/%s", knobs[i].name);
		ASSERT_EQ(pm_param_read(knobs[i].name, &old), 0);
		ASSERT_EQ(sysfs(knobs[i].name), old);

		/* Through sysfs; the parameter shows it. */
		ASSERT_EQ(write_knob(sys, knobs[i].good), 0);
		ASSERT_EQ(pm_param_read(knobs[i].name, &p), 0);
		ASSERT_EQ(p, strtoull(knobs[i].good, NULL, 10));
		/* Through the parameter; sysfs shows it. */
		snprintf(want, sizeof(want), "%llu\n", old);
		ASSERT_EQ(write_knob(param, want), 0);
		ASSERT_EQ(sysfs(knobs[i].name), old);

		/* Refused either way, and nothing changes. */
		ASSERT_EQ(write_knob(sys, knobs[i].bad_range), ERANGE);
		ASSERT_EQ(write_knob(param, knobs[i].bad_range), ERANGE);
		ASSERT_EQ(write_knob(sys, "many"), EINVAL);
		ASSERT_EQ(write_knob(param, "-1"), EINVAL);
		ASSERT_EQ(write_knob(sys, "12abc"), EINVAL);
		v = sysfs(knobs[i].name);
		ASSERT_EQ(v, old);
	}
}

TEST(sysfs_tunable_write_takes_effect_and_is_roots)
{
	size_t ps = pm_page_size();
	struct pinmgr_pin pin;
	char *buf = pm_map_anon(ps);
	int fd = pm_open();
	pid_t pid;
	__u64 h;

	if (geteuid() != 0)
		SKIP("needs root");
	ASSERT_NE(buf, NULL);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write_knob(SYSFS_DIR "max_leases", "1"), 0);
	h = PIN_OK(fd, buf, ps, 0);
	ASSERT_ERRNO(pm_pin(fd, buf, ps, 0, 0, &pin), EMFILE);
	ASSERT_EQ(pm_unpin(fd, h), 0);

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		ASSERT_EQ(pm_become_nobody(), 0);
		ASSERT_EQ(write_knob(SYSFS_DIR "max_leases", "5"), EACCES);
		ASSERT_EQ(sysfs("max_leases"), 1);
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	close(fd);
}

/* ---- debugfs ----------------------------------------------------------- */

TEST(debugfs_lists_every_lease_as_netlink_does)
{
	size_t ps = pm_page_size(), nr, i;
	struct pm_nl *nl = pm_nl_open();
	struct pinmgr_event ev;
	struct pinmgr_pin pin;
	const struct row *r;
	struct row *rows;
	char *buf = pm_map_anon(8 * ps);
	int fd = pm_open();
	__u64 h[4];

	ASSERT_NE(nl, NULL);
	ASSERT_NE(buf, NULL);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(prctl(PR_SET_NAME, "pm inspect"), 0);
	h[0] = PIN_OK(fd, buf, 2 * ps, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM);
	ASSERT_EQ(pm_pin_for(fd, buf + 2 * ps, ps, 0, 3600 * 1000 * PM_MS,
			     &pin), 0);
	h[1] = pin.out_handle;
	h[2] = PIN_OK(fd, buf + 3 * ps, ps, PINMGR_PIN_LONGTERM);
	ASSERT_EQ(pm_revoke(fd, h[2], 0, NULL), 0);
	ASSERT_EQ(pm_pin_for(fd, buf + 4 * ps, 4 * ps, PINMGR_PIN_WRITE,
			     PM_MS, &pin), 0);
	h[3] = pin.out_handle;
	pm_expect_event(fd, PINMGR_EVENT_EXPIRED, h[3], 5000, &ev);

	rows = read_debugfs(4096, &nr);
	ASSERT_EQ(nr, 4);
	for (i = 0; i < 4; i++) {
		r = find_row(rows, nr, h[i]);
		ASSERT_NE(r, NULL);
		expect_row_matches(r, nl);
		/* The blank in the name is shown as '?'. */
		ASSERT_EQ(strcmp(r->comm, "pm?inspect"), 0);
	}
	ASSERT_EQ(strcmp(find_row(rows, nr, h[0])->expires, "-"), 0);
	ASSERT_GT(strtoull(find_row(rows, nr, h[1])->expires, NULL, 10),
		  3500 * 1000ULL);
	ASSERT_EQ(strcmp(find_row(rows, nr, h[2])->state, "breaking"), 0);
	ASSERT_EQ(strcmp(find_row(rows, nr, h[3])->state, "expired"), 0);
	ASSERT_EQ(strcmp(find_row(rows, nr, h[3])->expires, "-"), 0);
	free(rows);

	/* Read a byte at a time, it says the same. */
	rows = read_debugfs(1, &nr);
	ASSERT_EQ(nr, 4);
	free(rows);
	close(fd);
	pm_nl_close(nl);
}

static void nobody_reads_debugfs(__u64 root_handle, int root_opened_fd)
{
	size_t ps = pm_page_size(), nr;
	char *buf = pm_map_anon(ps);
	struct row *rows;
	int fd;
	__u64 h;

	ASSERT_EQ(pm_become_nobody(), 0);
	fd = pm_open();
	ASSERT_NE(buf, NULL);
	ASSERT_GE(fd, 0);
	h = PIN_OK(fd, buf, ps, 0);
	rows = read_debugfs(4096, &nr);
	ASSERT_EQ(nr, 1);
	ASSERT_EQ(rows[0].handle, h);
	ASSERT_EQ(rows[0].uid, PM_NOBODY);
	free(rows);
	/* A file root opened shows what root may see. */
	rows = read_rows(root_opened_fd, 4096, &nr);
	ASSERT_EQ(nr, 2);
	ASSERT_NE(find_row(rows, nr, root_handle), NULL);
	free(rows);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	close(fd);
}

/* As pid 1 of a new pid namespace: only its own lease, its pid 1. */
static void debugfs_pidns_reader(void *buf)
{
	struct row *rows;
	size_t nr;
	int fd = pm_open();
	__u64 own;

	ASSERT_GE(fd, 0);
	own = PIN_OK(fd, buf, pm_page_size(), 0);
	rows = read_debugfs(4096, &nr);
	ASSERT_EQ(nr, 1);
	ASSERT_EQ(rows[0].handle, own);
	ASSERT_EQ(rows[0].tgid, 1);
	free(rows);
}

TEST(debugfs_shows_each_reader_what_it_may_see)
{
	size_t ps = pm_page_size();
	char *buf = pm_map_anon(ps);
	int fd = pm_open(), dfd;
	mode_t mode;
	pid_t pid;
	__u64 h;

	if (geteuid() != 0)
		SKIP("needs root");
	ASSERT_NE(buf, NULL);
	ASSERT_GE(fd, 0);
	h = PIN_OK(fd, buf, ps, 0);
	mode = open_debugfs();
	dfd = open(DEBUGFS_LEASES, O_RDONLY | O_CLOEXEC);
	ASSERT_GE(dfd, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* Read later: the walk starts at the first read. */
		nobody_reads_debugfs(h, dfd);
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	ASSERT_EQ(chmod(DEBUGFS_DIR, mode), 0);
	close(dfd);

	/* Opened in a child pid namespace: only what is visible there. */
	ASSERT_EQ(pm_in_new_pid_namespace(debugfs_pidns_reader, buf), 0);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	close(fd);
}

static int cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a;
	unsigned long long y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/*
 * Readers go through debugfs in small reads while other processes pin,
 * unpin, let leases expire, revoke them and close their files: every row
 * is whole, no lease comes twice in one read, and the leases that live
 * through it all are in every read exactly once. (On the debug kernel,
 * KASAN and lockdep judge the walk too.)
 */
TEST_TIMEOUT(debugfs_rows_are_whole_while_leases_come_and_go, 900)
{
	enum { STABLE = 2000, READS = 12 };
	size_t ps = pm_page_size(), nr, i, seen;
	unsigned long long *handles;
	struct pm_churn churn;
	struct row *rows;
	__u64 *h = calloc(STABLE, sizeof(*h));
	char *buf = pm_map_anon(16 * ps);
	int fd = pm_open(), round;

	ASSERT_NE(h, NULL);
	ASSERT_NE(buf, NULL);
	ASSERT_GE(fd, 0);
	pm_pin_many(fd, buf, 16, STABLE, 4, h);
	qsort(h, STABLE, sizeof(*h), cmp_ull);
	pm_churn_start(&churn, 7, 32, 8, 1, 5);
	for (round = 0; round < READS; round++) {
		/* Odd sizes: seq_file stops inside rows and starts again. */
		rows = read_debugfs(round % 2 ? 777 : 65536, &nr);
		handles = malloc((nr ? nr : 1) * sizeof(*handles));
		ASSERT_NE(handles, NULL);
		for (i = 0; i < nr; i++)
			handles[i] = rows[i].handle;
		qsort(handles, nr, sizeof(*handles), cmp_ull);
		for (i = 1; i < nr; i++)
			if (handles[i] == handles[i - 1])
				FAIL("read %d: handle %llu twice", round,
				     handles[i]);
		for (i = 0, seen = 0; i < nr && seen < STABLE; i++)
			if (handles[i] == h[seen])
				seen++;
		if (seen != STABLE)
			FAIL("read %d: %zu of %d stable leases listed", round,
			     seen, STABLE);
		free(handles);
		free(rows);
	}
	pm_churn_stop(&churn);
	close(fd);
	free(h);
}

/* ---- fdinfo ------------------------------------------------------------ */

TEST(fdinfo_shows_the_files_leases)
{
	size_t ps = pm_page_size(), nr;
	struct pm_nl *nl = pm_nl_open();
	struct pm_nl_lease l;
	struct row *rows;
	char *buf = pm_map_anon(4 * ps);
	int fd = pm_open(), fd2 = pm_open();
	__u64 a, b;

	ASSERT_NE(nl, NULL);
	ASSERT_NE(buf, NULL);
	ASSERT_GE(fd, 0);
	ASSERT_GE(fd2, 0);
	ASSERT_EQ(pm_fdinfo_value(fd, "pinmgr-leases"), 0);
	ASSERT_EQ(pm_fdinfo_value(fd, "pinmgr-pinned-pages"), 0);
	ASSERT_NE(pm_fdinfo_value(fd, "pinmgr-file-id"),
		  pm_fdinfo_value(fd2, "pinmgr-file-id"));

	a = PIN_OK(fd, buf, 3 * ps, PINMGR_PIN_WRITE);
	b = PIN_OK(fd, buf + 3 * ps, ps, 0);
	PIN_OK(fd2, buf, ps, 0);
	ASSERT_EQ(pm_fdinfo_value(fd, "pinmgr-leases"), 2);
	ASSERT_EQ(pm_fdinfo_value(fd, "pinmgr-pinned-pages"), 4);
	ASSERT_EQ(pm_fdinfo_value(fd2, "pinmgr-leases"), 1);
	ASSERT_EQ(pm_nl_lease_get(nl, a, &l), 0);
	ASSERT_EQ(l.file_id, pm_fdinfo_value(fd, "pinmgr-file-id"));

	/* The file's own leases, oldest first, as netlink has them. */
	rows = read_fdinfo(getpid(), fd, &nr);
	ASSERT_EQ(nr, 2);
	ASSERT_EQ(rows[0].handle, a);
	ASSERT_EQ(rows[1].handle, b);
	expect_row_matches(&rows[0], nl);
	expect_row_matches(&rows[1], nl);
	free(rows);

	ASSERT_EQ(pm_unpin(fd, a), 0);
	ASSERT_EQ(pm_fdinfo_value(fd, "pinmgr-leases"), 1);
	ASSERT_EQ(pm_fdinfo_value(fd, "pinmgr-pinned-pages"), 1);
	rows = read_fdinfo(getpid(), fd, &nr);
	ASSERT_EQ(nr, 1);
	ASSERT_EQ(rows[0].handle, b);
	free(rows);
	close(fd);
	close(fd2);
	pm_nl_close(nl);
}

/*
 * One file with leases of two uids (its process pinned as root, then as
 * nobody): the process, now nobody, sees its nobody lease in its fdinfo
 * and counts both; root sees both rows.
 */
TEST(fdinfo_shows_each_reader_what_it_may_see)
{
	size_t ps = pm_page_size();
	int ready[2], done[2];
	pid_t pid;
	char c;

	if (geteuid() != 0)
		SKIP("needs root");
	ASSERT_EQ(pipe2(ready, O_CLOEXEC), 0);
	ASSERT_EQ(pipe2(done, O_CLOEXEC), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char *buf = pm_map_anon(2 * ps);
		int fd = pm_open();
		struct row *rows;
		__u64 r, n;
		size_t nr;

		ASSERT_NE(buf, NULL);
		ASSERT_GE(fd, 0);
		r = PIN_OK(fd, buf, ps, 0);
		ASSERT_EQ(pm_become_nobody(), 0);
		/* Still able to read its own /proc entries. */
		ASSERT_EQ(prctl(PR_SET_DUMPABLE, 1), 0);
		n = PIN_OK(fd, buf + ps, ps, 0);
		ASSERT_EQ(pm_fdinfo_value(fd, "pinmgr-leases"), 2);
		rows = read_fdinfo(getpid(), fd, &nr);
		ASSERT_EQ(nr, 1);
		ASSERT_EQ(rows[0].handle, n);
		ASSERT_EQ(rows[0].uid, PM_NOBODY);
		free(rows);
		ASSERT_EQ(write(ready[1], &fd, sizeof(fd)), (ssize_t)sizeof(fd));
		ASSERT_EQ(read(done[0], &c, 1), 1);
		(void)r;
		_exit(0);
	}
	{
		struct row *rows;
		size_t nr;
		int cfd;

		ASSERT_EQ(read(ready[0], &cfd, sizeof(cfd)),
			  (ssize_t)sizeof(cfd));
		rows = read_fdinfo(pid, cfd, &nr);
		ASSERT_EQ(nr, 2);
		ASSERT_EQ(rows[0].uid, 0);
		ASSERT_EQ(rows[1].uid, PM_NOBODY);
		free(rows);
	}
	ASSERT_EQ(write(done[1], "x", 1), 1);
	ASSERT_EQ(pm_wait(pid), 0);
}

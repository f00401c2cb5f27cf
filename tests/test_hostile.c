// SPDX-License-Identifier: GPL-2.0-only
/*
 * A hostile owner: what an unprivileged user of the 0666 device can try
 * against its limits and against the administrator, each tried and refused.
 *
 *  - RLIMIT_MEMLOCK bounds the user: no exec, fork, exit or passed file
 *    lets it hold more.
 *  - A buffer whose fault never completes (userfaultfd, never served)
 *    stalls only the call that uses it: REVOKE, REVOKE_NOW, QUERY, the
 *    listings and the expiry work go on.
 *  - Every loop over a user-supplied count is bounded and killable.
 *  - Short-term pins, which skip FOLL_LONGTERM's migration and checks, are
 *    made long-term for callers without CAP_IPC_LOCK.
 *  - What is shown is who the pinner is now: its effective uid, and no pid
 *    once it has exited.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "fuse_stall.h"
#include "nl_client.h"

#define MiB		(1UL << 20)
/* The RLIMIT_MEMLOCK the limit tests give the unprivileged user. */
#define HO_LIMIT	MiB
/* How long an administrator's call may take while an owner stalls. */
#define HO_DEADLINE_MS	20000
/* The exec chain's continuation, in the environment of the new image. */
#define HO_EXEC_ENV	"PINMGR_HOSTILE_EXEC_FD"

/* ---- Helpers --------------------------------------------------------- */

static void ho_need_root(void)
{
	if (geteuid() != 0)
		SKIP("needs root");
}

/* In a child: RLIMIT_MEMLOCK of HO_LIMIT, then uid nobody, no capability. */
static void ho_become_limited_nobody(void)
{
	struct rlimit rl = { .rlim_cur = HO_LIMIT, .rlim_max = HO_LIMIT };

	ASSERT_EQ(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
	ASSERT_EQ(pm_become_nobody(), 0);
	ASSERT_FALSE(pm_have_cap(CAP_IPC_LOCK));
}

/* GET_INFO's user_pinned_pages for the calling process, through @fd. */
static __u64 ho_user_pages(int fd)
{
	struct pinmgr_info info;

	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_TRUE(info.features & PINMGR_FEATURE_USER_LIMITS);
	return info.user_pinned_pages;
}

/* Pin @len of fresh memory long-term through @fd: 0 or errno. */
static int ho_pin_fresh(int fd, size_t len, __u64 *handle)
{
	char *p = pm_map_anon(len);
	struct pinmgr_pin pin;

	if (!p)
		return ENOMEM;
	if (pm_pin(fd, p, len, PINMGR_PIN_LONGTERM, 0, &pin))
		return errno;
	if (handle)
		*handle = pin.out_handle;
	return 0;
}

/* ---- RLIMIT_MEMLOCK bounds a user ------------------------------------ */

/*
 * The second image of the exec chain: the device file of the first one is
 * still open, its lease still pinned; a new file in the new mm must not
 * get the user past its limit. Runs before main(), reports on the pipe
 * named in the environment: the pin's errno and the user's pages.
 */
static void __attribute__((constructor)) ho_exec_continuation(void)
{
	const char *env = getenv(HO_EXEC_ENV);
	__u64 report[3] = { 0 };
	int out, fd;

	if (!env)
		return;
	out = atoi(env);
	fd = open(PINMGR_DEVICE_PATH, O_RDWR);
	if (fd >= 0) {
		report[0] = ho_pin_fresh(fd, HO_LIMIT, NULL);
		report[1] = ho_user_pages(fd);
	} else {
		report[0] = 1000 + errno;
	}
	report[2] = pm_vmpin_kb();
	_exit(write(out, report, sizeof(report)) == sizeof(report) ? 0 : 1);
}

TEST(hostile_exec_does_not_reset_the_memlock_limit)
{
	size_t pages = HO_LIMIT / pm_page_size();
	long long base = pm_outstanding_pins();
	__u64 report[3];
	int rep[2];
	pid_t pid;

	ho_need_root();
	ASSERT_EQ(pipe(rep), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char num[16], *argv[] = { "pinmgr-tests", NULL };
		int fd;

		ho_become_limited_nobody();
		/* No O_CLOEXEC: the file and its lease live on in the new image. */
		fd = open(PINMGR_DEVICE_PATH, O_RDWR);
		ASSERT_GE(fd, 0);
		ASSERT_EQ(ho_pin_fresh(fd, HO_LIMIT, NULL), 0);
		ASSERT_EQ(ho_user_pages(fd), pages);
		snprintf(num, sizeof(num), "%d", rep[1]);
		ASSERT_EQ(setenv(HO_EXEC_ENV, num, 1), 0);
		execv("/proc/self/exe", argv);
		FAIL("exec: %s", strerror(errno));
	}
	close(rep[1]);
	ASSERT_EQ(read(rep[0], report, sizeof(report)), sizeof(report));
	ASSERT_EQ(pm_wait(pid), 0);
	close(rep[0]);
	/* Refused: the first image's lease is the user's still. */
	ASSERT_EQ(report[0], EDQUOT);
	ASSERT_EQ(report[1], pages);
	/* VmPin is the running process's: the new mm pinned nothing. */
	ASSERT_EQ(report[2], 0);
	/* The process is gone, and its files with it. */
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
}

TEST(hostile_passed_file_and_exit_keep_the_user_charged)
{
	size_t pages = HO_LIMIT / pm_page_size();
	long long base = pm_outstanding_pins();
	pid_t pid;

	ho_need_root();
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int sv[2], held, fd;
		pid_t owner;
		__u64 h, got;

		ho_become_limited_nobody();
		ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
				     sv), 0);
		owner = fork();
		ASSERT_GE(owner, 0);
		if (owner == 0) {
			fd = pm_open();
			ASSERT_GE(fd, 0);
			ASSERT_EQ(ho_pin_fresh(fd, HO_LIMIT, &h), 0);
			ASSERT_EQ(pm_send_fd(sv[1], fd, h), 0);
			_exit(0);	/* the pinner and its mm go away */
		}
		held = pm_recv_fd(sv[0], &got);
		ASSERT_GE(held, 0);
		ASSERT_EQ(pm_wait(owner), 0);

		/* Same user, another process: over the limit. */
		fd = pm_open();
		ASSERT_GE(fd, 0);
		ASSERT_EQ(ho_user_pages(fd), pages);
		ASSERT_EQ(ho_pin_fresh(fd, pm_page_size(), NULL), EDQUOT);
		/* A forked child is the same user too. */
		owner = fork();
		ASSERT_GE(owner, 0);
		if (owner == 0) {
			int cfd = pm_open();

			ASSERT_EQ(ho_pin_fresh(cfd, pm_page_size(), NULL),
				  EDQUOT);
			_exit(0);
		}
		ASSERT_EQ(pm_wait(owner), 0);
		/* The lease ends with the last file: the charge goes. */
		ASSERT_EQ(close(held), 0);
		ASSERT_EQ(ho_user_pages(fd), 0);
		ASSERT_EQ(ho_pin_fresh(fd, HO_LIMIT, NULL), 0);
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
}

/* ---- A stalled user copy holds up no one else ------------------------ */

/*
 * @len bytes of user memory whose page faults do not complete until
 * ho_stall_serve(), from user space or the kernel: an anonymous region of
 * a userfaultfd that nobody serves, or a mapping of a file whose FUSE
 * server holds its reads.
 */
enum ho_stall_kind { HO_UFFD, HO_FUSE };

struct ho_stall {
	enum ho_stall_kind kind;
	char *addr;
	size_t len;
	int uffd;
	struct pm_fuse *fuse;
};

static void ho_stall_setup(struct ho_stall *s, enum ho_stall_kind kind,
			   size_t len)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { 0 };
	int fd;

	s->kind = kind;
	s->len = len;
	if (kind == HO_FUSE) {
		s->fuse = pm_fuse_start(len);
		if (!s->fuse)
			SKIP_NEEDS("fuse", "no FUSE: %s", strerror(errno));
		fd = open(pm_fuse_path(s->fuse), O_RDONLY | O_CLOEXEC);
		ASSERT_GE(fd, 0);
		/* Private and writable: a write fault reads the page first. */
		s->addr = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE,
			       fd, 0);
		ASSERT_NE(s->addr, MAP_FAILED);
		close(fd);
		return;
	}
	s->uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	if (s->uffd < 0)
		SKIP_NEEDS("userfaultfd", "no userfaultfd: %s",
			   strerror(errno));
	ASSERT_EQ(ioctl(s->uffd, UFFDIO_API, &api), 0);
	s->addr = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(s->addr, MAP_FAILED);
	reg.range.start = (uintptr_t)s->addr;
	reg.range.len = len;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	ASSERT_EQ(ioctl(s->uffd, UFFDIO_REGISTER, &reg), 0);
}

/* Wait until something faults on the region: the stall has begun. */
static void ho_stall_wait(struct ho_stall *s)
{
	struct pollfd pfd = { .fd = s->uffd, .events = POLLIN };
	struct uffd_msg msg;

	if (s->kind == HO_FUSE) {
		ASSERT_EQ(pm_fuse_wait_read(s->fuse, HO_DEADLINE_MS), 0);
		return;
	}
	ASSERT_EQ(poll(&pfd, 1, HO_DEADLINE_MS), 1);
	ASSERT_EQ(read(s->uffd, &msg, sizeof(msg)), sizeof(msg));
	ASSERT_EQ(msg.event, UFFD_EVENT_PAGEFAULT);
}

/* Let every stalled access go on: zero pages for the whole region. */
static void ho_stall_serve(struct ho_stall *s)
{
	struct uffdio_zeropage zp = {
		.range = { .start = (uintptr_t)s->addr, .len = s->len },
	};

	if (s->kind == HO_FUSE) {
		pm_fuse_answer(s->fuse);
		return;
	}
	ASSERT_EQ(ioctl(s->uffd, UFFDIO_ZEROPAGE, &zp), 0);
}

static void ho_stall_end(struct ho_stall *s)
{
	munmap(s->addr, s->len);
	if (s->kind == HO_FUSE)
		pm_fuse_stop(s->fuse);
	else
		close(s->uffd);
}

/* A call of the owner's, in a thread, that stalls on the region. */
struct ho_call {
	int fd;
	__u64 handle;
	struct ho_stall *u;
	int write;
	long ret;
	int err;
};

static void *ho_read_events(void *arg)
{
	struct ho_call *c = arg;

	c->ret = read(c->fd, c->u->addr, 4 * sizeof(struct pinmgr_event));
	c->err = errno;
	return NULL;
}

static void *ho_access(void *arg)
{
	struct ho_call *c = arg;

	c->ret = pm_access(c->fd, c->handle, 0, c->u->len, c->u->addr,
			   c->write ? PINMGR_ACCESS_WRITE : 0);
	c->err = errno;
	return NULL;
}

/* What the administrator does while the owner stalls, in a thread. */
struct ho_admin {
	int admin, owner;
	__u64 revoke_now, breaking, expiring;
	int revoke_ret, revoke_err;
	__u32 revoked_state, expired_state;
	int nl_ret;
	long debugfs_bytes;
	int done;
};

/* Poll QUERY until @handle leaves @state; the state it reached. */
static __u32 ho_state_after(int fd, __u64 handle, __u32 state)
{
	struct pinmgr_query q;
	int i;

	for (i = 0; i < HO_DEADLINE_MS / 10; i++) {
		if (pm_query(fd, handle, &q))
			return 0;
		if (q.out_state != state)
			return q.out_state;
		pm_msleep(10);
	}
	return state;
}

static void *ho_admin_work(void *arg)
{
	struct ho_admin *a = arg;
	struct pm_nl_lease l;
	struct pm_nl *nl;
	char buf[4096];
	ssize_t n;
	int dfd;

	a->revoke_ret = pm_revoke(a->admin, a->revoke_now, PINMGR_REVOKE_NOW,
				  NULL);
	a->revoke_err = errno;
	/* QUERY takes the owner's context lock. */
	a->revoked_state = ho_state_after(a->owner, a->revoke_now,
					  PINMGR_LEASE_ACTIVE);
	if (a->expiring)
		a->expired_state = ho_state_after(a->owner, a->expiring,
						  PINMGR_LEASE_ACTIVE);
	nl = pm_nl_open();
	a->nl_ret = nl ? pm_nl_lease_get(nl, a->breaking, &l) : -errno;
	if (nl)
		pm_nl_close(nl);
	a->debugfs_bytes = -1;
	dfd = open("/sys/kernel/debug/pinmgr/leases", O_RDONLY | O_CLOEXEC);
	if (dfd >= 0) {
		a->debugfs_bytes = 0;
		while ((n = read(dfd, buf, sizeof(buf))) > 0)
			a->debugfs_bytes += n;
		close(dfd);
	}
	__atomic_store_n(&a->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Run the administrator's work; it must be done while the owner stalls. */
static void ho_admin_while_stalled(struct ho_admin *a, struct ho_call *c)
{
	pthread_t th;
	int i;

	ASSERT_EQ(pthread_create(&th, NULL, ho_admin_work, a), 0);
	for (i = 0; i < HO_DEADLINE_MS / 10 &&
		    !__atomic_load_n(&a->done, __ATOMIC_ACQUIRE); i++)
		pm_msleep(10);
	if (!__atomic_load_n(&a->done, __ATOMIC_ACQUIRE)) {
		/* Let it go, so the test ends, and say what happened. */
		ho_stall_serve(c->u);
		FAIL("the administrator was held up by the owner's stalled copy");
	}
	ASSERT_EQ(pthread_join(th, NULL), 0);
	ASSERT_EQ(a->revoke_ret, 0);
	ASSERT_EQ(a->revoked_state, PINMGR_LEASE_REVOKED);
	ASSERT_EQ(a->nl_ret, 0);
	if (a->expiring)
		ASSERT_EQ(a->expired_state, PINMGR_LEASE_EXPIRED);
}

static void ho_stalled_read(enum ho_stall_kind kind)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(3 * ps);
	long long base = pm_outstanding_pins();
	struct pinmgr_event *ev, extra;
	int got_revoked = 0, got_expired = 0;
	struct pinmgr_pin pin;
	struct ho_admin a = { 0 };
	size_t i;
	struct ho_call c = { 0 };
	struct ho_stall u;
	pthread_t th;
	int fd = pm_open();

	ho_need_root();
	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	ASSERT_EQ(pm_param_write("break_time_ms", 3600000), 0);
	a.owner = fd;
	a.admin = pm_open();
	ASSERT_GE(a.admin, 0);
	a.breaking = PIN_OK(fd, p, ps, 0);
	a.revoke_now = PIN_OK(fd, p + ps, ps, 0);
	/* A BREAKING event for the reader to stall on. */
	ASSERT_EQ(pm_revoke(a.admin, a.breaking, 0, NULL), 0);

	ho_stall_setup(&u, kind, ps);
	c = (struct ho_call){ .fd = fd, .u = &u };
	ASSERT_EQ(pthread_create(&th, NULL, ho_read_events, &c), 0);
	ho_stall_wait(&u);
	/* The expiry work needs the owner's lock as well. */
	ASSERT_EQ(pm_pin_for(fd, p + 2 * ps, ps, PINMGR_PIN_LONGTERM, 1000,
			     &pin), 0);
	a.expiring = pin.out_handle;
	ho_admin_while_stalled(&a, &c);
	ASSERT_GE(a.debugfs_bytes, 0);

	ho_stall_serve(&u);
	ASSERT_EQ(pthread_join(th, NULL), 0);
	/*
	 * The reader gets the oldest first, then whatever came meanwhile
	 * and fits; the rest stay queued. Each event once.
	 */
	ASSERT_GE(c.ret, (long)sizeof(*ev));
	ASSERT_EQ(c.ret % sizeof(*ev), 0);
	ev = (struct pinmgr_event *)u.addr;
	ASSERT_EQ(ev[0].type, PINMGR_EVENT_BREAKING);
	ASSERT_EQ(ev[0].handle, a.breaking);
	for (i = 1; i < c.ret / sizeof(*ev); i++) {
		ASSERT_TRUE(ev[i].type == PINMGR_EVENT_REVOKED ||
			    ev[i].type == PINMGR_EVENT_EXPIRED);
		got_revoked += ev[i].type == PINMGR_EVENT_REVOKED;
		got_expired += ev[i].type == PINMGR_EVENT_EXPIRED;
	}
	if (!got_revoked)
		pm_expect_event(fd, PINMGR_EVENT_REVOKED, a.revoke_now, 5000,
				NULL);
	if (!got_expired)
		pm_expect_event(fd, PINMGR_EVENT_EXPIRED, a.expiring, 5000,
				NULL);
	ASSERT_EQ(pm_read_event(fd, &extra, 0), 0);
	ho_stall_end(&u);
	ASSERT_ERRNO(pm_unpin(fd, a.revoke_now), EKEYREVOKED);
	ASSERT_ERRNO(pm_unpin(fd, a.expiring), EKEYEXPIRED);
	ASSERT_EQ(pm_unpin(fd, a.breaking), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	close(a.admin);
	close(fd);
}

TEST(hostile_stalled_event_read_holds_up_no_one)
{
	ho_stalled_read(HO_UFFD);
}

TEST(hostile_fuse_stalled_event_read_holds_up_no_one)
{
	ho_stalled_read(HO_FUSE);
}

/* ACCESS either way with its buffer stalled: REVOKE_NOW releases at once. */
static void ho_stalled_access(enum ho_stall_kind kind, int write)
{
	size_t ps = pm_page_size(), len = 4 * ps;
	char *p = pm_map_anon(len);
	long long base = pm_outstanding_pins();
	struct ho_admin a = { 0 };
	struct ho_call c;
	struct ho_stall u;
	pthread_t th;
	int fd = pm_open();

	ho_need_root();
	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	a.owner = fd;
	a.admin = pm_open();
	ASSERT_GE(a.admin, 0);
	a.revoke_now = PIN_OK(fd, p, len, PINMGR_PIN_WRITE);
	a.breaking = a.revoke_now;
	memset(p, 0x5a, len);

	ho_stall_setup(&u, kind, len);
	c = (struct ho_call){
		.fd = fd, .handle = a.revoke_now, .u = &u, .write = write,
	};
	ASSERT_EQ(pthread_create(&th, NULL, ho_access, &c), 0);
	ho_stall_wait(&u);
	ho_admin_while_stalled(&a, &c);
	/* Released while the ACCESS still waits for its buffer. */
	ASSERT_EQ(pm_outstanding_pins() - base, 0);

	ho_stall_serve(&u);
	ASSERT_EQ(pthread_join(th, NULL), 0);
	/* It stops at the next page, with the lease's end. */
	ASSERT_EQ(c.ret, -1);
	ASSERT_EQ(c.err, EKEYREVOKED);
	/* Nothing reached the owner's pages after the end. */
	ASSERT_ALL_BYTES(p, len, 0x5a);
	ASSERT_ERRNO(pm_unpin(fd, a.revoke_now), EKEYREVOKED);
	ho_stall_end(&u);
	close(a.admin);
	close(fd);
}

TEST(hostile_stalled_access_read_holds_up_no_one)
{
	ho_stalled_access(HO_UFFD, 0);
}

TEST(hostile_stalled_access_write_holds_up_no_one)
{
	ho_stalled_access(HO_UFFD, 1);
}

TEST(hostile_fuse_stalled_access_read_holds_up_no_one)
{
	ho_stalled_access(HO_FUSE, 0);
}

TEST(hostile_fuse_stalled_access_write_holds_up_no_one)
{
	ho_stalled_access(HO_FUSE, 1);
}

/* ---- Bounded and killable -------------------------------------------- */

TEST(hostile_struct_sizes_are_capped)
{
	size_t ps = pm_page_size(), stride = PINMGR_STRUCT_SIZE_MAX + 8;
	char *p = pm_map_anon(ps);
	struct pinmgr_pin_range *r;
	struct pinmgr_pin_vec vec;
	struct pinmgr_info *info;
	char *ranges = calloc(2, stride);
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(ranges, NULL);
	ASSERT_NE(p, NULL);
	r = (struct pinmgr_pin_range *)ranges;
	*r = (struct pinmgr_pin_range){
		.addr = (uintptr_t)p, .length = ps,
		.flags = PINMGR_PIN_LONGTERM,
	};
	memcpy(ranges + stride, r, sizeof(*r));
	/* A zero tail is fine, but not a huge one: E2BIG, nothing pinned. */
	ASSERT_ERRNO(pm_pin_vec(fd, ranges, 2, stride, &vec), E2BIG);
	ASSERT_EQ(vec.out_error_index, 2);
	ASSERT_EQ(r->out_handle, 0);
	/* Up to the cap, tails are read and must be zero. */
	memset(ranges + stride, 0, stride);
	memcpy(ranges + PINMGR_STRUCT_SIZE_MAX, r, sizeof(*r));
	ASSERT_EQ(pm_pin_vec(fd, ranges, 2, PINMGR_STRUCT_SIZE_MAX, &vec), 0);
	ASSERT_NE(r->out_handle, 0);
	ASSERT_EQ(pm_unpin(fd, r->out_handle), 0);
	ASSERT_EQ(pm_unpin(fd, ((struct pinmgr_pin_range *)
				(ranges + PINMGR_STRUCT_SIZE_MAX))->out_handle),
		  0);

	/* The size of an ioctl's structure likewise, up to 4 GiB - 1. */
	info = calloc(1, PINMGR_STRUCT_SIZE_MAX + 1);
	ASSERT_NE(info, NULL);
	info->size = PINMGR_STRUCT_SIZE_MAX + 1;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_GET_INFO, info), E2BIG);
	info->size = 0xffffffffu;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_GET_INFO, info), E2BIG);
	info->size = PINMGR_STRUCT_SIZE_MAX;
	ASSERT_EQ(ioctl(fd, PINMGR_IOC_GET_INFO, info), 0);
	free(info);
	free(ranges);
	close(fd);
}

/* A long call, made over and over by a child until it is killed. */
enum ho_long_call { HO_PIN, HO_PIN_VEC, HO_ACCESS, HO_SEGMENTS };

#define HO_LONG_BYTES	(64 * MiB)
#define HO_VEC_RANGES	PINMGR_PIN_VEC_MAX

static void ho_long_calls(enum ho_long_call what, int ready)
{
	size_t ps = pm_page_size(), i, per = HO_LONG_BYTES / HO_VEC_RANGES;
	char *p = pm_map_small_pages(HO_LONG_BYTES);
	struct pinmgr_pin_range *r = NULL;
	struct pinmgr_segment *segs = NULL;
	struct pinmgr_get_segments gs;
	struct pinmgr_pin_vec vec;
	char *buf = NULL;
	int fd = pm_open();
	__u64 h = 0;

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	if (what == HO_PIN_VEC) {
		r = calloc(HO_VEC_RANGES, sizeof(*r));
		ASSERT_NE(r, NULL);
		for (i = 0; i < HO_VEC_RANGES; i++)
			r[i] = (struct pinmgr_pin_range){
				.addr = (uintptr_t)p + i * per, .length = per,
			};
	} else if (what != HO_PIN) {
		h = PIN_OK(fd, p, HO_LONG_BYTES, PINMGR_PIN_WRITE);
		buf = pm_map_anon(HO_LONG_BYTES);
		segs = (void *)buf;
		ASSERT_NE(buf, NULL);
	}
	ASSERT_EQ(write(ready, "r", 1), 1);
	for (;;) {
		switch (what) {
		case HO_PIN:
			h = PIN_OK(fd, p, HO_LONG_BYTES, PINMGR_PIN_WRITE);
			ASSERT_EQ(pm_unpin(fd, h), 0);
			break;
		case HO_PIN_VEC:
			ASSERT_EQ(pm_pin_vec(fd, r, HO_VEC_RANGES, sizeof(*r),
					     &vec), 0);
			for (i = 0; i < HO_VEC_RANGES; i++)
				ASSERT_EQ(pm_unpin(fd, r[i].out_handle), 0);
			break;
		case HO_ACCESS:
			ASSERT_EQ(ACCESS_READ(fd, h, 0, HO_LONG_BYTES, buf), 0);
			break;
		case HO_SEGMENTS:
			memset(&gs, 0, sizeof(gs));
			gs.size = sizeof(gs);
			gs.handle = h;
			gs.segments = (uintptr_t)segs;
			gs.nr_segments = HO_LONG_BYTES / ps;
			ASSERT_EQ(ioctl(fd, PINMGR_IOC_GET_SEGMENTS, &gs), 0);
			break;
		}
	}
}

/*
 * SIGKILL a child in the middle of its long calls: it must be gone within
 * a second (five on the debug kernel, whose KASAN makes the release of
 * what it pinned slow), its pins released.
 */
static void ho_killed_quickly(enum ho_long_call what)
{
	long long base = pm_outstanding_pins(), bound_ms;
	__u64 t0, took;
	int ready[2];
	pid_t pid;
	char c;

	bound_ms = access("/proc/self/fail-nth", F_OK) ? 1000 : 5000;
	ASSERT_EQ(pipe2(ready, O_CLOEXEC), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		ho_long_calls(what, ready[1]);
	/* A child that fails before it is ready ends the read. */
	close(ready[1]);
	ASSERT_EQ(read(ready[0], &c, 1), 1);
	/* Well into the calls: each takes longer than this. */
	pm_msleep(300);
	t0 = pm_monotonic_ns();
	ASSERT_EQ(kill(pid, SIGKILL), 0);
	ASSERT_EQ(pm_wait(pid), 128 + SIGKILL);
	took = (pm_monotonic_ns() - t0) / PM_MS;
	pm_diag("killed after %llu ms", (unsigned long long)took);
	ASSERT_LE(took, bound_ms);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	close(ready[0]);
}

TEST(hostile_kill_during_pin)
{
	ho_killed_quickly(HO_PIN);
}

TEST(hostile_kill_during_pin_vec)
{
	ho_need_root();
	ho_killed_quickly(HO_PIN_VEC);
}

TEST(hostile_kill_during_access)
{
	ho_killed_quickly(HO_ACCESS);
}

TEST(hostile_kill_during_get_segments)
{
	ho_need_root();
	ho_killed_quickly(HO_SEGMENTS);
}

/* ---- Short-term pins are for CAP_IPC_LOCK -------------------------- */

/* QUERY's flags of a lease pinned with @flags through @fd. */
static __u32 ho_pinned_flags(int fd, void *p, size_t len, __u32 flags)
{
	struct pinmgr_query q;
	__u64 h = PIN_OK(fd, p, len, flags);

	ASSERT_EQ(pm_query(fd, h, &q), 0);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	return q.out_pin_flags;
}

/*
 * A short-term pin skips what long-term pins go through (migration out of
 * ZONE_MOVABLE and CMA, the refusal of file mappings that need writeback)
 * and could be held for ever: without CAP_IPC_LOCK it is made long-term.
 */
TEST(hostile_short_term_pins_need_cap_ipc_lock)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(ps);
	long long base = pm_outstanding_pins();
	int fd = pm_open();

	ho_need_root();
	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	/* With the capability, short-term pins are what they say. */
	ASSERT_EQ(ho_pinned_flags(fd, p, ps, 0), 0);
	ASSERT_EQ(ho_pinned_flags(fd, p, ps, PINMGR_PIN_WRITE),
		  PINMGR_PIN_WRITE);
	ASSERT_EQ(pm_drop_cap(CAP_IPC_LOCK), 0);
	ASSERT_EQ(ho_pinned_flags(fd, p, ps, 0), PINMGR_PIN_LONGTERM);
	ASSERT_EQ(ho_pinned_flags(fd, p, ps, PINMGR_PIN_WRITE),
		  PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM);

	/* And they are refused where long-term pins are (Linux 6.5 on). */
	if (getenv("PINMGR_EXTFS") && pm_kver() >= PM_KV(6, 5)) {
		char path[256];
		int ffd;
		char *m;

		snprintf(path, sizeof(path), "%s/hostile-short",
			 getenv("PINMGR_EXTFS"));
		ffd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		ASSERT_GE(ffd, 0);
		ASSERT_EQ(ftruncate(ffd, ps), 0);
		m = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, ffd, 0);
		ASSERT_NE(m, MAP_FAILED);
		m[0] = 1;
		ASSERT_ERRNO(pm_pin(fd, m, ps, PINMGR_PIN_WRITE, 0, NULL),
			     EFAULT);
		munmap(m, ps);
		close(ffd);
		unlink(path);
	}
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	close(fd);
}

/* ---- Who is shown ---------------------------------------------------- */

/*
 * A setuid program's lease is its effective user's: the user who ran it
 * does not see it (it used to: the lease recorded the real uid).
 */
TEST(hostile_setuid_pinner_is_shown_by_effective_uid)
{
	size_t ps = pm_page_size();
	struct pm_nl_lease *all;
	struct pinmgr_query q;
	int sv[2], fd, seen = 0;
	size_t nr, i;
	pid_t pid;
	__u64 h;

	ho_need_root();
	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char *p = pm_map_anon(ps);
		int ofd;

		/* As a setuid-root program run by nobody. */
		ASSERT_EQ(setresuid(PM_NOBODY, 0, 0), 0);
		ofd = pm_open();
		ASSERT_GE(ofd, 0);
		ASSERT_EQ(pm_send_fd(sv[1], ofd,
				     PIN_OK(ofd, p, ps, PINMGR_PIN_LONGTERM)),
			  0);
		/* Hold it until the parent is done. */
		ASSERT_EQ(read(sv[1], &h, 1), 1);
		_exit(0);
	}
	fd = pm_recv_fd(sv[0], &h);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(pm_query(fd, h, &q), 0);
	ASSERT_EQ(q.out_owner_uid, 0);

	/* Nobody does not see it through netlink. */
	if (fork() == 0) {
		struct pm_nl *nl;

		ASSERT_EQ(pm_become_nobody(), 0);
		nl = pm_nl_open();
		ASSERT_NE(nl, NULL);
		ASSERT_EQ(pm_nl_dump(nl, NULL, &all, &nr), 0);
		for (i = 0; i < nr; i++)
			seen += all[i].handle == h;
		ASSERT_EQ(seen, 0);
		free(all);
		pm_nl_close(nl);
		_exit(0);
	}
	ASSERT_EQ(wait(NULL) > 0, 1);
	ASSERT_EQ(write(sv[0], "x", 1), 1);
	ASSERT_EQ(pm_wait(pid), 0);
	close(fd);
	close(sv[0]);
	close(sv[1]);
}

/*
 * Once the pinner has exited, its pid number may be another process's:
 * its leases show no pid and match no pid filter.
 */
TEST(hostile_exited_owner_shows_no_pid)
{
	size_t ps = pm_page_size();
	struct pm_nl_filter f = { .has = PM_NL_F_TGID };
	struct pm_nl_lease *found, l;
	struct pinmgr_query q;
	struct pm_nl *nl;
	int sv[2], fd;
	size_t nr;
	pid_t pid;
	__u64 h;

	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char *p = pm_map_anon(ps);
		int ofd = pm_open();

		ASSERT_GE(ofd, 0);
		ASSERT_EQ(pm_send_fd(sv[1], ofd,
				     PIN_OK(ofd, p, ps, PINMGR_PIN_LONGTERM)),
			  0);
		_exit(0);
	}
	fd = pm_recv_fd(sv[0], &h);
	ASSERT_GE(fd, 0);
	/* While it lives, it is shown. */
	ASSERT_EQ(pm_query(fd, h, &q), 0);
	ASSERT_TRUE(q.out_owner_tgid == (__u32)pid || q.out_owner_tgid == 0);
	ASSERT_EQ(pm_wait(pid), 0);

	ASSERT_EQ(pm_query(fd, h, &q), 0);
	ASSERT_EQ(q.out_owner_tgid, 0);
	nl = pm_nl_open();
	ASSERT_NE(nl, NULL);
	ASSERT_EQ(pm_nl_lease_get(nl, h, &l), 0);
	ASSERT_EQ(l.tgid, 0);
	f.tgid = pid;
	ASSERT_EQ(pm_nl_dump(nl, &f, &found, &nr), 0);
	ASSERT_EQ(nr, 0);
	free(found);
	/* Nor does the 0 it shows. */
	f.tgid = 0;
	ASSERT_EQ(pm_nl_dump(nl, &f, &found, &nr), 0);
	ASSERT_EQ(nr, 0);
	free(found);
	pm_nl_close(nl);
	close(fd);
	close(sv[0]);
	close(sv[1]);
}

/*
 * REVOKE of a lease whose owner is closing its file, when that file never
 * had an event queue: REVOKE must not give the closed file a queue that
 * nobody frees (the debug kernel's kmemleak scan after the suite sees it).
 */
TEST_TIMEOUT(hostile_revoke_racing_close_leaks_no_queue, 300)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(ps);
	long long base = pm_outstanding_pins();
	int admin = pm_open(), i, ret, revoked = 0, gone = 0;

	ho_need_root();
	ASSERT_GE(admin, 0);
	ASSERT_NE(p, NULL);
	for (i = 0; i < 300; i++) {
		int go[2], sv[2];
		pid_t pid;
		__u64 h;
		char c;

		ASSERT_EQ(pipe2(go, O_CLOEXEC), 0);
		ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
				     sv), 0);
		pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0) {
			int fd = pm_open();

			h = PIN_OK(fd, p, ps, PINMGR_PIN_LONGTERM);
			ASSERT_EQ(write(sv[1], &h, sizeof(h)), sizeof(h));
			ASSERT_EQ(read(go[0], &c, 1), 1);
			close(fd);
			_exit(0);
		}
		ASSERT_EQ(read(sv[0], &h, sizeof(h)), sizeof(h));
		ASSERT_EQ(write(go[1], "g", 1), 1);
		ret = pm_revoke(admin, h, i % 2 ? PINMGR_REVOKE_NOW : 0, NULL);
		if (ret)
			ASSERT_EQ(errno, ENOENT);
		revoked += !ret;
		gone += !!ret;
		ASSERT_EQ(pm_wait(pid), 0);
		close(go[0]);
		close(go[1]);
		close(sv[0]);
		close(sv[1]);
	}
	pm_diag("%d revoked before the close, %d found closed", revoked, gone);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	close(admin);
}

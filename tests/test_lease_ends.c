// SPDX-License-Identifier: GPL-2.0-only
/*
 * Leases that end on their own or are taken back: expiry, RENEW, REVOKE as
 * a break or at once, what the owner sees afterwards (QUERY, UNPIN's
 * acknowledgement, ACCESS), the event stream (read, poll, epoll, O_ASYNC,
 * overflow), and the races between those paths. Every way a lease ends is
 * checked for its event and for the pin counters.
 *
 * Nothing here depends on how fast the kernel runs (the debug kernel under
 * TCG is slow, and slower still when busy): a lease that must stay live
 * while it is looked at has an end an hour away, and is given a short one
 * afterwards; "it did not happen by then" is asked of a tick (le_tick()),
 * never of a sleep; waits for what is due have deadlines only a hang
 * misses. Where a test needs two calls to beat a short deadline, it tries
 * again with twice the time when the kernel was slower (le_in_time()).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/capability.h>

#include "harness.h"

/* What the context holds: leases (records) and pages still pinned. */
#define ASSERT_CTX(fd, leases, pages)					\
	do {								\
		struct pinmgr_info _i;					\
		ASSERT_EQ(pm_get_info((fd), &_i), 0);			\
		ASSERT_EQ(_i.ctx_leases, (leases));			\
		ASSERT_EQ(_i.ctx_pinned_pages, (pages));		\
	} while (0)

/* How long anything due may take to happen: only a hang misses it. */
#define LE_WAIT_MS	30000
#define LE_HOUR_MS	3600000
#define LE_HOUR		(LE_HOUR_MS * PM_MS)

static void le_set_param(const char *name, unsigned long long val)
{
	if (pm_param_write(name, val))
		FAIL("cannot set %s=%llu: %s", name, val, strerror(errno));
}

/*
 * Wait until all that is due on @fd's context within @after_ns from now
 * has happened: pin a tick, a lease of @page with that duration, and wait
 * for its expiry. The context's work ends its leases in the order of their
 * deadlines and queues each event as it goes, so whatever was due before
 * the tick has its event queued before the tick's. Those events go into
 * @evs (at most @max: one more is a failure); returns how many. The tick
 * is acknowledged and gone.
 */
static size_t le_tick(int fd, const void *page, __u64 after_ns,
		      struct pinmgr_event *evs, size_t max)
{
	struct pinmgr_event ev;
	struct pinmgr_pin tick;
	size_t n = 0;
	int r;

	ASSERT_EQ(pm_pin_for(fd, page, pm_page_size(), 0, after_ns, &tick), 0);
	for (;;) {
		r = pm_read_event(fd, &ev, LE_WAIT_MS);
		if (r != 1)
			FAIL("the tick of %llu ms did not expire within %u ms (%s)",
			     (unsigned long long)(after_ns / PM_MS), LE_WAIT_MS,
			     r ? strerror(errno) : "no event");
		if (ev.handle == tick.out_handle)
			break;
		if (n == max)
			FAIL("unexpected event before the tick: type %u handle %llu",
			     ev.type, (unsigned long long)ev.handle);
		evs[n++] = ev;
	}
	ASSERT_EQ(ev.type, PINMGR_EVENT_EXPIRED);
	ASSERT_ERRNO(pm_unpin(fd, tick.out_handle), EKEYEXPIRED);
	return n;
}

/*
 * Wait until lease @h of @fd has ended: its end time is set, in the same
 * hold of the context's lock that queues its event (QUERY says EXPIRED or
 * REVOKED already while the pages are being released). Returns its state.
 */
static __u32 le_wait_ended(int fd, __u64 h)
{
	__u64 end = pm_monotonic_ns() + LE_WAIT_MS * PM_MS;
	struct pinmgr_query q;

	for (;;) {
		ASSERT_EQ(pm_query(fd, h, &q), 0);
		if (q.out_end_time_ns)
			return q.out_state;
		if (pm_monotonic_ns() > end)
			FAIL("lease %llu has not ended %u ms after it was due",
			     (unsigned long long)h, LE_WAIT_MS);
		pm_msleep(5);
	}
}

/*
 * Two calls that must both come before a deadline @ms after the first:
 * @try(@arg, @ms) makes them, and returns 0 when the kernel was slower and
 * the deadline won (having tidied up). Tried with 250 ms, then twice as
 * long each time, so that a slow kernel makes the test slower, not fail.
 */
static void le_in_time(int (*try)(void *arg, unsigned int ms), void *arg)
{
	unsigned int ms;

	for (ms = 250; ms <= LE_WAIT_MS; ms *= 2) {
		if (try(arg, ms))
			return;
		pm_diag("the kernel was slower than a %u ms deadline: again with twice that",
			ms);
	}
	FAIL("two calls in a row kept taking over %u ms", LE_WAIT_MS);
}

/* No event is queued on @fd now. */
static void le_no_event(int fd)
{
	struct pinmgr_event ev;
	int r = pm_read_event(fd, &ev, 0);

	if (r != 0)
		FAIL("unexpected event: read %d, type %u handle %llu", r,
		     r == 1 ? ev.type : 0,
		     r == 1 ? (unsigned long long)ev.handle : 0);
}

/* The owner's view of an ended lease, until and after its acknowledgement. */
static void le_assert_ended(int fd, __u64 h, __u32 state, int err,
			    __u64 npages, char *p)
{
	struct pinmgr_query q;
	struct pinmgr_list l;
	__u64 handles[4];
	char buf[64];

	ASSERT_EQ(pm_query(fd, h, &q), 0);
	ASSERT_EQ(q.out_state, state);
	ASSERT_EQ(q.out_nr_pages, npages);
	ASSERT_EQ(q.out_nr_runs, 0);
	ASSERT_NE(q.out_end_time_ns, 0);
	ASSERT_GE(q.out_end_time_ns, q.out_create_time_ns);
	ASSERT_ERRNO(ACCESS_READ(fd, h, 0, sizeof(buf), buf), err);
	ASSERT_ERRNO(pm_renew(fd, h, 1000 * PM_MS), err);
	/* RENEW resurrected nothing. */
	ASSERT_EQ(pm_query(fd, h, &q), 0);
	ASSERT_EQ(q.out_state, state);
	/* The handle is still this context's: LIST names it. */
	ASSERT_EQ(pm_list(fd, handles, 4, &l), 0);
	ASSERT_EQ(l.out_total, 1);
	ASSERT_EQ(handles[0], h);
	ASSERT_CTX(fd, 1, 0);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	/* UNPIN acknowledges once; then the handle is gone. */
	ASSERT_ERRNO(pm_unpin(fd, h), err);
	ASSERT_ERRNO(pm_unpin(fd, h), ENOENT);
	ASSERT_ERRNO(pm_query(fd, h, &q), ENOENT);
	ASSERT_CTX(fd, 0, 0);
	/* The process's memory is its own again, untouched. */
	if (p)
		ASSERT_ALL_BYTES(p, 8, 0x3c);
}

/* ---- Expiry ----------------------------------------------------------- */

TEST(expiry_releases_pages_then_tells_owner)
{
	size_t ps = pm_page_size(), n = 8;
	char *p = pm_map_anon(n * ps);
	struct pinmgr_event ev;
	struct pinmgr_query q;
	struct pinmgr_pin pin;
	int fd = pm_open();
	long long base = pm_outstanding_pins();
	__u64 t0;

	ASSERT_GE(fd, 0);
	memset(p, 0x3c, n * ps);
	/* Due in an hour while it is looked at live... */
	t0 = pm_realtime_ns();
	ASSERT_EQ(pm_pin_for(fd, p, n * ps, PINMGR_PIN_WRITE, LE_HOUR, &pin),
		  0);
	ASSERT_EQ(pm_query(fd, pin.out_handle, &q), 0);
	ASSERT_EQ(q.out_state, PINMGR_LEASE_ACTIVE);
	ASSERT_GE(q.out_expire_time_ns, t0 + LE_HOUR - 5 * PM_MS);
	ASSERT_LE(q.out_expire_time_ns, pm_realtime_ns() + LE_HOUR);
	ASSERT_EQ(q.out_break_deadline_ns, 0);
	ASSERT_EQ(q.out_end_time_ns, 0);
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)n);
	le_no_event(fd);

	/* ...then in 200 ms. */
	t0 = pm_realtime_ns();
	ASSERT_EQ(pm_renew(fd, pin.out_handle, 200 * PM_MS), 0);
	ASSERT_EQ(pm_query(fd, pin.out_handle, &q), 0);
	ASSERT_GE(q.out_expire_time_ns, t0 + 200 * PM_MS - 5 * PM_MS);
	ASSERT_LE(q.out_expire_time_ns, pm_realtime_ns() + 200 * PM_MS);
	pm_expect_event(fd, PINMGR_EVENT_EXPIRED, pin.out_handle, LE_WAIT_MS,
			&ev);
	ASSERT_EQ(ev.size, sizeof(ev));
	ASSERT_EQ(ev.cookie, 0);
	ASSERT_EQ(ev.nr_pages, n);
	ASSERT_EQ(ev.deadline_ns, 0);
	ASSERT_EQ(ev.lost, 0);
	/* Not before its time (the clocks agree to a few milliseconds). */
	ASSERT_GE(ev.time_ns + 5 * PM_MS, q.out_expire_time_ns);
	/* The event comes after the pages went. */
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	le_assert_ended(fd, pin.out_handle, PINMGR_LEASE_EXPIRED, EKEYEXPIRED,
			n, p);
	close(fd);
	pm_unmap(p, n * ps);
}

/* PIN_VEC ranges with their own durations expire on their own. */
TEST(expiry_pin_vec_ranges_each_their_own)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(3 * ps);
	struct pinmgr_pin_range r[3];
	struct pinmgr_event ev;
	struct pinmgr_query q;
	int fd = pm_open(), i;
	long long base = pm_outstanding_pins();

	ASSERT_GE(fd, 0);
	memset(r, 0, sizeof(r));
	for (i = 0; i < 3; i++) {
		r[i].addr = (uintptr_t)(p + i * ps);
		r[i].length = ps;
		r[i].cookie = 100 + i;
	}
	r[0].duration_ns = 100 * PM_MS;
	r[2].duration_ns = 3600000 * PM_MS;
	ASSERT_EQ(pm_pin_vec(fd, r, 3, sizeof(r[0]), NULL), 0);
	pm_expect_event(fd, PINMGR_EVENT_EXPIRED, r[0].out_handle, LE_WAIT_MS,
			&ev);
	ASSERT_EQ(ev.cookie, 100);
	ASSERT_EQ(pm_query(fd, r[1].out_handle, &q), 0);
	ASSERT_EQ(q.out_state, PINMGR_LEASE_ACTIVE);
	ASSERT_EQ(q.out_expire_time_ns, 0);
	ASSERT_EQ(pm_query(fd, r[2].out_handle, &q), 0);
	ASSERT_EQ(q.out_state, PINMGR_LEASE_ACTIVE);
	ASSERT_NE(q.out_expire_time_ns, 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 2);
	ASSERT_ERRNO(pm_unpin(fd, r[0].out_handle), EKEYEXPIRED);
	ASSERT_EQ(pm_unpin(fd, r[1].out_handle), 0);
	ASSERT_EQ(pm_unpin(fd, r[2].out_handle), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	close(fd);
	pm_unmap(p, 3 * ps);
}

/* ---- RENEW ------------------------------------------------------------ */

struct le_renew_try {
	int fd;
	char *p;
	__u64 h, t;		/* the lease, and a moment before its RENEW */
	unsigned int ms;	/* its first duration */
};

/* Pinned for @ms, then renewed for an hour: later than its first end. */
static int le_renew_later(void *arg, unsigned int ms)
{
	struct le_renew_try *a = arg;
	struct pinmgr_event ev;
	struct pinmgr_pin pin;

	ASSERT_EQ(pm_pin_for(a->fd, a->p, pm_page_size(), 0, ms * PM_MS, &pin),
		  0);
	a->t = pm_realtime_ns();
	if (!pm_renew(a->fd, pin.out_handle, LE_HOUR)) {
		a->h = pin.out_handle;
		a->ms = ms;
		return 1;
	}
	ASSERT_EQ(errno, EKEYEXPIRED);
	pm_expect_event(a->fd, PINMGR_EVENT_EXPIRED, pin.out_handle,
			LE_WAIT_MS, &ev);
	ASSERT_ERRNO(pm_unpin(a->fd, pin.out_handle), EKEYEXPIRED);
	return 0;
}

TEST(renew_moves_and_clears_the_end)
{
	size_t ps = pm_page_size();
	struct le_renew_try a = { .fd = pm_open(), .p = pm_map_anon(ps) };
	struct pinmgr_event ev;
	struct pinmgr_query q;

	ASSERT_GE(a.fd, 0);
	ASSERT_NE(a.p, NULL);
	le_in_time(le_renew_later, &a);
	ASSERT_EQ(pm_query(a.fd, a.h, &q), 0);
	ASSERT_GE(q.out_expire_time_ns, a.t + LE_HOUR - 100 * PM_MS);
	/* It outlives its first deadline: a tick due after it comes first. */
	le_tick(a.fd, a.p, a.ms * PM_MS, NULL, 0);
	ASSERT_EQ(pm_query(a.fd, a.h, &q), 0);
	ASSERT_EQ(q.out_state, PINMGR_LEASE_ACTIVE);
	/* No end at all. */
	ASSERT_EQ(pm_renew(a.fd, a.h, 0), 0);
	ASSERT_EQ(pm_query(a.fd, a.h, &q), 0);
	ASSERT_EQ(q.out_expire_time_ns, 0);
	/* A lease pinned without one can get one, and runs out. */
	ASSERT_EQ(pm_renew(a.fd, a.h, 100 * PM_MS), 0);
	pm_expect_event(a.fd, PINMGR_EVENT_EXPIRED, a.h, LE_WAIT_MS, &ev);
	ASSERT_ERRNO(pm_unpin(a.fd, a.h), EKEYEXPIRED);
	close(a.fd);
	pm_unmap(a.p, ps);
}

TEST(renew_refused)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(ps);
	struct pinmgr_renew r;
	struct pinmgr_query q;
	int fd = pm_open(), other = pm_open();
	pid_t pid;
	__u64 h;

	ASSERT_GE(fd, 0);
	ASSERT_GE(other, 0);
	h = PIN_OK(fd, p, ps, 0);
	ASSERT_ERRNO(pm_renew(fd, h + (1ULL << 40), PM_MS), ENOENT);
	ASSERT_ERRNO(pm_renew(fd, 0, PM_MS), ENOENT);
	/* Another context's lease is not ours to renew. */
	ASSERT_ERRNO(pm_renew(other, h, PM_MS), ENOENT);
	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.handle = h;
	r.flags = 1;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_RENEW, &r), EOPNOTSUPP);
	r.flags = 0;
	r.size = sizeof(r) - 1;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_RENEW, &r), EINVAL);
	/* The owner's mm only. */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(pm_renew(fd, h, PM_MS) == -1 && errno == EPERM ? 0 : 1);
	ASSERT_EQ(pm_wait(pid), 0);
	/* None of them gave it an end: it outlives their millisecond. */
	ASSERT_EQ(pm_query(fd, h, &q), 0);
	ASSERT_EQ(q.out_expire_time_ns, 0);
	le_tick(fd, p, 10 * PM_MS, NULL, 0);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	close(other);
	close(fd);
	pm_unmap(p, ps);
}

/* ---- REVOKE ----------------------------------------------------------- */

static void le_need_admin(void)
{
	if (!pm_have_cap(CAP_SYS_ADMIN))
		SKIP("needs CAP_SYS_ADMIN to revoke");
}

struct le_break_try {
	int fd, admin;
	char *p;
};

/*
 * A break of @ms, answered by an UNPIN at once. When the UNPIN came in
 * time, the deadline passes without a forced release: a tick due after it
 * comes with no event before it but the break's.
 */
static int le_break_answered(void *arg, unsigned int ms)
{
	struct le_break_try *a = arg;
	struct pinmgr_event ev;
	struct pinmgr_pin pin;
	int r;

	le_set_param("break_time_ms", ms);
	ASSERT_EQ(pm_pin(a->fd, a->p, pm_page_size(), 0, 0, &pin), 0);
	ASSERT_EQ(pm_revoke(a->admin, pin.out_handle, 0, NULL), 0);
	r = pm_unpin(a->fd, pin.out_handle);
	ASSERT_EQ(pm_read_event(a->fd, &ev, 0), 1);
	ASSERT_EQ(ev.type, PINMGR_EVENT_BREAKING);
	ASSERT_EQ(ev.handle, pin.out_handle);
	if (r) {
		/* Too slow: the pages went at the deadline. */
		ASSERT_EQ(errno, EKEYREVOKED);
		pm_expect_event(a->fd, PINMGR_EVENT_REVOKED, pin.out_handle,
				LE_WAIT_MS, &ev);
		return 0;
	}
	le_tick(a->fd, a->p, ms * PM_MS, NULL, 0);
	return 1;
}

/* A break the owner answers by unpinning in time: no forced release. */
TEST(revoke_break_owner_unpins_in_time)
{
	size_t ps = pm_page_size(), n = 4;
	char *p = pm_map_anon(n * ps), buf[16];
	struct pinmgr_event ev;
	struct pinmgr_query q;
	struct pinmgr_pin pin;
	int fd = pm_open(), admin = pm_open();
	struct le_break_try a = { .fd = fd, .admin = admin, .p = p };
	long long base = pm_outstanding_pins();
	__u64 deadline, t;

	le_need_admin();
	ASSERT_GE(fd, 0);
	ASSERT_GE(admin, 0);
	/* An hour: what is checked during the break cannot outlast it. */
	le_set_param("break_time_ms", LE_HOUR_MS);
	ASSERT_EQ(pm_pin(fd, p, n * ps, PINMGR_PIN_WRITE, 77, &pin), 0);
	t = pm_realtime_ns();
	/* From another file: revocation is device-wide. */
	ASSERT_EQ(pm_revoke(admin, pin.out_handle, 0, &deadline), 0);
	ASSERT_GE(deadline, t + LE_HOUR - 10 * PM_MS);
	ASSERT_LE(deadline, pm_realtime_ns() + LE_HOUR);
	pm_expect_event(fd, PINMGR_EVENT_BREAKING, pin.out_handle, 5000, &ev);
	ASSERT_EQ(ev.cookie, 77);
	ASSERT_EQ(ev.nr_pages, n);
	ASSERT_LE(ev.deadline_ns > deadline ? ev.deadline_ns - deadline :
		  deadline - ev.deadline_ns, 5 * PM_MS);
	ASSERT_EQ(pm_query(fd, pin.out_handle, &q), 0);
	ASSERT_EQ(q.out_state, PINMGR_LEASE_BREAKING);
	ASSERT_NE(q.out_break_deadline_ns, 0);
	/* Still pinned and usable meanwhile; its end is not the owner's. */
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)n);
	ASSERT_EQ(ACCESS_READ(fd, pin.out_handle, 0, sizeof(buf), buf), 0);
	ASSERT_ERRNO(pm_renew(fd, pin.out_handle, 3600000 * PM_MS), EBUSY);
	ASSERT_ERRNO(pm_revoke(admin, pin.out_handle, 0, NULL), EBUSY);
	/* The owner lets go in time: an ordinary unpin. */
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	le_no_event(fd);
	ASSERT_ERRNO(pm_revoke(admin, pin.out_handle, 0, NULL), ENOENT);
	/* And a deadline that passes after such an unpin does nothing. */
	le_in_time(le_break_answered, &a);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	close(admin);
	close(fd);
	pm_unmap(p, n * ps);
}

/* A break that runs out: the driver releases the pages at the deadline. */
TEST(revoke_break_runs_out)
{
	size_t ps = pm_page_size(), n = 8;
	char *p = pm_map_anon(n * ps);
	struct pinmgr_event ev;
	struct pinmgr_pin pin;
	int fd = pm_open();
	long long base = pm_outstanding_pins();
	__u64 deadline;

	le_need_admin();
	ASSERT_GE(fd, 0);
	memset(p, 0x3c, n * ps);
	le_set_param("break_time_ms", 250);
	ASSERT_EQ(pm_pin(fd, p, n * ps, PINMGR_PIN_WRITE |
			 PINMGR_PIN_LONGTERM, 5, &pin), 0);
	ASSERT_EQ(pm_revoke(fd, pin.out_handle, 0, &deadline), 0);
	pm_expect_event(fd, PINMGR_EVENT_BREAKING, pin.out_handle, 5000, &ev);
	pm_expect_event(fd, PINMGR_EVENT_REVOKED, pin.out_handle, LE_WAIT_MS,
			&ev);
	ASSERT_EQ(ev.cookie, 5);
	ASSERT_EQ(ev.deadline_ns, 0);
	ASSERT_GE(ev.time_ns + 5 * PM_MS, deadline);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	le_assert_ended(fd, pin.out_handle, PINMGR_LEASE_REVOKED, EKEYREVOKED,
			n, p);
	close(fd);
	pm_unmap(p, n * ps);
}

/* REVOKE_NOW: no break, the pages are gone when REVOKE returns. */
TEST(revoke_now)
{
	size_t ps = pm_page_size(), n = 8;
	char *p = pm_map_anon(n * ps);
	struct pinmgr_event ev;
	struct pinmgr_pin pin;
	int fd = pm_open(), admin = pm_open();
	long long base = pm_outstanding_pins();
	__u64 deadline, t;

	le_need_admin();
	ASSERT_GE(fd, 0);
	ASSERT_GE(admin, 0);
	memset(p, 0x3c, n * ps);
	ASSERT_EQ(pm_pin(fd, p, n * ps, PINMGR_PIN_WRITE, 9, &pin), 0);
	t = pm_realtime_ns();
	ASSERT_EQ(pm_revoke(admin, pin.out_handle, PINMGR_REVOKE_NOW,
			    &deadline), 0);
	ASSERT_GE(deadline, t);
	ASSERT_LE(deadline, pm_realtime_ns());
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	/* The first event is the revocation: no break came before it. */
	ASSERT_EQ(pm_read_event(fd, &ev, 5000), 1);
	ASSERT_EQ(ev.type, PINMGR_EVENT_REVOKED);
	ASSERT_EQ(ev.handle, pin.out_handle);
	ASSERT_EQ(ev.cookie, 9);
	ASSERT_ERRNO(pm_revoke(admin, pin.out_handle, PINMGR_REVOKE_NOW, NULL),
		     EKEYREVOKED);
	le_assert_ended(fd, pin.out_handle, PINMGR_LEASE_REVOKED, EKEYREVOKED,
			n, p);
	close(admin);
	close(fd);
	pm_unmap(p, n * ps);
}

/* REVOKE_NOW also ends a break under way. */
TEST(revoke_now_ends_a_break)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(ps);
	struct pinmgr_event ev;
	struct pinmgr_pin pin;
	int fd = pm_open();
	long long base = pm_outstanding_pins();

	le_need_admin();
	ASSERT_GE(fd, 0);
	le_set_param("break_time_ms", 3600000);
	ASSERT_EQ(pm_pin(fd, p, ps, 0, 0, &pin), 0);
	ASSERT_EQ(pm_revoke(fd, pin.out_handle, 0, NULL), 0);
	pm_expect_event(fd, PINMGR_EVENT_BREAKING, pin.out_handle, 5000, &ev);
	ASSERT_EQ(pm_revoke(fd, pin.out_handle, PINMGR_REVOKE_NOW, NULL), 0);
	pm_expect_event(fd, PINMGR_EVENT_REVOKED, pin.out_handle, 5000, &ev);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	ASSERT_ERRNO(pm_unpin(fd, pin.out_handle), EKEYREVOKED);
	close(fd);
	pm_unmap(p, ps);
}

struct le_expiry_try {
	int fd;
	char *p;
};

/* Pinned for @ms, then a break of an hour: the expiry comes first. */
static int le_break_before_expiry(void *arg, unsigned int ms)
{
	struct le_expiry_try *a = arg;
	struct pinmgr_event ev;
	struct pinmgr_pin pin;

	ASSERT_EQ(pm_pin_for(a->fd, a->p, pm_page_size(), 0, ms * PM_MS, &pin),
		  0);
	if (pm_revoke(a->fd, pin.out_handle, 0, NULL)) {
		/* Too slow: it had expired before the break. */
		ASSERT_EQ(errno, EKEYEXPIRED);
		pm_expect_event(a->fd, PINMGR_EVENT_EXPIRED, pin.out_handle,
				LE_WAIT_MS, &ev);
		ASSERT_ERRNO(pm_unpin(a->fd, pin.out_handle), EKEYEXPIRED);
		return 0;
	}
	pm_expect_event(a->fd, PINMGR_EVENT_BREAKING, pin.out_handle, 5000,
			&ev);
	pm_expect_event(a->fd, PINMGR_EVENT_EXPIRED, pin.out_handle,
			LE_WAIT_MS, &ev);
	ASSERT_ERRNO(pm_unpin(a->fd, pin.out_handle), EKEYEXPIRED);
	return 1;
}

/* An expiry that comes before the break's deadline ends the lease first. */
TEST(revoke_break_then_expiry_first)
{
	size_t ps = pm_page_size();
	struct le_expiry_try a = { .fd = pm_open(), .p = pm_map_anon(ps) };

	le_need_admin();
	ASSERT_GE(a.fd, 0);
	ASSERT_NE(a.p, NULL);
	le_set_param("break_time_ms", LE_HOUR_MS);
	le_in_time(le_break_before_expiry, &a);
	close(a.fd);
	pm_unmap(a.p, ps);
}

TEST(revoke_refused)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(ps);
	struct pinmgr_revoke r;
	int fd = pm_open();
	pid_t pid;
	__u64 h;

	ASSERT_GE(fd, 0);
	h = PIN_OK(fd, p, ps, 0);
	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.handle = h;
	r.flags = 2;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_REVOKE, &r), EOPNOTSUPP);
	r.flags = 0;
	r.size = 8;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_REVOKE, &r), EINVAL);
	if (pm_have_cap(CAP_SYS_ADMIN)) {
		ASSERT_ERRNO(pm_revoke(fd, 0, 0, NULL), ENOENT);
		ASSERT_ERRNO(pm_revoke(fd, h + (1ULL << 40), 0, NULL), ENOENT);
	}
	/* Not even the owner may revoke without CAP_SYS_ADMIN. */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (pm_become_nobody())
			_exit(2);
		_exit(pm_revoke(fd, h, PINMGR_REVOKE_NOW, NULL) == -1 &&
		      errno == EPERM ? 0 : 1);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	le_no_event(fd);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	close(fd);
	pm_unmap(p, ps);
}

/* ---- The event stream ------------------------------------------------- */

TEST(events_read_poll_and_epoll)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(3 * ps), small[8];
	struct pinmgr_event ev[8];
	struct epoll_event ee = { .events = EPOLLIN };
	struct pinmgr_pin pin[3];
	int fd = pm_open(), ep = epoll_create1(EPOLL_CLOEXEC), fl, i;
	ssize_t n;

	ASSERT_GE(fd, 0);
	ASSERT_GE(ep, 0);
	ASSERT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ee), 0);
	/* Too small for one record. */
	ASSERT_ERRNO(read(fd, small, sizeof(small)), EINVAL);
	ASSERT_ERRNO(read(fd, ev, sizeof(ev[0]) - 1), EINVAL);
	/* Empty and non-blocking. */
	fl = fcntl(fd, F_GETFL);
	ASSERT_EQ(fcntl(fd, F_SETFL, fl | O_NONBLOCK), 0);
	ASSERT_ERRNO(read(fd, ev, sizeof(ev)), EAGAIN);
	ASSERT_EQ(epoll_wait(ep, &ee, 1, 0), 0);

	for (i = 0; i < 3; i++)
		ASSERT_EQ(pm_pin_for(fd, p + i * ps, ps, 0, 100 * PM_MS,
				     &pin[i]), 0);
	ASSERT_EQ(epoll_wait(ep, &ee, 1, LE_WAIT_MS), 1);
	ASSERT_TRUE(ee.events & EPOLLIN);
	/* All three in one read, once they are all there. */
	for (i = 0; i < 3; i++)
		ASSERT_EQ(le_wait_ended(fd, pin[i].out_handle),
			  PINMGR_LEASE_EXPIRED);
	n = read(fd, ev, sizeof(ev));
	ASSERT_EQ(n, (ssize_t)(3 * sizeof(ev[0])));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(ev[i].type, PINMGR_EVENT_EXPIRED);
		ASSERT_EQ(ev[i].size, sizeof(ev[i]));
		if (i)
			ASSERT_GE(ev[i].time_ns, ev[i - 1].time_ns);
	}
	ASSERT_ERRNO(read(fd, ev, sizeof(ev)), EAGAIN);
	ASSERT_EQ(epoll_wait(ep, &ee, 1, 0), 0);
	for (i = 0; i < 3; i++)
		ASSERT_ERRNO(pm_unpin(fd, pin[i].out_handle), EKEYEXPIRED);
	close(ep);
	close(fd);
	pm_unmap(p, 3 * ps);
}

struct le_reader {
	int fd;
	atomic_int tid;
	atomic_int done;
	ssize_t n;
	struct pinmgr_event ev;
};

static void *le_read_one(void *arg)
{
	struct le_reader *r = arg;

	atomic_store(&r->tid, gettid());
	r->n = read(r->fd, &r->ev, sizeof(r->ev));
	atomic_store(&r->done, 1);
	return NULL;
}

/* The state letter of thread @tid of this process (/proc stat), or 0. */
static char le_thread_state(pid_t tid)
{
	char path[64], buf[256], *close_paren;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	close_paren = strrchr(buf, ')');
	return close_paren && close_paren[1] ? close_paren[2] : 0;
}

/* A blocking read sleeps until an event comes, and wakes for it. */
TEST(events_blocking_read_wakes)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(ps);
	struct le_reader r = { .fd = pm_open() };
	struct pinmgr_pin pin;
	pthread_t th;
	__u64 end, t0;

	ASSERT_GE(r.fd, 0);
	ASSERT_EQ(pm_pin_for(r.fd, p, ps, 0, LE_HOUR, &pin), 0);
	ASSERT_EQ(pthread_create(&th, NULL, le_read_one, &r), 0);
	/* Asleep in read(): no event can come for an hour. */
	end = pm_monotonic_ns() + LE_WAIT_MS * PM_MS;
	while (!atomic_load(&r.tid) ||
	       le_thread_state(atomic_load(&r.tid)) != 'S') {
		ASSERT_FALSE(atomic_load(&r.done));
		ASSERT_LT(pm_monotonic_ns(), end);
		pm_msleep(5);
	}
	ASSERT_FALSE(atomic_load(&r.done));
	/* Now the event: due in 100 ms. */
	t0 = pm_realtime_ns();
	ASSERT_EQ(pm_renew(r.fd, pin.out_handle, 100 * PM_MS), 0);
	ASSERT_EQ(pthread_join(th, NULL), 0);
	ASSERT_EQ(r.n, (ssize_t)sizeof(r.ev));
	ASSERT_EQ(r.ev.type, PINMGR_EVENT_EXPIRED);
	ASSERT_EQ(r.ev.handle, pin.out_handle);
	ASSERT_GE(r.ev.time_ns + 5 * PM_MS, t0 + 100 * PM_MS);
	ASSERT_ERRNO(pm_unpin(r.fd, pin.out_handle), EKEYEXPIRED);
	close(r.fd);
	pm_unmap(p, ps);
}

/* A full queue drops events, then says how many, in order. */
TEST(events_overflow_marker)
{
	size_t ps = pm_page_size(), n = 10;
	char *p = pm_map_anon(n * ps);
	struct pinmgr_event ev[16];
	struct pinmgr_info info;
	struct pinmgr_pin pin;
	__u64 h[10];
	int fd, i;
	ssize_t got;

	le_set_param("max_events", 4);
	fd = pm_open();
	ASSERT_GE(fd, 0);
	for (i = 0; i < (int)n; i++) {
		ASSERT_EQ(pm_pin_for(fd, p + i * ps, ps, 0, 100 * PM_MS, &pin),
			  0);
		h[i] = pin.out_handle;
	}
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.max_events, 4);
	/* The queue's size is fixed: a later change does not reach it. */
	le_set_param("max_events", 1000);
	/* Each one's event queued, or counted as lost. */
	for (i = 0; i < (int)n; i++)
		ASSERT_EQ(le_wait_ended(fd, h[i]), PINMGR_LEASE_EXPIRED);
	got = read(fd, ev, sizeof(ev));
	ASSERT_EQ(got, (ssize_t)(5 * sizeof(ev[0])));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(ev[i].type, PINMGR_EVENT_EXPIRED);
	ASSERT_EQ(ev[4].type, PINMGR_EVENT_OVERFLOW);
	ASSERT_EQ(ev[4].lost, 6);
	ASSERT_EQ(ev[4].handle, 0);
	ASSERT_EQ(ev[4].cookie, 0);
	/* The queue works again afterwards. */
	ASSERT_EQ(pm_pin_for(fd, p, ps, 0, 50 * PM_MS, &pin), 0);
	pm_expect_event(fd, PINMGR_EVENT_EXPIRED, pin.out_handle, LE_WAIT_MS,
			&ev[0]);
	close(fd);
	pm_unmap(p, n * ps);
}

/* O_ASYNC: the F_SETSIG signal, with the file and POLL_IN, per event. */
TEST(events_fasync_signal)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(ps);
	struct pinmgr_event ev;
	struct pinmgr_pin pin;
	struct timespec ts = { .tv_sec = LE_WAIT_MS / 1000 };
	siginfo_t si;
	sigset_t set;
	int fd = pm_open(), sig = SIGRTMIN + 1;

	ASSERT_GE(fd, 0);
	sigemptyset(&set);
	sigaddset(&set, sig);
	ASSERT_EQ(sigprocmask(SIG_BLOCK, &set, NULL), 0);
	ASSERT_EQ(fcntl(fd, F_SETOWN, getpid()), 0);
	ASSERT_EQ(fcntl(fd, F_SETSIG, sig), 0);
	ASSERT_EQ(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC), 0);
	ASSERT_EQ(pm_pin_for(fd, p, ps, 0, 100 * PM_MS, &pin), 0);
	ASSERT_EQ(sigtimedwait(&set, &si, &ts), sig);
	ASSERT_EQ(si.si_fd, fd);
	ASSERT_EQ(si.si_code, POLL_IN);
	ASSERT_EQ(pm_read_event(fd, &ev, 0), 1);
	ASSERT_EQ(ev.handle, pin.out_handle);
	ASSERT_ERRNO(pm_unpin(fd, pin.out_handle), EKEYEXPIRED);
	close(fd);
	pm_unmap(p, ps);
}

/* Events of a closed file are gone with it; a new file starts empty. */
TEST(events_dropped_at_close)
{
	size_t ps = pm_page_size(), n = 16;
	char *p = pm_map_anon(n * ps);
	long long base = pm_outstanding_pins();
	struct pinmgr_event ev;
	int fd = pm_open(), i;

	ASSERT_GE(fd, 0);
	for (i = 0; i < (int)n; i++)
		ASSERT_EQ(pm_pin_for(fd, p + i * ps, ps, 0,
				     (__u64)(10 + 20 * i) * PM_MS, NULL), 0);
	pm_msleep(150);
	close(fd);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	fd = pm_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(pm_read_event(fd, &ev, 300), 0);
	close(fd);
	pm_unmap(p, n * ps);
}

/* ---- Races ------------------------------------------------------------ */

/*
 * Wait until CLOCK_BOOTTIME @t: the races below aim at a lease's deadline
 * itself, closer than a sleep would land.
 */
static void le_until(__u64 t)
{
	while (pm_boottime_ns() < t)
		;
}

/*
 * UNPIN against expiry, each UNPIN aimed at a point around its lease's
 * deadline: well before, at it, and well after. Each lease either was
 * unpinned live (0, and no event for it) or had expired (EKEYEXPIRED, and
 * exactly one event); both happen.
 */
TEST_TIMEOUT(race_unpin_against_expiry, 180)
{
	size_t ps = pm_page_size(), n = 300, i, events;
	char *p = pm_map_anon(n * ps);
	struct pinmgr_pin pin;
	struct pinmgr_event *ev = calloc(n, sizeof(*ev));
	unsigned int live = 0, expired = 0;
	long long base = pm_outstanding_pins();
	const __u64 d = 2 * PM_MS;
	int fd = pm_open(), r;
	__u64 t;

	ASSERT_GE(fd, 0);
	ASSERT_NE(ev, NULL);
	for (i = 0; i < n; i++) {
		t = pm_boottime_ns();
		ASSERT_EQ(pm_pin_for(fd, p + i * ps, ps, PINMGR_PIN_WRITE, d,
				     &pin), 0);
		/* 0, 1 ms before; at; 20 us after; 20 ms after the deadline. */
		switch (i % 5) {
		case 1:
			le_until(t + d / 2);
			break;
		case 2:
			le_until(t + d);
			break;
		case 3:
			le_until(t + d + 20000);
			break;
		case 4:
			le_until(t + d + 20 * PM_MS);
			break;
		}
		r = pm_unpin(fd, pin.out_handle);
		if (r == 0)
			live++;
		else if (errno == EKEYEXPIRED)
			expired++;
		else
			FAIL("UNPIN of %zu: %s", i, strerror(errno));
	}
	/* Every lease was due 2 ms after its PIN: a tick after that. */
	events = le_tick(fd, p, 25 * PM_MS, ev, n);
	for (i = 0; i < events; i++)
		ASSERT_EQ(ev[i].type, PINMGR_EVENT_EXPIRED);
	pm_diag("%u unpinned live, %u expired first", live, expired);
	ASSERT_EQ(live + expired, n);
	ASSERT_GT(live, 0);
	ASSERT_GT(expired, 0);
	ASSERT_EQ(events, expired);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	ASSERT_CTX(fd, 0, 0);
	free(ev);
	close(fd);
	pm_unmap(p, n * ps);
}

/*
 * RENEW against expiry: renewed in time, a lease lives on (and never
 * expires); too late, RENEW says so and the lease stays expired.
 */
TEST_TIMEOUT(race_renew_against_expiry, 180)
{
	size_t ps = pm_page_size(), n = 200, i, k, events;
	char *p = pm_map_anon(n * ps);
	struct pinmgr_event *ev = calloc(n, sizeof(*ev));
	struct pinmgr_query q;
	struct pinmgr_pin pin;
	__u64 *h = calloc(n, sizeof(*h));
	int *renewed = calloc(n, sizeof(*renewed));
	unsigned int ok = 0;
	long long base = pm_outstanding_pins();
	const __u64 d = 2 * PM_MS;
	int fd = pm_open();
	__u64 t;

	ASSERT_GE(fd, 0);
	ASSERT_NE(h, NULL);
	ASSERT_NE(renewed, NULL);
	ASSERT_NE(ev, NULL);
	/* Each RENEW aimed as race_unpin_against_expiry aims its UNPIN. */
	for (i = 0; i < n; i++) {
		t = pm_boottime_ns();
		ASSERT_EQ(pm_pin_for(fd, p + i * ps, ps, 0, d, &pin), 0);
		h[i] = pin.out_handle;
		/* At once; 1 ms before the deadline; at it; 20 ms after it. */
		if (i % 4)
			le_until(t + (i % 4 == 1 ? d / 2 : i % 4 == 2 ? d :
				      d + 20 * PM_MS));
		if (pm_renew(fd, h[i], 3600000 * PM_MS) == 0) {
			renewed[i] = 1;
			ok++;
		} else if (errno != EKEYEXPIRED) {
			FAIL("RENEW of %zu: %s", i, strerror(errno));
		}
	}
	/*
	 * Past every first deadline (2 ms after each PIN): exactly the late
	 * ones have ended, each with one event.
	 */
	events = le_tick(fd, p, 15 * PM_MS, ev, n);
	for (k = 0; k < events; k++) {
		ASSERT_EQ(ev[k].type, PINMGR_EVENT_EXPIRED);
		for (i = 0; i < n && h[i] != ev[k].handle; i++)
			;
		ASSERT_LT(i, n);
		ASSERT_FALSE(renewed[i]);
	}
	ASSERT_EQ(events, n - ok);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(pm_query(fd, h[i], &q), 0);
		ASSERT_EQ(q.out_state, renewed[i] ? PINMGR_LEASE_ACTIVE :
			  PINMGR_LEASE_EXPIRED);
	}
	pm_diag("%u renewed in time, %zu too late", ok, n - ok);
	ASSERT_GT(ok, 0);
	ASSERT_LT(ok, n);
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)ok);
	close(fd);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	free(ev);
	free(renewed);
	free(h);
	pm_unmap(p, n * ps);
}

/* REVOKE against close and exit of the owner: nothing breaks or leaks. */
TEST_TIMEOUT(race_revoke_against_close_and_exit, 300)
{
	size_t ps = pm_page_size(), n = 64;
	long long base = pm_outstanding_pins();
	int round, admin = pm_open(), pfd[2];
	unsigned long long ended, v;

	le_need_admin();
	ASSERT_GE(admin, 0);
	ASSERT_EQ(pm_sysfs_read("ended_leases", &ended), 0);
	le_set_param("break_time_ms", 5);
	for (round = 0; round < 20; round++) {
		__u64 h[64];
		pid_t pid;
		size_t i;
		int r;

		ASSERT_EQ(pipe(pfd), 0);
		pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0) {
			char *p = pm_map_anon(n * ps);
			int fd = pm_open();

			for (i = 0; i < n; i++) {
				if (pm_pin(fd, p + i * ps, ps, 0, 0, NULL))
					_exit(1);
			}
			{
				struct pinmgr_list l;

				if (pm_list(fd, h, n, &l) || l.nr_handles != n)
					_exit(2);
			}
			if (write(pfd[1], h, sizeof(h)) != sizeof(h))
				_exit(3);
			/* Close now and then, exit always: both race. */
			if (round & 1)
				close(fd);
			_exit(0);
		}
		close(pfd[1]);
		ASSERT_EQ(read(pfd[0], h, sizeof(h)), (ssize_t)sizeof(h));
		close(pfd[0]);
		for (i = 0; i < n; i++) {
			r = pm_revoke(admin, h[i], i & 1 ? PINMGR_REVOKE_NOW : 0,
				      NULL);
			if (r && errno != ENOENT && errno != EKEYREVOKED)
				FAIL("REVOKE: %s", strerror(errno));
		}
		ASSERT_EQ(pm_wait(pid), 0);
	}
	/*
	 * No waiting: REVOKE ends a lease before it returns, and the child's
	 * exit closed its file (and stopped its work) before it was reaped.
	 */
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	/* An end that raced a close is not left counted as ended. */
	ASSERT_EQ(pm_sysfs_read("ended_leases", &v), 0);
	ASSERT_EQ(v, ended);
	close(admin);
}

/* Expiry while the owner forks and exits: the leases end once, cleanly. */
TEST_TIMEOUT(race_expiry_against_fork_and_exit, 300)
{
	size_t ps = pm_page_size(), n = 100;
	long long base = pm_outstanding_pins();
	int round;

	for (round = 0; round < 10; round++) {
		pid_t pid = fork();

		ASSERT_GE(pid, 0);
		if (pid == 0) {
			char *p = pm_map_anon(n * ps);
			int fd = pm_open();
			size_t i;
			pid_t kid;

			for (i = 0; i < n; i++)
				if (pm_pin_for(fd, p + i * ps, ps,
					       PINMGR_PIN_WRITE,
					       (__u64)(1 + i % 30) * PM_MS,
					       NULL))
					_exit(1);
			/* A child that inherits the file, and exits. */
			kid = fork();
			if (kid == 0)
				_exit(0);
			pm_msleep(round);
			_exit(kid > 0 && pm_wait(kid) == 0 ? 0 : 2);
		}
		ASSERT_EQ(pm_wait(pid), 0);
	}
	/* The last exit closed the file, and stopped its work, when reaped. */
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	ASSERT_EQ(pm_vmpin_kb(), 0);
}

/*
 * Ten thousand leases due at the same moment: one run of the expiry work
 * ends them all, without stalling the machine (the debug kernel watches
 * for soft lockups and RCU stalls), and every counter balances afterwards.
 */
TEST_TIMEOUT(expiry_ten_thousand_in_one_second, 600)
{
	size_t ps = pm_page_size(), n = 10000, chunk = 1000, i, k;
	char *p = pm_map_anon(ps);
	struct pinmgr_pin_range *r = calloc(chunk, sizeof(*r));
	struct pinmgr_event *ev = calloc(256, sizeof(*ev));
	long long base = pm_outstanding_pins();
	size_t events = 0;
	__u64 t0, first = 0, last = 0;
	ssize_t got;
	int fd;

	ASSERT_NE(r, NULL);
	ASSERT_NE(ev, NULL);
	le_set_param("max_events", 16384);
	fd = pm_open();
	ASSERT_GE(fd, 0);
	/* All due at once, two seconds from now. */
	t0 = pm_monotonic_ns() + 2000 * PM_MS;
	for (i = 0; i < n; i += chunk) {
		__u64 now = pm_monotonic_ns();

		for (k = 0; k < chunk; k++) {
			r[k].addr = (uintptr_t)p;
			r[k].length = ps;
			r[k].duration_ns = t0 > now ? t0 - now : 1;
		}
		ASSERT_EQ(pm_pin_vec(fd, r, chunk, sizeof(*r), NULL), 0);
	}
	/* A slow kernel (the debug one) is still pinning when they fall due. */
	pm_diag("%lld of %zu leases still pinned when the last was pinned",
		pm_outstanding_pins() - base, n);
	while (events < n) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, 60000) != 1)
			FAIL("only %zu of %zu expiries after a minute", events, n);
		got = read(fd, ev, 256 * sizeof(*ev));
		ASSERT_GT(got, 0);
		for (k = 0; k < (size_t)got / sizeof(*ev); k++) {
			ASSERT_EQ(ev[k].type, PINMGR_EVENT_EXPIRED);
			if (!first)
				first = ev[k].time_ns;
			last = ev[k].time_ns;
		}
		events += (size_t)got / sizeof(*ev);
	}
	pm_diag("%zu leases due at once: all ended %.0f ms after the first (events' times)",
		n, (double)(last - first) / PM_MS);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	ASSERT_CTX(fd, n, 0);
	close(fd);
	free(ev);
	free(r);
	pm_unmap(p, ps);
}

/* GET_INFO reports the break time and the queue's size. */
TEST(info_break_time_and_max_events)
{
	struct pinmgr_info info;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	le_set_param("break_time_ms", 1234);
	le_set_param("max_events", 77);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.break_time_ns, 1234 * PM_MS);
	ASSERT_EQ(info.max_events, 77);
	ASSERT_TRUE(info.features & PINMGR_FEATURE_EXPIRY);
	ASSERT_TRUE(info.features & PINMGR_FEATURE_REVOKE);
	ASSERT_TRUE(info.features & PINMGR_FEATURE_EVENTS);
	close(fd);
}

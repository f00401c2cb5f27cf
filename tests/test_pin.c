// SPDX-License-Identifier: GPL-2.0-only
/*
 * Successful PIN, UNPIN, QUERY and LIST: what they report and what they do
 * to the kernel's pin counters and the mm's VmPin.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include "harness.h"

#define MiB	(1UL << 20)

static long long now_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

TEST(pin_one_page_readonly)
{
	size_t ps = pm_page_size();
	struct pinmgr_info info;
	struct pinmgr_pin pin;
	char *p = pm_map_anon(ps);
	int fd = pm_open();
	long long base;

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	base = pm_outstanding_pins();
	ASSERT_GE(base, 0);

	ASSERT_EQ(pm_pin(fd, p, ps, 0, 0, &pin), 0);
	ASSERT_NE(pin.out_handle, 0);
	ASSERT_EQ(pin.out_nr_pages, 1);
	ASSERT_EQ(pin.out_nr_runs, 1);
	ASSERT_EQ(pm_outstanding_pins() - base, 1);
	ASSERT_EQ(pm_vmpin_kb(), (long long)(ps / 1024));
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.ctx_leases, 1);
	ASSERT_EQ(info.ctx_pinned_pages, 1);
	ASSERT_EQ(info.mm_pinned_pages, 1);
	ASSERT_EQ(info.device_leases, 1);
	ASSERT_EQ(info.device_pinned_pages, 1);

	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.ctx_leases, 0);
	ASSERT_EQ(info.ctx_pinned_pages, 0);
	ASSERT_EQ(info.mm_pinned_pages, 0);
	ASSERT_EQ(info.device_leases, 0);
	ASSERT_EQ(info.device_pinned_pages, 0);
	close(fd);
	pm_unmap(p, ps);
}

TEST(pin_write_longterm_1m)
{
	__u32 flags = PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM;
	size_t npages = MiB / pm_page_size();
	struct pinmgr_query q;
	struct pinmgr_pin pin;
	char *p = pm_map_anon(MiB);
	int fd = pm_open();
	long long base;

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	base = pm_outstanding_pins();
	ASSERT_EQ(pm_pin(fd, p, MiB, flags, 0, &pin), 0);
	ASSERT_EQ(pin.out_nr_pages, npages);
	ASSERT_GE(pin.out_nr_runs, 1);
	ASSERT_LE(pin.out_nr_runs, npages);
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)npages);
	ASSERT_EQ(pm_vmpin_kb(), (long long)(MiB / 1024));

	ASSERT_EQ(pm_query(fd, pin.out_handle, &q), 0);
	ASSERT_EQ(q.out_pin_flags, flags);
	ASSERT_EQ(q.out_nr_pages, npages);
	ASSERT_EQ(q.out_nr_runs, pin.out_nr_runs);
	ASSERT_EQ(q.out_length, MiB);

	/* The memory is still the process's own, writable as before. */
	memset(p, 0x3c, MiB);
	ASSERT_EQ(p[MiB - 1], 0x3c);

	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	close(fd);
	pm_unmap(p, MiB);
}

TEST(pin_each_flag_combination_recorded)
{
	static const __u32 combos[] = {
		0, PINMGR_PIN_WRITE, PINMGR_PIN_LONGTERM,
		PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM,
	};
	size_t ps = pm_page_size();
	char *p = pm_map_anon(4 * ps);
	struct pinmgr_query q;
	__u64 h[4];
	long long base;
	unsigned int i;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	base = pm_outstanding_pins();
	for (i = 0; i < 4; i++)
		h[i] = PIN_OK(fd, p + i * ps, ps, combos[i]);
	ASSERT_EQ(pm_outstanding_pins() - base, 4);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(pm_query(fd, h[i], &q), 0);
		ASSERT_EQ(q.out_pin_flags, combos[i]);
		ASSERT_EQ(q.out_addr, (__u64)(uintptr_t)(p + i * ps));
	}
	for (i = 0; i < 4; i++)
		ASSERT_EQ(pm_unpin(fd, h[i]), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	close(fd);
	pm_unmap(p, 4 * ps);
}

/*
 * Handles are unique on the device and never reused. They are not ordered
 * across CPUs (each CPU files leases in its own shard of the index), but
 * those taken on one CPU grow: this test stays on one.
 */
TEST(pin_handles_unique_never_reused)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(ps);
	int fd[2] = { pm_open(), pm_open() };
	__u64 h[16], last = 0;
	unsigned int i, j;

	ASSERT_GE(fd[0], 0);
	ASSERT_GE(fd[1], 0);
	ASSERT_NE(p, NULL);
	ASSERT_EQ(pm_stay_on_one_cpu(), 0);
	/* Alternate between two contexts: handles are device-wide. */
	for (i = 0; i < 8; i++) {
		h[i] = PIN_OK(fd[i & 1], p, ps, 0);
		ASSERT_GT(h[i], last);
		last = h[i];
	}
	/* Ending leases frees no handle for reuse. */
	for (i = 0; i < 8; i++)
		ASSERT_EQ(pm_unpin(fd[i & 1], h[i]), 0);
	for (i = 8; i < 16; i++) {
		h[i] = PIN_OK(fd[i & 1], p, ps, 0);
		ASSERT_GT(h[i], last);
		last = h[i];
		ASSERT_EQ(pm_unpin(fd[i & 1], h[i]), 0);
	}
	for (i = 0; i < 16; i++)
		for (j = i + 1; j < 16; j++)
			ASSERT_NE(h[i], h[j]);
	close(fd[0]);
	close(fd[1]);
	pm_unmap(p, ps);
}

TEST(pin_cookie_echoed_by_query)
{
	static const __u64 cookies[] = {
		0, 1, 0xfedcba9876543210ull, ~0ull,
	};
	size_t ps = pm_page_size();
	char *p = pm_map_anon(ps);
	struct pinmgr_query q;
	struct pinmgr_pin pin;
	unsigned int i;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(pm_pin(fd, p, ps, 0, cookies[i], &pin), 0);
		ASSERT_EQ(pm_query(fd, pin.out_handle, &q), 0);
		ASSERT_EQ(q.out_cookie, cookies[i]);
		ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	}
	close(fd);
	pm_unmap(p, ps);
}

TEST(pin_query_fields)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(4 * ps);
	struct pinmgr_query q;
	struct pinmgr_pin pin;
	long long before, after;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	ASSERT_EQ(prctl(PR_SET_NAME, "pm-query-comm", 0, 0, 0), 0);

	before = now_realtime_ns();
	ASSERT_EQ(pm_pin(fd, p + ps, 2 * ps, 0, 42, &pin), 0);
	after = now_realtime_ns();

	ASSERT_EQ(pm_query(fd, pin.out_handle, &q), 0);
	ASSERT_EQ(q.handle, pin.out_handle);
	ASSERT_EQ(q.out_addr, (__u64)(uintptr_t)(p + ps));
	ASSERT_EQ(q.out_length, 2 * ps);
	ASSERT_EQ(q.out_nr_pages, 2);
	ASSERT_EQ(q.out_nr_runs, pin.out_nr_runs);
	ASSERT_GE(q.out_nr_runs, 1);
	ASSERT_LE(q.out_nr_runs, 2);
	ASSERT_GT(q.out_metadata_bytes, 0);
	ASSERT_EQ(q.out_cookie, 42);
	ASSERT_EQ(q.out_pin_flags, 0);
	ASSERT_EQ(q.out_state, PINMGR_LEASE_ACTIVE);
	ASSERT_EQ(q.out_owner_tgid, (__u32)getpid());
	ASSERT_EQ(q.out_owner_uid, (__u32)getuid());
	ASSERT_EQ(q.out_owner_comm[PINMGR_COMM_LEN - 1], '\0');
	if (strcmp(q.out_owner_comm, "pm-query-comm"))
		FAIL("owner_comm expected \"pm-query-comm\" got \"%.16s\"",
		     q.out_owner_comm);
	/* CLOCK_REALTIME at pin time, give or take a few seconds. */
	ASSERT_GE((long long)q.out_create_time_ns, before - 3000000000LL);
	ASSERT_LE((long long)q.out_create_time_ns, after + 3000000000LL);

	/* Renaming later does not rewrite history. */
	ASSERT_EQ(prctl(PR_SET_NAME, "renamed", 0, 0, 0), 0);
	ASSERT_EQ(pm_query(fd, pin.out_handle, &q), 0);
	ASSERT_EQ(strcmp(q.out_owner_comm, "pm-query-comm"), 0);

	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	close(fd);
	pm_unmap(p, 4 * ps);
}

/* QUERY names the open file that holds the lease, as fdinfo does. */
TEST(pin_query_file_id)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(ps);
	struct pinmgr_query q;
	int fd = pm_open(), fd2 = pm_open();
	__u64 h, h2;

	ASSERT_GE(fd, 0);
	ASSERT_GE(fd2, 0);
	h = PIN_OK(fd, p, ps, 0);
	h2 = PIN_OK(fd2, p, ps, 0);
	ASSERT_EQ(pm_query(fd, h, &q), 0);
	ASSERT_NE(q.out_file_id, 0);
	ASSERT_EQ(q.out_file_id, pm_fdinfo_value(fd, "pinmgr-file-id"));
	ASSERT_EQ(pm_query(fd2, h2, &q), 0);
	ASSERT_EQ(q.out_file_id, pm_fdinfo_value(fd2, "pinmgr-file-id"));
	ASSERT_NE(pm_fdinfo_value(fd, "pinmgr-file-id"),
		  pm_fdinfo_value(fd2, "pinmgr-file-id"));
	close(fd);
	close(fd2);
	pm_unmap(p, ps);
}

/*
 * PIN says with which flags it pinned: the request's, and LONGTERM for a
 * short-term request of a process without CAP_IPC_LOCK; only to a caller
 * whose structure has the field. A non-zero __reserved pins nothing.
 */
TEST(pin_reports_pinned_flags)
{
	struct {
		struct pinmgr_pin pin;
		unsigned char tail[8];
	} buf;
	size_t ps = pm_page_size();
	char *p = pm_map_anon(ps);
	struct pinmgr_query q;
	struct pinmgr_pin pin;
	unsigned int i;
	int fd;

	ASSERT_NE(p, NULL);
	if (geteuid() != 0)
		SKIP("needs root to drop CAP_IPC_LOCK as uid %d", PM_NOBODY);
	fd = pm_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(pm_pin(fd, p, ps, PINMGR_PIN_WRITE, 0, &pin), 0);
	ASSERT_EQ(pin.out_pin_flags, PINMGR_PIN_WRITE);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);

	memset(&pin, 0, sizeof(pin));
	pin.size = sizeof(pin);
	pin.addr = (__u64)(uintptr_t)p;
	pin.length = ps;
	pin.__reserved = 1;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_PIN, &pin), EINVAL);
	ASSERT_EQ(pin.out_handle, 0);
	ASSERT_EQ(pm_fdinfo_value(fd, "pinmgr-leases"), 0);
	close(fd);

	ASSERT_EQ(pm_become_nobody(), 0);
	fd = pm_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(pm_pin(fd, p, ps, 0, 0, &pin), 0);
	ASSERT_EQ(pin.out_pin_flags, PINMGR_PIN_LONGTERM);
	ASSERT_EQ(pm_query(fd, pin.out_handle, &q), 0);
	ASSERT_EQ(q.out_pin_flags, pin.out_pin_flags);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);

	/* A caller of a size without out_pin_flags: its bytes stay. */
	memset(&buf, 0xa5, sizeof(buf));
	buf.pin.size = offsetof(struct pinmgr_pin, out_pin_flags);
	buf.pin.flags = 0;
	buf.pin.addr = (__u64)(uintptr_t)p;
	buf.pin.length = ps;
	buf.pin.cookie = 0;
	buf.pin.duration_ns = 0;
	ASSERT_EQ(ioctl(fd, PINMGR_IOC_PIN, &buf), 0);
	ASSERT_EQ(buf.pin.out_nr_pages, 1);
	for (i = 0; i < sizeof(buf.pin.out_pin_flags); i++)
		ASSERT_EQ(((unsigned char *)&buf.pin.out_pin_flags)[i], 0xa5);
	ASSERT_EQ(pm_unpin(fd, buf.pin.out_handle), 0);
	close(fd);
	pm_unmap(p, ps);
}

TEST(pin_query_owner_uid_unprivileged)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(ps);
	struct pinmgr_query q;
	__u64 h;
	int fd;

	ASSERT_NE(p, NULL);
	if (geteuid() != 0)
		SKIP("needs root to become uid %d", PM_NOBODY);
	ASSERT_EQ(pm_become_nobody(), 0);
	fd = pm_open();
	ASSERT_GE(fd, 0);
	h = PIN_OK(fd, p, ps, 0);
	ASSERT_EQ(pm_query(fd, h, &q), 0);
	ASSERT_EQ(q.out_owner_uid, PM_NOBODY);
	ASSERT_EQ(q.out_owner_tgid, (__u32)getpid());
	ASSERT_EQ(pm_unpin(fd, h), 0);
	close(fd);
	pm_unmap(p, ps);
}

struct thread_pin {
	int fd;
	void *addr;
	size_t len;
	int ret, err;
	__u64 handle;
};

static void *thread_pin_fn(void *arg)
{
	struct thread_pin *tp = arg;
	struct pinmgr_pin pin;

	tp->ret = pm_pin(tp->fd, tp->addr, tp->len, 0, 0, &pin);
	tp->err = errno;
	tp->handle = pin.out_handle;
	return NULL;
}

/* A thread shares the mm: it may pin, and the lease names the process. */
TEST(pin_from_other_thread)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(2 * ps);
	struct pinmgr_query q;
	struct thread_pin tp;
	pthread_t th;
	long long base;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	base = pm_outstanding_pins();
	tp = (struct thread_pin){ .fd = fd, .addr = p, .len = 2 * ps };
	ASSERT_EQ(pthread_create(&th, NULL, thread_pin_fn, &tp), 0);
	ASSERT_EQ(pthread_join(th, NULL), 0);
	ASSERT_EQ(tp.ret, 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 2);
	ASSERT_EQ(pm_query(fd, tp.handle, &q), 0);
	ASSERT_EQ(q.out_owner_tgid, (__u32)getpid());
	ASSERT_EQ(pm_vmpin_kb(), (long long)(2 * ps / 1024));
	/* And the main thread ends it. */
	ASSERT_EQ(pm_unpin(fd, tp.handle), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	close(fd);
	pm_unmap(p, 2 * ps);
}

TEST(pin_list_empty)
{
	__u64 handles[4] = { 7, 7, 7, 7 };
	struct pinmgr_list l;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(pm_list(fd, handles, 4, &l), 0);
	ASSERT_EQ(l.out_total, 0);
	ASSERT_EQ(l.nr_handles, 0);
	ASSERT_EQ(handles[0], 7);
	close(fd);
}

TEST(pin_list_three_in_order)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(3 * ps);
	struct pinmgr_list l;
	__u64 h[3], handles[8];
	unsigned int i;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	for (i = 0; i < 3; i++)
		h[i] = PIN_OK(fd, p + i * ps, ps, 0);
	for (i = 0; i < 8; i++)
		handles[i] = 0xababababababababull;
	ASSERT_EQ(pm_list(fd, handles, 8, &l), 0);
	ASSERT_EQ(l.out_total, 3);
	ASSERT_EQ(l.nr_handles, 3);
	/* Oldest first, whatever the handles' values. */
	for (i = 0; i < 3; i++)
		ASSERT_EQ(handles[i], h[i]);
	/* Entries past nr_handles are not written. */
	for (i = 3; i < 8; i++)
		ASSERT_EQ(handles[i], 0xababababababababull);

	/* Without the middle one. */
	ASSERT_EQ(pm_unpin(fd, h[1]), 0);
	ASSERT_EQ(pm_list(fd, handles, 8, &l), 0);
	ASSERT_EQ(l.out_total, 2);
	ASSERT_EQ(l.nr_handles, 2);
	ASSERT_EQ(handles[0], h[0]);
	ASSERT_EQ(handles[1], h[2]);
	ASSERT_EQ(pm_unpin(fd, h[0]), 0);
	ASSERT_EQ(pm_unpin(fd, h[2]), 0);
	close(fd);
	pm_unmap(p, 3 * ps);
}

TEST(pin_list_capacity_one)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(3 * ps);
	__u64 h[3], handles[2] = { 0, 0x1111 };
	struct pinmgr_list l;
	unsigned int i;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	for (i = 0; i < 3; i++)
		h[i] = PIN_OK(fd, p + i * ps, ps, 0);
	ASSERT_EQ(pm_list(fd, handles, 1, &l), 0);
	ASSERT_EQ(l.nr_handles, 1);
	ASSERT_EQ(l.out_total, 3);
	ASSERT_EQ(handles[0], h[0]);
	ASSERT_EQ(handles[1], 0x1111);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(pm_unpin(fd, h[i]), 0);
	close(fd);
	pm_unmap(p, 3 * ps);
}

TEST(pin_list_total_only)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(3 * ps);
	struct pinmgr_list l;
	__u64 h[3];
	unsigned int i;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	for (i = 0; i < 3; i++)
		h[i] = PIN_OK(fd, p + i * ps, ps, 0);
	ASSERT_EQ(pm_list(fd, NULL, 0, &l), 0);
	ASSERT_EQ(l.nr_handles, 0);
	ASSERT_EQ(l.out_total, 3);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(pm_unpin(fd, h[i]), 0);
	ASSERT_EQ(pm_list(fd, NULL, 0, &l), 0);
	ASSERT_EQ(l.out_total, 0);
	close(fd);
	pm_unmap(p, 3 * ps);
}

TEST(pin_list_only_own_context)
{
	size_t ps = pm_page_size();
	char *p = pm_map_anon(ps);
	int fd1 = pm_open(), fd2 = pm_open();
	__u64 h1, h2, handles[4];
	struct pinmgr_list l;

	ASSERT_GE(fd1, 0);
	ASSERT_GE(fd2, 0);
	ASSERT_NE(p, NULL);
	h1 = PIN_OK(fd1, p, ps, 0);
	h2 = PIN_OK(fd2, p, ps, 0);
	ASSERT_EQ(pm_list(fd2, handles, 4, &l), 0);
	ASSERT_EQ(l.out_total, 1);
	ASSERT_EQ(handles[0], h2);
	ASSERT_EQ(pm_list(fd1, handles, 4, &l), 0);
	ASSERT_EQ(l.out_total, 1);
	ASSERT_EQ(handles[0], h1);
	ASSERT_EQ(pm_unpin(fd1, h1), 0);
	ASSERT_EQ(pm_unpin(fd2, h2), 0);
	close(fd1);
	close(fd2);
	pm_unmap(p, ps);
}

TEST(pin_same_range_twice)
{
	size_t ps = pm_page_size(), n = 8;
	char *p = pm_map_anon(n * ps);
	struct pinmgr_info info;
	int fd1 = pm_open(), fd2 = pm_open();
	__u64 h1, h2, h3;
	long long base;

	ASSERT_GE(fd1, 0);
	ASSERT_GE(fd2, 0);
	ASSERT_NE(p, NULL);
	base = pm_outstanding_pins();
	h1 = PIN_OK(fd1, p, n * ps, 0);
	h2 = PIN_OK(fd1, p, n * ps, PINMGR_PIN_WRITE);
	ASSERT_NE(h1, h2);
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)(2 * n));
	ASSERT_EQ(pm_vmpin_kb(), (long long)(2 * n * ps / 1024));
	ASSERT_EQ(pm_get_info(fd1, &info), 0);
	ASSERT_EQ(info.ctx_leases, 2);
	ASSERT_EQ(info.ctx_pinned_pages, 2 * n);
	ASSERT_EQ(info.mm_pinned_pages, 2 * n);

	/* A third, in another context, counts as well. */
	h3 = PIN_OK(fd2, p, n * ps, PINMGR_PIN_LONGTERM);
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)(3 * n));
	ASSERT_EQ(pm_vmpin_kb(), (long long)(3 * n * ps / 1024));

	ASSERT_EQ(pm_unpin(fd1, h1), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)(2 * n));
	ASSERT_EQ(pm_vmpin_kb(), (long long)(2 * n * ps / 1024));
	ASSERT_EQ(pm_unpin(fd1, h2), 0);
	ASSERT_EQ(pm_unpin(fd2, h3), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	close(fd1);
	close(fd2);
	pm_unmap(p, n * ps);
}

TEST_TIMEOUT(pin_64m_longterm, 300)
{
	size_t len = 64 * MiB, npages = len / pm_page_size();
	struct pinmgr_info info;
	struct pinmgr_pin pin;
	char *p = pm_map_anon(len);
	int fd = pm_open();
	long long base;

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	base = pm_outstanding_pins();
	ASSERT_EQ(pm_pin(fd, p, len, PINMGR_PIN_LONGTERM, 0, &pin), 0);
	ASSERT_EQ(pin.out_nr_pages, npages);
	/* LONGTERM may migrate and re-pin: count what is held, not taken. */
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)npages);
	ASSERT_EQ(pm_vmpin_kb(), (long long)(len / 1024));
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.ctx_pinned_pages, npages);
	ASSERT_EQ(info.device_pinned_pages, npages);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	close(fd);
	pm_unmap(p, len);
}

TEST_TIMEOUT(pin_thp_longterm_few_runs, 120)
{
	size_t len = 8 * MiB, npages = len / pm_page_size();
	struct pinmgr_query q;
	struct pinmgr_pin pin;
	long long base, thp_kb;
	char *p = pm_map_thp(len);
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	thp_kb = pm_anon_huge_kb();
	if (thp_kb < (long long)(len / 1024))
		SKIP("only %lld kB of %zu kB backed by transparent huge pages",
		     thp_kb, len / 1024);
	base = pm_outstanding_pins();
	ASSERT_EQ(pm_pin(fd, p, len, PINMGR_PIN_LONGTERM, 0, &pin), 0);
	ASSERT_EQ(pin.out_nr_pages, npages);
	/* One run per 2 MiB huge page at most. */
	ASSERT_GE(pin.out_nr_runs, 1);
	ASSERT_LE(pin.out_nr_runs, 4);
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)npages);
	ASSERT_EQ(pm_query(fd, pin.out_handle, &q), 0);
	ASSERT_EQ(q.out_nr_runs, pin.out_nr_runs);
	/* Runs, not page pointers: the bookkeeping stays small. */
	ASSERT_GT(q.out_metadata_bytes, 0);
	ASSERT_LT(q.out_metadata_bytes, 4096);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	close(fd);
	pm_unmap(p, len);
}

TEST(pin_many_small_then_close)
{
	size_t ps = pm_page_size(), n = 200;
	char *p = pm_map_anon(n * ps);
	struct pinmgr_info info;
	struct pinmgr_list l;
	__u64 *handles, *pinned;
	long long base;
	unsigned int i;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	handles = calloc(n, sizeof(*handles));
	pinned = calloc(n, sizeof(*pinned));
	ASSERT_NE(handles, NULL);
	ASSERT_NE(pinned, NULL);
	base = pm_outstanding_pins();
	for (i = 0; i < n; i++)
		pinned[i] = PIN_OK(fd, p + i * ps, ps,
				   i & 1 ? PINMGR_PIN_WRITE : 0);
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)n);
	ASSERT_EQ(pm_vmpin_kb(), (long long)(n * ps / 1024));
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.ctx_leases, n);
	ASSERT_EQ(info.device_leases, n);
	ASSERT_EQ(pm_list(fd, handles, n, &l), 0);
	ASSERT_EQ(l.out_total, n);
	ASSERT_EQ(l.nr_handles, n);
	/* Oldest first. */
	for (i = 0; i < n; i++)
		ASSERT_EQ(handles[i], pinned[i]);

	ASSERT_EQ(close(fd), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	fd = pm_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.device_leases, 0);
	ASSERT_EQ(info.device_pinned_pages, 0);
	close(fd);
	free(handles);
	free(pinned);
	pm_unmap(p, n * ps);
}

TEST(pin_unpin_repeat_balanced)
{
	size_t ps = pm_page_size(), n = 16;
	char *p = pm_map_anon(n * ps);
	struct pinmgr_pin pin;
	long long base;
	__u64 last = 0;
	unsigned int i;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	/* Handles taken on one CPU grow; across CPUs they need not. */
	ASSERT_EQ(pm_stay_on_one_cpu(), 0);
	base = pm_outstanding_pins();
	for (i = 0; i < 200; i++) {
		ASSERT_EQ(pm_pin(fd, p, n * ps, i % 4, i, &pin), 0);
		ASSERT_GT(pin.out_handle, last);
		last = pin.out_handle;
		ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	}
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	close(fd);
	pm_unmap(p, n * ps);
}

/* Shared memory (shmem) may be pinned long-term for writing on any kernel. */
TEST(pin_memfd_shared_longterm_write)
{
	size_t len = MiB, npages = len / pm_page_size();
	struct pinmgr_pin pin;
	long long base;
	char *p;
	int fd = pm_open(), mfd;

	ASSERT_GE(fd, 0);
	mfd = memfd_create("pinmgr-test", MFD_CLOEXEC);
	ASSERT_GE(mfd, 0);
	ASSERT_EQ(ftruncate(mfd, len), 0);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	ASSERT_NE(p, MAP_FAILED);
	memset(p, 0x11, len);
	base = pm_outstanding_pins();
	ASSERT_EQ(pm_pin(fd, p, len, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM,
			 0, &pin), 0);
	ASSERT_EQ(pin.out_nr_pages, npages);
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)npages);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	munmap(p, len);
	close(mfd);
	close(fd);
}

TEST(pin_shared_anonymous)
{
	size_t len = 64 * pm_page_size();
	struct pinmgr_pin pin;
	long long base;
	char *p;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(p, MAP_FAILED);
	memset(p, 0x22, len);
	base = pm_outstanding_pins();
	ASSERT_EQ(pm_pin(fd, p, len, PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM,
			 0, &pin), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 64);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	munmap(p, len);
	close(fd);
}

/* A read-only mapping can be pinned for reading. */
TEST(pin_readonly_mapping_read_pin)
{
	size_t ps = pm_page_size(), n = 4;
	char *p = pm_map_anon(n * ps);
	struct pinmgr_pin pin;
	long long base;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	ASSERT_EQ(mprotect(p, n * ps, PROT_READ), 0);
	base = pm_outstanding_pins();
	ASSERT_EQ(pm_pin(fd, p, n * ps, 0, 0, &pin), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)n);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_EQ(pin.out_nr_pages, n);
	ASSERT_EQ(pm_pin(fd, p, n * ps, PINMGR_PIN_LONGTERM, 0, &pin), 0);
	ASSERT_EQ(pm_unpin(fd, pin.out_handle), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	close(fd);
	pm_unmap(p, n * ps);
}

/* Pinned pages survive munmap of their range until the lease ends. */
TEST(pin_survives_munmap)
{
	size_t ps = pm_page_size(), n = 32;
	char *p = pm_map_anon(n * ps);
	struct pinmgr_query q;
	long long base;
	__u64 h;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	base = pm_outstanding_pins();
	h = PIN_OK(fd, p, n * ps, PINMGR_PIN_WRITE);
	ASSERT_EQ(munmap(p, n * ps), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)n);
	ASSERT_EQ(pm_vmpin_kb(), (long long)(n * ps / 1024));
	ASSERT_EQ(pm_query(fd, h, &q), 0);
	ASSERT_EQ(q.out_addr, (__u64)(uintptr_t)p);
	ASSERT_EQ(q.out_nr_pages, n);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	close(fd);
}

TEST(pin_zero_tail_accepted_and_untouched)
{
	struct {
		struct pinmgr_pin pin;
		unsigned char tail[40];
	} buf;
	size_t ps = pm_page_size();
	char *p = pm_map_anon(2 * ps);
	unsigned int i;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	memset(&buf, 0, sizeof(buf));
	buf.pin.size = sizeof(buf);
	buf.pin.addr = (__u64)(uintptr_t)p;
	buf.pin.length = 2 * ps;
	ASSERT_EQ(ioctl(fd, PINMGR_IOC_PIN, &buf), 0);
	ASSERT_NE(buf.pin.out_handle, 0);
	ASSERT_EQ(buf.pin.out_nr_pages, 2);
	for (i = 0; i < sizeof(buf.tail); i++)
		ASSERT_EQ(buf.tail[i], 0);
	ASSERT_EQ(pm_unpin(fd, buf.pin.out_handle), 0);
	close(fd);
	pm_unmap(p, 2 * ps);
}

TEST(pin_no_write_beyond_size)
{
	struct {
		struct pinmgr_pin pin;
		unsigned char tail[40];
	} buf;
	struct pinmgr_query *q;
	unsigned char qbuf[sizeof(struct pinmgr_query) + 40] __attribute__((aligned(8)));
	size_t ps = pm_page_size();
	char *p = pm_map_anon(ps);
	unsigned int i;
	__u64 h;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	memset(&buf, 0xa5, sizeof(buf));
	buf.pin.size = sizeof(buf.pin);
	buf.pin.flags = 0;
	buf.pin.__reserved = 0;
	buf.pin.__reserved2 = 0;
	buf.pin.addr = (__u64)(uintptr_t)p;
	buf.pin.length = ps;
	buf.pin.cookie = 5;
	/* out_* hold garbage on input: ignored, then overwritten. */
	ASSERT_EQ(ioctl(fd, PINMGR_IOC_PIN, &buf), 0);
	ASSERT_NE(buf.pin.out_handle, 0xa5a5a5a5a5a5a5a5ull);
	ASSERT_EQ(buf.pin.out_nr_pages, 1);
	ASSERT_EQ(buf.pin.out_nr_runs, 1);
	ASSERT_EQ(buf.pin.out_pin_flags, 0);
	for (i = 0; i < sizeof(buf.tail); i++)
		ASSERT_EQ(buf.tail[i], 0xa5);
	h = buf.pin.out_handle;

	/* The same for QUERY, the other structure with a long reply. */
	memset(qbuf, 0xa5, sizeof(qbuf));
	q = (struct pinmgr_query *)qbuf;
	q->size = sizeof(*q);
	q->flags = 0;
	q->handle = h;
	ASSERT_EQ(ioctl(fd, PINMGR_IOC_QUERY, q), 0);
	ASSERT_EQ(q->out_cookie, 5);
	ASSERT_EQ(q->out_owner_comm[PINMGR_COMM_LEN - 1], 0);
	for (i = sizeof(*q); i < sizeof(qbuf); i++)
		ASSERT_EQ(qbuf[i], 0xa5);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	close(fd);
	pm_unmap(p, ps);
}

TEST(pin_query_list_zero_tail_accepted)
{
	unsigned char qbuf[sizeof(struct pinmgr_query) + 24] __attribute__((aligned(8)));
	unsigned char lbuf[sizeof(struct pinmgr_list) + 24] __attribute__((aligned(8)));
	struct pinmgr_query *q = (struct pinmgr_query *)qbuf;
	struct pinmgr_list *l = (struct pinmgr_list *)lbuf;
	size_t ps = pm_page_size();
	char *p = pm_map_anon(ps);
	__u64 h, handles[2];
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	h = PIN_OK(fd, p, ps, 0);
	memset(qbuf, 0, sizeof(qbuf));
	q->size = sizeof(qbuf);
	q->handle = h;
	ASSERT_EQ(ioctl(fd, PINMGR_IOC_QUERY, q), 0);
	ASSERT_EQ(q->out_nr_pages, 1);

	memset(lbuf, 0, sizeof(lbuf));
	l->size = sizeof(lbuf);
	l->handles = (__u64)(uintptr_t)handles;
	l->nr_handles = 2;
	ASSERT_EQ(ioctl(fd, PINMGR_IOC_LIST, l), 0);
	ASSERT_EQ(l->out_total, 1);
	ASSERT_EQ(handles[0], h);
	ASSERT_EQ(pm_unpin(fd, h), 0);
	close(fd);
	pm_unmap(p, ps);
}

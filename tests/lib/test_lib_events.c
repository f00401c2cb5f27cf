// SPDX-License-Identifier: GPL-2.0-only
/*
 * libpinctl: the event stream of a device object, polled on its fd.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "libtest.h"

#define MIB	(1024ULL * 1024)

static void wait_readable(struct pinctl_dev *dev, int ms)
{
	struct pollfd p = { .fd = pinctl_dev_get_fd(dev), .events = POLLIN };

	ASSERT_EQ(poll(&p, 1, ms), 1);
	ASSERT_TRUE(p.revents & POLLIN);
}

TEST(lib_event_expired)
{
	struct pinctl_ctx *ctx = lt_ctx();
	PINCTL_OPTS(pinctl_dev_opts, o, .flags = PINCTL_DEV_NONBLOCK);
	PINCTL_OPTS(pinctl_pin_opts, po, .duration_ns = 100 * PM_MS, .cookie = 77);
	PINCTL_OPTS(pinctl_event, ev);
	struct pinctl_dev *dev;
	void *buf = pm_map_anon(MIB);
	uint64_t h, t0 = pm_realtime_ns();

	ASSERT_RET(pinctl_dev_open(ctx, &o, &dev), 0);
	ASSERT_RET(pinctl_event_read(dev, &ev), -EAGAIN);
	ASSERT_RET(pinctl_pin(dev, buf, MIB, &po, &h), 0);
	wait_readable(dev, 5000);
	ASSERT_RET(pinctl_event_read(dev, &ev), 0);
	ASSERT_EQ(ev.type, PINCTL_EVENT_EXPIRED);
	ASSERT_EQ(ev.handle, h);
	ASSERT_EQ(ev.cookie, 77);
	ASSERT_EQ(ev.nr_pages, MIB / pm_page_size());
	ASSERT_GE(ev.time_ns, t0 + 90 * PM_MS);
	ASSERT_EQ(ev.lost, 0);
	ASSERT_RET(pinctl_event_read(dev, &ev), -EAGAIN);
	ASSERT_RET(pinctl_unpin(dev, h), -EKEYEXPIRED);
	ev.sz = 3;
	ASSERT_RET(pinctl_event_read(dev, &ev), -EINVAL);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

/* A break and its end: BREAKING with the deadline, then REVOKED. */
TEST(lib_event_break_then_revoked)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx), *admin = lt_dev(ctx);
	PINCTL_OPTS(pinctl_event, ev);
	void *buf = pm_map_anon(MIB);
	uint64_t h, deadline;

	ASSERT_EQ(pm_param_write("break_time_ms", 200), 0);
	ASSERT_RET(pinctl_pin(dev, buf, MIB, NULL, &h), 0);
	ASSERT_RET(pinctl_revoke(admin, h, NULL, &deadline), 0);
	wait_readable(dev, 5000);
	/* Blocking read: the device was opened without PINCTL_DEV_NONBLOCK. */
	ASSERT_RET(pinctl_event_read(dev, &ev), 0);
	ASSERT_EQ(ev.type, PINCTL_EVENT_BREAKING);
	ASSERT_EQ(ev.handle, h);
	/* Each report converts from CLOCK_BOOTTIME: equal to within 1 ms. */
	ASSERT_LT(ev.deadline_ns - deadline + PM_MS, 2 * PM_MS);
	ASSERT_RET(pinctl_event_read(dev, &ev), 0);
	ASSERT_EQ(ev.type, PINCTL_EVENT_REVOKED);
	ASSERT_EQ(ev.handle, h);
	ASSERT_GE(ev.time_ns, deadline - 50 * PM_MS);
	ASSERT_RET(pinctl_unpin(dev, h), -EKEYREVOKED);
	pinctl_dev_unref(admin);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

/* Many events in one read(2): handed out one by one, none lost. */
TEST(lib_event_batch_and_overflow)
{
	struct pinctl_ctx *ctx = lt_ctx();
	PINCTL_OPTS(pinctl_dev_opts, o, .flags = PINCTL_DEV_NONBLOCK);
	PINCTL_OPTS(pinctl_revoke_opts, now, .flags = PINCTL_REVOKE_NOW);
	PINCTL_OPTS(pinctl_event, ev);
	struct pinctl_dev *dev, *admin;
	size_t page = pm_page_size(), i, revoked = 0, lost = 0;
	char *buf = pm_map_anon(300 * page);
	uint64_t h[300];

	ASSERT_EQ(pm_param_write("max_events", 200), 0);
	ASSERT_RET(pinctl_dev_open(ctx, &o, &dev), 0);
	admin = lt_dev(ctx);
	for (i = 0; i < 300; i++)
		ASSERT_RET(pinctl_pin(dev, buf + i * page, page, NULL, &h[i]), 0);
	for (i = 0; i < 300; i++)
		ASSERT_RET(pinctl_revoke(admin, h[i], &now, NULL), 0);
	while (pinctl_event_read(dev, &ev) == 0) {
		if (ev.type == PINCTL_EVENT_REVOKED)
			revoked++;
		else if (ev.type == PINCTL_EVENT_OVERFLOW)
			lost += ev.lost;
	}
	pm_diag("%zu revoked events, %zu lost", revoked, lost);
	ASSERT_EQ(revoked + lost, 300);
	ASSERT_GT(lost, 0);
	pinctl_dev_unref(admin);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

/* A watched lease whose range is unmapped: a STALE event says how. */
TEST(lib_event_stale)
{
	struct pinctl_ctx *ctx = lt_ctx();
	PINCTL_OPTS(pinctl_dev_opts, o, .flags = PINCTL_DEV_NONBLOCK);
	PINCTL_OPTS(pinctl_pin_opts, po, .flags = PINCTL_PIN_WATCH, .cookie = 5);
	PINCTL_OPTS(pinctl_event, ev);
	struct pinctl_dev *dev;
	size_t page = pm_page_size();
	char *buf = pm_map_anon(6 * page);
	uint64_t h;

	ASSERT_RET(pinctl_dev_open(ctx, &o, &dev), 0);
	lt_need_watch(dev);
	ASSERT_RET(pinctl_pin(dev, buf, 4 * page, &po, &h), 0);
	ASSERT_RET(pinctl_event_read(dev, &ev), -EAGAIN);
	ASSERT_EQ(munmap(buf + 3 * page, page), 0);
	wait_readable(dev, 5000);
	ASSERT_RET(pinctl_event_read(dev, &ev), 0);
	ASSERT_EQ(ev.type, PINCTL_EVENT_STALE);
	ASSERT_EQ(ev.handle, h);
	ASSERT_EQ(ev.cookie, 5);
	ASSERT_EQ(ev.reason, PINCTL_STALE_UNMAP);
	ASSERT_EQ(ev.addr, (uintptr_t)buf + 3 * page);
	ASSERT_EQ(ev.length, page);
	ASSERT_EQ(ev.nr_pages, 4);
	ASSERT_EQ(ev.lost, 0);
	ASSERT_EQ(ev.__reserved2, 0);
	ASSERT_RET(pinctl_unpin(dev, h), 0);

	/* A caller that knows the first version of the event: no more. */
	ASSERT_RET(pinctl_pin(dev, buf + 5 * page, page, &po, &h), 0);
	ASSERT_EQ(munmap(buf + 5 * page, page), 0);
	wait_readable(dev, 5000);
	{
		struct pinctl_event old;

		memset(&old, 0xaa, sizeof(old));
		old.sz = offsetofend(struct pinctl_event, lost);
		ASSERT_RET(pinctl_event_read(dev, &old), 0);
		ASSERT_EQ(old.type, PINCTL_EVENT_STALE);
		ASSERT_EQ(old.handle, h);
		ASSERT_EQ(old.addr, 0xaaaaaaaaaaaaaaaaULL);
		ASSERT_EQ(old.reason, 0xaaaaaaaaU);
	}
	ASSERT_RET(pinctl_unpin(dev, h), 0);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

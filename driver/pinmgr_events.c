// SPDX-License-Identifier: GPL-2.0-only
/*
 * The owner's event stream: read(2), poll(2) and O_ASYNC on a pinmgr file.
 *
 * Each context has a bounded queue, a ring of max_events records allocated
 * the first time the context may need it: when it pins a lease with a
 * duration, renews one, or has one revoked. Allocating then, in the caller's
 * context, means the expiry work never allocates: an event is never lost
 * to a failed allocation, only to a full queue. A full queue drops events
 * and counts them, and keeps dropping until the reader has drained it and
 * read the PINMGR_EVENT_OVERFLOW record that says how many were lost, so
 * that records stay in the order things happened (as inotify does).
 *
 * The queue is under the context's lock; readers sleep on ev_wait.
 */
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "pinmgr.h"

/* Give @ctx its event queue, if it has none yet. */
int pinmgr_events_prepare(struct pinmgr_ctx *ctx)
{
	unsigned int cap = max(READ_ONCE(pinmgr_max_events), 1U);
	struct pinmgr_event *ring;

	if (READ_ONCE(ctx->events))
		return 0;
	ring = kvmalloc_array(cap, sizeof(*ring), PINMGR_GFP_ARRAY);
	if (!ring)
		return -ENOMEM;
	mutex_lock(&ctx->lock);
	if (!ctx->events) {
		ctx->ev_cap = cap;
		WRITE_ONCE(ctx->events, ring);
		ring = NULL;
	}
	mutex_unlock(&ctx->lock);
	kvfree(ring);
	return 0;
}

/* The context is gone: so is its queue, read or not. */
void pinmgr_events_free(struct pinmgr_ctx *ctx)
{
	kvfree(ctx->events);
	ctx->events = NULL;
}

/**
 * pinmgr_event_queue() - tell a lease's owner what happened to it
 * @lease: the lease
 * @type: enum pinmgr_event_type, not OVERFLOW
 *
 * Under the lease's context's lock; nothing is queued once the file is
 * closed.
 */
void pinmgr_event_queue(struct pinmgr_lease *lease, u16 type)
{
	struct pinmgr_ctx *ctx = lease->ctx;
	struct pinmgr_event *ev;

	lockdep_assert_held(&ctx->lock);
	if (ctx->closed || WARN_ON_ONCE(!ctx->events))
		return;
	if (ctx->ev_lost || ctx->ev_len == ctx->ev_cap) {
		ctx->ev_lost++;
		return;
	}
	ev = &ctx->events[(ctx->ev_head + ctx->ev_len) % ctx->ev_cap];
	*ev = (struct pinmgr_event) {
		.size = sizeof(*ev),
		.type = type,
		.handle = lease->handle,
		.cookie = lease->cookie,
		.time_ns = ktime_get_real_ns(),
		.nr_pages = lease->nr_pages,
	};
	if (type == PINMGR_EVENT_BREAKING)
		ev->deadline_ns = pinmgr_boottime_to_real_ns(lease->break_at);
	WRITE_ONCE(ctx->ev_len, ctx->ev_len + 1);
	wake_up_interruptible_poll(&ctx->ev_wait, EPOLLIN | EPOLLRDNORM);
	kill_fasync(&ctx->fasync, SIGIO, POLL_IN);
}

static bool pinmgr_events_ready(struct pinmgr_ctx *ctx)
{
	return READ_ONCE(ctx->ev_len) || READ_ONCE(ctx->ev_lost);
}

/*
 * The oldest record into *@ev, without taking it: a queued event, or the
 * overflow marker once the queue is drained. False if there is none.
 */
static bool pinmgr_event_peek(struct pinmgr_ctx *ctx, struct pinmgr_event *ev)
{
	lockdep_assert_held(&ctx->lock);
	if (ctx->ev_len) {
		*ev = ctx->events[ctx->ev_head];
		return true;
	}
	if (!ctx->ev_lost)
		return false;
	*ev = (struct pinmgr_event) {
		.size = sizeof(*ev),
		.type = PINMGR_EVENT_OVERFLOW,
		.time_ns = ktime_get_real_ns(),
		.lost = ctx->ev_lost,
	};
	return true;
}

static void pinmgr_event_pop(struct pinmgr_ctx *ctx)
{
	if (ctx->ev_len) {
		ctx->ev_head = (ctx->ev_head + 1) % ctx->ev_cap;
		WRITE_ONCE(ctx->ev_len, ctx->ev_len - 1);
	} else {
		WRITE_ONCE(ctx->ev_lost, 0);
	}
}

/* read(2): as many whole records as fit, oldest first. */
ssize_t pinmgr_read(struct file *file, char __user *buf, size_t count,
		    loff_t *pos)
{
	struct pinmgr_ctx *ctx = file->private_data;
	struct pinmgr_event ev;
	ssize_t done = 0;
	int ret;

	if (count < sizeof(ev))
		return -EINVAL;

	mutex_lock(&ctx->lock);
	while (!pinmgr_events_ready(ctx)) {
		mutex_unlock(&ctx->lock);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(ctx->ev_wait,
					       pinmgr_events_ready(ctx));
		if (ret)
			return ret;
		mutex_lock(&ctx->lock);
	}
	while (count - done >= sizeof(ev) && pinmgr_event_peek(ctx, &ev)) {
		/* A record that cannot be delivered stays queued. */
		if (copy_to_user(buf + done, &ev, sizeof(ev))) {
			if (!done)
				done = -EFAULT;
			break;
		}
		pinmgr_event_pop(ctx);
		done += sizeof(ev);
	}
	mutex_unlock(&ctx->lock);
	return done;
}

__poll_t pinmgr_poll(struct file *file, struct poll_table_struct *wait)
{
	struct pinmgr_ctx *ctx = file->private_data;

	poll_wait(file, &ctx->ev_wait, wait);
	return pinmgr_events_ready(ctx) ? EPOLLIN | EPOLLRDNORM : 0;
}

/* O_ASYNC: SIGIO (or the F_SETSIG signal) to the F_SETOWN owner per event. */
int pinmgr_fasync(int fd, struct file *file, int on)
{
	struct pinmgr_ctx *ctx = file->private_data;

	return fasync_helper(fd, file, on, &ctx->fasync);
}

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
 * The queue is under the context's lock; readers sleep on ev_wait, and
 * take turns through read_lock.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "pinmgr.h"

/*
 * Give @ctx its event queue, if it has none yet. A closed context gets
 * none: its release freed the queue already, or will find none to free.
 */
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
	if (!ctx->events && !ctx->closed) {
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
	if (type == PINMGR_EVENT_STALE)
		pinmgr_watch_event(lease, ev);
	WRITE_ONCE(ctx->ev_len, ctx->ev_len + 1);
	wake_up_interruptible_poll(&ctx->ev_wait, EPOLLIN | EPOLLRDNORM);
	kill_fasync(&ctx->fasync, SIGIO, POLL_IN);
}

static bool pinmgr_events_ready(struct pinmgr_ctx *ctx)
{
	return READ_ONCE(ctx->ev_len) || READ_ONCE(ctx->ev_lost);
}

/* Records read(2) copies out per hold of the lock. */
#define PINMGR_READ_BATCH	8

/*
 * Up to @max of the oldest records into @evs, without taking them: queued
 * events, then the overflow marker once the queue is drained. Return: how
 * many.
 */
static unsigned int pinmgr_events_peek(struct pinmgr_ctx *ctx,
				       struct pinmgr_event *evs,
				       unsigned int max)
{
	unsigned int n = 0;

	lockdep_assert_held(&ctx->lock);
	for (; n < max && n < ctx->ev_len; n++)
		evs[n] = ctx->events[(ctx->ev_head + n) % ctx->ev_cap];
	if (n < max && n == ctx->ev_len && ctx->ev_lost) {
		evs[n++] = (struct pinmgr_event) {
			.size = sizeof(*evs),
			.type = PINMGR_EVENT_OVERFLOW,
			.time_ns = ktime_get_real_ns(),
			.lost = ctx->ev_lost,
		};
	}
	return n;
}

/*
 * Take the first @n records that pinmgr_events_peek() gave out of the
 * queue. Only readers take records, one at a time (read_lock), so they are
 * still the oldest; events dropped meanwhile stay counted for the next
 * marker.
 */
static void pinmgr_events_pop(struct pinmgr_ctx *ctx,
			      const struct pinmgr_event *evs, unsigned int n)
{
	unsigned int i;

	lockdep_assert_held(&ctx->lock);
	for (i = 0; i < n; i++) {
		if (evs[i].type == PINMGR_EVENT_OVERFLOW) {
			WRITE_ONCE(ctx->ev_lost, ctx->ev_lost - evs[i].lost);
		} else {
			ctx->ev_head = (ctx->ev_head + 1) % ctx->ev_cap;
			WRITE_ONCE(ctx->ev_len, ctx->ev_len - 1);
		}
	}
}

/*
 * read(2): as many whole records as fit, oldest first. Records are copied
 * out with the context's lock dropped: a buffer whose fault never
 * completes stalls this reader alone, never the expiry work, a REVOKE or
 * a listing that need the lock.
 */
ssize_t pinmgr_read(struct file *file, char __user *buf, size_t count,
		    loff_t *pos)
{
	struct pinmgr_ctx *ctx = file->private_data;
	struct pinmgr_event evs[PINMGR_READ_BATCH];
	unsigned int n, copied;
	ssize_t done = 0;
	int ret = 0;

	if (count < sizeof(evs[0]))
		return -EINVAL;
	/* Another reader may be stalled in its copy: never wait for it here. */
	if (file->f_flags & O_NONBLOCK) {
		if (!mutex_trylock(&ctx->read_lock))
			return -EAGAIN;
	} else {
		ret = mutex_lock_interruptible(&ctx->read_lock);
		if (ret)
			return ret;
	}
	while (!pinmgr_events_ready(ctx)) {
		if (file->f_flags & O_NONBLOCK) {
			ret = -EAGAIN;
			goto out_unlock_read;
		}
		ret = wait_event_interruptible(ctx->ev_wait,
					       pinmgr_events_ready(ctx));
		if (ret)
			goto out_unlock_read;
	}
	while (count - done >= sizeof(evs[0])) {
		mutex_lock(&ctx->lock);
		n = pinmgr_events_peek(ctx, evs,
				       min_t(size_t, ARRAY_SIZE(evs),
					     (count - done) / sizeof(evs[0])));
		mutex_unlock(&ctx->lock);
		if (!n)
			break;
		/* A record that cannot be delivered stays queued. */
		copied = (n * sizeof(evs[0]) -
			  copy_to_user(buf + done, evs, n * sizeof(evs[0]))) /
			 sizeof(evs[0]);
		mutex_lock(&ctx->lock);
		pinmgr_events_pop(ctx, evs, copied);
		mutex_unlock(&ctx->lock);
		done += copied * sizeof(evs[0]);
		if (copied < n) {
			if (!done)
				ret = -EFAULT;
			break;
		}
		if (fatal_signal_pending(current))
			break;
	}
out_unlock_read:
	mutex_unlock(&ctx->read_lock);
	return done ? done : ret;
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

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Leases that end on their own: expiry, renewal and revocation as a break.
 *
 * Each context keeps its leases that have a deadline (an expiry, a break
 * deadline, or both) in a timerqueue ordered by the earlier of the two,
 * under the context's lock, and one delayed work item armed for the first
 * deadline. The work runs in process context, where pages may be released:
 * it ends every lease that is due, one at a time with the lock dropped
 * while the pages go, then arms itself for the next deadline. Ten thousand
 * leases due at once are one run of the work, with cond_resched() between
 * leases.
 *
 * Ending a lease (pinmgr_lease_end()): under the lock it becomes ENDING,
 * which every other path respects (UNPIN waits, RENEW and REVOKE refuse,
 * ACCESS stops); then, with the lock dropped, the users of its pages are
 * waited for and the pages are released; then, under the lock again, it
 * becomes EXPIRED or REVOKED and its owner gets the event. The record stays
 * filed until the owner acknowledges it.
 *
 * Deadlines are kept on CLOCK_BOOTTIME, so that a lease also runs out while
 * the machine sleeps; the ABI speaks CLOCK_REALTIME.
 */
#include <linux/capability.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>

#include "pinmgr.h"
#include "pinmgr_trace.h"

/*
 * A CLOCK_BOOTTIME instant as CLOCK_REALTIME nanoseconds, for the ABI.
 * Through the clocks' offsets, so that the same instant reads the same on
 * every path (REVOKE's reply, the event, QUERY, netlink) until the clock
 * is set.
 */
u64 pinmgr_boottime_to_real_ns(ktime_t t)
{
	ktime_t mono;

	if (!t)
		return 0;
	mono = ktime_sub(t, ktime_mono_to_any(0, TK_OFFS_BOOT));
	return ktime_to_ns(ktime_mono_to_any(mono, TK_OFFS_REAL));
}

/* Run the context's work at @when (CLOCK_BOOTTIME). Under ctx->lock. */
static void pinmgr_ctx_arm(struct pinmgr_ctx *ctx, ktime_t when)
{
	ktime_t now = ktime_get_boottime();
	unsigned long delay = 0;

	lockdep_assert_held(&ctx->lock);
	if (ctx->closed)
		return;
	if (ktime_after(when, now))
		delay = nsecs_to_jiffies(ktime_to_ns(ktime_sub(when, now))) + 1;
	mod_delayed_work(pinmgr_wq, &ctx->expire_work, delay);
}

/* Take a lease out of its context's deadline queue, if it is in it. */
void pinmgr_lease_dequeue_deadline(struct pinmgr_lease *lease)
{
	lockdep_assert_held(&lease->ctx->lock);
	if (!RB_EMPTY_NODE(&lease->deadline.node))
		timerqueue_del(&lease->ctx->deadlines, &lease->deadline);
}

/*
 * (Re)queue a lease for the earlier of its expiry and break deadline, and
 * arm the context's work if that is now the first deadline.
 */
void pinmgr_lease_queue_deadline(struct pinmgr_lease *lease)
{
	struct pinmgr_ctx *ctx = lease->ctx;
	ktime_t when = lease->expire_at;

	lockdep_assert_held(&ctx->lock);
	pinmgr_lease_dequeue_deadline(lease);
	if (lease->break_at && (!when || ktime_before(lease->break_at, when)))
		when = lease->break_at;
	if (!when)
		return;
	lease->deadline.expires = when;
	if (timerqueue_add(&ctx->deadlines, &lease->deadline))
		pinmgr_ctx_arm(ctx, when);
}

/*
 * Start ending a live lease as @end (EXPIRED or REVOKED): it is ENDING from
 * now on. Under ctx->lock; the caller then calls pinmgr_lease_end() with
 * the lock dropped and a reference held.
 */
static void pinmgr_lease_claim(struct pinmgr_lease *lease, u32 end)
{
	lockdep_assert_held(&lease->ctx->lock);
	pinmgr_lease_dequeue_deadline(lease);
	lease->end_state = end;
	WRITE_ONCE(lease->state, PINMGR_LS_ENDING);
}

/*
 * Release a claimed lease's pages, then record the end and tell the owner
 * and the monitor group. The caller holds a reference.
 */
static void pinmgr_lease_end(struct pinmgr_lease *lease)
{
	struct pinmgr_ctx *ctx = lease->ctx;
	u32 end = lease->end_state;
	u16 event = end == PINMGR_LS_EXPIRED ? PINMGR_EVENT_EXPIRED :
		    end == PINMGR_LS_REVOKED ? PINMGR_EVENT_REVOKED :
					       PINMGR_EVENT_STALE;
	enum pinmgr_figure fig = end == PINMGR_LS_EXPIRED ?
				 PINMGR_FIG_EXPIRIES :
				 end == PINMGR_LS_REVOKED ?
				 PINMGR_FIG_REVOCATIONS :
				 PINMGR_FIG_STALE_LEASES;
	u8 ntf = end == PINMGR_LS_EXPIRED ? PINMGR_NL_CMD_LEASE_EXPIRED_NTF :
		 end == PINMGR_LS_REVOKED ? PINMGR_NL_CMD_LEASE_REVOKED_NTF :
					    PINMGR_NL_CMD_LEASE_STALE_NTF;
	bool held;

	/* Importers first: nothing new reaches the pages. */
	pinmgr_exports_revoke(lease);
	/* The pinned state's own reference; then wait for ACCESS and co. */
	pinmgr_lease_pages_put(lease);
	wait_var_event(&lease->pages_ref, !refcount_read(&lease->pages_ref));
	/* A device's mapping keeps them: its end releases them. */
	held = pinmgr_exports_keep_pages(lease);
	if (!held)
		pinmgr_lease_release_pages(lease);

	mutex_lock(&ctx->lock);
	lease->end_time_ns = ktime_get_real_ns();
	WRITE_ONCE(lease->state, lease->end_state);
	/* Unless the owner closed its file, or acknowledged the end already. */
	if (!list_empty(&lease->ctx_node)) {
		atomic_long_inc(&pinmgr_ended_leases);
		pinmgr_event_queue(lease, event);
		if (held)
			pinmgr_event_queue(lease, PINMGR_EVENT_HELD);
	}
	mutex_unlock(&ctx->lock);
	wake_up_var(&lease->state);

	pinmgr_count(fig);
	if (held)
		pinmgr_count(PINMGR_FIG_EXPORT_HELD_ENDS);
	if (end == PINMGR_LS_EXPIRED)
		trace_pinmgr_expire(lease);
	else if (end == PINMGR_LS_REVOKED)
		trace_pinmgr_revoke(lease);
	else
		trace_pinmgr_invalidate(lease);
	pinmgr_nl_notify(lease, ntf);
}

/* The context's work: end every lease whose deadline has passed. */
static void pinmgr_expire_work(struct work_struct *work)
{
	struct pinmgr_ctx *ctx = container_of(to_delayed_work(work),
					      struct pinmgr_ctx, expire_work);
	struct timerqueue_node *node;
	struct pinmgr_lease *lease;
	ktime_t now;

	for (;;) {
		mutex_lock(&ctx->lock);
		node = timerqueue_getnext(&ctx->deadlines);
		now = ktime_get_boottime();
		if (ctx->closed || !node || ktime_after(node->expires, now)) {
			if (node)
				pinmgr_ctx_arm(ctx, node->expires);
			mutex_unlock(&ctx->lock);
			return;
		}
		lease = container_of(node, struct pinmgr_lease, deadline);
		pinmgr_lease_claim(lease, lease->break_at &&
				   !ktime_after(lease->break_at, now) ?
				   PINMGR_LS_REVOKED : PINMGR_LS_EXPIRED);
		refcount_inc(&lease->users);
		mutex_unlock(&ctx->lock);

		pinmgr_lease_end(lease);
		pinmgr_lease_put(lease);
		cond_resched();
	}
}

void pinmgr_ctx_expiry_init(struct pinmgr_ctx *ctx)
{
	timerqueue_init_head(&ctx->deadlines);
	INIT_DELAYED_WORK(&ctx->expire_work, pinmgr_expire_work);
}

/**
 * pinmgr_lease_renew() - give a live lease of @ctx a new end
 * @ctx: the owner's context
 * @handle: the lease
 * @duration_ns: from now; 0 for no end of its own
 *
 * Return: 0, -ENOENT, -EBUSY under a break, -EKEYEXPIRED or -EKEYREVOKED if
 * it ended (nothing is brought back), or -ENOMEM.
 */
int pinmgr_lease_renew(struct pinmgr_ctx *ctx, u64 handle, u64 duration_ns)
{
	struct pinmgr_lease *lease;
	int ret;

	/* A lease that can expire can tell so: the queue exists first. */
	if (duration_ns) {
		ret = pinmgr_events_prepare(ctx);
		if (ret)
			return ret;
	}
	lease = pinmgr_lease_get(ctx, handle);
	if (!lease)
		return -ENOENT;

	mutex_lock(&ctx->lock);
	if (list_empty(&lease->ctx_node)) {
		ret = -ENOENT;
	} else if (lease->state == PINMGR_LS_BREAKING) {
		ret = -EBUSY;
	} else if (lease->state != PINMGR_LS_ACTIVE) {
		ret = pinmgr_lease_ended_errno(lease);
	} else {
		lease->expire_at = duration_ns ?
			ktime_add_safe(ktime_get_boottime(),
				       ns_to_ktime(duration_ns)) : 0;
		pinmgr_lease_queue_deadline(lease);
		ret = 0;
	}
	mutex_unlock(&ctx->lock);
	if (!ret)
		pinmgr_count(PINMGR_FIG_RENEWALS);
	pinmgr_lease_put(lease);
	return ret;
}

/**
 * pinmgr_lease_invalidate() - release a stale lease that asked for it
 * @lease: a watched lease pinned with PINMGR_PIN_RELEASE_ON_STALE, whose
 *	range stopped mapping its pages; the caller holds a reference
 *
 * A live lease (under a break too) ends as INVALIDATED, its owner reading
 * a PINMGR_EVENT_STALE event once the pages are gone. Nothing happens to a
 * lease not yet published (its publication tells), ending or ended, or of
 * a closing file.
 */
void pinmgr_lease_invalidate(struct pinmgr_lease *lease)
{
	struct pinmgr_ctx *ctx = lease->ctx;

	mutex_lock(&ctx->lock);
	if (ctx->closed || list_empty(&lease->ctx_node) ||
	    (lease->state != PINMGR_LS_ACTIVE &&
	     lease->state != PINMGR_LS_BREAKING)) {
		mutex_unlock(&ctx->lock);
		return;
	}
	pinmgr_lease_claim(lease, PINMGR_LS_INVALIDATED);
	mutex_unlock(&ctx->lock);
	pinmgr_lease_end(lease);
}

/*
 * When a revocation made now releases the pages: at once (0), or after
 * break_time_ms. *@real_ns is that moment on CLOCK_REALTIME, for the reply.
 */
ktime_t pinmgr_revoke_deadline(bool now, u64 *real_ns)
{
	u32 ms = READ_ONCE(pinmgr_break_time_ms);
	ktime_t deadline;

	if (now) {
		*real_ns = ktime_get_real_ns();
		return 0;
	}
	deadline = ktime_add_safe(ktime_get_boottime(), ms_to_ktime(ms));
	*real_ns = pinmgr_boottime_to_real_ns(deadline);
	return deadline;
}

/**
 * pinmgr_lease_revoke() - take any lease on the device back from its owner
 * @handle: the lease
 * @deadline: CLOCK_BOOTTIME at which the pages go; 0 to release them now,
 *	which also ends a break under way
 *
 * The caller has checked CAP_SYS_ADMIN and told its caller the deadline
 * already, so that a revocation whose reply cannot be delivered never
 * starts. With a deadline the lease starts a break: its owner is told,
 * may unpin meanwhile, and the context's work releases the pages at the
 * deadline.
 *
 * A HELD lease, which its owner let go of while dma-bufs of it are open,
 * has no owner to warn: it is revoked at once or not at all. Its importers
 * are told, and its pages go once no device holds them, however long the
 * dma-bufs stay open; it stays listed, REVOKED, until the last one closes.
 *
 * Return: 0, -ENOENT (no such lease, or its owner is closing), -EBUSY (a
 * break is under way), -ESRCH (a break of a HELD lease), -EKEYEXPIRED or
 * -EKEYREVOKED (it ended), -ENOMEM.
 */
int pinmgr_lease_revoke(u64 handle, ktime_t deadline)
{
	struct pinmgr_lease *lease = pinmgr_lease_find(handle);
	struct pinmgr_ctx *ctx;
	int ret;

	if (!lease)
		return -ENOENT;
	ctx = lease->ctx;
	/* The owner's queue must hold the events of the break. */
	ret = pinmgr_events_prepare(ctx);
	if (ret)
		goto out_put;

	mutex_lock(&ctx->lock);
	if (lease->state == PINMGR_LS_HELD) {
		if (deadline) {
			ret = -ESRCH;
		} else {
			pinmgr_lease_claim(lease, PINMGR_LS_REVOKED);
			mutex_unlock(&ctx->lock);
			pinmgr_lease_end(lease);
			goto out_put;
		}
	} else if (ctx->closed || list_empty(&lease->ctx_node)) {
		/* Gone from its owner; still listed if it was HELD and ended. */
		ret = pinmgr_lease_ended_errno(lease) ?: -ENOENT;
	} else if (lease->state != PINMGR_LS_ACTIVE &&
		   lease->state != PINMGR_LS_BREAKING) {
		ret = pinmgr_lease_ended_errno(lease);
	} else if (!deadline) {
		pinmgr_lease_claim(lease, PINMGR_LS_REVOKED);
		mutex_unlock(&ctx->lock);
		pinmgr_lease_end(lease);
		goto out_put;
	} else if (lease->state == PINMGR_LS_BREAKING) {
		ret = -EBUSY;
	} else {
		lease->break_at = deadline;
		WRITE_ONCE(lease->state, PINMGR_LS_BREAKING);
		pinmgr_lease_queue_deadline(lease);
		pinmgr_event_queue(lease, PINMGR_EVENT_BREAKING);
		mutex_unlock(&ctx->lock);
		trace_pinmgr_break(lease);
		pinmgr_nl_notify(lease, PINMGR_NL_CMD_LEASE_BREAKING_NTF);
		goto out_put;
	}
	mutex_unlock(&ctx->lock);
out_put:
	pinmgr_lease_put(lease);
	return ret;
}

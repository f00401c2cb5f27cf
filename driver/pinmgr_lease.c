// SPDX-License-Identifier: GPL-2.0-only
/*
 * Leases: one pinned range each, named by a device-wide 64-bit handle and
 * filed in the device's index and in their context's list.
 *
 * Life of a lease: pinmgr_lease_create() charges, pins and files the lease
 * in the index under a new handle, still invisible to lookups; the caller
 * then either publishes it (pinmgr_lease_publish()) or throws it away
 * (pinmgr_lease_abort()), so that a request whose reply cannot be delivered
 * leaves nothing behind. Once published, the index holds one reference;
 * lookups take more; the last put unpins, uncharges and frees it.
 *
 * The index (pinmgr_index.c) finds leases without a lock, so the lease
 * cache is SLAB_TYPESAFE_BY_RCU, and a lease's fields are all set before
 * its count is, with release ordering. Its pages are pinmgr_runs.c's.
 */
#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/wait_bit.h>

#include "compat.h"
#include "pinmgr.h"
#include "pinmgr_trace.h"

static struct kmem_cache *pinmgr_lease_cache;
/* Watched leases: the lease and its watch in one object, one allocation. */
static struct kmem_cache *pinmgr_watched_lease_cache;

static struct kmem_cache *pinmgr_lease_cache_of(u32 pin_flags)
{
	return pin_flags & PINMGR_PIN_WATCH ? pinmgr_watched_lease_cache :
					      pinmgr_lease_cache;
}

int pinmgr_lease_cache_init(void)
{
	/* A run's page frame numbers must cover all of physical memory. */
	if (MAX_PHYSMEM_BITS - PAGE_SHIFT > PINMGR_RUN_PFN_BITS) {
		pr_err("pinmgr: %d-bit physical addresses do not fit a run\n",
		       MAX_PHYSMEM_BITS);
		return -EOPNOTSUPP;
	}
	pinmgr_lease_cache = KMEM_CACHE(pinmgr_lease,
					SLAB_ACCOUNT | SLAB_TYPESAFE_BY_RCU);
	if (!pinmgr_lease_cache)
		return -ENOMEM;
	pinmgr_watched_lease_cache =
		kmem_cache_create("pinmgr_watched_lease",
				  sizeof(struct pinmgr_lease) +
				  pinmgr_watch_size(),
				  __alignof__(struct pinmgr_lease),
				  SLAB_ACCOUNT | SLAB_TYPESAFE_BY_RCU, NULL);
	if (!pinmgr_watched_lease_cache) {
		kmem_cache_destroy(pinmgr_lease_cache);
		return -ENOMEM;
	}
	return 0;
}

void pinmgr_lease_cache_exit(void)
{
	/* Waits for the grace period of typesafe slabs itself. */
	kmem_cache_destroy(pinmgr_watched_lease_cache);
	kmem_cache_destroy(pinmgr_lease_cache);
}

/**
 * pinmgr_lease_release_pages() - unpin and uncharge a lease's pages
 * @lease: a lease no one else uses the pages of: its last reference is
 *	going, or it is ENDING and its page users are gone
 *
 * The record stays, with no runs, for its owner to learn how it ended.
 */
void pinmgr_lease_release_pages(struct pinmgr_lease *lease)
{
	if (!lease->pinned)
		return;
	pinmgr_runs_release(lease);
	pinmgr_uncharge(lease->ctx, lease->user, lease->nr_pages,
			&lease->budgets);
	lease->pinned = false;
}

/*
 * Release the pages of a live lease that no lookup finds any more (UNPIN
 * detached it) while other references may stay: drop the pinned state's
 * hold on the pages, wait for their users, release them.
 */
static void pinmgr_lease_release_now(struct pinmgr_lease *lease)
{
	if (!lease->pinned)
		return;
	pinmgr_lease_pages_put(lease);
	wait_var_event(&lease->pages_ref, !refcount_read(&lease->pages_ref));
	pinmgr_lease_release_pages(lease);
}

/*
 * Throw away a lease that was never published: its creation failed, or
 * the reply to its request could not be delivered. Nothing of it may
 * outlive the call, but a watched lease's notifier callbacks may hold
 * references, and hand their last put to the workqueue. With the notifier
 * gone, its pages, charge and count go now; only its memory waits.
 */
static void pinmgr_lease_discard(struct pinmgr_lease *lease)
{
	if (lease->watch) {
		pinmgr_watch_unhook(lease);
		if (refcount_read(&lease->users) > 1) {
			pinmgr_lease_release_now(lease);
			if (lease->counted) {
				atomic_dec(&lease->ctx->nr_leases);
				lease->counted = false;
			}
		}
	}
	pinmgr_lease_put(lease);
}

/* Release and free a lease that no one can find any more. */
static void pinmgr_lease_destroy(struct pinmgr_lease *lease)
{
	struct pinmgr_ctx *ctx = lease->ctx;

	/* First: no notifier callback may see the pages going. */
	pinmgr_watch_stop(lease);
	pinmgr_lease_release_pages(lease);
	pinmgr_exports_free(lease);
	if (lease->counted)
		atomic_dec(&ctx->nr_leases);
	if (lease->owner != ctx->owner)
		put_pid(lease->owner);
	if (lease->cred)
		put_cred(lease->cred);
	kmem_cache_free(pinmgr_lease_cache_of(lease->pin_flags), lease);
	pinmgr_ctx_put(ctx);
}

/**
 * pinmgr_lease_create() - pin a range as a new, not yet published, lease
 * @ctx: the context; its mm is the caller's (checked by the caller)
 * @req: validated request: page-aligned, non-empty, non-wrapping range,
 *	with the lease's duration (0: none)
 *
 * Return: the lease, filed under its handle but invisible until published,
 * or an ERR_PTR with nothing pinned or charged (and the failure counted).
 */
struct pinmgr_lease *pinmgr_lease_create(struct pinmgr_ctx *ctx,
					 const struct pinmgr_pin *req)
{
	unsigned long max_pages = READ_ONCE(pinmgr_max_lease_pages);
	unsigned int max_leases = READ_ONCE(pinmgr_max_leases);
	unsigned long nr_pages = req->length >> PAGE_SHIFT;
	bool watch_only = req->flags & PINMGR_PIN_WATCH_ONLY;
	/* A watch-only lease is a watched one. */
	u32 flags = req->flags | (watch_only ? PINMGR_PIN_WATCH : 0);
	struct user_struct *user = current_user();
	struct pinmgr_lease_budgets budgets = { 0 };
	struct pinmgr_lease *lease;
	struct pid *owner;
	int ret;

	if (max_pages && nr_pages > max_pages) {
		ret = -EFBIG;
		goto out_count;
	}
	/* A lease that can expire or go stale can tell so: queue first. */
	if (req->duration_ns || (flags & PINMGR_PIN_WATCH)) {
		ret = pinmgr_events_prepare(ctx);
		if (ret)
			goto out_count;
	}
	if (atomic_inc_return(&ctx->nr_leases) > max_leases && max_leases) {
		ret = -EMFILE;
		goto out_dec_leases;
	}
	/* A watch-only lease pins nothing and is charged nothing. */
	if (!watch_only) {
		ret = pinmgr_charge(ctx, user, nr_pages, &budgets);
		if (ret)
			goto out_dec_leases;
	}

	lease = kmem_cache_zalloc(pinmgr_lease_cache_of(flags),
				  GFP_KERNEL_ACCOUNT);
	if (!lease) {
		ret = -ENOMEM;
		goto out_uncharge;
	}
	refcount_inc(&ctx->refs);
	lease->ctx = ctx;
	lease->state = PINMGR_LS_CREATING;
	lease->pinned = !watch_only;
	lease->counted = true;
	refcount_set(&lease->pages_ref, 1);
	INIT_LIST_HEAD(&lease->ctx_node);
	timerqueue_init(&lease->deadline);
	if (req->duration_ns)
		lease->expire_at = ktime_add_safe(ktime_get_boottime(),
						  ns_to_ktime(req->duration_ns));
	lease->addr = req->addr;
	lease->nr_pages = nr_pages;
	lease->pin_flags = pinmgr_pin_flags(flags);
	lease->cookie = req->cookie;
	lease->create_time_ns = ktime_get_real_ns();
	/* The opener pins in the common case: share the context's reference. */
	owner = task_tgid(current);
	lease->owner = owner == ctx->owner ? owner : get_pid(owner);
	/* The charge goes with the lease, whoever holds its file later. */
	lease->user = user;
	lease->budgets = budgets;
	lease->cgroup_id = pinmgr_current_cgroup_id();
	lease->cred = user == ctx->user ? NULL : get_current_cred();
	/* Shown as /proc shows a task's owner: who the pinner acts as. */
	lease->uid = current_euid();
	/* Our own comm: only we, or PR_SET_NAME of a sibling, change it. */
	strscpy_pad(lease->comm, current->comm, sizeof(lease->comm));
	lease->runs = lease->inline_runs;
	lease->max_runs = PINMGR_INLINE_RUNS;
	/* Last: a stale lookup may see this memory from now on. */
	pinmgr_refcount_set_release(&lease->users, 1);

	/* The watch first: what happens while pinning is seen. */
	if (flags & PINMGR_PIN_WATCH) {
		ret = pinmgr_watch_start(lease);
		if (ret) {
			pinmgr_count_failure(ret);
			goto out_put_lease;
		}
	}
	/* Counts its own failures, whose causes it knows best. */
	if (!watch_only) {
		ret = pinmgr_pin_range(ctx, lease);
		if (ret)
			goto out_put_lease;
	}
	if (lease->watch)
		pinmgr_watch_arm(lease);
	ret = pinmgr_lease_insert(lease);
	if (ret) {
		pinmgr_count_failure(ret);
		goto out_put_lease;
	}
	return lease;

out_put_lease:
	trace_pinmgr_pin_fail(req->addr, nr_pages, flags, ret);
	/*
	 * A stale lookup may hold a reference for a moment: the last put
	 * undoes the charge and the count (nothing stays pinned).
	 */
	pinmgr_lease_discard(lease);
	return ERR_PTR(ret);
out_uncharge:
	if (!watch_only)
		pinmgr_uncharge(ctx, user, nr_pages, &budgets);
out_dec_leases:
	atomic_dec(&ctx->nr_leases);
out_count:
	trace_pinmgr_pin_fail(req->addr, nr_pages, flags, ret);
	pinmgr_count_failure(ret);
	return ERR_PTR(ret);
}

/*
 * Make a created lease visible to lookups and to its context's list, start
 * its clock if it has one, and tell the monitor group. The caller's
 * reference (the index's) keeps it alive throughout.
 */
void pinmgr_lease_publish(struct pinmgr_lease *lease)
{
	struct pinmgr_ctx *ctx = lease->ctx;

	mutex_lock(&ctx->lock);
	list_add_tail(&lease->ctx_node, &ctx->leases);
	/* Pairs with the acquire in pinmgr_lease_find(). */
	smp_store_release(&lease->state, PINMGR_LS_ACTIVE);
	if (lease->expire_at)
		pinmgr_lease_queue_deadline(lease);
	/* Under the lock already taken: the event's snapshot needs it. */
	pinmgr_nl_notify_locked(lease, PINMGR_NL_CMD_LEASE_PINNED_NTF);
	mutex_unlock(&ctx->lock);
	pinmgr_count(PINMGR_FIG_PINS);
	trace_pinmgr_pin(lease);
	pinmgr_watch_published(lease);
}

/* Throw away a created, never published lease: unpin, uncharge, free. */
void pinmgr_lease_abort(struct pinmgr_lease *lease)
{
	pinmgr_lease_remove(lease);
	pinmgr_lease_discard(lease);
}

/*
 * Look up a published lease of @ctx and take a reference, or NULL. A HELD
 * lease is its owner's no more, nor once revoked (QUERY looks it up
 * itself).
 */
struct pinmgr_lease *pinmgr_lease_get(struct pinmgr_ctx *ctx, u64 handle)
{
	struct pinmgr_lease *lease = pinmgr_lease_find(handle);

	if (lease && (lease->ctx != ctx || READ_ONCE(lease->unowned))) {
		pinmgr_lease_put(lease);
		return NULL;
	}
	return lease;
}

void pinmgr_lease_put(struct pinmgr_lease *lease)
{
	if (refcount_dec_and_test(&lease->users))
		pinmgr_lease_destroy(lease);
}

/* How an ended lease answers its owner: 0 while it is live. */
int pinmgr_lease_ended_errno(const struct pinmgr_lease *lease)
{
	u32 state = READ_ONCE(lease->state);

	if (state == PINMGR_LS_ENDING)
		state = READ_ONCE(lease->end_state);
	if (state == PINMGR_LS_EXPIRED)
		return -EKEYEXPIRED;
	if (state == PINMGR_LS_REVOKED)
		return -EKEYREVOKED;
	if (state == PINMGR_LS_INVALIDATED)
		return -ESTALE;
	return 0;
}

/*
 * Take the lease out of its context's list, deadline queue and the index:
 * nothing finds it any more, and the index's reference is the caller's to
 * put. Unless a live lease has dma-bufs: it stays in the index as HELD,
 * and the index's reference is theirs (pinmgr_exports_hold_index()).
 * Return: true if the caller has the index's reference.
 */
static bool pinmgr_lease_detach(struct pinmgr_lease *lease)
{
	bool live = lease->state == PINMGR_LS_ACTIVE ||
		    lease->state == PINMGR_LS_BREAKING;
	bool held;

	lockdep_assert_held(&lease->ctx->lock);
	if (lease->state == PINMGR_LS_EXPIRED ||
	    lease->state == PINMGR_LS_REVOKED ||
	    lease->state == PINMGR_LS_INVALIDATED)
		atomic_long_dec(&pinmgr_ended_leases);
	list_del_init(&lease->ctx_node);
	pinmgr_lease_dequeue_deadline(lease);
	held = live && pinmgr_exports_hold_index(lease);
	if (held) {
		WRITE_ONCE(lease->unowned, true);
		WRITE_ONCE(lease->state, PINMGR_LS_HELD);
	} else {
		pinmgr_lease_remove(lease);
	}
	/* Its record is gone now, whoever holds a reference for a while. */
	atomic_dec(&lease->ctx->nr_leases);
	lease->counted = false;
	return !held;
}

/*
 * A live lease was ended by its owner (UNPIN, or close): count it and
 * trace it; the caller has told the monitor group. Its pages go with the
 * caller's reference.
 */
static void pinmgr_lease_unpinned(struct pinmgr_lease *lease)
{
	pinmgr_count(PINMGR_FIG_UNPINS);
	trace_pinmgr_unpin(lease);
}

/*
 * A live lease its owner let go of (UNPIN, or the close of its file), just
 * detached, with the caller's and the index's references held. A watched
 * lease's notifier work may hold another for a while: its pages go now,
 * as UNPIN and close promise, once ACCESS and co. are done. With the
 * notifier gone, no callback takes another; if none holds one, the last
 * put does it. A dma-buf of the lease keeps the pages: its release puts
 * last.
 */
static void pinmgr_lease_let_go(struct pinmgr_lease *lease)
{
	if (!lease->watch)
		return;
	pinmgr_watch_unhook(lease);
	if (refcount_read(&lease->users) > 2 && !pinmgr_lease_exported(lease))
		pinmgr_lease_release_now(lease);
}

/*
 * End a lease of @ctx by handle: a live one is unpinned (0); an expired or
 * revoked one is acknowledged (EKEYEXPIRED, EKEYREVOKED), after waiting
 * for its pages to be released if that is under way.
 */
int pinmgr_lease_unpin(struct pinmgr_ctx *ctx, u64 handle)
{
	struct pinmgr_lease *lease = pinmgr_lease_get(ctx, handle);
	bool indexed;
	int ret;

	if (!lease)
		return -ENOENT;
	mutex_lock(&ctx->lock);
	while (lease->state == PINMGR_LS_ENDING) {
		mutex_unlock(&ctx->lock);
		wait_var_event(&lease->state,
			       READ_ONCE(lease->state) != PINMGR_LS_ENDING);
		mutex_lock(&ctx->lock);
	}
	if (list_empty(&lease->ctx_node)) {
		/* Another thread ended it first. */
		ret = -ENOENT;
		mutex_unlock(&ctx->lock);
		goto out_put;
	}
	ret = pinmgr_lease_ended_errno(lease);
	indexed = pinmgr_lease_detach(lease);
	if (!ret)
		pinmgr_nl_notify_locked(lease,
					PINMGR_NL_CMD_LEASE_UNPINNED_NTF);
	mutex_unlock(&ctx->lock);
	if (!ret)
		pinmgr_lease_let_go(lease);
	/* The index's reference; ours goes last and releases the pages. */
	if (indexed)
		pinmgr_lease_put(lease);
	if (!ret)
		pinmgr_lease_unpinned(lease);
out_put:
	pinmgr_lease_put(lease);
	return ret;
}

/*
 * Users of a lease's pages (ACCESS, GET_SEGMENTS) hold pages_ref; an
 * expiry or revocation waits for them to be gone before it releases the
 * pages. Fails once the lease is ending or ended.
 */
bool pinmgr_lease_pages_get(struct pinmgr_lease *lease)
{
	u32 state;

	if (!pinmgr_refcount_inc_not_zero_acquire(&lease->pages_ref))
		return false;
	state = READ_ONCE(lease->state);
	if (state == PINMGR_LS_ACTIVE || state == PINMGR_LS_BREAKING)
		return true;
	pinmgr_lease_pages_put(lease);
	return false;
}

void pinmgr_lease_pages_put(struct pinmgr_lease *lease)
{
	if (refcount_dec_and_test(&lease->pages_ref))
		wake_up_var(&lease->pages_ref);
}

/*
 * Copy up to @max handles of @ctx's leases, oldest first, into @buf; *@total
 * counts them all. Return: handles copied.
 */
u32 pinmgr_lease_list(struct pinmgr_ctx *ctx, u64 *buf, u32 max, u64 *total)
{
	struct pinmgr_lease *lease;
	u32 filled = 0;
	u64 n = 0;

	mutex_lock(&ctx->lock);
	list_for_each_entry(lease, &ctx->leases, ctx_node) {
		if (filled < max)
			buf[filled++] = lease->handle;
		n++;
	}
	mutex_unlock(&ctx->lock);
	*total = n;
	return filled;
}

/*
 * End every lease of a context whose file is going away; no ioctl of it
 * runs. An expiry or revocation that is releasing pages meanwhile finishes
 * on its own reference; its event is dropped. One lease per hold of the
 * lock: a detached lease's ctx_node stays empty, which is how the end path
 * knows not to count it as ended.
 */
void pinmgr_lease_release_all(struct pinmgr_ctx *ctx)
{
	struct pinmgr_lease *lease;
	bool indexed;
	u32 state;

	mutex_lock(&ctx->lock);
	ctx->closed = true;
	mutex_unlock(&ctx->lock);
	/* closed keeps it from being armed again. */
	cancel_delayed_work_sync(&ctx->expire_work);

	mutex_lock(&ctx->lock);
	while ((lease = list_first_entry_or_null(&ctx->leases,
						 struct pinmgr_lease,
						 ctx_node))) {
		state = lease->state;
		/*
		 * Ours, before it is HELD: the last dma-buf's release may put
		 * the index's reference the moment exports->lock is dropped.
		 */
		refcount_inc(&lease->users);
		indexed = pinmgr_lease_detach(lease);
		mutex_unlock(&ctx->lock);
		/* Ended ones were counted and told when they ended. */
		if (state == PINMGR_LS_ACTIVE || state == PINMGR_LS_BREAKING) {
			pinmgr_lease_let_go(lease);
			pinmgr_nl_notify(lease,
					 PINMGR_NL_CMD_LEASE_UNPINNED_NTF);
			pinmgr_lease_unpinned(lease);
		}
		if (indexed)
			pinmgr_lease_put(lease);
		pinmgr_lease_put(lease);
		cond_resched();
		mutex_lock(&ctx->lock);
	}
	mutex_unlock(&ctx->lock);
}

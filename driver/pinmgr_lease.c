// SPDX-License-Identifier: GPL-2.0-only
/*
 * Leases: one pinned range each, stored as physically contiguous runs, named
 * by a device-wide 64-bit handle and kept in their context's xarray.
 *
 * Life of a lease: pinmgr_lease_create() charges, reserves the handle's slot
 * and pins; the caller then either publishes it (pinmgr_lease_publish()) or
 * throws it away (pinmgr_lease_abort()), so that a request whose reply cannot
 * be delivered leaves nothing behind. Once published, the xarray holds one
 * reference; lookups take more; the last put unpins and uncharges.
 */
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/cred.h>

#include "compat.h"
#include "pinmgr.h"

size_t pinmgr_lease_metadata_bytes(const struct pinmgr_lease *lease)
{
	return sizeof(*lease) + lease->max_runs * sizeof(*lease->runs);
}

static unsigned int pinmgr_gup_flags(u32 pin_flags)
{
	unsigned int gup_flags = 0;

	if (pin_flags & PINMGR_PIN_WRITE)
		gup_flags |= FOLL_WRITE;
	if (pin_flags & PINMGR_PIN_LONGTERM)
		gup_flags |= FOLL_LONGTERM;
	return gup_flags;
}

static int pinmgr_runs_grow(struct pinmgr_lease *lease)
{
	unsigned long max_runs = lease->max_runs ? lease->max_runs * 2 : 8;
	struct pinmgr_run *runs;

	runs = pinmgr_kvrealloc(lease->runs,
				array_size(lease->max_runs, sizeof(*runs)),
				array_size(max_runs, sizeof(*runs)),
				GFP_KERNEL_ACCOUNT);
	if (!runs)
		return -ENOMEM;
	lease->runs = runs;
	lease->max_runs = max_runs;
	return 0;
}

/*
 * Fold a batch of pinned pages into the lease's runs. On failure, pages
 * [0, *nr_added) are in runs and the rest are not.
 */
static int pinmgr_runs_append(struct pinmgr_lease *lease, struct page **pages,
			      unsigned long nr_pages, unsigned long *nr_added)
{
	struct pinmgr_run *last;
	unsigned long i, pfn;
	int ret;

	for (i = 0; i < nr_pages; i++) {
		pfn = page_to_pfn(pages[i]);
		last = lease->nr_runs ? &lease->runs[lease->nr_runs - 1] : NULL;
		if (last && last->pfn + last->nr_pages == pfn) {
			last->nr_pages++;
			continue;
		}
		if (lease->nr_runs == lease->max_runs) {
			ret = pinmgr_runs_grow(lease);
			if (ret) {
				*nr_added = i;
				return ret;
			}
		}
		lease->runs[lease->nr_runs].pfn = pfn;
		lease->runs[lease->nr_runs].nr_pages = 1;
		lease->nr_runs++;
	}
	*nr_added = nr_pages;
	return 0;
}

static void pinmgr_runs_unpin(struct pinmgr_lease *lease)
{
	bool dirty = lease->pin_flags & PINMGR_PIN_WRITE;
	unsigned long i;

	for (i = 0; i < lease->nr_runs; i++) {
		vaddr_unpin_pfn_range(lease->runs[i].pfn,
				      lease->runs[i].nr_pages, dirty);
		if ((i & 255) == 255)
			cond_resched();
	}
	lease->nr_runs = 0;
}

/*
 * Pin the lease's range batch by batch into runs. On failure nothing stays
 * pinned.
 */
static int pinmgr_pin_runs(struct pinmgr_ctx *ctx, struct pinmgr_lease *lease)
{
	struct vaddr_pin vp = { .f_owner = ctx->file, .mm = ctx->mm };
	unsigned int gup_flags = pinmgr_gup_flags(lease->pin_flags);
	struct page **batch = ctx->batch;
	unsigned long done = 0, added, nr;
	long pinned;
	int ret;

	lockdep_assert_held(&ctx->pin_lock);

	while (done < lease->nr_pages) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto out_unpin_runs;
		}
		nr = min_t(unsigned long, lease->nr_pages - done,
			   PINMGR_BATCH_PAGES);
		pinned = vaddr_pin_pages(lease->addr + (done << PAGE_SHIFT), nr,
					 gup_flags, batch, &vp);
		if (pinned <= 0) {
			ret = pinned ? pinned : -EFAULT;
			goto out_unpin_runs;
		}
		ret = pinmgr_runs_append(lease, batch, pinned, &added);
		if (ret) {
			vaddr_unpin_pages(batch + added, pinned - added, &vp,
					  false);
			goto out_unpin_runs;
		}
		done += pinned;
		cond_resched();
	}
	return 0;

out_unpin_runs:
	pinmgr_runs_unpin(lease);
	return ret;
}

static void pinmgr_lease_free(struct pinmgr_lease *lease)
{
	put_pid(lease->owner);
	kvfree(lease->runs);
	kfree_rcu(lease, rcu);
}

/**
 * pinmgr_lease_create() - pin a range as a new, not yet published, lease
 * @ctx: the context; its mm is the caller's (checked by the caller)
 * @req: validated request: page-aligned, non-empty, non-wrapping range
 *
 * Return: the lease, with its handle's slot reserved, or an ERR_PTR with
 * nothing pinned or charged.
 */
struct pinmgr_lease *pinmgr_lease_create(struct pinmgr_ctx *ctx,
					 const struct pinmgr_pin *req)
{
	unsigned long max_pages = READ_ONCE(pinmgr_max_lease_pages);
	unsigned int max_leases = READ_ONCE(pinmgr_max_leases);
	unsigned long nr_pages = req->length >> PAGE_SHIFT;
	struct pinmgr_lease *lease;
	int ret;

	if (max_pages && nr_pages > max_pages)
		return ERR_PTR(-EFBIG);
	if (atomic_inc_return(&ctx->nr_leases) > max_leases && max_leases) {
		ret = -EMFILE;
		goto out_dec_leases;
	}
	ret = pinmgr_charge(ctx, nr_pages);
	if (ret)
		goto out_dec_leases;

	lease = kzalloc(sizeof(*lease), GFP_KERNEL_ACCOUNT);
	if (!lease) {
		ret = -ENOMEM;
		goto out_uncharge;
	}
	lease->ctx = ctx;
	refcount_set(&lease->users, 1);
	lease->addr = req->addr;
	lease->nr_pages = nr_pages;
	lease->pin_flags = req->flags;
	lease->state = PINMGR_LEASE_ACTIVE;
	lease->cookie = req->cookie;
	lease->create_time_ns = ktime_get_real_ns();
	lease->owner = get_pid(task_tgid(current));
	lease->uid = current_uid();
	get_task_comm(lease->comm, current);

	lease->handle = atomic64_inc_return(&pinmgr_stats.next_handle);
	ret = xa_reserve(&ctx->leases, lease->handle, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto out_free_lease;

	ret = mutex_lock_killable(&ctx->pin_lock);
	if (ret)
		goto out_release_handle;
	ret = pinmgr_pin_runs(ctx, lease);
	mutex_unlock(&ctx->pin_lock);
	if (ret)
		goto out_release_handle;

	return lease;

out_release_handle:
	xa_release(&ctx->leases, lease->handle);
out_free_lease:
	pinmgr_lease_free(lease);
out_uncharge:
	pinmgr_uncharge(ctx, nr_pages);
out_dec_leases:
	atomic_dec(&ctx->nr_leases);
	return ERR_PTR(ret);
}

/* Make a created lease visible. Its slot is reserved, so this cannot fail. */
void pinmgr_lease_publish(struct pinmgr_lease *lease)
{
	struct pinmgr_ctx *ctx = lease->ctx;
	void *old;

	old = xa_store(&ctx->leases, lease->handle, lease, GFP_KERNEL_ACCOUNT);
	WARN_ON_ONCE(xa_is_err(old));
	atomic_long_inc(&pinmgr_stats.nr_leases);
}

static void pinmgr_lease_destroy(struct pinmgr_lease *lease)
{
	struct pinmgr_ctx *ctx = lease->ctx;

	pinmgr_runs_unpin(lease);
	pinmgr_uncharge(ctx, lease->nr_pages);
	atomic_dec(&ctx->nr_leases);
	pinmgr_lease_free(lease);
}

/* Throw away a created, never published lease: unpin, uncharge, free. */
void pinmgr_lease_abort(struct pinmgr_lease *lease)
{
	xa_release(&lease->ctx->leases, lease->handle);
	pinmgr_lease_destroy(lease);
}

/* Look up a published lease of @ctx and take a reference, or NULL. */
struct pinmgr_lease *pinmgr_lease_get(struct pinmgr_ctx *ctx, u64 handle)
{
	struct pinmgr_lease *lease;

	rcu_read_lock();
	lease = xa_load(&ctx->leases, handle);
	if (lease && !refcount_inc_not_zero(&lease->users))
		lease = NULL;
	rcu_read_unlock();
	return lease;
}

void pinmgr_lease_put(struct pinmgr_lease *lease)
{
	if (refcount_dec_and_test(&lease->users)) {
		atomic_long_dec(&pinmgr_stats.nr_leases);
		pinmgr_lease_destroy(lease);
	}
}

/* End a published lease of @ctx by handle; reserved slots are not leases. */
int pinmgr_lease_unpin(struct pinmgr_ctx *ctx, u64 handle)
{
	struct pinmgr_lease *lease;

	xa_lock(&ctx->leases);
	lease = xa_load(&ctx->leases, handle);
	if (lease)
		__xa_erase(&ctx->leases, handle);
	xa_unlock(&ctx->leases);
	if (!lease)
		return -ENOENT;
	pinmgr_lease_put(lease);
	return 0;
}

/* End every lease of a context that is going away; no ioctl can be running. */
void pinmgr_lease_release_all(struct pinmgr_ctx *ctx)
{
	struct pinmgr_lease *lease;
	unsigned long index;

	xa_for_each(&ctx->leases, index, lease) {
		xa_erase(&ctx->leases, index);
		pinmgr_lease_put(lease);
		cond_resched();
	}
	xa_destroy(&ctx->leases);
}

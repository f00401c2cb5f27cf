// SPDX-License-Identifier: GPL-2.0-only
/*
 * Accounting of pinned pages: the mm's pinned_vm (VmPin) against
 * RLIMIT_MEMLOCK, as RDMA does, and the device-wide total against the
 * max_device_pages parameter. Both are atomics: add first, check the new
 * value, take it back when over, so concurrent pinners cannot overshoot.
 */
#include <linux/capability.h>
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/sched/signal.h>

#include "pinmgr.h"

/* The caller's RLIMIT_MEMLOCK in pages; U64_MAX when unlimited. */
u64 pinmgr_memlock_limit_pages(void)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK);

	if (limit == RLIM_INFINITY)
		return U64_MAX;
	return limit >> PAGE_SHIFT;
}

/**
 * pinmgr_charge() - charge @nr_pages to the device and to the context's mm
 * @ctx: the pinning context
 * @nr_pages: pages about to be pinned
 *
 * Return: 0, -ENOSPC over the device-wide limit, or -EDQUOT over
 * RLIMIT_MEMLOCK for a caller without CAP_IPC_LOCK. Nothing stays charged on
 * failure.
 */
int pinmgr_charge(struct pinmgr_ctx *ctx, unsigned long nr_pages)
{
	unsigned long dev_max = READ_ONCE(pinmgr_max_device_pages);
	unsigned long dev_new;
	s64 mm_new;

	dev_new = atomic_long_add_return(nr_pages, &pinmgr_stats.pinned_pages);
	if (dev_max && dev_new > dev_max)
		goto out_undo_device;

	mm_new = atomic64_add_return(nr_pages, &ctx->mm->pinned_vm);
	if ((u64)mm_new > pinmgr_memlock_limit_pages() &&
	    !capable(CAP_IPC_LOCK))
		goto out_undo_mm;

	atomic_long_add(nr_pages, &ctx->pinned_pages);
	return 0;

out_undo_mm:
	atomic64_sub(nr_pages, &ctx->mm->pinned_vm);
	atomic_long_sub(nr_pages, &pinmgr_stats.pinned_pages);
	return -EDQUOT;
out_undo_device:
	atomic_long_sub(nr_pages, &pinmgr_stats.pinned_pages);
	return -ENOSPC;
}

/* Undo pinmgr_charge(); the context's mm stays valid through mmgrab(). */
void pinmgr_uncharge(struct pinmgr_ctx *ctx, unsigned long nr_pages)
{
	atomic_long_sub(nr_pages, &ctx->pinned_pages);
	atomic64_sub(nr_pages, &ctx->mm->pinned_vm);
	atomic_long_sub(nr_pages, &pinmgr_stats.pinned_pages);
}

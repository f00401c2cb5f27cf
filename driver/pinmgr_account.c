// SPDX-License-Identifier: GPL-2.0-only
/*
 * Accounting of pinned pages: the mm's pinned_vm (VmPin) against
 * RLIMIT_MEMLOCK, as RDMA does, and the device-wide total against the
 * max_device_pages parameter. Both are atomics, raised by compare-and-swap
 * only while the new value stays within the limit: adding first and taking
 * it back when over would let one oversized request make concurrent,
 * well-sized ones fail for the moment it is counted.
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
	long dev_cur = atomic_long_read(&pinmgr_device_pages);
	s64 mm_cur = atomic64_read(&ctx->mm->pinned_vm);
	u64 mm_max = pinmgr_memlock_limit_pages();
	bool unlimited = false;

	do {
		if (dev_max && nr_pages > dev_max - min_t(unsigned long,
							  dev_max, dev_cur))
			return -ENOSPC;
	} while (!atomic_long_try_cmpxchg(&pinmgr_device_pages, &dev_cur,
					  dev_cur + nr_pages));

	do {
		/* Ask for the capability only when it matters: it is audited. */
		if (!unlimited && (u64)mm_cur + nr_pages > mm_max) {
			if (!capable(CAP_IPC_LOCK))
				goto out_uncharge_device;
			unlimited = true;
		}
	} while (!atomic64_try_cmpxchg(&ctx->mm->pinned_vm, &mm_cur,
				       mm_cur + nr_pages));

	atomic_long_add(nr_pages, &ctx->pinned_pages);
	return 0;

out_uncharge_device:
	atomic_long_sub(nr_pages, &pinmgr_device_pages);
	return -EDQUOT;
}

/* Undo pinmgr_charge(); the context's mm stays valid through mmgrab(). */
void pinmgr_uncharge(struct pinmgr_ctx *ctx, unsigned long nr_pages)
{
	atomic_long_sub(nr_pages, &ctx->pinned_pages);
	atomic64_sub(nr_pages, &ctx->mm->pinned_vm);
	atomic_long_sub(nr_pages, &pinmgr_device_pages);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The data path of a lease: ACCESS copies to or from the pinned pages
 * themselves, as a device would by DMA, and GET_SEGMENTS hands out their
 * physical runs. Both walk the lease's runs; neither touches the owner's page
 * tables, which may no longer map those pages.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>

#include "pinmgr.h"

/**
 * pinmgr_lease_access() - copy between a user buffer and a lease's pages
 * @lease: a lease the caller holds a reference on
 * @offset: byte offset into the lease
 * @buf: the caller's buffer
 * @length: bytes to copy; [@offset, @offset + @length) is within the lease
 * @write: copy from @buf into the pages (needs a write pin; checked by caller)
 *
 * Return: 0, -EFAULT if @buf faults, -EINTR on a fatal signal. Bytes before
 * the fault or signal have been copied; no byte after it is touched.
 */
int pinmgr_lease_access(struct pinmgr_lease *lease, u64 offset,
			void __user *buf, u64 length, bool write)
{
	unsigned long page_index = offset >> PAGE_SHIFT;
	size_t in_page = offset & ~PAGE_MASK;
	unsigned long run = 0, left;
	struct page *page;
	size_t chunk;
	void *kaddr;

	/*
	 * copy_from_user() zero-fills what it could not copy, and here the
	 * destination is memory a device may be using: check the buffer once
	 * and copy with __copy_from_user(), which leaves the rest alone.
	 */
	if (!access_ok(buf, length))
		return -EFAULT;

	while (run < lease->nr_runs && page_index >= lease->runs[run].nr_pages)
		page_index -= lease->runs[run++].nr_pages;

	while (length) {
		if (WARN_ON_ONCE(run >= lease->nr_runs))
			return -EINVAL;
		page = pfn_to_page(lease->runs[run].pfn + page_index);
		chunk = min_t(u64, length, PAGE_SIZE - in_page);

		kaddr = kmap_local_page(page);
		if (write)
			left = __copy_from_user(kaddr + in_page, buf, chunk);
		else
			left = copy_to_user(buf, kaddr + in_page, chunk);
		kunmap_local(kaddr);
		if (left)
			return -EFAULT;
		if (write)
			flush_dcache_page(page);

		buf += chunk;
		length -= chunk;
		in_page = 0;
		if (++page_index == lease->runs[run].nr_pages) {
			run++;
			page_index = 0;
		}
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

/**
 * pinmgr_lease_segments() - copy out a lease's physical runs
 * @lease: a lease the caller holds a reference on
 * @segs: user array of struct pinmgr_segment
 * @max: capacity of @segs
 *
 * Return: entries written, or -EFAULT.
 */
long pinmgr_lease_segments(struct pinmgr_lease *lease,
			   struct pinmgr_segment __user *segs, u32 max)
{
	struct pinmgr_segment seg;
	unsigned long i;

	for (i = 0; i < lease->nr_runs && i < max; i++) {
		seg.phys_addr = PFN_PHYS(lease->runs[i].pfn);
		seg.length = (u64)lease->runs[i].nr_pages << PAGE_SHIFT;
		if (copy_to_user(&segs[i], &seg, sizeof(seg)))
			return -EFAULT;
	}
	return i;
}

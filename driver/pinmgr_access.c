// SPDX-License-Identifier: GPL-2.0-only
/*
 * The data path of a lease: ACCESS copies to or from the pinned pages
 * themselves, as a device would by DMA, and GET_SEGMENTS hands out their
 * physical runs. Both walk the lease's runs; neither touches the owner's page
 * tables, which may no longer map those pages.
 *
 * The users of a lease's pages (pinmgr_lease_pages_get()) hold them only
 * while they copy between the pages and kernel memory, never across a user
 * copy: an expiry or a revocation waits for them, and a user buffer whose
 * fault never completes (userfaultfd, a FUSE file whose server does not
 * answer) must not make it wait forever. So ACCESS goes through a bounce
 * page and GET_SEGMENTS through a small batch, taking the pages anew for
 * each; a lease that ends meanwhile stops the copy there.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "pinmgr.h"

/* Segments GET_SEGMENTS gathers per hold of the pages. */
#define PINMGR_SEGMENT_BATCH	32

/*
 * Where in the lease's runs the copy is. The runs are read only while the
 * pages are held: a forced end frees them once it has the pages.
 */
struct pinmgr_run_pos {
	bool found;			/* run and page are set */
	unsigned long run;
	unsigned long page;		/* within the run, or in the lease */
	size_t in_page;
};

static void pinmgr_run_pos_init(u64 offset, struct pinmgr_run_pos *pos)
{
	pos->found = false;
	pos->run = 0;
	pos->page = offset >> PAGE_SHIFT;
	pos->in_page = offset & ~PAGE_MASK;
}

/*
 * Why a lease's pages could not be had: it ended (its errno), or its owner
 * let go of it meanwhile, by UNPIN from another thread (a watched lease's
 * pages go then) or into the hands of its dma-bufs (HELD): gone.
 */
static int pinmgr_pages_gone(const struct pinmgr_lease *lease)
{
	return pinmgr_lease_ended_errno(lease) ?: -ENOENT;
}

/*
 * Copy @chunk bytes (within one page) between the lease's pages at @pos and
 * @bounce, and move @pos on. Return: 0, or why the pages are gone.
 */
static int pinmgr_bounce(struct pinmgr_lease *lease, struct pinmgr_run_pos *pos,
			 void *bounce, size_t chunk, bool write)
{
	struct page *page;
	void *kaddr;

	if (!pinmgr_lease_pages_get(lease))
		return pinmgr_pages_gone(lease);
	if (!pos->found) {
		while (pos->run < lease->nr_runs &&
		       pos->page >= lease->runs[pos->run].nr_pages)
			pos->page -= lease->runs[pos->run++].nr_pages;
		pos->found = true;
	}
	if (WARN_ON_ONCE(pos->run >= lease->nr_runs)) {
		pinmgr_lease_pages_put(lease);
		return -EINVAL;
	}
	page = pfn_to_page(lease->runs[pos->run].pfn + pos->page);
	kaddr = pinmgr_kmap_local_page(page);
	if (write) {
		memcpy(kaddr + pos->in_page, bounce, chunk);
		flush_dcache_page(page);
	} else {
		memcpy(bounce, kaddr + pos->in_page, chunk);
	}
	pinmgr_kunmap_local(kaddr);

	pos->in_page += chunk;
	if (pos->in_page == PAGE_SIZE) {
		pos->in_page = 0;
		if (++pos->page == lease->runs[pos->run].nr_pages) {
			pos->run++;
			pos->page = 0;
		}
	}
	pinmgr_lease_pages_put(lease);
	return 0;
}

/**
 * pinmgr_lease_access() - copy between a user buffer and a lease's pages
 * @lease: a lease the caller holds a reference on
 * @offset: byte offset into the lease
 * @buf: the caller's buffer
 * @length: bytes to copy; [@offset, @offset + @length) is within the lease
 * @write: copy from @buf into the pages (needs a write pin; checked by caller)
 *
 * Return: 0, -EFAULT if @buf faults, -EINTR on a fatal signal, the lease's
 * ended errno if it ends meanwhile (-ENOENT if its owner let go of it),
 * -ENOMEM. Bytes before the fault, signal or end have been copied; no byte
 * after it is touched.
 */
int pinmgr_lease_access(struct pinmgr_lease *lease, u64 offset,
			void __user *buf, u64 length, bool write)
{
	struct pinmgr_run_pos pos;
	size_t chunk, left;
	void *bounce;
	int ret = 0;

	if (!length)
		return 0;
	if (!access_ok(buf, length))
		return -EFAULT;
	bounce = kmalloc(PAGE_SIZE, GFP_KERNEL_ACCOUNT);
	if (!bounce)
		return -ENOMEM;
	pinmgr_run_pos_init(offset, &pos);

	while (length) {
		chunk = min_t(u64, length, PAGE_SIZE - pos.in_page);
		if (write) {
			/* What could be read goes in; then the fault. */
			left = copy_from_user(bounce, buf, chunk);
			ret = pinmgr_bounce(lease, &pos, bounce, chunk - left,
					    true);
		} else {
			ret = pinmgr_bounce(lease, &pos, bounce, chunk, false);
			left = ret ? 0 : copy_to_user(buf, bounce, chunk);
		}
		if (!ret && left)
			ret = -EFAULT;
		if (ret)
			break;
		buf += chunk;
		length -= chunk;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
	}
	kfree(bounce);
	return ret;
}

/**
 * pinmgr_lease_segments() - copy out a lease's physical runs
 * @lease: a lease the caller holds a reference on
 * @segs: user array of struct pinmgr_segment
 * @max: capacity of @segs
 * @total: out: the lease's runs
 *
 * Return: entries written, -EFAULT, -EINTR on a fatal signal, or the
 * lease's ended errno (-ENOENT if its owner let go of it meanwhile).
 */
long pinmgr_lease_segments(struct pinmgr_lease *lease,
			   struct pinmgr_segment __user *segs, u32 max,
			   u64 *total)
{
	struct pinmgr_segment batch[PINMGR_SEGMENT_BATCH];
	unsigned long i = 0, n, k;

	do {
		if (!pinmgr_lease_pages_get(lease))
			return pinmgr_pages_gone(lease);
		*total = lease->nr_runs;
		n = min3(lease->nr_runs - i, (unsigned long)max - i,
			 (unsigned long)ARRAY_SIZE(batch));
		for (k = 0; k < n; k++) {
			batch[k].phys_addr = PFN_PHYS(lease->runs[i + k].pfn);
			batch[k].length = (u64)lease->runs[i + k].nr_pages <<
					  PAGE_SHIFT;
		}
		pinmgr_lease_pages_put(lease);
		if (copy_to_user(&segs[i], batch, n * sizeof(batch[0])))
			return -EFAULT;
		i += n;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	} while (n == ARRAY_SIZE(batch));
	return i;
}

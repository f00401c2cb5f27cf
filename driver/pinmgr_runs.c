// SPDX-License-Identifier: GPL-2.0-only
/*
 * A lease's pages, pinned batch by batch through vaddr_pin_pages() and
 * kept as physically contiguous runs (struct pinmgr_run): a 1 GiB THP
 * lease is a few hundred bytes. Pinning counts its own failures, whose
 * causes it knows best.
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "compat.h"
#include "pinmgr.h"

static_assert(sizeof(struct pinmgr_run) == sizeof(u64));

size_t pinmgr_lease_metadata_bytes(const struct pinmgr_lease *lease)
{
	size_t bytes = sizeof(*lease) + pinmgr_watch_bytes(lease);

	if (lease->runs != lease->inline_runs)
		bytes += lease->max_runs * sizeof(*lease->runs);
	return bytes;
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
	unsigned long max_runs = lease->max_runs * 2;
	struct pinmgr_run *runs;

	if (lease->runs == lease->inline_runs) {
		runs = kvmalloc_array(max_runs, sizeof(*runs),
				      PINMGR_GFP_ARRAY);
		if (runs)
			memcpy(runs, lease->inline_runs,
			       sizeof(lease->inline_runs));
	} else {
		runs = pinmgr_kvrealloc(lease->runs,
					array_size(lease->max_runs,
						   sizeof(*runs)),
					array_size(max_runs, sizeof(*runs)),
					PINMGR_GFP_ARRAY);
	}
	if (!runs)
		return -ENOMEM;
	lease->runs = runs;
	lease->max_runs = max_runs;
	return 0;
}

/*
 * How many of @pages[0, @n) follow @pages[0] in physical order. With a
 * virtually contiguous memmap (SPARSEMEM_VMEMMAP, FLATMEM), consecutive
 * frames have consecutive struct pages, so this compares pointers, eight
 * at a time with one branch: a batch that is one huge page (512 pages)
 * costs little next to pinning it.
 */
static unsigned long pinmgr_contiguous(struct page **pages, unsigned long n)
{
#if defined(CONFIG_SPARSEMEM_VMEMMAP) || defined(CONFIG_FLATMEM)
	struct page *first = pages[0];
	unsigned long i = 1, k, diff;

	for (; i + 8 <= n; i += 8) {
		diff = 0;
		for (k = 0; k < 8; k++)
			diff |= (unsigned long)pages[i + k] ^
				(unsigned long)(first + i + k);
		if (diff)
			break;
	}
	for (; i < n; i++)
		if (pages[i] != first + i)
			break;
	return i;
#else
	unsigned long i, pfn = page_to_pfn(pages[0]);

	for (i = 1; i < n; i++)
		if (page_to_pfn(pages[i]) != pfn + i)
			break;
	return i;
#endif
}

/*
 * Fold a batch of pinned pages into the lease's runs. On failure, pages
 * [0, *nr_added) are in runs and the rest are not.
 */
static int pinmgr_runs_append(struct pinmgr_lease *lease, struct page **pages,
			      unsigned long nr_pages, unsigned long *nr_added)
{
	struct pinmgr_run *last;
	unsigned long i, n, pfn;
	int ret;

	for (i = 0; i < nr_pages; i += n) {
		n = pinmgr_contiguous(pages + i, nr_pages - i);
		pfn = page_to_pfn(pages[i]);
		last = lease->nr_runs ? &lease->runs[lease->nr_runs - 1] : NULL;
		if (last && last->pfn + last->nr_pages == pfn &&
		    last->nr_pages + n <= PINMGR_RUN_MAX_PAGES) {
			last->nr_pages += n;
			continue;
		}
		/* A run too long for one entry goes on in the next. */
		n = min(n, PINMGR_RUN_MAX_PAGES);
		if (lease->nr_runs == lease->max_runs) {
			ret = pinmgr_runs_grow(lease);
			if (ret) {
				*nr_added = i;
				return ret;
			}
		}
		lease->runs[lease->nr_runs].pfn = pfn;
		lease->runs[lease->nr_runs].nr_pages = n;
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
 * Count a failed pin by its cause. GUP says EFAULT both for memory that is
 * not there and for a file mapping it refuses to pin long-term (fsdax; on
 * 6.5+ writable shared mappings that need dirty tracking): the mapping at
 * the failing address tells which.
 */
static void pinmgr_count_pin_failure(struct mm_struct *mm, unsigned long addr,
				     unsigned int gup_flags, int err)
{
	struct vm_area_struct *vma;
	bool refused = false;

	if ((err == -EFAULT || err == -EOPNOTSUPP) &&
	    (gup_flags & FOLL_LONGTERM)) {
		mmap_read_lock(mm);
		vma = pinmgr_vma_lookup(mm, addr);
		if (vma && vma->vm_file)
			refused = vma_is_dax(vma) ||
				  ((gup_flags & FOLL_WRITE) &&
				   (vma->vm_flags & VM_SHARED) &&
				   (vma->vm_flags & VM_WRITE) && vma->vm_ops &&
				   vma->vm_ops->page_mkwrite);
		mmap_read_unlock(mm);
	}
	if (refused)
		pinmgr_count(PINMGR_FIG_FAIL_FILE);
	else
		pinmgr_count_failure(err);
}

/*
 * Pin the lease's range batch by batch into runs, through @batch of
 * @batch_len page pointers. On failure nothing stays pinned, and the
 * failure is counted.
 */
static int pinmgr_pin_runs(struct pinmgr_ctx *ctx, struct pinmgr_lease *lease,
			   struct page **batch, unsigned long batch_len)
{
	struct vaddr_pin vp = { .f_owner = ctx->file, .mm = ctx->mm };
	unsigned int gup_flags = pinmgr_gup_flags(lease->pin_flags);
	unsigned long done = 0, added, nr;
	long pinned;
	int ret;

	while (done < lease->nr_pages) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			pinmgr_count_failure(ret);
			goto out_unpin_runs;
		}
		nr = min(lease->nr_pages - done, batch_len);
		pinned = vaddr_pin_pages(lease->addr + (done << PAGE_SHIFT), nr,
					 gup_flags, batch, &vp);
		if (pinned <= 0) {
			ret = pinned ? pinned : -EFAULT;
			/*
			 * A kill can end GUP's wait for a page (a userfaultfd
			 * or FUSE fault) with another errno: it is EINTR.
			 */
			if (fatal_signal_pending(current))
				ret = -EINTR;
			pinmgr_count_pin_failure(ctx->mm, lease->addr +
						 (done << PAGE_SHIFT),
						 gup_flags, ret);
			goto out_unpin_runs;
		}
		ret = pinmgr_runs_append(lease, batch, pinned, &added);
		if (ret) {
			vaddr_unpin_pages(batch + added, pinned - added, &vp,
					  false);
			pinmgr_count_failure(ret);
			goto out_unpin_runs;
		}
		done += pinned;
		if (done < lease->nr_pages)
			cond_resched();
	}
	return 0;

out_unpin_runs:
	pinmgr_runs_unpin(lease);
	return ret;
}

/* Small requests pin through the stack; large ones share the context's batch. */
int pinmgr_pin_range(struct pinmgr_ctx *ctx, struct pinmgr_lease *lease)
{
	struct page *stack[PINMGR_STACK_PAGES];
	int ret;

	if (lease->nr_pages <= PINMGR_STACK_PAGES)
		return pinmgr_pin_runs(ctx, lease, stack, ARRAY_SIZE(stack));

	ret = mutex_lock_killable(&ctx->pin_lock);
	if (ret) {
		pinmgr_count_failure(ret);
		return ret;
	}
	ret = pinmgr_pin_runs(ctx, lease, ctx->batch, PINMGR_BATCH_PAGES);
	mutex_unlock(&ctx->pin_lock);
	return ret;
}

/* Unpin the runs and free their array: the lease has no pages after. */
void pinmgr_runs_release(struct pinmgr_lease *lease)
{
	pinmgr_runs_unpin(lease);
	if (lease->runs != lease->inline_runs)
		kvfree(lease->runs);
	lease->runs = lease->inline_runs;
	lease->max_runs = PINMGR_INLINE_RUNS;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Watched leases: an MMU interval notifier on each watched lease's range
 * tells the lease when the owner's range stops mapping the pages the lease
 * holds, and a generation word per lease, in a status area the owner maps
 * read-only, says so before the call that unmapped the range returns.
 *
 * Deciding "stale". The notifier's event says most of it: UNMAP (munmap,
 * mremap, MAP_FIXED, shmdt, brk) and RELEASE (exit) always change the
 * mapping; PROTECTION_VMA/PAGE (mprotect, NUMA hinting, fork's write
 * protection), SOFT_DIRTY and MIGRATE (device migration, which a pin
 * refuses) never do. CLEAR is both: MADV_DONTNEED and truncation drop
 * pages, while a migration, compaction or collapse that the pin refuses
 * clears the entries and puts them back. So for CLEAR:
 *
 *  - in the owner's own task (madvise, its own NUMA or move_pages()
 *    migration), the lease is looked at again once the kernel is done, at
 *    invalidate_range_end of a per-context mmu_notifier, still before the
 *    call returns: the range is stale if it no longer maps the lease's
 *    pages (a watch-only lease: no longer maps pages at all);
 *  - in another task (kcompactd, khugepaged, kswapd, KSM, another
 *    process's migrate_pages()), anonymous memory keeps its data at its
 *    address (a pinned page is not moved at all), but a file's pages can be
 *    truncated or punched by anyone: a lease of a file mapping is stale.
 *
 * Lifetimes. The notifier is removed before a lease is freed, and its
 * removal waits for the invalidations under way, so the callbacks see a
 * live lease; what they hand on (a re-check, the stale work) holds a
 * reference of its own, which is never dropped inside a callback: removing
 * the notifier there would wait for the invalidation it is part of.
 */
#include <linux/hmm.h>
#include <linux/highmem.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "pinmgr.h"
#include "pinmgr_trace.h"

#if IS_ENABLED(CONFIG_MMU_NOTIFIER)

/* Slot 0's word is counted atomically. */
static_assert(sizeof(atomic64_t) == sizeof(u64));

#define PINMGR_WATCH_SLOTS_PER_PAGE	(PAGE_SIZE / sizeof(u64))
#define PINMGR_WATCH_PAGES \
	(PINMGR_WATCH_SLOTS_MAX / PINMGR_WATCH_SLOTS_PER_PAGE)
/* Freed slots kept for reuse before going back to the IDA. */
#define PINMGR_WATCH_FREE_SLOTS		32

/*
 * A CLEAR of the owner's task, to look at again at its range_end: the
 * invalidation is known by its task and range. Holds a lease reference.
 */
struct pinmgr_recheck {
	struct list_head node;
	struct pinmgr_watch *w;
	struct task_struct *task;
	unsigned long start, end;
};

/* Bits of pinmgr_watch.flags. */
enum {
	PINMGR_WATCH_INSERTED,		/* the interval notifier is in */
	PINMGR_WATCH_QUEUED,		/* stale_work is queued */
	PINMGR_WATCH_TOLD,		/* the STALE event is queued */
};

/*
 * The watch of one context: its status area, and the mmu_notifier whose
 * invalidate_range_end re-checks what the interval notifiers could not
 * decide. Made when the context first watches or maps the area; freed
 * with the context.
 */
struct pinmgr_watch_ctx {
	struct mmu_notifier mn;
	bool registered;		/* mn is registered on the context's mm */
	/*
	 * lock protects rechecks; taken inside the notifiers, so a
	 * spinlock, with nothing taken inside it.
	 */
	spinlock_t lock;
	struct list_head rechecks;
	atomic_t nr_rechecks;		/* read without the lock first */
	struct ida slots;
	/*
	 * slots_lock protects free_slots: slots freed last, still taken in
	 * the IDA, so that a PIN after an UNPIN does not walk it twice.
	 */
	spinlock_t slots_lock;
	unsigned int nr_free_slots;
	u32 free_slots[PINMGR_WATCH_FREE_SLOTS];
	atomic64_t *stale_count;	/* slot 0's word */
	/* pages_lock serialises making the area's pages; read with READ_ONCE. */
	struct mutex pages_lock;
	struct page *pages[PINMGR_WATCH_PAGES];
};

/* The watch of one lease. */
struct pinmgr_watch {
	struct mmu_interval_notifier sub;
	struct pinmgr_lease *lease;
	unsigned long start, end;
	u32 slot;
	u64 gen;			/* the generation PIN handed out */
	u64 *word;			/* the slot's word in the area */
	unsigned long flags;

	/*
	 * lock protects reason, stale_start, stale_end and the interval
	 * notifier's sequence for ACCESS of a watch-only lease; a spinlock,
	 * as the notifier may not sleep.
	 */
	spinlock_t lock;
	bool armed;			/* the lease's pages are all pinned */
	unsigned long seq;		/* the notifier's sequence when inserted */
	/* What came before arming, if it may have changed the range. */
	u32 early_reason;
	unsigned long early_start, early_end;
	u32 reason;			/* enum pinmgr_stale_reason, 0: not */
	unsigned long stale_start, stale_end;

	struct work_struct stale_work;	/* events, release on stale */
	struct work_struct put_work;	/* a put the notifiers could not do */
};

/*
 * Contexts with a watch. Their last leases may go after their file is
 * closed (a put the notifiers handed to the workqueue), so module unload
 * waits for them.
 */
static atomic_t pinmgr_watch_ctxs = ATOMIC_INIT(0);

/* A reference the notifiers drop: never the last one there. */
static void pinmgr_watch_put_work(struct work_struct *work)
{
	struct pinmgr_watch *w = container_of(work, struct pinmgr_watch,
					      put_work);

	pinmgr_lease_put(w->lease);
}

static void pinmgr_watch_put_deferred(struct pinmgr_watch *w)
{
	if (!refcount_dec_not_one(&w->lease->users))
		queue_work(pinmgr_wq, &w->put_work);
}

/* Hand the stale work a reference and queue it, unless it is queued. */
static void pinmgr_watch_queue(struct pinmgr_watch *w)
{
	if (test_and_set_bit(PINMGR_WATCH_QUEUED, &w->flags))
		return;
	/* A lease whose last reference went is being freed: no event. */
	if (!refcount_inc_not_zero(&w->lease->users)) {
		clear_bit(PINMGR_WATCH_QUEUED, &w->flags);
		return;
	}
	queue_work(pinmgr_wq, &w->stale_work);
}

/*
 * The lease's range [@start, @end) stopped mapping its pages: the first
 * time, change the generation before the unmapping call returns, and let
 * the work tell the owner.
 */
static void pinmgr_watch_stale(struct pinmgr_watch *w, u32 reason,
			       unsigned long start, unsigned long end)
{
	struct pinmgr_watch_ctx *wc = w->lease->ctx->watch;
	bool first;

	spin_lock(&w->lock);
	first = !w->reason;
	if (first) {
		w->reason = reason;
		w->stale_start = start;
		w->stale_end = end;
	}
	spin_unlock(&w->lock);
	if (!first)
		return;
	/* Pairs with the reader's acquire load of the word. */
	smp_store_release(w->word, w->gen + 1);
	atomic64_inc_return_release(wc->stale_count);
	pinmgr_watch_queue(w);
}

/* The lease's page @index, while its pages are held. */
static unsigned long pinmgr_lease_pfn(struct pinmgr_lease *lease,
				      unsigned long *run, unsigned long *base,
				      unsigned long index)
{
	while (*run < lease->nr_runs &&
	       index >= *base + lease->runs[*run].nr_pages)
		*base += lease->runs[(*run)++].nr_pages;
	if (*run >= lease->nr_runs)
		return ULONG_MAX;
	return lease->runs[*run].pfn + (index - *base);
}

/* What the current task's page tables hold for an address. */
enum pinmgr_entry {
	PINMGR_ENTRY_NONE,		/* nothing: cleared */
	PINMGR_ENTRY_PAGE,		/* a present page, *pfn */
	PINMGR_ENTRY_MOVING,		/* a migration or swap entry */
};

/*
 * Read the entry for @addr of the current task's mm without a lock, as
 * GUP-fast does: with interrupts off, the page tables of the task's own mm
 * cannot be freed under the walk. A migration entry (a move under way,
 * which a pinned page makes fail and undoes) and a swap entry keep the
 * data at its address; only a cleared entry lost it.
 */
static enum pinmgr_entry pinmgr_read_entry(unsigned long addr,
					   unsigned long *pfn)
{
	enum pinmgr_entry ret = PINMGR_ENTRY_NONE;
	unsigned long flags;
	pgd_t *pgdp;
	p4d_t *p4dp;
	pud_t *pudp, pud;
	pmd_t *pmdp, pmd;
	pte_t pte;

	local_irq_save(flags);
	pgdp = pgd_offset(current->mm, addr);
	if (pgd_none(READ_ONCE(*pgdp)))
		goto out;
	p4dp = p4d_offset(pgdp, addr);
	if (p4d_none(READ_ONCE(*p4dp)))
		goto out;
	pudp = pud_offset(p4dp, addr);
	pud = READ_ONCE(*pudp);
	if (pud_none(pud))
		goto out;
	if (pud_leaf(pud)) {
		*pfn = pud_pfn(pud) + ((addr & ~PUD_MASK) >> PAGE_SHIFT);
		ret = PINMGR_ENTRY_PAGE;
		goto out;
	}
	pmdp = pmd_offset(pudp, addr);
	pmd = READ_ONCE(*pmdp);
	if (pmd_none(pmd))
		goto out;
	if (!pmd_present(pmd)) {
		ret = PINMGR_ENTRY_MOVING;
		goto out;
	}
	if (pmd_leaf(pmd)) {
		*pfn = pmd_pfn(pmd) + ((addr & ~PMD_MASK) >> PAGE_SHIFT);
		ret = PINMGR_ENTRY_PAGE;
		goto out;
	}
	pte = READ_ONCE(*pte_offset_kernel(&pmd, addr));
	if (pte_none(pte))
		goto out;
	if (!pte_present(pte)) {
		ret = PINMGR_ENTRY_MOVING;
		goto out;
	}
	*pfn = pte_pfn(pte);
	ret = PINMGR_ENTRY_PAGE;
out:
	local_irq_restore(flags);
	return ret;
}

/*
 * Hold a pinning lease's pages for a callback to read its runs. Unlike
 * pinmgr_lease_pages_get(), a lease still being made counts: its creator
 * holds the pages, and an UNPIN right after it is published waits for this
 * reference before it releases them. False: the lease is ending.
 */
static bool pinmgr_watch_pages_get(struct pinmgr_lease *lease)
{
	u32 state;

	if (!pinmgr_refcount_inc_not_zero_acquire(&lease->pages_ref))
		return false;
	state = READ_ONCE(lease->state);
	if (state == PINMGR_LS_CREATING || state == PINMGR_LS_ACTIVE ||
	    state == PINMGR_LS_BREAKING)
		return true;
	pinmgr_lease_pages_put(lease);
	return false;
}

/*
 * Does [@start, @end) of the current task's mm still map the lease's pages
 * (a watch-only lease: anything at all)? An entry that is moving counts as
 * the page it moves. @creating: the caller is making the lease, whose
 * pages are its own to read.
 */
static bool pinmgr_watch_still_mapped(struct pinmgr_watch *w,
				      unsigned long start, unsigned long end,
				      bool creating)
{
	struct pinmgr_lease *lease = w->lease;
	bool watch_only = lease->pin_flags & PINMGR_PIN_WATCH_ONLY;
	bool hold = !watch_only && !creating;
	unsigned long run = 0, base = 0, addr, index, pfn;
	enum pinmgr_entry entry;
	bool mapped = true;

	if (hold && !pinmgr_watch_pages_get(lease))
		return true;	/* ending: its pages go anyway */
	for (addr = start; mapped && addr < end; addr += PAGE_SIZE) {
		entry = pinmgr_read_entry(addr, &pfn);
		index = (addr - lease->addr) >> PAGE_SHIFT;
		if (entry == PINMGR_ENTRY_NONE)
			mapped = false;
		else if (entry == PINMGR_ENTRY_PAGE && !watch_only &&
			 pfn != pinmgr_lease_pfn(lease, &run, &base, index))
			mapped = false;
	}
	if (hold)
		pinmgr_lease_pages_put(lease);
	return mapped;
}

/* What another task's invalidation can learn of the owner's mapping. */
enum pinmgr_mapping {
	PINMGR_MAPS_ANON,
	PINMGR_MAPS_FILE,		/* a file or shmem, in some of it */
	PINMGR_MAPS_UNKNOWN,		/* mmap_lock was busy */
};

/*
 * What [@start, @end) of @mm maps, asked from inside another task's
 * invalidation: that task may hold locks ranked below mmap_lock
 * (i_mmap_rwsem), so only a trylock, which orders against nothing.
 */
static enum pinmgr_mapping pinmgr_range_maps(struct mm_struct *mm,
					     unsigned long start,
					     unsigned long end)
{
	enum pinmgr_mapping ret = PINMGR_MAPS_ANON;
	struct vm_area_struct *vma;

	if (!mmap_read_trylock(mm))
		return PINMGR_MAPS_UNKNOWN;
	for (vma = find_vma(mm, start); vma && vma->vm_start < end;
	     vma = find_vma(mm, vma->vm_end)) {
		if (vma->vm_file || (vma->vm_flags & VM_SHARED)) {
			ret = PINMGR_MAPS_FILE;
			break;
		}
		if (vma->vm_end >= end)
			break;
	}
	mmap_read_unlock(mm);
	return ret;
}

/*
 * Does a pinning lease hold, in [@start, @end), a page that is not
 * anonymous memory of its own (a file's, shmem's, hugetlb's)?
 */
static bool pinmgr_lease_holds_file_pages(struct pinmgr_lease *lease,
					  unsigned long start,
					  unsigned long end)
{
	unsigned long run = 0, base = 0, index, pfn;
	struct page *page;

	for (; start < end; start += PAGE_SIZE) {
		index = (start - lease->addr) >> PAGE_SHIFT;
		pfn = pinmgr_lease_pfn(lease, &run, &base, index);
		if (pfn == ULONG_MAX)
			break;
		page = pfn_to_page(pfn);
		if (!PageAnon(page) || PageHuge(page))
			return true;
	}
	return false;
}

/*
 * Another task's CLEAR over [@start, @end) of a pinning lease, whose page
 * tables cannot be read from here: did it take the pages away? Reclaim
 * and compaction lock each page before they try, and fail on a pinned
 * one; KSM and khugepaged skip pinned pages: none of them changes
 * anything. What is left that does is a truncation or hole punch of a
 * file mapped there (a private mapping's copied pages included), whose
 * unmapping pass takes no page lock. Whether a file is mapped there is
 * looked up now, not at PIN (a lookup under mmap_lock for every watched
 * PIN, for a rare event); when the lock is busy, the pages say it.
 */
static bool pinmgr_watch_foreign_change(struct pinmgr_watch *w,
					struct mm_struct *mm,
					unsigned long start, unsigned long end)
{
	struct pinmgr_lease *lease = w->lease;
	unsigned long run = 0, base = 0, addr, index, pfn;
	bool locked = true, changed;

	if (!pinmgr_watch_pages_get(lease))
		return false;	/* ending: its pages go anyway */
	for (addr = start; locked && addr < end; addr += PAGE_SIZE) {
		index = (addr - lease->addr) >> PAGE_SHIFT;
		pfn = pinmgr_lease_pfn(lease, &run, &base, index);
		locked = pfn != ULONG_MAX && PageLocked(pfn_to_page(pfn));
	}
	if (locked) {
		changed = false;
	} else {
		switch (pinmgr_range_maps(mm, start, end)) {
		case PINMGR_MAPS_ANON:
			changed = false;
			break;
		case PINMGR_MAPS_FILE:
			changed = true;
			break;
		default:
			changed = pinmgr_lease_holds_file_pages(lease, start,
								end);
			break;
		}
	}
	pinmgr_lease_pages_put(lease);
	return changed;
}

/*
 * A CLEAR in the owner's task: look again at range_end. The notifier may
 * not sleep; without memory for the entry, the lease is taken as stale (a
 * false notice, never a missed one).
 */
static void pinmgr_watch_recheck_later(struct pinmgr_watch *w,
				       struct pinmgr_watch_ctx *wc,
				       const struct mmu_notifier_range *range,
				       unsigned long start, unsigned long end)
{
	struct pinmgr_recheck *rc;

	rc = kmalloc(sizeof(*rc), GFP_NOWAIT | __GFP_NOWARN);
	if (!rc) {
		pinmgr_watch_stale(w, PINMGR_STALE_DISCARD, start, end);
		return;
	}
	if (!refcount_inc_not_zero(&w->lease->users)) {
		kfree(rc);
		return;
	}
	rc->w = w;
	rc->task = current;
	rc->start = range->start;
	rc->end = range->end;
	spin_lock(&wc->lock);
	list_add_tail(&rc->node, &wc->rechecks);
	atomic_inc(&wc->nr_rechecks);
	spin_unlock(&wc->lock);
}

/* How an event changes a range if it does: 0 for what never does. */
static u32 pinmgr_watch_event_reason(enum mmu_notifier_event event)
{
	switch (event) {
	case MMU_NOTIFY_UNMAP:
		return PINMGR_STALE_UNMAP;
	case MMU_NOTIFY_RELEASE:
		return PINMGR_STALE_EXIT;
	case MMU_NOTIFY_PROTECTION_VMA:
	case MMU_NOTIFY_PROTECTION_PAGE:
	case MMU_NOTIFY_SOFT_DIRTY:
	case MMU_NOTIFY_MIGRATE:
		return 0;
	default:
		return PINMGR_STALE_DISCARD;
	}
}

static bool pinmgr_watch_invalidate(struct mmu_interval_notifier *sub,
				    const struct mmu_notifier_range *range,
				    unsigned long cur_seq)
{
	struct pinmgr_watch *w = container_of(sub, struct pinmgr_watch, sub);
	struct pinmgr_watch_ctx *wc = w->lease->ctx->watch;
	unsigned long start = max(range->start, w->start);
	unsigned long end = min(range->end, w->end);

	bool armed;

	/*
	 * ACCESS of a watch-only lease retries after this; arming looks at
	 * the sequence to learn whether anything happened while pinning.
	 */
	spin_lock(&w->lock);
	mmu_interval_set_seq(sub, cur_seq);
	armed = w->armed;
	if (!armed && !w->early_reason) {
		w->early_reason = pinmgr_watch_event_reason(range->event);
		w->early_start = start;
		w->early_end = end;
	}
	spin_unlock(&w->lock);
	if (!armed)
		return true;

	switch (range->event) {
	case MMU_NOTIFY_UNMAP:
		pinmgr_watch_stale(w, PINMGR_STALE_UNMAP, start, end);
		break;
	case MMU_NOTIFY_RELEASE:
		pinmgr_watch_stale(w, PINMGR_STALE_EXIT, start, end);
		break;
	case MMU_NOTIFY_PROTECTION_VMA:
	case MMU_NOTIFY_PROTECTION_PAGE:
	case MMU_NOTIFY_SOFT_DIRTY:
	case MMU_NOTIFY_MIGRATE:
		break;
	default:
		if (current->mm == range->mm)
			pinmgr_watch_recheck_later(w, wc, range, start, end);
		else if (!(w->lease->pin_flags & PINMGR_PIN_WATCH_ONLY) &&
			 pinmgr_watch_foreign_change(w, range->mm, start, end))
			pinmgr_watch_stale(w, PINMGR_STALE_DISCARD, start, end);
		break;
	}
	return true;
}

static const struct mmu_interval_notifier_ops pinmgr_watch_ops = {
	.invalidate = pinmgr_watch_invalidate,
};

/* The kernel is done with @range: decide the re-checks it left. */
static void pinmgr_watch_range_end(struct mmu_notifier *mn,
				   const struct mmu_notifier_range *range)
{
	struct pinmgr_watch_ctx *wc = container_of(mn, struct pinmgr_watch_ctx,
						   mn);
	struct pinmgr_recheck *rc, *tmp;
	LIST_HEAD(mine);

	if (!atomic_read(&wc->nr_rechecks))
		return;
	spin_lock(&wc->lock);
	list_for_each_entry_safe(rc, tmp, &wc->rechecks, node) {
		if (rc->task != current || rc->start != range->start ||
		    rc->end != range->end)
			continue;
		list_move_tail(&rc->node, &mine);
		atomic_dec(&wc->nr_rechecks);
	}
	spin_unlock(&wc->lock);

	list_for_each_entry_safe(rc, tmp, &mine, node) {
		struct pinmgr_watch *w = rc->w;
		unsigned long start = max(range->start, w->start);
		unsigned long end = min(range->end, w->end);

		if (!pinmgr_watch_still_mapped(w, start, end, false))
			pinmgr_watch_stale(w, PINMGR_STALE_DISCARD, start, end);
		pinmgr_watch_put_deferred(w);
		kfree(rc);
	}
}

static const struct mmu_notifier_ops pinmgr_watch_ctx_ops = {
	.invalidate_range_end = pinmgr_watch_range_end,
};

/*
 * The stale work: tell the owner and the monitor group, or end the lease
 * if it asked to be released. Holds the reference pinmgr_watch_queue()
 * took.
 */
static void pinmgr_watch_stale_work(struct work_struct *work)
{
	struct pinmgr_watch *w = container_of(work, struct pinmgr_watch,
					      stale_work);
	struct pinmgr_lease *lease = w->lease;
	struct pinmgr_ctx *ctx = lease->ctx;
	bool told = false;

	clear_bit(PINMGR_WATCH_QUEUED, &w->flags);
	if (lease->pin_flags & PINMGR_PIN_RELEASE_ON_STALE) {
		pinmgr_lease_invalidate(lease);
	} else {
		mutex_lock(&ctx->lock);
		/*
		 * Published and live; pinmgr_lease_publish() tells the rest.
		 * Once: the work may run twice for a lease made stale before
		 * it was published (queued again by pinmgr_watch_published()
		 * once this run had cleared QUEUED).
		 */
		if (!list_empty(&lease->ctx_node) &&
		    (lease->state == PINMGR_LS_ACTIVE ||
		     lease->state == PINMGR_LS_BREAKING) &&
		    !test_and_set_bit(PINMGR_WATCH_TOLD, &w->flags)) {
			pinmgr_event_queue(lease, PINMGR_EVENT_STALE);
			told = true;
		}
		mutex_unlock(&ctx->lock);
		if (told) {
			pinmgr_count(PINMGR_FIG_STALE_LEASES);
			trace_pinmgr_stale(lease);
			pinmgr_nl_notify(lease, PINMGR_NL_CMD_LEASE_STALE_NTF);
		}
	}
	pinmgr_lease_put(lease);
}

/* A lease made stale before it was published is told about now. */
void pinmgr_watch_published(struct pinmgr_lease *lease)
{
	struct pinmgr_watch *w = lease->watch;

	if (w && READ_ONCE(w->reason))
		pinmgr_watch_queue(w);
}

/*
 * The context's watch: made the first time, by the owner's own task (its
 * mm is alive), from PIN or from mmap(2), which holds mmap_lock already
 * (@mmap_locked). The file is open throughout: no close races with it.
 */
static struct pinmgr_watch_ctx *pinmgr_watch_ctx_prepare(struct pinmgr_ctx *ctx,
							 bool mmap_locked)
{
	struct pinmgr_watch_ctx *wc = READ_ONCE(ctx->watch);
	int ret;

	if (wc)
		return wc;
	wc = kzalloc(sizeof(*wc), GFP_KERNEL_ACCOUNT);
	if (!wc)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&wc->lock);
	INIT_LIST_HEAD(&wc->rechecks);
	ida_init(&wc->slots);
	spin_lock_init(&wc->slots_lock);
	mutex_init(&wc->pages_lock);
	wc->mn.ops = &pinmgr_watch_ctx_ops;
	/* Slot 0's word, which every stale lease moves on, exists from now. */
	wc->pages[0] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!wc->pages[0]) {
		kfree(wc);
		return ERR_PTR(-ENOMEM);
	}
	wc->stale_count = page_address(wc->pages[0]);

	if (mmap_locked)
		ret = __mmu_notifier_register(&wc->mn, ctx->mm);
	else
		ret = mmu_notifier_register(&wc->mn, ctx->mm);
	if (ret) {
		__free_page(wc->pages[0]);
		kfree(wc);
		return ERR_PTR(ret);
	}
	wc->registered = true;
	atomic_inc(&pinmgr_watch_ctxs);
	/* Pairs with READ_ONCE() above and in the fault handler. */
	if (cmpxchg_release(&ctx->watch, NULL, wc)) {
		/* Another thread of the owner made it meanwhile. */
		mmu_notifier_unregister(&wc->mn, ctx->mm);
		mutex_destroy(&wc->pages_lock);
		__free_page(wc->pages[0]);
		kfree(wc);
		if (atomic_dec_and_test(&pinmgr_watch_ctxs))
			wake_up_var(&pinmgr_watch_ctxs);
	}
	return READ_ONCE(ctx->watch);
}

/* Free the context's watch: no lease of it is left. */
void pinmgr_watch_ctx_free(struct pinmgr_ctx *ctx)
{
	struct pinmgr_watch_ctx *wc = ctx->watch;
	unsigned int i;

	if (!wc)
		return;
	WARN_ON_ONCE(!list_empty(&wc->rechecks));
	if (wc->registered)
		mmu_notifier_unregister(&wc->mn, ctx->mm);
	for (i = 0; i < PINMGR_WATCH_PAGES; i++)
		if (wc->pages[i])
			__free_page(wc->pages[i]);
	ida_destroy(&wc->slots);
	mutex_destroy(&wc->pages_lock);
	kfree(wc);
	ctx->watch = NULL;
	if (atomic_dec_and_test(&pinmgr_watch_ctxs))
		wake_up_var(&pinmgr_watch_ctxs);
}

/* Module unload: every file is closed; wait for their last leases. */
void pinmgr_watch_exit(void)
{
	wait_var_event(&pinmgr_watch_ctxs, !atomic_read(&pinmgr_watch_ctxs));
	/* The work item that freed the last one has returned, too. */
	flush_workqueue(pinmgr_wq);
}

/* A watched lease's object holds its watch right after the lease. */
static_assert(__alignof__(struct pinmgr_watch) <=
	      __alignof__(struct pinmgr_lease));
static_assert(sizeof(struct pinmgr_lease) %
	      __alignof__(struct pinmgr_watch) == 0);

size_t pinmgr_watch_size(void)
{
	return sizeof(struct pinmgr_watch);
}

size_t pinmgr_watch_bytes(const struct pinmgr_lease *lease)
{
	return lease->watch ? sizeof(*lease->watch) : 0;
}

/* A slot from 1: one freed lately if there is one. */
static int pinmgr_watch_slot_get(struct pinmgr_watch_ctx *wc)
{
	int slot = -1;

	spin_lock(&wc->slots_lock);
	if (wc->nr_free_slots)
		slot = wc->free_slots[--wc->nr_free_slots];
	spin_unlock(&wc->slots_lock);
	if (slot > 0)
		return slot;
	slot = ida_alloc_range(&wc->slots, 1, PINMGR_WATCH_SLOTS_MAX - 1,
			       GFP_KERNEL_ACCOUNT);
	return slot == -ENOSPC ? -EMFILE : slot;
}

static void pinmgr_watch_slot_put(struct pinmgr_watch_ctx *wc, u32 slot)
{
	spin_lock(&wc->slots_lock);
	if (wc->nr_free_slots < PINMGR_WATCH_FREE_SLOTS) {
		wc->free_slots[wc->nr_free_slots++] = slot;
		slot = 0;
	}
	spin_unlock(&wc->slots_lock);
	if (slot)
		ida_free(&wc->slots, slot);
}

/* The area's page @index, made zeroed the first time. */
static struct page *pinmgr_watch_page(struct pinmgr_watch_ctx *wc,
				      unsigned long index)
{
	struct page *page = READ_ONCE(wc->pages[index]);

	if (page)
		return page;
	mutex_lock(&wc->pages_lock);
	page = wc->pages[index];
	if (!page) {
		page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (page)
			WRITE_ONCE(wc->pages[index], page);
	}
	mutex_unlock(&wc->pages_lock);
	return page;
}

/**
 * pinmgr_watch_start() - watch a created lease's range
 * @lease: a lease being created by the owner's own task, not yet pinned
 *
 * The watch begins before the pages are pinned, so that nothing that
 * happens to the range in between is missed; the callbacks only note it
 * until pinmgr_watch_arm(), for pinning itself (a long-term pin's
 * migration, a write pin's copy-on-write) invalidates the range.
 *
 * Return: 0, -ENOMEM, -EMFILE (no slot left), -EBADF (the file is
 * closing), or what registering the notifier returned. On failure the
 * lease has no watch and pinmgr_watch_stop() has nothing to do.
 */
int pinmgr_watch_start(struct pinmgr_lease *lease)
{
	struct pinmgr_ctx *ctx = lease->ctx;
	unsigned long length = lease->nr_pages << PAGE_SHIFT;
	struct pinmgr_watch_ctx *wc;
	struct pinmgr_watch *w;
	struct page *page;
	int slot, ret;

	wc = pinmgr_watch_ctx_prepare(ctx, false);
	if (IS_ERR(wc))
		return PTR_ERR(wc);
	/* Zeroed with the lease, right after it (pinmgr_lease_create()). */
	w = (struct pinmgr_watch *)(lease + 1);
	w->lease = lease;
	w->start = lease->addr;
	w->end = lease->addr + length;
	spin_lock_init(&w->lock);
	INIT_WORK(&w->stale_work, pinmgr_watch_stale_work);
	INIT_WORK(&w->put_work, pinmgr_watch_put_work);

	/* Slot 0 is the context's own. */
	slot = pinmgr_watch_slot_get(wc);
	if (slot < 0)
		return slot;
	page = pinmgr_watch_page(wc, slot / PINMGR_WATCH_SLOTS_PER_PAGE);
	if (!page) {
		ret = -ENOMEM;
		goto out_free_slot;
	}
	w->slot = slot;
	w->word = (u64 *)page_address(page) +
		  slot % PINMGR_WATCH_SLOTS_PER_PAGE;
	w->gen = READ_ONCE(*w->word);

	ret = mmu_interval_notifier_insert(&w->sub, ctx->mm, w->start, length,
					   &pinmgr_watch_ops);
	if (ret)
		goto out_free_slot;
	set_bit(PINMGR_WATCH_INSERTED, &w->flags);
	w->seq = mmu_interval_read_begin(&w->sub);
	lease->watch = w;
	return 0;

out_free_slot:
	pinmgr_watch_slot_put(wc, slot);
	return ret;
}

/**
 * pinmgr_watch_arm() - the lease's pages are pinned: watch for real
 * @lease: a lease whose pinmgr_watch_start() succeeded
 *
 * If the range was invalidated while it was being pinned, whatever did it
 * may have replaced pages after GUP took them: look at the range once, as
 * it is now that every change is seen.
 */
void pinmgr_watch_arm(struct pinmgr_lease *lease)
{
	struct pinmgr_watch *w = lease->watch;
	unsigned long seq;
	bool changed, mapped;

	spin_lock(&w->lock);
	w->armed = true;
	changed = mmu_interval_read_retry(&w->sub, w->seq);
	spin_unlock(&w->lock);
	if (!changed)
		return;
	/*
	 * An invalidation whose callback came before arming may not have
	 * changed the entries yet: wait for the kernel to be done with it
	 * (mmu_interval_read_begin()), then look; again if another came
	 * meanwhile, whatever the look saw: an entry that an mprotect() or a
	 * huge page split is rewriting reads as absent for a moment.
	 */
	for (;;) {
		seq = mmu_interval_read_begin(&w->sub);
		mapped = pinmgr_watch_still_mapped(w, w->start, w->end, true);
		if (!mmu_interval_read_retry(&w->sub, seq))
			break;
		cond_resched();
	}
	/* A watch-only lease has no pages to compare: an unmap is a change. */
	if (mapped && (lease->pin_flags & PINMGR_PIN_WATCH_ONLY) &&
	    (w->early_reason == PINMGR_STALE_UNMAP ||
	     w->early_reason == PINMGR_STALE_EXIT))
		mapped = false;
	if (mapped)
		return;
	/* Said as the first change while pinning said it, if one did. */
	if (w->early_reason)
		pinmgr_watch_stale(w, w->early_reason, w->early_start,
				   w->early_end);
	else
		pinmgr_watch_stale(w, PINMGR_STALE_UNMAP, w->start, w->end);
}

/*
 * Remove a watched lease's notifier: once this returns, no callback runs
 * or takes a reference to the lease. Never from a callback (it would wait
 * for itself): UNPIN, and the last put, which callbacks never do.
 */
void pinmgr_watch_unhook(struct pinmgr_lease *lease)
{
	struct pinmgr_watch *w = lease->watch;

	if (w && test_and_clear_bit(PINMGR_WATCH_INSERTED, &w->flags))
		mmu_interval_notifier_remove(&w->sub);
}

/*
 * Stop watching a lease that is being freed: no callback runs after the
 * notifier is removed, and the slot's word moves past every generation it
 * had, so that no later lease in the slot is mistaken for this one.
 */
void pinmgr_watch_stop(struct pinmgr_lease *lease)
{
	struct pinmgr_watch *w = lease->watch;
	struct pinmgr_watch_ctx *wc = lease->ctx->watch;

	if (!w)
		return;
	pinmgr_watch_unhook(lease);
	/* Pairs with the reader's acquire load, as in pinmgr_watch_stale(). */
	smp_store_release(w->word, READ_ONCE(*w->word) + 1);
	pinmgr_watch_slot_put(wc, w->slot);
	lease->watch = NULL;
}

/* What a watched lease shows: its slot and whether and how it changed. */
void pinmgr_watch_view(struct pinmgr_lease *lease,
		       struct pinmgr_lease_view *view)
{
	struct pinmgr_watch *w = lease->watch;

	if (!w)
		return;
	view->watch_slot = w->slot;
	spin_lock(&w->lock);
	view->stale_reason = w->reason;
	if (w->reason) {
		view->stale_addr = w->stale_start;
		view->stale_length = w->stale_end - w->stale_start;
	}
	spin_unlock(&w->lock);
}

bool pinmgr_watch_is_stale(const struct pinmgr_lease *lease)
{
	return lease->watch && READ_ONCE(lease->watch->reason);
}

void pinmgr_watch_event(struct pinmgr_lease *lease, struct pinmgr_event *ev)
{
	struct pinmgr_watch *w = lease->watch;

	if (!w)
		return;
	spin_lock(&w->lock);
	ev->reason = w->reason;
	ev->addr = w->stale_start;
	ev->length = w->stale_end - w->stale_start;
	spin_unlock(&w->lock);
}

void pinmgr_watch_reply(const struct pinmgr_lease *lease, u32 *slot, u64 *gen)
{
	*slot = lease->watch ? lease->watch->slot : 0;
	*gen = lease->watch ? lease->watch->gen : 0;
}

static vm_fault_t pinmgr_watch_fault(struct vm_fault *vmf)
{
	struct pinmgr_ctx *ctx = vmf->vma->vm_file->private_data;
	struct pinmgr_watch_ctx *wc = READ_ONCE(ctx->watch);
	struct page *page;

	if (!wc || vmf->pgoff >= PINMGR_WATCH_PAGES)
		return VM_FAULT_SIGBUS;
	page = pinmgr_watch_page(wc, vmf->pgoff);
	if (!page)
		return VM_FAULT_OOM;
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct pinmgr_watch_vm_ops = {
	.fault = pinmgr_watch_fault,
};

/*
 * mmap(2) of the status area: read-only, by the owner only (its slots
 * name its leases), never more than the area.
 */
int pinmgr_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct pinmgr_ctx *ctx = file->private_data;
	unsigned long pages = vma_pages(vma);
	struct pinmgr_watch_ctx *wc;

	if (current->mm != ctx->mm)
		return -EPERM;
	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	if (vma->vm_pgoff != PINMGR_WATCH_MMAP_OFFSET >> PAGE_SHIFT ||
	    pages > PINMGR_WATCH_PAGES)
		return -EINVAL;
	wc = pinmgr_watch_ctx_prepare(ctx, true);
	if (IS_ERR(wc))
		return PTR_ERR(wc);
	pinmgr_vm_flags_mod(vma, VM_DONTEXPAND | VM_DONTDUMP, VM_MAYWRITE);
	vma->vm_ops = &pinmgr_watch_vm_ops;
	return 0;
}

#if IS_ENABLED(CONFIG_HMM_MIRROR)
/*
 * Copy one page of a watch-only lease at @addr, as the owner's page tables
 * map it now: hmm_range_fault() faults it in, and the copy happens only if
 * no invalidation came in between (mmu_interval_read_retry() under the
 * lock the notifier takes to move the sequence on).
 */
static int pinmgr_watch_copy_page(struct pinmgr_watch *w, struct mm_struct *mm,
				  unsigned long addr, void *bounce,
				  size_t in_page, size_t chunk, bool write)
{
	unsigned long pfn;
	struct hmm_range range = {
		.notifier = &w->sub,
		.start = addr,
		.end = addr + PAGE_SIZE,
		.hmm_pfns = &pfn,
		.default_flags = HMM_PFN_REQ_FAULT |
				 (write ? HMM_PFN_REQ_WRITE : 0),
	};
	struct page *page;
	void *kaddr;
	int ret;

	for (;;) {
		if (fatal_signal_pending(current))
			return -EINTR;
		range.notifier_seq = mmu_interval_read_begin(&w->sub);
		mmap_read_lock(mm);
		ret = hmm_range_fault(&range);
		mmap_read_unlock(mm);
		if (ret == -EBUSY)
			continue;
		/* A write to a read-only mapping: EPERM is the ABI's for the mm. */
		if (ret == -EPERM)
			return -EFAULT;
		if (ret)
			return ret;
		spin_lock(&w->lock);
		if (mmu_interval_read_retry(&w->sub, range.notifier_seq)) {
			spin_unlock(&w->lock);
			continue;
		}
		page = hmm_pfn_to_page(pfn);
		kaddr = pinmgr_kmap_local_page(page);
		if (write) {
			memcpy(kaddr + in_page, bounce, chunk);
			set_page_dirty(page);
		} else {
			memcpy(bounce, kaddr + in_page, chunk);
		}
		pinmgr_kunmap_local(kaddr);
		spin_unlock(&w->lock);
		return 0;
	}
}
#else
/* Without HMM: take the page for the copy, as GUP does for a read(). */
static int pinmgr_watch_copy_page(struct pinmgr_watch *w, struct mm_struct *mm,
				  unsigned long addr, void *bounce,
				  size_t in_page, size_t chunk, bool write)
{
	struct page *page;
	void *kaddr;
	long got;

	mmap_read_lock(mm);
	got = get_user_pages(addr, 1, write ? FOLL_WRITE : 0, &page
#ifndef PINMGR_HAVE_GET_USER_PAGES_NO_VMAS
			     , NULL
#endif
			     );
	mmap_read_unlock(mm);
	if (got != 1)
		return got < 0 ? got : -EFAULT;
	kaddr = pinmgr_kmap_local_page(page);
	if (write) {
		memcpy(kaddr + in_page, bounce, chunk);
		set_page_dirty_lock(page);
	} else {
		memcpy(bounce, kaddr + in_page, chunk);
	}
	pinmgr_kunmap_local(kaddr);
	put_page(page);
	return 0;
}
#endif

/**
 * pinmgr_watch_access() - ACCESS of a watch-only lease
 * @lease: a watch-only lease of the caller's own context
 * @offset: byte offset into the lease
 * @buf: the caller's buffer
 * @length: bytes; within the lease
 * @write: copy from @buf into the memory
 *
 * Copies through the owner's mapping as it is, page by page, with a bounce
 * page so that no user copy happens while a page is held.
 *
 * Return: 0, -EFAULT, -EINTR, -ENOMEM, or what faulting the memory in
 * returned.
 */
int pinmgr_watch_access(struct pinmgr_lease *lease, u64 offset,
			void __user *buf, u64 length, bool write)
{
	struct pinmgr_watch *w = lease->watch;
	unsigned long addr = lease->addr + offset;
	size_t chunk, in_page;
	void *bounce;
	int ret = 0;

	if (!length)
		return 0;
	if (!access_ok(buf, length))
		return -EFAULT;
	bounce = kmalloc(PAGE_SIZE, GFP_KERNEL_ACCOUNT);
	if (!bounce)
		return -ENOMEM;
	while (length) {
		in_page = addr & ~PAGE_MASK;
		chunk = min_t(u64, length, PAGE_SIZE - in_page);
		if (write && copy_from_user(bounce, buf, chunk)) {
			ret = -EFAULT;
			break;
		}
		ret = pinmgr_watch_copy_page(w, lease->ctx->mm,
					     addr & PAGE_MASK, bounce, in_page,
					     chunk, write);
		if (!ret && !write && copy_to_user(buf, bounce, chunk))
			ret = -EFAULT;
		if (ret)
			break;
		buf += chunk;
		addr += chunk;
		length -= chunk;
		cond_resched();
	}
	kfree(bounce);
	return ret;
}

#else /* !CONFIG_MMU_NOTIFIER */

size_t pinmgr_watch_size(void)
{
	return 0;
}

int pinmgr_watch_start(struct pinmgr_lease *lease)
{
	return -EOPNOTSUPP;
}

void pinmgr_watch_stop(struct pinmgr_lease *lease)
{
}

void pinmgr_watch_unhook(struct pinmgr_lease *lease)
{
}

void pinmgr_watch_arm(struct pinmgr_lease *lease)
{
}

void pinmgr_watch_published(struct pinmgr_lease *lease)
{
}

void pinmgr_watch_ctx_free(struct pinmgr_ctx *ctx)
{
}

void pinmgr_watch_exit(void)
{
}

size_t pinmgr_watch_bytes(const struct pinmgr_lease *lease)
{
	return 0;
}

void pinmgr_watch_view(struct pinmgr_lease *lease,
		       struct pinmgr_lease_view *view)
{
}

bool pinmgr_watch_is_stale(const struct pinmgr_lease *lease)
{
	return false;
}

void pinmgr_watch_event(struct pinmgr_lease *lease, struct pinmgr_event *ev)
{
}

void pinmgr_watch_reply(const struct pinmgr_lease *lease, u32 *slot, u64 *gen)
{
	*slot = 0;
	*gen = 0;
}

int pinmgr_mmap(struct file *file, struct vm_area_struct *vma)
{
	return -ENODEV;
}

int pinmgr_watch_access(struct pinmgr_lease *lease, u64 offset,
			void __user *buf, u64 length, bool write)
{
	return -EOPNOTSUPP;
}

#endif /* CONFIG_MMU_NOTIFIER */

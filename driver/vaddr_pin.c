// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pin primitive: vaddr_pin_pages() / vaddr_unpin_pages().
 *
 * The seed patch gave vaddr_pin_pages() the rule "FOLL_PIN always, FOLL_LONGTERM
 * by the caller's choice". Mainline kept the rule but spelled it
 * pin_user_pages*(), which set FOLL_PIN themselves and refuse it from callers,
 * so this layer maps the seed's contract onto those.
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>

#include "compat.h"
#include "pinmgr.h"

/*
 * The gup flags a caller may choose. Everything else (FOLL_PIN, FOLL_GET, the
 * internal flags) is the pin layer's business.
 */
#define VADDR_PIN_CALLER_FLAGS	(FOLL_WRITE | FOLL_LONGTERM)

/**
 * vaddr_pin_pages() - pin user pages of the mm named by @vaddr_pin
 * @addr: page-aligned user address of the first page
 * @nr_pages: pages to pin, at most INT_MAX
 * @gup_flags: FOLL_WRITE and/or FOLL_LONGTERM; FOLL_PIN is implied
 * @pages: array receiving @nr_pages page pointers
 * @vaddr_pin: who pins (owner file) and in which mm
 *
 * Only the calling process's own mm can be pinned: that is what lets the
 * lockless fast GUP path serve every request, and the device refuses foreign
 * mms before getting here.
 *
 * Return: pages pinned (possibly fewer than @nr_pages, when a fault stops the
 * walk), or a negative errno. Pinned pages must be released with
 * vaddr_unpin_pages() or vaddr_unpin_pfn_range().
 */
long vaddr_pin_pages(unsigned long addr, unsigned long nr_pages,
		     unsigned int gup_flags, struct page **pages,
		     struct vaddr_pin *vaddr_pin)
{
	if (!vaddr_pin || !vaddr_pin->mm || !vaddr_pin->f_owner)
		return -EINVAL;
	if (gup_flags & ~VADDR_PIN_CALLER_FLAGS)
		return -EINVAL;
	if (vaddr_pin->mm != current->mm)
		return -EPERM;
	if (nr_pages > INT_MAX)
		return -EINVAL;

	return pin_user_pages_fast(addr, nr_pages, gup_flags, pages);
}

/**
 * vaddr_unpin_pages() - release pages pinned by vaddr_pin_pages()
 * @pages: the page pointers vaddr_pin_pages() returned
 * @nr_pages: how many
 * @vaddr_pin: as given to vaddr_pin_pages()
 * @make_dirty: mark the pages dirty first (they were written through the pin)
 */
void vaddr_unpin_pages(struct page **pages, unsigned long nr_pages,
		       struct vaddr_pin *vaddr_pin, bool make_dirty)
{
	unpin_user_pages_dirty_lock(pages, nr_pages, make_dirty);
}

/**
 * vaddr_unpin_pfn_range() - release a physically contiguous run of pinned pages
 * @pfn: first page frame of the run
 * @nr_pages: pages in the run
 * @make_dirty: mark the pages dirty first
 *
 * Leases keep runs rather than page pointers; the range helper walks the run
 * folio by folio, so a run made of THPs costs one call per folio.
 */
void vaddr_unpin_pfn_range(unsigned long pfn, unsigned long nr_pages,
			   bool make_dirty)
{
#ifdef PINMGR_HAVE_UNPIN_PAGE_RANGE
	unpin_user_page_range_dirty_lock(pfn_to_page(pfn), nr_pages, make_dirty);
#else
	struct page *batch[16];
	unsigned long done, i, n;

	for (done = 0; done < nr_pages; done += n) {
		n = min_t(unsigned long, nr_pages - done, ARRAY_SIZE(batch));
		for (i = 0; i < n; i++)
			batch[i] = pfn_to_page(pfn + done + i);
		unpin_user_pages_dirty_lock(batch, n, make_dirty);
	}
#endif
}

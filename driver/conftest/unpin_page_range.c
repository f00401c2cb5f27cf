// SPDX-License-Identifier: GPL-2.0-only
/*
 * Is there unpin_user_page_range_dirty_lock(), which releases a physically
 * contiguous run folio by folio? It came in Linux 5.12 (commit 458a4f788f86,
 * "mm/gup: add a range variant of unpin_user_pages_dirty_lock()"); before,
 * the run's pages go to unpin_user_pages_dirty_lock() in batches.
 */
#include <linux/mm.h>

void pinmgr_conftest_unpin_page_range(struct page *page);
void pinmgr_conftest_unpin_page_range(struct page *page)
{
	unpin_user_page_range_dirty_lock(page, 1, true);
}

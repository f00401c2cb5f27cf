// SPDX-License-Identifier: GPL-2.0-only
/*
 * Does FOLL_LONGTERM move pages out of ZONE_MOVABLE before pinning them?
 * Linux 5.13 made it so (commit d1e153fea2a8, "mm/gup: migrate pinned pages
 * out of movable zone"), deciding with is_pinnable_page(); before, only CMA
 * pages moved. The test was renamed later (is_longterm_pinnable_page.c) and
 * took a folio (folio_is_longterm_pinnable.c): any of the three says yes.
 */
#include <linux/mm.h>

bool pinmgr_conftest_is_pinnable_page(struct page *page);
bool pinmgr_conftest_is_pinnable_page(struct page *page)
{
	return is_pinnable_page(page);
}

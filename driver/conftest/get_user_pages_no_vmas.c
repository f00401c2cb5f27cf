// SPDX-License-Identifier: GPL-2.0-only
/*
 * Does get_user_pages() take no array of VMAs? The argument went in Linux
 * 6.5 (commit 54d020692b34, "mm/gup: remove unused vmas parameter from
 * get_user_pages()").
 */
#include <linux/mm.h>

long pinmgr_conftest_gup(struct page **pages);
long pinmgr_conftest_gup(struct page **pages)
{
	return get_user_pages(0, 1, 0, pages);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * is_pinnable_page.c's test under the name Linux 5.19 gave it,
 * is_longterm_pinnable_page(), until the folio form replaced it.
 */
#include <linux/mm.h>

bool pinmgr_conftest_is_longterm_pinnable_page(struct page *page);
bool pinmgr_conftest_is_longterm_pinnable_page(struct page *page)
{
	return is_longterm_pinnable_page(page);
}

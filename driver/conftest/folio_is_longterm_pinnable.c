// SPDX-License-Identifier: GPL-2.0-only
/*
 * is_pinnable_page.c's test in its folio form,
 * folio_is_longterm_pinnable(), which every kernel since 6.3 has.
 */
#include <linux/mm.h>

bool pinmgr_conftest_folio_is_longterm_pinnable(struct folio *folio);
bool pinmgr_conftest_folio_is_longterm_pinnable(struct folio *folio)
{
	return folio_is_longterm_pinnable(folio);
}

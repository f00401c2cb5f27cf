// SPDX-License-Identifier: GPL-2.0-only
/*
 * Is there kmap_local_page()? It came in Linux 5.11 (commit f3ba3c710ac5,
 * "mm/highmem: Provide kmap_local*"); before, a short copy that does not
 * sleep used kmap_atomic(), which also disables preemption.
 */
#include <linux/highmem.h>

void *pinmgr_conftest_kmap_local(struct page *page);
void *pinmgr_conftest_kmap_local(struct page *page)
{
	void *p = kmap_local_page(page);

	kunmap_local(p);
	return p;
}

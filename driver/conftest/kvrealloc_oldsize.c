// SPDX-License-Identifier: GPL-2.0-only
/*
 * Does kvrealloc() take the old size? Linux 6.11 ("mm: kvmalloc: align
 * kvrealloc() with krealloc()") dropped it: kvrealloc(p, size, flags).
 */
#include <linux/slab.h>

void *pinmgr_conftest_kvrealloc_oldsize(void *p);
void *pinmgr_conftest_kvrealloc_oldsize(void *p)
{
	return kvrealloc(p, 8, 16, GFP_KERNEL);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Is there a kvrealloc() of the krealloc() form, kvrealloc(p, size, flags)?
 * Linux 6.11 made it so (commit 590b9d576cae, "mm: kvmalloc: align
 * kvrealloc() with krealloc()"). With neither form (before 5.15's commit
 * de2860f46362), compat.h reallocates by hand.
 */
#include <linux/mm.h>
#include <linux/slab.h>

void *pinmgr_conftest_kvrealloc(void *p);
void *pinmgr_conftest_kvrealloc(void *p)
{
	return kvrealloc(p, 16, GFP_KERNEL);
}

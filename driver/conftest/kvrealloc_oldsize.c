// SPDX-License-Identifier: GPL-2.0-only
/*
 * Does kvrealloc() take the old size? It came that way in Linux 5.15 (commit
 * de2860f46362, "mm: Add kvrealloc()", in <linux/mm.h>; stable 5.10 kernels
 * have it too), and Linux 6.11 dropped the old size again (commit
 * 590b9d576cae, "mm: kvmalloc: align kvrealloc() with krealloc()"), moving
 * it to <linux/slab.h>. See also kvrealloc.c.
 */
#include <linux/mm.h>
#include <linux/slab.h>

void *pinmgr_conftest_kvrealloc_oldsize(void *p);
void *pinmgr_conftest_kvrealloc_oldsize(void *p)
{
	return kvrealloc(p, 8, 16, GFP_KERNEL);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Is there vma_lookup(), the VMA that holds an address or NULL? It came in
 * Linux 5.14 (commit ce6d42f2e4a2, "mm: add vma_lookup(), update
 * find_vma_intersection() comments"); before, find_vma() and a check of
 * vm_start.
 */
#include <linux/mm.h>

struct vm_area_struct *pinmgr_conftest_vma_lookup(struct mm_struct *mm);
struct vm_area_struct *pinmgr_conftest_vma_lookup(struct mm_struct *mm)
{
	return vma_lookup(mm, 0);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Is there vm_flags_set()? A VMA's flags became write-protected in Linux 6.3
 * (commit bc292ab00f6c, "mm: introduce vma->vm_flags wrapper functions");
 * before, vm_flags was written directly.
 */
#include <linux/mm.h>

void pinmgr_conftest_vm_flags_set(struct vm_area_struct *vma);
void pinmgr_conftest_vm_flags_set(struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_DONTEXPAND);
	vm_flags_clear(vma, VM_MAYWRITE);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Does the kernel have refcount_set_release() and
 * refcount_inc_not_zero_acquire()? They came with "refcount: provide ops for
 * cases when object's memory can be reused" (Suren Baghdasaryan, 2025), for
 * objects of SLAB_TYPESAFE_BY_RCU caches; stable kernels have them too.
 */
#include <linux/refcount.h>

bool pinmgr_conftest_refcount_acquire_release(refcount_t *r);
bool pinmgr_conftest_refcount_acquire_release(refcount_t *r)
{
	refcount_set_release(r, 1);
	return refcount_inc_not_zero_acquire(r);
}

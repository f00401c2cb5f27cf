/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Wrappers over kernel API differences, chosen by the compile tests in
 * conftest/ (see conftest.sh), never by version numbers.
 */
#ifndef _PINMGR_COMPAT_H
#define _PINMGR_COMPAT_H

#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/genetlink.h>

#include "conftest.h"

static inline void *pinmgr_kvrealloc(void *p, size_t oldsize, size_t newsize,
				     gfp_t flags)
{
#if defined(PINMGR_HAVE_KVREALLOC)
	return kvrealloc(p, newsize, flags);
#elif defined(PINMGR_HAVE_KVREALLOC_OLDSIZE)
	return kvrealloc(p, oldsize, newsize, flags);
#else
	/* As kvrealloc(): on failure @p is left as it was. */
	void *q = kvmalloc(newsize, flags);

	if (!q)
		return NULL;
	if (p) {
		memcpy(q, p, min(oldsize, newsize));
		kvfree(p);
	}
	return q;
#endif
}

/*
 * A page mapped for a copy that does not sleep. Without kmap_local_page(),
 * only kernels whose pages all have a kernel address are served: 5.10's
 * remaining way, kmap_atomic(), is deprecated, and 64-bit kernels have no
 * high memory.
 */
#ifdef PINMGR_HAVE_KMAP_LOCAL
#define pinmgr_kmap_local_page(page)	kmap_local_page(page)
#define pinmgr_kunmap_local(addr)	kunmap_local(addr)
#else
static_assert(!IS_ENABLED(CONFIG_HIGHMEM),
	      "pinmgr needs kmap_local_page() on kernels with high memory");
#define pinmgr_kmap_local_page(page)	page_address(page)
#define pinmgr_kunmap_local(addr)	((void)(addr))
#endif

/* The VMA that holds @addr, or NULL; mmap_lock held. */
static inline struct vm_area_struct *pinmgr_vma_lookup(struct mm_struct *mm,
						       unsigned long addr)
{
#ifdef PINMGR_HAVE_VMA_LOOKUP
	return vma_lookup(mm, addr);
#else
	struct vm_area_struct *vma = find_vma(mm, addr);

	return vma && addr >= vma->vm_start ? vma : NULL;
#endif
}

/*
 * Reference counts of objects whose memory may be reused at any time
 * (SLAB_TYPESAFE_BY_RCU): the count is set with release ordering after the
 * object is initialised, and taken with acquire ordering before its
 * identity is checked.
 */
static inline void pinmgr_refcount_set_release(refcount_t *r, int n)
{
#ifdef PINMGR_HAVE_REFCOUNT_ACQUIRE_RELEASE
	refcount_set_release(r, n);
#else
	/* Every store that set up the object before the count. */
	smp_wmb();
	refcount_set(r, n);
#endif
}

static inline bool pinmgr_refcount_inc_not_zero_acquire(refcount_t *r)
{
#ifdef PINMGR_HAVE_REFCOUNT_ACQUIRE_RELEASE
	return refcount_inc_not_zero_acquire(r);
#else
	bool ret = refcount_inc_not_zero(r);

	if (ret)
		smp_acquire__after_ctrl_dep();
	return ret;
#endif
}

/* The attributes of the request a dump answers. */
static inline struct nlattr **pinmgr_genl_dump_attrs(struct netlink_callback *cb)
{
#ifdef PINMGR_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/*
 * Does FOLL_LONGTERM move pages out of ZONE_MOVABLE before pinning them
 * (Linux 5.13)? Reported as PINMGR_FEATURE_LONGTERM_MOVES_MOVABLE.
 */
#if defined(PINMGR_HAVE_IS_PINNABLE_PAGE) || \
	defined(PINMGR_HAVE_IS_LONGTERM_PINNABLE_PAGE) || \
	defined(PINMGR_HAVE_FOLIO_IS_LONGTERM_PINNABLE)
#define PINMGR_LONGTERM_MOVES_MOVABLE	1
#else
#define PINMGR_LONGTERM_MOVES_MOVABLE	0
#endif

/*
 * Can the dma-buf core say which importers unmap when told, pinned or not
 * (Linux 7.2)? Reported as PINMGR_FEATURE_EXPORT_REVOCABLE_PINS.
 */
#ifdef PINMGR_HAVE_DMA_BUF_ATTACH_REVOCABLE
#define PINMGR_EXPORT_REVOCABLE_PINS	1
#else
#define PINMGR_EXPORT_REVOCABLE_PINS	0
#endif

/* Does a request lack attribute @attr? Says so in the extended ack. */
static inline bool pinmgr_genl_req_attr_missing(struct genl_info *info,
						int attr)
{
#ifdef PINMGR_HAVE_GENL_REQ_ATTR_CHECK
	return GENL_REQ_ATTR_CHECK(info, attr);
#else
	if (info->attrs[attr])
		return false;
	NL_SET_ERR_MSG(info->extack, "a required attribute is missing");
	return true;
#endif
}

/*
 * The monitor group carries every lease's events: only CAP_SYS_ADMIN may
 * join it. Where genetlink cannot require that, the family has no such
 * group and GET_INFO lacks PINMGR_FEATURE_NL_MONITOR (0 turns both off).
 */
#ifdef PINMGR_HAVE_GENL_MCAST_CAP
#define PINMGR_GENL_MCAST_CAP_SYS_ADMIN	GENL_MCAST_CAP_SYS_ADMIN
#else
#define PINMGR_GENL_MCAST_CAP_SYS_ADMIN	0
#endif

/* A VMA's flags, set and cleared by the owner of the VMA (its mmap). */
static inline void pinmgr_vm_flags_mod(struct vm_area_struct *vma,
				       unsigned long set, unsigned long clear)
{
#ifdef PINMGR_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, set);
	vm_flags_clear(vma, clear);
#else
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
#endif
}

#endif /* _PINMGR_COMPAT_H */

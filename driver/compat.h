/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Wrappers over kernel API differences, chosen by the compile tests in
 * conftest/ (see conftest.sh), never by version numbers.
 */
#ifndef _PINMGR_COMPAT_H
#define _PINMGR_COMPAT_H

#include <linux/refcount.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "conftest.h"

static inline void *pinmgr_kvrealloc(void *p, size_t oldsize, size_t newsize,
				     gfp_t flags)
{
#ifdef PINMGR_HAVE_KVREALLOC_OLDSIZE
	return kvrealloc(p, oldsize, newsize, flags);
#else
	return kvrealloc(p, newsize, flags);
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
 * The monitor group carries every lease's events: only CAP_SYS_ADMIN may
 * join it. Where genetlink cannot require that, there are no events (0
 * turns the group's notifications off).
 */
#ifdef PINMGR_HAVE_GENL_MCAST_CAP
#define PINMGR_GENL_MCAST_CAP_SYS_ADMIN	GENL_MCAST_CAP_SYS_ADMIN
#else
#define PINMGR_GENL_MCAST_CAP_SYS_ADMIN	0
#endif

#endif /* _PINMGR_COMPAT_H */

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Wrappers over kernel API differences, chosen by the compile tests in
 * conftest/ (see conftest.sh), never by version numbers.
 */
#ifndef _PINMGR_COMPAT_H
#define _PINMGR_COMPAT_H

#include <linux/slab.h>

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

#endif /* _PINMGR_COMPAT_H */

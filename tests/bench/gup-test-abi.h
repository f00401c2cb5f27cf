/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The two benchmark commands of the kernel's gup_test
 * (/sys/kernel/debug/gup_test, present with CONFIG_GUP_TEST=y), as facts
 * about the kernel's ABI, written here from the layout of Linux 6.12. The
 * kernel has no uapi header for them.
 *
 * Both commands pin [addr, addr + size) in calls of nr_pages_per_call pages
 * into a page array allocated before the timer starts, then unpin them all
 * with unpin_user_pages(), and report the two times in microseconds
 * (truncated). PIN_FAST uses pin_user_pages_fast(gup_flags); PIN_LONGTERM
 * takes mmap_lock and uses pin_user_pages(gup_flags | FOLL_LONGTERM).
 */
#ifndef PINMGR_GUP_TEST_ABI_H
#define PINMGR_GUP_TEST_ABI_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define GUPT_NR_DUMP_PAGES	8

struct gupt_args {
	__u64 get_usec;		/* out: time pinning */
	__u64 put_usec;		/* out: time unpinning */
	__u64 addr;
	__u64 size;		/* in: bytes; out: bytes covered */
	__u32 nr_pages_per_call;
	__u32 gup_flags;	/* FOLL_* of the running kernel */
	__u32 test_flags;	/* unused by the benchmarks: 0 */
	__u32 dump_pages[GUPT_NR_DUMP_PAGES];	/* unused: 0 */
};

_Static_assert(sizeof(struct gupt_args) == 80,
	       "gup_test argument layout of Linux 6.12");

#define GUPT_IOC_PIN_FAST	_IOWR('g', 2, struct gupt_args)
#define GUPT_IOC_PIN_LONGTERM	_IOWR('g', 3, struct gupt_args)

/*
 * FOLL_* values are the kernel's internals and move between releases:
 * FOLL_WRITE has been 0x1 throughout; FOLL_LONGTERM is 0x100 on 6.12
 * (enum in include/linux/mm_types.h, since 6.3's renumbering) and 0x10000
 * on 6.1. gup_test passes gup_flags to pin_user_pages*() unchecked, and
 * those WARN on an internal flag, so a wrong value is a splat, not an error.
 */
#define GUPT_FOLL_WRITE			0x1u
#define GUPT_FOLL_LONGTERM_6_3		0x100u
#define GUPT_FOLL_LONGTERM_OLD		0x10000u

#endif /* PINMGR_GUP_TEST_ABI_H */

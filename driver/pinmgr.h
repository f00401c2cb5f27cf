/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pinmgr: private declarations shared by the driver's files.
 */
#ifndef _PINMGR_H
#define _PINMGR_H

#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/xarray.h>

#include <linux/pinmgr.h>

struct file;
struct mm_struct;
struct page;
struct pid;

/* Pages pinned per call of the GUP layer; the kernel's own users use 512. */
#define PINMGR_BATCH_PAGES	512

/*
 * The pin primitive (vaddr_pin.c), after the seed patch: vaddr_pin names
 * who pins (the owner file) and in which mm. FOLL_PIN is always implied;
 * FOLL_LONGTERM and FOLL_WRITE are the caller's choice.
 */
struct vaddr_pin {
	struct file *f_owner;
	struct mm_struct *mm;
};

long vaddr_pin_pages(unsigned long addr, unsigned long nr_pages,
		     unsigned int gup_flags, struct page **pages,
		     struct vaddr_pin *vaddr_pin);
void vaddr_unpin_pages(struct page **pages, unsigned long nr_pages,
		       struct vaddr_pin *vaddr_pin, bool make_dirty);
void vaddr_unpin_pfn_range(unsigned long pfn, unsigned long nr_pages,
			   bool make_dirty);

/* Module parameters (pinmgr_main.c); 0 means no limit. */
extern unsigned long pinmgr_max_lease_pages;
extern unsigned int pinmgr_max_leases;
extern unsigned long pinmgr_max_device_pages;

/* Device-wide totals, kept with atomics so the pin path takes no global lock. */
struct pinmgr_device_stats {
	atomic64_t next_handle;
	atomic_long_t nr_leases;
	atomic_long_t pinned_pages;
};

extern struct pinmgr_device_stats pinmgr_stats;

/* One open file of /dev/pinmgr. */
struct pinmgr_ctx {
	struct file *file;
	struct mm_struct *mm;		/* mmgrab()ed: the mm every pin charges */

	/*
	 * Leases by handle. A slot is reserved (XA_ZERO_ENTRY) before pinning
	 * and filled only once the lease is complete, so lookups never see a
	 * half-built lease. Its internal spinlock is the only lock lookups
	 * take; lease lifetime is by refcount and RCU.
	 */
	struct xarray leases;

	/*
	 * pin_lock serialises PIN requests of this context so that they can
	 * share one page batch buffer. It nests outside mmap_lock (taken by
	 * GUP) and is never taken with leases' xa_lock held.
	 */
	struct mutex pin_lock;
	struct page **batch;		/* PINMGR_BATCH_PAGES, under pin_lock */

	atomic_t nr_leases;
	atomic_long_t pinned_pages;
};

/* A physically contiguous run of pinned pages. */
struct pinmgr_run {
	unsigned long pfn;
	unsigned long nr_pages;
};

struct pinmgr_lease {
	u64 handle;
	struct pinmgr_ctx *ctx;
	refcount_t users;		/* the xarray's reference + lookups */
	struct rcu_head rcu;

	unsigned long addr;
	unsigned long nr_pages;
	u32 pin_flags;			/* enum pinmgr_pin_flags */
	u32 state;			/* enum pinmgr_lease_state */
	u64 cookie;
	u64 create_time_ns;
	struct pid *owner;		/* tgid of the pinning process */
	kuid_t uid;
	char comm[TASK_COMM_LEN];

	unsigned long nr_runs;
	unsigned long max_runs;
	struct pinmgr_run *runs;
};

/* pinmgr_account.c */
int pinmgr_charge(struct pinmgr_ctx *ctx, unsigned long nr_pages);
void pinmgr_uncharge(struct pinmgr_ctx *ctx, unsigned long nr_pages);
u64 pinmgr_memlock_limit_pages(void);

/* pinmgr_lease.c */
struct pinmgr_lease *pinmgr_lease_create(struct pinmgr_ctx *ctx,
					 const struct pinmgr_pin *req);
void pinmgr_lease_publish(struct pinmgr_lease *lease);
void pinmgr_lease_abort(struct pinmgr_lease *lease);
struct pinmgr_lease *pinmgr_lease_get(struct pinmgr_ctx *ctx, u64 handle);
void pinmgr_lease_put(struct pinmgr_lease *lease);
int pinmgr_lease_unpin(struct pinmgr_ctx *ctx, u64 handle);
void pinmgr_lease_release_all(struct pinmgr_ctx *ctx);
size_t pinmgr_lease_metadata_bytes(const struct pinmgr_lease *lease);

/* pinmgr_access.c */
int pinmgr_lease_access(struct pinmgr_lease *lease, u64 offset,
			void __user *buf, u64 length, bool write);
long pinmgr_lease_segments(struct pinmgr_lease *lease,
			   struct pinmgr_segment __user *segs, u32 max);

/* pinmgr_ioctl.c */
long pinmgr_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

#endif /* _PINMGR_H */

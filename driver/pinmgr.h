/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pinmgr: private declarations shared by the driver's files.
 */
#ifndef _PINMGR_H
#define _PINMGR_H

#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/gfp.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/timerqueue.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <linux/pinmgr.h>
#include <linux/pinmgr_netlink.h>

#include "pinmgr_tables.h"

struct attribute_group;
struct cred;
struct fasync_struct;
struct file;
struct pid_namespace;
struct seq_file;
struct user_namespace;
struct user_struct;
struct pinmgr_exports;
struct mm_struct;
struct page;
struct poll_table_struct;
struct pid;

/*
 * Arrays sized by the caller's request (runs, PIN_VEC ranges, LIST and the
 * event queue): a failure is the caller's ENOMEM, not a reason for the
 * vmalloc fallback to warn on the console.
 */
#define PINMGR_GFP_ARRAY	(GFP_KERNEL_ACCOUNT | __GFP_NOWARN)

/* Pages pinned per call of the GUP layer; the kernel's own users use 512. */
#define PINMGR_BATCH_PAGES	512
/* Requests up to this many pages pin through an array on the stack. */
#define PINMGR_STACK_PAGES	16

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

/*
 * Tunables (pinmgr_sysfs.c): module parameters and sysfs files of the
 * device are the same variables, checked by the same rules. 0 means no
 * limit for the three limits.
 */
extern unsigned long pinmgr_max_lease_pages;
extern unsigned int pinmgr_max_leases;
extern unsigned long pinmgr_max_device_pages;
extern unsigned int pinmgr_break_time_ms;
extern unsigned int pinmgr_max_events;
extern const struct attribute_group *pinmgr_attr_groups[];

/*
 * The device's figures (pinmgr_stats.c), one per line of PINMGR_STATS():
 * counters (the pin path counts on its own CPU only; a report adds up the
 * CPUs), gauges the driver keeps, and the tunables.
 */
#define PINMGR_FIG_ENUM(name, attr, src, unit, dir, file, prom, label, help) \
	PINMGR_FIG_##attr,

enum pinmgr_figure {
	PINMGR_STATS(PINMGR_FIG_ENUM)
	PINMGR_NR_FIGURES
};

void pinmgr_count(enum pinmgr_figure fig);
void pinmgr_count_failure(int err);
u64 pinmgr_figure_read(enum pinmgr_figure fig);

/* Device-wide figures that are not on the pin path. */
extern atomic_long_t pinmgr_files;
extern atomic_long_t pinmgr_ended_leases;

/* Where expiries and breaks run: process context, so pages can be released. */
extern struct workqueue_struct *pinmgr_wq;

/*
 * The device-wide lease index, split in shards so that the pin path of one
 * CPU never takes a lock or writes a cache line that another CPU's pin path
 * uses. A PIN files its lease in the shard of the CPU it runs on; the handle
 * names the shard in its low bits and a sequence number of that shard above
 * them, so any lease is found from its handle alone:
 *
 *	handle = seq << pinmgr_shard_bits | shard
 *
 * Sequence numbers start at 1 and only grow: handles are never 0 and never
 * reused while the module is loaded, but handles of different CPUs are not
 * ordered with respect to each other.
 */
struct pinmgr_shard {
	/*
	 * Leases by sequence number. The xarray's spinlock (xa_lock) also
	 * protects next_seq and nr_leases; it nests inside a context's
	 * lock and is taken with no other pinmgr lock inside it.
	 * Lookups take no lock: RCU and the lease's refcount.
	 *
	 * The last slot of each block of sequence numbers that one xarray
	 * node covers is reserved while the sequence runs through the block,
	 * so that the node stays: a context that pins and unpins one lease at
	 * a time would otherwise allocate and free a path of nodes each time.
	 *
	 * A lease is in its shard from its creation until it is unpinned or,
	 * when it expired or was revoked, acknowledged.
	 */
	struct xarray leases;
	u64 next_seq;
	long nr_leases;
} ____cacheline_aligned_in_smp;

extern unsigned int pinmgr_shard_bits;
extern struct pinmgr_shard *pinmgr_shards;

/* Pages pinned by all leases, held to max_device_pages. */
extern atomic_long_t pinmgr_device_pages;

/*
 * One open file of /dev/pinmgr. Referenced by its file and by each of its
 * leases, so that a lease that another file looked up can still uncharge
 * its context when its last reference goes.
 */
struct pinmgr_ctx {
	refcount_t refs;
	u64 id;				/* the file's number, for inspection */
	struct file *file;		/* valid while the file is open */
	struct mm_struct *mm;		/* mmgrab()ed: its VmPin shows the pins */
	struct pid *owner;		/* tgid of the opener */
	/*
	 * The opener's user, for its leases, held through the opener's
	 * credentials: free_uid() is not exported before Linux 5.11, and
	 * put_cred() drops a user's last reference on every kernel.
	 */
	const struct cred *cred;
	struct user_struct *user;	/* cred->user */

	/*
	 * lock protects the lease list, the deadline queue, the state of
	 * every published lease of the context, the event queue and closed.
	 * A shard's xa_lock nests inside it. Pages are never pinned or
	 * released under it: a lease being released is ENDING meanwhile.
	 */
	struct mutex lock;
	struct list_head leases;	/* published leases, oldest first */
	struct timerqueue_head deadlines; /* leases with an expiry or break */
	struct delayed_work expire_work; /* runs at the first deadline */
	bool closed;			/* the file is gone: no events, no timer */

	/* The event queue: a ring of max_events, allocated when first needed. */
	struct pinmgr_event *events;
	unsigned int ev_cap, ev_head, ev_len;
	u64 ev_lost;			/* dropped since the queue was last full */
	wait_queue_head_t ev_wait;
	struct fasync_struct *fasync;
	/*
	 * read_lock serialises readers of the event queue, so that a reader
	 * can copy records out with lock dropped and take them off after.
	 * It is held across the copy to user space, and so only ever waited
	 * for by other readers of the same file, interruptibly.
	 */
	struct mutex read_lock;

	/*
	 * pin_lock serialises PIN requests of this context that are too
	 * large for the stack, so that they can share one page batch buffer.
	 * It nests outside mmap_lock (taken by GUP) and is never taken with
	 * lock held.
	 */
	struct mutex pin_lock;
	struct page **batch;		/* PINMGR_BATCH_PAGES, under pin_lock */

	atomic_t nr_leases;		/* records, ended ones included */
	atomic_long_t pinned_pages;

	/* Watched leases' status area and notifier (pinmgr_watch.c). */
	struct pinmgr_watch_ctx *watch;
};

/*
 * A physically contiguous run of pinned pages, in one word: 40 bits of page
 * frame number cover 52 bits of physical address (x86-64's and arm64's
 * limit) with 4 KiB pages; a longer run than 2^24 - 1 pages is split.
 */
#define PINMGR_RUN_PFN_BITS	40
#define PINMGR_RUN_MAX_PAGES	((1UL << (64 - PINMGR_RUN_PFN_BITS)) - 1)

struct pinmgr_run {
	u64 pfn : PINMGR_RUN_PFN_BITS;
	u64 nr_pages : 64 - PINMGR_RUN_PFN_BITS;
};

/*
 * Lease states, in the order a lease goes through them. CREATING leases are
 * in the index so that their handle is taken, but lookups pass them by.
 * A lease ends by unpin (it is then gone), or by expiry or revocation: it
 * is ENDING while the driver releases its pages, then EXPIRED or REVOKED
 * until its owner acknowledges it. A live lease that its owner ends while
 * a dma-buf of it is open is HELD: out of its context's list but still in
 * the index, until the last dma-buf goes. Changes from ACTIVE on happen under
 * the context's lock.
 */
enum pinmgr_lease_int_state {
	PINMGR_LS_CREATING,
	PINMGR_LS_ACTIVE,
	PINMGR_LS_BREAKING,
	PINMGR_LS_ENDING,
	PINMGR_LS_EXPIRED,
	PINMGR_LS_REVOKED,
	PINMGR_LS_INVALIDATED,
	PINMGR_LS_HELD,
};

/*
 * Runs kept in the lease itself, so that a lease of up to 64 KiB of
 * scattered 4 KiB pages needs one allocation.
 */
#define PINMGR_INLINE_RUNS	16

/*
 * The cgroup budgets one lease charged (pinmgr_budget.c), nearest cgroup
 * first: the first PINMGR_BUDGET_INLINE in the lease itself, so that the
 * common case allocates nothing; any more in @more, kmalloc()ed. Plain
 * data: copied by value from the charge into the lease.
 */
#define PINMGR_BUDGET_INLINE	3

struct pinmgr_lease_budgets {
	unsigned int nr;
	struct pinmgr_budget *inline_budgets[PINMGR_BUDGET_INLINE];
	struct pinmgr_budget **more;	/* [nr - PINMGR_BUDGET_INLINE] */
};

struct pinmgr_lease {
	u64 handle;
	struct pinmgr_ctx *ctx;		/* holds a reference on the context */
	refcount_t users;		/* the index's reference + lookups */
	refcount_t pages_ref;		/* 1 while pinned + users of the pages */
	u32 state;			/* enum pinmgr_lease_int_state */
	u32 end_state;			/* ENDING: EXPIRED or REVOKED to come */
	bool pinned;			/* pages pinned and charged */
	/*
	 * Counted in ctx->nr_leases: from creation until its record goes
	 * (detached under ctx->lock, or freed if never published), so that
	 * a reference a watch's work still holds does not count.
	 */
	bool counted;
	/* HELD once: no command of its owner's finds it again. */
	bool unowned;
	struct list_head ctx_node;	/* in ctx->leases, under ctx->lock */

	/* Deadlines on CLOCK_BOOTTIME, 0 for none; under ctx->lock. */
	struct timerqueue_node deadline; /* the earlier of the two, if queued */
	ktime_t expire_at;
	ktime_t break_at;
	u64 end_time_ns;		/* CLOCK_REALTIME, once ended */

	unsigned long addr;
	unsigned long nr_pages;
	u32 pin_flags;			/* enum pinmgr_pin_flags, as pinned */
	kuid_t uid;			/* the pinner's effective uid: shown */
	struct user_struct *user;	/* the pinner's (real) user: charged */
	const struct cred *cred;	/* holds user if not ctx->user's */
	u64 cookie;
	u64 create_time_ns;
	struct pid *owner;		/* tgid of the pinning process */
	char comm[TASK_COMM_LEN];

	unsigned long nr_runs;
	unsigned long max_runs;
	struct pinmgr_run *runs;	/* inline_runs or a kvmalloc()ed array */
	struct pinmgr_watch *watch;	/* watched leases only */
	struct pinmgr_exports *exports; /* from its first EXPORT on */
	struct pinmgr_lease_budgets budgets;	/* charged */
	u64 cgroup_id;			/* the pinner's cgroup v2, or 0 */
	struct pinmgr_run inline_runs[PINMGR_INLINE_RUNS];
	/* A watched lease's struct pinmgr_watch follows, in the same object. */
};

/* pinmgr_budget.c */
#define PINMGR_BUDGET_DEPTH	16	/* budgeted cgroups on one path */
#define PINMGR_MAX_BUDGETS	65536

/*
 * A cgroup's budget: in the table while set (or while a removed cgroup
 * is still charged), and alive while it is in the table or charged (see
 * pinmgr_budget.c for who frees it).
 */
struct pinmgr_budget {
	struct hlist_node node;		/* in the table, under its mutex */
	u64 cgroup_id;
	struct cgroup *cgrp;		/* a reference */
	unsigned long limit_pages;	/* READ_ONCE: set at any time */
	u32 flags;			/* enum pinmgr_budget_flags */
	bool hashed;			/* in the table; written under its mutex */
	atomic_long_t usage;		/* pages charged; < 0: being freed */
	atomic_long_t hits;		/* PINs it refused */
	struct rcu_head rcu;
};

struct pinmgr_budget_view {
	u64 cgroup_id;
	u64 limit_pages;
	u64 usage_pages;
	u64 hits;
	u32 flags;
	bool removed;			/* rmdir'ed, still charged */
	char path[PATH_MAX];		/* in the reader's cgroup namespace */
};

#ifdef CONFIG_CGROUPS
u64 pinmgr_current_cgroup_id(void);
int pinmgr_budget_charge(unsigned long nr_pages,
			 struct pinmgr_lease_budgets *lb, bool *sufficient);
void pinmgr_budget_uncharge(struct pinmgr_lease_budgets *lb,
			    unsigned long nr_pages);
int pinmgr_budget_set(const char *path, u64 limit_pages, u32 flags, u64 *id);
int pinmgr_budget_clear(const char *path);
bool pinmgr_budget_view(u64 *pos, bool admin, struct pinmgr_budget_view *view);
void pinmgr_budget_exit(void);
#else
static inline u64 pinmgr_current_cgroup_id(void)
{
	return 0;
}

static inline int pinmgr_budget_charge(unsigned long nr_pages,
				       struct pinmgr_lease_budgets *lb,
				       bool *sufficient)
{
	lb->nr = 0;
	*sufficient = false;
	return 0;
}

static inline void pinmgr_budget_uncharge(struct pinmgr_lease_budgets *lb,
					  unsigned long nr_pages)
{
}

static inline int pinmgr_budget_set(const char *path, u64 limit_pages,
				    u32 flags, u64 *id)
{
	return -EOPNOTSUPP;
}

static inline int pinmgr_budget_clear(const char *path)
{
	return -EOPNOTSUPP;
}

static inline bool pinmgr_budget_view(u64 *pos, bool admin,
				      struct pinmgr_budget_view *view)
{
	return false;
}

static inline void pinmgr_budget_exit(void)
{
}
#endif

/* pinmgr_account.c */
int pinmgr_charge(struct pinmgr_ctx *ctx, struct user_struct *user,
		  unsigned long nr_pages, struct pinmgr_lease_budgets *budgets);
void pinmgr_uncharge(struct pinmgr_ctx *ctx, struct user_struct *user,
		     unsigned long nr_pages, struct pinmgr_lease_budgets *budgets);
u64 pinmgr_memlock_limit_pages(void);
u64 pinmgr_user_pinned_pages(void);
int pinmgr_uid_locked_vm(kuid_t uid, u64 *pages);
u32 pinmgr_pin_flags(u32 flags);

/* pinmgr_index.c */
int pinmgr_shards_init(void);
void pinmgr_shards_exit(void);
long pinmgr_device_leases(void);
int pinmgr_lease_insert(struct pinmgr_lease *lease);
void pinmgr_lease_remove(struct pinmgr_lease *lease);
struct pinmgr_lease *pinmgr_lease_find(u64 handle);
struct pinmgr_lease *pinmgr_lease_next(unsigned int *shard,
				       unsigned long *seq);

/* pinmgr_runs.c */
int pinmgr_pin_range(struct pinmgr_ctx *ctx, struct pinmgr_lease *lease);
void pinmgr_runs_release(struct pinmgr_lease *lease);
size_t pinmgr_lease_metadata_bytes(const struct pinmgr_lease *lease);

/* pinmgr_lease.c */
int pinmgr_lease_cache_init(void);
void pinmgr_lease_cache_exit(void);
struct pinmgr_lease *pinmgr_lease_create(struct pinmgr_ctx *ctx,
					 const struct pinmgr_pin *req);
void pinmgr_lease_publish(struct pinmgr_lease *lease);
void pinmgr_lease_abort(struct pinmgr_lease *lease);
struct pinmgr_lease *pinmgr_lease_get(struct pinmgr_ctx *ctx, u64 handle);
void pinmgr_lease_put(struct pinmgr_lease *lease);
int pinmgr_lease_unpin(struct pinmgr_ctx *ctx, u64 handle);
void pinmgr_lease_release_all(struct pinmgr_ctx *ctx);
u32 pinmgr_lease_list(struct pinmgr_ctx *ctx, u64 *buf, u32 max, u64 *total);
int pinmgr_lease_ended_errno(const struct pinmgr_lease *lease);
void pinmgr_lease_release_pages(struct pinmgr_lease *lease);
bool pinmgr_lease_pages_get(struct pinmgr_lease *lease);
void pinmgr_lease_pages_put(struct pinmgr_lease *lease);
void pinmgr_ctx_put(struct pinmgr_ctx *ctx);

/* pinmgr_watch.c */
struct pinmgr_lease_view;
struct vm_area_struct;
size_t pinmgr_watch_size(void);
int pinmgr_watch_start(struct pinmgr_lease *lease);
void pinmgr_watch_arm(struct pinmgr_lease *lease);
void pinmgr_watch_unhook(struct pinmgr_lease *lease);
void pinmgr_watch_stop(struct pinmgr_lease *lease);
void pinmgr_watch_published(struct pinmgr_lease *lease);
void pinmgr_watch_ctx_free(struct pinmgr_ctx *ctx);
void pinmgr_watch_exit(void);
size_t pinmgr_watch_bytes(const struct pinmgr_lease *lease);
void pinmgr_watch_view(struct pinmgr_lease *lease,
		       struct pinmgr_lease_view *view);
bool pinmgr_watch_is_stale(const struct pinmgr_lease *lease);
void pinmgr_watch_event(struct pinmgr_lease *lease, struct pinmgr_event *ev);
void pinmgr_watch_reply(const struct pinmgr_lease *lease, u32 *slot,
			u64 *gen);
int pinmgr_mmap(struct file *file, struct vm_area_struct *vma);
int pinmgr_watch_access(struct pinmgr_lease *lease, u64 offset,
			void __user *buf, u64 length, bool write);

/* pinmgr_export.c, on kernels with dma-bufs */
#if IS_ENABLED(CONFIG_DMA_SHARED_BUFFER)
int pinmgr_lease_export(struct pinmgr_ctx *ctx, u64 handle,
			struct file **filep);
bool pinmgr_lease_exported(struct pinmgr_lease *lease);
bool pinmgr_exports_hold_index(struct pinmgr_lease *lease);
void pinmgr_exports_revoke(struct pinmgr_lease *lease);
bool pinmgr_exports_keep_pages(struct pinmgr_lease *lease);
void pinmgr_exports_view(struct pinmgr_lease *lease, u32 *bufs, u32 *holds);
void pinmgr_exports_free(struct pinmgr_lease *lease);
#else
static inline int pinmgr_lease_export(struct pinmgr_ctx *ctx, u64 handle,
				      struct file **filep)
{
	return -EOPNOTSUPP;
}

static inline bool pinmgr_lease_exported(struct pinmgr_lease *lease)
{
	return false;
}

static inline bool pinmgr_exports_hold_index(struct pinmgr_lease *lease)
{
	return false;
}

static inline void pinmgr_exports_revoke(struct pinmgr_lease *lease)
{
}

static inline bool pinmgr_exports_keep_pages(struct pinmgr_lease *lease)
{
	return false;
}

static inline void pinmgr_exports_view(struct pinmgr_lease *lease, u32 *bufs,
				       u32 *holds)
{
	*bufs = 0;
	*holds = 0;
}

static inline void pinmgr_exports_free(struct pinmgr_lease *lease)
{
}
#endif

/* pinmgr_expiry.c */
void pinmgr_ctx_expiry_init(struct pinmgr_ctx *ctx);
void pinmgr_lease_queue_deadline(struct pinmgr_lease *lease);
void pinmgr_lease_dequeue_deadline(struct pinmgr_lease *lease);
int pinmgr_lease_renew(struct pinmgr_ctx *ctx, u64 handle, u64 duration_ns);
int pinmgr_lease_revoke(u64 handle, ktime_t deadline);
void pinmgr_lease_invalidate(struct pinmgr_lease *lease);
ktime_t pinmgr_revoke_deadline(bool now, u64 *real_ns);
u64 pinmgr_boottime_to_real_ns(ktime_t t);

/* pinmgr_events.c */
int pinmgr_events_prepare(struct pinmgr_ctx *ctx);
void pinmgr_event_queue(struct pinmgr_lease *lease, u16 type);
void pinmgr_events_free(struct pinmgr_ctx *ctx);
ssize_t pinmgr_read(struct file *file, char __user *buf, size_t count,
		    loff_t *pos);
__poll_t pinmgr_poll(struct file *file, struct poll_table_struct *wait);
int pinmgr_fasync(int fd, struct file *file, int on);

/*
 * Who looks at leases, through netlink, debugfs or fdinfo, and what they
 * may see (pinmgr_show.c): an administrator every lease, anyone else the
 * leases of their own uid; and only leases whose owner their pid
 * namespace can see. Pids and uids are shown through their namespaces.
 */
struct pinmgr_viewer {
	struct user_namespace *user_ns;
	kuid_t euid;
	struct pid_namespace *pid_ns;
	bool admin;
};

/*
 * A lease as one reader sees it at one moment: one member per line of
 * PINMGR_LEASE_FIELDS(), filled by pinmgr_lease_snapshot() for QUERY,
 * netlink, debugfs and fdinfo alike.
 */
#define PINMGR_VIEW_U64(name)	u64 name
#define PINMGR_VIEW_U32(name)	u32 name
#define PINMGR_VIEW_STR(name)	char name[PINMGR_COMM_LEN]
#define PINMGR_VIEW_MEMBER(name, attr, type, kind, query) \
	PINMGR_VIEW_##type(name);

struct pinmgr_lease_view {
	PINMGR_LEASE_FIELDS(PINMGR_VIEW_MEMBER)
};

/*
 * Where each field of a view goes (pinmgr_show.c): its netlink attribute
 * and its member of QUERY's reply, indexed by enum pinmgr_lease_field.
 */
#define PINMGR_LF_ENUM(name, attr, ...)	PINMGR_LF_##attr,

enum pinmgr_lease_field {
	PINMGR_LEASE_FIELDS(PINMGR_LF_ENUM)
	PINMGR_NR_LEASE_FIELDS
};

enum pinmgr_field_type {
	PINMGR_FT_U64,
	PINMGR_FT_U32,
	PINMGR_FT_STR,
};

struct pinmgr_field {
	u16 attr;			/* PINMGR_A_* */
	u16 type;			/* enum pinmgr_field_type */
	u16 view_off;			/* in struct pinmgr_lease_view */
	u16 query_off;			/* in struct pinmgr_query */
};

extern const struct pinmgr_field pinmgr_lease_fields[PINMGR_NR_LEASE_FIELDS];
size_t pinmgr_field_size(const struct pinmgr_field *f);

void pinmgr_viewer_init(struct pinmgr_viewer *v, const struct cred *cred,
			bool admin);
void pinmgr_viewer_init_admin(struct pinmgr_viewer *v);
pid_t pinmgr_lease_owner_nr(const struct pinmgr_lease *lease,
			    struct pid_namespace *ns);
bool pinmgr_lease_visible(const struct pinmgr_lease *lease,
			  const struct pinmgr_viewer *v);
void pinmgr_lease_snapshot(struct pinmgr_lease *lease,
			   const struct pinmgr_viewer *v,
			   struct pinmgr_lease_view *view);
void pinmgr_lease_snapshot_locked(struct pinmgr_lease *lease,
				  const struct pinmgr_viewer *v,
				  struct pinmgr_lease_view *view);
void pinmgr_show_header(struct seq_file *m);
void pinmgr_show_row(struct seq_file *m, const struct pinmgr_lease_view *view);

/* pinmgr_netlink.c */
int pinmgr_netlink_init(void);
void pinmgr_netlink_exit(void);
void pinmgr_nl_notify(struct pinmgr_lease *lease, u8 cmd);
void pinmgr_nl_notify_locked(struct pinmgr_lease *lease, u8 cmd);
bool pinmgr_nl_monitored(void);
void pinmgr_nl_event_lost(void);
void pinmgr_nl_notify_budget_hit(const struct pinmgr_budget_view *view,
				 unsigned long nr_pages);

/* pinmgr_debugfs.c, pinmgr_fdinfo.c */
void pinmgr_debugfs_init(void);
void pinmgr_debugfs_exit(void);
void pinmgr_show_fdinfo(struct seq_file *m, struct file *file);

/* pinmgr_access.c */
int pinmgr_lease_access(struct pinmgr_lease *lease, u64 offset,
			void __user *buf, u64 length, bool write);
long pinmgr_lease_segments(struct pinmgr_lease *lease,
			   struct pinmgr_segment __user *segs, u32 max,
			   u64 *total);

/* pinmgr_ioctl.c */
long pinmgr_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

#endif /* _PINMGR_H */

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Accounting of pinned pages, and the bounds an unprivileged caller is held
 * to.
 *
 * RLIMIT_MEMLOCK bounds a user, not an address space: pages are charged to
 * the pinning task's user (user_struct->locked_vm, which io_uring, iommufd
 * and others charge too), so that no sequence of exec, fork, exit or passed
 * files lets a user hold more than its limit. A lease outlives the process
 * that pinned it when its file was passed on or survived an exec; charged
 * to the mm, the pages would then be counted against an address space that
 * no longer runs, and a new one would start from zero. The mm's pinned_vm
 * is still raised, without a limit, so that VmPin in /proc/PID/status shows
 * the pinning process's pins.
 *
 * The per-user and device-wide totals are atomics, raised by
 * compare-and-swap only while the new value stays within the limit: adding
 * first and taking it back when over would let one oversized request make
 * concurrent, well-sized ones fail for the moment it is counted.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>

#include "pinmgr.h"

/*
 * user_struct has locked_vm on every kernel that has CONFIG_NET, which
 * the netlink family needs anyway.
 */
static_assert(IS_ENABLED(CONFIG_NET));

/* The caller's RLIMIT_MEMLOCK in pages; U64_MAX when unlimited. */
u64 pinmgr_memlock_limit_pages(void)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK);

	if (limit == RLIM_INFINITY)
		return U64_MAX;
	return limit >> PAGE_SHIFT;
}

/* Pages charged to the caller's user, by pinmgr and every other charger. */
u64 pinmgr_user_pinned_pages(void)
{
	return atomic_long_read(&current_user()->locked_vm);
}

/**
 * pinmgr_uid_locked_vm() - pages charged to a user's locked_vm
 * @uid: the user, as a real uid
 * @pages: out: the user's locked_vm, by pinmgr and every other charger
 *
 * A module cannot look a user_struct up by uid (find_user() is not
 * exported), so the user is reached through a process whose real uid it
 * is: cred->user is that uid's user_struct. The walk is O(processes)
 * (thread-group leaders: a thread that alone changed its uid is not seen)
 * and stops at the first match; it runs under rcu_read_lock() and must not
 * sleep. The credentials, and through them the user_struct, stay valid
 * until rcu_read_unlock(). The caller's own user, what anyone may ask
 * about, needs no walk: a request costs an unprivileged user O(1).
 *
 * Return: 0; -ENOENT when no live process has @uid as its real uid.
 */
int pinmgr_uid_locked_vm(kuid_t uid, u64 *pages)
{
	struct task_struct *p;
	int ret = -ENOENT;

	if (uid_eq(uid, current_uid())) {
		*pages = atomic_long_read(&current_user()->locked_vm);
		return 0;
	}
	rcu_read_lock();
	for_each_process(p) {
		const struct cred *cred = __task_cred(p);

		if (uid_eq(cred->uid, uid)) {
			*pages = atomic_long_read(&cred->user->locked_vm);
			ret = 0;
			break;
		}
	}
	rcu_read_unlock();
	return ret;
}

/**
 * pinmgr_charge() - charge @nr_pages to the device, @user and the ctx's mm
 * @ctx: the pinning context
 * @user: the pinning task's user
 * @nr_pages: pages about to be pinned
 * @budgets: out: the cgroup budgets charged, for pinmgr_uncharge()
 *
 * Return: 0; -EXFULL over the budget of a cgroup on the caller's path
 * (pinmgr_budget.c); -ENOSPC over the device-wide limit; -EDQUOT when
 * @user's locked pages would exceed the caller's RLIMIT_MEMLOCK, the
 * caller lacks CAP_IPC_LOCK and no budget on its path is sufficient;
 * -ELOOP, -ENOMEM. Nothing stays charged on failure.
 */
int pinmgr_charge(struct pinmgr_ctx *ctx, struct user_struct *user,
		  unsigned long nr_pages, struct pinmgr_lease_budgets *budgets)
{
	unsigned long dev_max = READ_ONCE(pinmgr_max_device_pages);
	long dev_cur = atomic_long_read(&pinmgr_device_pages);
	long user_cur = atomic_long_read(&user->locked_vm);
	u64 user_max = pinmgr_memlock_limit_pages();
	bool unlimited = false, sufficient;
	int ret;

	ret = pinmgr_budget_charge(nr_pages, budgets, &sufficient);
	if (ret)
		return ret;

	do {
		if (dev_max && nr_pages > dev_max - min_t(unsigned long,
							  dev_max, dev_cur)) {
			ret = -ENOSPC;
			goto out_uncharge_budgets;
		}
	} while (!atomic_long_try_cmpxchg(&pinmgr_device_pages, &dev_cur,
					  dev_cur + nr_pages));

	do {
		/*
		 * A sufficient budget stands in for the limit. Ask for the
		 * capability only when it matters: it is audited.
		 */
		if (!unlimited && (u64)user_cur + nr_pages > user_max) {
			if (!sufficient && !capable(CAP_IPC_LOCK)) {
				ret = -EDQUOT;
				goto out_uncharge_device;
			}
			unlimited = true;
		}
	} while (!atomic_long_try_cmpxchg(&user->locked_vm, &user_cur,
					  user_cur + nr_pages));

	atomic64_add(nr_pages, &ctx->mm->pinned_vm);
	atomic_long_add(nr_pages, &ctx->pinned_pages);
	return 0;

out_uncharge_device:
	atomic_long_sub(nr_pages, &pinmgr_device_pages);
out_uncharge_budgets:
	pinmgr_budget_uncharge(budgets, nr_pages);
	return ret;
}

/*
 * Undo pinmgr_charge(); the context's mm stays valid through mmgrab(), the
 * user through the lease's reference.
 */
void pinmgr_uncharge(struct pinmgr_ctx *ctx, struct user_struct *user,
		     unsigned long nr_pages, struct pinmgr_lease_budgets *budgets)
{
	atomic_long_sub(nr_pages, &ctx->pinned_pages);
	atomic64_sub(nr_pages, &ctx->mm->pinned_vm);
	atomic_long_sub(nr_pages, &user->locked_vm);
	atomic_long_sub(nr_pages, &pinmgr_device_pages);
	pinmgr_budget_uncharge(budgets, nr_pages);
}

/**
 * pinmgr_pin_flags() - the pin flags a request is pinned with
 * @flags: the request's enum pinmgr_pin_flags
 *
 * A short-term pin skips what FOLL_LONGTERM does for long pins: moving the
 * pages out of ZONE_MOVABLE and CMA first, and refusing file mappings that
 * need writeback (and fsdax). Held for long, it keeps memory from being
 * compacted, offlined or handed to CMA's users, and a lease may be held
 * for as long as its owner likes. So only a caller with CAP_IPC_LOCK gets
 * a true short-term pin; anyone else's is made long-term, as io_uring and
 * RDMA make every pin, and says so in its flags.
 *
 * Return: @flags, with PINMGR_PIN_LONGTERM added where it is required.
 */
u32 pinmgr_pin_flags(u32 flags)
{
	/* A watch-only lease pins nothing: nothing to make long-term. */
	if (flags & (PINMGR_PIN_LONGTERM | PINMGR_PIN_WATCH_ONLY))
		return flags;
	/* Not an attempt to use the privilege: a denial is not audited. */
	if (ns_capable_noaudit(&init_user_ns, CAP_IPC_LOCK))
		return flags;
	return flags | PINMGR_PIN_LONGTERM;
}

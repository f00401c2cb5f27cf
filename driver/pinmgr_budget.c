// SPDX-License-Identifier: GPL-2.0-only
/*
 * Budgets: bounds on the pages pinned through the device by the processes
 * of a cgroup v2 directory and its descendants, which an administrator sets
 * over netlink.
 *
 * A module cannot register a cgroup controller, so the budgets live in a
 * table of the driver's own, keyed by cgroup ID. A PIN walks from the
 * pinning task's cgroup up to the root and charges every cgroup on the way
 * that has a budget, by compare-and-swap within its limit, as the per-user
 * total is charged (pinmgr_account.c); the lease keeps the budgets it
 * charged, so a task that moves leaves its charges behind, as memcg's do,
 * and a budget cleared meanwhile is uncharged all the same.
 *
 * A budget holds a reference on its cgroup: after rmdir the ID stays
 * charged until the last lease ends, and the entry goes with that charge.
 * A budget marked sufficient lets its processes pin up to it whatever
 * their RLIMIT_MEMLOCK (the non-root container); everywhere else the
 * per-user bound applies.
 *
 * Lookups run under RCU; changes to the table under pinmgr_budget_mutex.
 * No budget at all costs a PIN one read of the count of budgets. (Not a
 * static key: patching one while PINs ran through it oopsed on int3 with
 * Linux 7.3-rc7, and the read costs nothing measurable next to a pin.)
 *
 * An entry lives while it is in the table or anything is charged to it,
 * with no reference count: its usage is the count. Whoever finds it out of
 * the table with nothing charged frees it, by moving usage from 0 to
 * PINMGR_BUDGET_DEAD with one compare-and-swap. A charge is a
 * compare-and-swap of the same word that never charges a dead entry, so
 * of a charge and a free that race, one fails; the memory goes after a
 * grace period, since charges find entries under RCU. A PIN through
 * budgets thus costs one compare-and-swap per budget and no allocation
 * (up to PINMGR_BUDGET_INLINE of them live in the lease).
 */
#include <linux/cgroup.h>
#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/nsproxy.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "pinmgr.h"

#define PINMGR_BUDGET_HASH_BITS	10
/* The usage of an entry being freed: no charge takes it. */
#define PINMGR_BUDGET_DEAD	LONG_MIN

/*
 * The table: an entry per budgeted cgroup, set or still charged. Writers
 * hold pinmgr_budget_mutex; readers walk a bucket under RCU and keep an
 * entry by charging it (pinmgr_budget_charge_one()).
 */
static DEFINE_MUTEX(pinmgr_budget_mutex);
static DEFINE_HASHTABLE(pinmgr_budgets, PINMGR_BUDGET_HASH_BITS);
/*
 * Entries in the table: written under pinmgr_budget_mutex, read without
 * it by a PIN, which walks its cgroups only when there are any.
 */
static unsigned long pinmgr_nr_budgets;

static void pinmgr_budget_prune_work(struct work_struct *work);
static DECLARE_WORK(pinmgr_budget_prune, pinmgr_budget_prune_work);

/*
 * The entry of cgroup @id, or NULL. Under RCU; or under the mutex, which
 * keeps the entry in the table (writers hold it).
 */
static struct pinmgr_budget *pinmgr_budget_lookup(u64 id)
{
	struct hlist_head *head =
		&pinmgr_budgets[hash_min(id, HASH_BITS(pinmgr_budgets))];
	struct pinmgr_budget *b;

	hlist_for_each_entry_rcu(b, head, node,
				 lockdep_is_held(&pinmgr_budget_mutex))
		if (b->cgroup_id == id)
			return b;
	return NULL;
}

static void pinmgr_budget_free_rcu(struct rcu_head *head)
{
	struct pinmgr_budget *b = container_of(head, struct pinmgr_budget, rcu);

	cgroup_put(b->cgrp);
	kfree(b);
}

/* @b is out of the table: free it if nothing is charged to it. */
static void pinmgr_budget_try_free(struct pinmgr_budget *b)
{
	if (atomic_long_cmpxchg(&b->usage, 0, PINMGR_BUDGET_DEAD) == 0)
		call_rcu(&b->rcu, pinmgr_budget_free_rcu);
}

/*
 * Take @b out of the table: the budget was cleared, or its cgroup was
 * removed and nothing is charged to it any more. Leases charged to it
 * keep it until they end; the last uncharge frees it.
 */
static void pinmgr_budget_unhash(struct pinmgr_budget *b)
{
	lockdep_assert_held(&pinmgr_budget_mutex);
	hash_del_rcu(&b->node);
	WRITE_ONCE(pinmgr_nr_budgets, pinmgr_nr_budgets - 1);
	WRITE_ONCE(b->hashed, false);
	/*
	 * The flag before the read of usage, as the uncharge writes usage
	 * before it reads the flag: of the two, one sees the other's write.
	 */
	smp_mb();
	pinmgr_budget_try_free(b);
}

/* rmdir takes a cgroup's own css offline (css_is_dying() is for others). */
static bool pinmgr_budget_removed(const struct pinmgr_budget *b)
{
	return !(READ_ONCE(b->cgrp->self.flags) & CSS_ONLINE);
}

static bool pinmgr_budget_orphaned(struct pinmgr_budget *b)
{
	return pinmgr_budget_removed(b) && !atomic_long_read(&b->usage);
}

/* Drop the budgets of removed cgroups that nothing is charged to. */
static void pinmgr_budget_prune_locked(void)
{
	struct pinmgr_budget *b;
	struct hlist_node *tmp;
	unsigned int bkt;

	lockdep_assert_held(&pinmgr_budget_mutex);
	hash_for_each_safe(pinmgr_budgets, bkt, tmp, b, node)
		if (pinmgr_budget_orphaned(b))
			pinmgr_budget_unhash(b);
}

static void pinmgr_budget_prune_work(struct work_struct *work)
{
	mutex_lock(&pinmgr_budget_mutex);
	pinmgr_budget_prune_locked();
	mutex_unlock(&pinmgr_budget_mutex);
}

/* The ID of the caller's cgroup v2 directory. */
u64 pinmgr_current_cgroup_id(void)
{
	u64 id;

	rcu_read_lock();
	id = cgroup_id(task_dfl_cgroup(current));
	rcu_read_unlock();
	return id;
}

/* @b's figures; its path in the reader's cgroup namespace. */
static void pinmgr_budget_fill_view(struct pinmgr_budget *b,
				    struct pinmgr_budget_view *view)
{
	view->cgroup_id = b->cgroup_id;
	view->limit_pages = READ_ONCE(b->limit_pages);
	view->usage_pages = atomic_long_read(&b->usage);
	view->flags = READ_ONCE(b->flags);
	view->hits = atomic_long_read(&b->hits);
	view->removed = pinmgr_budget_removed(b);
	if (cgroup_path_ns(b->cgrp, view->path, sizeof(view->path),
			   current->nsproxy->cgroup_ns) < 0)
		view->path[0] = '\0';
}

/*
 * A PIN met a budget full: what the monitor group hears of it, taken
 * under RCU (with a reference on the cgroup) and sent after.
 */
struct pinmgr_budget_hit {
	struct cgroup *cgrp;
	u64 cgroup_id;
	u64 limit_pages;
	u64 usage_pages;
	u64 hits;
	u32 flags;
};

static void pinmgr_budget_tell_hit(struct pinmgr_budget_hit *hit,
				   unsigned long nr_pages)
{
	struct pinmgr_budget_view *view;

	if (!hit->cgrp)
		return;
	view = kmalloc(sizeof(*view), GFP_KERNEL);
	if (!view) {
		pinmgr_nl_event_lost();
		goto out_put_cgroup;
	}
	view->cgroup_id = hit->cgroup_id;
	view->limit_pages = hit->limit_pages;
	view->usage_pages = hit->usage_pages;
	view->hits = hit->hits;
	view->flags = hit->flags;
	view->removed = !(READ_ONCE(hit->cgrp->self.flags) & CSS_ONLINE);
	if (cgroup_path(hit->cgrp, view->path, sizeof(view->path)) < 0)
		view->path[0] = '\0';
	pinmgr_nl_notify_budget_hit(view, nr_pages);
	kfree(view);
out_put_cgroup:
	cgroup_put(hit->cgrp);
}

/*
 * Charge @nr_pages to @b within its limit. Under RCU, which keeps @b's
 * memory. Return: 0; -EXFULL over the limit (counted in its hits, and
 * noted in @hit when the monitor group listens); -ESTALE if @b is being
 * freed (it was cleared: it bounds nothing).
 */
static int pinmgr_budget_charge_one(struct pinmgr_budget *b,
				    unsigned long nr_pages,
				    struct pinmgr_budget_hit *hit)
{
	unsigned long max = READ_ONCE(b->limit_pages);
	long cur = atomic_long_read(&b->usage);

	do {
		if (cur < 0)
			return -ESTALE;
		if (nr_pages > max - min_t(unsigned long, max, cur)) {
			hit->hits = atomic_long_inc_return(&b->hits);
			if (pinmgr_nl_monitored()) {
				/* Held by @b until a grace period after it goes. */
				cgroup_get(b->cgrp);
				hit->cgrp = b->cgrp;
				hit->cgroup_id = b->cgroup_id;
				hit->limit_pages = max;
				hit->usage_pages = cur;
				hit->flags = READ_ONCE(b->flags);
			}
			return -EXFULL;
		}
	} while (!atomic_long_try_cmpxchg(&b->usage, &cur, cur + nr_pages));
	return 0;
}

/* Undo a charge of @b; the last one of a budget out of the table frees it. */
static void pinmgr_budget_uncharge_one(struct pinmgr_budget *b,
				       unsigned long nr_pages)
{
	/* A concurrent unhash may free @b once it is uncharged: hold RCU. */
	rcu_read_lock();
	if (!atomic_long_sub_return(nr_pages, &b->usage)) {
		if (!READ_ONCE(b->hashed))
			pinmgr_budget_try_free(b);
		else if (pinmgr_budget_removed(b))
			/* The last charge of a removed cgroup: its entry goes. */
			queue_work(pinmgr_wq, &pinmgr_budget_prune);
	}
	rcu_read_unlock();
}

static struct pinmgr_budget *pinmgr_lb_at(const struct pinmgr_lease_budgets *lb,
					  unsigned int i)
{
	return i < PINMGR_BUDGET_INLINE ? lb->inline_budgets[i] :
					  lb->more[i - PINMGR_BUDGET_INLINE];
}

/**
 * pinmgr_budget_charge() - charge the budgets of the caller's cgroups
 * @nr_pages: pages about to be pinned
 * @lb: out: what to hand pinmgr_budget_uncharge()
 * @sufficient: out: true if a budget on the path stands in for memlock
 *
 * Return: 0; -EXFULL over a budget; -ELOOP with more budgeted ancestors
 * than PINMGR_BUDGET_DEPTH; -ENOMEM. Nothing stays charged on failure.
 */
int pinmgr_budget_charge(unsigned long nr_pages,
			 struct pinmgr_lease_budgets *lb, bool *sufficient)
{
	struct pinmgr_budget *found[PINMGR_BUDGET_DEPTH];
	struct pinmgr_budget_hit hit = { 0 };
	unsigned int n = 0, i;
	struct cgroup *cgrp;
	int ret = 0;

	memset(lb, 0, sizeof(*lb));
	*sufficient = false;
	if (!READ_ONCE(pinmgr_nr_budgets))
		return 0;

	rcu_read_lock();
	for (cgrp = task_dfl_cgroup(current); cgrp; cgrp = cgroup_parent(cgrp)) {
		struct pinmgr_budget *b = pinmgr_budget_lookup(cgroup_id(cgrp));

		if (!b)
			continue;
		if (n == PINMGR_BUDGET_DEPTH) {
			ret = -ELOOP;
			break;
		}
		ret = pinmgr_budget_charge_one(b, nr_pages, &hit);
		if (ret == -ESTALE) {
			ret = 0;
			continue;
		}
		if (ret)
			break;
		found[n++] = b;
		if (READ_ONCE(b->flags) & PINMGR_BUDGET_SUFFICIENT)
			*sufficient = true;
	}
	rcu_read_unlock();
	if (ret)
		goto out_uncharge;

	if (n > PINMGR_BUDGET_INLINE) {
		lb->more = kmalloc_array(n - PINMGR_BUDGET_INLINE,
					 sizeof(*lb->more), GFP_KERNEL_ACCOUNT);
		if (!lb->more) {
			ret = -ENOMEM;
			goto out_uncharge;
		}
	}
	lb->nr = n;
	for (i = 0; i < n; i++) {
		if (i < PINMGR_BUDGET_INLINE)
			lb->inline_budgets[i] = found[i];
		else
			lb->more[i - PINMGR_BUDGET_INLINE] = found[i];
	}
	return 0;

out_uncharge:
	while (n--)
		pinmgr_budget_uncharge_one(found[n], nr_pages);
	*sufficient = false;
	pinmgr_budget_tell_hit(&hit, nr_pages);
	return ret;
}

/*
 * Undo pinmgr_budget_charge(); a budget out of the table, or of a cgroup
 * that is gone, leaves with its last charge.
 */
void pinmgr_budget_uncharge(struct pinmgr_lease_budgets *lb,
			    unsigned long nr_pages)
{
	unsigned int i;

	for (i = 0; i < lb->nr; i++)
		pinmgr_budget_uncharge_one(pinmgr_lb_at(lb, i), nr_pages);
	kfree(lb->more);
	memset(lb, 0, sizeof(*lb));
}

/**
 * pinmgr_budget_set() - set, or change, the budget of a cgroup
 * @path: the cgroup's path from the root of the cgroup v2 hierarchy
 * @limit_pages: pages its processes may pin through the device, together
 * @flags: enum pinmgr_budget_flags
 * @id: out: the cgroup's ID
 *
 * Lowering a budget below its usage takes nothing back: the pins stand,
 * and new ones fail until enough of them end.
 *
 * Return: 0, -ENOENT for no such cgroup, -ENOSPC with PINMGR_MAX_BUDGETS
 * set already, -ENOMEM.
 */
int pinmgr_budget_set(const char *path, u64 limit_pages, u32 flags, u64 *id)
{
	struct pinmgr_budget *b;
	struct cgroup *cgrp;
	int ret = 0;

	cgrp = cgroup_get_from_path(path);
	if (IS_ERR(cgrp))
		return PTR_ERR(cgrp);
	*id = cgroup_id(cgrp);

	mutex_lock(&pinmgr_budget_mutex);
	pinmgr_budget_prune_locked();
	b = pinmgr_budget_lookup(*id);
	if (b) {
		WRITE_ONCE(b->limit_pages, limit_pages);
		WRITE_ONCE(b->flags, flags);
		goto out_unlock;
	}
	if (pinmgr_nr_budgets >= PINMGR_MAX_BUDGETS) {
		ret = -ENOSPC;
		goto out_unlock;
	}
	b = kzalloc(sizeof(*b), GFP_KERNEL_ACCOUNT);
	if (!b) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	b->cgroup_id = *id;
	b->cgrp = cgrp;
	cgrp = NULL;		/* the budget's reference now */
	b->limit_pages = limit_pages;
	b->flags = flags;
	b->hashed = true;
	hash_add_rcu(pinmgr_budgets, &b->node, b->cgroup_id);
	WRITE_ONCE(pinmgr_nr_budgets, pinmgr_nr_budgets + 1);
out_unlock:
	mutex_unlock(&pinmgr_budget_mutex);
	if (cgrp)
		cgroup_put(cgrp);
	return ret;
}

/**
 * pinmgr_budget_clear() - remove the budget of a cgroup
 * @path: the cgroup's path from the root of the cgroup v2 hierarchy
 *
 * Leases charged to it stay, and are uncharged as they end; new pins in
 * the cgroup are not charged to it.
 *
 * Return: 0, or -ENOENT for no such cgroup or no budget on it.
 */
int pinmgr_budget_clear(const char *path)
{
	struct pinmgr_budget *b;
	struct cgroup *cgrp;
	int ret = -ENOENT;

	cgrp = cgroup_get_from_path(path);
	if (IS_ERR(cgrp))
		return PTR_ERR(cgrp);
	mutex_lock(&pinmgr_budget_mutex);
	b = pinmgr_budget_lookup(cgroup_id(cgrp));
	if (b) {
		pinmgr_budget_unhash(b);
		ret = 0;
	}
	mutex_unlock(&pinmgr_budget_mutex);
	cgroup_put(cgrp);
	return ret;
}

/*
 * May the caller see @b? An administrator sees every budget; anyone else
 * those of its own cgroup, of its ancestors (the budgets that bound it) and
 * of its descendants (a delegated subtree's).
 */
static bool pinmgr_budget_visible(struct pinmgr_budget *b, bool admin)
{
	struct cgroup *own;
	bool ok;

	if (admin)
		return true;
	rcu_read_lock();
	own = task_dfl_cgroup(current);
	ok = cgroup_is_descendant(own, b->cgrp) ||
	     cgroup_is_descendant(b->cgrp, own);
	rcu_read_unlock();
	return ok;
}

/**
 * pinmgr_budget_view() - the next budget the caller may see
 * @pos: in: where the last call stopped (0 to start); out: where this one
 *	stopped: a bucket of the table and the entries of it passed
 * @admin: the reader has CAP_SYS_ADMIN
 * @view: out: the budget's figures and its path in the reader's cgroup
 *	namespace
 *
 * A dump that resumes after a budget of the same bucket was set or
 * cleared meanwhile may skip or repeat one, as a dump of a changing table
 * does; each call walks one bucket's entries at most twice.
 *
 * Return: true if @view was filled.
 */
bool pinmgr_budget_view(u64 *pos, bool admin, struct pinmgr_budget_view *view)
{
	unsigned int bkt = *pos >> 32, skip = (u32)*pos, i;
	struct pinmgr_budget *b;
	bool found = false;

	mutex_lock(&pinmgr_budget_mutex);
	if (!*pos)
		pinmgr_budget_prune_locked();
	for (; bkt < HASH_SIZE(pinmgr_budgets) && !found; bkt++, skip = 0) {
		i = 0;
		hlist_for_each_entry(b, &pinmgr_budgets[bkt], node) {
			if (i++ < skip || !pinmgr_budget_visible(b, admin))
				continue;
			pinmgr_budget_fill_view(b, view);
			*pos = (u64)bkt << 32 | i;
			found = true;
			break;
		}
	}
	mutex_unlock(&pinmgr_budget_mutex);
	return found;
}

/* Module unload: every lease is gone, so is every charge. */
void pinmgr_budget_exit(void)
{
	struct pinmgr_budget *b;
	struct hlist_node *tmp;
	unsigned int bkt;

	cancel_work_sync(&pinmgr_budget_prune);
	mutex_lock(&pinmgr_budget_mutex);
	hash_for_each_safe(pinmgr_budgets, bkt, tmp, b, node)
		pinmgr_budget_unhash(b);
	mutex_unlock(&pinmgr_budget_mutex);
	rcu_barrier();
}

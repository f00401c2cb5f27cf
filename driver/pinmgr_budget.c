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
 */
#include <linux/cgroup.h>
#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/nsproxy.h>
#include <linux/rculist.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "pinmgr.h"

#define PINMGR_BUDGET_HASH_BITS	10

/*
 * The table: an entry per budgeted cgroup, set or still charged. Writers
 * hold pinmgr_budget_mutex; readers walk a bucket under RCU and keep an
 * entry with refcount_inc_not_zero().
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

static void pinmgr_budget_put(struct pinmgr_budget *b)
{
	if (refcount_dec_and_test(&b->refs))
		call_rcu(&b->rcu, pinmgr_budget_free_rcu);
}

/*
 * Take @b out of the table and drop the table's reference: the budget was
 * cleared, or its cgroup was removed and nothing is charged to it any
 * more. Leases charged to it keep it until they end.
 */
static void pinmgr_budget_unhash(struct pinmgr_budget *b)
{
	lockdep_assert_held(&pinmgr_budget_mutex);
	hash_del_rcu(&b->node);
	WRITE_ONCE(pinmgr_nr_budgets, pinmgr_nr_budgets - 1);
	pinmgr_budget_put(b);
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

/* A PIN met budget @b full (the failure itself is counted by its errno). */
static void pinmgr_budget_hit(struct pinmgr_budget *b)
{
	atomic_long_inc(&b->hits);
}

/**
 * pinmgr_budget_charge() - charge the budgets of the caller's cgroups
 * @nr_pages: pages about to be pinned
 * @lease_budgets: out: what to hand pinmgr_budget_uncharge() (NULL if none)
 * @sufficient: out: true if a budget on the path stands in for memlock
 *
 * Return: 0; -EXFULL over a budget; -ELOOP with more budgeted ancestors
 * than PINMGR_BUDGET_DEPTH; -ENOMEM. Nothing stays charged on failure.
 */
int pinmgr_budget_charge(unsigned long nr_pages,
			 struct pinmgr_lease_budgets **lease_budgets,
			 bool *sufficient)
{
	struct pinmgr_budget *found[PINMGR_BUDGET_DEPTH];
	struct pinmgr_lease_budgets *lb;
	unsigned int n = 0, i;
	struct cgroup *cgrp;
	int ret = 0;

	*lease_budgets = NULL;
	*sufficient = false;
	if (!READ_ONCE(pinmgr_nr_budgets))
		return 0;

	rcu_read_lock();
	for (cgrp = task_dfl_cgroup(current); cgrp; cgrp = cgroup_parent(cgrp)) {
		struct pinmgr_budget *b = pinmgr_budget_lookup(cgroup_id(cgrp));

		if (!b || !refcount_inc_not_zero(&b->refs))
			continue;
		if (n == PINMGR_BUDGET_DEPTH) {
			pinmgr_budget_put(b);
			ret = -ELOOP;
			break;
		}
		found[n++] = b;
	}
	rcu_read_unlock();
	if (ret)
		goto out_put;
	if (!n)
		return 0;

	lb = kmalloc(struct_size(lb, budgets, n), GFP_KERNEL_ACCOUNT);
	if (!lb) {
		ret = -ENOMEM;
		goto out_put;
	}
	for (i = 0; i < n; i++) {
		struct pinmgr_budget *b = found[i];
		unsigned long max = READ_ONCE(b->limit_pages);
		long cur = atomic_long_read(&b->usage);

		do {
			if (nr_pages > max - min_t(unsigned long, max, cur)) {
				pinmgr_budget_hit(b);
				ret = -EXFULL;
				goto out_uncharge;
			}
		} while (!atomic_long_try_cmpxchg(&b->usage, &cur,
						  cur + nr_pages));
		if (READ_ONCE(b->flags) & PINMGR_BUDGET_SUFFICIENT)
			*sufficient = true;
	}
	lb->nr = n;
	memcpy(lb->budgets, found, n * sizeof(found[0]));
	*lease_budgets = lb;
	return 0;

out_uncharge:
	while (i--)
		atomic_long_sub(nr_pages, &found[i]->usage);
	kfree(lb);
out_put:
	while (n--)
		pinmgr_budget_put(found[n]);
	return ret;
}

/*
 * Undo pinmgr_budget_charge(); a budget whose cgroup is gone and has
 * nothing charged leaves the table with this.
 */
void pinmgr_budget_uncharge(struct pinmgr_lease_budgets *lb,
			    unsigned long nr_pages)
{
	unsigned int i;

	if (!lb)
		return;
	for (i = 0; i < lb->nr; i++) {
		struct pinmgr_budget *b = lb->budgets[i];

		/* The last charge of a removed cgroup: its entry goes too. */
		if (!atomic_long_sub_return(nr_pages, &b->usage) &&
		    pinmgr_budget_removed(b))
			queue_work(pinmgr_wq, &pinmgr_budget_prune);
		pinmgr_budget_put(b);
	}
	kfree(lb);
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
	refcount_set(&b->refs, 1);
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
			view->cgroup_id = b->cgroup_id;
			view->limit_pages = READ_ONCE(b->limit_pages);
			view->usage_pages = atomic_long_read(&b->usage);
			view->flags = READ_ONCE(b->flags);
			view->hits = atomic_long_read(&b->hits);
			view->removed = pinmgr_budget_removed(b);
			if (cgroup_path_ns(b->cgrp, view->path,
					   sizeof(view->path),
					   current->nsproxy->cgroup_ns) < 0)
				view->path[0] = '\0';
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

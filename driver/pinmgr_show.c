// SPDX-License-Identifier: GPL-2.0-only
/*
 * Showing leases to whoever looks, the same way on every path: netlink,
 * debugfs and fdinfo. Who may see a lease, how its pid and uid read in the
 * viewer's namespaces, and the text rows of debugfs and fdinfo.
 *
 * An administrator (CAP_SYS_ADMIN) sees every lease, anyone else those
 * whose pinner's effective uid is their own effective uid (as /proc shows
 * a task to its owner); either way only leases whose owner the viewer's
 * pid namespace can see (as RDMA's nldev does). Nothing shown is a kernel
 * address.
 */
#include <linux/cred.h>
#include <linux/ctype.h>
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/timekeeping.h>
#include <linux/uidgid.h>

#include "pinmgr.h"

/*
 * The viewer: the current task, with the credentials of the file it looks
 * through (a netlink socket, the debugfs file, the fdinfo file: who opened
 * it, not who was handed it), and whether those make it an administrator.
 */
void pinmgr_viewer_init(struct pinmgr_viewer *v, const struct cred *cred,
			bool admin)
{
	v->user_ns = cred->user_ns;
	v->euid = cred->euid;
	v->pid_ns = task_active_pid_ns(current);
	v->admin = admin;
}

/* The monitor group's view: every lease, in the initial namespaces. */
void pinmgr_viewer_init_admin(struct pinmgr_viewer *v)
{
	v->user_ns = &init_user_ns;
	v->euid = GLOBAL_ROOT_UID;
	v->pid_ns = &init_pid_ns;
	v->admin = true;
}

/*
 * The owner's tgid in the viewer's pid namespace; 0 once it has exited,
 * since its number may be another process's by then.
 */
pid_t pinmgr_lease_owner_nr(const struct pinmgr_lease *lease,
			    struct pid_namespace *ns)
{
	if (!pid_has_task(lease->owner, PIDTYPE_TGID))
		return 0;
	return pid_nr_ns(lease->owner, ns);
}

bool pinmgr_lease_visible(const struct pinmgr_lease *lease,
			  const struct pinmgr_viewer *v)
{
	if (!pid_nr_ns(lease->owner, v->pid_ns))
		return false;
	return v->admin || uid_eq(lease->uid, v->euid);
}

/* The ABI's name for a lease's state; an ending lease shows its end. */
u32 pinmgr_abi_state(const struct pinmgr_lease *lease)
{
	switch (READ_ONCE(lease->state)) {
	case PINMGR_LS_BREAKING:
		return PINMGR_LEASE_BREAKING;
	case PINMGR_LS_ENDING:
		return READ_ONCE(lease->end_state) == PINMGR_LS_EXPIRED ?
		       PINMGR_LEASE_EXPIRED : PINMGR_LEASE_REVOKED;
	case PINMGR_LS_EXPIRED:
		return PINMGR_LEASE_EXPIRED;
	case PINMGR_LS_REVOKED:
		return PINMGR_LEASE_REVOKED;
	default:
		return PINMGR_LEASE_ACTIVE;
	}
}

static const char *const pinmgr_state_names[] = {
	[PINMGR_LEASE_ACTIVE] = "active",
	[PINMGR_LEASE_BREAKING] = "breaking",
	[PINMGR_LEASE_EXPIRED] = "expired",
	[PINMGR_LEASE_REVOKED] = "revoked",
};

void pinmgr_show_header(struct seq_file *m)
{
	seq_printf(m, "%-20s %-8s %-16s %-8s %-18s %14s %10s %8s %-5s %10s %10s %s\n",
		   "handle", "tgid", "comm", "uid", "address", "length",
		   "pages", "runs", "flags", "age_ms", "expires_ms", "state");
}

/*
 * One lease as a row, as it is at one moment, seen by @v; the caller holds
 * its context's lock. A time to come is shown from now; "-" for none.
 */
void pinmgr_show_lease_locked(struct seq_file *m, struct pinmgr_lease *lease,
			      const struct pinmgr_viewer *v)
{
	u64 now_real = ktime_get_real_ns();
	ktime_t now = ktime_get_boottime(), due;
	u32 state = pinmgr_abi_state(lease);
	char comm[TASK_COMM_LEN], expires[24] = "-";
	char flags[3];
	size_t i;

	lockdep_assert_held(&lease->ctx->lock);
	due = lease->expire_at;
	if (lease->break_at && (!due || ktime_before(lease->break_at, due)))
		due = lease->break_at;
	if (due && state <= PINMGR_LEASE_BREAKING)
		snprintf(expires, sizeof(expires), "%lld",
			 max(ktime_ms_delta(due, now), 0LL));
	/* One word per column: a name with blanks or controls gets '?'s. */
	for (i = 0; i < sizeof(comm) - 1 && lease->comm[i]; i++)
		comm[i] = isgraph(lease->comm[i]) ? lease->comm[i] : '?';
	if (!i)
		comm[i++] = '?';
	comm[i] = '\0';
	flags[0] = lease->pin_flags & PINMGR_PIN_WRITE ? 'w' : 'r';
	flags[1] = lease->pin_flags & PINMGR_PIN_LONGTERM ? 'l' : 's';
	flags[2] = '\0';

	seq_printf(m, "%-20llu %-8d %-16s %-8u 0x%016lx %14llu %10lu %8lu %-5s %10llu %10s %s\n",
		   lease->handle, pinmgr_lease_owner_nr(lease, v->pid_ns),
		   comm, from_kuid_munged(v->user_ns, lease->uid),
		   lease->addr, (u64)lease->nr_pages << PAGE_SHIFT,
		   lease->nr_pages, lease->pinned ? lease->nr_runs : 0,
		   flags, div_u64(now_real - min(now_real, lease->create_time_ns),
				  NSEC_PER_MSEC),
		   expires, pinmgr_state_names[state]);
}

void pinmgr_show_lease(struct seq_file *m, struct pinmgr_lease *lease,
		       const struct pinmgr_viewer *v)
{
	mutex_lock(&lease->ctx->lock);
	pinmgr_show_lease_locked(m, lease, v);
	mutex_unlock(&lease->ctx->lock);
}

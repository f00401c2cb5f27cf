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
#include <linux/stddef.h>
#include <linux/string.h>
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
static u32 pinmgr_abi_state(const struct pinmgr_lease *lease)
{
	switch (READ_ONCE(lease->state)) {
	case PINMGR_LS_BREAKING:
		return PINMGR_LEASE_BREAKING;
	case PINMGR_LS_ENDING:
		switch (READ_ONCE(lease->end_state)) {
		case PINMGR_LS_EXPIRED:
			return PINMGR_LEASE_EXPIRED;
		case PINMGR_LS_REVOKED:
			return PINMGR_LEASE_REVOKED;
		default:
			return PINMGR_LEASE_INVALIDATED;
		}
	case PINMGR_LS_EXPIRED:
		return PINMGR_LEASE_EXPIRED;
	case PINMGR_LS_REVOKED:
		return PINMGR_LEASE_REVOKED;
	case PINMGR_LS_INVALIDATED:
		return PINMGR_LEASE_INVALIDATED;
	case PINMGR_LS_HELD:
		return PINMGR_LEASE_HELD;
	default:
		return pinmgr_watch_is_stale(lease) ? PINMGR_LEASE_STALE :
						      PINMGR_LEASE_ACTIVE;
	}
}

/*
 * The one place a lease's fields are read for a reader, as @v sees them;
 * the caller holds the context's lock, under which every changing part of
 * a lease changes, so the view is of one moment.
 */
void pinmgr_lease_snapshot_locked(struct pinmgr_lease *lease,
				  const struct pinmgr_viewer *v,
				  struct pinmgr_lease_view *view)
{
	BUILD_BUG_ON(sizeof(view->comm) != sizeof(lease->comm));
	lockdep_assert_held(&lease->ctx->lock);

	view->handle = lease->handle;
	view->file_id = lease->ctx->id;
	view->tgid = pinmgr_lease_owner_nr(lease, v->pid_ns);
	view->uid = from_kuid_munged(v->user_ns, lease->uid);
	strscpy_pad(view->comm, lease->comm, sizeof(view->comm));
	view->addr = lease->addr;
	view->length = (u64)lease->nr_pages << PAGE_SHIFT;
	view->nr_pages = lease->nr_pages;
	view->nr_runs = lease->pinned ? lease->nr_runs : 0;
	view->metadata_bytes = pinmgr_lease_metadata_bytes(lease);
	view->flags = lease->pin_flags;
	view->state = pinmgr_abi_state(lease);
	view->cookie = lease->cookie;
	view->create_time_ns = lease->create_time_ns;
	view->expire_time_ns = pinmgr_boottime_to_real_ns(lease->expire_at);
	view->break_deadline_ns = pinmgr_boottime_to_real_ns(lease->break_at);
	view->end_time_ns = lease->end_time_ns;
	view->stale_reason = 0;
	view->watch_slot = 0;
	view->stale_addr = 0;
	view->stale_length = 0;
	pinmgr_watch_view(lease, view);
	pinmgr_exports_view(lease, &view->exports, &view->export_holds);
	view->cgroup_id = lease->cgroup_id;
}

void pinmgr_lease_snapshot(struct pinmgr_lease *lease,
			   const struct pinmgr_viewer *v,
			   struct pinmgr_lease_view *view)
{
	mutex_lock(&lease->ctx->lock);
	pinmgr_lease_snapshot_locked(lease, v, view);
	mutex_unlock(&lease->ctx->lock);
}

#define PINMGR_LEASE_FIELD(name, id, ft, kind, query)			\
	[PINMGR_LF_##id] = {						\
		.attr = PINMGR_A_##id,					\
		.type = PINMGR_FT_##ft,					\
		.view_off = offsetof(struct pinmgr_lease_view, name),	\
		.query_off = offsetof(struct pinmgr_query, query),	\
	},

const struct pinmgr_field pinmgr_lease_fields[PINMGR_NR_LEASE_FIELDS] = {
	PINMGR_LEASE_FIELDS(PINMGR_LEASE_FIELD)
};

/*
 * Checked as the module builds: QUERY's member of each field is as wide
 * as the view's, and the table lists the spec's lease attributes
 * (linux/pinmgr_netlink.h, generated from it) in their order, all of them:
 * the request-only ones (now, stats, pad) follow end_time, the fields
 * added since follow them, and the budget nest and user-get's
 * locked-vm-pages come last.
 */
#define PINMGR_LEASE_FIELD_FITS(name, id, ft, kind, query)		\
	static_assert(sizeof_field(struct pinmgr_query, query) ==	\
		      sizeof_field(struct pinmgr_lease_view, name));
#define PINMGR_LEASE_FIELD_IN_ORDER(name, id, ...)			\
	static_assert(PINMGR_LF_##id + 1 +				\
		      (PINMGR_LF_##id + 1 >= PINMGR_A_NOW ?		\
		       PINMGR_A_PAD - PINMGR_A_NOW + 1 : 0) ==		\
		      PINMGR_A_##id);

PINMGR_LEASE_FIELDS(PINMGR_LEASE_FIELD_FITS)
PINMGR_LEASE_FIELDS(PINMGR_LEASE_FIELD_IN_ORDER)
static_assert(PINMGR_NR_LEASE_FIELDS + PINMGR_A_PAD - PINMGR_A_NOW + 1 ==
	      PINMGR_A_BUDGET - 1);
static_assert(PINMGR_A_BUDGET + 1 == PINMGR_A_LOCKED_VM_PAGES);
static_assert(PINMGR_A_LOCKED_VM_PAGES == PINMGR_A_MAX);

size_t pinmgr_field_size(const struct pinmgr_field *f)
{
	switch (f->type) {
	case PINMGR_FT_U64:
		return sizeof(u64);
	case PINMGR_FT_U32:
		return sizeof(u32);
	default:
		return PINMGR_COMM_LEN;
	}
}

static const char *const pinmgr_state_names[] = {
	[PINMGR_LEASE_ACTIVE] = "active",
	[PINMGR_LEASE_BREAKING] = "breaking",
	[PINMGR_LEASE_EXPIRED] = "expired",
	[PINMGR_LEASE_REVOKED] = "revoked",
	[PINMGR_LEASE_STALE] = "stale",
	[PINMGR_LEASE_INVALIDATED] = "invalidated",
	[PINMGR_LEASE_HELD] = "held",
};

void pinmgr_show_header(struct seq_file *m)
{
	seq_printf(m, "%-20s %-8s %-16s %-8s %-18s %14s %10s %8s %-5s %10s %10s %s\n",
		   "handle", "tgid", "comm", "uid", "address", "length",
		   "pages", "runs", "flags", "age_ms", "expires_ms", "state");
}

/*
 * A view as a row of debugfs and fdinfo. A time to come is shown from now,
 * "-" for none: the earlier of the expiry and the break deadline, while
 * the lease is live.
 */
void pinmgr_show_row(struct seq_file *m, const struct pinmgr_lease_view *view)
{
	u64 now = ktime_get_real_ns(), due = view->expire_time_ns;
	char comm[PINMGR_COMM_LEN], expires[24] = "-";
	char flags[5];
	size_t i;

	if (view->break_deadline_ns && (!due || view->break_deadline_ns < due))
		due = view->break_deadline_ns;
	if (due && view->state <= PINMGR_LEASE_BREAKING)
		snprintf(expires, sizeof(expires), "%llu",
			 div_u64(due - min(due, now), NSEC_PER_MSEC));
	/* One word per column: a name with blanks or controls gets '?'s. */
	for (i = 0; i < sizeof(comm) - 1 && view->comm[i]; i++)
		comm[i] = isgraph(view->comm[i]) ? view->comm[i] : '?';
	if (!i)
		comm[i++] = '?';
	comm[i] = '\0';
	/* w/r, l/s (- for no pin), then W (watched) or O (watch-only), R. */
	i = 0;
	flags[i++] = view->flags & PINMGR_PIN_WRITE ? 'w' : 'r';
	flags[i++] = view->flags & PINMGR_PIN_WATCH_ONLY ? '-' :
		     view->flags & PINMGR_PIN_LONGTERM ? 'l' : 's';
	if (view->flags & PINMGR_PIN_WATCH)
		flags[i++] = view->flags & PINMGR_PIN_WATCH_ONLY ? 'O' : 'W';
	if (view->flags & PINMGR_PIN_RELEASE_ON_STALE)
		flags[i++] = 'R';
	flags[i] = '\0';

	seq_printf(m, "%-20llu %-8u %-16s %-8u 0x%016llx %14llu %10llu %8llu %-5s %10llu %10s %s\n",
		   view->handle, view->tgid, comm, view->uid, view->addr,
		   view->length, view->nr_pages, view->nr_runs, flags,
		   div_u64(now - min(now, view->create_time_ns), NSEC_PER_MSEC),
		   expires, pinmgr_state_names[view->state]);
}

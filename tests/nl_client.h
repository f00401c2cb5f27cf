/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The tests' client of the `pinmgr` generic netlink family, on libnl-genl-3,
 * as any client would speak to it: requests, dumps, the monitor group, and
 * what the kernel said when it refused (errno, extack message, the
 * attribute it named).
 */
#ifndef PINMGR_TESTS_NL_CLIENT_H
#define PINMGR_TESTS_NL_CLIENT_H

#include <stddef.h>
#include <linux/types.h>

#include <netlink/msg.h>

#include <linux/pinmgr_netlink.h>

struct pm_nl;

/* A cgroup's budget as budget-get dumps it; bytes. */
struct pm_nl_budget {
	char cgroup[256];
	__u64 cgroup_id, limit, usage, hits;
	__u32 flags;
	int removed;
};

/*
 * A lease as the family describes it; @present has bit N for attribute N.
 * A budget-hit event fills the refused pin's tgid, uid, comm, pages,
 * length and cgroup_id, and @budget.
 */
struct pm_nl_lease {
	__u8 cmd;		/* the message's command (events) */
	__u64 present;
	__u64 handle, file_id, addr, length, pages, runs, metadata_bytes;
	__u64 cookie, create_time, expire_time, break_deadline, end_time;
	__u64 stale_addr, stale_length, cgroup_id;
	__u64 locked_vm_pages;	/* user-get */
	__u32 tgid, uid, flags, state, stale_reason, watch_slot;
	char comm[16];
	struct pm_nl_budget budget;	/* budget-hit events */
};

#define PM_NL_HAS(l, attr)	(((l)->present >> (attr)) & 1)

/* Why the last request failed: errno, extack message and attributes. */
struct pm_nl_error {
	int err;		/* positive errno; 0 after success */
	char msg[256];		/* extack message, "" if none */
	int bad_attr;		/* type of the attribute it pointed at, or 0 */
	int miss_attr;		/* type of the attribute it missed, or 0 */
};

/* Open a socket and resolve the family; NULL with errno on failure. */
struct pm_nl *pm_nl_open(void);
void pm_nl_close(struct pm_nl *nl);
int pm_nl_family(const struct pm_nl *nl);
const struct pm_nl_error *pm_nl_last_error(const struct pm_nl *nl);

/* Requests: 0 or a negative errno (details in pm_nl_last_error()). */
int pm_nl_stats(struct pm_nl *nl, __u64 stats[PINMGR_A_STATS_MAX + 1]);
int pm_nl_lease_get(struct pm_nl *nl, __u64 handle, struct pm_nl_lease *out);
int pm_nl_revoke(struct pm_nl *nl, __u64 handle, int now, __u64 *deadline);
/*
 * user-get of @uid: the reply's uid and locked_vm_pages in @out (if not
 * NULL), with PM_NL_HAS() telling which attributes the reply held.
 */
int pm_nl_user_get(struct pm_nl *nl, __u32 uid, struct pm_nl_lease *out);

/* Filters of a dump; a field is used when its PM_NL_F_* bit is set. */
struct pm_nl_filter {
	unsigned int has;
	__u32 tgid, uid;
	__u64 cookie;
};
#define PM_NL_F_TGID	1u
#define PM_NL_F_UID	2u
#define PM_NL_F_COOKIE	4u

/*
 * Dump every lease the caller may see (NULL filter: all): a malloc()ed
 * array in *leases (free() it) of *nr.
 */
int pm_nl_dump(struct pm_nl *nl, const struct pm_nl_filter *filter,
	       struct pm_nl_lease **leases, size_t *nr);

/*
 * Send a message built by the caller (pm_nl_msg() starts one) and wait
 * for the answer; replies are parsed as leases into @out if it is not
 * NULL. Consumes @msg.
 */
struct nl_msg *pm_nl_msg(struct pm_nl *nl, __u8 cmd, int flags);
int pm_nl_request(struct pm_nl *nl, struct nl_msg *msg,
		  struct pm_nl_lease *out);

/* Set (the cgroup's ID in *@id if not NULL) or clear a cgroup's budget. */
int pm_nl_budget_set(struct pm_nl *nl, const char *cgroup, __u64 limit,
		     __u32 flags, __u64 *id);
int pm_nl_budget_clear(struct pm_nl *nl, const char *cgroup);
/* Every budget the caller may see: a malloc()ed array (free() it). */
int pm_nl_budgets(struct pm_nl *nl, struct pm_nl_budget **budgets,
		  size_t *nr);

/*
 * The monitor group: join it (0 or a negative errno), then take its events
 * one by one: 1 with *ev filled, 0 if none came within @timeout_ms. The
 * driver sends events in batches, a tick after the first at the latest:
 * a test that checks that no event came waits PM_NL_EV_SOON_MS for it.
 */
#define PM_NL_EV_SOON_MS	50

int pm_nl_monitor(struct pm_nl *nl);

/*
 * What pm_nl_monitor() returns to a caller that a kernel with the monitor
 * group answers with @err (0, -EPERM): -ENOENT, no such group, where the
 * driver lacks PINMGR_FEATURE_NL_MONITOR.
 */
int pm_nl_monitor_expect(int err);

/*
 * Join the monitor group; where the driver lacks PINMGR_FEATURE_NL_MONITOR,
 * check that the group is absent and skip the test.
 */
void pm_nl_monitor_or_skip(struct pm_nl *nl);
int pm_nl_event(struct pm_nl *nl, unsigned int timeout_ms,
		struct pm_nl_lease *ev);
/* Give the socket @bytes of receive buffer, past rmem_max (root): 0 or -errno. */
int pm_nl_rcvbuf(struct pm_nl *nl, int bytes);

#endif /* PINMGR_TESTS_NL_CLIENT_H */

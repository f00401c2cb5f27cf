/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pinmgr's tracepoints, under events/pinmgr/ in tracefs: a lease pinned,
 * a PIN refused, and every way a lease is told about or ends. For ftrace,
 * perf and bpftrace; they cost a branch when disabled. The fields are the
 * same on every kernel (tests/test_trace.c reads them from the format
 * files), and only scalars, which every TRACE_EVENT() version writes
 * alike.
 *
 * duration_ns: for pinmgr_pin, how long the PIN took, from its charge to
 * its lease being published; for the others, how long the lease had
 * lived. runs: the runs pinned, as QUERY shows them (0 once the driver has
 * released the pages, as it has when an end by expiry, revocation or
 * invalidation is traced). tgid is the owner's, in the initial pid
 * namespace (tracing is for the administrator).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM pinmgr

#if !defined(PINMGR_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define PINMGR_TRACE_H

#include <linux/ktime.h>
#include <linux/pid.h>
#include <linux/tracepoint.h>

#include "pinmgr.h"

TRACE_DEFINE_ENUM(PINMGR_PIN_WRITE);
TRACE_DEFINE_ENUM(PINMGR_PIN_LONGTERM);
TRACE_DEFINE_ENUM(PINMGR_PIN_WATCH);
TRACE_DEFINE_ENUM(PINMGR_PIN_RELEASE_ON_STALE);
TRACE_DEFINE_ENUM(PINMGR_PIN_WATCH_ONLY);

#define pinmgr_trace_pin_flags(flags)					\
	__print_flags(flags, "|",					\
		      { PINMGR_PIN_WRITE, "write" },			\
		      { PINMGR_PIN_LONGTERM, "longterm" },		\
		      { PINMGR_PIN_WATCH, "watch" },			\
		      { PINMGR_PIN_RELEASE_ON_STALE, "release_on_stale" }, \
		      { PINMGR_PIN_WATCH_ONLY, "watch_only" })

DECLARE_EVENT_CLASS(pinmgr_lease_class,
		    TP_PROTO(const struct pinmgr_lease *lease),
		    TP_ARGS(lease),
		    TP_STRUCT__entry(__field(u64, handle)
				     __field(u64, pages)
				     __field(u64, runs)
				     __field(u64, duration_ns)
				     __field(pid_t, tgid)
				     __field(u32, flags)),
		    TP_fast_assign(__entry->handle = lease->handle;
				   __entry->pages = lease->nr_pages;
				   __entry->runs = lease->pinned ?
						   READ_ONCE(lease->nr_runs) : 0;
				   __entry->duration_ns =
					max_t(s64, ktime_get_real_ns() -
						   lease->create_time_ns, 0);
				   __entry->tgid = pid_nr(lease->owner);
				   __entry->flags = lease->pin_flags;),
		    TP_printk("handle=%llu tgid=%d pages=%llu runs=%llu flags=%s duration_ns=%llu",
			      __entry->handle, __entry->tgid, __entry->pages,
			      __entry->runs,
			      pinmgr_trace_pin_flags(__entry->flags),
			      __entry->duration_ns)
);

#define PINMGR_LEASE_EVENT(name)					\
	DEFINE_EVENT(pinmgr_lease_class, name,				\
		     TP_PROTO(const struct pinmgr_lease *lease),		\
		     TP_ARGS(lease))

/* Pinned and published: PIN or one lease of PIN_VEC. */
PINMGR_LEASE_EVENT(pinmgr_pin);
/* Ended by its owner: UNPIN, or the close of its file. */
PINMGR_LEASE_EVENT(pinmgr_unpin);
/* Ended by its deadline. */
PINMGR_LEASE_EVENT(pinmgr_expire);
/* Told to give its pages back by a deadline (REVOKE as a break). */
PINMGR_LEASE_EVENT(pinmgr_break);
/* Ended by a revocation, or by its break's deadline. */
PINMGR_LEASE_EVENT(pinmgr_revoke);
/* Its mapping changed under a watch. */
PINMGR_LEASE_EVENT(pinmgr_stale);
/* Ended as stale, by the flag that asked for it. */
PINMGR_LEASE_EVENT(pinmgr_invalidate);
/* Exported as a dma-buf. */
PINMGR_LEASE_EVENT(pinmgr_export);

/* A PIN refused; why names the limit it met, or the failure's kind. */
TRACE_EVENT(pinmgr_pin_fail,
	    TP_PROTO(u64 addr, unsigned long pages, u32 flags, int err),
	    TP_ARGS(addr, pages, flags, err),
	    TP_STRUCT__entry(__field(u64, addr)
			     __field(u64, pages)
			     __field(pid_t, tgid)
			     __field(u32, flags)
			     __field(int, err)),
	    TP_fast_assign(__entry->addr = addr;
			   __entry->pages = pages;
			   __entry->tgid = task_tgid_nr(current);
			   __entry->flags = flags;
			   __entry->err = err;),
	    TP_printk("tgid=%d addr=0x%llx pages=%llu flags=%s err=%d why=%s",
		      __entry->tgid, __entry->addr, __entry->pages,
		      pinmgr_trace_pin_flags(__entry->flags), __entry->err,
		      __print_symbolic(-__entry->err,
				       { EDQUOT, "memlock" },
				       { EXFULL, "budget" },
				       { ELOOP, "budget_depth" },
				       { EFBIG, "max_lease_pages" },
				       { EMFILE, "max_leases" },
				       { ENOSPC, "max_device_pages" },
				       { EFAULT, "fault" },
				       { EOPNOTSUPP, "file" },
				       { EINTR, "interrupted" },
				       { ENOMEM, "nomem" }))
);

#endif /* PINMGR_TRACE_H */

/* Out of the kernel's tree: the header is found next to the sources. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE pinmgr_trace
#include <trace/define_trace.h>

/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The one list of a lease's fields and the one list of the device's
 * figures, as X-macros. The driver (its snapshot, QUERY, the netlink fills
 * and their sizes, sysfs), the library (its netlink and QUERY decodes) and
 * pinctl (its columns, JSON keys, Prometheus names) all expand these. The
 * netlink spec (pinmgr.yaml) is checked against them as the module builds
 * (attribute numbers and counts) and by tables-check.py (names, types).
 * Adding a field or a figure starts with one line here.
 *
 * Not installed: the ABI is linux/pinmgr.h and linux/pinmgr_netlink.h; this
 * file only names their members.
 */
#ifndef _PINMGR_TABLES_H
#define _PINMGR_TABLES_H

/*
 * A lease's fields, in netlink attribute order:
 *
 *	X(name, ATTR, type, kind, query)
 *
 * name:  the member of the driver's struct pinmgr_lease_view and of
 *        libpinctl's struct pinctl_lease, and pinctl's JSON key
 * ATTR:  its attribute, PINMGR_A_<ATTR>
 * type:  U64, U32 or STR (a NUL-terminated name of PINMGR_COMM_LEN bytes)
 * kind:  how people read it: ID, PID, UID, TEXT, ADDR, BYTES, COUNT,
 *        FLAGS, STATE, REASON (enum pinmgr_stale_reason), TIME
 *        (CLOCK_REALTIME ns, 0 for none)
 * query: its member in struct pinmgr_query
 *
 * The spec's request-only attributes (now, stats, pad) follow end_time; the
 * fields after them were added later, and are numbered after pad.
 */
#define PINMGR_LEASE_FIELDS(X)						\
	X(handle,		HANDLE,		U64, ID,    handle)		\
	X(file_id,		FILE_ID,	U64, ID,    out_file_id)	\
	X(tgid,			TGID,		U32, PID,   out_owner_tgid)	\
	X(uid,			UID,		U32, UID,   out_owner_uid)	\
	X(comm,			COMM,		STR, TEXT,  out_owner_comm)	\
	X(addr,			ADDR,		U64, ADDR,  out_addr)		\
	X(length,		LENGTH,		U64, BYTES, out_length)		\
	X(nr_pages,		PAGES,		U64, COUNT, out_nr_pages)	\
	X(nr_runs,		RUNS,		U64, COUNT, out_nr_runs)	\
	X(metadata_bytes,	METADATA_BYTES,	U64, BYTES, out_metadata_bytes)	\
	X(flags,		FLAGS,		U32, FLAGS, out_pin_flags)	\
	X(state,		STATE,		U32, STATE, out_state)		\
	X(cookie,		COOKIE,		U64, ID,    out_cookie)		\
	X(create_time_ns,	CREATE_TIME,	U64, TIME,  out_create_time_ns)	\
	X(expire_time_ns,	EXPIRE_TIME,	U64, TIME,  out_expire_time_ns)	\
	X(break_deadline_ns,	BREAK_DEADLINE,	U64, TIME,  out_break_deadline_ns) \
	X(end_time_ns,		END_TIME,	U64, TIME,  out_end_time_ns)	\
	X(stale_reason,		STALE_REASON,	U32, REASON, out_stale_reason)	\
	X(watch_slot,		WATCH_SLOT,	U32, COUNT, out_watch_slot)	\
	X(stale_addr,		STALE_ADDR,	U64, ADDR,  out_stale_addr)	\
	X(stale_length,		STALE_LENGTH,	U64, BYTES, out_stale_length)	\
	X(exports,		EXPORTS,	U32, COUNT, out_exports)	\
	X(export_holds,		EXPORT_HOLDS,	U32, COUNT, out_export_holds)	\
	X(cgroup_id,		CGROUP_ID,	U64, ID,    out_cgroup_id)

/*
 * The device's figures, in netlink attribute order (a new one goes last,
 * after the spec's pad, so that no attribute's number ever changes):
 *
 *	X(name, ATTR, source, unit, dir, file, prom, label, help)
 *
 * name:   the member of libpinctl's struct pinctl_stats, pinctl's key
 * ATTR:   its attribute, PINMGR_A_STATS_<ATTR>
 * source: COUNTER (counted per CPU on the pin path), GAUGE (a figure the
 *         driver keeps, read by pinmgr_gauge_<name>()) or TUNABLE (the
 *         module parameter pinmgr_<name>)
 * unit:   COUNT, PAGES (pinctl shows bytes) or MS (pinctl shows seconds)
 * dir:    where sysfs shows it under the device: TOP, FAILURES, or
 *         TUNABLES (a writable file of its own, pinmgr_sysfs.c)
 * file:   its sysfs file name in that directory
 * prom:   its Prometheus metric; PAGES figures are exported in bytes and
 *         MS figures in seconds, and the name says so
 * label:  the value of the metric's "cause" label, or "" for none
 * help:   one sentence, the metric's HELP and pinctl's description
 */
#define PINMGR_STATS(X)							\
	X(leases, LEASES, GAUGE, COUNT, TOP, leases,			\
	  "pinmgr_leases", "",						\
	  "Live leases of /dev/pinmgr (pages pinned).")			\
	X(ended_leases, ENDED_LEASES, GAUGE, COUNT, TOP, ended_leases,	\
	  "pinmgr_ended_leases", "",					\
	  "Leases that expired or were revoked, not yet acknowledged by their owners.") \
	X(files, FILES, GAUGE, COUNT, TOP, files,			\
	  "pinmgr_open_files", "",					\
	  "Open files of /dev/pinmgr.")					\
	X(pinned_pages, PINNED_PAGES, GAUGE, PAGES, TOP, pinned_pages,	\
	  "pinmgr_pinned_bytes", "",					\
	  "Memory pinned through /dev/pinmgr.")				\
	X(pins, PINS, COUNTER, COUNT, TOP, pins,			\
	  "pinmgr_pins_total", "",					\
	  "Leases created since the module was loaded.")		\
	X(unpins, UNPINS, COUNTER, COUNT, TOP, unpins,			\
	  "pinmgr_unpins_total", "",					\
	  "Leases ended by their owners (unpin or close).")		\
	X(expiries, EXPIRIES, COUNTER, COUNT, TOP, expiries,		\
	  "pinmgr_expiries_total", "",					\
	  "Leases that ran out.")					\
	X(revocations, REVOCATIONS, COUNTER, COUNT, TOP, revocations,	\
	  "pinmgr_revocations_total", "",				\
	  "Leases whose pages a revocation released.")			\
	X(fail_memlock, FAIL_MEMLOCK, COUNTER, COUNT, FAILURES, memlock, \
	  "pinmgr_pin_failures_total", "memlock",			\
	  "Pins refused over RLIMIT_MEMLOCK (EDQUOT).")			\
	X(fail_lease_pages, FAIL_LEASE_PAGES, COUNTER, COUNT, FAILURES,	\
	  lease_pages, "pinmgr_pin_failures_total", "lease_pages",	\
	  "Pins refused over max_lease_pages (EFBIG).")			\
	X(fail_leases, FAIL_LEASES, COUNTER, COUNT, FAILURES, leases,	\
	  "pinmgr_pin_failures_total", "leases",			\
	  "Pins refused over max_leases (EMFILE).")			\
	X(fail_device_pages, FAIL_DEVICE_PAGES, COUNTER, COUNT, FAILURES, \
	  device_pages, "pinmgr_pin_failures_total", "device_pages",	\
	  "Pins refused over max_device_pages (ENOSPC).")		\
	X(fail_fault, FAIL_FAULT, COUNTER, COUNT, FAILURES, fault,	\
	  "pinmgr_pin_failures_total", "fault",				\
	  "Pins that faulted (EFAULT).")				\
	X(fail_file, FAIL_FILE, COUNTER, COUNT, FAILURES, file,		\
	  "pinmgr_pin_failures_total", "file",				\
	  "Long-term pins of file mappings the kernel cannot pin so (EOPNOTSUPP).") \
	X(fail_interrupted, FAIL_INTERRUPTED, COUNTER, COUNT, FAILURES,	\
	  interrupted, "pinmgr_pin_failures_total", "interrupted",	\
	  "Pins ended by a fatal signal (EINTR).")			\
	X(fail_nomem, FAIL_NOMEM, COUNTER, COUNT, FAILURES, nomem,	\
	  "pinmgr_pin_failures_total", "nomem",				\
	  "Pins that ran out of memory (ENOMEM).")			\
	X(max_lease_pages, MAX_LEASE_PAGES, TUNABLE, PAGES, TUNABLES,	\
	  max_lease_pages, "pinmgr_lease_limit_bytes", "",		\
	  "The max_lease_pages parameter: memory one lease may pin (0: no limit).") \
	X(max_leases, MAX_LEASES, TUNABLE, COUNT, TUNABLES, max_leases,	\
	  "pinmgr_file_lease_limit", "",				\
	  "The max_leases parameter: leases per open file (0: no limit).") \
	X(max_device_pages, MAX_DEVICE_PAGES, TUNABLE, PAGES, TUNABLES,	\
	  max_device_pages, "pinmgr_device_limit_bytes", "",		\
	  "The max_device_pages parameter: memory the device may pin (0: no limit).") \
	X(break_time_ms, BREAK_TIME_MS, TUNABLE, MS, TUNABLES,		\
	  break_time_ms, "pinmgr_break_time_seconds", "",		\
	  "How long a break lasts before a revoked lease's pages are released.") \
	X(max_events, MAX_EVENTS, TUNABLE, COUNT, TUNABLES, max_events,	\
	  "pinmgr_event_queue_limit", "",				\
	  "The max_events parameter: events an open file's queue holds.") \
	X(renewals, RENEWALS, COUNTER, COUNT, TOP, renewals,		\
	  "pinmgr_renewals_total", "",					\
	  "Leases given a new end by their owners (RENEW).")		\
	X(stale_leases, STALE_LEASES, COUNTER, COUNT, TOP, stale_leases, \
	  "pinmgr_stale_leases_total", "",				\
	  "Watched leases whose range stopped mapping their pages.")	\
	X(exports, EXPORTS, COUNTER, COUNT, TOP, exports,		\
	  "pinmgr_exports_total", "",					\
	  "Dma-bufs made of leases (EXPORT).")				\
	X(export_held_ends, EXPORT_HELD_ENDS, COUNTER, COUNT, TOP,	\
	  export_held_ends, "pinmgr_export_held_ends_total", "",	\
	  "Exported leases that ended while a device still held their pages.") \
	X(fail_budget, FAIL_BUDGET, COUNTER, COUNT, FAILURES, budget,	\
	  "pinmgr_pin_failures_total", "budget",			\
	  "Pins refused over the budget of a cgroup on the pinner's path (EXFULL).")

#endif /* _PINMGR_TABLES_H */

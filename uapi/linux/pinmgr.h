/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * pinmgr: pin user memory through the kernel's FOLL_PIN machinery, with
 * FOLL_LONGTERM chosen per request, and account and inspect every pin.
 */
#ifndef _UAPI_LINUX_PINMGR_H
#define _UAPI_LINUX_PINMGR_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define PINMGR_DEVICE_PATH	"/dev/pinmgr"
#define PINMGR_ABI_VERSION	1

/*
 * The largest @size of an ioctl's structure, and @range_size of PIN_VEC, the
 * kernel reads (E2BIG beyond): bytes past its own structure are read only
 * to check that they are zero.
 */
#define PINMGR_STRUCT_SIZE_MAX	4096

/**
 * DOC: General ioctl format
 *
 * Every ioctl takes a pointer to a structure whose first __u32 is the size of
 * the structure as the caller knows it, and whose second __u32 is a flags
 * word. The kernel reads min(size, its own size) bytes and requires every byte
 * beyond its own size to be zero, so an old kernel refuses requests it cannot
 * understand and a new kernel zero-extends old requests. Output fields
 * (out_*, and fields marked "out:") are written back only up to the caller's
 * size; their input values are ignored. Structures grow only at their
 * tail; every structure has only fixed-width members and explicit padding.
 *
 * An open file of /dev/pinmgr is a context, bound to the opener's address
 * space (mm). Each successful PIN creates a lease: one pinned range, named by
 * a 64-bit handle that is unique on the device and never reused while the
 * module is loaded. 0 is never a valid handle. Handles are not ordered: two
 * leases created one after the other on different CPUs may get handles in
 * either order. Every lease of a context ends when the context's file is
 * released (last close, or process exit).
 *
 * A lease may also end on its own or be taken back:
 *
 *  - Expiry: a lease pinned with a duration (or given one by RENEW) ends
 *    when the duration runs out. Its pages are released by the driver, in
 *    process context, and then a PINMGR_EVENT_EXPIRED event is queued.
 *  - Revocation: an administrator (CAP_SYS_ADMIN) may REVOKE any lease on
 *    the device. That starts a break: the lease goes to the BREAKING state
 *    and the owner gets a PINMGR_EVENT_BREAKING event with the deadline,
 *    break_time_ms (a module parameter) from now. The owner may UNPIN
 *    before the deadline, which ends the lease as usual; at the deadline
 *    the driver releases the pages itself and queues PINMGR_EVENT_REVOKED.
 *    PINMGR_REVOKE_NOW skips the break.
 *
 * A lease that expired or was revoked keeps its handle, for its owner only:
 * QUERY shows its final state (PINMGR_LEASE_EXPIRED or _REVOKED), LIST
 * still names it, and every other command on it fails with EKEYEXPIRED or
 * EKEYREVOKED. UNPIN acknowledges it: it fails with that errno once and
 * the handle is gone afterwards (ENOENT). Closing the file acknowledges
 * them all. So an owner can always tell "taken from me" from "never had it".
 *
 * Events are read with read(2) on the file: whole struct pinmgr_event
 * records, oldest first. poll(2) reports EPOLLIN while there are events;
 * with O_NONBLOCK an empty queue gives EAGAIN; with O_ASYNC (F_SETOWN,
 * F_SETSIG) the owner gets SIGIO for each event, as for file leases. The
 * queue holds max_events events (a module parameter, fixed when the
 * context first needs it); events beyond are dropped and counted, and a
 * PINMGR_EVENT_OVERFLOW record says how many after the events that made it.
 *
 * Limits, and whom they bound. The device is meant to be opened by anyone
 * (mode 0666, as io_uring and RDMA's uverbs are), so every pin is held to
 * limits that no unprivileged sequence of calls can get around:
 *
 *  - RLIMIT_MEMLOCK bounds the pages a *user* holds pinned, not an address
 *    space: each lease is charged to the real uid of the task that pinned
 *    it (the kernel's per-user locked_vm, which io_uring, iommufd and others
 *    charge too), for as long as the lease holds its pages, whoever holds
 *    its file by then. A lease outlives its process when its file was
 *    passed on (SCM_RIGHTS), inherited by a child, or kept open across
 *    exec; charged to the address space, its pages would count against an
 *    mm that no longer runs while a new one started from zero. The pinning
 *    process's VmPin also shows the pages while it lives. CAP_IPC_LOCK lifts
 *    the limit (the pages are still counted).
 *  - A short-term pin (without PINMGR_PIN_LONGTERM) skips what long-term
 *    pins go through: its pages are not moved out of ZONE_MOVABLE and CMA
 *    first, and file mappings that need writeback are not refused. Held
 *    for long, it keeps memory from being compacted, offlined or used by
 *    CMA, and a lease lasts as long as its owner likes. So only a caller
 *    with CAP_IPC_LOCK gets a true short-term pin; anyone else's is made
 *    long-term, as io_uring and RDMA make every pin: it succeeds, fails
 *    and moves pages exactly as a PINMGR_PIN_LONGTERM pin would, and QUERY
 *    and every listing show PINMGR_PIN_LONGTERM in its flags.
 *  - max_lease_pages, max_leases (per open file, ended leases not yet
 *    acknowledged included) and max_device_pages bound one lease, one
 *    file and the device. The kernel memory a caller makes the driver
 *    allocate is charged to its memory cgroup.
 *
 * Nothing an owner does stalls the administrator: no lock or reference that
 * REVOKE, an expiry or a listing waits for is held while the kernel reads
 * or writes the owner's memory, so a buffer whose page fault never
 * completes (userfaultfd, a FUSE file whose server does not answer) holds
 * up only the call that uses it. A revocation or expiry that meets an
 * ACCESS in progress ends the lease at once; the ACCESS stops at the next
 * page with the lease's ended errno.
 *
 * What a forced release means: when a break runs out, or an administrator
 * revokes now, the pages are unpinned whatever the owner is doing with them.
 * The owner's mappings are untouched, but a device that was given their
 * physical addresses (GET_SEGMENTS) and still writes to them writes into
 * memory that the kernel may by then have given to someone else. An owner
 * that hands physical addresses to a device must stop the device when it
 * reads PINMGR_EVENT_BREAKING, and UNPIN before the deadline.
 *
 * Watched leases. A lease pinned with PINMGR_PIN_WATCH registers an MMU
 * notifier on its range and learns when the owner's range stops mapping the
 * pages the lease holds: munmap(2), an mremap(2) that moves or shrinks it,
 * an mmap(2) MAP_FIXED over it, shmdt(2), a brk(2) that shrinks past it,
 * madvise(2) MADV_DONTNEED or MADV_REMOVE, a truncation or hole punch of the
 * file behind it, or the address space going away. The lease then becomes
 * stale: QUERY and every listing show PINMGR_LEASE_STALE with the affected
 * subrange and a reason (enum pinmgr_stale_reason), the owner reads a
 * PINMGR_EVENT_STALE event, and the netlink monitor group is told. Its pages
 * stay pinned until the owner unpins them, unless the lease was pinned with
 * PINMGR_PIN_RELEASE_ON_STALE: the driver then releases them itself and the
 * lease ends as PINMGR_LEASE_INVALIDATED (ESTALE, acknowledged by UNPIN like
 * an expired lease).
 *
 * Only real changes count: what leaves the same pages mapped (mprotect(2),
 * NUMA hinting faults, clearing soft-dirty bits, a migration or a huge page
 * collapse that the pin refuses, fork(2)'s write protection) does not make
 * a lease stale. The driver decides by the notifier's event and, for the
 * events that may or may not remove pages, by looking at the mapping again
 * once the kernel is done with it. MADV_FREE leaves pinned pages mapped (the
 * kernel never discards a pinned page) and so does not make a pinning lease
 * stale.
 *
 * Exported leases. EXPORT makes a dma-buf of a lease (struct pinmgr_export),
 * which any driver that imports dma-bufs can use: V4L2, DRM PRIME, RDMA,
 * iommufd. The dma-buf holds the lease's pages pinned, and charged to the
 * user that pinned them, for as long as it lives: after the owner's UNPIN
 * or exit too. The lease is then HELD (PINMGR_LEASE_HELD): no command of
 * the owner's reaches it but QUERY, and every listing still shows it, with
 * its handle, until the last dma-buf of it is released. It is writable only
 * if the lease is a write pin; a read-only export refuses a device mapping
 * that lets the device write, a writable mmap(2), and a kernel mapping
 * (vmap) of its pages.
 *
 * What an end means for an exported lease. When it expires, is revoked (at
 * the deadline of the break, or now) or is released as stale, the dma-buf
 * stops giving the pages out: mapping it for a device and attaching a
 * device that cannot be told to let go (a static importer) fail with
 * ENODEV; a new kernel mapping (vmap) maps a blank page instead of the
 * lease's; mmap(2)s of it are unmapped and a later access gets SIGBUS; an
 * importer that can be told (a dynamic importer) is told to unmap
 * (move_notify). What a device has mapped by then it keeps, and so does a
 * device whose attachment pins the dma-buf (every static importer, and a
 * dynamic one that pins unless PINMGR_FEATURE_EXPORT_REVOCABLE_PINS says
 * the kernel knows it unmaps when told): the pages stay pinned and
 * charged until the last such mapping or pin goes; the
 * lease ends for its owner on time all the same, who then reads a
 * PINMGR_EVENT_HELD event after the end's own event, and QUERY shows the
 * holds (@out_export_holds) until they are gone. A revocation cannot take
 * memory from a device that does not let go; it can only make sure that
 * nothing else gets it and say who still holds it.
 *
 * A HELD lease, whose owner let go of it, can be revoked too, at once only
 * (PINMGR_REVOKE_NOW; a break fails with ESRCH): its dma-bufs stop giving
 * the pages out as above, and the pages go once no device holds them,
 * while the dma-bufs may stay open for as long as their holders like. The
 * listings show it as PINMGR_LEASE_REVOKED, with its exports and holds,
 * until the last dma-buf is closed; its owner's QUERY no longer finds it.
 *
 * The status area. Each watched lease has a slot (@out_watch_slot of PIN)
 * in its context's status area, which the owner maps read-only with
 * mmap(2) of the context's file at offset PINMGR_WATCH_MMAP_OFFSET. Slot s
 * is the __u64 at byte s * 8 of the area: its generation. PIN returns the
 * generation the lease starts with (@out_watch_gen); the kernel changes it,
 * with release ordering, inside the notifier, before the call that unmapped
 * or discarded the range returns, and again when the lease ends. So the
 * lease still maps what it holds exactly while
 *
 *	__atomic_load_n(&area[slot], __ATOMIC_ACQUIRE) == out_watch_gen
 *
 * in any thread, with no system call. Slots are reused by later leases with
 * a larger generation, never the same one. Slot 0 is no lease's: its word
 * counts the context's leases that became stale, so one load tells whether
 * any lease needs looking at. The area is PINMGR_WATCH_SLOTS_MAX slots long;
 * a mapping may cover any part of it from offset 0. Only the context's
 * owner (the opener's mm) may map it, and only read-only. As with any
 * mapping of a file, the mapping holds the file open: the context and its
 * leases end when the file is closed and the area unmapped.
 *
 * Watch-only leases (PINMGR_PIN_WATCH_ONLY) watch a range without pinning
 * it: nothing is charged or pinned, and the pages stay free to migrate and
 * be swapped out. They become stale as watched leases do, and are for
 * callers that only need the notice (a registration cache whose device pins
 * by itself) or a device that takes faults. ACCESS through such a lease
 * faults the pages in through the owner's page tables as they are at that
 * moment; GET_SEGMENTS refuses it (EINVAL: it has no stable physical pages).
 *
 * Errors, common to all ioctls:
 *
 *  - ENOTTY: the ioctl number is not a pinmgr command.
 *  - EFAULT: the argument pointer, or a pointer inside it, cannot be
 *    accessed; or a range to pin reaches beyond user space.
 *  - EINVAL: @size is smaller than the first version of the structure, a
 *    reserved field or padding is not zero, or a field's value is invalid
 *    (zero or unaligned address or length, a range that wraps around).
 *  - E2BIG: @size is larger than the kernel's structure and the extra bytes
 *    are not all zero: the caller uses a field this kernel does not know;
 *    or @size (PIN_VEC: @range_size) is over PINMGR_STRUCT_SIZE_MAX.
 *  - EOPNOTSUPP: @flags has a bit this kernel does not know.
 *  - EPERM: the caller's mm is not the context's mm (a forked child or a
 *    process that received the file), for PIN, PIN_VEC, UNPIN, RENEW and
 *    ACCESS; or the
 *    caller lacks CAP_SYS_ADMIN, for GET_SEGMENTS.
 *  - EACCES: ACCESS asked to write into a lease that is not a write pin.
 *  - ENOENT: no lease with that handle in this context (never existed,
 *    already unpinned or acknowledged, or another context's).
 *  - EKEYEXPIRED: the lease expired; its pages were released. UNPIN
 *    acknowledges it (see above).
 *  - EKEYREVOKED: the lease was revoked; its pages were released. UNPIN
 *    acknowledges it.
 *  - ESTALE: the lease was released when its mapping changed
 *    (PINMGR_PIN_RELEASE_ON_STALE). UNPIN acknowledges it.
 *  - ENOMEM: the kernel could not allocate memory for the request.
 *  - EINTR: a fatal signal arrived while pinning (nothing stays pinned),
 *    or during ACCESS or GET_SEGMENTS (what was copied stays copied).
 *
 * PINMGR_IOC_PIN_VEC fails as PIN does, for the first range that fails, and
 * says which range that was; with EINVAL also for zero ranges or more than
 * PINMGR_PIN_VEC_MAX.
 *
 * Errors of RENEW and REVOKE:
 *
 *  - EBUSY: RENEW of a lease under a break (its end is the administrator's);
 *    REVOKE without PINMGR_REVOKE_NOW of a lease already under a break.
 *  - EPERM: REVOKE by a caller without CAP_SYS_ADMIN.
 *  - ENOENT: REVOKE of a handle that names no lease on the device, or one
 *    whose owner has closed its file (unless dma-bufs of it hold it).
 *  - ESRCH: REVOKE without PINMGR_REVOKE_NOW of a HELD lease: a break
 *    gives an owner time to let go, and a HELD lease has none.
 *  - EKEYEXPIRED, EKEYREVOKED: REVOKE of a lease that has already ended
 *    (or is ending) by expiry or by revocation; nothing changes.
 *  - ENOMEM: REVOKE could not make the owner's event queue, which must
 *    hold the events of the break; nothing changes.
 *
 * Errors of read(2): EINVAL for a buffer smaller than one event, EAGAIN for
 * an empty queue with O_NONBLOCK, EINTR (or a restart) on a signal.
 *
 * Errors of PINMGR_IOC_PIN, one per limit, so that a caller can tell which
 * limit was hit and compare with PINMGR_IOC_GET_INFO:
 *
 *  - EDQUOT: the pin would take the pages locked by the caller's user
 *    (pinmgr's leases and every other charger of the user's locked_vm, in
 *    every process of the user) over the caller's RLIMIT_MEMLOCK, and the
 *    caller lacks CAP_IPC_LOCK.
 *  - EFBIG: the range has more pages than the max_lease_pages parameter.
 *  - EMFILE: the context already holds max_leases leases.
 *  - ENOSPC: the device-wide pinned pages would exceed max_device_pages.
 *  - EXFULL: the pin would take a cgroup on the caller's path (its cgroup v2
 *    directory or an ancestor) over the budget set on it
 *    (PINMGR_FEATURE_BUDGETS).
 *  - ELOOP: more than 16 cgroups on the caller's path have budgets; a pin
 *    charges at most 16, so it charges none and is refused.
 *
 * and from the kernel's pin_user_pages*() itself:
 *
 *  - EFAULT: part of the range is unmapped or PROT_NONE, a write pin covers a
 *    read-only mapping, or a long-term write pin covers a shared mapping of
 *    an ordinary file (refused since Linux 6.5; earlier kernels allow it).
 *  - EOPNOTSUPP: a long-term pin covers an fsdax mapping.
 *
 * and for watched leases:
 *
 *  - EINVAL: PINMGR_PIN_RELEASE_ON_STALE without PINMGR_PIN_WATCH, or
 *    PINMGR_PIN_WATCH_ONLY with PINMGR_PIN_LONGTERM or
 *    PINMGR_PIN_RELEASE_ON_STALE.
 *  - EOPNOTSUPP: the module was built for a kernel without MMU notifiers
 *    (PINMGR_FEATURE_WATCH is absent).
 *  - EMFILE: the context already has PINMGR_WATCH_SLOTS_MAX - 1 watched
 *    leases (every slot but 0 is taken).
 *
 * No failed request leaves anything pinned or charged.
 */

#define PINMGR_TYPE	0xB9

enum {
	PINMGR_CMD_GET_INFO = 0x00,
	PINMGR_CMD_PIN = 0x01,
	PINMGR_CMD_UNPIN = 0x02,
	PINMGR_CMD_QUERY = 0x03,
	PINMGR_CMD_LIST = 0x04,
	PINMGR_CMD_ACCESS = 0x05,
	PINMGR_CMD_GET_SEGMENTS = 0x06,
	PINMGR_CMD_PIN_VEC = 0x07,
	PINMGR_CMD_RENEW = 0x08,
	PINMGR_CMD_REVOKE = 0x09,
	PINMGR_CMD_EXPORT = 0x0a,
};

/**
 * enum pinmgr_features - feature bits reported by PINMGR_IOC_GET_INFO
 * @PINMGR_FEATURE_LONGTERM: PINMGR_PIN_LONGTERM is supported.
 * @PINMGR_FEATURE_WRITE: PINMGR_PIN_WRITE is supported.
 * @PINMGR_FEATURE_PIN_VEC: PINMGR_IOC_PIN_VEC is supported.
 * @PINMGR_FEATURE_EXPIRY: leases may have a duration; RENEW is supported.
 * @PINMGR_FEATURE_REVOKE: REVOKE and breaks are supported.
 * @PINMGR_FEATURE_EVENTS: read(2), poll(2) and O_ASYNC deliver events.
 * @PINMGR_FEATURE_USER_LIMITS: RLIMIT_MEMLOCK bounds the caller's user
 *	(@user_pinned_pages of struct pinmgr_info), and short-term pins of
 *	callers without CAP_IPC_LOCK are made long-term.
 * @PINMGR_FEATURE_NL_MONITOR: the netlink family has its "monitor" group,
 *	which carries every lease's events to CAP_SYS_ADMIN listeners. Absent
 *	where generic netlink cannot keep a group to administrators (kernels
 *	without GENL_MCAST_CAP_SYS_ADMIN, such as 5.10): the family then has
 *	no such group, and the device's own events are the only ones.
 * @PINMGR_FEATURE_LONGTERM_MOVES_MOVABLE: a long-term pin first moves the
 *	pages out of ZONE_MOVABLE (and CMA), so that it never keeps movable
 *	memory from being offlined or compacted. Absent before Linux 5.13,
 *	whose long-term pins move only CMA pages and may hold pages of
 *	ZONE_MOVABLE.
 * @PINMGR_FEATURE_WATCH: PINMGR_PIN_WATCH, PINMGR_PIN_RELEASE_ON_STALE,
 *	PINMGR_PIN_WATCH_ONLY and the status area are supported (the kernel
 *	has MMU notifiers).
 * @PINMGR_FEATURE_EXPORT: PINMGR_IOC_EXPORT makes dma-bufs of leases.
 * @PINMGR_FEATURE_EXPORT_REVOCABLE_PINS: the kernel says which importers
 *	let go of their mappings when told, even while they pin the dma-buf
 *	(the dma-buf revocation work of 2026, Linux 7.2 here): the pins of
 *	such importers do not keep an ended lease's pages; only their
 *	mappings do, until they unmap, as told. Without it every pinned
 *	attachment keeps the pages until it unpins. See "What an end means
 *	for an exported lease".
 * @PINMGR_FEATURE_BUDGETS: the kernel has cgroups, and the netlink family
 *	sets budgets per cgroup v2 directory; a PIN over one fails with
 *	EXFULL.
 */
enum pinmgr_features {
	PINMGR_FEATURE_LONGTERM = 1 << 0,
	PINMGR_FEATURE_WRITE = 1 << 1,
	PINMGR_FEATURE_PIN_VEC = 1 << 2,
	PINMGR_FEATURE_EXPIRY = 1 << 3,
	PINMGR_FEATURE_REVOKE = 1 << 4,
	PINMGR_FEATURE_EVENTS = 1 << 5,
	PINMGR_FEATURE_USER_LIMITS = 1 << 6,
	PINMGR_FEATURE_NL_MONITOR = 1 << 7,
	PINMGR_FEATURE_LONGTERM_MOVES_MOVABLE = 1 << 8,
	PINMGR_FEATURE_WATCH = 1 << 9,
	PINMGR_FEATURE_EXPORT = 1 << 10,
	PINMGR_FEATURE_EXPORT_REVOCABLE_PINS = 1 << 11,
	PINMGR_FEATURE_BUDGETS = 1 << 12,
};

/**
 * enum pinmgr_budget_flags - how a cgroup's budget applies
 * @PINMGR_BUDGET_SUFFICIENT: a process in the cgroup (or below) pins up to
 *	the budget whatever its RLIMIT_MEMLOCK, without CAP_IPC_LOCK: the
 *	budget stands in for memlock, as for a non-root container.
 */
enum pinmgr_budget_flags {
	PINMGR_BUDGET_SUFFICIENT = 1 << 0,
};

/**
 * enum pinmgr_info_out_flags - facts about the caller in struct pinmgr_info
 * @PINMGR_INFO_CAP_IPC_LOCK: the caller has CAP_IPC_LOCK, so its short-term
 *	pins are short-term indeed, and RLIMIT_MEMLOCK
 *	does not limit its pins.
 * @PINMGR_INFO_OWNER_MM: the caller's mm is the context's mm, so it may pin.
 */
enum pinmgr_info_out_flags {
	PINMGR_INFO_CAP_IPC_LOCK = 1 << 0,
	PINMGR_INFO_OWNER_MM = 1 << 1,
};

/**
 * struct pinmgr_info - ioctl(PINMGR_IOC_GET_INFO)
 * @size: sizeof(struct pinmgr_info)
 * @flags: must be 0
 * @abi_version: out: PINMGR_ABI_VERSION of the running module
 * @page_size: out: the kernel's page size in bytes
 * @features: out: bitmap of enum pinmgr_features
 * @out_flags: out: bitmap of enum pinmgr_info_out_flags
 * @__reserved: must be 0
 * @max_lease_pages: out: pages one lease may hold (module parameter)
 * @max_leases: out: leases one context may hold (module parameter)
 * @max_device_pages: out: pages all leases together may hold
 * @memlock_limit_pages: out: the caller's RLIMIT_MEMLOCK in pages, or
 *	~0ULL for RLIM_INFINITY
 * @mm_pinned_pages: out: the context mm's pinned pages (VmPin) from every
 *	pinning interface, not only pinmgr
 * @ctx_leases: out: leases held by this context
 * @ctx_pinned_pages: out: pages pinned by this context
 * @device_leases: out: leases held on the whole device
 * @device_pinned_pages: out: pages pinned on the whole device
 * @break_time_ns: out: how long a break lasts before the pages are
 *	released by force (the break_time_ms module parameter)
 * @max_events: out: events this context's queue holds
 * @user_pinned_pages: out: pages locked by the caller's user, which
 *	RLIMIT_MEMLOCK bounds: pinmgr's leases and every other charger of the
 *	user's locked_vm (io_uring's buffers, for one), in all its processes
 *
 * Reports the limits and how much of each is in use, so that a caller whose
 * PINMGR_IOC_PIN failed can say which limit it hit and by how much.
 */
struct pinmgr_info {
	__u32 size;
	__u32 flags;
	__u32 abi_version;
	__u32 page_size;
	__u64 features;
	__u32 out_flags;
	__u32 __reserved;
	__u64 max_lease_pages;
	__u64 max_leases;
	__u64 max_device_pages;
	__u64 memlock_limit_pages;
	__u64 mm_pinned_pages;
	__u64 ctx_leases;
	__u64 ctx_pinned_pages;
	__u64 device_leases;
	__u64 device_pinned_pages;
	__u64 break_time_ns;
	__u64 max_events;
	__u64 user_pinned_pages;
};

#define PINMGR_IOC_GET_INFO	_IO(PINMGR_TYPE, PINMGR_CMD_GET_INFO)

/**
 * enum pinmgr_pin_flags - flags of struct pinmgr_pin
 * @PINMGR_PIN_WRITE: pin for writing (FOLL_WRITE): the pages may be written
 *	by the holder of the pin and are marked dirty at unpin. Breaks
 *	copy-on-write sharing at pin time. Needs a writable mapping.
 * @PINMGR_PIN_LONGTERM: pin for an indefinite time (FOLL_LONGTERM): pages
 *	are first migrated out of ZONE_MOVABLE and CMA, and file mappings the
 *	kernel cannot pin long-term are refused. Without it the pin is a short
 *	term one (FOLL_PIN only), as for direct I/O.
 * @PINMGR_PIN_WATCH: watch the range: the lease becomes stale when the
 *	range stops mapping its pages, and gets a slot in the status area
 *	(see the DOC block).
 * @PINMGR_PIN_RELEASE_ON_STALE: with PINMGR_PIN_WATCH: release the pages
 *	as soon as the lease becomes stale; it then ends as
 *	PINMGR_LEASE_INVALIDATED.
 * @PINMGR_PIN_WATCH_ONLY: watch without pinning: nothing is pinned or
 *	charged. Implies PINMGR_PIN_WATCH. With PINMGR_PIN_WRITE, ACCESS may
 *	write through the lease.
 */
enum pinmgr_pin_flags {
	PINMGR_PIN_WRITE = 1 << 0,
	PINMGR_PIN_LONGTERM = 1 << 1,
	PINMGR_PIN_WATCH = 1 << 2,
	PINMGR_PIN_RELEASE_ON_STALE = 1 << 3,
	PINMGR_PIN_WATCH_ONLY = 1 << 4,
};

/* The status area: mmap(2) offset and length in slots (see the DOC block). */
#define PINMGR_WATCH_MMAP_OFFSET	0
#define PINMGR_WATCH_SLOTS_MAX		262144	/* 2^18: 2 MiB of words */

/**
 * struct pinmgr_pin - ioctl(PINMGR_IOC_PIN)
 * @size: sizeof(struct pinmgr_pin)
 * @flags: bitmap of enum pinmgr_pin_flags
 * @addr: start of the range in the caller's address space; page aligned
 * @length: length of the range in bytes; non-zero and page aligned
 * @cookie: opaque value of the caller's, recorded with the lease
 * @out_handle: out: the new lease's handle
 * @out_nr_pages: out: pages pinned (@length / page size)
 * @out_nr_runs: out: physically contiguous runs the pages form
 * @duration_ns: how long the lease lasts, in nanoseconds from the pin; 0
 *	for no end of its own. It expires then (see the DOC block above).
 * @out_pin_flags: out: the enum pinmgr_pin_flags the lease was pinned
 *	with: @flags, and PINMGR_PIN_LONGTERM for a short-term request of a
 *	caller without CAP_IPC_LOCK (see the DOC block). Written only for a
 *	caller whose @size covers it.
 * @__reserved: must be 0
 * @out_watch_slot: out: a watched lease's slot in the status area, from 1;
 *	0 for a lease that is not watched. Written only for a caller whose @size
 *	covers it, as is @out_watch_gen.
 * @__reserved2: must be 0
 * @out_watch_gen: out: the slot's generation while the lease's mapping is
 *	unchanged (see the DOC block); 0 for a lease that is not watched
 *
 * Pins [@addr, @addr + @length) of the caller's mm, which must be the
 * context's mm, as one lease. Either every page is pinned and a lease exists,
 * or the call fails and nothing is pinned or charged.
 */
struct pinmgr_pin {
	__u32 size;
	__u32 flags;
	__u64 addr;
	__u64 length;
	__u64 cookie;
	__u64 out_handle;
	__u64 out_nr_pages;
	__u64 out_nr_runs;
	__u64 duration_ns;
	__u32 out_pin_flags;
	__u32 __reserved;
	__u32 out_watch_slot;
	__u32 __reserved2;
	__u64 out_watch_gen;
};

#define PINMGR_IOC_PIN		_IO(PINMGR_TYPE, PINMGR_CMD_PIN)

/**
 * struct pinmgr_unpin - ioctl(PINMGR_IOC_UNPIN)
 * @size: sizeof(struct pinmgr_unpin)
 * @flags: must be 0
 * @handle: the lease to end
 *
 * Ends a lease of this context: its pages are unpinned (marked dirty first if
 * it was a write pin) and uncharged. The handle is gone when UNPIN returns;
 * if a QUERY, ACCESS or GET_SEGMENTS of the same lease is still running in
 * another thread, the pages are released when that call returns.
 */
struct pinmgr_unpin {
	__u32 size;
	__u32 flags;
	__u64 handle;
};

#define PINMGR_IOC_UNPIN	_IO(PINMGR_TYPE, PINMGR_CMD_UNPIN)

/**
 * enum pinmgr_lease_state - state of a lease in struct pinmgr_query
 * @PINMGR_LEASE_ACTIVE: the pages are pinned.
 * @PINMGR_LEASE_BREAKING: revoked, with a deadline: the pages are pinned
 *	until the owner unpins them or the deadline passes.
 * @PINMGR_LEASE_EXPIRED: the lease ran out; its pages were released.
 * @PINMGR_LEASE_REVOKED: the lease was revoked; its pages were released.
 * @PINMGR_LEASE_STALE: a watched lease whose range no longer maps its
 *	pages; a pinning lease still holds them.
 * @PINMGR_LEASE_INVALIDATED: a lease pinned with
 *	PINMGR_PIN_RELEASE_ON_STALE became stale; its pages were released.
 * @PINMGR_LEASE_HELD: its owner unpinned it (or closed its file) while a
 *	dma-buf of it was open: the pages stay pinned, and the lease stays
 *	visible with its handle (QUERY, netlink, debugfs), until the last
 *	dma-buf is released. Every command but QUERY answers ENOENT.
 */
enum pinmgr_lease_state {
	PINMGR_LEASE_ACTIVE = 1,
	PINMGR_LEASE_BREAKING = 2,
	PINMGR_LEASE_EXPIRED = 3,
	PINMGR_LEASE_REVOKED = 4,
	PINMGR_LEASE_STALE = 5,
	PINMGR_LEASE_INVALIDATED = 6,
	PINMGR_LEASE_HELD = 7,
};

/**
 * enum pinmgr_stale_reason - why a watched lease became stale
 * @PINMGR_STALE_UNMAP: the range was unmapped or moved: munmap, mremap,
 *	mmap MAP_FIXED over it, shmdt, brk.
 * @PINMGR_STALE_DISCARD: the range's pages were dropped from the mapping:
 *	MADV_DONTNEED, MADV_REMOVE, truncation or a hole punched in the file.
 * @PINMGR_STALE_EXIT: the owner's address space was torn down.
 */
enum pinmgr_stale_reason {
	PINMGR_STALE_UNMAP = 1,
	PINMGR_STALE_DISCARD = 2,
	PINMGR_STALE_EXIT = 3,
};

#define PINMGR_COMM_LEN	16

/**
 * struct pinmgr_query - ioctl(PINMGR_IOC_QUERY)
 * @size: sizeof(struct pinmgr_query)
 * @flags: must be 0
 * @handle: the lease to describe, of this context
 * @out_addr: out: start of the pinned range in the owner's address space
 * @out_length: out: length of the range in bytes
 * @out_nr_pages: out: pages pinned
 * @out_nr_runs: out: physically contiguous runs the pages form
 * @out_metadata_bytes: out: kernel memory the lease's bookkeeping uses
 * @out_cookie: out: the cookie given at pin time
 * @out_create_time_ns: out: CLOCK_REALTIME at pin time, in nanoseconds
 * @out_pin_flags: out: the enum pinmgr_pin_flags the lease was pinned with:
 *	PINMGR_PIN_LONGTERM also for a short-term request of a caller without
 *	CAP_IPC_LOCK (see the DOC block)
 * @out_state: out: enum pinmgr_lease_state
 * @out_owner_tgid: out: thread group id of the pinning process, as seen
 *	from the caller's pid namespace; 0 if not visible there, or if the
 *	process has exited (its number may belong to another by now)
 * @out_owner_uid: out: the pinning process's effective uid, in the
 *	caller's user namespace
 * @out_owner_comm: out: the pinning process's comm, NUL terminated
 * @out_expire_time_ns: out: CLOCK_REALTIME when the lease expires (or
 *	expired), in nanoseconds; 0 if it has no duration
 * @out_break_deadline_ns: out: CLOCK_REALTIME when a break releases the
 *	pages; 0 if the lease was never revoked
 * @out_end_time_ns: out: CLOCK_REALTIME when an expired or revoked lease
 *	ended; 0 for a live one
 * @out_file_id: out: the number of the open file that holds the lease, as
 *	netlink, debugfs and fdinfo show it
 * @out_stale_reason: out: enum pinmgr_stale_reason of a stale (or
 *	invalidated) lease; 0 otherwise. A lease under a break or ended
 *	otherwise keeps its state and shows its reason here.
 * @out_watch_slot: out: the lease's slot in the status area; 0 if it is
 *	not watched
 * @out_stale_addr: out: start of the part of the range that changed first
 * @out_stale_length: out: its length in bytes; 0 if the lease is not stale
 * @out_exports: out: dma-bufs of the lease (EXPORT) still open
 * @out_export_holds: out: device mappings, static attachments and kernel
 *	mappings of those dma-bufs; a lease that ended keeps its pages
 *	pinned until they are 0
 * @out_cgroup_id: out: the cgroup v2 directory of the pinning task when it
 *	pinned (its ID, the directory's inode number): the lease stays
 *	charged to its budgets if the task moves. 0 without cgroups.
 *
 * An ended lease shows the range and pages it had; its runs are 0.
 */
struct pinmgr_query {
	__u32 size;
	__u32 flags;
	__u64 handle;
	__u64 out_addr;
	__u64 out_length;
	__u64 out_nr_pages;
	__u64 out_nr_runs;
	__u64 out_metadata_bytes;
	__u64 out_cookie;
	__u64 out_create_time_ns;
	__u32 out_pin_flags;
	__u32 out_state;
	__u32 out_owner_tgid;
	__u32 out_owner_uid;
	char out_owner_comm[PINMGR_COMM_LEN];
	__u64 out_expire_time_ns;
	__u64 out_break_deadline_ns;
	__u64 out_end_time_ns;
	__u64 out_file_id;
	__u32 out_stale_reason;
	__u32 out_watch_slot;
	__u64 out_stale_addr;
	__u64 out_stale_length;
	__u32 out_exports;
	__u32 out_export_holds;
	__u64 out_cgroup_id;
};

#define PINMGR_IOC_QUERY	_IO(PINMGR_TYPE, PINMGR_CMD_QUERY)

/**
 * struct pinmgr_list - ioctl(PINMGR_IOC_LIST)
 * @size: sizeof(struct pinmgr_list)
 * @flags: must be 0
 * @handles: user pointer to an array of __u64 to fill; may be 0 when
 *	@nr_handles is 0
 * @nr_handles: in: capacity of @handles in entries; out: entries written
 * @__reserved: must be 0
 * @out_total: out: leases the context holds; if larger than @nr_handles,
 *	retry with a bigger array
 *
 * Lists this context's lease handles, oldest lease first.
 */
struct pinmgr_list {
	__u32 size;
	__u32 flags;
	__u64 handles;
	__u32 nr_handles;
	__u32 __reserved;
	__u64 out_total;
};

#define PINMGR_IOC_LIST		_IO(PINMGR_TYPE, PINMGR_CMD_LIST)

/**
 * enum pinmgr_access_flags - flags of struct pinmgr_access
 * @PINMGR_ACCESS_WRITE: copy from @buf into the lease's pages; without it,
 *	copy from the pages into @buf.
 */
enum pinmgr_access_flags {
	PINMGR_ACCESS_WRITE = 1 << 0,
};

/**
 * struct pinmgr_access - ioctl(PINMGR_IOC_ACCESS)
 * @size: sizeof(struct pinmgr_access)
 * @flags: bitmap of enum pinmgr_access_flags
 * @handle: the lease, of this context
 * @offset: byte offset into the lease's range
 * @length: bytes to copy; @offset + @length must lie within the lease
 * @buf: user pointer to the caller's buffer
 *
 * Reads or writes the lease's pinned pages themselves, through the kernel's
 * mapping of those pages, the way a device would by DMA: not through the
 * owner's current page tables, which may since have changed (fork's
 * copy-on-write, munmap, MADV_DONTNEED). Writing needs a write pin (EACCES
 * otherwise), so a read-only pin of a read-only page (page cache, the zero
 * page) can never be written this way. A zero @length does nothing. If
 * @buf faults (EFAULT), the bytes before the fault have been copied and no
 * byte after it has been touched.
 */
struct pinmgr_access {
	__u32 size;
	__u32 flags;
	__u64 handle;
	__u64 offset;
	__u64 length;
	__u64 buf;
};

#define PINMGR_IOC_ACCESS	_IO(PINMGR_TYPE, PINMGR_CMD_ACCESS)

/**
 * struct pinmgr_segment - one physically contiguous run of a lease
 * @phys_addr: CPU physical address of the run's first byte
 * @length: length of the run in bytes
 */
struct pinmgr_segment {
	__u64 phys_addr;
	__u64 length;
};

/**
 * struct pinmgr_get_segments - ioctl(PINMGR_IOC_GET_SEGMENTS)
 * @size: sizeof(struct pinmgr_get_segments)
 * @flags: must be 0
 * @handle: the lease, of this context
 * @segments: user pointer to an array of struct pinmgr_segment; may be 0
 *	when @nr_segments is 0
 * @nr_segments: in: capacity of @segments; out: entries written
 * @__reserved: must be 0
 * @out_total: out: runs the lease has
 *
 * Lists the lease's physically contiguous runs in address order, for user
 * space DMA without an IOMMU. Physical addresses are privileged: the caller
 * needs CAP_SYS_ADMIN (EPERM otherwise).
 */
struct pinmgr_get_segments {
	__u32 size;
	__u32 flags;
	__u64 handle;
	__u64 segments;
	__u32 nr_segments;
	__u32 __reserved;
	__u64 out_total;
};

#define PINMGR_IOC_GET_SEGMENTS	_IO(PINMGR_TYPE, PINMGR_CMD_GET_SEGMENTS)

/**
 * struct pinmgr_pin_range - one range of PINMGR_IOC_PIN_VEC
 * @addr: as in struct pinmgr_pin
 * @length: as in struct pinmgr_pin
 * @cookie: as in struct pinmgr_pin
 * @flags: bitmap of enum pinmgr_pin_flags, for this range
 * @__reserved: must be 0
 * @out_handle: out: the handle of this range's lease
 * @duration_ns: as in struct pinmgr_pin
 * @out_watch_slot: out: as in struct pinmgr_pin, written only when
 *	@range_size covers it (as is @out_watch_gen)
 * @__reserved2: must be 0
 * @out_watch_gen: out: as in struct pinmgr_pin
 */
struct pinmgr_pin_range {
	__u64 addr;
	__u64 length;
	__u64 cookie;
	__u32 flags;
	__u32 __reserved;
	__u64 out_handle;
	__u64 duration_ns;
	__u32 out_watch_slot;
	__u32 __reserved2;
	__u64 out_watch_gen;
};

/* Ranges one PINMGR_IOC_PIN_VEC may take (as io_uring's registration). */
#define PINMGR_PIN_VEC_MAX	16384

/**
 * struct pinmgr_pin_vec - ioctl(PINMGR_IOC_PIN_VEC)
 * @size: sizeof(struct pinmgr_pin_vec)
 * @flags: must be 0
 * @ranges: user pointer to an array of @nr_ranges range structures
 * @nr_ranges: ranges to pin, 1 to PINMGR_PIN_VEC_MAX
 * @range_size: sizeof(struct pinmgr_pin_range) as the caller knows it: the
 *	stride of @ranges. Ranges grow at their tail as structures do; bytes
 *	beyond the kernel's range structure must be zero.
 * @out_error_index: out: on failure, the index of the range that failed,
 *	or @nr_ranges when the failure belongs to no single range
 * @__reserved: must be 0
 *
 * Pins every range as a lease of its own, as PINMGR_IOC_PIN would one by
 * one, in a single call: either every range is pinned and each range's
 * @out_handle names its lease, or the call fails and nothing is pinned or
 * charged. The leases are independent afterwards (each is unpinned, queried
 * and ended on its own).
 */
struct pinmgr_pin_vec {
	__u32 size;
	__u32 flags;
	__u64 ranges;
	__u32 nr_ranges;
	__u32 range_size;
	__u32 out_error_index;
	__u32 __reserved;
};

#define PINMGR_IOC_PIN_VEC	_IO(PINMGR_TYPE, PINMGR_CMD_PIN_VEC)

/**
 * struct pinmgr_renew - ioctl(PINMGR_IOC_RENEW)
 * @size: sizeof(struct pinmgr_renew)
 * @flags: must be 0
 * @handle: a live lease of this context
 * @duration_ns: the lease now lasts this long from now; 0 takes its end
 *	away, so that it lasts until unpinned
 *
 * Only the owner (the context's mm) may renew. A lease that ended stays
 * ended (EKEYEXPIRED, EKEYREVOKED); one under a break cannot be renewed
 * (EBUSY).
 */
struct pinmgr_renew {
	__u32 size;
	__u32 flags;
	__u64 handle;
	__u64 duration_ns;
};

#define PINMGR_IOC_RENEW	_IO(PINMGR_TYPE, PINMGR_CMD_RENEW)

/**
 * enum pinmgr_revoke_flags - flags of struct pinmgr_revoke
 * @PINMGR_REVOKE_NOW: release the pages at once instead of starting a
 *	break; also ends a break that is under way.
 */
enum pinmgr_revoke_flags {
	PINMGR_REVOKE_NOW = 1 << 0,
};

/**
 * struct pinmgr_revoke - ioctl(PINMGR_IOC_REVOKE)
 * @size: sizeof(struct pinmgr_revoke)
 * @flags: bitmap of enum pinmgr_revoke_flags
 * @handle: any lease on the device, of any context
 * @out_deadline_ns: out: CLOCK_REALTIME at which the break releases the
 *	pages; the current time with PINMGR_REVOKE_NOW
 *
 * Takes a lease back from its owner (CAP_SYS_ADMIN; from any open file of
 * the device): see the DOC block above.
 */
struct pinmgr_revoke {
	__u32 size;
	__u32 flags;
	__u64 handle;
	__u64 out_deadline_ns;
};

#define PINMGR_IOC_REVOKE	_IO(PINMGR_TYPE, PINMGR_CMD_REVOKE)

/**
 * struct pinmgr_export - ioctl(PINMGR_IOC_EXPORT)
 * @size: sizeof(struct pinmgr_export)
 * @flags: must be 0
 * @handle: a live lease of this context, neither watch-only, under a break
 *	nor stale
 * @out_fd: out: a file descriptor of a dma-buf of the lease's pages, in
 *	the order of the range, opened O_CLOEXEC, O_RDWR for a write pin and
 *	O_RDONLY otherwise
 * @__reserved: must be 0
 *
 * Only the owner (the context's mm) may export (EPERM). See "Exported
 * leases" above for what the dma-buf holds and what an end means for it.
 * Errors: ENOENT, EINVAL (a watch-only lease has no pages to give),
 * EBUSY (under a break), ESTALE, EKEYEXPIRED, EKEYREVOKED, EMFILE (no
 * free descriptor), ENOMEM. A failed export leaves nothing behind.
 */
struct pinmgr_export {
	__u32 size;
	__u32 flags;
	__u64 handle;
	__s32 out_fd;
	__u32 __reserved;
};

#define PINMGR_IOC_EXPORT	_IO(PINMGR_TYPE, PINMGR_CMD_EXPORT)

/**
 * enum pinmgr_event_type - type of struct pinmgr_event
 * @PINMGR_EVENT_EXPIRED: a lease expired; its pages are released.
 * @PINMGR_EVENT_BREAKING: a lease was revoked; its pages are released at
 *	@deadline_ns unless the owner unpins first.
 * @PINMGR_EVENT_REVOKED: a revoked lease's pages were released.
 * @PINMGR_EVENT_OVERFLOW: the queue was full: @lost events were dropped
 *	after the ones read before this one. @handle and @cookie are 0.
 * @PINMGR_EVENT_STALE: a watched lease's range stopped mapping its pages:
 *	@reason says how, @addr and @length which part first. A lease
 *	pinned with PINMGR_PIN_RELEASE_ON_STALE has no pages by the time
 *	this is read.
 * @PINMGR_EVENT_HELD: an exported lease ended (the event before this one
 *	said how) while a device still held its pages: they stay pinned until
 *	the device lets go.
 */
enum pinmgr_event_type {
	PINMGR_EVENT_EXPIRED = 1,
	PINMGR_EVENT_BREAKING = 2,
	PINMGR_EVENT_REVOKED = 3,
	PINMGR_EVENT_OVERFLOW = 4,
	PINMGR_EVENT_STALE = 5,
	PINMGR_EVENT_HELD = 6,
};

/**
 * struct pinmgr_event - one record of read(2) on a pinmgr file
 * @size: sizeof(struct pinmgr_event) of the kernel that wrote it: records
 *	follow each other at this stride, and later versions only append
 *	fields, so a reader can skip what it does not know
 * @type: enum pinmgr_event_type
 * @__reserved: 0
 * @handle: the lease
 * @cookie: the lease's cookie, as given at pin time
 * @time_ns: CLOCK_REALTIME when it happened, in nanoseconds
 * @deadline_ns: PINMGR_EVENT_BREAKING: CLOCK_REALTIME at which the pages
 *	will be released; otherwise 0
 * @nr_pages: pages the lease holds or held
 * @lost: PINMGR_EVENT_OVERFLOW: events dropped; otherwise 0
 * @addr: PINMGR_EVENT_STALE: start of the part of the range that changed
 * @length: PINMGR_EVENT_STALE: its length in bytes
 * @reason: PINMGR_EVENT_STALE: enum pinmgr_stale_reason; otherwise 0
 * @__reserved2: 0
 */
struct pinmgr_event {
	__u32 size;
	__u16 type;
	__u16 __reserved;
	__u64 handle;
	__u64 cookie;
	__u64 time_ns;
	__u64 deadline_ns;
	__u64 nr_pages;
	__u64 lost;
	__u64 addr;
	__u64 length;
	__u32 reason;
	__u32 __reserved2;
};

#endif /* _UAPI_LINUX_PINMGR_H */

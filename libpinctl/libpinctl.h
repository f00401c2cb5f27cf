/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libpinctl: the C library of pinmgr, the Linux device that pins user memory
 * through the kernel's FOLL_PIN machinery and hands back lease handles.
 *
 * Conventions, for every function below:
 *  - A function that can fail returns 0 or a negative errno; nothing is
 *    written to stdout or stderr: messages go to the log function set with
 *    pinctl_set_log_fn(), if any.
 *  - Objects are opaque and reference counted (_new or _open, _ref, _unref).
 *  - Options and result structures start with "size_t sz", which the caller
 *    sets to sizeof() of the structure it was compiled with. A newer
 *    library reads an older caller's shorter structure and fills in
 *    defaults; an older library refuses a longer one whose extra bytes are
 *    not zero (-E2BIG). Results are written up to the caller's sz only.
 *    PINCTL_OPTS() declares and sizes one.
 *  - Every file descriptor the library opens is close-on-exec.
 *  - Thread safety is stated per function in its Context: line.
 */
#ifndef LIBPINCTL_H
#define LIBPINCTL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PINCTL_API __attribute__((visibility("default")))

/* Declare a zeroed options or result structure with its sz set. */
#define PINCTL_OPTS(type, name, ...)					\
	struct type name = { .sz = sizeof(struct type), __VA_ARGS__ }

/*
 * struct pinctl_ctx - the library context (opaque)
 *
 * Holds the log function and where to find the device; every other object
 * holds a reference to the context it was made from.
 */
struct pinctl_ctx;

/*
 * struct pinctl_dev - an open file of /dev/pinmgr (opaque)
 *
 * The driver's "context": leases pinned through it belong to it, and end
 * when its last reference is dropped (the file is closed).
 */
struct pinctl_dev;

/*
 * struct pinctl_monitor - a subscription to the device's lease events
 *	through the pinmgr generic netlink family (opaque)
 */
struct pinctl_monitor;

/**
 * struct pinctl_opts - options of pinctl_new()
 * @sz: sizeof(struct pinctl_opts)
 * @device_path: the device node; NULL for "/dev/pinmgr"
 */
struct pinctl_opts {
	size_t sz;
	const char *device_path;
};

/**
 * typedef pinctl_log_fn - a log function, see pinctl_set_log_fn()
 * @data: the pointer given to pinctl_set_log_fn()
 * @priority: syslog priority, LOG_ERR to LOG_DEBUG
 * @file: source file of the message
 * @line: source line of the message
 * @fn: function that logged
 * @format: printf format of the message, which ends with a newline
 * @args: its arguments
 */
typedef void (*pinctl_log_fn)(void *data, int priority, const char *file,
			      int line, const char *fn, const char *format,
			      va_list args);

/**
 * pinctl_new() - create a library context
 * @opts: options, or NULL for the defaults
 * @ctxp: where to store the new context, with one reference
 *
 * The context logs nothing until a log function is set. Its log priority
 * starts at LOG_ERR, or at the value of the environment variable
 * PINCTL_LOG (a number or one of "err", "info", "debug").
 *
 * Context: thread-safe.
 * Return: 0, or -ENOMEM, -EINVAL or -E2BIG for bad @opts.
 */
PINCTL_API int pinctl_new(const struct pinctl_opts *opts,
			  struct pinctl_ctx **ctxp);

/**
 * pinctl_ref() - take a reference to a context
 * @ctx: the context, or NULL
 *
 * Context: thread-safe (atomic reference count).
 * Return: @ctx.
 */
PINCTL_API struct pinctl_ctx *pinctl_ref(struct pinctl_ctx *ctx);

/**
 * pinctl_unref() - drop a reference to a context
 * @ctx: the context, or NULL
 *
 * The context is freed with its last reference.
 *
 * Context: thread-safe (atomic reference count).
 * Return: NULL.
 */
PINCTL_API struct pinctl_ctx *pinctl_unref(struct pinctl_ctx *ctx);

/**
 * pinctl_set_log_fn() - set where the library's messages go
 * @ctx: the context
 * @fn: the log function, or NULL for no messages (the default)
 * @data: passed to @fn
 *
 * Context: not thread-safe: set it before the context is shared.
 */
PINCTL_API void pinctl_set_log_fn(struct pinctl_ctx *ctx, pinctl_log_fn fn,
				  void *data);

/**
 * pinctl_get_log_priority() - the context's log priority
 * @ctx: the context
 *
 * Context: thread-safe.
 * Return: the highest syslog priority value that is logged (LOG_ERR ...
 * LOG_DEBUG).
 */
PINCTL_API int pinctl_get_log_priority(const struct pinctl_ctx *ctx);

/**
 * pinctl_set_log_priority() - set the context's log priority
 * @ctx: the context
 * @priority: the highest syslog priority value to log
 *
 * Context: not thread-safe: set it before the context is shared.
 */
PINCTL_API void pinctl_set_log_priority(struct pinctl_ctx *ctx, int priority);

/**
 * pinctl_get_userdata() - the caller's pointer stored in a context
 * @ctx: the context
 *
 * Context: thread-safe.
 * Return: what pinctl_set_userdata() stored, or NULL.
 */
PINCTL_API void *pinctl_get_userdata(const struct pinctl_ctx *ctx);

/**
 * pinctl_set_userdata() - store a pointer of the caller's in a context
 * @ctx: the context
 * @data: any pointer
 *
 * Context: not thread-safe: set it before the context is shared.
 */
PINCTL_API void pinctl_set_userdata(struct pinctl_ctx *ctx, void *data);

/* ---- The device --------------------------------------------------------- */

/**
 * enum pinctl_dev_flags - flags of struct pinctl_dev_opts
 * @PINCTL_DEV_NONBLOCK: open with O_NONBLOCK: pinctl_event_read() returns
 *	-EAGAIN instead of waiting when no event is queued.
 */
enum pinctl_dev_flags {
	PINCTL_DEV_NONBLOCK = 1 << 0,
};

/**
 * struct pinctl_dev_opts - options of pinctl_dev_open()
 * @sz: sizeof(struct pinctl_dev_opts)
 * @flags: bitmap of enum pinctl_dev_flags
 */
struct pinctl_dev_opts {
	size_t sz;
	uint32_t flags;
};

/**
 * pinctl_dev_open() - open the device
 * @ctx: the library context
 * @opts: options, or NULL
 * @devp: where to store the new device object, with one reference
 *
 * Opens the device read-write and close-on-exec. The new file is bound to
 * the caller's address space: only this process may pin and unpin through
 * it (a forked child gets -EPERM).
 *
 * Context: thread-safe.
 * Return: 0; -ENOENT if the device node is missing (module not loaded),
 * -EACCES if its mode refuses the caller, or another errno of open(2).
 */
PINCTL_API int pinctl_dev_open(struct pinctl_ctx *ctx,
			       const struct pinctl_dev_opts *opts,
			       struct pinctl_dev **devp);

/**
 * pinctl_dev_ref() - take a reference to a device object
 * @dev: the device object, or NULL
 *
 * Context: thread-safe.
 * Return: @dev.
 */
PINCTL_API struct pinctl_dev *pinctl_dev_ref(struct pinctl_dev *dev);

/**
 * pinctl_dev_unref() - drop a reference to a device object
 * @dev: the device object, or NULL
 *
 * With the last reference the status area is unmapped (pinctl_watch_area())
 * and the file is closed, which ends every lease that was pinned through it.
 *
 * Context: thread-safe.
 * Return: NULL.
 */
PINCTL_API struct pinctl_dev *pinctl_dev_unref(struct pinctl_dev *dev);

/**
 * pinctl_dev_get_fd() - the file descriptor of a device object
 * @dev: the device object
 *
 * The descriptor to poll(2) for events (POLLIN when pinctl_event_read()
 * has one), or to hand to another process. It stays owned by @dev: do not
 * close it.
 *
 * Context: thread-safe.
 * Return: the descriptor.
 */
PINCTL_API int pinctl_dev_get_fd(const struct pinctl_dev *dev);

/**
 * enum pinctl_features - feature bits of struct pinctl_info
 * @PINCTL_FEATURE_LONGTERM: long-term pins are supported.
 * @PINCTL_FEATURE_WRITE: write pins are supported.
 * @PINCTL_FEATURE_PIN_VEC: pinctl_pin_vec() is supported.
 * @PINCTL_FEATURE_EXPIRY: leases may have a duration; renewal works.
 * @PINCTL_FEATURE_REVOKE: revocation and breaks are supported.
 * @PINCTL_FEATURE_EVENTS: the device delivers events.
 * @PINCTL_FEATURE_USER_LIMITS: RLIMIT_MEMLOCK bounds the caller's user
 *	(&pinctl_info.user_pinned_pages), and short-term pins of callers
 *	without CAP_IPC_LOCK are made long-term.
 * @PINCTL_FEATURE_NL_MONITOR: pinctl_monitor_new() can watch every lease's
 *	events. Absent on kernels whose generic netlink cannot keep a group to
 *	administrators (5.10): pinctl_monitor_new() then fails with
 *	-EOPNOTSUPP.
 * @PINCTL_FEATURE_LONGTERM_MOVES_MOVABLE: a long-term pin first moves the
 *	pages out of ZONE_MOVABLE (and CMA). Absent before Linux 5.13, whose
 *	long-term pins may hold ZONE_MOVABLE pages.
 * @PINCTL_FEATURE_WATCH: watched leases (PINCTL_PIN_WATCH,
 *	PINCTL_PIN_RELEASE_ON_STALE, PINCTL_PIN_WATCH_ONLY), the status area
 *	(pinctl_watch_area()) and the registration cache (pinctl_cache_new())
 *	work. Absent from modules older than watched leases and where the
 *	kernel has no MMU notifiers.
 * @PINCTL_FEATURE_EXPORT: pinctl_lease_export() makes dma-bufs of leases.
 *	Absent from older modules and where the kernel has no dma-bufs.
 * @PINCTL_FEATURE_EXPORT_REVOCABLE_PINS: a revocation takes an exported
 *	lease's pages from a device that pins the dma-buf but unmaps when
 *	told (the kernel says which, since Linux 7.2); without it such a
 *	device keeps them until it unpins.
 * @PINCTL_FEATURE_BUDGETS: pinctl_budget_set() and the other budget calls
 *	work, and a pin over a cgroup's budget fails with -EXFULL. Absent
 *	from older modules and from kernels without cgroups. Budgets name
 *	cgroup v2 directories: on a system that mounts no cgroup2 file
 *	system (cgroup v1 only) every process is in its root.
 */
enum pinctl_features {
	PINCTL_FEATURE_LONGTERM = 1 << 0,
	PINCTL_FEATURE_WRITE = 1 << 1,
	PINCTL_FEATURE_PIN_VEC = 1 << 2,
	PINCTL_FEATURE_EXPIRY = 1 << 3,
	PINCTL_FEATURE_REVOKE = 1 << 4,
	PINCTL_FEATURE_EVENTS = 1 << 5,
	PINCTL_FEATURE_USER_LIMITS = 1 << 6,
	PINCTL_FEATURE_NL_MONITOR = 1 << 7,
	PINCTL_FEATURE_LONGTERM_MOVES_MOVABLE = 1 << 8,
	PINCTL_FEATURE_WATCH = 1 << 9,
	PINCTL_FEATURE_EXPORT = 1 << 10,
	PINCTL_FEATURE_EXPORT_REVOCABLE_PINS = 1 << 11,
	PINCTL_FEATURE_BUDGETS = 1 << 12,
};

/**
 * enum pinctl_info_flags - facts about the caller in struct pinctl_info
 * @PINCTL_INFO_CAP_IPC_LOCK: the caller has CAP_IPC_LOCK, so
 *	RLIMIT_MEMLOCK does not limit its pins.
 * @PINCTL_INFO_OWNER_MM: the caller's address space is the one the device
 *	object is bound to, so it may pin.
 */
enum pinctl_info_flags {
	PINCTL_INFO_CAP_IPC_LOCK = 1 << 0,
	PINCTL_INFO_OWNER_MM = 1 << 1,
};

/**
 * struct pinctl_info - limits and their usage, from pinctl_dev_info()
 * @sz: sizeof(struct pinctl_info), set by the caller
 * @abi_version: the driver's ABI version
 * @page_size: the kernel's page size in bytes
 * @features: bitmap of enum pinctl_features
 * @flags: bitmap of enum pinctl_info_flags
 * @__reserved: 0
 * @max_lease_pages: pages one lease may hold (0: no limit)
 * @max_leases: leases one device object may hold (0: no limit)
 * @max_device_pages: pages all leases together may hold (0: no limit)
 * @memlock_limit_pages: the caller's RLIMIT_MEMLOCK in pages, or
 *	UINT64_MAX for unlimited
 * @mm_pinned_pages: the process's pinned pages (VmPin), from every pinning
 *	interface
 * @dev_leases: leases of this device object
 * @dev_pinned_pages: pages pinned through this device object
 * @device_leases: leases on the whole device
 * @device_pinned_pages: pages pinned on the whole device
 * @break_time_ns: how long a break lasts before a revoked lease's pages
 *	are released by force
 * @max_events: events the event queue holds
 * @user_pinned_pages: pages locked by the caller's user, which
 *	RLIMIT_MEMLOCK bounds: pinmgr's leases and every other charger of
 *	the user's locked memory (io_uring's buffers, for one), in all of the
 *	user's processes
 */
struct pinctl_info {
	size_t sz;
	uint32_t abi_version;
	uint32_t page_size;
	uint64_t features;
	uint32_t flags;
	uint32_t __reserved;
	uint64_t max_lease_pages;
	uint64_t max_leases;
	uint64_t max_device_pages;
	uint64_t memlock_limit_pages;
	uint64_t mm_pinned_pages;
	uint64_t dev_leases;
	uint64_t dev_pinned_pages;
	uint64_t device_leases;
	uint64_t device_pinned_pages;
	uint64_t break_time_ns;
	uint64_t max_events;
	uint64_t user_pinned_pages;
};

/**
 * pinctl_dev_info() - limits, usage and features
 * @dev: the device object
 * @info: filled up to @info->sz, which the caller sets
 *
 * Context: thread-safe.
 * Return: 0 or a negative errno (-EINVAL or -E2BIG for a bad @info->sz).
 */
PINCTL_API int pinctl_dev_info(struct pinctl_dev *dev, struct pinctl_info *info);

/**
 * enum pinctl_pin_flags - how pages are pinned
 * @PINCTL_PIN_WRITE: for writing (FOLL_WRITE): the pages may be written
 *	through the lease and are marked dirty at unpin; needs a writable
 *	mapping.
 * @PINCTL_PIN_LONGTERM: for an indefinite time (FOLL_LONGTERM): pages are
 *	migrated out of ZONE_MOVABLE and CMA first, and file mappings the
 *	kernel cannot pin so are refused.
 * @PINCTL_PIN_WATCH: watch the range: the lease becomes stale
 *	(PINCTL_LEASE_STALE, PINCTL_EVENT_STALE) when the range stops mapping
 *	the pages it holds (munmap, mremap, mmap MAP_FIXED over it,
 *	MADV_DONTNEED, a truncated file, ...), and it gets a slot in the
 *	status area, whose generation says so with no system call
 *	(pinctl_watch_area(), pinctl_watch_changed()). Its pages stay pinned
 *	until it is unpinned.
 * @PINCTL_PIN_RELEASE_ON_STALE: with PINCTL_PIN_WATCH: the driver releases
 *	the pages as soon as the lease becomes stale; it then ends as
 *	PINCTL_LEASE_INVALIDATED (-ESTALE, acknowledged by pinctl_unpin()).
 * @PINCTL_PIN_WATCH_ONLY: watch the range without pinning it: nothing is
 *	pinned or charged. Implies PINCTL_PIN_WATCH; excludes
 *	PINCTL_PIN_LONGTERM and PINCTL_PIN_RELEASE_ON_STALE. Such a lease has
 *	no physical pages for pinctl_get_segments().
 */
enum pinctl_pin_flags {
	PINCTL_PIN_WRITE = 1 << 0,
	PINCTL_PIN_LONGTERM = 1 << 1,
	PINCTL_PIN_WATCH = 1 << 2,
	PINCTL_PIN_RELEASE_ON_STALE = 1 << 3,
	PINCTL_PIN_WATCH_ONLY = 1 << 4,
};

/**
 * struct pinctl_pin_opts - options of pinctl_pin()
 * @sz: sizeof(struct pinctl_pin_opts)
 * @flags: bitmap of enum pinctl_pin_flags
 * @cookie: the caller's value, recorded with the lease and echoed in its
 *	events and notifications
 * @duration_ns: the lease ends on its own this long after the pin; 0 for
 *	no end of its own
 */
struct pinctl_pin_opts {
	size_t sz;
	uint32_t flags;
	uint64_t cookie;
	uint64_t duration_ns;
};

/**
 * pinctl_pin() - pin a range of the caller's memory as one lease
 * @dev: the device object, opened by this process
 * @addr: start of the range; page aligned
 * @length: length in bytes; non-zero and page aligned
 * @opts: options, or NULL (a short-term read pin without an end)
 * @handle: where to store the new lease's handle
 *
 * Either every page is pinned and a lease exists, or nothing is pinned.
 * pinctl_strerror() explains a failure with the limit and the numbers.
 *
 * Context: thread-safe.
 * Return: 0; -EDQUOT (RLIMIT_MEMLOCK), -EFBIG (pages per lease), -EMFILE
 * (leases per device object, or PINCTL_WATCH_SLOTS_MAX watched leases),
 * -ENOSPC (pages on the device), -EFAULT, -EINVAL (also flags that do not
 * combine: PINCTL_PIN_RELEASE_ON_STALE without PINCTL_PIN_WATCH,
 * PINCTL_PIN_WATCH_ONLY with PINCTL_PIN_LONGTERM or
 * PINCTL_PIN_RELEASE_ON_STALE), -EOPNOTSUPP (also watch flags where
 * PINCTL_FEATURE_WATCH is absent), -EPERM, -ENOMEM, -EINTR.
 */
PINCTL_API int pinctl_pin(struct pinctl_dev *dev, void *addr, uint64_t length,
			  const struct pinctl_pin_opts *opts, uint64_t *handle);

/**
 * struct pinctl_pinned - what the driver reported for a pin
 * @sz: sizeof(struct pinctl_pinned)
 * @handle: the new lease's handle
 * @nr_pages: pages pinned
 * @nr_runs: physically contiguous runs the pages form
 * @flags: enum pinctl_pin_flags as the driver pinned them: the requested
 *	flags, and PINCTL_PIN_LONGTERM where the driver pins a short-term
 *	request of a caller without CAP_IPC_LOCK long-term
 * @watch_slot: a watched lease's slot in the status area
 *	(pinctl_watch_area()); 0 for a lease that is not watched
 * @watch_gen: the slot's generation while the lease's range still maps
 *	its pages (pinctl_watch_changed()); 0 for a lease that is not watched
 */
struct pinctl_pinned {
	size_t sz;
	uint64_t handle;
	uint64_t nr_pages;
	uint64_t nr_runs;
	uint32_t flags;
	uint32_t watch_slot;
	uint64_t watch_gen;
};

/**
 * pinctl_pin_lease() - pin as pinctl_pin() does, and say what was pinned
 * @dev: the device object, opened by this process
 * @addr: start of the range; page aligned
 * @length: length in bytes; non-zero and page aligned
 * @opts: options, or NULL
 * @pinned: filled up to @pinned->sz, which the caller sets, from the
 *	driver's reply to the pin (no second request)
 *
 * Context: thread-safe.
 * Return: as pinctl_pin(); -EINVAL or -E2BIG for a bad @pinned->sz.
 */
PINCTL_API int pinctl_pin_lease(struct pinctl_dev *dev, void *addr,
				uint64_t length,
				const struct pinctl_pin_opts *opts,
				struct pinctl_pinned *pinned);

/**
 * struct pinctl_range - one range of pinctl_pin_vec()
 * @addr: start of the range, page aligned
 * @length: length in bytes, page aligned
 * @cookie: as in struct pinctl_pin_opts
 * @duration_ns: as in struct pinctl_pin_opts
 * @flags: bitmap of enum pinctl_pin_flags
 * @__reserved: must be 0
 * @handle: out: the handle of this range's lease
 * @watch_slot: out: as in struct pinctl_pinned; written only when the
 *	stride (&pinctl_pin_vec_opts.range_sz) covers it, as is @watch_gen
 * @__reserved2: must be 0 when the stride covers it
 * @watch_gen: out: as in struct pinctl_pinned
 */
struct pinctl_range {
	void *addr;
	uint64_t length;
	uint64_t cookie;
	uint64_t duration_ns;
	uint32_t flags;
	uint32_t __reserved;
	uint64_t handle;
	uint32_t watch_slot;
	uint32_t __reserved2;
	uint64_t watch_gen;
};

/**
 * struct pinctl_pin_vec_opts - options of pinctl_pin_vec()
 * @sz: sizeof(struct pinctl_pin_vec_opts)
 * @range_sz: sizeof(struct pinctl_range) as the caller knows it (the
 *	stride of the array); 0 for the size in the header the caller was
 *	built with. (Programs built before the watch fields call an older
 *	version of pinctl_pin_vec(), for which 0 means the first version's
 *	size, up to &pinctl_range.handle.)
 */
struct pinctl_pin_vec_opts {
	size_t sz;
	size_t range_sz;
};

/* Ranges one pinctl_pin_vec() takes at most. */
#define PINCTL_PIN_VEC_MAX	16384

/**
 * pinctl_pin_vec() - pin many ranges, each as a lease, all or nothing
 * @dev: the device object, opened by this process
 * @ranges: the ranges; each one's @handle is set on success
 * @nr: how many, 1 to PINCTL_PIN_VEC_MAX
 * @opts: options, or NULL
 * @error_index: on failure, where to store the index of the range that
 *	failed (@nr if no single range did); may be NULL
 *
 * Context: thread-safe.
 * Return: 0, or the negative errno of the range that failed, as
 * pinctl_pin() would; nothing is pinned then.
 */
PINCTL_API int pinctl_pin_vec(struct pinctl_dev *dev,
			      struct pinctl_range *ranges, size_t nr,
			      const struct pinctl_pin_vec_opts *opts,
			      size_t *error_index);

/**
 * pinctl_unpin() - end a lease
 * @dev: the device object that holds the lease, opened by this process
 * @handle: the lease
 *
 * Unpins the pages (marking them dirty first for a write pin). For a lease
 * that expired, was revoked or was invalidated, acknowledges it: this call
 * then fails once with -EKEYEXPIRED, -EKEYREVOKED or -ESTALE, and the
 * handle is gone afterwards. A stale lease (PINCTL_LEASE_STALE) still
 * holds its pages and is unpinned as any other.
 *
 * Context: thread-safe.
 * Return: 0, -ENOENT, -EKEYEXPIRED, -EKEYREVOKED, -ESTALE or -EPERM.
 */
PINCTL_API int pinctl_unpin(struct pinctl_dev *dev, uint64_t handle);

/**
 * pinctl_lease_export() - hand a lease to device drivers as a dma-buf
 * @dev: the device object that holds the lease, opened by this process
 * @handle: a live lease, neither watch-only, under a break nor stale
 *
 * Any driver that imports dma-bufs (V4L2, DRM PRIME, RDMA's
 * ibv_reg_dmabuf_mr(), iommufd) can use the returned descriptor. It is
 * O_CLOEXEC, and read-only unless the lease is a write pin. The pages stay
 * pinned, and charged to the user that pinned them, for as long as the
 * dma-buf lives, after pinctl_unpin() and the owner's exit too. When the
 * lease expires or is revoked, the dma-buf stops giving the pages out and
 * its mappings go; a device that still has them mapped keeps them until
 * it lets go (&pinctl_lease.export_holds, and the owner's
 * PINCTL_EVENT_HELD).
 *
 * Context: thread-safe.
 * Return: the dma-buf's file descriptor, or -ENOENT, -EINVAL (a
 * watch-only lease), -EBUSY (under a break), -ESTALE, -EKEYEXPIRED,
 * -EKEYREVOKED, -EPERM (not the owner), -EMFILE, -ENOMEM; -EOPNOTSUPP
 * on a kernel without dma-bufs, -ENOTTY from a module older than exports.
 */
PINCTL_API int pinctl_lease_export(struct pinctl_dev *dev, uint64_t handle);

/**
 * enum pinctl_lease_state - state of a lease
 * @PINCTL_LEASE_ACTIVE: the pages are pinned.
 * @PINCTL_LEASE_BREAKING: revoked with a deadline; still pinned until then.
 * @PINCTL_LEASE_EXPIRED: ran out; the pages were released.
 * @PINCTL_LEASE_REVOKED: revoked; the pages were released.
 * @PINCTL_LEASE_STALE: a watched lease whose range no longer maps its
 *	pages; a pinning lease still holds them until it is unpinned.
 * @PINCTL_LEASE_INVALIDATED: a lease pinned with
 *	PINCTL_PIN_RELEASE_ON_STALE became stale; its pages were released.
 * @PINCTL_LEASE_HELD: unpinned by its owner while exported: its dma-bufs
 *	keep the pages pinned, and the lease visible, until the last goes.
 */
enum pinctl_lease_state {
	PINCTL_LEASE_ACTIVE = 1,
	PINCTL_LEASE_BREAKING = 2,
	PINCTL_LEASE_EXPIRED = 3,
	PINCTL_LEASE_REVOKED = 4,
	PINCTL_LEASE_STALE = 5,
	PINCTL_LEASE_INVALIDATED = 6,
	PINCTL_LEASE_HELD = 7,
};

/**
 * enum pinctl_stale_reason - why a watched lease became stale
 * @PINCTL_STALE_UNMAP: the range was unmapped or moved: munmap, mremap,
 *	mmap MAP_FIXED over it, shmdt, brk.
 * @PINCTL_STALE_DISCARD: the range's pages were dropped from the mapping:
 *	MADV_DONTNEED, MADV_REMOVE, truncation or a hole punched in the file.
 * @PINCTL_STALE_EXIT: the owner's address space was torn down.
 */
enum pinctl_stale_reason {
	PINCTL_STALE_UNMAP = 1,
	PINCTL_STALE_DISCARD = 2,
	PINCTL_STALE_EXIT = 3,
};

/* Room for a comm; the kernel's are shorter. */
#define PINCTL_COMM_LEN	64

/**
 * struct pinctl_lease - one lease's record
 * @sz: sizeof(struct pinctl_lease), set by the caller
 * @handle: the lease's handle
 * @file_id: the open file that holds it (netlink only; 0 from
 *	pinctl_query())
 * @addr: start of the range in the owner's address space
 * @length: length of the range in bytes
 * @nr_pages: pages pinned (or held, once ended)
 * @nr_runs: physically contiguous runs; 0 once ended
 * @metadata_bytes: kernel memory the lease's bookkeeping uses
 * @cookie: the owner's cookie
 * @create_time_ns: CLOCK_REALTIME of the pin, in nanoseconds
 * @expire_time_ns: when it runs out; 0 without a duration
 * @break_deadline_ns: when a break releases the pages; 0 if never revoked
 * @end_time_ns: when an expired or revoked lease ended; 0 while live
 * @flags: bitmap of enum pinctl_pin_flags
 * @state: enum pinctl_lease_state
 * @tgid: the pinning process, in the reader's pid namespace (0 if not
 *	visible there)
 * @uid: the pinning process's uid, in the reader's user namespace
 * @comm: the pinning thread's name, NUL terminated; any bytes but NUL
 * @stale_reason: enum pinctl_stale_reason of a stale or invalidated lease
 *	(also of one that became stale and then ended otherwise); 0 if it
 *	never became stale
 * @watch_slot: the lease's slot in its device object's status area; 0 if
 *	it is not watched
 * @stale_addr: start of the part of the range that changed first
 * @stale_length: its length in bytes; 0 if the lease is not stale
 * @exports: dma-bufs of the lease (pinctl_lease_export()) still open
 * @export_holds: device mappings of those dma-bufs; an ended lease keeps
 *	its pages pinned while this is not 0
 * @cgroup_id: the cgroup v2 directory (its ID, the directory's inode
 *	number) of the pinning task when it pinned: the budgets it is
 *	charged to; 0 where the kernel has no cgroups
 */
struct pinctl_lease {
	size_t sz;
	uint64_t handle;
	uint64_t file_id;
	uint64_t addr;
	uint64_t length;
	uint64_t nr_pages;
	uint64_t nr_runs;
	uint64_t metadata_bytes;
	uint64_t cookie;
	uint64_t create_time_ns;
	uint64_t expire_time_ns;
	uint64_t break_deadline_ns;
	uint64_t end_time_ns;
	uint32_t flags;
	uint32_t state;
	uint32_t tgid;
	uint32_t uid;
	char comm[PINCTL_COMM_LEN];
	uint32_t stale_reason;
	uint32_t watch_slot;
	uint64_t stale_addr;
	uint64_t stale_length;
	uint32_t exports;
	uint32_t export_holds;
	uint64_t cgroup_id;
};

/**
 * pinctl_query() - one lease's record, from its owner
 * @dev: the device object that holds the lease
 * @handle: the lease
 * @lease: filled up to @lease->sz, which the caller sets
 *
 * Context: thread-safe.
 * Return: 0, -ENOENT, or -EINVAL or -E2BIG for a bad @lease->sz.
 */
PINCTL_API int pinctl_query(struct pinctl_dev *dev, uint64_t handle,
			    struct pinctl_lease *lease);

/**
 * pinctl_list() - the handles of a device object's leases, oldest first
 * @dev: the device object
 * @handles: where to store a malloc()ed array, which the caller free()s;
 *	NULL when there are none
 * @nr: where to store the number of handles
 *
 * Context: thread-safe.
 * Return: 0, -ENOMEM, or another negative errno.
 */
PINCTL_API int pinctl_list(struct pinctl_dev *dev, uint64_t **handles,
			   size_t *nr);

/**
 * pinctl_access_read() - read a lease's pinned pages, as a device would
 * @dev: the device object that holds the lease, opened by this process
 * @handle: the lease
 * @offset: byte offset into the lease's range
 * @buf: where to copy to
 * @length: bytes to copy; @offset + @length must lie within the lease
 *
 * Reads the pages the lease pinned, not what the owner's page tables map
 * now (they may differ after fork, munmap or MADV_DONTNEED). A watch-only
 * lease (PINCTL_PIN_WATCH_ONLY) pins nothing: it is read through the
 * owner's page tables as they are at the time of the call.
 *
 * Context: thread-safe.
 * Return: 0, -EINVAL, -ENOENT, -EKEYEXPIRED, -EKEYREVOKED, -ESTALE,
 * -EFAULT, -EPERM.
 */
PINCTL_API int pinctl_access_read(struct pinctl_dev *dev, uint64_t handle,
				  uint64_t offset, void *buf, size_t length);

/**
 * pinctl_access_write() - write into a lease's pinned pages
 * @dev: the device object that holds the lease, opened by this process
 * @handle: a write pin's lease
 * @offset: byte offset into the lease's range
 * @buf: what to copy
 * @length: bytes to copy
 *
 * Context: thread-safe.
 * Return: 0, -EACCES for a lease that is not a write pin, or as
 * pinctl_access_read().
 */
PINCTL_API int pinctl_access_write(struct pinctl_dev *dev, uint64_t handle,
				   uint64_t offset, const void *buf,
				   size_t length);

/**
 * struct pinctl_segment - one physically contiguous run of a lease
 * @phys_addr: CPU physical address of its first byte
 * @length: its length in bytes
 */
struct pinctl_segment {
	uint64_t phys_addr;
	uint64_t length;
};

/**
 * pinctl_get_segments() - the physical runs of a lease, in address order
 * @dev: the device object that holds the lease
 * @handle: the lease
 * @segs: where to store a malloc()ed array, which the caller free()s
 * @nr: where to store the number of runs
 *
 * For user-space DMA without an IOMMU. Needs CAP_SYS_ADMIN.
 *
 * Context: thread-safe.
 * Return: 0, -EPERM without CAP_SYS_ADMIN, -ENOENT, -EKEYEXPIRED,
 * -EKEYREVOKED, -ESTALE, -EINVAL for a watch-only lease (it has no
 * physical pages), -ENOMEM.
 */
PINCTL_API int pinctl_get_segments(struct pinctl_dev *dev, uint64_t handle,
				   struct pinctl_segment **segs, size_t *nr);

/**
 * pinctl_renew() - give a live lease a new end
 * @dev: the device object that holds the lease, opened by this process
 * @handle: the lease
 * @duration_ns: the lease lasts this long from now; 0 takes its end away
 *
 * Context: thread-safe.
 * Return: 0, -ENOENT, -EKEYEXPIRED, -EKEYREVOKED, -ESTALE, -EBUSY (under a
 * break), -EPERM.
 */
PINCTL_API int pinctl_renew(struct pinctl_dev *dev, uint64_t handle,
			    uint64_t duration_ns);

/**
 * enum pinctl_revoke_flags - flags of struct pinctl_revoke_opts
 * @PINCTL_REVOKE_NOW: release the pages at once instead of starting a
 *	break; also ends a break under way.
 */
enum pinctl_revoke_flags {
	PINCTL_REVOKE_NOW = 1 << 0,
};

/**
 * struct pinctl_revoke_opts - options of pinctl_revoke() and
 *	pinctl_nl_revoke()
 * @sz: sizeof(struct pinctl_revoke_opts)
 * @flags: bitmap of enum pinctl_revoke_flags
 */
struct pinctl_revoke_opts {
	size_t sz;
	uint32_t flags;
};

/**
 * pinctl_revoke() - take any lease on the device back from its owner
 * @dev: any device object
 * @handle: any lease on the device
 * @opts: options, or NULL for a break
 * @deadline_ns: where to store the CLOCK_REALTIME at which the pages are
 *	released (now, with PINCTL_REVOKE_NOW); may be NULL
 *
 * Starts a break: the owner is told (PINCTL_EVENT_BREAKING) and may unpin
 * before the deadline; then the pages are released by force. A lease held
 * by its dma-bufs alone (PINCTL_LEASE_HELD) has no owner to tell: it is
 * revoked with PINCTL_REVOKE_NOW only, which takes it from the devices.
 *
 * Context: thread-safe.
 * Return: 0, -EPERM without CAP_SYS_ADMIN, -ENOENT, -EBUSY (already
 * under a break, without PINCTL_REVOKE_NOW), -ESRCH (a HELD lease,
 * without PINCTL_REVOKE_NOW), -EKEYEXPIRED, -EKEYREVOKED.
 */
PINCTL_API int pinctl_revoke(struct pinctl_dev *dev, uint64_t handle,
			     const struct pinctl_revoke_opts *opts,
			     uint64_t *deadline_ns);

/**
 * enum pinctl_event_type - type of struct pinctl_event
 * @PINCTL_EVENT_EXPIRED: a lease expired; its pages are released.
 * @PINCTL_EVENT_BREAKING: a lease was revoked; its pages are released at
 *	@deadline_ns unless the owner unpins first.
 * @PINCTL_EVENT_REVOKED: a revoked lease's pages were released.
 * @PINCTL_EVENT_OVERFLOW: the queue was full and @lost events were dropped.
 * @PINCTL_EVENT_STALE: a watched lease's range stopped mapping its pages:
 *	@reason says how, @addr and @length which part first. A lease pinned
 *	with PINCTL_PIN_RELEASE_ON_STALE has no pages left by then.
 * @PINCTL_EVENT_HELD: an exported lease ended (the event before said how)
 *	while a device still held its pages: they stay pinned until it lets
 *	go.
 */
enum pinctl_event_type {
	PINCTL_EVENT_EXPIRED = 1,
	PINCTL_EVENT_BREAKING = 2,
	PINCTL_EVENT_REVOKED = 3,
	PINCTL_EVENT_OVERFLOW = 4,
	PINCTL_EVENT_STALE = 5,
	PINCTL_EVENT_HELD = 6,
};

/**
 * struct pinctl_event - an event of the owner's leases
 * @sz: sizeof(struct pinctl_event), set by the caller
 * @type: enum pinctl_event_type
 * @__reserved: 0
 * @handle: the lease (0 for an overflow)
 * @cookie: the lease's cookie
 * @time_ns: CLOCK_REALTIME when it happened
 * @deadline_ns: for PINCTL_EVENT_BREAKING, when the pages will be released
 * @nr_pages: pages the lease holds or held
 * @lost: for PINCTL_EVENT_OVERFLOW, how many events were dropped
 * @addr: for PINCTL_EVENT_STALE, the start of the part of the range that
 *	changed
 * @length: for PINCTL_EVENT_STALE, its length in bytes
 * @reason: for PINCTL_EVENT_STALE, enum pinctl_stale_reason; otherwise 0
 * @__reserved2: 0
 */
struct pinctl_event {
	size_t sz;
	uint32_t type;
	uint32_t __reserved;
	uint64_t handle;
	uint64_t cookie;
	uint64_t time_ns;
	uint64_t deadline_ns;
	uint64_t nr_pages;
	uint64_t lost;
	uint64_t addr;
	uint64_t length;
	uint32_t reason;
	uint32_t __reserved2;
};

/**
 * pinctl_event_read() - the next event of this device object's leases
 * @dev: the device object
 * @ev: filled up to @ev->sz, which the caller sets
 *
 * Returns events oldest first. Waits for one unless the device object was
 * opened with PINCTL_DEV_NONBLOCK; poll pinctl_dev_get_fd() for POLLIN.
 * Events already read from the file are kept in @dev, so POLLIN may be
 * clear while this call still has events to return: call it until
 * -EAGAIN before polling again.
 *
 * Context: thread-safe (events are handed out under a lock).
 * Return: 0, -EAGAIN (none, non-blocking), -EINTR, or -EINVAL or -E2BIG
 * for a bad @ev->sz.
 */
PINCTL_API int pinctl_event_read(struct pinctl_dev *dev, struct pinctl_event *ev);

/* ---- Watched leases: the status area ------------------------------------ */

/* Slots of a status area: the area is this many uint64_t long. */
#define PINCTL_WATCH_SLOTS_MAX	(1U << 18)

/**
 * pinctl_watch_area() - the status area of a device object's watched leases
 * @dev: the device object, opened by this process
 * @area: where to store the area: PINCTL_WATCH_SLOTS_MAX generations, one
 *	per slot, read-only
 *
 * Each watched lease (PINCTL_PIN_WATCH) has a slot in the status area of
 * the device object that holds it (&pinctl_pinned.watch_slot) and starts
 * with a generation (&pinctl_pinned.watch_gen). The kernel changes the
 * slot's generation before the call that unmapped or discarded the range
 * returns, and again when the lease ends, so that the lease still maps
 * what it holds exactly while pinctl_watch_changed() is false: a check
 * without a system call, from any thread. Slots are reused by later leases
 * with larger generations.
 *
 * Slot 0 is no lease's: its word counts the device object's leases that
 * became stale, so that one load tells whether any lease needs a look.
 *
 * The first call maps the area (mmap(2) of the device's file, shared and
 * read-only); later calls return the same mapping, which stays until the
 * device object's last reference is dropped. Like any mapping of a file,
 * it holds the file (and so the leases) open until then. Only the process
 * that opened the device may map it; a forked child inherits the mapping
 * with the device object.
 *
 * Context: thread-safe.
 * Return: 0; -EOPNOTSUPP if the module has no status area
 * (PINCTL_FEATURE_WATCH is absent); -EINVAL for a NULL @area; or another
 * negative errno of mmap(2) (the driver refuses a process other than the
 * opener).
 */
PINCTL_API int pinctl_watch_area(struct pinctl_dev *dev,
				 const volatile uint64_t **area);

/**
 * pinctl_watch_changed() - has a watched lease's range changed?
 * @area: the status area, from pinctl_watch_area()
 * @slot: the lease's slot (&pinctl_pinned.watch_slot), below
 *	PINCTL_WATCH_SLOTS_MAX
 * @gen: the generation the lease started with (&pinctl_pinned.watch_gen)
 *
 * An acquire load of the slot: when it returns 0, everything the kernel
 * did to the range before that load left the lease's pages mapped.
 *
 * Context: thread-safe; no system call.
 * Return: 0 while the lease's range still maps the pages it holds;
 * 1 once it became stale or ended.
 */
static inline int pinctl_watch_changed(const volatile uint64_t *area,
				       uint32_t slot, uint64_t gen)
{
	return __atomic_load_n(&area[slot], __ATOMIC_ACQUIRE) != gen;
}

/* ---- Errors in words ---------------------------------------------------- */

/**
 * enum pinctl_op - what failed, for pinctl_strerror()
 * @PINCTL_OP_UNKNOWN: not said; the errno's meaning alone.
 * @PINCTL_OP_OPEN: pinctl_dev_open().
 * @PINCTL_OP_INFO: pinctl_dev_info().
 * @PINCTL_OP_PIN: pinctl_pin() or a range of pinctl_pin_vec().
 * @PINCTL_OP_PIN_VEC: pinctl_pin_vec() as a whole.
 * @PINCTL_OP_UNPIN: pinctl_unpin().
 * @PINCTL_OP_QUERY: pinctl_query().
 * @PINCTL_OP_LIST: pinctl_list().
 * @PINCTL_OP_ACCESS: pinctl_access_read() or pinctl_access_write().
 * @PINCTL_OP_GET_SEGMENTS: pinctl_get_segments().
 * @PINCTL_OP_RENEW: pinctl_renew().
 * @PINCTL_OP_REVOKE: pinctl_revoke() or pinctl_nl_revoke().
 * @PINCTL_OP_EVENT_READ: pinctl_event_read().
 * @PINCTL_OP_NETLINK: the pinctl_nl_*() and pinctl_monitor_*() calls.
 * @PINCTL_OP_MODULE_LOAD: pinctl_module_load().
 * @PINCTL_OP_MODULE_UNLOAD: pinctl_module_unload().
 * @PINCTL_OP_BUDGET: pinctl_budget_set(), pinctl_budget_clear() or
 *	pinctl_budget_dump().
 */
enum pinctl_op {
	PINCTL_OP_UNKNOWN = 0,
	PINCTL_OP_OPEN,
	PINCTL_OP_INFO,
	PINCTL_OP_PIN,
	PINCTL_OP_PIN_VEC,
	PINCTL_OP_UNPIN,
	PINCTL_OP_QUERY,
	PINCTL_OP_LIST,
	PINCTL_OP_ACCESS,
	PINCTL_OP_GET_SEGMENTS,
	PINCTL_OP_RENEW,
	PINCTL_OP_REVOKE,
	PINCTL_OP_EVENT_READ,
	PINCTL_OP_NETLINK,
	PINCTL_OP_MODULE_LOAD,
	PINCTL_OP_MODULE_UNLOAD,
	PINCTL_OP_BUDGET,
};

/**
 * struct pinctl_err_opts - what the failed call was asked, for
 *	pinctl_strerror()
 * @sz: sizeof(struct pinctl_err_opts)
 * @op: enum pinctl_op
 * @flags: the call's flags (enum pinctl_pin_flags for a pin; 1 for an
 *	ACCESS write)
 * @addr: the range's start (pin)
 * @length: the range's length (pin, access)
 * @handle: the lease (unpin, query, access, renew, revoke)
 * @offset: the offset (access)
 */
struct pinctl_err_opts {
	size_t sz;
	uint32_t op;
	uint32_t flags;
	uint64_t addr;
	uint64_t length;
	uint64_t handle;
	uint64_t offset;
};

/**
 * pinctl_strerror() - explain a failed call in a sentence
 * @dev: the device object the call went through, or NULL
 * @err: the call's negative (or positive) errno
 * @opts: what the call was asked, or NULL
 * @buf: where to write the sentence, NUL terminated
 * @size: size of @buf; 256 bytes hold every sentence
 *
 * Names the limit or the rule that the call ran into and the numbers, read
 * now from the device (pinctl_dev_info()) or, without @dev, from the
 * process (RLIMIT_MEMLOCK, VmPin) and the module's parameters. For a pin
 * over RLIMIT_MEMLOCK, for instance: "pinning 64 MiB would take the memory
 * this user has locked (in all of its processes) to 72 MiB, over
 * RLIMIT_MEMLOCK of 8 MiB; raise `ulimit -l` or grant CAP_IPC_LOCK". Every
 * errno of the driver's ABI has a sentence; others
 * get strerror()'s words.
 *
 * Context: thread-safe.
 * Return: 0, or -ERANGE if the sentence was cut to fit @size.
 */
PINCTL_API int pinctl_strerror(struct pinctl_dev *dev, int err,
			       const struct pinctl_err_opts *opts,
			       char *buf, size_t size);

/**
 * pinctl_lease_state_name() - a lease state's name
 * @state: enum pinctl_lease_state
 *
 * Context: thread-safe.
 * Return: "active", "breaking", "expired", "revoked", "stale",
 * "invalidated", "held", or "unknown".
 */
PINCTL_API const char *pinctl_lease_state_name(uint32_t state);

/**
 * pinctl_stale_reason_name() - a stale reason's name
 * @reason: enum pinctl_stale_reason, or 0
 *
 * Context: thread-safe.
 * Return: "unmap", "discard", "exit", "none" for 0 (the lease never
 * became stale), or "unknown".
 */
PINCTL_API const char *pinctl_stale_reason_name(uint32_t reason);

/* ---- The device's leases through generic netlink ------------------------ */

/**
 * struct pinctl_stats - the device's figures and tunables
 * @sz: sizeof(struct pinctl_stats), set by the caller
 * @leases: live leases
 * @ended_leases: leases that expired or were revoked and are not
 *	acknowledged yet
 * @files: open files of the device
 * @pinned_pages: pages pinned
 * @pins: leases created since the module was loaded
 * @unpins: leases ended by their owners
 * @expiries: leases that ran out
 * @revocations: leases whose pages a revocation released
 * @fail_memlock: pins refused over RLIMIT_MEMLOCK
 * @fail_lease_pages: pins refused over max_lease_pages
 * @fail_leases: pins refused over max_leases
 * @fail_device_pages: pins refused over max_device_pages
 * @fail_fault: pins that faulted
 * @fail_file: pins of file mappings the kernel refuses to pin so
 * @fail_interrupted: pins ended by a fatal signal
 * @fail_nomem: pins that ran out of memory
 * @max_lease_pages: the max_lease_pages parameter
 * @max_leases: the max_leases parameter
 * @max_device_pages: the max_device_pages parameter
 * @break_time_ms: the break_time_ms parameter
 * @max_events: the max_events parameter
 * @renewals: leases given a new end by their owners (0 from a module
 *	older than this figure)
 * @stale_leases: watched leases whose range stopped mapping their pages
 *	(0 from a module older than this figure)
 * @exports: dma-bufs made of leases (0 from an older module)
 * @export_held_ends: exported leases that ended while a device still held
 *	their pages (0 from an older module)
 * @fail_budget: PINs refused over the budget of a cgroup on the pinner's
 *	path (0 from an older module)
 */
struct pinctl_stats {
	size_t sz;
	uint64_t leases;
	uint64_t ended_leases;
	uint64_t files;
	uint64_t pinned_pages;
	uint64_t pins;
	uint64_t unpins;
	uint64_t expiries;
	uint64_t revocations;
	uint64_t fail_memlock;
	uint64_t fail_lease_pages;
	uint64_t fail_leases;
	uint64_t fail_device_pages;
	uint64_t fail_fault;
	uint64_t fail_file;
	uint64_t fail_interrupted;
	uint64_t fail_nomem;
	uint64_t max_lease_pages;
	uint64_t max_leases;
	uint64_t max_device_pages;
	uint64_t break_time_ms;
	uint64_t max_events;
	uint64_t renewals;
	uint64_t stale_leases;
	uint64_t exports;
	uint64_t export_held_ends;
	uint64_t fail_budget;
};

/**
 * pinctl_nl_stats() - the device's statistics
 * @ctx: the library context
 * @stats: filled up to @stats->sz, which the caller sets
 *
 * Asks the pinmgr generic netlink family (a socket of its own per call).
 *
 * Context: thread-safe.
 * Return: 0; -ENOENT if the family is not registered (module not loaded);
 * another negative errno.
 */
PINCTL_API int pinctl_nl_stats(struct pinctl_ctx *ctx, struct pinctl_stats *stats);

/**
 * pinctl_nl_lease_get() - any visible lease on the device, by handle
 * @ctx: the library context
 * @handle: the lease
 * @lease: filled up to @lease->sz, which the caller sets
 *
 * An unprivileged caller sees only leases of its own uid.
 *
 * Context: thread-safe.
 * Return: 0, -ENOENT (no such lease, or not visible), or another errno.
 */
PINCTL_API int pinctl_nl_lease_get(struct pinctl_ctx *ctx, uint64_t handle,
				   struct pinctl_lease *lease);

/**
 * enum pinctl_filter_flags - which fields of struct pinctl_lease_filter
 *	are set
 * @PINCTL_FILTER_TGID: only leases of process @tgid.
 * @PINCTL_FILTER_UID: only leases of user @uid.
 * @PINCTL_FILTER_COOKIE: only leases with cookie @cookie.
 */
enum pinctl_filter_flags {
	PINCTL_FILTER_TGID = 1 << 0,
	PINCTL_FILTER_UID = 1 << 1,
	PINCTL_FILTER_COOKIE = 1 << 2,
};

/**
 * struct pinctl_lease_filter - which leases pinctl_nl_lease_dump() reports
 * @sz: sizeof(struct pinctl_lease_filter)
 * @flags: bitmap of enum pinctl_filter_flags
 * @tgid: the process, with PINCTL_FILTER_TGID
 * @uid: the user, with PINCTL_FILTER_UID
 * @cookie: the cookie, with PINCTL_FILTER_COOKIE
 * @comm: only leases whose comm is exactly this (compared by the library,
 *	byte for byte); NULL for any
 */
struct pinctl_lease_filter {
	size_t sz;
	uint32_t flags;
	uint32_t tgid;
	uint32_t uid;
	uint64_t cookie;
	const char *comm;
};

/**
 * typedef pinctl_lease_cb - called for each lease of pinctl_nl_lease_dump()
 * @lease: the lease, valid during the call (its sz is the library's)
 * @data: the caller's pointer
 *
 * Return: 0 to go on, anything else to stop the dump, which then returns it.
 */
typedef int (*pinctl_lease_cb)(const struct pinctl_lease *lease, void *data);

/**
 * pinctl_nl_lease_dump() - every visible lease on the device
 * @ctx: the library context
 * @filter: which leases, or NULL for all
 * @cb: called for each lease
 * @data: passed to @cb
 *
 * The tgid, uid and cookie filters are applied by the kernel, the comm
 * filter by the library. A lease that lives through the whole dump is
 * reported exactly once.
 *
 * Context: thread-safe; @cb must not call back into the same dump.
 * Return: 0, what @cb returned to stop, or a negative errno.
 */
PINCTL_API int pinctl_nl_lease_dump(struct pinctl_ctx *ctx,
				    const struct pinctl_lease_filter *filter,
				    pinctl_lease_cb cb, void *data);

/**
 * enum pinctl_budget_flags - how a cgroup's budget applies
 * @PINCTL_BUDGET_SUFFICIENT: the budget stands in for RLIMIT_MEMLOCK: a
 *	process in the cgroup (or below) pins up to it without
 *	CAP_IPC_LOCK, whatever its limit (a non-root container)
 */
enum pinctl_budget_flags {
	PINCTL_BUDGET_SUFFICIENT = 1 << 0,
};

/**
 * pinctl_budget_set() - bound what a cgroup pins through the device
 * @ctx: the library context
 * @cgroup: the cgroup v2 directory, by its path from the hierarchy's root
 *	("/" is the root; "/machine.slice/ctr" a container's)
 * @limit: bytes that the processes of the cgroup and of its descendants
 *	may pin through the device together, rounded down to pages
 * @flags: bitmap of enum pinctl_budget_flags
 *
 * A PIN is charged to the pinning task's cgroup and to every ancestor with
 * a budget, and fails with EXFULL over any of them. The charge stays with
 * the lease if the task moves. Setting a budget below its usage takes
 * nothing back: the leases stand, and new PINs fail until enough end.
 *
 * Context: thread-safe. Needs CAP_SYS_ADMIN (and CAP_NET_ADMIN) in the
 * initial user namespace.
 * Return: 0; -ENOENT for no such cgroup; -EPERM; -ENOSPC when the device
 * keeps as many budgets as it can (65536); -EOPNOTSUPP for an unknown
 * flag, or a kernel without cgroups; -EINVAL.
 */
PINCTL_API int pinctl_budget_set(struct pinctl_ctx *ctx, const char *cgroup,
				 uint64_t limit, uint32_t flags);

/**
 * pinctl_budget_clear() - remove a cgroup's budget
 * @ctx: the library context
 * @cgroup: the cgroup v2 directory, by its path from the hierarchy's root
 *
 * Leases charged to the budget stay, and are uncharged as they end.
 *
 * Context: thread-safe. Needs CAP_SYS_ADMIN (and CAP_NET_ADMIN) in the
 * initial user namespace.
 * Return: 0; -ENOENT for no such cgroup or no budget on it; -EPERM;
 * -EINVAL.
 */
PINCTL_API int pinctl_budget_clear(struct pinctl_ctx *ctx, const char *cgroup);

/**
 * struct pinctl_budget - a cgroup's budget, as pinctl_budget_dump() reports
 * @sz: sizeof(struct pinctl_budget) of the library
 * @cgroup: the cgroup's path, as seen from the caller's cgroup namespace;
 *	valid during the callback only
 * @cgroup_id: the cgroup's ID (its directory's inode number), as
 *	struct pinctl_lease's @cgroup_id gives it
 * @limit: bytes its processes may pin
 * @usage: bytes pinned by the leases charged to it
 * @hits: PINs it refused
 * @flags: bitmap of enum pinctl_budget_flags
 * @removed: 1 if the cgroup was removed while leases charged to it live on;
 *	the budget goes with the last of them
 */
struct pinctl_budget {
	size_t sz;
	const char *cgroup;
	uint64_t cgroup_id;
	uint64_t limit;
	uint64_t usage;
	uint64_t hits;
	uint32_t flags;
	uint32_t removed;
};

/**
 * typedef pinctl_budget_cb - called for each budget of pinctl_budget_dump()
 * @budget: the budget, valid during the call
 * @data: the caller's pointer
 *
 * Return: 0 to go on, anything else to stop the dump, which then returns it.
 */
typedef int (*pinctl_budget_cb)(const struct pinctl_budget *budget,
				void *data);

/**
 * pinctl_budget_dump() - every budget the caller may see
 * @ctx: the library context
 * @cb: called for each budget
 * @data: passed to @cb
 *
 * With CAP_SYS_ADMIN, every budget; otherwise those of the caller's own
 * cgroup, of its ancestors (the budgets that bound it) and of its
 * descendants (a delegated subtree's).
 *
 * Context: thread-safe; @cb must not call back into the same dump.
 * Return: 0, what @cb returned to stop, or a negative errno
 * (-EOPNOTSUPP from a module without budgets).
 */
PINCTL_API int pinctl_budget_dump(struct pinctl_ctx *ctx, pinctl_budget_cb cb,
				  void *data);

/**
 * pinctl_nl_revoke() - take any lease on the device back, by netlink
 * @ctx: the library context
 * @handle: the lease
 * @opts: options (PINCTL_REVOKE_NOW), or NULL for a break
 * @deadline_ns: where to store when the pages are released; may be NULL
 *
 * As pinctl_revoke(), without opening the device.
 *
 * Context: thread-safe.
 * Return: 0, -EPERM without CAP_SYS_ADMIN and CAP_NET_ADMIN, -ENOENT,
 * -EBUSY, -ESRCH, or another errno.
 */
PINCTL_API int pinctl_nl_revoke(struct pinctl_ctx *ctx, uint64_t handle,
				const struct pinctl_revoke_opts *opts,
				uint64_t *deadline_ns);

/**
 * enum pinctl_ntf_type - what a monitor reports
 * @PINCTL_NTF_PINNED: a lease was created.
 * @PINCTL_NTF_UNPINNED: its owner ended a lease (unpin or close).
 * @PINCTL_NTF_EXPIRED: a lease ran out.
 * @PINCTL_NTF_BREAKING: a lease was revoked with a deadline.
 * @PINCTL_NTF_REVOKED: a revoked lease's pages were released.
 * @PINCTL_NTF_STALE: a watched lease's range stopped mapping its pages
 *	(&pinctl_lease.stale_reason, .stale_addr, .stale_length); with
 *	PINCTL_PIN_RELEASE_ON_STALE its pages were released.
 * @PINCTL_NTF_BUDGET_HIT: a pin was refused over a cgroup's budget (only
 *	with PINCTL_MONITOR_BUDGET_HITS). The lease record describes the
 *	refused pin: &pinctl_lease.tgid, .uid, .comm, .length, .nr_pages
 *	and .cgroup_id (the pinner's cgroup); the rest is zero.
 *	pinctl_monitor_budget() gives the budget it met.
 */
enum pinctl_ntf_type {
	PINCTL_NTF_PINNED = 1,
	PINCTL_NTF_UNPINNED = 2,
	PINCTL_NTF_EXPIRED = 3,
	PINCTL_NTF_BREAKING = 4,
	PINCTL_NTF_REVOKED = 5,
	PINCTL_NTF_STALE = 6,
	PINCTL_NTF_BUDGET_HIT = 7,
};

/**
 * pinctl_ntf_name() - a notification type's name
 * @type: enum pinctl_ntf_type
 *
 * Context: thread-safe.
 * Return: "pinned", "unpinned", "expired", "breaking", "revoked", "stale",
 * "budget-hit" or "unknown".
 */
PINCTL_API const char *pinctl_ntf_name(uint32_t type);

/**
 * enum pinctl_monitor_flags - what a monitor reports besides lease events
 * @PINCTL_MONITOR_BUDGET_HITS: pins refused over a cgroup's budget
 *	(PINCTL_NTF_BUDGET_HIT). A monitor that does not ask never sees them.
 */
enum pinctl_monitor_flags {
	PINCTL_MONITOR_BUDGET_HITS = 1 << 0,
};

/**
 * struct pinctl_monitor_opts - options of pinctl_monitor_new()
 * @sz: sizeof(struct pinctl_monitor_opts)
 * @rcvbuf: the socket's receive buffer in bytes; 0 for the default
 * @flags: bitmap of enum pinctl_monitor_flags (64 bits wide so that the
 *	structure grew with it: a caller built before it has a smaller @sz)
 */
struct pinctl_monitor_opts {
	size_t sz;
	uint32_t rcvbuf;
	uint64_t flags;
};

/**
 * pinctl_monitor_new() - subscribe to every lease's events
 * @ctx: the library context
 * @opts: options, or NULL
 * @monp: where to store the new monitor, with one reference
 *
 * Joins the family's multicast group "monitor", which needs CAP_SYS_ADMIN.
 * The socket is non-blocking and close-on-exec: poll
 * pinctl_monitor_get_fd() and call pinctl_monitor_read() until -EAGAIN.
 *
 * Context: thread-safe.
 * Return: 0, -EPERM without CAP_SYS_ADMIN, -ENOENT if the family is not
 * registered, or another negative errno.
 */
PINCTL_API int pinctl_monitor_new(struct pinctl_ctx *ctx,
				  const struct pinctl_monitor_opts *opts,
				  struct pinctl_monitor **monp);

/**
 * pinctl_monitor_ref() - take a reference to a monitor
 * @mon: the monitor, or NULL
 *
 * Context: thread-safe.
 * Return: @mon.
 */
PINCTL_API struct pinctl_monitor *pinctl_monitor_ref(struct pinctl_monitor *mon);

/**
 * pinctl_monitor_unref() - drop a reference to a monitor
 * @mon: the monitor, or NULL
 *
 * With the last reference the subscription ends and the socket is closed.
 *
 * Context: thread-safe.
 * Return: NULL.
 */
PINCTL_API struct pinctl_monitor *pinctl_monitor_unref(struct pinctl_monitor *mon);

/**
 * pinctl_monitor_get_fd() - the monitor's socket, to poll
 * @mon: the monitor
 *
 * Context: thread-safe.
 * Return: the descriptor, owned by @mon.
 */
PINCTL_API int pinctl_monitor_get_fd(const struct pinctl_monitor *mon);

/**
 * pinctl_monitor_read() - the next notification
 * @mon: the monitor
 * @type: where to store its enum pinctl_ntf_type
 * @lease: filled up to @lease->sz with the lease it is about
 *
 * Context: not thread-safe: one thread reads a monitor at a time.
 * Return: 0; -EAGAIN when none is waiting; -ENOBUFS when the socket
 * overflowed and notifications were lost (reading goes on after it).
 */
PINCTL_API int pinctl_monitor_read(struct pinctl_monitor *mon, uint32_t *type,
				   struct pinctl_lease *lease);

/**
 * pinctl_monitor_budget() - the budget of the last budget hit read
 * @mon: the monitor, made with PINCTL_MONITOR_BUDGET_HITS
 * @budget: filled up to @budget->sz: the budget as it stood when the pin
 *	was refused (its usage without the refused pages); @budget->cgroup is
 *	its path from the root of the cgroup v2 hierarchy, valid until the
 *	next pinctl_monitor_read()
 *
 * Context: not thread-safe, as pinctl_monitor_read().
 * Return: 0; -ENOENT when the last notification read was not a
 * PINCTL_NTF_BUDGET_HIT; -EINVAL.
 */
PINCTL_API int pinctl_monitor_budget(const struct pinctl_monitor *mon,
				     struct pinctl_budget *budget);

/* ---- The module, through libkmod ---------------------------------------- */

/**
 * enum pinctl_module_state - whether pinmgr is in the kernel
 * @PINCTL_MODULE_ABSENT: not loaded.
 * @PINCTL_MODULE_LIVE: loaded and running.
 * @PINCTL_MODULE_COMING: being loaded.
 * @PINCTL_MODULE_GOING: being unloaded.
 * @PINCTL_MODULE_BUILTIN: built into the kernel.
 */
enum pinctl_module_state {
	PINCTL_MODULE_ABSENT = 0,
	PINCTL_MODULE_LIVE = 1,
	PINCTL_MODULE_COMING = 2,
	PINCTL_MODULE_GOING = 3,
	PINCTL_MODULE_BUILTIN = 4,
};

/**
 * struct pinctl_module_status - the module's state, from
 *	pinctl_module_status()
 * @sz: sizeof(struct pinctl_module_status), set by the caller
 * @state: enum pinctl_module_state
 * @refcount: users of the module (open files of the device and others);
 *	-1 if unknown
 * @size: bytes of kernel memory the module takes; 0 if unknown
 * @max_lease_pages: the parameter; UINT64_MAX if unreadable
 * @max_leases: the parameter; UINT64_MAX if unreadable
 * @max_device_pages: the parameter; UINT64_MAX if unreadable
 * @break_time_ms: the parameter; UINT64_MAX if unreadable
 * @max_events: the parameter; UINT64_MAX if unreadable
 * @srcversion: the module's srcversion, or ""
 * @path: the module file that loading by name would use, or "" when the
 *	module directory of the running kernel has none
 */
struct pinctl_module_status {
	size_t sz;
	int32_t state;
	int32_t refcount;
	uint64_t size;
	uint64_t max_lease_pages;
	uint64_t max_leases;
	uint64_t max_device_pages;
	uint64_t break_time_ms;
	uint64_t max_events;
	char srcversion[64];
	char path[512];
};

/**
 * pinctl_module_status() - is pinmgr loaded, its parameters and users
 * @ctx: the library context
 * @st: filled up to @st->sz, which the caller sets
 *
 * Context: thread-safe.
 * Return: 0 (also when the module is not loaded: see @st->state), or a
 * negative errno.
 */
PINCTL_API int pinctl_module_status(struct pinctl_ctx *ctx,
				    struct pinctl_module_status *st);

/**
 * pinctl_module_param_get() - read a parameter of the loaded module
 * @ctx: the library context
 * @name: the parameter, e.g. "max_lease_pages"
 * @buf: where to store its value as text, without the newline
 * @size: size of @buf
 *
 * Context: thread-safe.
 * Return: 0, -ENOENT (no such parameter, or not loaded), -ERANGE (@buf too
 * small), or another negative errno.
 */
PINCTL_API int pinctl_module_param_get(struct pinctl_ctx *ctx, const char *name,
				       char *buf, size_t size);

/**
 * pinctl_module_param_set() - change a parameter of the loaded module
 * @ctx: the library context
 * @name: the parameter, e.g. "break_time_ms"
 * @value: its new value, as text
 *
 * Context: thread-safe.
 * Return: 0, -ENOENT, -EACCES (needs root), -EINVAL (refused value).
 */
PINCTL_API int pinctl_module_param_set(struct pinctl_ctx *ctx, const char *name,
				       const char *value);

/**
 * struct pinctl_module_load_opts - options of pinctl_module_load()
 * @sz: sizeof(struct pinctl_module_load_opts)
 * @path: load this module file instead of looking "pinmgr" up in the
 *	running kernel's module directory (modules.dep); NULL to look it up
 * @params: module parameters, as for modprobe ("max_leases=10
 *	break_time_ms=100"); NULL for none
 */
struct pinctl_module_load_opts {
	size_t sz;
	const char *path;
	const char *params;
};

/**
 * pinctl_module_load() - load pinmgr
 * @ctx: the library context
 * @opts: options, or NULL
 *
 * Looks the module up as modprobe does (/lib/modules/$(uname -r), where
 * DKMS or "make install" put it and depmod indexed it) and loads it with
 * its dependencies and the configured options, or loads the file
 * @opts->path. Needs CAP_SYS_MODULE.
 *
 * Context: thread-safe.
 * Return: 0; -EEXIST if already loaded; -ENOENT if no module file was
 * found; -EPERM; or another errno of init_module(2).
 */
PINCTL_API int pinctl_module_load(struct pinctl_ctx *ctx,
				  const struct pinctl_module_load_opts *opts);

/**
 * struct pinctl_module_unload_opts - options of pinctl_module_unload()
 * @sz: sizeof(struct pinctl_module_unload_opts)
 * @flags: must be 0
 */
struct pinctl_module_unload_opts {
	size_t sz;
	uint32_t flags;
};

/**
 * pinctl_module_unload() - unload pinmgr
 * @ctx: the library context
 * @opts: options, or NULL
 *
 * Fails while the device is open (every lease holds its file open).
 *
 * Context: thread-safe.
 * Return: 0; -ENOENT if not loaded; -EBUSY while in use; -EPERM.
 */
PINCTL_API int pinctl_module_unload(struct pinctl_ctx *ctx,
				    const struct pinctl_module_unload_opts *opts);

/* ---- Registration cache ------------------------------------------------- */

/*
 * struct pinctl_cache - leases kept for reuse, found by address (opaque)
 *
 * What MPI, UCX and libfabric call a registration cache, told of changes by
 * the kernel instead of by hooks on munmap(): every lease it holds is
 * watched (PINCTL_PIN_WATCH), and a lease whose mapping changed is never
 * handed out again.
 */
struct pinctl_cache;

/**
 * struct pinctl_cache_entry - a lease of the cache, as pinctl_cache_get()
 *	hands it out; valid until given back with pinctl_cache_put()
 * @handle: the lease's handle, for pinctl_access_read() and the like
 * @addr: start of the lease's range; at most the address asked for
 * @length: length of the lease's range; it covers the range asked for
 * @flags: enum pinctl_pin_flags the lease was pinned with, as the driver
 *	reported them (PINCTL_PIN_WATCH among them)
 */
struct pinctl_cache_entry {
	uint64_t handle;
	uint64_t addr;
	uint64_t length;
	uint32_t flags;
};

/**
 * struct pinctl_cache_opts - options of pinctl_cache_new()
 * @sz: sizeof(struct pinctl_cache_opts)
 * @max_bytes: bytes the unused leases may pin together before the least
 *	recently used are unpinned; 0 for the default (64 MiB)
 * @max_entries: unused leases kept at most; 0 for the default (1024)
 * @pin_flags: enum pinctl_pin_flags added to every pin (PINCTL_PIN_WATCH
 *	is always added)
 */
struct pinctl_cache_opts {
	size_t sz;
	uint64_t max_bytes;
	uint32_t max_entries;
	uint32_t pin_flags;
};

/**
 * struct pinctl_cache_stats - what a cache did
 * @sz: sizeof(struct pinctl_cache_stats), set by the caller
 * @hits: gets answered from the cache, with no system call
 * @misses: gets that pinned a new lease
 * @invalidations: leases dropped because their mapping changed
 * @evictions: unused leases unpinned to stay within the bounds
 * @entries: leases the cache holds now, in use or not
 * @bytes: bytes those leases pin
 */
struct pinctl_cache_stats {
	size_t sz;
	uint64_t hits;
	uint64_t misses;
	uint64_t invalidations;
	uint64_t evictions;
	uint64_t entries;
	uint64_t bytes;
};

/**
 * pinctl_cache_new() - a registration cache on a device object
 * @dev: the device object whose leases the cache holds, opened by this
 *	process; the cache takes a reference to it
 * @opts: options, or NULL for the defaults
 * @cache: where to store the new cache, with one reference
 *
 * The cache pins through @dev and learns of changes to its leases' ranges
 * from the status area (pinctl_watch_area(), mapped here) alone: it never
 * reads @dev's events, which stay the application's. Its leases are @dev's
 * as any other: they show in pinctl_list() and count against @dev's
 * limits.
 *
 * Context: thread-safe.
 * Return: 0; -EOPNOTSUPP where PINCTL_FEATURE_WATCH is absent, or for
 * @opts->pin_flags that are not enum pinctl_pin_flags; -EINVAL or -E2BIG
 * for bad @opts; -ENOMEM; or an errno of pinctl_watch_area().
 */
PINCTL_API int pinctl_cache_new(struct pinctl_dev *dev,
				const struct pinctl_cache_opts *opts,
				struct pinctl_cache **cache);

/**
 * pinctl_cache_ref() - take a reference to a cache
 * @cache: the cache, or NULL
 *
 * Context: thread-safe.
 * Return: @cache.
 */
PINCTL_API struct pinctl_cache *pinctl_cache_ref(struct pinctl_cache *cache);

/**
 * pinctl_cache_unref() - drop a reference to a cache
 * @cache: the cache, or NULL
 *
 * With the last reference the cache unpins every lease that is not in use
 * and takes no more gets. Entries still in use stay valid: each is unpinned
 * when it is put, and the cache's memory (and its reference to the device
 * object) goes with the last of them, or at once when none is in use. Only
 * pinctl_cache_put() may be called on the cache after its last reference.
 *
 * Context: thread-safe.
 * Return: NULL.
 */
PINCTL_API struct pinctl_cache *pinctl_cache_unref(struct pinctl_cache *cache);

/**
 * pinctl_cache_get() - a lease that covers a range, from the cache or new
 * @cache: the cache
 * @addr: start of the range; any alignment
 * @length: its length in bytes; non-zero
 * @flags: PINCTL_PIN_WRITE and PINCTL_PIN_LONGTERM, or 0: the lease must
 *	have been pinned with at least these
 * @entry: where to store the entry, valid until pinctl_cache_put()
 *
 * A hit is a lease of the cache that covers [@addr, @addr + @length), has
 * at least @flags and whose range has not changed since it was pinned
 * (pinctl_watch_changed()): it is handed out with no system call. A lease
 * found changed is dropped from the cache at once, so that no get finds it
 * again, and unpinned when no user is left. Otherwise, a miss, the page
 * aligned cover of the range is pinned as a new watched lease, with @flags,
 * PINCTL_PIN_WATCH and the cache's &pinctl_cache_opts.pin_flags; where that
 * pin is refused over a limit (-EDQUOT, -EMFILE, -ENOSPC), the unused
 * leases are unpinned and the pin is tried once more.
 *
 * An entry stays pinned while in use, even if its range changes meanwhile:
 * the caller learns that from pinctl_watch_changed() on the lease's slot,
 * or at the next get. A range the caller unmaps while using an entry
 * leaves that entry holding the old pages until it is put.
 *
 * Context: thread-safe; one mutex guards the cache, and no system call is
 * made under it.
 * Return: 0; -EINVAL for a zero @length, a range that wraps or a NULL
 * @entry; -EOPNOTSUPP for other @flags; -ENOMEM; -EPROTO if the driver
 * did not watch the new lease; or the errno of pinctl_pin()
 * (pinctl_strerror() with PINCTL_OP_PIN explains it).
 */
PINCTL_API int pinctl_cache_get(struct pinctl_cache *cache, const void *addr,
				uint64_t length, uint32_t flags,
				const struct pinctl_cache_entry **entry);

/**
 * pinctl_cache_put() - give back an entry of pinctl_cache_get()
 * @cache: the cache it came from
 * @entry: the entry, or NULL
 *
 * Once no user is left, the lease is kept for later gets on a list of
 * unused leases, least recently used first, within
 * &pinctl_cache_opts.max_bytes and .max_entries (the oldest are unpinned
 * beyond them); a lease whose range changed is unpinned instead. Each get
 * takes one use: put each entry as often as it was got.
 *
 * Context: thread-safe.
 */
PINCTL_API void pinctl_cache_put(struct pinctl_cache *cache,
				 const struct pinctl_cache_entry *entry);

/**
 * pinctl_cache_stats() - what a cache did and holds
 * @cache: the cache
 * @stats: filled up to @stats->sz, which the caller sets
 *
 * Context: thread-safe.
 * Return: 0, or -EINVAL or -E2BIG for a bad @stats->sz.
 */
PINCTL_API int pinctl_cache_stats(struct pinctl_cache *cache,
				  struct pinctl_cache_stats *stats);

/**
 * DOC: census
 *
 * Who pins how much memory on the machine, from every source that says:
 * each process's pinmgr leases (netlink), its io_uring rings' registered
 * buffers (each ring's fdinfo, "UserBufs"), its VmPin and VmLck
 * (/proc/PID/status), against the machine's outstanding FOLL_PIN pages
 * (/proc/vmstat: nr_foll_pin_acquired - nr_foll_pin_released). What the
 * census cannot name stays "not attributed": RDMA memory regions, VFIO,
 * the kernel's own pins, other users' processes for an unprivileged
 * caller. A census is a snapshot, read once, each source a moment apart.
 *
 * A process is censused when the caller may read its open files (the
 * kernel's ptrace read check: its own processes for an unprivileged user,
 * every process for root); the others are only counted. Pids are those of
 * the caller's /proc, uids those of its user namespace.
 */

/**
 * struct pinctl_census_use - memory pinned or locked, by interface, in bytes
 * @pinmgr: pinned by pinmgr leases (ACTIVE, BREAKING, STALE or HELD, not
 *	watch-only)
 * @io_uring: pinned by io_uring's registered buffers, in whole pages; a
 *	ring reached through several descriptors or processes (dup(),
 *	fork(), passed) counts once, for the lowest pid that holds it (as
 *	kcmp(2) tells; a kernel without it counts each descriptor)
 * @vm_pin: the kernel's pinned_vm ("VmPin"): what io_uring, RDMA and
 *	pinmgr charge to the address space; not added to the others
 * @vm_lck: the kernel's locked_vm ("VmLck"): mlock()ed memory, VFIO
 *	type1's pins
 */
struct pinctl_census_use {
	uint64_t pinmgr;
	uint64_t io_uring;
	uint64_t vm_pin;
	uint64_t vm_lck;
};

/**
 * struct pinctl_census_proc - one process of a census
 * @sz: sizeof(struct pinctl_census_proc) of the library
 * @pid: its pid, in the caller's /proc
 * @uid: its real uid
 * @comm: its name, as /proc/PID/comm has it; valid during the callback
 *	only
 * @cgroup: its cgroup v2 path, "" if it has none; valid during the
 *	callback only
 * @leases: pinmgr leases it owns that pin
 * @io_uring_bufs: registered buffers of its io_uring rings
 * @use: what it pins and locks
 * @rdma_mrs: RDMA memory regions its threads registered, as the RDMA core
 *	lists them
 * @rdma: bytes those regions pin, each rounded up to whole pages (a region
 *	that does not start on a page boundary pins one page more); like
 *	@use.pinmgr and @use.io_uring, part of @use.vm_pin
 */
struct pinctl_census_proc {
	size_t sz;
	uint32_t pid;
	uint32_t uid;
	const char *comm;
	const char *cgroup;
	uint32_t leases;
	uint32_t io_uring_bufs;
	struct pinctl_census_use use;
	uint32_t rdma_mrs;
	uint64_t rdma;
};

/**
 * enum pinctl_census_by - how pinctl_census_groups() sums processes
 * @PINCTL_CENSUS_BY_USER: one group per real uid
 * @PINCTL_CENSUS_BY_CGROUP: one group per cgroup v2 path (not its subtree)
 */
enum pinctl_census_by {
	PINCTL_CENSUS_BY_USER = 1,
	PINCTL_CENSUS_BY_CGROUP = 2,
};

/**
 * struct pinctl_census_group - the processes of one user or cgroup
 * @sz: sizeof(struct pinctl_census_group) of the library
 * @uid: the user (PINCTL_CENSUS_BY_USER)
 * @cgroup: the cgroup (PINCTL_CENSUS_BY_CGROUP); valid during the callback
 * @procs: its censused processes that pin or lock anything
 * @use: their sum
 * @rdma: their RDMA memory regions' bytes
 * @locked_vm: PINCTL_CENSUS_BY_USER only: bytes charged to the user's
 *	locked_vm, which RLIMIT_MEMLOCK bounds per user: pinmgr's leases,
 *	io_uring's buffers (of users without CAP_IPC_LOCK), iommufd, BPF, the
 *	network stack's zerocopy; the pinmgr module reports it
 * @has_locked_vm: 1 if @locked_vm is known: the module is loaded, answered
 *	for this user (the caller's own, or any for an administrator) and
 *	found a live process of it
 */
struct pinctl_census_group {
	size_t sz;
	uint32_t uid;
	const char *cgroup;
	uint32_t procs;
	struct pinctl_census_use use;
	uint64_t rdma;
	uint64_t locked_vm;
	uint8_t has_locked_vm;
};

/**
 * struct pinctl_census_machine - the machine's line of a census
 * @sz: sizeof(struct pinctl_census_machine), set by the caller
 * @pinned: bytes of outstanding FOLL_PIN pins (vmstat), 0 where the kernel
 *	does not count them (before 5.8 and without /proc/vmstat)
 * @attributed: bytes of those the census names: its processes' pinmgr,
 *	io_uring and RDMA pins, and @pinmgr_unowned
 * @not_attributed: @pinned - @attributed, or 0 if the census named more
 *	(a pin made or released between two reads)
 * @pinmgr_unowned: bytes pinned by pinmgr leases whose owner the census did
 *	not see: held by a dma-buf after their owner ended, or owned by a
 *	process that exited meanwhile
 * @use: the sum over the censused processes
 * @procs: processes censused
 * @hidden: processes the caller may not read, counted only
 * @rings_unlisted: io_uring rings whose buffers fdinfo did not list (the
 *	ring was busy): their pins are not attributed
 * @has_pinmgr: 1 if the pinmgr family answered (the module is loaded)
 * @has_foll_pin: 1 if the kernel counts FOLL_PIN pins in /proc/vmstat
 * @rdma: the censused processes' RDMA memory regions' bytes
 * @has_rdma: 1 if the RDMA core answered (it is loaded)
 */
struct pinctl_census_machine {
	size_t sz;
	uint64_t pinned;
	uint64_t attributed;
	uint64_t not_attributed;
	uint64_t pinmgr_unowned;
	struct pinctl_census_use use;
	uint32_t procs;
	uint32_t hidden;
	uint32_t rings_unlisted;
	uint8_t has_pinmgr;
	uint8_t has_foll_pin;
	uint64_t rdma;
	uint8_t has_rdma;
};

/**
 * enum pinctl_census_flags - options of pinctl_census_take()
 * @PINCTL_CENSUS_ALL: keep every censused process, also those that pin and
 *	lock nothing (by default they are only counted in @procs)
 */
enum pinctl_census_flags {
	PINCTL_CENSUS_ALL = 1 << 0,
};

struct pinctl_census;

/**
 * pinctl_census_take() - take a census of the machine's pins
 * @ctx: the library context
 * @flags: bitmap of enum pinctl_census_flags
 * @censusp: where to store the census, with one reference
 *
 * Reads /proc, asks the pinmgr family for the leases the caller may see
 * and for the locked_vm of each kept process's user, and the RDMA core for
 * the memory regions of its devices; without the module the census goes
 * on with no pinmgr figures (&pinctl_census_machine.has_pinmgr is 0), and
 * without RDMA with none of it (&pinctl_census_machine.has_rdma is 0). A
 * process that exits during the census is skipped.
 *
 * Context: thread-safe.
 * Return: 0; -EINVAL for unknown @flags or a NULL @censusp; -ENOMEM;
 * -ENOENT without /proc; or another errno of the reads.
 */
PINCTL_API int pinctl_census_take(struct pinctl_ctx *ctx, uint32_t flags,
				  struct pinctl_census **censusp);

/**
 * pinctl_census_ref() - take a reference to a census
 * @census: the census, or NULL
 *
 * Context: thread-safe.
 * Return: @census.
 */
PINCTL_API struct pinctl_census *pinctl_census_ref(struct pinctl_census *census);

/**
 * pinctl_census_unref() - drop a reference; the last frees the census
 * @census: the census, or NULL
 *
 * Context: thread-safe.
 * Return: NULL.
 */
PINCTL_API struct pinctl_census *pinctl_census_unref(struct pinctl_census *census);

/**
 * typedef pinctl_census_proc_cb - called for each process of a census
 * @proc: the process, valid during the call
 * @data: the caller's pointer
 *
 * Return: 0 to go on, anything else to stop, which the walk then returns.
 */
typedef int (*pinctl_census_proc_cb)(const struct pinctl_census_proc *proc,
				     void *data);

/**
 * pinctl_census_procs() - the processes of a census, by pid
 * @census: the census
 * @cb: called for each process
 * @data: passed to @cb
 *
 * Context: thread-safe; the census does not change.
 * Return: 0, what @cb returned to stop, or -EINVAL.
 */
PINCTL_API int pinctl_census_procs(const struct pinctl_census *census,
				   pinctl_census_proc_cb cb, void *data);

/**
 * typedef pinctl_census_group_cb - called for each group of a census
 * @group: the group, valid during the call
 * @data: the caller's pointer
 *
 * Return: 0 to go on, anything else to stop, which the walk then returns.
 */
typedef int (*pinctl_census_group_cb)(const struct pinctl_census_group *group,
				      void *data);

/**
 * pinctl_census_groups() - a census's processes summed per user or cgroup
 * @census: the census
 * @by: enum pinctl_census_by
 * @cb: called for each group, by uid or by path
 * @data: passed to @cb
 *
 * Context: thread-safe; the census does not change.
 * Return: 0, what @cb returned to stop, -EINVAL for an unknown @by, or
 * -ENOMEM.
 */
PINCTL_API int pinctl_census_groups(const struct pinctl_census *census,
				    uint32_t by, pinctl_census_group_cb cb,
				    void *data);

/**
 * pinctl_census_machine() - a census's line for the whole machine
 * @census: the census
 * @machine: where to store it; its @sz set by the caller
 *
 * Context: thread-safe.
 * Return: 0 or -EINVAL.
 */
PINCTL_API int pinctl_census_machine(const struct pinctl_census *census,
				     struct pinctl_census_machine *machine);

#ifdef __cplusplus
}
#endif

#endif /* LIBPINCTL_H */

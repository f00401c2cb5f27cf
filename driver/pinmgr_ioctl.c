// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ioctl ABI of /dev/pinmgr: one table entry per command, naming its
 * structure and the structure's first-version size; the dispatcher reads the
 * caller's size, checks it and copies the structure in once with
 * copy_struct_from_user(). Handlers validate flags and fields, do the work
 * through the lease layer and write their reply with pinmgr_respond().
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/pid_namespace.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "pinmgr.h"

struct pinmgr_ucmd {
	struct pinmgr_ctx *ctx;
	void __user *ubuffer;
	u32 user_size;
	void *cmd;
};

/* Write the reply back, truncated to the caller's idea of the structure. */
static int pinmgr_respond(struct pinmgr_ucmd *ucmd, size_t cmd_len)
{
	if (copy_to_user(ucmd->ubuffer, ucmd->cmd,
			 min_t(size_t, ucmd->user_size, cmd_len)))
		return -EFAULT;
	return 0;
}

/*
 * Write back only the bytes [@from, @to) (the outputs), in a copy of a size
 * known at build time, which skips the hardened usercopy checks that a copy
 * of the caller's size pays for. @to is within the command's first version,
 * which every caller's structure covers.
 */
static __always_inline int pinmgr_respond_range(struct pinmgr_ucmd *ucmd,
						size_t from, size_t to)
{
	if (copy_to_user(ucmd->ubuffer + from, ucmd->cmd + from, to - from))
		return -EFAULT;
	return 0;
}

/* PIN and UNPIN act on the context's mm: only its owner may use them. */
static bool pinmgr_caller_owns(struct pinmgr_ctx *ctx)
{
	return current->mm == ctx->mm;
}

static int pinmgr_get_info(struct pinmgr_ucmd *ucmd)
{
	struct pinmgr_info *cmd = ucmd->cmd;
	struct pinmgr_ctx *ctx = ucmd->ctx;

	if (cmd->flags)
		return -EOPNOTSUPP;
	if (cmd->__reserved)
		return -EINVAL;

	cmd->abi_version = PINMGR_ABI_VERSION;
	cmd->page_size = PAGE_SIZE;
	cmd->features = PINMGR_FEATURE_LONGTERM | PINMGR_FEATURE_WRITE |
			PINMGR_FEATURE_PIN_VEC | PINMGR_FEATURE_EXPIRY |
			PINMGR_FEATURE_REVOKE | PINMGR_FEATURE_EVENTS |
			PINMGR_FEATURE_USER_LIMITS;
	if (PINMGR_GENL_MCAST_CAP_SYS_ADMIN)
		cmd->features |= PINMGR_FEATURE_NL_MONITOR;
	if (PINMGR_LONGTERM_MOVES_MOVABLE)
		cmd->features |= PINMGR_FEATURE_LONGTERM_MOVES_MOVABLE;
	if (IS_ENABLED(CONFIG_MMU_NOTIFIER))
		cmd->features |= PINMGR_FEATURE_WATCH;
	if (IS_ENABLED(CONFIG_DMA_SHARED_BUFFER))
		cmd->features |= PINMGR_FEATURE_EXPORT;
	if (IS_ENABLED(CONFIG_DMA_SHARED_BUFFER) && PINMGR_EXPORT_REVOCABLE_PINS)
		cmd->features |= PINMGR_FEATURE_EXPORT_REVOCABLE_PINS;
	if (IS_ENABLED(CONFIG_CGROUPS))
		cmd->features |= PINMGR_FEATURE_BUDGETS;
	cmd->out_flags = 0;
	/* A report, not a use of the privilege: do not audit a denial. */
	if (ns_capable_noaudit(&init_user_ns, CAP_IPC_LOCK))
		cmd->out_flags |= PINMGR_INFO_CAP_IPC_LOCK;
	if (pinmgr_caller_owns(ctx))
		cmd->out_flags |= PINMGR_INFO_OWNER_MM;
	cmd->max_lease_pages = READ_ONCE(pinmgr_max_lease_pages);
	cmd->max_leases = READ_ONCE(pinmgr_max_leases);
	cmd->max_device_pages = READ_ONCE(pinmgr_max_device_pages);
	cmd->memlock_limit_pages = pinmgr_memlock_limit_pages();
	cmd->mm_pinned_pages = atomic64_read(&ctx->mm->pinned_vm);
	cmd->user_pinned_pages = pinmgr_user_pinned_pages();
	cmd->ctx_leases = atomic_read(&ctx->nr_leases);
	cmd->ctx_pinned_pages = atomic_long_read(&ctx->pinned_pages);
	cmd->device_leases = pinmgr_device_leases();
	cmd->device_pinned_pages = atomic_long_read(&pinmgr_device_pages);
	cmd->break_time_ns = (u64)READ_ONCE(pinmgr_break_time_ms) *
			     NSEC_PER_MSEC;
	/* The queue's size is fixed once made; until then the parameter. */
	cmd->max_events = READ_ONCE(ctx->events) ? ctx->ev_cap :
			  max(READ_ONCE(pinmgr_max_events), 1U);
	return pinmgr_respond(ucmd, sizeof(*cmd));
}

#define PINMGR_PIN_WATCH_FLAGS	(PINMGR_PIN_WATCH | \
				 PINMGR_PIN_RELEASE_ON_STALE | \
				 PINMGR_PIN_WATCH_ONLY)

/* The checks of one range to pin, before anything is allocated. */
static int pinmgr_pin_check(u32 flags, u64 addr, u64 length)
{
	u64 end;

	if (flags & ~(PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM |
		      PINMGR_PIN_WATCH_FLAGS))
		return -EOPNOTSUPP;
	if ((flags & PINMGR_PIN_WATCH_FLAGS) &&
	    !IS_ENABLED(CONFIG_MMU_NOTIFIER))
		return -EOPNOTSUPP;
	/* Release needs a watch; a watch-only lease has nothing to release. */
	if ((flags & PINMGR_PIN_RELEASE_ON_STALE) &&
	    !(flags & PINMGR_PIN_WATCH))
		return -EINVAL;
	if ((flags & PINMGR_PIN_WATCH_ONLY) &&
	    (flags & (PINMGR_PIN_LONGTERM | PINMGR_PIN_RELEASE_ON_STALE)))
		return -EINVAL;
	if (!length || !PAGE_ALIGNED(addr) || !PAGE_ALIGNED(length))
		return -EINVAL;
	if (check_add_overflow(addr, length, &end))
		return -EINVAL;
	if (!access_ok(u64_to_user_ptr(addr), length))
		return -EFAULT;
	return 0;
}

static int pinmgr_pin(struct pinmgr_ucmd *ucmd)
{
	struct pinmgr_pin *cmd = ucmd->cmd;
	struct pinmgr_ctx *ctx = ucmd->ctx;
	struct pinmgr_lease *lease;
	int ret;

	if (cmd->__reserved || cmd->__reserved2)
		return -EINVAL;
	ret = pinmgr_pin_check(cmd->flags, cmd->addr, cmd->length);
	if (ret)
		return ret;
	if (!pinmgr_caller_owns(ctx))
		return -EPERM;

	lease = pinmgr_lease_create(ctx, cmd);
	if (IS_ERR(lease))
		return PTR_ERR(lease);

	cmd->out_handle = lease->handle;
	cmd->out_nr_pages = lease->nr_pages;
	cmd->out_nr_runs = lease->nr_runs;
	ret = pinmgr_respond_range(ucmd, offsetof(struct pinmgr_pin, out_handle),
				   offsetofend(struct pinmgr_pin, out_nr_runs));
	/* Only a caller that knows out_pin_flags is told of it. */
	if (!ret && ucmd->user_size >= offsetofend(struct pinmgr_pin,
						   out_pin_flags) &&
	    put_user(lease->pin_flags,
		     &((struct pinmgr_pin __user *)ucmd->ubuffer)->out_pin_flags))
		ret = -EFAULT;
	if (!ret && ucmd->user_size >= offsetofend(struct pinmgr_pin,
						   out_watch_gen)) {
		pinmgr_watch_reply(lease, &cmd->out_watch_slot,
				   &cmd->out_watch_gen);
		ret = pinmgr_respond_range(ucmd, offsetof(struct pinmgr_pin,
							  out_watch_slot),
					   offsetofend(struct pinmgr_pin,
						       out_watch_gen));
	}
	if (ret) {
		/* The caller would never learn the handle: undo it all. */
		pinmgr_lease_abort(lease);
		pinmgr_count_failure(ret);
		return ret;
	}
	pinmgr_lease_publish(lease);
	return 0;
}

/* Tell the caller of a failed PIN_VEC which range failed. */
static int pinmgr_pin_vec_fail(struct pinmgr_ucmd *ucmd, u32 index, int err)
{
	struct pinmgr_pin_vec *cmd = ucmd->cmd;

	/* The whole structure is the minimum size: the field is there. */
	cmd->out_error_index = index;
	if (put_user(index, (u32 __user *)(ucmd->ubuffer +
			offsetof(struct pinmgr_pin_vec, out_error_index))))
		return -EFAULT;
	return err;
}

/* One range's outputs: its handle, and its watch where the caller knows it. */
static int pinmgr_pin_vec_reply(void __user *urange, u32 range_size,
				const struct pinmgr_lease *lease)
{
	struct pinmgr_pin_range __user *r = urange;
	u32 slot;
	u64 gen;

	if (put_user(lease->handle, &r->out_handle))
		return -EFAULT;
	if (range_size < offsetofend(struct pinmgr_pin_range, out_watch_gen))
		return 0;
	pinmgr_watch_reply(lease, &slot, &gen);
	if (put_user(slot, &r->out_watch_slot) ||
	    put_user(gen, &r->out_watch_gen))
		return -EFAULT;
	return 0;
}

static int pinmgr_pin_vec(struct pinmgr_ucmd *ucmd)
{
	struct pinmgr_pin_vec *cmd = ucmd->cmd;
	struct pinmgr_ctx *ctx = ucmd->ctx;
	void __user *uranges = u64_to_user_ptr(cmd->ranges);
	struct pinmgr_pin_range *ranges;
	struct pinmgr_lease **leases;
	u32 i, nr = cmd->nr_ranges, done = 0;
	int ret;

	if (cmd->flags)
		return pinmgr_pin_vec_fail(ucmd, nr, -EOPNOTSUPP);
	if (cmd->__reserved)
		return pinmgr_pin_vec_fail(ucmd, nr, -EINVAL);
	if (!nr || nr > PINMGR_PIN_VEC_MAX ||
	    cmd->range_size < offsetofend(struct pinmgr_pin_range, out_handle))
		return pinmgr_pin_vec_fail(ucmd, nr, -EINVAL);
	/* Each range's tail is read for zeros: keep that work small. */
	if (cmd->range_size > PINMGR_STRUCT_SIZE_MAX)
		return pinmgr_pin_vec_fail(ucmd, nr, -E2BIG);
	if (!pinmgr_caller_owns(ctx))
		return pinmgr_pin_vec_fail(ucmd, nr, -EPERM);

	ranges = kvmalloc_array(nr, sizeof(*ranges), PINMGR_GFP_ARRAY);
	leases = kvmalloc_array(nr, sizeof(*leases), PINMGR_GFP_ARRAY);
	if (!ranges || !leases) {
		ret = pinmgr_pin_vec_fail(ucmd, nr, -ENOMEM);
		goto out_free;
	}

	/* Every range is read and checked before the first is pinned. */
	for (i = 0; i < nr; i++) {
		ret = copy_struct_from_user(&ranges[i], sizeof(ranges[i]),
					    uranges + (size_t)i * cmd->range_size,
					    cmd->range_size);
		if (!ret && (ranges[i].__reserved || ranges[i].__reserved2))
			ret = -EINVAL;
		if (!ret)
			ret = pinmgr_pin_check(ranges[i].flags, ranges[i].addr,
					       ranges[i].length);
		if (ret) {
			ret = pinmgr_pin_vec_fail(ucmd, i, ret);
			goto out_free;
		}
		if (fatal_signal_pending(current)) {
			ret = pinmgr_pin_vec_fail(ucmd, i, -EINTR);
			goto out_free;
		}
		cond_resched();
	}

	for (done = 0; done < nr; done++) {
		struct pinmgr_pin req = {
			.flags = ranges[done].flags,
			.addr = ranges[done].addr,
			.length = ranges[done].length,
			.cookie = ranges[done].cookie,
			.duration_ns = ranges[done].duration_ns,
		};

		/* pinmgr_lease_create() checks for fatal signals as it pins. */
		leases[done] = pinmgr_lease_create(ctx, &req);
		if (IS_ERR(leases[done])) {
			ret = pinmgr_pin_vec_fail(ucmd, done,
						  PTR_ERR(leases[done]));
			goto out_abort;
		}
		cond_resched();
	}

	/* The handles reach the caller before any lease becomes visible. */
	for (i = 0; i < nr; i++) {
		if (pinmgr_pin_vec_reply(uranges + (size_t)i * cmd->range_size,
					 cmd->range_size, leases[i])) {
			pinmgr_count_failure(-EFAULT);
			ret = pinmgr_pin_vec_fail(ucmd, i, -EFAULT);
			goto out_abort;
		}
	}
	for (i = 0; i < nr; i++)
		pinmgr_lease_publish(leases[i]);
	ret = 0;
	goto out_free;

out_abort:
	while (done--)
		pinmgr_lease_abort(leases[done]);
out_free:
	kvfree(leases);
	kvfree(ranges);
	return ret;
}

static int pinmgr_unpin(struct pinmgr_ucmd *ucmd)
{
	struct pinmgr_unpin *cmd = ucmd->cmd;

	if (cmd->flags)
		return -EOPNOTSUPP;
	if (!pinmgr_caller_owns(ucmd->ctx))
		return -EPERM;
	return pinmgr_lease_unpin(ucmd->ctx, cmd->handle);
}

static int pinmgr_query(struct pinmgr_ucmd *ucmd)
{
	struct pinmgr_query *cmd = ucmd->cmd;
	struct pinmgr_lease_view view;
	struct pinmgr_lease *lease;
	struct pinmgr_viewer v;
	unsigned int i;
	bool gone;

	if (cmd->flags)
		return -EOPNOTSUPP;

	/* Also a HELD lease: unpinned, and still pinned by its dma-bufs. */
	lease = pinmgr_lease_find(cmd->handle);
	if (lease && lease->ctx != ucmd->ctx) {
		pinmgr_lease_put(lease);
		lease = NULL;
	}
	if (!lease)
		return -ENOENT;
	pinmgr_viewer_init(&v, current_cred(), false);
	mutex_lock(&lease->ctx->lock);
	/*
	 * Unpinned by another thread since the lookup: its handle is gone,
	 * and a watched one's pages may be already.
	 */
	gone = list_empty(&lease->ctx_node) &&
	       lease->state != PINMGR_LS_HELD;
	if (!gone)
		pinmgr_lease_snapshot_locked(lease, &v, &view);
	mutex_unlock(&lease->ctx->lock);
	pinmgr_lease_put(lease);
	if (gone)
		return -ENOENT;
	for (i = 0; i < PINMGR_NR_LEASE_FIELDS; i++) {
		const struct pinmgr_field *f = &pinmgr_lease_fields[i];

		memcpy((void *)cmd + f->query_off, (void *)&view + f->view_off,
		       pinmgr_field_size(f));
	}
	return pinmgr_respond(ucmd, sizeof(*cmd));
}

static int pinmgr_list(struct pinmgr_ucmd *ucmd)
{
	struct pinmgr_list *cmd = ucmd->cmd;
	u64 __user *handles = u64_to_user_ptr(cmd->handles);
	u64 *buf = NULL, total;
	u32 filled, room = 0;
	int ret = 0;

	if (cmd->flags)
		return -EOPNOTSUPP;
	if (cmd->__reserved)
		return -EINVAL;
	if (cmd->nr_handles && !cmd->handles)
		return -EFAULT;

	/*
	 * The list is walked under the context's lock, which REVOKE and the
	 * expiry work wait for, so the handles are gathered into a buffer
	 * and copied out after; if leases were added meanwhile
	 * and the caller has room for them, gather again with more room.
	 * out_total counts exactly what the last walk saw.
	 */
	for (;;) {
		filled = pinmgr_lease_list(ucmd->ctx, buf, room, &total);
		if (filled == min_t(u64, total, cmd->nr_handles))
			break;
		kvfree(buf);
		room = min_t(u64, total + 16, cmd->nr_handles);
		buf = kvmalloc_array(room, sizeof(*buf), PINMGR_GFP_ARRAY);
		if (!buf)
			return -ENOMEM;
	}
	if (filled && copy_to_user(handles, buf, filled * sizeof(*buf)))
		ret = -EFAULT;
	kvfree(buf);
	if (ret)
		return ret;
	cmd->nr_handles = filled;
	cmd->out_total = total;
	return pinmgr_respond(ucmd, sizeof(*cmd));
}

static int pinmgr_access(struct pinmgr_ucmd *ucmd)
{
	struct pinmgr_access *cmd = ucmd->cmd;
	bool write = cmd->flags & PINMGR_ACCESS_WRITE;
	struct pinmgr_lease *lease;
	u64 end;
	int ret;

	if (cmd->flags & ~PINMGR_ACCESS_WRITE)
		return -EOPNOTSUPP;
	if (check_add_overflow(cmd->offset, cmd->length, &end))
		return -EINVAL;
	if (!pinmgr_caller_owns(ucmd->ctx))
		return -EPERM;

	lease = pinmgr_lease_get(ucmd->ctx, cmd->handle);
	if (!lease)
		return -ENOENT;
	ret = pinmgr_lease_ended_errno(lease);
	if (!ret && end > ((u64)lease->nr_pages << PAGE_SHIFT))
		ret = -EINVAL;
	if (!ret && write && !(lease->pin_flags & PINMGR_PIN_WRITE))
		ret = -EACCES;
	/* Takes the pages for each page it copies: it may end meanwhile. */
	if (!ret && (lease->pin_flags & PINMGR_PIN_WATCH_ONLY))
		ret = pinmgr_watch_access(lease, cmd->offset,
					  u64_to_user_ptr(cmd->buf),
					  cmd->length, write);
	else if (!ret)
		ret = pinmgr_lease_access(lease, cmd->offset,
					  u64_to_user_ptr(cmd->buf),
					  cmd->length, write);
	pinmgr_lease_put(lease);
	return ret;
}

static int pinmgr_get_segments(struct pinmgr_ucmd *ucmd)
{
	struct pinmgr_get_segments *cmd = ucmd->cmd;
	struct pinmgr_lease *lease;
	long filled;

	if (cmd->flags)
		return -EOPNOTSUPP;
	if (cmd->__reserved)
		return -EINVAL;
	/* Physical addresses are for the administrator's eyes only. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (cmd->nr_segments && !cmd->segments)
		return -EFAULT;

	lease = pinmgr_lease_get(ucmd->ctx, cmd->handle);
	if (!lease)
		return -ENOENT;
	/* A watch-only lease has no pages that stay where they are. */
	if (lease->pin_flags & PINMGR_PIN_WATCH_ONLY)
		filled = -EINVAL;
	else
		filled = pinmgr_lease_segments(lease,
					       u64_to_user_ptr(cmd->segments),
					       cmd->nr_segments,
					       &cmd->out_total);
	pinmgr_lease_put(lease);
	if (filled < 0)
		return filled;
	cmd->nr_segments = filled;
	return pinmgr_respond(ucmd, sizeof(*cmd));
}

static int pinmgr_renew(struct pinmgr_ucmd *ucmd)
{
	struct pinmgr_renew *cmd = ucmd->cmd;

	if (cmd->flags)
		return -EOPNOTSUPP;
	if (!pinmgr_caller_owns(ucmd->ctx))
		return -EPERM;
	return pinmgr_lease_renew(ucmd->ctx, cmd->handle, cmd->duration_ns);
}

static int pinmgr_revoke(struct pinmgr_ucmd *ucmd)
{
	struct pinmgr_revoke *cmd = ucmd->cmd;
	ktime_t deadline;
	int ret;

	if (cmd->flags & ~PINMGR_REVOKE_NOW)
		return -EOPNOTSUPP;
	/* Any lease of anyone: the administrator's power. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;

	/* The reply first: a revocation the caller cannot learn of never starts. */
	deadline = pinmgr_revoke_deadline(cmd->flags & PINMGR_REVOKE_NOW,
					  &cmd->out_deadline_ns);
	ret = pinmgr_respond(ucmd, sizeof(*cmd));
	if (ret)
		return ret;
	return pinmgr_lease_revoke(cmd->handle, deadline);
}

static int pinmgr_export(struct pinmgr_ucmd *ucmd)
{
	struct pinmgr_export *cmd = ucmd->cmd;
	struct file *file;
	int fd, ret;

	if (cmd->flags)
		return -EOPNOTSUPP;
	if (cmd->__reserved)
		return -EINVAL;
	if (!pinmgr_caller_owns(ucmd->ctx))
		return -EPERM;

	ret = pinmgr_lease_export(ucmd->ctx, cmd->handle, &file);
	if (ret)
		return ret;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto out_put;
	}
	/* The reply first: an fd the caller cannot learn of is never made. */
	cmd->out_fd = fd;
	ret = pinmgr_respond(ucmd, sizeof(*cmd));
	if (ret) {
		put_unused_fd(fd);
		goto out_put;
	}
	fd_install(fd, file);
	pinmgr_count(PINMGR_FIG_EXPORTS);
	return 0;

out_put:
	/* The dma-buf's last reference: its release puts the lease. */
	fput(file);
	return ret;
}

struct pinmgr_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	int (*execute)(struct pinmgr_ucmd *ucmd);
};

/* min_size is the first version's size: its last member never moves. */
#define PINMGR_IOCTL_OP(_nr, _fn, _struct, _last)			\
	[_nr] = {							\
		.size = sizeof(_struct) +				\
			BUILD_BUG_ON_ZERO(sizeof(union pinmgr_ucmd_buffer) < \
					  sizeof(_struct)),		\
		.min_size = offsetofend(_struct, _last),		\
		.execute = _fn,						\
	}

union pinmgr_ucmd_buffer {
	struct pinmgr_info info;
	struct pinmgr_pin pin;
	struct pinmgr_unpin unpin;
	struct pinmgr_query query;
	struct pinmgr_list list;
	struct pinmgr_access access;
	struct pinmgr_get_segments get_segments;
	struct pinmgr_pin_vec pin_vec;
	struct pinmgr_renew renew;
	struct pinmgr_revoke revoke;
	struct pinmgr_export export;
};

static const struct pinmgr_ioctl_op pinmgr_ioctl_ops[] = {
	PINMGR_IOCTL_OP(PINMGR_CMD_GET_INFO, pinmgr_get_info,
			struct pinmgr_info, device_pinned_pages),
	PINMGR_IOCTL_OP(PINMGR_CMD_PIN, pinmgr_pin, struct pinmgr_pin,
			out_nr_runs),
	PINMGR_IOCTL_OP(PINMGR_CMD_UNPIN, pinmgr_unpin, struct pinmgr_unpin,
			handle),
	PINMGR_IOCTL_OP(PINMGR_CMD_QUERY, pinmgr_query, struct pinmgr_query,
			out_owner_comm),
	PINMGR_IOCTL_OP(PINMGR_CMD_LIST, pinmgr_list, struct pinmgr_list,
			out_total),
	PINMGR_IOCTL_OP(PINMGR_CMD_ACCESS, pinmgr_access, struct pinmgr_access,
			buf),
	PINMGR_IOCTL_OP(PINMGR_CMD_GET_SEGMENTS, pinmgr_get_segments,
			struct pinmgr_get_segments, out_total),
	PINMGR_IOCTL_OP(PINMGR_CMD_PIN_VEC, pinmgr_pin_vec,
			struct pinmgr_pin_vec, __reserved),
	PINMGR_IOCTL_OP(PINMGR_CMD_RENEW, pinmgr_renew, struct pinmgr_renew,
			duration_ns),
	PINMGR_IOCTL_OP(PINMGR_CMD_REVOKE, pinmgr_revoke,
			struct pinmgr_revoke, out_deadline_ns),
	PINMGR_IOCTL_OP(PINMGR_CMD_EXPORT, pinmgr_export,
			struct pinmgr_export, __reserved),
};

long pinmgr_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct pinmgr_ucmd ucmd = {
		.ctx = file->private_data,
		.ubuffer = (void __user *)arg,
	};
	const struct pinmgr_ioctl_op *op;
	union pinmgr_ucmd_buffer buf;
	unsigned int nr = _IOC_NR(cmd);
	int ret;

	/* Every command is _IO(PINMGR_TYPE, nr): the size is in the struct. */
	if (cmd != _IO(PINMGR_TYPE, nr) || nr >= ARRAY_SIZE(pinmgr_ioctl_ops))
		return -ENOTTY;
	op = &pinmgr_ioctl_ops[nr];
	if (!op->execute)
		return -ENOTTY;

	ret = get_user(ucmd.user_size, (u32 __user *)ucmd.ubuffer);
	if (ret)
		return ret;
	if (ucmd.user_size < op->min_size)
		return -EINVAL;
	/* The tail beyond our structure is read for zeros: keep it small. */
	if (ucmd.user_size > PINMGR_STRUCT_SIZE_MAX)
		return -E2BIG;
	ret = copy_struct_from_user(&buf, op->size, ucmd.ubuffer,
				    ucmd.user_size);
	if (ret)
		return ret;
	ucmd.cmd = &buf;
	return op->execute(&ucmd);
}

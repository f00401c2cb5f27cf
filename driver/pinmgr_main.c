// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinmgr: module setup, the /dev/pinmgr misc device and its contexts.
 *
 * Every open file is a context bound to the opener's mm; its leases end when
 * the file is released.
 */
#include <linux/build_bug.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "pinmgr.h"

/* Handles are xarray indices: they must fit an unsigned long. */
static_assert(sizeof(unsigned long) >= sizeof(u64));

atomic_long_t pinmgr_device_pages;
struct workqueue_struct *pinmgr_wq;
/* Numbers for open files, as inspection shows them: never a pointer. */
static atomic64_t pinmgr_next_ctx_id;

static int pinmgr_open(struct inode *inode, struct file *file)
{
	struct pinmgr_ctx *ctx;

	/* A kernel thread has no address space to pin. */
	if (!current->mm)
		return -EINVAL;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return -ENOMEM;
	ctx->batch = kmalloc_array(PINMGR_BATCH_PAGES, sizeof(*ctx->batch),
				   GFP_KERNEL_ACCOUNT);
	if (!ctx->batch)
		goto out_free_ctx;

	refcount_set(&ctx->refs, 1);
	ctx->id = atomic64_inc_return(&pinmgr_next_ctx_id);
	mutex_init(&ctx->lock);
	INIT_LIST_HEAD(&ctx->leases);
	pinmgr_ctx_expiry_init(ctx);
	init_waitqueue_head(&ctx->ev_wait);
	mutex_init(&ctx->read_lock);
	mutex_init(&ctx->pin_lock);
	ctx->file = file;
	ctx->mm = current->mm;
	mmgrab(ctx->mm);
	ctx->owner = get_pid(task_tgid(current));
	ctx->cred = get_current_cred();
	ctx->user = ctx->cred->user;
	file->private_data = ctx;
	atomic_long_inc(&pinmgr_files);
	return nonseekable_open(inode, file);

out_free_ctx:
	kfree(ctx);
	return -ENOMEM;
}

/* Drop a reference to a context; the last one, file or lease, frees it. */
void pinmgr_ctx_put(struct pinmgr_ctx *ctx)
{
	if (!refcount_dec_and_test(&ctx->refs))
		return;
	WARN_ON_ONCE(atomic_long_read(&ctx->pinned_pages));
	pinmgr_watch_ctx_free(ctx);
	put_pid(ctx->owner);
	put_cred(ctx->cred);
	mmdrop(ctx->mm);
	mutex_destroy(&ctx->pin_lock);
	mutex_destroy(&ctx->read_lock);
	mutex_destroy(&ctx->lock);
	kfree(ctx->batch);
	kfree(ctx);
}

static int pinmgr_release(struct inode *inode, struct file *file)
{
	struct pinmgr_ctx *ctx = file->private_data;

	pinmgr_lease_release_all(ctx);
	pinmgr_events_free(ctx);
	atomic_long_dec(&pinmgr_files);
	pinmgr_ctx_put(ctx);
	return 0;
}

static const struct file_operations pinmgr_fops = {
	.owner = THIS_MODULE,
	.open = pinmgr_open,
	.release = pinmgr_release,
	.unlocked_ioctl = pinmgr_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.read = pinmgr_read,
	.poll = pinmgr_poll,
	.fasync = pinmgr_fasync,
	.mmap = pinmgr_mmap,
	.show_fdinfo = pinmgr_show_fdinfo,
};

static struct miscdevice pinmgr_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "pinmgr",
	.fops = &pinmgr_fops,
	.groups = pinmgr_attr_groups,
};

static int __init pinmgr_init(void)
{
	int ret;

	if (!pinmgr_max_device_pages)
		pinmgr_max_device_pages = totalram_pages() / 2;

	pinmgr_wq = alloc_workqueue("pinmgr", WQ_UNBOUND, 0);
	if (!pinmgr_wq)
		return -ENOMEM;
	ret = pinmgr_lease_cache_init();
	if (ret)
		goto out_destroy_wq;
	ret = pinmgr_shards_init();
	if (ret)
		goto out_destroy_cache;
	ret = pinmgr_netlink_init();
	if (ret) {
		pr_err("pinmgr: cannot register the netlink family: %d\n", ret);
		goto out_free_shards;
	}
	ret = misc_register(&pinmgr_misc);
	if (ret) {
		pr_err("pinmgr: cannot register /dev/pinmgr: %d\n", ret);
		goto out_unregister_family;
	}
	/* Optional: without debugfs the driver works all the same. */
	pinmgr_debugfs_init();
	return 0;

out_unregister_family:
	pinmgr_netlink_exit();
out_free_shards:
	pinmgr_shards_exit();
out_destroy_cache:
	pinmgr_lease_cache_exit();
out_destroy_wq:
	destroy_workqueue(pinmgr_wq);
	return ret;
}

static void __exit pinmgr_exit(void)
{
	pinmgr_debugfs_exit();
	misc_deregister(&pinmgr_misc);
	pinmgr_watch_exit();
	pinmgr_netlink_exit();
	/* The files are gone, and with them every lease and work item. */
	pinmgr_shards_exit();
	/* After the leases: nothing is charged to a budget any more. */
	pinmgr_budget_exit();
	pinmgr_lease_cache_exit();
	destroy_workqueue(pinmgr_wq);
}

module_init(pinmgr_init);
module_exit(pinmgr_exit);

MODULE_DESCRIPTION("Pin user memory with FOLL_PIN, account and inspect every pin");
MODULE_LICENSE("GPL");
/* The packages' version (LIB_VERSION in the Makefile; tests/pkg checks it). */
MODULE_VERSION("0.1.0");

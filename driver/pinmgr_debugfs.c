// SPDX-License-Identifier: GPL-2.0-only
/*
 * debugfs: pinmgr/leases, every lease on the device that its reader may
 * see, one row each under a header (pinmgr_show.c draws them).
 *
 * The walk holds a reference on the lease it stands on, never a lock
 * between rows: pins, unpins, expiries and closes go on meanwhile. A row
 * is drawn from one moment of its lease; a lease is shown once at most,
 * and every lease that lives through the whole read is shown.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/pid_namespace.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "pinmgr.h"

static struct dentry *pinmgr_debugfs_dir;

/*
 * Where the walk stands: the lease to show next, or the one after the
 * last shown. The reader is who opened the file, in the pid namespace it
 * had then (referenced, since the file may outlive the opener).
 */
struct pinmgr_leases_iter {
	unsigned int shard;
	unsigned long seq;
	struct pinmgr_viewer viewer;
};

/* The first lease from the cursor on that the reader may see. */
static struct pinmgr_lease *pinmgr_leases_visible(struct pinmgr_leases_iter *it)
{
	struct pinmgr_lease *lease;

	while ((lease = pinmgr_lease_next(&it->shard, &it->seq))) {
		if (pinmgr_lease_visible(lease, &it->viewer))
			return lease;
		pinmgr_lease_put(lease);
		it->seq++;
	}
	return NULL;
}

/*
 * seq_file starts again at the record it could not show (a full buffer)
 * with the cursor still on that lease, so it comes again; position 0 is
 * the header and a new walk.
 */
static void *pinmgr_leases_start(struct seq_file *m, loff_t *pos)
{
	struct pinmgr_leases_iter *it = m->private;

	if (!*pos) {
		it->shard = 0;
		it->seq = 0;
		return SEQ_START_TOKEN;
	}
	return pinmgr_leases_visible(it);
}

static void *pinmgr_leases_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct pinmgr_leases_iter *it = m->private;

	if (v != SEQ_START_TOKEN) {
		pinmgr_lease_put(v);
		it->seq++;
	}
	++*pos;
	return pinmgr_leases_visible(it);
}

static void pinmgr_leases_stop(struct seq_file *m, void *v)
{
	if (v && v != SEQ_START_TOKEN)
		pinmgr_lease_put(v);
}

static int pinmgr_leases_show(struct seq_file *m, void *v)
{
	struct pinmgr_leases_iter *it = m->private;
	struct pinmgr_lease_view view;

	if (v == SEQ_START_TOKEN) {
		pinmgr_show_header(m);
		return 0;
	}
	pinmgr_lease_snapshot(v, &it->viewer, &view);
	pinmgr_show_row(m, &view);
	return 0;
}

static const struct seq_operations pinmgr_leases_sops = {
	.start = pinmgr_leases_start,
	.next = pinmgr_leases_next,
	.stop = pinmgr_leases_stop,
	.show = pinmgr_leases_show,
};

static int pinmgr_leases_open(struct inode *inode, struct file *file)
{
	struct pinmgr_leases_iter *it;

	it = __seq_open_private(file, &pinmgr_leases_sops, sizeof(*it));
	if (!it)
		return -ENOMEM;
	pinmgr_viewer_init(&it->viewer, file->f_cred,
			   file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN));
	get_pid_ns(it->viewer.pid_ns);
	return 0;
}

static int pinmgr_leases_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;
	struct pinmgr_leases_iter *it = m->private;

	put_pid_ns(it->viewer.pid_ns);
	return seq_release_private(inode, file);
}

static const struct file_operations pinmgr_leases_fops = {
	.owner = THIS_MODULE,
	.open = pinmgr_leases_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = pinmgr_leases_release,
};

void pinmgr_debugfs_init(void)
{
	pinmgr_debugfs_dir = debugfs_create_dir("pinmgr", NULL);
	/* Readable by all: each reader sees what pinmgr_show.c allows it. */
	debugfs_create_file("leases", 0444, pinmgr_debugfs_dir, NULL,
			    &pinmgr_leases_fops);
}

void pinmgr_debugfs_exit(void)
{
	debugfs_remove_recursive(pinmgr_debugfs_dir);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * /proc/PID/fdinfo/N of a pinmgr file, as io_uring has: the file's number
 * (as netlink's file-id shows it), its lease count and pinned pages, and a
 * row per lease its reader may see, so that lsof-style tools can tell
 * which process pins what.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/seq_file.h>

#include "pinmgr.h"

void pinmgr_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct pinmgr_ctx *ctx = file->private_data;
	struct pinmgr_lease_view view;
	struct pinmgr_lease *lease;
	struct pinmgr_viewer v;
	unsigned int n = 0;

	/* The reader: who opened the fdinfo file. */
	pinmgr_viewer_init(&v, m->file->f_cred,
			   file_ns_capable(m->file, &init_user_ns,
					   CAP_SYS_ADMIN));

	/* Under the lock, the list and the counts are of one moment. */
	mutex_lock(&ctx->lock);
	list_for_each_entry(lease, &ctx->leases, ctx_node)
		n++;
	seq_printf(m, "pinmgr-file-id:\t%llu\n", ctx->id);
	seq_printf(m, "pinmgr-leases:\t%u\n", n);
	seq_printf(m, "pinmgr-pinned-pages:\t%ld\n",
		   atomic_long_read(&ctx->pinned_pages));
	pinmgr_show_header(m);
	list_for_each_entry(lease, &ctx->leases, ctx_node) {
		if (!pinmgr_lease_visible(lease, &v))
			continue;
		pinmgr_lease_snapshot_locked(lease, &v, &view);
		pinmgr_show_row(m, &view);
	}
	mutex_unlock(&ctx->lock);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinctl limits: every limit a pin of this process runs into, and how much
 * of each is used, from GET_INFO on a fresh open of the device.
 */
#define _GNU_SOURCE
#include "pinctl.h"

static void usage(FILE *f)
{
	fputs("usage: pinctl limits\n"
	      "\n"
	      "The limits a pin by this process runs into and their use: its\n"
	      "RLIMIT_MEMLOCK against the memory its user has locked in all of\n"
	      "its processes (user_locked; no limit with CAP_IPC_LOCK), VmPin,\n"
	      "pages per lease, leases per open file, pages on the whole device.\n", f);
}

int do_limits(struct pinctl_cli *cli, int argc, char **argv)
{
	PINCTL_OPTS(pinctl_info, info);
	PINCTL_OPTS(pinctl_err_opts, eo, .op = PINCTL_OP_OPEN);
	struct pinctl_dev *dev;
	struct out *o;
	uint64_t page;
	int ret;

	ret = no_args(cli, argc, argv, usage);
	if (ret != ARGS_GO_ON)
		return ret;
	ret = pinctl_dev_open(cli->ctx, NULL, &dev);
	if (ret)
		return fail_op(NULL, ret, &eo, NULL);
	ret = pinctl_dev_info(dev, &info);
	if (ret) {
		eo.op = PINCTL_OP_INFO;
		ret = fail_op(dev, ret, &eo, NULL);
		pinctl_dev_unref(dev);
		return ret;
	}
	pinctl_dev_unref(dev);
	page = info.page_size;

	o = out_new(cli, false);
	out_record_begin(o);
	out_u64(o, "page_size", page);
	if (info.memlock_limit_pages == UINT64_MAX)
		out_str(o, "memlock_limit", "unlimited");
	else
		out_size(o, "memlock_limit", info.memlock_limit_pages * page);
	out_str(o, "cap_ipc_lock", info.flags & PINCTL_INFO_CAP_IPC_LOCK ? "yes" : "no");
	/* What RLIMIT_MEMLOCK bounds: the user's locked memory, all processes. */
	if (info.features & PINCTL_FEATURE_USER_LIMITS)
		out_size(o, "user_locked", info.user_pinned_pages * page);
	out_size(o, "vmpin", info.mm_pinned_pages * page);
	out_size(o, "max_lease", info.max_lease_pages * page);
	out_u64(o, "max_lease_pages", info.max_lease_pages);
	out_u64(o, "max_leases", info.max_leases);
	out_size(o, "max_device", info.max_device_pages * page);
	out_u64(o, "max_device_pages", info.max_device_pages);
	out_u64(o, "device_leases", info.device_leases);
	out_size(o, "device_pinned", info.device_pinned_pages * page);
	out_u64(o, "break_time_ms", info.break_time_ns / 1000000);
	out_u64(o, "max_events", info.max_events);
	out_u64(o, "abi_version", info.abi_version);
	out_record_end(o);
	return out_finish(o);
}

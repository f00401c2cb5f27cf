// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinctl limits [ show ]: every limit a pin of this process runs into, and
 * how much of each is used, from GET_INFO on a fresh open of the device.
 */
#define _GNU_SOURCE
#include "pinctl.h"

static void usage(FILE *f)
{
	fputs("usage: pinctl limits [ show ]\n"
	      "       pinctl limits help\n"
	      "\n"
	      "The limits a pin by this process runs into and their use: its\n"
	      "RLIMIT_MEMLOCK against the memory its user has locked in all of\n"
	      "its processes (user_locked; no limit with CAP_IPC_LOCK), VmPin,\n"
	      "memory per lease, leases per open file, memory of the whole device.\n", f);
}

static int limits_show(struct pinctl_cli *cli, int argc, char **argv)
{
	PINCTL_OPTS(pinctl_info, info);
	PINCTL_OPTS(pinctl_err_opts, eo, .op = PINCTL_OP_OPEN);
	struct pinctl_dev *dev;
	struct out *o;
	uint64_t page;
	int ret;

	ret = parse_args(NULL, 0, argc, argv, NULL, NULL, usage);
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

	o = out_new(cli, OUT_RECORD);
	out_record_begin(o);
	out_group(o, "This process");
	if (info.memlock_limit_pages == UINT64_MAX)
		out_str(o, "memlock_limit", K_WORD, "unlimited");
	else
		out_num(o, "memlock_limit", K_BYTES, info.memlock_limit_pages * page);
	out_str(o, "cap_ipc_lock", K_WORD,
		info.flags & PINCTL_INFO_CAP_IPC_LOCK ? "yes" : "no");
	/* What RLIMIT_MEMLOCK bounds: the user's locked memory, all processes. */
	if (info.features & PINCTL_FEATURE_USER_LIMITS)
		out_num(o, "user_locked", K_BYTES, info.user_pinned_pages * page);
	out_num(o, "vmpin", K_BYTES, info.mm_pinned_pages * page);
	out_group(o, "Device");
	out_num(o, "max_lease", K_BYTES, info.max_lease_pages * page);
	out_num(o, "max_lease_pages", K_COUNT, info.max_lease_pages);
	out_num(o, "max_leases", K_COUNT, info.max_leases);
	out_num(o, "max_device", K_BYTES, info.max_device_pages * page);
	out_num(o, "max_device_pages", K_COUNT, info.max_device_pages);
	out_num(o, "device_leases", K_COUNT, info.device_leases);
	out_num(o, "device_pinned", K_BYTES, info.device_pinned_pages * page);
	out_num(o, "break_time_ms", K_MS, info.break_time_ns / 1000000);
	out_num(o, "max_events", K_COUNT, info.max_events);
	out_num(o, "page_size", K_BYTES, page);
	out_num(o, "abi_version", K_COUNT, info.abi_version);
	out_record_end(o);
	return out_finish(o);
}

static const struct cmd limits_cmds[] = {
	{ .name = "show", .fn = limits_show },
	{ .name = NULL, .fn = limits_show },
};

const struct object limits_object = { "limits", limits_cmds, usage, false };

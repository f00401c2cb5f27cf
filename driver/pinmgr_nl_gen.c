// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	uapi/pinmgr.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "pinmgr_nl_gen.h"

#include <uapi/linux/pinmgr_netlink.h>
#include <linux/pinmgr.h>
#include <linux/pinmgr.h>
#include <linux/pinmgr.h>

/* Global operation policy for pinmgr */
const struct nla_policy pinmgr_nl_policy[PINMGR_A_NOW + 1] = {
	[PINMGR_A_HANDLE] = { .type = NLA_U64, },
	[PINMGR_A_TGID] = { .type = NLA_U32, },
	[PINMGR_A_UID] = { .type = NLA_U32, },
	[PINMGR_A_COOKIE] = { .type = NLA_U64, },
	[PINMGR_A_NOW] = { .type = NLA_FLAG, },
};

/* Ops table for pinmgr */
const struct genl_small_ops pinmgr_nl_ops[3] = {
	{
		.cmd	= PINMGR_NL_CMD_STATS_GET,
		.doit	= pinmgr_nl_stats_get_doit,
	},
	{
		.cmd	= PINMGR_NL_CMD_LEASE_GET,
		.doit	= pinmgr_nl_lease_get_doit,
		.dumpit	= pinmgr_nl_lease_get_dumpit,
	},
	{
		.cmd	= PINMGR_NL_CMD_LEASE_REVOKE,
		.doit	= pinmgr_nl_lease_revoke_doit,
		.flags	= GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group pinmgr_nl_mcgrps[] = {
	[PINMGR_NLGRP_MONITOR] = { "monitor", },
};

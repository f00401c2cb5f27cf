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
#include <linux/pinmgr.h>

/* Common nested types */
const struct nla_policy pinmgr_budget_nl_policy[PINMGR_A_BUDGET_PAD + 1] = {
	[PINMGR_A_BUDGET_CGROUP] = { .type = NLA_NUL_STRING, },
	[PINMGR_A_BUDGET_CGROUP_ID] = { .type = NLA_U64, },
	[PINMGR_A_BUDGET_LIMIT] = { .type = NLA_U64, },
	[PINMGR_A_BUDGET_USAGE] = { .type = NLA_U64, },
	[PINMGR_A_BUDGET_FLAGS] = { .type = NLA_U32, },
	[PINMGR_A_BUDGET_HITS] = { .type = NLA_U64, },
	[PINMGR_A_BUDGET_REMOVED] = { .type = NLA_FLAG, },
};

/* Global operation policy for pinmgr */
const struct nla_policy pinmgr_nl_policy[PINMGR_A_BUDGET + 1] = {
	[PINMGR_A_HANDLE] = { .type = NLA_U64, },
	[PINMGR_A_TGID] = { .type = NLA_U32, },
	[PINMGR_A_UID] = { .type = NLA_U32, },
	[PINMGR_A_COOKIE] = { .type = NLA_U64, },
	[PINMGR_A_NOW] = { .type = NLA_FLAG, },
	[PINMGR_A_BUDGET] = NLA_POLICY_NESTED(pinmgr_budget_nl_policy),
};

/* Ops table for pinmgr */
const struct genl_small_ops pinmgr_nl_ops[7] = {
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
	{
		.cmd	= PINMGR_NL_CMD_BUDGET_SET,
		.doit	= pinmgr_nl_budget_set_doit,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= PINMGR_NL_CMD_BUDGET_CLEAR,
		.doit	= pinmgr_nl_budget_clear_doit,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= PINMGR_NL_CMD_BUDGET_GET,
		.dumpit	= pinmgr_nl_budget_get_dumpit,
	},
	{
		.cmd	= PINMGR_NL_CMD_USER_GET,
		.doit	= pinmgr_nl_user_get_doit,
	},
};

static const struct genl_multicast_group pinmgr_nl_mcgrps[] = {
	[PINMGR_NLGRP_MONITOR] = { "monitor", },
};

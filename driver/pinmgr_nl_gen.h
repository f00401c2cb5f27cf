/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	uapi/pinmgr.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_PINMGR_GEN_H
#define _LINUX_PINMGR_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/pinmgr_netlink.h>
#include <linux/pinmgr.h>
#include <linux/pinmgr.h>
#include <linux/pinmgr.h>
#include <linux/pinmgr.h>

/* Common nested types */
extern const struct nla_policy pinmgr_budget_nl_policy[PINMGR_A_BUDGET_PAD + 1];

/* Global operation policy for pinmgr */
extern const struct nla_policy pinmgr_nl_policy[PINMGR_A_BUDGET + 1];

/* Ops table for pinmgr */
extern const struct genl_small_ops pinmgr_nl_ops[7];

int pinmgr_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info);
int pinmgr_nl_lease_get_doit(struct sk_buff *skb, struct genl_info *info);
int pinmgr_nl_lease_get_dumpit(struct sk_buff *skb,
			       struct netlink_callback *cb);
int pinmgr_nl_lease_revoke_doit(struct sk_buff *skb, struct genl_info *info);
int pinmgr_nl_budget_set_doit(struct sk_buff *skb, struct genl_info *info);
int pinmgr_nl_budget_clear_doit(struct sk_buff *skb, struct genl_info *info);
int pinmgr_nl_budget_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb);
int pinmgr_nl_user_get_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	PINMGR_NLGRP_MONITOR,
};

#endif /* _LINUX_PINMGR_GEN_H */

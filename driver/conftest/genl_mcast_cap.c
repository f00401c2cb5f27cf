// SPDX-License-Identifier: GPL-2.0-only
/*
 * Can a generic netlink multicast group require CAP_SYS_ADMIN of those who
 * join it? "genetlink: add CAP_NET_ADMIN test for multicast bind" (Ido
 * Schimmel, 2023) added the group flags; stable kernels have them too.
 */
#include <net/genetlink.h>

const struct genl_multicast_group pinmgr_conftest_genl_mcast_cap = {
	.name = "conftest",
	.flags = GENL_MCAST_CAP_SYS_ADMIN,
};

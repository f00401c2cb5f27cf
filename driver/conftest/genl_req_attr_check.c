// SPDX-License-Identifier: GPL-2.0-only
/*
 * Is there GENL_REQ_ATTR_CHECK(), which fails a request that lacks an
 * attribute and says which in the extended ack? It came in Linux 6.0
 * (commit 44f3625bc613, "netlink: add helpers for extack attr presence
 * checking"); before, the check is by hand with a message.
 */
#include <net/genetlink.h>

bool pinmgr_conftest_genl_req_attr_check(struct genl_info *info);
bool pinmgr_conftest_genl_req_attr_check(struct genl_info *info)
{
	return GENL_REQ_ATTR_CHECK(info, 1);
}

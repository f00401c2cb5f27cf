// SPDX-License-Identifier: GPL-2.0-only
/*
 * Does a dump find its parsed request in genl_info_dump(cb)? It came with
 * "genetlink: add genl_info_dump() helper" (Jakub Kicinski, 2023); before,
 * the attributes were genl_dumpit_info(cb)->attrs.
 */
#include <net/genetlink.h>

struct nlattr **pinmgr_conftest_genl_info_dump(struct netlink_callback *cb);
struct nlattr **pinmgr_conftest_genl_info_dump(struct netlink_callback *cb)
{
	return genl_info_dump(cb)->attrs;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * RDMA for the tests: a Soft-RoCE (rdma_rxe) device on a dummy netdev,
 * made through rtnetlink and the RDMA netlink as `ip link add` and `rdma
 * link add` would (the VMs have neither tool), and memory regions
 * registered on it through libibverbs, which pin their pages as any RDMA
 * application's do.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <rdma/rdma_netlink.h>
#include <infiniband/verbs.h>

#include "rdma_scene.h"

struct rs_mr {
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	struct ibv_mr *mr;
};

static int rs_ack_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	(void)who;
	*(int *)arg = e->error;
	return NL_STOP;
}

/*
 * Send @msg (freed) on a @protocol socket and wait for its ack: 0 or the
 * kernel's -errno, which libnl would fold into its own codes. A socket
 * that cannot connect (NETLINK_RDMA without ib_core) gives -EPROTONOSUPPORT.
 */
static int rs_request(int protocol, struct nl_msg *msg)
{
	struct nl_sock *sk = nl_socket_alloc();
	int kerr = 0, ret;

	ASSERT_NE(sk, NULL);
	if (nl_connect(sk, protocol) < 0) {
		kerr = -EPROTONOSUPPORT;
		goto out;
	}
	ASSERT_EQ(nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, rs_ack_error,
					  &kerr), 0);
	ret = nl_send_auto(sk, msg);
	if (ret < 0)
		FAIL("netlink %d: send: %s", protocol, nl_geterror(ret));
	ret = nl_wait_for_ack(sk);
	if (ret < 0 && !kerr)
		FAIL("netlink %d: ack: %s", protocol, nl_geterror(ret));
out:
	nlmsg_free(msg);
	nl_socket_free(sk);
	return kerr;
}

static struct nl_msg *rs_link_msg(int type, int flags, unsigned int up)
{
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC,
		.ifi_flags = up,
		.ifi_change = up,
	};
	struct nl_msg *msg = nlmsg_alloc_simple(type, flags);

	ASSERT_NE(msg, NULL);
	ASSERT_EQ(nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO), 0);
	ASSERT_EQ(nla_put_string(msg, IFLA_IFNAME, RS_NETDEV), 0);
	return msg;
}

static bool rs_loaded(const char *module)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/module/%s", module);
	return !access(path, F_OK);
}

/* A skip where @module is not loaded, else a failure: @what got -@err. */
static void rs_refused(const char *module, const char *what, int err)
{
	const char *name = strerrorname_np(err) ?: "?";

	if (!rs_loaded(module) && strcmp(module, "rdma_rxe") &&
	    !rs_loaded("rdma_rxe"))
		SKIP("no Soft-RoCE: neither rdma_rxe nor %s is loaded (%s: %s)",
		     module, what, name);
	if (!rs_loaded(module))
		SKIP("no Soft-RoCE: %s is not loaded (%s: %s)", module, what,
		     name);
	FAIL("%s: %s (%s is loaded; see the kernel log)", what, name, module);
}

static void rs_need_netdev(void)
{
	struct nl_msg *msg;
	struct nlattr *info;
	int err;

	if (!if_nametoindex(RS_NETDEV)) {
		msg = rs_link_msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
		info = nla_nest_start(msg, IFLA_LINKINFO);
		ASSERT_NE(info, NULL);
		ASSERT_EQ(nla_put_string(msg, IFLA_INFO_KIND, "dummy"), 0);
		ASSERT_EQ(nla_nest_end(msg, info), 0);
		err = rs_request(NETLINK_ROUTE, msg);
		if (err && err != -EEXIST)
			rs_refused("dummy", "RTM_NEWLINK " RS_NETDEV, -err);
	}
	/* rxe's port follows its netdev's state. */
	err = rs_request(NETLINK_ROUTE, rs_link_msg(RTM_SETLINK, 0, IFF_UP));
	if (err)
		FAIL("RTM_SETLINK " RS_NETDEV " up: %s",
		     strerrorname_np(-err) ?: "?");
}

void rs_need_rxe(void)
{
	struct nl_msg *msg;
	int err;

	pm_require("rxe");
	if (geteuid())
		SKIP("only root makes netdevs and rxe devices");
	rs_need_netdev();
	/* Made by an earlier test: asking again only says so in the log. */
	if (!access("/sys/class/infiniband/" RS_IBDEV, F_OK))
		return;
	msg = nlmsg_alloc_simple(RDMA_NL_GET_TYPE(RDMA_NL_NLDEV,
						  RDMA_NLDEV_CMD_NEWLINK), 0);
	ASSERT_NE(msg, NULL);
	ASSERT_EQ(nla_put_string(msg, RDMA_NLDEV_ATTR_DEV_NAME, RS_IBDEV), 0);
	ASSERT_EQ(nla_put_string(msg, RDMA_NLDEV_ATTR_LINK_TYPE, "rxe"), 0);
	ASSERT_EQ(nla_put_string(msg, RDMA_NLDEV_ATTR_NDEV_NAME, RS_NETDEV), 0);
	/*
	 * Without rdma_rxe the kernel has no "rxe" link type (EINVAL), and
	 * without ib_core no NETLINK_RDMA.
	 */
	err = rs_request(NETLINK_RDMA, msg);
	/* Up to 6.12, rxe takes the crypto API's crc32 for each device. */
	if (err == -ENOENT && rs_loaded("rdma_rxe"))
		FAIL("RDMA_NLDEV_CMD_NEWLINK " RS_IBDEV ": ENOENT: no \"crc32\" "
		     "hash for rdma_rxe (module alias crypto-crc32 not loaded?)");
	if (err && err != -EEXIST)
		rs_refused("rdma_rxe", "RDMA_NLDEV_CMD_NEWLINK " RS_IBDEV, -err);
}

struct rs_mr *rs_reg_mr(void *addr, size_t len)
{
	struct ibv_device **list;
	struct rs_mr *m;
	int i, n;

	m = calloc(1, sizeof(*m));
	ASSERT_NE(m, NULL);
	list = ibv_get_device_list(&n);
	if (!list)
		FAIL("ibv_get_device_list: %s", strerrorname_np(errno) ?: "?");
	for (i = 0; i < n; i++)
		if (!strcmp(ibv_get_device_name(list[i]), RS_IBDEV))
			break;
	if (i == n)
		FAIL("libibverbs lists no " RS_IBDEV " among %d devices "
		     "(ib_uverbs loaded? the rxe provider installed?)", n);
	m->ctx = ibv_open_device(list[i]);
	ibv_free_device_list(list);
	if (!m->ctx)
		FAIL("ibv_open_device " RS_IBDEV ": %s",
		     strerrorname_np(errno) ?: "?");
	m->pd = ibv_alloc_pd(m->ctx);
	if (!m->pd)
		FAIL("ibv_alloc_pd: %s", strerrorname_np(errno) ?: "?");
	m->mr = ibv_reg_mr(m->pd, addr, len, IBV_ACCESS_LOCAL_WRITE);
	if (!m->mr)
		FAIL("ibv_reg_mr of %zu bytes: %s", len,
		     strerrorname_np(errno) ?: "?");
	return m;
}

void rs_dereg_mr(struct rs_mr *m)
{
	ASSERT_EQ(ibv_dereg_mr(m->mr), 0);
	ASSERT_EQ(ibv_dealloc_pd(m->pd), 0);
	ASSERT_EQ(ibv_close_device(m->ctx), 0);
	free(m);
}

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libpinctl: the RDMA memory regions of the machine, for the census. The
 * RDMA core lists each device's regions over its own netlink protocol
 * (NETLINK_RDMA, the nldev client: what `rdma resource show mr` reads),
 * with the length and the pid of the thread that registered each; a user
 * region's pages are FOLL_PIN pins (ib_umem_get()) charged to VmPin.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <rdma/rdma_netlink.h>

#include "libpinctl-private.h"

/* What the census reads of a reply; the rest goes unparsed. */
static const struct nla_policy rdma_policy[RDMA_NLDEV_ATTR_MAX] = {
	[RDMA_NLDEV_ATTR_DEV_INDEX] = { .type = NLA_U32 },
	[RDMA_NLDEV_ATTR_RES_MR] = { .type = NLA_NESTED },
	[RDMA_NLDEV_ATTR_RES_MRLEN] = { .type = NLA_U64 },
	[RDMA_NLDEV_ATTR_RES_PID] = { .type = NLA_U32 },
};

struct rdma_dump {
	struct pinctl_ctx *ctx;
	uint64_t page_size;
	uint32_t *devs;			/* device indexes */
	size_t nr_devs;
	struct pinctl_rdma_use *v;	/* one entry per region, then per pid */
	size_t nr, cap;
	int op;				/* the dump under way */
	int err;			/* the kernel's errno, or ours */
	bool done;
};

static int add_dev(struct rdma_dump *d, struct nlattr **tb)
{
	uint32_t *grown;

	if (!tb[RDMA_NLDEV_ATTR_DEV_INDEX])
		return 0;
	grown = realloc(d->devs, (d->nr_devs + 1) * sizeof(*d->devs));
	if (!grown)
		return -ENOMEM;
	d->devs = grown;
	d->devs[d->nr_devs++] = nla_get_u32(tb[RDMA_NLDEV_ATTR_DEV_INDEX]);
	return 0;
}

/* Each user region of a reply; the kernel's own (no pid) pin nothing. */
static int add_mrs(struct rdma_dump *d, struct nlattr **tb)
{
	struct nlattr *e, *etb[RDMA_NLDEV_ATTR_MAX];
	struct pinctl_rdma_use *grown;
	uint64_t len;
	int rem;

	if (!tb[RDMA_NLDEV_ATTR_RES_MR])
		return 0;
	nla_for_each_nested(e, tb[RDMA_NLDEV_ATTR_RES_MR], rem) {
		if (nla_parse_nested(etb, RDMA_NLDEV_ATTR_MAX - 1, e,
				     rdma_policy) < 0)
			return -EPROTO;
		if (!etb[RDMA_NLDEV_ATTR_RES_PID] ||
		    !etb[RDMA_NLDEV_ATTR_RES_MRLEN])
			continue;
		if (d->nr == d->cap) {
			d->cap = d->cap ? 2 * d->cap : 16;
			grown = realloc(d->v, d->cap * sizeof(*d->v));
			if (!grown)
				return -ENOMEM;
			d->v = grown;
		}
		len = nla_get_u64(etb[RDMA_NLDEV_ATTR_RES_MRLEN]);
		d->v[d->nr++] = (struct pinctl_rdma_use){
			.pid = nla_get_u32(etb[RDMA_NLDEV_ATTR_RES_PID]),
			.mrs = 1,
			.bytes = (len + d->page_size - 1) / d->page_size *
				 d->page_size,
		};
	}
	return 0;
}

static int rdma_valid(struct nl_msg *msg, void *arg)
{
	struct rdma_dump *d = arg;
	struct nlattr *tb[RDMA_NLDEV_ATTR_MAX];
	int ret;

	if (d->err)
		return NL_SKIP;
	ret = nlmsg_parse(nlmsg_hdr(msg), 0, tb, RDMA_NLDEV_ATTR_MAX - 1,
			  rdma_policy);
	if (ret < 0) {
		err(d->ctx, "rdma: malformed reply: %s\n", nl_geterror(ret));
		d->err = -EPROTO;
		return NL_SKIP;
	}
	ret = d->op == RDMA_NLDEV_CMD_GET ? add_dev(d, tb) : add_mrs(d, tb);
	if (ret)
		d->err = ret;
	return NL_OK;
}

static int rdma_finish(struct nl_msg *msg, void *arg)
{
	struct rdma_dump *d = arg;

	(void)msg;
	d->done = true;
	return NL_STOP;
}

static int rdma_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct rdma_dump *d = arg;

	(void)nla;
	if (!d->err)
		d->err = e->error;
	d->done = true;
	return NL_STOP;
}

/* Dump @op of the nldev client, of device @dev if @op needs one. */
static int rdma_dump_op(struct nl_sock *sk, struct nl_cb *cb,
			struct rdma_dump *d, int op, const uint32_t *dev)
{
	struct nl_msg *msg;
	int ret;

	msg = nlmsg_alloc_simple(RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, op),
				 NLM_F_DUMP);
	if (!msg)
		return -ENOMEM;
	if (dev && nla_put_u32(msg, RDMA_NLDEV_ATTR_DEV_INDEX, *dev) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	d->op = op;
	d->done = false;
	d->err = 0;
	ret = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (ret < 0)
		return pinctl_nle_errno(ret);
	while (!d->done && !d->err) {
		ret = nl_recvmsgs(sk, cb);
		if (ret < 0)
			return d->err ? d->err : pinctl_nle_errno(ret);
	}
	return d->err;
}

static int use_cmp(const void *a, const void *b)
{
	const struct pinctl_rdma_use *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/*
 * The kernel names the thread that registered a region; the census counts
 * processes. A thread gone since leaves its own id, which no process has.
 */
static uint32_t tgid_of(uint32_t pid)
{
	char path[32], buf[512], *p;
	uint32_t tgid = pid;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pid;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return pid;
	buf[n] = '\0';
	p = strstr(buf, "\nTgid:");
	if (p)
		tgid = (uint32_t)strtoul(p + strlen("\nTgid:"), NULL, 10);
	return tgid ? tgid : pid;
}

/* One entry per pid, sorted. */
static void rdma_merge(struct rdma_dump *d)
{
	size_t i, n = 0;

	qsort(d->v, d->nr, sizeof(*d->v), use_cmp);
	for (i = 0; i < d->nr; i++) {
		if (n && d->v[n - 1].pid == d->v[i].pid) {
			d->v[n - 1].mrs += d->v[i].mrs;
			d->v[n - 1].bytes += d->v[i].bytes;
		} else {
			d->v[n++] = d->v[i];
		}
	}
	d->nr = n;
}

/* One entry per process: each thread's looked up once. */
static void rdma_sum(struct rdma_dump *d)
{
	size_t i;

	rdma_merge(d);
	for (i = 0; i < d->nr; i++)
		d->v[i].pid = tgid_of(d->v[i].pid);
	rdma_merge(d);
}

int pinctl_rdma_mrs(struct pinctl_ctx *ctx, uint64_t page_size,
		    struct pinctl_rdma_use **v, size_t *nr, bool *has)
{
	struct rdma_dump d = { .ctx = ctx, .page_size = page_size };
	struct nl_sock *sk;
	struct nl_cb *cb;
	size_t i;
	int ret;

	*v = NULL;
	*nr = 0;
	*has = false;
	/*
	 * Without the RDMA core loaded there is nothing to list; opening its
	 * protocol would only have the kernel load it for a census.
	 */
	if (access("/sys/class/infiniband", F_OK))
		return 0;
	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		ret = -ENOMEM;
		goto out_sk;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, rdma_valid, &d);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, rdma_finish, &d);
	nl_cb_err(cb, NL_CB_CUSTOM, rdma_error, &d);
	/* libnl opens its sockets with SOCK_CLOEXEC. */
	ret = nl_connect(sk, NETLINK_RDMA);
	if (ret < 0) {
		dbg(ctx, "rdma: connect: %s\n", nl_geterror(ret));
		ret = 0;
		goto out_cb;
	}
	nl_socket_disable_auto_ack(sk);
	ret = rdma_dump_op(sk, cb, &d, RDMA_NLDEV_CMD_GET, NULL);
	if (ret)
		goto out_cb;
	*has = true;
	for (i = 0; i < d.nr_devs; i++) {
		ret = rdma_dump_op(sk, cb, &d, RDMA_NLDEV_CMD_RES_MR_GET,
				   &d.devs[i]);
		/* A device that went meanwhile has no regions left. */
		if (ret && ret != -ENODEV && ret != -ENOENT)
			goto out_cb;
	}
	ret = 0;
	rdma_sum(&d);
	*v = d.v;
	*nr = d.nr;
	d.v = NULL;
out_cb:
	nl_cb_put(cb);
out_sk:
	nl_socket_free(sk);
	free(d.devs);
	free(d.v);
	return ret;
}

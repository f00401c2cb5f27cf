// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Every lease on the device through the pinmgr generic netlink family
 * (uapi/pinmgr.yaml), with libnl-genl-3: stats, one lease, a filtered dump,
 * revoke, budgets, a user's locked_vm, and the "monitor" multicast group.
 *
 * Each request opens a socket of its own, so every call is thread-safe; a
 * monitor keeps one socket. Errors are the kernel's own errno, taken from
 * the NLMSG_ERROR (or NLMSG_DONE) message, not libnl's NLE_ codes.
 *
 * The family's states and pin flags are those of linux/pinmgr.h, whose
 * values dev.c checks against the library's.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include <linux/pinmgr_netlink.h>

#include "libpinctl-private.h"
#include "pinmgr_tables.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

_Static_assert((int)PINMGR_NL_CMD_LEASE_REVOKED_NTF - PINMGR_NL_CMD_LEASE_PINNED_NTF ==
	       (int)PINCTL_NTF_REVOKED - PINCTL_NTF_PINNED, "notifications");
_Static_assert((int)PINMGR_NL_CMD_LEASE_STALE_NTF - PINMGR_NL_CMD_LEASE_PINNED_NTF ==
	       (int)PINCTL_NTF_STALE - PINCTL_NTF_PINNED, "notifications");

/* libnl's own failures (not the kernel's) in errno terms. */
int pinctl_nle_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case 0:
		return 0;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_INTR:
		return -EINTR;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:
		return -EAFNOSUPPORT;
	case NLE_PROTO_MISMATCH:
		return -EPROTONOSUPPORT;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	default:
		return -EIO;
	}
}

/* A lease field's netlink type, by its type in PINMGR_LEASE_FIELDS(). */
#define NLA_OF_U64	NLA_U64
#define NLA_OF_U32	NLA_U32
#define NLA_OF_STR	NLA_STRING
#define LEASE_POLICY(name, attr, ft, kind, query) \
	[PINMGR_A_##attr] = { .type = NLA_OF_##ft },

static const struct nla_policy lease_policy[PINMGR_A_MAX + 1] = {
	PINMGR_LEASE_FIELDS(LEASE_POLICY)
	[PINMGR_A_NOW] = { .type = NLA_FLAG },
	[PINMGR_A_STATS] = { .type = NLA_NESTED },
	[PINMGR_A_BUDGET] = { .type = NLA_NESTED },
	[PINMGR_A_LOCKED_VM_PAGES] = { .type = NLA_U64 },
};

/* A connected socket and the family's id. */
struct nl_conn {
	struct pinctl_ctx *ctx;
	struct nl_sock *sk;
	int family;
};

static void conn_close(struct nl_conn *c)
{
	nl_socket_free(c->sk);
	c->sk = NULL;
}

static int conn_open(struct pinctl_ctx *ctx, struct nl_conn *c)
{
	int ret;

	c->ctx = ctx;
	c->sk = nl_socket_alloc();
	if (!c->sk)
		return -ENOMEM;
	/* libnl opens its sockets with SOCK_CLOEXEC. */
	ret = genl_connect(c->sk);
	if (ret < 0) {
		ret = pinctl_nle_errno(ret);
		err(ctx, "netlink: connect: %s\n", strerror(-ret));
		goto out_free;
	}
	nl_socket_enable_msg_peek(c->sk);
	c->family = genl_ctrl_resolve(c->sk, PINMGR_FAMILY_NAME);
	if (c->family < 0) {
		ret = pinctl_nle_errno(c->family);
		if (ret == -EIO)
			ret = -ENOENT;
		dbg(ctx, "netlink: family %s: %s\n", PINMGR_FAMILY_NAME,
		    strerror(-ret));
		goto out_free;
	}
	return 0;

out_free:
	conn_close(c);
	return ret;
}

/* One request and its replies. */
struct nl_req {
	struct pinctl_ctx *ctx;
	int (*parse)(struct nlattr **tb, void *data);
	void *data;
	int err;	/* the kernel's errno, or what parse returned */
	int done;
};

static int req_valid(struct nl_msg *msg, void *arg)
{
	struct nl_req *r = arg;
	struct nlattr *tb[PINMGR_A_MAX + 1];
	int ret;

	if (r->err)
		return NL_SKIP;
	ret = genlmsg_parse(nlmsg_hdr(msg), 0, tb, PINMGR_A_MAX, lease_policy);
	if (ret < 0) {
		err(r->ctx, "netlink: malformed reply: %s\n", nl_geterror(ret));
		r->err = -EPROTO;
		return NL_SKIP;
	}
	if (r->parse) {
		ret = r->parse(tb, r->data);
		if (ret)
			r->err = ret;
	}
	return NL_OK;
}

static int req_finish(struct nl_msg *msg, void *arg)
{
	struct nl_req *r = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	int e;

	/* A dump that failed part way says why in NLMSG_DONE. */
	if (nlmsg_datalen(h) >= (int)sizeof(int)) {
		memcpy(&e, nlmsg_data(h), sizeof(e));
		if (e < 0 && !r->err)
			r->err = e;
	}
	r->done = 1;
	return NL_STOP;
}

static int req_ack(struct nl_msg *msg, void *arg)
{
	struct nl_req *r = arg;

	(void)msg;
	r->done = 1;
	return NL_STOP;
}

static int req_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nl_req *r = arg;

	(void)nla;
	if (!r->err)
		r->err = e->error;
	r->done = 1;
	return NL_STOP;
}

/*
 * Send @msg (consumed) and run @parse on every reply until the ack, the end
 * of the dump, or an error.
 */
static int conn_request(struct nl_conn *c, struct nl_msg *msg,
			int (*parse)(struct nlattr **tb, void *data), void *data)
{
	struct nl_req r = { .ctx = c->ctx, .parse = parse, .data = data };
	struct nl_cb *cb;
	int ret;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, req_valid, &r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, req_finish, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, req_ack, &r);
	nl_cb_err(cb, NL_CB_CUSTOM, req_error, &r);

	ret = nl_send_auto(c->sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		ret = pinctl_nle_errno(ret);
		goto out;
	}
	ret = 0;
	while (!r.done) {
		ret = nl_recvmsgs(c->sk, cb);
		if (ret < 0) {
			ret = r.err ? r.err : pinctl_nle_errno(ret);
			break;
		}
	}
	if (r.err)
		ret = r.err;
out:
	nl_cb_put(cb);
	return ret;
}

static struct nl_msg *conn_msg(struct nl_conn *c, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, c->family, 0, flags,
			 cmd, PINMGR_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* A lease field from its attribute; an absent one reads as 0 or "". */
#define ATTR_U64(dst, a)	((dst) = a ? nla_get_u64(a) : 0)
#define ATTR_U32(dst, a)	((dst) = a ? nla_get_u32(a) : 0)
#define ATTR_STR(dst, a)	(a ? (void)nla_strlcpy(dst, a, sizeof(dst)) : (void)0)
#define LEASE_FROM_ATTR(name, attr, type, kind, query) \
	ATTR_##type(l->name, tb[PINMGR_A_##attr]);

static void lease_from_attrs(struct nlattr **tb, struct pinctl_lease *l)
{
	memset(l, 0, sizeof(*l));
	l->sz = sizeof(*l);
	PINMGR_LEASE_FIELDS(LEASE_FROM_ATTR)
}

/* ---- stats ---------------------------------------------------------------- */

#define STATS_POLICY(name, attr, ...)	[PINMGR_A_STATS_##attr] = { .type = NLA_U64 },
#define STATS_FROM_ATTR(name, attr, ...)	ATTR_U64(s->name, st[PINMGR_A_STATS_##attr]);

static int parse_stats(struct nlattr **tb, void *data)
{
	static const struct nla_policy policy[PINMGR_A_STATS_MAX + 1] = {
		PINMGR_STATS(STATS_POLICY)
	};
	struct nlattr *st[PINMGR_A_STATS_MAX + 1];
	struct pinctl_stats *s = data;

	if (!tb[PINMGR_A_STATS] ||
	    nla_parse_nested(st, PINMGR_A_STATS_MAX, tb[PINMGR_A_STATS], policy) < 0)
		return -EPROTO;
	PINMGR_STATS(STATS_FROM_ATTR)
	return 0;
}

PINCTL_API int pinctl_nl_stats(struct pinctl_ctx *ctx, struct pinctl_stats *stats)
{
	struct pinctl_stats s = { .sz = sizeof(s) };
	struct nl_conn c;
	struct nl_msg *msg;
	int ret;

	ret = pinctl_out_check(stats);
	if (ret)
		return ret;
	ret = conn_open(ctx, &c);
	if (ret)
		return ret;
	msg = conn_msg(&c, PINMGR_NL_CMD_STATS_GET, 0);
	ret = msg ? conn_request(&c, msg, parse_stats, &s) : -ENOMEM;
	conn_close(&c);
	if (!ret)
		OUT_PUT(stats, s);
	return ret;
}

/* ---- leases --------------------------------------------------------------- */

struct one_lease {
	struct pinctl_lease lease;
	int found;
};

static int parse_one(struct nlattr **tb, void *data)
{
	struct one_lease *o = data;

	lease_from_attrs(tb, &o->lease);
	o->found = 1;
	return 0;
}

PINCTL_API int pinctl_nl_lease_get(struct pinctl_ctx *ctx, uint64_t handle,
				   struct pinctl_lease *lease)
{
	struct one_lease o = { .found = 0 };
	struct nl_conn c;
	struct nl_msg *msg;
	int ret;

	ret = pinctl_out_check(lease);
	if (ret)
		return ret;
	ret = conn_open(ctx, &c);
	if (ret)
		return ret;
	msg = conn_msg(&c, PINMGR_NL_CMD_LEASE_GET, 0);
	if (msg && nla_put_u64(msg, PINMGR_A_HANDLE, handle) < 0) {
		nlmsg_free(msg);
		msg = NULL;
	}
	ret = msg ? conn_request(&c, msg, parse_one, &o) : -ENOMEM;
	conn_close(&c);
	if (!ret && !o.found)
		ret = -EPROTO;
	if (!ret)
		OUT_PUT(lease, o.lease);
	return ret;
}

struct dump_state {
	const char *comm;
	pinctl_lease_cb cb;
	void *data;
	int stopped;
};

static int parse_dumped(struct nlattr **tb, void *data)
{
	struct dump_state *d = data;
	struct pinctl_lease l;
	int ret;

	if (d->stopped)
		return 0;
	lease_from_attrs(tb, &l);
	if (d->comm && strcmp(d->comm, l.comm))
		return 0;
	ret = d->cb(&l, d->data);
	if (ret) {
		/* Read the rest of the dump, then report what cb said. */
		d->stopped = ret;
	}
	return 0;
}

PINCTL_API int pinctl_nl_lease_dump(struct pinctl_ctx *ctx,
				    const struct pinctl_lease_filter *filter,
				    pinctl_lease_cb cb, void *data)
{
	struct pinctl_lease_filter f;
	struct dump_state d = { .cb = cb, .data = data };
	struct nl_conn c;
	struct nl_msg *msg;
	int ret;

	if (!cb)
		return -EINVAL;
	ret = OPTS_GET(f, filter);
	if (ret)
		return ret;
	if (f.flags & ~(uint32_t)(PINCTL_FILTER_TGID | PINCTL_FILTER_UID |
				  PINCTL_FILTER_COOKIE))
		return -EOPNOTSUPP;
	d.comm = f.comm;
	ret = conn_open(ctx, &c);
	if (ret)
		return ret;
	msg = conn_msg(&c, PINMGR_NL_CMD_LEASE_GET, NLM_F_DUMP);
	if (msg && (((f.flags & PINCTL_FILTER_TGID) &&
		     nla_put_u32(msg, PINMGR_A_TGID, f.tgid) < 0) ||
		    ((f.flags & PINCTL_FILTER_UID) &&
		     nla_put_u32(msg, PINMGR_A_UID, f.uid) < 0) ||
		    ((f.flags & PINCTL_FILTER_COOKIE) &&
		     nla_put_u64(msg, PINMGR_A_COOKIE, f.cookie) < 0))) {
		nlmsg_free(msg);
		msg = NULL;
	}
	ret = msg ? conn_request(&c, msg, parse_dumped, &d) : -ENOMEM;
	conn_close(&c);
	if (!ret && d.stopped)
		ret = d.stopped;
	return ret;
}

static int parse_revoke(struct nlattr **tb, void *data)
{
	ATTR_U64(*(uint64_t *)data, tb[PINMGR_A_BREAK_DEADLINE]);
	return 0;
}

PINCTL_API int pinctl_nl_revoke(struct pinctl_ctx *ctx, uint64_t handle,
				const struct pinctl_revoke_opts *opts,
				uint64_t *deadline_ns)
{
	struct pinctl_revoke_opts o;
	uint64_t deadline = 0;
	struct nl_conn c;
	struct nl_msg *msg;
	int ret;

	ret = OPTS_GET(o, opts);
	if (ret)
		return ret;
	if (o.flags & ~(uint32_t)PINCTL_REVOKE_NOW)
		return -EOPNOTSUPP;
	ret = conn_open(ctx, &c);
	if (ret)
		return ret;
	msg = conn_msg(&c, PINMGR_NL_CMD_LEASE_REVOKE, 0);
	if (msg && (nla_put_u64(msg, PINMGR_A_HANDLE, handle) < 0 ||
		    ((o.flags & PINCTL_REVOKE_NOW) &&
		     nla_put_flag(msg, PINMGR_A_NOW) < 0))) {
		nlmsg_free(msg);
		msg = NULL;
	}
	ret = msg ? conn_request(&c, msg, parse_revoke, &deadline) : -ENOMEM;
	conn_close(&c);
	if (!ret && deadline_ns)
		*deadline_ns = deadline;
	return ret;
}

/* ---- budgets -------------------------------------------------------------- */

/* A request about @cgroup's budget: its nest, with what is given. */
static struct nl_msg *budget_msg(struct nl_conn *c, uint8_t cmd,
				 const char *cgroup, const uint64_t *limit,
				 uint32_t flags)
{
	struct nl_msg *msg = conn_msg(c, cmd, 0);
	struct nlattr *nest;

	if (!msg)
		return NULL;
	nest = nla_nest_start(msg, PINMGR_A_BUDGET);
	if (!nest || nla_put_string(msg, PINMGR_A_BUDGET_CGROUP, cgroup) < 0 ||
	    (limit && nla_put_u64(msg, PINMGR_A_BUDGET_LIMIT, *limit) < 0) ||
	    (limit && nla_put_u32(msg, PINMGR_A_BUDGET_FLAGS, flags) < 0)) {
		nlmsg_free(msg);
		return NULL;
	}
	nla_nest_end(msg, nest);
	return msg;
}

static int budget_request(struct pinctl_ctx *ctx, uint8_t cmd,
			  const char *cgroup, const uint64_t *limit,
			  uint32_t flags)
{
	struct nl_conn c;
	struct nl_msg *msg;
	int ret;

	if (!cgroup || !*cgroup)
		return -EINVAL;
	ret = conn_open(ctx, &c);
	if (ret)
		return ret;
	msg = budget_msg(&c, cmd, cgroup, limit, flags);
	ret = msg ? conn_request(&c, msg, NULL, NULL) : -ENOMEM;
	conn_close(&c);
	return ret;
}

PINCTL_API int pinctl_budget_set(struct pinctl_ctx *ctx, const char *cgroup,
				 uint64_t limit, uint32_t flags)
{
	if (flags & ~(uint32_t)PINCTL_BUDGET_SUFFICIENT)
		return -EOPNOTSUPP;
	return budget_request(ctx, PINMGR_NL_CMD_BUDGET_SET, cgroup, &limit,
			      flags);
}

PINCTL_API int pinctl_budget_clear(struct pinctl_ctx *ctx, const char *cgroup)
{
	return budget_request(ctx, PINMGR_NL_CMD_BUDGET_CLEAR, cgroup, NULL, 0);
}

struct budget_dump {
	pinctl_budget_cb cb;
	void *data;
	int stopped;
};

/* The budget nest of a message; b->cgroup points into the message. */
static int budget_from_attrs(struct nlattr **tb, struct pinctl_budget *b)
{
	static const struct nla_policy policy[PINMGR_A_BUDGET_MAX + 1] = {
		[PINMGR_A_BUDGET_CGROUP] = { .type = NLA_STRING },
		[PINMGR_A_BUDGET_CGROUP_ID] = { .type = NLA_U64 },
		[PINMGR_A_BUDGET_LIMIT] = { .type = NLA_U64 },
		[PINMGR_A_BUDGET_USAGE] = { .type = NLA_U64 },
		[PINMGR_A_BUDGET_FLAGS] = { .type = NLA_U32 },
		[PINMGR_A_BUDGET_HITS] = { .type = NLA_U64 },
		[PINMGR_A_BUDGET_REMOVED] = { .type = NLA_FLAG },
	};
	struct nlattr *bt[PINMGR_A_BUDGET_MAX + 1];

	memset(b, 0, sizeof(*b));
	b->sz = sizeof(*b);
	if (!tb[PINMGR_A_BUDGET] ||
	    nla_parse_nested(bt, PINMGR_A_BUDGET_MAX, tb[PINMGR_A_BUDGET],
			     policy) < 0 ||
	    !bt[PINMGR_A_BUDGET_CGROUP])
		return -EPROTO;
	b->cgroup = nla_get_string(bt[PINMGR_A_BUDGET_CGROUP]);
	ATTR_U64(b->cgroup_id, bt[PINMGR_A_BUDGET_CGROUP_ID]);
	ATTR_U64(b->limit, bt[PINMGR_A_BUDGET_LIMIT]);
	ATTR_U64(b->usage, bt[PINMGR_A_BUDGET_USAGE]);
	ATTR_U64(b->hits, bt[PINMGR_A_BUDGET_HITS]);
	ATTR_U32(b->flags, bt[PINMGR_A_BUDGET_FLAGS]);
	b->removed = !!bt[PINMGR_A_BUDGET_REMOVED];
	return 0;
}

static int parse_budget(struct nlattr **tb, void *data)
{
	struct budget_dump *d = data;
	struct pinctl_budget b;

	if (d->stopped)
		return 0;
	if (budget_from_attrs(tb, &b))
		return -EPROTO;
	/* Read the rest of the dump, then report what cb said. */
	d->stopped = d->cb(&b, d->data);
	return 0;
}

PINCTL_API int pinctl_budget_dump(struct pinctl_ctx *ctx, pinctl_budget_cb cb,
				  void *data)
{
	struct budget_dump d = { .cb = cb, .data = data };
	struct nl_conn c;
	struct nl_msg *msg;
	int ret;

	if (!cb)
		return -EINVAL;
	ret = conn_open(ctx, &c);
	if (ret)
		return ret;
	msg = conn_msg(&c, PINMGR_NL_CMD_BUDGET_GET, NLM_F_DUMP);
	ret = msg ? conn_request(&c, msg, parse_budget, &d) : -ENOMEM;
	conn_close(&c);
	if (!ret && d.stopped)
		ret = d.stopped;
	return ret;
}

/* ---- a user's locked_vm --------------------------------------------------- */

struct user_locked_vm {
	uint32_t uid;
	uint64_t pages;
	int found;
};

static int parse_user(struct nlattr **tb, void *data)
{
	struct user_locked_vm *u = data;

	/* The reply names the user asked about, in the caller's namespace. */
	if (!tb[PINMGR_A_UID] || !tb[PINMGR_A_LOCKED_VM_PAGES] ||
	    nla_get_u32(tb[PINMGR_A_UID]) != u->uid)
		return -EPROTO;
	u->pages = nla_get_u64(tb[PINMGR_A_LOCKED_VM_PAGES]);
	u->found = 1;
	return 0;
}

int pinctl_nl_users_locked_vm(struct pinctl_ctx *ctx,
			      struct pinctl_user_locked *users, size_t n)
{
	struct nl_conn c;
	size_t i = 0;
	bool open;
	int ret;

	if (!users && n)
		return -EINVAL;
	if (!n)
		return 0;
	/* One connection for them all: a census asks for every user. */
	ret = conn_open(ctx, &c);
	open = !ret;
	/* The family is not registered: no module, unlike no user. */
	if (ret == -ENOENT)
		ret = -ENODEV;
	for (; !ret && i < n; i++) {
		struct user_locked_vm u = { .uid = users[i].uid };
		struct nl_msg *msg = conn_msg(&c, PINMGR_NL_CMD_USER_GET, 0);

		if (msg && nla_put_u32(msg, PINMGR_A_UID, u.uid) < 0) {
			nlmsg_free(msg);
			msg = NULL;
		}
		ret = msg ? conn_request(&c, msg, parse_user, &u) : -ENOMEM;
		/* No memory, or a module without user-get: ask no more. */
		if (ret == -ENOMEM || ret == -EOPNOTSUPP)
			break;
		if (!ret && !u.found)
			ret = -EPROTO;
		users[i].err = ret;
		users[i].pages = ret ? 0 : u.pages;
		ret = 0;
	}
	if (open)
		conn_close(&c);
	/* Those not asked: unknown, for the reason that stopped it. */
	for (; i < n; i++) {
		users[i].err = ret;
		users[i].pages = 0;
	}
	return ret;
}

/* ---- monitor -------------------------------------------------------------- */

#define PINCTL_MON_BUF	32768

struct pinctl_monitor {
	atomic_int refcount;
	struct pinctl_ctx *ctx;
	struct nl_conn conn;
	int fd;
	uint64_t flags;			/* enum pinctl_monitor_flags */
	size_t len, pos;
	unsigned char *buf;
	/* The budget of the last budget hit read, and its path. */
	bool have_hit;
	struct pinctl_budget hit;
	char hit_cgroup[4096];
};

PINCTL_API int pinctl_monitor_new(struct pinctl_ctx *ctx,
				  const struct pinctl_monitor_opts *opts,
				  struct pinctl_monitor **monp)
{
	struct pinctl_monitor_opts o;
	struct pinctl_monitor *mon;
	int ret, grp;

	if (!ctx || !monp)
		return -EINVAL;
	ret = OPTS_GET(o, opts);
	if (ret)
		return ret;
	if (o.flags & ~(uint64_t)PINCTL_MONITOR_BUDGET_HITS)
		return -EINVAL;
	mon = calloc(1, sizeof(*mon));
	if (!mon)
		return -ENOMEM;
	mon->flags = o.flags;
	mon->buf = malloc(PINCTL_MON_BUF);
	if (!mon->buf) {
		ret = -ENOMEM;
		goto out_free;
	}
	ret = conn_open(ctx, &mon->conn);
	if (ret)
		goto out_free;
	grp = genl_ctrl_resolve_grp(mon->conn.sk, PINMGR_FAMILY_NAME,
				    PINMGR_MCGRP_MONITOR);
	if (grp < 0) {
		/*
		 * The family is there (conn_open() resolved it) without its
		 * group: this kernel cannot keep the group to administrators.
		 */
		ret = pinctl_nle_errno(grp);
		if (ret == -EIO || ret == -ENOENT)
			ret = -EOPNOTSUPP;
		goto out_close;
	}
	mon->fd = nl_socket_get_fd(mon->conn.sk);
	if (setsockopt(mon->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
		       sizeof(grp)) < 0) {
		ret = -errno;
		dbg(ctx, "netlink: join group %s: %s\n", PINMGR_MCGRP_MONITOR,
		    strerror(-ret));
		goto out_close;
	}
	if (o.rcvbuf) {
		ret = nl_socket_set_buffer_size(mon->conn.sk, (int)o.rcvbuf, 0);
		if (ret < 0) {
			ret = pinctl_nle_errno(ret);
			goto out_close;
		}
	}
	ret = nl_socket_set_nonblocking(mon->conn.sk);
	if (ret < 0) {
		ret = pinctl_nle_errno(ret);
		goto out_close;
	}
	atomic_init(&mon->refcount, 1);
	mon->ctx = pinctl_ref(ctx);
	*monp = mon;
	return 0;

out_close:
	conn_close(&mon->conn);
out_free:
	free(mon->buf);
	free(mon);
	return ret;
}

PINCTL_API struct pinctl_monitor *pinctl_monitor_ref(struct pinctl_monitor *mon)
{
	if (mon)
		atomic_fetch_add(&mon->refcount, 1);
	return mon;
}

PINCTL_API struct pinctl_monitor *pinctl_monitor_unref(struct pinctl_monitor *mon)
{
	if (!mon || atomic_fetch_sub(&mon->refcount, 1) != 1)
		return NULL;
	conn_close(&mon->conn);
	pinctl_unref(mon->ctx);
	free(mon->buf);
	free(mon);
	return NULL;
}

PINCTL_API int pinctl_monitor_get_fd(const struct pinctl_monitor *mon)
{
	return mon->fd;
}

PINCTL_API int pinctl_monitor_read(struct pinctl_monitor *mon, uint32_t *type,
				   struct pinctl_lease *lease)
{
	struct nlattr *tb[PINMGR_A_MAX + 1];
	struct pinctl_budget b;
	struct pinctl_lease l;
	struct genlmsghdr *g;
	struct nlmsghdr *h;
	bool budget_hit;
	ssize_t n;
	int ret;

	ret = pinctl_out_check(lease);
	if (ret || !type)
		return -EINVAL;
	for (;;) {
		if (mon->pos >= mon->len) {
			mon->pos = mon->len = 0;
			n = recv(mon->fd, mon->buf, PINCTL_MON_BUF, MSG_DONTWAIT);
			if (n < 0)
				return -errno;
			mon->len = (size_t)n;
		}
		h = (struct nlmsghdr *)(mon->buf + mon->pos);
		if (!nlmsg_ok(h, (int)(mon->len - mon->pos))) {
			mon->pos = mon->len;
			continue;
		}
		mon->pos += NLMSG_ALIGN(h->nlmsg_len);
		if (h->nlmsg_type != mon->conn.family)
			continue;
		g = nlmsg_data(h);
		budget_hit = g->cmd == PINMGR_NL_CMD_BUDGET_HIT_NTF &&
			     (mon->flags & PINCTL_MONITOR_BUDGET_HITS);
		if (!budget_hit && (g->cmd < PINMGR_NL_CMD_LEASE_PINNED_NTF ||
				    g->cmd > PINMGR_NL_CMD_LEASE_STALE_NTF))
			continue;
		if (genlmsg_parse(h, 0, tb, PINMGR_A_MAX, lease_policy) < 0 ||
		    (budget_hit && budget_from_attrs(tb, &b))) {
			err(mon->ctx, "netlink: malformed notification\n");
			continue;
		}
		lease_from_attrs(tb, &l);
		mon->have_hit = budget_hit;
		if (budget_hit) {
			/* Kept past the buffer's next refill. */
			snprintf(mon->hit_cgroup, sizeof(mon->hit_cgroup), "%s",
				 b.cgroup);
			mon->hit = b;
			mon->hit.cgroup = mon->hit_cgroup;
			*type = PINCTL_NTF_BUDGET_HIT;
		} else {
			*type = g->cmd - PINMGR_NL_CMD_LEASE_PINNED_NTF +
				PINCTL_NTF_PINNED;
		}
		OUT_PUT(lease, l);
		return 0;
	}
}

PINCTL_API int pinctl_monitor_budget(const struct pinctl_monitor *mon,
				     struct pinctl_budget *budget)
{
	int ret = pinctl_out_check(budget);

	if (ret || !mon)
		return -EINVAL;
	if (!mon->have_hit)
		return -ENOENT;
	OUT_PUT(budget, mon->hit);
	return 0;
}

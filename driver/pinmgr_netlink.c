// SPDX-License-Identifier: GPL-2.0-only
/*
 * The `pinmgr` generic netlink family (spec: uapi/pinmgr.yaml; policy and
 * op tables generated into pinmgr_nl_gen.c): statistics, every lease on the
 * device (one by handle, or a dump with filters), revocation, a user's
 * locked_vm, and the monitor group's events. Revocation calls the same
 * lease function as the REVOKE ioctl; what a reader sees is decided as for
 * debugfs and fdinfo (pinmgr_show.c).
 *
 * The family struct is written here: the generator leaves it to legacy
 * families, and the monitor group must be for administrators only (it
 * carries every lease's events), which the 6.12 generator cannot say.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/net.h>
#include <linux/pid.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "compat.h"
#include "pinmgr.h"
#include "pinmgr_nl_gen.h"

static const struct genl_multicast_group pinmgr_nl_mcgrps_priv[] = {
	[PINMGR_NLGRP_MONITOR] = {
		.name = PINMGR_MCGRP_MONITOR,
		.flags = PINMGR_GENL_MCAST_CAP_SYS_ADMIN,
	},
};

static struct genl_family pinmgr_nl_family __ro_after_init = {
	.name = PINMGR_FAMILY_NAME,
	.version = PINMGR_FAMILY_VERSION,
	.maxattr = ARRAY_SIZE(pinmgr_nl_policy) - 1,
	.policy = pinmgr_nl_policy,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.small_ops = pinmgr_nl_ops,
	.n_small_ops = ARRAY_SIZE(pinmgr_nl_ops),
	.mcgrps = pinmgr_nl_mcgrps_priv,
	/* A group anyone could join would show everyone every lease. */
	.n_mcgrps = PINMGR_GENL_MCAST_CAP_SYS_ADMIN ?
		    ARRAY_SIZE(pinmgr_nl_mcgrps_priv) : 0,
};

/* Who reads: the credentials the socket was opened with. */
static const struct cred *pinmgr_nl_cred(struct sk_buff *skb)
{
	struct sock *sk = NETLINK_CB(skb).sk;

	return sk && sk->sk_socket && sk->sk_socket->file ?
	       sk->sk_socket->file->f_cred : current_cred();
}

/* The reader of a request: the task, with its socket's credentials. */
static void pinmgr_nl_viewer(struct pinmgr_viewer *v, struct sk_buff *skb)
{
	pinmgr_viewer_init(v, pinmgr_nl_cred(skb),
			   netlink_capable(skb, CAP_SYS_ADMIN));
}

/*
 * The most the attributes of one lease (pinmgr_nl_fill_view()) take: a
 * reply of just that size, and the room an event needs in a batch. Summed
 * once, as the module loads.
 */
static size_t pinmgr_nl_lease_bytes __ro_after_init;

static size_t pinmgr_nl_lease_size(void)
{
	return pinmgr_nl_lease_bytes;
}

static void __init pinmgr_nl_lease_size_init(void)
{
	unsigned int i;

	for (i = 0; i < PINMGR_NR_LEASE_FIELDS; i++) {
		const struct pinmgr_field *f = &pinmgr_lease_fields[i];

		pinmgr_nl_lease_bytes += f->type == PINMGR_FT_U64 ?
			nla_total_size_64bit(sizeof(u64)) :
			nla_total_size(pinmgr_field_size(f));
	}
}

/*
 * Attributes written straight into room the caller has checked: a lease's
 * some twenty attributes, for every event and every lease of a dump, cost
 * a fifth of a monitored PIN+UNPIN when each went through nla_put() and
 * skb_put(). The encoding is nla_put()'s, padding included.
 */
static void *pinmgr_nl_put(void *p, u16 type, const void *data, int len)
{
	struct nlattr *nla = p;

	nla->nla_type = type;
	nla->nla_len = nla_attr_size(len);
	memcpy(nla_data(nla), data, len);
	memset((char *)nla_data(nla) + len, 0, nla_padlen(len));
	return (char *)p + nla_total_size(len);
}

static void *pinmgr_nl_put_u64(void *p, u16 type, const void *val)
{
	struct nlattr *pad = p;

	/* As nla_put_64bit(): a pad first where the value would not align. */
	if (!IS_ENABLED(CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS) &&
	    IS_ALIGNED((unsigned long)p, 8)) {
		pad->nla_type = PINMGR_A_PAD;
		pad->nla_len = NLA_HDRLEN;
		p = (char *)p + NLA_HDRLEN;
	}
	return pinmgr_nl_put(p, type, val, sizeof(u64));
}

/* The attributes of a lease's snapshot @view. */
static int pinmgr_nl_fill_view(struct sk_buff *skb,
			       const struct pinmgr_lease_view *view)
{
	void *start = skb_tail_pointer(skb), *p = start;
	unsigned int i;

	if (skb_tailroom(skb) < pinmgr_nl_lease_size())
		return -EMSGSIZE;
	for (i = 0; i < PINMGR_NR_LEASE_FIELDS; i++) {
		const struct pinmgr_field *f = &pinmgr_lease_fields[i];
		const void *val = (const void *)view + f->view_off;

		/*
		 * The fields added after pad are sent only when they say
		 * something: a dump of leases that do not use them is as
		 * long as before.
		 */
		if (f->attr > PINMGR_A_PAD &&
		    ((f->type == PINMGR_FT_U64 && !*(const u64 *)val) ||
		     (f->type == PINMGR_FT_U32 && !*(const u32 *)val)))
			continue;
		switch (f->type) {
		case PINMGR_FT_U64:
			p = pinmgr_nl_put_u64(p, f->attr, val);
			break;
		case PINMGR_FT_U32:
			p = pinmgr_nl_put(p, f->attr, val, sizeof(u32));
			break;
		default:
			/* As nla_put_string(): the string and its NUL. */
			p = pinmgr_nl_put(p, f->attr, val,
					  strnlen(val, PINMGR_COMM_LEN - 1) + 1);
			break;
		}
	}
	skb_put(skb, p - start);
	return 0;
}

/* A lease's attributes, as @v sees them, at one moment. */
static int pinmgr_nl_fill_lease(struct sk_buff *skb, struct pinmgr_lease *lease,
				const struct pinmgr_viewer *v)
{
	struct pinmgr_lease_view view;

	pinmgr_lease_snapshot(lease, v, &view);
	return pinmgr_nl_fill_view(skb, &view);
}

/* The attribute of each figure of PINMGR_STATS(), by enum pinmgr_figure. */
#define PINMGR_NL_STATS_ATTR(name, attr, src, unit, dir, file, prom, label, \
			     help)					\
	[PINMGR_FIG_##attr] = PINMGR_A_STATS_##attr,

static const u16 pinmgr_nl_stats_attrs[] = {
	PINMGR_STATS(PINMGR_NL_STATS_ATTR)
};

int pinmgr_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	struct nlattr *nest;
	unsigned int fig;
	void *hdr;

	BUILD_BUG_ON(ARRAY_SIZE(pinmgr_nl_stats_attrs) != PINMGR_NR_FIGURES);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put(msg, info->snd_portid, info->snd_seq,
			  &pinmgr_nl_family, 0, PINMGR_NL_CMD_STATS_GET);
	if (!hdr)
		goto out_free_msg;
	nest = nla_nest_start(msg, PINMGR_A_STATS);
	if (!nest)
		goto out_free_msg;
	for (fig = 0; fig < PINMGR_NR_FIGURES; fig++)
		if (nla_put_u64_64bit(msg, pinmgr_nl_stats_attrs[fig],
				      pinmgr_figure_read(fig),
				      PINMGR_A_STATS_PAD))
			goto out_free_msg;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

out_free_msg:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

int pinmgr_nl_lease_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct pinmgr_lease *lease;
	struct pinmgr_viewer v;
	struct sk_buff *msg;
	void *hdr;
	int ret;

	if (pinmgr_genl_req_attr_missing(info, PINMGR_A_HANDLE))
		return -EINVAL;
	pinmgr_nl_viewer(&v, skb);
	lease = pinmgr_lease_find(nla_get_u64(info->attrs[PINMGR_A_HANDLE]));
	if (lease && !pinmgr_lease_visible(lease, &v)) {
		pinmgr_lease_put(lease);
		lease = NULL;
	}
	if (!lease) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[PINMGR_A_HANDLE],
				    "no lease with this handle that you may see");
		return -ENOENT;
	}

	ret = -ENOMEM;
	msg = genlmsg_new(pinmgr_nl_lease_size(), GFP_KERNEL);
	if (!msg)
		goto out_put_lease;
	ret = -EMSGSIZE;
	hdr = genlmsg_put(msg, info->snd_portid, info->snd_seq,
			  &pinmgr_nl_family, 0, PINMGR_NL_CMD_LEASE_GET);
	if (!hdr || pinmgr_nl_fill_lease(msg, lease, &v)) {
		nlmsg_free(msg);
		goto out_put_lease;
	}
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
out_put_lease:
	pinmgr_lease_put(lease);
	return ret;
}

/* Where a dump goes on, kept in the callback between messages. */
struct pinmgr_nl_dump {
	unsigned int shard;
	unsigned long seq;
};

static bool pinmgr_nl_matches(struct pinmgr_lease *lease,
			      struct nlattr **attrs,
			      const struct pinmgr_viewer *v)
{
	/* An exited owner (0) is no process: it matches no pid. */
	if (attrs[PINMGR_A_TGID] &&
	    (!pinmgr_lease_owner_nr(lease, v->pid_ns) ||
	     pinmgr_lease_owner_nr(lease, v->pid_ns) !=
	     nla_get_u32(attrs[PINMGR_A_TGID])))
		return false;
	if (attrs[PINMGR_A_UID] && from_kuid_munged(v->user_ns, lease->uid) !=
	    nla_get_u32(attrs[PINMGR_A_UID]))
		return false;
	if (attrs[PINMGR_A_COOKIE] &&
	    lease->cookie != nla_get_u64(attrs[PINMGR_A_COOKIE]))
		return false;
	return true;
}

int pinmgr_nl_lease_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct pinmgr_nl_dump *pos = (struct pinmgr_nl_dump *)cb->ctx;
	struct nlattr **attrs = pinmgr_genl_dump_attrs(cb);
	struct pinmgr_lease *lease;
	struct pinmgr_viewer v;
	void *hdr;

	BUILD_BUG_ON(sizeof(*pos) > sizeof_field(struct netlink_callback, ctx));
	pinmgr_nl_viewer(&v, cb->skb);
	while ((lease = pinmgr_lease_next(&pos->shard, &pos->seq))) {
		if (pinmgr_lease_visible(lease, &v) &&
		    pinmgr_nl_matches(lease, attrs, &v)) {
			hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq, &pinmgr_nl_family,
					  NLM_F_MULTI, PINMGR_NL_CMD_LEASE_GET);
			if (!hdr || pinmgr_nl_fill_lease(skb, lease, &v)) {
				/* Full: this lease starts the next message. */
				if (hdr)
					genlmsg_cancel(skb, hdr);
				pinmgr_lease_put(lease);
				return skb->len ? skb->len : -EMSGSIZE;
			}
			genlmsg_end(skb, hdr);
		}
		pinmgr_lease_put(lease);
		pos->seq++;
	}
	return skb->len;
}

/* Why a revocation was refused, said of the handle attribute. */
static void pinmgr_nl_revoke_error(struct genl_info *info, int err)
{
	const struct nlattr *attr = info->attrs[PINMGR_A_HANDLE];

	switch (err) {
	case -ENOENT:
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "no such live lease");
		break;
	case -EBUSY:
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "a break is under way; only an immediate revocation ends it");
		break;
	case -ESRCH:
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "only its dma-bufs hold the lease, with no owner to warn: only an immediate revocation ends it");
		break;
	case -EKEYEXPIRED:
	case -EKEYREVOKED:
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "the lease has ended already");
		break;
	}
}

int pinmgr_nl_lease_revoke_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	ktime_t deadline;
	u64 handle, when;
	void *hdr;
	int ret;

	/* As the REVOKE ioctl; genetlink checked CAP_NET_ADMIN already. */
	if (!netlink_capable(skb, CAP_SYS_ADMIN)) {
		NL_SET_ERR_MSG(info->extack, "revoking needs CAP_SYS_ADMIN");
		return -EPERM;
	}
	if (pinmgr_genl_req_attr_missing(info, PINMGR_A_HANDLE))
		return -EINVAL;
	handle = nla_get_u64(info->attrs[PINMGR_A_HANDLE]);
	deadline = pinmgr_revoke_deadline(nla_get_flag(info->attrs[PINMGR_A_NOW]),
					  &when);

	/*
	 * The reply is made first, so that no allocation can fail after the
	 * revocation; only sending it can (the requester's socket is full),
	 * and the revocation stands then, as the monitor group tells.
	 */
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put(msg, info->snd_portid, info->snd_seq,
			  &pinmgr_nl_family, 0, PINMGR_NL_CMD_LEASE_REVOKE);
	if (!hdr || nla_put_u64_64bit(msg, PINMGR_A_HANDLE, handle, PINMGR_A_PAD) ||
	    nla_put_u64_64bit(msg, PINMGR_A_BREAK_DEADLINE, when,
			      PINMGR_A_PAD)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);

	ret = pinmgr_lease_revoke(handle, deadline);
	if (ret) {
		nlmsg_free(msg);
		pinmgr_nl_revoke_error(info, ret);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/* ---- Budgets (pinmgr_budget.c) ---- */

/*
 * The budget nest of a request, parsed into @tb; its cgroup is required.
 * Only CAP_SYS_ADMIN in the initial user namespace changes budgets: a
 * delegated cgroup's owner may read its usage, never raise its bound.
 */
static int pinmgr_nl_budget_request(struct sk_buff *skb, struct genl_info *info,
				    struct nlattr **tb)
{
	int ret;

	if (!netlink_capable(skb, CAP_SYS_ADMIN)) {
		NL_SET_ERR_MSG(info->extack, "budgets are set by CAP_SYS_ADMIN");
		return -EPERM;
	}
	if (pinmgr_genl_req_attr_missing(info, PINMGR_A_BUDGET))
		return -EINVAL;
	ret = nla_parse_nested(tb, PINMGR_A_BUDGET_MAX,
			       info->attrs[PINMGR_A_BUDGET],
			       pinmgr_budget_nl_policy, info->extack);
	if (ret)
		return ret;
	if (!tb[PINMGR_A_BUDGET_CGROUP]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[PINMGR_A_BUDGET],
				    "a budget names its cgroup");
		return -EINVAL;
	}
	if (*(char *)nla_data(tb[PINMGR_A_BUDGET_CGROUP]) != '/') {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[PINMGR_A_BUDGET_CGROUP],
				    "a cgroup's path starts at the root, with /");
		return -EINVAL;
	}
	return 0;
}

/* Why a cgroup named by a request has no budget to change. */
static void pinmgr_nl_budget_error(struct genl_info *info, struct nlattr **tb,
				   int err)
{
	const struct nlattr *attr = tb[PINMGR_A_BUDGET_CGROUP];

	switch (err) {
	case -ENOENT:
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "no such cgroup v2 directory, or no budget on it");
		break;
	case -ENOTDIR:
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "not a cgroup v2 directory");
		break;
	case -ENOSPC:
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "the device has as many budgets as it keeps");
		break;
	}
}

int pinmgr_nl_budget_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[PINMGR_A_BUDGET_MAX + 1];
	struct sk_buff *msg;
	struct nlattr *nest;
	u64 limit, id;
	u32 flags = 0;
	void *hdr;
	int ret;

	ret = pinmgr_nl_budget_request(skb, info, tb);
	if (ret)
		return ret;
	if (!tb[PINMGR_A_BUDGET_LIMIT]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[PINMGR_A_BUDGET],
				    "a budget needs its limit");
		return -EINVAL;
	}
	limit = nla_get_u64(tb[PINMGR_A_BUDGET_LIMIT]);
	if (tb[PINMGR_A_BUDGET_FLAGS])
		flags = nla_get_u32(tb[PINMGR_A_BUDGET_FLAGS]);
	if (flags & ~PINMGR_BUDGET_SUFFICIENT) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[PINMGR_A_BUDGET_FLAGS],
				    "unknown budget flag");
		return -EOPNOTSUPP;
	}

	/* The reply first: once set, nothing can fail but its sending. */
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	ret = pinmgr_budget_set(nla_data(tb[PINMGR_A_BUDGET_CGROUP]),
				limit >> PAGE_SHIFT, flags, &id);
	if (ret) {
		nlmsg_free(msg);
		pinmgr_nl_budget_error(info, tb, ret);
		return ret;
	}
	hdr = genlmsg_put(msg, info->snd_portid, info->snd_seq,
			  &pinmgr_nl_family, 0, PINMGR_NL_CMD_BUDGET_SET);
	nest = hdr ? nla_nest_start(msg, PINMGR_A_BUDGET) : NULL;
	if (!nest ||
	    nla_put_u64_64bit(msg, PINMGR_A_BUDGET_CGROUP_ID, id,
			      PINMGR_A_BUDGET_PAD) ||
	    nla_put_u64_64bit(msg, PINMGR_A_BUDGET_LIMIT,
			      limit & PAGE_MASK, PINMGR_A_BUDGET_PAD) ||
	    nla_put_u32(msg, PINMGR_A_BUDGET_FLAGS, flags)) {
		/* Cannot happen in a message of NLMSG_GOODSIZE. */
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

int pinmgr_nl_budget_clear_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[PINMGR_A_BUDGET_MAX + 1];
	int ret;

	ret = pinmgr_nl_budget_request(skb, info, tb);
	if (ret)
		return ret;
	ret = pinmgr_budget_clear(nla_data(tb[PINMGR_A_BUDGET_CGROUP]));
	pinmgr_nl_budget_error(info, tb, ret);
	return ret;
}

/* A budget's attributes, in a nest of its own. */
static int pinmgr_nl_fill_budget(struct sk_buff *skb,
				 const struct pinmgr_budget_view *view)
{
	struct nlattr *nest = nla_nest_start(skb, PINMGR_A_BUDGET);

	if (!nest ||
	    nla_put_string(skb, PINMGR_A_BUDGET_CGROUP, view->path) ||
	    nla_put_u64_64bit(skb, PINMGR_A_BUDGET_CGROUP_ID, view->cgroup_id,
			      PINMGR_A_BUDGET_PAD) ||
	    nla_put_u64_64bit(skb, PINMGR_A_BUDGET_LIMIT,
			      view->limit_pages << PAGE_SHIFT,
			      PINMGR_A_BUDGET_PAD) ||
	    nla_put_u64_64bit(skb, PINMGR_A_BUDGET_USAGE,
			      view->usage_pages << PAGE_SHIFT,
			      PINMGR_A_BUDGET_PAD) ||
	    nla_put_u32(skb, PINMGR_A_BUDGET_FLAGS, view->flags) ||
	    nla_put_u64_64bit(skb, PINMGR_A_BUDGET_HITS, view->hits,
			      PINMGR_A_BUDGET_PAD) ||
	    (view->removed && nla_put_flag(skb, PINMGR_A_BUDGET_REMOVED)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

int pinmgr_nl_budget_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	u64 *pos = (u64 *)cb->ctx;
	bool admin = netlink_capable(cb->skb, CAP_SYS_ADMIN);
	struct pinmgr_budget_view *view;
	u64 at = *pos;
	int ret = 0;
	void *hdr;

	BUILD_BUG_ON(sizeof(*pos) > sizeof_field(struct netlink_callback, ctx));
	view = kmalloc(sizeof(*view), GFP_KERNEL);
	if (!view)
		return -ENOMEM;
	while (pinmgr_budget_view(&at, admin, view)) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &pinmgr_nl_family,
				  NLM_F_MULTI, PINMGR_NL_CMD_BUDGET_GET);
		if (!hdr || pinmgr_nl_fill_budget(skb, view)) {
			/* Full: this budget starts the next message. */
			if (hdr)
				genlmsg_cancel(skb, hdr);
			ret = skb->len ? 0 : -EMSGSIZE;
			break;
		}
		genlmsg_end(skb, hdr);
		*pos = at;
	}
	kfree(view);
	return ret ?: skb->len;
}

/* ---- A user's locked_vm (pinmgr_account.c) ---- */

/*
 * user-get: the pages charged to a user's locked_vm, by every charger.
 * The uid is the reader's, in its user namespace (its socket's, as for
 * leases); the administrator of the leases (CAP_SYS_ADMIN in the initial
 * user namespace, netlink_capable()) may ask about anyone, anyone else
 * about its own real uid only, the one its locked_vm is charged to.
 */
int pinmgr_nl_user_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	const struct cred *cred = pinmgr_nl_cred(skb);
	struct nlattr *attr = info->attrs[PINMGR_A_UID];
	struct sk_buff *msg;
	u64 pages;
	kuid_t uid;
	void *hdr;
	int ret;

	if (pinmgr_genl_req_attr_missing(info, PINMGR_A_UID))
		return -EINVAL;
	uid = make_kuid(cred->user_ns, nla_get_u32(attr));
	if (!uid_valid(uid)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "the uid is not mapped in your user namespace");
		return -EINVAL;
	}
	/* Ask for the capability only when it matters: it is audited. */
	if (!uid_eq(uid, cred->uid) && !netlink_capable(skb, CAP_SYS_ADMIN)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "only CAP_SYS_ADMIN may ask about another user");
		return -EPERM;
	}
	ret = pinmgr_uid_locked_vm(uid, &pages);
	if (ret) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "no process has this real uid");
		return ret;
	}

	msg = genlmsg_new(nla_total_size(sizeof(u32)) +
			  nla_total_size_64bit(sizeof(u64)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put(msg, info->snd_portid, info->snd_seq,
			  &pinmgr_nl_family, 0, PINMGR_NL_CMD_USER_GET);
	if (!hdr ||
	    nla_put_u32(msg, PINMGR_A_UID,
			from_kuid_munged(cred->user_ns, uid)) ||
	    nla_put_u64_64bit(msg, PINMGR_A_LOCKED_VM_PAGES, pages,
			      PINMGR_A_PAD))
		goto out_free_msg;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

out_free_msg:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* Does anyone listen to the monitor group? Then events are worth building. */
bool pinmgr_nl_monitored(void)
{
	return PINMGR_GENL_MCAST_CAP_SYS_ADMIN &&
	       genl_has_listeners(&pinmgr_nl_family, &init_net,
				  PINMGR_NLGRP_MONITOR);
}

/*
 * The monitor's events. The thread that causes one takes the lease's
 * snapshot (what it was at that moment) and queues it; a worker of the
 * driver's unbound workqueue builds the messages, several to an skb, and
 * sends them. Built and sent in the pinner's thread, even in batches, the
 * events cost a PIN+UNPIN 1.8 times its time with one listener; queued,
 * the pinner pays for the snapshot and a copy, and the building runs on
 * whichever CPU is free. The worker runs a tick after the first event it
 * finds queued, or at once when a quarter of the queue waits (each wake-up
 * is an interrupt of another CPU, paid by the pinner); a full
 * queue is drained by the thread that finds it full, so no event is lost
 * for want of room. One queue for the machine keeps the events in the
 * order they happened.
 */
#define PINMGR_NL_QUEUE_LEN	1024	/* a power of two */
#define PINMGR_NL_QUEUE_KICK	(PINMGR_NL_QUEUE_LEN / 4)
#define PINMGR_NL_BATCH_SIZE	NLMSG_GOODSIZE
#define PINMGR_NL_BATCH_DELAY	1	/* jiffies */

struct pinmgr_nl_queued {
	u8 cmd;
	struct pinmgr_lease_view view;
};

static struct {
	/*
	 * Guards head, tail and ring. Slots from tail to head are the
	 * sender's to read without it; the rest are the producers'.
	 */
	spinlock_t lock;
	unsigned int head;		/* free-running; next slot to fill */
	unsigned int tail;		/* free-running; next slot to send */
	struct pinmgr_nl_queued *ring;	/* allocated at the first event */
	struct mutex send_lock;		/* guards skb; held while it is sent */
	struct sk_buff *skb;		/* messages not sent yet, or NULL */
	struct delayed_work flush;
} pinmgr_nl_mon;

/* Send the batch's messages, if any. Called with send_lock. */
static void pinmgr_nl_batch_send(void)
{
	struct sk_buff *skb = pinmgr_nl_mon.skb;

	lockdep_assert_held(&pinmgr_nl_mon.send_lock);
	if (!skb)
		return;
	pinmgr_nl_mon.skb = NULL;
	genlmsg_multicast_netns(&pinmgr_nl_family, &init_net, skb, 0,
				PINMGR_NLGRP_MONITOR, GFP_KERNEL);
}

/* What lost: the events before it are sent first, to keep the order. */
static void pinmgr_nl_batch_lost(void)
{
	lockdep_assert_held(&pinmgr_nl_mon.send_lock);
	pinmgr_nl_batch_send();
	genl_set_err(&pinmgr_nl_family, &init_net, 0, PINMGR_NLGRP_MONITOR,
		     -ENOBUFS);
}

/*
 * Add message @cmd, whose attributes @fill puts from @arg in at most @size
 * bytes, to the batch; one that cannot be added is lost. With send_lock.
 */
static void pinmgr_nl_batch_add(u8 cmd, size_t size,
				int (*fill)(struct sk_buff *, const void *),
				const void *arg)
{
	size_t need = nlmsg_total_size(GENL_HDRLEN + size);
	struct sk_buff *skb = pinmgr_nl_mon.skb;
	void *hdr;

	lockdep_assert_held(&pinmgr_nl_mon.send_lock);
	if (skb && skb_tailroom(skb) < need)
		pinmgr_nl_batch_send();
	if (!pinmgr_nl_mon.skb) {
		pinmgr_nl_mon.skb = alloc_skb(max_t(size_t, need,
						    PINMGR_NL_BATCH_SIZE),
					      GFP_KERNEL);
		if (!pinmgr_nl_mon.skb)
			goto out_lost;
	}
	skb = pinmgr_nl_mon.skb;
	hdr = genlmsg_put(skb, 0, 0, &pinmgr_nl_family, 0, cmd);
	if (!hdr)
		goto out_lost;
	if (fill(skb, arg)) {
		genlmsg_cancel(skb, hdr);
		goto out_lost;
	}
	genlmsg_end(skb, hdr);
	return;

out_lost:
	pinmgr_nl_batch_lost();
}

static int pinmgr_nl_fill_event(struct sk_buff *skb, const void *view)
{
	return pinmgr_nl_fill_view(skb, view);
}

/*
 * Build the queued events' messages into the batch, in their order. With
 * send_lock, which makes this the only reader of the slots it takes.
 */
static void pinmgr_nl_queue_drain(void)
{
	unsigned int head, tail;

	lockdep_assert_held(&pinmgr_nl_mon.send_lock);
	for (;;) {
		spin_lock(&pinmgr_nl_mon.lock);
		head = pinmgr_nl_mon.head;
		tail = pinmgr_nl_mon.tail;
		spin_unlock(&pinmgr_nl_mon.lock);
		if (head == tail)
			return;
		for (; tail != head; tail++) {
			const struct pinmgr_nl_queued *ev;

			ev = &pinmgr_nl_mon.ring[tail & (PINMGR_NL_QUEUE_LEN - 1)];
			pinmgr_nl_batch_add(ev->cmd, pinmgr_nl_lease_size(),
					    pinmgr_nl_fill_event, &ev->view);
		}
		spin_lock(&pinmgr_nl_mon.lock);
		pinmgr_nl_mon.tail = tail;
		spin_unlock(&pinmgr_nl_mon.lock);
	}
}

static void pinmgr_nl_mon_flush(struct work_struct *work)
{
	mutex_lock(&pinmgr_nl_mon.send_lock);
	pinmgr_nl_queue_drain();
	pinmgr_nl_batch_send();
	mutex_unlock(&pinmgr_nl_mon.send_lock);
}

/*
 * An event that could not be taken reaches the listeners as ENOBUFS, as
 * one their socket had no room for, after the events before it: the code
 * is negative, netlink_set_err() makes sk_err of it.
 */
void pinmgr_nl_event_lost(void)
{
	mutex_lock(&pinmgr_nl_mon.send_lock);
	pinmgr_nl_queue_drain();
	pinmgr_nl_batch_lost();
	mutex_unlock(&pinmgr_nl_mon.send_lock);
}

/* The queue's ring, made at the first event; false if there is none. */
static bool pinmgr_nl_queue_ready(void)
{
	struct pinmgr_nl_queued *ring;

	if (READ_ONCE(pinmgr_nl_mon.ring))
		return true;
	ring = kvmalloc_array(PINMGR_NL_QUEUE_LEN, sizeof(*ring), GFP_KERNEL);
	if (!ring)
		return false;
	spin_lock(&pinmgr_nl_mon.lock);
	if (!pinmgr_nl_mon.ring)
		swap(pinmgr_nl_mon.ring, ring);
	spin_unlock(&pinmgr_nl_mon.lock);
	kvfree(ring);
	return true;
}

/* Queue event @cmd of the lease seen as @view. */
static void pinmgr_nl_queue(u8 cmd, const struct pinmgr_lease_view *view)
{
	struct pinmgr_nl_queued *ev;
	unsigned int queued;

	if (!pinmgr_nl_queue_ready()) {
		pinmgr_nl_event_lost();
		return;
	}
	spin_lock(&pinmgr_nl_mon.lock);
	while (pinmgr_nl_mon.head - pinmgr_nl_mon.tail ==
	       PINMGR_NL_QUEUE_LEN) {
		/* Full: make room by sending, here, what waits. */
		spin_unlock(&pinmgr_nl_mon.lock);
		pinmgr_nl_mon_flush(NULL);
		spin_lock(&pinmgr_nl_mon.lock);
	}
	ev = &pinmgr_nl_mon.ring[pinmgr_nl_mon.head &
				 (PINMGR_NL_QUEUE_LEN - 1)];
	ev->cmd = cmd;
	ev->view = *view;
	queued = ++pinmgr_nl_mon.head - pinmgr_nl_mon.tail;
	spin_unlock(&pinmgr_nl_mon.lock);

	/* Exactly at these counts, so the work is queued once for each. */
	if (queued == 1)
		queue_delayed_work(pinmgr_wq, &pinmgr_nl_mon.flush,
				   PINMGR_NL_BATCH_DELAY);
	else if (queued == PINMGR_NL_QUEUE_KICK)
		mod_delayed_work(pinmgr_wq, &pinmgr_nl_mon.flush, 0);
}

/**
 * pinmgr_nl_notify_locked() - tell the monitor group what happened to a lease
 * @lease: the lease, referenced by the caller, whose context lock it holds
 * @cmd: the notification, PINMGR_NL_CMD_LEASE_*_NTF
 *
 * Builds nothing when no one listens. The snapshot is taken under the lock
 * that orders the lease's changes, so one lease's events queue in the order
 * they happened. Events go to listeners of the initial network namespace,
 * with CAP_SYS_ADMIN there, within a tick.
 */
void pinmgr_nl_notify_locked(struct pinmgr_lease *lease, u8 cmd)
{
	struct pinmgr_lease_view view;
	struct pinmgr_viewer v;

	lockdep_assert_held(&lease->ctx->lock);
	if (!pinmgr_nl_monitored())
		return;
	pinmgr_viewer_init_admin(&v);
	pinmgr_lease_snapshot_locked(lease, &v, &view);
	pinmgr_nl_queue(cmd, &view);
}

/* As pinmgr_nl_notify_locked(), by a caller that does not hold the lock. */
void pinmgr_nl_notify(struct pinmgr_lease *lease, u8 cmd)
{
	if (!pinmgr_nl_monitored())
		return;
	mutex_lock(&lease->ctx->lock);
	pinmgr_nl_notify_locked(lease, cmd);
	mutex_unlock(&lease->ctx->lock);
}

struct pinmgr_nl_budget_hit {
	const struct pinmgr_budget_view *view;
	unsigned long nr_pages;
	u64 cgroup_id;
	pid_t tgid;
	uid_t uid;
	char comm[TASK_COMM_LEN];
};

static int pinmgr_nl_fill_budget_hit(struct sk_buff *skb, const void *arg)
{
	const struct pinmgr_nl_budget_hit *hit = arg;

	if (pinmgr_nl_fill_budget(skb, hit->view) ||
	    nla_put_u32(skb, PINMGR_A_TGID, hit->tgid) ||
	    nla_put_u32(skb, PINMGR_A_UID, hit->uid) ||
	    nla_put_string(skb, PINMGR_A_COMM, hit->comm) ||
	    nla_put_u64_64bit(skb, PINMGR_A_PAGES, hit->nr_pages,
			      PINMGR_A_PAD) ||
	    nla_put_u64_64bit(skb, PINMGR_A_LENGTH,
			      (u64)hit->nr_pages << PAGE_SHIFT, PINMGR_A_PAD) ||
	    nla_put_u64_64bit(skb, PINMGR_A_CGROUP_ID, hit->cgroup_id,
			      PINMGR_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/**
 * pinmgr_nl_notify_budget_hit() - tell the monitor group a PIN met a budget
 * @view: the budget, its path from the root of the cgroup v2 hierarchy
 * @nr_pages: the pages the refused PIN asked for
 *
 * Called in the pinning task's context: the pin it refused is current's.
 */
void pinmgr_nl_notify_budget_hit(const struct pinmgr_budget_view *view,
				 unsigned long nr_pages)
{
	struct pinmgr_nl_budget_hit hit = {
		.view = view,
		.nr_pages = nr_pages,
		.cgroup_id = pinmgr_current_cgroup_id(),
		.tgid = task_tgid_nr(current),
		.uid = from_kuid_munged(&init_user_ns, current_uid()),
	};

	if (!pinmgr_nl_monitored())
		return;
	get_task_comm(hit.comm, current);
	/* After the events queued before it; rare, so built and sent here. */
	mutex_lock(&pinmgr_nl_mon.send_lock);
	pinmgr_nl_queue_drain();
	/* Some 150 bytes and the path: room to spare, in the batch. */
	pinmgr_nl_batch_add(PINMGR_NL_CMD_BUDGET_HIT_NTF,
			    512 + strlen(view->path),
			    pinmgr_nl_fill_budget_hit, &hit);
	pinmgr_nl_batch_send();
	mutex_unlock(&pinmgr_nl_mon.send_lock);
}

int __init pinmgr_netlink_init(void)
{
	pinmgr_nl_lease_size_init();
	spin_lock_init(&pinmgr_nl_mon.lock);
	mutex_init(&pinmgr_nl_mon.send_lock);
	INIT_DELAYED_WORK(&pinmgr_nl_mon.flush, pinmgr_nl_mon_flush);
	return genl_register_family(&pinmgr_nl_family);
}

/* After every lease has ended: no event can be added any more. */
void pinmgr_netlink_exit(void)
{
	cancel_delayed_work_sync(&pinmgr_nl_mon.flush);
	pinmgr_nl_mon_flush(NULL);
	genl_unregister_family(&pinmgr_nl_family);
	kvfree(pinmgr_nl_mon.ring);
}

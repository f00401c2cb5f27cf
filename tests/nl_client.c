// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tests' client of the `pinmgr` generic netlink family (nl_client.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

#include "harness.h"
#include "nl_client.h"

struct pm_nl {
	struct nl_sock *sk;
	int family;
	struct pm_nl_error err;
	/* The last request as sent, to name the attribute an error points at. */
	unsigned char *sent;
	size_t sent_len;
	/* Monitor events: the last datagram read, and where the next starts. */
	unsigned char *ev_buf;
	size_t ev_len, ev_pos;
};

/* A datagram of events: the driver sends at most NLMSG_GOODSIZE. */
#define PM_NL_EV_BUF	32768

/* What the answer to one request collects. */
struct pm_nl_rx {
	struct pm_nl *nl;
	int done;
	int err;
	struct pm_nl_lease *one;
	struct pm_nl_lease *all;
	size_t nr, cap;
	__u64 *stats;
	/* Budgets, when asked for: every nest of a dump, or the reply's. */
	int want_budgets;
	struct pm_nl_budget *budgets;
	size_t nr_budgets, cap_budgets;
};

struct pm_nl *pm_nl_open(void)
{
	struct pm_nl *nl = calloc(1, sizeof(*nl));
	struct timeval tv = { .tv_sec = 20 };
	int one = 1, err;

	if (!nl)
		return NULL;
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		goto fail;
	if (genl_connect(nl->sk)) {
		err = EIO;
		goto fail_errno;
	}
	nl_socket_disable_auto_ack(nl->sk);
	/* Errors come with their extack; the request is not echoed back. */
	if (setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		       &one, sizeof(one)) ||
	    setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		       &one, sizeof(one))) {
		err = errno;
		goto fail_errno;
	}
	/* Room for a burst of events before the kernel drops any. */
	nl_socket_set_buffer_size(nl->sk, 4 << 20, 0);
	/* An answer that never comes fails the test instead of hanging it. */
	if (setsockopt(nl_socket_get_fd(nl->sk), SOL_SOCKET, SO_RCVTIMEO, &tv,
		       sizeof(tv))) {
		err = errno;
		goto fail_errno;
	}
	nl->family = genl_ctrl_resolve(nl->sk, PINMGR_FAMILY_NAME);
	if (nl->family < 0) {
		err = ENOENT;
		goto fail_errno;
	}
	return nl;

fail_errno:
	pm_nl_close(nl);
	errno = err;
	return NULL;
fail:
	pm_nl_close(nl);
	errno = ENOMEM;
	return NULL;
}

void pm_nl_close(struct pm_nl *nl)
{
	if (!nl)
		return;
	if (nl->sk)
		nl_socket_free(nl->sk);
	free(nl->sent);
	free(nl->ev_buf);
	free(nl);
}

int pm_nl_family(const struct pm_nl *nl)
{
	return nl->family;
}

const struct pm_nl_error *pm_nl_last_error(const struct pm_nl *nl)
{
	return &nl->err;
}

/* ---- Parsing ---------------------------------------------------------- */

static void pm_nl_parse_lease(struct nlattr **tb, __u8 cmd,
			      struct pm_nl_lease *l)
{
	static const int u64s[] = {
		PINMGR_A_HANDLE, PINMGR_A_FILE_ID, PINMGR_A_ADDR,
		PINMGR_A_LENGTH, PINMGR_A_PAGES, PINMGR_A_RUNS,
		PINMGR_A_METADATA_BYTES, PINMGR_A_COOKIE,
		PINMGR_A_CREATE_TIME, PINMGR_A_EXPIRE_TIME,
		PINMGR_A_BREAK_DEADLINE, PINMGR_A_END_TIME,
		PINMGR_A_STALE_ADDR, PINMGR_A_STALE_LENGTH, PINMGR_A_CGROUP_ID,
		PINMGR_A_LOCKED_VM_PAGES,
	};
	__u64 *const u64_dst[] = {
		&l->handle, &l->file_id, &l->addr, &l->length, &l->pages,
		&l->runs, &l->metadata_bytes, &l->cookie, &l->create_time,
		&l->expire_time, &l->break_deadline, &l->end_time,
		&l->stale_addr, &l->stale_length, &l->cgroup_id,
		&l->locked_vm_pages,
	};
	static const int u32s[] = {
		PINMGR_A_TGID, PINMGR_A_UID, PINMGR_A_FLAGS, PINMGR_A_STATE,
		PINMGR_A_STALE_REASON, PINMGR_A_WATCH_SLOT,
	};
	__u32 *const u32_dst[] = {
		&l->tgid, &l->uid, &l->flags, &l->state, &l->stale_reason,
		&l->watch_slot,
	};
	size_t i;
	int a;

	memset(l, 0, sizeof(*l));
	l->cmd = cmd;
	for (a = 1; a <= PINMGR_A_MAX; a++)
		if (tb[a])
			l->present |= 1ULL << a;
	for (i = 0; i < sizeof(u64s) / sizeof(u64s[0]); i++)
		if (tb[u64s[i]] && nla_len(tb[u64s[i]]) == 8)
			*u64_dst[i] = nla_get_u64(tb[u64s[i]]);
	for (i = 0; i < sizeof(u32s) / sizeof(u32s[0]); i++)
		if (tb[u32s[i]] && nla_len(tb[u32s[i]]) == 4)
			*u32_dst[i] = nla_get_u32(tb[u32s[i]]);
	if (tb[PINMGR_A_COMM])
		nla_strlcpy(l->comm, tb[PINMGR_A_COMM], sizeof(l->comm));
}

static void pm_nl_parse_budget(struct nlattr *nest, struct pm_nl_budget *b)
{
	struct nlattr *tb[PINMGR_A_BUDGET_MAX + 1];

	memset(b, 0, sizeof(*b));
	if (nla_parse_nested(tb, PINMGR_A_BUDGET_MAX, nest, NULL))
		return;
	if (tb[PINMGR_A_BUDGET_CGROUP])
		nla_strlcpy(b->cgroup, tb[PINMGR_A_BUDGET_CGROUP],
			    sizeof(b->cgroup));
	if (tb[PINMGR_A_BUDGET_CGROUP_ID])
		b->cgroup_id = nla_get_u64(tb[PINMGR_A_BUDGET_CGROUP_ID]);
	if (tb[PINMGR_A_BUDGET_LIMIT])
		b->limit = nla_get_u64(tb[PINMGR_A_BUDGET_LIMIT]);
	if (tb[PINMGR_A_BUDGET_USAGE])
		b->usage = nla_get_u64(tb[PINMGR_A_BUDGET_USAGE]);
	if (tb[PINMGR_A_BUDGET_HITS])
		b->hits = nla_get_u64(tb[PINMGR_A_BUDGET_HITS]);
	if (tb[PINMGR_A_BUDGET_FLAGS])
		b->flags = nla_get_u32(tb[PINMGR_A_BUDGET_FLAGS]);
	b->removed = !!tb[PINMGR_A_BUDGET_REMOVED];
}

static int pm_nl_keep_budget(struct pm_nl_rx *rx, struct nlattr *nest)
{
	struct pm_nl_budget *grown;

	if (rx->nr_budgets == rx->cap_budgets) {
		rx->cap_budgets = rx->cap_budgets ? 2 * rx->cap_budgets : 64;
		grown = realloc(rx->budgets,
				rx->cap_budgets * sizeof(*rx->budgets));
		if (!grown) {
			rx->err = -ENOMEM;
			return NL_STOP;
		}
		rx->budgets = grown;
	}
	pm_nl_parse_budget(nest, &rx->budgets[rx->nr_budgets++]);
	return NL_OK;
}

static int pm_nl_on_valid(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[PINMGR_A_MAX + 1], *st[PINMGR_A_STATS_MAX + 1];
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct pm_nl_rx *rx = arg;
	struct pm_nl_lease *grown;
	int a;

	if (genlmsg_parse(nlh, 0, tb, PINMGR_A_MAX, NULL))
		return NL_SKIP;
	if (rx->want_budgets)
		return tb[PINMGR_A_BUDGET] ?
		       pm_nl_keep_budget(rx, tb[PINMGR_A_BUDGET]) : NL_OK;
	if (rx->stats && tb[PINMGR_A_STATS] &&
	    !nla_parse_nested(st, PINMGR_A_STATS_MAX, tb[PINMGR_A_STATS],
			      NULL)) {
		for (a = 1; a <= PINMGR_A_STATS_MAX; a++)
			rx->stats[a] = st[a] ? nla_get_u64(st[a]) : ~0ULL;
	}
	if (rx->one)
		pm_nl_parse_lease(tb, gh->cmd, rx->one);
	if (nlh->nlmsg_flags & NLM_F_MULTI) {
		if (rx->nr == rx->cap) {
			rx->cap = rx->cap ? 2 * rx->cap : 256;
			grown = realloc(rx->all, rx->cap * sizeof(*rx->all));
			if (!grown) {
				rx->err = -ENOMEM;
				return NL_STOP;
			}
			rx->all = grown;
		}
		pm_nl_parse_lease(tb, gh->cmd, &rx->all[rx->nr++]);
	}
	return NL_OK;
}

/* The attribute of the request that the kernel's error points at. */
static int pm_nl_attr_at(const struct pm_nl *nl, __u32 offset)
{
	const struct nlattr *nla;

	if (!nl->sent || offset + sizeof(*nla) > nl->sent_len)
		return 0;
	nla = (const struct nlattr *)(nl->sent + offset);
	return nla->nla_type & NLA_TYPE_MASK;
}

static int pm_nl_on_error(struct sockaddr_nl *who, struct nlmsgerr *e,
			  void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct pm_nl_rx *rx = arg;
	struct pm_nl *nl = rx->nl;
	size_t off = sizeof(*e);
	int len;

	(void)who;
	rx->err = e->error;
	rx->done = 1;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	len = (int)(nlh->nlmsg_len - NLMSG_HDRLEN - off);
	if (len <= 0 || nla_parse(tb, NLMSGERR_ATTR_MAX,
				  (struct nlattr *)((char *)e + off), len,
				  NULL))
		return NL_STOP;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(nl->err.msg, tb[NLMSGERR_ATTR_MSG],
			    sizeof(nl->err.msg));
	if (tb[NLMSGERR_ATTR_OFFS])
		nl->err.bad_attr = pm_nl_attr_at(nl,
				nla_get_u32(tb[NLMSGERR_ATTR_OFFS]));
	if (tb[NLMSGERR_ATTR_MISS_TYPE])
		nl->err.miss_attr = (int)nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
	return NL_STOP;
}

static int pm_nl_on_ack(struct nl_msg *msg, void *arg)
{
	struct pm_nl_rx *rx = arg;

	(void)msg;
	rx->done = 1;
	return NL_STOP;
}

/* The end of a dump; its payload is the dump's own error, if any. */
static int pm_nl_on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct pm_nl_rx *rx = arg;

	if (nlmsg_datalen(nlh) >= (int)sizeof(int) &&
	    *(int *)nlmsg_data(nlh) < 0)
		rx->err = *(int *)nlmsg_data(nlh);
	rx->done = 1;
	return NL_STOP;
}

/* ---- Requests --------------------------------------------------------- */

struct nl_msg *pm_nl_msg(struct pm_nl *nl, __u8 cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
				flags, cmd, PINMGR_FAMILY_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

static int pm_nl_xfer(struct pm_nl *nl, struct nl_msg *msg,
		      struct pm_nl_rx *rx)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nl_cb *cb;
	int ret;

	memset(&nl->err, 0, sizeof(nl->err));
	rx->nl = nl;
	free(nl->sent);
	nl->sent = malloc(nlh->nlmsg_len);
	nl->sent_len = nl->sent ? nlh->nlmsg_len : 0;
	if (nl->sent)
		memcpy(nl->sent, nlh, nlh->nlmsg_len);
	ret = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		nl->err.err = EIO;
		return -EIO;
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nl->err.err = ENOMEM;
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, pm_nl_on_valid, rx);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, pm_nl_on_ack, rx);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, pm_nl_on_finish, rx);
	nl_cb_err(cb, NL_CB_CUSTOM, pm_nl_on_error, rx);
	while (!rx->done) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0 && !rx->done) {
			rx->err = rx->err ? rx->err : -EIO;
			break;
		}
	}
	nl_cb_put(cb);
	nl->err.err = -rx->err;
	return rx->err;
}

int pm_nl_request(struct pm_nl *nl, struct nl_msg *msg,
		  struct pm_nl_lease *out)
{
	struct pm_nl_rx rx = { .one = out };

	nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_ACK;
	return pm_nl_xfer(nl, msg, &rx);
}

int pm_nl_stats(struct pm_nl *nl, __u64 stats[PINMGR_A_STATS_MAX + 1])
{
	struct nl_msg *msg = pm_nl_msg(nl, PINMGR_NL_CMD_STATS_GET, NLM_F_ACK);
	struct pm_nl_rx rx = { .stats = stats };

	if (!msg)
		return -ENOMEM;
	memset(stats, 0, (PINMGR_A_STATS_MAX + 1) * sizeof(*stats));
	return pm_nl_xfer(nl, msg, &rx);
}

int pm_nl_lease_get(struct pm_nl *nl, __u64 handle, struct pm_nl_lease *out)
{
	struct nl_msg *msg = pm_nl_msg(nl, PINMGR_NL_CMD_LEASE_GET, NLM_F_ACK);

	if (!msg || nla_put_u64(msg, PINMGR_A_HANDLE, handle)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return pm_nl_request(nl, msg, out);
}

int pm_nl_revoke(struct pm_nl *nl, __u64 handle, int now, __u64 *deadline)
{
	struct nl_msg *msg = pm_nl_msg(nl, PINMGR_NL_CMD_LEASE_REVOKE,
				       NLM_F_ACK);
	struct pm_nl_lease reply;
	int ret;

	if (!msg || nla_put_u64(msg, PINMGR_A_HANDLE, handle) ||
	    (now && nla_put_flag(msg, PINMGR_A_NOW))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	memset(&reply, 0, sizeof(reply));
	ret = pm_nl_request(nl, msg, &reply);
	if (!ret && deadline)
		*deadline = reply.break_deadline;
	return ret;
}

int pm_nl_user_get(struct pm_nl *nl, __u32 uid, struct pm_nl_lease *out)
{
	struct nl_msg *msg = pm_nl_msg(nl, PINMGR_NL_CMD_USER_GET, NLM_F_ACK);

	if (!msg || nla_put_u32(msg, PINMGR_A_UID, uid)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return pm_nl_request(nl, msg, out);
}

int pm_nl_dump(struct pm_nl *nl, const struct pm_nl_filter *filter,
	       struct pm_nl_lease **leases, size_t *nr)
{
	struct nl_msg *msg = pm_nl_msg(nl, PINMGR_NL_CMD_LEASE_GET,
				       NLM_F_DUMP);
	struct pm_nl_rx rx = { 0 };
	int ret;

	*leases = NULL;
	*nr = 0;
	if (!msg)
		return -ENOMEM;
	if (filter &&
	    (((filter->has & PM_NL_F_TGID) &&
	      nla_put_u32(msg, PINMGR_A_TGID, filter->tgid)) ||
	     ((filter->has & PM_NL_F_UID) &&
	      nla_put_u32(msg, PINMGR_A_UID, filter->uid)) ||
	     ((filter->has & PM_NL_F_COOKIE) &&
	      nla_put_u64(msg, PINMGR_A_COOKIE, filter->cookie)))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	ret = pm_nl_xfer(nl, msg, &rx);
	if (ret) {
		free(rx.all);
		return ret;
	}
	*leases = rx.all;
	*nr = rx.nr;
	return 0;
}

/* ---- Budgets ---------------------------------------------------------- */

static int pm_nl_budget_request(struct pm_nl *nl, __u8 cmd, const char *cgroup,
				const __u64 *limit, __u32 flags,
				struct pm_nl_rx *rx)
{
	struct nl_msg *msg = pm_nl_msg(nl, cmd, NLM_F_ACK);
	struct nlattr *nest;

	if (!msg)
		return -ENOMEM;
	nest = nla_nest_start(msg, PINMGR_A_BUDGET);
	if (!nest || nla_put_string(msg, PINMGR_A_BUDGET_CGROUP, cgroup) ||
	    (limit && nla_put_u64(msg, PINMGR_A_BUDGET_LIMIT, *limit)) ||
	    (flags && nla_put_u32(msg, PINMGR_A_BUDGET_FLAGS, flags))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nla_nest_end(msg, nest);
	rx->want_budgets = 1;
	return pm_nl_xfer(nl, msg, rx);
}

int pm_nl_budget_set(struct pm_nl *nl, const char *cgroup, __u64 limit,
		     __u32 flags, __u64 *id)
{
	struct pm_nl_rx rx = { 0 };
	int ret;

	ret = pm_nl_budget_request(nl, PINMGR_NL_CMD_BUDGET_SET, cgroup,
				   &limit, flags, &rx);
	if (!ret && id)
		*id = rx.nr_budgets ? rx.budgets[0].cgroup_id : 0;
	free(rx.budgets);
	return ret;
}

int pm_nl_budget_clear(struct pm_nl *nl, const char *cgroup)
{
	struct pm_nl_rx rx = { 0 };
	int ret;

	ret = pm_nl_budget_request(nl, PINMGR_NL_CMD_BUDGET_CLEAR, cgroup,
				   NULL, 0, &rx);
	free(rx.budgets);
	return ret;
}

int pm_nl_budgets(struct pm_nl *nl, struct pm_nl_budget **budgets,
		  size_t *nr)
{
	struct nl_msg *msg = pm_nl_msg(nl, PINMGR_NL_CMD_BUDGET_GET,
				       NLM_F_DUMP);
	struct pm_nl_rx rx = { .want_budgets = 1 };
	int ret;

	*budgets = NULL;
	*nr = 0;
	if (!msg)
		return -ENOMEM;
	ret = pm_nl_xfer(nl, msg, &rx);
	if (ret) {
		free(rx.budgets);
		return ret;
	}
	*budgets = rx.budgets;
	*nr = rx.nr_budgets;
	return 0;
}

/* ---- The monitor group ------------------------------------------------ */

int pm_nl_monitor(struct pm_nl *nl)
{
	int grp = genl_ctrl_resolve_grp(nl->sk, PINMGR_FAMILY_NAME,
					PINMGR_MCGRP_MONITOR);

	if (grp < 0)
		return -ENOENT;
	/* Straight to the socket, for the exact errno of a refusal. */
	if (setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK,
		       NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)))
		return -errno;
	nl_socket_disable_seq_check(nl->sk);
	return 0;
}

int pm_nl_monitor_expect(int err)
{
	return pm_feature(PINMGR_FEATURE_NL_MONITOR) ? err : -ENOENT;
}

void pm_nl_monitor_or_skip(struct pm_nl *nl)
{
	if (!pm_feature(PINMGR_FEATURE_NL_MONITOR)) {
		ASSERT_EQ(pm_nl_monitor(nl), -ENOENT);
		pm_skip_feature(PINMGR_FEATURE_NL_MONITOR,
				"the netlink monitor group (PINMGR_FEATURE_NL_MONITOR)");
	}
	ASSERT_EQ(pm_nl_monitor(nl), 0);
}

int pm_nl_rcvbuf(struct pm_nl *nl, int bytes)
{
	return setsockopt(nl_socket_get_fd(nl->sk), SOL_SOCKET,
			  SO_RCVBUFFORCE, &bytes, sizeof(bytes)) ? -errno : 0;
}

int pm_nl_event(struct pm_nl *nl, unsigned int timeout_ms,
		struct pm_nl_lease *ev)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(nl->sk), .events = POLLIN };
	struct nlattr *tb[PINMGR_A_MAX + 1];
	struct nlmsghdr *nlh;
	ssize_t r;
	int ret;

	memset(ev, 0, sizeof(ev[0]));
	if (!nl->ev_buf) {
		nl->ev_buf = malloc(PM_NL_EV_BUF);
		if (!nl->ev_buf)
			return -ENOMEM;
	}
	if (nl->ev_pos >= nl->ev_len) {
		ret = poll(&pfd, 1, (int)timeout_ms);
		if (ret <= 0)
			return ret < 0 ? -errno : 0;
		/*
		 * Straight from the socket: a datagram holds one event or
		 * several, and a loss (ENOBUFS) must read as one.
		 */
		r = recv(pfd.fd, nl->ev_buf, PM_NL_EV_BUF,
			 MSG_DONTWAIT | MSG_TRUNC);
		if (r < 0)
			return errno == EAGAIN ? 0 : -errno;
		if (r > PM_NL_EV_BUF)
			return -EMSGSIZE;
		nl->ev_len = (size_t)r;
		nl->ev_pos = 0;
	}
	nlh = (struct nlmsghdr *)(nl->ev_buf + nl->ev_pos);
	if (!nlmsg_ok(nlh, (int)(nl->ev_len - nl->ev_pos)) ||
	    nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) ||
	    genlmsg_parse(nlh, 0, tb, PINMGR_A_MAX, NULL)) {
		nl->ev_pos = nl->ev_len;
		return -EIO;
	}
	nl->ev_pos += NLMSG_ALIGN(nlh->nlmsg_len);
	pm_nl_parse_lease(tb, ((struct genlmsghdr *)nlmsg_data(nlh))->cmd, ev);
	if (tb[PINMGR_A_BUDGET])
		pm_nl_parse_budget(tb[PINMGR_A_BUDGET], &ev->budget);
	return 1;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinctl monitor: every lease's events as they happen (the netlink family's
 * "monitor" group; CAP_SYS_ADMIN), one line or one JSON document each.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <string.h>
#include <time.h>

#include "pinctl.h"

static void usage(FILE *f)
{
	fputs("usage: pinctl monitor [ count N ] [ for DURATION ]\n"
	      "       pinctl monitor help\n"
	      "\n"
	      "Prints every lease's events as they happen: pinned, unpinned,\n"
	      "expired, breaking, revoked, stale; and budget-hit, a pin refused over\n"
	      "a cgroup's budget (the budget's cgroup, limit and usage, and who asked\n"
	      "for how much). One line each (one JSON document per line with -j).\n"
	      "Ends on SIGINT or SIGTERM, after N events, or when DURATION (500ms,\n"
	      "10s, 5m, ...) has passed. Needs CAP_SYS_ADMIN.\n", f);
}

struct monitor_args {
	uint64_t count, dur;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ppoll()'s timeout to @end (0: none); NULL when there is no end. */
static struct timespec *until(uint64_t end, struct timespec *ts)
{
	uint64_t n = now_ns(), left = end > n ? end - n : 0;

	if (!end)
		return NULL;
	ts->tv_sec = (time_t)(left / 1000000000ULL);
	ts->tv_nsec = (long)(left % 1000000000ULL);
	return ts;
}

/* A refused pin: the budget it met, and who asked for how much. */
static void out_budget_hit(struct out *o, const struct pinctl_monitor *mon,
			   const struct pinctl_lease *l)
{
	PINCTL_OPTS(pinctl_budget, b);

	if (pinctl_monitor_budget(mon, &b))
		return;
	out_str(o, "cgroup", K_TEXT, b.cgroup);
	out_num(o, "cgroup_id", K_ID, b.cgroup_id);
	out_num(o, "limit", K_BYTES, b.limit);
	out_num(o, "usage", K_BYTES, b.usage);
	out_num(o, "hits", K_COUNT, b.hits);
	out_num(o, "length", K_BYTES, l->length);
	out_num(o, "tgid", K_PID, l->tgid);
	out_num(o, "uid", K_UID, l->uid);
	out_str(o, "comm", K_TEXT, l->comm);
	out_num(o, "pinner_cgroup_id", K_ID, l->cgroup_id);
}

static int monitor_run(struct pinctl_cli *cli, int argc, char **argv)
{
	static const struct kw kws[] = {
		KW("count", ARG_ID, struct monitor_args, count, .nonzero = true),
		KW("for", ARG_DURATION, struct monitor_args, dur, .nonzero = true,
		   .what = "duration"),
	};
	static const int sigs[] = { SIGINT, SIGTERM };
	PINCTL_OPTS(pinctl_err_opts, eo, .op = PINCTL_OP_NETLINK);
	PINCTL_OPTS(pinctl_monitor_opts, mo,
		    .flags = PINCTL_MONITOR_BUDGET_HITS);
	struct monitor_args a = { 0 };
	uint64_t seen = 0, end = 0;
	struct pinctl_monitor *mon;
	sigset_t wait_mask;
	struct out *o;
	int ret, rc = EXIT_OK;

	ret = parse_args(kws, ARRAY_SIZE(kws), argc, argv, &a, NULL, usage);
	if (ret != ARGS_GO_ON)
		return ret;
	hold_signals(sigs, ARRAY_SIZE(sigs), &wait_mask);
	ret = pinctl_monitor_new(cli->ctx, &mo, &mon);
	if (ret)
		return fail_op(NULL, ret, &eo, "monitoring leases");
	fprintf(stderr, "pinctl: monitoring every lease's events\n");
	if (a.dur)
		end = now_ns() + a.dur;
	o = out_new(cli, OUT_STREAM);
	for (;;) {
		struct pollfd pfd = { .fd = pinctl_monitor_get_fd(mon), .events = POLLIN };
		PINCTL_OPTS(pinctl_lease, l);
		struct timespec ts;
		uint32_t type;

		ret = pinctl_monitor_read(mon, &type, &l);
		if (ret == 0) {
			out_record_begin(o);
			out_str(o, "event", K_WORD, pinctl_ntf_name(type));
			if (type == PINCTL_NTF_BUDGET_HIT)
				out_budget_hit(o, mon, &l);
			else
				out_lease(o, &l, LF_ALL);
			out_record_end(o);
			if (a.count && ++seen >= a.count)
				break;
			continue;
		}
		if (ret == -ENOBUFS) {
			fail_op(NULL, ret, &eo, "monitor");
			out_record_begin(o);
			out_str(o, "event", K_WORD, "overflow");
			out_record_end(o);
			continue;
		}
		if (ret != -EAGAIN) {
			rc = fail_op(NULL, ret, &eo, "monitor");
			break;
		}
		if (end && now_ns() >= end)
			break;
		ret = ppoll(&pfd, 1, until(end, &ts), &wait_mask);
		if (ret < 0 && errno == EINTR)
			break;	/* SIGINT or SIGTERM: the orderly end */
		if (ret < 0) {
			rc = fail("poll: %s", strerror(errno));
			break;
		}
	}
	pinctl_monitor_unref(mon);
	if (out_finish(o) != EXIT_OK)
		rc = EXIT_ERR;
	return rc;
}

static const struct cmd monitor_cmds[] = {
	{ .name = NULL, .fn = monitor_run },
};

const struct object monitor_object = { "monitor", monitor_cmds, usage, true };

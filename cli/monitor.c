// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinctl monitor: every lease's events as they happen (the netlink family's
 * "monitor" group; CAP_SYS_ADMIN), one line or one JSON document each.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "pinctl.h"

static void usage(FILE *f)
{
	fputs("usage: pinctl monitor [ count N ] [ for DURATION ]\n"
	      "\n"
	      "Prints every lease's events as they happen: pinned, unpinned,\n"
	      "expired, breaking, revoked; one line each (one JSON document per\n"
	      "line with -j). Ends on SIGINT or SIGTERM, after N events, or when\n"
	      "DURATION has passed. Needs CAP_SYS_ADMIN.\n", f);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int do_monitor(struct pinctl_cli *cli, int argc, char **argv)
{
	PINCTL_OPTS(pinctl_err_opts, eo, .op = PINCTL_OP_NETLINK);
	uint64_t count = 0, seen = 0, dur = 0, end = 0;
	struct pinctl_monitor *mon;
	sigset_t block, empty;
	struct out *o;
	int i, ret, rc = EXIT_OK;

	for (i = 0; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (global_opt(cli, argv[i]))
			continue;
		if (is_help(argv[i])) {
			usage(stdout);
			return EXIT_OK;
		}
		if (!strcmp(argv[i], "count") || !strcmp(argv[i], "--count")) {
			if (!v || parse_u64(v, &count) || !count)
				return usage_error(usage, "bad count \"%s\"", v ? v : "");
			i++;
		} else if (!strcmp(argv[i], "for") || !strcmp(argv[i], "--for")) {
			if (!v || parse_duration(v, &dur) || !dur)
				return usage_error(usage, "bad duration \"%s\"", v ? v : "");
			i++;
		} else {
			return usage_error(usage, "unknown argument \"%s\"", argv[i]);
		}
	}

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, NULL);
	catch_signals(&block);
	sigemptyset(&empty);

	ret = pinctl_monitor_new(cli->ctx, NULL, &mon);
	if (ret)
		return fail_op(NULL, ret, &eo, "monitoring leases");
	fprintf(stderr, "pinctl: monitoring every lease's events\n");
	if (dur)
		end = now_ns() + dur;
	o = out_stream(cli);
	for (;;) {
		struct pollfd pfd = { .fd = pinctl_monitor_get_fd(mon), .events = POLLIN };
		struct timespec ts, *tsp = NULL;
		PINCTL_OPTS(pinctl_lease, l);
		uint32_t type;

		ret = pinctl_monitor_read(mon, &type, &l);
		if (ret == 0) {
			out_record_begin(o);
			out_str(o, "event", pinctl_ntf_name(type));
			print_lease(o, &l);
			out_record_end(o);
			if (count && ++seen >= count)
				break;
			continue;
		}
		if (ret == -ENOBUFS) {
			fail_op(NULL, ret, &eo, "monitor");
			out_record_begin(o);
			out_str(o, "event", "overflow");
			out_record_end(o);
			continue;
		}
		if (ret != -EAGAIN) {
			rc = fail_op(NULL, ret, &eo, "monitor");
			break;
		}
		if (end) {
			uint64_t n = now_ns();

			if (n >= end)
				break;
			ts.tv_sec = (time_t)((end - n) / 1000000000ULL);
			ts.tv_nsec = (long)((end - n) % 1000000000ULL);
			tsp = &ts;
		}
		ret = ppoll(&pfd, 1, tsp, &empty);
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

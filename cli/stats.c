// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinctl stats [--prometheus]: the device's figures, through netlink; in the
 * Prometheus text format (version 0.0.4) for node-exporter's textfile
 * collector.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "pinctl.h"

static void usage(FILE *f)
{
	fputs("usage: pinctl stats [ --prometheus ]\n"
	      "\n"
	      "The device's figures: live leases, pinned memory, totals of pins,\n"
	      "unpins, expiries and revocations, refused pins by cause, and the\n"
	      "tunables. --prometheus prints them in the Prometheus text format.\n", f);
}

static void prom(const char *name, const char *type, const char *help,
		 uint64_t v)
{
	printf("# HELP %s %s\n# TYPE %s %s\n%s %" PRIu64 "\n", name, help, name,
	       type, name, v);
}

static void prometheus(const struct pinctl_stats *s, uint64_t page)
{
	const struct { const char *cause; uint64_t v; } fails[] = {
		{ "memlock", s->fail_memlock },
		{ "lease_pages", s->fail_lease_pages },
		{ "leases", s->fail_leases },
		{ "device_pages", s->fail_device_pages },
		{ "fault", s->fail_fault },
		{ "file", s->fail_file },
		{ "interrupted", s->fail_interrupted },
		{ "nomem", s->fail_nomem },
	};
	unsigned int i;

	prom("pinmgr_leases", "gauge", "Live leases of /dev/pinmgr (pages pinned).",
	     s->leases);
	prom("pinmgr_ended_leases", "gauge",
	     "Leases that expired or were revoked, not yet acknowledged by their owners.",
	     s->ended_leases);
	prom("pinmgr_open_files", "gauge", "Open files of /dev/pinmgr.", s->files);
	prom("pinmgr_pinned_bytes", "gauge", "Memory pinned through /dev/pinmgr.",
	     s->pinned_pages * page);
	prom("pinmgr_pins_total", "counter", "Leases created since the module was loaded.",
	     s->pins);
	prom("pinmgr_unpins_total", "counter",
	     "Leases ended by their owners (unpin or close).", s->unpins);
	prom("pinmgr_expiries_total", "counter", "Leases that ran out.", s->expiries);
	prom("pinmgr_revocations_total", "counter",
	     "Leases whose pages a revocation released.", s->revocations);
	printf("# HELP pinmgr_pin_failures_total Pins refused, by cause.\n"
	       "# TYPE pinmgr_pin_failures_total counter\n");
	for (i = 0; i < sizeof(fails) / sizeof(fails[0]); i++)
		printf("pinmgr_pin_failures_total{cause=\"%s\"} %" PRIu64 "\n",
		       fails[i].cause, fails[i].v);
	prom("pinmgr_lease_limit_bytes", "gauge",
	     "The max_lease_pages parameter in bytes (0: no limit).",
	     s->max_lease_pages * page);
	prom("pinmgr_file_lease_limit", "gauge",
	     "The max_leases parameter: leases per open file (0: no limit).",
	     s->max_leases);
	prom("pinmgr_device_limit_bytes", "gauge",
	     "The max_device_pages parameter in bytes (0: no limit).",
	     s->max_device_pages * page);
	printf("# HELP pinmgr_break_time_seconds How long a break lasts before a revoked lease's pages are released.\n"
	       "# TYPE pinmgr_break_time_seconds gauge\n"
	       "pinmgr_break_time_seconds %" PRIu64 ".%03" PRIu64 "\n",
	       s->break_time_ms / 1000, s->break_time_ms % 1000);
	prom("pinmgr_event_queue_limit", "gauge",
	     "The max_events parameter: events an open file's queue holds.",
	     s->max_events);
}

int do_stats(struct pinctl_cli *cli, int argc, char **argv)
{
	PINCTL_OPTS(pinctl_stats, s);
	PINCTL_OPTS(pinctl_err_opts, eo, .op = PINCTL_OP_NETLINK);
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	bool prometheus_fmt = false;
	struct out *o;
	int i, ret;

	for (i = 0; i < argc; i++) {
		if (global_opt(cli, argv[i]))
			continue;
		if (is_help(argv[i])) {
			usage(stdout);
			return EXIT_OK;
		}
		if (!strcmp(argv[i], "--prometheus") || !strcmp(argv[i], "prometheus"))
			prometheus_fmt = true;
		else if (strcmp(argv[i], "show"))
			return usage_error(usage, "unknown argument \"%s\"", argv[i]);
	}
	ret = pinctl_nl_stats(cli->ctx, &s);
	if (ret)
		return fail_op(NULL, ret, &eo, "reading the statistics");
	if (prometheus_fmt) {
		prometheus(&s, page);
		return fflush(stdout) ? EXIT_ERR : EXIT_OK;
	}
	o = out_new(cli, false);
	out_record_begin(o);
	out_u64(o, "leases", s.leases);
	out_u64(o, "ended_leases", s.ended_leases);
	out_u64(o, "files", s.files);
	out_u64(o, "pinned_pages", s.pinned_pages);
	out_size(o, "pinned", s.pinned_pages * page);
	out_u64(o, "pins", s.pins);
	out_u64(o, "unpins", s.unpins);
	out_u64(o, "expiries", s.expiries);
	out_u64(o, "revocations", s.revocations);
	out_u64(o, "fail_memlock", s.fail_memlock);
	out_u64(o, "fail_lease_pages", s.fail_lease_pages);
	out_u64(o, "fail_leases", s.fail_leases);
	out_u64(o, "fail_device_pages", s.fail_device_pages);
	out_u64(o, "fail_fault", s.fail_fault);
	out_u64(o, "fail_file", s.fail_file);
	out_u64(o, "fail_interrupted", s.fail_interrupted);
	out_u64(o, "fail_nomem", s.fail_nomem);
	out_u64(o, "max_lease_pages", s.max_lease_pages);
	out_u64(o, "max_leases", s.max_leases);
	out_u64(o, "max_device_pages", s.max_device_pages);
	out_u64(o, "break_time_ms", s.break_time_ms);
	out_u64(o, "max_events", s.max_events);
	out_record_end(o);
	return out_finish(o);
}

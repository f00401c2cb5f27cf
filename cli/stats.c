// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinctl stats [ show ]: the device's figures, through netlink. Every
 * figure, its key, unit, heading and Prometheus metric come from
 * PINMGR_STATS (pinmgr_tables.h): a line there is a figure in every format.
 */
#define _GNU_SOURCE
#include "pinctl.h"

static void usage(FILE *f)
{
	fputs("usage: pinctl [ -j | -o | -P ] stats [ show ]\n"
	      "       pinctl stats help\n"
	      "\n"
	      "The device's figures: live leases and pinned memory, totals of pins,\n"
	      "unpins, expiries and revocations, pins refused by cause, and the\n"
	      "tunables. -P prints them in the Prometheus text format (for\n"
	      "node-exporter's textfile collector): memory in bytes, times in\n"
	      "seconds.\n", f);
}

enum stats_dir { DIR_TOP, DIR_FAILURES, DIR_TUNABLES };

static const char *const headings[] = {
	[DIR_TOP] = "Leases and pins",
	[DIR_FAILURES] = "Pins refused",
	[DIR_TUNABLES] = "Tunables",
};

#define SRC_COUNTER	true
#define SRC_GAUGE	false
#define SRC_TUNABLE	false

static const struct stat_desc {
	const char *key;
	enum out_kind kind;
	enum stats_dir dir;
	size_t off;
	struct metric metric;
} stats[] = {
#define STAT(name, ATTR, source, unit, dir, file, prom, label, help)	\
	{ #name, K_##unit, DIR_##dir, offsetof(struct pinctl_stats, name),	\
	  { prom, label, help, SRC_##source, NULL } },
	PINMGR_STATS(STAT)
#undef STAT
};

#define STAT_CHECK(name, ATTR, source, unit, dir, file, prom, label, help) \
	_Static_assert(sizeof(((struct pinctl_stats *)0)->name) == 8, #name);
PINMGR_STATS(STAT_CHECK)
#undef STAT_CHECK

/*
 * -P also gives each budget's figures, labelled by its cgroup's path:
 * budgeted cgroups only, so the labels are as many as the budgets.
 */
static const struct metric budget_metrics[] = {
	{ "pinmgr_budget_limit_bytes", "",
	  "The budget of a cgroup: memory its processes and its descendants' may pin through the device together.",
	  false, "cgroup" },
	{ "pinmgr_budget_usage_bytes", "",
	  "Memory pinned through the device by the processes of a budgeted cgroup and its descendants.",
	  false, "cgroup" },
	{ "pinmgr_budget_hits_total", "",
	  "Pins refused because they would take a cgroup over its budget.",
	  true, "cgroup" },
};

static int budget_samples(const struct pinctl_budget *b, void *data)
{
	struct out *o = data;

	out_metric_labelled(o, "budget_limit", K_BYTES, b->limit,
			    &budget_metrics[0], b->cgroup);
	out_metric_labelled(o, "budget_usage", K_BYTES, b->usage,
			    &budget_metrics[1], b->cgroup);
	out_metric_labelled(o, "budget_hits", K_COUNT, b->hits,
			    &budget_metrics[2], b->cgroup);
	return 0;
}

static int stats_show(struct pinctl_cli *cli, int argc, char **argv)
{
	PINCTL_OPTS(pinctl_stats, s);
	PINCTL_OPTS(pinctl_err_opts, eo, .op = PINCTL_OP_NETLINK);
	struct out *o;
	unsigned int i;
	int ret;

	ret = parse_args(NULL, 0, argc, argv, NULL, NULL, usage);
	if (ret != ARGS_GO_ON)
		return ret;
	ret = pinctl_nl_stats(cli->ctx, &s);
	if (ret)
		return fail_op(NULL, ret, &eo, "reading the statistics");
	o = out_new(cli, OUT_RECORD);
	out_record_begin(o);
	for (i = 0; i < ARRAY_SIZE(stats); i++) {
		uint64_t v = *(const uint64_t *)((const char *)&s + stats[i].off);

		out_group(o, headings[stats[i].dir]);
		out_metric(o, stats[i].key, stats[i].kind, v, &stats[i].metric);
	}
	/* A driver or kernel without budgets has none to list. */
	if (cli->format == FMT_PROMETHEUS) {
		ret = pinctl_budget_dump(cli->ctx, budget_samples, o);
		if (ret && ret != -EOPNOTSUPP) {
			out_discard(o);
			eo.op = PINCTL_OP_BUDGET;
			return fail_op(NULL, ret, &eo, "listing budgets");
		}
	}
	out_record_end(o);
	return out_finish(o);
}

static const struct cmd stats_cmds[] = {
	{ .name = "show", .fn = stats_show, .prometheus = true },
	{ .name = NULL, .fn = stats_show, .prometheus = true },
};

const struct object stats_object = { "stats", stats_cmds, usage, false };

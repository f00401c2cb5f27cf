// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinctl: see and control every pin of /dev/pinmgr, in the manner of
 * iproute2's ip and rdma: "pinctl [OPTIONS] OBJECT [COMMAND [ARGS]]".
 * Exit codes: 0 done, 1 error, 2 usage.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pinctl.h"

static void usage(FILE *f)
{
	fputs("usage: pinctl [ OPTIONS ] OBJECT [ COMMAND [ ARGS ] ]\n"
	      "       pinctl OBJECT help\n"
	      "  OBJECT := { lease | stats | limits | monitor | module | pin |\n"
	      "              budget | census | top }\n"
	      "  OPTIONS := { -j[son] | -p[retty] | -o[neline] | -P | --prometheus |\n"
	      "               -h[elp] }\n"
	      "\n"
	      "  pinctl lease [ list [ pid PID ] [ uid UID ] [ comm COMM ] [ cookie N ] ]\n"
	      "  pinctl lease { show HANDLE | revoke HANDLE [ now ] }\n"
	      "  pinctl stats [ show ]\n"
	      "  pinctl limits [ show ]\n"
	      "  pinctl monitor [ count N ] [ for DURATION ]\n"
	      "  pinctl module { show | load [ path FILE ] [ PARAM=VALUE ]... | unload }\n"
	      "  pinctl pin SIZE [ backing { anon | thp | hugetlb | memfd } ]\n"
	      "                  [ write ] [ longterm ] [ for DURATION ] [ cookie N ]\n"
	      "                  [ onbreak { unpin | hold } ]\n"
	      "  pinctl pin [ SIZE ] file PATH [ offset OFF ] ...\n"
	      "  pinctl budget { show | set CGROUP SIZE [ sufficient ] | clear CGROUP }\n"
	      "  pinctl census [ processes | users | cgroups | machine ] [ all ]\n"
	      "  pinctl top [ interval DURATION ] [ count N ] [ all ]\n"
	      "\n"
	      "Objects, commands and keywords may be shortened to any prefix that\n"
	      "names one. Numbers are decimal; cookies may be 0x hex. Sizes take K,\n"
	      "M, G, T (binary: 64M is 64 MiB); durations ns, us, ms, s, m, h, d\n"
	      "(seconds without a unit). Output is for people; -o prints one line\n"
	      "of key=value per record, -j JSON (-p pretty JSON), -P the figures of\n"
	      "stats and census machine in the Prometheus text format. Exit status:\n"
	      "0 done, 1 error, 2 usage.\n", f);
}

static const struct object *const objects[] = {
	&lease_object, &stats_object, &limits_object, &monitor_object,
	&module_object, &pin_object, &budget_object, &census_object, &top_object,
};

/* The options, in a getopt_long() table; the format ones exclude each other. */
static int global_options(struct pinctl_cli *cli, int argc, char **argv,
			  bool *help)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "oneline", no_argument, NULL, 'o' },
		{ "prometheus", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool chosen = false;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+jpoPh", opts, NULL)) != -1) {
		enum out_format fmt = FMT_TEXT;

		switch (c) {
		case 'h':
			*help = true;
			continue;
		case 'p':
			cli->pretty = true;
			fmt = FMT_JSON;
			break;
		case 'j':
			fmt = FMT_JSON;
			break;
		case 'o':
			fmt = FMT_ONELINE;
			break;
		case 'P':
			fmt = FMT_PROMETHEUS;
			break;
		default:
			return usage_error(usage, "unknown option \"%s\"",
					   argv[optind - 1]);
		}
		if (chosen && cli->format != fmt)
			return usage_error(usage, "-j, -o and -P choose one output format");
		cli->format = fmt;
		chosen = true;
	}
	return ARGS_GO_ON;
}

int main(int argc, char **argv)
{
	struct pinctl_cli cli = { .format = FMT_TEXT };
	const char *names[ARRAY_SIZE(objects) + 1];
	bool help = false;
	int i, ret;

	ret = global_options(&cli, argc, argv, &help);
	if (ret != ARGS_GO_ON)
		return ret;
	argc -= optind;
	argv += optind;
	if (argc == 0 && help) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc == 0)
		return usage_error(usage, "no object given");
	for (i = 0; i < (int)ARRAY_SIZE(objects); i++)
		names[i] = objects[i]->name;
	names[i] = "help";
	i = MATCH(argv[0], names, ARRAY_SIZE(names), "object", usage);
	if (i == -2)
		return EXIT_USAGE;
	if (i < 0)
		return usage_error(usage, "unknown object \"%s\"", argv[0]);
	if (i == (int)ARRAY_SIZE(objects)) {
		usage(stdout);
		return EXIT_OK;
	}
	if (help) {
		/* "pinctl -h lease": the object's help. */
		objects[i]->usage(stdout);
		return EXIT_OK;
	}
	cli.page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	ret = pinctl_new(NULL, &cli.ctx);
	if (ret)
		return fail("cannot create the library context: %s", strerror(-ret));
	ret = object_run(&cli, objects[i], argc - 1, argv + 1);
	pinctl_unref(cli.ctx);
	return ret;
}

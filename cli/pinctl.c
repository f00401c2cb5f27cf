// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinctl: see and control every pin of /dev/pinmgr, in the manner of
 * iproute2's rdma: "pinctl [OPTIONS] OBJECT [COMMAND [ARGS]]". Exit codes:
 * 0 done, 1 error, 2 usage.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "pinctl.h"

static void usage(FILE *f)
{
	fputs("usage: pinctl [OPTIONS] OBJECT { COMMAND | help }\n"
	      "  OBJECT := { lease | stats | monitor | limits | module | pin }\n"
	      "  OPTIONS := { -j[son] | -p[retty] | -h[elp] }\n"
	      "\n"
	      "  pinctl lease list [ pid PID ] [ uid UID ] [ comm COMM ] [ cookie N ]\n"
	      "  pinctl lease show HANDLE\n"
	      "  pinctl lease revoke HANDLE [ now ]\n"
	      "  pinctl stats [ --prometheus ]\n"
	      "  pinctl monitor [ count N ] [ for DURATION ]\n"
	      "  pinctl limits\n"
	      "  pinctl module { status | load [ --path FILE ] [ PARAM=VALUE ]... | unload }\n"
	      "  pinctl pin SIZE [ --anon | --thp | --hugetlb | --memfd | --file PATH [ --offset OFF ] ]\n"
	      "             [ --write ] [ --longterm ] [ --for DURATION ] [ --cookie N ]\n"
	      "\n"
	      "Sizes take K, M, G, T (binary: 64M is 64 MiB); durations ns, us, ms, s,\n"
	      "m, h, d (seconds without a unit). -j prints JSON, -p pretty JSON.\n"
	      "\"pinctl OBJECT help\" describes an object. Exit status: 0 done,\n"
	      "1 error, 2 usage.\n", f);
}

static const struct {
	const char *name;
	int (*fn)(struct pinctl_cli *cli, int argc, char **argv);
} objects[] = {
	{ "lease", do_lease },
	{ "stats", do_stats },
	{ "monitor", do_monitor },
	{ "limits", do_limits },
	{ "module", do_module },
	{ "pin", do_pin },
};

int main(int argc, char **argv)
{
	struct pinctl_cli cli = { .argv0 = argv[0] };
	unsigned int i;
	int ret;

	argc--;
	argv++;
	while (argc > 0 && argv[0][0] == '-') {
		if (is_help(argv[0])) {
			usage(stdout);
			return EXIT_OK;
		}
		if (!global_opt(&cli, argv[0]))
			return usage_error(usage, "unknown option \"%s\"", argv[0]);
		argc--;
		argv++;
	}
	if (argc == 0)
		return usage_error(usage, "no object given");
	if (is_help(argv[0])) {
		usage(stdout);
		return EXIT_OK;
	}
	for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
		if (!strcmp(objects[i].name, argv[0]))
			break;
	if (i == sizeof(objects) / sizeof(objects[0]))
		return usage_error(usage, "unknown object \"%s\"", argv[0]);

	ret = pinctl_new(NULL, &cli.ctx);
	if (ret)
		return fail("cannot create the library context: %s", strerror(-ret));
	ret = objects[i].fn(&cli, argc - 1, argv + 1);
	pinctl_unref(cli.ctx);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinctl module status|load|unload, through libkmod.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "pinctl.h"

static void usage(FILE *f)
{
	fputs("usage: pinctl module status\n"
	      "       pinctl module load [ --path FILE ] [ PARAM=VALUE ]...\n"
	      "       pinctl module unload\n"
	      "\n"
	      "status: is pinmgr loaded, its users (refcount), parameters, and the\n"
	      "        module file that loading by name would use.\n"
	      "load:   as modprobe: looked up in /lib/modules/$(uname -r) (where DKMS\n"
	      "        or \"make install\" put it and depmod indexed it), or the\n"
	      "        file given with --path; with the parameters given.\n"
	      "unload: fails while any file of /dev/pinmgr is open.\n", f);
}

static const char *state_name(int32_t state)
{
	switch (state) {
	case PINCTL_MODULE_LIVE:
		return "live";
	case PINCTL_MODULE_COMING:
		return "coming";
	case PINCTL_MODULE_GOING:
		return "going";
	case PINCTL_MODULE_BUILTIN:
		return "builtin";
	default:
		return "absent";
	}
}

static int module_status(struct pinctl_cli *cli, int argc, char **argv)
{
	PINCTL_OPTS(pinctl_module_status, st);
	struct out *o;
	int ret;

	ret = no_args(cli, argc, argv, usage);
	if (ret != ARGS_GO_ON)
		return ret;
	ret = pinctl_module_status(cli->ctx, &st);
	if (ret)
		return fail("module status: %s", strerror(-ret));
	o = out_new(cli, false);
	out_record_begin(o);
	out_str(o, "module", "pinmgr");
	out_str(o, "state", state_name(st.state));
	if (st.state != PINCTL_MODULE_ABSENT) {
		out_int(o, "refcount", st.refcount);
		out_size(o, "size", st.size);
		out_str(o, "srcversion", st.srcversion);
		out_u64(o, "max_lease_pages", st.max_lease_pages);
		out_u64(o, "max_leases", st.max_leases);
		out_u64(o, "max_device_pages", st.max_device_pages);
		out_u64(o, "break_time_ms", st.break_time_ms);
		out_u64(o, "max_events", st.max_events);
	}
	out_str(o, "path", st.path);
	out_record_end(o);
	return out_finish(o);
}

static int module_load(struct pinctl_cli *cli, int argc, char **argv)
{
	PINCTL_OPTS(pinctl_module_load_opts, lo);
	PINCTL_OPTS(pinctl_err_opts, eo, .op = PINCTL_OP_MODULE_LOAD);
	size_t len = 1;
	char *params;
	int i, ret;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	params = calloc(1, len);
	if (!params)
		return fail("out of memory");
	for (i = 0; i < argc; i++) {
		if (global_opt(cli, argv[i]))
			continue;
		if (is_help(argv[i])) {
			free(params);
			usage(stdout);
			return EXIT_OK;
		}
		if (!strcmp(argv[i], "--path") || !strcmp(argv[i], "path")) {
			if (i + 1 >= argc) {
				free(params);
				return usage_error(usage, "--path needs a file");
			}
			lo.path = argv[++i];
		} else if (strchr(argv[i], '=') && argv[i][0] != '=' && argv[i][0] != '-') {
			if (*params)
				strcat(params, " ");
			strcat(params, argv[i]);
		} else {
			free(params);
			return usage_error(usage, "unknown argument \"%s\"", argv[i]);
		}
	}
	lo.params = *params ? params : NULL;
	ret = pinctl_module_load(cli->ctx, &lo);
	free(params);
	if (ret)
		return fail_op(NULL, ret, &eo, "loading pinmgr");
	return EXIT_OK;
}

static int module_unload(struct pinctl_cli *cli, int argc, char **argv)
{
	PINCTL_OPTS(pinctl_err_opts, eo, .op = PINCTL_OP_MODULE_UNLOAD);
	int ret;

	ret = no_args(cli, argc, argv, usage);
	if (ret != ARGS_GO_ON)
		return ret;
	ret = pinctl_module_unload(cli->ctx, NULL);
	if (ret)
		return fail_op(NULL, ret, &eo, "unloading pinmgr");
	return EXIT_OK;
}

int do_module(struct pinctl_cli *cli, int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "status", module_status },
		{ "show", module_status },
		{ "load", module_load },
		{ "unload", module_unload },
		{ NULL, NULL },
	};

	return cmd_dispatch(cli, "module", cmds, argc, argv, usage);
}

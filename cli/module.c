// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinctl module [ show | load | unload ], through libkmod.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "pinctl.h"

static void usage(FILE *f)
{
	fputs("usage: pinctl module [ show ]\n"
	      "       pinctl module load [ path FILE ] [ PARAM=VALUE ]...\n"
	      "       pinctl module unload\n"
	      "       pinctl module help\n"
	      "\n"
	      "show:   is pinmgr loaded, its users (refcount), parameters, and the\n"
	      "        module file that loading by name would use. The default.\n"
	      "load:   as modprobe: looked up in /lib/modules/$(uname -r) (where DKMS\n"
	      "        or \"make install\" put it and depmod indexed it), or FILE;\n"
	      "        with the parameters given (max_leases=8 ...).\n"
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

static int module_show(struct pinctl_cli *cli, int argc, char **argv)
{
	PINCTL_OPTS(pinctl_module_status, st);
	struct out *o;
	int ret;

	ret = parse_args(NULL, 0, argc, argv, NULL, NULL, usage);
	if (ret != ARGS_GO_ON)
		return ret;
	ret = pinctl_module_status(cli->ctx, &st);
	if (ret)
		return fail("module status: %s", strerror(-ret));
	o = out_new(cli, OUT_RECORD);
	out_record_begin(o);
	out_str(o, "module", K_WORD, "pinmgr");
	out_str(o, "state", K_WORD, state_name(st.state));
	if (st.state != PINCTL_MODULE_ABSENT) {
		out_num(o, "refcount", K_COUNT, (uint64_t)(st.refcount < 0 ? 0 : st.refcount));
		out_num(o, "size", K_BYTES, st.size);
		out_str(o, "srcversion", K_TEXT, st.srcversion);
		out_num(o, "max_lease_pages", K_COUNT, st.max_lease_pages);
		out_num(o, "max_leases", K_COUNT, st.max_leases);
		out_num(o, "max_device_pages", K_COUNT, st.max_device_pages);
		out_num(o, "break_time_ms", K_MS, st.break_time_ms);
		out_num(o, "max_events", K_COUNT, st.max_events);
	}
	out_str(o, "path", K_TEXT, st.path);
	out_record_end(o);
	return out_finish(o);
}

struct load_args {
	const char *path;
	struct assign_list params;
};

static int module_load(struct pinctl_cli *cli, int argc, char **argv)
{
	static const struct kw kws[] = {
		KW("path", ARG_STRING, struct load_args, path, .what = "module file"),
		KW(NULL, ARG_ASSIGN, struct load_args, params),
	};
	PINCTL_OPTS(pinctl_module_load_opts, lo);
	PINCTL_OPTS(pinctl_err_opts, eo, .op = PINCTL_OP_MODULE_LOAD);
	struct load_args a = { 0 };
	char params[4096] = "";
	unsigned int i;
	int ret;

	ret = parse_args(kws, ARRAY_SIZE(kws), argc, argv, &a, NULL, usage);
	if (ret != ARGS_GO_ON)
		return ret;
	for (i = 0; i < a.params.n; i++) {
		size_t len = strlen(params);

		if (len + strlen(a.params.v[i]) + 2 > sizeof(params))
			return usage_error(usage, "the parameters are too long");
		snprintf(params + len, sizeof(params) - len, "%s%s", len ? " " : "",
			 a.params.v[i]);
	}
	lo.path = a.path;
	lo.params = params[0] ? params : NULL;
	ret = pinctl_module_load(cli->ctx, &lo);
	if (ret)
		return fail_op(NULL, ret, &eo, "loading pinmgr");
	return EXIT_OK;
}

static int module_unload(struct pinctl_cli *cli, int argc, char **argv)
{
	PINCTL_OPTS(pinctl_err_opts, eo, .op = PINCTL_OP_MODULE_UNLOAD);
	int ret;

	ret = parse_args(NULL, 0, argc, argv, NULL, NULL, usage);
	if (ret != ARGS_GO_ON)
		return ret;
	ret = pinctl_module_unload(cli->ctx, NULL);
	if (ret)
		return fail_op(NULL, ret, &eo, "unloading pinmgr");
	return EXIT_OK;
}

static const struct cmd module_cmds[] = {
	{ .name = "show", .fn = module_show },
	{ .name = "load", .fn = module_load },
	{ .name = "unload", .fn = module_unload },
	{ .name = NULL, .fn = module_show },
};

const struct object module_object = { "module", module_cmds, usage, false };

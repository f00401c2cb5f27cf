// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinctl lease list|show|revoke: every lease on the device, through the
 * pinmgr generic netlink family.
 */
#define _GNU_SOURCE
#include <string.h>

#include "pinctl.h"

static void usage(FILE *f)
{
	fputs("usage: pinctl lease list [ pid PID ] [ uid UID ] [ comm COMM ] [ cookie N ]\n"
	      "       pinctl lease show HANDLE\n"
	      "       pinctl lease revoke HANDLE [ now ]\n"
	      "\n"
	      "list: every lease visible to the caller (root sees all, others their\n"
	      "      own uid's), oldest first within each open file, filtered.\n"
	      "show: one lease. revoke: take a lease back from its owner: a break of\n"
	      "      break_time_ms, or at once with \"now\" (--now); needs\n"
	      "      CAP_SYS_ADMIN and CAP_NET_ADMIN.\n", f);
}

/* The columns of a lease, for every listing of leases (list, show, monitor). */
void print_lease(struct out *o, const struct pinctl_lease *l)
{
	out_u64(o, "handle", l->handle);
	out_u64(o, "pid", l->tgid);
	out_u64(o, "uid", l->uid);
	out_str(o, "comm", l->comm);
	out_hex(o, "addr", l->addr);
	out_size(o, "length", l->length);
	out_u64(o, "pages", l->nr_pages);
	out_u64(o, "runs", l->nr_runs);
	out_flags(o, "flags", l->flags);
	out_str(o, "state", pinctl_lease_state_name(l->state));
	out_u64(o, "cookie", l->cookie);
	out_size(o, "metadata", l->metadata_bytes);
	out_u64(o, "file", l->file_id);
	out_time(o, "created", l->create_time_ns);
	out_time(o, "expires", l->expire_time_ns);
	out_time(o, "break_deadline", l->break_deadline_ns);
	out_time(o, "ended", l->end_time_ns);
}

static int list_one(const struct pinctl_lease *l, void *data)
{
	struct out *o = data;

	out_record_begin(o);
	print_lease(o, l);
	out_record_end(o);
	return 0;
}

static int lease_list(struct pinctl_cli *cli, int argc, char **argv)
{
	PINCTL_OPTS(pinctl_lease_filter, f);
	PINCTL_OPTS(pinctl_err_opts, eo, .op = PINCTL_OP_NETLINK);
	struct out *o;
	int i, ret;

	for (i = 0; i < argc; i++) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (global_opt(cli, k))
			continue;
		if (is_help(k)) {
			usage(stdout);
			return EXIT_OK;
		}
		if (!v)
			return usage_error(usage, "\"%s\" needs a value", k);
		if (!strcmp(k, "pid")) {
			if (parse_u32(v, &f.tgid))
				return usage_error(usage, "bad pid \"%s\"", v);
			f.flags |= PINCTL_FILTER_TGID;
		} else if (!strcmp(k, "uid")) {
			if (parse_u32(v, &f.uid))
				return usage_error(usage, "bad uid \"%s\"", v);
			f.flags |= PINCTL_FILTER_UID;
		} else if (!strcmp(k, "comm")) {
			f.comm = v;
		} else if (!strcmp(k, "cookie")) {
			if (parse_u64(v, &f.cookie))
				return usage_error(usage, "bad cookie \"%s\"", v);
			f.flags |= PINCTL_FILTER_COOKIE;
		} else {
			return usage_error(usage, "unknown filter \"%s\"", k);
		}
		i++;
	}
	o = out_new(cli, true);
	ret = pinctl_nl_lease_dump(cli->ctx, &f, list_one, o);
	if (ret) {
		out_discard(o);
		return fail_op(NULL, ret, &eo, "listing leases");
	}
	return out_finish(o);
}

static int parse_handle_args(struct pinctl_cli *cli, int argc, char **argv,
			     uint64_t *handle, bool *now)
{
	bool have = false;
	int i;

	for (i = 0; i < argc; i++) {
		if (global_opt(cli, argv[i]))
			continue;
		if (is_help(argv[i])) {
			usage(stdout);
			return -1;
		}
		if (now && (!strcmp(argv[i], "now") || !strcmp(argv[i], "--now"))) {
			*now = true;
			continue;
		}
		if (have || parse_u64(argv[i], handle) || !*handle)
			return usage_error(usage, "bad argument \"%s\"", argv[i]);
		have = true;
	}
	if (!have)
		return usage_error(usage, "no lease handle given");
	return 0;
}

static int lease_show(struct pinctl_cli *cli, int argc, char **argv)
{
	PINCTL_OPTS(pinctl_lease, l);
	PINCTL_OPTS(pinctl_err_opts, eo, .op = PINCTL_OP_NETLINK);
	struct out *o;
	uint64_t handle = 0;
	int ret;

	ret = parse_handle_args(cli, argc, argv, &handle, NULL);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	eo.handle = handle;
	ret = pinctl_nl_lease_get(cli->ctx, handle, &l);
	if (ret)
		return fail_op(NULL, ret, &eo, NULL);
	o = out_new(cli, false);
	out_record_begin(o);
	print_lease(o, &l);
	out_record_end(o);
	return out_finish(o);
}

static int lease_revoke(struct pinctl_cli *cli, int argc, char **argv)
{
	PINCTL_OPTS(pinctl_revoke_opts, ro);
	PINCTL_OPTS(pinctl_err_opts, eo, .op = PINCTL_OP_REVOKE);
	uint64_t handle = 0, deadline = 0;
	bool now = false;
	struct out *o;
	int ret;

	ret = parse_handle_args(cli, argc, argv, &handle, &now);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	if (now)
		ro.flags = PINCTL_REVOKE_NOW;
	eo.handle = handle;
	eo.flags = ro.flags;
	ret = pinctl_nl_revoke(cli->ctx, handle, &ro, &deadline);
	if (ret)
		return fail_op(NULL, ret, &eo, NULL);
	o = out_new(cli, false);
	out_record_begin(o);
	out_u64(o, "handle", handle);
	out_str(o, "revoked", now ? "now" : "break");
	out_time(o, "deadline", deadline);
	out_record_end(o);
	return out_finish(o);
}

static int lease_default(struct pinctl_cli *cli, int argc, char **argv)
{
	return lease_list(cli, argc, argv);
}

int do_lease(struct pinctl_cli *cli, int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "default", lease_default },
		{ "list", lease_list },
		{ "show", lease_show },
		{ "revoke", lease_revoke },
		{ NULL, NULL },
	};

	return cmd_dispatch(cli, "lease", cmds, argc, argv, usage);
}

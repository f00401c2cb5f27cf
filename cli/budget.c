// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinctl budget { set CGROUP SIZE [ sufficient ] | clear CGROUP | show }:
 * the budgets that bound what the processes of a cgroup v2 directory, and
 * of its descendants, pin through the device (netlink budget-set,
 * budget-clear and budget-get). Shown as a tree: sorted by path, each
 * cgroup indented under its budgeted ancestor.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pinctl.h"

static void usage(FILE *f)
{
	fputs("usage: pinctl budget [ show ]\n"
	      "       pinctl budget set CGROUP SIZE [ sufficient ]\n"
	      "       pinctl budget clear CGROUP\n"
	      "       pinctl budget help\n"
	      "\n"
	      "A budget bounds the memory that the processes of a cgroup v2\n"
	      "directory and of its descendants pin through the device, together;\n"
	      "a pin over any budget on its cgroup's path fails (EXFULL). CGROUP is\n"
	      "its path from the root of the cgroup2 hierarchy (/sys/fs/cgroup).\n"
	      "With sufficient, the budget stands in for RLIMIT_MEMLOCK inside the\n"
	      "cgroup: its processes pin up to it without CAP_IPC_LOCK (a non-root\n"
	      "container). Setting and clearing need CAP_SYS_ADMIN; anyone sees\n"
	      "the budgets of its own cgroup, its ancestors and descendants.\n", f);
}

/* Is a cgroup2 file system mounted in the caller's mount namespace? */
static bool cgroup2_mounted(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL, *sep;
	size_t cap = 0;
	bool found = false;

	/* Without /proc, let the kernel's answer speak. */
	if (!f)
		return true;
	/* "... - FSTYPE SOURCE OPTIONS": the type follows the separator. */
	while (!found && getline(&line, &cap, f) > 0) {
		sep = strstr(line, " - ");
		found = sep && !strncmp(sep + 3, "cgroup2 ", 8);
	}
	free(line);
	fclose(f);
	return found;
}

/*
 * Can budgets be had here? The driver says whether the kernel keeps them;
 * the mounts say whether there are cgroup v2 directories to name. Without
 * either, every budget command says why instead of failing on a path.
 */
static int budgets_available(struct pinctl_cli *cli)
{
	PINCTL_OPTS(pinctl_info, info);
	struct pinctl_dev *dev;
	int ret;

	/* No device to ask: the netlink request tells what is wrong. */
	if (pinctl_dev_open(cli->ctx, NULL, &dev))
		return EXIT_OK;
	ret = pinctl_dev_info(dev, &info);
	pinctl_dev_unref(dev);
	if (!ret && !(info.features & PINCTL_FEATURE_BUDGETS))
		return fail("budgets need a kernel with cgroups (CONFIG_CGROUPS) "
			    "and a driver that keeps them; this one does not");
	if (!cgroup2_mounted())
		return fail("budgets name cgroup v2 directories, and no cgroup2 "
			    "file system is mounted here (a cgroup v1-only "
			    "system): boot with systemd.unified_cgroup_hierarchy=1, "
			    "or mount -t cgroup2 none /sys/fs/cgroup");
	return EXIT_OK;
}

struct set_args {
	const char *cgroup;
	uint64_t size;
	bool sufficient;
};

static int budget_set(struct pinctl_cli *cli, int argc, char **argv)
{
	enum { CGROUP, SIZE, SUFFICIENT };
	static const struct kw kws[] = {
		[CGROUP] = KW(NULL, ARG_STRING, struct set_args, cgroup,
			      .what = "cgroup"),
		[SIZE] = KW(NULL, ARG_SIZE, struct set_args, size,
			    .what = "size"),
		[SUFFICIENT] = KW("sufficient", ARG_FLAG, struct set_args,
				  sufficient),
	};
	PINCTL_OPTS(pinctl_err_opts, eo, .op = PINCTL_OP_BUDGET);
	struct set_args a = { 0 };
	uint32_t seen;
	struct out *o;
	int ret;

	ret = parse_args(kws, ARRAY_SIZE(kws), argc, argv, &a, &seen, usage);
	if (ret != ARGS_GO_ON)
		return ret;
	if (!(seen & 1u << CGROUP) || !(seen & 1u << SIZE))
		return usage_error(usage, "budget set needs a cgroup and a size");
	ret = budgets_available(cli);
	if (ret)
		return ret;
	ret = pinctl_budget_set(cli->ctx, a.cgroup, a.size,
				a.sufficient ? PINCTL_BUDGET_SUFFICIENT : 0);
	if (ret)
		return fail_op(NULL, ret, &eo, a.cgroup);
	o = out_new(cli, OUT_RECORD);
	out_record_begin(o);
	out_str(o, "cgroup", K_TEXT, a.cgroup);
	out_num(o, "limit", K_BYTES, a.size);
	out_str(o, "sufficient", K_WORD, a.sufficient ? "yes" : "no");
	out_record_end(o);
	return out_finish(o);
}

static int budget_clear(struct pinctl_cli *cli, int argc, char **argv)
{
	static const struct kw kws[] = {
		KW(NULL, ARG_STRING, struct set_args, cgroup, .what = "cgroup"),
	};
	PINCTL_OPTS(pinctl_err_opts, eo, .op = PINCTL_OP_BUDGET);
	struct set_args a = { 0 };
	uint32_t seen;
	int ret;

	ret = parse_args(kws, ARRAY_SIZE(kws), argc, argv, &a, &seen, usage);
	if (ret != ARGS_GO_ON)
		return ret;
	if (!(seen & 1))
		return usage_error(usage, "budget clear needs a cgroup");
	ret = budgets_available(cli);
	if (ret)
		return ret;
	ret = pinctl_budget_clear(cli->ctx, a.cgroup);
	if (ret)
		return fail_op(NULL, ret, &eo, a.cgroup);
	return EXIT_OK;
}

/* The dump, kept to be sorted: a budget and its own copy of the path. */
struct budget_row {
	struct pinctl_budget b;
	char *cgroup;
};

struct budget_rows {
	struct budget_row *v;
	size_t n, cap;
};

static int keep_budget(const struct pinctl_budget *b, void *data)
{
	struct budget_rows *rows = data;
	struct budget_row *grown;

	if (rows->n == rows->cap) {
		rows->cap = rows->cap ? 2 * rows->cap : 64;
		grown = realloc(rows->v, rows->cap * sizeof(*rows->v));
		if (!grown)
			return -ENOMEM;
		rows->v = grown;
	}
	rows->v[rows->n].b = *b;
	rows->v[rows->n].cgroup = strdup(b->cgroup);
	if (!rows->v[rows->n].cgroup)
		return -ENOMEM;
	rows->v[rows->n].b.cgroup = rows->v[rows->n].cgroup;
	rows->n++;
	return 0;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct budget_row *)a)->cgroup,
		      ((const struct budget_row *)b)->cgroup);
}

/* Budgeted ancestors of row @i among rows [0, @i): its depth in the tree. */
static unsigned int depth(const struct budget_rows *rows, size_t i)
{
	const char *p = rows->v[i].cgroup;
	unsigned int d = 0;
	size_t j, n;

	for (j = 0; j < i; j++) {
		n = strlen(rows->v[j].cgroup);
		if (!strcmp(rows->v[j].cgroup, "/") ||
		    (!strncmp(rows->v[j].cgroup, p, n) && p[n] == '/'))
			d++;
	}
	return d;
}

static int budget_show(struct pinctl_cli *cli, int argc, char **argv)
{
	PINCTL_OPTS(pinctl_err_opts, eo, .op = PINCTL_OP_BUDGET);
	struct budget_rows rows = { 0 };
	struct out *o;
	size_t i;
	int ret;

	ret = parse_args(NULL, 0, argc, argv, NULL, NULL, usage);
	if (ret != ARGS_GO_ON)
		return ret;
	ret = budgets_available(cli);
	if (ret)
		return ret;
	ret = pinctl_budget_dump(cli->ctx, keep_budget, &rows);
	if (ret) {
		ret = fail_op(NULL, ret, &eo, "listing budgets");
		goto out_free;
	}
	qsort(rows.v, rows.n, sizeof(*rows.v), by_path);
	o = out_new(cli, OUT_LIST);
	for (i = 0; i < rows.n; i++) {
		const struct pinctl_budget *b = &rows.v[i].b;
		unsigned int d = depth(&rows, i);
		char *tree = NULL;

		out_record_begin(o);
		/* For people, a tree: each under its budgeted ancestor. */
		if (cli->format == FMT_TEXT && d &&
		    asprintf(&tree, "%*s%s", 2 * (int)d, "", b->cgroup) < 0)
			tree = NULL;
		out_str(o, "cgroup", K_TEXT, tree ? tree : b->cgroup);
		free(tree);
		out_num(o, "depth", K_COUNT, d);
		out_num(o, "cgroup_id", K_ID, b->cgroup_id);
		out_num(o, "limit", K_BYTES, b->limit);
		out_num(o, "usage", K_BYTES, b->usage);
		out_num(o, "hits", K_COUNT, b->hits);
		out_str(o, "sufficient", K_WORD,
			b->flags & PINCTL_BUDGET_SUFFICIENT ? "yes" : "no");
		out_str(o, "removed", K_WORD, b->removed ? "yes" : "no");
		out_record_end(o);
	}
	ret = out_finish(o);
out_free:
	for (i = 0; i < rows.n; i++)
		free(rows.v[i].cgroup);
	free(rows.v);
	return ret;
}

static const struct cmd budget_cmds[] = {
	{ .name = "show", .fn = budget_show },
	{ .name = "set", .fn = budget_set },
	{ .name = "clear", .fn = budget_clear },
	{ .name = NULL, .fn = budget_show },
};

const struct object budget_object = { "budget", budget_cmds, usage, false };

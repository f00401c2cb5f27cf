// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinctl census [ processes | users | cgroups | machine ] [ all ]
 * pinctl top [ interval DURATION ] [ count N ] [ all ]
 *
 * Who pins how much on the machine, by interface (pinmgr leases, io_uring
 * buffers, RDMA memory regions, VmPin, VmLck), against the kernel's count
 * of outstanding FOLL_PIN pages: libpinctl's census, shown per process,
 * user or cgroup.
 * top is the same census, refreshed and sorted by what each process pins.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "pinctl.h"

static void usage(FILE *f)
{
	fputs("usage: pinctl census [ processes | users | cgroups | machine ] [ all ]\n"
	      "       pinctl top [ interval DURATION ] [ count N ] [ all ]\n"
	      "       pinctl census help\n"
	      "\n"
	      "Memory pinned and locked on the machine, per process, user or cgroup:\n"
	      "PINMGR by pinmgr leases, IO_URING by io_uring's registered buffers,\n"
	      "RDMA by RDMA memory regions (all FOLL_PIN pins), VM_PIN and VM_LCK\n"
	      "as the kernel charges them (/proc/PID/status). The machine's line\n"
	      "sets the outstanding FOLL_PIN pages of /proc/vmstat against what the\n"
	      "census attributes; the rest (VFIO, the kernel's own pins) is not\n"
	      "attributed. Users also show LOCKED_VM, what is charged to the user's\n"
	      "locked_vm (RLIMIT_MEMLOCK's count: pinmgr, io_uring, iommufd, BPF),\n"
	      "as the pinmgr module reports it (\"-\" where it cannot). Processes\n"
	      "whose files the caller may not read (other users', for anyone but\n"
	      "root) are only counted. With all, processes that pin nothing show\n"
	      "too. top refreshes every interval (default 2s) until interrupted or\n"
	      "COUNT refreshes; -P prints \"census machine\" only.\n", f);
}

struct census_args {
	bool all;
	uint64_t interval;
	uint64_t count;
};

static const struct kw census_kws[] = {
	KW("all", ARG_FLAG, struct census_args, all),
};

static const struct metric census_metrics[] = {
	{ "pinctl_census_pinned_bytes", "",
	  "Outstanding FOLL_PIN pins on the machine (vmstat).", false, NULL },
	{ "pinctl_census_attributed_bytes", "",
	  "FOLL_PIN pins the census attributes to an interface.", false, NULL },
	{ "pinctl_census_not_attributed_bytes", "",
	  "FOLL_PIN pins the census cannot attribute (VFIO, the kernel's own).",
	  false, NULL },
	{ "pinctl_census_user_pinned_bytes", "",
	  "Memory a user's processes pin through pinmgr, io_uring and RDMA.", false,
	  "uid" },
	{ "pinctl_census_user_locked_vm_bytes", "",
	  "Memory charged to a user's locked_vm (RLIMIT_MEMLOCK's count per user).",
	  false, "uid" },
};

static int take(struct pinctl_cli *cli, bool all, struct pinctl_census **c)
{
	int ret = pinctl_census_take(cli->ctx, all ? PINCTL_CENSUS_ALL : 0, c);

	if (ret)
		return fail("taking a census: %s", strerror(-ret));
	return EXIT_OK;
}

static void out_use(struct out *o, const struct pinctl_census_use *u,
		    uint64_t rdma)
{
	out_num(o, "pinmgr", K_BYTES, u->pinmgr);
	out_num(o, "io_uring", K_BYTES, u->io_uring);
	out_num(o, "rdma", K_BYTES, rdma);
	out_num(o, "vm_pin", K_BYTES, u->vm_pin);
	out_num(o, "vm_lck", K_BYTES, u->vm_lck);
}

static void out_proc(struct out *o, const struct pinctl_census_proc *p)
{
	out_record_begin(o);
	out_num(o, "pid", K_PID, p->pid);
	out_str(o, "comm", K_TEXT, p->comm);
	out_num(o, "uid", K_UID, p->uid);
	out_str(o, "cgroup", K_TEXT, p->cgroup);
	out_num(o, "leases", K_COUNT, p->leases);
	out_num(o, "io_uring_bufs", K_COUNT, p->io_uring_bufs);
	out_num(o, "rdma_mrs", K_COUNT, p->rdma_mrs);
	out_use(o, &p->use, p->rdma);
	out_record_end(o);
}

static int proc_record(const struct pinctl_census_proc *p, void *data)
{
	out_proc(data, p);
	return 0;
}

/* A group of processes: a user's (@by_user) or a cgroup's. */
struct group_out {
	struct out *o;
	bool by_user;
};

static int group_record(const struct pinctl_census_group *g, void *data)
{
	const struct group_out *go = data;

	out_record_begin(go->o);
	if (go->by_user)
		out_num(go->o, "uid", K_UID, g->uid);
	else
		out_str(go->o, "cgroup", K_TEXT, g->cgroup);
	out_num(go->o, "procs", K_COUNT, g->procs);
	out_use(go->o, &g->use, g->rdma);
	/* A user's whole charge, beside what its processes pin and lock. */
	if (go->by_user && g->has_locked_vm)
		out_num(go->o, "locked_vm", K_BYTES, g->locked_vm);
	else if (go->by_user)
		out_str(go->o, "locked_vm", K_WORD, "-");
	out_record_end(go->o);
	return 0;
}

static int user_sample(const struct pinctl_census_group *g, void *data)
{
	char uid[16];

	snprintf(uid, sizeof(uid), "%u", g->uid);
	out_metric_labelled(data, "user_pinned", K_BYTES,
			    g->use.pinmgr + g->use.io_uring + g->rdma,
			    &census_metrics[3], uid);
	if (g->has_locked_vm)
		out_metric_labelled(data, "user_locked_vm", K_BYTES,
				    g->locked_vm, &census_metrics[4], uid);
	return 0;
}

/* The machine's line; with -P, each user's pins as labelled samples. */
static int machine_record(struct pinctl_cli *cli, struct out *o,
			  const struct pinctl_census *c)
{
	PINCTL_OPTS(pinctl_census_machine, m);
	int ret;

	ret = pinctl_census_machine(c, &m);
	if (ret)
		return ret;
	out_record_begin(o);
	out_metric(o, "pinned", K_BYTES, m.pinned, &census_metrics[0]);
	out_metric(o, "attributed", K_BYTES, m.attributed, &census_metrics[1]);
	out_metric(o, "not_attributed", K_BYTES, m.not_attributed,
		   &census_metrics[2]);
	if (cli->format == FMT_PROMETHEUS) {
		ret = pinctl_census_groups(c, PINCTL_CENSUS_BY_USER,
					   user_sample, o);
		out_record_end(o);
		return ret;
	}
	out_num(o, "pinmgr_unowned", K_BYTES, m.pinmgr_unowned);
	out_use(o, &m.use, m.rdma);
	out_num(o, "procs", K_COUNT, m.procs);
	out_num(o, "hidden", K_COUNT, m.hidden);
	out_num(o, "rings_unlisted", K_COUNT, m.rings_unlisted);
	out_record_end(o);
	return 0;
}

/* The machine's record, printed: EXIT_OK, EXIT_ERR or a negative errno. */
static int machine_print(struct pinctl_cli *cli, const struct pinctl_census *c)
{
	struct out *o = out_new(cli, OUT_RECORD);
	int ret = machine_record(cli, o, c);

	if (ret) {
		out_discard(o);
		return ret;
	}
	return out_finish(o);
}

/*
 * One view of a fresh census. The default, for people, is the machine's
 * block and then the processes; programs get one document per command.
 */
static int census_view(struct pinctl_cli *cli, int argc, char **argv,
		       const char *view)
{
	struct census_args a = { 0 };
	struct pinctl_census *c;
	struct group_out go;
	struct out *o;
	int ret;

	ret = parse_args(census_kws, ARRAY_SIZE(census_kws), argc, argv, &a,
			 NULL, usage);
	if (ret != ARGS_GO_ON)
		return ret;
	ret = take(cli, a.all, &c);
	if (ret)
		return ret;
	if (!strcmp(view, "machine") ||
	    (!strcmp(view, "") && cli->format == FMT_TEXT)) {
		ret = machine_print(cli, c);
		if (ret < 0)
			goto out_fail;
		if (ret || view[0])
			goto out_unref;
		putchar('\n');
	}
	o = out_new(cli, OUT_LIST);
	go = (struct group_out){ .o = o, .by_user = !strcmp(view, "users") };
	if (go.by_user || !strcmp(view, "cgroups"))
		ret = pinctl_census_groups(c, go.by_user ?
					   PINCTL_CENSUS_BY_USER :
					   PINCTL_CENSUS_BY_CGROUP,
					   group_record, &go);
	else
		ret = pinctl_census_procs(c, proc_record, o);
	if (ret) {
		out_discard(o);
		goto out_fail;
	}
	ret = out_finish(o);
out_unref:
	pinctl_census_unref(c);
	return ret;

out_fail:
	pinctl_census_unref(c);
	return fail("reading the census: %s", strerror(-ret));
}

static int census_default(struct pinctl_cli *cli, int argc, char **argv)
{
	return census_view(cli, argc, argv, "");
}

static int census_processes(struct pinctl_cli *cli, int argc, char **argv)
{
	return census_view(cli, argc, argv, "processes");
}

static int census_users(struct pinctl_cli *cli, int argc, char **argv)
{
	return census_view(cli, argc, argv, "users");
}

static int census_cgroups(struct pinctl_cli *cli, int argc, char **argv)
{
	return census_view(cli, argc, argv, "cgroups");
}

static int census_machine(struct pinctl_cli *cli, int argc, char **argv)
{
	return census_view(cli, argc, argv, "machine");
}

static const struct cmd census_cmds[] = {
	{ .name = "processes", .fn = census_processes },
	{ .name = "users", .fn = census_users },
	{ .name = "cgroups", .fn = census_cgroups },
	{ .name = "machine", .fn = census_machine, .prometheus = true },
	{ .name = NULL, .fn = census_default },
};

const struct object census_object = { "census", census_cmds, usage, true };

/* ---- top ---------------------------------------------------------------- */

/* The census's processes, their strings copied (valid in a callback only). */
struct top_list {
	struct pinctl_census_proc *v;
	size_t nr, cap;
};

static void top_list_free(struct top_list *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++) {
		free((char *)l->v[i].comm);
		free((char *)l->v[i].cgroup);
	}
	free(l->v);
}

static int top_collect(const struct pinctl_census_proc *p, void *data)
{
	struct top_list *l = data;
	struct pinctl_census_proc *grown, *t;

	if (l->nr == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		grown = realloc(l->v, l->cap * sizeof(*l->v));
		if (!grown)
			return -ENOMEM;
		l->v = grown;
	}
	t = &l->v[l->nr];
	*t = *p;
	t->comm = strdup(p->comm);
	t->cgroup = strdup(p->cgroup);
	if (!t->comm || !t->cgroup) {
		free((char *)t->comm);
		free((char *)t->cgroup);
		return -ENOMEM;
	}
	l->nr++;
	return 0;
}

static uint64_t top_key(const struct pinctl_census_proc *t)
{
	return t->use.pinmgr + t->use.io_uring + t->rdma;
}

/* Most pinned first, then most locked, then by pid. */
static int top_cmp(const void *a, const void *b)
{
	const struct pinctl_census_proc *x = a, *y = b;

	if (top_key(x) != top_key(y))
		return top_key(x) < top_key(y) ? 1 : -1;
	if (x->use.vm_lck != y->use.vm_lck)
		return x->use.vm_lck < y->use.vm_lck ? 1 : -1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Rows of the terminal left for processes; all of them off a terminal. */
static size_t top_rows(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) || ws.ws_row < 12)
		return SIZE_MAX;
	return ws.ws_row - 11u;
}

static int top_once(struct pinctl_cli *cli, bool all, bool tty)
{
	struct top_list l = { 0 };
	struct pinctl_census *c;
	size_t i, rows;
	struct out *o;
	int ret;

	ret = take(cli, all, &c);
	if (ret)
		return ret;
	ret = pinctl_census_procs(c, top_collect, &l);
	if (ret)
		goto out_fail;
	qsort(l.v, l.nr, sizeof(*l.v), top_cmp);
	/* Home and clear: a plain terminal, no curses. */
	if (tty)
		fputs("\033[H\033[2J", stdout);
	ret = machine_print(cli, c);
	if (ret < 0)
		goto out_fail;
	if (ret)
		goto out_free;
	putchar('\n');
	rows = tty ? top_rows() : SIZE_MAX;
	o = out_new(cli, OUT_LIST);
	for (i = 0; i < l.nr && i < rows; i++)
		out_proc(o, &l.v[i]);
	ret = out_finish(o);
	fflush(stdout);
out_free:
	top_list_free(&l);
	pinctl_census_unref(c);
	return ret;

out_fail:
	top_list_free(&l);
	pinctl_census_unref(c);
	return fail("reading the census: %s", strerror(-ret));
}

static int top_run(struct pinctl_cli *cli, int argc, char **argv)
{
	static const struct kw kws[] = {
		KW("interval", ARG_DURATION, struct census_args, interval,
		   .nonzero = true, .what = "interval"),
		KW("count", ARG_ID, struct census_args, count, .nonzero = true),
		KW("all", ARG_FLAG, struct census_args, all),
	};
	static const int sigs[] = { SIGINT, SIGTERM };
	struct census_args a = { .interval = 2000000000ULL };
	bool tty = isatty(STDOUT_FILENO) && cli->format == FMT_TEXT;
	sigset_t wait_mask;
	uint64_t n;
	int ret;

	ret = parse_args(kws, ARRAY_SIZE(kws), argc, argv, &a, NULL, usage);
	if (ret != ARGS_GO_ON)
		return ret;
	hold_signals(sigs, ARRAY_SIZE(sigs), &wait_mask);
	for (n = 0;;) {
		struct timespec ts = {
			.tv_sec = (time_t)(a.interval / 1000000000ULL),
			.tv_nsec = (long)(a.interval % 1000000000ULL),
		};

		ret = top_once(cli, a.all, tty);
		if (ret || (a.count && ++n >= a.count))
			return ret;
		if (!tty)
			putchar('\n');
		if (ppoll(NULL, 0, &ts, &wait_mask) < 0 && errno == EINTR)
			return EXIT_OK;	/* SIGINT or SIGTERM: the orderly end */
	}
}

static const struct cmd top_cmds[] = {
	{ .name = NULL, .fn = top_run },
};

const struct object top_object = { "top", top_cmds, usage, true };

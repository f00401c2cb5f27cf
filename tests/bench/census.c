// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinmgr-bench: how long libpinctl's census of the machine's pins takes
 * on a machine of many processes. A census reads /proc: for each process
 * its fd directory (looking for io_uring rings) and its status, so its
 * cost grows with the processes. The bench times pinctl_census_take() and
 * pinctl_census_unref() with only the guest's own processes, then with
 * 10,000 more (quick: 250) that block on a pipe.
 *
 * The extra processes are made by a helper process that has closed every
 * file but the pipe, with clone(CLONE_VM): they share its memory, so that
 * 10,000 of them cost no page tables and fit a small guest. Each is a
 * process of its own in /proc, with its own table of one open file: the
 * census reads of it what it reads of any. Closing the pipe's write end
 * ends them all; the helper reaps them, and the bench is their subreaper
 * should the helper die first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpinctl.h>

#include "bench.h"

/* Enough for clone()'s frame, read() and _exit(); one page is touched. */
#define CHILD_STACK	(16 * KIB)

/* What the helper tells the bench once it has made the processes. */
struct helper_report {
	unsigned int made;
	int err;		/* why no more: -errno of clone(), or 0 */
};

static int fail(struct census_result *r, int err, const char *what)
{
	r->err = err;
	snprintf(r->why, WHY_LEN, "%s: %s", what, strerror(-err));
	return err;
}

struct child_args {
	int wait_fd;		/* read end of the pipe: EOF ends the child */
	int report_fd;		/* the helper's, closed by every child */
};

/* On the helper's memory and a stack slot of its own: close, read, exit. */
static int child_main(void *arg)
{
	const struct child_args *a = arg;
	char c;

	close(a->report_fd);
	while (read(a->wait_fd, &c, 1) < 0 && errno == EINTR)
		;
	return 0;
}

/* Closes every file but @a and @b (a < b). */
static void close_all_but(int a, int b)
{
	if (a > 0)
		close_range(0, a - 1, 0);
	if (b > a + 1)
		close_range(a + 1, b - 1, 0);
	close_range(b + 1, ~0U, 0);
}

static void __attribute__((noreturn))
helper_main(unsigned int n, int wait_fd, int report_fd, pid_t bench)
{
	struct helper_report rep = { 0 };
	struct child_args args = { .wait_fd = wait_fd, .report_fd = report_fd };
	char *stacks;
	pid_t pid;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != bench)
		_exit(1);
	close_all_but(wait_fd < report_fd ? wait_fd : report_fd,
		      wait_fd < report_fd ? report_fd : wait_fd);
	stacks = mmap(NULL, (size_t)n * CHILD_STACK, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK,
		      -1, 0);
	if (stacks == MAP_FAILED) {
		rep.err = -errno;
		n = 0;
	}
	for (; rep.made < n; rep.made++) {
		pid = clone(child_main, stacks + (size_t)(rep.made + 1) * CHILD_STACK,
			    CLONE_VM | SIGCHLD, &args);
		if (pid < 0) {
			rep.err = -errno;
			break;
		}
	}
	/* If this fails, the bench reads EOF and ends us all. */
	(void)!write(report_fd, &rep, sizeof(rep));
	close(report_fd);
	/* They end when the bench closes the pipe's write end. */
	while (waitpid(-1, NULL, __WALL) > 0 || errno == EINTR)
		;
	_exit(0);
}

/* MemAvailable of /proc/meminfo, in kB; -1 if unknown. */
static long mem_available_kb(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[128];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* One census, taken and freed; its machine line in @m. */
static int census_once(struct pinctl_ctx *ctx, int64_t *ns,
		       struct pinctl_census_machine *m)
{
	struct pinctl_census *c = NULL;
	int64_t t0 = now_ns(), t1;
	int ret;

	ret = pinctl_census_take(ctx, 0, &c);
	if (!ret) {
		m->sz = sizeof(*m);
		ret = pinctl_census_machine(c, m);
	}
	pinctl_census_unref(c);
	t1 = now_ns();
	*ns = t1 - t0;
	return ret;
}

/* @n censuses after an untimed one; their times in @st. */
static int census_times(struct pinctl_ctx *ctx, unsigned int n,
			struct stats *st, int64_t *first,
			struct pinctl_census_machine *m)
{
	double v[16];
	int64_t ns;
	unsigned int i;
	int ret;

	if (n > 16)
		n = 16;
	ret = census_once(ctx, &ns, m);
	if (first)
		*first = ns;
	for (i = 0; !ret && i < n; i++) {
		ret = census_once(ctx, &ns, m);
		v[i] = (double)ns;
	}
	if (!ret)
		stats_compute(st, v, n);
	return ret;
}

/* The extra processes: their helper, and the pipe's end that keeps them. */
struct crowd {
	pid_t helper;
	int keep_fd;		/* write end: closing it ends them all */
	struct helper_report rep;
	int64_t start_ns;	/* fork of the helper to its report */
};

static int crowd_start(struct crowd *cw, unsigned int n,
		       struct census_result *r)
{
	pid_t bench = getpid();
	int wp[2], rp[2];
	int64_t t0;
	ssize_t got;

	cw->helper = -1;
	cw->keep_fd = -1;
	if (pipe2(wp, O_CLOEXEC))
		return fail(r, -errno, "pipe2");
	if (pipe2(rp, O_CLOEXEC)) {
		fail(r, -errno, "pipe2");
		close(wp[0]);
		close(wp[1]);
		return r->err;
	}
	/* Orphans of a helper that died come to us, to be reaped. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	t0 = now_ns();
	cw->helper = fork();
	if (cw->helper == 0)
		helper_main(n, wp[0], rp[1], bench);
	close(wp[0]);
	close(rp[1]);
	cw->keep_fd = wp[1];
	if (cw->helper < 0) {
		close(rp[0]);
		return fail(r, -errno, "fork");
	}
	do
		got = read(rp[0], &cw->rep, sizeof(cw->rep));
	while (got < 0 && errno == EINTR);
	close(rp[0]);
	cw->start_ns = now_ns() - t0;
	if (got != sizeof(cw->rep))
		return fail(r, -ECHILD, "the helper making the processes");
	return 0;
}

/* Ends and reaps every process of @cw, on any path; how long it took. */
static int64_t crowd_end(struct crowd *cw)
{
	int64_t t0 = now_ns();

	if (cw->keep_fd >= 0)
		close(cw->keep_fd);	/* EOF: every child returns */
	if (cw->helper > 0)
		while (waitpid(cw->helper, NULL, 0) < 0 && errno == EINTR)
			;
	/* the bench forks nothing else: any child left is the helper's */
	while (waitpid(-1, NULL, __WALL) > 0 || errno == EINTR)
		;
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	return now_ns() - t0;
}

void run_census(const struct options *o, struct census_result *r)
{
	struct pinctl_census_machine m;
	struct pinctl_ctx *ctx;
	struct crowd cw;
	long avail;
	int ret;

	memset(r, 0, sizeof(*r));
	r->measured = true;
	r->wanted = o->census_procs;
	fprintf(stderr, "pinmgr-bench: a census with %u more processes\n",
		r->wanted);
	ret = pinctl_new(NULL, &ctx);
	if (ret) {
		fail(r, ret, "pinctl_new");
		return;
	}
	ret = census_times(ctx, o->census_repeats, &r->base, NULL, &m);
	if (ret) {
		fail(r, ret, "pinctl_census_take");
		goto out_ctx;
	}
	r->base_procs = m.procs;

	avail = mem_available_kb();
	if (crowd_start(&cw, r->wanted, r))
		goto out_end;
	/* what the guest gave them, mostly the kernel's: tasks and stacks */
	if (avail > 0 && cw.rep.made && mem_available_kb() > 0)
		r->mem_kb = avail - mem_available_kb();
	r->made = cw.rep.made;
	r->fork_err = cw.rep.err;
	r->fork_ns = cw.start_ns;
	if (!r->made) {
		fail(r, cw.rep.err ?: -EAGAIN, "clone of the first process");
		goto out_end;
	}
	fprintf(stderr, "pinmgr-bench: %u processes made in %.1f s\n", r->made,
		r->fork_ns / 1e9);
	ret = census_times(ctx, o->census_repeats, &r->st, &r->first_ns, &m);
	if (ret) {
		fail(r, ret, "pinctl_census_take");
		goto out_end;
	}
	r->procs = m.procs;
	r->hidden = m.hidden;
	r->verified = m.procs >= r->made && !m.hidden;
out_end:
	r->end_ns = crowd_end(&cw);
out_ctx:
	pinctl_unref(ctx);
}

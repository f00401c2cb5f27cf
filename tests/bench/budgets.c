// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinmgr-bench: what cgroup budgets cost a pin. PIN+UNPIN of one 4 KiB
 * page by a process in a cgroup three levels below the root, with a
 * budget on each of the three levels and with none, in alternating
 * rounds. With budgets, each PIN walks the three cgroups, charges each
 * budget and keeps them for its UNPIN; without any, it reads that there
 * are none. The innermost budget is one page: a pin of two must fail, or
 * the budgets would not be what was measured.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/pinmgr.h>
#include <linux/pinmgr_netlink.h>

#include "bench.h"

#define CG_ROOT		"/sys/fs/cgroup"
#define CG_LEVELS	3

/* The three levels, outermost first, from the hierarchy's root. */
static const char *const levels[CG_LEVELS] = {
	"/pmb-budget", "/pmb-budget/b", "/pmb-budget/b/c",
};

static int fail(struct budgets_result *r, int err, const char *what)
{
	r->err = err;
	snprintf(r->why, WHY_LEN, "%s: %s", what, strerror(-err));
	return err;
}

/* budget-set (@limit set) or budget-clear of @cgroup; 0 or -errno. */
static int budget_request(struct nl_sock *sk, int family, const char *cgroup,
			  const uint64_t *limit)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nlattr *nest;
	int ret = -ENOMEM;

	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
			 NLM_F_REQUEST | NLM_F_ACK,
			 limit ? PINMGR_NL_CMD_BUDGET_SET :
				 PINMGR_NL_CMD_BUDGET_CLEAR,
			 PINMGR_FAMILY_VERSION))
		goto out;
	nest = nla_nest_start(msg, PINMGR_A_BUDGET);
	if (!nest || nla_put_string(msg, PINMGR_A_BUDGET_CGROUP, cgroup) ||
	    (limit && nla_put_u64(msg, PINMGR_A_BUDGET_LIMIT, *limit)))
		goto out;
	nla_nest_end(msg, nest);
	ret = nl_send_auto(sk, msg);
	if (ret >= 0)
		ret = nl_wait_for_ack(sk);
	/* libnl's codes: what the bench reports is that it failed, and where. */
	if (ret < 0)
		ret = ret == -NLE_PERM ? -EPERM :
		      ret == -NLE_OBJ_NOTFOUND ? -ENOENT : -EIO;
out:
	nlmsg_free(msg);
	return ret < 0 ? ret : 0;
}

/* Budgets on all three levels: the outer two roomy, the innermost one page. */
static int budgets_set(struct nl_sock *sk, int family)
{
	uint64_t limit;
	int i, ret;

	for (i = 0; i < CG_LEVELS; i++) {
		limit = i == CG_LEVELS - 1 ? BASE_PAGE : GIB;
		ret = budget_request(sk, family, levels[i], &limit);
		if (ret)
			return ret;
	}
	return 0;
}

static void budgets_clear(struct nl_sock *sk, int family)
{
	int i;

	for (i = CG_LEVELS - 1; i >= 0; i--)
		budget_request(sk, family, levels[i], NULL);
}

/* Move this process into @cgroup (a path from the root). */
static int cgroup_enter(const char *cgroup)
{
	char path[512];
	int fd, ret = 0;

	snprintf(path, sizeof(path), CG_ROOT "%s/cgroup.procs", cgroup);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, "0", 1) != 1)
		ret = -errno;
	close(fd);
	return ret;
}

/* This process's cgroup v2 path, to go back to. */
static int cgroup_own(char *buf, size_t size)
{
	char line[512];
	FILE *f = fopen("/proc/self/cgroup", "re");
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (ret && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(buf, size, "%s", line + 3);
		ret = 0;
	}
	fclose(f);
	return ret;
}

static void cgroups_remove(void)
{
	char path[512];
	int i;

	for (i = CG_LEVELS - 1; i >= 0; i--) {
		snprintf(path, sizeof(path), CG_ROOT "%s", levels[i]);
		rmdir(path);
	}
}

static int cgroups_make(void)
{
	char path[512];
	int i;

	cgroups_remove();
	for (i = 0; i < CG_LEVELS; i++) {
		snprintf(path, sizeof(path), CG_ROOT "%s", levels[i]);
		if (mkdir(path, 0755))
			return -errno;
	}
	return 0;
}

/* A pin of two pages must meet the one-page budget: 0 if it does. */
static int budgets_bind(struct bench_env *env, const struct region *two)
{
	uint64_t h;
	int ret = pinmgr_pin(env->pinmgr_fd, two->addr, 2 * BASE_PAGE,
			     PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM, &h);

	if (!ret) {
		pinmgr_unpin(env->pinmgr_fd, h);
		return -EINVAL;
	}
	return ret == -EXFULL ? 0 : ret;
}

void run_budgets(struct bench_env *env, const struct options *o,
		 struct budgets_result *r)
{
	const struct iface *pm = iface_find(PINMGR_IFACE_ID);
	double ratio[MAX_ROUNDS];
	struct region page, two;
	struct nl_sock *sk;
	char own[512];
	unsigned int i, n;
	int family, ret;

	memset(r, 0, sizeof(*r));
	r->measured = true;
	n = o->budget_rounds < MAX_ROUNDS ? o->budget_rounds : MAX_ROUNDS;
	fprintf(stderr, "pinmgr-bench: PIN+UNPIN with cgroup budgets\n");
	if (access(CG_ROOT "/cgroup.controllers", F_OK)) {
		fail(r, -EOPNOTSUPP, "cgroup2 is not mounted at " CG_ROOT);
		return;
	}
	sk = nl_socket_alloc();
	if (!sk) {
		fail(r, -ENOMEM, "nl_socket_alloc");
		return;
	}
	if (genl_connect(sk) ||
	    (family = genl_ctrl_resolve(sk, PINMGR_FAMILY_NAME)) < 0) {
		fail(r, -ENOENT, "the pinmgr netlink family");
		goto out_sock;
	}
	if (region_map(&page, BACKING_4K, BASE_PAGE)) {
		fail(r, -ENOMEM, "mmap");
		goto out_sock;
	}
	if (region_map(&two, BACKING_4K, 2 * BASE_PAGE)) {
		fail(r, -ENOMEM, "mmap");
		goto out_page;
	}
	ret = cgroup_own(own, sizeof(own));
	if (ret) {
		fail(r, ret, "/proc/self/cgroup");
		goto out_two;
	}
	ret = cgroups_make();
	if (ret) {
		fail(r, ret, "mkdir " CG_ROOT "/pmb-budget/b/c");
		goto out_cgroups;
	}
	ret = cgroup_enter(levels[CG_LEVELS - 1]);
	if (ret) {
		fail(r, ret, "entering " CG_ROOT "/pmb-budget/b/c");
		goto out_cgroups;
	}
	/* Alternate, so that a busy spell of the host hits both sides. */
	for (i = 0; i < n; i++) {
		ret = budgets_set(sk, family);
		if (ret) {
			fail(r, ret, "budget-set");
			goto out_leave;
		}
		ret = budgets_bind(env, &two);
		if (ret) {
			fail(r, ret, "a pin over the one-page budget was not refused");
			goto out_leave;
		}
		measure(env, pm, &page, &o->budget, &r->with[i]);
		budgets_clear(sk, family);
		measure(env, pm, &page, &o->budget, &r->without[i]);
		if (r->with[i].err || r->without[i].err) {
			r->err = r->with[i].err ?: r->without[i].err;
			snprintf(r->why, WHY_LEN, "%s", r->with[i].err ?
				 r->with[i].why : r->without[i].why);
			goto out_leave;
		}
		ratio[i] = r->with[i].st.median / r->without[i].st.median;
		r->rounds++;
	}
	rounds_figure(r->with, n, &r->f_with);
	rounds_figure(r->without, n, &r->f_without);
	stats_compute(&r->ratio, ratio, n);
out_leave:
	budgets_clear(sk, family);
	cgroup_enter(own);
out_cgroups:
	cgroups_remove();
out_two:
	region_unmap(&two);
out_page:
	region_unmap(&page);
out_sock:
	nl_socket_free(sk);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinctl census and pinctl top against a machine set up with known pins:
 * the keys of each view in -j, the figures of this process and of another
 * user's, the users and cgroups summed from the processes, the machine's
 * record against /proc/vmstat, the text layout, Prometheus, top's
 * refreshes and their order, and the words refused.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <liburing.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/uio.h>

#include "census_scene.h"
#include "clitest.h"

#define KID_UID		1234
#define KID_PAGES	64
#define SELF_PAGES	16
#define LOCK_PAGES	3
#define KID_CG		"pmt-cli-census"

static const char *const proc_keys[] = {
	"pid", "comm", "uid", "cgroup", "leases", "io_uring_bufs", "rdma_mrs",
	"pinmgr", "io_uring", "rdma", "vm_pin", "vm_lck",
};

static const char *const user_keys[] = {
	"uid", "procs", "pinmgr", "io_uring", "rdma", "vm_pin", "vm_lck",
	"locked_vm",
};

static const char *const cgroup_keys[] = {
	"cgroup", "procs", "pinmgr", "io_uring", "rdma", "vm_pin", "vm_lck",
};

static const char *const machine_keys[] = {
	"pinned", "attributed", "not_attributed", "pinmgr_unowned",
	"pinmgr", "io_uring", "rdma", "vm_pin", "vm_lck", "procs", "hidden",
	"rings_unlisted",
};

/* What a test sets up: see scene_start(). */
struct scene {
	struct pinctl_ctx *ctx;
	struct pinctl_dev *dev;
	struct io_uring ring;
	char *lock;
	pid_t kid;
	int hold;
	bool cg;
};

static void assert_usage_error(const struct run *r)
{
	ASSERT_EQ(r->status, 2);
	ASSERT_EQ(strncmp(r->err, "pinctl: ", 8), 0);
	ASSERT_CONTAINS(r->err, "usage: pinctl");
	ASSERT_EQ(r->out[0], '\0');
}

/*
 * Another user's process (KID_UID) with a lease of KID_PAGES, in a cgroup
 * of its own where there is cgroup v2; and this process, named @comm, with
 * a lease of SELF_PAGES, an io_uring ring whose two buffers span
 * RING_PAGES, and LOCK_PAGES mlock()ed. Skips without io_uring.
 */
static void scene_start(struct scene *s, const char *comm)
{
	size_t page = pm_page_size();
	uint64_t h;

	NEED_NETLINK();
	memset(s, 0, sizeof(*s));
	cs_need_io_uring();
	ASSERT_EQ(prctl(PR_SET_NAME, comm), 0);
	s->cg = cs_have_cgroup2();
	if (s->cg)
		pm_cgroup_make(KID_CG);
	/* Forked first, so that it shares neither device file nor ring. */
	s->kid = cs_start_pinner(KID_UID, "pmt-cli-kid", s->cg ? KID_CG : NULL,
				 KID_PAGES, &s->hold);
	s->ctx = lt_ctx();
	s->dev = lt_dev(s->ctx);
	ASSERT_RET(pinctl_pin(s->dev, pm_map_anon(SELF_PAGES * page),
			      SELF_PAGES * page, NULL, &h), 0);
	cs_ring_start(&s->ring);
	s->lock = pm_map_anon(LOCK_PAGES * page);
	ASSERT_EQ(mlock(s->lock, LOCK_PAGES * page), 0);
	/* Exact vmstat for whatever pinctl reads next. */
	pm_vmstat_refresh();
}

static void scene_end(struct scene *s)
{
	ASSERT_RET(io_uring_unregister_buffers(&s->ring), 0);
	io_uring_queue_exit(&s->ring);
	ASSERT_EQ(munlock(s->lock, LOCK_PAGES * pm_page_size()), 0);
	pinctl_dev_unref(s->dev);
	pinctl_unref(s->ctx);
	cs_end_pinner(s->kid, s->hold);
	if (s->cg)
		pm_cgroup_remove(KID_CG);
}

/* The record of @a whose @key is the number @v, or NULL. */
static json_object *find_num(json_object *a, const char *key, uint64_t v)
{
	size_t i;

	for (i = 0; i < json_object_array_length(a); i++)
		if (ju64(json_object_array_get_idx(a, i), key) == v)
			return json_object_array_get_idx(a, i);
	return NULL;
}

/* The record of @a whose @key is the string @v, or NULL. */
static json_object *find_str(json_object *a, const char *key, const char *v)
{
	size_t i;

	for (i = 0; i < json_object_array_length(a); i++)
		if (!strcmp(jstr(json_object_array_get_idx(a, i), key), v))
			return json_object_array_get_idx(a, i);
	return NULL;
}

static bool nothing_used(json_object *o)
{
	return !ju64(o, "pinmgr") && !ju64(o, "io_uring") &&
	       !ju64(o, "rdma") && !ju64(o, "vm_pin") && !ju64(o, "vm_lck");
}

/* @a is a JSON array of records with exactly @keys; asserts. */
static void assert_list(json_object *a, const char *const *keys, size_t n)
{
	size_t i;

	ASSERT_TRUE(json_object_is_type(a, json_type_array));
	for (i = 0; i < json_object_array_length(a); i++)
		assert_keys(json_object_array_get_idx(a, i), keys, n);
}

/*
 * census (processes by default) in -j: this process and the kid with
 * what they pin, each figure from its own source; only processes that
 * pin or lock something unless "all".
 */
TEST_TIMEOUT(cli_census_processes, 120)
{
	size_t page = pm_page_size(), i, hlen;
	char arg[32], cg[512];
	const char *table;
	json_object *a, *o;
	struct scene s;
	struct run r;

	scene_start(&s, "pmt-cli-census");
	PINCTL(&r, "-j", "census");
	ASSERT_EQ(r.status, 0);
	a = json_parse(r.out);
	assert_list(a, proc_keys, ARRAY_SIZE(proc_keys));
	for (i = 0; i < json_object_array_length(a); i++)
		ASSERT_FALSE(nothing_used(json_object_array_get_idx(a, i)));
	/* pinctl itself pins nothing: not listed. */
	ASSERT_EQ(find_str(a, "comm", "pinctl"), NULL);

	o = find_num(a, "pid", (uint64_t)getpid());
	ASSERT_NE(o, NULL);
	ASSERT_STREQ(jstr(o, "comm"), "pmt-cli-census");
	ASSERT_EQ(ju64(o, "uid"), 0);
	cs_cgroup_of(getpid(), cg, sizeof(cg));
	ASSERT_STREQ(jstr(o, "cgroup"), cg);
	ASSERT_EQ(ju64(o, "leases"), 1);
	ASSERT_EQ(ju64(o, "io_uring_bufs"), 2);
	ASSERT_EQ(ju64(o, "pinmgr"), SELF_PAGES * page);
	ASSERT_EQ(ju64(o, "io_uring"), RING_PAGES * page);
	ASSERT_EQ(ju64(o, "vm_pin"), cs_status_bytes(getpid(), "VmPin:"));
	ASSERT_EQ(ju64(o, "vm_lck"), cs_status_bytes(getpid(), "VmLck:"));
	ASSERT_GE(ju64(o, "vm_lck"), LOCK_PAGES * page);

	o = find_num(a, "pid", (uint64_t)s.kid);
	ASSERT_NE(o, NULL);
	ASSERT_STREQ(jstr(o, "comm"), "pmt-cli-kid");
	ASSERT_EQ(ju64(o, "uid"), KID_UID);
	cs_cgroup_of(s.kid, cg, sizeof(cg));
	ASSERT_STREQ(jstr(o, "cgroup"), cg);
	if (s.cg)
		ASSERT_STREQ(cg, "/" KID_CG);
	ASSERT_EQ(ju64(o, "leases"), 1);
	ASSERT_EQ(ju64(o, "io_uring_bufs"), 0);
	ASSERT_EQ(ju64(o, "pinmgr"), KID_PAGES * page);
	ASSERT_EQ(ju64(o, "io_uring"), 0);
	ASSERT_EQ(ju64(o, "vm_pin"), cs_status_bytes(s.kid, "VmPin:"));
	ASSERT_EQ(ju64(o, "vm_lck"), cs_status_bytes(s.kid, "VmLck:"));
	json_object_put(a);

	/* The word, shortened too, says the same. */
	PINCTL(&r, "-j", "census", "proc");
	ASSERT_EQ(r.status, 0);
	a = json_parse(r.out);
	assert_list(a, proc_keys, ARRAY_SIZE(proc_keys));
	o = find_num(a, "pid", (uint64_t)getpid());
	ASSERT_NE(o, NULL);
	ASSERT_EQ(ju64(o, "io_uring"), RING_PAGES * page);
	json_object_put(a);

	/* all: also what pins nothing, pinctl and init among them. */
	PINCTL(&r, "-j", "census", "all");
	ASSERT_EQ(r.status, 0);
	a = json_parse(r.out);
	assert_list(a, proc_keys, ARRAY_SIZE(proc_keys));
	o = find_str(a, "comm", "pinctl");
	ASSERT_NE(o, NULL);
	ASSERT_EQ(ju64(o, "leases"), 0);
	ASSERT_EQ(ju64(o, "pinmgr"), 0);
	ASSERT_EQ(ju64(o, "io_uring"), 0);
	ASSERT_NE(find_num(a, "pid", 1), NULL);
	ASSERT_NE(find_num(a, "pid", (uint64_t)getpid()), NULL);
	ASSERT_NE(find_num(a, "pid", (uint64_t)s.kid), NULL);
	json_object_put(a);
	PINCTL(&r, "-j", "census", "processes", "all");
	ASSERT_EQ(r.status, 0);
	a = json_parse(r.out);
	ASSERT_NE(find_str(a, "comm", "pinctl"), NULL);
	json_object_put(a);

	/* For people: the machine's block, a blank line, the processes. */
	PINCTL(&r, "census");
	ASSERT_EQ(r.status, 0);
	ASSERT_EQ(strncmp(r.out, "pinned ", 7), 0);
	ASSERT_CONTAINS(r.out, "\nattributed ");
	ASSERT_CONTAINS(r.out, "\nnot_attributed ");
	table = strstr(r.out, "\n\n");
	ASSERT_NE(table, NULL);
	table += 2;
	hlen = strcspn(table, "\n");
	ASSERT_TRUE(memmem(table, hlen, "PID", 3) != NULL);
	ASSERT_TRUE(memmem(table, hlen, "COMM", 4) != NULL);
	ASSERT_TRUE(memmem(table, hlen, "IO_URING", 8) != NULL);
	/* This process's row: its pid, then its name. */
	snprintf(arg, sizeof(arg), "%d  pmt-cli-census ", getpid());
	ASSERT_CONTAINS(table, arg);
	scene_end(&s);
}

/* census users and cgroups: the processes summed per uid and per path. */
TEST_TIMEOUT(cli_census_groups, 120)
{
	size_t page = pm_page_size(), i;
	json_object *procs, *a, *o;
	uint64_t sum[4] = { 0 }, n = 0;
	char cg[512];
	struct scene s;
	struct run r;

	scene_start(&s, "pmt-cli-census");
	PINCTL(&r, "-j", "census");
	ASSERT_EQ(r.status, 0);
	procs = json_parse(r.out);
	for (i = 0; i < json_object_array_length(procs); i++) {
		o = json_object_array_get_idx(procs, i);
		if (ju64(o, "uid"))
			continue;
		n++;
		sum[0] += ju64(o, "pinmgr");
		sum[1] += ju64(o, "io_uring");
		sum[2] += ju64(o, "vm_pin");
		sum[3] += ju64(o, "vm_lck");
	}

	PINCTL(&r, "-j", "census", "users");
	ASSERT_EQ(r.status, 0);
	a = json_parse(r.out);
	assert_list(a, user_keys, ARRAY_SIZE(user_keys));
	for (i = 1; i < json_object_array_length(a); i++)
		ASSERT_LT(ju64(json_object_array_get_idx(a, i - 1), "uid"),
			  ju64(json_object_array_get_idx(a, i), "uid"));
	o = find_num(a, "uid", KID_UID);
	ASSERT_NE(o, NULL);
	ASSERT_EQ(ju64(o, "procs"), 1);
	ASSERT_EQ(ju64(o, "pinmgr"), KID_PAGES * page);
	/* Its user's locked_vm: the kid's lease and nothing else. */
	ASSERT_EQ(ju64(o, "locked_vm"), KID_PAGES * page);
	ASSERT_EQ(ju64(o, "io_uring"), 0);
	ASSERT_EQ(ju64(o, "vm_pin"), cs_status_bytes(s.kid, "VmPin:"));
	ASSERT_EQ(ju64(o, "vm_lck"), cs_status_bytes(s.kid, "VmLck:"));
	o = find_num(a, "uid", 0);
	ASSERT_NE(o, NULL);
	ASSERT_EQ(ju64(o, "procs"), n);
	ASSERT_EQ(ju64(o, "pinmgr"), sum[0]);
	ASSERT_EQ(ju64(o, "io_uring"), sum[1]);
	ASSERT_EQ(ju64(o, "vm_pin"), sum[2]);
	ASSERT_EQ(ju64(o, "vm_lck"), sum[3]);
	ASSERT_GE(sum[0], SELF_PAGES * page);
	ASSERT_GE(sum[1], RING_PAGES * page);
	json_object_put(a);

	PINCTL(&r, "-j", "census", "cgroups");
	ASSERT_EQ(r.status, 0);
	a = json_parse(r.out);
	assert_list(a, cgroup_keys, ARRAY_SIZE(cgroup_keys));
	for (i = 1; i < json_object_array_length(a); i++)
		ASSERT_LT(strcmp(jstr(json_object_array_get_idx(a, i - 1),
				      "cgroup"),
				 jstr(json_object_array_get_idx(a, i),
				      "cgroup")), 0);
	cs_cgroup_of(s.kid, cg, sizeof(cg));
	o = find_str(a, "cgroup", cg);
	ASSERT_NE(o, NULL);
	if (s.cg) {
		ASSERT_EQ(ju64(o, "procs"), 1);
		ASSERT_EQ(ju64(o, "pinmgr"), KID_PAGES * page);
		ASSERT_EQ(ju64(o, "io_uring"), 0);
	}
	cs_cgroup_of(getpid(), cg, sizeof(cg));
	o = find_str(a, "cgroup", cg);
	ASSERT_NE(o, NULL);
	ASSERT_GE(ju64(o, "procs"), 1);
	ASSERT_GE(ju64(o, "io_uring"), RING_PAGES * page);
	json_object_put(a);
	json_object_put(procs);

	/* Text: a header and a row per group. */
	PINCTL(&r, "census", "users");
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "UID");
	ASSERT_CONTAINS(r.out, "PROCS");
	ASSERT_EQ(strstr(r.out, "\n\n"), NULL);
	scene_end(&s);
}

/*
 * census machine: one record, its keys, the machine's pins from vmstat,
 * all of this test's pins attributed; -o on one line.
 */
TEST_TIMEOUT(cli_census_machine, 120)
{
	size_t page = pm_page_size();
	long long out;
	json_object *o;
	struct scene s;
	struct run r;

	scene_start(&s, "pmt-cli-census");
	out = pm_outstanding_pins();
	PINCTL(&r, "-j", "census", "machine");
	ASSERT_EQ(r.status, 0);
	o = json_parse(r.out);
	assert_keys(o, machine_keys, ARRAY_SIZE(machine_keys));
	ASSERT_EQ(ju64(o, "pinned"), (uint64_t)out * page);
	ASSERT_GE(ju64(o, "attributed"),
		  (KID_PAGES + SELF_PAGES + RING_PAGES) * page);
	ASSERT_GE(ju64(o, "pinmgr"), (KID_PAGES + SELF_PAGES) * page);
	ASSERT_GE(ju64(o, "io_uring"), RING_PAGES * page);
	ASSERT_GE(ju64(o, "vm_lck"), LOCK_PAGES * page);
	ASSERT_EQ(ju64(o, "attributed"), ju64(o, "pinmgr") +
		  ju64(o, "io_uring") + ju64(o, "rdma") +
		  ju64(o, "pinmgr_unowned"));
	if (ju64(o, "pinned") >= ju64(o, "attributed"))
		ASSERT_EQ(ju64(o, "not_attributed"),
			  ju64(o, "pinned") - ju64(o, "attributed"));
	else
		ASSERT_EQ(ju64(o, "not_attributed"), 0);
	ASSERT_GE(ju64(o, "procs"), 3);
	ASSERT_EQ(ju64(o, "hidden"), 0);
	ASSERT_EQ(ju64(o, "rings_unlisted"), 0);
	json_object_put(o);

	PINCTL(&r, "census", "machine");
	ASSERT_EQ(r.status, 0);
	ASSERT_EQ(strncmp(r.out, "pinned ", 7), 0);
	ASSERT_EQ(strstr(r.out, "PID"), NULL);
	PINCTL(&r, "-o", "census", "machine");
	ASSERT_EQ(r.status, 0);
	ASSERT_EQ(strncmp(r.out, "pinned=", 7), 0);
	ASSERT_EQ(strchr(r.out, '\n'), r.out + strlen(r.out) - 1);
	ASSERT_CONTAINS(r.out, " hidden=0 ");
	scene_end(&s);
}

/*
 * -P census machine: each metric's HELP and TYPE (gauge) once before its
 * samples; the machine's three figures and each user's pins, labelled by
 * uid. The lines go to the TAP output as "# census-prometheus: " for
 * promtool.
 */
TEST_TIMEOUT(cli_census_prometheus, 120)
{
	static const char *const names[] = {
		"pinctl_census_pinned_bytes",
		"pinctl_census_attributed_bytes",
		"pinctl_census_not_attributed_bytes",
		"pinctl_census_user_pinned_bytes",
		"pinctl_census_user_locked_vm_bytes",
	};
	size_t page = pm_page_size(), i;
	char *copy, *line, *save = NULL, want[128], typed[128] = "";
	unsigned int helps = 0, samples = 0;
	regex_t sample, help, type;
	json_object *m, *users, *o;
	struct scene s;
	struct run r;

	scene_start(&s, "pmt-cli-census");
	PINCTL(&r, "-j", "census", "machine");
	ASSERT_EQ(r.status, 0);
	m = json_parse(r.out);
	PINCTL(&r, "-j", "census", "users");
	ASSERT_EQ(r.status, 0);
	users = json_parse(r.out);
	PINCTL(&r, "-P", "census", "machine");
	ASSERT_EQ(r.status, 0);

	ASSERT_EQ(regcomp(&sample, "^([a-z_]+)(\\{uid=\"[0-9]+\"\\})? [0-9]+$",
			  REG_EXTENDED), 0);
	ASSERT_EQ(regcomp(&help, "^# HELP ([a-z_]+) .+$", REG_EXTENDED), 0);
	ASSERT_EQ(regcomp(&type, "^# TYPE ([a-z_]+) gauge$", REG_EXTENDED), 0);
	copy = strdup(r.out);
	ASSERT_NE(copy, NULL);
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		regmatch_t mt[2];

		pm_diag("census-prometheus: %s", line);
		if (!strncmp(line, "# HELP ", 7)) {
			ASSERT_EQ(regexec(&help, line, 2, mt, 0), 0);
			ASSERT_LT(helps, ARRAY_SIZE(names));
			/* In the order above, each once. */
			ASSERT_EQ(strncmp(line + 7, names[helps],
					  strlen(names[helps])), 0);
			helps++;
		} else if (!strncmp(line, "# TYPE ", 7)) {
			ASSERT_EQ(regexec(&type, line, 2, mt, 0), 0);
			snprintf(typed, sizeof(typed), "%.*s",
				 (int)(mt[1].rm_eo - mt[1].rm_so),
				 line + mt[1].rm_so);
			ASSERT_STREQ(typed, names[helps - 1]);
		} else {
			if (regexec(&sample, line, 2, mt, 0))
				FAIL("not a Prometheus sample line: \"%s\"",
				     line);
			/* Each sample follows its own TYPE line. */
			ASSERT_EQ((size_t)(mt[1].rm_eo - mt[1].rm_so),
				  strlen(typed));
			ASSERT_EQ(strncmp(line, typed, strlen(typed)), 0);
			samples++;
		}
	}
	free(copy);
	regfree(&sample);
	regfree(&help);
	regfree(&type);
	ASSERT_EQ(helps, ARRAY_SIZE(names));
	/* As root, with the module loaded, every user's locked_vm is known. */
	ASSERT_EQ(samples, 3 + 2 * json_object_array_length(users));

	/* The figures -j gave a moment before: nothing moved since. */
	snprintf(want, sizeof(want), "\npinctl_census_pinned_bytes %llu\n",
		 (unsigned long long)ju64(m, "pinned"));
	ASSERT_CONTAINS(r.out, want);
	snprintf(want, sizeof(want), "\npinctl_census_attributed_bytes %llu\n",
		 (unsigned long long)ju64(m, "attributed"));
	ASSERT_CONTAINS(r.out, want);
	snprintf(want, sizeof(want),
		 "\npinctl_census_not_attributed_bytes %llu\n",
		 (unsigned long long)ju64(m, "not_attributed"));
	ASSERT_CONTAINS(r.out, want);
	for (i = 0; i < json_object_array_length(users); i++) {
		o = json_object_array_get_idx(users, i);
		snprintf(want, sizeof(want),
			 "\npinctl_census_user_pinned_bytes{uid=\"%llu\"} %llu\n",
			 (unsigned long long)ju64(o, "uid"),
			 (unsigned long long)(ju64(o, "pinmgr") +
					      ju64(o, "io_uring") +
					      ju64(o, "rdma")));
		ASSERT_CONTAINS(r.out, want);
	}
	snprintf(want, sizeof(want),
		 "\npinctl_census_user_pinned_bytes{uid=\"%d\"} %llu\n",
		 KID_UID, (unsigned long long)(KID_PAGES * page));
	ASSERT_CONTAINS(r.out, want);
	snprintf(want, sizeof(want),
		 "\npinctl_census_user_locked_vm_bytes{uid=\"%d\"} %llu\n",
		 KID_UID, (unsigned long long)(KID_PAGES * page));
	ASSERT_CONTAINS(r.out, want);
	json_object_put(m);
	json_object_put(users);
	scene_end(&s);
}

/*
 * As nobody: only nobody's processes (pinctl itself, with all), root's
 * hidden; the machine's pins still the whole machine's.
 */
TEST_TIMEOUT(cli_census_unprivileged, 120)
{
	size_t page = pm_page_size(), i;
	json_object *a, *o;
	struct scene s;
	struct run r;
	pid_t pid;

	scene_start(&s, "pmt-cli-census");
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		ASSERT_EQ(pm_become_nobody(), 0);
		PINCTL(&r, "-j", "census", "all");
		ASSERT_EQ(r.status, 0);
		a = json_parse(r.out);
		ASSERT_NE(find_str(a, "comm", "pinctl"), NULL);
		for (i = 0; i < json_object_array_length(a); i++)
			ASSERT_EQ(ju64(json_object_array_get_idx(a, i), "uid"),
				  PM_NOBODY);
		json_object_put(a);
		PINCTL(&r, "-j", "census", "machine");
		ASSERT_EQ(r.status, 0);
		o = json_parse(r.out);
		ASSERT_GT(ju64(o, "hidden"), 0);
		ASSERT_EQ(ju64(o, "attributed"), 0);
		/* At least what root's process and the kid pin. */
		ASSERT_GE(ju64(o, "pinned"),
			  (KID_PAGES + SELF_PAGES + RING_PAGES) * page);
		ASSERT_EQ(ju64(o, "not_attributed"), ju64(o, "pinned"));
		json_object_put(o);
		_exit(PM_EXIT_PASS);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	scene_end(&s);
}

/* The start of each line of @text that starts with @start, up to @max. */
static size_t lines_starting(const char *text, const char *start,
			     const char **at, size_t max)
{
	const char *p = text;
	size_t n = 0;

	while (*p) {
		if (!strncmp(p, start, strlen(start)) && n < max)
			at[n++] = p;
		p += strcspn(p, "\n");
		if (*p)
			p++;
	}
	return n;
}

/* Where, in [@from, @to), a row of pid @pid starts, or NULL. */
static const char *row_of(const char *from, const char *to, pid_t pid)
{
	char want[32];
	const char *p = from;

	snprintf(want, sizeof(want), "%d ", pid);
	while (p < to) {
		const char *q = p + strspn(p, " ");

		if (!strncmp(q, want, strlen(want)))
			return p;
		p += strcspn(p, "\n");
		if (*p)
			p++;
	}
	return NULL;
}

/*
 * top count 2: two censuses an interval apart, each the machine's block
 * and the processes, most pinned first (the kid's lease is larger than
 * all this process pins); then exit 0. A signal ends it orderly too.
 */
TEST_TIMEOUT(cli_census_top, 120)
{
	const char *at[4], *kid, *self, *end;
	char line[4096], rest[16384];
	struct scene s;
	struct run r;
	struct bg b;
	uint64_t t0;
	size_t i;

	scene_start(&s, "pmt-cli-census");
	t0 = pm_monotonic_ns();
	PINCTL(&r, "top", "count", "2", "interval", "100ms");
	ASSERT_EQ(r.status, 0);
	ASSERT_GE(pm_monotonic_ns() - t0, 100 * PM_MS);
	ASSERT_EQ(r.err[0], '\0');
	ASSERT_EQ(lines_starting(r.out, "pinned ", at, ARRAY_SIZE(at)), 2);
	ASSERT_TRUE(at[0] == r.out);
	for (i = 0; i < 2; i++) {
		end = i ? r.out + strlen(r.out) : at[1];
		ASSERT_TRUE(memmem(at[i], (size_t)(end - at[i]), "COMM", 4) !=
			    NULL);
		kid = row_of(at[i], end, s.kid);
		self = row_of(at[i], end, getpid());
		ASSERT_NE(kid, NULL);
		ASSERT_NE(self, NULL);
		ASSERT_LT(kid, self);
	}
	PINCTL(&r, "top", "co", "1");
	ASSERT_EQ(r.status, 0);
	ASSERT_EQ(lines_starting(r.out, "pinned ", at, ARRAY_SIZE(at)), 1);

	BG(&b, "top", "interval", "100ms");
	bg_line(&b, line, sizeof(line), 20000);
	ASSERT_EQ(strncmp(line, "pinned ", 7), 0);
	ASSERT_EQ(kill(b.pid, SIGTERM), 0);
	ASSERT_EQ(bg_end(&b, rest, sizeof(rest)), 0);
	scene_end(&s);
}

TEST(cli_census_usage)
{
	static const char *const cmds[][5] = {
		{ "census", "bogus" }, { "census", "machine", "bogus" },
		{ "census", "all", "all" }, { "census", "users", "machine" },
		{ "census", "machine", "all", "x" }, { "census", "--all" },
		{ "census", "users", "-j" }, { "-P", "census", "users" },
		{ "top", "bogus" }, { "top", "count" }, { "top", "count", "0" },
		{ "top", "count", "abc" }, { "top", "count", "-1" },
		{ "top", "interval" }, { "top", "interval", "0" },
		{ "top", "interval", "soon" }, { "top", "interval", "-1s" },
		{ "top", "count", "1", "count", "2" }, { "top", "machine" },
	};
	struct run r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		PINCTL(&r, cmds[i][0], cmds[i][1], cmds[i][2], cmds[i][3],
		       cmds[i][4]);
		assert_usage_error(&r);
	}
	PINCTL(&r, "census", "help");
	ASSERT_EQ(r.status, 0);
	ASSERT_EQ(strncmp(r.out, "usage: pinctl census", 20), 0);
	ASSERT_CONTAINS(r.out, "pinctl top");
	PINCTL(&r, "top", "help");
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "pinctl top");
}

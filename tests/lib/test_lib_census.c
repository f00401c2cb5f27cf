// SPDX-License-Identifier: GPL-2.0-only
/*
 * libpinctl: the census. A machine set up with known pins (pinmgr leases
 * in this process and in another user's, io_uring's registered buffers,
 * an RDMA memory region on Soft-RoCE, mlock()ed memory) is reconciled figure by figure, per process, user,
 * cgroup and for the machine against /proc/vmstat; an unprivileged census
 * sees its own processes and the machine's total; leases count by state;
 * and bad arguments are refused.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <liburing.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/uio.h>

#include "census_scene.h"
#include "rdma_scene.h"

/* Another user's process, and what each side pins, in pages. */
#define CENSUS_UID	1234
#define KID_PAGES	24
#define SELF_PAGES	16
#define LOCK_PAGES	3
#define MR_PAGES	8
#define CENSUS_CG	"pmt-census"

/* A process of a census, its strings copied out of the callback. */
struct cproc {
	struct pinctl_census_proc p;	/* comm and cgroup not kept */
	char comm[64];
	char cgroup[512];
};

struct clist {
	struct cproc *v;
	size_t nr, cap;
};

struct grec {
	struct pinctl_census_group g;	/* cgroup not kept */
	char cgroup[512];
};

struct glist {
	struct grec v[256];
	size_t nr;
	uint32_t by;
};

static bool proc_zero(const struct pinctl_census_proc *p)
{
	const struct pinctl_census_use *u = &p->use;

	return !u->pinmgr && !u->io_uring && !u->vm_pin && !u->vm_lck &&
	       !p->rdma;
}

static void use_add(struct pinctl_census_use *sum,
		    const struct pinctl_census_use *u)
{
	sum->pinmgr += u->pinmgr;
	sum->io_uring += u->io_uring;
	sum->vm_pin += u->vm_pin;
	sum->vm_lck += u->vm_lck;
}

#define ASSERT_USE_EQ(a, b)						\
	do {								\
		ASSERT_EQ((a).pinmgr, (b).pinmgr);			\
		ASSERT_EQ((a).io_uring, (b).io_uring);			\
		ASSERT_EQ((a).vm_pin, (b).vm_pin);			\
		ASSERT_EQ((a).vm_lck, (b).vm_lck);			\
	} while (0)

static int collect_proc(const struct pinctl_census_proc *p, void *data)
{
	struct clist *l = data;
	struct cproc *c;

	ASSERT_EQ(p->sz, sizeof(*p));
	ASSERT_NE(p->comm, NULL);
	ASSERT_NE(p->cgroup, NULL);
	/* By pid, each once. */
	if (l->nr)
		ASSERT_LT(l->v[l->nr - 1].p.pid, p->pid);
	if (l->nr == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 128;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		ASSERT_NE(l->v, NULL);
	}
	c = &l->v[l->nr++];
	c->p = *p;
	c->p.comm = NULL;
	c->p.cgroup = NULL;
	snprintf(c->comm, sizeof(c->comm), "%s", p->comm);
	snprintf(c->cgroup, sizeof(c->cgroup), "%s", p->cgroup);
	return 0;
}

static int collect_group(const struct pinctl_census_group *g, void *data)
{
	struct glist *l = data;
	struct grec *c;

	ASSERT_EQ(g->sz, sizeof(*g));
	ASSERT_LT(l->nr, ARRAY_SIZE(l->v));
	c = &l->v[l->nr];
	c->g = *g;
	c->g.cgroup = NULL;
	c->cgroup[0] = '\0';
	if (l->by == PINCTL_CENSUS_BY_CGROUP) {
		ASSERT_NE(g->cgroup, NULL);
		snprintf(c->cgroup, sizeof(c->cgroup), "%s", g->cgroup);
	}
	/* By uid or by path, each once. */
	if (l->nr && l->by == PINCTL_CENSUS_BY_USER)
		ASSERT_LT(l->v[l->nr - 1].g.uid, g->uid);
	if (l->nr && l->by == PINCTL_CENSUS_BY_CGROUP &&
	    strcmp(l->v[l->nr - 1].cgroup, c->cgroup) >= 0)
		FAIL("cgroup \"%s\" after \"%s\"", c->cgroup,
		     l->v[l->nr - 1].cgroup);
	l->nr++;
	return 0;
}

static const struct cproc *find_proc(const struct clist *l, pid_t pid)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		if (l->v[i].p.pid == (uint32_t)pid)
			return &l->v[i];
	return NULL;
}

static bool same_group(const struct glist *gl, const struct grec *g,
		       const struct cproc *p)
{
	if (gl->by == PINCTL_CENSUS_BY_USER)
		return g->g.uid == p->p.uid;
	return !strcmp(g->cgroup, p->cgroup);
}

static const struct grec *find_user(const struct glist *gl, uint32_t uid)
{
	size_t i;

	for (i = 0; i < gl->nr; i++)
		if (gl->v[i].g.uid == uid)
			return &gl->v[i];
	FAIL("no group of uid %u", uid);
	return NULL;
}

static const struct grec *find_cgroup(const struct glist *gl,
					    const char *path)
{
	size_t i;

	for (i = 0; i < gl->nr; i++)
		if (!strcmp(gl->v[i].cgroup, path))
			return &gl->v[i];
	FAIL("no group of cgroup \"%s\"", path);
	return NULL;
}

/*
 * The groups of @by are the processes that pin or lock anything, summed
 * by key: each group's figures from the list, and a group for each key.
 */
static void check_groups(const struct pinctl_census *c, const struct clist *l,
			 uint32_t by, struct glist *gl)
{
	size_t i, j;

	gl->nr = 0;
	gl->by = by;
	ASSERT_RET(pinctl_census_groups(c, by, collect_group, gl), 0);
	for (i = 0; i < gl->nr; i++) {
		struct pinctl_census_use sum = { 0 };
		uint64_t rdma = 0;
		uint32_t procs = 0;

		for (j = 0; j < l->nr; j++) {
			if (proc_zero(&l->v[j].p) ||
			    !same_group(gl, &gl->v[i], &l->v[j]))
				continue;
			procs++;
			use_add(&sum, &l->v[j].p.use);
			rdma += l->v[j].p.rdma;
		}
		ASSERT_EQ(gl->v[i].g.procs, procs);
		ASSERT_USE_EQ(gl->v[i].g.use, sum);
		ASSERT_EQ(gl->v[i].g.rdma, rdma);
		/* A user's charge, not a cgroup's. */
		if (by == PINCTL_CENSUS_BY_CGROUP) {
			ASSERT_EQ(gl->v[i].g.has_locked_vm, 0);
			ASSERT_EQ(gl->v[i].g.locked_vm, 0);
		}
	}
	for (j = 0; j < l->nr; j++) {
		if (proc_zero(&l->v[j].p))
			continue;
		for (i = 0; i < gl->nr; i++)
			if (same_group(gl, &gl->v[i], &l->v[j]))
				break;
		if (i == gl->nr)
			FAIL("pid %u (uid %u, cgroup \"%s\") is in no group",
			     l->v[j].p.pid, l->v[j].p.uid, l->v[j].cgroup);
	}
}

/*
 * Take a census and check what holds of any: the machine's sums are the
 * list's, attributed and not attributed add up, the groups sum the list.
 */
static struct pinctl_census *take(struct pinctl_ctx *ctx, uint32_t flags,
				  struct clist *l,
				  struct pinctl_census_machine *m)
{
	struct pinctl_census_use sum = { 0 };
	struct pinctl_census *c = NULL;
	uint64_t attributed = 0, rdma = 0;
	struct glist *gl;
	size_t i;

	ASSERT_RET(pinctl_census_take(ctx, flags, &c), 0);
	ASSERT_NE(c, NULL);
	l->nr = 0;
	ASSERT_RET(pinctl_census_procs(c, collect_proc, l), 0);
	memset(m, 0, sizeof(*m));
	m->sz = sizeof(*m);
	ASSERT_RET(pinctl_census_machine(c, m), 0);
	ASSERT_EQ(m->sz, sizeof(*m));

	for (i = 0; i < l->nr; i++) {
		use_add(&sum, &l->v[i].p.use);
		rdma += l->v[i].p.rdma;
		attributed += l->v[i].p.use.pinmgr + l->v[i].p.use.io_uring +
			      l->v[i].p.rdma;
		if (l->v[i].p.rdma_mrs)
			ASSERT_GE(l->v[i].p.rdma, l->v[i].p.rdma_mrs);
		else
			ASSERT_EQ(l->v[i].p.rdma, 0);
		if (!(flags & PINCTL_CENSUS_ALL) && proc_zero(&l->v[i].p))
			FAIL("pid %u pins and locks nothing, yet is listed",
			     l->v[i].p.pid);
	}
	ASSERT_USE_EQ(m->use, sum);
	ASSERT_EQ(m->rdma, rdma);
	if (!m->has_rdma)
		ASSERT_EQ(rdma, 0);
	if (flags & PINCTL_CENSUS_ALL)
		ASSERT_EQ(m->procs, l->nr);
	else
		ASSERT_GE(m->procs, l->nr);
	ASSERT_EQ(m->attributed, attributed + m->pinmgr_unowned);
	if (m->pinned >= m->attributed)
		ASSERT_EQ(m->not_attributed, m->pinned - m->attributed);
	else
		ASSERT_EQ(m->not_attributed, 0);

	/* With all, lib_census_groups_all checks the groups. */
	if (!(flags & PINCTL_CENSUS_ALL)) {
		gl = malloc(sizeof(*gl));
		ASSERT_NE(gl, NULL);
		check_groups(c, l, PINCTL_CENSUS_BY_USER, gl);
		check_groups(c, l, PINCTL_CENSUS_BY_CGROUP, gl);
		free(gl);
	}
	return c;
}

/*
 * This process: a pinmgr lease, an io_uring ring with two registered
 * buffers, one not page-aligned so that page rounding shows, an RDMA
 * memory region on Soft-RoCE (where the machine declares rxe; elsewhere
 * the census must find the RDMA core absent or regions of none) and an
 * mlock()ed region; and another user's process with a lease of its own,
 * in a cgroup of its own where there is cgroup v2. Each figure of the
 * census is what was set up, the groups add up, and the machine's pins
 * grew by exactly what the census attributes. Then, released, the census
 * is back where it started.
 */
TEST_TIMEOUT(lib_census_reconcile, 180)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_census_machine b, m, a;
	struct pinctl_census *c, *call;
	size_t page = pm_page_size();
	struct clist l = { 0 }, all = { 0 };
	PINCTL_OPTS(pinctl_info, info);
	const struct cproc *self, *kid;
	const struct grec *g;
	struct glist *gl = malloc(sizeof(*gl));
	char kid_cg[512], self_cg[512];
	uint64_t lck0, h;
	struct pinctl_dev *dev;
	struct io_uring ring;
	long long out0;
	char *lk, *lbuf, *mbuf;
	bool cg = cs_have_cgroup2(), rdma = pm_required("rxe");
	uint64_t mr_pages = rdma ? MR_PAGES : 0;
	struct rs_mr *mr = NULL;
	int hold;
	pid_t kpid;

	NEED_NETLINK();
	cs_need_io_uring();
	if (rdma)
		rs_need_rxe();
	else
		pm_diag("no RDMA memory region: this machine does not declare rxe");
	ASSERT_NE(gl, NULL);
	ASSERT_EQ(prctl(PR_SET_NAME, "pmt-census"), 0);
	if (cg)
		pm_cgroup_make(CENSUS_CG);

	/* Before anything: the census and the kernel agree on the pins. */
	out0 = pm_outstanding_pins();
	ASSERT_GE(out0, 0);
	c = take(ctx, 0, &l, &b);
	ASSERT_EQ(b.pinned, (uint64_t)out0 * page);
	ASSERT_EQ(b.has_pinmgr, 1);
	ASSERT_EQ(b.has_foll_pin, 1);
	if (rdma)
		ASSERT_EQ(b.has_rdma, 1);
	ASSERT_EQ(b.hidden, 0);
	lck0 = cs_status_bytes(getpid(), "VmLck:");
	if (!lck0 && !cs_status_bytes(getpid(), "VmPin:"))
		ASSERT_EQ(find_proc(&l, getpid()), NULL);
	pinctl_census_unref(c);

	/* Forked first, so that it shares neither device file nor ring. */
	kpid = cs_start_pinner(CENSUS_UID, "pmt-census-kid", cg ? CENSUS_CG : NULL,
			    KID_PAGES, &hold);

	dev = lt_dev(ctx);
	lbuf = pm_map_anon(SELF_PAGES * page);
	ASSERT_RET(pinctl_pin(dev, lbuf, SELF_PAGES * page, NULL, &h), 0);
	cs_ring_start(&ring);
	lk = pm_map_anon(LOCK_PAGES * page);
	ASSERT_EQ(mlock(lk, LOCK_PAGES * page), 0);
	mbuf = pm_map_anon(MR_PAGES * page);
	memset(mbuf, 0x5a, MR_PAGES * page);
	if (rdma)
		mr = rs_reg_mr(mbuf, MR_PAGES * page);
	ASSERT_EQ(pm_outstanding_pins() - out0,
		  (long long)(KID_PAGES + SELF_PAGES + RING_PAGES + mr_pages));

	pm_vmstat_refresh();
	c = take(ctx, 0, &l, &m);
	call = take(ctx, PINCTL_CENSUS_ALL, &all, &a);
	ASSERT_GE(a.procs, 3);

	self = find_proc(&l, getpid());
	ASSERT_NE(self, NULL);
	ASSERT_EQ(self->p.uid, 0);
	ASSERT_STREQ(self->comm, "pmt-census");
	cs_cgroup_of(getpid(), self_cg, sizeof(self_cg));
	ASSERT_STREQ(self->cgroup, self_cg);
	ASSERT_EQ(self->p.leases, 1);
	ASSERT_EQ(self->p.io_uring_bufs, 2);
	ASSERT_EQ(self->p.use.pinmgr, SELF_PAGES * page);
	ASSERT_EQ(self->p.use.io_uring, RING_PAGES * page);
	ASSERT_EQ(self->p.rdma_mrs, rdma ? 1 : 0);
	ASSERT_EQ(self->p.rdma, mr_pages * page);
	ASSERT_EQ(self->p.use.vm_pin, cs_status_bytes(getpid(), "VmPin:"));
	ASSERT_EQ(self->p.use.vm_lck, cs_status_bytes(getpid(), "VmLck:"));
	ASSERT_EQ(self->p.use.vm_lck, lck0 + LOCK_PAGES * page);

	kid = find_proc(&l, kpid);
	ASSERT_NE(kid, NULL);
	ASSERT_EQ(kid->p.uid, CENSUS_UID);
	ASSERT_STREQ(kid->comm, "pmt-census-kid");
	cs_cgroup_of(kpid, kid_cg, sizeof(kid_cg));
	ASSERT_STREQ(kid->cgroup, kid_cg);
	if (cg)
		ASSERT_STREQ(kid_cg, "/" CENSUS_CG);
	ASSERT_EQ(kid->p.leases, 1);
	ASSERT_EQ(kid->p.io_uring_bufs, 0);
	ASSERT_EQ(kid->p.use.pinmgr, KID_PAGES * page);
	ASSERT_EQ(kid->p.use.io_uring, 0);
	ASSERT_EQ(kid->p.rdma_mrs, 0);
	ASSERT_EQ(kid->p.rdma, 0);
	ASSERT_EQ(kid->p.use.vm_pin, cs_status_bytes(kpid, "VmPin:"));
	ASSERT_EQ(kid->p.use.vm_lck, cs_status_bytes(kpid, "VmLck:"));

	/* The full list has the same two, with the same figures. */
	ASSERT_NE(find_proc(&all, getpid()), NULL);
	ASSERT_USE_EQ(find_proc(&all, getpid())->p.use, self->p.use);
	ASSERT_NE(find_proc(&all, kpid), NULL);
	ASSERT_USE_EQ(find_proc(&all, kpid)->p.use, kid->p.use);
	ASSERT_EQ(a.pinned, m.pinned);
	ASSERT_EQ(a.attributed, m.attributed);

	/* The other user is the kid alone; root's group has this process. */
	gl->nr = 0;
	check_groups(c, &l, PINCTL_CENSUS_BY_USER, gl);
	g = find_user(gl, CENSUS_UID);
	ASSERT_EQ(g->g.procs, 1);
	ASSERT_USE_EQ(g->g.use, kid->p.use);
	/* The kid's lease is all its user has charged to locked_vm. */
	ASSERT_EQ(g->g.has_locked_vm, 1);
	ASSERT_EQ(g->g.locked_vm, KID_PAGES * page);
	g = find_user(gl, 0);
	ASSERT_EQ(g->g.has_locked_vm, 1);
	ASSERT_RET(pinctl_dev_info(dev, &info), 0);
	ASSERT_EQ(g->g.locked_vm, info.user_pinned_pages * page);
	ASSERT_GE(g->g.procs, 1);
	ASSERT_GE(g->g.use.pinmgr, self->p.use.pinmgr);
	ASSERT_GE(g->g.use.io_uring, self->p.use.io_uring);
	check_groups(c, &l, PINCTL_CENSUS_BY_CGROUP, gl);
	g = find_cgroup(gl, kid_cg);
	if (cg) {
		ASSERT_EQ(g->g.procs, 1);
		ASSERT_USE_EQ(g->g.use, kid->p.use);
	}
	g = find_cgroup(gl, self_cg);
	ASSERT_GE(g->g.use.io_uring, self->p.use.io_uring);

	/* What the machine gained is all attributed, and only that. */
	ASSERT_EQ(m.pinned, (uint64_t)pm_outstanding_pins() * page);
	ASSERT_EQ(m.pinned - b.pinned,
		  (KID_PAGES + SELF_PAGES + RING_PAGES + mr_pages) * page);
	ASSERT_EQ(m.attributed - b.attributed, m.pinned - b.pinned);
	ASSERT_EQ(m.not_attributed, b.not_attributed);
	ASSERT_EQ(m.pinmgr_unowned, b.pinmgr_unowned);
	ASSERT_EQ(m.use.pinmgr - b.use.pinmgr, (KID_PAGES + SELF_PAGES) * page);
	ASSERT_EQ(m.use.io_uring - b.use.io_uring, RING_PAGES * page);
	ASSERT_EQ(m.rdma - b.rdma, mr_pages * page);
	ASSERT_EQ(m.has_rdma, b.has_rdma);
	ASSERT_EQ(m.use.vm_lck - b.use.vm_lck, LOCK_PAGES * page);
	ASSERT_EQ(m.hidden, 0);
	ASSERT_EQ(m.rings_unlisted, 0);
	ASSERT_EQ(m.has_pinmgr, 1);
	ASSERT_EQ(m.has_foll_pin, 1);

	/* A reference more keeps the census whole. */
	ASSERT_EQ(pinctl_census_ref(c), c);
	ASSERT_EQ(pinctl_census_unref(c), NULL);
	memset(&a, 0, sizeof(a));
	a.sz = sizeof(a);
	ASSERT_RET(pinctl_census_machine(c, &a), 0);
	ASSERT_EQ(a.pinned, m.pinned);
	pinctl_census_unref(c);
	pinctl_census_unref(call);

	/* Released, everything is back to the first census. */
	if (mr)
		rs_dereg_mr(mr);
	ASSERT_EQ(munmap(mbuf, MR_PAGES * page), 0);
	ASSERT_EQ(munlock(lk, LOCK_PAGES * page), 0);
	ASSERT_RET(pinctl_unpin(dev, h), 0);
	cs_end_pinner(kpid, hold);
	if (cg)
		pm_cgroup_remove(CENSUS_CG);
	cs_ring_end(&ring, out0);
	c = take(ctx, 0, &l, &a);
	ASSERT_EQ(a.pinned, b.pinned);
	ASSERT_EQ(a.attributed, b.attributed);
	ASSERT_EQ(a.not_attributed, b.not_attributed);
	ASSERT_EQ(a.pinmgr_unowned, b.pinmgr_unowned);
	ASSERT_USE_EQ(a.use, b.use);
	ASSERT_EQ(a.rdma, b.rdma);
	ASSERT_EQ(find_proc(&l, kpid), NULL);
	if (!cs_status_bytes(getpid(), "VmLck:") &&
	    !cs_status_bytes(getpid(), "VmPin:"))
		ASSERT_EQ(find_proc(&l, getpid()), NULL);
	pinctl_census_unref(c);
	free(l.v);
	free(all.v);
	free(gl);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

/*
 * The leases a process owns count by their state: ACTIVE, BREAKING and
 * STALE pin; REVOKED and EXPIRED leases and watch-only ones do not. The
 * kernel's own count of pins says the same.
 */
TEST_TIMEOUT(lib_census_lease_states, 120)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	PINCTL_OPTS(pinctl_revoke_opts, now, .flags = PINCTL_REVOKE_NOW);
	PINCTL_OPTS(pinctl_pin_opts, brief, .duration_ns = PM_MS);
	PINCTL_OPTS(pinctl_pin_opts, watch, .flags = PINCTL_PIN_WATCH);
	PINCTL_OPTS(pinctl_pin_opts, wonly, .flags = PINCTL_PIN_WATCH_ONLY);
	PINCTL_OPTS(pinctl_lease, q);
	struct pinctl_census_machine b, m;
	size_t page = pm_page_size();
	char *buf = pm_map_anon(64 * page);
	uint64_t h, pages = 0, leases = 0;
	struct clist l = { 0 };
	const struct cproc *self;
	bool watched = pm_feature(PINCTL_FEATURE_WATCH);
	long long out0;
	int i;

	NEED_NETLINK();
	ASSERT_EQ(prctl(PR_SET_NAME, "pmt-census-st"), 0);
	ASSERT_EQ(pm_param_write("break_time_ms", 60000), 0);
	out0 = pm_outstanding_pins();
	pinctl_census_unref(take(ctx, 0, &l, &b));

	/* ACTIVE: 2 pages. */
	ASSERT_RET(pinctl_pin(dev, buf, 2 * page, NULL, &h), 0);
	pages += 2;
	leases++;
	/* BREAKING, still pinned: 4 pages. */
	ASSERT_RET(pinctl_pin(dev, buf + 2 * page, 4 * page, NULL, &h), 0);
	ASSERT_RET(pinctl_nl_revoke(ctx, h, NULL, NULL), 0);
	ASSERT_RET(pinctl_query(dev, h, &q), 0);
	ASSERT_EQ(q.state, PINCTL_LEASE_BREAKING);
	pages += 4;
	leases++;
	/* REVOKED at once: nothing. */
	ASSERT_RET(pinctl_pin(dev, buf + 6 * page, 8 * page, NULL, &h), 0);
	ASSERT_RET(pinctl_nl_revoke(ctx, h, &now, NULL), 0);
	/* EXPIRED: nothing. */
	ASSERT_RET(pinctl_pin(dev, buf + 14 * page, page, &brief, &h), 0);
	for (i = 0; i < 500; i++) {
		ASSERT_RET(pinctl_query(dev, h, &q), 0);
		if (q.state == PINCTL_LEASE_EXPIRED)
			break;
		pm_msleep(10);
	}
	ASSERT_EQ(q.state, PINCTL_LEASE_EXPIRED);
	if (!watched)
		pm_diag("no watched leases here: STALE and watch-only untried");
	if (watched) {
		/* STALE, still pinned: 4 pages. */
		ASSERT_RET(pinctl_pin(dev, buf + 16 * page, 4 * page, &watch,
				      &h), 0);
		ASSERT_EQ(madvise(buf + 17 * page, page, MADV_DONTNEED), 0);
		ASSERT_RET(pinctl_query(dev, h, &q), 0);
		ASSERT_EQ(q.state, PINCTL_LEASE_STALE);
		pages += 4;
		leases++;
		/* Watch-only: a lease that pins nothing. */
		ASSERT_RET(pinctl_pin(dev, buf + 24 * page, 8 * page, &wonly,
				      &h), 0);
	}
	ASSERT_EQ(pm_outstanding_pins() - out0, (long long)pages);

	pinctl_census_unref(take(ctx, 0, &l, &m));
	self = find_proc(&l, getpid());
	ASSERT_NE(self, NULL);
	ASSERT_EQ(self->p.leases, leases);
	ASSERT_EQ(self->p.use.pinmgr, pages * page);
	ASSERT_EQ(self->p.io_uring_bufs, 0);
	ASSERT_EQ(self->p.use.io_uring, 0);
	ASSERT_EQ(m.pinned - b.pinned, pages * page);
	ASSERT_EQ(m.attributed - b.attributed, pages * page);
	ASSERT_EQ(m.not_attributed, b.not_attributed);

	/* Closing the device ends every lease, whatever its state. */
	pinctl_dev_unref(dev);
	ASSERT_EQ(pm_await_outstanding_pins(out0), out0);
	pinctl_census_unref(take(ctx, 0, &l, &m));
	ASSERT_EQ(m.pinned, b.pinned);
	ASSERT_EQ(m.attributed, b.attributed);
	if (!cs_status_bytes(getpid(), "VmPin:"))
		ASSERT_EQ(find_proc(&l, getpid()), NULL);
	free(l.v);
	pinctl_unref(ctx);
}

/*
 * An unprivileged census: the caller's own processes only (two, each
 * with a lease), root's counted as hidden, none of root's leases
 * attributed; the machine's pins are still the whole machine's.
 */
TEST_TIMEOUT(lib_census_unprivileged, 120)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	size_t page = pm_page_size();
	int ready[2], told[2];
	uint64_t h, out;
	char c;
	pid_t pid;

	NEED_NETLINK();
	ASSERT_RET(pinctl_pin(dev, pm_map_anon(32 * page), 32 * page, NULL,
			      &h), 0);
	ASSERT_EQ(pipe2(ready, O_CLOEXEC), 0);
	ASSERT_EQ(pipe2(told, O_CLOEXEC), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct pinctl_census_machine m;
		struct pinctl_ctx *uctx;
		struct pinctl_census *cs;
		struct clist l = { 0 };
		const struct cproc *me, *sib;
		struct pinctl_dev *own;
		struct glist *gl;
		pid_t spid;
		int hold;
		size_t i;

		close(ready[0]);
		close(told[1]);
		ASSERT_EQ(prctl(PR_SET_NAME, "pmt-census-user"), 0);
		cs_become(CENSUS_UID);
		/* Dumpable again, so that its own may read its files. */
		ASSERT_EQ(prctl(PR_SET_DUMPABLE, 1), 0);
		spid = cs_start_pinner(0, "pmt-census-sib", NULL, 2, &hold);
		/* A context of its own, opened as the user. */
		uctx = lt_ctx();
		own = lt_dev(uctx);
		ASSERT_RET(pinctl_pin(own, pm_map_anon(4 * page), 4 * page,
				      NULL, &h), 0);
		ASSERT_EQ(write(ready[1], "r", 1), 1);
		ASSERT_EQ(read(told[0], &out, sizeof(out)), sizeof(out));

		cs = take(uctx, 0, &l, &m);
		for (i = 0; i < l.nr; i++)
			ASSERT_EQ(l.v[i].p.uid, CENSUS_UID);
		ASSERT_EQ(find_proc(&l, getppid()), NULL);
		me = find_proc(&l, getpid());
		ASSERT_NE(me, NULL);
		ASSERT_STREQ(me->comm, "pmt-census-user");
		ASSERT_EQ(me->p.leases, 1);
		ASSERT_EQ(me->p.use.pinmgr, 4 * page);
		sib = find_proc(&l, spid);
		ASSERT_NE(sib, NULL);
		ASSERT_STREQ(sib->comm, "pmt-census-sib");
		ASSERT_EQ(sib->p.leases, 1);
		ASSERT_EQ(sib->p.use.pinmgr, 2 * page);
		ASSERT_EQ(l.nr, 2);
		ASSERT_GT(m.hidden, 0);
		ASSERT_EQ(m.pinned, out * page);
		ASSERT_EQ(m.attributed, 6 * page);
		ASSERT_EQ(m.pinmgr_unowned, 0);
		ASSERT_GE(m.not_attributed, 32 * page);
		ASSERT_EQ(m.has_pinmgr, 1);
		/* Its own user's locked_vm: both leases, which it may ask for. */
		gl = malloc(sizeof(*gl));
		ASSERT_NE(gl, NULL);
		check_groups(cs, &l, PINCTL_CENSUS_BY_USER, gl);
		ASSERT_EQ(gl->nr, 1);
		ASSERT_EQ(find_user(gl, CENSUS_UID)->g.has_locked_vm, 1);
		ASSERT_EQ(find_user(gl, CENSUS_UID)->g.locked_vm, 6 * page);
		free(gl);
		pinctl_census_unref(cs);

		/* All of its own, and still none of root's. */
		cs = take(uctx, PINCTL_CENSUS_ALL, &l, &m);
		ASSERT_GE(l.nr, 2);
		for (i = 0; i < l.nr; i++)
			ASSERT_EQ(l.v[i].p.uid, CENSUS_UID);
		ASSERT_GT(m.hidden, 0);
		pinctl_census_unref(cs);
		cs_end_pinner(spid, hold);
		_exit(PM_EXIT_PASS);
	}
	close(ready[1]);
	close(told[0]);
	ASSERT_EQ(read(ready[0], &c, 1), 1);
	/* Folded here: the child may not write stat_refresh. */
	out = (uint64_t)pm_outstanding_pins();
	ASSERT_EQ(write(told[1], &out, sizeof(out)), sizeof(out));
	ASSERT_EQ(pm_wait(pid), 0);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

/*
 * Groups of a census that keeps every process count, as documented, only
 * those that pin or lock anything, and sum all of them.
 */
TEST(lib_census_groups_all)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_census_machine m;
	size_t page = pm_page_size();
	struct glist *gl = malloc(sizeof(*gl));
	struct clist l = { 0 };
	struct pinctl_census *c;
	char *lk = pm_map_anon(page);

	ASSERT_NE(gl, NULL);
	ASSERT_EQ(mlock(lk, page), 0);
	c = take(ctx, PINCTL_CENSUS_ALL, &l, &m);
	/* Root's processes: this one locks a page, init nothing. */
	ASSERT_NE(find_proc(&l, 1), NULL);
	ASSERT_TRUE(proc_zero(&find_proc(&l, 1)->p));
	ASSERT_FALSE(proc_zero(&find_proc(&l, getpid())->p));
	check_groups(c, &l, PINCTL_CENSUS_BY_USER, gl);
	check_groups(c, &l, PINCTL_CENSUS_BY_CGROUP, gl);
	pinctl_census_unref(c);
	free(l.v);
	free(gl);
	pinctl_unref(ctx);
}

/* A name is the process's own bytes (/proc/PID/comm), not status's escapes. */
TEST(lib_census_comm)
{
	static const char name[] = "cen\\sus\tx";
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_census_machine m;
	size_t page = pm_page_size();
	struct clist l = { 0 };
	const struct cproc *self;
	char *lk = pm_map_anon(page), comm[64];

	ASSERT_EQ(prctl(PR_SET_NAME, name), 0);
	ASSERT_EQ(pm_read_line("/proc/self/comm", comm, sizeof(comm)), 0);
	ASSERT_STREQ(comm, name);
	ASSERT_EQ(mlock(lk, page), 0);
	pinctl_census_unref(take(ctx, 0, &l, &m));
	self = find_proc(&l, getpid());
	ASSERT_NE(self, NULL);
	ASSERT_STREQ(self->comm, name);
	free(l.v);
	pinctl_unref(ctx);
}

/*
 * One ring through two descriptors of this process (dup()): its buffers
 * are pinned once, and counted once (each descriptor where the kernel has
 * no kcmp(2), as documented). The figures are checked after the ring is
 * gone, so that a failure leaves no pin behind.
 */
TEST_TIMEOUT(lib_census_ring_dup, 120)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_census_machine b, m;
	size_t page = pm_page_size();
	struct clist l = { 0 };
	const struct cproc *self;
	uint32_t bufs = 0;
	uint64_t bytes = 0;
	unsigned int counted = cs_have_kcmp() ? 1 : 2;
	struct io_uring ring;
	long long out0;
	int dupfd;

	cs_need_io_uring();
	if (counted > 1)
		pm_diag("no kcmp(2) here: each descriptor counts");
	ASSERT_EQ(prctl(PR_SET_NAME, "pmt-census-ring"), 0);
	out0 = pm_outstanding_pins();
	pinctl_census_unref(take(ctx, 0, &l, &b));
	cs_ring_start(&ring);
	ASSERT_EQ(pm_outstanding_pins() - out0, RING_PAGES);
	dupfd = dup(ring.ring_fd);
	ASSERT_GE(dupfd, 0);
	pinctl_census_unref(take(ctx, 0, &l, &m));
	self = find_proc(&l, getpid());
	if (self) {
		bufs = self->p.io_uring_bufs;
		bytes = self->p.use.io_uring;
	}
	close(dupfd);
	cs_ring_end(&ring, out0);

	ASSERT_EQ(bufs, 2 * counted);
	ASSERT_EQ(bytes, RING_PAGES * page * counted);
	ASSERT_EQ(m.pinned - b.pinned, RING_PAGES * page);
	ASSERT_EQ(m.attributed - b.attributed, RING_PAGES * page * counted);
	if (counted == 1)
		ASSERT_EQ(m.not_attributed, b.not_attributed);
	free(l.v);
	pinctl_unref(ctx);
}

/*
 * One ring whose descriptor a child inherited: still pinned once, and
 * counted once, in whichever of the two processes (in both where the
 * kernel has no kcmp(2)).
 */
TEST_TIMEOUT(lib_census_ring_inherited, 120)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_census_machine b, m;
	size_t page = pm_page_size();
	struct clist l = { 0 };
	const struct cproc *self, *kid;
	uint64_t both;
	unsigned int counted = cs_have_kcmp() ? 1 : 2;
	struct io_uring ring;
	int held[2], i;
	long long out0;
	char c;
	pid_t pid;

	cs_need_io_uring();
	ASSERT_EQ(prctl(PR_SET_NAME, "pmt-census-ring"), 0);
	out0 = pm_outstanding_pins();
	pinctl_census_unref(take(ctx, 0, &l, &b));
	cs_ring_start(&ring);
	ASSERT_EQ(pm_outstanding_pins() - out0, RING_PAGES);

	ASSERT_EQ(pipe2(held, O_CLOEXEC), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		close(held[1]);
		prctl(PR_SET_NAME, "pmt-ring-kid");
		while (read(held[0], &c, 1) > 0)
			;
		_exit(PM_EXIT_PASS);
	}
	close(held[0]);
	/* Censused once it has its name. */
	for (i = 0; i < 500; i++) {
		char path[64], comm[64];

		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		if (!pm_read_line(path, comm, sizeof(comm)) &&
		    !strcmp(comm, "pmt-ring-kid"))
			break;
		pm_msleep(10);
	}
	pm_vmstat_refresh();
	pinctl_census_unref(take(ctx, 0, &l, &m));
	self = find_proc(&l, getpid());
	kid = find_proc(&l, pid);
	both = (self ? self->p.use.io_uring : 0) +
	       (kid ? kid->p.use.io_uring : 0);
	close(held[1]);
	ASSERT_EQ(pm_wait(pid), 0);
	cs_ring_end(&ring, out0);

	ASSERT_EQ(both, RING_PAGES * page * counted);
	ASSERT_EQ(m.use.io_uring - b.use.io_uring, RING_PAGES * page * counted);
	ASSERT_EQ(m.pinned - b.pinned, RING_PAGES * page);
	ASSERT_EQ(m.attributed - b.attributed, RING_PAGES * page * counted);
	if (counted == 1)
		ASSERT_EQ(m.not_attributed, b.not_attributed);
	free(l.v);
	pinctl_unref(ctx);
}

/*
 * A lease its owner unpinned while a dma-buf of it is open is HELD: no
 * process's any more, but still pinned, so attributed as pinmgr_unowned.
 */
TEST_TIMEOUT(lib_census_held, 120)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	struct pinctl_census_machine b, m;
	size_t page = pm_page_size();
	char *buf = pm_map_anon(8 * page);
	struct clist l = { 0 };
	const struct cproc *self;
	long long out0;
	uint64_t h;
	int dbuf;

	NEED_NETLINK();
	ASSERT_EQ(prctl(PR_SET_NAME, "pmt-census-held"), 0);
	ASSERT_RET(pinctl_pin(dev, buf, 8 * page, NULL, &h), 0);
	dbuf = pinctl_lease_export(dev, h);
	if (!pm_feature(PINCTL_FEATURE_EXPORT)) {
		ASSERT_TRUE(dbuf == -ENOTTY || dbuf == -EOPNOTSUPP);
		pm_skip_feature(PINCTL_FEATURE_EXPORT,
				"exported leases (PINCTL_FEATURE_EXPORT)");
	}
	ASSERT_GE(dbuf, 0);
	ASSERT_RET(pinctl_unpin(dev, h), 0);
	pinctl_dev_unref(dev);

	out0 = pm_outstanding_pins();
	pinctl_census_unref(take(ctx, 0, &l, &m));
	self = find_proc(&l, getpid());
	if (self) {
		ASSERT_EQ(self->p.leases, 0);
		ASSERT_EQ(self->p.use.pinmgr, 0);
	}
	ASSERT_GE(m.pinmgr_unowned, 8 * page);

	/* The dma-buf's end lets the pages go. */
	close(dbuf);
	ASSERT_EQ(pm_await_outstanding_pins(out0 - 8), out0 - 8);
	pinctl_census_unref(take(ctx, 0, &l, &b));
	ASSERT_EQ(m.pinned - b.pinned, 8 * page);
	ASSERT_EQ(m.pinmgr_unowned - b.pinmgr_unowned, 8 * page);
	ASSERT_EQ(m.attributed - b.attributed, 8 * page);
	ASSERT_EQ(m.not_attributed, b.not_attributed);
	free(l.v);
	pinctl_unref(ctx);
}

/* A thread that registers a region and lives until @hold is closed. */
struct mr_thread {
	void *addr;
	size_t len;
	struct rs_mr *mr;
	pid_t tid;
	int ready[2];
	int hold[2];
};

static void *mr_thread_fn(void *arg)
{
	struct mr_thread *t = arg;
	char c;

	t->tid = gettid();
	t->mr = rs_reg_mr(t->addr, t->len);
	ASSERT_EQ(write(t->ready[1], "r", 1), 1);
	ASSERT_EQ(read(t->hold[0], &c, 1), 0);
	return NULL;
}

/*
 * The RDMA core names the thread that registered a region, not its
 * process: the census counts the region for the process, in whole pages
 * (two pages and a bit pin three), and the machine's pins grew by as
 * much as it attributes. Only while the thread lives: the listing of a
 * region whose thread exited has no pid (documented).
 */
TEST_TIMEOUT(rxe_census_region_of_a_thread, 120)
{
	struct pinctl_ctx *ctx = lt_ctx();
	size_t page = pm_page_size();
	struct pinctl_census_machine b, m;
	struct mr_thread t = { .len = 2 * page + 100 };
	const struct cproc *self;
	struct clist l = { 0 };
	long long out0;
	pthread_t th;
	char c;

	rs_need_rxe();
	t.addr = pm_map_anon(3 * page);
	memset(t.addr, 0x3c, 3 * page);
	ASSERT_EQ(pipe2(t.ready, O_CLOEXEC), 0);
	ASSERT_EQ(pipe2(t.hold, O_CLOEXEC), 0);
	out0 = pm_outstanding_pins();
	pinctl_census_unref(take(ctx, 0, &l, &b));
	ASSERT_EQ(b.has_rdma, 1);

	ASSERT_EQ(pthread_create(&th, NULL, mr_thread_fn, &t), 0);
	ASSERT_EQ(read(t.ready[0], &c, 1), 1);
	ASSERT_NE(t.mr, NULL);
	ASSERT_NE(t.tid, getpid());
	ASSERT_EQ(pm_outstanding_pins() - out0, 3);
	pinctl_census_unref(take(ctx, 0, &l, &m));
	self = find_proc(&l, getpid());
	ASSERT_NE(self, NULL);
	ASSERT_EQ(self->p.rdma_mrs, 1);
	ASSERT_EQ(self->p.rdma, 3 * page);
	ASSERT_EQ(find_proc(&l, t.tid), NULL);
	ASSERT_EQ(m.rdma - b.rdma, 3 * page);
	ASSERT_EQ(m.pinned - b.pinned, 3 * page);
	ASSERT_EQ(m.attributed - b.attributed, 3 * page);

	close(t.hold[1]);
	ASSERT_EQ(pthread_join(th, NULL), 0);
	rs_dereg_mr(t.mr);
	ASSERT_EQ(pm_outstanding_pins(), out0);
	pinctl_census_unref(take(ctx, 0, &l, &m));
	ASSERT_EQ(m.rdma, b.rdma);
	ASSERT_EQ(m.attributed, b.attributed);
	close(t.hold[0]);
	close(t.ready[0]);
	close(t.ready[1]);
	ASSERT_EQ(munmap(t.addr, 3 * page), 0);
	free(l.v);
	pinctl_unref(ctx);
}

static int stop_with(const struct pinctl_census_proc *p, void *data)
{
	(void)p;
	return *(int *)data;
}

static int stop_group_with(const struct pinctl_census_group *g, void *data)
{
	(void)g;
	return *(int *)data;
}

/* Bad arguments; results of other sizes; a callback that stops a walk. */
TEST(lib_census_bad_args)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_census *c = NULL;
	struct pinctl_census_machine small;
	struct {
		struct pinctl_census_machine m;
		char tail[24];
	} big;
	int stop = 77;

	ASSERT_RET(pinctl_census_take(ctx, 0, NULL), -EINVAL);
	ASSERT_RET(pinctl_census_take(ctx, PINCTL_CENSUS_ALL, NULL), -EINVAL);
	ASSERT_RET(pinctl_census_take(ctx, 1u << 1, &c), -EINVAL);
	ASSERT_EQ(c, NULL);
	ASSERT_RET(pinctl_census_take(ctx, ~0u, &c), -EINVAL);
	ASSERT_EQ(c, NULL);
	ASSERT_EQ(pinctl_census_ref(NULL), NULL);
	ASSERT_EQ(pinctl_census_unref(NULL), NULL);

	ASSERT_RET(pinctl_census_take(ctx, PINCTL_CENSUS_ALL, &c), 0);
	ASSERT_NE(c, NULL);
	ASSERT_RET(pinctl_census_procs(NULL, stop_with, &stop), -EINVAL);
	ASSERT_RET(pinctl_census_procs(c, NULL, NULL), -EINVAL);
	ASSERT_RET(pinctl_census_groups(c, 0, stop_group_with, &stop), -EINVAL);
	ASSERT_RET(pinctl_census_groups(c, 3, stop_group_with, &stop), -EINVAL);
	ASSERT_RET(pinctl_census_groups(c, 99, stop_group_with, &stop),
		   -EINVAL);
	ASSERT_RET(pinctl_census_groups(c, PINCTL_CENSUS_BY_USER, NULL, NULL),
		   -EINVAL);
	ASSERT_RET(pinctl_census_groups(NULL, PINCTL_CENSUS_BY_USER,
					stop_group_with, &stop), -EINVAL);
	ASSERT_RET(pinctl_census_machine(c, NULL), -EINVAL);
	ASSERT_RET(pinctl_census_machine(NULL, &small), -EINVAL);
	memset(&small, 0, sizeof(small));
	ASSERT_RET(pinctl_census_machine(c, &small), -EINVAL);
	small.sz = 2;
	ASSERT_RET(pinctl_census_machine(c, &small), -EINVAL);

	/* A caller built before the RDMA figures gets what it knew. */
	memset(&big, 0xa5, sizeof(big));
	big.m.sz = offsetof(struct pinctl_census_machine, rdma);
	ASSERT_RET(pinctl_census_machine(c, &big.m), 0);
	ASSERT_EQ(big.m.sz, offsetof(struct pinctl_census_machine, rdma));
	ASSERT_EQ(big.m.rdma, 0xa5a5a5a5a5a5a5a5ULL);
	ASSERT_EQ(big.m.has_rdma, 0xa5);

	/* A walk stops where its callback says, with what it said. */
	ASSERT_RET(pinctl_census_procs(c, stop_with, &stop), 77);
	stop = 5;
	ASSERT_RET(pinctl_census_groups(c, PINCTL_CENSUS_BY_CGROUP,
					stop_group_with, &stop), 5);
	stop = 0;
	ASSERT_RET(pinctl_census_procs(c, stop_with, &stop), 0);

	/* A caller that knows only up to pinned; a newer one's tail. */
	memset(&small, 0xaa, sizeof(small));
	small.sz = offsetofend(struct pinctl_census_machine, pinned);
	ASSERT_RET(pinctl_census_machine(c, &small), 0);
	ASSERT_NE(small.pinned, 0xaaaaaaaaaaaaaaaaULL);
	ASSERT_EQ(small.attributed, 0xaaaaaaaaaaaaaaaaULL);
	memset(&big, 0xaa, sizeof(big));
	big.m.sz = sizeof(big);
	ASSERT_RET(pinctl_census_machine(c, &big.m), 0);
	ASSERT_EQ(big.m.sz, sizeof(big));
	ASSERT_EQ(big.m.has_pinmgr, lt_have_netlink());
	ASSERT_ALL_BYTES(big.tail, sizeof(big.tail), 0);
	pinctl_census_unref(c);
	pinctl_unref(ctx);
}

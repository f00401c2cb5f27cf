// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinmgr-bench: the cost of pinning and unpinning user memory through
 * /dev/pinmgr, side by side with io_uring buffer registration, mlock and
 * the kernel's own gup_test, on 4 KiB pages, THP and hugetlb, in one boot;
 * what the generic netlink family costs: a dump of many leases, and a
 * monitor listener's cost to PIN+UNPIN; and what watched leases cost and
 * save: a registration cache's hit, a watched PIN+UNPIN, munmap() of a
 * watched page and the STALE event's delay; what the driver's tracepoints
 * cost a pin when enabled; and how long libpinctl's census of the
 * machine's pins takes among 10,000 processes.
 * Prints a table on stdout and, with --json, writes every figure as JSON.
 * Progress goes to stderr. See docs/benchmarks.md.
 *
 * Exit status: 0 when the bench ran (interfaces that failed are recorded
 * in the output), 1 when it could not run (no /dev/pinmgr), 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "gup-test-abi.h"

static const size_t full_sizes[] = {
	4 * KIB, 64 * KIB, 2 * MIB, 64 * MIB, 256 * MIB, 1 * GIB,
};
static const size_t quick_sizes[] = { 4 * KIB, 64 * KIB, 2 * MIB };

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pinmgr-bench [--quick] [--json FILE] [--sizes LIST]\n"
		"                    [--backings LIST] [--gup-batch N]\n"
		"                    [--foll-longterm HEX] [--dump-leases N]\n"
		"                    [--census-procs N]\n"
		"       pinmgr-bench --loop ID [--seconds S] [--sizes SIZE]\n"
		"                    [--backings BACKING]\n"
		"\n"
		"Measures PIN+UNPIN through /dev/pinmgr against io_uring buffer\n"
		"registration, mlock/munlock and gup_test's raw in-kernel cost,\n"
		"a netlink dump of many leases, PIN+UNPIN with a netlink\n"
		"monitor listener, watched leases: a registration cache's\n"
		"hit, PIN+UNPIN with a watch, munmap() of a watched page and\n"
		"its STALE event; exported leases; and PIN+UNPIN in a cgroup\n"
		"three levels deep with a budget on each level; PIN+UNPIN with\n"
		"the pinmgr tracepoints enabled; a census among many processes.\n"
		"\n"
		"  --quick            4 KiB, 64 KiB and 2 MiB only, few repeats, 64\n"
		"                     buffers at once, short scaling loops, a dump\n"
		"                     of 5000 leases, a census among 250 more\n"
		"                     processes\n"
		"  --json FILE        write every figure as JSON to FILE\n"
		"  --sizes LIST       comma-separated sizes (K, M, G suffixes)\n"
		"  --backings LIST    comma-separated: 4k,thp,hugetlb\n"
		"  --gup-batch N      gup_test nr_pages_per_call (default 512)\n"
		"  --foll-longterm X  the kernel's FOLL_LONGTERM, if not 6.12's\n"
		"  --dump-leases N    leases in the netlink dump (default 100000)\n"
		"  --census-procs N   processes added for the census (default 10000)\n"
		"  --loop ID          only run interface ID's cycle (e.g. pinmgr-wl,\n"
		"                     io_uring, null-ioctl-pair) back to back on the\n"
		"                     first size (4K) and backing (4k), for a profiler\n"
		"  --seconds S        how long --loop runs (default 5)\n"
		"  -h, --help         this text\n"
		"\n"
		"Run as root with pinmgr.ko loaded. Exit: 0 ran (failed interfaces\n"
		"are recorded), 1 cannot run, 2 usage.\n");
}

static int parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'K': case 'k': v *= KIB; end++; break;
	case 'M': case 'm': v *= MIB; end++; break;
	case 'G': case 'g': v *= GIB; end++; break;
	}
	if (*end || !v || v % BASE_PAGE || v > 4 * GIB)
		return -1;
	*out = v;
	return 0;
}

static int parse_sizes(char *list, struct options *o)
{
	char *save = NULL, *tok;

	o->nr_sizes = 0;
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (o->nr_sizes == MAX_SIZES ||
		    parse_size(tok, &o->sizes[o->nr_sizes]))
			return -1;
		o->nr_sizes++;
	}
	return o->nr_sizes ? 0 : -1;
}

static int parse_backings(char *list, struct options *o)
{
	char *save = NULL, *tok;
	int b, any = 0;

	for (b = 0; b < NR_BACKINGS; b++)
		o->backing_on[b] = false;
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (b = 0; b < NR_BACKINGS; b++)
			if (!strcmp(tok, backing_id(b)))
				break;
		if (b == NR_BACKINGS)
			return -1;
		o->backing_on[b] = true;
		any = 1;
	}
	return any ? 0 : -1;
}

static void set_mode(struct options *o)
{
	const size_t *sizes = o->quick ? quick_sizes : full_sizes;
	unsigned int n = o->quick ? sizeof(quick_sizes) / sizeof(*sizes) :
				    sizeof(full_sizes) / sizeof(*sizes);

	memcpy(o->sizes, sizes, n * sizeof(*sizes));
	o->nr_sizes = n;
	if (o->quick) {
		o->budget = (struct budget){ .min_samples = 3,
					     .max_samples = 7,
					     .cell_ns = 150 * 1000000LL,
					     .sample_ns = 2 * 1000000LL };
		o->multi_budget = (struct budget){ .min_samples = 3,
						   .max_samples = 3,
						   .cell_ns = 0 };
		o->multi_n = 64;
		o->scale_secs = 0.3;
		o->scale_rounds = 1;
		o->dump_leases = 5000;
		o->dump_repeats = 3;
		o->monitor_rounds = 1;
		o->floor_rounds = 1;
		o->watch_rounds = 1;
		o->stale_samples = 20;
		o->budget_rounds = 1;
		o->trace_rounds = 1;
		/* the debug kernel takes 4 ms a process per census */
		o->census_procs = 250;
		o->census_repeats = 1;
	} else {
		o->budget = (struct budget){ .min_samples = 5,
					     .max_samples = 41,
					     .cell_ns = 1500 * 1000000LL,
					     .sample_ns = 2 * 1000000LL };
		o->multi_budget = (struct budget){ .min_samples = 5,
						   .max_samples = 21,
						   .cell_ns = 3000 * 1000000LL };
		o->multi_n = 1024;
		o->scale_secs = 2.0;
		o->scale_rounds = 3;
		o->dump_leases = 100000;
		o->dump_repeats = 5;
		o->monitor_rounds = 3;
		o->floor_rounds = 3;
		o->watch_rounds = 3;
		o->stale_samples = 200;
		o->budget_rounds = 3;
		o->trace_rounds = 3;
		o->census_procs = CENSUS_TARGET_PROCS;
		o->census_repeats = 5;
	}
	o->multi_size = 64 * KIB;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "json", required_argument, NULL, 'j' },
		{ "sizes", required_argument, NULL, 's' },
		{ "backings", required_argument, NULL, 'b' },
		{ "gup-batch", required_argument, NULL, 'g' },
		{ "foll-longterm", required_argument, NULL, 'f' },
		{ "dump-leases", required_argument, NULL, 'd' },
		{ "census-procs", required_argument, NULL, 'c' },
		{ "loop", required_argument, NULL, 'l' },
		{ "seconds", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *sizes = NULL, *backings = NULL, *end;
	unsigned long v, dump_leases = 0, census_procs = 0;
	int c, b;

	memset(o, 0, sizeof(*o));
	o->gup_batch = 512;
	o->loop_secs = 5;
	o->foll_longterm = -1;
	for (b = 0; b < NR_BACKINGS; b++)
		o->backing_on[b] = true;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'q': o->quick = true; break;
		case 'j': o->json_path = optarg; break;
		case 's': sizes = optarg; break;
		case 'b': backings = optarg; break;
		case 'g':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || !v || v > (1UL << 20))
				return -1;
			o->gup_batch = v;
			break;
		case 'f':
			errno = 0;
			v = strtoul(optarg, &end, 16);
			if (errno || *end || !v || v > 0xffffffffUL)
				return -1;
			o->foll_longterm = v;
			break;
		case 'd':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || !v || v > 1000000)
				return -1;
			dump_leases = v;
			break;
		case 'c':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || !v || v > 100000)
				return -1;
			census_procs = v;
			break;
		case 'l':
			if (!iface_find(optarg))
				return -1;
			o->loop_id = optarg;
			break;
		case 'S':
			errno = 0;
			o->loop_secs = strtod(optarg, &end);
			if (errno || *end || !(o->loop_secs > 0) ||
			    o->loop_secs > 3600)
				return -1;
			break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	if (optind != argc)
		return -1;
	set_mode(o);
	if (o->loop_id && !sizes)
		o->nr_sizes = 1;	/* 4 KiB */
	if (o->loop_id && !backings)
		for (b = BACKING_THP; b < NR_BACKINGS; b++)
			o->backing_on[b] = false;
	if (dump_leases)
		o->dump_leases = dump_leases;
	if (census_procs)
		o->census_procs = census_procs;
	if (sizes && parse_sizes(sizes, o))
		return -1;
	if (backings && parse_backings(backings, o))
		return -1;
	return 0;
}

/* ---- what machine this is ---- */

static void read_line_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static void collect_sysinfo(struct sysinfo_run *s)
{
	struct utsname u;
	char line[256];
	time_t t = time(NULL);
	struct tm tm;
	FILE *f;

	memset(s, 0, sizeof(*s));
	if (!uname(&u)) {
		snprintf(s->release, sizeof(s->release), "%s", u.release);
		snprintf(s->version, sizeof(s->version), "%s", u.version);
		snprintf(s->machine, sizeof(s->machine), "%s", u.machine);
	}
	gmtime_r(&t, &tm);
	strftime(s->date, sizeof(s->date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	s->cpus = sysconf(_SC_NPROCESSORS_ONLN);
	read_line_file("/sys/kernel/mm/transparent_hugepage/enabled",
		       s->thp_enabled, sizeof(s->thp_enabled));
	f = fopen("/proc/meminfo", "re");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "MemTotal: %ld kB", &s->mem_total_kb) == 1)
				break;
		fclose(f);
	}
}

/*
 * FOLL_LONGTERM of the running kernel, for gup_test's gup_flags: known for
 * the 6.12 kernels built here (and 6.1); other releases need
 * --foll-longterm, since a wrong bit makes the kernel WARN.
 */
static int foll_longterm_for(const char *release, unsigned int *value)
{
	int major = 0, minor = 0;

	if (sscanf(release, "%d.%d", &major, &minor) != 2)
		return -1;
	if (major == 6 && minor == 12) {
		*value = GUPT_FOLL_LONGTERM_6_3;
		return 0;
	}
	if (major == 6 && minor == 1) {
		*value = GUPT_FOLL_LONGTERM_OLD;
		return 0;
	}
	return -1;
}

/* ---- measuring one interface on one region ---- */

static void set_error(int err, char *why, const char *what)
{
	snprintf(why, WHY_LEN, "%s: %s", what, strerror(-err));
}

/*
 * One interface's measurement in a cell, taken in pieces so that a cell's
 * interfaces can take their samples in turn (measure_cell()).
 */
struct sampling {
	const struct iface *ifc;
	struct iface_result *out;
	unsigned int k;			/* cycles per sample */
	unsigned int n;			/* samples taken */
	double *v, *pin, *unpin, *wall;
};

/* Probe: the first cycles warm up, show the interface works, and set k. */
static bool sampling_begin(struct sampling *sp, struct bench_env *env,
			   const struct iface *ifc, const struct region *r,
			   const struct budget *b, struct iface_result *out)
{
	struct cycle_result cr;
	int64_t t0, t, best = INT64_MAX;
	unsigned int probes;
	int ret;

	memset(sp, 0, sizeof(*sp));
	sp->ifc = ifc;
	sp->out = out;
	memset(out, 0, sizeof(*out));
	out->measured = true;
	if (ifc->needs_gup && env->gup_fd < 0) {
		out->absent = true;
		out->err = -env->gup_errno;
		snprintf(out->why, WHY_LEN, "no gup_test in this kernel (%s)",
			 strerror(env->gup_errno));
		return false;
	}
	for (probes = 0; probes < 3; probes++) {
		memset(&cr, 0, sizeof(cr));
		t0 = now_ns();
		ret = ifc->cycle(env, r, &cr);
		t = now_ns() - t0;
		if (ret) {
			out->err = ret;
			set_error(ret, out->why, ifc->label);
			return false;
		}
		if (t < best)
			best = t;
		if (t > b->sample_ns)
			break;
	}
	sp->k = best >= b->sample_ns ? 1 :
		(unsigned int)(b->sample_ns / (best + 1));
	if (sp->k < 1)
		sp->k = 1;
	if (sp->k > 10000)
		sp->k = 10000;
	sp->v = calloc(b->max_samples, sizeof(*sp->v));
	sp->pin = calloc(b->max_samples, sizeof(*sp->pin));
	sp->unpin = calloc(b->max_samples, sizeof(*sp->unpin));
	sp->wall = calloc(b->max_samples, sizeof(*sp->wall));
	if (!sp->v || !sp->pin || !sp->unpin || !sp->wall) {
		out->err = -ENOMEM;
		set_error(out->err, out->why, "allocating samples");
		return false;
	}
	return true;
}

/* One sample of k cycles; false (and the error recorded) if one failed. */
static bool sampling_take(struct sampling *sp, struct bench_env *env,
			  const struct region *r)
{
	double s = 0, sg = 0, su = 0, sw = 0;
	struct cycle_result cr;
	unsigned int i;
	int ret;

	for (i = 0; i < sp->k; i++) {
		memset(&cr, 0, sizeof(cr));
		ret = sp->ifc->cycle(env, r, &cr);
		if (ret) {
			sp->out->err = ret;
			set_error(ret, sp->out->why, sp->ifc->label);
			return false;
		}
		s += cr.ns;
		sg += cr.pin_ns;
		su += cr.unpin_ns;
		sw += cr.wall_ns;
	}
	sp->v[sp->n] = s / sp->k;
	sp->pin[sp->n] = sg / sp->k;
	sp->unpin[sp->n] = su / sp->k;
	sp->wall[sp->n] = sw / sp->k;
	sp->n++;
	return true;
}

/* The figures, unless the interface failed; frees the samples. */
static void sampling_end(struct sampling *sp)
{
	struct iface_result *out = sp->out;

	if (!out->err && sp->n) {
		stats_compute(&out->st, sp->v, sp->n);
		out->st.cycles_per_sample = sp->k;
		stats_compute(&out->pin, sp->pin, sp->n);
		stats_compute(&out->unpin, sp->unpin, sp->n);
		if (sp->ifc->raw)
			stats_compute(&out->wall, sp->wall, sp->n);
	}
	free(sp->v);
	free(sp->pin);
	free(sp->unpin);
	free(sp->wall);
}

void measure(struct bench_env *env, const struct iface *ifc,
	     const struct region *r, const struct budget *b,
	     struct iface_result *out)
{
	struct sampling sp;
	int64_t start;

	if (sampling_begin(&sp, env, ifc, r, b, out)) {
		start = now_ns();
		while (sp.n < b->max_samples &&
		       (sp.n < b->min_samples || now_ns() - start < b->cell_ns))
			if (!sampling_take(&sp, env, r))
				break;
	}
	sampling_end(&sp);
}

/*
 * A cell's interfaces, a sample each in turn, so that a slow spell of the
 * host falls on all of them rather than on the one measured then: their
 * ratios, to raw above all, are what the cell is for. The time budget is
 * per interface, as if each were measured alone.
 */
static void measure_cell(struct bench_env *env, const struct region *r,
			 const struct budget *b, struct cell *c)
{
	struct sampling sp[MAX_IFACES];
	unsigned int i, n, live = 0;
	int64_t start;

	/* An interface that failed has its error recorded: out of the rounds. */
	for (i = 0; i < nr_ifaces; i++)
		if (sampling_begin(&sp[i], env, &ifaces[i], r, b, &c->res[i]))
			live++;
	start = now_ns();
	for (n = 0; live && n < b->max_samples &&
	     (n < b->min_samples || now_ns() - start < b->cell_ns * nr_ifaces);
	     n++) {
		for (i = 0; i < nr_ifaces; i++)
			if (!sp[i].out->err && !sampling_take(&sp[i], env, r))
				live--;
	}
	for (i = 0; i < nr_ifaces; i++)
		sampling_end(&sp[i]);
}

static void run_cell(struct bench_env *env, const struct options *o,
		     struct cell *c, long hugetlb_free, struct results *res)
{
	struct region r;
	char sz[32];
	int ret;

	size_str(c->size, sz, sizeof(sz));
	if (c->size < backing_page_size(c->backing) ||
	    c->size % backing_page_size(c->backing)) {
		c->status = CELL_SKIPPED;
		snprintf(c->why, WHY_LEN, "not a multiple of the %zu KiB page",
			 backing_page_size(c->backing) / KIB);
		return;
	}
	if (c->backing == BACKING_HUGETLB &&
	    (long)(c->size / HUGE_PAGE) > hugetlb_free) {
		c->status = CELL_NOT_BACKED;
		snprintf(c->why, WHY_LEN,
			 "only %ld huge pages could be reserved, %zu needed",
			 hugetlb_free, c->size / HUGE_PAGE);
		return;
	}
	fprintf(stderr, "pinmgr-bench: %s %s\n", backing_id(c->backing), sz);
	ret = region_map(&r, c->backing, c->size);
	if (ret) {
		c->status = CELL_NOT_BACKED;
		set_error(ret, c->why, "mmap");
		return;
	}
	if (region_confirm(&r, c->why, WHY_LEN)) {
		c->status = CELL_NOT_BACKED;
		goto out_unmap;
	}
	c->status = CELL_OK;
	measure_cell(env, &r, &o->budget, c);
	if (region_confirm(&r, c->why_after, WHY_LEN))
		c->changed_after = true;

	if (c->size == largest_size(o)) {
		struct meta_result *m = &res->meta[c->backing];

		m->measured = true;
		m->status = CELL_OK;
		m->size = c->size;
		m->err = pinmgr_query_lease(env->pinmgr_fd, &r,
					    &m->metadata_bytes, &m->nr_runs,
					    &m->nr_pages);
		if (m->err)
			set_error(m->err, m->why, "PIN+QUERY");
	}
out_unmap:
	region_unmap(&r);
}

/* ---- many buffers at once ---- */

/* One many-buffer interface's state and samples while the rounds go on. */
struct multi_run {
	const struct multi_iface *mi;
	struct multi_result *out;
	void *state;
	double *reg, *unreg, *total;
};

static int multi_sample(struct bench_env *env, const struct options *o,
			struct multi_run *m, unsigned int n)
{
	int64_t t0, t1, t2;
	int ret;

	t0 = now_ns();
	ret = m->mi->reg(env, m->state, o->multi_n);
	t1 = now_ns();
	if (ret)
		return ret;
	ret = m->mi->unreg(env, m->state, o->multi_n);
	t2 = now_ns();
	m->reg[n] = t1 - t0;
	m->unreg[n] = t2 - t1;
	m->total[n] = t2 - t0;
	return ret;
}

static void multi_fail(struct multi_run *m, int err)
{
	m->out->err = err;
	set_error(err, m->out->why, m->mi->label);
}

/*
 * Every interface registers and unregisters all the buffers once per
 * round, in turn, so that a slow spell of the host falls on all of them:
 * in one interface's samples after another's, it fell on one only.
 */
static void run_multi_rounds(struct bench_env *env, const struct options *o,
			     const struct region *bufs, struct results *res)
{
	const struct budget *b = &o->multi_budget;
	struct multi_run runs[MAX_IFACES] = { 0 };
	unsigned int i, n = 0, live = 0;
	struct multi_run *m;
	struct budget raw_budget;
	struct sampling raw;
	bool raw_live;
	int64_t start;
	int ret;

	/*
	 * What pinning one buffer costs inside the kernel, measured in the
	 * same rounds: the floor of any interface that pins these pages.
	 */
	raw_budget = *b;
	raw_budget.sample_ns = o->budget.sample_ns;	/* k cycles a sample */
	raw_live = sampling_begin(&raw, env, iface_find(RAW_IFACE_ID), &bufs[0],
				  &raw_budget, &res->multi_raw);

	for (i = 0; i < nr_multi_ifaces; i++) {
		m = &runs[i];
		m->mi = &multi_ifaces[i];
		m->out = &res->multi[i];
		memset(m->out, 0, sizeof(*m->out));
		m->out->measured = true;
		m->reg = calloc(b->max_samples, sizeof(*m->reg));
		m->unreg = calloc(b->max_samples, sizeof(*m->unreg));
		m->total = calloc(b->max_samples, sizeof(*m->total));
		if (!m->reg || !m->unreg || !m->total) {
			multi_fail(m, -ENOMEM);
			continue;
		}
		ret = m->mi->prepare(env, bufs, o->multi_n, &m->state);
		if (ret) {
			m->state = NULL;
			multi_fail(m, ret);
			continue;
		}
		/* one unmeasured round first: warm-up, and proof that it works */
		ret = m->mi->reg(env, m->state, o->multi_n);
		if (!ret)
			ret = m->mi->unreg(env, m->state, o->multi_n);
		if (ret)
			multi_fail(m, ret);
		else
			live++;
	}
	/* The budget is per interface, as for a cell. */
	start = now_ns();
	while (live && n < b->max_samples &&
	       (n < b->min_samples ||
		now_ns() - start < b->cell_ns * (int64_t)nr_multi_ifaces)) {
		for (i = 0; i < nr_multi_ifaces; i++) {
			m = &runs[i];
			if (m->out->err)
				continue;
			ret = multi_sample(env, o, m, n);
			if (ret) {
				multi_fail(m, ret);
				live--;
			}
		}
		if (raw_live)
			raw_live = sampling_take(&raw, env, &bufs[0]);
		n++;
	}
	sampling_end(&raw);
	for (i = 0; i < nr_multi_ifaces; i++) {
		m = &runs[i];
		if (!m->out->err) {
			stats_compute(&m->out->reg, m->reg, n);
			stats_compute(&m->out->unreg, m->unreg, n);
			stats_compute(&m->out->total, m->total, n);
		}
		if (m->state)
			m->mi->release(m->state);
		free(m->reg);
		free(m->unreg);
		free(m->total);
	}
}

static void run_multis(struct bench_env *env, const struct options *o,
		       struct results *res)
{
	struct region whole, *bufs;
	unsigned int i;
	int ret;

	char why[WHY_LEN];

	fprintf(stderr, "pinmgr-bench: %u buffers of %zu KiB at once\n",
		o->multi_n, o->multi_size / KIB);
	bufs = calloc(o->multi_n, sizeof(*bufs));
	ret = bufs ? region_map(&whole, BACKING_4K,
				(size_t)o->multi_n * o->multi_size) : -ENOMEM;
	if (ret) {
		set_error(ret, why, "mapping the buffers");
	} else if (region_confirm(&whole, why, WHY_LEN)) {
		ret = -EINVAL;
		region_unmap(&whole);
	}
	if (ret) {
		/* every interface records why it has no figure */
		for (i = 0; i < nr_multi_ifaces; i++) {
			res->multi[i].measured = true;
			res->multi[i].err = ret;
			snprintf(res->multi[i].why, WHY_LEN, "%s", why);
		}
		free(bufs);
		return;
	}
	for (i = 0; i < o->multi_n; i++) {
		bufs[i].addr = (char *)whole.addr + (size_t)i * o->multi_size;
		bufs[i].length = o->multi_size;
		bufs[i].backing = BACKING_4K;
	}
	run_multi_rounds(env, o, bufs, res);
	free(bufs);
	region_unmap(&whole);
}

/* ---- scaling: one thread against two, each with its own handles ---- */

/* Starts the threads' loops together, once all have set up. */
struct start_gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int ready;
	bool go;
};

struct scale_thread {
	const struct scale_iface *si;
	struct start_gate *gate;
	int64_t duration_ns;
	uint64_t ops;
	int64_t elapsed_ns;
	int err;
};

static void gate_arrive(struct start_gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->ready++;
	pthread_cond_broadcast(&g->cond);
	while (!g->go)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

static void gate_open(struct start_gate *g, unsigned int nr)
{
	pthread_mutex_lock(&g->lock);
	while (g->ready < nr)
		pthread_cond_wait(&g->cond, &g->lock);
	g->go = true;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

static void *scale_worker(void *arg)
{
	struct scale_thread *t = arg;
	struct region r = { 0 };
	void *state = NULL;
	int64_t start, now;
	int ret;

	ret = region_map(&r, BACKING_4K, 64 * KIB);
	if (!ret) {
		ret = t->si->open(&state);
		if (ret)
			region_unmap(&r);
	}
	t->err = ret;
	/* Everyone arrives, even a thread that failed: the gate counts. */
	gate_arrive(t->gate);
	if (ret)
		return NULL;
	start = now = now_ns();
	while (now - start < t->duration_ns) {
		ret = t->si->cycle(state, &r);
		if (ret) {
			t->err = ret;
			break;
		}
		t->ops++;
		now = now_ns();
	}
	t->elapsed_ns = now - start;
	t->si->close(state);
	region_unmap(&r);
	return NULL;
}

/* ops/s of @nr threads together; *err set on failure */
static double scale_round(const struct scale_iface *si, unsigned int nr,
			  int64_t duration_ns, int *err)
{
	struct start_gate gate = { .lock = PTHREAD_MUTEX_INITIALIZER,
				   .cond = PTHREAD_COND_INITIALIZER };
	struct scale_thread t[2];
	pthread_t tid[2];
	double ops = 0;
	unsigned int i, started = 0;
	int ret;

	*err = 0;
	for (i = 0; i < nr && i < 2; i++) {
		t[i] = (struct scale_thread){ .si = si, .gate = &gate,
					      .duration_ns = duration_ns };
		ret = pthread_create(&tid[i], NULL, scale_worker, &t[i]);
		if (ret) {
			*err = -ret;
			break;
		}
		started++;
	}
	gate_open(&gate, started);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	if (*err)
		return 0;
	for (i = 0; i < started; i++) {
		if (t[i].err) {
			*err = t[i].err;
			return 0;
		}
		if (t[i].elapsed_ns > 0)
			ops += t[i].ops * (double)NSEC_PER_SEC / t[i].elapsed_ns;
	}
	return ops;
}

static void run_scaling(const struct options *o, const struct scale_iface *si,
			struct scale_result *out)
{
	int64_t dur = (int64_t)(o->scale_secs * NSEC_PER_SEC);
	double one[16], two[16];
	unsigned int i, n = o->scale_rounds > 16 ? 16 : o->scale_rounds;
	int err = 0;

	memset(out, 0, sizeof(*out));
	out->measured = true;
	fprintf(stderr, "pinmgr-bench: scaling of %s\n", si->id);
	for (i = 0; i < n && !err; i++) {
		one[i] = scale_round(si, 1, dur, &err);
		if (!err)
			two[i] = scale_round(si, 2, dur, &err);
	}
	if (err) {
		out->err = err;
		set_error(err, out->why, si->label);
		return;
	}
	stats_compute(&out->one, one, n);
	stats_compute(&out->two, two, n);
	out->ratio = out->one.median > 0 ? out->two.median / out->one.median : 0;
}

/*
 * --loop: one interface's cycle back to back on one region, for as long
 * as asked, so that a profiler attached to the whole guest (perf record
 * -a) sees that path and little else. Prints what it did; 0 or 1.
 */
static int run_loop(struct bench_env *env, const struct options *o)
{
	struct hugetlb_reservation hres = { .old_nr = -1 };
	const struct iface *ifc = iface_find(o->loop_id);
	int64_t start, stop, elapsed;
	struct cycle_result cr;
	enum backing b = BACKING_4K;
	unsigned long long cycles = 0;
	char why[WHY_LEN], sz[32];
	struct region r;
	unsigned int i;
	int ret;

	while (!o->backing_on[b])
		b++;
	size_str(o->sizes[0], sz, sizeof(sz));
	if (b == BACKING_HUGETLB) {
		ret = hugetlb_reserve(&hres, o->sizes[0] / HUGE_PAGE);
		if (ret) {
			set_error(ret, why, "reserving huge pages");
			goto out_fail;
		}
	}
	ret = region_map(&r, b, o->sizes[0]);
	if (ret) {
		set_error(ret, why, "mmap");
		goto out_restore;
	}
	if (region_confirm(&r, why, sizeof(why))) {
		ret = -EINVAL;
		goto out_unmap;
	}
	start = now_ns();
	stop = start + (int64_t)(o->loop_secs * NSEC_PER_SEC);
	do {
		for (i = 0; i < 64; i++) {
			ret = ifc->cycle(env, &r, &cr);
			if (ret) {
				set_error(ret, why, ifc->label);
				goto out_unmap;
			}
		}
		cycles += i;
	} while (now_ns() < stop);
	elapsed = now_ns() - start;
	printf("%s, %s on %s: %llu cycles in %.2f s, %.0f ns per cycle\n",
	       ifc->label, sz, backing_id(b), cycles,
	       (double)elapsed / NSEC_PER_SEC, (double)elapsed / cycles);
out_unmap:
	region_unmap(&r);
out_restore:
	hugetlb_restore(&hres);
	if (!ret)
		return 0;
out_fail:
	fprintf(stderr, "pinmgr-bench: --loop %s: %s\n", o->loop_id, why);
	return 1;
}

int main(int argc, char **argv)
{
	struct hugetlb_reservation hres = { .old_nr = -1 };
	struct bench_env env = { .pinmgr_fd = -1, .gup_fd = -1 };
	static const enum backing order[] = {
		/* hugetlb first, while free memory is least fragmented */
		BACKING_HUGETLB, BACKING_THP, BACKING_4K,
	};
	struct options o;
	struct results res;
	int64_t start = now_ns();
	unsigned int i, s, nb;
	int ret, rc = 0;

	if (parse_args(argc, argv, &o)) {
		usage(stderr);
		return 2;
	}
	memset(&res, 0, sizeof(res));
	collect_sysinfo(&res.sys);

	ret = env_open(&env);
	if (ret) {
		fprintf(stderr, "pinmgr-bench: cannot open /dev/pinmgr: %s (is pinmgr.ko loaded? run as root)\n",
			strerror(-ret));
		return 1;
	}
	env.gup_batch = o.gup_batch;
	env.foll_write = GUPT_FOLL_WRITE;
	if (o.foll_longterm > 0) {
		env.foll_longterm = o.foll_longterm;
	} else if (foll_longterm_for(res.sys.release, &env.foll_longterm)) {
		/* unknown kernel: gup_test would WARN on a wrong bit */
		res.foll_unknown = env.gup_fd >= 0;
		if (env.gup_fd >= 0) {
			close(env.gup_fd);
			env.gup_fd = -1;
			env.gup_errno = ENOTSUP;
		}
	}
	res.gup_present = env.gup_fd >= 0;
	res.gup_errno = env.gup_errno;
	res.ring_err = env.ring_err;
	res.foll_write = env.foll_write;
	res.foll_longterm = env.foll_longterm;
	if (o.loop_id) {
		rc = run_loop(&env, &o);
		env_close(&env);
		return rc;
	}

	res.cells = calloc((size_t)NR_BACKINGS * o.nr_sizes, sizeof(*res.cells));
	if (!res.cells) {
		fprintf(stderr, "pinmgr-bench: out of memory\n");
		env_close(&env);
		return 1;
	}
	for (nb = 0; nb < NR_BACKINGS; nb++) {
		enum backing b = order[nb];
		long huge_free = 0;
		int huge_err = 0;

		if (!o.backing_on[b])
			continue;
		if (b == BACKING_HUGETLB) {
			size_t need = 0;

			for (s = 0; s < o.nr_sizes; s++)
				if (o.sizes[s] > need)
					need = o.sizes[s];
			huge_err = hugetlb_reserve(&hres, need / HUGE_PAGE);
			huge_free = huge_err ? 0 : hres.free_pages;
			res.sys.hugetlb_reserved = huge_free;
		}
		for (s = 0; s < o.nr_sizes; s++) {
			struct cell *c = &res.cells[res.nr_cells++];

			c->backing = b;
			c->size = o.sizes[s];
			if (huge_err) {
				c->status = CELL_NOT_BACKED;
				set_error(huge_err, c->why,
					  "reserving huge pages (nr_hugepages)");
				continue;
			}
			run_cell(&env, &o, c, huge_free, &res);
		}
		if (!res.meta[b].measured) {
			res.meta[b].size = largest_size(&o);
			for (i = 0; i < res.nr_cells; i++) {
				struct cell *c = &res.cells[i];

				if (c->backing == b && c->size == res.meta[b].size) {
					res.meta[b].status = c->status;
					snprintf(res.meta[b].why, WHY_LEN, "%s",
						 c->why);
				}
			}
		}
		if (b == BACKING_HUGETLB)
			hugetlb_restore(&hres);
	}

	run_multis(&env, &o, &res);
	for (i = 0; i < nr_scale_ifaces; i++)
		run_scaling(&o, &scale_ifaces[i], &res.scale[i]);
	run_ends(&o, &res.ends);
	run_netlink_dump(&o, &res.dump);
	run_monitor(&env, &o, &res.monitor);
	run_floor(&env, &o, &res.floor);
	run_watch(&env, &o, &res.watch);
	run_export(&env, &o, &res.exports);
	run_budgets(&env, &o, &res.budgets);
	run_trace(&env, &o, &res.trace);
	env_close(&env);
	/* last: its helper is a fork of the bench, which holds little now */
	run_census(&o, &res.census);
	res.wall_ns = now_ns() - start;

	report_table(stdout, &o, &res);
	if (o.json_path) {
		ret = report_json(o.json_path, &o, &res);
		if (ret) {
			fprintf(stderr, "pinmgr-bench: cannot write %s: %s\n",
				o.json_path, strerror(-ret));
			rc = 1;
		}
	}
	free(res.cells);
	return rc;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinmgr-bench: the results as a table for people and as JSON (json-c does
 * the writing and escaping) for scripts. Both come from the same results
 * and the same list of DESIGN targets, so they cannot disagree.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json.h>

#include "bench.h"

/* Raw figures are whole microseconds for get and for put: coarse below. */
#define RAW_COARSE_NS 20000.0

static int iface_index(const char *id)
{
	unsigned int i;

	for (i = 0; i < nr_ifaces; i++)
		if (!strcmp(ifaces[i].id, id))
			return i;
	return -1;
}

static int multi_index(const char *id)
{
	unsigned int i;

	for (i = 0; i < nr_multi_ifaces; i++)
		if (!strcmp(multi_ifaces[i].id, id))
			return i;
	return -1;
}

static int scale_index(const char *id)
{
	unsigned int i;

	for (i = 0; i < nr_scale_ifaces; i++)
		if (!strcmp(scale_ifaces[i].id, id))
			return i;
	return -1;
}

static bool result_ok(const struct iface_result *r)
{
	return r->measured && !r->err && !r->absent && r->st.samples;
}

/* The raw median of a cell, or 0 when there is none. */
static double cell_raw(const struct cell *c)
{
	int ri = iface_index(RAW_IFACE_ID);

	if (c->status != CELL_OK || ri < 0 || !result_ok(&c->res[ri]))
		return 0;
	return c->res[ri].st.median;
}

static const struct cell *find_cell(const struct results *r, enum backing b,
				    size_t size)
{
	unsigned int i;

	for (i = 0; i < r->nr_cells; i++)
		if (r->cells[i].backing == b && r->cells[i].size == size)
			return &r->cells[i];
	return NULL;
}

const char *size_str(size_t size, char *buf, size_t len)
{
	if (size >= GIB && !(size % GIB))
		snprintf(buf, len, "%zu GiB", size / GIB);
	else if (size >= MIB && !(size % MIB))
		snprintf(buf, len, "%zu MiB", size / MIB);
	else
		snprintf(buf, len, "%zu KiB", size / KIB);
	return buf;
}

size_t largest_size(const struct options *o)
{
	size_t m = 0;
	unsigned int i;

	for (i = 0; i < o->nr_sizes; i++)
		if (o->sizes[i] > m)
			m = o->sizes[i];
	return m;
}

static const char *time_str(double ns, char *buf, size_t len)
{
	if (ns < 1e3)
		snprintf(buf, len, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.3g us", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.3g ms", ns / 1e6);
	else
		snprintf(buf, len, "%.3g s", ns / 1e9);
	return buf;
}

/* ---- DESIGN targets, shared by the table and the JSON ---- */

enum target_state { TARGET_NOT_MEASURED = -1, TARGET_NOT_MET, TARGET_MET };

struct target {
	char name[128];
	char rule[64];
	double value;
	enum target_state state;
	/*
	 * 0, or the best value any interface could reach in this boot, from
	 * what it cannot avoid (bound_why); a target beyond it cannot be met
	 * on this machine by making the driver leaner.
	 */
	double bound;
	const char *bound_why;
	/* 0, or the same ratio measured another way in this run (other_what) */
	double other;
	const char *other_what;
};

/* Two measurements of one ratio further apart than this: run it again. */
#define DISAGREE_FACTOR 1.5

#define MAX_TARGETS 32

static void target_set(struct target *t, double value, double limit,
		       bool at_least)
{
	t->value = value;
	if (value <= 0)
		t->state = TARGET_NOT_MEASURED;
	else
		t->state = (at_least ? value >= limit : value <= limit) ?
				   TARGET_MET : TARGET_NOT_MET;
}

/* The largest (or smallest) measured export cell of backing @b, or NULL. */
static const struct export_cell *export_extreme(const struct export_result *r,
						 enum backing b, bool largest)
{
	const struct export_cell *best = NULL;
	unsigned int i;

	if (!r->measured || r->err)
		return NULL;
	for (i = 0; i < r->nr_cells; i++)
		if (r->cells[i].backing == b && r->cells[i].status == CELL_OK &&
		    r->cells[i].ratio > 0 &&
		    (!best || (largest ? r->cells[i].size > best->size :
					 r->cells[i].size < best->size)))
			best = &r->cells[i];
	return best;
}

/*
 * The export path within 1.1x of udmabuf's on memfd memory of 4 KiB pages,
 * faster on huge pages; one scatterlist entry per 2 MiB page at most.
 */
static unsigned int export_targets(const struct export_result *r,
				   struct target *t, unsigned int n)
{
	const struct export_cell *c;
	char sz[32];
	int b;

	/* One page: PIN, EXPORT and UNPIN are two system calls more. */
	c = export_extreme(r, BACKING_4K, false);
	snprintf(t[n].name, sizeof(t[n].name),
		 "pinmgr export / udmabuf, 4k, %s",
		 c ? size_str(c->size, sz, sizeof(sz)) : "smallest");
	snprintf(t[n].rule, sizeof(t[n].rule), "<= 1.10x");
	target_set(&t[n], c ? c->ratio : 0, 1.10, false);
	n++;
	for (b = 0; b < NR_BACKINGS; b++) {
		c = export_extreme(r, b, true);
		snprintf(t[n].name, sizeof(t[n].name),
			 "pinmgr export / udmabuf, %s, %s", backing_id(b),
			 c ? size_str(c->size, sz, sizeof(sz)) : "largest");
		snprintf(t[n].rule, sizeof(t[n].rule),
			 b == BACKING_4K ? "<= 1.10x" : "< 1.00x (pinmgr faster)");
		if (b == BACKING_4K)
			target_set(&t[n], c ? c->ratio : 0, 1.10, false);
		else
			target_set(&t[n], c ? c->ratio : 0, 0.9999, false);
		n++;
	}
	c = export_extreme(r, BACKING_THP, true);
	snprintf(t[n].name, sizeof(t[n].name),
		 "scatterlist entries of a %s THP export, per 2 MiB",
		 c ? size_str(c->size, sz, sizeof(sz)) : "THP");
	snprintf(t[n].rule, sizeof(t[n].rule), "<= 1 (one per run)");
	target_set(&t[n], c && c->sg_entries[EXPORT_PINMGR] ?
		   (double)c->sg_entries[EXPORT_PINMGR] /
		   (c->size / HUGE_PAGE) : 0, 1, false);
	n++;
	return n;
}

/*
 * Seconds for a census of CENSUS_TARGET_PROCS processes: the median with
 * the processes added, scaled by processes censused where the guest held
 * fewer (quick mode, or a fork that failed); 0 if none.
 */
static double census_seconds(const struct census_result *c, bool *scaled)
{
	*scaled = false;
	if (!c->measured || c->err || !c->verified || !c->st.samples ||
	    !c->procs)
		return 0;
	if (c->procs >= CENSUS_TARGET_PROCS)
		return c->st.median / 1e9;
	*scaled = true;
	return c->st.median / 1e9 * CENSUS_TARGET_PROCS / c->procs;
}

static void census_target(const struct census_result *c, struct target *t)
{
	bool scaled;
	double v = census_seconds(c, &scaled);

	if (scaled)
		snprintf(t->name, sizeof(t->name),
			 "census of 10,000 processes, s (scaled from %u)",
			 c->procs);
	else
		snprintf(t->name, sizeof(t->name),
			 "census of 10,000 processes, s");
	snprintf(t->rule, sizeof(t->rule), "<= 1 s");
	target_set(t, v, 1, false);
}

static unsigned int compute_targets(const struct options *o,
				    const struct results *r, struct target *t)
{
	static const size_t big[] = { 64 * MIB, 256 * MIB, 1 * GIB };
	int pi = iface_index(PINMGR_IFACE_ID), ui = iface_index(URING_IFACE_ID);
	const struct floor_result *fl = &r->floor;
	double cell_ratio;
	const struct cell *c;
	bool rounds;
	unsigned int n = 0, i;
	int b, mp, mu, sp;
	char sz[32];

	memset(t, 0, MAX_TARGETS * sizeof(*t));

	for (b = 0; b < NR_BACKINGS; b++) {
		double limit = b == BACKING_4K ? 1.10 : 1.25;

		for (i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
			c = find_cell(r, b, big[i]);
			if (!c)
				continue;
			snprintf(t[n].name, sizeof(t[n].name),
				 "pinmgr PIN+UNPIN / raw, %s, %s",
				 backing_id(b), size_str(big[i], sz, sizeof(sz)));
			snprintf(t[n].rule, sizeof(t[n].rule), "<= %.2fx", limit);
			target_set(&t[n], cell_raw(c) > 0 && result_ok(&c->res[pi]) ?
				   c->res[pi].st.median / cell_raw(c) : 0,
				   limit, false);
			n++;
		}
	}

	/*
	 * From the floor section's alternated rounds when it has them: a slow
	 * spell of the host falls on both interfaces there, where in a cell
	 * it can fall on one row only. The cell's figure goes beside it.
	 */
	c = find_cell(r, BACKING_4K, 4 * KIB);
	cell_ratio = c && c->status == CELL_OK && result_ok(&c->res[pi]) &&
		     result_ok(&c->res[ui]) ?
		     c->res[ui].st.median / c->res[pi].st.median : 0;
	rounds = fl->measured && !fl->err && fl->uring_ok &&
		 fl->f[FLOOR_PINMGR].cycle.median > 0;
	snprintf(t[n].name, sizeof(t[n].name),
		 "io_uring / pinmgr, one 4 KiB page");
	snprintf(t[n].rule, sizeof(t[n].rule), ">= 3x (pinmgr faster)");
	target_set(&t[n], rounds ? fl->f[FLOOR_URING].cycle.median /
				   fl->f[FLOOR_PINMGR].cycle.median :
				   cell_ratio, 3, true);
	if (rounds && cell_ratio > 0) {
		t[n].other = cell_ratio;
		t[n].other_what = "in the 4 KiB cell of 4k pages";
	}
	if (fl->measured && !fl->err && fl->uring_ok &&
	    fl->f[FLOOR_NULL_IOCTL].cycle.median > 0) {
		t[n].bound = fl->f[FLOOR_URING].cycle.median /
			     fl->f[FLOOR_NULL_IOCTL].cycle.median;
		t[n].bound_why = "io_uring over two ioctl()s that do nothing";
	}
	n++;

	/* Registering many buffers: PIN_VEC against io_uring's one call. */
	mp = multi_index(PINMGR_VEC_IFACE_ID);
	mu = multi_index(URING_IFACE_ID);
	snprintf(t[n].name, sizeof(t[n].name),
		 "io_uring / pinmgr PIN_VEC, registering many 64 KiB");
	snprintf(t[n].rule, sizeof(t[n].rule), ">= 2x (pinmgr faster)");
	target_set(&t[n], mp >= 0 && mu >= 0 && !r->multi[mp].err &&
		   !r->multi[mu].err && r->multi[mp].reg.median > 0 ?
		   r->multi[mu].reg.median / r->multi[mp].reg.median : 0,
		   2, true);
	if (t[n].state != TARGET_NOT_MEASURED &&
	    result_ok(&r->multi_raw) && r->multi_raw.pin.median > 0) {
		t[n].bound = r->multi[mu].reg.median /
			     (o->multi_n * r->multi_raw.pin.median);
		t[n].bound_why = "io_uring's registration over gup_test's pin of the same pages";
	}
	n++;

	snprintf(t[n].name, sizeof(t[n].name),
		 "metadata of a %s THP lease, bytes",
		 size_str(r->meta[BACKING_THP].size, sz, sizeof(sz)));
	snprintf(t[n].rule, sizeof(t[n].rule), "<= 16384 (for 1 GiB)");
	target_set(&t[n], r->meta[BACKING_THP].measured &&
		   !r->meta[BACKING_THP].err &&
		   r->meta[BACKING_THP].status == CELL_OK ?
		   (double)r->meta[BACKING_THP].metadata_bytes : 0, 16384, false);
	n++;

	sp = scale_index(PINMGR_IFACE_ID);
	snprintf(t[n].name, sizeof(t[n].name),
		 "pinmgr 2 threads / 1 thread, ops/s");
	snprintf(t[n].rule, sizeof(t[n].rule), ">= 1.70x");
	target_set(&t[n], sp >= 0 && r->scale[sp].measured && !r->scale[sp].err ?
		   r->scale[sp].ratio : 0, 1.7, true);
	n++;

	/*
	 * Only a dump that returned what was pinned counts; the family's
	 * speed is the raw reader's, libnl's is shown beside it.
	 */
	snprintf(t[n].name, sizeof(t[n].name),
		 "netlink dump of %u leases (raw), seconds", r->dump.leases);
	snprintf(t[n].rule, sizeof(t[n].rule), "<= 1 s (of 100,000)");
	target_set(&t[n], r->dump.measured && !r->dump.err &&
		   r->dump.verified && r->dump.raw.samples ?
		   r->dump.raw.median / 1e9 : 0, 1, false);
	n++;

	/* Only if the listener read every event: else it timed less work. */
	snprintf(t[n].name, sizeof(t[n].name),
		 "PIN+UNPIN, one monitor listener / none, one page");
	snprintf(t[n].rule, sizeof(t[n].rule), "<= 1.30x");
	target_set(&t[n], r->monitor.measured && !r->monitor.err &&
		   r->monitor.verified && r->monitor.rounds ?
		   r->monitor.ratio.median : 0, 1.30, false);
	n++;

	snprintf(t[n].name, sizeof(t[n].name),
		 "PIN+UNPIN, budgets at 3 levels / none, one page");
	snprintf(t[n].rule, sizeof(t[n].rule), "<= 1.10x");
	target_set(&t[n], r->budgets.measured && !r->budgets.err &&
		   r->budgets.rounds ? r->budgets.ratio.median : 0, 1.10,
		   false);
	n++;

	/* Only if the buffer took every event: else it timed less work. */
	snprintf(t[n].name, sizeof(t[n].name),
		 "PIN+UNPIN, pinmgr tracepoints enabled / disabled, one page");
	snprintf(t[n].rule, sizeof(t[n].rule), "<= 1.10x");
	target_set(&t[n], r->trace.measured && !r->trace.err &&
		   r->trace.verified && r->trace.rounds ?
		   r->trace.ratio.median : 0, 1.10, false);
	n++;

	census_target(&r->census, &t[n]);
	n++;
	return export_targets(&r->exports, t, n);
}

static const char *target_state_str(enum target_state s)
{
	return s == TARGET_MET ? "met" :
	       s == TARGET_NOT_MET ? "NOT MET" : "not measured";
}

/* ---- the table ---- */

static void table_dump(FILE *out, const struct dump_result *d)
{
	char a[32], b[32], m[32], pin[32], cl[32];

	fprintf(out, "\n== Netlink: lease-get dump of %u leases, request to NLMSG_DONE ==\n",
		d->leases);
	if (d->err) {
		fprintf(out, "error: %s\n", d->why);
		return;
	}
	fprintf(out, "%u one-page leases (W|LT) over %u pages in %u open file(s), pinned with\n"
		"PIN_VEC in %s; closing the files unpinned them in %s. Read with\n"
		"libnl-genl-3, SO_RCVBUF %d bytes, %u KiB recvmsg() buffer. The kernel\n"
		"fills each datagram inside recvmsg(): \"in nl_recv()\" is its share, the\n"
		"rest is libnl's parsing and the bench's.\n",
		d->leases, d->pages, d->files,
		time_str((double)d->pin_ns, pin, sizeof(pin)),
		time_str((double)d->close_ns, cl, sizeof(cl)), d->rcvbuf,
		d->msgbuf / 1024);
	if (d->st.samples) {
		fprintf(out, "%-16s %9s  %22s %10s  %s\n", "", "median",
			"min .. max", "leases/s", "dumps");
		fprintf(out, "%-16s %9s  %9s .. %-9s %10.0f  %u after 1 untimed\n",
			"full dump", time_str(d->st.median, m, sizeof(m)),
			time_str(d->st.min, a, sizeof(a)),
			time_str(d->st.max, b, sizeof(b)),
			d->leases / (d->st.median / 1e9), d->st.samples);
		fprintf(out, "%-16s %9s  %9s .. %-9s %9.0f%%  of the dump's median\n",
			"in nl_recv()", time_str(d->in_recv.median, m, sizeof(m)),
			time_str(d->in_recv.min, a, sizeof(a)),
			time_str(d->in_recv.max, b, sizeof(b)),
			100 * d->in_recv.median / d->st.median);
		if (d->raw.samples)
			fprintf(out, "%-16s %9s  %9s .. %-9s %10.0f  read from a raw socket\n",
				"raw dump", time_str(d->raw.median, m, sizeof(m)),
				time_str(d->raw.min, a, sizeof(a)),
				time_str(d->raw.max, b, sizeof(b)),
				d->leases / (d->raw.median / 1e9));
		fprintf(out, "per dump: %llu",
			(unsigned long long)d->datagrams_min);
		if (d->datagrams_max != d->datagrams_min)
			fprintf(out, "..%llu",
				(unsigned long long)d->datagrams_max);
		fprintf(out, " datagrams (%.0f leases each), %llu messages, %.0f KiB\n",
			d->datagrams_max ?
			(double)d->messages_max / d->datagrams_max : 0,
			(unsigned long long)d->messages_max,
			d->bytes_max / 1024.0);
	}
	if (d->verified)
		fprintf(out, "verified: every dump returned exactly the %u pinned handles, each once\n",
			d->leases);
	else
		fprintf(out, "NOT VERIFIED: dump %u (0: the untimed one) returned %u handles, %u distinct,\n"
			"%u of them pinned ones, and %u malformed messages; %u were pinned\n",
			d->bad_dump, d->received, d->distinct, d->matched,
			d->malformed, d->leases);
}

static void table_rounds(FILE *out, const char *label,
			 const struct rounds_figure *f)
{
	char a[32], b[32], m[32], pn[32], un[32];

	fprintf(out, "%-36s %9s  %9s .. %-9s %9s %9s %8u\n", label,
		time_str(f->cycle.median, m, sizeof(m)),
		time_str(f->cycle.min, a, sizeof(a)),
		time_str(f->cycle.max, b, sizeof(b)),
		time_str(f->pin.median, pn, sizeof(pn)),
		time_str(f->unpin.median, un, sizeof(un)), f->samples);
}

static const char *const floor_labels[NR_FLOOR_ROWS] = {
	[FLOOR_GETPPID] = "2 x getppid()",
	[FLOOR_NULL_IOCTL] = "2 x ioctl() answered ENOTTY",
	[FLOOR_PINMGR] = "pinmgr PIN+UNPIN (W|LT)",
	[FLOOR_URING] = "io_uring register+unreg",
};

static void table_floor(FILE *out, const struct floor_result *r)
{
	double floor_ns = r->f[FLOOR_NULL_IOCTL].cycle.median;
	char a[32], b[32];
	unsigned int row;

	fprintf(out, "\n== The floor: two system calls that do nothing, beside one page's PIN+UNPIN ==\n");
	if (r->err) {
		fprintf(out, "error: %s\n", r->why);
		return;
	}
	fprintf(out, "%u round(s) of the four, alternated; one 4 KiB page (4k). A PIN and an\n"
		"UNPIN are two ioctl()s: they cannot cost less than two ioctl()s that\n"
		"/dev/pinmgr answers at once (ENOTTY).\n", r->rounds);
	fprintf(out, "%-36s %9s  %22s %9s %9s %8s\n", "interface", "median",
		"rounds min .. max", "first", "second", "samples");
	for (row = 0; row < NR_FLOOR_ROWS; row++) {
		if (row == FLOOR_URING && !r->uring_ok)
			fprintf(out, "%-36s error: %s\n", floor_labels[row],
				r->res[row][0].why);
		else
			table_rounds(out, floor_labels[row], &r->f[row]);
	}
	fprintf(out, "above the floor: pinmgr %s",
		time_str(r->f[FLOOR_PINMGR].cycle.median - floor_ns, a,
			 sizeof(a)));
	if (r->uring_ok)
		fprintf(out, ", io_uring %s;\nio_uring / pinmgr %.2f; io_uring / the floor %.2f: no PIN+UNPIN\npair of system calls can do better than that here\n",
			time_str(r->f[FLOOR_URING].cycle.median - floor_ns, b,
				 sizeof(b)),
			r->f[FLOOR_URING].cycle.median /
				r->f[FLOOR_PINMGR].cycle.median,
			r->f[FLOOR_URING].cycle.median / floor_ns);
	else
		fprintf(out, "\n");
}

/* A row whose cycle has no pin and unpin phases of its own. */
static void table_rounds_one(FILE *out, const char *label,
			     const struct rounds_figure *f)
{
	char a[32], b[32], m[32];

	fprintf(out, "%-36s %9s  %9s .. %-9s %9s %9s %8u\n", label,
		time_str(f->cycle.median, m, sizeof(m)),
		time_str(f->cycle.min, a, sizeof(a)),
		time_str(f->cycle.max, b, sizeof(b)), "-", "-", f->samples);
}

/* @num's median over @den's, or 0 when either has none. */
static double fig_ratio(const struct rounds_figure *num,
			const struct rounds_figure *den)
{
	return num->cycle.median > 0 && den->cycle.median > 0 ?
	       num->cycle.median / den->cycle.median : 0;
}

static void table_export(FILE *out, const struct export_result *r)
{
	char sz[32], m[2][32], a[2][32], b[2][32];
	const struct export_cell *c;
	unsigned int i, row;

	fprintf(out, "\n== Exported leases: PIN+EXPORT against udmabuf, with an importer's attach and map ==\n");
	if (r->err) {
		fprintf(out, "error: %s\n", r->why);
		return;
	}
	fprintf(out, "One cycle: the exporter's call (PIN+EXPORT, or UDMABUF_CREATE), then attach\n"
		"(dynamic) and map for edu behind the IOMMU, unmap, detach, close (and\n"
		"UNPIN), on the same memfd. sg: the exporter's scatterlist entries; dma:\n"
		"segments after the IOMMU. Medians, min .. max of the samples.\n");
	fprintf(out, "%-8s %-8s %9s %-21s %9s %-21s %7s %11s %11s\n", "backing",
		"size", "pinmgr", "  (min .. max)", "udmabuf", "  (min .. max)",
		"ratio", "sg p/u", "dma p/u");
	for (i = 0; i < r->nr_cells; i++) {
		c = &r->cells[i];
		size_str(c->size, sz, sizeof(sz));
		if (c->status != CELL_OK) {
			fprintf(out, "%-8s %-8s %s: %s\n", backing_id(c->backing),
				sz, c->status == CELL_SKIPPED ? "skipped" :
				"not backed", c->why);
			continue;
		}
		for (row = 0; row < NR_EXPORT_ROWS; row++) {
			if (c->err[row]) {
				snprintf(m[row], sizeof(m[row]), "error");
				snprintf(a[row], sizeof(a[row]), "%s",
					 c->row_why[row]);
				b[row][0] = 0;
				continue;
			}
			time_str(c->st[row].median, m[row], sizeof(m[row]));
			time_str(c->st[row].min, a[row], sizeof(a[row]));
			time_str(c->st[row].max, b[row], sizeof(b[row]));
		}
		fprintf(out, "%-8s %-8s %9s  %9s .. %-7s %9s  %9s .. %-7s %7.2f %5u/%-5u %5u/%-5u\n",
			backing_id(c->backing), sz,
			m[0], a[0], b[0], m[1], a[1], b[1], c->ratio,
			c->sg_entries[EXPORT_PINMGR],
			c->sg_entries[EXPORT_UDMABUF],
			c->dma_segments[EXPORT_PINMGR],
			c->dma_segments[EXPORT_UDMABUF]);
	}
}

static void table_watch(FILE *out, const struct watch_result *r)
{
	const struct rounds_figure *f = r->f;
	char a[32], b[32], m[32], sz[32], label[64];
	bool thp = r->thp_status == CELL_OK;

	fprintf(out, "\n== Watched leases: a registration cache's hit, PIN+UNPIN with a watch, munmap() ==\n");
	if (r->err) {
		fprintf(out, "error: %s\n", r->why);
		return;
	}
	size_str(r->thp_size, sz, sizeof(sz));
	fprintf(out, "%u round(s) of the rows, alternated; one 4 KiB page (4k) unless said. A hit\n"
		"is a lookup among %u cached watched leases (binary search) and an acquire\n"
		"load of the lease's word in the status area, no system call (%u in a row,\n"
		"each one's share). munmap() rows time munmap() of a written page alone.\n",
		r->rounds, WATCH_CACHE_ENTRIES, WATCH_HIT_BATCH);
	fprintf(out, "%-36s %9s  %22s %9s %9s %8s\n", "interface", "median",
		"rounds min .. max", "pin", "unpin", "samples");
	table_rounds_one(out, "cache hit: lookup + word check", &f[WATCH_HIT]);
	if (r->uring_ok)
		table_rounds(out, "io_uring register+unreg", &f[WATCH_URING]);
	else
		fprintf(out, "%-36s error: %s\n", "io_uring register+unreg",
			r->res[WATCH_URING][0].why);
	table_rounds(out, "PIN+UNPIN (W|LT)", &f[WATCH_PIN]);
	table_rounds(out, "PIN+UNPIN (W|LT|WATCH)", &f[WATCH_PIN_WATCH]);
	if (thp) {
		snprintf(label, sizeof(label), "PIN+UNPIN (W|LT), %s THP", sz);
		table_rounds(out, label, &f[WATCH_PIN_THP]);
		snprintf(label, sizeof(label), "PIN+UNPIN (W|LT|WATCH), %s THP",
			 sz);
		table_rounds(out, label, &f[WATCH_PIN_WATCH_THP]);
	} else {
		fprintf(out, "%-36s %s: %s\n", "THP rows",
			r->thp_status == CELL_SKIPPED ? "skipped" : "not backed",
			r->thp_why);
	}
	table_rounds_one(out, "munmap(), no lease", &f[WATCH_MUNMAP]);
	table_rounds_one(out, "munmap(), a lease (W|LT)",
			 &f[WATCH_MUNMAP_LEASE]);
	table_rounds_one(out, "munmap(), a watched lease",
			 &f[WATCH_MUNMAP_WATCHED]);
	if (r->uring_ok)
		fprintf(out, "io_uring register+unreg / cache hit:  %8.1f\n",
			fig_ratio(&f[WATCH_URING], &f[WATCH_HIT]));
	fprintf(out, "PIN+UNPIN (W|LT) / cache hit:         %8.1f\n",
		fig_ratio(&f[WATCH_PIN], &f[WATCH_HIT]));
	fprintf(out, "watched / unwatched PIN+UNPIN, 4 KiB: %8.2f  (rounds %.2f .. %.2f)\n",
		r->ratio_4k.median, r->ratio_4k.min, r->ratio_4k.max);
	if (thp)
		fprintf(out, "watched / unwatched PIN+UNPIN, %s THP: %.2f  (rounds %.2f .. %.2f)\n",
			sz, r->ratio_thp.median, r->ratio_thp.min,
			r->ratio_thp.max);
	fprintf(out, "munmap() with a watched lease / with a lease: %.2f; / with none: %.2f\n",
		fig_ratio(&f[WATCH_MUNMAP_WATCHED], &f[WATCH_MUNMAP_LEASE]),
		fig_ratio(&f[WATCH_MUNMAP_WATCHED], &f[WATCH_MUNMAP]));
	if (r->stale_err)
		fprintf(out, "munmap() returning to the STALE event's read(): error: %s\n",
			r->stale_why);
	else
		fprintf(out, "munmap() returning to the STALE event's read(): %s  (p10 .. p90 %s .. %s), %u samples;\n"
			"the event was queued already when munmap() returned in %u of them\n",
			time_str(r->stale.median, m, sizeof(m)),
			time_str(r->stale.p10, a, sizeof(a)),
			time_str(r->stale.p90, b, sizeof(b)),
			r->stale.samples, r->stale_ready);
}

static void table_monitor(FILE *out, const struct monitor_result *r)
{
	fprintf(out, "\n== PIN+UNPIN (W|LT) of one 4 KiB page, with and without a monitor listener ==\n");
	if (r->err) {
		fprintf(out, "error: %s\n", r->why);
		return;
	}
	fprintf(out, "%u round(s), each: nobody in the group, io_uring, one listener that a thread\n"
		"drains, one listener read only after the timing (what sending the events\n"
		"costs the kernel, without a reader on the CPUs). The rounds' medians:\n"
		"their median, and min .. max.\n",
		r->rounds);
	fprintf(out, "%-36s %9s  %22s %9s %9s %8s\n", "interface", "median",
		"rounds min .. max", "pin", "unpin", "samples");
	table_rounds(out, "pinmgr, nobody in the monitor group", &r->f_without);
	table_rounds(out, "pinmgr, one listener (drained)", &r->f_with);
	table_rounds(out, "pinmgr, one listener (read after)", &r->f_late);
	if (r->uring_ok)
		table_rounds(out, "io_uring register+unreg", &r->f_uring);
	else
		fprintf(out, "%-36s error: %s\n", "io_uring register+unreg",
			r->uring[0].why);
	fprintf(out, "with a listener / without:            %5.2f  (rounds %.2f .. %.2f)\n",
		r->ratio.median, r->ratio.min, r->ratio.max);
	fprintf(out, "listener read after / without:        %5.2f  (rounds %.2f .. %.2f)\n",
		r->late_ratio.median, r->late_ratio.min, r->late_ratio.max);
	if (r->uring_ok)
		fprintf(out, "io_uring / pinmgr without a listener: %5.2f  (rounds %.2f .. %.2f)\n",
			r->uring_ratio.median, r->uring_ratio.min,
			r->uring_ratio.max);
	fprintf(out, "listener: read %llu of %llu PINNED and %llu of %llu UNPINNED events, %llu other,\n"
		"%u overflows, SO_RCVBUF %d bytes: %s\n",
		(unsigned long long)r->pinned_events,
		(unsigned long long)r->pins,
		(unsigned long long)r->unpinned_events,
		(unsigned long long)r->unpins,
		(unsigned long long)r->other_events, r->overflows, r->rcvbuf,
		r->verified ? "verified" : "NOT VERIFIED (events lost or extra)");
}

static void table_budgets(FILE *out, const struct budgets_result *r)
{
	fprintf(out, "\n== PIN+UNPIN (W|LT) of one 4 KiB page in a cgroup three levels deep ==\n");
	if (r->err) {
		fprintf(out, "error: %s\n", r->why);
		return;
	}
	fprintf(out, "%u round(s), each: a budget on each of the three levels (the innermost\n"
		"one page: a pin of two was refused first), then no budget at all.\n",
		r->rounds);
	fprintf(out, "%-36s %9s  %22s %9s %9s %8s\n", "interface", "median",
		"rounds min .. max", "pin", "unpin", "samples");
	table_rounds(out, "pinmgr, budgets at 3 levels", &r->f_with);
	table_rounds(out, "pinmgr, no budget", &r->f_without);
	fprintf(out, "with budgets / without:               %5.2f  (rounds %.2f .. %.2f)\n",
		r->ratio.median, r->ratio.min, r->ratio.max);
}

static void table_trace(FILE *out, const struct trace_result *r)
{
	fprintf(out, "\n== PIN+UNPIN (W|LT) of one 4 KiB page, pinmgr tracepoints disabled and enabled ==\n");
	if (r->err) {
		fprintf(out, "error: %s\n", r->why);
		return;
	}
	fprintf(out, "%u round(s), each: the pinmgr events disabled, then all of them enabled in\n"
		"a trace instance of the bench's own (%u KiB per CPU; record-cmd off).\n",
		r->rounds, r->buffer_kb);
	fprintf(out, "%-36s %9s  %22s %9s %9s %8s\n", "interface", "median",
		"rounds min .. max", "pin", "unpin", "samples");
	table_rounds(out, "pinmgr, tracepoints disabled", &r->f_off);
	table_rounds(out, "pinmgr, tracepoints enabled", &r->f_on);
	fprintf(out, "enabled / disabled:                   %5.2f  (rounds %.2f .. %.2f)\n",
		r->ratio.median, r->ratio.min, r->ratio.max);
	fprintf(out, "trace: %llu events written (%llu overwritten since, %llu dropped) for %llu\n"
		"pins and %llu unpins; %llu while disabled: %s\n",
		(unsigned long long)r->written,
		(unsigned long long)r->overrun,
		(unsigned long long)r->dropped,
		(unsigned long long)r->pins, (unsigned long long)r->unpins,
		(unsigned long long)r->written_off,
		r->verified ? "verified" : "NOT VERIFIED (events lost or extra)");
}

static void table_census(FILE *out, const struct census_result *r)
{
	char a[32], b[32], m[32];
	bool scaled;
	double s;

	fprintf(out, "\n== Census (libpinctl) among %u more processes ==\n",
		r->wanted);
	if (r->err) {
		fprintf(out, "error: %s\n", r->why);
		return;
	}
	fprintf(out, "pinctl_census_take() + pinctl_census_unref(), %u timed after one untimed;\n"
		"the added processes each block on a pipe, one open file each.\n",
		r->st.samples);
	if (r->made < r->wanted)
		fprintf(out, "only %u of %u processes could be made: %s\n",
			r->made, r->wanted, strerror(-r->fork_err));
	fprintf(out, "%-36s %9s  %22s %9s\n", "census", "median",
		"min .. max", "processes");
	fprintf(out, "%-36s %9s  %9s .. %-9s %9u\n", "the guest's own processes",
		time_str(r->base.median, m, sizeof(m)),
		time_str(r->base.min, a, sizeof(a)),
		time_str(r->base.max, b, sizeof(b)), r->base_procs);
	fprintf(out, "%-36s %9s  %9s .. %-9s %9u\n", "with the added ones",
		time_str(r->st.median, m, sizeof(m)),
		time_str(r->st.min, a, sizeof(a)),
		time_str(r->st.max, b, sizeof(b)), r->procs);
	fprintf(out, "%-36s %9s\n", "  the first, not in the median",
		time_str((double)r->first_ns, m, sizeof(m)));
	s = census_seconds(r, &scaled);
	if (r->procs > r->base_procs)
		fprintf(out, "per added process: %s; made in %s, ended and reaped in %s\n",
			time_str((r->st.median - r->base.median) /
				 (r->procs - r->base_procs), m, sizeof(m)),
			time_str((double)r->fork_ns, a, sizeof(a)),
			time_str((double)r->end_ns, b, sizeof(b)));
	if (r->mem_kb > 0)
		fprintf(out, "memory they took (MemAvailable): %ld MiB, %.1f KiB each\n",
			r->mem_kb / 1024, (double)r->mem_kb / r->made);
	if (scaled)
		fprintf(out, "census of %u processes: %.0f ms (%u censused: %.0f ms)\n",
			CENSUS_TARGET_PROCS, s * 1e3, r->procs,
			r->st.median / 1e6);
	else if (s > 0)
		fprintf(out, "census of %u processes: %.0f ms\n", r->procs,
			s * 1e3);
	fprintf(out, "the census saw %u processes, %u hidden: %s\n", r->procs,
		r->hidden, r->verified ? "verified" :
		"NOT VERIFIED (fewer than were made, or some hidden)");
}

static void table_cell(FILE *out, const struct cell *c)
{
	double raw = cell_raw(c), pages = (double)c->size / BASE_PAGE;
	char sz[32], a[32], b[32], m[32], pn[32], un[32];
	unsigned int i;
	bool first = true;

	size_str(c->size, sz, sizeof(sz));
	if (c->status == CELL_SKIPPED)
		return;
	if (c->status == CELL_NOT_BACKED) {
		fprintf(out, "%-8s not backed: %s\n", sz, c->why);
		return;
	}
	for (i = 0; i < nr_ifaces; i++) {
		const struct iface_result *res = &c->res[i];
		const char *label = first ? sz : "";

		if (res->absent)
			continue;	/* no raw column on this kernel */
		first = false;
		if (res->err) {
			fprintf(out, "%-8s %-31s error: %s\n", label,
				ifaces[i].label, res->why);
			continue;
		}
		time_str(res->st.median, m, sizeof(m));
		time_str(res->st.p10, a, sizeof(a));
		time_str(res->st.p90, b, sizeof(b));
		time_str(res->pin.median, pn, sizeof(pn));
		time_str(res->unpin.median, un, sizeof(un));
		fprintf(out, "%-8s %-31s %9s  %9s .. %-9s %9s %9s %10.1f ",
			label, ifaces[i].label, m, a, b, pn, un,
			res->st.median / pages);
		if (raw > 0)
			fprintf(out, "%7.2f%s", res->st.median / raw,
				raw < RAW_COARSE_NS ? "*" : " ");
		else
			fprintf(out, "%8s", "no raw");
		fprintf(out, " %3u x%u\n", res->st.samples,
			res->st.cycles_per_sample);
	}
	if (c->changed_after)
		fprintf(out, "%-8s warning: after the runs, %s\n", "",
			c->why_after);
}

void report_table(FILE *out, const struct options *o,
		  const struct results *r)
{
	struct target t[MAX_TARGETS];
	unsigned int i, n;
	char a[32], b[32], m[32], sz[32];
	int bk;

	fprintf(out, "pinmgr-bench: Linux %s (%s), %ld CPUs, %ld MiB, %s%s\n",
		r->sys.release, r->sys.machine, r->sys.cpus,
		r->sys.mem_total_kb / 1024, r->sys.date,
		o->quick ? ", quick mode" : "");
	fprintf(out, "Median cost of one PIN+UNPIN (or equivalent) cycle; p10 .. p90 is the\n"
		"spread over n samples (x k cycles each); pin and unpin are the medians of\n"
		"the two phases; ns/page is per 4 KiB of range.\n"
		"Emulated (TCG): compare ratios, not absolute times.\n");
	if (r->gup_present)
		fprintf(out, "x raw = median / raw, where raw is gup_test's in-kernel PIN_FAST\n"
			"(FOLL_WRITE|FOLL_LONGTERM = 0x%x, %u pages per call) get+put of the\n"
			"same range in this boot.\n"
			"* raw below %.0f us: gup_test reports whole microseconds, the ratio is coarse.\n",
			r->foll_write | r->foll_longterm, o->gup_batch,
			RAW_COARSE_NS / 1000);
	else if (r->foll_unknown)
		fprintf(out, "gup_test not used: FOLL_LONGTERM of Linux %s is not known here\n"
			"(--foll-longterm sets it): no raw figures.\n",
			r->sys.release);
	else if (!r->gup_present)
		fprintf(out, "No gup_test in this kernel (%s): no raw figures.\n",
			strerror(r->gup_errno));

	for (bk = 0; bk < NR_BACKINGS; bk++) {
		if (!o->backing_on[bk])
			continue;
		fprintf(out, "\n== %s ==\n", backing_label(bk));
		fprintf(out, "%-8s %-31s %9s  %22s %9s %9s %10s %7s  %s\n",
			"size", "interface", "median", "p10 .. p90", "pin",
			"unpin", "ns/page", "x raw", "n x k");
		for (i = 0; i < r->nr_cells; i++)
			if (r->cells[i].backing == (enum backing)bk)
				table_cell(out, &r->cells[i]);
	}

	fprintf(out, "\n== %u buffers of %zu KiB at once (4 KiB pages) ==\n",
		o->multi_n, o->multi_size / KIB);
	fprintf(out, "%-52s %9s %9s %9s  %22s %3s\n", "interface", "register",
		"unreg", "total", "total p10 .. p90", "n");
	for (i = 0; i < nr_multi_ifaces; i++) {
		const struct multi_result *mr = &r->multi[i];
		char rg[32], ur[32];

		if (mr->err) {
			fprintf(out, "%-52s error: %s\n", multi_ifaces[i].label,
				mr->why);
			continue;
		}
		fprintf(out, "%-52s %9s %9s %9s  %9s .. %-9s %3u\n",
			multi_ifaces[i].label,
			time_str(mr->reg.median, rg, sizeof(rg)),
			time_str(mr->unreg.median, ur, sizeof(ur)),
			time_str(mr->total.median, m, sizeof(m)),
			time_str(mr->total.p10, a, sizeof(a)),
			time_str(mr->total.p90, b, sizeof(b)),
			mr->total.samples);
	}

	fprintf(out, "\n== Metadata of a %s lease (PIN W|LT, then QUERY) ==\n",
		size_str(largest_size(o), sz, sizeof(sz)));
	fprintf(out, "%-10s %14s %10s %10s\n", "backing", "metadata bytes",
		"runs", "pages");
	for (bk = 0; bk < NR_BACKINGS; bk++) {
		const struct meta_result *me = &r->meta[bk];

		if (!o->backing_on[bk])
			continue;
		if (me->status != CELL_OK)
			fprintf(out, "%-10s not backed: %s\n", backing_id(bk),
				me->why);
		else if (me->err)
			fprintf(out, "%-10s error: %s\n", backing_id(bk),
				me->why);
		else
			fprintf(out, "%-10s %14llu %10llu %10llu\n",
				backing_id(bk),
				(unsigned long long)me->metadata_bytes,
				(unsigned long long)me->nr_runs,
				(unsigned long long)me->nr_pages);
	}

	fprintf(out, "\n== Scaling: 64 KiB cycles for %.1f s, %u round(s); ops/s of all threads ==\n",
		o->scale_secs, o->scale_rounds);
	fprintf(out, "%-36s %12s %12s %7s\n", "interface", "1 thread",
		"2 threads", "2/1");
	for (i = 0; i < nr_scale_ifaces; i++) {
		const struct scale_result *s = &r->scale[i];

		if (s->err)
			fprintf(out, "%-36s error: %s\n", scale_ifaces[i].label,
				s->why);
		else
			fprintf(out, "%-36s %12.0f %12.0f %7.2f\n",
				scale_ifaces[i].label, s->one.median,
				s->two.median, s->ratio);
	}

	fprintf(out, "\n== Leases that end on their own ==\n");
	if (r->ends.err) {
		fprintf(out, "error: %s\n", r->ends.why);
	} else if (r->ends.measured) {
		fprintf(out, "%-52s %9s  %9s .. %-9s %3u\n",
			"expiry of one lease to its event read()",
			time_str(r->ends.latency.median, m, sizeof(m)),
			time_str(r->ends.latency.p10, a, sizeof(a)),
			time_str(r->ends.latency.p90, b, sizeof(b)),
			r->ends.latency.samples);
		fprintf(out, "%u leases due at once: the last event read %s after the deadline;\n"
			"the driver ended them within %s (first to last event)\n",
			r->ends.mass_n,
			time_str((double)r->ends.mass_read_ns, a, sizeof(a)),
			time_str((double)r->ends.mass_span_ns, b, sizeof(b)));
	}

	if (r->dump.measured)
		table_dump(out, &r->dump);
	if (r->monitor.measured)
		table_monitor(out, &r->monitor);
	if (r->floor.measured)
		table_floor(out, &r->floor);
	if (r->watch.measured)
		table_watch(out, &r->watch);
	if (r->exports.measured)
		table_export(out, &r->exports);
	if (r->budgets.measured)
		table_budgets(out, &r->budgets);
	if (r->trace.measured)
		table_trace(out, &r->trace);
	if (r->census.measured)
		table_census(out, &r->census);

	n = compute_targets(o, r, t);
	fprintf(out, "\n== DESIGN targets (ratios of this boot) ==\n");
	for (i = 0; i < n; i++) {
		if (t[i].state == TARGET_NOT_MEASURED)
			fprintf(out, "%-46s %-22s %9s  %s\n", t[i].name,
				t[i].rule, "-", target_state_str(t[i].state));
		else
			fprintf(out, "%-46s %-22s %9.2f  %s\n", t[i].name,
				t[i].rule, t[i].value,
				target_state_str(t[i].state));
		if (t[i].other > 0 && t[i].value > 0) {
			double apart = t[i].other > t[i].value ?
				       t[i].other / t[i].value :
				       t[i].value / t[i].other;

			fprintf(out, "  %.2f %s%s\n", t[i].other,
				t[i].other_what, apart > DISAGREE_FACTOR ?
				": they disagree, part of the run fell in a slow spell; run it again" :
				"");
		}
		if (t[i].bound > 0)
			fprintf(out, "  at best %.2f here: %s\n", t[i].bound,
				t[i].bound_why);
	}
	fprintf(out, "\nwall time %.1f s\n", r->wall_ns / 1e9);
}

/* ---- JSON ---- */

static struct json_object *jnum(double v, const char *fmt)
{
	char buf[64];

	snprintf(buf, sizeof(buf), fmt, v);
	return json_object_new_double_s(v, buf);
}

static void jadd(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

/* The figures of @st, keys suffixed with their unit. */
static struct json_object *jstats(const struct stats *st, const char *unit)
{
	struct json_object *o = json_object_new_object();
	char key[64];

#define STAT(name) do {							\
		snprintf(key, sizeof(key), #name "_%s", unit);		\
		jadd(o, key, jnum(st->name, "%.1f"));			\
	} while (0)
	STAT(median);
	STAT(p10);
	STAT(p90);
	STAT(min);
	STAT(max);
#undef STAT
	jadd(o, "samples", json_object_new_int(st->samples));
	if (st->cycles_per_sample)
		jadd(o, "cycles_per_sample",
		     json_object_new_int(st->cycles_per_sample));
	return o;
}

static struct json_object *jerror(int err, const char *why)
{
	struct json_object *o = json_object_new_object();

	jadd(o, "status", json_object_new_string("error"));
	jadd(o, "errno", json_object_new_int(-err));
	jadd(o, "errno_name", json_object_new_string(strerrorname_np(-err) ?
			strerrorname_np(-err) : "?"));
	jadd(o, "error", json_object_new_string(why));
	return o;
}

static const char *cell_status_str(enum cell_status s)
{
	return s == CELL_OK ? "ok" : s == CELL_SKIPPED ? "skipped" :
						      "not-backed";
}

static struct json_object *jcell(const struct cell *c)
{
	struct json_object *o = json_object_new_object(), *rs, *x;
	double raw = cell_raw(c), pages = (double)c->size / BASE_PAGE;
	unsigned int i;

	jadd(o, "backing", json_object_new_string(backing_id(c->backing)));
	jadd(o, "size_bytes", json_object_new_int64(c->size));
	jadd(o, "pages_4k", json_object_new_int64(c->size / BASE_PAGE));
	jadd(o, "status", json_object_new_string(cell_status_str(c->status)));
	if (c->status != CELL_OK) {
		jadd(o, "reason", json_object_new_string(c->why));
		return o;
	}
	jadd(o, "backing_confirmed_after", json_object_new_boolean(!c->changed_after));
	if (c->changed_after)
		jadd(o, "reason_after", json_object_new_string(c->why_after));
	jadd(o, "raw_ns", raw > 0 ? jnum(raw, "%.1f") : NULL);
	rs = json_object_new_object();
	for (i = 0; i < nr_ifaces; i++) {
		const struct iface_result *res = &c->res[i];

		if (res->absent) {
			x = json_object_new_object();
			jadd(x, "status", json_object_new_string("absent"));
			jadd(x, "reason", json_object_new_string(res->why));
		} else if (res->err) {
			x = jerror(res->err, res->why);
		} else {
			x = jstats(&res->st, "ns");
			jadd(x, "status", json_object_new_string("ok"));
			jadd(x, "ns_per_page", jnum(res->st.median / pages, "%.3f"));
			jadd(x, "ratio_to_raw", raw > 0 ?
			     jnum(res->st.median / raw, "%.4f") : NULL);
			jadd(x, "pin_phase", jstats(&res->pin, "ns"));
			jadd(x, "unpin_phase", jstats(&res->unpin, "ns"));
			if (ifaces[i].raw)
				jadd(x, "ioctl_wall", jstats(&res->wall, "ns"));
		}
		jadd(rs, ifaces[i].id, x);
	}
	jadd(o, "results", rs);
	return o;
}

static struct json_object *jinterfaces(void)
{
	struct json_object *a = json_object_new_array(), *o;
	unsigned int i;

	for (i = 0; i < nr_ifaces; i++) {
		o = json_object_new_object();
		jadd(o, "id", json_object_new_string(ifaces[i].id));
		jadd(o, "label", json_object_new_string(ifaces[i].label));
		jadd(o, "raw", json_object_new_boolean(ifaces[i].raw));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *jdump(const struct dump_result *d)
{
	struct json_object *o, *v;

	if (d->err)
		return jerror(d->err, d->why);
	o = json_object_new_object();
	jadd(o, "status", json_object_new_string("ok"));
	jadd(o, "leases", json_object_new_int(d->leases));
	jadd(o, "pages", json_object_new_int(d->pages));
	jadd(o, "files", json_object_new_int(d->files));
	jadd(o, "pin_vec_ns", json_object_new_int64(d->pin_ns));
	jadd(o, "close_ns", json_object_new_int64(d->close_ns));
	jadd(o, "rcvbuf_bytes", json_object_new_int(d->rcvbuf));
	jadd(o, "recvmsg_buffer_bytes", json_object_new_int(d->msgbuf));
	jadd(o, "untimed_dumps", json_object_new_int(1));
	jadd(o, "dump", jstats(&d->st, "ns"));
	jadd(o, "dump_in_nl_recv", jstats(&d->in_recv, "ns"));
	jadd(o, "raw_dump", jstats(&d->raw, "ns"));
	jadd(o, "leases_per_s", d->st.samples ?
	     jnum(d->leases / (d->st.median / 1e9), "%.0f") : NULL);
	jadd(o, "datagrams_min", json_object_new_int64(d->datagrams_min));
	jadd(o, "datagrams_max", json_object_new_int64(d->datagrams_max));
	jadd(o, "messages_min", json_object_new_int64(d->messages_min));
	jadd(o, "messages_max", json_object_new_int64(d->messages_max));
	jadd(o, "bytes_min", json_object_new_int64(d->bytes_min));
	jadd(o, "bytes_max", json_object_new_int64(d->bytes_max));
	jadd(o, "verified", json_object_new_boolean(d->verified));
	v = json_object_new_object();
	if (!d->verified)
		jadd(v, "failed_dump", json_object_new_int(d->bad_dump));
	jadd(v, "handles_received", json_object_new_int(d->received));
	jadd(v, "handles_distinct", json_object_new_int(d->distinct));
	jadd(v, "handles_pinned_matched", json_object_new_int(d->matched));
	jadd(v, "messages_malformed", json_object_new_int(d->malformed));
	jadd(o, "verification", v);
	return o;
}

static struct json_object *jrounds(const struct rounds_figure *f,
				   const struct iface_result *res,
				   unsigned int n)
{
	struct json_object *o = json_object_new_object(), *a;
	unsigned int i;

	jadd(o, "median_ns", jnum(f->cycle.median, "%.1f"));
	jadd(o, "rounds_min_ns", jnum(f->cycle.min, "%.1f"));
	jadd(o, "rounds_max_ns", jnum(f->cycle.max, "%.1f"));
	jadd(o, "pin_median_ns", jnum(f->pin.median, "%.1f"));
	jadd(o, "unpin_median_ns", jnum(f->unpin.median, "%.1f"));
	jadd(o, "samples", json_object_new_int(f->samples));
	a = json_object_new_array();
	for (i = 0; i < n; i++) {
		struct json_object *x = jstats(&res[i].st, "ns");

		jadd(x, "pin_phase", jstats(&res[i].pin, "ns"));
		jadd(x, "unpin_phase", jstats(&res[i].unpin, "ns"));
		json_object_array_add(a, x);
	}
	jadd(o, "rounds", a);
	return o;
}

static struct json_object *jbudgets(const struct budgets_result *r)
{
	struct json_object *o;

	if (r->err)
		return jerror(r->err, r->why);
	o = json_object_new_object();
	jadd(o, "status", json_object_new_string("ok"));
	jadd(o, "interface", json_object_new_string(PINMGR_IFACE_ID));
	jadd(o, "size_bytes", json_object_new_int64(BASE_PAGE));
	jadd(o, "backing", json_object_new_string(backing_id(BACKING_4K)));
	jadd(o, "cgroup_levels", json_object_new_int(3));
	jadd(o, "rounds", json_object_new_int(r->rounds));
	jadd(o, "with_budgets", jrounds(&r->f_with, r->with, r->rounds));
	jadd(o, "without_budgets", jrounds(&r->f_without, r->without,
					   r->rounds));
	jadd(o, "ratio_with_to_without", jnum(r->ratio.median, "%.4f"));
	jadd(o, "ratio_with_to_without_min", jnum(r->ratio.min, "%.4f"));
	jadd(o, "ratio_with_to_without_max", jnum(r->ratio.max, "%.4f"));
	return o;
}

static struct json_object *jtrace(const struct trace_result *r)
{
	struct json_object *o, *t;

	if (r->err)
		return jerror(r->err, r->why);
	o = json_object_new_object();
	jadd(o, "status", json_object_new_string("ok"));
	jadd(o, "interface", json_object_new_string(PINMGR_IFACE_ID));
	jadd(o, "size_bytes", json_object_new_int64(BASE_PAGE));
	jadd(o, "backing", json_object_new_string(backing_id(BACKING_4K)));
	jadd(o, "rounds", json_object_new_int(r->rounds));
	jadd(o, "disabled", jrounds(&r->f_off, r->off, r->rounds));
	jadd(o, "enabled", jrounds(&r->f_on, r->on, r->rounds));
	jadd(o, "ratio_enabled_to_disabled", jnum(r->ratio.median, "%.4f"));
	jadd(o, "ratio_enabled_to_disabled_min", jnum(r->ratio.min, "%.4f"));
	jadd(o, "ratio_enabled_to_disabled_max", jnum(r->ratio.max, "%.4f"));
	t = json_object_new_object();
	jadd(t, "buffer_kib_per_cpu", json_object_new_int(r->buffer_kb));
	jadd(t, "device_pins", json_object_new_int64(r->pins));
	jadd(t, "device_unpins", json_object_new_int64(r->unpins));
	jadd(t, "events_written", json_object_new_int64(r->written));
	jadd(t, "events_overwritten", json_object_new_int64(r->overrun));
	jadd(t, "events_dropped", json_object_new_int64(r->dropped));
	jadd(t, "events_written_disabled",
	     json_object_new_int64(r->written_off));
	jadd(t, "verified", json_object_new_boolean(r->verified));
	jadd(o, "trace", t);
	return o;
}

static struct json_object *jcensus(const struct census_result *r)
{
	struct json_object *o;
	bool scaled;
	double s;

	if (r->err)
		return jerror(r->err, r->why);
	o = json_object_new_object();
	jadd(o, "status", json_object_new_string("ok"));
	jadd(o, "processes_wanted", json_object_new_int(r->wanted));
	jadd(o, "processes_added", json_object_new_int(r->made));
	if (r->fork_err)
		jadd(o, "processes_not_added", jerror(r->fork_err, "clone"));
	jadd(o, "add_ns", json_object_new_int64(r->fork_ns));
	jadd(o, "end_and_reap_ns", json_object_new_int64(r->end_ns));
	jadd(o, "mem_available_taken_kib", json_object_new_int64(r->mem_kb));
	jadd(o, "baseline_processes", json_object_new_int(r->base_procs));
	jadd(o, "baseline", jstats(&r->base, "ns"));
	jadd(o, "processes_censused", json_object_new_int(r->procs));
	jadd(o, "processes_hidden", json_object_new_int(r->hidden));
	jadd(o, "first_census_ns", json_object_new_int64(r->first_ns));
	jadd(o, "census", jstats(&r->st, "ns"));
	jadd(o, "per_added_process_ns", r->procs > r->base_procs ?
	     jnum((r->st.median - r->base.median) /
		  (r->procs - r->base_procs), "%.1f") : NULL);
	s = census_seconds(r, &scaled);
	jadd(o, "seconds_for_10000", s > 0 ? jnum(s, "%.4f") : NULL);
	jadd(o, "seconds_for_10000_scaled", json_object_new_boolean(scaled));
	jadd(o, "verified", json_object_new_boolean(r->verified));
	return o;
}

static struct json_object *jmonitor(const struct monitor_result *r)
{
	struct json_object *o, *l;

	if (r->err)
		return jerror(r->err, r->why);
	o = json_object_new_object();
	jadd(o, "status", json_object_new_string("ok"));
	jadd(o, "interface", json_object_new_string(PINMGR_IFACE_ID));
	jadd(o, "size_bytes", json_object_new_int64(BASE_PAGE));
	jadd(o, "backing", json_object_new_string(backing_id(BACKING_4K)));
	jadd(o, "rounds", json_object_new_int(r->rounds));
	jadd(o, "without_listener", jrounds(&r->f_without, r->without,
					    r->rounds));
	jadd(o, "with_listener", jrounds(&r->f_with, r->with, r->rounds));
	jadd(o, "with_listener_read_after", jrounds(&r->f_late, r->late,
						    r->rounds));
	jadd(o, "io_uring", r->uring_ok ?
	     jrounds(&r->f_uring, r->uring, r->rounds) :
	     jerror(r->uring[0].err, r->uring[0].why));
	jadd(o, "ratio_with_to_without", jnum(r->ratio.median, "%.4f"));
	jadd(o, "ratio_with_to_without_min", jnum(r->ratio.min, "%.4f"));
	jadd(o, "ratio_with_to_without_max", jnum(r->ratio.max, "%.4f"));
	jadd(o, "ratio_read_after_to_without",
	     jnum(r->late_ratio.median, "%.4f"));
	jadd(o, "ratio_read_after_to_without_min",
	     jnum(r->late_ratio.min, "%.4f"));
	jadd(o, "ratio_read_after_to_without_max",
	     jnum(r->late_ratio.max, "%.4f"));
	jadd(o, "ratio_io_uring_to_pinmgr", r->uring_ok ?
	     jnum(r->uring_ratio.median, "%.4f") : NULL);
	jadd(o, "ratio_io_uring_to_pinmgr_min", r->uring_ok ?
	     jnum(r->uring_ratio.min, "%.4f") : NULL);
	jadd(o, "ratio_io_uring_to_pinmgr_max", r->uring_ok ?
	     jnum(r->uring_ratio.max, "%.4f") : NULL);
	l = json_object_new_object();
	jadd(l, "rcvbuf_bytes", json_object_new_int(r->rcvbuf));
	jadd(l, "device_pins", json_object_new_int64(r->pins));
	jadd(l, "device_unpins", json_object_new_int64(r->unpins));
	jadd(l, "pinned_events", json_object_new_int64(r->pinned_events));
	jadd(l, "unpinned_events", json_object_new_int64(r->unpinned_events));
	jadd(l, "other_events", json_object_new_int64(r->other_events));
	jadd(l, "overflows", json_object_new_int(r->overflows));
	jadd(l, "verified", json_object_new_boolean(r->verified));
	jadd(o, "listener", l);
	return o;
}

static struct json_object *jfloor(const struct floor_result *r)
{
	static const char *const keys[NR_FLOOR_ROWS] = {
		[FLOOR_GETPPID] = "getppid_pair",
		[FLOOR_NULL_IOCTL] = "null_ioctl_pair",
		[FLOOR_PINMGR] = "pinmgr_wl",
		[FLOOR_URING] = "io_uring",
	};
	double floor_ns = r->f[FLOOR_NULL_IOCTL].cycle.median;
	struct json_object *o;
	unsigned int row;

	if (r->err)
		return jerror(r->err, r->why);
	o = json_object_new_object();
	jadd(o, "status", json_object_new_string("ok"));
	jadd(o, "size_bytes", json_object_new_int64(BASE_PAGE));
	jadd(o, "backing", json_object_new_string(backing_id(BACKING_4K)));
	jadd(o, "rounds", json_object_new_int(r->rounds));
	for (row = 0; row < NR_FLOOR_ROWS; row++)
		jadd(o, keys[row], row == FLOOR_URING && !r->uring_ok ?
		     jerror(r->res[row][0].err, r->res[row][0].why) :
		     jrounds(&r->f[row], r->res[row], r->rounds));
	jadd(o, "pinmgr_above_floor_ns",
	     jnum(r->f[FLOOR_PINMGR].cycle.median - floor_ns, "%.1f"));
	jadd(o, "io_uring_above_floor_ns", r->uring_ok ?
	     jnum(r->f[FLOOR_URING].cycle.median - floor_ns, "%.1f") : NULL);
	jadd(o, "ratio_io_uring_to_pinmgr", r->uring_ok ?
	     jnum(r->f[FLOOR_URING].cycle.median /
		  r->f[FLOOR_PINMGR].cycle.median, "%.4f") : NULL);
	jadd(o, "ratio_io_uring_to_floor", r->uring_ok ?
	     jnum(r->f[FLOOR_URING].cycle.median / floor_ns, "%.4f") : NULL);
	return o;
}

/* A ratio of medians, or null when either is missing. */
static struct json_object *jratio(const struct rounds_figure *num,
				  const struct rounds_figure *den)
{
	double v = fig_ratio(num, den);

	return v > 0 ? jnum(v, "%.4f") : NULL;
}

static struct json_object *jexport(const struct export_result *r)
{
	static const char *const ids[NR_EXPORT_ROWS] = {
		[EXPORT_PINMGR] = "pinmgr", [EXPORT_UDMABUF] = "udmabuf",
	};
	struct json_object *o, *cells, *x, *y;
	const struct export_cell *c;
	unsigned int i, row;

	if (r->err)
		return jerror(r->err, r->why);
	o = json_object_new_object();
	jadd(o, "status", json_object_new_string("ok"));
	jadd(o, "importer", json_object_new_string(
		"QEMU edu behind an Intel IOMMU, dynamic attachment, bidirectional map"));
	cells = json_object_new_array();
	for (i = 0; i < r->nr_cells; i++) {
		c = &r->cells[i];
		x = json_object_new_object();
		jadd(x, "backing", json_object_new_string(backing_id(c->backing)));
		jadd(x, "size_bytes", json_object_new_int64((int64_t)c->size));
		jadd(x, "status", json_object_new_string(cell_status_str(c->status)));
		if (c->status != CELL_OK) {
			jadd(x, "why", json_object_new_string(c->why));
			json_object_array_add(cells, x);
			continue;
		}
		for (row = 0; row < NR_EXPORT_ROWS; row++) {
			if (c->err[row]) {
				y = jerror(c->err[row], c->row_why[row]);
			} else {
				y = jstats(&c->st[row], "ns");
				jadd(y, "status", json_object_new_string("ok"));
				jadd(y, "sg_entries",
				     json_object_new_int(c->sg_entries[row]));
				jadd(y, "dma_segments",
				     json_object_new_int(c->dma_segments[row]));
			}
			jadd(x, ids[row], y);
		}
		if (c->ratio > 0)
			jadd(x, "ratio_pinmgr_to_udmabuf", jnum(c->ratio, "%.4f"));
		json_object_array_add(cells, x);
	}
	jadd(o, "cells", cells);
	return o;
}

static struct json_object *jwatch(const struct watch_result *r)
{
	static const char *const keys[NR_WATCH_ROWS] = {
		[WATCH_HIT] = "cache_hit",
		[WATCH_URING] = "io_uring",
		[WATCH_PIN] = "pin_unpin",
		[WATCH_PIN_WATCH] = "pin_unpin_watch",
		[WATCH_PIN_THP] = "pin_unpin",
		[WATCH_PIN_WATCH_THP] = "pin_unpin_watch",
		[WATCH_MUNMAP] = "munmap_no_lease",
		[WATCH_MUNMAP_LEASE] = "munmap_lease",
		[WATCH_MUNMAP_WATCHED] = "munmap_watched",
	};
	const struct rounds_figure *f = r->f;
	struct json_object *o, *t, *s;
	unsigned int row;

	if (r->err)
		return jerror(r->err, r->why);
	o = json_object_new_object();
	jadd(o, "status", json_object_new_string("ok"));
	jadd(o, "size_bytes", json_object_new_int64(BASE_PAGE));
	jadd(o, "backing", json_object_new_string(backing_id(BACKING_4K)));
	jadd(o, "rounds", json_object_new_int(r->rounds));
	jadd(o, "cache_entries", json_object_new_int(WATCH_CACHE_ENTRIES));
	jadd(o, "hit_lookups_per_cycle", json_object_new_int(WATCH_HIT_BATCH));
	t = json_object_new_object();
	jadd(t, "status",
	     json_object_new_string(cell_status_str(r->thp_status)));
	jadd(t, "size_bytes", json_object_new_int64(r->thp_size));
	jadd(t, "backing", json_object_new_string(backing_id(BACKING_THP)));
	if (r->thp_status != CELL_OK)
		jadd(t, "reason", json_object_new_string(r->thp_why));
	for (row = 0; row < NR_WATCH_ROWS; row++) {
		if (row == WATCH_PIN_THP || row == WATCH_PIN_WATCH_THP) {
			if (r->thp_status == CELL_OK)
				jadd(t, keys[row], jrounds(&f[row], r->res[row],
							   r->rounds));
			continue;
		}
		jadd(o, keys[row], row == WATCH_URING && !r->uring_ok ?
		     jerror(r->res[row][0].err, r->res[row][0].why) :
		     jrounds(&f[row], r->res[row], r->rounds));
	}
	if (r->thp_status == CELL_OK) {
		jadd(t, "ratio_watch_to_unwatched",
		     jnum(r->ratio_thp.median, "%.4f"));
		jadd(t, "ratio_watch_to_unwatched_min",
		     jnum(r->ratio_thp.min, "%.4f"));
		jadd(t, "ratio_watch_to_unwatched_max",
		     jnum(r->ratio_thp.max, "%.4f"));
	}
	jadd(o, "thp", t);
	jadd(o, "ratio_io_uring_to_hit", r->uring_ok ?
	     jratio(&f[WATCH_URING], &f[WATCH_HIT]) : NULL);
	jadd(o, "ratio_pin_unpin_to_hit", jratio(&f[WATCH_PIN], &f[WATCH_HIT]));
	jadd(o, "ratio_watch_to_unwatched", jnum(r->ratio_4k.median, "%.4f"));
	jadd(o, "ratio_watch_to_unwatched_min", jnum(r->ratio_4k.min, "%.4f"));
	jadd(o, "ratio_watch_to_unwatched_max", jnum(r->ratio_4k.max, "%.4f"));
	jadd(o, "ratio_munmap_watched_to_lease",
	     jratio(&f[WATCH_MUNMAP_WATCHED], &f[WATCH_MUNMAP_LEASE]));
	jadd(o, "ratio_munmap_watched_to_no_lease",
	     jratio(&f[WATCH_MUNMAP_WATCHED], &f[WATCH_MUNMAP]));
	if (r->stale_err) {
		s = jerror(r->stale_err, r->stale_why);
	} else {
		s = json_object_new_object();
		jadd(s, "status", json_object_new_string("ok"));
		jadd(s, "samples", json_object_new_int(r->stale.samples));
		jadd(s, "munmap_return_to_read", jstats(&r->stale, "ns"));
		jadd(s, "queued_at_return", json_object_new_int(r->stale_ready));
	}
	jadd(o, "stale_event", s);
	return o;
}

int report_json(const char *path, const struct options *o,
		const struct results *r)
{
	struct json_object *root = json_object_new_object(), *x, *y, *a;
	struct target t[MAX_TARGETS];
	unsigned int i, n;
	int bk, ret = 0;

	jadd(root, "tool", json_object_new_string("pinmgr-bench"));
	jadd(root, "format", json_object_new_int(1));

	x = json_object_new_object();
	jadd(x, "kernel_release", json_object_new_string(r->sys.release));
	jadd(x, "kernel_version", json_object_new_string(r->sys.version));
	jadd(x, "machine", json_object_new_string(r->sys.machine));
	jadd(x, "cpus", json_object_new_int64(r->sys.cpus));
	jadd(x, "mem_total_kib", json_object_new_int64(r->sys.mem_total_kb));
	jadd(x, "date", json_object_new_string(r->sys.date));
	jadd(x, "thp_enabled", json_object_new_string(r->sys.thp_enabled));
	jadd(x, "hugetlb_pages_reserved",
	     json_object_new_int64(r->sys.hugetlb_reserved));
	jadd(x, "gup_test", json_object_new_boolean(r->gup_present));
	if (!r->gup_present)
		jadd(x, "gup_test_reason", json_object_new_string(r->foll_unknown ?
		     "FOLL_LONGTERM of this kernel not known (--foll-longterm)" :
		     strerror(r->gup_errno)));
	jadd(x, "io_uring", r->ring_err ?
	     jerror(r->ring_err, "io_uring_queue_init") :
	     json_object_new_string("ok"));
	jadd(root, "system", x);

	x = json_object_new_object();
	jadd(x, "quick", json_object_new_boolean(o->quick));
	a = json_object_new_array();
	for (i = 0; i < o->nr_sizes; i++)
		json_object_array_add(a, json_object_new_int64(o->sizes[i]));
	jadd(x, "sizes_bytes", a);
	a = json_object_new_array();
	for (bk = 0; bk < NR_BACKINGS; bk++)
		if (o->backing_on[bk])
			json_object_array_add(a,
				json_object_new_string(backing_id(bk)));
	jadd(x, "backings", a);
	jadd(x, "min_samples", json_object_new_int(o->budget.min_samples));
	jadd(x, "max_samples", json_object_new_int(o->budget.max_samples));
	jadd(x, "cell_budget_ms",
	     json_object_new_int64(o->budget.cell_ns / 1000000));
	jadd(x, "sample_target_us",
	     json_object_new_int64(o->budget.sample_ns / 1000));
	jadd(x, "gup_nr_pages_per_call", json_object_new_int(o->gup_batch));
	jadd(x, "gup_flags_pin_fast",
	     json_object_new_int(r->foll_write | r->foll_longterm));
	jadd(x, "gup_flags_pin_longterm", json_object_new_int(r->foll_write));
	jadd(x, "multi_buffers", json_object_new_int(o->multi_n));
	jadd(x, "multi_buffer_bytes", json_object_new_int64(o->multi_size));
	jadd(x, "multi_min_samples",
	     json_object_new_int(o->multi_budget.min_samples));
	jadd(x, "multi_max_samples",
	     json_object_new_int(o->multi_budget.max_samples));
	jadd(x, "scaling_seconds", jnum(o->scale_secs, "%.2f"));
	jadd(x, "scaling_rounds", json_object_new_int(o->scale_rounds));
	jadd(x, "scaling_buffer_bytes", json_object_new_int64(64 * KIB));
	jadd(x, "dump_leases", json_object_new_int(o->dump_leases));
	jadd(x, "dump_repeats", json_object_new_int(o->dump_repeats));
	jadd(x, "monitor_rounds", json_object_new_int(o->monitor_rounds));
	jadd(x, "watch_rounds", json_object_new_int(o->watch_rounds));
	jadd(x, "stale_event_samples", json_object_new_int(o->stale_samples));
	jadd(x, "trace_rounds", json_object_new_int(o->trace_rounds));
	jadd(x, "census_processes", json_object_new_int(o->census_procs));
	jadd(x, "census_repeats", json_object_new_int(o->census_repeats));
	jadd(x, "clock", json_object_new_string("CLOCK_MONOTONIC"));
	jadd(root, "parameters", x);

	jadd(root, "interfaces", jinterfaces());

	a = json_object_new_array();
	for (i = 0; i < r->nr_cells; i++)
		json_object_array_add(a, jcell(&r->cells[i]));
	jadd(root, "cells", a);

	x = json_object_new_object();
	jadd(x, "buffers", json_object_new_int(o->multi_n));
	jadd(x, "buffer_bytes", json_object_new_int64(o->multi_size));
	jadd(x, "backing", json_object_new_string(backing_id(BACKING_4K)));
	y = json_object_new_object();
	for (i = 0; i < nr_multi_ifaces; i++) {
		const struct multi_result *mr = &r->multi[i];
		struct json_object *m;

		if (mr->err) {
			m = jerror(mr->err, mr->why);
		} else {
			m = json_object_new_object();
			jadd(m, "status", json_object_new_string("ok"));
			jadd(m, "label", json_object_new_string(multi_ifaces[i].label));
			jadd(m, "register", jstats(&mr->reg, "ns"));
			jadd(m, "unregister", jstats(&mr->unreg, "ns"));
			jadd(m, "total", jstats(&mr->total, "ns"));
		}
		jadd(y, multi_ifaces[i].id, m);
	}
	jadd(x, "results", y);
	if (r->multi_raw.measured) {
		y = result_ok(&r->multi_raw) ?
		    jstats(&r->multi_raw.st, "ns") :
		    jerror(r->multi_raw.err, r->multi_raw.why);
		if (result_ok(&r->multi_raw))
			jadd(y, "pin_phase", jstats(&r->multi_raw.pin, "ns"));
		jadd(x, "raw_one_buffer", y);
	}
	jadd(root, "many_buffers", x);

	x = json_object_new_object();
	for (bk = 0; bk < NR_BACKINGS; bk++) {
		const struct meta_result *me = &r->meta[bk];
		struct json_object *m;

		if (!o->backing_on[bk])
			continue;
		if (me->status != CELL_OK) {
			m = json_object_new_object();
			jadd(m, "status",
			     json_object_new_string(cell_status_str(me->status)));
			jadd(m, "reason", json_object_new_string(me->why));
		} else if (me->err) {
			m = jerror(me->err, me->why);
		} else {
			m = json_object_new_object();
			jadd(m, "status", json_object_new_string("ok"));
			jadd(m, "lease_bytes", json_object_new_int64(me->size));
			jadd(m, "metadata_bytes",
			     json_object_new_int64(me->metadata_bytes));
			jadd(m, "nr_runs", json_object_new_int64(me->nr_runs));
			jadd(m, "nr_pages", json_object_new_int64(me->nr_pages));
		}
		jadd(x, backing_id(bk), m);
	}
	jadd(root, "metadata", x);

	x = json_object_new_object();
	for (i = 0; i < nr_scale_ifaces; i++) {
		const struct scale_result *s = &r->scale[i];
		struct json_object *m;

		if (s->err) {
			m = jerror(s->err, s->why);
		} else {
			m = json_object_new_object();
			jadd(m, "status", json_object_new_string("ok"));
			jadd(m, "label", json_object_new_string(scale_ifaces[i].label));
			jadd(m, "one_thread", jstats(&s->one, "ops_per_s"));
			jadd(m, "two_threads", jstats(&s->two, "ops_per_s"));
			jadd(m, "ratio", jnum(s->ratio, "%.3f"));
		}
		jadd(x, scale_ifaces[i].id, m);
	}
	jadd(root, "scaling", x);

	if (r->ends.err) {
		x = jerror(r->ends.err, r->ends.why);
	} else {
		x = json_object_new_object();
		jadd(x, "status", json_object_new_string("ok"));
		jadd(x, "expiry_to_event_read", jstats(&r->ends.latency, "ns"));
		jadd(x, "mass_leases", json_object_new_int(r->ends.mass_n));
		jadd(x, "mass_last_event_read_after_deadline_ns",
		     json_object_new_int64(r->ends.mass_read_ns));
		jadd(x, "mass_first_to_last_event_ns",
		     json_object_new_int64(r->ends.mass_span_ns));
	}
	jadd(root, "lease_ends", x);
	if (r->dump.measured)
		jadd(root, "netlink_dump", jdump(&r->dump));
	if (r->monitor.measured)
		jadd(root, "pin_unpin_monitor", jmonitor(&r->monitor));
	if (r->floor.measured)
		jadd(root, "syscall_floor", jfloor(&r->floor));
	if (r->watch.measured)
		jadd(root, "watched_leases", jwatch(&r->watch));
	if (r->exports.measured)
		jadd(root, "exported_leases", jexport(&r->exports));
	if (r->budgets.measured)
		jadd(root, "pin_unpin_budgets", jbudgets(&r->budgets));
	if (r->trace.measured)
		jadd(root, "pin_unpin_trace", jtrace(&r->trace));
	if (r->census.measured)
		jadd(root, "census", jcensus(&r->census));

	n = compute_targets(o, r, t);
	a = json_object_new_array();
	for (i = 0; i < n; i++) {
		x = json_object_new_object();
		jadd(x, "name", json_object_new_string(t[i].name));
		jadd(x, "rule", json_object_new_string(t[i].rule));
		jadd(x, "value", t[i].state == TARGET_NOT_MEASURED ? NULL :
		     jnum(t[i].value, "%.3f"));
		jadd(x, "state", json_object_new_string(target_state_str(t[i].state)));
		if (t[i].other > 0) {
			jadd(x, "other_value", jnum(t[i].other, "%.3f"));
			jadd(x, "other_value_is",
			     json_object_new_string(t[i].other_what));
		}
		if (t[i].bound > 0) {
			jadd(x, "best_reachable", jnum(t[i].bound, "%.3f"));
			jadd(x, "best_reachable_is",
			     json_object_new_string(t[i].bound_why));
		}
		json_object_array_add(a, x);
	}
	jadd(root, "targets", a);
	jadd(root, "wall_s", jnum(r->wall_ns / 1e9, "%.1f"));

	if (json_object_to_file_ext(path, root, JSON_C_TO_STRING_PRETTY |
				    JSON_C_TO_STRING_NOSLASHESCAPE))
		ret = errno ? -errno : -EIO;
	json_object_put(root);
	return ret;
}

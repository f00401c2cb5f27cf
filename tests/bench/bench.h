/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pinmgr-bench: what the parts of the benchmark share. The program measures
 * the cost of pinning and unpinning user memory through pinmgr against the
 * kernel's other pinning interfaces, side by side in one boot; see
 * docs/benchmarks.md.
 */
#ifndef PINMGR_BENCH_H
#define PINMGR_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <liburing.h>

#define KIB 1024UL
#define MIB (1024UL * KIB)
#define GIB (1024UL * MIB)
#define BASE_PAGE 4096UL
#define HUGE_PAGE (2 * MIB)

#define NSEC_PER_SEC 1000000000LL

/* ---- memory (mem.c) ---- */

enum backing {
	BACKING_4K,
	BACKING_THP,
	BACKING_HUGETLB,
	NR_BACKINGS,
};

const char *backing_id(enum backing b);
const char *backing_label(enum backing b);
size_t backing_page_size(enum backing b);

/* A mapping made for one measurement: exactly [addr, addr + length). */
struct region {
	void *addr;
	size_t length;
	enum backing backing;
};

/* What /proc/self/smaps says of the mapping holding an address, in kB. */
struct smaps_info {
	unsigned long size_kb;
	unsigned long rss_kb;
	unsigned long kernel_page_kb;
	unsigned long anon_huge_kb;
	unsigned long hugetlb_kb;	/* Private_Hugetlb + Shared_Hugetlb */
};

int region_map(struct region *r, enum backing b, size_t length);
void region_unmap(struct region *r);
int smaps_lookup(const void *addr, struct smaps_info *info);
/*
 * 0 if the whole region is faulted in on the backing it asked for, or
 * -1 with @why (of @len bytes) saying what the kernel gave instead.
 */
int region_confirm(const struct region *r, char *why, size_t len);

/* nr_hugepages is a machine-wide knob: reserve, and give back what we took. */
struct hugetlb_reservation {
	long old_nr;		/* -1: nothing to restore */
	long free_pages;	/* huge pages free for us after reserving */
};

int hugetlb_reserve(struct hugetlb_reservation *res, long pages);
void hugetlb_restore(struct hugetlb_reservation *res);

/* ---- timing and statistics (stats.c) ---- */

int64_t now_ns(void);

/* The figures of one measured cell: nanoseconds per cycle. */
struct stats {
	unsigned int samples;
	unsigned int cycles_per_sample;
	double median, p10, p90, min, max;
};

void stats_compute(struct stats *st, double *values, unsigned int n);

/* How long and how often to measure. */
struct budget {
	unsigned int min_samples;
	unsigned int max_samples;
	int64_t cell_ns;	/* stop sampling after this, once min_samples */
	int64_t sample_ns;	/* small cycles are batched to about this */
};

/* ---- interfaces (ifaces.c) ---- */

/*
 * gup_test (mm/gup_test.c) reports its own in-kernel times; the other
 * interfaces are timed around their system calls. Every cycle has a pin
 * and an unpin phase (register/unregister, mlock/munlock).
 */
struct cycle_result {
	int64_t ns;		/* the figure of this cycle: pin + unpin */
	int64_t pin_ns;		/* gup_test: its in-kernel get_delta */
	int64_t unpin_ns;	/* gup_test: its in-kernel put_delta */
	int64_t wall_ns;	/* gup_test: the ioctl as seen from user space */
};

/* The handles a run shares among interfaces; all -1 / unset when absent. */
struct bench_env {
	int pinmgr_fd;
	int gup_fd;		/* -1: no CONFIG_GUP_TEST (Debian's kernels) */
	int gup_errno;		/* why gup_fd is -1 */
	struct io_uring ring;
	int ring_err;		/* 0: ring usable; else -errno of the setup */
	unsigned int foll_write;
	unsigned int foll_longterm;
	unsigned int gup_batch;	/* gup_test nr_pages_per_call */
};

/* One single-range interface: a row of the table, a column of the plot. */
struct iface {
	const char *id;		/* JSON key */
	const char *label;	/* table row */
	bool raw;		/* reports gup_test's in-kernel times */
	bool needs_gup;
	/* one PIN+UNPIN (or equivalent) cycle of the whole region */
	int (*cycle)(struct bench_env *env, const struct region *r,
		     struct cycle_result *res);
};

extern const struct iface ifaces[];
extern const unsigned int nr_ifaces;
/* What any PIN+UNPIN pair of system calls costs at least (no range). */
extern const struct iface floor_ifaces[];
extern const unsigned int nr_floor_ifaces;
#define NULL_IOCTL_IFACE_ID "null-ioctl-pair"
/* the interface whose median is "raw" in the ratios */
#define RAW_IFACE_ID "gup-pin-fast"
/* the pinmgr interface the DESIGN targets speak of */
#define PINMGR_IFACE_ID "pinmgr-wl"
#define URING_IFACE_ID "io_uring"
/* pinmgr's way of pinning many buffers at once */
#define PINMGR_VEC_IFACE_ID "pinmgr-pin-vec"

/*
 * Many buffers at once: a register and an unregister phase, each timed;
 * prepare and release (untimed) build and free what the phases need.
 * reg either registers all @n buffers or none.
 */
struct multi_iface {
	const char *id;
	const char *label;
	int (*prepare)(struct bench_env *env, const struct region *bufs,
		       unsigned int n, void **state);
	int (*reg)(struct bench_env *env, void *state, unsigned int n);
	int (*unreg)(struct bench_env *env, void *state, unsigned int n);
	void (*release)(void *state);
};

extern const struct multi_iface multi_ifaces[];
extern const unsigned int nr_multi_ifaces;

/* One thread's loop of the scaling test; each thread has its own handles. */
struct scale_iface {
	const char *id;
	const char *label;
	int (*open)(void **state);
	int (*cycle)(void *state, const struct region *r);
	void (*close)(void *state);
};

extern const struct scale_iface scale_ifaces[];
extern const unsigned int nr_scale_ifaces;

/* PIN and UNPIN on @fd: 0 or -errno. */
int pinmgr_pin(int fd, const void *addr, size_t len, uint32_t flags,
	       uint64_t *handle);
int pinmgr_unpin(int fd, uint64_t handle);
int env_open(struct bench_env *env);
void env_close(struct bench_env *env);
const struct iface *iface_find(const char *id);
int pinmgr_query_lease(int fd, const struct region *r, uint64_t *metadata,
		       uint64_t *runs, uint64_t *pages);

/* ---- a run's options and results (pinmgr-bench.c, report.c) ---- */

#define MAX_SIZES 16
#define MAX_IFACES 16
#define WHY_LEN 256

struct options {
	bool quick;
	const char *json_path;		/* NULL: no JSON */
	size_t sizes[MAX_SIZES];
	unsigned int nr_sizes;
	bool backing_on[NR_BACKINGS];
	struct budget budget;		/* per single-range cell */
	struct budget multi_budget;
	unsigned int multi_n;		/* buffers registered at once */
	size_t multi_size;		/* bytes each */
	double scale_secs;		/* one timed loop */
	unsigned int scale_rounds;
	unsigned int gup_batch;
	long foll_longterm;		/* -1: from the kernel release */
	unsigned int dump_leases;	/* leases in the netlink dump */
	unsigned int dump_repeats;	/* timed dumps, after an untimed one */
	unsigned int monitor_rounds;	/* with/without a listener, alternated */
	unsigned int floor_rounds;	/* the floor's rows, alternated */
	unsigned int watch_rounds;	/* watched leases' rows, alternated */
	unsigned int stale_samples;	/* munmap() to its STALE event */
	unsigned int budget_rounds;	/* with/without cgroup budgets */
	unsigned int trace_rounds;	/* tracepoints off/on, alternated */
	unsigned int census_procs;	/* processes added for the census */
	unsigned int census_repeats;	/* timed censuses, after an untimed one */
	const char *loop_id;		/* --loop: one interface, nothing else */
	double loop_secs;
};

/* One interface in one cell; err < 0: it failed (recorded, not fatal). */
struct iface_result {
	bool measured;
	bool absent;		/* needs gup_test, which this kernel lacks */
	int err;
	char why[WHY_LEN];	/* what failed, if err */
	struct stats st;	/* ns per cycle */
	struct stats pin, unpin;	/* the phases, ns */
	struct stats wall;		/* raw interfaces: ioctl wall time */
};

enum cell_status {
	CELL_OK,
	CELL_SKIPPED,		/* size below the backing's page size */
	CELL_NOT_BACKED,	/* the kernel did not give the backing */
};

struct cell {
	enum backing backing;
	size_t size;
	enum cell_status status;
	char why[WHY_LEN];
	bool changed_after;	/* backing no longer confirmed after the runs */
	char why_after[WHY_LEN];
	struct iface_result res[MAX_IFACES];
};

struct multi_result {
	bool measured;
	int err;
	char why[WHY_LEN];
	struct stats reg, unreg, total;	/* ns per phase, for all buffers */
};

struct meta_result {
	bool measured;
	enum cell_status status;
	int err;
	char why[WHY_LEN];
	size_t size;
	uint64_t metadata_bytes, nr_runs, nr_pages;
};

struct scale_result {
	bool measured;
	int err;
	char why[WHY_LEN];
	struct stats one, two;	/* ops/s over all threads, per round */
	double ratio;		/* two.median / one.median */
};

/* Measurements taken in alternating rounds, so a busy spell hits all. */
#define MAX_ROUNDS 5

/* An interface's figures over rounds: the rounds' medians. */
struct rounds_figure {
	struct stats cycle, pin, unpin;	/* ns, over the rounds' medians */
	unsigned int samples;		/* of all rounds together */
};

/* Leases that end on their own (ends.c). */
struct ends_result {
	bool measured;
	int err;
	char why[WHY_LEN];
	struct stats latency;	/* ns from a deadline to its event, read */
	unsigned int mass_n;	/* leases due at one moment */
	int64_t mass_read_ns;	/* from the moment to the last event read */
	int64_t mass_span_ns;	/* first to last event's time */
};

/* A netlink lease-get dump of many one-page leases (netlink.c). */
struct dump_result {
	bool measured;
	int err;
	char why[WHY_LEN];
	unsigned int leases;		/* pinned for the dump */
	unsigned int files;		/* open files of /dev/pinmgr holding them */
	unsigned int pages;		/* distinct pages they pin, round robin */
	int64_t pin_ns;			/* pinning them all with PIN_VEC */
	int64_t close_ns;		/* closing the files, which unpins them */
	int rcvbuf;			/* SO_RCVBUF as the kernel set it */
	unsigned int msgbuf;		/* our recvmsg() buffer, bytes */
	struct stats st;		/* ns per dump, request to NLMSG_DONE */
	struct stats in_recv;		/* ns of each dump inside nl_recv() */
	struct stats raw;		/* ns per dump read from a raw socket */
	/* per timed dump: the smallest and the largest */
	uint64_t datagrams_min, datagrams_max;	/* recvmsg() with data */
	uint64_t messages_min, messages_max;	/* lease messages */
	uint64_t bytes_min, bytes_max;
	/*
	 * Every dump, the untimed one too, must return exactly the pinned
	 * handles, each once. The counts are of the first dump that did not,
	 * or of the last one.
	 */
	bool verified;
	unsigned int bad_dump;		/* 0: the untimed one */
	unsigned int received, distinct, matched, malformed;
};

/* PIN+UNPIN of one page with and without a monitor listener (netlink.c). */
struct monitor_result {
	bool measured;
	int err;
	char why[WHY_LEN];
	unsigned int rounds;
	struct iface_result without[MAX_ROUNDS];
	struct iface_result with[MAX_ROUNDS];	/* drained */
	struct iface_result late[MAX_ROUNDS];	/* read after */
	struct iface_result uring[MAX_ROUNDS];
	struct rounds_figure f_without, f_with, f_late, f_uring;
	bool uring_ok;			/* io_uring has a figure every round */
	struct stats ratio;		/* with / without, per round */
	struct stats late_ratio;	/* late / without, per round */
	struct stats uring_ratio;	/* io_uring / without, per round */
	/* the listeners, over all rounds, both kinds */
	int rcvbuf;
	uint64_t pins, unpins;		/* leases the device pinned, unpinned */
	uint64_t pinned_events, unpinned_events, other_events;
	unsigned int overflows;		/* ENOBUFS: the socket lost events */
	bool verified;			/* every event read, none lost */
};

/*
 * PIN+UNPIN of one page in a cgroup three levels deep, with a budget on
 * each level and without (budgets.c).
 */
struct budgets_result {
	bool measured;
	int err;
	char why[WHY_LEN];
	unsigned int rounds;
	struct iface_result with[MAX_ROUNDS];
	struct iface_result without[MAX_ROUNDS];
	struct rounds_figure f_with, f_without;
	struct stats ratio;		/* with / without, per round */
};

/*
 * PIN+UNPIN of one page with the pinmgr tracepoints disabled and enabled
 * in a trace instance of the bench's own (trace.c).
 */
struct trace_result {
	bool measured;
	int err;
	char why[WHY_LEN];
	unsigned int rounds;
	struct iface_result off[MAX_ROUNDS];
	struct iface_result on[MAX_ROUNDS];
	struct rounds_figure f_off, f_on;
	struct stats ratio;		/* enabled / disabled, per round */
	unsigned int buffer_kb;		/* the instance's, per CPU */
	/* over the enabled measurements */
	uint64_t pins, unpins;		/* the device's counters */
	uint64_t written;		/* events the buffers took */
	uint64_t overrun;		/* of them, overwritten since */
	uint64_t dropped;		/* not written: must be 0 */
	uint64_t written_off;		/* while disabled: must be 0 */
	bool verified;			/* an event per pin and unpin, no more */
};

/* The census's time on a machine of many processes (census.c). */
#define CENSUS_TARGET_PROCS 10000

struct census_result {
	bool measured;
	int err;
	char why[WHY_LEN];
	unsigned int wanted;		/* processes to add */
	unsigned int made;		/* added */
	int fork_err;			/* why no more than made: -errno, or 0 */
	int64_t fork_ns;		/* making them */
	int64_t end_ns;			/* ending and reaping them */
	long mem_kb;			/* MemAvailable they took, all of them */
	uint32_t base_procs;		/* censused without them */
	struct stats base;		/* ns per census without them */
	uint32_t procs;			/* censused with them */
	uint32_t hidden;
	int64_t first_ns;		/* the first census with them, not in st */
	struct stats st;		/* ns per census with them */
	bool verified;			/* the census saw them all */
};

/*
 * The floor (floor.c): two system calls that do nothing, beside one page's
 * PIN+UNPIN and io_uring's register+unregister, in alternating rounds.
 */
enum floor_row {
	FLOOR_GETPPID,		/* two getppid() */
	FLOOR_NULL_IOCTL,	/* two ioctl()s the driver answers ENOTTY */
	FLOOR_PINMGR,		/* PIN+UNPIN (W|LT) of one 4 KiB page */
	FLOOR_URING,		/* register+unregister of the same page */
	NR_FLOOR_ROWS,
};

struct floor_result {
	bool measured;
	int err;
	char why[WHY_LEN];
	unsigned int rounds;
	struct iface_result res[NR_FLOOR_ROWS][MAX_ROUNDS];
	struct rounds_figure f[NR_FLOOR_ROWS];
	bool uring_ok;		/* io_uring has a figure every round */
};

/*
 * Watched leases (watch.c): a registration cache's hit beside io_uring's
 * register+unregister and PIN+UNPIN of the same 4 KiB page; PIN+UNPIN
 * with PINMGR_PIN_WATCH and without, of that page and of the run's
 * largest THP range; munmap() of a page without a lease, with one and
 * with a watched one; in alternating rounds. And the time from munmap()
 * returning to the STALE event's read().
 */
enum watch_row {
	WATCH_HIT,		/* lookup among the cached leases + word check */
	WATCH_URING,		/* io_uring register+unregister of the page */
	WATCH_PIN,		/* PIN+UNPIN (W|LT) of the page */
	WATCH_PIN_WATCH,	/* PIN+UNPIN (W|LT|WATCH) of the page */
	WATCH_PIN_THP,		/* PIN+UNPIN (W|LT) of the THP range */
	WATCH_PIN_WATCH_THP,	/* PIN+UNPIN (W|LT|WATCH) of it */
	WATCH_MUNMAP,		/* munmap() of a page without a lease */
	WATCH_MUNMAP_LEASE,	/* ... with a lease (W|LT) of it */
	WATCH_MUNMAP_WATCHED,	/* ... with a watched lease (W|LT|WATCH) */
	NR_WATCH_ROWS,
};

/* Lookups timed together in one cycle of WATCH_HIT. */
#define WATCH_HIT_BATCH 256
/* Leases the cache holds, one page each, the measured page among them. */
#define WATCH_CACHE_ENTRIES 64

struct watch_result {
	bool measured;
	int err;
	char why[WHY_LEN];
	unsigned int rounds;
	size_t thp_size;
	enum cell_status thp_status;	/* not CELL_OK: no THP rows */
	char thp_why[WHY_LEN];
	struct iface_result res[NR_WATCH_ROWS][MAX_ROUNDS];
	struct rounds_figure f[NR_WATCH_ROWS];
	bool uring_ok;			/* io_uring has a figure every round */
	struct stats ratio_4k;		/* watched / unwatched, per round */
	struct stats ratio_thp;
	/* munmap() returning to the read() of its STALE event */
	int stale_err;
	char stale_why[WHY_LEN];
	struct stats stale;		/* ns */
	unsigned int stale_ready;	/* queued already when munmap() returned */
};

/*
 * Exported leases (export.c): PIN + EXPORT + an importer's attach and map
 * (and back: unmap, detach, close, UNPIN) against udmabuf's UDMABUF_CREATE
 * + the same importer steps, on the same memfd, per backing and size. The
 * importer is the test module's edu device behind the IOMMU.
 */
enum export_row {
	EXPORT_PINMGR,
	EXPORT_UDMABUF,
	NR_EXPORT_ROWS,
};

#define EXPORT_SIZES 4

struct export_cell {
	enum backing backing;
	size_t size;
	enum cell_status status;
	char why[WHY_LEN];
	int err[NR_EXPORT_ROWS];
	char row_why[NR_EXPORT_ROWS][WHY_LEN];
	struct stats st[NR_EXPORT_ROWS];	/* ns per cycle */
	unsigned int sg_entries[NR_EXPORT_ROWS];	/* the exporter's */
	unsigned int dma_segments[NR_EXPORT_ROWS];	/* after the IOMMU */
	double ratio;			/* pinmgr / udmabuf, medians */
};

struct export_result {
	bool measured;
	int err;
	char why[WHY_LEN];
	unsigned int nr_cells;
	struct export_cell cells[NR_BACKINGS * EXPORT_SIZES];
};

struct sysinfo_run {
	char release[65];		/* as struct utsname */
	char version[65];
	char machine[65];
	char date[64];
	char thp_enabled[128];
	long cpus;
	long mem_total_kb;
	long hugetlb_reserved;	/* huge pages we got for the hugetlb cells */
};

struct results {
	struct sysinfo_run sys;
	bool gup_present;
	int gup_errno;
	int ring_err;
	unsigned int foll_write, foll_longterm;
	bool foll_unknown;	/* gup_test present, FOLL_LONGTERM unknown */
	struct cell *cells;
	unsigned int nr_cells;
	struct multi_result multi[MAX_IFACES];
	/* gup_test on one of the buffers, in the same rounds: raw's pin */
	struct iface_result multi_raw;
	struct meta_result meta[NR_BACKINGS];
	struct scale_result scale[MAX_IFACES];
	struct ends_result ends;
	struct dump_result dump;
	struct monitor_result monitor;
	struct floor_result floor;
	struct watch_result watch;
	struct export_result exports;
	struct budgets_result budgets;
	struct trace_result trace;
	struct census_result census;
	int64_t wall_ns;
};

/* One interface on one region: probe cycles, then timed samples of k. */
void measure(struct bench_env *env, const struct iface *ifc,
	     const struct region *r, const struct budget *b,
	     struct iface_result *out);
void run_ends(const struct options *o, struct ends_result *r);
void run_netlink_dump(const struct options *o, struct dump_result *r);
void run_monitor(struct bench_env *env, const struct options *o,
		 struct monitor_result *r);

/* The device's pin and unpin counts (sysfs), for the rows that check them. */
#define PINS_PATH	"/sys/class/misc/pinmgr/pins"
#define UNPINS_PATH	"/sys/class/misc/pinmgr/unpins"
/* A file holding one number (netlink.c); 0 or a negative errno. */
int bench_read_u64(const char *path, uint64_t *val);
void run_floor(struct bench_env *env, const struct options *o,
	       struct floor_result *r);
void run_watch(struct bench_env *env, const struct options *o,
	       struct watch_result *r);
void run_export(struct bench_env *env, const struct options *o,
		struct export_result *r);
void run_budgets(struct bench_env *env, const struct options *o,
		 struct budgets_result *r);
void run_trace(struct bench_env *env, const struct options *o,
	       struct trace_result *r);
void run_census(const struct options *o, struct census_result *r);
void rounds_figure(const struct iface_result *res, unsigned int n,
		   struct rounds_figure *f);
bool iface_ok(const struct iface_result *res);

/* "4 KiB", "64 MiB", "1 GiB": a size as the table and the progress say it. */
const char *size_str(size_t size, char *buf, size_t len);
/* The largest of the run's sizes: the metadata leases are of this size. */
size_t largest_size(const struct options *o);
void report_table(FILE *out, const struct options *o,
		  const struct results *r);
int report_json(const char *path, const struct options *o,
		const struct results *r);

#endif /* PINMGR_BENCH_H */

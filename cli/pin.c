// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinctl pin: pin a fresh buffer (anonymous, THP, hugetlb, memfd) or a range
 * of a file, print the lease, and hold it until a signal, the lease's end
 * (for DURATION), a revocation, or, watched with release-on-stale, a change
 * of its range.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "pinctl.h"

#define HUGE_2M	(2ULL << 20)

static void usage(FILE *f)
{
	fputs("usage: pinctl pin SIZE [ backing { anon | thp | hugetlb | memfd } ] [ PIN ]\n"
	      "       pinctl pin [ SIZE ] file PATH [ offset OFF ] [ PIN ]\n"
	      "       pinctl pin help\n"
	      "  PIN := [ write ] [ longterm ] [ for DURATION ] [ cookie N ]\n"
	      "         [ onbreak { unpin | hold } ]\n"
	      "         [ watch ] [ release-on-stale ] [ watch-only ] [ export ]\n"
	      "\n"
	      "Maps a fresh buffer of SIZE (anonymous memory by default; transparent\n"
	      "huge pages, hugetlb pages, or a memfd) and writes every page, or maps\n"
	      "SIZE bytes of a file from OFF (the rest of the file without SIZE),\n"
	      "pins it as one lease and prints the lease. Then holds it until\n"
	      "SIGINT, SIGTERM or SIGHUP, until it expires, until an\n"
	      "administrator revokes it, or until a release-on-stale lease is\n"
	      "released.\n"
	      "  write          a write pin (the pages are marked dirty at unpin)\n"
	      "  longterm       a long-term pin (FOLL_LONGTERM)\n"
	      "  for D          the lease lasts D (500ms, 10s, 5m, ...)\n"
	      "  cookie N       the lease's cookie (decimal or 0x hex)\n"
	      "  onbreak hold   on a break, keep the lease to the deadline instead\n"
	      "                 of unpinning at once\n"
	      "  watch          watch the range: the lease turns stale when the range\n"
	      "                 stops mapping its pages (a truncated file, ...); it\n"
	      "                 gets a slot in the status area (printed)\n"
	      "  release-on-stale\n"
	      "                 the driver releases the pages when the lease turns\n"
	      "                 stale, and pinctl ends (implies watch)\n"
	      "  watch-only     watch the range without pinning it\n"
	      "  export         also make a dma-buf of the lease, held by pinctl: its\n"
	      "                 descriptor is printed (exported_fd), for a device\n"
	      "                 driver's user to take (pidfd_getfd(2)); the pages\n"
	      "                 stay pinned while it is open anywhere\n", f);
}

enum backing { B_ANON, B_THP, B_HUGETLB, B_MEMFD, B_FILE };
static const char *const backing_names[] = { "anon", "thp", "hugetlb", "memfd",
					     "file", NULL };
static const char *const onbreak_names[] = { "unpin", "hold", NULL };

struct pin_args {
	uint64_t size;
	unsigned int backing;
	const char *path;
	uint64_t offset;
	bool write, longterm;
	uint64_t duration_ns, cookie;
	unsigned int onbreak;
	bool watch, release_on_stale, watch_only, export;
};

enum {
	KW_SIZE, KW_BACKING, KW_FILE, KW_OFFSET, KW_WRITE, KW_LONGTERM, KW_FOR,
	KW_COOKIE, KW_ONBREAK, KW_WATCH, KW_RELEASE_ON_STALE, KW_WATCH_ONLY,
	KW_EXPORT,
};

static const struct kw pin_kws[] = {
	[KW_SIZE] = KW(NULL, ARG_SIZE, struct pin_args, size, .nonzero = true,
		       .what = "size"),
	[KW_BACKING] = KW("backing", ARG_CHOICE, struct pin_args, backing,
			  .choices = backing_names),
	[KW_FILE] = KW("file", ARG_STRING, struct pin_args, path),
	[KW_OFFSET] = KW("offset", ARG_SIZE, struct pin_args, offset),
	[KW_WRITE] = KW("write", ARG_FLAG, struct pin_args, write),
	[KW_LONGTERM] = KW("longterm", ARG_FLAG, struct pin_args, longterm),
	[KW_FOR] = KW("for", ARG_DURATION, struct pin_args, duration_ns,
		      .nonzero = true, .what = "duration"),
	[KW_COOKIE] = KW("cookie", ARG_COOKIE, struct pin_args, cookie),
	[KW_ONBREAK] = KW("onbreak", ARG_CHOICE, struct pin_args, onbreak,
			  .choices = onbreak_names),
	[KW_WATCH] = KW("watch", ARG_FLAG, struct pin_args, watch),
	[KW_RELEASE_ON_STALE] = KW("release-on-stale", ARG_FLAG, struct pin_args,
				   release_on_stale),
	[KW_WATCH_ONLY] = KW("watch-only", ARG_FLAG, struct pin_args, watch_only),
	[KW_EXPORT] = KW("export", ARG_FLAG, struct pin_args, export),
};

struct buffer {
	void *map;		/* what to munmap */
	size_t map_len;
	void *addr;		/* what to pin */
	uint64_t len;
};

/* ---- The arguments ---------------------------------------------------- */

static int pin_parse(int argc, char **argv, struct pin_args *a)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint32_t seen;
	int ret;

	ret = parse_args(pin_kws, ARRAY_SIZE(pin_kws), argc, argv, a, &seen, usage);
	if (ret != ARGS_GO_ON)
		return ret;
	if (seen & 1u << KW_FILE) {
		if (seen & 1u << KW_BACKING && a->backing != B_FILE)
			return usage_error(usage, "a file is its own backing");
		a->backing = B_FILE;
	} else if (a->backing == B_FILE) {
		return usage_error(usage, "backing file needs \"file PATH\"");
	}
	if (!(seen & 1u << KW_SIZE) && a->backing != B_FILE)
		return usage_error(usage, "no size given");
	if ((seen & 1u << KW_OFFSET) && a->backing != B_FILE)
		return usage_error(usage, "offset is for a file");
	if (a->export && a->watch_only)
		return usage_error(usage, "a watch-only lease pins nothing to export");
	if (a->size % page)
		return usage_error(usage, "the size must be a multiple of the page "
				   "size (%" PRIu64 ")", page);
	return ARGS_GO_ON;
}

/* ---- The buffer ------------------------------------------------------- */

static uint64_t meminfo(const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	uint64_t v = 0;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = strtoull(line + klen + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static int map_thp(struct buffer *buf, uint64_t len)
{
	buf->map_len = len + HUGE_2M;
	buf->map = mmap(NULL, buf->map_len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf->map == MAP_FAILED)
		return 0;
	buf->addr = (void *)(((uintptr_t)buf->map + HUGE_2M - 1) &
			     ~(uintptr_t)(HUGE_2M - 1));
	if (madvise(buf->addr, len, MADV_HUGEPAGE))
		return fail("transparent huge pages: madvise: %s (is THP enabled "
			    "in /sys/kernel/mm/transparent_hugepage?)", strerror(errno));
	return 0;
}

static int map_hugetlb(struct buffer *buf, uint64_t len)
{
	char sz[32];

	if (len % HUGE_2M)
		return fail("hugetlb buffers are made of 2M pages: %s is not a "
			    "multiple of 2M", fmt_bytes(sz, sizeof(sz), len));
	buf->map_len = len;
	buf->map = mmap(NULL, len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	buf->addr = buf->map;
	if (buf->map == MAP_FAILED && errno == ENOMEM)
		return fail("no room for %s of 2M hugetlb pages: %" PRIu64 " of %"
			    PRIu64 " are free; raise /proc/sys/vm/nr_hugepages",
			    fmt_bytes(sz, sizeof(sz), len), meminfo("HugePages_Free"),
			    meminfo("HugePages_Total"));
	return 0;
}

static int map_memfd(struct buffer *buf, uint64_t len)
{
	char sz[32];
	int fd = memfd_create("pinctl", MFD_CLOEXEC);

	if (fd < 0)
		return fail("memfd_create: %s", strerror(errno));
	if (ftruncate(fd, (off_t)len)) {
		close(fd);
		return fail("memfd of %s: %s", fmt_bytes(sz, sizeof(sz), len),
			    strerror(errno));
	}
	buf->map_len = len;
	buf->map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	buf->addr = buf->map;
	close(fd);
	return 0;
}

/* SIZE bytes of the file from OFFSET, or the rest of it without SIZE. */
static int map_file(struct buffer *buf, const struct pin_args *a)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), len = a->size;
	char sz[32];
	struct stat st;
	int fd;

	if (a->offset % page)
		return fail("the offset %" PRIu64 " is not a multiple of the page "
			    "size (%" PRIu64 ")", a->offset, page);
	fd = open(a->path, (a->write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return fail("%s: %s", a->path, strerror(errno));
	if (fstat(fd, &st)) {
		close(fd);
		return fail("%s: %s", a->path, strerror(errno));
	}
	if (!len) {
		if ((uint64_t)st.st_size <= a->offset) {
			close(fd);
			return fail("%s has no bytes at offset %" PRIu64, a->path,
				    a->offset);
		}
		len = ((uint64_t)st.st_size - a->offset + page - 1) / page * page;
	}
	buf->len = len;
	buf->map_len = len;
	buf->map = mmap(NULL, len, PROT_READ | (a->write ? PROT_WRITE : 0),
			MAP_SHARED, fd, (off_t)a->offset);
	buf->addr = buf->map;
	close(fd);
	if (buf->map == MAP_FAILED)
		return fail("mapping %s of %s: %s", fmt_bytes(sz, sizeof(sz), len),
			    a->path, strerror(errno));
	return 0;
}

static int map_buffer(const struct pin_args *a, struct buffer *buf)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), i;
	char sz[32];
	int ret = 0;

	buf->len = a->size;
	buf->map = MAP_FAILED;
	switch ((enum backing)a->backing) {
	case B_ANON:
		buf->map_len = a->size;
		buf->map = mmap(NULL, a->size, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		buf->addr = buf->map;
		break;
	case B_THP:
		ret = map_thp(buf, a->size);
		break;
	case B_HUGETLB:
		ret = map_hugetlb(buf, a->size);
		break;
	case B_MEMFD:
		ret = map_memfd(buf, a->size);
		break;
	case B_FILE:
		return map_file(buf, a);
	}
	if (ret)
		return ret;
	if (buf->map == MAP_FAILED)
		return fail("mapping %s: %s", fmt_bytes(sz, sizeof(sz), a->size),
			    strerror(errno));
	/* A fresh buffer: real pages, not the shared zero page. */
	for (i = 0; i < buf->len; i += page)
		((volatile char *)buf->addr)[i] = 1;
	return 0;
}

/* ---- The lease -------------------------------------------------------- */

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * The "pinned" record: what the driver answered (handle, pages, runs, the
 * flags as pinned, a watched lease's slot and generation) and what pinctl
 * asked for; no second request.
 */
static void print_pinned(struct out *o, const struct pin_args *a,
			 const struct buffer *buf, const struct pinctl_pinned *p,
			 uint64_t pinned_at)
{
	PINCTL_OPTS(pinctl_lease, l, .handle = p->handle,
		    .tgid = (uint32_t)getpid(), .uid = (uint32_t)geteuid(),
		    .addr = (uintptr_t)buf->addr, .length = buf->len,
		    .nr_pages = p->nr_pages, .nr_runs = p->nr_runs,
		    .flags = p->flags, .state = PINCTL_LEASE_ACTIVE,
		    .cookie = a->cookie, .watch_slot = p->watch_slot);
	bool watched = p->flags & (PINCTL_PIN_WATCH | PINCTL_PIN_WATCH_ONLY);
	uint64_t mask = 1ULL << LF_handle | 1ULL << LF_tgid | 1ULL << LF_uid |
			1ULL << LF_addr | 1ULL << LF_length | 1ULL << LF_nr_pages |
			1ULL << LF_nr_runs | 1ULL << LF_flags | 1ULL << LF_state |
			1ULL << LF_cookie;

	if (a->duration_ns) {
		/* The driver counts from the pin; this is within the call's time. */
		l.expire_time_ns = pinned_at + a->duration_ns;
		mask |= 1ULL << LF_expire_time_ns;
	}
	if (watched)
		mask |= 1ULL << LF_watch_slot;
	out_record_begin(o);
	out_str(o, "event", K_WORD, "pinned");
	out_str(o, "backing", K_WORD, backing_names[a->backing]);
	out_lease(o, &l, mask);
	if (watched)
		out_num(o, "watch_gen", K_COUNT, p->watch_gen);
	out_record_end(o);
}

/* A watched lease's range changed: how, and which part first. */
static void print_stale(struct out *o, const struct pinctl_event *ev)
{
	out_record_begin(o);
	out_str(o, "event", K_WORD, "stale");
	out_num(o, "handle", K_ID, ev->handle);
	out_enum(o, "stale_reason", K_REASON, ev->reason,
		 pinctl_stale_reason_name(ev->reason));
	out_num(o, "stale_addr", K_ADDR, ev->addr);
	out_num(o, "stale_length", K_BYTES, ev->length);
	out_record_end(o);
}

static void print_event(struct out *o, const char *what, uint64_t handle,
			uint64_t deadline)
{
	out_record_begin(o);
	out_str(o, "event", K_WORD, what);
	out_num(o, "handle", K_ID, handle);
	out_num(o, "deadline_ns", K_TIME, deadline);
	out_record_end(o);
}

/* The lease's dma-buf, kept open until pinctl ends; its number is printed. */
static int export_lease(struct pinctl_dev *dev, uint64_t handle, struct out *o,
			int *dbuf)
{
	int fd = pinctl_lease_export(dev, handle);

	if (fd < 0)
		return fail("cannot export lease %" PRIu64 ": %s", handle,
			    fd == -EOPNOTSUPP || fd == -ENOTTY ?
			    "this kernel or module has no dma-buf export" :
			    strerror(-fd));
	*dbuf = fd;
	out_record_begin(o);
	out_str(o, "event", K_WORD, "exported");
	out_num(o, "handle", K_ID, handle);
	out_num(o, "exported_fd", K_COUNT, (uint64_t)fd);
	out_record_end(o);
	return 0;
}

static int pin_buffer(struct pinctl_dev *dev, const struct pin_args *a,
		      const struct buffer *buf, struct out *o, uint64_t *handle)
{
	PINCTL_OPTS(pinctl_pin_opts, po, .cookie = a->cookie,
		    .duration_ns = a->duration_ns);
	PINCTL_OPTS(pinctl_err_opts, eo, .op = PINCTL_OP_PIN);
	PINCTL_OPTS(pinctl_pinned, pinned);
	uint64_t at;
	int ret;

	if (a->write)
		po.flags |= PINCTL_PIN_WRITE;
	if (a->longterm)
		po.flags |= PINCTL_PIN_LONGTERM;
	if (a->watch || a->release_on_stale)
		po.flags |= PINCTL_PIN_WATCH;
	if (a->release_on_stale)
		po.flags |= PINCTL_PIN_RELEASE_ON_STALE;
	if (a->watch_only)
		po.flags |= PINCTL_PIN_WATCH_ONLY;
	eo.addr = (uintptr_t)buf->addr;
	eo.length = buf->len;
	eo.flags = po.flags;
	at = realtime_ns();
	ret = pinctl_pin_lease(dev, buf->addr, buf->len, &po, &pinned);
	if (ret)
		return fail_op(dev, ret, &eo, NULL);
	*handle = pinned.handle;
	print_pinned(o, a, buf, &pinned, at);
	return 0;
}

/*
 * Holds the lease until a signal (unpin), its expiry or revocation (then
 * acknowledged), or a break (unpinned at once, or held to the deadline). A
 * watched lease that turns stale is reported; it is held on, unless its
 * pages were released with it (release-on-stale): then it is acknowledged.
 */
static int hold_lease(struct pinctl_dev *dev, uint64_t handle, bool hold_break,
		      bool release_on_stale, const sigset_t *wait_mask,
		      struct out *o)
{
	for (;;) {
		struct pollfd pfd = { .fd = pinctl_dev_get_fd(dev), .events = POLLIN };
		PINCTL_OPTS(pinctl_event, ev);
		int ret;

		ret = ppoll(&pfd, 1, NULL, wait_mask);
		if (ret < 0 && errno == EINTR) {
			ret = pinctl_unpin(dev, handle);
			print_event(o, ret ? "ended" : "unpinned", handle, 0);
			return EXIT_OK;
		}
		if (ret < 0)
			return fail("poll: %s", strerror(errno));
		ret = pinctl_event_read(dev, &ev);
		if (ret)
			return fail("reading the lease's events: %s", strerror(-ret));
		if (ev.handle != handle && ev.type != PINCTL_EVENT_OVERFLOW)
			continue;
		if (ev.type == PINCTL_EVENT_BREAKING) {
			print_event(o, "breaking", handle, ev.deadline_ns);
			if (hold_break)
				continue;
			ret = pinctl_unpin(dev, handle);
			print_event(o, ret ? "ended" : "unpinned", handle, 0);
			return EXIT_OK;
		}
		if (ev.type == PINCTL_EVENT_STALE) {
			print_stale(o, &ev);
			if (!release_on_stale)
				continue;
			print_event(o, "invalidated", handle, 0);
			pinctl_unpin(dev, handle);
			return EXIT_OK;
		}
		if (ev.type == PINCTL_EVENT_EXPIRED || ev.type == PINCTL_EVENT_REVOKED) {
			print_event(o, ev.type == PINCTL_EVENT_EXPIRED ? "expired" :
				    "revoked", handle, 0);
			/* Acknowledge: the handle is gone after this. */
			pinctl_unpin(dev, handle);
			return EXIT_OK;
		}
	}
}

static int pin_run(struct pinctl_cli *cli, int argc, char **argv)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	PINCTL_OPTS(pinctl_err_opts, eo, .op = PINCTL_OP_OPEN);
	struct pin_args a = { 0 };
	struct buffer buf = { .map = MAP_FAILED };
	struct pinctl_dev *dev;
	sigset_t wait_mask;
	uint64_t handle = 0;
	struct out *o;
	int ret, rc, dbuf = -1;

	if (argc == 0)
		return usage_error(usage, "no size given");
	ret = pin_parse(argc, argv, &a);
	if (ret != ARGS_GO_ON)
		return ret;
	/* Before the pin: a signal from now on unpins instead of killing. */
	hold_signals(sigs, ARRAY_SIZE(sigs), &wait_mask);
	ret = pinctl_dev_open(cli->ctx, NULL, &dev);
	if (ret)
		return fail_op(NULL, ret, &eo, NULL);
	rc = map_buffer(&a, &buf);
	if (rc)
		goto out;
	o = out_new(cli, OUT_STREAM);
	rc = pin_buffer(dev, &a, &buf, o, &handle);
	if (!rc && a.export)
		rc = export_lease(dev, handle, o, &dbuf);
	if (!rc)
		rc = hold_lease(dev, handle, a.onbreak == 1, a.release_on_stale,
				&wait_mask, o);
	if (dbuf >= 0)
		close(dbuf);
	if (out_finish(o) != EXIT_OK)
		rc = EXIT_ERR;
out:
	pinctl_dev_unref(dev);
	if (buf.map != MAP_FAILED)
		munmap(buf.map, buf.map_len);
	return rc;
}

static const struct cmd pin_cmds[] = {
	{ .name = NULL, .fn = pin_run },
};

const struct object pin_object = { "pin", pin_cmds, usage, true };

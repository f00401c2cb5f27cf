// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinctl pin: pin a fresh buffer (anonymous, THP, hugetlb, memfd) or a range
 * of a file, print the lease, and hold it until a signal, the lease's end
 * (--for), or a revocation.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "pinctl.h"

#define HUGE_2M	(2ULL << 20)

static void usage(FILE *f)
{
	fputs("usage: pinctl pin SIZE [ --anon | --thp | --hugetlb | --memfd ]\n"
	      "                 [ --write ] [ --longterm ] [ --for DURATION ] [ --cookie N ]\n"
	      "       pinctl pin [ SIZE ] --file PATH [ --offset OFF ] [ --write ] ...\n"
	      "\n"
	      "Maps a fresh buffer of SIZE (anonymous memory by default; transparent\n"
	      "huge pages, hugetlb pages, or a memfd) and writes every page, or maps\n"
	      "SIZE bytes of a file from OFF (the rest of the file without SIZE),\n"
	      "pins it as one lease and prints the lease. Then holds it until\n"
	      "SIGINT, SIGTERM or SIGHUP, until it expires (--for: the driver ends\n"
	      "it), or until an administrator revokes it: on a break it unpins at\n"
	      "once, unless --hold-on-break keeps it to the deadline.\n"
	      "  --write      a write pin (the pages are marked dirty at unpin)\n"
	      "  --longterm   a long-term pin (FOLL_LONGTERM)\n"
	      "  --for D      the lease lasts D (500ms, 10s, 5m, ...)\n"
	      "  --cookie N   the lease's cookie\n", f);
}

enum backing { B_ANON, B_THP, B_HUGETLB, B_MEMFD, B_FILE };
static const char *const backing_names[] = { "anon", "thp", "hugetlb", "memfd", "file" };

struct buffer {
	void *map;		/* what to munmap */
	size_t map_len;
	void *addr;		/* what to pin */
	uint64_t len;
};

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

static int map_buffer(enum backing b, uint64_t len, const char *path,
		      uint64_t offset, bool write, struct buffer *buf)
{
	char sz[32];
	size_t page = (size_t)sysconf(_SC_PAGESIZE), i;
	struct stat st;
	int fd;

	buf->len = len;
	switch (b) {
	case B_ANON:
		buf->map_len = len;
		buf->map = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		buf->addr = buf->map;
		break;
	case B_THP:
		buf->map_len = len + HUGE_2M;
		buf->map = mmap(NULL, buf->map_len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf->map == MAP_FAILED)
			break;
		buf->addr = (void *)(((uintptr_t)buf->map + HUGE_2M - 1) &
				     ~(uintptr_t)(HUGE_2M - 1));
		if (madvise(buf->addr, len, MADV_HUGEPAGE))
			return fail("transparent huge pages: madvise: %s (is THP "
				    "enabled in /sys/kernel/mm/transparent_hugepage?)",
				    strerror(errno));
		break;
	case B_HUGETLB:
		if (len % HUGE_2M)
			return fail("hugetlb buffers are made of 2M pages: %s is "
				    "not a multiple of 2M", fmt_size(sz, sizeof(sz), len));
		buf->map_len = len;
		buf->map = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
		buf->addr = buf->map;
		if (buf->map == MAP_FAILED && errno == ENOMEM)
			return fail("no room for %s of 2M hugetlb pages: %" PRIu64
				    " of %" PRIu64 " are free; raise "
				    "/proc/sys/vm/nr_hugepages",
				    fmt_size(sz, sizeof(sz), len),
				    meminfo("HugePages_Free"), meminfo("HugePages_Total"));
		break;
	case B_MEMFD:
		fd = memfd_create("pinctl", MFD_CLOEXEC);
		if (fd < 0)
			return fail("memfd_create: %s", strerror(errno));
		if (ftruncate(fd, (off_t)len)) {
			close(fd);
			return fail("memfd of %s: %s", fmt_size(sz, sizeof(sz), len),
				    strerror(errno));
		}
		buf->map_len = len;
		buf->map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		buf->addr = buf->map;
		close(fd);
		break;
	case B_FILE:
		if (offset % page)
			return fail("the offset %" PRIu64 " is not a multiple of the "
				    "page size (%zu)", offset, page);
		fd = open(path, (write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
		if (fd < 0)
			return fail("%s: %s", path, strerror(errno));
		if (fstat(fd, &st)) {
			close(fd);
			return fail("%s: %s", path, strerror(errno));
		}
		if (!len) {
			if ((uint64_t)st.st_size <= offset) {
				close(fd);
				return fail("%s has no bytes at offset %" PRIu64, path, offset);
			}
			len = ((uint64_t)st.st_size - offset + page - 1) / page * page;
		}
		buf->len = len;
		buf->map_len = len;
		buf->map = mmap(NULL, len, PROT_READ | (write ? PROT_WRITE : 0),
				MAP_SHARED, fd, (off_t)offset);
		buf->addr = buf->map;
		close(fd);
		if (buf->map == MAP_FAILED)
			return fail("mapping %s of %s: %s", fmt_size(sz, sizeof(sz), len),
				    path, strerror(errno));
		return 0;
	}
	if (buf->map == MAP_FAILED)
		return fail("mapping %s: %s", fmt_size(sz, sizeof(sz), len),
			    strerror(errno));
	/* A fresh buffer: real pages, not the shared zero page. */
	for (i = 0; i < len; i += page)
		((volatile char *)buf->addr)[i] = 1;
	return 0;
}

static void print_event(struct out *o, const char *what, uint64_t handle,
			uint64_t deadline)
{
	out_record_begin(o);
	out_str(o, "event", what);
	out_u64(o, "handle", handle);
	out_time(o, "deadline", deadline);
	out_record_end(o);
}

int do_pin(struct pinctl_cli *cli, int argc, char **argv)
{
	PINCTL_OPTS(pinctl_pin_opts, po);
	PINCTL_OPTS(pinctl_err_opts, eo, .op = PINCTL_OP_PIN);
	PINCTL_OPTS(pinctl_lease, l);
	enum backing b = B_ANON;
	bool have_size = false, write = false, hold = false, have_backing = false;
	const char *path = NULL;
	uint64_t len = 0, offset = 0, handle;
	struct pinctl_dev *dev;
	struct buffer buf = { 0 };
	sigset_t block, empty;
	struct out *o;
	int i, ret, rc = EXIT_OK;

	if (argc == 0)
		return usage_error(usage, "no size given");
	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int nb = -1;

		if (global_opt(cli, a))
			continue;
		if (is_help(a)) {
			usage(stdout);
			return EXIT_OK;
		}
		if (!strcmp(a, "--anon"))
			nb = B_ANON;
		else if (!strcmp(a, "--thp"))
			nb = B_THP;
		else if (!strcmp(a, "--hugetlb"))
			nb = B_HUGETLB;
		else if (!strcmp(a, "--memfd"))
			nb = B_MEMFD;
		if (nb >= 0) {
			if (have_backing)
				return usage_error(usage, "more than one kind of buffer");
			b = (enum backing)nb;
			have_backing = true;
		} else if (!strcmp(a, "--file")) {
			if (!v)
				return usage_error(usage, "--file needs a path");
			if (have_backing)
				return usage_error(usage, "more than one kind of buffer");
			b = B_FILE;
			have_backing = true;
			path = v;
			i++;
		} else if (!strcmp(a, "--offset")) {
			if (!v || parse_size(v, &offset))
				return usage_error(usage, "bad offset \"%s\"", v ? v : "");
			i++;
		} else if (!strcmp(a, "--write")) {
			write = true;
			po.flags |= PINCTL_PIN_WRITE;
		} else if (!strcmp(a, "--longterm")) {
			po.flags |= PINCTL_PIN_LONGTERM;
		} else if (!strcmp(a, "--hold-on-break")) {
			hold = true;
		} else if (!strcmp(a, "--for")) {
			if (!v || parse_duration(v, &po.duration_ns) || !po.duration_ns)
				return usage_error(usage, "bad duration \"%s\"", v ? v : "");
			i++;
		} else if (!strcmp(a, "--cookie")) {
			if (!v || parse_u64(v, &po.cookie))
				return usage_error(usage, "bad cookie \"%s\"", v ? v : "");
			i++;
		} else if (a[0] != '-' && !have_size) {
			if (parse_size(a, &len) || !len)
				return usage_error(usage, "bad size \"%s\"", a);
			have_size = true;
		} else {
			return usage_error(usage, "unknown argument \"%s\"", a);
		}
	}
	if (!have_size && b != B_FILE)
		return usage_error(usage, "no size given");
	if (offset && b != B_FILE)
		return usage_error(usage, "--offset is for --file");
	if (len % (uint64_t)sysconf(_SC_PAGESIZE))
		return usage_error(usage, "the size must be a multiple of the page size (%ld)",
				   sysconf(_SC_PAGESIZE));

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, NULL);
	catch_signals(&block);
	sigemptyset(&empty);

	eo.op = PINCTL_OP_OPEN;
	ret = pinctl_dev_open(cli->ctx, NULL, &dev);
	if (ret)
		return fail_op(NULL, ret, &eo, NULL);
	ret = map_buffer(b, len, path, offset, write, &buf);
	if (ret) {
		pinctl_dev_unref(dev);
		return ret;
	}
	eo.op = PINCTL_OP_PIN;
	eo.addr = (uintptr_t)buf.addr;
	eo.length = buf.len;
	eo.flags = po.flags;
	ret = pinctl_pin(dev, buf.addr, buf.len, &po, &handle);
	if (ret) {
		rc = fail_op(dev, ret, &eo, NULL);
		goto out;
	}
	o = out_stream(cli);
	if (!pinctl_query(dev, handle, &l)) {
		out_record_begin(o);
		out_str(o, "event", "pinned");
		out_str(o, "buffer", backing_names[b]);
		print_lease(o, &l);
		out_record_end(o);
	}

	for (;;) {
		struct pollfd pfd = { .fd = pinctl_dev_get_fd(dev), .events = POLLIN };
		PINCTL_OPTS(pinctl_event, ev);

		ret = ppoll(&pfd, 1, NULL, &empty);
		if (ret < 0 && errno == EINTR) {
			ret = pinctl_unpin(dev, handle);
			print_event(o, ret ? "ended" : "unpinned", handle, 0);
			break;
		}
		if (ret < 0) {
			rc = fail("poll: %s", strerror(errno));
			break;
		}
		ret = pinctl_event_read(dev, &ev);
		if (ret) {
			rc = fail("reading the lease's events: %s", strerror(-ret));
			break;
		}
		if (ev.handle != handle && ev.type != PINCTL_EVENT_OVERFLOW)
			continue;
		if (ev.type == PINCTL_EVENT_BREAKING) {
			print_event(o, "breaking", handle, ev.deadline_ns);
			if (hold)
				continue;
			ret = pinctl_unpin(dev, handle);
			print_event(o, ret ? "ended" : "unpinned", handle, 0);
			break;
		}
		if (ev.type == PINCTL_EVENT_EXPIRED || ev.type == PINCTL_EVENT_REVOKED) {
			print_event(o, ev.type == PINCTL_EVENT_EXPIRED ? "expired" :
				    "revoked", handle, 0);
			/* Acknowledge: the handle is gone after this. */
			pinctl_unpin(dev, handle);
			break;
		}
	}
	if (out_finish(o) != EXIT_OK)
		rc = EXIT_ERR;
out:
	pinctl_dev_unref(dev);
	munmap(buf.map, buf.map_len);
	return rc;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinmgr-bench: what the driver's tracepoints cost a pin. PIN+UNPIN of one
 * 4 KiB page with the pinmgr events disabled, and with all of them enabled
 * in a trace instance of the bench's own, in alternating rounds. The
 * instance's ring buffer must have taken an event for every pin and unpin
 * the device counted while they were on, and none while they were off, or
 * the figures would be of other work than they say.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"

#define TRACEFS		"/sys/kernel/tracing"
#define RECORD_CMD	TRACEFS "/options/record-cmd"

/* What the instance's per-CPU buffers say, summed over the CPUs. */
struct tbuf_stats {
	uint64_t written;	/* entries + overrun + read: every event taken */
	uint64_t overrun;	/* overwritten since: lost, but written */
	uint64_t dropped;	/* dropped events + commit overrun: not written */
};

static int fail(struct trace_result *r, int err, const char *what)
{
	r->err = err;
	snprintf(r->why, WHY_LEN, "%s: %s", what, strerror(-err));
	return err;
}

static int tfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		ret = -errno;
	close(fd);
	return ret;
}

static int device_counts(uint64_t *pins, uint64_t *unpins)
{
	int ret = bench_read_u64(PINS_PATH, pins);

	return ret ?: bench_read_u64(UNPINS_PATH, unpins);
}

/* Opening trace for writing with O_TRUNC empties every CPU's buffer. */
static int instance_reset(const char *dir)
{
	char path[192];
	int fd;

	snprintf(path, sizeof(path), "%s/trace", dir);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int instance_enable(const char *dir, bool on)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/events/pinmgr/enable", dir);
	return tfs_write(path, on ? "1" : "0");
}

/* per_cpu/cpuN/stats of the instance since its last reset, summed. */
static int instance_stats(const char *dir, struct tbuf_stats *s)
{
	char path[448], line[128];
	unsigned long long v;
	struct dirent *de;
	DIR *d;
	FILE *f;

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "%s/per_cpu", dir);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "cpu", 3))
			continue;
		snprintf(path, sizeof(path), "%s/per_cpu/%s/stats", dir,
			 de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;	/* an offline CPU */
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "entries: %llu", &v) == 1 ||
			    sscanf(line, "read events: %llu", &v) == 1) {
				s->written += v;
			} else if (sscanf(line, "overrun: %llu", &v) == 1) {
				s->written += v;
				s->overrun += v;
			} else if (sscanf(line, "commit overrun: %llu", &v) == 1 ||
				   sscanf(line, "dropped events: %llu", &v) == 1) {
				s->dropped += v;
			}
		}
		fclose(f);
	}
	closedir(d);
	return 0;
}

/* One measurement, its buffer emptied before and read after. */
static int measure_traced(struct bench_env *env, const struct iface *pm,
			  const struct region *page, const struct budget *b,
			  const char *dir, bool on, struct iface_result *out,
			  struct trace_result *r)
{
	uint64_t pins0, unpins0, pins1, unpins1;
	struct tbuf_stats s;
	int ret;

	ret = instance_reset(dir);
	if (ret)
		return fail(r, ret, "emptying the instance's buffer");
	if (on) {
		ret = instance_enable(dir, true);
		if (ret)
			return fail(r, ret, "enabling events/pinmgr");
	}
	ret = device_counts(&pins0, &unpins0);
	if (!ret) {
		measure(env, pm, page, b, out);
		ret = device_counts(&pins1, &unpins1);
	}
	if (ret) {
		if (on)
			instance_enable(dir, false);
		return fail(r, ret, PINS_PATH);
	}
	if (on) {
		ret = instance_enable(dir, false);
		if (ret)
			return fail(r, ret, "disabling events/pinmgr");
	}
	if (out->err) {
		r->err = out->err;
		snprintf(r->why, WHY_LEN, "%s: %.200s",
			 on ? "events enabled" : "events disabled", out->why);
		return r->err;
	}
	ret = instance_stats(dir, &s);
	if (ret)
		return fail(r, ret, "per_cpu/cpu*/stats of the instance");
	if (on) {
		r->pins += pins1 - pins0;
		r->unpins += unpins1 - unpins0;
		r->written += s.written;
		r->overrun += s.overrun;
		r->dropped += s.dropped;
	} else {
		r->written_off += s.written;
	}
	return 0;
}

void run_trace(struct bench_env *env, const struct options *o,
	       struct trace_result *r)
{
	const struct iface *pm = iface_find(PINMGR_IFACE_ID);
	double ratio[MAX_ROUNDS];
	char dir[128], path[192], record_cmd[8] = "";
	struct region page;
	unsigned int i, n;
	uint64_t kb;
	int fd, ret;

	memset(r, 0, sizeof(*r));
	r->measured = true;
	n = o->trace_rounds < MAX_ROUNDS ? o->trace_rounds : MAX_ROUNDS;
	fprintf(stderr, "pinmgr-bench: PIN+UNPIN with the pinmgr tracepoints\n");
	/* guest-init mounts tracefs where the kernel has it */
	if (access(TRACEFS "/instances", F_OK)) {
		r->err = -EOPNOTSUPP;
		snprintf(r->why, WHY_LEN,
			 "no tracefs at " TRACEFS " (%s): a kernel without CONFIG_TRACING?",
			 strerror(errno));
		return;
	}
	if (access(TRACEFS "/events/pinmgr", F_OK)) {
		fail(r, -ENOENT, "no events/pinmgr in tracefs");
		return;
	}
	/* Someone else's tracing would be in the disabled figure. */
	if (bench_read_u64(TRACEFS "/events/pinmgr/enable", &kb) || kb) {
		fail(r, -EBUSY, "pinmgr events are enabled at the top level");
		return;
	}
	ret = region_map(&page, BACKING_4K, BASE_PAGE);
	if (ret) {
		fail(r, ret, "mmap");
		return;
	}
	if (region_confirm(&page, r->why, WHY_LEN)) {
		r->err = -EINVAL;
		goto out_unmap;
	}
	/*
	 * record-cmd off first, as tests/test_trace.c does: with it on,
	 * enabling any event hooks sched_switch, live-patching __schedule()
	 * under every CPU, which once killed a TCG guest. The pinmgr events
	 * need no comm; only the module's text is patched then.
	 */
	fd = open(RECORD_CMD, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fail(r, -errno, RECORD_CMD);
		goto out_unmap;
	}
	ret = read(fd, record_cmd, sizeof(record_cmd) - 1);
	close(fd);
	record_cmd[ret > 0 ? ret : 0] = '\0';
	record_cmd[strcspn(record_cmd, "\n")] = '\0';
	if (!record_cmd[0]) {
		fail(r, -EIO, "reading " RECORD_CMD);
		goto out_unmap;
	}
	ret = tfs_write(RECORD_CMD, "0");
	if (ret) {
		record_cmd[0] = '\0';
		fail(r, ret, "turning " RECORD_CMD " off");
		goto out_unmap;
	}
	snprintf(dir, sizeof(dir), TRACEFS "/instances/pinmgr-bench-%d",
		 (int)getpid());
	if (mkdir(dir, 0700)) {
		fail(r, -errno, "mkdir of a trace instance");
		goto out_record;
	}
	snprintf(path, sizeof(path), "%s/buffer_size_kb", dir);
	if (!bench_read_u64(path, &kb))
		r->buffer_kb = kb;
	/* Alternate, so that a busy spell of the host hits both sides. */
	for (i = 0; i < n; i++) {
		if (measure_traced(env, pm, &page, &o->budget, dir, false,
				   &r->off[i], r) ||
		    measure_traced(env, pm, &page, &o->budget, dir, true,
				   &r->on[i], r))
			goto out_instance;
		ratio[i] = r->on[i].st.median / r->off[i].st.median;
		r->rounds++;
	}
	rounds_figure(r->off, n, &r->f_off);
	rounds_figure(r->on, n, &r->f_on);
	stats_compute(&r->ratio, ratio, n);
	/* a pinmgr_pin per pin, a pinmgr_unpin per unpin, nothing else */
	r->verified = r->pins > 0 && r->written == r->pins + r->unpins &&
		      !r->dropped && !r->written_off;
out_instance:
	instance_enable(dir, false);
	if (rmdir(dir) && !r->err)
		fail(r, -errno, "rmdir of the trace instance");
out_record:
	if (record_cmd[0])
		tfs_write(RECORD_CMD, record_cmd);
out_unmap:
	region_unmap(&page);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinmgr-bench: leases that end on their own. How long from a lease's
 * deadline until its owner has read the EXPIRED event, and how long the
 * driver takes to end many leases that are due at the same moment.
 * Deadlines and event times are CLOCK_REALTIME, as the ABI gives them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/pinmgr.h>

#include "bench.h"

#define MAX_EVENTS_PARAM "/sys/module/pinmgr/parameters/max_events"
#define LATENCY_DURATION_NS (20 * 1000000ULL)
#define MASS_DELAY_NS (1000 * 1000000ULL)

static int64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static int read_param(const char *path, long *val)
{
	FILE *f = fopen(path, "re");
	int ok;

	if (!f)
		return -errno;
	ok = fscanf(f, "%ld", val) == 1;
	fclose(f);
	return ok ? 0 : -EINVAL;
}

static int write_param(const char *path, long val)
{
	FILE *f = fopen(path, "we");
	int ok;

	if (!f)
		return -errno;
	ok = fprintf(f, "%ld\n", val) > 0;
	return fclose(f) || !ok ? -EIO : 0;
}

/* Pin one page for @duration_ns; its expiry time from QUERY. */
static int pin_for(int fd, void *p, uint64_t duration_ns, __u64 *handle,
		   int64_t *expire_ns)
{
	struct pinmgr_pin pin = {
		.size = sizeof(pin),
		.addr = (uintptr_t)p,
		.length = BASE_PAGE,
		.duration_ns = duration_ns,
	};
	struct pinmgr_query q = { .size = sizeof(q) };

	if (ioctl(fd, PINMGR_IOC_PIN, &pin))
		return -errno;
	q.handle = pin.out_handle;
	if (ioctl(fd, PINMGR_IOC_QUERY, &q))
		return -errno;
	*handle = pin.out_handle;
	*expire_ns = (int64_t)q.out_expire_time_ns;
	return 0;
}

/* One lease at a time: from its deadline to the return of read(). */
static int measure_latency(unsigned int reps, void *page, struct stats *st)
{
	double *v = calloc(reps, sizeof(*v));
	struct pinmgr_event ev;
	struct pinmgr_unpin un = { .size = sizeof(un) };
	unsigned int i;
	int64_t expire = 0;
	int fd, ret = 0;

	if (!v)
		return -ENOMEM;
	fd = open("/dev/pinmgr", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		free(v);
		return -errno;
	}
	for (i = 0; i < reps && !ret; i++) {
		ret = pin_for(fd, page, LATENCY_DURATION_NS, &un.handle,
			      &expire);
		if (ret)
			break;
		if (read(fd, &ev, sizeof(ev)) != sizeof(ev) ||
		    ev.type != PINMGR_EVENT_EXPIRED) {
			ret = -EPROTO;
			break;
		}
		v[i] = (double)(realtime_ns() - expire);
		/* The acknowledgement: the handle is gone afterwards. */
		if (ioctl(fd, PINMGR_IOC_UNPIN, &un) != -1 ||
		    errno != EKEYEXPIRED)
			ret = -EPROTO;
	}
	if (!ret)
		stats_compute(st, v, reps);
	close(fd);
	free(v);
	return ret;
}

/* @n one-page leases due at one moment: from it to the last event read. */
static int measure_mass(unsigned int n, void *page, struct ends_result *r)
{
	const unsigned int chunk = 1000;
	struct pinmgr_pin_range *ranges = calloc(chunk, sizeof(*ranges));
	struct pinmgr_event *ev = calloc(256, sizeof(*ev));
	unsigned int done = 0, i, k, got;
	int64_t due, now, first = 0, last = 0;
	long old_max = -1;
	ssize_t len;
	int fd = -1, ret;

	if (!ranges || !ev) {
		ret = -ENOMEM;
		goto out_free;
	}
	/* Room for every event: the queue's size is fixed when it is made. */
	ret = read_param(MAX_EVENTS_PARAM, &old_max);
	if (!ret)
		ret = write_param(MAX_EVENTS_PARAM, n + 16);
	if (ret)
		goto out_free;
	fd = open("/dev/pinmgr", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out_restore;
	}
	due = realtime_ns() + (int64_t)MASS_DELAY_NS;
	for (i = 0; i < n; i += chunk) {
		struct pinmgr_pin_vec vec = {
			.size = sizeof(vec),
			.ranges = (uintptr_t)ranges,
			.nr_ranges = n - i < chunk ? n - i : chunk,
			.range_size = sizeof(*ranges),
		};

		now = realtime_ns();
		for (k = 0; k < vec.nr_ranges; k++) {
			ranges[k].addr = (uintptr_t)page;
			ranges[k].length = BASE_PAGE;
			ranges[k].duration_ns = due > now ? due - now : 1;
		}
		if (ioctl(fd, PINMGR_IOC_PIN_VEC, &vec)) {
			ret = -errno;
			goto out_close;
		}
	}
	if (realtime_ns() >= due) {
		/* Pinning took longer than the delay: no common moment. */
		ret = -ETIME;
		goto out_close;
	}
	while (done < n) {
		len = read(fd, ev, 256 * sizeof(*ev));
		if (len <= 0) {
			ret = len ? -errno : -EPROTO;
			goto out_close;
		}
		now = realtime_ns();
		got = (unsigned int)(len / sizeof(*ev));
		for (k = 0; k < got; k++) {
			if (ev[k].type != PINMGR_EVENT_EXPIRED) {
				ret = -EPROTO;
				goto out_close;
			}
			if (!first)
				first = (int64_t)ev[k].time_ns;
			last = (int64_t)ev[k].time_ns;
		}
		done += got;
	}
	r->mass_n = n;
	r->mass_read_ns = now - due;
	r->mass_span_ns = last - first;
	ret = 0;
out_close:
	close(fd);
out_restore:
	if (old_max >= 0)
		write_param(MAX_EVENTS_PARAM, old_max);
out_free:
	free(ev);
	free(ranges);
	return ret;
}

void run_ends(const struct options *o, struct ends_result *r)
{
	void *page = mmap(NULL, BASE_PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int ret;

	r->measured = true;
	if (page == MAP_FAILED) {
		r->err = -errno;
		snprintf(r->why, WHY_LEN, "mmap: %s", strerror(errno));
		return;
	}
	memset(page, 1, BASE_PAGE);
	fprintf(stderr, "pinmgr-bench: lease expiry\n");
	ret = measure_latency(o->quick ? 5 : 30, page, &r->latency);
	if (ret) {
		r->err = ret;
		snprintf(r->why, WHY_LEN, "expiry latency: %s", strerror(-ret));
		goto out;
	}
	ret = measure_mass(o->quick ? 1000 : 10000, page, r);
	if (ret) {
		r->err = ret;
		snprintf(r->why, WHY_LEN, "%u leases due at once: %s",
			 o->quick ? 1000 : 10000, strerror(-ret));
	}
out:
	munmap(page, BASE_PAGE);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The stalling FUSE server of fuse_stall.h: one thread reads requests from
 * /dev/fuse and answers them, except FUSE_READ, which it holds until
 * pm_fuse_answer(). Enough of the protocol for the kernel to look the file
 * up, open it and fault its pages in through a mapping.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fuse_stall.h"

#define PM_FUSE_FILE_INO	2
#define PM_FUSE_MAX_HELD	64
/* The kernel wants room for a whole request of max_write. */
#define PM_FUSE_BUF		(8192 + 4096)

struct pm_fuse_read {
	uint64_t unique;
	uint32_t size;
};

struct pm_fuse {
	int dev;
	size_t len;
	char dir[64];
	char path[80];
	pthread_t thread;
	pthread_mutex_t lock;		/* held, nr_held, answering, writes */
	pthread_cond_t held_cond;
	struct pm_fuse_read held[PM_FUSE_MAX_HELD];
	unsigned int nr_held;
	int answering;
	int stopping;			/* read without the lock: a flag */
};

/* One reply: the header and an optional payload, in one write. */
static void pm_fuse_reply(struct pm_fuse *f, uint64_t unique, int error,
			  const void *data, size_t size)
{
	struct fuse_out_header out = {
		.len = sizeof(out) + size, .error = error, .unique = unique,
	};
	struct iovec iov[2] = {
		{ .iov_base = &out, .iov_len = sizeof(out) },
		{ .iov_base = (void *)data, .iov_len = size },
	};

	/* A request interrupted meanwhile is gone: ENOENT is no failure. */
	if (writev(f->dev, iov, size ? 2 : 1) < 0 && errno != ENOENT) {
		/* The mount is going away; the reader thread sees it too. */
	}
}

static void pm_fuse_attr(const struct pm_fuse *f, uint64_t ino,
			 struct fuse_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->nlink = 1;
	a->blksize = 4096;
	if (ino == FUSE_ROOT_ID) {
		a->mode = S_IFDIR | 0755;
	} else {
		a->mode = S_IFREG | 0644;
		a->size = f->len;
		a->blocks = (f->len + 511) / 512;
	}
}

/* Reply to a read with zeros: the file's content. */
static void pm_fuse_answer_read(struct pm_fuse *f,
				const struct pm_fuse_read *r)
{
	static const char zeros[PM_FUSE_BUF];
	size_t n = r->size < sizeof(zeros) ? r->size : sizeof(zeros);

	pm_fuse_reply(f, r->unique, 0, zeros, n);
}

static void pm_fuse_handle(struct pm_fuse *f, const struct fuse_in_header *in,
			   const void *arg)
{
	union {
		struct fuse_init_out init;
		struct fuse_entry_out entry;
		struct fuse_attr_out attr;
		struct fuse_open_out open;
	} o;
	struct pm_fuse_read r;

	memset(&o, 0, sizeof(o));
	switch (in->opcode) {
	case FUSE_INIT:
		o.init.major = FUSE_KERNEL_VERSION;
		o.init.minor = FUSE_KERNEL_MINOR_VERSION;
		o.init.max_readahead = 4096;
		o.init.max_write = 4096;
		o.init.time_gran = 1;
		pm_fuse_reply(f, in->unique, 0, &o.init, sizeof(o.init));
		return;
	case FUSE_LOOKUP:
		if (in->nodeid != FUSE_ROOT_ID || strcmp(arg, "f")) {
			pm_fuse_reply(f, in->unique, -ENOENT, NULL, 0);
			return;
		}
		o.entry.nodeid = PM_FUSE_FILE_INO;
		o.entry.generation = 1;
		o.entry.entry_valid = 3600;
		o.entry.attr_valid = 3600;
		pm_fuse_attr(f, PM_FUSE_FILE_INO, &o.entry.attr);
		pm_fuse_reply(f, in->unique, 0, &o.entry, sizeof(o.entry));
		return;
	case FUSE_GETATTR:
		o.attr.attr_valid = 3600;
		pm_fuse_attr(f, in->nodeid, &o.attr.attr);
		pm_fuse_reply(f, in->unique, 0, &o.attr, sizeof(o.attr));
		return;
	case FUSE_OPEN:
		o.open.fh = 1;
		pm_fuse_reply(f, in->unique, 0, &o.open, sizeof(o.open));
		return;
	case FUSE_READ:
		r.unique = in->unique;
		r.size = ((const struct fuse_read_in *)arg)->size;
		pthread_mutex_lock(&f->lock);
		if (f->answering || f->nr_held == PM_FUSE_MAX_HELD) {
			pm_fuse_answer_read(f, &r);
		} else {
			f->held[f->nr_held++] = r;
			pthread_cond_broadcast(&f->held_cond);
		}
		pthread_mutex_unlock(&f->lock);
		return;
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
	case FUSE_INTERRUPT:
		return;		/* no reply expected */
	case FUSE_FLUSH:
	case FUSE_RELEASE:
	case FUSE_ACCESS:
	case FUSE_DESTROY:
		pm_fuse_reply(f, in->unique, 0, NULL, 0);
		return;
	default:
		pm_fuse_reply(f, in->unique, -ENOSYS, NULL, 0);
		return;
	}
}

static void *pm_fuse_serve(void *arg)
{
	struct pm_fuse *f = arg;
	char *buf = malloc(PM_FUSE_BUF);
	ssize_t n;

	if (!buf)
		return NULL;
	for (;;) {
		struct pollfd pfd = { .fd = f->dev, .events = POLLIN };

		/* Closing the device would not wake a read: look every 50 ms. */
		if (__atomic_load_n(&f->stopping, __ATOMIC_ACQUIRE))
			break;
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		n = read(f->dev, buf, PM_FUSE_BUF);
		if (n < 0 && (errno == EINTR || errno == ENOENT))
			continue;
		/* ENODEV: unmounted. */
		if (n < (ssize_t)sizeof(struct fuse_in_header))
			break;
		pm_fuse_handle(f, (struct fuse_in_header *)buf,
			       buf + sizeof(struct fuse_in_header));
	}
	free(buf);
	return NULL;
}

struct pm_fuse *pm_fuse_start(size_t len)
{
	struct pm_fuse *f = calloc(1, sizeof(*f));
	char opts[128];
	int err;

	if (!f)
		return NULL;
	f->len = len;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->held_cond, NULL);
	f->dev = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (f->dev < 0)
		goto out_free;
	snprintf(f->dir, sizeof(f->dir), "/tmp/pinmgr-fuse.%d", getpid());
	snprintf(f->path, sizeof(f->path), "%s/f", f->dir);
	if (mkdir(f->dir, 0755) && errno != EEXIST)
		goto out_close;
	snprintf(opts, sizeof(opts),
		 "fd=%d,rootmode=40000,user_id=0,group_id=0", f->dev);
	if (mount("pinmgr-stall", f->dir, "fuse", MS_NOSUID | MS_NODEV, opts))
		goto out_rmdir;
	err = pthread_create(&f->thread, NULL, pm_fuse_serve, f);
	if (err) {
		umount2(f->dir, MNT_DETACH);
		errno = err;
		goto out_rmdir;
	}
	return f;

out_rmdir:
	err = errno;
	rmdir(f->dir);
	errno = err;
out_close:
	err = errno;
	close(f->dev);
	errno = err;
out_free:
	err = errno;
	free(f);
	errno = err;
	return NULL;
}

const char *pm_fuse_path(const struct pm_fuse *f)
{
	return f->path;
}

int pm_fuse_wait_read(struct pm_fuse *f, unsigned int timeout_ms)
{
	struct timespec until;
	int ret = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&f->lock);
	while (!f->nr_held && !ret)
		ret = pthread_cond_timedwait(&f->held_cond, &f->lock, &until);
	pthread_mutex_unlock(&f->lock);
	return f->nr_held ? 0 : -1;
}

void pm_fuse_answer(struct pm_fuse *f)
{
	unsigned int i;

	pthread_mutex_lock(&f->lock);
	f->answering = 1;
	for (i = 0; i < f->nr_held; i++)
		pm_fuse_answer_read(f, &f->held[i]);
	f->nr_held = 0;
	pthread_mutex_unlock(&f->lock);
}

void pm_fuse_stop(struct pm_fuse *f)
{
	pm_fuse_answer(f);
	umount2(f->dir, MNT_DETACH);
	__atomic_store_n(&f->stopping, 1, __ATOMIC_RELEASE);
	pthread_join(f->thread, NULL);
	/* The last file of the connection: it is aborted, nothing waits. */
	close(f->dev);
	rmdir(f->dir);
	pthread_cond_destroy(&f->held_cond);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

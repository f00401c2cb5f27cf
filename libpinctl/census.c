// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libpinctl: a census of the machine's pins. Each process's figures come
 * from the interface that made them (pinmgr's leases over netlink, io_uring's
 * rings from their fdinfo, RDMA memory regions from the RDMA core's netlink,
 * VmPin and VmLck from status); the machine's from /proc/vmstat. Nothing
 * here runs another tool.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/kcmp.h>

#include "libpinctl-private.h"

/* A process as censused; its strings are its own. */
struct cproc {
	uint32_t pid;
	uint32_t uid;
	uint32_t leases;
	uint32_t bufs;
	uint32_t mrs;
	uint64_t rdma;
	char *comm;
	char *cgroup;
	struct pinctl_census_use use;
};

struct pinctl_census {
	atomic_int refcount;
	struct cproc *procs;
	size_t nr, cap;
	/* The kept processes' uids, sorted, and each one's locked_vm. */
	struct pinctl_user_locked *users;
	size_t nr_users;
	struct pinctl_census_machine m;
};

/* The pinmgr pins of one owner, from the lease dump. */
struct owner {
	uint32_t tgid;
	uint32_t leases;
	uint64_t pages;
	bool seen;
};

/* A ring with registered buffers, seen through descriptor @fd of @pid. */
struct ring {
	uint32_t pid;
	int fd;
	uint32_t bufs;
	uint64_t bytes;
};

struct rings {
	struct ring *v;
	size_t nr, cap;
};

struct owners {
	struct owner *v;
	size_t nr, cap;
	uint64_t unowned_pages;	/* HELD: their owner is gone */
	int err;
};

/* The RDMA memory regions of each process, sorted by pid. */
struct mrs {
	struct pinctl_rdma_use *v;
	size_t nr;
};

/* Whole file @name under @dirfd into a malloc()ed, NUL-terminated buffer. */
static int read_at(int dirfd, const char *name, char **out)
{
	size_t cap = 4096, len = 0;
	char *buf = NULL, *grown;
	ssize_t r;
	int fd, ret = 0;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (!buf || len + 1 >= cap) {
			if (buf)
				cap *= 2;
			grown = realloc(buf, cap);
			if (!grown) {
				ret = -ENOMEM;
				goto out_free;
			}
			buf = grown;
		}
		r = read(fd, buf + len, cap - 1 - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out_free;
		}
		if (!r)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	*out = buf;
	close(fd);
	return 0;

out_free:
	free(buf);
	close(fd);
	return ret;
}

/* The number after "@key" at the start of a line of @text; 0 if none. */
static uint64_t field_u64(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p) {
		if (!strncmp(p, key, klen))
			return strtoull(p + klen, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

/* The rest of the line after "@key" at the start of a line, malloc()ed. */
static char *field_str(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p) {
		if (!strncmp(p, key, klen)) {
			p += klen;
			p += strspn(p, "\t ");
			return strndup(p, strcspn(p, "\n"));
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return strdup("");
}

static int owner_add(const struct pinctl_lease *l, void *data)
{
	struct owners *o = data;
	struct owner *grown;

	if (l->flags & PINCTL_PIN_WATCH_ONLY)
		return 0;
	switch (l->state) {
	case PINCTL_LEASE_HELD:
		o->unowned_pages += l->nr_pages;
		return 0;
	case PINCTL_LEASE_ACTIVE:
	case PINCTL_LEASE_BREAKING:
	case PINCTL_LEASE_STALE:
		break;
	default:
		return 0;	/* its pages were released */
	}
	if (o->nr == o->cap) {
		o->cap = o->cap ? 2 * o->cap : 64;
		grown = realloc(o->v, o->cap * sizeof(*o->v));
		if (!grown) {
			o->err = -ENOMEM;
			return 1;
		}
		o->v = grown;
	}
	o->v[o->nr++] = (struct owner){ .tgid = l->tgid, .leases = 1,
					.pages = l->nr_pages };
	return 0;
}

static int owner_cmp(const void *a, const void *b)
{
	const struct owner *x = a, *y = b;

	return (x->tgid > y->tgid) - (x->tgid < y->tgid);
}

/*
 * Every lease the caller may see, summed per owning tgid and sorted. A
 * module that is not loaded (no family) leaves @o empty, not an error.
 */
static int owners_dump(struct pinctl_ctx *ctx, struct owners *o, bool *has)
{
	size_t i, n = 0;
	int ret;

	ret = pinctl_nl_lease_dump(ctx, NULL, owner_add, o);
	if (o->err)
		return o->err;
	*has = ret >= 0;
	if (ret == -ENOENT || ret == -EOPNOTSUPP)
		ret = 0;
	if (ret < 0)
		return ret;
	qsort(o->v, o->nr, sizeof(*o->v), owner_cmp);
	for (i = 0; i < o->nr; i++) {
		if (n && o->v[n - 1].tgid == o->v[i].tgid) {
			o->v[n - 1].leases += o->v[i].leases;
			o->v[n - 1].pages += o->v[i].pages;
		} else {
			o->v[n++] = o->v[i];
		}
	}
	o->nr = n;
	return 0;
}

static int rdma_use_cmp(const void *a, const void *b)
{
	const struct pinctl_rdma_use *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static struct owner *owner_find(struct owners *o, uint32_t tgid)
{
	struct owner key = { .tgid = tgid };

	if (!o->nr)
		return NULL;
	return bsearch(&key, o->v, o->nr, sizeof(*o->v), owner_cmp);
}

/*
 * One ring's registered buffers from its fdinfo: "UserBufs:\t<n>", then
 * one line per slot, "<i>: 0x<addr>/<len>" or "<i>: <none>" (an empty
 * slot, 6.13 on). A ring whose lock was busy lists none, or shows nothing:
 * @unlisted.
 */
static void ring_bufs(const char *info, uint64_t page_size, uint32_t *bufs,
		      uint64_t *bytes, bool *unlisted)
{
	const char *p = strstr(info, "UserBufs:");
	unsigned long long addr, len;
	uint64_t slots, listed = 0;
	unsigned int idx;

	if (!p) {
		/* A kernel that shows the ring only when it got the lock. */
		*unlisted = true;
		return;
	}
	slots = strtoull(p + strlen("UserBufs:"), NULL, 10);
	while ((p = strchr(p, '\n')) && listed < slots) {
		p++;
		if (sscanf(p, " %u: 0x%llx/%llu", &idx, &addr, &len) == 3) {
			uint64_t first = addr / page_size;
			uint64_t end = (addr + len + page_size - 1) / page_size;

			if (len) {
				*bytes += (end - first) * page_size;
				(*bufs)++;
			}
		} else if (sscanf(p, " %u: <none", &idx) != 1) {
			break;
		}
		listed++;
	}
	if (listed < slots)
		*unlisted = true;
}

static int ring_add(struct rings *r, const struct ring *ring)
{
	struct ring *grown;

	if (r->nr == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		grown = realloc(r->v, r->cap * sizeof(*r->v));
		if (!grown)
			return -ENOMEM;
		r->v = grown;
	}
	r->v[r->nr++] = *ring;
	return 0;
}

/*
 * The io_uring rings among the open files of a process, added to its
 * figures and, those with buffers, to @r for pinctl_census_take() to count
 * each ring once.
 */
static int proc_rings(int pfd, int fdd, uint64_t page_size,
		      struct cproc *cp, struct rings *r, uint32_t *unlisted)
{
	char link[32], name[sizeof(((struct dirent *)0)->d_name) + 8];
	char *info;
	struct dirent *de;
	DIR *d;
	ssize_t n;
	int ret = 0;

	d = fdopendir(fdd);
	if (!d) {
		close(fdd);
		return 0;
	}
	while (!ret && (de = readdir(d))) {
		struct ring ring = { .pid = cp->pid };
		bool busy = false;

		if (de->d_name[0] == '.')
			continue;
		n = readlinkat(fdd, de->d_name, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		if (strcmp(link, "anon_inode:[io_uring]"))
			continue;
		snprintf(name, sizeof(name), "fdinfo/%s", de->d_name);
		if (read_at(pfd, name, &info))
			continue;
		ring_bufs(info, page_size, &ring.bufs, &ring.bytes, &busy);
		free(info);
		if (busy)
			(*unlisted)++;
		if (!ring.bytes)
			continue;
		ring.fd = atoi(de->d_name);
		cp->bufs += ring.bufs;
		cp->use.io_uring += ring.bytes;
		ret = ring_add(r, &ring);
	}
	closedir(d);
	return ret;
}

/*
 * kcmp(2)'s order of the files behind two rings' descriptors; the same
 * file sorts by pid and descriptor, so that the lowest pid keeps it.
 */
static int ring_cmp(const void *a, const void *b)
{
	const struct ring *x = a, *y = b;
	long r = syscall(SYS_kcmp, (pid_t)x->pid, (pid_t)y->pid, KCMP_FILE,
			 x->fd, y->fd);

	if (r == 1)
		return -1;
	if (r == 2)
		return 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

static bool same_ring(const struct ring *x, const struct ring *y)
{
	return !syscall(SYS_kcmp, (pid_t)x->pid, (pid_t)y->pid, KCMP_FILE,
			x->fd, y->fd);
}

static int cproc_cmp_pid(const void *a, const void *b)
{
	const struct cproc *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/*
 * A ring is one set of pins however many descriptors reach it (dup(),
 * fork(), SCM_RIGHTS): each is counted once, for the lowest pid (and
 * descriptor) that holds it. The processes are sorted by pid.
 */
static void rings_count_once(struct pinctl_census *c, struct rings *r)
{
	struct cproc key, *cp;
	size_t i;

	qsort(r->v, r->nr, sizeof(*r->v), ring_cmp);
	for (i = 1; i < r->nr; i++) {
		if (!same_ring(&r->v[i - 1], &r->v[i]))
			continue;
		key.pid = r->v[i].pid;
		cp = bsearch(&key, c->procs, c->nr, sizeof(*c->procs),
			     cproc_cmp_pid);
		if (!cp)
			continue;
		cp->bufs -= r->v[i].bufs;
		cp->use.io_uring -= r->v[i].bytes;
	}
}

static bool in_use(const struct cproc *cp)
{
	const struct pinctl_census_use *u = &cp->use;

	return u->pinmgr || u->io_uring || u->vm_pin || u->vm_lck || cp->rdma;
}

static void use_add(struct pinctl_census_use *sum,
		    const struct pinctl_census_use *u)
{
	sum->pinmgr += u->pinmgr;
	sum->io_uring += u->io_uring;
	sum->vm_pin += u->vm_pin;
	sum->vm_lck += u->vm_lck;
}

static int census_keep(struct pinctl_census *c, struct cproc *cp)
{
	struct cproc *grown;

	if (c->nr == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 256;
		grown = realloc(c->procs, c->cap * sizeof(*c->procs));
		if (!grown)
			return -ENOMEM;
		c->procs = grown;
	}
	c->procs[c->nr++] = *cp;
	return 0;
}

/*
 * One process: 0 when censused, kept or not; 1 when hidden from the
 * caller or gone; a negative errno.
 */
static int census_proc(struct pinctl_census *c, int procfd, const char *name,
		       struct owners *o, const struct mrs *mrs, struct rings *r,
		       uint32_t flags, uint64_t page_size)
{
	struct pinctl_rdma_use *mr, key;
	struct cproc cp = { 0 };
	struct owner *ow;
	char *status = NULL, *cg = NULL, *comm = NULL;
	int pfd, fdd, ret = 1;

	pfd = openat(procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0)
		return 1;
	/* The kernel's ptrace read check: the caller's own, or all for root. */
	fdd = openat(pfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fdd < 0) {
		if (errno == EACCES || errno == EPERM)
			c->m.hidden++;
		goto out_close;
	}
	if (read_at(pfd, "status", &status)) {
		close(fdd);
		goto out_close;
	}
	cp.pid = (uint32_t)strtoul(name, NULL, 10);
	cp.uid = (uint32_t)field_u64(status, "Uid:");
	cp.use.vm_pin = field_u64(status, "VmPin:") * 1024;
	cp.use.vm_lck = field_u64(status, "VmLck:") * 1024;
	ret = proc_rings(pfd, fdd, page_size, &cp, r, &c->m.rings_unlisted);
	if (ret)
		goto out_free;
	ow = owner_find(o, cp.pid);
	if (ow) {
		ow->seen = true;
		cp.leases = ow->leases;
		cp.use.pinmgr = ow->pages * page_size;
	}
	key.pid = cp.pid;
	mr = mrs->nr ? bsearch(&key, mrs->v, mrs->nr, sizeof(*mrs->v),
			       rdma_use_cmp) : NULL;
	if (mr) {
		cp.mrs = mr->mrs;
		cp.rdma = mr->bytes;
	}
	c->m.procs++;
	ret = 0;
	if (!in_use(&cp) && !(flags & PINCTL_CENSUS_ALL))
		goto out_free;
	/* comm unescaped, as the lease dump has it (status escapes it). */
	if (read_at(pfd, "comm", &comm) == 0) {
		comm[strcspn(comm, "\n")] = '\0';
		cp.comm = comm;
	} else {
		cp.comm = strdup("");
	}
	if (read_at(pfd, "cgroup", &cg) == 0) {
		cp.cgroup = field_str(cg, "0::");
		free(cg);
	} else {
		cp.cgroup = strdup("");
	}
	if (!cp.comm || !cp.cgroup) {
		ret = -ENOMEM;
	} else {
		ret = census_keep(c, &cp);
		if (!ret)
			goto out_free;
	}
	free(cp.comm);
	free(cp.cgroup);
out_free:
	free(status);
out_close:
	close(pfd);
	return ret;
}

/* Outstanding FOLL_PIN pages, from /proc/vmstat (5.8 on). */
static void census_vmstat(struct pinctl_census *c, uint64_t page_size)
{
	uint64_t acq, rel;
	char *vm;

	if (read_at(AT_FDCWD, "/proc/vmstat", &vm))
		return;
	if (strstr(vm, "nr_foll_pin_acquired ")) {
		acq = field_u64(vm, "nr_foll_pin_acquired ");
		rel = field_u64(vm, "nr_foll_pin_released ");
		c->m.has_foll_pin = 1;
		c->m.pinned = acq > rel ? (acq - rel) * page_size : 0;
	}
	free(vm);
}

static void census_free(struct pinctl_census *c)
{
	size_t i;

	for (i = 0; i < c->nr; i++) {
		free(c->procs[i].comm);
		free(c->procs[i].cgroup);
	}
	free(c->procs);
	free(c->users);
	free(c);
}

/*
 * The machine's sums over the processes, once each ring is counted once;
 * without PINCTL_CENSUS_ALL, a process left with nothing goes.
 */
static void census_settle(struct pinctl_census *c, uint32_t flags)
{
	size_t i, n = 0;

	for (i = 0; i < c->nr; i++) {
		struct cproc *cp = &c->procs[i];

		use_add(&c->m.use, &cp->use);
		c->m.rdma += cp->rdma;
		if (in_use(cp) || (flags & PINCTL_CENSUS_ALL)) {
			c->procs[n++] = *cp;
			continue;
		}
		free(cp->comm);
		free(cp->cgroup);
	}
	c->nr = n;
}

static int ulock_cmp(const void *a, const void *b)
{
	const struct pinctl_user_locked *x = a, *y = b;

	return (x->uid > y->uid) - (x->uid < y->uid);
}

/*
 * Each kept process's user's locked_vm, which only the module can read
 * (one connection, a request per user). A user it does not answer for
 * stays unknown; running out of memory fails.
 */
static int census_users(struct pinctl_ctx *ctx, struct pinctl_census *c)
{
	size_t i, n = 0;
	int ret;

	if (!c->nr || !c->m.has_pinmgr)
		return 0;
	c->users = calloc(c->nr, sizeof(*c->users));
	if (!c->users)
		return -ENOMEM;
	for (i = 0; i < c->nr; i++)
		c->users[i].uid = c->procs[i].uid;
	qsort(c->users, c->nr, sizeof(*c->users), ulock_cmp);
	for (i = 0; i < c->nr; i++)
		if (!n || c->users[n - 1].uid != c->users[i].uid)
			c->users[n++] = c->users[i];
	c->nr_users = n;
	ret = pinctl_nl_users_locked_vm(ctx, c->users, n);
	if (ret == -ENOMEM)
		return ret;
	for (i = 0; i < n; i++)
		if (c->users[i].err)
			dbg(ctx, "census: locked_vm of uid %u: %s\n",
			    c->users[i].uid, strerror(-c->users[i].err));
	return 0;
}

PINCTL_API int pinctl_census_take(struct pinctl_ctx *ctx, uint32_t flags,
				  struct pinctl_census **censusp)
{
	uint64_t page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	struct owners o = { 0 };
	struct rings r = { 0 };
	struct mrs mrs = { 0 };
	struct pinctl_census *c;
	struct dirent *de;
	bool has = false, has_rdma;
	size_t i;
	int ret;
	DIR *d;

	if (!censusp || (flags & ~(uint32_t)PINCTL_CENSUS_ALL))
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	atomic_init(&c->refcount, 1);
	c->m.sz = sizeof(c->m);
	ret = owners_dump(ctx, &o, &has);
	if (ret)
		goto out_free;
	c->m.has_pinmgr = has;
	ret = pinctl_rdma_mrs(ctx, page_size, &mrs.v, &mrs.nr, &has_rdma);
	if (ret)
		goto out_free;
	c->m.has_rdma = has_rdma;
	d = opendir("/proc");
	if (!d) {
		ret = -errno;
		goto out_free;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		ret = census_proc(c, dirfd(d), de->d_name, &o, &mrs, &r, flags,
				  page_size);
		if (ret < 0)
			break;
	}
	closedir(d);
	if (ret < 0)
		goto out_free;
	ret = 0;
	for (i = 0; i < o.nr; i++)
		if (!o.v[i].seen)
			o.unowned_pages += o.v[i].pages;
	c->m.pinmgr_unowned = o.unowned_pages * page_size;
	qsort(c->procs, c->nr, sizeof(*c->procs), cproc_cmp_pid);
	rings_count_once(c, &r);
	census_settle(c, flags);
	ret = census_users(ctx, c);
	if (ret)
		goto out_free;
	census_vmstat(c, page_size);
	c->m.attributed = c->m.use.pinmgr + c->m.use.io_uring + c->m.rdma +
			  c->m.pinmgr_unowned;
	if (c->m.pinned > c->m.attributed)
		c->m.not_attributed = c->m.pinned - c->m.attributed;
	dbg(ctx, "census: %u processes, %u hidden, %zu kept", c->m.procs,
	    c->m.hidden, c->nr);
	*censusp = c;
	free(o.v);
	free(r.v);
	free(mrs.v);
	return 0;

out_free:
	free(o.v);
	free(r.v);
	free(mrs.v);
	census_free(c);
	return ret;
}

PINCTL_API struct pinctl_census *pinctl_census_ref(struct pinctl_census *census)
{
	if (census)
		atomic_fetch_add(&census->refcount, 1);
	return census;
}

PINCTL_API struct pinctl_census *pinctl_census_unref(struct pinctl_census *census)
{
	if (census && atomic_fetch_sub(&census->refcount, 1) == 1)
		census_free(census);
	return NULL;
}

PINCTL_API int pinctl_census_procs(const struct pinctl_census *census,
				   pinctl_census_proc_cb cb, void *data)
{
	struct pinctl_census_proc p = { .sz = sizeof(p) };
	size_t i;
	int ret;

	if (!census || !cb)
		return -EINVAL;
	for (i = 0; i < census->nr; i++) {
		const struct cproc *cp = &census->procs[i];

		p.pid = cp->pid;
		p.uid = cp->uid;
		p.comm = cp->comm;
		p.cgroup = cp->cgroup;
		p.leases = cp->leases;
		p.io_uring_bufs = cp->bufs;
		p.use = cp->use;
		p.rdma_mrs = cp->mrs;
		p.rdma = cp->rdma;
		ret = cb(&p, data);
		if (ret)
			return ret;
	}
	return 0;
}

static int by_uid(const void *a, const void *b)
{
	const struct cproc *x = *(const struct cproc *const *)a;
	const struct cproc *y = *(const struct cproc *const *)b;

	return (x->uid > y->uid) - (x->uid < y->uid);
}

static int by_cgroup(const void *a, const void *b)
{
	const struct cproc *x = *(const struct cproc *const *)a;
	const struct cproc *y = *(const struct cproc *const *)b;

	return strcmp(x->cgroup, y->cgroup);
}

PINCTL_API int pinctl_census_groups(const struct pinctl_census *census,
				    uint32_t by, pinctl_census_group_cb cb,
				    void *data)
{
	int (*cmp)(const void *, const void *);
	const struct cproc **v;
	size_t i = 0, j;
	int ret = 0;

	if (!census || !cb)
		return -EINVAL;
	if (by == PINCTL_CENSUS_BY_USER)
		cmp = by_uid;
	else if (by == PINCTL_CENSUS_BY_CGROUP)
		cmp = by_cgroup;
	else
		return -EINVAL;
	v = malloc((census->nr ? census->nr : 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (j = 0; j < census->nr; j++)
		v[j] = &census->procs[j];
	qsort(v, census->nr, sizeof(*v), cmp);
	while (i < census->nr && !ret) {
		struct pinctl_census_group g = {
			.sz = sizeof(g),
			.uid = v[i]->uid,
			.cgroup = v[i]->cgroup,
		};

		for (j = i; j < census->nr && !cmp(&v[i], &v[j]); j++) {
			g.procs += in_use(v[j]);
			use_add(&g.use, &v[j]->use);
			g.rdma += v[j]->rdma;
		}
		if (by == PINCTL_CENSUS_BY_USER) {
			struct pinctl_user_locked key = { .uid = g.uid }, *u;

			u = census->nr_users ?
			    bsearch(&key, census->users, census->nr_users,
				    sizeof(key), ulock_cmp) : NULL;
			if (u && !u->err) {
				g.locked_vm = u->pages *
					      (uint64_t)sysconf(_SC_PAGESIZE);
				g.has_locked_vm = 1;
			}
			g.cgroup = NULL;
		} else {
			g.uid = 0;
		}
		ret = cb(&g, data);
		i = j;
	}
	free(v);
	return ret;
}

PINCTL_API int pinctl_census_machine(const struct pinctl_census *census,
				     struct pinctl_census_machine *machine)
{
	int ret;

	if (!census)
		return -EINVAL;
	ret = pinctl_out_check(machine);
	if (ret)
		return ret;
	OUT_PUT(machine, census->m);
	return 0;
}

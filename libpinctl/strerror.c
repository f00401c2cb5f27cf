// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pinctl_strerror(): a failed call in a sentence that names the limit or the
 * rule it ran into, with the numbers, for every errno of the driver's ABI
 * (the DOC: block of linux/pinmgr.h).
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/utsname.h>

#include "libpinctl-private.h"

#define PARAM_DIR	"/sys/module/pinmgr/parameters/"

struct msg {
	char *buf;
	size_t size, len;
	int truncated;
};

static void say(struct msg *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(struct msg *m, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (m->len >= m->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(m->buf + m->len, m->size - m->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= m->size - m->len) {
		m->truncated = 1;
		m->len = m->size;
	} else {
		m->len += (size_t)n;
	}
}

/* Bytes in binary units: "64 MiB", "1.5 GiB", "4 KiB", "100 bytes". */
static const char *human(char *b, size_t size, uint64_t v)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned int u = 0;
	uint64_t scale = 1024;

	if (v < 1024) {
		snprintf(b, size, "%" PRIu64 " bytes", v);
		return b;
	}
	while (u + 1 < ARRAY_SIZE(units) && v / scale >= 1024) {
		scale *= 1024;
		u++;
	}
	if (v % scale == 0)
		snprintf(b, size, "%" PRIu64 " %s", v / scale, units[u]);
	else
		snprintf(b, size, "%.1f %s", (double)v / (double)scale, units[u]);
	return b;
}
#define H(v)	human((char[32]){ 0 }, 32, (v))

/* What the limits are, from the device or else from the process. */
struct facts {
	int have_dev;
	uint64_t page;
	uint64_t memlock_pages;		/* UINT64_MAX: unlimited */
	uint64_t vmpin_pages;
	uint64_t user_pages;		/* locked by the user, all processes */
	int have_user_pages;
	uint64_t max_lease_pages, max_leases, max_device_pages;
	uint64_t dev_leases, device_pinned_pages;
	int have_device_pinned;
};

static uint64_t vmpin_kb(void)
{
	char line[256];
	uint64_t kb = 0;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %" SCNu64, &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void get_facts(struct pinctl_dev *dev, struct facts *f)
{
	struct pinctl_info info = { .sz = sizeof(info) };
	struct rlimit rl;

	memset(f, 0, sizeof(*f));
	if (dev && !pinctl_dev_info(dev, &info)) {
		f->have_dev = 1;
		f->page = info.page_size;
		f->memlock_pages = info.memlock_limit_pages;
		f->vmpin_pages = info.mm_pinned_pages;
		f->user_pages = info.user_pinned_pages;
		f->have_user_pages = !!(info.features & PINCTL_FEATURE_USER_LIMITS);
		f->max_lease_pages = info.max_lease_pages;
		f->max_leases = info.max_leases;
		f->max_device_pages = info.max_device_pages;
		f->dev_leases = info.dev_leases;
		f->device_pinned_pages = info.device_pinned_pages;
		f->have_device_pinned = 1;
		return;
	}
	f->page = (uint64_t)sysconf(_SC_PAGESIZE);
	f->memlock_pages = UINT64_MAX;
	if (!getrlimit(RLIMIT_MEMLOCK, &rl) && rl.rlim_cur != RLIM_INFINITY)
		f->memlock_pages = rl.rlim_cur / f->page;
	f->vmpin_pages = vmpin_kb() * 1024 / f->page;
	pinctl_module_param_u64(NULL, "max_lease_pages", &f->max_lease_pages);
	pinctl_module_param_u64(NULL, "max_leases", &f->max_leases);
	pinctl_module_param_u64(NULL, "max_device_pages", &f->max_device_pages);
}

/*
 * Of the budgets on the caller's path (its cgroup v2 directory and its
 * ancestors), the one with the least room that the pin would exceed.
 */
struct full_budget {
	char own[4096];			/* the caller's cgroup, from /proc */
	uint64_t bytes;			/* what the pin asked for */
	char cgroup[256];
	uint64_t limit, usage;
	int found;
};

static uint64_t room(uint64_t limit, uint64_t usage)
{
	return limit > usage ? limit - usage : 0;
}

/* Is @cgroup @own or an ancestor of it? */
static int on_path(const char *cgroup, const char *own)
{
	size_t n = strlen(cgroup);

	if (!strcmp(cgroup, "/"))
		return 1;
	return !strncmp(cgroup, own, n) && (own[n] == '\0' || own[n] == '/');
}

static int find_full(const struct pinctl_budget *b, void *data)
{
	struct full_budget *fb = data;

	if (!on_path(b->cgroup, fb->own) || b->usage + fb->bytes <= b->limit ||
	    (fb->found && room(b->limit, b->usage) >= room(fb->limit, fb->usage)))
		return 0;
	snprintf(fb->cgroup, sizeof(fb->cgroup), "%s", b->cgroup);
	fb->limit = b->limit;
	fb->usage = b->usage;
	fb->found = 1;
	return 0;
}

/* The caller's cgroup v2 path, from the "0::" line of /proc/self/cgroup. */
static int own_cgroup(char *buf, size_t size)
{
	char line[4200];
	FILE *f = fopen("/proc/self/cgroup", "re");
	int ok = 0;

	if (!f)
		return 0;
	while (!ok && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (strlen(line + 3) >= size)
			break;
		memcpy(buf, line + 3, strlen(line + 3) + 1);
		ok = 1;
	}
	fclose(f);
	return ok;
}

/*
 * A refused pin: the errno names the limit or the rule; the numbers are
 * what the driver reports (GET_INFO) or, without a device, what the
 * process and the module's parameters say. Nothing here re-checks the
 * request: which of an errno's causes applied is the driver's to know.
 */
static void say_pin(struct msg *m, struct pinctl_dev *dev, int e,
		    const struct pinctl_err_opts *o)
{
	const uint32_t watch = PINCTL_PIN_WATCH | PINCTL_PIN_RELEASE_ON_STALE |
			       PINCTL_PIN_WATCH_ONLY;
	const uint32_t known = PINCTL_PIN_WRITE | PINCTL_PIN_LONGTERM | watch;
	struct facts f;
	uint64_t len = o->length, pages;

	get_facts(dev, &f);
	pages = f.page ? (len + f.page - 1) / f.page : 0;
	switch (e) {
	case EDQUOT:
		if (f.have_user_pages)
			say(m, "pinning %s would take the memory this user has locked "
			    "(in all of its processes) to %s, over RLIMIT_MEMLOCK of %s; "
			    "raise `ulimit -l` or grant CAP_IPC_LOCK",
			    H(len), H((f.user_pages + pages) * f.page),
			    f.memlock_pages == UINT64_MAX ? "unlimited" :
			    H(f.memlock_pages * f.page));
		else
			say(m, "pinning %s would take VmPin to %s, over RLIMIT_MEMLOCK "
			    "of %s; raise `ulimit -l` or grant CAP_IPC_LOCK",
			    H(len), H((f.vmpin_pages + pages) * f.page),
			    f.memlock_pages == UINT64_MAX ? "unlimited" :
			    H(f.memlock_pages * f.page));
		return;

	case EXFULL: {
		struct full_budget fb = { .bytes = pages * f.page };

		if (dev && own_cgroup(fb.own, sizeof(fb.own)) &&
		    !pinctl_budget_dump(pinctl_dev_ctx(dev), find_full, &fb) &&
		    fb.found) {
			say(m, "pinning %s would take cgroup %s to %s, over its budget "
			    "of %s; unpin, or have the administrator raise it "
			    "(pinctl budget set)",
			    H(len), fb.cgroup, H(fb.usage + fb.bytes), H(fb.limit));
			return;
		}
		say(m, "pinning %s is over the budget of a cgroup on this process's "
		    "path (pinctl budget show)", H(len));
		return;
	}
	case ELOOP:
		say(m, "more than 16 cgroups on this process's path have budgets, and "
		    "a pin is charged to 16 at most; clear some (pinctl budget show)");
		return;

	case EFBIG:
		say(m, "pinning %s (%" PRIu64 " pages) as one lease is over max_lease_pages "
		    "of %" PRIu64 " pages (%s); pin it as several leases or raise "
		    PARAM_DIR "max_lease_pages",
		    H(len), pages, f.max_lease_pages, H(f.max_lease_pages * f.page));
		return;
	case EMFILE:
		if (o->flags & watch) {
			/* Two limits give EMFILE to a watched lease. */
			if (f.have_dev)
				say(m, "this open file of /dev/pinmgr holds %" PRIu64
				    " leases (max_leases: %" PRIu64 ")", f.dev_leases,
				    f.max_leases);
			else
				say(m, "this open file of /dev/pinmgr may hold "
				    "max_leases (%" PRIu64 ") leases", f.max_leases);
			say(m, ", and %u watched ones; one of the two is reached: "
			    "unpin some, pin through another open file, or raise "
			    PARAM_DIR "max_leases", PINCTL_WATCH_SLOTS_MAX);
			return;
		}
		if (f.have_dev)
			say(m, "this open file of /dev/pinmgr already holds %" PRIu64
			    " leases, the max_leases limit of %" PRIu64 "; ",
			    f.dev_leases, f.max_leases);
		else
			say(m, "this open file of /dev/pinmgr already holds the "
			    "max_leases limit of %" PRIu64 " leases; ", f.max_leases);
		say(m, "unpin some, pin through another open file, or raise "
		    PARAM_DIR "max_leases");
		return;
	case ENOSPC:
		if (f.have_device_pinned)
			say(m, "pinning %s would take the pages pinned on the device to "
			    "%s, over max_device_pages of %" PRIu64 " pages (%s); wait "
			    "for other pins to end or raise " PARAM_DIR "max_device_pages",
			    H(len), H((f.device_pinned_pages + pages) * f.page),
			    f.max_device_pages, H(f.max_device_pages * f.page));
		else
			say(m, "pinning %s would take the pages pinned on the device "
			    "over max_device_pages of %" PRIu64 " pages (%s); wait for "
			    "other pins to end or raise " PARAM_DIR "max_device_pages",
			    H(len), f.max_device_pages, H(f.max_device_pages * f.page));
		return;
	case EFAULT:
		say(m, "cannot pin %s at 0x%" PRIx64 ": part of the range is unmapped "
		    "or PROT_NONE", H(len), o->addr);
		if (o->flags & PINCTL_PIN_WRITE)
			say(m, ", or read-only while this is a write pin, or a shared "
			    "mapping of an ordinary file, which Linux refuses to pin "
			    "long-term for writing since 6.5 (the driver pins long-term "
			    "for a process without CAP_IPC_LOCK)");
		say(m, " (or the range reaches beyond user space)");
		return;
	case EINVAL:
		if (o->flags & watch) {
			/* The range or the flags: the driver knows which. */
			say(m, "the driver refused 0x%" PRIx64 " + %" PRIu64 " bytes "
			    "with flags 0x%x: a pin takes whole pages (multiples of "
			    "%s, at least one), release-on-stale needs watch, and "
			    "watch-only goes with neither longterm nor "
			    "release-on-stale", o->addr, len, o->flags, H(f.page));
			return;
		}
		say(m, "the driver refused the range 0x%" PRIx64 " + %" PRIu64
		    " bytes: a pin takes whole pages (a start and a length that "
		    "are multiples of %s), at least one, within the address space",
		    o->addr, len, H(f.page));
		return;
	case EOPNOTSUPP:
		if (o->flags & ~known) {
			say(m, "pin flags 0x%x have bits libpinctl does not know "
			    "(it knows 0x%x)", o->flags, known);
		} else if (o->flags & watch) {
			say(m, "the loaded pinmgr module cannot watch ranges "
			    "(PINCTL_FEATURE_WATCH is absent: a module older than "
			    "watched leases, or a kernel without MMU notifiers)");
			if (!(o->flags & PINCTL_PIN_WATCH_ONLY))
				say(m, "; or %s at 0x%" PRIx64 " is an fsdax mapping, "
				    "which the kernel cannot pin long-term", H(len),
				    o->addr);
		} else {
			say(m, "cannot pin %s at 0x%" PRIx64 " long-term: it is an fsdax "
			    "mapping, which the kernel cannot pin long-term; pin it "
			    "short-term (which needs CAP_IPC_LOCK)", H(len), o->addr);
		}
		return;
	case EPERM:
		say(m, "this process did not open this file of /dev/pinmgr (a forked "
		    "child, or the file was passed to it): only the opener's address "
		    "space can be pinned through it; open the device in this process");
		return;
	case EINTR:
		say(m, "a fatal signal arrived while pinning %s; nothing stays pinned",
		    H(len));
		return;
	case ENOMEM:
		say(m, "the kernel ran out of memory for pinning %s; nothing stays "
		    "pinned", H(len));
		return;
	}
	say(m, "%s", strerror(e));
}

static const char *lease_word(char *b, size_t size, uint64_t handle)
{
	if (handle)
		snprintf(b, size, "lease %" PRIu64, handle);
	else
		snprintf(b, size, "the lease");
	return b;
}

static void say_common(struct msg *m, int e, const struct pinctl_err_opts *o)
{
	char lw[48];
	const char *lease = lease_word(lw, sizeof(lw), o->handle);
	struct utsname u;

	switch (e) {
	case ENOTTY:
		say(m, "the device does not know this command: the loaded pinmgr "
		    "module is older than libpinctl, or the file is not /dev/pinmgr");
		return;
	case E2BIG:
		say(m, "the request has fields the loaded pinmgr module does not "
		    "know: the module is older than libpinctl");
		return;
	case EINVAL:
		switch (o->op) {
		case PINCTL_OP_PIN_VEC:
			say(m, "a vectored pin takes 1 to %d ranges", PINCTL_PIN_VEC_MAX);
			return;
		case PINCTL_OP_ACCESS:
			say(m, "%" PRIu64 " bytes at offset %" PRIu64 " reach beyond %s",
			    o->length, o->offset, lease);
			return;
		case PINCTL_OP_EVENT_READ:
			say(m, "the buffer is smaller than one event record");
			return;
		case PINCTL_OP_GET_SEGMENTS:
			say(m, "the driver refused the request: %s may be watch-only, "
			    "which pins no pages and has no physical addresses, or "
			    "a reserved field is not zero", lease);
			return;
		default:
			say(m, "the driver refused the request: a reserved field is not "
			    "zero, a value is out of range, or the structure is smaller "
			    "than its first version");
			return;
		}
	case EOPNOTSUPP:
		if (o->op == PINCTL_OP_NETLINK) {
			say(m, "this kernel's generic netlink cannot keep a multicast "
			    "group to administrators (GENL_MCAST_CAP_SYS_ADMIN, "
			    "Linux 6.7 and its stable kernels), so pinmgr sends no "
			    "lease events over netlink here: each file of "
			    "/dev/pinmgr still reads its own leases' events");
			return;
		}
		if (o->op == PINCTL_OP_BUDGET) {
			say(m, "this kernel has no cgroups, so the pinmgr module keeps "
			    "no budgets (or the budget's flags are unknown to it)");
			return;
		}
		say(m, "the request has flags the loaded pinmgr module does not know "
		    "(0x%x)", o->flags);
		return;
	case EFAULT:
		say(m, "a buffer of the request cannot be accessed");
		return;
	case EACCES:
		if (o->op == PINCTL_OP_OPEN) {
			say(m, "permission denied on /dev/pinmgr: install the udev rule "
			    "(packaging/udev) or run as root");
			return;
		}
		if (o->op == PINCTL_OP_ACCESS) {
			say(m, "%s is not a write pin: only write pins can be written "
			    "through", lease);
			return;
		}
		if (o->op == PINCTL_OP_MODULE_LOAD || o->op == PINCTL_OP_MODULE_UNLOAD) {
			say(m, "permission denied: loading and unloading modules needs root");
			return;
		}
		break;
	case ENOENT:
		switch (o->op) {
		case PINCTL_OP_OPEN:
			say(m, "/dev/pinmgr does not exist: the pinmgr module is not "
			    "loaded (`pinctl module load`)");
			return;
		case PINCTL_OP_NETLINK:
			if (o->handle)
				say(m, "no visible %s on the device (an unprivileged user "
				    "sees only its own)", lease);
			else if (!access("/sys/module/pinmgr", F_OK))
				say(m, "the pinmgr generic netlink family is not registered: "
				    "the loaded pinmgr module is older than netlink support");
			else
				say(m, "the pinmgr generic netlink family is not registered: "
				    "the pinmgr module is not loaded (`pinctl module load`)");
			return;
		case PINCTL_OP_REVOKE:
			say(m, "no %s on the device, or its owner has closed its file",
			    lease);
			return;
		case PINCTL_OP_BUDGET:
			say(m, "no such cgroup v2 directory (a path from the root of "
			    "the cgroup2 hierarchy), or no budget on it");
			return;
		case PINCTL_OP_MODULE_LOAD:
			if (uname(&u))
				strcpy(u.release, "$(uname -r)");
			say(m, "no pinmgr module for this kernel in /lib/modules/%s: "
			    "install it (DKMS or `make install`) and run depmod, or load "
			    "a file with --path", u.release);
			return;
		case PINCTL_OP_MODULE_UNLOAD:
			say(m, "the pinmgr module is not loaded");
			return;
		default:
			say(m, "no %s in this open file of /dev/pinmgr (never pinned, "
			    "already unpinned or acknowledged, or another file's)", lease);
			return;
		}
	case EKEYEXPIRED:
		say(m, "%s expired and its pages were released; unpinning it "
		    "acknowledges that", lease);
		return;
	case EKEYREVOKED:
		say(m, "%s was revoked by an administrator and its pages were "
		    "released; unpinning it acknowledges that", lease);
		return;
	case ESTALE:
		if (o->op == PINCTL_OP_REVOKE) {
			say(m, "%s has already ended: its pages were released when "
			    "its range stopped mapping them (release-on-stale)", lease);
			return;
		}
		say(m, "%s was released when its range stopped mapping its pages "
		    "(release-on-stale); unpinning it acknowledges that", lease);
		return;
	case EBUSY:
		if (o->op == PINCTL_OP_RENEW) {
			say(m, "%s is under a break (an administrator revoked it): its "
			    "end is the administrator's, renewing is refused", lease);
			return;
		}
		if (o->op == PINCTL_OP_REVOKE) {
			say(m, "%s is already under a break; revoke it now "
			    "(PINCTL_REVOKE_NOW, `pinctl lease revoke ... now`) to "
			    "release its pages at once", lease);
			return;
		}
		if (o->op == PINCTL_OP_MODULE_UNLOAD) {
			say(m, "the pinmgr module is in use: close every open file of "
			    "/dev/pinmgr (every lease holds one) first");
			return;
		}
		break;
	case ESRCH:
		if (o->op == PINCTL_OP_REVOKE) {
			say(m, "%s is held by its dma-bufs alone (its owner let go of "
			    "it), so there is no owner to give a break to; revoke it "
			    "now (PINCTL_REVOKE_NOW, `pinctl lease revoke ... now`) to "
			    "take it from the devices", lease);
			return;
		}
		break;
	case EPERM:
		switch (o->op) {
		case PINCTL_OP_REVOKE:
			say(m, "revoking a lease needs CAP_SYS_ADMIN (and CAP_NET_ADMIN "
			    "through netlink)");
			return;
		case PINCTL_OP_GET_SEGMENTS:
			say(m, "physical addresses need CAP_SYS_ADMIN");
			return;
		case PINCTL_OP_NETLINK:
			say(m, "watching every lease's events needs CAP_SYS_ADMIN");
			return;
		case PINCTL_OP_MODULE_LOAD:
		case PINCTL_OP_MODULE_UNLOAD:
			say(m, "loading and unloading modules needs CAP_SYS_MODULE");
			return;
		case PINCTL_OP_BUDGET:
			say(m, "setting and clearing budgets needs CAP_SYS_ADMIN (and "
			    "CAP_NET_ADMIN) in the initial user namespace");
			return;
		case PINCTL_OP_UNPIN:
		case PINCTL_OP_ACCESS:
		case PINCTL_OP_RENEW:
			say(m, "this process did not open this file of /dev/pinmgr (a "
			    "forked child, or the file was passed to it): only its "
			    "opener may unpin, renew or access its leases");
			return;
		}
		break;
	case ENOSPC:
		if (o->op == PINCTL_OP_BUDGET) {
			say(m, "the pinmgr module keeps as many budgets as it can "
			    "(65536); clear some first");
			return;
		}
		break;
	case ENOMEM:
		say(m, "the kernel or the library ran out of memory");
		return;
	case EINTR:
		say(m, "interrupted by a signal");
		return;
	case EAGAIN:
		if (o->op == PINCTL_OP_EVENT_READ || o->op == PINCTL_OP_NETLINK) {
			say(m, "no event is waiting");
			return;
		}
		break;
	case EEXIST:
		if (o->op == PINCTL_OP_MODULE_LOAD) {
			say(m, "the pinmgr module is already loaded");
			return;
		}
		break;
	case ENOBUFS:
		if (o->op == PINCTL_OP_NETLINK) {
			say(m, "the monitor's socket overflowed and notifications were "
			    "lost");
			return;
		}
		break;
	}
	say(m, "%s", strerror(e));
}

PINCTL_API int pinctl_strerror(struct pinctl_dev *dev, int err,
			       const struct pinctl_err_opts *opts,
			       char *buf, size_t size)
{
	struct pinctl_err_opts o;
	struct msg m = { .buf = buf, .size = size };
	int ret, e = err < 0 ? -err : err;

	if (!buf || !size)
		return -EINVAL;
	buf[0] = '\0';
	ret = OPTS_GET(o, opts);
	if (ret)
		return ret;
	if ((o.op == PINCTL_OP_PIN || o.op == PINCTL_OP_PIN_VEC) &&
	    e != ENOTTY && e != E2BIG && !(o.op == PINCTL_OP_PIN_VEC && e == EINVAL))
		say_pin(&m, dev, e, &o);
	else
		say_common(&m, e, &o);
	return m.truncated ? -ERANGE : 0;
}

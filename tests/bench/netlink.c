// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinmgr-bench: the generic netlink family `pinmgr`, through libnl-genl-3
 * as a client of the family would use it.
 *
 * - A lease-get dump of many one-page leases: the time from the request to
 *   NLMSG_DONE, the datagrams it took, and proof that every dump returned
 *   exactly the handles pinned for it, each once; read through libnl, and
 *   straight from a socket (the family's own speed, without the copy of
 *   each message that libnl makes before parsing it).
 * - PIN+UNPIN of one 4 KiB page with nobody in the monitor group, and with
 *   one socket in it that a thread drains, in alternating rounds with
 *   io_uring beside them; and with a socket that is read only after the
 *   timing, which leaves the kernel's cost of sending the events without
 *   a reader competing for the CPUs. The listener must read one PINNED
 *   and one UNPINNED event per cycle and lose none, or the figure is not
 *   what it claims to be.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/pinmgr.h>
#include <linux/pinmgr_netlink.h>

#include "bench.h"
#include "pinmgr_tables.h"

/* Asked of SO_RCVBUFFORCE (root may exceed net.core.rmem_max). */
#define NL_RCVBUF (128 << 20)
/*
 * Our recvmsg() buffer. The kernel sizes a dump's datagrams from the
 * largest buffer a reader has offered (up to 32 KiB), and a fixed size
 * spares libnl's MSG_PEEK, i.e. one recvmsg() per datagram, not two.
 */
#define NL_MSG_BUF (64 * 1024)

#define DUMP_PAGES 64		/* the leases share these pages, round robin */
#define DUMP_CHUNK 8192		/* ranges per PIN_VEC */
#define DUMP_MAX_FILES 8	/* more means max_leases was lowered a lot */

/* How long the listener may take to catch up after a measurement. */
#define DRAIN_WAIT_NS (10 * NSEC_PER_SEC)
/* Quiet for this long, a late listener has read all (batches: a tick). */
#define LATE_QUIET_MS 200

/* What a reader of lease messages checks of their attributes: all of them. */
#define NLA_OF_U64	NLA_U64
#define NLA_OF_U32	NLA_U32
#define NLA_OF_STR	NLA_STRING
#define LEASE_POLICY(name, attr, ft, kind, query) \
	[PINMGR_A_##attr] = { .type = NLA_OF_##ft },

static struct nla_policy lease_policy[PINMGR_A_MAX + 1] = {
	PINMGR_LEASE_FIELDS(LEASE_POLICY)
};

/* A libnl error as a negative errno, for the report's errno fields. */
static int nl_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_NOMEM: return -ENOMEM;
	case NLE_PERM: return -EPERM;
	case NLE_NOACCESS: return -EACCES;
	case NLE_OBJ_NOTFOUND: return -ENOENT;
	case NLE_AGAIN: return -EAGAIN;
	case NLE_INVAL: return -EINVAL;
	case NLE_OPNOTSUPP: return -EOPNOTSUPP;
	default: return -EIO;
	}
}

static int nl_fail(int nlerr, char *why, const char *what)
{
	snprintf(why, WHY_LEN, "%s: %s", what, nl_geterror(nlerr));
	return nl_errno(nlerr);
}

static int sys_fail(int err, char *why, const char *what)
{
	snprintf(why, WHY_LEN, "%s: %s", what, strerror(-err));
	return err;
}

/*
 * A generic netlink socket with a large receive buffer and a fixed
 * recvmsg() buffer; *@family is the pinmgr family's id. Return: 0, or a
 * negative errno with @why set.
 */
static int genl_open(struct nl_sock **skp, int *family, int *rcvbuf,
		     char *why)
{
	struct nl_sock *sk = nl_socket_alloc();
	socklen_t len = sizeof(*rcvbuf);
	int size = NL_RCVBUF, ret;

	*skp = NULL;
	if (!sk)
		return sys_fail(-ENOMEM, why, "nl_socket_alloc");
	ret = genl_connect(sk);
	if (ret) {
		ret = nl_fail(ret, why, "genl_connect");
		goto fail;
	}
	/* Past rmem_max as root; else as much as SO_RCVBUF allows. */
	if (setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVBUFFORCE,
		       &size, sizeof(size)))
		nl_socket_set_buffer_size(sk, size, 0);
	if (getsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVBUF, rcvbuf,
		       &len))
		*rcvbuf = -1;
	nl_socket_set_msg_buf_size(sk, NL_MSG_BUF);
	nl_socket_disable_msg_peek(sk);
	*family = genl_ctrl_resolve(sk, PINMGR_FAMILY_NAME);
	if (*family < 0) {
		ret = nl_fail(*family, why, "resolving the pinmgr family");
		goto fail;
	}
	*skp = sk;
	return 0;
fail:
	nl_socket_free(sk);
	return ret;
}

int bench_read_u64(const char *path, uint64_t *val)
{
	FILE *f = fopen(path, "re");
	unsigned long long v;
	int ok;

	if (!f)
		return -errno;
	ok = fscanf(f, "%llu", &v) == 1;
	fclose(f);
	if (!ok)
		return -EINVAL;
	*val = v;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* ---- the dump ---- */

/* What one dump returned; the handle array is kept between dumps. */
struct dump_reader {
	uint64_t *handles;
	size_t nr, cap;
	unsigned int messages;	/* lease-get messages */
	unsigned int malformed;	/* of them: unparsable, or not one page */
	int err;		/* the kernel's error, or -ENOMEM of ours */
};

/*
 * Datagrams, bytes and time in nl_recv() of the dump under way: libnl's
 * receive hook takes no argument of ours. Only the main thread dumps. The
 * kernel fills each datagram after the first inside recvmsg(), so the time
 * in nl_recv() is the kernel's share, and the rest is libnl's and ours.
 */
static unsigned int dump_datagrams;
static uint64_t dump_bytes;
static int64_t dump_recv_ns;

static int dump_recv(struct nl_sock *sk, struct sockaddr_nl *nla,
		     unsigned char **buf, struct ucred **creds)
{
	int64_t t0 = now_ns();
	int n = nl_recv(sk, nla, buf, creds);

	dump_recv_ns += now_ns() - t0;
	if (n > 0) {
		dump_datagrams++;
		dump_bytes += n;
	}
	return n;
}

/* A lease message: parsed as any reader would, its handle kept. */
static int dump_valid(struct nl_msg *msg, void *arg)
{
	struct dump_reader *d = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[PINMGR_A_MAX + 1];
	uint64_t *grown;
	size_t cap;

	d->messages++;
	if (genlmsg_parse(nlh, 0, tb, PINMGR_A_MAX, lease_policy) ||
	    genlmsg_hdr(nlh)->cmd != PINMGR_NL_CMD_LEASE_GET ||
	    !tb[PINMGR_A_HANDLE] || !tb[PINMGR_A_PAGES] ||
	    nla_get_u64(tb[PINMGR_A_PAGES]) != 1) {
		d->malformed++;
		return NL_OK;
	}
	if (d->nr == d->cap) {
		cap = d->cap ? 2 * d->cap : 1024;
		grown = realloc(d->handles, cap * sizeof(*grown));
		if (!grown) {
			d->err = -ENOMEM;
			return NL_STOP;
		}
		d->handles = grown;
		d->cap = cap;
	}
	d->handles[d->nr++] = nla_get_u64(tb[PINMGR_A_HANDLE]);
	return NL_OK;
}

static int dump_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct dump_reader *d = arg;

	(void)nla;
	d->err = e->error;
	return NL_STOP;
}

/* One complete dump, timed from the request to NLMSG_DONE. */
static int dump_once(struct nl_sock *sk, struct nl_cb *cb, int family,
		     struct dump_reader *d, int64_t *ns, char *why)
{
	struct nl_msg *msg = nlmsg_alloc();
	int64_t t0;
	int ret;

	if (!msg)
		return sys_fail(-ENOMEM, why, "nlmsg_alloc");
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
			 NLM_F_DUMP, PINMGR_NL_CMD_LEASE_GET,
			 PINMGR_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return sys_fail(-ENOMEM, why, "genlmsg_put");
	}
	d->nr = 0;
	d->messages = 0;
	d->malformed = 0;
	d->err = 0;
	dump_datagrams = 0;
	dump_bytes = 0;
	dump_recv_ns = 0;

	t0 = now_ns();
	ret = nl_send_auto(sk, msg);
	if (ret >= 0)
		ret = nl_recvmsgs(sk, cb);
	*ns = now_ns() - t0;
	nlmsg_free(msg);

	if (d->err)
		return sys_fail(d->err, why, "lease-get dump");
	if (ret < 0)
		return nl_fail(ret, why, "lease-get dump");
	return 0;
}

/*
 * The same dump read straight from a raw socket into one buffer, each
 * message's attributes walked for its handle and pages, as a lean client
 * of the family would. *@seq numbers the requests of @sock.
 */
static int dump_once_raw(int sock, int family, uint32_t *seq,
			 struct dump_reader *d, int64_t *ns, char *why)
{
	static union {
		struct nlmsghdr h;
		char b[NL_MSG_BUF];
	} buf;
	struct {
		struct nlmsghdr h;
		struct genlmsghdr g;
	} req = {
		.h = {
			.nlmsg_len = sizeof(req),
			.nlmsg_type = (uint16_t)family,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = ++*seq,
		},
		.g = {
			.cmd = PINMGR_NL_CMD_LEASE_GET,
			.version = PINMGR_FAMILY_VERSION,
		},
	};
	struct nlmsghdr *h;
	int64_t t0;
	ssize_t n;
	int len;

	d->nr = 0;
	d->messages = 0;
	d->malformed = 0;
	d->err = 0;
	t0 = now_ns();
	if (send(sock, &req, sizeof(req), 0) < 0)
		return sys_fail(-errno, why, "sending the raw dump request");
	for (;;) {
		n = recv(sock, &buf, sizeof(buf), 0);
		if (n < 0)
			return sys_fail(-errno, why, "raw dump: recv");
		len = (int)n;
		for (h = &buf.h; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			const struct nlattr *a;
			uint64_t handle = 0, pages = 0;
			int alen;

			if (h->nlmsg_type == NLMSG_DONE) {
				*ns = now_ns() - t0;
				return 0;
			}
			if (h->nlmsg_type == NLMSG_ERROR)
				return sys_fail(((struct nlmsgerr *)
						 NLMSG_DATA(h))->error, why,
						"raw dump");
			d->messages++;
			a = (const void *)((const char *)NLMSG_DATA(h) +
					   GENL_HDRLEN);
			alen = (int)h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
			for (; alen >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
			       a->nla_len <= alen;
			     alen -= NLA_ALIGN(a->nla_len),
			     a = (const void *)((const char *)a +
						NLA_ALIGN(a->nla_len))) {
				if (a->nla_len != NLA_HDRLEN + 8)
					continue;
				if (a->nla_type == PINMGR_A_HANDLE)
					memcpy(&handle, (const char *)a +
					       NLA_HDRLEN, 8);
				else if (a->nla_type == PINMGR_A_PAGES)
					memcpy(&pages, (const char *)a +
					       NLA_HDRLEN, 8);
			}
			if (!handle || pages != 1 || d->nr == d->cap) {
				d->malformed++;
				continue;
			}
			d->handles[d->nr++] = handle;
		}
	}
}

/*
 * Did a dump return exactly the @n pinned handles (@want, sorted), each
 * once? Counts go into @r; the reader's handles end up sorted.
 */
static bool dump_check(const uint64_t *want, size_t n, struct dump_reader *d,
		       struct dump_result *r)
{
	size_t i, j, distinct = 0, matched = 0;

	qsort(d->handles, d->nr, sizeof(*d->handles), cmp_u64);
	for (i = 0; i < d->nr; i++)
		if (!i || d->handles[i] != d->handles[i - 1])
			distinct++;
	/* Walk both sorted lists: distinct received handles that were pinned. */
	for (i = j = 0; i < d->nr && j < n;) {
		if (i && d->handles[i] == d->handles[i - 1])
			i++;
		else if (d->handles[i] < want[j])
			i++;
		else if (d->handles[i] > want[j])
			j++;
		else
			matched++, i++, j++;
	}
	r->received = d->nr;
	r->distinct = distinct;
	r->matched = matched;
	r->malformed = d->malformed;
	return d->messages == n && !d->malformed && d->nr == n &&
	       distinct == n && matched == n;
}

/* Pin @n one-page leases, @per in each file of @fds; their handles in @want. */
static int dump_pin(const struct region *pages, int *fds, unsigned int files,
		    unsigned int per, unsigned int n, uint64_t *want,
		    char *why)
{
	struct pinmgr_pin_range *ranges = calloc(DUMP_CHUNK, sizeof(*ranges));
	unsigned int f, done = 0, k, in_file, count;
	int ret = 0;

	if (!ranges)
		return sys_fail(-ENOMEM, why, "allocating ranges");
	for (f = 0; f < files && !ret; f++) {
		fds[f] = open(PINMGR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		if (fds[f] < 0) {
			ret = sys_fail(-errno, why, "opening /dev/pinmgr");
			break;
		}
		for (in_file = 0; in_file < per && done < n; in_file += count) {
			struct pinmgr_pin_vec vec = {
				.size = sizeof(vec),
				.ranges = (uintptr_t)ranges,
				.range_size = sizeof(*ranges),
			};

			count = per - in_file;
			if (count > n - done)
				count = n - done;
			if (count > DUMP_CHUNK)
				count = DUMP_CHUNK;
			for (k = 0; k < count; k++) {
				ranges[k] = (struct pinmgr_pin_range){
					.addr = (uintptr_t)pages->addr +
						(done + k) % DUMP_PAGES *
						BASE_PAGE,
					.length = BASE_PAGE,
					.flags = PINMGR_PIN_WRITE |
						 PINMGR_PIN_LONGTERM,
				};
			}
			vec.nr_ranges = count;
			if (ioctl(fds[f], PINMGR_IOC_PIN_VEC, &vec)) {
				ret = sys_fail(-errno, why, "PIN_VEC");
				break;
			}
			for (k = 0; k < count; k++)
				want[done + k] = ranges[k].out_handle;
			done += count;
		}
	}
	free(ranges);
	return ret;
}

/* Widen [*min, *max] to hold @v; @first: it holds nothing yet. */
static void span(uint64_t v, bool first, uint64_t *min, uint64_t *max)
{
	if (first || v < *min)
		*min = v;
	if (first || v > *max)
		*max = v;
}

/* Dumps of @n leases: one untimed, then o->dump_repeats timed. */
/* As many raw dumps, on a raw socket of the same buffer sizes. */
static int dump_measure_raw(const struct options *o, const uint64_t *want,
			    size_t n, struct dump_reader *d, double *v,
			    struct dump_result *r)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int sock, size = NL_RCVBUF, family, ret = 0;
	struct nl_sock *sk;
	unsigned int i, timed = 0;
	uint32_t seq = 0;
	int64_t ns = 0;

	/* The family's id, from a libnl socket that is then done with. */
	ret = genl_open(&sk, &family, &r->rcvbuf, r->why);
	if (ret)
		return ret;
	nl_socket_free(sk);
	sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (sock < 0)
		return sys_fail(-errno, r->why, "raw netlink socket");
	if (setsockopt(sock, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(sock, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = sys_fail(-errno, r->why, "binding the raw socket");
		goto out;
	}
	for (i = 0; i <= o->dump_repeats; i++) {
		ret = dump_once_raw(sock, family, &seq, d, &ns, r->why);
		if (ret)
			break;
		if (i > 0)
			v[timed++] = (double)ns;
		if (!dump_check(want, n, d, r)) {
			r->verified = false;
			r->bad_dump = i;
			break;
		}
	}
	if (!ret)
		stats_compute(&r->raw, v, timed);
out:
	close(sock);
	return ret;
}

static int dump_measure(const struct options *o, const uint64_t *want,
			size_t n, struct dump_result *r)
{
	struct dump_reader d = { .cap = n };
	struct nl_sock *sk;
	struct nl_cb *cb = NULL;
	double *v, *in_recv;
	unsigned int i, timed = 0;
	int64_t ns = 0;
	int family, ret;
	bool ok;

	v = calloc(o->dump_repeats, sizeof(*v));
	in_recv = calloc(o->dump_repeats, sizeof(*in_recv));
	d.handles = calloc(n, sizeof(*d.handles));
	if (!v || !in_recv || !d.handles) {
		ret = sys_fail(-ENOMEM, r->why, "allocating the dump's arrays");
		goto out_free;
	}
	ret = genl_open(&sk, &family, &r->rcvbuf, r->why);
	if (ret)
		goto out_free;
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		ret = sys_fail(-ENOMEM, r->why, "nl_cb_alloc");
		goto out_sock;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, dump_valid, &d);
	nl_cb_err(cb, NL_CB_CUSTOM, dump_error, &d);
	nl_cb_overwrite_recv(cb, dump_recv);

	r->verified = true;
	for (i = 0; i <= o->dump_repeats; i++) {
		ret = dump_once(sk, cb, family, &d, &ns, r->why);
		if (ret)
			break;
		/* The first dump warms up; it is checked all the same. */
		if (i > 0) {
			in_recv[timed] = (double)dump_recv_ns;
			v[timed] = (double)ns;
			span(dump_datagrams, !timed, &r->datagrams_min,
			     &r->datagrams_max);
			span(d.messages, !timed, &r->messages_min,
			     &r->messages_max);
			span(dump_bytes, !timed, &r->bytes_min, &r->bytes_max);
			timed++;
		}
		ok = dump_check(want, n, &d, r);
		if (!ok) {
			r->verified = false;
			r->bad_dump = i;
			break;
		}
	}
	if (!ret) {
		stats_compute(&r->st, v, timed);
		stats_compute(&r->in_recv, in_recv, timed);
		ret = dump_measure_raw(o, want, n, &d, v, r);
	}
	nl_cb_put(cb);
out_sock:
	nl_socket_free(sk);
out_free:
	free(d.handles);
	free(in_recv);
	free(v);
	return ret;
}

void run_netlink_dump(const struct options *o, struct dump_result *r)
{
	struct pinmgr_info info = { .size = sizeof(info) };
	unsigned int n = o->dump_leases, files, per, f;
	int fds[DUMP_MAX_FILES];
	struct region pages = { 0 };
	uint64_t *want = NULL;
	int64_t t0;
	int ret;

	memset(r, 0, sizeof(*r));
	r->measured = true;
	r->leases = n;
	r->pages = DUMP_PAGES;
	r->msgbuf = NL_MSG_BUF;
	for (f = 0; f < DUMP_MAX_FILES; f++)
		fds[f] = -1;
	fprintf(stderr, "pinmgr-bench: netlink dump of %u leases\n", n);

	/* The limits, and proof that the dump will see our leases only. */
	fds[0] = open(PINMGR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fds[0] < 0) {
		ret = sys_fail(-errno, r->why, "opening /dev/pinmgr");
		goto out;
	}
	if (ioctl(fds[0], PINMGR_IOC_GET_INFO, &info)) {
		ret = sys_fail(-errno, r->why, "GET_INFO");
		goto out;
	}
	close(fds[0]);
	fds[0] = -1;
	if (info.device_leases) {
		ret = -EBUSY;
		snprintf(r->why, WHY_LEN,
			 "the device holds %llu leases already: a dump would not be of ours alone",
			 (unsigned long long)info.device_leases);
		goto out;
	}
	/* max_leases is per open file: as many files as it takes, evenly. */
	per = info.max_leases && info.max_leases < n ? info.max_leases : n;
	files = (n + per - 1) / per;
	if (files > DUMP_MAX_FILES) {
		ret = -EMFILE;
		snprintf(r->why, WHY_LEN,
			 "max_leases is %llu: %u leases would take %u files",
			 (unsigned long long)info.max_leases, n, files);
		goto out;
	}
	per = (n + files - 1) / files;
	r->files = files;

	want = calloc(n, sizeof(*want));
	ret = want ? region_map(&pages, BACKING_4K, DUMP_PAGES * BASE_PAGE) :
		     -ENOMEM;
	if (ret) {
		sys_fail(ret, r->why, "memory for the leases");
		goto out;
	}
	t0 = now_ns();
	ret = dump_pin(&pages, fds, files, per, n, want, r->why);
	r->pin_ns = now_ns() - t0;
	if (ret)
		goto out;
	qsort(want, n, sizeof(*want), cmp_u64);
	ret = dump_measure(o, want, n, r);

out:
	/* Closing the files ends every lease they hold. */
	t0 = now_ns();
	for (f = 0; f < DUMP_MAX_FILES; f++)
		if (fds[f] >= 0)
			close(fds[f]);
	r->close_ns = now_ns() - t0;
	region_unmap(&pages);
	free(want);
	r->err = ret;
}

/* ---- a listener in the monitor group ---- */

struct listener {
	struct nl_sock *sk;	/* its own callbacks count the events */
	bool late;		/* read nothing until told, then all */
	int stop_fd;		/* eventfd: the main thread says stop (or go) */
	pthread_t thread;
	bool started;
	int rcvbuf;
	/* written by the drain thread, read by the main thread meanwhile */
	atomic_ulong pinned, unpinned, other;
	atomic_uint overflows;
	atomic_bool done;
	int err;		/* why the drain stopped early; read after join */
	char why[WHY_LEN];
};

/* An event: read as a monitor would, and counted by kind. */
static int event_valid(struct nl_msg *msg, void *arg)
{
	struct listener *l = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[PINMGR_A_MAX + 1];

	if (genlmsg_parse(nlh, 0, tb, PINMGR_A_MAX, lease_policy) ||
	    !tb[PINMGR_A_HANDLE]) {
		atomic_fetch_add(&l->other, 1);
		return NL_OK;
	}
	switch (genlmsg_hdr(nlh)->cmd) {
	case PINMGR_NL_CMD_LEASE_PINNED_NTF:
		atomic_fetch_add(&l->pinned, 1);
		break;
	case PINMGR_NL_CMD_LEASE_UNPINNED_NTF:
		atomic_fetch_add(&l->unpinned, 1);
		break;
	default:
		atomic_fetch_add(&l->other, 1);
	}
	return NL_OK;
}

/*
 * Read every datagram as it comes; stop when told, once nothing is left
 * to read. A late listener first waits to be told, then reads what has
 * queued up, and stops once nothing has come for LATE_QUIET_MS: the
 * driver sends its last batch of events up to a tick after the timing
 * ended. Events are not multipart: one nl_recvmsgs() reads one datagram
 * (of one event or several).
 */
static void *listener_drain(void *arg)
{
	struct listener *l = arg;
	struct pollfd p[2] = {
		{ .fd = nl_socket_get_fd(l->sk), .events = POLLIN },
		{ .fd = l->stop_fd, .events = POLLIN },
	};
	int ret, timeout = -1;

	if (l->late) {
		while (poll(&p[1], 1, -1) < 0 && errno == EINTR)
			;
		p[1].fd = -1;	/* poll() ignores it from now on */
		timeout = LATE_QUIET_MS;
	}
	for (;;) {
		ret = poll(p, 2, timeout);
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			l->err = sys_fail(-errno, l->why, "poll");
			break;
		}
		if (!ret)
			break;	/* late, and nothing came for a while */
		if (p[0].revents & (POLLIN | POLLERR)) {
			ret = nl_recvmsgs_default(l->sk);
			/* ENOBUFS, which libnl calls NLE_NOMEM: events lost. */
			if (ret == -NLE_NOMEM) {
				atomic_fetch_add(&l->overflows, 1);
			} else if (ret < 0) {
				l->err = nl_fail(ret, l->why, "reading events");
				break;
			}
			continue;
		}
		if (p[1].revents & POLLIN)
			break;
	}
	atomic_store(&l->done, true);
	return NULL;
}

/* Tell the drain thread to stop, or a late one to start. */
static void listener_tell(struct listener *l)
{
	uint64_t one = 1;

	if (write(l->stop_fd, &one, sizeof(one)) != sizeof(one))
		pthread_cancel(l->thread);
}

static void listener_stop(struct listener *l)
{
	if (l->started) {
		listener_tell(l);
		pthread_join(l->thread, NULL);
		l->started = false;
	}
	if (l->stop_fd >= 0)
		close(l->stop_fd);
	l->stop_fd = -1;
	nl_socket_free(l->sk);
	l->sk = NULL;
}

/* Join the monitor group and start the thread; @l comes zeroed. */
static int listener_start(struct listener *l, bool late)
{
	int family, grp, ret;

	l->late = late;
	l->stop_fd = -1;
	ret = genl_open(&l->sk, &family, &l->rcvbuf, l->why);
	if (ret)
		return ret;
	grp = genl_ctrl_resolve_grp(l->sk, PINMGR_FAMILY_NAME,
				    PINMGR_MCGRP_MONITOR);
	if (grp < 0) {
		ret = nl_fail(grp, l->why, "resolving the monitor group");
		goto fail;
	}
	/* Events carry sequence number 0; they answer no request. */
	nl_socket_disable_seq_check(l->sk);
	nl_socket_modify_cb(l->sk, NL_CB_VALID, NL_CB_CUSTOM, event_valid, l);
	l->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (l->stop_fd < 0) {
		ret = sys_fail(-errno, l->why, "eventfd");
		goto fail;
	}
	ret = nl_socket_add_membership(l->sk, grp);
	if (ret) {
		ret = nl_fail(ret, l->why, "joining the monitor group");
		goto fail;
	}
	ret = -pthread_create(&l->thread, NULL, listener_drain, l);
	if (ret) {
		sys_fail(ret, l->why, "starting the drain thread");
		goto fail;
	}
	l->started = true;
	return 0;
fail:
	listener_stop(l);
	return ret;
}

/* Until the listener has read what the device did, or DRAIN_WAIT_NS. */
static void listener_wait(struct listener *l, uint64_t pins, uint64_t unpins)
{
	const struct timespec ms = { .tv_nsec = 1000000 };
	int64_t end = now_ns() + DRAIN_WAIT_NS;

	while ((atomic_load(&l->pinned) < pins ||
		atomic_load(&l->unpinned) < unpins) &&
	       !atomic_load(&l->done) && now_ns() < end)
		nanosleep(&ms, NULL);
}

/*
 * One round's measurement with a listener, drained as events come or
 * (@late) only after the timing: the device's pin and unpin counters
 * before and after say how many events it must have read.
 */
static int measure_listened(struct bench_env *env, const struct iface *pm,
			    const struct region *page, const struct budget *b,
			    bool late, struct iface_result *out,
			    struct monitor_result *r)
{
	uint64_t pins0 = 0, unpins0 = 0, pins1 = 0, unpins1 = 0;
	struct listener *l = calloc(1, sizeof(*l));
	int ret;

	if (!l)
		return sys_fail(-ENOMEM, r->why, "allocating the listener");
	ret = bench_read_u64(PINS_PATH, &pins0);
	if (!ret)
		ret = bench_read_u64(UNPINS_PATH, &unpins0);
	if (ret) {
		sys_fail(ret, r->why, PINS_PATH);
		goto out;
	}
	ret = listener_start(l, late);
	if (ret) {
		snprintf(r->why, WHY_LEN, "%s", l->why);
		goto out;
	}
	r->rcvbuf = l->rcvbuf;
	measure(env, pm, page, b, out);
	ret = bench_read_u64(PINS_PATH, &pins1);
	if (!ret)
		ret = bench_read_u64(UNPINS_PATH, &unpins1);
	if (late)
		listener_tell(l);
	if (!ret)
		listener_wait(l, pins1 - pins0, unpins1 - unpins0);
	listener_stop(l);
	if (ret) {
		sys_fail(ret, r->why, PINS_PATH);
		goto out;
	}
	if (l->err) {
		ret = l->err;
		snprintf(r->why, WHY_LEN, "%s", l->why);
		goto out;
	}
	r->pins += pins1 - pins0;
	r->unpins += unpins1 - unpins0;
	r->pinned_events += atomic_load(&l->pinned);
	r->unpinned_events += atomic_load(&l->unpinned);
	r->other_events += atomic_load(&l->other);
	r->overflows += atomic_load(&l->overflows);
out:
	free(l);
	return ret;
}

void run_monitor(struct bench_env *env, const struct options *o,
		 struct monitor_result *r)
{
	const struct iface *pm = iface_find(PINMGR_IFACE_ID);
	const struct iface *ur = iface_find(URING_IFACE_ID);
	double ratio[MAX_ROUNDS], uratio[MAX_ROUNDS];
	double late_ratio[MAX_ROUNDS];
	struct region page;
	unsigned int i, n;
	int ret;

	memset(r, 0, sizeof(*r));
	r->measured = true;
	n = o->monitor_rounds < MAX_ROUNDS ? o->monitor_rounds :
						    MAX_ROUNDS;
	fprintf(stderr, "pinmgr-bench: PIN+UNPIN with a monitor listener\n");
	ret = region_map(&page, BACKING_4K, BASE_PAGE);
	if (ret) {
		r->err = sys_fail(ret, r->why, "mmap");
		return;
	}
	if (region_confirm(&page, r->why, WHY_LEN)) {
		r->err = -EINVAL;
		goto out;
	}
	/* Alternate, so that a busy spell of the host hits both sides. */
	for (i = 0; i < n; i++) {
		measure(env, pm, &page, &o->budget, &r->without[i]);
		if (r->without[i].err) {
			r->err = r->without[i].err;
			snprintf(r->why, WHY_LEN, "%s", r->without[i].why);
			goto out;
		}
		measure(env, ur, &page, &o->budget, &r->uring[i]);
		ret = measure_listened(env, pm, &page, &o->budget, false,
				       &r->with[i], r);
		if (!ret && r->with[i].err) {
			ret = r->with[i].err;
			snprintf(r->why, WHY_LEN, "with a listener: %.200s",
				 r->with[i].why);
		}
		if (!ret)
			ret = measure_listened(env, pm, &page, &o->budget,
					       true, &r->late[i], r);
		if (!ret && r->late[i].err) {
			ret = r->late[i].err;
			snprintf(r->why, WHY_LEN, "with a listener read late: %.200s",
				 r->late[i].why);
		}
		if (ret) {
			r->err = ret;
			goto out;
		}
		r->rounds++;
	}

	rounds_figure(r->without, n, &r->f_without);
	rounds_figure(r->with, n, &r->f_with);
	rounds_figure(r->late, n, &r->f_late);
	r->uring_ok = true;
	for (i = 0; i < n; i++) {
		ratio[i] = r->with[i].st.median / r->without[i].st.median;
		late_ratio[i] = r->late[i].st.median / r->without[i].st.median;
		uratio[i] = r->uring[i].st.median / r->without[i].st.median;
		if (!iface_ok(&r->uring[i]))
			r->uring_ok = false;
	}
	stats_compute(&r->ratio, ratio, n);
	stats_compute(&r->late_ratio, late_ratio, n);
	if (r->uring_ok) {
		rounds_figure(r->uring, n, &r->f_uring);
		stats_compute(&r->uring_ratio, uratio, n);
	}
	/*
	 * Without events the listener measured nothing but the wait: e.g. a
	 * kernel whose genetlink cannot restrict the group to CAP_SYS_ADMIN,
	 * where the driver sends none.
	 */
	if (r->pins && !r->pinned_events && !r->unpinned_events) {
		r->err = -EOPNOTSUPP;
		snprintf(r->why, WHY_LEN,
			 "the listener read no event of %llu pins (does this kernel send them?)",
			 (unsigned long long)r->pins);
		goto out;
	}
	r->verified = r->pins > 0 && r->pinned_events == r->pins &&
		      r->unpinned_events == r->unpins && !r->other_events &&
		      !r->overflows;
out:
	region_unmap(&page);
}

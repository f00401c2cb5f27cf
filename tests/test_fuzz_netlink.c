// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_netlink: the `pinmgr` generic netlink family under a seeded random
 * mix of valid and malformed requests, while other threads pin, unpin,
 * let leases expire, revoke them and close their files, a listener drains
 * the monitor group, and an unprivileged process does the same as a user.
 *
 *  - valid requests (stats-get, lease-get, dumps with random filters,
 *    lease-revoke of live handles) must answer as documented: a complete
 *    reply, or ENOENT/EBUSY/EKEYEXPIRED/EKEYREVOKED where a lease ended
 *    meanwhile; a filtered dump holds only matching leases, none twice;
 *  - malformed ones (random commands, flags, header fields, attribute
 *    types, lengths and payloads, truncated and batched messages) must get
 *    an error from the documented set or be ignored, never a crash;
 *  - the unprivileged process is refused every revocation and the monitor
 *    group, and sees only its own leases.
 * PINMGR_FUZZ_SEED replays a thread's sequence, PINMGR_FUZZ_NL_OPS sets
 * the number of requests (default 20000). At the end nothing stays pinned.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "harness.h"
#include "nl_client.h"

#define FN_DEFAULT_OPS	20000UL
#define FN_FUZZERS	2
#define FN_PINNERS	2
#define FN_SLOTS	64		/* handles the pinners publish */
#define FN_COOKIE	0x5eed

struct fz_shared {
	atomic_int stop;
	atomic_ullong handles[FN_SLOTS];
	int family;
	uint64_t seed;
	unsigned long ops;
};

static uint64_t rnd(uint64_t *s)
{
	/* splitmix64: a thread's sequence is a function of its seed. */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rndn(uint64_t *s, uint64_t n)
{
	return n ? rnd(s) % n : 0;
}

static __u64 any_handle(struct fz_shared *sh, uint64_t *s)
{
	switch (rndn(s, 4)) {
	case 0:
		return rnd(s);
	case 1:
		return rndn(s, 1 << 20);
	default:
		return atomic_load(&sh->handles[rndn(s, FN_SLOTS)]);
	}
}

/* ---- Pinners ----------------------------------------------------------- */

struct fz_pinner {
	struct fz_shared *sh;
	unsigned int idx;
	pthread_t tid;
};

static void *fz_pin_loop(void *arg)
{
	struct fz_pinner *p = arg;
	uint64_t s = p->sh->seed ^ (0x1000 + p->idx);
	size_t ps = pm_page_size();
	char *buf = pm_map_anon(16 * ps);
	__u64 mine[FN_SLOTS / FN_PINNERS] = { 0 };
	unsigned int n = FN_SLOTS / FN_PINNERS, k;
	int fd = pm_open();

	ASSERT_NE(buf, NULL);
	ASSERT_GE(fd, 0);
	while (!atomic_load(&p->sh->stop)) {
		struct pinmgr_pin pin;
		int r;

		k = (unsigned int)rndn(&s, n);
		if (mine[k]) {
			/* Live, or ended by expiry or revocation: all fine. */
			r = pm_unpin(fd, mine[k]);
			if (r && errno != EKEYEXPIRED && errno != EKEYREVOKED)
				FAIL("UNPIN of own lease %llu: %s",
				     (unsigned long long)mine[k],
				     strerror(errno));
			mine[k] = 0;
			atomic_store(&p->sh->handles[p->idx * n + k], 0);
			continue;
		}
		memset(&pin, 0, sizeof(pin));
		r = pm_pin_for(fd, buf + rndn(&s, 12) * ps,
			       (1 + rndn(&s, 4)) * ps,
			       (__u32)rndn(&s, 4),
			       rndn(&s, 3) ? 0 : (1 + rndn(&s, 50)) * PM_MS,
			       &pin);
		ASSERT_EQ(r, 0);
		mine[k] = pin.out_handle;
		atomic_store(&p->sh->handles[p->idx * n + k], pin.out_handle);
		if (!rndn(&s, 200)) {
			/* A close takes every lease, live and ended. */
			close(fd);
			fd = pm_open();
			ASSERT_GE(fd, 0);
			memset(mine, 0, sizeof(mine));
			for (k = 0; k < n; k++)
				atomic_store(&p->sh->handles[p->idx * n + k], 0);
		}
	}
	close(fd);
	return NULL;
}

/* ---- The monitor listener ---------------------------------------------- */

static void *fz_monitor_loop(void *arg)
{
	struct fz_shared *sh = arg;
	struct pm_nl *mon = pm_nl_open();
	struct pm_nl_lease ev;
	unsigned long events = 0, lost = 0;
	int r;

	ASSERT_NE(mon, NULL);
	ASSERT_EQ(pm_nl_monitor(mon), 0);
	while (!atomic_load(&sh->stop)) {
		r = pm_nl_event(mon, 100, &ev);
		if (r == -ENOBUFS) {
			lost++;
			continue;
		}
		ASSERT_GE(r, 0);
		if (!r)
			continue;
		if (ev.cmd < PINMGR_NL_CMD_LEASE_PINNED_NTF ||
		    ev.cmd > PINMGR_NL_CMD_LEASE_REVOKED_NTF)
			FAIL("monitor: message with command %u", ev.cmd);
		if (!PM_NL_HAS(&ev, PINMGR_A_HANDLE) || !ev.handle ||
		    !PM_NL_HAS(&ev, PINMGR_A_STATE) || !ev.pages)
			FAIL("monitor: event %u without its lease", ev.cmd);
		events++;
	}
	pm_diag("fuzz_netlink: the monitor got %lu events, %lu overruns",
		events, lost);
	pm_nl_close(mon);
	return NULL;
}

/* ---- Requests ---------------------------------------------------------- */

static int fz_documented(int err)
{
	switch (err) {
	case EINVAL:
	case ERANGE:
	case ENOENT:
	case EPERM:
	case EOPNOTSUPP:
	case EBUSY:
	case EKEYEXPIRED:
	case EKEYREVOKED:
	case EMSGSIZE:
		return 1;
	}
	return 0;
}

/* A valid request, with what its answer must be. */
static void fz_valid(struct pm_nl *nl, struct fz_shared *sh, uint64_t *s,
		     int admin)
{
	__u64 st[PINMGR_A_STATS_MAX + 1], h = any_handle(sh, s), deadline;
	struct pm_nl_lease *leases, l;
	struct pm_nl_filter f;
	size_t nr, i, j;
	int r;

	switch (rndn(s, 4)) {
	case 0:
		ASSERT_EQ(pm_nl_stats(nl, st), 0);
		for (i = 1; i < PINMGR_A_STATS_PAD; i++)
			if (st[i] == ~0ULL)
				FAIL("stats-get without attribute %zu", i);
		break;
	case 1:
		r = pm_nl_lease_get(nl, h, &l);
		if (r == -ENOENT)
			break;
		ASSERT_EQ(r, 0);
		ASSERT_EQ(l.handle, h);
		ASSERT_TRUE(admin || l.uid == getuid());
		break;
	case 2:
		memset(&f, 0, sizeof(f));
		f.has = (unsigned int)rndn(s, 8);
		f.tgid = rndn(s, 2) ? (__u32)getpid() : (__u32)rndn(s, 1000);
		f.uid = rndn(s, 2) ? 0 : PM_NOBODY;
		f.cookie = rndn(s, 2) ? FN_COOKIE : 0;
		ASSERT_EQ(pm_nl_dump(nl, &f, &leases, &nr), 0);
		for (i = 0; i < nr; i++) {
			l = leases[i];
			if (((f.has & PM_NL_F_TGID) && l.tgid != f.tgid) ||
			    ((f.has & PM_NL_F_UID) && l.uid != f.uid) ||
			    ((f.has & PM_NL_F_COOKIE) && l.cookie != f.cookie) ||
			    (!admin && l.uid != getuid()))
				FAIL("dump with filters 0x%x returned lease %llu of tgid %u uid %u cookie %llu",
				     f.has, (unsigned long long)l.handle,
				     l.tgid, l.uid,
				     (unsigned long long)l.cookie);
			for (j = 0; j < i; j++)
				if (leases[j].handle == l.handle)
					FAIL("dump returned lease %llu twice",
					     (unsigned long long)l.handle);
		}
		free(leases);
		break;
	default:
		r = pm_nl_revoke(nl, h, (int)rndn(s, 2), &deadline);
		if (!admin) {
			ASSERT_EQ(r, -EPERM);
			break;
		}
		if (r && r != -ENOENT && r != -EBUSY && r != -EKEYEXPIRED &&
		    r != -EKEYREVOKED)
			FAIL("lease-revoke of %llu: %s",
			     (unsigned long long)h, strerror(-r));
		if (!r)
			ASSERT_NE(deadline, 0);
		break;
	}
}

static const size_t fz_attr_lens[] = { 0, 1, 2, 4, 7, 8, 12, 16, 40 };

/* One malformed message into @msg; its length. */
static size_t fz_build(struct fz_shared *sh, uint64_t *s, char *msg,
		       size_t room, __u32 seq)
{
	struct nlmsghdr *h = (struct nlmsghdr *)msg;
	struct genlmsghdr *g = NLMSG_DATA(h);
	size_t len = NLMSG_LENGTH(GENL_HDRLEN), alen, i;
	unsigned int nattrs = (unsigned int)rndn(s, 5);
	struct nlattr *nla;

	memset(msg, 0, room);
	h->nlmsg_type = rndn(s, 16) ? (__u16)sh->family : (__u16)rnd(s);
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (!rndn(s, 4))
		h->nlmsg_flags |= NLM_F_DUMP;
	if (!rndn(s, 16))
		h->nlmsg_flags = (__u16)rnd(s) | NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = seq;
	g->cmd = (__u8)rndn(s, PINMGR_NL_CMD_MAX + 4);
	g->version = rndn(s, 8) ? PINMGR_FAMILY_VERSION : (__u8)rnd(s);
	g->reserved = rndn(s, 8) ? 0 : (__u16)rnd(s);
	while (nattrs--) {
		alen = fz_attr_lens[rndn(s, ARRAY_SIZE(fz_attr_lens))];
		if (len + NLA_HDRLEN + NLA_ALIGN(alen) > room)
			break;
		nla = (struct nlattr *)(msg + len);
		nla->nla_type = rndn(s, 4) ? (__u16)rndn(s, PINMGR_A_MAX + 3) :
			(__u16)rnd(s);
		nla->nla_len = (__u16)(NLA_HDRLEN + alen);
		if (nla->nla_type == PINMGR_A_HANDLE && alen == 8) {
			__u64 v = any_handle(sh, s);

			memcpy((char *)nla + NLA_HDRLEN, &v, 8);
		} else {
			for (i = 0; i < alen; i++)
				((char *)nla)[NLA_HDRLEN + i] = (char)rnd(s);
		}
		if (!rndn(s, 32))
			nla->nla_len = (__u16)rnd(s);	/* lies */
		len += NLA_HDRLEN + NLA_ALIGN(alen);
	}
	h->nlmsg_len = (__u32)len;
	if (!rndn(s, 32))
		h->nlmsg_len = (__u32)rndn(s, len + 64);	/* lies too */
	return len;
}

/* Read until the answer to @seq ends; every error must be documented. */
static void fz_drain(int sock, __u32 seq)
{
	static __thread union {
		struct nlmsghdr h;
		char b[1 << 16];
	} buf;
	struct nlmsghdr *h;
	ssize_t r;
	int len;

	for (;;) {
		r = recv(sock, &buf, sizeof(buf), 0);
		if (r < 0) {
			if (errno == ENOBUFS)
				continue;	/* a dump we never read */
			FAIL("recv: %s (waiting for the answer to %u)",
			     strerror(errno), seq);
		}
		len = (int)r;
		for (h = &buf.h; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				if (e->error && !fz_documented(-e->error))
					FAIL("request %u: undocumented errno %s",
					     h->nlmsg_seq,
					     strerrorname_np(-e->error) ?: "?");
				if (h->nlmsg_seq == seq)
					return;
			}
		}
	}
}

/* Malformed messages, then a stats-get whose ack says all were handled. */
static void fz_malformed(int sock, struct fz_shared *sh, uint64_t *s,
			 __u32 *seq)
{
	char msg[512];
	size_t len = 0, n = 1 + rndn(s, 3), i;
	struct {
		struct nlmsghdr h;
		struct genlmsghdr g;
	} end;

	/* Several in one datagram, sometimes. */
	for (i = 0; i < n; i++)
		len += NLMSG_ALIGN(fz_build(sh, s, msg + len, 160, ++*seq));
	if (send(sock, msg, len, 0) < 0 && errno != EINVAL)
		FAIL("send: %s", strerror(errno));
	memset(&end, 0, sizeof(end));
	end.h.nlmsg_len = sizeof(end);
	end.h.nlmsg_type = (__u16)sh->family;
	end.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	end.h.nlmsg_seq = ++*seq;
	end.g.cmd = PINMGR_NL_CMD_STATS_GET;
	end.g.version = PINMGR_FAMILY_VERSION;
	ASSERT_EQ(send(sock, &end, sizeof(end), 0), (ssize_t)sizeof(end));
	fz_drain(sock, *seq);
}

static int fz_raw_socket(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 20 };
	int sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);

	ASSERT_GE(sock, 0);
	ASSERT_EQ(bind(sock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ASSERT_EQ(setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	return sock;
}

struct fz_fuzzer {
	struct fz_shared *sh;
	unsigned int idx;
	int admin;
	unsigned long ops;
	pthread_t tid;
};

static void *fz_fuzz_loop(void *arg)
{
	struct fz_fuzzer *f = arg;
	uint64_t s = f->sh->seed ^ (0x2000 + f->idx);
	struct pm_nl *nl = pm_nl_open();
	int sock = fz_raw_socket();
	unsigned long i;
	__u32 seq = 0;

	ASSERT_NE(nl, NULL);
	for (i = 0; i < f->ops; i++) {
		if (rndn(&s, 2))
			fz_valid(nl, f->sh, &s, f->admin);
		else
			fz_malformed(sock, f->sh, &s, &seq);
		if (!rndn(&s, 500)) {
			/* A new socket, with whatever the old one had going. */
			close(sock);
			sock = fz_raw_socket();
		}
	}
	close(sock);
	pm_nl_close(nl);
	return NULL;
}

/* As nobody: requests as a user would make them, and refusals. */
static void fz_unprivileged(struct fz_shared *sh)
{
	struct fz_fuzzer f = { .sh = sh, .idx = 99, .admin = 0 };
	size_t ps = pm_page_size();
	struct pm_nl *nl;
	char *buf = pm_map_anon(ps);
	int fd;

	ASSERT_EQ(pm_become_nobody(), 0);
	ASSERT_NE(buf, NULL);
	fd = pm_open();
	ASSERT_GE(fd, 0);
	PIN_OK(fd, buf, ps, 0);
	nl = pm_nl_open();
	ASSERT_NE(nl, NULL);
	ASSERT_EQ(pm_nl_monitor(nl), pm_nl_monitor_expect(-EPERM));
	pm_nl_close(nl);
	f.ops = sh->ops / 4;
	fz_fuzz_loop(&f);
	close(fd);
}

TEST_TIMEOUT(fuzz_netlink, 1800)
{
	struct fz_fuzzer fuzzers[FN_FUZZERS];
	struct fz_pinner pinners[FN_PINNERS];
	const char *env = getenv("PINMGR_FUZZ_SEED");
	struct fz_shared *sh;
	struct pm_nl *nl;
	pthread_t mon;
	int have_mon;
	unsigned int i;
	pid_t child;

	sh = calloc(1, sizeof(*sh));
	ASSERT_NE(sh, NULL);
	nl = pm_nl_open();
	ASSERT_NE(nl, NULL);
	sh->family = pm_nl_family(nl);
	pm_nl_close(nl);
	sh->seed = env ? strtoull(env, NULL, 0) :
		   (uint64_t)time(NULL) * 2654435761ULL ^ (uint64_t)getpid();
	env = getenv("PINMGR_FUZZ_NL_OPS");
	sh->ops = env ? strtoul(env, NULL, 0) : FN_DEFAULT_OPS;
	pm_diag("fuzz_netlink seed 0x%llx (replay: PINMGR_FUZZ_SEED=0x%llx), %lu requests",
		(unsigned long long)sh->seed, (unsigned long long)sh->seed,
		sh->ops);
	/* Breaks that end while the fuzz runs. */
	ASSERT_EQ(pm_param_write("break_time_ms", 20), 0);

	/* Where the kernel has no monitor group, the requests alone. */
	have_mon = pm_feature(PINMGR_FEATURE_NL_MONITOR);
	if (have_mon)
		ASSERT_EQ(pthread_create(&mon, NULL, fz_monitor_loop, sh), 0);
	for (i = 0; i < FN_PINNERS; i++) {
		pinners[i].sh = sh;
		pinners[i].idx = i;
		ASSERT_EQ(pthread_create(&pinners[i].tid, NULL, fz_pin_loop,
					 &pinners[i]), 0);
	}
	child = geteuid() == 0 ? fork() : -1;
	if (child == 0) {
		fz_unprivileged(sh);
		_exit(0);
	}
	for (i = 0; i < FN_FUZZERS; i++) {
		fuzzers[i].sh = sh;
		fuzzers[i].idx = i;
		fuzzers[i].admin = geteuid() == 0;
		fuzzers[i].ops = sh->ops / FN_FUZZERS;
		ASSERT_EQ(pthread_create(&fuzzers[i].tid, NULL, fz_fuzz_loop,
					 &fuzzers[i]), 0);
	}
	for (i = 0; i < FN_FUZZERS; i++)
		ASSERT_EQ(pthread_join(fuzzers[i].tid, NULL), 0);
	if (child > 0)
		ASSERT_EQ(pm_wait(child), 0);
	atomic_store(&sh->stop, 1);
	for (i = 0; i < FN_PINNERS; i++)
		ASSERT_EQ(pthread_join(pinners[i].tid, NULL), 0);
	if (have_mon)
		ASSERT_EQ(pthread_join(mon, NULL), 0);
	free(sh);
}

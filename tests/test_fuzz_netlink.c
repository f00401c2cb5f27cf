// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_netlink: the `pinmgr` generic netlink family under a seeded random
 * mix of valid and malformed requests, while other threads pin, unpin,
 * let leases expire, revoke them and close their files, a listener drains
 * the monitor group, and an unprivileged process does the same as a user.
 *
 *  - valid requests (stats-get, lease-get, dumps with random filters,
 *    lease-revoke of live handles, user-get of random uids) must answer as
 *    documented: a complete reply, or ENOENT/EBUSY/EKEYEXPIRED/EKEYREVOKED
 *    where a lease ended meanwhile, ENOENT for a uid no process has; a
 *    filtered dump holds only matching leases, none twice;
 *  - malformed ones (random commands, flags, header fields, attribute
 *    types, lengths and payloads, truncated and batched messages) must get
 *    an error from the documented set or be ignored, never a crash;
 *  - the unprivileged process is refused every revocation, the monitor
 *    group and every other user's locked_vm, and sees only its own leases.
 * Where the driver has watched leases, the pinners watch some of theirs
 * (some released on stale, some watch-only) and discard pages under them
 * now and then: the monitor must get lease-stale-ntf messages that say
 * why and where, and a revocation may find a lease released on stale
 * (ESTALE).
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
#include <sys/mman.h>
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
	int watch;		/* the driver has PINMGR_FEATURE_WATCH */
	int budgets;		/* ... BUDGETS, and cgroup2 is mounted */
	atomic_ulong discards;
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

/* Flags of a pinner's lease: watched ones too, where the driver has them. */
static __u32 fz_pin_flags(struct fz_shared *sh, uint64_t *s)
{
	__u32 flags = (__u32)rndn(s, 4);

	if (!sh->watch)
		return flags;
	switch (rndn(s, 8)) {
	case 0:
		return (flags & PINMGR_PIN_WRITE) | PINMGR_PIN_WATCH_ONLY;
	case 1:
		return flags | PINMGR_PIN_WATCH | PINMGR_PIN_RELEASE_ON_STALE;
	case 2:
	case 3:
		return flags | PINMGR_PIN_WATCH;
	default:
		return flags;
	}
}

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
		if (p->sh->watch && !rndn(&s, 16)) {
			/*
			 * Discard a page under our leases: the watched ones
			 * over it go stale, or are released; it comes back
			 * as a new page.
			 */
			char *at = buf + rndn(&s, 16) * ps;

			ASSERT_EQ(madvise(at, ps, MADV_DONTNEED), 0);
			*at = 1;
			atomic_fetch_add(&p->sh->discards, 1);
			continue;
		}
		if (mine[k]) {
			/*
			 * Live, or ended by expiry, revocation or release on
			 * stale: all fine.
			 */
			r = pm_unpin(fd, mine[k]);
			if (r && errno != EKEYEXPIRED && errno != EKEYREVOKED &&
			    errno != ESTALE)
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
			       fz_pin_flags(p->sh, &s),
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
	unsigned long events = 0, lost = 0, stale = 0;
	__u8 last = sh->watch ? PINMGR_NL_CMD_LEASE_STALE_NTF :
				PINMGR_NL_CMD_LEASE_REVOKED_NTF;
	__u32 last_state = sh->watch ? PINMGR_LEASE_INVALIDATED :
				       PINMGR_LEASE_REVOKED;
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
		if (ev.cmd < PINMGR_NL_CMD_LEASE_PINNED_NTF || ev.cmd > last)
			FAIL("monitor: message with command %u", ev.cmd);
		if (!PM_NL_HAS(&ev, PINMGR_A_HANDLE) || !ev.handle ||
		    !PM_NL_HAS(&ev, PINMGR_A_STATE) || !ev.pages ||
		    ev.state < PINMGR_LEASE_ACTIVE || ev.state > last_state)
			FAIL("monitor: event %u without its lease (state %u)",
			     ev.cmd, ev.state);
		/* A watched lease has a slot (from 1), no other one has. */
		if (sh->watch &&
		    (!(ev.flags & PINMGR_PIN_WATCH) != !ev.watch_slot ||
		     (!(ev.flags & PINMGR_PIN_WATCH) && ev.stale_reason)))
			FAIL("monitor: event %u of lease %llu with flags %u: slot %u, stale reason %u",
			     ev.cmd, (unsigned long long)ev.handle, ev.flags,
			     ev.watch_slot, ev.stale_reason);
		if (ev.cmd == PINMGR_NL_CMD_LEASE_STALE_NTF) {
			/*
			 * Of a watched lease that changed: it says so, why
			 * and where, within its range; never "active" any
			 * more. Our pinners' processes live: never EXIT.
			 */
			if (!(ev.flags & PINMGR_PIN_WATCH) ||
			    ev.state == PINMGR_LEASE_ACTIVE ||
			    !PM_NL_HAS(&ev, PINMGR_A_STALE_REASON) ||
			    !PM_NL_HAS(&ev, PINMGR_A_WATCH_SLOT) ||
			    !PM_NL_HAS(&ev, PINMGR_A_STALE_ADDR) ||
			    !PM_NL_HAS(&ev, PINMGR_A_STALE_LENGTH) ||
			    (ev.stale_reason != PINMGR_STALE_UNMAP &&
			     ev.stale_reason != PINMGR_STALE_DISCARD) ||
			    !ev.stale_length || ev.stale_addr < ev.addr ||
			    ev.stale_addr + ev.stale_length >
			    ev.addr + ev.length)
				FAIL("monitor: lease-stale-ntf of lease %llu (0x%llx+%llu) with flags %u, state %u, stale reason %u at 0x%llx+%llu, attributes 0x%llx",
				     (unsigned long long)ev.handle,
				     (unsigned long long)ev.addr,
				     (unsigned long long)ev.length, ev.flags,
				     ev.state, ev.stale_reason,
				     (unsigned long long)ev.stale_addr,
				     (unsigned long long)ev.stale_length,
				     (unsigned long long)ev.present);
			stale++;
		}
		events++;
	}
	pm_diag("fuzz_netlink: the monitor got %lu events (%lu lease-stale-ntf), %lu overruns",
		events, stale, lost);
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
	case ESTALE:
	case EMSGSIZE:
		return 1;
	}
	return 0;
}

/*
 * A lease as lease-get or a dump shows it: a known state; with watched
 * leases, a slot (from 1) exactly when watched, and a stale reason and
 * subrange only for a watched lease, within its range.
 */
static void fz_check_lease(struct fz_shared *sh, const struct pm_nl_lease *l)
{
	int watched = !!(l->flags & PINMGR_PIN_WATCH);

	if (l->state < PINMGR_LEASE_ACTIVE ||
	    l->state > (sh->watch ? PINMGR_LEASE_INVALIDATED :
			PINMGR_LEASE_REVOKED))
		FAIL("lease %llu in state %u", (unsigned long long)l->handle,
		     l->state);
	if (!sh->watch)
		return;
	if (watched != !!l->watch_slot ||
	    (!watched && (l->stale_reason || l->stale_length)) ||
	    (!l->stale_reason != !l->stale_length) ||
	    (l->stale_length && (l->stale_addr < l->addr ||
				 l->stale_addr + l->stale_length >
				 l->addr + l->length)))
		FAIL("lease %llu (0x%llx+%llu) with flags %u: slot %u, stale reason %u at 0x%llx+%llu",
		     (unsigned long long)l->handle,
		     (unsigned long long)l->addr,
		     (unsigned long long)l->length, l->flags, l->watch_slot,
		     l->stale_reason, (unsigned long long)l->stale_addr,
		     (unsigned long long)l->stale_length);
}

/*
 * Budgets: set, change and clear the budget of the test's own cgroup
 * (no process runs there, so no pin meets it) or of one that is not there,
 * and dump them all. Only an administrator changes one.
 */
#define FN_CGROUP	"pmt-fuzz"

static void fz_budget(struct pm_nl *nl, uint64_t *s, int admin)
{
	const char *path = rndn(s, 4) ? "/" FN_CGROUP : "/" FN_CGROUP "-none";
	struct pm_nl_budget *all;
	size_t nr, i;
	int r;

	switch (rndn(s, 3)) {
	case 0:
		r = pm_nl_budget_set(nl, path, rnd(s) >> rndn(s, 64),
				     (__u32)rndn(s, 2), NULL);
		break;
	case 1:
		r = pm_nl_budget_clear(nl, path);
		break;
	default:
		ASSERT_EQ(pm_nl_budgets(nl, &all, &nr), 0);
		for (i = 0; i < nr; i++)
			if (all[i].cgroup[0] != '/' || !all[i].cgroup_id ||
			    all[i].flags & ~PINMGR_BUDGET_SUFFICIENT)
				FAIL("budget-get: cgroup \"%s\" (ID %llu), flags 0x%x",
				     all[i].cgroup,
				     (unsigned long long)all[i].cgroup_id,
				     all[i].flags);
		free(all);
		return;
	}
	if (!admin)
		ASSERT_EQ(r, -EPERM);
	else if (r && r != -ENOENT)
		FAIL("budget request for %s: %s", path, strerror(-r));
	else if (r == -ENOENT && !strcmp(path, "/" FN_CGROUP) &&
		 !strcmp(pm_nl_last_error(nl)->msg, ""))
		FAIL("budget request for %s: ENOENT without a message", path);
}

/*
 * user-get of a random uid. An administrator is answered for any uid that
 * a process has (its own always) and gets ENOENT for the others; a user
 * is answered for its own (its fuzzer runs) and refused every other
 * (EPERM). (uid_t)-1 is no uid, for either.
 */
static void fz_user(struct pm_nl *nl, uint64_t *s, int admin)
{
	const __u32 known[] = { 0, PM_NOBODY, (__u32)getuid(), (__u32)-1 };
	struct pm_nl_lease l;
	__u32 uid;
	int r;

	switch (rndn(s, 3)) {
	case 0:
		uid = (__u32)rndn(s, 70000);
		break;
	case 1:
		uid = (__u32)rnd(s);
		break;
	default:
		uid = known[rndn(s, ARRAY_SIZE(known))];
		break;
	}
	memset(&l, 0, sizeof(l));
	r = pm_nl_user_get(nl, uid, &l);
	if (uid == (__u32)-1) {
		ASSERT_EQ(r, -EINVAL);
		return;
	}
	if (uid != getuid()) {
		if (!admin)
			ASSERT_EQ(r, -EPERM);
		if (!admin || r == -ENOENT)
			return;
	}
	if (r)
		FAIL("user-get of uid %u: %s", uid, strerror(-r));
	if (l.uid != uid || !PM_NL_HAS(&l, PINMGR_A_LOCKED_VM_PAGES))
		FAIL("user-get of uid %u answered uid %u, attributes 0x%llx",
		     uid, l.uid, (unsigned long long)l.present);
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

	switch (rndn(s, sh->budgets ? 6 : 5)) {
	case 5:
		fz_budget(nl, s, admin);
		break;
	case 4:
		fz_user(nl, s, admin);
		break;
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
		fz_check_lease(sh, &l);
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
			fz_check_lease(sh, &l);
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
		    r != -EKEYREVOKED && r != -ESTALE)
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
		} else if (nla->nla_type == PINMGR_A_UID && alen == 4 &&
			   rndn(s, 2)) {
			/* A uid that a process has, now and then. */
			__u32 v = rndn(s, 2) ? 0 : PM_NOBODY;

			memcpy((char *)nla + NLA_HDRLEN, &v, 4);
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
	int have_mon, r;
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

	/* Watched leases, and their notifications, where the driver has them. */
	sh->watch = pm_feature(PINMGR_FEATURE_WATCH);
	/* Budgets of a cgroup of its own, where there are cgroups. */
	sh->budgets = pm_feature(PINMGR_FEATURE_BUDGETS) &&
		      !access(PM_CGROUP_ROOT "/cgroup.controllers", F_OK);
	if (sh->budgets)
		pm_cgroup_make(FN_CGROUP);
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
	if (sh->watch)
		pm_diag("fuzz_netlink: the pinners discarded %lu pages under their leases",
			atomic_load(&sh->discards));
	if (sh->budgets) {
		nl = pm_nl_open();
		ASSERT_NE(nl, NULL);
		r = pm_nl_budget_clear(nl, "/" FN_CGROUP);
		ASSERT_TRUE(r == 0 || r == -ENOENT);
		pm_nl_close(nl);
		pm_cgroup_remove(FN_CGROUP);
	}
	free(sh);
}

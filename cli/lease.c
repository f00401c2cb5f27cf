// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinctl lease [ list | show | revoke ]: every lease on the device, through
 * the pinmgr generic netlink family. A lease's fields, their keys and how
 * each reads come from PINMGR_LEASE_FIELDS (pinmgr_tables.h).
 */
#define _GNU_SOURCE
#include <string.h>

#include "pinctl.h"

static void usage(FILE *f)
{
	fputs("usage: pinctl lease [ list [ pid PID ] [ uid UID ] [ comm COMM ] [ cookie N ]\n"
	      "                           [ state STATE ] ]\n"
	      "       pinctl lease show HANDLE\n"
	      "       pinctl lease revoke HANDLE [ now ]\n"
	      "       pinctl lease help\n"
	      "  STATE := { active | breaking | expired | revoked | stale | invalidated\n"
	      "             | held }\n"
	      "\n"
	      "list:   every lease visible to the caller (root sees all, others their\n"
	      "        own uid's), as columns; only those of the process PID, the uid\n"
	      "        UID, the thread name COMM, the cookie N, in the state STATE.\n"
	      "        The default command.\n"
	      "show:   one lease, every field.\n"
	      "revoke: take a lease back from its owner: a break of break_time_ms,\n"
	      "        or at once with \"now\"; needs CAP_SYS_ADMIN and CAP_NET_ADMIN.\n", f);
}

enum field_type { T_U64, T_U32, T_STR };

static const struct lease_field_desc {
	const char *key;
	enum out_kind kind;
	enum field_type type;
	size_t off;
} lease_fields[] = {
#define LEASE_FIELD(name, ATTR, type, kind, query)				\
	{ #name, K_##kind, T_##type, offsetof(struct pinctl_lease, name) },
	PINMGR_LEASE_FIELDS(LEASE_FIELD)
#undef LEASE_FIELD
};

/* The table's types are the library's: a mismatch does not compile. */
#define LEASE_FIELD_CHECK(name, ATTR, type, kind, query)			\
	_Static_assert(T_##type == T_STR ?					\
		       sizeof(((struct pinctl_lease *)0)->name) > 8 :		\
		       sizeof(((struct pinctl_lease *)0)->name) ==		\
		       (T_##type == T_U64 ? 8 : 4), #name);
PINMGR_LEASE_FIELDS(LEASE_FIELD_CHECK)
#undef LEASE_FIELD_CHECK

void out_lease(struct out *o, const struct pinctl_lease *l, uint64_t mask)
{
	const char *base = (const char *)l;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lease_fields); i++) {
		const struct lease_field_desc *d = &lease_fields[i];
		const void *p = base + d->off;
		uint64_t v = 0;

		if (!(mask & (1ULL << i)))
			continue;
		if (d->type == T_STR) {
			out_str(o, d->key, d->kind, p);
			continue;
		}
		if (d->type == T_U64)
			memcpy(&v, p, sizeof(uint64_t));
		else
			v = *(const uint32_t *)p;
		if (d->kind == K_STATE)
			out_str(o, d->key, K_STATE, pinctl_lease_state_name((uint32_t)v));
		else if (d->kind == K_REASON)
			out_enum(o, d->key, K_REASON, v,
				 pinctl_stale_reason_name((uint32_t)v));
		else
			out_num(o, d->key, d->kind, v);
	}
}

/* The words of "state", in the order of enum pinctl_lease_state from 1. */
static const char *const state_names[] = {
	"active", "breaking", "expired", "revoked", "stale", "invalidated", "held",
	NULL,
};

_Static_assert(ARRAY_SIZE(state_names) - 1 == PINCTL_LEASE_HELD,
	       "a word for every lease state");

struct list_state {
	struct out *o;
	uint32_t state;		/* 0: any */
};

static int list_one(const struct pinctl_lease *l, void *data)
{
	struct list_state *ls = data;

	/* As the comm filter: by pinctl, the kernel has none. */
	if (ls->state && l->state != ls->state)
		return 0;
	out_record_begin(ls->o);
	out_lease(ls->o, l, LF_ALL);
	out_record_end(ls->o);
	return 0;
}

struct list_args {
	uint32_t pid, uid;
	const char *comm;
	uint64_t cookie;
	unsigned int state;
};

static int lease_list(struct pinctl_cli *cli, int argc, char **argv)
{
	enum { PID, UID, COMM, COOKIE, STATE };
	static const struct kw kws[] = {
		[PID] = KW("pid", ARG_U32, struct list_args, pid),
		[UID] = KW("uid", ARG_U32, struct list_args, uid),
		[COMM] = KW("comm", ARG_STRING, struct list_args, comm),
		[COOKIE] = KW("cookie", ARG_COOKIE, struct list_args, cookie),
		[STATE] = KW("state", ARG_CHOICE, struct list_args, state,
			     .choices = state_names),
	};
	PINCTL_OPTS(pinctl_lease_filter, f);
	PINCTL_OPTS(pinctl_err_opts, eo, .op = PINCTL_OP_NETLINK);
	struct list_args a = { 0 };
	struct list_state ls = { 0 };
	uint32_t seen;
	struct out *o;
	int ret;

	ret = parse_args(kws, ARRAY_SIZE(kws), argc, argv, &a, &seen, usage);
	if (ret != ARGS_GO_ON)
		return ret;
	f.tgid = a.pid;
	f.uid = a.uid;
	f.comm = a.comm;
	f.cookie = a.cookie;
	if (seen & 1u << PID)
		f.flags |= PINCTL_FILTER_TGID;
	if (seen & 1u << UID)
		f.flags |= PINCTL_FILTER_UID;
	if (seen & 1u << COOKIE)
		f.flags |= PINCTL_FILTER_COOKIE;
	if (seen & 1u << STATE)
		ls.state = a.state + 1;
	o = out_new(cli, OUT_LIST);
	ls.o = o;
	ret = pinctl_nl_lease_dump(cli->ctx, &f, list_one, &ls);
	if (ret) {
		out_discard(o);
		return fail_op(NULL, ret, &eo, "listing leases");
	}
	return out_finish(o);
}

struct handle_args {
	uint64_t handle;
	bool now;
};

static const struct kw handle_kws[] = {
	KW(NULL, ARG_ID, struct handle_args, handle, .nonzero = true,
	   .what = "lease handle"),
	KW("now", ARG_FLAG, struct handle_args, now),
};

static int lease_show(struct pinctl_cli *cli, int argc, char **argv)
{
	PINCTL_OPTS(pinctl_lease, l);
	PINCTL_OPTS(pinctl_err_opts, eo, .op = PINCTL_OP_NETLINK);
	struct handle_args a = { 0 };
	uint32_t seen;
	struct out *o;
	int ret;

	/* Only the handle: "now" is revoke's. */
	ret = parse_args(handle_kws, 1, argc, argv, &a, &seen, usage);
	if (ret != ARGS_GO_ON)
		return ret;
	if (!(seen & 1))
		return usage_error(usage, "no lease handle given");
	eo.handle = a.handle;
	ret = pinctl_nl_lease_get(cli->ctx, a.handle, &l);
	if (ret)
		return fail_op(NULL, ret, &eo, NULL);
	o = out_new(cli, OUT_RECORD);
	out_record_begin(o);
	out_lease(o, &l, LF_ALL);
	out_record_end(o);
	return out_finish(o);
}

static int lease_revoke(struct pinctl_cli *cli, int argc, char **argv)
{
	PINCTL_OPTS(pinctl_revoke_opts, ro);
	PINCTL_OPTS(pinctl_err_opts, eo, .op = PINCTL_OP_REVOKE);
	struct handle_args a = { 0 };
	uint64_t deadline = 0;
	uint32_t seen;
	struct out *o;
	int ret;

	ret = parse_args(handle_kws, ARRAY_SIZE(handle_kws), argc, argv, &a,
			 &seen, usage);
	if (ret != ARGS_GO_ON)
		return ret;
	if (!(seen & 1))
		return usage_error(usage, "no lease handle given");
	if (a.now)
		ro.flags = PINCTL_REVOKE_NOW;
	eo.handle = a.handle;
	eo.flags = ro.flags;
	ret = pinctl_nl_revoke(cli->ctx, a.handle, &ro, &deadline);
	if (ret)
		return fail_op(NULL, ret, &eo, NULL);
	o = out_new(cli, OUT_RECORD);
	out_record_begin(o);
	out_num(o, "handle", K_ID, a.handle);
	out_str(o, "revoked", K_WORD, a.now ? "now" : "break");
	out_num(o, "deadline_ns", K_TIME, deadline);
	out_record_end(o);
	return out_finish(o);
}

static const struct cmd lease_cmds[] = {
	{ .name = "list", .fn = lease_list },
	{ .name = "show", .fn = lease_show },
	{ .name = "revoke", .fn = lease_revoke },
	{ .name = NULL, .fn = lease_list },	/* "pinctl lease" lists */
};

const struct object lease_object = { "lease", lease_cmds, usage, false };

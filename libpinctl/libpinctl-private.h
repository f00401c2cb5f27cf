/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libpinctl internals shared by its files. Nothing here is exported: the
 * library is built with -fvisibility=hidden and only PINCTL_API names of
 * libpinctl.h are visible.
 */
#ifndef LIBPINCTL_PRIVATE_H
#define LIBPINCTL_PRIVATE_H

#include <errno.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <syslog.h>

#include "libpinctl.h"

#ifndef offsetofend
#define offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)	((a) < (b) ? (a) : (b))

struct pinctl_ctx {
	atomic_int refcount;
	pinctl_log_fn log_fn;
	void *log_data;
	int log_priority;
	void *userdata;
	char *device_path;
};

void pinctl_log(const struct pinctl_ctx *ctx, int priority, const char *file,
		int line, const char *fn, const char *format, ...)
	__attribute__((format(printf, 6, 7)));

#define pinctl_log_cond(ctx, prio, ...)					\
	do {								\
		if ((ctx) && (ctx)->log_fn && (prio) <= (ctx)->log_priority) \
			pinctl_log((ctx), (prio), __FILE__, __LINE__,	\
				   __func__, __VA_ARGS__);		\
	} while (0)

#define dbg(ctx, ...)	pinctl_log_cond(ctx, LOG_DEBUG, __VA_ARGS__)
#define info(ctx, ...)	pinctl_log_cond(ctx, LOG_INFO, __VA_ARGS__)
#define err(ctx, ...)	pinctl_log_cond(ctx, LOG_ERR, __VA_ARGS__)

/*
 * Options of the caller's (const, may be NULL): copy what both sides know
 * into @dst (zeroed first, @known bytes), refusing a size smaller than the
 * size field (-EINVAL) and unknown non-zero tail bytes (-E2BIG).
 */
int pinctl_opts_get(void *dst, size_t known, const void *src);
#define OPTS_GET(dst, src)	pinctl_opts_get(&(dst), sizeof(dst), (src))

/*
 * Results for the caller: @out must be non-NULL with a size of at least the
 * size field (-EINVAL); pinctl_out_put() copies min(out->sz, known) bytes
 * of @src (whose sz is ignored) and zeroes the caller's tail beyond them.
 */
int pinctl_out_check(const void *out);
void pinctl_out_put(void *out, const void *src, size_t known);
#define OUT_PUT(out, src)	pinctl_out_put((out), &(src), sizeof(src))

/* The context a device object was opened with (for its log). */
struct pinctl_ctx *pinctl_dev_ctx(const struct pinctl_dev *dev);

/* The device's leases through netlink, the module through libkmod. */
int pinctl_module_param_u64(struct pinctl_ctx *ctx, const char *name,
			    uint64_t *val);

/* libnl's own failures (not the kernel's) in errno terms (netlink.c). */
int pinctl_nle_errno(int nle);

/* A user's locked_vm, asked for by pinctl_nl_users_locked_vm(). */
struct pinctl_user_locked {
	uint32_t uid;		/* a real uid, in the caller's user namespace */
	int err;		/* 0, or why pages is not known */
	uint64_t pages;
};

/*
 * The pages charged to the locked_vm of each of the @n @users by every
 * charger: io_uring, iommufd, BPF, the network stack and pinmgr. Through
 * the family's user-get (netlink.c), on one connection.
 *
 * Each user's err: 0 with its pages; -ENOENT when no live process has
 * its uid as its real uid; -EPERM for another user's uid without
 * CAP_SYS_ADMIN; -EINVAL for a uid not mapped in the caller's user
 * namespace; or another negative errno.
 *
 * Return: 0 when each user has its answer; otherwise (each user's err
 * says the same) -ENODEV when the family is not registered (module not
 * loaded), -EOPNOTSUPP from a module without user-get, -ENOMEM, or
 * another negative errno.
 */
int pinctl_nl_users_locked_vm(struct pinctl_ctx *ctx,
			      struct pinctl_user_locked *users, size_t n);

/* One process's RDMA memory regions (rdma.c). */
struct pinctl_rdma_use {
	uint32_t pid;
	uint32_t mrs;
	uint64_t bytes;
};

/*
 * The user memory regions of every RDMA device the caller's namespaces
 * see, each rounded up to whole pages of @page_size, summed per process
 * (the tgid of the thread that registered it) and sorted by pid, into a
 * malloc()ed array *@v of *@nr. *@has says whether the RDMA core answered:
 * without it (no RDMA on the machine) there are none and that is no error.
 */
int pinctl_rdma_mrs(struct pinctl_ctx *ctx, uint64_t page_size,
		    struct pinctl_rdma_use **v, size_t *nr, bool *has);

#endif /* LIBPINCTL_PRIVATE_H */

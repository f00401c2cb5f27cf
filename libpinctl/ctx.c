// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The library context: log function, log priority, user data, and where the
 * device node is. Options and result structures are checked here too.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "libpinctl-private.h"

#define PINCTL_DEFAULT_DEVICE	"/dev/pinmgr"

void pinctl_log(const struct pinctl_ctx *ctx, int priority, const char *file,
		int line, const char *fn, const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	ctx->log_fn(ctx->log_data, priority, file, line, fn, format, ap);
	va_end(ap);
}

int pinctl_opts_get(void *dst, size_t known, const void *src)
{
	const unsigned char *p = src;
	size_t sz, i;

	memset(dst, 0, known);
	if (!src) {
		*(size_t *)dst = known;
		return 0;
	}
	sz = *(const size_t *)src;
	if (sz < sizeof(size_t))
		return -EINVAL;
	for (i = known; i < sz; i++)
		if (p[i])
			return -E2BIG;
	memcpy(dst, src, MIN(sz, known));
	*(size_t *)dst = known;
	return 0;
}

int pinctl_out_check(const void *out)
{
	if (!out || *(const size_t *)out < sizeof(size_t))
		return -EINVAL;
	return 0;
}

void pinctl_out_put(void *out, const void *src, size_t known)
{
	size_t sz = *(size_t *)out;

	memcpy((char *)out + sizeof(size_t), (const char *)src + sizeof(size_t),
	       MIN(sz, known) - sizeof(size_t));
	if (sz > known)
		memset((char *)out + known, 0, sz - known);
}

static int log_priority_from_env(const char *s)
{
	char *end;
	long v;

	if (!s || !*s)
		return LOG_ERR;
	v = strtol(s, &end, 10);
	if (*end == '\0' && v >= 0 && v <= LOG_DEBUG)
		return (int)v;
	if (!strncasecmp(s, "err", 3))
		return LOG_ERR;
	if (!strncasecmp(s, "info", 4))
		return LOG_INFO;
	if (!strncasecmp(s, "debug", 5))
		return LOG_DEBUG;
	return LOG_ERR;
}

PINCTL_API int pinctl_new(const struct pinctl_opts *opts,
			  struct pinctl_ctx **ctxp)
{
	struct pinctl_opts o;
	struct pinctl_ctx *ctx;
	int ret;

	if (!ctxp)
		return -EINVAL;
	ret = OPTS_GET(o, opts);
	if (ret)
		return ret;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->device_path = strdup(o.device_path ? o.device_path
						: PINCTL_DEFAULT_DEVICE);
	if (!ctx->device_path) {
		free(ctx);
		return -ENOMEM;
	}
	atomic_init(&ctx->refcount, 1);
	ctx->log_priority = log_priority_from_env(secure_getenv("PINCTL_LOG"));
	*ctxp = ctx;
	return 0;
}

PINCTL_API struct pinctl_ctx *pinctl_ref(struct pinctl_ctx *ctx)
{
	if (ctx)
		atomic_fetch_add(&ctx->refcount, 1);
	return ctx;
}

PINCTL_API struct pinctl_ctx *pinctl_unref(struct pinctl_ctx *ctx)
{
	if (!ctx || atomic_fetch_sub(&ctx->refcount, 1) != 1)
		return NULL;
	free(ctx->device_path);
	free(ctx);
	return NULL;
}

PINCTL_API void pinctl_set_log_fn(struct pinctl_ctx *ctx, pinctl_log_fn fn,
				  void *data)
{
	ctx->log_fn = fn;
	ctx->log_data = data;
}

PINCTL_API int pinctl_get_log_priority(const struct pinctl_ctx *ctx)
{
	return ctx->log_priority;
}

PINCTL_API void pinctl_set_log_priority(struct pinctl_ctx *ctx, int priority)
{
	ctx->log_priority = priority;
}

PINCTL_API void *pinctl_get_userdata(const struct pinctl_ctx *ctx)
{
	return ctx->userdata;
}

PINCTL_API void pinctl_set_userdata(struct pinctl_ctx *ctx, void *data)
{
	ctx->userdata = data;
}

PINCTL_API const char *pinctl_lease_state_name(uint32_t state)
{
	static const char *const names[] = {
		[PINCTL_LEASE_ACTIVE] = "active",
		[PINCTL_LEASE_BREAKING] = "breaking",
		[PINCTL_LEASE_EXPIRED] = "expired",
		[PINCTL_LEASE_REVOKED] = "revoked",
		[PINCTL_LEASE_STALE] = "stale",
		[PINCTL_LEASE_INVALIDATED] = "invalidated",
		[PINCTL_LEASE_HELD] = "held",
	};

	if (state < ARRAY_SIZE(names) && names[state])
		return names[state];
	return "unknown";
}

PINCTL_API const char *pinctl_stale_reason_name(uint32_t reason)
{
	static const char *const names[] = {
		[0] = "none",
		[PINCTL_STALE_UNMAP] = "unmap",
		[PINCTL_STALE_DISCARD] = "discard",
		[PINCTL_STALE_EXIT] = "exit",
	};

	if (reason < ARRAY_SIZE(names) && names[reason])
		return names[reason];
	return "unknown";
}

PINCTL_API const char *pinctl_ntf_name(uint32_t type)
{
	static const char *const names[] = {
		[PINCTL_NTF_PINNED] = "pinned",
		[PINCTL_NTF_UNPINNED] = "unpinned",
		[PINCTL_NTF_EXPIRED] = "expired",
		[PINCTL_NTF_BREAKING] = "breaking",
		[PINCTL_NTF_REVOKED] = "revoked",
		[PINCTL_NTF_STALE] = "stale",
		[PINCTL_NTF_BUDGET_HIT] = "budget-hit",
	};

	if (type < ARRAY_SIZE(names) && names[type])
		return names[type];
	return "unknown";
}

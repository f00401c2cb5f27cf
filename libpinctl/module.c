// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The pinmgr module through libkmod: state, users, parameters, load and
 * unload. A kmod context is made per call (cheap next to loading a module)
 * so that every call is thread-safe, and its log goes to ours.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libkmod.h>

#include "libpinctl-private.h"

#define MODULE_NAME	"pinmgr"
#define SYSFS_MODULE	"/sys/module/" MODULE_NAME

static void kmod_log_forward(void *data, int priority, const char *file,
			     int line, const char *fn, const char *format,
			     va_list args)
{
	const struct pinctl_ctx *ctx = data;

	if (ctx->log_fn && priority <= ctx->log_priority)
		ctx->log_fn(ctx->log_data, priority, file, line, fn, format, args);
}

static int kmod_open(struct pinctl_ctx *ctx, struct kmod_ctx **kctxp)
{
	struct kmod_ctx *kctx = kmod_new(NULL, NULL);

	if (!kctx)
		return -ENOMEM;
	/* libkmod prints to stderr by default: never let it. */
	kmod_set_log_fn(kctx, kmod_log_forward, ctx);
	kmod_set_log_priority(kctx, ctx->log_priority);
	*kctxp = kctx;
	return 0;
}

/* Read a small sysfs file of the module, without its newline. */
static int read_sysfs(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n == size)
		ret = -ERANGE;
	else
		buf[n] = '\0';
	close(fd);
	if (ret)
		return ret;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int param_path(char *path, size_t size, const char *name)
{
	if (!name || !*name || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return -EINVAL;
	if ((size_t)snprintf(path, size, SYSFS_MODULE "/parameters/%s", name) >= size)
		return -ENAMETOOLONG;
	return 0;
}

PINCTL_API int pinctl_module_param_get(struct pinctl_ctx *ctx, const char *name,
				       char *buf, size_t size)
{
	char path[256];
	int ret;

	(void)ctx;
	if (!buf || !size)
		return -EINVAL;
	ret = param_path(path, sizeof(path), name);
	if (ret)
		return ret;
	return read_sysfs(path, buf, size);
}

PINCTL_API int pinctl_module_param_set(struct pinctl_ctx *ctx, const char *name,
				       const char *value)
{
	char path[256];
	size_t len;
	int fd, ret;

	if (!value)
		return -EINVAL;
	ret = param_path(path, sizeof(path), name);
	if (ret)
		return ret;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = strlen(value);
	ret = write(fd, value, len) == (ssize_t)len ? 0 : -errno;
	close(fd);
	if (ret)
		dbg(ctx, "%s=%s: %s\n", name, value, strerror(-ret));
	return ret;
}

int pinctl_module_param_u64(struct pinctl_ctx *ctx, const char *name,
			    uint64_t *val)
{
	char buf[32], *end;
	int ret;

	ret = pinctl_module_param_get(ctx, name, buf, sizeof(buf));
	if (ret)
		return ret;
	errno = 0;
	*val = strtoull(buf, &end, 10);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

PINCTL_API int pinctl_module_status(struct pinctl_ctx *ctx,
				    struct pinctl_module_status *st)
{
	struct pinctl_module_status s = { .sz = sizeof(s) };
	struct kmod_list *list = NULL, *it;
	struct kmod_module *mod;
	struct kmod_ctx *kctx;
	int ret, state;
	long size;

	ret = pinctl_out_check(st);
	if (ret)
		return ret;
	ret = kmod_open(ctx, &kctx);
	if (ret)
		return ret;
	ret = kmod_module_new_from_name(kctx, MODULE_NAME, &mod);
	if (ret < 0)
		goto out_kmod;
	state = kmod_module_get_initstate(mod);
	switch (state) {
	case KMOD_MODULE_LIVE:
		s.state = PINCTL_MODULE_LIVE;
		break;
	case KMOD_MODULE_COMING:
		s.state = PINCTL_MODULE_COMING;
		break;
	case KMOD_MODULE_GOING:
		s.state = PINCTL_MODULE_GOING;
		break;
	case KMOD_MODULE_BUILTIN:
		s.state = PINCTL_MODULE_BUILTIN;
		break;
	default:
		s.state = PINCTL_MODULE_ABSENT;
	}
	s.refcount = -1;
	if (s.state != PINCTL_MODULE_ABSENT && s.state != PINCTL_MODULE_BUILTIN) {
		s.refcount = kmod_module_get_refcnt(mod);
		if (s.refcount < 0)
			s.refcount = -1;
		size = kmod_module_get_size(mod);
		s.size = size > 0 ? (uint64_t)size : 0;
	}
	kmod_module_unref(mod);

	s.max_lease_pages = s.max_leases = s.max_device_pages = UINT64_MAX;
	s.break_time_ms = s.max_events = UINT64_MAX;
	if (s.state != PINCTL_MODULE_ABSENT) {
		pinctl_module_param_u64(ctx, "max_lease_pages", &s.max_lease_pages);
		pinctl_module_param_u64(ctx, "max_leases", &s.max_leases);
		pinctl_module_param_u64(ctx, "max_device_pages", &s.max_device_pages);
		pinctl_module_param_u64(ctx, "break_time_ms", &s.break_time_ms);
		pinctl_module_param_u64(ctx, "max_events", &s.max_events);
		read_sysfs(SYSFS_MODULE "/srcversion", s.srcversion,
			   sizeof(s.srcversion));
	}

	/* Where loading by name would find it. */
	if (kmod_module_new_from_lookup(kctx, MODULE_NAME, &list) >= 0) {
		kmod_list_foreach(it, list) {
			const char *path;

			mod = kmod_module_get_module(it);
			path = kmod_module_get_path(mod);
			if (path && !s.path[0])
				snprintf(s.path, sizeof(s.path), "%s", path);
			kmod_module_unref(mod);
		}
		kmod_module_unref_list(list);
	}
	ret = 0;
	OUT_PUT(st, s);
out_kmod:
	kmod_unref(kctx);
	return ret;
}

PINCTL_API int pinctl_module_load(struct pinctl_ctx *ctx,
				  const struct pinctl_module_load_opts *opts)
{
	struct pinctl_module_load_opts o;
	struct kmod_list *list = NULL;
	struct kmod_module *mod = NULL;
	struct kmod_ctx *kctx;
	int ret;

	ret = OPTS_GET(o, opts);
	if (ret)
		return ret;
	ret = kmod_open(ctx, &kctx);
	if (ret)
		return ret;
	if (o.path) {
		ret = kmod_module_new_from_path(kctx, o.path, &mod);
		if (ret < 0)
			goto out_kmod;
		if (kmod_module_get_initstate(mod) >= 0) {
			ret = -EEXIST;
		} else {
			ret = kmod_module_insert_module(mod, 0, o.params);
		}
		info(ctx, "insert %s: %s\n", o.path, ret ? strerror(-ret) : "done");
		kmod_module_unref(mod);
		goto out_kmod;
	}

	ret = kmod_module_new_from_lookup(kctx, MODULE_NAME, &list);
	if (ret < 0)
		goto out_kmod;
	if (!list) {
		ret = -ENOENT;
		goto out_kmod;
	}
	mod = kmod_module_get_module(list);
	kmod_module_unref_list(list);
	if (!kmod_module_get_path(mod)) {
		/* Known to kmod (an alias or an option) but not installed. */
		ret = -ENOENT;
	} else {
		ret = kmod_module_probe_insert_module(mod, KMOD_PROBE_FAIL_ON_LOADED,
						      o.params, NULL, NULL, NULL);
		/* > 0: refused by a blacklist. */
		if (ret > 0)
			ret = -EPERM;
	}
	info(ctx, "load %s: %s\n", MODULE_NAME, ret ? strerror(-ret) : "done");
	kmod_module_unref(mod);
out_kmod:
	kmod_unref(kctx);
	return ret;
}

PINCTL_API int pinctl_module_unload(struct pinctl_ctx *ctx,
				    const struct pinctl_module_unload_opts *opts)
{
	struct pinctl_module_unload_opts o;
	struct kmod_module *mod;
	struct kmod_ctx *kctx;
	int ret, state;

	ret = OPTS_GET(o, opts);
	if (ret)
		return ret;
	if (o.flags)
		return -EOPNOTSUPP;
	ret = kmod_open(ctx, &kctx);
	if (ret)
		return ret;
	ret = kmod_module_new_from_name(kctx, MODULE_NAME, &mod);
	if (ret < 0)
		goto out_kmod;
	state = kmod_module_get_initstate(mod);
	if (state < 0) {
		ret = -ENOENT;
	} else if (state == KMOD_MODULE_BUILTIN) {
		ret = -EPERM;
	} else {
		ret = kmod_module_remove_module(mod, KMOD_REMOVE_NOLOG);
		/* delete_module(O_NONBLOCK) says "would block" for "in use". */
		if (ret == -EAGAIN)
			ret = -EBUSY;
	}
	info(ctx, "unload %s: %s\n", MODULE_NAME, ret ? strerror(-ret) : "done");
	kmod_module_unref(mod);
out_kmod:
	kmod_unref(kctx);
	return ret;
}

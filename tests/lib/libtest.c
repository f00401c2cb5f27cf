// SPDX-License-Identifier: GPL-2.0-only
/* Helpers of the libpinctl and pinctl tests; see libtest.h. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libtest.h"

static char lt_log[8192];
static size_t lt_log_len;

static void lt_log_fn(void *data, int priority, const char *file, int line,
		      const char *fn, const char *format, va_list args)
{
	int n;

	(void)data;
	(void)file;
	(void)line;
	(void)fn;
	if (lt_log_len >= sizeof(lt_log) - 1)
		return;
	n = snprintf(lt_log + lt_log_len, sizeof(lt_log) - lt_log_len, "<%d>",
		     priority);
	if (n > 0)
		lt_log_len += (size_t)n;
	if (lt_log_len >= sizeof(lt_log) - 1)
		return;
	n = vsnprintf(lt_log + lt_log_len, sizeof(lt_log) - lt_log_len, format, args);
	if (n > 0)
		lt_log_len += (size_t)n;
	if (lt_log_len > sizeof(lt_log) - 1)
		lt_log_len = sizeof(lt_log) - 1;
}

const char *lt_log_text(void)
{
	return lt_log;
}

void lt_log_clear(void)
{
	lt_log_len = 0;
	lt_log[0] = '\0';
}

struct pinctl_ctx *lt_ctx(void)
{
	return lt_ctx_path(NULL);
}

struct pinctl_ctx *lt_ctx_path(const char *device_path)
{
	PINCTL_OPTS(pinctl_opts, o, .device_path = device_path);
	struct pinctl_ctx *ctx = NULL;

	ASSERT_EQ(pinctl_new(&o, &ctx), 0);
	ASSERT_NE(ctx, NULL);
	pinctl_set_log_fn(ctx, lt_log_fn, NULL);
	pinctl_set_log_priority(ctx, 7);
	return ctx;
}

struct pinctl_dev *lt_dev(struct pinctl_ctx *ctx)
{
	struct pinctl_dev *dev = NULL;

	ASSERT_EQ(pinctl_dev_open(ctx, NULL, &dev), 0);
	ASSERT_NE(dev, NULL);
	return dev;
}

bool lt_have_netlink(void)
{
	PINCTL_OPTS(pinctl_stats, s);
	struct pinctl_ctx *ctx = NULL;
	int ret;

	if (pinctl_new(NULL, &ctx))
		return false;
	ret = pinctl_nl_stats(ctx, &s);
	pinctl_unref(ctx);
	return ret != -ENOENT;
}

void lt_need_watch(struct pinctl_dev *dev)
{
	PINCTL_OPTS(pinctl_pin_opts, po, .flags = PINCTL_PIN_WATCH);
	size_t page = pm_page_size();
	struct pinctl_cache *cache = NULL;
	void *buf;
	uint64_t h;

	if (pm_feature(PINCTL_FEATURE_WATCH))
		return;
	buf = pm_map_anon(page);
	ASSERT_NE(buf, NULL);
	ASSERT_RET(pinctl_pin(dev, buf, page, &po, &h), -EOPNOTSUPP);
	ASSERT_RET(pinctl_cache_new(dev, NULL, &cache), -EOPNOTSUPP);
	ASSERT_EQ(cache, NULL);
	pm_unmap(buf, page);
	pm_skip_feature(PINCTL_FEATURE_WATCH, "watched leases (PINCTL_FEATURE_WATCH)");
}

const char *lt_strerror(struct pinctl_dev *dev, int err, uint32_t op,
			uint32_t flags, uint64_t addr, uint64_t length,
			uint64_t handle)
{
	static char buf[512];
	PINCTL_OPTS(pinctl_err_opts, eo, .op = op, .flags = flags, .addr = addr,
		    .length = length, .handle = handle);

	ASSERT_EQ(pinctl_strerror(dev, err, &eo, buf, sizeof(buf)), 0);
	pm_diag("%s: %s", strerror(err < 0 ? -err : err), buf);
	return buf;
}

const char *lt_bindir(void)
{
	static char dir[PATH_MAX];
	ssize_t n;
	char *slash;

	if (dir[0])
		return dir;
	n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	ASSERT_GT(n, 0);
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	ASSERT_NE(slash, NULL);
	*slash = '\0';
	return dir;
}

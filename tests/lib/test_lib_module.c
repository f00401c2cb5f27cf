// SPDX-License-Identifier: GPL-2.0-only
/*
 * libpinctl: the module through libkmod: status, parameters, unload and
 * load, from a file and by name from /lib/modules/$(uname -r), set up here
 * as a machine's packages (DKMS, make install) and depmod would.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "libtest.h"

static const char *module_file(void)
{
	const char *ko = getenv("PINMGR_KO");

	if (!ko)
		ko = "/pinmgr/pinmgr.ko";
	if (access(ko, R_OK))
		SKIP("no module file at %s (set PINMGR_KO)", ko);
	return ko;
}

/* What the shipped udev rule does after a load. */
static void device_for_all(void)
{
	ASSERT_EQ(chmod("/dev/pinmgr", 0666), 0);
}

TEST(lib_module_status)
{
	struct pinctl_ctx *ctx = lt_ctx();
	PINCTL_OPTS(pinctl_module_status, st);
	PINCTL_OPTS(pinctl_module_status, st2);
	struct pinctl_dev *dev;
	unsigned long long v;

	ASSERT_RET(pinctl_module_status(ctx, &st), 0);
	ASSERT_EQ(st.state, PINCTL_MODULE_LIVE);
	ASSERT_GE(st.refcount, 0);
	ASSERT_GT(st.size, 0);
	/* srcversion is there only with MODULE_VERSION or MODULE_SRCVERSION_ALL. */
	if (!access("/sys/module/pinmgr/srcversion", F_OK))
		ASSERT_GT(strlen(st.srcversion), 0);
	ASSERT_EQ(pm_param_read("max_lease_pages", &v), 0);
	ASSERT_EQ(st.max_lease_pages, v);
	ASSERT_EQ(pm_param_read("max_leases", &v), 0);
	ASSERT_EQ(st.max_leases, v);
	ASSERT_EQ(pm_param_read("max_device_pages", &v), 0);
	ASSERT_EQ(st.max_device_pages, v);
	ASSERT_EQ(pm_param_read("break_time_ms", &v), 0);
	ASSERT_EQ(st.break_time_ms, v);
	ASSERT_EQ(pm_param_read("max_events", &v), 0);
	ASSERT_EQ(st.max_events, v);
	/* Every open file holds the module. */
	dev = lt_dev(ctx);
	ASSERT_RET(pinctl_module_status(ctx, &st2), 0);
	ASSERT_EQ(st2.refcount, st.refcount + 1);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

TEST(lib_module_params)
{
	struct pinctl_ctx *ctx = lt_ctx();
	char buf[32];

	ASSERT_RET(pinctl_module_param_set(ctx, "break_time_ms", "1234"), 0);
	ASSERT_RET(pinctl_module_param_get(ctx, "break_time_ms", buf, sizeof(buf)), 0);
	ASSERT_EQ(strcmp(buf, "1234"), 0);
	ASSERT_RET(pinctl_module_param_get(ctx, "break_time_ms", buf, 3), -ERANGE);
	ASSERT_RET(pinctl_module_param_get(ctx, "no_such_param", buf, sizeof(buf)), -ENOENT);
	ASSERT_RET(pinctl_module_param_get(ctx, "../srcversion", buf, sizeof(buf)), -EINVAL);
	ASSERT_RET(pinctl_module_param_set(ctx, "max_leases", "many"), -EINVAL);
	pinctl_unref(ctx);
}

TEST(lib_module_unload_busy)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);

	ASSERT_RET(pinctl_module_unload(ctx, NULL), -EBUSY);
	ASSERT_CONTAINS(lt_strerror(NULL, -EBUSY, PINCTL_OP_MODULE_UNLOAD, 0, 0, 0, 0),
			"in use");
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

TEST(lib_module_unload_load_path)
{
	struct pinctl_ctx *ctx = lt_ctx();
	PINCTL_OPTS(pinctl_module_load_opts, lo, .path = module_file(),
		    .params = "max_leases=77");
	PINCTL_OPTS(pinctl_module_unload_opts, uo, .flags = 1);
	PINCTL_OPTS(pinctl_module_status, st);
	struct pinctl_dev *dev;

	ASSERT_RET(pinctl_module_unload(ctx, &uo), -EOPNOTSUPP);
	ASSERT_RET(pinctl_module_unload(ctx, NULL), 0);
	ASSERT_RET(pinctl_module_status(ctx, &st), 0);
	ASSERT_EQ(st.state, PINCTL_MODULE_ABSENT);
	ASSERT_RET(pinctl_module_unload(ctx, NULL), -ENOENT);
	ASSERT_RET(pinctl_dev_open(ctx, NULL, &dev), -ENOENT);

	ASSERT_RET(pinctl_module_load(ctx, &lo), 0);
	device_for_all();
	ASSERT_RET(pinctl_module_status(ctx, &st), 0);
	ASSERT_EQ(st.state, PINCTL_MODULE_LIVE);
	ASSERT_EQ(st.max_leases, 77);
	ASSERT_RET(pinctl_module_load(ctx, &lo), -EEXIST);
	ASSERT_RET(pinctl_module_param_set(ctx, "max_leases", "65536"), 0);
	pinctl_unref(ctx);
}

/* By name, as modprobe: from an indexed /lib/modules/$(uname -r). */
TEST(lib_module_load_by_name)
{
	struct pinctl_ctx *ctx = lt_ctx();
	PINCTL_OPTS(pinctl_module_status, st);
	char dir[256], cmd[4096], want[300];
	struct utsname u;
	const char *ko = module_file();

	ASSERT_EQ(uname(&u), 0);
	snprintf(dir, sizeof(dir), "/lib/modules/%s", u.release);
	snprintf(cmd, sizeof(cmd), "%s/../libexec/depmod", lt_bindir());
	if (access(cmd, X_OK))
		SKIP("no kmod depmod at %s", cmd);
	ASSERT_RET(pinctl_module_unload(ctx, NULL), 0);
	/* Not installed: ENOENT, in words that say what to do. */
	if (access(dir, F_OK)) {
		ASSERT_RET(pinctl_module_load(ctx, NULL), -ENOENT);
		ASSERT_CONTAINS(lt_strerror(NULL, -ENOENT, PINCTL_OP_MODULE_LOAD, 0,
					    0, 0, 0), "run depmod");
	}
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s/extra && cp %s %s/extra/pinmgr.ko && "
		 "touch %s/modules.order %s/modules.builtin %s/modules.builtin.modinfo && "
		 "%s/../libexec/depmod -a %s",
		 dir, ko, dir, dir, dir, dir, lt_bindir(), u.release);
	ASSERT_EQ(system(cmd), 0);
	ASSERT_RET(pinctl_module_load(ctx, NULL), 0);
	device_for_all();
	ASSERT_RET(pinctl_module_status(ctx, &st), 0);
	ASSERT_EQ(st.state, PINCTL_MODULE_LIVE);
	snprintf(want, sizeof(want), "%s/extra/pinmgr.ko", dir);
	ASSERT_EQ(strcmp(st.path, want), 0);
	ASSERT_RET(pinctl_module_load(ctx, NULL), -EEXIST);
	pinctl_unref(ctx);
}

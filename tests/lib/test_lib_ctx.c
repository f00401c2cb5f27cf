// SPDX-License-Identifier: GPL-2.0-only
/*
 * libpinctl: the context, reference counts, the log callback, and how
 * options and result structures of other sizes are taken.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libtest.h"

TEST(lib_ctx_new_ref_unref)
{
	struct pinctl_ctx *ctx = NULL;
	int x;

	ASSERT_RET(pinctl_new(NULL, &ctx), 0);
	ASSERT_EQ(pinctl_ref(ctx), ctx);
	ASSERT_EQ(pinctl_unref(ctx), NULL);
	/* Still alive: one reference left. */
	pinctl_set_userdata(ctx, &x);
	ASSERT_EQ(pinctl_get_userdata(ctx), &x);
	ASSERT_EQ(pinctl_unref(ctx), NULL);
	ASSERT_EQ(pinctl_ref(NULL), NULL);
	ASSERT_EQ(pinctl_unref(NULL), NULL);
	ASSERT_RET(pinctl_new(NULL, NULL), -EINVAL);
}

TEST(lib_ctx_log_priority_from_env)
{
	struct pinctl_ctx *ctx;

	unsetenv("PINCTL_LOG");
	ASSERT_RET(pinctl_new(NULL, &ctx), 0);
	ASSERT_EQ(pinctl_get_log_priority(ctx), 3);
	pinctl_set_log_priority(ctx, 6);
	ASSERT_EQ(pinctl_get_log_priority(ctx), 6);
	pinctl_unref(ctx);
	setenv("PINCTL_LOG", "debug", 1);
	ASSERT_RET(pinctl_new(NULL, &ctx), 0);
	ASSERT_EQ(pinctl_get_log_priority(ctx), 7);
	pinctl_unref(ctx);
	setenv("PINCTL_LOG", "6", 1);
	ASSERT_RET(pinctl_new(NULL, &ctx), 0);
	ASSERT_EQ(pinctl_get_log_priority(ctx), 6);
	pinctl_unref(ctx);
}

/* Options: a shorter struct is taken, a longer one only with a zero tail. */
TEST(lib_opts_sizes)
{
	struct {
		struct pinctl_opts o;
		char tail[16];
	} big;
	struct pinctl_ctx *ctx;

	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	ASSERT_RET(pinctl_new(&big.o, &ctx), 0);
	pinctl_unref(ctx);
	big.tail[3] = 1;
	ASSERT_RET(pinctl_new(&big.o, &ctx), -E2BIG);
	big.o.sz = 4;
	ASSERT_RET(pinctl_new(&big.o, &ctx), -EINVAL);
	/* The first field only: the defaults for the rest. */
	big.o.sz = sizeof(size_t);
	big.o.device_path = "/nonexistent";
	ASSERT_RET(pinctl_new(&big.o, &ctx), 0);
	pinctl_unref(ctx);
}

/* Results: filled up to the caller's size, the tail beyond zeroed. */
TEST(lib_result_sizes)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	struct {
		struct pinctl_info i;
		char tail[24];
	} big;
	struct pinctl_info small;

	memset(&big, 0xaa, sizeof(big));
	big.i.sz = sizeof(big);
	ASSERT_RET(pinctl_dev_info(dev, &big.i), 0);
	ASSERT_EQ(big.i.sz, sizeof(big));
	ASSERT_GT(big.i.page_size, 0);
	ASSERT_ALL_BYTES(big.tail, sizeof(big.tail), 0);

	/* A caller that knows only up to page_size. */
	memset(&small, 0xaa, sizeof(small));
	small.sz = offsetofend(struct pinctl_info, page_size);
	ASSERT_RET(pinctl_dev_info(dev, &small), 0);
	ASSERT_EQ(small.page_size, pm_page_size());
	ASSERT_EQ(small.features, 0xaaaaaaaaaaaaaaaaULL);

	small.sz = 2;
	ASSERT_RET(pinctl_dev_info(dev, &small), -EINVAL);
	ASSERT_RET(pinctl_dev_info(dev, NULL), -EINVAL);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

/* The library never writes to stderr: failures go to the log callback. */
TEST(lib_silent_without_log_fn)
{
	PINCTL_OPTS(pinctl_opts, o, .device_path = "/nonexistent/pinmgr");
	PINCTL_OPTS(pinctl_stats, st);
	PINCTL_OPTS(pinctl_module_status, ms);
	PINCTL_OPTS(pinctl_module_load_opts, lo, .path = "/nonexistent.ko");
	struct pinctl_ctx *ctx;
	struct pinctl_dev *dev;
	char path[] = "/tmp/lib-stderr-XXXXXX";
	int fd, saved;
	off_t size;

	fd = mkstemp(path);
	ASSERT_GE(fd, 0);
	saved = dup(2);
	ASSERT_GE(saved, 0);
	ASSERT_EQ(dup2(fd, 2), 2);

	setenv("PINCTL_LOG", "debug", 1);
	ASSERT_RET(pinctl_new(&o, &ctx), 0);
	ASSERT_RET(pinctl_dev_open(ctx, NULL, &dev), -ENOENT);
	pinctl_nl_stats(ctx, &st);
	pinctl_module_status(ctx, &ms);
	ASSERT_NE(pinctl_module_load(ctx, &lo), 0);
	pinctl_unref(ctx);

	size = lseek(fd, 0, SEEK_END);
	dup2(saved, 2);
	close(saved);
	close(fd);
	unlink(path);
	ASSERT_EQ(size, 0);
}

TEST(lib_log_fn_gets_messages)
{
	struct pinctl_ctx *ctx = lt_ctx_path("/nonexistent/pinmgr");
	struct pinctl_dev *dev;

	lt_log_clear();
	ASSERT_RET(pinctl_dev_open(ctx, NULL, &dev), -ENOENT);
	ASSERT_CONTAINS(lt_log_text(), "<3>open /nonexistent/pinmgr");
	/* Below the priority: nothing. */
	pinctl_set_log_priority(ctx, 2);
	lt_log_clear();
	ASSERT_RET(pinctl_dev_open(ctx, NULL, &dev), -ENOENT);
	ASSERT_EQ(strlen(lt_log_text()), 0);
	pinctl_unref(ctx);
}

TEST(lib_names)
{
	ASSERT_EQ(strcmp(pinctl_lease_state_name(PINCTL_LEASE_ACTIVE), "active"), 0);
	ASSERT_EQ(strcmp(pinctl_lease_state_name(PINCTL_LEASE_BREAKING), "breaking"), 0);
	ASSERT_EQ(strcmp(pinctl_lease_state_name(PINCTL_LEASE_EXPIRED), "expired"), 0);
	ASSERT_EQ(strcmp(pinctl_lease_state_name(PINCTL_LEASE_REVOKED), "revoked"), 0);
	ASSERT_EQ(strcmp(pinctl_lease_state_name(PINCTL_LEASE_STALE), "stale"), 0);
	ASSERT_EQ(strcmp(pinctl_lease_state_name(PINCTL_LEASE_INVALIDATED), "invalidated"), 0);
	ASSERT_EQ(strcmp(pinctl_lease_state_name(99), "unknown"), 0);
	ASSERT_EQ(strcmp(pinctl_stale_reason_name(0), "none"), 0);
	ASSERT_EQ(strcmp(pinctl_stale_reason_name(PINCTL_STALE_UNMAP), "unmap"), 0);
	ASSERT_EQ(strcmp(pinctl_stale_reason_name(PINCTL_STALE_DISCARD), "discard"), 0);
	ASSERT_EQ(strcmp(pinctl_stale_reason_name(PINCTL_STALE_EXIT), "exit"), 0);
	ASSERT_EQ(strcmp(pinctl_stale_reason_name(4), "unknown"), 0);
	ASSERT_EQ(strcmp(pinctl_ntf_name(PINCTL_NTF_PINNED), "pinned"), 0);
	ASSERT_EQ(strcmp(pinctl_ntf_name(PINCTL_NTF_UNPINNED), "unpinned"), 0);
	ASSERT_EQ(strcmp(pinctl_ntf_name(PINCTL_NTF_EXPIRED), "expired"), 0);
	ASSERT_EQ(strcmp(pinctl_ntf_name(PINCTL_NTF_BREAKING), "breaking"), 0);
	ASSERT_EQ(strcmp(pinctl_ntf_name(PINCTL_NTF_REVOKED), "revoked"), 0);
	ASSERT_EQ(strcmp(pinctl_ntf_name(PINCTL_NTF_STALE), "stale"), 0);
	ASSERT_EQ(strcmp(pinctl_ntf_name(0), "unknown"), 0);
}

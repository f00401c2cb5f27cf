/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers of the libpinctl tests (tests/lib/) and the pinctl tests
 * (tests/cli/), on top of the suite's harness.
 */
#ifndef PINMGR_TESTS_LIBTEST_H
#define PINMGR_TESTS_LIBTEST_H

#include <stdbool.h>

#include "harness.h"
#include "libpinctl.h"

/* Assert a libpinctl call returns @want (0 or a negative errno). */
#define ASSERT_RET(expr, want)	ASSERT_EQ((int)(expr), (int)(want))

/* A context whose log goes into a buffer (lt_log_text()); asserts. */
struct pinctl_ctx *lt_ctx(void);
struct pinctl_ctx *lt_ctx_path(const char *device_path);
const char *lt_log_text(void);
void lt_log_clear(void);

/* The device, opened through the library; asserts. */
struct pinctl_dev *lt_dev(struct pinctl_ctx *ctx);

/* Is the pinmgr generic netlink family registered? */
bool lt_have_netlink(void);
#define NEED_NETLINK()							\
	do {								\
		if (!lt_have_netlink())					\
			SKIP("the loaded driver has no pinmgr netlink family"); \
	} while (0)

/*
 * Watched leases, or a skip by their feature bit: where GET_INFO lacks
 * PINCTL_FEATURE_WATCH, asserts first that a watched pin and a cache are
 * refused (-EOPNOTSUPP) through @dev, then skips.
 */
void lt_need_watch(struct pinctl_dev *dev);

/* The sentence of pinctl_strerror() for @err of @op (a static buffer). */
const char *lt_strerror(struct pinctl_dev *dev, int err, uint32_t op,
			uint32_t flags, uint64_t addr, uint64_t length,
			uint64_t handle);
#define ASSERT_CONTAINS(hay, needle)					\
	do {								\
		const char *_h = (hay), *_n = (needle);			\
		if (!strstr(_h, _n))					\
			FAIL("\"%s\" does not contain \"%s\"", _h, _n);	\
	} while (0)

/* Where the build's programs are: the directory of this executable. */
const char *lt_bindir(void);

#endif /* PINMGR_TESTS_LIBTEST_H */

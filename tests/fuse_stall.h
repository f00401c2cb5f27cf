/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A FUSE file system of one file whose server does not answer reads until
 * told to: a mapping of the file is a user buffer whose page fault does not
 * complete, as an unprivileged user gets one through fusermount3 or a user
 * namespace. The server speaks the FUSE protocol on /dev/fuse itself.
 */
#ifndef PINMGR_TESTS_FUSE_STALL_H
#define PINMGR_TESTS_FUSE_STALL_H

#include <stddef.h>

struct pm_fuse;

/*
 * Mount a file system with one file of @len bytes (needs CAP_SYS_ADMIN);
 * NULL with errno on failure (ENODEV, ENOENT: no FUSE in this kernel).
 */
struct pm_fuse *pm_fuse_start(size_t len);
/* The file's path. */
const char *pm_fuse_path(const struct pm_fuse *f);
/* Wait up to @timeout_ms for a read the server holds: 0, or -1. */
int pm_fuse_wait_read(struct pm_fuse *f, unsigned int timeout_ms);
/* Answer every held read with zeros, and every later one at once. */
void pm_fuse_answer(struct pm_fuse *f);
/* Unmount and stop the server (answering what it holds first). */
void pm_fuse_stop(struct pm_fuse *f);

#endif /* PINMGR_TESTS_FUSE_STALL_H */

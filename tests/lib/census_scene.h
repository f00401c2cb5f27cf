/* SPDX-License-Identifier: GPL-2.0-only */
/* The census tests' machine (census_scene.c); asserts unless said. */
#ifndef PINMGR_TESTS_CENSUS_SCENE_H
#define PINMGR_TESTS_CENSUS_SCENE_H

#include <liburing.h>
#include <stdint.h>
#include <sys/types.h>

#include "libtest.h"

/* What cs_ring_start()'s two buffers span. */
#define RING_PAGES	5

/* A figure of /proc/@pid/status ("VmPin:", "VmLck:") in bytes. */
uint64_t cs_status_bytes(pid_t pid, const char *key);
/* The cgroup v2 path of @pid ("0::" of /proc/PID/cgroup), or "". */
void cs_cgroup_of(pid_t pid, char *buf, size_t size);
bool cs_have_cgroup2(void);
/* Pages from floor(@addr) to ceil(@addr + @len): what io_uring pins. */
uint64_t cs_span_pages(const void *addr, size_t len);
/*
 * Does the kernel have kcmp(2), which the census needs to count a ring
 * reached through several descriptors once? (The debug kernel, built from
 * tinyconfig, has no CONFIG_KCMP.) Without it each descriptor counts.
 */
bool cs_have_kcmp(void);
/* io_uring, or a skip. */
void cs_need_io_uring(void);
/* A ring whose two registered buffers span RING_PAGES small pages. */
void cs_ring_start(struct io_uring *ring);
/* Its end, and the machine's pins back at @out0. */
void cs_ring_end(struct io_uring *ring, long long out0);
/* Become @uid for good, with room to pin 16 MiB. */
void cs_become(uid_t uid);
/*
 * A process pinning @pages as @uid (0: the caller's), named @comm, in
 * cgroup @cg (or NULL); pinned on return; ends when @hold is closed.
 */
pid_t cs_start_pinner(uid_t uid, const char *comm, const char *cg,
		      size_t pages, int *hold);
void cs_end_pinner(pid_t pid, int hold);

#endif

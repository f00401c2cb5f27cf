// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinmgr-bench: the floor under one page's PIN+UNPIN. Any interface that
 * pins with one system call and unpins with another pays for two calls
 * and the way to its driver before it does any work; two ioctl()s that
 * /dev/pinmgr answers at once (ENOTTY) measure that, and two getppid()s
 * the bare system call. Next to them, in the same rounds, PIN+UNPIN of one
 * 4 KiB page and io_uring's register+unregister of it: what each costs
 * above the floor, and how far under io_uring's time a PIN+UNPIN pair can
 * go at all on this machine.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

static const char *const floor_ids[NR_FLOOR_ROWS] = {
	[FLOOR_GETPPID] = "getppid-pair",
	[FLOOR_NULL_IOCTL] = NULL_IOCTL_IFACE_ID,
	[FLOOR_PINMGR] = PINMGR_IFACE_ID,
	[FLOOR_URING] = URING_IFACE_ID,
};

void run_floor(struct bench_env *env, const struct options *o,
	       struct floor_result *r)
{
	const struct iface *ifc[NR_FLOOR_ROWS];
	struct iface_result *res;
	struct region page;
	unsigned int i, n, row;
	int ret;

	memset(r, 0, sizeof(*r));
	r->measured = true;
	n = o->floor_rounds < MAX_ROUNDS ? o->floor_rounds : MAX_ROUNDS;
	for (row = 0; row < NR_FLOOR_ROWS; row++)
		ifc[row] = iface_find(floor_ids[row]);
	fprintf(stderr, "pinmgr-bench: the floor of two system calls\n");
	ret = region_map(&page, BACKING_4K, BASE_PAGE);
	if (ret) {
		r->err = ret;
		snprintf(r->why, WHY_LEN, "mmap: %s", strerror(-ret));
		return;
	}
	if (region_confirm(&page, r->why, WHY_LEN)) {
		r->err = -EINVAL;
		goto out;
	}
	for (i = 0; i < n; i++) {
		for (row = 0; row < NR_FLOOR_ROWS; row++) {
			res = &r->res[row][i];
			measure(env, ifc[row], &page, &o->budget, res);
			/* Without io_uring the rest still says something. */
			if (res->err && row != FLOOR_URING) {
				r->err = res->err;
				snprintf(r->why, WHY_LEN, "%s", res->why);
				goto out;
			}
		}
		r->rounds++;
	}
	r->uring_ok = true;
	for (i = 0; i < n; i++)
		if (!iface_ok(&r->res[FLOOR_URING][i]))
			r->uring_ok = false;
	for (row = 0; row < NR_FLOOR_ROWS; row++)
		if (row != FLOOR_URING || r->uring_ok)
			rounds_figure(r->res[row], n, &r->f[row]);
out:
	region_unmap(&page);
}

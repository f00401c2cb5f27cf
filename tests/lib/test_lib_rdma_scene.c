// SPDX-License-Identifier: GPL-2.0-only
/*
 * The RDMA scene of the census tests: a memory region registered on a
 * Soft-RoCE device pins its pages as the kernel counts every long-term
 * pin, in the process's VmPin and in /proc/vmstat's FOLL_PIN counters,
 * and deregistering it lets them go. What the census tests then find.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "census_scene.h"
#include "rdma_scene.h"

#define MR_PAGES	16

TEST_TIMEOUT(rxe_mr_pins_its_pages, 120)
{
	size_t page = pm_page_size(), len = MR_PAGES * page;
	uint64_t pin0;
	long long out0, out;
	struct rs_mr *mr;
	char *buf;

	rs_need_rxe();
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(buf, MAP_FAILED);
	memset(buf, 0x5a, len);

	pin0 = cs_status_bytes(getpid(), "VmPin:");
	out0 = pm_outstanding_pins();
	ASSERT_GE(out0, 0);
	mr = rs_reg_mr(buf, len);
	ASSERT_EQ(cs_status_bytes(getpid(), "VmPin:") - pin0, len);
	/* Others may pin meanwhile, never fewer. */
	out = pm_outstanding_pins();
	pm_diag("outstanding FOLL_PIN pins +%lld", out - out0);
	ASSERT_GE(out - out0, MR_PAGES);

	rs_dereg_mr(mr);
	ASSERT_EQ(cs_status_bytes(getpid(), "VmPin:"), pin0);
	ASSERT_EQ(pm_await_outstanding_pins(out0), out0);
	ASSERT_EQ(munmap(buf, len), 0);
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * RDMA for the tests (rdma_scene.c): a Soft-RoCE device and memory regions
 * registered on it through libibverbs, the way an RDMA application pins
 * its buffers. Asserts unless said.
 */
#ifndef PINMGR_TESTS_RDMA_SCENE_H
#define PINMGR_TESTS_RDMA_SCENE_H

#include <stddef.h>

#include "harness.h"

/* The dummy netdev the rxe device sits on, and the rxe device. */
#define RS_NETDEV	"pmdummy0"
#define RS_IBDEV	"pmrxe0"

/*
 * RS_NETDEV up and RS_IBDEV on it, made if need be (root only). Needs
 * "rxe": skips where rdma_rxe or dummy is not loaded, which fails where
 * the machine declares rxe.
 */
void rs_need_rxe(void);

/* A memory region of [@addr, @addr + @len) on RS_IBDEV, local write. */
struct rs_mr;
struct rs_mr *rs_reg_mr(void *addr, size_t len);
/* Deregister @mr and close what rs_reg_mr() opened for it. */
void rs_dereg_mr(struct rs_mr *mr);

#endif /* PINMGR_TESTS_RDMA_SCENE_H */

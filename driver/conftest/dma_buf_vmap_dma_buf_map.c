// SPDX-License-Identifier: GPL-2.0-only
/*
 * Do a dma-buf's vmap and vunmap take a struct dma_buf_map? From Linux
 * 5.11 ("dma-buf: Use struct dma_buf_map in
 * dma_buf_vmap() interfaces") to 5.17; before, vmap returned the address.
 */
#include <linux/dma-buf.h>
#include <linux/dma-buf-map.h>

int pinmgr_conftest_vmap(struct dma_buf *dmabuf, struct dma_buf_map *map);
int pinmgr_conftest_vmap(struct dma_buf *dmabuf, struct dma_buf_map *map)
{
	return 0;
}

const struct dma_buf_ops pinmgr_conftest_ops = {
	.vmap = pinmgr_conftest_vmap,
};

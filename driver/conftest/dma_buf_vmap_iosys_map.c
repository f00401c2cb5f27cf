// SPDX-License-Identifier: GPL-2.0-only
/*
 * Do a dma-buf's vmap and vunmap take a struct iosys_map? Since Linux 5.18
 * ("dma-buf-map: Rename to iosys-map") they do.
 */
#include <linux/dma-buf.h>
#include <linux/iosys-map.h>

int pinmgr_conftest_vmap(struct dma_buf *dmabuf, struct iosys_map *map);
int pinmgr_conftest_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	return 0;
}

const struct dma_buf_ops pinmgr_conftest_ops = {
	.vmap = pinmgr_conftest_vmap,
};

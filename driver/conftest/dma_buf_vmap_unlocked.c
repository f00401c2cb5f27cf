// SPDX-License-Identifier: GPL-2.0-only
/*
 * Must the caller of dma_buf_vmap() hold the reservation lock, with
 * dma_buf_vmap_unlocked() taking it for those that do not (Linux 6.2)?
 * Asked for the test importer, whose kernel mappings of exports stand in
 * for V4L2's and DRM's.
 */
#include <linux/dma-buf.h>
#include <linux/iosys-map.h>

int pinmgr_conftest_vmap_unlocked(struct dma_buf *dmabuf,
				  struct iosys_map *map);
int pinmgr_conftest_vmap_unlocked(struct dma_buf *dmabuf,
				  struct iosys_map *map)
{
	return dma_buf_vmap_unlocked(dmabuf, map);
}

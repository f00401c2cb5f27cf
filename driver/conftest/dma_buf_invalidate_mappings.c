// SPDX-License-Identifier: GPL-2.0-only
/*
 * Is dma_buf_move_notify() called dma_buf_invalidate_mappings()? It is
 * since the dma-buf revocation work of 2026 (Linux 7.2 here), which also
 * renamed the importer's move_notify callback.
 */
#include <linux/dma-buf.h>

void pinmgr_conftest_invalidate(struct dma_buf *dmabuf);
void pinmgr_conftest_invalidate(struct dma_buf *dmabuf)
{
	dma_buf_invalidate_mappings(dmabuf);
}

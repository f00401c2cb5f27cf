// SPDX-License-Identifier: GPL-2.0-only
/*
 * Can an exporter ask whether an importer lets go of its mappings when
 * told, pinned or not (dma_buf_attach_revocable())? Part of the dma-buf
 * revocation work of 2026 (Linux 7.2 here).
 */
#include <linux/dma-buf.h>

bool pinmgr_conftest_revocable(struct dma_buf_attachment *attach);
bool pinmgr_conftest_revocable(struct dma_buf_attachment *attach)
{
	return dma_buf_attach_revocable(attach);
}

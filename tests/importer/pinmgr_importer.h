/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * The test importer's ioctls (/dev/pinmgr_importer, root only): a dma-buf
 * importer for tests and benchmarks, driving QEMU's "edu" PCI device, which
 * copies between memory and a 4 KiB buffer of its own by DMA through the
 * machine's IOMMU. Not part of pinmgr's ABI.
 */
#ifndef PINMGR_IMPORTER_H
#define PINMGR_IMPORTER_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* What one transfer moves at most: the size of edu's own buffer. */
#define PMI_XFER_MAX		4096

/* pmi_attach.flags; pmi_probe.flags takes PMI_DYNAMIC alone */
#define PMI_DYNAMIC		0x1	/* dynamic attachment: move_notify */
#define PMI_PINNED		0x2	/* dynamic, and pinned (dma_buf_pin) */

/* pmi_map.dir, pmi_probe.dir: enum dma_data_direction's values. */
#define PMI_BIDIRECTIONAL	0
#define PMI_TO_DEVICE		1
#define PMI_FROM_DEVICE		2

struct pmi_info {
	__u32 out_iommu;	/* the device's DMA goes through an IOMMU */
	__u32 out_dma_bits;	/* the device's DMA mask */
};

/* Attach the dma-buf @fd to the device: an id for the calls below. */
struct pmi_attach {
	__s32 fd;
	__u32 flags;
	__u32 out_id;
	__u32 pad;
};

/* Map attachment @id for the device. */
struct pmi_map {
	__u32 id;
	__u32 dir;
	__u32 out_nents;	/* DMA segments, after the IOMMU merged */
	__u32 out_sg_nents;	/* the exporter's scatterlist entries */
	__u64 out_size;		/* bytes mapped */
};

/*
 * One DMA through the mapping of attachment @id: @len bytes at @offset of
 * the dma-buf, to (@to_memory) or from the @len bytes at @data. The range
 * must lie in one DMA segment.
 */
struct pmi_xfer {
	__u32 id;
	__u32 to_memory;
	__u64 offset;
	__u64 len;
	__u64 data;
};

struct pmi_state {
	__u32 id;
	__u32 out_mapped;	/* a mapping is live */
	__u32 out_moves;	/* move_notify calls seen */
	__u32 pad;
};

/*
 * Attach, map, unmap and detach @fd in one call, as an importer's
 * registration does: the benchmark's importer steps.
 */
struct pmi_probe {
	__s32 fd;
	__u32 flags;
	__u32 dir;
	__u32 out_nents;
	__u32 out_sg_nents;
	__u32 pad;
	__u64 out_size;
};

/*
 * A CPU importer's kernel mapping of a whole dma-buf (vmap), made, used
 * for one copy of @len bytes at @offset to or from @data, and undone.
 */
struct pmi_vmap {
	__s32 fd;		/* the dma-buf */
	__u32 write;		/* copy @data into it, not out of it */
	__u64 offset;
	__u64 len;		/* at most PMI_XFER_MAX */
	__u64 data;
};

#define PMI_IOC_INFO	_IOR('P', 0x40, struct pmi_info)
#define PMI_IOC_ATTACH	_IOWR('P', 0x41, struct pmi_attach)
#define PMI_IOC_DETACH	_IOW('P', 0x42, __u32)
#define PMI_IOC_MAP	_IOWR('P', 0x43, struct pmi_map)
#define PMI_IOC_UNMAP	_IOW('P', 0x44, __u32)
#define PMI_IOC_XFER	_IOW('P', 0x45, struct pmi_xfer)
#define PMI_IOC_STATE	_IOWR('P', 0x46, struct pmi_state)
#define PMI_IOC_PROBE	_IOWR('P', 0x47, struct pmi_probe)
#define PMI_IOC_VMAP	_IOW('P', 0x48, struct pmi_vmap)

#endif /* PINMGR_IMPORTER_H */

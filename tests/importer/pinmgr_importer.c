// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinmgr_importer: a dma-buf importer for pinmgr's tests and benchmark,
 * never shipped. It drives QEMU's "edu" PCI device, whose DMA engine copies
 * between memory and a 4 KiB buffer of its own, so that an exported lease
 * is mapped for a real device behind the machine's IOMMU and that device
 * reads and writes it. Attachments are static or dynamic (told to let go
 * by move_notify), and a dynamic one may pin the buffer too; each open
 * file has its own.
 *
 * run-vm gives edu a 39-bit DMA mask, the IOMMU's address width: QEMU's
 * default of 28 bits leaves too little I/O address space for a 1 GiB
 * mapping.
 */
#include <linux/delay.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "conftest.h"
#include "pinmgr_importer.h"

#ifdef PINMGR_HAVE_MODULE_IMPORT_NS_IDENT
MODULE_IMPORT_NS(DMA_BUF);
#else
MODULE_IMPORT_NS("DMA_BUF");
#endif

static unsigned int dma_bits = 39;
module_param(dma_bits, uint, 0444);
MODULE_PARM_DESC(dma_bits, "DMA mask of the edu device, in bits (run-vm sets 39)");

/* QEMU's docs/specs/edu.rst */
#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_REG_ID		0x00
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_CMD_START		0x1
#define EDU_CMD_TO_RAM		0x2
#define EDU_BUFFER		0x40000	/* its 4 KiB buffer, as a DMA address */
/*
 * QEMU 7.2 takes a transfer that ends at the buffer's last byte for one out
 * of bounds, and stops the machine: half a buffer at a time is safe.
 */
#define EDU_CHUNK		2048
/* A transfer completes 100 ms of guest time after it starts. */
#define EDU_DMA_TIMEOUT		(10 * HZ)

#define PMI_MAX_ATTACHMENTS	16

/*
 * The one edu device the importer drives. lock serialises its DMA engine;
 * it nests inside any dma-buf's reservation lock.
 */
static struct pmi_edu {
	struct pci_dev *pdev;
	void __iomem *regs;
	struct mutex lock;		/* see above */
	void *bounce;			/* what edu's buffer is filled from */
	dma_addr_t bounce_dma;
	bool iommu;
	bool broken;			/* a transfer never finished */
} pmi_edu = {
	.lock = __MUTEX_INITIALIZER(pmi_edu.lock),
};

/* One attachment. sgt, dir and moves are under the reservation lock. */
struct pmi_attachment {
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	enum dma_data_direction dir;
	unsigned int moves;
	bool pinned;			/* PMI_PINNED: dma_buf_pin() */
};

/* An open file. lock protects the table; it nests outside resv locks. */
struct pmi_file {
	struct mutex lock;		/* see above */
	struct pmi_attachment *att[PMI_MAX_ATTACHMENTS];
};

/* The exporter moves or revokes the buffer: let the mapping go now. */
static void pmi_move_notify(struct dma_buf_attachment *attach)
{
	struct pmi_attachment *a = attach->importer_priv;

	dma_resv_assert_held(attach->dmabuf->resv);
	a->moves++;
	if (a->sgt) {
		dma_buf_unmap_attachment(attach, a->sgt, a->dir);
		a->sgt = NULL;
	}
}

/* The callback's new name came with dma_buf_invalidate_mappings(). */
static const struct dma_buf_attach_ops pmi_attach_ops = {
#ifdef PINMGR_HAVE_DMA_BUF_INVALIDATE_MAPPINGS
	.invalidate_mappings = pmi_move_notify,
#else
	.move_notify = pmi_move_notify,
#endif
};

static struct pmi_attachment *pmi_attach(int fd, u32 flags)
{
	struct device *dev = &pmi_edu.pdev->dev;
	struct pmi_attachment *a;
	int ret;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return ERR_PTR(-ENOMEM);
	a->dmabuf = dma_buf_get(fd);
	if (IS_ERR(a->dmabuf)) {
		ret = PTR_ERR(a->dmabuf);
		goto out_free;
	}
	if (flags & PMI_DYNAMIC)
		a->attach = dma_buf_dynamic_attach(a->dmabuf, dev,
						   &pmi_attach_ops, a);
	else
		a->attach = dma_buf_attach(a->dmabuf, dev);
	if (IS_ERR(a->attach)) {
		ret = PTR_ERR(a->attach);
		goto out_put;
	}
	if (flags & PMI_PINNED) {
		/* As RDMA's pinned dma-buf memory regions do. */
		dma_resv_lock(a->dmabuf->resv, NULL);
		ret = dma_buf_pin(a->attach);
		dma_resv_unlock(a->dmabuf->resv);
		if (ret)
			goto out_detach;
		a->pinned = true;
	}
	return a;

out_detach:
	dma_buf_detach(a->dmabuf, a->attach);
out_put:
	dma_buf_put(a->dmabuf);
out_free:
	kfree(a);
	return ERR_PTR(ret);
}

/* Under the reservation lock. */
static int pmi_map_locked(struct pmi_attachment *a, u32 dir)
{
	struct sg_table *sgt;

	if (a->sgt)
		return -EBUSY;
	sgt = dma_buf_map_attachment(a->attach, dir);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	a->sgt = sgt;
	a->dir = dir;
	return 0;
}

/* Under the reservation lock. */
static void pmi_unmap_locked(struct pmi_attachment *a)
{
	if (a->sgt)
		dma_buf_unmap_attachment(a->attach, a->sgt, a->dir);
	a->sgt = NULL;
}

static void pmi_detach(struct pmi_attachment *a)
{
	dma_resv_lock(a->dmabuf->resv, NULL);
	pmi_unmap_locked(a);
	if (a->pinned)
		dma_buf_unpin(a->attach);
	dma_resv_unlock(a->dmabuf->resv);
	dma_buf_detach(a->dmabuf, a->attach);
	dma_buf_put(a->dmabuf);
	kfree(a);
}

static void pmi_map_figures(struct sg_table *sgt, u32 *nents, u32 *sg_nents,
			    u64 *size)
{
	struct scatterlist *sg;
	unsigned int i;
	u64 total = 0;

	for_each_sgtable_dma_sg(sgt, sg, i)
		total += sg_dma_len(sg);
	*nents = sgt->nents;
	*sg_nents = sgt->orig_nents;
	*size = total;
}

/* The DMA address of [@offset, @offset + @len), which one segment holds. */
static int pmi_dma_addr(struct sg_table *sgt, u64 offset, u64 len,
			dma_addr_t *addr)
{
	struct scatterlist *sg;
	unsigned int i;
	u64 pos = 0;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		if (offset < pos + sg_dma_len(sg)) {
			if (offset + len > pos + sg_dma_len(sg))
				return -EINVAL;
			*addr = sg_dma_address(sg) + (offset - pos);
			return 0;
		}
		pos += sg_dma_len(sg);
	}
	return -EINVAL;
}

/* One run of edu's DMA engine. Under pmi_edu.lock. */
static int pmi_edu_dma(u64 src, u64 dst, u64 count, u64 cmd)
{
	unsigned long deadline = jiffies + EDU_DMA_TIMEOUT;
	void __iomem *regs = pmi_edu.regs;

	lockdep_assert_held(&pmi_edu.lock);
	if (pmi_edu.broken)
		return -EIO;
	writeq(src, regs + EDU_REG_DMA_SRC);
	writeq(dst, regs + EDU_REG_DMA_DST);
	writeq(count, regs + EDU_REG_DMA_COUNT);
	writeq(cmd | EDU_CMD_START, regs + EDU_REG_DMA_CMD);
	while (readq(regs + EDU_REG_DMA_CMD) & EDU_CMD_START) {
		if (time_after(jiffies, deadline)) {
			pmi_edu.broken = true;
			return -ETIMEDOUT;
		}
		usleep_range(1000, 2000);
	}
	return 0;
}

/*
 * Memory to memory through edu's buffer: the bounce buffer and the dma-buf
 * at @addr, one way or the other.
 */
static int pmi_edu_copy(dma_addr_t addr, void *data, size_t len,
			bool to_memory)
{
	size_t done, n;
	int ret = 0;

	mutex_lock(&pmi_edu.lock);
	if (to_memory)
		memcpy(pmi_edu.bounce, data, len);
	for (done = 0; done < len && !ret; done += n) {
		n = min_t(size_t, len - done, EDU_CHUNK);
		if (to_memory) {
			ret = pmi_edu_dma(pmi_edu.bounce_dma + done, EDU_BUFFER,
					  n, 0);
			if (!ret)
				ret = pmi_edu_dma(EDU_BUFFER, addr + done, n,
						  EDU_CMD_TO_RAM);
		} else {
			ret = pmi_edu_dma(addr + done, EDU_BUFFER, n, 0);
			if (!ret)
				ret = pmi_edu_dma(EDU_BUFFER,
						  pmi_edu.bounce_dma + done, n,
						  EDU_CMD_TO_RAM);
		}
	}
	if (!ret && !to_memory)
		memcpy(data, pmi_edu.bounce, len);
	mutex_unlock(&pmi_edu.lock);
	return ret;
}

static struct pmi_attachment *pmi_lookup(struct pmi_file *f, u32 id)
{
	lockdep_assert_held(&f->lock);
	return id < PMI_MAX_ATTACHMENTS ? f->att[id] : NULL;
}

static long pmi_ioc_attach(struct pmi_file *f, void __user *argp)
{
	struct pmi_attachment *a;
	struct pmi_attach arg;
	u32 id;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.flags & ~(PMI_DYNAMIC | PMI_PINNED) || arg.pad ||
	    (arg.flags & PMI_PINNED && !(arg.flags & PMI_DYNAMIC)))
		return -EINVAL;
	a = pmi_attach(arg.fd, arg.flags);
	if (IS_ERR(a))
		return PTR_ERR(a);
	mutex_lock(&f->lock);
	for (id = 0; id < PMI_MAX_ATTACHMENTS && f->att[id]; id++)
		;
	if (id < PMI_MAX_ATTACHMENTS)
		f->att[id] = a;
	mutex_unlock(&f->lock);
	if (id == PMI_MAX_ATTACHMENTS) {
		pmi_detach(a);
		return -ENOSPC;
	}
	arg.out_id = id;
	if (copy_to_user(argp, &arg, sizeof(arg))) {
		mutex_lock(&f->lock);
		f->att[id] = NULL;
		mutex_unlock(&f->lock);
		pmi_detach(a);
		return -EFAULT;
	}
	return 0;
}

static long pmi_ioc_detach(struct pmi_file *f, void __user *argp)
{
	struct pmi_attachment *a;
	u32 id;

	if (get_user(id, (u32 __user *)argp))
		return -EFAULT;
	mutex_lock(&f->lock);
	a = pmi_lookup(f, id);
	if (a)
		f->att[id] = NULL;
	mutex_unlock(&f->lock);
	if (!a)
		return -ENOENT;
	pmi_detach(a);
	return 0;
}

static long pmi_ioc_map(struct pmi_file *f, void __user *argp)
{
	struct pmi_attachment *a;
	struct pmi_map arg;
	int ret;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.dir > PMI_FROM_DEVICE)
		return -EINVAL;
	mutex_lock(&f->lock);
	a = pmi_lookup(f, arg.id);
	ret = -ENOENT;
	if (a) {
		dma_resv_lock(a->dmabuf->resv, NULL);
		ret = pmi_map_locked(a, arg.dir);
		if (!ret)
			pmi_map_figures(a->sgt, &arg.out_nents,
					&arg.out_sg_nents, &arg.out_size);
		dma_resv_unlock(a->dmabuf->resv);
	}
	/* A map the caller cannot learn of is undone. */
	if (!ret && copy_to_user(argp, &arg, sizeof(arg))) {
		dma_resv_lock(a->dmabuf->resv, NULL);
		pmi_unmap_locked(a);
		dma_resv_unlock(a->dmabuf->resv);
		ret = -EFAULT;
	}
	mutex_unlock(&f->lock);
	return ret;
}

static long pmi_ioc_unmap(struct pmi_file *f, void __user *argp)
{
	struct pmi_attachment *a;
	u32 id;
	int ret;

	if (get_user(id, (u32 __user *)argp))
		return -EFAULT;
	mutex_lock(&f->lock);
	a = pmi_lookup(f, id);
	ret = -ENOENT;
	if (a) {
		dma_resv_lock(a->dmabuf->resv, NULL);
		ret = a->sgt ? 0 : -ENXIO;
		pmi_unmap_locked(a);
		dma_resv_unlock(a->dmabuf->resv);
	}
	mutex_unlock(&f->lock);
	return ret;
}

/*
 * The reservation lock is held for the whole transfer, as a device's fence
 * would hold off a move: a revocation waits for the DMA in flight. User
 * memory is copied outside it (faults nest outside reservation locks).
 */
static long pmi_ioc_xfer(struct pmi_file *f, void __user *argp)
{
	struct pmi_attachment *a;
	struct pmi_xfer arg;
	dma_addr_t addr;
	void *data;
	int ret;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (!arg.len || arg.len > PMI_XFER_MAX || arg.to_memory > 1)
		return -EINVAL;
	data = kmalloc(arg.len, GFP_KERNEL);
	if (!data)
		return -ENOMEM;
	ret = -EFAULT;
	if (arg.to_memory &&
	    copy_from_user(data, u64_to_user_ptr(arg.data), arg.len))
		goto out_free;

	mutex_lock(&f->lock);
	a = pmi_lookup(f, arg.id);
	ret = -ENOENT;
	if (a) {
		dma_resv_lock(a->dmabuf->resv, NULL);
		ret = a->sgt ? pmi_dma_addr(a->sgt, arg.offset, arg.len, &addr)
			     : -ENXIO;
		if (!ret)
			ret = pmi_edu_copy(addr, data, arg.len, arg.to_memory);
		dma_resv_unlock(a->dmabuf->resv);
	}
	mutex_unlock(&f->lock);

	if (!ret && !arg.to_memory &&
	    copy_to_user(u64_to_user_ptr(arg.data), data, arg.len))
		ret = -EFAULT;
out_free:
	kfree(data);
	return ret;
}

static long pmi_ioc_state(struct pmi_file *f, void __user *argp)
{
	struct pmi_attachment *a;
	struct pmi_state arg;
	int ret = -ENOENT;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	mutex_lock(&f->lock);
	a = pmi_lookup(f, arg.id);
	if (a) {
		dma_resv_lock(a->dmabuf->resv, NULL);
		arg.out_mapped = !!a->sgt;
		arg.out_moves = a->moves;
		dma_resv_unlock(a->dmabuf->resv);
		ret = 0;
	}
	mutex_unlock(&f->lock);
	if (ret)
		return ret;
	return copy_to_user(argp, &arg, sizeof(arg)) ? -EFAULT : 0;
}

static long pmi_ioc_probe(void __user *argp)
{
	struct pmi_attachment *a;
	struct pmi_probe arg;
	int ret;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.flags & ~PMI_DYNAMIC || arg.dir > PMI_FROM_DEVICE || arg.pad)
		return -EINVAL;
	a = pmi_attach(arg.fd, arg.flags);
	if (IS_ERR(a))
		return PTR_ERR(a);
	dma_resv_lock(a->dmabuf->resv, NULL);
	ret = pmi_map_locked(a, arg.dir);
	if (!ret)
		pmi_map_figures(a->sgt, &arg.out_nents, &arg.out_sg_nents,
				&arg.out_size);
	dma_resv_unlock(a->dmabuf->resv);
	pmi_detach(a);
	if (ret)
		return ret;
	return copy_to_user(argp, &arg, sizeof(arg)) ? -EFAULT : 0;
}

/*
 * The kernel mapping of a whole dma-buf, as CPU-side importers (V4L2's
 * vmalloc buffers, DRM's shadow planes) make it. Its form changed twice
 * (an address until 5.10, struct dma_buf_map until 5.17, struct iosys_map
 * since), and since 6.2 the caller holds the reservation lock, which the
 * _unlocked forms take.
 */
struct pmi_kmap {
#if defined(PINMGR_HAVE_DMA_BUF_VMAP_IOSYS_MAP)
	struct iosys_map map;
#elif defined(PINMGR_HAVE_DMA_BUF_VMAP_DMA_BUF_MAP)
	struct dma_buf_map map;
#endif
	void *vaddr;
};

static void pmi_vunmap(struct dma_buf *dmabuf, struct pmi_kmap *k)
{
#if defined(PINMGR_HAVE_DMA_BUF_VMAP_UNLOCKED)
	dma_buf_vunmap_unlocked(dmabuf, &k->map);
#elif defined(PINMGR_HAVE_DMA_BUF_VMAP_IOSYS_MAP) || \
	defined(PINMGR_HAVE_DMA_BUF_VMAP_DMA_BUF_MAP)
	dma_buf_vunmap(dmabuf, &k->map);
#else
	dma_buf_vunmap(dmabuf, k->vaddr);
#endif
}

static int pmi_vmap(struct dma_buf *dmabuf, struct pmi_kmap *k)
{
#if defined(PINMGR_HAVE_DMA_BUF_VMAP_UNLOCKED)
	int ret = dma_buf_vmap_unlocked(dmabuf, &k->map);
#elif defined(PINMGR_HAVE_DMA_BUF_VMAP_IOSYS_MAP) || \
	defined(PINMGR_HAVE_DMA_BUF_VMAP_DMA_BUF_MAP)
	int ret = dma_buf_vmap(dmabuf, &k->map);
#endif

#if defined(PINMGR_HAVE_DMA_BUF_VMAP_IOSYS_MAP) || \
	defined(PINMGR_HAVE_DMA_BUF_VMAP_DMA_BUF_MAP)
	if (ret)
		return ret;
	if (k->map.is_iomem) {
		pmi_vunmap(dmabuf, k);
		return -EIO;
	}
	k->vaddr = k->map.vaddr;
#else
	k->vaddr = dma_buf_vmap(dmabuf);
	if (!k->vaddr)
		return -ENXIO;
#endif
	return 0;
}

static long pmi_ioc_vmap(void __user *argp)
{
	struct pmi_kmap k = { 0 };
	struct dma_buf *dmabuf;
	struct pmi_vmap arg;
	void *data;
	int ret;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (!arg.len || arg.len > PMI_XFER_MAX || arg.write > 1)
		return -EINVAL;
	data = kmalloc(arg.len, GFP_KERNEL);
	if (!data)
		return -ENOMEM;
	ret = -EFAULT;
	if (arg.write && copy_from_user(data, u64_to_user_ptr(arg.data),
					arg.len))
		goto out_free;
	dmabuf = dma_buf_get(arg.fd);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto out_free;
	}
	ret = -EINVAL;
	if (arg.offset <= dmabuf->size && arg.len <= dmabuf->size - arg.offset)
		ret = pmi_vmap(dmabuf, &k);
	if (!ret) {
		if (arg.write)
			memcpy(k.vaddr + arg.offset, data, arg.len);
		else
			memcpy(data, k.vaddr + arg.offset, arg.len);
		pmi_vunmap(dmabuf, &k);
	}
	dma_buf_put(dmabuf);
	if (!ret && !arg.write &&
	    copy_to_user(u64_to_user_ptr(arg.data), data, arg.len))
		ret = -EFAULT;
out_free:
	kfree(data);
	return ret;
}

static long pmi_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct pmi_file *f = file->private_data;
	void __user *argp = (void __user *)arg;
	struct pmi_info info;

	switch (cmd) {
	case PMI_IOC_INFO:
		info.out_iommu = pmi_edu.iommu;
		info.out_dma_bits = dma_bits;
		return copy_to_user(argp, &info, sizeof(info)) ? -EFAULT : 0;
	case PMI_IOC_ATTACH:
		return pmi_ioc_attach(f, argp);
	case PMI_IOC_DETACH:
		return pmi_ioc_detach(f, argp);
	case PMI_IOC_MAP:
		return pmi_ioc_map(f, argp);
	case PMI_IOC_UNMAP:
		return pmi_ioc_unmap(f, argp);
	case PMI_IOC_XFER:
		return pmi_ioc_xfer(f, argp);
	case PMI_IOC_STATE:
		return pmi_ioc_state(f, argp);
	case PMI_IOC_PROBE:
		return pmi_ioc_probe(argp);
	case PMI_IOC_VMAP:
		return pmi_ioc_vmap(argp);
	}
	return -ENOTTY;
}

static int pmi_open(struct inode *inode, struct file *file)
{
	struct pmi_file *f;

	if (!pmi_edu.pdev)
		return -ENODEV;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	file->private_data = f;
	return 0;
}

static int pmi_release(struct inode *inode, struct file *file)
{
	struct pmi_file *f = file->private_data;
	unsigned int id;

	for (id = 0; id < PMI_MAX_ATTACHMENTS; id++)
		if (f->att[id])
			pmi_detach(f->att[id]);
	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}

static const struct file_operations pmi_fops = {
	.owner = THIS_MODULE,
	.open = pmi_open,
	.release = pmi_release,
	.unlocked_ioctl = pmi_ioctl,
};

static struct miscdevice pmi_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "pinmgr_importer",
	.fops = &pmi_fops,
};

static int pmi_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int ret;

	if (pmi_edu.pdev)
		return -EBUSY;
	ret = pci_enable_device(pdev);
	if (ret)
		return ret;
	ret = pci_request_regions(pdev, "pinmgr_importer");
	if (ret)
		goto out_disable;
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(dma_bits));
	if (ret)
		goto out_release_regions;
	/* Segments as long as the exporter's runs (PCI's default: 64 KiB). */
	dma_set_max_seg_size(&pdev->dev, UINT_MAX);
	pmi_edu.regs = pci_iomap(pdev, 0, 0);
	if (!pmi_edu.regs) {
		ret = -ENOMEM;
		goto out_release_regions;
	}
	if ((readl(pmi_edu.regs + EDU_REG_ID) & 0xff) != 0xed) {
		ret = -ENODEV;
		goto out_unmap_regs;
	}
	pmi_edu.bounce = dma_alloc_coherent(&pdev->dev, PMI_XFER_MAX,
					    &pmi_edu.bounce_dma, GFP_KERNEL);
	if (!pmi_edu.bounce) {
		ret = -ENOMEM;
		goto out_unmap_regs;
	}
	pci_set_master(pdev);
	pmi_edu.iommu = device_iommu_mapped(&pdev->dev);
	pmi_edu.pdev = pdev;
	dev_info(&pdev->dev, "edu for pinmgr's tests, DMA mask %u bits, %s\n",
		 dma_bits, pmi_edu.iommu ? "behind an IOMMU" : "no IOMMU");
	return 0;

out_unmap_regs:
	pci_iounmap(pdev, pmi_edu.regs);
out_release_regions:
	pci_release_regions(pdev);
out_disable:
	pci_disable_device(pdev);
	return ret;
}

/* Only at module unload (no bind/unbind files): no file is open. */
static void pmi_remove(struct pci_dev *pdev)
{
	dma_free_coherent(&pdev->dev, PMI_XFER_MAX, pmi_edu.bounce,
			  pmi_edu.bounce_dma);
	pci_clear_master(pdev);
	pci_iounmap(pdev, pmi_edu.regs);
	pci_release_regions(pdev);
	pci_disable_device(pdev);
	pmi_edu.pdev = NULL;
}

static const struct pci_device_id pmi_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR, EDU_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, pmi_ids);

static struct pci_driver pmi_driver = {
	.name = "pinmgr_importer",
	.id_table = pmi_ids,
	.probe = pmi_probe,
	.remove = pmi_remove,
	.driver.suppress_bind_attrs = true,
};

static int __init pmi_init(void)
{
	int ret;

	if (dma_bits < 12 || dma_bits > 64)
		return -EINVAL;
	ret = pci_register_driver(&pmi_driver);
	if (ret)
		return ret;
	ret = misc_register(&pmi_misc);
	if (ret)
		pci_unregister_driver(&pmi_driver);
	return ret;
}

static void __exit pmi_exit(void)
{
	misc_deregister(&pmi_misc);
	pci_unregister_driver(&pmi_driver);
}

module_init(pmi_init);
module_exit(pmi_exit);
MODULE_DESCRIPTION("dma-buf importer for pinmgr's tests (QEMU edu device)");
MODULE_LICENSE("GPL");

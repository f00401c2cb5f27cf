// SPDX-License-Identifier: GPL-2.0-only
/*
 * Leases handed to device drivers as dma-bufs (PINMGR_IOC_EXPORT).
 *
 * Each dma-buf holds a reference on its lease, so the pages stay pinned
 * and charged for as long as the dma-buf lives, whether or not the owner
 * has unpinned or closed its file meanwhile: the last dma-buf's release
 * then puts the lease's last reference, which releases the pages.
 *
 * A lease can also end under its exports, by expiry, revocation or a
 * stale watch. From then on nothing new reaches the pages: a map, a pin
 * (a static attachment), a vmap or a CPU fault fails; CPU mappings are
 * zapped, and dynamic importers are told to let go (move_notify). What a
 * device still holds is a *hold*: every live scatterlist mapping, every
 * pin of an attachment that cannot be made to let go (a static one) and
 * the kernel mapping of a vmap. A lease that ends with holds keeps its
 * pages until the last hold goes; it ends on time for its owner all the
 * same, who reads PINMGR_EVENT_HELD, and sees the holds in QUERY.
 */
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "pinmgr.h"
#include "pinmgr_trace.h"

#ifdef PINMGR_HAVE_MODULE_IMPORT_NS_IDENT
MODULE_IMPORT_NS(DMA_BUF);
#else
MODULE_IMPORT_NS("DMA_BUF");
#endif

/*
 * A lease's exports, made at its first EXPORT and freed with the lease.
 *
 * lock protects bufs and is held while the exports are revoked, so that a
 * dma-buf being released waits for a revocation that uses it. It nests
 * inside ctx->lock and outside every dma-buf's reservation lock.
 *
 * hold_lock protects the rest; it is innermost (map_dma_buf takes it
 * under the reservation lock, faults under the mmap lock).
 */
struct pinmgr_exports {
	struct pinmgr_lease *lease;
	struct mutex lock;		/* see above */
	struct list_head bufs;
	spinlock_t hold_lock;		/* see above */
	unsigned int nr_bufs;
	unsigned int nr_attachments;
	unsigned int nr_holds;
	bool revoked;		/* the lease ended: no new holds */
	bool release_pending;	/* it ended with holds: the last one releases */
	bool holds_index;	/* HELD: the last dma-buf puts the index's ref */
	struct work_struct release_work;
};

/* One dma-buf: its priv. Holds a reference on the lease. */
struct pinmgr_export_buf {
	struct pinmgr_lease *lease;
	struct dma_buf *dmabuf;
	struct list_head node;		/* in exports->bufs */
	bool writable;
	/* Scatterlist mappings, for begin/end_cpu_access; under hold_lock. */
	struct list_head mappings;
	void *vaddr;			/* the vmap, if any */
	struct page *scratch;		/* what it maps once the lease ended */
};

/* One map_dma_buf() that is not yet unmapped. */
struct pinmgr_export_map {
	struct sg_table sgt;
	struct device *dev;
	enum dma_data_direction dir;
	struct list_head node;		/* in buf->mappings */
};

static struct pinmgr_exports *pinmgr_exports_of(struct pinmgr_export_buf *buf)
{
	return buf->lease->exports;
}

/* Take a hold on the pages, unless the lease has ended. */
static bool pinmgr_export_hold(struct pinmgr_exports *exp)
{
	bool ok;

	spin_lock(&exp->hold_lock);
	ok = !exp->revoked;
	if (ok)
		exp->nr_holds++;
	spin_unlock(&exp->hold_lock);
	return ok;
}

static void pinmgr_export_unhold(struct pinmgr_exports *exp)
{
	bool release;

	spin_lock(&exp->hold_lock);
	release = !--exp->nr_holds && exp->release_pending;
	if (release)
		exp->release_pending = false;
	spin_unlock(&exp->hold_lock);
	/* Process context for the pages; the work holds the lease. */
	if (release) {
		refcount_inc(&exp->lease->users);
		queue_work(pinmgr_wq, &exp->release_work);
	}
}

/* Take every CPU mapping of the lease's dma-bufs away. Under exp->lock. */
static void pinmgr_export_zap(struct pinmgr_exports *exp)
{
	struct pinmgr_export_buf *buf;

	lockdep_assert_held(&exp->lock);
	list_for_each_entry(buf, &exp->bufs, node)
		unmap_mapping_range(buf->dmabuf->file->f_mapping, 0, 0, 1);
}

/* The last hold of an ended lease went: its pages go now. */
static void pinmgr_export_release_work(struct work_struct *work)
{
	struct pinmgr_exports *exp = container_of(work, struct pinmgr_exports,
						  release_work);
	struct pinmgr_lease *lease = exp->lease;

	/* A fault that started before the end may have mapped a page. */
	mutex_lock(&exp->lock);
	pinmgr_export_zap(exp);
	mutex_unlock(&exp->lock);
	pinmgr_lease_release_pages(lease);
	pinmgr_lease_put(lease);
}

static int pinmgr_export_attach(struct dma_buf *dmabuf,
				struct dma_buf_attachment *attach)
{
	struct pinmgr_exports *exp = pinmgr_exports_of(dmabuf->priv);

	spin_lock(&exp->hold_lock);
	exp->nr_attachments++;
	spin_unlock(&exp->hold_lock);
	return 0;
}

static void pinmgr_export_detach(struct dma_buf *dmabuf,
				 struct dma_buf_attachment *attach)
{
	struct pinmgr_exports *exp = pinmgr_exports_of(dmabuf->priv);

	spin_lock(&exp->hold_lock);
	exp->nr_attachments--;
	spin_unlock(&exp->hold_lock);
}

/*
 * Does a pin of @attach keep the pages past the lease's end? A static
 * attachment's does (and, without CONFIG_DMABUF_MOVE_NOTIFY, a dynamic
 * one's while mapped): nothing can make it let go. Where the kernel can
 * say that an importer unmaps when told, pinned or not (the revocation
 * work of 2026), such an importer's pin does not: its mappings are its
 * holds, and a revocation takes them, so pin and unpin count nothing.
 * The answer depends on the importer's ops only: it is the same at unpin.
 */
static bool pinmgr_export_pin_holds(struct dma_buf_attachment *attach)
{
#ifdef PINMGR_HAVE_DMA_BUF_ATTACH_REVOCABLE
	return !dma_buf_attach_revocable(attach);
#else
	return true;
#endif
}

static int pinmgr_export_pin(struct dma_buf_attachment *attach)
{
	struct pinmgr_exports *exp = pinmgr_exports_of(attach->dmabuf->priv);
	bool revoked;

	if (pinmgr_export_pin_holds(attach))
		return pinmgr_export_hold(exp) ? 0 : -ENODEV;
	spin_lock(&exp->hold_lock);
	revoked = exp->revoked;
	spin_unlock(&exp->hold_lock);
	return revoked ? -ENODEV : 0;
}

static void pinmgr_export_unpin(struct dma_buf_attachment *attach)
{
	if (pinmgr_export_pin_holds(attach))
		pinmgr_export_unhold(pinmgr_exports_of(attach->dmabuf->priv));
}

/*
 * One scatterlist entry per physically contiguous run, split only where
 * the device's segments are shorter.
 */
static int pinmgr_export_sgt(struct pinmgr_lease *lease, struct device *dev,
			     struct sg_table *sgt)
{
	unsigned long max_pages = dma_get_max_seg_size(dev) >> PAGE_SHIFT;
	unsigned long i, left, n, pfn, nents = 0;
	struct scatterlist *sg;
	int ret;

	max_pages = clamp(max_pages, 1UL, (unsigned long)UINT_MAX >> PAGE_SHIFT);
	for (i = 0; i < lease->nr_runs; i++)
		nents += DIV_ROUND_UP((unsigned long)lease->runs[i].nr_pages,
				      max_pages);
	if (nents > UINT_MAX)
		return -E2BIG;
	ret = sg_alloc_table(sgt, nents, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (ret)
		return ret;
	sg = sgt->sgl;
	for (i = 0; i < lease->nr_runs; i++) {
		pfn = lease->runs[i].pfn;
		for (left = lease->runs[i].nr_pages; left; left -= n) {
			n = min(left, max_pages);
			sg_set_page(sg, pfn_to_page(pfn), n << PAGE_SHIFT, 0);
			sg = sg_next(sg);
			pfn += n;
		}
	}
	return 0;
}

static struct sg_table *pinmgr_export_map(struct dma_buf_attachment *attach,
					  enum dma_data_direction dir)
{
	struct pinmgr_export_buf *buf = attach->dmabuf->priv;
	struct pinmgr_exports *exp = pinmgr_exports_of(buf);
	struct pinmgr_export_map *map;
	int ret;

	/* The device may write unless it only reads (TO_DEVICE). */
	if (!buf->writable && dir != DMA_TO_DEVICE)
		return ERR_PTR(-EACCES);
	if (!pinmgr_export_hold(exp))
		return ERR_PTR(-ENODEV);
	map = kzalloc(sizeof(*map), GFP_KERNEL_ACCOUNT);
	if (!map) {
		ret = -ENOMEM;
		goto out_unhold;
	}
	ret = pinmgr_export_sgt(buf->lease, attach->dev, &map->sgt);
	if (ret)
		goto out_free_map;
	ret = dma_map_sgtable(attach->dev, &map->sgt, dir, 0);
	if (ret)
		goto out_free_table;
	map->dev = attach->dev;
	map->dir = dir;
	spin_lock(&exp->hold_lock);
	list_add(&map->node, &buf->mappings);
	spin_unlock(&exp->hold_lock);
	return &map->sgt;

out_free_table:
	sg_free_table(&map->sgt);
out_free_map:
	kfree(map);
out_unhold:
	pinmgr_export_unhold(exp);
	return ERR_PTR(ret);
}

static void pinmgr_export_unmap(struct dma_buf_attachment *attach,
				struct sg_table *sgt,
				enum dma_data_direction dir)
{
	struct pinmgr_export_buf *buf = attach->dmabuf->priv;
	struct pinmgr_exports *exp = pinmgr_exports_of(buf);
	struct pinmgr_export_map *map = container_of(sgt,
						     struct pinmgr_export_map,
						     sgt);

	spin_lock(&exp->hold_lock);
	list_del(&map->node);
	spin_unlock(&exp->hold_lock);
	dma_unmap_sgtable(attach->dev, sgt, dir, 0);
	sg_free_table(sgt);
	kfree(map);
	pinmgr_export_unhold(exp);
}

/* The struct page at @pgoff of the lease, or NULL past its end. */
static struct page *pinmgr_export_page(struct pinmgr_lease *lease,
				       unsigned long pgoff)
{
	unsigned long i;

	for (i = 0; i < lease->nr_runs; i++) {
		if (pgoff < lease->runs[i].nr_pages)
			return pfn_to_page(lease->runs[i].pfn + pgoff);
		pgoff -= lease->runs[i].nr_pages;
	}
	return NULL;
}

static vm_fault_t pinmgr_export_fault(struct vm_fault *vmf)
{
	struct pinmgr_export_buf *buf = vmf->vma->vm_private_data;
	struct pinmgr_exports *exp = pinmgr_exports_of(buf);
	struct page *page;
	vm_fault_t ret;

	/* Held while the entry goes in: the pages cannot go meanwhile. */
	if (!pinmgr_export_hold(exp))
		return VM_FAULT_SIGBUS;
	page = pinmgr_export_page(buf->lease, vmf->pgoff);
	ret = page ? vmf_insert_pfn(vmf->vma, vmf->address, page_to_pfn(page)) :
		     VM_FAULT_SIGBUS;
	pinmgr_export_unhold(exp);
	return ret;
}

static const struct vm_operations_struct pinmgr_export_vm_ops = {
	.fault = pinmgr_export_fault,
};

/*
 * The pinned pages themselves, mapped as page frames: the mapping neither
 * references nor counts them, the dma-buf that the VMA holds does. A lease
 * that ends takes them away (SIGBUS from then on).
 */
static int pinmgr_export_mmap(struct dma_buf *dmabuf,
			      struct vm_area_struct *vma)
{
	struct pinmgr_export_buf *buf = dmabuf->priv;
	unsigned long pages = vma_pages(vma);

	if (vma->vm_pgoff > buf->lease->nr_pages ||
	    pages > buf->lease->nr_pages - vma->vm_pgoff)
		return -EINVAL;
	/* An importer's mmap (dma_buf_mmap()) does not check the file mode. */
	if (!buf->writable) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		pinmgr_vm_flags_mod(vma, 0, VM_MAYWRITE);
	}
	pinmgr_vm_flags_mod(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP, 0);
	vma->vm_ops = &pinmgr_export_vm_ops;
	vma->vm_private_data = buf;
	return 0;
}

/*
 * A kernel mapping of the struct pages: a hold until vunmap. (Read-only
 * exports have no vmap: the mapping is writable, and nothing says what its
 * user does with it.)
 *
 * The dma-buf core takes a failed vmap for a bug (WARN_ON_ONCE), and an
 * owner can make its lease end whenever it likes: once the lease ended, a
 * vmap maps one blank page of its own, nr_pages times: what a device
 * still writes lands there, and nothing reads the lease.
 */
static int pinmgr_export_vmap_pages(struct pinmgr_export_buf *buf)
{
	struct pinmgr_lease *lease = buf->lease;
	struct pinmgr_exports *exp = lease->exports;
	unsigned long i, k, n = 0;
	struct page **pages;
	void *vaddr = NULL;
	bool held;

	pages = kvmalloc_array(lease->nr_pages, sizeof(*pages),
			       PINMGR_GFP_ARRAY);
	if (!pages)
		return -ENOMEM;
	held = pinmgr_export_hold(exp);
	if (!held) {
		buf->scratch = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!buf->scratch)
			goto out_free_pages;
		for (n = 0; n < lease->nr_pages; n++)
			pages[n] = buf->scratch;
	} else {
		for (i = 0; i < lease->nr_runs; i++)
			for (k = 0; k < lease->runs[i].nr_pages; k++)
				pages[n++] = pfn_to_page(lease->runs[i].pfn +
							 k);
	}
	vaddr = vmap(pages, n, VM_MAP, PAGE_KERNEL);
out_free_pages:
	kvfree(pages);
	if (!vaddr) {
		if (held)
			pinmgr_export_unhold(exp);
		if (buf->scratch)
			__free_page(buf->scratch);
		buf->scratch = NULL;
		return -ENOMEM;
	}
	buf->vaddr = vaddr;
	return 0;
}

static void pinmgr_export_vunmap_pages(struct pinmgr_export_buf *buf)
{
	vunmap(buf->vaddr);
	buf->vaddr = NULL;
	if (buf->scratch) {
		__free_page(buf->scratch);
		buf->scratch = NULL;
	} else {
		pinmgr_export_unhold(buf->lease->exports);
	}
}

#if defined(PINMGR_HAVE_DMA_BUF_VMAP_IOSYS_MAP)
static int pinmgr_export_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct pinmgr_export_buf *buf = dmabuf->priv;
	int ret = pinmgr_export_vmap_pages(buf);

	if (!ret)
		iosys_map_set_vaddr(map, buf->vaddr);
	return ret;
}

static void pinmgr_export_vunmap(struct dma_buf *dmabuf,
				 struct iosys_map *map)
{
	pinmgr_export_vunmap_pages(dmabuf->priv);
}
#elif defined(PINMGR_HAVE_DMA_BUF_VMAP_DMA_BUF_MAP)
static int pinmgr_export_vmap(struct dma_buf *dmabuf, struct dma_buf_map *map)
{
	struct pinmgr_export_buf *buf = dmabuf->priv;
	int ret = pinmgr_export_vmap_pages(buf);

	if (!ret)
		dma_buf_map_set_vaddr(map, buf->vaddr);
	return ret;
}

static void pinmgr_export_vunmap(struct dma_buf *dmabuf,
				 struct dma_buf_map *map)
{
	pinmgr_export_vunmap_pages(dmabuf->priv);
}
#else
static void *pinmgr_export_vmap(struct dma_buf *dmabuf)
{
	struct pinmgr_export_buf *buf = dmabuf->priv;

	return pinmgr_export_vmap_pages(buf) ? NULL : buf->vaddr;
}

static void pinmgr_export_vunmap(struct dma_buf *dmabuf, void *vaddr)
{
	pinmgr_export_vunmap_pages(dmabuf->priv);
}
#endif

/* Make what devices wrote visible to the CPU, and the other way round. */
static void pinmgr_export_sync(struct pinmgr_export_buf *buf, bool for_cpu)
{
	struct pinmgr_exports *exp = pinmgr_exports_of(buf);
	struct pinmgr_export_map *map;

	spin_lock(&exp->hold_lock);
	list_for_each_entry(map, &buf->mappings, node) {
		if (for_cpu)
			dma_sync_sgtable_for_cpu(map->dev, &map->sgt, map->dir);
		else
			dma_sync_sgtable_for_device(map->dev, &map->sgt,
						    map->dir);
	}
	spin_unlock(&exp->hold_lock);
}

static int pinmgr_export_begin_cpu(struct dma_buf *dmabuf,
				   enum dma_data_direction dir)
{
	pinmgr_export_sync(dmabuf->priv, true);
	return 0;
}

static int pinmgr_export_end_cpu(struct dma_buf *dmabuf,
				 enum dma_data_direction dir)
{
	pinmgr_export_sync(dmabuf->priv, false);
	return 0;
}

/*
 * The dma-buf's last reference went: so goes its reference on the lease,
 * and, from the last dma-buf of a HELD lease, the index's.
 */
static void pinmgr_export_release(struct dma_buf *dmabuf)
{
	struct pinmgr_export_buf *buf = dmabuf->priv;
	struct pinmgr_exports *exp = pinmgr_exports_of(buf);
	struct pinmgr_lease *lease = buf->lease;
	bool unindex = false;

	mutex_lock(&exp->lock);
	if (!list_empty(&buf->node)) {
		list_del(&buf->node);
		unindex = !--exp->nr_bufs && exp->holds_index;
		if (unindex)
			exp->holds_index = false;
	}
	mutex_unlock(&exp->lock);
	kfree(buf);
	if (unindex) {
		pinmgr_lease_remove(lease);
		pinmgr_lease_put(lease);
	}
	pinmgr_lease_put(lease);
}

#define PINMGR_EXPORT_OPS					\
	.attach = pinmgr_export_attach,				\
	.detach = pinmgr_export_detach,				\
	.pin = pinmgr_export_pin,				\
	.unpin = pinmgr_export_unpin,				\
	.map_dma_buf = pinmgr_export_map,			\
	.unmap_dma_buf = pinmgr_export_unmap,			\
	.release = pinmgr_export_release,			\
	.mmap = pinmgr_export_mmap,				\
	.begin_cpu_access = pinmgr_export_begin_cpu,		\
	.end_cpu_access = pinmgr_export_end_cpu

static const struct dma_buf_ops pinmgr_export_ops = {
	PINMGR_EXPORT_OPS,
	.vmap = pinmgr_export_vmap,
	.vunmap = pinmgr_export_vunmap,
};

/* No vmap: dma_buf_vmap() answers EINVAL, without a warning. */
static const struct dma_buf_ops pinmgr_export_ro_ops = {
	PINMGR_EXPORT_OPS,
};

/* The lease's exports, made on first use. */
static struct pinmgr_exports *pinmgr_exports_get(struct pinmgr_lease *lease)
{
	struct pinmgr_exports *exp = READ_ONCE(lease->exports), *old;

	if (exp)
		return exp;
	exp = kzalloc(sizeof(*exp), GFP_KERNEL_ACCOUNT);
	if (!exp)
		return NULL;
	exp->lease = lease;
	mutex_init(&exp->lock);
	INIT_LIST_HEAD(&exp->bufs);
	spin_lock_init(&exp->hold_lock);
	INIT_WORK(&exp->release_work, pinmgr_export_release_work);
	old = cmpxchg(&lease->exports, NULL, exp);
	if (old) {
		kfree(exp);
		return old;
	}
	return exp;
}

/* With the lease: no dma-buf, hold or work is left. */
void pinmgr_exports_free(struct pinmgr_lease *lease)
{
	struct pinmgr_exports *exp = lease->exports;

	if (!exp)
		return;
	WARN_ON_ONCE(exp->nr_bufs || exp->nr_holds);
	mutex_destroy(&exp->lock);
	kfree(exp);
	lease->exports = NULL;
}

/*
 * May the lease's file be published for @ctx's owner now? Under ctx->lock:
 * a live lease of the context, neither under a break nor stale.
 */
static int pinmgr_export_allowed(struct pinmgr_lease *lease)
{
	lockdep_assert_held(&lease->ctx->lock);
	if (list_empty(&lease->ctx_node))
		return -ENOENT;
	if (lease->state == PINMGR_LS_BREAKING)
		return -EBUSY;
	if (lease->state != PINMGR_LS_ACTIVE)
		return pinmgr_lease_ended_errno(lease) ?: -ENOENT;
	if (pinmgr_watch_is_stale(lease))
		return -ESTALE;
	return 0;
}

/**
 * pinmgr_lease_export() - make a dma-buf of a lease of @ctx's
 * @ctx: the owner's context
 * @handle: the lease
 * @filep: the dma-buf's file, with one reference for the caller to
 *	install or put
 *
 * Return: 0, -ENOENT, -EINVAL (a watch-only lease: no pinned pages),
 * -EBUSY (under a break), -ESTALE, -EKEYEXPIRED, -EKEYREVOKED, -ENOMEM.
 */
int pinmgr_lease_export(struct pinmgr_ctx *ctx, u64 handle,
			struct file **filep)
{
	DEFINE_DMA_BUF_EXPORT_INFO(info);
	struct pinmgr_lease *lease = pinmgr_lease_get(ctx, handle);
	struct pinmgr_export_buf *buf;
	struct pinmgr_exports *exp;
	struct dma_buf *dmabuf;
	int ret;

	if (!lease)
		return -ENOENT;
	if (lease->pin_flags & PINMGR_PIN_WATCH_ONLY) {
		ret = -EINVAL;
		goto out_put_lease;
	}
	exp = pinmgr_exports_get(lease);
	buf = kzalloc(sizeof(*buf), GFP_KERNEL_ACCOUNT);
	if (!exp || !buf) {
		ret = -ENOMEM;
		goto out_free_buf;
	}
	buf->lease = lease;
	buf->writable = lease->pin_flags & PINMGR_PIN_WRITE;
	INIT_LIST_HEAD(&buf->node);
	INIT_LIST_HEAD(&buf->mappings);

	info.ops = buf->writable ? &pinmgr_export_ops : &pinmgr_export_ro_ops;
	info.size = lease->nr_pages << PAGE_SHIFT;
	info.flags = (buf->writable ? O_RDWR : O_RDONLY) | O_CLOEXEC;
	info.priv = buf;
	dmabuf = dma_buf_export(&info);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto out_free_buf;
	}
	/* From here on the dma-buf's release puts the lease and frees buf. */
	buf->dmabuf = dmabuf;

	mutex_lock(&ctx->lock);
	ret = pinmgr_export_allowed(lease);
	if (!ret) {
		mutex_lock(&exp->lock);
		list_add_tail(&buf->node, &exp->bufs);
		exp->nr_bufs++;
		mutex_unlock(&exp->lock);
	}
	mutex_unlock(&ctx->lock);
	if (ret) {
		dma_buf_put(dmabuf);
		return ret;
	}
	trace_pinmgr_export(lease);
	*filep = dmabuf->file;
	return 0;

out_free_buf:
	kfree(buf);
out_put_lease:
	pinmgr_lease_put(lease);
	return ret;
}

/*
 * The owner ends a live lease (UNPIN, close): if dma-bufs of it are open,
 * they take the index's reference, and the lease stays to be seen, HELD,
 * until the last goes. Under ctx->lock. Return: true if they took it.
 */
bool pinmgr_exports_hold_index(struct pinmgr_lease *lease)
{
	struct pinmgr_exports *exp = READ_ONCE(lease->exports);
	bool held;

	lockdep_assert_held(&lease->ctx->lock);
	if (!exp)
		return false;
	mutex_lock(&exp->lock);
	held = exp->nr_bufs;
	exp->holds_index = held;
	mutex_unlock(&exp->lock);
	return held;
}

/* Does a dma-buf hold @lease? UNPIN asks, after detaching it. */
bool pinmgr_lease_exported(struct pinmgr_lease *lease)
{
	struct pinmgr_exports *exp = READ_ONCE(lease->exports);
	bool exported;

	if (!exp)
		return false;
	mutex_lock(&exp->lock);
	exported = exp->nr_bufs;
	mutex_unlock(&exp->lock);
	return exported;
}

static void pinmgr_export_notify(struct dma_buf *dmabuf)
{
	dma_resv_lock(dmabuf->resv, NULL);
#ifdef PINMGR_HAVE_DMA_BUF_INVALIDATE_MAPPINGS
	dma_buf_invalidate_mappings(dmabuf);
#else
	dma_buf_move_notify(dmabuf);
#endif
	dma_resv_unlock(dmabuf->resv);
}

/**
 * pinmgr_exports_revoke() - the lease is ending: take it from its importers
 * @lease: an ENDING lease; the caller holds a reference
 *
 * Nothing new reaches the pages; CPU mappings go; dynamic importers are
 * told to unmap. Then, once the lease's own users are gone:
 * pinmgr_exports_keep_pages() says whether the holds left keep the pages.
 */
void pinmgr_exports_revoke(struct pinmgr_lease *lease)
{
	struct pinmgr_exports *exp = READ_ONCE(lease->exports);
	struct pinmgr_export_buf *buf;

	if (!exp)
		return;
	spin_lock(&exp->hold_lock);
	exp->revoked = true;
	spin_unlock(&exp->hold_lock);

	mutex_lock(&exp->lock);
	pinmgr_export_zap(exp);
	list_for_each_entry(buf, &exp->bufs, node)
		pinmgr_export_notify(buf->dmabuf);
	mutex_unlock(&exp->lock);
}

/*
 * After pinmgr_exports_revoke(): true if devices still hold the pages,
 * whose last hold then releases them; false if the caller releases them.
 */
bool pinmgr_exports_keep_pages(struct pinmgr_lease *lease)
{
	struct pinmgr_exports *exp = READ_ONCE(lease->exports);
	bool keep;

	if (!exp)
		return false;
	spin_lock(&exp->hold_lock);
	keep = exp->nr_holds;
	exp->release_pending = keep;
	spin_unlock(&exp->hold_lock);
	if (!keep) {
		/* A fault that began before the end may have mapped a page. */
		mutex_lock(&exp->lock);
		pinmgr_export_zap(exp);
		mutex_unlock(&exp->lock);
	}
	return keep;
}

/* For QUERY and the listings: dma-bufs, attachments, holds. */
void pinmgr_exports_view(struct pinmgr_lease *lease, u32 *bufs, u32 *holds)
{
	struct pinmgr_exports *exp = READ_ONCE(lease->exports);

	*bufs = 0;
	*holds = 0;
	if (!exp)
		return;
	spin_lock(&exp->hold_lock);
	*holds = exp->nr_holds;
	spin_unlock(&exp->hold_lock);
	*bufs = READ_ONCE(exp->nr_bufs);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Leases: one pinned range each, stored as physically contiguous runs, named
 * by a device-wide 64-bit handle and filed in a shard of the device's index
 * (see struct pinmgr_shard) and in their context's list.
 *
 * Life of a lease: pinmgr_lease_create() charges, pins and files the lease
 * in the index under a new handle, still invisible to lookups; the caller
 * then either publishes it (pinmgr_lease_publish()) or throws it away
 * (pinmgr_lease_abort()), so that a request whose reply cannot be delivered
 * leaves nothing behind. Once published, the index holds one reference;
 * lookups take more; the last put unpins, uncharges and frees it.
 *
 * Lookups find leases without a lock, so the lease cache is
 * SLAB_TYPESAFE_BY_RCU: a lease found under RCU may have been freed and even
 * reused since, but its memory is still a lease. A lookup therefore takes a
 * reference only if the count is not zero, with acquire ordering, and then
 * checks that the lease is still the one its handle names; a lease's
 * fields are all set before its count is, with release ordering.
 */
#include <linux/cred.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/timekeeping.h>
#include <linux/wait_bit.h>

#include "compat.h"
#include "pinmgr.h"

static struct kmem_cache *pinmgr_lease_cache;

unsigned int pinmgr_shard_bits;
struct pinmgr_shard *pinmgr_shards;

int pinmgr_lease_cache_init(void)
{
	/* A run's page frame numbers must cover all of physical memory. */
	if (MAX_PHYSMEM_BITS - PAGE_SHIFT > PINMGR_RUN_PFN_BITS) {
		pr_err("pinmgr: %d-bit physical addresses do not fit a run\n",
		       MAX_PHYSMEM_BITS);
		return -EOPNOTSUPP;
	}
	pinmgr_lease_cache = KMEM_CACHE(pinmgr_lease,
					SLAB_ACCOUNT | SLAB_TYPESAFE_BY_RCU);
	return pinmgr_lease_cache ? 0 : -ENOMEM;
}

void pinmgr_lease_cache_exit(void)
{
	/* Waits for the grace period of typesafe slabs itself. */
	kmem_cache_destroy(pinmgr_lease_cache);
}

int pinmgr_shards_init(void)
{
	unsigned int i, nr;

	pinmgr_shard_bits = order_base_2(min(nr_cpu_ids, 256U));
	nr = 1U << pinmgr_shard_bits;
	pinmgr_shards = kcalloc(nr, sizeof(*pinmgr_shards), GFP_KERNEL);
	if (!pinmgr_shards)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		xa_init(&pinmgr_shards[i].leases);
		pinmgr_shards[i].next_seq = 1;
	}
	return 0;
}

/* Every lease is gone by now: what is left are reserved slots. */
void pinmgr_shards_exit(void)
{
	unsigned int i;

	for (i = 0; i < 1U << pinmgr_shard_bits; i++) {
		WARN_ON_ONCE(pinmgr_shards[i].nr_leases);
		xa_destroy(&pinmgr_shards[i].leases);
	}
	kfree(pinmgr_shards);
}

static struct pinmgr_shard *pinmgr_handle_shard(u64 handle)
{
	return &pinmgr_shards[handle & ((1U << pinmgr_shard_bits) - 1)];
}

static unsigned long pinmgr_handle_seq(u64 handle)
{
	return handle >> pinmgr_shard_bits;
}

/* Leases on the device, created or published; for reports, not limits. */
long pinmgr_device_leases(void)
{
	long sum = 0;
	unsigned int i;

	for (i = 0; i < 1U << pinmgr_shard_bits; i++)
		sum += READ_ONCE(pinmgr_shards[i].nr_leases);
	return sum;
}

static_assert(sizeof(struct pinmgr_run) == sizeof(u64));

size_t pinmgr_lease_metadata_bytes(const struct pinmgr_lease *lease)
{
	size_t bytes = sizeof(*lease);

	if (lease->runs != lease->inline_runs)
		bytes += lease->max_runs * sizeof(*lease->runs);
	return bytes;
}

static unsigned int pinmgr_gup_flags(u32 pin_flags)
{
	unsigned int gup_flags = 0;

	if (pin_flags & PINMGR_PIN_WRITE)
		gup_flags |= FOLL_WRITE;
	if (pin_flags & PINMGR_PIN_LONGTERM)
		gup_flags |= FOLL_LONGTERM;
	return gup_flags;
}

static int pinmgr_runs_grow(struct pinmgr_lease *lease)
{
	unsigned long max_runs = lease->max_runs * 2;
	struct pinmgr_run *runs;

	if (lease->runs == lease->inline_runs) {
		runs = kvmalloc_array(max_runs, sizeof(*runs),
				      PINMGR_GFP_ARRAY);
		if (runs)
			memcpy(runs, lease->inline_runs,
			       sizeof(lease->inline_runs));
	} else {
		runs = pinmgr_kvrealloc(lease->runs,
					array_size(lease->max_runs,
						   sizeof(*runs)),
					array_size(max_runs, sizeof(*runs)),
					PINMGR_GFP_ARRAY);
	}
	if (!runs)
		return -ENOMEM;
	lease->runs = runs;
	lease->max_runs = max_runs;
	return 0;
}

/*
 * How many of @pages[0, @n) follow @pages[0] in physical order. With a
 * virtually contiguous memmap (SPARSEMEM_VMEMMAP, FLATMEM), consecutive
 * frames have consecutive struct pages, so this compares pointers, eight
 * at a time with one branch: a batch that is one huge page (512 pages)
 * costs little next to pinning it.
 */
static unsigned long pinmgr_contiguous(struct page **pages, unsigned long n)
{
#if defined(CONFIG_SPARSEMEM_VMEMMAP) || defined(CONFIG_FLATMEM)
	struct page *first = pages[0];
	unsigned long i = 1, k, diff;

	for (; i + 8 <= n; i += 8) {
		diff = 0;
		for (k = 0; k < 8; k++)
			diff |= (unsigned long)pages[i + k] ^
				(unsigned long)(first + i + k);
		if (diff)
			break;
	}
	for (; i < n; i++)
		if (pages[i] != first + i)
			break;
	return i;
#else
	unsigned long i, pfn = page_to_pfn(pages[0]);

	for (i = 1; i < n; i++)
		if (page_to_pfn(pages[i]) != pfn + i)
			break;
	return i;
#endif
}

/*
 * Fold a batch of pinned pages into the lease's runs. On failure, pages
 * [0, *nr_added) are in runs and the rest are not.
 */
static int pinmgr_runs_append(struct pinmgr_lease *lease, struct page **pages,
			      unsigned long nr_pages, unsigned long *nr_added)
{
	struct pinmgr_run *last;
	unsigned long i, n, pfn;
	int ret;

	for (i = 0; i < nr_pages; i += n) {
		n = pinmgr_contiguous(pages + i, nr_pages - i);
		pfn = page_to_pfn(pages[i]);
		last = lease->nr_runs ? &lease->runs[lease->nr_runs - 1] : NULL;
		if (last && last->pfn + last->nr_pages == pfn &&
		    last->nr_pages + n <= PINMGR_RUN_MAX_PAGES) {
			last->nr_pages += n;
			continue;
		}
		/* A run too long for one entry goes on in the next. */
		n = min(n, PINMGR_RUN_MAX_PAGES);
		if (lease->nr_runs == lease->max_runs) {
			ret = pinmgr_runs_grow(lease);
			if (ret) {
				*nr_added = i;
				return ret;
			}
		}
		lease->runs[lease->nr_runs].pfn = pfn;
		lease->runs[lease->nr_runs].nr_pages = n;
		lease->nr_runs++;
	}
	*nr_added = nr_pages;
	return 0;
}

static void pinmgr_runs_unpin(struct pinmgr_lease *lease)
{
	bool dirty = lease->pin_flags & PINMGR_PIN_WRITE;
	unsigned long i;

	for (i = 0; i < lease->nr_runs; i++) {
		vaddr_unpin_pfn_range(lease->runs[i].pfn,
				      lease->runs[i].nr_pages, dirty);
		if ((i & 255) == 255)
			cond_resched();
	}
	lease->nr_runs = 0;
}

/*
 * Count a failed pin by its cause. GUP says EFAULT both for memory that is
 * not there and for a file mapping it refuses to pin long-term (fsdax; on
 * 6.5+ writable shared mappings that need dirty tracking): the mapping at
 * the failing address tells which.
 */
static void pinmgr_count_pin_failure(struct mm_struct *mm, unsigned long addr,
				     unsigned int gup_flags, int err)
{
	struct vm_area_struct *vma;
	bool refused = false;

	if ((err == -EFAULT || err == -EOPNOTSUPP) &&
	    (gup_flags & FOLL_LONGTERM)) {
		mmap_read_lock(mm);
		vma = vma_lookup(mm, addr);
		if (vma && vma->vm_file)
			refused = vma_is_dax(vma) ||
				  ((gup_flags & FOLL_WRITE) &&
				   (vma->vm_flags & VM_SHARED) &&
				   (vma->vm_flags & VM_WRITE) && vma->vm_ops &&
				   vma->vm_ops->page_mkwrite);
		mmap_read_unlock(mm);
	}
	if (refused)
		pinmgr_count(PINMGR_STAT_FAIL_FILE);
	else
		pinmgr_count_failure(err);
}

/*
 * Pin the lease's range batch by batch into runs, through @batch of
 * @batch_len page pointers. On failure nothing stays pinned, and the
 * failure is counted.
 */
static int pinmgr_pin_runs(struct pinmgr_ctx *ctx, struct pinmgr_lease *lease,
			   struct page **batch, unsigned long batch_len)
{
	struct vaddr_pin vp = { .f_owner = ctx->file, .mm = ctx->mm };
	unsigned int gup_flags = pinmgr_gup_flags(lease->pin_flags);
	unsigned long done = 0, added, nr;
	long pinned;
	int ret;

	while (done < lease->nr_pages) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			pinmgr_count_failure(ret);
			goto out_unpin_runs;
		}
		nr = min(lease->nr_pages - done, batch_len);
		pinned = vaddr_pin_pages(lease->addr + (done << PAGE_SHIFT), nr,
					 gup_flags, batch, &vp);
		if (pinned <= 0) {
			ret = pinned ? pinned : -EFAULT;
			pinmgr_count_pin_failure(ctx->mm, lease->addr +
						 (done << PAGE_SHIFT),
						 gup_flags, ret);
			goto out_unpin_runs;
		}
		ret = pinmgr_runs_append(lease, batch, pinned, &added);
		if (ret) {
			vaddr_unpin_pages(batch + added, pinned - added, &vp,
					  false);
			pinmgr_count_failure(ret);
			goto out_unpin_runs;
		}
		done += pinned;
		if (done < lease->nr_pages)
			cond_resched();
	}
	return 0;

out_unpin_runs:
	pinmgr_runs_unpin(lease);
	return ret;
}

/* Small requests pin through the stack; large ones share the context's batch. */
static int pinmgr_pin_range(struct pinmgr_ctx *ctx, struct pinmgr_lease *lease)
{
	struct page *stack[PINMGR_STACK_PAGES];
	int ret;

	if (lease->nr_pages <= PINMGR_STACK_PAGES)
		return pinmgr_pin_runs(ctx, lease, stack, ARRAY_SIZE(stack));

	ret = mutex_lock_killable(&ctx->pin_lock);
	if (ret) {
		pinmgr_count_failure(ret);
		return ret;
	}
	ret = pinmgr_pin_runs(ctx, lease, ctx->batch, PINMGR_BATCH_PAGES);
	mutex_unlock(&ctx->pin_lock);
	return ret;
}

/*
 * File a pinned lease in the shard of this CPU under a new handle. It stays
 * invisible to lookups until published.
 */
static int pinmgr_lease_insert(struct pinmgr_lease *lease)
{
	unsigned int idx = raw_smp_processor_id() &
			   ((1U << pinmgr_shard_bits) - 1);
	struct pinmgr_shard *shard = &pinmgr_shards[idx];
	unsigned long seq;
	void *old;

	xa_lock(&shard->leases);
	seq = shard->next_seq++;
	WRITE_ONCE(lease->handle, (u64)seq << pinmgr_shard_bits | idx);
	old = __xa_store(&shard->leases, seq, lease, GFP_KERNEL_ACCOUNT);
	if (xa_is_err(old)) {
		xa_unlock(&shard->leases);
		return xa_err(old);
	}
	shard->nr_leases++;
	/*
	 * The first lease of each block of XA_CHUNK_SIZE sequence numbers
	 * reserves the block's last slot, which keeps the block's node while
	 * the sequence runs through it (see struct pinmgr_shard). Failing
	 * only costs allocations later.
	 */
	if (!(seq & XA_CHUNK_MASK) || seq == 1)
		__xa_cmpxchg(&shard->leases, seq | XA_CHUNK_MASK, NULL,
			     XA_ZERO_ENTRY, GFP_KERNEL_ACCOUNT);
	xa_unlock(&shard->leases);
	return 0;
}

/* Take a lease out of the index; its handle is never used again. */
static void pinmgr_lease_remove(struct pinmgr_lease *lease)
{
	struct pinmgr_shard *shard = pinmgr_handle_shard(lease->handle);

	xa_lock(&shard->leases);
	__xa_erase(&shard->leases, pinmgr_handle_seq(lease->handle));
	shard->nr_leases--;
	xa_unlock(&shard->leases);
}

/**
 * pinmgr_lease_release_pages() - unpin and uncharge a lease's pages
 * @lease: a lease no one else uses the pages of: its last reference is
 *	going, or it is ENDING and its page users are gone
 *
 * The record stays, with no runs, for its owner to learn how it ended.
 */
void pinmgr_lease_release_pages(struct pinmgr_lease *lease)
{
	if (!lease->pinned)
		return;
	pinmgr_runs_unpin(lease);
	pinmgr_uncharge(lease->ctx, lease->user, lease->nr_pages);
	if (lease->runs != lease->inline_runs)
		kvfree(lease->runs);
	lease->runs = lease->inline_runs;
	lease->max_runs = PINMGR_INLINE_RUNS;
	lease->pinned = false;
}

/* Release and free a lease that no one can find any more. */
static void pinmgr_lease_destroy(struct pinmgr_lease *lease)
{
	struct pinmgr_ctx *ctx = lease->ctx;

	pinmgr_lease_release_pages(lease);
	atomic_dec(&ctx->nr_leases);
	if (lease->owner != ctx->owner)
		put_pid(lease->owner);
	if (lease->user != ctx->user)
		free_uid(lease->user);
	kmem_cache_free(pinmgr_lease_cache, lease);
	pinmgr_ctx_put(ctx);
}

/**
 * pinmgr_lease_create() - pin a range as a new, not yet published, lease
 * @ctx: the context; its mm is the caller's (checked by the caller)
 * @req: validated request: page-aligned, non-empty, non-wrapping range,
 *	with the lease's duration (0: none)
 *
 * Return: the lease, filed under its handle but invisible until published,
 * or an ERR_PTR with nothing pinned or charged (and the failure counted).
 */
struct pinmgr_lease *pinmgr_lease_create(struct pinmgr_ctx *ctx,
					 const struct pinmgr_pin *req)
{
	unsigned long max_pages = READ_ONCE(pinmgr_max_lease_pages);
	unsigned int max_leases = READ_ONCE(pinmgr_max_leases);
	unsigned long nr_pages = req->length >> PAGE_SHIFT;
	struct user_struct *user = current_user();
	struct pinmgr_lease *lease;
	struct pid *owner;
	int ret;

	if (max_pages && nr_pages > max_pages) {
		ret = -EFBIG;
		goto out_count;
	}
	/* A lease that can expire can tell so: the queue exists first. */
	if (req->duration_ns) {
		ret = pinmgr_events_prepare(ctx);
		if (ret)
			goto out_count;
	}
	if (atomic_inc_return(&ctx->nr_leases) > max_leases && max_leases) {
		ret = -EMFILE;
		goto out_dec_leases;
	}
	ret = pinmgr_charge(ctx, user, nr_pages);
	if (ret)
		goto out_dec_leases;

	lease = kmem_cache_zalloc(pinmgr_lease_cache, GFP_KERNEL_ACCOUNT);
	if (!lease) {
		ret = -ENOMEM;
		goto out_uncharge;
	}
	refcount_inc(&ctx->refs);
	lease->ctx = ctx;
	lease->state = PINMGR_LS_CREATING;
	lease->pinned = true;
	refcount_set(&lease->pages_ref, 1);
	INIT_LIST_HEAD(&lease->ctx_node);
	timerqueue_init(&lease->deadline);
	if (req->duration_ns)
		lease->expire_at = ktime_add_safe(ktime_get_boottime(),
						  ns_to_ktime(req->duration_ns));
	lease->addr = req->addr;
	lease->nr_pages = nr_pages;
	lease->pin_flags = pinmgr_pin_flags(req->flags);
	lease->cookie = req->cookie;
	lease->create_time_ns = ktime_get_real_ns();
	/* The opener pins in the common case: share the context's reference. */
	owner = task_tgid(current);
	lease->owner = owner == ctx->owner ? owner : get_pid(owner);
	/* The charge goes with the lease, whoever holds its file later. */
	lease->user = user == ctx->user ? user : get_uid(user);
	/* Shown as /proc shows a task's owner: who the pinner acts as. */
	lease->uid = current_euid();
	/* Our own comm: only we, or PR_SET_NAME of a sibling, change it. */
	strscpy_pad(lease->comm, current->comm, sizeof(lease->comm));
	lease->runs = lease->inline_runs;
	lease->max_runs = PINMGR_INLINE_RUNS;
	/* Last: a stale lookup may see this memory from now on. */
	pinmgr_refcount_set_release(&lease->users, 1);

	/* Counts its own failures, whose causes it knows best. */
	ret = pinmgr_pin_range(ctx, lease);
	if (ret)
		goto out_put_lease;
	ret = pinmgr_lease_insert(lease);
	if (ret) {
		pinmgr_count_failure(ret);
		goto out_put_lease;
	}
	return lease;

out_put_lease:
	/*
	 * A stale lookup may hold a reference for a moment: the last put
	 * undoes the charge and the count (nothing stays pinned).
	 */
	pinmgr_lease_put(lease);
	return ERR_PTR(ret);
out_uncharge:
	pinmgr_uncharge(ctx, user, nr_pages);
out_dec_leases:
	atomic_dec(&ctx->nr_leases);
out_count:
	pinmgr_count_failure(ret);
	return ERR_PTR(ret);
}

/*
 * Make a created lease visible to lookups and to its context's list, start
 * its clock if it has one, and tell the monitor group. The caller's
 * reference (the index's) keeps it alive throughout.
 */
void pinmgr_lease_publish(struct pinmgr_lease *lease)
{
	struct pinmgr_ctx *ctx = lease->ctx;

	mutex_lock(&ctx->lock);
	list_add_tail(&lease->ctx_node, &ctx->leases);
	/* Pairs with the acquire in pinmgr_lease_find(). */
	smp_store_release(&lease->state, PINMGR_LS_ACTIVE);
	if (lease->expire_at)
		pinmgr_lease_queue_deadline(lease);
	mutex_unlock(&ctx->lock);
	pinmgr_count(PINMGR_STAT_PINS);
	pinmgr_nl_notify(lease, PINMGR_NL_CMD_LEASE_PINNED_NTF);
}

/* Throw away a created, never published lease: unpin, uncharge, free. */
void pinmgr_lease_abort(struct pinmgr_lease *lease)
{
	pinmgr_lease_remove(lease);
	pinmgr_lease_put(lease);
}

/* Look up a published lease anywhere on the device and take a reference. */
struct pinmgr_lease *pinmgr_lease_find(u64 handle)
{
	struct pinmgr_lease *lease;
	u32 state;

	rcu_read_lock();
	lease = xa_load(&pinmgr_handle_shard(handle)->leases,
			pinmgr_handle_seq(handle));
	if (lease && !pinmgr_refcount_inc_not_zero_acquire(&lease->users))
		lease = NULL;
	rcu_read_unlock();
	if (!lease)
		return NULL;
	/*
	 * Pairs with the release in pinmgr_lease_publish(): a lease seen
	 * published is seen whole.
	 */
	state = smp_load_acquire(&lease->state);
	/* Freed and reused since the load? Then it is another lease. */
	if (READ_ONCE(lease->handle) != handle ||
	    state == PINMGR_LS_CREATING) {
		pinmgr_lease_put(lease);
		return NULL;
	}
	return lease;
}

/* Look up a published lease of @ctx and take a reference, or NULL. */
struct pinmgr_lease *pinmgr_lease_get(struct pinmgr_ctx *ctx, u64 handle)
{
	struct pinmgr_lease *lease = pinmgr_lease_find(handle);

	if (lease && lease->ctx != ctx) {
		pinmgr_lease_put(lease);
		return NULL;
	}
	return lease;
}

void pinmgr_lease_put(struct pinmgr_lease *lease)
{
	if (refcount_dec_and_test(&lease->users))
		pinmgr_lease_destroy(lease);
}

/* How an ended lease answers its owner: 0 while it is live. */
int pinmgr_lease_ended_errno(const struct pinmgr_lease *lease)
{
	u32 state = READ_ONCE(lease->state);

	if (state == PINMGR_LS_ENDING)
		state = READ_ONCE(lease->end_state);
	if (state == PINMGR_LS_EXPIRED)
		return -EKEYEXPIRED;
	if (state == PINMGR_LS_REVOKED)
		return -EKEYREVOKED;
	return 0;
}

/*
 * Take the lease out of its context's list, deadline queue and the index:
 * nothing finds it any more. The index's reference is the caller's to put.
 */
static void pinmgr_lease_detach(struct pinmgr_lease *lease)
{
	lockdep_assert_held(&lease->ctx->lock);
	if (lease->state == PINMGR_LS_EXPIRED ||
	    lease->state == PINMGR_LS_REVOKED)
		atomic_long_dec(&pinmgr_ended_leases);
	list_del_init(&lease->ctx_node);
	pinmgr_lease_dequeue_deadline(lease);
	pinmgr_lease_remove(lease);
}

/*
 * A live lease was ended by its owner (UNPIN, or close): count it and tell
 * the monitor group. Its pages go with the caller's reference.
 */
static void pinmgr_lease_unpinned(struct pinmgr_lease *lease)
{
	pinmgr_count(PINMGR_STAT_UNPINS);
	pinmgr_nl_notify(lease, PINMGR_NL_CMD_LEASE_UNPINNED_NTF);
}

/*
 * End a lease of @ctx by handle: a live one is unpinned (0); an expired or
 * revoked one is acknowledged (EKEYEXPIRED, EKEYREVOKED), after waiting
 * for its pages to be released if that is under way.
 */
int pinmgr_lease_unpin(struct pinmgr_ctx *ctx, u64 handle)
{
	struct pinmgr_lease *lease = pinmgr_lease_get(ctx, handle);
	int ret;

	if (!lease)
		return -ENOENT;
	mutex_lock(&ctx->lock);
	while (lease->state == PINMGR_LS_ENDING) {
		mutex_unlock(&ctx->lock);
		wait_var_event(&lease->state,
			       READ_ONCE(lease->state) != PINMGR_LS_ENDING);
		mutex_lock(&ctx->lock);
	}
	if (list_empty(&lease->ctx_node)) {
		/* Another thread ended it first. */
		ret = -ENOENT;
		mutex_unlock(&ctx->lock);
		goto out_put;
	}
	ret = pinmgr_lease_ended_errno(lease);
	pinmgr_lease_detach(lease);
	mutex_unlock(&ctx->lock);
	/* The index's reference; ours goes last and releases the pages. */
	pinmgr_lease_put(lease);
	if (!ret)
		pinmgr_lease_unpinned(lease);
out_put:
	pinmgr_lease_put(lease);
	return ret;
}

/*
 * Users of a lease's pages (ACCESS, GET_SEGMENTS) hold pages_ref; an
 * expiry or revocation waits for them to be gone before it releases the
 * pages. Fails once the lease is ending or ended.
 */
bool pinmgr_lease_pages_get(struct pinmgr_lease *lease)
{
	u32 state;

	if (!pinmgr_refcount_inc_not_zero_acquire(&lease->pages_ref))
		return false;
	state = READ_ONCE(lease->state);
	if (state == PINMGR_LS_ACTIVE || state == PINMGR_LS_BREAKING)
		return true;
	pinmgr_lease_pages_put(lease);
	return false;
}

void pinmgr_lease_pages_put(struct pinmgr_lease *lease)
{
	if (refcount_dec_and_test(&lease->pages_ref))
		wake_up_var(&lease->pages_ref);
}

/**
 * pinmgr_lease_next() - walk every published lease on the device
 * @shard: in: the shard to start in; out: the lease's
 * @seq: in: the sequence number to start at; out: the lease's
 *
 * Leases come in (shard, sequence) order, each with a reference the caller
 * puts. To go on after one, start at its sequence number + 1; to start
 * over, at (0, 0). A walk resumed so reports every lease that lived
 * through it exactly once, whatever was pinned or unpinned meanwhile.
 *
 * Return: the lease, or NULL at the end.
 */
struct pinmgr_lease *pinmgr_lease_next(unsigned int *shard, unsigned long *seq)
{
	struct pinmgr_lease *lease;
	u32 state;

	for (; *shard < 1U << pinmgr_shard_bits; (*shard)++, *seq = 0) {
		XA_STATE(xas, &pinmgr_shards[*shard].leases, *seq);

		rcu_read_lock();
		xas_for_each(&xas, lease, ULONG_MAX) {
			if (xas_retry(&xas, lease))
				continue;
			if (!pinmgr_refcount_inc_not_zero_acquire(&lease->users))
				continue;
			/* Pairs with the release in pinmgr_lease_publish(). */
			state = smp_load_acquire(&lease->state);
			/* Reused since, or not published: not this one. */
			if (READ_ONCE(lease->handle) !=
			    ((u64)xas.xa_index << pinmgr_shard_bits | *shard) ||
			    state == PINMGR_LS_CREATING) {
				/* The put may free it: not under RCU. */
				xas_pause(&xas);
				rcu_read_unlock();
				pinmgr_lease_put(lease);
				rcu_read_lock();
				continue;
			}
			rcu_read_unlock();
			*seq = xas.xa_index;
			return lease;
		}
		rcu_read_unlock();
		cond_resched();
	}
	return NULL;
}

/*
 * Copy up to @max handles of @ctx's leases, oldest first, into @buf; *@total
 * counts them all. Return: handles copied.
 */
u32 pinmgr_lease_list(struct pinmgr_ctx *ctx, u64 *buf, u32 max, u64 *total)
{
	struct pinmgr_lease *lease;
	u32 filled = 0;
	u64 n = 0;

	mutex_lock(&ctx->lock);
	list_for_each_entry(lease, &ctx->leases, ctx_node) {
		if (filled < max)
			buf[filled++] = lease->handle;
		n++;
	}
	mutex_unlock(&ctx->lock);
	*total = n;
	return filled;
}

/*
 * End every lease of a context whose file is going away; no ioctl of it
 * runs. An expiry or revocation that is releasing pages meanwhile finishes
 * on its own reference; its event is dropped. One lease per hold of the
 * lock: a detached lease's ctx_node stays empty, which is how the end path
 * knows not to count it as ended.
 */
void pinmgr_lease_release_all(struct pinmgr_ctx *ctx)
{
	struct pinmgr_lease *lease;
	u32 state;

	mutex_lock(&ctx->lock);
	ctx->closed = true;
	mutex_unlock(&ctx->lock);
	/* closed keeps it from being armed again. */
	cancel_delayed_work_sync(&ctx->expire_work);

	mutex_lock(&ctx->lock);
	while ((lease = list_first_entry_or_null(&ctx->leases,
						 struct pinmgr_lease,
						 ctx_node))) {
		state = lease->state;
		pinmgr_lease_detach(lease);
		mutex_unlock(&ctx->lock);
		/* Ended ones were counted and told when they ended. */
		if (state == PINMGR_LS_ACTIVE || state == PINMGR_LS_BREAKING)
			pinmgr_lease_unpinned(lease);
		pinmgr_lease_put(lease);
		cond_resched();
		mutex_lock(&ctx->lock);
	}
	mutex_unlock(&ctx->lock);
}

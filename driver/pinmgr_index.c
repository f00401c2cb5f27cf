// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device's lease index: a shard per CPU (see struct pinmgr_shard), each
 * an xarray of leases by sequence number, so that any lease is found from
 * its handle alone and the pin path of one CPU shares no lock or cache
 * line with another's.
 *
 * Lookups take no lock. The lease cache is SLAB_TYPESAFE_BY_RCU: a lease
 * found under RCU may have been freed and even reused since, but its
 * memory is still a lease. A lookup therefore takes a reference only if
 * the count is not zero, with acquire ordering, and then checks that the
 * lease is still the one its handle names and is published.
 */
#include <linux/log2.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/xarray.h>

#include "compat.h"
#include "pinmgr.h"

unsigned int pinmgr_shard_bits;
struct pinmgr_shard *pinmgr_shards;

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

/*
 * File a pinned lease in the shard of this CPU under a new handle. It stays
 * invisible to lookups until published.
 */
int pinmgr_lease_insert(struct pinmgr_lease *lease)
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
void pinmgr_lease_remove(struct pinmgr_lease *lease)
{
	struct pinmgr_shard *shard = pinmgr_handle_shard(lease->handle);

	xa_lock(&shard->leases);
	__xa_erase(&shard->leases, pinmgr_handle_seq(lease->handle));
	shard->nr_leases--;
	xa_unlock(&shard->leases);
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

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The registration cache: watched leases of one device object, kept for
 * reuse and found by address.
 *
 * Every lease is pinned with PINCTL_PIN_WATCH, and its range is known to
 * map what it holds while its slot of the status area still holds the
 * generation PIN returned. A get checks that with one load: a hit makes no
 * system call. The device's events are never read; they are the
 * application's.
 *
 * The leases found by gets are in an interval tree: an AVL tree ordered by
 * start address (then handle), each node knowing the largest end in its
 * subtree, so that a lease covering a range is found in O(log n) (plus the
 * covering leases whose flags do not suffice). Leases may overlap: a range
 * no lease covers is pinned whole, whatever else covers part of it. A lease
 * no one uses also sits on the LRU list, the most recently used first; the
 * oldest go when the unused leases exceed the cache's bounds.
 *
 * A lease leaves the tree when it is found changed, evicted, or the cache
 * closes; it is unpinned once it also has no user. One mutex guards the
 * cache; pins and unpins are made after it is released, and never touch
 * the cache, whose last put may free it meanwhile.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "libpinctl-private.h"

#define CACHE_MAX_BYTES		(64ULL << 20)
#define CACHE_MAX_ENTRIES	1024

#define CACHE_GET_FLAGS		(PINCTL_PIN_WRITE | PINCTL_PIN_LONGTERM)
#define CACHE_PIN_FLAGS		(PINCTL_PIN_WRITE | PINCTL_PIN_LONGTERM |	\
				 PINCTL_PIN_WATCH | PINCTL_PIN_RELEASE_ON_STALE | \
				 PINCTL_PIN_WATCH_ONLY)

struct lru_link {
	struct lru_link *prev, *next;
};

struct centry {
	struct pinctl_cache_entry pub;	/* first: what a get hands out */
	uint64_t end;			/* pub.addr + pub.length */
	uint64_t gen;
	uint32_t slot;
	unsigned int users;
	bool indexed;			/* in the tree, where gets find it */
	/* The tree, while indexed. */
	struct centry *left, *right;
	uint64_t max_end;
	int height;
	/* The LRU list, while indexed with no user. */
	struct lru_link lru;
	/* Leases to unpin once the lock is released. */
	struct centry *victim_next;
};

struct pinctl_cache {
	atomic_int refcount;
	struct pinctl_dev *dev;
	const volatile uint64_t *area;
	uint64_t page;
	uint64_t max_bytes;
	uint32_t max_entries;
	uint32_t pin_flags;

	pthread_mutex_t lock;
	/* Under lock. */
	struct centry *root;
	struct lru_link lru;		/* next: most recently used */
	uint64_t lru_bytes, lru_count;
	uint64_t in_use;		/* uses handed out and not yet put */
	bool closed;			/* the last reference is gone */
	struct pinctl_cache_stats st;
};

/* ---- The interval tree -------------------------------------------------- */

static int height(const struct centry *n)
{
	return n ? n->height : 0;
}

static void update(struct centry *n)
{
	int hl = height(n->left), hr = height(n->right);

	n->height = 1 + (hl > hr ? hl : hr);
	n->max_end = n->end;
	if (n->left && n->left->max_end > n->max_end)
		n->max_end = n->left->max_end;
	if (n->right && n->right->max_end > n->max_end)
		n->max_end = n->right->max_end;
}

static struct centry *rotate_right(struct centry *n)
{
	struct centry *l = n->left;

	n->left = l->right;
	l->right = n;
	update(n);
	update(l);
	return l;
}

static struct centry *rotate_left(struct centry *n)
{
	struct centry *r = n->right;

	n->right = r->left;
	r->left = n;
	update(n);
	update(r);
	return r;
}

static struct centry *rebalance(struct centry *n)
{
	int b;

	update(n);
	b = height(n->left) - height(n->right);
	if (b > 1) {
		if (height(n->left->left) < height(n->left->right))
			n->left = rotate_left(n->left);
		return rotate_right(n);
	}
	if (b < -1) {
		if (height(n->right->right) < height(n->right->left))
			n->right = rotate_right(n->right);
		return rotate_left(n);
	}
	return n;
}

/* The tree's order: by start, then by handle (unique). */
static bool before(const struct centry *a, const struct centry *b)
{
	if (a->pub.addr != b->pub.addr)
		return a->pub.addr < b->pub.addr;
	return a->pub.handle < b->pub.handle;
}

static struct centry *tree_insert(struct centry *n, struct centry *e)
{
	if (!n) {
		e->left = e->right = NULL;
		update(e);
		return e;
	}
	if (before(e, n))
		n->left = tree_insert(n->left, e);
	else
		n->right = tree_insert(n->right, e);
	return rebalance(n);
}

static struct centry *tree_remove_min(struct centry *n, struct centry **min)
{
	if (!n->left) {
		*min = n;
		return n->right;
	}
	n->left = tree_remove_min(n->left, min);
	return rebalance(n);
}

static struct centry *tree_remove(struct centry *n, struct centry *e)
{
	struct centry *min;

	if (!n)
		return NULL;
	if (n == e) {
		if (!n->left)
			return n->right;
		if (!n->right)
			return n->left;
		n->right = tree_remove_min(n->right, &min);
		min->left = n->left;
		min->right = n->right;
		return rebalance(min);
	}
	if (before(e, n))
		n->left = tree_remove(n->left, e);
	else
		n->right = tree_remove(n->right, e);
	return rebalance(n);
}

/*
 * A lease that covers [start, end) with at least @flags, or NULL. Every
 * lease in a left subtree starts at or before its root; a subtree whose
 * largest end is short of @end holds no cover.
 */
static struct centry *tree_find(struct centry *n, uint64_t start, uint64_t end,
				uint32_t flags)
{
	struct centry *r;

	while (n && n->max_end >= end) {
		r = tree_find(n->left, start, end, flags);
		if (r)
			return r;
		if (n->pub.addr > start)
			return NULL;
		if (n->end >= end && (n->pub.flags & flags) == flags)
			return n;
		n = n->right;
	}
	return NULL;
}

/* ---- The LRU list ------------------------------------------------------- */

static struct centry *lru_entry(struct lru_link *l)
{
	return (struct centry *)((char *)l - offsetof(struct centry, lru));
}

static void lru_add(struct pinctl_cache *c, struct centry *e)
{
	e->lru.prev = &c->lru;
	e->lru.next = c->lru.next;
	c->lru.next->prev = &e->lru;
	c->lru.next = &e->lru;
	c->lru_bytes += e->pub.length;
	c->lru_count++;
}

static void lru_del(struct pinctl_cache *c, struct centry *e)
{
	e->lru.prev->next = e->lru.next;
	e->lru.next->prev = e->lru.prev;
	e->lru.prev = e->lru.next = NULL;
	c->lru_bytes -= e->pub.length;
	c->lru_count--;
}

/* ---- Entries ------------------------------------------------------------ */

static bool entry_changed(const struct pinctl_cache *c, const struct centry *e)
{
	return pinctl_watch_changed(c->area, e->slot, e->gen);
}

/* @e leaves the tree: no get finds it from now on. */
static void unindex(struct pinctl_cache *c, struct centry *e)
{
	c->root = tree_remove(c->root, e);
	e->indexed = false;
	e->left = e->right = NULL;
}

/* @e, out of the tree and without a user, is to be unpinned. */
static void retire(struct pinctl_cache *c, struct centry *e,
		   struct centry **victims)
{
	c->st.entries--;
	c->st.bytes -= e->pub.length;
	e->victim_next = *victims;
	*victims = e;
}

/* A lease found changed: out of the tree, and unpinned once unused. */
static void drop_changed(struct pinctl_cache *c, struct centry *e,
			 struct centry **victims)
{
	unindex(c, e);
	c->st.invalidations++;
	if (!e->users) {
		lru_del(c, e);
		retire(c, e, victims);
	}
}

/* The least recently used unused lease goes. */
static void evict_oldest(struct pinctl_cache *c, struct centry **victims)
{
	struct centry *e = lru_entry(c->lru.prev);

	lru_del(c, e);
	unindex(c, e);
	c->st.evictions++;
	retire(c, e, victims);
}

/*
 * Unpins and frees what was retired, after the lock: through @dev (a
 * reference of the caller's), not the cache, which may be gone by then.
 */
static void unpin_victims(struct pinctl_dev *dev, struct centry *victims)
{
	struct centry *e;
	int ret;

	while ((e = victims)) {
		victims = e->victim_next;
		ret = pinctl_unpin(dev, e->pub.handle);
		/* Ended on its own, or acknowledged: it is gone all the same. */
		if (ret && ret != -ESTALE && ret != -EKEYEXPIRED &&
		    ret != -EKEYREVOKED && ret != -ENOENT)
			err(pinctl_dev_ctx(dev), "cache: unpinning lease %llu: %s\n",
			    (unsigned long long)e->pub.handle, strerror(-ret));
		free(e);
	}
}

static void cache_free(struct pinctl_cache *c)
{
	pthread_mutex_destroy(&c->lock);
	pinctl_dev_unref(c->dev);
	free(c);
}

/* ---- The API ------------------------------------------------------------ */

PINCTL_API int pinctl_cache_new(struct pinctl_dev *dev,
				const struct pinctl_cache_opts *opts,
				struct pinctl_cache **cache)
{
	PINCTL_OPTS(pinctl_info, info);
	struct pinctl_cache_opts o;
	const volatile uint64_t *area;
	struct pinctl_cache *c;
	int ret;

	if (!dev || !cache)
		return -EINVAL;
	ret = OPTS_GET(o, opts);
	if (ret)
		return ret;
	if (o.pin_flags & ~(uint32_t)CACHE_PIN_FLAGS)
		return -EOPNOTSUPP;
	ret = pinctl_dev_info(dev, &info);
	if (ret)
		return ret;
	if (!(info.features & PINCTL_FEATURE_WATCH) || !info.page_size)
		return -EOPNOTSUPP;
	ret = pinctl_watch_area(dev, &area);
	if (ret)
		return ret;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	ret = pthread_mutex_init(&c->lock, NULL);
	if (ret) {
		free(c);
		return -ret;
	}
	atomic_init(&c->refcount, 1);
	c->dev = pinctl_dev_ref(dev);
	c->area = area;
	c->page = info.page_size;
	c->max_bytes = o.max_bytes ? o.max_bytes : CACHE_MAX_BYTES;
	c->max_entries = o.max_entries ? o.max_entries : CACHE_MAX_ENTRIES;
	c->pin_flags = o.pin_flags | PINCTL_PIN_WATCH;
	c->lru.prev = c->lru.next = &c->lru;
	c->st.sz = sizeof(c->st);
	*cache = c;
	return 0;
}

PINCTL_API struct pinctl_cache *pinctl_cache_ref(struct pinctl_cache *cache)
{
	if (cache)
		atomic_fetch_add(&cache->refcount, 1);
	return cache;
}

/* Every lease of the tree out of it: the unused to @victims. */
static void close_tree(struct pinctl_cache *c, struct centry *n,
		       struct centry **victims)
{
	struct centry *l, *r;

	if (!n)
		return;
	l = n->left;
	r = n->right;
	n->left = n->right = NULL;
	n->indexed = false;
	if (!n->users) {
		lru_del(c, n);
		retire(c, n, victims);
	}
	close_tree(c, l, victims);
	close_tree(c, r, victims);
}

PINCTL_API struct pinctl_cache *pinctl_cache_unref(struct pinctl_cache *cache)
{
	struct centry *victims = NULL;
	struct pinctl_dev *dev;
	bool free_now;

	if (!cache || atomic_fetch_sub(&cache->refcount, 1) != 1)
		return NULL;
	pthread_mutex_lock(&cache->lock);
	cache->closed = true;
	close_tree(cache, cache->root, &victims);
	cache->root = NULL;
	free_now = !cache->in_use;
	dev = pinctl_dev_ref(cache->dev);
	pthread_mutex_unlock(&cache->lock);
	unpin_victims(dev, victims);
	pinctl_dev_unref(dev);
	/* Otherwise the last put frees it. */
	if (free_now)
		cache_free(cache);
	return NULL;
}

/* A new watched lease of [start, start + len) in @*ep, not yet indexed. */
static int cache_pin(struct pinctl_cache *c, uint64_t start, uint64_t len,
		     uint32_t flags, struct centry **ep)
{
	PINCTL_OPTS(pinctl_pin_opts, po, .flags = flags | c->pin_flags);
	PINCTL_OPTS(pinctl_pinned, pd);
	struct centry *e;
	int ret;

	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	ret = pinctl_pin_lease(c->dev, (void *)(uintptr_t)start, len, &po, &pd);
	if (ret) {
		free(e);
		return ret;
	}
	if (!pd.watch_slot || pd.watch_slot >= PINCTL_WATCH_SLOTS_MAX) {
		/* Slot 0 is no watched lease's: the driver did not watch. */
		err(pinctl_dev_ctx(c->dev), "cache: lease %llu has no status slot "
		    "(%u)\n", (unsigned long long)pd.handle, pd.watch_slot);
		pinctl_unpin(c->dev, pd.handle);
		free(e);
		return -EPROTO;
	}
	e->pub.handle = pd.handle;
	e->pub.addr = start;
	e->pub.length = len;
	e->pub.flags = pd.flags;
	e->end = start + len;
	e->slot = pd.watch_slot;
	e->gen = pd.watch_gen;
	*ep = e;
	return 0;
}

/* Every unused lease to @victims, to make room for a pin. */
static uint64_t evict_all(struct pinctl_cache *c, struct centry **victims)
{
	uint64_t n = 0;

	while (c->lru.prev != &c->lru) {
		evict_oldest(c, victims);
		n++;
	}
	return n;
}

PINCTL_API int pinctl_cache_get(struct pinctl_cache *cache, const void *addr,
				uint64_t length, uint32_t flags,
				const struct pinctl_cache_entry **entry)
{
	uint64_t a = (uintptr_t)addr, start, end;
	struct centry *e, *victims = NULL;
	bool retried = false;
	int ret;

	if (!cache || !entry || !length)
		return -EINVAL;
	if (flags & ~(uint32_t)CACHE_GET_FLAGS)
		return -EOPNOTSUPP;
	if (a + length < a || a + length > UINT64_MAX - (cache->page - 1))
		return -EINVAL;
	start = a & ~(cache->page - 1);
	end = (a + length + cache->page - 1) & ~(cache->page - 1);

	pthread_mutex_lock(&cache->lock);
	if (cache->closed) {
		pthread_mutex_unlock(&cache->lock);
		return -EBADF;
	}
	while ((e = tree_find(cache->root, start, end, flags)) &&
	       entry_changed(cache, e))
		drop_changed(cache, e, &victims);
	if (e) {
		if (!e->users++)
			lru_del(cache, e);
		cache->in_use++;
		cache->st.hits++;
	}
	pthread_mutex_unlock(&cache->lock);
	/* The caller's reference keeps the cache, and its device, meanwhile. */
	unpin_victims(cache->dev, victims);
	if (e) {
		*entry = &e->pub;
		return 0;
	}

	for (;;) {
		ret = cache_pin(cache, start, end - start, flags, &e);
		if (retried || (ret != -EDQUOT && ret != -EMFILE && ret != -ENOSPC))
			break;
		/* Over a limit: what no one uses goes, and once more. */
		retried = true;
		victims = NULL;
		pthread_mutex_lock(&cache->lock);
		if (!evict_all(cache, &victims)) {
			pthread_mutex_unlock(&cache->lock);
			break;
		}
		pthread_mutex_unlock(&cache->lock);
		dbg(pinctl_dev_ctx(cache->dev), "cache: pin of %llu bytes: %s; "
		    "unused leases unpinned, pinning again\n",
		    (unsigned long long)(end - start), strerror(-ret));
		unpin_victims(cache->dev, victims);
	}
	if (ret)
		return ret;

	pthread_mutex_lock(&cache->lock);
	e->users = 1;
	/* Closed meanwhile (a caller's bug): unpinned at its put. */
	e->indexed = !cache->closed;
	if (e->indexed)
		cache->root = tree_insert(cache->root, e);
	cache->in_use++;
	cache->st.misses++;
	cache->st.entries++;
	cache->st.bytes += e->pub.length;
	pthread_mutex_unlock(&cache->lock);
	*entry = &e->pub;
	return 0;
}

PINCTL_API void pinctl_cache_put(struct pinctl_cache *cache,
				 const struct pinctl_cache_entry *entry)
{
	struct centry *e = (struct centry *)entry, *victims = NULL;
	struct pinctl_dev *dev = NULL;
	bool free_now;

	if (!cache || !entry)
		return;
	pthread_mutex_lock(&cache->lock);
	e->users--;
	cache->in_use--;
	if (e->indexed && entry_changed(cache, e)) {
		unindex(cache, e);
		cache->st.invalidations++;
	}
	if (!e->users) {
		if (!e->indexed) {
			retire(cache, e, &victims);
		} else {
			lru_add(cache, e);
			while (cache->lru_count > cache->max_entries ||
			       cache->lru_bytes > cache->max_bytes)
				evict_oldest(cache, &victims);
		}
	}
	free_now = cache->closed && !cache->in_use;
	if (victims)
		dev = pinctl_dev_ref(cache->dev);
	pthread_mutex_unlock(&cache->lock);
	/* From here on another put may free the cache: @dev is ours. */
	if (dev) {
		unpin_victims(dev, victims);
		pinctl_dev_unref(dev);
	}
	if (free_now)
		cache_free(cache);
}

PINCTL_API int pinctl_cache_stats(struct pinctl_cache *cache,
				  struct pinctl_cache_stats *stats)
{
	struct pinctl_cache_stats s;
	int ret;

	ret = pinctl_out_check(stats);
	if (ret || !cache)
		return -EINVAL;
	pthread_mutex_lock(&cache->lock);
	s = cache->st;
	pthread_mutex_unlock(&cache->lock);
	OUT_PUT(stats, s);
	return 0;
}

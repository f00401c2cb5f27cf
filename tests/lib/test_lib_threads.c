// SPDX-License-Identifier: GPL-2.0-only
/*
 * libpinctl: the functions documented thread-safe, from several threads on
 * one context and one device object at once.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>

#include "libtest.h"

#define THREADS	4
#define ROUNDS	300

struct shared {
	struct pinctl_ctx *ctx;
	struct pinctl_dev *dev;
	char *buf;
	size_t page;
	unsigned int next;
	pthread_mutex_t lock;
};

static void *worker(void *arg)
{
	struct shared *s = arg;
	PINCTL_OPTS(pinctl_lease, l);
	PINCTL_OPTS(pinctl_info, info);
	PINCTL_OPTS(pinctl_stats, st);
	unsigned int i, me, bad = 0;
	char *mine;
	uint64_t h;

	pthread_mutex_lock(&s->lock);
	me = s->next++;
	pthread_mutex_unlock(&s->lock);
	mine = s->buf + me * 16 * s->page;
	for (i = 0; i < ROUNDS; i++) {
		if (pinctl_pin(s->dev, mine + (i % 16) * s->page, s->page, NULL, &h) ||
		    pinctl_query(s->dev, h, &l) || l.handle != h ||
		    pinctl_dev_info(s->dev, &info) ||
		    pinctl_unpin(s->dev, h))
			bad++;
		if (i % 50 == 0) {
			struct pinctl_dev *d2;

			if (pinctl_dev_open(s->ctx, NULL, &d2))
				bad++;
			else
				pinctl_dev_unref(d2);
			if (lt_have_netlink() && pinctl_nl_stats(s->ctx, &st))
				bad++;
		}
	}
	return (void *)(uintptr_t)bad;
}

TEST(lib_threads_share_ctx_and_dev)
{
	struct shared s = { .page = pm_page_size() };
	pthread_t t[THREADS];
	unsigned int i;
	void *bad;

	pthread_mutex_init(&s.lock, NULL);
	s.ctx = lt_ctx();
	s.dev = lt_dev(s.ctx);
	s.buf = pm_map_anon(THREADS * 16 * s.page);
	for (i = 0; i < THREADS; i++)
		ASSERT_EQ(pthread_create(&t[i], NULL, worker, &s), 0);
	for (i = 0; i < THREADS; i++) {
		ASSERT_EQ(pthread_join(t[i], &bad), 0);
		ASSERT_EQ((uintptr_t)bad, 0);
	}
	/* References taken and dropped from many threads. */
	for (i = 0; i < 1000; i++)
		pinctl_dev_ref(s.dev);
	for (i = 0; i < 1000; i++)
		pinctl_dev_unref(s.dev);
	pinctl_dev_unref(s.dev);
	pinctl_unref(s.ctx);
}

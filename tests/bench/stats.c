// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinmgr-bench: time and the figures made of it. Every figure is the median
 * of its samples, with p10 and p90 (nearest rank: with fewer than ten
 * samples they are the minimum and the maximum) and the extremes.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <time.h>

#include "bench.h"

int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted values. */
static double percentile(const double *v, unsigned int n, unsigned int pct)
{
	unsigned int rank = (pct * n + 99) / 100;	/* ceil(pct/100 * n) */

	if (rank < 1)
		rank = 1;
	return v[rank - 1];
}

void stats_compute(struct stats *st, double *values, unsigned int n)
{
	st->samples = n;
	if (!n) {
		st->median = st->p10 = st->p90 = st->min = st->max = 0;
		return;
	}
	qsort(values, n, sizeof(*values), cmp_double);
	st->min = values[0];
	st->max = values[n - 1];
	st->p10 = percentile(values, n, 10);
	st->p90 = percentile(values, n, 90);
	st->median = n % 2 ? values[n / 2] :
			     (values[n / 2 - 1] + values[n / 2]) / 2;
}

/* The rounds' medians of one interface, and how many samples in all. */
void rounds_figure(const struct iface_result *res, unsigned int n,
		   struct rounds_figure *f)
{
	double c[MAX_ROUNDS], p[MAX_ROUNDS], u[MAX_ROUNDS];
	unsigned int i;

	f->samples = 0;
	for (i = 0; i < n; i++) {
		c[i] = res[i].st.median;
		p[i] = res[i].pin.median;
		u[i] = res[i].unpin.median;
		f->samples += res[i].st.samples;
	}
	stats_compute(&f->cycle, c, n);
	stats_compute(&f->pin, p, n);
	stats_compute(&f->unpin, u, n);
}

bool iface_ok(const struct iface_result *res)
{
	return !res->err && !res->absent && res->st.samples;
}

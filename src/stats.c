// SPDX-License-Identifier: MIT
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "banned.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double percentile_sorted(const double *v, size_t n, double p)
{
	double rank, frac;
	size_t lo;
	if (n == 0)
		return 0;
	if (p <= 0)
		return v[0];
	if (p >= 100)
		return v[n - 1];
	rank = p / 100.0 * (double)(n - 1);
	lo = (size_t)floor(rank);
	frac = rank - (double)lo;
	if (lo + 1 >= n)
		return v[n - 1];
	return v[lo] + frac * (v[lo + 1] - v[lo]);
}

double stats_percentile(const double *values, size_t n, double p)
{
	double *v, r;
	if (n == 0)
		return 0;
	v = xmalloc(n * sizeof(*v));
	memcpy(v, values, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_double);
	r = percentile_sorted(v, n, p);
	free(v);
	return r;
}

void stats_summarize(const double *values, size_t n, struct stats_summary *out)
{
	double *v, sum = 0, sq = 0;
	size_t i;
	memset(out, 0, sizeof(*out));
	out->n = n;
	if (n == 0)
		return;
	v = xmalloc(n * sizeof(*v));
	memcpy(v, values, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_double);
	for (i = 0; i < n; i++)
		sum += v[i];
	out->mean = sum / (double)n;
	for (i = 0; i < n; i++)
		sq += (v[i] - out->mean) * (v[i] - out->mean);
	out->stddev = n > 1 ? sqrt(sq / (double)(n - 1)) : 0;
	out->min = v[0];
	out->max = v[n - 1];
	out->median = percentile_sorted(v, n, 50);
	out->p50 = out->median;
	out->p90 = percentile_sorted(v, n, 90);
	out->p99 = percentile_sorted(v, n, 99);
	free(v);
}

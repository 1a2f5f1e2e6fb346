/* SPDX-License-Identifier: MIT */
#ifndef O3_STATS_H
#define O3_STATS_H
#include <stddef.h>

/* Summary statistics of a sample. Percentiles use linear interpolation
 * between closest ranks (the "R-7" definition numpy uses by default). */
struct stats_summary {
	size_t n;
	double min, max, mean, median, stddev; /* stddev: sample (n-1); 0 when n < 2 */
	double p50, p90, p99;
};

/* values is not modified. n == 0 gives a summary with n = 0 (all fields 0:
 * callers must check n before reporting any figure). */
void stats_summarize(const double *values, size_t n, struct stats_summary *out);
/* p in [0, 100]; values need not be sorted. */
double stats_percentile(const double *values, size_t n, double p);

#endif

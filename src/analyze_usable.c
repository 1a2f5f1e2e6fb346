// SPDX-License-Identifier: MIT
/* The usable context from measured depths (analyze_usable.h). */
#include "analyze_usable.h"

#include <math.h>

#include "banned.h"

int usable_fit(const struct depth_point *p, size_t n, double *a, double *b)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, m = 0, det;
	size_t i;
	for (i = 0; i < n; i++) {
		double t;
		if (!(p[i].decode_tps > 0) || !isfinite(p[i].decode_tps) || !(p[i].depth >= 0))
			continue;
		t = 1.0 / p[i].decode_tps;
		sx += p[i].depth;
		sy += t;
		sxx += p[i].depth * p[i].depth;
		sxy += p[i].depth * t;
		m++;
	}
	if (m < 2)
		return -1;
	det = m * sxx - sx * sx;
	/* distinct depths: the spread of depths must not vanish */
	if (!(det > 1e-9 * m * sxx))
		return -1;
	*b = (m * sxy - sx * sy) / det;
	*a = (sy - *b * sx) / m;
	return 0;
}

double usable_decode_at(double a, double b, double depth)
{
	double t = a + b * depth;
	return t > 0 ? 1.0 / t : 0;
}

long usable_predict(double a, double b, double floor_tps, double fill_ratio, long resolution,
		    long max)
{
	double dstar, ctx;
	long n;
	if (resolution <= 0)
		resolution = 1;
	if (max < resolution)
		return max > 0 && usable_decode_at(a, b, fill_ratio * (double)max) >= floor_tps ? max : 0;
	if (!(floor_tps > 0) || !(fill_ratio > 0))
		return max;
	if (b <= 0)
		return usable_decode_at(a, b, 0) >= floor_tps ? max : 0;
	dstar = (1.0 / floor_tps - a) / b;
	if (dstar <= 0)
		return 0;
	ctx = dstar / fill_ratio;
	if (ctx >= (double)max)
		return max;
	n = (long)(ctx / (double)resolution) * resolution;
	/* rounding can land a hair over the floor's edge: the answer must hold */
	while (n >= resolution && usable_decode_at(a, b, fill_ratio * (double)n) < floor_tps)
		n -= resolution;
	return n >= resolution ? n : 0;
}

double usable_prefill_ms(const struct depth_point *p, size_t n, double tokens)
{
	/* least squares of T = α·d + β·d² (no constant: no prompt, no time) */
	double s22 = 0, s23 = 0, s33 = 0, s2y = 0, s3y = 0, det, alpha, beta;
	double deepest = 0, deep_rate = 0;
	size_t i, m = 0;
	for (i = 0; i < n; i++) {
		double d = p[i].depth, y = p[i].prefill_ms;
		if (!(y > 0) || !(d > 0))
			continue;
		s22 += d * d;
		s23 += d * d * d;
		s33 += d * d * d * d;
		s2y += d * y;
		s3y += d * d * y;
		if (d > deepest) {
			deepest = d;
			deep_rate = y / d;
		}
		m++;
	}
	if (!m)
		return -1;
	det = s22 * s33 - s23 * s23;
	if (m >= 2 && det > 1e-12 * s22 * s33) {
		alpha = (s2y * s33 - s3y * s23) / det;
		beta = (s22 * s3y - s23 * s2y) / det;
		if (alpha >= 0 && beta >= 0)
			return alpha * tokens + beta * tokens * tokens;
	}
	/* one point, or a fit that bends the wrong way: the deepest point's
	 * rate, growing in proportion to the depth beyond it (an upper bound
	 * when the cost of a token grows linearly with what precedes it) */
	return deep_rate * tokens * (tokens > deepest ? tokens / deepest : 1.0);
}

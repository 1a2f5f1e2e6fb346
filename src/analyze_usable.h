/* SPDX-License-Identifier: MIT */
#ifndef O3_ANALYZE_USABLE_H
#define O3_ANALYZE_USABLE_H
#include <stddef.h>

/*
 * The usable context (design.md, "usable context"): pure functions over
 * measured depth points, no I/O.
 *
 * Decode time per token grows about linearly with the depth the context is
 * filled to (each new token attends to every cell before it):
 *     t(d) = a + b·d   seconds per token,   decode tok/s = 1 / t(d).
 * Two or three measured depths give a and b by least squares; the depth at
 * which the speed falls to the floor is d* = (1/floor − a) / b, and the
 * largest context whose fill (fill_ratio × num_ctx) stays above the floor is
 * d* / fill_ratio, rounded down to the resolution.
 *
 * Prefill time grows faster than linearly (attention over what came before),
 * so the time of a prompt of d tokens is modelled as T(d) = α·d + β·d² and
 * fitted the same way; it sizes a fill's timeout, never a verdict.
 */
struct depth_point {
	double depth;       /* tokens in the context when decoding (prompt tokens) */
	double decode_tps;  /* server-side decode speed there; <= 0 = not measured */
	double prefill_ms;  /* the prompt's evaluation time; <= 0 = not measured */
};

/* Least-squares fit of t = a + b·d over the points with a decode speed.
 * 0 on success (at least two distinct depths), -1 otherwise. */
int usable_fit(const struct depth_point *p, size_t n, double *a, double *b);

/*
 * The largest num_ctx, a multiple of resolution within [resolution, max],
 * whose decode at fill_ratio × num_ctx is predicted at or above floor_tps.
 * max when the speed never falls to the floor before it (b <= 0 included);
 * 0 when even the smallest context is predicted below the floor.
 */
long usable_predict(double a, double b, double floor_tps, double fill_ratio, long resolution,
		    long max);

/* Predicted decode tok/s at depth d (0 when the fit says it cannot decode). */
double usable_decode_at(double a, double b, double depth);

/* Predicted prefill time in ms of a prompt of tokens, from the points with a
 * prefill time; -1 when none has one. */
double usable_prefill_ms(const struct depth_point *p, size_t n, double tokens);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef O3_STATS_COMPARE_H
#define O3_STATS_COMPARE_H
#include <stddef.h>
#include <stdint.h>

/*
 * Deciding between two sets of measurements (a: the reference, b: the
 * candidate) on their raw samples and their noise. Pure: no globals, no
 * clock, no I/O; every buffer is freed before returning; the same inputs
 * always give the same outputs (the bootstrap's generator is seeded by the
 * caller, or by a fixed seed in stats_decide).
 *
 * Inputs: every sample must be finite. A NaN or infinity is refused, not
 * skipped (a failed trial must be filtered out by the caller, who knows
 * why it failed): the functions return -1 and stats_decide says
 * INCONCLUSIVE. The ratio median(b)/median(a) is meant for positive
 * measurements (tok/s, milliseconds); it is undefined when either median
 * is 0 or negative.
 *
 * Mann-Whitney U (stats_mann_whitney):
 *   U = U for a = (pairs with a_i > b_j) + (pairs with a_i == b_j) / 2,
 *   computed from mid-ranks of the pooled sample.
 *   Exact p when na <= STATS_MW_EXACT_MAX and nb <= STATS_MW_EXACT_MAX:
 *   the permutation distribution of the rank sum of a, conditional on the
 *   observed ties, counted by dynamic programming over the tie groups
 *   (without ties this is the classic exact distribution; counts stay
 *   below C(50, 25) < 2^53, so they are exact in double). Otherwise the
 *   normal approximation: mean na*nb/2, variance
 *   na*nb/12 * ((N + 1) - sum(t^3 - t) / (N (N - 1))) over the tie groups
 *   of size t (N = na + nb), continuity correction 0.5. Two-sided p =
 *   min(1, 2 * min(P(U <= u), P(U >= u))) (exact) or
 *   min(1, erfc(z / sqrt 2)) with z = (|u - mean| - 0.5) / sd (normal).
 *   When every sample is equal (sd = 0) p = 1.
 *   Hodges-Lehmann shift: the median of all na*nb differences b_j - a_i
 *   (found by bisection over the doubles with a merge count: O(N) memory).
 *   Common-language effect size: P(B > A) + P(B = A) / 2 = 1 - U / (na nb).
 *
 * Bootstrap (stats_bootstrap_ratio): `iters` times, resample a and b with
 * replacement (their own sizes) and take median(b*)/median(a*); the
 * interval is the (1-level)/2 and (1+level)/2 percentiles (linear
 * interpolation, as stats_percentile) of those ratios. A resample whose
 * median(a*) is <= 0 gives +infinity. Generator: xoshiro256** seeded
 * through splitmix64 from `seed`.
 *
 * Decision (stats_decide). ratio r = median(b)/median(a); tolerance band
 * [1 - tol, 1 + tol]; the interval is the bootstrap interval at level
 * 1 - alpha (STATS_DECIDE_ITERS resamples, seed STATS_DECIDE_SEED).
 *   INCONCLUSIVE first, when: either side has fewer than STATS_MIN_SAMPLES
 *     samples, a sample is not finite, a median is <= 0 (ratio undefined),
 *     or tol is not in [0, 1) or alpha not in (0, 1).
 *   BETTER / WORSE when all three hold: r is beyond the band (r > 1 + tol
 *     or r < 1 - tol), Mann-Whitney p < alpha, and the interval excludes 1
 *     on the same side as r. b higher is BETTER when higher_is_better,
 *     WORSE otherwise (and the reverse for b lower).
 *   EQUIVALENT when the whole interval lies inside the band (the
 *     difference is confidently within the tolerance; it may still be
 *     statistically significant: a real but negligible difference).
 *   INCONCLUSIVE otherwise (noise larger than the tolerance: the interval
 *     straddles a bound, or the test is not significant).
 *   With zero spread the rank test still counts: five equal samples
 *   against five equal, larger samples give exact p = 2/252 and a
 *   degenerate interval, hence BETTER/WORSE (or EQUIVALENT if within the
 *   band); three against three cannot reach p < 0.05 (2/20) and stay
 *   INCONCLUSIVE.
 *
 * Suggested repetitions (suggested_n, per side, when INCONCLUSIVE on noise
 * or too few samples): the interval's half-width w shrinks about as
 * 1/sqrt(n), so with the harmonic mean n_h = 2 na nb / (na + nb),
 *   n = ceil(n_h * (w / d)^2)
 * where d is the distance the interval must clear: |r - 1| when r is
 * beyond the band (the interval must exclude 1), otherwise the distance
 * from r to the nearer bound of the band (the interval must fit inside).
 * It is raised to at least max(na, nb) + 1, STATS_MIN_SAMPLES, and the
 * smallest n per side for which the exact test can reach p < alpha
 * (2 / C(2n, n) < alpha: 4 for alpha 0.05). 0 when there is no estimate
 * (d = 0, a non-finite interval, or more than STATS_MAX_SUGGESTED).
 */

#define STATS_MW_EXACT_MAX 25     /* exact p when both sides have at most this many */
#define STATS_MIN_SAMPLES 3       /* fewer in either set: INCONCLUSIVE */
#define STATS_DECIDE_ITERS 2000u  /* bootstrap resamples in stats_decide */
#define STATS_DECIDE_SEED UINT64_C(0x6f33737461747321) /* fixed: decisions are reproducible */
#define STATS_MAX_SUGGESTED 10000u

struct stats_mw {
	size_t na, nb;
	double u;              /* U for a (see above) */
	double p;              /* two-sided */
	double z;              /* normal approximation's z (0 when exact) */
	int exact;             /* 1: exact permutation distribution */
	int ties;              /* 1: the pooled sample has tied values */
	double hodges_lehmann; /* median of b_j - a_i */
	double prob_b_greater; /* P(B > A) + P(B = A) / 2 */
	const char *method;    /* "exact" or "normal approximation" */
};

struct stats_interval {
	int valid;        /* 0: refused (inputs, level, iters); the rest is 0 */
	double estimate;  /* median(b) / median(a) of the samples themselves */
	double lo, hi;    /* percentile interval of the ratio; hi may be +inf */
	double level;     /* e.g. 0.95 */
	unsigned iters;
	uint64_t seed;
};

enum stats_verdict {
	STATS_INCONCLUSIVE = 0,
	STATS_BETTER,
	STATS_WORSE,
	STATS_EQUIVALENT,
};

struct stats_decision {
	enum stats_verdict verdict;
	size_t na, nb;
	double median_a, median_b;
	double ratio;                 /* median_b / median_a; NAN when undefined */
	double rel_tolerance, alpha;
	int higher_is_better;
	struct stats_interval interval; /* at level 1 - alpha */
	struct stats_mw mw;
	double p;                     /* = mw.p (1 when not computed) */
	const char *test_method;      /* "Mann-Whitney U, exact" / "..., normal approximation" */
	const char *interval_method;  /* "percentile bootstrap of the ratio of medians" */
	unsigned suggested_n;         /* repetitions per side that would likely decide; 0: none */
	char explanation[320];        /* one line, no trailing newline */
};

/* 0, or -1 when na or nb is 0 or a sample is not finite (out then zeroed,
 * p = 1). */
int stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
		       struct stats_mw *out);

/* 0, or -1 (out->valid = 0) when na or nb is 0, a sample is not finite, a
 * median is <= 0, level is not in (0, 1), or iters is 0. */
int stats_bootstrap_ratio(const double *a, size_t na, const double *b, size_t nb,
			  double level, unsigned iters, uint64_t seed,
			  struct stats_interval *out);

/* Is b better or worse than a by more than rel_tolerance (e.g. 0.05)? */
enum stats_verdict stats_decide(const double *a, size_t na, const double *b, size_t nb,
				int higher_is_better, double rel_tolerance, double alpha,
				struct stats_decision *out);

/* "better", "worse", "equivalent", "inconclusive". */
const char *stats_verdict_name(enum stats_verdict v);

#endif

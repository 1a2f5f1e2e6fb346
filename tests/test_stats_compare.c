// SPDX-License-Identifier: MIT
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats_compare.h"
#include "util.h"

#define MAXN 32

/*
 * Mann-Whitney reference values. Exact cases (both sides <= 25): computed
 * with Python 3's standard library by enumerating every way to split the
 * pooled mid-ranks (itertools.combinations over all C(na + nb, na) subsets),
 * p = min(1, 2 * min(#{U* <= U}, #{U* >= U}) / C(na + nb, na)), and
 * HL = statistics.median(y - x for x in a for y in b). Normal cases (a side
 * > 25): the same mid-ranks with z = (|U - na nb / 2| - 0.5) / sd,
 * sd^2 = na nb / 12 ((N + 1) - sum(t^3 - t) / (N (N - 1))), p = math.erfc(z / sqrt 2).
 */
struct mw_case {
	const char *name;
	size_t na, nb;
	double a[MAXN], b[MAXN];
	double u, p, hl, cl;
	int exact, ties;
};

static const struct mw_case mw_cases[] = {
	/* complete separation 5/5: p = 2 / C(10, 5) = 2/252 */
	{ "separated 5/5", 5, 5, { 1, 2, 3, 4, 5 }, { 6, 7, 8, 9, 10 },
	  0, 0.007936507936507936, 5, 1.0, 1, 0 },
	/* 3/3: the smallest p is 2 / C(6, 3) = 0.1 */
	{ "separated 3/3", 3, 3, { 1, 2, 3 }, { 4, 5, 6 }, 0, 0.1, 3, 1.0, 1, 0 },
	{ "interleaved 6/5", 6, 5, { 1.1, 2.3, 3.7, 4.2, 5.9, 6.1 }, { 2.0, 4.8, 5.5, 7.2, 8.4 },
	  9, 0.329004329004329, 1.55, 0.7, 1, 0 },
	/* ties: exact conditional distribution over the mid-ranks */
	{ "ties 5/5", 5, 5, { 1, 2, 2, 3, 3 }, { 2, 3, 4, 4, 5 },
	  4, 0.1111111111111111, 1, 0.84, 1, 1 },
	/* zero spread inside each set: still 2/252 */
	{ "constant 10 vs 11", 5, 5, { 10, 10, 10, 10, 10 }, { 11, 11, 11, 11, 11 },
	  0, 0.007936507936507936, 1, 1.0, 1, 1 },
	{ "all equal", 4, 4, { 5, 5, 5, 5 }, { 5, 5, 5, 5 }, 8, 1, 0, 0.5, 1, 1 },
	/* HL: differences -1 0 1 1 2 3 3 4 5, median 2 (by hand); 2 is tied */
	{ "hodges-lehmann 3/3", 3, 3, { 1, 2, 3 }, { 2, 4, 6 },
	  1.5, 0.3, 2, 0.8333333333333334, 1, 1 },
	/* b larger than a: U for a counts a_i > b_j */
	{ "b below a", 4, 4, { 6, 7, 8, 9 }, { 1, 2, 3, 4 }, 16, 0.02857142857142857, -5, 0.0, 1, 0 },
	/* normal approximation, no ties: a_i = 100 + i/2, b_i = 101.25 + i/2, i < 26 */
	{ "normal 26/26", 26, 26,
	  { 100, 100.5, 101, 101.5, 102, 102.5, 103, 103.5, 104, 104.5, 105, 105.5, 106,
	    106.5, 107, 107.5, 108, 108.5, 109, 109.5, 110, 110.5, 111, 111.5, 112, 112.5 },
	  { 101.25, 101.75, 102.25, 102.75, 103.25, 103.75, 104.25, 104.75, 105.25,
	    105.75, 106.25, 106.75, 107.25, 107.75, 108.25, 108.75, 109.25, 109.75,
	    110.25, 110.75, 111.25, 111.75, 112.25, 112.75, 113.25, 113.75 },
	  276, 0.2603673866990439, 1.25, 1 - 276.0 / 676, 0, 0 },
	/* normal approximation with ties: a_i = i % 10 (30), b_i = 7i % 13 (28) */
	{ "normal ties 30/28", 30, 28,
	  { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 },
	  { 0, 7, 1, 8, 2, 9, 3, 10, 4, 11, 5, 12, 6, 0, 7, 1, 8, 2, 9, 3, 10, 4, 11, 5, 12, 6, 0, 7 },
	  336, 0.19223787177597063, 1, 1 - 336.0 / 840, 0, 1 },
};

START_TEST(test_mw_table)
{
	const struct mw_case *c = &mw_cases[_i];
	struct stats_mw mw;
	ck_assert_msg(stats_mann_whitney(c->a, c->na, c->b, c->nb, &mw) == 0, "%s", c->name);
	ck_assert_msg(fabs(mw.u - c->u) < 1e-9, "%s: U %g, want %g", c->name, mw.u, c->u);
	ck_assert_msg(fabs(mw.p - c->p) < 1e-12 * (c->exact ? 1 : 1e3),
		      "%s: p %.17g, want %.17g", c->name, mw.p, c->p);
	ck_assert_msg(fabs(mw.hodges_lehmann - c->hl) < 1e-12, "%s: HL %.17g, want %g",
		      c->name, mw.hodges_lehmann, c->hl);
	ck_assert_msg(fabs(mw.prob_b_greater - c->cl) < 1e-12, "%s: CL %g, want %g",
		      c->name, mw.prob_b_greater, c->cl);
	ck_assert_int_eq(mw.exact, c->exact);
	ck_assert_int_eq(mw.ties, c->ties);
	ck_assert_str_eq(mw.method, c->exact ? "exact" : "normal approximation");
	ck_assert_uint_eq(mw.na, c->na);
	ck_assert_uint_eq(mw.nb, c->nb);
}
END_TEST

/* The exact path at its limit: 25/25 separated, p = 2 / C(50, 25)
 * (Python: 2 / math.comb(50, 25)); one step above, the normal approximation. */
START_TEST(test_mw_exact_limit)
{
	double a[26], b[26];
	struct stats_mw mw;
	size_t i;
	for (i = 0; i < 26; i++) {
		a[i] = (double)i;
		b[i] = 100 + (double)i;
	}
	ck_assert_int_eq(stats_mann_whitney(a, 25, b, 25, &mw), 0);
	ck_assert_int_eq(mw.exact, 1);
	ck_assert_msg(fabs(mw.p / 1.5821457204897235e-14 - 1) < 1e-12, "p %.17g", mw.p);
	ck_assert_int_eq(stats_mann_whitney(a, 26, b, 25, &mw), 0);
	ck_assert_int_eq(mw.exact, 0);
	ck_assert(mw.p < 1e-8);
	ck_assert(mw.z < 0);
}
END_TEST

START_TEST(test_mw_refused)
{
	const double a[] = { 1, 2, 3 }, bad[] = { 1, NAN, 3 }, inf[] = { 1, INFINITY, 3 };
	struct stats_mw mw;
	ck_assert_int_eq(stats_mann_whitney(a, 0, a, 3, &mw), -1);
	ck_assert_double_eq(mw.p, 1);
	ck_assert_int_eq(stats_mann_whitney(a, 3, a, 0, &mw), -1);
	ck_assert_int_eq(stats_mann_whitney(a, 3, bad, 3, &mw), -1);
	ck_assert_int_eq(stats_mann_whitney(inf, 3, a, 3, &mw), -1);
	/* n = 1 each is computable: p = 1 */
	ck_assert_int_eq(stats_mann_whitney(a, 1, a + 2, 1, &mw), 0);
	ck_assert_double_eq(mw.p, 1);
	ck_assert_double_eq(mw.hodges_lehmann, 2);
}
END_TEST

/* HL for a large sample (the bisection, not a list of pairs): a_i = i,
 * b_j = j + 0.5 for i, j < 300: the differences are k + 0.5, k in -299..299,
 * symmetric around 0.5, so the median is 0.5. */
START_TEST(test_hl_large)
{
	static double a[300], b[300];
	struct stats_mw mw;
	size_t i;
	for (i = 0; i < 300; i++) {
		a[i] = (double)(299 - i);
		b[i] = (double)i + 0.5;
	}
	ck_assert_int_eq(stats_mann_whitney(a, 300, b, 300, &mw), 0);
	ck_assert_double_eq(mw.hodges_lehmann, 0.5);
	ck_assert_int_eq(mw.exact, 0);
}
END_TEST

START_TEST(test_bootstrap)
{
	const double a[] = { 50.0, 50.2, 49.9, 50.1, 50.05 };
	const double b[] = { 55.0, 55.1, 54.9, 55.2, 55.05 };
	const double c10[] = { 10, 10, 10, 10 }, c11[] = { 11, 11, 11 }, zero[] = { 0, 0, 1 };
	struct stats_interval x, y;
	ck_assert_int_eq(stats_bootstrap_ratio(a, 5, b, 5, 0.95, 2000, 42, &x), 0);
	ck_assert_int_eq(x.valid, 1);
	ck_assert_double_eq_tol(x.estimate, 55.05 / 50.05, 1e-12);
	ck_assert(x.lo <= x.estimate && x.estimate <= x.hi);
	ck_assert(x.lo > 1.09 && x.hi < 1.11);
	ck_assert_uint_eq(x.iters, 2000);
	ck_assert_double_eq(x.level, 0.95);
	/* Deterministic: the same seed gives the same interval, bit for bit. */
	ck_assert_int_eq(stats_bootstrap_ratio(a, 5, b, 5, 0.95, 2000, 42, &y), 0);
	ck_assert(memcmp(&x, &y, sizeof(x)) == 0);
	/* Another seed: a slightly different interval, same neighbourhood. */
	ck_assert_int_eq(stats_bootstrap_ratio(a, 5, b, 5, 0.95, 2000, 43, &y), 0);
	ck_assert(fabs(y.lo - x.lo) < 0.005 && fabs(y.hi - x.hi) < 0.005);
	/* Zero spread: a degenerate interval at the ratio. */
	ck_assert_int_eq(stats_bootstrap_ratio(c10, 4, c11, 3, 0.9, 100, 1, &y), 0);
	ck_assert_double_eq_tol(y.lo, 1.1, 1e-12);
	ck_assert_double_eq_tol(y.hi, 1.1, 1e-12);
	/* Refused: n = 0, level outside (0, 1), no iterations, NaN, median 0. */
	ck_assert_int_eq(stats_bootstrap_ratio(a, 0, b, 5, 0.95, 100, 1, &y), -1);
	ck_assert_int_eq(y.valid, 0);
	ck_assert_int_eq(stats_bootstrap_ratio(a, 5, b, 5, 1.0, 100, 1, &y), -1);
	ck_assert_int_eq(stats_bootstrap_ratio(a, 5, b, 5, 0.95, 0, 1, &y), -1);
	ck_assert_int_eq(stats_bootstrap_ratio(zero, 3, b, 5, 0.95, 100, 1, &y), -1);
	/* A denominator resample with median 0 is +inf, not NaN: { 0, 1, 2 }
	 * resamples to a median of 0 often enough to reach the top 2.5 %. */
	{
		const double z[] = { 0, 1, 2 };
		ck_assert_int_eq(stats_bootstrap_ratio(z, 3, b, 5, 0.95, 1000, 7, &y), 0);
		ck_assert(isinf(y.hi) && y.hi > 0);
		ck_assert(!isnan(y.lo));
	}
}
END_TEST

/* --- decisions ------------------------------------------------------------ */

struct decide_case {
	const char *name;
	size_t na, nb;
	double a[MAXN], b[MAXN];
	int higher_is_better;
	double tol, alpha;
	enum stats_verdict want;
	unsigned min_suggested; /* INCONCLUSIVE: suggested_n at least this (0: no check) */
	const char *says;       /* a piece of the explanation */
};

#define TOKS_A { 71.457, 71.40, 71.52, 71.47, 71.43 }
#define TOKS_B { 71.489, 71.42, 71.55, 71.50, 71.46 }

static const struct decide_case decide_cases[] = {
	{ "identical samples", 5, 5, { 70.1, 70.5, 69.8, 70.3, 70.0 },
	  { 70.1, 70.5, 69.8, 70.3, 70.0 }, 1, 0.05, 0.05, STATS_EQUIVALENT, 0,
	  "lies within the +/-5 % tolerance" },
	{ "same distribution, other draws", 6, 6, { 70.1, 70.5, 69.8, 70.3, 70.0, 70.2 },
	  { 70.2, 69.9, 70.4, 70.0, 70.3, 70.15 }, 1, 0.02, 0.05, STATS_EQUIVALENT, 0, NULL },
	{ "10 % faster, n = 5", 5, 5, { 50.0, 50.2, 49.9, 50.1, 50.05 },
	  { 55.0, 55.1, 54.9, 55.2, 55.05 }, 1, 0.05, 0.05, STATS_BETTER, 0,
	  "better: b is 10.0 % higher than a (ratio 1.100, 95 % interval" },
	{ "10 % slower, n = 5", 5, 5, { 55.0, 55.1, 54.9, 55.2, 55.05 },
	  { 50.0, 50.2, 49.9, 50.1, 50.05 }, 1, 0.05, 0.05, STATS_WORSE, 0,
	  "worse: b is 9.1 % lower than a" },
	{ "latency 10 % lower is better", 5, 5, { 100, 101, 99, 100.5, 100.2 },
	  { 90, 90.5, 89.8, 90.2, 91 }, 0, 0.05, 0.05, STATS_BETTER, 0, "p = 0.0079, n = 5/5" },
	{ "latency 10 % higher is worse", 5, 5, { 90, 90.5, 89.8, 90.2, 91 },
	  { 100, 101, 99, 100.5, 100.2 }, 0, 0.05, 0.05, STATS_WORSE, 0, NULL },
	/* 71.489 vs 71.457 tok/s (+0.04 %), noise ~0.1 % */
	{ "0.04 % at 2 % tolerance", 5, 5, TOKS_A, TOKS_B, 1, 0.02, 0.05, STATS_EQUIVALENT, 0, NULL },
	{ "0.04 % at 0.5 % tolerance", 5, 5, TOKS_A, TOKS_B, 1, 0.005, 0.05, STATS_EQUIVALENT, 0, NULL },
	{ "0.04 % at 0.01 % tolerance", 5, 5, TOKS_A, TOKS_B, 1, 0.0001, 0.05,
	  STATS_INCONCLUSIVE, 6, "inconclusive: b is 0.04 % higher" },
	{ "0.04 % at zero tolerance", 5, 5, TOKS_A, TOKS_B, 1, 0, 0.05, STATS_INCONCLUSIVE, 6, NULL },
	{ "n = 1 each", 1, 1, { 50 }, { 60 }, 1, 0.05, 0.05, STATS_INCONCLUSIVE, 4,
	  "too few samples (n = 1/1" },
	{ "n = 2 and 5", 2, 5, { 50, 51 }, { 60, 61, 60.5, 60.2, 60.7 }, 1, 0.05, 0.05,
	  STATS_INCONCLUSIVE, 4, NULL },
	{ "n = 0", 0, 5, { 0 }, { 60, 61, 60.5, 60.2, 60.7 }, 1, 0.05, 0.05,
	  STATS_INCONCLUSIVE, 4, NULL },
	/* spread ~+/-20 % against a 5 % tolerance */
	{ "heavy noise", 5, 5, { 50, 65, 42, 58, 47 }, { 55, 40, 68, 52, 61 }, 1, 0.05, 0.05,
	  STATS_INCONCLUSIVE, 6, "repetitions each would decide" },
	/* Beyond the tolerance but n = 3: the exact test cannot go below 0.1. */
	{ "3/3 cannot be significant", 3, 3, { 50.0, 50.1, 49.9 }, { 60.0, 60.1, 59.9 }, 1,
	  0.05, 0.05, STATS_INCONCLUSIVE, 4, "p = 0.1 is not below 0.05" },
	{ "4/4 can", 4, 4, { 50.0, 50.1, 49.9, 50.05 }, { 60.0, 60.1, 59.9, 60.05 }, 1,
	  0.05, 0.05, STATS_BETTER, 0, NULL },
	/* zero spread */
	{ "constant, 10 % apart, 5/5", 5, 5, { 10, 10, 10, 10, 10 }, { 11, 11, 11, 11, 11 }, 1,
	  0.05, 0.05, STATS_BETTER, 0, "interval 1.100 to 1.100" },
	{ "constant, 10 % apart, 3/3", 3, 3, { 10, 10, 10 }, { 11, 11, 11 }, 1, 0.05, 0.05,
	  STATS_INCONCLUSIVE, 4, NULL },
	{ "constant, equal", 4, 4, { 10, 10, 10, 10 }, { 10, 10, 10, 10 }, 1, 0.05, 0.05,
	  STATS_EQUIVALENT, 0, NULL },
	{ "constant, 1 % apart, 5 % tolerance", 5, 5, { 10, 10, 10, 10, 10 },
	  { 10.1, 10.1, 10.1, 10.1, 10.1 }, 1, 0.05, 0.05, STATS_EQUIVALENT, 0, NULL },
	/* refused inputs */
	{ "NaN in b", 3, 3, { 1, 2, 3 }, { 1, NAN, 3 }, 1, 0.05, 0.05, STATS_INCONCLUSIVE, 0,
	  "b has a non-finite sample" },
	{ "inf in a", 3, 3, { 1, INFINITY, 3 }, { 1, 2, 3 }, 1, 0.05, 0.05, STATS_INCONCLUSIVE, 0,
	  "a has a non-finite sample" },
	{ "median of a is 0", 3, 3, { 0, 0, 1 }, { 1, 2, 3 }, 1, 0.05, 0.05, STATS_INCONCLUSIVE, 0,
	  "the ratio is undefined" },
	{ "negative tolerance", 5, 5, { 1, 2, 3, 4, 5 }, { 1, 2, 3, 4, 5 }, 1, -0.1, 0.05,
	  STATS_INCONCLUSIVE, 0, "invalid tolerance" },
	{ "alpha 0", 5, 5, { 1, 2, 3, 4, 5 }, { 1, 2, 3, 4, 5 }, 1, 0.05, 0, STATS_INCONCLUSIVE, 0,
	  "invalid tolerance" },
};

START_TEST(test_decide_table)
{
	const struct decide_case c = decide_cases[_i];
	struct stats_decision d;
	enum stats_verdict v = stats_decide(c.a, c.na, c.b, c.nb, c.higher_is_better, c.tol,
					    c.alpha, &d);
	ck_assert_msg(v == c.want, "%s: %s, want %s (%s)", c.name, stats_verdict_name(v),
		      stats_verdict_name(c.want), d.explanation);
	ck_assert_int_eq(d.verdict, v);
	ck_assert_uint_eq(d.na, c.na);
	ck_assert_uint_eq(d.nb, c.nb);
	ck_assert(strlen(d.explanation) > 0 && strchr(d.explanation, '\n') == NULL);
	ck_assert_msg(strncmp(d.explanation, stats_verdict_name(v), strlen(stats_verdict_name(v))) == 0,
		      "%s: %s", c.name, d.explanation);
	if (c.says)
		ck_assert_msg(strstr(d.explanation, c.says) != NULL, "%s: \"%s\" lacks \"%s\"",
			      c.name, d.explanation, c.says);
	if (v == STATS_INCONCLUSIVE && c.min_suggested)
		ck_assert_msg(d.suggested_n >= c.min_suggested, "%s: suggested %u (%s)", c.name,
			      d.suggested_n, d.explanation);
	if (v != STATS_INCONCLUSIVE) {
		ck_assert_uint_eq(d.suggested_n, 0);
		ck_assert_int_eq(d.interval.valid, 1);
		ck_assert_double_eq_tol(d.interval.level, 1 - c.alpha, 1e-12);
		ck_assert_double_eq_tol(d.ratio, d.median_b / d.median_a, 1e-12);
		ck_assert_double_eq(d.p, d.mw.p);
	}
	if (v == STATS_BETTER || v == STATS_WORSE) {
		ck_assert(d.p < c.alpha);
		ck_assert(d.ratio > 1 + c.tol || d.ratio < 1 - c.tol);
	}
	if (v == STATS_EQUIVALENT)
		ck_assert(d.interval.lo >= 1 - c.tol && d.interval.hi <= 1 + c.tol);
}
END_TEST

/* 71.489 vs 71.457 must never come out BETTER, whatever the tolerance. */
START_TEST(test_decide_tiny_difference_never_better)
{
	const double a[] = TOKS_A, b[] = TOKS_B;
	static const double tols[] = { 0, 1e-5, 1e-4, 3e-4, 1e-3, 0.01, 0.05, 0.1 };
	struct stats_decision d;
	size_t i;
	for (i = 0; i < ARRAY_SIZE(tols); i++) {
		enum stats_verdict v = stats_decide(a, 5, b, 5, 1, tols[i], 0.05, &d);
		ck_assert_msg(v == STATS_EQUIVALENT || v == STATS_INCONCLUSIVE, "tol %g: %s",
			      tols[i], d.explanation);
		ck_assert(d.p > 0.05);
	}
}
END_TEST

START_TEST(test_decide_fields)
{
	const double a[] = { 50.0, 50.2, 49.9, 50.1, 50.05 };
	const double b[] = { 55.0, 55.1, 54.9, 55.2, 55.05 };
	struct stats_decision d, e;
	ck_assert_int_eq(stats_decide(a, 5, b, 5, 1, 0.05, 0.05, &d), STATS_BETTER);
	ck_assert_double_eq(d.median_a, 50.05);
	ck_assert_double_eq(d.median_b, 55.05);
	ck_assert_double_eq_tol(d.ratio, 55.05 / 50.05, 1e-15);
	ck_assert_double_eq_tol(d.p, 2.0 / 252, 1e-15);
	ck_assert_str_eq(d.test_method, "Mann-Whitney U, exact");
	ck_assert_str_eq(d.interval_method, "percentile bootstrap of the ratio of medians");
	ck_assert_uint_eq(d.interval.iters, STATS_DECIDE_ITERS);
	ck_assert(d.interval.seed == STATS_DECIDE_SEED);
	ck_assert(d.interval.lo > 1.05);
	ck_assert_double_eq_tol(d.mw.hodges_lehmann, 5.0, 1e-9);
	ck_assert_int_eq(d.higher_is_better, 1);
	/* Reproducible, bit for bit. */
	stats_decide(a, 5, b, 5, 1, 0.05, 0.05, &e);
	ck_assert(memcmp(&d.interval, &e.interval, sizeof(d.interval)) == 0);
	ck_assert_str_eq(d.explanation, e.explanation);
	/* Undefined ratio: NAN. */
	stats_decide(a, 1, b, 1, 1, 0.05, 0.05, &d);
	ck_assert(isnan(d.ratio));
}
END_TEST

/* Heavy noise: a repetition count beyond the samples at hand, and a reason. */
START_TEST(test_decide_suggestion_is_sane)
{
	const double a[] = { 50, 65, 42, 58, 47 }, b[] = { 55, 40, 68, 52, 61 };
	struct stats_decision d;
	ck_assert_int_eq(stats_decide(a, 5, b, 5, 1, 0.05, 0.05, &d), STATS_INCONCLUSIVE);
	ck_assert(d.suggested_n > 5 && d.suggested_n <= STATS_MAX_SUGGESTED);
	/* median(b)/median(a) = 55/50, but p = 0.69 (exact; Python enumeration) */
	ck_assert(strstr(d.explanation, "b is 10.0 % higher than a but Mann-Whitney p = 0.69") != NULL);
	/* Within the band, not inside it: the interval crosses the bound. */
	{
		const double x[] = { 100, 103, 98, 101, 104, 99 }, y[] = { 104, 101, 107, 103, 102, 106 };
		ck_assert_int_eq(stats_decide(x, 6, y, 6, 1, 0.05, 0.05, &d), STATS_INCONCLUSIVE);
		ck_assert(strstr(d.explanation, "crosses the +/-5 % tolerance bound") != NULL);
		ck_assert(d.suggested_n > 6 && d.suggested_n < 100);
	}
}
END_TEST

START_TEST(test_verdict_names)
{
	ck_assert_str_eq(stats_verdict_name(STATS_BETTER), "better");
	ck_assert_str_eq(stats_verdict_name(STATS_WORSE), "worse");
	ck_assert_str_eq(stats_verdict_name(STATS_EQUIVALENT), "equivalent");
	ck_assert_str_eq(stats_verdict_name(STATS_INCONCLUSIVE), "inconclusive");
	ck_assert_str_eq(stats_verdict_name((enum stats_verdict)42), "inconclusive");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stats_compare");
	TCase *tc = tcase_create("stats_compare");
	SRunner *sr;
	int failed;
	tcase_add_loop_test(tc, test_mw_table, 0, (int)ARRAY_SIZE(mw_cases));
	tcase_add_test(tc, test_mw_exact_limit);
	tcase_add_test(tc, test_mw_refused);
	tcase_add_test(tc, test_hl_large);
	tcase_add_test(tc, test_bootstrap);
	tcase_add_loop_test(tc, test_decide_table, 0, (int)ARRAY_SIZE(decide_cases));
	tcase_add_test(tc, test_decide_tiny_difference_never_better);
	tcase_add_test(tc, test_decide_fields);
	tcase_add_test(tc, test_decide_suggestion_is_sane);
	tcase_add_test(tc, test_verdict_names);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

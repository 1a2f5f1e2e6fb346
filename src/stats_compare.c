// SPDX-License-Identifier: MIT
#include "stats_compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "banned.h"

static int cmp_double(const void *x, const void *y)
{
	double p = *(const double *)x, q = *(const double *)y;
	return (p > q) - (p < q);
}

static int all_finite(const double *v, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	return 1;
}

static double median_sorted(const double *v, size_t n)
{
	if (n == 0)
		return 0;
	if (n % 2)
		return v[n / 2];
	return v[n / 2 - 1] / 2 + v[n / 2] / 2;
}

/* Sorted copy (caller frees). */
static double *sorted_copy(const double *v, size_t n)
{
	double *c = xmalloc((n ? n : 1) * sizeof(*c));
	if (n)
		memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp_double);
	return c;
}

/* R-7 percentile of sorted v, p in [0, 1]; infinities at the top are
 * returned as such (never inf * 0). */
static double quantile_sorted(const double *v, size_t n, double p)
{
	double rank, frac;
	size_t lo;
	if (p <= 0)
		return v[0];
	if (p >= 1)
		return v[n - 1];
	rank = p * (double)(n - 1);
	lo = (size_t)floor(rank);
	frac = rank - (double)lo;
	if (lo + 1 >= n || frac <= 0)
		return v[lo];
	if (isinf(v[lo + 1]) || isinf(v[lo]))
		return v[lo + 1];
	return v[lo] + frac * (v[lo + 1] - v[lo]);
}

/* --- Mann-Whitney -------------------------------------------------------- */

struct tagged {
	double v;
	int from_a;
};

static int cmp_tagged(const void *x, const void *y)
{
	const struct tagged *p = x, *q = y;
	if (p->v != q->v)
		return (p->v > q->v) - (p->v < q->v);
	return q->from_a - p->from_a; /* deterministic order inside a tie */
}

/* Order-preserving map of doubles to unsigned integers and back. */
static uint64_t dkey(double d)
{
	uint64_t u;
	memcpy(&u, &d, sizeof(u));
	return (u & UINT64_C(0x8000000000000000)) ? ~u : (u | UINT64_C(0x8000000000000000));
}

static double dval(uint64_t k)
{
	uint64_t u = (k & UINT64_C(0x8000000000000000)) ? (k & ~UINT64_C(0x8000000000000000)) : ~k;
	double d;
	memcpy(&d, &u, sizeof(d));
	return d;
}

/* Pairs (i, j) with b_j - a_i <= d; a and b sorted ascending. Floating
 * subtraction is monotone in both operands, so the a-indices satisfying it
 * for b_j form a suffix that only moves right as j grows. */
static uint64_t count_le(const double *a, size_t na, const double *b, size_t nb, double d)
{
	uint64_t c = 0;
	size_t i = 0, j;
	for (j = 0; j < nb; j++) {
		while (i < na && b[j] - a[i] > d)
			i++;
		c += (uint64_t)(na - i);
	}
	return c;
}

/* The k-th smallest (1-based) of the differences b_j - a_i, exactly. */
static double kth_diff(const double *a, size_t na, const double *b, size_t nb, uint64_t k)
{
	uint64_t lo = dkey(b[0] - a[na - 1]), hi = dkey(b[nb - 1] - a[0]);
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (count_le(a, na, b, nb, dval(mid)) >= k)
			hi = mid;
		else
			lo = mid + 1;
	}
	return dval(lo) + 0.0; /* + 0.0: no "-0" */
}

static double hodges_lehmann(const double *as, size_t na, const double *bs, size_t nb)
{
	uint64_t n = (uint64_t)na * nb;
	if (n % 2)
		return kth_diff(as, na, bs, nb, n / 2 + 1);
	return kth_diff(as, na, bs, nb, n / 2) / 2 + kth_diff(as, na, bs, nb, n / 2 + 1) / 2;
}

/*
 * Exact two-sided p of the rank sum of a, conditional on the tie groups.
 * dp[k][s]: the number of ways to give k of the pooled positions seen so
 * far to a with doubled rank sum s. A group of t tied values with doubled
 * mid-rank r2 adds c of them to a in C(t, c) ways, each adding c * r2.
 */
static double exact_p(const size_t *gsize, const size_t *grank2, size_t ngroups,
		      size_t na, size_t n, size_t s_obs)
{
	size_t smax = na * (2 * n - na + 1), width = smax + 1;
	double *dp = xcalloc((na + 1) * width, sizeof(*dp));
	double binom[2 * STATS_MW_EXACT_MAX + 1];
	double total = 0, le = 0, ge = 0, p;
	size_t g, k, c, s;

	dp[0] = 1;
	for (g = 0; g < ngroups; g++) {
		size_t t = gsize[g], r2 = grank2[g];
		binom[0] = 1;
		for (c = 1; c <= t; c++)
			binom[c] = binom[c - 1] * (double)(t - c + 1) / (double)c;
		for (k = na + 1; k-- > 0;) {
			double *src = dp + k * width;
			for (c = 1; c <= t && k + c <= na; c++) {
				double *dst = dp + (k + c) * width;
				size_t shift = c * r2;
				if (shift > smax)
					break;
				for (s = 0; s + shift <= smax; s++)
					if (src[s] != 0)
						dst[s + shift] += binom[c] * src[s];
			}
		}
	}
	for (s = 0; s <= smax; s++) {
		double w = dp[na * width + s];
		total += w;
		if (s <= s_obs)
			le += w;
		if (s >= s_obs)
			ge += w;
	}
	free(dp);
	p = 2 * (le < ge ? le : ge) / total;
	return p > 1 ? 1 : p;
}

int stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
		       struct stats_mw *out)
{
	size_t n = na + nb, i, j, ngroups = 0;
	struct tagged *pool;
	size_t *gsize, *grank2;
	double *as, *bs;
	double r2_a = 0, tie_sum = 0, mean, var;
	int exact;

	memset(out, 0, sizeof(*out));
	out->na = na;
	out->nb = nb;
	out->p = 1;
	out->method = "none";
	if (na == 0 || nb == 0 || !all_finite(a, na) || !all_finite(b, nb))
		return -1;

	pool = xmalloc(n * sizeof(*pool));
	gsize = xmalloc(n * sizeof(*gsize));
	grank2 = xmalloc(n * sizeof(*grank2));
	for (i = 0; i < na; i++)
		pool[i] = (struct tagged){ a[i], 1 };
	for (j = 0; j < nb; j++)
		pool[na + j] = (struct tagged){ b[j], 0 };
	qsort(pool, n, sizeof(*pool), cmp_tagged);

	/* Tie groups: positions [i, j) share the doubled mid-rank i + 1 + j. */
	for (i = 0; i < n; i = j) {
		size_t in_a = 0;
		for (j = i; j < n && pool[j].v == pool[i].v; j++)
			in_a += (size_t)pool[j].from_a;
		gsize[ngroups] = j - i;
		grank2[ngroups] = i + 1 + j;
		r2_a += (double)in_a * (double)(i + 1 + j);
		tie_sum += pow((double)(j - i), 3) - (double)(j - i);
		if (j - i > 1)
			out->ties = 1;
		ngroups++;
	}
	out->u = r2_a / 2 - (double)na * (double)(na + 1) / 2;
	out->prob_b_greater = 1 - out->u / ((double)na * (double)nb);

	mean = (double)na * (double)nb / 2;
	exact = na <= STATS_MW_EXACT_MAX && nb <= STATS_MW_EXACT_MAX;
	if (exact) {
		out->exact = 1;
		out->method = "exact";
		out->p = exact_p(gsize, grank2, ngroups, na, n, (size_t)llround(r2_a));
	} else {
		out->method = "normal approximation";
		var = (double)na * (double)nb / 12 *
		      ((double)(n + 1) - tie_sum / ((double)n * (double)(n - 1)));
		if (var <= 0) {
			out->p = 1;
		} else {
			double z = (fabs(out->u - mean) - 0.5) / sqrt(var);
			if (z < 0)
				z = 0;
			out->z = out->u < mean ? -z : z;
			out->p = erfc(z / sqrt(2.0));
			if (out->p > 1)
				out->p = 1;
		}
	}

	as = sorted_copy(a, na);
	bs = sorted_copy(b, nb);
	out->hodges_lehmann = hodges_lehmann(as, na, bs, nb);
	free(as);
	free(bs);
	free(pool);
	free(gsize);
	free(grank2);
	return 0;
}

/* --- bootstrap ------------------------------------------------------------- */

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	int i;
	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** */
static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Uniform in [0, n), unbiased (rejection of the short last block). */
static size_t rng_below(struct rng *r, size_t n)
{
	uint64_t bound = (uint64_t)n, threshold = (0 - bound) % bound, x;
	do
		x = rng_next(r);
	while (x < threshold);
	return (size_t)(x % bound);
}

static double resample_median(struct rng *r, const double *v, size_t n, double *scratch)
{
	size_t i;
	for (i = 0; i < n; i++)
		scratch[i] = v[rng_below(r, n)];
	qsort(scratch, n, sizeof(*scratch), cmp_double);
	return median_sorted(scratch, n);
}

int stats_bootstrap_ratio(const double *a, size_t na, const double *b, size_t nb,
			  double level, unsigned iters, uint64_t seed,
			  struct stats_interval *out)
{
	double *as, *bs, *scratch, *ratios, ma, mb;
	struct rng r;
	unsigned it;

	memset(out, 0, sizeof(*out));
	if (na == 0 || nb == 0 || iters == 0 || !(level > 0 && level < 1) ||
	    !all_finite(a, na) || !all_finite(b, nb))
		return -1;
	as = sorted_copy(a, na);
	bs = sorted_copy(b, nb);
	ma = median_sorted(as, na);
	mb = median_sorted(bs, nb);
	if (!(ma > 0) || !(mb > 0)) {
		free(as);
		free(bs);
		return -1;
	}
	scratch = xmalloc((na > nb ? na : nb) * sizeof(*scratch));
	ratios = xmalloc(iters * sizeof(*ratios));
	rng_seed(&r, seed);
	for (it = 0; it < iters; it++) {
		double ra = resample_median(&r, a, na, scratch);
		double rb = resample_median(&r, b, nb, scratch);
		ratios[it] = ra > 0 ? rb / ra : INFINITY;
	}
	qsort(ratios, iters, sizeof(*ratios), cmp_double);
	out->valid = 1;
	out->estimate = mb / ma;
	out->lo = quantile_sorted(ratios, iters, (1 - level) / 2);
	out->hi = quantile_sorted(ratios, iters, (1 + level) / 2);
	out->level = level;
	out->iters = iters;
	out->seed = seed;
	free(as);
	free(bs);
	free(scratch);
	free(ratios);
	return 0;
}

/* --- decision ---------------------------------------------------------------- */

const char *stats_verdict_name(enum stats_verdict v)
{
	switch (v) {
	case STATS_BETTER:
		return "better";
	case STATS_WORSE:
		return "worse";
	case STATS_EQUIVALENT:
		return "equivalent";
	case STATS_INCONCLUSIVE:
		break;
	}
	return "inconclusive";
}

/* The smallest n per side with which the exact test can reach p < alpha
 * (complete separation: p = 2 / C(2n, n)). */
static unsigned n_for_alpha(double alpha)
{
	unsigned n;
	double c = 2; /* C(2, 1) */
	for (n = 1; n < 64; n++) {
		if (2 / c < alpha)
			return n;
		/* C(2n + 2, n + 1) = C(2n, n) * (2n + 1)(2n + 2) / (n + 1)^2 */
		c = c * (double)(2 * n + 1) * (double)(2 * n + 2) / ((double)(n + 1) * (double)(n + 1));
	}
	return n;
}

static unsigned suggest_n(const struct stats_decision *d)
{
	double w, dist, nh, want, tol = d->rel_tolerance, r = d->ratio;
	unsigned floor_n = n_for_alpha(d->alpha);
	size_t bigger = d->na > d->nb ? d->na : d->nb;

	if (floor_n < STATS_MIN_SAMPLES)
		floor_n = STATS_MIN_SAMPLES;
	if (bigger + 1 > floor_n)
		floor_n = (unsigned)(bigger + 1 < STATS_MAX_SUGGESTED ? bigger + 1 : STATS_MAX_SUGGESTED);
	if (!d->interval.valid || !isfinite(d->interval.lo) || !isfinite(d->interval.hi))
		return 0;
	w = (d->interval.hi - d->interval.lo) / 2;
	if (r > 1 + tol || r < 1 - tol)
		dist = fabs(r - 1);
	else
		dist = fmin(r - (1 - tol), (1 + tol) - r);
	if (!(dist > 0))
		return 0;
	nh = 2.0 * (double)d->na * (double)d->nb / (double)(d->na + d->nb);
	want = ceil(nh * (w / dist) * (w / dist));
	if (!(want <= STATS_MAX_SUGGESTED))
		return 0;
	return want > floor_n ? (unsigned)want : floor_n;
}

/* Decimals for ratios: 4 when the tolerance or the difference is small. */
static int ratio_decimals(double ratio, double tol)
{
	return (tol < 0.02 || fabs(ratio - 1) < 0.005) ? 4 : 3;
}

static void say_reps(char *buf, size_t len, unsigned n)
{
	if (n)
		snprintf(buf, len, "; about %u repetitions each would decide", n);
	else
		snprintf(buf, len, "; no practical number of repetitions would decide it");
}

enum stats_verdict stats_decide(const double *a, size_t na, const double *b, size_t nb,
				int higher_is_better, double rel_tolerance, double alpha,
				struct stats_decision *out)
{
	double *as, *bs, tol = rel_tolerance, r, lvl;
	char reps[96];
	int dec, up, beyond, sig, excl;

	memset(out, 0, sizeof(*out));
	out->verdict = STATS_INCONCLUSIVE;
	out->na = na;
	out->nb = nb;
	out->ratio = NAN;
	out->rel_tolerance = rel_tolerance;
	out->alpha = alpha;
	out->higher_is_better = higher_is_better ? 1 : 0;
	out->p = 1;
	out->mw.p = 1;
	out->mw.method = "none";
	out->test_method = "Mann-Whitney U";
	out->interval_method = "percentile bootstrap of the ratio of medians";

	if (!(tol >= 0 && tol < 1) || !(alpha > 0 && alpha < 1)) {
		snprintf(out->explanation, sizeof(out->explanation),
			 "inconclusive: invalid tolerance %g or alpha %g", tol, alpha);
		return out->verdict;
	}
	if (!all_finite(a, na) || !all_finite(b, nb)) {
		snprintf(out->explanation, sizeof(out->explanation),
			 "inconclusive: %s has a non-finite sample (NaN or infinity); "
			 "failed trials must be left out before comparing",
			 all_finite(a, na) ? "b" : "a");
		return out->verdict;
	}
	as = sorted_copy(a, na);
	bs = sorted_copy(b, nb);
	out->median_a = median_sorted(as, na);
	out->median_b = median_sorted(bs, nb);
	free(as);
	free(bs);

	if (na < STATS_MIN_SAMPLES || nb < STATS_MIN_SAMPLES) {
		unsigned n = n_for_alpha(alpha);
		if (n < STATS_MIN_SAMPLES)
			n = STATS_MIN_SAMPLES;
		out->suggested_n = n;
		snprintf(out->explanation, sizeof(out->explanation),
			 "inconclusive: too few samples (n = %zu/%zu; at least %d each are needed, "
			 "and %u each before a difference can be significant at alpha %g)",
			 na, nb, STATS_MIN_SAMPLES, n, alpha);
		return out->verdict;
	}
	if (!(out->median_a > 0) || !(out->median_b > 0)) {
		snprintf(out->explanation, sizeof(out->explanation),
			 "inconclusive: the ratio is undefined (median of a %g, of b %g; both must be > 0)",
			 out->median_a, out->median_b);
		return out->verdict;
	}
	r = out->ratio = out->median_b / out->median_a;

	stats_mann_whitney(a, na, b, nb, &out->mw);
	out->p = out->mw.p;
	out->test_method = out->mw.exact ? "Mann-Whitney U, exact" : "Mann-Whitney U, normal approximation";
	lvl = 1 - alpha;
	stats_bootstrap_ratio(a, na, b, nb, lvl, STATS_DECIDE_ITERS, STATS_DECIDE_SEED, &out->interval);

	up = r > 1;
	beyond = r > 1 + tol || r < 1 - tol;
	sig = out->p < alpha;
	excl = out->interval.valid && (up ? out->interval.lo > 1 : out->interval.hi < 1);
	dec = ratio_decimals(r, tol);

	if (beyond && sig && excl) {
		out->verdict = (up == (higher_is_better != 0)) ? STATS_BETTER : STATS_WORSE;
		snprintf(out->explanation, sizeof(out->explanation),
			 "%s: b is %.*f %% %s than a (ratio %.*f, %g %% interval %.*f to %.*f, "
			 "Mann-Whitney p = %.2g, n = %zu/%zu)",
			 stats_verdict_name(out->verdict), fabs(r - 1) < 0.01 ? 2 : 1,
			 100 * fabs(r - 1), up ? "higher" : "lower", dec, r, 100 * lvl,
			 dec, out->interval.lo, dec, out->interval.hi, out->p, na, nb);
		return out->verdict;
	}
	if (out->interval.valid && out->interval.lo >= 1 - tol && out->interval.hi <= 1 + tol) {
		out->verdict = STATS_EQUIVALENT;
		snprintf(out->explanation, sizeof(out->explanation),
			 "equivalent: the %g %% interval of the ratio, %.*f to %.*f, lies within the "
			 "+/-%g %% tolerance (ratio %.*f, Mann-Whitney p = %.2g, n = %zu/%zu)",
			 100 * lvl, dec, out->interval.lo, dec, out->interval.hi, 100 * tol,
			 dec, r, out->p, na, nb);
		return out->verdict;
	}

	out->suggested_n = suggest_n(out);
	say_reps(reps, sizeof(reps), out->suggested_n);
	if (beyond && !sig)
		snprintf(out->explanation, sizeof(out->explanation),
			 "inconclusive: b is %.*f %% %s than a but Mann-Whitney p = %.2g is not below "
			 "%g (%g %% interval %.*f to %.*f, n = %zu/%zu)%s",
			 fabs(r - 1) < 0.01 ? 2 : 1, 100 * fabs(r - 1), up ? "higher" : "lower", out->p, alpha, 100 * lvl,
			 dec, out->interval.lo, dec, out->interval.hi, na, nb, reps);
	else
		snprintf(out->explanation, sizeof(out->explanation),
			 "inconclusive: the %g %% interval %.*f to %.*f crosses the +/-%g %% "
			 "tolerance bound (ratio %.*f, Mann-Whitney p = %.2g, n = %zu/%zu)%s",
			 100 * lvl, dec, out->interval.lo, dec, out->interval.hi, 100 * tol,
			 dec, r, out->p, na, nb, reps);
	return out->verdict;
}

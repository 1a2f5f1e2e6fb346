/* SPDX-License-Identifier: MIT */
#ifndef O3_ANALYZE_COMPARE_H
#define O3_ANALYZE_COMPARE_H
#include <cjson/cJSON.h>

/*
 * A model's results against its baseline (baseline.h): pure, two documents
 * of the same shape in, verdicts out.
 *
 * Per preset and metric, on the raw samples (stats_decide: Mann-Whitney U,
 * exact up to 25 a side, and a bootstrap interval of the ratio of medians):
 *   regression   worse than the baseline by more than the metric's
 *                tolerance, and significant at alpha
 *   improvement  better by more than the tolerance, and significant
 *   pass         equivalent within the tolerance (the interval inside it)
 *   inconclusive too few samples, or noise larger than the tolerance: never
 *                a silent pass; the verdict says how many repetitions would
 *                decide it
 * Memory is /api/ps's size of the load, which has no noise: it is compared
 * against the tolerance directly. The ceilings (loads up to, usable) regress
 * on any step down; the stability test on a new OOM or a success rate that
 * fell. Every comparison starts with what changed in the identity.
 */

enum compare_metric {
	CMP_DECODE, CMP_TTFT, CMP_PREFILL, CMP_MEMORY, CMP_DECODE_AT_FILL, CMP_TTFT_AT_FILL,
	CMP_STABILITY_TTFT, CMP__COUNT
};

struct compare_settings {
	double tolerance[CMP__COUNT];  /* fractions (0.05 = 5 %) */
	double alpha;                  /* significance; default 0.05 */
	int strict;                    /* inconclusive fails the gate too */
};

/* The defaults: decode 5 %, TTFT 10 %, prefill 10 %, memory 5 %,
 * decode at fill 10 %, TTFT at fill 15 %, stability TTFT 20 %; alpha 0.05. */
void compare_settings_default(struct compare_settings *s);
const char *compare_metric_name(enum compare_metric m);

/*
 * The comparison of now against base (caller deletes): "model", "profile",
 * "identity_change" (words), "verdicts" [{preset, metric, verdict,
 * baseline_median, median, change_pct, p, interval [lo, hi], n_baseline, n,
 * method, explanation, suggested_n}], "ceilings" [{what, baseline, now,
 * verdict}], "regressions", "improvements", "inconclusive", and "gates"
 * [{name, pass, message}] (one per model, preset and metric, named
 * "<model>/regression/<preset>/<metric>", and per ceiling).
 */
cJSON *analyze_compare(const cJSON *base, const cJSON *now, const struct compare_settings *s);

/* The repetitions a gated metric needs so that a change of its tolerance is
 * decided, from the baseline's samples (their spread): at least 5, at most
 * max. */
int analyze_plan_repetitions(const cJSON *base, double tolerance, double alpha, int max);

#endif

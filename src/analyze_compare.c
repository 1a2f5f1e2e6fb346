// SPDX-License-Identifier: MIT
/* A model's results against its baseline (analyze_compare.h). Pure. */
#include "analyze_compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_internal.h"
#include "identity.h"
#include "record.h"
#include "stats_compare.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

static const struct {
	const char *name;      /* in reports and gate names */
	const char *sample;    /* the baseline's samples key */
	int higher_is_better;
	double tolerance;      /* default */
} metrics[CMP__COUNT] = {
	[CMP_DECODE] = { "decode", "decode_tps", 1, 0.05 },
	[CMP_TTFT] = { "ttft", "ttft_ms", 0, 0.10 },
	[CMP_PREFILL] = { "prefill", "prefill_tps", 1, 0.10 },
	[CMP_MEMORY] = { "memory", "memory_bytes", 0, 0.05 },
	[CMP_DECODE_AT_FILL] = { "decode_at_fill", "decode_tps_at_fill", 1, 0.10 },
	[CMP_TTFT_AT_FILL] = { "ttft_at_fill", "ttft_ms_at_fill", 0, 0.15 },
	[CMP_STABILITY_TTFT] = { "stability_ttft", "ttft_ms", 0, 0.20 },
};

void compare_settings_default(struct compare_settings *s)
{
	int i;
	for (i = 0; i < CMP__COUNT; i++)
		s->tolerance[i] = metrics[i].tolerance;
	s->alpha = 0.05;
	s->strict = 0;
}

const char *compare_metric_name(enum compare_metric m)
{
	return (unsigned)m < CMP__COUNT ? metrics[m].name : "?";
}

static size_t values(const cJSON *arr, double **out)
{
	const cJSON *x;
	size_t n = 0;
	*out = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(double));
	cJSON_ArrayForEach(x, arr)
		if (cJSON_IsNumber(x) && isfinite(x->valuedouble))
			(*out)[n++] = x->valuedouble;
	return n;
}

static double median_of(const double *v, size_t n)
{
	double *c;
	double m;
	size_t i, j;
	if (!n)
		return NAN;
	c = xcalloc(n, sizeof(*c));
	for (i = 0; i < n; i++) {
		c[i] = v[i];
		for (j = i; j > 0 && c[j - 1] > c[j]; j--) {
			double t = c[j];
			c[j] = c[j - 1];
			c[j - 1] = t;
		}
	}
	m = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
	free(c);
	return m;
}

/* A gate of the comparison: "<model>/regression/<what>" */
static void add_gate(cJSON *gates, const char *model, const char *what, int pass, const char *msg)
{
	char name[400];
	snprintf(name, sizeof(name), "regression/%s", what);
	analyze_gate_add(gates, model, name, pass, msg);
}

/* The relative noise of a sample: 1.4826 x the median absolute deviation
 * over the median (a robust coefficient of variation); -1 below 3 values. */
static double relative_noise(const cJSON *arr)
{
	double *v, med, mad, *dev;
	size_t n = values(arr, &v), i;
	if (n < 3) {
		free(v);
		return -1;
	}
	med = median_of(v, n);
	dev = xcalloc(n, sizeof(*dev));
	for (i = 0; i < n; i++)
		dev[i] = fabs(v[i] - med);
	mad = median_of(dev, n);
	free(dev);
	free(v);
	return med > 0 ? 1.4826 * mad / med : -1;
}

/* Where a fill metric's noise is read: the preset's trial samples of the same
 * quantity (decode at a short depth for decode at fill, TTFT of its short
 * prompts for TTFT at fill: a short TTFT is the noisier, so the estimate errs
 * on the side of "inconclusive"). */
static const char *noise_source(enum compare_metric m)
{
	return m == CMP_DECODE_AT_FILL ? "decode_tps" : m == CMP_TTFT_AT_FILL ? "ttft_ms" : NULL;
}

/* A fill is one request (of up to an hour): one sample a side. The point
 * difference decides only when it stands clear of the noise, which is read
 * from the preset's own trial samples on both sides: worse or better when
 * beyond the tolerance by more than 3 x the noise; within it when the
 * difference and 3 x the noise fit in the tolerance; otherwise
 * inconclusive. */
static const char *one_sample(double ma, double mb, int higher_is_better, double tol,
			      double noise, char *how, size_t len)
{
	double r = mb / ma - 1, worse = higher_is_better ? -r : r, margin = 3 * noise;
	snprintf(how, len, "one sample a side; the noise %.1f %% (the relative spread of the "
		 "preset's trial samples), so a change decides beyond %.1f %%", noise * 100,
		 margin * 100);
	if (worse > tol && worse > margin)
		return "regression";
	if (-worse > tol && -worse > margin)
		return "improvement";
	if (fabs(r) + margin <= tol)
		return "pass";
	return "inconclusive";
}

/* One metric of one preset: a verdict object, and its gate. bsam and nsam
 * are the preset's samples (for the noise of a one-sample metric). */
static void one(cJSON *out, cJSON *gates, const char *model, const char *preset,
		enum compare_metric m, const cJSON *bsam, const cJSON *nsam,
		const char *what_changed, const struct compare_settings *s, int *counts)
{
	const cJSON *bs = rec_get(bsam, metrics[m].sample), *ns = rec_get(nsam, metrics[m].sample);
	double *a, *b, tol = s->tolerance[m];
	size_t na = values(bs, &a), nb = values(ns, &b);
	cJSON *o;
	const char *verdict;
	char msg[700], what[160];
	double ma = median_of(a, na), mb = median_of(b, nb);
	int gate_pass = 1;

	if (!na && !nb) {
		free(a);
		free(b);
		return; /* neither measured it (a fast preset has no fill) */
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "preset", preset);
	cJSON_AddStringToObject(o, "metric", metrics[m].name);
	cJSON_AddNumberToObject(o, "tolerance_pct", tol * 100);
	cJSON_AddNumberToObject(o, "n_baseline", (double)na);
	cJSON_AddNumberToObject(o, "n", (double)nb);
	if (na)
		cJSON_AddNumberToObject(o, "baseline_median", ma);
	if (nb)
		cJSON_AddNumberToObject(o, "median", mb);
	if (na && nb && ma > 0)
		cJSON_AddNumberToObject(o, "change_pct", (mb / ma - 1) * 100);
	if (!na || !nb) {
		verdict = "inconclusive";
		snprintf(msg, sizeof(msg), "%s %s: measured %s only", preset, metrics[m].name,
			 na ? "in the baseline" : "now");
	} else if (m == CMP_MEMORY) {
		/* the size of a load has no noise: the tolerance alone decides */
		double r = mb / ma;
		cJSON_AddStringToObject(o, "method", "exact (the size of the load has no noise)");
		if (r > 1 + tol)
			verdict = "regression";
		else if (r < 1 - tol)
			verdict = "improvement";
		else
			verdict = "pass";
		snprintf(msg, sizeof(msg), "%s memory %.3f GiB -> %.3f GiB (%+.1f %%, tolerance %.0f %%)",
			 preset, ma / 1073741824.0, mb / 1073741824.0, (r - 1) * 100, tol * 100);
	} else if ((na < 2 || nb < 2) && noise_source(m)) {
		double qa = relative_noise(rec_get(bsam, noise_source(m)));
		double qb = relative_noise(rec_get(nsam, noise_source(m)));
		char how[300];
		if (qa < 0 || qb < 0 || !(ma > 0)) {
			verdict = "inconclusive";
			cJSON_AddStringToObject(o, "method", "one sample a side; no noise to judge it by");
			snprintf(msg, sizeof(msg), "%s %s %.4g -> %.4g: one sample a side, and too few trial "
				 "samples of the preset (3 a side needed) to know the noise", preset,
				 metrics[m].name, ma, mb);
		} else {
			double noise = qa > qb ? qa : qb;
			verdict = one_sample(ma, mb, metrics[m].higher_is_better, tol, noise, how,
					     sizeof(how));
			cJSON_AddStringToObject(o, "method", how);
			cJSON_AddNumberToObject(o, "noise_pct", noise * 100);
			snprintf(msg, sizeof(msg), "%s %s %.4g -> %.4g (%+.1f %%): %s (tolerance %.0f %%; %s)",
				 preset, metrics[m].name, ma, mb, (mb / ma - 1) * 100,
				 !strcmp(verdict, "regression") ? "worse than the baseline" :
				 !strcmp(verdict, "improvement") ? "better than the baseline" :
				 !strcmp(verdict, "pass") ? "within the tolerance" :
				 "inconclusive, too close to the tolerance for the noise", tol * 100, how);
		}
	} else {
		struct stats_decision d;
		stats_decide(a, na, b, nb, metrics[m].higher_is_better, tol, s->alpha, &d);
		verdict = d.verdict == STATS_WORSE ? "regression" : d.verdict == STATS_BETTER ?
			  "improvement" : d.verdict == STATS_EQUIVALENT ? "pass" : "inconclusive";
		cJSON_AddStringToObject(o, "method", d.test_method ? d.test_method : "");
		cJSON_AddNumberToObject(o, "p", d.p);
		if (d.interval.valid && isfinite(d.interval.lo) && isfinite(d.interval.hi)) {
			cJSON *iv = cJSON_AddArrayToObject(o, "interval");
			cJSON_AddItemToArray(iv, cJSON_CreateNumber(d.interval.lo));
			cJSON_AddItemToArray(iv, cJSON_CreateNumber(d.interval.hi));
		}
		if (d.verdict == STATS_INCONCLUSIVE && d.suggested_n)
			cJSON_AddNumberToObject(o, "suggested_n", d.suggested_n);
		{
			/* in words of the metric, not of the test's a and b */
			char stat[300], iv[80] = "";
			if (d.interval.valid && isfinite(d.interval.lo) && isfinite(d.interval.hi))
				snprintf(iv, sizeof(iv), ", 95 %% interval of the ratio %.3f to %.3f",
					 d.interval.lo, d.interval.hi);
			snprintf(stat, sizeof(stat), "Mann-Whitney p = %.2g%s, n = %zu/%zu", d.p, iv, na, nb);
			if (d.verdict == STATS_WORSE || d.verdict == STATS_BETTER)
				snprintf(msg, sizeof(msg), "%s %s %.4g -> %.4g (%+.1f %%): %s than the "
					 "baseline beyond the %.0f %% tolerance (%s)", preset, metrics[m].name,
					 ma, mb, (mb / ma - 1) * 100, d.verdict == STATS_WORSE ? "worse" :
					 "better", tol * 100, stat);
			else if (d.verdict == STATS_EQUIVALENT)
				snprintf(msg, sizeof(msg), "%s %s %.4g -> %.4g (%+.1f %%): within the %.0f %% "
					 "tolerance (%s)", preset, metrics[m].name, ma, mb, (mb / ma - 1) * 100,
					 tol * 100, stat);
			else if (d.suggested_n)
				snprintf(msg, sizeof(msg), "%s %s %.4g -> %.4g (%+.1f %%): inconclusive, the "
					 "noise is larger than the %.0f %% tolerance or the samples too few (%s); "
					 "about %u repetitions a side would decide", preset, metrics[m].name, ma,
					 mb, (mb / ma - 1) * 100, tol * 100, stat, d.suggested_n);
			else
				snprintf(msg, sizeof(msg), "%s %s %.4g -> %.4g (%+.1f %%): inconclusive (%s)",
					 preset, metrics[m].name, ma, mb, (mb / ma - 1) * 100, stat);
		}
	}
	cJSON_AddStringToObject(o, "verdict", verdict);
	cJSON_AddStringToObject(o, "explanation", msg);
	cJSON_AddItemToArray(out, o);
	if (!strcmp(verdict, "regression")) {
		counts[0]++;
		gate_pass = 0;
	} else if (!strcmp(verdict, "improvement")) {
		counts[1]++;
	} else if (!strcmp(verdict, "inconclusive")) {
		counts[2]++;
		gate_pass = !s->strict;
	}
	if (!gate_pass && what_changed && *what_changed) {
		size_t n = strlen(msg);
		snprintf(msg + n, sizeof(msg) - n, "; since the baseline: %s", what_changed);
	}
	snprintf(what, sizeof(what), "%s/%s", preset, metrics[m].name);
	add_gate(gates, model, what, gate_pass, gate_pass && strcmp(verdict, "inconclusive") ? NULL :
		 msg);
	free(a);
	free(b);
}

/* The stability levels of a preset: a new OOM or a lower success rate
 * regresses, whatever the noise; TTFT over every request is a metric. */
static void stability(cJSON *out, cJSON *gates, const char *model, const char *preset,
		      const cJSON *bp, const cJSON *np, const char *changed,
		      const struct compare_settings *s, int *counts)
{
	const cJSON *bl, *nl;
	cJSON_ArrayForEach(bl, rec_get(bp, "stability")) {
		double streams = cJSON_GetNumberValue(rec_get(bl, "streams")), v;
		char what[160], msg[400], label[80];
		cJSON_ArrayForEach(nl, rec_get(np, "stability"))
			if (rec_num(nl, "streams", &v) && v == streams)
				break;
		if (!nl)
			continue;
		snprintf(label, sizeof(label), "%s@%.0f-streams", preset, streams);
		msg[0] = '\0';
		if (cJSON_GetNumberValue(rec_get(nl, "oom")) > cJSON_GetNumberValue(rec_get(bl, "oom")))
			snprintf(msg, sizeof(msg), "%.0f out-of-memory failures under %.0f streams (the "
				 "baseline had %.0f)", cJSON_GetNumberValue(rec_get(nl, "oom")), streams,
				 cJSON_GetNumberValue(rec_get(bl, "oom")));
		else if (cJSON_GetNumberValue(rec_get(nl, "success_pct")) <
			 cJSON_GetNumberValue(rec_get(bl, "success_pct")))
			snprintf(msg, sizeof(msg), "success %.1f %% under %.0f streams (the baseline had "
				 "%.1f %%)", cJSON_GetNumberValue(rec_get(nl, "success_pct")), streams,
				 cJSON_GetNumberValue(rec_get(bl, "success_pct")));
		if (msg[0]) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "preset", label);
			cJSON_AddStringToObject(o, "metric", "stability");
			cJSON_AddStringToObject(o, "verdict", "regression");
			cJSON_AddStringToObject(o, "explanation", msg);
			cJSON_AddItemToArray(out, o);
			counts[0]++;
		}
		snprintf(what, sizeof(what), "%s/stability", label);
		add_gate(gates, model, what, !msg[0], msg);
		one(out, gates, model, label, CMP_STABILITY_TTFT, rec_get(bl, "ttft_ms"),
		    rec_get(nl, "ttft_ms"), changed, s, counts);
	}
}

cJSON *analyze_compare(const cJSON *base, const cJSON *now, const struct compare_settings *s)
{
	static const struct { const char *key, *words; } ceilings[] = {
		{ "loads_up_to", "loads up to" }, { "usable", "usable up to" },
	};
	cJSON *out = cJSON_CreateObject(), *verdicts, *ceil, *gates;
	const char *model = rec_str(now, RK_MODEL) ? rec_str(now, RK_MODEL) : "?";
	const cJSON *bp;
	struct strbuf changed = STRBUF_INIT;
	int counts[3] = { 0, 0, 0 };
	size_t i;

	cJSON_AddStringToObject(out, "model", model);
	cJSON_AddStringToObject(out, "profile", rec_str(now, "profile") ? rec_str(now, "profile") : "");
	cJSON_AddStringToObject(out, "baseline_date", rec_str(base, "date") ? rec_str(base, "date") : "");
	identity_describe_change(rec_get(base, "identity"), rec_get(now, "identity"), &changed);
	cJSON_AddStringToObject(out, "identity_change", changed.len ? changed.buf : "nothing");
	verdicts = cJSON_AddArrayToObject(out, "verdicts");
	ceil = cJSON_AddArrayToObject(out, "ceilings");
	gates = cJSON_AddArrayToObject(out, "gates");
	for (i = 0; i < ARRAY_SIZE(ceilings); i++) {
		double b, n;
		cJSON *o;
		char msg[300], what[64];
		int down;
		if (!rec_num(rec_get(base, "ceiling"), ceilings[i].key, &b) ||
		    !rec_num(rec_get(now, "ceiling"), ceilings[i].key, &n))
			continue;
		down = n < b;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "what", ceilings[i].key);
		cJSON_AddNumberToObject(o, "baseline", b);
		cJSON_AddNumberToObject(o, "now", n);
		cJSON_AddStringToObject(o, "verdict", down ? "regression" : n > b ? "improvement" : "pass");
		cJSON_AddItemToArray(ceil, o);
		counts[0] += down;
		counts[1] += n > b;
		snprintf(msg, sizeof(msg), "%s %.0f tokens, the baseline %.0f%s%s", ceilings[i].words, n,
			 b, down && changed.len ? "; since the baseline: " : "", down ? changed.buf ?
			 changed.buf : "" : "");
		snprintf(what, sizeof(what), "ceiling/%s", ceilings[i].key);
		add_gate(gates, model, what, !down, down ? msg : NULL);
	}
	cJSON_ArrayForEach(bp, rec_get(base, "presets")) {
		const cJSON *np = rec_get(rec_get(now, "presets"), bp->string);
		int m;
		if (!np) {
			char msg[300], what[160];
			cJSON *o = cJSON_CreateObject();
			snprintf(msg, sizeof(msg), "the baseline has a %s preset, and now none meets the "
				 "criteria", bp->string);
			cJSON_AddStringToObject(o, "preset", bp->string);
			cJSON_AddStringToObject(o, "metric", "preset");
			cJSON_AddStringToObject(o, "verdict", "regression");
			cJSON_AddStringToObject(o, "explanation", msg);
			cJSON_AddItemToArray(verdicts, o);
			counts[0]++;
			snprintf(what, sizeof(what), "%s/preset", bp->string);
			add_gate(gates, model, what, 0, msg);
			continue;
		}
		for (m = 0; m < CMP_STABILITY_TTFT; m++)
			one(verdicts, gates, model, bp->string, (enum compare_metric)m,
			    rec_get(bp, "samples"), rec_get(np, "samples"), changed.buf, s, counts);
		stability(verdicts, gates, model, bp->string, bp, np, changed.buf, s, counts);
	}
	cJSON_AddNumberToObject(out, "regressions", counts[0]);
	cJSON_AddNumberToObject(out, "improvements", counts[1]);
	cJSON_AddNumberToObject(out, "inconclusive", counts[2]);
	strbuf_release(&changed);
	return out;
}

int analyze_plan_repetitions(const cJSON *base, double tolerance, double alpha, int max)
{
	/* the interval of a ratio of medians narrows as 1/sqrt(n): with the
	 * baseline's relative spread (its coefficient of variation), a change
	 * of the tolerance is about z·cv·sqrt(2/n) wide; n so that it is half
	 * the tolerance. At least 5, the least that a rank test can decide. */
	double *v, mean = 0, var = 0, cv, z = alpha <= 0.01 ? 2.58 : 1.96;
	size_t n = values(rec_get(rec_get(base, "samples"), "decode_tps"), &v), i;
	int want;
	if (n < 2 || tolerance <= 0) {
		free(v);
		return 5 < max ? 5 : max;
	}
	for (i = 0; i < n; i++)
		mean += v[i] / (double)n;
	for (i = 0; i < n; i++)
		var += (v[i] - mean) * (v[i] - mean) / (double)(n - 1);
	free(v);
	cv = mean > 0 ? sqrt(var) / mean : 0;
	want = (int)ceil(2.0 * (2.0 * z * cv / tolerance) * (2.0 * z * cv / tolerance));
	if (want < 5)
		want = 5;
	return want > max ? max : want;
}

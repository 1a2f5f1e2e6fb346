// SPDX-License-Identifier: MIT
/* The charts of a model summary (report_charts.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "report_charts.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

const char *const report_chart_names[RC_COUNT] = {
	"decode", "ttft", "memory", "depth", "stability-ttft", "stability-success",
	"baseline-decode", "baseline-ttft",
};

#define ALERT_PCT 85.0

static double num(const cJSON *o, const char *k)
{
	double v;
	return rec_num(o, k, &v) ? v : NAN;
}

static char *text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *text(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return strbuf_detach(&sb, NULL);
}

/* Numbers, sorted, without repeats, as category labels of c. */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void numeric_cats(struct chart *c, double *xs, size_t n)
{
	size_t i;
	char label[64];
	qsort(xs, n, sizeof(*xs), cmp_double);
	for (i = 0; i < n; i++) {
		snprintf(label, sizeof(label), "%.0f", xs[i]);
		chart_cat(c, label);
	}
}

static size_t cat_of(struct chart *c, double x)
{
	char label[64];
	snprintf(label, sizeof(label), "%.0f", x);
	return chart_cat(c, label);
}

/* The chart, or NULL (freed) when it has nothing to show. */
static struct chart *keep(struct chart *c)
{
	if (chart_has_data(c))
		return c;
	chart_free(c);
	return NULL;
}

/* ---- trials: decode and TTFT against num_ctx ------------------------------------- */

static void trials_charts(struct report_charts *out, const cJSON *m)
{
	const cJSON *t, *crit = rec_get(m, "criteria");
	size_t n = 0, i, cap = (size_t)cJSON_GetArraySize(rec_get(m, "trials")) + 1;
	double *xs = xcalloc(cap, sizeof(*xs));
	const cJSON **best = xcalloc(cap, sizeof(*best));
	struct chart *d = chart_new("decode tok/s against num_ctx", "num_ctx", "decode tok/s");
	struct chart *f = chart_new("TTFT against num_ctx", "num_ctx", "TTFT ms");
	int sd = chart_series(d, "decode tok/s", CHART_LINE, 1);
	int sf = chart_series(f, "TTFT ms", CHART_LINE, 1);

	cJSON_ArrayForEach(t, rec_get(m, "trials")) {
		double ctx = num(rec_get(t, "options"), "num_ctx");
		if (!cJSON_IsTrue(rec_get(t, "ok")) || isnan(ctx) || isnan(num(t, "decode_tps")))
			continue;
		for (i = 0; i < n && xs[i] != ctx; i++)
			;
		if (i == n) {
			xs[n] = ctx;
			best[n++] = t;
			continue;
		}
		/* meeting every criterion first, then the fastest */
		if (cJSON_IsTrue(rec_get(t, "meets")) != cJSON_IsTrue(rec_get(best[i], "meets"))) {
			if (cJSON_IsTrue(rec_get(t, "meets")))
				best[i] = t;
		} else if (num(t, "decode_tps") > num(best[i], "decode_tps")) {
			best[i] = t;
		}
	}
	for (i = 0; i < n; i++) {
		/* sorted by num_ctx, with their trial */
		size_t j, k = i;
		for (j = i + 1; j < n; j++)
			if (xs[j] < xs[k])
				k = j;
		if (k != i) {
			double x = xs[i];
			const cJSON *b = best[i];
			xs[i] = xs[k], best[i] = best[k];
			xs[k] = x, best[k] = b;
		}
		chart_set(d, sd, cat_of(d, xs[i]), num(best[i], "decode_tps"));
		chart_set(f, sf, cat_of(f, xs[i]), num(best[i], "ttft_ms"));
	}
	if (!isnan(num(crit, "decode_tps_min")))
		chart_ref(d, "decode floor (criteria)", num(crit, "decode_tps_min"));
	if (!isnan(num(crit, "ttft_s")))
		chart_ref(f, "TTFT limit (criteria)", num(crit, "ttft_s") * 1000.0);
	out->chart[RC_DECODE] = keep(d);
	out->chart[RC_TTFT] = keep(f);
	out->caption[RC_DECODE] = xstrdup(
		"Decode tok/s by num_ctx: one point per context, the fastest trial there that meets every "
		"criterion (else the fastest that ran); the dashed line is the decode floor.");
	out->caption[RC_TTFT] = xstrdup(
		"TTFT by num_ctx, from the same trials as the decode chart; the dashed line is the TTFT "
		"limit.");
	free(xs);
	free(best);
}

/* ---- the model's records ----------------------------------------------------------- */

/* Whether record r (under key k) is one of the model's, of phase. */
static int of_model(const cJSON *r, const char *hash, const char *phase)
{
	const char *key = rec_str(r, "key") ? rec_str(r, "key") : r->string;
	size_t kl, hl;
	if (!key || !hash || !rec_str(r, "phase") || strcmp(rec_str(r, "phase"), phase))
		return 0;
	kl = strlen(key), hl = strlen(hash);
	return kl >= hl + 4 && !strncmp(key + kl - hl - 4, "|id=", 4) && !strcmp(key + kl - hl, hash);
}

static const char *const outcomes[] = { "fits", "offload", "over_limit", "oom", "error" };
#define NOUTCOMES (sizeof(outcomes) / sizeof(*outcomes))

static size_t outcome_index(const char *o)
{
	size_t i;
	for (i = 0; o && i + 1 < NOUTCOMES; i++)
		if (!strcmp(o, outcomes[i]))
			return i;
	return NOUTCOMES - 1;
}

static void memory_chart(struct report_charts *out, const struct report_run *run, const cJSON *m)
{
	const char *hash = rec_str(rec_get(m, "identity"), "hash");
	const cJSON *recs = run ? run->records : NULL;
	const cJSON *r, *crit = rec_get(m, "criteria");
	size_t n = 0, i, cap = (size_t)cJSON_GetArraySize(recs) + 1;
	double *xs = xcalloc(cap, sizeof(*xs));
	int pct = 0, present[NOUTCOMES] = { 0 }, series[NOUTCOMES];
	double limit = num(crit, "gpu_memory_max_pct");
	struct chart *c;

	cJSON_ArrayForEach(r, recs) {
		if (!of_model(r, hash, "ceiling-probe") || isnan(num(rec_get(r, "options"), "num_ctx")))
			continue;
		xs[n++] = num(rec_get(r, "options"), "num_ctx");
		present[outcome_index(rec_str(r, "outcome"))] = 1;
		pct |= !isnan(num(rec_get(r, "memory"), "pct"));
	}
	c = chart_new(pct ? "Memory of the ceiling probes against num_ctx" :
			    "Loaded size of the ceiling probes against num_ctx",
		      "num_ctx", pct ? "memory %" : "loaded size GiB");
	numeric_cats(c, xs, n);
	for (i = 0; i < NOUTCOMES; i++)
		series[i] = present[i] ? chart_series(c, outcomes[i], CHART_POINTS, pct ? 1 : 2) : -1;
	cJSON_ArrayForEach(r, recs) {
		double ctx = num(rec_get(r, "options"), "num_ctx");
		double v = pct ? num(rec_get(r, "memory"), "pct") :
				 num(rec_get(r, "ps"), "size_bytes") / 1073741824.0;
		if (!of_model(r, hash, "ceiling-probe") || isnan(ctx))
			continue;
		chart_set(c, series[outcome_index(rec_str(r, "outcome"))], cat_of(c, ctx), v);
	}
	if (pct) {
		chart_ref(c, "alert 85 %", ALERT_PCT);
		if (isnan(limit))
			limit = 90;
		{
			char name[64];
			snprintf(name, sizeof(name), "limit %g %%", limit);
			chart_ref(c, name, limit);
		}
	}
	out->chart[RC_MEMORY] = keep(c);
	out->caption[RC_MEMORY] = xstrdup(
		pct ? "Memory in use after each load-only probe, by its outcome (fits, offload, "
		      "over_limit, oom, error), with the 85 % alert and the "
		      "criteria's limit as dashed lines; a probe with no figure shows as -."
		    : "Loaded size (Ollama's ps) after each load-only probe, by its outcome; the records "
		      "have no memory percentage, so no limit line.");
	free(xs);
}

static void depth_chart(struct report_charts *out, const struct report_run *run, const cJSON *m)
{
	const char *hash = rec_str(rec_get(m, "identity"), "hash");
	const cJSON *recs = run ? run->records : NULL;
	const cJSON *ceil = rec_get(m, "ceiling"), *u = rec_get(ceil, "usable"), *p, *r;
	size_t n = 0, cap = (size_t)cJSON_GetArraySize(rec_get(ceil, "depth_points")) +
			    (size_t)cJSON_GetArraySize(recs) + 2, i;
	double *xs = xcalloc(cap, sizeof(*xs));
	double a = num(u, "fit_s_per_token"), b = num(u, "fit_s_per_token_per_depth");
	double fill = num(u, "fill_tokens"), at_fill = num(u, "decode_tps_at_fill");
	struct chart *c = chart_new("decode tok/s against the filled depth", "filled depth (tokens)",
				    "decode tok/s");
	int sm, sf = -1, su;

	cJSON_ArrayForEach(p, rec_get(ceil, "depth_points"))
		if (!isnan(num(p, "depth")) && !isnan(num(p, "decode_tps")))
			xs[n++] = num(p, "depth");
	cJSON_ArrayForEach(r, recs)
		if (of_model(r, hash, "fill-confirm") && !isnan(num(r, "prompt_tokens")) &&
		    !isnan(num(r, "decode_tps_server")))
			xs[n++] = num(r, "prompt_tokens");
	if (!isnan(fill) && !isnan(at_fill))
		xs[n++] = fill;
	numeric_cats(c, xs, n);
	sm = chart_series(c, "measured decode tok/s", CHART_POINTS, 1);
	if (!isnan(a) && !isnan(b))
		sf = chart_series(c, "fitted 1/(a + b x depth)", CHART_LINE, 1);
	su = chart_series(c, "usable context at fill", CHART_POINTS, 1);
	cJSON_ArrayForEach(p, rec_get(ceil, "depth_points"))
		if (!isnan(num(p, "depth")))
			chart_set(c, sm, cat_of(c, num(p, "depth")), num(p, "decode_tps"));
	cJSON_ArrayForEach(r, recs)
		if (of_model(r, hash, "fill-confirm") && !isnan(num(r, "prompt_tokens")))
			chart_set(c, sm, cat_of(c, num(r, "prompt_tokens")), num(r, "decode_tps_server"));
	for (i = 0; sf >= 0 && i < c->ncat; i++) {
		double d = strtod(c->cats[i], NULL), s = a + b * d;
		if (s > 0)
			chart_set(c, sf, i, 1.0 / s);
	}
	if (!isnan(fill))
		chart_set(c, su, cat_of(c, fill), at_fill);
	if (!isnan(num(u, "floor_tps")))
		chart_ref(c, "decode floor", num(u, "floor_tps"));
	out->chart[RC_DEPTH] = keep(c);
	out->caption[RC_DEPTH] = text(
		"Decode tok/s as the context fills: the depth points and fill-confirms measured,%s the "
		"usable context at its fill depth, and the decode floor (dashed).",
		sf >= 0 ? " the line fitted through them (seconds per token = a + b x depth)," : "");
	free(xs);
}

/* ---- stability ----------------------------------------------------------------------- */

static int preset_series(struct chart *c, const char *preset, const char *unit, int decimals)
{
	size_t i;
	char name[256];
	snprintf(name, sizeof(name), "%s %s", preset, unit);
	for (i = 0; i < c->nseries; i++)
		if (!strcmp(c->series[i].name, name))
			return (int)i;
	return chart_series(c, name, CHART_LINE, decimals);
}

static void stability_charts(struct report_charts *out, const cJSON *m)
{
	const cJSON *s, *st = rec_get(m, "stability");
	size_t n = 0;
	double *xs = xcalloc((size_t)cJSON_GetArraySize(st) + 1, sizeof(*xs));
	struct chart *p = chart_new("TTFT p99 against concurrent streams", "streams", "TTFT p99 ms");
	struct chart *ok = chart_new("Success against concurrent streams", "streams", "success %");
	int lim;

	cJSON_ArrayForEach(s, st)
		if (!isnan(num(s, "streams")))
			xs[n++] = num(s, "streams");
	numeric_cats(p, xs, n);
	numeric_cats(ok, xs, n);
	cJSON_ArrayForEach(s, st) {
		const char *preset = rec_str(s, "preset") ? rec_str(s, "preset") : "?";
		if (isnan(num(s, "streams")))
			continue;
		chart_set(p, preset_series(p, preset, "p99 ms", 0), cat_of(p, num(s, "streams")),
			  num(s, "ttft_p99_ms"));
		chart_set(ok, preset_series(ok, preset, "success %", 1), cat_of(ok, num(s, "streams")),
			  num(s, "success_pct"));
	}
	/* the limit: the largest of the presets' at each number of streams */
	lim = chart_series(p, "p99 limit ms", CHART_LINE, 0);
	cJSON_ArrayForEach(s, st) {
		size_t k;
		if (isnan(num(s, "streams")) || isnan(num(s, "ttft_p99_limit_ms")) || lim < 0)
			continue;
		k = cat_of(p, num(s, "streams"));
		if (isnan(p->series[lim].y[k]) || num(s, "ttft_p99_limit_ms") > p->series[lim].y[k])
			chart_set(p, lim, k, num(s, "ttft_p99_limit_ms"));
	}
	out->chart[RC_STABILITY_TTFT] = keep(p);
	out->chart[RC_STABILITY_SUCCESS] = keep(ok);
	out->caption[RC_STABILITY_TTFT] = xstrdup(
		"TTFT p99 per preset against the number of concurrent streams, and the limit it is judged "
		"by.");
	out->caption[RC_STABILITY_SUCCESS] = xstrdup(
		"The share of requests that succeeded per preset against the number of concurrent streams.");
	free(xs);
}

/* ---- against the baseline --------------------------------------------------------------- */

struct chart *report_chart_baseline(const cJSON *cmp, const char *metric, char **caption)
{
	const cJSON *v;
	int dec = !strcmp(metric, "decode");
	struct chart *c = chart_new(dec ? "decode tok/s: baseline and now (medians)" :
					  "TTFT: baseline and now (medians)",
				    "preset", dec ? "decode tok/s" : "TTFT ms");
	int sb = chart_series(c, "baseline median", CHART_BARS, 1);
	int sn = chart_series(c, "now median", CHART_BARS, 1);
	cJSON_ArrayForEach(v, rec_get(cmp, "verdicts")) {
		size_t k;
		if (!rec_str(v, "metric") || strcmp(rec_str(v, "metric"), metric))
			continue;
		k = chart_cat(c, rec_str(v, "preset") ? rec_str(v, "preset") : "?");
		chart_set(c, sb, k, num(v, "baseline_median"));
		chart_set(c, sn, k, num(v, "median"));
	}
	c = keep(c);
	if (caption)
		*caption = c ? text("Each preset's median %s against the baseline's (the verdict is in "
				    "the comparison's table).", dec ? "decode speed" : "TTFT")
			     : NULL;
	return c;
}

void report_charts_build(struct report_charts *out, const struct report_run *run, const cJSON *m)
{
	const cJSON *c, *cmps = run ? run->comparisons : NULL;
	memset(out, 0, sizeof(*out));
	trials_charts(out, m);
	memory_chart(out, run, m);
	depth_chart(out, run, m);
	stability_charts(out, m);
	cJSON_ArrayForEach(c, cmps) {
		if (!rec_str(c, "model") || !rec_str(m, "model") ||
		    strcmp(rec_str(c, "model"), rec_str(m, "model")))
			continue;
		out->chart[RC_BASELINE_DECODE] = report_chart_baseline(c, "decode",
								       &out->caption[RC_BASELINE_DECODE]);
		out->chart[RC_BASELINE_TTFT] = report_chart_baseline(c, "ttft",
								     &out->caption[RC_BASELINE_TTFT]);
		break;
	}
}

void report_charts_free(struct report_charts *rc)
{
	size_t i;
	for (i = 0; i < RC_COUNT; i++) {
		chart_free(rc->chart[i]);
		free(rc->caption[i]);
		rc->chart[i] = NULL;
		rc->caption[i] = NULL;
	}
}

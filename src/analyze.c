// SPDX-License-Identifier: MIT
/* The analysis of one model's records (analyze.h): criteria, ceiling,
 * usable context, trials and presets. Stability and gates are in
 * analyze_gates.c. Pure: records in, summary out. */
#include "analyze.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_internal.h"
#include "analyze_presets.h"
#include "analyze_usable.h"
#include "record.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

/* ---- criteria --------------------------------------------------------------- */

static int median(const cJSON *trial, const char *metric, double *v)
{
	return rec_num(rec_get(rec_get(trial, "summary"), metric), "median", v);
}

int analyze_ttft_median(const cJSON *trial, int on_server, double *v)
{
	return median(trial, on_server ? "ttft_server_ms" : "ttft_ms", v);
}

/* What a record's memory figure measured, in words: "system memory" where
 * the monitor had no GPU to read, never "GPU memory". */
static const char *memory_words(const cJSON *rec)
{
	const char *d = rec_str(rec_get(rec_get(rec, "monitor"), "memory"), "definition");
	if (!d)
		d = rec_str(rec_get(rec, "memory"), "definition");
	if (d && !strcmp(d, "system_ram"))
		return "system memory";
	if (d && !strncmp(d, "unified", 7))
		return "GPU memory (unified)";
	return "GPU memory";
}

/* A load placed wholly in system memory is an offload only where the GPU
 * was expected to hold it (the record says so: "gpu_expected"). */
static int offloaded(const cJSON *t)
{
	const char *placement = rec_str(t, RK_PLACEMENT);
	if (!cJSON_IsTrue(rec_get(rec_get(t, "ps"), "offload")))
		return 0;
	return !placement || strcmp(placement, "cpu") || !cJSON_IsFalse(rec_get(t, "gpu_expected"));
}

int analyze_meets(const cJSON *t, const struct suite_criteria *crit, int throughput_only,
		  int ttft_on_server, char *msg, size_t msglen)
{
	double v;
	msg[0] = '\0';
	if (!rec_is_ok(t)) {
		snprintf(msg, msglen, "the trial failed: %s: %s", ollama_err_class_name(rec_error_class(t)),
			 rec_error_message(t));
		return 0;
	}
	if (cJSON_IsTrue(rec_get(t, "truncated"))) {
		const cJSON *o = rec_get(t, RK_OPTIONS);
		double ctx = 0;
		if (rec_num(o, "num_ctx", &ctx) && ctx > 0)
			snprintf(msg, msglen, "the server cut the prompt to fit num_ctx %.0f: its figures "
				 "are not those of the prompt size asked for", ctx);
		else
			snprintf(msg, msglen, "the server cut the prompt: its figures are not those of "
				 "the prompt size asked for");
		return 0;
	}
	if (offloaded(t)) {
		double size = 0, vram = 0;
		rec_num(rec_get(t, "ps"), "size_bytes", &size);
		rec_num(rec_get(t, "ps"), "size_vram_bytes", &vram);
		if (vram <= 0)
			snprintf(msg, msglen, "ran wholly on the CPU (size_vram 0 of %.2f GiB) although "
				 "the machine has a GPU", size / 1073741824.0);
		else
			snprintf(msg, msglen, "partly offloaded to the CPU: %.0f%% of %.2f GiB on the GPU",
				 100.0 * vram / size, size / 1073741824.0);
		return 0;
	}
	if (!median(t, "decode_tps_server", &v) && !median(t, "decode_tps_client", &v)) {
		snprintf(msg, msglen, "no decode speed was measured");
		return 0;
	}
	if (v < crit->decode_tps_min) {
		snprintf(msg, msglen, "decode %.1f tok/s is below the floor of %.1f tok/s by %.1f",
			 v, crit->decode_tps_min, crit->decode_tps_min - v);
		return 0;
	}
	if (rec_num(rec_get(rec_get(t, "monitor"), "memory"), "peak_pct", &v) &&
	    v >= crit->gpu_memory_max_pct) {
		snprintf(msg, msglen, "peak %s %.1f%% is above the limit of %.0f%% by %.1f points",
			 memory_words(t), v, crit->gpu_memory_max_pct, v - crit->gpu_memory_max_pct);
		return 0;
	}
	if (throughput_only)
		return 1;
	if (!analyze_ttft_median(t, ttft_on_server, &v)) {
		snprintf(msg, msglen, "no TTFT was measured");
		return 0;
	}
	if (v / 1000.0 >= crit->ttft_s) {
		snprintf(msg, msglen, "TTFT %.2f s is above %.2f s by %.2f s", v / 1000.0, crit->ttft_s,
			 v / 1000.0 - crit->ttft_s);
		return 0;
	}
	return 1;
}

void analyze_facts(const struct analyze_input *in, double *params_b, long *trained)
{
	double v;
	*params_b = -1;
	*trained = 4096;
	if (rec_num(in->facts, "parameter_count", &v) && v > 0)
		*params_b = v / 1e9;
	if (rec_num(in->facts, "context_length", &v) && v > 0) {
		*trained = (long)v;
	} else if (!in->facts) {
		/* a log of schema 1 has no facts: the largest context probed */
		size_t i;
		for (i = 0; i < in->n_records; i++)
			if (rec_is_phase(in->records[i], RP_PROBE) &&
			    rec_option(in->records[i], "num_ctx", 0) > (double)*trained)
				*trained = (long)rec_option(in->records[i], "num_ctx", 0);
	}
}

/* ---- ceiling ------------------------------------------------------------------ */

int analyze_gpu_unused(const cJSON *first_probe, int has_gpu)
{
	const char *placement = rec_str(first_probe, RK_PLACEMENT);
	const char *outcome = rec_str(first_probe, RK_OUTCOME);
	return has_gpu && placement && !strcmp(placement, "cpu") && outcome &&
	       !strcmp(outcome, ceiling_outcome_name(CEILING_OFFLOAD));
}

int analyze_probe_outcome(const cJSON *rec, int gpu_unused, enum ceiling_outcome *outcome)
{
	static const enum ceiling_outcome all[] = {
		CEILING_FITS, CEILING_OFFLOAD, CEILING_OVER_LIMIT, CEILING_OOM, CEILING_FAILED,
	};
	const char *o = rec_str(rec, RK_OUTCOME), *placement = rec_str(rec, RK_PLACEMENT);
	enum ollama_err_class cls = rec_error_class(rec);
	size_t i;
	/* a server that went away or never answered says nothing of the size */
	if (cls == OLLAMA_ERR_UNREACHABLE || cls == OLLAMA_ERR_CLIENT_TIMEOUT ||
	    cls == OLLAMA_ERR_INTERRUPTED || cls == OLLAMA_ERR_HARNESS_CRASH)
		return -1;
	*outcome = CEILING_FAILED;
	for (i = 0; o && i < ARRAY_SIZE(all); i++)
		if (!strcmp(o, ceiling_outcome_name(all[i])))
			*outcome = all[i];
	/* where Ollama does not use the GPU, system memory is the place */
	if (gpu_unused && placement && !strcmp(placement, "cpu") && *outcome == CEILING_OFFLOAD)
		*outcome = CEILING_FITS;
	return 0;
}

/* The ceiling summary from the probes: the largest context that fit below
 * the smallest that did not (the gallop and bisection keep that order). */
static cJSON *ceiling_summary(const struct analyze_input *in, long max_probed, int *gpu_unused,
			      long *loads)
{
	cJSON *c = cJSON_CreateObject(), *probes;
	long found = 0, first_bad = 0;
	enum ceiling_outcome bad = CEILING_FAILED;
	const cJSON *first = NULL;
	size_t i;

	for (i = 0; i < in->n_records && !first; i++)
		if (rec_is_phase(in->records[i], RP_PROBE))
			first = in->records[i];
	*gpu_unused = first && analyze_gpu_unused(first, in->has_gpu);
	for (i = 0; i < in->n_records; i++) {
		enum ceiling_outcome o;
		double n = rec_option(in->records[i], "num_ctx", 0);
		if (!rec_is_phase(in->records[i], RP_PROBE) ||
		    analyze_probe_outcome(in->records[i], *gpu_unused, &o))
			continue;
		if (o != CEILING_FITS && (!first_bad || (long)n < first_bad)) {
			first_bad = (long)n;
			bad = o;
		}
	}
	for (i = 0; i < in->n_records; i++) {
		enum ceiling_outcome o;
		double n = rec_option(in->records[i], "num_ctx", 0);
		if (rec_is_phase(in->records[i], RP_PROBE) &&
		    !analyze_probe_outcome(in->records[i], *gpu_unused, &o) && o == CEILING_FITS &&
		    (long)n > found && (!first_bad || (long)n < first_bad))
			found = (long)n;
	}
	cJSON_AddNumberToObject(c, "found", (double)found);
	cJSON_AddNumberToObject(c, "max_probed", (double)max_probed);
	if (first_bad) {
		cJSON_AddNumberToObject(c, "first_bad", (double)first_bad);
		cJSON_AddStringToObject(c, "bad_outcome", ceiling_outcome_name(bad));
	}
	probes = cJSON_AddArrayToObject(c, "probes");
	for (i = 0; i < in->n_records; i++) {
		enum ceiling_outcome o;
		cJSON *p;
		if (!rec_is_phase(in->records[i], RP_PROBE) ||
		    analyze_probe_outcome(in->records[i], *gpu_unused, &o))
			continue;
		p = cJSON_CreateObject();
		cJSON_AddNumberToObject(p, "num_ctx", rec_option(in->records[i], "num_ctx", 0));
		cJSON_AddStringToObject(p, "outcome", ceiling_outcome_name(o));
		cJSON_AddItemToArray(probes, p);
	}
	cJSON_AddNumberToObject(c, "loads_up_to", (double)found);
	if (*gpu_unused)
		cJSON_AddStringToObject(c, "placement", "cpu (GPU present, unused by Ollama)");
	else if (!in->has_gpu)
		cJSON_AddStringToObject(c, "placement", "cpu (no GPU)");
	else
		cJSON_AddStringToObject(c, "placement", "gpu");
	cJSON_AddStringToObject(c, "memory", in->has_gpu && !*gpu_unused ? "GPU memory" :
				"system memory");
	*loads = found;
	return c;
}

/* ---- usable context ----------------------------------------------------------- */

/* A fill's record as a depth point: 0, or -1 when it measured no decode. */
int analyze_depth_point(const cJSON *rec, struct depth_point *p)
{
	double v;
	memset(p, 0, sizeof(*p));
	if (!rec_is_ok(rec) || !rec_num(rec, "decode_tps_server", &p->decode_tps) ||
	    !rec_num(rec, "prompt_tokens", &p->depth))
		return -1;
	if (rec_num(rec, "prefill_ms", &v))
		p->prefill_ms = v;
	return 0;
}

enum fill_verdict analyze_fill(const cJSON *rec, const struct suite_criteria *crit,
			       char *why, size_t len, const char **limited_by)
{
	enum ollama_err_class cls = rec_error_class(rec);
	long n = (long)rec_option(rec, "num_ctx", 0);
	double tps = 0, ratio = 0;
	int found = cJSON_IsTrue(rec_get(rec, "needle_found"));
	why[0] = '\0';
	*limited_by = NULL;
	if (!rec_is_ok(rec)) {
		if (cls == OLLAMA_ERR_CLIENT_TIMEOUT || cls == OLLAMA_ERR_UNREACHABLE ||
		    cls == OLLAMA_ERR_BUSY || cls == OLLAMA_ERR_HARNESS_CRASH ||
		    cls == OLLAMA_ERR_REFUSED || cls == OLLAMA_ERR_INTERRUPTED) {
			snprintf(why, len, "the fill at num_ctx=%ld did not finish: %s: %s (not a memory "
				 "verdict; the context stays unproven)", n, ollama_err_class_name(cls),
				 rec_error_message(rec));
			*limited_by = "unproven";
			return FILL_UNPROVEN;
		}
		snprintf(why, len, "%s at num_ctx=%ld", rec_error_message(rec)[0] ?
			 rec_error_message(rec) : "failed", n);
		*limited_by = "memory";
		return FILL_BAD;
	}
	if (!found && crit->needle) {
		snprintf(why, len, "the needle was not found at num_ctx=%ld", n);
		*limited_by = "needle";
		return FILL_BAD;
	}
	rec_num(rec, "decode_tps_server", &tps);
	rec_num(rec, "fill_ratio", &ratio);
	if (tps < crit->decode_tps_min) {
		snprintf(why, len, "decode %.1f tok/s at %.0f %% fill of num_ctx=%ld is below the floor "
			 "of %.1f tok/s", tps, ratio * 100, n, crit->decode_tps_min);
		*limited_by = "speed";
		return FILL_BAD;
	}
	return FILL_GOOD;
}

long analyze_usable_num(const cJSON *const *records, size_t n, const struct suite_criteria *crit)
{
	long lo = 0;
	size_t i;
	for (i = 0; i < n; i++) {
		char why[16];
		const char *limited;
		long c = (long)rec_option(records[i], "num_ctx", 0);
		if (rec_is_phase(records[i], RP_FILL) &&
		    analyze_fill(records[i], crit, why, sizeof(why), &limited) == FILL_GOOD && c > lo)
			lo = c;
	}
	return lo;
}

static void add_depth_json(cJSON *arr, const cJSON *rec, const struct depth_point *p)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "depth", p->depth);
	cJSON_AddNumberToObject(o, "decode_tps", p->decode_tps);
	if (p->prefill_ms > 0)
		cJSON_AddNumberToObject(o, "prefill_ms", p->prefill_ms);
	cJSON_AddStringToObject(o, "id", rec_str(rec, RK_ID) ? rec_str(rec, RK_ID) : "");
	cJSON_AddItemToArray(arr, o);
}

/*
 * The usable context in the ceiling's summary: the depth points and the line
 * through them, the largest fill that held (lo), and what limits it: the
 * smallest fill above lo that did not hold, or a fill that did not finish.
 */
static long usable_summary(const struct analyze_input *in, const struct suite_criteria *crit,
			   long L, cJSON *c)
{
	const double fill = in->suite->scenarios.fill_ratio;
	long res = in->suite->search.resolution > 0 ? in->suite->search.resolution : 1024;
	struct depth_point pts[16];
	size_t npts = 0, i;
	cJSON *depths = cJSON_AddArrayToObject(c, "depth_points");
	cJSON *u = cJSON_AddObjectToObject(c, "usable");
	const cJSON *good = NULL;
	long lo = 0, hi = 0;
	int fills = 0, unproven = 0;
	double a, b;
	char why[512] = "", bad_why[512] = "", unproven_why[512] = "";
	const char *limited = NULL;

	for (i = 0; i < in->n_records; i++)
		if (rec_is_phase(in->records[i], RP_DEPTH) && npts < ARRAY_SIZE(pts) &&
		    !analyze_depth_point(in->records[i], &pts[npts])) {
			add_depth_json(depths, in->records[i], &pts[npts]);
			npts++;
		}
	if (!usable_fit(pts, npts, &a, &b)) {
		long predicted = usable_predict(a, b, crit->decode_tps_min, fill, res, L);
		cJSON_AddNumberToObject(u, "fit_s_per_token", a);
		cJSON_AddNumberToObject(u, "fit_s_per_token_per_depth", b);
		cJSON_AddNumberToObject(u, "predicted", (double)predicted);
		if (predicted <= 0) {
			snprintf(why, sizeof(why), "decode falls below %.1f tok/s before any context's "
				 "%.0f %% fill (predicted from %zu depths)", crit->decode_tps_min,
				 fill * 100, npts);
			limited = "speed";
		}
	}
	for (i = 0; i < in->n_records; i++) {
		const cJSON *r = in->records[i];
		long n = (long)rec_option(r, "num_ctx", 0);
		if (rec_is_phase(r, RP_FILL) && n > lo) {
			char w[512];
			const char *lim;
			if (analyze_fill(r, crit, w, sizeof(w), &lim) == FILL_GOOD) {
				lo = n;
				good = r;
			}
		}
	}
	for (i = 0; i < in->n_records; i++) {
		const cJSON *r = in->records[i];
		long n = (long)rec_option(r, "num_ctx", 0);
		char w[512];
		const char *lim;
		enum fill_verdict v;
		if (!rec_is_phase(r, RP_FILL))
			continue;
		fills++;
		v = analyze_fill(r, crit, w, sizeof(w), &lim);
		if (v == FILL_BAD && n > lo && (!hi || n < hi)) {
			hi = n;
			snprintf(bad_why, sizeof(bad_why), "%s", w);
			limited = lim;
		} else if (v == FILL_UNPROVEN && n > lo) {
			unproven = 1;
			snprintf(unproven_why, sizeof(unproven_why), "%s", w);
		}
	}
	if (unproven_why[0])
		snprintf(why, sizeof(why), "%s", unproven_why);
	else if (bad_why[0])
		snprintf(why, sizeof(why), "%s", bad_why);
	cJSON_AddNumberToObject(u, "num_ctx", (double)lo);
	cJSON_AddNumberToObject(u, "fill_ratio", fill);
	cJSON_AddNumberToObject(u, "floor_tps", crit->decode_tps_min);
	cJSON_AddNumberToObject(u, "fills", fills);
	if (lo > 0 && lo == L)
		cJSON_AddStringToObject(u, "limited_by", "memory");
	else if (lo > 0 && limited && !unproven)
		cJSON_AddStringToObject(u, "limited_by", limited);
	if (good) {
		double v;
		cJSON_AddStringToObject(c, "fill_confirm_id", rec_str(good, RK_ID) ? rec_str(good, RK_ID) : "");
		if (rec_num(good, "decode_tps_server", &v)) {
			cJSON_AddNumberToObject(c, "decode_tps_at_fill", v);
			cJSON_AddNumberToObject(u, "decode_tps_at_fill", v);
		}
		if (rec_num(good, "ttft_ms", &v))
			cJSON_AddNumberToObject(u, "ttft_ms_at_fill", v);
		if (rec_num(good, "ttft_server_ms", &v))
			cJSON_AddNumberToObject(u, "ttft_server_ms_at_fill", v);
		if (rec_num(good, "prompt_tokens", &v))
			cJSON_AddNumberToObject(u, "fill_tokens", v);
	}
	if (why[0])
		cJSON_AddStringToObject(c, lo > 0 ? "usable_note" : "fill_confirm_miss", why);
	return lo;
}

/* ---- trials and presets --------------------------------------------------------- */

static cJSON *trial_summary(const cJSON *rec, const struct suite_criteria *crit, int on_server)
{
	cJSON *o = cJSON_CreateObject(), *samples;
	const cJSON *r;
	char why[400];
	double v;
	int meets = analyze_meets(rec, crit, 0, on_server, why, sizeof(why));
	enum ollama_err_class cls = rec_error_class(rec);
	cJSON_AddStringToObject(o, "id", rec_str(rec, RK_ID) ? rec_str(rec, RK_ID) : "");
	cJSON_AddItemToObject(o, "options", cJSON_Duplicate(rec_get(rec, RK_OPTIONS), 1));
	cJSON_AddBoolToObject(o, "ok", rec_is_ok(rec));
	cJSON_AddBoolToObject(o, "meets", meets);
	if (!meets)
		cJSON_AddStringToObject(o, "why", why);
	cJSON_AddBoolToObject(o, "meets_throughput",
			      analyze_meets(rec, crit, 1, on_server, why, sizeof(why)));
	if (analyze_ttft_median(rec, on_server, &v))
		cJSON_AddNumberToObject(o, "ttft_ms", v);
	if (median(rec, "decode_tps_server", &v))
		cJSON_AddNumberToObject(o, "decode_tps", v);
	/* the raw samples: a choice between trials rests on them */
	samples = cJSON_AddArrayToObject(o, "decode_samples");
	cJSON_ArrayForEach(r, rec_get(rec, "requests"))
		if (rec_num(r, "decode_tps_server", &v))
			cJSON_AddItemToArray(samples, cJSON_CreateNumber(v));
	if (median(rec, "prefill_tps", &v))
		cJSON_AddNumberToObject(o, "prefill_tps", v);
	if (rec_num(rec_get(rec_get(rec, "monitor"), "memory"), "peak_pct", &v))
		cJSON_AddNumberToObject(o, "gpu_pct", v);
	if (cls != OLLAMA_OK)
		cJSON_AddStringToObject(o, "error", ollama_err_class_name(cls));
	return o;
}

cJSON *analyze_trials(const cJSON *const *records, size_t n, const struct suite_criteria *crit,
		      int ttft_on_server)
{
	cJSON *arr = cJSON_CreateArray();
	size_t i;
	for (i = 0; i < n; i++)
		if (rec_is_phase(records[i], RP_TRIAL))
			cJSON_AddItemToArray(arr, trial_summary(records[i], crit, ttft_on_server));
	return arr;
}

static double opt_num(const cJSON *t, const char *k)
{
	return rec_option(t, k, 0);
}

static cJSON *make_preset(const cJSON *trial, const char *extra_evidence)
{
	cJSON *p = cJSON_CreateObject(), *ev, *rb;
	double v;
	cJSON_AddItemToObject(p, "options", cJSON_Duplicate(rec_get(trial, RK_OPTIONS), 1));
	ev = cJSON_AddArrayToObject(p, "evidence");
	cJSON_AddItemToArray(ev, cJSON_CreateString(rec_str(trial, RK_ID) ? rec_str(trial, RK_ID) : ""));
	if (extra_evidence && extra_evidence[0])
		cJSON_AddItemToArray(ev, cJSON_CreateString(extra_evidence));
	if (rec_num(trial, "ttft_ms", &v))
		cJSON_AddNumberToObject(p, "ttft_ms", v);
	if (rec_num(trial, "decode_tps", &v))
		cJSON_AddNumberToObject(p, "decode_tps", v);
	if (rec_num(trial, "gpu_pct", &v))
		cJSON_AddNumberToObject(p, "gpu_pct", v);
	/* until baselines exist, the rollback is what Ollama does by itself */
	rb = cJSON_AddObjectToObject(p, "rollback");
	cJSON_AddStringToObject(rb, "description", "Ollama's defaults (no options)");
	cJSON_AddItemToObject(rb, "options", cJSON_CreateObject());
	return p;
}

cJSON *analyze_presets(const cJSON *trials, const cJSON *c, long cap)
{
	const cJSON *t, *best_ctx = NULL, *best_fast;
	cJSON *presets = cJSON_CreateObject();
	cJSON *why = cJSON_CreateObject();
	double v, w;
	cJSON_ArrayForEach(t, trials) {
		if (cJSON_IsTrue(rec_get(t, "meets_throughput")) &&
		    (cap < 0 || (cap > 0 && opt_num(t, "num_ctx") <= (double)cap))) {
			if (!best_ctx || opt_num(t, "num_ctx") > opt_num(best_ctx, "num_ctx") ||
			    (opt_num(t, "num_ctx") == opt_num(best_ctx, "num_ctx") &&
			     rec_num(t, "decode_tps", &v) && rec_num(best_ctx, "decode_tps", &w) && v > w))
				best_ctx = t;
		}
	}
	best_fast = analyze_pick_fast(trials, why);
	if (best_ctx) {
		const cJSON *u = rec_get(c, "usable");
		cJSON *p = make_preset(best_ctx, rec_str(c, "fill_confirm_id"));
		/* the speed where the context is used, beside the interactive one */
		if (rec_num(u, "decode_tps_at_fill", &v) &&
		    opt_num(best_ctx, "num_ctx") == cJSON_GetNumberValue(rec_get(u, "num_ctx"))) {
			cJSON_AddNumberToObject(p, "decode_tps_at_fill", v);
			if (rec_num(u, "ttft_server_ms_at_fill", &v) || rec_num(u, "ttft_ms_at_fill", &v))
				cJSON_AddNumberToObject(p, "ttft_ms_at_fill", v);
			cJSON_AddNumberToObject(p, "fill_ratio", cJSON_GetNumberValue(rec_get(u, "fill_ratio")));
		}
		if (rec_num(c, "loads_up_to", &v))
			cJSON_AddNumberToObject(p, "loads_up_to", v);
		cJSON_AddItemToObject(presets, "max_ctx", p);
	}
	if (best_fast) {
		cJSON *p = make_preset(best_fast, NULL);
		cJSON_AddItemToObject(p, "choice", why);
		why = NULL;
		cJSON_AddItemToObject(presets, "fast", p);
	}
	cJSON_Delete(why);
	return presets;
}

/* ---- the whole summary -------------------------------------------------------- */

static void add_criteria(cJSON *sum, const struct suite_criteria *crit)
{
	cJSON *c = cJSON_AddObjectToObject(sum, "criteria");
	cJSON_AddNumberToObject(c, "ttft_s", crit->ttft_s);
	cJSON_AddNumberToObject(c, "decode_tps_min", crit->decode_tps_min);
	cJSON_AddNumberToObject(c, "gpu_memory_max_pct", crit->gpu_memory_max_pct);
	cJSON_AddNumberToObject(c, "oom_allowed", (double)crit->oom_allowed);
	cJSON_AddBoolToObject(c, "needle", crit->needle);
}

static void add_identity(cJSON *sum, const struct analyze_input *in)
{
	if (in->identity)
		cJSON_AddItemToObject(sum, "identity", cJSON_Duplicate(in->identity, 1));
	if (in->identity && in->previous_identity) {
		struct strbuf sb = STRBUF_INIT;
		cJSON *ch = cJSON_AddObjectToObject(sum, "identity_change");
		identity_describe_change(in->previous_identity, in->identity, &sb);
		cJSON_AddStringToObject(ch, "what", sb.buf);
		cJSON_AddStringToObject(ch, "previous_hash", rec_str(in->previous_identity, "hash") ?
					rec_str(in->previous_identity, "hash") : "");
		if (in->steps_measured_again >= 0)
			cJSON_AddNumberToObject(ch, "steps_measured_again",
						(double)in->steps_measured_again);
		strbuf_release(&sb);
	}
}

/* Once a baseline exists, a preset's rollback is the last good baseline's
 * configuration of it, with its figures, not Ollama's defaults. */
static void add_rollback(cJSON *presets, const cJSON *rollback)
{
	cJSON *p;
	cJSON_ArrayForEach(p, presets) {
		const cJSON *b = rec_get(rec_get(rollback, "presets"), p->string);
		cJSON *rb;
		char what[300];
		if (!b)
			continue;
		rb = cJSON_CreateObject();
		snprintf(what, sizeof(what), "the last good baseline (%s, Ollama %s, profile %s)",
			 rec_str(rollback, "date") ? rec_str(rollback, "date") : "?",
			 rec_str(rollback, "ollama_version") ? rec_str(rollback, "ollama_version") : "?",
			 rec_str(rollback, "profile") ? rec_str(rollback, "profile") : "?");
		cJSON_AddStringToObject(rb, "description", what);
		cJSON_AddItemToObject(rb, "options", cJSON_Duplicate(rec_get(b, RK_OPTIONS), 1));
		if (rec_get(b, "decode_tps"))
			cJSON_AddItemToObject(rb, "decode_tps", cJSON_Duplicate(rec_get(b, "decode_tps"), 1));
		if (rec_get(b, "ttft_ms"))
			cJSON_AddItemToObject(rb, "ttft_ms", cJSON_Duplicate(rec_get(b, "ttft_ms"), 1));
		cJSON_ReplaceItemInObjectCaseSensitive(p, "rollback", rb);
	}
}

cJSON *analyze_model(const struct analyze_input *in)
{
	struct suite_criteria crit;
	cJSON *sum = cJSON_CreateObject(), *ceiling = NULL, *trials, *presets;
	double params_b;
	long trained, loads = 0, usable = 0, cap = -1;
	int gpu_unused = 0;

	cJSON_AddStringToObject(sum, "model", in->model);
	if (in->server_knobs)
		cJSON_AddItemToObject(sum, "server_knobs", cJSON_Duplicate(in->server_knobs, 1));
	add_identity(sum, in);
	if (in->facts && !rec_is_ok(in->facts)) {
		/* a model of the suite that the server lacks is a failed gate of its own */
		cJSON_AddStringToObject(sum, "error", rec_error_message(in->facts));
		analyze_gates_unavailable(sum, in);
		return sum;
	}
	analyze_facts(in, &params_b, &trained);
	cJSON_AddNumberToObject(sum, "params_b", params_b);
	cJSON_AddNumberToObject(sum, "trained_context", (double)trained);
	suite_criteria_for(in->suite, in->model, params_b, &crit);
	add_criteria(sum, &crit);
	if (in->suite->search.ceiling) {
		long max = in->suite->search.max > 0 && in->suite->search.max < trained ?
			   in->suite->search.max : trained;
		ceiling = ceiling_summary(in, max, &gpu_unused, &loads);
		usable = loads > 0 ? usable_summary(in, &crit, loads, ceiling) : 0;
		cJSON_AddNumberToObject(ceiling, "confirmed", (double)usable);
		cJSON_AddItemToObject(sum, "ceiling", ceiling);
		cap = usable;
	}
	trials = analyze_trials(in->records, in->n_records, &crit, in->ttft_on_server);
	cJSON_AddItemToObject(sum, "trials", trials);
	presets = analyze_presets(trials, ceiling, cap);
	add_rollback(presets, in->rollback);
	cJSON_AddItemToObject(sum, "presets", presets);
	analyze_gates(sum, in, &crit);
	cJSON_AddBoolToObject(sum, "complete", in->complete);
	if (gpu_unused)
		cJSON_AddStringToObject(sum, "finding",
			"Ollama did not use the GPU: the first load sat wholly in system memory "
			"(size_vram 0) on a machine with a GPU; its GPU runtime (driver, ROCm, CUDA or "
			"Vulkan) was probably not found. Every figure here is of the CPU.");
	return sum;
}

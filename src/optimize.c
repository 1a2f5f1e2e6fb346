// SPDX-License-Identifier: MIT
#include "optimize.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_presets.h"
#include "analyze_usable.h"
#include "clock.h"
#include "identity.h"
#include "stability.h"
#include "monitor.h"
#include "msg.h"
#include "record.h"
#include "plan.h"
#include "strbuf.h"
#include "trial.h"
#include "ttft.h"
#include "util.h"
#include "banned.h"

/* Ollama's num_batch when none is sent (llama.cpp's -b) */
#define OLLAMA_DEFAULT_NUM_BATCH 512

struct model_run;
static void gate(struct model_run *mr, cJSON *gates, const char *what, int pass, const char *msg);

/* ---- reading records ----------------------------------------------------- */

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static int num(const cJSON *o, const char *k, double *v)
{
	const cJSON *x = get(o, k);
	if (!cJSON_IsNumber(x))
		return 0;
	*v = x->valuedouble;
	return 1;
}

static int median(const cJSON *trial, const char *metric, double *v)
{
	return num(get(get(trial, "summary"), metric), "median", v);
}

static int is_ok(const cJSON *rec)
{
	const char *s = cJSON_GetStringValue(get(rec, "status"));
	return s && !strcmp(s, "ok");
}

static const char *error_class(const cJSON *rec)
{
	return cJSON_GetStringValue(get(get(rec, "error"), "class"));
}

static int server_gone(const cJSON *rec)
{
	const char *cls = error_class(rec);
	return cls && !strcmp(cls, "unreachable");
}

/*
 * TTFT as the criteria judge it, on the clock ttft_judged_on_server()
 * chooses (the same rule judges the stability test, stability_phase):
 * against a simulator running faster than real time the client's clock is
 * scaled up, and with it the constant cost of each HTTP round trip; there
 * the server's own durations (prefill plus one token) give TTFT.
 */
static int ttft_median(const cJSON *trial, double *v)
{
	return median(trial, ttft_judged_on_server() ? "ttft_server_ms" : "ttft_ms", v);
}

/* What the memory figure of a record measured, in words: "system memory"
 * where the monitor had no GPU to read, never "GPU memory". */
static const char *memory_words(const cJSON *rec)
{
	const char *d = cJSON_GetStringValue(get(get(get(rec, "monitor"), "memory"), "definition"));
	if (!d)
		d = cJSON_GetStringValue(get(get(rec, "memory"), "definition"));
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
	const char *placement = cJSON_GetStringValue(get(t, "placement"));
	if (!cJSON_IsTrue(get(get(t, "ps"), "offload")))
		return 0;
	return !placement || strcmp(placement, "cpu") || !cJSON_IsFalse(get(t, "gpu_expected"));
}

int optimize_meets(const cJSON *t, const struct suite_criteria *crit, int throughput_only,
		   char *msg, size_t msglen)
{
	double v;
	msg[0] = '\0';
	if (!is_ok(t)) {
		snprintf(msg, msglen, "the trial failed: %s: %s", error_class(t) ? error_class(t) : "?",
			 cJSON_GetStringValue(get(get(t, "error"), "message")) ?
			 cJSON_GetStringValue(get(get(t, "error"), "message")) : "");
		return 0;
	}
	if (offloaded(t)) {
		double size = 0, vram = 0;
		num(get(t, "ps"), "size_bytes", &size);
		num(get(t, "ps"), "size_vram_bytes", &vram);
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
	if (num(get(get(t, "monitor"), "memory"), "peak_pct", &v) && v >= crit->gpu_memory_max_pct) {
		snprintf(msg, msglen, "peak %s %.1f%% is above the limit of %.0f%% by %.1f points",
			 memory_words(t), v, crit->gpu_memory_max_pct, v - crit->gpu_memory_max_pct);
		return 0;
	}
	if (throughput_only)
		return 1;
	if (!ttft_median(t, &v)) {
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

/* ---- the work of each step (runs in the Check child) ------------------------ */

struct step_arg {
	struct optimize_ctx *ctx;
	const char *model;
	cJSON *options;         /* the configuration (owned by the caller) */
	long num_ctx;
	int streams;
	int gpu_expected;       /* the GPU should hold the model (see offloaded()) */
	/* fills (depth points and fill-confirms) */
	double fill_ratio;      /* of num_ctx; 0 = the suite's */
	int num_predict;        /* 0 = the fill's default */
	const char *phase;      /* the record's phase; NULL = "fill-confirm" */
	int own_timeouts;       /* 1: timeouts below instead of the run's */
	struct ollama_timeouts timeouts;
	double step_timeout_s;  /* > 0: the step's own limit (real seconds) */
};

static struct monitor *step_monitor(struct optimize_ctx *ctx, struct ollama_client *c)
{
	struct monitor_settings ms;
	if (!ctx->monitor)
		return NULL;
	monitor_settings_default(&ms);
	if (ctx->sysfs_root)
		ms.sysfs_root = ctx->sysfs_root;
	if (ctx->procfs_root)
		ms.procfs_root = ctx->procfs_root;
	ms.ollama = c;
	ms.limit_pct = ctx->memory_limit_pct;
	return monitor_new(&ms);
}

static void plan_for(struct plan_ctx *p, struct step_arg *a, struct ollama_client *c,
		     struct monitor *m)
{
	memset(p, 0, sizeof(*p));
	p->client = c;
	p->model = a->model;
	p->options = a->options;
	p->keep_alive = "10m";
	p->monitor = m;
	p->has_gpu = a->gpu_expected;
	p->phase = a->phase;
	p->num_predict = a->num_predict;
}

/*
 * Before a load: when GPU memory is already at the user's hard limit, the
 * step is refused (a record saying so) instead of loading anything.
 */
static cJSON *refused(struct step_arg *a, struct monitor *m, const char *phase)
{
	char msg[512];
	cJSON *rec, *e;
	if (!m || a->ctx->memory_limit_pct <= 0 || !monitor_check_pressure(m, msg, sizeof(msg)))
		return NULL;
	rec = record_begin(a->model, phase);
	cJSON_AddItemToObject(rec, "options", cJSON_Duplicate(a->options, 1));
	cJSON_ReplaceItemInObjectCaseSensitive(rec, "status", cJSON_CreateString("error"));
	e = cJSON_AddObjectToObject(rec, "error");
	cJSON_AddStringToObject(e, "class", "refused");
	cJSON_AddStringToObject(e, "stage", "pressure");
	cJSON_AddStringToObject(e, "message", msg);
	cJSON_AddStringToObject(rec, "outcome", ceiling_outcome_name(CEILING_OVER_LIMIT));
	return rec;
}

/* Where the load was placed, from /api/ps, and whether the GPU was expected
 * to hold it: a load in system memory is no offload on a machine without a
 * GPU (or whose GPU Ollama does not use). */
static void add_placement(cJSON *rec, int gpu_expected)
{
	double size = 0, vram = 0;
	const cJSON *ps = get(rec, "ps");
	if (!rec || !num(ps, "size_bytes", &size) || !num(ps, "size_vram_bytes", &vram))
		return;
	cJSON_AddStringToObject(rec, "placement", vram >= size ? "gpu" : vram > 0 ? "partial" : "cpu");
	cJSON_AddBoolToObject(rec, "gpu_expected", gpu_expected);
}

static void add_server_knobs(struct step_arg *a, cJSON *rec)
{
	if (rec && a->ctx->server_knobs)
		cJSON_AddItemToObject(rec, "server_knobs", cJSON_Duplicate(a->ctx->server_knobs, 1));
}

static cJSON *probe_step(void *data)
{
	struct step_arg *a = data;
	struct ollama_client *c = ollama_client_new(&a->ctx->host, &a->ctx->timeouts);
	struct monitor *m = step_monitor(a->ctx, c);
	struct suite_criteria crit;
	struct plan_ctx p;
	cJSON *rec;
	suite_criteria_for(a->ctx->suite, a->model, -1, &crit);
	plan_for(&p, a, c, m);
	p.memory_max_pct = crit.gpu_memory_max_pct;
	rec = refused(a, m, "ceiling-probe");
	if (!rec) {
		rec = plan_probe_record(&p, a->num_ctx);
		cJSON_AddBoolToObject(rec, "gpu_expected", a->gpu_expected);
	}
	add_server_knobs(a, rec);
	monitor_free(m);
	ollama_client_free(c);
	return rec;
}

static cJSON *fill_step(void *data)
{
	struct step_arg *a = data;
	struct ollama_client *c = ollama_client_new(&a->ctx->host,
						    a->own_timeouts ? &a->timeouts : &a->ctx->timeouts);
	struct ollama_error err;
	struct plan_ctx p;
	cJSON *rec = NULL;
	plan_for(&p, a, c, NULL);
	plan_fill_confirm(&p, a->num_ctx, a->fill_ratio > 0 ? a->fill_ratio :
			  a->ctx->suite->scenarios.fill_ratio, &rec, &err);
	if (rec && a->own_timeouts)
		cJSON_AddNumberToObject(rec, "first_byte_timeout_ms", (double)a->timeouts.first_byte_ms);
	add_server_knobs(a, rec);
	ollama_client_free(c);
	return rec;
}

static cJSON *trial_step(void *data)
{
	struct step_arg *a = data;
	const struct suite *s = a->ctx->suite;
	struct ollama_client *c = ollama_client_new(&a->ctx->host, &a->ctx->timeouts);
	struct monitor *m = step_monitor(a->ctx, c);
	struct trial_spec spec;
	struct ollama_error err;
	cJSON *rec = NULL;
	trial_spec_default(&spec);
	spec.model = a->model;
	spec.options = a->options;
	spec.warmup = (int)s->warmup;
	spec.reps = (int)s->repetitions;
	spec.prompt_tokens = s->scenarios.interactive_prompt_tokens;
	spec.keep_alive = "10m";
	spec.monitor = m;
	rec = refused(a, m, "trial");
	if (!rec) {
		const cJSON *alert;
		trial_run(c, &spec, &rec, &err);
		add_placement(rec, a->gpu_expected);
		alert = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "monitor"),
							 "alert");
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(alert, "crossed")))
			warning("GPU memory use crossed the alert level during the trial of '%s': %.1f%%",
				a->model, cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(alert,
											"value_pct")));
	}
	add_server_knobs(a, rec);
	monitor_free(m);
	ollama_client_free(c);
	return rec;
}

static cJSON *stability_step(void *data)
{
	struct step_arg *a = data;
	struct stability_spec ls;
	cJSON *rec;
	memset(&ls, 0, sizeof(ls));
	ls.host = &a->ctx->host;
	ls.timeouts = &a->ctx->timeouts;
	ls.model = a->model;
	ls.options = a->options;
	ls.keep_alive = "10m";
	ls.streams = a->streams;
	ls.requests_per_stream = (int)a->ctx->suite->stability.requests;
	/* enough requests in all for a p99 to mean something */
	if (a->streams > 0 && (long)ls.requests_per_stream * a->streams <
	    a->ctx->suite->stability.min_samples)
		ls.requests_per_stream = (int)((a->ctx->suite->stability.min_samples + a->streams - 1) /
					       a->streams);
	ls.prompt_tokens = a->ctx->suite->scenarios.interactive_prompt_tokens;
	ls.preload = 1; /* a reload must not count as the first wave's TTFT */
	ls.warmup = 1;  /* and the first wave's prompts are calibrated, as a trial's */
	rec = stability_run(&ls);
	cJSON_AddStringToObject(rec, "phase", "stability");
	cJSON_AddStringToObject(rec, "model", a->model);
	cJSON_AddItemToObject(rec, "options", cJSON_Duplicate(a->options, 1));
	add_server_knobs(a, rec);
	return rec;
}

/* ---- running steps -------------------------------------------------------- */

struct model_run {
	struct optimize_ctx *ctx;
	const char *model;
	struct suite_criteria crit;
	cJSON *base;       /* load knobs other than num_ctx, at their first value */
	int done;
	int planned;       /* estimate of the model's steps, refined as the search learns */
	int gone;          /* the server stopped answering */
	int stopped;       /* SIGINT */
	char idhash[17];   /* the identity every step is keyed by */
	int gpu_unused;    /* a GPU machine whose Ollama put the first probe in system memory */
	int n_probes;
	double load_ms;    /* the last probe's load time: part of a fill's time */
};

static const cJSON *run_step(struct model_run *mr, const char *phase, const char *label,
			     step_fn fn, struct step_arg *arg)
{
	char name[512];
	char *key;
	const cJSON *rec;
	if (*mr->ctx->stop) {
		mr->stopped = 1;
		return NULL;
	}
	if (mr->gone)
		return NULL;
	cJSON_DeleteItemFromObjectCaseSensitive(arg->options, "num_ctx");
	if (arg->num_ctx > 0)
		cJSON_AddNumberToObject(arg->options, "num_ctx", (double)arg->num_ctx);
	{
		/* the key names the step: options, streams, and the server's knobs */
		cJSON *k = cJSON_Duplicate(arg->options, 1);
		if (arg->streams > 0)
			cJSON_AddNumberToObject(k, "streams", arg->streams);
		if (mr->ctx->server_knobs)
			cJSON_AddItemToObject(k, "server", cJSON_Duplicate(mr->ctx->server_knobs, 1));
		if (arg->fill_ratio > 0)
			cJSON_AddNumberToObject(k, "fill_ratio", arg->fill_ratio);
		if (arg->num_predict > 0)
			cJSON_AddNumberToObject(k, "num_predict", arg->num_predict);
		{
			/* the identity last: a step measured under another one is
			 * another step */
			char *base = step_key(mr->model, phase, k);
			struct strbuf sb = STRBUF_INIT;
			strbuf_addf(&sb, "%s|id=%s", base, mr->idhash);
			free(base);
			key = strbuf_detach(&sb, NULL);
		}
		cJSON_Delete(k);
	}
	arg->gpu_expected = mr->ctx->has_gpu && !mr->gpu_unused;
	if (mr->ctx->server_knobs) {
		struct strbuf sk = STRBUF_INIT;
		const cJSON *it;
		cJSON_ArrayForEach(it, mr->ctx->server_knobs)
			strbuf_addf(&sk, "%s%s=%s", sk.len ? "," : "", it->string,
				    cJSON_GetStringValue(it) ? cJSON_GetStringValue(it) : "?");
		snprintf(name, sizeof(name), "%s/%s/%s/%s", mr->model, sk.buf, phase, label);
		strbuf_release(&sk);
	} else {
		snprintf(name, sizeof(name), "%s/%s/%s", mr->model, phase, label);
	}
	if (mr->ctx->progress)
		mr->ctx->progress(mr->ctx->progress_data, mr->model, phase, mr->done,
				  mr->planned > mr->done ? mr->planned : mr->done + 1);
	{
		/* a fill sized from the measured prefill may need longer than the
		 * suite's step limit; never shorter */
		double saved = mr->ctx->steps->timeout_s;
		if (saved > 0 && arg->step_timeout_s > saved)
			mr->ctx->steps->timeout_s = arg->step_timeout_s;
		rec = step_run(mr->ctx->steps, name, key, fn, arg);
		mr->ctx->steps->timeout_s = saved;
	}
	free(key);
	mr->done++;
	if (server_gone(rec))
		mr->gone = 1;
	return rec;
}

static int probe_cb(long num_ctx, enum ceiling_outcome *outcome, void *data)
{
	struct model_run *mr = data;
	struct step_arg a = { .ctx = mr->ctx, .model = mr->model, .options = cJSON_Duplicate(mr->base, 1), .num_ctx = num_ctx };
	char label[64];
	const cJSON *rec;
	int rc;
	snprintf(label, sizeof(label), "num_ctx=%ld", num_ctx);
	rec = run_step(mr, "ceiling-probe", label, probe_step, &a);
	cJSON_Delete(a.options);
	if (!rec)
		return -1;
	rc = plan_probe_outcome(rec, outcome);
	if (rc)
		mr->gone = 1;
	{
		const char *placement = cJSON_GetStringValue(get(rec, "placement"));
		double ms;
		/* on a GPU machine, a first (small) probe wholly in system memory
		 * means Ollama does not use the GPU at all: from there on the limit
		 * is system memory, and that is a finding of its own */
		if (!rc && mr->n_probes == 0 && mr->ctx->has_gpu && placement &&
		    !strcmp(placement, "cpu") && *outcome == CEILING_OFFLOAD)
			mr->gpu_unused = 1;
		if (!rc && mr->gpu_unused && placement && !strcmp(placement, "cpu") &&
		    *outcome == CEILING_OFFLOAD)
			*outcome = CEILING_FITS;
		if (num(rec, "load_ms", &ms))
			mr->load_ms = ms;
	}
	mr->n_probes++;
	return rc;
}

/* ---- the usable context ------------------------------------------------- */

/*
 * One fill at num_ctx: a depth point (phase "depth", ratio of num_ctx) or a
 * fill-confirm. Its first-byte timeout, and the step's limit, come from the
 * prefill already measured (never shorter than the suite's): a fill that
 * takes long is slow, not broken, and a timeout is never a memory verdict.
 */
static const cJSON *fill_at(struct model_run *mr, const char *phase, long num_ctx, double ratio,
			    int num_predict, const struct depth_point *pts, size_t npts)
{
	struct step_arg a = { .ctx = mr->ctx, .model = mr->model, .options = cJSON_Duplicate(mr->base, 1), .num_ctx = num_ctx };
	char label[96];
	const cJSON *rec;
	double pred = usable_prefill_ms(pts, npts, (ratio > 0 ? ratio :
				mr->ctx->suite->scenarios.fill_ratio) * (double)num_ctx);

	a.phase = phase;
	a.fill_ratio = ratio;
	a.num_predict = num_predict;
	if (pred > 0) {
		/* three times the prediction, the load twice, a minute to spare */
		double fb = 3.0 * pred + 2.0 * mr->load_ms + 60000.0;
		a.own_timeouts = 1;
		a.timeouts = mr->ctx->timeouts;
		if (a.timeouts.first_byte_ms > 0 && fb > (double)a.timeouts.first_byte_ms)
			a.timeouts.first_byte_ms = (long)fb;
		if (a.timeouts.total_ms > 0 && 2.0 * fb > (double)a.timeouts.total_ms)
			a.timeouts.total_ms = (long)(2.0 * fb);
		/* Check's limit is in real seconds: the clock may run scaled */
		a.step_timeout_s = (1.5 * fb / 1000.0 + 120.0) * clock_time_scale();
	}
	if (ratio > 0)
		snprintf(label, sizeof(label), "num_ctx=%ld,depth=%.0f", num_ctx, ratio * (double)num_ctx);
	else
		snprintf(label, sizeof(label), "num_ctx=%ld", num_ctx);
	rec = run_step(mr, phase, label, fill_step, &a);
	cJSON_Delete(a.options);
	return rec;
}

/* A fill's record as a depth point: 0, or -1 when it measured no decode. */
static int depth_point_of(const cJSON *rec, struct depth_point *p)
{
	double v;
	memset(p, 0, sizeof(*p));
	if (!is_ok(rec) || !num(rec, "decode_tps_server", &p->decode_tps) ||
	    !num(rec, "prompt_tokens", &p->depth))
		return -1;
	if (num(rec, "prefill_ms", &v))
		p->prefill_ms = v;
	return 0;
}

static void add_depth_json(cJSON *arr, const cJSON *rec, const struct depth_point *p)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "depth", p->depth);
	cJSON_AddNumberToObject(o, "decode_tps", p->decode_tps);
	if (p->prefill_ms > 0)
		cJSON_AddNumberToObject(o, "prefill_ms", p->prefill_ms);
	cJSON_AddStringToObject(o, "id", cJSON_GetStringValue(get(rec, "id")) ?
				cJSON_GetStringValue(get(rec, "id")) : "");
	cJSON_AddItemToArray(arr, o);
}

static long round_down(long v, long res)
{
	return v > 0 ? v / res * res : 0;
}

/* Failures that say nothing of the context: a smaller one cannot fix them. */
static int not_a_verdict(const cJSON *rec)
{
	const char *cls = error_class(rec);
	return cls && (!strcmp(cls, "client_timeout") || !strcmp(cls, "unreachable") ||
		       !strcmp(cls, "busy") || !strcmp(cls, "harness_crash") ||
		       !strcmp(cls, "refused"));
}

/*
 * The usable context below the load-only ceiling L: decode speed at two
 * depths of a context loaded at L gives the line of time per token against
 * depth; the line predicts the largest context whose fill still decodes at
 * the floor; fill-confirms (the needle found, the speed at fill measured)
 * prove it, moving by the line's prediction or by bisection, never one
 * resolution step at a time, and only for a reason a smaller context can
 * fix. Returns the usable context (0: none proven).
 */
static long usable_phase(struct model_run *mr, long L, long res, cJSON *c)
{
	const double fill = mr->ctx->suite->scenarios.fill_ratio;
	const double floor_tps = mr->crit.decode_tps_min;
	struct depth_point pts[8];
	size_t npts = 0;
	cJSON *depths = cJSON_AddArrayToObject(c, "depth_points");
	cJSON *u = cJSON_AddObjectToObject(c, "usable");
	const cJSON *good = NULL;
	long lo = 0, hi = L + res, cand = L, predicted = L;
	double a, b;
	int fills = 0;
	const char *limited = "memory";
	char why[512] = "";

	if (res <= 0)
		res = 1024;
	/* two depths well apart, cheap next to the fill they predict */
	if (fill * (double)L > 4.0 * 2048.0) {
		double d[2] = { 2048.0, fill * (double)L < 8.0 * 8192.0 ? fill * (double)L / 4.0 :
				(double)L / 8.0 };
		size_t i;
		if (d[1] < 8192.0)
			d[1] = 8192.0;
		for (i = 0; i < 2 && !mr->stopped && !mr->gone; i++) {
			const cJSON *rec = fill_at(mr, "depth", L, d[i] / (double)L, 32, pts, npts);
			if (rec && !depth_point_of(rec, &pts[npts])) {
				add_depth_json(depths, rec, &pts[npts]);
				npts++;
			}
		}
	}
	if (!usable_fit(pts, npts, &a, &b)) {
		predicted = usable_predict(a, b, floor_tps, fill, res, L);
		cJSON_AddNumberToObject(u, "fit_s_per_token", a);
		cJSON_AddNumberToObject(u, "fit_s_per_token_per_depth", b);
		cJSON_AddNumberToObject(u, "predicted", (double)predicted);
		if (predicted <= 0) {
			snprintf(why, sizeof(why), "decode falls below %.1f tok/s before any context's "
				 "%.0f %% fill (predicted from %zu depths)", floor_tps, fill * 100, npts);
			limited = "speed";
			predicted = res; /* prove it with the smallest */
		}
		cand = predicted;
	}
	while (fills < 5 && cand >= res && !mr->stopped && !mr->gone) {
		const cJSON *rec = fill_at(mr, "fill-confirm", cand, 0, 0, pts, npts);
		struct depth_point pt;
		double tps = 0;
		int v, ok;
		if (!rec)
			break;
		fills++;
		v = plan_fill_verdict(rec);
		num(rec, "decode_tps_server", &tps);
		if (v < 0 && not_a_verdict(rec)) {
			snprintf(why, sizeof(why), "the fill at num_ctx=%ld did not finish: %s: %s (not a "
				 "memory verdict; the context stays unproven)", cand, error_class(rec),
				 cJSON_GetStringValue(get(get(rec, "error"), "message")) ?
				 cJSON_GetStringValue(get(get(rec, "error"), "message")) : "");
			limited = "unproven";
			break;
		}
		ok = v == 1 || (v == 0 && !mr->crit.needle);
		if (!depth_point_of(rec, &pt) && npts < ARRAY_SIZE(pts))
			pts[npts++] = pt;
		if (ok && tps >= floor_tps) {
			lo = cand;
			good = rec;
		} else {
			hi = cand;
			if (v < 0) {
				snprintf(why, sizeof(why), "%s at num_ctx=%ld",
					 cJSON_GetStringValue(get(get(rec, "error"), "message")) ?
					 cJSON_GetStringValue(get(get(rec, "error"), "message")) : "failed", cand);
				limited = "memory";
			} else if (!ok) {
				snprintf(why, sizeof(why), "the needle was not found at num_ctx=%ld", cand);
				limited = "needle";
			} else {
				snprintf(why, sizeof(why), "decode %.1f tok/s at %.0f %% fill of num_ctx=%ld is "
					 "below the floor of %.1f tok/s", tps, fill * 100, cand, floor_tps);
				limited = "speed";
			}
		}
		if (hi - lo <= res)
			break;
		/* the next candidate: the line's prediction within (lo, hi), else
		 * the middle; after a success only a clearly higher prediction is
		 * worth another fill */
		{
			long next = -1, mid = round_down((lo + hi) / 2, res);
			if (!usable_fit(pts, npts, &a, &b) && (v >= 0 || !strcmp(limited, "speed")))
				next = usable_predict(a, b, floor_tps, fill, res, hi - res);
			if (lo == cand) {
				if (next < lo + 2 * res)
					break;
			} else if (next <= lo || next >= hi) {
				next = mid;
			}
			if (next <= lo || next >= hi || next < res)
				break;
			cand = next;
		}
	}
	cJSON_AddNumberToObject(u, "num_ctx", (double)lo);
	cJSON_AddNumberToObject(u, "fill_ratio", fill);
	cJSON_AddNumberToObject(u, "floor_tps", floor_tps);
	cJSON_AddNumberToObject(u, "fills", fills);
	if (lo > 0 && lo < L && strcmp(limited, "unproven"))
		cJSON_AddStringToObject(u, "limited_by", limited);
	else if (lo == L)
		cJSON_AddStringToObject(u, "limited_by", "memory");
	if (good) {
		double v;
		cJSON_AddStringToObject(c, "fill_confirm_id", cJSON_GetStringValue(get(good, "id")) ?
					cJSON_GetStringValue(get(good, "id")) : "");
		if (num(good, "decode_tps_server", &v)) {
			cJSON_AddNumberToObject(c, "decode_tps_at_fill", v);
			cJSON_AddNumberToObject(u, "decode_tps_at_fill", v);
		}
		if (num(good, "ttft_ms", &v))
			cJSON_AddNumberToObject(u, "ttft_ms_at_fill", v);
		if (num(good, "ttft_server_ms", &v))
			cJSON_AddNumberToObject(u, "ttft_server_ms_at_fill", v);
		if (num(good, "prompt_tokens", &v))
			cJSON_AddNumberToObject(u, "fill_tokens", v);
	}
	if (why[0])
		cJSON_AddStringToObject(c, lo > 0 ? "usable_note" : "fill_confirm_miss", why);
	return lo;
}

/* ---- the phases --------------------------------------------------------- */

static long ceiling_phase(struct model_run *mr, long trained, cJSON *summary)
{
	const struct suite *s = mr->ctx->suite;
	struct ceiling_params p;
	struct ceiling_result r;
	cJSON *c = cJSON_AddObjectToObject(summary, "ceiling"), *probes;
	long confirmed = 0;
	int i;

	ceiling_params_default(&p);
	p.start = s->search.start;
	p.resolution = s->search.resolution;
	p.max_ctx = s->search.max > 0 && s->search.max < trained ? s->search.max : trained;
	if (ceiling_search(&p, probe_cb, mr, &r))
		return -1;
	cJSON_AddNumberToObject(c, "found", (double)r.ceiling);
	cJSON_AddNumberToObject(c, "max_probed", (double)p.max_ctx);
	if (r.first_bad) {
		cJSON_AddNumberToObject(c, "first_bad", (double)r.first_bad);
		cJSON_AddStringToObject(c, "bad_outcome", ceiling_outcome_name(r.bad_outcome));
	}
	probes = cJSON_AddArrayToObject(c, "probes");
	for (i = 0; i < r.n_probes; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "num_ctx", (double)r.probes[i].num_ctx);
		cJSON_AddStringToObject(o, "outcome", ceiling_outcome_name(r.probes[i].outcome));
		cJSON_AddItemToArray(probes, o);
	}
	cJSON_AddNumberToObject(c, "loads_up_to", (double)r.ceiling);
	if (mr->gpu_unused)
		cJSON_AddStringToObject(c, "placement", "cpu (GPU present, unused by Ollama)");
	else if (!mr->ctx->has_gpu)
		cJSON_AddStringToObject(c, "placement", "cpu (no GPU)");
	else
		cJSON_AddStringToObject(c, "placement", "gpu");
	cJSON_AddStringToObject(c, "memory", mr->ctx->has_gpu && !mr->gpu_unused ? "GPU memory" :
				"system memory");
	if (mr->stopped || mr->gone || r.ceiling <= 0) {
		cJSON_AddNumberToObject(c, "confirmed", 0);
		return 0;
	}
	confirmed = usable_phase(mr, r.ceiling, p.resolution, c);
	cJSON_AddNumberToObject(c, "confirmed", (double)confirmed);
	return confirmed;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

/*
 * The contexts that matter: the suite's num_ctx values up to the ceiling, or
 * without them an interactive context (the interactive prompt and its answer,
 * at least 4096 as Ollama's long-time default); and the ceiling.
 */
static size_t contexts(const struct suite_knob *ctxknob, long ceiling, long interactive,
		       long *out, size_t max)
{
	size_t n = 0, i, j;
	if (ctxknob) {
		for (i = 0; i < ctxknob->n_values && n < max; i++)
			if (ceiling <= 0 || ctxknob->ints[i] <= ceiling)
				out[n++] = ctxknob->ints[i];
	} else {
		long c = (interactive + 1023) / 1024 * 1024;
		if (c < 4096)
			c = 4096;
		if (ceiling <= 0 || c <= ceiling)
			out[n++] = c;
	}
	if (ceiling > 0 && n < max)
		out[n++] = ceiling;
	qsort(out, n, sizeof(*out), cmp_long);
	for (i = 0, j = 0; i < n; i++)
		if (!j || out[j - 1] != out[i])
			out[j++] = out[i];
	return j;
}

static void add_trial_summary(cJSON *arr, const cJSON *rec, const struct suite_criteria *crit)
{
	cJSON *o = cJSON_CreateObject();
	char why[400];
	double v;
	int meets = optimize_meets(rec, crit, 0, why, sizeof(why));
	cJSON_AddStringToObject(o, "id", cJSON_GetStringValue(get(rec, "id")) ?
				cJSON_GetStringValue(get(rec, "id")) : "");
	cJSON_AddItemToObject(o, "options", cJSON_Duplicate(get(rec, "options"), 1));
	cJSON_AddBoolToObject(o, "ok", is_ok(rec));
	cJSON_AddBoolToObject(o, "meets", meets);
	if (!meets)
		cJSON_AddStringToObject(o, "why", why);
	cJSON_AddBoolToObject(o, "meets_throughput", optimize_meets(rec, crit, 1, why, sizeof(why)));
	if (ttft_median(rec, &v))
		cJSON_AddNumberToObject(o, "ttft_ms", v);
	if (median(rec, "decode_tps_server", &v))
		cJSON_AddNumberToObject(o, "decode_tps", v);
	{
		/* the raw samples: a choice between trials rests on them */
		cJSON *samples = cJSON_AddArrayToObject(o, "decode_samples");
		const cJSON *r;
		cJSON_ArrayForEach(r, get(rec, "requests"))
			if (num(r, "decode_tps_server", &v))
				cJSON_AddItemToArray(samples, cJSON_CreateNumber(v));
	}
	if (median(rec, "prefill_tps", &v))
		cJSON_AddNumberToObject(o, "prefill_tps", v);
	if (num(get(get(rec, "monitor"), "memory"), "peak_pct", &v))
		cJSON_AddNumberToObject(o, "gpu_pct", v);
	if (error_class(rec))
		cJSON_AddStringToObject(o, "error", error_class(rec));
	cJSON_AddItemToArray(arr, o);
}

/* Every combination of the knobs other than num_ctx, load knobs outside so
 * that request knobs vary within one load. */
static void trials_phase(struct model_run *mr, const struct suite_knob **knobs, size_t nk,
			 long ceiling, cJSON *summary)
{
	const struct suite_knob *ctxknob = NULL, *others[SUITE_KNOBS_MAX];
	size_t no = 0, i, nctx, idx[SUITE_KNOBS_MAX] = { 0 };
	long ctxs[64];
	cJSON *arr = cJSON_AddArrayToObject(summary, "trials");

	for (i = 0; i < nk; i++) {
		if (!strcmp(knobs[i]->name, "num_ctx"))
			ctxknob = knobs[i];
		else if (knobs[i]->kind == SUITE_KNOB_LOAD)
			others[no++] = knobs[i];
	}
	for (i = 0; i < nk; i++)
		if (knobs[i]->kind == SUITE_KNOB_REQUEST)
			others[no++] = knobs[i];
	nctx = contexts(ctxknob, ceiling, mr->ctx->suite->scenarios.interactive_prompt_tokens + 512,
			ctxs, ARRAY_SIZE(ctxs));
	if (!nctx)
		ctxs[nctx++] = 4096;
	for (i = 0; i < nctx && !mr->stopped && !mr->gone; i++) {
		memset(idx, 0, sizeof(idx));
		for (;;) {
			struct step_arg a = { .ctx = mr->ctx, .model = mr->model, .options = cJSON_CreateObject(), .num_ctx = ctxs[i] };
			struct strbuf label = STRBUF_INIT;
			const cJSON *rec;
			size_t k;
			char msg[256];
			strbuf_addf(&label, "num_ctx=%ld", ctxs[i]);
			for (k = 0; k < no; k++) {
				ollama_option_add(a.options, others[k]->name, others[k]->values[idx[k]],
						  msg, sizeof(msg));
				strbuf_addf(&label, ",%s=%s", others[k]->name, others[k]->values[idx[k]]);
			}
			rec = run_step(mr, "trial", label.buf, trial_step, &a);
			strbuf_release(&label);
			cJSON_Delete(a.options);
			if (!rec)
				return;
			add_trial_summary(arr, rec, &mr->crit);
			/* next combination, the last knob fastest */
			for (k = no; k > 0; k--) {
				if (++idx[k - 1] < others[k - 1]->n_values)
					break;
				idx[k - 1] = 0;
			}
			if (k == 0)
				break;
		}
	}
}

static cJSON *make_preset(const cJSON *trial, const cJSON *extra_evidence)
{
	cJSON *p = cJSON_CreateObject(), *ev, *rb;
	double v;
	cJSON_AddItemToObject(p, "options", cJSON_Duplicate(get(trial, "options"), 1));
	ev = cJSON_AddArrayToObject(p, "evidence");
	cJSON_AddItemToArray(ev, cJSON_CreateString(cJSON_GetStringValue(get(trial, "id"))));
	if (extra_evidence && cJSON_GetStringValue(extra_evidence)[0])
		cJSON_AddItemToArray(ev, cJSON_CreateString(cJSON_GetStringValue(extra_evidence)));
	if (num(trial, "ttft_ms", &v))
		cJSON_AddNumberToObject(p, "ttft_ms", v);
	if (num(trial, "decode_tps", &v))
		cJSON_AddNumberToObject(p, "decode_tps", v);
	if (num(trial, "gpu_pct", &v))
		cJSON_AddNumberToObject(p, "gpu_pct", v);
	/* until baselines exist, the rollback is what Ollama does by itself */
	rb = cJSON_AddObjectToObject(p, "rollback");
	cJSON_AddStringToObject(rb, "description", "Ollama's defaults (no options)");
	cJSON_AddItemToObject(rb, "options", cJSON_CreateObject());
	return p;
}

static double opt_num(const cJSON *t, const char *k)
{
	const cJSON *x = get(get(t, "options"), k);
	return cJSON_IsNumber(x) ? x->valuedouble : 0;
}

/* max_ctx_cap: the usable context (max_ctx only up to it), 0 when the
 * search proved none (no max_ctx), -1 without a search. */
static void presets_phase(cJSON *summary, long max_ctx_cap)
{
	const cJSON *trials = get(summary, "trials"), *t, *best_ctx = NULL, *best_fast;
	cJSON *presets = cJSON_AddObjectToObject(summary, "presets");
	cJSON *why = cJSON_CreateObject();
	double v, w;
	cJSON_ArrayForEach(t, trials) {
		if (cJSON_IsTrue(get(t, "meets_throughput")) &&
		    (max_ctx_cap < 0 || (max_ctx_cap > 0 && opt_num(t, "num_ctx") <= max_ctx_cap))) {
			if (!best_ctx || opt_num(t, "num_ctx") > opt_num(best_ctx, "num_ctx") ||
			    (opt_num(t, "num_ctx") == opt_num(best_ctx, "num_ctx") &&
			     num(t, "decode_tps", &v) && num(best_ctx, "decode_tps", &w) && v > w))
				best_ctx = t;
		}
	}
	best_fast = analyze_pick_fast(trials, why);
	if (best_ctx) {
		const cJSON *c = get(summary, "ceiling"), *u = get(c, "usable");
		cJSON *p = make_preset(best_ctx, get(c, "fill_confirm_id"));
		/* the speed where the context is used, beside the interactive one */
		if (num(u, "decode_tps_at_fill", &v) &&
		    opt_num(best_ctx, "num_ctx") == cJSON_GetNumberValue(get(u, "num_ctx"))) {
			cJSON_AddNumberToObject(p, "decode_tps_at_fill", v);
			if (num(u, "ttft_server_ms_at_fill", &v) || num(u, "ttft_ms_at_fill", &v))
				cJSON_AddNumberToObject(p, "ttft_ms_at_fill", v);
			cJSON_AddNumberToObject(p, "fill_ratio", cJSON_GetNumberValue(get(u, "fill_ratio")));
		}
		if (num(c, "loads_up_to", &v))
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
}

static void gate(struct model_run *mr, cJSON *gates, const char *what, int pass, const char *msg)
{
	char name[512];
	cJSON *g = cJSON_CreateObject();
	snprintf(name, sizeof(name), "%s/%s", mr->model, what);
	step_gate(mr->ctx->steps, name, pass, msg);
	cJSON_AddStringToObject(g, "name", name);
	cJSON_AddBoolToObject(g, "pass", pass);
	if (msg && *msg)
		cJSON_AddStringToObject(g, "message", msg);
	cJSON_AddItemToArray(gates, g);
}

/* Why no trial qualified: the best trial's own reason. */
static void best_miss(const cJSON *trials, int throughput_only, char *msg, size_t len)
{
	const cJSON *t, *best = NULL;
	double v, w;
	cJSON_ArrayForEach(t, trials)
		if (num(t, "decode_tps", &v) && (!best || (num(best, "decode_tps", &w) && v > w)))
			best = t;
	if (!best) {
		snprintf(msg, len, "no trial produced a measurement");
		return;
	}
	snprintf(msg, len, "no configuration meets %s; the fastest (num_ctx=%.0f) missed: %s",
		 throughput_only ? "the throughput floor, the memory limit and full GPU offload" :
		 "every criterion",
		 opt_num(best, "num_ctx"),
		 cJSON_GetStringValue(get(best, "why")) ? cJSON_GetStringValue(get(best, "why")) :
		 "TTFT");
}

static int stream_levels(const struct suite *s, int parallel, int *out, int max)
{
	int n = 0, i, j;
	size_t k;
	for (k = 0; k < s->stability.n_streams && n < max; k++) {
		long v = s->stability.streams[k].count ? s->stability.streams[k].count :
			 s->stability.streams[k].per_slot * (parallel > 0 ? parallel : 1);
		if (v > 0)
			out[n++] = (int)v;
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && out[j - 1] > out[j]; j--) {
			int t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	for (i = 0, j = 0; i < n; i++)
		if (!j || out[j - 1] != out[i])
			out[j++] = out[i];
	return j;
}

/*
 * The TTFT p99 limit of one stability level, in ms: the model's ttft_s, as
 * for trials, with one allowance. On the client's clock a TTFT includes the
 * wait for a free slot: above the server's parallel slots a request may wait
 * for the k - 1 requests ahead of it in its slot (k = ceil(streams /
 * parallel) waves), each of which holds the slot for its own TTFT and then
 * for the rest of its answer, so the limit there is k x ttft_s plus (k - 1)
 * x the level's median decode time (first content chunk to the final one).
 * The server's durations never hold that wait (prefill plus one token), so
 * on the server's clock the plain criterion holds at every level.
 * *waves gets k, or 1 where no allowance applies.
 */
static double stability_ttft_limit_ms(double ttft_s, int streams, int parallel, double decode_ms,
				      int on_server, int *waves)
{
	*waves = on_server ? 1 : (streams + parallel - 1) / parallel;
	if (*waves < 1)
		*waves = 1;
	return (double)*waves * ttft_s * 1000.0 + (double)(*waves - 1) * decode_ms;
}

/* The gate's verdict on TTFT p99; msg empty when it passes. */
static void stability_ttft_verdict(const struct model_run *mr, int streams, int parallel,
				   int waves, double p99, double limit, double decode, double samples,
				   char *msg, size_t len)
{
	const char *basis = ttft_basis();
	char why[200];
	if (p99 < limit)
		return;
	if (waves == 1)
		snprintf(why, sizeof(why), "the criterion of %.2f s", mr->crit.ttft_s);
	else
		snprintf(why, sizeof(why),
			 "the limit of %.2f s (%d streams on %d slots: %d x %.2f s + %d x the median "
			 "decode of %.2f s, for the requests ahead)", limit / 1000.0, streams, parallel,
			 waves, mr->crit.ttft_s, waves - 1, decode / 1000.0);
	snprintf(msg, len, "TTFT p99 %.2f s (p99 of %.0f requests, %s clock) is above %s by %.2f s "
		 "under %d streams", p99 / 1000.0, samples, basis, why, (p99 - limit) / 1000.0, streams);
}

/*
 * Each preset at each stream level. The gate: no OOM, the success rate, and
 * TTFT p99 (on the clock trials are judged on, ttft_judged_on_server())
 * against the model's ttft_s, with the allowance for queueing above the
 * server's slots (stability_ttft_limit_ms). A p99 over fewer requests than
 * the suite's min_samples is judged all the same, and the message says so.
 */
static void stability_phase(struct model_run *mr, cJSON *summary, cJSON *gates)
{
	static const char *const which[] = { "max_ctx", "fast" };
	cJSON *presets = cJSON_GetObjectItemCaseSensitive(summary, "presets");
	cJSON *arr = cJSON_AddArrayToObject(summary, "stability");
	int levels[16], nl = stream_levels(mr->ctx->suite, mr->ctx->parallel, levels, 16), i;
	int parallel = mr->ctx->parallel > 0 ? mr->ctx->parallel : 1;
	const int on_server = ttft_judged_on_server();
	const char *ttft_key = on_server ? "ttft_server_ms" : "ttft_ms";
	long min_samples = mr->ctx->suite->stability.min_samples;
	size_t w;

	for (w = 0; w < ARRAY_SIZE(which); w++) {
		const cJSON *p = get(presets, which[w]);
		if (!p)
			continue;
		for (i = 0; i < nl && !mr->stopped && !mr->gone; i++) {
			struct step_arg a = { .ctx = mr->ctx, .model = mr->model,
					      .options = cJSON_Duplicate(get(p, "options"), 1),
					      .streams = levels[i] };
			const cJSON *rec, *ctx = get(a.options, "num_ctx");
			char label[96], msg[600], what[128];
			double ok = 0, oom = 0, p99 = 0, samples = 0, decode = 0, limit, v;
			int has_p99, waves, pass, judged;
			a.num_ctx = cJSON_IsNumber(ctx) ? (long)ctx->valuedouble : 0;
			snprintf(label, sizeof(label), "%s,streams=%d", which[w], levels[i]);
			rec = run_step(mr, "stability", label, stability_step, &a);
			cJSON_Delete(a.options);
			if (!rec)
				return;
			num(rec, "success_pct", &ok);
			num(rec, "oom", &oom);
			has_p99 = num(get(rec, ttft_key), "p99", &p99);
			num(get(rec, ttft_key), "n", &samples);
			num(get(rec, "decode_ms"), "median", &decode);
			limit = stability_ttft_limit_ms(mr->crit.ttft_s, levels[i], parallel, decode,
							on_server, &waves);
			{
				cJSON *o = cJSON_CreateObject();
				cJSON_AddStringToObject(o, "preset", which[w]);
				cJSON_AddNumberToObject(o, "streams", levels[i]);
				if (num(rec, "requests", &v))
					cJSON_AddNumberToObject(o, "requests", v);
				cJSON_AddNumberToObject(o, "success_pct", ok);
				cJSON_AddNumberToObject(o, "oom", oom);
				cJSON_AddStringToObject(o, "ttft_basis", ttft_basis());
				cJSON_AddNumberToObject(o, "samples", samples);
				if (has_p99)
					cJSON_AddNumberToObject(o, "ttft_p99_ms", p99);
				cJSON_AddNumberToObject(o, "ttft_p99_limit_ms", limit);
				if (num(rec, "errors", &v))
					cJSON_AddNumberToObject(o, "errors", v);
				cJSON_AddItemToArray(arr, o);
			}
			msg[0] = '\0';
			judged = 0;
			if (oom > 0)
				snprintf(msg, sizeof(msg), "%.0f out-of-memory failures under %d streams", oom,
					 levels[i]);
			else if (ok < mr->crit.stability_success_min_pct)
				snprintf(msg, sizeof(msg), "success %.1f%% is below %.1f%% under %d streams (%s)",
					 ok, mr->crit.stability_success_min_pct, levels[i],
					 cJSON_GetStringValue(get(get(rec, "first_error"), "message")) ?
					 cJSON_GetStringValue(get(get(rec, "first_error"), "message")) : "errors");
			else if (!has_p99)
				snprintf(msg, sizeof(msg), "no TTFT was measured under %d streams (%s clock)",
					 levels[i], ttft_basis());
			else {
				judged = 1;
				stability_ttft_verdict(mr, levels[i], parallel, waves, p99, limit, decode,
						       samples, msg, sizeof(msg));
			}
			snprintf(what, sizeof(what), "stability/%s/%d-streams", which[w], levels[i]);
			pass = !msg[0];
			if (judged && samples < (double)min_samples) {
				/* judged all the same, and said: such a p99 is about the maximum */
				size_t n = strlen(msg);
				snprintf(msg + n, sizeof(msg) - n, "%s%.0f TTFT samples are fewer than the "
					 "suite's min_samples (%ld): such a p99 is about their maximum",
					 n ? "; " : "", samples, min_samples);
			}
			gate(mr, gates, what, pass, msg);
		}
	}
}

/* The model's digest as /api/tags lists it ("name" or "name:latest"). */
static void model_digest(struct ollama_client *c, const char *model, char *out, size_t len)
{
	struct ollama_tag *tags = NULL;
	struct ollama_error err;
	size_t n = 0, i, ml = strlen(model);
	out[0] = '\0';
	if (ollama_tags(c, &tags, &n, &err))
		return;
	for (i = 0; i < n && !out[0]; i++)
		if (!strcmp(tags[i].name, model) ||
		    (!strchr(model, ':') && !strncmp(tags[i].name, model, ml) &&
		     !strcmp(tags[i].name + ml, ":latest")))
			snprintf(out, len, "%s", tags[i].digest);
	free(tags);
}

/*
 * The identity of this model's measurements (identity.h): recorded once in
 * the log, part of every step's key. When the log holds the model's steps
 * under another identity only, say what changed: they are measured again.
 */
static void take_identity(struct model_run *mr, cJSON *sum)
{
	struct optimize_ctx *ctx = mr->ctx;
	cJSON *id = cJSON_CreateObject(), *rec;
	const cJSON *it, *prev = NULL;
	char version[64] = "", digest[128], key[600], prefix[520];
	struct ollama_error err;
	const char *sim;
	size_t plen;

	if (ollama_version(ctx->client, version, sizeof(version), &err))
		version[0] = '\0';
	sim = ollama_client_simulator(ctx->client);
	model_digest(ctx->client, mr->model, digest, sizeof(digest));
	cJSON_AddNumberToObject(id, "schema", RECORD_SCHEMA_VERSION);
	cJSON_AddStringToObject(id, "ollama_version", version[0] ? version : "unknown");
	cJSON_AddBoolToObject(id, "simulated", sim[0] != '\0');
	if (sim[0])
		cJSON_AddStringToObject(id, "simulator", sim);
	cJSON_AddStringToObject(id, "model", mr->model);
	if (digest[0])
		cJSON_AddStringToObject(id, "model_digest", digest);
	cJSON_AddItemToObject(id, "machine", ctx->machine ? cJSON_Duplicate(ctx->machine, 1) :
			      cJSON_CreateObject());
	if (ctx->server_knobs) {
		cJSON_AddItemToObject(id, "server_knobs", cJSON_Duplicate(ctx->server_knobs, 1));
		cJSON_AddStringToObject(id, "server_knobs_source", "managed");
	} else if (ctx->found_knobs) {
		cJSON_AddItemToObject(id, "server_knobs", cJSON_Duplicate(ctx->found_knobs, 1));
		cJSON_AddStringToObject(id, "server_knobs_source", "process");
	} else {
		cJSON_AddItemToObject(id, "server_knobs", cJSON_CreateObject());
		cJSON_AddStringToObject(id, "server_knobs_source", "unknown");
	}
	{
		const struct suite *s = ctx->suite;
		cJSON *m = cJSON_AddObjectToObject(id, "measurement");
		cJSON_AddNumberToObject(m, "warmup", (double)s->warmup);
		cJSON_AddNumberToObject(m, "repetitions", (double)s->repetitions);
		cJSON_AddNumberToObject(m, "interactive_prompt_tokens",
					(double)s->scenarios.interactive_prompt_tokens);
		cJSON_AddNumberToObject(m, "fill_ratio", s->scenarios.fill_ratio);
		cJSON_AddNumberToObject(m, "stability_requests", (double)s->stability.requests);
		cJSON_AddNumberToObject(m, "stability_min_samples", (double)s->stability.min_samples);
	}
	identity_hash(id, mr->idhash, sizeof(mr->idhash));
	cJSON_AddStringToObject(id, "hash", mr->idhash);
	cJSON_AddItemToObject(sum, "identity", cJSON_Duplicate(id, 1));

	snprintf(prefix, sizeof(prefix), "%s|identity|", mr->model);
	plen = strlen(prefix);
	snprintf(key, sizeof(key), "%s%s", prefix, mr->idhash);
	if (!step_find(ctx->steps, key)) {
		/* the newest other identity of this model in the log */
		cJSON_ArrayForEach(it, ctx->steps->index) {
			const char *t = cJSON_GetStringValue(get(it, "time_utc"));
			if (strncmp(it->string, prefix, plen) || !t)
				continue;
			if (!prev || strcmp(t, cJSON_GetStringValue(get(prev, "time_utc"))) > 0)
				prev = it;
		}
		if (prev) {
			struct strbuf sb = STRBUF_INIT;
			cJSON *ch = cJSON_AddObjectToObject(sum, "identity_change");
			identity_describe_change(get(prev, "identity"), id, &sb);
			cJSON_AddStringToObject(ch, "what", sb.buf);
			cJSON_AddStringToObject(ch, "previous_hash",
						cJSON_GetStringValue(get(get(prev, "identity"), "hash")) ?
						cJSON_GetStringValue(get(get(prev, "identity"), "hash")) : "");
			note("%s: measured before under another identity (%s): measuring again", mr->model,
			     sb.buf);
			strbuf_release(&sb);
		}
		rec = record_begin(mr->model, "identity");
		if (ctx->server_knobs)
			cJSON_AddItemToObject(rec, "server_knobs", cJSON_Duplicate(ctx->server_knobs, 1));
		cJSON_AddItemToObject(rec, "identity", id);
		id = NULL;
		if (step_note(ctx->steps, key, rec))
			warning("cannot append the identity of '%s' to the log", mr->model);
	}
	cJSON_Delete(id);
}

int optimize_model(struct optimize_ctx *ctx, const char *model, cJSON **summary,
		   struct ollama_error *err)
{
	struct model_run mr = { .ctx = ctx, .model = model };
	const struct suite_knob *knobs[SUITE_KNOBS_MAX];
	struct ollama_show show;
	cJSON *sum = cJSON_CreateObject(), *gates, *crit;
	double params_b = -1;
	long trained, ceiling = 0, cap = -1;
	int executed0;
	size_t nk, i;
	char msg[512];

	*summary = sum;
	cJSON_AddStringToObject(sum, "model", model);
	if (ctx->server_knobs)
		cJSON_AddItemToObject(sum, "server_knobs", cJSON_Duplicate(ctx->server_knobs, 1));
	executed0 = ctx->steps->executed;
	take_identity(&mr, sum);
	if (ollama_show(ctx->client, model, &show, err)) {
		/* a model of the suite that the server lacks is a failed gate of
		 * its own, so that CI sees it */
		cJSON_AddStringToObject(sum, "error", err->message);
		gate(&mr, cJSON_AddArrayToObject(sum, "gates"), "available", 0, err->message);
		return err->cls == OLLAMA_ERR_UNREACHABLE ? -1 : 0;
	}
	if (show.parameter_count > 0)
		params_b = (double)show.parameter_count / 1e9;
	trained = show.context_length > 0 ? (long)show.context_length : 4096;
	cJSON_AddNumberToObject(sum, "params_b", params_b);
	cJSON_AddNumberToObject(sum, "trained_context", (double)trained);
	suite_criteria_for(ctx->suite, model, params_b, &mr.crit);
	crit = cJSON_AddObjectToObject(sum, "criteria");
	cJSON_AddNumberToObject(crit, "ttft_s", mr.crit.ttft_s);
	cJSON_AddNumberToObject(crit, "decode_tps_min", mr.crit.decode_tps_min);
	cJSON_AddNumberToObject(crit, "gpu_memory_max_pct", mr.crit.gpu_memory_max_pct);
	cJSON_AddNumberToObject(crit, "oom_allowed", (double)mr.crit.oom_allowed);
	cJSON_AddBoolToObject(crit, "needle", mr.crit.needle);

	nk = suite_knobs_for(ctx->suite, model, params_b, knobs, ARRAY_SIZE(knobs));
	mr.base = cJSON_CreateObject();
	for (i = 0; i < nk; i++) {
		size_t v = 0, j;
		if (knobs[i]->kind != SUITE_KNOB_LOAD || !strcmp(knobs[i]->name, "num_ctx"))
			continue;
		/* probes and fills at the largest micro-batch of the suite, and at
		 * least Ollama's default: its compute buffer is the largest, so the
		 * ceiling holds for every batch the trials use, and a fill runs at a
		 * sane speed (a handoff grid's batch of 8 would take hours) */
		if (!strcmp(knobs[i]->name, "num_batch")) {
			char big[32];
			for (j = 1; j < knobs[i]->n_values; j++)
				if (knobs[i]->ints[j] > knobs[i]->ints[v])
					v = j;
			snprintf(big, sizeof(big), "%ld", knobs[i]->ints[v] > OLLAMA_DEFAULT_NUM_BATCH ?
				 knobs[i]->ints[v] : (long)OLLAMA_DEFAULT_NUM_BATCH);
			ollama_option_add(mr.base, knobs[i]->name, big, msg, sizeof(msg));
			continue;
		}
		ollama_option_add(mr.base, knobs[i]->name, knobs[i]->values[v], msg, sizeof(msg));
	}

	{
		/* a first estimate: gallop and bisect, one fill, the knob grid at two
		 * contexts, two presets at each stream level */
		long span = trained, step = ctx->suite->search.resolution > 0 ?
			    ctx->suite->search.resolution : 1024;
		int probes = 0, grid = 1;
		while (span > ctx->suite->search.start && probes < 20) {
			span /= 2;
			probes++;
		}
		for (span = trained; span > step && probes < 40; span /= 2)
			probes++;
		for (i = 0; i < nk; i++)
			if (knobs[i]->kind != SUITE_KNOB_SERVER && strcmp(knobs[i]->name, "num_ctx"))
				grid *= (int)knobs[i]->n_values;
		mr.planned = (ctx->suite->search.ceiling ? probes + 1 : 0) + 2 * grid +
			     2 * (int)ctx->suite->stability.n_streams;
	}
	if (ctx->suite->search.ceiling) {
		double found = 0;
		ceiling = ceiling_phase(&mr, trained, sum);
		num(get(sum, "ceiling"), "found", &found);
		/* trials go no higher than the confirmed ceiling; when nothing was
		 * confirmed, no higher than what loaded (and no max_ctx preset) */
		cap = ceiling > 0 ? ceiling : (long)found;
	}
	if (!mr.stopped && !mr.gone && cap != 0)
		trials_phase(&mr, knobs, nk, cap, sum);
	presets_phase(sum, ctx->suite->search.ceiling ? (ceiling > 0 ? ceiling : 0) : -1);

	gates = cJSON_AddArrayToObject(sum, "gates");
	if (!mr.stopped && !mr.gone) {
		const cJSON *presets = get(sum, "presets");
		msg[0] = '\0';
		if (!get(presets, "max_ctx") && ctx->suite->search.ceiling && ceiling <= 0)
			snprintf(msg, sizeof(msg), "no context was confirmed with a filled request: %s",
				 cJSON_GetStringValue(get(get(sum, "ceiling"), "fill_confirm_miss")) ?
				 cJSON_GetStringValue(get(get(sum, "ceiling"), "fill_confirm_miss")) :
				 "no context loaded fully on the GPU");
		else if (!get(presets, "max_ctx"))
			best_miss(get(sum, "trials"), 1, msg, sizeof(msg));
		gate(&mr, gates, "preset/max_ctx", get(presets, "max_ctx") != NULL, msg);
		msg[0] = '\0';
		if (!get(presets, "fast"))
			best_miss(get(sum, "trials"), 0, msg, sizeof(msg));
		gate(&mr, gates, "preset/fast", get(presets, "fast") != NULL, msg);
		stability_phase(&mr, sum, gates);
	}
	cJSON_Delete(mr.base);
	cJSON_AddBoolToObject(sum, "complete", !mr.stopped && !mr.gone);
	if (get(sum, "identity_change"))
		cJSON_AddNumberToObject(cJSON_GetObjectItemCaseSensitive(sum, "identity_change"), "steps_measured_again",
					ctx->steps->executed - executed0);
	if (mr.gpu_unused)
		cJSON_AddStringToObject(sum, "finding",
			"Ollama did not use the GPU: the first load sat wholly in system memory "
			"(size_vram 0) on a machine with a GPU; its GPU runtime (driver, ROCm, CUDA or "
			"Vulkan) was probably not found. Every figure here is of the CPU.");
	if (mr.gone) {
		ollama_error_set(err, OLLAMA_ERR_UNREACHABLE, 0,
				 "the server stopped answering while '%s' was measured", model);
		return -1;
	}
	return mr.stopped ? 1 : 0;
}

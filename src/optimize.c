// SPDX-License-Identifier: MIT
#include "optimize.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "load.h"
#include "monitor.h"
#include "msg.h"
#include "record.h"
#include "plan.h"
#include "strbuf.h"
#include "trial.h"
#include "ttft.h"
#include "util.h"
#include "banned.h"

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
	if (cJSON_IsTrue(get(get(t, "ps"), "offload"))) {
		double size = 0, vram = 0;
		num(get(t, "ps"), "size_bytes", &size);
		num(get(t, "ps"), "size_vram_bytes", &vram);
		snprintf(msg, msglen, "partly offloaded to the CPU: %.0f%% of %.2f GiB on the GPU",
			 size > 0 ? 100.0 * vram / size : 0.0, size / 1073741824.0);
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
		snprintf(msg, msglen, "peak GPU memory %.1f%% is above the limit of %.0f%% by %.1f points",
			 v, crit->gpu_memory_max_pct, v - crit->gpu_memory_max_pct);
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
	if (!rec)
		rec = plan_probe_record(&p, a->num_ctx);
	add_server_knobs(a, rec);
	monitor_free(m);
	ollama_client_free(c);
	return rec;
}

static cJSON *fill_step(void *data)
{
	struct step_arg *a = data;
	struct ollama_client *c = ollama_client_new(&a->ctx->host, &a->ctx->timeouts);
	struct ollama_error err;
	struct plan_ctx p;
	cJSON *rec = NULL;
	plan_for(&p, a, c, NULL);
	plan_fill_confirm(&p, a->num_ctx, a->ctx->suite->scenarios.fill_ratio, &rec, &err);
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
	struct load_spec ls;
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
	rec = load_run(&ls);
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
		key = step_key(mr->model, phase, k);
		cJSON_Delete(k);
	}
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
	rec = step_run(mr->ctx->steps, name, key, fn, arg);
	free(key);
	mr->done++;
	if (server_gone(rec))
		mr->gone = 1;
	return rec;
}

static int probe_cb(long num_ctx, enum ceiling_outcome *outcome, void *data)
{
	struct model_run *mr = data;
	struct step_arg a = { mr->ctx, mr->model, cJSON_Duplicate(mr->base, 1), num_ctx, 0 };
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
	return rc;
}

/* ---- the phases --------------------------------------------------------- */

static long ceiling_phase(struct model_run *mr, long trained, cJSON *summary)
{
	const struct suite *s = mr->ctx->suite;
	struct ceiling_params p;
	struct ceiling_result r;
	cJSON *c = cJSON_AddObjectToObject(summary, "ceiling"), *probes;
	long confirmed = 0, n;
	int i, tries;

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
	/* fill-confirm: step down by the resolution while it fails */
	for (n = r.ceiling, tries = 0; n > 0 && tries < 4; n -= p.resolution, tries++) {
		struct step_arg a = { mr->ctx, mr->model, cJSON_Duplicate(mr->base, 1), n, 0 };
		char label[64];
		const cJSON *rec;
		int v;
		snprintf(label, sizeof(label), "num_ctx=%ld", n);
		rec = run_step(mr, "fill-confirm", label, fill_step, &a);
		cJSON_Delete(a.options);
		if (!rec)
			return -1;
		v = plan_fill_verdict(rec);
		cJSON_DeleteItemFromObjectCaseSensitive(c, "fill_confirm_miss");
		if (v < 0 || (v == 0 && mr->crit.needle)) {
			char why[400];
			snprintf(why, sizeof(why), "%s at num_ctx=%ld",
				 v < 0 ? (cJSON_GetStringValue(get(get(rec, "error"), "message")) ?
					  cJSON_GetStringValue(get(get(rec, "error"), "message")) : "failed") :
				 "the needle was not found", n);
			cJSON_AddStringToObject(c, "fill_confirm_miss", why);
		}
		if (v == 1 || (v == 0 && !mr->crit.needle)) {
			double tps;
			confirmed = n;
			cJSON_AddStringToObject(c, "fill_confirm_id", cJSON_GetStringValue(get(rec, "id")) ?
						cJSON_GetStringValue(get(rec, "id")) : "");
			if (num(rec, "decode_tps_server", &tps))
				cJSON_AddNumberToObject(c, "decode_tps_at_fill", tps);
			break;
		}
	}
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
			struct step_arg a = { mr->ctx, mr->model, cJSON_CreateObject(), ctxs[i], 0 };
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

/* b is better than a for the fast preset: clearly faster decode, or as fast
 * (within 1 %) with the smaller context (less memory, same speed). */
static int faster(const cJSON *b, const cJSON *a)
{
	double vb = 0, va = 0;
	num(b, "decode_tps", &vb);
	num(a, "decode_tps", &va);
	if (vb > va * 1.01)
		return 1;
	if (vb < va * 0.99)
		return 0;
	return opt_num(b, "num_ctx") < opt_num(a, "num_ctx");
}

/* max_ctx_cap: the confirmed ceiling (max_ctx only up to it), 0 when the
 * search confirmed none (no max_ctx), -1 without a search. */
static void presets_phase(cJSON *summary, long max_ctx_cap)
{
	const cJSON *trials = get(summary, "trials"), *t, *best_ctx = NULL, *best_fast = NULL;
	cJSON *presets = cJSON_AddObjectToObject(summary, "presets");
	double v, w;
	cJSON_ArrayForEach(t, trials) {
		if (cJSON_IsTrue(get(t, "meets_throughput")) &&
		    (max_ctx_cap < 0 || (max_ctx_cap > 0 && opt_num(t, "num_ctx") <= max_ctx_cap))) {
			if (!best_ctx || opt_num(t, "num_ctx") > opt_num(best_ctx, "num_ctx") ||
			    (opt_num(t, "num_ctx") == opt_num(best_ctx, "num_ctx") &&
			     num(t, "decode_tps", &v) && num(best_ctx, "decode_tps", &w) && v > w))
				best_ctx = t;
		}
		if (cJSON_IsTrue(get(t, "meets")) && (!best_fast || faster(t, best_fast)))
			best_fast = t;
	}
	if (best_ctx)
		cJSON_AddItemToObject(presets, "max_ctx",
			make_preset(best_ctx, get(get(summary, "ceiling"), "fill_confirm_id")));
	if (best_fast)
		cJSON_AddItemToObject(presets, "fast", make_preset(best_fast, NULL));
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
			struct step_arg a = { mr->ctx, mr->model, cJSON_Duplicate(get(p, "options"), 1),
					      0, levels[i] };
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

int optimize_model(struct optimize_ctx *ctx, const char *model, cJSON **summary,
		   struct ollama_error *err)
{
	struct model_run mr = { .ctx = ctx, .model = model };
	const struct suite_knob *knobs[SUITE_KNOBS_MAX];
	struct ollama_show show;
	cJSON *sum = cJSON_CreateObject(), *gates, *crit;
	double params_b = -1;
	long trained, ceiling = 0, cap = -1;
	size_t nk, i;
	char msg[512];

	*summary = sum;
	cJSON_AddStringToObject(sum, "model", model);
	if (ctx->server_knobs)
		cJSON_AddItemToObject(sum, "server_knobs", cJSON_Duplicate(ctx->server_knobs, 1));
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
	for (i = 0; i < nk; i++)
		if (knobs[i]->kind == SUITE_KNOB_LOAD && strcmp(knobs[i]->name, "num_ctx"))
			ollama_option_add(mr.base, knobs[i]->name, knobs[i]->values[0], msg, sizeof(msg));

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
	if (mr.gone) {
		ollama_error_set(err, OLLAMA_ERR_UNREACHABLE, 0,
				 "the server stopped answering while '%s' was measured", model);
		return -1;
	}
	return mr.stopped ? 1 : 0;
}

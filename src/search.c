// SPDX-License-Identifier: MIT
/* The search of one model (search.h): what to measure next. */
#include "search.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze.h"
#include "analyze_compare.h"
#include "analyze_usable.h"
#include "baseline.h"
#include "ceiling.h"
#include "clock.h"
#include "identity.h"
#include "msg.h"
#include "probe.h"
#include "record.h"
#include "strbuf.h"
#include "ttft.h"
#include "util.h"
#include "banned.h"

/* Ollama's num_batch when none is sent (llama.cpp's -b) */
#define OLLAMA_DEFAULT_NUM_BATCH 512

struct model_run {
	struct search_ctx *ctx;
	const char *model;
	struct suite_criteria crit;
	cJSON *base;       /* load knobs other than num_ctx, at the probes' values */
	cJSON *identity;   /* the identity record of the model's measurements */
	cJSON *previous;   /* the identity before, when it changed (a copy) */
	const cJSON **recs; /* the records the search used, in its order, each once */
	size_t n_recs, cap_recs;
	cJSON *results;    /* the step results of this model (for the model-end record) */
	int done;
	int planned;       /* estimate of the model's steps, refined as the search learns */
	int gone;          /* the server stopped answering */
	int stopped;       /* SIGINT */
	int executed;      /* steps measured (not reused) */
	char idhash[17];   /* the identity every step is keyed by */
	int gpu_unused;    /* a GPU machine whose Ollama put the first probe in system memory */
	int n_probes;
	double load_ms;    /* the last probe's load time: part of a fill's time */
	int reps;          /* a trial's timed requests, planned from the baseline; 0 = the suite's */
	cJSON *rollback;   /* the last good baseline's presets (baseline_rollback), or NULL */
};

static void use(struct model_run *mr, const cJSON *rec)
{
	const char *key = rec_str(rec, RK_KEY);
	size_t i;
	for (i = 0; i < mr->n_recs; i++) {
		if (mr->recs[i] == rec)
			return;
		/* a step measured again (a transient failure before): its new
		 * record takes the old one's place */
		if (key && rec_str(mr->recs[i], RK_KEY) && !strcmp(rec_str(mr->recs[i], RK_KEY), key)) {
			mr->recs[i] = rec;
			return;
		}
	}
	if (mr->n_recs == mr->cap_recs) {
		mr->cap_recs = mr->cap_recs ? 2 * mr->cap_recs : 64;
		mr->recs = xrealloc(mr->recs, mr->cap_recs * sizeof(*mr->recs));
	}
	mr->recs[mr->n_recs++] = rec;
}

/* The analysis's input for what the search has so far. */
static void input_of(const struct model_run *mr, struct analyze_input *in)
{
	memset(in, 0, sizeof(*in));
	in->model = mr->model;
	in->suite = mr->ctx->suite;
	in->facts = mr->identity;
	in->identity = rec_get(mr->identity, "identity");
	in->previous_identity = mr->previous;
	in->server_knobs = mr->ctx->server_knobs;
	in->records = mr->recs;
	in->n_records = mr->n_recs;
	in->parallel = mr->ctx->parallel > 0 ? mr->ctx->parallel : 1;
	in->has_gpu = mr->ctx->has_gpu;
	in->ttft_on_server = ttft_judged_on_server();
	in->complete = !mr->stopped && !mr->gone;
	in->steps_measured_again = mr->previous ? mr->executed : -1;
	in->rollback = mr->rollback;
}

/*
 * After a step that failed for want of the server: is it really gone? It is
 * only when /api/version goes unanswered for a few tries over a second or
 * two, and then for the ctx->wait_server_s that a service manager may take
 * to start it again. 1 when it answers (the failure was the step's own).
 */
static int server_answers(struct search_ctx *ctx)
{
	struct ollama_timeouts quick = ctx->timeouts;
	struct ollama_client *c;
	struct ollama_error err;
	char version[64];
	double waited = 0, limit = 2.0 + (ctx->wait_server_s > 0 ? ctx->wait_server_s : 0);
	int ok = 0;
	quick.connect_ms = 2000;
	quick.first_byte_ms = quick.total_ms = 5000;
	/* managed mode: a server of ours that died (the kernel's OOM killer
	 * takes `ollama serve` too) is started again, and answers or not */
	if (ctx->revive && ctx->revive(ctx->revive_data, ctx))
		limit = 2.0;
	c = ollama_client_new(&ctx->host, &quick);
	for (;;) {
		if (!ollama_version(c, version, sizeof(version), &err)) {
			ok = 1;
			break;
		}
		if (waited >= limit || (ctx->stop && *ctx->stop))
			break;
		if (waited == 2.0)
			note("the server at %s does not answer: waiting up to %.0f s for it to come back",
			     ctx->host.base_url, limit - 2.0);
		sleep(1);
		waited += 1.0;
	}
	ollama_client_free(c);
	return ok;
}

static const cJSON *run_step(struct model_run *mr, const char *phase, const char *label,
			     step_fn fn, struct probe_arg *arg)
{
	char name[512];
	char *key;
	const cJSON *rec;
	int executed, retried = 0;
	if (*mr->ctx->stop || mr->ctx->steps->log_failed) {
		mr->stopped = 1;
		return NULL;
	}
	if (mr->gone)
		return NULL;
	cJSON_DeleteItemFromObjectCaseSensitive(arg->options, "num_ctx");
	if (arg->num_ctx > 0)
		cJSON_AddNumberToObject(arg->options, "num_ctx", (double)arg->num_ctx);
	{
		/* the key names the step: options, streams, the server's knobs,
		 * the fill, and the identity last (a step measured under another
		 * identity is another step) */
		cJSON *k = cJSON_Duplicate(arg->options, 1);
		char *base;
		struct strbuf sb = STRBUF_INIT;
		if (arg->streams > 0)
			cJSON_AddNumberToObject(k, "streams", arg->streams);
		if (mr->ctx->server_knobs)
			cJSON_AddItemToObject(k, "server", cJSON_Duplicate(mr->ctx->server_knobs, 1));
		if (arg->fill_ratio > 0)
			cJSON_AddNumberToObject(k, "fill_ratio", arg->fill_ratio);
		if (arg->num_predict > 0)
			cJSON_AddNumberToObject(k, "num_predict", arg->num_predict);
		base = step_key(mr->model, phase, k);
		strbuf_addf(&sb, "%s|id=%s", base, mr->idhash);
		free(base);
		key = strbuf_detach(&sb, NULL);
		cJSON_Delete(k);
	}
	arg->gpu_expected = mr->ctx->has_gpu && !mr->gpu_unused;
	arg->reps = mr->reps;
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
again:
	if (mr->ctx->progress)
		mr->ctx->progress(mr->ctx->progress_data, mr->model, phase, mr->done,
				  mr->planned > mr->done ? mr->planned : mr->done + 1);
	{
		/* a fill sized from the measured prefill may need longer than the
		 * suite's step limit; never shorter */
		double saved = mr->ctx->steps->timeout_s;
		executed = mr->ctx->steps->executed;
		if (saved > 0 && arg->step_timeout_s > saved)
			mr->ctx->steps->timeout_s = arg->step_timeout_s;
		rec = step_run(mr->ctx->steps, name, key, fn, arg);
		mr->ctx->steps->timeout_s = saved;
		executed = mr->ctx->steps->executed - executed;
	}
	if (*mr->ctx->stop)
		mr->stopped = 1; /* this step was abandoned: the model is not finished */
	mr->done++;
	mr->executed += executed;
	use(mr, rec);
	/* the step's result for the model-end record (and `o3 report`'s JUnit) */
	cJSON_AddItemToArray(mr->results, cJSON_Duplicate(cJSON_GetArrayItem(
		mr->ctx->steps->results, cJSON_GetArraySize(mr->ctx->steps->results) - 1), 1));
	{
		/* managed mode: a server of ours that died during the step (an
		 * empty reply, a cut stream, a refused connection) is started
		 * again and the step measured again once; dying twice on the
		 * same step is that configuration's failure */
		enum ollama_err_class cls = rec_error_class(rec);
		int revived = cls != OLLAMA_OK && mr->ctx->revive &&
			      mr->ctx->revive(mr->ctx->revive_data, mr->ctx);
		if (revived && retried)
			warning("the server died again on '%s': kept as this configuration's failure", name);
		int back = revived;
		if (!back && cls == OLLAMA_ERR_UNREACHABLE && !(back = server_answers(mr->ctx)))
			mr->gone = 1;
		if (back && !retried) {
			/* it came back (restarted by its service manager): the step
			 * said nothing of the configuration, measure it again */
			note("the server at %s answers again: measuring '%s' again", mr->ctx->host.base_url,
			     name);
			/* the failed attempt is in the log; the step's result is
			 * the new one's */
			cJSON_DeleteItemFromArray(mr->results, cJSON_GetArraySize(mr->results) - 1);
			cJSON_DeleteItemFromArray(mr->ctx->steps->results,
						  cJSON_GetArraySize(mr->ctx->steps->results) - 1);
			mr->done--;
			retried = 1;
			step_forget(mr->ctx->steps, key);
			goto again;
		}
	}
	free(key);
	return rec;
}

/* ---- the ceiling -------------------------------------------------------- */

/*
 * What a probe's record says of the line of size against num_ctx: Ollama's
 * size of the load and its GPU part, and for a fit the largest size the
 * memory still free would have taken (under the suite's memory limit too).
 */
static void probe_sizes(const struct model_run *mr, const cJSON *rec, struct ceiling_probe *q)
{
	const cJSON *ps = cJSON_GetObjectItemCaseSensitive(rec, "ps");
	const cJSON *mem = cJSON_GetObjectItemCaseSensitive(rec, "memory");
	const cJSON *size = cJSON_GetObjectItemCaseSensitive(ps, "size_bytes");
	const cJSON *vram = cJSON_GetObjectItemCaseSensitive(ps, "size_vram_bytes");
	const cJSON *used = cJSON_GetObjectItemCaseSensitive(mem, "used_bytes");
	const cJSON *cap = cJSON_GetObjectItemCaseSensitive(mem, "capacity_bytes");
	const cJSON *head = cJSON_GetObjectItemCaseSensitive(mem, "headroom_bytes");
	double here, max_pct = mr->crit.gpu_memory_max_pct;
	const char *def;
	int cpu;
	if (!cJSON_IsNumber(size) || !(size->valuedouble > 0))
		return;
	q->size_bytes = size->valuedouble;
	if (cJSON_IsNumber(vram))
		q->gpu_bytes = vram->valuedouble;
	if (q->outcome != CEILING_FITS || !cJSON_IsNumber(head))
		return;
	/* the part of the load in the memory the monitor reads: none of it
	 * when the monitor reads system memory for a load on a GPU */
	cpu = mr->gpu_unused || !mr->ctx->has_gpu;
	def = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(mem, "definition"));
	if (!cpu && (!def || !strstr(def, "vram")))
		return;
	here = cpu ? q->size_bytes : q->gpu_bytes;
	q->room_bytes = here + head->valuedouble;
	if (max_pct > 0 && cJSON_IsNumber(used) && cJSON_IsNumber(cap) &&
	    here + max_pct / 100.0 * cap->valuedouble - used->valuedouble < q->room_bytes)
		q->room_bytes = here + max_pct / 100.0 * cap->valuedouble - used->valuedouble;
	if (!(q->room_bytes > 0))
		q->room_bytes = 0;
}

static int probe_cb(struct ceiling_probe *q, void *data)
{
	struct model_run *mr = data;
	struct probe_arg a = { .ctx = mr->ctx, .model = mr->model,
			       .options = cJSON_Duplicate(mr->base, 1), .num_ctx = q->num_ctx };
	char label[64];
	const cJSON *rec;
	double ms;
	int rc;
	snprintf(label, sizeof(label), "num_ctx=%ld", q->num_ctx);
	rec = run_step(mr, RP_PROBE, label, probe_load, &a);
	cJSON_Delete(a.options);
	if (!rec)
		return -1;
	/* on a GPU machine, a first (small) probe wholly in system memory
	 * means Ollama does not use the GPU at all: from there on the limit is
	 * system memory, and that is a finding of its own */
	if (mr->n_probes++ == 0)
		mr->gpu_unused = analyze_gpu_unused(rec, mr->ctx->has_gpu);
	rc = analyze_probe_outcome(rec, mr->gpu_unused, &q->outcome);
	if (rc && !mr->gone && server_answers(mr->ctx)) {
		/* the server is there: a probe that could not finish is a finding
		 * (it does not fit, as far as the search can tell), not the end
		 * of the run */
		q->outcome = CEILING_FAILED;
		rc = 0;
	} else if (rc) {
		mr->gone = 1;
	}
	if (!rc)
		probe_sizes(mr, rec, q);
	if (rec_num(rec, "load_ms", &ms))
		mr->load_ms = ms;
	return rc;
}

/* The load-only ceiling: the largest context that loads where it should. */
static long ceiling_phase(struct model_run *mr, long trained)
{
	const struct suite *s = mr->ctx->suite;
	struct ceiling_params p;
	struct ceiling_result r;
	ceiling_params_default(&p);
	p.start = s->search.start;
	p.resolution = s->search.resolution;
	p.max_ctx = s->search.max > 0 && s->search.max < trained ? s->search.max : trained;
	if (ceiling_search(&p, probe_cb, mr, &r))
		return 0;
	return r.ceiling;
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
	struct probe_arg a = { .ctx = mr->ctx, .model = mr->model,
			       .options = cJSON_Duplicate(mr->base, 1), .num_ctx = num_ctx };
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
	rec = run_step(mr, phase, label, probe_fill, &a);
	cJSON_Delete(a.options);
	return rec;
}

static long round_down(long v, long res)
{
	return v > 0 ? v / res * res : 0;
}

/*
 * The usable context below the load-only ceiling L: decode speed at two
 * depths of a context loaded at L gives the line of time per token against
 * depth; the line predicts the largest context whose fill still decodes at
 * the floor; fill-confirms (the needle found, the speed at fill measured)
 * prove it, moving by the line's prediction or by bisection, never one
 * resolution step at a time, and only for a reason a smaller context can
 * fix (analyze_fill). Returns the usable context (0: none proven).
 */
static long usable_phase(struct model_run *mr, long L)
{
	const double fill = mr->ctx->suite->scenarios.fill_ratio;
	const double floor_tps = mr->crit.decode_tps_min;
	long res = mr->ctx->suite->search.resolution > 0 ? mr->ctx->suite->search.resolution : 1024;
	struct depth_point pts[16];
	size_t npts = 0;
	long lo = 0, hi = L + res, cand = L;
	double a, b;
	int fills = 0;

	/* two depths well apart, cheap next to the fill they predict */
	if (fill * (double)L > 4.0 * 2048.0) {
		double d[2] = { 2048.0, fill * (double)L < 8.0 * 8192.0 ? fill * (double)L / 4.0 :
				(double)L / 8.0 };
		size_t i;
		if (d[1] < 8192.0)
			d[1] = 8192.0;
		for (i = 0; i < 2 && !mr->stopped && !mr->gone; i++) {
			const cJSON *rec = fill_at(mr, RP_DEPTH, L, d[i] / (double)L, 32, pts, npts);
			if (rec && !analyze_depth_point(rec, &pts[npts]))
				npts++;
		}
	}
	if (!usable_fit(pts, npts, &a, &b)) {
		cand = usable_predict(a, b, floor_tps, fill, res, L);
		if (cand <= 0)
			cand = res; /* prove it with the smallest */
	}
	while (fills < 5 && cand >= res && !mr->stopped && !mr->gone) {
		const cJSON *rec = fill_at(mr, RP_FILL, cand, 0, 0, pts, npts);
		struct depth_point pt;
		const char *limited;
		char why[512];
		enum fill_verdict v;
		long next = -1, mid;
		if (!rec)
			break;
		fills++;
		v = analyze_fill(rec, &mr->crit, why, sizeof(why), &limited);
		if (v == FILL_UNPROVEN)
			break; /* not a memory verdict: nothing steps down */
		if (!analyze_depth_point(rec, &pt) && npts < ARRAY_SIZE(pts))
			pts[npts++] = pt;
		if (v == FILL_GOOD)
			lo = cand;
		else
			hi = cand;
		if (hi - lo <= res)
			break;
		/* the next candidate: the line's prediction within (lo, hi), else
		 * the middle; after a success only a clearly higher prediction is
		 * worth another fill */
		mid = round_down((lo + hi) / 2, res);
		if (!usable_fit(pts, npts, &a, &b) && (v == FILL_GOOD || !strcmp(limited, "speed")))
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
	return analyze_usable_num(mr->recs, mr->n_recs, &mr->crit);
}

/* ---- trials ------------------------------------------------------------ */

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

/* Every combination of the knobs other than num_ctx, load knobs outside so
 * that request knobs vary within one load. */
static void trials_phase(struct model_run *mr, const struct suite_knob **knobs, size_t nk,
			 long ceiling)
{
	const struct suite_knob *ctxknob = NULL, *others[SUITE_KNOBS_MAX];
	size_t no = 0, i, nctx, idx[SUITE_KNOBS_MAX] = { 0 };
	long ctxs[64];

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
			struct probe_arg a = { .ctx = mr->ctx, .model = mr->model,
					       .options = cJSON_CreateObject(), .num_ctx = ctxs[i] };
			struct strbuf label = STRBUF_INIT;
			const cJSON *rec;
			size_t k;
			char msg[256];
			/* the options in the order the record holds them (and the
			 * reports print them): num_ctx last (probe_base_record) */
			for (k = 0; k < no; k++) {
				ollama_option_add(a.options, others[k]->name, others[k]->values[idx[k]],
						  msg, sizeof(msg));
				strbuf_addf(&label, "%s=%s,", others[k]->name, others[k]->values[idx[k]]);
			}
			strbuf_addf(&label, "num_ctx=%ld", ctxs[i]);
			rec = run_step(mr, RP_TRIAL, label.buf, probe_trial, &a);
			strbuf_release(&label);
			cJSON_Delete(a.options);
			if (!rec)
				return;
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

/* ---- stability ---------------------------------------------------------- */

/* Each preset (as the analysis of the records so far picks them) at each
 * of the suite's stream levels. */
static void stability_phase(struct model_run *mr)
{
	static const char *const which[] = { "max_ctx", "fast" };
	struct analyze_input in;
	cJSON *sum;
	int levels[16], nl = analyze_stream_levels(mr->ctx->suite, mr->ctx->parallel, levels, 16), i;
	size_t w;

	input_of(mr, &in);
	sum = analyze_model(&in);
	for (w = 0; w < ARRAY_SIZE(which); w++) {
		const cJSON *p = rec_get(rec_get(sum, "presets"), which[w]);
		if (!p)
			continue;
		for (i = 0; i < nl && !mr->stopped && !mr->gone; i++) {
			struct probe_arg a = { .ctx = mr->ctx, .model = mr->model,
					       .options = cJSON_Duplicate(rec_get(p, RK_OPTIONS), 1),
					       .streams = levels[i] };
			char label[96];
			a.num_ctx = (long)rec_option(p, "num_ctx", 0);
			snprintf(label, sizeof(label), "%s,streams=%d", which[w], levels[i]);
			run_step(mr, RP_STABILITY, label, probe_stability, &a);
			cJSON_Delete(a.options);
		}
	}
	cJSON_Delete(sum);
}

/* ---- identity ------------------------------------------------------------ */

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
 * With a baseline for this model and machine kind: the rollback of its
 * presets, and the repetitions a trial needs so that a change of the
 * decode tolerance is decided over the baseline's noise (at least the
 * suite's). The repetitions are part of the identity (the measurement).
 */
static void from_baseline(struct model_run *mr, cJSON *id, double params_b)
{
	char profile[256], why[1200];
	cJSON *doc;
	const cJSON *p;
	int reps = (int)mr->ctx->suite->repetitions;
	struct suite_regression reg;
	suite_regression_for(mr->ctx->suite, mr->model, params_b, &reg);
	baseline_profile_of(id, profile, sizeof(profile));
	doc = baseline_read(mr->ctx->baseline_dir, profile, mr->model, NULL, why, sizeof(why));
	if (!doc) {
		note("%s: %s: its presets roll back to Ollama's defaults", mr->model, why);
		return;
	}
	mr->rollback = baseline_rollback(doc);
	if (reg.repetitions > 0) {
		reps = (int)reg.repetitions; /* the suite's number */
	} else {
		/* auto: as many as the baseline's noise needs */
		cJSON_ArrayForEach(p, rec_get(doc, "presets")) {
			int n = analyze_plan_repetitions(p, reg.decode_pct / 100, reg.alpha,
							 (int)reg.max_repetitions);
			if (n > reps)
				reps = n;
		}
	}
	if (reps != (int)mr->ctx->suite->repetitions) {
		mr->reps = reps;
		cJSON_ReplaceItemInObjectCaseSensitive(rec_get(id, "measurement") ?
			cJSON_GetObjectItemCaseSensitive(id, "measurement") : id, "repetitions",
			cJSON_CreateNumber(reps));
		note("%s: %d timed requests a trial, planned from the baseline's noise (%s)", mr->model,
		     reps, why);
	}
	cJSON_Delete(doc);
}

/*
 * The identity of this model's measurements (identity.h) and the model's
 * facts (/api/show), in one record of the log, made once per identity: the
 * key of every step ends in the identity's hash, and the analysis takes the
 * model's facts from it. When the log holds the model's steps under another
 * identity only, say what changed: they are measured again. -1 when the
 * server is gone.
 */
static int take_identity(struct model_run *mr, struct ollama_error *err)
{
	struct search_ctx *ctx = mr->ctx;
	cJSON *id = cJSON_CreateObject(), *rec;
	const cJSON *it, *prev = NULL;
	char version[64] = "", digest[128], key[600], prefix[520];
	struct ollama_show show;
	struct ollama_error verr;
	const char *sim;
	size_t plen;
	int shown;

	if (ollama_version(ctx->client, version, sizeof(version), &verr))
		version[0] = '\0';
	sim = ollama_client_simulator(ctx->client);
	model_digest(ctx->client, mr->model, digest, sizeof(digest));
	shown = !ollama_show(ctx->client, mr->model, &show, err);
	if (!shown && err->cls == OLLAMA_ERR_UNREACHABLE) {
		cJSON_Delete(id);
		return -1;
	}
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
		/* a simulator's time scale changes what the client's clock reads */
		cJSON_AddNumberToObject(m, "time_scale", clock_time_scale());
	}
	if (ctx->baseline_dir)
		from_baseline(mr, id, shown && show.parameter_count > 0 ?
			      (double)show.parameter_count / 1e9 : -1);
	identity_hash(id, mr->idhash, sizeof(mr->idhash));
	cJSON_AddStringToObject(id, "hash", mr->idhash);

	snprintf(prefix, sizeof(prefix), "%s|%s|", mr->model, RP_IDENTITY);
	plen = strlen(prefix);
	snprintf(key, sizeof(key), "%s%s", prefix, mr->idhash);
	/* the newest other identity of this model in the log */
	cJSON_ArrayForEach(it, ctx->steps->index) {
		const char *t = rec_str(it, RK_TIME);
		if (strncmp(it->string, prefix, plen) || !t || !strcmp(it->string, key))
			continue;
		/* in managed mode each combination of server knobs is a
		 * configuration of its own, not a change of the other */
		if (ctx->server_knobs && !cJSON_Compare(rec_get(rec_get(it, "identity"), "server_knobs"),
							 ctx->server_knobs, 1))
			continue;
		if (!prev || strcmp(t, rec_str(prev, RK_TIME)) > 0)
			prev = it;
	}
	/* a record that says the model could not be shown is taken again: the
	 * failure may have passed */
	if (!step_find(ctx->steps, key) || !rec_is_ok(step_find(ctx->steps, key))) {
		rec = record_begin(mr->model, RP_IDENTITY);
		if (ctx->server_knobs)
			cJSON_AddItemToObject(rec, "server_knobs", cJSON_Duplicate(ctx->server_knobs, 1));
		cJSON_AddItemToObject(rec, "identity", id);
		if (shown) {
			if (show.parameter_count > 0)
				cJSON_AddNumberToObject(rec, "parameter_count", (double)show.parameter_count);
			if (show.context_length > 0)
				cJSON_AddNumberToObject(rec, "context_length", (double)show.context_length);
		} else {
			record_set_error(rec, err, "show");
		}
		if (prev) {
			struct strbuf sb = STRBUF_INIT;
			identity_describe_change(rec_get(prev, "identity"), id, &sb);
			note("%s: measured before under another identity (%s): measuring again",
			     mr->model, sb.buf);
			strbuf_release(&sb);
			mr->previous = cJSON_Duplicate(rec_get(prev, "identity"), 1);
		}
		if (step_note(ctx->steps, key, rec))
			warning("cannot append the identity of '%s' to the log", mr->model);
	} else {
		cJSON_Delete(id);
	}
	mr->identity = cJSON_Duplicate(step_find(ctx->steps, key), 1);
	return 0;
}

/* The model's steps and verdict in the log: the records the search used,
 * in its order, and their results, so that `o3 report` analyses exactly
 * these (and writes the same JUnit). */
static void model_end(struct model_run *mr)
{
	cJSON *rec = record_begin(mr->model, RP_MODEL_END), *keys;
	char key[700];
	size_t i;
	cJSON_AddStringToObject(rec, "identity_hash", mr->idhash);
	if (mr->ctx->run_id)
		cJSON_AddStringToObject(rec, "run_id", mr->ctx->run_id);
	if (mr->ctx->server_knobs)
		cJSON_AddItemToObject(rec, "server_knobs", cJSON_Duplicate(mr->ctx->server_knobs, 1));
	cJSON_AddBoolToObject(rec, "complete", !mr->stopped && !mr->gone);
	cJSON_AddNumberToObject(rec, "steps_measured", mr->executed);
	if (mr->previous)
		cJSON_AddItemToObject(rec, "previous_identity", cJSON_Duplicate(mr->previous, 1));
	if (mr->rollback)
		cJSON_AddItemToObject(rec, "rollback", cJSON_Duplicate(mr->rollback, 1));
	keys = cJSON_AddArrayToObject(rec, "steps");
	for (i = 0; i < mr->n_recs; i++)
		if (rec_str(mr->recs[i], RK_KEY))
			cJSON_AddItemToArray(keys, cJSON_CreateString(rec_str(mr->recs[i], RK_KEY)));
	cJSON_AddItemToObject(rec, "results", cJSON_Duplicate(mr->results, 1));
	snprintf(key, sizeof(key), "%s|%s|%s|%s", mr->model, RP_MODEL_END, mr->idhash,
		 mr->ctx->run_id ? mr->ctx->run_id : "");
	if (step_note(mr->ctx->steps, key, rec))
		warning("cannot append the end of '%s' to the log", mr->model);
}

/* ---- one model ------------------------------------------------------------ */

/* Probes and fills at the largest micro-batch of the suite, and at least
 * Ollama's default: its compute buffer is the largest, so the ceiling holds
 * for every batch the trials use, and a fill runs at a sane speed (a
 * handoff grid's batch of 8 would take hours). Other load knobs at their
 * first value. */
static cJSON *probe_options(const struct suite_knob **knobs, size_t nk)
{
	cJSON *base = cJSON_CreateObject();
	char msg[256];
	size_t i;
	for (i = 0; i < nk; i++) {
		size_t v = 0, j;
		if (knobs[i]->kind != SUITE_KNOB_LOAD || !strcmp(knobs[i]->name, "num_ctx"))
			continue;
		if (!strcmp(knobs[i]->name, "num_batch")) {
			char big[32];
			for (j = 1; j < knobs[i]->n_values; j++)
				if (knobs[i]->ints[j] > knobs[i]->ints[v])
					v = j;
			snprintf(big, sizeof(big), "%ld", knobs[i]->ints[v] > OLLAMA_DEFAULT_NUM_BATCH ?
				 knobs[i]->ints[v] : (long)OLLAMA_DEFAULT_NUM_BATCH);
			ollama_option_add(base, knobs[i]->name, big, msg, sizeof(msg));
			continue;
		}
		ollama_option_add(base, knobs[i]->name, knobs[i]->values[v], msg, sizeof(msg));
	}
	return base;
}

/* A first estimate of the steps: gallop and bisect, one fill, the knob grid
 * at two contexts, two presets at each stream level. */
static int estimate(const struct suite *s, const struct suite_knob **knobs, size_t nk, long trained)
{
	long span = trained, step = s->search.resolution > 0 ? s->search.resolution : 1024;
	int probes = 0, grid = 1;
	size_t i;
	while (span > s->search.start && probes < 20) {
		span /= 2;
		probes++;
	}
	for (span = trained; span > step && probes < 40; span /= 2)
		probes++;
	for (i = 0; i < nk; i++)
		if (knobs[i]->kind != SUITE_KNOB_SERVER && strcmp(knobs[i]->name, "num_ctx"))
			grid *= (int)knobs[i]->n_values;
	return (s->search.ceiling ? probes + 3 : 0) + 2 * grid + 2 * (int)s->stability.n_streams;
}

int search_model(struct search_ctx *ctx, const char *model, cJSON **summary,
		 struct ollama_error *err)
{
	struct model_run mr = { .ctx = ctx, .model = model };
	const struct suite_knob *knobs[SUITE_KNOBS_MAX];
	struct analyze_input in;
	const cJSON *g;
	double params_b;
	long trained, loads = 0, usable = 0, cap = -1;
	size_t nk;

	*summary = NULL;
	mr.results = cJSON_CreateArray();
	if (take_identity(&mr, err)) {
		cJSON_Delete(mr.results);
		return -1;
	}
	input_of(&mr, &in);
	if (rec_is_ok(mr.identity)) {
		analyze_facts(&in, &params_b, &trained);
		suite_criteria_for(ctx->suite, model, params_b, &mr.crit);
		nk = suite_knobs_for(ctx->suite, model, params_b, knobs, ARRAY_SIZE(knobs));
		mr.base = probe_options(knobs, nk);
		mr.planned = estimate(ctx->suite, knobs, nk, trained);
		if (ctx->suite->search.ceiling) {
			loads = ceiling_phase(&mr, trained);
			if (loads > 0 && !mr.stopped && !mr.gone)
				usable = usable_phase(&mr, loads);
			/* trials go no higher than the usable context; when none was
			 * proven, no higher than what loaded (and no max_ctx preset) */
			cap = usable > 0 ? usable : loads;
		}
		if (!mr.stopped && !mr.gone && cap != 0)
			trials_phase(&mr, knobs, nk, cap);
		if (!mr.stopped && !mr.gone)
			stability_phase(&mr);
		cJSON_Delete(mr.base);
	}
	/* the verdict: the analysis of the records used, its gates Check test
	 * cases after the model's steps */
	input_of(&mr, &in);
	*summary = analyze_model(&in);
	cJSON_ArrayForEach(g, rec_get(*summary, "gates"))
		step_gate(ctx->steps, rec_str(g, "name"), cJSON_IsTrue(rec_get(g, "pass")),
			  rec_str(g, "message"));
	model_end(&mr);
	free(mr.recs);
	cJSON_Delete(mr.results);
	cJSON_Delete(mr.identity);
	cJSON_Delete(mr.previous);
	cJSON_Delete(mr.rollback);
	if (mr.gone) {
		ollama_error_set(err, OLLAMA_ERR_UNREACHABLE, 0,
				 "the server stopped answering while '%s' was measured", model);
		return -1;
	}
	return mr.stopped ? 1 : 0;
}

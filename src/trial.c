// SPDX-License-Identifier: MIT
#include "trial.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "metrics.h"
#include "monitor.h"
#include "prompt.h"
#include "record.h"
#include "stats.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

/* A load this much longer than a no-op load (plus 4x its time) was a real (re)load. */
#define RELOAD_MARGIN_NS 20000000ULL

void trial_spec_default(struct trial_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->phase = "trial";
	spec->warmup = 1;
	spec->reps = 3;
	spec->prompt_tokens = 512;
	spec->num_predict = 128;
}

static double ns_to_ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

/* Server metrics exactly as sent; absent ones stay absent. */
static void add_server_metrics(cJSON *o, const struct ollama_gen_result *r)
{
	cJSON *s = cJSON_AddObjectToObject(o, "server");
#define ADD_IF(field, name) \
	if (r->field >= 0) cJSON_AddNumberToObject(s, name, (double)r->field)
	ADD_IF(total_duration_ns, "total_duration_ns");
	ADD_IF(load_duration_ns, "load_duration_ns");
	ADD_IF(prompt_eval_count, "prompt_eval_count");
	ADD_IF(prompt_eval_duration_ns, "prompt_eval_duration_ns");
	ADD_IF(eval_count, "eval_count");
	ADD_IF(eval_duration_ns, "eval_duration_ns");
#undef ADD_IF
	if (r->done_reason[0])
		cJSON_AddStringToObject(s, "done_reason", r->done_reason);
}

/* The gaps of the timed requests, pooled for the ITL summary. */
struct gap_pool {
	double *ms; /* malloced */
	size_t n, cap;
};

/* One number as cJSON prints it: the shortest of 15 or 17 digits that
 * reads back the same. */
static void add_number(struct strbuf *sb, double v)
{
	char num[32];
	snprintf(num, sizeof(num), "%1.15g", v);
	if (strtod(num, NULL) != v)
		snprintf(num, sizeof(num), "%1.17g", v);
	strbuf_addstr(sb, num);
}

/*
 * Every gap between content chunks, in milliseconds, as a JSON array made
 * once as text: the record holds all of them at a few bytes each, not one
 * cJSON node (about 80 bytes) per chunk. The pool, when given, gets them too.
 */
static cJSON *itl_json(const struct ollama_gen_result *r, struct gap_pool *pool)
{
	struct strbuf sb;
	cJSON *arr;
	size_t i;
	strbuf_init(&sb, 0);
	strbuf_addch(&sb, '[');
	for (i = 1; i < r->n_chunks; i++) {
		double ms = ns_to_ms(r->chunk_ns[i] - r->chunk_ns[i - 1]);
		if (i > 1)
			strbuf_addch(&sb, ',');
		add_number(&sb, ms);
		if (pool) {
			if (pool->n == pool->cap) {
				pool->cap = pool->cap ? pool->cap * 2 : 256;
				pool->ms = xrealloc(pool->ms, pool->cap * sizeof(*pool->ms));
			}
			pool->ms[pool->n++] = ms;
		}
	}
	strbuf_addch(&sb, ']');
	arr = cJSON_CreateRaw(sb.buf);
	strbuf_release(&sb);
	return arr;
}

/*
 * The metrics of one request, as README.md "Metrics" defines them. Only what
 * was observed is written: a value that could not be measured is absent.
 */
static cJSON *request_json(const struct ollama_gen_result *r, size_t body_chars,
			   long expected_tokens, long num_ctx, int *truncated,
			   struct gap_pool *pool)
{
	cJSON *o = cJSON_CreateObject();
	struct request_metrics m;

	request_metrics(r, &m);
	cJSON_AddNumberToObject(o, "prompt_chars", (double)body_chars);
	*truncated = prompt_truncated(expected_tokens, (long)r->prompt_eval_count, num_ctx);
	cJSON_AddBoolToObject(o, "truncated", *truncated);
	cJSON_AddNumberToObject(o, "content_chunks", (double)r->n_chunks);
	request_metrics_json(&m, o);
	cJSON_AddItemToObject(o, "itl_ms", itl_json(r, pool));
	add_server_metrics(o, r);
	return o;
}

static cJSON *stats_json(const struct stats_summary *s, int percentiles)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "n", (double)s->n);
	cJSON_AddNumberToObject(o, "median", s->median);
	cJSON_AddNumberToObject(o, "min", s->min);
	cJSON_AddNumberToObject(o, "max", s->max);
	cJSON_AddNumberToObject(o, "mean", s->mean);
	cJSON_AddNumberToObject(o, "stddev", s->stddev);
	if (percentiles) {
		cJSON_AddNumberToObject(o, "p50", s->p50);
		cJSON_AddNumberToObject(o, "p90", s->p90);
		cJSON_AddNumberToObject(o, "p99", s->p99);
	}
	return o;
}

/* Summary over the timed repetitions of one field; absent when no rep has it. */
static void summarize_field(cJSON *summary, const cJSON *reps, const char *field)
{
	size_t n = 0, cap = (size_t)cJSON_GetArraySize(reps);
	double *v = xcalloc(cap ? cap : 1, sizeof(*v));
	const cJSON *rep;
	struct stats_summary s;

	cJSON_ArrayForEach(rep, reps) {
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(rep, field);
		if (cJSON_IsNumber(x))
			v[n++] = x->valuedouble;
	}
	if (n) {
		stats_summarize(v, n, &s);
		cJSON_AddItemToObject(summary, field, stats_json(&s, 0));
	}
	free(v);
}

static void summarize(cJSON *rec, const cJSON *reps, const struct gap_pool *pool)
{
	static const char *const fields[] = {
		"ttft_ms", "ttft_server_ms", "ttfb_ms", "tpot_ms", "e2e_ms", "decode_tps_server",
		"decode_tps_client", "prefill_tps", "prompt_tokens",
	};
	cJSON *summary = cJSON_AddObjectToObject(rec, "summary");
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fields); i++)
		summarize_field(summary, reps, fields[i]);
	/* ITL pooled over every gap of every timed repetition */
	if (pool->n) {
		struct stats_summary s;
		stats_summarize(pool->ms, pool->n, &s);
		cJSON_AddItemToObject(summary, "itl_ms", stats_json(&s, 1));
	}
}

static const struct ollama_ps_entry *find_ps(const struct ollama_ps_entry *e, size_t n,
					     const char *model)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!strcmp(e[i].name, model) || !strcmp(e[i].model, model))
			return &e[i];
	return NULL;
}

static void add_ps(cJSON *rec, struct ollama_client *c, const char *model)
{
	struct ollama_ps_entry *e = NULL;
	struct ollama_error err;
	const struct ollama_ps_entry *p;
	size_t n = 0;
	cJSON *o;

	if (ollama_ps(c, &e, &n, &err))
		return; /* unknown stays absent */
	p = find_ps(e, n, model);
	if (p) {
		o = cJSON_AddObjectToObject(rec, "ps");
		cJSON_AddNumberToObject(o, "size_bytes", (double)p->size_bytes);
		cJSON_AddNumberToObject(o, "size_vram_bytes", (double)p->size_vram_bytes);
		cJSON_AddBoolToObject(o, "offload", p->size_vram_bytes < p->size_bytes);
		if (p->context_length >= 0)
			cJSON_AddNumberToObject(o, "context_length", (double)p->context_length);
		if (p->expires_at[0])
			cJSON_AddStringToObject(o, "expires_at", p->expires_at);
	}
	free(e);
}

static int was_loaded(struct ollama_client *c, const char *model)
{
	struct ollama_ps_entry *e = NULL;
	struct ollama_error err;
	size_t n = 0;
	int found;
	if (ollama_ps(c, &e, &n, &err))
		return -1;
	found = find_ps(e, n, model) != NULL;
	free(e);
	return found;
}

/*
 * Load time is the client time of the load request: Ollama answers it once
 * the model is in memory, and its answer carries no durations. The same load
 * again is a no-op that costs milliseconds when nothing reloads: it is the
 * yardstick that tells whether the first one (re)loaded the model.
 */
static int reload_seen(uint64_t first_ns, uint64_t noop_ns)
{
	return first_ns > 4 * noop_ns + RELOAD_MARGIN_NS;
}

static int do_load(struct ollama_client *c, const struct trial_spec *spec, const cJSON *opts,
		   cJSON *rec, struct ollama_error *err)
{
	struct ollama_gen_result first, noop;
	cJSON *load = cJSON_AddObjectToObject(rec, "load");
	int before = was_loaded(c, spec->model), rc;
	uint64_t first_ns = 0;

	if (before >= 0)
		cJSON_AddBoolToObject(load, "loaded_before", before);
	ollama_gen_result_init(&first);
	rc = ollama_load(c, spec->model, opts, spec->keep_alive, &first, err);
	if (first.t_done_ns) {
		first_ns = first.t_done_ns - first.t_sent_ns;
		cJSON_AddNumberToObject(load, "load_ms", ns_to_ms(first_ns));
	}
	if (first.load_duration_ns >= 0)
		cJSON_AddNumberToObject(load, "server_load_ms", (double)first.load_duration_ns / 1e6);
	ollama_gen_result_release(&first);
	if (rc)
		return -1;
	ollama_gen_result_init(&noop);
	if (!ollama_load(c, spec->model, opts, spec->keep_alive, &noop, err) && noop.t_done_ns &&
	    first_ns) {
		uint64_t noop_ns = noop.t_done_ns - noop.t_sent_ns;
		cJSON_AddNumberToObject(load, "noop_load_ms", ns_to_ms(noop_ns));
		cJSON_AddBoolToObject(load, "reloaded", before == 0 || reload_seen(first_ns, noop_ns));
	}
	ollama_error_clear(err);
	ollama_gen_result_release(&noop);
	return 0;
}

static cJSON *request_options(const cJSON *options, long num_predict)
{
	cJSON *o = options ? cJSON_Duplicate(options, 1) : cJSON_CreateObject();
	if (num_predict > 0 && !cJSON_GetObjectItemCaseSensitive(o, "num_predict"))
		cJSON_AddNumberToObject(o, "num_predict", (double)num_predict);
	return o;
}

/* One request with a fresh prompt; appends its metrics to arr. */
static int one_request(struct ollama_client *c, const struct trial_spec *spec, const cJSON *opts,
		       struct prompt_calibration *cal, uint64_t seed, cJSON *arr,
		       struct gap_pool *pool, struct ollama_error *err)
{
	long num_ctx = prompt_num_ctx(opts);
	size_t chars = prompt_chars_for(cal, spec->prompt_tokens, num_ctx);
	char *prompt = prompt_build(chars, seed, prompt_nonce());
	size_t body_chars = strlen(prompt);
	long expected = prompt_expected_tokens(cal, body_chars);
	struct ollama_gen_request req = {
		.model = spec->model, .prompt = prompt, .options = opts, .stream = 1,
		.keep_alive = spec->keep_alive, .think = -1,
	};
	struct ollama_gen_result res;
	int rc, truncated = 0;

	ollama_gen_result_init(&res);
	rc = ollama_generate(c, &req, &res, err);
	if (!rc) {
		cJSON *o = request_json(&res, body_chars, expected, num_ctx, &truncated, pool);
		cJSON_AddItemToArray(arr, o);
		if (!truncated)
			prompt_calibrate(cal, body_chars, res.prompt_eval_count, num_ctx);
	}
	ollama_gen_result_release(&res);
	free(prompt);
	return rc;
}

static void add_spec(cJSON *rec, const cJSON *opts, const struct trial_spec *spec)
{
	cJSON_AddItemToObject(rec, "options", cJSON_Duplicate(opts, 1));
	cJSON_AddNumberToObject(rec, "warmup", spec->warmup);
	cJSON_AddNumberToObject(rec, "reps", spec->reps);
	cJSON_AddNumberToObject(rec, "prompt_tokens_target", (double)spec->prompt_tokens);
}

int trial_run(struct ollama_client *c, const struct trial_spec *spec, cJSON **record,
	      struct ollama_error *err)
{
	cJSON *rec = record_begin(spec->model, spec->phase ? spec->phase : "trial");
	cJSON *warm, *reps, *mon = NULL;
	cJSON *opts = request_options(spec->options, spec->num_predict);
	struct prompt_calibration cal;
	struct gap_pool pool = { 0 };
	uint64_t t0 = clock_now_ns();
	int i, rc = 0, truncated_any = 0;
	const cJSON *rep;

	ollama_error_clear(err);
	add_spec(rec, opts, spec);
	prompt_calibration_init(&cal);
	if (do_load(c, spec, opts, rec, err)) {
		record_set_error(rec, err, "load");
		rc = -1;
		goto done;
	}
	add_ps(rec, c, spec->model);
	/*
	 * The sampler runs around the measured part, after the load: before
	 * it, memory still holds the configuration the load replaces, which
	 * is not this trial's.
	 */
	if (spec->monitor && monitor_start(spec->monitor))
		cJSON_AddStringToObject(rec, "monitor_error", "the sampler thread did not start");

	warm = cJSON_AddArrayToObject(rec, "warmup_requests");
	for (i = 0; i < spec->warmup; i++) {
		if (one_request(c, spec, opts, &cal, 1000 + (uint64_t)i, warm, NULL, err)) {
			record_set_error(rec, err, "warmup");
			rc = -1;
			goto done;
		}
	}
	reps = cJSON_AddArrayToObject(rec, "requests");
	for (i = 0; i < spec->reps; i++) {
		if (one_request(c, spec, opts, &cal, 2000 + (uint64_t)i, reps, &pool, err)) {
			record_set_error(rec, err, "request");
			rc = -1;
			break;
		}
	}
	cJSON_ArrayForEach(rep, reps)
		truncated_any |= cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rep, "truncated"));
	cJSON_AddBoolToObject(rec, "truncated", truncated_any);
	cJSON_AddNumberToObject(rec, "chars_per_token", cal.chars_per_token);
	summarize(rec, reps, &pool);

done:
	if (spec->monitor && !monitor_stop(spec->monitor, &mon) && mon)
		cJSON_AddItemToObject(rec, "monitor", mon);
	if (spec->unload_after) {
		struct ollama_error uerr;
		ollama_unload(c, spec->model, &uerr);
	}
	cJSON_AddNumberToObject(rec, "wall_ms", ns_to_ms(clock_now_ns() - t0));
	cJSON_Delete(opts);
	free(pool.ms);
	*record = rec;
	return rc;
}

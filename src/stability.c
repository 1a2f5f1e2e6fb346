// SPDX-License-Identifier: MIT
/*
 * The stability test (see stability.h): a scheduler over the client's
 * ollama_multi. It keeps `streams` requests in flight, starts a stream's next
 * request when one ends, and counts what each ended with. How a request is
 * built, read, timed out and classified is the client's business, not this
 * file's.
 */
#include "stability.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "metrics.h"
#include "prompt.h"
#include "stats.h"
#include "util.h"
#include "banned.h"

#define PROMPT_SEED 0x5157ab1eull

/* One stream: the request in flight on its slot of the multi. */
struct stream {
	int sent;                  /* requests started on this stream */
	size_t prompt_chars;       /* the request in flight's prompt size */
	struct ollama_gen_result res;
	struct ollama_error err;
};

struct stability {
	const struct stability_spec *spec;
	struct ollama_multi *multi;
	struct stream *stream;       /* one per stream, on the slot of its index */
	struct prompt_calibration cal;
	/* outcomes */
	int requests, ok;
	int class_count[OLLAMA_ERR__COUNT];
	struct ollama_error first_err;
	/* one slot per request; the server's figures from its durations (ttft.h) */
	double *ttft_ms, *ttft_server_ms, *decode_ms, *e2e_ms, *decode_tps;
	size_t n_ttft, n_ttft_server, n_decode, n_e2e, n_tps;
	long long eval_tokens;
	long num_ctx;                /* the options' num_ctx; 0 = unknown */
	size_t prompt_chars_max;     /* the largest prompt sent */
	int truncated;               /* answers whose prompt the server cut (prompt_truncated) */
};

/* ---- the requests ------------------------------------------------------------ */

/* A request that ended (or could not start): count it. */
static void request_record(struct stability *st, struct stream *s)
{
	const struct ollama_gen_result *r = &s->res;
	struct request_metrics m;

	st->requests++;
	if (s->err.cls != OLLAMA_OK) {
		st->class_count[s->err.cls]++;
		if (st->first_err.cls == OLLAMA_OK)
			st->first_err = s->err;
		return;
	}
	st->ok++;
	request_metrics(r, &m);
	if (m.ttft_ms >= 0)
		st->ttft_ms[st->n_ttft++] = m.ttft_ms;
	if (m.decode_ms >= 0)
		st->decode_ms[st->n_decode++] = m.decode_ms;
	if (m.ttft_server_ms >= 0)
		st->ttft_server_ms[st->n_ttft_server++] = m.ttft_server_ms;
	if (m.e2e_ms >= 0)
		st->e2e_ms[st->n_e2e++] = m.e2e_ms;
	if (m.decode_tps_server >= 0)
		st->decode_tps[st->n_tps++] = m.decode_tps_server;
	if (r->eval_count > 0)
		st->eval_tokens += r->eval_count;
	if (prompt_truncated(prompt_expected_tokens(&st->cal, s->prompt_chars),
			     (long)r->prompt_eval_count, st->num_ctx))
		st->truncated++;
	else
		prompt_calibrate(&st->cal, s->prompt_chars, (long)r->prompt_eval_count, st->num_ctx);
}

/* The request a stream sends: a fresh prompt of the calibrated size. */
static void request_init(const struct stability_spec *spec, const char *prompt,
			 struct ollama_gen_request *req)
{
	memset(req, 0, sizeof(*req));
	req->model = spec->model;
	req->prompt = prompt;
	req->options = spec->options;
	req->stream = 1;
	req->keep_alive = spec->keep_alive;
	req->think = -1;
}

/* Start stream i's next request, if it has one; a request that cannot even
 * start is counted as it failed, and the next one tried. */
static void stream_next(struct stability *st, int i)
{
	const struct stability_spec *spec = st->spec;
	struct stream *s = &st->stream[i];
	struct ollama_gen_request req;
	char *prompt;
	int rc;

	while (s->sent < spec->requests_per_stream) {
		s->sent++;
		s->prompt_chars = prompt_chars_for(&st->cal, spec->prompt_tokens, st->num_ctx);
		if (s->prompt_chars > st->prompt_chars_max)
			st->prompt_chars_max = s->prompt_chars;
		prompt = prompt_build(s->prompt_chars, PROMPT_SEED + (uint64_t)st->requests,
				      prompt_nonce());
		request_init(spec, prompt, &req);
		rc = ollama_multi_start(st->multi, i, &req, &s->res, &s->err); /* reads req now */
		free(prompt);
		if (!rc)
			return;
		request_record(st, s);
	}
}

static void on_done(struct ollama_multi *m, int slot, int rc, void *ud)
{
	struct stability *st = ud;
	(void)m;
	(void)rc; /* s->err says it */
	request_record(st, &st->stream[slot]);
	stream_next(st, slot);
}

/* ---- the record ---------------------------------------------------------------- */

/* A summary of one figure; with samples, every request's value too (in the
 * order the requests ended, to 10 us). */
static void add_summary(cJSON *rec, const char *key, const double *v, size_t n, int latency,
			int samples)
{
	cJSON *o = cJSON_AddObjectToObject(rec, key), *arr;
	struct stats_summary sum;
	size_t i;

	cJSON_AddNumberToObject(o, "n", (double)n);
	if (samples) {
		arr = cJSON_AddArrayToObject(o, "samples");
		for (i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, cJSON_CreateNumber(round(v[i] * 100.0) / 100.0));
	}
	if (!n)
		return;
	stats_summarize(v, n, &sum);
	cJSON_AddNumberToObject(o, "median", sum.median);
	if (latency) {
		cJSON_AddNumberToObject(o, "mean", sum.mean);
		cJSON_AddNumberToObject(o, "p90", sum.p90);
		cJSON_AddNumberToObject(o, "p99", sum.p99);
		cJSON_AddNumberToObject(o, "max", sum.max);
	} else {
		cJSON_AddNumberToObject(o, "min", sum.min);
	}
}

static void add_error(cJSON *rec, const char *key, const struct ollama_error *err)
{
	cJSON *o = cJSON_AddObjectToObject(rec, key);
	cJSON_AddStringToObject(o, "class", ollama_err_class_name(err->cls));
	cJSON_AddStringToObject(o, "message", err->message);
}

static cJSON *make_record(const struct stability *st, int streams, double wall_s)
{
	cJSON *rec = cJSON_CreateObject(), *cls;
	int errors = st->requests - st->ok, i;

	cJSON_AddStringToObject(rec, "status", st->ok > 0 ? "ok" : "error");
	cJSON_AddNumberToObject(rec, "streams", streams);
	cJSON_AddNumberToObject(rec, "requests", st->requests);
	cJSON_AddNumberToObject(rec, "ok", st->ok);
	cJSON_AddNumberToObject(rec, "errors", errors);
	cls = cJSON_AddObjectToObject(rec, "error_classes");
	for (i = 1; i < OLLAMA_ERR__COUNT; i++)
		if (st->class_count[i])
			cJSON_AddNumberToObject(cls, ollama_err_class_name(i), st->class_count[i]);
	cJSON_AddNumberToObject(rec, "oom", st->class_count[OLLAMA_ERR_OOM]);
	cJSON_AddNumberToObject(rec, "success_pct",
				st->requests ? 100.0 * st->ok / st->requests : 0.0);
	add_summary(rec, "ttft_ms", st->ttft_ms, st->n_ttft, 1, 1);
	add_summary(rec, "ttft_server_ms", st->ttft_server_ms, st->n_ttft_server, 1, 1);
	add_summary(rec, "decode_ms", st->decode_ms, st->n_decode, 1, 0);
	add_summary(rec, "e2e_ms", st->e2e_ms, st->n_e2e, 1, 0);
	add_summary(rec, "decode_tps_server", st->decode_tps, st->n_tps, 0, 0);
	cJSON_AddNumberToObject(rec, "wall_s", wall_s);
	cJSON_AddNumberToObject(rec, "eval_tokens", (double)st->eval_tokens);
	cJSON_AddNumberToObject(rec, "prompt_chars_max", (double)st->prompt_chars_max);
	cJSON_AddNumberToObject(rec, "truncated_requests", st->truncated);
	cJSON_AddNumberToObject(rec, "aggregate_tps",
				wall_s > 0 ? (double)st->eval_tokens / wall_s : 0.0);
	if (st->first_err.cls != OLLAMA_OK) {
		add_error(rec, "first_error", &st->first_err);
		if (!st->ok)
			add_error(rec, "error", &st->first_err);
	}
	return rec;
}

/* A run that could not start: one error, counted as such. */
static cJSON *failed_record(struct stability *st, int streams, const struct ollama_error *err)
{
	st->requests = 1;
	st->ok = 0;
	st->class_count[err->cls]++;
	st->first_err = *err;
	return make_record(st, streams, 0.0);
}

static int preload(struct ollama_client *c, const struct stability_spec *spec, double *ms,
		   struct ollama_error *err)
{
	struct ollama_gen_result res;
	int ret;

	ollama_gen_result_init(&res);
	ret = ollama_load(c, spec->model, spec->options, spec->keep_alive, &res, err);
	*ms = res.t_done_ns > res.t_sent_ns ? (double)(res.t_done_ns - res.t_sent_ns) / 1e6 : 0.0;
	ollama_gen_result_release(&res);
	return ret;
}

/* The warm-up request (spec->warmup): calibrates cal; *ms its client time. */
static int warm_up(struct ollama_client *c, const struct stability_spec *spec,
		   struct prompt_calibration *cal, double *ms, struct ollama_error *err)
{
	struct ollama_gen_result res;
	struct ollama_gen_request req;
	char *prompt;
	int ret;

	prompt = prompt_build(prompt_chars_for(cal, spec->prompt_tokens, prompt_num_ctx(spec->options)),
			      PROMPT_SEED - 1,
			      prompt_nonce());
	request_init(spec, prompt, &req);
	ollama_gen_result_init(&res);
	ret = ollama_generate(c, &req, &res, err);
	if (!ret)
		prompt_calibrate(cal, strlen(prompt), (long)res.prompt_eval_count,
				 prompt_num_ctx(spec->options));
	*ms = res.t_done_ns > res.t_sent_ns ? (double)(res.t_done_ns - res.t_sent_ns) / 1e6 : 0.0;
	ollama_gen_result_release(&res);
	free(prompt);
	return ret;
}

cJSON *stability_run(const struct stability_spec *spec)
{
	struct stability st = { .spec = spec, .num_ctx = prompt_num_ctx(spec->options) };
	struct ollama_client *c = NULL;
	struct ollama_error err;
	int n = spec->streams, total, i, warm_rc = 0;
	double preload_ms = -1, warmup_ms = -1;
	struct ollama_error warm_err;
	uint64_t t0;
	cJSON *rec;

	ollama_error_clear(&st.first_err);
	if (!spec->host || !spec->model || n < 1 || spec->requests_per_stream < 1) {
		ollama_error_set(&err, OLLAMA_ERR_BAD_REQUEST, 0,
				 "stability: need a host, a model, streams >= 1 and "
				 "requests_per_stream >= 1 (got streams %d, requests_per_stream %d)",
				 n, spec->requests_per_stream);
		return failed_record(&st, n, &err);
	}
	c = ollama_client_new(spec->host, spec->timeouts);
	st.multi = c ? ollama_multi_new(c, n) : NULL;
	if (!st.multi) {
		ollama_client_free(c);
		ollama_error_set(&err, OLLAMA_ERR_PROTOCOL, 0, "cannot create a libcurl handle");
		return failed_record(&st, n, &err);
	}
	if (spec->preload && preload(c, spec, &preload_ms, &err)) {
		ollama_multi_free(st.multi);
		ollama_client_free(c);
		rec = failed_record(&st, n, &err);
		cJSON_AddNumberToObject(rec, "preload_ms", preload_ms);
		return rec;
	}

	prompt_calibration_init(&st.cal);
	ollama_error_clear(&warm_err);
	if (spec->warmup)
		warm_rc = warm_up(c, spec, &st.cal, &warmup_ms, &warm_err);
	total = n * spec->requests_per_stream;
	st.ttft_ms = xcalloc((size_t)total, sizeof(double));
	st.ttft_server_ms = xcalloc((size_t)total, sizeof(double));
	st.decode_ms = xcalloc((size_t)total, sizeof(double));
	st.e2e_ms = xcalloc((size_t)total, sizeof(double));
	st.decode_tps = xcalloc((size_t)total, sizeof(double));
	st.stream = xcalloc((size_t)n, sizeof(*st.stream));
	for (i = 0; i < n; i++)
		ollama_gen_result_init(&st.stream[i].res);

	t0 = clock_now_ns();
	for (i = 0; i < n; i++)
		stream_next(&st, i);
	ollama_multi_run(st.multi, on_done, &st);
	rec = make_record(&st, n, (double)(clock_now_ns() - t0) / 1e9);
	if (spec->preload)
		cJSON_AddNumberToObject(rec, "preload_ms", preload_ms);
	if (spec->warmup && !warm_rc)
		cJSON_AddNumberToObject(rec, "warmup_ms", warmup_ms);
	else if (spec->warmup)
		add_error(rec, "warmup_error", &warm_err);

	for (i = 0; i < n; i++)
		ollama_gen_result_release(&st.stream[i].res);
	free(st.stream);
	ollama_multi_free(st.multi);
	ollama_client_free(c);
	free(st.ttft_ms);
	free(st.ttft_server_ms);
	free(st.decode_ms);
	free(st.e2e_ms);
	free(st.decode_tps);
	return rec;
}

// SPDX-License-Identifier: MIT
/*
 * Concurrent streams for the stability test (see load.h): one libcurl multi
 * handle driven by one thread, one easy handle (one connection) per stream.
 *
 * The client (ollama_http.c, ollama_generate.c) drives one transfer at a
 * time, so its request body builder, chunk parser and transfer state are
 * static there; this file has its own small equivalents built on the same
 * public pieces (ollama_ndjson_*, ollama_classify), with the same rules:
 * headers are not the first byte; until the first body byte the first-byte
 * timeout applies, then the stall timeout; an {"error"} line after parsed
 * lines is mid-stream; a whole-number keep_alive goes out as a number.
 */
#include "load.h"

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "clock.h"
#include "prompt.h"
#include "stats.h"
#include "strbuf.h"
#include "ttft.h"
#include "util.h"
#include "banned.h"

#define MAX_LINE_BYTES (16u << 20)
#define POLL_MAX_MS 100
#define PROMPT_SEED 0x5157ab1eull

enum which_timeout { TO_NONE, TO_TOTAL, TO_FIRST_BYTE, TO_STALL };

struct load;

/* One stream: its easy handle and the request in flight on it. */
struct stream {
	struct load *ld;
	CURL *easy;
	char errbuf[CURL_ERROR_SIZE];
	int sent;               /* requests started on this stream */
	int active;             /* a transfer is in the multi handle */
	int finished;           /* curl said the transfer is over (rc holds why) */
	CURLcode rc;
	/* the request in flight */
	char *body;             /* NULL or cJSON_PrintUnformatted (cJSON_free) */
	size_t prompt_chars;
	struct ollama_ndjson *nd; /* NULL until an NDJSON body starts */
	struct strbuf doc;      /* a one-document body (an error body) */
	long status;
	int mode;               /* 0 unknown, 1 NDJSON, 2 one document */
	int failed;             /* the body handler set err */
	int done;               /* a final chunk (done:true) arrived */
	size_t n_lines;         /* JSON objects parsed */
	struct ollama_error err;
	uint64_t sent_ns, first_byte_ns, last_byte_ns, first_content_ns, done_ns;
	long long eval_count, eval_duration_ns, prompt_eval_count, prompt_eval_duration_ns;
};

struct load {
	const struct load_spec *spec;
	struct ollama_timeouts to;
	CURLM *multi;
	struct curl_slist *headers;
	char url[512];
	struct prompt_calibration cal;
	int in_flight;
	/* outcomes */
	int requests, ok;
	int class_count[OLLAMA_ERR__COUNT];
	struct ollama_error first_err;
	/* one slot per request; the server's figures from its durations (ttft.h) */
	double *ttft_ms, *ttft_server_ms, *decode_ms, *e2e_ms, *decode_tps;
	size_t n_ttft, n_ttft_server, n_decode, n_e2e, n_tps;
	long long eval_tokens;
};

/* ---- the response body ------------------------------------------------------ */

static long long metric(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 ||
	    v->valuedouble > 9.2e18)
		return -1;
	return (long long)v->valuedouble;
}

static int nonempty_string(const cJSON *v)
{
	return cJSON_IsString(v) && v->valuestring[0];
}

/* One JSON object of the response: a stream line, or the whole body. */
static int handle_object(struct stream *s, const char *text, size_t len)
{
	uint64_t now = clock_now_ns();
	cJSON *doc = cJSON_ParseWithLength(text, len);
	const cJSON *e;

	if (!cJSON_IsObject(doc)) {
		char head[48];
		size_t n = len < sizeof(head) - 1 ? len : sizeof(head) - 1;
		memcpy(head, text, n);
		head[n] = '\0';
		ollama_error_set(&s->err, OLLAMA_ERR_PROTOCOL, s->status,
				 "line %zu of the response is not a JSON object: '%s'", s->n_lines + 1,
				 head);
		goto fail;
	}
	e = cJSON_GetObjectItemCaseSensitive(doc, "error");
	if (e) {
		const char *msg = cJSON_IsString(e) ? e->valuestring : "(error without text)";
		long st = s->status >= 400 ? s->status : 0; /* 0: an error line on a 200 */
		ollama_error_set(&s->err, ollama_classify(st, msg, s->n_lines > 0), s->status, "%s",
				 msg);
		goto fail;
	}
	s->n_lines++;
	if (!s->first_content_ns && (nonempty_string(cJSON_GetObjectItemCaseSensitive(doc, "response")) ||
				     nonempty_string(cJSON_GetObjectItemCaseSensitive(doc, "thinking"))))
		s->first_content_ns = now;
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "done")) && !s->done) {
		s->done = 1;
		s->done_ns = now;
		s->prompt_eval_count = metric(doc, "prompt_eval_count");
		s->eval_count = metric(doc, "eval_count");
		s->eval_duration_ns = metric(doc, "eval_duration");
		s->prompt_eval_duration_ns = metric(doc, "prompt_eval_duration");
	}
	cJSON_Delete(doc);
	return 0;
fail:
	cJSON_Delete(doc);
	s->failed = 1;
	return -1;
}

static int on_line(const char *line, size_t len, void *data)
{
	return handle_object(data, line, len);
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	struct stream *s = ud;
	size_t len = size * n;
	uint64_t now = clock_now_ns();

	if (!s->first_byte_ns)
		s->first_byte_ns = now;
	s->last_byte_ns = now;
	if (!s->mode) {
		char *ct = NULL;
		curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &s->status);
		curl_easy_getinfo(s->easy, CURLINFO_CONTENT_TYPE, &ct);
		if (s->status >= 200 && s->status < 300 && ct &&
		    !strncmp(ct, "application/x-ndjson", 20)) {
			s->mode = 1;
			s->nd = ollama_ndjson_new(MAX_LINE_BYTES, on_line, s);
		} else {
			s->mode = 2;
		}
	}
	if (s->mode == 2) {
		if (strbuf_add(&s->doc, data, len)) {
			ollama_error_set(&s->err, OLLAMA_ERR_PROTOCOL, s->status,
					 "response from %s is larger than the limit of %u bytes",
					 s->ld->url, MAX_LINE_BYTES);
			s->failed = 1;
			return 0; /* aborts with CURLE_WRITE_ERROR */
		}
		return len;
	}
	if (ollama_ndjson_feed(s->nd, data, len)) {
		if (!s->failed)
			ollama_error_set(&s->err, OLLAMA_ERR_PROTOCOL, s->status,
					 "line %zu of the response is longer than the limit of %u bytes",
					 s->n_lines + 1, MAX_LINE_BYTES);
		s->failed = 1;
		return 0;
	}
	return len;
}

/* ---- one request ----------------------------------------------------------- */

static char *request_body(const struct load_spec *spec, const char *prompt)
{
	cJSON *o = cJSON_CreateObject();
	char *text;
	long ka;

	cJSON_AddStringToObject(o, "model", spec->model);
	cJSON_AddStringToObject(o, "prompt", prompt);
	if (spec->options)
		cJSON_AddItemToObject(o, "options", cJSON_Duplicate(spec->options, 1));
	cJSON_AddTrueToObject(o, "stream");
	if (spec->keep_alive) {
		/* a Go duration string needs a unit: a whole number goes as seconds */
		if (!o3_parse_long(spec->keep_alive, &ka))
			cJSON_AddNumberToObject(o, "keep_alive", (double)ka);
		else
			cJSON_AddStringToObject(o, "keep_alive", spec->keep_alive);
	}
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}

static void request_reset(struct stream *s)
{
	cJSON_free(s->body);
	s->body = NULL;
	ollama_ndjson_free(s->nd);
	s->nd = NULL;
	strbuf_release(&s->doc);
	strbuf_init(&s->doc, MAX_LINE_BYTES);
	s->status = 0;
	s->mode = s->failed = s->done = s->finished = 0;
	s->rc = CURLE_OK;
	s->n_lines = 0;
	ollama_error_clear(&s->err);
	s->sent_ns = s->first_byte_ns = s->last_byte_ns = s->first_content_ns = s->done_ns = 0;
	s->eval_count = s->eval_duration_ns = s->prompt_eval_count = s->prompt_eval_duration_ns = -1;
	s->errbuf[0] = '\0';
}

static int request_start(struct stream *s)
{
	struct load *ld = s->ld;
	char *prompt;

	request_reset(s);
	s->sent++;
	if (!ld->multi || !s->easy) {
		ollama_error_set(&s->err, OLLAMA_ERR_PROTOCOL, 0, "cannot create a libcurl handle");
		return -1;
	}
	s->prompt_chars = prompt_chars_for(&ld->cal, ld->spec->prompt_tokens);
	prompt = prompt_build(s->prompt_chars, PROMPT_SEED + (uint64_t)ld->requests, prompt_nonce());
	s->body = request_body(ld->spec, prompt);
	free(prompt);
	if (!s->body) {
		ollama_error_set(&s->err, OLLAMA_ERR_PROTOCOL, 0, "cannot build the request body");
		return -1;
	}
	curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, s->body);
	curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(s->body));
	s->sent_ns = clock_now_ns();
	if (curl_multi_add_handle(ld->multi, s->easy) != CURLM_OK) {
		ollama_error_set(&s->err, OLLAMA_ERR_PROTOCOL, 0, "cannot start a request to %s",
				 ld->url);
		return -1;
	}
	s->active = 1;
	ld->in_flight++;
	return 0;
}

static void set_timeout_error(struct stream *s, enum which_timeout which)
{
	const struct ollama_timeouts *to = &s->ld->to;
	const char *url = s->ld->url;
	switch (which) {
	case TO_TOTAL:
		ollama_error_set(&s->err, OLLAMA_ERR_CLIENT_TIMEOUT, s->status,
				 "total timeout: request to %s took longer than %ld ms", url,
				 to->total_ms);
		break;
	case TO_FIRST_BYTE:
		ollama_error_set(&s->err, OLLAMA_ERR_CLIENT_TIMEOUT, 0,
				 "first-byte timeout: no response from %s within %ld ms", url,
				 to->first_byte_ms);
		break;
	case TO_STALL:
		ollama_error_set(&s->err, OLLAMA_ERR_CLIENT_TIMEOUT, s->status,
				 "stall timeout: no data from %s for %ld ms in the middle of the "
				 "response", url, to->stall_ms);
		break;
	case TO_NONE:
		break;
	}
}

static void set_curl_error(struct stream *s, CURLcode rc)
{
	const char *why = s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc);
	const char *url = s->ld->url;
	curl_off_t connect_us = 0;

	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_SSL_CONNECT_ERROR:
		ollama_error_set(&s->err, OLLAMA_ERR_UNREACHABLE, 0, "cannot reach %s: %s", url, why);
		return;
	case CURLE_OPERATION_TIMEDOUT:
		curl_easy_getinfo(s->easy, CURLINFO_CONNECT_TIME_T, &connect_us);
		if (!connect_us)
			ollama_error_set(&s->err, OLLAMA_ERR_CLIENT_TIMEOUT, 0,
					 "connect timeout: could not connect to %s within %ld ms", url,
					 s->ld->to.connect_ms);
		else
			set_timeout_error(s, TO_TOTAL);
		return;
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		ollama_error_set(&s->err, OLLAMA_ERR_PROTOCOL, s->status,
				 "response from %s cut short: %s", url, why);
		return;
	default:
		ollama_error_set(&s->err, OLLAMA_ERR_PROTOCOL, s->status, "request to %s failed: %s",
				 url, why);
		return;
	}
}

/* An HTTP error status: Ollama's {"error"} body, or whatever else came. */
static void set_status_error(struct stream *s)
{
	cJSON *doc = cJSON_ParseWithLength(s->doc.buf, s->doc.len);
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(doc, "error");

	if (cJSON_IsString(e)) {
		ollama_error_set(&s->err, ollama_classify(s->status, e->valuestring, 0), s->status,
				 "%s", e->valuestring);
	} else {
		char text[200];
		size_t n = s->doc.len < sizeof(text) - 1 ? s->doc.len : sizeof(text) - 1;
		memcpy(text, s->doc.buf, n);
		text[n] = '\0';
		while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
			text[--n] = '\0';
		ollama_error_set(&s->err, ollama_classify(s->status, "", 0), s->status,
				 "HTTP %ld from %s: %s", s->status, s->ld->url, text);
	}
	cJSON_Delete(doc);
}

/* Decide how a transfer that is over (or timed out) ended; fills s->err. */
static void request_verdict(struct stream *s, enum which_timeout which)
{
	if (!s->status)
		curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &s->status);
	if (which != TO_NONE) {
		set_timeout_error(s, which);
	} else if (s->failed) {
		/* the body handler said why */
	} else if (s->rc != CURLE_OK) {
		set_curl_error(s, s->rc);
	} else if (s->status >= 400) {
		set_status_error(s);
	} else if (s->status < 200 || s->status > 299) {
		ollama_error_set(&s->err, OLLAMA_ERR_PROTOCOL, s->status,
				 "unexpected HTTP %ld from %s", s->status, s->ld->url);
	} else if (s->mode == 1 && ollama_ndjson_finish(s->nd) < 0) {
		/* the last line's handler said why */
	} else if (s->mode == 2 && handle_object(s, s->doc.buf, s->doc.len)) {
		/* ditto */
	} else if (!s->done) {
		ollama_error_set(&s->err, OLLAMA_ERR_PROTOCOL, s->status,
				 "stream ended without a final chunk (after %zu lines) from %s",
				 s->n_lines, s->ld->url);
	}
}

static void request_record(struct load *ld, struct stream *s)
{
	double server_ttft;

	ld->requests++;
	if (s->err.cls != OLLAMA_OK) {
		ld->class_count[s->err.cls]++;
		if (ld->first_err.cls == OLLAMA_OK)
			ld->first_err = s->err;
		return;
	}
	ld->ok++;
	if (s->first_content_ns) {
		ld->ttft_ms[ld->n_ttft++] = (double)(s->first_content_ns - s->sent_ns) / 1e6;
		ld->decode_ms[ld->n_decode++] = (double)(s->done_ns - s->first_content_ns) / 1e6;
	}
	server_ttft = ttft_server_ms(s->prompt_eval_duration_ns, s->eval_count, s->eval_duration_ns);
	if (server_ttft >= 0)
		ld->ttft_server_ms[ld->n_ttft_server++] = server_ttft;
	ld->e2e_ms[ld->n_e2e++] = (double)(s->done_ns - s->sent_ns) / 1e6;
	if (s->eval_count > 0 && s->eval_duration_ns > 0)
		ld->decode_tps[ld->n_tps++] = (double)s->eval_count /
					      ((double)s->eval_duration_ns / 1e9);
	if (s->eval_count > 0)
		ld->eval_tokens += s->eval_count;
	prompt_calibrate(&ld->cal, s->prompt_chars, (long)s->prompt_eval_count);
}

/* The transfer on s is over: judge it, record it, start the stream's next. */
static void request_end(struct load *ld, struct stream *s, enum which_timeout which)
{
	if (s->active) {
		curl_multi_remove_handle(ld->multi, s->easy);
		s->active = 0;
		ld->in_flight--;
	}
	request_verdict(s, which);
	request_record(ld, s);
	while (s->sent < ld->spec->requests_per_stream) {
		if (!request_start(s))
			return;
		request_record(ld, s); /* could not even start */
	}
}

/* ---- the loop ---------------------------------------------------------------- */

/* The deadline that applies to s now: expired, or how long to wait for it. */
static enum which_timeout expired(const struct ollama_timeouts *to, const struct stream *s,
				  uint64_t now, long *wait_ms)
{
	uint64_t deadline = UINT64_MAX, d = UINT64_MAX;
	enum which_timeout which = TO_NONE, cand = TO_NONE;

	if (to->total_ms > 0) {
		deadline = s->sent_ns + clock_timeout_ns(to->total_ms);
		which = TO_TOTAL;
	}
	if (!s->first_byte_ns && to->first_byte_ms > 0) {
		d = s->sent_ns + clock_timeout_ns(to->first_byte_ms);
		cand = TO_FIRST_BYTE;
	} else if (s->first_byte_ns && to->stall_ms > 0) {
		d = s->last_byte_ns + clock_timeout_ns(to->stall_ms);
		cand = TO_STALL;
	}
	if (d < deadline) {
		deadline = d;
		which = cand;
	}
	if (which == TO_NONE)
		return TO_NONE;
	if (now >= deadline)
		return which;
	if ((deadline - now) / 1000000u + 1 < (uint64_t)*wait_ms)
		*wait_ms = (long)((deadline - now) / 1000000u + 1);
	return TO_NONE;
}

static void drive(struct load *ld, struct stream *st, int n)
{
	while (ld->in_flight > 0) {
		long wait_ms = POLL_MAX_MS;
		int running = 0, left, i;
		uint64_t now;
		CURLMsg *m;

		if (curl_multi_perform(ld->multi, &running) != CURLM_OK)
			break;
		while ((m = curl_multi_info_read(ld->multi, &left))) {
			struct stream *s;
			char *priv = NULL;
			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
			s = (struct stream *)(void *)priv;
			s->finished = 1;
			s->rc = m->data.result;
		}
		/* handles are removed and re-added only after the messages are read */
		now = clock_now_ns();
		for (i = 0; i < n; i++) {
			struct stream *s = &st[i];
			enum which_timeout which;
			if (!s->active)
				continue;
			if (s->finished) {
				request_end(ld, s, TO_NONE);
				wait_ms = 0;
				continue;
			}
			which = expired(&ld->to, s, now, &wait_ms);
			if (which != TO_NONE) {
				request_end(ld, s, which);
				wait_ms = 0;
			}
		}
		if (ld->in_flight > 0 && wait_ms > 0)
			curl_multi_poll(ld->multi, NULL, 0, (int)wait_ms, NULL);
	}
	/* only when libcurl itself failed: end what is left */
	for (int i = 0; i < n; i++) {
		while (st[i].active) {
			ollama_error_set(&st[i].err, OLLAMA_ERR_PROTOCOL, 0,
					 "request to %s failed inside libcurl", ld->url);
			st[i].failed = 1;
			request_end(ld, &st[i], TO_NONE);
		}
	}
}

static void stream_setup(struct load *ld, struct stream *s)
{
	CURL *e = s->easy;
	curl_easy_setopt(e, CURLOPT_URL, ld->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)s);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "o3/" O3_VERSION);
	curl_easy_setopt(e, CURLOPT_NOPROXY, "localhost,127.0.0.1,::1");
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, ld->to.connect_ms > 0 ? ld->to.connect_ms : 0L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, ld->to.total_ms > 0 ? ld->to.total_ms : 0L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, ld->headers);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_POST, 1L);
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

static cJSON *make_record(const struct load *ld, int streams, double wall_s)
{
	cJSON *rec = cJSON_CreateObject(), *cls;
	int errors = ld->requests - ld->ok, i;

	cJSON_AddStringToObject(rec, "status", ld->ok > 0 ? "ok" : "error");
	cJSON_AddNumberToObject(rec, "streams", streams);
	cJSON_AddNumberToObject(rec, "requests", ld->requests);
	cJSON_AddNumberToObject(rec, "ok", ld->ok);
	cJSON_AddNumberToObject(rec, "errors", errors);
	cls = cJSON_AddObjectToObject(rec, "error_classes");
	for (i = 1; i < OLLAMA_ERR__COUNT; i++)
		if (ld->class_count[i])
			cJSON_AddNumberToObject(cls, ollama_err_class_name(i), ld->class_count[i]);
	cJSON_AddNumberToObject(rec, "oom", ld->class_count[OLLAMA_ERR_OOM]);
	cJSON_AddNumberToObject(rec, "success_pct",
				ld->requests ? 100.0 * ld->ok / ld->requests : 0.0);
	add_summary(rec, "ttft_ms", ld->ttft_ms, ld->n_ttft, 1, 1);
	add_summary(rec, "ttft_server_ms", ld->ttft_server_ms, ld->n_ttft_server, 1, 1);
	add_summary(rec, "decode_ms", ld->decode_ms, ld->n_decode, 1, 0);
	add_summary(rec, "e2e_ms", ld->e2e_ms, ld->n_e2e, 1, 0);
	add_summary(rec, "decode_tps_server", ld->decode_tps, ld->n_tps, 0, 0);
	cJSON_AddNumberToObject(rec, "wall_s", wall_s);
	cJSON_AddNumberToObject(rec, "eval_tokens", (double)ld->eval_tokens);
	cJSON_AddNumberToObject(rec, "aggregate_tps",
				wall_s > 0 ? (double)ld->eval_tokens / wall_s : 0.0);
	if (ld->first_err.cls != OLLAMA_OK) {
		add_error(rec, "first_error", &ld->first_err);
		if (!ld->ok)
			add_error(rec, "error", &ld->first_err);
	}
	return rec;
}

/* A run that could not start: one error, counted as such. */
static cJSON *failed_record(struct load *ld, int streams, const struct ollama_error *err)
{
	ld->requests = 1;
	ld->ok = 0;
	ld->class_count[err->cls]++;
	ld->first_err = *err;
	return make_record(ld, streams, 0.0);
}

static int preload(const struct load_spec *spec, const struct ollama_timeouts *to,
		   double *ms, struct ollama_error *err)
{
	struct ollama_client *c = ollama_client_new(spec->host, to);
	struct ollama_gen_result res;
	int ret;

	if (!c) {
		ollama_error_set(err, OLLAMA_ERR_PROTOCOL, 0, "cannot create a libcurl handle");
		return -1;
	}
	ollama_gen_result_init(&res);
	ret = ollama_load(c, spec->model, spec->options, spec->keep_alive, &res, err);
	*ms = res.t_done_ns > res.t_sent_ns ? (double)(res.t_done_ns - res.t_sent_ns) / 1e6 : 0.0;
	ollama_gen_result_release(&res);
	ollama_client_free(c);
	return ret;
}

/* The warm-up request (spec->warmup): calibrates cal; *ms its client time. */
static int warm_up(const struct load_spec *spec, const struct ollama_timeouts *to,
		   struct prompt_calibration *cal, double *ms, struct ollama_error *err)
{
	struct ollama_client *c = ollama_client_new(spec->host, to);
	struct ollama_gen_result res;
	struct ollama_gen_request req;
	char *prompt;
	int ret;

	if (!c) {
		ollama_error_set(err, OLLAMA_ERR_PROTOCOL, 0, "cannot create a libcurl handle");
		return -1;
	}
	prompt = prompt_build(prompt_chars_for(cal, spec->prompt_tokens), PROMPT_SEED - 1,
			      prompt_nonce());
	memset(&req, 0, sizeof(req));
	req.model = spec->model;
	req.prompt = prompt;
	req.options = spec->options;
	req.stream = 1;
	req.keep_alive = spec->keep_alive;
	req.think = -1;
	ollama_gen_result_init(&res);
	ret = ollama_generate(c, &req, &res, err);
	if (!ret)
		prompt_calibrate(cal, strlen(prompt), (long)res.prompt_eval_count);
	*ms = res.t_done_ns > res.t_sent_ns ? (double)(res.t_done_ns - res.t_sent_ns) / 1e6 : 0.0;
	ollama_gen_result_release(&res);
	ollama_client_free(c);
	free(prompt);
	return ret;
}

cJSON *load_run(const struct load_spec *spec)
{
	struct load ld = { .spec = spec };
	struct stream *st = NULL;
	struct ollama_error err;
	int n = spec->streams, total, i, warm_rc = 0;
	double preload_ms = -1, warmup_ms = -1;
	struct ollama_error warm_err;
	uint64_t t0;
	cJSON *rec;

	ollama_error_clear(&ld.first_err);
	if (spec->timeouts)
		ld.to = *spec->timeouts;
	else
		ollama_timeouts_default(&ld.to);
	if (!spec->host || !spec->model || n < 1 || spec->requests_per_stream < 1) {
		ollama_error_set(&err, OLLAMA_ERR_BAD_REQUEST, 0,
				 "load: need a host, a model, streams >= 1 and requests_per_stream "
				 ">= 1 (got streams %d, requests_per_stream %d)", n,
				 spec->requests_per_stream);
		return failed_record(&ld, n, &err);
	}
	(void)ollama_global_init(); /* checked by o3's main; a failure shows as handles not made */
	if (spec->preload && preload(spec, &ld.to, &preload_ms, &err)) {
		rec = failed_record(&ld, n, &err);
		cJSON_AddNumberToObject(rec, "preload_ms", preload_ms);
		return rec;
	}

	snprintf(ld.url, sizeof(ld.url), "%s/api/generate", spec->host->base_url);
	prompt_calibration_init(&ld.cal);
	ollama_error_clear(&warm_err);
	if (spec->warmup)
		warm_rc = warm_up(spec, &ld.to, &ld.cal, &warmup_ms, &warm_err);
	total = n * spec->requests_per_stream;
	ld.ttft_ms = xcalloc((size_t)total, sizeof(double));
	ld.ttft_server_ms = xcalloc((size_t)total, sizeof(double));
	ld.decode_ms = xcalloc((size_t)total, sizeof(double));
	ld.e2e_ms = xcalloc((size_t)total, sizeof(double));
	ld.decode_tps = xcalloc((size_t)total, sizeof(double));
	ld.headers = curl_slist_append(NULL, "Content-Type: application/json");
	ld.headers = curl_slist_append(ld.headers, "Expect:");
	ld.multi = curl_multi_init();
	st = xcalloc((size_t)n, sizeof(*st));
	for (i = 0; i < n; i++) {
		st[i].ld = &ld;
		st[i].easy = curl_easy_init();
		strbuf_init(&st[i].doc, MAX_LINE_BYTES);
		if (st[i].easy)
			stream_setup(&ld, &st[i]);
	}

	t0 = clock_now_ns();
	for (i = 0; i < n; i++)
		while (st[i].sent < spec->requests_per_stream && request_start(&st[i]))
			request_record(&ld, &st[i]);
	drive(&ld, st, n);
	rec = make_record(&ld, n, (double)(clock_now_ns() - t0) / 1e9);
	if (spec->preload)
		cJSON_AddNumberToObject(rec, "preload_ms", preload_ms);
	if (spec->warmup && !warm_rc)
		cJSON_AddNumberToObject(rec, "warmup_ms", warmup_ms);
	else if (spec->warmup)
		add_error(rec, "warmup_error", &warm_err);

	for (i = 0; i < n; i++) {
		request_reset(&st[i]);
		strbuf_release(&st[i].doc);
		if (st[i].easy)
			curl_easy_cleanup(st[i].easy);
	}
	free(st);
	if (ld.multi)
		curl_multi_cleanup(ld.multi);
	curl_slist_free_all(ld.headers);
	free(ld.ttft_ms);
	free(ld.ttft_server_ms);
	free(ld.decode_ms);
	free(ld.e2e_ms);
	free(ld.decode_tps);
	return rec;
}

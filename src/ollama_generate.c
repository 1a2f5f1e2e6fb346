// SPDX-License-Identifier: MIT
/*
 * POST /api/generate: streaming (NDJSON) and not, and the load and unload
 * requests built on it (reference ollama.md §1.2-§1.5). One transfer
 * (struct ollama_gen_xfer): the request builder and the response parser of
 * ollama_generate and of each of ollama_multi's concurrent transfers.
 *
 * How the body is read is decided by the response, not the request: an
 * application/x-ndjson body is a stream of lines; anything else is one JSON
 * document (Ollama answers a load, an unload and every error with one
 * application/json object even when stream was true).
 */
#include "ollama.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "ollama_http.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

void ollama_gen_result_init(struct ollama_gen_result *r)
{
	memset(r, 0, sizeof(*r));
	r->total_duration_ns = r->load_duration_ns = -1;
	r->prompt_eval_count = r->prompt_eval_duration_ns = -1;
	r->eval_count = r->eval_duration_ns = -1;
}

void ollama_gen_result_release(struct ollama_gen_result *r)
{
	free(r->chunk_ns);
	free(r->response);
	free(r->thinking);
	ollama_gen_result_init(r);
}

static long long metric(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 ||
	    v->valuedouble > 9.2e18)
		return -1;
	return (long long)v->valuedouble;
}

static void add_chunk_time(struct ollama_gen_xfer *g, uint64_t now)
{
	struct ollama_gen_result *r = g->res;
	if (r->n_chunks == g->chunk_alloc) {
		g->chunk_alloc = g->chunk_alloc ? 2 * g->chunk_alloc : 256;
		r->chunk_ns = xrealloc(r->chunk_ns, g->chunk_alloc * sizeof(*r->chunk_ns));
	}
	r->chunk_ns[r->n_chunks++] = now;
	if (!r->t_first_content_ns)
		r->t_first_content_ns = now;
	r->t_last_content_ns = now;
}

/* Text beyond the cap is dropped; the chunk still counts and is timed. */
static void append_capped(struct strbuf *sb, const char *s)
{
	size_t room, n = strlen(s);
	if (strbuf_add(sb, s, n) == 0)
		return;
	room = sb->cap - sb->len;
	strbuf_add(sb, s, room);
}

/* One JSON object of the response (a stream line or the whole body). */
static int handle_object(struct ollama_gen_xfer *g, const char *text, size_t len)
{
	struct ollama_gen_result *r = g->res;
	uint64_t now = clock_now_ns();
	cJSON *doc = cJSON_ParseWithLength(text, len);
	const cJSON *e, *resp, *think, *done;
	size_t lineno = r->n_lines + 1;

	if (!cJSON_IsObject(doc)) {
		char head[48];
		size_t n = len < sizeof(head) - 1 ? len : sizeof(head) - 1;
		memcpy(head, text, n);
		head[n] = '\0';
		ollama_error_set(g->err, OLLAMA_ERR_PROTOCOL, g->status,
				 "line %zu of the response is not a JSON object: '%s'", lineno, head);
		cJSON_Delete(doc);
		g->failed = 1;
		return -1;
	}
	e = cJSON_GetObjectItemCaseSensitive(doc, "error");
	if (e) {
		const char *msg = cJSON_IsString(e) ? e->valuestring : "(error without text)";
		int mid = r->n_lines > 0;
		long st = g->status >= 400 ? g->status : 0; /* 0: an error line on a 200 */
		ollama_error_set(g->err, ollama_classify(st, msg, mid), g->status, "%s", msg);
		cJSON_Delete(doc);
		g->failed = 1;
		return -1;
	}
	r->n_lines++;
	resp = cJSON_GetObjectItemCaseSensitive(doc, "response");
	think = cJSON_GetObjectItemCaseSensitive(doc, "thinking");
	if ((cJSON_IsString(resp) && resp->valuestring[0]) ||
	    (cJSON_IsString(think) && think->valuestring[0]))
		add_chunk_time(g, now);
	if (cJSON_IsString(resp))
		append_capped(&g->response, resp->valuestring);
	if (cJSON_IsString(think))
		append_capped(&g->thinking, think->valuestring);
	done = cJSON_GetObjectItemCaseSensitive(doc, "done");
	if (cJSON_IsTrue(done) && !r->done) {
		const cJSON *why = cJSON_GetObjectItemCaseSensitive(doc, "done_reason");
		r->done = 1;
		r->t_done_ns = now;
		o3_strlcpy(r->done_reason, cJSON_IsString(why) ? why->valuestring : "",
			   sizeof(r->done_reason));
		r->total_duration_ns = metric(doc, "total_duration");
		r->load_duration_ns = metric(doc, "load_duration");
		r->prompt_eval_count = metric(doc, "prompt_eval_count");
		r->prompt_eval_duration_ns = metric(doc, "prompt_eval_duration");
		r->eval_count = metric(doc, "eval_count");
		r->eval_duration_ns = metric(doc, "eval_duration");
	}
	cJSON_Delete(doc);
	return 0;
}

static int on_line(const char *line, size_t len, void *data)
{
	return handle_object(data, line, len);
}

static int gen_sink(const char *data, size_t len, long status, const char *content_type,
		    void *ud, struct ollama_error *err)
{
	struct ollama_gen_xfer *g = ud;

	if (!g->mode) {
		g->status = status;
		if (status >= 200 && status < 300 &&
		    !strncmp(content_type, "application/x-ndjson", 20)) {
			g->mode = 1;
			g->nd = ollama_ndjson_new(g->x.c->max_body, on_line, g);
		} else {
			g->mode = 2;
		}
	}
	if (g->mode == 2) {
		if (strbuf_add(&g->body, data, len)) {
			ollama_error_set(err, OLLAMA_ERR_PROTOCOL, status,
					 "response from %s/api/generate is larger than the limit of "
					 "%zu bytes", g->x.c->host.base_url, g->x.c->max_body);
			return -1;
		}
		return 0;
	}
	if (ollama_ndjson_feed(g->nd, data, len)) {
		if (!g->failed)
			ollama_error_set(err, OLLAMA_ERR_PROTOCOL, status,
					 "line %zu of the response is longer than the limit of %zu "
					 "bytes", g->res->n_lines + 1, g->x.c->max_body);
		return -1;
	}
	return 0;
}

static cJSON *build_request(const struct ollama_gen_request *req)
{
	cJSON *o = cJSON_CreateObject();
	long ka;

	cJSON_AddStringToObject(o, "model", req->model ? req->model : "");
	cJSON_AddStringToObject(o, "prompt", req->prompt ? req->prompt : "");
	if (req->system)
		cJSON_AddStringToObject(o, "system", req->system);
	if (req->options)
		cJSON_AddItemToObject(o, "options", cJSON_Duplicate(req->options, 1));
	cJSON_AddBoolToObject(o, "stream", req->stream ? 1 : 0);
	if (req->keep_alive) {
		/* Ollama reads a JSON number as seconds but parses a string as a
		 * Go duration, where "10" and "-1" lack a unit and are refused:
		 * a whole number goes out as a number. */
		if (!o3_parse_long(req->keep_alive, &ka))
			cJSON_AddNumberToObject(o, "keep_alive", (double)ka);
		else
			cJSON_AddStringToObject(o, "keep_alive", req->keep_alive);
	}
	if (req->think >= 0)
		cJSON_AddBoolToObject(o, "think", req->think);
	if (req->raw)
		cJSON_AddTrueToObject(o, "raw");
	return o;
}

/* The verdict of a response that arrived whole (x.ret == 0). */
static int finish_response(struct ollama_gen_xfer *g)
{
	struct ollama_gen_result *r = g->res;
	struct ollama_client *c = g->x.c;
	struct ollama_error *err = g->err;

	if (g->status >= 400) {
		ollama_http_status_error(c, "/api/generate", g->status, g->body.buf, g->body.len, err);
		return -1;
	}
	if (g->status < 200 || g->status > 299) {
		ollama_error_set(err, OLLAMA_ERR_PROTOCOL, g->status,
				 "unexpected HTTP %ld from %s/api/generate", g->status,
				 c->host.base_url);
		return -1;
	}
	if (g->mode == 1) {
		if (ollama_ndjson_finish(g->nd) < 0)
			return -1;
	} else if (g->mode == 2) {
		if (handle_object(g, g->body.buf, g->body.len))
			return -1;
	}
	if (!r->done) {
		ollama_error_set(err, OLLAMA_ERR_PROTOCOL, g->status,
				 "stream ended without a final chunk (after %zu lines) from "
				 "%s/api/generate", r->n_lines, c->host.base_url);
		return -1;
	}
	return 0;
}

int ollama_gen_xfer_finish(struct ollama_gen_xfer *g)
{
	struct ollama_gen_result *res = g->res;
	int ret = g->x.ret;

	g->status = g->x.status;
	if (!ret)
		ret = finish_response(g);
	res->t_sent_ns = g->x.t.sent_ns;
	res->t_first_byte_ns = g->x.t.first_byte_ns;
	if (!res->t_done_ns)
		res->t_done_ns = g->x.t.last_byte_ns ? g->x.t.last_byte_ns : clock_now_ns();
	free(res->response);
	free(res->thinking);
	res->response = strbuf_detach(&g->response, NULL);
	res->thinking = strbuf_detach(&g->thinking, NULL);
	ollama_ndjson_free(g->nd);
	g->nd = NULL;
	strbuf_release(&g->body);
	cJSON_free(g->text);
	g->text = NULL;
	return ret;
}

int ollama_gen_xfer_start(struct ollama_gen_xfer *g, struct ollama_client *c, CURLM *multi,
			  CURL *easy, const struct ollama_gen_request *req,
			  struct ollama_gen_result *res, struct ollama_error *err)
{
	cJSON *body = build_request(req);

	memset(g, 0, sizeof(*g));
	g->res = res;
	g->err = err;
	g->text = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	ollama_error_clear(err);
	ollama_gen_result_release(res);
	strbuf_init(&g->body, c->max_body);
	strbuf_init(&g->response, c->max_body);
	strbuf_init(&g->thinking, c->max_body);
	if (!g->text) {
		g->x.c = c;
		g->x.ret = -1;
		ollama_error_set(err, OLLAMA_ERR_PROTOCOL, 0, "cannot build the request body");
		ollama_gen_xfer_finish(g);
		return -1;
	}
	if (ollama_xfer_start(&g->x, c, multi, easy, "/api/generate", g->text, gen_sink, g, err)) {
		ollama_gen_xfer_finish(g);
		return -1;
	}
	return 0;
}

int ollama_generate(struct ollama_client *c, const struct ollama_gen_request *req,
		    struct ollama_gen_result *res, struct ollama_error *err)
{
	struct ollama_gen_xfer g;
	struct ollama_xfer *const xs[1] = { &g.x };

	if (ollama_gen_xfer_start(&g, c, c->multi, c->easy, req, res, err))
		return -1;
	ollama_xfer_drive(c->multi, xs, 1, NULL, NULL);
	return ollama_gen_xfer_finish(&g);
}

int ollama_load(struct ollama_client *c, const char *model, const cJSON *options,
		const char *keep_alive, struct ollama_gen_result *res, struct ollama_error *err)
{
	struct ollama_gen_request req = {
		.model = model, .prompt = "", .options = options, .stream = 0,
		.keep_alive = keep_alive, .think = -1,
	};
	return ollama_generate(c, &req, res, err);
}

int ollama_unload(struct ollama_client *c, const char *model, struct ollama_error *err)
{
	struct ollama_gen_request req = {
		.model = model, .prompt = "", .stream = 0, .keep_alive = "0", .think = -1,
	};
	struct ollama_gen_result res;
	int ret;

	ollama_gen_result_init(&res);
	ret = ollama_generate(c, &req, &res, err);
	ollama_gen_result_release(&res);
	return ret;
}

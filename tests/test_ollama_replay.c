// SPDX-License-Identifier: MIT
/*
 * The client against real Ollama responses (fixtures/replay/ollama/) served
 * by the loopback replay server: each one-document answer parsed or
 * classified right, whole and in 1-byte writes. Streams are in
 * test_ollama_stream.c, timeouts in test_ollama_transport.c.
 *
 * Samples not served here: the /api/chat samples (docs_chat_*), because the
 * client speaks /api/generate only; the .txt/.sh files, which are CLI output,
 * logs and requests (the error texts among them are in test_ollama_error.c).
 * docs_show_response.json5 is not JSON (comments, unquoted keys): its values
 * are rebuilt below with cJSON (show_json5_equivalent).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ollama.h"
#include "replay_client.h"
#include "replay_server.h"


/* ---- information endpoints ----------------------------------------------- */

START_TEST(test_version)
{
	size_t len;
	char *b = rc_fixture("docs_version_response.json", &len), v[32];
	struct ollama_error err;

	rc_serve(rc_srv, "GET", "/api/version", 200, CT_JSON, b, len, 0, 0);
	ck_assert_int_eq(ollama_version(rc_cli, v, sizeof(v), &err), 0);
	ck_assert_str_eq(v, "0.5.1");
	ck_assert_int_eq(err.cls, OLLAMA_OK);
	free(b);
}
END_TEST

START_TEST(test_tags)
{
	size_t len, n;
	char *b = rc_fixture("docs_tags_response.json", &len);
	struct ollama_tag *t;
	struct ollama_error err;

	rc_serve(rc_srv, "GET", "/api/tags", 200, CT_JSON, b, len, 0, 7);
	ck_assert_int_eq(ollama_tags(rc_cli, &t, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(t[0].name, "deepseek-r1:latest");
	ck_assert_str_eq(t[0].digest,
			 "0a8c266910232fd3291e71e5ba1e058cc5af9d411192cf88b6d30e92b6e73163");
	ck_assert_int_eq(t[0].size_bytes, 4683075271LL);
	ck_assert_str_eq(t[0].family, "qwen2");
	ck_assert_str_eq(t[0].parameter_size, "7.6B");
	ck_assert_str_eq(t[0].quantization_level, "Q4_K_M");
	ck_assert_str_eq(t[0].modified_at, "2025-05-10T08:06:48.639712648-07:00");
	ck_assert_str_eq(t[1].name, "llama3.2:latest");
	ck_assert_int_eq(t[1].size_bytes, 2019393189LL);
	free(t);
	free(b);
}
END_TEST

START_TEST(test_tags_over_max_body)
{
	size_t len, n = 99;
	char *b = rc_fixture("docs_tags_response.json", &len);
	struct ollama_tag *t = (void *)1;
	struct ollama_error err;

	rc_serve(rc_srv, "GET", "/api/tags", 200, CT_JSON, b, len, 1, 64);
	ollama_client_set_max_body(rc_cli, 100);
	ck_assert_int_eq(ollama_tags(rc_cli, &t, &n, &err), -1);
	ck_assert_int_eq(err.cls, OLLAMA_ERR_PROTOCOL);
	ck_assert_ptr_nonnull(strstr(err.message, "larger than the limit of 100 bytes"));
	ck_assert_ptr_null(t);
	ck_assert_uint_eq(n, 0);
	free(b);
}
END_TEST

static cJSON *show_json5_equivalent(void)
{
	/* docs_show_response.json5, the fields o3 reads, value for value */
	cJSON *o = cJSON_CreateObject(), *d, *mi, *caps;
	cJSON_AddStringToObject(o, "parameters",
				"num_keep                       24\nstop                           "
				"\"<|start_header_id|>\"\nstop                           "
				"\"<|end_header_id|>\"\nstop                           \"<|eot_id|>\"");
	d = cJSON_AddObjectToObject(o, "details");
	cJSON_AddStringToObject(d, "format", "gguf");
	cJSON_AddStringToObject(d, "family", "llama");
	cJSON_AddStringToObject(d, "parameter_size", "8.0B");
	cJSON_AddStringToObject(d, "quantization_level", "Q4_0");
	mi = cJSON_AddObjectToObject(o, "model_info");
	cJSON_AddStringToObject(mi, "general.architecture", "llama");
	cJSON_AddNumberToObject(mi, "general.file_type", 2);
	cJSON_AddNumberToObject(mi, "general.parameter_count", 8030261248.0);
	cJSON_AddNumberToObject(mi, "llama.attention.head_count", 32);
	cJSON_AddNumberToObject(mi, "llama.attention.head_count_kv", 8);
	cJSON_AddNumberToObject(mi, "llama.block_count", 32);
	cJSON_AddNumberToObject(mi, "llama.context_length", 8192);
	cJSON_AddNumberToObject(mi, "llama.embedding_length", 4096);
	cJSON_AddItemToObject(mi, "tokenizer.ggml.tokens", cJSON_CreateArray());
	caps = cJSON_AddArrayToObject(o, "capabilities");
	cJSON_AddItemToArray(caps, cJSON_CreateString("completion"));
	cJSON_AddItemToArray(caps, cJSON_CreateString("vision"));
	return o;
}

START_TEST(test_show_llama)
{
	cJSON *o = show_json5_equivalent();
	char *b = cJSON_PrintUnformatted(o), *sent;
	struct ollama_show s;
	struct ollama_error err;
	cJSON *req;

	rc_serve(rc_srv, "POST", "/api/show", 200, CT_JSON, b, strlen(b), 0, 0);
	ck_assert_int_eq(ollama_show(rc_cli, "llama3:8b", &s, &err), 0);
	ck_assert_str_eq(s.architecture, "llama");
	ck_assert_int_eq(s.context_length, 8192);
	ck_assert_int_eq(s.block_count, 32);
	ck_assert_int_eq(s.embedding_length, 4096);
	ck_assert_int_eq(s.head_count, 32);
	ck_assert_int_eq(s.head_count_kv, 8);
	ck_assert_int_eq(s.kv_layers, 32);
	ck_assert_int_eq(s.key_length, -1);
	ck_assert_int_eq(s.value_length, -1);
	ck_assert_int_eq(s.sliding_window, -1);
	ck_assert_int_eq(s.parameter_count, 8030261248LL);
	ck_assert_str_eq(s.parameter_size, "8.0B");
	ck_assert_str_eq(s.quantization_level, "Q4_0");
	ck_assert_str_eq(s.family, "llama");
	ck_assert_uint_eq(s.capabilities, OLLAMA_CAP_COMPLETION | OLLAMA_CAP_VISION);
	ck_assert_int_eq(s.num_ctx_param, -1);
	sent = replay_server_last_body(rc_srv);
	req = cJSON_Parse(sent);
	ck_assert_str_eq(cJSON_GetObjectItem(req, "model")->valuestring, "llama3:8b");
	cJSON_Delete(req);
	free(sent);
	cJSON_free(b);
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_show_gemma4_yaml)
{
	size_t len;
	char *b = rc_fixture("docs_openapi_show_example_gemma4.yaml", &len);
	struct ollama_show s;
	struct ollama_error err;

	rc_serve(rc_srv, "POST", "/api/show", 200, CT_JSON, b, len, 0, 1);
	ck_assert_int_eq(ollama_show(rc_cli, "gemma4", &s, &err), 0);
	ck_assert_str_eq(s.architecture, "gemma4");
	ck_assert_int_eq(s.context_length, 131072);
	ck_assert_int_eq(s.block_count, 42);
	ck_assert_int_eq(s.embedding_length, 2560);
	ck_assert_int_eq(s.head_count, 8);
	ck_assert_int_eq(s.head_count_kv, 2);
	ck_assert_int_eq(s.kv_layers, 42);
	ck_assert_int_eq(s.key_length, 512);
	ck_assert_int_eq(s.value_length, 512);
	ck_assert_int_eq(s.sliding_window, 512);
	ck_assert_int_eq(s.parameter_count, -1);
	ck_assert_str_eq(s.quantization_level, "Q4_K_M");
	ck_assert_str_eq(s.family, "gemma4");
	ck_assert_uint_eq(s.capabilities, OLLAMA_CAP_COMPLETION | OLLAMA_CAP_VISION);
	ck_assert_int_eq(s.num_ctx_param, 2048);
	free(b);
}
END_TEST

START_TEST(test_show_per_layer_kv_heads)
{
	const char *body =
		"{\"model_info\":{\"general.architecture\":\"gemma3\",\"gemma3.block_count\":6,"
		"\"gemma3.attention.head_count\":[8,8,8,8,8,8],"
		"\"gemma3.attention.head_count_kv\":[4,0,4,0,2,0]},"
		"\"capabilities\":[\"completion\",\"tools\",\"insert\",\"embedding\",\"thinking\","
		"\"unknown\"],\"parameters\":\"stop \\\"x\\\"\\nnum_ctx   32768\\n\"}";
	struct ollama_show s;
	struct ollama_error err;

	ck_assert_int_eq(ollama_show_parse(body, strlen(body), &s, &err), 0);
	ck_assert_int_eq(s.head_count, 8);
	ck_assert_int_eq(s.head_count_kv, 4);
	ck_assert_int_eq(s.kv_layers, 3);
	ck_assert_int_eq(s.block_count, 6);
	ck_assert_int_eq(s.context_length, -1);
	ck_assert_uint_eq(s.capabilities, OLLAMA_CAP_COMPLETION | OLLAMA_CAP_TOOLS |
						  OLLAMA_CAP_INSERT | OLLAMA_CAP_EMBEDDING |
						  OLLAMA_CAP_THINKING);
	ck_assert_int_eq(s.num_ctx_param, 32768);
	ck_assert_int_eq(ollama_show_parse("[1]", 3, &s, &err), -1);
	ck_assert_int_eq(err.cls, OLLAMA_ERR_PROTOCOL);
	ck_assert_int_eq(ollama_show_parse("{", 1, &s, &err), -1);
}
END_TEST

START_TEST(test_show_unknown_model_404)
{
	struct ollama_show s;
	struct ollama_error err;
	cJSON *o = cJSON_CreateObject();
	char *b;

	cJSON_AddStringToObject(o, "error", "model 'nope:1b' not found");
	b = cJSON_PrintUnformatted(o);
	rc_serve(rc_srv, "POST", "/api/show", 404, CT_JSON, b, strlen(b), 0, 0);
	ck_assert_int_eq(ollama_show(rc_cli, "nope:1b", &s, &err), -1);
	ck_assert_int_eq(err.cls, OLLAMA_ERR_NOT_FOUND);
	ck_assert_int_eq(err.http_status, 404);
	ck_assert_str_eq(err.message, "model 'nope:1b' not found");
	cJSON_free(b);
	cJSON_Delete(o);
}
END_TEST

static const struct ps_case {
	const char *file;
	const char *name;
	long long size, size_vram, context_length;
} ps_cases[] = {
	{ "docs_ps_response_no_context_length.json", "mistral:latest", 5137025024LL, 5137025024LL,
	  -1 },
	{ "docs_openapi_ps_example_with_context_length.yaml", "gemma4", 6591830464LL,
	  5333539264LL, 4096 },
};

START_TEST(test_ps)
{
	const struct ps_case *pc = &ps_cases[_i];
	size_t len, n;
	char *b = rc_fixture(pc->file, &len);
	struct ollama_ps_entry *e;
	struct ollama_error err;

	rc_serve(rc_srv, "GET", "/api/ps", 200, CT_JSON, b, len, 1, 3);
	ck_assert_int_eq(ollama_ps(rc_cli, &e, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(e[0].name, pc->name);
	ck_assert_str_eq(e[0].model, pc->name);
	ck_assert_int_eq(e[0].size_bytes, pc->size);
	ck_assert_int_eq(e[0].size_vram_bytes, pc->size_vram);
	ck_assert_int_eq(e[0].context_length, pc->context_length);
	ck_assert_uint_eq(strlen(e[0].digest), 64);
	ck_assert_uint_gt(strlen(e[0].expires_at), 20);
	free(e);
	free(b);
}
END_TEST

/* Issue 12 item 12: names of 300 bytes (and control characters, a newline)
 * come back whole from /api/tags and /api/ps: two that differ only past
 * byte 255 stay two names, so that a lookup never matches the wrong one. */
START_TEST(test_long_hostile_names)
{
	char a[301], b[301], *body;
	cJSON *doc = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(doc, "models"), *m;
	struct ollama_ps_entry *e;
	struct ollama_tag *t;
	struct ollama_error err;
	size_t n;

	memset(a, 'x', 300);
	a[300] = '\0';
	{
		static const char evil[] = "evil\nFROM /etc/passwd\x1b[2J";
		memcpy(a, evil, sizeof(evil) - 1);
	}
	memcpy(b, a, sizeof(a));
	a[299] = 'a';
	b[299] = 'b';
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "name", a);
	cJSON_AddStringToObject(m, "model", a);
	cJSON_AddItemToArray(arr, m);
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "name", b);
	cJSON_AddStringToObject(m, "model", b);
	cJSON_AddItemToArray(arr, m);
	body = cJSON_PrintUnformatted(doc);
	rc_serve(rc_srv, "GET", "/api/ps", 200, CT_JSON, body, strlen(body), 0, 0);
	rc_serve(rc_srv, "GET", "/api/tags", 200, CT_JSON, body, strlen(body), 0, 0);
	ck_assert_int_eq(ollama_ps(rc_cli, &e, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(e[0].name, a);
	ck_assert_str_eq(e[0].model, a);
	ck_assert_str_eq(e[1].name, b);
	ck_assert_str_ne(e[0].name, e[1].name);
	free(e);
	ck_assert_int_eq(ollama_tags(rc_cli, &t, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(t[0].name, a);
	ck_assert_str_eq(t[1].name, b);
	free(t);
	cJSON_free(body);
	cJSON_Delete(doc);
}
END_TEST

START_TEST(test_ps_empty_and_bad)
{
	struct ollama_ps_entry *e;
	size_t n;
	struct ollama_error err;

	rc_serve(rc_srv, "GET", "/api/ps", 200, CT_JSON, "{\"models\":[]}", 13, 0, 0);
	ck_assert_int_eq(ollama_ps(rc_cli, &e, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	free(e);
	rc_serve(rc_srv, "GET", "/api/ps", 200, CT_JSON, "{\"models\":null}", 15, 0, 0);
	ck_assert_int_eq(ollama_ps(rc_cli, &e, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	free(e);
	rc_serve(rc_srv, "GET", "/api/ps", 200, CT_JSON, "{\"models\":{}}", 13, 0, 0);
	ck_assert_int_eq(ollama_ps(rc_cli, &e, &n, &err), -1);
	ck_assert_int_eq(err.cls, OLLAMA_ERR_PROTOCOL);
	rc_serve(rc_srv, "GET", "/api/ps", 200, "text/plain", "Ollama is running", 17, 0, 0);
	ck_assert_int_eq(ollama_ps(rc_cli, &e, &n, &err), -1);
	ck_assert_int_eq(err.cls, OLLAMA_ERR_PROTOCOL);
	ck_assert_ptr_nonnull(strstr(err.message, "not JSON"));
}
END_TEST

/* ---- generate: one JSON document ------------------------------------------ */

static const char *const nonstream_files[] = {
	"docs_generate_nonstream_response.json",
	"docs_streaming_nonstream.json",
	"docs_usage_generate_nonstream_metrics.json",
	"docs_generate_structured_output_response.json",
	"docs_openapi_generate_nonstream_example.yaml",
	"docs_generate_stream_final_chunk.json",
};

/* Each sample, checked against its own fields, whole and in 1-byte writes. */
START_TEST(test_generate_nonstream_samples)
{
	const char *name = nonstream_files[_i / 2];
	size_t len;
	char *b = rc_fixture(name, &len);
	cJSON *doc = cJSON_Parse(b);
	const cJSON *resp = cJSON_GetObjectItem(doc, "response");
	const cJSON *why = cJSON_GetObjectItem(doc, "done_reason");
	struct ollama_gen_result res;
	struct ollama_error err;

	ck_assert_ptr_nonnull(doc);
	rc_serve(rc_srv, "POST", "/api/generate", 200, CT_JSON, b, len, _i % 2, _i % 2 ? 1 : 0);
	ck_assert_msg(rc_generate(rc_cli, 0, &res, &err) == 0, "%s: %s", name, err.message);
	ck_assert_int_eq(res.done, 1);
	ck_assert_str_eq(res.response, resp->valuestring);
	ck_assert_str_eq(res.thinking, "");
	ck_assert_str_eq(res.done_reason, cJSON_IsString(why) ? why->valuestring : "");
	ck_assert_int_eq(res.total_duration_ns, rc_field(doc, "total_duration"));
	ck_assert_int_eq(res.load_duration_ns, rc_field(doc, "load_duration"));
	ck_assert_int_eq(res.prompt_eval_count, rc_field(doc, "prompt_eval_count"));
	ck_assert_int_eq(res.prompt_eval_duration_ns, rc_field(doc, "prompt_eval_duration"));
	ck_assert_int_eq(res.eval_count, rc_field(doc, "eval_count"));
	ck_assert_int_eq(res.eval_duration_ns, rc_field(doc, "eval_duration"));
	ck_assert_uint_eq(res.n_lines, 1);
	ck_assert_uint_eq(res.n_chunks, resp->valuestring[0] ? 1 : 0);
	ck_assert_uint_ge(res.t_first_byte_ns, res.t_sent_ns);
	ck_assert_uint_ge(res.t_done_ns, res.t_first_byte_ns);
	ollama_gen_result_release(&res);
	cJSON_Delete(doc);
	free(b);
}
END_TEST

START_TEST(test_load_and_unload_requests)
{
	size_t len, ulen;
	char *b = rc_fixture("docs_generate_load_response.json", &len);
	char *u = rc_fixture("docs_generate_unload_response.json", &ulen), *sent;
	struct ollama_gen_result res;
	struct ollama_error err;
	cJSON *opts = cJSON_CreateObject(), *req;
	char msg[128];

	ck_assert_int_eq(ollama_option_add(opts, "num_ctx", "8192", msg, sizeof(msg)), 0);
	/* the load answer is pretty-printed JSON even on a streaming request */
	rc_serve(rc_srv, "POST", "/api/generate", 200, CT_JSON, b, len, 1, 5);
	ollama_gen_result_init(&res);
	ck_assert_int_eq(ollama_load(rc_cli, "llama3.2", opts, "5m", &res, &err), 0);
	ck_assert_int_eq(res.done, 1);
	ck_assert_str_eq(res.response, "");
	ck_assert_uint_eq(res.n_chunks, 0);
	ck_assert_uint_eq(res.t_first_content_ns, 0);
	sent = replay_server_last_body(rc_srv);
	req = cJSON_Parse(sent);
	ck_assert_str_eq(cJSON_GetObjectItem(req, "model")->valuestring, "llama3.2");
	ck_assert_str_eq(cJSON_GetObjectItem(req, "prompt")->valuestring, "");
	ck_assert_str_eq(cJSON_GetObjectItem(req, "keep_alive")->valuestring, "5m");
	ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(req, "options"), "num_ctx")->valueint,
			 8192);
	ck_assert_ptr_null(cJSON_GetObjectItem(req, "think"));
	ck_assert_ptr_null(cJSON_GetObjectItem(req, "raw"));
	cJSON_Delete(req);
	free(sent);
	ollama_gen_result_release(&res);

	/* keep_alive "-1" must go out as a number: Go refuses the string "-1" */
	ck_assert_int_eq(ollama_load(rc_cli, "llama3.2", NULL, "-1", &res, &err), 0);
	sent = replay_server_last_body(rc_srv);
	req = cJSON_Parse(sent);
	ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(req, "keep_alive")));
	ck_assert_int_eq(cJSON_GetObjectItem(req, "keep_alive")->valueint, -1);
	ck_assert_ptr_null(cJSON_GetObjectItem(req, "options"));
	cJSON_Delete(req);
	free(sent);
	ollama_gen_result_release(&res);

	rc_serve(rc_srv, "POST", "/api/generate", 200, CT_JSON, u, ulen, 0, 0);
	ck_assert_int_eq(ollama_unload(rc_cli, "llama3.2", &err), 0);
	sent = replay_server_last_body(rc_srv);
	req = cJSON_Parse(sent);
	ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(req, "keep_alive")));
	ck_assert_int_eq(cJSON_GetObjectItem(req, "keep_alive")->valueint, 0);
	ck_assert_str_eq(cJSON_GetObjectItem(req, "prompt")->valuestring, "");
	cJSON_Delete(req);
	free(sent);
	cJSON_Delete(opts);
	free(b);
	free(u);
}
END_TEST

START_TEST(test_generate_request_fields)
{
	struct ollama_gen_request req = {
		.model = "qwen3:8b", .prompt = "hi", .system = "be brief", .stream = 1,
		.keep_alive = "10m", .think = 0, .raw = 1,
	};
	size_t len;
	char *b = rc_fixture("docs_streaming_generate.ndjson", &len), *sent;
	struct ollama_gen_result res;
	struct ollama_error err;
	cJSON *doc;

	rc_serve(rc_srv, "POST", "/api/generate", 200, CT_NDJSON, b, len, 1, 0);
	ollama_gen_result_init(&res);
	ck_assert_int_eq(ollama_generate(rc_cli, &req, &res, &err), 0);
	sent = replay_server_last_body(rc_srv);
	doc = cJSON_Parse(sent);
	ck_assert_str_eq(cJSON_GetObjectItem(doc, "system")->valuestring, "be brief");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(doc, "stream")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(doc, "think")));
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(doc, "raw")));
	ck_assert_str_eq(cJSON_GetObjectItem(doc, "keep_alive")->valuestring, "10m");
	cJSON_Delete(doc);
	free(sent);
	sent = replay_server_last_path(rc_srv);
	ck_assert_str_eq(sent, "/api/generate");
	free(sent);
	ollama_gen_result_release(&res);
	free(b);
}
END_TEST

/* ---- generate: error statuses ------------------------------------------- */

static const struct status_case {
	const char *file; /* NULL: body built from text */
	const char *text;
	int status;
	enum ollama_err_class want;
} status_cases[] = {
	{ "test_generate_empty_model_404.json", NULL, 404, OLLAMA_ERR_NOT_FOUND },
	{ "test_generate_does_not_support_generate_400.json", NULL, 400, OLLAMA_ERR_BAD_REQUEST },
	{ "test_generate_does_not_support_insert_400.json", NULL, 400, OLLAMA_ERR_BAD_REQUEST },
	{ "test_missing_request_body_400.json", NULL, 400, OLLAMA_ERR_BAD_REQUEST },
	{ "test_top_logprobs_out_of_range_400.json", NULL, 400, OLLAMA_ERR_BAD_REQUEST },
	{ "test_chat_missing_model_400.json", NULL, 400, OLLAMA_ERR_BAD_REQUEST },
	{ "test_chat_model_cannot_think_400.json", NULL, 400, OLLAMA_ERR_BAD_REQUEST },
	{ "test_chat_does_not_support_chat_400.json", NULL, 400, OLLAMA_ERR_BAD_REQUEST },
	{ "test_runner_status_error_nonstream_503.json", NULL, 503, OLLAMA_ERR_BUSY },
	{ "test_runner_status_error_stream_before_first_chunk_429.json", NULL, 429,
	  OLLAMA_ERR_BUSY },
	{ "docs_errors_error_body.json", NULL, 500, OLLAMA_ERR_RUNNER_CRASH },
	{ NULL, "model 'nope:1b' not found", 404, OLLAMA_ERR_NOT_FOUND },
	{ NULL, "option \"num_ctx\" must be of type integer", 500, OLLAMA_ERR_INVALID_OPTION },
	{ NULL, "model requires more system memory (164.8 GiB) than is available (13.4 GiB)", 500,
	  OLLAMA_ERR_OOM },
	{ NULL, "timed out waiting for llama-server to start", 500, OLLAMA_ERR_LOAD_TIMEOUT },
	{ NULL, "llama-server process has terminated: exit status 1", 500,
	  OLLAMA_ERR_RUNNER_CRASH },
};

START_TEST(test_generate_error_status)
{
	const struct status_case *sc = &status_cases[_i];
	size_t len;
	char *b, *want;
	cJSON *doc;
	struct ollama_gen_result res;
	struct ollama_error err;

	if (sc->file) {
		b = rc_fixture(sc->file, &len);
	} else {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "error", sc->text);
		b = cJSON_PrintUnformatted(o);
		len = strlen(b);
		cJSON_Delete(o);
	}
	doc = cJSON_Parse(b);
	want = cJSON_GetObjectItem(doc, "error")->valuestring;
	rc_serve(rc_srv, "POST", "/api/generate", sc->status, CT_JSON, b, len, 0, 0);
	ck_assert_int_eq(rc_generate(rc_cli, 1, &res, &err), -1);
	ck_assert_msg(err.cls == sc->want, "%d %s: got %s", sc->status, want,
		      ollama_err_class_name(err.cls));
	ck_assert_int_eq(err.http_status, sc->status);
	ck_assert_str_eq(err.message, want);
	ollama_gen_result_release(&res);
	cJSON_Delete(doc);
	free(b);
}
END_TEST

START_TEST(test_gin_plain_404)
{
	struct ollama_gen_result res;
	struct ollama_error err;

	rc_serve(rc_srv, "POST", "/api/generate", 404, "text/plain", "404 page not found", 18, 0, 0);
	ck_assert_int_eq(rc_generate(rc_cli, 1, &res, &err), -1);
	ck_assert_int_eq(err.cls, OLLAMA_ERR_NOT_FOUND);
	ck_assert_ptr_nonnull(strstr(err.message, "HTTP 404"));
	ck_assert_ptr_nonnull(strstr(err.message, "404 page not found"));
	ollama_gen_result_release(&res);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ollama_replay");
	TCase *info = tcase_create("info");
	TCase *generate = tcase_create("generate");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(info, rc_setup, rc_teardown);
	tcase_add_test(info, test_version);
	tcase_add_test(info, test_tags);
	tcase_add_test(info, test_tags_over_max_body);
	tcase_add_test(info, test_show_llama);
	tcase_add_test(info, test_show_gemma4_yaml);
	tcase_add_test(info, test_show_per_layer_kv_heads);
	tcase_add_test(info, test_show_unknown_model_404);
	tcase_add_loop_test(info, test_ps, 0, (int)(sizeof(ps_cases) / sizeof(ps_cases[0])));
	tcase_add_test(info, test_ps_empty_and_bad);
	tcase_add_test(info, test_long_hostile_names);
	suite_add_tcase(s, info);
	tcase_add_checked_fixture(generate, rc_setup, rc_teardown);
	tcase_add_loop_test(generate, test_generate_nonstream_samples, 0,
			    2 * (int)(sizeof(nonstream_files) / sizeof(nonstream_files[0])));
	tcase_add_test(generate, test_load_and_unload_requests);
	tcase_add_test(generate, test_generate_request_fields);
	tcase_add_loop_test(generate, test_generate_error_status, 0,
			    (int)(sizeof(status_cases) / sizeof(status_cases[0])));
	tcase_add_test(generate, test_gin_plain_404);
	suite_add_tcase(s, generate);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

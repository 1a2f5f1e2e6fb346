// SPDX-License-Identifier: MIT
/*
 * o3-sim's HTTP API against real Ollama: the keys of every reply in the order
 * of the real samples in fixtures/replay/ollama/, the error statuses and
 * texts and /api/show's model_info (the faults: test_sim_faults.c).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <yaml.h>

#include "sim_process.h"
#include "test_sim_http.h"

#define MODEL "qwen2.5:3b-instruct"

static struct sim_process sim;

static void up(void)
{
	static const char *const args[] = { "--time-scale", "0.01", NULL };
	ck_assert_msg(sim_start(&sim, args, NULL) == 0, "cannot start %s", sim_binary());
}

static void down(void)
{
	sim_stop(&sim);
}

/* ---- key order ------------------------------------------------------ */

/* Keys that Go leaves out when empty (omitempty): absent on one side is fine. */
static int omitempty(const char *k)
{
	static const char *const keys[] = {
		"done_reason", "context", "total_duration", "load_duration", "prompt_eval_count",
		"prompt_eval_duration", "eval_count", "eval_duration", "thinking", "images",
		"tool_calls", "context_length", "remote_model", "remote_host", "logprobs", NULL,
	};
	size_t i;
	for (i = 0; keys[i]; i++)
		if (!strcmp(keys[i], k))
			return 1;
	return 0;
}

/* The keys of an object, in order, as one string "a,b,c,". */
static void key_list(const cJSON *o, const cJSON *other, char *out, size_t len)
{
	const cJSON *k;
	out[0] = '\0';
	cJSON_ArrayForEach(k, o) {
		if (!cJSON_GetObjectItemCaseSensitive(other, k->string))
			continue;
		strncat(out, k->string, len - strlen(out) - 2);
		strncat(out, ",", len - strlen(out) - 1);
	}
}

static void assert_same_keys(const cJSON *ours, const cJSON *ref, const char *where)
{
	char a[1024], b[1024];
	const cJSON *k;
	cJSON_ArrayForEach(k, ours)
		ck_assert_msg(cJSON_GetObjectItemCaseSensitive(ref, k->string) || omitempty(k->string),
			      "%s: key '%s' is not in the real sample", where, k->string);
	cJSON_ArrayForEach(k, ref)
		ck_assert_msg(cJSON_GetObjectItemCaseSensitive(ours, k->string) || omitempty(k->string),
			      "%s: key '%s' of the real sample is missing", where, k->string);
	key_list(ours, ref, a, sizeof(a));
	key_list(ref, ours, b, sizeof(b));
	ck_assert_msg(!strcmp(a, b), "%s: key order %s, real %s", where, a, b);
	cJSON_ArrayForEach(k, ref) {
		const cJSON *o = cJSON_GetObjectItemCaseSensitive(ours, k->string);
		char sub[256];
		snprintf(sub, sizeof(sub), "%s.%s", where, k->string);
		if (cJSON_IsObject(k) && cJSON_IsObject(o))
			assert_same_keys(o, k, sub);
		else if (cJSON_IsArray(k) && cJSON_IsObject(cJSON_GetArrayItem(k, 0)) &&
			 cJSON_IsObject(cJSON_GetArrayItem(o, 0)))
			assert_same_keys(cJSON_GetArrayItem(o, 0), cJSON_GetArrayItem(k, 0), sub);
	}
}

static cJSON *sample(const char *name)
{
	char path[1024];
	FILE *fp;
	char *buf;
	long n;
	cJSON *doc;
	snprintf(path, sizeof(path), "%s/fixtures/replay/ollama/%s",
		 getenv("O3_SOURCE_ROOT") ? getenv("O3_SOURCE_ROOT") : "..", name);
	fp = fopen(path, "rb");
	ck_assert_msg(fp != NULL, "cannot open %s", path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	doc = cJSON_Parse(buf);
	free(buf);
	ck_assert_msg(doc != NULL, "%s is not JSON", name);
	return doc;
}

/* A YAML value as cJSON (scalars as strings), via libyaml; ev starts the value. */
static cJSON *yaml_value(yaml_parser_t *p, yaml_event_t *ev)
{
	yaml_event_t k, v;
	cJSON *o;
	if (ev->type == YAML_SCALAR_EVENT)
		return cJSON_CreateString((const char *)ev->data.scalar.value);
	if (ev->type == YAML_MAPPING_START_EVENT) {
		o = cJSON_CreateObject();
		while (yaml_parser_parse(p, &k)) {
			char key[256];
			if (k.type != YAML_SCALAR_EVENT) {
				yaml_event_delete(&k);
				break;
			}
			snprintf(key, sizeof(key), "%s", (const char *)k.data.scalar.value);
			yaml_event_delete(&k);
			if (!yaml_parser_parse(p, &v))
				break;
			cJSON_AddItemToObject(o, key, yaml_value(p, &v));
			yaml_event_delete(&v);
		}
		return o;
	}
	if (ev->type == YAML_SEQUENCE_START_EVENT) {
		o = cJSON_CreateArray();
		while (yaml_parser_parse(p, &v)) {
			if (v.type == YAML_SEQUENCE_END_EVENT) {
				yaml_event_delete(&v);
				break;
			}
			cJSON_AddItemToArray(o, yaml_value(p, &v));
			yaml_event_delete(&v);
		}
		return o;
	}
	return cJSON_CreateNull();
}

static cJSON *yaml_sample(const char *name)
{
	char path[1024];
	FILE *fp;
	yaml_parser_t p;
	yaml_event_t ev;
	cJSON *root = NULL;
	snprintf(path, sizeof(path), "%s/fixtures/replay/ollama/%s",
		 getenv("O3_SOURCE_ROOT") ? getenv("O3_SOURCE_ROOT") : "..", name);
	fp = fopen(path, "rb");
	ck_assert_msg(fp != NULL, "cannot open %s", path);
	yaml_parser_initialize(&p);
	yaml_parser_set_input_file(&p, fp);
	while (!root && yaml_parser_parse(&p, &ev)) {
		int end = ev.type == YAML_STREAM_END_EVENT;
		if (ev.type == YAML_MAPPING_START_EVENT || ev.type == YAML_SEQUENCE_START_EVENT)
			root = yaml_value(&p, &ev);
		yaml_event_delete(&ev);
		if (end)
			break;
	}
	yaml_parser_delete(&p);
	fclose(fp);
	ck_assert_msg(root != NULL, "%s: no YAML document", name);
	return root;
}

START_TEST(test_key_order)
{
	struct http_reply r;
	cJSON **lines, *ref, *doc, *req;
	size_t n;
	char *body;

	/* streamed generate: chunk and final chunk */
	body = sim_gen_body(MODEL, "Why is the sky blue?", 1, 8);
	http_do(sim.host, "POST", "/api/generate", body, 0, &r);
	free(body);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.ctype, "application/x-ndjson");
	n = ndjson_parse(r.body, &lines);
	ck_assert_uint_eq(n, 9);
	ref = sample("docs_generate_stream_chunk.json");
	assert_same_keys(lines[0], ref, "generate chunk");
	cJSON_Delete(ref);
	ref = sample("docs_generate_stream_final_chunk.json");
	assert_same_keys(lines[n - 1], ref, "generate final chunk");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(lines[n - 1], "done_reason")), "length");
	cJSON_Delete(ref);
	ndjson_free(lines, n);
	http_reply_release(&r);

	/* stream:false */
	body = sim_gen_body(MODEL, "Why is the sky blue?", 0, 8);
	http_do(sim.host, "POST", "/api/generate", body, 0, &r);
	free(body);
	ck_assert_str_eq(r.ctype, "application/json; charset=utf-8");
	doc = cJSON_Parse(r.body);
	ref = sample("docs_generate_nonstream_response.json");
	assert_same_keys(doc, ref, "generate stream:false");
	cJSON_Delete(ref);
	cJSON_Delete(doc);
	http_reply_release(&r);

	/* chat */
	req = cJSON_Parse("{\"model\":\"" MODEL "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
			  "\"options\":{\"num_ctx\":4096,\"num_predict\":4}}");
	body = cJSON_PrintUnformatted(req);
	cJSON_Delete(req);
	http_do(sim.host, "POST", "/api/chat", body, 0, &r);
	free(body);
	n = ndjson_parse(r.body, &lines);
	ck_assert_uint_eq(n, 5);
	ref = sample("docs_chat_stream_chunk.json");
	assert_same_keys(lines[0], ref, "chat chunk");
	cJSON_Delete(ref);
	ref = sample("docs_chat_stream_final_chunk.json");
	assert_same_keys(lines[n - 1], ref, "chat final chunk");
	cJSON_Delete(ref);
	ndjson_free(lines, n);
	http_reply_release(&r);

	/* load and unload */
	doc = http_post_json(sim.host, "/api/generate",
			     cJSON_Parse("{\"model\":\"" MODEL "\",\"options\":{\"num_ctx\":4096}}"), NULL);
	ref = sample("docs_generate_load_response.json");
	assert_same_keys(doc, ref, "load");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(doc, "done_reason")), "load");
	cJSON_Delete(ref);
	cJSON_Delete(doc);
	doc = http_post_json(sim.host, "/api/chat",
			     cJSON_Parse("{\"model\":\"" MODEL "\",\"messages\":[],\"options\":{\"num_ctx\":4096}}"), NULL);
	ref = sample("docs_chat_stream_final_chunk.json");
	assert_same_keys(doc, ref, "chat load");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(doc, "done_reason")), "load");
	cJSON_Delete(ref);
	cJSON_Delete(doc);

	/* ps (the OpenAPI example, YAML) while loaded */
	doc = http_get_json(sim.host, "/api/ps", NULL);
	ref = yaml_sample("docs_openapi_ps_example_with_context_length.yaml");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "models")), 1);
	assert_same_keys(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "models"), 0),
			 cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(ref, "example"), "models"), 0),
			 "ps");
	cJSON_Delete(ref);
	cJSON_Delete(doc);

	doc = http_post_json(sim.host, "/api/generate",
			     cJSON_Parse("{\"model\":\"" MODEL "\",\"keep_alive\":0}"), NULL);
	ref = sample("docs_generate_unload_response.json");
	assert_same_keys(doc, ref, "unload");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(doc, "done_reason")), "unload");
	cJSON_Delete(ref);
	cJSON_Delete(doc);
	doc = http_get_json(sim.host, "/api/ps", NULL);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "models")), 0);
	cJSON_Delete(doc);

	/* tags and version */
	doc = http_get_json(sim.host, "/api/tags", NULL);
	ref = sample("docs_tags_response.json");
	assert_same_keys(doc, ref, "tags");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "models")), 5);
	cJSON_Delete(ref);
	cJSON_Delete(doc);
	doc = http_get_json(sim.host, "/api/version", NULL);
	ref = sample("docs_version_response.json");
	assert_same_keys(doc, ref, "version");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(doc, "version")), "0.33.0");
	cJSON_Delete(ref);
	cJSON_Delete(doc);
}
END_TEST

static const struct {
	const char *method, *path, *body;
	long status;
	const char *error; /* exact text, or a prefix ending in '*' */
} error_cases[] = {
	{ "POST", "/api/generate", "", 400, "missing request body" },
	{ "POST", "/api/chat", "", 400, "missing request body" },
	{ "POST", "/api/generate", "{\"model\":", 400, "*" },
	{ "POST", "/api/generate", "{\"model\":\"nope:1b\",\"prompt\":\"x\"}", 404, "model 'nope:1b' not found" },
	{ "POST", "/api/generate", "{\"prompt\":\"x\"}", 404, "model '' not found" },
	{ "POST", "/api/chat", "{\"messages\":[]}", 400, "model is required" },
	{ "POST", "/api/chat", "{\"model\":\"nope\",\"messages\":[]}", 404, "model 'nope' not found" },
	{ "POST", "/api/generate", "{\"model\":\"" MODEL "\",\"prompt\":\"x\",\"options\":{\"num_ctx\":\"8k\"}}",
	  500, "option \"num_ctx\" must be of type integer" },
	{ "POST", "/api/generate", "{\"model\":\"" MODEL "\",\"prompt\":\"x\",\"options\":{\"use_mmap\":1}}",
	  500, "option \"use_mmap\" must be of type boolean" },
	{ "POST", "/api/generate", "{\"model\":\"" MODEL "\",\"prompt\":\"x\",\"options\":{\"temperature\":\"hot\"}}",
	  500, "option \"temperature\" must be of type float32" },
	{ "POST", "/api/generate", "{\"model\":\"" MODEL "\",\"prompt\":\"x\",\"options\":{\"stop\":\"x\"}}",
	  500, "option \"stop\" must be of type array" },
	{ "POST", "/api/generate", "{\"model\":\"" MODEL "\",\"prompt\":\"x\",\"keep_alive\":\"abc\"}",
	  400, "time: invalid duration \"abc\"" },
	{ "POST", "/api/generate", "{\"model\":\"" MODEL "\",\"prompt\":\"x\",\"keep_alive\":\"10\"}",
	  400, "time: missing unit in duration \"10\"" },
	{ "POST", "/api/generate", "{\"model\":\"" MODEL "\",\"prompt\":\"x\",\"think\":true}",
	  400, "\"" MODEL "\" does not support thinking" },
	{ "POST", "/api/show", "{\"model\":\"nope\"}", 404, "model 'nope' not found" },
	{ "POST", "/api/show", "{}", 400, "model is required" },
};

START_TEST(test_errors)
{
	struct http_reply r;
	cJSON *doc;
	const char *want = error_cases[_i].error;
	http_do(sim.host, error_cases[_i].method, error_cases[_i].path, error_cases[_i].body, 0, &r);
	ck_assert_msg(r.status == error_cases[_i].status, "%s %s: status %ld, want %ld (%s)",
		      error_cases[_i].path, error_cases[_i].body, r.status, error_cases[_i].status, r.body);
	ck_assert_str_eq(r.ctype, "application/json; charset=utf-8");
	doc = cJSON_Parse(r.body);
	ck_assert_ptr_nonnull(doc);
	ck_assert_int_eq(cJSON_GetArraySize(doc), 1);
	if (want[strlen(want) - 1] == '*')
		ck_assert(!strncmp(cJSON_GetStringValue(cJSON_GetObjectItem(doc, "error")), want, strlen(want) - 1));
	else
		ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(doc, "error")), want);
	cJSON_Delete(doc);
	http_reply_release(&r);
}
END_TEST

START_TEST(test_plain_routes_and_warning)
{
	struct http_reply r;
	char path[128], line[512];
	FILE *fp;
	int warned = 0;
	cJSON *doc;
	http_do(sim.host, "GET", "/", NULL, 0, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, "Ollama is running");
	http_reply_release(&r);
	http_do(sim.host, "HEAD", "/", NULL, 0, &r);
	ck_assert_int_eq(r.status, 200);
	http_reply_release(&r);
	http_do(sim.host, "GET", "/api/generate", NULL, 0, &r);
	ck_assert_int_eq(r.status, 405);
	http_reply_release(&r);
	http_do(sim.host, "GET", "/api/nothing", NULL, 0, &r);
	ck_assert_int_eq(r.status, 404);
	http_reply_release(&r);
	/* an unknown option is ignored with a WARN line, as Ollama does */
	doc = http_post_json(sim.host, "/api/generate",
			     cJSON_Parse("{\"model\":\"" MODEL "\",\"prompt\":\"x\",\"stream\":false,"
					 "\"options\":{\"f16_kv\":true,\"num_ctx\":4096,\"num_predict\":2}}"), NULL);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(doc, "done")));
	cJSON_Delete(doc);
	snprintf(path, sizeof(path), "%s/sim.log", sim.dir);
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	while (fgets(line, sizeof(line), fp))
		warned |= strstr(line, "level=WARN source=types.go") && strstr(line, "msg=\"invalid option provided\" option=f16_kv");
	fclose(fp);
	ck_assert_msg(warned, "no WARN line for the unknown option in %s", path);
}
END_TEST

/* ---- X-O3-Simulator on every reply --------------------------------- */

static const struct {
	const char *method, *path, *body;
	long status;
} header_cases[] = {
	{ "GET", "/", NULL, 200 },
	{ "HEAD", "/", NULL, 200 },
	{ "GET", "/api/version", NULL, 200 },
	{ "HEAD", "/api/version", NULL, 200 },
	{ "GET", "/api/tags", NULL, 200 },
	{ "GET", "/api/ps", NULL, 200 },
	{ "POST", "/api/show", "{\"model\":\"" MODEL "\"}", 200 },
	{ "POST", "/api/show", "{\"model\":\"nope:1b\"}", 404 },
	{ "GET", "/api/nothing", NULL, 404 },
	{ "POST", "/v1/chat/completions", "{}", 404 },
	{ "GET", "/api/generate", NULL, 405 },
	{ "POST", "/api/generate", "", 400 },
	{ "POST", "/api/generate", "{\"model\":\"nope:1b\",\"prompt\":\"x\"}", 404 },
	{ "POST", "/api/generate", "{\"model\":\"" MODEL "\",\"prompt\":\"x\",\"stream\":false,"
	  "\"options\":{\"num_ctx\":4096,\"num_predict\":2}}", 200 },
	/* streaming: the header comes with the first chunk */
	{ "POST", "/api/generate", "{\"model\":\"" MODEL "\",\"prompt\":\"x\","
	  "\"options\":{\"num_ctx\":4096,\"num_predict\":3}}", 200 },
	{ "POST", "/api/chat", "{\"model\":\"" MODEL "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
	  "\"options\":{\"num_ctx\":4096,\"num_predict\":3}}", 200 },
	{ "POST", "/api/chat", "{\"messages\":[]}", 400 },
};

START_TEST(test_simulator_header)
{
	struct http_reply r;
	http_do(sim.host, header_cases[_i].method, header_cases[_i].path, header_cases[_i].body, 0, &r);
	ck_assert_int_eq(r.curl_rc, CURLE_OK);
	ck_assert_int_eq(r.status, header_cases[_i].status);
	ck_assert_int_eq(r.sim_headers, 1);
	ck_assert_str_eq(r.sim_header, "o3-sim; profile=strix-halo-64g");
	if (!strcmp(header_cases[_i].path, "/api/chat") && r.status == 200)
		ck_assert_str_eq(r.ctype, "application/x-ndjson");
	http_reply_release(&r);
}
END_TEST

/* Another profile, with the GPU unused: the name only; a fault's 503 too. */
START_TEST(test_simulator_header_profile)
{
	static const char *const args[] = { "--time-scale", "0.01", "--profile", "cpu-only-64g",
					     "--fault", "busy", NULL };
	static const char *const args2[] = { "--time-scale", "0.01", "--profile", "rx7900xtx-24g",
					      "--gpu-unused", NULL };
	struct sim_process s2;
	struct http_reply r;
	ck_assert_int_eq(sim_start(&s2, args, NULL), 0);
	http_do(s2.host, "GET", "/api/version", NULL, 0, &r);
	ck_assert_str_eq(r.sim_header, "o3-sim; profile=cpu-only-64g");
	http_reply_release(&r);
	http_do(s2.host, "POST", "/api/generate", "{\"model\":\"" MODEL "\",\"prompt\":\"x\"}", 0, &r);
	ck_assert_int_eq(r.status, 503);
	ck_assert_str_eq(r.sim_header, "o3-sim; profile=cpu-only-64g");
	http_reply_release(&r);
	sim_stop(&s2);
	ck_assert_int_eq(sim_start(&s2, args2, NULL), 0);
	http_do(s2.host, "GET", "/api/version", NULL, 0, &r);
	ck_assert_str_eq(r.sim_header, "o3-sim; profile=rx7900xtx-24g");
	http_reply_release(&r);
	sim_stop(&s2);
}
END_TEST

static const struct {
	const char *model, *arch;
	double ctx, blocks, kv_heads, key_len, window;
} show_cases[] = {
	{ "qwen3-coder:30b", "qwen3moe", 262144, 48, 4, 128, -1 },
	{ "orieg/gemma3-tools:27b-it-qat", "gemma3", 131072, 62, 16, 128, 1024 },
	{ "liquid-rag:latest", "lfm2", 128000, 16, -1, 64, -1 },
	{ "qwen2.5:3b-instruct", "qwen2", 32768, 36, 2, 128, -1 },
	{ "gemma3:latest", "gemma3", 131072, 34, 4, 256, 1024 },
};

START_TEST(test_show)
{
	char body[256], key[128];
	cJSON *doc, *info, *hkv, *prev = NULL, *k;
	const char *a = show_cases[_i].arch;
	long status;
	snprintf(body, sizeof(body), "{\"model\":\"%s\"}", show_cases[_i].model);
	doc = http_post_json(sim.host, "/api/show", cJSON_Parse(body), &status);
	ck_assert_int_eq(status, 200);
	info = cJSON_GetObjectItem(doc, "model_info");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(info, "general.architecture")), a);
#define INFO(suffix) (snprintf(key, sizeof(key), "%s." suffix, a), json_num(info, key, NULL))
	ck_assert_double_eq(INFO("context_length"), show_cases[_i].ctx);
	ck_assert_double_eq(INFO("block_count"), show_cases[_i].blocks);
	ck_assert_double_eq(INFO("attention.key_length"), show_cases[_i].key_len);
	ck_assert_double_eq(INFO("attention.value_length"), show_cases[_i].key_len);
	ck_assert_double_eq(INFO("attention.sliding_window"), show_cases[_i].window);
	ck_assert_double_gt(INFO("embedding_length"), 0);
	ck_assert_double_gt(INFO("attention.head_count"), 0);
	ck_assert_double_gt(json_num(info, "general.parameter_count", NULL), 1e9);
#undef INFO
	snprintf(key, sizeof(key), "%s.attention.head_count_kv", a);
	hkv = cJSON_GetObjectItem(info, key);
	if (show_cases[_i].kv_heads < 0) {
		/* lfm2: one entry per block, 8 on the 6 attention layers */
		int nonzero = 0;
		cJSON *x;
		ck_assert(cJSON_IsArray(hkv));
		ck_assert_int_eq(cJSON_GetArraySize(hkv), 16);
		cJSON_ArrayForEach(x, hkv) nonzero += x->valuedouble == 8;
		ck_assert_int_eq(nonzero, 6);
	} else {
		ck_assert_double_eq(hkv->valuedouble, show_cases[_i].kv_heads);
	}
	/* a Go map: keys sorted */
	cJSON_ArrayForEach(k, info) {
		if (prev)
			ck_assert_msg(strcmp(prev->string, k->string) < 0, "%s before %s", prev->string, k->string);
		prev = k;
	}
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "capabilities"), 0)),
			 "completion");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "details"), "family")), a);
	cJSON_Delete(doc);
}
END_TEST

START_TEST(test_ps_context_length_by_era)
{
	static const char *const old[] = { "--time-scale", "0.01", "--ollama-version", "0.9.0", NULL };
	struct sim_process s2;
	cJSON *doc, *m;
	ck_assert_int_eq(sim_start(&s2, old, NULL), 0);
	doc = http_post_json(s2.host, "/api/generate", cJSON_Parse("{\"model\":\"" MODEL "\"}"), NULL);
	cJSON_Delete(doc);
	doc = http_get_json(s2.host, "/api/ps", NULL);
	m = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "models"), 0);
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_null(cJSON_GetObjectItem(m, "context_length"));
	/* ≤ 0.15.4 the default context is 4096 */
	cJSON_Delete(doc);
	doc = http_get_json(s2.host, "/api/version", NULL);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(doc, "version")), "0.9.0");
	cJSON_Delete(doc);
	sim_stop(&s2);
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("sim_api");
	TCase *api = tcase_create("api");
	SRunner *sr;
	int failed;
	sim_binary_from_args(argc, argv);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	tcase_add_unchecked_fixture(api, up, down);
	tcase_set_timeout(api, 30);
	tcase_add_test(api, test_key_order);
	tcase_add_loop_test(api, test_errors, 0, sizeof(error_cases) / sizeof(error_cases[0]));
	tcase_add_test(api, test_plain_routes_and_warning);
	tcase_add_loop_test(api, test_show, 0, sizeof(show_cases) / sizeof(show_cases[0]));
	tcase_add_test(api, test_ps_context_length_by_era);
	tcase_add_loop_test(api, test_simulator_header, 0, sizeof(header_cases) / sizeof(header_cases[0]));
	tcase_add_test(api, test_simulator_header_profile);
	suite_add_tcase(s, api);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	curl_global_cleanup();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

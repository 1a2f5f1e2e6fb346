// SPDX-License-Identifier: MIT
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ollama.h"

/* Every current option with a valid text value and the JSON it becomes. */
static const struct valid_case {
	const char *name;
	const char *value;
	const char *json; /* the "options" object afterwards */
	int kind;
} valid[] = {
	{ "num_keep", "4", "{\"num_keep\":4}", OLLAMA_KNOB_REQUEST },
	{ "seed", "-1", "{\"seed\":-1}", OLLAMA_KNOB_REQUEST },
	{ "num_predict", "128", "{\"num_predict\":128}", OLLAMA_KNOB_REQUEST },
	{ "top_k", "40", "{\"top_k\":40}", OLLAMA_KNOB_REQUEST },
	{ "top_p", "0.9", "{\"top_p\":0.9}", OLLAMA_KNOB_REQUEST },
	{ "min_p", "0", "{\"min_p\":0}", OLLAMA_KNOB_REQUEST },
	{ "typical_p", "1.0", "{\"typical_p\":1}", OLLAMA_KNOB_REQUEST },
	{ "repeat_last_n", "64", "{\"repeat_last_n\":64}", OLLAMA_KNOB_REQUEST },
	{ "temperature", "0.7", "{\"temperature\":0.7}", OLLAMA_KNOB_REQUEST },
	{ "repeat_penalty", "1.1", "{\"repeat_penalty\":1.1}", OLLAMA_KNOB_REQUEST },
	{ "presence_penalty", "-0.5", "{\"presence_penalty\":-0.5}", OLLAMA_KNOB_REQUEST },
	{ "frequency_penalty", "2", "{\"frequency_penalty\":2}", OLLAMA_KNOB_REQUEST },
	{ "stop", "a,b", "{\"stop\":[\"a\",\"b\"]}", OLLAMA_KNOB_REQUEST },
	{ "stop", "\\n\\n", "{\"stop\":[\"\\\\n\\\\n\"]}", OLLAMA_KNOB_REQUEST },
	{ "num_ctx", "8192", "{\"num_ctx\":8192}", OLLAMA_KNOB_LOAD },
	{ "num_batch", "512", "{\"num_batch\":512}", OLLAMA_KNOB_LOAD },
	{ "num_gpu", "-1", "{\"num_gpu\":-1}", OLLAMA_KNOB_LOAD },
	{ "main_gpu", "0", "{\"main_gpu\":0}", OLLAMA_KNOB_LOAD },
	{ "use_mmap", "false", "{\"use_mmap\":false}", OLLAMA_KNOB_LOAD },
	{ "use_mmap", "true", "{\"use_mmap\":true}", OLLAMA_KNOB_LOAD },
	{ "num_thread", "16", "{\"num_thread\":16}", OLLAMA_KNOB_LOAD },
	{ "draft_num_predict", "4", "{\"draft_num_predict\":4}", OLLAMA_KNOB_LOAD },
};

START_TEST(test_valid)
{
	const struct valid_case *vc = &valid[_i];
	cJSON *opts = cJSON_CreateObject();
	char msg[256], *out;

	ck_assert_int_eq(ollama_option_add(opts, vc->name, vc->value, msg, sizeof(msg)), 0);
	ck_assert_str_eq(msg, "");
	out = cJSON_PrintUnformatted(opts);
	ck_assert_str_eq(out, vc->json);
	ck_assert_int_eq(ollama_option_kind(vc->name), vc->kind);
	cJSON_free(out);
	cJSON_Delete(opts);
}
END_TEST

/* Refused: nothing is added, and the message holds the words. */
static const struct refused_case {
	const char *name;
	const char *value;
	const char *words[3];
} refused[] = {
	{ "f16_kv", "true",
	  { "removed in Ollama v0.7.0", "OLLAMA_KV_CACHE_TYPE (f16, q8_0, q4_0)", "restart" } },
	{ "low_vram", "true", { "'low_vram' was removed in Ollama v0.7.0" } },
	{ "logits_all", "true", { "removed in Ollama v0.7.0" } },
	{ "vocab_only", "true", { "removed in Ollama v0.7.0" } },
	{ "use_mlock", "true", { "removed in Ollama v0.7.0" } },
	{ "mirostat", "1", { "removed in Ollama v0.7.0" } },
	{ "mirostat_tau", "5.0", { "removed in Ollama v0.7.0" } },
	{ "mirostat_eta", "0.1", { "removed in Ollama v0.7.0" } },
	{ "numa", "false", { "removed in Ollama v0.3.4" } },
	{ "tfs_z", "1.0", { "removed in Ollama v0.5.2" } },
	{ "penalize_newline", "true", { "removed in Ollama v0.5.5" } },
	/* typos and unknown names */
	{ "num_ctxx", "8192", { "unknown option 'num_ctxx'", "did you mean 'num_ctx'?" } },
	{ "numctx", "8192", { "did you mean 'num_ctx'?" } },
	{ "num_ctx ", "8192", { "did you mean 'num_ctx'?" } },
	{ "temprature", "0.7", { "did you mean 'temperature'?" } },
	{ "num_thrad", "8", { "did you mean 'num_thread'?" } },
	{ "NUM_CTX", "8192", { "unknown option 'NUM_CTX'" } },
	{ "rope_frequency_base", "10000", { "unknown option 'rope_frequency_base'" } },
	{ "num_gqa", "8", { "unknown option 'num_gqa'" } },
	{ "", "1", { "empty option name" } },
	/* types */
	{ "num_ctx", "1.5", { "'num_ctx' must be an integer, not '1.5'" } },
	{ "num_ctx", "abc", { "must be an integer" } },
	{ "num_ctx", "", { "must be an integer" } },
	{ "num_ctx", "8k", { "must be an integer" } },
	{ "num_ctx", "99999999999999999999999", { "must be an integer" } },
	{ "temperature", "warm", { "'temperature' must be a number" } },
	{ "temperature", "nan", { "must be a number" } },
	{ "temperature", "inf", { "must be a number" } },
	{ "use_mmap", "yes", { "'use_mmap' must be true or false" } },
	{ "use_mmap", "1", { "true or false" } },
	{ "use_mmap", "TRUE", { "true or false" } },
	{ "stop", "", { "'stop' must be a list of strings" } },
	{ "stop", "a,,b", { "list of strings" } },
	{ "stop", "a,", { "list of strings" } },
	{ "batch", "1.5", { "'num_batch' must be an integer" } },
	/* ranges (the table's min and max) */
	{ "top_p", "1.5", { "'top_p' must be at most 1, not 1.5" } },
	{ "presence_penalty", "-2e6", { "must be at least -1e+06" } },
};

START_TEST(test_refused)
{
	const struct refused_case *rc = &refused[_i];
	cJSON *opts = cJSON_CreateObject();
	char msg[512];
	size_t i;

	ck_assert_int_eq(ollama_option_add(opts, rc->name, rc->value, msg, sizeof(msg)), -1);
	ck_assert_int_eq(cJSON_GetArraySize(opts), 0);
	for (i = 0; i < 3 && rc->words[i]; i++)
		ck_assert_msg(strstr(msg, rc->words[i]) != NULL, "'%s'='%s': '%s' lacks '%s'",
			      rc->name, rc->value, msg, rc->words[i]);
	ck_assert_ptr_null(strchr(msg, '\n'));
	cJSON_Delete(opts);
}
END_TEST

START_TEST(test_batch_becomes_num_batch)
{
	cJSON *opts = cJSON_CreateObject();
	char msg[256], *out;

	ck_assert_int_eq(ollama_option_add(opts, "num_ctx", "2048", msg, sizeof(msg)), 0);
	ck_assert_int_eq(ollama_option_add(opts, "batch", "1024", msg, sizeof(msg)), 1);
	ck_assert_str_eq(msg, "option 'batch' is not an Ollama option; sent as 'num_batch'");
	out = cJSON_PrintUnformatted(opts);
	ck_assert_str_eq(out, "{\"num_ctx\":2048,\"num_batch\":1024}");
	cJSON_free(out);
	ck_assert_int_eq(ollama_option_kind("batch"), -1);
	ck_assert_int_eq(ollama_option_kind("f16_kv"), -1);
	ck_assert_int_eq(ollama_option_kind(NULL), -1);
	cJSON_Delete(opts);
}
END_TEST

START_TEST(test_replace_and_null_opts)
{
	cJSON *opts = cJSON_CreateObject();
	char msg[256], *out;

	ck_assert_int_eq(ollama_option_add(opts, "num_ctx", "4096", msg, sizeof(msg)), 0);
	ck_assert_int_eq(ollama_option_add(opts, "num_ctx", "8192", msg, sizeof(msg)), 0);
	out = cJSON_PrintUnformatted(opts);
	ck_assert_str_eq(out, "{\"num_ctx\":8192}");
	cJSON_free(out);
	/* a check without a target object */
	ck_assert_int_eq(ollama_option_add(NULL, "num_ctx", "1", msg, sizeof(msg)), 0);
	ck_assert_int_eq(ollama_option_add(NULL, "f16_kv", "true", NULL, 0), -1);
	cJSON_Delete(opts);
}
END_TEST

static const struct json_case {
	const char *name;
	const char *value; /* JSON text */
	int want;
	const char *result; /* options afterwards, or a word of the message */
} json_cases[] = {
	{ "num_ctx", "8192", 0, "{\"num_ctx\":8192}" },
	{ "num_ctx", "1.5", -1, "must be an integer, not '1.5'" },
	{ "num_ctx", "\"8192\"", -1, "must be an integer" },
	{ "num_ctx", "true", -1, "must be an integer" },
	{ "num_ctx", "null", -1, "must be an integer, not 'null'" },
	{ "temperature", "1", 0, "{\"temperature\":1}" },
	{ "temperature", "\"0.7\"", -1, "must be a number" },
	{ "use_mmap", "false", 0, "{\"use_mmap\":false}" },
	{ "use_mmap", "0", -1, "true or false" },
	{ "stop", "[\"</s>\",\"USER:\"]", 0, "{\"stop\":[\"</s>\",\"USER:\"]}" },
	{ "stop", "\"</s>\"", -1, "list of strings" },
	{ "stop", "[1]", -1, "list of strings" },
	{ "stop", "[]", -1, "list of strings" },
	{ "batch", "512", 1, "{\"num_batch\":512}" },
	{ "f16_kv", "true", -1, "OLLAMA_KV_CACHE_TYPE" },
	{ "tfs_z", "1", -1, "v0.5.2" },
	{ "num_ctxx", "1", -1, "did you mean 'num_ctx'?" },
};

START_TEST(test_out_of_range_and_conflicts)
{
	static const struct {
		const char *name, *value, *says;
	} bad[] = {
		{ "num_ctx", "-5", "option 'num_ctx' must be at least 1, not -5" },
		{ "num_ctx", "0", "at least 1" },
		{ "num_batch", "0", "option 'num_batch' must be at least 1" },
		{ "num_predict", "-3", "at least -2" },
		{ "temperature", "-0.1", "at least 0" },
		{ "num_thread", "-1", "at least 0" },
	};
	cJSON *opts = cJSON_CreateObject();
	char msg[256];
	size_t i;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(ollama_option_add(opts, bad[i].name, bad[i].value, msg, sizeof(msg)), -1);
		ck_assert_msg(strstr(msg, bad[i].says) != NULL, "%s=%s: '%s'", bad[i].name, bad[i].value, msg);
	}
	ck_assert_int_eq(cJSON_GetArraySize(opts), 0);
	/* the boundaries themselves are fine */
	ck_assert_int_eq(ollama_option_add(opts, "num_gpu", "-1", msg, sizeof(msg)), 0);
	ck_assert_int_eq(ollama_option_add(opts, "num_predict", "-2", msg, sizeof(msg)), 0);
	/* num_batch, then the old spelling for the same option: refused, not overwritten */
	ck_assert_int_eq(ollama_option_add(opts, "num_batch", "16", msg, sizeof(msg)), 0);
	ck_assert_int_eq(ollama_option_add(opts, "batch", "32", msg, sizeof(msg)), -1);
	ck_assert_ptr_nonnull(strstr(msg, "'batch' given together with 'num_batch'"));
	ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(opts, "num_batch")), 16);
	cJSON_Delete(opts);
}
END_TEST

START_TEST(test_keep_alive)
{
	static const char *const good[] = { "0", "-1", "300", "5m", "1h30m", "-1m", "0.5s", "10ms", "1h0m0s" };
	static const char *const bad[] = { "", "abc", "m", "5x", "1.5.2s", "--1m", "5m3" };
	size_t i;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(ollama_keep_alive_valid(good[i]), "'%s' refused", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!ollama_keep_alive_valid(bad[i]), "'%s' accepted", bad[i]);
	ck_assert(!ollama_keep_alive_valid(NULL));
}
END_TEST

START_TEST(test_json)
{
	const struct json_case *jc = &json_cases[_i];
	cJSON *opts = cJSON_CreateObject();
	cJSON *v = cJSON_Parse(jc->value);
	char msg[512], *out;
	int rc;

	ck_assert_ptr_nonnull(v);
	rc = ollama_option_add_json(opts, jc->name, v, msg, sizeof(msg));
	ck_assert_msg(rc == jc->want, "%s=%s: rc %d (%s)", jc->name, jc->value, rc, msg);
	if (rc >= 0) {
		out = cJSON_PrintUnformatted(opts);
		ck_assert_str_eq(out, jc->result);
		cJSON_free(out);
	} else {
		ck_assert_int_eq(cJSON_GetArraySize(opts), 0);
		ck_assert_msg(strstr(msg, jc->result) != NULL, "'%s' lacks '%s'", msg, jc->result);
	}
	cJSON_Delete(v);
	cJSON_Delete(opts);
}
END_TEST

START_TEST(test_json_null_value)
{
	char msg[256];
	ck_assert_int_eq(ollama_option_add_json(NULL, "num_ctx", NULL, msg, sizeof(msg)), -1);
	ck_assert_ptr_nonnull(strstr(msg, "must be an integer"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ollama_options");
	TCase *tc = tcase_create("options");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_valid, 0, (int)(sizeof(valid) / sizeof(valid[0])));
	tcase_add_loop_test(tc, test_refused, 0, (int)(sizeof(refused) / sizeof(refused[0])));
	tcase_add_test(tc, test_batch_becomes_num_batch);
	tcase_add_test(tc, test_replace_and_null_opts);
	tcase_add_test(tc, test_out_of_range_and_conflicts);
	tcase_add_test(tc, test_keep_alive);
	tcase_add_loop_test(tc, test_json, 0, (int)(sizeof(json_cases) / sizeof(json_cases[0])));
	tcase_add_test(tc, test_json_null_value);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

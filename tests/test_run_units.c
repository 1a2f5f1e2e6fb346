// SPDX-License-Identifier: MIT
/* Unit tests of the run area: statistics, prompts, records, environment. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "envinfo.h"
#include "prompt.h"
#include "record.h"
#include "stats.h"
#include "util.h"

static const char *src_root(void)
{
	const char *r = getenv("O3_SOURCE_ROOT");
	return r ? r : ".";
}

START_TEST(test_stats_known_values)
{
	const double v[] = { 5, 1, 4, 2, 3 };
	struct stats_summary s;
	stats_summarize(v, 5, &s);
	ck_assert_uint_eq(s.n, 5);
	ck_assert_double_eq_tol(s.median, 3, 1e-12);
	ck_assert_double_eq_tol(s.min, 1, 1e-12);
	ck_assert_double_eq_tol(s.max, 5, 1e-12);
	ck_assert_double_eq_tol(s.mean, 3, 1e-12);
	ck_assert_double_eq_tol(s.stddev, 1.5811388300841898, 1e-9);
	ck_assert_double_eq_tol(s.p90, 4.6, 1e-12); /* numpy.percentile(..., 90) */
	ck_assert_double_eq_tol(stats_percentile(v, 5, 25), 2, 1e-12);
	ck_assert_double_eq(v[0], 5); /* input untouched */
}
END_TEST

START_TEST(test_stats_edges)
{
	const double one[] = { 7 };
	struct stats_summary s;
	stats_summarize(one, 1, &s);
	ck_assert_double_eq(s.p99, 7);
	ck_assert_double_eq(s.stddev, 0);
	stats_summarize(NULL, 0, &s);
	ck_assert_uint_eq(s.n, 0);
}
END_TEST

START_TEST(test_prompt_unique_and_sized)
{
	char *a = prompt_build(2000, 1, 0x1111), *b = prompt_build(2000, 1, 0x2222);
	char *c = prompt_build(2000, 1, 0x1111);
	ck_assert_uint_ge(strlen(a), 2000);
	ck_assert_uint_lt(strlen(a), 2200);
	/* different nonces differ in the very first line: no shared prefix
	 * beyond the fixed word "Session " */
	ck_assert_int_ne(strncmp(a, b, 24), 0);
	ck_assert_str_eq(a, c); /* same seed and nonce: reproducible */
	free(a);
	free(b);
	free(c);
}
END_TEST

START_TEST(test_prompt_calibration_converges)
{
	struct prompt_calibration cal;
	int i;
	prompt_calibration_init(&cal);
	ck_assert_uint_eq(prompt_chars_for(&cal, 100, 0), 400);
	/* a tokenizer at 5 chars per token */
	for (i = 0; i < 6; i++) {
		size_t chars = prompt_chars_for(&cal, 1000, 0);
		prompt_calibrate(&cal, chars, (long)(chars / 5), 0);
	}
	ck_assert_double_eq_tol(cal.chars_per_token, 5.0, 0.05);
	ck_assert_int_eq(prompt_calibrate(&cal, 100, 0, 0), -1); /* no count: ignored */
	ck_assert_double_eq_tol(cal.chars_per_token, 5.0, 0.05);
}
END_TEST

/* Issue 12 item 8: a prompt the server cut never calibrates, and none is
 * asked for beyond the context. */
START_TEST(test_prompt_calibration_refuses_truncated)
{
	struct prompt_calibration cal;
	int i;
	prompt_calibration_init(&cal);
	ck_assert_uint_eq(prompt_chars_for(&cal, 512, 256), 256 * 4);
	/* the server fills its 256-token context whatever it is sent */
	for (i = 0; i < 40; i++) {
		size_t chars = prompt_chars_for(&cal, 512, 256);
		ck_assert_int_eq(prompt_calibrate(&cal, chars, 256, 256), -1);
	}
	ck_assert_int_eq(cal.samples, 0);
	ck_assert_double_eq_tol(cal.chars_per_token, 4.0, 1e-9);
	/* calibrated at 4 chars a token, an answer far below the expected count is cut */
	ck_assert_int_eq(prompt_calibrate(&cal, 4000, 1000, 0), 0);
	ck_assert_int_eq(prompt_calibrate(&cal, 4000, 300, 0), -1);
	ck_assert_double_eq_tol(cal.chars_per_token, 4.0, 1e-9);
	ck_assert(prompt_truncated(0, 251, 256));
	ck_assert(!prompt_truncated(0, 250, 256));
	ck_assert(prompt_truncated(1000, 700, 0));
	ck_assert(!prompt_truncated(1000, 800, 0));
}
END_TEST

START_TEST(test_needle_prompt)
{
	char *word = NULL, *p = prompt_build_needle(8000, 7, 0xabc, 0.1, &word);
	char sentence[96];
	const char *at;
	ck_assert_uint_ge(strlen(word), 8);
	snprintf(sentence, sizeof(sentence), "The secret passphrase is %s.", word);
	at = strstr(p, sentence);
	ck_assert_ptr_nonnull(at);
	/* hidden early, asked for at the end */
	ck_assert_uint_lt((size_t)(at - p), strlen(p) / 4);
	ck_assert_ptr_nonnull(strstr(p + strlen(p) - 120, "passphrase"));
	ck_assert_int_eq(prompt_needle_found(word, word), 1);
	snprintf(sentence, sizeof(sentence), "The passphrase is \"%s\".", word);
	ck_assert_int_eq(prompt_needle_found(sentence, word), 1);
	snprintf(sentence, sizeof(sentence), "x%sx", word);
	ck_assert_int_eq(prompt_needle_found(sentence, word), 0);
	ck_assert_int_eq(prompt_needle_found("I do not know.", word), 0);
	free(word);
	free(p);
}
END_TEST

START_TEST(test_record_append_and_read)
{
	char dir[] = "/tmp/o3-record-XXXXXX", path[256], err[256];
	struct record_log log;
	cJSON *rec = cJSON_CreateObject(), *all;
	FILE *fp;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a/b/trials.jsonl", dir);
	ck_assert_int_eq(record_log_open(&log, path, err, sizeof(err)), 0);
	cJSON_AddStringToObject(rec, "model", "qwen2.5:3b-instruct");
	ck_assert_int_eq(record_log_append(&log, rec), 0);
	ck_assert_int_eq(record_log_append(&log, rec), 0);
	record_log_close(&log);
	/* a crash in the middle of a line leaves a partial line behind */
	fp = fopen(path, "a");
	fputs("{\"model\":\"cut sh", fp);
	fclose(fp);
	all = record_log_read(path, err, sizeof(err));
	ck_assert_ptr_nonnull(all);
	ck_assert_int_eq(cJSON_GetArraySize(all), 2);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(all, 1), "model")),
			 "qwen2.5:3b-instruct");
	cJSON_Delete(all);
	cJSON_Delete(rec);
	unlink(path);
	ck_assert_ptr_null(record_log_read("/nonexistent/o3.jsonl", err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/o3.jsonl"));
}
END_TEST

/* Issue 12 item 12: a model name with invalid UTF-8 (and a key with it)
 * still makes a valid JSON line; the record given is left as it was. */
START_TEST(test_record_append_invalid_utf8)
{
	char dir[] = "/tmp/o3-record-XXXXXX", path[256], err[256], line[512];
	struct record_log log;
	cJSON *rec = cJSON_CreateObject(), *back;
	FILE *fp;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/trials.jsonl", dir);
	ck_assert_int_eq(record_log_open(&log, path, err, sizeof(err)), 0);
	cJSON_AddStringToObject(rec, "model", "bad\xff\xc3(name\n\x1b[2J");
	cJSON_AddNumberToObject(cJSON_AddObjectToObject(rec, "o"), "k\xfe", 1);
	ck_assert_int_eq(record_log_append(&log, rec), 0);
	record_log_close(&log);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(rec, "model")),
			 "bad\xff\xc3(name\n\x1b[2J");
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), fp));
	fclose(fp);
	ck_assert(o3_json_utf8_valid(NULL));
	back = cJSON_Parse(line);
	ck_assert_ptr_nonnull(back);
	ck_assert(o3_json_utf8_valid(back));
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(back, "model")),
			 "bad\xef\xbf\xbd\xef\xbf\xbd(name\n\x1b[2J");
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(cJSON_GetObjectItem(back, "o"), "k\xef\xbf\xbd"));
	cJSON_Delete(back);
	cJSON_Delete(rec);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* terminal text: no control character, valid UTF-8 */
START_TEST(test_text_clean)
{
	char *t = o3_text_clean("a\x1b[2Jb\nc\td\x7f\xc2\x85" "e\xff caf\xc3\xa9", 1);
	ck_assert_str_eq(t, "a[2Jb c de\xef\xbf\xbd caf\xc3\xa9");
	free(t);
	t = o3_text_clean(NULL, 1);
	ck_assert_str_eq(t, "");
	free(t);
}
END_TEST

START_TEST(test_record_id_unique)
{
	char a[160], b[160];
	record_new_id("orieg/gemma3-tools:27b-it-qat", a, sizeof(a));
	record_new_id("orieg/gemma3-tools:27b-it-qat", b, sizeof(b));
	ck_assert_str_ne(a, b);
	ck_assert_ptr_nonnull(strstr(a, "orieg_gemma3-tools_27b-it-qat"));
	ck_assert_ptr_null(strchr(a, '/'));
}
END_TEST

START_TEST(test_envinfo_fake_machine)
{
	char proc[512], sys[512];
	cJSON *snap, *knobs, *gpu;
	snprintf(proc, sizeof(proc), "%s/fixtures/envinfo/proc", src_root());
	snprintf(sys, sizeof(sys), "%s/fixtures/envinfo/sys", src_root());
	snap = envinfo_snapshot(NULL, proc, sys);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(snap, "cpu"), "model")),
			 "AMD RYZEN AI MAX+ 395 w/ Radeon 8060S");
	ck_assert_double_eq_tol(cJSON_GetNumberValue(cJSON_GetObjectItem(snap, "ram_bytes")),
				65536000.0 * 1024, 1);
	knobs = cJSON_GetObjectItem(cJSON_GetObjectItem(snap, "server_process"), "knobs");
	ck_assert_ptr_nonnull(knobs);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(knobs, "OLLAMA_KV_CACHE_TYPE")), "q8_0");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(knobs, "OLLAMA_NUM_PARALLEL")), "2");
	ck_assert_ptr_null(cJSON_GetObjectItem(knobs, "PATH"));
	gpu = cJSON_GetArrayItem(cJSON_GetObjectItem(snap, "gpus"), 0);
	ck_assert_ptr_nonnull(gpu);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(gpu, "vendor")), "0x1002");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(gpu, "driver")), "amdgpu");
	ck_assert_ptr_null(cJSON_GetObjectItem(snap, "ollama"));
	cJSON_Delete(snap);
}
END_TEST

START_TEST(test_envinfo_knobs_blob)
{
	static const char blob[] = "OLLAMA_KEEP_ALIVE=-1\0OLLAMA_HOSTX=1\0OLLAMA_CONTEXT_LENGTH=8192";
	cJSON *o = cJSON_CreateObject();
	envinfo_knobs_from_environ(o, blob, sizeof(blob) - 1);
	ck_assert_int_eq(cJSON_GetArraySize(o), 2);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(o, "OLLAMA_CONTEXT_LENGTH")), "8192");
	cJSON_Delete(o);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("run_units");
	TCase *tc = tcase_create("units");
	SRunner *sr;
	int failed;
	tcase_add_test(tc, test_stats_known_values);
	tcase_add_test(tc, test_stats_edges);
	tcase_add_test(tc, test_prompt_unique_and_sized);
	tcase_add_test(tc, test_prompt_calibration_converges);
	tcase_add_test(tc, test_prompt_calibration_refuses_truncated);
	tcase_add_test(tc, test_needle_prompt);
	tcase_add_test(tc, test_record_append_and_read);
	tcase_add_test(tc, test_record_append_invalid_utf8);
	tcase_add_test(tc, test_text_clean);
	tcase_add_test(tc, test_record_id_unique);
	tcase_add_test(tc, test_envinfo_fake_machine);
	tcase_add_test(tc, test_envinfo_knobs_blob);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

// SPDX-License-Identifier: MIT
/*
 * Ollama's memory refusals and allocation failures, and texts that must not
 * be taken for them (fixtures/replay/ollama/errors/memory_errors.json, with
 * the provenance of each), served by the loopback replay server the way the
 * server answers them:
 *
 *   "body"         the entry's HTTP status with {"error": text}: load
 *                  failures in every version, and errors before the first
 *                  chunk from v0.12.6 on;
 *   "line"         200 and {"error": text} as the first NDJSON line: a
 *                  streamed error before any chunk, up to v0.12.5;
 *   "after_chunk"  200, one content chunk, then the error line.
 *
 * Each is sent whole and in 1-byte writes, and the client must report the
 * entry's class ("want") with the server's text unchanged.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ollama.h"
#include "replay_client.h"
#include "replay_server.h"

#define TABLE "errors/memory_errors.json"

static cJSON *table;
static int n_entries;

static const cJSON *entry(int i)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(table, "errors"), i);
}

static const char *field(const cJSON *e, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, key);
	ck_assert_msg(cJSON_IsString(v) && v->valuestring[0], "entry without \"%s\"", key);
	return v->valuestring;
}

/* One compact line: the docs' streamed /api/generate chunk. */
static char *chunk_line(void)
{
	size_t len;
	char *text = rc_fixture("docs_generate_stream_chunk.json", &len);
	cJSON *doc = cJSON_ParseWithLength(text, len);
	char *line;

	ck_assert_ptr_nonnull(doc);
	line = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	free(text);
	return line;
}

START_TEST(test_memory_error_replay)
{
	const cJSON *e = entry(_i / 2);
	const char *id = field(e, "id");
	const char *text = field(e, "text");
	const char *shape = field(e, "shape");
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(e, "status");
	int want = ollama_err_class_from_name(field(e, "want"));
	size_t bytes = (_i % 2) ? 1 : 0;
	cJSON *o = cJSON_CreateObject();
	char *err_line, *body;
	size_t len;
	int status;
	struct ollama_gen_result res;
	struct ollama_error err;

	/* every entry says where it comes from */
	(void)field(e, "source");
	(void)field(e, "versions");
	(void)field(e, "kind");
	ck_assert_msg(want >= 0, "%s: unknown class", id);
	ck_assert_msg(cJSON_IsNumber(st), "%s: no status", id);
	status = st->valueint;

	cJSON_AddStringToObject(o, "error", text);
	err_line = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);

	if (!strcmp(shape, "body")) {
		ck_assert_msg(status >= 400, "%s: a body error needs an error status", id);
		rc_serve(rc_srv, "POST", "/api/generate", status, CT_JSON, err_line,
			 strlen(err_line), 0, bytes);
	} else {
		char *first = !strcmp(shape, "after_chunk") ? chunk_line() : NULL;
		ck_assert_msg(first || !strcmp(shape, "line"), "%s: unknown shape %s", id, shape);
		ck_assert_int_eq(status, 200);
		len = (first ? strlen(first) + 1 : 0) + strlen(err_line) + 2;
		body = malloc(len);
		ck_assert_ptr_nonnull(body);
		snprintf(body, len, "%s%s%s\n", first ? first : "", first ? "\n" : "", err_line);
		rc_serve(rc_srv, "POST", "/api/generate", 200, CT_NDJSON, body, strlen(body), 1,
			 bytes);
		free(body);
		free(first);
	}

	ck_assert_int_eq(rc_generate(rc_cli, 1, &res, &err), -1);
	ck_assert_msg((int)err.cls == want, "%s (%s, %s writes): got %s, want %s", id, shape,
		      bytes ? "1-byte" : "whole", ollama_err_class_name(err.cls),
		      ollama_err_class_name((enum ollama_err_class)want));
	ck_assert_int_eq(err.http_status, status);
	ck_assert_str_eq(err.message, text);
	if (!strcmp(shape, "after_chunk"))
		/* the text is kept: a caller can still read what it says */
		ck_assert_int_eq(ollama_classify(0, err.message, 0), OLLAMA_ERR_OOM);
	ollama_gen_result_release(&res);
	free(err_line);
}
END_TEST

/* The same texts with stream:false: always one JSON body, with the entry's
 * status (500 for those a stream carried on a 200). */
START_TEST(test_memory_error_nonstream)
{
	const cJSON *e = entry(_i);
	const char *text = field(e, "text");
	int want = ollama_err_class_from_name(field(e, "want"));
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(e, "status");
	int status = cJSON_IsNumber(st) && st->valueint >= 400 ? st->valueint : 500;
	cJSON *o = cJSON_CreateObject();
	char *b;
	struct ollama_gen_result res;
	struct ollama_error err;

	if (want == OLLAMA_ERR_MIDSTREAM_ERROR)
		want = OLLAMA_ERR_OOM; /* the same text as a whole answer */
	cJSON_AddStringToObject(o, "error", text);
	b = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	rc_serve(rc_srv, "POST", "/api/generate", status, CT_JSON, b, strlen(b), 0, 0);
	ck_assert_int_eq(rc_generate(rc_cli, 0, &res, &err), -1);
	ck_assert_msg((int)err.cls == want, "%s: got %s, want %s", field(e, "id"),
		      ollama_err_class_name(err.cls),
		      ollama_err_class_name((enum ollama_err_class)want));
	ck_assert_int_eq(err.http_status, status);
	ck_assert_str_eq(err.message, text);
	ollama_gen_result_release(&res);
	free(b);
}
END_TEST

/* Wrapped the way the legacy and the llama-server scheduler wrap a runner's
 * last error, an oom text stays oom and a non-memory text does not become
 * one. */
START_TEST(test_memory_error_wrapped)
{
	static const char *const wrappers[][2] = {
		{ "llama runner process has terminated: ", "" },
		{ "llama runner process no longer running: 2 ", "" },
		{ "llama-server process has terminated: exit status 1: ", "" },
		{ "llama-server process no longer running: exit status 1 ", "" },
		{ "timed out waiting for llama runner to start - progress 0.97 - ", "" },
		{ "timed out waiting for llama-server to start - ", "" },
		{ "llama-server startup failed before projector CPU offload retry: ",
		  "; error starting retry: exit status 1" },
	};
	const cJSON *e = entry(_i);
	const char *text = field(e, "text");
	const char *want = field(e, "want");
	/* what the bare text is (a mid-stream entry's text read as a whole answer) */
	int oom = ollama_classify(500, text, 0) == OLLAMA_ERR_OOM;
	char msg[2048];
	size_t w;

	if (strcmp(want, "midstream_error"))
		ck_assert_int_eq(oom, !strcmp(want, "oom"));
	for (w = 0; w < sizeof(wrappers) / sizeof(wrappers[0]); w++) {
		enum ollama_err_class got;
		snprintf(msg, sizeof(msg), "%s%s%s", wrappers[w][0], text, wrappers[w][1]);
		got = ollama_classify(500, msg, 0);
		if (oom)
			ck_assert_msg(got == OLLAMA_ERR_OOM, "%s: got %s", msg,
				      ollama_err_class_name(got));
		else
			ck_assert_msg(got != OLLAMA_ERR_OOM, "%s: taken for oom", msg);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ollama_errors_replay");
	TCase *tc = tcase_create("memory");
	SRunner *sr;
	size_t len;
	char *text = replay_fixture_read(TABLE, &len);
	int failed;

	if (!text) {
		fprintf(stderr, "cannot read fixtures/replay/ollama/" TABLE " (O3_SOURCE_ROOT?)\n");
		return EXIT_FAILURE;
	}
	table = cJSON_ParseWithLength(text, len);
	free(text);
	n_entries = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(table, "errors"));
	if (n_entries <= 0) {
		fprintf(stderr, TABLE ": no entries\n");
		cJSON_Delete(table);
		return EXIT_FAILURE;
	}
	tcase_add_checked_fixture(tc, rc_setup, rc_teardown);
	tcase_add_loop_test(tc, test_memory_error_replay, 0, 2 * n_entries);
	tcase_add_loop_test(tc, test_memory_error_nonstream, 0, n_entries);
	tcase_add_loop_test(tc, test_memory_error_wrapped, 0, n_entries);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	cJSON_Delete(table);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

// SPDX-License-Identifier: MIT
/*
 * Streamed /api/generate answers (NDJSON) from the replay server: the real
 * samples cut into any chunk size, with and without a final newline,
 * truncated everywhere, broken off, with an error line mid-stream or first,
 * with a line that is not JSON or longer than the cap.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ollama.h"
#include "replay_client.h"
#include "replay_server.h"


/* ---- generate: streams ---------------------------------------------------- */

static const size_t chunk_sizes[] = { 0, 1, 2, 3, 7, 64, 100000 };

START_TEST(test_stream_sample_any_chunking)
{
	size_t len, i;
	char *b = rc_fixture("docs_streaming_generate.ndjson", &len);
	struct ollama_gen_result res;
	struct ollama_error err;
	int strip = _i >= (int)(sizeof(chunk_sizes) / sizeof(chunk_sizes[0]));
	size_t cs = chunk_sizes[_i % (sizeof(chunk_sizes) / sizeof(chunk_sizes[0]))];

	if (strip) /* no final newline */
		len--;
	rc_serve(rc_srv, "POST", "/api/generate", 200, CT_NDJSON, b, len, 1, cs);
	ck_assert_msg(rc_generate(rc_cli, 1, &res, &err) == 0, "chunk %zu: %s", cs, err.message);
	ck_assert_str_eq(res.response, "That's a fantastic question!");
	ck_assert_int_eq(res.done, 1);
	ck_assert_str_eq(res.done_reason, "stop");
	ck_assert_uint_eq(res.n_lines, 7);
	ck_assert_uint_eq(res.n_chunks, 7);
	ck_assert_int_eq(res.eval_count, -1);
	ck_assert_int_eq(res.total_duration_ns, -1);
	ck_assert_uint_ge(res.t_first_byte_ns, res.t_sent_ns);
	ck_assert_uint_ge(res.t_first_content_ns, res.t_first_byte_ns);
	ck_assert_uint_eq(res.chunk_ns[0], res.t_first_content_ns);
	ck_assert_uint_eq(res.chunk_ns[6], res.t_last_content_ns);
	for (i = 1; i < res.n_chunks; i++)
		ck_assert_uint_ge(res.chunk_ns[i], res.chunk_ns[i - 1]);
	ck_assert_uint_ge(res.t_done_ns, res.t_last_content_ns);
	ollama_gen_result_release(&res);
	free(b);
}
END_TEST

START_TEST(test_stream_chunk_plus_final_samples)
{
	size_t l1, l2;
	char *c = rc_fixture("docs_generate_stream_chunk.json", &l1);
	char *f = rc_fixture("docs_generate_stream_final_chunk.json", &l2);
	cJSON *cd = cJSON_Parse(c), *fd = cJSON_Parse(f);
	char *a = cJSON_PrintUnformatted(cd), *z = cJSON_PrintUnformatted(fd);
	size_t n = strlen(a) + strlen(z) + 3;
	char *body = malloc(n);
	struct ollama_gen_result res;
	struct ollama_error err;

	snprintf(body, n, "%s\n%s\n", a, z);
	rc_serve(rc_srv, "POST", "/api/generate", 200, CT_NDJSON, body, strlen(body), 1, 11);
	ck_assert_int_eq(rc_generate(rc_cli, 1, &res, &err), 0);
	ck_assert_uint_eq(res.n_lines, 2);
	ck_assert_str_eq(res.done_reason, cJSON_GetObjectItem(fd, "done_reason")
						  ? cJSON_GetObjectItem(fd, "done_reason")->valuestring
						  : "");
	ck_assert_int_eq(res.eval_count, rc_field(fd, "eval_count"));
	ck_assert_int_eq(res.eval_duration_ns, rc_field(fd, "eval_duration"));
	ck_assert_int_eq(res.prompt_eval_count, rc_field(fd, "prompt_eval_count"));
	ck_assert_int_eq(res.load_duration_ns, rc_field(fd, "load_duration"));
	ck_assert_str_eq(res.response, cJSON_GetObjectItem(cd, "response")->valuestring);
	ollama_gen_result_release(&res);
	free(body);
	cJSON_free(a);
	cJSON_free(z);
	cJSON_Delete(cd);
	cJSON_Delete(fd);
	free(c);
	free(f);
}
END_TEST

START_TEST(test_stream_thinking)
{
	static const char *const lines[] = {
		"{\"model\":\"q\",\"response\":\"\",\"thinking\":\"Hmm\",\"done\":false}",
		"{\"model\":\"q\",\"response\":\"\",\"thinking\":\", ok\",\"done\":false}",
		"{\"model\":\"q\",\"response\":\"\",\"done\":false}",
		"{\"model\":\"q\",\"response\":\"Yes\",\"done\":false}",
		"{\"model\":\"q\",\"response\":\"\",\"done\":true,\"done_reason\":\"length\","
		"\"total_duration\":5,\"load_duration\":1,\"prompt_eval_count\":2,"
		"\"prompt_eval_duration\":3,\"eval_count\":4,\"eval_duration\":6}",
	};
	char body[1024] = "";
	size_t i, off = 0;
	struct ollama_gen_result res;
	struct ollama_error err;

	for (i = 0; i < 5; i++)
		off += (size_t)snprintf(body + off, sizeof(body) - off, "%s\r\n", lines[i]);
	rc_serve(rc_srv, "POST", "/api/generate", 200, CT_NDJSON, body, off, 1, 1);
	ck_assert_int_eq(rc_generate(rc_cli, 1, &res, &err), 0);
	ck_assert_str_eq(res.thinking, "Hmm, ok");
	ck_assert_str_eq(res.response, "Yes");
	ck_assert_uint_eq(res.n_lines, 5);
	ck_assert_uint_eq(res.n_chunks, 3);
	ck_assert_str_eq(res.done_reason, "length");
	ck_assert_int_eq(res.total_duration_ns, 5);
	ck_assert_int_eq(res.load_duration_ns, 1);
	ck_assert_int_eq(res.prompt_eval_count, 2);
	ck_assert_int_eq(res.prompt_eval_duration_ns, 3);
	ck_assert_int_eq(res.eval_count, 4);
	ck_assert_int_eq(res.eval_duration_ns, 6);
	ollama_gen_result_release(&res);
}
END_TEST

START_TEST(test_stream_midstream_error)
{
	size_t len;
	char *b = rc_fixture("docs_errors_midstream_error.ndjson", &len);
	struct ollama_gen_result res;
	struct ollama_error err;

	rc_serve(rc_srv, "POST", "/api/generate", 200, CT_NDJSON, b, len, 1, _i ? 1 : 0);
	ck_assert_int_eq(rc_generate(rc_cli, 1, &res, &err), -1);
	ck_assert_int_eq(err.cls, OLLAMA_ERR_MIDSTREAM_ERROR);
	ck_assert_int_eq(err.http_status, 200);
	ck_assert_str_eq(err.message, "an error was encountered while running the model");
	ck_assert_str_eq(res.response, " Yes.Ican");
	ck_assert_uint_eq(res.n_chunks, 4);
	ck_assert_int_eq(res.done, 0);
	ollama_gen_result_release(&res);
	free(b);
}
END_TEST

START_TEST(test_stream_error_line_first)
{
	/* servers up to v0.12.5: a load failure as the first line of a 200 stream */
	cJSON *o = cJSON_CreateObject();
	char *line, body[512];
	struct ollama_gen_result res;
	struct ollama_error err;

	cJSON_AddStringToObject(o, "error",
				"llama runner process has terminated: cudaMalloc failed: out of memory");
	line = cJSON_PrintUnformatted(o);
	snprintf(body, sizeof(body), "%s\n", line);
	rc_serve(rc_srv, "POST", "/api/generate", 200, CT_NDJSON, body, strlen(body), 1, 0);
	ck_assert_int_eq(rc_generate(rc_cli, 1, &res, &err), -1);
	ck_assert_int_eq(err.cls, OLLAMA_ERR_OOM);
	ck_assert_ptr_nonnull(strstr(err.message, "cudaMalloc failed"));
	ollama_gen_result_release(&res);
	cJSON_free(line);
	cJSON_Delete(o);
}
END_TEST

/* The sample cut after every byte count, then served complete (the stream
 * ends cleanly but early): done only when the whole final line arrived. */
START_TEST(test_stream_truncated_everywhere)
{
	size_t len, cut, last_close;
	char *b = rc_fixture("docs_streaming_generate.ndjson", &len);
	struct ollama_gen_result res;
	struct ollama_error err;

	last_close = (size_t)(strrchr(b, '}') - b) + 1;
	for (cut = 0; cut < len; cut += (cut < 100 || cut > len - 100) ? 1 : 13) {
		int rc;
		rc_serve(rc_srv, "POST", "/api/generate", 200, CT_NDJSON, b, cut, 1, 17);
		rc = rc_generate(rc_cli, 1, &res, &err);
		if (cut >= last_close) {
			ck_assert_msg(rc == 0, "cut %zu: %s", cut, err.message);
		} else {
			ck_assert_msg(rc == -1, "cut %zu accepted", cut);
			ck_assert_int_eq(err.cls, OLLAMA_ERR_PROTOCOL);
			ck_assert_msg(strstr(err.message, "without a final chunk") ||
					      strstr(err.message, "is not a JSON object"),
				      "cut %zu: %s", cut, err.message);
		}
		ollama_gen_result_release(&res);
	}
	free(b);
}
END_TEST

START_TEST(test_stream_closed_early)
{
	static const size_t at[] = { 1, 50, 91, 92, 300, 600, 672 };
	size_t len;
	char *b = rc_fixture("docs_streaming_generate.ndjson", &len);
	struct replay_response r = REPLAY_RESPONSE_INIT;
	struct ollama_gen_result res;
	struct ollama_error err;

	r.content_type = CT_NDJSON;
	r.body = b;
	r.body_len = len;
	r.chunked = _i % 2;
	r.chunk_bytes = 16;
	r.close_early = 1;
	r.close_after_bytes = at[_i / 2];
	replay_server_set(rc_srv, "POST", "/api/generate", &r);
	ck_assert_int_eq(rc_generate(rc_cli, 1, &res, &err), -1);
	ck_assert_int_eq(err.cls, OLLAMA_ERR_PROTOCOL);
	ck_assert_msg(strstr(err.message, "cut short") || strstr(err.message, "final chunk") ||
			      strstr(err.message, "not a JSON object"),
		      "%s", err.message);
	ollama_gen_result_release(&res);
	free(b);
}
END_TEST

START_TEST(test_stream_not_json_line)
{
	const char *body = "{\"response\":\"a\",\"done\":false}\n<html>oops</html>\n";
	struct ollama_gen_result res;
	struct ollama_error err;

	rc_serve(rc_srv, "POST", "/api/generate", 200, CT_NDJSON, body, strlen(body), 1, 0);
	ck_assert_int_eq(rc_generate(rc_cli, 1, &res, &err), -1);
	ck_assert_int_eq(err.cls, OLLAMA_ERR_PROTOCOL);
	ck_assert_ptr_nonnull(strstr(err.message, "line 2"));
	ck_assert_ptr_nonnull(strstr(err.message, "'<html>oops</html>'"));
	ck_assert_uint_eq(res.n_lines, 1);
	ollama_gen_result_release(&res);
}
END_TEST

START_TEST(test_stream_line_over_max_body)
{
	size_t len;
	char *b = rc_fixture("docs_streaming_generate.ndjson", &len);
	struct ollama_gen_result res;
	struct ollama_error err;

	rc_serve(rc_srv, "POST", "/api/generate", 200, CT_NDJSON, b, len, 1, 5);
	ollama_client_set_max_body(rc_cli, 80);
	ck_assert_int_eq(rc_generate(rc_cli, 1, &res, &err), -1);
	ck_assert_int_eq(err.cls, OLLAMA_ERR_PROTOCOL);
	ck_assert_ptr_nonnull(strstr(err.message, "longer than the limit of 80 bytes"));
	ollama_gen_result_release(&res);
	free(b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ollama_stream");
	TCase *stream = tcase_create("stream");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(stream, rc_setup, rc_teardown);
	tcase_add_loop_test(stream, test_stream_sample_any_chunking, 0,
			    2 * (int)(sizeof(chunk_sizes) / sizeof(chunk_sizes[0])));
	tcase_add_test(stream, test_stream_chunk_plus_final_samples);
	tcase_add_test(stream, test_stream_thinking);
	tcase_add_loop_test(stream, test_stream_midstream_error, 0, 2);
	tcase_add_test(stream, test_stream_error_line_first);
	tcase_add_test(stream, test_stream_truncated_everywhere);
	tcase_add_loop_test(stream, test_stream_closed_early, 0, 14);
	tcase_add_test(stream, test_stream_not_json_line);
	tcase_add_test(stream, test_stream_line_over_max_body);
	suite_add_tcase(s, stream);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

// SPDX-License-Identifier: MIT
/*
 * Each --fault flag of o3-sim does what its README says, in both eras where
 * the text differs; a hung stream blocks neither other clients nor shutdown.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "sim_process.h"
#include "test_sim_http.h"

#define MODEL "qwen2.5:3b-instruct"

static void fault_sim(struct sim_process *sp, const char *fault, const char *version)
{
	const char *args[] = { "--time-scale", "0.01", "--fault", fault, "--ollama-version", version, NULL };
	ck_assert_msg(sim_start(sp, args, NULL) == 0, "cannot start %s --fault %s", sim_binary(), fault);
}

/* Request 1 loads the model; request 2 (streamed, 20 tokens) meets the fault. */
static void second_request(struct sim_process *sp, double timeout_s, struct http_reply *r)
{
	char *body;
	cJSON *doc = http_post_json(sp->host, "/api/generate",
				    cJSON_Parse("{\"model\":\"" MODEL "\",\"options\":{\"num_ctx\":4096}}"), NULL);
	cJSON_Delete(doc);
	body = sim_gen_body(MODEL, "Tell me a story.", 1, 20);
	http_do(sp->host, "POST", "/api/generate", body, timeout_s, r);
	free(body);
}

static int has_final(cJSON **lines, size_t n)
{
	return n && lines[n - 1] && cJSON_IsTrue(cJSON_GetObjectItem(lines[n - 1], "done"));
}

START_TEST(test_fault_crash_at_load)
{
	static const struct {
		const char *version, *prefix;
	} eras[] = {
		{ "0.33.0", "llama-server process has terminated: exit status 1: " },
		{ "0.24.0", "llama runner process has terminated: exit status 2" },
	};
	size_t i;
	for (i = 0; i < 2; i++) {
		struct sim_process sp;
		cJSON *doc;
		long status;
		fault_sim(&sp, "crash-at-load@1", eras[i].version);
		doc = http_post_json(sp.host, "/api/generate",
				     cJSON_Parse("{\"model\":\"" MODEL "\",\"prompt\":\"x\"}"), &status);
		ck_assert_int_eq(status, 500);
		ck_assert_msg(!strncmp(cJSON_GetStringValue(cJSON_GetObjectItem(doc, "error")), eras[i].prefix,
				       strlen(eras[i].prefix)), "%s", cJSON_GetStringValue(cJSON_GetObjectItem(doc, "error")));
		cJSON_Delete(doc);
		/* only the first request: the second loads */
		doc = http_post_json(sp.host, "/api/generate", cJSON_Parse("{\"model\":\"" MODEL "\"}"), &status);
		ck_assert_int_eq(status, 200);
		cJSON_Delete(doc);
		sim_stop(&sp);
	}
}
END_TEST

START_TEST(test_fault_midstream_error)
{
	struct sim_process sp;
	struct http_reply r;
	cJSON **lines;
	size_t n;
	fault_sim(&sp, "midstream-error@2", "0.33.0");
	second_request(&sp, 0, &r);
	ck_assert_int_eq(r.status, 200);
	n = ndjson_parse(r.body, &lines);
	ck_assert_uint_ge(n, 2);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(lines[n - 1], "error")),
			 "an error was encountered while running the model: unexpected EOF");
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(lines[0], "response"));
	ck_assert(!has_final(lines, n));
	ndjson_free(lines, n);
	http_reply_release(&r);
	sim_stop(&sp);
}
END_TEST

START_TEST(test_fault_disconnect)
{
	struct sim_process sp;
	struct http_reply r;
	cJSON **lines;
	size_t n;
	fault_sim(&sp, "disconnect@2", "0.33.0");
	second_request(&sp, 0, &r);
	ck_assert_msg(r.curl_rc != CURLE_OK, "the transfer ended cleanly");
	n = ndjson_parse(r.body, &lines);
	ck_assert_uint_ge(n, 1);
	ck_assert(!has_final(lines, n));
	ndjson_free(lines, n);
	http_reply_release(&r);
	sim_stop(&sp);
}
END_TEST

START_TEST(test_fault_hang)
{
	struct sim_process sp;
	struct http_reply r;
	cJSON **lines, *doc;
	size_t n;
	int status = -1, i;
	long code;
	fault_sim(&sp, "hang@2", "0.33.0");
	second_request(&sp, 1.0, &r);
	ck_assert_int_eq(r.curl_rc, CURLE_OPERATION_TIMEDOUT);
	ck_assert_int_eq(r.status, 200);
	n = ndjson_parse(r.body, &lines);
	ck_assert_uint_le(n, 1);
	ndjson_free(lines, n);
	http_reply_release(&r);
	/* the server still answers others */
	doc = http_get_json(sp.host, "/api/version", &code);
	ck_assert_int_eq(code, 200);
	cJSON_Delete(doc);
	/* and stops at once on SIGTERM */
	kill(sp.pid, SIGTERM);
	for (i = 0; i < 100 && waitpid(sp.pid, &status, WNOHANG) != sp.pid; i++) {
		struct timespec ts = { 0, 20000000L };
		nanosleep(&ts, NULL);
	}
	ck_assert_msg(i < 100, "o3-sim did not stop within 2 s of SIGTERM while a stream hung");
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	sp.pid = 0;
	sim_stop(&sp);
}
END_TEST

START_TEST(test_fault_slow_load)
{
	struct sim_process sp;
	struct http_reply r;
	cJSON *doc;
	char *body;
	fault_sim(&sp, "slow-load@1", "0.33.0");
	body = sim_gen_body(MODEL, "x", 0, 2);
	http_do(sp.host, "POST", "/api/generate", body, 0, &r);
	doc = cJSON_Parse(r.body);
	ck_assert_double_ge(json_num(doc, "load_duration", NULL), 30e9);
	ck_assert_double_ge(r.total_s, 0.30);
	cJSON_Delete(doc);
	http_reply_release(&r);
	free(body);
	sim_stop(&sp);
}
END_TEST

START_TEST(test_fault_malformed_line)
{
	struct sim_process sp;
	struct http_reply r;
	cJSON **lines;
	size_t n, i, bad = 0;
	fault_sim(&sp, "malformed-line@2", "0.33.0");
	second_request(&sp, 0, &r);
	n = ndjson_parse(r.body, &lines);
	ck_assert_uint_eq(n, 21);
	for (i = 0; i < n; i++)
		bad += lines[i] == NULL;
	ck_assert_uint_eq(bad, 1);
	ck_assert(has_final(lines, n));
	ndjson_free(lines, n);
	http_reply_release(&r);
	sim_stop(&sp);
}
END_TEST

START_TEST(test_fault_busy)
{
	struct sim_process sp;
	struct http_reply r;
	cJSON *doc;
	fault_sim(&sp, "busy", "0.33.0");
	second_request(&sp, 0, &r);
	ck_assert_int_eq(r.status, 503);
	doc = cJSON_Parse(r.body);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(doc, "error")),
			 "server busy, please try again.  maximum pending requests exceeded");
	cJSON_Delete(doc);
	http_reply_release(&r);
	sim_stop(&sp);
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("sim_faults");
	TCase *tc = tcase_create("faults");
	SRunner *sr;
	int failed;
	sim_binary_from_args(argc, argv);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_fault_crash_at_load);
	tcase_add_test(tc, test_fault_midstream_error);
	tcase_add_test(tc, test_fault_disconnect);
	tcase_add_test(tc, test_fault_hang);
	tcase_add_test(tc, test_fault_slow_load);
	tcase_add_test(tc, test_fault_malformed_line);
	tcase_add_test(tc, test_fault_busy);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	curl_global_cleanup();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

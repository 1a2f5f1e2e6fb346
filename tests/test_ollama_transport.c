// SPDX-License-Identifier: MIT
/*
 * The client's transport against the replay server: o3's connect,
 * first-byte, stall and total timeouts fire on time and say which; a closed
 * port is unreachable; one client serves many requests.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "clock.h"
#include "ollama.h"
#include "replay_client.h"
#include "replay_server.h"


/* ---- transport ------------------------------------------------------------ */

START_TEST(test_stall_timeout)
{
	size_t len;
	char *b = rc_fixture("docs_streaming_generate.ndjson", &len);
	struct replay_response r = REPLAY_RESPONSE_INIT;
	struct ollama_timeouts to;
	struct ollama_gen_result res;
	struct ollama_error err;
	uint64_t t0;
	double ms;

	r.content_type = CT_NDJSON;
	r.body = b;
	r.body_len = len;
	r.chunked = 1;
	r.stall_after_bytes = 93; /* the first line */
	r.stall_ms = 3000;
	replay_server_set(rc_srv, "POST", "/api/generate", &r);
	ollama_client_free(rc_cli);
	ollama_timeouts_default(&to);
	to.stall_ms = 300;
	rc_cli = rc_client(rc_srv, &to);
	t0 = clock_now_ns();
	ck_assert_int_eq(rc_generate(rc_cli, 1, &res, &err), -1);
	ms = rc_ms_since(t0);
	ck_assert_int_eq(err.cls, OLLAMA_ERR_CLIENT_TIMEOUT);
	ck_assert_ptr_nonnull(strstr(err.message, "stall timeout"));
	ck_assert_ptr_nonnull(strstr(err.message, "300 ms"));
	ck_assert_ptr_nonnull(strstr(err.message, replay_server_url(rc_srv)));
	/* the upper bound is the server's stall, not a speed: under valgrind on a
	 * busy machine a 300 ms timeout may take much longer to surface */
	ck_assert_msg(ms >= 290 && ms < 2500, "stall timeout after %.1f ms", ms);
	ck_assert_uint_eq(res.n_chunks, 1);
	ck_assert_str_eq(res.response, "That");
	ollama_gen_result_release(&res);
	free(b);
}
END_TEST

START_TEST(test_first_byte_timeout)
{
	struct replay_response r = REPLAY_RESPONSE_INIT;
	struct ollama_timeouts to;
	struct ollama_gen_result res;
	struct ollama_error err;
	uint64_t t0;
	double ms;

	r.body = "{}";
	r.body_len = 2;
	r.first_byte_delay_ms = 3000;
	replay_server_set(rc_srv, "POST", "/api/generate", &r);
	ollama_client_free(rc_cli);
	ollama_timeouts_default(&to);
	to.first_byte_ms = 250;
	rc_cli = rc_client(rc_srv, &to);
	t0 = clock_now_ns();
	ck_assert_int_eq(rc_generate(rc_cli, 1, &res, &err), -1);
	ms = rc_ms_since(t0);
	ck_assert_int_eq(err.cls, OLLAMA_ERR_CLIENT_TIMEOUT);
	ck_assert_ptr_nonnull(strstr(err.message, "first-byte timeout"));
	ck_assert_ptr_nonnull(strstr(err.message, "250 ms"));
	ck_assert_msg(ms >= 240 && ms < 2500, "first-byte timeout after %.1f ms", ms); /* < the 3 s delay */
	ck_assert_uint_eq(res.t_first_byte_ns, 0);
	ollama_gen_result_release(&res);
}
END_TEST

START_TEST(test_total_timeout)
{
	size_t len;
	char *b = rc_fixture("docs_streaming_generate.ndjson", &len);
	struct replay_response r = REPLAY_RESPONSE_INIT;
	struct ollama_timeouts to;
	struct ollama_gen_result res;
	struct ollama_error err;
	uint64_t t0;
	double ms;

	r.content_type = CT_NDJSON;
	r.body = b;
	r.body_len = len;
	r.chunked = 1;
	r.chunk_bytes = 92;
	r.delay_ms = 150; /* 7 lines: about 900 ms in all */
	replay_server_set(rc_srv, "POST", "/api/generate", &r);
	ollama_client_free(rc_cli);
	ollama_timeouts_default(&to);
	to.total_ms = 400;
	rc_cli = rc_client(rc_srv, &to);
	t0 = clock_now_ns();
	ck_assert_int_eq(rc_generate(rc_cli, 1, &res, &err), -1);
	ms = rc_ms_since(t0);
	ck_assert_int_eq(err.cls, OLLAMA_ERR_CLIENT_TIMEOUT);
	ck_assert_ptr_nonnull(strstr(err.message, "total timeout"));
	ck_assert_ptr_nonnull(strstr(err.message, "400 ms"));
	ck_assert_msg(ms >= 390, "total timeout after %.1f ms", ms); /* before the end: n_chunks < 7 */
	ck_assert_uint_gt(res.n_chunks, 0);
	ck_assert_uint_lt(res.n_chunks, 7);
	ollama_gen_result_release(&res);
	free(b);
}
END_TEST

START_TEST(test_slow_but_steady_stream_passes)
{
	size_t len;
	char *b = rc_fixture("docs_streaming_generate.ndjson", &len);
	struct replay_response r = REPLAY_RESPONSE_INIT;
	struct ollama_timeouts to;
	struct ollama_gen_result res;
	struct ollama_error err;

	r.content_type = CT_NDJSON;
	r.body = b;
	r.body_len = len;
	r.chunked = 1;
	r.chunk_bytes = 30;
	r.delay_ms = 40; /* 23 writes: ~900 ms in all, never 200 ms silent */
	replay_server_set(rc_srv, "POST", "/api/generate", &r);
	ollama_client_free(rc_cli);
	ollama_timeouts_default(&to);
	to.stall_ms = 200;
	to.first_byte_ms = 200;
	rc_cli = rc_client(rc_srv, &to);
	ck_assert_msg(rc_generate(rc_cli, 1, &res, &err) == 0, "%s", err.message);
	ck_assert_uint_eq(res.n_chunks, 7);
	/* the chunks arrived spread out, and were timed as they came */
	ck_assert_uint_gt(res.t_last_content_ns - res.t_first_content_ns, 500000000u);
	ollama_gen_result_release(&res);
	free(b);
}
END_TEST

START_TEST(test_connection_refused)
{
	struct replay_server *other = replay_server_start();
	char url[64], v[32];
	struct ollama_host h;
	struct ollama_client *c;
	struct ollama_error err;
	char e[128];

	ck_assert_ptr_nonnull(other);
	snprintf(url, sizeof(url), "%s", replay_server_url(other));
	replay_server_stop(other); /* the port is closed now */
	ck_assert_int_eq(ollama_host_parse(url, &h, e, sizeof(e)), 0);
	c = ollama_client_new(&h, NULL);
	ck_assert_int_eq(ollama_version(c, v, sizeof(v), &err), -1);
	ck_assert_int_eq(err.cls, OLLAMA_ERR_UNREACHABLE);
	ck_assert_int_eq(err.http_status, 0);
	ck_assert_msg(strstr(err.message, url) != NULL, "%s", err.message);
	ck_assert_str_eq(ollama_client_base_url(c), url);
	ollama_client_free(c);
}
END_TEST

/*
 * A loopback listener that never accepts, its backlog filled: further SYNs
 * are dropped, so a connect hangs as it would to a host that does not answer.
 */
START_TEST(test_connect_timeout)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	int lfd = socket(AF_INET, SOCK_STREAM, 0), fill[8], i;
	char url[64], v[32], e[128];
	struct ollama_timeouts to;
	struct ollama_host h;
	struct ollama_client *c;
	struct ollama_error err;
	uint64_t t0;
	double ms;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(lfd, 0), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&a, &alen), 0);
	for (i = 0; i < 8; i++) {
		fill[i] = socket(AF_INET, SOCK_STREAM, 0);
		fcntl(fill[i], F_SETFL, O_NONBLOCK);
		connect(fill[i], (struct sockaddr *)&a, sizeof(a));
	}
	snprintf(url, sizeof(url), "127.0.0.1:%d", ntohs(a.sin_port));
	ck_assert_int_eq(ollama_host_parse(url, &h, e, sizeof(e)), 0);
	ollama_timeouts_default(&to);
	to.connect_ms = 300;
	c = ollama_client_new(&h, &to);
	t0 = clock_now_ns();
	ck_assert_int_eq(ollama_version(c, v, sizeof(v), &err), -1);
	ms = rc_ms_since(t0);
	ck_assert_msg(err.cls == OLLAMA_ERR_CLIENT_TIMEOUT, "%s: %s",
		      ollama_err_class_name(err.cls), err.message);
	ck_assert_ptr_nonnull(strstr(err.message, "connect timeout"));
	ck_assert_ptr_nonnull(strstr(err.message, "300 ms"));
	ck_assert_msg(ms >= 290 && ms < 2500, "connect timeout after %.1f ms", ms);
	ollama_client_free(c);
	for (i = 0; i < 8; i++)
		close(fill[i]);
	close(lfd);
}
END_TEST

START_TEST(test_client_reused_for_many_requests)
{
	size_t len, i;
	char *b = rc_fixture("docs_version_response.json", &len), v[32];
	struct ollama_error err;

	rc_serve(rc_srv, "GET", "/api/version", 200, CT_JSON, b, len, 0, 0);
	for (i = 0; i < 50; i++)
		ck_assert_int_eq(ollama_version(rc_cli, v, sizeof(v), &err), 0);
	ck_assert_uint_eq(replay_server_request_count(rc_srv), 50);
	free(b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ollama_transport");
	TCase *transport = tcase_create("transport");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(transport, rc_setup, rc_teardown);
	tcase_add_test(transport, test_stall_timeout);
	tcase_add_test(transport, test_first_byte_timeout);
	tcase_add_test(transport, test_total_timeout);
	tcase_add_test(transport, test_slow_but_steady_stream_passes);
	tcase_add_test(transport, test_connection_refused);
	tcase_add_test(transport, test_connect_timeout);
	tcase_add_test(transport, test_client_reused_for_many_requests);
	suite_add_tcase(s, transport);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

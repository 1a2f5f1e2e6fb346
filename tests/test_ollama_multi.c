// SPDX-License-Identifier: MIT
/*
 * ollama_multi against the replay server: N /api/generate transfers at once
 * on one multi handle, each answered by its own script (routed on its
 * prompt). Each gets its own result, cut into chunks anywhere; a timeout or
 * an error on one ends that one alone; every request carries the client's
 * own headers (Accept-Encoding included) and body, byte for byte those of
 * ollama_generate; a done callback chains a stream's next request.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "clock.h"
#include "ollama.h"
#include "replay_client.h"
#include "replay_server.h"

#define MAX_SLOTS 8

/* What came back to the done callback. */
struct outcome {
	int calls[MAX_SLOTS];
	int rc[MAX_SLOTS];
	uint64_t end_ns[MAX_SLOTS];
};

static void on_done(struct ollama_multi *m, int slot, int rc, void *ud)
{
	struct outcome *o = ud;
	(void)m;
	ck_assert_int_lt(slot, MAX_SLOTS);
	o->calls[slot]++;
	o->rc[slot] = rc;
	o->end_ns[slot] = clock_now_ns();
}

/* The prompt of slot i, and the text a body contains when it was sent. */
static void prompt_of(int i, char *buf, size_t len)
{
	snprintf(buf, len, "prompt %d", i);
}

static void match_of(int i, char *buf, size_t len)
{
	snprintf(buf, len, "\"prompt\":\"prompt %d\"", i);
}

/* A stream of its own for slot i: 3 + i content lines "s<i>.<k> ", then a
 * final chunk with eval_count 100 + i. Malloced. */
static char *stream_of(int i, size_t *len)
{
	char *b = malloc(4096);
	size_t off = 0;
	int k;

	ck_assert_ptr_nonnull(b);
	for (k = 0; k < 3 + i; k++)
		off += (size_t)snprintf(b + off, 4096 - off,
					"{\"model\":\"m\",\"response\":\"s%d.%d \",\"done\":false}\n", i,
					k);
	off += (size_t)snprintf(b + off, 4096 - off,
				"{\"model\":\"m\",\"response\":\"\",\"done\":true,\"done_reason\":\"stop\","
				"\"total_duration\":9000,\"prompt_eval_count\":%d,"
				"\"prompt_eval_duration\":%d,\"eval_count\":%d,\"eval_duration\":%d}\n",
				20 + i, 1000 + i, 100 + i, 5000 + i);
	*len = off;
	return b;
}

/* The response text slot i's stream stands for. */
static void text_of(int i, char *buf, size_t len)
{
	size_t off = 0;
	int k;
	buf[0] = '\0';
	for (k = 0; k < 3 + i; k++)
		off += (size_t)snprintf(buf + off, len - off, "s%d.%d ", i, k);
}

static void serve_stream(int i, size_t chunk_bytes, long first_byte_delay_ms, long delay_ms)
{
	struct replay_response r = REPLAY_RESPONSE_INIT;
	char match[64];
	size_t len;
	char *b = stream_of(i, &len);

	match_of(i, match, sizeof(match));
	r.content_type = CT_NDJSON;
	r.body = b;
	r.body_len = len;
	r.chunked = 1;
	r.chunk_bytes = chunk_bytes;
	r.first_byte_delay_ms = first_byte_delay_ms;
	r.delay_ms = delay_ms;
	replay_server_set_when(rc_srv, "POST", "/api/generate", match, &r);
	free(b);
}

static void request_of(int i, char *prompt, size_t len, struct ollama_gen_request *req)
{
	prompt_of(i, prompt, len);
	memset(req, 0, sizeof(*req));
	req->model = "m";
	req->prompt = prompt;
	req->stream = 1;
	req->keep_alive = "5m";
	req->think = -1;
}

static void check_own_result(int i, const struct ollama_gen_result *res)
{
	char want[512];
	size_t k;

	text_of(i, want, sizeof(want));
	ck_assert_str_eq(res->response, want);
	ck_assert_int_eq(res->done, 1);
	ck_assert_str_eq(res->done_reason, "stop");
	ck_assert_uint_eq(res->n_chunks, (size_t)(3 + i));
	ck_assert_uint_eq(res->n_lines, (size_t)(4 + i));
	ck_assert_int_eq(res->eval_count, 100 + i);
	ck_assert_int_eq(res->eval_duration_ns, 5000 + i);
	ck_assert_int_eq(res->prompt_eval_count, 20 + i);
	ck_assert_int_eq(res->prompt_eval_duration_ns, 1000 + i);
	ck_assert_int_eq(res->total_duration_ns, 9000);
	ck_assert_uint_gt(res->t_sent_ns, 0);
	ck_assert_uint_ge(res->t_first_byte_ns, res->t_sent_ns);
	ck_assert_uint_ge(res->t_first_content_ns, res->t_first_byte_ns);
	ck_assert_uint_eq(res->chunk_ns[0], res->t_first_content_ns);
	ck_assert_uint_eq(res->chunk_ns[res->n_chunks - 1], res->t_last_content_ns);
	for (k = 1; k < res->n_chunks; k++)
		ck_assert_uint_ge(res->chunk_ns[k], res->chunk_ns[k - 1]);
	ck_assert_uint_ge(res->t_done_ns, res->t_last_content_ns);
}

/* ---- each transfer its own result, whatever the chunking ------------------ */

static const size_t chunk_sizes[] = { 0, 1, 2, 3, 7, 64 };

START_TEST(test_each_gets_its_own_result)
{
	enum { N = 5 };
	struct ollama_multi *m = ollama_multi_new(rc_cli, N);
	struct ollama_gen_result res[N];
	struct ollama_error err[N];
	struct ollama_gen_request req;
	struct outcome o;
	char prompt[N][32];
	int i;

	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(ollama_multi_slots(m), N);
	for (i = 0; i < N; i++) {
		/* slot i's chunks cut at its own size, so the slots' chunks interleave */
		serve_stream(i, chunk_sizes[(_i + i) % 6], 0, 2);
		ollama_gen_result_init(&res[i]);
	}
	for (i = 0; i < N; i++) {
		request_of(i, prompt[i], sizeof(prompt[i]), &req);
		ck_assert_int_eq(ollama_multi_start(m, i, &req, &res[i], &err[i]), 0);
		ck_assert_int_eq(ollama_multi_busy(m, i), 1);
	}
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(ollama_multi_run(m, on_done, &o), 0);
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(o.calls[i], 1);
		ck_assert_msg(o.rc[i] == 0, "slot %d: %s", i, err[i].message);
		ck_assert_int_eq(err[i].cls, OLLAMA_OK);
		ck_assert_int_eq(ollama_multi_busy(m, i), 0);
		check_own_result(i, &res[i]);
		ollama_gen_result_release(&res[i]);
	}
	ck_assert_uint_eq(replay_server_request_count(rc_srv), N);
	ollama_multi_free(m);
}
END_TEST

/*
 * The transfers overlap: 4 answers that each wait 400 ms before their first
 * byte end in well under the 1.6 s that one after another would take.
 */
START_TEST(test_transfers_overlap)
{
	enum { N = 4 };
	struct ollama_multi *m = ollama_multi_new(rc_cli, N);
	struct ollama_gen_result res[N];
	struct ollama_error err[N];
	struct ollama_gen_request req;
	struct outcome o;
	char prompt[N][32];
	uint64_t t0;
	double ms;
	int i;

	for (i = 0; i < N; i++) {
		serve_stream(i, 16, 400, 0);
		ollama_gen_result_init(&res[i]);
	}
	t0 = clock_now_ns();
	for (i = 0; i < N; i++) {
		request_of(i, prompt[i], sizeof(prompt[i]), &req);
		ck_assert_int_eq(ollama_multi_start(m, i, &req, &res[i], &err[i]), 0);
	}
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(ollama_multi_run(m, on_done, &o), 0);
	ms = rc_ms_since(t0);
	for (i = 0; i < N; i++) {
		ck_assert_msg(o.rc[i] == 0, "slot %d: %s", i, err[i].message);
		check_own_result(i, &res[i]);
		/* each waited its 400 ms on its own clock */
		ck_assert_uint_ge(res[i].t_first_byte_ns - res[i].t_sent_ns, 390000000u);
		ollama_gen_result_release(&res[i]);
	}
	/* one after another they would take 1600 ms */
	ck_assert_msg(ms >= 390 && ms < 1500, "4 transfers of 400 ms took %.0f ms", ms);
	ollama_multi_free(m);
}
END_TEST

/* ---- a failure ends one transfer, not the others ---------------------------- */

START_TEST(test_one_fails_the_others_go_on)
{
	enum { N = 8 };
	struct ollama_multi *m;
	struct ollama_gen_result res[N];
	struct ollama_error err[N];
	struct ollama_gen_request req;
	struct ollama_timeouts to;
	struct replay_response r = REPLAY_RESPONSE_INIT;
	struct outcome o;
	char prompt[N][32], match[64];
	size_t len;
	char *b;
	int i;

	ollama_client_free(rc_cli);
	ollama_timeouts_default(&to);
	to.first_byte_ms = 600;
	to.stall_ms = 300;
	rc_cli = rc_client(rc_srv, &to);
	m = ollama_multi_new(rc_cli, N);
	ck_assert_ptr_nonnull(m);
	/* 0, 7: fine, slowly (they outlive every failure below) */
	serve_stream(0, 1, 0, 3);
	serve_stream(7, 5, 0, 10);
	/* 1: a stall after its first line */
	b = stream_of(1, &len);
	match_of(1, match, sizeof(match));
	r.content_type = CT_NDJSON;
	r.body = b;
	r.body_len = len;
	r.chunked = 1;
	r.stall_after_bytes = (size_t)(strchr(b, '\n') - b) + 1; /* the first line */
	r.stall_ms = 5000;
	replay_server_set_when(rc_srv, "POST", "/api/generate", match, &r);
	/* 2: no first byte in time */
	memset(&r, 0, sizeof(r));
	r.content_type = CT_NDJSON;
	r.body = b;
	r.body_len = len;
	r.chunked = 1;
	r.first_byte_delay_ms = 5000;
	match_of(2, match, sizeof(match));
	replay_server_set_when(rc_srv, "POST", "/api/generate", match, &r);
	/* 3: cut off in the middle */
	memset(&r, 0, sizeof(r));
	r.content_type = CT_NDJSON;
	r.body = b;
	r.body_len = len;
	r.chunked = 1;
	r.close_early = 1;
	r.close_after_bytes = 70;
	match_of(3, match, sizeof(match));
	replay_server_set_when(rc_srv, "POST", "/api/generate", match, &r);
	free(b);
	/* 4: an OOM as Ollama answers it (HTTP 500, one document) */
	match_of(4, match, sizeof(match));
	b = strdup("{\"error\":\"model requires more system memory (12.3 GiB) than is available "
		   "(4.0 GiB)\"}");
	memset(&r, 0, sizeof(r));
	r.status = 500;
	r.body = b;
	r.body_len = strlen(b);
	replay_server_set_when(rc_srv, "POST", "/api/generate", match, &r);
	free(b);
	/* 5: an error line after content on a 200 */
	match_of(5, match, sizeof(match));
	b = strdup("{\"response\":\"a\",\"done\":false}\n{\"error\":\"an error was encountered while "
		   "running the model: unexpected EOF\"}\n");
	memset(&r, 0, sizeof(r));
	r.content_type = CT_NDJSON;
	r.body = b;
	r.body_len = strlen(b);
	r.chunked = 1;
	r.chunk_bytes = 3;
	replay_server_set_when(rc_srv, "POST", "/api/generate", match, &r);
	free(b);
	/* 6: a line that is not JSON */
	match_of(6, match, sizeof(match));
	b = strdup("{\"response\":\"a\",\"done\":false}\nnot json at all\n");
	memset(&r, 0, sizeof(r));
	r.content_type = CT_NDJSON;
	r.body = b;
	r.body_len = strlen(b);
	r.chunked = 1;
	replay_server_set_when(rc_srv, "POST", "/api/generate", match, &r);
	free(b);

	for (i = 0; i < N; i++) {
		ollama_gen_result_init(&res[i]);
		request_of(i, prompt[i], sizeof(prompt[i]), &req);
		ck_assert_int_eq(ollama_multi_start(m, i, &req, &res[i], &err[i]), 0);
	}
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(ollama_multi_run(m, on_done, &o), 0);
	for (i = 0; i < N; i++)
		ck_assert_int_eq(o.calls[i], 1);

	ck_assert_msg(o.rc[0] == 0, "%s", err[0].message);
	ck_assert_msg(o.rc[7] == 0, "%s", err[7].message);
	check_own_result(0, &res[0]);
	check_own_result(7, &res[7]);
	ck_assert_int_eq(o.rc[1], -1);
	ck_assert_int_eq(err[1].cls, OLLAMA_ERR_CLIENT_TIMEOUT);
	ck_assert_ptr_nonnull(strstr(err[1].message, "stall timeout"));
	ck_assert_uint_eq(res[1].n_chunks, 1); /* what came before the stall is kept */
	ck_assert_int_eq(err[2].cls, OLLAMA_ERR_CLIENT_TIMEOUT);
	ck_assert_ptr_nonnull(strstr(err[2].message, "first-byte timeout"));
	ck_assert_int_eq(err[3].cls, OLLAMA_ERR_PROTOCOL);
	ck_assert_int_eq(err[4].cls, OLLAMA_ERR_OOM);
	ck_assert_int_eq(err[4].http_status, 500);
	ck_assert_ptr_nonnull(strstr(err[4].message, "requires more system memory"));
	ck_assert_int_eq(err[5].cls, OLLAMA_ERR_MIDSTREAM_ERROR);
	ck_assert_str_eq(res[5].response, "a");
	ck_assert_int_eq(err[6].cls, OLLAMA_ERR_PROTOCOL);
	ck_assert_ptr_nonnull(strstr(err[6].message, "not a JSON object"));
	/* the timeouts fired on their own transfer's clock, while 0 and 7 went on */
	ck_assert_uint_lt(o.end_ns[1], o.end_ns[7]);
	ck_assert_uint_lt(o.end_ns[2], o.end_ns[7]);
	ck_assert_msg(o.end_ns[2] - res[2].t_sent_ns < 1500000000u, "first-byte timeout after %.0f ms",
		      (double)(o.end_ns[2] - res[2].t_sent_ns) / 1e6);
	for (i = 0; i < N; i++)
		ollama_gen_result_release(&res[i]);
	ollama_multi_free(m);
}
END_TEST

/* ---- the client's own request ------------------------------------------------ */

static void check_same_header(size_t single, size_t multi, const char *name)
{
	char *a = replay_server_request_header(rc_srv, single, name);
	char *b = replay_server_request_header(rc_srv, multi, name);
	ck_assert_msg(a != NULL, "ollama_generate sent no %s", name);
	ck_assert_msg(b != NULL, "ollama_multi sent no %s", name);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
}

START_TEST(test_same_request_as_generate)
{
	struct ollama_multi *m = ollama_multi_new(rc_cli, 2);
	struct ollama_gen_result res;
	struct ollama_error err;
	struct ollama_gen_request req;
	struct outcome o;
	char prompt[32], *single_body, *multi_body, *ae;
	cJSON *opts = cJSON_CreateObject();
	size_t i;

	cJSON_AddNumberToObject(opts, "num_ctx", 8192);
	serve_stream(0, 0, 0, 0);
	request_of(0, prompt, sizeof(prompt), &req);
	req.options = opts;
	req.system = "be brief";
	req.keep_alive = "300";
	ollama_gen_result_init(&res);
	ck_assert_int_eq(ollama_generate(rc_cli, &req, &res, &err), 0);
	single_body = replay_server_last_body(rc_srv);
	ck_assert_int_eq(ollama_multi_start(m, 1, &req, &res, &err), 0);
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(ollama_multi_run(m, on_done, &o), 0);
	ck_assert_int_eq(o.rc[1], 0);
	check_own_result(0, &res);
	multi_body = replay_server_last_body(rc_srv);
	ck_assert_str_eq(multi_body, single_body);
	ck_assert_ptr_nonnull(strstr(multi_body, "\"keep_alive\":300"));

	ck_assert_uint_eq(replay_server_request_count(rc_srv), 2);
	ae = replay_server_request_header(rc_srv, 1, "Accept-Encoding");
	ck_assert_msg(ae != NULL, "no Accept-Encoding header");
	ck_assert_str_eq(ae, "identity");
	free(ae);
	check_same_header(0, 1, "Accept-Encoding");
	check_same_header(0, 1, "Content-Type");
	check_same_header(0, 1, "User-Agent");
	check_same_header(0, 1, "Content-Length");
	for (i = 0; i < 2; i++) {
		char *expect = replay_server_request_header(rc_srv, i, "Expect");
		ck_assert_ptr_null(expect);
	}
	ollama_gen_result_release(&res);
	free(single_body);
	free(multi_body);
	cJSON_Delete(opts);
	ollama_multi_free(m);
}
END_TEST

/* ---- a scheduler: done starts the next ---------------------------------------- */

struct chain {
	struct ollama_gen_result res[3];
	struct ollama_error err[3];
	char prompt[3][32];
	int sent[3], ok[3];
	int per_slot;
};

static void chain_next(struct ollama_multi *m, int slot, void *ud)
{
	struct chain *ch = ud;
	struct ollama_gen_request req;

	if (ch->sent[slot] == ch->per_slot)
		return;
	ch->sent[slot]++;
	request_of(slot, ch->prompt[slot], sizeof(ch->prompt[slot]), &req);
	ck_assert_int_eq(ollama_multi_start(m, slot, &req, &ch->res[slot], &ch->err[slot]), 0);
}

static void chain_done(struct ollama_multi *m, int slot, int rc, void *ud)
{
	struct chain *ch = ud;
	if (rc == 0) {
		check_own_result(slot, &ch->res[slot]);
		ch->ok[slot]++;
	}
	chain_next(m, slot, ud);
}

START_TEST(test_done_starts_the_next)
{
	struct ollama_multi *m = ollama_multi_new(rc_cli, 3);
	struct ollama_gen_request req;
	struct chain ch;
	struct ollama_error err;
	struct ollama_gen_result busy;
	char prompt[32];
	int i;

	memset(&ch, 0, sizeof(ch));
	ch.per_slot = 6;
	for (i = 0; i < 3; i++) {
		serve_stream(i, (size_t)(i * 5), 0, 1);
		ollama_gen_result_init(&ch.res[i]);
		chain_next(m, i, &ch);
	}
	/* a busy slot refuses another request, and says so */
	ollama_gen_result_init(&busy);
	request_of(0, prompt, sizeof(prompt), &req);
	ck_assert_int_eq(ollama_multi_start(m, 0, &req, &busy, &err), -1);
	ck_assert_int_eq(err.cls, OLLAMA_ERR_BAD_REQUEST);
	ck_assert_int_eq(ollama_multi_start(m, 3, &req, &busy, &err), -1);
	ck_assert_int_eq(ollama_multi_run(m, chain_done, &ch), 0);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(ch.sent[i], 6);
		ck_assert_int_eq(ch.ok[i], 6);
		ollama_gen_result_release(&ch.res[i]);
	}
	ck_assert_uint_eq(replay_server_request_count(rc_srv), 18);
	ollama_gen_result_release(&busy);
	ollama_multi_free(m);
}
END_TEST

/* ---- nothing listens --------------------------------------------------------- */

START_TEST(test_unreachable)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port, i;
	struct ollama_host h;
	struct ollama_client *c;
	struct ollama_multi *m;
	struct ollama_gen_result res[3];
	struct ollama_error err[3];
	struct ollama_gen_request req;
	struct outcome o;
	char hostport[64], msg[256], prompt[3][32];

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	port = ntohs(a.sin_port);
	close(fd);
	snprintf(hostport, sizeof(hostport), "127.0.0.1:%d", port);
	ck_assert_int_eq(ollama_host_parse(hostport, &h, msg, sizeof(msg)), 0);
	c = ollama_client_new(&h, NULL);
	m = ollama_multi_new(c, 3);
	for (i = 0; i < 3; i++) {
		ollama_gen_result_init(&res[i]);
		request_of(i, prompt[i], sizeof(prompt[i]), &req);
		ck_assert_int_eq(ollama_multi_start(m, i, &req, &res[i], &err[i]), 0);
	}
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(ollama_multi_run(m, on_done, &o), 0);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(o.calls[i], 1);
		ck_assert_int_eq(o.rc[i], -1);
		ck_assert_int_eq(err[i].cls, OLLAMA_ERR_UNREACHABLE);
		ck_assert_ptr_nonnull(strstr(err[i].message, hostport));
		ck_assert_uint_eq(res[i].t_first_byte_ns, 0);
		ollama_gen_result_release(&res[i]);
	}
	ollama_multi_free(m);
	ollama_client_free(c);
}
END_TEST

/* Started and never run: freed all the same. */
START_TEST(test_free_unrun)
{
	struct ollama_multi *m = ollama_multi_new(rc_cli, 2);
	struct ollama_gen_result res;
	struct ollama_error err;
	struct ollama_gen_request req;
	char prompt[32];

	ck_assert_ptr_null(ollama_multi_new(rc_cli, 0));
	ollama_gen_result_init(&res);
	request_of(0, prompt, sizeof(prompt), &req);
	ck_assert_int_eq(ollama_multi_start(m, 1, &req, &res, &err), 0);
	ollama_multi_free(m);
	ollama_gen_result_release(&res);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ollama_multi");
	TCase *tc = tcase_create("multi");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, rc_setup, rc_teardown);
	tcase_add_loop_test(tc, test_each_gets_its_own_result, 0, 6);
	tcase_add_test(tc, test_transfers_overlap);
	tcase_add_test(tc, test_one_fails_the_others_go_on);
	tcase_add_test(tc, test_same_request_as_generate);
	tcase_add_test(tc, test_done_starts_the_next);
	tcase_add_test(tc, test_unreachable);
	tcase_add_test(tc, test_free_unrun);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

// SPDX-License-Identifier: MIT
#include "replay_client.h"

#include <check.h>
#include <string.h>

#include "clock.h"

struct ollama_client *rc_client(struct replay_server *srv, const struct ollama_timeouts *to)
{
	struct ollama_timeouts def;
	struct ollama_host h;
	struct ollama_client *c;
	char err[256];

	if (!to) {
		ollama_timeouts_default(&def);
		def.first_byte_ms = 10000;
		def.stall_ms = 10000;
		to = &def;
	}
	ck_assert_int_eq(ollama_host_parse(replay_server_url(srv), &h, err, sizeof(err)), 0);
	c = ollama_client_new(&h, to);
	ck_assert_ptr_nonnull(c);
	return c;
}

char *rc_fixture(const char *name, size_t *len)
{
	char *b = replay_fixture_body(name, len);
	ck_assert_msg(b != NULL, "cannot read fixture %s (O3_SOURCE_ROOT?)", name);
	return b;
}

void rc_serve(struct replay_server *srv, const char *method, const char *path, int status,
	      const char *ct, const char *body, size_t len, int chunked, size_t chunk_bytes)
{
	struct replay_response r = REPLAY_RESPONSE_INIT;
	r.status = status;
	r.content_type = ct;
	r.body = body;
	r.body_len = len;
	r.chunked = chunked;
	r.chunk_bytes = chunk_bytes;
	replay_server_set(srv, method, path, &r);
}

int rc_generate(struct ollama_client *cli, int stream, struct ollama_gen_result *res,
		struct ollama_error *err)
{
	struct ollama_gen_request req = {
		.model = "gemma4", .prompt = "Why is the sky blue?", .stream = stream, .think = -1,
	};
	ollama_gen_result_init(res);
	return ollama_generate(cli, &req, res, err);
}

double rc_ms_since(uint64_t t0_ns)
{
	return (double)(clock_now_ns() - t0_ns) / 1e6;
}

long long rc_field(const cJSON *doc, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, key);
	return cJSON_IsNumber(v) ? (long long)v->valuedouble : -1;
}

struct replay_server *rc_srv;
struct ollama_client *rc_cli;

void rc_setup(void)
{
	rc_srv = replay_server_start();
	ck_assert_ptr_nonnull(rc_srv);
	rc_cli = rc_client(rc_srv, NULL);
}

void rc_teardown(void)
{
	ollama_client_free(rc_cli);
	rc_cli = NULL;
	replay_server_stop(rc_srv);
	rc_srv = NULL;
}

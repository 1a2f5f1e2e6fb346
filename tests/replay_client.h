/* SPDX-License-Identifier: MIT */
#ifndef O3_TESTS_REPLAY_CLIENT_H
#define O3_TESTS_REPLAY_CLIENT_H
/* Helpers shared by the client's replay tests (Check assertions inside). */
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "ollama.h"
#include "replay_server.h"

#define CT_JSON "application/json; charset=utf-8"
#define CT_NDJSON "application/x-ndjson"

/* A client for the server; to NULL: defaults with 10 s first-byte and stall
 * timeouts, so that a hung test fails in seconds. */
struct ollama_client *rc_client(struct replay_server *srv, const struct ollama_timeouts *to);

/* The checked fixture the client tests share: a replay server and a client
 * of it with default timeouts, fresh for every test. */
extern struct replay_server *rc_srv;
extern struct ollama_client *rc_cli;
void rc_setup(void);
void rc_teardown(void);
/* replay_fixture_body(), asserting that it could be read. */
char *rc_fixture(const char *name, size_t *len);
/* Script a plain response. */
void rc_serve(struct replay_server *srv, const char *method, const char *path, int status,
	      const char *ct, const char *body, size_t len, int chunked, size_t chunk_bytes);
/* generate "Why is the sky blue?" with gemma4; res is initialised here. */
int rc_generate(struct ollama_client *cli, int stream, struct ollama_gen_result *res,
		struct ollama_error *err);
double rc_ms_since(uint64_t t0_ns);
/* A number field of a sample as the client reports it: -1 when absent. */
long long rc_field(const cJSON *doc, const char *key);

#endif

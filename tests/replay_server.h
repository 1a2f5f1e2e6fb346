/* SPDX-License-Identifier: MIT */
#ifndef O3_TESTS_REPLAY_SERVER_H
#define O3_TESTS_REPLAY_SERVER_H
/*
 * A loopback HTTP server for tests (libmicrohttpd, threads inside the test
 * process). A test scripts what each route answers: status, content type,
 * body, how the body is cut and paced, where it stalls or breaks off. It
 * binds 127.0.0.1 on a free port (port 0) and records every request (its
 * headers too) so the test can check what the client sent.
 *
 *	struct replay_server *s = replay_server_start();
 *	struct replay_response r = REPLAY_RESPONSE_INIT;
 *	r.content_type = "application/x-ndjson";
 *	r.body = text; r.body_len = strlen(text); r.chunk_bytes = 1;
 *	replay_server_set(s, "POST", "/api/generate", &r);
 *	... client against replay_server_url(s) ...
 *	replay_server_stop(s);
 *
 * Unscripted routes answer 404 {"error":"replay: no route for <METHOD> <path>"}.
 * replay_server_stop() interrupts any response that is sleeping, so a test
 * that stops the server never waits for a scripted stall to end.
 */
#include <stddef.h>

struct replay_response {
	int status;               /* HTTP status; 0 means 200 */
	const char *content_type; /* NULL: "application/json; charset=utf-8" */
	const char *body;         /* copied by replay_server_set(); may hold NULs */
	size_t body_len;
	int chunked;              /* 1: Transfer-Encoding: chunked (as Ollama
				     streams); 0: Content-Length */
	size_t chunk_bytes;       /* at most this many bytes per write; 0: all */
	long first_byte_delay_ms; /* wait before sending anything, headers included */
	long delay_ms;            /* wait between two writes */
	size_t stall_after_bytes; /* after this many body bytes ... */
	long stall_ms;            /* ... send nothing for this long (0: no stall) */
	int close_early;          /* 1: drop the connection ... */
	size_t close_after_bytes; /* ... after this many body bytes */
};
#define REPLAY_RESPONSE_INIT { 0 }

struct replay_server;

/* NULL when the server cannot start (the reason is printed to stderr). */
struct replay_server *replay_server_start(void);
void replay_server_stop(struct replay_server *s);
int replay_server_port(const struct replay_server *s);
/* "http://127.0.0.1:<port>" */
const char *replay_server_url(const struct replay_server *s);

/* Script (or re-script) the answer to method+path; method NULL = any. */
void replay_server_set(struct replay_server *s, const char *method, const char *path,
		       const struct replay_response *r);
/* The same for the requests whose body contains body_contains (those routes
 * are tried first): e.g. one answer per prompt of concurrent requests. */
void replay_server_set_when(struct replay_server *s, const char *method, const char *path,
			    const char *body_contains, const struct replay_response *r);
/* Forget every route. */
void replay_server_clear(struct replay_server *s);

/* Requests received so far, and copies of the last one's parts (malloced,
 * "" when none). */
size_t replay_server_request_count(struct replay_server *s);
char *replay_server_last_method(struct replay_server *s);
char *replay_server_last_path(struct replay_server *s);
char *replay_server_last_body(struct replay_server *s);

/* The value of header name (case-insensitive) in the i-th request received
 * (0-based), malloced; NULL when that request had no such header. */
char *replay_server_request_header(struct replay_server *s, size_t i, const char *name);

/* The bytes of fixtures/replay/ollama/<name> (found through O3_SOURCE_ROOT),
 * malloced and NUL-terminated; NULL when it cannot be read. */
char *replay_fixture_read(const char *name, size_t *len);

/*
 * The body a sample stands for, as compact JSON text (malloced): a .json or
 * .ndjson file as it is; a docs/openapi .yaml example (the value under
 * "example:") converted through libyaml. NULL when it cannot be read.
 */
char *replay_fixture_body(const char *name, size_t *len);

#endif

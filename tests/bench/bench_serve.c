// SPDX-License-Identifier: MIT
/*
 * A loopback server of Ollama-shaped streams for ci/bench.sh: POST
 * /api/generate answers N chunks of one token each (the final chunk with
 * Ollama's metrics), either as fast as the socket takes them or one chunk
 * every G milliseconds (each chunk a write of its own). Prints its port to
 * --port-file and runs until SIGTERM or SIGINT.
 *
 *	bench-serve --port-file F --chunks N [--gap-ms G]
 */
#include <cjson/cJSON.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay_server.h"
#include "strbuf.h"
#include "util.h"

/* One line of the stream: every content line the same length, so that a
 * paced stream can write one line at a time. */
static void add_line(struct strbuf *sb, long i, int final, long n)
{
	cJSON *o = cJSON_CreateObject();
	char tok[16], *text;
	cJSON_AddStringToObject(o, "model", "bench:1b");
	cJSON_AddStringToObject(o, "created_at", "2026-01-01T00:00:00.000000000Z");
	snprintf(tok, sizeof(tok), final ? "" : " w%06ld", i % 1000000);
	cJSON_AddStringToObject(o, "response", tok);
	cJSON_AddBoolToObject(o, "done", final);
	if (final) {
		cJSON_AddStringToObject(o, "done_reason", "length");
		cJSON_AddNumberToObject(o, "total_duration", 1e9);
		cJSON_AddNumberToObject(o, "load_duration", 1e6);
		cJSON_AddNumberToObject(o, "prompt_eval_count", 8);
		cJSON_AddNumberToObject(o, "prompt_eval_duration", 1e6);
		cJSON_AddNumberToObject(o, "eval_count", (double)n);
		cJSON_AddNumberToObject(o, "eval_duration", 9e8);
	}
	text = cJSON_PrintUnformatted(o);
	strbuf_addstr(sb, text);
	strbuf_addch(sb, '\n');
	cJSON_free(text);
	cJSON_Delete(o);
}

int main(int argc, char **argv)
{
	const char *port_file = NULL;
	long chunks = 0, gap_ms = 0, i;
	struct replay_server *s;
	struct replay_response r = REPLAY_RESPONSE_INIT;
	struct strbuf body;
	sigset_t set;
	int sig, a;
	size_t first;
	FILE *fp;

	for (a = 1; a + 1 < argc; a += 2) {
		if (!strcmp(argv[a], "--port-file"))
			port_file = argv[a + 1];
		else if (!strcmp(argv[a], "--chunks"))
			chunks = strtol(argv[a + 1], NULL, 10);
		else if (!strcmp(argv[a], "--gap-ms"))
			gap_ms = strtol(argv[a + 1], NULL, 10);
	}
	if (!port_file || chunks < 1 || gap_ms < 0 || a != argc) {
		fprintf(stderr, "usage: bench-serve --port-file F --chunks N [--gap-ms G]\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	strbuf_init(&body, 0);
	add_line(&body, 0, 0, chunks);
	first = body.len;
	for (i = 1; i < chunks; i++)
		add_line(&body, i, 0, chunks);
	add_line(&body, chunks, 1, chunks);
	s = replay_server_start();
	if (!s)
		return 4;
	r.content_type = "application/x-ndjson";
	r.body = body.buf;
	r.body_len = body.len;
	r.chunked = 1;
	if (gap_ms > 0) {
		r.chunk_bytes = first;
		r.delay_ms = gap_ms;
	}
	replay_server_set(s, "POST", "/api/generate", &r);
	fp = fopen(port_file, "w");
	if (!fp || fprintf(fp, "%d\n", replay_server_port(s)) < 0 || fclose(fp)) {
		fprintf(stderr, "bench-serve: cannot write '%s'\n", port_file);
		replay_server_stop(s);
		return 4;
	}
	sigwait(&set, &sig);
	replay_server_stop(s);
	strbuf_release(&body);
	return 0;
}

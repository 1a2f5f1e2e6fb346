/* SPDX-License-Identifier: MIT */
#ifndef O3_OLLAMA_HTTP_H
#define O3_OLLAMA_HTTP_H
/*
 * The transport under the Ollama client (private to src/ollama_*.c): one
 * libcurl easy handle per client, reused so that the connection is kept,
 * driven through a multi handle so that o3's own timeouts are enforced with
 * millisecond precision.
 *
 * No retries here: the caller decides. What the statuses mean for a caller
 * that wants to retry:
 *   408 (request timeout) - Ollama never sends it; a proxy in between does:
 *                           the request may be sent again as is.
 *   429 (too many requests) - a runner's rate limit passed through
 *                           (api.StatusError): back off, then retry.
 *   503 (service unavailable) - OLLAMA_MAX_QUEUE is full or the model is
 *                           overloaded: back off, then retry.
 *   500 - a load or run failure (OOM, crash, load timeout, option type):
 *                           retrying the same configuration fails the same
 *                           way; record it and move on.
 *   other 5xx (502, 504)  - a proxy in between lost Ollama: retry later.
 */
#include <stdint.h>

#include <curl/curl.h>

#include "ollama.h"

struct ollama_client {
	CURL *easy;
	CURLM *multi;
	struct ollama_host host;
	struct ollama_timeouts to;
	size_t max_body;
	char errbuf[CURL_ERROR_SIZE];
	char simulator[128];   /* OLLAMA_SIMULATOR_HEADER of /api/version, or "" */
};

/*
 * Receives the body in pieces cut anywhere. status is the HTTP status of the
 * response, content_type its Content-Type ("" when none). Return 0, or -1 to
 * abort the transfer after filling err.
 */
typedef int (*ollama_http_sink_fn)(const char *data, size_t len, long status,
				   const char *content_type, void *ud, struct ollama_error *err);

struct ollama_http_times {
	uint64_t sent_ns;       /* just before the request went out */
	uint64_t first_byte_ns; /* first response byte (headers included); 0 if none */
	uint64_t last_byte_ns;
};

/*
 * One request: GET when body is NULL, else POST with a JSON body. Returns 0
 * when a complete HTTP response arrived (whatever its status, in *status),
 * -1 with err filled (unreachable, client_timeout, protocol, or whatever the
 * sink set).
 */
int ollama_http_request(struct ollama_client *c, const char *path, const char *body,
			ollama_http_sink_fn sink, void *ud, long *status,
			struct ollama_http_times *times, struct ollama_error *err);

/*
 * A request whose answer is one JSON document: GET when req is NULL, else
 * POST req. On 2xx, *out receives the parsed document (cJSON_Delete it). A
 * status >= 400 is classified from its {"error":...} body. Returns 0 or -1.
 */
int ollama_http_json(struct ollama_client *c, const char *path, const cJSON *req,
		     cJSON **out, struct ollama_error *err);

/* Fill err for an HTTP error response from its body (an {"error"} object or
 * plain text). */
void ollama_http_status_error(const struct ollama_client *c, const char *path, long status,
			      const char *body, size_t len, struct ollama_error *err);

#endif

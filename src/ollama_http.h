/* SPDX-License-Identifier: MIT */
#ifndef O3_OLLAMA_HTTP_H
#define O3_OLLAMA_HTTP_H
/*
 * The transport under the Ollama client (private to src/ollama_*.c): one
 * libcurl easy handle per client, reused so that the connection is kept,
 * driven through a multi handle so that o3's own timeouts are enforced with
 * millisecond precision; ollama_multi drives N transfers the same way.
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
#include "strbuf.h"

struct ollama_client {
	CURL *easy;       /* the single-request path's handle, reused (keep-alive) */
	CURLM *multi;
	struct ollama_host host;
	struct ollama_timeouts to;
	size_t max_body;
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
 * One transfer on an easy handle: the one request builder (headers, body,
 * timeouts, Accept-Encoding), the one timeout check and the one verdict of
 * both the single-request path (ollama_http_request: one transfer on the
 * client's own handle) and ollama_multi (N transfers on one multi handle).
 */
struct ollama_xfer {
	struct ollama_client *c;
	CURL *easy;               /* not owned */
	CURLM *multi;             /* the multi handle it runs on; not owned */
	struct curl_slist *headers;
	char url[512];
	char errbuf[CURL_ERROR_SIZE];
	ollama_http_sink_fn sink;
	void *ud;
	struct ollama_error *err;
	struct ollama_http_times t;
	long status;
	char content_type[128];
	int sink_failed;
	int active;               /* in the multi handle */
	int finished;             /* libcurl said it is over (rc says how) */
	CURLcode rc;
	int ret;                  /* once ended: 0, or -1 with err filled */
};

/*
 * Build the request (GET when body is NULL, else POST body, which must live
 * until the transfer ends) on easy and add it to multi. Returns 0, or -1 with
 * err filled (nothing started).
 */
int ollama_xfer_start(struct ollama_xfer *x, struct ollama_client *c, CURLM *multi, CURL *easy,
		      const char *path, const char *body, ollama_http_sink_fn sink, void *ud,
		      struct ollama_error *err);

/* A transfer has ended and been judged (x->ret, x->err, x->status). It may
 * start another transfer, on x or on any other idle one. */
typedef void (*ollama_xfer_end_fn)(struct ollama_xfer *x, void *ud);

/*
 * Drive the active transfers among xs[0..n) on multi until none is active:
 * o3's timeouts with ms precision, each transfer on its own clock. Each one
 * that ends is removed from multi, judged (unreachable, client_timeout,
 * protocol, or whatever its sink set) and handed to end (NULL: none).
 * Returns 0, or -1 when libcurl itself failed (the transfers in flight then
 * ended with a protocol error).
 */
int ollama_xfer_drive(CURLM *multi, struct ollama_xfer *const *xs, size_t n,
		      ollama_xfer_end_fn end, void *ud);

/*
 * One request on the client's own handle: GET when body is NULL, else POST
 * with a JSON body. Returns 0 when a complete HTTP response arrived
 * (whatever its status, in *status), -1 with err filled (unreachable,
 * client_timeout, protocol, or whatever the sink set).
 */
int ollama_http_request(struct ollama_client *c, const char *path, const char *body,
			ollama_http_sink_fn sink, void *ud, long *status,
			struct ollama_http_times *times, struct ollama_error *err);

/*
 * One POST /api/generate transfer (ollama_generate's, and each of
 * ollama_multi's): its body built by the one request builder, its response
 * read by the one parser (an NDJSON stream or one document, decided by the
 * response) into the caller's struct ollama_gen_result.
 */
struct ollama_gen_xfer {
	struct ollama_xfer x;
	struct ollama_gen_result *res;
	struct ollama_error *err;
	char *text;                /* the request body (cJSON_free) */
	struct ollama_ndjson *nd;  /* NULL until an NDJSON body starts */
	struct strbuf body;        /* a one-document body (or an error body) */
	struct strbuf response, thinking;
	size_t chunk_alloc;
	long status;
	int mode;                  /* 0 unknown, 1 NDJSON, 2 one document */
	int failed;                /* a line handler set err */
};

/*
 * Clear err, release res and start req on easy in multi. Returns 0, or -1
 * when it could not start: then err says why and res is final (no
 * ollama_gen_xfer_finish).
 */
int ollama_gen_xfer_start(struct ollama_gen_xfer *g, struct ollama_client *c, CURLM *multi,
			  CURL *easy, const struct ollama_gen_request *req,
			  struct ollama_gen_result *res, struct ollama_error *err);
/*
 * After its transfer ended (ollama_xfer_drive): the verdict of the response
 * (HTTP error bodies, an {"error"} line, a stream without a final chunk),
 * res completed as far as it got, g's own state released. Returns 0 or -1
 * with err filled.
 */
int ollama_gen_xfer_finish(struct ollama_gen_xfer *g);

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

/* SPDX-License-Identifier: MIT */
#ifndef O3_STABILITY_H
#define O3_STABILITY_H
/*
 * The stability test of a preset: N concurrent streaming /api/generate
 * requests against one server, scheduled over the client's ollama_multi
 * (ONE thread, one libcurl multi handle, one connection per stream; each
 * transfer built, parsed, timed and classified by the client itself).
 *
 * Each stream sends requests_per_stream requests one after another, each
 * with a fresh prompt (unique nonce: no shared KV-cache prefix). A request
 * is ok when it ended with a final chunk (done:true) and no error; anything
 * else lands in one class of enum ollama_err_class, as the client classifies
 * it:
 *   - connect refused / DNS           -> unreachable
 *   - connect, first-byte, stall or total timeout (per transfer, ms
 *     precision, same meaning as struct ollama_timeouts) -> client_timeout
 *   - HTTP >= 400 with an {"error"} body -> ollama_classify(status, text)
 *   - an {"error"} line after chunks on a 200 -> midstream_error
 *   - a stream cut without a final chunk, a line that is not JSON
 *                                     -> protocol
 */
#include <cjson/cJSON.h>

#include "ollama.h"

struct stability_spec {
	const struct ollama_host *host;
	const struct ollama_timeouts *timeouts; /* NULL = defaults */
	const char *model;
	const cJSON *options;      /* sent with every request (num_ctx etc.; num_predict included) */
	const char *keep_alive;    /* NULL = omit */
	int streams;               /* concurrent requests in flight, >= 1 */
	int requests_per_stream;   /* each stream sends this many requests one after another, >= 1 */
	long prompt_tokens;        /* prompt size (about 4 characters a token), fresh prompt each request */
	/* Added: 1 = load the model with options first (empty prompt, not
	 * timed, not counted), so that the first wave's TTFT measures the
	 * concurrency and not a (re)load. When that load fails, no stream
	 * starts and the record says why (status "error", one error). 0 (the
	 * zeroed default) = no load. */
	int preload;
	/* 1 = after the preload, one request with a fresh prompt of
	 * prompt_tokens, not timed, not counted, as a trial's warm-up: it
	 * calibrates the prompt size, so that the first wave's prompts are the
	 * size asked for too (their TTFT would otherwise be off by the error of
	 * the default characters-per-token ratio). When it fails the streams
	 * run all the same, and the record has "warmup_error". 0 = none. */
	int warmup;
};

/* Runs the test and returns a record (cJSON object, caller deletes): "streams", "requests",
   "ok", "errors" (count), "error_classes" {class: count}, "oom" (count), "success_pct",
   "ttft_ms" {n, median, p90, p99, max}, "e2e_ms" {...}, "decode_tps_server" {median, min},
   "wall_s", "aggregate_tps" (sum of eval_count / wall), "first_error" {class, message} when any.
   Never NULL.
   Also: "ttft_ms" and "e2e_ms" have "mean" too, "decode_tps_server" has "n"
   (a summary over no request has only "n": 0); "eval_tokens" (sum of
   eval_count); "status": "ok" when at least one request succeeded, else
   "error" with "error" {class, message} (the first error), as trial records
   have it; "preload_ms" when spec->preload; "warmup_ms" (or "warmup_error"
   {class, message}) when spec->warmup.
   TTFT both ways, over the requests that succeeded: "ttft_ms" (client clock:
   request sent -> first content chunk) and "ttft_server_ms" (the server's
   durations: prefill plus one token, exactly as trials compute it, ttft.h),
   each {n, median, mean, p90, p99, max, samples [every request's value in
   ms, to 0.01, in the order the requests ended]}; "decode_ms" {n, median,
   mean, p90, p99, max}: first content chunk -> final chunk (client clock),
   the time a request holds its slot after its first token. */
cJSON *stability_run(const struct stability_spec *spec);

#endif

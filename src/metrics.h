/* SPDX-License-Identifier: MIT */
#ifndef O3_METRICS_H
#define O3_METRICS_H
#include <cjson/cJSON.h>

#include "ollama.h"

/*
 * The metrics of one generate request, derived in one place for trials,
 * fills and the stability test (README, "Metrics"). A figure that cannot
 * be measured is negative (absent), never 0.
 *   ttfb_ms            request sent -> first response byte
 *   ttft_ms            request sent -> first content chunk (the client's clock)
 *   ttft_server_ms     the server's durations: prefill plus one token (ttft.h)
 *   e2e_ms             request sent -> final chunk
 *   decode_ms          first content chunk -> final chunk
 *   tpot_ms            (e2e - ttft) / (tokens - 1)
 *   decode_tps_client  (content chunks - 1) / (last - first content chunk)
 *   decode_tps_server  eval_count / eval_duration
 *   prefill_tps        prompt_eval_count / prompt_eval_duration
 *   prefill_ms         prompt_eval_duration
 *   prompt_tokens      prompt_eval_count
 */
struct request_metrics {
	double ttfb_ms, ttft_ms, ttft_server_ms, e2e_ms, decode_ms, tpot_ms;
	double decode_tps_client, decode_tps_server, prefill_tps, prefill_ms, prompt_tokens;
};

void request_metrics(const struct ollama_gen_result *r, struct request_metrics *m);

/* The figures that are present, under the names above, into o. */
void request_metrics_json(const struct request_metrics *m, cJSON *o);

#endif

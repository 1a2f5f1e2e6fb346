/* SPDX-License-Identifier: MIT */
#ifndef O3_TRIAL_H
#define O3_TRIAL_H
#include <stdio.h>

#include <cjson/cJSON.h>

#include "ollama.h"

struct monitor;

/*
 * One trial: one configuration of one model, measured.
 *
 *  1. load the model with the configuration's options (empty prompt),
 *     recording load time; a second, identical load tells whether the first
 *     one reloaded (a reload costs seconds, a no-op milliseconds);
 *  2. warm-up requests (not timed), which also calibrate characters per
 *     token on prompt_eval_count;
 *  3. timed repetitions, each with a fresh prompt of the target size (a
 *     shared prefix would be served from Ollama's KV cache);
 *  4. /api/ps after the load: size, size_vram, context length, offload.
 *
 * Metrics follow README.md "Metrics" (TTFT to the first content chunk, TPOT
 * excluding the first token, ITL over every gap between content chunks).
 */
struct trial_spec {
	const char *model;
	const cJSON *options;    /* validated options to send (load and request knobs); may be NULL */
	const char *phase;       /* free label for the record ("trial", "ceiling", ...) */
	int warmup;              /* default 1 */
	int reps;                /* default 3 */
	long prompt_tokens;      /* target prompt size in tokens, default 512 */
	long num_predict;        /* tokens to generate per request, default 128 */
	const char *keep_alive;  /* NULL = server default */
	int unload_after;        /* 1 = unload the model when done */
	struct monitor *monitor; /* NULL = no monitoring */
};

void trial_spec_default(struct trial_spec *spec);

/*
 * Run the trial. *record always receives a record (a cJSON object, caller
 * deletes) when the function returns, whether the trial worked or not:
 * "status" is "ok" or "error" with the error's class and the server's text.
 * Returns 0 when every timed repetition worked, -1 otherwise (err filled).
 */
int trial_run(struct ollama_client *c, const struct trial_spec *spec, cJSON **record,
	      struct ollama_error *err);

/* Print a readable table of a trial record. */
void trial_print_table(const cJSON *record, FILE *out);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef O3_BASELINE_H
#define O3_BASELINE_H
#include <stddef.h>

#include <cjson/cJSON.h>

#include "results.h"

/*
 * Baselines on disk: baselines/<profile>/<model-slug>.json, one per model
 * and machine kind, with the raw samples of every gated metric of each
 * preset, the ceilings, and the identity they were measured under. Files are
 * written with sorted keys and rounded samples, so that a refresh is a small
 * diff to review in a pull request.
 *
 *   {"schema": "o3.baseline", "schema_version": 1, "profile", "model",
 *    "date", "o3_version", "suite", "identity": {...}, "gates_passed",
 *    "ceiling": {"loads_up_to", "usable"},
 *    "presets": {"max_ctx"|"fast": {"options", "ttft_basis",
 *        "samples": {"decode_tps": [..], "ttft_ms": [..], "prefill_tps": [..],
 *                    "decode_tps_at_fill": [..], "ttft_ms_at_fill": [..],
 *                    "memory_bytes": [..]},
 *        "stability": [{"streams", "success_pct", "oom", "ttft_p99_ms",
 *                       "ttft_ms": [..]}]}}}
 */
#define BASELINE_SCHEMA "o3.baseline"
#define BASELINE_SCHEMA_VERSION 1

/* The profile of a model's results: "sim-<simulator profile>" for o3-sim,
 * else "<gpu vendor:device>-<driver>-<RAM GiB>g" from the identity's machine
 * ("cpu-<RAM>g" without a GPU), file-system safe. */
void baseline_profile_of(const cJSON *identity, char *out, size_t len);

/* The baseline document of one model summary of r (its records give the
 * raw samples). NULL when the model was not measured. Caller deletes. */
cJSON *baseline_build(const struct results *r, const cJSON *summary, const char *profile,
		      const char *date);

/* The rollback a baseline offers (analyze_input.rollback): its date,
 * Ollama version, profile and, per preset, the options with the median
 * decode tok/s and TTFT. NULL when its gates had failed. Caller deletes. */
cJSON *baseline_rollback(const cJSON *doc);

/* dir/<profile>/<model-slug>.json: write (sorted keys, through a temporary
 * file) or read (NULL when absent or unreadable, why in msg; *corrupt, when
 * not NULL, is 1 when the file is there but is not a baseline this o3 reads:
 * not JSON, another schema or version). */
int baseline_write(const char *dir, const cJSON *doc, char *msg, size_t msglen);
cJSON *baseline_read(const char *dir, const char *profile, const char *model, int *corrupt, char *msg,
		     size_t msglen);

#endif

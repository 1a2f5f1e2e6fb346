/* SPDX-License-Identifier: MIT */
#ifndef O3_ANALYZE_PRESETS_H
#define O3_ANALYZE_PRESETS_H
#include <cjson/cJSON.h>

/*
 * Presets from trial summaries: pure functions (no server, clock or
 * globals). A trial summary is an object with "id", "options",
 * "meets" (every criterion), "decode_tps" (the median) and
 * "decode_samples" (the raw server-side decode speeds of its timed
 * requests).
 */

/* The smallest gain in decode speed worth a preset of its own: below it
 * two trials tie, and the tie keeps more context. */
#define FAST_MIN_GAIN 0.02
/* The significance a gain must reach. */
#define FAST_ALPHA 0.05

/*
 * The fast preset: the fastest trial that meets every criterion, unless
 * another one is not slower than it beyond the noise (stats_decide over the
 * raw samples: WORSE needs a loss of more than FAST_MIN_GAIN that is
 * significant at FAST_ALPHA; EQUIVALENT and INCONCLUSIVE tie). Among the
 * tied, the one with more context, then fewer options changed from
 * Ollama's defaults, then the faster median. why (an object) receives
 * "compared" [{id, num_ctx, verdict, explanation}], "fastest_id",
 * "fastest_decode_tps", "tied", "inconclusive", "min_gain" and "choice" (a
 * sentence). NULL when no trial meets every criterion.
 */
const cJSON *analyze_pick_fast(const cJSON *trials, cJSON *why);

/* The options of a trial set away from Ollama's defaults, num_ctx aside. */
int analyze_changed_defaults(const cJSON *trial);

#endif

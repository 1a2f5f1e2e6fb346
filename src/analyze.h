/* SPDX-License-Identifier: MIT */
#ifndef O3_ANALYZE_H
#define O3_ANALYZE_H
#include <stddef.h>

#include <cjson/cJSON.h>

#include "analyze_usable.h"
#include "ceiling.h"
#include "suite.h"

/*
 * The analysis: pure functions from a model's records and the suite's
 * criteria to its summary (ceiling, usable context, trials, presets,
 * stability, gates). No network, no clock, no globals: `o3 run` and
 * `o3 report` call the same functions on the same records and get the same
 * summary, byte for byte.
 */

/* What a model's analysis rests on, besides its step records. */
struct analyze_input {
	const char *model;
	const struct suite *suite;
	const cJSON *facts;             /* the model-facts record; NULL for a log of schema 1 */
	const cJSON *identity;          /* the identity the steps were measured under; may be NULL */
	const cJSON *previous_identity; /* the model's identity before, when it changed; or NULL */
	const cJSON *server_knobs;      /* managed mode: the server's environment; else NULL */
	const cJSON *const *records;    /* the steps the search used, in its order, each once */
	size_t n_records;
	int parallel;                   /* the server's parallel slots */
	int has_gpu;                    /* the machine has a GPU that Ollama could use */
	int ttft_on_server;             /* TTFT is judged on the server's durations (time scale) */
	int complete;                   /* the search ran to its end */
	long steps_measured_again;      /* with previous_identity: steps measured this time */
	const cJSON *rollback;          /* the last good baseline's presets (baseline_rollback);
					   NULL: Ollama's defaults are the rollback */
};

/* The model's summary (caller deletes): "model", "server_knobs", "identity",
 * "identity_change", "params_b", "trained_context", "criteria", "ceiling",
 * "trials", "presets", "stability", "gates" [{name, pass, message}],
 * "complete", "finding"; or "error" and one failed gate when the model
 * could not be measured at all. */
cJSON *analyze_model(const struct analyze_input *in);

/* ---- pieces the search shares with the summary ---------------------------- */

/* The model's criteria and settings from its facts record (params_b,
 * trained_context; unknown on a log of schema 1). */
void analyze_facts(const struct analyze_input *in, double *params_b, long *trained);

/* Whether a trial record meets the criteria: 1, or 0 and why (which
 * criterion, by how much) in msg. throughput_only: all but TTFT. */
int analyze_meets(const cJSON *trial, const struct suite_criteria *crit, int throughput_only,
		  int ttft_on_server, char *msg, size_t msglen);

/* A probe record's outcome for the ceiling search; -1 when it says nothing
 * of the size (the server went away or timed out). gpu_unused: Ollama put
 * the model in system memory on a machine with a GPU from the first probe
 * on (analyze_gpu_unused), where a load in system memory fits. */
int analyze_probe_outcome(const cJSON *rec, int gpu_unused, enum ceiling_outcome *outcome);
/* The first probe of a model tells whether Ollama used the GPU at all. */
int analyze_gpu_unused(const cJSON *first_probe, int has_gpu);

/* A fill-confirm's verdict for the usable context. */
enum fill_verdict {
	FILL_GOOD,      /* the needle found (where the criteria ask) and decode at the floor */
	FILL_BAD,       /* a reason a smaller context can fix: memory, the needle, speed */
	FILL_UNPROVEN,  /* a failure that says nothing of the context (a timeout, ...) */
};
enum fill_verdict analyze_fill(const cJSON *rec, const struct suite_criteria *crit,
			       char *why, size_t len, const char **limited_by);

/* A fill's record as a depth point: 0, or -1 when it measured no decode. */
int analyze_depth_point(const cJSON *rec, struct depth_point *p);

/* The usable context the records prove (0: none), from the fill-confirms. */
long analyze_usable_num(const cJSON *const *records, size_t n, const struct suite_criteria *crit);

/* The stream levels of the stability test, ascending, without repeats. */
int analyze_stream_levels(const struct suite *s, int parallel, int *out, int max);

/* The trial summaries (phase "trial", in order) and the presets over them
 * (max_ctx up to cap: the usable context; 0 = none proven; -1 = no search). */
cJSON *analyze_trials(const cJSON *const *records, size_t n, const struct suite_criteria *crit,
		      int ttft_on_server);
cJSON *analyze_presets(const cJSON *trials, const cJSON *ceiling, long cap);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef O3_PROBE_H
#define O3_PROBE_H
#include <cjson/cJSON.h>

#include "ollama.h"

struct search_ctx;
struct monitor;

/*
 * The steps' bodies: each runs in a Check test case's child (step.h) and
 * returns the record of what it measured, never NULL.
 *   probe_load       a load-only probe at num_ctx: fits, offload, over the
 *                    limit, oom (probe_load.c)
 *   probe_fill       a context filled to fill_ratio with a needle: a depth
 *                    point or a fill-confirm (probe_fill.c)
 *   probe_trial      a trial of one configuration (probe_trial.c)
 *   probe_stability  N concurrent streams at a preset (probe_stability.c)
 */
struct probe_arg {
	struct search_ctx *ctx;
	const char *model;
	cJSON *options;         /* the configuration (owned by the caller) */
	long num_ctx;
	int streams;
	int gpu_expected;       /* the GPU should hold the model: a load in system
				   memory is an offload */
	int reps;               /* a trial's timed requests; 0 = the suite's */
	/* fills (depth points and fill-confirms) */
	double fill_ratio;      /* of num_ctx; 0 = the suite's */
	int num_predict;        /* 0 = the fill's default */
	const char *phase;      /* the record's phase; NULL = "fill-confirm" */
	int own_timeouts;       /* 1: timeouts below instead of the run's */
	struct ollama_timeouts timeouts;
	double step_timeout_s;  /* > 0: the step's own limit (real seconds) */
};

cJSON *probe_load(void *probe_arg);
cJSON *probe_fill(void *probe_arg);
cJSON *probe_trial(void *probe_arg);
cJSON *probe_stability(void *probe_arg);

/* ---- shared by the probe_*.c files ---------------------------------------- */

/* The monitor of a step, or NULL when the run samples none. */
struct monitor *probe_monitor(struct probe_arg *a, struct ollama_client *c);
/* A record saying the load was refused (memory at the user's hard limit),
 * or NULL when the load may go ahead. */
cJSON *probe_refused(struct probe_arg *a, struct monitor *m, const char *phase);
/* A new record of phase with the options and num_ctx in them. */
cJSON *probe_base_record(const char *model, const cJSON *options, const char *phase, long num_ctx);
/* The server's knobs (managed mode) into the record. */
void probe_add_server_knobs(struct probe_arg *a, cJSON *rec);
/* Where a load was placed ("placement": gpu, partial, cpu) and whether the
 * GPU was expected to hold it ("gpu_expected"). */
void probe_add_placement(cJSON *rec, int gpu_expected);

/* The record of a load-only probe (ceiling.h's outcome in "outcome"). */
struct probe_load_spec {
	struct ollama_client *client;
	const char *model;
	const cJSON *options;     /* other knobs (not num_ctx); may be NULL */
	const char *keep_alive;
	struct monitor *monitor;  /* NULL = no memory figure beyond /api/ps */
	double memory_max_pct;    /* memory above this is over the limit; 0 = no check */
	int has_gpu;              /* 0: a load in system memory fits (placement cpu) */
};
cJSON *probe_load_record(const struct probe_load_spec *spec, long num_ctx);

/* The record of a fill: a prompt of fill_ratio × num_ctx tokens with a
 * passphrase hidden early, asked for at the end; num_predict tokens (0 =
 * 16). Phase "fill-confirm" unless phase is given ("depth"). */
cJSON *probe_fill_record(struct ollama_client *c, const char *model, const cJSON *options,
			 const char *keep_alive, long num_ctx, double fill_ratio, int num_predict,
			 const char *phase);

#endif

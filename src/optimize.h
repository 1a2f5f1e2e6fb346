/* SPDX-License-Identifier: MIT */
#ifndef O3_OPTIMIZE_H
#define O3_OPTIMIZE_H
#include <signal.h>

#include <cjson/cJSON.h>

#include "ollama.h"
#include "step.h"
#include "suite.h"

/*
 * The main job for one model (o3 run): the context ceiling by load-only
 * probes, a fill-confirm with a needle at the ceiling (stepping down when it
 * fails), trials of the suite's knobs at the contexts that matter in an order
 * that reloads as little as possible, the presets, and the stability of each
 * preset under concurrent streams. Every probe, request and trial is a step
 * (step.h): a Check test case whose record lands in the log, skipped when the
 * log already has it.
 */
struct optimize_ctx {
	const struct suite *suite;
	struct ollama_host host;
	struct ollama_timeouts timeouts;
	struct ollama_client *client;  /* the parent's, for /api/show and /api/tags */
	struct step_runner *steps;
	const char *sysfs_root;        /* for the monitor in each step */
	const char *procfs_root;
	int monitor;                   /* 1: sample memory during probes and trials */
	int parallel;                  /* the server's parallel slots (for stability levels) */
	volatile sig_atomic_t *stop;   /* set by SIGINT: stop after the current step */
	const cJSON *server_knobs;     /* managed mode: the server's environment for this
					  combination ({"OLLAMA_KV_CACHE_TYPE": "q8_0", ...});
					  part of every step's key and record; NULL otherwise */
	double memory_limit_pct;       /* refuse a load when GPU memory is already at this
					  percent (checked before every probe and trial); 0 = none */
	/* identity (identity.h): the machine as the run found it, and in
	 * external mode the server's knobs as read from its process (NULL when
	 * they could not be read) */
	const cJSON *machine;
	const cJSON *found_knobs;
	int has_gpu;                   /* the machine has a GPU that Ollama could use */
	/* progress: called before each step (may be NULL) */
	void (*progress)(void *data, const char *model, const char *phase, int done, int planned);
	void *progress_data;
};

/* Criteria check of one trial record. 1 when it meets every criterion; else
 * 0 and why (which criterion missed and by how much) in msg. throughput_only:
 * check everything but TTFT (the max_ctx preset). */
int optimize_meets(const cJSON *trial, const struct suite_criteria *crit, int throughput_only,
		   char *msg, size_t msglen);

/*
 * Optimize one model. *summary receives the model's summary (caller deletes):
 * "model", "params_b", "trained_context", "criteria", "ceiling" {found,
 * confirmed, probes, first_bad, bad_outcome}, "trials" [{id, options, ok,
 * meets, why, ttft_ms, decode_tps, gpu_pct}], "presets" {max_ctx, fast: {
 * options, evidence [ids], metrics, rollback}}, "stability" [{preset, streams,
 * requests, success_pct, oom, errors, ttft_basis ("server" or "client"),
 * samples, ttft_p99_ms, ttft_p99_limit_ms}], "gates" [{name, pass, message}]. Returns 0, 1 when interrupted, -1 when the server
 * went away (err filled).
 */
int optimize_model(struct optimize_ctx *ctx, const char *model, cJSON **summary,
		   struct ollama_error *err);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef O3_SEARCH_H
#define O3_SEARCH_H
#include <signal.h>

#include <cjson/cJSON.h>

#include "ollama.h"
#include "step.h"
#include "suite.h"

/*
 * The search of one model (o3 run): what to measure next, in an order that
 * reloads as little as possible. The identity of the model's measurements
 * (recorded once), the context ceiling by load-only probes, decode at two
 * depths and the fill-confirms of the usable context, trials of the
 * suite's knobs at the contexts that matter, and the stability of each
 * preset under concurrent streams. Every probe, fill, trial and stability
 * test is a step (step.h, bodies in probe_*.c): a Check test case whose
 * record lands in the log, skipped when the log already has it. What the
 * records mean is the analysis's (analyze.h): the search asks it where to
 * go, and the model's summary is the analysis of the records it used.
 */
struct search_ctx {
	const struct suite *suite;
	struct ollama_host host;
	struct ollama_timeouts timeouts;
	struct ollama_client *client;  /* the parent's, for /api/version, /api/show and /api/tags */
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
	const char *run_id;            /* the run's id (its "run" record), in each model-end */
	double wait_server_s;          /* a server that stopped answering: wait this long for
					  it to come back (a service manager restarting it) */
	/* managed mode: when the server stopped answering, start it again if
	 * its process has died (ctx->host and ctx->client are then the new
	 * server's); 1 when it was restarted. NULL in external mode. */
	int (*revive)(void *data, struct search_ctx *ctx);
	void *revive_data;
	const char *baseline_dir;      /* o3 run --baseline: a model's baseline there gives its
					  presets' rollback and plans its repetitions; NULL = none */
	/* progress: called before each step (may be NULL) */
	void (*progress)(void *data, const char *model, const char *phase, int done, int planned);
	void *progress_data;
};

/*
 * Search one model. *summary receives the model's summary (analyze_model;
 * caller deletes). Its gates are Check test cases in the step runner's
 * results, after the model's steps; a "model-end" record lists the steps
 * used, so that `o3 report` analyses the same records. Returns 0, 1 when
 * interrupted, -1 when the server went away (err filled).
 */
int search_model(struct search_ctx *ctx, const char *model, cJSON **summary,
		 struct ollama_error *err);

#endif

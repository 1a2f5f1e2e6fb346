/* SPDX-License-Identifier: MIT */
#ifndef O3_STEP_H
#define O3_STEP_H
#include <signal.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "record.h"

/*
 * Steps of a run (a probe, a fill-confirm, a trial, a stability test) as
 * Check test cases. Each step:
 *   - has a key (model, phase, options) that names it in the log;
 *   - is skipped when the log already holds a record with its key (resume:
 *     a run started again does exactly the steps that are missing);
 *   - otherwise runs in a Check test case in fork mode, with the suite's
 *     timeout: the child makes the record and appends it (fsync'd) to the
 *     log; a crash or a timeout of the child is a recorded error, never the
 *     end of the run;
 *   - hands its record back to the caller, who decides the next step.
 */
struct step_runner {
	struct record_log log;   /* open for appending */
	char *log_path;          /* malloced */
	cJSON *index;            /* object: key -> record (the log as read, plus new records) */
	cJSON *results;          /* array of {name, key, status, message, time_s, gating} for reports */
	double timeout_s;        /* per step; 0 = none */
	int fork;                /* 1 (default) unless CK_FORK=no */
	int executed;            /* steps run (not taken from the log) */
	int reused;              /* steps taken from the log */
	int log_failed;          /* an append failed: the run must stop (log_error says why) */
	char log_error[600];
	cJSON *retired;          /* records replaced by a new measurement of their step (a
				    transient failure measured again), kept alive for those
				    who still point at them */
};

/* The work of one step, run in the child. It returns the record to append
 * (a cJSON object; the runner adds "key" and appends it). */
typedef cJSON *(*step_fn)(void *arg);

/* Open path (append) and index its records. fresh: start the log over
 * (moved aside to path.<time>.bak). 0 or -1 (msg filled). */
int step_runner_open(struct step_runner *r, const char *path, int fresh, char *msg, size_t msglen);
void step_runner_close(struct step_runner *r);

/* A copy of o with every object's keys sorted, recursively (canonical JSON
 * when printed unformatted). Caller deletes. */
cJSON *step_sorted_copy(const cJSON *o);

/* Append a record made in the parent (not a step: the identity of a model's
 * measurements) under key, and index it. Takes rec. 0 or -1 (errno set). */
int step_note(struct step_runner *r, const char *key, cJSON *rec);

/* Forget the record indexed under key (it stays in the log): the next
 * step_run of key measures it again. */
void step_forget(struct step_runner *r, const char *key);
/* The record indexed under key (from the log or this run), or NULL. */
const cJSON *step_find(const struct step_runner *r, const char *key);

/* The canonical key of a step: "model|phase|{options as sorted JSON}". Malloced. */
char *step_key(const char *model, const char *phase, const cJSON *options);

/*
 * Run (or reuse) one step. name is the test case's name in reports
 * ("qwen3-coder:30b/ceiling/num_ctx=65536"). Returns the step's record
 * (owned by the runner; valid until step_runner_close).
 */
const cJSON *step_run(struct step_runner *r, const char *name, const char *key, step_fn fn,
		      void *arg);

/*
 * Signals of a run. SIGINT and SIGTERM stop it: the first one ends the step
 * in progress at once (its child, and only its child, is killed; the step
 * is recorded as `interrupted` and measured again on resume), and no step
 * starts after it; a second one ends o3 at once. Nothing outside o3's own
 * children is ever signalled: Check's own handlers, which pass the signal
 * on to o3's whole process group, never run. Each step's child dies with o3
 * (PR_SET_PDEATHSIG). step_signals_install sets the handlers (the caller's
 * are saved), step_signals_restore puts them back.
 */
void step_signals_install(void);
void step_signals_restore(void);
/* The signal that stopped the run (SIGINT or SIGTERM), or 0. */
int step_stop_signal(void);
/* Nonzero once the run is stopped (for search_ctx.stop). */
volatile sig_atomic_t *step_stop_flag(void);

/* Record a gating check in the results (a Check test case of its own, run
 * in-process: it only reads records). pass: 1 or 0; message says which
 * criterion missed and by how much. */
void step_gate(struct step_runner *r, const char *name, int pass, const char *message);

#endif

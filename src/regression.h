/* SPDX-License-Identifier: MIT */
#ifndef O3_REGRESSION_H
#define O3_REGRESSION_H
#include <cjson/cJSON.h>

#include "results.h"
#include "step.h"

/*
 * The regression gate: every model of a results folder against its baseline
 * (baseline.h) by analyze_compare, under the suite's tolerances; its gates
 * are Check test cases (step_gate) in the runner's results. What o3 compare
 * and `o3 run --baseline` share.
 */
struct regression_opts {
	const char *baseline_dir;   /* default "baselines" */
	const char *profile;        /* NULL: each model's own (baseline_profile_of) */
	int strict;                 /* inconclusive fails the gate too (or the suite says so) */
	int force;                  /* compare across profiles */
	const char *step_summary;   /* GitHub's step summary (step_summary.h) to append
				       summaries/compare.md to; NULL: none */
};

struct regression_out {
	cJSON *comparisons;         /* analyze_compare's objects, one per model compared */
	cJSON *missing;             /* "model (profile): why" for models without a baseline */
	int failed;                 /* failed gates */
};

/* 0, or an exit code (o3_exit.h) with why in msg (a comparison refused). */
int regression_run(const struct results *r, const struct regression_opts *o,
		   struct step_runner *gates, struct regression_out *out, char *msg, size_t msglen);
void regression_out_release(struct regression_out *out);

/* The comparison's reports in dir: summaries/compare.md,
 * summaries/compare.json, and junit-regression.xml of the gates (the step
 * runner's results). 0 or -1. */
int regression_write(const char *dir, const char *suite_name, const struct regression_opts *o,
		     const struct regression_out *out, const cJSON *gate_results);

/* Compare and write: results_load(dir), regression_run, regression_write,
 * and a line per model on out_stream. *failed gets the failed gates. 0 or
 * an exit code. What `o3 compare` is and `o3 run --baseline` ends with. */
int regression_gate(const char *dir, const struct regression_opts *o, int *failed,
		    char *msg, size_t msglen);

#endif

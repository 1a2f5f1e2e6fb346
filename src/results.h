/* SPDX-License-Identifier: MIT */
#ifndef O3_RESULTS_H
#define O3_RESULTS_H
#include <cjson/cJSON.h>

#include "suite.h"

/*
 * A results folder (o3_results/ by default): logs/run.jsonl (the records),
 * env/ (the environment snapshots), summaries/ (summary.md, summary.json,
 * one Markdown file per model), defaults/ (presets, Modelfiles, server
 * environment) and junit.xml.
 */

/* What the reports of a run are made of. */
struct results_reports {
	const char *dir;            /* the results folder */
	const char *suite_name;
	const cJSON *models;        /* the model summaries (analyze_model) */
	const cJSON *step_results;  /* step_runner.results, or their copy in the model-end
				       records, and the gates */
	const cJSON *env;           /* the environment snapshot; may be NULL */
	const cJSON *machine;       /* identity_machine(env); may be NULL */
	const char *timestamp;      /* JUnit's: the run's start (its record); NULL = now */
	const char *hostname;       /* JUnit's: where it ran; NULL = this host */
	const cJSON *records;       /* key -> record (report_run.records); may be NULL */
	const cJSON *comparisons;   /* with the baselines (regression.h); may be NULL */
	const char *step_summary;   /* GitHub's step summary (step_summary.h) to append
				       summaries/summary.md to; NULL: none */
};

/* Every report of a run (report_write_all's writers). 0, or -1 when a
 * report could not be written (each failure said). */
int results_write_reports(const struct results_reports *r);

/* A results folder read back: what o3 report, o3 baseline and o3 compare
 * stand on. */
struct results {
	cJSON *log;           /* every record of logs/run.jsonl */
	cJSON *index;         /* key -> the record a resumed run would take (references) */
	const cJSON *run;     /* the last run's record; NULL in a log of schema 1 */
	struct suite suite;   /* the suite it ran (recorded), or the one given */
	int have_suite;
	int parallel;         /* given, for a log that does not say; 0 = the log's or 1 */
	cJSON *models;        /* the model summaries of the last run (analyze_model) */
	cJSON *model_ends;    /* the id of each summary's model-end record, in order */
	cJSON *steps;         /* the step results and gates, as o3 run listed them */
	cJSON *env;           /* the newest environment snapshot; may be NULL */
	cJSON *machine;       /* the run's machine (identity.h); may be NULL */
};

/* Read dir (its log, the suite it recorded or suite_path, its environment)
 * and analyse the last run's models. 0, or an exit code (o3_exit.h) with
 * why in msg. */
int results_load(const char *dir, const char *suite_path, int parallel, struct results *r,
		 char *msg, size_t msglen);
void results_release(struct results *r);
/* The record with that id, or NULL. */
const cJSON *results_record(const struct results *r, const char *id);

/* doc as JSON into path. 0 or -1. */
int results_write_json(const char *path, const cJSON *doc);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef O3_RESULTS_H
#define O3_RESULTS_H
#include <cjson/cJSON.h>

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
};

/* Every report of a run (report_write_all's writers). 0, or -1 when a
 * report could not be written (each failure said). */
int results_write_reports(const struct results_reports *r);

/* doc as JSON into path. 0 or -1. */
int results_write_json(const char *path, const cJSON *doc);

#endif

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

/* Every report of a run into dir, from the model summaries and the step
 * results (step_runner.results, or their copy in the model-end records).
 * 0, or -1 when a report could not be written. */
int results_write_reports(const char *dir, const char *suite_name, const cJSON *models,
			  const cJSON *step_results, const cJSON *env, const cJSON *machine);

/* doc as JSON into path. 0 or -1. */
int results_write_json(const char *path, const cJSON *doc);

#endif

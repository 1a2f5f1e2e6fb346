/* SPDX-License-Identifier: MIT */
#ifndef O3_REPORT_H
#define O3_REPORT_H
#include <stdio.h>

#include <cjson/cJSON.h>

/*
 * Reports of a run, pure functions of what the run learned: the model
 * summaries (optimize.h) and the step results (step.h).
 *
 *   report_junit.c    JUnit XML (one testcase per step and per gate)
 *   report_md.c       the Markdown summary and the terminal summary
 *   report_presets.c  per model: YAML presets, a Modelfile per preset, the
 *                     server environment (.env and a systemd drop-in)
 */

/* XML text with &, <, >, " and ' escaped, and control bytes other than
 * tab/newline dropped (XML 1.0 cannot hold them). Malloced. */
char *report_xml_escape(const char *s);

/* JUnit XML of the step results (step_runner.results) into path, with
 * properties (an object of strings and booleans: the run's identity; NULL
 * for none) on the test suite. 0 or -1. */
int report_junit_write(const char *path, const char *suite_name, const cJSON *results,
		       const cJSON *properties);

/* The run's Markdown summary (all models) into path. 0 or -1. */
int report_md_write(const char *path, const char *suite_name, const cJSON *models,
		    const cJSON *env);
/* The short terminal summary. */
void report_terminal(FILE *out, const cJSON *models);

/* Into dir, per model (and, in managed mode, per server configuration):
 * <slug>.yaml (the presets, their evidence and rollback, and depends_on:
 * Ollama version, model digest, simulated, the server environment, as YAML
 * written with libyaml's emitter), <slug>.<preset>.Modelfile, and the server
 * environment as <slug>.env and <slug>.systemd-override.conf. From a
 * simulator (identity.simulated), <slug> ends in ".simulated" and every file
 * starts with a "# SIMULATED:" line. Nothing for an unfinished model.
 * 0 or -1. */
int report_presets_write(const char *dir, const cJSON *model_summary);

#endif

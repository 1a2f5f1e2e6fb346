/* SPDX-License-Identifier: MIT */
#ifndef O3_REPORT_H
#define O3_REPORT_H
#include <stdio.h>

#include <cjson/cJSON.h>

/*
 * Reports of a run, pure functions of what the run learned: the model
 * summaries (optimize.h) and the step results (step.h). Every file format is
 * a writer behind one interface; one driver feeds every writer of the table
 * the same run:
 *
 *   begin(run)          once, before anything else
 *   model(summary)      each model summary, in the run's order
 *   step(result)        each step result, in the run's order
 *   end()               once: write what is left
 *   release()           once, after end (also when something failed); a
 *                       writer whose begin failed has nothing to release and
 *                       gets no other call
 *
 * Writers (report_<fmt>.c):
 *
 *   md_summary   summaries/summary.md: every model (report_md.c)
 *   md_model     summaries/<model>.md: one file per model (report_md.c)
 *   json         summaries/summary.json: the run's identity and, per model, its
 *                verdict, key figures and whole summary; summaries/<model>.json
 *                the same for one model (report_json.c)
 *   presets      defaults/: per model, YAML presets, a Modelfile per preset,
 *                the server environment (.env, systemd drop-in)
 *                (report_presets.c)
 *   junit        junit.xml: one testsuite per model, one testcase per step and
 *                gate (a stability level's step and gate as one), written with
 *                libxml2's xmlTextWriter (report_junit.c)
 *   csv          summaries/requests.csv, trials.csv, models.csv: one row per
 *                timed request, per trial, per model, RFC 4180
 *                (report_csv.c)
 *   html         report.html: a one-file dashboard (inline CSS, SVG charts
 *                and a small script; nothing fetched), written with
 *                xmlTextWriter (report_html.c)
 *
 * Every file is written to a temporary file in the same folder and renamed
 * into place, so an old report survives a failed write; a failure is said
 * on stderr with the file's name and the reason (errno's text), and the
 * other writers still run. Text from a server (model names, messages, knob
 * values) may hold any bytes: each format escapes it for itself, and invalid
 * UTF-8 becomes U+FFFD.
 */

struct report_run {
	const char *suite_name;
	const char *dir;          /* the results folder; writers make subfolders */
	const cJSON *env;         /* the environment snapshot (envinfo.h); NULL: none */
	const cJSON *properties;  /* JUnit properties: an object of strings and
				   * booleans (the run's identity); NULL: none */
	/* JUnit's volatile fields, fixed by tests: NULL for now (UTC,
	 * "2025-01-31T12:00:00") and gethostname(). */
	const char *timestamp;
	const char *hostname;
	/* the JUnit file's name in dir: NULL = "junit.xml" (o3 compare writes
	 * "junit-regression.xml") */
	const char *junit_name;
	/* the run's records, key -> record (step_runner.index, or a results
	 * folder's index): what the writers that need raw figures (per request,
	 * per depth, per probe) read; NULL: none */
	const cJSON *records;
	/* the comparison with the baselines (regression.h's comparisons), when
	 * there is one; NULL: none */
	const cJSON *comparisons;
};

struct report_writer {
	const char *name;
	/* Set up for the run (make the writer's folder); 0, or -1 after
	 * saying why (and freeing what it allocated), and the writer is
	 * skipped for the rest of the run. *state is the writer's own,
	 * handed to every other call; run stays valid until release. */
	int (*begin)(const struct report_run *run, void **state);
	/* One model summary / one step result ({name, key, status, message,
	 * time_s, gating}); NULL when the writer does not need them. What is
	 * handed over stays valid until end() returns. 0, or -1 after saying
	 * why (the writer still gets the rest). */
	int (*model)(void *state, const cJSON *model_summary);
	int (*step)(void *state, const cJSON *step_result);
	/* Write what is left; 0, or -1 after saying why. NULL: nothing. */
	int (*end)(void *state);
	/* Free the state. */
	void (*release)(void *state);
};

extern const struct report_writer report_writer_md_summary;
extern const struct report_writer report_writer_md_model;
extern const struct report_writer report_writer_json;
extern const struct report_writer report_writer_presets;
extern const struct report_writer report_writer_junit;
extern const struct report_writer report_writer_csv;
extern const struct report_writer report_writer_html;

/* Every writer, in the order they run; NULL-terminated. */
extern const struct report_writer *const report_writers[];

/* Feed the writers (a NULL-terminated list) the run: models is the array of
 * model summaries, steps the array of step results (either may be NULL).
 * 0 when every writer succeeded, else -1 (each failure said on stderr). */
int report_write_with(const struct report_writer *const *writers, const struct report_run *run,
		      const cJSON *models, const cJSON *steps);
/* The same with every writer of report_writers. */
int report_write_all(const struct report_run *run, const cJSON *models, const cJSON *steps);

/* The short terminal summary (control characters in server text dropped). */
void report_terminal(FILE *out, const cJSON *models);

/* The comparison with the baselines (analyze_compare's objects) as Markdown
 * into path; missing: the models that had no baseline (strings). 0 or -1. */
int report_compare_md(const char *path, const char *baseline_dir, const cJSON *comparisons,
		      const cJSON *missing);

/* Into dir, per model (and, in managed mode, per server configuration):
 * <slug>.yaml (the presets, their evidence and rollback, and depends_on:
 * Ollama version, model digest, simulated, the server environment, as YAML
 * written with libyaml's emitter), <slug>.<preset>.Modelfile, and the server
 * environment as <slug>.env and <slug>.systemd-override.conf. From a
 * simulator (identity.simulated), <slug> ends in ".simulated" and every file
 * starts with a "# SIMULATED:" line. Nothing for an unfinished model.
 * 0 or -1. The presets writer calls it with <results>/defaults. */
int report_presets_write(const char *dir, const cJSON *model_summary);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef O3_REPORT_MERGE_H
#define O3_REPORT_MERGE_H
#include <stddef.h>

#include <cjson/cJSON.h>

#include "strbuf.h"

/*
 * o3 merge's report: the results of several machines (one o3 run each, one
 * results folder each) in one report with a column per machine, in four
 * files of one folder: summary.json (the document below), summary.md,
 * report.html (both made from the document) and summary.csv (models.csv's
 * columns, one row per model and machine). Every figure is the machine's
 * own: its summary.json's key figures, by the same code (report_internal.h).
 *
 * The document (summary.json):
 *
 *   {"schema": "o3.merge", "schema_version": 1,
 *    "suite": the first machine's suite, "suites": [each suite once],
 *    "suites_differ": true when merged with --force across suites,
 *    "simulated": true when any machine's results are simulated,
 *    "machines": [{label, results (the folder), suite, description (Ollama,
 *        GPU, RAM; or the simulator), simulated, simulator, ollama_version,
 *        machine (the identity's machine: gpu, memory_bytes, ...), time,
 *        hostname, models (how many)}],
 *    "models": [{model, [server_knobs (managed mode)],
 *        "machines": [one per machine, in the machines' order:
 *          {machine (its label), simulated, measured (false: not in that
 *           machine's results, and nothing else but verdict "absent"),
 *           verdict ("pass", "fail", "unfinished", "not measured"),
 *           stability_verdict ("pass", "fail", "not run", "not judged"),
 *           key_figures (as summary.json's), gates [{name, pass, message}],
 *           [finding], [error]}]}]}
 *
 * Models are listed in the order they first appear, machine by machine.
 */

/* One machine's results. */
struct report_merge_machine {
	const char *label;       /* its name in the report */
	const char *results;     /* its results folder, as given */
	const char *suite_name;
	const char *time;        /* the run's start (UTC), or NULL */
	const char *hostname;    /* where o3 ran, or NULL */
	const cJSON *identity;   /* {ollama_version, simulated, simulator, machine}
				    (identity_describe reads it) */
	const cJSON *models;     /* its model summaries (analyze_model) */
};

struct report_merge {
	const char *dir;                        /* the folder that receives the files */
	const struct report_merge_machine *machines;
	size_t n;
	int suites_differ;                      /* merged across suites (--force) */
};

/* The document. Caller deletes. */
cJSON *report_merge_doc(const struct report_merge *r);
/* Every file into r->dir (made if needed), each through a temporary file
 * renamed into place: 0, or -1 when one could not be written (each failure
 * said; the others are still written). */
int report_merge_write(const struct report_merge *r);

/* summary.md and report.html from the document (report_merge_md.c,
 * report_merge_html.c). 0 or -1. */
int report_merge_md(const char *path, const cJSON *doc);
int report_merge_html(const char *path, const cJSON *doc);

/* A machine's hardware ("GPU 0x1002:0x1586 amdgpu, 63.2 GiB RAM, 48.5 GiB
 * GPU memory") and its server ("Ollama 0.33.0", "Ollama 0.33.0, SIMULATED by
 * o3-sim; profile=strix-halo-64g") from its entry in the document's
 * "machines", appended raw. */
void report_merge_hardware(struct strbuf *sb, const cJSON *machine_entry);
void report_merge_server(struct strbuf *sb, const cJSON *machine_entry);

/* The stability verdict of a model summary: "pass", "fail", "not run" (no
 * level measured), "not judged" (the model is unfinished or not measured). */
const char *report_merge_stability(const cJSON *model_summary);

/* The rows of a model's table (Markdown and HTML): the figure's name, and
 * where to find it in a machine's entry. */
enum report_merge_kind { MF_TEXT, MF_NUM, MF_OPTIONS, MF_STABILITY, MF_GATES };
struct report_merge_fig {
	const char *name;
	enum report_merge_kind kind;
	const char *path[6];     /* keys below the entry; NULL-ended */
	double scale;            /* a number is multiplied by it */
	int decimals;
};
extern const struct report_merge_fig report_merge_figs[];
extern const size_t report_merge_n_figs;
/* 1 when the entry's model was measured to the end and judged (verdict
 * "pass" or "fail"): only then does a missing preset mean that none meets
 * the criteria. */
int report_merge_judged(const cJSON *entry);
/* A figure's value in an entry, or NULL. */
const cJSON *report_merge_fig_value(const cJSON *entry, const struct report_merge_fig *f);
/* A text cell's text (MF_TEXT, MF_STABILITY, MF_GATES), appended, raw (each
 * writer escapes it): "pass: 4 levels, min success 100.0 %, max TTFT p99
 * 33 ms"; "FAIL 1 of 6: preset/fast" (the gates' names without the model's). */
void report_merge_fig_text(struct strbuf *sb, const cJSON *entry,
			   const struct report_merge_fig *f, const char *model);

#endif

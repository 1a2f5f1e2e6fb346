/* SPDX-License-Identifier: MIT */
#ifndef O3_REPORT_CHARTS_H
#define O3_REPORT_CHARTS_H
/*
 * The charts of a model summary (chart.h), built from the summary and the
 * run's records: what the Markdown shows next to its tables (Mermaid) and
 * links to (summaries/charts/<stem>.<name>.svg).
 *
 *   decode             decode tok/s against num_ctx (a point per num_ctx:
 *                      the fastest trial there that meets every criterion,
 *                      else the fastest that ran), the decode floor
 *   ttft               TTFT ms against num_ctx (the same trials), the limit
 *   memory             the ceiling probes' memory against num_ctx (% where
 *                      the record has it, else the loaded size in GiB), a
 *                      series per outcome, the 85 % alert and the limit
 *   depth              decode tok/s against the filled depth: the depth
 *                      points and fill-confirms, the fitted line
 *                      1/(a + b x depth), the usable context at fill, the
 *                      floor
 *   stability-ttft     TTFT p99 ms against streams, per preset, the limit
 *   stability-success  success % against streams, per preset
 *   baseline-decode,   each preset's median against the baseline's (when
 *   baseline-ttft      the run was compared)
 */
#include <cjson/cJSON.h>

#include "chart.h"
#include "report.h"

enum report_chart_id {
	RC_DECODE, RC_TTFT, RC_MEMORY, RC_DEPTH, RC_STABILITY_TTFT, RC_STABILITY_SUCCESS,
	RC_BASELINE_DECODE, RC_BASELINE_TTFT, RC_COUNT
};

struct report_charts {
	struct chart *chart[RC_COUNT];   /* NULL: no data for it */
	char *caption[RC_COUNT];         /* raw text */
};

extern const char *const report_chart_names[RC_COUNT];

/* The charts of model summary m; run may be NULL (no records, no
 * comparison). */
void report_charts_build(struct report_charts *out, const struct report_run *run, const cJSON *m);
void report_charts_free(struct report_charts *rc);

/* baseline against now for one metric ("decode", "ttft") of a comparison
 * (analyze_compare.h), and its caption; NULL when it has none. */
struct chart *report_chart_baseline(const cJSON *comparison, const char *metric, char **caption);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef O3_ANALYZE_INTERNAL_H
#define O3_ANALYZE_INTERNAL_H
/* Shared among analyze*.c only. */
#include <cjson/cJSON.h>

#include "analyze.h"
#include "analyze_usable.h"
#include "identity.h"

/* The median TTFT of a trial on the clock the criteria judge. */
int analyze_ttft_median(const cJSON *trial, int on_server, double *v);
/* "stability" and "gates" of a summary that has its presets. */
void analyze_gates(cJSON *sum, const struct analyze_input *in, const struct suite_criteria *crit);
/* A gate {"name": "<model>/<what>", "pass", "message" (when msg is not empty)}
 * appended to gates. */
void analyze_gate_add(cJSON *gates, const char *model, const char *what, int pass, const char *msg);
/* The one failed gate of a model that could not be measured. */
void analyze_gates_unavailable(cJSON *sum, const struct analyze_input *in);

#endif

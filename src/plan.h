/* SPDX-License-Identifier: MIT */
#ifndef O3_PLAN_H
#define O3_PLAN_H
#include <cjson/cJSON.h>

#include "ceiling.h"
#include "ollama.h"
#include "record.h"

struct monitor;

/*
 * The search against a server: load-only probes for the context ceiling
 * (ceiling.c decides where to probe, this file probes), and the fill-confirm
 * request that proves a candidate holds: a needle-in-a-haystack retrieval in
 * a context filled to about 90 %.
 */
struct plan_ctx {
	struct ollama_client *client;
	const char *model;
	const cJSON *options;     /* other knobs sent with every probe (not num_ctx); may be NULL */
	const char *keep_alive;   /* NULL = server default */
	struct monitor *monitor;  /* NULL = no memory figure beyond /api/ps */
	double memory_max_pct;    /* GPU memory above this is CEILING_OVER_LIMIT; 0 = no check */
	struct record_log *log;   /* every probe is appended here when not NULL */
	/* Where a load that Ollama placed wholly in system memory (size_vram 0)
	 * stands: 0 (a machine without a GPU) = "cpu" placement, the limit is
	 * system memory and the probe fits; 1 (a GPU machine) = offload. The
	 * record says "placement" either way ("gpu", "partial", "cpu"). */
	int has_gpu;
	const char *phase;        /* the fill's record phase; NULL = "fill-confirm" */
	int num_predict;          /* tokens the fill asks for; 0 = 16 */
};

/* One load-only probe at num_ctx (for ceiling_search): plan_probe_record,
 * appended to ctx->log. */
int plan_probe(long num_ctx, enum ceiling_outcome *outcome, void *plan_ctx);
/* The probe itself: its record (phase "ceiling-probe", "outcome" one of
 * ceiling_outcome_name's words). Nothing is appended. */
cJSON *plan_probe_record(struct plan_ctx *ctx, long num_ctx);
/* The outcome a probe record states; -1 when the server went away. */
int plan_probe_outcome(const cJSON *record, enum ceiling_outcome *outcome);

/*
 * The ceiling of ctx->model: load-only probes from start, never above the
 * trained context (asked from /api/show when max_ctx is 0). Returns 0, or -1
 * when the server went away or the model is unknown (err filled).
 */
int plan_find_ceiling(struct plan_ctx *ctx, const struct ceiling_params *params,
		      struct ceiling_result *out, struct ollama_error *err);

/*
 * Fill-confirm at num_ctx: one request whose prompt fills about fill_ratio of
 * the context with a passphrase hidden early, asked for at the end. Returns 1
 * when the model answered it, 0 when it ran but missed it (or the server cut
 * the prompt), -1 when the request failed (err filled). *record receives the
 * request's record (phase "fill-confirm"), appended to ctx->log too.
 */
int plan_fill_confirm(struct plan_ctx *ctx, long num_ctx, double fill_ratio, cJSON **record,
		      struct ollama_error *err);
/* The fill-confirm's verdict from its record: 1 found, 0 missed, -1 failed. */
int plan_fill_verdict(const cJSON *record);

#endif

// SPDX-License-Identifier: MIT
/* What every step body shares (probe.h). */
#include "probe.h"

#include <stdio.h>

#include "ceiling.h"
#include "monitor.h"
#include "record.h"
#include "search.h"
#include "banned.h"

struct monitor *probe_monitor(struct probe_arg *a, struct ollama_client *c)
{
	struct monitor_settings ms;
	if (!a->ctx->monitor)
		return NULL;
	monitor_settings_default(&ms);
	if (a->ctx->sysfs_root)
		ms.sysfs_root = a->ctx->sysfs_root;
	if (a->ctx->procfs_root)
		ms.procfs_root = a->ctx->procfs_root;
	ms.ollama = c;
	ms.limit_pct = a->ctx->memory_limit_pct;
	return monitor_new(&ms);
}

/*
 * Before a load: when memory is already at the user's hard limit, the step
 * is refused (a record saying so) instead of loading anything.
 */
cJSON *probe_refused(struct probe_arg *a, struct monitor *m, const char *phase)
{
	char msg[512];
	cJSON *rec;
	if (!m || a->ctx->memory_limit_pct <= 0 || !monitor_check_pressure(m, msg, sizeof(msg)))
		return NULL;
	rec = record_begin(a->model, phase);
	cJSON_AddItemToObject(rec, RK_OPTIONS, cJSON_Duplicate(a->options, 1));
	record_fail(rec, OLLAMA_ERR_REFUSED, "pressure", 0, msg);
	cJSON_AddStringToObject(rec, RK_OUTCOME, ceiling_outcome_name(CEILING_OVER_LIMIT));
	return rec;
}

/* Where the load was placed, from /api/ps, and whether the GPU was expected
 * to hold it: a load in system memory is no offload on a machine without a
 * GPU (or whose GPU Ollama does not use). */
void probe_add_placement(cJSON *rec, int gpu_expected)
{
	double size = 0, vram = 0;
	const cJSON *ps = rec_get(rec, "ps");
	if (!rec || !rec_num(ps, "size_bytes", &size) || !rec_num(ps, "size_vram_bytes", &vram))
		return;
	cJSON_AddStringToObject(rec, RK_PLACEMENT, vram >= size ? "gpu" : vram > 0 ? "partial" : "cpu");
	cJSON_AddBoolToObject(rec, "gpu_expected", gpu_expected);
}

void probe_add_server_knobs(struct probe_arg *a, cJSON *rec)
{
	if (rec && a->ctx->server_knobs)
		cJSON_AddItemToObject(rec, "server_knobs", cJSON_Duplicate(a->ctx->server_knobs, 1));
}

cJSON *probe_base_record(const char *model, const cJSON *options, const char *phase, long num_ctx)
{
	cJSON *rec = record_begin(model, phase), *opts;
	opts = options ? cJSON_Duplicate(options, 1) : cJSON_CreateObject();
	cJSON_DeleteItemFromObjectCaseSensitive(opts, "num_ctx");
	cJSON_AddNumberToObject(opts, "num_ctx", (double)num_ctx);
	cJSON_AddItemToObject(rec, RK_OPTIONS, opts);
	return rec;
}

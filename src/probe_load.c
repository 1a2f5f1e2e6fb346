// SPDX-License-Identifier: MIT
/* The load-only probe (probe.h): Ollama allocates the whole KV cache when it
 * loads a model, so an empty-prompt load at a candidate num_ctx tells in
 * seconds whether it fits, how much memory it takes and where it sits. */
#include "probe.h"

#include <stdlib.h>
#include <string.h>

#include "ceiling.h"
#include "monitor.h"
#include "record.h"
#include "search.h"
#include "suite.h"
#include "banned.h"

/* size and size_vram of the model in /api/ps; 0 when it is not listed. */
static int ps_of(const struct probe_load_spec *ctx, long long *size, long long *vram, long long *nctx)
{
	struct ollama_ps_entry *e = NULL;
	struct ollama_error err;
	size_t n = 0, i;
	int found = 0;
	if (ollama_ps(ctx->client, &e, &n, &err))
		return 0;
	for (i = 0; i < n && !found; i++) {
		if (!strcmp(e[i].name, ctx->model) || !strcmp(e[i].model, ctx->model)) {
			*size = e[i].size_bytes;
			*vram = e[i].size_vram_bytes;
			*nctx = e[i].context_length;
			found = 1;
		}
	}
	free(e);
	return found;
}

/* GPU memory in percent as the monitor defines it; -1 when unknown. */
static double memory_pct(const struct probe_load_spec *ctx, cJSON *rec)
{
	cJSON *reading = NULL;
	const cJSON *mem, *pct;
	double v = -1;
	if (!ctx->monitor)
		return -1;
	monitor_sample_once(ctx->monitor, &reading);
	mem = cJSON_GetObjectItemCaseSensitive(reading, "memory");
	pct = cJSON_GetObjectItemCaseSensitive(mem, "pct");
	if (cJSON_IsNumber(pct)) {
		v = pct->valuedouble;
		cJSON_AddItemToObject(rec, "memory", cJSON_Duplicate(mem, 1));
	}
	cJSON_Delete(reading);
	return v;
}

cJSON *probe_load_record(const struct probe_load_spec *ctx, long num_ctx)
{
	struct ollama_gen_result res;
	struct ollama_error err;
	cJSON *rec = probe_base_record(ctx->model, ctx->options, RP_PROBE, num_ctx);
	cJSON *opts = cJSON_GetObjectItemCaseSensitive(rec, "options");
	long long size = 0, vram = 0, nctx = -1;
	enum ceiling_outcome outcome;
	int rc;
	double pct;

	ollama_gen_result_init(&res);
	rc = ollama_load(ctx->client, ctx->model, opts, ctx->keep_alive, &res, &err);
	if (res.t_done_ns)
		cJSON_AddNumberToObject(rec, "load_ms", (double)(res.t_done_ns - res.t_sent_ns) / 1e6);
	ollama_gen_result_release(&res);
	if (rc) {
		record_set_error(rec, &err, "load");
		outcome = err.cls == OLLAMA_ERR_OOM ? CEILING_OOM : CEILING_FAILED;
	} else if (!ps_of(ctx, &size, &vram, &nctx)) {
		outcome = CEILING_FAILED; /* loaded, yet not listed: no verdict */
	} else {
		cJSON *ps = cJSON_AddObjectToObject(rec, "ps");
		cJSON_AddNumberToObject(ps, "size_bytes", (double)size);
		cJSON_AddNumberToObject(ps, "size_vram_bytes", (double)vram);
		cJSON_AddBoolToObject(ps, "offload", vram < size);
		if (nctx >= 0)
			cJSON_AddNumberToObject(ps, "context_length", (double)nctx);
		cJSON_AddStringToObject(rec, "placement", vram >= size ? "gpu" : vram > 0 ? "partial" : "cpu");
		pct = memory_pct(ctx, rec);
		if (vram < size && (vram > 0 || ctx->has_gpu))
			outcome = CEILING_OFFLOAD;
		else if (ctx->memory_max_pct > 0 && pct > ctx->memory_max_pct)
			outcome = CEILING_OVER_LIMIT;
		else
			outcome = CEILING_FITS;
	}
	cJSON_AddStringToObject(rec, "outcome", ceiling_outcome_name(outcome));
	return rec;
}

cJSON *probe_load(void *data)
{
	struct probe_arg *a = data;
	struct ollama_client *c = ollama_client_new(&a->ctx->host, &a->ctx->timeouts);
	struct monitor *m = probe_monitor(a, c);
	struct suite_criteria crit;
	struct probe_load_spec p = { c, a->model, a->options, "10m", m, 0, a->gpu_expected };
	cJSON *rec;
	suite_criteria_for(a->ctx->suite, a->model, -1, &crit);
	p.memory_max_pct = crit.gpu_memory_max_pct;
	rec = probe_refused(a, m, RP_PROBE);
	if (!rec) {
		rec = probe_load_record(&p, a->num_ctx);
		cJSON_AddBoolToObject(rec, "gpu_expected", a->gpu_expected);
	}
	probe_add_server_knobs(a, rec);
	monitor_free(m);
	ollama_client_free(c);
	return rec;
}

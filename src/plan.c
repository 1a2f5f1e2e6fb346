// SPDX-License-Identifier: MIT
#include "plan.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "monitor.h"
#include "prompt.h"
#include "util.h"
#include "banned.h"

static cJSON *base_record(const struct plan_ctx *ctx, const char *phase, long num_ctx)
{
	cJSON *rec = record_begin(ctx->model, phase), *opts;
	opts = ctx->options ? cJSON_Duplicate(ctx->options, 1) : cJSON_CreateObject();
	cJSON_DeleteItemFromObjectCaseSensitive(opts, "num_ctx");
	cJSON_AddNumberToObject(opts, "num_ctx", (double)num_ctx);
	cJSON_AddItemToObject(rec, "options", opts);
	return rec;
}

static void append(const struct plan_ctx *ctx, const cJSON *rec)
{
	if (ctx->log)
		record_log_append(ctx->log, rec);
}

/* size and size_vram of the model in /api/ps; 0 when it is not listed. */
static int ps_of(const struct plan_ctx *ctx, long long *size, long long *vram, long long *nctx)
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
static double memory_pct(const struct plan_ctx *ctx, cJSON *rec)
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

cJSON *plan_probe_record(struct plan_ctx *ctx, long num_ctx)
{
	struct ollama_gen_result res;
	struct ollama_error err;
	cJSON *rec = base_record(ctx, "ceiling-probe", num_ctx);
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

int plan_probe_outcome(const cJSON *rec, enum ceiling_outcome *outcome)
{
	static const enum ceiling_outcome all[] = {
		CEILING_FITS, CEILING_OFFLOAD, CEILING_OVER_LIMIT, CEILING_OOM, CEILING_FAILED,
	};
	const char *o = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "outcome"));
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(rec, "error");
	const char *cls = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "class"));
	size_t i;
	/* a server that went away ends the search; anything else is a verdict */
	if (cls && (!strcmp(cls, "unreachable") || !strcmp(cls, "client_timeout")))
		return -1;
	*outcome = CEILING_FAILED;
	for (i = 0; o && i < ARRAY_SIZE(all); i++)
		if (!strcmp(o, ceiling_outcome_name(all[i])))
			*outcome = all[i];
	return 0;
}

int plan_probe(long num_ctx, enum ceiling_outcome *outcome, void *data)
{
	struct plan_ctx *ctx = data;
	cJSON *rec = plan_probe_record(ctx, num_ctx);
	int rc = plan_probe_outcome(rec, outcome);
	append(ctx, rec);
	cJSON_Delete(rec);
	return rc;
}

int plan_find_ceiling(struct plan_ctx *ctx, const struct ceiling_params *params,
		      struct ceiling_result *out, struct ollama_error *err)
{
	struct ceiling_params p = *params;
	ollama_error_clear(err);
	if (p.max_ctx <= 0) {
		struct ollama_show show;
		if (ollama_show(ctx->client, ctx->model, &show, err))
			return -1;
		p.max_ctx = show.context_length > 0 ? (long)show.context_length : 4096;
	}
	if (ceiling_search(&p, plan_probe, ctx, out)) {
		ollama_error_set(err, OLLAMA_ERR_UNREACHABLE, 0,
				 "the ceiling search of '%s' stopped: the server stopped answering",
				 ctx->model);
		return -1;
	}
	return 0;
}

int plan_fill_confirm(struct plan_ctx *ctx, long num_ctx, double fill_ratio, cJSON **record,
		      struct ollama_error *err)
{
	cJSON *rec = base_record(ctx, ctx->phase ? ctx->phase : "fill-confirm", num_ctx);
	cJSON *opts = cJSON_GetObjectItemCaseSensitive(rec, "options");
	struct ollama_gen_request req = { .model = ctx->model, .options = opts, .stream = 1,
					  .keep_alive = ctx->keep_alive, .think = -1 };
	struct ollama_gen_result res;
	struct prompt_calibration cal;
	char *word = NULL, *prompt;
	long target = (long)((double)num_ctx * fill_ratio);
	int rc, found = 0;

	/* one short request calibrates characters per token for this model */
	prompt_calibration_init(&cal);
	prompt = prompt_build(2000, 1, prompt_nonce());
	req.prompt = prompt;
	cJSON_AddNumberToObject(opts, "num_predict", 1);
	ollama_gen_result_init(&res);
	if (!ollama_generate(ctx->client, &req, &res, err))
		prompt_calibrate(&cal, strlen(prompt), res.prompt_eval_count);
	ollama_gen_result_release(&res);
	free(prompt);

	cJSON_ReplaceItemInObject(opts, "num_predict",
				  cJSON_CreateNumber(ctx->num_predict > 0 ? ctx->num_predict : 16));
	prompt = prompt_build_needle(prompt_chars_for(&cal, target), 7, prompt_nonce(), 0.05, &word);
	req.prompt = prompt;
	cJSON_AddNumberToObject(rec, "fill_ratio", fill_ratio);
	cJSON_AddNumberToObject(rec, "prompt_tokens_target", (double)target);
	ollama_gen_result_init(&res);
	rc = ollama_generate(ctx->client, &req, &res, err);
	if (rc) {
		record_set_error(rec, err, "request");
	} else {
		found = prompt_needle_found(res.response, word);
		if (res.prompt_eval_count >= 0)
			cJSON_AddNumberToObject(rec, "prompt_tokens", (double)res.prompt_eval_count);
		if (res.t_first_content_ns)
			cJSON_AddNumberToObject(rec, "ttft_ms",
				(double)(res.t_first_content_ns - res.t_sent_ns) / 1e6);
		if (res.eval_count > 0 && res.eval_duration_ns > 0)
			cJSON_AddNumberToObject(rec, "decode_tps_server",
				(double)res.eval_count / ((double)res.eval_duration_ns / 1e9));
		if (res.prompt_eval_count > 0 && res.prompt_eval_duration_ns > 0) {
			cJSON_AddNumberToObject(rec, "prefill_tps",
				(double)res.prompt_eval_count / ((double)res.prompt_eval_duration_ns / 1e9));
			cJSON_AddNumberToObject(rec, "prefill_ms", (double)res.prompt_eval_duration_ns / 1e6);
		}
		/* TTFT as the server counts it (prefill and one token), the figure
		 * that a simulator's time scale leaves alone */
		if (res.prompt_eval_duration_ns > 0 && res.eval_count > 0 && res.eval_duration_ns > 0)
			cJSON_AddNumberToObject(rec, "ttft_server_ms",
				((double)res.prompt_eval_duration_ns +
				 (double)res.eval_duration_ns / (double)res.eval_count) / 1e6);
		if (res.done_reason[0])
			cJSON_AddStringToObject(rec, "done_reason", res.done_reason);
		cJSON_AddStringToObject(rec, "needle", word);
		cJSON_AddBoolToObject(rec, "needle_found", found);
		cJSON_AddStringToObject(rec, "answer", res.response);
	}
	ollama_gen_result_release(&res);
	append(ctx, rec);
	*record = rec;
	free(word);
	free(prompt);
	return rc ? -1 : found;
}

int plan_fill_verdict(const cJSON *rec)
{
	const char *status = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "status"));
	if (!status || strcmp(status, "ok"))
		return -1;
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "needle_found"));
}

// SPDX-License-Identifier: MIT
/* A filled context (probe.h): the prompt fills fill_ratio of num_ctx with a
 * passphrase hidden near the start, asked for at the end. At a few
 * thousand tokens it is a depth point (decode speed there); at the usable
 * context's candidate it is the fill-confirm that proves it. */
#include "probe.h"

#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "prompt.h"
#include "record.h"
#include "search.h"
#include "suite.h"
#include "banned.h"

cJSON *probe_fill_record(struct ollama_client *c, const char *model, const cJSON *options,
			 const char *keep_alive, long num_ctx, double fill_ratio, int num_predict,
			 const char *phase)
{
	cJSON *rec = probe_base_record(model, options, phase ? phase : RP_FILL, num_ctx);
	struct ollama_error e, *err = &e;
	cJSON *opts = cJSON_GetObjectItemCaseSensitive(rec, "options");
	struct ollama_gen_request req = { .model = model, .options = opts, .stream = 1,
					  .keep_alive = keep_alive, .think = -1 };
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
	if (!ollama_generate(c, &req, &res, err))
		prompt_calibrate(&cal, strlen(prompt), res.prompt_eval_count, num_ctx);
	ollama_gen_result_release(&res);
	free(prompt);

	cJSON_ReplaceItemInObject(opts, "num_predict",
				  cJSON_CreateNumber(num_predict > 0 ? num_predict : 16));
	/* fill_ratio is the caller's: above 1 it asks for a cut prompt on purpose */
	prompt = prompt_build_needle(prompt_chars_for(&cal, target, 0), 7, prompt_nonce(), 0.05, &word);
	req.prompt = prompt;
	cJSON_AddNumberToObject(rec, "fill_ratio", fill_ratio);
	cJSON_AddNumberToObject(rec, "prompt_tokens_target", (double)target);
	ollama_gen_result_init(&res);
	rc = ollama_generate(c, &req, &res, err);
	if (rc) {
		record_set_error(rec, err, "request");
	} else {
		found = prompt_needle_found(res.response, word);
		struct request_metrics m;
		request_metrics(&res, &m);
		request_metrics_json(&m, rec);
		if (res.done_reason[0])
			cJSON_AddStringToObject(rec, "done_reason", res.done_reason);
		cJSON_AddStringToObject(rec, "needle", word);
		cJSON_AddBoolToObject(rec, "needle_found", found);
		cJSON_AddStringToObject(rec, "answer", res.response);
	}
	ollama_gen_result_release(&res);
	free(word);
	free(prompt);
	return rec;
}


cJSON *probe_fill(void *data)
{
	struct probe_arg *a = data;
	struct ollama_client *c = ollama_client_new(&a->ctx->host,
						    a->own_timeouts ? &a->timeouts : &a->ctx->timeouts);
	cJSON *rec = probe_fill_record(c, a->model, a->options, "10m", a->num_ctx,
				       a->fill_ratio > 0 ? a->fill_ratio :
				       a->ctx->suite->scenarios.fill_ratio, a->num_predict, a->phase);
	if (a->own_timeouts)
		cJSON_AddNumberToObject(rec, "first_byte_timeout_ms", (double)a->timeouts.first_byte_ms);
	probe_add_server_knobs(a, rec);
	ollama_client_free(c);
	return rec;
}

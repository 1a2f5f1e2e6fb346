// SPDX-License-Identifier: MIT
/* The stability test of a preset at one stream level (probe.h). */
#include "probe.h"

#include <string.h>

#include "stability.h"
#include "record.h"
#include "search.h"
#include "suite.h"
#include "banned.h"

cJSON *probe_stability(void *data)
{
	struct probe_arg *a = data;
	const struct suite *s = a->ctx->suite;
	struct stability_spec ls;
	cJSON *rec;
	memset(&ls, 0, sizeof(ls));
	ls.host = &a->ctx->host;
	ls.timeouts = &a->ctx->timeouts;
	ls.model = a->model;
	ls.options = a->options;
	ls.keep_alive = "10m";
	ls.streams = a->streams;
	ls.requests_per_stream = (int)s->stability.requests;
	/* enough requests in all for a p99 to mean something */
	if (a->streams > 0 && (long)ls.requests_per_stream * a->streams < s->stability.min_samples)
		ls.requests_per_stream = (int)((s->stability.min_samples + a->streams - 1) / a->streams);
	ls.prompt_tokens = s->scenarios.interactive_prompt_tokens;
	ls.preload = 1; /* a reload must not count as the first wave's TTFT */
	ls.warmup = 1;  /* and the first wave's prompts are calibrated, as a trial's */
	rec = stability_run(&ls);
	{
		/* the header every record has, before the load's figures */
		cJSON *hdr = record_begin(a->model, RP_STABILITY), *it;
		cJSON_DeleteItemFromObjectCaseSensitive(hdr, RK_STATUS);
		while ((it = rec->child)) {
			cJSON_DetachItemViaPointer(rec, it);
			cJSON_DeleteItemFromObjectCaseSensitive(hdr, it->string);
			cJSON_AddItemToObject(hdr, it->string, it);
		}
		cJSON_Delete(rec);
		rec = hdr;
	}
	cJSON_AddItemToObject(rec, RK_OPTIONS, cJSON_Duplicate(a->options, 1));
	probe_add_server_knobs(a, rec);
	return rec;
}

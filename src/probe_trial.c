// SPDX-License-Identifier: MIT
/* A trial of one configuration (probe.h; trial.c measures it). */
#include "probe.h"

#include "monitor.h"
#include "msg.h"
#include "record.h"
#include "search.h"
#include "suite.h"
#include "trial.h"
#include "banned.h"

cJSON *probe_trial(void *data)
{
	struct probe_arg *a = data;
	const struct suite *s = a->ctx->suite;
	struct ollama_client *c = ollama_client_new(&a->ctx->host, &a->ctx->timeouts);
	struct monitor *m = probe_monitor(a, c);
	struct trial_spec spec;
	struct ollama_error err;
	cJSON *rec = NULL;
	trial_spec_default(&spec);
	spec.model = a->model;
	spec.options = a->options;
	spec.warmup = (int)s->warmup;
	spec.reps = a->reps > 0 ? a->reps : (int)s->repetitions;
	spec.prompt_tokens = s->scenarios.interactive_prompt_tokens;
	spec.keep_alive = "10m";
	spec.monitor = m;
	rec = probe_refused(a, m, RP_TRIAL);
	if (!rec) {
		const cJSON *alert;
		trial_run(c, &spec, &rec, &err);
		probe_add_placement(rec, a->gpu_expected);
		alert = rec_get(rec_get(rec, "monitor"), "alert");
		if (cJSON_IsTrue(rec_get(alert, "crossed")))
			warning("memory use crossed the alert level during the trial of '%s': %.1f%%",
				a->model, cJSON_GetNumberValue(rec_get(alert, "value_pct")));
	}
	probe_add_server_knobs(a, rec);
	monitor_free(m);
	ollama_client_free(c);
	return rec;
}

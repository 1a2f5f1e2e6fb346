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
		/* once per configuration: a trial is one configuration, and
		 * the monitor keeps only the first crossing */
		alert = rec_get(rec_get(rec, "monitor"), "alert");
		if (cJSON_IsTrue(rec_get(alert, "crossed"))) {
			const char *def = cJSON_GetStringValue(rec_get(rec_get(rec_get(rec, "monitor"),
									      "memory"), "definition"));
			warning("memory use crossed the alert level of %.0f%% during the trial of '%s' "
				"at num_ctx %.0f: %.1f%% after %.1f s (%s)",
				cJSON_GetNumberValue(rec_get(alert, "level_pct")),
				a->model, cJSON_GetNumberValue(rec_get(rec_get(rec, "options"), "num_ctx")),
				cJSON_GetNumberValue(rec_get(alert, "value_pct")),
				cJSON_GetNumberValue(rec_get(alert, "first_ms")) / 1000.0,
				def ? def : "unknown");
		}
	}
	probe_add_server_knobs(a, rec);
	monitor_free(m);
	ollama_client_free(c);
	return rec;
}

// SPDX-License-Identifier: MIT
/*
 * summaries/summary.json and summaries/<model>.json (report.h), printed by
 * cJSON:
 *
 *   {
 *     "schema": "o3.summary", "schema_version": 1,
 *     "run": {suite, time (UTC, the run's start), hostname, o3_version,
 *             ollama_version, ollama_url, simulated, simulator,
 *             machine (the models' identity machine: gpu, memory, kernel...)},
 *     "models": [ per model summary (and, in managed mode, per server
 *       configuration), in the run's order:
 *       {model, file (its own file in summaries/), verdict ("pass", "fail":
 *        a gate failed, "unfinished", "not measured"), key_figures (ceiling,
 *        usable context, presets, stability, gates: the figures a dashboard
 *        shows), then the whole model summary as analyze_model made it
 *        (identity, criteria, ceiling, trials, presets, stability, gates,
 *        ...): nothing is left out} ]
 *   }
 *
 * summaries/<slug>.json holds the same object for one model: "models" has
 * its summaries (one, or one per server configuration in managed mode, as
 * summaries/<slug>.md has them). JSON is UTF-8: a byte of invalid UTF-8 that
 * a server sent (cJSON keeps such bytes as they are) becomes U+FFFD.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "record.h"
#include "report_internal.h"
#include "util.h"
#include "banned.h"

#define SUMMARY_SCHEMA "o3.summary"
#define SUMMARY_SCHEMA_VERSION 1

struct json_state {
	const struct report_run *run;
	char dir[4096];
	cJSON *models; /* the entries, in the run's order */
	cJSON *slugs;  /* slug -> array of references to its entries */
};

static void copy(cJSON *to, const char *name, const cJSON *from)
{
	if (from)
		cJSON_AddItemToObject(to, name, cJSON_Duplicate(from, 1));
}

static int json_begin(const struct report_run *run, void **state)
{
	struct json_state *st = xcalloc(1, sizeof(*st));
	if (report_folder(run, "summaries", st->dir, sizeof(st->dir))) {
		free(st);
		return -1;
	}
	st->run = run;
	st->models = cJSON_CreateArray();
	st->slugs = cJSON_CreateObject();
	*state = st;
	return 0;
}

static const char *verdict_of(const cJSON *m)
{
	const cJSON *g;
	if (rec_get(m, "error"))
		return "not measured";
	if (cJSON_IsFalse(rec_get(m, "complete")))
		return "unfinished";
	cJSON_ArrayForEach(g, rec_get(m, "gates"))
		if (!cJSON_IsTrue(rec_get(g, "pass")))
			return "fail";
	return "pass";
}

/* What a dashboard shows of a model: its ceiling, presets, stability and
 * gates, each a copy of the summary's own figures. */
static cJSON *key_figures(const cJSON *m)
{
	static const char *const which[] = { "max_ctx", "fast" };
	static const char *const preset_keys[] = {
		"options", "decode_tps", "ttft_ms", "decode_tps_at_fill", "ttft_ms_at_fill",
	};
	cJSON *k = cJSON_CreateObject(), *c = cJSON_AddObjectToObject(k, "ceiling"), *p, *s;
	const cJSON *ceil = rec_get(m, "ceiling"), *usable = rec_get(ceil, "usable"), *x;
	double min_success = -1, max_p99 = -1;
	int levels = 0, failed = 0, gates = 0;
	size_t i, j;

	copy(c, "found", rec_get(ceil, "found"));
	copy(c, "loads_up_to", rec_get(ceil, "loads_up_to"));
	copy(c, "first_bad", rec_get(ceil, "first_bad"));
	copy(c, "bad_outcome", rec_get(ceil, "bad_outcome"));
	copy(c, "confirmed", rec_get(ceil, "confirmed"));
	copy(c, "usable_num_ctx", rec_get(usable, "num_ctx"));
	copy(c, "decode_tps_at_fill", rec_get(usable, "decode_tps_at_fill"));
	copy(c, "ttft_ms_at_fill", rec_get(usable, "ttft_ms_at_fill"));
	p = cJSON_AddObjectToObject(k, "presets");
	for (i = 0; i < 2; i++) {
		const cJSON *pr = rec_get(rec_get(m, "presets"), which[i]);
		cJSON *o;
		if (!pr) {
			cJSON_AddNullToObject(p, which[i]);
			continue;
		}
		o = cJSON_AddObjectToObject(p, which[i]);
		for (j = 0; j < sizeof(preset_keys) / sizeof(preset_keys[0]); j++)
			copy(o, preset_keys[j], rec_get(pr, preset_keys[j]));
	}
	cJSON_ArrayForEach(x, rec_get(m, "stability")) {
		const cJSON *v = rec_get(x, "success_pct"), *q = rec_get(x, "ttft_p99_ms");
		levels++;
		if (cJSON_IsNumber(v) && (min_success < 0 || v->valuedouble < min_success))
			min_success = v->valuedouble;
		if (cJSON_IsNumber(q) && q->valuedouble > max_p99)
			max_p99 = q->valuedouble;
	}
	s = cJSON_AddObjectToObject(k, "stability");
	cJSON_AddNumberToObject(s, "levels", levels);
	if (min_success >= 0)
		cJSON_AddNumberToObject(s, "min_success_pct", min_success);
	if (max_p99 >= 0)
		cJSON_AddNumberToObject(s, "max_ttft_p99_ms", max_p99);
	cJSON_ArrayForEach(x, rec_get(m, "gates")) {
		gates++;
		failed += !cJSON_IsTrue(rec_get(x, "pass"));
	}
	s = cJSON_AddObjectToObject(k, "gates");
	cJSON_AddNumberToObject(s, "total", gates);
	cJSON_AddNumberToObject(s, "failed", failed);
	return k;
}

static int json_model(void *state, const cJSON *m)
{
	struct json_state *st = state;
	cJSON *e = cJSON_CreateObject(), *list;
	const cJSON *it;
	const char *model = rec_str(m, "model");
	char slug[256], file[300];
	o3_model_slug(model ? model : "unknown", slug, sizeof(slug));
	snprintf(file, sizeof(file), "%s.json", slug);
	copy(e, "model", rec_get(m, "model"));
	cJSON_AddStringToObject(e, "file", file);
	cJSON_AddStringToObject(e, "verdict", verdict_of(m));
	cJSON_AddItemToObject(e, "key_figures", key_figures(m));
	cJSON_ArrayForEach(it, m)
		if (it->string && strcmp(it->string, "model"))
			copy(e, it->string, it);
	cJSON_AddItemToArray(st->models, e);
	list = cJSON_GetObjectItemCaseSensitive(st->slugs, slug);
	if (!list)
		list = cJSON_AddArrayToObject(st->slugs, slug);
	cJSON_AddItemToArray(list, cJSON_CreateObjectReference(e->child));
	return 0;
}

/* The run's identity. */
static cJSON *run_json(const struct report_run *run, const cJSON *models)
{
	static const char *const props[] = {
		"o3_version", "ollama_version", "ollama_url", "simulated", "simulator",
	};
	cJSON *r = cJSON_CreateObject();
	const cJSON *machine = NULL, *m;
	size_t i;
	cJSON_AddStringToObject(r, "suite", run->suite_name ? run->suite_name : "");
	if (run->timestamp)
		cJSON_AddStringToObject(r, "time", run->timestamp);
	else
		cJSON_AddNullToObject(r, "time");
	if (run->hostname)
		cJSON_AddStringToObject(r, "hostname", run->hostname);
	for (i = 0; i < sizeof(props) / sizeof(props[0]); i++)
		copy(r, props[i], rec_get(run->properties, props[i]));
	if (!rec_get(r, "simulated"))
		cJSON_AddBoolToObject(r, "simulated", 0);
	cJSON_ArrayForEach(m, models)
		if (!machine)
			machine = rec_get(rec_get(m, "identity"), "machine");
	if (machine) {
		copy(r, "machine", machine);
	} else {
		cJSON *x = cJSON_AddObjectToObject(r, "machine");
		copy(x, "gpu", rec_get(run->properties, "gpu"));
		copy(x, "kernel", rec_get(run->properties, "kernel"));
	}
	return r;
}

static int write_doc(const char *path, const struct report_run *run, const cJSON *models)
{
	cJSON *doc = cJSON_CreateObject();
	struct strbuf sb = STRBUF_INIT;
	char *text;
	cJSON_AddStringToObject(doc, "schema", SUMMARY_SCHEMA);
	cJSON_AddNumberToObject(doc, "schema_version", SUMMARY_SCHEMA_VERSION);
	cJSON_AddItemToObject(doc, "run", run_json(run, models));
	cJSON_AddItemToObject(doc, "models", cJSON_CreateArrayReference(models->child));
	text = cJSON_Print(doc);
	cJSON_Delete(doc);
	if (!text) {
		warning("cannot write '%s': out of memory", path);
		return -1;
	}
	report_utf8_clean(&sb, text, strlen(text));
	cJSON_free(text);
	return report_file_write_sb(path, &sb);
}

static int json_end(void *state)
{
	struct json_state *st = state;
	const cJSON *list;
	char path[4400];
	int rc;
	snprintf(path, sizeof(path), "%s/summary.json", st->dir);
	rc = write_doc(path, st->run, st->models);
	cJSON_ArrayForEach(list, st->slugs) {
		if (!strcmp(list->string, "summary")) {
			/* a model named "summary" would overwrite the run's file */
			warning("not writing '%s/summary.json' for the model '%s': the run's summary "
				"has that name", st->dir, list->string);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s.json", st->dir, list->string);
		rc |= write_doc(path, st->run, list);
	}
	return rc;
}

static void json_release(void *state)
{
	struct json_state *st = state;
	cJSON_Delete(st->models);
	cJSON_Delete(st->slugs);
	free(st);
}

const struct report_writer report_writer_json = {
	.name = "json",
	.begin = json_begin,
	.model = json_model,
	.end = json_end,
	.release = json_release,
};

/* ---- for another report (report_internal.h: o3 merge) ---------------------- */

cJSON *report_key_figures(const cJSON *model_summary)
{
	return key_figures(model_summary);
}

const char *report_verdict(const cJSON *model_summary)
{
	return verdict_of(model_summary);
}

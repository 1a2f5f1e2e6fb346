// SPDX-License-Identifier: MIT
/*
 * o3 merge's report (report_merge.h): the document that holds every
 * machine's figures of every model, summary.json and summary.csv written
 * from it and from the summaries, and the rows both tables show. The
 * figures come from report_json.c's key figures and the CSV from
 * report_csv.c's models table, so a machine's column says what its own
 * reports say.
 */
#include "report_merge.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "msg.h"
#include "record.h"
#include "report_internal.h"
#include "util.h"
#include "banned.h"

#define MERGE_SCHEMA "o3.merge"
#define MERGE_SCHEMA_VERSION 1

/* ---- the rows of a model's table ------------------------------------------- */

#define KF "key_figures"
const struct report_merge_fig report_merge_figs[] = {
	{ "verdict", MF_TEXT, { "verdict" }, 1, 0 },
	{ "loads up to (tokens)", MF_NUM, { KF, "ceiling", "loads_up_to" }, 1, 0 },
	{ "usable up to (tokens)", MF_NUM, { KF, "ceiling", "usable_num_ctx" }, 1, 0 },
	{ "max_ctx num_ctx", MF_NUM, { KF, "presets", "max_ctx", "options", "num_ctx" }, 1, 0 },
	{ "max_ctx options", MF_OPTIONS, { KF, "presets", "max_ctx", "options" }, 1, 0 },
	{ "max_ctx decode tok/s", MF_NUM, { KF, "presets", "max_ctx", "decode_tps" }, 1, 1 },
	{ "max_ctx TTFT ms", MF_NUM, { KF, "presets", "max_ctx", "ttft_ms" }, 1, 1 },
	{ "max_ctx decode tok/s at fill", MF_NUM,
	  { KF, "presets", "max_ctx", "decode_tps_at_fill" }, 1, 1 },
	{ "max_ctx TTFT s at fill", MF_NUM, { KF, "presets", "max_ctx", "ttft_ms_at_fill" },
	  0.001, 1 },
	{ "fast num_ctx", MF_NUM, { KF, "presets", "fast", "options", "num_ctx" }, 1, 0 },
	{ "fast options", MF_OPTIONS, { KF, "presets", "fast", "options" }, 1, 0 },
	{ "fast decode tok/s", MF_NUM, { KF, "presets", "fast", "decode_tps" }, 1, 1 },
	{ "fast TTFT ms", MF_NUM, { KF, "presets", "fast", "ttft_ms" }, 1, 1 },
	{ "stability", MF_STABILITY, { KF, "stability" }, 1, 0 },
	{ "gates", MF_GATES, { KF, "gates" }, 1, 0 },
};
const size_t report_merge_n_figs = ARRAY_SIZE(report_merge_figs);

int report_merge_judged(const cJSON *entry)
{
	const char *v = rec_str(entry, "verdict");
	return v && (!strcmp(v, "pass") || !strcmp(v, "fail"));
}

const cJSON *report_merge_fig_value(const cJSON *entry, const struct report_merge_fig *f)
{
	const cJSON *v = entry;
	size_t i;
	for (i = 0; i < ARRAY_SIZE(f->path) && f->path[i] && v; i++)
		v = rec_get(v, f->path[i]);
	return cJSON_IsNull(v) ? NULL : v;
}

static double num(const cJSON *o, const char *k)
{
	return cJSON_GetNumberValue(rec_get(o, k));
}

void report_merge_fig_text(struct strbuf *sb, const cJSON *entry,
			   const struct report_merge_fig *f, const char *model)
{
	const cJSON *v = report_merge_fig_value(entry, f), *g;
	const char *verdict = rec_str(entry, "stability_verdict");
	size_t start = sb->len, mlen = model ? strlen(model) : 0;
	int failed = 0;

	if (f->kind == MF_TEXT) {
		strbuf_addstr(sb, cJSON_GetStringValue(v) ? v->valuestring : "-");
		if (cJSON_IsFalse(rec_get(entry, "measured")))
			strbuf_addstr(sb, " (not in its results)");
		else if (rec_get(entry, "error"))
			strbuf_addf(sb, ": %s", rec_str(entry, "error"));
		return;
	}
	if (!v) {
		strbuf_addch(sb, '-');
		return;
	}
	if (f->kind == MF_STABILITY) {
		strbuf_addstr(sb, verdict ? verdict : "-");
		if (num(v, "levels") > 0) {
			strbuf_addf(sb, ": %.0f level%s", num(v, "levels"),
				    num(v, "levels") == 1 ? "" : "s");
			if (rec_get(v, "min_success_pct"))
				strbuf_addf(sb, ", min success %.1f %%", num(v, "min_success_pct"));
			if (rec_get(v, "max_ttft_p99_ms"))
				strbuf_addf(sb, ", max TTFT p99 %.0f ms", num(v, "max_ttft_p99_ms"));
		}
		return;
	}
	/* MF_GATES */
	if (num(v, "total") == 0) {
		strbuf_addstr(sb, "none judged");
		return;
	}
	if (num(v, "failed") == 0) {
		strbuf_addf(sb, "pass (%.0f of %.0f)", num(v, "total"), num(v, "total"));
		return;
	}
	strbuf_addf(sb, "FAIL %.0f of %.0f:", num(v, "failed"), num(v, "total"));
	cJSON_ArrayForEach(g, rec_get(entry, "gates")) {
		const char *name = rec_str(g, "name");
		if (cJSON_IsTrue(rec_get(g, "pass")) || !name)
			continue;
		if (mlen && !strncmp(name, model, mlen) && name[mlen] == '/')
			name += mlen + 1;
		strbuf_addf(sb, "%s %s", failed++ ? "," : "", name);
	}
	if (sb->len == start)
		strbuf_addch(sb, '-');
}

/* ---- the machines ---------------------------------------------------------------- */

void report_merge_hardware(struct strbuf *sb, const cJSON *mj)
{
	const cJSON *m = rec_get(mj, "machine");
	const char *gpu = rec_str(m, "gpu");
	strbuf_addf(sb, "GPU %s", gpu ? gpu : "unknown");
	if (cJSON_IsNumber(rec_get(m, "memory_bytes")))
		strbuf_addf(sb, ", %.1f GiB RAM", num(m, "memory_bytes") / 1073741824.0);
	if (cJSON_IsNumber(rec_get(m, "gpu_memory_bytes")))
		strbuf_addf(sb, ", %.1f GiB GPU memory", num(m, "gpu_memory_bytes") / 1073741824.0);
}

void report_merge_server(struct strbuf *sb, const cJSON *mj)
{
	const char *v = rec_str(mj, "ollama_version");
	strbuf_addf(sb, "Ollama %s", v ? v : "?");
	if (cJSON_IsTrue(rec_get(mj, "simulated"))) {
		v = rec_str(mj, "simulator");
		strbuf_addf(sb, ", SIMULATED by %s", v ? v : "o3-sim");
	}
}

/* ---- the document --------------------------------------------------------------- */

const char *report_merge_stability(const cJSON *m)
{
	const cJSON *g;
	int judged = 0, failed = 0;
	if (rec_get(m, "error") || cJSON_IsFalse(rec_get(m, "complete")))
		return "not judged";
	cJSON_ArrayForEach(g, rec_get(m, "gates")) {
		const char *name = rec_str(g, "name");
		if (!name || !strstr(name, "/stability/"))
			continue;
		judged++;
		failed += !cJSON_IsTrue(rec_get(g, "pass"));
	}
	if (failed)
		return "fail";
	if (judged)
		return "pass";
	return cJSON_GetArraySize(rec_get(m, "stability")) ? "not judged" : "not run";
}

static int same_model(const cJSON *a, const cJSON *b)
{
	const char *x = rec_str(a, "model"), *y = rec_str(b, "model");
	const cJSON *ka = rec_get(a, "server_knobs"), *kb = rec_get(b, "server_knobs");
	if (!x || !y || strcmp(x, y))
		return 0;
	return (!ka && !kb) || (ka && kb && cJSON_Compare(ka, kb, 1));
}

/* The machine's summary of the model of row (a model and its server knobs),
 * or NULL. */
static const cJSON *summary_of(const struct report_merge_machine *mc, const cJSON *row)
{
	const cJSON *m;
	cJSON_ArrayForEach(m, mc->models)
		if (same_model(m, row))
			return m;
	return NULL;
}

static cJSON *entry(const struct report_merge_machine *mc, const cJSON *m)
{
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "machine", mc->label);
	cJSON_AddBoolToObject(e, "simulated", cJSON_IsTrue(rec_get(mc->identity, "simulated")));
	if (!m) {
		cJSON_AddBoolToObject(e, "measured", 0);
		cJSON_AddStringToObject(e, "verdict", "absent");
		return e;
	}
	cJSON_AddBoolToObject(e, "measured", 1);
	cJSON_AddStringToObject(e, "verdict", report_verdict(m));
	cJSON_AddStringToObject(e, "stability_verdict", report_merge_stability(m));
	cJSON_AddItemToObject(e, "key_figures", report_key_figures(m));
	cJSON_AddItemToObject(e, "gates", rec_get(m, "gates") ? cJSON_Duplicate(rec_get(m, "gates"), 1) :
				cJSON_CreateArray());
	if (rec_str(m, "finding"))
		cJSON_AddStringToObject(e, "finding", rec_get(m, "finding")->valuestring);
	if (rec_str(m, "error"))
		cJSON_AddStringToObject(e, "error", rec_get(m, "error")->valuestring);
	return e;
}

static void copy(cJSON *to, const char *name, const cJSON *from)
{
	if (from)
		cJSON_AddItemToObject(to, name, cJSON_Duplicate(from, 1));
}

static cJSON *machine_json(const struct report_merge_machine *mc)
{
	cJSON *o = cJSON_CreateObject();
	struct strbuf sb = STRBUF_INIT;
	cJSON_AddStringToObject(o, "label", mc->label);
	cJSON_AddStringToObject(o, "results", mc->results);
	cJSON_AddStringToObject(o, "suite", mc->suite_name ? mc->suite_name : "");
	identity_describe(mc->identity, &sb);
	cJSON_AddStringToObject(o, "description", sb.buf ? sb.buf : "");
	strbuf_release(&sb);
	cJSON_AddBoolToObject(o, "simulated", cJSON_IsTrue(rec_get(mc->identity, "simulated")));
	copy(o, "simulator", rec_get(mc->identity, "simulator"));
	copy(o, "ollama_version", rec_get(mc->identity, "ollama_version"));
	copy(o, "machine", rec_get(mc->identity, "machine"));
	if (mc->time)
		cJSON_AddStringToObject(o, "time", mc->time);
	if (mc->hostname)
		cJSON_AddStringToObject(o, "hostname", mc->hostname);
	cJSON_AddNumberToObject(o, "models", cJSON_GetArraySize(mc->models));
	return o;
}

cJSON *report_merge_doc(const struct report_merge *r)
{
	cJSON *doc = cJSON_CreateObject(), *suites, *machines, *models, *row;
	const cJSON *m, *s;
	size_t i;
	int simulated = 0;

	cJSON_AddStringToObject(doc, "schema", MERGE_SCHEMA);
	cJSON_AddNumberToObject(doc, "schema_version", MERGE_SCHEMA_VERSION);
	cJSON_AddStringToObject(doc, "suite", r->n && r->machines[0].suite_name ?
				r->machines[0].suite_name : "");
	suites = cJSON_AddArrayToObject(doc, "suites");
	for (i = 0; i < r->n; i++) {
		const char *name = r->machines[i].suite_name ? r->machines[i].suite_name : "";
		int seen = 0;
		cJSON_ArrayForEach(s, suites)
			seen |= !strcmp(s->valuestring, name);
		if (!seen)
			cJSON_AddItemToArray(suites, cJSON_CreateString(name));
		simulated |= cJSON_IsTrue(rec_get(r->machines[i].identity, "simulated"));
	}
	cJSON_AddBoolToObject(doc, "suites_differ", r->suites_differ);
	cJSON_AddBoolToObject(doc, "simulated", simulated);
	machines = cJSON_AddArrayToObject(doc, "machines");
	for (i = 0; i < r->n; i++)
		cJSON_AddItemToArray(machines, machine_json(&r->machines[i]));
	/* the models in the order they first appear, machine by machine */
	models = cJSON_AddArrayToObject(doc, "models");
	for (i = 0; i < r->n; i++)
		cJSON_ArrayForEach(m, r->machines[i].models) {
			int seen = 0;
			cJSON_ArrayForEach(row, models)
				seen |= same_model(row, m);
			if (seen || !rec_str(m, "model"))
				continue;
			row = cJSON_CreateObject();
			copy(row, "model", rec_get(m, "model"));
			copy(row, "server_knobs", rec_get(m, "server_knobs"));
			cJSON_AddItemToArray(models, row);
		}
	cJSON_ArrayForEach(row, models) {
		cJSON *list = cJSON_AddArrayToObject(row, "machines");
		for (i = 0; i < r->n; i++)
			cJSON_AddItemToArray(list, entry(&r->machines[i], summary_of(&r->machines[i], row)));
	}
	return doc;
}

/* ---- the files ---------------------------------------------------------------- */

static int write_json(const char *path, const cJSON *doc)
{
	struct strbuf sb = STRBUF_INIT;
	char *text = cJSON_Print(doc);
	if (!text) {
		warning("cannot write '%s': out of memory", path);
		return -1;
	}
	report_utf8_clean(&sb, text, strlen(text)); /* JSON is UTF-8 */
	cJSON_free(text);
	return report_file_write_sb(path, &sb);
}

/* summary.csv: models.csv's columns after these, a row per model and
 * machine, in the document's order (an absent model's row has these, the
 * model's name and simulated). */
static const char *const lead_cols[] = {
	"machine", "machine_description", "results", "suite", "suites_differ", "verdict",
	"stability_verdict", "failed_gates",
};

static int write_csv(const char *dir, const struct report_merge *r, const cJSON *doc)
{
	const cJSON *row, *e, *mach = rec_get(doc, "machines");
	cJSON *leads = cJSON_CreateArray();
	const cJSON **sums;
	size_t n = 0, i;
	int rc;
	sums = xcalloc((size_t)cJSON_GetArraySize(rec_get(doc, "models")) * (r->n ? r->n : 1) + 1,
		       sizeof(*sums));
	cJSON_ArrayForEach(row, rec_get(doc, "models")) {
		i = 0;
		cJSON_ArrayForEach(e, rec_get(row, "machines")) {
			const cJSON *mj = cJSON_GetArrayItem(mach, (int)i), *g;
			cJSON *lead = cJSON_CreateObject(), *failed;
			copy(lead, "machine", rec_get(e, "machine"));
			copy(lead, "machine_description", rec_get(mj, "description"));
			copy(lead, "results", rec_get(mj, "results"));
			copy(lead, "suite", rec_get(mj, "suite"));
			copy(lead, "suites_differ", rec_get(doc, "suites_differ"));
			copy(lead, "verdict", rec_get(e, "verdict"));
			copy(lead, "stability_verdict", rec_get(e, "stability_verdict"));
			if (cJSON_IsTrue(rec_get(e, "measured"))) {
				failed = cJSON_AddArrayToObject(lead, "failed_gates");
				cJSON_ArrayForEach(g, rec_get(e, "gates"))
					if (!cJSON_IsTrue(rec_get(g, "pass")) && rec_get(g, "name"))
						cJSON_AddItemToArray(failed,
								     cJSON_Duplicate(rec_get(g, "name"), 1));
			} else {
				copy(lead, "model", rec_get(row, "model"));
				copy(lead, "simulated", rec_get(e, "simulated"));
			}
			cJSON_AddItemToArray(leads, lead);
			sums[n++] = summary_of(&r->machines[i], row);
			i++;
		}
	}
	rc = report_csv_models(dir, "summary.csv", lead_cols, ARRAY_SIZE(lead_cols), leads, sums, n);
	cJSON_Delete(leads);
	free(sums);
	return rc;
}

int report_merge_write(const struct report_merge *r)
{
	cJSON *doc = report_merge_doc(r);
	char path[4200];
	int rc = 0;
	if (record_mkdirs(r->dir, 0777)) {
		warning("cannot create '%s': %s", r->dir, strerror(errno));
		cJSON_Delete(doc);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/summary.json", r->dir);
	rc |= write_json(path, doc);
	snprintf(path, sizeof(path), "%s/summary.md", r->dir);
	rc |= report_merge_md(path, doc);
	snprintf(path, sizeof(path), "%s/report.html", r->dir);
	rc |= report_merge_html(path, doc);
	rc |= write_csv(r->dir, r, doc);
	cJSON_Delete(doc);
	return rc ? -1 : 0;
}

// SPDX-License-Identifier: MIT
/* Baselines on disk (baseline.h). */
#include "baseline.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record.h"
#include "step.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

void baseline_profile_of(const cJSON *identity, char *out, size_t len)
{
	const cJSON *m = rec_get(identity, "machine");
	const char *sim = rec_str(identity, "simulator"), *p;
	char raw[256];
	double ram = 0;
	if (cJSON_IsTrue(rec_get(identity, "simulated"))) {
		/* "o3-sim; profile=strix-halo-64g" -> "sim-strix-halo-64g" */
		p = sim ? strstr(sim, "profile=") : NULL;
		snprintf(raw, sizeof(raw), "sim-%s", p ? p + 8 : "o3-sim");
	} else {
		const char *gpu = rec_str(m, "gpu");
		rec_num(m, "memory_bytes", &ram);
		if (!gpu || !strcmp(gpu, "none"))
			snprintf(raw, sizeof(raw), "cpu-%.0fg", ram / 1073741824.0);
		else
			snprintf(raw, sizeof(raw), "%s-%.0fg", gpu, ram / 1073741824.0);
	}
	o3_model_slug(raw, out, len);
}

/* A sample kept to 4 significant decimals: the figure, not the float noise. */
static void add_sample(cJSON *arr, double v)
{
	double scale = 1e4;
	if (!isfinite(v))
		return;
	cJSON_AddItemToArray(arr, cJSON_CreateNumber(round(v * scale) / scale));
}

static cJSON *samples_of(const cJSON *requests, const char *field)
{
	cJSON *arr = cJSON_CreateArray();
	const cJSON *q;
	double v;
	cJSON_ArrayForEach(q, requests)
		if (rec_num(q, field, &v))
			add_sample(arr, v);
	return arr;
}

/* The stability record of a preset's options at a level, under the model's
 * identity (the last one, as a resumed run takes it). */
static const cJSON *stability_record(const struct results *r, const char *model, const char *hash,
				     const cJSON *options, double streams)
{
	const cJSON *rec, *found = NULL;
	double s;
	cJSON_ArrayForEach(rec, r->log) {
		const char *key = rec_str(rec, RK_KEY);
		if (rec_is_phase(rec, RP_STABILITY) && rec_str(rec, RK_MODEL) &&
		    !strcmp(rec_str(rec, RK_MODEL), model) && rec_num(rec, "streams", &s) &&
		    s == streams && cJSON_Compare(rec_get(rec, RK_OPTIONS), options, 1) &&
		    (!hash || (key && strstr(key, hash))))
			found = rec;
	}
	return found;
}

static cJSON *preset_doc(const struct results *r, const cJSON *summary, const char *which,
			 const cJSON *p, int on_server)
{
	cJSON *doc = cJSON_CreateObject(), *samples, *stab;
	const cJSON *trial = results_record(r, cJSON_GetStringValue(cJSON_GetArrayItem(
		rec_get(p, "evidence"), 0)));
	const cJSON *fill = results_record(r, cJSON_GetStringValue(cJSON_GetArrayItem(
		rec_get(p, "evidence"), 1)));
	const cJSON *s;
	const char *hash = rec_str(rec_get(summary, "identity"), "hash");
	double v;

	cJSON_AddItemToObject(doc, "options", cJSON_Duplicate(rec_get(p, RK_OPTIONS), 1));
	cJSON_AddStringToObject(doc, "ttft_basis", on_server ? "server" : "client");
	samples = cJSON_AddObjectToObject(doc, "samples");
	cJSON_AddItemToObject(samples, "decode_tps", samples_of(rec_get(trial, "requests"),
								 "decode_tps_server"));
	cJSON_AddItemToObject(samples, "ttft_ms", samples_of(rec_get(trial, "requests"),
							      on_server ? "ttft_server_ms" : "ttft_ms"));
	cJSON_AddItemToObject(samples, "prefill_tps", samples_of(rec_get(trial, "requests"),
								  "prefill_tps"));
	{
		/* /api/ps's size of the load: what it allocates, with no noise */
		cJSON *mem = cJSON_AddArrayToObject(samples, "memory_bytes");
		if (rec_num(rec_get(trial, "ps"), "size_bytes", &v))
			add_sample(mem, v);
	}
	if (fill && !strcmp(which, "max_ctx")) {
		cJSON *a = cJSON_AddArrayToObject(samples, "decode_tps_at_fill");
		cJSON *b = cJSON_AddArrayToObject(samples, "ttft_ms_at_fill");
		if (rec_num(fill, "decode_tps_server", &v))
			add_sample(a, v);
		if (rec_num(fill, on_server ? "ttft_server_ms" : "ttft_ms", &v))
			add_sample(b, v);
	}
	stab = cJSON_AddArrayToObject(doc, "stability");
	cJSON_ArrayForEach(s, rec_get(summary, "stability")) {
		cJSON *o;
		const cJSON *rec;
		if (!rec_str(s, "preset") || strcmp(rec_str(s, "preset"), which))
			continue;
		o = cJSON_CreateObject();
		rec_num(s, "streams", &v);
		cJSON_AddNumberToObject(o, "streams", v);
		if (rec_num(s, "success_pct", &v))
			cJSON_AddNumberToObject(o, "success_pct", v);
		if (rec_num(s, "oom", &v))
			cJSON_AddNumberToObject(o, "oom", v);
		if (rec_num(s, "ttft_p99_ms", &v))
			cJSON_AddNumberToObject(o, "ttft_p99_ms", round(v * 1e4) / 1e4);
		rec = stability_record(r, rec_str(summary, RK_MODEL), hash, rec_get(p, RK_OPTIONS),
				       cJSON_GetNumberValue(rec_get(s, "streams")));
		{
			cJSON *arr = cJSON_AddArrayToObject(o, "ttft_ms");
			const cJSON *x;
			cJSON_ArrayForEach(x, rec_get(rec_get(rec, on_server ? "ttft_server_ms" : "ttft_ms"),
						      "samples"))
				if (cJSON_IsNumber(x))
					add_sample(arr, x->valuedouble);
		}
		cJSON_AddItemToArray(stab, o);
	}
	return doc;
}

cJSON *baseline_build(const struct results *r, const cJSON *summary, const char *profile,
		      const char *date)
{
	cJSON *doc, *presets, *c, *id;
	const cJSON *p, *g;
	double v;
	int on_server = 0, passed = 1;
	if (rec_get(summary, "error") || !cJSON_IsTrue(rec_get(summary, "complete")))
		return NULL;
	doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "schema", BASELINE_SCHEMA);
	cJSON_AddNumberToObject(doc, "schema_version", BASELINE_SCHEMA_VERSION);
	cJSON_AddStringToObject(doc, "profile", profile);
	cJSON_AddStringToObject(doc, "model", rec_str(summary, RK_MODEL));
	cJSON_AddStringToObject(doc, "date", date);
	cJSON_AddStringToObject(doc, "o3_version", rec_str(r->run, "o3_version") ?
				rec_str(r->run, "o3_version") : O3_VERSION);
	cJSON_AddStringToObject(doc, "suite", r->suite.name);
	id = cJSON_Duplicate(rec_get(summary, "identity"), 1);
	if (!id)
		id = cJSON_CreateObject();
	cJSON_AddItemToObject(doc, "identity", id);
	if (rec_num(rec_get(id, "measurement"), "time_scale", &v))
		on_server = v < 1;
	cJSON_ArrayForEach(g, rec_get(summary, "gates"))
		passed &= cJSON_IsTrue(rec_get(g, "pass"));
	cJSON_AddBoolToObject(doc, "gates_passed", passed);
	c = cJSON_AddObjectToObject(doc, "ceiling");
	if (rec_num(rec_get(summary, "ceiling"), "loads_up_to", &v))
		cJSON_AddNumberToObject(c, "loads_up_to", v);
	if (rec_num(rec_get(summary, "ceiling"), "confirmed", &v))
		cJSON_AddNumberToObject(c, "usable", v);
	presets = cJSON_AddObjectToObject(doc, "presets");
	cJSON_ArrayForEach(p, rec_get(summary, "presets"))
		cJSON_AddItemToObject(presets, p->string, preset_doc(r, summary, p->string, p, on_server));
	return doc;
}

int baseline_write(const char *dir, const cJSON *doc, char *msg, size_t msglen)
{
	char folder[1024], slug[256], path[1400], tmp[1500];
	cJSON *sorted = step_sorted_copy(doc);
	char *text = cJSON_Print(sorted);
	FILE *fp;
	int rc = 0;
	o3_model_slug(rec_str(doc, RK_MODEL), slug, sizeof(slug));
	snprintf(folder, sizeof(folder), "%s/%s", dir, rec_str(doc, "profile"));
	snprintf(path, sizeof(path), "%s/%s.json", folder, slug);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (record_mkdirs(folder, 0777)) {
		snprintf(msg, msglen, "cannot make '%s': %s", folder, strerror(errno));
		rc = -1;
	} else if (!(fp = fopen(tmp, "w")) || fputs(text, fp) == EOF || fputc('\n', fp) == EOF ||
		   fclose(fp) || rename(tmp, path)) {
		snprintf(msg, msglen, "cannot write '%s': %s", path, strerror(errno));
		unlink(tmp);
		rc = -1;
	} else {
		snprintf(msg, msglen, "%s", path);
	}
	cJSON_free(text);
	cJSON_Delete(sorted);
	return rc;
}

cJSON *baseline_read(const char *dir, const char *profile, const char *model, int *corrupt,
		     char *msg, size_t msglen)
{
	char slug[256], path[1400];
	struct strbuf sb = STRBUF_INIT;
	FILE *fp;
	cJSON *doc;
	char buf[4096];
	size_t n;
	double v = 0;
	if (corrupt)
		*corrupt = 0;
	o3_model_slug(model, slug, sizeof(slug));
	snprintf(path, sizeof(path), "%s/%s/%s.json", dir, profile, slug);
	fp = fopen(path, "r");
	if (!fp) {
		snprintf(msg, msglen, "no baseline '%s': %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(fp);
	doc = cJSON_ParseWithLength(sb.buf ? sb.buf : "", sb.len);
	if (!doc) {
		/* where cJSON stopped, as line:column */
		const char *at = cJSON_GetErrorPtr(), *p;
		long line = 1, col = 1;
		for (p = sb.buf; p && at && p < at && p < sb.buf + sb.len; p++, col++)
			if (*p == '\n') {
				line++;
				col = 0;
			}
		snprintf(msg, msglen, "%s:%ld:%ld: not JSON: not a baseline this o3 reads", path, line, col);
		strbuf_release(&sb);
		if (corrupt)
			*corrupt = 1;
		return NULL;
	}
	strbuf_release(&sb);
	if (!cJSON_IsObject(doc) || !rec_str(doc, "schema") ||
	    strcmp(rec_str(doc, "schema"), BASELINE_SCHEMA) ||
	    !rec_num(doc, "schema_version", &v) || v < 1 || v > BASELINE_SCHEMA_VERSION) {
		snprintf(msg, msglen, "'%s' is not a baseline this o3 reads (schema %s, version %g; it "
			 "reads %s version 1 to %d)", path, rec_str(doc, "schema") ?
			 rec_str(doc, "schema") : "none", v, BASELINE_SCHEMA, BASELINE_SCHEMA_VERSION);
		cJSON_Delete(doc);
		if (corrupt)
			*corrupt = 1;
		return NULL;
	}
	snprintf(msg, msglen, "%s", path);
	return doc;
}

static int median_of(const cJSON *arr, double *out)
{
	double v[256];
	int n = 0, i, j;
	const cJSON *x;
	cJSON_ArrayForEach(x, arr)
		if (cJSON_IsNumber(x) && n < 256)
			v[n++] = x->valuedouble;
	if (!n)
		return 0;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	*out = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return 1;
}

cJSON *baseline_rollback(const cJSON *doc)
{
	cJSON *rb, *presets;
	const cJSON *p;
	if (!doc || !cJSON_IsTrue(rec_get(doc, "gates_passed")))
		return NULL;
	rb = cJSON_CreateObject();
	cJSON_AddStringToObject(rb, "date", rec_str(doc, "date") ? rec_str(doc, "date") : "");
	cJSON_AddStringToObject(rb, "profile", rec_str(doc, "profile") ? rec_str(doc, "profile") : "");
	cJSON_AddStringToObject(rb, "ollama_version",
				rec_str(rec_get(doc, "identity"), "ollama_version") ?
				rec_str(rec_get(doc, "identity"), "ollama_version") : "");
	presets = cJSON_AddObjectToObject(rb, "presets");
	cJSON_ArrayForEach(p, rec_get(doc, "presets")) {
		cJSON *o = cJSON_CreateObject();
		double v;
		cJSON_AddItemToObject(o, RK_OPTIONS, cJSON_Duplicate(rec_get(p, RK_OPTIONS), 1));
		if (median_of(rec_get(rec_get(p, "samples"), "decode_tps"), &v))
			cJSON_AddNumberToObject(o, "decode_tps", v);
		if (median_of(rec_get(rec_get(p, "samples"), "ttft_ms"), &v))
			cJSON_AddNumberToObject(o, "ttft_ms", v);
		cJSON_AddItemToObject(presets, p->string, o);
	}
	return rb;
}

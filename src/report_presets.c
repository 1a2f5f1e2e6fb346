// SPDX-License-Identifier: MIT
/* Presets as YAML (libyaml's emitter) and Modelfiles (report.h). */
#include <stdio.h>
#include <string.h>

#include <yaml.h>

#include "report.h"
#include "util.h"
#include "banned.h"

static int scalar(yaml_emitter_t *e, const char *v)
{
	yaml_event_t ev;
	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)v, (int)strlen(v), 1, 1,
				     YAML_ANY_SCALAR_STYLE);
	return yaml_emitter_emit(e, &ev);
}

static int start_map(yaml_emitter_t *e)
{
	yaml_event_t ev;
	yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
	return yaml_emitter_emit(e, &ev);
}

static int end_map(yaml_emitter_t *e)
{
	yaml_event_t ev;
	yaml_mapping_end_event_initialize(&ev);
	return yaml_emitter_emit(e, &ev);
}

/* A cJSON value as YAML (objects, arrays, scalars). 1 on success. */
static int emit_json(yaml_emitter_t *e, const cJSON *v)
{
	yaml_event_t ev;
	const cJSON *it;
	char buf[64];
	if (cJSON_IsObject(v)) {
		if (!start_map(e))
			return 0;
		cJSON_ArrayForEach(it, v)
			if (!scalar(e, it->string) || !emit_json(e, it))
				return 0;
		return end_map(e);
	}
	if (cJSON_IsArray(v)) {
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
		if (!yaml_emitter_emit(e, &ev))
			return 0;
		cJSON_ArrayForEach(it, v)
			if (!emit_json(e, it))
				return 0;
		yaml_sequence_end_event_initialize(&ev);
		return yaml_emitter_emit(e, &ev);
	}
	if (cJSON_IsNumber(v)) {
		snprintf(buf, sizeof(buf), "%.15g", v->valuedouble);
		return scalar(e, buf);
	}
	if (cJSON_IsBool(v))
		return scalar(e, cJSON_IsTrue(v) ? "true" : "false");
	if (cJSON_IsString(v))
		return scalar(e, v->valuestring);
	return scalar(e, "~");
}

static int write_yaml(const char *path, const cJSON *doc)
{
	FILE *fp = fopen(path, "w");
	yaml_emitter_t e;
	yaml_event_t ev;
	int ok;
	if (!fp)
		return -1;
	yaml_emitter_initialize(&e);
	yaml_emitter_set_output_file(&e, fp);
	yaml_emitter_set_unicode(&e, 1);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	ok = yaml_emitter_emit(&e, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 0);
	ok = ok && yaml_emitter_emit(&e, &ev);
	ok = ok && emit_json(&e, doc);
	yaml_document_end_event_initialize(&ev, 1);
	ok = ok && yaml_emitter_emit(&e, &ev);
	yaml_stream_end_event_initialize(&ev);
	ok = ok && yaml_emitter_emit(&e, &ev);
	yaml_emitter_delete(&e);
	return fclose(fp) || !ok ? -1 : 0;
}

static int write_modelfile(const char *path, const char *model, const cJSON *preset,
			   const char *which)
{
	FILE *fp = fopen(path, "w");
	const cJSON *o;
	if (!fp)
		return -1;
	fprintf(fp, "# o3 preset '%s' for %s; create it with: ollama create NAME -f %s\n", which,
		model, path);
	fprintf(fp, "FROM %s\n", model);
	cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(preset, "options")) {
		if (!strcmp(o->string, "num_predict"))
			continue; /* a request knob: set per request, not in the model */
		if (cJSON_IsNumber(o))
			fprintf(fp, "PARAMETER %s %.15g\n", o->string, o->valuedouble);
		else if (cJSON_IsBool(o))
			fprintf(fp, "PARAMETER %s %s\n", o->string, cJSON_IsTrue(o) ? "true" : "false");
	}
	return fclose(fp) ? -1 : 0;
}

int report_presets_write(const char *dir, const cJSON *m)
{
	const char *model = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "model"));
	const cJSON *presets = cJSON_GetObjectItemCaseSensitive(m, "presets"), *p;
	cJSON *doc;
	char slug[256], path[1024];
	int rc = 0;

	const cJSON *knobs = cJSON_GetObjectItemCaseSensitive(m, "server_knobs"), *k;
	size_t n;

	if (!model || !presets ||
	    cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(m, "complete")))
		return 0; /* no presets from a model that was not finished */
	o3_model_slug(model, slug, sizeof(slug));
	/* managed mode: one set of presets per server configuration */
	cJSON_ArrayForEach(k, knobs) {
		char part[128];
		n = strlen(slug);
		snprintf(part, sizeof(part), ".%s-%s", k->string,
			 cJSON_GetStringValue(k) ? cJSON_GetStringValue(k) : "");
		o3_model_slug(part, slug + n, sizeof(slug) - n);
	}
	doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "model", model);
	if (knobs) {
		FILE *fp;
		cJSON_AddItemToObject(doc, "server_environment", cJSON_Duplicate(knobs, 1));
		snprintf(path, sizeof(path), "%s/%s.env", dir, slug);
		fp = fopen(path, "w");
		if (fp) {
			fprintf(fp, "# the environment of `ollama serve` these presets were measured with\n");
			cJSON_ArrayForEach(k, knobs)
				fprintf(fp, "%s=%s\n", k->string,
					cJSON_GetStringValue(k) ? cJSON_GetStringValue(k) : "");
			rc |= fclose(fp) ? -1 : 0;
		} else {
			rc = -1;
		}
	}
	cJSON_AddItemToObject(doc, "presets", cJSON_Duplicate(presets, 1));
	snprintf(path, sizeof(path), "%s/%s.yaml", dir, slug);
	rc |= write_yaml(path, doc);
	cJSON_Delete(doc);
	cJSON_ArrayForEach(p, presets) {
		snprintf(path, sizeof(path), "%s/%s.%s.Modelfile", dir, slug, p->string);
		rc |= write_modelfile(path, model, p, p->string);
	}
	return rc ? -1 : 0;
}

// SPDX-License-Identifier: MIT
/* The reports of a results folder (results.h): what `o3 run` writes at its
 * end and `o3 report` writes again from the log. */
#include "results.h"

#include <stdio.h>
#include <stdlib.h>

#include "record.h"
#include "report.h"
#include "util.h"
#include "banned.h"

int results_write_json(const char *path, const cJSON *doc)
{
	FILE *fp = fopen(path, "w");
	char *text = cJSON_Print(doc);
	int rc = 0;
	if (!fp || fputs(text, fp) == EOF)
		rc = -1;
	if (fp && fclose(fp))
		rc = -1;
	cJSON_free(text);
	return rc;
}

/* The run's identity as JUnit properties. */
static cJSON *junit_properties(const cJSON *env, const cJSON *machine)
{
	cJSON *p = cJSON_CreateObject();
	const cJSON *srv = cJSON_GetObjectItemCaseSensitive(env, "ollama");
	const char *v;
	cJSON_AddStringToObject(p, "o3_version", O3_VERSION);
	if ((v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(srv, "version"))))
		cJSON_AddStringToObject(p, "ollama_version", v);
	if ((v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(srv, "url"))))
		cJSON_AddStringToObject(p, "ollama_url", v);
	cJSON_AddBoolToObject(p, "simulated",
			      cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(srv, "simulated")));
	if ((v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(srv, "simulator"))))
		cJSON_AddStringToObject(p, "simulator", v);
	if ((v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(machine, "gpu"))))
		cJSON_AddStringToObject(p, "gpu", v);
	if ((v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(machine, "kernel"))))
		cJSON_AddStringToObject(p, "kernel", v);
	return p;
}

int results_write_reports(const char *dir, const char *suite_name, const cJSON *models,
			  const cJSON *step_results, const cJSON *env, const cJSON *machine)
{
	char path[1024], slug[256];
	const cJSON *m;
	cJSON *props;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/summaries", dir);
	record_mkdirs(path, 0777);
	snprintf(path, sizeof(path), "%s/defaults", dir);
	record_mkdirs(path, 0777);
	snprintf(path, sizeof(path), "%s/summaries/summary.md", dir);
	rc |= report_md_write(path, suite_name, models, env);
	snprintf(path, sizeof(path), "%s/summaries/summary.json", dir);
	rc |= results_write_json(path, models);
	cJSON_ArrayForEach(m, models) {
		cJSON *one = cJSON_CreateArray();
		o3_model_slug(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "model")), slug,
			      sizeof(slug));
		cJSON_AddItemToArray(one, cJSON_Duplicate(m, 1));
		snprintf(path, sizeof(path), "%s/summaries/%s.md", dir, slug);
		rc |= report_md_write(path, suite_name, one, env);
		cJSON_Delete(one);
		snprintf(path, sizeof(path), "%s/defaults", dir);
		rc |= report_presets_write(path, m);
	}
	snprintf(path, sizeof(path), "%s/junit.xml", dir);
	props = junit_properties(env, machine);
	rc |= report_junit_write(path, suite_name, step_results, props);
	cJSON_Delete(props);
	return rc;
}


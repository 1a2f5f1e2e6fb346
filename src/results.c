// SPDX-License-Identifier: MIT
/* The reports of a results folder (results.h): what `o3 run` writes at its
 * end and `o3 report` writes again from the log. */
#include "results.h"

#include <stdio.h>
#include <stdlib.h>

#include "record.h"
#include "report.h"
#include "step_summary.h"
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

int results_write_reports(const struct results_reports *r)
{
	struct report_run run = { 0 };
	cJSON *props = junit_properties(r->env, r->machine);
	int rc;

	run.suite_name = r->suite_name;
	run.dir = r->dir;
	run.env = r->env;
	run.properties = props;
	run.timestamp = r->timestamp;
	run.hostname = r->hostname;
	run.records = r->records;
	run.comparisons = r->comparisons;
	rc = report_write_all(&run, r->models, r->step_results);
	cJSON_Delete(props);
	if (r->step_summary) {
		/* after the writers: the reports themselves never read the
		 * environment */
		char md[4200];
		snprintf(md, sizeof(md), "%s/summaries/summary.md", r->dir);
		if (step_summary_append(r->step_summary, md, "summaries/summary.md"))
			rc = -1;
	}
	return rc;
}

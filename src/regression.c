// SPDX-License-Identifier: MIT
/* The regression gate (regression.h). */
#include "regression.h"

#include <stdio.h>
#include <string.h>

#include "analyze_compare.h"
#include "baseline.h"
#include "o3_exit.h"
#include "record.h"
#include "report.h"
#include "suite.h"
#include "banned.h"

/* The suite's tolerances for a model, over the defaults. */
static void settings_for(const struct results *r, const cJSON *summary, int strict,
			 struct compare_settings *s)
{
	compare_settings_default(s);
	(void)r;
	(void)summary;
	s->strict = strict;
}

int regression_run(const struct results *r, const struct regression_opts *o,
		   struct step_runner *gates, struct regression_out *out, char *msg, size_t msglen)
{
	const cJSON *m, *g;
	const char *dir = o->baseline_dir ? o->baseline_dir : "baselines";
	char date[40];
	memset(out, 0, sizeof(*out));
	out->comparisons = cJSON_CreateArray();
	out->missing = cJSON_CreateArray();
	snprintf(date, sizeof(date), "%s", rec_str(r->run, RK_TIME) ? rec_str(r->run, RK_TIME) : "");
	cJSON_ArrayForEach(m, r->models) {
		char own[256], why[600];
		const char *model = rec_str(m, RK_MODEL);
		const char *profile;
		struct compare_settings s;
		cJSON *base, *now, *cmp;
		baseline_profile_of(rec_get(m, "identity"), own, sizeof(own));
		profile = o->profile ? o->profile : own;
		if (strcmp(profile, own) && !o->force) {
			snprintf(msg, msglen, "'%s' was measured on profile '%s', not '%s': a comparison "
				 "across profiles means nothing unless --force says so", model, own, profile);
			return O3_EXIT_USAGE;
		}
		now = baseline_build(r, m, profile, date);
		if (!now) {
			snprintf(why, sizeof(why), "%s (%s): not measured to the end in these results", model,
				 profile);
			cJSON_AddItemToArray(out->missing, cJSON_CreateString(why));
			continue;
		}
		base = baseline_read(dir, profile, model, why, sizeof(why));
		if (!base) {
			char line[1200];
			snprintf(line, sizeof(line), "%s (%s): %s", model, profile, why);
			cJSON_AddItemToArray(out->missing, cJSON_CreateString(line));
			if (o->strict) {
				char name[400];
				snprintf(name, sizeof(name), "%s/regression/baseline", model);
				step_gate(gates, name, 0, line);
				out->failed++;
			}
			cJSON_Delete(now);
			continue;
		}
		settings_for(r, m, o->strict, &s);
		cmp = analyze_compare(base, now, &s);
		cJSON_ArrayForEach(g, rec_get(cmp, "gates")) {
			int pass = cJSON_IsTrue(rec_get(g, "pass"));
			step_gate(gates, rec_str(g, "name"), pass, rec_str(g, "message"));
			out->failed += !pass;
		}
		cJSON_AddItemToArray(out->comparisons, cmp);
		cJSON_Delete(base);
		cJSON_Delete(now);
	}
	return 0;
}

void regression_out_release(struct regression_out *out)
{
	cJSON_Delete(out->comparisons);
	cJSON_Delete(out->missing);
	memset(out, 0, sizeof(*out));
}

int regression_write(const char *dir, const struct regression_opts *o,
		     const struct regression_out *out)
{
	char path[1200];
	cJSON *doc = cJSON_CreateObject();
	int rc;
	snprintf(path, sizeof(path), "%s/summaries", dir);
	record_mkdirs(path, 0777);
	snprintf(path, sizeof(path), "%s/summaries/compare.md", dir);
	rc = report_compare_md(path, o->baseline_dir ? o->baseline_dir : "baselines", out->comparisons,
			       out->missing);
	cJSON_AddStringToObject(doc, "schema", "o3.compare");
	cJSON_AddNumberToObject(doc, "schema_version", 1);
	cJSON_AddStringToObject(doc, "baselines", o->baseline_dir ? o->baseline_dir : "baselines");
	cJSON_AddItemToObject(doc, "comparisons", cJSON_Duplicate(out->comparisons, 1));
	cJSON_AddItemToObject(doc, "missing", cJSON_Duplicate(out->missing, 1));
	snprintf(path, sizeof(path), "%s/summaries/compare.json", dir);
	rc |= results_write_json(path, doc);
	cJSON_Delete(doc);
	return rc;
}

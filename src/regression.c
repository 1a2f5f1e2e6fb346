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
#include "step_summary.h"
#include "suite.h"
#include "banned.h"

/* The suite's tolerances for a model (its regression section, size class
 * and override), as fractions. */
static void settings_for(const struct results *r, const cJSON *summary, int strict,
			 struct compare_settings *s)
{
	struct suite_regression reg;
	double params_b = -1;
	rec_num(summary, "params_b", &params_b);
	suite_regression_for(&r->suite, rec_str(summary, RK_MODEL), params_b, &reg);
	compare_settings_default(s);
	s->tolerance[CMP_DECODE] = reg.decode_pct / 100;
	s->tolerance[CMP_TTFT] = reg.ttft_pct / 100;
	s->tolerance[CMP_PREFILL] = reg.prefill_pct / 100;
	s->tolerance[CMP_MEMORY] = reg.memory_pct / 100;
	s->tolerance[CMP_DECODE_AT_FILL] = reg.decode_at_fill_pct / 100;
	s->tolerance[CMP_TTFT_AT_FILL] = reg.ttft_at_fill_pct / 100;
	s->tolerance[CMP_STABILITY_TTFT] = reg.stability_p99_pct / 100;
	s->alpha = reg.alpha;
	s->strict = strict || reg.strict;
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
		int corrupt;
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
		base = baseline_read(dir, profile, model, &corrupt, why, sizeof(why));
		if (!base && corrupt) {
			/* a gate must not pass on a baseline it could not read */
			snprintf(msg, msglen, "%s", why);
			cJSON_Delete(now);
			return O3_EXIT_INPUT;
		}
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

int regression_write(const char *dir, const char *suite_name, const struct regression_opts *o,
		     const struct regression_out *out, const cJSON *gate_results)
{
	static const struct report_writer *const junit[] = { &report_writer_junit, NULL };
	struct report_run run = { 0 };
	char name[300];
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
	/* the gates: their own JUnit file, beside the run's */
	snprintf(name, sizeof(name), "%s [regression]", suite_name ? suite_name : "o3");
	run.suite_name = name;
	run.dir = dir;
	run.junit_name = "junit-regression.xml";
	rc |= report_write_with(junit, &run, NULL, gate_results);
	snprintf(path, sizeof(path), "%s/summaries/compare.md", dir);
	if (o->step_summary && step_summary_append(o->step_summary, path, "summaries/compare.md"))
		rc = -1;
	return rc ? -1 : 0;
}

int regression_gate(const char *dir, const struct regression_opts *o, int *failed,
		    char *msg, size_t msglen)
{
	struct regression_out out;
	struct step_runner gates;
	struct results r;
	const cJSON *cmp, *m;
	int rc = results_load(dir, NULL, 0, &r, msg, msglen);
	*failed = 0;
	if (rc)
		return rc;
	memset(&gates, 0, sizeof(gates));
	gates.results = cJSON_CreateArray();
	rc = regression_run(&r, o, &gates, &out, msg, msglen);
	if (rc) {
		regression_out_release(&out); /* what it had made before it refused */
	} else {
		/* the run's reports again, with the comparison in them (the
		 * dashboard's and the Markdown's baseline charts) */
		char stamp[32];
		struct results_reports rr = {
			.dir = dir, .suite_name = r.suite.name, .models = r.models, .step_results = r.steps,
			.env = r.env, .machine = r.machine, .hostname = rec_str(r.run, "hostname"),
			.records = r.index, .comparisons = out.comparisons,
		};
		if (rec_str(r.run, RK_TIME)) {
			snprintf(stamp, sizeof(stamp), "%.19s", rec_str(r.run, RK_TIME));
			rr.timestamp = stamp;
		}
		if (results_write_reports(&rr) ||
		    regression_write(dir, r.suite.name, o, &out, gates.results)) {
			snprintf(msg, msglen, "the comparison's reports could not all be written in '%s'",
				 dir);
			rc = O3_EXIT_INTERNAL;
		}
		cJSON_ArrayForEach(cmp, out.comparisons)
			printf("%s: %.0f regressions, %.0f improvements, %.0f inconclusive (since the "
			       "baseline: %s)\n", rec_str(cmp, "model"),
			       cJSON_GetNumberValue(rec_get(cmp, "regressions")),
			       cJSON_GetNumberValue(rec_get(cmp, "improvements")),
			       cJSON_GetNumberValue(rec_get(cmp, "inconclusive")),
			       rec_str(cmp, "identity_change"));
		cJSON_ArrayForEach(m, out.missing)
			printf("no baseline: %s\n", cJSON_GetStringValue(m));
		cJSON_ArrayForEach(m, gates.results)
			if (rec_str(m, RK_STATUS) && strcmp(rec_str(m, RK_STATUS), "ok"))
				printf("    FAIL %s: %s\n", rec_str(m, "name"),
				       rec_str(m, "message") ? rec_str(m, "message") : "");
		printf("comparison: %s/summaries/compare.md, %s/junit-regression.xml\n", dir, dir);
		*failed = out.failed;
		regression_out_release(&out);
	}
	cJSON_Delete(gates.results);
	results_release(&r);
	return rc;
}

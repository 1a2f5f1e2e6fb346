// SPDX-License-Identifier: MIT
/*
 * The regression gate's decisions on synthetic baselines (analyze_compare.h),
 * no server: a 10 % slowdown with low noise is a regression; the same with
 * high noise is inconclusive, with the repetitions that would decide; equal
 * distributions pass; a ceiling step down, a new OOM and a lost preset are
 * caught; an improvement is reported as one; what changed in the identity
 * heads every comparison and is named in a failing gate.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_compare.h"

/* A baseline-shaped document: version, decode samples around mean with a
 * relative spread (deterministic), ceilings, a stability level's OOM. */
static cJSON *doc(const char *version, double decode, double spread, int n, double loads,
		  double oom)
{
	cJSON *d = cJSON_CreateObject(), *id, *p, *s, *a, *st, *lvl, *t;
	int i;
	cJSON_AddStringToObject(d, "model", "qwen3-coder:30b");
	cJSON_AddStringToObject(d, "profile", "sim-strix-halo-64g");
	cJSON_AddStringToObject(d, "date", "2026-12-01T00:00:00Z");
	id = cJSON_AddObjectToObject(d, "identity");
	cJSON_AddStringToObject(id, "ollama_version", version);
	s = cJSON_AddObjectToObject(d, "ceiling");
	cJSON_AddNumberToObject(s, "loads_up_to", loads);
	cJSON_AddNumberToObject(s, "usable", 165888);
	p = cJSON_AddObjectToObject(cJSON_AddObjectToObject(d, "presets"), "max_ctx");
	s = cJSON_AddObjectToObject(p, "samples");
	a = cJSON_AddArrayToObject(s, "decode_tps");
	for (i = 0; i < n; i++)
		/* a fixed zig-zag of the spread around the mean */
		cJSON_AddItemToArray(a, cJSON_CreateNumber(decode * (1 + spread * ((i % 5) - 2) / 2.0)));
	a = cJSON_AddArrayToObject(s, "memory_bytes");
	cJSON_AddItemToArray(a, cJSON_CreateNumber(4e10));
	st = cJSON_AddArrayToObject(p, "stability");
	lvl = cJSON_CreateObject();
	cJSON_AddNumberToObject(lvl, "streams", 2);
	cJSON_AddNumberToObject(lvl, "success_pct", oom > 0 ? 50 : 100);
	cJSON_AddNumberToObject(lvl, "oom", oom);
	t = cJSON_AddArrayToObject(lvl, "ttft_ms");
	for (i = 0; i < 5; i++)
		cJSON_AddItemToArray(t, cJSON_CreateNumber(400 + i));
	cJSON_AddItemToArray(st, lvl);
	return d;
}

static const cJSON *verdict(const cJSON *cmp, const char *preset, const char *metric)
{
	const cJSON *v;
	cJSON_ArrayForEach(v, cJSON_GetObjectItem(cmp, "verdicts"))
		if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(v, "preset")), preset) &&
		    !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(v, "metric")), metric))
			return v;
	return NULL;
}

static const char *verdict_of(const cJSON *cmp, const char *preset, const char *metric)
{
	const cJSON *v = verdict(cmp, preset, metric);
	return v ? cJSON_GetStringValue(cJSON_GetObjectItem(v, "verdict")) : "absent";
}

static const cJSON *gate(const cJSON *cmp, const char *name)
{
	const cJSON *g;
	cJSON_ArrayForEach(g, cJSON_GetObjectItem(cmp, "gates"))
		if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(g, "name")), name))
			return g;
	return NULL;
}

static const struct {
	const char *name;
	double decode_now, spread;
	int n;
	const char *want;
} cases[] = {
	{ "10 % slower, low noise", 64.0, 0.002, 5, "regression" },
	{ "10 % slower, high noise", 64.0, 0.30, 5, "inconclusive" },
	{ "equal", 71.1, 0.002, 5, "pass" },
	{ "10 % faster, low noise", 78.2, 0.002, 5, "improvement" },
	{ "10 % slower, one sample", 64.0, 0.002, 1, "inconclusive" },
	{ "3 % slower, within the 5 % tolerance", 69.0, 0.001, 8, "pass" },
};

START_TEST(test_decode_table)
{
	struct compare_settings s;
	cJSON *base = doc("0.24.0", 71.1, cases[_i].spread, cases[_i].n, 262144, 0);
	cJSON *now = doc("0.33.0", cases[_i].decode_now, cases[_i].spread, cases[_i].n, 262144, 0);
	cJSON *cmp;
	const cJSON *v, *g;
	compare_settings_default(&s);
	cmp = analyze_compare(base, now, &s);
	ck_assert_msg(!strcmp(verdict_of(cmp, "max_ctx", "decode"), cases[_i].want), "%s: %s",
		      cases[_i].name, verdict_of(cmp, "max_ctx", "decode"));
	v = verdict(cmp, "max_ctx", "decode");
	g = gate(cmp, "qwen3-coder:30b/regression/max_ctx/decode");
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(cJSON_IsTrue(cJSON_GetObjectItem(g, "pass")), strcmp(cases[_i].want,
									       "regression") != 0);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cmp, "identity_change")),
			 "Ollama 0.24.0 → 0.33.0");
	if (!strcmp(cases[_i].want, "regression")) {
		const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(g, "message"));
		/* the model, preset, metric, change, statistics and the likely cause */
		ck_assert_msg(strstr(m, "max_ctx decode") && strstr(m, "-10.0 %") &&
			      strstr(m, "worse than the baseline beyond the 5 % tolerance") &&
			      strstr(m, "Mann-Whitney p =") && strstr(m, "interval") &&
			      strstr(m, "Ollama 0.24.0 → 0.33.0"), "%s", m);
	}
	if (!strcmp(cases[_i].want, "inconclusive") && cases[_i].n > 1)
		ck_assert_double_gt(cJSON_GetNumberValue(cJSON_GetObjectItem(v, "suggested_n")),
				    cases[_i].n);
	cJSON_Delete(cmp);
	cJSON_Delete(base);
	cJSON_Delete(now);
}
END_TEST

/* Decode at fill: one sample a side (a fill is one request); the noise is
 * the preset's trial decode samples' (spread), on both sides. */
static const struct {
	const char *name;
	double fill_now, spread;
	int n_trials;
	const char *want;
} fill_cases[] = {
	{ "20 % slower, 1 % noise", 8.0, 0.02, 5, "regression" },
	{ "3 % slower, 1 % noise", 9.7, 0.02, 5, "pass" },
	{ "12 % slower, 5 % noise: beyond the tolerance, not beyond 3 x the noise", 8.8, 0.10, 5,
	  "inconclusive" },
	{ "8 % slower, 1 % noise: within the tolerance, not with 3 x the noise", 9.2, 0.02, 5,
	  "inconclusive" },
	{ "20 % faster, 1 % noise", 12.0, 0.02, 5, "improvement" },
	{ "20 % slower, 2 trial samples: no noise to judge by", 8.0, 0.02, 2, "inconclusive" },
};

START_TEST(test_fill_one_sample)
{
	struct compare_settings s;
	cJSON *base = doc("0.33.0", 71.1, fill_cases[_i].spread, fill_cases[_i].n_trials, 262144, 0);
	cJSON *now = doc("0.33.0", 71.1, fill_cases[_i].spread, fill_cases[_i].n_trials, 262144, 0);
	cJSON *cmp;
	const cJSON *v, *g;
	const char *msg;
	cJSON_AddItemToArray(cJSON_AddArrayToObject(cJSON_GetObjectItem(cJSON_GetObjectItem(
		cJSON_GetObjectItem(base, "presets"), "max_ctx"), "samples"), "decode_tps_at_fill"),
		cJSON_CreateNumber(10.0));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(cJSON_GetObjectItem(cJSON_GetObjectItem(
		cJSON_GetObjectItem(now, "presets"), "max_ctx"), "samples"), "decode_tps_at_fill"),
		cJSON_CreateNumber(fill_cases[_i].fill_now));
	compare_settings_default(&s);
	cmp = analyze_compare(base, now, &s);
	v = verdict(cmp, "max_ctx", "decode_at_fill");
	ck_assert_ptr_nonnull(v);
	msg = cJSON_GetStringValue(cJSON_GetObjectItem(v, "explanation"));
	ck_assert_msg(!strcmp(verdict_of(cmp, "max_ctx", "decode_at_fill"), fill_cases[_i].want),
		      "%s: %s (%s)", fill_cases[_i].name, verdict_of(cmp, "max_ctx", "decode_at_fill"),
		      msg);
	ck_assert_msg(strstr(msg, "one sample a side") != NULL, "%s", msg);
	g = gate(cmp, "qwen3-coder:30b/regression/max_ctx/decode_at_fill");
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(cJSON_IsTrue(cJSON_GetObjectItem(g, "pass")),
			 strcmp(fill_cases[_i].want, "regression") != 0);
	cJSON_Delete(cmp);
	cJSON_Delete(base);
	cJSON_Delete(now);
}
END_TEST

START_TEST(test_ceiling_oom_and_lost_preset)
{
	struct compare_settings s;
	cJSON *base = doc("0.33.0", 71.1, 0.002, 5, 262144, 0);
	cJSON *now = doc("0.33.0", 71.1, 0.002, 5, 261120, 1);
	cJSON *cmp, *none;
	compare_settings_default(&s);
	cmp = analyze_compare(base, now, &s);
	ck_assert(!cJSON_IsTrue(cJSON_GetObjectItem(gate(cmp, "qwen3-coder:30b/regression/ceiling/"
							   "loads_up_to"), "pass")));
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(gate(cmp, "qwen3-coder:30b/regression/ceiling/"
							  "usable"), "pass")));
	ck_assert(!cJSON_IsTrue(cJSON_GetObjectItem(gate(cmp, "qwen3-coder:30b/regression/"
							   "max_ctx@2-streams/stability"), "pass")));
	ck_assert_str_eq(verdict_of(cmp, "max_ctx@2-streams", "stability"), "regression");
	ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(cmp, "regressions")), 2);
	cJSON_Delete(cmp);
	/* the other way round: an improvement, never a failure */
	cmp = analyze_compare(now, base, &s);
	ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(cmp, "regressions")), 0);
	ck_assert_int_ge((int)cJSON_GetNumberValue(cJSON_GetObjectItem(cmp, "improvements")), 1);
	cJSON_Delete(cmp);
	/* a preset the baseline had and now nothing meets the criteria */
	none = cJSON_Duplicate(now, 1);
	cJSON_DeleteItemFromObject(none, "presets");
	cJSON_AddObjectToObject(none, "presets");
	cmp = analyze_compare(base, none, &s);
	ck_assert_str_eq(verdict_of(cmp, "max_ctx", "preset"), "regression");
	cJSON_Delete(cmp);
	cJSON_Delete(none);
	cJSON_Delete(base);
	cJSON_Delete(now);
}
END_TEST

/* strict: an inconclusive comparison fails the gate too */
START_TEST(test_strict)
{
	struct compare_settings s;
	cJSON *base = doc("0.33.0", 71.1, 0.30, 5, 262144, 0);
	cJSON *now = doc("0.33.0", 64.0, 0.30, 5, 262144, 0);
	cJSON *cmp;
	compare_settings_default(&s);
	s.strict = 1;
	cmp = analyze_compare(base, now, &s);
	ck_assert_str_eq(verdict_of(cmp, "max_ctx", "decode"), "inconclusive");
	ck_assert(!cJSON_IsTrue(cJSON_GetObjectItem(gate(cmp, "qwen3-coder:30b/regression/max_ctx/"
							   "decode"), "pass")));
	cJSON_Delete(cmp);
	cJSON_Delete(base);
	cJSON_Delete(now);
}
END_TEST

/* repetitions planned from the baseline's noise: more noise, more of them */
START_TEST(test_planned_repetitions)
{
	cJSON *quiet = doc("0.33.0", 71.1, 0.002, 5, 262144, 0);
	cJSON *noisy = doc("0.33.0", 71.1, 0.08, 5, 262144, 0);
	const cJSON *qp = cJSON_GetObjectItem(cJSON_GetObjectItem(quiet, "presets"), "max_ctx");
	const cJSON *np = cJSON_GetObjectItem(cJSON_GetObjectItem(noisy, "presets"), "max_ctx");
	int q = analyze_plan_repetitions(qp, 0.05, 0.05, 30);
	int n = analyze_plan_repetitions(np, 0.05, 0.05, 30);
	ck_assert_int_eq(q, 5);
	ck_assert_int_gt(n, q);
	ck_assert_int_le(n, 30);
	ck_assert_int_eq(analyze_plan_repetitions(np, 0.05, 0.05, 6), 6);
	cJSON_Delete(quiet);
	cJSON_Delete(noisy);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("compare");
	TCase *tc = tcase_create("compare");
	SRunner *sr;
	int failed;
	tcase_add_loop_test(tc, test_decode_table, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_loop_test(tc, test_fill_one_sample, 0, (int)(sizeof(fill_cases) / sizeof(fill_cases[0])));
	tcase_add_test(tc, test_ceiling_oom_and_lost_preset);
	tcase_add_test(tc, test_strict);
	tcase_add_test(tc, test_planned_repetitions);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

// SPDX-License-Identifier: MIT
/* The pure analysis: usable context from depth points, the identity of a
 * measurement and what changed between two. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "analyze_presets.h"
#include "analyze_usable.h"
#include "identity.h"
#include "record.h"
#include "suite.h"

/* decode time per token a + b·d, exactly: the fit must find a and b */
START_TEST(test_fit_exact_line)
{
	const double a = 0.0137, b = 5.78e-7;
	struct depth_point p[3] = {
		{ 2000, 1.0 / (a + b * 2000), 0 },
		{ 32000, 1.0 / (a + b * 32000), 0 },
		{ 150000, 1.0 / (a + b * 150000), 0 },
	};
	double fa, fb;
	ck_assert_int_eq(usable_fit(p, 3, &fa, &fb), 0);
	ck_assert_double_eq_tol(fa, a, 1e-9);
	ck_assert_double_eq_tol(fb, b, 1e-13);
	ck_assert_int_eq(usable_fit(p, 2, &fa, &fb), 0);
	ck_assert_double_eq_tol(fb, b, 1e-13);
}
END_TEST

START_TEST(test_fit_needs_two_depths)
{
	struct depth_point one[1] = { { 2000, 60, 0 } };
	struct depth_point same[2] = { { 2000, 60, 0 }, { 2000, 61, 0 } };
	struct depth_point failed[2] = { { 2000, 60, 0 }, { 30000, 0, 0 } };
	double a, b;
	ck_assert_int_eq(usable_fit(one, 1, &a, &b), -1);
	ck_assert_int_eq(usable_fit(same, 2, &a, &b), -1);
	ck_assert_int_eq(usable_fit(failed, 2, &a, &b), -1);
	ck_assert_int_eq(usable_fit(NULL, 0, &a, &b), -1);
}
END_TEST

/* Where decode at 90 % fill crosses 10 tok/s, on the line of qwen3-coder on
 * a Strix Halo: d* = (0.1 - a) / b, num_ctx = d* / 0.9, rounded down to
 * 1024; the answer holds (its own fill is at or above the floor) and the
 * next step up does not. */
START_TEST(test_predict_crossing)
{
	const double a = 0.0137, b = 5.78e-7;
	long n = usable_predict(a, b, 10, 0.9, 1024, 262144);
	double dstar = (0.1 - a) / b;
	ck_assert_int_eq(n % 1024, 0);
	ck_assert_int_le(n, (long)(dstar / 0.9));
	ck_assert_int_gt(n + 1024, (long)(dstar / 0.9));
	ck_assert(usable_decode_at(a, b, 0.9 * (double)n) >= 10);
	ck_assert(usable_decode_at(a, b, 0.9 * (double)(n + 1024)) < 10);
}
END_TEST

static const struct {
	double a, b, floor_tps, fill;
	long res, max, want;
} predict_cases[] = {
	/* never falls to the floor before the maximum */
	{ 0.01, 1e-9, 10, 0.9, 1024, 131072, 131072 },
	/* flat or faster with depth: the maximum, if the start is above the floor */
	{ 0.01, 0, 10, 0.9, 1024, 32768, 32768 },
	{ 0.2, 0, 10, 0.9, 1024, 32768, 0 },
	/* below the floor from the start */
	{ 0.11, 1e-7, 10, 0.9, 1024, 262144, 0 },
	/* a maximum under the resolution */
	{ 0.01, 1e-9, 10, 0.9, 1024, 512, 512 },
	/* no floor: nothing to cross */
	{ 0.01, 1e-6, 0, 0.9, 1024, 65536, 65536 },
};

START_TEST(test_predict_table)
{
	ck_assert_int_eq(usable_predict(predict_cases[_i].a, predict_cases[_i].b,
					predict_cases[_i].floor_tps, predict_cases[_i].fill,
					predict_cases[_i].res, predict_cases[_i].max),
			 predict_cases[_i].want);
}
END_TEST

/* prefill time α·d + β·d² is recovered from two points; one point or a
 * wrong-way bend falls back to an upper bound, never below the deepest
 * point's rate */
START_TEST(test_prefill_prediction)
{
	const double alpha = 0.3, beta = 2e-5; /* ms per token, ms per token² */
	struct depth_point p[2] = {
		{ 2000, 60, alpha * 2000 + beta * 2000 * 2000 },
		{ 32000, 30, alpha * 32000 + beta * 32000.0 * 32000 },
	};
	struct depth_point bent[2] = { { 2000, 60, 1000 }, { 32000, 30, 9000 } };
	double want = alpha * 150000 + beta * 150000.0 * 150000;
	ck_assert_double_eq_tol(usable_prefill_ms(p, 2, 150000), want, want * 1e-6);
	ck_assert_double_eq_tol(usable_prefill_ms(p, 1, 4000), 2 * (alpha * 2000 + beta * 4e6) * 2,
				1e-6);
	/* 9000 ms at 32000: 0.28 ms a token, growing with depth beyond it */
	ck_assert_double_eq_tol(usable_prefill_ms(bent, 2, 64000), 9000.0 / 32000 * 64000 * 2, 1e-6);
	ck_assert(usable_prefill_ms(p, 0, 1000) < 0);
}
END_TEST

static cJSON *identity(const char *version, const char *sim, const char *digest)
{
	cJSON *id = cJSON_CreateObject(), *m, *k;
	cJSON_AddNumberToObject(id, "schema", 1);
	cJSON_AddStringToObject(id, "ollama_version", version);
	cJSON_AddBoolToObject(id, "simulated", sim != NULL);
	if (sim)
		cJSON_AddStringToObject(id, "simulator", sim);
	cJSON_AddStringToObject(id, "model", "qwen3-coder:30b");
	cJSON_AddStringToObject(id, "model_digest", digest);
	m = cJSON_AddObjectToObject(id, "machine");
	cJSON_AddStringToObject(m, "gpu", "0x1002:0x1586 amdgpu");
	cJSON_AddNumberToObject(m, "memory_bytes", 68719476736.0);
	k = cJSON_AddObjectToObject(id, "server_knobs");
	cJSON_AddStringToObject(k, "OLLAMA_NUM_PARALLEL", "1");
	return id;
}

START_TEST(test_identity_hash_is_canonical)
{
	cJSON *a = identity("0.33.0", NULL, "sha256:aa"), *b = cJSON_CreateObject(), *it;
	char ha[17], hb[17], hc[17];
	/* the same members in reverse order: the same identity */
	cJSON_ArrayForEach(it, a)
		cJSON_InsertItemInArray(b, 0, cJSON_Duplicate(it, 1));
	ck_assert_str_eq(b->child->string, "server_knobs");
	identity_hash(a, ha, sizeof(ha));
	identity_hash(b, hb, sizeof(hb));
	ck_assert_uint_eq(strlen(ha), 16);
	ck_assert_str_eq(ha, hb);
	cJSON_ReplaceItemInObject(b, "ollama_version", cJSON_CreateString("0.33.1"));
	identity_hash(b, hc, sizeof(hc));
	ck_assert_str_ne(ha, hc);
	cJSON_Delete(a);
	cJSON_Delete(b);
}
END_TEST

START_TEST(test_identity_change_words)
{
	cJSON *a = identity("0.24.0", "o3-sim; profile=strix-halo-64g", "sha256:aa");
	cJSON *b = identity("0.33.0", "o3-sim; profile=rx7900xtx-24g", "sha256:aa");
	cJSON *c = identity("0.33.0", NULL, "sha256:bb");
	struct strbuf sb = STRBUF_INIT;
	identity_describe_change(a, b, &sb);
	ck_assert_msg(strstr(sb.buf, "Ollama 0.24.0 → 0.33.0") != NULL, "%s", sb.buf);
	ck_assert_msg(strstr(sb.buf, "profile=strix-halo-64g → o3-sim; profile=rx7900xtx-24g") != NULL,
		      "%s", sb.buf);
	ck_assert_msg(strstr(sb.buf, "digest") == NULL, "%s", sb.buf);
	strbuf_reset(&sb);
	identity_describe_change(b, c, &sb);
	ck_assert_msg(strstr(sb.buf, "→ a real server") != NULL, "%s", sb.buf);
	ck_assert_msg(strstr(sb.buf, "model digest sha256:aa → sha256:bb") != NULL, "%s", sb.buf);
	strbuf_reset(&sb);
	identity_describe_change(b, b, &sb);
	ck_assert_uint_eq(sb.len, 0);
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(c, "server_knobs"), "OLLAMA_NUM_PARALLEL",
				  cJSON_CreateString("4"));
	strbuf_reset(&sb);
	identity_describe_change(b, c, &sb);
	ck_assert_msg(strstr(sb.buf, "OLLAMA_NUM_PARALLEL\":\"4\"") != NULL, "%s", sb.buf);
	strbuf_release(&sb);
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(c);
}
END_TEST

/* A machine is judged from the environment snapshot's GPUs. */
START_TEST(test_identity_machine)
{
	cJSON *env = cJSON_Parse("{\"ram_bytes\": 68719476736, \"kernel\": {\"release\": \"6.11.0\"},"
				 "\"gpus\": [{\"card\": \"card0\", \"vendor\": \"0x1002\", \"device\": \"0x1586\","
				 "\"driver\": \"amdgpu\", \"vram_total_bytes\": 536870912,"
				 "\"gtt_total_bytes\": 51539607552}]}");
	cJSON *none = cJSON_Parse("{\"ram_bytes\": 68719476736, \"gpus\": []}");
	cJSON *virt = cJSON_Parse("{\"gpus\": [{\"vendor\": \"0x1234\", \"device\": \"0x1111\","
				  "\"driver\": \"bochs-drm\"}]}");
	cJSON *m = identity_machine(env), *n = identity_machine(none), *v = identity_machine(virt);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(m, "gpu")), "0x1002:0x1586 amdgpu");
	ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(m, "gpu_memory_bytes")),
			    536870912.0 + 51539607552.0);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(m, "kernel")), "6.11.0");
	ck_assert_int_eq(identity_machine_has_gpu(m), 1);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(n, "gpu")), "none");
	ck_assert_int_eq(identity_machine_has_gpu(n), 0);
	ck_assert_int_eq(identity_machine_has_gpu(v), 0);
	cJSON_Delete(env);
	cJSON_Delete(none);
	cJSON_Delete(virt);
	cJSON_Delete(m);
	cJSON_Delete(n);
	cJSON_Delete(v);
}
END_TEST

/* A trial summary: num_ctx, num_batch (0 = not set), samples. */
static cJSON *trial(const char *id, double num_ctx, double num_batch, const double *v, int n,
		    int meets)
{
	cJSON *t = cJSON_CreateObject(), *o = cJSON_AddObjectToObject(t, "options"), *a;
	double sorted[16];
	int i, j;
	cJSON_AddStringToObject(t, "id", id);
	if (num_batch > 0)
		cJSON_AddNumberToObject(o, "num_batch", num_batch);
	cJSON_AddNumberToObject(o, "num_ctx", num_ctx);
	cJSON_AddBoolToObject(t, "meets", meets);
	a = cJSON_AddArrayToObject(t, "decode_samples");
	for (i = 0; i < n; i++) {
		cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
		sorted[i] = v[i];
		for (j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
			double x = sorted[j];
			sorted[j] = sorted[j - 1];
			sorted[j - 1] = x;
		}
	}
	cJSON_AddNumberToObject(t, "decode_tps", n ? sorted[n / 2] : 0);
	return t;
}

/* qwen3-coder:30b on the Strix Halo, as the issue found it: 4096 at
 * 71.489 tok/s against 262,144 at 71.457, a 0.04 % difference inside the
 * noise: a tie, and the tie keeps the context */
START_TEST(test_fast_tie_keeps_context)
{
	const double small[] = { 71.52, 71.43, 71.489, 71.55, 71.40 };
	const double big[] = { 71.46, 71.38, 71.457, 71.51, 71.44 };
	cJSON *trials = cJSON_CreateArray(), *why = cJSON_CreateObject();
	const cJSON *pick;
	cJSON_AddItemToArray(trials, trial("t4096", 4096, 0, small, 5, 1));
	cJSON_AddItemToArray(trials, trial("t262144", 262144, 0, big, 5, 1));
	pick = analyze_pick_fast(trials, why);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(pick, "id")), "t262144");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(why, "fastest_id")), "t4096");
	ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(why, "tied")), 1);
	ck_assert_ptr_nonnull(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(why, "choice")), "a tie"));
	cJSON_Delete(trials);
	cJSON_Delete(why);
}
END_TEST

/* a clear 10 % gain, beyond the noise, wins over more context */
START_TEST(test_fast_clear_gain_wins)
{
	const double fast[] = { 78.1, 78.4, 78.2, 78.6, 78.3 };
	const double slow[] = { 71.2, 71.5, 71.1, 71.4, 71.3 };
	cJSON *trials = cJSON_CreateArray(), *why = cJSON_CreateObject();
	const cJSON *pick, *c;
	cJSON_AddItemToArray(trials, trial("fast", 4096, 1024, fast, 5, 1));
	cJSON_AddItemToArray(trials, trial("slow", 65536, 0, slow, 5, 1));
	pick = analyze_pick_fast(trials, why);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(pick, "id")), "fast");
	c = cJSON_GetArrayItem(cJSON_GetObjectItem(why, "compared"), 0);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(c, "verdict")), "worse");
	cJSON_Delete(trials);
	cJSON_Delete(why);
}
END_TEST

/* one sample each cannot tell 5 % apart: inconclusive, said so, a tie */
START_TEST(test_fast_too_few_samples_is_a_tie)
{
	const double a[] = { 75.0 }, b[] = { 71.0 };
	cJSON *trials = cJSON_CreateArray(), *why = cJSON_CreateObject();
	const cJSON *pick;
	cJSON_AddItemToArray(trials, trial("a", 4096, 0, a, 1, 1));
	cJSON_AddItemToArray(trials, trial("b", 8192, 0, b, 1, 1));
	pick = analyze_pick_fast(trials, why);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(pick, "id")), "b");
	ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(why, "inconclusive")), 1);
	ck_assert_ptr_nonnull(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(why, "choice")),
				     "more repetitions"));
	cJSON_Delete(trials);
	cJSON_Delete(why);
}
END_TEST

/* at equal context a tie keeps Ollama's defaults; a trial that misses a
 * criterion is never picked, however fast */
START_TEST(test_fast_tie_keeps_defaults)
{
	const double x[] = { 70.1, 70.3, 70.2, 70.0, 70.4 };
	const double y[] = { 70.2, 70.1, 70.3, 70.4, 70.0 };
	const double z[] = { 99.0, 99.1, 99.2, 99.3, 99.4 };
	cJSON *trials = cJSON_CreateArray(), *why = cJSON_CreateObject();
	const cJSON *pick;
	cJSON_AddItemToArray(trials, trial("b2048", 8192, 2048, x, 5, 1));
	cJSON_AddItemToArray(trials, trial("b512", 8192, 512, y, 5, 1));
	cJSON_AddItemToArray(trials, trial("misses", 8192, 1024, z, 5, 0));
	pick = analyze_pick_fast(trials, why);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(pick, "id")), "b512");
	ck_assert_int_eq(analyze_changed_defaults(cJSON_GetArrayItem(trials, 0)), 1);
	ck_assert_int_eq(analyze_changed_defaults(cJSON_GetArrayItem(trials, 1)), 0);
	cJSON_Delete(why);
	why = cJSON_CreateObject();
	cJSON_DeleteItemFromArray(trials, 1);
	cJSON_DeleteItemFromArray(trials, 0);
	ck_assert_ptr_null(analyze_pick_fast(trials, why));
	cJSON_Delete(trials);
	cJSON_Delete(why);
}
END_TEST

/* Issue 12 item 8: a trial whose prompts the server cut meets nothing and
 * is never a preset, however fast; the same trial uncut does. */
START_TEST(test_truncated_trial_never_meets)
{
	static const char rec[] =
		"{\"model\":\"m\",\"phase\":\"trial\",\"status\":\"ok\",\"id\":\"t%d\","
		"\"options\":{\"num_ctx\":256},\"truncated\":%s,"
		"\"summary\":{\"decode_tps_server\":{\"median\":91},\"ttft_ms\":{\"median\":51},"
		"\"ttft_server_ms\":{\"median\":51}},"
		"\"requests\":[{\"decode_tps_server\":90},{\"decode_tps_server\":91},"
		"{\"decode_tps_server\":92}]}";
	struct suite_criteria crit = { .ttft_s = 2.0, .decode_tps_min = 20, .gpu_memory_max_pct = 90,
				       .needle = 1, .stability_success_min_pct = 100 };
	char text[1024], why[256];
	cJSON *cut, *whole, *trials, *pickwhy = cJSON_CreateObject();
	const cJSON *recs[1];

	snprintf(text, sizeof(text), rec, 1, "true");
	cut = cJSON_Parse(text);
	snprintf(text, sizeof(text), rec, 2, "false");
	whole = cJSON_Parse(text);
	ck_assert_ptr_nonnull(cut);
	ck_assert_int_eq(analyze_meets(whole, &crit, 0, 1, why, sizeof(why)), 1);
	ck_assert_int_eq(analyze_meets(cut, &crit, 0, 1, why, sizeof(why)), 0);
	ck_assert_msg(strstr(why, "the server cut the prompt") != NULL, "why: %s", why);
	ck_assert_ptr_nonnull(strstr(why, "num_ctx 256"));
	ck_assert_int_eq(analyze_meets(cut, &crit, 1, 1, why, sizeof(why)), 0);
	recs[0] = cut;
	trials = analyze_trials(recs, 1, &crit, 1);
	ck_assert(!cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(trials, 0), "meets")));
	ck_assert(!cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(trials, 0), "meets_throughput")));
	ck_assert_ptr_null(analyze_pick_fast(trials, pickwhy));
	cJSON_Delete(trials);
	cJSON_Delete(pickwhy);
	cJSON_Delete(cut);
	cJSON_Delete(whole);
}
END_TEST

/* ---- analyze_model on fixed records, no server -------------------------- */

/* A probe record: num_ctx, outcome, placement. */
static cJSON *probe(long n, const char *outcome, const char *placement)
{
	char text[400];
	snprintf(text, sizeof(text), "{\"schema\":\"o3.trial\",\"schema_version\":2,\"id\":\"p%ld\","
		 "\"model\":\"m\",\"phase\":\"ceiling-probe\",\"status\":\"ok\",\"options\":"
		 "{\"num_ctx\":%ld},\"placement\":\"%s\",\"outcome\":\"%s\",\"key\":\"p%ld\"}", n, n,
		 placement, outcome, n);
	return cJSON_Parse(text);
}

/* A fill record: num_ctx, decode at fill, needle found (-1: a timeout). */
static cJSON *fill(long n, double tps, int found)
{
	char text[500];
	if (found < 0)
		snprintf(text, sizeof(text), "{\"id\":\"f%ld\",\"model\":\"m\",\"phase\":\"fill-confirm\","
			 "\"status\":\"error\",\"error\":{\"class\":\"client_timeout\",\"message\":\"first-byte "
			 "timeout\"},\"options\":{\"num_ctx\":%ld},\"key\":\"f%ld\"}", n, n, n);
	else
		snprintf(text, sizeof(text), "{\"id\":\"f%ld\",\"model\":\"m\",\"phase\":\"fill-confirm\","
			 "\"status\":\"ok\",\"options\":{\"num_ctx\":%ld},\"fill_ratio\":0.9,"
			 "\"prompt_tokens\":%ld,\"decode_tps_server\":%g,\"needle_found\":%s,"
			 "\"key\":\"f%ld\"}", n, n, n * 9 / 10, tps, found ? "true" : "false", n);
	return cJSON_Parse(text);
}

static const struct {
	const char *name;
	int has_gpu;
	const char *probes;   /* "num_ctx:outcome:placement ..." in the search's order */
	const char *fills;    /* "num_ctx:tps:found ..." */
	long found, first_bad, usable;
	const char *bad_outcome, *limited_by, *placement;
} model_cases[] = {
	{ "gallop and bisect, fills hold", 1,
	  "4096:fits:gpu 8192:fits:gpu 16384:offload:partial 12288:fits:gpu 14336:offload:partial "
	  "13312:fits:gpu", "13312:30:1", 13312, 14336, 13312, "offload", "memory", "gpu" },
	{ "every context fits", 1, "4096:fits:gpu 8192:fits:gpu", "8192:30:1", 8192, 0, 8192, NULL,
	  "memory", "gpu" },
	{ "usable below the ceiling by speed", 1, "4096:fits:gpu 131072:fits:gpu",
	  "131072:6:1 65536:12:1 98304:9:1", 131072, 0, 65536, NULL, "speed", "gpu" },
	{ "the needle lost", 1, "4096:fits:gpu 32768:fits:gpu", "32768:40:0 16384:40:1", 32768, 0,
	  16384, NULL, "needle", "gpu" },
	{ "a timeout is no verdict", 1, "4096:fits:gpu 32768:fits:gpu", "32768:0:-1", 32768, 0, 0,
	  NULL, NULL, "gpu" },
	{ "no GPU: system memory, the edge an OOM", 0, "4096:fits:cpu 8192:fits:cpu 16384:oom:cpu "
	  "12288:fits:cpu", "12288:20:1", 12288, 16384, 12288, "oom", "memory", "cpu (no GPU)" },
	{ "a GPU Ollama does not use", 1, "4096:offload:cpu 8192:offload:cpu 16384:oom:cpu",
	  "8192:20:1", 8192, 16384, 8192, "oom", "memory", "cpu (GPU present, unused by Ollama)" },
};

START_TEST(test_model_table)
{
	struct suite s;
	struct analyze_input in = { 0 };
	const cJSON *recs[32];
	cJSON *all = cJSON_CreateArray(), *sum, *facts;
	const cJSON *c, *u;
	char buf[512], *tok, *save;
	size_t n = 0;

	suite_init(&s);
	s.search.resolution = 1024;
	snprintf(buf, sizeof(buf), "%s", model_cases[_i].probes);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char outcome[32], placement[32];
		long num;
		ck_assert_int_eq(sscanf(tok, "%ld:%31[^:]:%31s", &num, outcome, placement), 3);
		cJSON_AddItemToArray(all, probe(num, outcome, placement));
	}
	snprintf(buf, sizeof(buf), "%s", model_cases[_i].fills);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		long num;
		double tps;
		int found;
		ck_assert_int_eq(sscanf(tok, "%ld:%lf:%d", &num, &tps, &found), 3);
		cJSON_AddItemToArray(all, fill(num, tps, found));
	}
	facts = cJSON_Parse("{\"model\":\"m\",\"phase\":\"identity\",\"status\":\"ok\","
			    "\"parameter_count\":30000000000,\"context_length\":262144}");
	{
		const cJSON *r;
		cJSON_ArrayForEach(r, all)
			recs[n++] = r;
	}
	in.model = "m";
	in.suite = &s;
	in.facts = facts;
	in.records = recs;
	in.n_records = n;
	in.parallel = 1;
	in.has_gpu = model_cases[_i].has_gpu;
	in.complete = 1;
	in.steps_measured_again = -1;
	sum = analyze_model(&in);
	c = cJSON_GetObjectItem(sum, "ceiling");
	u = cJSON_GetObjectItem(c, "usable");
	ck_assert_msg(cJSON_GetNumberValue(cJSON_GetObjectItem(c, "loads_up_to")) == model_cases[_i].found,
		      "%s: loads up to %g", model_cases[_i].name,
		      cJSON_GetNumberValue(cJSON_GetObjectItem(c, "loads_up_to")));
	if (model_cases[_i].first_bad)
		ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(c, "first_bad")),
				    model_cases[_i].first_bad);
	else
		ck_assert_ptr_null(cJSON_GetObjectItem(c, "first_bad"));
	if (model_cases[_i].bad_outcome)
		ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(c, "bad_outcome")),
				 model_cases[_i].bad_outcome);
	ck_assert_msg(cJSON_GetNumberValue(cJSON_GetObjectItem(c, "confirmed")) == model_cases[_i].usable,
		      "%s: usable %g", model_cases[_i].name,
		      cJSON_GetNumberValue(cJSON_GetObjectItem(c, "confirmed")));
	if (model_cases[_i].limited_by)
		ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(u, "limited_by")),
				 model_cases[_i].limited_by);
	else
		ck_assert_ptr_null(cJSON_GetObjectItem(u, "limited_by"));
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(c, "placement")),
			 model_cases[_i].placement);
	/* no trial: no preset, and the gates say why */
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(sum, "gates")), 2);
	ck_assert(!cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(sum, "gates"),
								   0), "pass")));
	if (!model_cases[_i].usable)
		ck_assert_ptr_nonnull(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(
			cJSON_GetArrayItem(cJSON_GetObjectItem(sum, "gates"), 0), "message")),
			"no context was confirmed"));
	cJSON_Delete(sum);
	cJSON_Delete(facts);
	cJSON_Delete(all);
	suite_release(&s);
}
END_TEST

/* The same records give the same summary, whatever else is in the log:
 * analysis is a pure function of its input. */
START_TEST(test_model_is_pure)
{
	struct suite s;
	struct analyze_input in = { 0 };
	cJSON *a = probe(4096, "fits", "gpu"), *b = probe(8192, "oom", "gpu"), *f = fill(4096, 30, 1);
	const cJSON *recs[3] = { a, b, f };
	cJSON *one, *two;
	char *t1, *t2;
	suite_init(&s);
	in.model = "m";
	in.suite = &s;
	in.records = recs;
	in.n_records = 3;
	in.parallel = 1;
	in.has_gpu = 1;
	in.complete = 1;
	in.steps_measured_again = -1;
	one = analyze_model(&in);
	two = analyze_model(&in);
	t1 = cJSON_PrintUnformatted(one);
	t2 = cJSON_PrintUnformatted(two);
	ck_assert_str_eq(t1, t2);
	/* a log of schema 1 (no facts): the trained context is the largest probed */
	ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(one, "trained_context")), 8192);
	free(t1);
	free(t2);
	cJSON_Delete(one);
	cJSON_Delete(two);
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(f);
	suite_release(&s);
}
END_TEST

static Suite *analyze_suite(void)
{
	Suite *s = suite_create("analyze");
	TCase *tc = tcase_create("usable");
	tcase_add_test(tc, test_fit_exact_line);
	tcase_add_test(tc, test_fit_needs_two_depths);
	tcase_add_test(tc, test_predict_crossing);
	tcase_add_loop_test(tc, test_predict_table, 0,
			    (int)(sizeof(predict_cases) / sizeof(predict_cases[0])));
	tcase_add_test(tc, test_prefill_prediction);
	suite_add_tcase(s, tc);
	tc = tcase_create("model");
	tcase_add_loop_test(tc, test_model_table, 0,
			    (int)(sizeof(model_cases) / sizeof(model_cases[0])));
	tcase_add_test(tc, test_model_is_pure);
	suite_add_tcase(s, tc);
	tc = tcase_create("presets");
	tcase_add_test(tc, test_fast_tie_keeps_context);
	tcase_add_test(tc, test_fast_clear_gain_wins);
	tcase_add_test(tc, test_fast_too_few_samples_is_a_tie);
	tcase_add_test(tc, test_fast_tie_keeps_defaults);
	tcase_add_test(tc, test_truncated_trial_never_meets);
	suite_add_tcase(s, tc);
	tc = tcase_create("identity");
	tcase_add_test(tc, test_identity_hash_is_canonical);
	tcase_add_test(tc, test_identity_change_words);
	tcase_add_test(tc, test_identity_machine);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(analyze_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

// SPDX-License-Identifier: MIT
/*
 * A trial against the simulator, checked against what the simulator knows to
 * be true: decode and prefill speed, TTFT, prompt size; reload detection; the
 * prefix cache; truncation. The simulator runs at TIME_SCALE of real time and
 * reports unscaled durations, so client-side times are divided by the scale.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"
#include "ollama.h"
#include "sim_process.h"
#include "trial.h"

#define TIME_SCALE 0.2
#define MODEL "qwen2.5:3b-instruct"

static struct sim_process sim;
static struct ollama_client *client;

static void up(void)
{
	static const char *const args[] = { "--time-scale", "0.2", NULL };
	struct ollama_host h;
	char err[256];
	ck_assert_msg(sim_start(&sim, args, NULL) == 0, "cannot start %s", sim_binary());
	ck_assert_int_eq(ollama_host_parse(sim.host, &h, err, sizeof(err)), 0);
	client = ollama_client_new(&h, NULL);
}

static void down(void)
{
	ollama_client_free(client);
	client = NULL;
	sim_stop(&sim);
}

/* Truth for one model under --truth ARGS: the model's object. */
static cJSON *truth_for(const char *model, const char *num_ctx, const char *prompt_tokens,
			const char *depth)
{
	const char *args[] = { "--model", model, "--num-ctx", num_ctx, "--prompt-tokens",
			       prompt_tokens, "--depth", depth, NULL };
	cJSON *t = sim_truth(args, NULL), *m;
	ck_assert_msg(t != NULL, "o3-sim --truth gave no JSON");
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(t, "models")) {
		if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(m, "name")), model)) {
			cJSON *copy = cJSON_Duplicate(m, 1);
			cJSON_Delete(t);
			return copy;
		}
	}
	cJSON_Delete(t);
	ck_abort_msg("model %s not in the truth", model);
	return NULL;
}

static double truth_num(const cJSON *m, const char *key)
{
	const cJSON *x = cJSON_GetObjectItem(m, key);
	ck_assert_msg(cJSON_IsNumber(x), "truth has no number '%s'", key);
	return x->valuedouble;
}

static double median_of(const cJSON *rec, const char *metric)
{
	const cJSON *s = cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "summary"), metric);
	ck_assert_msg(s != NULL, "summary has no '%s'", metric);
	return cJSON_GetNumberValue(cJSON_GetObjectItem(s, "median"));
}

static cJSON *run_trial(const char *num_ctx, long prompt_tokens, long num_predict, int reps)
{
	struct trial_spec spec;
	struct ollama_error err;
	cJSON *opts = cJSON_CreateObject(), *rec = NULL;
	char msg[256];
	ck_assert_int_eq(ollama_option_add(opts, "num_ctx", num_ctx, msg, sizeof(msg)), 0);
	trial_spec_default(&spec);
	spec.model = MODEL;
	spec.options = opts;
	spec.prompt_tokens = prompt_tokens;
	spec.num_predict = num_predict;
	spec.reps = reps;
	ck_assert_msg(trial_run(client, &spec, &rec, &err) == 0, "trial failed: %s: %s",
		      ollama_err_class_name(err.cls), err.message);
	cJSON_Delete(opts);
	return rec;
}

static void within(double got, double want, double tol, const char *what)
{
	ck_assert_msg(got >= want * (1 - tol) && got <= want * (1 + tol),
		      "%s: measured %.3f, simulator's truth %.3f (tolerance %.0f%%)", what, got,
		      want, tol * 100);
	fprintf(stderr, "agreement: %-28s o3 %10.3f  truth %10.3f  ratio %.3f\n", what, got, want,
		got / want);
}

START_TEST(test_metrics_match_truth)
{
	cJSON *rec, *truth;
	up();
	rec = run_trial("4096", 512, 32, 3);
	truth = truth_for(MODEL, "4096", "512", "528");
	within(median_of(rec, "prompt_tokens"), 512, 0.03, "prompt tokens");
	within(median_of(rec, "decode_tps_server"), truth_num(truth, "decode_tps"), 0.05,
	       "decode tok/s (server)");
	within(median_of(rec, "decode_tps_client") * TIME_SCALE, truth_num(truth, "decode_tps"), 0.20,
	       "decode tok/s (client)");
	within(median_of(rec, "prefill_tps"), truth_num(truth, "prefill_tps"), 0.10, "prefill tok/s");
	within(median_of(rec, "ttft_ms") / TIME_SCALE / 1000.0, truth_num(truth, "ttft_s"), 0.25,
	       "TTFT s (client)");
	within(median_of(rec, "ttft_server_ms") / 1000.0, truth_num(truth, "ttft_s"), 0.05,
	       "TTFT s (server durations)");
	within(median_of(rec, "tpot_ms") / TIME_SCALE / 1000.0, 1.0 / truth_num(truth, "decode_tps"),
	       0.20, "TPOT s (client)");
	ck_assert(!cJSON_IsTrue(cJSON_GetObjectItem(rec, "truncated")));
	ck_assert(!cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "ps"), "offload")));
	cJSON_Delete(truth);
	cJSON_Delete(rec);
	down();
}
END_TEST

/* Every gap of every request is in the record, printed compactly (one text,
 * not a node per gap), reads back as JSON numbers, and is pooled over the
 * timed requests into the ITL summary. */
START_TEST(test_every_gap_kept)
{
	cJSON *rec, *back;
	const cJSON *rq, *gap;
	char *text;
	double total = 0, n_summary;
	int gaps = 0;
	up();
	rec = run_trial("4096", 128, 40, 2);
	text = cJSON_PrintUnformatted(rec);
	back = cJSON_Parse(text);
	ck_assert_ptr_nonnull(back);
	cJSON_ArrayForEach(rq, cJSON_GetObjectItem(back, "requests")) {
		const cJSON *itl = cJSON_GetObjectItem(rq, "itl_ms");
		int n = 0;
		ck_assert(cJSON_IsArray(itl));
		cJSON_ArrayForEach(gap, itl) {
			ck_assert(cJSON_IsNumber(gap) && gap->valuedouble >= 0);
			total += gap->valuedouble;
			n++;
		}
		ck_assert_int_eq(n + 1, (int)cJSON_GetNumberValue(cJSON_GetObjectItem(rq, "content_chunks")));
		ck_assert_int_gt(n, 10);
		gaps += n;
	}
	n_summary = cJSON_GetNumberValue(cJSON_GetObjectItem(
		cJSON_GetObjectItem(cJSON_GetObjectItem(back, "summary"), "itl_ms"), "n"));
	ck_assert_int_eq((int)n_summary, gaps);
	ck_assert(total > 0);
	cJSON_Delete(back);
	cJSON_free(text);
	cJSON_Delete(rec);
	down();
}
END_TEST

static int reloaded(const cJSON *rec)
{
	const cJSON *r = cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "load"), "reloaded");
	ck_assert_msg(cJSON_IsBool(r), "record has no load.reloaded");
	return cJSON_IsTrue(r);
}

START_TEST(test_reload_on_load_knob)
{
	cJSON *a, *b, *c;
	up();
	a = run_trial("4096", 64, 4, 1);
	b = run_trial("4096", 64, 4, 1);
	c = run_trial("8192", 64, 4, 1);
	ck_assert_msg(reloaded(a), "first load of the model not seen as a load");
	ck_assert_msg(!reloaded(b), "same configuration seen as a reload");
	ck_assert_msg(reloaded(c), "num_ctx change not seen as a reload");
	ck_assert_double_eq_tol(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "ps"),
				"context_length")), 8192, 0.5);
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(c);
	down();
}
END_TEST

START_TEST(test_not_fooled_by_prefix_cache)
{
	struct ollama_gen_request req = { .model = MODEL, .stream = 1, .think = -1 };
	struct ollama_gen_result r1, r2;
	struct ollama_error err;
	cJSON *rec, *truth, *rq;
	char *prompt = malloc(4001);
	up();
	/* control: the simulator does serve a repeated prompt from its cache,
	 * so a harness that reused prompts would see a tiny prefill time */
	memset(prompt, 0, 4001);
	for (int i = 0; i < 4000; i++)
		prompt[i] = "abcd efgh "[i % 10];
	req.prompt = prompt;
	ollama_gen_result_init(&r1);
	ollama_gen_result_init(&r2);
	ck_assert_int_eq(ollama_generate(client, &req, &r1, &err), 0);
	ck_assert_int_eq(ollama_generate(client, &req, &r2, &err), 0);
	ck_assert_int_gt(r1.prompt_eval_duration_ns, 0);
	ck_assert_msg(r2.prompt_eval_duration_ns < r1.prompt_eval_duration_ns / 5,
		      "the simulator's prefix cache did not work: %lld vs %lld ns",
		      r2.prompt_eval_duration_ns, r1.prompt_eval_duration_ns);
	ollama_gen_result_release(&r1);
	ollama_gen_result_release(&r2);
	free(prompt);

	/* the trial's every timed request is cold */
	rec = run_trial("4096", 1024, 8, 3);
	truth = truth_for(MODEL, "4096", "1024", "1024");
	cJSON_ArrayForEach(rq, cJSON_GetObjectItem(rec, "requests"))
		within(cJSON_GetNumberValue(cJSON_GetObjectItem(rq, "prefill_tps")),
		       truth_num(truth, "prefill_tps"), 0.15, "prefill tok/s, each request");
	cJSON_Delete(truth);
	cJSON_Delete(rec);
	down();
}
END_TEST

START_TEST(test_truncation_detected)
{
	cJSON *rec;
	up();
	rec = run_trial("2048", 6000, 4, 2);
	ck_assert_msg(cJSON_IsTrue(cJSON_GetObjectItem(rec, "truncated")),
		      "a 6000-token prompt in a 2048 context was not flagged as truncated");
	ck_assert_double_le(median_of(rec, "prompt_tokens"), 2048);
	cJSON_Delete(rec);
	down();
}
END_TEST

START_TEST(test_trial_carries_true_memory_peaks)
{
	/* the simulator keeps a fake amdgpu tree; the trial's monitor reads it
	 * and the record's peaks equal what the simulator knows it used */
	char root[] = "/tmp/o3-trialmon-XXXXXX", sys[64], proc[64], msg[256];
	const char *args[] = { "--time-scale", "0.2", "--sysfs-root", sys, "--procfs-root", proc, NULL };
	const char *targs[] = { "--model", MODEL, "--num-ctx", "8192", NULL };
	struct monitor_settings ms;
	struct monitor *m;
	struct trial_spec spec;
	struct ollama_error err;
	struct ollama_host h;
	cJSON *opts = cJSON_CreateObject(), *rec = NULL, *truth, *tm, *peaks;

	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(sys, sizeof(sys), "%s/sys", root);
	snprintf(proc, sizeof(proc), "%s/proc", root);
	ck_assert_int_eq(sim_start(&sim, args, NULL), 0);
	ck_assert_int_eq(ollama_host_parse(sim.host, &h, msg, sizeof(msg)), 0);
	client = ollama_client_new(&h, NULL);
	monitor_settings_default(&ms);
	ms.sysfs_root = sys;
	ms.procfs_root = proc;
	ms.nvml_library = "/nonexistent/libnvidia-ml.so.1";
	ms.interval_ms = 20;
	ms.ollama = client;
	m = monitor_new(&ms);
	trial_spec_default(&spec);
	spec.model = MODEL;
	spec.options = opts;
	spec.prompt_tokens = 256;
	spec.num_predict = 16;
	spec.monitor = m;
	/* a bigger configuration first: the trial after it must not inherit
	 * its memory (the sampler runs after the load) */
	ck_assert_int_eq(ollama_option_add(opts, "num_ctx", "32768", msg, sizeof(msg)), 0);
	ck_assert_int_eq(trial_run(client, &spec, &rec, &err), 0);
	cJSON_Delete(rec);
	cJSON_DeleteItemFromObject(opts, "num_ctx");
	ck_assert_int_eq(ollama_option_add(opts, "num_ctx", "8192", msg, sizeof(msg)), 0);
	ck_assert_int_eq(trial_run(client, &spec, &rec, &err), 0);
	truth = sim_truth(targs, NULL);
	tm = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(truth, "models"), 0), "memory");
	peaks = cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "monitor"), "peaks");
	ck_assert_ptr_nonnull(peaks);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(
		cJSON_GetObjectItem(rec, "monitor"), "memory"), "definition")), "unified_vram_plus_gtt");
	ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(peaks,
		"gtt_used_bytes"), "value")), cJSON_GetNumberValue(cJSON_GetObjectItem(tm, "gtt_used_bytes")));
	ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(peaks,
		"vram_used_bytes"), "value")), cJSON_GetNumberValue(cJSON_GetObjectItem(tm, "vram_used_bytes")));
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(peaks,
		"gtt_used_bytes"), "backend")), "amdgpu");
	ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "ps"),
		"size_bytes")), cJSON_GetNumberValue(cJSON_GetObjectItem(tm, "size")));
	/* absent stays absent: no NVML, no runner process here */
	ck_assert_ptr_null(cJSON_GetObjectItem(peaks, "runner_rss_bytes"));
	cJSON_Delete(truth);
	cJSON_Delete(rec);
	cJSON_Delete(opts);
	monitor_free(m);
	down();
	{
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		ck_assert_int_eq(system(cmd), 0);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("trial_sim");
	TCase *tc = tcase_create("trial_sim");
	SRunner *sr;
	int failed;
	if (ollama_global_init())
		return 1;
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_metrics_match_truth);
	tcase_add_test(tc, test_every_gap_kept);
	tcase_add_test(tc, test_reload_on_load_knob);
	tcase_add_test(tc, test_not_fooled_by_prefix_cache);
	tcase_add_test(tc, test_truncation_detected);
	tcase_add_test(tc, test_trial_carries_true_memory_peaks);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

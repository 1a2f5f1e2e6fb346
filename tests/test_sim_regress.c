// SPDX-License-Identifier: MIT
/*
 * o3-sim regresses on purpose (README "Regressions on purpose"): --slow-decode
 * and --slow-prefill stretch the durations the API reports and --truth's
 * speeds; --extra-memory-per-token and --extra-memory-per-load grow /api/ps,
 * the fake sysfs tree and --truth's memory, and lower the ceiling; --noise
 * spreads repeated requests within its bound, the same way for the same seed;
 * bad values are refused.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <check.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "sim_process.h"
#include "test_sim_http.h"

#define QWEN "qwen2.5:3b-instruct"
#define CODER "qwen3-coder:30b"
#define PROMPT "Write a short note about rivers, stones and gardens in the evening light."

static void start(struct sim_process *sp, const char *const *args, const char *const *env)
{
	ck_assert_msg(sim_start(sp, args, env) == 0, "cannot start %s", sim_binary());
}

/* stream:false generate with a fixed answer (request seed), so that repeated
 * requests are identical but for the noise. */
static cJSON *gen(const char *host, const char *model, long num_ctx, long num_predict)
{
	cJSON *r = cJSON_CreateObject(), *o, *reply;
	long status = 0;
	cJSON_AddStringToObject(r, "model", model);
	cJSON_AddStringToObject(r, "prompt", PROMPT);
	cJSON_AddFalseToObject(r, "stream");
	o = cJSON_AddObjectToObject(r, "options");
	cJSON_AddNumberToObject(o, "num_ctx", (double)num_ctx);
	if (num_predict >= 0)
		cJSON_AddNumberToObject(o, "num_predict", (double)num_predict);
	cJSON_AddNumberToObject(o, "seed", 42);
	reply = http_post_json(host, "/api/generate", r, &status);
	ck_assert_int_eq(status, 200);
	ck_assert_ptr_nonnull(reply);
	return reply;
}

/* Load only (empty prompt); the HTTP status. */
static long load(const char *host, const char *model, long num_ctx)
{
	cJSON *r = cJSON_CreateObject(), *reply;
	long status = 0;
	cJSON_AddStringToObject(r, "model", model);
	cJSON_AddNumberToObject(cJSON_AddObjectToObject(r, "options"), "num_ctx", (double)num_ctx);
	reply = http_post_json(host, "/api/generate", r, &status);
	cJSON_Delete(reply);
	return status;
}

/* /api/ps's first model (size, size_vram). */
static void ps_sizes(const char *host, double *size, double *size_vram)
{
	cJSON *doc = http_get_json(host, "/api/ps", NULL);
	const cJSON *m = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "models"), 0);
	ck_assert_ptr_nonnull(m);
	*size = json_num(m, "size", NULL);
	*size_vram = json_num(m, "size_vram", NULL);
	cJSON_Delete(doc);
}

/* One generation on a fresh simulator with ARGS: its eval and prompt_eval durations. */
static void durations(const char *const *args, double *eval_ns, double *prompt_ns)
{
	struct sim_process sp;
	cJSON *r;
	start(&sp, args, NULL);
	r = gen(sp.host, QWEN, 4096, 40);
	*eval_ns = json_num(r, "eval_duration", NULL);
	*prompt_ns = json_num(r, "prompt_eval_duration", NULL);
	ck_assert_double_eq(json_num(r, "eval_count", NULL), 40);
	ck_assert_double_gt(*eval_ns, 0);
	ck_assert_double_gt(*prompt_ns, 0);
	cJSON_Delete(r);
	sim_stop(&sp);
}

static double truth_num(const char *model, const char *const *args, const char *key)
{
	cJSON *t = truth_model(model, args, NULL);
	double v;
	ck_assert_ptr_nonnull(t);
	v = json_num(t, key, NULL);
	cJSON_Delete(t);
	return v;
}

/* Equal within the nanosecond rounding of the reported durations. */
static void assert_ratio(double num, double den, double want)
{
	ck_assert_msg(fabs(num - den * want) <= 2 + want,
		      "%.0f / %.0f = %.9f, want %.9f", num, den, num / den, want);
}

START_TEST(test_slow_decode)
{
	static const char *const base[] = { "--time-scale", "0.01", NULL };
	static const char *const slow[] = { "--time-scale", "0.01", "--slow-decode", "1.1", NULL };
	static const char *const tq[] = { "--num-ctx", "4096", NULL };
	static const char *const tslow[] = { "--num-ctx", "4096", "--slow-decode", "1.1", NULL };
	double e0, p0, e1, p1;
	durations(base, &e0, &p0);
	durations(slow, &e1, &p1);
	assert_ratio(e1, e0, 1.1);
	ck_assert_double_eq(p1, p0);
	/* --truth: decode speeds x 1/1.1, prefill unchanged */
	ck_assert_double_eq_tol(truth_num(QWEN, tslow, "decode_tps"), truth_num(QWEN, tq, "decode_tps") / 1.1,
				1e-9);
	ck_assert_double_eq_tol(truth_num(QWEN, tslow, "decode_s_b") / truth_num(QWEN, tq, "decode_s_b"), 1.1,
				1e-12);
	ck_assert_double_eq_tol(truth_num(QWEN, tslow, "decode_s_a") / truth_num(QWEN, tq, "decode_s_a"), 1.1,
				1e-12);
	ck_assert_double_eq(truth_num(QWEN, tslow, "prefill_tps"), truth_num(QWEN, tq, "prefill_tps"));
	ck_assert_double_gt(truth_num(QWEN, tslow, "ttft_s"), truth_num(QWEN, tq, "ttft_s"));
	/* 0.9: faster */
	{
		static const char *const fast[] = { "--num-ctx", "4096", "--slow-decode", "0.9", NULL };
		ck_assert_double_eq_tol(truth_num(QWEN, fast, "decode_tps"),
					truth_num(QWEN, tq, "decode_tps") / 0.9, 1e-9);
	}
}
END_TEST

START_TEST(test_slow_prefill)
{
	static const char *const base[] = { "--time-scale", "0.01", NULL };
	static const char *const slow[] = { "--time-scale", "0.01", "--slow-prefill", "2", NULL };
	static const char *const tq[] = { "--num-ctx", "4096", NULL };
	static const char *const tslow[] = { "--num-ctx", "4096", "--slow-prefill", "2", NULL };
	double e0, p0, e1, p1;
	durations(base, &e0, &p0);
	durations(slow, &e1, &p1);
	assert_ratio(p1, p0, 2);
	ck_assert_double_eq(e1, e0);
	ck_assert_double_eq_tol(truth_num(QWEN, tslow, "prefill_tps"), truth_num(QWEN, tq, "prefill_tps") / 2,
				1e-9);
	ck_assert_double_eq(truth_num(QWEN, tslow, "decode_tps"), truth_num(QWEN, tq, "decode_tps"));
}
END_TEST

static unsigned long long read_ull(const char *root, const char *name)
{
	char path[512];
	unsigned long long v = 0;
	FILE *fp;
	snprintf(path, sizeof(path), "%s/class/drm/card0/device/%s", root, name);
	fp = fopen(path, "r");
	ck_assert_msg(fp != NULL, "%s", path);
	ck_assert_int_eq(fscanf(fp, "%llu", &v), 1);
	fclose(fp);
	return v;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Load QWEN at num_ctx 4096 with two slots; /api/ps sizes and GTT used. */
static void load_sizes(const char *extra_opt, const char *extra_val, double *size, double *vram,
		       unsigned long long *gtt)
{
	char root[] = "/tmp/o3-simreg-XXXXXX";
	const char *args[] = { "--time-scale", "0.01", "--sysfs-root", root, extra_opt, extra_val, NULL };
	static const char *const env[] = { "OLLAMA_NUM_PARALLEL=2", NULL };
	struct sim_process sp;
	ck_assert_ptr_nonnull(mkdtemp(root));
	start(&sp, args, env);
	ck_assert_int_eq(load(sp.host, QWEN, 4096), 200);
	ps_sizes(sp.host, size, vram);
	*gtt = read_ull(root, "mem_info_gtt_used");
	sim_stop(&sp);
	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

START_TEST(test_extra_memory_per_token)
{
	static const char *const env[] = { "OLLAMA_NUM_PARALLEL=2", NULL };
	static const char *const tq[] = { "--num-ctx", "4096", NULL };
	static const char *const tx[] = { "--num-ctx", "4096", "--extra-memory-per-token", "12345", NULL };
	double s0, v0, s1, v1, want = 12345.0 * 4096 * 2;
	unsigned long long g0, g1;
	cJSON *t0, *t1;

	load_sizes("--extra-memory-per-token", "0", &s0, &v0, &g0);
	load_sizes("--extra-memory-per-token", "12345", &s1, &v1, &g1);
	ck_assert_double_eq(s1 - s0, want);
	ck_assert_double_eq(v1 - v0, want); /* it fits: all on the GPU */
	ck_assert_double_eq((double)(g1 - g0), want);
	/* --truth says the same */
	t0 = truth_model(QWEN, tq, env);
	t1 = truth_model(QWEN, tx, env);
	ck_assert_double_eq(json_num(t1, "memory", "size", NULL), s1);
	ck_assert_double_eq(json_num(t1, "memory", "size_vram", NULL), v1);
	ck_assert_double_eq(json_num(t1, "memory", "gtt_used_bytes", NULL), (double)g1);
	ck_assert_double_eq(json_num(t1, "memory", "extra_bytes", NULL), want);
	ck_assert_double_eq(json_num(t0, "memory", "extra_bytes", NULL), 0);
	ck_assert_double_eq(json_num(t1, "memory", "kv_bytes", NULL), json_num(t0, "memory", "kv_bytes", NULL));
	ck_assert_double_eq(json_num(t1, "decode_tps", NULL), json_num(t0, "decode_tps", NULL));
	cJSON_Delete(t0);
	cJSON_Delete(t1);
}
END_TEST

/* Where memory is the limit the ceiling falls, and the server agrees: the new
 * ceiling loads fully on the GPU, one step above does not. */
START_TEST(test_extra_memory_lowers_ceiling)
{
	static const char *const tq[] = { "--profile", "rx7900xtx-24g", "--num-ctx", "4096", NULL };
	static const char *const tx[] = { "--profile", "rx7900xtx-24g", "--num-ctx", "4096",
					  "--extra-memory-per-token", "65536", NULL };
	static const char *const args[] = { "--time-scale", "0.01", "--profile", "rx7900xtx-24g",
					    "--extra-memory-per-token", "65536", NULL };
	struct sim_process sp;
	double c0, c1, size, vram;
	cJSON *t0 = truth_model(CODER, tq, NULL), *t1 = truth_model(CODER, tx, NULL);

	c0 = json_num(t0, "ceiling", NULL);
	c1 = json_num(t1, "ceiling", NULL);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(t0, "ceiling_limited_by")), "gpu_memory");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(t1, "ceiling_limited_by")), "gpu_memory");
	ck_assert_double_gt(c1, 256);
	ck_assert_double_lt(c1, c0);
	start(&sp, args, NULL);
	ck_assert_int_eq(load(sp.host, CODER, (long)c1), 200);
	ps_sizes(sp.host, &size, &vram);
	ck_assert_double_eq(size, vram);
	ck_assert_int_eq(load(sp.host, CODER, (long)c1 + 256), 200);
	ps_sizes(sp.host, &size, &vram);
	ck_assert_double_lt(vram, size); /* partial offload */
	sim_stop(&sp);
	cJSON_Delete(t0);
	cJSON_Delete(t1);
}
END_TEST

START_TEST(test_extra_memory_per_load)
{
	static const char *const tq[] = { "--num-ctx", "4096", NULL };
	static const char *const tx[] = { "--num-ctx", "4096", "--extra-memory-per-load", "1000000007", NULL };
	static const char *const env[] = { "OLLAMA_NUM_PARALLEL=2", NULL };
	double s0, v0, s1, v1;
	unsigned long long g0, g1;
	cJSON *t0, *t1;
	load_sizes("--extra-memory-per-load", "0", &s0, &v0, &g0);
	load_sizes("--extra-memory-per-load", "1000000007", &s1, &v1, &g1);
	ck_assert_double_eq(s1 - s0, 1000000007.0);
	ck_assert_double_eq(v1 - v0, 1000000007.0);
	ck_assert_double_eq((double)(g1 - g0), 1000000007.0);
	t0 = truth_model(QWEN, tq, env);
	t1 = truth_model(QWEN, tx, env);
	ck_assert_double_eq(json_num(t1, "memory", "size", NULL) - json_num(t0, "memory", "size", NULL),
			    1000000007.0);
	ck_assert_double_eq(json_num(t1, "memory", "size", NULL), s1);
	cJSON_Delete(t0);
	cJSON_Delete(t1);
	/* the ceiling of the big model on the 24 GB card falls too */
	{
		static const char *const c0[] = { "--profile", "rx7900xtx-24g", NULL };
		static const char *const c1[] = { "--profile", "rx7900xtx-24g", "--extra-memory-per-load",
						  "1000000007", NULL };
		ck_assert_double_lt(truth_num(CODER, c1, "ceiling"), truth_num(CODER, c0, "ceiling"));
	}
}
END_TEST

#define NREQ 6

/* NREQ identical requests; the durations of requests 2..NREQ (the first one
 * prefills the whole prompt, the others hit the prefix cache). */
static void repeated(const char *const *args, double *eval_ns, double *prompt_ns)
{
	struct sim_process sp;
	int i;
	start(&sp, args, NULL);
	for (i = 0; i < NREQ; i++) {
		cJSON *r = gen(sp.host, QWEN, 4096, 30);
		if (i) {
			eval_ns[i - 1] = json_num(r, "eval_duration", NULL);
			prompt_ns[i - 1] = json_num(r, "prompt_eval_duration", NULL);
		}
		cJSON_Delete(r);
	}
	sim_stop(&sp);
}

static void assert_within(const double *v, double base, double noise)
{
	int i, distinct = 0;
	for (i = 0; i < NREQ - 1; i++) {
		ck_assert_msg(v[i] >= floor(base * (1 - noise)) - 1 && v[i] <= ceil(base * (1 + noise)) + 1,
			      "%.0f not within %.2f of %.0f", v[i], noise, base);
		distinct += i && v[i] != v[i - 1];
	}
	ck_assert_int_ge(distinct, 3);
}

START_TEST(test_noise)
{
	static const char *const plain[] = { "--time-scale", "0.01", "--seed", "7", NULL };
	static const char *const noisy[] = { "--time-scale", "0.01", "--seed", "7", "--noise", "0.05", NULL };
	static const char *const other[] = { "--time-scale", "0.01", "--seed", "8", "--noise", "0.05", NULL };
	static const char *const tq[] = { "--num-ctx", "4096", NULL };
	static const char *const tn[] = { "--num-ctx", "4096", "--noise", "0.05", "--seed", "7", NULL };
	double be[NREQ - 1], bp[NREQ - 1], e1[NREQ - 1], p1[NREQ - 1], e2[NREQ - 1], p2[NREQ - 1];
	double e3[NREQ - 1], p3[NREQ - 1];
	cJSON *doc;
	int i;

	repeated(plain, be, bp);
	for (i = 1; i < NREQ - 1; i++) { /* without noise every repetition is the same */
		ck_assert_double_eq(be[i], be[0]);
		ck_assert_double_eq(bp[i], bp[0]);
	}
	repeated(noisy, e1, p1);
	assert_within(e1, be[0], 0.05);
	assert_within(p1, bp[0], 0.05);
	/* the same seed: the same sequence; another seed: another one */
	repeated(noisy, e2, p2);
	repeated(other, e3, p3);
	ck_assert_mem_eq(e1, e2, sizeof(e1));
	ck_assert_mem_eq(p1, p2, sizeof(p1));
	ck_assert(memcmp(e1, e3, sizeof(e1)) != 0);
	/* --truth: the speeds without noise (its mean), the bound in "regression" */
	ck_assert_double_eq(truth_num(QWEN, tn, "decode_tps"), truth_num(QWEN, tq, "decode_tps"));
	doc = sim_truth(tn, NULL);
	ck_assert_double_eq(json_num(doc, "regression", "noise", NULL), 0.05);
	ck_assert_double_eq(json_num(doc, "regression", "noise_min_factor", NULL), 0.95);
	ck_assert_double_eq(json_num(doc, "regression", "noise_max_factor", NULL), 1.05);
	ck_assert_double_eq(json_num(doc, "regression", "seed", NULL), 7);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "regression"), "active")));
	cJSON_Delete(doc);
}
END_TEST

/* The regression object lists what is in force; without flags, nothing. */
START_TEST(test_truth_regression_object)
{
	static const char *const none[] = { "--model", QWEN, NULL };
	static const char *const all[] = { "--model", QWEN, "--ollama-version", "0.34.0", "--slow-decode", "1.1",
					   "--slow-prefill", "1.5", "--extra-memory-per-token", "100",
					   "--extra-memory-per-load", "2000", NULL };
	cJSON *d0 = sim_truth(none, NULL), *d1 = sim_truth(all, NULL);
	const cJSON *r0 = cJSON_GetObjectItem(d0, "regression"), *r1 = cJSON_GetObjectItem(d1, "regression");
	ck_assert_ptr_nonnull(r0);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(r0, "active")));
	ck_assert_double_eq(json_num(r0, "slow_decode", NULL), 1);
	ck_assert_double_eq(json_num(r0, "slow_prefill", NULL), 1);
	ck_assert_double_eq(json_num(r0, "extra_memory_per_token_bytes", NULL), 0);
	ck_assert_double_eq(json_num(r0, "extra_memory_per_load_bytes", NULL), 0);
	ck_assert_double_eq(json_num(r0, "noise", NULL), 0);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(r0, "ollama_version")), "0.33.0");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r1, "active")));
	ck_assert_double_eq(json_num(r1, "slow_decode", NULL), 1.1);
	ck_assert_double_eq(json_num(r1, "slow_prefill", NULL), 1.5);
	ck_assert_double_eq(json_num(r1, "extra_memory_per_token_bytes", NULL), 100);
	ck_assert_double_eq(json_num(r1, "extra_memory_per_load_bytes", NULL), 2000);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(r1, "ollama_version")), "0.34.0");
	cJSON_Delete(d0);
	cJSON_Delete(d1);
}
END_TEST

static const struct {
	const char *opt, *val;
} bad_values[] = {
	{ "--slow-decode", "0" }, { "--slow-decode", "-1.1" }, { "--slow-decode", "nan" },
	{ "--slow-decode", "inf" }, { "--slow-decode", "1.1x" }, { "--slow-decode", "" },
	{ "--slow-prefill", "0" }, { "--slow-prefill", "abc" }, { "--slow-prefill", "1e400" },
	{ "--extra-memory-per-token", "-1" }, { "--extra-memory-per-token", "1.5" },
	{ "--extra-memory-per-token", "12k" }, { "--extra-memory-per-load", "-100" },
	{ "--extra-memory-per-load", "99999999999999999999999" }, { "--noise", "-0.1" },
	{ "--noise", "1" }, { "--noise", "nan" },
};

START_TEST(test_bad_values)
{
	static const char *const env[] = { "OLLAMA_HOST=127.0.0.1:0", NULL };
	int truth;
	for (truth = 0; truth < 2; truth++) {
		const char *argv[6];
		char *out = NULL, *err = NULL, want[256];
		int n = 0, rc;
		argv[n++] = sim_binary();
		if (truth)
			argv[n++] = "--truth";
		argv[n++] = bad_values[_i].opt;
		argv[n++] = bad_values[_i].val;
		argv[n] = NULL;
		rc = run_capture(argv, env, &out, &err);
		ck_assert_int_eq(rc, 2);
		snprintf(want, sizeof(want), "%s '%s'", bad_values[_i].opt, bad_values[_i].val);
		ck_assert_msg(err && strstr(err, want), "stderr '%s' lacks \"%s\"", err ? err : "", want);
		ck_assert_msg(!out || !strstr(out, "listening"), "%s", out);
		free(out);
		free(err);
	}
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("sim_regress");
	TCase *tc = tcase_create("sim_regress");
	SRunner *sr;
	int failed;
	sim_binary_from_args(argc, argv);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_slow_decode);
	tcase_add_test(tc, test_slow_prefill);
	tcase_add_test(tc, test_extra_memory_per_token);
	tcase_add_test(tc, test_extra_memory_lowers_ceiling);
	tcase_add_test(tc, test_extra_memory_per_load);
	tcase_add_test(tc, test_noise);
	tcase_add_test(tc, test_truth_regression_object);
	tcase_add_loop_test(tc, test_bad_values, 0, sizeof(bad_values) / sizeof(bad_values[0]));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	curl_global_cleanup();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

// SPDX-License-Identifier: MIT
/*
 * The context-ceiling search against the simulator, for every model of its
 * catalogue on two hardware profiles (a 64 GB Strix Halo and a discrete
 * 24 GB card), and with four parallel slots where memory runs out: the
 * ceiling found equals the simulator's true ceiling within the resolution, a
 * context past GPU memory is caught as offload and past system memory as
 * OOM, and the fill-confirm request finds the needle at the ceiling.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ollama.h"
#include "plan.h"
#include "sim_process.h"

#define RESOLUTION 1024

static const struct {
	const char *profile;
	const char *parallel; /* OLLAMA_NUM_PARALLEL */
	const char *model;
} cases[] = {
	{ "strix-halo-64g", "1", "qwen3-coder:30b" },
	{ "strix-halo-64g", "1", "orieg/gemma3-tools:27b-it-qat" },
	{ "strix-halo-64g", "1", "liquid-rag:latest" },
	{ "strix-halo-64g", "1", "qwen2.5:3b-instruct" },
	{ "strix-halo-64g", "1", "gemma3:latest" },
	{ "rx7900xtx-24g", "1", "qwen3-coder:30b" },
	{ "rx7900xtx-24g", "1", "orieg/gemma3-tools:27b-it-qat" },
	{ "rx7900xtx-24g", "1", "liquid-rag:latest" },
	{ "rx7900xtx-24g", "1", "qwen2.5:3b-instruct" },
	{ "rx7900xtx-24g", "1", "gemma3:latest" },
	{ "strix-halo-64g", "4", "qwen3-coder:30b" },
	{ "strix-halo-64g", "4", "orieg/gemma3-tools:27b-it-qat" },
};

static long truth_long(const cJSON *m, const char *key, long absent)
{
	const cJSON *x = cJSON_GetObjectItem(m, key);
	return cJSON_IsNumber(x) ? (long)x->valuedouble : absent;
}

START_TEST(test_ceiling_matches_truth)
{
	char par[64], host[96], err_text[256];
	const char *env[] = { par, NULL };
	const char *args[] = { "--profile", cases[_i].profile, "--time-scale", "0.001", NULL };
	const char *targs[] = { "--profile", cases[_i].profile, "--model", cases[_i].model, NULL };
	struct sim_process sim;
	struct ollama_host h;
	struct ollama_error err;
	struct ceiling_params p;
	struct ceiling_result r;
	struct plan_ctx ctx = { .model = cases[_i].model };
	cJSON *truth, *m, *fill = NULL;
	long true_ceiling, oom_from;
	int i, offload_seen = 0, oom_seen = 0, found;

	snprintf(par, sizeof(par), "OLLAMA_NUM_PARALLEL=%s", cases[_i].parallel);
	truth = sim_truth(targs, env);
	ck_assert_ptr_nonnull(truth);
	m = cJSON_GetArrayItem(cJSON_GetObjectItem(truth, "models"), 0);
	true_ceiling = truth_long(m, "ceiling", -1);
	oom_from = truth_long(m, "oom_num_ctx", 0);
	ck_assert_int_gt(true_ceiling, 0);

	ck_assert_int_eq(sim_start(&sim, args, env), 0);
	snprintf(host, sizeof(host), "%s", sim.host);
	ck_assert_int_eq(ollama_host_parse(host, &h, err_text, sizeof(err_text)), 0);
	ctx.client = ollama_client_new(&h, NULL);
	ceiling_params_default(&p);
	p.resolution = RESOLUTION;
	ck_assert_int_eq(plan_find_ceiling(&ctx, &p, &r, &err), 0);
	fprintf(stderr, "%s x%s %s: ceiling %ld (truth %ld), %d probes\n", cases[_i].profile,
		cases[_i].parallel, cases[_i].model, r.ceiling, true_ceiling, r.n_probes);
	ck_assert_msg(r.ceiling <= true_ceiling && true_ceiling - r.ceiling < RESOLUTION,
		      "%s on %s: found %ld, true ceiling %ld", cases[_i].model, cases[_i].profile,
		      r.ceiling, true_ceiling);
	for (i = 0; i < r.n_probes; i++) {
		long n = r.probes[i].num_ctx;
		enum ceiling_outcome o = r.probes[i].outcome;
		if (n <= true_ceiling)
			ck_assert_msg(o == CEILING_FITS, "%ld: %s", n, ceiling_outcome_name(o));
		else if (oom_from && n >= oom_from)
			ck_assert_msg(o == CEILING_OOM, "%ld past system memory: %s", n,
				      ceiling_outcome_name(o));
		else
			ck_assert_msg(o == CEILING_OFFLOAD, "%ld past GPU memory: %s", n,
				      ceiling_outcome_name(o));
		offload_seen |= o == CEILING_OFFLOAD;
		oom_seen |= o == CEILING_OOM;
	}
	if (true_ceiling < truth_long(m, "trained_context", 0))
		ck_assert_msg(offload_seen, "no probe past GPU memory was seen as offload");
	if (oom_from)
		ck_assert_msg(oom_seen, "no probe past system memory was seen as OOM");

	/* the ceiling holds a filled context: the needle is found */
	found = plan_fill_confirm(&ctx, r.ceiling, 0.9, &fill, &err);
	ck_assert_msg(found == 1, "fill-confirm at %ld: %d (%s) answer '%s'", r.ceiling, found,
		      err.message, cJSON_GetStringValue(cJSON_GetObjectItem(fill, "answer")));
	ck_assert_int_ge(cJSON_GetNumberValue(cJSON_GetObjectItem(fill, "prompt_tokens")),
			 0.8 * (double)r.ceiling);
	cJSON_Delete(fill);
	ollama_client_free(ctx.client);
	sim_stop(&sim);
	cJSON_Delete(truth);
}
END_TEST

START_TEST(test_needle_missed_when_truncated)
{
	/* a prompt larger than the context: the server cuts the start, where
	 * the needle is, and the fill-confirm says so */
	const char *args[] = { "--time-scale", "0.001", NULL };
	struct sim_process sim;
	struct ollama_host h;
	struct ollama_error err;
	struct plan_ctx ctx = { .model = "qwen2.5:3b-instruct" };
	cJSON *fill = NULL;
	char e[128];
	ck_assert_int_eq(sim_start(&sim, args, NULL), 0);
	ck_assert_int_eq(ollama_host_parse(sim.host, &h, e, sizeof(e)), 0);
	ctx.client = ollama_client_new(&h, NULL);
	ck_assert_int_eq(plan_fill_confirm(&ctx, 4096, 1.5, &fill, &err), 0);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(fill, "needle_found")));
	cJSON_Delete(fill);
	ollama_client_free(ctx.client);
	sim_stop(&sim);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("plan_sim");
	TCase *tc = tcase_create("plan_sim");
	SRunner *sr;
	int failed;
	if (ollama_global_init())
		return 1;
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_ceiling_matches_truth, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_needle_missed_when_truncated);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

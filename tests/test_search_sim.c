// SPDX-License-Identifier: MIT
/*
 * The context-ceiling search as o3 run makes it (search.c over probe_load.c
 * and probe_fill.c), against the simulator, for every model of its
 * catalogue on two hardware profiles (a 64 GB Strix Halo and a discrete
 * 24 GB card), and with four parallel slots where memory runs out: the
 * ceiling found equals the simulator's true ceiling within the resolution,
 * every probe past GPU memory is caught as offload and past system memory as
 * OOM, and the fill-confirm finds the needle at the usable context.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ceiling.h"
#include "ollama.h"
#include "probe.h"
#include "record.h"
#include "run_fixture.h"
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
	char par[64], results[256], *out, *err;
	const char *env[] = { par, NULL };
	const char *args[] = { "--profile", cases[_i].profile, "--time-scale", "0.001", NULL };
	const char *targs[] = { "--profile", cases[_i].profile, "--model", cases[_i].model, NULL };
	const char *extra[] = { "--model", cases[_i].model, "--no-monitor", NULL };
	cJSON *truth, *m, *log;
	const cJSON *r, *fill = NULL;
	long true_ceiling, oom_from, loads = 0, usable = 0;
	int offload_seen = 0, oom_seen = 0, probes = 0, rc;

	snprintf(par, sizeof(par), "OLLAMA_NUM_PARALLEL=%s", cases[_i].parallel);
	truth = sim_truth(targs, env);
	ck_assert_ptr_nonnull(truth);
	m = cJSON_GetArrayItem(cJSON_GetObjectItem(truth, "models"), 0);
	true_ceiling = truth_long(m, "ceiling", -1);
	oom_from = truth_long(m, "oom_num_ctx", 0);
	ck_assert_int_gt(true_ceiling, 0);

	ck_assert_int_eq(sim_start(&sim, args, env), 0);
	snprintf(host_env, sizeof(host_env), "OLLAMA_HOST=%s", sim.host);
	snprintf(results, sizeof(results), "%s/results", sim.dir);
	rc = o3_run_at("tests/data/suites/run/ceiling.yaml", results, "0.001", extra, &out, &err);
	ck_assert_msg(rc == 0, "exit %d: %s%s", rc, out, err);
	log = read_log();
	cJSON_ArrayForEach(r, log) {
		long n = (long)rec_option(r, "num_ctx", 0);
		enum ceiling_outcome o = CEILING_FAILED;
		const char *name = rec_str(r, RK_OUTCOME);
		if (rec_is_phase(r, RP_FILL) && rec_is_ok(r) && n > usable) {
			usable = n;
			fill = r;
		}
		if (!rec_is_phase(r, RP_PROBE))
			continue;
		probes++;
		if (name && !strcmp(name, "fits"))
			o = CEILING_FITS;
		else if (name && !strcmp(name, "offload"))
			o = CEILING_OFFLOAD;
		else if (name && !strcmp(name, "oom"))
			o = CEILING_OOM;
		if (o == CEILING_FITS && n > loads)
			loads = n;
		if (n <= true_ceiling)
			ck_assert_msg(o == CEILING_FITS, "%ld: %s", n, name);
		else if (oom_from && n >= oom_from)
			ck_assert_msg(o == CEILING_OOM, "%ld past system memory: %s", n, name);
		else
			ck_assert_msg(o == CEILING_OFFLOAD, "%ld past GPU memory: %s", n, name);
		offload_seen |= o == CEILING_OFFLOAD;
		oom_seen |= o == CEILING_OOM;
	}
	fprintf(stderr, "%s x%s %s: ceiling %ld (truth %ld), %d probes, usable %ld\n",
		cases[_i].profile, cases[_i].parallel, cases[_i].model, loads, true_ceiling, probes,
		usable);
	ck_assert_msg(loads <= true_ceiling && true_ceiling - loads < RESOLUTION,
		      "%s on %s: found %ld, true ceiling %ld", cases[_i].model, cases[_i].profile,
		      loads, true_ceiling);
	if (true_ceiling < truth_long(m, "trained_context", 0))
		ck_assert_msg(offload_seen || oom_seen, "no probe past the memory was seen as such");
	if (oom_from)
		ck_assert_msg(oom_seen, "no probe past system memory was seen as OOM");
	/* at a floor of 1 tok/s the usable context is the ceiling, proven by a
	 * filled context whose needle was found */
	ck_assert_int_eq(usable, loads);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(fill, "needle_found")));
	ck_assert_int_ge(cJSON_GetNumberValue(cJSON_GetObjectItem(fill, "prompt_tokens")),
			 0.8 * (double)loads);
	cJSON_Delete(log);
	free(out);
	free(err);
	down();
	cJSON_Delete(truth);
}
END_TEST

START_TEST(test_needle_missed_when_truncated)
{
	/* a prompt larger than the context: the server cuts the start, where
	 * the needle is, and the fill says so */
	const char *args[] = { "--time-scale", "0.001", NULL };
	struct sim_process sp;
	struct ollama_host h;
	struct ollama_client *c;
	cJSON *fill;
	char e[128];
	ck_assert_int_eq(sim_start(&sp, args, NULL), 0);
	ck_assert_int_eq(ollama_host_parse(sp.host, &h, e, sizeof(e)), 0);
	c = ollama_client_new(&h, NULL);
	fill = probe_fill_record(c, "qwen2.5:3b-instruct", NULL, NULL, 4096, 1.5, 0, NULL);
	ck_assert(rec_is_ok(fill));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(fill, "needle_found")));
	ck_assert_str_eq(rec_str(fill, RK_PHASE), RP_FILL);
	cJSON_Delete(fill);
	ollama_client_free(c);
	sim_stop(&sp);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("search_sim");
	TCase *tc = tcase_create("search_sim");
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

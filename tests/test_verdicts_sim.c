// SPDX-License-Identifier: MIT
/*
 * Truthful verdicts, end to end against the simulator and its truth: steps
 * are keyed by the identity of what they measured (a new Ollama version or
 * machine measures again and says why); simulated results say so in every
 * report; the same command twice gives the same ceilings; the usable
 * context is where decode at fill crosses the floor; a machine without a
 * GPU, or whose GPU Ollama does not use, is judged on system memory.
 */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run_fixture.h"
#include "sim_process.h"

static char results[256];

/* o3 run of a suite into results (a folder of the test's own, which
 * outlives the simulator), with the simulator's time scale on o3's clock */
static int run_into(const char *suite, const char *const *extra, char **out, char **err)
{
	return o3_run_at(suite, results, "0.002", extra, out, err);
}

static void fresh_results(void)
{
	snprintf(results, sizeof(results), "/tmp/o3-verdicts-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(results));
}

static void remove_results(void)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", results);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", results);
}

static cJSON *read_json(const char *rel)
{
	char path[512], *text;
	cJSON *doc;
	snprintf(path, sizeof(path), "%s/%s", results, rel);
	text = slurp(path);
	doc = cJSON_Parse(text);
	ck_assert_msg(doc != NULL, "%s is not JSON", path);
	free(text);
	return doc;
}

/* The model summaries of summaries/summary.json, detached from the
 * document ({"schema": "o3.summary", "run": {...}, "models": [...]}). */
static cJSON *read_models(void)
{
	cJSON *doc = read_json("summaries/summary.json"), *models;
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(doc, "schema")), "o3.summary");
	models = cJSON_DetachItemFromObject(doc, "models");
	ck_assert_ptr_nonnull(models);
	cJSON_Delete(doc);
	return models;
}

static const cJSON *model_of(const cJSON *summary, const char *name)
{
	const cJSON *m;
	cJSON_ArrayForEach(m, summary)
		if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(m, "model")), name))
			return m;
	ck_abort_msg("no summary of %s", name);
	return NULL;
}

static int steps_run(const char *out, int *reused)
{
	const char *p = strstr(out, " steps run, ");
	int executed = -1;
	ck_assert_ptr_nonnull(p);
	while (p > out && p[-1] != '\n')
		p--;
	ck_assert_int_eq(sscanf(p, "%d steps run, %d reused", &executed, reused), 2);
	return executed;
}

/* Item 1: the same command after the server became another Ollama version
 * on another machine measures every step again, and says what changed. */
START_TEST(test_identity_change_measures_again)
{
	const char *old_sim[] = { "--ollama-version", "0.24.0", "--profile", "strix-halo-64g", NULL };
	const char *new_sim[] = { "--ollama-version", "0.33.0", "--profile", "rx7900xtx-24g", NULL };
	char *out, *err, expect[128];
	int executed, reused, first, again;
	cJSON *log;
	const cJSON *r;

	fresh_results();
	up(old_sim);
	ck_assert_int_eq(run_into("suites/smoke.yaml", NULL, &out, &err), 0);
	first = steps_run(out, &reused);
	ck_assert_int_gt(first, 4);
	free(out);
	free(err);
	/* the same server again: everything reused, nothing said */
	ck_assert_int_eq(run_into("suites/smoke.yaml", NULL, &out, &err), 0);
	again = steps_run(out, &reused);
	ck_assert_int_eq(again, 0);
	ck_assert_ptr_null(strstr(out, "measured again"));
	free(out);
	free(err);
	sim_stop(&sim);

	up(new_sim);
	ck_assert_int_eq(run_into("suites/smoke.yaml", NULL, &out, &err), 0);
	executed = steps_run(out, &reused);
	ck_assert_int_gt(executed, 4);
	snprintf(expect, sizeof(expect), "qwen2.5:3b-instruct: Ollama 0.24.0 → 0.33.0");
	ck_assert_msg(strstr(out, expect) != NULL, "%s", out);
	ck_assert_msg(strstr(out, "profile=strix-halo-64g → o3-sim; profile=rx7900xtx-24g") != NULL,
		      "%s", out);
	ck_assert_msg(strstr(out, "steps measured again") != NULL, "%s", out);
	/* no record of the old identity was taken for the new one: every step
	 * record of the second server carries the new identity's hash */
	log = read_models();
	{
		const cJSON *m = model_of(log, "qwen2.5:3b-instruct");
		const cJSON *ch = cJSON_GetObjectItem(m, "identity_change");
		const char *hash = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "identity"),
									  "hash"));
		ck_assert_ptr_nonnull(ch);
		ck_assert_ptr_nonnull(hash);
		ck_assert_double_gt(cJSON_GetNumberValue(cJSON_GetObjectItem(ch, "steps_measured_again")), 0);
		ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "identity"),
									  "ollama_version")), "0.33.0");
		ck_assert_str_ne(cJSON_GetStringValue(cJSON_GetObjectItem(ch, "previous_hash")), hash);
	}
	cJSON_Delete(log);
	free(out);
	free(err);
	{
		/* the log keeps both: nothing measured is lost */
		char path[300], *line = NULL;
		size_t cap = 0;
		FILE *fp;
		int identities = 0;
		snprintf(path, sizeof(path), "%s/logs/run.jsonl", results);
		fp = fopen(path, "r");
		ck_assert_ptr_nonnull(fp);
		log = cJSON_CreateArray();
		while (getline(&line, &cap, fp) > 0)
			cJSON_AddItemToArray(log, cJSON_Parse(line));
		free(line);
		fclose(fp);
		cJSON_ArrayForEach(r, log)
			identities += !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(r, "phase")), "identity");
		ck_assert_int_eq(identities, 4); /* two models, two identities each */
		cJSON_Delete(log);
	}
	sim_stop(&sim);
	remove_results();
}
END_TEST

static int dir_has(const char *rel, const char *part)
{
	char path[512];
	DIR *d;
	struct dirent *de;
	int found = 0;
	snprintf(path, sizeof(path), "%s/%s", results, rel);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d)))
		found |= strstr(de->d_name, part) != NULL;
	closedir(d);
	return found;
}

/* Item 2: results from the simulator say so in every report. */
START_TEST(test_simulated_marked_everywhere)
{
	char *out, *err, *md, *junit, path[512];
	cJSON *sum, *env = NULL;
	const cJSON *m;
	DIR *d;
	struct dirent *de;

	fresh_results();
	up(NULL);
	ck_assert_int_eq(run_into("suites/smoke.yaml", NULL, &out, &err), 0);
	ck_assert_msg(strstr(out, "SIMULATED") != NULL, "terminal: %s", out);
	snprintf(path, sizeof(path), "%s/summaries/summary.md", results);
	md = slurp(path);
	ck_assert_ptr_nonnull(strstr(md, "SIMULATED RESULTS"));
	snprintf(path, sizeof(path), "%s/junit.xml", results);
	junit = slurp(path);
	ck_assert_ptr_nonnull(strstr(junit, "<property name=\"simulated\" value=\"true\"/>"));
	ck_assert_ptr_nonnull(strstr(junit, "[SIMULATED]"));
	ck_assert_ptr_nonnull(strstr(junit, "<property name=\"simulator\" value=\"o3-sim; profile="));
	sum = read_models();
	cJSON_ArrayForEach(m, sum)
		ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "identity"), "simulated")));
	/* the environment snapshot */
	snprintf(path, sizeof(path), "%s/env", results);
	d = opendir(path);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		if (strstr(de->d_name, ".json")) {
			char rel[300];
			snprintf(rel, sizeof(rel), "env/%s", de->d_name);
			env = read_json(rel);
		}
	closedir(d);
	ck_assert_ptr_nonnull(env);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(env, "ollama"), "simulated")));
	/* presets: never under a real preset's name */
	ck_assert(dir_has("defaults", ".simulated."));
	ck_assert(!dir_has("defaults", "instruct.yaml"));
	cJSON_Delete(sum);
	cJSON_Delete(env);
	free(md);
	free(junit);
	free(out);
	free(err);
	sim_stop(&sim);
	remove_results();
}
END_TEST

/* Item 7: the same command twice (from scratch) gives the same ceilings
 * and the same usable contexts, on the heaviest model of the Strix Halo
 * suite. */
START_TEST(test_same_command_same_ceilings)
{
	const char *extra[] = { "--model", "qwen3-coder:30b", "--fresh", NULL };
	double loads[2], usable[2];
	int i;
	fresh_results();
	up(NULL);
	for (i = 0; i < 2; i++) {
		char *out, *err;
		cJSON *sum;
		const cJSON *c;
		int rc = run_into("suites/strix-halo-64g.yaml", extra, &out, &err);
		ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
		sum = read_models();
		c = cJSON_GetObjectItem(model_of(sum, "qwen3-coder:30b"), "ceiling");
		loads[i] = cJSON_GetNumberValue(cJSON_GetObjectItem(c, "loads_up_to"));
		usable[i] = cJSON_GetNumberValue(cJSON_GetObjectItem(c, "confirmed"));
		cJSON_Delete(sum);
		free(out);
		free(err);
	}
	ck_assert_double_eq(loads[0], loads[1]);
	ck_assert_double_eq(usable[0], usable[1]);
	ck_assert_double_gt(usable[0], 0);
	sim_stop(&sim);
	remove_results();
}
END_TEST

/* The simulator with a fake machine of its own (sysfs and procfs under the
 * results folder, which o3 then reads instead of this host's). */
static void up_machine(const char *const *args, const char *const *env, char *fs, size_t len)
{
	const char *all[16];
	char sysfs[300], procfs[300], cmd[700];
	int n = 0;
	snprintf(fs, len, "%s/fs", results);
	snprintf(sysfs, sizeof(sysfs), "%s/sys", fs);
	snprintf(procfs, sizeof(procfs), "%s/proc", fs);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s' '%s'", sysfs, procfs);
	ck_assert_int_eq(system(cmd), 0);
	all[n++] = "--time-scale";
	all[n++] = "0.002";
	all[n++] = "--procfs-root";
	all[n++] = procfs;
	all[n++] = "--sysfs-root";
	all[n++] = sysfs;
	for (; args && *args && n < 15; args++)
		all[n++] = *args;
	all[n] = NULL;
	ck_assert_msg(sim_start(&sim, all, env) == 0, "cannot start %s", sim_binary());
	snprintf(host_env, sizeof(host_env), "OLLAMA_HOST=%s", sim.host);
}

static cJSON *truth_of(const char *profile, const char *model, const char *floor_tps,
		       const char *const *env, int gpu_unused)
{
	const char *args[16] = { "--profile", profile, "--model", model, "--floor", floor_tps,
				 "--fill-ratio", "0.9", NULL };
	cJSON *t, *m;
	if (gpu_unused) {
		args[8] = "--gpu-unused";
		args[9] = NULL;
	}
	t = sim_truth(args, env);
	ck_assert_ptr_nonnull(t);
	m = cJSON_DetachItemFromArray(cJSON_GetObjectItem(t, "models"), 0);
	cJSON_Delete(t);
	return m;
}

/* Item 3: on a machine without a GPU the placement is the CPU, the limit is
 * system memory, and the ceiling is where loads start to fail with a memory
 * error (four parallel slots put qwen3-coder's edge below its trained
 * context); the usable context is where decode at fill crosses the floor. */
START_TEST(test_cpu_only_ceiling_at_memory_edge)
{
	const char *env[] = { "OLLAMA_NUM_PARALLEL=4", NULL };
	const char *sim_args[] = { "--profile", "cpu-only-64g", NULL };
	char fs[300], sysarg[320], procarg[320], *out, *err, *md, path[400];
	const char *extra[] = { "--sysfs-root", sysarg, "--procfs-root", procarg, NULL };
	cJSON *truth, *sum;
	const cJSON *m, *c;
	double loads, usable, true_ceiling, true_usable;
	int rc;

	fresh_results();
	up_machine(sim_args, env, fs, sizeof(fs));
	snprintf(sysarg, sizeof(sysarg), "%s/sys", fs);
	snprintf(procarg, sizeof(procarg), "%s/proc", fs);
	rc = run_into("tests/data/suites/run/cpu.yaml", extra, &out, &err);
	ck_assert_msg(rc == 0, "exit %d: %s%s", rc, out, err);
	truth = truth_of("cpu-only-64g", "qwen3-coder:30b", "10", env, 0);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(truth, "ceiling_limited_by")),
			 "system_memory");
	true_ceiling = cJSON_GetNumberValue(cJSON_GetObjectItem(truth, "ceiling"));
	true_usable = cJSON_GetNumberValue(cJSON_GetObjectItem(truth, "usable_context"));
	sum = read_models();
	m = model_of(sum, "qwen3-coder:30b");
	c = cJSON_GetObjectItem(m, "ceiling");
	loads = cJSON_GetNumberValue(cJSON_GetObjectItem(c, "loads_up_to"));
	usable = cJSON_GetNumberValue(cJSON_GetObjectItem(c, "confirmed"));
	fprintf(stderr, "cpu-only: loads up to %.0f (truth %.0f), usable %.0f (truth %.0f)\n", loads,
		true_ceiling, usable, true_usable);
	ck_assert_msg(loads <= true_ceiling && true_ceiling - loads < 1024, "loads up to %.0f, truth %.0f",
		      loads, true_ceiling);
	ck_assert_msg(usable <= true_usable && true_usable - usable <= 1024, "usable %.0f, truth %.0f",
		      usable, true_usable);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(c, "bad_outcome")), "oom");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(c, "memory")), "system memory");
	ck_assert_ptr_null(cJSON_GetObjectItem(m, "finding"));
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "presets"), "max_ctx"));
	/* no word of offload or of GPU memory where none exists */
	ck_assert_ptr_null(strstr(out, "OFFLOAD"));
	ck_assert_ptr_null(strstr(out, "offloaded"));
	snprintf(path, sizeof(path), "%s/summaries/summary.md", results);
	md = slurp(path);
	ck_assert_ptr_nonnull(strstr(md, "system memory"));
	ck_assert_ptr_nonnull(strstr(md, "cpu (no GPU)"));
	ck_assert_ptr_null(strstr(md, "spilled"));
	free(md);
	cJSON_Delete(sum);
	cJSON_Delete(truth);
	free(out);
	free(err);
	sim_stop(&sim);
	remove_results();
}
END_TEST

/* Item 3: on a machine with a GPU, size_vram 0 from the first load means
 * Ollama did not use the GPU at all: a finding of its own, and the rest is
 * judged as on a CPU machine (no "offload" verdicts). */
START_TEST(test_gpu_unused_is_a_finding)
{
	const char *sim_args[] = { "--profile", "strix-halo-64g", "--gpu-unused", NULL };
	char fs[300], sysarg[320], procarg[320], *out, *err;
	const char *extra[] = { "--sysfs-root", sysarg, "--procfs-root", procarg, NULL };
	cJSON *sum, *truth;
	const cJSON *m, *c, *t;
	int rc;

	fresh_results();
	up_machine(sim_args, NULL, fs, sizeof(fs));
	snprintf(sysarg, sizeof(sysarg), "%s/sys", fs);
	snprintf(procarg, sizeof(procarg), "%s/proc", fs);
	rc = run_into("suites/smoke.yaml", extra, &out, &err);
	ck_assert_msg(rc == 0, "exit %d: %s%s", rc, out, err);
	sum = read_models();
	cJSON_ArrayForEach(m, sum) {
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(m, "model"));
		c = cJSON_GetObjectItem(m, "ceiling");
		ck_assert_msg(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(m, "finding")),
				     "did not use the GPU") != NULL, "%s", name);
		ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(c, "placement")),
				 "cpu (GPU present, unused by Ollama)");
		ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(c, "memory")), "system memory");
		/* the smoke suite's maximum, 8192, loads in system memory */
		ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(c, "loads_up_to")), 8192);
		ck_assert_ptr_nonnull(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "presets"), "max_ctx"));
		truth = truth_of("strix-halo-64g", name, "20", NULL, 1);
		ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(truth, "placement")), "cpu");
		cJSON_Delete(truth);
		/* trials on the CPU are no offload */
		cJSON_ArrayForEach(t, cJSON_GetObjectItem(m, "trials"))
			ck_assert_msg(!cJSON_GetStringValue(cJSON_GetObjectItem(t, "why")) ||
				      !strstr(cJSON_GetStringValue(cJSON_GetObjectItem(t, "why")), "CPU"),
				      "%s", cJSON_GetStringValue(cJSON_GetObjectItem(t, "why")));
	}
	ck_assert_ptr_nonnull(strstr(out, "finding: Ollama did not use the GPU"));
	cJSON_Delete(sum);
	free(out);
	free(err);
	sim_stop(&sim);
	remove_results();
}
END_TEST

static Suite *verdicts_suite(void)
{
	Suite *s = suite_create("verdicts");
	TCase *tc = tcase_create("sim");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_identity_change_measures_again);
	tcase_add_test(tc, test_simulated_marked_everywhere);
	tcase_add_test(tc, test_same_command_same_ceilings);
	tcase_add_test(tc, test_cpu_only_ceiling_at_memory_edge);
	tcase_add_test(tc, test_gpu_unused_is_a_finding);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(verdicts_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

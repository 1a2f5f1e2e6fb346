// SPDX-License-Identifier: MIT
/*
 * The regression gate end to end against the simulator: a baseline on
 * Ollama 0.24 of the Strix Halo profile, then 0.33 with decode 10 % slower:
 * o3 compare exits 1 and names the model, preset, metric, the change, the
 * p-value and interval and the version change; the same without the
 * slowdown exits 0. o3 baseline refuses simulated results for a real
 * profile unless forced, and o3 compare refuses another profile's baselines.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run_fixture.h"
#include "sim_process.h"

static char work[] = "/tmp/o3-regression-XXXXXX";
static const char *const suite = "tests/data/suites/run/regression.yaml";

static int o3(const char *const *args, char **out, char **err)
{
	char bin[1024];
	const char *argv[16];
	const char *env[] = { "OLLAMA_HOST=127.0.0.1:9", NULL };
	int n = 0;
	snprintf(bin, sizeof(bin), "%s/o3", root("O3_BUILD_ROOT"));
	argv[n++] = bin;
	for (; *args && n < 15; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	return run_capture(argv, env, out, err);
}

/* o3 run of the regression suite into work/<name>, on a simulator started
 * with extra arguments and stopped after */
static void measure(const char *name, const char *const *sim_args)
{
	char results[300], *out, *err;
	int rc;
	up(sim_args);
	snprintf(results, sizeof(results), "%s/%s", work, name);
	rc = o3_run_at(suite, results, "0.002", NULL, &out, &err);
	ck_assert_msg(rc == 0, "o3 run exit %d: %s%s", rc, out, err);
	free(out);
	free(err);
	sim_stop(&sim);
}

static void baseline(void)
{
	char r1[300], dir[300], *out, *err;
	const char *args[] = { "baseline", "update", "--dir", dir, r1, NULL };
	struct stat st;
	snprintf(r1, sizeof(r1), "%s/r1", work);
	snprintf(dir, sizeof(dir), "%s/baselines", work);
	ck_assert_int_eq(o3(args, &out, &err), 0);
	free(out);
	free(err);
	snprintf(dir, sizeof(dir), "%s/baselines/sim-strix-halo-64g/qwen2.5_3b-instruct.json", work);
	ck_assert_msg(stat(dir, &st) == 0 && st.st_size > 0, "no %s", dir);
}

static int compare(const char *name, char **out, char **err)
{
	char results[300], dir[300];
	const char *args[] = { "compare", "--baseline", dir, results, NULL };
	snprintf(results, sizeof(results), "%s/%s", work, name);
	snprintf(dir, sizeof(dir), "%s/baselines", work);
	return o3(args, out, err);
}

START_TEST(test_slower_decode_fails_the_gate)
{
	const char *old_sim[] = { "--ollama-version", "0.24.0", NULL };
	const char *slow_sim[] = { "--ollama-version", "0.33.0", "--slow-decode", "1.1", NULL };
	const char *same_sim[] = { "--ollama-version", "0.33.0", NULL };
	char *out, *err, path[400], *md;
	int rc;

	ck_assert_ptr_nonnull(mkdtemp(work));
	measure("r1", old_sim);
	baseline();

	measure("r2", slow_sim);
	rc = compare("r2", &out, &err);
	ck_assert_msg(rc == 1, "exit %d: %s%s", rc, out, err);
	ck_assert_msg(strstr(out, "FAIL qwen2.5:3b-instruct/regression/max_ctx/decode: max_ctx decode") &&
		      strstr(out, "(-9.1 %)") && strstr(out, "Mann-Whitney p =") &&
		      strstr(out, "interval") && strstr(out, "since the baseline: Ollama 0.24.0 → 0.33.0"),
		      "%s", out);
	snprintf(path, sizeof(path), "%s/r2/summaries/compare.md", work);
	md = slurp(path);
	ck_assert_msg(strstr(md, "| max_ctx | decode | 82.57 | 75.06 | -9.1 % | 5 % |") &&
		      strstr(md, "**REGRESSION**") && strstr(md, "Ollama 0.24.0 → 0.33.0"), "%s", md);
	free(md);
	/* the run's reports carry the comparison too: the dashboard's section
	 * and the Markdown's baseline charts */
	snprintf(path, sizeof(path), "%s/r2/report.html", work);
	md = slurp(path);
	ck_assert_ptr_nonnull(strstr(md, "<section class=\"comparison\""));
	free(md);
	snprintf(path, sizeof(path), "%s/r2/summaries/summary.md", work);
	md = slurp(path);
	ck_assert_ptr_nonnull(strstr(md, "#### Against the baseline"));
	free(md);
	snprintf(path, sizeof(path), "%s/r2/junit-regression.xml", work);
	md = slurp(path);
	/* one testsuite per model; the gate named by its preset and metric */
	ck_assert_msg(strstr(md, "<testsuite name=\"qwen2.5:3b-instruct\"") &&
		      strstr(md, "classname=\"qwen2.5:3b-instruct\" name=\"regression max_ctx decode\""),
		      "%s", md);
	ck_assert_ptr_nonnull(strstr(md, "<failure"));
	free(md);
	free(out);
	free(err);

	measure("r3", same_sim);
	rc = compare("r3", &out, &err);
	ck_assert_msg(rc == 0, "exit %d: %s%s", rc, out, err);
	ck_assert_msg(strstr(out, "qwen2.5:3b-instruct: 0 regressions"), "%s", out);
	free(out);
	free(err);
	{
		char cmd[400];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", work);
		ck_assert_int_eq(system(cmd), 0);
	}
}
END_TEST

/* Refusals: simulated results under a real profile; another profile's
 * baselines; each allowed with --force. */
START_TEST(test_refusals)
{
	char r1[300], dir[300], *out, *err;
	const char *real[] = { "baseline", "update", "--dir", dir, "--profile", "strix-halo-64g", r1, NULL };
	/* --baseline names the folder as o3 compare's does */
	const char *forced[] = { "baseline", "update", "--baseline", dir, "--profile", "strix-halo-64g",
				 "--force", r1, NULL };
	const char *across[] = { "compare", "--baseline", dir, "--profile", "strix-halo-64g", r1, NULL };
	const char *across_forced[] = { "compare", "--baseline", dir, "--profile", "strix-halo-64g",
					"--force", r1, NULL };
	int rc;

	ck_assert_ptr_nonnull(mkdtemp(work));
	measure("r1", NULL);
	snprintf(r1, sizeof(r1), "%s/r1", work);
	snprintf(dir, sizeof(dir), "%s/baselines", work);
	rc = o3(real, &out, &err);
	ck_assert_msg(rc == 1 && strstr(err, "simulated results under the real profile"), "%d %s", rc,
		      err);
	free(out);
	free(err);
	ck_assert_int_eq(o3(forced, &out, &err), 0);
	free(out);
	free(err);
	rc = o3(across, &out, &err);
	ck_assert_msg(rc == 2 && strstr(err, "across profiles"), "%d %s", rc, err);
	free(out);
	free(err);
	rc = o3(across_forced, &out, &err);
	ck_assert_msg(rc == 0, "%d %s%s", rc, out, err);
	free(out);
	free(err);
	{
		/* a baseline that is there but unreadable fails the gate with
		 * exit 3 naming the file, line and column; it never passes as "no
		 * baseline" */
		char path[400];
		FILE *fp;
		snprintf(path, sizeof(path), "%s/strix-halo-64g/qwen2.5_3b-instruct.json", dir);
		fp = fopen(path, "w");
		ck_assert_ptr_nonnull(fp);
		fputs("{\n  \"schema\": \"o3.baseline\",\n  oops\n}\n", fp);
		fclose(fp);
		rc = o3(across_forced, &out, &err);
		ck_assert_msg(rc == 3 && strstr(err, "qwen2.5_3b-instruct.json:3:") && strstr(err, ": not JSON"), "%d %s", rc,
			      err);
		free(out);
		free(err);
		fp = fopen(path, "w");
		ck_assert_ptr_nonnull(fp);
		fputs("{\"schema\": \"o3.something-else\", \"schema_version\": 1}\n", fp);
		fclose(fp);
		rc = o3(across_forced, &out, &err);
		ck_assert_msg(rc == 3 && strstr(err, "is not a baseline this o3 reads"), "%d %s", rc, err);
		free(out);
		free(err);
	}
	{
		char cmd[400];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", work);
		ck_assert_int_eq(system(cmd), 0);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("regression_sim");
	TCase *tc = tcase_create("regression_sim");
	SRunner *sr;
	int failed;
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_slower_decode_fails_the_gate);
	tcase_add_test(tc, test_refusals);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

// SPDX-License-Identifier: MIT
/*
 * o3 report: every report of a results folder again from its log alone,
 * with no server, byte for byte what o3 run wrote (JUnit's timestamp
 * aside; the CSV files of summaries/ included), after a complete run and
 * after a resumed one; a log of o3's schema 1 is read; a log of a newer
 * schema is refused.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "run_fixture.h"
#include "sim_process.h"

static char copy[300];

/* o3 report [extra...] RESULTS */
static int o3_report(const char *results, const char *const *extra, char **out, char **err)
{
	char o3[1024];
	const char *argv[16];
	const char *env[] = { "OLLAMA_HOST=127.0.0.1:9", NULL };
	int n = 0;
	snprintf(o3, sizeof(o3), "%s/o3", root("O3_BUILD_ROOT"));
	argv[n++] = o3;
	argv[n++] = "report";
	for (; extra && *extra && n < 14; extra++)
		argv[n++] = *extra;
	argv[n++] = results;
	argv[n] = NULL;
	return run_capture(argv, env, out, err);
}

/* rm -rf, mkdir -p and cp -r of the test's own folders */
static void shell(const char *verb, const char *a, const char *b)
{
	char cmd[1200];
	if (b)
		snprintf(cmd, sizeof(cmd), "%s '%s' '%s'", verb, a, b);
	else
		snprintf(cmd, sizeof(cmd), "%s '%s'", verb, a);
	ck_assert_msg(system(cmd) == 0, "%s", cmd);
}

static void rm_rf(const char *a) { shell("rm -rf", a, NULL); }
static void mkdir_p(const char *a) { shell("mkdir -p", a, NULL); }
static void cp_r(const char *a, const char *b) { shell("cp -r", a, b); }

static void cp_sub(const char *from, const char *sub, const char *to)
{
	char src[600];
	snprintf(src, sizeof(src), "%s/%s", from, sub);
	cp_r(src, to);
}

/* The reports of results equal those in copy: every file of summaries/,
 * defaults/, junit.xml and report.html, JUnit's timestamp aside. */
static void same_reports(const char *results)
{
	const char *argv[] = { "diff", "-r", "-I", "timestamp=", "-x", "logs", "-x", "env", copy,
			       results, NULL };
	char *out, *err;
	int rc = run_capture(argv, NULL, &out, &err);
	if (rc)
		fprintf(stderr, "%s%s", out, err);
	ck_assert_msg(rc == 0, "the reports differ (diff above)");
	free(out);
	free(err);
}

/* A copy of the reports (not the log and the environment) of results. */
static void keep_reports(const char *results)
{
	snprintf(copy, sizeof(copy), "%s/copy", sim.dir);
	rm_rf(copy);
	mkdir_p(copy);
	cp_sub(results, "summaries", copy);
	cp_sub(results, "defaults", copy);
	cp_sub(results, "junit.xml", copy);
	cp_sub(results, "report.html", copy);
}

/* The CSV files are among the reports compared (diff -r over summaries/),
 * each with its header and rows: requests.csv a row per timed request. */
static void has_csv(const char *dir)
{
	static const char *const files[] = { "requests.csv", "trials.csv", "models.csv" };
	char path[600], *text, *p;
	size_t i;
	int lines;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/summaries/%s", dir, files[i]);
		text = slurp(path);
		ck_assert_msg(text != NULL, "%s was not written", path);
		for (lines = 0, p = text; (p = strstr(p, "\r\n")); p += 2)
			lines++;
		ck_assert_msg(lines > 2, "%s: %d lines", path, lines);
		free(text);
	}
}

/* Remove the reports of results, so that o3 report must write them all. */
static void drop_reports(const char *results)
{
	static const char *const reports[] = { "summaries", "defaults", "junit.xml", "report.html" };
	char path[600];
	size_t i;
	for (i = 0; i < sizeof(reports) / sizeof(reports[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", results, reports[i]);
		rm_rf(path);
	}
}

static void reproduced(const char *results)
{
	char *out, *err, only[300];
	int rc;
	/* only the reports: the log and the environment stay */
	snprintf(only, sizeof(only), "%s/reports-only", sim.dir);
	rm_rf(only);
	mkdir_p(only);
	cp_sub(results, "logs", only);
	cp_sub(results, "env", only);
	drop_reports(only);
	rc = o3_report(only, NULL, &out, &err);
	ck_assert_msg(rc == 0, "exit %d: %s%s", rc, out, err);
	ck_assert_ptr_nonnull(strstr(err, "reports of 2 models written again"));
	has_csv(copy);
	has_csv(only);
	same_reports(only);
	free(out);
	free(err);
}

START_TEST(test_report_reproduces_a_run)
{
	char results[256], *out, *err;
	up(NULL);
	snprintf(results, sizeof(results), "%s/results", sim.dir);
	ck_assert_int_eq(o3_run("suites/smoke.yaml", NULL, &out, &err), 0);
	free(out);
	free(err);
	keep_reports(results);
	reproduced(results); /* offline: o3 report is given no server */
	down();
}
END_TEST

/* A run interrupted and resumed: the reports of the resumed run, again. */
START_TEST(test_report_reproduces_a_resumed_run)
{
	char results[256], path[300], *out, *err;
	cJSON *log, *r;
	FILE *fp;
	int steps = 0, i = 0;
	up(NULL);
	snprintf(results, sizeof(results), "%s/results", sim.dir);
	ck_assert_int_eq(o3_run("suites/smoke.yaml", NULL, &out, &err), 0);
	free(out);
	free(err);
	log = read_log();
	cJSON_ArrayForEach(r, log)
		steps += is_step(r);
	snprintf(path, sizeof(path), "%s/logs/run.jsonl", results);
	fp = fopen(path, "w");
	cJSON_ArrayForEach(r, log) {
		char *line;
		if (is_step(r) && ++i > steps - 4)
			break;
		line = cJSON_PrintUnformatted(r);
		fprintf(fp, "%s\n", line);
		free(line);
	}
	fclose(fp);
	cJSON_Delete(log);
	ck_assert_int_eq(o3_run("suites/smoke.yaml", NULL, &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(out, "4 steps run"));
	free(out);
	free(err);
	keep_reports(results);
	reproduced(results);
	down();
}
END_TEST

/* A log written by o3 before its records had a schema 2 (no run, identity
 * or model-end records): read, judged by the suite given. */
START_TEST(test_report_reads_schema_1)
{
	char dir[] = "/tmp/o3-report-v1-XXXXXX", suite[1024], *out, *err, *md, path[300];
	const char *extra[] = { "--suite", suite, NULL };
	int rc;
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(suite, sizeof(suite), "%s/suites/smoke.yaml", root("O3_SOURCE_ROOT"));
	{
		char src[1024], dst[300];
		snprintf(dst, sizeof(dst), "%s/logs", dir);
		mkdir_p(dst);
		snprintf(src, sizeof(src), "%s/tests/data/logs/schema1-smoke.jsonl",
			 root("O3_SOURCE_ROOT"));
		snprintf(dst, sizeof(dst), "%s/logs/run.jsonl", dir);
		cp_r(src, dst);
	}
	/* without the suite: said, and exit 3 */
	rc = o3_report(dir, NULL, &out, &err);
	ck_assert_int_eq(rc, 3);
	ck_assert_msg(strstr(err, "records no run of a suite") && strstr(err, "--suite"), "%s", err);
	free(out);
	free(err);
	rc = o3_report(dir, extra, &out, &err);
	ck_assert_msg(rc == 0, "exit %d: %s%s", rc, out, err);
	snprintf(path, sizeof(path), "%s/summaries/summary.md", dir);
	md = slurp(path);
	ck_assert_ptr_nonnull(strstr(md, "## qwen2.5:3b-instruct"));
	ck_assert_ptr_nonnull(strstr(md, "## liquid-rag:latest"));
	ck_assert_msg(strstr(md, "**Loads up to** 8192 tokens"), "%s", md);
	ck_assert_msg(strstr(md, "**Usable up to** 8192 tokens"), "%s", md);
	free(md);
	free(out);
	free(err);
	rm_rf(dir);
}
END_TEST

/* A record of a schema newer than this o3's: refused, with file and line. */
START_TEST(test_report_refuses_a_newer_schema)
{
	char dir[] = "/tmp/o3-report-v9-XXXXXX", path[300], *out, *err;
	FILE *fp;
	int rc;
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/logs", dir);
	mkdir_p(path);
	snprintf(path, sizeof(path), "%s/logs/run.jsonl", dir);
	fp = fopen(path, "w");
	fprintf(fp, "{\"schema\":\"o3.trial\",\"schema_version\":2,\"phase\":\"run\",\"id\":\"a\"}\n");
	fprintf(fp, "{\"schema\":\"o3.trial\",\"schema_version\":99,\"phase\":\"trial\"}\n");
	fclose(fp);
	rc = o3_report(dir, NULL, &out, &err);
	ck_assert_int_eq(rc, 3);
	ck_assert_msg(strstr(err, "run.jsonl:2: a record of schema version 99") &&
		      strstr(err, "reads versions 1 to 2"), "%s", err);
	free(out);
	free(err);
	rm_rf(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("report_cmd");
	TCase *tc = tcase_create("report_cmd");
	SRunner *sr;
	int failed;
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_report_reproduces_a_run);
	tcase_add_test(tc, test_report_reproduces_a_resumed_run);
	tcase_add_test(tc, test_report_reads_schema_1);
	tcase_add_test(tc, test_report_refuses_a_newer_schema);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

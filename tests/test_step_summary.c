// SPDX-License-Identifier: MIT
/*
 * GitHub's step summary (step_summary.h): appended to, never replaced;
 * trimmed at a line boundary under the limit with a note that points at the
 * artifact (and a code block it cut closed); nothing when
 * GITHUB_STEP_SUMMARY is unset or empty.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "step_summary.h"
#include "strbuf.h"
#include "banned.h"

static char dir[64], path[128];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/o3-ghsum-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/summary.md", dir);
}

static void teardown(void)
{
	char md[160];
	snprintf(md, sizeof(md), "%s/run.md", dir);
	unlink(md);
	unlink(path);
	rmdir(dir);
}

static char *slurp(const char *p, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *fp = fopen(p, "rb");
	if (!fp)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(fp);
	return strbuf_detach(&sb, len);
}

static void spit(const char *p, const char *text)
{
	FILE *fp = fopen(p, "wb");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
}

START_TEST(test_path_from_env)
{
	unsetenv("GITHUB_STEP_SUMMARY");
	ck_assert_ptr_null(step_summary_path());
	setenv("GITHUB_STEP_SUMMARY", "", 1);
	ck_assert_ptr_null(step_summary_path());
	setenv("GITHUB_STEP_SUMMARY", path, 1);
	ck_assert_str_eq(step_summary_path(), path);
	unsetenv("GITHUB_STEP_SUMMARY");
}
END_TEST

START_TEST(test_appends)
{
	char md[160], *got;
	const char *text = "# O3 run\n\n```mermaid\nxychart-beta\n```\n";
	snprintf(md, sizeof(md), "%s/run.md", dir);
	spit(md, text);
	/* a file that does not exist yet is created */
	ck_assert_int_eq(step_summary_append(path, md, "summaries/summary.md"), 0);
	got = slurp(path, NULL);
	ck_assert_str_eq(got, text);
	free(got);
	/* what an earlier step wrote stays */
	spit(path, "# earlier step\n");
	ck_assert_int_eq(step_summary_append(path, md, "summaries/summary.md"), 0);
	got = slurp(path, NULL);
	ck_assert_str_eq(got, "# earlier step\n\n# O3 run\n\n```mermaid\nxychart-beta\n```\n");
	free(got);
}
END_TEST

START_TEST(test_trimmed_under_limit)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len, limit = 600;
	char *got;
	int i;
	strbuf_addstr(&sb, "# O3 run\n\n```mermaid\n");
	for (i = 0; i < 100; i++)
		strbuf_addf(&sb, "    line %03d of a chart\n", i);
	strbuf_addstr(&sb, "```\n");
	spit(path, "# earlier\n");
	ck_assert_int_eq(step_summary_append_text(path, sb.buf, sb.len, "summaries/summary.md", limit), 0);
	got = slurp(path, &len);
	ck_assert_msg(len <= limit, "%zu bytes over the limit of %zu", len, limit);
	ck_assert_msg(len > limit - 100, "trimmed too much: %zu bytes", len);
	ck_assert(!strncmp(got, "# earlier\n\n# O3 run\n", 20));
	/* cut at a line: the last line of the chart kept is whole, the block
	 * closed, then the note */
	ck_assert_msg(strstr(got, " of a chart\n```\n\n> \xe2\x80\xa6 trimmed: the full summary is in the "
			     "artifact, summaries/summary.md\n") != NULL, "%s", got);
	ck_assert_ptr_null(strstr(got, "line 099"));
	free(got);
	/* the same, a real megabyte: GitHub's limit */
	strbuf_reset(&sb);
	while (sb.len < 2 * STEP_SUMMARY_LIMIT)
		strbuf_addstr(&sb, "| a | table | row |\n");
	unlink(path);
	ck_assert_int_eq(step_summary_append_text(path, sb.buf, sb.len, "summaries/summary.md",
						  STEP_SUMMARY_LIMIT), 0);
	got = slurp(path, &len);
	ck_assert_uint_le(len, STEP_SUMMARY_LIMIT);
	ck_assert_uint_gt(len, STEP_SUMMARY_LIMIT - 200);
	ck_assert_ptr_nonnull(strstr(got, "trimmed: the full summary is in the artifact"));
	free(got);
	strbuf_release(&sb);
}
END_TEST

START_TEST(test_full_file_left_alone)
{
	char *got;
	size_t len;
	spit(path, "0123456789\n");
	ck_assert_int_eq(step_summary_append_text(path, "# O3\n", 5, "summaries/summary.md", 12), 0);
	got = slurp(path, &len);
	ck_assert_str_eq(got, "0123456789\n");
	free(got);
}
END_TEST

static Suite *summary_suite(void)
{
	Suite *s = suite_create("step_summary");
	TCase *tc = tcase_create("step_summary");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_path_from_env);
	tcase_add_test(tc, test_appends);
	tcase_add_test(tc, test_trimmed_under_limit);
	tcase_add_test(tc, test_full_file_left_alone);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(summary_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

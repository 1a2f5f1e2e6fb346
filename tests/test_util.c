// SPDX-License-Identifier: MIT
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "clock.h"
#include "msg.h"
#include "util.h"

START_TEST(test_parse_long)
{
	long v;
	ck_assert_int_eq(o3_parse_long("8192", &v), 0);
	ck_assert_int_eq(v, 8192);
	ck_assert_int_eq(o3_parse_long("-1", &v), 0);
	ck_assert_int_eq(v, -1);
	ck_assert_int_eq(o3_parse_long("12x", &v), -1);
	ck_assert_int_eq(o3_parse_long("", &v), -1);
	ck_assert_int_eq(o3_parse_long(" 1", &v), -1);
	ck_assert_int_eq(o3_parse_long("99999999999999999999999", &v), -1);
}
END_TEST

START_TEST(test_parse_double)
{
	double d;
	ck_assert_int_eq(o3_parse_double("0.75", &d), 0);
	ck_assert_double_eq_tol(d, 0.75, 1e-12);
	ck_assert_int_eq(o3_parse_double("nan", &d), -1);
	ck_assert_int_eq(o3_parse_double("1e", &d), -1);
}
END_TEST

START_TEST(test_nearest)
{
	static const char *const names[] = { "num_ctx", "num_batch", "num_gpu", "num_thread" };
	ck_assert_uint_eq(o3_edit_distance("kitten", "sitting"), 3);
	ck_assert_str_eq(o3_nearest("num_bacth", names, 4), "num_batch");
	ck_assert_str_eq(o3_nearest("numctx", names, 4), "num_ctx");
	ck_assert_ptr_null(o3_nearest("temperature", names, 4));
}
END_TEST

/* under a time scale a timeout keeps a floor of real time; at scale 1 it is
 * what it says */
START_TEST(test_timeout_floor)
{
	ck_assert_uint_eq(clock_timeout_ns(180000), 180000ull * 1000000u);
	ck_assert_uint_eq(clock_timeout_ns(5), 5000000u);
	ck_assert_int_eq(clock_set_time_scale(0.001), 0);
	/* 180 s on a clock 1000 times fast is 180 ms of real time: raised to
	 * the floor (3 s real = 3000 s on this clock) */
	ck_assert_uint_eq(clock_timeout_ns(180000), (uint64_t)CLOCK_TIMEOUT_FLOOR_REAL_MS * 1000000000ull);
	ck_assert_uint_eq(clock_timeout_ns(7200000), 7200000ull * 1000000u);
	ck_assert_int_eq(clock_set_time_scale(1.0), 0);
	ck_assert_int_eq(clock_set_time_scale(0), -1);
}
END_TEST

START_TEST(test_slug)
{
	char out[64];
	o3_model_slug("orieg/gemma3-tools:27b-it-qat", out, sizeof(out));
	ck_assert_str_eq(out, "orieg_gemma3-tools_27b-it-qat");
	o3_model_slug("abcdef", out, 4);
	ck_assert_str_eq(out, "abc");
}
END_TEST

/* Issue 12 item 13: every message first runs the hook that clears a
 * progress line off the terminal */
static int hook_calls;
static void hook(void *data)
{
	hook_calls += *(int *)data;
}

START_TEST(test_msg_before_hook)
{
	int one = 1;
	msg_set_before(hook, &one);
	warning("w");
	note("n");
	error("e");
	msg_set_before(NULL, NULL);
	warning("not counted");
	ck_assert_int_eq(hook_calls, 3);
}
END_TEST

/* Issue 12 item 12: server text in a message reaches the terminal without
 * its control characters */
START_TEST(test_msg_drops_control_characters)
{
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);
	char buf[256] = "";
	size_t n;
	ck_assert_ptr_nonnull(tmp);
	fflush(stderr);
	dup2(fileno(tmp), STDERR_FILENO);
	warning("model '%s' failed", "evil\x1b[2J\nname\xff");
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, sizeof(buf) - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
	ck_assert_str_eq(buf, "o3: warning: model 'evil[2J name\xef\xbf\xbd' failed\n");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("util");
	SRunner *sr;
	int failed;
	tcase_add_test(tc, test_parse_long);
	tcase_add_test(tc, test_parse_double);
	tcase_add_test(tc, test_nearest);
	tcase_add_test(tc, test_slug);
	tcase_add_test(tc, test_timeout_floor);
	tcase_add_test(tc, test_msg_before_hook);
	tcase_add_test(tc, test_msg_drops_control_characters);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

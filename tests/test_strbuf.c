// SPDX-License-Identifier: MIT
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

START_TEST(test_init_never_null)
{
	struct strbuf sb = STRBUF_INIT;
	ck_assert_ptr_nonnull(sb.buf);
	ck_assert_str_eq(sb.buf, "");
	strbuf_release(&sb);
	ck_assert_ptr_nonnull(sb.buf);
}
END_TEST

START_TEST(test_add_and_format)
{
	struct strbuf sb = STRBUF_INIT;
	int i;
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(strbuf_addf(&sb, "%d,", i), 0);
	ck_assert_uint_eq(sb.len, strlen(sb.buf));
	ck_assert(strncmp(sb.buf, "0,1,2,", 6) == 0);
	strbuf_remove_front(&sb, 2);
	ck_assert(strncmp(sb.buf, "1,2,", 4) == 0);
	strbuf_release(&sb);
}
END_TEST

START_TEST(test_cap_refuses_and_keeps_content)
{
	struct strbuf sb;
	strbuf_init(&sb, 8);
	ck_assert_int_eq(strbuf_addstr(&sb, "12345"), 0);
	ck_assert_int_eq(strbuf_addstr(&sb, "6789"), -1);
	ck_assert_int_eq(sb.toobig, 1);
	ck_assert_str_eq(sb.buf, "12345");
	ck_assert_int_eq(strbuf_addstr(&sb, "678"), 0);
	ck_assert_str_eq(sb.buf, "12345678");
	ck_assert_int_eq(strbuf_addch(&sb, 'x'), -1);
	strbuf_release(&sb);
	ck_assert_uint_eq(sb.cap, 8);
}
END_TEST

START_TEST(test_detach)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len;
	char *s = strbuf_detach(&sb, &len);
	ck_assert_str_eq(s, "");
	free(s);
	strbuf_addstr(&sb, "abc");
	s = strbuf_detach(&sb, &len);
	ck_assert_str_eq(s, "abc");
	ck_assert_uint_eq(len, 3);
	ck_assert_uint_eq(sb.len, 0);
	free(s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("strbuf");
	TCase *tc = tcase_create("strbuf");
	SRunner *sr;
	int failed;
	tcase_add_test(tc, test_init_never_null);
	tcase_add_test(tc, test_add_and_format);
	tcase_add_test(tc, test_cap_refuses_and_keeps_content);
	tcase_add_test(tc, test_detach);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* SPDX-License-Identifier: MIT */
#ifndef O3_TESTS_TEST_FILES_H
#define O3_TESTS_TEST_FILES_H
/* Files for the tests: read one whole, remove a tree. */
#include <stddef.h>
/* A whole file's bytes (malloced, NUL-terminated; its length in *len when
 * len is not NULL), or NULL when it cannot be read. For the tests. */
char *test_slurp(const char *path, size_t *len);
/* Remove path and everything below it (as rm -rf, without a shell). */
void test_rm_rf(const char *path);
#endif

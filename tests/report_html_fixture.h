/* SPDX-License-Identifier: MIT */
#ifndef O3_REPORT_HTML_FIXTURE_H
#define O3_REPORT_HTML_FIXTURE_H
#include <cjson/cJSON.h>
/*
 * The report writers' fixed run (tests/data/reports/input.json) made richer
 * for report.html: depths measured, the run's records (load probes with
 * their memory readings and outcomes, trials with their peaks), a model
 * named "<script>alert(1)</script>", and a comparison with a baseline.
 * Shared by test_report_html and test_report_html_browser.
 */
/* The input with "records" and "comparisons" added; NULL when it cannot be
 * read (said on stderr). Caller deletes. */
cJSON *html_fixture(void);
/* report.html of in (html_fixture's shape) into dir, written by the html
 * writer alone. 0, or -1. */
int html_fixture_write(const cJSON *in, const char *dir);
/* The file's bytes (malloced, NUL-terminated), or NULL. */
char *html_fixture_slurp(const char *path, size_t *len);
#endif

// SPDX-License-Identifier: MIT
/*
 * The CSV writer (report_csv.c) read back by a strict RFC 4180 reader of the
 * test's own: every record ends in CRLF, quotes only around a whole field,
 * doubled inside; every row has as many fields as the header; no number in
 * exponent notation; a field with a comma, a quote, CR and LF round-trips,
 * and so does any string (as report_utf8_clean makes it) and any double.
 * The files' bytes are checked against golden files by test_report_writers.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostile_text.h"
#include "report_internal.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"
#include "test_files.h"

static char tmp[64];

static const char *source_root(void)
{
	const char *r = getenv("O3_SOURCE_ROOT");
	return r ? r : ".";
}

static void setup(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/o3-csv-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
}

static void teardown(void)
{
	test_rm_rf(tmp);
}

/* ---- a strict RFC 4180 reader ------------------------------------------------ */

/* The records of s (an array of arrays of strings), or NULL with why in
 * err: a quote inside an unquoted field, text after a closing quote, an
 * unterminated quote, a line end other than CRLF, a last record without
 * its CRLF. */
static cJSON *csv_read(const char *s, size_t len, char *err, size_t errlen)
{
	cJSON *rows = cJSON_CreateArray(), *row = cJSON_CreateArray();
	struct strbuf f = STRBUF_INIT;
	size_t i = 0;
	*err = '\0';
	while (i < len) {
		strbuf_reset(&f);
		if (s[i] == '"') {
			for (i++;; i++) {
				if (i >= len) {
					snprintf(err, errlen, "a quote not closed");
					goto bad;
				}
				if (s[i] == '"') {
					if (i + 1 < len && s[i + 1] == '"') {
						strbuf_addch(&f, '"');
						i++;
						continue;
					}
					i++;
					break;
				}
				strbuf_addch(&f, s[i]);
			}
		} else {
			for (; i < len && s[i] != ',' && s[i] != '\r' && s[i] != '\n'; i++) {
				if (s[i] == '"') {
					snprintf(err, errlen, "a quote in an unquoted field at byte %zu", i);
					goto bad;
				}
				strbuf_addch(&f, s[i]);
			}
		}
		cJSON_AddItemToArray(row, cJSON_CreateString(f.buf));
		if (i < len && s[i] == ',') {
			i++;
			if (i == len) {
				snprintf(err, errlen, "a comma at the end");
				goto bad;
			}
		} else if (i + 1 < len && s[i] == '\r' && s[i + 1] == '\n') {
			i += 2;
			cJSON_AddItemToArray(rows, row);
			row = cJSON_CreateArray();
		} else {
			snprintf(err, errlen, "at byte %zu: %s", i,
				 i == len ? "no CRLF at the end" : "not a comma or CRLF after a field");
			goto bad;
		}
	}
	cJSON_Delete(row);
	strbuf_release(&f);
	return rows;
bad:
	cJSON_Delete(row);
	cJSON_Delete(rows);
	strbuf_release(&f);
	return NULL;
}

/* A field that reads as a number (digits, sign, point, exponent)... */
static int numeric_looking(const char *s)
{
	char *end;
	if (!*s || strspn(s, "+-.0123456789eE") != strlen(s))
		return 0;
	(void)strtod(s, &end);
	return *end == '\0';
}

/* The file's records, checked: UTF-8, a header, every row as wide as the
 * header, no number in exponent notation. */
static cJSON *read_checked(const char *path, int min_rows)
{
	char err[200], *text;
	size_t len;
	cJSON *rows, *row, *cell;
	int width, n = 0;
	text = test_slurp(path, &len);
	ck_assert_msg(text != NULL, "%s was not written", path);
	ck_assert_msg(strlen(text) == len, "%s holds a NUL byte", path);
	ck_assert_msg(report_utf8_valid(text), "%s is not valid UTF-8", path);
	rows = csv_read(text, len, err, sizeof(err));
	ck_assert_msg(rows != NULL, "%s is not RFC 4180: %s", path, err);
	ck_assert_int_ge(cJSON_GetArraySize(rows), 1 + min_rows);
	width = cJSON_GetArraySize(cJSON_GetArrayItem(rows, 0));
	ck_assert_int_gt(width, 1);
	cJSON_ArrayForEach(row, rows) {
		ck_assert_msg(cJSON_GetArraySize(row) == width,
			      "%s: row %d has %d fields, the header %d", path, n,
			      cJSON_GetArraySize(row), width);
		cJSON_ArrayForEach(cell, row) {
			const char *v = cell->valuestring;
			ck_assert_msg(!numeric_looking(v) || !strpbrk(v, "eE"),
				      "%s: row %d: a number in exponent notation: %s", path, n, v);
		}
		n++;
	}
	free(text);
	return rows;
}

/* The field of the row under the header's column name, or NULL. */
static const char *field(const cJSON *rows, int row, const char *col)
{
	const cJSON *h = cJSON_GetArrayItem(rows, 0), *c;
	int i = 0;
	cJSON_ArrayForEach(c, h) {
		if (!strcmp(c->valuestring, col))
			return cJSON_GetStringValue(cJSON_GetArrayItem(cJSON_GetArrayItem(rows, row), i));
		i++;
	}
	return NULL;
}

/* ---- a run of one model ----------------------------------------------------------- */

#define HASH "0123456789abcdef"
#define TRIAL_ID "20260101T000000.000Z-m-000001"

/* A model summary named name with one trial (option stop = opt, knob
 * OLLAMA_ODD = knob) and, in *records, its record with a request per
 * number of nums (ttft_ms). */
static cJSON *one_model(const char *name, const char *opt, const char *knob,
			const double *nums, size_t n, cJSON **records)
{
	cJSON *m = cJSON_CreateObject(), *id, *mach, *knobs, *trials, *t, *o, *rec, *reqs;
	size_t i;
	cJSON_AddStringToObject(m, "model", name);
	id = cJSON_AddObjectToObject(m, "identity");
	cJSON_AddStringToObject(id, "ollama_version", "0.33.0");
	cJSON_AddBoolToObject(id, "simulated", 0);
	cJSON_AddStringToObject(id, "model_digest", "abc");
	mach = cJSON_AddObjectToObject(id, "machine");
	cJSON_AddStringToObject(mach, "gpu", "Radeon, \"8060S\"");
	cJSON_AddNumberToObject(mach, "memory_bytes", 68719476736.0);
	knobs = cJSON_AddObjectToObject(id, "server_knobs");
	cJSON_AddStringToObject(knobs, "OLLAMA_KV_CACHE_TYPE", knob);
	cJSON_AddStringToObject(knobs, "OLLAMA_ODD", knob);
	cJSON_AddStringToObject(id, "server_knobs_source", "process");
	cJSON_AddStringToObject(id, "hash", HASH);
	cJSON_AddNumberToObject(m, "params_b", 30.5);
	trials = cJSON_AddArrayToObject(m, "trials");
	t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "id", TRIAL_ID);
	o = cJSON_AddObjectToObject(t, "options");
	cJSON_AddNumberToObject(o, "num_ctx", 262144);
	cJSON_AddStringToObject(o, "stop", opt);
	cJSON_AddNumberToObject(o, "temperature", 1e-9);
	cJSON_AddBoolToObject(t, "ok", 1);
	cJSON_AddBoolToObject(t, "meets", 0);
	cJSON_AddStringToObject(t, "why", opt);
	o = cJSON_AddArrayToObject(t, "decode_samples");
	cJSON_AddItemToArray(o, cJSON_CreateNumber(10));
	cJSON_AddItemToArray(o, cJSON_CreateNumber(12));
	cJSON_AddItemToArray(o, cJSON_CreateNumber(14));
	cJSON_AddItemToArray(trials, t);
	cJSON_AddStringToObject(m, "finding", opt);

	*records = cJSON_CreateObject();
	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "id", TRIAL_ID);
	cJSON_AddStringToObject(rec, "phase", "trial");
	cJSON_AddStringToObject(rec, "status", "ok");
	reqs = cJSON_AddArrayToObject(rec, "requests");
	for (i = 0; i < n; i++) {
		cJSON *q = cJSON_CreateObject();
		cJSON_AddNumberToObject(q, "ttft_ms", nums[i]);
		cJSON_AddItemToArray(reqs, q);
	}
	cJSON_AddItemToObject(*records, "m|trial|{}|id=" HASH, rec);
	return m;
}

static cJSON *write_one(cJSON *models, const cJSON *records, const char *file, int min_rows)
{
	const struct report_writer *const only[] = { &report_writer_csv, NULL };
	struct report_run run;
	char path[4096];
	memset(&run, 0, sizeof(run));
	run.suite_name = "s";
	run.dir = tmp;
	run.records = records;
	ck_assert_int_eq(report_write_with(only, &run, models, NULL), 0);
	snprintf(path, sizeof(path), "%s/summaries/%s", tmp, file);
	return read_checked(path, min_rows);
}

static char *cleaned(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	report_utf8_clean(&sb, s, strlen(s));
	return strbuf_detach(&sb, NULL);
}

START_TEST(test_csv_round_trip)
{
	static const char hostile[] = "a,b \"quoted\", c\nline two\r\nthree\rfour \xff end";
	static const double nums[] = { 0.1, 1e-7, 5e-324, 1e21, -2.5e-10, 123456789012345678.0,
				       1.7976931348623157e308, 2.2250738585072014e-308, -0.0, 42 };
	cJSON *records, *models = cJSON_CreateArray(), *rows;
	char *want = cleaned(hostile);
	size_t i;
	cJSON_AddItemToArray(models, one_model(hostile, hostile, hostile, nums, ARRAY_SIZE(nums),
					       &records));

	rows = write_one(models, records, "models.csv", 1);
	ck_assert_str_eq(field(rows, 1, "model"), want);
	ck_assert_str_eq(field(rows, 1, "gpu"), "Radeon, \"8060S\"");
	ck_assert_str_eq(field(rows, 1, "OLLAMA_KV_CACHE_TYPE"), want);
	ck_assert_str_eq(field(rows, 1, "finding"), want);
	ck_assert_str_eq(field(rows, 1, "model_n_params"), "30500000000");
	ck_assert_str_eq(field(rows, 1, "memory_bytes"), "68719476736");
	{
		/* the other knobs: compact JSON that reads back */
		cJSON *rest = cJSON_Parse(field(rows, 1, "server_knobs"));
		char *w = cleaned(hostile);
		ck_assert_ptr_nonnull(rest);
		ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(rest, "OLLAMA_ODD")), w);
		free(w);
		cJSON_Delete(rest);
	}
	cJSON_Delete(rows);

	rows = write_one(models, records, "trials.csv", 1);
	ck_assert_str_eq(field(rows, 1, "model"), want);
	ck_assert_str_eq(field(rows, 1, "stop"), want);
	ck_assert_str_eq(field(rows, 1, "why"), want);
	ck_assert_str_eq(field(rows, 1, "n_ctx"), "262144");
	ck_assert_str_eq(field(rows, 1, "temperature"), "0.000000001");
	ck_assert_str_eq(field(rows, 1, "avg_ts"), "12");
	ck_assert_str_eq(field(rows, 1, "stddev_ts"), "2");
	ck_assert_str_eq(field(rows, 1, "samples"), "3");
	ck_assert_str_eq(field(rows, 1, "status"), "ok");
	ck_assert_str_eq(field(rows, 1, "meets"), "false");
	ck_assert_str_eq(field(rows, 1, "ttft_ms"), ""); /* not measured: empty, never 0 */
	cJSON_Delete(rows);

	rows = write_one(models, records, "requests.csv", (int)ARRAY_SIZE(nums));
	ck_assert_int_eq(cJSON_GetArraySize(rows), 1 + (int)ARRAY_SIZE(nums));
	for (i = 0; i < ARRAY_SIZE(nums); i++) {
		const char *v = field(rows, (int)i + 1, "ttft_ms");
		char idx[32];
		ck_assert_msg(strtod(v, NULL) == nums[i], "%.17g came back as %s", nums[i], v);
		ck_assert_msg(!strchr(v, '.') || v[strlen(v) - 1] != '0', "trailing zero: %s", v);
		snprintf(idx, sizeof(idx), "%zu", i);
		ck_assert_str_eq(field(rows, (int)i + 1, "request"), idx);
		ck_assert_str_eq(field(rows, (int)i + 1, "stop"), want);
		ck_assert_str_eq(field(rows, (int)i + 1, "e2e_ms"), "");
	}
	ck_assert_str_eq(field(rows, 1, "ttft_ms"), "0.1");
	ck_assert_str_eq(field(rows, 2, "ttft_ms"), "0.0000001");
	ck_assert_str_eq(field(rows, 4, "ttft_ms"), "1000000000000000000000");
	ck_assert_str_eq(field(rows, 9, "ttft_ms"), "0"); /* -0 */
	ck_assert_str_eq(field(rows, 10, "ttft_ms"), "42");
	cJSON_Delete(rows);
	cJSON_Delete(records);
	cJSON_Delete(models);
	free(want);
}
END_TEST

/* No model: each file is its header row alone. */
START_TEST(test_csv_header_always)
{
	static const char *const files[] = { "requests.csv", "trials.csv", "models.csv" };
	size_t i;
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		cJSON *rows = write_one(NULL, NULL, files[i], 0);
		ck_assert_int_eq(cJSON_GetArraySize(rows), 1);
		ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetArrayItem(cJSON_GetArrayItem(rows, 0), 0)),
				 "model");
		cJSON_Delete(rows);
	}
}
END_TEST

static struct hostile_rng rng = { 0x2545f4914f6cdd1dull };

static unsigned rnd(unsigned n)
{
	return hostile_rnd(&rng, n);
}

static void random_text(char *out, size_t outlen)
{
	hostile_text(&rng, ",\"\r\n\t\x01\x1b\x7f\xc3\xa9\xed\xa0\x80\xef\xbf\xbe"
			     "\xf4\x90\x80\x80\xc0\xaf =+-@", out, outlen);
}

static double random_double(void)
{
	uint64_t bits = ((uint64_t)rnd(1u << 31) << 33) ^ ((uint64_t)rnd(1u << 31) << 2) ^ rnd(4);
	double d;
	memcpy(&d, &bits, sizeof(d));
	return isfinite(d) ? d : 1.5;
}

/* Any bytes in a name, an option and a knob, any double: the files read
 * back, every row as wide as the header, the text as report_utf8_clean
 * makes it, the number as it was. */
START_TEST(test_csv_any_bytes)
{
	int iter;
	for (iter = 0; iter < 200; iter++) {
		char name[64], opt[64], knob[64];
		double nums[3];
		cJSON *records, *models = cJSON_CreateArray(), *rows;
		char *w;
		size_t i;
		random_text(name, sizeof(name));
		random_text(opt, sizeof(opt));
		random_text(knob, sizeof(knob));
		for (i = 0; i < ARRAY_SIZE(nums); i++)
			nums[i] = random_double();
		cJSON_AddItemToArray(models, one_model(name, opt, knob, nums, ARRAY_SIZE(nums),
						       &records));
		rows = write_one(models, records, "requests.csv", 3);
		w = cleaned(name);
		ck_assert_str_eq(field(rows, 1, "model"), w);
		free(w);
		w = cleaned(opt);
		ck_assert_str_eq(field(rows, 2, "stop"), w);
		free(w);
		w = cleaned(knob);
		ck_assert_str_eq(field(rows, 3, "OLLAMA_KV_CACHE_TYPE"), w);
		free(w);
		for (i = 0; i < ARRAY_SIZE(nums); i++) {
			const char *v = field(rows, (int)i + 1, "ttft_ms");
			ck_assert_msg(strtod(v, NULL) == nums[i], "%.17g came back as %s", nums[i], v);
		}
		cJSON_Delete(rows);
		rows = write_one(models, records, "models.csv", 1);
		cJSON_Delete(rows);
		rows = write_one(models, records, "trials.csv", 1);
		cJSON_Delete(rows);
		cJSON_Delete(records);
		cJSON_Delete(models);
	}
}
END_TEST

/* The files the writers make of the fixed run (tests/data/reports/golden):
 * RFC 4180 as the reader reads it, and the rows the fixture's records make. */
START_TEST(test_csv_golden_files_parse)
{
	static const struct {
		const char *file;
		int rows;
	} files[] = { { "requests.csv", 5 }, { "trials.csv", 6 }, { "models.csv", 3 } };
	char path[4096];
	size_t i;
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		cJSON *rows;
		snprintf(path, sizeof(path), "%s/tests/data/reports/golden/summaries/%s",
			 source_root(), files[i].file);
		rows = read_checked(path, files[i].rows);
		ck_assert_int_eq(cJSON_GetArraySize(rows), 1 + files[i].rows);
		cJSON_Delete(rows);
	}
}
END_TEST

static Suite *csv_suite(void)
{
	Suite *s = suite_create("report_csv");
	TCase *tc = tcase_create("csv");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_csv_round_trip);
	tcase_add_test(tc, test_csv_header_always);
	tcase_add_test(tc, test_csv_any_bytes);
	tcase_add_test(tc, test_csv_golden_files_parse);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(csv_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

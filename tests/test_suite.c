// SPDX-License-Identifier: MIT
/*
 * Suite files: ranges, every kind of mistake with its line and column (the
 * expectation is the first line of each tests/data/suites/bad/ file), the
 * shipped suites, defaults, criteria, knobs and the regression gate's
 * settings by size class and model, and the warnings for the handoff's old
 * spellings.
 */
#include <check.h>
#include <unistd.h>
#include <sys/stat.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ollama.h"
#include "suite.h"
#include "util.h"

static char *source_path(const char *rel)
{
	const char *root = getenv("O3_SOURCE_ROOT");
	size_t len;
	char *p;
	ck_assert_msg(root != NULL, "O3_SOURCE_ROOT is not set (run through meson test)");
	len = strlen(root) + strlen(rel) + 2;
	p = xmalloc(len);
	snprintf(p, len, "%s/%s", root, rel);
	return p;
}

static int load_text(const char *text, struct suite *s, struct suite_error *err)
{
	return suite_load_string("t.yaml", text, strlen(text), s, err);
}

/* ---- ranges -------------------------------------------------------------- */

static const struct {
	const char *text;
	size_t n;
	long v[8]; /* the first values */
	long last;
} good_ranges[] = {
	{ "8192", 1, { 8192 }, 8192 },
	{ "-1", 1, { -1 }, -1 },
	{ "4096-65536*2", 5, { 4096, 8192, 16384, 32768, 65536 }, 65536 },
	{ "8192-32768+4096", 7, { 8192, 12288, 16384, 20480, 24576, 28672, 32768 }, 32768 },
	{ "1-4", 4, { 1, 2, 3, 4 }, 4 },
	{ "4096-10000*2", 2, { 4096, 8192 }, 8192 },     /* the end is never passed */
	{ "1000-2500+1000", 2, { 1000, 2000 }, 2000 },
	{ "4096-16384+4096, 24576,32768", 6, { 4096, 8192, 12288, 16384, 24576, 32768 }, 32768 },
	{ "5-5", 1, { 5 }, 5 },
	{ "5-5*2", 1, { 5 }, 5 },
	{ "1-4096", 4096, { 1, 2, 3, 4, 5, 6, 7, 8 }, 4096 },
	{ "1-9223372036854775807*4611686018427387904", 2, { 1, 4611686018427387904L },
	  4611686018427387904L },
};

START_TEST(test_range_good)
{
	long *v = NULL;
	size_t n = 99, k;
	char msg[256] = "";
	int r = suite_expand_range(good_ranges[_i].text, &v, &n, msg, sizeof(msg));
	ck_assert_msg(r == 0, "'%s': %s", good_ranges[_i].text, msg);
	ck_assert_uint_eq(n, good_ranges[_i].n);
	for (k = 0; k < n && k < 8; k++)
		ck_assert_int_eq(v[k], good_ranges[_i].v[k]);
	ck_assert_int_eq(v[n - 1], good_ranges[_i].last);
	free(v);
}
END_TEST

static const struct {
	const char *text, *msg;
} bad_ranges[] = {
	{ "4096-1024*2", "bad range '4096-1024*2': start 4096 is above end 1024" },
	{ "4096-65536*1", "bad range '4096-65536*1': multiplier must be at least 2" },
	{ "8192-32768+0", "bad range '8192-32768+0': step must be at least 1" },
	{ "abc", "bad range 'abc': not a number or a range (forms: 8192, 4096-65536*2, "
		 "8192-32768+4096, or a comma-separated list of these)" },
	{ "", "bad range '': empty" },
	{ "4096,", "bad range '4096,': empty item in the list" },
	{ "1,,2", "bad range '1,,2': empty item in the list" },
	{ "4096-", "bad range '4096-': missing the end of the range after '-'" },
	{ "4096-8192*", "bad range '4096-8192*': missing the multiplier after '*'" },
	{ "4096-8192+", "bad range '4096-8192+': missing the step after '+'" },
	{ "4096-8192/2", "bad range '4096-8192/2': unexpected '/' (forms: 8192, 4096-65536*2, "
			 "8192-32768+4096, or a comma-separated list of these)" },
	{ "4096x", "bad range '4096x': unexpected 'x' after 4096 (forms: 8192, 4096-65536*2, "
		   "8192-32768+4096, or a comma-separated list of these)" },
	{ "0-16*2", "bad range '0-16*2': a multiplying range must start above 0" },
	{ "1-99999999999999999999", "bad range '1-99999999999999999999': number too large" },
	{ "1-5000", "bad range '1-5000': more than 4096 values" },
	{ "1-4000,5000-5100", "bad range '1-4000,5000-5100': more than 4096 values" },
	{ "-1-4", "bad range '-1-4': not a number or a range (forms: 8192, 4096-65536*2, "
		  "8192-32768+4096, or a comma-separated list of these)" },
};

START_TEST(test_range_bad)
{
	long *v = (long *)&v;
	size_t n = 99;
	char msg[256] = "";
	ck_assert_int_eq(suite_expand_range(bad_ranges[_i].text, &v, &n, msg, sizeof(msg)), -1);
	ck_assert_str_eq(msg, bad_ranges[_i].msg);
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(n, 0);
}
END_TEST

/* ---- every kind of mistake ---------------------------------------------- */

static const char *const bad_files[] = {
	"syntax_flow", "syntax_mapping", "type_map_list", "type_int_text", "type_number_text",
	"type_models_map", "unknown_key", "unknown_nested_key", "unknown_knob", "removed_knob",
	"stop_knob", "range_backwards", "range_mult_one", "range_step_zero", "range_text",
	"num_ctx_zero", "pct_over_100", "timeout_negative", "fill_ratio", "duplicate_key",
	"duplicate_knob", "duplicate_batch", "duplicate_value", "models_empty", "models_missing",
	"models_twice", "empty_file", "top_list", "server_knob_external", "kv_type_typo",
	"mode_typo", "override_unknown_model", "alias", "two_documents", "streams_bad",
	"version", "f16_kv_text", "size_class_range", "search_max_below_start", "min_samples_negative",
	"regression_unknown_key", "regression_tolerance", "regression_max_below",
};

/* The first line of each bad file: "# expect: LINE:COL: message" or
 * "# expect: message" for an error without a position. */
static void read_expectation(const char *path, int *line, int *col, char *msg, size_t len)
{
	char first[1024], *p;
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_ptr_nonnull(fgets(first, sizeof(first), f));
	fclose(f);
	first[strcspn(first, "\n")] = '\0';
	ck_assert_msg(!strncmp(first, "# expect: ", 10), "%s: no expectation on line 1", path);
	p = first + 10;
	*line = *col = 0;
	if (sscanf(p, "%d:%d: ", line, col) == 2)
		p = strstr(p, ": ") + 2;
	o3_strlcpy(msg, p, len);
}

START_TEST(test_bad_file)
{
	char rel[256], msg[512], want[1024], got[1024];
	char *path;
	int line, col;
	struct suite s;
	struct suite_error err;

	snprintf(rel, sizeof(rel), "tests/data/suites/bad/%s.yaml", bad_files[_i]);
	path = source_path(rel);
	read_expectation(path, &line, &col, msg, sizeof(msg));
	ck_assert_int_eq(suite_load_file(path, &s, &err), -1);
	ck_assert_str_eq(err.message, msg);
	ck_assert_int_eq(err.line, line);
	ck_assert_int_eq(err.column, col);
	ck_assert_str_eq(err.file, path);
	if (line)
		snprintf(want, sizeof(want), "%s:%d:%d: %s", path, line, col, msg);
	else
		snprintf(want, sizeof(want), "%s: %s", path, msg);
	ck_assert_str_eq(suite_error_format(&err, got, sizeof(got)), want);
	/* a failed load leaves nothing to release */
	ck_assert_ptr_null(s.models);
	ck_assert_ptr_null(s.knobs.items);
	ck_assert_ptr_null(s.warnings);
	suite_release(&s);
	free(path);
}
END_TEST

/* Mistakes that are awkward to keep in a file. */
static const struct {
	const char *text;
	int line, col;
	const char *msg;
} bad_texts[] = {
	{ "models: all\n? [a, b]\n: c\n", 2, 3, "'suite': expected a key name, found a list" },
	{ "models: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[a]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n", 1, 40,
	  "nesting deeper than 32 levels" },
	{ "models: all\nknobs: 8192\n", 2, 8,
	  "'knobs': expected a mapping of knob names to values, found '8192'" },
	{ "models: all\nknobs:\n  num_ctx:\n", 3, 11,
	  "'num_ctx': expected a value or a range, found nothing" },
	{ "models: all\nknobs:\n  num_ctx: []\n", 3, 12, "'num_ctx': the list of values is empty" },
	{ "models: all\nknobs:\n  num_ctx: {a: 1}\n", 3, 12,
	  "'num_ctx': expected a value, a list or a range, found a mapping" },
	{ "models: all\nknobs:\n  num_predict: -3\n", 3, 16,
	  "'num_predict': -3 is out of range (at least -2)" },
	{ "models: all\nknobs:\n  top_p: 1.5\n", 3, 10, "'top_p': 1.5 is out of range (0 to 1)" },
	{ "models: all\nknobs:\n  temperature: warm\n", 3, 16,
	  "'temperature': expected a number, found 'warm'" },
	{ "models: all\nknobs:\n  use_mmap: 1\n", 3, 13, "'use_mmap': expected true or false, found '1'" },
	{ "models: all\nknobs:\n  num_ctx: 8192\n  num_thraed: 8\n", 4, 3,
	  "unknown knob 'num_thraed'; did you mean 'num_thread'?" },
	{ "models: all\nknobs:\n  flux_capacitor: 1\n", 3, 3,
	  "unknown knob 'flux_capacitor' (see suites/README.md for the knobs)" },
	{ "models: all\nserver: {mode: managed}\nknobs:\n  OLLAMA_FLASH_ATTENTION: maybe\n", 4, 27,
	  "'OLLAMA_FLASH_ATTENTION': expected 0, 1, true or false, found 'maybe'" },
	{ "models: all\noverrides:\n  gemma3:latest:\n    knobs:\n      OLLAMA_NUM_PARALLEL: 2\n",
	  5, 7, "server knob 'OLLAMA_NUM_PARALLEL' needs 'server: {mode: managed}' (o3 restarts its "
	  "own ollama serve for it); in external mode the running server's settings are recorded "
	  "as found" },
	{ "models: all\nrepetitions: 0\n", 2, 14, "'repetitions': 0 is out of range (1 to 1000)" },
	/* numbers that would overflow an int or allocate gigabytes */
	{ "models: all\nrepetitions: -727379968\n", 2, 14,
	  "'repetitions': -727379968 is out of range (1 to 1000)" },
	{ "models: all\nrepetitions: 5000000000\n", 2, 14,
	  "'repetitions': 5000000000 is out of range (1 to 1000)" },
	{ "models: all\nwarmup: 101\n", 2, 9, "'warmup': 101 is out of range (0 to 100)" },
	{ "models: all\nstability:\n  requests: 100001\n", 3, 13,
	  "'requests': 100001 is out of range (1 to 100000)" },
	{ "models: all\nstability:\n  streams: [100000000]\n", 3, 13,
	  "'streams': 100000000 is out of range (1 to 1024)" },
	{ "models: all\nstability:\n  streams: [2000x]\n", 3, 13,
	  "'streams': 2000x is out of range (1x to 1024x)" },
	{ "models: all\ncriteria:\n  oom_allowed: -1\n", 3, 16,
	  "'oom_allowed': -1 is out of range (at least 0)" },
	{ "models: all\ncriteria:\n  ttft_s: 0\n", 3, 11, "'ttft_s': 0 is out of range (above 0)" },
	{ "models: all\ncriteria:\n  needle: sometimes\n", 3, 11,
	  "'needle': expected true or false, found 'sometimes'" },
	{ "models: all\ncriteria:\n  ttft_s: 2\n  ttft_s: 3\n", 4, 3,
	  "duplicate key 'ttft_s' (first at line 3)" },
	{ "models: all\nsearch:\n  max: 0\n", 3, 8, "'max': 0 is out of range (at least 1)" },
	{ "models: all\nsearch:\n  max: huge\n", 3, 8,
	  "'max': expected a number of tokens or 'trained', found 'huge'" },
	{ "models: all\nstability:\n  streams: [2, 2]\n", 3, 16, "'streams': '2' given twice" },
	{ "models: all\nstability:\n  streams: 2\n", 3, 12,
	  "'streams': expected a list such as [parallel, 2x], found '2'" },
	{ "models: all\nstability:\n  streams: [0]\n", 3, 13,
	  "'streams': 0 is out of range (1 to 1024)" },
	{ "models: all\nstability:\n  min_samples: -5\n", 3, 16,
	  "'min_samples': -5 is out of range (at least 1)" },
	{ "models: all\nstability:\n  min_samples: 0\n", 3, 16,
	  "'min_samples': 0 is out of range (at least 1)" },
	{ "models: all\nstability:\n  min_samples: 100001\n", 3, 16,
	  "'min_samples': 100001 is out of range (at most 100000)" },
	{ "models: all\nstability:\n  min_samples: 99999999999999999999\n", 3, 16,
	  "'min_samples': expected an integer, found '99999999999999999999'" },
	{ "models: all\nstability:\n  min_samples: 1.5\n", 3, 16,
	  "'min_samples': expected an integer, found '1.5'" },
	{ "models: all\nstability: {min_samples: 50, min_samples: 60}\n", 2, 30,
	  "duplicate key 'min_samples' (first at line 2)" },
	{ "models: [\"\"]\n", 1, 10, "'models': '' is not a model name" },
	{ "models: [\"two words\"]\n", 1, 10, "'models': 'two words' is not a model name" },
	{ "models: everything\n", 1, 9,
	  "'models': expected a list of model names or 'all', found 'everything'" },
	{ "models: all\nsize_classes:\n  big: {}\n  big: {}\n", 4, 3, "duplicate size class 'big'" },
	{ "models: all\noverrides:\n  a:b: {}\n  a:b: {}\n", 4, 3,
	  "duplicate override for model 'a:b' (first at line 3)" },
	{ "models: all\noverrides:\n  a:b:\n    criterion: {}\n", 4, 5,
	  "unknown key 'criterion'; did you mean 'criteria'?" },
	{ "models: all\nfoo: 1\n", 2, 1, "unknown key 'foo' in 'suite'" },
	{ "models: all\ntimeouts:\n  total_s: soon\n", 3, 12,
	  "'total_s': expected a number of seconds, found 'soon'" },
	{ "models: all\nknobs:\n  num_ctx: \"\\t\"\n", 3, 12,
	  "'num_ctx': bad range '\\t': empty" },
	{ "models: all\n\"a\\nb\": 1\n", 2, 1, "unknown key 'a\\nb' in 'suite'" },
	{ "models: [qwen3:30b]\noverrides:\n  \"b\\u0001\": {}\n", 3, 3,
	  "override for model 'b\\x01', which is not in 'models'" },
	/* the regression gate: every key, its type and range */
	{ "models: all\nregresion: {}\n", 2, 1, "unknown key 'regresion'; did you mean 'regression'?" },
	{ "models: all\nregression:\n  tolerance: {decode: 5}\n", 3, 3,
	  "unknown key 'tolerance'; did you mean 'tolerances'?" },
	{ "models: all\nregression:\n  tolerances: {ttft_at_fil: 5}\n", 3, 16,
	  "unknown key 'ttft_at_fil'; did you mean 'ttft_at_fill'?" },
	{ "models: all\nregression:\n  tolerances: {throughput: 5}\n", 3, 16,
	  "unknown key 'throughput' in 'tolerances'" },
	{ "models: all\nregression:\n  tolerances: [decode]\n", 3, 15,
	  "'tolerances': expected a mapping, found a list" },
	{ "models: all\nregression: 5\n", 2, 13, "'regression': expected a mapping, found '5'" },
	{ "models: all\nregression:\n  tolerances: {decode: 0}\n", 3, 24,
	  "'decode': 0 is out of range (above 0, at most 100)" },
	{ "models: all\nregression:\n  tolerances: {ttft: -5}\n", 3, 22,
	  "'ttft': -5 is out of range (above 0, at most 100)" },
	{ "models: all\nregression:\n  tolerances: {prefill: 100.5}\n", 3, 25,
	  "'prefill': 100.5 is out of range (above 0, at most 100)" },
	{ "models: all\nregression:\n  tolerances: {memory: 5%}\n", 3, 24,
	  "'memory': expected a number, found '5%'" },
	{ "models: all\nregression:\n  tolerances: {decode_at_fill: 101}\n", 3, 32,
	  "'decode_at_fill': 101 is out of range (above 0, at most 100)" },
	{ "models: all\nregression:\n  tolerances: {ttft_at_fill: 0}\n", 3, 30,
	  "'ttft_at_fill': 0 is out of range (above 0, at most 100)" },
	{ "models: all\nregression:\n  tolerances: {stability_p99: }\n", 3, 31,
	  "'stability_p99': expected a number, found nothing" },
	{ "models: all\nregression:\n  tolerances: {decode: 5, decode: 6}\n", 3, 27,
	  "duplicate key 'decode' (first at line 3)" },
	{ "models: all\nregression:\n  alpha: 0\n", 3, 10,
	  "'alpha': 0 is out of range (above 0, at most 0.5)" },
	{ "models: all\nregression:\n  alpha: 0.6\n", 3, 10,
	  "'alpha': 0.6 is out of range (above 0, at most 0.5)" },
	{ "models: all\nregression:\n  alpha: high\n", 3, 10, "'alpha': expected a number, found 'high'" },
	{ "models: all\nregression:\n  repetitions: 0\n", 3, 16,
	  "'repetitions': 0 is out of range (1 to 1000, or auto)" },
	{ "models: all\nregression:\n  repetitions: 1001\n", 3, 16,
	  "'repetitions': 1001 is out of range (1 to 1000, or auto)" },
	{ "models: all\nregression:\n  repetitions: many\n", 3, 16,
	  "'repetitions': expected a number of requests or 'auto', found 'many'" },
	{ "models: all\nregression:\n  repetitions: 2.5\n", 3, 16,
	  "'repetitions': expected a number of requests or 'auto', found '2.5'" },
	{ "models: all\nregression:\n  repetitions: Auto\n", 3, 16,
	  "'repetitions': expected a number of requests or 'auto', found 'Auto'" },
	{ "models: all\nregression:\n  max_repetitions: 2\n", 3, 20,
	  "'max_repetitions': 2 is out of range (3 to 1000)" },
	{ "models: all\nregression:\n  max_repetitions: 1001\n", 3, 20,
	  "'max_repetitions': 1001 is out of range (3 to 1000)" },
	{ "models: all\nregression:\n  max_repetitions: auto\n", 3, 20,
	  "'max_repetitions': expected an integer, found 'auto'" },
	{ "models: all\nregression:\n  strict: yes\n", 3, 11,
	  "'strict': expected true or false, found 'yes'" },
	{ "models: all\nregression:\n  strict: 1\n", 3, 11, "'strict': expected true or false, found '1'" },
	/* max_repetitions below a number of repetitions: the later key is blamed */
	{ "models: all\nregression:\n  repetitions: 20\n  max_repetitions: 10\n", 4, 20,
	  "'max_repetitions': 10 is below repetitions 20 (line 3)" },
	{ "models: all\nregression:\n  max_repetitions: 10\n  repetitions: 20\n", 4, 16,
	  "'repetitions': 20 is above max_repetitions 10 (line 3)" },
	{ "models: [m]\nregression: {max_repetitions: 10}\noverrides:\n  m:\n"
	  "    regression: {repetitions: 11}\n", 5, 31,
	  "'repetitions': 11 is above max_repetitions 10 (line 2)" },
	{ "models: [m]\nsize_classes:\n  small:\n    max_params_b: 2\n"
	  "    regression: {repetitions: 50}\noverrides:\n  m:\n"
	  "    regression: {max_repetitions: 40}\n", 8, 35,
	  "'max_repetitions': 40 is below repetitions 50 (line 5)" },
	{ "models: all\nsize_classes:\n  a: {min_params_b: 10, regression: {max_repetitions: 5}}\n"
	  "  b: {min_params_b: 5, max_params_b: 20, regression: {repetitions: 6}}\n", 4, 68,
	  "'repetitions': 6 is above max_repetitions 5 (line 3)" },
	{ "models: all\noverrides:\n  a:b:\n    regression: {tolerances: {decode: 200}}\n", 4, 39,
	  "'decode': 200 is out of range (above 0, at most 100)" },
	{ "models: all\noverrides:\n  a:b:\n    regresion: {}\n", 4, 5,
	  "unknown key 'regresion'; did you mean 'regression'?" },
	{ "models: all\nsize_classes:\n  big:\n    regression: {strict: maybe}\n", 4, 26,
	  "'strict': expected true or false, found 'maybe'" },
	{ "\"unterminated\n", 2, 1,
	  "while scanning a quoted scalar: found unexpected end of stream" },
	{ "models: all\n\tknobs: {}\n", 2, 1,
	  "while scanning a plain scalar: found a tab character that violates indentation" },
};

START_TEST(test_bad_text)
{
	struct suite s;
	struct suite_error err;
	ck_assert_int_eq(load_text(bad_texts[_i].text, &s, &err), -1);
	ck_assert_str_eq(err.message, bad_texts[_i].msg);
	ck_assert_int_eq(err.line, bad_texts[_i].line);
	ck_assert_int_eq(err.column, bad_texts[_i].col);
	suite_release(&s);
}
END_TEST

START_TEST(test_missing_file)
{
	struct suite s;
	struct suite_error err;
	char buf[512];
	ck_assert_int_eq(suite_load_file("no/such/suite.yaml", &s, &err), -1);
	ck_assert_int_eq(err.line, 0);
	ck_assert_str_eq(suite_error_format(&err, buf, sizeof(buf)),
			 "no/such/suite.yaml: cannot open: No such file or directory");
	suite_release(&s);
}
END_TEST

START_TEST(test_too_large)
{
	size_t len = 1024 * 1024 + 1;
	char *big = xmalloc(len + 1);
	struct suite s;
	struct suite_error err;
	memset(big, '#', len);
	big[len] = '\0';
	ck_assert_int_eq(suite_load_string("big.yaml", big, len, &s, &err), -1);
	ck_assert_str_eq(err.message, "too large for a suite file (1048577 bytes; at most 1048576)");
	free(big);
}
END_TEST

/* ---- the shipped suites -------------------------------------------------- */

static void assert_regression_defaults(const struct suite_regression *r)
{
	ck_assert_double_eq(r->decode_pct, 5.0);
	ck_assert_double_eq(r->ttft_pct, 10.0);
	ck_assert_double_eq(r->prefill_pct, 10.0);
	ck_assert_double_eq(r->memory_pct, 5.0);
	ck_assert_double_eq(r->decode_at_fill_pct, 10.0);
	ck_assert_double_eq(r->ttft_at_fill_pct, 15.0);
	ck_assert_double_eq(r->stability_p99_pct, 20.0);
	ck_assert_double_eq(r->alpha, 0.05);
	ck_assert_int_eq(r->repetitions, 0);
	ck_assert_int_eq(r->max_repetitions, 30);
	ck_assert_int_eq(r->strict, 0);
}


static const struct {
	const char *file, *name;
	int all_models;
	size_t n_models, n_knobs;
	long repetitions, start, resolution, max;
	const char *num_ctx; /* the num_ctx values joined, or NULL when not a knob */
} shipped[] = {
	{ "suites/default.yaml", "default", 1, 0, 3, 5, 4096, 1024, 0,
	  "4096,8192,12288,16384,24576,32768" },
	{ "suites/strix-halo-64g.yaml", "strix-halo-64g", 0, 5, 2, 5, 8192, 1024, 0, NULL },
	{ "suites/smoke.yaml", "smoke", 0, 2, 2, 1, 2048, 2048, 8192, "2048,4096" },
};

START_TEST(test_shipped)
{
	char *path = source_path(shipped[_i].file), buf[512], joined[256] = "";
	struct suite s;
	struct suite_error err;
	const struct suite_knob *k;
	size_t i;

	ck_assert_msg(suite_load_file(path, &s, &err) == 0, "%s",
		      suite_error_format(&err, buf, sizeof(buf)));
	ck_assert_str_eq(s.name, shipped[_i].name);
	ck_assert_int_eq(s.all_models, shipped[_i].all_models);
	ck_assert_uint_eq(s.n_models, shipped[_i].n_models);
	ck_assert_uint_eq(s.knobs.n, shipped[_i].n_knobs);
	ck_assert_int_eq(s.repetitions, shipped[_i].repetitions);
	ck_assert_int_eq(s.search.start, shipped[_i].start);
	ck_assert_int_eq(s.search.resolution, shipped[_i].resolution);
	ck_assert_int_eq(s.search.max, shipped[_i].max);
	ck_assert_uint_eq(s.n_warnings, 0);
	ck_assert_int_eq(s.server.mode, SUITE_SERVER_EXTERNAL);
	/* the mission's criteria, size class included */
	ck_assert_double_eq(s.criteria.ttft_s, 2.0);
	ck_assert_double_eq(s.criteria.gpu_memory_max_pct, 90.0);
	ck_assert_int_eq(s.criteria.oom_allowed, 0);
	{
		struct suite_criteria c;
		suite_criteria_for(&s, "qwen3-coder:30b", 30.5, &c);
		ck_assert_double_eq(c.decode_tps_min, 10.0);
		suite_criteria_for(&s, "qwen2.5:3b-instruct", 3.09, &c);
		ck_assert_double_eq(c.decode_tps_min, 20.0);
	}
	/* the regression gate: the defaults (written out in default and strix-halo-64g) */
	{
		struct suite_regression r;
		suite_regression_for(&s, "qwen3-coder:30b", 30.5, &r);
		assert_regression_defaults(&r);
		suite_regression_for(&s, "qwen2.5:3b-instruct", 3.09, &r);
		assert_regression_defaults(&r);
		if (strcmp(shipped[_i].name, "smoke"))
			ck_assert_uint_eq(s.regression.set, (1u << 11) - 1);
	}
	k = suite_knob_find(&s.knobs, "num_ctx");
	if (shipped[_i].num_ctx) {
		ck_assert_ptr_nonnull(k);
		for (i = 0; i < k->n_values; i++) {
			size_t off = strlen(joined);
			snprintf(joined + off, sizeof(joined) - off, "%s%s", i ? "," : "", k->values[i]);
		}
		ck_assert_str_eq(joined, shipped[_i].num_ctx);
	} else {
		ck_assert_ptr_null(k);
	}
	suite_release(&s);
	free(path);
}
END_TEST

START_TEST(test_shipped_details)
{
	char *path = source_path("suites/default.yaml");
	struct suite s;
	struct suite_error err;
	const struct suite_knob *k;

	ck_assert_int_eq(suite_load_file(path, &s, &err), 0);
	k = suite_knob_find(&s.knobs, "num_batch");
	ck_assert_ptr_nonnull(k);
	ck_assert_int_eq(k->kind, SUITE_KNOB_LOAD);
	ck_assert_uint_eq(k->n_values, 3);
	ck_assert_int_eq(k->ints[0], 8);
	ck_assert_int_eq(k->ints[2], 32);
	k = suite_knob_find(&s.knobs, "num_predict");
	ck_assert_int_eq(k->kind, SUITE_KNOB_REQUEST);
	ck_assert_str_eq(k->values[1], "512");
	suite_release(&s);
	free(path);

	path = source_path("suites/strix-halo-64g.yaml");
	ck_assert_int_eq(suite_load_file(path, &s, &err), 0);
	ck_assert_str_eq(s.models[0], "qwen3-coder:30b");
	ck_assert_str_eq(s.models[1], "orieg/gemma3-tools:27b-it-qat");
	ck_assert_str_eq(s.models[4], "gemma3:latest");
	ck_assert_int_eq(s.timeouts.first_byte_ms, 3600000);
	ck_assert_int_eq(s.timeouts.trial_ms, 7200000);
	ck_assert_int_eq(s.criteria.needle, 1);
	suite_release(&s);
	free(path);
}
END_TEST

/* ---- defaults ------------------------------------------------------------ */

START_TEST(test_defaults)
{
	struct suite s;
	struct suite_error err;
	const char *text = "models: [gemma3:latest]\n";

	ck_assert_int_eq(suite_load_string("some/dir/mini.yaml", text, strlen(text), &s, &err), 0);
	ck_assert_str_eq(s.name, "mini");
	ck_assert_str_eq(s.file, "some/dir/mini.yaml");
	ck_assert_ptr_null(s.description);
	ck_assert_int_eq(s.all_models, 0);
	ck_assert_uint_eq(s.n_models, 1);
	ck_assert_int_eq(suite_has_model(&s, "gemma3:latest"), 1);
	ck_assert_int_eq(suite_has_model(&s, "gemma3"), 0);
	ck_assert_uint_eq(s.knobs.n, 0);
	ck_assert_double_eq(s.criteria.ttft_s, 2.0);
	ck_assert_double_eq(s.criteria.decode_tps_min, 20.0);
	ck_assert_double_eq(s.criteria.gpu_memory_max_pct, 90.0);
	ck_assert_int_eq(s.criteria.oom_allowed, 0);
	ck_assert_int_eq(s.criteria.needle, 1);
	ck_assert_double_eq(s.criteria.stability_success_min_pct, 100.0);
	ck_assert_uint_eq(s.n_size_classes, 1);
	ck_assert_str_eq(s.size_classes[0].name, "large");
	ck_assert_double_eq(s.size_classes[0].min_params_b, 20.0);
	ck_assert_int_eq(s.scenarios.interactive_prompt_tokens, 512);
	ck_assert_double_eq(s.scenarios.fill_ratio, 0.9);
	ck_assert_int_eq(s.repetitions, 5);
	ck_assert_int_eq(s.warmup, 1);
	ck_assert_int_eq(s.search.ceiling, 1);
	ck_assert_int_eq(s.search.start, 4096);
	ck_assert_int_eq(s.search.resolution, 1024);
	ck_assert_int_eq(s.search.max, 0);
	ck_assert_int_eq(s.timeouts.connect_ms, 5000);
	ck_assert_int_eq(s.timeouts.first_byte_ms, 600000);
	ck_assert_int_eq(s.timeouts.stall_ms, 120000);
	ck_assert_int_eq(s.timeouts.total_ms, 0);
	ck_assert_int_eq(s.timeouts.trial_ms, 1800000);
	ck_assert_uint_eq(s.stability.n_streams, 2);
	ck_assert_int_eq(s.stability.streams[0].per_slot, 1);
	ck_assert_int_eq(s.stability.streams[0].count, 0);
	ck_assert_int_eq(s.stability.streams[1].per_slot, 2);
	ck_assert_int_eq(s.stability.requests, 4);
	ck_assert_int_eq(s.stability.min_samples, 100);
	ck_assert_int_eq(s.server.mode, SUITE_SERVER_EXTERNAL);
	ck_assert_str_eq(s.server.binary, "ollama");
	ck_assert_uint_eq(s.n_warnings, 0);
	suite_release(&s);
}
END_TEST

START_TEST(test_values_set)
{
	struct suite s;
	struct suite_error err;
	const char *text =
		"models: all\n"
		"name: custom\n"
		"description: a test\n"
		"repetitions: 5\nwarmup: 0\n"
		"scenarios: {interactive_prompt_tokens: 128, fill_ratio: 1}\n"
		"search: {ceiling: false, start: 2048, resolution: 256, max: 65536}\n"
		"timeouts: {connect_s: 1.5, first_byte_s: 0, stall_s: 30, total_s: 90, trial_s: 600}\n"
		"stability: {streams: [parallel, 3x, 8], requests: 2, min_samples: 100000}\n"
		"server: {mode: managed, binary: ./ollama-sim}\n"
		"knobs:\n"
		"  use_mmap: [true, false]\n"
		"  OLLAMA_FLASH_ATTENTION: [true, 0]\n"
		"  OLLAMA_KV_CACHE_TYPE: q4_0\n"
		"  num_gpu: -1\n"
		"  num_predict: [-2, -1, 64-256*2]\n"
		"  top_p: [0.9, 1]\n";
	const struct suite_knob *k;

	ck_assert_msg(load_text(text, &s, &err) == 0, "%s", err.message);
	ck_assert_str_eq(s.name, "custom");
	ck_assert_str_eq(s.description, "a test");
	ck_assert_int_eq(s.all_models, 1);
	ck_assert_int_eq(suite_has_model(&s, "anything:7b"), 1);
	ck_assert_int_eq(s.repetitions, 5);
	ck_assert_int_eq(s.warmup, 0);
	ck_assert_int_eq(s.scenarios.interactive_prompt_tokens, 128);
	ck_assert_double_eq(s.scenarios.fill_ratio, 1.0);
	ck_assert_int_eq(s.search.ceiling, 0);
	ck_assert_int_eq(s.search.start, 2048);
	ck_assert_int_eq(s.search.resolution, 256);
	ck_assert_int_eq(s.search.max, 65536);
	ck_assert_int_eq(s.timeouts.connect_ms, 1500);
	ck_assert_int_eq(s.timeouts.first_byte_ms, 0);
	ck_assert_int_eq(s.timeouts.stall_ms, 30000);
	ck_assert_int_eq(s.timeouts.total_ms, 90000);
	ck_assert_int_eq(s.timeouts.trial_ms, 600000);
	ck_assert_uint_eq(s.stability.n_streams, 3);
	ck_assert_int_eq(s.stability.streams[1].per_slot, 3);
	ck_assert_int_eq(s.stability.streams[2].count, 8);
	ck_assert_int_eq(s.stability.streams[2].per_slot, 0);
	ck_assert_int_eq(s.stability.requests, 2);
	ck_assert_int_eq(s.stability.min_samples, 100000);
	ck_assert_int_eq(s.server.mode, SUITE_SERVER_MANAGED);
	ck_assert_str_eq(s.server.binary, "./ollama-sim");

	k = suite_knob_find(&s.knobs, "use_mmap");
	ck_assert_int_eq(k->type, SUITE_VAL_BOOL);
	ck_assert_str_eq(k->values[0], "true");
	ck_assert_int_eq(k->ints[1], 0);
	k = suite_knob_find(&s.knobs, "OLLAMA_FLASH_ATTENTION");
	ck_assert_int_eq(k->kind, SUITE_KNOB_SERVER);
	ck_assert_str_eq(k->values[0], "1");
	ck_assert_str_eq(k->values[1], "0");
	k = suite_knob_find(&s.knobs, "OLLAMA_KV_CACHE_TYPE");
	ck_assert_int_eq(k->type, SUITE_VAL_STRING);
	ck_assert_ptr_null(k->ints);
	ck_assert_str_eq(k->values[0], "q4_0");
	ck_assert_int_eq(k->from_f16_kv, 0);
	k = suite_knob_find(&s.knobs, "num_gpu");
	ck_assert_int_eq(k->ints[0], -1);
	k = suite_knob_find(&s.knobs, "num_predict");
	ck_assert_uint_eq(k->n_values, 5);
	ck_assert_int_eq(k->ints[0], -2);
	ck_assert_int_eq(k->ints[4], 256);
	k = suite_knob_find(&s.knobs, "top_p");
	ck_assert_int_eq(k->type, SUITE_VAL_FLOAT);
	ck_assert_str_eq(k->values[1], "1");
	ck_assert_ptr_null(suite_knob_find(&s.knobs, "num_ctx"));
	suite_release(&s);
}
END_TEST

/* ---- the regression gate ------------------------------------------------ */

START_TEST(test_regression_defaults)
{
	struct suite s;
	struct suite_error err;
	struct suite_regression r;

	suite_init(&s);
	assert_regression_defaults(&s.regression.v);
	ck_assert_uint_eq(s.regression.set, 0);
	suite_release(&s);

	ck_assert_int_eq(load_text("models: [m]\n", &s, &err), 0);
	ck_assert_int_eq(suite_regression_for(&s, "m", 30.0, &r), 0);
	assert_regression_defaults(&r);
	suite_regression_for(&s, "other", -1, &r);
	assert_regression_defaults(&r);
	suite_release(&s);

	/* empty sections are the defaults */
	ck_assert_int_eq(load_text("models: [m]\nregression:\n", &s, &err), 0);
	suite_regression_for(&s, "m", 3.0, &r);
	assert_regression_defaults(&r);
	suite_release(&s);
	ck_assert_int_eq(load_text("models: [m]\nregression: {tolerances: {}}\n"
				   "overrides: {m: {regression: ~}}\n", &s, &err), 0);
	suite_regression_for(&s, "m", 3.0, &r);
	assert_regression_defaults(&r);
	suite_release(&s);

	/* the default max_repetitions does not bound a number given alone */
	ck_assert_int_eq(load_text("models: all\nregression: {repetitions: 1000}\n", &s, &err), 0);
	suite_regression_for(&s, "m", 3.0, &r);
	ck_assert_int_eq(r.repetitions, 1000);
	ck_assert_int_eq(r.max_repetitions, 30);
	suite_release(&s);
}
END_TEST

START_TEST(test_regression_full)
{
	struct suite s;
	struct suite_error err;
	struct suite_regression r;
	const char *text =
		"models: all\n"
		"regression:\n"
		"  tolerances:\n"
		"    decode: 1\n"
		"    ttft: 2.5\n"
		"    prefill: 3\n"
		"    memory: 0.5\n"
		"    decode_at_fill: 100\n"
		"    ttft_at_fill: 6\n"
		"    stability_p99: 7\n"
		"  alpha: 0.5\n"
		"  repetitions: 8\n"
		"  max_repetitions: 8\n"
		"  strict: true\n";

	ck_assert_msg(load_text(text, &s, &err) == 0, "%d:%d: %s", err.line, err.column,
		      err.message);
	ck_assert_uint_eq(s.regression.set, (1u << 11) - 1);
	suite_regression_for(&s, "any:7b", 7.0, &r);
	ck_assert_double_eq(r.decode_pct, 1.0);
	ck_assert_double_eq(r.ttft_pct, 2.5);
	ck_assert_double_eq(r.prefill_pct, 3.0);
	ck_assert_double_eq(r.memory_pct, 0.5);
	ck_assert_double_eq(r.decode_at_fill_pct, 100.0);
	ck_assert_double_eq(r.ttft_at_fill_pct, 6.0);
	ck_assert_double_eq(r.stability_p99_pct, 7.0);
	ck_assert_double_eq(r.alpha, 0.5);
	ck_assert_int_eq(r.repetitions, 8);
	ck_assert_int_eq(r.max_repetitions, 8);
	ck_assert_int_eq(r.strict, 1);
	suite_release(&s);

	/* the bounds: repetitions 1 and 1000, max_repetitions 3 and 1000 */
	ck_assert_int_eq(load_text("models: all\nregression: {repetitions: 1, max_repetitions: 3, "
				   "strict: false, alpha: 1e-6}\n", &s, &err), 0);
	ck_assert_int_eq(s.regression.v.repetitions, 1);
	ck_assert_int_eq(s.regression.v.max_repetitions, 3);
	ck_assert_int_eq(s.regression.v.strict, 0);
	suite_release(&s);
	ck_assert_int_eq(load_text("models: all\nregression: {repetitions: 1000, "
				   "max_repetitions: 1000}\n", &s, &err), 0);
	ck_assert_int_eq(s.regression.v.repetitions, 1000);
	ck_assert_int_eq(s.regression.v.max_repetitions, 1000);
	suite_release(&s);
	/* auto has no bound: any max_repetitions goes with it */
	ck_assert_int_eq(load_text("models: all\nregression: {repetitions: 40}\n"
				   "overrides: {m: {regression: {repetitions: auto, max_repetitions: 3}}}\n",
				   &s, &err), 0);
	suite_regression_for(&s, "m", 1.0, &r);
	ck_assert_int_eq(r.repetitions, 0);
	ck_assert_int_eq(r.max_repetitions, 3);
	suite_regression_for(&s, "n", 1.0, &r);
	ck_assert_int_eq(r.repetitions, 40);
	suite_release(&s);
}
END_TEST

/* tests/data/suites/good/regression.yaml: base, the large class, two overrides. */
static const struct {
	const char *model;
	double params_b;
	double decode, ttft, prefill, memory, decode_fill, ttft_fill, p99, alpha;
	long repetitions, max_repetitions;
	int strict;
} reg_cases[] = {
	/* large class + its override: decode 3, 12 repetitions */
	{ "qwen3-coder:30b", 30.5, 3, 12.5, 10, 8, 10, 15, 25, 0.01, 12, 40, 1 },
	/* the override alone when the size is unknown */
	{ "qwen3-coder:30b", -1, 3, 12.5, 10, 5, 10, 15, 20, 0.01, 12, 40, 0 },
	{ "gemma3:latest", 4.3, 4, 12.5, 100, 5, 0.5, 30, 20, 0.1, 0, 3, 0 },
	{ "gemma3:latest", 27, 4, 12.5, 100, 8, 0.5, 30, 25, 0.1, 0, 3, 1 },
	{ "tiny:1b", 1.2, 4, 12.5, 10, 5, 10, 15, 20, 0.01, 0, 40, 0 },       /* base */
	{ "other:70b", 70, 4, 12.5, 10, 8, 10, 15, 25, 0.01, 0, 40, 1 },      /* no override */
	{ NULL, 20, 4, 12.5, 10, 8, 10, 15, 25, 0.01, 0, 40, 1 },             /* no model */
};

START_TEST(test_regression_for)
{
	char *path = source_path("tests/data/suites/good/regression.yaml"), buf[512];
	struct suite s;
	struct suite_error err;
	struct suite_regression r;

	ck_assert_msg(suite_load_file(path, &s, &err) == 0, "%s",
		      suite_error_format(&err, buf, sizeof(buf)));
	ck_assert_int_eq(suite_regression_for(&s, reg_cases[_i].model, reg_cases[_i].params_b, &r), 0);
	ck_assert_double_eq_tol(r.decode_pct, reg_cases[_i].decode, 1e-9);
	ck_assert_double_eq_tol(r.ttft_pct, reg_cases[_i].ttft, 1e-9);
	ck_assert_double_eq_tol(r.prefill_pct, reg_cases[_i].prefill, 1e-9);
	ck_assert_double_eq_tol(r.memory_pct, reg_cases[_i].memory, 1e-9);
	ck_assert_double_eq_tol(r.decode_at_fill_pct, reg_cases[_i].decode_fill, 1e-9);
	ck_assert_double_eq_tol(r.ttft_at_fill_pct, reg_cases[_i].ttft_fill, 1e-9);
	ck_assert_double_eq_tol(r.stability_p99_pct, reg_cases[_i].p99, 1e-9);
	ck_assert_double_eq_tol(r.alpha, reg_cases[_i].alpha, 1e-12);
	ck_assert_int_eq(r.repetitions, reg_cases[_i].repetitions);
	ck_assert_int_eq(r.max_repetitions, reg_cases[_i].max_repetitions);
	ck_assert_int_eq(r.strict, reg_cases[_i].strict);
	/* criteria are untouched by the section */
	{
		struct suite_criteria c;
		suite_criteria_for(&s, reg_cases[_i].model, reg_cases[_i].params_b, &c);
		ck_assert_double_eq(c.ttft_s, 2.0);
	}
	suite_release(&s);
	free(path);
}
END_TEST

/* ---- criteria and knobs by size class and model ------------------------- */

static const struct {
	const char *model;
	double params_b;
	double ttft_s, decode_tps_min, gpu_pct;
	long oom;
	int needle;
} crit_cases[] = {
	{ "qwen3-coder:30b", 30.5, 3.0, 10, 95, 0, 1 },   /* large class + its override */
	{ "gemma3:latest", 4.3, 2.5, 20, 90, 1, 0 },      /* base + its override */
	{ "qwen2.5:3b-instruct", 3.09, 2.5, 20, 90, 0, 1 },
	{ "tiny:1b", 1.2, 1.0, 40, 90, 0, 1 },            /* small class */
	{ "tiny:1b", -1, 2.5, 20, 90, 0, 1 },             /* size unknown: base */
	{ "other:70b", 70, 2.5, 10, 90, 0, 1 },           /* no override */
	{ "edge", 20.0, 2.5, 10, 90, 0, 1 },              /* min is inclusive */
	{ "edge", 2.0, 2.5, 20, 90, 0, 1 },               /* max is exclusive */
	{ "edge", 19.99, 2.5, 20, 90, 0, 1 },
};

START_TEST(test_criteria_for)
{
	char *path = source_path("tests/data/suites/good/classes.yaml");
	struct suite s;
	struct suite_error err;
	struct suite_criteria c;

	ck_assert_int_eq(suite_load_file(path, &s, &err), 0);
	ck_assert_int_eq(suite_criteria_for(&s, crit_cases[_i].model, crit_cases[_i].params_b, &c), 0);
	ck_assert_double_eq_tol(c.ttft_s, crit_cases[_i].ttft_s, 1e-9);
	ck_assert_double_eq_tol(c.decode_tps_min, crit_cases[_i].decode_tps_min, 1e-9);
	ck_assert_double_eq_tol(c.gpu_memory_max_pct, crit_cases[_i].gpu_pct, 1e-9);
	ck_assert_int_eq(c.oom_allowed, crit_cases[_i].oom);
	ck_assert_int_eq(c.needle, crit_cases[_i].needle);
	ck_assert_double_eq(c.stability_success_min_pct, 100.0);
	suite_release(&s);
	free(path);
}
END_TEST

/* The mission's rule with no size_classes in the file: 10 tok/s at >= 20B. */
START_TEST(test_default_size_class)
{
	struct suite s;
	struct suite_error err;
	struct suite_criteria c;
	ck_assert_int_eq(load_text("models: all\ncriteria: {decode_tps_min: 25}\n", &s, &err), 0);
	suite_criteria_for(&s, "m", 20.0, &c);
	ck_assert_double_eq(c.decode_tps_min, 10.0);
	suite_criteria_for(&s, "m", 19.9, &c);
	ck_assert_double_eq(c.decode_tps_min, 25.0);
	suite_release(&s);

	/* an empty size_classes removes the rule */
	ck_assert_int_eq(load_text("models: all\nsize_classes: {}\n", &s, &err), 0);
	ck_assert_uint_eq(s.n_size_classes, 0);
	suite_criteria_for(&s, "m", 30.0, &c);
	ck_assert_double_eq(c.decode_tps_min, 20.0);
	suite_release(&s);
}
END_TEST

static const char *values_of(const struct suite_knob *k, char *buf, size_t len)
{
	size_t i, off = 0;
	buf[0] = '\0';
	for (i = 0; i < k->n_values; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? "," : "", k->values[i]);
	return buf;
}

static const struct {
	const char *model;
	double params_b;
	const char *want; /* "name=v,v name=v ..." in resolution order */
} knob_cases[] = {
	{ "qwen3-coder:30b", 30.5,
	  "num_ctx=32768,65536 num_batch=256,512 temperature=0,0.7 use_mmap=true,false num_predict=128" },
	{ "gemma3:latest", 4.3,
	  "num_ctx=4096,8192,16384,32768,65536 num_batch=512 temperature=0,0.7 use_mmap=true,false" },
	{ "other:70b", 70,
	  "num_ctx=4096,8192,16384,32768,65536 num_batch=256,512 temperature=0,0.7 use_mmap=true,false" },
};

START_TEST(test_knobs_for)
{
	char *path = source_path("tests/data/suites/good/classes.yaml");
	struct suite s;
	struct suite_error err;
	const struct suite_knob *k[SUITE_KNOBS_MAX];
	char got[512] = "", vals[256];
	size_t n, i, off = 0;

	ck_assert_int_eq(suite_load_file(path, &s, &err), 0);
	n = suite_knobs_for(&s, knob_cases[_i].model, knob_cases[_i].params_b, k, SUITE_KNOBS_MAX);
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(got + off, sizeof(got) - off, "%s%s=%s", i ? " " : "",
					k[i]->name, values_of(k[i], vals, sizeof(vals)));
	ck_assert_str_eq(got, knob_cases[_i].want);
	/* the output is bounded by max */
	ck_assert_uint_eq(suite_knobs_for(&s, knob_cases[_i].model, knob_cases[_i].params_b, k, 2), 2);
	suite_release(&s);
	free(path);
}
END_TEST

/* ---- the handoff's old spellings ------------------------------------------ */

START_TEST(test_handoff_external)
{
	char *path = source_path("tests/data/suites/good/handoff.yaml");
	char want[1024];
	struct suite s;
	struct suite_error err;
	const struct suite_knob *k;

	ck_assert_int_eq(suite_load_file(path, &s, &err), 0);
	ck_assert_uint_eq(s.n_warnings, 2);
	snprintf(want, sizeof(want), "%s:12:3: 'batch' is not an Ollama option (the server would "
		 "ignore it); it became 'num_batch'", path);
	ck_assert_str_eq(s.warnings[0], want);
	snprintf(want, sizeof(want), "%s:13:3: 'f16_kv' was removed from Ollama in v0.7.0; it became "
		 "the server knob 'OLLAMA_KV_CACHE_TYPE: [f16, q8_0]' (true -> f16; false asked for a 32-bit cache, and o3 measures the smaller q8_0 cache instead, today's precision trade-off), "
		 "which needs 'server: {mode: managed}'; ignored in external mode (the running "
		 "server's KV cache type is recorded)", path);
	ck_assert_str_eq(s.warnings[1], want);
	k = suite_knob_find(&s.knobs, "num_batch");
	ck_assert_ptr_nonnull(k);
	ck_assert_uint_eq(k->n_values, 3);
	ck_assert_int_eq(k->ints[1], 16);
	ck_assert_ptr_null(suite_knob_find(&s.knobs, "batch"));
	ck_assert_ptr_null(suite_knob_find(&s.knobs, "f16_kv"));
	ck_assert_ptr_null(suite_knob_find(&s.knobs, "OLLAMA_KV_CACHE_TYPE"));
	ck_assert_uint_eq(s.knobs.n, 3); /* num_ctx, num_batch, num_predict */
	ck_assert_str_eq(s.knobs.items[2].name, "num_predict");
	suite_release(&s);
	free(path);
}
END_TEST

START_TEST(test_handoff_managed)
{
	char *path = source_path("tests/data/suites/good/handoff-managed.yaml");
	char want[1024];
	struct suite s;
	struct suite_error err;
	const struct suite_knob *k;

	ck_assert_int_eq(suite_load_file(path, &s, &err), 0);
	ck_assert_uint_eq(s.n_warnings, 2);
	snprintf(want, sizeof(want), "%s:10:3: 'f16_kv' was removed from Ollama in v0.7.0; it became "
		 "the server knob 'OLLAMA_KV_CACHE_TYPE: [f16, q8_0]' (true -> f16; false asked for a 32-bit cache, and o3 measures the smaller q8_0 cache instead, today's precision trade-off)",
		 path);
	ck_assert_str_eq(s.warnings[1], want);
	k = suite_knob_find(&s.knobs, "OLLAMA_KV_CACHE_TYPE");
	ck_assert_ptr_nonnull(k);
	ck_assert_int_eq(k->kind, SUITE_KNOB_SERVER);
	ck_assert_int_eq(k->type, SUITE_VAL_STRING);
	ck_assert_int_eq(k->from_f16_kv, 1);
	ck_assert_uint_eq(k->n_values, 2);
	ck_assert_str_eq(k->values[0], "f16");
	ck_assert_str_eq(k->values[1], "q8_0");
	ck_assert_int_eq(k->line, 10);
	k = suite_knob_find(&s.knobs, "num_ctx");
	ck_assert_uint_eq(k->n_values, 6);
	ck_assert_int_eq(k->ints[5], 32768);
	k = suite_knob_find(&s.knobs, "OLLAMA_NUM_PARALLEL");
	ck_assert_uint_eq(k->n_values, 2);
	ck_assert_str_eq(s.server.binary, "/opt/ollama/bin/ollama");
	suite_release(&s);
	free(path);

	/* f16_kv: false alone, and both spellings of the KV type at once */
	ck_assert_int_eq(load_text("models: all\nserver: {mode: managed}\nknobs: {f16_kv: false}\n",
				   &s, &err), 0);
	k = suite_knob_find(&s.knobs, "OLLAMA_KV_CACHE_TYPE");
	ck_assert_uint_eq(k->n_values, 1);
	ck_assert_str_eq(k->values[0], "q8_0");
	suite_release(&s);
	ck_assert_int_eq(load_text("models: all\nserver: {mode: managed}\nknobs:\n"
				   "  OLLAMA_KV_CACHE_TYPE: f16\n  f16_kv: true\n", &s, &err), -1);
	ck_assert_str_eq(err.message, "knob 'f16_kv' is 'OLLAMA_KV_CACHE_TYPE' today, which is "
			 "already given at line 4");
	ck_assert_int_eq(err.line, 5);
}
END_TEST

/* ---- knobs from the client's table of options ------------------------- */

/* A suite file with one knob; 0 when it loads, with the knob in *k. */
static int load_knob(const char *name, const char *value, struct suite *s,
		     struct suite_error *err, const struct suite_knob **k)
{
	char text[256];
	snprintf(text, sizeof(text), "models: all\nserver: {mode: managed}\nknobs:\n  %s: %s\n",
		 name, value);
	if (load_text(text, s, err))
		return -1;
	*k = suite_knob_find(&s->knobs, name);
	return 0;
}

/* Every option of the client's table is a knob of its kind, type and range
 * (a list, stop, cannot be swept): the suite reads that table, so an option
 * added there is a knob without a change here. */
START_TEST(test_client_options_are_knobs)
{
	size_t n;
	const struct ollama_option *o = &ollama_options(&n)[_i];
	const struct suite_knob *k = NULL;
	struct suite s;
	struct suite_error err;
	char value[64], bad[64];

	switch (o->type) {
	case OLLAMA_OPT_STRINGS:
		ck_assert_int_ne(load_knob(o->name, "[a]", &s, &err, &k), 0);
		ck_assert_ptr_nonnull(strstr(err.message, "cannot be swept"));
		return;
	case OLLAMA_OPT_BOOL:
		snprintf(value, sizeof(value), "true");
		snprintf(bad, sizeof(bad), "1");
		break;
	case OLLAMA_OPT_INT:
		/* the least value it takes, and one below it */
		if (o->min > -OLLAMA_OPT_NO_BOUND) {
			snprintf(value, sizeof(value), "%.0f", o->min);
			snprintf(bad, sizeof(bad), "%.0f", o->min - 1);
		} else {
			snprintf(value, sizeof(value), "-7");
			bad[0] = '\0';
		}
		break;
	case OLLAMA_OPT_FLOAT:
		/* the largest value it takes, and one above it */
		ck_assert(o->max < OLLAMA_OPT_NO_BOUND);
		snprintf(value, sizeof(value), "%g", o->max);
		snprintf(bad, sizeof(bad), "%g", o->max * 2 + 1);
		break;
	}
	ck_assert_msg(load_knob(o->name, value, &s, &err, &k) == 0, "%s: %s", o->name, err.message);
	ck_assert_ptr_nonnull(k);
	ck_assert_int_eq(k->kind, o->kind == OLLAMA_KNOB_LOAD ? SUITE_KNOB_LOAD : SUITE_KNOB_REQUEST);
	ck_assert_int_eq(k->type, o->type == OLLAMA_OPT_INT ? SUITE_VAL_INT
				  : o->type == OLLAMA_OPT_FLOAT ? SUITE_VAL_FLOAT : SUITE_VAL_BOOL);
	ck_assert_str_eq(k->values[0], value);
	suite_release(&s);
	if (bad[0]) {
		ck_assert_int_ne(load_knob(o->name, bad, &s, &err, &k), 0);
		ck_assert_msg(strstr(err.message, o->name) != NULL, "%s", err.message);
	}
}
END_TEST

/* The server knobs are the suite's own: not Ollama options. */
static const struct {
	const char *name, *value;
} server_knobs[] = {
	{ "OLLAMA_KV_CACHE_TYPE", "q8_0" },
	{ "OLLAMA_FLASH_ATTENTION", "1" },
	{ "OLLAMA_NUM_PARALLEL", "2" },
	{ "OLLAMA_CONTEXT_LENGTH", "32768" },
};

START_TEST(test_server_knobs)
{
	const struct suite_knob *k = NULL;
	struct suite s;
	struct suite_error err;

	ck_assert_ptr_null(ollama_option_find(server_knobs[_i].name));
	ck_assert_msg(load_knob(server_knobs[_i].name, server_knobs[_i].value, &s, &err, &k) == 0,
		      "%s", err.message);
	ck_assert_ptr_nonnull(k);
	ck_assert_int_eq(k->kind, SUITE_KNOB_SERVER);
	ck_assert_str_eq(k->values[0], server_knobs[_i].value);
	suite_release(&s);
}
END_TEST

/* The example in suites/README.md is a valid suite. */
START_TEST(test_readme_example)
{
	char *path = source_path("suites/README.md"), *buf = xmalloc(1 << 16), *start, *end;
	FILE *f = fopen(path, "rb");
	size_t len;
	struct suite s;
	struct suite_error err;

	ck_assert_ptr_nonnull(f);
	len = fread(buf, 1, (1 << 16) - 1, f);
	fclose(f);
	buf[len] = '\0';
	start = strstr(buf, "```yaml\n");
	ck_assert_ptr_nonnull(start);
	start += 8;
	end = strstr(start, "```");
	ck_assert_ptr_nonnull(end);
	ck_assert_msg(suite_load_string("README.md", start, (size_t)(end - start), &s, &err) == 0,
		      "%d:%d: %s", err.line, err.column, err.message);
	ck_assert_uint_eq(s.n_models, 2);
	ck_assert_uint_eq(suite_knob_find(&s.knobs, "num_ctx")->n_values, 4);
	ck_assert_uint_eq(s.n_overrides, 1);
	ck_assert_uint_eq(s.n_warnings, 0);
	/* its regression section is the defaults; its override changes decode alone */
	{
		struct suite_regression r;
		suite_regression_for(&s, "gemma3:latest", 4.3, &r);
		assert_regression_defaults(&r);
		suite_regression_for(&s, "qwen3-coder:30b", 30.5, &r);
		ck_assert_double_eq(r.decode_pct, 3.0);
		r.decode_pct = 5.0;
		assert_regression_defaults(&r);
	}
	suite_release(&s);
	free(buf);
	free(path);
}
END_TEST

/* Every file in tests/data/suites/bad/ is in the table above. */
START_TEST(test_bad_files_listed)
{
	char *dir = source_path("tests/data/suites/bad");
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t i;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		int found = 0;
		if (len < 6 || strcmp(e->d_name + len - 5, ".yaml"))
			continue;
		for (i = 0; i < ARRAY_SIZE(bad_files); i++)
			if (strlen(bad_files[i]) == len - 5 && !strncmp(bad_files[i], e->d_name, len - 5))
				found = 1;
		ck_assert_msg(found, "%s is not in bad_files[]", e->d_name);
	}
	closedir(d);
	free(dir);
}
END_TEST

/* ---- robustness ------------------------------------------------------------ */

/* Every prefix of every shipped and test suite loads or fails cleanly (no
 * crash, no leak under the valgrind setup, an error always has a message). */
START_TEST(test_prefixes)
{
	static const char *const files[] = {
		"suites/default.yaml", "suites/strix-halo-64g.yaml", "suites/smoke.yaml",
		"tests/data/suites/good/classes.yaml", "tests/data/suites/good/handoff-managed.yaml",
		"tests/data/suites/good/regression.yaml",
	};
	size_t f, len, cut, step = getenv("O3_UNDER_VALGRIND") ? 97 : 3;

	for (f = 0; f < ARRAY_SIZE(files); f++) {
		char *path = source_path(files[f]);
		FILE *fp = fopen(path, "rb");
		char *buf = xmalloc(1 << 16);
		ck_assert_ptr_nonnull(fp);
		len = fread(buf, 1, 1 << 16, fp);
		fclose(fp);
		for (cut = 0; cut <= len; cut += step) {
			struct suite s;
			struct suite_error err;
			if (suite_load_string(files[f], buf, cut, &s, &err))
				ck_assert_msg(err.message[0] != '\0', "%s cut at %zu: empty message",
					      files[f], cut);
			suite_release(&s);
		}
		free(buf);
		free(path);
	}
}
END_TEST

START_TEST(test_init_release)
{
	struct suite s;
	suite_init(&s);
	ck_assert_int_eq(s.repetitions, 5);
	ck_assert_uint_eq(s.n_models, 0);
	suite_release(&s);
	suite_release(&s); /* released twice is harmless */
	ck_assert_str_eq(suite_knob_kind_name(SUITE_KNOB_SERVER), "server");
	ck_assert_str_eq(suite_knob_kind_name(SUITE_KNOB_LOAD), "load");
	ck_assert_str_eq(suite_knob_kind_name(SUITE_KNOB_REQUEST), "request");
}
END_TEST

/* A FIFO (or a device) given as the suite would block or never end: refused
 * at once as not a regular file. */
START_TEST(test_fifo_refused)
{
	char dir[] = "/tmp/o3-suite-fifo-XXXXXX", path[64];
	struct suite s;
	struct suite_error err;
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/suite.yaml", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(suite_load_file(path, &s, &err), -1);
	ck_assert_str_eq(err.message, "cannot open: not a regular file");
	unlink(path);
	rmdir(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("suite");
	TCase *tc = tcase_create("suite");
	SRunner *sr;
	int failed;
	size_t n_options;

	tcase_add_loop_test(tc, test_range_good, 0, ARRAY_SIZE(good_ranges));
	tcase_add_loop_test(tc, test_range_bad, 0, ARRAY_SIZE(bad_ranges));
	tcase_add_loop_test(tc, test_bad_file, 0, ARRAY_SIZE(bad_files));
	tcase_add_test(tc, test_fifo_refused);
	tcase_add_loop_test(tc, test_bad_text, 0, ARRAY_SIZE(bad_texts));
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_too_large);
	tcase_add_loop_test(tc, test_shipped, 0, ARRAY_SIZE(shipped));
	tcase_add_test(tc, test_shipped_details);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_values_set);
	tcase_add_loop_test(tc, test_criteria_for, 0, ARRAY_SIZE(crit_cases));
	tcase_add_test(tc, test_default_size_class);
	tcase_add_loop_test(tc, test_knobs_for, 0, ARRAY_SIZE(knob_cases));
	tcase_add_test(tc, test_regression_defaults);
	tcase_add_test(tc, test_regression_full);
	tcase_add_loop_test(tc, test_regression_for, 0, ARRAY_SIZE(reg_cases));
	tcase_add_test(tc, test_handoff_external);
	tcase_add_test(tc, test_handoff_managed);
	ollama_options(&n_options);
	tcase_add_loop_test(tc, test_client_options_are_knobs, 0, (int)n_options);
	tcase_add_loop_test(tc, test_server_knobs, 0, ARRAY_SIZE(server_knobs));
	tcase_add_test(tc, test_readme_example);
	tcase_add_test(tc, test_bad_files_listed);
	tcase_add_test(tc, test_prefixes);
	tcase_add_test(tc, test_init_release);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

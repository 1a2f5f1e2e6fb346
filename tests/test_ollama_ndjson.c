// SPDX-License-Identifier: MIT
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ollama.h"
#include "replay_server.h"

#define MAX_LINES 64

struct lines {
	char *line[MAX_LINES];
	size_t n;
	int fail_at; /* fn fails on this line (1-based); 0 never */
};

static int collect(const char *line, size_t len, void *data)
{
	struct lines *l = data;
	char *s;
	ck_assert_uint_lt(l->n, MAX_LINES);
	ck_assert_ptr_null(memchr(line, '\n', len));
	s = malloc(len + 1);
	memcpy(s, line, len);
	s[len] = '\0';
	l->line[l->n++] = s;
	return l->fail_at && (int)l->n == l->fail_at ? -1 : 0;
}

static void lines_free(struct lines *l)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		free(l->line[i]);
	l->n = 0;
}

/* Feed text cut at the given boundaries; returns finish()'s result. */
static int feed_cut(const char *text, size_t len, const size_t *cuts, size_t ncuts, size_t max,
		    struct lines *out)
{
	struct ollama_ndjson *nd = ollama_ndjson_new(max, collect, out);
	size_t prev = 0, i;
	int r;
	for (i = 0; i <= ncuts; i++) {
		size_t at = i < ncuts ? cuts[i] : len;
		ck_assert_int_eq(ollama_ndjson_feed(nd, text + prev, at - prev), 0);
		prev = at;
	}
	r = ollama_ndjson_finish(nd);
	ollama_ndjson_free(nd);
	return r;
}

/* The reference: the sample's lines, split by hand. */
static size_t expected_lines(const char *text, char ***out)
{
	size_t n = 0;
	const char *p = text;
	char **v = calloc(MAX_LINES, sizeof(*v));
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t k = nl ? (size_t)(nl - p) : strlen(p);
		v[n] = strndup(p, k);
		n++;
		p += k + (nl ? 1 : 0);
	}
	*out = v;
	return n;
}

static void check_same(const struct lines *got, char **want, size_t n)
{
	size_t i;
	ck_assert_uint_eq(got->n, n);
	for (i = 0; i < n; i++)
		ck_assert_str_eq(got->line[i], want[i]);
}

static void free_expected(char **v, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Every single cut point, and every pair of cut points, of the sample. */
START_TEST(test_every_boundary)
{
	size_t len, n, a, b;
	char *text = replay_fixture_read("docs_streaming_generate.ndjson", &len);
	char **want;
	struct lines got = { 0 };

	ck_assert_ptr_nonnull(text);
	n = expected_lines(text, &want);
	ck_assert_uint_eq(n, 7);
	for (a = 0; a <= len; a++) {
		size_t cuts[1] = { a };
		ck_assert_int_eq(feed_cut(text, len, cuts, 1, 1 << 20, &got), 0);
		check_same(&got, want, n);
		lines_free(&got);
	}
	for (a = 0; a <= len; a += 7) {
		for (b = a; b <= len; b += 5) {
			size_t cuts[2] = { a, b };
			ck_assert_int_eq(feed_cut(text, len, cuts, 2, 1 << 20, &got), 0);
			check_same(&got, want, n);
			lines_free(&got);
		}
	}
	free_expected(want, n);
	free(text);
}
END_TEST

START_TEST(test_one_byte_feeds)
{
	size_t len, n, i;
	char *text = replay_fixture_read("docs_errors_midstream_error.ndjson", &len);
	char **want;
	struct lines got = { 0 };
	struct ollama_ndjson *nd = ollama_ndjson_new(4096, collect, &got);

	ck_assert_ptr_nonnull(text);
	n = expected_lines(text, &want);
	for (i = 0; i < len; i++)
		ck_assert_int_eq(ollama_ndjson_feed(nd, text + i, 1), 0);
	ck_assert_int_eq(ollama_ndjson_finish(nd), 0);
	check_same(&got, want, n);
	ollama_ndjson_free(nd);
	lines_free(&got);
	free_expected(want, n);
	free(text);
}
END_TEST

static const struct shape_case {
	const char *text;
	int finish; /* finish()'s result */
	size_t n;
	const char *lines[4];
} shapes[] = {
	{ "{\"a\":1}\r\n{\"b\":2}\r\n", 0, 2, { "{\"a\":1}", "{\"b\":2}" } },
	{ "\n\n{\"a\":1}\n\n\r\n{\"b\":2}\n\n", 0, 2, { "{\"a\":1}", "{\"b\":2}" } },
	{ "{\"a\":1}\n{\"b\":2}", 1, 2, { "{\"a\":1}", "{\"b\":2}" } },
	{ "{\"a\":1}\r\n{\"b\":2}\r", 1, 2, { "{\"a\":1}", "{\"b\":2}" } },
	{ "{\"a\":1}\n\r", 0, 1, { "{\"a\":1}" } },
	{ "", 0, 0, { NULL } },
	{ "\n", 0, 0, { NULL } },
	{ "x", 1, 1, { "x" } },
	{ "a\rb\n", 0, 1, { "a\rb" } },
};

START_TEST(test_shapes)
{
	const struct shape_case *sc = &shapes[_i];
	size_t len = strlen(sc->text), cut, i;
	struct lines got = { 0 };

	/* each shape at every single cut point, the 1-byte feed included */
	for (cut = 0; cut <= len; cut++) {
		size_t cuts[1] = { cut };
		ck_assert_int_eq(feed_cut(sc->text, len, cuts, 1, 64, &got), sc->finish);
		ck_assert_uint_eq(got.n, sc->n);
		for (i = 0; i < sc->n; i++)
			ck_assert_str_eq(got.line[i], sc->lines[i]);
		lines_free(&got);
	}
}
END_TEST

START_TEST(test_line_over_cap)
{
	struct lines got = { 0 };
	struct ollama_ndjson *nd;
	const char *ok8 = "12345678\n";

	/* exactly the cap passes, with or without CR, whole or split */
	nd = ollama_ndjson_new(8, collect, &got);
	ck_assert_int_eq(ollama_ndjson_feed(nd, ok8, 9), 0);
	ck_assert_int_eq(ollama_ndjson_feed(nd, "1234", 4), 0);
	ck_assert_int_eq(ollama_ndjson_feed(nd, "5678\r", 5), 0);
	ck_assert_int_eq(ollama_ndjson_feed(nd, "\n", 1), 0);
	ck_assert_uint_eq(got.n, 2);
	/* one byte more fails: whole in one chunk */
	ck_assert_int_eq(ollama_ndjson_feed(nd, "123456789\n", 10), -1);
	/* and stays failed */
	ck_assert_int_eq(ollama_ndjson_feed(nd, "1\n", 2), -1);
	ck_assert_int_eq(ollama_ndjson_finish(nd), -1);
	ck_assert_uint_eq(got.n, 2);
	ollama_ndjson_free(nd);
	lines_free(&got);

	/* split over chunks, never a newline */
	nd = ollama_ndjson_new(8, collect, &got);
	ck_assert_int_eq(ollama_ndjson_feed(nd, "12345", 5), 0);
	ck_assert_int_eq(ollama_ndjson_feed(nd, "67890", 5), -1);
	ck_assert_uint_eq(got.n, 0);
	ollama_ndjson_free(nd);

	/* 9 bytes pending, the last not a CR: too long at finish */
	nd = ollama_ndjson_new(8, collect, &got);
	ck_assert_int_eq(ollama_ndjson_feed(nd, "123456789", 9), 0);
	ck_assert_int_eq(ollama_ndjson_finish(nd), -1);
	ck_assert_uint_eq(got.n, 0);
	ollama_ndjson_free(nd);
}
END_TEST

START_TEST(test_callback_failure_stops)
{
	struct lines got = { .fail_at = 2 };
	struct ollama_ndjson *nd = ollama_ndjson_new(0, collect, &got);
	ck_assert_int_eq(ollama_ndjson_feed(nd, "a\nb\nc\n", 6), -1);
	ck_assert_uint_eq(got.n, 2);
	ck_assert_int_eq(ollama_ndjson_feed(nd, "d\n", 2), -1);
	ck_assert_uint_eq(got.n, 2);
	ollama_ndjson_free(nd);
	lines_free(&got);
	ollama_ndjson_free(NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ollama_ndjson");
	TCase *tc = tcase_create("ndjson");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_every_boundary);
	tcase_add_test(tc, test_one_byte_feeds);
	tcase_add_loop_test(tc, test_shapes, 0, (int)(sizeof(shapes) / sizeof(shapes[0])));
	tcase_add_test(tc, test_line_over_cap);
	tcase_add_test(tc, test_callback_failure_stops);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

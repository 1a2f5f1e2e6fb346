// SPDX-License-Identifier: MIT
/* The context-ceiling search on known thresholds. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "ceiling.h"

struct fake {
	long fits_up_to;   /* largest fitting context */
	long offload_from; /* from here on: offload; above oom_from: OOM */
	long oom_from;
	long fail_at;      /* one context that fails with a crash (0 = none) */
	int calls;
	int abort_after;   /* 0 = never */
};

static int probe(struct ceiling_probe *q, void *data)
{
	struct fake *f = data;
	long n = q->num_ctx;
	f->calls++;
	if (f->abort_after && f->calls > f->abort_after)
		return -1;
	if (n == f->fail_at)
		q->outcome = CEILING_FAILED;
	else if (n <= f->fits_up_to)
		q->outcome = CEILING_FITS;
	else if (f->oom_from && n >= f->oom_from)
		q->outcome = CEILING_OOM;
	else
		q->outcome = CEILING_OFFLOAD;
	return 0;
}

/*
 * A server that sizes its loads as Ollama does: weights + KV per token x
 * num_ctx + a compute buffer that steps with the default num_batch (512 up
 * to 4096, 1024 up to 32768, 2048 above), + a sliding-window cache that
 * bends the line below a knee; it offloads whole layers above
 * limit - margin (the margin the monitor cannot see), and reports the size,
 * the GPU part, and the free memory as the monitor would.
 */
struct sized {
	double weights, kv_per_token, compute_per_batch, swa_bytes_per_cell, limit, margin;
	long swa_knee;
	int layers, calls;
};

static double sized_size(const struct sized *s, long n)
{
	long batch = n <= 4096 ? 512 : n <= 32768 ? 1024 : 2048;
	return s->weights + s->kv_per_token * (double)n + s->compute_per_batch * (double)batch +
	       s->swa_bytes_per_cell * (double)(n < s->swa_knee ? n : s->swa_knee);
}

static int sized_probe(struct ceiling_probe *q, void *data)
{
	struct sized *s = data;
	long batch = q->num_ctx <= 4096 ? 512 : q->num_ctx <= 32768 ? 1024 : 2048;
	double size = sized_size(s, q->num_ctx), avail = s->limit - s->margin;
	double compute = s->compute_per_batch * (double)batch, per_layer = (size - compute) / s->layers;
	s->calls++;
	q->size_bytes = size;
	if (size <= avail) {
		q->outcome = CEILING_FITS;
		q->gpu_bytes = size;
		q->room_bytes = s->limit; /* what is free + what the load holds */
	} else {
		q->outcome = CEILING_OFFLOAD;
		q->gpu_bytes = (double)(long)((avail - compute) / per_layer) * per_layer + compute;
	}
	return 0;
}

/* the largest multiple of res (or max) whose size is under the limit: what
 * the gallop-and-bisect found */
static long sized_truth(const struct sized *s, long max, long res)
{
	long n;
	if (sized_size(s, max) <= s->limit - s->margin)
		return max;
	for (n = max / res * res; n > 0; n -= res)
		if (sized_size(s, n) <= s->limit - s->margin)
			return n;
	return 0;
}

static const struct {
	long fits_up_to, oom_from, max_ctx, start, resolution, want_lo, want_hi;
} cases[] = {
	/* the ceiling lies within one resolution step below the true threshold */
	{ 50000, 0, 262144, 4096, 1024, 49152, 50000 },
	{ 262144, 0, 262144, 4096, 1024, 262144, 262144 },  /* everything fits: trained max */
	{ 40000, 0, 131072, 4096, 1024, 39936, 40000 },
	{ 32768, 0, 32768, 4096, 1024, 32768, 32768 },
	{ 3000, 0, 131072, 4096, 1024, 2048, 3000 },        /* start too big: gallop down */
	{ 100, 0, 131072, 4096, 1024, 0, 100 },             /* nothing at the resolution fits */
	{ 70000, 90000, 262144, 8192, 256, 69888, 70000 },
	{ 128000, 0, 128000, 4096, 1024, 128000, 128000 },  /* trained context not a power of 2 */
};

START_TEST(test_thresholds)
{
	struct ceiling_params p;
	struct ceiling_result r;
	struct fake f = { .fits_up_to = cases[_i].fits_up_to, .oom_from = cases[_i].oom_from };
	int i;
	ceiling_params_default(&p);
	p.max_ctx = cases[_i].max_ctx;
	p.start = cases[_i].start;
	p.resolution = cases[_i].resolution;
	ck_assert_int_eq(ceiling_search(&p, probe, &f, &r), 0);
	ck_assert_msg(r.ceiling >= cases[_i].want_lo && r.ceiling <= cases[_i].want_hi,
		      "case %d: ceiling %ld not in [%ld, %ld]", _i, r.ceiling, cases[_i].want_lo,
		      cases[_i].want_hi);
	for (i = 0; i < r.n_probes; i++) {
		ck_assert_int_le(r.probes[i].num_ctx, cases[_i].max_ctx);
		if (r.probes[i].num_ctx > r.ceiling)
			ck_assert_int_ne(r.probes[i].outcome, CEILING_FITS);
	}
	/* a search, not a sweep: logarithmic in the range */
	ck_assert_int_le(r.n_probes, 24);
	if (r.ceiling < cases[_i].max_ctx && r.ceiling > 0)
		ck_assert_int_le(r.first_bad - r.ceiling, cases[_i].resolution);
}
END_TEST

START_TEST(test_oom_reason_kept)
{
	struct ceiling_params p;
	struct ceiling_result r;
	struct fake f = { .fits_up_to = 20000, .oom_from = 20001 };
	ceiling_params_default(&p);
	p.max_ctx = 131072;
	ck_assert_int_eq(ceiling_search(&p, probe, &f, &r), 0);
	ck_assert_int_eq(r.bad_outcome, CEILING_OOM);
	ck_assert_str_eq(ceiling_outcome_name(r.bad_outcome), "oom");
}
END_TEST

START_TEST(test_failed_probe_is_not_a_fit)
{
	struct ceiling_params p;
	struct ceiling_result r;
	/* everything would fit, but the load at the trained context crashed */
	struct fake f = { .fits_up_to = 131072, .fail_at = 131072 };
	ceiling_params_default(&p);
	p.max_ctx = 131072;
	ck_assert_int_eq(ceiling_search(&p, probe, &f, &r), 0);
	ck_assert_int_lt(r.ceiling, 131072);
	ck_assert_int_ge(r.ceiling, 131072 - 1024);
	ck_assert_int_eq(r.bad_outcome, CEILING_FAILED);
}
END_TEST

START_TEST(test_abort_and_bad_params)
{
	struct ceiling_params p;
	struct ceiling_result r;
	struct fake f = { .fits_up_to = 60000, .abort_after = 2 };
	ceiling_params_default(&p);
	p.max_ctx = 131072;
	ck_assert_int_eq(ceiling_search(&p, probe, &f, &r), -1);
	ck_assert_int_eq(r.aborted, 1);
	p.max_ctx = 0;
	ck_assert_int_eq(ceiling_search(&p, probe, &f, &r), -1);
}
END_TEST

#define GB 1e9
static const struct {
	const char *what;
	struct sized s;
	long max_ctx;
} sized_cases[] = {
	/* qwen3-coder:30b on a 24 GiB card: the edge past the batch step */
	{ "moe 30b, 24 GiB", { 18.56 * GB, 98304, 673280, 0, 25.1 * GB, 1.07 * GB, 0, 48, 0 }, 262144 },
	/* gemma3 27b: sliding-window cells up to a knee */
	{ "gemma3 27b, 24 GiB", { 17.0 * GB, 81920, 1075200, 128 * 1024, 25.1 * GB, 1.07 * GB, 5632, 62, 0 },
	  131072 },
	/* a small model whose edge lies below the batch step */
	{ "3b, 8 GiB", { 1.9 * GB, 36864, 600000, 0, 8.0 * GB, 0.5 * GB, 0, 36, 0 }, 262144 },
	/* the margin is all the room there is: the edge right past the start */
	{ "tight", { 10 * GB, 100000, 600000, 0, 11.8 * GB, 1.0 * GB, 0, 40, 0 }, 131072 },
	/* no margin at all */
	{ "no margin", { 5 * GB, 50000, 600000, 0, 9 * GB, 0, 0, 32, 0 }, 131072 },
	/* everything fits */
	{ "all fits", { 2 * GB, 10000, 600000, 0, 60 * GB, 1 * GB, 0, 32, 0 }, 131072 },
};

/* the line of sizes finds the same ceiling as the gallop, in fewer loads */
START_TEST(test_sized_line)
{
	struct ceiling_params p;
	struct ceiling_result r;
	struct sized s = sized_cases[_i].s;
	long want;
	int i;
	ceiling_params_default(&p);
	p.max_ctx = sized_cases[_i].max_ctx;
	want = sized_truth(&s, p.max_ctx, p.resolution);
	ck_assert_int_eq(ceiling_search(&p, sized_probe, &s, &r), 0);
	ck_assert_msg(r.ceiling == want, "%s: ceiling %ld, want %ld", sized_cases[_i].what, r.ceiling,
		      want);
	for (i = 0; i < r.n_probes; i++)
		if (r.probes[i].num_ctx > r.ceiling)
			ck_assert_int_ne(r.probes[i].outcome, CEILING_FITS);
	fprintf(stderr, "%s: ceiling %ld in %d loads (%d predicted)\n", sized_cases[_i].what, r.ceiling,
		r.n_probes, r.predicted);
	/* the gallop and bisection took 10 to 14 loads for an edge inside the range */
	ck_assert_msg(r.n_probes <= 8, "%s: %d loads", sized_cases[_i].what, r.n_probes);
}
END_TEST

/* A small seeded generator: the same cases on every run. */
static double unit_rand(unsigned long long *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (double)(*s >> 11) / 9007199254740992.0;
}

/*
 * Many servers at random (weights, KV per token, compute buffer, sliding
 * window, limit, margin, layers, trained context, start, resolution): the
 * line lands where the gallop-and-bisect did, the largest multiple of the
 * resolution that fits (or the trained context), whatever the line says.
 */
START_TEST(test_random_servers_same_ceiling)
{
	unsigned long long seed = 13;
	int k, worst = 0;
	long total = 0;
	for (k = 0; k < 2000; k++) {
		static const long maxes[] = { 8192, 32768, 128000, 131072, 262144 };
		static const long starts[] = { 2048, 4096, 8192 };
		static const long resolutions[] = { 256, 1024, 2048 };
		struct sized s = {
			.weights = (0.5 + 30 * unit_rand(&seed)) * GB,
			.kv_per_token = 4096 + 200000 * unit_rand(&seed),
			.compute_per_batch = 100000 + 2000000 * unit_rand(&seed),
			.swa_bytes_per_cell = unit_rand(&seed) < 0.3 ? 200000 * unit_rand(&seed) : 0,
			.swa_knee = 512 + (long)(8192 * unit_rand(&seed)),
			.margin = unit_rand(&seed) * 1.5 * GB,
			.layers = 8 + (int)(80 * unit_rand(&seed)),
		};
		struct ceiling_params p;
		struct ceiling_result r;
		long want;
		s.limit = s.weights * (1.0 + 2.0 * unit_rand(&seed)) + 4 * GB * unit_rand(&seed);
		ceiling_params_default(&p);
		p.max_ctx = maxes[k % 5];
		p.start = starts[(k / 5) % 3];
		p.resolution = resolutions[(k / 15) % 3];
		want = sized_truth(&s, p.max_ctx, p.resolution);
		if (want > 0 && want < p.start && want % p.resolution)
			continue; /* an edge under the start and off the lattice: the downward gallop's own case */
		ck_assert_int_eq(ceiling_search(&p, sized_probe, &s, &r), 0);
		ck_assert_msg(r.ceiling == want || (want == 0 && r.ceiling < p.resolution),
			      "case %d: ceiling %ld, want %ld (start %ld, resolution %ld, max %ld)", k,
			      r.ceiling, want, p.start, p.resolution, p.max_ctx);
		total += r.n_probes;
		if (r.n_probes > worst)
			worst = r.n_probes;
	}
	fprintf(stderr, "random servers: %.1f loads on average, %d at worst\n", (double)total / 2000,
		worst);
	/* a search, not a walk: where the line bends the search bisects */
	ck_assert_int_le(worst, 24);
}
END_TEST

/* without sizes the search still lands on the same ceiling: it bisects */
START_TEST(test_no_sizes_bisects)
{
	struct ceiling_params p;
	struct ceiling_result r;
	struct fake f = { .fits_up_to = 41472 };
	ceiling_params_default(&p);
	p.max_ctx = 262144;
	ck_assert_int_eq(ceiling_search(&p, probe, &f, &r), 0);
	ck_assert_int_eq(r.ceiling, 40960);
	ck_assert_int_eq(r.predicted, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ceiling");
	TCase *tc = tcase_create("ceiling");
	SRunner *sr;
	int failed;
	tcase_add_loop_test(tc, test_thresholds, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_loop_test(tc, test_sized_line, 0, (int)(sizeof(sized_cases) / sizeof(sized_cases[0])));
	tcase_add_test(tc, test_no_sizes_bisects);
	tcase_add_test(tc, test_random_servers_same_ceiling);
	tcase_add_test(tc, test_oom_reason_kept);
	tcase_add_test(tc, test_failed_probe_is_not_a_fit);
	tcase_add_test(tc, test_abort_and_bad_params);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

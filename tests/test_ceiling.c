// SPDX-License-Identifier: MIT
/* The context-ceiling search on known thresholds. */
#include <check.h>
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

static int probe(long n, enum ceiling_outcome *o, void *data)
{
	struct fake *f = data;
	f->calls++;
	if (f->abort_after && f->calls > f->abort_after)
		return -1;
	if (n == f->fail_at)
		*o = CEILING_FAILED;
	else if (n <= f->fits_up_to)
		*o = CEILING_FITS;
	else if (f->oom_from && n >= f->oom_from)
		*o = CEILING_OOM;
	else
		*o = CEILING_OFFLOAD;
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
	struct fake f = { .fits_up_to = 60000, .fail_at = 32768 };
	ceiling_params_default(&p);
	p.max_ctx = 131072;
	ck_assert_int_eq(ceiling_search(&p, probe, &f, &r), 0);
	ck_assert_int_lt(r.ceiling, 32768);
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

int main(void)
{
	Suite *s = suite_create("ceiling");
	TCase *tc = tcase_create("ceiling");
	SRunner *sr;
	int failed;
	tcase_add_loop_test(tc, test_thresholds, 0, (int)(sizeof(cases) / sizeof(cases[0])));
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

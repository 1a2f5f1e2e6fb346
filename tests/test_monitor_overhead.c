// SPDX-License-Identifier: MIT
/*
 * Benchmark (meson benchmark, not a pass/fail test): does the sampler disturb
 * what a trial measures? A trial-like busy loop (integer work over a buffer
 * the size of a large L2) is timed alone and with the sampler running, in
 * alternation, and the median ratio is printed; also the cost of one sample.
 */
#include "test_monitor_util.h"

#include <stdint.h>
#include <time.h>

#define REPS 7
#define BUF_WORDS (1u << 18) /* 2 MiB of uint64_t */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t work(uint64_t *buf, unsigned rounds)
{
	uint64_t x = 88172645463325252ull, sum = 0;
	unsigned r, i;
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < BUF_WORDS; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[(i * 7919u) & (BUF_WORDS - 1)] += x;
			sum += buf[i];
		}
	}
	return sum;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double timed(uint64_t *buf, unsigned rounds, volatile uint64_t *sink)
{
	uint64_t t0 = now_ns();
	*sink += work(buf, rounds);
	return (double)(now_ns() - t0) / 1e6;
}

static void measure(const char *label, struct monitor_settings *s, uint64_t *buf, unsigned rounds)
{
	double alone[REPS], with[REPS], ratio[REPS];
	volatile uint64_t sink = 0;
	struct monitor *m = monitor_new(s);
	cJSON *sum = NULL;
	double samples = 0;
	int i;

	for (i = 0; i < REPS; i++) {
		alone[i] = timed(buf, rounds, &sink);
		ck_assert_int_eq(monitor_start(m), 0);
		with[i] = timed(buf, rounds, &sink);
		monitor_stop(m, &sum);
		samples += jnum(sum, "samples");
		cJSON_Delete(sum);
		ratio[i] = with[i] / alone[i];
	}
	qsort(alone, REPS, sizeof(double), cmp);
	qsort(with, REPS, sizeof(double), cmp);
	qsort(ratio, REPS, sizeof(double), cmp);
	printf("%-34s alone %.1f ms, with sampler %.1f ms (medians of %d), ratio %.4f "
	       "[min %.4f, max %.4f], %.0f samples per run\n",
	       label, alone[REPS / 2], with[REPS / 2], REPS, ratio[REPS / 2], ratio[0],
	       ratio[REPS - 1], samples / REPS);
	monitor_free(m);
}

START_TEST(bench_overhead)
{
	static char sys[512], proc[512];
	struct monitor_settings s;
	uint64_t *buf = calloc(BUF_WORDS, sizeof(uint64_t));
	const char *nvml = getenv("O3_FAKE_NVML");
	struct monitor *m;
	cJSON *r;
	uint64_t t0;
	unsigned rounds = 1, k;
	int i;

	/* size the loop to about 400 ms */
	while (timed(buf, rounds, &(uint64_t){ 0 }) < 400 && rounds < 4096)
		rounds *= 2;

	fixture(sys, sizeof(sys), "sysfs", "strix-halo-512m");
	fixture(proc, sizeof(proc), "procfs", "strix-halo-512m");
	monitor_settings_default(&s);
	s.sysfs_root = sys;
	s.procfs_root = proc;
	s.nvml_library = nvml ? nvml : NO_NVML;

	m = monitor_new(&s);
	t0 = now_ns();
	for (k = 0; k < 200; k++) {
		monitor_sample_once(m, &r);
		cJSON_Delete(r);
	}
	printf("one sample (amdgpu + fake NVML + procfs, with its JSON): %.1f us\n",
	       (double)(now_ns() - t0) / 1e3 / 200);
	monitor_free(m);

	for (i = 0; i < 2; i++) {
		s.interval_ms = i ? 10 : 100;
		measure(i ? "sampler every 10 ms (stress)" : "sampler every 100 ms (default)", &s, buf, rounds);
	}
	free(buf);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("monitor_overhead");
	TCase *tc = tcase_create("overhead");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, bench_overhead);
	suite_add_tcase(s, tc);
	return run_suite(s);
}

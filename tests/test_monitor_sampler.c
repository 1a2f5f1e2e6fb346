// SPDX-License-Identifier: MIT
/* The sampler thread: peaks over files that change while it runs, the
 * alert, the compact series, the pressure check and the life cycle. */
#include "test_monitor_util.h"

#include <math.h>
#include <time.h>

#define GIB 1073741824.0
#define MIB 1048576.0

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts))
		;
}

/* Wait until the sampler has taken n more samples (CI machines are slow). */
static void wait_samples(struct monitor *m, long n)
{
	long target = monitor_sample_count(m) + n;
	int i;
	for (i = 0; i < 2000 && monitor_sample_count(m) < target; i++)
		sleep_ms(5);
	ck_assert_msg(monitor_sample_count(m) >= target, "the sampler is stuck");
}

static void apu_tree(const char *root)
{
	put(root, "class/drm/card0/device/vendor", "0x1002\n");
	put(root, "class/drm/card0/device/uevent", "DRIVER=amdgpu\nPCI_SLOT_NAME=0000:c5:00.0\n");
	put(root, "class/drm/card0/device/mem_info_vram_total", "536870912\n");
	put(root, "class/drm/card0/device/mem_info_vram_used", "268435456\n");
	put(root, "class/drm/card0/device/mem_info_gtt_total", "51539607552\n");
	put(root, "class/drm/card0/device/mem_info_gtt_used", "0\n");
	put(root, "class/drm/card0/device/gpu_busy_percent", "0\n");
	put(root, "class/drm/card0/device/hwmon/hwmon0/temp1_input", "40000\n");
	put(root, "class/drm/card0/device/hwmon/hwmon0/power1_average", "10000000\n");
	put(root, "meminfo", "MemTotal: 67108864 kB\nMemAvailable: 62914560 kB\n");
}

static void set_num(const char *root, const char *rel, double v)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%.0f\n", v);
	put(root, rel, buf);
}

/* What the simulator does during a trial: memory and temperature change
 * while the sampler runs; the summary must hold exactly the peaks written. */
START_TEST(test_peaks_follow_the_tree)
{
	static const struct { double gtt, temp_mc, busy; } steps[] = {
		{ 10 * GIB, 50000, 20 }, { 30 * GIB, 70000, 99 }, { 45 * GIB, 65000, 97 }, { 20 * GIB, 55000, 5 },
	};
	struct monitor_settings s;
	char root[512];
	struct monitor *m;
	cJSON *sum = NULL;
	const cJSON *t;
	double first_pct = 0, prev = -1, peak_pct;
	size_t i;
	int n;

	scratch_new(root, sizeof(root));
	apu_tree(root);
	monitor_settings_default(&s);
	s.sysfs_root = root;
	s.procfs_root = root;
	s.nvml_library = NO_NVML;
	s.interval_ms = 10;
	m = monitor_new(&s);
	ck_assert_int_eq(monitor_start(m), 0);
	ck_assert_int_eq(monitor_alert_crossed(m, NULL), 0);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		set_num(root, "class/drm/card0/device/mem_info_gtt_used", steps[i].gtt);
		set_num(root, "class/drm/card0/device/hwmon/hwmon0/temp1_input", steps[i].temp_mc);
		set_num(root, "class/drm/card0/device/gpu_busy_percent", steps[i].busy);
		wait_samples(m, 5);
	}
	ck_assert_int_eq(monitor_alert_crossed(m, &first_pct), 1);
	ck_assert_int_eq(monitor_stop(m, &sum), 0);
	ck_assert_ptr_nonnull(sum);

	peak_pct = 100.0 * (48.5 * GIB - (256 * MIB + 3 * GIB)) / (48.5 * GIB);
	ck_assert_double_eq(jnum(sum, "peaks/gtt_used_bytes/value"), 45 * GIB);
	ck_assert_str_eq(jstr(sum, "peaks/gtt_used_bytes/backend"), "amdgpu");
	ck_assert_double_eq(jnum(sum, "peaks/vram_used_bytes/value"), 256 * MIB);
	ck_assert_double_eq(jnum(sum, "peaks/gpu_mem_bytes/value"), 45 * GIB + 256 * MIB);
	ck_assert_double_eq(jnum(sum, "peaks/temp_c/value"), 70);
	ck_assert_double_eq(jnum(sum, "peaks/busy_pct/value"), 99);
	ck_assert_double_eq(jnum(sum, "peaks/power_w/value"), 10);
	ck_assert_str_eq(jstr(sum, "peaks/ram_used_bytes/backend"), "procfs");
	/* never reported: absent, not 0 */
	ck_assert_ptr_null(jget(sum, "peaks/mclk_mhz"));
	ck_assert_ptr_null(jget(sum, "peaks/sclk_mhz"));
	ck_assert_ptr_null(jget(sum, "peaks/runner_rss_bytes"));
	ck_assert_ptr_null(jget(sum, "peaks/ps_size_bytes"));
	ck_assert_ptr_null(jget(sum, "devices"));

	ck_assert_str_eq(jstr(sum, "memory/definition"), "unified_vram_plus_gtt");
	ck_assert_str_eq(jstr(sum, "memory/device"), "card0");
	ck_assert_double_eq(jnum(sum, "memory/capacity_bytes"), 48.5 * GIB);
	ck_assert_double_eq_tol(jnum(sum, "memory/peak_pct"), peak_pct, 0.001);
	ck_assert_double_eq(jnum(sum, "memory/min_headroom_bytes"), 256 * MIB + 3 * GIB);
	ck_assert_double_eq(jnum(sum, "pools/gtt_total_bytes/value"), 48 * GIB);
	ck_assert_double_eq(jnum(sum, "pools/vram_total_bytes/value"), 512 * MIB);
	ck_assert_double_eq(jnum(sum, "pools/ram_total_bytes/value"), 64 * GIB);

	ck_assert(cJSON_IsTrue(jget(sum, "alert/crossed")));
	ck_assert_double_eq(jnum(sum, "alert/level_pct"), 85);
	ck_assert_double_eq_tol(jnum(sum, "alert/value_pct"), peak_pct, 0.001);
	ck_assert_double_eq_tol(first_pct, peak_pct, 0.001);
	ck_assert_double_ge(jnum(sum, "alert/first_ms"), 30); /* two steps of 5 samples at 10 ms */

	ck_assert_double_ge(jnum(sum, "samples"), 20);
	n = cJSON_GetArraySize(jget(sum, "series/t_ms"));
	ck_assert_int_eq(n, (int)jnum(sum, "samples"));
	ck_assert_int_eq(cJSON_GetArraySize(jget(sum, "series/gpu_mem_pct")), n);
	cJSON_ArrayForEach(t, jget(sum, "series/t_ms")) {
		ck_assert_double_ge(t->valuedouble, prev);
		prev = t->valuedouble;
	}
	cJSON_Delete(sum);
	monitor_free(m);
	scratch_free(root);
}
END_TEST

/* A long trial keeps at most MONITOR_SERIES_MAX points, evenly thinned. */
START_TEST(test_series_is_compact)
{
	struct monitor_settings s;
	char root[512];
	struct monitor *m;
	cJSON *sum = NULL;
	double samples, stride;
	int n;

	scratch_new(root, sizeof(root));
	apu_tree(root);
	monitor_settings_default(&s);
	s.sysfs_root = root;
	s.procfs_root = root;
	s.nvml_library = NO_NVML;
	s.interval_ms = 1;
	m = monitor_new(&s);
	ck_assert_int_eq(monitor_start(m), 0);
	wait_samples(m, MONITOR_SERIES_MAX + 200);
	ck_assert_int_eq(monitor_stop(m, &sum), 0);
	samples = jnum(sum, "samples");
	stride = jnum(sum, "series/every_nth_sample");
	n = cJSON_GetArraySize(jget(sum, "series/t_ms"));
	ck_assert_double_gt(samples, MONITOR_SERIES_MAX);
	ck_assert_int_le(n, MONITOR_SERIES_MAX);
	ck_assert_double_ge(stride, 2);
	ck_assert_double_le(fabs(n - samples / stride), 1);
	ck_assert_int_gt(n, MONITOR_SERIES_MAX / 2 - 1);
	cJSON_Delete(sum);

	/* started again: everything starts afresh */
	ck_assert_int_eq(monitor_start(m), 0);
	sleep_ms(30);
	ck_assert_int_eq(monitor_stop(m, &sum), 0);
	ck_assert_double_lt(jnum(sum, "samples"), samples);
	ck_assert(cJSON_IsFalse(jget(sum, "alert/crossed")));
	ck_assert_ptr_null(jget(sum, "alert/first_ms"));
	cJSON_Delete(sum);
	monitor_free(m);
	scratch_free(root);
}
END_TEST

START_TEST(test_life_cycle)
{
	char sys[512], proc[512];
	struct monitor *m;
	cJSON *sum = (cJSON *)1;

	fixture(sys, sizeof(sys), "sysfs", "no-gpu");
	fixture(proc, sizeof(proc), "procfs", "no-gpu");
	m = mon_over(sys, proc, NULL);
	ck_assert_int_eq(monitor_stop(m, &sum), -1);
	ck_assert_ptr_null(sum);
	ck_assert_int_eq(monitor_start(m), 0);
	ck_assert_int_eq(monitor_start(m), -1);
	monitor_free(m); /* stops the running thread itself */
}
END_TEST

static const struct pressure_case {
	const char *machine;
	double limit;
	int want;
	const char *says;
} pressure_cases[] = {
	/* the 512 MB Strix Halo fixture is at 41.753 % of VRAM + GTT */
	{ "strix-halo-512m", 40, 1, "memory use is 41.8% (unified_vram_plus_gtt: 20.25 of 48.50 GiB, 28.25 GiB headroom), at or above the limit 40.0%" },
	{ "strix-halo-512m", 50, 0, "below the limit" },
	{ "strix-halo-512m", 0, 0, "(unified_vram_plus_gtt)" },
	{ "rx7900xtx", 80, 1, "(discrete_vram: " },
	{ "no-gpu", 20, 1, "(system_ram: " },
	{ NULL, 50, 0, "no memory figure could be read" },
};

START_TEST(test_pressure)
{
	const struct pressure_case *c = &pressure_cases[_i];
	struct monitor_settings s;
	char sys[512], proc[512], msg[512];
	struct monitor *m;

	if (c->machine) {
		fixture(sys, sizeof(sys), "sysfs", c->machine);
		fixture(proc, sizeof(proc), "procfs", c->machine);
	} else {
		fixture(sys, sizeof(sys), "sysfs", "no-such-machine");
		fixture(proc, sizeof(proc), "procfs", "no-such-machine");
	}
	monitor_settings_default(&s);
	s.sysfs_root = sys;
	s.procfs_root = proc;
	s.nvml_library = NO_NVML;
	s.limit_pct = c->limit;
	m = monitor_new(&s);
	ck_assert_int_eq(monitor_check_pressure(m, msg, sizeof(msg)), c->want);
	ck_assert_msg(strstr(msg, c->says), "'%s' not in '%s'", c->says, msg);
	monitor_free(m);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("monitor_sampler");
	TCase *tc = tcase_create("sampler");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_peaks_follow_the_tree);
	tcase_add_test(tc, test_series_is_compact);
	tcase_add_test(tc, test_life_cycle);
	tcase_add_loop_test(tc, test_pressure, 0, sizeof(pressure_cases) / sizeof(pressure_cases[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(suite());
}

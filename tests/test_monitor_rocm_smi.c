// SPDX-License-Identifier: MIT
/* The rocm_smi backend: its checks before the load over fake sysfs trees,
 * and the fake rocm-smi-lib (tests/fake_rocm_smi.c) loaded by path. */
#include "test_monitor_util.h"

#include <dlfcn.h>
#include <fcntl.h>

#include "monitor_backend.h"

#define MIB 1048576ll
#define GIB 1073741824ll

static const char *env_path(const char *name)
{
	const char *p = getenv(name);
	ck_assert_msg(p != NULL, "%s is not set (run through meson test)", name);
	return p;
}

/* ---- the checks before the load ----------------------------------------- */

static void link_driver(const char *root, const char *card, const char *driver)
{
	char dir[1024], path[1024], target[256];
	snprintf(dir, sizeof(dir), "class/drm/%s/device/vendor", card);
	put(root, dir, "0x1002\n");
	snprintf(path, sizeof(path), "%s/class/drm/%s/device/driver", root, card);
	snprintf(target, sizeof(target), "../../../bus/pci/drivers/%s", driver);
	ck_assert_int_eq(symlink(target, path), 0);
}

START_TEST(test_precheck_no_kfd_scratch)
{
	char root[512], why[512], want[600];
	scratch_new(root, sizeof(root));
	link_driver(root, "card0", "amdgpu");
	ck_assert_int_eq(monitor_rocm_smi_precheck(root, why, sizeof(why)), -1);
	snprintf(want, sizeof(want), "no %s/class/kfd (no AMD GPU compute driver); library not loaded",
		 root);
	ck_assert_str_eq(why, want);
	scratch_free(root);
}
END_TEST

/* The Strix Halo fixture has its amdgpu card but no kfd class. */
START_TEST(test_precheck_no_kfd_fixture)
{
	char sys[512], why[512];
	fixture(sys, sizeof(sys), "sysfs", "strix-halo-512m");
	ck_assert_int_eq(monitor_rocm_smi_precheck(sys, why, sizeof(why)), -1);
	ck_assert_msg(strstr(why, "/class/kfd (no AMD GPU compute driver)"), "%s", why);
}
END_TEST

START_TEST(test_precheck_no_amdgpu)
{
	char root[512], why[512], want[600];
	scratch_new(root, sizeof(root));
	put(root, "class/kfd/kfd/dev", "240:0\n");
	link_driver(root, "card0", "nvidia");
	put(root, "class/drm/card0-DP-1/status", "connected\n");
	ck_assert_int_eq(monitor_rocm_smi_precheck(root, why, sizeof(why)), -1);
	snprintf(want, sizeof(want), "no amdgpu card under %s/class/drm; library not loaded", root);
	ck_assert_str_eq(why, want);
	scratch_free(root);
}
END_TEST

START_TEST(test_precheck_amdgpu)
{
	char root[512], why[512] = "";
	scratch_new(root, sizeof(root));
	put(root, "class/kfd/kfd/dev", "240:0\n");
	link_driver(root, "card0", "nvidia");
	link_driver(root, "card1", "amdgpu");
	ck_assert_int_eq(monitor_rocm_smi_precheck(root, why, sizeof(why)), 0);
	scratch_free(root);
}
END_TEST

/* ---- the fake library ------------------------------------------------------ */

/* Open the backend with settings naming lib; stderr is captured in err. */
static int open_rsmi(const char *sysfs, const char *lib, void **state, char *why, size_t whylen,
		     char *err, size_t errlen)
{
	char tmpl[] = "/tmp/o3-rsmi-stderr-XXXXXX";
	struct monitor_settings s;
	int fd = mkstemp(tmpl), saved, r;
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	monitor_settings_default(&s);
	s.sysfs_root = sysfs;
	s.rocm_smi_library = lib;
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	why[0] = '\0';
	r = monitor_backend_rocm_smi.open(&s, state, why, whylen);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(fd, err, errlen - 1, 0);
	err[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(tmpl);
	return r;
}

/* The fake's count of rsmi_init calls not shut down, through our own handle
 * (dlopen of the same path gives the same loaded copy). */
static int live(void *handle)
{
	int (*f)(void);
	*(void **)(&f) = dlsym(handle, "fake_rsmi_live");
	ck_assert_ptr_nonnull(f);
	return f();
}

static void check(const struct monitor_device *d, enum monitor_dev_field f, int64_t want)
{
	if (want < 0) {
		ck_assert_msg(d->f[f].backend == NULL, "field %d should be absent", (int)f);
		return;
	}
	ck_assert_msg(d->f[f].backend && !strcmp(d->f[f].backend, "rocm_smi"), "field %d missing",
		      (int)f);
	ck_assert_int_eq(d->f[f].v, want);
}

START_TEST(test_strix_halo)
{
	const char *lib = env_path("O3_FAKE_ROCM_SMI");
	void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL), *st = NULL;
	char why[512], err[256], desc[256];
	struct monitor_sample s;
	const struct monitor_device *d;

	ck_assert_ptr_nonnull(h);
	setenv("O3_FAKE_ROCM_SMI_SCENARIO", "strix_halo", 1);
	ck_assert_int_eq(open_rsmi("/sys", lib, &st, why, sizeof(why), err, sizeof(err)), 0);
	ck_assert_int_eq(live(h), 1);
	monitor_backend_rocm_smi.describe(st, desc, sizeof(desc));
	ck_assert_str_eq(desc, "rsmi0, 0000:c5:00.0");
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(monitor_backend_rocm_smi.sample(st, &s), 0);
	ck_assert_uint_eq(s.n_devices, 1);
	d = &s.dev[0];
	ck_assert_str_eq(d->id, "rsmi0");
	ck_assert_str_eq(d->pci, "0000:c5:00.0");
	check(d, MON_VRAM_USED, 180 * MIB);
	check(d, MON_VRAM_TOTAL, 512 * MIB);
	check(d, MON_GTT_USED, 20 * GIB);
	check(d, MON_GTT_TOTAL, 31 * GIB);
	check(d, MON_TEMP_MC, 52500);
	check(d, MON_POWER_MW, 85123);
	check(d, MON_BUSY_PCT, 97);
	check(d, MON_SCLK_MHZ, -1);
	check(d, MON_MCLK_MHZ, -1);
	ck_assert_int_eq(d->unified, 1);
	ck_assert_str_eq(d->unified_why, "VRAM carve-out 0.50 GiB next to 31.00 GiB GTT");
	monitor_backend_rocm_smi.close(st);
	ck_assert_int_eq(live(h), 0);
	dlclose(h);
}
END_TEST

START_TEST(test_two_gpus)
{
	const char *lib = env_path("O3_FAKE_ROCM_SMI");
	char why[512], err[256], desc[256];
	struct monitor_sample s;
	const struct monitor_device *d;
	void *st = NULL;

	setenv("O3_FAKE_ROCM_SMI_SCENARIO", "two_gpus", 1);
	ck_assert_int_eq(open_rsmi("/sys", lib, &st, why, sizeof(why), err, sizeof(err)), 0);
	monitor_backend_rocm_smi.describe(st, desc, sizeof(desc));
	ck_assert_str_eq(desc, "rsmi0, 0000:c5:00.0; rsmi1, 0001:83:1f.5");
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(monitor_backend_rocm_smi.sample(st, &s), 0);
	ck_assert_uint_eq(s.n_devices, 2);
	d = &s.dev[1];
	ck_assert_str_eq(d->id, "rsmi1");
	ck_assert_str_eq(d->pci, "0001:83:1f.5");
	check(d, MON_VRAM_USED, -1);
	check(d, MON_VRAM_TOTAL, -1);
	check(d, MON_GTT_USED, 1 * GIB);
	check(d, MON_GTT_TOTAL, 8 * GIB);
	check(d, MON_TEMP_MC, 40000);
	check(d, MON_POWER_MW, 5000);
	check(d, MON_BUSY_PCT, 3);
	monitor_backend_rocm_smi.close(st);
}
END_TEST

static const struct fail_case {
	const char *scenario;
	const char *why;
} fail_cases[] = {
	{ "init_error", "rsmi_init: no AMD GPU driver with KFD here (status 8)" },
	{ "permission", "rsmi_init: RSMI_STATUS_PERMISSION: The user ID of the calling process does "
			"not have sufficient permission to execute a command. (status 4)" },
	{ "no_gpu", "no AMD GPU (rsmi_num_monitor_devices = 0)" },
};

START_TEST(test_unavailable)
{
	const struct fail_case *c = &fail_cases[_i];
	const char *lib = env_path("O3_FAKE_ROCM_SMI");
	void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL), *st = NULL;
	char why[512], err[256];

	ck_assert_ptr_nonnull(h);
	setenv("O3_FAKE_ROCM_SMI_SCENARIO", c->scenario, 1);
	ck_assert_int_eq(open_rsmi("/sys", lib, &st, why, sizeof(why), err, sizeof(err)), -1);
	ck_assert_str_eq(why, c->why);
	ck_assert_ptr_null(st);
	/* the library's own complaint at init is not shown */
	ck_assert_msg(!strstr(err, "fake rocm_smi"), "stderr: %s", err);
	ck_assert_int_eq(live(h), 0); /* no_gpu: shut down again */
	dlclose(h);
}
END_TEST

START_TEST(test_missing_library)
{
	char why[512], err[256];
	void *st = NULL;
	ck_assert_int_eq(open_rsmi("/sys", "/nonexistent/librocm_smi64.so.1", &st, why, sizeof(why),
				   err, sizeof(err)), -1);
	ck_assert_str_eq(why, "/nonexistent/librocm_smi64.so.1: cannot open shared object file: "
			      "No such file or directory");
}
END_TEST

START_TEST(test_missing_symbol)
{
	const char *lib = env_path("O3_FAKE_ROCM_SMI_NO_BUSY");
	char why[512], err[256], want[1024];
	void *st = NULL;

	setenv("O3_FAKE_ROCM_SMI_SCENARIO", "strix_halo", 1);
	ck_assert_int_eq(open_rsmi("/sys", lib, &st, why, sizeof(why), err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: undefined symbol: rsmi_dev_busy_percent_get", lib);
	ck_assert_str_eq(why, want);
}
END_TEST

/* The environment names the library when the settings do not. */
START_TEST(test_env_override)
{
	char why[512], err[256], desc[256];
	void *st = NULL;

	setenv("O3_FAKE_ROCM_SMI_SCENARIO", "strix_halo", 1);
	setenv("O3_ROCM_SMI_LIBRARY", env_path("O3_FAKE_ROCM_SMI"), 1);
	ck_assert_int_eq(open_rsmi("/sys", NULL, &st, why, sizeof(why), err, sizeof(err)), 0);
	unsetenv("O3_ROCM_SMI_LIBRARY");
	monitor_backend_rocm_smi.describe(st, desc, sizeof(desc));
	ck_assert_str_eq(desc, "rsmi0, 0000:c5:00.0");
	monitor_backend_rocm_smi.close(st);
}
END_TEST

/* Another sysfs root: off, even with a named library. */
START_TEST(test_other_sysfs_root)
{
	char sys[512], why[512], err[256], want[1024];
	void *st = NULL;

	fixture(sys, sizeof(sys), "sysfs", "strix-halo-512m");
	ck_assert_int_eq(open_rsmi(sys, env_path("O3_FAKE_ROCM_SMI"), &st, why, sizeof(why), err,
				   sizeof(err)), -1);
	snprintf(want, sizeof(want), "reads only the real /sys, not the sysfs root '%s'", sys);
	ck_assert_str_eq(why, want);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("monitor_rocm_smi");
	TCase *tc = tcase_create("rocm_smi");
	tcase_add_test(tc, test_precheck_no_kfd_scratch);
	tcase_add_test(tc, test_precheck_no_kfd_fixture);
	tcase_add_test(tc, test_precheck_no_amdgpu);
	tcase_add_test(tc, test_precheck_amdgpu);
	tcase_add_test(tc, test_strix_halo);
	tcase_add_test(tc, test_two_gpus);
	tcase_add_loop_test(tc, test_unavailable, 0, sizeof(fail_cases) / sizeof(fail_cases[0]));
	tcase_add_test(tc, test_missing_library);
	tcase_add_test(tc, test_missing_symbol);
	tcase_add_test(tc, test_env_override);
	tcase_add_test(tc, test_other_sysfs_root);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(suite());
}

// SPDX-License-Identifier: MIT
/* The backends over the five fake machines of fixtures/sysfs and
 * fixtures/procfs, the fake NVML library, and malformed or missing files. */
#include "test_monitor_util.h"

#include "monitor_backend.h"

#define GIB 1073741824.0
#define MIB 1048576.0

static const char *fake_nvml(void)
{
	const char *p = getenv("O3_FAKE_NVML");
	ck_assert_msg(p != NULL, "O3_FAKE_NVML is not set (run through meson test)");
	return p;
}

/* ---- the five machines ------------------------------------------------- */

static const struct machine {
	const char *name;
	int nvml;                /* load the fake NVML (scenario h200) */
	const char *available;   /* backends expected to start, in list order */
	const char *definition;
	const char *device, *pci, *detected;
	double used, capacity, headroom;
	double temp_c, sclk, mclk, power_w, busy; /* -1 = must be absent */
} machines[] = {
	{ "strix-halo-512m", 0, "amdgpu procfs", "unified_vram_plus_gtt", "card0", "0000:c5:00.0",
	  "carve-out", 256 * MIB + 20 * GIB, 512 * MIB + 48 * GIB, 256 * MIB + 28 * GIB,
	  52, 2900, 800, 85, 97 },
	{ "strix-halo-96g", 0, "amdgpu procfs", "unified_vram_plus_gtt", "card1", "0000:c5:00.0",
	  "gpu_metrics format 3", 256 * MIB + 10 * GIB, 96 * GIB + 16 * GIB,
	  96 * GIB - 256 * MIB + 6 * GIB, 38, 600, -1, 12, 0 },
	{ "rx7900xtx", 0, "amdgpu procfs", "discrete_vram", "card1", "0000:03:00.0",
	  "gpu_metrics format 1", 21000000000.0, 25753026560.0, 25753026560.0 - 21000000000.0,
	  61, 2500, 1250, 312, 99 },
	{ "nvidia-only", 1, "nvml procfs", "discrete_vram", "nvml0", "00000000:00:06.0", NULL,
	  0, 150754820096.0, 150754820096.0, 40, 375, 3201, 116.694, 0 },
	{ "no-gpu", 0, "procfs", "system_ram", NULL, NULL, NULL,
	  (16384000.0 - 12000000.0) * 1024, 16384000.0 * 1024, 12000000.0 * 1024, -1, -1, -1, -1, -1 },
};

static void check_field(const cJSON *dev, const char *name, double want)
{
	const cJSON *v = dev ? jget(dev, name) : NULL;
	if (want < 0) {
		ck_assert_msg(v == NULL, "%s should be absent", name);
		return;
	}
	ck_assert_msg(cJSON_IsNumber(v), "%s missing", name);
	ck_assert_double_eq_tol(v->valuedouble, want, 1e-6);
}

START_TEST(test_machine)
{
	const struct machine *c = &machines[_i];
	char sys[512], proc[512], *list, want[64], *tok, *save = NULL;
	struct monitor *m;
	cJSON *r = NULL;
	const cJSON *dev;

	setenv("O3_FAKE_NVML_SCENARIO", "h200", 1);
	fixture(sys, sizeof(sys), "sysfs", c->name);
	fixture(proc, sizeof(proc), "procfs", c->name);
	m = mon_over(sys, proc, c->nvml ? fake_nvml() : NULL);
	list = backends_text(m);
	snprintf(want, sizeof(want), "%s", c->available);
	for (tok = strtok_r(want, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char line[64];
		snprintf(line, sizeof(line), "%s: available", tok);
		ck_assert_msg(strstr(list, line), "%s: '%s' not in:\n%s", c->name, line, list);
	}
	ck_assert_int_eq(monitor_available_count(m), 1 + (strchr(c->available, ' ') != NULL));
	ck_assert_int_eq(monitor_sample_once(m, &r), 0);

	ck_assert_str_eq(jstr(r, "memory/definition"), c->definition);
	ck_assert_double_eq_tol(jnum(r, "memory/used_bytes"), c->used, 0.5);
	ck_assert_double_eq_tol(jnum(r, "memory/capacity_bytes"), c->capacity, 0.5);
	ck_assert_double_eq_tol(jnum(r, "memory/headroom_bytes"), c->headroom, 0.5);
	ck_assert_double_eq_tol(jnum(r, "memory/pct"),
				100.0 * (c->capacity - c->headroom) / c->capacity, 0.001);
	dev = jget(r, "devices/0");
	if (!c->device) {
		ck_assert_ptr_null(dev);
	} else {
		ck_assert_str_eq(jstr(dev, "id"), c->device);
		ck_assert_str_eq(jstr(dev, "pci"), c->pci);
		ck_assert_str_eq(jstr(r, "memory/device"), c->device);
		if (c->detected)
			ck_assert_msg(strstr(jstr(r, "memory/detected_by"), c->detected),
				      "detected_by '%s'", jstr(r, "memory/detected_by"));
		ck_assert_ptr_null(jget(r, "devices/1"));
	}
	check_field(dev, "temp_c", c->temp_c);
	check_field(dev, "sclk_mhz", c->sclk);
	check_field(dev, "mclk_mhz", c->mclk);
	check_field(dev, "power_w", c->power_w);
	check_field(dev, "busy_pct", c->busy);
	cJSON_Delete(r);
	free(list);
	monitor_free(m);
}
END_TEST

/* The runner of the Strix Halo fixture: llama-server (v0.30+) under
 * "ollama serve"; a foreign llama-server beside it is not counted; its three
 * DRM fds hold two clients (fd 3 and 4 are the same client). */
START_TEST(test_runner_fixture)
{
	char sys[512], proc[512];
	struct monitor *m;
	cJSON *r = NULL;

	fixture(sys, sizeof(sys), "sysfs", "strix-halo-512m");
	fixture(proc, sizeof(proc), "procfs", "strix-halo-512m");
	m = mon_over(sys, proc, NULL);
	ck_assert_int_eq(monitor_sample_once(m, &r), 0);
	ck_assert_double_eq(jnum(r, "runner/pid"), 1200);
	ck_assert_double_eq(jnum(r, "runner/count"), 1);
	ck_assert_double_eq(jnum(r, "runner/rss_bytes"), 1048576.0 * 1024);
	ck_assert_double_eq(jnum(r, "runner/hwm_bytes"), 1572864.0 * 1024);
	ck_assert_double_eq(jnum(r, "runner/gpu_vram_bytes"), 5348.0 * 1024);
	ck_assert_double_eq(jnum(r, "runner/gpu_gtt_bytes"), (20971520.0 + 1024) * 1024);
	ck_assert_double_eq(jnum(r, "system/ram_total_bytes"), 66584576.0 * 1024);
	ck_assert_double_eq(jnum(r, "system/ram_available_bytes"), 41943040.0 * 1024);
	ck_assert_ptr_null(jget(r, "ollama_ps"));
	cJSON_Delete(r);
	monitor_free(m);
}
END_TEST

/* ---- NVML through the fake library -------------------------------------- */

static const struct nvml_case {
	const char *scenario;
	int available;
	const char *why;         /* in the unavailable line, or the available description */
	const char *definition;
	double used, temp_c, sclk, power_w, busy;
} nvml_cases[] = {
	/* v2 with 0x02000028: used excludes the 644939776 reserved bytes (H200) */
	{ "h200", 1, "NVIDIA H200, 00000000:00:06.0)", "discrete_vram", 0, 40, 375, 116.694, 0 },
	{ "busy", 1, "NVIDIA H200", "discrete_vram", 130000000000.0, 71, 1980, 612.345, 98 },
	/* v2 refused: v1, whose used includes the reservation */
	{ "old_driver", 1, "memory v1", "discrete_vram", 644939776.0, 40, 375, 116.694, 0 },
	{ "unified", 1, "no framebuffer", "unified_system_ram", (263941212.0 - 250000000.0) * 1024,
	  40, 375, 116.694, 0 },
	{ "init_fail", 0, "nvml: unavailable: nvmlInit: Driver Not Loaded (9)", "system_ram", -1, -1, -1, -1, -1 },
	{ "no_gpu", 0, "nvml: unavailable: no NVIDIA GPU", "system_ram", -1, -1, -1, -1, -1 },
};

START_TEST(test_nvml)
{
	const struct nvml_case *c = &nvml_cases[_i];
	char sys[512], proc[512], *list;
	struct monitor *m;
	cJSON *r = NULL;

	setenv("O3_FAKE_NVML_SCENARIO", c->scenario, 1);
	fixture(sys, sizeof(sys), "sysfs", "nvidia-only");
	fixture(proc, sizeof(proc), "procfs", "nvidia-only");
	m = mon_over(sys, proc, fake_nvml());
	list = backends_text(m);
	ck_assert_msg(strstr(list, c->why), "'%s' not in:\n%s", c->why, list);
	ck_assert_int_eq(strstr(list, "nvml: available") != NULL, c->available);
	ck_assert_int_eq(monitor_sample_once(m, &r), 0);
	ck_assert_str_eq(jstr(r, "memory/definition"), c->definition);
	if (c->available) {
		ck_assert_str_eq(jstr(r, "devices/0/name"), "NVIDIA H200");
		ck_assert_double_eq_tol(jnum(r, "memory/used_bytes"), c->used, 0.5);
		ck_assert_double_eq_tol(jnum(r, "devices/0/temp_c"), c->temp_c, 1e-9);
		ck_assert_double_eq_tol(jnum(r, "devices/0/sclk_mhz"), c->sclk, 1e-9);
		ck_assert_double_eq_tol(jnum(r, "devices/0/mclk_mhz"), 3201, 1e-9);
		ck_assert_double_eq_tol(jnum(r, "devices/0/power_w"), c->power_w, 1e-9);
		ck_assert_double_eq_tol(jnum(r, "devices/0/busy_pct"), c->busy, 1e-9);
	} else {
		ck_assert_ptr_null(jget(r, "devices/0"));
	}
	cJSON_Delete(r);
	free(list);
	monitor_free(m);
}
END_TEST

START_TEST(test_nvml_missing_library)
{
	char sys[512], proc[512], *list;
	struct monitor *m;

	fixture(sys, sizeof(sys), "sysfs", "nvidia-only");
	fixture(proc, sizeof(proc), "procfs", "nvidia-only");
	m = mon_over(sys, proc, NULL);
	list = backends_text(m);
	ck_assert_msg(strstr(list, "nvml: unavailable: " NO_NVML ": cannot open shared object file"),
		      "%s", list);
	ck_assert_msg(strstr(list, "amdgpu: unavailable: no amdgpu card under") &&
		      strstr(list, "(card0: vendor 0x10de, driver nvidia)"), "%s", list);
	free(list);
	monitor_free(m);
}
END_TEST

/* NVML's per-process memory is matched with the runner found in /proc. */
START_TEST(test_nvml_runner_memory)
{
	static const char cmd[] = "/usr/local/bin/ollama\0runner\0--model\0/m\0--port\0401";
	char sys[512], proc[512];
	struct monitor *m;
	cJSON *r = NULL;

	setenv("O3_FAKE_NVML_SCENARIO", "busy", 1);
	setenv("O3_FAKE_NVML_PID", "4242", 1);
	scratch_new(proc, sizeof(proc));
	put(proc, "meminfo", "MemTotal: 1000000 kB\nMemAvailable: 500000 kB\n");
	put_bytes(proc, "4242/cmdline", cmd, sizeof(cmd));
	put(proc, "4242/stat", "4242 (ollama) S 77 4242 4242 0 -1\n");
	put(proc, "4242/status", "Name:\tollama\nVmHWM:\t 3000 kB\nVmRSS:\t 2000 kB\n");
	fixture(sys, sizeof(sys), "sysfs", "nvidia-only");
	m = mon_over(sys, proc, fake_nvml());
	ck_assert_int_eq(monitor_sample_once(m, &r), 0);
	ck_assert_double_eq(jnum(r, "runner/pid"), 4242);
	ck_assert_double_eq(jnum(r, "runner/gpu_mem_bytes"), 120000000000.0);
	ck_assert_double_eq(jnum(r, "runner/rss_bytes"), 2000.0 * 1024);
	cJSON_Delete(r);
	monitor_free(m);
	scratch_free(proc);
}
END_TEST

/* ---- amdgpu: malformed and missing files ------------------------------- */

static const struct { const char *rel, *content; } base_card[] = {
	{ "class/drm/card0/device/vendor", "0x1002\n" },
	{ "class/drm/card0/device/device", "0x1586\n" },
	{ "class/drm/card0/device/uevent", "DRIVER=amdgpu\nPCI_SLOT_NAME=0000:c5:00.0\n" },
	{ "class/drm/card0/device/mem_info_vram_total", "536870912\n" },
	{ "class/drm/card0/device/mem_info_vram_used", "268435456\n" },
	{ "class/drm/card0/device/mem_info_gtt_total", "51539607552\n" },
	{ "class/drm/card0/device/mem_info_gtt_used", "21474836480\n" },
	{ "class/drm/card0/device/gpu_busy_percent", "97\n" },
	{ "class/drm/card0/device/pp_dpm_sclk", "0: 600Mhz\n1: 2100Mhz *\n2: 2900Mhz\n" },
	{ "class/drm/card0/device/pp_dpm_mclk", "0: 400Mhz\n1: 800Mhz *\n" },
	{ "class/drm/card0/device/hwmon/hwmon3/temp1_input", "52000\n" },
	{ "class/drm/card0/device/hwmon/hwmon3/power1_average", "85000000\n" },
	{ "class/drm/card0/device/hwmon/hwmon3/power1_input", "87000000\n" },
	{ "class/drm/card0/device/hwmon/hwmon3/freq1_input", "2900000000\n" },
	{ "meminfo", "MemTotal: 66584576 kB\nMemAvailable: 41943040 kB\n" },
};

#define HW "class/drm/card0/device/hwmon/hwmon3/"
#define DEV "class/drm/card0/device/"
static const struct amd_case {
	const char *what;
	const char *rel;     /* file to change */
	const char *content; /* NULL = delete it */
	const char *field;   /* reading field under test (in devices/0) */
	double want;         /* -1 = absent */
	const char *unavailable; /* the backend must not start; text of the reason */
} amd_cases[] = {
	{ "as written", NULL, NULL, "vram_used_bytes", 268435456, NULL },
	{ "letters", DEV "mem_info_vram_used", "abc\n", "vram_used_bytes", -1, NULL },
	{ "empty file", DEV "mem_info_vram_used", "", "vram_used_bytes", -1, NULL },
	{ "negative", DEV "mem_info_gtt_used", "-5\n", "gtt_used_bytes", -1, NULL },
	{ "trailing junk", DEV "mem_info_gtt_used", "123abc\n", "gtt_used_bytes", -1, NULL },
	{ "overflow", DEV "mem_info_gtt_total", "99999999999999999999999\n", "gtt_total_bytes", -1, NULL },
	{ "no newline", DEV "gpu_busy_percent", "42", "busy_pct", 42, NULL },
	{ "missing busy", DEV "gpu_busy_percent", NULL, "busy_pct", -1, NULL },
	{ "missing temp", HW "temp1_input", NULL, "temp_c", -1, NULL },
	{ "temp still read", HW "power1_average", NULL, "temp_c", 52, NULL },
	{ "power1_input when no average", HW "power1_average", NULL, "power_w", 87, NULL },
	{ "power average first", HW "power1_input", NULL, "power_w", 85, NULL },
	{ "sclk from pp_dpm_sclk", HW "freq1_input", NULL, "sclk_mhz", 2100, NULL },
	{ "sclk from hwmon first", NULL, NULL, "sclk_mhz", 2900, NULL },
	{ "mclk from pp_dpm_mclk", NULL, NULL, "mclk_mhz", 800, NULL },
	{ "no current level", DEV "pp_dpm_mclk", "0: 400Mhz\n1: 800Mhz\n", "mclk_mhz", -1, NULL },
	{ "garbled level", DEV "pp_dpm_mclk", "0: fast *\n", "mclk_mhz", -1, NULL },
	{ "deep-sleep line", DEV "pp_dpm_mclk", "S: 100Mhz\n0: 400Mhz *\n", "mclk_mhz", 400, NULL },
	{ "wrong vendor", DEV "vendor", "0x10de\n", NULL, -1, "card0: vendor 0x10de, driver amdgpu" },
	{ "radeon driver", DEV "uevent", "DRIVER=radeon\n", NULL, -1, "card0: vendor 0x1002, driver radeon" },
	{ "no vendor file", DEV "vendor", NULL, NULL, -1, "card0: vendor unknown" },
};

START_TEST(test_amdgpu_files)
{
	const struct amd_case *c = &amd_cases[_i];
	char root[512], *list;
	struct monitor *m;
	cJSON *r = NULL;
	size_t k;

	scratch_new(root, sizeof(root));
	for (k = 0; k < sizeof(base_card) / sizeof(base_card[0]); k++)
		put(root, base_card[k].rel, base_card[k].content);
	put(root, "class/drm/card0-eDP-1/status", "connected\n");
	if (c->rel && c->content)
		put(root, c->rel, c->content);
	else if (c->rel)
		drop(root, c->rel);
	m = mon_over(root, root, NULL);
	list = backends_text(m);
	if (c->unavailable) {
		ck_assert_msg(strstr(list, "amdgpu: unavailable") && strstr(list, c->unavailable),
			      "%s: %s", c->what, list);
	} else {
		ck_assert_msg(strstr(list, "amdgpu: available (card0, 0000:c5:00.0)"), "%s", list);
		const cJSON *dev;
		monitor_sample_once(m, &r);
		dev = jget(r, "devices/0");
		ck_assert_ptr_nonnull(dev);
		if (c->want < 0)
			ck_assert_msg(jget(dev, c->field) == NULL, "%s: %s should be absent",
				      c->what, c->field);
		else
			ck_assert_double_eq_tol(jnum(dev, c->field), c->want, 1e-9);
	}
	cJSON_Delete(r);
	free(list);
	monitor_free(m);
	scratch_free(root);
}
END_TEST

START_TEST(test_amdgpu_no_drm)
{
	char root[512], *list;
	struct monitor *m;

	scratch_new(root, sizeof(root));
	put(root, "meminfo", "MemTotal: 1000 kB\n");
	m = mon_over(root, root, NULL);
	list = backends_text(m);
	ck_assert_msg(strstr(list, "amdgpu: unavailable: no ") && strstr(list, "/class/drm (no GPU driver loaded)"),
		      "%s", list);
	ck_assert_msg(strstr(list, "rocm_smi: unavailable"), "%s", list);
	free(list);
	monitor_free(m);
	scratch_free(root);
}
END_TEST

/* ---- what "GPU memory" means ------------------------------------------ */

static const struct {
	double vram, gtt;
	int metrics, want;
} apu_cases[] = {
	{ 512 * MIB, 48 * GIB, -1, 1 },  /* Strix Halo, small carve-out */
	{ 96 * GIB, 16 * GIB, 3, 1 },    /* big carve-out: only the driver's flag tells */
	{ 96 * GIB, 16 * GIB, -1, 0 },
	{ 24 * GIB, 32 * GIB, 1, 0 },    /* RX 7900 XTX */
	{ 4 * GIB, 16 * GIB, -1, 1 },
	{ 4 * GIB, 15 * GIB, -1, 0 },    /* GTT under 4x VRAM */
	{ 512 * MIB, 4 * GIB, -1, 0 },   /* GTT under 8 GiB */
	{ -1, -1, 2, 1 },
	{ -1, -1, -1, 0 },
};

START_TEST(test_apu_detection)
{
	char why[128];
	ck_assert_int_eq(monitor_memory_amd_unified((int64_t)apu_cases[_i].vram, (int64_t)apu_cases[_i].gtt,
						    apu_cases[_i].metrics, why, sizeof(why)),
			 apu_cases[_i].want);
	ck_assert_int_gt((int)strlen(why), 0);
}
END_TEST

static const struct mem_case {
	int unified;
	double vu, vt, gu, gt, ram_total, ram_avail; /* -1 = absent */
	const char *definition;
	double used, capacity, headroom;
} mem_cases[] = {
	/* GTT headroom bounded by MemAvailable (other programs took the RAM) */
	{ 1, 256 * MIB, 512 * MIB, 20 * GIB, 48 * GIB, 64 * GIB, 4 * GIB, "unified_vram_plus_gtt",
	  256 * MIB + 20 * GIB, 512 * MIB + 48 * GIB, 256 * MIB + 4 * GIB },
	/* GTT capacity bounded by MemTotal */
	{ 1, 0, 512 * MIB, 1 * GIB, 96 * GIB, 64 * GIB, 60 * GIB, "unified_vram_plus_gtt",
	  1 * GIB, 512 * MIB + 64 * GIB, 512 * MIB + 60 * GIB },
	/* without RAM figures GTT alone bounds it */
	{ 1, 256 * MIB, 512 * MIB, 20 * GIB, 48 * GIB, -1, -1, "unified_vram_plus_gtt",
	  256 * MIB + 20 * GIB, 512 * MIB + 48 * GIB, 256 * MIB + 28 * GIB },
	{ 0, 20 * GIB, 24 * GIB, 1 * GIB, 32 * GIB, 64 * GIB, 1 * GIB, "discrete_vram",
	  20 * GIB, 24 * GIB, 4 * GIB },
	/* used past total (driver accounting): no negative headroom */
	{ 0, 25 * GIB, 24 * GIB, -1, -1, -1, -1, "discrete_vram", 25 * GIB, 24 * GIB, 0 },
	/* unified without GTT figures (NVIDIA without framebuffer): RAM */
	{ 1, -1, -1, -1, -1, 128 * GIB, 100 * GIB, "unified_system_ram", 28 * GIB, 128 * GIB, 100 * GIB },
	{ 0, -1, 24 * GIB, -1, -1, 64 * GIB, 1 * GIB, NULL, 0, 0, 0 },
};

static void setv(struct monitor_value *v, double x)
{
	if (x >= 0)
		monitor_value_set(v, (int64_t)x, "test");
}

START_TEST(test_memory_math)
{
	const struct mem_case *c = &mem_cases[_i];
	struct monitor_sample s;
	struct monitor_device *d;
	struct monitor_memory mem;

	memset(&s, 0, sizeof(s));
	d = monitor_sample_device(&s, "card0", "0000:c5:00.0", "test");
	d->unified = c->unified;
	setv(&d->f[MON_VRAM_USED], c->vu);
	setv(&d->f[MON_VRAM_TOTAL], c->vt);
	setv(&d->f[MON_GTT_USED], c->gu);
	setv(&d->f[MON_GTT_TOTAL], c->gt);
	setv(&s.sys[MON_RAM_TOTAL], c->ram_total);
	setv(&s.sys[MON_RAM_AVAIL], c->ram_avail);
	if (!c->definition) {
		ck_assert_int_eq(monitor_memory_of_device(d, s.sys, &mem), -1);
		return;
	}
	ck_assert_int_eq(monitor_memory_of_device(d, s.sys, &mem), 0);
	ck_assert_str_eq(mem.definition, c->definition);
	ck_assert_double_eq_tol((double)mem.used_bytes, c->used, 0.5);
	ck_assert_double_eq_tol((double)mem.capacity_bytes, c->capacity, 0.5);
	ck_assert_double_eq_tol((double)mem.headroom_bytes, c->headroom, 0.5);
	ck_assert_double_eq_tol(mem.pct, 100.0 * (c->capacity - c->headroom) / c->capacity, 1e-9);
	/* the same device in a sample: it is the figure */
	ck_assert_int_eq(monitor_memory_of_sample(&s, &mem), 0);
	ck_assert_int_eq(mem.device, 0);
}
END_TEST

/* Two backends seeing one card (same PCI address) make one device; the
 * first one's figures win and the second only fills gaps. */
START_TEST(test_merge_by_pci)
{
	struct monitor_sample s;
	struct monitor_device *a, *b;

	memset(&s, 0, sizeof(s));
	a = monitor_sample_device(&s, "card0", "0000:c5:00.0", "amdgpu");
	monitor_value_set(&a->f[MON_TEMP_MC], 50000, "amdgpu");
	b = monitor_sample_device(&s, "rsmi0", "0000:c5:00.0", "rocm_smi");
	ck_assert_ptr_eq(a, b);
	monitor_value_set(&b->f[MON_TEMP_MC], 99000, "rocm_smi");
	monitor_value_set(&b->f[MON_POWER_MW], 40000, "rocm_smi");
	ck_assert_int_eq(a->f[MON_TEMP_MC].v, 50000);
	ck_assert_str_eq(a->f[MON_TEMP_MC].backend, "amdgpu");
	ck_assert_str_eq(a->f[MON_POWER_MW].backend, "rocm_smi");
	ck_assert_ptr_ne(monitor_sample_device(&s, "nvml0", "", "nvml"), a);
	ck_assert_uint_eq(s.n_devices, 2);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("monitor_backends");
	TCase *tc = tcase_create("backends");
	tcase_add_loop_test(tc, test_machine, 0, sizeof(machines) / sizeof(machines[0]));
	tcase_add_test(tc, test_runner_fixture);
	tcase_add_loop_test(tc, test_nvml, 0, sizeof(nvml_cases) / sizeof(nvml_cases[0]));
	tcase_add_test(tc, test_nvml_missing_library);
	tcase_add_test(tc, test_nvml_runner_memory);
	tcase_add_loop_test(tc, test_amdgpu_files, 0, sizeof(amd_cases) / sizeof(amd_cases[0]));
	tcase_add_test(tc, test_amdgpu_no_drm);
	tcase_add_loop_test(tc, test_apu_detection, 0, sizeof(apu_cases) / sizeof(apu_cases[0]));
	tcase_add_loop_test(tc, test_memory_math, 0, sizeof(mem_cases) / sizeof(mem_cases[0]));
	tcase_add_test(tc, test_merge_by_pci);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(suite());
}

// SPDX-License-Identifier: MIT
/*
 * rocm-smi-lib loaded with dlopen (like NVML): no header, no build
 * dependency, and no libstdc++ in processes that never open it. Before the
 * load, cheap checks spare it on machines without an AMD GPU: it reads only
 * the real /sys, which needs /sys/class/kfd and an amdgpu card under
 * /sys/class/drm. A named library (settings or O3_ROCM_SMI_LIBRARY) skips
 * the kfd/drm check. Init failure, zero devices, a missing library or symbol
 * mean unavailable; the library's stderr noise at init is not shown. Clocks
 * are left to the amdgpu backend: 5.2.3's pp_dpm parser can assert() on a
 * line it does not know (monitoring.md 1.8), which would abort o3.
 */
#include <dlfcn.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "monitor.h"
#include "monitor_backend.h"
#include "util.h"
#include "banned.h"

/*
 * The types and values o3 uses, checked against Debian 12's
 * /usr/include/rocm_smi/rocm_smi.h (librocm-smi-dev 5.2.3-2):
 * rsmi_status_t is an enum whose RSMI_STATUS_UNKNOWN_ERROR = 0xFFFFFFFF makes
 * it unsigned int; SUCCESS = 0 and INIT_ERROR = 8 (the ninth member after
 * INVALID_ARGS, NOT_SUPPORTED, FILE_ERROR, PERMISSION, OUT_OF_RESOURCES,
 * INTERNAL_EXCEPTION, INPUT_OUT_OF_BOUNDS). rsmi_memory_type_t: VRAM 0,
 * VIS_VRAM 1, GTT 2; rsmi_temperature_type_t EDGE 0 (passed as uint32_t, as
 * the prototype has it); rsmi_temperature_metric_t CURRENT 0. The prototypes
 * below are the header's, with the enums spelled as unsigned int.
 */
typedef unsigned int rsmi_status_t;
enum { RSMI_STATUS_SUCCESS = 0, RSMI_STATUS_INIT_ERROR = 8 };
enum { RSMI_MEM_TYPE_VRAM = 0, RSMI_MEM_TYPE_VIS_VRAM = 1, RSMI_MEM_TYPE_GTT = 2 };
enum { RSMI_TEMP_TYPE_EDGE = 0 };
enum { RSMI_TEMP_CURRENT = 0 };

struct rsmi_api {
	rsmi_status_t (*init)(uint64_t init_flags);
	rsmi_status_t (*shut_down)(void);
	rsmi_status_t (*status_string)(rsmi_status_t status, const char **text);
	rsmi_status_t (*num_monitor_devices)(uint32_t *n);
	rsmi_status_t (*pci_id_get)(uint32_t dv, uint64_t *bdfid);
	rsmi_status_t (*memory_usage_get)(uint32_t dv, unsigned int mem_type, uint64_t *used);
	rsmi_status_t (*memory_total_get)(uint32_t dv, unsigned int mem_type, uint64_t *total);
	rsmi_status_t (*temp_metric_get)(uint32_t dv, uint32_t sensor_type, unsigned int metric,
					 int64_t *temperature);
	rsmi_status_t (*power_ave_get)(uint32_t dv, uint32_t sensor_ind, uint64_t *microwatts);
	rsmi_status_t (*busy_percent_get)(uint32_t dv, uint32_t *busy_percent);
};

struct rsmi_state {
	void *lib;
	struct rsmi_api api;
	uint32_t n;
	char pci[MONITOR_MAX_DEVICES][32];
	char id[MONITOR_MAX_DEVICES][32];
};

#define RSMI_DEFAULT_LIBRARY "librocm_smi64.so.1"
#define RSMI_DEV_LIBRARY "librocm_smi64.so"

/* The library the settings or O3_ROCM_SMI_LIBRARY name; NULL = none. */
static const char *named_library(const struct monitor_settings *s)
{
	const char *env = getenv("O3_ROCM_SMI_LIBRARY");
	if (s->rocm_smi_library && *s->rocm_smi_library)
		return s->rocm_smi_library;
	if (env && *env)
		return env;
	return NULL;
}

/* An amdgpu card under root/class/drm: cardN/device/driver links to amdgpu. */
static int has_amdgpu_card(const char *drm)
{
	struct dirent *e;
	int found = 0;
	DIR *d = opendir(drm);

	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		char path[1024], target[1024];
		const char *base;
		ssize_t n;
		int k;

		if (strncmp(e->d_name, "card", 4) || strchr(e->d_name, '-'))
			continue;
		k = snprintf(path, sizeof(path), "%s/%s/device/driver", drm, e->d_name);
		if (k < 0 || (size_t)k >= sizeof(path))
			continue;
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		base = strrchr(target, '/');
		found = !strcmp(base ? base + 1 : target, "amdgpu");
	}
	closedir(d);
	return found;
}

int monitor_rocm_smi_precheck(const char *sysfs_root, char *why, size_t whylen)
{
	char path[1024];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/class/kfd", sysfs_root);
	if (stat(path, &sb) != 0) {
		snprintf(why, whylen, "no %s (no AMD GPU compute driver); library not loaded", path);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/class/drm", sysfs_root);
	if (!has_amdgpu_card(path)) {
		snprintf(why, whylen, "no amdgpu card under %s; library not loaded", path);
		return -1;
	}
	return 0;
}

static int load(struct rsmi_state *st, const char *named, char *why, size_t whylen)
{
	struct rsmi_api *a = &st->api;
	const char *e;

	if (named) {
		st->lib = dlopen(named, RTLD_NOW | RTLD_LOCAL);
	} else {
		st->lib = dlopen(RSMI_DEFAULT_LIBRARY, RTLD_NOW | RTLD_LOCAL);
		if (!st->lib)
			st->lib = dlopen(RSMI_DEV_LIBRARY, RTLD_NOW | RTLD_LOCAL);
	}
	if (!st->lib) {
		e = dlerror();
		snprintf(why, whylen, "%s", e ? e : named ? named : RSMI_DEFAULT_LIBRARY);
		return -1;
	}
	/* dlsym returns void *; POSIX guarantees it converts to a function pointer. */
#define NEED(field, name) do { \
		dlerror(); \
		*(void **)(&a->field) = dlsym(st->lib, name); \
		if (!a->field) { \
			e = dlerror(); \
			snprintf(why, whylen, "%s", e ? e : "no symbol " name); \
			return -1; \
		} \
	} while (0)
	NEED(init, "rsmi_init");
	NEED(shut_down, "rsmi_shut_down");
	NEED(status_string, "rsmi_status_string");
	NEED(num_monitor_devices, "rsmi_num_monitor_devices");
	NEED(pci_id_get, "rsmi_dev_pci_id_get");
	NEED(memory_usage_get, "rsmi_dev_memory_usage_get");
	NEED(memory_total_get, "rsmi_dev_memory_total_get");
	NEED(temp_metric_get, "rsmi_dev_temp_metric_get");
	NEED(power_ave_get, "rsmi_dev_power_ave_get");
	NEED(busy_percent_get, "rsmi_dev_busy_percent_get");
#undef NEED
	return 0;
}

/* Run rsmi_init with stderr sent to /dev/null (it prints on failure). */
static rsmi_status_t quiet_init(const struct rsmi_api *a)
{
	rsmi_status_t r;
	int saved, devnull;

	fflush(stderr);
	saved = dup(STDERR_FILENO);
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (saved >= 0 && devnull >= 0)
		dup2(devnull, STDERR_FILENO);
	r = a->init(0);
	if (saved >= 0 && devnull >= 0)
		dup2(saved, STDERR_FILENO);
	if (saved >= 0)
		close(saved);
	if (devnull >= 0)
		close(devnull);
	return r;
}

static const char *status_text(const struct rsmi_api *a, rsmi_status_t r)
{
	const char *s = NULL;
	if (a->status_string(r, &s) != RSMI_STATUS_SUCCESS || !s)
		return "unknown error";
	return s;
}

static int rsmi_open(const struct monitor_settings *s, void **state, char *why, size_t whylen)
{
	const char *named = named_library(s);
	struct rsmi_state *st;
	rsmi_status_t r;
	uint32_t n = 0, i;

	if (strcmp(s->sysfs_root, "/sys")) {
		snprintf(why, whylen, "reads only the real /sys, not the sysfs root '%s'", s->sysfs_root);
		return -1;
	}
	if (!named && monitor_rocm_smi_precheck("/sys", why, whylen))
		return -1;
	st = xcalloc(1, sizeof(*st));
	if (load(st, named, why, whylen))
		goto fail;
	r = quiet_init(&st->api);
	if (r != RSMI_STATUS_SUCCESS) {
		if (r == RSMI_STATUS_INIT_ERROR)
			snprintf(why, whylen, "rsmi_init: no AMD GPU driver with KFD here (status %u)", r);
		else
			snprintf(why, whylen, "rsmi_init: %s (status %u)", status_text(&st->api, r), r);
		goto fail;
	}
	if (st->api.num_monitor_devices(&n) != RSMI_STATUS_SUCCESS || n == 0) {
		snprintf(why, whylen, "no AMD GPU (rsmi_num_monitor_devices = 0)");
		st->api.shut_down();
		goto fail;
	}
	for (i = 0; i < n && i < MONITOR_MAX_DEVICES; i++) {
		uint64_t bdf = 0;
		snprintf(st->id[i], sizeof(st->id[i]), "rsmi%u", (unsigned)i);
		/* BDFID: domain << 32 | bus << 8 | device << 3 | function */
		if (st->api.pci_id_get(i, &bdf) == RSMI_STATUS_SUCCESS)
			snprintf(st->pci[i], sizeof(st->pci[i]), "%04x:%02x:%02x.%x",
				 (unsigned)((bdf >> 32) & 0xffff), (unsigned)((bdf >> 8) & 0xff),
				 (unsigned)((bdf >> 3) & 0x1f), (unsigned)(bdf & 0x7));
	}
	st->n = i;
	*state = st;
	return 0;
fail:
	if (st->lib)
		dlclose(st->lib);
	free(st);
	return -1;
}

static void rsmi_describe(void *state, char *out, size_t outlen)
{
	struct rsmi_state *st = state;
	size_t len = 0;
	uint32_t i;
	out[0] = '\0';
	for (i = 0; i < st->n && len < outlen; i++) {
		int k = snprintf(out + len, outlen - len, "%s%s%s%s", i ? "; " : "", st->id[i],
				 st->pci[i][0] ? ", " : "", st->pci[i]);
		if (k < 0)
			break;
		len += (size_t)k;
	}
}

static int rsmi_sample(void *state, struct monitor_sample *out)
{
	struct rsmi_state *st = state;
	const struct rsmi_api *a = &st->api;
	unsigned got = 0;
	uint32_t i;

	for (i = 0; i < st->n; i++) {
		struct monitor_device *d = monitor_sample_device(out, st->id[i], st->pci[i], "rocm_smi");
		uint64_t u64;
		int64_t temp;
		uint32_t busy;

		if (!d)
			break;
		if (a->memory_usage_get(i, RSMI_MEM_TYPE_VRAM, &u64) == RSMI_STATUS_SUCCESS)
			monitor_value_set(&d->f[MON_VRAM_USED], (int64_t)u64, "rocm_smi"), got++;
		if (a->memory_total_get(i, RSMI_MEM_TYPE_VRAM, &u64) == RSMI_STATUS_SUCCESS)
			monitor_value_set(&d->f[MON_VRAM_TOTAL], (int64_t)u64, "rocm_smi"), got++;
		if (a->memory_usage_get(i, RSMI_MEM_TYPE_GTT, &u64) == RSMI_STATUS_SUCCESS)
			monitor_value_set(&d->f[MON_GTT_USED], (int64_t)u64, "rocm_smi"), got++;
		if (a->memory_total_get(i, RSMI_MEM_TYPE_GTT, &u64) == RSMI_STATUS_SUCCESS)
			monitor_value_set(&d->f[MON_GTT_TOTAL], (int64_t)u64, "rocm_smi"), got++;
		if (a->temp_metric_get(i, RSMI_TEMP_TYPE_EDGE, RSMI_TEMP_CURRENT, &temp) ==
		    RSMI_STATUS_SUCCESS)
			monitor_value_set(&d->f[MON_TEMP_MC], temp, "rocm_smi"), got++;
		/* microwatts */
		if (a->power_ave_get(i, 0, &u64) == RSMI_STATUS_SUCCESS)
			monitor_value_set(&d->f[MON_POWER_MW], (int64_t)(u64 / 1000), "rocm_smi"), got++;
		if (a->busy_percent_get(i, &busy) == RSMI_STATUS_SUCCESS)
			monitor_value_set(&d->f[MON_BUSY_PCT], busy, "rocm_smi"), got++;
		if (d->unified < 0) {
			const struct monitor_value *vt = &d->f[MON_VRAM_TOTAL], *gt = &d->f[MON_GTT_TOTAL];
			d->unified = monitor_memory_amd_unified(vt->backend ? vt->v : -1,
								gt->backend ? gt->v : -1, -1,
								d->unified_why, sizeof(d->unified_why));
		}
	}
	return got ? 0 : -1;
}

static void rsmi_close(void *state)
{
	struct rsmi_state *st = state;
	st->api.shut_down();
	dlclose(st->lib);
	free(st);
}

const struct monitor_backend monitor_backend_rocm_smi = {
	.name = "rocm_smi",
	.open = rsmi_open,
	.describe = rsmi_describe,
	.sample = rsmi_sample,
	.close = rsmi_close,
};

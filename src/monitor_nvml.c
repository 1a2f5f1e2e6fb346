// SPDX-License-Identifier: MIT
/*
 * NVML loaded with dlopen, no NVIDIA headers (the nvtop pattern,
 * monitoring.md section 4). Memory with nvmlDeviceGetMemoryInfo_v2 and its
 * real version constant (sizeof | 2 << 24 = 0x02000028; nvtop's "2" gets
 * FUNCTION_NOT_FOUND on a real driver), falling back to v1.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"
#include "monitor_backend.h"
#include "util.h"
#include "banned.h"

typedef int nvmlReturn_t;
typedef struct nvmlDevice_st *nvmlDevice_t;

typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef struct {
	unsigned int version;
	unsigned long long total, reserved, free, used;
} nvmlMemory_v2_t;
#define NVML_MEMORY_V2_VERSION ((unsigned int)(sizeof(nvmlMemory_v2_t) | (2u << 24)))
typedef struct { unsigned int gpu, memory; } nvmlUtilization_t;
typedef struct {
	unsigned int pid;
	unsigned long long usedGpuMemory;
	unsigned int gpuInstanceId, computeInstanceId;
} nvmlProcessInfo_t; /* the layout of _v2 and _v3 */
/* nvmlPciInfo_t: busIdLegacy[16], domain, bus, device, pciDeviceId,
 * pciSubSystemId, busId[32]; read through a roomy buffer. */
#define NVML_PCI_BUSID_OFFSET 36

enum { NVML_SUCCESS = 0, NVML_ERROR_NOT_SUPPORTED = 3, NVML_ERROR_INSUFFICIENT_SIZE = 7 };
enum { NVML_CLOCK_GRAPHICS = 0, NVML_CLOCK_SM = 1, NVML_CLOCK_MEM = 2 };
#define NVML_TEMPERATURE_GPU 0
#define NVML_VALUE_NOT_AVAILABLE_ULL (~0ull)

struct nvml_api {
	nvmlReturn_t (*init)(void);
	nvmlReturn_t (*shutdown)(void);
	const char *(*error_string)(nvmlReturn_t);
	nvmlReturn_t (*get_count)(unsigned int *);
	nvmlReturn_t (*get_handle)(unsigned int, nvmlDevice_t *);
	nvmlReturn_t (*get_name)(nvmlDevice_t, char *, unsigned int);
	nvmlReturn_t (*get_pci)(nvmlDevice_t, void *);
	nvmlReturn_t (*mem_v1)(nvmlDevice_t, nvmlMemory_t *);
	nvmlReturn_t (*mem_v2)(nvmlDevice_t, nvmlMemory_v2_t *);
	nvmlReturn_t (*temp)(nvmlDevice_t, int, unsigned int *);
	nvmlReturn_t (*clock)(nvmlDevice_t, int, unsigned int *);
	nvmlReturn_t (*power)(nvmlDevice_t, unsigned int *);
	nvmlReturn_t (*util)(nvmlDevice_t, nvmlUtilization_t *);
	nvmlReturn_t (*procs)(nvmlDevice_t, unsigned int *, nvmlProcessInfo_t *);
};

struct nvml_gpu {
	nvmlDevice_t handle;
	char id[32], pci[32], name[96];
	int use_v2;   /* 1 while the v2 memory call works */
	int unified;  /* no framebuffer: memory NOT_SUPPORTED or total 0 */
};

struct nvml_state {
	void *lib;
	struct nvml_api api;
	char lib_name[256];
	unsigned n;
	struct nvml_gpu gpu[MONITOR_MAX_DEVICES];
	nvmlProcessInfo_t procs[MONITOR_MAX_PROCS];
};

/* The first of names that the library exports. */
static void *sym(void *lib, const char *const *names)
{
	for (; *names; names++) {
		void *p = dlsym(lib, *names);
		if (p)
			return p;
	}
	return NULL;
}

#define NAMES(...) ((const char *const[]){ __VA_ARGS__, NULL })

static int resolve(struct nvml_state *st, char *why, size_t whylen)
{
	struct nvml_api *a = &st->api;
	/* dlsym returns void *; POSIX guarantees it converts to a function pointer. */
#define NEED(field, ...) do { \
		*(void **)(&a->field) = sym(st->lib, NAMES(__VA_ARGS__)); \
		if (!a->field) { \
			snprintf(why, whylen, "%s: no symbol %s", st->lib_name, \
				 NAMES(__VA_ARGS__)[0]); \
			return -1; \
		} \
	} while (0)
#define WANT(field, ...) (*(void **)(&a->field) = sym(st->lib, NAMES(__VA_ARGS__)))
	NEED(init, "nvmlInit_v2", "nvmlInit");
	NEED(shutdown, "nvmlShutdown");
	NEED(error_string, "nvmlErrorString");
	NEED(get_count, "nvmlDeviceGetCount_v2", "nvmlDeviceGetCount");
	NEED(get_handle, "nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByIndex");
	NEED(mem_v1, "nvmlDeviceGetMemoryInfo");
	WANT(mem_v2, "nvmlDeviceGetMemoryInfo_v2");
	WANT(get_name, "nvmlDeviceGetName");
	WANT(get_pci, "nvmlDeviceGetPciInfo_v3");
	WANT(temp, "nvmlDeviceGetTemperature");
	WANT(clock, "nvmlDeviceGetClockInfo");
	WANT(power, "nvmlDeviceGetPowerUsage");
	WANT(util, "nvmlDeviceGetUtilizationRates");
	/* _v2 and _v3 share the 24-byte nvmlProcessInfo_t; v1 differs, so no v1. */
	WANT(procs, "nvmlDeviceGetComputeRunningProcesses_v3",
	     "nvmlDeviceGetComputeRunningProcesses_v2");
#undef NEED
#undef WANT
	return 0;
}

static const char *library_name(const struct monitor_settings *s)
{
	const char *env = getenv("O3_NVML_LIBRARY");
	if (s->nvml_library)
		return s->nvml_library;
	if (env && *env)
		return env;
	return "libnvidia-ml.so.1";
}

static void gpu_setup(struct nvml_state *st, struct nvml_gpu *g, unsigned idx)
{
	union { char raw[512]; unsigned int align; } pci;
	nvmlMemory_v2_t m2;
	nvmlMemory_t m1;
	nvmlReturn_t r;

	snprintf(g->id, sizeof(g->id), "nvml%u", idx);
	if (st->api.get_name && st->api.get_name(g->handle, g->name, sizeof(g->name)) != NVML_SUCCESS)
		g->name[0] = '\0';
	g->name[sizeof(g->name) - 1] = '\0';
	memset(&pci, 0, sizeof(pci));
	if (st->api.get_pci && st->api.get_pci(g->handle, pci.raw) == NVML_SUCCESS) {
		pci.raw[NVML_PCI_BUSID_OFFSET + 31] = '\0';
		o3_strlcpy(g->pci, pci.raw + NVML_PCI_BUSID_OFFSET, sizeof(g->pci));
	}
	g->use_v2 = 0;
	if (st->api.mem_v2) {
		memset(&m2, 0, sizeof(m2));
		m2.version = NVML_MEMORY_V2_VERSION;
		r = st->api.mem_v2(g->handle, &m2);
		if (r == NVML_SUCCESS)
			g->use_v2 = 1;
	}
	r = st->api.mem_v1(g->handle, &m1);
	g->unified = (r == NVML_ERROR_NOT_SUPPORTED) || (r == NVML_SUCCESS && m1.total == 0);
}

static int nvml_open(const struct monitor_settings *s, void **state, char *why, size_t whylen)
{
	struct nvml_state *st = xcalloc(1, sizeof(*st));
	unsigned int count = 0, i;
	nvmlReturn_t r;

	o3_strlcpy(st->lib_name, library_name(s), sizeof(st->lib_name));
	st->lib = dlopen(st->lib_name, RTLD_NOW | RTLD_LOCAL);
	if (!st->lib) {
		const char *e = dlerror();
		snprintf(why, whylen, "%s", e ? e : st->lib_name);
		free(st);
		return -1;
	}
	if (resolve(st, why, whylen))
		goto fail;
	r = st->api.init();
	if (r != NVML_SUCCESS) {
		snprintf(why, whylen, "nvmlInit: %s (%d)", st->api.error_string(r), r);
		goto fail;
	}
	r = st->api.get_count(&count);
	if (r != NVML_SUCCESS || count == 0) {
		snprintf(why, whylen, "%s", r != NVML_SUCCESS ? st->api.error_string(r) : "no NVIDIA GPU");
		st->api.shutdown();
		goto fail;
	}
	for (i = 0; i < count && st->n < MONITOR_MAX_DEVICES; i++) {
		struct nvml_gpu *g = &st->gpu[st->n];
		if (st->api.get_handle(i, &g->handle) != NVML_SUCCESS)
			continue;
		gpu_setup(st, g, i);
		st->n++;
	}
	if (!st->n) {
		snprintf(why, whylen, "no NVIDIA GPU could be opened");
		st->api.shutdown();
		goto fail;
	}
	*state = st;
	return 0;
fail:
	dlclose(st->lib);
	free(st);
	return -1;
}

static void nvml_describe(void *state, char *out, size_t outlen)
{
	struct nvml_state *st = state;
	size_t len = 0;
	unsigned i;
	out[0] = '\0';
	for (i = 0; i < st->n && len < outlen; i++) {
		const struct nvml_gpu *g = &st->gpu[i];
		int n = snprintf(out + len, outlen - len, "%s%s, %s%s%s%s", i ? "; " : "", g->id,
				 g->name[0] ? g->name : "NVIDIA GPU", g->pci[0] ? ", " : "", g->pci,
				 g->unified ? ", no framebuffer (unified memory)" :
				 g->use_v2 ? "" : ", memory v1 (the v2 call failed)");
		if (n < 0)
			break;
		len += (size_t)n;
	}
}

static void sample_procs(struct nvml_state *st, struct nvml_gpu *g, struct monitor_device *d)
{
	unsigned int n = MONITOR_MAX_PROCS, i;
	if (!st->api.procs || st->api.procs(g->handle, &n, st->procs) != NVML_SUCCESS)
		return;
	for (i = 0; i < n && d->n_procs < MONITOR_MAX_PROCS; i++) {
		if (st->procs[i].usedGpuMemory == NVML_VALUE_NOT_AVAILABLE_ULL)
			continue;
		d->procs[d->n_procs].pid = st->procs[i].pid;
		d->procs[d->n_procs].bytes = (int64_t)st->procs[i].usedGpuMemory;
		d->n_procs++;
	}
}

static int nvml_sample(void *state, struct monitor_sample *out)
{
	struct nvml_state *st = state;
	unsigned i, got = 0;

	for (i = 0; i < st->n; i++) {
		struct nvml_gpu *g = &st->gpu[i];
		struct monitor_device *d = monitor_sample_device(out, g->id, g->pci, "nvml");
		unsigned int v;
		nvmlUtilization_t u;

		if (!d)
			break;
		if (!d->name[0])
			o3_strlcpy(d->name, g->name, sizeof(d->name));
		if (g->unified) {
			d->unified = 1;
			o3_strlcpy(d->unified_why, "NVML reports no dedicated framebuffer",
				   sizeof(d->unified_why));
		} else {
			d->unified = 0;
			if (g->use_v2) {
				nvmlMemory_v2_t m2;
				memset(&m2, 0, sizeof(m2));
				m2.version = NVML_MEMORY_V2_VERSION;
				if (st->api.mem_v2(g->handle, &m2) == NVML_SUCCESS) {
					monitor_value_set(&d->f[MON_VRAM_USED], (int64_t)m2.used, "nvml");
					monitor_value_set(&d->f[MON_VRAM_TOTAL], (int64_t)m2.total, "nvml");
					got++;
				}
			} else {
				nvmlMemory_t m1;
				if (st->api.mem_v1(g->handle, &m1) == NVML_SUCCESS) {
					monitor_value_set(&d->f[MON_VRAM_USED], (int64_t)m1.used, "nvml");
					monitor_value_set(&d->f[MON_VRAM_TOTAL], (int64_t)m1.total, "nvml");
					got++;
				}
			}
		}
		if (st->api.temp && st->api.temp(g->handle, NVML_TEMPERATURE_GPU, &v) == NVML_SUCCESS)
			monitor_value_set(&d->f[MON_TEMP_MC], (int64_t)v * 1000, "nvml"), got++;
		if (st->api.clock && st->api.clock(g->handle, NVML_CLOCK_SM, &v) == NVML_SUCCESS)
			monitor_value_set(&d->f[MON_SCLK_MHZ], v, "nvml"), got++;
		if (st->api.clock && st->api.clock(g->handle, NVML_CLOCK_MEM, &v) == NVML_SUCCESS)
			monitor_value_set(&d->f[MON_MCLK_MHZ], v, "nvml"), got++;
		if (st->api.power && st->api.power(g->handle, &v) == NVML_SUCCESS)
			monitor_value_set(&d->f[MON_POWER_MW], v, "nvml"), got++;
		if (st->api.util && st->api.util(g->handle, &u) == NVML_SUCCESS)
			monitor_value_set(&d->f[MON_BUSY_PCT], u.gpu, "nvml"), got++;
		sample_procs(st, g, d);
	}
	return got ? 0 : -1;
}

static void nvml_close(void *state)
{
	struct nvml_state *st = state;
	st->api.shutdown();
	dlclose(st->lib);
	free(st);
}

const struct monitor_backend monitor_backend_nvml = {
	.name = "nvml",
	.open = nvml_open,
	.describe = nvml_describe,
	.sample = nvml_sample,
	.close = nvml_close,
};

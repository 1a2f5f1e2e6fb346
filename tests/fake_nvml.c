// SPDX-License-Identifier: MIT
/*
 * A fake libnvidia-ml for tests: the same symbols as NVML, answering from a
 * table. The default values are the real H200 readings in
 * fixtures/replay/nvidia-h200/nvml.txt. O3_FAKE_NVML_SCENARIO picks a case:
 *   h200        (default) as the real card, idle
 *   busy        130 GB of 150 GB used (past 85 %), one compute process whose
 *               pid is O3_FAKE_NVML_PID (default 4242), 120 GB
 *   old_driver  nvmlDeviceGetMemoryInfo_v2 always fails (FUNCTION_NOT_FOUND)
 *   unified     no framebuffer: memory calls return NOT_SUPPORTED
 *   init_fail   nvmlInit_v2 returns DRIVER_NOT_LOADED
 *   no_gpu      zero devices
 * As on the real driver, the v2 memory call only accepts the version
 * sizeof(nvmlMemory_v2_t) | 2 << 24 (0x02000028); "2" gets 13.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

typedef int nvmlReturn_t;
typedef struct nvmlDevice_st *nvmlDevice_t;
typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef struct { unsigned int version; unsigned long long total, reserved, free, used; } nvmlMemory_v2_t;
typedef struct { unsigned int gpu, memory; } nvmlUtilization_t;
typedef struct { unsigned int pid; unsigned long long usedGpuMemory;
		 unsigned int gpuInstanceId, computeInstanceId; } nvmlProcessInfo_t;
typedef struct { char busIdLegacy[16]; unsigned int domain, bus, device, pciDeviceId, pciSubSystemId;
		 char busId[32]; } nvmlPciInfo_t;

struct nvmlDevice_st { int index; };
static struct nvmlDevice_st the_gpu = { 0 };

enum { OK = 0, UNINITIALIZED = 1, INVALID_ARGUMENT = 2, NOT_SUPPORTED = 3,
       INSUFFICIENT_SIZE = 7, DRIVER_NOT_LOADED = 9, FUNCTION_NOT_FOUND = 13 };

#define TOTAL 150754820096ull
#define RESERVED 644939776ull

static const char *scenario(void)
{
	const char *s = getenv("O3_FAKE_NVML_SCENARIO");
	return s && *s ? s : "h200";
}

static int is(const char *name)
{
	return !strcmp(scenario(), name);
}

static int initialised;

EXPORT nvmlReturn_t nvmlInit_v2(void);
EXPORT nvmlReturn_t nvmlShutdown(void);
EXPORT const char *nvmlErrorString(nvmlReturn_t r);
EXPORT nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *n);
EXPORT nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int i, nvmlDevice_t *d);
EXPORT nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t d, char *name, unsigned int len);
EXPORT nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t d, nvmlPciInfo_t *p);
EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t *m);
EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t d, nvmlMemory_v2_t *m);
EXPORT nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t d, int sensor, unsigned int *t);
EXPORT nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t d, int type, unsigned int *mhz);
EXPORT nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t d, unsigned int *mw);
EXPORT nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t d, nvmlUtilization_t *u);
EXPORT nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t d, unsigned int *n,
							    nvmlProcessInfo_t *p);

nvmlReturn_t nvmlInit_v2(void)
{
	if (is("init_fail"))
		return DRIVER_NOT_LOADED;
	initialised++;
	return OK;
}

nvmlReturn_t nvmlShutdown(void)
{
	if (!initialised)
		return UNINITIALIZED;
	initialised--;
	return OK;
}

const char *nvmlErrorString(nvmlReturn_t r)
{
	switch (r) {
	case OK: return "Success";
	case UNINITIALIZED: return "Uninitialized";
	case NOT_SUPPORTED: return "Not Supported";
	case DRIVER_NOT_LOADED: return "Driver Not Loaded";
	case FUNCTION_NOT_FOUND: return "Function Not Found";
	default: return "Unknown Error";
	}
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *n)
{
	if (!initialised)
		return UNINITIALIZED;
	*n = is("no_gpu") ? 0 : 1;
	return OK;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int i, nvmlDevice_t *d)
{
	if (!initialised)
		return UNINITIALIZED;
	if (i != 0 || is("no_gpu"))
		return INVALID_ARGUMENT;
	*d = &the_gpu;
	return OK;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t d, char *name, unsigned int len)
{
	snprintf(name, len, "NVIDIA H200");
	return OK;
}

nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t d, nvmlPciInfo_t *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->busIdLegacy, sizeof(p->busIdLegacy), "0000:00:06.0");
	snprintf(p->busId, sizeof(p->busId), "00000000:00:06.0");
	p->bus = 0;
	p->device = 6;
	p->pciDeviceId = 0x233510de;
	return OK;
}

static unsigned long long used_v2(void)
{
	return is("busy") ? 130000000000ull : 0;
}

nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t *m)
{
	if (!initialised)
		return UNINITIALIZED;
	if (is("unified"))
		return NOT_SUPPORTED;
	/* v1: used includes the driver's reservation */
	m->total = TOTAL;
	m->used = used_v2() + RESERVED;
	m->free = TOTAL - m->used;
	return OK;
}

nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t d, nvmlMemory_v2_t *m)
{
	if (!initialised)
		return UNINITIALIZED;
	if (is("old_driver") || m->version != (unsigned int)(sizeof(nvmlMemory_v2_t) | (2u << 24)))
		return FUNCTION_NOT_FOUND;
	if (is("unified"))
		return NOT_SUPPORTED;
	m->total = TOTAL;
	m->reserved = RESERVED;
	m->used = used_v2();
	m->free = TOTAL - RESERVED - m->used;
	return OK;
}

nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t d, int sensor, unsigned int *t)
{
	if (sensor != 0)
		return INVALID_ARGUMENT;
	*t = is("busy") ? 71 : 40;
	return OK;
}

nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t d, int type, unsigned int *mhz)
{
	static const unsigned int idle[] = { 375, 375, 3201, 765 };
	static const unsigned int busy[] = { 1980, 1980, 3201, 1650 };
	if (type < 0 || type > 3)
		return INVALID_ARGUMENT;
	*mhz = is("busy") ? busy[type] : idle[type];
	return OK;
}

nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t d, unsigned int *mw)
{
	*mw = is("busy") ? 612345 : 116694;
	return OK;
}

nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t d, nvmlUtilization_t *u)
{
	u->gpu = is("busy") ? 98 : 0;
	u->memory = is("busy") ? 60 : 0;
	return OK;
}

nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t d, unsigned int *n,
						     nvmlProcessInfo_t *p)
{
	const char *pid = getenv("O3_FAKE_NVML_PID");
	if (!is("busy")) {
		*n = 0;
		return OK;
	}
	if (*n < 1) {
		*n = 1;
		return INSUFFICIENT_SIZE;
	}
	*n = 1;
	memset(p, 0, sizeof(*p));
	p[0].pid = pid ? (unsigned int)strtoul(pid, NULL, 10) : 4242;
	p[0].usedGpuMemory = 120000000000ull;
	return OK;
}

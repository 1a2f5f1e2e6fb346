// SPDX-License-Identifier: MIT
/*
 * A fake librocm_smi64 for tests: the symbols o3 uses, answering from a
 * table, with rocm_smi.h's values (5.2.3: SUCCESS 0, PERMISSION 4,
 * INIT_ERROR 8; BDFID = domain << 32 | bus << 8 | device << 3 | function;
 * temperature in millidegrees C, power in microwatts).
 * O3_FAKE_ROCM_SMI_SCENARIO picks a case:
 *   strix_halo  (default) one APU: VRAM 512 MiB carve-out, 180 MiB used;
 *               GTT 31 GiB, 20 GiB used; edge 52.5 C; 85.123456 W; 97 %;
 *               PCI 0000:c5:00.0
 *   two_gpus    the APU and a second device at 0001:83:1f.5 (GTT only)
 *   init_error  rsmi_init returns INIT_ERROR (8), and prints on stderr
 *   permission  rsmi_init returns PERMISSION (4)
 *   no_gpu      zero devices
 * Built with -DFAKE_RSMI_NO_BUSY it lacks rsmi_dev_busy_percent_get.
 * fake_rsmi_live() is the number of rsmi_init calls not yet shut down.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

typedef unsigned int rsmi_status_t;
enum { OK = 0, INVALID_ARGS = 1, NOT_SUPPORTED = 2, PERMISSION = 4, INIT_ERROR = 8 };
enum { VRAM = 0, VIS_VRAM = 1, GTT = 2 };

#define MIB 1048576ull
#define GIB 1073741824ull

static const struct dev {
	uint64_t bdf;
	uint64_t vram_total, vram_used, gtt_total, gtt_used;
	int64_t temp_mc;
	uint64_t power_uw;
	uint32_t busy;
} devs[] = {
	{ 0xc5ull << 8, 512 * MIB, 180 * MIB, 31 * GIB, 20 * GIB, 52500, 85123456, 97 },
	{ 1ull << 32 | 0x83ull << 8 | 0x1full << 3 | 5, 0, 0, 8 * GIB, 1 * GIB, 40000, 5000000, 3 },
};

static const char *scenario(void)
{
	const char *s = getenv("O3_FAKE_ROCM_SMI_SCENARIO");
	return s && *s ? s : "strix_halo";
}

static int is(const char *name)
{
	return !strcmp(scenario(), name);
}

static int live;

static uint32_t count(void)
{
	if (is("no_gpu"))
		return 0;
	return is("two_gpus") ? 2 : 1;
}

static const struct dev *dev_at(uint32_t i)
{
	return live > 0 && i < count() ? &devs[i] : NULL;
}

EXPORT int fake_rsmi_live(void);
EXPORT rsmi_status_t rsmi_init(uint64_t flags);
EXPORT rsmi_status_t rsmi_shut_down(void);
EXPORT rsmi_status_t rsmi_status_string(rsmi_status_t r, const char **text);
EXPORT rsmi_status_t rsmi_num_monitor_devices(uint32_t *n);
EXPORT rsmi_status_t rsmi_dev_pci_id_get(uint32_t dv, uint64_t *bdf);
EXPORT rsmi_status_t rsmi_dev_memory_usage_get(uint32_t dv, unsigned int type, uint64_t *used);
EXPORT rsmi_status_t rsmi_dev_memory_total_get(uint32_t dv, unsigned int type, uint64_t *total);
EXPORT rsmi_status_t rsmi_dev_temp_metric_get(uint32_t dv, uint32_t sensor, unsigned int metric,
					      int64_t *t);
EXPORT rsmi_status_t rsmi_dev_power_ave_get(uint32_t dv, uint32_t sensor, uint64_t *uw);

int fake_rsmi_live(void)
{
	return live;
}

rsmi_status_t rsmi_init(uint64_t flags)
{
	if (flags)
		return INVALID_ARGS;
	if (is("init_error")) {
		fprintf(stderr, "fake rocm_smi: no /dev/kfd\n");
		return INIT_ERROR;
	}
	if (is("permission"))
		return PERMISSION;
	live++;
	return OK;
}

rsmi_status_t rsmi_shut_down(void)
{
	if (live <= 0)
		return INIT_ERROR;
	live--;
	return OK;
}

rsmi_status_t rsmi_status_string(rsmi_status_t r, const char **text)
{
	*text = r == PERMISSION ? "RSMI_STATUS_PERMISSION: The user ID of the calling process "
				  "does not have sufficient permission to execute a command." :
		r == INIT_ERROR ? "RSMI_STATUS_INIT_ERROR: An error occurred during initialization." :
		"An unknown error occurred";
	return OK;
}

rsmi_status_t rsmi_num_monitor_devices(uint32_t *n)
{
	if (live <= 0)
		return INIT_ERROR;
	*n = count();
	return OK;
}

rsmi_status_t rsmi_dev_pci_id_get(uint32_t dv, uint64_t *bdf)
{
	const struct dev *d = dev_at(dv);
	if (!d)
		return INVALID_ARGS;
	*bdf = d->bdf;
	return OK;
}

static rsmi_status_t memory(uint32_t dv, unsigned int type, uint64_t *v, int used)
{
	const struct dev *d = dev_at(dv);
	if (!d || !v)
		return INVALID_ARGS;
	if (type == VRAM && d->vram_total)
		*v = used ? d->vram_used : d->vram_total;
	else if (type == GTT)
		*v = used ? d->gtt_used : d->gtt_total;
	else
		return NOT_SUPPORTED;
	return OK;
}

rsmi_status_t rsmi_dev_memory_usage_get(uint32_t dv, unsigned int type, uint64_t *used)
{
	return memory(dv, type, used, 1);
}

rsmi_status_t rsmi_dev_memory_total_get(uint32_t dv, unsigned int type, uint64_t *total)
{
	return memory(dv, type, total, 0);
}

rsmi_status_t rsmi_dev_temp_metric_get(uint32_t dv, uint32_t sensor, unsigned int metric, int64_t *t)
{
	const struct dev *d = dev_at(dv);
	if (!d)
		return INVALID_ARGS;
	if (sensor != 0 || metric != 0) /* only EDGE, CURRENT */
		return NOT_SUPPORTED;
	*t = d->temp_mc;
	return OK;
}

rsmi_status_t rsmi_dev_power_ave_get(uint32_t dv, uint32_t sensor, uint64_t *uw)
{
	const struct dev *d = dev_at(dv);
	if (!d || sensor != 0)
		return INVALID_ARGS;
	*uw = d->power_uw;
	return OK;
}

#ifndef FAKE_RSMI_NO_BUSY
EXPORT rsmi_status_t rsmi_dev_busy_percent_get(uint32_t dv, uint32_t *busy);
rsmi_status_t rsmi_dev_busy_percent_get(uint32_t dv, uint32_t *busy)
{
	const struct dev *d = dev_at(dv);
	if (!d)
		return INVALID_ARGS;
	*busy = d->busy;
	return OK;
}
#endif

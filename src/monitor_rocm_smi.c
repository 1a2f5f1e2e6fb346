// SPDX-License-Identifier: MIT
/*
 * rocm-smi-lib (5.2.3 on Debian 12), optional at build time (HAVE_ROCM_SMI)
 * and at run time: init failure or zero devices means unavailable, and the
 * library's stderr noise is not shown. It only reads the real /sys, so with
 * another sysfs root (fixtures, the simulator) it stays off. Clocks are left
 * to the amdgpu backend: 5.2.3's pp_dpm parser can assert() on a line it does
 * not know (monitoring.md 1.8), which would abort o3.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "o3_config.h"
#include "monitor.h"
#include "monitor_backend.h"
#include "util.h"

#if HAVE_ROCM_SMI
#include <rocm_smi/rocm_smi.h>
#endif
#include "banned.h"

#if HAVE_ROCM_SMI
struct rsmi_state {
	uint32_t n;
	char pci[MONITOR_MAX_DEVICES][32];
	char id[MONITOR_MAX_DEVICES][32];
};

/* Run rsmi_init with stderr sent to /dev/null (it prints on failure). */
static rsmi_status_t quiet_init(void)
{
	rsmi_status_t r;
	int saved, devnull;

	fflush(stderr);
	saved = dup(STDERR_FILENO);
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (saved >= 0 && devnull >= 0)
		dup2(devnull, STDERR_FILENO);
	r = rsmi_init(0);
	if (saved >= 0 && devnull >= 0)
		dup2(saved, STDERR_FILENO);
	if (saved >= 0)
		close(saved);
	if (devnull >= 0)
		close(devnull);
	return r;
}

static const char *status_text(rsmi_status_t r)
{
	const char *s = NULL;
	if (rsmi_status_string(r, &s) != RSMI_STATUS_SUCCESS || !s)
		return "unknown error";
	return s;
}

static int rsmi_open(const struct monitor_settings *s, void **state, char *why, size_t whylen)
{
	struct rsmi_state *st;
	rsmi_status_t r;
	uint32_t n = 0, i;

	if (strcmp(s->sysfs_root, "/sys")) {
		snprintf(why, whylen, "reads only the real /sys, not the sysfs root '%s'", s->sysfs_root);
		return -1;
	}
	r = quiet_init();
	if (r != RSMI_STATUS_SUCCESS) {
		if (r == RSMI_STATUS_INIT_ERROR)
			snprintf(why, whylen, "rsmi_init: no AMD GPU driver with KFD here (status %d)",
				 (int)r);
		else
			snprintf(why, whylen, "rsmi_init: %s (status %d)", status_text(r), (int)r);
		return -1;
	}
	if (rsmi_num_monitor_devices(&n) != RSMI_STATUS_SUCCESS || n == 0) {
		snprintf(why, whylen, "no AMD GPU (rsmi_num_monitor_devices = 0)");
		rsmi_shut_down();
		return -1;
	}
	st = xcalloc(1, sizeof(*st));
	for (i = 0; i < n && i < MONITOR_MAX_DEVICES; i++) {
		uint64_t bdf = 0;
		snprintf(st->id[i], sizeof(st->id[i]), "rsmi%u", (unsigned)i);
		/* BDFID: domain << 32 | bus << 8 | device << 3 | function */
		if (rsmi_dev_pci_id_get(i, &bdf) == RSMI_STATUS_SUCCESS)
			snprintf(st->pci[i], sizeof(st->pci[i]), "%04x:%02x:%02x.%x",
				 (unsigned)((bdf >> 32) & 0xffff), (unsigned)((bdf >> 8) & 0xff),
				 (unsigned)((bdf >> 3) & 0x1f), (unsigned)(bdf & 0x7));
	}
	st->n = i;
	*state = st;
	return 0;
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
	unsigned got = 0;
	uint32_t i;

	for (i = 0; i < st->n; i++) {
		struct monitor_device *d = monitor_sample_device(out, st->id[i], st->pci[i], "rocm_smi");
		uint64_t u64;
		int64_t temp;
		uint32_t busy;

		if (!d)
			break;
		if (rsmi_dev_memory_usage_get(i, RSMI_MEM_TYPE_VRAM, &u64) == RSMI_STATUS_SUCCESS)
			monitor_value_set(&d->f[MON_VRAM_USED], (int64_t)u64, "rocm_smi"), got++;
		if (rsmi_dev_memory_total_get(i, RSMI_MEM_TYPE_VRAM, &u64) == RSMI_STATUS_SUCCESS)
			monitor_value_set(&d->f[MON_VRAM_TOTAL], (int64_t)u64, "rocm_smi"), got++;
		if (rsmi_dev_memory_usage_get(i, RSMI_MEM_TYPE_GTT, &u64) == RSMI_STATUS_SUCCESS)
			monitor_value_set(&d->f[MON_GTT_USED], (int64_t)u64, "rocm_smi"), got++;
		if (rsmi_dev_memory_total_get(i, RSMI_MEM_TYPE_GTT, &u64) == RSMI_STATUS_SUCCESS)
			monitor_value_set(&d->f[MON_GTT_TOTAL], (int64_t)u64, "rocm_smi"), got++;
		if (rsmi_dev_temp_metric_get(i, RSMI_TEMP_TYPE_EDGE, RSMI_TEMP_CURRENT, &temp) ==
		    RSMI_STATUS_SUCCESS)
			monitor_value_set(&d->f[MON_TEMP_MC], temp, "rocm_smi"), got++;
		if (rsmi_dev_power_ave_get(i, 0, &u64) == RSMI_STATUS_SUCCESS)
			monitor_value_set(&d->f[MON_POWER_MW], (int64_t)(u64 / 1000), "rocm_smi"), got++;
		if (rsmi_dev_busy_percent_get(i, &busy) == RSMI_STATUS_SUCCESS)
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
	free(state);
	rsmi_shut_down();
}
#else
static int rsmi_open(const struct monitor_settings *s, void **state, char *why, size_t whylen)
{
	snprintf(why, whylen, "not built in (rocm-smi-lib was not found at build time)");
	return -1;
}
static void rsmi_describe(void *state, char *out, size_t outlen)
{
	out[0] = '\0';
}
static int rsmi_sample(void *state, struct monitor_sample *out)
{
	return -1;
}
static void rsmi_close(void *state)
{
}
#endif

const struct monitor_backend monitor_backend_rocm_smi = {
	.name = "rocm_smi",
	.open = rsmi_open,
	.describe = rsmi_describe,
	.sample = rsmi_sample,
	.close = rsmi_close,
};

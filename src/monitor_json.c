// SPDX-License-Identifier: MIT
/* The monitor's JSON (cJSON): one reading, and the trial summary. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "monitor.h"
#include "monitor_internal.h"
#include "banned.h"

/* JSON name and divisor of each device field (stored in integer units). */
static const struct { const char *json; double div; } dev_json[MON_DEV__COUNT] = {
	[MON_VRAM_USED] = { "vram_used_bytes", 1 },
	[MON_VRAM_TOTAL] = { "vram_total_bytes", 1 },
	[MON_GTT_USED] = { "gtt_used_bytes", 1 },
	[MON_GTT_TOTAL] = { "gtt_total_bytes", 1 },
	[MON_TEMP_MC] = { "temp_c", 1000 },
	[MON_SCLK_MHZ] = { "sclk_mhz", 1 },
	[MON_MCLK_MHZ] = { "mclk_mhz", 1 },
	[MON_POWER_MW] = { "power_w", 1000 },
	[MON_BUSY_PCT] = { "busy_pct", 1 },
};

/* Group and name in a reading, and name among the summary's peaks (NULL = none). */
static const struct { const char *group, *json, *peak; } sys_json[MON_SYS__COUNT] = {
	[MON_RAM_TOTAL] = { "system", "ram_total_bytes", NULL },
	[MON_RAM_AVAIL] = { "system", "ram_available_bytes", NULL },
	[MON_RUNNER_PID] = { "runner", "pid", NULL },
	[MON_RUNNER_COUNT] = { "runner", "count", NULL },
	[MON_RUNNER_RSS] = { "runner", "rss_bytes", "runner_rss_bytes" },
	[MON_RUNNER_HWM] = { "runner", "hwm_bytes", "runner_hwm_bytes" },
	[MON_RUNNER_GPU_VRAM] = { "runner", "gpu_vram_bytes", "runner_gpu_vram_bytes" },
	[MON_RUNNER_GPU_GTT] = { "runner", "gpu_gtt_bytes", "runner_gpu_gtt_bytes" },
	[MON_RUNNER_GPU_MEM] = { "runner", "gpu_mem_bytes", "runner_gpu_mem_bytes" },
	[MON_PS_MODELS] = { "ollama_ps", "models", NULL },
	[MON_PS_SIZE] = { "ollama_ps", "size_bytes", "ps_size_bytes" },
	[MON_PS_SIZE_VRAM] = { "ollama_ps", "size_vram_bytes", "ps_size_vram_bytes" },
	[MON_PS_CTX] = { "ollama_ps", "context_length", "ps_context_length" },
};

static double round3(double x)
{
	return round(x * 1000.0) / 1000.0;
}

static void add_memory(cJSON *obj, const struct monitor_memory *mem, const char *device,
		       const char *why)
{
	cJSON *o = cJSON_AddObjectToObject(obj, "memory");
	cJSON_AddStringToObject(o, "definition", mem->definition);
	if (why && *why)
		cJSON_AddStringToObject(o, "detected_by", why);
	if (device)
		cJSON_AddStringToObject(o, "device", device);
	cJSON_AddStringToObject(o, "backend", mem->backend);
	cJSON_AddNumberToObject(o, "used_bytes", (double)mem->used_bytes);
	cJSON_AddNumberToObject(o, "capacity_bytes", (double)mem->capacity_bytes);
	cJSON_AddNumberToObject(o, "headroom_bytes", (double)mem->headroom_bytes);
	cJSON_AddNumberToObject(o, "pct", round3(mem->pct));
}

cJSON *monitor_reading_json(const struct monitor_sample *s)
{
	cJSON *r = cJSON_CreateObject(), *devs = cJSON_AddArrayToObject(r, "devices");
	struct monitor_memory mem;
	unsigned i, f;

	cJSON_AddNumberToObject(r, "t_ms", round3((double)s->t_ns / 1e6));
	for (i = 0; i < s->n_devices; i++) {
		const struct monitor_device *d = &s->dev[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", d->id);
		if (d->pci[0])
			cJSON_AddStringToObject(o, "pci", d->pci);
		if (d->name[0])
			cJSON_AddStringToObject(o, "name", d->name);
		cJSON_AddStringToObject(o, "backend", d->backend);
		if (d->unified >= 0)
			cJSON_AddBoolToObject(o, "unified_memory", d->unified);
		for (f = 0; f < MON_DEV__COUNT; f++)
			if (d->f[f].backend)
				cJSON_AddNumberToObject(o, dev_json[f].json,
							round3((double)d->f[f].v / dev_json[f].div));
		if (!monitor_memory_of_device(d, s->sys, &mem))
			add_memory(o, &mem, NULL, d->unified_why);
		cJSON_AddItemToArray(devs, o);
	}
	for (f = 0; f < MON_SYS__COUNT; f++) {
		cJSON *g;
		if (!s->sys[f].backend)
			continue;
		g = cJSON_GetObjectItemCaseSensitive(r, sys_json[f].group);
		if (!g)
			g = cJSON_AddObjectToObject(r, sys_json[f].group);
		cJSON_AddNumberToObject(g, sys_json[f].json, (double)s->sys[f].v);
	}
	if (s->sys[MON_RAM_TOTAL].backend && s->sys[MON_RAM_AVAIL].backend)
		cJSON_AddNumberToObject(cJSON_GetObjectItemCaseSensitive(r, "system"), "ram_used_bytes",
					(double)(s->sys[MON_RAM_TOTAL].v - s->sys[MON_RAM_AVAIL].v));
	if (!monitor_memory_of_sample(s, &mem))
		add_memory(r, &mem, mem.device >= 0 ? s->dev[mem.device].id : NULL,
			   mem.device >= 0 ? s->dev[mem.device].unified_why : NULL);
	return r;
}

static void add_peak(cJSON *peaks, const char *name, const struct monitor_peak *p, double div)
{
	cJSON *o;
	if (!p->backend)
		return;
	o = cJSON_AddObjectToObject(peaks, name);
	cJSON_AddNumberToObject(o, "value", round3((double)p->v / div));
	cJSON_AddStringToObject(o, "backend", p->backend);
}

static void add_dev_peaks(cJSON *peaks, const struct monitor_dev_peaks *dp)
{
	static const enum monitor_dev_field used[] = {
		MON_VRAM_USED, MON_GTT_USED, MON_TEMP_MC, MON_SCLK_MHZ, MON_MCLK_MHZ,
		MON_POWER_MW, MON_BUSY_PCT,
	};
	size_t k;
	for (k = 0; k < sizeof(used) / sizeof(used[0]); k++)
		add_peak(peaks, dev_json[used[k]].json, &dp->f[used[k]], dev_json[used[k]].div);
}

static void add_pool(cJSON *pools, const char *name, const struct monitor_value *v)
{
	cJSON *o;
	if (!v->backend)
		return;
	o = cJSON_AddObjectToObject(pools, name);
	cJSON_AddNumberToObject(o, "value", (double)v->v);
	cJSON_AddStringToObject(o, "backend", v->backend);
}

static void add_series(cJSON *sum, const struct monitor *m)
{
	const struct monitor_series *sr = &m->series;
	cJSON *o = cJSON_AddObjectToObject(sum, "series");
	cJSON *t = cJSON_AddArrayToObject(o, "t_ms"), *mb = cJSON_AddArrayToObject(o, "gpu_mem_bytes");
	cJSON *pc = cJSON_AddArrayToObject(o, "gpu_mem_pct"), *tc = cJSON_AddArrayToObject(o, "temp_c");
	cJSON *pw = cJSON_AddArrayToObject(o, "power_w"), *bz = cJSON_AddArrayToObject(o, "busy_pct");
	size_t i;

	cJSON_AddNumberToObject(o, "every_nth_sample", (double)sr->stride);
	for (i = 0; i < sr->n; i++) {
		const struct monitor_point *p = &sr->p[i];
#define NUM_OR_NULL(x, v) ((x) < 0 ? cJSON_CreateNull() : cJSON_CreateNumber(v))
		cJSON_AddItemToArray(t, cJSON_CreateNumber(round((double)(p->t_ns - m->t_start_ns) / 1e6)));
		cJSON_AddItemToArray(mb, NUM_OR_NULL(p->mem_bytes, (double)p->mem_bytes));
		cJSON_AddItemToArray(pc, NUM_OR_NULL(p->pct, round3(p->pct)));
		cJSON_AddItemToArray(tc, NUM_OR_NULL(p->temp_mc, (double)p->temp_mc / 1000.0));
		cJSON_AddItemToArray(pw, NUM_OR_NULL(p->power_mw, (double)p->power_mw / 1000.0));
		cJSON_AddItemToArray(bz, NUM_OR_NULL(p->busy_pct, (double)p->busy_pct));
#undef NUM_OR_NULL
	}
}

cJSON *monitor_summary_json(const struct monitor *m)
{
	cJSON *sum = cJSON_CreateObject(), *peaks, *pools, *alert;
	const struct monitor_dev_peaks *top = NULL;
	unsigned i, f;

	cJSON_AddNumberToObject(sum, "samples", (double)m->samples);
	cJSON_AddNumberToObject(sum, "interval_ms", (double)m->s.interval_ms);
	cJSON_AddNumberToObject(sum, "duration_ms",
				round((double)(m->t_stop_ns - m->t_start_ns) / 1e6));
	if (m->n_dev_peaks)
		top = &m->dev_peaks[m->mem.device >= 0 ? (unsigned)m->mem.device : 0];

	if (m->mem.definition) {
		cJSON *o = cJSON_AddObjectToObject(sum, "memory");
		cJSON_AddStringToObject(o, "definition", m->mem.definition);
		if (m->mem_why[0])
			cJSON_AddStringToObject(o, "detected_by", m->mem_why);
		if (m->mem.device >= 0) {
			cJSON_AddStringToObject(o, "device", m->dev_peaks[m->mem.device].id);
			if (m->dev_peaks[m->mem.device].name[0])
				cJSON_AddStringToObject(o, "device_name", m->dev_peaks[m->mem.device].name);
		}
		cJSON_AddStringToObject(o, "backend", m->mem.backend);
		cJSON_AddNumberToObject(o, "capacity_bytes", (double)m->mem.capacity_bytes);
		cJSON_AddNumberToObject(o, "peak_used_bytes", (double)m->mem_used.v);
		cJSON_AddNumberToObject(o, "peak_pct", round3(m->mem.pct));
		if (m->have_headroom)
			cJSON_AddNumberToObject(o, "min_headroom_bytes", (double)m->min_headroom);
	}

	pools = cJSON_AddObjectToObject(sum, "pools");
	if (top) {
		add_pool(pools, "vram_total_bytes", &top->last[MON_VRAM_TOTAL]);
		add_pool(pools, "gtt_total_bytes", &top->last[MON_GTT_TOTAL]);
	}
	add_pool(pools, "ram_total_bytes", &m->sys_last[MON_RAM_TOTAL]);

	peaks = cJSON_AddObjectToObject(sum, "peaks");
	add_peak(peaks, "gpu_mem_bytes", &m->mem_used, 1);
	if (top)
		add_dev_peaks(peaks, top);
	add_peak(peaks, "ram_used_bytes", &m->ram_used, 1);
	for (f = 0; f < MON_SYS__COUNT; f++)
		if (sys_json[f].peak)
			add_peak(peaks, sys_json[f].peak, &m->sys_peaks[f], 1);

	if (m->n_dev_peaks > 1) {
		cJSON *devs = cJSON_AddArrayToObject(sum, "devices");
		for (i = 0; i < m->n_dev_peaks; i++) {
			const struct monitor_dev_peaks *dp = &m->dev_peaks[i];
			cJSON *o = cJSON_CreateObject(), *p;
			cJSON_AddStringToObject(o, "id", dp->id);
			if (dp->pci[0])
				cJSON_AddStringToObject(o, "pci", dp->pci);
			cJSON_AddStringToObject(o, "backend", dp->backend);
			if (dp->mem.definition) {
				cJSON_AddStringToObject(o, "memory_definition", dp->mem.definition);
				cJSON_AddNumberToObject(o, "peak_pct", round3(dp->mem.pct));
			}
			p = cJSON_AddObjectToObject(o, "peaks");
			add_peak(p, "gpu_mem_bytes", &dp->mem_used, 1);
			add_dev_peaks(p, dp);
			cJSON_AddItemToArray(devs, o);
		}
	}

	alert = cJSON_AddObjectToObject(sum, "alert");
	cJSON_AddNumberToObject(alert, "level_pct", m->s.alert_pct);
	cJSON_AddBoolToObject(alert, "crossed", m->alert_crossed);
	if (m->alert_crossed) {
		cJSON_AddNumberToObject(alert, "first_ms",
					round((double)(m->alert_first_ns - m->t_start_ns) / 1e6));
		cJSON_AddNumberToObject(alert, "value_pct", round3(m->alert_value));
	}
	add_series(sum, m);
	return sum;
}

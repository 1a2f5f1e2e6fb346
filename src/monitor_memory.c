// SPDX-License-Identifier: MIT
/* What "GPU memory" means on each machine: discrete VRAM, or VRAM + GTT on
 * unified memory, bounded by system RAM (see monitor.h). */
#include <stdio.h>
#include <string.h>

#include "monitor.h"
#include "monitor_backend.h"
#include "banned.h"

#define GIB (1024.0 * 1024.0 * 1024.0)

int monitor_memory_amd_unified(int64_t vram_total, int64_t gtt_total, int metrics_format,
			       char *why, size_t whylen)
{
	/* The driver's own word: gpu_metrics format 1 is a dGPU, 2 and 3 an APU. */
	if (metrics_format == 2 || metrics_format == 3) {
		snprintf(why, whylen, "gpu_metrics format %d (APU)", metrics_format);
		return 1;
	}
	/* Ollama's iGPU heuristic (discover/amd.go): a small carve-out next to
	 * a large GTT pool. */
	if (vram_total >= 0 && gtt_total >= 0 && vram_total <= 4 * (int64_t)GIB &&
	    gtt_total >= 8 * (int64_t)GIB && gtt_total >= 4 * vram_total) {
		snprintf(why, whylen, "VRAM carve-out %.2f GiB next to %.2f GiB GTT",
			 vram_total / GIB, gtt_total / GIB);
		return 1;
	}
	if (metrics_format == 1)
		snprintf(why, whylen, "gpu_metrics format 1 (discrete GPU)");
	else if (vram_total >= 0)
		snprintf(why, whylen, "%.2f GiB VRAM and no APU gpu_metrics", vram_total / GIB);
	else
		snprintf(why, whylen, "VRAM size unknown");
	return 0;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static double pct_of(int64_t capacity, int64_t headroom)
{
	if (capacity <= 0)
		return 0;
	if (headroom < 0)
		headroom = 0;
	if (headroom > capacity)
		headroom = capacity;
	return 100.0 * (double)(capacity - headroom) / (double)capacity;
}

static int system_ram(const struct monitor_value *sys, const char *definition, int device,
		      struct monitor_memory *out)
{
	const struct monitor_value *tot = &sys[MON_RAM_TOTAL], *av = &sys[MON_RAM_AVAIL];
	if (!tot->backend || !av->backend || tot->v <= 0)
		return -1;
	out->definition = definition;
	out->device = device;
	out->backend = tot->backend;
	out->capacity_bytes = tot->v;
	out->headroom_bytes = av->v;
	out->used_bytes = tot->v - av->v;
	out->pct = pct_of(out->capacity_bytes, out->headroom_bytes);
	return 0;
}

int monitor_memory_of_device(const struct monitor_device *d, const struct monitor_value *sys,
			     struct monitor_memory *out)
{
	const struct monitor_value *vu = &d->f[MON_VRAM_USED], *vt = &d->f[MON_VRAM_TOTAL];
	const struct monitor_value *gu = &d->f[MON_GTT_USED], *gt = &d->f[MON_GTT_TOTAL];

	memset(out, 0, sizeof(*out));
	out->device = -1;
	if (d->unified == 1 && gu->backend && gt->backend) {
		int64_t vram_used = vu->backend ? vu->v : 0, vram_total = vt->backend ? vt->v : 0;
		int64_t gtt_cap = gt->v, gtt_free;
		if (sys[MON_RAM_TOTAL].backend)
			gtt_cap = min64(gtt_cap, sys[MON_RAM_TOTAL].v);
		gtt_free = gt->v - gu->v;
		if (gtt_free < 0)
			gtt_free = 0;
		if (sys[MON_RAM_AVAIL].backend)
			gtt_free = min64(gtt_free, sys[MON_RAM_AVAIL].v);
		out->definition = "unified_vram_plus_gtt";
		out->backend = gu->backend;
		out->used_bytes = vram_used + gu->v;
		out->capacity_bytes = vram_total + gtt_cap;
		out->headroom_bytes = (vram_total > vram_used ? vram_total - vram_used : 0) + gtt_free;
		if (out->capacity_bytes <= 0)
			return -1;
		out->pct = pct_of(out->capacity_bytes, out->headroom_bytes);
		return 0;
	}
	if (d->unified == 1)
		return system_ram(sys, "unified_system_ram", -1, out);
	if (vu->backend && vt->backend && vt->v > 0) {
		out->definition = "discrete_vram";
		out->backend = vu->backend;
		out->used_bytes = vu->v;
		out->capacity_bytes = vt->v;
		out->headroom_bytes = vt->v > vu->v ? vt->v - vu->v : 0;
		out->pct = pct_of(out->capacity_bytes, out->headroom_bytes);
		return 0;
	}
	return -1;
}

int monitor_memory_of_sample(const struct monitor_sample *s, struct monitor_memory *out)
{
	struct monitor_memory m;
	unsigned i;
	int found = 0;

	memset(out, 0, sizeof(*out));
	out->device = -1;
	for (i = 0; i < s->n_devices; i++) {
		if (monitor_memory_of_device(&s->dev[i], s->sys, &m))
			continue;
		m.device = (int)i;
		if (!found || m.pct > out->pct)
			*out = m;
		found = 1;
	}
	if (found)
		return 0;
	return system_ram(s->sys, "system_ram", -1, out);
}

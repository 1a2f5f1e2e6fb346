/* SPDX-License-Identifier: MIT */
#ifndef O3_MONITOR_H
#define O3_MONITOR_H
/*
 * The hardware monitor: a sampler thread that reads GPU and system memory,
 * temperature, clocks, power and busy % from its backends (amdgpu sysfs,
 * rocm_smi, NVML, /proc, Ollama's /api/ps) while a trial runs, and hands the
 * trial a summary. Files: monitor.c (sampler, summary, alerts, pressure),
 * monitor_memory.c (what "GPU memory" means), monitor_<backend>.c.
 *
 * "GPU memory" (the figure behind the 90 % criterion and the alert):
 *   discrete_vram          VRAM used / VRAM total;
 *   unified_vram_plus_gtt  AMD APU: VRAM carve-out + GTT, capacity
 *                          vram_total + min(gtt_total, MemTotal), headroom
 *                          bounded by MemAvailable (GTT pages are RAM);
 *   unified_system_ram     NVIDIA without a framebuffer: MemTotal - MemAvailable;
 *   system_ram             no GPU at all: MemTotal - MemAvailable.
 * The percentage is (capacity - headroom) / capacity, so RAM taken by other
 * processes on a unified machine counts as pressure too.
 */
#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

struct ollama_client;

struct monitor_settings {
	long interval_ms;          /* default 100 */
	const char *sysfs_root;    /* default "/sys" */
	const char *procfs_root;   /* default "/proc" */
	const char *nvml_library;  /* NULL = "libnvidia-ml.so.1" (env O3_NVML_LIBRARY overrides) */
	const char *rocm_smi_library; /* NULL = "librocm_smi64.so.1" after the /sys checks
				       * (env O3_ROCM_SMI_LIBRARY; a named one skips them) */
	struct ollama_client *ollama; /* for the ollama_ps backend and runner discovery; may be NULL */
	double alert_pct;          /* default 85 */
	double limit_pct;          /* hard limit the user set; 0 = none */
};
void monitor_settings_default(struct monitor_settings *s);

struct monitor;

/* Never NULL; backends that cannot start are kept with their reason.
 * The settings' strings must outlive the monitor. The ollama client is only
 * used to learn the server's address: the sampler thread makes its own. */
struct monitor *monitor_new(const struct monitor_settings *s);
void monitor_free(struct monitor *m);

/* Starts the sampler thread (peaks, series and alert start afresh); 0 or -1.
 * A monitor can be started again after monitor_stop. */
int monitor_start(struct monitor *m);
/* Stops the thread; *summary gets a cJSON object (caller owns it) for the
 * trial record: "samples", "interval_ms", "duration_ms", "memory"
 * (definition, detected_by, device, capacity_bytes, peak_used_bytes,
 * peak_pct, min_headroom_bytes), "pools" (raw totals), "peaks" (each
 * {"value", "backend"}: gpu_mem_bytes, vram_used_bytes, gtt_used_bytes,
 * ram_used_bytes, runner_rss_bytes, runner_hwm_bytes, runner_gpu_*_bytes,
 * temp_c, sclk_mhz, mclk_mhz, power_w, busy_pct, ps_size_bytes,
 * ps_size_vram_bytes, ps_context_length), "devices" (when more than one),
 * "alert" (level_pct, crossed, first_ms, value_pct) and "series" (t_ms,
 * gpu_mem_bytes, gpu_mem_pct, temp_c, power_w, busy_pct; at most
 * MONITOR_SERIES_MAX points, thinned evenly). Missing values are absent.
 * Returns 0, or -1 when the monitor was not started (*summary = NULL). */
int monitor_stop(struct monitor *m, cJSON **summary);
#define MONITOR_SERIES_MAX 512

/* One-shot reading (used by `o3 monitor` and before loads); *reading is a
 * cJSON object: "t_ms", "devices" [...], "system", "runner", "ollama_ps",
 * "memory". 0, or -1 when no backend at all is available (*reading still
 * set, with what there is). */
int monitor_sample_once(struct monitor *m, cJSON **reading);

/* Before a load: 0 when memory use is below limit_pct (or no limit), 1 when
 * at/above it (message in msg naming the figure, its definition and the
 * limit). When no figure can be read, 0 with a note in msg. */
int monitor_check_pressure(struct monitor *m, char *msg, size_t msglen);

/* One line per backend: "amdgpu: available (card0, 0000:c5:00.0)" or
 * "nvml: unavailable: libnvidia-ml.so.1: cannot open shared object file". */
void monitor_list_backends(struct monitor *m, FILE *out);

/* Samples taken since monitor_start (safe while running). */
long monitor_sample_count(struct monitor *m);

/* Number of backends that started. */
int monitor_available_count(const struct monitor *m);

/* Whether the alert level was crossed since monitor_start, and the first
 * value (percent) that crossed it; 0 when not crossed. Safe while running.
 * The monitor prints nothing itself: the caller reports the alert. */
int monitor_alert_crossed(struct monitor *m, double *first_pct);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef O3_MONITOR_INTERNAL_H
#define O3_MONITOR_INTERNAL_H
/* The monitor's insides, shared by monitor.c and monitor_json.c only. */
#include <pthread.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "monitor.h"
#include "monitor_backend.h"

#define MONITOR_N_BACKENDS 5

struct monitor_slot {
	const struct monitor_backend *b;
	void *state;
	int ok;
	char why[256];
};

struct monitor_peak {
	int64_t v;
	const char *backend; /* NULL = never seen */
};

struct monitor_dev_peaks {
	int seen;
	char id[32], pci[32], name[96];
	const char *backend;
	struct monitor_peak f[MON_DEV__COUNT];
	struct monitor_value last[MON_DEV__COUNT]; /* for the pools (totals) */
	struct monitor_memory mem; /* at its highest percentage */
	struct monitor_peak mem_used;
};

struct monitor_point {
	uint64_t t_ns;
	int64_t mem_bytes; /* -1 = absent, as the fields below */
	double pct;
	int64_t temp_mc, power_mw, busy_pct;
};

struct monitor_series {
	size_t n;
	uint64_t tick;
	uint64_t stride; /* every stride-th sample is kept; doubles when full */
	struct monitor_point p[MONITOR_SERIES_MAX];
};

struct monitor {
	struct monitor_settings s;
	struct monitor_slot slots[MONITOR_N_BACKENDS];
	pthread_mutex_t lock; /* backends, cur and everything below */
	pthread_cond_t cond;
	pthread_t thread;
	int running, stop;
	struct monitor_sample cur;

	uint64_t t_start_ns, t_stop_ns;
	long samples;
	unsigned n_dev_peaks;
	struct monitor_dev_peaks dev_peaks[MONITOR_MAX_DEVICES];
	struct monitor_peak sys_peaks[MON_SYS__COUNT];
	struct monitor_value sys_last[MON_SYS__COUNT];
	struct monitor_peak ram_used;
	struct monitor_memory mem; /* the sample with the highest percentage */
	char mem_why[112];         /* how that device's memory kind was detected */
	struct monitor_peak mem_used;
	int have_headroom;
	int64_t min_headroom;
	int alert_crossed;
	uint64_t alert_first_ns;
	double alert_value;
	struct monitor_series series;
};

/* monitor_json.c */
cJSON *monitor_reading_json(const struct monitor_sample *s);
cJSON *monitor_summary_json(const struct monitor *m);

#endif

// SPDX-License-Identifier: MIT
/* The sampler thread: backends, peaks, a compact series, the alert, and the
 * pressure check before a load. JSON output is in monitor_json.c. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "monitor.h"
#include "monitor_internal.h"
#include "util.h"
#include "banned.h"

/* Probe order: the first backend to report a figure for a device (same PCI
 * address) wins, so amdgpu sysfs comes before rocm_smi. */
static const struct monitor_backend *const backend_list[MONITOR_N_BACKENDS] = {
	&monitor_backend_nvml,
	&monitor_backend_amdgpu,
	&monitor_backend_rocm_smi,
	&monitor_backend_procfs,
	&monitor_backend_ollama_ps,
};

void monitor_settings_default(struct monitor_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->interval_ms = 100;
	s->sysfs_root = "/sys";
	s->procfs_root = "/proc";
	s->nvml_library = NULL;
	s->rocm_smi_library = NULL;
	s->ollama = NULL;
	s->alert_pct = 85;
	s->limit_pct = 0;
}

struct monitor *monitor_new(const struct monitor_settings *s)
{
	struct monitor *m = xcalloc(1, sizeof(*m));
	pthread_condattr_t ca;
	size_t i;

	m->s = *s;
	if (!m->s.sysfs_root)
		m->s.sysfs_root = "/sys";
	if (!m->s.procfs_root)
		m->s.procfs_root = "/proc";
	if (m->s.interval_ms <= 0)
		m->s.interval_ms = 100;
	if (m->s.alert_pct <= 0)
		m->s.alert_pct = 85;
	pthread_mutex_init(&m->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->cond, &ca);
	pthread_condattr_destroy(&ca);
	for (i = 0; i < MONITOR_N_BACKENDS; i++) {
		struct monitor_slot *slot = &m->slots[i];
		slot->b = backend_list[i];
		slot->ok = !slot->b->open(&m->s, &slot->state, slot->why, sizeof(slot->why));
		if (!slot->ok && !slot->why[0])
			o3_strlcpy(slot->why, "unavailable", sizeof(slot->why));
	}
	return m;
}

void monitor_free(struct monitor *m)
{
	size_t i;
	if (!m)
		return;
	if (m->running) {
		cJSON *sum = NULL;
		monitor_stop(m, &sum);
		cJSON_Delete(sum);
	}
	/* after the thread is joined (rocm_smi requires it) */
	for (i = 0; i < MONITOR_N_BACKENDS; i++)
		if (m->slots[i].ok)
			m->slots[i].b->close(m->slots[i].state);
	pthread_cond_destroy(&m->cond);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

int monitor_available_count(const struct monitor *m)
{
	size_t i;
	int n = 0;
	for (i = 0; i < MONITOR_N_BACKENDS; i++)
		n += m->slots[i].ok;
	return n;
}

void monitor_list_backends(struct monitor *m, FILE *out)
{
	char desc[512];
	size_t i;
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < MONITOR_N_BACKENDS; i++) {
		const struct monitor_slot *slot = &m->slots[i];
		if (slot->ok) {
			desc[0] = '\0';
			slot->b->describe(slot->state, desc, sizeof(desc));
			fprintf(out, "%s: available%s%s%s\n", slot->b->name, desc[0] ? " (" : "", desc,
				desc[0] ? ")" : "");
		} else {
			fprintf(out, "%s: unavailable: %s\n", slot->b->name, slot->why);
		}
	}
	pthread_mutex_unlock(&m->lock);
}

/* One reading from every available backend into m->cur (lock held). */
static int read_all(struct monitor *m)
{
	struct monitor_sample *s = &m->cur;
	const struct monitor_value *pid;
	unsigned i, k;
	int got = 0;

	monitor_sample_clear(s);
	s->t_ns = clock_now_ns();
	for (i = 0; i < MONITOR_N_BACKENDS; i++)
		if (m->slots[i].ok && !m->slots[i].b->sample(m->slots[i].state, s))
			got++;
	/* the runner's GPU memory from the per-process lists (NVML) */
	pid = &s->sys[MON_RUNNER_PID];
	for (i = 0; pid->backend && i < s->n_devices; i++) {
		for (k = 0; k < s->dev[i].n_procs; k++) {
			struct monitor_value *v = &s->sys[MON_RUNNER_GPU_MEM];
			if ((int64_t)s->dev[i].procs[k].pid != pid->v)
				continue;
			if (v->backend)
				v->v += s->dev[i].procs[k].bytes;
			else
				monitor_value_set(v, s->dev[i].procs[k].bytes, s->dev[i].backend);
		}
	}
	return got ? 0 : -1;
}

static void peak(struct monitor_peak *p, int64_t v, const char *backend)
{
	if (!backend)
		return;
	if (!p->backend || v > p->v) {
		p->v = v;
		p->backend = backend;
	}
}

static void series_add(struct monitor *m, const struct monitor_sample *s,
		       const struct monitor_memory *mem, int have_mem)
{
	struct monitor_series *sr = &m->series;
	const struct monitor_device *d = mem->device >= 0 ? &s->dev[mem->device] :
					 s->n_devices ? &s->dev[0] : NULL;
	struct monitor_point *p;

	if (sr->tick++ % sr->stride)
		return;
	if (sr->n == MONITOR_SERIES_MAX) {
		size_t i;
		for (i = 0; i < sr->n / 2; i++)
			sr->p[i] = sr->p[2 * i];
		sr->n /= 2;
		sr->stride *= 2;
		if ((sr->tick - 1) % sr->stride)
			return;
	}
	p = &sr->p[sr->n++];
	p->t_ns = s->t_ns;
	p->mem_bytes = have_mem ? mem->used_bytes : -1;
	p->pct = have_mem ? mem->pct : -1;
	p->temp_mc = d && d->f[MON_TEMP_MC].backend ? d->f[MON_TEMP_MC].v : -1;
	p->power_mw = d && d->f[MON_POWER_MW].backend ? d->f[MON_POWER_MW].v : -1;
	p->busy_pct = d && d->f[MON_BUSY_PCT].backend ? d->f[MON_BUSY_PCT].v : -1;
}

/* Fold m->cur into peaks, series and alert (lock held). */
static void account(struct monitor *m)
{
	const struct monitor_sample *s = &m->cur;
	struct monitor_memory mem;
	unsigned i, f;
	int have_mem = !monitor_memory_of_sample(s, &mem);

	m->samples++;
	for (i = 0; i < s->n_devices && i < MONITOR_MAX_DEVICES; i++) {
		struct monitor_dev_peaks *dp = &m->dev_peaks[i];
		struct monitor_memory dm;
		if (!dp->seen) {
			dp->seen = 1;
			o3_strlcpy(dp->id, s->dev[i].id, sizeof(dp->id));
			o3_strlcpy(dp->pci, s->dev[i].pci, sizeof(dp->pci));
			o3_strlcpy(dp->name, s->dev[i].name, sizeof(dp->name));
			dp->backend = s->dev[i].backend;
		}
		for (f = 0; f < MON_DEV__COUNT; f++) {
			peak(&dp->f[f], s->dev[i].f[f].v, s->dev[i].f[f].backend);
			if (s->dev[i].f[f].backend)
				dp->last[f] = s->dev[i].f[f];
		}
		if (!monitor_memory_of_device(&s->dev[i], s->sys, &dm)) {
			if (!dp->mem.definition || dm.pct > dp->mem.pct)
				dp->mem = dm;
			peak(&dp->mem_used, dm.used_bytes, dm.backend);
		}
		if (m->n_dev_peaks < i + 1)
			m->n_dev_peaks = i + 1;
	}
	for (f = 0; f < MON_SYS__COUNT; f++) {
		peak(&m->sys_peaks[f], s->sys[f].v, s->sys[f].backend);
		if (s->sys[f].backend)
			m->sys_last[f] = s->sys[f];
	}
	if (s->sys[MON_RAM_TOTAL].backend && s->sys[MON_RAM_AVAIL].backend)
		peak(&m->ram_used, s->sys[MON_RAM_TOTAL].v - s->sys[MON_RAM_AVAIL].v, "procfs");
	if (have_mem) {
		if (!m->mem.definition || mem.pct > m->mem.pct) {
			m->mem = mem;
			o3_strlcpy(m->mem_why, mem.device >= 0 ? s->dev[mem.device].unified_why : "",
				   sizeof(m->mem_why));
		}
		peak(&m->mem_used, mem.used_bytes, mem.backend);
		if (!m->have_headroom || mem.headroom_bytes < m->min_headroom) {
			m->min_headroom = mem.headroom_bytes;
			m->have_headroom = 1;
		}
		if (!m->alert_crossed && mem.pct >= m->s.alert_pct) {
			m->alert_crossed = 1;
			m->alert_first_ns = s->t_ns;
			m->alert_value = mem.pct; /* the caller says it, once (cmd_trial.c) */
		}
	}
	series_add(m, s, &mem, have_mem);
}

static void *sampler(void *arg)
{
	struct monitor *m = arg;
	struct timespec next;

	pthread_mutex_lock(&m->lock);
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!m->stop) {
		if (!read_all(m))
			account(m);
		next.tv_nsec += (m->s.interval_ms % 1000) * 1000000L;
		next.tv_sec += m->s.interval_ms / 1000 + next.tv_nsec / 1000000000L;
		next.tv_nsec %= 1000000000L;
		while (!m->stop && pthread_cond_timedwait(&m->cond, &m->lock, &next) != ETIMEDOUT)
			;
		/* fell behind (a slow backend): do not try to catch up */
		{
			struct timespec now;
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec > next.tv_sec ||
			    (now.tv_sec == next.tv_sec && now.tv_nsec > next.tv_nsec))
				next = now;
		}
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

int monitor_start(struct monitor *m)
{
	if (m->running)
		return -1;
	pthread_mutex_lock(&m->lock);
	memset(m->dev_peaks, 0, sizeof(m->dev_peaks));
	memset(m->sys_peaks, 0, sizeof(m->sys_peaks));
	memset(m->sys_last, 0, sizeof(m->sys_last));
	memset(&m->ram_used, 0, sizeof(m->ram_used));
	memset(&m->mem_used, 0, sizeof(m->mem_used));
	memset(&m->mem, 0, sizeof(m->mem));
	m->mem.device = -1;
	m->n_dev_peaks = 0;
	m->have_headroom = 0;
	m->samples = 0;
	m->alert_crossed = 0;
	m->series.n = 0;
	m->series.tick = 0;
	m->series.stride = 1;
	m->stop = 0;
	m->t_start_ns = clock_now_ns();
	pthread_mutex_unlock(&m->lock);
	if (pthread_create(&m->thread, NULL, sampler, m))
		return -1;
	m->running = 1;
	return 0;
}

int monitor_stop(struct monitor *m, cJSON **summary)
{
	*summary = NULL;
	if (!m->running)
		return -1;
	pthread_mutex_lock(&m->lock);
	m->stop = 1;
	pthread_cond_signal(&m->cond);
	pthread_mutex_unlock(&m->lock);
	pthread_join(m->thread, NULL);
	m->running = 0;
	/* one last sample at the end of the measured part: a trial shorter
	 * than the interval still has its state after the load counted */
	pthread_mutex_lock(&m->lock);
	if (!read_all(m))
		account(m);
	pthread_mutex_unlock(&m->lock);
	m->t_stop_ns = clock_now_ns();
	*summary = monitor_summary_json(m);
	return 0;
}

int monitor_sample_once(struct monitor *m, cJSON **reading)
{
	int rc;
	pthread_mutex_lock(&m->lock);
	rc = read_all(m);
	*reading = monitor_reading_json(&m->cur);
	pthread_mutex_unlock(&m->lock);
	return rc;
}

int monitor_check_pressure(struct monitor *m, char *msg, size_t msglen)
{
	struct monitor_memory mem;
	int rc = 0;

	msg[0] = '\0';
	pthread_mutex_lock(&m->lock);
	if (read_all(m) || monitor_memory_of_sample(&m->cur, &mem)) {
		snprintf(msg, msglen, "no memory figure could be read; the limit is not checked");
	} else if (m->s.limit_pct > 0 && mem.pct >= m->s.limit_pct) {
		snprintf(msg, msglen,
			 "memory use is %.1f%% (%s: %.2f of %.2f GiB, %.2f GiB headroom), at or above the limit %.1f%%",
			 mem.pct, mem.definition, mem.used_bytes / 1073741824.0,
			 mem.capacity_bytes / 1073741824.0, mem.headroom_bytes / 1073741824.0,
			 m->s.limit_pct);
		rc = 1;
	} else {
		snprintf(msg, msglen, "memory use is %.1f%% (%s)%s", mem.pct, mem.definition,
			 m->s.limit_pct > 0 ? ", below the limit" : "");
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}

long monitor_sample_count(struct monitor *m)
{
	long n;
	pthread_mutex_lock(&m->lock);
	n = m->samples;
	pthread_mutex_unlock(&m->lock);
	return n;
}

int monitor_alert_crossed(struct monitor *m, double *first_pct)
{
	int crossed;
	pthread_mutex_lock(&m->lock);
	crossed = m->alert_crossed;
	if (crossed && first_pct)
		*first_pct = m->alert_value;
	pthread_mutex_unlock(&m->lock);
	return crossed;
}

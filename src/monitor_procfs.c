// SPDX-License-Identifier: MIT
/*
 * /proc: MemTotal and MemAvailable; Ollama's runner processes, found by
 * command line and parent across Ollama's eras (monitoring.md 5.3), their
 * VmRSS / VmHWM, and their GPU memory from DRM fdinfo where readable.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "monitor.h"
#include "monitor_backend.h"
#include "util.h"
#include "banned.h"

#define PATHLEN 512
#define MAX_PROCS 4096
#define MAX_RUNNERS 8
#define MAX_CLIENTS 64
#define RESCAN_NS (1000ull * 1000 * 1000)

struct proc_entry {
	int pid, ppid;
	int serve; /* "ollama serve" */
};

struct procfs_state {
	char root[PATHLEN];
	char meminfo[PATHLEN];
	uint64_t last_scan_ns;
	int scanned;
	unsigned n_runners;
	int runners[MAX_RUNNERS];
	const char *era[MAX_RUNNERS];
	int64_t gpu_vram, gpu_gtt; /* from the last fdinfo sweep, -1 = none */
	struct proc_entry procs[MAX_PROCS]; /* scratch for a scan */
	struct { char pdev[32]; long id; } clients[MAX_CLIENTS];
};

/* "Key:   123 kB" -> bytes; -1 when the line is not that. */
static int64_t kb_value(const char *line, const char *key)
{
	size_t k = strlen(key);
	char *end;
	long long v;
	if (strncmp(line, key, k) || line[k] != ':')
		return -1;
	v = strtoll(line + k + 1, &end, 10);
	if (end == line + k + 1 || v < 0)
		return -1;
	while (*end == ' ' || *end == '\t')
		end++;
	if (strncmp(end, "kB", 2) || v > INT64_MAX / 1024)
		return -1; /* not kB, or more than any machine has: malformed */
	return (int64_t)v * 1024;
}

/* MemTotal and MemAvailable into sys; 0 when MemTotal was read. */
static int read_meminfo(const char *path, struct monitor_value *sys)
{
	char buf[8192], *line, *save = NULL;
	int64_t total = -1, avail = -1, v;
	if (monitor_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if ((v = kb_value(line, "MemTotal")) >= 0)
			total = v;
		else if ((v = kb_value(line, "MemAvailable")) >= 0)
			avail = v;
	}
	if (total < 0)
		return -1;
	monitor_value_set(&sys[MON_RAM_TOTAL], total, "procfs");
	if (avail >= 0)
		monitor_value_set(&sys[MON_RAM_AVAIL], avail, "procfs");
	return 0;
}

/* root/pid/leaf into out; -1 when it does not fit. */
static int pid_path(char *out, size_t outlen, const char *root, int pid, const char *leaf)
{
	int n = snprintf(out, outlen, "%s/%d/%s", root, pid, leaf);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* argv[0] and argv[1] of pid (argv1 "" when absent); 0 when readable. */
static int read_cmdline(const char *root, int pid, char *buf, size_t buflen, const char **argv1)
{
	char path[PATHLEN];
	long n;
	size_t len0;
	if (pid_path(path, sizeof(path), root, pid, "cmdline"))
		return -1;
	n = monitor_read_file(path, buf, buflen);
	if (n <= 0)
		return -1;
	len0 = strlen(buf);
	*argv1 = (long)len0 + 1 < n ? buf + len0 + 1 : "";
	return 0;
}

static int read_ppid(const char *root, int pid)
{
	char path[PATHLEN], buf[1024], *p;
	long ppid;
	if (pid_path(path, sizeof(path), root, pid, "stat") ||
	    monitor_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	p = strrchr(buf, ')'); /* comm may hold spaces and parentheses */
	if (!p || sscanf(p + 1, " %*c %ld", &ppid) != 1)
		return -1;
	return (int)ppid;
}

/*
 * Which era's runner this is, or NULL:
 *   <= v0.5.1   .../ollama_llama_server
 *   v0.5.2-0.24 ollama runner --model ...
 *   >= v0.30    llama-server from lib/ollama, child of "ollama serve"
 */
static const char *runner_kind(const char *argv0, const char *argv1, int parent_is_serve)
{
	const char *b = base_name(argv0);
	if (!strcmp(b, "ollama_llama_server"))
		return "ollama_llama_server (<= v0.5.1)";
	if (!strcmp(b, "ollama") && !strcmp(argv1, "runner"))
		return "ollama runner (v0.5.2 to v0.24)";
	if (!strncmp(b, "llama-server", 12) && (parent_is_serve || strstr(argv0, "/lib/ollama/")))
		return "llama-server (>= v0.30)";
	return NULL;
}

static int is_serve_ancestor(const struct procfs_state *st, unsigned n, int ppid)
{
	int depth;
	for (depth = 0; depth < 8 && ppid > 1; depth++) {
		unsigned i;
		int next = -1;
		for (i = 0; i < n; i++) {
			if (st->procs[i].pid != ppid)
				continue;
			if (st->procs[i].serve)
				return 1;
			next = st->procs[i].ppid;
			break;
		}
		ppid = next;
	}
	return 0;
}

static void scan_runners(struct procfs_state *st)
{
	char cmd[4096];
	const char *argv1;
	struct dirent *e;
	unsigned n = 0, i;
	DIR *d = opendir(st->root);

	st->n_runners = 0;
	if (!d)
		return;
	/* pass 1: every process with its parent; mark "ollama serve" */
	while ((e = readdir(d)) && n < MAX_PROCS) {
		long pid;
		if (e->d_name[0] < '1' || e->d_name[0] > '9' || o3_parse_long(e->d_name, &pid))
			continue;
		st->procs[n].pid = (int)pid;
		st->procs[n].ppid = read_ppid(st->root, (int)pid);
		st->procs[n].serve = !read_cmdline(st->root, (int)pid, cmd, sizeof(cmd), &argv1) &&
				     !strcmp(base_name(cmd), "ollama") && !strcmp(argv1, "serve");
		n++;
	}
	closedir(d);
	/* pass 2: runners */
	for (i = 0; i < n && st->n_runners < MAX_RUNNERS; i++) {
		const char *kind;
		if (st->procs[i].serve ||
		    read_cmdline(st->root, st->procs[i].pid, cmd, sizeof(cmd), &argv1))
			continue;
		kind = runner_kind(cmd, argv1, is_serve_ancestor(st, n, st->procs[i].ppid));
		if (!kind)
			continue;
		st->era[st->n_runners] = kind;
		st->runners[st->n_runners++] = st->procs[i].pid;
	}
}

/* "123 KiB" / "4 MiB" / "512" (bytes) -> bytes; -1 when malformed. */
static int64_t drm_amount(const char *s)
{
	char *end;
	long long v;
	while (*s == ' ' || *s == '\t')
		s++;
	v = strtoll(s, &end, 10);
	if (end == s || v < 0)
		return -1;
	while (*end == ' ')
		end++;
	/* a figure too large for 64 bits is malformed, not a wrap-around */
	if (!strncmp(end, "KiB", 3))
		return v > INT64_MAX / 1024 ? -1 : (int64_t)v * 1024;
	if (!strncmp(end, "MiB", 3))
		return v > INT64_MAX / (1024 * 1024) ? -1 : (int64_t)v * 1024 * 1024;
	if (!strncmp(end, "GiB", 3))
		return v > INT64_MAX / (1024LL * 1024 * 1024) ? -1 : (int64_t)v * 1024 * 1024 * 1024;
	return *end == '\0' || *end == '\n' ? (int64_t)v : -1;
}

/* Sum drm-memory-vram / -gtt of one process's amdgpu clients, each client
 * (pdev, client-id) counted once however many fds hold it. */
static void sweep_fdinfo(struct procfs_state *st, int pid, unsigned *n_clients, int64_t *vram,
			 int64_t *gtt)
{
	char dir[PATHLEN], path[PATHLEN + 64], buf[4096];
	struct dirent *e;
	DIR *d;

	if (pid_path(dir, sizeof(dir), st->root, pid, "fdinfo"))
		return;
	d = opendir(dir);
	if (!d)
		return; /* not ours to read: needs ptrace access */
	while ((e = readdir(d))) {
		char pdev[32] = "", *line, *save = NULL;
		long id = -1;
		int64_t v = -1, g = -1, x;
		int amdgpu = 0;
		unsigned k;

		if (e->d_name[0] == '.')
			continue;
		if (monitor_path(path, sizeof(path), dir, e->d_name) ||
		    monitor_read_file(path, buf, sizeof(buf)) <= 0 || !strstr(buf, "drm-driver"))
			continue;
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *val = strchr(line, ':');
			if (!val)
				continue;
			*val++ = '\0';
			while (*val == ' ' || *val == '\t')
				val++;
			if (!strcmp(line, "drm-driver"))
				amdgpu = !strcmp(val, "amdgpu");
			else if (!strcmp(line, "drm-pdev"))
				o3_strlcpy(pdev, val, sizeof(pdev));
			else if (!strcmp(line, "drm-client-id"))
				id = strtol(val, NULL, 10);
			else if ((!strcmp(line, "drm-memory-vram") || (!strcmp(line, "drm-total-vram") && v < 0)) &&
				 (x = drm_amount(val)) >= 0)
				v = x;
			else if ((!strcmp(line, "drm-memory-gtt") || (!strcmp(line, "drm-total-gtt") && g < 0)) &&
				 (x = drm_amount(val)) >= 0)
				g = x;
		}
		if (!amdgpu)
			continue;
		for (k = 0; k < *n_clients; k++)
			if (st->clients[k].id == id && !strcmp(st->clients[k].pdev, pdev))
				break;
		if (id >= 0 && k < *n_clients)
			continue;
		if (*n_clients < MAX_CLIENTS) {
			o3_strlcpy(st->clients[*n_clients].pdev, pdev, sizeof(st->clients[0].pdev));
			st->clients[*n_clients].id = id;
			(*n_clients)++;
		}
		if (v >= 0)
			*vram = (*vram < 0 ? 0 : *vram) + v;
		if (g >= 0)
			*gtt = (*gtt < 0 ? 0 : *gtt) + g;
	}
	closedir(d);
}

static int procfs_open(const struct monitor_settings *s, void **state, char *why, size_t whylen)
{
	struct procfs_state *st = xcalloc(1, sizeof(*st));
	struct monitor_value sys[MON_SYS__COUNT];

	memset(sys, 0, sizeof(sys));
	o3_strlcpy(st->root, s->procfs_root, sizeof(st->root));
	if (monitor_path(st->meminfo, sizeof(st->meminfo), st->root, "meminfo") ||
	    read_meminfo(st->meminfo, sys)) {
		snprintf(why, whylen, "cannot read MemTotal from %s/meminfo", s->procfs_root);
		free(st);
		return -1;
	}
	st->gpu_vram = st->gpu_gtt = -1;
	*state = st;
	return 0;
}

static void procfs_describe(void *state, char *out, size_t outlen)
{
	struct procfs_state *st = state;
	if (!st->scanned) {
		scan_runners(st);
		st->scanned = 1;
		st->last_scan_ns = clock_now_ns();
	}
	if (st->n_runners)
		snprintf(out, outlen, "%s/meminfo; Ollama runner pid %d, %s%s", st->root,
			 st->runners[0], st->era[0], st->n_runners > 1 ? ", and more" : "");
	else
		snprintf(out, outlen, "%s/meminfo; no Ollama runner running", st->root);
}

static int procfs_sample(void *state, struct monitor_sample *out)
{
	struct procfs_state *st = state;
	uint64_t now = clock_now_ns();
	int64_t rss = -1, hwm = -1, v;
	unsigned i, n_clients = 0;
	int got = !read_meminfo(st->meminfo, out->sys), stale = 0;

	if (!st->scanned || now - st->last_scan_ns >= RESCAN_NS) {
		scan_runners(st);
		st->scanned = 1;
		st->last_scan_ns = now;
		st->gpu_vram = st->gpu_gtt = -1;
		for (i = 0; i < st->n_runners; i++)
			sweep_fdinfo(st, st->runners[i], &n_clients, &st->gpu_vram, &st->gpu_gtt);
	}
	for (i = 0; i < st->n_runners; i++) {
		char path[PATHLEN], buf[4096], *line, *save = NULL;
		if (pid_path(path, sizeof(path), st->root, st->runners[i], "status") ||
		    monitor_read_file(path, buf, sizeof(buf)) <= 0) {
			stale = 1; /* the runner went away: look again next tick */
			continue;
		}
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			if ((v = kb_value(line, "VmRSS")) >= 0)
				rss = (rss < 0 ? 0 : rss) + v;
			else if ((v = kb_value(line, "VmHWM")) >= 0)
				hwm = (hwm < 0 ? 0 : hwm) + v;
		}
	}
	if (stale)
		st->scanned = 0;
	if (st->n_runners) {
		monitor_value_set(&out->sys[MON_RUNNER_PID], st->runners[0], "procfs");
		monitor_value_set(&out->sys[MON_RUNNER_COUNT], st->n_runners, "procfs");
	}
	if (rss >= 0)
		monitor_value_set(&out->sys[MON_RUNNER_RSS], rss, "procfs");
	if (hwm >= 0)
		monitor_value_set(&out->sys[MON_RUNNER_HWM], hwm, "procfs");
	if (st->gpu_vram >= 0)
		monitor_value_set(&out->sys[MON_RUNNER_GPU_VRAM], st->gpu_vram, "procfs");
	if (st->gpu_gtt >= 0)
		monitor_value_set(&out->sys[MON_RUNNER_GPU_GTT], st->gpu_gtt, "procfs");
	return got ? 0 : -1;
}

static void procfs_close(void *state)
{
	free(state);
}

const struct monitor_backend monitor_backend_procfs = {
	.name = "procfs",
	.open = procfs_open,
	.describe = procfs_describe,
	.sample = procfs_sample,
	.close = procfs_close,
};

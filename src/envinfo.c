// SPDX-License-Identifier: MIT
#include "envinfo.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "clock.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

/* Server knobs: environment of `ollama serve` that changes speed or memory. */
static const char *const knob_names[] = {
	"OLLAMA_KV_CACHE_TYPE", "OLLAMA_FLASH_ATTENTION", "OLLAMA_NUM_PARALLEL",
	"OLLAMA_CONTEXT_LENGTH", "OLLAMA_KEEP_ALIVE", "OLLAMA_MAX_LOADED_MODELS",
	"OLLAMA_MAX_QUEUE", "OLLAMA_SCHED_SPREAD", "OLLAMA_GPU_OVERHEAD",
	"OLLAMA_LOAD_TIMEOUT", "OLLAMA_VULKAN", "OLLAMA_IGPU_ENABLE", "OLLAMA_LLM_LIBRARY",
	"OLLAMA_NEW_ENGINE", "LLAMA_ARG_FIT", "LLAMA_ARG_FIT_TARGET",
	"HSA_OVERRIDE_GFX_VERSION", "ROCR_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES",
	"CUDA_VISIBLE_DEVICES", "GGML_VK_VISIBLE_DEVICES",
};

static int read_file(const char *path, struct strbuf *sb, size_t cap)
{
	FILE *fp = fopen(path, "r");
	char buf[4096];
	size_t n;
	if (!fp)
		return -1;
	strbuf_init(sb, cap);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		if (strbuf_add(sb, buf, n))
			break;
	fclose(fp);
	return 0;
}

/* Value of "key<sep>value" lines, trimmed; NULL when absent. */
static char *line_value(const char *text, const char *key, char sep)
{
	size_t klen = strlen(key);
	const char *p = text;
	while (p && *p) {
		if (!strncmp(p, key, klen)) {
			const char *q = p + klen, *end;
			while (*q == ' ' || *q == '\t')
				q++;
			if (*q == sep) {
				q++;
				while (*q == ' ' || *q == '\t' || *q == '"')
					q++;
				end = strchr(q, '\n');
				if (!end)
					end = q + strlen(q);
				while (end > q && (end[-1] == '"' || isspace((unsigned char)end[-1])))
					end--;
				return xstrndup(q, (size_t)(end - q));
			}
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

static void add_owned_string(cJSON *o, const char *k, char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	free(v);
}

void envinfo_knobs_from_environ(cJSON *into, const char *blob, size_t len)
{
	size_t off = 0, i;
	while (off < len) {
		const char *entry = blob + off;
		size_t elen = strnlen(entry, len - off);
		for (i = 0; i < ARRAY_SIZE(knob_names); i++) {
			size_t kl = strlen(knob_names[i]);
			if (elen > kl && !strncmp(entry, knob_names[i], kl) && entry[kl] == '=') {
				char *v = xstrndup(entry + kl + 1, elen - kl - 1);
				cJSON_DeleteItemFromObjectCaseSensitive(into, knob_names[i]);
				cJSON_AddStringToObject(into, knob_names[i], v);
				free(v);
			}
		}
		off += elen + 1;
	}
}

static int is_ollama_serve(const char *cmdline, size_t len)
{
	/* argv[0] ends in "ollama" and argv[1] is "serve" */
	size_t a0 = strnlen(cmdline, len);
	const char *base, *slash;
	if (a0 >= len)
		return 0; /* argv[0] not terminated: not a full command line */
	slash = strrchr(cmdline, '/');
	base = slash ? slash + 1 : cmdline;
	return !strcmp(base, "ollama") && len - a0 - 1 >= 6 && !memcmp(cmdline + a0 + 1, "serve", 6);
}

/* Knobs of the local `ollama serve`, when its environ can be read. */
static void add_server_process_knobs(cJSON *snap, const char *procfs_root)
{
	DIR *d = opendir(procfs_root);
	struct dirent *de;
	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[512];
		struct strbuf cmd, env;
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "%s/%s/cmdline", procfs_root, de->d_name);
		if (read_file(path, &cmd, 1 << 16))
			continue;
		if (is_ollama_serve(cmd.buf, cmd.len)) {
			cJSON *proc = cJSON_AddObjectToObject(snap, "server_process");
			cJSON_AddNumberToObject(proc, "pid", atof(de->d_name));
			snprintf(path, sizeof(path), "%s/%s/environ", procfs_root, de->d_name);
			if (!read_file(path, &env, 1 << 20)) {
				cJSON *k = cJSON_AddObjectToObject(proc, "knobs");
				envinfo_knobs_from_environ(k, env.buf, env.len);
				strbuf_release(&env);
			} else {
				cJSON_AddStringToObject(proc, "knobs_unreadable",
					"its environment is not readable by this user");
			}
			strbuf_release(&cmd);
			break;
		}
		strbuf_release(&cmd);
	}
	closedir(d);
}

static void add_host(cJSON *snap, const char *procfs_root)
{
	struct utsname u;
	struct strbuf sb;
	char path[512];
	cJSON *cpu = cJSON_AddObjectToObject(snap, "cpu");
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	if (!uname(&u)) {
		cJSON *k = cJSON_AddObjectToObject(snap, "kernel");
		cJSON_AddStringToObject(k, "release", u.release);
		cJSON_AddStringToObject(k, "version", u.version);
		cJSON_AddStringToObject(k, "machine", u.machine);
		cJSON_AddStringToObject(snap, "hostname", u.nodename);
	}
	if (!read_file("/etc/os-release", &sb, 1 << 16)) {
		add_owned_string(snap, "distribution", line_value(sb.buf, "PRETTY_NAME", '='));
		strbuf_release(&sb);
	}
	snprintf(path, sizeof(path), "%s/cpuinfo", procfs_root);
	if (!read_file(path, &sb, 1 << 22)) {
		add_owned_string(cpu, "model", line_value(sb.buf, "model name", ':'));
		strbuf_release(&sb);
	}
	if (cores > 0)
		cJSON_AddNumberToObject(cpu, "logical_cores", (double)cores);
	snprintf(path, sizeof(path), "%s/meminfo", procfs_root);
	if (!read_file(path, &sb, 1 << 16)) {
		char *v = line_value(sb.buf, "MemTotal", ':');
		if (v)
			cJSON_AddNumberToObject(snap, "ram_bytes", atof(v) * 1024.0);
		free(v);
		strbuf_release(&sb);
	}
}

static void add_gpu_memory(cJSON *g, const char *dir, const char *card, const char *sysfs_root);

/* GPUs as the DRM subsystem lists them: vendor, device, driver. */
static void add_gpus(cJSON *snap, const char *sysfs_root)
{
	char dir[512];
	DIR *d;
	struct dirent *de;
	cJSON *gpus = cJSON_AddArrayToObject(snap, "gpus");

	snprintf(dir, sizeof(dir), "%s/class/drm", sysfs_root);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[1024], link[512];
		struct strbuf sb;
		cJSON *g;
		ssize_t n;
		if (strncmp(de->d_name, "card", 4) || strchr(de->d_name, '-'))
			continue;
		snprintf(path, sizeof(path), "%s/%s/device/vendor", dir, de->d_name);
		if (read_file(path, &sb, 64))
			continue;
		g = cJSON_CreateObject();
		cJSON_AddStringToObject(g, "card", de->d_name);
		while (sb.len && isspace((unsigned char)sb.buf[sb.len - 1]))
			sb.buf[--sb.len] = '\0';
		cJSON_AddStringToObject(g, "vendor", sb.buf);
		strbuf_release(&sb);
		snprintf(path, sizeof(path), "%s/%s/device/device", dir, de->d_name);
		if (!read_file(path, &sb, 64)) {
			while (sb.len && isspace((unsigned char)sb.buf[sb.len - 1]))
				sb.buf[--sb.len] = '\0';
			cJSON_AddStringToObject(g, "device", sb.buf);
			strbuf_release(&sb);
		}
		snprintf(path, sizeof(path), "%s/%s/device/driver", dir, de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n > 0) {
			const char *base;
			link[n] = '\0';
			base = strrchr(link, '/');
			cJSON_AddStringToObject(g, "driver", base ? base + 1 : link);
		} else {
			/* no driver link (a copied tree): the uevent names it too */
			snprintf(path, sizeof(path), "%s/%s/device/uevent", dir, de->d_name);
			if (!read_file(path, &sb, 4096)) {
				add_owned_string(g, "driver", line_value(sb.buf, "DRIVER", '='));
				strbuf_release(&sb);
			}
		}
		add_gpu_memory(g, dir, de->d_name, sysfs_root);
		cJSON_AddItemToArray(gpus, g);
	}
	closedir(d);
}

/* A number in a sysfs file (bytes), or -1. */
static double sysfs_number(const char *path)
{
	struct strbuf sb;
	double v = -1;
	if (!read_file(path, &sb, 64)) {
		char *end;
		double x = strtod(sb.buf, &end);
		if (end != sb.buf && x >= 0)
			v = x;
		strbuf_release(&sb);
	}
	return v;
}

/* Memory sizes of an amdgpu card and its driver's version, when the files
 * exist: part of the machine's identity. */
static void add_gpu_memory(cJSON *g, const char *dir, const char *card, const char *sysfs_root)
{
	char path[1024];
	const char *driver = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(g, "driver"));
	struct strbuf sb;
	double v;
	snprintf(path, sizeof(path), "%s/%s/device/mem_info_vram_total", dir, card);
	if ((v = sysfs_number(path)) >= 0)
		cJSON_AddNumberToObject(g, "vram_total_bytes", v);
	snprintf(path, sizeof(path), "%s/%s/device/mem_info_gtt_total", dir, card);
	if ((v = sysfs_number(path)) >= 0)
		cJSON_AddNumberToObject(g, "gtt_total_bytes", v);
	if (driver && !strchr(driver, '/') && strcmp(driver, "..")) {
		snprintf(path, sizeof(path), "%s/module/%s/version", sysfs_root, driver);
		if (!read_file(path, &sb, 256)) {
			while (sb.len && isspace((unsigned char)sb.buf[sb.len - 1]))
				sb.buf[--sb.len] = '\0';
			if (sb.len)
				cJSON_AddStringToObject(g, "driver_version", sb.buf);
			strbuf_release(&sb);
		}
	}
}

/* NVIDIA GPUs as the proprietary driver lists them (/proc/driver/nvidia/gpus). */
static void add_nvidia(cJSON *snap, const char *procfs_root)
{
	char path[512];
	DIR *d;
	struct dirent *de;
	int n = 0;
	snprintf(path, sizeof(path), "%s/driver/nvidia/gpus", procfs_root);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	cJSON_AddNumberToObject(snap, "nvidia_gpus", n);
}

static void add_server(cJSON *snap, struct ollama_client *c)
{
	cJSON *srv = cJSON_AddObjectToObject(snap, "ollama");
	struct ollama_error err;
	struct ollama_tag *tags = NULL;
	size_t n = 0, i;
	char version[64];

	cJSON_AddStringToObject(srv, "url", ollama_client_base_url(c));
	if (ollama_version(c, version, sizeof(version), &err)) {
		cJSON_AddStringToObject(srv, "error", err.message);
		return;
	}
	cJSON_AddStringToObject(srv, "version", version);
	/* o3's simulator says so; a real Ollama never does */
	cJSON_AddBoolToObject(srv, "simulated", ollama_client_simulator(c)[0] != '\0');
	if (ollama_client_simulator(c)[0])
		cJSON_AddStringToObject(srv, "simulator", ollama_client_simulator(c));
	if (!ollama_tags(c, &tags, &n, &err)) {
		cJSON *models = cJSON_AddArrayToObject(srv, "models");
		for (i = 0; i < n; i++) {
			cJSON *m = cJSON_CreateObject();
			cJSON_AddStringToObject(m, "name", tags[i].name);
			cJSON_AddStringToObject(m, "digest", tags[i].digest);
			cJSON_AddNumberToObject(m, "size_bytes", (double)tags[i].size_bytes);
			if (tags[i].quantization_level[0])
				cJSON_AddStringToObject(m, "quantization_level", tags[i].quantization_level);
			if (tags[i].parameter_size[0])
				cJSON_AddStringToObject(m, "parameter_size", tags[i].parameter_size);
			cJSON_AddItemToArray(models, m);
		}
		free(tags);
	}
}

cJSON *envinfo_snapshot(struct ollama_client *client, const char *procfs_root,
			const char *sysfs_root)
{
	extern char **environ;
	cJSON *snap = cJSON_CreateObject(), *knobs;
	char when[40];
	char **e;

	clock_utc_rfc3339(when, sizeof(when));
	cJSON_AddStringToObject(snap, "schema", "o3.env");
	cJSON_AddNumberToObject(snap, "schema_version", 1);
	cJSON_AddStringToObject(snap, "time_utc", when);
	cJSON_AddStringToObject(snap, "o3_version", O3_VERSION);
	add_host(snap, procfs_root);
	add_gpus(snap, sysfs_root);
	add_nvidia(snap, procfs_root);
	/* knobs in o3's own environment: what a managed server would get */
	knobs = cJSON_AddObjectToObject(snap, "client_env_knobs");
	for (e = environ; *e; e++)
		envinfo_knobs_from_environ(knobs, *e, strlen(*e) + 1);
	add_server_process_knobs(snap, procfs_root);
	if (client)
		add_server(snap, client);
	return snap;
}

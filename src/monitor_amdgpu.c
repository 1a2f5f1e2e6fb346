// SPDX-License-Identifier: MIT
/* amdgpu sysfs: the first choice on AMD (monitoring.md section 2). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monitor.h"
#include "monitor_backend.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

#define PATHLEN 512

enum amd_file {
	F_VRAM_USED, F_VRAM_TOTAL, F_GTT_USED, F_GTT_TOTAL, F_BUSY,
	F_TEMP, F_POWER_AVG, F_POWER_INPUT, F_FREQ1, F_FREQ2, F_DPM_SCLK, F_DPM_MCLK,
	F__COUNT
};

struct amd_card {
	char id[32];
	char pci[32];
	char name[96];
	int metrics_format; /* gpu_metrics format_revision, -1 unknown */
	char path[F__COUNT][PATHLEN];
};

struct amd_state {
	unsigned n;
	struct amd_card cards[MONITOR_MAX_DEVICES];
};

static const char *const dev_files[] = {
	[F_VRAM_USED] = "mem_info_vram_used",
	[F_VRAM_TOTAL] = "mem_info_vram_total",
	[F_GTT_USED] = "mem_info_gtt_used",
	[F_GTT_TOTAL] = "mem_info_gtt_total",
	[F_BUSY] = "gpu_busy_percent",
	[F_DPM_SCLK] = "pp_dpm_sclk",
	[F_DPM_MCLK] = "pp_dpm_mclk",
};
static const char *const hwmon_files[] = {
	[F_TEMP] = "temp1_input",
	[F_POWER_AVG] = "power1_average",
	[F_POWER_INPUT] = "power1_input",
	[F_FREQ1] = "freq1_input",
	[F_FREQ2] = "freq2_input",
};

static void trim(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

/* "card0".."card99": not connectors such as "card1-eDP-1". */
static int is_card(const char *name)
{
	const char *p;
	if (strncmp(name, "card", 4) || !name[4])
		return 0;
	for (p = name + 4; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return 1;
}

static int card_cmp(const void *a, const void *b)
{
	const struct amd_card *x = a, *y = b;
	return atoi(x->id + 4) - atoi(y->id + 4);
}

/* KEY=value from a uevent file into out; 0 when found. */
static int uevent_get(const char *dev, const char *key, char *out, size_t outlen)
{
	char path[PATHLEN], buf[2048], *line, *save = NULL;
	size_t klen = strlen(key);

	if (monitor_path(path, sizeof(path), dev, "uevent") ||
	    monitor_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, key, klen) && line[klen] == '=') {
			o3_strlcpy(out, line + klen + 1, outlen);
			return 0;
		}
	}
	return -1;
}

/* basename of a symlink's target into out; 0 when it is a link. */
static int link_base(const char *path, char *out, size_t outlen)
{
	char target[PATHLEN];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	const char *b;
	if (n <= 0)
		return -1;
	target[n] = '\0';
	b = strrchr(target, '/');
	o3_strlcpy(out, b ? b + 1 : target, outlen);
	return 0;
}

/* The driver bound to dev: the driver symlink, else uevent DRIVER=. */
static void driver_of(const char *dev, char *out, size_t outlen)
{
	char path[PATHLEN];
	out[0] = '\0';
	if (!monitor_path(path, sizeof(path), dev, "driver") && !link_base(path, out, outlen))
		return;
	uevent_get(dev, "DRIVER", out, outlen);
}

/* The first hwmon/hwmonN directory (lowest N); "" when none. */
static void find_hwmon(const char *dev, char *out, size_t outlen)
{
	char dir[PATHLEN];
	struct dirent *e;
	DIR *d;
	long best = -1;

	out[0] = '\0';
	if (monitor_path(dir, sizeof(dir), dev, "hwmon"))
		return;
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		long n;
		if (strncmp(e->d_name, "hwmon", 5) || o3_parse_long(e->d_name + 5, &n) || n < 0)
			continue;
		if (best < 0 || n < best) {
			best = n;
			if (monitor_path(out, outlen, dir, e->d_name))
				out[0] = '\0';
		}
	}
	closedir(d);
}

static int metrics_format(const char *dev)
{
	char path[PATHLEN], buf[8];
	if (monitor_path(path, sizeof(path), dev, "gpu_metrics") ||
	    monitor_read_file(path, buf, sizeof(buf)) < 4)
		return -1;
	/* struct metrics_table_header { u16 structure_size; u8 format_revision; u8 content_revision; } */
	return (unsigned char)buf[2];
}

static void card_setup(struct amd_card *c, const char *dev)
{
	char hwmon[PATHLEN], buf[128], path[PATHLEN];
	size_t i;

	/* The PCI address: uevent PCI_SLOT_NAME, else where the device link points. */
	if (uevent_get(dev, "PCI_SLOT_NAME", c->pci, sizeof(c->pci)) &&
	    !link_base(dev, buf, sizeof(buf)) && strchr(buf, ':'))
		o3_strlcpy(c->pci, buf, sizeof(c->pci));
	if (!monitor_path(path, sizeof(path), dev, "product_name") &&
	    monitor_read_file(path, buf, sizeof(buf)) > 0) {
		trim(buf);
		o3_strlcpy(c->name, buf, sizeof(c->name));
	} else if (!monitor_path(path, sizeof(path), dev, "device") &&
		   monitor_read_file(path, buf, sizeof(buf)) > 0) {
		trim(buf);
		snprintf(c->name, sizeof(c->name), "AMD GPU %.40s", buf);
	}
	c->metrics_format = metrics_format(dev);
	find_hwmon(dev, hwmon, sizeof(hwmon));
	for (i = 0; i < F__COUNT; i++) {
		c->path[i][0] = '\0';
		if (i < ARRAY_SIZE(dev_files) && dev_files[i])
			monitor_path(c->path[i], PATHLEN, dev, dev_files[i]);
		else if (i < ARRAY_SIZE(hwmon_files) && hwmon_files[i] && hwmon[0])
			monitor_path(c->path[i], PATHLEN, hwmon, hwmon_files[i]);
	}
}

static int amdgpu_open(const struct monitor_settings *s, void **state, char *why, size_t whylen)
{
	struct amd_state *st = xcalloc(1, sizeof(*st));
	struct strbuf seen = STRBUF_INIT;
	char drm[PATHLEN], dev[PATHLEN], path[PATHLEN], buf[64], drv[64];
	struct dirent *e;
	DIR *d;

	snprintf(drm, sizeof(drm), "%s/class/drm", s->sysfs_root);
	d = opendir(drm);
	if (!d) {
		snprintf(why, whylen, "no %s (no GPU driver loaded)", drm);
		free(st);
		return -1;
	}
	while ((e = readdir(d))) {
		struct amd_card *c;
		if (!is_card(e->d_name))
			continue;
		{
			int k = snprintf(dev, sizeof(dev), "%s/%s/device", drm, e->d_name);
			if (k < 0 || (size_t)k >= sizeof(dev))
				continue;
		}
		if (monitor_path(path, sizeof(path), dev, "vendor") ||
		    monitor_read_file(path, buf, sizeof(buf)) <= 0)
			buf[0] = '\0';
		trim(buf);
		driver_of(dev, drv, sizeof(drv));
		if (strcmp(buf, "0x1002") || strcmp(drv, "amdgpu")) {
			strbuf_addf(&seen, "%s%s: vendor %s, driver %s", seen.len ? "; " : "",
				    e->d_name, buf[0] ? buf : "unknown", drv[0] ? drv : "unknown");
			continue;
		}
		if (st->n >= MONITOR_MAX_DEVICES)
			continue;
		c = &st->cards[st->n++];
		o3_strlcpy(c->id, e->d_name, sizeof(c->id));
		card_setup(c, dev);
	}
	closedir(d);
	if (!st->n) {
		snprintf(why, whylen, "no amdgpu card under %s%s%s%s", drm, seen.len ? " (" : "",
			 seen.buf, seen.len ? ")" : "");
		strbuf_release(&seen);
		free(st);
		return -1;
	}
	strbuf_release(&seen);
	qsort(st->cards, st->n, sizeof(st->cards[0]), card_cmp);
	*state = st;
	return 0;
}

static void amdgpu_describe(void *state, char *out, size_t outlen)
{
	struct amd_state *st = state;
	struct strbuf sb = STRBUF_INIT;
	unsigned i;
	for (i = 0; i < st->n; i++)
		strbuf_addf(&sb, "%s%s%s%s", i ? "; " : "", st->cards[i].id,
			    st->cards[i].pci[0] ? ", " : "", st->cards[i].pci);
	o3_strlcpy(out, sb.buf, outlen);
	strbuf_release(&sb);
}

/* The current level ("N: 1234Mhz *") of a pp_dpm_* file, in MHz. */
static int dpm_current_mhz(const char *path, int64_t *mhz)
{
	char buf[1024], *line, *save = NULL;
	if (!path[0] || monitor_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':'), *end;
		long v;
		if (!colon || !strchr(line, '*'))
			continue;
		v = strtol(colon + 1, &end, 10);
		if (end == colon + 1 || v <= 0 || strncasecmp(end, "mhz", 3))
			return -1;
		*mhz = v;
		return 0;
	}
	return -1;
}

static int read_field(const struct amd_card *c, enum amd_file f, uint64_t *v)
{
	return c->path[f][0] ? monitor_read_u64(c->path[f], v) : -1;
}

static int amdgpu_sample(void *state, struct monitor_sample *out)
{
	static const struct { enum amd_file file; enum monitor_dev_field field; } mem[] = {
		{ F_VRAM_USED, MON_VRAM_USED }, { F_VRAM_TOTAL, MON_VRAM_TOTAL },
		{ F_GTT_USED, MON_GTT_USED }, { F_GTT_TOTAL, MON_GTT_TOTAL },
		{ F_BUSY, MON_BUSY_PCT },
	};
	struct amd_state *st = state;
	unsigned i, got = 0;
	size_t k;

	for (i = 0; i < st->n; i++) {
		const struct amd_card *c = &st->cards[i];
		struct monitor_device *d = monitor_sample_device(out, c->id, c->pci, "amdgpu");
		uint64_t v;
		int64_t mhz;

		if (!d)
			break;
		if (!d->name[0])
			o3_strlcpy(d->name, c->name, sizeof(d->name));
		for (k = 0; k < ARRAY_SIZE(mem); k++) {
			if (!read_field(c, mem[k].file, &v)) {
				monitor_value_set(&d->f[mem[k].field], (int64_t)v, "amdgpu");
				got++;
			}
		}
		if (!read_field(c, F_TEMP, &v))
			monitor_value_set(&d->f[MON_TEMP_MC], (int64_t)v, "amdgpu"), got++;
		if (!read_field(c, F_POWER_AVG, &v) || !read_field(c, F_POWER_INPUT, &v))
			monitor_value_set(&d->f[MON_POWER_MW], (int64_t)(v / 1000), "amdgpu"), got++;
		if (!read_field(c, F_FREQ1, &v))
			monitor_value_set(&d->f[MON_SCLK_MHZ], (int64_t)(v / 1000000), "amdgpu"), got++;
		else if (!dpm_current_mhz(c->path[F_DPM_SCLK], &mhz))
			monitor_value_set(&d->f[MON_SCLK_MHZ], mhz, "amdgpu"), got++;
		if (!read_field(c, F_FREQ2, &v))
			monitor_value_set(&d->f[MON_MCLK_MHZ], (int64_t)(v / 1000000), "amdgpu"), got++;
		else if (!dpm_current_mhz(c->path[F_DPM_MCLK], &mhz))
			monitor_value_set(&d->f[MON_MCLK_MHZ], mhz, "amdgpu"), got++;
		if (d->unified < 0) {
			const struct monitor_value *vt = &d->f[MON_VRAM_TOTAL], *gt = &d->f[MON_GTT_TOTAL];
			d->unified = monitor_memory_amd_unified(vt->backend ? vt->v : -1,
								gt->backend ? gt->v : -1,
								c->metrics_format, d->unified_why,
								sizeof(d->unified_why));
		}
	}
	return got ? 0 : -1;
}

static void amdgpu_close(void *state)
{
	free(state);
}

const struct monitor_backend monitor_backend_amdgpu = {
	.name = "amdgpu",
	.open = amdgpu_open,
	.describe = amdgpu_describe,
	.sample = amdgpu_sample,
	.close = amdgpu_close,
};

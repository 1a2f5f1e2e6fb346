// SPDX-License-Identifier: MIT
/*
 * Fuzz target for the monitor's parsers of sysfs and procfs files: the input,
 * cut at NUL bytes, replaces the contents of the files the amdgpu and procfs
 * backends read in a copy of the fake Strix Halo (fixtures/sysfs and
 * fixtures/procfs), and one sample is taken. Any crash, sanitizer report or
 * leak fails. The copy lives in a temporary folder made on the first call.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monitor.h"

#ifndef FUZZ_SOURCE_ROOT
#define FUZZ_SOURCE_ROOT "."
#endif

#define DEV "sys/devices/pci0000:00/0000:00:08.1/0000:c5:00.0/"

static const char *const files[] = {
	"proc/meminfo",
	DEV "mem_info_vram_used",
	DEV "mem_info_gtt_used",
	DEV "mem_info_gtt_total",
	DEV "pp_dpm_sclk",
	DEV "gpu_busy_percent",
	DEV "hwmon/hwmon5/temp1_input",
	DEV "hwmon/hwmon5/power1_average",
};

static char root[64], sys[96], proc[96]; /* outlive the monitor */
static struct monitor *mon;

static void cleanup(void)
{
	char cmd[128];
	monitor_free(mon);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd))
		fprintf(stderr, "fuzz_monitor: cannot remove %s\n", root);
}

static void setup(void)
{
	const char *src = getenv("O3_SOURCE_ROOT") ? getenv("O3_SOURCE_ROOT") : FUZZ_SOURCE_ROOT;
	char cmd[2048];
	struct monitor_settings s;
	snprintf(root, sizeof(root), "/tmp/o3-fuzzmon-XXXXXX");
	if (!mkdtemp(root))
		abort();
	snprintf(cmd, sizeof(cmd), "cp -a '%s/fixtures/sysfs/strix-halo-512m' '%s/sys' && "
		 "cp -a '%s/fixtures/procfs/strix-halo-512m' '%s/proc'", src, root, src, root);
	if (system(cmd))
		abort();
	snprintf(sys, sizeof(sys), "%s/sys", root);
	snprintf(proc, sizeof(proc), "%s/proc", root);
	monitor_settings_default(&s);
	s.sysfs_root = sys;
	s.procfs_root = proc;
	s.nvml_library = "/nonexistent/libnvidia-ml.so.1";
	mon = monitor_new(&s);
	atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i = 0, start = 0, f = 0;
	cJSON *reading = NULL;
	char msg[256];

	if (!mon)
		setup();
	for (i = 0; i <= size && f < sizeof(files) / sizeof(files[0]); i++) {
		if (i == size || data[i] == 0) {
			char path[256];
			FILE *fp;
			snprintf(path, sizeof(path), "%s/%s", root, files[f++]);
			fp = fopen(path, "wb");
			if (fp) {
				fwrite(data + start, 1, i - start, fp);
				fclose(fp);
			}
			start = i + 1;
		}
	}
	monitor_sample_once(mon, &reading);
	cJSON_Delete(reading);
	monitor_check_pressure(mon, msg, sizeof(msg));
	return 0;
}

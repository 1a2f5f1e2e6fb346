/* SPDX-License-Identifier: MIT */
#ifndef O3_ENVINFO_H
#define O3_ENVINFO_H
#include <cjson/cJSON.h>

#include "ollama.h"

/*
 * The environment snapshot of a run: o3 version, Ollama version and URL,
 * kernel, distribution, CPU model and cores, RAM, GPUs as the DRM subsystem
 * lists them, the server knobs as far as they can be known (o3's own
 * environment, and the environment of a local `ollama serve` process when it
 * is readable), and the pulled models with their digests.
 *
 * procfs_root and sysfs_root are "/proc" and "/sys" outside tests.
 * client may be NULL (no server figures).
 */
cJSON *envinfo_snapshot(struct ollama_client *client, const char *procfs_root,
			const char *sysfs_root);

/* The OLLAMA_* server knobs found in an environ blob (NUL-separated). */
void envinfo_knobs_from_environ(cJSON *into, const char *environ_blob, size_t len);

#endif

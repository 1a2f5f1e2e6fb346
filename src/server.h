/* SPDX-License-Identifier: MIT */
#ifndef O3_SERVER_H
#define O3_SERVER_H
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "ollama.h"

/*
 * Managed mode: o3 starts its own `ollama serve` on a private loopback port
 * with one combination of server knobs in its environment
 * (OLLAMA_KV_CACHE_TYPE, OLLAMA_FLASH_ATTENTION, ...), measures, and stops
 * it. Server knobs are read when the server starts, so each combination
 * needs a server of its own.
 */
struct managed_server {
	pid_t pid;                /* 0 when not running */
	struct ollama_host host;  /* where it listens */
	char log_path[512];       /* its stdout and stderr */
};

/*
 * Start `binary serve` with knobs (an object of NAME: "value") added to the
 * environment and OLLAMA_HOST set to a free loopback port; wait until it
 * answers /api/version (at most timeout_ms). log_dir receives its log.
 * Returns 0, or -1 with the reason (and the log's last line) in msg.
 */
int server_start(const char *binary, const cJSON *knobs, const char *log_dir, long timeout_ms,
		 struct managed_server *out, char *msg, size_t msglen);
/* 1 when the server has exited (reaped; how it ended in how), else 0. */
int server_exited(struct managed_server *s, char *how, size_t len);
/* SIGTERM, then SIGKILL after 10 s; reaps it. */
void server_stop(struct managed_server *s);

#endif

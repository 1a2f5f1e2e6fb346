/* SPDX-License-Identifier: MIT */
#ifndef O3_TEST_SIM_PROCESS_H
#define O3_TEST_SIM_PROCESS_H
#include <sys/types.h>

#include <cjson/cJSON.h>

/* The simulator as a child process of a test, on a free loopback port. */
struct sim_process {
	pid_t pid;
	int port;
	char host[64];     /* "127.0.0.1:PORT", for OLLAMA_HOST */
	char dir[64];      /* private temp folder (port file, log) */
};

/* Path of the o3-sim binary (O3_SIM, else O3_BUILD_ROOT/fixtures/ollama-sim/o3-sim). */
const char *sim_binary(void);
/* Start o3-sim with extra arguments (NULL-terminated) and extra environment
 * ("NAME=value", NULL-terminated, may be NULL). 0 or -1. */
int sim_start(struct sim_process *sp, const char *const *args, const char *const *env);
void sim_stop(struct sim_process *sp);
/* Run `o3-sim --truth ARGS...` under the same profile arguments; parsed JSON. */
cJSON *sim_truth(const char *const *args, const char *const *env);

/* Run a program, capture stdout and stderr (malloced), return its exit code
 * (or -1). env entries are added to the environment. */
int run_capture(const char *const *argv, const char *const *env, char **out, char **err);

#endif

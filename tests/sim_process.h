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

/*
 * A server as a child of the test on a free loopback port (o3-sim, the
 * llama.cpp fixture): argv (which names port_file as its port file) runs
 * with OLLAMA_HOST=127.0.0.1:0 and env ("NAME=value", NULL-terminated, may
 * be NULL) added, its output in log_file, and dies with the test
 * (PR_SET_PDEATHSIG). Waits up to wait_ms for the port; 0 with *pid and
 * *port set, or -1 (the log on stderr when the child exited first).
 */
int port_child_start(const char *const *argv, const char *const *env, const char *port_file,
		     const char *log_file, long wait_ms, pid_t *pid, int *port);
/* SIGTERM, SIGKILL after 2 s; reaps it; *pid = 0. */
void port_child_stop(pid_t *pid);

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

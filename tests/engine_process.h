/* SPDX-License-Identifier: MIT */
#ifndef O3_TEST_ENGINE_PROCESS_H
#define O3_TEST_ENGINE_PROCESS_H
/*
 * The llama.cpp fixture (fixtures/llamacpp-server, node) as a child process
 * of a test, on a free loopback port, and the random GGUF models it serves,
 * generated into the build folder.
 */
#include <sys/types.h>

struct engine_process {
	pid_t pid;
	int port;
	char host[64];     /* "127.0.0.1:PORT", for OLLAMA_HOST */
	char dir[64];      /* private temp folder (port file, log, timings) */
};

/* 0 when node 20 or later runs; -1 (and why on stderr) when it does not. */
int engine_node_available(void);
/* The model of a preset ("tiny", "100m") in the build folder, generated on
 * first use with python3 and numpy; NULL (and why on stderr) on failure. */
const char *engine_model(const char *preset);
/* Start the fixture serving model NAME=FILE with extra arguments and extra
 * environment ("NAME=value"), both NULL-terminated; 0 or -1. */
int engine_start(struct engine_process *ep, const char *name, const char *file,
		 const char *const *args, const char *const *env);
void engine_stop(struct engine_process *ep);
/* Path of the fixture's timings file (--timings-file, always given). */
const char *engine_timings_path(const struct engine_process *ep);
/* Run `node <fixture>/SCRIPT ARGS...` (NULL-terminated) with extra env;
 * stdout malloced in *out; the exit code. */
int engine_node_run(const char *script, const char *const *args, const char *const *env,
		    char **out, char **err);

#endif

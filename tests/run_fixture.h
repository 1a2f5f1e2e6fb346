/* SPDX-License-Identifier: MIT */
#ifndef O3_TESTS_RUN_FIXTURE_H
#define O3_TESTS_RUN_FIXTURE_H
/*
 * o3 run end to end against one simulator started by the test: the
 * simulator (up/down), o3 run on a suite of the source tree with the
 * results in the simulator's folder, and readers of what it wrote.
 */
#include <cjson/cJSON.h>

#include "sim_process.h"

extern char host_env[96];       /* "OLLAMA_HOST=<the simulator>" */
extern struct sim_process sim;

/* $var, or "." */
const char *root(const char *var);
/* A whole file as a string (caller frees); fails the test when unreadable. */
char *slurp(const char *path);
/* Start the simulator at time scale 0.002 with extra arguments (NULL-ended). */
void up(const char *const *extra);
/* Remove the results and stop the simulator. */
void down(void);
/* o3 run --suite <suite> --results <results> --no-progress [extra...] against
 * the simulator, with O3_TIME_SCALE=<time_scale> unless it is NULL. */
int o3_run_at(const char *suite, const char *results, const char *time_scale,
	      const char *const *extra, char **out, char **err);
/* o3 run --suite <suite> --results <sim dir>/results --no-progress [extra...] */
int o3_run(const char *suite, const char *const *extra, char **out, char **err);
/* Every record of <sim dir>/results/logs/run.jsonl. */
cJSON *read_log(void);
/* Records of the log with that key. */
int count_key(const cJSON *log, const char *key);
/* A record of a step (a probe, fill, trial or stability test), not one of
 * the run's own (run, identity, model-end). */
int is_step(const cJSON *rec);
/* <sim dir>/results/<rel> exists and is not empty. */
int file_exists(const char *rel);

#endif

// SPDX-License-Identifier: MIT
/* The end-to-end fixture of o3 run against a simulator (run_fixture.h). */
#include "run_fixture.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char host_env[96];
struct sim_process sim;

const char *root(const char *var)
{
	const char *r = getenv(var);
	return r ? r : ".";
}

/* A whole file as a string (caller frees); fails the test when unreadable. */
char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	long len;
	char *text;
	ck_assert_msg(fp != NULL, "cannot read %s", path);
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	text = calloc(1, (size_t)len + 1);
	ck_assert_int_eq(fread(text, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	return text;
}

void up(const char *const *extra)
{
	const char *args[16] = { "--time-scale", "0.002" };
	int n = 2;
	for (; extra && *extra && n < 15; extra++)
		args[n++] = *extra;
	args[n] = NULL;
	ck_assert_msg(sim_start(&sim, args, NULL) == 0, "cannot start %s", sim_binary());
	snprintf(host_env, sizeof(host_env), "OLLAMA_HOST=%s", sim.host);
}

void down(void)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/results'", sim.dir);
	if (system(cmd))
		fprintf(stderr, "cannot clean %s\n", sim.dir);
	sim_stop(&sim);
}

int o3_run_at(const char *suite, const char *results, const char *time_scale,
	      const char *const *extra, char **out, char **err)
{
	char o3[1024], suitepath[1024], scale[64];
	const char *argv[32];
	const char *env[] = { host_env, NULL, NULL };
	int n = 0;
	if (time_scale) {
		snprintf(scale, sizeof(scale), "O3_TIME_SCALE=%s", time_scale);
		env[1] = scale;
	}
	snprintf(o3, sizeof(o3), "%s/o3", root("O3_BUILD_ROOT"));
	snprintf(suitepath, sizeof(suitepath), "%s/%s", root("O3_SOURCE_ROOT"), suite);
	argv[n++] = o3;
	argv[n++] = "run";
	argv[n++] = "--suite";
	argv[n++] = suitepath;
	argv[n++] = "--results";
	argv[n++] = results;
	argv[n++] = "--no-progress";
	for (; extra && *extra && n < 31; extra++)
		argv[n++] = *extra;
	argv[n] = NULL;
	return run_capture(argv, env, out, err);
}

int o3_run(const char *suite, const char *const *extra, char **out, char **err)
{
	char results[256];
	snprintf(results, sizeof(results), "%s/results", sim.dir);
	return o3_run_at(suite, results, NULL, extra, out, err);
}

cJSON *read_log(void)
{
	char path[256], *line = NULL;
	size_t cap = 0;
	FILE *fp;
	cJSON *all = cJSON_CreateArray();
	snprintf(path, sizeof(path), "%s/results/logs/run.jsonl", sim.dir);
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	while (getline(&line, &cap, fp) > 0) {
		cJSON *o = cJSON_Parse(line);
		ck_assert_msg(o != NULL, "a line of the log is not JSON: %s", line);
		cJSON_AddItemToArray(all, o);
	}
	free(line);
	fclose(fp);
	return all;
}

int count_key(const cJSON *log, const char *key)
{
	const cJSON *r;
	int n = 0;
	cJSON_ArrayForEach(r, log) {
		const char *k = cJSON_GetStringValue(cJSON_GetObjectItem(r, "key"));
		n += k && !strcmp(k, key);
	}
	return n;
}

int file_exists(const char *rel)
{
	char path[512];
	struct stat st;
	snprintf(path, sizeof(path), "%s/results/%s", sim.dir, rel);
	return stat(path, &st) == 0 && st.st_size > 0;
}

int is_step(const cJSON *rec)
{
	static const char *const own[] = { "run", "identity", "model-end" };
	const char *phase = cJSON_GetStringValue(cJSON_GetObjectItem(rec, "phase"));
	size_t i;
	for (i = 0; phase && i < sizeof(own) / sizeof(own[0]); i++)
		if (!strcmp(phase, own[i]))
			return 0;
	return phase != NULL;
}

// SPDX-License-Identifier: MIT
/*
 * o3's client under load, for ci/bench.sh: S streams of POST /api/generate
 * at once from one thread (ollama_multi, the stability phase's client), or
 * one (ollama_generate, the trials'), against OLLAMA_HOST. Prints one JSON
 * object: chunks, wall and CPU time (the process's, its start included),
 * and with --gap-ms G how far each measured gap between two chunks lies
 * from the server's G (median, p99, max, in ms: the server's own jitter
 * included, so an upper bound of the client's).
 *
 *	bench-client --streams S [--gap-ms G]
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "clock.h"
#include "ollama.h"
#include "util.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	struct ollama_gen_request req = { .model = "bench:1b", .prompt = "go", .stream = 1, .think = -1 };
	struct ollama_host host;
	struct ollama_timeouts to;
	struct ollama_client *c;
	struct ollama_gen_result *res;
	struct ollama_error *err;
	struct rusage ru;
	char msg[256];
	long streams = 1, gap_ms = 0, failed = 0;
	size_t chunks = 0, n_dev = 0, i;
	double *dev = NULL;
	uint64_t t0;
	cJSON *out;
	char *text;
	int a;

	for (a = 1; a + 1 < argc; a += 2) {
		if (!strcmp(argv[a], "--streams"))
			streams = strtol(argv[a + 1], NULL, 10);
		else if (!strcmp(argv[a], "--gap-ms"))
			gap_ms = strtol(argv[a + 1], NULL, 10);
	}
	if (streams < 1 || streams > 4096 || gap_ms < 0 || a != argc) {
		fprintf(stderr, "usage: bench-client --streams S [--gap-ms G]\n");
		return 2;
	}
	if (ollama_host_parse(getenv("OLLAMA_HOST"), &host, msg, sizeof(msg))) {
		fprintf(stderr, "bench-client: %s\n", msg);
		return 2;
	}
	ollama_global_init();
	ollama_timeouts_default(&to);
	c = ollama_client_new(&host, &to);
	res = xcalloc((size_t)streams, sizeof(*res));
	err = xcalloc((size_t)streams, sizeof(*err));
	t0 = clock_now_ns();
	if (streams == 1) {
		ollama_gen_result_init(&res[0]);
		ollama_generate(c, &req, &res[0], &err[0]);
	} else {
		struct ollama_multi *m = ollama_multi_new(c, (int)streams);
		for (i = 0; i < (size_t)streams; i++) {
			ollama_gen_result_init(&res[i]);
			ollama_multi_start(m, (int)i, &req, &res[i], &err[i]);
		}
		ollama_multi_run(m, NULL, NULL);
		ollama_multi_free(m);
	}
	out = cJSON_CreateObject();
	cJSON_AddNumberToObject(out, "wall_s", (double)(clock_now_ns() - t0) / 1e9);
	for (i = 0; i < (size_t)streams; i++) {
		size_t k;
		failed += err[i].cls != OLLAMA_OK;
		chunks += res[i].n_chunks;
		if (gap_ms > 0 && res[i].n_chunks > 1) {
			dev = xrealloc(dev, (n_dev + res[i].n_chunks) * sizeof(*dev));
			for (k = 1; k < res[i].n_chunks; k++)
				dev[n_dev++] = fabs((double)(res[i].chunk_ns[k] - res[i].chunk_ns[k - 1]) / 1e6 -
						    (double)gap_ms);
		}
		ollama_gen_result_release(&res[i]);
	}
	getrusage(RUSAGE_SELF, &ru);
	cJSON_AddNumberToObject(out, "streams", (double)streams);
	cJSON_AddNumberToObject(out, "failed", (double)failed);
	cJSON_AddNumberToObject(out, "chunks", (double)chunks);
	cJSON_AddNumberToObject(out, "cpu_user_s", tv_s(ru.ru_utime));
	cJSON_AddNumberToObject(out, "cpu_sys_s", tv_s(ru.ru_stime));
	cJSON_AddNumberToObject(out, "maxrss_kb", (double)ru.ru_maxrss);
	if (n_dev) {
		qsort(dev, n_dev, sizeof(*dev), cmp_double);
		cJSON_AddNumberToObject(out, "gap_dev_median_ms", dev[n_dev / 2]);
		cJSON_AddNumberToObject(out, "gap_dev_p99_ms", dev[(size_t)((double)(n_dev - 1) * 0.99)]);
		cJSON_AddNumberToObject(out, "gap_dev_max_ms", dev[n_dev - 1]);
		cJSON_AddNumberToObject(out, "gaps", (double)n_dev);
	}
	text = cJSON_PrintUnformatted(out);
	printf("%s\n", text);
	cJSON_free(text);
	cJSON_Delete(out);
	free(dev);
	free(res);
	free(err);
	ollama_client_free(c);
	return failed ? 1 : 0;
}

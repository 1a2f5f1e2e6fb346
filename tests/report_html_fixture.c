// SPDX-License-Identifier: MIT
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_html_fixture.h"
#include "test_files.h"
#include "strbuf.h"
#include "banned.h"

char *html_fixture_slurp(const char *path, size_t *len)
{
	return test_slurp(path, len);
}

/* A record of the model with identity hash: key "<what>|id=<hash>". */
static cJSON *record(cJSON *records, const char *what, const char *hash, const char *phase,
		     double num_ctx)
{
	char key[256];
	cJSON *r = cJSON_CreateObject();
	snprintf(key, sizeof(key), "%s|num_ctx=%g|id=%s", what, num_ctx, hash);
	cJSON_AddStringToObject(r, "key", key);
	cJSON_AddStringToObject(r, "phase", phase);
	cJSON_AddNumberToObject(cJSON_AddObjectToObject(r, "options"), "num_ctx", num_ctx);
	cJSON_AddItemToObject(records, key, r);
	return r;
}

static void probe(cJSON *records, const char *hash, double num_ctx, const char *outcome, double pct)
{
	cJSON *r = record(records, "m|ceiling-probe", hash, "ceiling-probe", num_ctx);
	cJSON_AddStringToObject(r, "outcome", outcome);
	cJSON_AddNumberToObject(cJSON_AddObjectToObject(r, "memory"), "pct", pct);
}

static void trial(cJSON *records, const char *hash, double num_ctx, double peak)
{
	cJSON *r = record(records, "m|trial", hash, "trial", num_ctx);
	cJSON *mem = cJSON_AddObjectToObject(cJSON_AddObjectToObject(r, "monitor"), "memory");
	cJSON_AddNumberToObject(mem, "peak_pct", peak);
}

static cJSON *verdict(const char *preset, const char *metric, const char *v, double base,
		      double now, double p, int n)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "preset", preset);
	cJSON_AddStringToObject(o, "metric", metric);
	cJSON_AddStringToObject(o, "verdict", v);
	cJSON_AddNumberToObject(o, "baseline_median", base);
	cJSON_AddNumberToObject(o, "median", now);
	cJSON_AddNumberToObject(o, "change_pct", (now / base - 1) * 100);
	if (p == p) {
		cJSON *iv = cJSON_AddArrayToObject(o, "interval");
		cJSON_AddItemToObject(o, "p", cJSON_CreateNumber(p));
		cJSON_AddItemToArray(iv, cJSON_CreateNumber(now / base - 0.02));
		cJSON_AddItemToArray(iv, cJSON_CreateNumber(now / base + 0.02));
	}
	cJSON_AddNumberToObject(o, "n_baseline", n);
	cJSON_AddNumberToObject(o, "n", n);
	return o;
}

cJSON *html_fixture(void)
{
	const char *root = getenv("O3_SOURCE_ROOT");
	char path[4096], *text;
	cJSON *in, *models, *m0, *evil, *records, *cmps, *cmp, *arr, *d, *c;
	static const double depths[][2] = { { 1024, 80.1 }, { 2048, 79.0 }, { 4048, 77.3 } };
	size_t i;

	snprintf(path, sizeof(path), "%s/tests/data/reports/input.json", root ? root : ".");
	text = html_fixture_slurp(path, NULL);
	in = text ? cJSON_Parse(text) : NULL;
	free(text);
	if (!in) {
		fprintf(stderr, "cannot read %s\n", path);
		return NULL;
	}
	models = cJSON_GetObjectItemCaseSensitive(in, "models");
	m0 = cJSON_GetArrayItem(models, 0);
	/* depths measured, a prediction */
	c = cJSON_GetObjectItemCaseSensitive(m0, "ceiling");
	arr = cJSON_GetObjectItemCaseSensitive(c, "depth_points");
	for (i = 0; i < sizeof(depths) / sizeof(depths[0]); i++) {
		d = cJSON_CreateObject();
		cJSON_AddNumberToObject(d, "depth", depths[i][0]);
		cJSON_AddNumberToObject(d, "decode_tps", depths[i][1]);
		cJSON_AddItemToArray(arr, d);
	}
	cJSON_AddNumberToObject(cJSON_GetObjectItemCaseSensitive(c, "usable"), "predicted", 30000);
	/* a model whose name is markup */
	evil = cJSON_Duplicate(cJSON_GetArrayItem(models, 1), 1);
	cJSON_ReplaceItemInObjectCaseSensitive(evil, "model",
					       cJSON_CreateString("<script>alert(1)</script>"));
	cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(evil, "identity"),
					       "hash", cJSON_CreateString("deadbeefdeadbeef"));
	cJSON_AddStringToObject(evil, "finding", "<img src=x onerror=alert(2)> "
				"<link rel=stylesheet href=https://example.com/x.css>");
	cJSON_AddItemToArray(models, evil);

	/* the records: probes with memory (one out of memory), trials' peaks,
	 * and another identity's probe, which is not this model's */
	records = cJSON_AddObjectToObject(in, "records");
	probe(records, "8a4c3eae4cd2378f", 2048, "fits", 41.2);
	probe(records, "8a4c3eae4cd2378f", 4096, "fits", 55.0);
	probe(records, "8a4c3eae4cd2378f", 8192, "fits", 71.3);
	probe(records, "8a4c3eae4cd2378f", 16384, "oom", 93.5);
	probe(records, "0000000000000000", 2048, "fits", 12.0);
	trial(records, "8a4c3eae4cd2378f", 2048, 43.0);
	trial(records, "8a4c3eae4cd2378f", 4096, 57.5);
	trial(records, "8a4c3eae4cd2378f", 8192, 74.9);

	/* the comparison with a baseline */
	cmps = cJSON_AddArrayToObject(in, "comparisons");
	cmp = cJSON_CreateObject();
	cJSON_AddStringToObject(cmp, "model", "qwen2.5:3b-instruct");
	cJSON_AddStringToObject(cmp, "profile", "sim-smoke");
	cJSON_AddStringToObject(cmp, "identity_change", "Ollama 0.32.0 -> 0.33.0");
	arr = cJSON_AddArrayToObject(cmp, "ceilings");
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "what", "loads_up_to");
	cJSON_AddNumberToObject(d, "baseline", 16384);
	cJSON_AddNumberToObject(d, "now", 8192);
	cJSON_AddStringToObject(d, "verdict", "regression");
	cJSON_AddItemToArray(arr, d);
	arr = cJSON_AddArrayToObject(cmp, "verdicts");
	cJSON_AddItemToArray(arr, verdict("max_ctx", "decode_tps", "regression", 90.2, 82.8, 0.004, 5));
	cJSON_AddItemToArray(arr, verdict("max_ctx", "ttft_ms", "pass", 40.0, 40.3, 0.81, 5));
	cJSON_AddItemToArray(arr, verdict("fast", "decode_tps", "improvement", 75.0, 82.8, 0.008, 5));
	cJSON_AddItemToArray(arr, verdict("fast", "memory_bytes", "inconclusive", 2e9, 2.05e9, NAN, 1));
	cJSON_AddItemToArray(cmps, cmp);
	cmp = cJSON_CreateObject();
	cJSON_AddStringToObject(cmp, "model", "<b>bold</b>\xff");
	cJSON_AddArrayToObject(cmp, "verdicts");
	cJSON_AddItemToArray(cmps, cmp);
	return in;
}

int html_fixture_write(const cJSON *in, const char *dir)
{
	const struct report_writer *const only[] = { &report_writer_html, NULL };
	struct report_run run;
	memset(&run, 0, sizeof(run));
	run.suite_name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "suite_name"));
	run.dir = dir;
	run.env = cJSON_GetObjectItemCaseSensitive(in, "env");
	run.properties = cJSON_GetObjectItemCaseSensitive(in, "properties");
	run.timestamp = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "timestamp"));
	run.hostname = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "hostname"));
	run.records = cJSON_GetObjectItemCaseSensitive(in, "records");
	run.comparisons = cJSON_GetObjectItemCaseSensitive(in, "comparisons");
	return report_write_with(only, &run, cJSON_GetObjectItemCaseSensitive(in, "models"),
				 cJSON_GetObjectItemCaseSensitive(in, "steps"));
}

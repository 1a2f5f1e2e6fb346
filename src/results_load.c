// SPDX-License-Identifier: MIT
/*
 * A results folder read back (results.h): the log, the analysis of the
 * records its last run used (the same analyze_model o3 run called), the step
 * results and gates as o3 run listed them, the newest environment snapshot.
 * What o3 report, o3 baseline and o3 compare stand on.
 */
#include "results.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "msg.h"
#include "o3_exit.h"
#include "record.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

/* The log's records indexed by key (a later record replaces an earlier one,
 * as a resumed run reads them). */
static cJSON *index_of(const cJSON *log)
{
	cJSON *idx = cJSON_CreateObject();
	const cJSON *r;
	cJSON_ArrayForEach(r, log) {
		const char *key = rec_str(r, RK_KEY);
		if (!key)
			continue;
		cJSON_DeleteItemFromObjectCaseSensitive(idx, key);
		cJSON_AddItemReferenceToObject(idx, key, (cJSON *)r);
	}
	return idx;
}

/* The newest environment snapshot of the folder (env-<time>.json sorts by
 * time: env-20261202T021000.123Z.json, and an older o3's
 * env-2026-12-02T02:10:00.123Z.json, which sorts before it), or NULL. */
static cJSON *newest_env(const char *results)
{
	char dir[1024], path[1400], best[512] = "";
	DIR *d;
	struct dirent *de;
	FILE *fp;
	struct strbuf sb = STRBUF_INIT;
	cJSON *env = NULL;
	snprintf(dir, sizeof(dir), "%s/env", results);
	d = opendir(dir);
	if (!d)
		return NULL;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "env-", 4) && strstr(de->d_name, ".json") &&
		    strcmp(de->d_name, best) > 0)
			snprintf(best, sizeof(best), "%s", de->d_name);
	closedir(d);
	if (!best[0])
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, best);
	fp = fopen(path, "r");
	if (fp) {
		char buf[4096];
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
			strbuf_add(&sb, buf, n);
		fclose(fp);
		env = cJSON_ParseWithLength(sb.buf ? sb.buf : "", sb.len);
	}
	strbuf_release(&sb);
	return env;
}


static void add_gates(struct results *an, const cJSON *sum)
{
	const cJSON *g;
	cJSON_ArrayForEach(g, rec_get(sum, "gates")) {
		/* as step_gate lists a gate */
		cJSON *o = cJSON_CreateObject();
		const char *m = rec_str(g, "message");
		cJSON_AddStringToObject(o, "name", rec_str(g, "name"));
		cJSON_AddStringToObject(o, "status", cJSON_IsTrue(rec_get(g, "pass")) ? "ok" : "failed");
		if (m && *m)
			cJSON_AddStringToObject(o, "message", m);
		cJSON_AddNumberToObject(o, "time_s", 0);
		cJSON_AddBoolToObject(o, "gating", 1);
		cJSON_AddItemToArray(an->steps, o);
	}
}

static void analyse(struct results *an, struct analyze_input *in, const cJSON *const *recs,
		    size_t n)
{
	cJSON *sum;
	double v;
	in->suite = &an->suite;
	in->records = recs;
	in->n_records = n;
	in->parallel = an->parallel;
	if (rec_num(an->run, "parallel", &v) && v >= 1 && !an->parallel)
		in->parallel = (int)v;
	if (in->parallel < 1)
		in->parallel = 1;
	in->has_gpu = an->run ? cJSON_IsTrue(rec_get(an->run, "has_gpu")) : 1;
	in->identity = rec_get(in->facts, "identity");
	in->ttft_on_server = rec_num(rec_get(in->identity, "measurement"), "time_scale", &v) && v < 1;
	sum = analyze_model(in);
	add_gates(an, sum);
	cJSON_AddItemToArray(an->models, sum);
}

/* The models of the last run, each from its model-end record: the records
 * the search used, in its order. */
static int from_model_ends(struct results *an, const cJSON *log)
{
	const char *run_id = rec_str(an->run, RK_ID);
	const cJSON *r, *k, *x;
	int n = 0;
	cJSON_ArrayForEach(r, log) {
		struct analyze_input in;
		const cJSON **recs;
		size_t nr = 0;
		char key[800];
		double v;
		if (!rec_is_phase(r, RP_MODEL_END) || !run_id || !rec_str(r, "run_id") ||
		    strcmp(rec_str(r, "run_id"), run_id))
			continue;
		memset(&in, 0, sizeof(in));
		in.model = rec_str(r, RK_MODEL);
		snprintf(key, sizeof(key), "%s|%s|%s", in.model, RP_IDENTITY, rec_str(r, "identity_hash"));
		in.facts = rec_get(an->index, key);
		in.previous_identity = rec_get(r, "previous_identity");
		in.server_knobs = rec_get(r, "server_knobs");
		in.complete = cJSON_IsTrue(rec_get(r, "complete"));
		in.steps_measured_again = rec_num(r, "steps_measured", &v) ? (long)v : -1;
		in.rollback = rec_get(r, "rollback");
		recs = xcalloc((size_t)cJSON_GetArraySize(rec_get(r, "steps")) + 1, sizeof(*recs));
		cJSON_AddItemToArray(an->model_ends, cJSON_CreateString(rec_str(r, RK_ID) ?
								       rec_str(r, RK_ID) : ""));
		cJSON_ArrayForEach(k, rec_get(r, "steps"))
			if ((x = rec_get(an->index, cJSON_GetStringValue(k))))
				recs[nr++] = x;
		cJSON_ArrayForEach(x, rec_get(r, "results"))
			cJSON_AddItemToArray(an->steps, cJSON_Duplicate(x, 1));
		analyse(an, &in, recs, nr);
		free(recs);
		n++;
	}
	return n;
}

/* A log of o3's schema 1: the step records of each model, in the log's
 * order, with no facts or identity. */
static int from_schema_1(struct results *an, const cJSON *log)
{
	const cJSON *r;
	cJSON *names = cJSON_CreateArray(), *nm;
	int n = 0;
	cJSON_ArrayForEach(r, log) {
		const char *m = rec_str(r, RK_MODEL);
		int seen = 0;
		cJSON_ArrayForEach(nm, names)
			seen |= !strcmp(cJSON_GetStringValue(nm), m ? m : "");
		if (m && !seen && rec_str(r, RK_PHASE))
			cJSON_AddItemToArray(names, cJSON_CreateString(m));
	}
	cJSON_ArrayForEach(nm, names) {
		struct analyze_input in;
		const cJSON **recs = xcalloc((size_t)cJSON_GetArraySize(log) + 1, sizeof(*recs));
		size_t nr = 0;
		memset(&in, 0, sizeof(in));
		in.model = cJSON_GetStringValue(nm);
		in.complete = 1;
		in.steps_measured_again = -1;
		cJSON_ArrayForEach(r, log) {
			const char *key = rec_str(r, RK_KEY);
			/* each step once: its last record, as a resumed run takes it
			 * (the index's entry is a reference to that record) */
			if (rec_str(r, RK_MODEL) && !strcmp(rec_str(r, RK_MODEL), in.model) && key &&
			    rec_get(an->index, key)->child == r->child)
				recs[nr++] = r;
		}
		analyse(an, &in, recs, nr);
		free(recs);
		n++;
	}
	cJSON_Delete(names);
	return n;
}

int results_load(const char *dir, const char *suite_path, int parallel, struct results *r,
		 char *msg, size_t msglen)
{
	struct suite_error serr;
	char path[1200], buf[1024];
	const cJSON *rec;
	int rc;

	memset(r, 0, sizeof(*r));
	r->parallel = parallel;
	snprintf(path, sizeof(path), "%s/logs/run.jsonl", dir);
	r->log = record_log_read(path, msg, msglen);
	if (!r->log)
		return O3_EXIT_INPUT;
	cJSON_ArrayForEach(rec, r->log)
		if (rec_is_phase(rec, RP_RUN))
			r->run = rec; /* the last run */
	if (suite_path) {
		rc = suite_load_file(suite_path, &r->suite, &serr);
	} else if (r->run && rec_str(r->run, "suite_text")) {
		const char *text = rec_str(r->run, "suite_text");
		rc = suite_load_string(rec_str(r->run, "suite_file") ? rec_str(r->run, "suite_file") :
				       "suite", text, strlen(text), &r->suite, &serr);
	} else {
		snprintf(msg, msglen, "%s records no run of a suite (a log of o3's schema 1): give the "
			 "suite with --suite", path);
		results_release(r);
		return O3_EXIT_INPUT;
	}
	if (rc) {
		snprintf(msg, msglen, "%s", suite_error_format(&serr, buf, sizeof(buf)));
		results_release(r);
		return O3_EXIT_INPUT;
	}
	r->have_suite = 1;
	r->index = index_of(r->log);
	r->models = cJSON_CreateArray();
	r->steps = cJSON_CreateArray();
	r->model_ends = cJSON_CreateArray();
	if (!(r->run ? from_model_ends(r, r->log) : from_schema_1(r, r->log)))
		warning("%s holds no finished model of its last run", path);
	r->env = newest_env(dir);
	r->machine = cJSON_Duplicate(rec_get(r->run, "machine"), 1);
	return 0;
}

void results_release(struct results *r)
{
	cJSON_Delete(r->machine);
	cJSON_Delete(r->env);
	cJSON_Delete(r->models);
	cJSON_Delete(r->steps);
	cJSON_Delete(r->model_ends);
	cJSON_Delete(r->index);
	cJSON_Delete(r->log);
	if (r->have_suite)
		suite_release(&r->suite);
	memset(r, 0, sizeof(*r));
}

const cJSON *results_record(const struct results *r, const char *id)
{
	const cJSON *rec;
	cJSON_ArrayForEach(rec, r->log)
		if (rec_str(rec, RK_ID) && id && !strcmp(rec_str(rec, RK_ID), id))
			return rec;
	return NULL;
}

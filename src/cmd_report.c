// SPDX-License-Identifier: MIT
/*
 * o3 report: every report of a results folder again, from its log alone,
 * offline: the same analysis (analyze.h) of the same records that o3 run
 * made its reports from, so the files come out the same (JUnit's timestamp
 * and host name aside).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "cli.h"
#include "cmd.h"
#include "msg.h"
#include "o3_exit.h"
#include "record.h"
#include "report.h"
#include "results.h"
#include "strbuf.h"
#include "suite.h"
#include "util.h"
#include "banned.h"

enum { OPT_SUITE = 2000, OPT_PARALLEL };

static const struct cli_option options[] = {
	{ "suite", 's', 0, "FILE", "judge by this suite (default: the one the run recorded; a log of "
	  "o3's schema 1 has none)" },
	{ "parallel", 0, OPT_PARALLEL, "N", "the server's parallel slots, for a log that does not say (default 1)" },
	{ "help", 'h', 0, NULL, "show this help" },
};

static const char description[] =
	"Writes every report of RESULTS (summaries/, defaults/, junit.xml) again from\n"
	"RESULTS/logs/run.jsonl alone, with no server: the analysis of the records\n"
	"the last run used, by the criteria of the suite it recorded. Use it after\n"
	"changing how o3 reports, or on results copied from another machine.";

struct report_args {
	const char *results;
	const char *suite_path;
	int parallel;
};

static int parse(int argc, char **argv, struct report_args *a)
{
	struct option *lo;
	char *so;
	int c, rc = 0;
	long v;
	cli_build(options, ARRAY_SIZE(options), &lo, &so);
	optind = 1;
	opterr = 0;
	while (!rc && (c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		switch (c) {
		case 'h':
			cli_print_help(stdout, "o3 report [options] RESULTS", description, options,
				       ARRAY_SIZE(options));
			rc = 1;
			break;
		case 's': a->suite_path = optarg; break;
		case OPT_PARALLEL:
			if (o3_parse_long(optarg, &v) || v < 1 || v > 1024) {
				error("--parallel expects a whole number from 1 to 1024, not '%s'", optarg);
				rc = -1;
			}
			a->parallel = (int)v;
			break;
		default:
			error("unknown or incomplete option '%s' (see 'o3 report --help')", argv[optind - 1]);
			rc = -1;
		}
	}
	free(lo);
	free(so);
	if (!rc && optind != argc - 1) {
		error(optind >= argc ? "o3 report needs the results folder (see 'o3 report --help')" :
		      "o3 report takes one results folder, not '%s'", argv[optind < argc ? argc - 1 : 0]);
		rc = -1;
	}
	if (!rc)
		a->results = argv[optind];
	return rc;
}

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
 * time), or NULL. */
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

struct analysis {
	const struct report_args *a;
	const struct suite *suite;
	const cJSON *run;      /* the run record, or NULL (schema 1) */
	const cJSON *index;
	cJSON *models;         /* summaries */
	cJSON *steps;          /* step results and gates, as o3 run listed them */
};

static void add_gates(struct analysis *an, const cJSON *sum)
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

static void analyse(struct analysis *an, struct analyze_input *in, const cJSON *const *recs,
		    size_t n)
{
	cJSON *sum;
	double v;
	in->suite = an->suite;
	in->records = recs;
	in->n_records = n;
	in->parallel = an->a->parallel;
	if (rec_num(an->run, "parallel", &v) && v >= 1 && !an->a->parallel)
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
static int from_model_ends(struct analysis *an, const cJSON *log)
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
		recs = xcalloc((size_t)cJSON_GetArraySize(rec_get(r, "steps")) + 1, sizeof(*recs));
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
static int from_schema_1(struct analysis *an, const cJSON *log)
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

static int gates_failed(const cJSON *steps)
{
	const cJSON *r;
	int n = 0;
	cJSON_ArrayForEach(r, steps)
		n += cJSON_IsTrue(rec_get(r, "gating")) && rec_str(r, RK_STATUS) &&
		     strcmp(rec_str(r, RK_STATUS), "ok");
	return n;
}

int cmd_report(int argc, char **argv)
{
	struct report_args a = { NULL, NULL, 0 };
	struct analysis an;
	struct suite s;
	struct suite_error serr;
	char path[1200], msg[600], buf[1024];
	cJSON *log, *env, *machine;
	const cJSON *r;
	int rc;

	rc = parse(argc, argv, &a);
	if (rc)
		return rc > 0 ? O3_EXIT_OK : O3_EXIT_USAGE;
	snprintf(path, sizeof(path), "%s/logs/run.jsonl", a.results);
	log = record_log_read(path, msg, sizeof(msg));
	if (!log) {
		error("%s", msg);
		return O3_EXIT_INPUT;
	}
	memset(&an, 0, sizeof(an));
	an.a = &a;
	cJSON_ArrayForEach(r, log)
		if (rec_is_phase(r, RP_RUN))
			an.run = r; /* the last run */
	if (a.suite_path) {
		rc = suite_load_file(a.suite_path, &s, &serr);
	} else if (an.run && rec_str(an.run, "suite_text")) {
		const char *text = rec_str(an.run, "suite_text");
		rc = suite_load_string(rec_str(an.run, "suite_file") ? rec_str(an.run, "suite_file") :
				       "suite", text, strlen(text), &s, &serr);
	} else {
		error("%s records no run of a suite (a log of o3's schema 1): give the suite with --suite",
		      path);
		cJSON_Delete(log);
		return O3_EXIT_INPUT;
	}
	if (rc) {
		error("%s", suite_error_format(&serr, buf, sizeof(buf)));
		cJSON_Delete(log);
		return O3_EXIT_INPUT;
	}
	an.suite = &s;
	an.index = index_of(log);
	an.models = cJSON_CreateArray();
	an.steps = cJSON_CreateArray();
	if (!(an.run ? from_model_ends(&an, log) : from_schema_1(&an, log)))
		warning("%s holds no finished model of its last run: the reports are empty", path);
	env = newest_env(a.results);
	machine = cJSON_Duplicate(rec_get(an.run, "machine"), 1);
	{
		char stamp[32];
		struct results_reports rr = { a.results, s.name, an.models, an.steps, env, machine,
					      NULL, rec_str(an.run, "hostname") };
		if (rec_str(an.run, RK_TIME)) {
			snprintf(stamp, sizeof(stamp), "%.19s", rec_str(an.run, RK_TIME));
			rr.timestamp = stamp;
		}
		rc = results_write_reports(&rr) ? O3_EXIT_INTERNAL : O3_EXIT_OK;
	}
	if (rc)
		error("some reports could not be written under '%s'", a.results);
	else if (gates_failed(an.steps))
		rc = O3_EXIT_GATE; /* as o3 run: the verdicts are the same */
	if (!rc || rc == O3_EXIT_GATE)
		note("reports of %d model%s written again in %s/ from %s", cJSON_GetArraySize(an.models),
		     cJSON_GetArraySize(an.models) == 1 ? "" : "s", a.results, path);
	cJSON_Delete(machine);
	cJSON_Delete(env);
	cJSON_Delete(an.models);
	cJSON_Delete(an.steps);
	cJSON_Delete((cJSON *)an.index);
	cJSON_Delete(log);
	suite_release(&s);
	return rc;
}

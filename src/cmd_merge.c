// SPDX-License-Identifier: MIT
/*
 * o3 merge: the results folders of several machines (a fleet's artifacts)
 * in one report with a column per machine (report_merge.h). Offline: each
 * folder is read back as o3 report reads it (results_load: its log, the
 * suite it recorded, the same analysis), so each column says what that
 * machine's own reports say.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cmd.h"
#include "msg.h"
#include "o3_exit.h"
#include "record.h"
#include "report_merge.h"
#include "results.h"
#include "util.h"
#include "banned.h"

enum { OPT_OUT = 2000, OPT_FORCE, OPT_NAME };

static const struct cli_option options[] = {
	{ "out", 'o', OPT_OUT, "DIR", "write the merged report into DIR (default o3_merged)" },
	{ "force", 0, OPT_FORCE, NULL, "merge results of different suites (every report says so)" },
	{ "name", 0, OPT_NAME, "LABEL=RESULTS", "call the machine of RESULTS LABEL (default: the "
	  "folder's base name); repeatable" },
	{ "help", 'h', 0, NULL, "show this help" },
};

static const char description[] =
	"Merges the results folders of several machines (each written by o3 run, e.g.\n"
	"a fleet's artifacts) into one report with a column per machine: for each\n"
	"model its ceilings, presets, speed, TTFT, stability and gates, each saying\n"
	"which machine it came from. Writes DIR/summary.md, DIR/report.html,\n"
	"DIR/summary.json and DIR/summary.csv. Results of different suites are\n"
	"refused (exit 3) unless --force. Offline: no server is asked anything.";

struct merge_args {
	const char *out;
	int force;
	char **names;   /* the --name values, as given */
	size_t n_names;
	char **dirs;    /* the results folders */
	size_t n_dirs;
};

static int parse(int argc, char **argv, struct merge_args *a)
{
	struct option *lo;
	char *so;
	int c, rc = 0;
	cli_build(options, ARRAY_SIZE(options), &lo, &so);
	optind = 0; /* getopt reads the option string again (cli_build) */
	opterr = 0;
	a->names = xcalloc((size_t)argc + 1, sizeof(*a->names));
	while (!rc && (c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		switch (c) {
		case 'h':
			cli_print_help(stdout, "o3 merge [options] RESULTS...", description, options,
				       ARRAY_SIZE(options));
			rc = 1;
			break;
		case 'o':
		case OPT_OUT: a->out = optarg; break;
		case OPT_FORCE: a->force = 1; break;
		case OPT_NAME: a->names[a->n_names++] = optarg; break;
		default:
			cli_option_error("merge", argv, c);
			rc = -1;
		}
	}
	free(lo);
	free(so);
	if (!rc && optind >= argc) {
		error("o3 merge needs at least one results folder (see 'o3 merge --help')");
		rc = -1;
	}
	if (!rc) {
		a->dirs = argv + optind;
		a->n_dirs = (size_t)(argc - optind);
	}
	return rc;
}

/* The folder's name without trailing slashes (malloced). */
static char *trimmed(const char *dir)
{
	char *s = xstrdup(dir);
	size_t n = strlen(s);
	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

static int same_folder(const char *a, const char *b)
{
	char *x = trimmed(a), *y = trimmed(b), ra[PATH_MAX], rb[PATH_MAX];
	int same = !strcmp(x, y) || (realpath(x, ra) && realpath(y, rb) && !strcmp(ra, rb));
	free(x);
	free(y);
	return same;
}

/* Each folder's label: its base name, or what --name says. 0, or
 * O3_EXIT_USAGE after saying why. labels[i] is malloced. */
static int labels_of(const struct merge_args *a, char **labels)
{
	size_t i, j;
	for (i = 0; i < a->n_dirs; i++) {
		char *t = trimmed(a->dirs[i]), *slash = strrchr(t, '/');
		labels[i] = xstrdup(slash && slash[1] ? slash + 1 : t);
		free(t);
	}
	for (j = 0; j < a->n_names; j++) {
		const char *eq = strchr(a->names[j], '='), *dir = eq ? eq + 1 : NULL;
		int found = 0;
		if (!eq || eq == a->names[j] || !*dir) {
			error("--name expects LABEL=RESULTS (a label and one of the results folders), "
			      "not '%s'", a->names[j]);
			return O3_EXIT_USAGE;
		}
		for (i = 0; i < a->n_dirs; i++)
			if (same_folder(dir, a->dirs[i])) {
				free(labels[i]);
				labels[i] = xstrndup(a->names[j], (size_t)(eq - a->names[j]));
				found = 1;
			}
		if (!found) {
			error("--name '%s': '%s' is not among the results folders to merge", a->names[j],
			      dir);
			return O3_EXIT_USAGE;
		}
	}
	for (i = 0; i < a->n_dirs; i++)
		for (j = i + 1; j < a->n_dirs; j++)
			if (same_folder(a->dirs[i], a->dirs[j])) {
				error("the results folder '%s' is given twice (as '%s')", a->dirs[i],
				      a->dirs[j]);
				return O3_EXIT_USAGE;
			} else if (!strcmp(labels[i], labels[j])) {
				error("the results folders '%s' and '%s' have the same label '%s': give "
				      "them labels of their own with --name LABEL=RESULTS", a->dirs[i],
				      a->dirs[j], labels[i]);
				return O3_EXIT_USAGE;
			}
	for (i = 0; i < a->n_dirs; i++)
		if (same_folder(a->out, a->dirs[i])) {
			error("--out '%s' is one of the results folders: its report.html would be "
			      "overwritten", a->out);
			return O3_EXIT_USAGE;
		}
	return 0;
}

/* Read one results folder. 0, or O3_EXIT_INPUT after saying why. */
static int load(const char *dir, struct results *res)
{
	struct stat st;
	char path[1200], msg[1200];
	int rc;
	if (stat(dir, &st)) {
		error("'%s' is not a results folder: %s", dir, strerror(errno));
		return O3_EXIT_INPUT;
	}
	if (!S_ISDIR(st.st_mode)) {
		error("'%s' is not a results folder: not a directory", dir);
		return O3_EXIT_INPUT;
	}
	snprintf(path, sizeof(path), "%s/logs/run.jsonl", dir);
	if (stat(path, &st)) {
		error("'%s' is not a results folder of o3 run: it has no logs/run.jsonl (%s)", dir,
		      strerror(errno));
		return O3_EXIT_INPUT;
	}
	rc = results_load(dir, NULL, 0, res, msg, sizeof(msg));
	if (!rc)
		return 0;
	if (strstr(msg, "records no run of a suite"))
		/* results_load's words ask for --suite, which o3 report has */
		error("'%s' records no run of o3 run: the log is empty or corrupt, or a log of "
		      "o3's schema 1 (which names no suite: 'o3 report --suite' reads it)", path);
	else
		error("%s", msg);
	return O3_EXIT_INPUT;
}

/* What names the machine (identity_describe reads it): the Ollama version
 * and the simulator from the environment snapshot, else from the models'
 * identities; the machine from the run's record, else a model's. */
static cJSON *machine_identity(const struct results *res)
{
	cJSON *id = cJSON_CreateObject();
	const cJSON *srv = rec_get(res->env, "ollama"), *m, *mid = NULL, *v;
	int simulated = cJSON_IsTrue(rec_get(srv, "simulated"));
	cJSON_ArrayForEach(m, res->models) {
		if (!mid && rec_get(m, "identity"))
			mid = rec_get(m, "identity");
		simulated |= cJSON_IsTrue(rec_get(rec_get(m, "identity"), "simulated"));
	}
	v = cJSON_IsString(rec_get(srv, "version")) ? rec_get(srv, "version") : rec_get(mid, "ollama_version");
	if (cJSON_IsString(v))
		cJSON_AddStringToObject(id, "ollama_version", v->valuestring);
	cJSON_AddBoolToObject(id, "simulated", simulated);
	v = cJSON_IsString(rec_get(srv, "simulator")) ? rec_get(srv, "simulator") : rec_get(mid, "simulator");
	if (simulated && cJSON_IsString(v))
		cJSON_AddStringToObject(id, "simulator", v->valuestring);
	v = res->machine ? res->machine : rec_get(mid, "machine");
	if (v)
		cJSON_AddItemToObject(id, "machine", cJSON_Duplicate(v, 1));
	return id;
}

static const char *suite_text(const struct results *res)
{
	const char *t = rec_str(res->run, "suite_text");
	return t ? t : "";
}

/* Every folder ran the first one's suite (its name and its text); else say
 * which differ: refused (O3_EXIT_INPUT), or with force a warning and
 * *differ set. */
static int suites_check(const struct merge_args *a, const struct results *res, int force,
			int *differ)
{
	const char *s0 = res[0].suite.name ? res[0].suite.name : "?";
	const char *tail = force ? ": merged all the same (--force), and every report says so" : "";
	char what[1200];
	size_t i;
	*differ = 0;
	for (i = 1; i < a->n_dirs; i++) {
		const char *si = res[i].suite.name ? res[i].suite.name : "?";
		if (!strcmp(s0, si) && !strcmp(suite_text(&res[0]), suite_text(&res[i])))
			continue;
		*differ = 1;
		if (strcmp(s0, si))
			snprintf(what, sizeof(what), "'%s' ran the suite '%s' and '%s' ran the suite "
				 "'%s'%s", a->dirs[0], s0, a->dirs[i], si, tail);
		else
			snprintf(what, sizeof(what), "'%s' and '%s' ran different texts of the suite "
				 "'%s'%s", a->dirs[0], a->dirs[i], s0, tail);
		if (force)
			warning("%s", what);
		else
			error("%s", what);
	}
	if (*differ && !force) {
		note("results of different suites were measured and judged by different criteria; "
		     "--force merges them all the same");
		return O3_EXIT_INPUT;
	}
	return 0;
}

int cmd_merge(int argc, char **argv)
{
	struct merge_args a = { "o3_merged", 0, NULL, 0, NULL, 0 };
	struct results *res = NULL;
	struct report_merge_machine *mc = NULL;
	cJSON **ids = NULL;
	char **labels = NULL, (*times)[32] = NULL;
	size_t i;
	int rc, differ = 0;

	rc = parse(argc, argv, &a);
	if (rc) {
		free(a.names);
		return rc > 0 ? O3_EXIT_OK : O3_EXIT_USAGE;
	}
	labels = xcalloc(a.n_dirs, sizeof(*labels));
	rc = labels_of(&a, labels);
	res = xcalloc(a.n_dirs, sizeof(*res));
	for (i = 0; !rc && i < a.n_dirs; i++)
		rc = load(a.dirs[i], &res[i]); /* a failed load leaves res[i] empty */
	if (!rc)
		rc = suites_check(&a, res, a.force, &differ);
	if (!rc) {
		struct report_merge r = { a.out, NULL, a.n_dirs, differ };
		mc = xcalloc(a.n_dirs, sizeof(*mc));
		ids = xcalloc(a.n_dirs, sizeof(*ids));
		times = xcalloc(a.n_dirs, sizeof(*times));
		for (i = 0; i < a.n_dirs; i++) {
			ids[i] = machine_identity(&res[i]);
			mc[i].label = labels[i];
			mc[i].results = a.dirs[i];
			mc[i].suite_name = res[i].suite.name;
			if (rec_str(res[i].run, RK_TIME)) {
				/* the run's start, to the second, as its own reports say */
				snprintf(times[i], sizeof(times[i]), "%.19s", rec_str(res[i].run, RK_TIME));
				mc[i].time = times[i];
			}
			mc[i].hostname = rec_str(res[i].run, "hostname");
			mc[i].identity = ids[i];
			mc[i].models = res[i].models;
		}
		r.machines = mc;
		if (report_merge_write(&r)) {
			error("the merged report could not be written in full under '%s'", a.out);
			rc = O3_EXIT_INPUT;
		} else {
			note("merged %zu results folder%s into %s/ (summary.md, report.html, "
			     "summary.json, summary.csv)", a.n_dirs, a.n_dirs == 1 ? "" : "s", a.out);
		}
	}
	for (i = 0; i < a.n_dirs; i++) {
		results_release(&res[i]);
		if (ids)
			cJSON_Delete(ids[i]);
		free(labels[i]);
	}
	free(ids);
	free(times);
	free(mc);
	free(res);
	free(labels);
	free(a.names);
	return rc;
}

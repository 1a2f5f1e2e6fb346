// SPDX-License-Identifier: MIT
/*
 * o3 report: every report of a results folder again, from its log alone,
 * offline: the same analysis (analyze.h) of the same records that o3 run
 * made its reports from, so the files come out the same (JUnit's timestamp
 * and host name aside).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "msg.h"
#include "o3_exit.h"
#include "record.h"
#include "report.h"
#include "results.h"
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
	optind = 0; /* getopt reads the option string again (cli_build) */
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
			cli_option_error("report", argv, c);
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
	struct results res;
	char msg[1200];
	int rc;

	rc = parse(argc, argv, &a);
	if (rc)
		return rc > 0 ? O3_EXIT_OK : O3_EXIT_USAGE;
	rc = results_load(a.results, a.suite_path, a.parallel, &res, msg, sizeof(msg));
	if (rc) {
		error("%s", msg);
		return rc;
	}
	{
		char stamp[32];
		struct results_reports rr = {
			.dir = a.results, .suite_name = res.suite.name, .models = res.models,
			.step_results = res.steps, .env = res.env, .machine = res.machine,
			.hostname = rec_str(res.run, "hostname"), .records = res.index,
		};
		if (rec_str(res.run, RK_TIME)) {
			snprintf(stamp, sizeof(stamp), "%.19s", rec_str(res.run, RK_TIME));
			rr.timestamp = stamp;
		}
		rc = results_write_reports(&rr) ? O3_EXIT_INTERNAL : O3_EXIT_OK;
	}
	if (rc)
		error("some reports could not be written under '%s'", a.results);
	else if (gates_failed(res.steps))
		rc = O3_EXIT_GATE; /* as o3 run: the verdicts are the same */
	if (!rc || rc == O3_EXIT_GATE)
		note("reports of %d model%s written again in %s/ from %s/logs/run.jsonl",
		     cJSON_GetArraySize(res.models), cJSON_GetArraySize(res.models) == 1 ? "" : "s",
		     a.results, a.results);
	results_release(&res);
	return rc;
}

// SPDX-License-Identifier: MIT
/* o3 compare: a results folder against the stored baselines (the regression gate). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "msg.h"
#include "o3_exit.h"
#include "record.h"
#include "regression.h"
#include "report.h"
#include "results.h"
#include "step.h"
#include "util.h"
#include "banned.h"

enum { OPT_BASELINE = 2000, OPT_PROFILE, OPT_STRICT, OPT_FORCE };

static const struct cli_option options[] = {
	{ "baseline", 0, OPT_BASELINE, "DIR", "the baselines folder (default baselines)" },
	{ "profile", 0, OPT_PROFILE, "P", "compare with this profile's baselines (default: the "
	  "results' own)" },
	{ "strict", 0, OPT_STRICT, NULL, "an inconclusive comparison, or a missing baseline, fails" },
	{ "force", 0, OPT_FORCE, NULL, "compare across profiles" },
	{ "help", 'h', 0, NULL, "show this help" },
};

static const char description[] =
	"Compares every model of RESULTS with its baseline (DIR/<profile>/<model>.json):\n"
	"a metric regresses when it is worse by more than its tolerance and the\n"
	"difference is significant over the raw samples; a ceiling on any step down; the\n"
	"stability test on a new OOM or failure. Writes RESULTS/summaries/compare.md and\n"
	"compare.json and RESULTS/junit-regression.xml (one test case per model, preset\n"
	"and metric). Exit 1 on a regression.";

int cmd_compare(int argc, char **argv)
{
	struct option *lo;
	char *so, msg[1200];
	struct regression_opts o = { "baselines", NULL, 0, 0 };
	struct regression_out out;
	struct step_runner gates;
	struct results r;
	int c, rc = 0;

	cli_build(options, ARRAY_SIZE(options), &lo, &so);
	optind = 1;
	opterr = 0;
	while (!rc && (c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		switch (c) {
		case 'h':
			cli_print_help(stdout, "o3 compare [options] RESULTS", description, options,
				       ARRAY_SIZE(options));
			rc = 1;
			break;
		case OPT_BASELINE: o.baseline_dir = optarg; break;
		case OPT_PROFILE: o.profile = optarg; break;
		case OPT_STRICT: o.strict = 1; break;
		case OPT_FORCE: o.force = 1; break;
		default:
			error("unknown or incomplete option '%s' (see 'o3 compare --help')", argv[optind - 1]);
			rc = -1;
		}
	}
	free(lo);
	free(so);
	if (rc)
		return rc > 0 ? O3_EXIT_OK : O3_EXIT_USAGE;
	if (optind + 1 != argc) {
		error("o3 compare takes one results folder (see 'o3 compare --help')");
		return O3_EXIT_USAGE;
	}
	rc = results_load(argv[optind], NULL, 0, &r, msg, sizeof(msg));
	if (rc) {
		error("%s", msg);
		return rc;
	}
	memset(&gates, 0, sizeof(gates));
	gates.results = cJSON_CreateArray();
	rc = regression_run(&r, &o, &gates, &out, msg, sizeof(msg));
	if (rc) {
		error("%s", msg);
	} else {
		struct report_run run = { 0 };
		static const struct report_writer *const junit[] = { &report_writer_junit, NULL };
		const cJSON *cmp, *m;
		char name[300];
		snprintf(name, sizeof(name), "%s [regression]", r.suite.name);
		run.suite_name = name;
		run.dir = argv[optind];
		run.junit_name = "junit-regression.xml";
		if (regression_write(argv[optind], &o, &out) ||
		    report_write_with(junit, &run, NULL, gates.results))
			rc = O3_EXIT_INTERNAL;
		cJSON_ArrayForEach(cmp, out.comparisons)
			printf("%s: %.0f regressions, %.0f improvements, %.0f inconclusive (since the "
			       "baseline: %s)\n", rec_str(cmp, "model"),
			       cJSON_GetNumberValue(rec_get(cmp, "regressions")),
			       cJSON_GetNumberValue(rec_get(cmp, "improvements")),
			       cJSON_GetNumberValue(rec_get(cmp, "inconclusive")),
			       rec_str(cmp, "identity_change"));
		cJSON_ArrayForEach(m, out.missing)
			printf("no baseline: %s\n", cJSON_GetStringValue(m));
		cJSON_ArrayForEach(m, gates.results)
			if (rec_str(m, RK_STATUS) && strcmp(rec_str(m, RK_STATUS), "ok"))
				printf("    FAIL %s: %s\n", rec_str(m, "name"),
				       rec_str(m, "message") ? rec_str(m, "message") : "");
		printf("reports: %s/summaries/compare.md, %s/junit-regression.xml\n", argv[optind],
		       argv[optind]);
		if (!rc && out.failed)
			rc = O3_EXIT_GATE;
		regression_out_release(&out);
	}
	cJSON_Delete(gates.results);
	results_release(&r);
	return rc;
}

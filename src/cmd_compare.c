// SPDX-License-Identifier: MIT
/* o3 compare: a results folder against the stored baselines (the regression gate). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "msg.h"
#include "o3_exit.h"
#include "step_summary.h"
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
	struct regression_opts o = { "baselines", NULL, 0, 0, NULL };
	int c, rc = 0;

	cli_build(options, ARRAY_SIZE(options), &lo, &so);
	optind = 0; /* getopt reads the option string again (cli_build) */
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
			cli_option_error("compare", argv, c);
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
	{
		int failed = 0;
		o.step_summary = step_summary_path(); /* GitHub Actions */
		rc = regression_gate(argv[optind], &o, &failed, msg, sizeof(msg));
		if (rc)
			error("%s", msg);
		else if (failed)
			rc = O3_EXIT_GATE;
	}
	return rc;
}

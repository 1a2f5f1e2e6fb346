// SPDX-License-Identifier: MIT
/* o3 baseline update: baselines/<profile>/<model>.json from a results folder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "cli.h"
#include "cmd.h"
#include "identity.h"
#include "msg.h"
#include "o3_exit.h"
#include "record.h"
#include "results.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

enum { OPT_DIR = 2000, OPT_PROFILE, OPT_FORCE };

static const struct cli_option options[] = {
	{ "dir", 0, OPT_DIR, "DIR", "the baselines folder (default baselines)" },
	{ "baseline", 0, OPT_DIR, "DIR", "the same as --dir, as o3 compare and o3 run name it" },
	{ "profile", 0, OPT_PROFILE, "P", "the machine kind (default: from the results' GPU, memory "
	  "and driver; sim-<profile> on the simulator)" },
	{ "force", 0, OPT_FORCE, NULL, "write results whose gates failed, or simulated results under "
	  "a real profile (and the reverse)" },
	{ "help", 'h', 0, NULL, "show this help" },
};

static const char description[] =
	"Writes or refreshes DIR/<profile>/<model>.json for every model that RESULTS\n"
	"measured to the end: the raw samples of each preset's gated metrics, the\n"
	"ceilings, and the identity they were measured under. Results whose gates\n"
	"failed, and simulated results for a real profile, are refused unless --force.";

int cmd_baseline(int argc, char **argv)
{
	struct option *lo;
	char *so, msg[1200];
	const char *dir = "baselines", *profile = NULL, *results_dir;
	struct results r;
	const cJSON *m;
	int c, rc = 0, force = 0, written = 0, refused = 0;

	/* "o3 baseline update [options] RESULTS": the verb first, as git's */
	if (argc > 1 && !strcmp(argv[1], "update")) {
		argv++;
		argc--;
	} else if (!(argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))) {
		error("usage: o3 baseline update [options] RESULTS (see 'o3 baseline --help')");
		return O3_EXIT_USAGE;
	}
	cli_build(options, ARRAY_SIZE(options), &lo, &so);
	optind = 0; /* getopt reads the option string again (cli_build) */
	opterr = 0;
	while (!rc && (c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		switch (c) {
		case 'h':
			cli_print_help(stdout, "o3 baseline update [options] RESULTS", description, options,
				       ARRAY_SIZE(options));
			rc = 1;
			break;
		case OPT_DIR: dir = optarg; break;
		case OPT_PROFILE: profile = optarg; break;
		case OPT_FORCE: force = 1; break;
		default:
			cli_option_error("baseline", argv, c);
			rc = -1;
		}
	}
	free(lo);
	free(so);
	if (rc)
		return rc > 0 ? O3_EXIT_OK : O3_EXIT_USAGE;
	if (optind + 1 != argc) {
		error("usage: o3 baseline update [options] RESULTS (see 'o3 baseline --help')");
		return O3_EXIT_USAGE;
	}
	results_dir = argv[optind];
	if (profile && (!*profile || strchr(profile, '/') || profile[0] == '.')) {
		error("--profile '%s': a profile is one folder name", profile);
		return O3_EXIT_USAGE;
	}
	rc = results_load(results_dir, NULL, 0, &r, msg, sizeof(msg));
	if (rc) {
		error("%s", msg);
		return rc;
	}
	cJSON_ArrayForEach(m, r.models) {
		char own[256], date[40], why[1200];
		const char *model = rec_str(m, RK_MODEL), *p;
		int simulated = cJSON_IsTrue(rec_get(rec_get(m, "identity"), "simulated"));
		cJSON *doc, *old;
		baseline_profile_of(rec_get(m, "identity"), own, sizeof(own));
		p = profile ? profile : own;
		if (!force && simulated != !strncmp(p, "sim-", 4)) {
			error("%s: %s results under the %s profile '%s': refused (--force writes them)",
			      model, simulated ? "simulated" : "real", simulated ? "real" : "simulator's", p);
			refused++;
			continue;
		}
		snprintf(date, sizeof(date), "%s", rec_str(r.run, RK_TIME) ? rec_str(r.run, RK_TIME) : "");
		doc = baseline_build(&r, m, p, date);
		if (!doc) {
			warning("%s: not measured to the end in %s: no baseline written", model, results_dir);
			continue;
		}
		if (!cJSON_IsTrue(rec_get(doc, "gates_passed")) && !force) {
			error("%s: its gates failed in %s: refused as a baseline (--force writes it)", model,
			      results_dir);
			refused++;
			cJSON_Delete(doc);
			continue;
		}
		old = baseline_read(dir, p, model, NULL, why, sizeof(why));
		if (baseline_write(dir, doc, msg, sizeof(msg))) {
			error("%s", msg);
			rc = O3_EXIT_INTERNAL;
		} else {
			struct strbuf ch = STRBUF_INIT;
			if (old)
				identity_describe_change(rec_get(old, "identity"), rec_get(doc, "identity"), &ch);
			printf("%s: %s%s%s\n", msg, old ? "refreshed" : "written", ch.len ? ": " : "",
			       ch.len ? ch.buf : "");
			strbuf_release(&ch);
			written++;
		}
		cJSON_Delete(old);
		cJSON_Delete(doc);
	}
	note("%d baseline%s written under %s/, %d refused", written, written == 1 ? "" : "s", dir,
	     refused);
	results_release(&r);
	if (!rc && refused)
		rc = O3_EXIT_GATE;
	return rc;
}

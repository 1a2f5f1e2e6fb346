// SPDX-License-Identifier: MIT
/* o3 env: the environment snapshot as JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cmd_common.h"
#include "baseline.h"
#include "envinfo.h"
#include "identity.h"
#include "msg.h"
#include "o3_exit.h"
#include "util.h"
#include "banned.h"

enum { OPT_CHECK = 2000, OPT_NO_SERVER, OPT_SYSFS, OPT_PROCFS, OPT_LIST_MODELS, OPT_PROFILE };

static const struct cli_option options[] = {
	{ "check", 0, OPT_CHECK, NULL, "print nothing; exit 0 when a server answers, 4 when none does" },
	{ "list-models", 0, OPT_LIST_MODELS, NULL, "print the server's models, one name per line" },
	{ "profile", 0, OPT_PROFILE, NULL,
	  "print the baselines profile of this machine and server (baselines/<profile>/), as o3 "
	  "baseline update and o3 compare name it" },
	{ "no-server", 0, OPT_NO_SERVER, NULL, "describe this machine only; do not contact Ollama" },
	{ "sysfs-root", 0, OPT_SYSFS, "DIR", "read sysfs from DIR instead of /sys" },
	{ "procfs-root", 0, OPT_PROCFS, "DIR", "read procfs from DIR instead of /proc" },
	CMD_SERVER_OPTIONS,
	{ "help", 'h', 0, NULL, "show this help" },
};

static int list_models(struct cmd_server *srv)
{
	struct ollama_tag *tags = NULL;
	struct ollama_error err;
	size_t n = 0, i;
	int rc = O3_EXIT_OK;

	if (ollama_tags(srv->client, &tags, &n, &err)) {
		error("cannot list the models of %s: %s", srv->host.base_url, err.message);
		rc = O3_EXIT_UNAVAILABLE;
	}
	for (i = 0; i < n; i++)
		puts(tags[i].name);
	free(tags);
	cmd_server_close(srv);
	return rc;
}

/* The profile that o3 baseline update would give this machine's results:
 * "sim-<profile>" against o3-sim, else the GPU, driver and RAM. */
static void print_profile(const cJSON *snap)
{
	const cJSON *srv = cJSON_GetObjectItemCaseSensitive(snap, "ollama");
	const cJSON *sim = cJSON_GetObjectItemCaseSensitive(srv, "simulator");
	cJSON *id = cJSON_CreateObject();
	char profile[256];
	cJSON_AddBoolToObject(id, "simulated",
			      cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(srv, "simulated")));
	if (cJSON_IsString(sim))
		cJSON_AddStringToObject(id, "simulator", sim->valuestring);
	cJSON_AddItemToObject(id, "machine", identity_machine(snap));
	baseline_profile_of(id, profile, sizeof(profile));
	puts(profile);
	cJSON_Delete(id);
}

int cmd_env(int argc, char **argv)
{
	struct cmd_server srv;
	struct option *lo;
	char *so;
	const char *host = NULL, *sysfs = "/sys", *procfs = "/proc";
	int c, rc = 0, check = 0, no_server = 0, list = 0, profile = 0;
	cJSON *snap;
	char *text;

	cmd_server_init(&srv);
	cli_build(options, ARRAY_SIZE(options), &lo, &so);
	optind = 0; /* getopt reads the option string again (cli_build) */
	opterr = 0;
	while (!rc && (c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		int r = cmd_server_option(&srv, c, optarg, &host);
		if (r) {
			rc = r < 0 ? O3_EXIT_USAGE : 0;
			continue;
		}
		switch (c) {
		case 'h':
			cli_print_help(stdout, "o3 env [options]",
				       "Prints what this machine and its Ollama server are, as JSON: the same\n"
				       "snapshot that every run stores in its results folder (env/).",
				       options, ARRAY_SIZE(options));
			free(lo);
			free(so);
			return O3_EXIT_OK;
		case OPT_CHECK: check = 1; break;
		case OPT_LIST_MODELS: list = 1; break;
		case OPT_PROFILE: profile = 1; break;
		case OPT_NO_SERVER: no_server = 1; break;
		case OPT_SYSFS: sysfs = optarg; break;
		case OPT_PROCFS: procfs = optarg; break;
		default:
			cli_option_error("env", argv, c);
			rc = O3_EXIT_USAGE;
		}
	}
	free(lo);
	free(so);
	if (rc)
		return rc;
	if (optind < argc) {
		error("unexpected argument '%s'", argv[optind]);
		return O3_EXIT_USAGE;
	}
	if (!no_server || list) {
		if (check)
			msg_set_level(MSG_QUIET);
		rc = cmd_server_open(&srv, host);
		if (check || rc == O3_EXIT_USAGE || (list && rc)) {
			cmd_server_close(&srv);
			return rc;
		}
		if (list)
			return list_models(&srv);
	}
	snap = envinfo_snapshot(rc ? NULL : srv.client, procfs, sysfs);
	if (profile) {
		print_profile(snap);
	} else {
		text = cJSON_Print(snap);
		puts(text);
		cJSON_free(text);
	}
	cJSON_Delete(snap);
	cmd_server_close(&srv);
	return rc;
}
